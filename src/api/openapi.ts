// The OpenAPI 3.1 document, generated from the same zod schemas the handlers parse with (zod's own
// JSON Schema output is draft 2020-12, the dialect of OpenAPI 3.1), and a plain browsable page.
import { z } from 'zod';
import {
  approveBodySchema,
  cancelBodySchema,
  createPayoutSchema,
  limitsSchema,
  listQuerySchema,
  payoutListSchema,
  payoutSchema,
  problemSchema,
  rejectBodySchema,
  resolveBodySchema,
} from './schemas';
import { limitsQuerySchema } from './limits';
import {
  createdEndpointSchema,
  createEndpointBodySchema,
  deliveriesQuerySchema,
  deliveryListSchema,
  emptyBodySchema,
  endpointListSchema,
  endpointSchema,
  listEndpointsQuerySchema,
  redeliveryAcceptedSchema,
  rotatedSecretSchema,
  EVENT_ID_PATTERN,
  reconciliationBreakEventSchema,
  webhookEventSchema,
} from './webhook-schemas';
import {
  approveBatchBodySchema,
  batchItemListSchema,
  batchItemsQuerySchema,
  batchListQuerySchema,
  batchListSchema,
  batchSchema,
  createBatchSchema,
  emptyDecisionBodySchema,
} from './batch-schemas';
import { CSV_COLUMNS } from './batch-csv';
import {
  createReconciliationSchema,
  reconciliationAcceptedSchema,
  reconciliationListQuerySchema,
  reconciliationListSchema,
  reconciliationRunSchema,
  LATEST_RUNS,
  RECONCILIATION_ID_PATTERN,
  RUNS_PER_DAY,
} from './reconciliation-schemas';
import type { ProviderDescription } from '../domain/provider-port';
import { EVENT_TYPES, payoutEvent, reconciliationBreakEvents } from '../domain/events';
import type { ReconciliationBreak } from '../domain/reconciliation/types';
import type { Payout } from '../domain/payout';

const jsonSchema = (schema: z.ZodType, io: 'input' | 'output') => {
  const { $schema: _dialect, ...rest } = z.toJSONSchema(schema, { io, unrepresentable: 'any' }) as Record<string, unknown>;
  return rest;
};

/** The break of the `reconciliation.break` example: a transfer we show as SUCCEEDED that Faspay gave back. */
const RECONCILIATION_BREAK_EXAMPLE: ReconciliationBreak = {
  kind: 'STATUS_MISMATCH',
  provider: 'faspay',
  reference: 'INV-2026-0009',
  ours: { reference: 'INV-2026-0009', provider: 'faspay', status: 'SUCCEEDED', amount: 50000, fee: 0, submittedAt: '2026-11-22T04:12:00.000Z', providerReference: '20261122041200456' },
  theirs: [
    { source: 'history', role: 'transfer', entry: { at: '2026-11-22T04:12:01.000Z', amount: 50000, direction: 'DEBIT', remark: 'INV-2026-0009', status: 'SUCCESS', type: 'TRANSFER' } },
    { source: 'history', role: 'refund', entry: { at: '2026-11-22T09:30:00.000Z', amount: 50000, direction: 'CREDIT', remark: 'INV-2026-0009', status: 'SUCCESS', type: 'REFUND' } },
  ],
  detail: 'SUCCEEDED here; given back there: 50000.00 at 2026-11-22T09:30:00.000Z ("INV-2026-0009")',
};

/** A payout awaiting approval: the example of GET, and the source of the webhook event example. */
const PAYOUT_EXAMPLE = {
  id: 'INV-2026-0001',
  reference: 'INV-2026-0001',
  status: 'AWAITING_APPROVAL',
  provider: 'singapay',
  destination: { type: 'EWALLET', ewallet: 'DANA', customerNumber: '085733347341' },
  amount: { value: '10000.00', currency: 'IDR' },
  description: 'Cashback November',
  requestedBy: 'requester@local',
  createdAt: '2026-11-22T10:00:00.000Z',
  updatedAt: '2026-11-22T10:00:01.000Z',
  approvalDeadline: '2026-11-23T10:00:00.000Z',
  inquiry: {
    accountName: 'Dhany',
    amount: { value: '10000.00', currency: 'IDR' },
    fee: { value: '500.00', currency: 'IDR' },
    grossAmount: { value: '10500.00', currency: 'IDR' },
    minAmount: { value: '10000.00', currency: 'IDR' },
    maxAmount: { value: '2000000.00', currency: 'IDR' },
  },
  timeline: [
    { status: 'VALIDATING', at: '2026-11-22T10:00:00.000Z' },
    { status: 'AWAITING_APPROVAL', at: '2026-11-22T10:00:01.000Z' },
  ],
} as const;

export const EXAMPLES = {
  createPayout: {
    reference: 'INV-2026-0001',
    destination: { type: 'EWALLET', ewallet: 'DANA', customerNumber: '085733347341' },
    amount: { value: '10000.00', currency: 'IDR' },
    description: 'Cashback November',
    provider: 'singapay',
    beneficiaryEmail: 'dhany@example.com',
    approvalTimeout: 'PT24H',
    scheduledAt: '2026-11-23T09:00:00+07:00',
  },
  payout: PAYOUT_EXAMPLE,

  approve: { comment: 'ok' },
  reject: { reason: 'duplicate invoice' },
  cancel: { reason: 'wrong amount' },
  resolve: { outcome: 'FAILED', reason: 'the provider confirmed by phone that nothing was paid' },
  createWebhookEndpoint: {
    url: 'https://merchant.example/webhooks/payouts',
    events: ['payout.succeeded', 'payout.failed'],
    description: 'Ledger sync',
  },
  createdWebhookEndpoint: {
    id: 'we_33b567e13e2667ea5b8c56c1',
    url: 'https://merchant.example/webhooks/payouts',
    events: ['payout.succeeded', 'payout.failed'],
    description: 'Ledger sync',
    createdAt: '2026-11-22T10:00:00.000Z',
    secret: 'whsec_FwHhljlXat3Kh2sc0RFdboS/gOnTs1bp8VcmoUjnqCQ=',
  },
  webhookEndpoint: {
    id: 'we_33b567e13e2667ea5b8c56c1',
    url: 'https://merchant.example/webhooks/payouts',
    events: ['payout.succeeded', 'payout.failed'],
    description: 'Ledger sync',
    createdAt: '2026-11-22T10:00:00.000Z',
  },
  rotatedSecret: { secret: 'whsec_cjAMpLZcrzg/cSE2zVLFFjiXQJk3hKizdayB4hywj6o=', previousSecretValidUntil: '2026-11-23T10:00:00.000Z' },
  noFields: {},
  createBatch: {
    reference: 'PAYROLL-2026-11',
    description: 'Payroll November',
    approvalTimeout: 'PT48H',
    items: [
      { reference: 'PAYROLL-2026-11-001', destination: { type: 'EWALLET', ewallet: 'DANA', customerNumber: '085733347341' }, amount: { value: '2500000.00', currency: 'IDR' } },
      { reference: 'PAYROLL-2026-11-002', destination: { type: 'BANK_ACCOUNT', bankCode: '014', accountNumber: '1234567890' }, amount: { value: '3100000.00', currency: 'IDR' } },
    ],
  },
  approveBatch: { expectedTotal: { value: '5600000.00', currency: 'IDR' }, expectedCount: 2, excludeReferences: [], comment: 'payroll checked' },
  createReconciliation: { date: '2026-11-22', provider: 'faspay' },
  reconciliationAccepted: { id: 'reconciliation-2026-11-22-faspay-5f0c2a9e81d4' },
  reconciliationRun: {
    id: 'reconciliation-2026-11-22-faspay-5f0c2a9e81d4',
    date: '2026-11-22',
    provider: 'faspay',
    trigger: 'api',
    requestedBy: 'admin@local',
    status: 'COMPLETED',
    startedAt: '2026-11-23T02:00:00.000Z',
    completedAt: '2026-11-23T02:00:04.000Z',
    cutoff: '2026-11-23T02:00:00.000Z',
    providers: [
      {
        provider: 'faspay',
        supports: ['UNKNOWN_AT_PROVIDER', 'UNKNOWN_TO_US', 'AMOUNT_MISMATCH', 'STATUS_MISMATCH', 'DUPLICATE', 'FEE_MISMATCH'],
        ours: { count: 3, total: 85000 },
        matched: { count: 2, total: 60000 },
        pending: { count: 0, total: 0 },
        breaks: { UNKNOWN_AT_PROVIDER: 0, UNKNOWN_TO_US: 0, AMOUNT_MISMATCH: 1, STATUS_MISMATCH: 0, DUPLICATE: 0, FEE_MISMATCH: 0 },
        balance: { available: 48915000, at: '2026-11-23T02:00:01.000Z' },
      },
    ],
    breaks: [
      {
        kind: 'AMOUNT_MISMATCH',
        provider: 'faspay',
        reference: 'INV-2026-0007',
        ours: { reference: 'INV-2026-0007', provider: 'faspay', status: 'SUCCEEDED', amount: 25000, fee: 2500, submittedAt: '2026-11-22T03:10:00.000Z', providerReference: '20261122031000123' },
        theirs: [
          {
            source: 'history',
            role: 'transfer',
            entry: { at: '2026-11-22T03:10:02.000Z', amount: 20000, direction: 'DEBIT', remark: 'INV-2026-0007', status: 'SUCCESS', type: 'TRANSFER' },
          },
        ],
        detail: 'we sent IDR 25000, the provider moved IDR 20000',
      },
    ],
    flagged: [],
    breakCounts: { UNKNOWN_AT_PROVIDER: 0, UNKNOWN_TO_US: 0, AMOUNT_MISMATCH: 1, STATUS_MISMATCH: 0, DUPLICATE: 0, FEE_MISMATCH: 0 },
  },
  // The event the example payout sent when it entered AWAITING_APPROVAL, made by the code that makes events.
  webhookEvent: payoutEvent(PAYOUT_EXAMPLE as unknown as Payout, 2),
  // A reconciliation run's only break of a closed payout: Faspay gave back a transfer we show as SUCCEEDED.
  reconciliationBreakEvent: reconciliationBreakEvents({ id: 'reconciliation-daily.payouts-2026-11-22T19:00:00Z', date: '2026-11-22' }, [RECONCILIATION_BREAK_EXAMPLE], '2026-11-22T19:00:06.000Z')[0]!,
  problem: {
    type: 'https://payouts.local/problems/validation-error',
    title: 'Your request is not valid.',
    status: 400,
    detail: 'Some fields are not valid; see `errors`.',
    instance: '/v1/payouts',
    errors: [{ pointer: '/amount/value', detail: 'must be a whole-rupiah decimal string with two zero decimals, e.g. "10000.00"' }],
  },
} as const;

/** Which schema each example must satisfy (checked by the tests). */
export const EXAMPLE_SCHEMAS: Record<keyof typeof EXAMPLES, z.ZodType> = {
  createPayout: createPayoutSchema(() => Date.parse('2026-11-22T00:00:00Z'), [EXAMPLES.createPayout.provider]),
  payout: payoutSchema,
  approve: approveBodySchema,
  reject: rejectBodySchema,
  cancel: cancelBodySchema,
  resolve: resolveBodySchema,
  createWebhookEndpoint: createEndpointBodySchema,
  createdWebhookEndpoint: createdEndpointSchema,
  webhookEndpoint: endpointSchema,
  rotatedSecret: rotatedSecretSchema,
  noFields: emptyBodySchema,
  createBatch: createBatchSchema([EXAMPLES.createPayout.provider, 'faspay'], () => Date.parse('2026-11-22T00:00:00Z')),
  approveBatch: approveBatchBodySchema,
  createReconciliation: createReconciliationSchema(['singapay', 'faspay']),
  reconciliationAccepted: reconciliationAcceptedSchema,
  reconciliationRun: reconciliationRunSchema,
  webhookEvent: webhookEventSchema,
  reconciliationBreakEvent: reconciliationBreakEventSchema,
  problem: problemSchema,
};

interface Operation {
  method: 'get' | 'post' | 'delete';
  path: string;
  /** Stable: client generators name their functions after it. Never change one. */
  operationId: string;
  summary: string;
  roles: string;
  /** No API key: the route is open, or authenticated by other means (a provider's signature). */
  public?: true;
  /** `optional`: the body may be left out (an empty object is the same). `csv`: also taken as text/csv, described so. */
  body?: { schema: z.ZodType; example: keyof typeof EXAMPLES; optional?: true; csv?: string };
  query?: z.ZodObject;
  /** A decision: takes an optional Idempotency-Key header (a retry after a 503 joins the first attempt). */
  decision?: boolean;
  ok: { status: string; description: string; schema?: z.ZodType; example?: keyof typeof EXAMPLES; location?: string; csv?: true };
  /** Another success status with the same body (create's `200` for the same body again). */
  alsoOk?: { status: string; description: string };
  errors: Record<string, string>;
}

/** The answers every route that needs Temporal can give when it cannot be reached in time. */
const TEMPORAL_DOWN = 'Temporal unreachable or too slow: nothing was decided; retry later (Retry-After)';
const DECISION_PENDING = 'the workflow did not confirm in time; the decision may still apply (read the payout, or retry with the same Idempotency-Key)';
const NOT_ADMIN = 'not an admin';

/** Path parameters by name; `{id}` is a payout's id except under /v1/webhook-endpoints. */
function pathParameter(name: string, path: string, providerKeys: readonly string[]): Record<string, unknown> {
  if (name === 'id' && path.startsWith('/v1/webhook-endpoints/')) {
    return { name, in: 'path', required: true, description: 'The endpoint id: `we_` and 24 hex digits.', schema: { type: 'string', pattern: '^we_[0-9a-f]{24}$' } };
  }
  if (name === 'eventId') {
    return {
      name,
      in: 'path',
      required: true,
      description:
        'The event id, `evt_<payout reference>.<sequence>`, `evt_batch:<batch reference>.<sequence>` or `evt_reconciliation:<run id>.<sequence>` (the `webhook-id` header of its deliveries).',
      schema: { type: 'string', pattern: EVENT_ID_PATTERN.source },
    };
  }
  if (name === 'id' && path.startsWith('/v1/reconciliations/')) {
    return {
      name,
      in: 'path',
      required: true,
      description: 'The run id: `reconciliation-<date>-<provider or all>-<nonce>` (the `id` POST answered), or a scheduled run\'s `reconciliation-daily…` id.',
      schema: { type: 'string', pattern: RECONCILIATION_ID_PATTERN.source },
    };
  }
  if (name === 'provider') return { name, in: 'path', required: true, schema: { type: 'string', enum: providerKeys } };
  return { name, in: 'path', required: true, schema: { type: 'string', pattern: '^[A-Za-z0-9._-]{1,64}$' } };
}

/** Every route of the API; the provider names come from the registry. */
export function operations(providerKeys: readonly string[]): Operation[] {
  return [
  {
    method: 'post',
    operationId: 'createPayout',
    path: '/v1/payouts',
    summary: 'Create a payout (idempotent by reference)',
    roles: 'requester',
    body: { schema: createPayoutSchema(Date.now, providerKeys), example: 'createPayout' },
    ok: { status: '201', description: 'Created.', schema: payoutSchema, example: 'payout' },
    alsoOk: { status: '200', description: 'The same reference came again with the same body: the payout as it stands, nothing new started.' },
    errors: { '400': 'invalid body, or a provider that cannot serve the destination or is not configured', '401': 'no or wrong API key', '403': 'missing role', '409': 'same reference, different body', '503': TEMPORAL_DOWN },
  },
  {
    method: 'get',
    operationId: 'listPayouts',
    path: '/v1/payouts',
    summary: 'List payouts, newest first',
    roles: 'any',
    query: listQuerySchema(providerKeys),
    ok: { status: '200', description: 'A page of payouts, each as of its last status change, and the cursor of the next page (null at the end).', schema: payoutListSchema },
    errors: { '400': 'invalid filter or cursor', '401': 'no or wrong API key', '503': TEMPORAL_DOWN },
  },
  {
    method: 'get',
    operationId: 'getPayout',
    path: '/v1/payouts/{id}',
    summary: 'Read a payout',
    roles: 'any',
    ok: { status: '200', description: 'The payout.', schema: payoutSchema, example: 'payout' },
    errors: { '401': 'no or wrong API key', '404': 'no such payout', '503': TEMPORAL_DOWN },
  },
  {
    method: 'post',
    operationId: 'approvePayout',
    path: '/v1/payouts/{id}/approve',
    summary: 'Approve a payout (never by its requester)',
    roles: 'approver',
    body: { schema: approveBodySchema, example: 'approve' },
    decision: true,
    ok: { status: '200', description: 'The payout, now PROCESSING or SCHEDULED, or still AWAITING_APPROVAL when its approval policy needs more distinct approvers (`approvals` shows them so far).', schema: payoutSchema },
    errors: {
      '400': 'invalid body or Idempotency-Key',
      '401': 'no or wrong API key',
      '403': 'four eyes or missing role',
      '404': 'no such payout',
      '409': 'not awaiting approval; `already-approved` (the same approver again); `limit-exceeded` (a daily spending limit: the problem gives `scope`, `limit`, `used`, `remaining`, `requested`, `day`)',
      '503': `${DECISION_PENDING}; or \`limits-unavailable\`: the spending limits could not be checked and nothing was approved`,
    },
  },
  {
    method: 'post',
    operationId: 'rejectPayout',
    path: '/v1/payouts/{id}/reject',
    summary: 'Reject a payout',
    roles: 'approver',
    body: { schema: rejectBodySchema, example: 'reject' },
    decision: true,
    ok: { status: '200', description: 'The payout, now REJECTED.', schema: payoutSchema },
    errors: { '400': 'no reason, or an invalid Idempotency-Key', '401': 'no or wrong API key', '403': 'missing role', '404': 'no such payout', '409': 'not awaiting approval', '503': DECISION_PENDING },
  },
  {
    method: 'post',
    operationId: 'cancelPayout',
    path: '/v1/payouts/{id}/cancel',
    summary: 'Cancel a payout before it is submitted',
    roles: 'requester (own payouts) or admin',
    body: { schema: cancelBodySchema, example: 'cancel' },
    decision: true,
    ok: { status: '200', description: 'The payout, now CANCELLED; nothing was or will be sent.', schema: payoutSchema },
    errors: { '400': 'invalid body or Idempotency-Key', '401': 'no or wrong API key', '403': 'not your payout', '404': 'no such payout', '409': 'already submitted (the trigger may be out) or final', '503': DECISION_PENDING },
  },
  {
    method: 'post',
    operationId: 'resolvePayout',
    path: '/v1/payouts/{id}/resolve',
    summary: 'Resolve a payout that needs attention as SUCCEEDED or FAILED',
    roles: 'admin (never the payout\'s requester)',
    body: { schema: resolveBodySchema, example: 'resolve' },
    decision: true,
    ok: { status: '200', description: 'The payout, now SUCCEEDED or FAILED, with `resolution` (who, when, why).', schema: payoutSchema },
    errors: { '400': 'invalid outcome or no reason, or an invalid Idempotency-Key', '401': 'no or wrong API key', '403': 'not an admin, or the requester', '404': 'no such payout', '409': 'not NEEDS_ATTENTION', '503': DECISION_PENDING },
  },
  {
    method: 'post',
    operationId: 'createBatch',
    path: '/v1/batches',
    summary: 'Create a batch of payouts from JSON or CSV (idempotent by reference)',
    roles: 'requester',
    body: {
      schema: createBatchSchema(providerKeys),
      example: 'createBatch',
      csv: `CSV (Content-Type: text/csv, at most 8 MiB): a header line \`${CSV_COLUMNS.join(',')}\` and one payout per line (unused columns empty); the batch's reference, description, approvalTimeout and scheduledAt come as query parameters. Errors point at \`/rows/<line>/<column>\`.`,
    },
    ok: { status: '201', description: 'Created: every row is now a payout running its account inquiry (status VALIDATING).', schema: batchSchema },
    alsoOk: { status: '200', description: 'The same reference came again with the same body: the batch as it stands (rows not yet handed over are handed over now).' },
    errors: {
      '400': 'invalid body or rows (a pointer per bad row: /items/12/amount/value, or /rows/13/amount for CSV); nothing was started',
      '401': 'no or wrong API key',
      '403': 'missing role',
      '409': 'same reference with another body, or item references that other payouts use (listed in `references`)',
      '413': 'body larger than 8 MiB',
      '503': TEMPORAL_DOWN,
    },
  },
  {
    method: 'get',
    operationId: 'listBatches',
    path: '/v1/batches',
    summary: 'List batches, newest first',
    roles: 'any',
    query: batchListQuerySchema,
    ok: { status: '200', description: 'A page of batches, each as of its last status change.', schema: batchListSchema },
    errors: { '400': 'invalid cursor', '401': 'no or wrong API key', '503': TEMPORAL_DOWN },
  },
  {
    method: 'get',
    operationId: 'getBatch',
    path: '/v1/batches/{id}',
    summary: 'Read a batch: counts per row status, the ready total and fees, the decision',
    roles: 'any',
    ok: { status: '200', description: 'The batch.', schema: batchSchema },
    errors: { '401': 'no or wrong API key', '404': 'no such batch', '503': TEMPORAL_DOWN },
  },
  {
    method: 'get',
    operationId: 'listBatchItems',
    path: '/v1/batches/{id}/items',
    summary: "A batch's rows in row order, optionally of one status",
    roles: 'any',
    query: batchItemsQuerySchema,
    ok: { status: '200', description: 'A page of rows; each is also a payout at /v1/payouts/{reference}.', schema: batchItemListSchema },
    errors: { '400': 'invalid filter or cursor', '401': 'no or wrong API key', '404': 'no such batch', '503': TEMPORAL_DOWN },
  },
  {
    method: 'get',
    operationId: 'getBatchItemsCsv',
    path: '/v1/batches/{id}/items.csv',
    summary: "Every row's result as CSV",
    roles: 'any',
    ok: { status: '200', description: 'row,reference,status,provider,amount,fee,account_name,failure_code,reason,provider_reference,updated_at', csv: true },
    errors: { '401': 'no or wrong API key', '404': 'no such batch', '503': TEMPORAL_DOWN },
  },
  {
    method: 'post',
    operationId: 'approveBatch',
    path: '/v1/batches/{id}/approve',
    summary: 'Approve the whole batch: the total and count you expect must be what it pays',
    roles: 'approver',
    decision: true,
    body: { schema: approveBatchBodySchema, example: 'approveBatch' },
    ok: { status: '200', description: 'The batch, now PROCESSING (or SCHEDULED); excluded rows end CANCELLED. Still AWAITING_APPROVAL when its approval policy needs more distinct approvers (`approvals` so far).', schema: batchSchema },
    errors: {
      '400': 'invalid body, or excluded references that are not rows of this batch',
      '401': 'no or wrong API key',
      '403': 'four eyes (the requester of the batch) or missing role',
      '404': 'no such batch',
      '409': 'not awaiting approval, rows still validating or unverified, or the figures differ (the problem gives `actual`); `already-approved`; `batch-exclusions-differ` (every approval excludes the rows the first one did); `limit-exceeded` (the rows together exceed a daily limit: `remaining`; exclude rows)',
      '503': DECISION_PENDING,
    },
  },
  {
    method: 'post',
    operationId: 'rejectBatch',
    path: '/v1/batches/{id}/reject',
    summary: 'Reject the whole batch: every row ends REJECTED',
    roles: 'approver',
    decision: true,
    body: { schema: rejectBodySchema, example: 'reject' },
    ok: { status: '200', description: 'The batch, REJECTED.', schema: batchSchema },
    errors: { '400': 'invalid body', '401': 'no or wrong API key', '403': 'missing role', '404': 'no such batch', '409': 'not awaiting approval', '503': DECISION_PENDING },
  },
  {
    method: 'post',
    operationId: 'cancelBatch',
    path: '/v1/batches/{id}/cancel',
    summary: 'Cancel the batch: rows not yet submitted stop',
    roles: 'requester (own) or admin',
    decision: true,
    body: { schema: cancelBodySchema, example: 'cancel', optional: true },
    ok: { status: '200', description: 'The batch: CANCELLED, or PROCESSING with `cancellation` while the rows already submitted finish (it then ends COMPLETED).', schema: batchSchema },
    errors: { '400': 'invalid body', '401': 'no or wrong API key', '403': 'not the requester', '404': 'no such batch', '409': 'already final or being cancelled, or still receiving its rows', '503': DECISION_PENDING },
  },
  {
    method: 'post',
    operationId: 'retryUnverifiedBatchRows',
    path: '/v1/batches/{id}/retry-unverified',
    summary: 'Run the account inquiries of the UNVERIFIED rows again',
    roles: 'requester or approver',
    decision: true,
    body: { schema: emptyDecisionBodySchema, example: 'noFields', optional: true },
    ok: { status: '200', description: 'The batch; its unverified rows are validating again.', schema: batchSchema },
    errors: { '400': 'invalid body', '401': 'no or wrong API key', '403': 'missing role', '404': 'no such batch', '409': 'no unverified row, or the batch was decided', '503': DECISION_PENDING },
  },
  {
    method: 'get',
    operationId: 'getLimits',
    path: '/v1/limits',
    summary: "Today's (Asia/Jakarta) spending against the approval policy's daily limits",
    roles: 'approver or admin (any requester and destination); a requester for itself',
    query: limitsQuerySchema,
    ok: { status: '200', description: 'Used and remaining amounts of the requester (default: the caller) and of the destination (an account number), today.', schema: limitsSchema },
    errors: { '400': 'invalid query', '401': 'no or wrong API key', '403': "a requester asking for another principal's or a destination's figures", '503': TEMPORAL_DOWN },
  },
  {
    method: 'post',
    operationId: 'createReconciliation',
    path: '/v1/reconciliations',
    summary: "Reconcile one Jakarta day's payouts against the providers' own records",
    roles: 'admin',
    body: { schema: createReconciliationSchema(providerKeys), example: 'createReconciliation' },
    ok: {
      status: '202',
      description:
        'Started: a new run every time (reconciling a day again gives a run with the same report). Read it at `Location` until `status` is COMPLETED. `provider` left out reconciles every provider this deployment configures.',
      schema: reconciliationAcceptedSchema,
      example: 'reconciliationAccepted',
      location: 'The run: /v1/reconciliations/{id}.',
    },
    errors: {
      '400':
        "invalid body; a date that is not a calendar day, is after today (Asia/Jakarta), is older than the namespace's retention (its payouts are gone from Temporal), or, with Faspay reconciled, older than its history reaches (89 days); a provider not configured here",
      '401': 'no or wrong API key',
      '403': NOT_ADMIN,
      '503': TEMPORAL_DOWN,
    },
  },
  {
    method: 'get',
    operationId: 'listReconciliations',
    path: '/v1/reconciliations',
    summary: "A day's reconciliation runs, or the latest runs, newest first",
    roles: 'approver or admin',
    query: reconciliationListQuerySchema,
    ok: {
      status: '200',
      description: `With \`date\`: that day's runs (at most ${RUNS_PER_DAY}); without: the latest ${LATEST_RUNS} runs. Each run as of its last change, without \`breaks\` (read a run by id for them; \`breakCounts\` and each provider's \`breaks\` count them). Read from Temporal visibility: a run just started may take a moment to show.`,
      schema: reconciliationListSchema,
    },
    errors: { '400': 'a date that is not a calendar day, or an unknown parameter', '401': 'no or wrong API key', '403': 'not an approver or admin', '503': TEMPORAL_DOWN },
  },
  {
    method: 'get',
    operationId: 'getReconciliation',
    path: '/v1/reconciliations/{id}',
    summary: 'Read a reconciliation run: per provider counts, totals and balance, and every break with both sides\' records',
    roles: 'approver or admin',
    ok: {
      status: '200',
      description:
        'The run. RUNNING: `providers` and `breaks` are empty until COMPLETED. FAILED: the run ended without a report (its workflow failed, timed out or was terminated). Amounts are whole rupiah.',
      schema: reconciliationRunSchema,
      example: 'reconciliationRun',
    },
    errors: { '401': 'no or wrong API key', '403': 'not an approver or admin', '404': 'no such run', '503': TEMPORAL_DOWN },
  },
  {
    method: 'get',
    operationId: 'getMe',
    path: '/v1/me',
    summary: 'Who the API key belongs to',
    roles: 'any',
    ok: { status: '200', description: '{ principal, roles }.' },
    errors: { '401': 'no or wrong API key' },
  },
  {
    method: 'post',
    operationId: 'createWebhookEndpoint',
    path: '/v1/webhook-endpoints',
    summary: 'Register a webhook endpoint; its signing secret is shown only in this answer',
    roles: 'admin',
    body: { schema: createEndpointBodySchema, example: 'createWebhookEndpoint' },
    ok: {
      status: '201',
      description: 'Registered. `secret` (Standard Webhooks, `whsec_…`) verifies its deliveries; it is never shown again (rotate it to get a new one). `events` left out means every event type.',
      schema: createdEndpointSchema,
      example: 'createdWebhookEndpoint',
      location: 'The endpoint: /v1/webhook-endpoints/{id}.',
    },
    errors: {
      '400': 'invalid body, or a URL that cannot receive webhooks (not http(s), https required in production, a user name or password, a fragment, or an address it resolves to that is loopback, private, link-local or reserved)',
      '401': 'no or wrong API key',
      '403': NOT_ADMIN,
      '503': "Temporal unreachable or too slow (the endpoint may still have been created: list the endpoints before registering it again), or DNS did not answer for the URL's host",
    },
  },
  {
    method: 'get',
    operationId: 'listWebhookEndpoints',
    path: '/v1/webhook-endpoints',
    summary: 'List the webhook endpoints (never their secrets)',
    roles: 'admin',
    query: listEndpointsQuerySchema,
    ok: { status: '200', description: 'Every endpoint, in the order they were registered; `nextCursor` is always null.', schema: endpointListSchema },
    errors: { '400': 'a query parameter (none are taken)', '401': 'no or wrong API key', '403': NOT_ADMIN, '503': TEMPORAL_DOWN },
  },
  {
    method: 'get',
    operationId: 'getWebhookEndpoint',
    path: '/v1/webhook-endpoints/{id}',
    summary: 'Read a webhook endpoint (never its secret)',
    roles: 'admin',
    ok: { status: '200', description: 'The endpoint; `previousSecretValidUntil` after a rotation: until then deliveries carry a signature under the previous secret too.', schema: endpointSchema, example: 'webhookEndpoint' },
    errors: { '401': 'no or wrong API key', '403': NOT_ADMIN, '404': 'no such endpoint', '503': TEMPORAL_DOWN },
  },
  {
    method: 'delete',
    operationId: 'deleteWebhookEndpoint',
    path: '/v1/webhook-endpoints/{id}',
    summary: 'Delete a webhook endpoint',
    roles: 'admin',
    ok: { status: '204', description: 'Deleted: nothing more is sent to it, events still waiting for it included. Its delivery log stays in Temporal until retention removes it.' },
    errors: { '401': 'no or wrong API key', '403': NOT_ADMIN, '404': 'no such endpoint', '503': 'Temporal unreachable or too slow; the deletion may still apply (read the endpoint)' },
  },
  {
    method: 'post',
    operationId: 'rotateWebhookEndpointSecret',
    path: '/v1/webhook-endpoints/{id}/rotate-secret',
    summary: "Rotate a webhook endpoint's signing secret",
    roles: 'admin',
    body: { schema: emptyBodySchema, example: 'noFields', optional: true },
    ok: {
      status: '200',
      description: 'The new secret, shown only here. Until `previousSecretValidUntil` every delivery carries two signatures (`webhook-signature`), under the new and the previous secret, so the receiver can switch without refusing one.',
      schema: rotatedSecretSchema,
      example: 'rotatedSecret',
    },
    errors: { '400': 'a field in the body (none are taken)', '401': 'no or wrong API key', '403': NOT_ADMIN, '404': 'no such endpoint', '503': 'Temporal unreachable or too slow; the rotation may still apply (rotate again to get a secret you know)' },
  },
  {
    method: 'get',
    operationId: 'listWebhookDeliveries',
    path: '/v1/webhook-endpoints/{id}/deliveries',
    summary: "An endpoint's delivery log: one entry per event, newest payout first, then by sequence",
    roles: 'admin',
    query: deliveriesQuerySchema,
    ok: { status: '200', description: 'A page of the log, and the cursor of the next page (null at the end). The log is read through Temporal visibility, so it may lag a moment behind the deliveries.', schema: deliveryListSchema },
    errors: { '400': 'invalid limit or cursor', '401': 'no or wrong API key', '403': NOT_ADMIN, '404': 'no such endpoint', '503': TEMPORAL_DOWN },
  },
  {
    method: 'post',
    operationId: 'redeliverWebhookEvent',
    path: '/v1/webhook-endpoints/{id}/deliveries/{eventId}/redeliver',
    summary: 'Send an event to an endpoint again, whatever its state',
    roles: 'admin',
    body: { schema: emptyBodySchema, example: 'noFields', optional: true },
    ok: { status: '202', description: 'Queued: the event is PENDING and goes out after the events before it, with the usual retries.', schema: redeliveryAcceptedSchema },
    errors: {
      '400': 'a field in the body (none are taken)',
      '401': 'no or wrong API key',
      '403': NOT_ADMIN,
      '404': 'no such endpoint, or the endpoint has no delivery of this event',
      '409': "this payout's deliveries to the endpoint were stopped (their workflow was terminated or failed): its events cannot be sent again",
      '503': TEMPORAL_DOWN,
    },
  },
  { method: 'get', path: '/console', operationId: 'getConsolePage', summary: 'The approvals console (HTML)', roles: 'none (the page signs in with an API key)', public: true, ok: { status: '200', description: 'HTML.' }, errors: {} },
  { method: 'get', path: '/console/app.js', operationId: 'getConsoleScript', summary: "The console's script", roles: 'none', public: true, ok: { status: '200', description: 'JavaScript.' }, errors: {} },
  { method: 'get', path: '/console/style.css', operationId: 'getConsoleStyles', summary: "The console's styles", roles: 'none', public: true, ok: { status: '200', description: 'CSS.' }, errors: {} },
  { method: 'get', path: '/console/config.json', operationId: 'getConsoleConfig', summary: "The console's settings (Web UI address, providers)", roles: 'none', public: true, ok: { status: '200', description: '{ temporalUiUrl, namespace, providers: [{ key, name }] }.' }, errors: {} },
  {
    method: 'post',
    operationId: 'receiveProviderCallback',
    path: '/v1/callbacks/{provider}',
    summary: "A provider's callback: a hint to check the payout's status now",
    roles: "the provider's own signature over the request (docs/providers/<provider>.md); fresh within 5 minutes",
    public: true,
    ok: { status: '200', description: "Received (also for an unknown reference, which is logged); the body is the acknowledgement the provider expects." },
    errors: { '401': 'the signature does not verify, or the callback is not fresh', '404': 'no such provider', '503': 'Temporal unreachable: the provider should send it again' },
  },
  { method: 'get', path: '/healthz', operationId: 'getHealth', summary: 'The process is alive', roles: 'none', public: true, ok: { status: '200', description: 'Alive.' }, errors: {} },
  { method: 'get', path: '/readyz', operationId: 'getReadiness', summary: 'Temporal is reachable', roles: 'none', public: true, ok: { status: '200', description: 'Ready.' }, errors: { '503': 'Temporal unreachable' } },
  // /codec/decode and /codec/encode are not here: they listen on CODEC_PORT (loopback), never on this API's port.
  { method: 'get', path: '/metrics', operationId: 'getMetrics', summary: 'Prometheus metrics of the API', roles: 'none', public: true, ok: { status: '200', description: 'Prometheus text.' }, errors: {} },
  { method: 'get', path: '/openapi.json', operationId: 'getOpenApiDocument', summary: 'This document', roles: 'none', public: true, ok: { status: '200', description: 'OpenAPI 3.1.' }, errors: {} },
  { method: 'get', path: '/docs', operationId: 'getDocsPage', summary: 'This document as a page', roles: 'none', public: true, ok: { status: '200', description: 'HTML.' }, errors: {} },
  ];
}

export function buildOpenApiDocument(providers: readonly ProviderDescription[]): Record<string, unknown> {
  const providerKeys = providers.map(({ key }) => key);
  const paths: Record<string, Record<string, unknown>> = {};
  for (const op of operations(providerKeys)) {
    const parameters: unknown[] = [...op.path.matchAll(/\{(\w+)\}/g)].map(([, name]) => pathParameter(name!, op.path, providerKeys));
    if (op.decision) {
      parameters.push({
        name: 'Idempotency-Key',
        in: 'header',
        required: false,
        description: 'Makes a retried decision join the first attempt instead of deciding again (1–128 printable characters).',
        schema: { type: 'string', pattern: '^[\\x21-\\x7e]{1,128}$' },
      });
    }
    if (op.query) {
      for (const [name, schema] of Object.entries(op.query.shape)) {
        parameters.push({ name, in: 'query', required: false, schema: jsonSchema(schema as z.ZodType, 'input') });
      }
    }
    const problem = { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } };
    paths[op.path] ??= {};
    paths[op.path]![op.method] = {
      summary: op.summary,
      description: `Role: ${op.roles}.`,
      operationId: op.operationId,
      // Routes without an API key say so (an empty list), rather than inheriting nothing by silence.
      security: op.public ? [] : [{ apiKey: [] }],
      ...(parameters.length > 0 && { parameters }),
      ...(op.body && {
        requestBody: {
          required: !op.body.optional,
          content: {
            'application/json': { schema: jsonSchema(op.body.schema, 'input'), example: EXAMPLES[op.body.example] },
            ...(op.body.csv && { 'text/csv': { schema: { type: 'string', description: op.body.csv } } }),
          },
        },
      }),
      responses: {
        [op.ok.status]: {
          description: op.ok.description,
          ...(op.ok.location && { headers: { Location: { description: op.ok.location, schema: { type: 'string' } } } }),
          ...(op.ok.csv && { content: { 'text/csv': { schema: { type: 'string' } } } }),
          ...(op.ok.schema && {
            content: {
              'application/json': { schema: jsonSchema(op.ok.schema, 'output'), ...(op.ok.example && { example: EXAMPLES[op.ok.example] }) },
            },
          }),
        },
        ...(op.alsoOk && {
          [op.alsoOk.status]: {
            description: op.alsoOk.description,
            ...(op.ok.schema && { content: { 'application/json': { schema: jsonSchema(op.ok.schema, 'output') } } }),
          },
        }),
        ...Object.fromEntries(Object.entries(errorsOf(op)).map(([status, description]) => [status, { description, content: problem }])),
      },
    };
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'Payouts API',
      version: '0.1.0',
      license: { name: 'Proprietary (UNLICENSED)' },
      description: `Durable payouts to Indonesian e-wallets, bank accounts and virtual accounts on Temporal. Errors are RFC 9457 problem+json.\n\nProviders (\`provider\`):\n${providers.map(describeProvider).join('\n')}`,
    },
    // Relative: the document describes the API that serves it, wherever that runs.
    servers: [{ url: '/', description: 'the API serving this document' }],
    components: {
      securitySchemes: { apiKey: { type: 'http', scheme: 'bearer', description: 'An API key: `Authorization: Bearer <key>`.' } },
      schemas: {
        Problem: { ...jsonSchema(problemSchema, 'output'), example: EXAMPLES.problem },
        WebhookEvent: { ...jsonSchema(webhookEventSchema, 'output'), example: EXAMPLES.webhookEvent },
        ReconciliationBreakEvent: { ...jsonSchema(reconciliationBreakEventSchema, 'output'), example: EXAMPLES.reconciliationBreakEvent },
      },
    },
    paths,
    webhooks: webhooksSection(),
  };
}

/** The Standard Webhooks headers of every delivery (src/webhooks/signature.ts). */
const WEBHOOK_HEADERS = [
  {
    name: 'webhook-id',
    in: 'header',
    required: true,
    description:
      'The event id (`evt_<reference>.<sequence>`, `evt_batch:<reference>.<sequence>`, `evt_reconciliation:<run id>.<sequence>`), the same on every attempt and redelivery: deduplicate on it.',
    schema: { type: 'string', pattern: EVENT_ID_PATTERN.source },
  },
  {
    name: 'webhook-timestamp',
    in: 'header',
    required: true,
    description: 'When this attempt was signed, in Unix seconds: refuse one more than 5 minutes from your clock.',
    schema: { type: 'string', pattern: '^[0-9]{1,12}$' },
  },
  {
    name: 'webhook-signature',
    in: 'header',
    required: true,
    description:
      "`v1,<base64 HMAC-SHA256>` of `{webhook-id}.{webhook-timestamp}.{body}` under the endpoint's secret (the base64 after `whsec_`), space-separated: two while a rotated secret overlaps with the previous one. Accept the delivery when any of them verifies (any Standard Webhooks library does this).",
    schema: { type: 'string', pattern: '^v1,[A-Za-z0-9+/=]+( v1,[A-Za-z0-9+/=]+)*$' },
  },
];

/**
 * What the service sends to a registered endpoint, one entry per event type (EVENT_TYPES): a POST of
 * the event as JSON, signed as Standard Webhooks specifies.
 */
function webhooksSection(): Record<string, unknown> {
  const retries =
    'An event is retried with exponential backoff until a 2xx answer or the retry window ends, and can be redelivered by hand, so the same `webhook-id` may come more than once.';
  const order = (type: string) =>
    type === 'reconciliation.break'
      ? 'One event per break a reconciliation run found on a payout that is already closed (an open payout moves to NEEDS_ATTENTION instead), or on a transfer the service does not know (UNKNOWN_TO_US), sent when the run completes. ' +
        "A run's events arrive in order of `data.sequence` (1..n, the report's order); `data.last` is true on its last one. Each run numbers its own events: a day reconciled again sends its breaks again, under the new run's id."
      : type.startsWith('batch.')
        ? 'Events of one batch arrive in order of `data.sequence` (1 for batch.validating, then one per status).'
        : 'Events of one payout arrive in order of `data.sequence` (1 for payout.validating, then one per status).';
  return Object.fromEntries(
    EVENT_TYPES.map(({ type, description }) => [
      type,
      {
        post: {
          operationId: `on${type.split(/[._]/).map((word) => word.charAt(0).toUpperCase() + word.slice(1)).join('')}`,
          summary: description,
          description: `Sent to every endpoint subscribed to \`${type}\`. ${order(type)} ${retries}`,
          security: [],
          parameters: WEBHOOK_HEADERS,
          requestBody: {
            required: true,
            content: {
              'application/json': {
                schema:
                  type === 'reconciliation.break'
                    ? { $ref: '#/components/schemas/ReconciliationBreakEvent' }
                    : { allOf: [{ $ref: '#/components/schemas/WebhookEvent' }, { type: 'object', properties: { type: { const: type } } }] },
              },
            },
          },
          responses: {
            '200': { description: 'Delivered: any 2xx answer counts, and its body is ignored.' },
            default: { description: 'Any other answer, or none within the attempt timeout: the delivery is tried again later (a Retry-After on 429 or 503 is honoured).' },
          },
        },
      },
    ]),
  );
}

/**
 * The operation's own client errors, and those every route of its kind can answer: a path parameter
 * that is not valid percent-encoding is a 400, and a body over 64 KiB a 413 (the body parsers).
 */
function errorsOf(op: Operation): Record<string, string> {
  const takesBody = op.body !== undefined || op.path.startsWith('/v1/callbacks/');
  return {
    ...(op.path.includes('{') && { '400': 'a path parameter that is not valid percent-encoding' }),
    ...op.errors,
    ...(takesBody && { '413': 'a body over 64 KiB' }),
  };
}

/** One line per provider: what it pays to, and where it is the default route. */
function describeProvider({ key, name, capabilities }: ProviderDescription): string {
  const serves = [
    ...(capabilities.ewallets.length > 0 ? [`e-wallets ${capabilities.ewallets.join(', ')}`] : []),
    ...(capabilities.bankAccounts ? ['bank accounts'] : []),
    ...(capabilities.virtualAccounts ? ['virtual accounts'] : []),
  ];
  const { defaultFor } = capabilities;
  const defaults = [
    ...defaultFor.ewallets,
    ...(defaultFor.bankAccounts ? ['bank accounts'] : []),
    ...(defaultFor.virtualAccounts ? ['virtual accounts'] : []),
  ];
  return `- \`${key}\` (${name}): ${serves.join('; ') || 'nothing yet'}${defaults.length > 0 ? `; the default route for ${defaults.join(', ')}` : ''}.`;
}

const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** A plain, script-free page of the document: one section per operation. */
export function renderDocsPage(document: Record<string, unknown>): string {
  const paths = document.paths as Record<string, Record<string, { summary: string; description: string; requestBody?: unknown; responses: Record<string, { description: string }> }>>;
  const sections = Object.entries(paths).flatMap(([path, methods]) =>
    Object.entries(methods).map(([method, op]) => {
      const responses = Object.entries(op.responses)
        .map(([status, r]) => `<li><code>${status}</code> ${escapeHtml(r.description)}</li>`)
        .join('');
      const body = op.requestBody
        ? `<details><summary>Request body</summary><pre>${escapeHtml(JSON.stringify(op.requestBody, null, 2))}</pre></details>`
        : '';
      return `<section><h2><code>${method.toUpperCase()} ${escapeHtml(path)}</code></h2><p>${escapeHtml(op.summary)}. ${escapeHtml(op.description)}</p>${body}<ul>${responses}</ul></section>`;
    }),
  );
  const webhooks = Object.entries((document.webhooks ?? {}) as Record<string, { post: { summary: string; parameters: { name: string; description: string }[] } }>);
  const webhookSection =
    webhooks.length === 0
      ? ''
      : `<section><h2>Webhooks</h2><p>A registered endpoint (<code>POST /v1/webhook-endpoints</code>) receives a <code>POST</code> of each event it subscribes to, as JSON, with these headers (Standard Webhooks):</p><ul>${webhooks[0]![1].post.parameters
          .map((header) => `<li><code>${escapeHtml(header.name)}</code> ${escapeHtml(header.description)}</li>`)
          .join('')}</ul><p>Event types:</p><ul>${webhooks.map(([type, { post }]) => `<li><code>${escapeHtml(type)}</code> ${escapeHtml(post.summary)}</li>`).join('')}</ul></section>`;
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Payouts API</title>
<style>body{font-family:system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;line-height:1.5}pre{background:#f4f4f4;padding:1rem;overflow:auto}section{border-top:1px solid #ddd}</style>
</head><body><h1>Payouts API</h1><p>OpenAPI 3.1: <a href="/openapi.json">/openapi.json</a>. Authenticate with <code>Authorization: Bearer &lt;API key&gt;</code>.</p>${sections.join('\n')}${webhookSection}</body></html>`;
}
