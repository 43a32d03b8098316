// One provider's reconciliation put together from parts: a provider that answers per reference
// (Singapay) is reconciled a page of payouts at a time, so that no run holds a whole day in its
// history. Each payout is judged on its own there, so the parts' tallies and breaks simply add up. Pure.
import { sortBreaks } from './report';
import { RECONCILIATION_BREAK_KINDS, type ProviderReconciliation, type ReconciliationBreakKind, type Tally } from './types';
import type { ProviderKey } from '../payout';

/** A provider's reconciliation of nothing yet: the start of a sum of parts. */
export function emptyReconciliation(date: string, provider: ProviderKey, supports: readonly ReconciliationBreakKind[]): ProviderReconciliation {
  const none = (): Tally => ({ count: 0, total: 0 });
  return {
    date,
    report: {
      provider,
      supports: [...supports],
      ours: none(),
      matched: none(),
      pending: none(),
      breaks: Object.fromEntries(RECONCILIATION_BREAK_KINDS.map((k) => [k, 0])) as Record<ReconciliationBreakKind, number>,
    },
    breaks: [],
  };
}

/** Two parts of one provider's reconciliation of one day, made of disjoint sets of payouts. */
export function mergeReconciliations(a: ProviderReconciliation, b: ProviderReconciliation): ProviderReconciliation {
  if (a.date !== b.date || a.report.provider !== b.report.provider) {
    throw new RangeError(`cannot add ${b.report.provider} of ${b.date} to ${a.report.provider} of ${a.date}`);
  }
  const add = (x: Tally, y: Tally): Tally => ({ count: x.count + y.count, total: x.total + y.total });
  return {
    date: a.date,
    report: {
      ...a.report,
      ours: add(a.report.ours, b.report.ours),
      matched: add(a.report.matched, b.report.matched),
      pending: add(a.report.pending, b.report.pending),
      breaks: Object.fromEntries(RECONCILIATION_BREAK_KINDS.map((k) => [k, a.report.breaks[k] + b.report.breaks[k]])) as Record<ReconciliationBreakKind, number>,
    },
    breaks: sortBreaks([...a.breaks, ...b.breaks]),
  };
}
