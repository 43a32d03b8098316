// The API's side of a batch: validate every row before anything starts, start the batch workflow,
// hand it the rows in chunks, read it, and send it the one decision. Temporal is the store of record.
import { termsFor } from '../domain/approval-policy';
import { defaultApprovalPolicy, type ConfiguredPolicy } from '../approvals/policy-config';
import { createHash } from 'node:crypto';
import { WorkflowExecutionAlreadyStartedError, WorkflowNotFoundError, WorkflowUpdateFailedError, type Client, type WorkflowHandle } from '@temporalio/client';
import { ApplicationFailure, type Payload } from '@temporalio/common';
import { decodeMapFromPayloads } from '@temporalio/common/lib/internal-non-workflow';
import { stringify } from 'csv-stringify/sync';
import { batchWorkflowId, unpackRows, type Batch, type BatchHeader, type BatchRow, type RowStatus } from '../domain/batch';
import { toMoney } from '../domain/money';
import { destinationNumber, maskNumber, payoutWorkflowId, type Payout, type PayoutRequest } from '../domain/payout';
import type { ProviderCatalog } from '../domain/provider-port';
import type { PayoutPolicy } from '../../workflows/policy';
import type { BatchResult, batchWorkflow } from '../../workflows/batch';
import {
  addBatchRowsUpdate,
  approveBatchUpdate,
  BATCH_CHUNK_ROWS,
  BatchRefusal,
  cancelBatchUpdate,
  getBatchQuery,
  getBatchRowsQuery,
  rejectBatchUpdate,
  retryUnverifiedUpdate,
  type RowsPage,
} from '../../workflows/batch-messages';
import { BATCH_ID } from '../../workflows/search-attributes';
import type { BatchItemBody, CreateBatchBody } from './batch-schemas';
import { asTemporalProblem, DECISION_TIMER_MARGIN_MS, DecisionOutOfTime, decisionOutcomeUnknown, DEFAULT_APPROVAL_TIMEOUT_MS, refusalFields, payoutFields, routeProvider, stableJson } from './payouts';
import { Problem, problems, type FieldError } from './problem';

/** How long after its deadline (or scheduled time) a row stops waiting for a batch that is gone. */
const ROW_DECIDE_MARGIN_MS = 60 * 60_000;
/** Item references checked per visibility query. */
const CONFLICT_QUERY_IDS = 100;

export interface BatchServiceDeps {
  client: Client;
  taskQueue: string;
  policy: PayoutPolicy;
  providers: Pick<ProviderCatalog, 'known' | 'available'>;
  now?: () => Date;
  rpcTimeoutMs?: number;
  queryTimeoutMs?: number;
  decisionTimeoutMs?: number;
  /** The approval policy new batches are created under (their total picks the tier). */
  approvals?: ConfiguredPolicy;
}

export interface BatchItemView {
  row: number;
  reference: string;
  status: RowStatus;
  provider: string;
  amount: { value: string; currency: 'IDR' };
  fee?: { value: string; currency: 'IDR' };
  reason?: string;
  excluded?: boolean;
  accountName?: string;
  destination?: { type: Payout['destination']['type']; ewallet?: string; number: string };
}

type BatchDecisionKind = 'approve' | 'reject' | 'cancel' | 'retry';

export function createBatchService(deps: BatchServiceDeps) {
  const now = deps.now ?? (() => new Date());
  const rpcTimeoutMs = deps.rpcTimeoutMs ?? 10_000;
  const queryTimeoutMs = deps.queryTimeoutMs ?? 5_000;
  const decisionTimeoutMs = deps.decisionTimeoutMs ?? 5_000;
  const bounded = <T>(fn: () => Promise<T>, ms = rpcTimeoutMs) => deps.client.connection.withDeadline(Date.now() + ms, fn);
  const approvals = deps.approvals ?? defaultApprovalPolicy();
  const handleFor = (id: string): WorkflowHandle<typeof batchWorkflow> => deps.client.workflow.getHandle(batchWorkflowId(id));

  /** Every row checked and routed; a 400 with one pointer per bad row, and nothing started. */
  function prepare(body: CreateBatchBody, requestedBy: string, pointerOf: (index: number, field: string) => string): { header: BatchHeader; rows: PayoutRequest[] } {
    const createdAt = now().toISOString();
    const approvalTimeoutMs = body.approvalTimeout ?? DEFAULT_APPROVAL_TIMEOUT_MS;
    const scheduledAt = body.scheduledAt !== undefined ? new Date(body.scheduledAt).toISOString() : undefined;
    const deadlineMs = Date.parse(createdAt) + approvalTimeoutMs;
    const decideBy = new Date(Math.max(deadlineMs, scheduledAt ? Date.parse(scheduledAt) : 0) + ROW_DECIDE_MARGIN_MS).toISOString();
    const errors: FieldError[] = [];
    const seen = new Map<string, number>();
    const rows: PayoutRequest[] = [];
    body.items.forEach((item: BatchItemBody, index) => {
      const earlier = seen.get(item.reference);
      if (earlier !== undefined) errors.push({ pointer: pointerOf(index, 'reference'), detail: `the same reference as ${pointerOf(earlier, 'reference').replace(/\/reference$/, '')}` });
      seen.set(item.reference, index);
      const routed = routeProvider(item, deps.providers);
      if ('error' in routed) {
        errors.push({ pointer: pointerOf(index, routed.error.field.pointer.slice(1)), detail: routed.error.field.detail });
        return;
      }
      rows.push({
        ...payoutFields(item, routed.provider, requestedBy, createdAt),
        approvalTimeoutMs,
        batch: { id: body.reference, row: index, decideBy },
      });
    });
    if (errors.length > 0) throw tooManyOr(errors);
    const header: BatchHeader = {
      reference: body.reference,
      ...(body.description !== undefined && body.description !== '' && { description: body.description }),
      requestedBy,
      createdAt,
      approvalTimeoutMs,
      ...(scheduledAt !== undefined && { scheduledAt }),
      itemCount: rows.length,
      chunkCount: Math.ceil(rows.length / BATCH_CHUNK_ROWS),
      // The batch is one decision: its total picks the tier; the policy never approves a batch on its own.
      terms: termsFor(approvals.policy, approvals.id, { amount: rows.reduce((sum, row) => sum + row.amount, 0), requestedBy, batch: true }),
    };
    return { header, rows };
  }

  async function create(
    body: CreateBatchBody,
    requestedBy: string,
    pointerOf: (index: number, field: string) => string = (index, field) => `/items/${index}/${field}`,
  ): Promise<{ created: boolean; batch: Batch }> {
    const { header, rows } = prepare(body, requestedBy, pointerOf);
    const fingerprint = batchFingerprint(header, rows);
    const handle = handleFor(header.reference);

    const existing = await describeOrUndefined(handle);
    if (existing) return { created: false, batch: await resume(handle, existing.memo?.createFingerprint, fingerprint, rows) };

    const taken = await referencesInUse(rows.map((row) => row.reference));
    if (taken.length > 0) {
      throw problems.conflict(
        'item-reference-conflict',
        'Some item references already belong to other payouts.',
        `a reference is never reusable; these are taken: ${taken.slice(0, 50).join(', ')}${taken.length > 50 ? ` and ${taken.length - 50} more` : ''}`,
        { references: taken },
      );
    }
    try {
      await bounded(() =>
        deps.client.workflow.start<typeof batchWorkflow>('batchWorkflow', {
          taskQueue: deps.taskQueue,
          workflowId: batchWorkflowId(header.reference),
          args: [{ header, policy: deps.policy }],
          workflowIdReusePolicy: 'REJECT_DUPLICATE',
          workflowIdConflictPolicy: 'FAIL',
          typedSearchAttributes: [{ key: BATCH_ID, value: header.reference }],
          memo: { createFingerprint: fingerprint },
          staticSummary: `Batch ${header.reference}: ${rows.length} payouts, IDR ${rows.reduce((sum, row) => sum + row.amount, 0)}.00`,
          staticDetails: [`**Batch** \`${header.reference}\``, `- Rows: ${rows.length}`, `- Requested by: ${requestedBy}`, `- Rows as payouts: \`BatchId = "${header.reference}"\``].join('\n'),
        }),
      );
    } catch (err) {
      if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw asTemporalProblem(err);
      // The same batch came twice at once: the other request started it.
      const raced = await describeOrUndefined(handle);
      return { created: false, batch: await resume(handle, raced?.memo?.createFingerprint, fingerprint, rows) };
    }
    await sendRows(handle, rows, 0);
    return { created: true, batch: await get(header.reference) };
  }

  /** The same reference again: the same body resumes sending rows that may not have arrived; another body is a conflict. */
  async function resume(handle: WorkflowHandle<typeof batchWorkflow>, stored: unknown, fingerprint: string, rows: PayoutRequest[]): Promise<Batch> {
    if (stored !== fingerprint) {
      throw problems.conflict('reference-conflict', 'This reference was already used for a different batch.', `batch ${rows[0]?.batch?.id} exists with a different body; a reference is never reusable`);
    }
    const batch = await get(rows[0]!.batch!.id);
    if (batch.status === 'VALIDATING' && batch.receivedCount < rows.length) {
      await sendRows(handle, rows, Math.floor(batch.receivedCount / BATCH_CHUNK_ROWS));
      return get(rows[0]!.batch!.id);
    }
    return batch;
  }

  /** Hands the rows over in chunks, in order; a chunk sent twice is harmless (the workflow keeps the first). */
  async function sendRows(handle: WorkflowHandle<typeof batchWorkflow>, rows: PayoutRequest[], fromChunk: number): Promise<void> {
    for (let chunk = fromChunk; chunk * BATCH_CHUNK_ROWS < rows.length; chunk++) {
      const part = rows.slice(chunk * BATCH_CHUNK_ROWS, (chunk + 1) * BATCH_CHUNK_ROWS);
      for (let attempt = 1; ; attempt++) {
        try {
          // Starting 200 payouts takes the workflow a moment: a longer deadline than a read.
          await bounded(() => handle.executeUpdate(addBatchRowsUpdate, { args: [{ chunk, rows: part }] }), 60_000);
          break;
        } catch (err) {
          if (err instanceof WorkflowUpdateFailedError && err.cause instanceof ApplicationFailure) {
            throw problems.conflict('batch-not-receiving', 'The batch no longer takes rows.', err.cause.message);
          }
          // The batch was continuing as new, or Temporal was briefly away: the same chunk again.
          if (attempt >= 8) throw asTemporalProblem(err);
          await new Promise((resolve) => setTimeout(resolve, Math.min(5_000, 100 * 2 ** attempt)));
        }
      }
    }
  }

  /** Item references that existing payouts already use (visibility; a later race is caught by the batch itself). */
  async function referencesInUse(references: string[]): Promise<string[]> {
    const taken: string[] = [];
    for (let i = 0; i < references.length; i += CONFLICT_QUERY_IDS) {
      const ids = references.slice(i, i + CONFLICT_QUERY_IDS).map((reference) => `'${payoutWorkflowId(reference)}'`);
      // References match REFERENCE_PATTERN (no quotes), so they cannot inject into the query.
      const query = `WorkflowType = 'payoutWorkflow' AND WorkflowId IN (${ids.join(', ')})`;
      let token: Uint8Array | undefined;
      do {
        const page = await bounded(() =>
          deps.client.workflowService.listWorkflowExecutions({ namespace: deps.client.options.namespace, query, pageSize: 1000, ...(token && { nextPageToken: token }) }),
        ).catch((err: unknown) => {
          throw asTemporalProblem(err);
        });
        for (const execution of page.executions ?? []) taken.push(execution.execution!.workflowId!.slice('payout-'.length));
        token = page.nextPageToken && page.nextPageToken.length > 0 ? page.nextPageToken : undefined;
      } while (token);
    }
    return [...new Set(taken)];
  }

  async function describeOrUndefined(handle: WorkflowHandle) {
    try {
      return await bounded(() => handle.describe());
    } catch (err) {
      if (err instanceof WorkflowNotFoundError) return undefined;
      throw asTemporalProblem(err);
    }
  }

  /** The batch: a finished workflow's result, a running one's live document, or (no worker) its memo. */
  async function get(id: string): Promise<Batch> {
    const handle = handleFor(id);
    const description = await describeOrUndefined(handle);
    if (!description) throw problems.notFound(`no batch with id ${id}`);
    if (description.status.name === 'COMPLETED') return ((await bounded(() => handle.result())) as BatchResult).batch;
    try {
      return await bounded(() => handle.query(getBatchQuery), queryTimeoutMs);
    } catch (err) {
      const memo = description.memo?.batch as Batch | undefined;
      if (memo) return memo;
      throw asTemporalProblem(err);
    }
  }

  /** A page of rows, in row order, from the batch's own records, with each row's account holder from its payout. */
  async function items(id: string, query: { status?: RowStatus; limit: number; cursor?: string }): Promise<{ items: BatchItemView[]; nextCursor: string | null }> {
    const offset = query.cursor === undefined ? 0 : decodeOffset(query.cursor, query.status);
    const page = await rowsPage(id, { offset, limit: query.limit, ...(query.status && { status: query.status }) });
    const views = await mapLimited(page.rows, 16, async (row) => view(row, await payoutMemo(row.reference)));
    return { items: views, nextCursor: page.next === null ? null : encodeOffset(page.next, query.status) };
  }

  async function rowsPage(id: string, input: { offset: number; limit: number; status?: RowStatus }): Promise<RowsPage> {
    const handle = handleFor(id);
    const description = await describeOrUndefined(handle);
    if (!description) throw problems.notFound(`no batch with id ${id}`);
    if (description.status.name === 'COMPLETED') {
      const rows = unpackRows(((await bounded(() => handle.result())) as BatchResult).rows);
      const picked: RowsPage['rows'] = [];
      let index = input.offset;
      for (; index < rows.length && picked.length < input.limit; index++) {
        if (input.status === undefined || rows[index]!.status === input.status) picked.push({ ...rows[index]!, row: index + 1 });
      }
      return { rows: picked, next: index < rows.length ? index : null };
    }
    return bounded(() => handle.query(getBatchRowsQuery, input), queryTimeoutMs).catch((err: unknown) => {
      throw asTemporalProblem(err);
    });
  }

  async function payoutMemo(reference: string): Promise<Payout | undefined> {
    try {
      const description = await bounded(() => deps.client.workflow.getHandle(payoutWorkflowId(reference)).describe());
      return description.memo?.payout as Payout | undefined;
    } catch (err) {
      if (err instanceof WorkflowNotFoundError) return undefined;
      throw asTemporalProblem(err);
    }
  }

  /** Every row as CSV: the batch's records, with each payout's account holder and failure from visibility. */
  async function itemsCsv(id: string): Promise<string> {
    const rows: RowsPage['rows'] = [];
    for (let offset: number | null = 0; offset !== null; ) {
      const page: RowsPage = await rowsPage(id, { offset, limit: 1_000 });
      rows.push(...page.rows);
      offset = page.next;
    }
    const payouts = new Map<string, Payout>();
    let token: Uint8Array | undefined;
    do {
      const page = await bounded(() =>
        deps.client.workflowService.listWorkflowExecutions({
          namespace: deps.client.options.namespace,
          query: `WorkflowType = 'payoutWorkflow' AND ${BATCH_ID.name} = '${id}' AND ExecutionStatus != 'ContinuedAsNew'`,
          pageSize: 1_000,
          ...(token && { nextPageToken: token }),
        }),
      ).catch((err: unknown) => {
        throw asTemporalProblem(err);
      });
      for (const execution of page.executions ?? []) {
        const memo = await decodeMapFromPayloads(deps.client.options.loadedDataConverter, execution.memo?.fields as Record<string, Payload> | undefined);
        const payout = memo?.payout as Payout | undefined;
        if (payout) payouts.set(payout.reference, payout);
      }
      token = page.nextPageToken && page.nextPageToken.length > 0 ? page.nextPageToken : undefined;
    } while (token);
    const lines = rows.map((row) => {
      const payout = payouts.get(row.reference);
      const item = view(row, payout);
      return [
        item.row,
        item.reference,
        item.status,
        item.provider,
        item.amount.value,
        item.fee?.value ?? '',
        item.accountName ?? '',
        payout?.failure?.code ?? '',
        item.reason ?? '',
        payout?.transfer?.providerReference ?? '',
        payout?.updatedAt ?? '',
      ];
    });
    return stringify([['row', 'reference', 'status', 'provider', 'amount', 'fee', 'account_name', 'failure_code', 'reason', 'provider_reference', 'updated_at'], ...lines]);
  }

  async function list(query: { limit: number; cursor?: string }): Promise<{ items: Batch[]; nextCursor: string | null }> {
    const token = query.cursor === undefined ? undefined : decodeToken(query.cursor);
    const page = await bounded(() =>
      deps.client.workflowService.listWorkflowExecutions({
        namespace: deps.client.options.namespace,
        query: `WorkflowType = 'batchWorkflow' AND ExecutionStatus != 'ContinuedAsNew'`,
        pageSize: query.limit,
        ...(token && { nextPageToken: token }),
      }),
    ).catch((err: unknown) => {
      throw asTemporalProblem(err);
    });
    const items = await mapLimited(page.executions ?? [], 8, async (execution) => {
      const memo = await decodeMapFromPayloads(deps.client.options.loadedDataConverter, execution.memo?.fields as Record<string, Payload> | undefined);
      return (memo?.batch as Batch | undefined) ?? get(execution.execution!.workflowId!.slice('batch-'.length));
    });
    const next = page.nextPageToken;
    return { items, nextCursor: next && next.length > 0 ? Buffer.from(next).toString('base64url') : null };
  }

  /** Sends the decision as an update; answers once the batch accepted or refused it. */
  async function decide<I>(kind: BatchDecisionKind, id: string, update: unknown, input: I, idempotencyKey?: string): Promise<Batch> {
    const handle = handleFor(id);
    const sent = bounded(
      () => handle.executeUpdate(update as typeof approveBatchUpdate, { args: [input as never], ...(idempotencyKey !== undefined && { updateId: `batch-${kind}:${idempotencyKey}` }) }),
      decisionTimeoutMs,
    );
    sent.catch(() => undefined);
    // The client may reconnect and retry across a server restart: a timer bounds the whole answer (as for payouts).
    let timer: NodeJS.Timeout | undefined;
    const outOfTime = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new DecisionOutOfTime()), decisionTimeoutMs + DECISION_TIMER_MARGIN_MS);
    });
    try {
      return (await Promise.race([sent, outOfTime])) as Batch;
    } catch (err) {
      if (err instanceof WorkflowUpdateFailedError && err.cause instanceof ApplicationFailure) throw refusalProblem(err.cause);
      if (err instanceof WorkflowNotFoundError) {
        const batch = await get(id);
        throw problems.conflict('not-awaiting-approval', 'The batch does not take this decision now.', `batch ${id} is ${batch.status}`);
      }
      // Sent, but not confirmed in time (no worker, a restarting server): it may still apply.
      if (decisionOutcomeUnknown(err)) throw problems.decisionPending(kind, id, idempotencyKey !== undefined, 'batches');
      throw asTemporalProblem(err);
    } finally {
      clearTimeout(timer);
    }
  }

  async function requesterOf(id: string): Promise<string> {
    return (await get(id)).requestedBy;
  }

  return {
    create,
    get,
    list,
    items,
    itemsCsv,
    requesterOf,
    approve: (id: string, input: { principal: string; expectedTotal: number; expectedCount: number; excludeReferences?: string[]; comment?: string }, key?: string) =>
      decide('approve', id, approveBatchUpdate, input, key),
    reject: (id: string, input: { principal: string; reason: string }, key?: string) => decide('reject', id, rejectBatchUpdate, input, key),
    cancel: (id: string, input: { principal: string; reason?: string }, key?: string) => decide('cancel', id, cancelBatchUpdate, input, key),
    retry: (id: string, input: { principal: string }, key?: string) => decide('retry', id, retryUnverifiedUpdate, input, key),
  };
}

export type BatchService = ReturnType<typeof createBatchService>;

function view(row: BatchRow & { row: number }, payout: Payout | undefined): BatchItemView {
  return {
    row: row.row,
    reference: row.reference,
    status: row.status,
    provider: row.provider,
    amount: toMoney(row.amount),
    ...(row.fee !== undefined && { fee: toMoney(row.fee) }),
    ...(row.reason !== undefined && { reason: row.reason }),
    ...(row.excluded && { excluded: true }),
    ...(payout?.inquiry && { accountName: payout.inquiry.accountName }),
    ...(payout && {
      destination: {
        type: payout.destination.type,
        ...(payout.destination.type === 'EWALLET' && { ewallet: payout.destination.ewallet }),
        number: maskNumber(destinationNumber(payout.destination)),
      },
    }),
  };
}

function refusalProblem(failure: ApplicationFailure): Problem {
  switch (failure.type) {
    case BatchRefusal.FOUR_EYES:
      return problems.fourEyes(failure.message);
    case BatchRefusal.INVALID_DECISION:
      return problems.validation(failure.message);
    case BatchRefusal.UNKNOWN_REFERENCES:
      return problems.validation(failure.message, [{ pointer: '/excludeReferences', detail: failure.message }]);
    case BatchRefusal.FIGURES_DIFFER: {
      const actual = failure.details?.[0] as { count: number; total: number; feeTotal: number } | undefined;
      return problems.conflict('batch-figures-differ', 'The batch does not pay what you expected.', failure.message, {
        ...(actual && { actual: { count: actual.count, total: toMoney(actual.total), feeTotal: toMoney(actual.feeTotal) } }),
      });
    }
    case BatchRefusal.NOT_READY:
      return problems.conflict('batch-not-ready', 'The batch cannot be approved yet.', failure.message);
    case BatchRefusal.ALREADY_APPROVED:
      return problems.conflict('already-approved', 'This approver approved the batch already.', failure.message);
    case BatchRefusal.EXCLUSIONS_DIFFER:
      return problems.conflict('batch-exclusions-differ', 'Every approval of a batch excludes the same rows.', failure.message, refusalFields(failure));
    case BatchRefusal.LIMIT_EXCEEDED:
      return problems.conflict('limit-exceeded', 'Approving would exceed a daily spending limit.', failure.message, refusalFields(failure));
    case BatchRefusal.LIMITS_UNAVAILABLE:
      return problems.limitsUnavailable(failure.message);
    default:
      return problems.conflict('not-awaiting-approval', 'The batch does not take this decision now.', failure.message);
  }
}

/** Everything that makes two create requests "the same batch": the header and every row, without times. */
function batchFingerprint(header: BatchHeader, rows: PayoutRequest[]): string {
  const { createdAt: _created, terms: _terms, ...shape } = header;
  const hash = createHash('sha256').update(stableJson(shape));
  for (const { createdAt: _c, batch: _b, ...row } of rows) hash.update(stableJson(row));
  return hash.digest('hex');
}

/** At most 200 pointers in one answer: a whole file of one mistake would be megabytes. */
function tooManyOr(errors: FieldError[]): Problem {
  const shown = errors.slice(0, 200);
  const detail = errors.length > shown.length ? `${errors.length} problems; the first ${shown.length} are in \`errors\`. Nothing was started.` : 'Some rows are not valid; see `errors`. Nothing was started.';
  return problems.validation(detail, shown);
}

async function mapLimited<T, R>(items: T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, items.length) }, async () => {
      while (next < items.length) {
        const index = next++;
        results[index] = await fn(items[index]!);
      }
    }),
  );
  return results;
}

function encodeOffset(offset: number, status: RowStatus | undefined): string {
  return Buffer.from(JSON.stringify({ o: offset, s: status ?? null })).toString('base64url');
}

function decodeOffset(cursor: string, status: RowStatus | undefined): number {
  try {
    const parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as { o?: unknown; s?: unknown };
    if (typeof parsed.o === 'number' && Number.isSafeInteger(parsed.o) && parsed.o >= 0 && parsed.s === (status ?? null)) return parsed.o;
  } catch {
    // fall through
  }
  throw problems.validation('the cursor is not valid', [{ pointer: '/cursor', detail: 'use nextCursor from a previous page, with the same status' }]);
}

function decodeToken(cursor: string): Uint8Array {
  const token = Buffer.from(cursor, 'base64url');
  if (token.length === 0) throw problems.validation('the cursor is not valid', [{ pointer: '/cursor', detail: 'use nextCursor from a previous page' }]);
  return token;
}
