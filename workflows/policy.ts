// Timing of a payout: activity retries and status polling. Pure math, no Temporal calls, so it can
// be unit-tested and is deterministic inside the workflow. Values come with the workflow's input
// (workflows cannot read configuration), so tests inject short durations.

export interface PayoutPolicy {
  /** First wait before a status check after the trigger. */
  statusPollInitialMs: number;
  /** Longest wait between two status checks (the cap). */
  statusPollMaxMs: number;
  /** Factor by which the wait grows after each check that is still pending. */
  statusPollBackoff: number;
  /** How long a transfer may stay unresolved before the payout becomes NEEDS_ATTENTION. */
  statusPollBudgetMs: number;
  /** First wait before retrying a failed provider call; doubles up to activityRetryMaxMs. */
  activityRetryInitialMs: number;
  activityRetryMaxMs: number;
  /** Attempts for an account inquiry before the payout fails (no money has moved then). */
  inquiryMaxAttempts: number;
  /** Attempts for one trigger call before we stop re-sending and ask status instead. */
  triggerMaxAttempts: number;
  /** Attempts for one status check; a failed check is simply followed by the next poll. */
  statusCheckMaxAttempts: number;
  /** Upper bound of one provider call attempt, including its HTTP timeout. */
  activityTimeoutMs: number;
  /** While the merchant balance is short: first wait before checking again; doubles up to the max. */
  balanceRecheckInitialMs: number;
  balanceRecheckMaxMs: number;
  /** Balance checks before the payout fails with INSUFFICIENT_BALANCE (no money has moved then). */
  balanceRecheckMaxAttempts: number;
  /** Continue-as-new once a run's history has this many events (or the server suggests it). */
  maxHistoryEvents: number;
  /**
   * A trigger refusal that came after an earlier send which may have arrived is believed only when
   * status checks keep answering "not found" for this long: a provider's status can lag behind a
   * transfer it accepted. Optional because payouts started before it existed carry no value.
   */
  refusalConfirmMs?: number;
  /**
   * A batch continues as new after this many child starts, signals sent and reports received
   * (default MESSAGES_PER_RUN, 1,000). Tests lower it to see continue-as-new in small batches.
   */
  batchMessagesPerRun?: number;
}

export const DEFAULT_POLICY: PayoutPolicy = {
  statusPollInitialMs: 2_000,
  statusPollMaxMs: 10 * 60_000,
  statusPollBackoff: 2,
  statusPollBudgetMs: 4 * 60 * 60_000,
  activityRetryInitialMs: 1_000,
  activityRetryMaxMs: 60_000,
  inquiryMaxAttempts: 8,
  triggerMaxAttempts: 6,
  statusCheckMaxAttempts: 3,
  activityTimeoutMs: 60_000,
  balanceRecheckInitialMs: 60_000,
  balanceRecheckMaxMs: 30 * 60_000,
  balanceRecheckMaxAttempts: 12,
  maxHistoryEvents: 2_000,
  refusalConfirmMs: 15 * 60_000,
};

/** How long "not found" must last before an unconfirmed refusal is believed (see refusalConfirmMs). */
export function refusalConfirmMs(policy: PayoutPolicy): number {
  return policy.refusalConfirmMs ?? (DEFAULT_POLICY.refusalConfirmMs as number);
}

/** Wait before status check number `checksDone + 1`: initial × backoff^checksDone, capped. */
export function statusPollDelay(checksDone: number, policy: PayoutPolicy): number {
  const grown = policy.statusPollInitialMs * Math.pow(policy.statusPollBackoff, Math.max(0, checksDone));
  return Math.min(policy.statusPollMaxMs, Math.round(grown));
}

/** Wait before balance check number `checksDone + 1` while the balance is short. */
export function balanceRecheckDelay(checksDone: number, policy: PayoutPolicy): number {
  return Math.min(policy.balanceRecheckMaxMs, policy.balanceRecheckInitialMs * Math.pow(2, Math.max(0, checksDone - 1)));
}

/** True once the transfer has been unresolved for longer than the polling budget. */
export function pollingBudgetSpent(submittedAtMs: number, nowMs: number, policy: PayoutPolicy): boolean {
  return nowMs - submittedAtMs > policy.statusPollBudgetMs;
}
