// The pure core of the daily reconciliation (issue 18): our payouts of a Jakarta day against each
// provider's own records, and the breaks between them, each with both sides' records. No I/O and no
// Temporal: the caller reads the payouts, Faspay's history (in historyWindows) and Singapay's status
// answers, and hands them in; the same inputs always give the same report.
export { buildReport, compareBreaks, sortBreaks } from './report';
export { FASPAY_HISTORY_LIMITS, historySpan, historyWindows, jakartaDayOf, jakartaDayWindow, type HistoryWindows, type TimeWindow } from './days';
export { faspaySupports, reconcileFaspay } from './faspay';
export { ourRecordOf } from './records';
export { reconcileSingapay, SINGAPAY_SUPPORTS } from './singapay';
export {
  DEFAULT_MIDNIGHT_WINDOW_MS,
  DEFAULT_MISSING_AFTER_MS,
  DEFAULT_STATUS_MEANING,
  RECONCILIATION_BREAK_KINDS,
  type FaspayReconciliationOptions,
  type HistoryRecord,
  type OurRecord,
  type ProviderBalance,
  type ProviderReconciliation,
  type ProviderRecord,
  type ProviderReport,
  type ReconciliationBreak,
  type ReconciliationBreakKind,
  type ReconciliationOptions,
  type ReconciliationReport,
  type StatusMeaning,
  type StatusRecord,
  type Tally,
} from './types';
export { emptyReconciliation, mergeReconciliations } from './merge';
export * from './run';
