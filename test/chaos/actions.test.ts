// The disruptions of actions.ts that need no Temporal: a kill during a trigger against both real
// simulators (it waits until a trigger call is held, kills while it is, and counts it), and the new
// kinds on a stack that cannot perform them. The stack here is a plain object that records what it
// was asked to do; the simulators and the provider client are the real ones.
import { limitRefusalOf, performWorldEvent, problemOf, TRIGGER_HOLD, type ActionContext } from './actions';
import { approvalFigures } from './batches';
import { Recorder } from './observe';
import type { ChaosStack } from './stack';
import { createSingapayProvider } from '../../src/providers/singapay';
import { startFaspaySimulator, type FaspaySimulator } from '../../src/simulators/faspay';
import { startSingapaySimulator, type SingapaySimulator } from '../../src/simulators/singapay';

let singapay: SingapaySimulator;
let faspay: FaspaySimulator;

beforeAll(async () => {
  singapay = await startSingapaySimulator({ port: 0, notificationUrl: 'http://127.0.0.1:9/v1/callbacks/singapay', callbacks: false });
  faspay = await startFaspaySimulator({ port: 0, callbacks: false });
});
afterAll(async () => {
  await singapay?.close();
  await faspay?.close();
});

/** A stack that records the calls the disruptions make (and has no restartDatabase or scaleWorkers unless given). */
function recordingStack(extra: Partial<ChaosStack> = {}): { stack: ChaosStack; calls: { what: string; at: number }[] } {
  const calls: { what: string; at: number }[] = [];
  const record = (what: string) => async () => void calls.push({ what, at: Date.now() });
  const stack = {
    dir: '',
    apiUrl: 'http://127.0.0.1:1',
    apiUrls: ['http://127.0.0.1:1'],
    temporalAddress: '',
    simulatorUrl: { singapay: singapay.url, faspay: faspay.url },
    killWorker: record('kill'),
    startWorker: record('start'),
    restartServer: record('restart-server'),
    stop: record('stop'),
    ...extra,
  } as unknown as ChaosStack;
  return { stack, calls };
}

function context(stack: ChaosStack, lines: string[]): ActionContext {
  return { stack, recorder: new Recorder(stack.apiUrls), log: (line) => lines.push(line) };
}

const faultsAt = async (url: string) => (await (await fetch(`${url}/__sim/faults`)).json()) as { pending: { operation: string; mode: string; count: number; latencyMs?: number }[]; fired: Record<string, number> };

test('kill-worker during a trigger: both simulators hold triggers, the kill waits for one to be held and lands while it is', async () => {
  const { stack, calls } = recordingStack();
  const lines: string[] = [];
  const client = createSingapayProvider({ baseUrl: singapay.url, ...singapay.credentials, timeoutMs: 10_000 });
  const reference = `ACT-${Date.now().toString(36)}`;
  const kill = performWorldEvent(context(stack, lines), { kind: 'kill-worker', downForMs: 200, duringTrigger: true }, new Set());

  // Nothing is killed before a trigger arrives; both simulators wait with the latency fault.
  await new Promise((r) => setTimeout(r, 500));
  expect(calls).toEqual([]);
  for (const url of [singapay.url, faspay.url]) {
    expect((await faultsAt(url)).pending).toEqual([{ operation: 'trigger', mode: 'latency', count: TRIGGER_HOLD.count, latencyMs: TRIGGER_HOLD.latencyMs }]);
  }

  let triggerAnsweredAt = 0;
  const trigger = client
    .triggerTransfer({ reference, destination: { type: 'EWALLET', ewallet: 'DANA', customerNumber: '081200000000' }, amount: 10_000, description: 'Chaos hold', accountName: 'Siti Rahayu' })
    .finally(() => (triggerAnsweredAt = Date.now()));
  const outcome = await kill;
  await trigger;

  expect(outcome).toEqual({ triggersHeld: 1 });
  expect(calls.map((c) => c.what)).toEqual(['kill', 'start']);
  // The kill came while the trigger was held (its answer came after it), and the new worker 200 ms on.
  expect(triggerAnsweredAt).toBeGreaterThan(calls[0]!.at);
  expect(calls[1]!.at - calls[0]!.at).toBeGreaterThanOrEqual(190);
  expect(lines).toContain('kill -9 the worker; down for 200 ms; 1 trigger call(s) held at the simulators at the kill');
  // The one held was spent at Singapay; the rest stay pending until the faults stop.
  expect((await faultsAt(singapay.url)).pending).toEqual([{ operation: 'trigger', mode: 'latency', count: TRIGGER_HOLD.count - 1, latencyMs: TRIGGER_HOLD.latencyMs }]);
  for (const url of [singapay.url, faspay.url]) await fetch(`${url}/__sim/faults`, { method: 'DELETE' });
}, 20_000);

test('a plain kill-worker does not touch the simulators and reports no triggers held', async () => {
  const { stack, calls } = recordingStack();
  const before = await faultsAt(faspay.url);
  expect(await performWorldEvent(context(stack, []), { kind: 'kill-worker', downForMs: 0 }, new Set())).toEqual({});
  expect(calls.map((c) => c.what)).toEqual(['kill', 'start']);
  expect(await faultsAt(faspay.url)).toEqual(before);
});

test('restart-database and scale-workers go to the stack, and fail on a stack that cannot do them', async () => {
  const bare = recordingStack().stack;
  await expect(performWorldEvent(context(bare, []), { kind: 'restart-database', how: 'fast' }, new Set())).rejects.toThrow(/cannot restart its database/);
  await expect(performWorldEvent(context(bare, []), { kind: 'scale-workers', to: 2 }, new Set())).rejects.toThrow(/cannot scale its workers/);

  const asked: string[] = [];
  const able = recordingStack({
    restartDatabase: async (how) => void asked.push(`restart-database ${how}`),
    scaleWorkers: async (to) => void asked.push(`scale-workers ${to}`),
  }).stack;
  const lines: string[] = [];
  await performWorldEvent(context(able, lines), { kind: 'restart-database', how: 'immediate' }, new Set());
  await performWorldEvent(context(able, lines), { kind: 'scale-workers', to: 3 }, new Set());
  expect(asked).toEqual(['restart-database immediate', 'scale-workers 3']);
  expect(lines.filter((l) => /^database answering again after \d+ ms$/.test(l) || /^3 worker\(s\) running after \d+ ms$/.test(l))).toHaveLength(2);
});

describe('issue 15: what the run reads from the API', () => {
  test('a 409 limit-exceeded problem: its figures in whole rupiah', () => {
    const problem = { type: 'https://payouts.example/problems/limit-exceeded', scope: 'destination', limit: { value: '400000.00', currency: 'IDR' }, used: { value: '300000.00', currency: 'IDR' }, remaining: { value: '100000.00', currency: 'IDR' }, requested: { value: '150000.00', currency: 'IDR' }, day: '2026-12-02' };
    expect(problemOf(409, problem)).toBe('limit-exceeded');
    expect(problemOf(200, problem)).toBeUndefined();
    expect(limitRefusalOf(problem)).toEqual({ scope: 'destination', limit: 400_000, used: 300_000, remaining: 100_000, requested: 150_000, day: '2026-12-02' });
    expect(limitRefusalOf({ type: 'x' })).toEqual({});
  });

  test("a batch's approval fitted into what the requester's limit has left: the last READY rows excluded until the rest fit, one row at least", () => {
    const items = [100, 200, 300, 400].map((k, row) => ({ row, reference: `R${row}`, status: 'READY', amount: k * 1_000 }));
    expect(approvalFigures(items, 1)).toEqual({ count: 3, total: 600_000, excluded: ['R3'] });
    expect(approvalFigures(items, 1, 350_000)).toEqual({ count: 2, total: 300_000, excluded: ['R2', 'R3'] });
    expect(approvalFigures(items, 0, 1_000)).toEqual({ count: 1, total: 100_000, excluded: ['R1', 'R2', 'R3'] });
    expect(approvalFigures([...items, { row: 4, reference: 'R4', status: 'UNVERIFIED', amount: 5_000 }], 0, 10_000_000)).toEqual({ count: 4, total: 1_000_000, excluded: ['R4'] });
  });
});
