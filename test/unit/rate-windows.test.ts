import { judgeRate, rateWindows } from '../support/rate-windows';

/** `count` calls, one every `everyMs`, from `startMs`. */
const steady = (count: number, everyMs: number, startMs = 1_000_000) => Array.from({ length: count }, (_, i) => startMs + i * everyMs);

describe('rateWindows: the busiest sliding windows of a run', () => {
  test('no calls, one call', () => {
    expect(rateWindows([])).toMatchObject({ calls: 0, spanMs: 0, maxShortRate: 0, maxLongAverage: 0 });
    expect(rateWindows([5])).toMatchObject({ calls: 1, spanMs: 0, busiestShort: { startMs: 5, calls: 1 }, maxLongAverage: 0.2 });
  });

  test('a steady 5 calls/s: 5 in every second, an average of 5/s over every 5 s', () => {
    const windows = rateWindows(steady(100, 200));
    expect(windows.busiestShort.calls).toBe(5);
    expect(windows.busiestLong.calls).toBe(25);
    expect(windows.maxLongAverage).toBe(5);
    expect(windows.spanMs).toBe(99 * 200);
  });

  test('windows are half-open: a call exactly one window after another is in the next one', () => {
    expect(rateWindows([0, 1_000]).busiestShort.calls).toBe(1);
    expect(rateWindows([0, 999]).busiestShort.calls).toBe(2);
  });

  test('the busiest window may start anywhere, not on a whole second, and the input need not be sorted', () => {
    // 3 calls late in one second and 3 early in the next: 6 within 1 s, though no calendar second holds more than 3.
    const times = [3_300, 2_800, 3_100, 2_900, 3_200, 2_700, 500];
    const windows = rateWindows(times);
    expect(windows.busiestShort).toEqual({ startMs: 2_700, calls: 6 });
    expect(windows.calls).toBe(7);
  });

  test('a burst then a steady rate: the burst shows in the short window, and raises the long average', () => {
    const burst = Array.from({ length: 8 }, () => 0);
    const times = [...burst, ...steady(50, 200, 200)];
    const windows = rateWindows(times);
    expect(windows.busiestShort.calls).toBe(8 + 4);
    expect(windows.busiestLong).toEqual({ startMs: 0, calls: 8 + 24 });
    expect(windows.maxLongAverage).toBeCloseTo(6.4);
  });

  test('other window lengths', () => {
    const windows = rateWindows(steady(40, 100), { shortMs: 500, longMs: 2_000 });
    expect(windows.busiestShort.calls).toBe(5);
    expect(windows.maxShortRate).toBe(10);
    expect(windows.maxLongAverage).toBe(10);
    expect(() => rateWindows([1], { shortMs: 0 })).toThrow('positive');
  });
});

describe('judgeRate: the limit held, as the provider saw it', () => {
  test('a steady rate at the limit holds', () => {
    expect(judgeRate(steady(100, 200), 5)).toMatchObject({ holds: true, problems: [] });
  });

  test('a long average over the limit does not, and says where', () => {
    const verdict = judgeRate(steady(60, 150), 5);
    expect(verdict.holds).toBe(false);
    expect(verdict.problems).toHaveLength(1);
    expect(verdict.problems[0]).toMatch(/^34 calls in the 5 s from .*: 6\.80\/s on average, over the limit of 5\/s$/);
  });

  test('a burst over twice the limit in one second does not, even when the average holds', () => {
    const times = [...Array.from({ length: 11 }, () => 0), ...steady(10, 1_000, 10_000)];
    const verdict = judgeRate(times, 5);
    expect(verdict.maxLongAverage).toBeLessThanOrEqual(5);
    expect(verdict.holds).toBe(false);
    expect(verdict.problems).toEqual([expect.stringContaining('11 calls in the 1 s from 1970-01-01T00:00:00.000Z, over 2 × 5/s')]);
    expect(judgeRate(times, 5, { burstFactor: 3 }).holds).toBe(true);
  });
});
