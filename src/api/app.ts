// The HTTP API (api.md): Express 5, every body parsed with zod, every error problem+json.
import { randomUUID } from 'node:crypto';
import express, { type NextFunction, type Request, type Response } from 'express';
import type { Client } from '@temporalio/client';
import { consoleRouter } from './console-routes';
import { createApiMetrics } from './metrics';
import { callbackRouter } from './callback-routes';
import type { ProviderCatalog } from '../domain/provider-port';
import { canonicalPrincipal } from '../domain/principal';
import { createLogger, type Logger } from '../logging';
import type { PayoutPolicy } from '../../workflows/policy';
import { developmentWebhookSettings, type WebhookSettings } from '../webhooks/settings';
import { requireRole, type Authenticator } from './auth';
import { asTemporalProblem, createPayoutService } from './payouts';
import { createBatchService } from './batches';
import { batchRouter } from './batch-routes';
import { createReconciliationService } from './reconciliations';
import { reconciliationRouter } from './reconciliation-routes';
import { webhookRouter } from './webhook-routes';
import { registerWebhookGauges } from './webhook-metrics';
import { buildOpenApiDocument, renderDocsPage } from './openapi';
import { defaultApprovalPolicy, type ConfiguredPolicy } from '../approvals/policy-config';
import { deriveScopeKey } from '../approvals/scope-id';
import { createLimitsService, limitsQuerySchema } from './limits';
import { problemHandler, problems, sendProblem } from './problem';
import { parseInput } from './parse';
import {
  approveBodySchema,
  cancelBodySchema,
  createPayoutSchema,
  IDEMPOTENCY_KEY_PATTERN,
  listQuerySchema,
  REFERENCE_PATTERN,
  rejectBodySchema,
  resolveBodySchema,
} from './schemas';

export interface AppDeps {
  client: Client;
  taskQueue: string;
  policy: PayoutPolicy;
  authenticator: Authenticator;
  /** The registry's providers, those configured here, and their callback verifiers (src/providers/catalog.ts providerCatalog). */
  providers: ProviderCatalog;
  logger?: Logger;
  /** Upper bound of a call to Temporal (default 10 s). */
  rpcTimeoutMs?: number;
  /** How long a decision waits for the workflow before answering 503 "may still apply" (default 5 s). */
  decisionTimeoutMs?: number;
  /** The clock callbacks must be fresh against (default: the system's). */
  clock?: () => Date;
  /** Where the console links payouts to (the Temporal Web UI) and in which namespace. */
  temporalUiUrl?: string;
  namespace?: string;
  /** Webhook endpoints' secrets and URL policy (src/webhooks/settings.ts); unset: the development settings. */
  webhooks?: WebhookSettings;
  /** The approval policy new payouts and batches are created under; unset: one approval, no limits. */
  approvals?: ConfiguredPolicy;
}

const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

export function createApp(deps: AppDeps): express.Express {
  const logger = deps.logger ?? createLogger({ name: 'api' });
  const payouts = createPayoutService(deps);
  const providerKeys = deps.providers.known.map(({ key }) => key);
  const createSchema = createPayoutSchema(undefined, providerKeys);
  const listSchema = listQuerySchema(providerKeys);
  const app = express();
  app.disable('x-powered-by');
  app.set('query parser', 'simple');
  const metrics = createApiMetrics();
  registerWebhookGauges(metrics.registry, deps.client, deps.taskQueue);
  app.use(metrics.middleware);

  // X-Request-Id: the caller's when it is sane, else a new one; echoed and on every log line.
  app.use((req: Request, res: Response, next: NextFunction) => {
    const given = req.header('x-request-id');
    const requestId = given && REQUEST_ID.test(given) ? given : randomUUID();
    res.setHeader('X-Request-Id', requestId);
    req.log = logger.child({ requestId });
    const started = process.hrtime.bigint();
    res.on('finish', () => {
      req.log!.info(
        { method: req.method, path: req.path, status: res.statusCode, ms: Number(process.hrtime.bigint() - started) / 1e6, principal: req.principal?.name },
        'request',
      );
    });
    next();
  });
  // No /codec here: the codec endpoint has a listener of its own (codec-app.ts), off this public port.
  // Callbacks read their raw body: the signature is over bytes, not over what a JSON parser kept.
  app.use(
    '/v1/callbacks',
    callbackRouter({
      client: deps.client,
      providers: deps.providers,
      ...(deps.clock && { clock: deps.clock }),
      logger,
    }),
  );
  const auth = (...roles: Parameters<typeof requireRole> extends [unknown, ...infer R] ? R : never) =>
    requireRole(deps.authenticator, ...roles);
  // Batches parse their own bodies: creating one takes up to 8 MiB (10,000 rows), its decisions 64 KiB.
  app.use('/v1/batches', batchRouter({ batches: createBatchService(deps), providerKeys, auth }));
  app.use(express.json({ limit: '64kb', type: ['application/json', 'application/*+json'] }));

  app.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });

  const openApi = buildOpenApiDocument(deps.providers.known);
  const docsPage = renderDocsPage(openApi);
  app.get('/metrics', metrics.handler);

  app.get('/openapi.json', (_req, res) => {
    res.json(openApi);
  });
  app.get('/docs', (_req, res) => {
    res.type('html').send(docsPage);
  });

  app.use('/console', consoleRouter({ temporalUiUrl: deps.temporalUiUrl ?? 'http://localhost:8233', namespace: deps.namespace ?? 'default', providers: deps.providers.known }));

  app.get('/v1/me', auth(), (req, res) => {
    res.json({ principal: req.principal!.name, roles: req.principal!.roles });
  });

  app.get('/readyz', async (req, res) => {
    try {
      await deps.client.connection.withDeadline(Date.now() + 2_000, () => deps.client.connection.workflowService.getSystemInfo({}));
      res.json({ status: 'ready', temporal: 'reachable' });
    } catch {
      sendProblem(res, req, problems.temporalUnavailable());
    }
  });

  app.post('/v1/payouts', auth('requester'), async (req, res) => {
    const body = parseInput(createSchema, req.body);
    const { created, payout } = await payouts.create(body, req.principal!.name);
    if (created) metrics.created.inc({ provider: payout.provider });
    res.status(created ? 201 : 200).location(`/v1/payouts/${encodeURIComponent(payout.id)}`).json(payout);
  });

  app.get('/v1/payouts', auth(), async (req, res) => {
    res.json(await payouts.list(parseInput(listSchema, { ...req.query }, 'query')));
  });

  app.get('/v1/payouts/:id', auth(), async (req, res) => {
    res.json(await payouts.get(payoutId(req)));
  });

  app.post('/v1/payouts/:id/approve', auth('approver'), async (req, res) => {
    const body = parseInput(approveBodySchema, req.body ?? {});
    res.json(await payouts.approve(payoutId(req), { principal: req.principal!.name, ...body }, idempotencyKey(req)));
    metrics.decided.inc({ decision: 'approve' });
  });

  app.post('/v1/payouts/:id/reject', auth('approver'), async (req, res) => {
    const body = parseInput(rejectBodySchema, req.body ?? {});
    res.json(await payouts.reject(payoutId(req), { principal: req.principal!.name, ...body }, idempotencyKey(req)));
    metrics.decided.inc({ decision: 'reject' });
  });

  // Ends a payout that needs attention. Admin only; the workflow refuses the payout's own requester.
  app.post('/v1/payouts/:id/resolve', auth('admin'), async (req, res) => {
    const body = parseInput(resolveBodySchema, req.body ?? {});
    res.json(await payouts.resolve(payoutId(req), { principal: req.principal!.name, ...body }, idempotencyKey(req)));
    metrics.decided.inc({ decision: 'resolve' });
  });

  app.post('/v1/payouts/:id/cancel', auth('requester'), async (req, res) => {
    const body = parseInput(cancelBodySchema, req.body ?? {});
    const id = payoutId(req);
    const principal = req.principal!;
    // The look-up and the decision share one time budget, so a cancel answers as fast as the others.
    const startedAt = Date.now();
    // Canonical on both sides: a payout requested before principals were canonical still matches.
    const requester = await payouts.requesterOf(id, startedAt);
    if (!principal.roles.includes('admin') && (requester === undefined || canonicalPrincipal(requester) !== principal.name)) {
      throw problems.forbidden(`only the requester of payout ${id} or an admin may cancel it`);
    }
    res.json(await payouts.cancel(id, { principal: principal.name, ...body }, idempotencyKey(req), startedAt));
    metrics.decided.inc({ decision: 'cancel' });
  });

  // Today's spending against the approval policy's daily limits (approvers and admins; a requester its own).
  const approvals = deps.approvals ?? defaultApprovalPolicy();
  const limits = createLimitsService({
    client: deps.client,
    policy: approvals.policy,
    policyId: approvals.id,
    taskQueue: deps.taskQueue,
    scopeKey: deriveScopeKey((deps.webhooks ?? developmentWebhookSettings()).masterKey),
    ...(deps.rpcTimeoutMs !== undefined && { rpcTimeoutMs: deps.rpcTimeoutMs }),
  });
  app.get('/v1/limits', auth(), async (req, res) => {
    const query = parseInput(limitsQuerySchema, { ...req.query }, 'query');
    try {
      res.json(await limits.read(query, req.principal!));
    } catch (err) {
      throw asTemporalProblem(err);
    }
  });

  // Reconciliation runs (issue 18): an admin starts one; admins and approvers read them.
  const reconciliations = createReconciliationService({
    client: deps.client,
    taskQueue: deps.taskQueue,
    providers: deps.providers,
    ...(deps.rpcTimeoutMs !== undefined && { rpcTimeoutMs: deps.rpcTimeoutMs }),
  });
  app.use('/v1/reconciliations', reconciliationRouter({ reconciliations, providerKeys, auth }));

  app.use('/v1/webhook-endpoints', webhookRouter({ client: deps.client, taskQueue: deps.taskQueue, settings: deps.webhooks ?? developmentWebhookSettings(), admin: auth('admin'), ...(deps.rpcTimeoutMs !== undefined && { rpcTimeoutMs: deps.rpcTimeoutMs }) }));

  app.use((req: Request, _res: Response, next: NextFunction) => {
    next(problems.notFound(`no route for ${req.method} ${req.path}`));
  });
  app.use(problemHandler((req, err) => (req.log ?? logger).error({ err }, 'unhandled error')));
  return app;
}

/** Ids that cannot be references cannot be payouts: 404 without asking Temporal. */
declare module 'express-serve-static-core' {
  interface Request {
    log?: Logger;
  }
}

function payoutId(req: Request): string {
  const id = String(req.params.id);
  if (!REFERENCE_PATTERN.test(id)) throw problems.notFound(`no payout with id ${id.slice(0, 80)}`);
  return id;
}

/** The optional Idempotency-Key header of a decision; a malformed one is a 400, never ignored. */
function idempotencyKey(req: Request): string | undefined {
  const key = req.header('idempotency-key');
  if (key === undefined) return undefined;
  if (!IDEMPOTENCY_KEY_PATTERN.test(key)) {
    throw problems.validation('The Idempotency-Key header is not valid.', [
      { pointer: '/headers/idempotency-key', detail: '1–128 printable ASCII characters, no spaces' },
    ]);
  }
  return key;
}


