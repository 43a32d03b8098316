// A provider's tallies, the order of breaks, and the day's report. The order is total and depends only
// on the breaks' content, so the same inputs give the same report in any order. Pure.
import type { ProviderKey } from '../payout';
import { jakartaDayWindow } from './days';
import { compareText } from './records';
import {
  RECONCILIATION_BREAK_KINDS,
  type OurRecord,
  type ProviderBalance,
  type ProviderReconciliation,
  type ProviderReport,
  type ReconciliationBreak,
  type ReconciliationBreakKind,
  type ReconciliationReport,
  type Tally,
} from './types';

/** What the reconciliation concluded for one of our payouts of the day. */
export type Outcome = 'matched' | 'pending' | 'broken';

export interface Judged {
  record: OurRecord;
  outcome: Outcome;
}

function tally(records: readonly OurRecord[]): Tally {
  return { count: records.length, total: records.reduce((sum, r) => sum + r.amount, 0) };
}

function breakCounts(breaks: readonly ReconciliationBreak[]): Record<ReconciliationBreakKind, number> {
  const counts = Object.fromEntries(RECONCILIATION_BREAK_KINDS.map((k) => [k, 0])) as Record<ReconciliationBreakKind, number>;
  for (const b of breaks) counts[b.kind] += 1;
  return counts;
}

/** A provider's report from its payouts of the day, judged, and all its breaks (those of other days' payouts too). */
export function providerReport(provider: ProviderKey, supports: readonly ReconciliationBreakKind[], judged: readonly Judged[], breaks: readonly ReconciliationBreak[]): ProviderReport {
  const having = (outcome: Outcome) => judged.filter((j) => j.outcome === outcome).map((j) => j.record);
  return {
    provider,
    supports: [...supports],
    ours: tally(judged.map((j) => j.record)),
    matched: tally(having('matched')),
    pending: tally(having('pending')),
    breaks: breakCounts(breaks),
  };
}

function breakKey(b: ReconciliationBreak): string[] {
  return [
    String(RECONCILIATION_BREAK_KINDS.indexOf(b.kind)).padStart(2, '0'),
    b.provider,
    // A break without a reference (UNKNOWN_TO_US) after those with one.
    b.reference === undefined ? '1' : `0${b.reference}`,
    JSON.stringify(b.theirs ?? []),
    b.detail,
  ];
}

/** By kind (RECONCILIATION_BREAK_KINDS order), provider, reference, then the provider's records. */
export function compareBreaks(a: ReconciliationBreak, b: ReconciliationBreak): number {
  const ka = breakKey(a);
  const kb = breakKey(b);
  for (let i = 0; i < ka.length; i++) {
    const c = compareText(ka[i]!, kb[i]!);
    if (c !== 0) return c;
  }
  return 0;
}

export function sortBreaks(breaks: readonly ReconciliationBreak[]): ReconciliationBreak[] {
  return [...breaks].sort(compareBreaks);
}

/**
 * The day's report from each provider's reconciliation (each of `date`, one per provider), with the
 * balances the caller read at the time of the run.
 */
export function buildReport(date: string, parts: readonly ProviderReconciliation[], balances: Readonly<Record<ProviderKey, ProviderBalance>> = {}): ReconciliationReport {
  jakartaDayWindow(date);
  const seen = new Set<ProviderKey>();
  for (const part of parts) {
    if (part.date !== date) throw new RangeError(`${part.report.provider} was reconciled for ${part.date}, not ${date}`);
    if (seen.has(part.report.provider)) throw new RangeError(`${part.report.provider} was reconciled twice for ${date}`);
    seen.add(part.report.provider);
  }
  const providers = [...parts]
    .sort((a, b) => compareText(a.report.provider, b.report.provider))
    .map(({ report }) => {
      const balance = Object.hasOwn(balances, report.provider) ? balances[report.provider] : undefined;
      return balance ? { ...report, balance } : report;
    });
  return { date, providers, breaks: sortBreaks(parts.flatMap((p) => p.breaks)) };
}
