// Building and changing the payout document of api.md. Pure functions over plain data: the
// workflow keeps the document as its state and returns it from the `getPayout` query.
import { toMoney } from './money';
import { destinationNumber, type InquiryResult, type Payout, type PayoutRequest, type PayoutStatus } from './payout';
import { checkTransition, type TransitionFacts } from './status-machine';

export function newPayoutDocument(request: PayoutRequest): Payout {
  return {
    id: request.reference,
    reference: request.reference,
    status: 'VALIDATING',
    provider: request.provider,
    destination: request.destination,
    amount: toMoney(request.amount),
    ...(request.description !== undefined && { description: request.description }),
    ...(request.beneficiaryEmail !== undefined && { beneficiaryEmail: request.beneficiaryEmail }),
    requestedBy: request.requestedBy,
    createdAt: request.createdAt,
    updatedAt: request.createdAt,
    ...(request.scheduledAt !== undefined && { scheduledAt: request.scheduledAt }),
    ...(request.batch !== undefined && { batchId: request.batch.id }),
    ...(request.terms !== undefined && { approvalsRequired: request.terms.approvalsRequired, approvals: [], policy: request.terms.policy }),
    timeline: [{ status: 'VALIDATING', at: request.createdAt }],
  };
}

/**
 * Moves the payout to `status` through the status machine (no-op when already there, an
 * IllegalTransitionError for a change it does not allow), recording it in the timeline.
 */
export function changeStatus(payout: Payout, status: PayoutStatus, at: string, detail: string | undefined, facts: TransitionFacts): void {
  const changes = checkTransition(payout.status, status, facts);
  payout.updatedAt = at;
  if (!changes) return;
  payout.status = status;
  payout.timeline.push({ status, at, ...(detail !== undefined && { detail }) });
}

export function inquiryDocument(inquiry: InquiryResult): NonNullable<Payout['inquiry']> {
  return {
    accountName: inquiry.accountName,
    amount: toMoney(inquiry.amount),
    fee: toMoney(inquiry.fee),
    grossAmount: toMoney(inquiry.grossAmount),
    ...(inquiry.minAmount !== undefined && { minAmount: toMoney(inquiry.minAmount) }),
    ...(inquiry.maxAmount !== undefined && { maxAmount: toMoney(inquiry.maxAmount) }),
  };
}

/** The amount must lie within the limits the account inquiry returned (when it returned any). */
export function amountOutsideLimits(amount: number, inquiry: InquiryResult): string | undefined {
  if (inquiry.minAmount !== undefined && amount < inquiry.minAmount) {
    return `amount ${amount} is below the account's minimum of ${inquiry.minAmount}`;
  }
  if (inquiry.maxAmount !== undefined && amount > inquiry.maxAmount) {
    return `amount ${amount} is above the account's maximum of ${inquiry.maxAmount}`;
  }
  return undefined;
}

/**
 * Whether the provider's record for our reference describes a different transfer (a reference
 * collision): then its status says nothing about our payout. Fields the provider did not echo are
 * not compared.
 */
export function recordMismatch(
  request: Pick<PayoutRequest, 'amount' | 'destination'>,
  recorded: { amount?: number; accountNumber?: string } | undefined,
): string | undefined {
  if (!recorded) return undefined;
  if (recorded.amount !== undefined && recorded.amount !== request.amount) {
    return `the provider's record for this reference has amount ${recorded.amount}, not ${request.amount}`;
  }
  const ours = destinationNumber(request.destination);
  if (recorded.accountNumber !== undefined && recorded.accountNumber !== ours) {
    return `the provider's record for this reference pays another account (…${recorded.accountNumber.slice(-4)}), not …${ours.slice(-4)}`;
  }
  return undefined;
}
