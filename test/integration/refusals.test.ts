// Trigger refusals that may follow an earlier send which arrived, on the real dev server against the
// Singapay simulator, judged by its ledger. The simulator's `refuse-duplicate` fault answers a
// re-sent trigger with "insufficient balance" instead of "duplicate reference", and `status-lag`
// answers "not found" for a transfer it holds: together the worst case for believing a refusal.
import type { Payout } from '../../src/domain/payout';
import { call, ewalletPayout, KEYS, ledger, startStack, uniqueReference, waitForPayout, waitForStatus, type TestStack } from '../support/stack';

let stack: TestStack;
beforeAll(async () => {
  stack = await startStack({ policy: { triggerMaxAttempts: 2 } });
});
afterAll(async () => {
  await stack?.stop();
});

const fault = (operation: string, mode: string, count = 1) =>
  fetch(`${stack.simulator.url}/__sim/faults`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ operation, mode, count }),
  });
const settle = (reference: string) =>
  fetch(`${stack.simulator.url}/__sim/transactions/${reference}/settle`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"status":"00"}' });

async function approvedPayout(number: string, before: () => Promise<unknown>): Promise<string> {
  const reference = uniqueReference('refusal');
  expect((await call(stack, 'POST', '/v1/payouts', { body: ewalletPayout(reference, number) })).status).toBe(201);
  await waitForStatus(stack, reference, 'AWAITING_APPROVAL');
  await before();
  expect((await call(stack, 'POST', `/v1/payouts/${reference}/approve`, { key: KEYS.approver, body: {} })).status).toBe(200);
  return reference;
}

/** Every status the payout showed while `ms` passed: a FAILED here would be a lie about money. */
async function statusesFor(reference: string, ms: number): Promise<Set<string>> {
  const seen = new Set<string>();
  const until = Date.now() + ms;
  while (Date.now() < until) {
    seen.add((await call<Payout>(stack, 'GET', `/v1/payouts/${reference}`)).body.status);
    await new Promise((r) => setTimeout(r, 100));
  }
  return seen;
}

afterEach(async () => {
  await fetch(`${stack.simulator.url}/__sim/faults`, { method: 'DELETE' });
});

test('a refusal of a re-sent trigger is not believed at once: the first call arrived, its answers were lost, status lagged', async () => {
  // Call 1: attempt 1 moves the money but its answer is lost; attempt 2 never arrives. Status check 1
  // lags ("not found"), so the workflow re-sends: call 2, attempt 1, refused as insufficient balance.
  const reference = await approvedPayout('081200003333', async () => {
    await fault('trigger', 'accept-then-timeout');
    await fault('trigger', 'timeout');
    await fault('status', 'status-lag');
    await fault('trigger', 'refuse-duplicate');
  });
  await waitForPayout(stack, reference, (p) => (p.transfer?.statusChecks ?? 0) >= 3, 30_000);
  expect(await statusesFor(reference, 2_500)).not.toContain('FAILED');
  // Two calls arrived: the first (answer lost) and the re-send (refused); the held attempt never did.
  expect(await ledger(stack, reference)).toEqual([expect.objectContaining({ triggerCalls: 2 })]);
  expect((await settle(reference)).status).toBe(200);
  const done = await waitForStatus(stack, reference, 'SUCCEEDED', 20_000);
  expect(done.timeline.map((t) => t.status)).toEqual(['VALIDATING', 'AWAITING_APPROVAL', 'PROCESSING', 'SUCCEEDED']);
}, 60_000);

test('a refusal on attempt 2, then the provider shows the transfer pending, then one "not found" glitch: never FAILED', async () => {
  const reference = await approvedPayout('081200003333', async () => {
    await fault('trigger', 'accept-then-timeout');
    await fault('trigger', 'refuse-duplicate');
  });
  // The provider has shown the transfer as pending: from now on nothing but a final status may end it.
  const pending = await waitForPayout(stack, reference, (p) => p.transfer?.providerStatus?.code === '03', 20_000);
  expect(pending.status).toBe('PROCESSING');
  await fault('status', 'status-lag', 3);
  expect(await statusesFor(reference, 3_000)).not.toContain('FAILED');
  expect((await settle(reference)).status).toBe(200);
  await waitForStatus(stack, reference, 'SUCCEEDED', 20_000);
  expect(await ledger(stack, reference)).toEqual([expect.objectContaining({ triggerCalls: 2 })]);
}, 60_000);

test('a refusal after an attempt that never arrived is believed once "not found" has lasted refusalConfirmMs: FAILED, nothing sent', async () => {
  const reference = await approvedPayout('081200008888', () => fault('trigger', 'timeout'));
  const failed = await waitForStatus(stack, reference, 'FAILED', 30_000);
  expect(failed.failure?.code).toBe('INSUFFICIENT_BALANCE');
  expect(failed.transfer!.statusChecks).toBeGreaterThanOrEqual(2);
  expect(await ledger(stack, reference)).toEqual([]);
}, 60_000);

test('a refusal on the first attempt of the first call is believed at once', async () => {
  const reference = await approvedPayout('081200008888', async () => undefined);
  const failed = await waitForStatus(stack, reference, 'FAILED', 20_000);
  expect(failed.failure?.code).toBe('INSUFFICIENT_BALANCE');
  expect(failed.transfer!.statusChecks).toBe(0);
  expect(await ledger(stack, reference)).toEqual([]);
}, 60_000);
