// `npm start`: the whole local stack on loopback with embedded defaults —
// Temporal dev server + Web UI (unless TEMPORAL_ADDRESS is set), a simulator for every provider whose
// credentials are not set, the worker and the API as child processes. Ctrl-C stops them all, in
// order: API and worker first, then the simulators, then Temporal (SIGTERM, so SQLite closes cleanly).
// Like prepare-namespace, it makes the daily reconciliation's Schedule agree with RECONCILIATION_SCHEDULE.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { DEVELOPMENT_KEYS } from '../api/auth';
import { callbackUrlFor, loadConfig, loadConfigOrExit } from '../config';
import { resolveTemporalBinary } from '../temporal/cli-binary';
import { startDevServer, type DevServer } from '../temporal/dev-server';
import { ensureRetentionAtLeast } from '../temporal/namespace';
import { jakartaDay } from '../domain/approval-policy';
import { ensureSearchAttributes } from '../temporal/search-attributes';
import { connectionOptions, describeAccess, PLAINTEXT, TEMPORAL_ACCESS_VARIABLES } from '../temporal/connection';
import { dataConverterFor, parseCodecKeys } from '../temporal/codec';
import { describeReconciliationSchedule, ensureReconciliationSchedule } from '../temporal/reconciliation-schedule';
import { startDemoReceiver } from './demo-receiver';

const ROOT = resolve(__dirname, '..', '..');
const say = (line: string) => console.log(`[start] ${line}`);

interface Stoppable {
  name: string;
  stop(): Promise<void>;
}

async function main() {
  const config = loadConfigOrExit();
  const stack: Stoppable[] = []; // stopped in reverse order of start
  let stopping = false;
  const stopAll = async (code: number) => {
    if (stopping) return;
    stopping = true;
    say('stopping…');
    for (const part of [...stack].reverse()) {
      await part.stop().catch((err: Error) => say(`${part.name} did not stop cleanly: ${err.message}`));
    }
    say('stopped.');
    process.exit(code);
  };
  process.on('SIGINT', () => void stopAll(0));
  process.on('SIGTERM', () => void stopAll(0));

  try {
    // --- Temporal ---
    let temporalAddress = config.temporal.address;
    let uiUrl: string | undefined;
    // Our own dev server speaks plaintext: TLS settings meant for a remote server must not reach the children.
    const temporalEnv: Record<string, string | undefined> = {};
    if (temporalAddress) {
      say(`using the Temporal server at ${temporalAddress} (TEMPORAL_ADDRESS; ${describeAccess(config.temporal.access)})`);
      const connection = await Connection.connect(connectionOptions(temporalAddress, config.temporal.access));
      await ensureSearchAttributes(connection, config.temporal.namespace);
      await connection.close();
    } else {
      const binary = await resolveTemporalBinary({ log: (line) => console.log(`[temporal] ${line}`) });
      const dbFile = resolve(ROOT, config.env.TEMPORAL_DB_FILE);
      say(`starting the Temporal dev server (${binary}), data in ${dbFile}`);
      const server: DevServer = await startDevServer({
        binary,
        port: config.env.TEMPORAL_PORT,
        uiPort: config.env.TEMPORAL_UI_PORT,
        dbFile,
        namespace: config.temporal.namespace,
        // The browser calls it: the API's codec listener (CODEC_PORT), never the public API port.
        uiCodecEndpoint: `http://localhost:${config.codec.port}/codec`,
        logLevel: 'error',
        log: (line) => console.log(`[temporal] ${line}`),
      });
      stack.push({ name: 'Temporal dev server', stop: () => server.stop() });
      temporalAddress = server.address;
      // The dev server keeps closed workflows for a day; the daily reconciliation reads yesterday's
      // payouts at 02:00 and an admin may reconcile older days, so keep them as a cluster would.
      {
        const connection = await Connection.connect(connectionOptions(temporalAddress, PLAINTEXT));
        try {
          const days = config.env.TEMPORAL_NAMESPACE_RETENTION_DAYS;
          const before = await ensureRetentionAtLeast(connection, config.temporal.namespace, days);
          if (before !== undefined) say(`namespace ${config.temporal.namespace}: closed workflows are kept ${days} days (was ${before}; TEMPORAL_NAMESPACE_RETENTION_DAYS)`);
        } finally {
          await connection.close();
        }
      }
      uiUrl = `http://localhost:${config.env.TEMPORAL_UI_PORT}`;
      // The codec listener admits the Web UI by its origin: the origin of this UI, on whatever port it runs.
      if (!process.env.TEMPORAL_UI_ORIGIN) temporalEnv.TEMPORAL_UI_ORIGIN = uiUrl;
      for (const name of TEMPORAL_ACCESS_VARIABLES) temporalEnv[name] = undefined;
    }

    // --- providers: the real one when configured, else its simulator ---
    const providerEnv: Record<string, string> = {};
    const simulators: { name: string; url: string }[] = [];
    for (const module of config.providerModules) {
      const configured = config.providers.find((provider) => provider.module === module);
      if (configured) {
        // By convention a provider's address is <KEY>_BASE_URL (docs/adding-a-provider.md).
        const baseUrlVariable = Object.keys(module.env).find((name) => name.endsWith('_BASE_URL'));
        say(`using ${module.name}${baseUrlVariable ? ` at ${String(config.env[baseUrlVariable])} (${baseUrlVariable})` : ' as configured'}`);
        continue;
      }
      const simulator = await module.startSimulator({ env: config.env, host: '127.0.0.1', callbackUrl: callbackUrlFor(config.env, module.key) });
      stack.push({ name: `${module.name} simulator`, stop: () => simulator.close() });
      simulators.push({ name: module.name, url: simulator.controlUrl });
      Object.assign(providerEnv, simulator.env);
    }

    // --- worker and API, as the separate processes they are in production ---
    const codecKeys = config.env.PAYLOAD_CODEC_KEYS ?? localCodecKey(resolve(ROOT, dirname(config.env.TEMPORAL_DB_FILE), 'codec-key'));

    // --- the daily reconciliation's Schedule, its argument encrypted as the workers' payloads are ---
    {
      const connection = await Connection.connect(connectionOptions(temporalAddress, config.temporal.address ? config.temporal.access : PLAINTEXT));
      try {
        const dataConverter = dataConverterFor(parseCodecKeys(codecKeys));
        const client = new Client({ connection, namespace: config.temporal.namespace, ...(dataConverter && { dataConverter }) });
        say(describeReconciliationSchedule(await ensureReconciliationSchedule(client, { taskQueue: config.temporal.taskQueue, schedule: config.reconciliation.schedule })));
      } finally {
        await connection.close();
      }
    }
    // Warnings and errors only, unless LOG_LEVEL says otherwise: the console stays readable.
    const childEnv = { LOG_LEVEL: 'warn', ...process.env, ...temporalEnv, ...providerEnv, TEMPORAL_ADDRESS: temporalAddress, PAYLOAD_CODEC_KEYS: codecKeys };
    // The children's configuration, checked once here: with the simulators' settings added, rules
    // that span variables (ACTIVITY_TIMEOUT_MS against the providers' timeouts) apply now, and a
    // problem stops everything cleanly instead of crashing one child.
    loadConfig(childEnv);
    const worker = startChild('worker', 'src/bin/worker.ts', childEnv, () => void stopAll(1), () => stopping);
    stack.push(worker);
    await worker.ready(/polling task queue/);
    const api = startChild('api', 'src/bin/api.ts', childEnv, () => void stopAll(1), () => stopping);
    stack.push(api);
    await api.ready(/listening on/);

    const apiUrl = `http://localhost:${config.api.port}`;
    // The demo receiver needs the development admin key; with API_KEYS set, endpoints are the admin's to register.
    const adminKey = DEVELOPMENT_KEYS.find((k) => k.roles.includes('admin'))?.key;
    const demo =
      config.api.keys || !adminKey
        ? undefined
        : await startDemoReceiver({ apiUrl: `http://127.0.0.1:${config.api.port}`, adminKey, port: Number(process.env.WEBHOOK_RECEIVER_PORT ?? 0), log: (line) => console.log(`[webhooks] ${line}`) });
    if (demo) stack.push({ name: 'webhook receiver', stop: () => demo.receiver.stop() });
    console.log(
      [
        '',
        'Payouts is running. Ctrl-C stops everything.',
        `  API               ${apiUrl}   (GET /healthz, /readyz)`,
        uiUrl ? `  Temporal Web UI   ${uiUrl}` : `  Temporal          ${temporalAddress}`,
        `  Codec endpoint    http://localhost:${config.codec.port}/codec   (decrypts payloads for the Web UI)`,
        ...simulators.map(({ name, url }) => `  ${`${name} sim`.padEnd(18)}${url}   (ledger: GET ${url}/__sim/transactions)`),
        `  Console           ${apiUrl}/console   API docs: ${apiUrl}/docs`,
        config.approvals.configured
          ? `  Approval policy   ${config.approvals.id} from APPROVAL_POLICY   (today's limits: GET ${apiUrl}/v1/limits)`
          : '  Approval policy   one approval per payout, no limits   (set APPROVAL_POLICY: docs/approvals.md)',
        ...(demo ? [`  Webhook receiver  ${demo.receiver.url}   (endpoint ${demo.endpointId}; prints each event it verifies)`] : []),
        ...(config.api.keys
          ? ['  API keys          from API_KEYS']
          : [
              '  Development API keys (Authorization: Bearer <key>):',
              ...DEVELOPMENT_KEYS.map((k) => `    ${k.key.padEnd(14)} ${k.principal.padEnd(16)} ${k.roles.join(', ')}`),
            ]),
        '',
        'Try it:',
        `  curl -s -X POST ${apiUrl}/v1/payouts -H 'Authorization: Bearer dev-requester' -H 'Content-Type: application/json' \\`,
        `    -d '{"reference":"DEMO-1","destination":{"type":"EWALLET","ewallet":"DANA","customerNumber":"62811742234"},"amount":{"value":"10000.00","currency":"IDR"}}'`,
        `  curl -s ${apiUrl}/v1/payouts/DEMO-1 -H 'Authorization: Bearer dev-requester'`,
        `  curl -s -X POST ${apiUrl}/v1/payouts/DEMO-1/approve -H 'Authorization: Bearer dev-approver' -H 'Content-Type: application/json' -d '{}'`,
        ...(demo ? [`  curl -s ${apiUrl}/v1/webhook-endpoints/${demo.endpointId}/deliveries -H 'Authorization: Bearer dev-admin'`, '  (each event also shows here as a [webhooks] line)'] : []),
        `  curl -s -X POST ${apiUrl}/v1/reconciliations -H 'Authorization: Bearer dev-admin' -H 'Content-Type: application/json' -d '{"date":"${jakartaDay(Date.now())}"}'`,
        `  (today's payouts against the providers' records; then GET ${apiUrl}/v1/reconciliations/<id> with dev-approver)`,
        '',
      ].join('\n'),
    );
  } catch (err) {
    console.error(`[start] ${err instanceof Error ? err.message : String(err)}`);
    await stopAll(1);
  }
}

/**
 * A payload encryption key for local runs, made once and kept beside the dev server's database
 * (git-ignored), so histories written before a restart stay readable after it.
 */
function localCodecKey(file: string): string {
  if (!existsSync(file)) {
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, `local-1:${randomBytes(32).toString('base64')}\n`, { mode: 0o600 });
    say(`made a local payload encryption key in ${file}`);
  }
  return readFileSync(file, 'utf8').trim();
}

interface Child extends Stoppable {
  process: ChildProcess;
  ready(line: RegExp, timeoutMs?: number): Promise<void>;
}

/**
 * Runs a TypeScript entry point in its own Node process. An IPC channel ties it to us: if this
 * process dies without stopping it, the child sees the channel close and exits (no orphans).
 */
function startChild(name: string, entry: string, env: NodeJS.ProcessEnv, onCrash: () => void, stopping: () => boolean): Child {
  const child = spawn(process.execPath, ['--import', 'tsx', resolve(ROOT, entry)], {
    cwd: ROOT,
    env,
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
  });
  const waiters: { line: RegExp; resolve: () => void }[] = [];
  const onLine = (line: string) => {
    console.log(line.startsWith('[') ? line : `[${name}] ${line}`);
    for (const w of waiters.filter((w) => w.line.test(line))) {
      waiters.splice(waiters.indexOf(w), 1);
      w.resolve();
    }
  };
  for (const stream of [child.stdout, child.stderr]) {
    let buffered = '';
    stream?.on('data', (chunk: Buffer) => {
      buffered += chunk.toString();
      const lines = buffered.split('\n');
      buffered = lines.pop() ?? '';
      lines.filter((l) => l.trim()).forEach(onLine);
    });
  }
  const exited = new Promise<void>((done) =>
    child.once('exit', (code, signal) => {
      if (!stopping()) {
        say(`${name} exited unexpectedly (${signal ?? `code ${code}`}); stopping the rest`);
        onCrash();
      }
      done();
    }),
  );
  return {
    name,
    process: child,
    ready: (line, timeoutMs = 120_000) =>
      new Promise<void>((ok, fail) => {
        const timer = setTimeout(() => fail(new Error(`${name} did not become ready within ${timeoutMs / 1000} s`)), timeoutMs);
        waiters.push({ line, resolve: () => (clearTimeout(timer), ok()) });
        void exited.then(() => fail(new Error(`${name} exited before it was ready`)));
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

void main();
