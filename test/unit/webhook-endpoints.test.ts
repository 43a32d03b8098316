import { DEFAULT_DELIVERY_POLICY, deliveryWorkflowId, endpointsWorkflowId, retryDelay, signingVersions, subscribes, type WebhookEndpoint } from '../../src/domain/webhooks';

const endpoint: WebhookEndpoint = { id: 'we_0123456789abcdef01234567', url: 'https://merchant.example/hooks', events: ['payout.succeeded'], createdAt: '2026-12-02T00:00:00.000Z', secretVersion: 1 };

describe('webhook endpoints and delivery timing (pure)', () => {
  test('retries back off exponentially from the initial wait up to the cap; Retry-After lengthens a wait but never past the cap', () => {
    const policy = { ...DEFAULT_DELIVERY_POLICY, initialIntervalMs: 5_000, maxIntervalMs: 60 * 60_000 };
    expect([1, 2, 3, 4, 10, 11, 30].map((n) => retryDelay(n, policy))).toEqual([5_000, 10_000, 20_000, 40_000, 2_560_000, 3_600_000, 3_600_000]);
    expect(retryDelay(1, policy, 30_000)).toBe(30_000);
    expect(retryDelay(3, policy, 1_000)).toBe(20_000);
    expect(retryDelay(1, policy, 10 * 60 * 60_000)).toBe(3_600_000);
  });

  test('the default policy is the issue\'s: seconds up to an hour, for 24 h, 10 s per attempt', () => {
    expect(DEFAULT_DELIVERY_POLICY).toMatchObject({ initialIntervalMs: 5_000, maxIntervalMs: 3_600_000, retryWindowMs: 86_400_000, attemptTimeoutMs: 10_000 });
    // About 30 attempts fit in the window: 5 s doubling to an hour, then hourly.
    let elapsed = 0;
    let attempts = 1;
    while (elapsed + retryDelay(attempts, DEFAULT_DELIVERY_POLICY) <= DEFAULT_DELIVERY_POLICY.retryWindowMs) elapsed += retryDelay(attempts++, DEFAULT_DELIVERY_POLICY);
    expect(attempts).toBeGreaterThanOrEqual(25);
    expect(attempts).toBeLessThanOrEqual(35);
  });

  test('a rotation signs with the new and the previous secret until the overlap ends, then with the new one only', () => {
    const now = Date.parse('2026-12-02T10:00:00.000Z');
    expect(signingVersions(endpoint, now)).toEqual([1]);
    const rotated = { ...endpoint, secretVersion: 2, previousSecretUntil: '2026-12-03T10:00:00.000Z' };
    expect(signingVersions(rotated, now)).toEqual([2, 1]);
    expect(signingVersions(rotated, Date.parse('2026-12-03T10:00:00.000Z'))).toEqual([2]);
  });

  test('subscriptions and workflow ids', () => {
    expect(subscribes(endpoint, 'payout.succeeded')).toBe(true);
    expect(subscribes(endpoint, 'payout.failed')).toBe(false);
    expect(deliveryWorkflowId(endpoint.id, 'INV-1')).toBe('webhook-delivery:we_0123456789abcdef01234567:INV-1');
    expect(endpointsWorkflowId('payouts')).toBe('webhook-endpoints:payouts');
  });
});
