// `npm start` as a person uses it: the whole stack comes up from one command, a DANA payout goes
// through with curl-like calls, Ctrl-C (SIGINT) stops every child, and the SQLite file it leaves
// opens again with the payout in it.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { dataConverterFor, parseCodecKeys } from '../../src/temporal/codec';
import { Client, Connection } from '@temporalio/client';
import { resolveTemporalBinary } from '../../src/temporal/cli-binary';
import { startDevServer } from '../../src/temporal/dev-server';
import type { Payout } from '../../src/domain/payout';
import { freePort } from '../support/ports';
import { call, uniqueReference, waitForStatus } from '../support/stack';
import { startSingapaySimulator } from '../../src/simulators/singapay';

const ROOT = join(__dirname, '..', '..');

function descendants(pid: number): number[] {
  const out = spawnSync('ps', ['-e', '-o', 'pid=,ppid='], { encoding: 'utf8' }).stdout;
  const pairs = out
    .trim()
    .split('\n')
    .map((l) => l.trim().split(/\s+/).map(Number) as [number, number]);
  const found: number[] = [];
  const walk = (parent: number) => {
    for (const [child, ppid] of pairs) {
      if (ppid === parent) {
        found.push(child);
        walk(child);
      }
    }
  };
  walk(pid);
  return found;
}

function commandOf(pid: number): string {
  return `${pid} ${spawnSync('ps', ['-o', 'stat=,args=', '-p', String(pid)], { encoding: 'utf8' }).stdout.trim()}`;
}

/** Running, that is: a zombie (exited, not yet reaped by an init that may not reap here) is not. */
function alive(pid: number): boolean {
  const stat = spawnSync('ps', ['-o', 'stat=', '-p', String(pid)], { encoding: 'utf8' }).stdout.trim();
  return stat !== '' && !stat.startsWith('Z');
}

async function freePorts() {
  return { temporal: await freePort(), ui: await freePort(), api: await freePort(), codec: await freePort(), sim: await freePort(), faspay: await freePort() };
}

describe('npm start', () => {
  let start: ChildProcess | undefined;
  let output = '';

  function launch(ports: Awaited<ReturnType<typeof freePorts>>, dbFile: string): ChildProcess {
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/bin/start.ts'], {
      cwd: ROOT,
      env: {
        ...process.env,
        // The default schedule (the test setup's `off` removed): its own dev server, so its own Schedule.
        RECONCILIATION_SCHEDULE: undefined,
        TEMPORAL_PORT: String(ports.temporal),
        TEMPORAL_UI_PORT: String(ports.ui),
        TEMPORAL_DB_FILE: dbFile,
        API_PORT: String(ports.api),
        CODEC_PORT: String(ports.codec),
        SINGAPAY_SIMULATOR_PORT: String(ports.sim),
        FASPAY_SIMULATOR_PORT: String(ports.faspay),
        STATUS_POLL_INITIAL_MS: '200',
        STATUS_POLL_MAX_MS: '1000',
        ACTIVITY_RETRY_INITIAL_MS: '200',
        // Meant for a remote cluster: npm start's own dev server speaks plaintext, so its worker and
        // API must not get it (with it they would try TLS and never connect).
        TEMPORAL_API_KEY: 'a-key-for-some-remote-cluster',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout!.on('data', (c: Buffer) => (output += c.toString()));
    child.stderr!.on('data', (c: Buffer) => (output += c.toString()));
    return child;
  }
  afterAll(() => {
    if (start && start.exitCode === null) start.kill('SIGKILL');
  });

  test('brings up Temporal + UI, simulator, worker and API; a payout succeeds; Ctrl-C stops every child', async () => {
    // Ports are picked free beforehand, and the dev server picks more of its own (metrics, HTTP) as it
    // starts, while other test files start servers too: a start that lost a port to one of them
    // (EADDRINUSE, which npm start reports and exits on) is tried again with fresh ports.
    let ports = await freePorts();
    let dbFile = '';
    for (let attempt = 1; attempt <= 3; attempt++) {
      ports = await freePorts();
      dbFile = join(mkdtempSync(join(tmpdir(), 'payouts-start-')), 'temporal.db');
      output = '';
      start = launch(ports, dbFile);
      const deadline = Date.now() + 90_000;
      while (!output.includes('Payouts is running') && Date.now() < deadline && start.exitCode === null) {
        await new Promise((r) => setTimeout(r, 200));
      }
      if (output.includes('Payouts is running') || !output.includes('EADDRINUSE')) break;
      await new Promise<void>((resolve) => (start!.exitCode === null ? start!.once('exit', () => resolve()) : resolve()));
    }
    expect(output).toContain('Payouts is running');
    expect(output).toContain(`http://localhost:${ports.ui}`);
    expect(output).toContain('dev-approver');
    expect(output).toContain(`127.0.0.1:${ports.sim}`);
    expect(output).toContain(`Faspay sim        http://127.0.0.1:${ports.faspay}`);

    // The Web UI answers, and decrypts through the codec listener: its own port, not the API's.
    const ui = await fetch(`http://127.0.0.1:${ports.ui}/`);
    expect(ui.status).toBe(200);
    const settings = (await (await fetch(`http://127.0.0.1:${ports.ui}/api/v1/settings`)).json()) as { Codec?: { Endpoint?: string } };
    expect(settings.Codec?.Endpoint).toBe(`http://localhost:${ports.codec}/codec`);
    expect(output).toContain(`Codec endpoint    http://localhost:${ports.codec}/codec`);
    const codecRequest = { method: 'POST', headers: { origin: `http://localhost:${ports.ui}`, 'content-type': 'application/json' }, body: '{"payloads":[]}' };
    expect((await fetch(`http://127.0.0.1:${ports.api}/codec/decode`, codecRequest)).status).toBe(404);
    // Outside production the codec listener admits the Web UI's origin, the one this dev server's UI really has.
    expect((await fetch(`http://127.0.0.1:${ports.codec}/codec/decode`, codecRequest)).status).toBe(200);

    // The daily reconciliation's Schedule exists, at the default 02:00 Jakarta, starting the workflow
    // on npm start's task queue with an argument encrypted like every other payload.
    expect(output).toMatch(/\[start\] reconciliation schedule reconciliation-daily\.payouts: "0 2 \* \* \*" in Asia\/Jakarta \(created; next run \S+T19:00:00\.000Z\)/);
    {
      const connection = await Connection.connect({ address: `127.0.0.1:${ports.temporal}` });
      try {
        const keys = parseCodecKeys(readFileSync(join(dirname(dbFile), 'codec-key'), 'utf8').trim());
        const schedule = await new Client({ connection, dataConverter: dataConverterFor(keys) }).schedule.getHandle('reconciliation-daily.payouts').describe();
        expect(schedule.spec.timezone).toBe('Asia/Jakarta');
        expect(schedule.spec.calendars?.[0]).toMatchObject({ hour: [{ start: 2, end: 2, step: 1 }], minute: [{ start: 0, end: 0, step: 1 }] });
        expect(schedule.action).toMatchObject({ workflowType: 'reconciliationWorkflow', taskQueue: 'payouts', workflowId: 'reconciliation-daily.payouts', args: [{ trigger: 'schedule' }] });
        expect(schedule.state.paused).toBe(false);
        // Yesterday's payouts are still there at 02:00: the dev server's one-day retention was raised.
        const namespace = await connection.workflowService.describeNamespace({ namespace: 'default' });
        expect(Number(namespace.config?.workflowExecutionRetentionTtl?.seconds)).toBe(30 * 86_400);
      } finally {
        await connection.close();
      }
    }

    const api = { apiUrl: `http://127.0.0.1:${ports.api}` };
    const reference = uniqueReference('start');
    const created = await call<Payout>(api, 'POST', '/v1/payouts', {
      body: { reference, destination: { type: 'EWALLET', ewallet: 'DANA', customerNumber: '62811742234' }, amount: { value: '10000.00', currency: 'IDR' } },
    });
    expect(created.status).toBe(201);
    const awaiting = await waitForStatus(api, reference, 'AWAITING_APPROVAL');
    expect(awaiting.inquiry?.grossAmount.value).toBe('10500.00');
    const approved = await call(api, 'POST', `/v1/payouts/${reference}/approve`, { key: 'dev-approver', body: {} });
    expect(approved.status).toBe(200);
    await waitForStatus(api, reference, 'SUCCEEDED');
    const ledger = (await (await fetch(`http://127.0.0.1:${ports.sim}/__sim/transactions`)).json()) as { reference: string }[];
    expect(ledger.filter((t) => t.reference === reference)).toHaveLength(1);

    // The local webhook receiver it registered prints every event of the payout, each verified, in order.
    expect(output).toMatch(/Webhook receiver {2}http:\/\/127\.0\.0\.1:\d+\/webhooks {3}\(endpoint we_[0-9a-f]{24}/);
    const printed = () => [...output.matchAll(new RegExp(`\\[webhooks\\] (payout\\.\\w+) +${reference} #(\\d+) \\(evt_[^ ]+, signature verified\\)`, 'g'))].map((m) => `${m[1]} #${m[2]}`);
    const deadline = Date.now() + 30_000;
    while (printed().length < 4 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
    expect(printed()).toEqual(['payout.validating #1', 'payout.awaiting_approval #2', 'payout.processing #3', 'payout.succeeded #4']);
    expect(output).not.toContain('[webhooks] refused');

    // Ctrl-C: every process it started is gone, and it exits 0.
    const running = start!;
    const children = descendants(running.pid!);
    expect(children.length).toBeGreaterThanOrEqual(3); // temporal, worker, api
    const exited = new Promise<number | null>((resolve) => running.once('exit', (code) => resolve(code)));
    const stopping = Date.now();
    running.kill('SIGINT');
    expect(await exited).toBe(0);
    expect(children.filter(alive).map(commandOf)).toEqual([]);
    // Every child stopped by itself: none needed the 15 s SIGKILL fallback.
    expect(Date.now() - stopping).toBeLessThan(10_000);

    // The database it leaves opens again and still holds the finished payout.
    const binary = await resolveTemporalBinary({ log: () => undefined });
    const again = await startDevServer({ binary, port: await freePort(), dbFile });
    try {
      const connection = await Connection.connect({ address: again.address });
      // npm start encrypts payloads with the local key it made beside the database.
      const keyless = new Client({ connection });
      await expect(keyless.workflow.getHandle(`payout-${reference}`).result()).rejects.toThrow(/binary\/encrypted/);
      const keys = parseCodecKeys(readFileSync(join(dirname(dbFile), 'codec-key'), 'utf8').trim());
      const client = new Client({ connection, dataConverter: dataConverterFor(keys) });
      const result = (await client.workflow.getHandle(`payout-${reference}`).result()) as Payout;
      expect(result.status).toBe('SUCCEEDED');
      await connection.close();
    } finally {
      await again.stop();
    }
  }, 180_000);

  test('with TEMPORAL_ADDRESS and Singapay credentials set it uses them: no dev server, no simulator of its own', async () => {
    const simulator = await startSingapaySimulator({ port: 0 });
    const api = { apiUrl: '' };
    let child: ChildProcess | undefined;
    let log = '';
    try {
      const apiPort = await freePort();
      api.apiUrl = `http://127.0.0.1:${apiPort}`;
      child = spawn(process.execPath, ['--import', 'tsx', 'src/bin/start.ts'], {
        cwd: ROOT,
        env: {
          ...process.env,
          TEMPORAL_ADDRESS: process.env.TEST_TEMPORAL_ADDRESS,
          TEMPORAL_NAMESPACE: 'e2e',
          TEMPORAL_TASK_QUEUE: `start-external-${Date.now()}`,
        TEMPORAL_DB_FILE: join(mkdtempSync(join(tmpdir(), 'payouts-start-')), 'unused.db'), // keeps the codec key out of the repo
          API_PORT: String(apiPort),
          CODEC_PORT: String(await freePort()),
          SINGAPAY_BASE_URL: simulator.url,
          SINGAPAY_CLIENT_ID: simulator.credentials.clientId,
          SINGAPAY_CLIENT_SECRET: simulator.credentials.clientSecret,
          SINGAPAY_API_KEY: simulator.credentials.apiKey,
          SINGAPAY_ACCOUNT_ID: simulator.credentials.accountId,
          FASPAY_SIMULATOR_PORT: String(await freePort()),
          STATUS_POLL_INITIAL_MS: '200',
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      child.stdout!.on('data', (c: Buffer) => (log += c.toString()));
      child.stderr!.on('data', (c: Buffer) => (log += c.toString()));
      const deadline = Date.now() + 90_000;
      while (!log.includes('Payouts is running') && Date.now() < deadline && child.exitCode === null) {
        await new Promise((r) => setTimeout(r, 200));
      }
      expect(log).toContain(`using the Temporal server at ${process.env.TEST_TEMPORAL_ADDRESS}`);
      expect(log).toContain(`using Singapay at ${simulator.url}`);
      expect(log).not.toContain('Singapay sim ');
      expect(log).not.toContain('starting the Temporal dev server');
      // A shared server: the test setup's RECONCILIATION_SCHEDULE=off leaves no Schedule behind on it.
      expect(log).toContain(`[start] reconciliation schedule off (RECONCILIATION_SCHEDULE=off): no Schedule reconciliation-daily.start-external-`);

      const reference = uniqueReference('external');
      await call(api, 'POST', '/v1/payouts', {
        body: { reference, destination: { type: 'EWALLET', ewallet: 'OVO', customerNumber: '081200000000' }, amount: { value: '15000.00', currency: 'IDR' } },
      });
      await waitForStatus(api, reference, 'AWAITING_APPROVAL');
      await call(api, 'POST', `/v1/payouts/${reference}/approve`, { key: 'dev-approver', body: {} });
      await waitForStatus(api, reference, 'SUCCEEDED');
      const ledger = (await (await fetch(`${simulator.url}/__sim/transactions`)).json()) as { reference: string }[];
      expect(ledger.filter((t) => t.reference === reference)).toHaveLength(1);

      const exited = new Promise<number | null>((resolve) => child!.once('exit', (code) => resolve(code)));
      child.kill('SIGINT');
      expect(await exited).toBe(0);
    } finally {
      if (child && child.exitCode === null) child.kill('SIGKILL');
      await simulator.close();
    }
  }, 120_000);
});
