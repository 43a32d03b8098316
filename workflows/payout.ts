// One payout, one workflow: account inquiry → a human decides → (scheduled wait) → trigger the
// transfer → poll its status with durable timers until the provider gives a final answer.
//
// Money safety rules this file keeps:
// - No trigger before an approval; a cancel is refused once the trigger may have been sent.
// - Every trigger uses the payout's own reference, so the provider's duplicate check makes a
//   repeat harmless. A lost or ambiguous trigger leads to status inquiry, never to FAILED.
// - FAILED only on a definitive answer: a refusal before any money moved, or a final status.
// - The workflow never names a provider: it hands the provider key to provider-agnostic activities.
import {
  ActivityFailure,
  ApplicationFailure,
  condition,
  log,
  proxyActivities,
  setCurrentDetails,
  setHandler,
  upsertSearchAttributes,
} from '@temporalio/workflow';
import type { PayoutActivities, TriggerOutcome } from '../activities';
import { amountOutsideLimits, changeStatus, inquiryDocument, newPayoutDocument } from '../src/domain/payout-document';
import { isFinal, maskNumber, destinationNumber } from '../src/domain/payout';
import type { Payout, PayoutFailure, PayoutRequest, PayoutStatus } from '../src/domain/payout';
import type { TransferOrder, TransferStatusResult } from '../src/providers/types';
import {
  approveSignal,
  approveUpdate,
  cancelSignal,
  cancelUpdate,
  checkStatusNowSignal,
  DecisionRefusal,
  getPayoutQuery,
  rejectSignal,
  rejectUpdate,
  type ApproveInput,
  type CancelInput,
  type RejectInput,
} from './messages';
import { pollingBudgetSpent, statusPollDelay, type PayoutPolicy } from './policy';
import { PAYOUT_STATUS } from './search-attributes';

export interface PayoutWorkflowInput {
  request: PayoutRequest;
  policy: PayoutPolicy;
}

export async function payoutWorkflow({ request, policy }: PayoutWorkflowInput): Promise<Payout> {
  const payout = newPayoutDocument(request);
  const order: TransferOrder = {
    reference: request.reference,
    destination: request.destination,
    amount: request.amount,
    ...(request.description !== undefined && { description: request.description }),
    ...(request.beneficiaryEmail !== undefined && { beneficiaryEmail: request.beneficiaryEmail }),
  };
  const activities = activityProxies(policy);
  const now = () => new Date().toISOString();

  let decided = false;
  /** Set once the trigger may have been sent: from then on the payout cannot be cancelled. */
  let submitted = false;
  let checkStatusNow = false;

  const setStatus = (status: PayoutStatus, detail?: string) => {
    changeStatus(payout, status, now(), detail);
    upsertSearchAttributes([{ key: PAYOUT_STATUS, value: status }]);
  };
  // A function, not an inline comparison: handlers change the status while the main flow awaits.
  const cancelled = () => payout.status === 'CANCELLED';
  const fail = (failure: PayoutFailure) => {
    payout.failure = failure;
    setStatus('FAILED', failure.message);
  };

  // --- decisions: the same rules for updates (API) and signals (Temporal UI / CLI) ---
  const refuse = (type: DecisionRefusal, message: string): never => {
    throw ApplicationFailure.create({ type, message, nonRetryable: true });
  };
  const validateDecider = (input: { principal?: unknown } | undefined) => {
    if (!input || typeof input.principal !== 'string' || input.principal.trim() === '') {
      refuse(DecisionRefusal.INVALID_DECISION, 'a decision needs the principal who makes it');
    }
  };
  const validateApprove = (input: ApproveInput) => {
    validateDecider(input);
    if (payout.status !== 'AWAITING_APPROVAL' || decided) {
      refuse(DecisionRefusal.NOT_AWAITING_APPROVAL, `payout ${payout.reference} is ${payout.status}, not awaiting approval`);
    }
    if (input.principal === request.requestedBy) {
      refuse(DecisionRefusal.FOUR_EYES, `${input.principal} requested this payout and cannot approve it`);
    }
  };
  const validateReject = (input: RejectInput) => {
    validateDecider(input);
    if (typeof input.reason !== 'string' || input.reason.trim() === '') {
      refuse(DecisionRefusal.INVALID_DECISION, 'a rejection needs a reason');
    }
    if (payout.status !== 'AWAITING_APPROVAL' || decided) {
      refuse(DecisionRefusal.NOT_AWAITING_APPROVAL, `payout ${payout.reference} is ${payout.status}, not awaiting approval`);
    }
  };
  const validateCancel = (input: CancelInput) => {
    validateDecider(input);
    if (submitted) refuse(DecisionRefusal.ALREADY_SUBMITTED, `payout ${payout.reference} was already submitted to the provider`);
    if (isFinal(payout.status)) refuse(DecisionRefusal.NOT_AWAITING_APPROVAL, `payout ${payout.reference} is already ${payout.status}`);
  };

  const approve = (input: ApproveInput): Payout => {
    decided = true;
    payout.approval = { decision: 'APPROVED', by: input.principal, at: now(), ...(input.comment && { comment: input.comment }) };
    const waitForSchedule = request.scheduledAt !== undefined && Date.parse(request.scheduledAt) > Date.now();
    setStatus(waitForSchedule ? 'SCHEDULED' : 'PROCESSING', `approved by ${input.principal}`);
    return payout;
  };
  const reject = (input: RejectInput): Payout => {
    decided = true;
    payout.approval = { decision: 'REJECTED', by: input.principal, at: now(), reason: input.reason };
    setStatus('REJECTED', `rejected by ${input.principal}`);
    return payout;
  };
  const cancel = (input: CancelInput): Payout => {
    decided = true;
    payout.approval = { decision: 'CANCELLED', by: input.principal, at: now(), ...(input.reason && { reason: input.reason }) };
    setStatus('CANCELLED', `cancelled by ${input.principal}`);
    return payout;
  };

  setHandler(getPayoutQuery, () => payout, { description: 'The payout document, as the API returns it.' });
  setHandler(approveUpdate, approve, {
    validator: validateApprove,
    description: 'Approve the payout (not by its requester). Answers the payout, now PROCESSING or SCHEDULED.',
  });
  setHandler(rejectUpdate, reject, { validator: validateReject, description: 'Reject the payout with a reason.' });
  setHandler(cancelUpdate, cancel, { validator: validateCancel, description: 'Cancel the payout before it is submitted.' });
  const asSignal =
    <T>(name: string, validate: (input: T) => void, apply: (input: T) => unknown) =>
    (input: T) => {
      try {
        validate(input);
        apply(input);
      } catch (err) {
        // A signal cannot answer; a refused one is logged and changes nothing.
        log.warn(`${name} signal refused`, { reason: (err as Error).message });
      }
    };
  setHandler(approveSignal, asSignal('approve', validateApprove, approve), {
    description: 'Approve: { principal, comment? }. Same rules as the API (four eyes, only while awaiting approval).',
  });
  setHandler(rejectSignal, asSignal('reject', validateReject, reject), { description: 'Reject: { principal, reason }.' });
  setHandler(cancelSignal, asSignal('cancel', validateCancel, cancel), { description: 'Cancel before submission: { principal, reason? }.' });
  setHandler(
    checkStatusNowSignal,
    () => {
      checkStatusNow = true;
    },
    { description: 'A provider callback arrived: check the transfer status now.' },
  );

  // --- 1. account inquiry ---
  setCurrentDetails(`Checking the account ${maskNumber(destinationNumber(request.destination))} with the provider.`);
  const inquiry = await activities.inquiry.inquireAccount(request.provider, order).catch((err: unknown) => err as Error);
  if (cancelled()) return finish();
  if (inquiry instanceof Error) {
    fail({ code: 'PROVIDER_UNAVAILABLE', message: `account inquiry did not succeed: ${failureMessage(inquiry)}` });
    return finish();
  }
  if (inquiry.outcome === 'REFUSED') {
    fail(inquiry.failure);
    return finish();
  }
  payout.inquiry = inquiryDocument(inquiry);
  const outsideLimits = amountOutsideLimits(request.amount, inquiry);
  if (outsideLimits) {
    fail({ code: 'AMOUNT_OUT_OF_RANGE', message: outsideLimits });
    return finish();
  }

  // --- 2. a human decides, before the deadline ---
  const deadlineMs = Date.parse(request.createdAt) + request.approvalTimeoutMs;
  payout.approvalDeadline = new Date(deadlineMs).toISOString();
  setStatus('AWAITING_APPROVAL');
  setCurrentDetails(`Waiting for an approver until ${payout.approvalDeadline}.`);
  const decidedInTime = await condition(() => decided, Math.max(1, deadlineMs - Date.now()));
  if (!decidedInTime) {
    decided = true;
    setStatus('EXPIRED', 'nobody decided before the approval deadline');
    return finish();
  }
  if (payout.status !== 'SCHEDULED' && payout.status !== 'PROCESSING') return finish();

  // --- 3. scheduled: a durable timer until scheduledAt, cancellable until it fires ---
  if (payout.status === 'SCHEDULED' && request.scheduledAt) {
    setCurrentDetails(`Approved; the transfer will be submitted at ${request.scheduledAt}.`);
    await condition(cancelled, Math.max(1, Date.parse(request.scheduledAt) - Date.now()));
    if (cancelled()) return finish();
    setStatus('PROCESSING', 'scheduled time reached');
  }

  // --- 4. trigger the transfer, then poll until a final answer ---
  submitted = true;
  const submittedAtMs = Date.now();
  payout.transfer = { submittedAt: now(), statusChecks: 0 };
  const transfer = payout.transfer;
  /** The provider confirmed it holds a transfer for our reference (accepted, duplicate, or seen in status). */
  let providerHasIt = false;
  /** A refusal that came after a lost attempt: true only once status confirms nothing arrived. */
  let unconfirmedRefusal: PayoutFailure | undefined;

  const applyTrigger = (outcome: TriggerOutcome | Error): 'SETTLED' | 'POLL' => {
    if (outcome instanceof Error) {
      // Every attempt failed without a business answer; some may have arrived. Ask status.
      log.warn('trigger attempts exhausted; asking status by reference', { error: outcome.message });
      return 'POLL';
    }
    switch (outcome.outcome) {
      case 'ACCEPTED':
        providerHasIt = true;
        if (outcome.providerReference) transfer.providerReference = outcome.providerReference;
        transfer.providerStatus = outcome.providerStatus;
        if (outcome.state === 'SUCCEEDED') return settle({ state: 'SUCCEEDED', providerStatus: outcome.providerStatus });
        if (outcome.state === 'FAILED') {
          return settle({ state: 'FAILED', providerStatus: outcome.providerStatus, ...(outcome.failure && { failure: outcome.failure }) });
        }
        return 'POLL';
      case 'DUPLICATE_REFERENCE':
        // An earlier attempt of ours arrived: the money is the provider's to move once. Ask status.
        providerHasIt = true;
        return 'POLL';
      case 'UNKNOWN':
        return 'POLL';
      case 'REFUSED':
        if (outcome.attempt === 1) {
          fail(outcome.failure);
          return 'SETTLED';
        }
        // An earlier attempt may have arrived before this refusal: believe it only if status finds nothing.
        unconfirmedRefusal = outcome.failure;
        return 'POLL';
    }
  };

  const settle = (status: TransferStatusResult): 'SETTLED' | 'POLL' => {
    transfer.providerStatus = status.providerStatus;
    if (status.providerReference) transfer.providerReference = status.providerReference;
    switch (status.state) {
      case 'SUCCEEDED':
        setStatus('SUCCEEDED', `provider status ${status.providerStatus.code} ${status.providerStatus.desc}`);
        return 'SETTLED';
      case 'FAILED':
        fail(
          status.failure ?? {
            code: 'TRANSFER_FAILED',
            message: `the provider reports the transfer as ${status.providerStatus.desc}`,
            providerCode: status.providerStatus.code,
          },
        );
        return 'SETTLED';
      case 'PENDING':
        providerHasIt = true;
        return 'POLL';
      case 'NOT_FOUND':
        return 'POLL';
    }
  };

  const trigger = async () =>
    applyTrigger(await activities.trigger.triggerTransfer(request.provider, order).catch((err: unknown) => err as Error));

  setCurrentDetails('Submitting the transfer to the provider.');
  let progress = await trigger();
  while (progress === 'POLL') {
    const delayMs = statusPollDelay(transfer.statusChecks, policy);
    setCurrentDetails(
      `Transfer submitted at ${transfer.submittedAt}; waiting for the provider's final answer ` +
        `(${transfer.statusChecks} status checks so far, next in ${Math.round(delayMs / 1000)} s).`,
    );
    await condition(() => checkStatusNow, delayMs);
    checkStatusNow = false;

    const status = await activities.status
      .checkTransferStatus(request.provider, order, transfer.providerReference)
      .catch((err: unknown) => err as Error);
    transfer.statusChecks += 1;
    transfer.lastCheckedAt = now();
    payout.updatedAt = transfer.lastCheckedAt;

    if (!(status instanceof Error)) {
      if (status.state === 'NOT_FOUND' && unconfirmedRefusal) {
        fail(unconfirmedRefusal);
        break;
      }
      if (status.state === 'NOT_FOUND' && !providerHasIt) {
        // Our trigger may never have arrived: send it again under the same reference (safe: the
        // provider refuses a second transfer for one reference).
        transfer.providerStatus = status.providerStatus;
        progress = await trigger();
        continue;
      }
      progress = settle(status);
      if (progress === 'SETTLED') break;
    }
    if (payout.status === 'PROCESSING' && pollingBudgetSpent(submittedAtMs, Date.now(), policy)) {
      setStatus('NEEDS_ATTENTION', `no final answer from the provider after ${Math.round(policy.statusPollBudgetMs / 60_000)} min`);
    }
  }
  return finish();

  function finish(): Payout {
    setCurrentDetails(`Finished: ${payout.status}.`);
    return payout;
  }
}

function failureMessage(err: Error): string {
  const cause = err instanceof ActivityFailure && err.cause ? err.cause : err;
  return cause.message;
}

function activityProxies(policy: PayoutPolicy) {
  const retry = (maximumAttempts: number) => ({
    initialInterval: policy.activityRetryInitialMs,
    maximumInterval: policy.activityRetryMaxMs,
    backoffCoefficient: 2,
    maximumAttempts,
  });
  const base = { startToCloseTimeout: policy.activityTimeoutMs };
  return {
    inquiry: proxyActivities<PayoutActivities>({ ...base, retry: retry(policy.inquiryMaxAttempts) }),
    trigger: proxyActivities<PayoutActivities>({ ...base, retry: retry(policy.triggerMaxAttempts) }),
    status: proxyActivities<PayoutActivities>({ ...base, retry: retry(policy.statusCheckMaxAttempts) }),
  };
}
