import { DEFAULT_POLICY, type PayoutPolicy } from '../../workflows/policy';

/** Short durations, so that a payout settles in seconds in tests. */
export const TEST_POLICY: PayoutPolicy = {
  ...DEFAULT_POLICY,
  statusPollInitialMs: 100,
  statusPollMaxMs: 400,
  statusPollBackoff: 1.5,
  statusPollBudgetMs: 60_000,
  activityRetryInitialMs: 100,
  activityRetryMaxMs: 400,
  activityTimeoutMs: 5_000,
  balanceRecheckInitialMs: 200,
  balanceRecheckMaxMs: 400,
  balanceRecheckMaxAttempts: 5,
  refusalConfirmMs: 1_500,
};
