// Crashes: the worker process killed with SIGKILL while a payout polls and while its trigger is in
// flight, and the Temporal dev server stopped and restarted on the same SQLite file mid-payout.
// Each payout must still finish, with one transfer in the simulator's ledger. And graceful stops:
// SIGTERM lets the worker finish the provider call in flight and the API answer its request.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { createApp } from '../../src/api/app';
import { createAuthenticator } from '../../src/api/auth';
import { createLogger } from '../../src/logging';
import { startSingapaySimulator, type SingapaySimulator } from '../../src/simulators/singapay';
import { resolveTemporalBinary } from '../../src/temporal/cli-binary';
import { startDevServer, type DevServer } from '../../src/temporal/dev-server';
import { TEST_POLICY } from '../support/policy';
import { freePort } from '../support/ports';
import { call, ewalletPayout, KEYS, ledger, uniqueReference, waitForPayout, waitForStatus } from '../support/stack';
import { isFinal, type Payout } from '../../src/domain/payout';
import type { DeliveryRecord } from '../../src/domain/webhooks';
import { eventsOf, testReceiver, waitForDeliveries } from '../support/webhooks';
import { testCatalog } from '../support/providers';
import { jakartaDay } from '../../src/domain/approval-policy';
import { reconciliationWorkflowId, type ReconciliationRun } from '../../src/domain/reconciliation';

const ROOT = join(__dirname, '..', '..');
const TASK_QUEUE = 'crash-tests';

let binary: string;
let dbFile: string;
let port: number;
let server: DevServer;
let simulator: SingapaySimulator;
let connection: Connection;
let api: Server;
const stack = { apiUrl: '', simulator: { url: '' } };
let worker: ChildProcess | undefined;
let workerLog = '';
let metricsPort: number;

/** The real worker entry point in its own process, as production runs it. */
async function startWorker(extraEnv: Record<string, string> = {}): Promise<ChildProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/bin/worker.ts'], {
    cwd: ROOT,
    env: {
      ...process.env,
      TEMPORAL_ADDRESS: `127.0.0.1:${port}`,
      TEMPORAL_TASK_QUEUE: TASK_QUEUE,
      SINGAPAY_BASE_URL: simulator.url,
      SINGAPAY_CLIENT_ID: simulator.credentials.clientId,
      SINGAPAY_CLIENT_SECRET: simulator.credentials.clientSecret,
      SINGAPAY_API_KEY: simulator.credentials.apiKey,
      SINGAPAY_ACCOUNT_ID: simulator.credentials.accountId,
      SINGAPAY_TIMEOUT_MS: '1000',
      WORKER_METRICS_PORT: String(metricsPort),
      // Webhook retries every 2 s at most, so deliveries resume soon after a receiver comes back.
      WEBHOOK_RETRY_INITIAL_MS: '250',
      WEBHOOK_RETRY_MAX_MS: '2000',
      LOG_LEVEL: 'warn',
      ...extraEnv,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout!.on('data', (c: Buffer) => (workerLog += c.toString()));
  child.stderr!.on('data', (c: Buffer) => (workerLog += c.toString()));
  const deadline = Date.now() + 60_000;
  const mark = workerLog.length;
  while (!workerLog.slice(mark).includes('polling task queue') && Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`worker exited: ${workerLog.slice(-2000)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  return child;
}

function killWorker(): Promise<void> {
  const child = worker!;
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    child.once('exit', () => resolve());
    child.kill('SIGKILL');
  });
}

beforeAll(async () => {
  binary = await resolveTemporalBinary({ log: () => undefined });
  dbFile = join(mkdtempSync(join(tmpdir(), 'payouts-crash-')), 'temporal.db');
  port = await freePort();
  metricsPort = await freePort();
  server = await startDevServer({ binary, port, dbFile });
  simulator = await startSingapaySimulator({ port: 0 });
  connection = await Connection.connect({ address: server.address });
  const app = createApp({
    client: new Client({ connection }),
    taskQueue: TASK_QUEUE,
    // The activity timeout is what hands a killed worker's trigger to the next worker.
    policy: { ...TEST_POLICY, activityTimeoutMs: 3_000 },
    authenticator: createAuthenticator(undefined, false),
    providers: testCatalog(['singapay']),
    logger: createLogger({ level: 'silent' }),
  });
  api = await new Promise((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  stack.apiUrl = `http://127.0.0.1:${(api.address() as AddressInfo).port}`;
  stack.simulator.url = simulator.url;
  worker = await startWorker();
}, 120_000);

afterAll(async () => {
  if (worker) await killWorker();
  await new Promise((resolve) => api?.close(resolve));
  api?.closeAllConnections();
  await connection?.close();
  await simulator?.close();
  await server?.stop();
});

async function approvedPayout(customerNumber: string): Promise<string> {
  const reference = uniqueReference('crash');
  await call(stack, 'POST', '/v1/payouts', { body: ewalletPayout(reference, customerNumber) });
  await waitForStatus(stack, reference, 'AWAITING_APPROVAL', 60_000);
  expect((await call(stack, 'POST', `/v1/payouts/${reference}/approve`, { key: KEYS.approver, body: {} })).status).toBe(200);
  return reference;
}

const settle = (reference: string) =>
  fetch(`${simulator.url}/__sim/transactions/${reference}/settle`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ status: '00' }),
  });

/** Waits until the workflow's trigger activity has been picked up by a worker and is running. */
async function waitForTriggerInFlight(reference: string): Promise<void> {
  const handle = new Client({ connection }).workflow.getHandle(`payout-${reference}`);
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    const { raw } = await handle.describe();
    const running = (raw.pendingActivities ?? []).some((a) => a.activityType?.name === 'triggerTransfer' && a.lastStartedTime);
    if (running) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error('the trigger never started');
}

describe('crashes', () => {
  test('worker SIGKILLed while the payout polls: a new worker finishes it, one transfer', async () => {
    const reference = await approvedPayout('081200003333');
    await waitForPayout(stack, reference, (p) => (p.transfer?.statusChecks ?? 0) >= 1, 30_000);
    await killWorker();
    expect((await settle(reference)).status).toBe(200);
    worker = await startWorker();
    await waitForStatus(stack, reference, 'SUCCEEDED', 60_000);
    expect(await ledger(stack, reference)).toEqual([expect.objectContaining({ triggerCalls: 1, status: '00' })]);

    // The worker's own Prometheus endpoint: SDK metrics and the payout outcome it just finished (the
    // run completes once its last webhook event is published, a moment after SUCCEEDED).
    await new Client({ connection }).workflow.getHandle(`payout-${reference}`).result();
    const metrics = await (await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).text();
    expect(metrics).toMatch(/payout_outcomes\{[^}]*provider="singapay"[^}]*status="SUCCEEDED"[^}]*\} [1-9]/);
    expect(metrics).toMatch(/temporal_workflow_completed/);
  }, 120_000);

  test('a reconciliation break is counted in reconciliation_breaks on the worker that ran the run', async () => {
    const reference = await approvedPayout('081200000000');
    await waitForStatus(stack, reference, 'SUCCEEDED', 60_000);
    // The provider reverses the transfer silently: the day's reconciliation finds a STATUS_MISMATCH.
    const reversed = await fetch(`${simulator.url}/__sim/transactions/${reference}`, {
      method: 'PATCH',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ status: '06' }),
    });
    expect(reversed.status).toBe(200);
    const date = jakartaDay(Date.now());
    const handle = await new Client({ connection }).workflow.start('reconciliationWorkflow', {
      taskQueue: TASK_QUEUE,
      workflowId: reconciliationWorkflowId(date, 'singapay', uniqueReference('metric')),
      args: [{ date, provider: 'singapay', trigger: 'api' }],
    });
    const run = (await handle.result()) as ReconciliationRun;
    expect(run.breaks).toContainEqual(expect.objectContaining({ kind: 'STATUS_MISMATCH', reference }));
    const metrics = (await (await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).text()).split('\n');
    const counted = metrics.find((line) => line.startsWith('reconciliation_breaks{') && line.includes('kind="STATUS_MISMATCH"') && line.includes('provider="singapay"'));
    expect(counted).toMatch(/ [1-9]\d*$/);
  }, 120_000);

  test('worker SIGKILLed while the trigger is in flight (the provider still takes it): one transfer', async () => {
    const reference = uniqueReference('crash-trigger');
    await call(stack, 'POST', '/v1/payouts', { body: ewalletPayout(reference, '081200000000') });
    await waitForStatus(stack, reference, 'AWAITING_APPROVAL', 60_000);
    // The provider answers the next trigger after 1.5 s; the worker dies before it hears the answer.
    await fetch(`${simulator.url}/__sim/faults`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ operation: 'trigger', mode: 'latency', count: 1, latencyMs: 1_500 }),
    });
    await call(stack, 'POST', `/v1/payouts/${reference}/approve`, { key: KEYS.approver, body: {} });
    await new Promise((r) => setTimeout(r, 700));
    await killWorker();
    await new Promise((r) => setTimeout(r, 1_500));
    expect(await ledger(stack, reference)).toHaveLength(1); // the money moved while no worker lived
    worker = await startWorker();
    await waitForStatus(stack, reference, 'SUCCEEDED', 60_000);
    const entries = await ledger(stack, reference);
    expect(entries).toHaveLength(1);
    expect(entries[0]!.triggerCalls).toBe(2); // the new attempt was refused as a duplicate
  }, 120_000);

  test('worker SIGTERMed with a trigger in flight: it finishes the call, takes no new work, exits 0; one transfer, sent once', async () => {
    // This worker waits 10 s for a provider answer, so the provider's 2 s answer arrives while it drains.
    await killWorker();
    worker = await startWorker({ SINGAPAY_TIMEOUT_MS: '10000' });
    const reference = uniqueReference('drain');
    await call(stack, 'POST', '/v1/payouts', { body: ewalletPayout(reference, '081200000000') });
    await waitForStatus(stack, reference, 'AWAITING_APPROVAL', 60_000);
    await fetch(`${simulator.url}/__sim/faults`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ operation: 'trigger', mode: 'latency', count: 1, latencyMs: 2_000 }),
    });
    await call(stack, 'POST', `/v1/payouts/${reference}/approve`, { key: KEYS.approver, body: {} });
    await waitForTriggerInFlight(reference);
    const exited = new Promise<number | null>((resolve) => worker!.once('exit', (code) => resolve(code)));
    worker!.kill('SIGTERM');
    expect(await exited).toBe(0);
    // The call in flight was finished, not abandoned: the provider saw exactly one trigger, and the
    // workflow recorded its answer before the worker left (nothing to re-send).
    expect(await ledger(stack, reference)).toEqual([expect.objectContaining({ triggerCalls: 1 })]);
    const handle = new Client({ connection }).workflow.getHandle(`payout-${reference}`);
    const events = (await handle.fetchHistory()).events ?? [];
    const triggerScheduled = events.find((e) => e.activityTaskScheduledEventAttributes?.activityType?.name === 'triggerTransfer');
    const completed = events.filter((e) => e.activityTaskCompletedEventAttributes).map((e) => Number(e.activityTaskCompletedEventAttributes!.scheduledEventId));
    expect(completed).toContain(Number(triggerScheduled!.eventId));
    worker = await startWorker();
    await waitForStatus(stack, reference, 'SUCCEEDED', 60_000);
    expect(await ledger(stack, reference)).toEqual([expect.objectContaining({ triggerCalls: 1, status: '00' })]);
  }, 120_000);

  test('API SIGTERMed with a request in flight: the request is answered, then the process exits 0', async () => {
    const apiPort = await freePort();
    const api = spawn(process.execPath, ['--import', 'tsx', 'src/bin/api.ts'], {
      cwd: ROOT,
      env: {
        ...process.env,
        TEMPORAL_ADDRESS: `127.0.0.1:${port}`,
        TEMPORAL_TASK_QUEUE: 'no-worker-here',
        API_PORT: String(apiPort),
        LOG_LEVEL: 'warn',
        SINGAPAY_BASE_URL: simulator.url,
        SINGAPAY_CLIENT_ID: simulator.credentials.clientId,
        SINGAPAY_CLIENT_SECRET: simulator.credentials.clientSecret,
        SINGAPAY_API_KEY: simulator.credentials.apiKey,
        SINGAPAY_ACCOUNT_ID: simulator.credentials.accountId,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    api.stdout!.on('data', (c: Buffer) => (out += c.toString()));
    const deadline = Date.now() + 30_000;
    while (!out.includes('listening on') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    const apiStack = { apiUrl: `http://127.0.0.1:${apiPort}` };
    const reference = uniqueReference('api-drain');
    expect((await call(apiStack, 'POST', '/v1/payouts', { body: ewalletPayout(reference, '081200000000') })).status).toBe(201);
    // No worker polls that task queue: GET waits for the live query (3 s) before it reads the memo.
    const inFlight = call(apiStack, 'GET', `/v1/payouts/${reference}`);
    await new Promise((r) => setTimeout(r, 300));
    const exited = new Promise<number | null>((resolve) => api.once('exit', (code) => resolve(code)));
    api.kill('SIGTERM');
    const answer = await inFlight;
    expect(answer.status).toBe(200);
    expect(await exited).toBe(0);
    await expect(fetch(`${apiStack.apiUrl}/healthz`)).rejects.toThrow();
  }, 60_000);

  test('Temporal dev server stopped and restarted on the same database mid-payout: it finishes, one transfer', async () => {
    const reference = await approvedPayout('081200003333');
    await waitForPayout(stack, reference, (p) => (p.transfer?.statusChecks ?? 0) >= 1, 30_000);
    await server.stop();
    await killWorker();
    server = await startDevServer({ binary, port, dbFile });
    worker = await startWorker();
    expect((await settle(reference)).status).toBe(200);
    await waitForStatus(stack, reference, 'SUCCEEDED', 60_000);
    expect(await ledger(stack, reference)).toEqual([expect.objectContaining({ triggerCalls: 1, status: '00' })]);
  }, 120_000);

  test('webhooks: the receiver down for a minute and the worker SIGKILLed meanwhile; every event arrives after, in order, same webhook-id, and the log shows the failed attempts', async () => {
    const receiver = await testReceiver();
    try {
      const created = await call<{ id: string; secret: string }>(stack, 'POST', '/v1/webhook-endpoints', { key: KEYS.admin, body: { url: receiver.url } });
      expect(created.status).toBe(201);
      receiver.useSecrets([created.body.secret]);
      await receiver.stop();
      const downSince = Date.now();
      // A success and a failure, each through every status while nobody receives.
      const references = [await approvedPayout('081200000000'), await approvedPayout('081200002222')];
      const payouts: Payout[] = [];
      for (const reference of references) payouts.push(await waitForPayout(stack, reference, (p) => isFinal(p.status), 60_000, 'finish'));
      await killWorker();
      await new Promise((r) => setTimeout(r, 2_000));
      worker = await startWorker();
      await new Promise((r) => setTimeout(r, Math.max(0, 60_000 - (Date.now() - downSince))));
      expect(receiver.deliveries).toEqual([]);
      await receiver.start();

      for (const payout of payouts) {
        await waitForDeliveries(receiver, (all) => eventsOf(all, payout.id).length >= payout.timeline.length, 60_000, `${payout.id}'s events`);
        // First arrivals in order of sequence; an at-least-once repeat keeps its id.
        const firstArrivals = [...new Map(eventsOf(receiver.deliveries, payout.id).map((e) => [e.id, e])).values()];
        expect(firstArrivals.map((e) => e.data.sequence)).toEqual(payout.timeline.map((_, i) => i + 1));
        expect(firstArrivals.map((e) => e.type)).toEqual(payout.timeline.map((t) => `payout.${t.status.toLowerCase()}`));
      }
      for (const delivery of receiver.deliveries) expect(delivery.webhookId).toBe(delivery.event.id);
      expect(receiver.rejectedByReference).toEqual([]);

      // The log: every event delivered, the first of each payout after many failed attempts.
      const deadline = Date.now() + 30_000;
      let log: DeliveryRecord[] = [];
      const ours = () => log.filter((entry) => references.includes(entry.payoutId));
      while (Date.now() < deadline) {
        log = (await call<{ items: DeliveryRecord[] }>(stack, 'GET', `/v1/webhook-endpoints/${created.body.id}/deliveries?limit=100`, { key: KEYS.admin })).body.items;
        if (ours().length === payouts.reduce((n, p) => n + p.timeline.length, 0) && ours().every((e) => e.state === 'DELIVERED')) break;
        await new Promise((r) => setTimeout(r, 250));
      }
      expect(ours().every((e) => e.state === 'DELIVERED' && e.lastHttpStatus === 204)).toBe(true);
      for (const reference of references) {
        const first = ours().find((e) => e.payoutId === reference && e.sequence === 1)!;
        expect(first.attempts).toBeGreaterThan(5);
      }
      // The worker started after the kill counted failed attempts and deliveries.
      const metrics = await (await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).text();
      expect(metrics).toMatch(/webhook_deliveries\{[^}]*outcome="FAILED"[^}]*\} [1-9]/);
      expect(metrics).toMatch(/webhook_deliveries\{[^}]*outcome="DELIVERED"[^}]*\} [1-9]/);
    } finally {
      await receiver.stop();
    }
  }, 240_000);
});
