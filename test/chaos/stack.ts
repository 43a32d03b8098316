// The system under attack, started as production runs it: a Temporal dev server on a SQLite file
// (so it can be restarted on the same database), both provider simulators in this process, and the
// worker(s) and the API as separate Node processes configured through the environment. A worker can
// be killed with SIGKILL and another started, the workers scaled to a number; the server can be
// stopped (SIGTERM or SIGKILL) and started again on the same port and database.
//
// ChaosStack is also what another topology hands runChaos (its `startStack` option): several API
// instances (`apiUrls`), its own API keys, a database it can restart. This stack has one API
// instance, the development keys, and no database of its own to restart.
import { createWriteStream, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../support/ports';
import { Client, Connection } from '@temporalio/client';
import { startFaspaySimulator, type FaspaySimulator } from '../../src/simulators/faspay';
import { startSingapaySimulator, type SingapaySimulator } from '../../src/simulators/singapay';
import { z } from 'zod';
import { ACTIVITY_TIMEOUT_MARGIN_MS, envSchema } from '../../src/config';
import { PROVIDER_MODULES } from '../../src/registry';
import { resolveTemporalBinary } from '../../src/temporal/cli-binary';
import { startDevServer, type DevServer } from '../../src/temporal/dev-server';
import { writeWorkflowBundle } from '../../src/temporal/workflow-bundle';
import { startService, type ServiceProcess } from '../../src/production/processes';
import { sha256Hex } from '../../src/api/auth';
import { apiKeyEntries, KEYS, policyJson, type ChaosPolicy, type KeyName } from './model';

export const TASK_QUEUE = 'chaos-payouts';

/** Short durations, so that a run of minutes sees many polls, retries, deadlines and budgets. */
export interface Timing {
  statusPollInitialMs: number;
  statusPollMaxMs: number;
  statusPollBudgetMs: number;
  providerTimeoutMs: number;
  activityTimeoutMs: number;
  activityRetryInitialMs: number;
  activityRetryMaxMs: number;
  /**
   * REFUSAL_CONFIRM_MS: how long "not found" must last before a refusal after a possibly-arrived
   * trigger is believed. Unset: the service's default. Shorter than the status lag the faults cause,
   * it lets a refusal be believed while the provider holds the transfer (see RELIABILITY.md).
   */
  refusalConfirmMs?: number;
  /** WEBHOOK_RETRY_INITIAL_MS and WEBHOOK_RETRY_MAX_MS: short, so deliveries held by a receiver fault go soon after it ends. */
  webhookRetryInitialMs: number;
  webhookRetryMaxMs: number;
  /** How long, after the payouts settled and the receivers are back up, the run waits for every event to arrive. */
  webhookDrainMs: number;
}

export const DEFAULT_TIMING: Timing = {
  statusPollInitialMs: 500,
  statusPollMaxMs: 15_000,
  // Short, so that payouts reach NEEDS_ATTENTION under faults (and leave it), and a transfer that
  // never settles is NEEDS_ATTENTION well within the 2 × statusPollMaxMs the checker allows.
  statusPollBudgetMs: 8_000,
  // Long enough that a provider read under faults outlasts a workflow task's heartbeat (issue 12's
  // cancel race needed that to show: with 1 s it never did, with 3 s it did at once).
  providerTimeoutMs: 3_000,
  // Above the worst case of one provider call (token + call + renewed token + call = 4 × 3 s) with
  // the margin the configuration asks for (5 s).
  activityTimeoutMs: 17_000,
  activityRetryInitialMs: 200,
  activityRetryMaxMs: 2_000,
  webhookRetryInitialMs: 200,
  webhookRetryMaxMs: 2_000,
  // Above an attempt cut off by a worker kill (the activity's start-to-close timeout: the attempt's
  // 10 s and 10 s more) with the backoff after it; a run that drains normally waits for nothing.
  webhookDrainMs: 60_000,
};

/**
 * The service's settings for a run's timing: short polls, budgets and retries, so a run of minutes sees
 * many of them. Both the dev-server stack and the production topology (test/production) run with them.
 */
export function timingEnvironment(timing: Timing): Record<string, string> {
  return {
    SINGAPAY_TIMEOUT_MS: String(timing.providerTimeoutMs),
    FASPAY_TIMEOUT_MS: String(timing.providerTimeoutMs),
    STATUS_POLL_INITIAL_MS: String(timing.statusPollInitialMs),
    STATUS_POLL_MAX_MS: String(timing.statusPollMaxMs),
    STATUS_POLL_BACKOFF: '2',
    STATUS_POLL_BUDGET_MS: String(timing.statusPollBudgetMs),
    ACTIVITY_TIMEOUT_MS: String(timing.activityTimeoutMs),
    ACTIVITY_RETRY_INITIAL_MS: String(timing.activityRetryInitialMs),
    ACTIVITY_RETRY_MAX_MS: String(timing.activityRetryMaxMs),
    BALANCE_RECHECK_INITIAL_MS: '500',
    BALANCE_RECHECK_MAX_MS: '2000',
    BALANCE_RECHECK_MAX_ATTEMPTS: '6',
    // The lowest the configuration allows: payouts that poll for a while continue as new, so the
    // state carried across runs is attacked too.
    WORKFLOW_MAX_HISTORY_EVENTS: '100',
    ...(timing.refusalConfirmMs !== undefined && { REFUSAL_CONFIRM_MS: String(timing.refusalConfirmMs) }),
    // Webhooks (test/chaos/webhooks.ts registers the endpoints, on loopback: allowed outside
    // production). The retry window stays the default (24 h): no event may run out of retries in a run.
    WEBHOOK_RETRY_INITIAL_MS: String(timing.webhookRetryInitialMs),
    WEBHOOK_RETRY_MAX_MS: String(timing.webhookRetryMaxMs),
  };
}

export interface ChaosStack {
  /** Where the run writes observations.json (and this stack its logs). */
  dir: string;
  /** The API instance the simulators post their callbacks to: apiUrls[0]. */
  apiUrl: string;
  /** Every API instance (base URLs, no trailing slash); the run spreads its calls over them, one after another. */
  apiUrls: string[];
  /**
   * The API keys to send instead of the development keys (model.ts KEYS), for the same principals
   * (KEYS[name].principal). Absent: the development keys.
   */
  apiKeys?: Record<KeyName, string>;
  /**
   * The APPROVAL_POLICY the API and workers run with (issue 15), as the run asked for it (the checker's
   * policy rules judge against it). Absent: none (one approval, no limits, no auto-approval).
   */
  approvalPolicy?: ChaosPolicy;
  temporalAddress: string;
  /** The simulators when they run in this process (absent when they are processes of their own: the run uses simulatorUrl only). */
  singapay?: SingapaySimulator;
  faspay?: FaspaySimulator;
  /** The simulators' base URLs; the run uses their control API (/__sim/…), which answers loopback callers only. */
  simulatorUrl: Record<'singapay' | 'faspay', string>;
  client: Client;
  /** The durations the service runs with: the run's settle deadline (2 × statusPollMaxMs) and webhook drain bound come from here. */
  timing: Timing;
  /** kill -9 the oldest worker; resolves once it is gone. */
  killWorker(): Promise<void>;
  /** Starts a worker; resolves once it polls. */
  startWorker(): Promise<void>;
  /** Stops the Temporal server and starts it again on the same port and database; resolves once it answers. */
  restartServer(how: 'SIGTERM' | 'SIGKILL'): Promise<void>;
  /** Restarts the database under Temporal (`fast` or `immediate` shutdown); resolves once it answers again. Absent: the stack cannot. */
  restartDatabase?(how: 'fast' | 'immediate'): Promise<void>;
  /** Starts or stops workers until `to` run; resolves once that many run and the new ones poll. Absent: the stack cannot. */
  scaleWorkers?(to: number): Promise<void>;
  /**
   * The certificate the run's webhook receivers serve https with, for a stack whose workers deliver to
   * https only (production) and trust its CA. Absent: the receivers serve plain http.
   */
  webhookTls?: { cert: string; key: string };
  stop(): Promise<void>;
}

/**
 * Which form of each provider assumption the run uses: the defaults, or for every assumption the other
 * form (the first other value its setting names). Then the simulators hold that form and the service is
 * configured for it, so the payouts run through the other readings (words, gross amounts, another
 * signed path, a fee table the provider charges…) under the same faults and disruptions.
 */
export type AssumptionForms = 'default' | 'alternate';

export function alternateAssumptions(): { key: string; held: Record<string, string>; env: Record<string, string> }[] {
  return PROVIDER_MODULES.map((module) => {
    const chosen = module.assumptions.flatMap((assumption) => {
      // Values such as "<n>,<billerCode>:<n>,…" describe a form rather than name one.
      const other = assumption.setting.values.find((value) => value !== assumption.setting.default && !/[<…]/.test(value));
      return other === undefined ? [] : [{ id: assumption.id, variable: assumption.setting.variable, value: other }];
    });
    return {
      key: module.key,
      held: Object.fromEntries(chosen.map(({ id, value }) => [id, value])),
      env: Object.fromEntries(chosen.map(({ variable, value }) => [variable, value])),
    };
  });
}

/** The development keys of KEYS, as API_KEYS entries (the API then knows the run's extra requester and approver too). */
export function chaosApiKeys(keys: Readonly<Record<KeyName, string>> = Object.fromEntries(Object.entries(KEYS).map(([name, k]) => [name, k.key])) as Record<KeyName, string>): string {
  return JSON.stringify(apiKeyEntries(keys, sha256Hex));
}

export async function startChaosStack(options: { timing?: Timing; workers?: number; assumptions?: AssumptionForms; policy?: ChaosPolicy; log: (line: string) => void }): Promise<ChaosStack> {
  const timing = options.timing ?? DEFAULT_TIMING;
  const log = options.log;
  const dir = mkdtempSync(join(tmpdir(), 'payouts-chaos-'));
  const stops: (() => Promise<void>)[] = [];
  const stopAll = async () => {
    for (const stop of stops.reverse()) await stop().catch(() => undefined);
  };
  try {
    const binary = await resolveTemporalBinary({ log });
    const serverPort = await freePort();
    const dbFile = join(dir, 'temporal.db');
    const serverLog = createWriteStream(join(dir, 'temporal.log'));
    const startServer = () => startDevServer({ binary, port: serverPort, dbFile, logLevel: 'error', log: (line) => serverLog.write(`${line}\n`) });
    let server: DevServer = await startServer();
    stops.push(async () => {
      await server.stop();
      serverLog.end();
    });
    const temporalAddress = server.address;

    const bundlePath = join(dir, 'workflow-bundle.js');
    await writeWorkflowBundle(bundlePath);

    const apiPort = await freePort();
    const apiUrl = `http://127.0.0.1:${apiPort}`;
    const singapay = await startSingapaySimulator({ port: 0, notificationUrl: `${apiUrl}/v1/callbacks/singapay` });
    stops.push(() => singapay.close());
    const faspay = await startFaspaySimulator({ port: 0 });
    stops.push(() => faspay.close());

    const env: NodeJS.ProcessEnv = {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      NODE_ENV: 'development',
      LOG_LEVEL: 'warn',
      TEMPORAL_ADDRESS: temporalAddress,
      TEMPORAL_NAMESPACE: 'default',
      TEMPORAL_TASK_QUEUE: TASK_QUEUE,
      WORKFLOW_BUNDLE_PATH: bundlePath,
      API_HOST: '127.0.0.1',
      API_PORT: String(apiPort),
      // The codec endpoint's own listener (when the API has one): a free port, never a shared default.
      CODEC_PORT: String(await freePort()),
      SINGAPAY_BASE_URL: singapay.url,
      SINGAPAY_CLIENT_ID: singapay.credentials.clientId,
      SINGAPAY_CLIENT_SECRET: singapay.credentials.clientSecret,
      SINGAPAY_API_KEY: singapay.credentials.apiKey,
      SINGAPAY_ACCOUNT_ID: singapay.credentials.accountId,
      FASPAY_BASE_URL: faspay.url,
      FASPAY_PARTNER_ID: faspay.credentials.partnerId,
      FASPAY_PRIVATE_KEY: faspay.credentials.merchantPrivateKeyPem,
      FASPAY_SOURCE_ACCOUNT: faspay.credentials.sourceAccount,
      FASPAY_CALLBACK_PUBLIC_KEY: faspay.simulatorPublicKeyPem,
      ...timingEnvironment(timing),
      // Every key of KEYS (the development keys and the run's two more), and the approval policy.
      API_KEYS: chaosApiKeys(),
      ...(options.policy && { APPROVAL_POLICY: policyJson(options.policy) }),
    };
    if (options.assumptions === 'alternate') {
      const simulatorUrls: Record<string, string> = { singapay: singapay.url, faspay: faspay.url };
      for (const { key, held, env: settings } of alternateAssumptions()) {
        const res = await fetch(`${simulatorUrls[key]}/__sim/assumptions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(held) });
        if (!res.ok) throw new Error(`${key} simulator refused the alternate assumptions: ${res.status} ${await res.text()}`);
        Object.assign(env, settings);
        log(`${key}: the other form of ${Object.keys(held).join(', ')}`);
      }
      // Another form may make an attempt longer (a gross trigger asks the inquiry first): the activity
      // timeout covers the longest attempt, as the configuration demands.
      // The variables without the cross-variable checks (the activity timeout is what is being fixed).
      const parsed = z.object(envSchema.shape).parse(env);
      const longest = Math.max(...PROVIDER_MODULES.map((module) => module.attemptBudget(parsed).ms)) + ACTIVITY_TIMEOUT_MARGIN_MS;
      env.ACTIVITY_TIMEOUT_MS = String(Math.max(timing.activityTimeoutMs, longest));
    }

    // Workers, oldest first; a kill takes the oldest, a start adds one.
    const running: ServiceProcess[] = [];
    let started = 0;
    const startWorker = async () => {
      started += 1;
      const worker = spawnNode(`worker-${started}`, 'src/bin/worker.ts', env, dir);
      running.push(worker);
      await worker.ready(/polling task queue/);
    };
    for (let i = 0; i < Math.max(1, options.workers ?? 1); i += 1) await startWorker();
    stops.push(async () => {
      await Promise.all(running.map((w) => w.stop(15_000)));
    });
    const api = spawnNode('api', 'src/bin/api.ts', env, dir);
    stops.push(() => api.stop(15_000));
    await api.ready(/listening on/);

    const connection = await Connection.connect({ address: temporalAddress });
    stops.push(() => connection.close());
    const client = new Client({ connection, namespace: 'default' });

    return {
      dir,
      apiUrl,
      apiUrls: [apiUrl],
      ...(options.policy && { approvalPolicy: options.policy }),
      temporalAddress,
      singapay,
      faspay,
      simulatorUrl: { singapay: singapay.url, faspay: faspay.url },
      client,
      timing,
      killWorker: async () => {
        const oldest = running.shift();
        if (oldest) await oldest.kill();
      },
      startWorker,
      // Down: the oldest go first, stopped as a deployment would (SIGTERM, SIGKILL after 15 s).
      scaleWorkers: async (to) => {
        if (!Number.isInteger(to) || to < 0) throw new Error(`scale-workers needs a whole number ≥ 0, got ${to}`);
        while (running.length < to) await startWorker();
        while (running.length > to) await running.shift()!.stop();
      },
      restartServer: async (how) => {
        if (how === 'SIGKILL') {
          const exited = new Promise<void>((resolve) => server.child.once('exit', () => resolve()));
          if (server.child.exitCode === null && server.child.signalCode === null) {
            server.child.kill('SIGKILL');
            await exited;
          }
        } else {
          await server.stop();
        }
        server = await startServer();
      },
      stop: stopAll,
    };
  } catch (err) {
    await stopAll();
    throw err;
  }
}

/** A Node process of ours (tsx), its output in a log file of the run's directory. */
function spawnNode(name: string, entry: string, env: NodeJS.ProcessEnv, dir: string): ServiceProcess {
  const defined = Object.fromEntries(Object.entries(env).filter((pair): pair is [string, string] => pair[1] !== undefined));
  return startService(name, ['node', '--import', 'tsx', entry], defined, dir);
}
