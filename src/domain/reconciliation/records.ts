// Our side of a reconciliation: the record of a payout, what its status says of the money, and the
// settings a provider's reconciliation runs with. Pure.
import { parseRupiah } from '../money';
import type { Payout, PayoutStatus, ProviderKey } from '../payout';
import { jakartaDayWindow, type TimeWindow } from './days';
import {
  DEFAULT_MIDNIGHT_WINDOW_MS,
  DEFAULT_MISSING_AFTER_MS,
  DEFAULT_STATUS_MEANING,
  type OurRecord,
  type ReconciliationOptions,
  type StatusMeaning,
} from './types';

/** A payout document as the reconciliation sees it. */
export function ourRecordOf(payout: Payout): OurRecord {
  return {
    reference: payout.reference,
    provider: payout.provider,
    status: payout.status,
    amount: parseRupiah(payout.amount.value),
    fee: payout.inquiry ? parseRupiah(payout.inquiry.fee.value) : 0,
    ...(payout.transfer?.submittedAt !== undefined && { submittedAt: payout.transfer.submittedAt }),
    ...(payout.transfer?.providerReference !== undefined && { providerReference: payout.transfer.providerReference }),
  };
}

/** What our status says of the money: it left, we do not know yet, or it did not (and will not) leave. */
export type MoneyHere = 'moved' | 'open' | 'not-moved';

export function moneyHere(status: PayoutStatus, meaning: StatusMeaning): MoneyHere {
  if (meaning.moved.includes(status)) return 'moved';
  if (meaning.open.includes(status)) return 'open';
  return 'not-moved';
}

/** The instant a record was submitted; undefined when it was not, or its time is unreadable (then it is not dated). */
export function submittedMs(record: OurRecord): number | undefined {
  if (record.submittedAt === undefined) return undefined;
  const ms = Date.parse(record.submittedAt);
  return Number.isFinite(ms) ? ms : undefined;
}

/**
 * The provider's records among `ours`, one per reference, in reference order. A reference listed twice
 * (the caller merged two sources) keeps one record, chosen by its content, never by the input's order.
 */
export function recordsFor(ours: readonly OurRecord[], provider: ProviderKey): OurRecord[] {
  const sorted = ours.filter((r) => r.provider === provider).sort((a, b) => compareText(recordKey(a), recordKey(b)));
  return sorted.filter((r, i) => i === 0 || sorted[i - 1]!.reference !== r.reference);
}

function recordKey(r: OurRecord): string {
  return JSON.stringify([r.reference, r.submittedAt ?? '', r.status, r.amount, r.fee, r.providerReference ?? '']);
}

/** Code-unit order: the same in every locale, so that reports are too. */
export function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** The options with their defaults, and the day's instants. */
export interface Settings {
  date: string;
  day: TimeWindow;
  provider: ProviderKey;
  midnightWindowMs: number;
  missingAfterMs: number;
  cutoffMs: number;
  meaning: StatusMeaning;
}

export function settingsOf(date: string, options: ReconciliationOptions, provider: ProviderKey): Settings {
  const day = jakartaDayWindow(date);
  const cutoffMs = options.cutoff === undefined ? day.to.getTime() : Date.parse(options.cutoff);
  if (!Number.isFinite(cutoffMs)) throw new RangeError(`cutoff is not an instant: ${JSON.stringify(options.cutoff)}`);
  return {
    date,
    day,
    provider: options.provider ?? provider,
    midnightWindowMs: options.midnightWindowMs ?? DEFAULT_MIDNIGHT_WINDOW_MS,
    missingAfterMs: options.missingAfterMs ?? DEFAULT_MISSING_AFTER_MS,
    cutoffMs,
    meaning: options.statusMeaning ?? DEFAULT_STATUS_MEANING,
  };
}

/** Whether a record was submitted within the reconciled day (its Jakarta day is the day's). */
export function ofTheDay(record: OurRecord, s: Settings): boolean {
  const at = submittedMs(record);
  return at !== undefined && at >= s.day.from.getTime() && at < s.day.to.getTime();
}

/**
 * The missing rule's clock: a provider may record a transfer some time after we sent it, so a payout
 * without a record is missing there only when it was submitted at least `missingAfterMs` before the
 * cut-off. A younger one is pending, never a break.
 */
export function oldEnoughToMiss(record: OurRecord, s: Settings): boolean {
  const at = submittedMs(record);
  return at !== undefined && s.cutoffMs - at >= s.missingAfterMs;
}
