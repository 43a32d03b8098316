// The webhook endpoints' requests and answers as zod schemas (issue 14): parsed once at the edge by
// webhook-routes.ts, and documented from the same schemas by openapi.ts.
import { z } from 'zod';
import { batchSchema } from './batch-schemas';
import { EVENT_TYPES } from '../domain/events';
import { ENDPOINT_ID_PATTERN } from '../domain/webhooks';
import { RECONCILIATION_DATE_PATTERN, RECONCILIATION_ID_PATTERN, reconciliationRunSchema } from './reconciliation-schemas';
import { payoutSchema } from './schemas';

/** Every event type an endpoint can subscribe to (the one list: src/domain/events.ts). */
export const EVENT_TYPE_NAMES = EVENT_TYPES.map(({ type }) => type) as [string, ...string[]];

/** As long as checkWebhookUrl accepts; the URL's own rules are checked there (and the address it resolves to). */
const MAX_URL_LENGTH = 2048;
const MAX_DESCRIPTION_LENGTH = 200;

export const createEndpointBodySchema = z.strictObject({
  url: z.string().min(1, 'a URL is required').max(MAX_URL_LENGTH, `must be at most ${MAX_URL_LENGTH} characters`),
  events: z
    .array(z.enum(EVENT_TYPE_NAMES, { error: `must be one of ${EVENT_TYPE_NAMES.join(', ')}` }))
    .min(1, 'subscribe to at least one event type, or leave `events` out for all of them')
    .refine((types) => new Set(types).size === types.length, 'each event type at most once')
    .optional(),
  description: z
    .string()
    .max(MAX_DESCRIPTION_LENGTH, `must be at most ${MAX_DESCRIPTION_LENGTH} characters`)
    // Shown in lists and logs: no control characters (line breaks included).
    .refine((text) => !/\p{Cc}/u.test(text), 'must not contain control characters')
    .optional(),
});
export type CreateEndpointBody = z.infer<typeof createEndpointBodySchema>;

/** Rotate and redeliver take no fields today; a JSON object (or no body) is accepted, so fields can come later. */
export const emptyBodySchema = z.strictObject({});

/** GET /v1/webhook-endpoints: no parameters (every endpoint fits one page). */
export const listEndpointsQuerySchema = z.strictObject({});

export const DELIVERY_CURSOR_PATTERN = /^[A-Za-z0-9_-]{1,512}$/;

export const deliveriesQuerySchema = z.strictObject({
  limit: z.coerce.number().int().min(1).max(100).default(20),
  cursor: z.string().regex(DELIVERY_CURSOR_PATTERN, 'must be a nextCursor from a previous page').optional(),
});

// --- answers ---

const at = z.string().datetime();

export const endpointSchema = z.object({
  id: z.string().regex(ENDPOINT_ID_PATTERN),
  url: z.string(),
  events: z.array(z.string()),
  description: z.string().optional(),
  createdAt: at,
  /** Set after a rotation: until then, deliveries are signed with the previous secret too. */
  previousSecretValidUntil: at.optional(),
});
export type EndpointView = z.infer<typeof endpointSchema>;

const secretSchema = z.string().regex(/^whsec_[A-Za-z0-9+/]+={0,2}$/);

export const createdEndpointSchema = endpointSchema.extend({ secret: secretSchema });

/** `nextCursor` is null today (every endpoint fits one page); a string would be the next page, as elsewhere. */
export const endpointListSchema = z.object({ items: z.array(endpointSchema), nextCursor: z.string().nullable() });

export const rotatedSecretSchema = z.object({ secret: secretSchema, previousSecretValidUntil: at });

export const deliveryRecordSchema = z.object({
  eventId: z.string(),
  type: z.string(),
  payoutId: z.string(),
  sequence: z.number().int().min(1),
  state: z.enum(['PENDING', 'DELIVERED', 'FAILED']),
  attempts: z.number().int().min(0),
  lastHttpStatus: z.number().int().optional(),
  lastError: z.string().optional(),
  createdAt: at,
  deliveredAt: at.optional(),
  nextAttemptAt: at.optional(),
  failedAt: at.optional(),
});

export const deliveryListSchema = z.object({ items: z.array(deliveryRecordSchema), nextCursor: z.string().nullable() });

export const redeliveryAcceptedSchema = z.object({ eventId: z.string(), state: z.literal('PENDING') });

/** An event id: `evt_<subject>.<sequence>`, the subject a payout reference, `batch:<reference>` or `reconciliation:<run id>`. */
export const EVENT_ID_PATTERN = new RegExp(`^evt_((batch:)?[A-Za-z0-9._-]{1,64}|reconciliation:${RECONCILIATION_ID_PATTERN.source.slice(1, -1)})\\.[1-9][0-9]*$`);

const sequence = z.number().int().min(1);

/** A `reconciliation.break` event's data (src/domain/events.ts ReconciliationBreakEvent). */
const reconciliationBreakDataSchema = z.object({
  reconciliation: z
    .object({ id: z.string().regex(RECONCILIATION_ID_PATTERN), date: z.string().regex(RECONCILIATION_DATE_PATTERN) })
    .describe('The run that found the break (GET /v1/reconciliations/{id}) and the Jakarta day it reconciled'),
  break: reconciliationRunSchema.shape.breaks.element.describe('The break as the run reports it, with both sides’ records (an account number the provider recorded masked to its last 4 digits)'),
  sequence: sequence.describe('1..n in the order of the run’s report'),
  last: z.boolean().describe('True on the run’s last event: no more come for this run'),
  omitted: z.number().int().min(1).optional().describe('On the last event only: breaks of closed payouts the run found beyond those it sent (at most 1,000 events per run)'),
});

/** The body of every webhook (src/domain/events.ts): a payout (destination number masked), a batch, or a reconciliation run's break, and the sequence. */
export const webhookEventSchema = z.object({
  id: z.string().regex(EVENT_ID_PATTERN),
  type: z.enum(EVENT_TYPE_NAMES),
  createdAt: at,
  /** A payout's events carry the payout; a batch's (`batch.<status>`) the batch; `reconciliation.break` the run and its break. */
  data: z.union([z.object({ payout: payoutSchema, sequence }), z.object({ batch: batchSchema, sequence }), reconciliationBreakDataSchema]),
});

/** The body of a `reconciliation.break` webhook. */
export const reconciliationBreakEventSchema = webhookEventSchema.extend({ type: z.literal('reconciliation.break'), data: reconciliationBreakDataSchema });
