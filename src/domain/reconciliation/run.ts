// A reconciliation run: what starts one (the Schedule or POST /v1/reconciliations), how it is named,
// and what the API, the console and the Web UI read of it. Pure: the workflow imports it.
import { jakartaDay } from '../approval-policy';
import type { ProviderKey } from '../payout';
import { jakartaDayWindow } from './days';
import type { ProviderReport, ReconciliationBreak, ReconciliationBreakKind } from './types';

const DAY_MS = 86_400_000;

export const RECONCILIATION_WORKFLOW_TYPE = 'reconciliationWorkflow';

/** The Schedule's id, and the prefix of the workflow ids its runs get (the server appends the time). */
export const RECONCILIATION_SCHEDULE_ID = 'reconciliation-daily';

/** What a run is started with. The Schedule's action passes `{ trigger: 'schedule' }` only. */
export interface ReconciliationRequest {
  /** The Jakarta calendar day, YYYY-MM-DD. Absent: the day before the run's scheduled start time. */
  date?: string;
  /** One provider; absent: every provider this deployment has configured. */
  provider?: ProviderKey;
  /** Who asked (an admin); absent for a scheduled run. */
  requestedBy?: string;
  trigger: 'schedule' | 'api';
}

/** FAILED: the run's workflow failed, timed out, was terminated or cancelled; it has no report (the API says so from its memo). */
export type ReconciliationRunStatus = 'RUNNING' | 'COMPLETED' | 'FAILED';

/** A run as GET /v1/reconciliations/{id} shows it. */
export interface ReconciliationRun {
  id: string;
  date: string;
  /** The provider reconciled; absent when the run covers every configured provider. */
  provider?: ProviderKey;
  trigger: ReconciliationRequest['trigger'];
  requestedBy?: string;
  status: ReconciliationRunStatus;
  startedAt: string;
  completedAt?: string;
  /** The instant the "missing at the provider" rule counts back from: the run's start, or the day's end if earlier. */
  cutoff: string;
  /** The report (ReconciliationReport's fields), empty until COMPLETED: per provider, counts, totals and balance. */
  providers: ProviderReport[];
  /** Every break found, each with both sides' records (RECONCILIATION_BREAK_KINDS order). */
  breaks: ReconciliationBreak[];
  /** Breaks beyond the first 1,000, left out of `breaks` (a run's result stays far below Temporal's 2 MB payload limit); `breakCounts` counts all. */
  breaksOmitted?: number;
  /** Open payouts this run moved to (or kept in) NEEDS_ATTENTION because of a break. */
  flagged: string[];
  /** Breaks by kind, all providers together; set once COMPLETED. */
  breakCounts?: Record<ReconciliationBreakKind, number>;
}

/** The query that reads a run while it is RUNNING (its workflow's result once COMPLETED; its memo `reconciliation` without the breaks). */
export const GET_RECONCILIATION_QUERY = 'getReconciliation';

/** An on-demand run's workflow id: the date, what it covers, and a nonce (each POST is a new run). */
export function reconciliationWorkflowId(date: string, provider: ProviderKey | undefined, nonce: string): string {
  return `reconciliation-${date}-${provider ?? 'all'}-${nonce}`;
}

export function isReconciliationWorkflowId(id: string): boolean {
  return id.startsWith('reconciliation-');
}

/**
 * The instant a run's "missing at the provider" rule counts back from: when the run was due (or asked
 * for), but never later than a day after the reconciled day ends, so that a day reconciled again
 * later judges its payouts by the same clock and gives the same report. Throws on a date that is not
 * a calendar day.
 */
export function reconciliationCutoff(date: string, dueMs: number): string {
  return new Date(Math.min(jakartaDayWindow(date).to.getTime() + DAY_MS, dueMs)).toISOString();
}

/**
 * The day a run reconciles when none was asked for: the Jakarta day before the run was due (a
 * Schedule's catch-up run may start much later than that).
 */
export function reconciledDayBefore(dueMs: number): string {
  return jakartaDay(dueMs - DAY_MS);
}
