// The webhook endpoints' HTTP contract (issue 14), against the real API and Temporal: register, list,
// read, delete, rotate the secret, the delivery log and redelivery; admin only; problem+json errors;
// the URL policy at registration (also in production mode, on a second API). Deliveries themselves are
// the worker's tests: the delivery log here is read from delivery workflows this test starts with a
// log in their memo, on a task queue no worker polls, so nothing is sent anywhere.
import { randomUUID } from 'node:crypto';
import type { Server } from 'node:http';
import express from 'express';
import { Client, Connection } from '@temporalio/client';
import { createApp } from '../../src/api/app';
import { createAuthenticator, requireRole } from '../../src/api/auth';
import { buildOpenApiDocument } from '../../src/api/openapi';
import { problemHandler } from '../../src/api/problem';
import { webhookRouter } from '../../src/api/webhook-routes';
import { EVENT_TYPES, payoutEventId } from '../../src/domain/events';
import { createLogger } from '../../src/logging';
import { deliveryWorkflowId, type DeliveryRecord } from '../../src/domain/webhooks';
import { deriveEndpointSecret, developmentMasterKey } from '../../src/webhooks/secrets';
import { developmentWebhookSettings, type WebhookSettings } from '../../src/webhooks/settings';
import type { Lookup } from '../../src/webhooks/url-policy';
import { WEBHOOK_ENDPOINT_ID } from '../../workflows/search-attributes';
import { answer, apiClient } from '../support/api-client';
import type { paths } from '../support/generated/api';
import { freePort } from '../support/ports';
import { testCatalog } from '../support/providers';
import { call, KEYS, startStack, TEST_POLICY, uniqueReference, type TestStack } from '../support/stack';

let stack: TestStack;
let admin: ReturnType<typeof apiClient>;
const servers: Server[] = [];
beforeAll(async () => {
  stack = await startStack();
  admin = apiClient(stack.apiUrl, KEYS.admin);
});
afterAll(async () => {
  for (const server of servers) {
    await new Promise((resolve) => server.close(resolve));
    server.closeAllConnections();
  }
  await stack?.stop();
});

interface ProblemBody {
  type: string;
  status: number;
  detail: string;
  errors?: { pointer: string; detail: string }[];
}

const ALL_TYPES = EVENT_TYPES.map(({ type }) => type);
const SECRET = /^whsec_[A-Za-z0-9+/]{43}=$/;
/** Loopback: allowed by the development URL policy, resolved without DNS, and never delivered to here (no payouts). */
const receiverUrl = (label: string) => `http://127.0.0.1:9/${label}/${randomUUID()}`;

type CreateEndpointBody = paths['/v1/webhook-endpoints']['post']['requestBody']['content']['application/json'];

async function register(body: CreateEndpointBody) {
  const res = await answer(admin.POST('/v1/webhook-endpoints', { body }));
  expect(res.status).toBe(201);
  return res.data!;
}

async function listed() {
  const res = await answer(admin.GET('/v1/webhook-endpoints'));
  expect(res.status).toBe(200);
  return res.data!.items;
}

/** A second API on this stack's Temporal and task queue (a worker is not needed to refuse). */
async function listen(app: express.Express): Promise<{ apiUrl: string }> {
  const port = await freePort();
  const server: Server = await new Promise((resolve) => {
    const s = app.listen(port, '127.0.0.1', () => resolve(s));
  });
  servers.push(server);
  return { apiUrl: `http://127.0.0.1:${port}` };
}

describe('POST /v1/webhook-endpoints', () => {
  test('201 with the id, every event type by default, a Location, and the secret derived for version 1', async () => {
    const url = receiverUrl('create');
    const res = await answer(admin.POST('/v1/webhook-endpoints', { body: { url, description: 'Ledger sync' } }));
    expect(res.status).toBe(201);
    const created = res.data!;
    expect(created.id).toMatch(/^we_[0-9a-f]{24}$/);
    expect(res.headers.get('location')).toBe(`/v1/webhook-endpoints/${created.id}`);
    expect(created).toMatchObject({ url, events: ALL_TYPES, description: 'Ledger sync' });
    expect(Date.parse(created.createdAt)).toBeGreaterThan(Date.now() - 60_000);
    expect(created.secret).toMatch(SECRET);
    expect(created.secret).toBe(deriveEndpointSecret(developmentMasterKey(), created.id, 1));
  });

  test('chosen event types are kept; each registration gets its own id and secret', async () => {
    const url = receiverUrl('chosen');
    const first = await register({ url, events: ['payout.succeeded', 'payout.failed'] });
    const second = await register({ url });
    expect(first.events).toEqual(['payout.succeeded', 'payout.failed']);
    expect(first.description).toBeUndefined();
    expect(second.id).not.toBe(first.id);
    expect(second.secret).not.toBe(first.secret);
  });

  // Every row has all four values: jest takes a row shorter than the test function's parameters for a `done` callback.
  const refused: [string, Record<string, unknown>, string, RegExp | undefined][] = [
    ['an ftp URL', { url: 'ftp://merchant.example/hooks' }, '/url', /http/],
    ['a URL with a user name and password', { url: 'http://user:pass@127.0.0.1:9/hooks' }, '/url', /user name or password/],
    ['a URL with a fragment', { url: 'http://127.0.0.1:9/hooks#x' }, '/url', /fragment/],
    ['a relative URL', { url: '/hooks' }, '/url', /absolute/],
    ['an empty URL', { url: '' }, '/url', undefined],
    ['no URL', { events: ['payout.succeeded'] }, '/url', undefined],
    ['an unknown event type', { url: 'http://127.0.0.1:9/hooks', events: ['payout.exploded'] }, '/events/0', /one of/],
    ['an event type twice', { url: 'http://127.0.0.1:9/hooks', events: ['payout.succeeded', 'payout.succeeded'] }, '/events', /at most once/],
    ['no event type', { url: 'http://127.0.0.1:9/hooks', events: [] }, '/events', /at least one/],
    ['events that are not a list', { url: 'http://127.0.0.1:9/hooks', events: 'payout.succeeded' }, '/events', undefined],
    ['a description over 200 characters', { url: 'http://127.0.0.1:9/hooks', description: 'x'.repeat(201) }, '/description', /200/],
    ['a description with a line break', { url: 'http://127.0.0.1:9/hooks', description: 'a\nb' }, '/description', /control/],
    ['an unknown field', { url: 'http://127.0.0.1:9/hooks', secret: 'whsec_mine' }, '/secret', /unknown field/],
  ];

  test.each(refused)('%s → 400 problem+json naming the field; nothing registered', async (_name, body, pointer, reason) => {
    const before = await listed();
    const res = await call<ProblemBody>(stack, 'POST', '/v1/webhook-endpoints', { key: KEYS.admin, body });
    expect(res.status).toBe(400);
    expect(res.contentType).toContain('application/problem+json');
    const error = res.body.errors?.find((e) => e.pointer === pointer);
    expect(error).toBeDefined();
    if (reason) expect(error!.detail).toMatch(reason);
    expect((await listed()).map((e) => e.id)).toEqual(before.map((e) => e.id));
  });

  test('no body, not JSON, or a body over 64 KiB → 400 / 400 / 413', async () => {
    expect((await call(stack, 'POST', '/v1/webhook-endpoints', { key: KEYS.admin })).status).toBe(400);
    expect((await call(stack, 'POST', '/v1/webhook-endpoints', { key: KEYS.admin, rawBody: '{"url": ', headers: { 'content-type': 'application/json' } })).status).toBe(400);
    expect((await call(stack, 'POST', '/v1/webhook-endpoints', { key: KEYS.admin, body: { url: 'http://127.0.0.1:9/', description: 'x'.repeat(70_000) } })).status).toBe(413);
  });
});

describe('admin only', () => {
  const someId = 'we_000000000000000000000000';
  const routes: [string, string, unknown][] = [
    ['POST', '/v1/webhook-endpoints', { url: 'http://127.0.0.1:9/hooks' }],
    ['GET', '/v1/webhook-endpoints', undefined],
    ['GET', `/v1/webhook-endpoints/${someId}`, undefined],
    ['DELETE', `/v1/webhook-endpoints/${someId}`, undefined],
    ['POST', `/v1/webhook-endpoints/${someId}/rotate-secret`, {}],
    ['GET', `/v1/webhook-endpoints/${someId}/deliveries`, undefined],
    ['POST', `/v1/webhook-endpoints/${someId}/deliveries/evt_X-1.1/redeliver`, {}],
  ];

  test.each(routes)('%s %s → 403 for a requester and an approver, 401 without a key', async (method, path, body) => {
    const before = await listed();
    for (const key of [KEYS.requester, KEYS.approver]) {
      const res = await call<ProblemBody>(stack, method, path, { key, ...(body !== undefined && { body }) });
      expect(res.status).toBe(403);
      expect(res.contentType).toContain('application/problem+json');
    }
    expect((await call(stack, method, path, { key: null, ...(body !== undefined && { body }) })).status).toBe(401);
    expect(await listed()).toHaveLength(before.length);
  });
});

describe('reading', () => {
  test('list and get show the endpoint without its secret', async () => {
    const created = await register({ url: receiverUrl('read'), events: ['payout.succeeded'], description: 'read me' });
    const one = await answer(admin.GET('/v1/webhook-endpoints/{id}', { params: { path: { id: created.id } } }));
    expect(one.status).toBe(200);
    const { secret, ...expected } = created;
    expect(one.data).toEqual(expected);
    expect(JSON.stringify(one.data)).not.toContain(secret);
    const all = await answer(admin.GET('/v1/webhook-endpoints'));
    expect(all.data!.nextCursor).toBeNull();
    expect(all.data!.items).toContainEqual(expected);
    expect(JSON.stringify(all.data)).not.toContain('whsec_');
    expect(JSON.stringify(all.data)).not.toContain('secretVersion');
  });

  test('an unknown id, or one that cannot be an endpoint id → 404 problem+json', async () => {
    for (const id of ['we_0123456789abcdef01234567', 'we_nope', "we_' OR 1=1", '..']) {
      const res = await call<ProblemBody>(stack, 'GET', `/v1/webhook-endpoints/${encodeURIComponent(id)}`, { key: KEYS.admin });
      expect(res.status).toBe(404);
      expect(res.contentType).toContain('application/problem+json');
    }
  });

  test('the list takes no query parameters → 400', async () => {
    const res = await call<ProblemBody>(stack, 'GET', '/v1/webhook-endpoints?limit=5', { key: KEYS.admin });
    expect(res.status).toBe(400);
    expect(res.body.errors?.map((e) => e.pointer)).toContain('/limit');
  });
});

describe('DELETE /v1/webhook-endpoints/{id}', () => {
  test('204, then 404 for every route of it; the others stay', async () => {
    const kept = await register({ url: receiverUrl('kept') });
    const gone = await register({ url: receiverUrl('gone') });
    const path = { params: { path: { id: gone.id } } };
    const deleted = await answer(admin.DELETE('/v1/webhook-endpoints/{id}', path));
    expect(deleted.status).toBe(204);
    expect((await answer(admin.GET('/v1/webhook-endpoints/{id}', path))).status).toBe(404);
    expect((await answer(admin.DELETE('/v1/webhook-endpoints/{id}', path))).status).toBe(404);
    expect((await answer(admin.POST('/v1/webhook-endpoints/{id}/rotate-secret', path))).status).toBe(404);
    expect((await answer(admin.GET('/v1/webhook-endpoints/{id}/deliveries', path))).status).toBe(404);
    const ids = (await listed()).map((e) => e.id);
    expect(ids).toContain(kept.id);
    expect(ids).not.toContain(gone.id);
  });

  test('an unknown or malformed id → 404', async () => {
    expect((await answer(admin.DELETE('/v1/webhook-endpoints/{id}', { params: { path: { id: 'we_0123456789abcdef01234567' } } }))).status).toBe(404);
    expect((await call(stack, 'DELETE', '/v1/webhook-endpoints/not-an-id', { key: KEYS.admin })).status).toBe(404);
  });
});

describe('POST /v1/webhook-endpoints/{id}/rotate-secret', () => {
  test('a new secret (version 2, then 3), shown once; the previous one stays valid for the overlap', async () => {
    const created = await register({ url: receiverUrl('rotate') });
    const path = { params: { path: { id: created.id } } };
    const started = Date.now();
    const rotated = await answer(admin.POST('/v1/webhook-endpoints/{id}/rotate-secret', path));
    expect(rotated.status).toBe(200);
    expect(rotated.data!.secret).toMatch(SECRET);
    expect(rotated.data!.secret).not.toBe(created.secret);
    expect(rotated.data!.secret).toBe(deriveEndpointSecret(developmentMasterKey(), created.id, 2));
    const overlapMs = developmentWebhookSettings().secretOverlapMs;
    const until = Date.parse(rotated.data!.previousSecretValidUntil);
    expect(until).toBeGreaterThanOrEqual(started + overlapMs - 1_000);
    expect(until).toBeLessThanOrEqual(Date.now() + overlapMs + 1_000);

    const read = await answer(admin.GET('/v1/webhook-endpoints/{id}', path));
    expect(read.data!.previousSecretValidUntil).toBe(rotated.data!.previousSecretValidUntil);
    expect(JSON.stringify(read.data)).not.toContain('whsec_');

    // An empty JSON object is the same as no body; a field is refused.
    const again = await answer(admin.POST('/v1/webhook-endpoints/{id}/rotate-secret', { ...path, body: {} }));
    expect(again.data!.secret).toBe(deriveEndpointSecret(developmentMasterKey(), created.id, 3));
    const withField = await call<ProblemBody>(stack, 'POST', `/v1/webhook-endpoints/${created.id}/rotate-secret`, { key: KEYS.admin, body: { version: 7 } });
    expect(withField.status).toBe(400);
    expect(withField.body.errors?.map((e) => e.pointer)).toContain('/version');
  });

  test('an unknown endpoint → 404', async () => {
    expect((await answer(admin.POST('/v1/webhook-endpoints/{id}/rotate-secret', { params: { path: { id: 'we_0123456789abcdef01234567' } } }))).status).toBe(404);
  });
});

describe('the URL policy in production', () => {
  let production: { apiUrl: string };
  beforeAll(async () => {
    const webhooks: WebhookSettings = { ...developmentWebhookSettings(), urlPolicy: { production: true, allowPrivate: false } };
    production = await listen(
      createApp({
        client: stack.client,
        taskQueue: stack.taskQueue,
        policy: TEST_POLICY,
        authenticator: createAuthenticator(undefined, false),
        providers: testCatalog(['singapay']),
        logger: createLogger({ level: 'silent' }),
        webhooks,
      }),
    );
  });

  const refused: [string, string, RegExp][] = [
    ['a loopback address', 'https://127.0.0.1/hooks', /loopback/],
    ['an IPv6 loopback address', 'https://[::1]/hooks', /loopback/],
    ['localhost', 'https://localhost:8443/hooks', /loopback/],
    ['the cloud metadata address', 'https://169.254.169.254/latest', /metadata/],
    ['a private address', 'https://10.1.2.3/hooks', /private/],
    ['an IPv4-mapped loopback address', 'https://[::ffff:127.0.0.1]/hooks', /loopback/],
    ['plain http', 'http://merchant.example/hooks', /https/],
  ];

  test.each(refused)('%s → 400 on /url with the reason; nothing registered', async (_name, url, reason) => {
    const before = await listed();
    const res = await call<ProblemBody>(production, 'POST', '/v1/webhook-endpoints', { key: KEYS.admin, body: { url } });
    expect(res.status).toBe(400);
    expect(res.contentType).toContain('application/problem+json');
    expect(res.body.errors).toEqual([{ pointer: '/url', detail: expect.stringMatching(reason) }]);
    expect(await listed()).toHaveLength(before.length);
  });
});

describe('the address a name resolves to is checked at registration', () => {
  let api: { apiUrl: string };
  /** DNS as this test says: names under .internal.test resolve inside, .slow.test fails for now, the rest to a public address. */
  const lookup: Lookup = async (hostname) => {
    if (hostname.endsWith('.internal.test')) return [{ address: '93.184.215.14', family: 4 }, { address: '10.0.0.5', family: 4 }];
    if (hostname.endsWith('.slow.test')) throw Object.assign(new Error('temporary failure'), { code: 'EAI_AGAIN' });
    if (hostname.endsWith('.missing.test')) throw Object.assign(new Error('not found'), { code: 'ENOTFOUND' });
    return [{ address: '93.184.215.14', family: 4 }];
  };
  beforeAll(async () => {
    const settings: WebhookSettings = { ...developmentWebhookSettings(), urlPolicy: { production: true, allowPrivate: false } };
    const app = express();
    app.use(express.json({ limit: '64kb' }));
    app.use(
      '/v1/webhook-endpoints',
      webhookRouter({ client: stack.client, taskQueue: stack.taskQueue, settings, admin: requireRole(createAuthenticator(undefined, false), 'admin'), lookup }),
    );
    app.use(problemHandler(() => undefined));
    api = await listen(app);
  });

  test('a name with an address inside → 400 naming it; one that does not resolve → 400; DNS not answering → 503', async () => {
    const before = await listed();
    const inside = await call<ProblemBody>(api, 'POST', '/v1/webhook-endpoints', { key: KEYS.admin, body: { url: 'https://hooks.internal.test/in' } });
    expect(inside.status).toBe(400);
    expect(inside.body.errors).toEqual([{ pointer: '/url', detail: 'hooks.internal.test resolves to 10.0.0.5, a private address' }]);
    const missing = await call<ProblemBody>(api, 'POST', '/v1/webhook-endpoints', { key: KEYS.admin, body: { url: 'https://hooks.missing.test/in' } });
    expect(missing.status).toBe(400);
    expect(missing.body.errors?.[0]?.detail).toMatch(/does not resolve \(ENOTFOUND\)/);
    const slow = await call<ProblemBody>(api, 'POST', '/v1/webhook-endpoints', { key: KEYS.admin, body: { url: 'https://hooks.slow.test/in' } });
    expect(slow.status).toBe(503);
    expect(slow.headers.get('retry-after')).toBe('5');
    expect(await listed()).toHaveLength(before.length);
  });

  test('a name with only public addresses is registered, its URL normalized', async () => {
    const res = await call<{ id: string; url: string }>(api, 'POST', '/v1/webhook-endpoints', { key: KEYS.admin, body: { url: 'https://Merchant.Example.COM/hooks' } });
    expect(res.status).toBe(201);
    expect(res.body.url).toBe('https://merchant.example.com/hooks');
    expect((await answer(admin.DELETE('/v1/webhook-endpoints/{id}', { params: { path: { id: res.body.id } } }))).status).toBe(204);
  });
});

describe('the delivery log and redelivery', () => {
  /** A task queue no worker polls: the delivery workflows started here never run, their memo is the log. */
  const idleQueue = `idle-${randomUUID()}`;
  const started: string[] = [];
  afterAll(async () => {
    for (const workflowId of started) await stack.client.workflow.getHandle(workflowId).terminate('test over').catch(() => undefined);
  });

  function record(reference: string, sequence: number, createdAt: string, extra: Partial<DeliveryRecord> = {}): DeliveryRecord {
    return { eventId: payoutEventId(reference, sequence), type: ALL_TYPES[sequence - 1]!, payoutId: reference, sequence, state: 'DELIVERED', attempts: 1, createdAt, ...extra };
  }

  async function deliveryWorkflow(endpointId: string, reference: string, deliveries: DeliveryRecord[]) {
    const workflowId = deliveryWorkflowId(endpointId, reference);
    await stack.client.workflow.start('webhookDeliveryWorkflow', {
      workflowId,
      taskQueue: idleQueue,
      args: [{ endpointId, payoutId: reference, policy: developmentWebhookSettings().delivery }],
      memo: { deliveries },
      typedSearchAttributes: [{ key: WEBHOOK_ENDPOINT_ID, value: endpointId }],
    });
    started.push(workflowId);
    return workflowId;
  }

  async function waitForLog(endpointId: string, count: number) {
    const deadline = Date.now() + 20_000;
    for (;;) {
      const res = await answer(admin.GET('/v1/webhook-endpoints/{id}/deliveries', { params: { path: { id: endpointId }, query: { limit: 100 } } }));
      if (res.data?.items.length === count || Date.now() > deadline) return res;
      await new Promise((r) => setTimeout(r, 200));
    }
  }

  test('a new endpoint has an empty log', async () => {
    const created = await register({ url: receiverUrl('log') });
    const res = await answer(admin.GET('/v1/webhook-endpoints/{id}/deliveries', { params: { path: { id: created.id } } }));
    expect(res.status).toBe(200);
    expect(res.data).toEqual({ items: [], nextCursor: null });
  });

  test('newest payout first, then by sequence; pages with a cursor, every entry once', async () => {
    const { id } = await register({ url: receiverUrl('pages') });
    const older = uniqueReference('old');
    const newer = uniqueReference('new');
    await deliveryWorkflow(id, older, [
      record(older, 1, '2026-11-22T10:00:00.000Z'),
      record(older, 2, '2026-11-22T10:00:01.000Z', { state: 'FAILED', attempts: 9, lastHttpStatus: 500, lastError: 'the receiver answered 500', failedAt: '2026-11-23T10:00:01.000Z' }),
    ]);
    await deliveryWorkflow(id, newer, [
      record(newer, 1, '2026-11-22T11:00:00.000Z', { deliveredAt: '2026-11-22T11:00:00.500Z' }),
      record(newer, 2, '2026-11-22T11:00:01.000Z'),
      record(newer, 3, '2026-11-22T11:00:02.000Z', { state: 'PENDING', attempts: 2, lastError: 'connect ECONNREFUSED', nextAttemptAt: '2026-11-22T11:01:02.000Z' }),
    ]);
    const whole = await waitForLog(id, 5);
    expect(whole.data!.items.map((r) => r.eventId)).toEqual([
      payoutEventId(newer, 1),
      payoutEventId(newer, 2),
      payoutEventId(newer, 3),
      payoutEventId(older, 1),
      payoutEventId(older, 2),
    ]);
    expect(whole.data!.items[2]).toEqual(record(newer, 3, '2026-11-22T11:00:02.000Z', { state: 'PENDING', attempts: 2, lastError: 'connect ECONNREFUSED', nextAttemptAt: '2026-11-22T11:01:02.000Z' }));
    expect(whole.data!.nextCursor).toBeNull();

    const seen: string[] = [];
    let cursor: string | undefined;
    let pages = 0;
    do {
      const page = await answer(admin.GET('/v1/webhook-endpoints/{id}/deliveries', { params: { path: { id }, query: { limit: 2, ...(cursor ? { cursor } : {}) } } }));
      expect(page.status).toBe(200);
      expect(page.data!.items.length).toBeLessThanOrEqual(2);
      seen.push(...page.data!.items.map((r) => r.eventId));
      cursor = page.data!.nextCursor ?? undefined;
      pages += 1;
    } while (cursor && pages < 10);
    expect(pages).toBe(3);
    expect(seen).toEqual(whole.data!.items.map((r) => r.eventId));
  });

  test("a batch's and a reconciliation run's deliveries: listed under their subject, paged with a cursor across them, redeliverable by event id", async () => {
    const { id } = await register({ url: receiverUrl('subjects') });
    const batch = `batch:${uniqueReference('b')}`;
    // A scheduled run's id: the Schedule's (reconciliation-daily.<task queue>) and its time, dots and colons included.
    const run = `reconciliation:reconciliation-daily.${idleQueue}-2026-11-22T19:00:00Z`;
    await deliveryWorkflow(id, batch, [record(batch, 1, '2026-11-22T10:00:00.000Z', { type: 'batch.validating' }), record(batch, 2, '2026-11-22T10:00:01.000Z', { type: 'batch.awaiting_approval' })]);
    const breaks = [1, 2].map((n) => record(run, n, '2026-11-22T19:00:06.000Z', { type: 'reconciliation.break' }));
    await deliveryWorkflow(id, run, breaks);
    const whole = await waitForLog(id, 4);
    expect(whole.data!.items.map((r) => [r.payoutId, r.eventId])).toEqual([
      [run, `evt_${run}.1`],
      [run, `evt_${run}.2`],
      [batch, `evt_${batch}.1`],
      [batch, `evt_${batch}.2`],
    ]);
    // Pages that end on each subject's entries: every cursor is taken back.
    const seen: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await answer(admin.GET('/v1/webhook-endpoints/{id}/deliveries', { params: { path: { id }, query: { limit: 1, ...(cursor ? { cursor } : {}) } } }));
      expect(page.status).toBe(200);
      seen.push(...page.data!.items.map((r) => r.eventId));
      cursor = page.data!.nextCursor ?? undefined;
    } while (cursor && seen.length < 10);
    expect(seen).toEqual(whole.data!.items.map((r) => r.eventId));

    for (const eventId of [`evt_${run}.2`, `evt_${batch}.1`]) {
      const res = await call(stack, 'POST', `/v1/webhook-endpoints/${id}/deliveries/${encodeURIComponent(eventId)}/redeliver`, { key: KEYS.admin, body: {} });
      expect({ eventId, status: res.status }).toEqual({ eventId, status: 202 });
    }
    for (const eventId of [`evt_${run}.3`, 'evt_reconciliation:not-a-run.1', `evt_reconciliation:${run.slice('reconciliation:'.length)} x.1`]) {
      const res = await call(stack, 'POST', `/v1/webhook-endpoints/${id}/deliveries/${encodeURIComponent(eventId)}/redeliver`, { key: KEYS.admin, body: {} });
      expect({ eventId, status: res.status }).toEqual({ eventId, status: 404 });
    }
  });

  test('limit and cursor are checked → 400 on the parameter', async () => {
    const { id } = await register({ url: receiverUrl('params') });
    for (const [query, pointer] of [
      ['limit=0', '/limit'],
      ['limit=101', '/limit'],
      ['limit=abc', '/limit'],
      ['cursor=%00', '/cursor'],
      ['cursor=bm90LWpzb24', '/cursor'],
      [`cursor=${Buffer.from(JSON.stringify({ v: 1, f: 1, p: 'x y', s: 1 })).toString('base64url')}`, '/cursor'],
      ['since=yesterday', '/since'],
    ] as const) {
      const res = await call<ProblemBody>(stack, 'GET', `/v1/webhook-endpoints/${id}/deliveries?${query}`, { key: KEYS.admin });
      expect({ query, status: res.status }).toEqual({ query, status: 400 });
      expect(res.body.errors?.map((e) => e.pointer)).toContain(pointer);
    }
  });

  test('an unknown endpoint → 404', async () => {
    expect((await answer(admin.GET('/v1/webhook-endpoints/{id}/deliveries', { params: { path: { id: 'we_0123456789abcdef01234567' } } }))).status).toBe(404);
  });

  test('redeliver: 202 PENDING for a logged event; 404 for an unknown event, payout or endpoint', async () => {
    const { id } = await register({ url: receiverUrl('redeliver') });
    const reference = uniqueReference('re.dot');
    const workflowId = await deliveryWorkflow(id, reference, [record(reference, 1, '2026-11-22T10:00:00.000Z', { state: 'FAILED', failedAt: '2026-11-23T10:00:00.000Z' })]);
    const eventId = payoutEventId(reference, 1);
    const res = await answer(admin.POST('/v1/webhook-endpoints/{id}/deliveries/{eventId}/redeliver', { params: { path: { id, eventId } } }));
    expect(res.status).toBe(202);
    expect(res.data).toEqual({ eventId, state: 'PENDING' });
    // The running delivery workflow got the signal (it runs when a worker polls its queue).
    const history = await stack.client.workflow.getHandle(workflowId).fetchHistory();
    const signals = (history.events ?? []).filter((event) => event.workflowExecutionSignaledEventAttributes);
    expect(signals.map((event) => event.workflowExecutionSignaledEventAttributes!.signalName)).toEqual(['redeliverWebhookEvent']);

    for (const [label, endpointId, event] of [
      ['an event the log does not have', id, payoutEventId(reference, 2)],
      ['a payout with no deliveries to the endpoint', id, payoutEventId(uniqueReference('none'), 1)],
      ['an unknown endpoint', 'we_0123456789abcdef01234567', eventId],
      ['not an event id', id, 'evt_nosequence'],
      ['a sequence with a leading zero', id, `evt_${reference}.01`],
    ] as const) {
      const missing = await call<ProblemBody>(stack, 'POST', `/v1/webhook-endpoints/${endpointId}/deliveries/${encodeURIComponent(event)}/redeliver`, { key: KEYS.admin, body: {} });
      expect({ label, status: missing.status }).toEqual({ label, status: 404 });
      expect(missing.contentType).toContain('application/problem+json');
    }
  });

  test('redeliver to a terminated delivery workflow → 409: its events are gone', async () => {
    const { id } = await register({ url: receiverUrl('terminated') });
    const reference = uniqueReference('term');
    const workflowId = await deliveryWorkflow(id, reference, [record(reference, 1, '2026-11-22T10:00:00.000Z')]);
    await stack.client.workflow.getHandle(workflowId).terminate('stopped by hand');
    const res = await call<ProblemBody>(stack, 'POST', `/v1/webhook-endpoints/${id}/deliveries/${payoutEventId(reference, 1)}/redeliver`, { key: KEYS.admin });
    expect(res.status).toBe(409);
    expect(res.body.type).toMatch(/delivery-closed$/);
  });
});

describe('Temporal unreachable', () => {
  let down: { apiUrl: string };
  let connection: Connection;
  beforeAll(async () => {
    connection = Connection.lazy({ address: `127.0.0.1:${await freePort()}`, connectTimeout: 1_000 });
    down = await listen(
      createApp({
        client: new Client({ connection }),
        taskQueue: 'nowhere',
        policy: TEST_POLICY,
        authenticator: createAuthenticator(undefined, false),
        providers: testCatalog(['singapay']),
        logger: createLogger({ level: 'silent' }),
        rpcTimeoutMs: 1_500,
      }),
    );
  });
  afterAll(async () => {
    await connection?.close().catch(() => undefined);
  });

  test('every route answers 503 problem+json with Retry-After, never a 500; bad input is still a 400 or 404', async () => {
    const id = 'we_0123456789abcdef01234567';
    const requests: [string, string, unknown][] = [
      ['POST', '/v1/webhook-endpoints', { url: 'http://127.0.0.1:9/hooks' }],
      ['GET', '/v1/webhook-endpoints', undefined],
      ['GET', `/v1/webhook-endpoints/${id}`, undefined],
      ['DELETE', `/v1/webhook-endpoints/${id}`, undefined],
      ['POST', `/v1/webhook-endpoints/${id}/rotate-secret`, {}],
      ['GET', `/v1/webhook-endpoints/${id}/deliveries`, undefined],
      ['POST', `/v1/webhook-endpoints/${id}/deliveries/evt_X-1.1/redeliver`, {}],
    ];
    const answers = await Promise.all(requests.map(([method, path, body]) => call<ProblemBody>(down, method, path, { key: KEYS.admin, ...(body !== undefined && { body }) })));
    for (const [index, res] of answers.entries()) {
      const route = `${requests[index]![0]} ${requests[index]![1]}`;
      expect({ route, status: res.status, type: res.body.type }).toEqual({ route, status: 503, type: expect.stringContaining('temporal-unavailable') });
      expect(res.headers.get('retry-after')).toBe('5');
      expect(JSON.stringify(res.body)).not.toMatch(/\n\s+at /);
    }
    expect((await call(down, 'POST', '/v1/webhook-endpoints', { key: KEYS.admin, body: { url: 'ftp://x.example/' } })).status).toBe(400);
    expect((await call(down, 'GET', '/v1/webhook-endpoints/nope', { key: KEYS.admin })).status).toBe(404);
  }, 30_000);
});

describe('the OpenAPI document', () => {
  const document = buildOpenApiDocument(testCatalog([]).known) as {
    webhooks: Record<string, { post: { operationId: string; security: unknown[]; parameters: { name: string; in: string; required: boolean }[] } }>;
  };

  test('describes one webhook per event type, with the Standard Webhooks headers and no API key', () => {
    expect(Object.keys(document.webhooks)).toEqual(ALL_TYPES);
    const operationIds = Object.values(document.webhooks).map(({ post }) => post.operationId);
    expect(new Set(operationIds).size).toBe(ALL_TYPES.length);
    expect(document.webhooks['payout.awaiting_approval']!.post.operationId).toBe('onPayoutAwaitingApproval');
    for (const { post } of Object.values(document.webhooks)) {
      expect(post.security).toEqual([]);
      expect(post.parameters.map(({ name, in: where, required }) => `${where} ${name} ${required}`)).toEqual([
        'header webhook-id true',
        'header webhook-timestamp true',
        'header webhook-signature true',
      ]);
    }
  });
});
