// A whole payouts stack for one test file, made of real parts: the Singapay simulator over HTTP, our
// real Singapay client, a worker on its own task queue of the shared dev server, and the real API on
// a free port. Durations are short so that a payout settles in seconds.
import { randomUUID } from 'node:crypto';
import type { Server } from 'node:http';
import { Client, Connection } from '@temporalio/client';
import { DefaultLogger, NativeConnection, Runtime } from '@temporalio/worker';
import { createApp } from '../../src/api/app';
import { createAuthenticator } from '../../src/api/auth';
import { createLogger } from '../../src/logging';
import { payoutSchema } from '../../src/api/schemas';
import type { Payout, PayoutStatus } from '../../src/domain/payout';
import { loadConfig } from '../../src/config';
import { checkAgainstDocument } from './api-document';
import type { RegisteredProvider, RunningSimulator } from '../../src/providers/module';
import { createProviders, providerCatalog } from '../../src/providers/catalog';
import { PROVIDER_MODULES } from '../../src/registry';
import { freePort } from './ports';
import { createWorker } from '../../src/temporal/worker';
import { applyProviderRateLimits, describeRateLimits, workerQueueRates } from '../../src/temporal/rate-limits';
import { startWorkerProcess, type WorkerProcess } from './worker-process';
import { dataConverterFor, type CodecKey } from '../../src/temporal/codec';
import type { PayoutPolicy } from '../../workflows/policy';
import { TEST_POLICY } from './policy';
import type { ConfiguredPolicy } from '../../src/approvals/policy-config';
import type { ApiKeyEntry } from '../../src/api/api-keys';
import type { DeliveryPolicy } from '../../src/domain/webhooks';

export { TEST_POLICY };

/** Webhook retries in seconds rather than hours, so tests see several attempts. */
export const TEST_DELIVERY_POLICY: DeliveryPolicy = {
  initialIntervalMs: 250,
  maxIntervalMs: 2_000,
  retryWindowMs: 10 * 60_000,
  attemptTimeoutMs: 5_000,
  lingerMs: 60_000,
};


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
  /** Provider modules beside the registry's (test/fixtures/thirdpay); every provider runs its own simulator. */
  extraProviders?: readonly RegisteredProvider[];
  /** Webhook retry timing (short in tests that wait for retries to run out). */
  webhookDelivery?: Partial<DeliveryPolicy>;
  /**
   * Provider call limits, calls per second by provider key (`<KEY>_MAX_CALLS_PER_SECOND`): set, the
   * stack sets every provider's limit on its task queue in the server, as a worker does at start-up
   * (those not named here at their defaults), and its workers ask the same. Unset: no limit.
   */
  rateLimits?: Readonly<Record<string, number>>;
  /**
   * More workers on the stack's task queues, each the real worker entry point in a process of its own
   * (src/bin/worker.ts, with this stack's variables): the SDK allows one worker per task queue in a
   * process. Not with codecKeys or extraProviders (the process knows the registry's providers only).
   */
  workerProcesses?: number;
  /** The approval policy the API creates payouts and batches under (src/approvals/policy-config.ts); unset: one approval, no limits. */
  approvals?: ConfiguredPolicy;
  /** API keys instead of the development keys (src/api/auth.ts), e.g. more approvers. */
  apiKeys?: ApiKeyEntry[];
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
  // Every provider's simulator, from its module: a provider added to the registry is configured here too.
  const modules = [...PROVIDER_MODULES, ...(options.extraProviders ?? [])];
  const simulators: Record<string, RunningSimulator> = {};
  for (const module of modules) {
    simulators[module.key] = await module.startSimulator({ env: {}, port: 0, host: '127.0.0.1', callbackUrl: `${apiUrl}/v1/callbacks/${module.key}` });
  }
  // The providers are configured as a deployment configures them: variables, read by each module.
  // Short HTTP timeouts (<KEY>_TIMEOUT_MS), so the "answer never comes" scenarios end quickly.
  const timeoutMs = String(options.providerTimeoutMs ?? 1_000);
  const providerEnv: Record<string, string> = Object.assign({}, ...Object.values(simulators).map((running) => running.env));
  // The worker's variables (a worker process gets them too; for this process only the providers and
  // their limits are read from them).
  const workerEnv: Record<string, string> = {
    PUBLIC_BASE_URL: apiUrl,
    // The workflow runs with `policy` below, whose short timeouts are the test's choice, so the
    // activity-timeout rule must not refuse them.
    ACTIVITY_TIMEOUT_MS: String(10 * 60_000),
    ...providerEnv,
    ...Object.fromEntries(modules.map((module) => [`${module.key.toUpperCase()}_TIMEOUT_MS`, timeoutMs])),
    ...Object.fromEntries(Object.entries(options.rateLimits ?? {}).map(([key, rate]) => [`${key.toUpperCase()}_MAX_CALLS_PER_SECOND`, String(rate)])),
  };
  const config = loadConfig(workerEnv, modules);
  const taskQueue = `test-${randomUUID()}`;
  const policy = { ...TEST_POLICY, ...options.policy };

  const dataConverter = dataConverterFor(options.codecKeys);
  const namespace = options.namespace ?? 'default';
  const nativeConnection = await NativeConnection.connect({ address });
  const connection = await Connection.connect({ address });
  const client = new Client({ connection, namespace, ...(dataConverter && { dataConverter }) });
  // The limits a worker sets at start-up (src/bin/worker.ts), before anything polls.
  let providerQueueRates: Record<string, number> | undefined;
  if (options.rateLimits) {
    const limits = Object.fromEntries(config.providers.map(({ module }) => [module.key, config.rateLimits[module.key]!]));
    const applied = await applyProviderRateLimits(connection, { namespace, taskQueue, limits, identity: 'payouts test stack' });
    const { warnings } = describeRateLimits(applied);
    if (warnings.length > 0) throw new Error(`the rate limits did not hold: ${warnings.join('; ')}`);
    providerQueueRates = workerQueueRates(applied);
  }
  const worker = await createWorker({
    connection: nativeConnection,
    namespace,
    taskQueue,
    providers: createProviders(config.providers),
    workflowBundle: { codePath: bundlePath },
    options: { shutdownGraceTime: '1s' },
    dataConverter,
    webhooks: { client, masterKey: config.webhooks.masterKey, urlPolicy: config.webhooks.urlPolicy, delivery: { ...TEST_DELIVERY_POLICY, ...options.webhookDelivery } },
    ...(providerQueueRates && { providerQueueRates }),
  });
  const workerRun = worker.run();
  const workerProcesses: WorkerProcess[] = [];
  const stopWorkers = async () => {
    if (worker.getState() === 'RUNNING') worker.shutdown();
    await Promise.all([workerRun, ...workerProcesses.map((each) => each.stop())]);
  };
  /** One more worker: the real entry point in a process of its own, with this stack's variables (an empty cache). */
  const addWorkerProcess = async (): Promise<WorkerProcess> => {
    if (options.codecKeys || options.extraProviders) {
      throw new Error('workerProcesses: the worker process knows neither codec keys nor extra providers here');
    }
    const started = await startWorkerProcess({
      ...workerEnv,
      TEMPORAL_ADDRESS: address,
      TEMPORAL_NAMESPACE: namespace,
      TEMPORAL_TASK_QUEUE: taskQueue,
      WORKFLOW_BUNDLE_PATH: bundlePath,
    });
    workerProcesses.push(started);
    return started;
  };
  try {
    for (let n = 0; n < (options.workerProcesses ?? 0); n += 1) await addWorkerProcess();
  } catch (err) {
    await stopWorkers();
    await nativeConnection.close();
    await connection.close();
    for (const running of Object.values(simulators)) await running.close();
    throw err;
  }

  const app = createApp({
    client,
    taskQueue,
    policy,
    authenticator: createAuthenticator(options.apiKeys, false),
    ...(options.approvals && { approvals: options.approvals }),
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
    simulators,
    /** The Singapay simulator's address and the credentials it made (most tests pay through it). */
    simulator: {
      url: simulators.singapay!.url,
      credentials: {
        clientId: providerEnv.SINGAPAY_CLIENT_ID!,
        clientSecret: providerEnv.SINGAPAY_CLIENT_SECRET!,
        apiKey: providerEnv.SINGAPAY_API_KEY!,
        accountId: providerEnv.SINGAPAY_ACCOUNT_ID!,
      },
    },
    faspaySimulator: { url: simulators.faspay!.url },
    client,
    taskQueue,
    /** The worker in this process (stopping it leaves any worker processes running). */
    worker,
    workerProcesses,
    addWorkerProcess,
    async stop() {
      await new Promise((resolve) => server.close(resolve));
      server.closeAllConnections();
      // A request whose client went away (a browser closed) still runs its handler: give it time to
      // finish while the worker can still answer its query. A Temporal call still in flight when the
      // connection closes below retries on the closed channel and throws in whichever test runs next.
      await new Promise((resolve) => setTimeout(resolve, 1_500));
      await stopWorkers();
      await nativeConnection.close();
      await connection.close();
      for (const running of Object.values(simulators)) await running.close();
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

/** One HTTP call to the API, as any client would make it; the answer must be one the OpenAPI document describes. */
export async function call<T = Record<string, unknown>>(
  /** `documented: false` for a listener that is not the API (the codec's own): its answers are not the document's. */
  stack: { apiUrl: string; documented?: false },
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
  const answer = { status: res.status, contentType: res.headers.get('content-type') ?? '', body: parsed as T, headers: res.headers };
  // Every answer the tests see must be one the OpenAPI document describes.
  if (stack.documented !== false) checkAgainstDocument({ method, path, ...answer });
  return answer;
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
