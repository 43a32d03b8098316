// The payout's domain types, shared by the API, the workflow and the activities. Pure: the workflow
// sandbox imports this module, so no Node built-ins and no side effects here.
import type { ApprovalTerms } from './approval-policy';
import type { Money } from './money';

export const EWALLETS = ['DANA', 'OVO', 'GOPAY', 'SHOPEEPAY', 'LINKAJA'] as const;
export type Ewallet = (typeof EWALLETS)[number];

/**
 * A provider's key (`singapay`, `faspay`): the registry (src/registry.ts) holds the list, so
 * that adding a provider touches no domain code.
 */
export type ProviderKey = string;

export type Destination =
  | { type: 'EWALLET'; ewallet: Ewallet; customerNumber: string }
  | { type: 'BANK_ACCOUNT'; bankCode: string; accountNumber: string }
  | { type: 'VIRTUAL_ACCOUNT'; billerCode: string; virtualAccountNumber: string };

export type DestinationType = Destination['type'];

export const PAYOUT_STATUSES = [
  'VALIDATING',
  'AWAITING_APPROVAL',
  'SCHEDULED',
  'PROCESSING',
  'NEEDS_ATTENTION',
  'SUCCEEDED',
  'FAILED',
  'REJECTED',
  'EXPIRED',
  'CANCELLED',
] as const;
export type PayoutStatus = (typeof PAYOUT_STATUSES)[number];

export const FINAL_STATUSES: readonly PayoutStatus[] = ['SUCCEEDED', 'FAILED', 'REJECTED', 'EXPIRED', 'CANCELLED'];

export function isFinal(status: PayoutStatus): boolean {
  return FINAL_STATUSES.includes(status);
}

/** Stable, provider-neutral reasons a payout did not go through. */
export type FailureCode =
  | 'BENEFICIARY_NOT_FOUND'
  | 'AMOUNT_OUT_OF_RANGE'
  | 'INSUFFICIENT_BALANCE'
  | 'LIMIT_EXCEEDED'
  | 'BENEFICIARY_UNAVAILABLE'
  | 'INVALID_REQUEST'
  | 'PROVIDER_REJECTED'
  | 'TRANSFER_FAILED'
  | 'TRANSFER_REFUNDED'
  | 'TRANSFER_CANCELLED'
  /** The provider could not be reached or refused our credentials before any money moved. */
  | 'PROVIDER_UNAVAILABLE'
  /** An admin resolved a payout that needed attention as failed (POST /v1/payouts/{id}/resolve). */
  | 'RESOLVED_AS_FAILED';

export interface PayoutFailure {
  code: FailureCode;
  message: string;
  /** The provider's own code (e.g. SP117, 4041611), for support tickets with the provider. */
  providerCode?: string;
}

/** The provider's status of the money, as it said it: `{ code: "03", desc: "Pending" }`. */
export interface ProviderStatus {
  code: string;
  desc: string;
}

/** What the workflow is started with: a validated create request plus who asked and when. */
export interface PayoutRequest {
  reference: string;
  destination: Destination;
  /** Whole rupiah. */
  amount: number;
  description?: string;
  provider: ProviderKey;
  beneficiaryEmail?: string;
  requestedBy: string;
  createdAt: string;
  approvalTimeoutMs: number;
  scheduledAt?: string;
  /** Set when the payout is a row of a batch: the batch decides for it (workflows/batch.ts). */
  batch?: BatchMembership;
  /**
   * The approval policy's terms when the payout was created (src/domain/approval-policy.ts). Unset
   * in payouts created before approval policies: one approval, no limits.
   */
  terms?: ApprovalTerms;
}

/** A payout's place in its batch. */
export interface BatchMembership {
  /** The batch's reference (its id). */
  id: string;
  /** The row's index in the batch, from 0. */
  row: number;
  /**
   * When the row stops waiting for its batch's decision on its own: the batch's deadline (or its
   * scheduled time) plus a margin. The batch decides well before; this only ends a row whose batch is gone.
   */
  decideBy: string;
}

/** The workflow id of the payout with this reference (also a batch row's). */
export function payoutWorkflowId(reference: string): string {
  return `payout-${reference}`;
}

export interface InquiryResult {
  accountName: string;
  amount: number;
  fee: number;
  grossAmount: number;
  minAmount?: number;
  maxAmount?: number;
}

export interface ApprovalDecision {
  decision: 'APPROVED' | 'REJECTED' | 'CANCELLED';
  by: string;
  at: string;
  comment?: string;
  reason?: string;
}

/** One approver's approval; the payout goes on once its policy's number of distinct approvers approved. */
export interface Approval {
  by: string;
  at: string;
  comment?: string;
}

export interface TransferProgress {
  providerReference?: string;
  providerStatus?: ProviderStatus;
  submittedAt?: string;
  lastCheckedAt?: string;
  statusChecks: number;
}

export interface TimelineEntry {
  status: PayoutStatus;
  at: string;
  detail?: string;
}

/** A break a reconciliation run found for a payout, as the payout keeps it. */
export interface ReconciliationNotice {
  /** The reconciliation run's id (GET /v1/reconciliations/{id}). */
  reconciliation: string;
  /** A ReconciliationBreakKind (src/domain/reconciliation). */
  kind: string;
  detail: string;
  at: string;
}

/** How an admin ended a payout that needed attention. */
export interface Resolution {
  outcome: 'SUCCEEDED' | 'FAILED';
  by: string;
  at: string;
  reason: string;
}

/** The payout document of api.md, as the API returns it and the workflow's query answers it. */
export interface Payout {
  id: string;
  reference: string;
  status: PayoutStatus;
  provider: ProviderKey;
  destination: Destination;
  amount: Money;
  description?: string;
  beneficiaryEmail?: string;
  requestedBy: string;
  createdAt: string;
  updatedAt: string;
  approvalDeadline?: string;
  scheduledAt?: string;
  inquiry?: {
    accountName: string;
    amount: Money;
    fee: Money;
    grossAmount: Money;
    minAmount?: Money;
    maxAmount?: Money;
  };
  /** The final decision (approved, rejected, cancelled): set once. */
  approval?: ApprovalDecision;
  /** Distinct approvers the payout's policy asks for (fixed when it was created). */
  approvalsRequired?: number;
  /** The approvals so far, in order. */
  approvals?: Approval[];
  /** The short id of the approval policy version the payout was created under. */
  policy?: string;
  transfer?: TransferProgress;
  failure?: PayoutFailure;
  /** Why an operator must look (NEEDS_ATTENTION), and since when. */
  attention?: { reason: string; since: string };
  /** Breaks a reconciliation found for this payout while it was open (it moved to NEEDS_ATTENTION for them). */
  reconciliationBreaks?: ReconciliationNotice[];
  resolution?: Resolution;
  /** The batch this payout is a row of. */
  batchId?: string;
  timeline: TimelineEntry[];
}

/** The destination's account number, whatever its type: what the simulators' scenarios key on. */
export function destinationNumber(destination: Destination): string {
  switch (destination.type) {
    case 'EWALLET':
      return destination.customerNumber;
    case 'BANK_ACCOUNT':
      return destination.accountNumber;
    case 'VIRTUAL_ACCOUNT':
      return destination.virtualAccountNumber;
  }
}

/** Masks all but the last four digits, for logs, search attributes' neighbours and summaries. */
export function maskNumber(number: string): string {
  return number.length <= 4 ? number : `${'*'.repeat(number.length - 4)}${number.slice(-4)}`;
}
