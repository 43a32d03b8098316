// Finding one payout's entries in Faspay's history (12). The entries carry only dateTime, amount,
// remark, status, type and debitCredit, so how a payout is recognised is an assumption
// (faspay.history-match): by our reference in the remark, or by amount and time. Pure.
import type { HistoryEntry } from '../../domain/provider-port';
import type { HistoryMatch } from './assumptions';

/** What an entry is to the payout: its transfer debit, Faspay's fee debit, or money coming back. */
export type PayoutEntryRole = 'transfer' | 'fee' | 'refund';

export interface PayoutEntry<E extends HistoryEntry = HistoryEntry> {
  role: PayoutEntryRole;
  entry: E;
}

export interface PayoutToFind {
  reference: string;
  /** Whole rupiah the beneficiary receives. */
  amount: number;
  /** The fee we expect (amount-and-time matching finds a fee debit only by this amount). */
  fee?: number;
  /** When the transfer was triggered (amount-and-time matching). */
  at?: Date | string;
  /** How far from `at` an entry may be, for amount-and-time matching. Default 10 minutes. */
  windowMs?: number;
}

export const DEFAULT_HISTORY_WINDOW_MS = 10 * 60 * 1000;

/** A fee entry: the sample's "fee 9920017564 <reference>_…_FEE" (type PAYMENT). */
export function isFeeRemark(remark: string): boolean {
  return /^fee\b/i.test(remark.trim()) || /_FEE$/i.test(remark.trim());
}

/**
 * True when `reference` appears in `remark` as a token of its own: not inside a longer reference
 * (the characters around it are not letters, digits or "-"; Faspay joins parts with "_" and spaces).
 */
export function remarkNames(remark: string, reference: string): boolean {
  if (reference === '') return false;
  for (let at = remark.indexOf(reference); at >= 0; at = remark.indexOf(reference, at + 1)) {
    const before = remark[at - 1];
    const after = remark[at + reference.length];
    const edge = (c: string | undefined) => c === undefined || !/[A-Za-z0-9-]/.test(c);
    if (edge(before) && edge(after)) return true;
  }
  return false;
}

function roleOf(entry: HistoryEntry): PayoutEntryRole {
  if (entry.direction === 'CREDIT') return 'refund';
  return isFeeRemark(entry.remark) ? 'fee' : 'transfer';
}

/**
 * The payout's entries in `entries`, in their order, under a matching rule:
 * - `remark`: every entry whose remark names the reference;
 * - `amount-and-time`: within `windowMs` of `at`, debits of exactly the amount (transfer), debits
 *   of exactly the expected fee with a fee remark (fee), and credits of the amount or amount + fee
 *   (refund). Two payouts of one amount at about the same time cannot be told apart this way:
 *   every candidate is returned.
 */
export function findPayoutEntries<E extends HistoryEntry>(entries: readonly E[], payout: PayoutToFind, match: HistoryMatch): PayoutEntry<E>[] {
  if (match === 'remark') {
    return entries.filter((e) => remarkNames(e.remark, payout.reference)).map((entry) => ({ role: roleOf(entry), entry }));
  }
  const at = payout.at === undefined ? undefined : new Date(payout.at).getTime();
  const window = payout.windowMs ?? DEFAULT_HISTORY_WINDOW_MS;
  const fee = payout.fee ?? 0;
  const found: PayoutEntry<E>[] = [];
  for (const entry of entries) {
    const when = Date.parse(entry.at);
    if (at !== undefined && (!Number.isFinite(when) || Math.abs(when - at) > window)) continue;
    const role = roleOf(entry);
    if (role === 'transfer' && entry.amount === payout.amount) found.push({ role, entry });
    else if (role === 'fee' && fee > 0 && entry.amount === fee) found.push({ role, entry });
    else if (role === 'refund' && (entry.amount === payout.amount || entry.amount === payout.amount + fee)) found.push({ role, entry });
  }
  return found;
}

/** The sum of the fee debits among a payout's entries. */
export function feeDebited(found: readonly PayoutEntry[]): number {
  return found.filter((f) => f.role === 'fee').reduce((sum, f) => sum + f.entry.amount, 0);
}
