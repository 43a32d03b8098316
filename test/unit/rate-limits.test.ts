import { z } from 'zod';
import { loadConfig } from '../../src/config';
import { PROVIDER_MODULES } from '../../src/registry';
import { applyProviderRateLimits, closestQueueRate, describeRateLimits, queueRateFor, serverBurst, workerQueueRates, type QueueRateLimitResult, type RateLimitConnection } from '../../src/temporal/rate-limits';
import { thirdpayModule } from '../fixtures/thirdpay/module';
import { problemsOf } from '../support/config-problems';
import { rateWindows } from '../support/rate-windows';

const limit = (callsPerSecond: number, callsPerActivity = 1) => ({ callsPerSecond, variable: 'X_MAX_CALLS_PER_SECOND', callsPerActivity });

describe('<KEY>_MAX_CALLS_PER_SECOND', () => {
  test('every provider module declares it, 20 by default (no provider publishes a limit), as the fixture does', () => {
    for (const module of [...PROVIDER_MODULES, thirdpayModule]) {
      const variable = `${module.key.toUpperCase()}_MAX_CALLS_PER_SECOND`;
      expect(Object.keys(module.env)).toContain(variable);
      expect(module.rateLimit(z.object(module.env).parse({}))).toEqual({
        callsPerSecond: 20,
        variable,
        callsPerActivity: module.key === 'faspay' ? 2 : 1,
      });
    }
    expect(loadConfig({}).rateLimits).toEqual({
      singapay: { callsPerSecond: 20, variable: 'SINGAPAY_MAX_CALLS_PER_SECOND', callsPerActivity: 1 },
      faspay: { callsPerSecond: 20, variable: 'FASPAY_MAX_CALLS_PER_SECOND', callsPerActivity: 2 },
    });
  });

  test('a positive number, fractions allowed; a bad value names the variable', () => {
    const config = loadConfig({ SINGAPAY_MAX_CALLS_PER_SECOND: '7.5', FASPAY_MAX_CALLS_PER_SECOND: '0.5' });
    expect(config.rateLimits.singapay!.callsPerSecond).toBe(7.5);
    expect(config.rateLimits.faspay!.callsPerSecond).toBe(0.5);
    expect(problemsOf({ SINGAPAY_MAX_CALLS_PER_SECOND: '0' })).toContain('SINGAPAY_MAX_CALLS_PER_SECOND: must be a positive number of calls per second');
    expect(problemsOf({ FASPAY_MAX_CALLS_PER_SECOND: '-3' })).toContain('FASPAY_MAX_CALLS_PER_SECOND: must be a positive number of calls per second');
    expect(problemsOf({ SINGAPAY_MAX_CALLS_PER_SECOND: 'fast' })).toContain('SINGAPAY_MAX_CALLS_PER_SECOND: must be a number of calls per second');
    expect(problemsOf({ SINGAPAY_MAX_CALLS_PER_SECOND: '20000' })).toContain('SINGAPAY_MAX_CALLS_PER_SECOND: must be at most 10000');
  });

  test('a gross Singapay trigger makes two calls in one activity', () => {
    expect(loadConfig({ SINGAPAY_TRIGGER_AMOUNT: 'gross' }).rateLimits.singapay!.callsPerActivity).toBe(2);
  });
});

describe('queueRateFor: the activity rate that keeps the provider under its limit', () => {
  test('the server bursts one second of the rate per partition, at least one task each', () => {
    expect(serverBurst(20, 4)).toBe(20);
    expect(serverBurst(7.9, 4)).toBe(8);
    expect(serverBurst(1, 4)).toBe(4);
    expect(serverBurst(10, 1)).toBe(10);
  });

  test('known values: about 0.74 × the limit for one call per activity, half that for two', () => {
    expect(queueRateFor(limit(20))).toBe(14.8);
    expect(queueRateFor(limit(10))).toBe(7.4);
    expect(queueRateFor(limit(5))).toBe(3.7);
    expect(queueRateFor(limit(20, 2))).toBe(7.4);
    // One partition bursts as much (a second's worth): about the same rate.
    expect(queueRateFor(limit(20), 1)).toBe(15);
  });

  test('a limit too low for the partitions has no rate that holds it; the closest keeps the 5 s average where it can', () => {
    // One task per partition at once is 4 calls in a second, over 2 × 1.5.
    expect(queueRateFor(limit(1.5))).toBeUndefined();
    expect(queueRateFor(limit(1.5), 1)).toBeGreaterThan(0);
    // 2/s: 4 at once and 1/s is 9 calls in 5 s (of 10), 5 in the first second (of 4).
    expect(queueRateFor(limit(2))).toBeUndefined();
    expect(closestQueueRate(limit(2))).toBe(1);
    // 1/s: not even that; 5 s of rate and a second's worth on one partition.
    expect(closestQueueRate(limit(1))).toBe(0.66);
    expect(closestQueueRate(limit(0.1))).toBe(0.01);
  });

  test.each([
    [0.8, 1, 1],
    [2, 1, 2],
    [3, 1, 4],
    [5, 1, 4],
    [10, 1, 4],
    [10, 2, 4],
    [20, 1, 4],
    [20, 2, 4],
    [37, 1, 4],
    [100, 1, 4],
    [100, 1, 8],
    [250, 2, 16],
  ])('limit %p calls/s, %p call(s) per activity, %p partitions: the worst case the server allows stays within it', (callsPerSecond, perActivity, partitions) => {
    const rate = queueRateFor(limit(callsPerSecond, perActivity), partitions);
    if (rate === undefined) {
      // Only when even one task per partition at once breaks the 1 s bound.
      expect(partitions * perActivity).toBeGreaterThan(2 * callsPerSecond - 1);
      return;
    }
    // The worst the server lets through after a quiet spell: the whole burst at once, then the rate
    // evenly; each task makes perActivity calls, and two token renewals come with the first ones
    // (each window's reserve, a tenth of its calls and at least one, holds them from 4/s on).
    const tasks = [...Array.from({ length: serverBurst(rate, partitions) }, () => 0), ...Array.from({ length: Math.ceil(rate * 30) }, (_, i) => ((i + 1) * 1000) / rate)];
    const calls = [...tasks.flatMap((at) => Array.from({ length: perActivity }, () => at)), 0, 0];
    const windows = rateWindows(calls);
    const longReserve = Math.max(1, 0.5 * callsPerSecond);
    const shortReserve = Math.max(1, 0.2 * callsPerSecond);
    expect(windows.maxLongAverage).toBeLessThanOrEqual(callsPerSecond + Math.max(0, 2 - longReserve) / 5);
    expect(windows.busiestShort.calls).toBeLessThanOrEqual(2 * callsPerSecond + Math.max(0, 2 - shortReserve));
    // And not needlessly low: at least 0.7 × the limit per call for limits above a few per second.
    if (callsPerSecond >= 10) expect(rate * perActivity).toBeGreaterThanOrEqual(0.7 * callsPerSecond);
  });
});

describe('describeRateLimits', () => {
  const base = { provider: 'singapay', taskQueue: 'payouts.provider.singapay', callsPerSecond: 20, variable: 'SINGAPAY_MAX_CALLS_PER_SECOND', partitions: 4, requestsPerSecond: 14.8, holds: true };
  test('what the worker logs, and the rates its pollers ask for', () => {
    const results: QueueRateLimitResult[] = [
      { ...base, outcome: 'set' },
      { ...base, provider: 'faspay', taskQueue: 'payouts.provider.faspay', variable: 'FASPAY_MAX_CALLS_PER_SECOND', requestsPerSecond: 7.4, outcome: 'unchanged' },
    ];
    expect(describeRateLimits(results)).toEqual({
      info: [
        'task queue "payouts.provider.singapay" held by the server to 14.8 activity tasks/s for SINGAPAY_MAX_CALLS_PER_SECOND=20',
        'task queue "payouts.provider.faspay" held by the server to 7.4 activity tasks/s for FASPAY_MAX_CALLS_PER_SECOND=20 (already set)',
      ],
      warnings: [],
    });
    expect(workerQueueRates(results)).toEqual({ singapay: 14.8, faspay: 7.4 });
  });

  test('a refusal (an older server) says what holds instead; a limit too low for the partitions says what to do', () => {
    const { info, warnings } = describeRateLimits([
      { ...base, outcome: 'refused', error: 'UNIMPLEMENTED: unknown method UpdateTaskQueueConfig' },
      { ...base, callsPerSecond: 1, requestsPerSecond: 0.66, holds: false, outcome: 'set' },
    ]);
    expect(info).toEqual(['task queue "payouts.provider.singapay" held by the server to 0.66 activity tasks/s for SINGAPAY_MAX_CALLS_PER_SECOND=1']);
    expect(warnings[0]).toContain('did not take the rate limit of 14.8 activity tasks/s (SINGAPAY_MAX_CALLS_PER_SECOND=20)');
    expect(warnings[0]).toContain('UNIMPLEMENTED: unknown method UpdateTaskQueueConfig');
    expect(warnings[0]).toContain("only the workers' own maxTaskQueueActivitiesPerSecond");
    expect(warnings[1]).toContain('SINGAPAY_MAX_CALLS_PER_SECOND=1 is too low for the 4 partitions of task queue "payouts.provider.singapay"');
    expect(warnings).toHaveLength(2);
  });
});

describe('applyProviderRateLimits (against a stand-in for the server; test/alone/rate-limits.test.ts uses the real one)', () => {
  /** A WorkflowService that holds one rate per queue, with `partitions` partitions; `refuse` makes the update fail as an old server does. */
  function server(options: { partitions?: number; refuse?: boolean } = {}) {
    const rates = new Map<string, number>();
    const updates: { taskQueue: string; requestsPerSecond: number; reason: string; identity: string }[] = [];
    const connection = {
      workflowService: {
        listTaskQueuePartitions: async ({ taskQueue }: { taskQueue: { name: string } }) => ({
          activityTaskQueuePartitions: Array.from({ length: options.partitions ?? 4 }, (_, i) => ({ key: `${taskQueue.name}/${i}` })),
        }),
        describeTaskQueue: async ({ taskQueue }: { taskQueue: { name: string } }) => {
          const rate = rates.get(taskQueue.name);
          return { config: rate === undefined ? null : { queueRateLimit: { rateLimit: { requestsPerSecond: rate } } } };
        },
        updateTaskQueueConfig: async (request: { taskQueue: string; identity: string; updateQueueRateLimit: { rateLimit: { requestsPerSecond: number }; reason: string } }) => {
          if (options.refuse) throw Object.assign(new Error('12 UNIMPLEMENTED: unknown method'), { code: 12, details: 'unknown method UpdateTaskQueueConfig' });
          // The server keeps a float32.
          rates.set(request.taskQueue, Math.fround(request.updateQueueRateLimit.rateLimit.requestsPerSecond));
          updates.push({ taskQueue: request.taskQueue, requestsPerSecond: request.updateQueueRateLimit.rateLimit.requestsPerSecond, reason: request.updateQueueRateLimit.reason, identity: request.identity });
          return {};
        },
      },
    } as unknown as RateLimitConnection;
    return { connection, updates };
  }
  const limits = loadConfig({}).rateLimits;
  const options = { namespace: 'default', taskQueue: 'payouts', limits, identity: 'payouts worker test' };

  test('sets each provider queue once; a second caller finds it set and writes nothing', async () => {
    const { connection, updates } = server();
    const first = await applyProviderRateLimits(connection, options);
    expect(first.map((r) => [r.taskQueue, r.requestsPerSecond, r.outcome, r.partitions])).toEqual([
      ['payouts.provider.singapay', 14.8, 'set', 4],
      ['payouts.provider.faspay', 7.4, 'set', 4],
    ]);
    expect(updates).toEqual([
      { taskQueue: 'payouts.provider.singapay', requestsPerSecond: 14.8, reason: 'SINGAPAY_MAX_CALLS_PER_SECOND=20 (1 call(s) per activity, 4 partitions)', identity: 'payouts worker test' },
      { taskQueue: 'payouts.provider.faspay', requestsPerSecond: 7.4, reason: 'FASPAY_MAX_CALLS_PER_SECOND=20 (2 call(s) per activity, 4 partitions)', identity: 'payouts worker test' },
    ]);
    const second = await applyProviderRateLimits(connection, options);
    expect(second.map((r) => r.outcome)).toEqual(['unchanged', 'unchanged']);
    expect(updates).toHaveLength(2);
    // Another value is written.
    await applyProviderRateLimits(connection, { ...options, limits: { singapay: { ...limits.singapay!, callsPerSecond: 10 } } });
    expect(updates.at(-1)).toMatchObject({ taskQueue: 'payouts.provider.singapay', requestsPerSecond: 7.4 });
  });

  test('the rate follows the partitions the server lists', async () => {
    const [singapay] = await applyProviderRateLimits(server({ partitions: 1 }).connection, { ...options, limits: { singapay: limits.singapay! } });
    expect(singapay).toMatchObject({ partitions: 1, requestsPerSecond: 15, holds: true });
  });

  test('a server that refuses the call: never throws, says refused with its answer, and the workers still ask the rate', async () => {
    const results = await applyProviderRateLimits(server({ refuse: true }).connection, options);
    expect(results.map((r) => [r.outcome, r.error])).toEqual([
      ['refused', 'UNIMPLEMENTED: unknown method UpdateTaskQueueConfig'],
      ['refused', 'UNIMPLEMENTED: unknown method UpdateTaskQueueConfig'],
    ]);
    expect(workerQueueRates(results)).toEqual({ singapay: 14.8, faspay: 7.4 });
    expect(describeRateLimits(results).warnings).toHaveLength(2);
  });
});
