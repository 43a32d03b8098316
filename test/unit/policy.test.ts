import { balanceRecheckDelay, DEFAULT_POLICY, pollingBudgetSpent, statusPollDelay } from '../../workflows/policy';

describe('status polling policy', () => {
  test('starts at the initial delay, doubles, and stops growing at the cap', () => {
    const delays = Array.from({ length: 12 }, (_, i) => statusPollDelay(i, DEFAULT_POLICY));
    expect(delays.slice(0, 4)).toEqual([2_000, 4_000, 8_000, 16_000]);
    expect(Math.max(...delays)).toBe(10 * 60_000);
    expect(delays[11]).toBe(10 * 60_000);
  });

  test('the budget is spent only after the configured time', () => {
    expect(pollingBudgetSpent(0, DEFAULT_POLICY.statusPollBudgetMs, DEFAULT_POLICY)).toBe(false);
    expect(pollingBudgetSpent(0, DEFAULT_POLICY.statusPollBudgetMs + 1, DEFAULT_POLICY)).toBe(true);
  });
});

describe('balance re-check policy', () => {
  test('waits the initial delay, doubles, and is capped', () => {
    const policy = { ...DEFAULT_POLICY, balanceRecheckInitialMs: 1_000, balanceRecheckMaxMs: 5_000 };
    expect([1, 2, 3, 4, 5].map((n) => balanceRecheckDelay(n, policy))).toEqual([1_000, 2_000, 4_000, 5_000, 5_000]);
  });
});
