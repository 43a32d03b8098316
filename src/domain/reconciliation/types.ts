// The daily reconciliation's vocabulary: our payouts as we know them, the providers' own records,
// the breaks between the two (each with both sides' records), and the day's report. Pure: no I/O and
// no Node built-ins, so any layer (a workflow too) may import it.
import type { PayoutEntryRole } from '../../providers/faspay/history';
import type { HistoryMatch } from '../../providers/faspay/assumptions';
import type { PayoutStatus, ProviderKey } from '../payout';
import type { HistoryEntry, TransferStatusResult } from '../provider-port';

/** In the order a report lists them. */
export const RECONCILIATION_BREAK_KINDS = [
  /** We show a submitted payout the provider does not have. */
  'UNKNOWN_AT_PROVIDER',
  /** The provider moved money under a reference we do not know. */
  'UNKNOWN_TO_US',
  'AMOUNT_MISMATCH',
  /** Money moved on one side and not on the other (e.g. SUCCEEDED here, reversed there). */
  'STATUS_MISMATCH',
  /** Two provider records (transfer debits) for one reference. */
  'DUPLICATE',
  /** Faspay's fee debits for a payout against the fee we showed. */
  'FEE_MISMATCH',
] as const;
export type ReconciliationBreakKind = (typeof RECONCILIATION_BREAK_KINDS)[number];

/** One payout as we know it: what the reconciliation compares with the provider's records. */
export interface OurRecord {
  reference: string;
  provider: ProviderKey;
  status: PayoutStatus;
  /** Whole rupiah the beneficiary receives. */
  amount: number;
  /** Whole rupiah: the fee we showed (the inquiry's); 0 without an inquiry. */
  fee: number;
  /** When the transfer was submitted (ISO); absent when nothing was ever sent. */
  submittedAt?: string;
  providerReference?: string;
}

/** A Faspay history entry (12), with what it is to the payout it was matched to. */
export interface HistoryRecord {
  source: 'history';
  role: PayoutEntryRole;
  entry: HistoryEntry;
}

/** A provider's status answer for one reference we asked about (Singapay). */
export interface StatusRecord {
  source: 'status';
  reference: string;
  result: TransferStatusResult;
}

export type ProviderRecord = HistoryRecord | StatusRecord;

export interface ReconciliationBreak {
  kind: ReconciliationBreakKind;
  provider: ProviderKey;
  /** Our reference; absent when the provider's record names none we know (UNKNOWN_TO_US). */
  reference?: string;
  /** Our side; absent for UNKNOWN_TO_US. */
  ours?: OurRecord;
  /** The provider's side: every record it has for the payout (empty when it has none). */
  theirs?: ProviderRecord[];
  /** What differs, in one sentence for an operator. */
  detail: string;
}

/** A number of payouts and their amounts' sum (whole rupiah). */
export interface Tally {
  count: number;
  total: number;
}

/** The provider's balance at the time of the run (the caller's I/O; the pure core only carries it). */
export interface ProviderBalance {
  available: number;
  at: string;
}

export interface ProviderReport {
  provider: ProviderKey;
  /** The break kinds this provider's records can reveal; a kind not listed was not looked for. */
  supports: readonly ReconciliationBreakKind[];
  /** Our payouts of the day (submitted within it) at this provider. */
  ours: Tally;
  /** Those the provider's records agree with: money moved on both sides, or on neither. */
  matched: Tally;
  /**
   * Those neither matched nor broken: open on our side, submitted too recently to call missing, or
   * (Singapay) not asked about.
   */
  pending: Tally;
  /** Breaks by kind, every kind present (0 for one not found or not supported). */
  breaks: Record<ReconciliationBreakKind, number>;
  balance?: ProviderBalance;
}

export interface ReconciliationReport {
  /** The Jakarta calendar day, YYYY-MM-DD. */
  date: string;
  /** By provider key. */
  providers: ProviderReport[];
  /** By kind (RECONCILIATION_BREAK_KINDS order), provider, reference, then the provider's records. */
  breaks: ReconciliationBreak[];
}

/** One provider's part of a day's reconciliation: what buildReport puts together. */
export interface ProviderReconciliation {
  date: string;
  report: ProviderReport;
  breaks: ReconciliationBreak[];
}

/**
 * What our statuses say of the money. `moved`: it left for the beneficiary. `open`: we do not know
 * yet. Every other status (FAILED, CANCELLED, REJECTED, EXPIRED, and those before submission) says no
 * money moved.
 */
export interface StatusMeaning {
  moved: readonly PayoutStatus[];
  open: readonly PayoutStatus[];
}

export const DEFAULT_STATUS_MEANING: StatusMeaning = Object.freeze({
  moved: Object.freeze(['SUCCEEDED'] as const),
  open: Object.freeze(['PROCESSING', 'NEEDS_ATTENTION'] as const),
});

/** An entry or a payout this close to one of the day's Jakarta midnights may belong to the neighbouring day. */
export const DEFAULT_MIDNIGHT_WINDOW_MS = 30 * 60_000;
/** A payout without a provider record is missing there only once it was submitted this long before the cut-off. */
export const DEFAULT_MISSING_AFTER_MS = 2 * 3_600_000;

export interface ReconciliationOptions {
  /** The provider key reconciled; records of other providers in `ours` are left out. Default: the function's provider. */
  provider?: ProviderKey;
  /** Default DEFAULT_MIDNIGHT_WINDOW_MS. Faspay only: a status answer is not dated, so Singapay has no use for it. */
  midnightWindowMs?: number;
  /** Default DEFAULT_MISSING_AFTER_MS. */
  missingAfterMs?: number;
  /** ISO instant the missing rule counts back from. Default: the day's end. */
  cutoff?: string;
  /** Default DEFAULT_STATUS_MEANING. */
  statusMeaning?: StatusMeaning;
}

export interface FaspayReconciliationOptions extends ReconciliationOptions {
  /** faspay.history-match: how an entry is recognised as a payout's (the client's setting). */
  historyMatch: HistoryMatch;
  /** amount-and-time: how far from the submission an entry may be. Default DEFAULT_HISTORY_WINDOW_MS (history.ts). */
  matchWindowMs?: number;
}
