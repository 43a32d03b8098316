// The worker and the API as production runs them (README "Running in production"): their real entry
// points in their own processes, reaching Temporal over mTLS with an API key through the TEMPORAL_TLS_*
// and TEMPORAL_API_KEY variables, and the worker loading the workflow bundle that
// `npm run build:workflow-bundle` (the Dockerfile's build step) wrote. The frontend they reach is a
// TLS front on the shared dev server that refuses anything without our CA's client certificate or
// without the key, and counts what it let through.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startSingapaySimulator, type SingapaySimulator } from '../../src/simulators/singapay';
import { freePort } from '../support/ports';
import { call, ewalletPayout, KEYS, ledger, uniqueReference, waitForStatus } from '../support/stack';
import { makeCertificates, startTlsFront, TLS_SERVER_NAME, type TestCertificates, type TlsFront } from '../support/tls-front';

const ROOT = join(__dirname, '..', '..');
const API_KEY = `temporal-cloud-style-key-${Date.now()}`;
const TASK_QUEUE = `secured-${Date.now()}`;

let certificates: TestCertificates;
let front: TlsFront;
let simulator: SingapaySimulator;
let bundlePath: string;
const running: ChildProcess[] = [];
const stack = { apiUrl: '', simulator: { url: '' } };

interface Started {
  child: ChildProcess;
  output: () => string;
  exited: Promise<number | null>;
}

function start(entry: string, env: Record<string, string>): Started {
  const child = spawn(process.execPath, ['--import', 'tsx', entry], { cwd: ROOT, env: { ...process.env, LOG_LEVEL: 'warn', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  running.push(child);
  let output = '';
  child.stdout!.on('data', (c: Buffer) => (output += c.toString()));
  child.stderr!.on('data', (c: Buffer) => (output += c.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, output: () => output, exited };
}

async function untilPrinted(process: Started, text: string, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!process.output().includes(text)) {
    if (process.child.exitCode !== null) throw new Error(`exited ${process.child.exitCode} before printing "${text}":\n${process.output()}`);
    if (Date.now() > deadline) throw new Error(`did not print "${text}" within ${timeoutMs} ms:\n${process.output()}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Every TEMPORAL_* variable an operator sets for a cluster with mTLS and an API key. */
function securedTemporalEnv(overrides: Record<string, string> = {}): Record<string, string> {
  return {
    TEMPORAL_ADDRESS: front.address,
    TEMPORAL_TASK_QUEUE: TASK_QUEUE,
    TEMPORAL_API_KEY: API_KEY,
    TEMPORAL_TLS_SERVER_NAME: TLS_SERVER_NAME,
    TEMPORAL_TLS_SERVER_CA_CERT_PATH: certificates.caCert,
    TEMPORAL_TLS_CLIENT_CERT_PATH: certificates.clientCert,
    TEMPORAL_TLS_CLIENT_KEY_PATH: certificates.clientKey,
    ...overrides,
  };
}

function singapayEnv(): Record<string, string> {
  return {
    SINGAPAY_BASE_URL: simulator.url,
    SINGAPAY_CLIENT_ID: simulator.credentials.clientId,
    SINGAPAY_CLIENT_SECRET: simulator.credentials.clientSecret,
    SINGAPAY_API_KEY: simulator.credentials.apiKey,
    SINGAPAY_ACCOUNT_ID: simulator.credentials.accountId,
  };
}

beforeAll(async () => {
  certificates = makeCertificates();
  front = await startTlsFront({ target: process.env.TEST_TEMPORAL_ADDRESS!, certificates, apiKey: API_KEY });
  simulator = await startSingapaySimulator({ port: 0 });
  stack.simulator.url = simulator.url;
}, 60_000);

afterAll(async () => {
  for (const child of running) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  await simulator?.close();
  await front?.close();
});

test('npm run build:workflow-bundle writes the bundle the worker loads', () => {
  bundlePath = join(mkdtempSync(join(tmpdir(), 'payouts-bundle-')), 'workflow-bundle.js');
  const built = spawnSync('npm', ['run', '--silent', 'build:workflow-bundle', '--', bundlePath], { cwd: ROOT, encoding: 'utf8', timeout: 120_000 });
  expect({ status: built.status, stderr: built.stderr }).toEqual({ status: 0, stderr: '' });
  expect(built.stdout).toContain(`WORKFLOW_BUNDLE_PATH=${bundlePath}`);
  expect(existsSync(bundlePath)).toBe(true);
  expect(statSync(bundlePath).size).toBeGreaterThan(100_000);
}, 120_000);

test('worker and API over mTLS with an API key, workflows from the prebuilt bundle: a payout succeeds, one transfer', async () => {
  const apiPort = await freePort();
  stack.apiUrl = `http://127.0.0.1:${apiPort}`;
  simulator.setNotificationUrl(`${stack.apiUrl}/v1/callbacks/singapay`);
  const worker = start('src/bin/worker.ts', { ...securedTemporalEnv(), ...singapayEnv(), WORKFLOW_BUNDLE_PATH: bundlePath });
  await untilPrinted(worker, 'polling task queue');
  expect(worker.output()).toContain(`mTLS, own CA, server name ${TLS_SERVER_NAME}, API key`);
  expect(worker.output()).toContain(`workflows from the bundle ${bundlePath}`);
  expect(worker.output()).not.toContain(API_KEY);
  const api = start('src/bin/api.ts', { ...securedTemporalEnv(), ...singapayEnv(), API_PORT: String(apiPort) });
  await untilPrinted(api, 'listening on');

  const reference = uniqueReference('secured');
  expect((await call(stack, 'POST', '/v1/payouts', { body: ewalletPayout(reference, '081200000000') })).status).toBe(201);
  await waitForStatus(stack, reference, 'AWAITING_APPROVAL', 30_000);
  expect((await call(stack, 'POST', `/v1/payouts/${reference}/approve`, { key: KEYS.approver, body: {} })).status).toBe(200);
  await waitForStatus(stack, reference, 'SUCCEEDED', 30_000);
  expect(await ledger(stack, reference)).toEqual([expect.objectContaining({ triggerCalls: 1, status: '00' })]);

  // Everything went through the front with our client certificate and the key; nothing was refused.
  expect([...front.forwarded.keys()]).toEqual(['payouts-worker']);
  expect(front.forwarded.get('payouts-worker')).toBeGreaterThan(10);
  expect(front.refusedForApiKey).toBe(0);

  // Both drain and exit 0 on SIGTERM, as under an orchestrator.
  worker.child.kill('SIGTERM');
  api.child.kill('SIGTERM');
  expect(await worker.exited).toBe(0);
  expect(await api.exited).toBe(0);
}, 120_000);

test('a worker whose certificate the cluster never issued is refused and exits 1 with the reason', async () => {
  const handshakesBefore = front.failedHandshakes;
  const worker = start('src/bin/worker.ts', {
    ...securedTemporalEnv({ TEMPORAL_TLS_CLIENT_CERT_PATH: certificates.strangerCert, TEMPORAL_TLS_CLIENT_KEY_PATH: certificates.strangerKey }),
    ...singapayEnv(),
  });
  expect(await worker.exited).toBe(1);
  expect(worker.output()).toContain('[worker] failed:');
  expect(worker.output()).not.toContain('polling task queue');
  expect(front.failedHandshakes).toBeGreaterThan(handshakesBefore);
}, 60_000);

test('a worker with a wrong API key is refused and exits 1 with the reason', async () => {
  const refusedBefore = front.refusedForApiKey;
  const worker = start('src/bin/worker.ts', { ...securedTemporalEnv({ TEMPORAL_API_KEY: 'not-the-key' }), ...singapayEnv() });
  expect(await worker.exited).toBe(1);
  expect(worker.output()).toMatch(/\[worker\] failed:.*(API key|Unauthenticated|UNAUTHENTICATED)/is);
  expect(worker.output()).not.toContain('not-the-key');
  expect(front.refusedForApiKey).toBeGreaterThan(refusedBefore);
}, 60_000);
