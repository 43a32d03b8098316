// The API's side of a payout: start its workflow, read it, and send decisions to it. Temporal is
// the store of record; this module holds no state of its own.
import { termsFor } from '../domain/approval-policy';
import { defaultApprovalPolicy, type ConfiguredPolicy } from '../approvals/policy-config';
import { createHash } from 'node:crypto';
import { WorkflowUpdateFailedError, WorkflowUpdateRPCTimeoutOrCancelledError, isGrpcServiceError, type Client } from '@temporalio/client';
import { temporalUnavailable } from './temporal-unavailable';
import { ApplicationFailure, WorkflowExecutionAlreadyStartedError, WorkflowNotFoundError, type Payload } from '@temporalio/common';
import { decodeMapFromPayloads } from '@temporalio/common/lib/internal-non-workflow';
import { parseRupiah } from '../domain/money';
import { destinationNumber, isFinal, maskNumber, payoutWorkflowId, type Payout, type PayoutRequest, type PayoutStatus, type ProviderKey } from '../domain/payout';
import { newPayoutDocument } from '../domain/payout-document';
import { canServe, defaultProvider } from '../domain/routing';
import type { ProviderCatalog } from '../domain/provider-port';
import type { PayoutPolicy } from '../../workflows/policy';
import type { payoutWorkflow } from '../../workflows/payout';
import {
  approveUpdate,
  cancelUpdate,
  DecisionRefusal,
  getPayoutQuery,
  rejectUpdate,
  resolveUpdate,
  type ApproveInput,
  type CancelInput,
  type RejectInput,
  type ResolveInput,
} from '../../workflows/messages';
import {
  PAYOUT_AMOUNT,
  PAYOUT_DESTINATION_TYPE,
  PAYOUT_PROVIDER,
  PAYOUT_REQUESTED_BY,
  PAYOUT_STATUS,
} from '../../workflows/search-attributes';
import type { CreatePayoutBody } from './schemas';
import { Problem, problems } from './problem';

export const DEFAULT_APPROVAL_TIMEOUT_MS = 24 * 60 * 60 * 1000;

export interface ListFilter {
  status?: PayoutStatus;
  provider?: ProviderKey;
  limit: number;
  cursor?: string;
}

export { payoutWorkflowId } from '../domain/payout';

export interface PayoutServiceDeps {
  client: Client;
  taskQueue: string;
  policy: PayoutPolicy;
  /** Every provider the registry knows, and those this deployment's workers can reach. */
  providers: Pick<ProviderCatalog, 'known' | 'available'>;
  now?: () => Date;
  /** How long GET waits for a worker to answer the live query before it reads the memo. */
  queryTimeoutMs?: number;
  /** Upper bound of any other call to Temporal, so an unreachable server gives a quick 503. */
  rpcTimeoutMs?: number;
  /**
   * How long a decision (approve, reject, cancel, resolve) waits for the workflow's answer before the
   * API says 503 "the decision may still apply". A worker answers in milliseconds; this only bounds
   * the cases where no worker or no server answers.
   */
  decisionTimeoutMs?: number;
  /** The approval policy new payouts are created under (unset: one approval, no limits). */
  approvals?: ConfiguredPolicy;
}

/** The updates a decision is sent as. */
type DecisionUpdate = typeof approveUpdate | typeof rejectUpdate | typeof cancelUpdate | typeof resolveUpdate;
export type DecisionKind = 'approve' | 'reject' | 'cancel' | 'resolve';

export function createPayoutService(deps: PayoutServiceDeps) {
  const now = deps.now ?? (() => new Date());
  const handleFor = (id: string) => deps.client.workflow.getHandle(payoutWorkflowId(id));
  const queryTimeoutMs = deps.queryTimeoutMs ?? 3_000;
  const rpcTimeoutMs = deps.rpcTimeoutMs ?? 10_000;
  const decisionTimeoutMs = deps.decisionTimeoutMs ?? 5_000;
  const bounded = <T>(fn: () => Promise<T>, ms = rpcTimeoutMs) => deps.client.connection.withDeadline(Date.now() + ms, fn);
  const approvals = deps.approvals ?? defaultApprovalPolicy();

  async function create(body: CreatePayoutBody, requestedBy: string): Promise<{ created: boolean; payout: Payout }> {
    const routed = routeProvider(body, deps.providers);
    if ('error' in routed) throw problems.validation(routed.error.title, [routed.error.field]);
    const provider = routed.provider;
    const request: PayoutRequest = {
      ...payoutFields(body, provider, requestedBy, now().toISOString()),
      approvalTimeoutMs: body.approvalTimeout ?? DEFAULT_APPROVAL_TIMEOUT_MS,
      ...(body.scheduledAt !== undefined && { scheduledAt: new Date(body.scheduledAt).toISOString() }),
    };
    // Fixed now: a later change of the policy affects only payouts created after it.
    request.terms = termsFor(approvals.policy, approvals.id, { amount: request.amount, requestedBy });
    const fingerprint = requestFingerprint(request);
    try {
      await bounded(() => deps.client.workflow.start<typeof payoutWorkflow>('payoutWorkflow', {
        taskQueue: deps.taskQueue,
        workflowId: payoutWorkflowId(request.reference),
        args: [{ request, policy: deps.policy }],
        // A reference is an idempotency key for ever: never a second workflow for it, even after the first closed.
        workflowIdReusePolicy: 'REJECT_DUPLICATE',
        workflowIdConflictPolicy: 'FAIL',
        typedSearchAttributes: [
          { key: PAYOUT_STATUS, value: 'VALIDATING' },
          { key: PAYOUT_PROVIDER, value: provider },
          { key: PAYOUT_DESTINATION_TYPE, value: request.destination.type },
          { key: PAYOUT_AMOUNT, value: request.amount },
          { key: PAYOUT_REQUESTED_BY, value: requestedBy },
        ],
        memo: { createFingerprint: fingerprint, payout: newPayoutDocument(request) },
        staticSummary: `Payout ${request.reference}: IDR ${body.amount.value} to ${describeDestination(request.destination)} via ${provider}`,
        staticDetails: [
          `**Payout** \`${request.reference}\``,
          `- Amount: IDR ${body.amount.value}`,
          `- Destination: ${describeDestination(request.destination)} (masked)`,
          `- Provider: ${provider}`,
          `- Requested by: ${requestedBy}`,
          ...(request.scheduledAt ? [`- Scheduled for: ${request.scheduledAt}`] : []),
        ].join('\n'),
      }));
      return { created: true, payout: newPayoutDocument(request) };
    } catch (err) {
      if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw asTemporalProblem(err);
    }
    // The reference was used before: the same request again is a replay, anything else a conflict.
    const existing = await bounded(() => handleFor(request.reference).describe()).catch((err: unknown) => {
      throw asTemporalProblem(err);
    });
    if (existing.memo?.createFingerprint !== fingerprint) {
      throw problems.conflict(
        'reference-conflict',
        'This reference was already used for a different payout.',
        `reference ${request.reference} belongs to an earlier payout with a different body; a reference is never reusable`,
      );
    }
    return { created: false, payout: await get(request.reference) };
  }

  /**
   * The payout: a finished workflow's result; a running one's live document (query); and when no
   * worker answers the query in time, the document as of its last status change (memo).
   */
  async function get(id: string): Promise<Payout> {
    const handle = handleFor(id);
    let description;
    try {
      description = await bounded(() => handle.describe());
      if (description.status.name === 'COMPLETED') return (await bounded(() => handle.result())) as Payout;
      // Final, with its last webhook event still being published: a final document never changes again,
      // so the memo written when it entered that status is the payout, with or without a worker.
      const memo = description.memo?.payout as Payout | undefined;
      if (memo && isFinal(memo.status)) return memo;
    } catch (err) {
      if (err instanceof WorkflowNotFoundError) throw problems.notFound(`no payout with id ${id}`);
      throw asTemporalProblem(err);
    }
    try {
      return await bounded(() => handle.query(getPayoutQuery), queryTimeoutMs);
    } catch (err) {
      const fromMemo = description.memo?.payout as Payout | undefined;
      if (fromMemo) return fromMemo;
      throw asTemporalProblem(err);
    }
  }

  /**
   * Sends a decision as an update and answers once the workflow accepted or refused it. The update
   * id comes from the caller's Idempotency-Key (per kind of decision), so a retry after a 503 joins
   * the first attempt instead of deciding twice; without a key each call is its own update.
   */
  async function decide<I>(
    kind: DecisionKind,
    id: string,
    update: DecisionUpdate,
    input: I,
    idempotencyKey?: string,
    startedAt = Date.now(),
  ): Promise<Payout> {
    const handle = handleFor(id);
    // What is left of this request's time (a cancel first looked up the payout's requester).
    const remainingMs = Math.max(1, startedAt + decisionTimeoutMs - Date.now());
    const sent = bounded(
      () =>
        handle.executeUpdate(update as typeof approveUpdate, {
          args: [input as unknown as ApproveInput],
          ...(idempotencyKey !== undefined && { updateId: `${kind}:${idempotencyKey}` }),
        }),
      remainingMs,
    );
    // The gRPC deadline bounds each call, but the client may reconnect and retry across a server
    // restart: a timer bounds the whole answer, and a late outcome is dropped (the 503 says so).
    let timer: NodeJS.Timeout | undefined;
    const outOfTime = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new DecisionOutOfTime()), remainingMs + DECISION_TIMER_MARGIN_MS);
    });
    sent.catch(() => undefined);
    try {
      return await Promise.race([sent, outOfTime]);
    } catch (err) {
      if (err instanceof WorkflowUpdateFailedError && err.cause instanceof ApplicationFailure) {
        throw refusalProblem(err.cause);
      }
      if (err instanceof WorkflowNotFoundError) {
        // Either no such payout, or its workflow has closed: a closed payout takes no decisions.
        const payout = await get(id);
        throw problems.conflict('not-awaiting-approval', 'The payout does not take this decision now.', `payout ${id} is ${payout.status}`);
      }
      if (decisionOutcomeUnknown(err)) throw problems.decisionPending(kind, id, idempotencyKey !== undefined);
      throw asTemporalProblem(err);
    } finally {
      clearTimeout(timer);
    }
  }

  /** The payout's requester; part of a cancel, so it spends the same time budget (from `startedAt`). */
  async function requesterOf(id: string, startedAt = Date.now()): Promise<string | undefined> {
    try {
      const description = await bounded(() => handleFor(id).describe(), Math.max(1, startedAt + decisionTimeoutMs - Date.now()));
      return description.typedSearchAttributes.get(PAYOUT_REQUESTED_BY);
    } catch (err) {
      if (err instanceof WorkflowNotFoundError) throw problems.notFound(`no payout with id ${id}`);
      throw asTemporalProblem(err);
    }
  }

  /**
   * Payouts from Temporal visibility, filtered by search attributes, newest first as visibility
   * orders them. Each item is read like GET reads it, in parallel.
   */
  async function list(filter: ListFilter): Promise<{ items: Payout[]; nextCursor: string | null }> {
    const clauses = [`WorkflowType = 'payoutWorkflow'`, `ExecutionStatus != 'ContinuedAsNew'`];
    // Both values come from closed enums (zod), so they cannot inject into the query.
    if (filter.status) clauses.push(`${PAYOUT_STATUS.name} = '${filter.status}'`);
    if (filter.provider) clauses.push(`${PAYOUT_PROVIDER.name} = '${filter.provider}'`);
    const token = filter.cursor === undefined ? undefined : decodeCursor(filter.cursor, filter);
    let page;
    try {
      page = await bounded(() => deps.client.workflowService.listWorkflowExecutions({
        namespace: deps.client.options.namespace,
        query: clauses.join(' AND '),
        pageSize: filter.limit,
        ...(token && { nextPageToken: token }),
      }));
    } catch (err) {
      // Temporal answers a token it cannot read with INVALID_ARGUMENT or UNKNOWN: the cursor is at fault.
      if (token && isGrpcServiceError(err) && [2, 3].includes(err.code)) throw invalidCursor();
      throw asTemporalProblem(err);
    }
    // Each item is the document the workflow last wrote to its memo: no worker is asked, so a list
    // answers quickly and also while workers are down.
    const converter = deps.client.options.loadedDataConverter;
    const items = await Promise.all(
      (page.executions ?? [])
        .filter((e) => e.execution?.workflowId?.startsWith('payout-'))
        .map(async (e) => {
          const memo = await decodeMapFromPayloads(converter, e.memo?.fields as Record<string, Payload> | undefined).catch((err: unknown) => {
            throw asTemporalProblem(err);
          });
          return (memo?.payout as Payout | undefined) ?? get(e.execution!.workflowId!.slice('payout-'.length));
        }),
    );
    const next = page.nextPageToken;
    return { items, nextCursor: next && next.length > 0 ? encodeCursor(Buffer.from(next), filter) : null };
  }

  return {
    create,
    get,
    list,
    approve: (id: string, input: ApproveInput, idempotencyKey?: string) => decide('approve', id, approveUpdate, input, idempotencyKey),
    reject: (id: string, input: RejectInput, idempotencyKey?: string) => decide('reject', id, rejectUpdate, input, idempotencyKey),
    cancel: (id: string, input: CancelInput, idempotencyKey?: string, startedAt?: number) => decide('cancel', id, cancelUpdate, input, idempotencyKey, startedAt),
    resolve: (id: string, input: ResolveInput, idempotencyKey?: string) => decide('resolve', id, resolveUpdate, input, idempotencyKey),
    requesterOf,
  };
}

export type PayoutService = ReturnType<typeof createPayoutService>;

/** The provider a create body goes to (named, or the destination's default route), or why none can take it. */
export function routeProvider(
  body: Pick<CreatePayoutBody, 'destination' | 'provider'>,
  providers: Pick<ProviderCatalog, 'known' | 'available'>,
  pointerPrefix = '',
): { provider: ProviderKey } | { error: { title: string; field: { pointer: string; detail: string } } } {
  const provider = body.provider ?? defaultProvider(body.destination, providers.known);
  if (provider === undefined) {
    return { error: { title: 'no provider is the default route for this destination', field: { pointer: `${pointerPrefix}/provider`, detail: `name a provider that serves ${describeDestination(body.destination)}` } } };
  }
  const capabilities = providers.known.find(({ key }) => key === provider)?.capabilities;
  if (capabilities === undefined || !canServe(capabilities, body.destination)) {
    return { error: { title: `${provider} cannot pay to this destination`, field: { pointer: `${pointerPrefix}/provider`, detail: `${provider} does not serve ${describeDestination(body.destination)}` } } };
  }
  if (!providers.available.includes(provider)) {
    return {
      error: {
        title: `the provider ${provider} is not available in this deployment`,
        field: { pointer: `${pointerPrefix}${body.provider ? '/provider' : '/destination'}`, detail: `routes to ${provider}, which is not configured` },
      },
    };
  }
  return { provider };
}

/** The fields of a payout request that come from one create body (a single payout's, or a batch row's). */
export function payoutFields(
  body: Omit<CreatePayoutBody, 'approvalTimeout' | 'scheduledAt'>,
  provider: ProviderKey,
  requestedBy: string,
  createdAt: string,
): Omit<PayoutRequest, 'approvalTimeoutMs'> {
  return {
    reference: body.reference,
    destination: body.destination,
    amount: parseRupiah(body.amount.value),
    ...(body.description !== undefined && body.description !== '' && { description: body.description }),
    provider,
    ...(body.beneficiaryEmail !== undefined && { beneficiaryEmail: body.beneficiaryEmail }),
    requestedBy,
    createdAt,
  };
}

/**
 * A cursor is Temporal's page token plus the filters it belongs to, so a cursor cannot be replayed
 * with other filters, and a checksum, so a mangled cursor is refused at once (Temporal would retry
 * an unreadable token until the call's deadline). Cursors are opaque, not secret: the checksum is
 * not a signature.
 */
function encodeCursor(token: Buffer, filter: ListFilter): string {
  const body = { v: 1, s: filter.status ?? null, p: filter.provider ?? null, t: token.toString('base64') };
  return Buffer.from(JSON.stringify({ ...body, c: cursorChecksum(body) })).toString('base64url');
}

function cursorChecksum(body: { v: number; s: unknown; p: unknown; t: string }): string {
  return createHash('sha256').update(JSON.stringify([body.v, body.s, body.p, body.t])).digest('base64url').slice(0, 22);
}

function decodeCursor(cursor: string, filter: ListFilter): Buffer {
  let parsed: { v?: unknown; s?: unknown; p?: unknown; t?: unknown; c?: unknown };
  try {
    parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw invalidCursor();
  }
  if (parsed?.v !== 1 || typeof parsed.t !== 'string' || parsed.t === '') throw invalidCursor();
  if (parsed.c !== cursorChecksum({ v: 1, s: parsed.s, p: parsed.p, t: parsed.t })) throw invalidCursor();
  if (parsed.s !== (filter.status ?? null) || parsed.p !== (filter.provider ?? null)) {
    throw problems.validation('the cursor belongs to other filters', [{ pointer: '/cursor', detail: 'use nextCursor with the same status and provider' }]);
  }
  return Buffer.from(parsed.t, 'base64');
}

function invalidCursor(): Problem {
  return problems.validation('the cursor is not valid', [{ pointer: '/cursor', detail: 'use nextCursor from a previous page' }]);
}

function refusalProblem(failure: ApplicationFailure): Problem {
  switch (failure.type as DecisionRefusal) {
    case DecisionRefusal.FOUR_EYES:
      return problems.fourEyes(failure.message);
    case DecisionRefusal.NOT_AWAITING_APPROVAL:
      return problems.conflict('not-awaiting-approval', 'The payout does not take this decision now.', failure.message);
    case DecisionRefusal.ALREADY_SUBMITTED:
      return problems.conflict('already-submitted', 'The payout was already submitted to the provider.', failure.message);
    case DecisionRefusal.INVALID_DECISION:
      return problems.validation(failure.message);
    case DecisionRefusal.BATCH_ROW:
      return problems.conflict('batch-row', 'A row of a batch is decided with its batch.', failure.message);
    case DecisionRefusal.ALREADY_APPROVED:
      return problems.conflict('already-approved', 'This approver approved the payout already.', failure.message);
    case DecisionRefusal.LIMIT_EXCEEDED:
      return problems.conflict('limit-exceeded', 'Approving would exceed a daily spending limit.', failure.message, refusalFields(failure));
    case DecisionRefusal.LIMITS_UNAVAILABLE:
      return problems.limitsUnavailable(failure.message);
    case DecisionRefusal.NOT_NEEDING_ATTENTION:
      return problems.conflict('not-needing-attention', 'Only a payout that needs attention can be resolved.', failure.message);
    default:
      return problems.conflict('decision-refused', 'The payout refused this decision.', failure.message);
  }
}

/** A refusal's details as the problem's fields (a limit's scope and figures, a batch's first exclusions). */
export function refusalFields(failure: ApplicationFailure): Record<string, unknown> | undefined {
  const details = failure.details?.[0];
  return details && typeof details === 'object' ? (details as Record<string, unknown>) : undefined;
}

/** A decision's answer took longer than DECISION_TIMEOUT_MS (plus the margin) in total. */
export class DecisionOutOfTime extends Error {
  constructor() {
    super('the decision was not confirmed in time');
    this.name = 'DecisionOutOfTime';
  }
}
/** Lets the gRPC deadline (the same timeout) answer first when it can, with its own error. */
export const DECISION_TIMER_MARGIN_MS = 250;

/**
 * The decision was sent but its outcome is unknown: the update call ran out of time (no worker or no
 * server answered), the server was overloaded (RESOURCE_EXHAUSTED), or it could not be reached.
 * The update may still be applied later, so the caller must read the payout or retry with the same
 * Idempotency-Key; never a 500.
 */
export function decisionOutcomeUnknown(err: unknown): boolean {
  if (err instanceof WorkflowUpdateRPCTimeoutOrCancelledError || err instanceof DecisionOutOfTime) return true;
  return temporalUnavailable(err);
}

/** Temporal unreachable, slow or overloaded → 503 with Retry-After; anything else is not the client's fault and stays a 500. */
export function asTemporalProblem(err: unknown): unknown {
  if (err instanceof Problem) return err;
  if (err instanceof Error && /PAYLOAD_CODEC_KEYS|binary\/encrypted|unable to authenticate data/.test(err.message)) {
    // An operator's problem, not the client's: say which, without any key material.
    return new Problem(500, 'payload-key-missing', 'A payout could not be decrypted.', 'It was encrypted with a key this service does not have (PAYLOAD_CODEC_KEYS).');
  }
  if (temporalUnavailable(err)) return problems.temporalUnavailable();
  return err;
}

export function describeDestination(destination: CreatePayoutBody['destination']): string {
  const label = destination.type === 'EWALLET' ? destination.ewallet : destination.type;
  return `${label} ${maskNumber(destinationNumber(destination))}`;
}

/** What makes two create requests "the same": every field that shapes the payout, and who asked. */
function requestFingerprint(request: PayoutRequest): string {
  // The terms follow from the body and the policy: the same body again after a policy change is the same request.
  const { createdAt: _ignored, terms: _terms, ...shape } = request;
  return createHash('sha256').update(stableJson(shape)).digest('hex');
}

export function stableJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(stableJson).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${stableJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}
