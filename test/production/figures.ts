// What each disruption of a production run cost, read from what the run observed: beside the time
// until the component answered again (the driver's recovery), the time until the API took a write
// again and the time until any payout moved again.
import type { DisruptionRecord } from '../chaos/driver';
import type { Observations } from '../chaos/model';

export interface RecoveryFigures {
  what: string;
  /** From the disruption's start until what it took down answered again. */
  componentMs: number;
  /** Until the first POST sent after the start was answered 2xx (undefined: none was). */
  apiWriteMs?: number;
  /** Until the first status change of any payout at or after the start (undefined: none). */
  payoutsMovingMs?: number;
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
  const firstAfter = (times: number[], from: number) => {
    const after = times.filter((t) => t >= from);
    return after.length ? Math.min(...after) - from : undefined;
  };
  return disruptions.map((d) => {
    const apiWriteMs = firstAfter(writes.filter((a) => a.sentAt >= d.from).map((a) => a.answeredAt), d.from);
    const payoutsMovingMs = firstAfter(changes, d.from);
    return {
      what: d.detail,
      componentMs: d.recoveryMs,
      ...(apiWriteMs !== undefined && { apiWriteMs }),
      ...(payoutsMovingMs !== undefined && { payoutsMovingMs }),
      ...(d.error !== undefined && { error: d.error }),
    };
  });
}

export function formatRecovery(figures: RecoveryFigures[]): string[] {
  const ms = (v: number | undefined) => (v === undefined ? 'never' : `${v} ms`);
  return figures.map(
    (f) => `  ${f.what}: answering again after ${f.componentMs} ms; API took a write after ${ms(f.apiWriteMs)}; payouts moving after ${ms(f.payoutsMovingMs)}${f.error ? ` (failed: ${f.error})` : ''}`,
  );
}
