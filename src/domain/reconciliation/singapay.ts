// Singapay: our payouts against its status answer for each of their references (the caller asks for
// every payout submitted or changed during the day). It answers only about references we ask, so it
// cannot reveal transfers unknown to us, nor a second record of one reference, nor fees; an answer is
// today's, not dated, so the midnight window has no use here. Pure.
import { formatRupiah } from '../money';
import type { TransferStatusResult } from '../provider-port';
import { moneyHere, ofTheDay, oldEnoughToMiss, recordsFor, settingsOf, type MoneyHere, type Settings } from './records';
import { providerReport, sortBreaks, type Judged } from './report';
import type { OurRecord, ProviderReconciliation, ReconciliationBreak, ReconciliationBreakKind, ReconciliationOptions } from './types';

export const SINGAPAY_SUPPORTS: readonly ReconciliationBreakKind[] = Object.freeze(['UNKNOWN_AT_PROVIDER', 'AMOUNT_MISMATCH', 'STATUS_MISMATCH']);

/**
 * `statuses`: the answer for each reference asked. Every payout asked about is judged, whichever day
 * it was submitted on; the day's own payouts (submitted within it) are also counted. One of those
 * not asked about is pending: nothing was learned of it.
 */
export function reconcileSingapay(
  date: string,
  ours: readonly OurRecord[],
  statuses: ReadonlyMap<string, TransferStatusResult>,
  options: ReconciliationOptions = {},
): ProviderReconciliation {
  const s = settingsOf(date, options, 'singapay');
  const judged: Judged[] = [];
  const breaks: ReconciliationBreak[] = [];
  for (const record of recordsFor(ours, s.provider)) {
    const result = statuses.get(record.reference);
    const verdict = result ? judge(record, result, s) : { breaks: [], agrees: false };
    breaks.push(...verdict.breaks);
    if (ofTheDay(record, s)) judged.push({ record, outcome: verdict.breaks.length > 0 ? 'broken' : verdict.agrees ? 'matched' : 'pending' });
  }
  return { date, report: providerReport(s.provider, SINGAPAY_SUPPORTS, judged, breaks), breaks: sortBreaks(breaks) };
}

function judge(record: OurRecord, result: TransferStatusResult, s: Settings): { breaks: ReconciliationBreak[]; agrees: boolean } {
  const here = moneyHere(record.status, s.meaning);
  const breakOf = (kind: ReconciliationBreakKind, detail: string): ReconciliationBreak => ({
    kind,
    provider: s.provider,
    reference: record.reference,
    ours: record,
    theirs: [{ source: 'status', reference: record.reference, result }],
    detail,
  });
  const said = `${result.providerStatus.code} ${result.providerStatus.desc}`.trim();
  if (result.state === 'NOT_FOUND') {
    // A FAILED payout's refused trigger left no record; one whose money left or may leave must have one.
    const missing = here !== 'not-moved' && oldEnoughToMiss(record, s);
    return {
      breaks: missing ? [breakOf('UNKNOWN_AT_PROVIDER', `${record.status} here, submitted at ${record.submittedAt}; the provider has no record of it (${said})`)] : [],
      agrees: here === 'not-moved',
    };
  }
  const breaks: ReconciliationBreak[] = [];
  const recorded = result.recorded?.amount;
  if (recorded !== undefined && recorded !== record.amount) {
    breaks.push(breakOf('AMOUNT_MISMATCH', `we sent ${formatRupiah(record.amount)}; the provider recorded ${formatRupiah(recorded)}`));
  }
  const status = statusMismatch(record, here, result.state, said);
  if (status) breaks.push(breakOf('STATUS_MISMATCH', status));
  return { breaks, agrees: (here === 'moved' && result.state === 'SUCCEEDED') || (here === 'not-moved' && result.state === 'FAILED') };
}

/**
 * Money moved here and not there, or the other way round. A final status here against a pending one
 * there is a break too (a success not confirmed; a failure whose money may still leave); an open
 * payout is not judged, whatever the provider says: its workflow is still asking.
 */
function statusMismatch(record: OurRecord, here: MoneyHere, there: 'SUCCEEDED' | 'FAILED' | 'PENDING', said: string): string | undefined {
  if (here === 'moved' && there === 'FAILED') return `${record.status} here; failed or reversed there (${said})`;
  if (here === 'moved' && there === 'PENDING') return `${record.status} here; still pending there (${said})`;
  if (here === 'not-moved' && there === 'SUCCEEDED') return `${record.status} here; the money moved there (${said})`;
  if (here === 'not-moved' && there === 'PENDING') return `${record.status} here; still pending there, so the money may yet move (${said})`;
  return undefined;
}
