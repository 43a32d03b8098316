// A batch: many payouts under one approval. Its types, its status machine, and the figures shown for
// it (counts per row status, the ready total and fees). Pure: the batch workflow imports this module.
//
// Each row is a normal payout (its own workflow, its own reference); the batch holds one small record
// per row (reference, status, amount, fee, provider) and decides for all of them at once.
import type { ApprovalTerms } from './approval-policy';
import { formatRupiah, toMoney, type Money } from './money';
import type { PayoutStatus, ProviderKey } from './payout';

export const BATCH_STATUSES = ['VALIDATING', 'AWAITING_APPROVAL', 'SCHEDULED', 'PROCESSING', 'COMPLETED', 'REJECTED', 'EXPIRED', 'CANCELLED'] as const;
export type BatchStatus = (typeof BATCH_STATUSES)[number];

export const FINAL_BATCH_STATUSES: readonly BatchStatus[] = ['COMPLETED', 'REJECTED', 'EXPIRED', 'CANCELLED'];

export function isFinalBatch(status: BatchStatus): boolean {
  return FINAL_BATCH_STATUSES.includes(status);
}

/**
 * What a row is, from the batch's point of view. Before the decision: VALIDATING (its inquiry runs),
 * READY (inquiry passed; AWAITING_APPROVAL), INVALID (the inquiry refused it: its payout is FAILED,
 * which is final) or UNVERIFIED (the inquiry failed for a transient reason only: retry or exclude it).
 * After the decision a row has its payout's status.
 */
export const ROW_STATUSES = [
  'VALIDATING',
  'READY',
  'INVALID',
  'UNVERIFIED',
  'SCHEDULED',
  'PROCESSING',
  'NEEDS_ATTENTION',
  'SUCCEEDED',
  'FAILED',
  'REJECTED',
  'EXPIRED',
  'CANCELLED',
] as const;
export type RowStatus = (typeof ROW_STATUSES)[number];

const FINAL_ROW_STATUSES: readonly RowStatus[] = ['INVALID', 'SUCCEEDED', 'FAILED', 'REJECTED', 'EXPIRED', 'CANCELLED'];

export function isFinalRow(status: RowStatus): boolean {
  return FINAL_ROW_STATUSES.includes(status);
}

/** The most rows one batch may have: a larger file is split by the client. */
export const MAX_BATCH_ROWS = 10_000;

/** The batch's record of one row. Kept small: 10,000 of them travel with every continue-as-new. */
export interface BatchRow {
  reference: string;
  provider: ProviderKey;
  /** Whole rupiah, what the beneficiary receives. */
  amount: number;
  status: RowStatus;
  /** The provider's fee from the inquiry, once READY. */
  fee?: number;
  /** Why INVALID, UNVERIFIED, FAILED or CANCELLED. */
  reason?: string;
  /** Excluded at approval: it ends CANCELLED. */
  excluded?: true;
  /** The trigger may have been sent: the money may move. */
  submitted?: true;
  /** The destination's account number, for the per-destination spending limit (rows received under approval policies). */
  destination?: string;
}

/** What a row tells its batch (a signal from the row's payout workflow). */
export interface RowReport {
  row: number;
  status: RowStatus;
  fee?: number;
  reason?: string;
  submitted?: boolean;
  /** When the row's status changed (its payout's timeline); absent in reports sent before rows carried it. */
  at?: string;
}

/** The batch's one decision, and what it covered. */
/** One approver's approval of a batch's figures. */
export interface BatchApprover {
  by: string;
  at: string;
  comment?: string;
  expectedTotal: Money;
  expectedCount: number;
  excludeReferences: string[];
}

export interface BatchDecision {
  decision: 'APPROVED' | 'REJECTED' | 'CANCELLED' | 'EXPIRED';
  by: string;
  at: string;
  comment?: string;
  reason?: string;
}

/** What an approver asserts they approve: the ready rows left after the exclusions. */
export interface BatchApproval {
  expectedTotal: number;
  expectedCount: number;
  excludeReferences: string[];
}

export interface BatchHeader {
  reference: string;
  description?: string;
  requestedBy: string;
  createdAt: string;
  approvalTimeoutMs: number;
  scheduledAt?: string;
  /** Rows in the batch, and the chunks the API sends them in (rows never travel as one payload). */
  itemCount: number;
  chunkCount: number;
  /** The approval policy's terms, picked by the batch's total when it was created; unset in older batches (one approval). */
  terms?: ApprovalTerms;
}

export interface TimelineEntry {
  status: BatchStatus;
  at: string;
  detail?: string;
}

/** The batch document the API returns (GET /v1/batches/{id}). */
export interface Batch {
  id: string;
  reference: string;
  description?: string;
  status: BatchStatus;
  requestedBy: string;
  createdAt: string;
  updatedAt: string;
  approvalDeadline: string;
  scheduledAt?: string;
  itemCount: number;
  /** Rows received so far (less than itemCount only while the batch is being created). */
  receivedCount: number;
  counts: Record<RowStatus, number>;
  /** READY rows: their count, the sum of their amounts (what beneficiaries receive), their fees, and both together. */
  ready: { count: number; total: Money; feeTotal: Money; grossTotal: Money };
  approval?: BatchDecision & { count?: number; total?: Money; feeTotal?: Money; excludedCount?: number };
  /** Distinct approvers the batch's policy asks for (its total picked the tier when it was created). */
  approvalsRequired?: number;
  /** The approvals so far, each of the same figures and exclusions. */
  approvals?: BatchApprover[];
  /** The short id of the approval policy version the batch was created under. */
  policy?: string;
  /** A cancel that came while rows were being paid: the rows not yet submitted stop. */
  cancellation?: { by: string; at: string; reason?: string };
  timeline: TimelineEntry[];
}

/** The allowed next statuses of a batch. */
const NEXT: Readonly<Record<BatchStatus, readonly BatchStatus[]>> = {
  VALIDATING: ['AWAITING_APPROVAL', 'CANCELLED', 'EXPIRED'],
  AWAITING_APPROVAL: ['SCHEDULED', 'PROCESSING', 'REJECTED', 'EXPIRED', 'CANCELLED'],
  SCHEDULED: ['PROCESSING', 'CANCELLED'],
  // CANCELLED only while no row may have been sent; otherwise a cancelled batch ends COMPLETED.
  PROCESSING: ['COMPLETED', 'CANCELLED'],
  COMPLETED: [],
  REJECTED: [],
  EXPIRED: [],
  CANCELLED: [],
};

export class IllegalBatchTransitionError extends Error {
  constructor(from: BatchStatus, to: BatchStatus) {
    super(`illegal batch status change ${from} → ${to}`);
    this.name = 'IllegalBatchTransitionError';
  }
}

export function mayBatchTransition(from: BatchStatus, to: BatchStatus, facts: { anySubmitted: boolean }): boolean {
  if (!NEXT[from].includes(to)) return false;
  if (to === 'CANCELLED' && facts.anySubmitted) return false;
  return true;
}

/** The only way a batch's status changes: through the table, into the timeline. */
export function changeBatchStatus(batch: Batch, to: BatchStatus, at: string, facts: { anySubmitted: boolean }, detail?: string): void {
  if (!mayBatchTransition(batch.status, to, facts)) throw new IllegalBatchTransitionError(batch.status, to);
  batch.status = to;
  batch.updatedAt = at;
  batch.timeline.push({ status: to, at, ...(detail !== undefined && { detail }) });
}

export function emptyCounts(): Record<RowStatus, number> {
  return Object.fromEntries(ROW_STATUSES.map((status) => [status, 0])) as Record<RowStatus, number>;
}

/** A row status from its payout's status (after the decision, a row is what its payout is). */
export function rowStatusOf(status: PayoutStatus, beforeDecision: boolean): RowStatus {
  if (status === 'AWAITING_APPROVAL') return 'READY';
  if (status === 'FAILED' && beforeDecision) return 'INVALID';
  return status;
}

/** Rows an approval would pay: READY and not excluded. */
export function payableRows(rows: readonly BatchRow[], excluded: ReadonlySet<string> = new Set()): BatchRow[] {
  return rows.filter((row) => row.status === 'READY' && !row.excluded && !excluded.has(row.reference));
}

export function sumAmounts(rows: readonly BatchRow[]): { total: number; feeTotal: number } {
  let total = 0;
  let feeTotal = 0;
  for (const row of rows) {
    total += row.amount;
    feeTotal += row.fee ?? 0;
  }
  return { total, feeTotal };
}

/** The figures of the batch document, computed from its rows. */
export function batchFigures(rows: readonly BatchRow[]): Pick<Batch, 'counts' | 'ready'> {
  const counts = emptyCounts();
  for (const row of rows) counts[row.status] += 1;
  const ready = payableRows(rows);
  const { total, feeTotal } = sumAmounts(ready);
  return {
    counts,
    ready: { count: ready.length, total: toMoney(total), feeTotal: toMoney(feeTotal), grossTotal: toMoney(total + feeTotal) },
  };
}

/**
 * Why an approval cannot be taken as asserted, or undefined when it can: every row known and
 * settled, the exclusions rows of this batch, and the approver's figures equal to the batch's.
 */
export function approvalProblem(
  rows: readonly BatchRow[],
  itemCount: number,
  approval: BatchApproval,
): { kind: 'NOT_READY' | 'UNKNOWN_REFERENCES' | 'FIGURES_DIFFER'; message: string; actual?: { count: number; total: number; feeTotal: number } } | undefined {
  if (rows.length < itemCount) return { kind: 'NOT_READY', message: `only ${rows.length} of ${itemCount} rows have arrived` };
  const excluded = new Set(approval.excludeReferences);
  const byReference = new Map(rows.map((row) => [row.reference, row]));
  const unknown = approval.excludeReferences.filter((reference) => !byReference.has(reference));
  if (unknown.length > 0) {
    return { kind: 'UNKNOWN_REFERENCES', message: `not rows of this batch: ${unknown.slice(0, 20).join(', ')}${unknown.length > 20 ? ', …' : ''}` };
  }
  const validating = rows.filter((row) => row.status === 'VALIDATING').length;
  if (validating > 0) return { kind: 'NOT_READY', message: `${validating} rows are still being validated` };
  const unverified = rows.filter((row) => row.status === 'UNVERIFIED' && !excluded.has(row.reference));
  if (unverified.length > 0) {
    return {
      kind: 'NOT_READY',
      message: `${unverified.length} rows could not be verified (${unverified.slice(0, 5).map((row) => row.reference).join(', ')}${unverified.length > 5 ? ', …' : ''}): retry their inquiries or exclude them`,
    };
  }
  const payable = payableRows(rows, excluded);
  const { total, feeTotal } = sumAmounts(payable);
  if (payable.length !== approval.expectedCount || total !== approval.expectedTotal) {
    return {
      kind: 'FIGURES_DIFFER',
      message: `the batch pays ${payable.length} rows totalling IDR ${formatRupiah(total)}, not ${approval.expectedCount} rows totalling IDR ${formatRupiah(approval.expectedTotal)}`,
      actual: { count: payable.length, total, feeTotal },
    };
  }
  if (payable.length === 0) return { kind: 'NOT_READY', message: 'no row is ready to pay: reject or cancel the batch instead' };
  return undefined;
}

export function batchWorkflowId(reference: string): string {
  return `batch-${reference}`;
}

/**
 * The rows as they travel between runs and in the batch's result: one array per row instead of an
 * object, its reason cut to REASON_CHARS, so that 10,000 rows with the longest references stay well
 * under Temporal's 2 MB payload limit (about 1.5 MB at worst, 0.5 MB typically).
 */
export interface PackedRows {
  providers: string[];
  /** [reference, provider index, amount, status, fee (-1: none), flags (1 excluded, 2 submitted), reason (or null)?, destination?] */
  rows: [string, number, number, RowStatus, number, number, (string | null)?, string?][];
}

/** The longest reason a batch keeps for a row (its payout keeps the whole of it). */
export const REASON_CHARS = 60;

export function packRows(rows: readonly BatchRow[]): PackedRows {
  const providers: string[] = [];
  const indexOf = (provider: string) => {
    const at = providers.indexOf(provider);
    if (at >= 0) return at;
    providers.push(provider);
    return providers.length - 1;
  };
  return {
    providers,
    rows: rows.map((row) => {
      const packed: PackedRows['rows'][number] = [row.reference, indexOf(row.provider), row.amount, row.status, row.fee ?? -1, (row.excluded ? 1 : 0) | (row.submitted ? 2 : 0)];
      if (row.reason !== undefined || row.destination !== undefined) packed.push(row.reason === undefined ? null : shortReason(row.reason));
      if (row.destination !== undefined) packed.push(row.destination);
      return packed;
    }),
  };
}

export function unpackRows(packed: PackedRows): BatchRow[] {
  return packed.rows.map(([reference, provider, amount, status, fee, flags, reason, destination]) => ({
    reference,
    provider: packed.providers[provider]!,
    amount,
    status,
    ...(fee >= 0 && { fee }),
    ...(reason !== undefined && reason !== null && { reason }),
    ...(destination !== undefined && { destination }),
    ...((flags & 1) !== 0 && { excluded: true as const }),
    ...((flags & 2) !== 0 && { submitted: true as const }),
  }));
}

export function shortReason(reason: string): string {
  return reason.length <= REASON_CHARS ? reason : `${reason.slice(0, REASON_CHARS - 1)}…`;
}
