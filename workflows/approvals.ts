// Approvals under a policy: how many distinct approvers a payout still needs, and the spending limits
// reserved by its last approval (and released when it ends without moving money). Reservations live
// in the spending-limit workflows of their scopes, reached through activities (activities/limits.ts).
import { ApplicationFailure, patched, proxyActivities, workflowInfo } from '@temporalio/workflow';
import type { LimitActivities } from '../activities/limits';
import { hasLimits, jakartaDay, LEGACY_TERMS, type ApprovalTerms, type HeldReservation, type ReserveOutcome, type ScopeReservation } from '../src/domain/approval-policy';
import { toMoney } from '../src/domain/money';
import { limitsTaskQueue } from '../src/domain/task-queues';
import { DecisionRefusal } from './messages';
import type { PayoutPolicy } from './policy';

/**
 * The patch that introduced approval policies' spending limits (reserving at the last approval,
 * releasing at the end). Payouts created before it carry no terms and never reach these commands;
 * the patch keeps any history recorded without them replaying as it was.
 */
export const APPROVAL_LIMITS = 'approval-limits';

/** What a refused reservation tells the approver (the problem's fields). */
export interface LimitRefusalDetails {
  scope: 'requester' | 'destination';
  limit: ReturnType<typeof toMoney>;
  used: ReturnType<typeof toMoney>;
  remaining: ReturnType<typeof toMoney>;
  requested: ReturnType<typeof toMoney>;
  day: string;
}

export function termsOf(request: { terms?: ApprovalTerms }): ApprovalTerms {
  return request.terms ?? LEGACY_TERMS;
}

function limitActivities(policy: PayoutPolicy) {
  return proxyActivities<LimitActivities>({
    taskQueue: limitsTaskQueue(workflowInfo().taskQueue),
    startToCloseTimeout: policy.activityTimeoutMs,
    // Bounded: an approval waits for its answer. A refusal by RESOURCE_EXHAUSTED (many approvals at
    // one scope) is retried like any other failure.
    retry: { initialInterval: policy.activityRetryInitialMs, maximumInterval: policy.activityRetryMaxMs, backoffCoefficient: 2, maximumAttempts: 6 },
    summary: 'Reserve spending limits',
  });
}

function releaseActivities(policy: PayoutPolicy) {
  // A release must happen eventually: unlimited attempts.
  return proxyActivities<LimitActivities>({
    taskQueue: limitsTaskQueue(workflowInfo().taskQueue),
    startToCloseTimeout: policy.activityTimeoutMs,
    retry: { initialInterval: policy.activityRetryInitialMs, maximumInterval: policy.activityRetryMaxMs, backoffCoefficient: 2 },
    summary: 'Release spending limits',
  });
}

/**
 * Reserves the scopes for today (Jakarta). Answers the reservation to keep, or throws the approval's
 * refusal (LIMIT_EXCEEDED with what remains, or LIMITS_UNAVAILABLE) after releasing anything reserved.
 */
export async function reserveLimits(policy: PayoutPolicy, terms: ApprovalTerms, scopes: ScopeReservation[]): Promise<HeldReservation | undefined> {
  if (!hasLimits(terms.limits) || scopes.length === 0 || !patched(APPROVAL_LIMITS)) return undefined;
  const day = jakartaDay(Date.now());
  const held: HeldReservation = { day, scopes: scopes.map(({ kind, subject }) => ({ kind, subject })) };
  const holders = [...new Set(scopes.flatMap((scope) => scope.holds.map((hold) => hold.holder)))];
  let outcome: ReserveOutcome;
  try {
    outcome = await limitActivities(policy).reserveSpending(day, scopes);
  } catch (err) {
    // Some scopes may be reserved by an attempt whose answer was lost: release them all.
    await releaseActivities(policy).releaseSpending(held, holders);
    throw ApplicationFailure.create({
      type: DecisionRefusal.LIMITS_UNAVAILABLE,
      message: `the spending limits could not be checked (${(err as Error).message}); nothing was approved, try again`,
      nonRetryable: true,
    });
  }
  if (outcome.ok) return held;
  const details: LimitRefusalDetails = {
    scope: outcome.kind,
    limit: toMoney(outcome.limit),
    used: toMoney(outcome.used),
    remaining: toMoney(outcome.remaining),
    requested: toMoney(outcome.requested),
    day,
  };
  throw ApplicationFailure.create({
    type: DecisionRefusal.LIMIT_EXCEEDED,
    message: `approving would exceed the ${outcome.kind === 'requester' ? "requester's" : "destination's"} daily limit of IDR ${outcome.limit}.00 on ${day} (Asia/Jakarta): IDR ${outcome.remaining}.00 remains, IDR ${outcome.requested}.00 is asked`,
    nonRetryable: true,
    details: [details],
  });
}

/** Gives back what the holders reserved (idempotent; nothing if nothing was reserved). */
export async function releaseLimits(policy: PayoutPolicy, held: HeldReservation | undefined, holders: string[]): Promise<void> {
  if (!held || held.scopes.length === 0 || holders.length === 0) return;
  await releaseActivities(policy).releaseSpending(held, holders);
}
