// The call rate a provider saw, from the arrival times its simulator recorded (GET /__sim/calls?since=):
// the busiest short window and the busiest long window anywhere in the run, sliding (a window may
// start at any moment, so the busiest one starts at some call). rateWindows is pure; callArrivals
// reads a simulator. Used by test/alone/rate-limits.test.ts for single payouts and batches alike.

export interface RateWindowOptions {
  /** The short window, where bursts show (default 1 s). */
  shortMs?: number;
  /** The long window, whose average must hold the limit (default 5 s). */
  longMs?: number;
}

export interface BusiestWindow {
  /** When it starts (the first call in it), epoch ms. */
  startMs: number;
  /** Calls in [startMs, startMs + window). */
  calls: number;
}

export interface RateWindows {
  calls: number;
  /** From the first call to the last, ms (0 for fewer than two calls). */
  spanMs: number;
  /** The most calls in any short window. */
  busiestShort: BusiestWindow;
  /** The most calls in any long window. */
  busiestLong: BusiestWindow;
  /** busiestShort.calls per second of the short window. */
  maxShortRate: number;
  /** busiestLong.calls per second of the long window: the highest sliding average. */
  maxLongAverage: number;
}

/** The busiest sliding windows over these arrival times (any order). */
export function rateWindows(arrivalsMs: readonly number[], options: RateWindowOptions = {}): RateWindows {
  const shortMs = options.shortMs ?? 1_000;
  const longMs = options.longMs ?? 5_000;
  if (!(shortMs > 0) || !(longMs > 0)) throw new Error('window lengths must be positive');
  const times = [...arrivalsMs].sort((a, b) => a - b);
  const busiestShort = busiest(times, shortMs);
  const busiestLong = busiest(times, longMs);
  return {
    calls: times.length,
    spanMs: times.length < 2 ? 0 : times[times.length - 1]! - times[0]!,
    busiestShort,
    busiestLong,
    maxShortRate: busiestShort.calls / (shortMs / 1000),
    maxLongAverage: busiestLong.calls / (longMs / 1000),
  };
}

/** The window of `windowMs` holding the most calls, over sorted times (two pointers: O(n)). */
function busiest(sorted: readonly number[], windowMs: number): BusiestWindow {
  let best: BusiestWindow = { startMs: sorted[0] ?? 0, calls: 0 };
  let end = 0;
  for (let start = 0; start < sorted.length; start += 1) {
    while (end < sorted.length && sorted[end]! < sorted[start]! + windowMs) end += 1;
    if (end - start > best.calls) best = { startMs: sorted[start]!, calls: end - start };
  }
  return best;
}

export interface RateLimitVerdict extends RateWindows {
  limit: number;
  /** Every long window's average ≤ limit, and every short window ≤ burstFactor × limit × its seconds. */
  holds: boolean;
  /** What broke it, for a test's message. */
  problems: string[];
}

/**
 * Did the provider see at most `limit` calls per second? Every sliding long window's average at or
 * under the limit, and every short window at or under `burstFactor` (default 2) times the limit: the
 * Temporal server spreads a queue's limit over its partitions and allows a burst after a quiet spell.
 */
export function judgeRate(arrivalsMs: readonly number[], limit: number, options: RateWindowOptions & { burstFactor?: number } = {}): RateLimitVerdict {
  const windows = rateWindows(arrivalsMs, options);
  const shortSeconds = (options.shortMs ?? 1_000) / 1000;
  const longSeconds = (options.longMs ?? 5_000) / 1000;
  const burstFactor = options.burstFactor ?? 2;
  const problems: string[] = [];
  if (windows.maxLongAverage > limit) {
    problems.push(`${windows.busiestLong.calls} calls in the ${longSeconds} s from ${new Date(windows.busiestLong.startMs).toISOString()}: ${windows.maxLongAverage.toFixed(2)}/s on average, over the limit of ${limit}/s`);
  }
  if (windows.busiestShort.calls > burstFactor * limit * shortSeconds) {
    problems.push(`${windows.busiestShort.calls} calls in the ${shortSeconds} s from ${new Date(windows.busiestShort.startMs).toISOString()}, over ${burstFactor} × ${limit}/s`);
  }
  return { ...windows, limit, holds: problems.length === 0, problems };
}

export interface CallArrival {
  operation: string;
  at: number;
}

/** The calls a simulator recorded from `sinceMs` on (its control URL, loopback only). */
export async function callArrivals(simulatorUrl: string, sinceMs: number): Promise<CallArrival[]> {
  const res = await fetch(`${simulatorUrl}/__sim/calls?since=${sinceMs}`);
  if (!res.ok) throw new Error(`GET /__sim/calls answered ${res.status}: ${await res.text()}`);
  return ((await res.json()) as { times: CallArrival[] }).times;
}
