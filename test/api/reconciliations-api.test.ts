// The reconciliation routes' HTTP contract (issue 18), against the real API, the real dev server and
// both simulators: who may start and read runs, every 400 with its pointer (not a day, after today,
// older than the namespace's retention, older than Faspay's history, a provider not configured
// here), 404 for ids that are not runs, 503 while Temporal is away; a run read while no worker
// answers (its memo), a terminated run as FAILED; and, with the workflow, a day's payouts reconciled
// end to end, twice, with the same report.
import { randomUUID } from 'node:crypto';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Client, Connection } from '@temporalio/client';
import { createApp } from '../../src/api/app';
import { createAuthenticator } from '../../src/api/auth';
import { jakartaDay } from '../../src/domain/approval-policy';
import type { ReconciliationRun } from '../../src/domain/reconciliation/run';
import { createLogger } from '../../src/logging';
import { RECONCILIATION_DATE } from '../../workflows/search-attributes';
import { freePort } from '../support/ports';
import { testCatalog } from '../support/providers';
import { call, ewalletPayout, KEYS, startStack, TEST_POLICY, uniqueReference, waitForStatus, type ApiAnswer, type TestStack } from '../support/stack';

const DAY_MS = 86_400_000;

interface ProblemBody {
  type: string;
  status: number;
  detail: string;
  errors?: { pointer: string; detail: string }[];
}
type Summary = Omit<ReconciliationRun, 'breaks'> & { breaks?: unknown };

let stack: TestStack;
/** The same namespace and Temporal, on a task queue no worker polls, with only Singapay configured. */
const idle = { apiUrl: '', taskQueue: `idle-${randomUUID()}` };
/** An API whose Temporal cannot be reached. */
const down = { apiUrl: '' };
const servers: Server[] = [];
let downConnection: Connection;

async function listen(app: ReturnType<typeof createApp>): Promise<string> {
  const server: Server = await new Promise((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  servers.push(server);
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

beforeAll(async () => {
  stack = await startStack();
  const common = { policy: TEST_POLICY, authenticator: createAuthenticator(undefined, false), logger: createLogger({ level: 'silent' }) };
  idle.apiUrl = await listen(createApp({ ...common, client: stack.client, taskQueue: idle.taskQueue, providers: testCatalog(['singapay']) }));
  downConnection = Connection.lazy({ address: `127.0.0.1:${await freePort()}`, connectTimeout: 1_000 });
  down.apiUrl = await listen(createApp({ ...common, client: new Client({ connection: downConnection }), taskQueue: 'nowhere', providers: testCatalog(['singapay', 'faspay']), rpcTimeoutMs: 2_000 }));
}, 120_000);

afterAll(async () => {
  for (const server of servers) {
    await new Promise((resolve) => server.close(resolve));
    server.closeAllConnections();
  }
  await downConnection?.close().catch(() => undefined);
  // Runs left open (the idle queue's, or any the workflow did not finish): the dev server is shared.
  if (stack) {
    for await (const info of stack.client.workflow.list({ query: `WorkflowType = 'reconciliationWorkflow' AND ExecutionStatus = 'Running' AND (TaskQueue = '${stack.taskQueue}' OR TaskQueue = '${idle.taskQueue}')` })) {
      await stack.client.workflow.getHandle(info.workflowId).terminate('test over').catch(() => undefined);
    }
  }
  await stack?.stop();
}, 60_000);

/** The Jakarta calendar day `days` before today. */
const dayAgo = (days: number) => jakartaDay(Date.now() - days * DAY_MS);

function expectProblem(res: ApiAnswer, status: number, pointer?: string): ProblemBody {
  expect({ status: res.status, contentType: res.contentType }).toEqual({ status, contentType: expect.stringContaining('application/problem+json') });
  const problem = res.body as ProblemBody;
  expect(problem.status).toBe(status);
  if (pointer !== undefined) expect(problem.errors?.map((e) => e.pointer)).toContain(pointer);
  return problem;
}

const start = (api: { apiUrl: string }, body: unknown, key: string | null = KEYS.admin) => call<{ id: string }>(api, 'POST', '/v1/reconciliations', { key, body });
const read = (api: { apiUrl: string }, id: string, key: string | null = KEYS.approver) => call<ReconciliationRun>(api, 'GET', `/v1/reconciliations/${encodeURIComponent(id)}`, { key });
const list = (api: { apiUrl: string }, date?: string, key: string | null = KEYS.approver) =>
  call<{ items: Summary[] }>(api, 'GET', `/v1/reconciliations${date === undefined ? '' : `?date=${encodeURIComponent(date)}`}`, { key });

/** Polls GET /v1/reconciliations/{id} until `done` holds. */
async function waitForRun(api: { apiUrl: string }, id: string, done: (run: ReconciliationRun) => boolean, what: string, timeoutMs = 90_000): Promise<ReconciliationRun> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    const res = await read(api, id);
    last = res.body;
    if (res.status === 200 && done(res.body)) return res.body;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error(`run ${id} did not ${what} within ${timeoutMs} ms; last seen: ${JSON.stringify(last)}`);
}

/** Polls the list of a day until `done` holds (visibility is a moment behind). */
async function waitForList(api: { apiUrl: string }, date: string | undefined, done: (items: Summary[]) => boolean, what: string): Promise<Summary[]> {
  const deadline = Date.now() + 30_000;
  let last: unknown;
  while (Date.now() < deadline) {
    const res = await list(api, date);
    expect(res.status).toBe(200);
    last = res.body;
    if (done(res.body.items)) return res.body.items;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error(`the list of ${date ?? 'the latest runs'} did not ${what}; last seen: ${JSON.stringify(last)}`);
}

describe('POST /v1/reconciliations: who and what', () => {
  test('an admin only: no key 401, a requester or an approver 403', async () => {
    const body = { date: dayAgo(0) };
    expectProblem(await start(stack, body, null), 401);
    expectProblem(await start(stack, body, KEYS.requester), 403);
    expectProblem(await start(stack, body, KEYS.approver), 403);
  });

  test.each([
    ['no body', undefined, '/'],
    ['no date', {}, '/date'],
    ['a date that is not YYYY-MM-DD', { date: '22-11-2026' }, '/date'],
    ['a date of another type', { date: 20261122 }, '/date'],
    ['a day that does not exist', { date: '2026-02-30' }, '/date'],
    ['month 13', { date: '2026-13-01' }, '/date'],
    ['an unknown field', { date: '2026-11-22', providers: ['faspay'] }, '/providers'],
    ['a provider the registry does not know', { date: '2026-11-22', provider: 'nopay' }, '/provider'],
  ])('%s → 400 with a pointer', async (_label, body, pointer) => {
    const res = body === undefined ? await call(stack, 'POST', '/v1/reconciliations', { key: KEYS.admin }) : await start(stack, body);
    const problem = expectProblem(res, 400);
    if (pointer !== '/') expect(problem.errors?.map((e) => e.pointer)).toContain(pointer);
    expect(problem.type).toBe('https://payouts.local/problems/validation-error');
  });

  test('a day after today (Asia/Jakarta) → 400 naming today', async () => {
    const tomorrow = jakartaDay(Date.now() + DAY_MS);
    const problem = expectProblem(await start(stack, { date: tomorrow }), 400, '/date');
    expect(problem.detail).toContain(`after today (${dayAgo(0)}`);
  });

  test("a day older than the namespace's retention → 400 saying the retention (the dev server keeps 1 day: yesterday began more than a day ago)", async () => {
    for (const date of [dayAgo(1), dayAgo(5)]) {
      const problem = expectProblem(await start(stack, { date }), 400, '/date');
      expect(problem.detail).toContain("older than the namespace's retention (1 day)");
    }
  });

  test("with Faspay reconciled, a day older than its history reaches (89 days) → 400 naming Faspay; without Faspay the retention decides", async () => {
    const old = dayAgo(100);
    const all = expectProblem(await start(stack, { date: old }), 400, '/date');
    expect(all.detail).toContain("older than Faspay's transaction history reaches (89 days)");
    const faspay = expectProblem(await start(stack, { date: old, provider: 'faspay' }), 400, '/date');
    expect(faspay.detail).toContain('Faspay');
    const singapay = expectProblem(await start(stack, { date: old, provider: 'singapay' }), 400, '/date');
    expect(singapay.detail).toContain('retention');
    // A deployment without Faspay: every provider is Singapay alone.
    const withoutFaspay = expectProblem(await start(idle, { date: old }), 400, '/date');
    expect(withoutFaspay.detail).toContain('retention');
  });

  test('a provider this deployment does not configure → 400 at /provider', async () => {
    const problem = expectProblem(await start(idle, { date: dayAgo(0), provider: 'faspay' }), 400, '/provider');
    expect(problem.detail).toContain('faspay is not configured in this deployment');
  });
});

describe('reading runs: who, 404s and bad queries', () => {
  test('a requester may not read runs (403); no key 401', async () => {
    expectProblem(await list(stack, undefined, KEYS.requester), 403);
    expectProblem(await read(stack, 'reconciliation-2026-11-22-all-abc', KEYS.requester), 403);
    expectProblem(await list(stack, undefined, null), 401);
  });

  test('an unknown run, an id that is not a run, and a run id of another workflow type → 404', async () => {
    expectProblem(await read(stack, `reconciliation-2026-11-22-all-${randomUUID().slice(0, 12)}`), 404);
    expectProblem(await read(stack, 'payout-INV-1'), 404);
    expectProblem(await read(stack, 'reconciliation-has a space'), 404);
    // A workflow whose id looks like a run's, of another type (started on a queue nobody polls).
    const id = `reconciliation-not-a-run-${randomUUID().slice(0, 8)}`;
    const handle = await stack.client.workflow.start('somethingElse', { taskQueue: idle.taskQueue, workflowId: id, args: [] });
    try {
      expectProblem(await read(stack, id), 404);
    } finally {
      await handle.terminate('test over');
    }
  });

  test('the list refuses a date that is not a day, and unknown parameters → 400 with a pointer', async () => {
    for (const date of ['yesterday', '2026-02-30']) expectProblem(await list(stack, date), 400, '/date');
    expectProblem(await call(stack, 'GET', '/v1/reconciliations?limit=5', { key: KEYS.admin }), 400, '/limit');
  });

  test('the list of a day without runs is empty', async () => {
    const res = await list(stack, '2020-01-01');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ items: [] });
  });
});

describe('Temporal unreachable', () => {
  test('start, read and list answer 503 with Retry-After; a bad body is still a 400', async () => {
    const answers = [await start(down, { date: dayAgo(0) }), await read(down, 'reconciliation-2026-11-22-all-abc'), await list(down, dayAgo(0))];
    for (const res of answers) {
      const problem = expectProblem(res, 503);
      expect(problem.type).toContain('temporal-unavailable');
      expect(res.headers.get('retry-after')).toBe('5');
    }
    expectProblem(await start(down, { date: '2026-02-30' }), 400, '/date');
    expectProblem(await start(down, { date: dayAgo(200) }), 400, '/date');
  }, 30_000);
});

describe('a run while no worker answers, and a run that ended without a report', () => {
  test("202 with Location; read from its memo while no worker answers (RUNNING, no report yet); listed by its day; terminated, it reads FAILED", async () => {
    const date = dayAgo(0);
    const res = await start(idle, { date, provider: 'singapay' });
    expect(res.status).toBe(202);
    const { id } = res.body;
    expect(id).toMatch(new RegExp(`^reconciliation-${date}-singapay-[0-9a-f]{12}$`));
    expect(res.headers.get('location')).toBe(`/v1/reconciliations/${id}`);

    const running = await read(idle, id, KEYS.admin);
    expect(running.status).toBe(200);
    expect(running.body).toMatchObject({ id, date, provider: 'singapay', trigger: 'api', requestedBy: 'admin@local', status: 'RUNNING', providers: [], breaks: [], flagged: [] });
    expect(Date.parse(running.body.cutoff)).toBeLessThanOrEqual(Date.now());

    // The run is a workflow of the contract's type, with its day as a search attribute.
    const description = await stack.client.workflow.getHandle(id).describe();
    expect(description.type).toBe('reconciliationWorkflow');
    expect(description.taskQueue).toBe(idle.taskQueue);
    expect(description.typedSearchAttributes.get(RECONCILIATION_DATE)).toBe(date);

    const listed = await waitForList(idle, date, (items) => items.some((item) => item.id === id), 'show the run');
    expect(listed.find((item) => item.id === id)).toMatchObject({ status: 'RUNNING', date });
    expect(listed.find((item) => item.id === id)).not.toHaveProperty('breaks');
    // Another deployment's list (another task queue) does not show it.
    expect((await list(stack, date)).body.items.map((item) => item.id)).not.toContain(id);

    // Each POST is a new run.
    const again = await start(idle, { date, provider: 'singapay' });
    expect(again.status).toBe(202);
    expect(again.body.id).not.toBe(id);

    await stack.client.workflow.getHandle(id).terminate('test: a run that never finishes');
    const failed = await read(idle, id);
    expect(failed.status).toBe(200);
    expect(failed.body).toMatchObject({ id, date, status: 'FAILED', providers: [], breaks: [] });
    await waitForList(idle, date, (items) => items.find((item) => item.id === id)?.status === 'FAILED', 'show the run FAILED');
    // Newest first: the second run before the first.
    const latest = await waitForList(idle, undefined, (items) => items.length >= 2, 'show both runs');
    expect(latest.map((item) => item.id).slice(0, 2)).toEqual([again.body.id, id]);
  }, 60_000);
});

describe('with the reconciliation workflow', () => {
  test("today's payouts at both providers reconcile without breaks; the run is listed by its day with its report; reconciling again gives a new run with the same report", async () => {
    // One payout at each provider, paid.
    const dana = uniqueReference('rec-dana');
    const bank = uniqueReference('rec-bank');
    const created = [
      await call(stack, 'POST', '/v1/payouts', { body: ewalletPayout(dana, '081200000000') }),
      await call(stack, 'POST', '/v1/payouts', {
        body: { reference: bank, destination: { type: 'BANK_ACCOUNT', bankCode: '014', accountNumber: '1234560000' }, amount: { value: '20000.00', currency: 'IDR' } },
      }),
    ];
    expect(created.map((res) => res.status)).toEqual([201, 201]);
    for (const reference of [dana, bank]) {
      await waitForStatus(stack, reference, 'AWAITING_APPROVAL');
      expect((await call(stack, 'POST', `/v1/payouts/${reference}/approve`, { key: KEYS.approver, body: {} })).status).toBe(200);
    }
    for (const reference of [dana, bank]) await waitForStatus(stack, reference, 'SUCCEEDED', 60_000);

    const date = dayAgo(0);
    const first = await start(stack, { date });
    expect(first.status).toBe(202);
    const run = await waitForRun(stack, first.body.id, (r) => r.status === 'COMPLETED', 'complete');
    expect(run).toMatchObject({ id: first.body.id, date, trigger: 'api', requestedBy: 'admin@local', status: 'COMPLETED' });
    expect(run.provider).toBeUndefined();
    expect(run.completedAt).toBeDefined();
    expect(Array.isArray(run.breaks)).toBe(true);
    expect(run.breakCounts).toBeDefined();
    expect(run.providers.map((p) => p.provider).sort()).toEqual(['faspay', 'singapay']);
    for (const report of run.providers) {
      expect(report.ours.count).toBeGreaterThanOrEqual(1);
      expect(report.matched.count).toBeGreaterThanOrEqual(1);
      expect(report.supports.length).toBeGreaterThan(0);
    }
    // Our two payouts agree with the providers' records.
    expect(run.breaks.filter((b) => b.reference === dana || b.reference === bank)).toEqual([]);

    // Listed by its day, from its memo: the report without the breaks.
    const listed = await waitForList(stack, date, (items) => items.find((item) => item.id === run.id)?.status === 'COMPLETED', 'show the run COMPLETED');
    const item = listed.find((each) => each.id === run.id)!;
    expect(item).not.toHaveProperty('breaks');
    expect(item.providers).toEqual(run.providers);
    expect(item.breakCounts).toEqual(run.breakCounts);

    // The same day again: another run, the same report (the balance's time aside).
    const second = await start(stack, { date });
    expect(second.status).toBe(202);
    expect(second.body.id).not.toBe(run.id);
    const again = await waitForRun(stack, second.body.id, (r) => r.status === 'COMPLETED', 'complete');
    const report = (r: ReconciliationRun) => ({
      providers: r.providers.map(({ balance, ...rest }) => ({ ...rest, balance: balance?.available })),
      breaks: r.breaks,
      breakCounts: r.breakCounts,
    });
    expect(report(again)).toEqual(report(run));
    const latest = await waitForList(stack, undefined, (items) => items[0]?.id === second.body.id, 'show the second run first');
    expect(latest.map((each) => each.id)).toContain(run.id);
  }, 240_000);
});
