// A whole payouts stack for one test file, made of real parts: the Singapay simulator over HTTP, our
// real Singapay client, a worker on its own task queue of the shared dev server, and the real API on
// a free port. Durations are short so that a payout settles in seconds.
import { randomUUID } from 'node:crypto';
import type { Server } from 'node:http';
import { Client, Connection } from '@temporalio/client';
import { DefaultLogger, NativeConnection, Runtime, type Worker } from '@temporalio/worker';
import { createApp } from '../../src/api/app';
import { createAuthenticator } from '../../src/api/auth';
import { createLogger } from '../../src/logging';
import { payoutSchema } from '../../src/api/schemas';
import type { Payout, PayoutStatus } from '../../src/domain/payout';
import { loadConfig } from '../../src/config';
import type { ProviderModule, RunningSimulator } from '../../src/providers/module';
import { createProviders, PROVIDER_MODULES, providerCatalog } from '../../src/providers/registry';
import { startSingapaySimulator } from '../../src/simulators/singapay';
import { startFaspaySimulator } from '../../src/simulators/faspay';
import { freePort } from './ports';
import { createWorker } from '../../src/temporal/worker';
import { dataConverterFor, type CodecKey } from '../../src/temporal/codec';
import type { PayoutPolicy } from '../../workflows/policy';
import { TEST_POLICY } from './policy';

export { TEST_POLICY };


export interface StackOptions {
  policy?: Partial<PayoutPolicy>;
  /** The Singapay client's HTTP timeout; short, so the "answer never comes" scenarios end quickly. */
  providerTimeoutMs?: number;
  /** Payload encryption keys for the client and the worker (the codec endpoint is test/api/codec.test.ts's own listener). */
  codecKeys?: CodecKey[];
  /** `default`, or `encrypted` (made by the global setup) for stacks with codec keys. */
  namespace?: string;
  /** How long a decision waits for the workflow before the API answers 503. */
  decisionTimeoutMs?: number;
  /** Provider modules beside the registry's (test/fixtures/thirdpay): each runs its own simulator. */
  extraProviders?: readonly ProviderModule[];
}

export type TestStack = Awaited<ReturnType<typeof startStack>>;

let runtimeInstalled = false;
/** Worker logs at WARN, so a passing run stays readable (TEST_LOG_LEVEL=debug shows everything). */
function quietRuntime() {
  if (runtimeInstalled) return;
  runtimeInstalled = true;
  const level = (process.env.TEST_LOG_LEVEL?.toUpperCase() ?? 'WARN') as 'WARN';
  Runtime.install({ logger: new DefaultLogger(['TRACE', 'DEBUG', 'INFO', 'WARN', 'ERROR'].includes(level) ? level : 'WARN') });
}

export async function startStack(options: StackOptions = {}) {
  quietRuntime();
  const address = process.env.TEST_TEMPORAL_ADDRESS;
  const bundlePath = process.env.TEST_WORKFLOW_BUNDLE;
  if (!address || !bundlePath) throw new Error('the jest global setup did not start Temporal (run tests through jest.config.js)');

  const apiPort = await freePort();
  const apiUrl = `http://127.0.0.1:${apiPort}`;
  const simulator = await startSingapaySimulator({ port: 0, notificationUrl: `${apiUrl}/v1/callbacks/singapay` });
  const faspaySimulator = await startFaspaySimulator({ port: 0 });
  const modules = [...PROVIDER_MODULES, ...(options.extraProviders ?? [])];
  const extraSimulators: Record<string, RunningSimulator> = {};
  for (const module of options.extraProviders ?? []) {
    extraSimulators[module.key] = await module.startSimulator({ env: {}, port: 0, host: '127.0.0.1', callbackUrl: `${apiUrl}/v1/callbacks/${module.key}` });
  }
  // The providers are configured as a deployment configures them: variables, read by each module.
  // Short HTTP timeouts (<KEY>_TIMEOUT_MS), so the "answer never comes" scenarios end quickly.
  const timeoutMs = String(options.providerTimeoutMs ?? 1_000);
  const config = loadConfig(
    {
      PUBLIC_BASE_URL: apiUrl,
      SINGAPAY_BASE_URL: simulator.url,
      SINGAPAY_CLIENT_ID: simulator.credentials.clientId,
      SINGAPAY_CLIENT_SECRET: simulator.credentials.clientSecret,
      SINGAPAY_API_KEY: simulator.credentials.apiKey,
      SINGAPAY_ACCOUNT_ID: simulator.credentials.accountId,
      FASPAY_BASE_URL: faspaySimulator.url,
      FASPAY_PARTNER_ID: faspaySimulator.credentials.partnerId,
      FASPAY_PRIVATE_KEY: faspaySimulator.credentials.merchantPrivateKeyPem,
      FASPAY_SOURCE_ACCOUNT: faspaySimulator.credentials.sourceAccount,
      FASPAY_CALLBACK_PUBLIC_KEY: faspaySimulator.simulatorPublicKeyPem,
      ...Object.assign({}, ...Object.values(extraSimulators).map((running) => running.env)),
      ...Object.fromEntries(modules.map((module) => [`${module.key.toUpperCase()}_TIMEOUT_MS`, timeoutMs])),
    },
    modules,
  );
  const taskQueue = `test-${randomUUID()}`;
  const policy = { ...TEST_POLICY, ...options.policy };

  const dataConverter = dataConverterFor(options.codecKeys);
  const namespace = options.namespace ?? 'default';
  const nativeConnection = await NativeConnection.connect({ address });
  const worker: Worker = await createWorker({
    connection: nativeConnection,
    namespace,
    taskQueue,
    providers: createProviders(config.providers),
    workflowBundle: { codePath: bundlePath },
    options: { shutdownGraceTime: '1s' },
    dataConverter,
  });
  const workerRun = worker.run();

  const connection = await Connection.connect({ address });
  const client = new Client({ connection, namespace, ...(dataConverter && { dataConverter }) });
  const app = createApp({
    client,
    taskQueue,
    policy,
    authenticator: createAuthenticator(undefined, false),
    providers: providerCatalog(modules, config.providers),
    ...(options.decisionTimeoutMs !== undefined && { decisionTimeoutMs: options.decisionTimeoutMs }),
    logger: createLogger({ level: process.env.TEST_LOG_LEVEL ?? 'silent' }),
    namespace,
  });
  const server: Server = await new Promise((resolve) => {
    const s = app.listen(apiPort, '127.0.0.1', () => resolve(s));
  });

  return {
    apiUrl,
    address,
    simulator,
    faspaySimulator,
    extraSimulators,
    client,
    taskQueue,
    worker,
    async stop() {
      await new Promise((resolve) => server.close(resolve));
      server.closeAllConnections();
      if (worker.getState() === 'RUNNING') worker.shutdown();
      await workerRun;
      await nativeConnection.close();
      await connection.close();
      await simulator.close();
      await faspaySimulator.close();
      for (const running of Object.values(extraSimulators)) await running.close();
    },
  };
}

export const KEYS = { requester: 'dev-requester', approver: 'dev-approver', admin: 'dev-admin' } as const;

export interface ApiAnswer<T = unknown> {
  status: number;
  contentType: string;
  body: T;
  headers: Headers;
}

/** One HTTP call to the API, as any client would make it. */
export async function call<T = Record<string, unknown>>(
  stack: { apiUrl: string },
  method: string,
  path: string,
  options: { key?: string | null; body?: unknown; rawBody?: string; headers?: Record<string, string> } = {},
): Promise<ApiAnswer<T>> {
  const headers: Record<string, string> = { ...options.headers };
  const key = options.key === undefined ? KEYS.requester : options.key;
  if (key) headers.authorization = `Bearer ${key}`;
  let body: string | undefined;
  if (options.rawBody !== undefined) body = options.rawBody;
  else if (options.body !== undefined) body = JSON.stringify(options.body);
  if (body !== undefined && !headers['content-type']) headers['content-type'] = 'application/json';
  const res = await fetch(`${stack.apiUrl}${path}`, { method, headers, body });
  const text = await res.text();
  let parsed: unknown = text;
  try {
    parsed = text ? JSON.parse(text) : undefined;
  } catch {
    // not JSON: keep the text, the test will say so
  }
  return { status: res.status, contentType: res.headers.get('content-type') ?? '', body: parsed as T, headers: res.headers };
}

let counter = 0;
/** A reference unique to this test run. */
export function uniqueReference(label: string): string {
  counter += 1;
  return `${label}-${Date.now().toString(36)}-${counter}-${randomUUID().slice(0, 6)}`;
}

export function ewalletPayout(reference: string, customerNumber: string, value = '10000.00', extra: Record<string, unknown> = {}) {
  return {
    reference,
    destination: { type: 'EWALLET', ewallet: 'DANA', customerNumber },
    amount: { value, currency: 'IDR' },
    description: 'Cashback November',
    ...extra,
  };
}

/** Polls GET /v1/payouts/{id} until the status is reached (or fails with the last payout seen). */
export function waitForStatus(stack: { apiUrl: string }, id: string, status: PayoutStatus, timeoutMs = 30_000): Promise<Payout> {
  return waitForPayout(stack, id, (p) => p.status === status, timeoutMs, `reach ${status}`);
}

/** Polls GET /v1/payouts/{id} until `done` holds. Every answer must match the documented schema. */
export async function waitForPayout(
  stack: { apiUrl: string },
  id: string,
  done: (payout: Payout) => boolean,
  timeoutMs = 30_000,
  what = 'get there',
): Promise<Payout> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    const res = await call<Payout>(stack, 'GET', `/v1/payouts/${id}`);
    last = res.body;
    if (res.status === 200) payoutSchema.parse(res.body);
    if (res.status === 200 && done(res.body)) return res.body;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`payout ${id} did not ${what} within ${timeoutMs} ms; last seen: ${JSON.stringify(last)}`);
}

export interface LedgerEntry {
  reference: string;
  transactionId: string;
  amount: { value: string; currency: string };
  status: string;
  triggerCalls: number;
}

/** The simulator's ledger: the judge of whether money moved, and how often. */
export async function ledger(stack: { simulator: { url: string } }, reference?: string): Promise<LedgerEntry[]> {
  const res = await fetch(`${stack.simulator.url}/__sim/transactions`);
  const all = (await res.json()) as LedgerEntry[];
  return reference === undefined ? all : all.filter((t) => t.reference === reference);
}
