// What each disruption of a production run cost, read from what the run observed: beside the time
// until the component answered again (the driver's recovery), the time until the API took a write
// again, and how long no payout changed status around it.
import type { DisruptionRecord } from '../chaos/driver';
import type { Observations } from '../chaos/model';

export interface RecoveryFigures {
  what: string;
  /** From the disruption's start until what it took down answered again. */
  componentMs: number;
  /** Until the first POST sent after the start was answered 2xx (undefined: none was). */
  apiWriteMs?: number;
  /**
   * The longest pause in status changes (of all payouts together) that overlaps the disruption, from
   * its start until what it took down answered again: how long payouts stood still (undefined: no
   * status changed on either side).
   */
  stalledMs?: number;
  error?: string;
}

export function recoveryFigures(disruptions: DisruptionRecord[], observations: Pick<Observations, 'answers' | 'payouts'>): RecoveryFigures[] {
  const writes = observations.answers.filter((a) => a.method === 'POST' && a.status >= 200 && a.status < 300);
  const changes: number[] = [];
  for (const payout of observations.payouts) {
    // The longest timeline read is the payout's history as far as the run saw it.
    const longest = payout.snapshots.reduce<{ at: string }[]>((best, s) => (s.doc.timeline.length > best.length ? s.doc.timeline : best), []);
    for (const entry of longest) changes.push(Date.parse(entry.at));
  }
  changes.sort((a, b) => a - b);
  const firstAfter = (times: number[], from: number) => {
    const after = times.filter((t) => t >= from);
    return after.length ? Math.min(...after) - from : undefined;
  };
  const longestPause = (from: number, to: number) => {
    let longest: number | undefined;
    for (let i = 1; i < changes.length; i += 1) {
      const [before, after] = [changes[i - 1]!, changes[i]!];
      if (after >= from && before <= to) longest = Math.max(longest ?? 0, after - before);
    }
    return longest;
  };
  return disruptions.map((d) => {
    const apiWriteMs = firstAfter(writes.filter((a) => a.sentAt >= d.from).map((a) => a.answeredAt), d.from);
    const stalledMs = longestPause(d.from, d.to);
    return {
      what: d.detail,
      componentMs: d.recoveryMs,
      ...(apiWriteMs !== undefined && { apiWriteMs }),
      ...(stalledMs !== undefined && { stalledMs }),
      ...(d.error !== undefined && { error: d.error }),
    };
  });
}

export function formatRecovery(figures: RecoveryFigures[]): string[] {
  const ms = (v: number | undefined) => (v === undefined ? 'never' : `${v} ms`);
  return figures.map(
    (f) => `  ${f.what}: answering again after ${f.componentMs} ms; API took a write after ${ms(f.apiWriteMs)}; no payout changed status for ${ms(f.stalledMs)}${f.error ? ` (failed: ${f.error})` : ''}`,
  );
}
