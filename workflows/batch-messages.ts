// The messages between the API, a batch workflow and its rows (payout workflows).
//
// API → batch: the rows arrive in chunks (updates; rows never travel as one payload), and the one
// decision (approve, reject, cancel) arrives as an update, or as the signals `approve`, `reject`,
// `cancel` from the Temporal UI or CLI, under the same rules.
// Batch → row: `batchDecision`, the batch's decision applied to that row, and `retryInquiry`.
// Row → batch: `batchRowReport`, the row's new status.
import type { HeldReservation } from '../src/domain/approval-policy';
import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type { Batch, BatchRow, RowReport, RowStatus } from '../src/domain/batch';
import type { PayoutRequest } from '../src/domain/payout';

/** Rows per chunk the API sends: about 60 KB, far below Temporal's 2 MB payload limit. */
export const BATCH_CHUNK_ROWS = 200;

export interface AddRowsInput {
  /** 0, 1, 2 … in order; a chunk sent again changes nothing. */
  chunk: number;
  rows: PayoutRequest[];
}

export interface ApproveBatchInput {
  principal: string;
  expectedTotal: number;
  expectedCount: number;
  excludeReferences?: string[];
  comment?: string;
}

export interface RejectBatchInput {
  principal: string;
  reason: string;
}

export interface CancelBatchInput {
  principal: string;
  reason?: string;
}

export interface RetryInput {
  principal: string;
}

export interface RowsPageInput {
  offset: number;
  limit: number;
  status?: RowStatus;
}

export interface RowsPage {
  rows: (BatchRow & { row: number })[];
  /** Offset of the next page, or null on the last one. */
  next: number | null;
}

/** What the batch tells a row. */
export interface BatchRowDecision {
  decision: 'APPROVE' | 'REJECT' | 'CANCEL' | 'EXPIRE';
  by: string;
  at: string;
  comment?: string;
  reason?: string;
  /** Under spending limits, once the batch was approved: what it reserved for this row (the row releases it if it ends without paying). */
  reservation?: HeldReservation;
}

export const addBatchRowsUpdate = defineUpdate<{ received: number }, [AddRowsInput]>('addBatchRows');
export const approveBatchUpdate = defineUpdate<Batch, [ApproveBatchInput]>('approveBatch');
export const rejectBatchUpdate = defineUpdate<Batch, [RejectBatchInput]>('rejectBatch');
export const cancelBatchUpdate = defineUpdate<Batch, [CancelBatchInput]>('cancelBatch');
export const retryUnverifiedUpdate = defineUpdate<Batch, [RetryInput]>('retryUnverifiedRows');

export const approveBatchSignal = defineSignal<[ApproveBatchInput]>('approve');
export const rejectBatchSignal = defineSignal<[RejectBatchInput]>('reject');
export const cancelBatchSignal = defineSignal<[CancelBatchInput]>('cancel');

export const batchRowReportSignal = defineSignal<[RowReport]>('batchRowReport');
export const batchDecisionSignal = defineSignal<[BatchRowDecision]>('batchDecision');
export const retryInquirySignal = defineSignal('retryInquiry');

export const getBatchQuery = defineQuery<Batch>('getBatch');
export const getBatchRowsQuery = defineQuery<RowsPage, [RowsPageInput]>('getBatchRows');

/** Failure types the batch's update validators throw; the API maps them to HTTP statuses. */
export const BatchRefusal = {
  NOT_AWAITING_APPROVAL: 'NOT_AWAITING_APPROVAL',
  FOUR_EYES: 'FOUR_EYES',
  INVALID_DECISION: 'INVALID_DECISION',
  NOT_READY: 'BATCH_NOT_READY',
  FIGURES_DIFFER: 'BATCH_FIGURES_DIFFER',
  UNKNOWN_REFERENCES: 'BATCH_UNKNOWN_REFERENCES',
  FINISHED: 'BATCH_FINISHED',
  /** The same person approved the batch already (the policy asks for distinct approvers). */
  ALREADY_APPROVED: 'ALREADY_APPROVED',
  /** Every approval of a batch excludes the same rows as the first. */
  EXCLUSIONS_DIFFER: 'BATCH_EXCLUSIONS_DIFFER',
  /** Approving would take a spending limit over; the details say what remains. */
  LIMIT_EXCEEDED: 'LIMIT_EXCEEDED',
  LIMITS_UNAVAILABLE: 'LIMITS_UNAVAILABLE',
  BAD_CHUNK: 'BATCH_BAD_CHUNK',
} as const;
