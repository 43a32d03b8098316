// The reconciled day and the provider's history windows. Asia/Jakarta is UTC+7 all year (no daylight
// saving), so a Jakarta calendar day is always 24 hours. Pure.
import { jakartaDay, jakartaDayEndMs } from '../approval-policy';
import { DEFAULT_MIDNIGHT_WINDOW_MS } from './types';

const SECOND_MS = 1_000;
const DAY_MS = 86_400_000;

/** An instant range: `from` inclusive, `to` exclusive unless said otherwise. */
export interface TimeWindow {
  from: Date;
  to: Date;
}

/** The day's instants, [from, to): from its Jakarta midnight to the next. Throws on anything but a real YYYY-MM-DD day. */
export function jakartaDayWindow(date: string): TimeWindow {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(date)) throw new RangeError(`not a YYYY-MM-DD date: ${JSON.stringify(date)}`);
  const toMs = jakartaDayEndMs(date);
  // 2026-02-30 parses as 2 March: the day it lands on must be the day asked.
  if (!Number.isFinite(toMs) || jakartaDay(toMs - DAY_MS) !== date) throw new RangeError(`not a calendar day: ${date}`);
  return { from: new Date(toMs - DAY_MS), to: new Date(toMs) };
}

/** The Jakarta day of an ISO instant; undefined when it is not one. */
export function jakartaDayOf(at: string): string | undefined {
  const ms = Date.parse(at);
  return Number.isFinite(ms) ? jakartaDay(ms) : undefined;
}

/**
 * What a day's reconciliation reads of Faspay's history: the day widened by the midnight window on
 * both sides, so that a payout submitted just before a midnight finds its debit booked just after.
 */
export function historySpan(date: string, midnightWindowMs = DEFAULT_MIDNIGHT_WINDOW_MS): TimeWindow {
  const day = jakartaDayWindow(date);
  return { from: new Date(day.from.getTime() - midnightWindowMs), to: new Date(day.to.getTime() + midnightWindowMs) };
}

/**
 * Faspay's history (12) limits: "maximum time span is 1 month", "oldest transaction history is 3
 * months" (the simulator refuses beyond 31 and 92 days). A month is read as the shortest one and three
 * months as the shortest three in a row, so that no calendar reading of the provider's refuses us.
 */
export const FASPAY_HISTORY_LIMITS = Object.freeze({ maxSpanMs: 28 * DAY_MS, maxAgeMs: 89 * DAY_MS });

export type HistoryWindows = { ok: true; windows: TimeWindow[] } | { ok: false; error: string };

/**
 * [from, to) split into windows of at most `maxSpanMs` to ask the history for, in order. Faspay's
 * range includes both ends and its times are whole seconds, so each window's `to` is inclusive, one
 * second before the next window's `from`: no entry comes back twice (a repeated entry would read as
 * a DUPLICATE). With `age`, a span reaching further back than `maxAgeMs` before `now` is an error.
 */
export function historyWindows(from: Date, to: Date, maxSpanMs: number, age?: { now: Date; maxAgeMs: number }): HistoryWindows {
  const start = Math.floor(from.getTime() / SECOND_MS) * SECOND_MS;
  const end = Math.ceil(to.getTime() / SECOND_MS) * SECOND_MS;
  if (!Number.isFinite(start) || !Number.isFinite(end)) return { ok: false, error: 'the history span needs two valid instants' };
  if (end <= start) return { ok: false, error: `the history span is empty: ${new Date(start).toISOString()} is not before ${new Date(end).toISOString()}` };
  // Whole seconds, like Faspay's times, so that every window starts on a second.
  const span = Math.floor(maxSpanMs / SECOND_MS) * SECOND_MS;
  if (!(span >= SECOND_MS)) return { ok: false, error: `a history window must span at least one second (got ${maxSpanMs} ms)` };
  if (age && age.now.getTime() - start > age.maxAgeMs) {
    const days = Math.floor(age.maxAgeMs / DAY_MS);
    return {
      ok: false,
      error: `the history from ${new Date(start).toISOString()} is older than the provider keeps: at most ${days} days before ${age.now.toISOString()}`,
    };
  }
  const windows: TimeWindow[] = [];
  for (let at = start; at < end; at += span) {
    windows.push({ from: new Date(at), to: new Date(Math.min(at + span, end) - SECOND_MS) });
  }
  return { ok: true, windows };
}
