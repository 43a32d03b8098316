// Faspay: our payouts against the transaction history (12) of the day, read over the day widened by
// the midnight window (historySpan). The history lists every movement of the merchant's account, so
// every break kind can show here. Pure.
//
// Which day reports what, so that each break is in exactly one day's report:
// - a payout submitted within the day is judged on all its entries the day's history holds;
// - an entry no payout claims is UNKNOWN_TO_US only if it lies within the day: one in the margins
//   belongs to the neighbouring day, whose reconciliation reads it too (the caller passes the payouts
//   submitted within the margins as well, so that their entries are claimed);
// - a payout of another day (passed because it changed during the day, or submitted in a margin) is
//   judged only on its entries its own day's history does not hold: a late refund (a reversal), a late
//   debit. Nothing else of it is this day's to report.
import { formatRupiah } from '../money';
import { DEFAULT_HISTORY_WINDOW_MS, feeDebited, isFeeRemark, type PayoutEntry } from '../../providers/faspay/history';
import type { HistoryMatch } from '../../providers/faspay/assumptions';
import type { HistoryEntry } from '../provider-port';
import { historySpan, jakartaDayOf, type TimeWindow } from './days';
import { canonicalEntries, claimEntries, entryMs } from './faspay-claims';
import { moneyHere, ofTheDay, oldEnoughToMiss, recordsFor, settingsOf, type MoneyHere, type Settings } from './records';
import { providerReport, sortBreaks, type Judged } from './report';
import {
  RECONCILIATION_BREAK_KINDS,
  type FaspayReconciliationOptions,
  type OurRecord,
  type ProviderReconciliation,
  type ReconciliationBreak,
  type ReconciliationBreakKind,
} from './types';

/**
 * By remark every kind shows. By amount and time an entry of another amount is no candidate, so a
 * changed amount reads as a payout missing at the provider plus a transfer unknown to us.
 */
export function faspaySupports(match: HistoryMatch): readonly ReconciliationBreakKind[] {
  return match === 'remark' ? RECONCILIATION_BREAK_KINDS : RECONCILIATION_BREAK_KINDS.filter((k) => k !== 'AMOUNT_MISMATCH');
}

export function reconcileFaspay(date: string, ours: readonly OurRecord[], history: readonly HistoryEntry[], options: FaspayReconciliationOptions): ProviderReconciliation {
  const s = settingsOf(date, options, 'faspay');
  const span = historySpan(date, s.midnightWindowMs);
  // An entry outside the span (a caller's wider read) is left to the day it belongs to.
  const entries = canonicalEntries(history).filter((e) => within(e, span));
  const records = recordsFor(ours, s.provider);
  const ctx: Context = { s, span, match: options.historyMatch, matchWindowMs: options.matchWindowMs ?? DEFAULT_HISTORY_WINDOW_MS };
  const claims = claimEntries(entries, records, ctx.match, ctx.matchWindowMs);

  const judged: Judged[] = [];
  const breaks: ReconciliationBreak[] = [];
  for (const record of records) {
    const found = [...(claims.get(record.reference) ?? [])];
    if (ofTheDay(record, s)) {
      const verdict = judgeOfTheDay(record, found, ctx);
      breaks.push(...verdict.breaks);
      judged.push({ record, outcome: verdict.outcome });
    } else {
      breaks.push(...judgeLate(record, found.filter((f) => !heldByOwnDay(record, f.entry, s)), ctx));
    }
  }
  const claimed = new Set([...claims.values()].flatMap((found) => found.map((f) => f.entry)));
  breaks.push(...entries.filter((e) => !claimed.has(e) && isTransferDebit(e) && within(e, s.day)).map((e) => unknownToUs(e, ctx)));
  return { date, report: providerReport(s.provider, faspaySupports(options.historyMatch), judged, breaks), breaks: sortBreaks(breaks) };
}

interface Context {
  s: Settings;
  span: TimeWindow;
  match: HistoryMatch;
  matchWindowMs: number;
}

/** An entry with an unreadable time is taken as within: it was read for this day. */
function within(entry: HistoryEntry, window: TimeWindow): boolean {
  const at = entryMs(entry);
  return at === undefined || (at >= window.from.getTime() && at < window.to.getTime());
}

/** Whether the history the record's own day reads holds the entry (never, for a record never submitted). */
function heldByOwnDay(record: OurRecord, entry: HistoryEntry, s: Settings): boolean {
  const ownDay = record.submittedAt === undefined ? undefined : jakartaDayOf(record.submittedAt);
  const at = entryMs(entry);
  return ownDay !== undefined && at !== undefined && within(entry, historySpan(ownDay, s.midnightWindowMs));
}

/** A debit that is a transfer: not Faspay's fee (history.ts's roles), not money coming in. */
function isTransferDebit(entry: HistoryEntry): boolean {
  return entry.direction === 'DEBIT' && !isFeeRemark(entry.remark);
}

/** A payout's entries by what they did to the money. */
interface Evidence {
  found: PayoutEntry[];
  transfers: HistoryEntry[];
  /** Credits that give the transfer back (alone or with the fee): each undoes one transfer debit. */
  transferRefunds: HistoryEntry[];
}

function evidenceOf(record: OurRecord, found: PayoutEntry[]): Evidence {
  const entriesOf = (role: PayoutEntry['role']) => found.filter((f) => f.role === role).map((f) => f.entry);
  return { found, transfers: entriesOf('transfer'), transferRefunds: entriesOf('refund').filter((e) => !isFeeRefund(e, record)) };
}

/**
 * A failed transfer's refund may come as one credit of amount + fee or as two (the simulator's
 * "…_REVERSAL" and "…_FEE_REVERSAL"); only the fee's part must not read as the transfer given back.
 * By amount first; a credit of another amount is the fee's only when its remark says fee.
 */
function isFeeRefund(entry: HistoryEntry, record: OurRecord): boolean {
  if (entry.amount === record.amount || entry.amount === record.amount + record.fee) return false;
  if (record.fee > 0 && entry.amount === record.fee) return true;
  return /(^|[^A-Za-z])fee([^A-Za-z]|$)/i.test(entry.remark);
}

/** Where the money stands at Faspay: debited and not given back, given back, or never debited. */
function moneyThere(ev: Evidence): 'moved' | 'reversed' | 'none' {
  if (ev.transfers.length > ev.transferRefunds.length) return 'moved';
  return ev.transferRefunds.length > 0 ? 'reversed' : 'none';
}

function judgeOfTheDay(record: OurRecord, found: PayoutEntry[], ctx: Context): { breaks: ReconciliationBreak[]; outcome: Judged['outcome'] } {
  const ev = evidenceOf(record, found);
  const here = moneyHere(record.status, ctx.s.meaning);
  const there = moneyThere(ev);
  const breaks: ReconciliationBreak[] = [];
  // Nothing there of a payout whose money left or may leave (a FAILED one's refused trigger leaves no trace).
  const nothingThere = ev.transfers.length === 0 && ev.transferRefunds.length === 0;
  if (nothingThere && here !== 'not-moved' && oldEnoughToMiss(record, ctx.s)) breaks.push(missing(record, ev, ctx));
  if (ev.transfers.length >= 2) {
    breaks.push(breakOf('DUPLICATE', record, ev, ctx, `${ev.transfers.length} transfer debits for one payout: ${ev.transfers.map(describe).join('; ')}`));
  }
  breaks.push(...commonBreaks(record, ev, here, ctx));
  if (breaks.length > 0) return { breaks, outcome: 'broken' };
  const agrees = (here === 'moved' && there === 'moved') || (here === 'not-moved' && there !== 'moved');
  return { breaks, outcome: agrees ? 'matched' : 'pending' };
}

/** A payout of another day, on the entries its own day's history does not hold. */
function judgeLate(record: OurRecord, found: PayoutEntry[], ctx: Context): ReconciliationBreak[] {
  if (found.length === 0) return [];
  const ev = evidenceOf(record, found);
  const breaks: ReconciliationBreak[] = [];
  const ownDay = record.submittedAt === undefined ? undefined : jakartaDayOf(record.submittedAt);
  // Its transfer was booked on its own day; one booked now is a second (or the first, booked so late
  // that its own day reported the payout unknown at the provider).
  if (ownDay !== undefined && ev.transfers.length > 0) {
    breaks.push(breakOf('DUPLICATE', record, ev, ctx, `a transfer debit on ${ctx.s.date} for a payout submitted on ${ownDay}: ${ev.transfers.map(describe).join('; ')}`));
  }
  breaks.push(...commonBreaks(record, ev, moneyHere(record.status, ctx.s.meaning), ctx));
  return breaks;
}

/** Amount, status and fee: the same rules whichever day's entries they are judged on. */
function commonBreaks(record: OurRecord, ev: Evidence, here: MoneyHere, ctx: Context): ReconciliationBreak[] {
  const breaks: ReconciliationBreak[] = [];
  const otherAmounts = ev.transfers.filter((e) => e.amount !== record.amount);
  if (otherAmounts.length > 0) {
    breaks.push(breakOf('AMOUNT_MISMATCH', record, ev, ctx, `we sent ${formatRupiah(record.amount)}; the provider debited ${otherAmounts.map(describe).join('; ')}`));
  }
  const there = moneyThere(ev);
  // An open payout is not judged: its workflow is still asking the provider.
  if (here === 'moved' && there === 'reversed') {
    breaks.push(breakOf('STATUS_MISMATCH', record, ev, ctx, `${record.status} here; given back there: ${ev.transferRefunds.map(describe).join('; ')}`));
  }
  if (here === 'not-moved' && there === 'moved') {
    breaks.push(breakOf('STATUS_MISMATCH', record, ev, ctx, `${record.status} here; the provider debited ${ev.transfers.map(describe).join('; ')} and gave nothing back`));
  }
  // Fee debits against the fee we showed, once per transfer debit. Refunds are left out: a failed
  // transfer's refund of amount + fee gives back a fee that was debited as shown.
  const debited = feeDebited(ev.found);
  const expected = record.fee * ev.transfers.length;
  if (debited !== expected) {
    breaks.push(breakOf('FEE_MISMATCH', record, ev, ctx, `we showed a fee of ${formatRupiah(record.fee)} per transfer (${ev.transfers.length}); the provider debited fees of ${formatRupiah(debited)}`));
  }
  return breaks;
}

function missing(record: OurRecord, ev: Evidence, ctx: Context): ReconciliationBreak {
  const how =
    ctx.match === 'remark'
      ? `no transfer debit names ${record.reference}`
      : `no transfer debit of ${formatRupiah(record.amount)} within ${ctx.matchWindowMs / 1000} s of it`;
  return breakOf('UNKNOWN_AT_PROVIDER', record, ev, ctx, `submitted at ${record.submittedAt}; ${how} in the history from ${ctx.span.from.toISOString()} to ${ctx.span.to.toISOString()}`);
}

function unknownToUs(entry: HistoryEntry, ctx: Context): ReconciliationBreak {
  const how = ctx.match === 'remark' ? 'its remark names no payout of ours' : 'no payout of ours of its amount was submitted near it';
  return { kind: 'UNKNOWN_TO_US', provider: ctx.s.provider, theirs: [{ source: 'history', role: 'transfer', entry }], detail: `a transfer debit of ${describe(entry)}: ${how}` };
}

function breakOf(kind: ReconciliationBreakKind, record: OurRecord, ev: Evidence, ctx: Context, detail: string): ReconciliationBreak {
  return {
    kind,
    provider: ctx.s.provider,
    reference: record.reference,
    ours: record,
    theirs: ev.found.map((f) => ({ source: 'history', role: f.role, entry: f.entry })),
    detail,
  };
}

function describe(entry: HistoryEntry): string {
  return `${formatRupiah(entry.amount)} at ${entry.at} ("${entry.remark}")`;
}
