// The system under test, started the way production runs it: a Temporal dev server (or a given
// address), the Singapay simulator (and for batches the Faspay simulator) in this process with zero
// latency, and the worker, the API and the baseline's worker as separate Node processes, each with a
// memory probe on its IPC channel.
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { Connection } from '@temporalio/client';
import { freePort } from '../src/ports';
import { startSingapaySimulator, type SingapaySimulator } from '../src/simulators/singapay';
import { startFaspaySimulator, type FaspaySimulator } from '../src/simulators/faspay';
import { providerTaskQueue } from '../src/domain/task-queues';
import { temporal } from '@temporalio/proto';
import { resolveTemporalBinary } from '../src/temporal/cli-binary';
import { startDevServer, type DevServer } from '../src/temporal/dev-server';
import { ensureSearchAttributes } from '../src/temporal/search-attributes';
import { loadConfigOrExit } from '../src/config';
import { connectionOptions, PLAINTEXT, TEMPORAL_ACCESS_VARIABLES, type TemporalAccess } from '../src/temporal/connection';

const ROOT = join(__dirname, '..');
export const PAYOUT_TASK_QUEUE = 'bench-payouts';
export const BASELINE_TASK_QUEUE = 'bench-baseline';

export interface StackOptions {
  /** An existing Temporal frontend; unset: a dev server of our own (in memory). */
  temporalAddress?: string;
  /** Extra environment for the payout worker (tuning). */
  workerEnv?: Record<string, string>;
  /** Extra Node flags for the payout worker (e.g. --cpu-prof). */
  workerNodeArgs?: string[];
  /** Start the baseline's worker too. */
  baseline: boolean;
  /** Start the Faspay simulator too and configure the service for it (bank rows of a batch). */
  faspay?: boolean;
  /**
   * Each provider's call rate limit (`<KEY>_MAX_CALLS_PER_SECOND`, for every process), which the
   * server holds on the provider's task queue: high for a throughput run, so the limit does not set
   * the pace unseen.
   */
  providerRps: number;
  log: (line: string) => void;
}

export interface Measured {
  name: string;
  process: ChildProcess;
  /** process.memoryUsage() of the main thread, after a GC, through the memory probe. */
  memory(): Promise<NodeJS.MemoryUsage>;
  stop(): Promise<void>;
}

export interface BenchStack {
  temporalAddress: string;
  serverPid: number | undefined;
  apiUrl: string;
  simulator: SingapaySimulator;
  faspaySimulator?: FaspaySimulator;
  /** The providers the service is configured for (each has a task queue of its own). */
  providers: string[];
  connection: Connection;
  worker: Measured;
  api: Measured;
  baselineWorker?: Measured;
  stop(): Promise<void>;
}

export async function startBenchStack(options: StackOptions): Promise<BenchStack> {
  const stops: (() => Promise<void>)[] = [];
  const stopAll = async () => {
    for (const stop of stops.reverse()) await stop().catch(() => undefined);
  };
  try {
    let server: DevServer | undefined;
    let temporalAddress = options.temporalAddress;
    // A given server is reached as TEMPORAL_TLS_* / TEMPORAL_API_KEY say; our own dev server is plaintext.
    let access: TemporalAccess = PLAINTEXT;
    if (temporalAddress) access = loadConfigOrExit().temporal.access;
    else {
      const binary = await resolveTemporalBinary({ log: options.log });
      server = await startDevServer({ binary, port: await freePort(), logLevel: 'error' });
      stops.push(() => server!.stop());
      temporalAddress = server.address;
    }
    const connection = await Connection.connect(connectionOptions(temporalAddress, access));
    stops.push(() => connection.close());
    await ensureSearchAttributes(connection, 'default');

    const apiPort = await freePort();
    const apiUrl = `http://127.0.0.1:${apiPort}`;
    // Zero latency; transfers settle at the provider as soon as they are accepted and call back.
    const simulator = await startSingapaySimulator({ port: 0, settleAfterMs: 0, notificationUrl: `${apiUrl}/v1/callbacks/singapay` });
    stops.push(() => simulator.close());
    // Faspay has no settle-on-its-own option: its transfers move at their first status check (0000).
    const faspaySimulator = options.faspay ? await startFaspaySimulator({ port: 0 }) : undefined;
    if (faspaySimulator) stops.push(() => faspaySimulator.close());
    const rps = String(options.providerRps);

    const env: NodeJS.ProcessEnv = {
      ...process.env,
      NODE_ENV: 'development',
      LOG_LEVEL: 'warn',
      TEMPORAL_ADDRESS: temporalAddress,
      TEMPORAL_NAMESPACE: 'default',
      TEMPORAL_TASK_QUEUE: PAYOUT_TASK_QUEUE,
      API_HOST: '127.0.0.1',
      API_PORT: String(apiPort),
      SINGAPAY_BASE_URL: simulator.url,
      SINGAPAY_CLIENT_ID: simulator.credentials.clientId,
      SINGAPAY_CLIENT_SECRET: simulator.credentials.clientSecret,
      SINGAPAY_API_KEY: simulator.credentials.apiKey,
      SINGAPAY_ACCOUNT_ID: simulator.credentials.accountId,
      SINGAPAY_MAX_CALLS_PER_SECOND: rps,
      FASPAY_MAX_CALLS_PER_SECOND: rps,
    };
    for (const name of ['PAYLOAD_CODEC_KEYS', 'FASPAY_BASE_URL', 'PUBLIC_BASE_URL', 'WORKER_METRICS_PORT', 'WORKFLOW_BUNDLE_PATH']) delete env[name];
    if (faspaySimulator) {
      Object.assign(env, {
        FASPAY_BASE_URL: faspaySimulator.url,
        FASPAY_PARTNER_ID: faspaySimulator.credentials.partnerId,
        FASPAY_PRIVATE_KEY: faspaySimulator.credentials.merchantPrivateKeyPem,
        FASPAY_SOURCE_ACCOUNT: faspaySimulator.credentials.sourceAccount,
        FASPAY_CALLBACK_PUBLIC_KEY: faspaySimulator.simulatorPublicKeyPem,
      });
    }
    if (!options.temporalAddress) for (const name of TEMPORAL_ACCESS_VARIABLES) delete env[name];
    const worker = startMeasured('worker', 'src/bin/worker.ts', { ...env, ...options.workerEnv }, options.workerNodeArgs);
    stops.push(() => worker.stop());
    await worker.ready(/polling task queue/);
    const api = startMeasured('api', 'src/bin/api.ts', env);
    stops.push(() => api.stop());
    await api.ready(/listening on/);
    let baselineWorker: (Measured & { ready: (line: RegExp) => Promise<void> }) | undefined;
    if (options.baseline) {
      baselineWorker = startMeasured('baseline-worker', 'bench/baseline/worker.ts', { ...env, TEMPORAL_TASK_QUEUE: BASELINE_TASK_QUEUE });
      stops.push(() => baselineWorker!.stop());
      await baselineWorker.ready(/polling task queue/);
    }
    return {
      temporalAddress,
      serverPid: server?.child.pid,
      apiUrl,
      simulator,
      ...(faspaySimulator && { faspaySimulator }),
      providers: faspaySimulator ? ['singapay', 'faspay'] : ['singapay'],
      connection,
      worker,
      api,
      ...(baselineWorker && { baselineWorker }),
      stop: stopAll,
    };
  } catch (err) {
    await stopAll();
    throw err;
  }
}

function startMeasured(name: string, entry: string, env: NodeJS.ProcessEnv, nodeArgs: string[] = []): Measured & { ready: (line: RegExp) => Promise<void> } {
  const child = spawn(process.execPath, [...nodeArgs, '--expose-gc', '--import', 'tsx', '--import', join(ROOT, 'bench', 'memory-probe.cjs'), join(ROOT, entry)], {
    cwd: ROOT,
    env,
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
  });
  let output = '';
  const collect = (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-20_000);
  };
  child.stdout!.on('data', collect);
  child.stderr!.on('data', collect);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return {
    name,
    process: child,
    ready: async (line) => {
      const deadline = Date.now() + 120_000;
      while (!line.test(output)) {
        if (child.exitCode !== null || Date.now() > deadline) throw new Error(`${name} did not start:\n${output.slice(-3000)}`);
        await new Promise((r) => setTimeout(r, 50));
      }
    },
    memory: () =>
      new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`${name} did not report its memory`)), 10_000);
        const onMessage = (message: { type?: string; usage?: NodeJS.MemoryUsage }) => {
          if (message?.type !== 'memory') return;
          clearTimeout(timer);
          child.off('message', onMessage);
          resolve(message.usage!);
        };
        child.on('message', onMessage);
        child.send({ type: 'memory' });
      }),
    stop: async () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
      await exited;
      clearTimeout(timer);
    },
  };
}

/**
 * The rate limit the server holds on each provider's task queue, in activity tasks per second (what
 * the workers derive from `<KEY>_MAX_CALLS_PER_SECOND` and set at start-up: src/temporal/rate-limits.ts),
 * by provider; null where none is set or the server cannot tell (then only each worker's own
 * maxTaskQueueActivitiesPerSecond applies).
 */
export async function serverRateLimits(stack: Pick<BenchStack, 'connection' | 'providers'>): Promise<Record<string, number | null>> {
  const entries = await Promise.all(
    stack.providers.map(async (provider) => {
      try {
        const answer = await stack.connection.workflowService.describeTaskQueue({
          namespace: 'default',
          taskQueue: { name: providerTaskQueue(PAYOUT_TASK_QUEUE, provider), kind: temporal.api.enums.v1.TaskQueueKind.TASK_QUEUE_KIND_NORMAL },
          taskQueueType: temporal.api.enums.v1.TaskQueueType.TASK_QUEUE_TYPE_ACTIVITY,
          reportConfig: true,
        });
        const rate = answer.config?.queueRateLimit?.rateLimit?.requestsPerSecond;
        return [provider, rate === undefined || rate === null ? null : Math.round(rate * 100) / 100] as const;
      } catch {
        return [provider, null] as const;
      }
    }),
  );
  return Object.fromEntries(entries);
}
