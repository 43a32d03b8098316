// Which of Faspay's history entries are which payout's, under faspay.history-match. Finding one
// payout's entries is history.ts's (findPayoutEntries); this decides between payouts, so that one
// entry is never two payouts' (else one debit could read as two payouts' transfers, or a duplicate).
// Pure.
import { findPayoutEntries, type PayoutEntry } from '../../providers/faspay/history';
import type { HistoryMatch } from '../../providers/faspay/assumptions';
import type { HistoryEntry } from '../provider-port';
import { compareText, submittedMs } from './records';
import type { OurRecord } from './types';

/** Each payout's entries by reference, in the history's (canonical) order. */
export type Claims = ReadonlyMap<string, readonly PayoutEntry[]>;

// Entries' times are read many times over (sorting, narrowing, claiming): parsed once per entry object.
const parsedTimes = new WeakMap<HistoryEntry, number | undefined>();

/** Milliseconds, or undefined for a time that does not parse. */
export function entryMs(entry: HistoryEntry): number | undefined {
  if (parsedTimes.has(entry)) return parsedTimes.get(entry);
  const parsed = Date.parse(entry.at);
  const ms = Number.isFinite(parsed) ? parsed : undefined;
  parsedTimes.set(entry, ms);
  return ms;
}

/**
 * The entries by time, then by content: the order the provider (or the windows) gave them in never
 * changes a report. Entries with an unreadable time come last.
 */
export function canonicalEntries(entries: readonly HistoryEntry[]): HistoryEntry[] {
  const key = (e: HistoryEntry) => JSON.stringify([e.direction, e.amount, e.remark, e.type, e.status, e.at]);
  return [...entries].sort((a, b) => {
    const ta = entryMs(a) ?? Infinity;
    const tb = entryMs(b) ?? Infinity;
    return ta !== tb ? (ta < tb ? -1 : 1) : compareText(key(a), key(b));
  });
}

/** `entries` in canonical order: each payout's entries under the rule, no entry claimed twice. */
export function claimEntries(entries: readonly HistoryEntry[], records: readonly OurRecord[], match: HistoryMatch, windowMs: number): Claims {
  return match === 'remark' ? claimByRemark(entries, records) : claimByAmountAndTime(entries, records, windowMs);
}

// --- remark ---

// remarkNames (history.ts) finds a reference as a token whose neighbours are not letters, digits or
// "-". Each maximal run of those characters in a reference ("INV", "2026-001" in "INV_2026-001") is
// then a maximal run of the remark too: indexing remarks by their runs finds every entry that can name
// a reference (by its longest run) without asking each remark about each of thousands of payouts.
const RUN = /[A-Za-z0-9-]+/g;

function runIndex(entries: readonly HistoryEntry[]): Map<string, HistoryEntry[]> {
  const index = new Map<string, HistoryEntry[]>();
  for (const entry of entries) {
    for (const run of new Set(entry.remark.match(RUN) ?? [])) pushTo(index, run, entry);
  }
  return index;
}

function longestRun(reference: string): string | undefined {
  return (reference.match(RUN) ?? []).reduce<string | undefined>((best, run) => (best === undefined || run.length > best.length ? run : best), undefined);
}

function claimByRemark(entries: readonly HistoryEntry[], records: readonly OurRecord[]): Claims {
  const index = runIndex(entries);
  const owners = new Map<HistoryEntry, { reference: string; found: PayoutEntry }>();
  for (const record of records) {
    const run = longestRun(record.reference);
    const candidates = run === undefined ? entries : (index.get(run) ?? []);
    for (const found of findPayoutEntries(candidates, { reference: record.reference, amount: record.amount, fee: record.fee }, 'remark')) {
      const owner = owners.get(found.entry);
      // A remark naming two of our references ("A" and "A_1" both appear in "… A_1 …"): the longer
      // one is the more specific name.
      if (!owner || moreSpecific(record.reference, owner.reference)) owners.set(found.entry, { reference: record.reference, found });
    }
  }
  const claims = new Map<string, PayoutEntry[]>();
  for (const entry of entries) {
    const owner = owners.get(entry);
    if (owner) pushTo(claims, owner.reference, owner.found);
  }
  return claims;
}

function moreSpecific(a: string, b: string): boolean {
  return a.length !== b.length ? a.length > b.length : compareText(a, b) < 0;
}

// --- amount and time ---

/**
 * By amount and time, equal amounts near one another cannot be told apart by content, so payouts
 * claim in the order they were submitted, each the earliest free transfer debit among its candidates
 * (then the earliest free fee debit and refund at or after it). For windows of one width this pairs
 * as many payouts as any assignment could. Later rounds give a payout that has its debit another one
 * still free among its candidates: a second debit of its amount near it, read as a duplicate. A payout
 * without a submission time has no time to match by and claims nothing.
 */
function claimByAmountAndTime(entries: readonly HistoryEntry[], records: readonly OurRecord[], windowMs: number): Claims {
  const order = new Map(entries.map((e, i) => [e, i]));
  const byAmount = new Map<number, HistoryEntry[]>();
  for (const entry of entries) pushTo(byAmount, entry.amount, entry);

  const timed = records
    .filter((r) => submittedMs(r) !== undefined)
    .sort((a, b) => submittedMs(a)! - submittedMs(b)! || compareText(a.reference, b.reference));
  const candidates = new Map(
    timed.map((r) => {
      const at = submittedMs(r)!;
      const amounts = new Set([r.amount, r.fee, r.amount + r.fee]);
      const near = [...amounts].flatMap((amount) => within(byAmount.get(amount) ?? [], at - windowMs, at + windowMs)).sort((a, b) => order.get(a)! - order.get(b)!);
      return [r.reference, findPayoutEntries(near, { reference: r.reference, amount: r.amount, fee: r.fee, at: r.submittedAt, windowMs }, 'amount-and-time')];
    }),
  );

  const claimed = new Set<HistoryEntry>();
  const claims = new Map<string, PayoutEntry[]>();
  const firstFree = (reference: string, role: PayoutEntry['role'], notBefore: number) =>
    candidates.get(reference)!.find((c) => c.role === role && !claimed.has(c.entry) && (entryMs(c.entry) ?? -Infinity) >= notBefore);
  for (let claimedOne = true; claimedOne; ) {
    claimedOne = false;
    for (const record of timed) {
      const transfer = firstFree(record.reference, 'transfer', -Infinity);
      if (!transfer) continue;
      const debitedAt = entryMs(transfer.entry) ?? -Infinity;
      const taken = [transfer, firstFree(record.reference, 'fee', debitedAt), firstFree(record.reference, 'refund', debitedAt)].filter((c) => c !== undefined);
      for (const c of taken) claimed.add(c.entry);
      claims.set(record.reference, [...(claims.get(record.reference) ?? []), ...taken].sort((a, b) => order.get(a.entry)! - order.get(b.entry)!));
      claimedOne = true;
    }
  }
  return claims;
}

/** The entries of a time-ordered list between two instants (binary search): a narrowing, not the rule. */
function within(sorted: readonly HistoryEntry[], fromMs: number, toMs: number): HistoryEntry[] {
  let low = 0;
  let high = sorted.length;
  while (low < high) {
    const mid = (low + high) >> 1;
    if ((entryMs(sorted[mid]!) ?? Infinity) < fromMs) low = mid + 1;
    else high = mid;
  }
  const found: HistoryEntry[] = [];
  for (let i = low; i < sorted.length && (entryMs(sorted[i]!) ?? Infinity) <= toMs; i++) found.push(sorted[i]!);
  return found;
}

function pushTo<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}
