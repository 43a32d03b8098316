// The messages of a reconciliation run: the API reads a running one with a query, and the run tells
// an open payout of a break with a signal (a workflow may signal another; the payout decides what
// the break does to its status, through its own state machine).
import { defineQuery, defineSignal } from '@temporalio/workflow';
import type { ReconciliationBreakKind, ReconciliationRun } from '../src/domain/reconciliation';
import { GET_RECONCILIATION_QUERY } from '../src/domain/reconciliation/run';

export const getReconciliationQuery = defineQuery<ReconciliationRun>(GET_RECONCILIATION_QUERY);

/** Run → payout: a break was found for this open payout. */
export interface ReconciliationBreakNotice {
  /** The run's id. */
  reconciliation: string;
  kind: ReconciliationBreakKind;
  detail: string;
}

export const reconciliationBreakSignal = defineSignal<[ReconciliationBreakNotice]>('reconciliationBreak');
