// One batch, one workflow: its rows are normal payouts, started as child workflows (abandoned when a
// run of the batch ends, so a batch never stops a payout mid-transfer), which run their account
// inquiries and report back by signal. Then one decision for the whole batch: an approval of the
// exact total and count the approver saw (minus exclusions), a rejection, a cancel, or the deadline.
// The batch checks the balance for all of it, then hands its decision to each row.
//
// Money safety lives in the rows: a row moves money only after the batch's APPROVE reached it, and
// under the payout's own rules (cancel decided in the step that sends, reference as idempotency key).
//
// Bounded history: the batch continues as new after MESSAGES_PER_RUN child starts, signals sent and
// reports received, carrying one small record per row (never the rows' full requests).
import {
  allHandlersFinished,
  ApplicationFailure,
  condition,
  getExternalWorkflowHandle,
  log,
  makeContinueAsNewFunc,
  ParentClosePolicy,
  patched,
  setCurrentDetails,
  setHandler,
  startChild,
  upsertMemo,
  workflowInfo,
  WorkflowIdReusePolicy,
} from '@temporalio/workflow';
import {
  approvalProblem,
  batchFigures,
  changeBatchStatus,
  isFinalBatch,
  isFinalRow,
  packRows,
  payableRows,
  shortReason,
  sumAmounts,
  unpackRows,
  type Batch,
  type BatchDecision,
  type BatchHeader,
  type BatchRow,
  type BatchStatus,
  type PackedRows,
  type RowReport,
} from '../src/domain/batch';
import { batchEvent, type BatchEvent } from '../src/domain/events';
import { messageTime } from '../src/domain/message-time';
import { toMoney } from '../src/domain/money';
import { maskNumber, destinationNumber, payoutWorkflowId, type PayoutRequest } from '../src/domain/payout';
import { newPayoutDocument } from '../src/domain/payout-document';
import { canonicalPrincipal, POLICY_PRINCIPAL } from '../src/domain/principal';
import { reservationsFor, type HeldReservation } from '../src/domain/approval-policy';
import { releaseLimits, reserveLimits, termsOf } from './approvals';
import {
  addBatchRowsUpdate,
  approveBatchSignal,
  approveBatchUpdate,
  BATCH_CHUNK_ROWS,
  batchDecisionSignal,
  BatchRefusal,
  batchRowReportSignal,
  cancelBatchSignal,
  cancelBatchUpdate,
  getBatchQuery,
  getBatchRowsQuery,
  rejectBatchSignal,
  rejectBatchUpdate,
  retryInquirySignal,
  retryUnverifiedUpdate,
  type ApproveBatchInput,
  type BatchRowDecision,
  type CancelBatchInput,
  type RejectBatchInput,
  type RetryInput,
} from './batch-messages';
import { activityProxies } from './context';
import { asSignal } from './signal-decisions';
import { allPublished, publishInOrder } from './events';
import { balanceRecheckDelay, type PayoutPolicy } from './policy';
import {
  BATCH_ID,
  PAYOUT_AMOUNT,
  PAYOUT_DESTINATION_TYPE,
  PAYOUT_PROVIDER,
  PAYOUT_REQUESTED_BY,
  PAYOUT_STATUS,
} from './search-attributes';

/**
 * The patch after which a decision that could not reach its row (the row's workflow had ended)
 * gives the row's share of the approval's reservation back only when the row did not succeed.
 * Before it the share always went back, so a row that succeeded and ended while a cancel was on its
 * way lost its reservation (the chaos run of seed 2026120318 saw the limits read 164,000 short).
 */
export const RELEASE_ONLY_UNPAID_ROWS = 'batch-release-only-unpaid-rows';
/** How long an undelivered decision waits for its ended row's last report (it comes with the row's end). */
const FINAL_REPORT_WAIT = '10 seconds';

/** Child starts, signals sent and reports received per run: a run allows 2,000 pending children and signals. */
export const MESSAGES_PER_RUN = 1_000;
/** Decisions sent to rows at once, then awaited. */
const SIGNAL_WINDOW = 100;
/** How long a batch decided against waits for its rows to confirm they ended before it ends itself. */
const ROWS_CONFIRM_MS = 10 * 60_000;

/** The decision being handed to the rows, and the next row to hand it to. */
interface FanOut {
  kind: 'APPROVE' | 'CANCEL' | 'REJECT' | 'EXPIRE' | 'RETRY';
  by: string;
  at: string;
  comment?: string;
  reason?: string;
  next: number;
  /** With APPROVE under spending limits: the day and scopes the batch reserved for its rows. */
  reservation?: { day: string; requester?: string; destinations: boolean };
}

/** Everything a run knows that the next run must know. Plain data. */
export interface BatchState {
  batch: Omit<Batch, 'counts' | 'ready' | 'receivedCount'>;
  /** One record per row, in row order (packed while it travels to the next run). */
  rows: BatchRow[];
  packedRows?: PackedRows;
  /** Chunks of rows received (in order). */
  chunks: number;
  fanOut?: FanOut;
  /** The approved rows' balance was found sufficient (or could not be read): the rows may be approved. */
  fundsChecked: boolean;
  balanceChecks: number;
  /** batch.<status> webhook events not yet published, in order. */
  outbox: { pending: BatchEvent[] };
  /** The last approval is reserving the spending limits: other approvals wait for it. */
  approving?: boolean;
  /** What the last approval reserved for the payable rows; each row is told its share with APPROVE. */
  reservation?: FanOut['reservation'];
  /** The latest time a row's report carried: what the rows' reports settle is stamped with it. */
  lastReportAt?: string;
}

export interface BatchWorkflowInput {
  header: BatchHeader;
  policy: PayoutPolicy;
  carried?: BatchState;
}

export interface BatchResult {
  batch: Batch;
  rows: PackedRows;
}

export async function batchWorkflow(input: BatchWorkflowInput): Promise<BatchResult> {
  const { header, policy } = input;
  const terms = termsOf(header);
  const state = input.carried ? carriedOver(input.carried) : newBatchState(header);
  // Rows keep their destination only where a per-destination limit needs it (the rows travel packed).
  const keepDestinations = terms.limits.perDestinationPerDay !== undefined;
  let messagesThisRun = 0;
  /** After a decision against the batch: the rows' confirmations were waited for (in this run). */
  let rowsWaitedFor = false;
  const messagesPerRun = policy.batchMessagesPerRun ?? MESSAGES_PER_RUN;
  const needsNewRun = () => messagesThisRun >= messagesPerRun || workflowInfo().continueAsNewSuggested;
  const now = () => new Date().toISOString();
  const deadlineMs = Date.parse(header.createdAt) + header.approvalTimeoutMs;
  const anySubmitted = () => state.rows.some((row) => row.submitted);
  /** For a status the rows' reports settle: the last report's time, never before the batch's previous status. */
  const reportedAt = () => messageTime(state.lastReportAt, state.batch.timeline.at(-1)?.at, now);
  const allRowsArrived = () => state.rows.length >= header.itemCount;
  const allRowsFinal = () => state.rows.every((row) => isFinalRow(row.status));
  const document = (): Batch => ({ ...state.batch, receivedCount: state.rows.length, ...batchFigures(state.rows) });
  /** `at`: a time the messages carried (src/domain/message-time.ts); otherwise the workflow clock. */
  const setStatus = (status: BatchStatus, detail?: string, at: string = now()) => {
    changeBatchStatus(state.batch as Batch, status, at, { anySubmitted: anySubmitted() }, detail);
    const current = document();
    upsertMemo({ batch: current });
    state.outbox.pending.push(batchEvent(current, current.timeline.length));
  };
  if (!input.carried) state.outbox.pending.push(batchEvent(document(), 1));
  publishInOrder(state.outbox, 'publishBatchEvents');
  const refuse = (type: string, message: string, details?: unknown): never => {
    throw ApplicationFailure.create({ type, message, nonRetryable: true, ...(details !== undefined && { details: [details] }) });
  };

  // --- rows arrive --------------------------------------------------------------------------------
  setHandler(
    addBatchRowsUpdate,
    async ({ chunk, rows }) => {
      if (chunk < state.chunks) return { received: state.rows.length }; // sent again: already here
      state.chunks += 1;
      const first = state.rows.length;
      for (const request of rows) {
        state.rows.push({
          reference: request.reference,
          provider: request.provider,
          amount: request.amount,
          status: 'VALIDATING',
          ...(keepDestinations && { destination: destinationNumber(request.destination) }),
        });
      }
      messagesThisRun += rows.length;
      await Promise.all(rows.map((request, i) => startRow(request, first + i)));
      return { received: state.rows.length };
    },
    {
      validator: ({ chunk, rows }) => {
        if (chunk < state.chunks) return;
        if (chunk !== state.chunks) refuse(BatchRefusal.BAD_CHUNK, `chunk ${chunk} came before chunk ${state.chunks}`);
        if (state.batch.status !== 'VALIDATING') refuse(BatchRefusal.FINISHED, `batch ${header.reference} is ${state.batch.status}`);
        if (!Array.isArray(rows) || rows.length === 0 || rows.length > BATCH_CHUNK_ROWS) refuse(BatchRefusal.BAD_CHUNK, `a chunk has 1–${BATCH_CHUNK_ROWS} rows`);
        if (state.rows.length + rows.length > header.itemCount) refuse(BatchRefusal.BAD_CHUNK, `more rows than the batch's ${header.itemCount}`);
        rows.forEach((request: PayoutRequest, i: number) => {
          if (request.batch?.id !== header.reference || request.batch.row !== state.rows.length + i) refuse(BatchRefusal.BAD_CHUNK, `row ${state.rows.length + i} is out of place`);
        });
      },
      description: 'Rows of the batch, in chunks of at most 200: each row starts as a payout (its inquiry runs).',
    },
  );

  async function startRow(request: PayoutRequest, index: number): Promise<void> {
    try {
      await startChild('payoutWorkflow', {
        workflowId: payoutWorkflowId(request.reference),
        args: [{ request, policy }],
        // A batch's run ends (continue-as-new, or the batch's end) while its rows still pay: never stop them.
        parentClosePolicy: ParentClosePolicy.ABANDON,
        workflowIdReusePolicy: WorkflowIdReusePolicy.REJECT_DUPLICATE,
        typedSearchAttributes: [
          { key: PAYOUT_STATUS, value: 'VALIDATING' },
          { key: PAYOUT_PROVIDER, value: request.provider },
          { key: PAYOUT_DESTINATION_TYPE, value: request.destination.type },
          { key: PAYOUT_AMOUNT, value: request.amount },
          { key: PAYOUT_REQUESTED_BY, value: request.requestedBy },
          { key: BATCH_ID, value: header.reference },
        ],
        // No create fingerprint of a single payout: POST /v1/payouts with a row's reference is a conflict.
        memo: { createFingerprint: `batch:${header.reference}`, payout: newPayoutDocument(request) },
        staticSummary: `Payout ${request.reference}, row ${index + 1} of batch ${header.reference}: IDR ${request.amount}.00 to ${maskNumber(destinationNumber(request.destination))} via ${request.provider}`,
      });
    } catch (err) {
      // The reference was taken between the API's check and this start: the row has no payout of its own.
      log.warn('batch row not started', { reference: request.reference, error: (err as Error).message });
      const row = state.rows[index]!;
      row.status = 'INVALID';
      row.reason = `reference ${request.reference} already belongs to another payout; this row was not started`;
    }
  }

  // --- rows report back ---------------------------------------------------------------------------
  setHandler(
    batchRowReportSignal,
    (report: RowReport) => {
      messagesThisRun += 1;
      const row = state.rows[report.row];
      if (!row) return;
      if (isFinalRow(row.status)) return; // a final row never changes again
      row.status = report.status;
      if (report.fee !== undefined) row.fee = report.fee;
      if (report.reason !== undefined) row.reason = shortReason(report.reason);
      else delete row.reason;
      if (report.submitted) row.submitted = true;
      if (report.at !== undefined && (state.lastReportAt === undefined || Date.parse(report.at) > Date.parse(state.lastReportAt))) state.lastReportAt = report.at;
    },
    { description: 'A row (payout) reports its new status to its batch.' },
  );

  // --- the decision -------------------------------------------------------------------------------
  const requirePrincipal = (input: { principal?: unknown } | undefined) => {
    if (!input || typeof input.principal !== 'string' || input.principal.trim() === '') refuse(BatchRefusal.INVALID_DECISION, 'a decision needs the principal who makes it');
  };
  const requireAwaitingApproval = () => {
    if (state.batch.status !== 'AWAITING_APPROVAL' || state.batch.approval) {
      refuse(BatchRefusal.NOT_AWAITING_APPROVAL, `batch ${header.reference} is ${state.batch.status}, not awaiting approval`);
    }
  };
  const validateApprove = (input: ApproveBatchInput) => {
    requirePrincipal(input);
    requireAwaitingApproval();
    const by = canonicalPrincipal(input.principal);
    if (by === canonicalPrincipal(header.requestedBy)) {
      refuse(BatchRefusal.FOUR_EYES, `${by} requested this batch and cannot approve it`);
    }
    // The policy never approves a batch; no person may use its name.
    if (by === POLICY_PRINCIPAL) refuse(BatchRefusal.FOUR_EYES, `the principal ${POLICY_PRINCIPAL} is reserved for the approval policy`);
    const earlier = state.batch.approvals ?? [];
    if (earlier.some((approval) => approval.by === by)) {
      refuse(BatchRefusal.ALREADY_APPROVED, `${by} approved batch ${header.reference} already; it needs ${terms.approvalsRequired} distinct approvers`);
    }
    // Every approver approves the same thing: the first approval's exclusions (the figures are checked below).
    const first = earlier[0];
    if (first && !sameSet(first.excludeReferences, input.excludeReferences ?? [])) {
      refuse(BatchRefusal.EXCLUSIONS_DIFFER, `the first approval (${first.by}) excluded ${first.excludeReferences.length} row(s); every approval of the batch excludes the same rows`, {
        excludeReferences: first.excludeReferences,
      });
    }
    if (state.fanOut) refuse(BatchRefusal.NOT_READY, 'rows are being retried; approve once their inquiries are done');
    const problem = approvalProblem(state.rows, header.itemCount, {
      expectedTotal: input.expectedTotal,
      expectedCount: input.expectedCount,
      excludeReferences: input.excludeReferences ?? [],
    });
    if (!problem) return;
    const type = { NOT_READY: BatchRefusal.NOT_READY, UNKNOWN_REFERENCES: BatchRefusal.UNKNOWN_REFERENCES, FIGURES_DIFFER: BatchRefusal.FIGURES_DIFFER }[problem.kind];
    refuse(type, problem.message, problem.actual);
  };
  /**
   * One approval of the batch's figures. Until the policy's number of distinct approvers is reached
   * it is recorded; the last one reserves the spending limits for every payable row at once (a
   * refusal refuses the whole approval, with what remains, so the approver can exclude rows) and decides.
   */
  const approve = async (input: ApproveBatchInput): Promise<Batch> => {
    if (state.approving) {
      await condition(() => !state.approving);
      validateApprove(input);
    }
    const by = canonicalPrincipal(input.principal);
    const at = now();
    const excluded = new Set(input.excludeReferences ?? []);
    const approvals = state.batch.approvals ?? [];
    const approval = {
      by,
      at,
      ...(input.comment && { comment: input.comment }),
      expectedTotal: toMoney(input.expectedTotal),
      expectedCount: input.expectedCount,
      excludeReferences: [...excluded],
    };
    if (approvals.length + 1 < terms.approvalsRequired) {
      state.batch.approvals = [...approvals, approval];
      state.batch.updatedAt = at;
      upsertMemo({ batch: document() });
      return document();
    }
    const payableAfter = state.rows.filter((row) => row.status === 'READY' && !row.excluded && !excluded.has(row.reference));
    state.approving = true;
    let held: HeldReservation | undefined;
    try {
      held = await reserveLimits(
        policy,
        terms,
        reservationsFor(
          terms.limits,
          header.requestedBy,
          payableAfter.map((row) => ({ holder: row.reference, amount: row.amount, destination: row.destination ?? row.reference })),
        ),
      );
    } catch (err) {
      if ((err as ApplicationFailure).type === BatchRefusal.LIMIT_EXCEEDED && approvals.length > 0) {
        // The earlier approvals were of rows the limits cannot take: they lapse, so the approvers can
        // approve again with exclusions (each approval must carry the first one's).
        state.batch.approvals = [];
        state.batch.updatedAt = now();
        upsertMemo({ batch: document() });
        const failure = err as ApplicationFailure;
        throw ApplicationFailure.create({
          type: failure.type ?? BatchRefusal.LIMIT_EXCEEDED,
          message: `${failure.message}; the ${approvals.length} earlier approval(s) lapsed: approve again, excluding rows`,
          nonRetryable: true,
          details: failure.details ? [...failure.details] : [],
        });
      }
      throw err;
    } finally {
      state.approving = false;
    }
    if (state.batch.status !== 'AWAITING_APPROVAL' || state.batch.approval) {
      // Cancelled, rejected or expired while the limits were being reserved: nothing goes to the rows.
      await releaseLimits(policy, held, payableAfter.map((row) => row.reference));
      return refuse(BatchRefusal.NOT_AWAITING_APPROVAL, `batch ${header.reference} is ${state.batch.status}, not awaiting approval`);
    }
    state.batch.approvals = [...approvals, approval];
    for (const row of state.rows) if (excluded.has(row.reference) && !isFinalRow(row.status)) row.excluded = true;
    if (held) state.reservation = { day: held.day, ...(terms.limits.perRequesterPerDay !== undefined && { requester: canonicalPrincipal(header.requestedBy) }), destinations: keepDestinations };
    const payable = payableRows(state.rows);
    const { total, feeTotal } = sumAmounts(payable);
    state.batch.approval = {
      decision: 'APPROVED',
      by,
      at,
      ...(input.comment && { comment: input.comment }),
      count: payable.length,
      total: toMoney(total),
      feeTotal: toMoney(feeTotal),
      excludedCount: state.rows.filter((row) => row.excluded).length,
    };
    // Stamped with the last approval's time, not the clock after the reservation: a query on a worker
    // with an empty cache can run this continuation with the clock of the task that accepted the
    // update, and its webhook event would then disagree with every later replay (chaos seed
    // 2026120318, batch B00). The approval's time is the same in every run.
    const decidedAt = messageTime(at, state.batch.timeline.at(-1)?.at, now);
    const later = header.scheduledAt !== undefined && Date.parse(header.scheduledAt) > Date.parse(decidedAt);
    setStatus(later ? 'SCHEDULED' : 'PROCESSING', `approved by ${by}: ${payable.length} rows, IDR ${total}.00`, decidedAt);
    return document();
  };
  const validateReject = (input: RejectBatchInput) => {
    requirePrincipal(input);
    if (typeof input.reason !== 'string' || input.reason.trim() === '') refuse(BatchRefusal.INVALID_DECISION, 'a rejection needs a reason');
    requireAwaitingApproval();
  };
  const reject = (input: RejectBatchInput): Batch => {
    const by = canonicalPrincipal(input.principal);
    decideAgainst({ decision: 'REJECTED', by, at: now(), reason: input.reason }, 'REJECT');
    return document();
  };
  const validateCancel = (input: CancelBatchInput) => {
    requirePrincipal(input);
    if (isFinalBatch(state.batch.status)) refuse(BatchRefusal.FINISHED, `batch ${header.reference} is ${state.batch.status}`);
    if (state.batch.cancellation) refuse(BatchRefusal.FINISHED, `batch ${header.reference} is already being cancelled`);
    if (state.batch.status === 'VALIDATING' && !allRowsArrived()) refuse(BatchRefusal.NOT_READY, `batch ${header.reference} is still receiving its rows`);
  };
  const cancel = (input: CancelBatchInput): Batch => {
    const by = canonicalPrincipal(input.principal);
    const at = now();
    if (state.batch.status === 'PROCESSING') {
      // Some rows may be submitted already: stop the others; the batch ends COMPLETED or, if none was sent, CANCELLED.
      state.batch.cancellation = { by, at, ...(input.reason && { reason: input.reason }) };
      state.fanOut = { kind: 'CANCEL', by, at, reason: `batch cancelled by ${by}${input.reason ? `: ${input.reason}` : ''}`, next: 0 };
      upsertMemo({ batch: document() });
    } else {
      decideAgainst({ decision: 'CANCELLED', by, at, ...(input.reason && { reason: input.reason }) }, 'CANCEL');
    }
    return document();
  };
  /** Rejected, cancelled or expired before anything was sent: the batch is final, its open rows follow. */
  function decideAgainst(decision: BatchDecision & { decision: 'REJECTED' | 'CANCELLED' | 'EXPIRED' }, kind: FanOut['kind']): void {
    state.batch.approval = decision;
    const detail = `${decision.decision.toLowerCase()} by ${decision.by}${decision.reason ? `: ${decision.reason}` : ''}`;
    state.fanOut = { kind, by: decision.by, at: decision.at, reason: `batch ${detail}`, next: 0 };
    setStatus(decision.decision, detail);
  }
  const validateRetry = (input: RetryInput) => {
    requirePrincipal(input);
    if (state.batch.status !== 'VALIDATING' && state.batch.status !== 'AWAITING_APPROVAL') refuse(BatchRefusal.NOT_AWAITING_APPROVAL, `batch ${header.reference} is ${state.batch.status}`);
    if (state.fanOut) refuse(BatchRefusal.NOT_READY, 'rows are being retried already');
    // Approvals so far approved these figures: they cannot change under them.
    if ((state.batch.approvals ?? []).length > 0) refuse(BatchRefusal.NOT_AWAITING_APPROVAL, `batch ${header.reference} has approvals of its current figures; reject it or exclude the unverified rows`);
    if (!state.rows.some((row) => row.status === 'UNVERIFIED')) refuse(BatchRefusal.NOT_READY, 'no row is unverified');
  };
  const retry = (input: RetryInput): Batch => {
    state.fanOut = { kind: 'RETRY', by: canonicalPrincipal(input.principal), at: now(), next: 0 };
    return document();
  };

  setHandler(getBatchQuery, document, { description: 'The batch document, as the API returns it.' });
  setHandler(
    getBatchRowsQuery,
    ({ offset, limit, status }) => {
      const page: (BatchRow & { row: number })[] = [];
      let index = Math.max(0, offset);
      for (; index < state.rows.length && page.length < limit; index++) {
        const row = state.rows[index]!;
        if (status === undefined || row.status === status) page.push({ ...row, row: index + 1 });
      }
      return { rows: page, next: index < state.rows.length ? index : null };
    },
    { description: 'A page of rows: { offset, limit, status? } → { rows, next }.' },
  );
  setHandler(approveBatchUpdate, approve, { validator: validateApprove, description: 'Approve the batch: the expected total and count of the rows paid, exclusions.' });
  setHandler(rejectBatchUpdate, reject, { validator: validateReject, description: 'Reject the batch: { principal, reason }.' });
  setHandler(cancelBatchUpdate, cancel, { validator: validateCancel, description: 'Cancel the batch: rows not yet submitted stop.' });
  setHandler(retryUnverifiedUpdate, retry, { validator: validateRetry, description: 'Run the inquiries of the unverified rows again.' });
  setHandler(approveBatchSignal, asSignal('approve', validateApprove, approve), { description: 'Approve: same input and rules as the API.' });
  setHandler(rejectBatchSignal, asSignal('reject', validateReject, reject), { description: 'Reject: { principal, reason }.' });
  setHandler(cancelBatchSignal, asSignal('cancel', validateCancel, cancel), { description: 'Cancel: { principal, reason? }.' });

  // --- the rows learn the decision ------------------------------------------------------------------
  /** Sends the current fan-out to its rows in windows; returns early when this run has done enough. */
  async function sendFanOut(): Promise<void> {
    for (;;) {
      const fanOut = state.fanOut;
      if (!fanOut) return;
      if (fanOut.next >= state.rows.length) {
        // Every row has it. Rows that arrive later (a retried chunk) are started by the same decision's rules.
        state.fanOut = undefined;
        return;
      }
      if (needsNewRun()) return;
      const window: Promise<void>[] = [];
      while (fanOut.next < state.rows.length && window.length < SIGNAL_WINDOW) {
        const row = state.rows[fanOut.next]!;
        fanOut.next += 1;
        const message = messageFor(fanOut, row);
        if (!message) {
          const share = unclaimedShare(fanOut, row);
          if (share) {
            messagesThisRun += 1;
            window.push(releaseLimits(policy, share, [row.reference]));
          }
          continue;
        }
        messagesThisRun += 1;
        window.push(send(row, message));
      }
      await Promise.all(window);
      // A cancel replaced this fan-out while the window was out: go on with the cancel.
      if (state.fanOut !== fanOut) continue;
    }
  }

  function messageFor(fanOut: FanOut, row: BatchRow): BatchRowDecision | 'RETRY' | undefined {
    if (isFinalRow(row.status)) return undefined;
    const base = { by: fanOut.by, at: fanOut.at };
    switch (fanOut.kind) {
      case 'RETRY':
        if (row.status !== 'UNVERIFIED') return undefined;
        row.status = 'VALIDATING';
        return 'RETRY';
      case 'APPROVE':
        if (row.excluded) return { ...base, decision: 'CANCEL', reason: `excluded from the batch's approval by ${fanOut.by}` };
        if (row.status !== 'READY') return undefined;
        row.status = 'PROCESSING';
        return { ...base, decision: 'APPROVE', ...(fanOut.comment && { comment: fanOut.comment }), ...(fanOut.reservation && { reservation: rowReservation(fanOut.reservation, row) }) };
      default: {
        // A cancel after the approval (midway, or the balance stayed short) may reach rows that never
        // got their APPROVE: they hand back their share of the approval's reservation when they end.
        const reserved = state.reservation && !row.excluded ? { reservation: rowReservation(state.reservation, row) } : {};
        return { ...base, decision: fanOut.kind, ...(fanOut.reason && { reason: fanOut.reason }), ...reserved };
      }
    }
  }

  /**
   * A row the approval reserved for that ended on its own (cancelled alone) before the batch's
   * decision reached it: nobody will tell it its share, so the batch gives it back.
   */
  function unclaimedShare(fanOut: FanOut, row: BatchRow): HeldReservation | undefined {
    if (!state.reservation || (fanOut.kind !== 'APPROVE' && fanOut.kind !== 'CANCEL') || row.excluded) return undefined;
    if (row.status !== 'CANCELLED' && row.status !== 'FAILED') return undefined;
    return rowReservation(state.reservation, row);
  }

  async function send(row: BatchRow, message: BatchRowDecision | 'RETRY'): Promise<void> {
    const handle = getExternalWorkflowHandle(payoutWorkflowId(row.reference));
    try {
      if (message === 'RETRY') await handle.signal(retryInquirySignal);
      else await handle.signal(batchDecisionSignal, message);
    } catch (err) {
      // The row's workflow has ended: it needs no decision. Its share goes back only if its money did
      // not move. A row can succeed and end while a cancel to it is out (its last report came in
      // before the failed signal's answer): that share was reserved for money that moved and stays.
      log.info('batch decision not delivered', { reference: row.reference, error: (err as Error).message });
      if (message === 'RETRY' || !message.reservation) return;
      if (patched(RELEASE_ONLY_UNPAID_ROWS)) {
        // A row reports its final status before its workflow ends, so the report is here or on its
        // way. A row that never reports (terminated by hand) keeps its share: held too long is safe,
        // released after money moved is not.
        await condition(() => isFinalRow(row.status), FINAL_REPORT_WAIT);
        if (!isFinalRow(row.status) || row.status === 'SUCCEEDED') return;
      }
      await releaseLimits(policy, message.reservation, [row.reference]);
    }
  }

  // --- funds ------------------------------------------------------------------------------------
  /** The whole approved amount (plus fees) per provider must be there before the first row is sent. */
  async function ensureBatchFunds(): Promise<'OK' | 'SHORT'> {
    const needs = new Map<string, number>();
    for (const row of payableRows(state.rows)) needs.set(row.provider, (needs.get(row.provider) ?? 0) + row.amount + (row.fee ?? 0));
    for (;;) {
      const short: string[] = [];
      for (const [provider, needed] of needs) {
        const available = await activityProxies(policy, provider)('status', `Balance check at ${provider} for batch ${header.reference}`)
          .checkAvailableBalance(provider)
          .catch((err: Error) => {
            // Unknown balance: each row's trigger meets the provider's own check, which is authoritative.
            log.warn('batch balance check failed; going on', { provider, error: err.message });
            return null;
          });
        if (available !== null && available < needed) short.push(`${provider} has IDR ${available}.00, the batch needs IDR ${needed}.00`);
      }
      if (short.length === 0) return 'OK';
      state.balanceChecks += 1;
      if (state.balanceChecks >= policy.balanceRecheckMaxAttempts) return 'SHORT';
      const delayMs = balanceRecheckDelay(state.balanceChecks, policy);
      setCurrentDetails(`**Waiting for funds.** ${short.join('; ')}. Nothing was sent. Check ${state.balanceChecks + 1} of ${policy.balanceRecheckMaxAttempts} in ${Math.round(delayMs / 1000)} s.`);
      if (await condition(() => state.batch.cancellation !== undefined, delayMs)) return 'OK'; // the cancel takes over
    }
  }

  // --- the batch's life -----------------------------------------------------------------------------
  for (;;) {
    if (state.fanOut) {
      // Rows still being started must exist before they are told.
      await condition(allHandlersFinished);
      await sendFanOut();
    }
    if (needsNewRun()) return continueAsNew();
    if (state.fanOut) continue;
    const status = state.batch.status;
    switch (status) {
      case 'VALIDATING': {
        setCurrentDetails(`**Validating** ${state.rows.length} of ${header.itemCount} rows received; inquiries running. Deadline ${state.batch.approvalDeadline}.`);
        const settled = () => allRowsArrived() && state.rows.every((row) => row.status !== 'VALIDATING');
        const woke = await condition(() => settled() || state.batch.status !== 'VALIDATING' || state.fanOut !== undefined || needsNewRun(), Math.max(1, deadlineMs - Date.now()));
        if (!woke) expire();
        else if (state.batch.status === 'VALIDATING' && settled()) setStatus('AWAITING_APPROVAL', `${payableRows(state.rows).length} rows ready`, reportedAt());
        break;
      }
      case 'AWAITING_APPROVAL': {
        setCurrentDetails(`**Waiting for an approver** until ${state.batch.approvalDeadline}.`);
        const woke = await condition(() => state.batch.status !== 'AWAITING_APPROVAL' || state.fanOut !== undefined || needsNewRun(), Math.max(1, deadlineMs - Date.now()));
        if (!woke) expire();
        break;
      }
      case 'SCHEDULED': {
        setCurrentDetails(`**Approved.** The rows will be submitted at ${header.scheduledAt}.`);
        const woke = await condition(() => state.batch.status !== 'SCHEDULED' || needsNewRun(), Math.max(1, Date.parse(header.scheduledAt!) - Date.now()));
        if (!woke) setStatus('PROCESSING', 'scheduled time reached');
        break;
      }
      case 'PROCESSING': {
        if (!state.fundsChecked && !state.batch.cancellation) {
          setCurrentDetails('**Checking the balance** for the whole batch before the first transfer.');
          const funds = await ensureBatchFunds();
          state.fundsChecked = true;
          if (state.batch.cancellation) break;
          if (funds === 'SHORT') {
            const at = now();
            const reason = 'the balance stayed below the batch total plus fees; nothing was sent';
            state.batch.cancellation = { by: 'system', at, reason };
            state.fanOut = { kind: 'CANCEL', by: 'system', at, reason, next: 0 };
            break;
          }
          const approval = state.batch.approval!;
          state.fanOut = {
            kind: 'APPROVE',
            by: approval.by,
            at: approval.at,
            ...(approval.comment && { comment: approval.comment }),
            ...(state.reservation && { reservation: state.reservation }),
            next: 0,
          };
          break;
        }
        if (allRowsFinal()) {
          if (state.batch.cancellation && !anySubmitted()) setStatus('CANCELLED', `cancelled by ${state.batch.cancellation.by}; no row was submitted`, reportedAt());
          else setStatus('COMPLETED', summary(), reportedAt());
          break;
        }
        setCurrentDetails(`**Paying.** ${summary()}.`);
        await condition(() => allRowsFinal() || state.fanOut !== undefined || needsNewRun());
        break;
      }
      default:
        // COMPLETED, or REJECTED, EXPIRED, CANCELLED with every open row told. Those rows were not
        // submitted, so each ends as told: wait for their reports, so the batch's last document
        // shows them final (bounded: a row that cannot answer must not keep the batch open).
        // Rows that never arrived (expired while the API was still sending them) were never started.
        if (!allRowsFinal() && !rowsWaitedFor) {
          rowsWaitedFor = true;
          setCurrentDetails(`**${status}.** Waiting for the rows to confirm: ${summary()}.`);
          await condition(() => allRowsFinal() || needsNewRun(), ROWS_CONFIRM_MS);
          if (needsNewRun()) rowsWaitedFor = false; // the next run waits again
          break;
        }
        return finish();
    }
  }

  function expire(): void {
    if (state.batch.status !== 'VALIDATING' && state.batch.status !== 'AWAITING_APPROVAL') return;
    decideAgainst({ decision: 'EXPIRED', by: 'deadline', at: now(), reason: 'nobody decided before the approval deadline' }, 'EXPIRE');
  }

  function summary(): string {
    const { counts } = batchFigures(state.rows);
    return Object.entries(counts)
      .filter(([, n]) => n > 0)
      .map(([status, n]) => `${n} ${status}`)
      .join(', ');
  }

  async function continueAsNew(): Promise<never> {
    // Hand over between messages, never in the middle of one (a chunk of rows being started).
    await condition(allHandlersFinished);
    return makeContinueAsNewFunc<typeof batchWorkflow>({
      memo: { ...workflowInfo().memo, batch: document() },
      typedSearchAttributes: workflowInfo().typedSearchAttributes,
    })({ header, policy, carried: { ...state, rows: [], packedRows: packRows(state.rows) } });
  }

  async function finish(): Promise<BatchResult> {
    // An approval still reserving (the deadline or a cancel came meanwhile) releases before the end.
    await condition(allHandlersFinished);
    // The last event must be published before the run ends (an ended run's activities are abandoned).
    await condition(() => allPublished(state.outbox));
    setCurrentDetails(`Finished: **${state.batch.status}**. ${summary()}.`);
    return { batch: document(), rows: packRows(state.rows) };
  }
}

/** What one row holds of the batch's reservation: the requester's scope and its own destination's. */
function rowReservation(reservation: NonNullable<FanOut['reservation']>, row: BatchRow): HeldReservation {
  const scopes: HeldReservation['scopes'] = [];
  if (reservation.requester !== undefined) scopes.push({ kind: 'requester', subject: reservation.requester });
  if (reservation.destinations && row.destination !== undefined) scopes.push({ kind: 'destination', subject: row.destination });
  return { day: reservation.day, scopes };
}

function sameSet(a: readonly string[], b: readonly string[]): boolean {
  const left = new Set(a);
  const right = new Set(b);
  return left.size === right.size && [...left].every((item) => right.has(item));
}

function carriedOver(carried: BatchState): BatchState {
  const { packedRows, ...rest } = carried;
  return packedRows ? { ...rest, rows: unpackRows(packedRows) } : carried;
}

function newBatchState(header: BatchHeader): BatchState {
  return {
    batch: {
      id: header.reference,
      reference: header.reference,
      ...(header.description !== undefined && { description: header.description }),
      status: 'VALIDATING',
      requestedBy: header.requestedBy,
      createdAt: header.createdAt,
      updatedAt: header.createdAt,
      approvalDeadline: new Date(Date.parse(header.createdAt) + header.approvalTimeoutMs).toISOString(),
      ...(header.scheduledAt !== undefined && { scheduledAt: header.scheduledAt }),
      itemCount: header.itemCount,
      ...(header.terms && { approvalsRequired: header.terms.approvalsRequired, approvals: [], policy: header.terms.policy }),
      timeline: [{ status: 'VALIDATING', at: header.createdAt }],
    },
    rows: [],
    chunks: 0,
    fundsChecked: false,
    balanceChecks: 0,
    outbox: { pending: [] },
  };
}
