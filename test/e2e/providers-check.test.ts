// `npm run providers:check`, the go-live check, run as a user runs it (the entry point in a child
// process, configured only by environment variables) against the simulators: every assumption
// confirmed (or untested where only a transfer settles it), exit 0; a simulator told to disagree
// with one assumption makes the check name exactly that one as refuted and exit 1. No secret printed.
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import type { RunningSimulator } from '../../src/providers/module';
import { PROVIDER_MODULES } from '../../src/registry';

const ROOT = join(__dirname, '..', '..');
const TSX = join(ROOT, 'node_modules', '.bin', 'tsx');

const simulators: Record<string, RunningSimulator> = {};

beforeAll(async () => {
  for (const module of PROVIDER_MODULES) {
    simulators[module.key] = await module.startSimulator({ env: {}, port: 0, host: '127.0.0.1', callbackUrl: 'http://127.0.0.1:9/v1/callbacks/unused' });
  }
});
afterAll(async () => {
  for (const simulator of Object.values(simulators)) await simulator.close();
});
afterEach(async () => {
  for (const simulator of Object.values(simulators)) await fetch(`${simulator.controlUrl}/__sim/reset`, { method: 'POST' });
});

/** Runs the check with only these variables (no inherited configuration), and collects what it prints. */
function check(env: Record<string, string>, ...args: string[]): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(TSX, ['src/bin/providers-check.ts', ...args], { cwd: ROOT, env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env } });
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, out }));
  });
}

const allEnv = () => Object.assign({}, ...Object.values(simulators).map((simulator) => simulator.env)) as Record<string, string>;
const verdictOf = (out: string, id: string) => new RegExp(`^\\s+(confirmed|REFUTED|untested)\\s+${id.replace('.', '\\.')}\\s`, 'm').exec(out)?.[1];

function expectNoSecret(out: string, env: Record<string, string>) {
  for (const name of ['SINGAPAY_CLIENT_SECRET', 'SINGAPAY_API_KEY', 'FASPAY_PRIVATE_KEY']) {
    const secret = env[name]!;
    expect(out).not.toContain(secret.includes('PRIVATE KEY') ? secret.split('\n')[1]! : secret);
  }
  expect(out).not.toContain('PRIVATE KEY');
}

test('read-only: every assumption of every provider is confirmed, or untested when only a transfer settles it; exit 0', async () => {
  const env = allEnv();
  const { code, out } = await check(env);
  expect(out).toContain('Nothing refuted.');
  expect(code).toBe(0);
  for (const module of PROVIDER_MODULES) {
    for (const assumption of module.assumptions) {
      expect({ id: assumption.id, verdict: verdictOf(out, assumption.id) }).toEqual({ id: assumption.id, verdict: assumption.settledBy === 'read' ? 'confirmed' : 'untested' });
    }
  }
  expectNoSecret(out, env);
}, 120_000);

test('with --transfer: every assumption is confirmed', async () => {
  const env = allEnv();
  const { code, out } = await check(env, '--transfer');
  for (const module of PROVIDER_MODULES) {
    for (const assumption of module.assumptions) expect({ id: assumption.id, verdict: verdictOf(out, assumption.id) }).toEqual({ id: assumption.id, verdict: 'confirmed' });
  }
  expect(code).toBe(0);
  expectNoSecret(out, env);
}, 180_000);

test.each([
  ['faspay', 'faspay.signed-path', 'without-account', []],
  ['faspay', 'faspay.va-company-code-digits', '4', []],
  ['singapay', 'singapay.status-path', 'account-in-body', []],
  ['singapay', 'singapay.trigger-amount', 'gross', ['--transfer']],
])('a %s simulator that holds the other form of %s: the check names exactly that one as refuted, exit 1', async (key, id, held, args) => {
  const simulator = simulators[key]!;
  const told = await fetch(`${simulator.controlUrl}/__sim/assumptions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ [id]: held }) });
  expect(told.status).toBe(200);
  const { code, out } = await check(simulator.env, '--provider', key, ...args);
  expect(code).toBe(1);
  const module = PROVIDER_MODULES.find((m) => m.key === key)!;
  const refuted = module.assumptions.filter((a) => verdictOf(out, a.id) === 'REFUTED').map((a) => a.id);
  expect(refuted).toEqual([id]);
  expect(out).toContain(`1 assumption refuted: ${id}`);
  expect(out).toContain(`change ${module.assumptions.find((a) => a.id === id)!.setting.variable}`);
}, 180_000);

test('nothing configured, or an unknown provider: exit 2 with what to set', async () => {
  const none = await check({});
  expect(none.code).toBe(2);
  expect(none.out).toContain('SINGAPAY_BASE_URL');
  expect(none.out).toContain('Going live');
  const unknown = await check(allEnv(), '--provider', 'nopay');
  expect(unknown.code).toBe(2);
  expect(unknown.out).toContain('--provider nopay');
});
