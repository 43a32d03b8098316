// What every part of one payout workflow run shares: its input, its state (all of which is carried
// over continue-as-new), the transfer order, the activity proxies, and the helpers that change status.
import { patched, proxyActivities, proxyLocalActivities, setCurrentDetails, upsertMemo, upsertSearchAttributes, workflowInfo } from '@temporalio/workflow';
import type { PayoutActivities } from '../activities';
import type { HeldReservation } from '../src/domain/approval-policy';
import { changeStatus } from '../src/domain/payout-document';
import { isFinal, type Payout, type PayoutFailure, type PayoutRequest, type PayoutStatus } from '../src/domain/payout';
import type { TransferOrder } from '../src/domain/provider-port';
import { providerTaskQueue } from '../src/domain/task-queues';
import { recordStatusEvent, type EventOutbox } from './events';
import type { PayoutPolicy } from './policy';
import { PAYOUT_STATUS } from './search-attributes';

/** Everything a run knows that the next run (after continue-as-new) must know too. Plain data. */
export interface PayoutState {
  payout: Payout;
  /** A decision (approve, reject, cancel, expiry) was taken: no second one. */
  decided: boolean;
  /** The trigger may have been sent: from then on the payout cannot be cancelled. */
  submitted: boolean;
  submittedAtMs?: number;
  /** The provider confirmed it holds a transfer for our reference (accepted, duplicate, or seen in status). */
  providerHasIt: boolean;
  /** A trigger refusal that came after a lost attempt: believed only once status finds nothing. */
  unconfirmedRefusal?: PayoutFailure;
  /** Since when status checks have answered "not found" while a refusal waits to be believed. */
  notFoundSinceMs?: number;
  /**
   * Trigger activity calls scheduled so far (each may make several attempts). Unset in runs that
   * started before it was counted: then earlier sends are assumed (a refusal is never believed at once).
   */
  triggerCalls?: number;
  /** Ids of the provider callbacks already acted on: a replayed callback changes nothing. */
  seenCallbacks?: string[];
  /** Balance checks made while the merchant balance was short. */
  balanceChecks: number;
  /** Webhook events not yet published (workflows/events.ts); unset in payouts started before WEBHOOK_EVENTS. */
  outbox?: EventOutbox;
  /** The last approval is reserving the spending limits: other approvals wait for it (workflows/approvals.ts). */
  approving?: boolean;
  /** Amounts this payout reserved against spending limits, released if it ends without moving money. */
  reservation?: HeldReservation;
}

export interface PayoutWorkflowInput {
  request: PayoutRequest;
  policy: PayoutPolicy;
  /** Set when this run continues an earlier one (continue-as-new). */
  carried?: PayoutState;
}

export type PayoutContext = ReturnType<typeof createContext>;

export function createContext(input: PayoutWorkflowInput) {
  const { request, policy } = input;
  const state: PayoutState = input.carried ?? {
    payout: undefined as unknown as Payout, // set by the caller at once (newPayoutDocument)
    decided: false,
    submitted: false,
    providerHasIt: false,
    balanceChecks: 0,
  };
  const order: TransferOrder = {
    reference: request.reference,
    destination: request.destination,
    amount: request.amount,
    ...(request.description !== undefined && { description: request.description }),
    ...(request.beneficiaryEmail !== undefined && { beneficiaryEmail: request.beneficiaryEmail }),
    ...(state.payout?.inquiry && { accountName: state.payout.inquiry.accountName }),
  };
  const now = () => new Date().toISOString();
  /** Told of every status change (a batch row reports to its batch). */
  const statusListeners: ((status: PayoutStatus) => void)[] = [];
  /** `at`: the time a message carried (src/domain/message-time.ts); otherwise the workflow clock. */
  const setStatus = (status: PayoutStatus, detail?: string, at: string = now()) => {
    // Through the status machine: an illegal change throws and fails the workflow task loudly.
    changeStatus(state.payout, status, at, detail, { mayHaveBeenSent: state.submitted });
    upsertSearchAttributes([{ key: PAYOUT_STATUS, value: status }]);
    // The document as of this status, for the API's list and for reading it while no worker holds
    // the workflow (the memo is encrypted like every other payload when the codec is on).
    upsertMemo({ payout: state.payout });
    recordStatusEvent(state.outbox, state.payout);
    for (const listener of statusListeners) listener(status);
  };
  return {
    request,
    policy,
    state,
    order,
    /** Activities of one kind, with the one-line summary the Web UI shows for this call. */
    activities: activityProxies(policy, request.provider),
    /** Read-only provider calls (inquiry, balance, status), with their summary; see providerReads. */
    reads: providerReads(policy, request.provider),
    now,
    setStatus,
    /** Something other than the status changed (an approval so far): the API's list and memo show it. */
    touch() {
      state.payout.updatedAt = now();
      upsertMemo({ payout: state.payout });
    },
    onStatus: (listener: (status: PayoutStatus) => void) => statusListeners.push(listener),
    fail(failure: PayoutFailure) {
      state.payout.failure = failure;
      setStatus('FAILED', failure.message);
    },
    /** A function, not an inline comparison: handlers change the status while the main flow awaits. */
    cancelled: () => state.payout.status === 'CANCELLED',
    /** Final (for example resolved by an admin while a provider call was in flight): change nothing more. */
    finished: () => isFinal(state.payout.status),
    /** Whether this run follows the money-safety rules of MONEY_SAFETY (false only when replaying older history). */
    safe: () => patched(MONEY_SAFETY),
    /** What the payout waits for now, shown in the Web UI while a worker holds the workflow. */
    explain: (markdown: string) => setCurrentDetails(markdown),
  };
}

/** Retries per kind of provider call: a failed call is retried by Temporal, never by our code. */
function retryPolicies(policy: PayoutPolicy) {
  const retry = (maximumAttempts: number) => ({
    initialInterval: policy.activityRetryInitialMs,
    maximumInterval: policy.activityRetryMaxMs,
    backoffCoefficient: 2,
    maximumAttempts,
  });
  return {
    inquiry: retry(policy.inquiryMaxAttempts),
    trigger: retry(policy.triggerMaxAttempts),
    status: retry(policy.statusCheckMaxAttempts),
  };
}

export function activityProxies(policy: PayoutPolicy, provider: string) {
  const retries = retryPolicies(policy);
  // A proxy is a plain object; making one per call is how each call gets its own summary.
  return (kind: keyof typeof retries, summary: string) =>
    proxyActivities<PayoutActivities>({
      startToCloseTimeout: policy.activityTimeoutMs,
      retry: retries[kind],
      summary,
      ...(patched(PROVIDER_TASK_QUEUES) && { taskQueue: providerTaskQueue(workflowInfo().taskQueue, provider) }),
    });
}

/**
 * The patch that moved provider calls to their provider's task queue (src/domain/task-queues.ts),
 * where the server holds them under the provider's rate limit. Histories from before it scheduled
 * them on the payout task queue, and replay so.
 */
export const PROVIDER_TASK_QUEUES = 'provider-task-queues';

/** The patch that made provider reads local activities; histories from before it replay without. */
export const LOCAL_PROVIDER_READS = 'local-provider-reads';

/**
 * The patch of issue "money safety by construction": provider reads are normal activities again; a
 * cancel is checked in the same workflow step that schedules the first trigger, after a last check
 * that the provider does not know the reference yet; a trigger refusal is believed at once only when
 * nothing sent before can have arrived. Histories recorded before it replay with the old behaviour.
 */
export const MONEY_SAFETY = 'money-safety-v2';

/**
 * Read-only provider calls (inquiry, balance, status).
 *
 * Under MONEY_SAFETY they are normal activities. They were local activities for a while (the patch
 * LOCAL_PROVIDER_READS; a third less history per payout), but a local activity holds the workflow
 * task open while it runs and retries, so an approve, reject or cancel waited behind a slow
 * provider for seconds and could time out at the API while still taking effect later. A normal
 * activity leaves the workflow free to answer a decision at once, and it obeys task-queue rate limits.
 */
function providerReads(policy: PayoutPolicy, provider: string) {
  const retries = retryPolicies(policy);
  const remote = activityProxies(policy, provider);
  return (kind: 'inquiry' | 'status', summary: string) => {
    if (patched(MONEY_SAFETY)) return remote(kind, summary);
    return patched(LOCAL_PROVIDER_READS)
      ? proxyLocalActivities<PayoutActivities>({ startToCloseTimeout: policy.activityTimeoutMs, retry: retries[kind], summary })
      : remote(kind, summary);
  };
}

/** A provider key as people read it in summaries ("acme" → "Acme"); the workflow names no provider itself. */
export function providerName(key: string): string {
  return key.charAt(0).toUpperCase() + key.slice(1);
}
