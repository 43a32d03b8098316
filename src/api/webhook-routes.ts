// Webhook endpoints (issue 14), admin only: register, list, read, delete, rotate the secret, read the
// delivery log and redeliver an event. Temporal holds everything: the endpoints live in an entity
// workflow (changed through updates, read from its memo), each payout's deliveries to an endpoint in a
// delivery workflow (its log in the memo, listed through visibility). No secret is ever stored: it is
// derived from the master key and shown once, when made.
import { randomBytes } from 'node:crypto';
import { promises as dns } from 'node:dns';
import express, { type Request, type RequestHandler, type Response, type Router } from 'express';
import {
  WithStartWorkflowOperation,
  WorkflowUpdateFailedError,
  WorkflowUpdateRPCTimeoutOrCancelledError,
  type Client,
} from '@temporalio/client';
import { ApplicationFailure, WorkflowNotFoundError } from '@temporalio/common';
import { z } from 'zod';
import { describeSubject, payoutEventId } from '../domain/events';
import { temporalUnavailable } from './temporal-unavailable';
import { deliveryWorkflowId, endpointsWorkflowId, ENDPOINT_ID_PATTERN, type DeliveryRecord, type WebhookEndpoint } from '../domain/webhooks';
import { readEndpoints } from '../webhooks/directory';
import { deriveEndpointSecret } from '../webhooks/secrets';
import type { WebhookSettings } from '../webhooks/settings';
import { checkWebhookUrl, resolveDeliveryAddress, type Lookup } from '../webhooks/url-policy';
import type { webhookEndpointsWorkflow } from '../../workflows/webhook-endpoints';
import type { DeliveryWorkflowState, webhookDeliveryWorkflow } from '../../workflows/webhook-delivery';
import { createEndpointUpdate, deleteEndpointUpdate, EndpointRefusal, redeliverSignal, rotateSecretUpdate, type NewEndpoint } from '../../workflows/webhook-messages';
import { WEBHOOK_ENDPOINT_ID } from '../../workflows/search-attributes';
import { Problem, problems } from './problem';
import { parseInput } from './parse';
import { RECONCILIATION_ID_PATTERN } from './reconciliation-schemas';
import { REFERENCE_PATTERN } from './schemas';
import {
  createEndpointBodySchema,
  deliveriesQuerySchema,
  emptyBodySchema,
  EVENT_TYPE_NAMES,
  listEndpointsQuerySchema,
  type EndpointView,
} from './webhook-schemas';

export interface WebhookRouteDeps {
  client: Client;
  /** The deployment's task queue: its endpoints workflow (endpointsWorkflowId) and the delivery workflows run there. */
  taskQueue: string;
  settings: WebhookSettings;
  /** Admits the request (the app's `auth('admin')`). */
  admin: RequestHandler;
  /** Upper bound of one call to Temporal, so that an unreachable server gives a quick 503 (default 10 s). */
  rpcTimeoutMs?: number;
  now?: () => Date;
  /** DNS, for the registration's address check (tests resolve names their own way). */
  lookup?: Lookup;
}

/** How long the registration waits for DNS before it answers 503 rather than guessing. */
const DNS_TIMEOUT_MS = 5_000;
/** Lets the gRPC deadline answer first, with its own error (the timer is for a client that keeps retrying past it). */
const TIMER_MARGIN_MS = 1_000;

/** Mounted at /v1/webhook-endpoints. */
export function webhookRouter(deps: WebhookRouteDeps): Router {
  const router = express.Router();
  const { client, taskQueue, settings, admin } = deps;
  const now = deps.now ?? (() => new Date());
  const rpcTimeoutMs = deps.rpcTimeoutMs ?? 10_000;
  const endpointsHandle = () => client.workflow.getHandle(endpointsWorkflowId(taskQueue));

  /**
   * `fn` within the RPC deadline. The client may reconnect and retry across a server restart, so a
   * timer bounds the whole answer too; any error comes back as a problem where it is Temporal's.
   */
  async function bounded<T>(fn: () => Promise<T>): Promise<T> {
    let timer: NodeJS.Timeout | undefined;
    const sent = client.connection.withDeadline(Date.now() + rpcTimeoutMs, fn);
    sent.catch(() => undefined);
    const outOfTime = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(problems.temporalUnavailable()), rpcTimeoutMs + TIMER_MARGIN_MS);
    });
    try {
      return await Promise.race([sent, outOfTime]);
    } finally {
      clearTimeout(timer);
    }
  }

  const endpoints = () => bounded(() => readEndpoints(client, taskQueue)).catch(rethrowAsProblem);

  /** The endpoint, or 404 (also for an id that cannot be one: Temporal is not asked). */
  async function endpointOf(req: Request): Promise<WebhookEndpoint> {
    const id = endpointIdOf(req);
    const endpoint = (await endpoints()).find((candidate) => candidate.id === id);
    if (!endpoint) throw noEndpoint(id);
    return endpoint;
  }

  router.post('/', admin, async (req: Request, res: Response) => {
    const body = parseInput(createEndpointBodySchema, req.body);
    const url = await admissibleUrl(body.url, settings, deps.lookup);
    const endpoint: NewEndpoint = {
      id: `we_${randomBytes(12).toString('hex')}`,
      url,
      events: body.events ?? [...EVENT_TYPE_NAMES],
      ...(body.description !== undefined && body.description !== '' && { description: body.description }),
      createdAt: now().toISOString(),
    };
    let created: WebhookEndpoint;
    try {
      // The endpoints workflow is started by its first endpoint; afterwards the update goes to it.
      created = await bounded(() =>
        client.workflow.executeUpdateWithStart(createEndpointUpdate, {
          args: [endpoint],
          startWorkflowOperation: new WithStartWorkflowOperation<typeof webhookEndpointsWorkflow>('webhookEndpointsWorkflow', {
            workflowId: endpointsWorkflowId(taskQueue),
            taskQueue,
            args: [{}],
            workflowIdConflictPolicy: 'USE_EXISTING',
            staticSummary: 'Webhook endpoints',
          }),
        }),
      );
    } catch (err) {
      rethrowAsProblem(err);
    }
    res
      .status(201)
      .location(`/v1/webhook-endpoints/${created.id}`)
      .json({ ...view(created), secret: deriveEndpointSecret(settings.masterKey, created.id, created.secretVersion) });
  });

  router.get('/', admin, async (req: Request, res: Response) => {
    parseInput(listEndpointsQuerySchema, { ...req.query }, 'query');
    res.json({ items: (await endpoints()).map(view), nextCursor: null });
  });

  router.get('/:id', admin, async (req: Request, res: Response) => {
    res.json(view(await endpointOf(req)));
  });

  router.delete('/:id', admin, async (req: Request, res: Response) => {
    const id = endpointIdOf(req);
    try {
      await bounded(() => endpointsHandle().executeUpdate(deleteEndpointUpdate, { args: [{ id }] }));
    } catch (err) {
      rethrowAsProblem(err, id);
    }
    res.status(204).end();
  });

  router.post('/:id/rotate-secret', admin, async (req: Request, res: Response) => {
    const id = endpointIdOf(req);
    parseInput(emptyBodySchema, req.body ?? {});
    const overlapUntil = new Date(now().getTime() + settings.secretOverlapMs).toISOString();
    let rotated: WebhookEndpoint;
    try {
      rotated = await bounded(() => endpointsHandle().executeUpdate(rotateSecretUpdate, { args: [{ id, overlapUntil }] }));
    } catch (err) {
      rethrowAsProblem(err, id);
    }
    res.json({
      secret: deriveEndpointSecret(settings.masterKey, id, rotated.secretVersion),
      previousSecretValidUntil: rotated.previousSecretUntil ?? overlapUntil,
    });
  });

  router.get('/:id/deliveries', admin, async (req: Request, res: Response) => {
    const id = endpointIdOf(req);
    const query = parseInput(deliveriesQuerySchema, { ...req.query }, 'query');
    const after = query.cursor === undefined ? undefined : decodeCursor(query.cursor);
    await endpointOf(req);
    // The id matched ENDPOINT_ID_PATTERN (we_ and hex), so it cannot break out of the quotes.
    const visibilityQuery = `WorkflowType = 'webhookDeliveryWorkflow' AND ${WEBHOOK_ENDPOINT_ID.name} = '${id}' AND ExecutionStatus != 'ContinuedAsNew'`;
    // A workflow id can have several runs here: a finished one, and the one a redelivery started from it.
    // The newest run that has written its log holds everything the older ones had.
    const latest = new Map<string, { startedMs: number; log: DeliveryRecord[] }>();
    await bounded(async () => {
      for await (const execution of client.workflow.list({ query: visibilityQuery })) {
        const log = execution.memo?.deliveries as DeliveryRecord[] | undefined;
        if (!Array.isArray(log) || log.length === 0) continue;
        const startedMs = execution.startTime.getTime();
        const known = latest.get(execution.workflowId);
        if (!known || known.startedMs < startedMs) latest.set(execution.workflowId, { startedMs, log });
      }
    }).catch(rethrowAsProblem);
    const entries = [...latest.values()].flatMap(({ log }) => {
      const first = Math.min(...log.map((record) => Date.parse(record.createdAt) || 0));
      return log.map((record) => ({ key: { f: first, p: record.payoutId, s: record.sequence }, record }));
    });
    entries.sort((a, b) => compareKeys(a.key, b.key));
    const rest = after === undefined ? entries : entries.filter(({ key }) => compareKeys(key, after) > 0);
    const page = rest.slice(0, query.limit);
    const last = page.at(-1);
    res.json({
      items: page.map(({ record }) => deliveryView(record)),
      nextCursor: rest.length > page.length && last ? encodeCursor(last.key) : null,
    });
  });

  router.post('/:id/deliveries/:eventId/redeliver', admin, async (req: Request, res: Response) => {
    const id = endpointIdOf(req);
    const eventId = String(req.params.eventId);
    const reference = referenceOfEvent(eventId);
    parseInput(emptyBodySchema, req.body ?? {});
    await endpointOf(req);
    const workflowId = deliveryWorkflowId(id, reference);
    const noEvent = () => problems.notFound(`endpoint ${id} has no delivery of event ${eventId.slice(0, 100)}`);
    // Twice at most: a run that closes between the look and the signal is redelivered from its result.
    for (let attempt = 0; attempt < 2; attempt += 1) {
      let description;
      try {
        description = await bounded(() => client.workflow.getHandle(workflowId).describe());
      } catch (err) {
        if (err instanceof WorkflowNotFoundError) throw noEvent();
        rethrowAsProblem(err);
      }
      const log = description.memo?.deliveries as DeliveryRecord[] | undefined;
      if (!Array.isArray(log) || !log.some((record) => record.eventId === eventId)) throw noEvent();
      const status = description.status.name;
      try {
        if (status === 'RUNNING') {
          await bounded(() => client.workflow.getHandle(workflowId, description.runId).signal(redeliverSignal, { eventId }));
        } else if (status === 'COMPLETED') {
          // The run lingered after the payout's last event and ended: a new run carries its state on.
          const state = await bounded(() => client.workflow.getHandle<typeof webhookDeliveryWorkflow>(workflowId, description.runId, { followRuns: false }).result());
          await bounded(() =>
            client.workflow.signalWithStart<typeof webhookDeliveryWorkflow, [{ eventId: string }]>('webhookDeliveryWorkflow', {
              workflowId,
              taskQueue,
              args: [{ endpointId: id, payoutId: reference, policy: settings.delivery, carried: state as DeliveryWorkflowState }],
              signal: redeliverSignal,
              signalArgs: [{ eventId }],
              typedSearchAttributes: [{ key: WEBHOOK_ENDPOINT_ID, value: id }],
              staticSummary: `Webhook deliveries of ${describeSubject(reference)} to ${id}`,
            }),
          );
        } else {
          throw problems.conflict(
            'delivery-closed',
            'The deliveries of this payout to this endpoint were stopped.',
            `the delivery workflow ${workflowId} ended as ${status}; its events cannot be sent again`,
          );
        }
      } catch (err) {
        // Closed between the describe and the signal: look again.
        if (err instanceof WorkflowNotFoundError) {
          if (attempt === 0) continue;
          throw noEvent();
        }
        rethrowAsProblem(err);
      }
      res.status(202).json({ eventId, state: 'PENDING' });
      return;
    }
    throw problems.temporalUnavailable();
  });

  return router;
}

/** The endpoint as the API shows it: never its secret or secret version. */
function view(endpoint: WebhookEndpoint): EndpointView {
  return {
    id: endpoint.id,
    url: endpoint.url,
    events: endpoint.events,
    ...(endpoint.description !== undefined && { description: endpoint.description }),
    createdAt: endpoint.createdAt,
    ...(endpoint.previousSecretUntil !== undefined && { previousSecretValidUntil: endpoint.previousSecretUntil }),
  };
}

/** Only the documented fields of a log record. */
function deliveryView(record: DeliveryRecord): DeliveryRecord {
  const { eventId, type, payoutId, sequence, state, attempts, lastHttpStatus, lastError, createdAt, deliveredAt, nextAttemptAt, failedAt } = record;
  return {
    eventId,
    type,
    payoutId,
    sequence,
    state,
    attempts,
    ...(lastHttpStatus !== undefined && { lastHttpStatus }),
    ...(lastError !== undefined && { lastError }),
    createdAt,
    ...(deliveredAt !== undefined && { deliveredAt }),
    ...(nextAttemptAt !== undefined && { nextAttemptAt }),
    ...(failedAt !== undefined && { failedAt }),
  };
}

function endpointIdOf(req: Request): string {
  const id = String(req.params.id);
  if (!ENDPOINT_ID_PATTERN.test(id)) throw noEndpoint(id);
  return id;
}

function noEndpoint(id: string): Problem {
  return problems.notFound(`no webhook endpoint ${id.slice(0, 80)}`);
}

/**
 * The event's subject in `evt_<subject>.<sequence>` (split at the last dot): a payout's reference,
 * `batch:<reference>` for a batch's events, `reconciliation:<run id>` for a run's breaks; 404 for
 * anything that is no event id.
 */
function referenceOfEvent(eventId: string): string {
  const match = /^evt_(.+)\.([1-9][0-9]{0,8})$/.exec(eventId);
  if (!match || !isEventSubject(match[1]!) || payoutEventId(match[1]!, Number(match[2])) !== eventId) {
    throw problems.notFound(`no event ${eventId.slice(0, 100)}`);
  }
  return match[1]!;
}

/** Whose events a delivery workflow carries: a payout reference, `batch:<reference>` or `reconciliation:<run id>`. */
function isEventSubject(subject: string): boolean {
  if (subject.startsWith('batch:')) return REFERENCE_PATTERN.test(subject.slice('batch:'.length));
  if (subject.startsWith('reconciliation:')) return RECONCILIATION_ID_PATTERN.test(subject.slice('reconciliation:'.length));
  return REFERENCE_PATTERN.test(subject);
}

/**
 * The URL to store, or a 400 on `/url`: its syntax and literal address (checkWebhookUrl), then every
 * address its name resolves to now (resolveDeliveryAddress), as a delivery would check them. Each
 * delivery checks again; this catches the mistake while the merchant is there to see it. A DNS
 * service that does not answer is a 503, not the merchant's fault.
 */
async function admissibleUrl(text: string, settings: WebhookSettings, lookup: Lookup = dns.lookup): Promise<string> {
  const refuse = (reason: string) => problems.validation(`The URL cannot receive webhooks: ${reason}.`, [{ pointer: '/url', detail: reason }]);
  const checked = checkWebhookUrl(text, settings.urlPolicy);
  if (!checked.ok) throw refuse(checked.reason);
  let unavailable = false;
  let timer: NodeJS.Timeout | undefined;
  const timedLookup: Lookup = (hostname, options) =>
    Promise.race([
      lookup(hostname, options).catch((err: unknown) => {
        if ((err as { code?: unknown }).code === 'EAI_AGAIN') unavailable = true;
        throw err;
      }),
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => {
          unavailable = true;
          reject(Object.assign(new Error('DNS timed out'), { code: 'ETIMEOUT' }));
        }, DNS_TIMEOUT_MS);
      }),
    ]).finally(() => clearTimeout(timer));
  const address = await resolveDeliveryAddress(checked.url, settings.urlPolicy, timedLookup);
  if ('refused' in address) {
    if (unavailable) {
      throw new Problem(503, 'dns-unavailable', "The URL's host name could not be resolved now.", 'DNS did not answer in time; try again shortly.', { retryAfterSeconds: 5 });
    }
    throw refuse(address.refused);
  }
  return checked.url.href;
}

// --- the delivery log's cursor ---

/**
 * Where a page ends, as the sort key of its last entry: `f` the time of the payout's first event to
 * this endpoint (newest payout first), `p` the payout (the delivery workflow's subject: also
 * `batch:…` or `reconciliation:…`), `s` the sequence (ascending). The next page is every entry after
 * that key, so entries of payouts that arrive meanwhile (newer, so before it) neither repeat nor
 * shift the next page. Opaque (base64url JSON), not secret: it holds nothing the page did not show.
 */
interface CursorKey {
  f: number;
  p: string;
  s: number;
}

const cursorSchema = z.strictObject({
  v: z.literal(1),
  f: z.number().int().min(0),
  p: z.string().refine(isEventSubject),
  s: z.number().int().min(1),
});

function compareKeys(a: CursorKey, b: CursorKey): number {
  if (a.f !== b.f) return b.f - a.f;
  if (a.p !== b.p) return a.p < b.p ? 1 : -1;
  return a.s - b.s;
}

function encodeCursor(key: CursorKey): string {
  return Buffer.from(JSON.stringify({ v: 1, f: key.f, p: key.p, s: key.s })).toString('base64url');
}

function decodeCursor(cursor: string): CursorKey {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw invalidCursor();
  }
  const key = cursorSchema.safeParse(parsed);
  if (!key.success) throw invalidCursor();
  return key.data;
}

function invalidCursor(): Problem {
  return problems.validation('the cursor is not valid', [{ pointer: '/cursor', detail: 'use nextCursor from a previous page' }]);
}

// --- input and errors ---


/**
 * Temporal's errors as the API's: an unknown endpoint (the workflow's refusal, or no endpoints
 * workflow yet) is a 404; unreachable, too slow or overloaded a 503; anything else stays a 500.
 */
function rethrowAsProblem(err: unknown, endpointId?: string): never {
  if (err instanceof Problem) throw err;
  if (endpointId !== undefined) {
    if (err instanceof WorkflowNotFoundError) throw noEndpoint(endpointId);
    if (err instanceof WorkflowUpdateFailedError && err.cause instanceof ApplicationFailure && err.cause.type === EndpointRefusal.NOT_FOUND) {
      throw noEndpoint(endpointId);
    }
  }
  if (err instanceof WorkflowUpdateRPCTimeoutOrCancelledError) throw problems.temporalUnavailable();
  if (temporalUnavailable(err)) throw problems.temporalUnavailable();
  throw err;
}
