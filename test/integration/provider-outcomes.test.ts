// What each provider answer does to a payout, using the simulator's scenario numbers
// (simulators.md): refusals, limits, 503 bursts, failures, long pendings and lost answers.
import type { Payout } from '../../src/domain/payout';
import { call, ewalletPayout, KEYS, ledger, startStack, uniqueReference, waitForPayout, waitForStatus, type TestStack } from '../support/stack';

let stack: TestStack;
beforeAll(async () => {
  stack = await startStack({ providerTimeoutMs: 1_000 });
});
afterAll(async () => {
  await stack?.stop();
});

async function balance(): Promise<string> {
  const res = await fetch(`${stack.simulator.url}/__sim/balance`);
  return ((await res.json()) as { value: string }).value;
}

async function approveAndWait(reference: string, status: Payout['status']): Promise<Payout> {
  await waitForStatus(stack, reference, 'AWAITING_APPROVAL');
  const approved = await call(stack, 'POST', `/v1/payouts/${reference}/approve`, { key: KEYS.approver, body: {} });
  expect(approved.status).toBe(200);
  return waitForStatus(stack, reference, status, 30_000);
}

describe('provider outcomes', () => {
  test('account not found (…4040) → FAILED with the provider code, never awaiting approval', async () => {
    const reference = uniqueReference('notfound');
    await call(stack, 'POST', '/v1/payouts', { body: ewalletPayout(reference, '081200004040') });
    const failed = await waitForStatus(stack, reference, 'FAILED');
    expect(failed.failure).toMatchObject({ code: 'BENEFICIARY_NOT_FOUND', providerCode: 'SP117' });
    expect(failed.timeline.map((t) => t.status)).toEqual(['VALIDATING', 'FAILED']);
    expect(await ledger(stack, reference)).toHaveLength(0);
  });

  test('amount above the maximum the inquiry returned (…9999, max 50000.00) → FAILED AMOUNT_OUT_OF_RANGE', async () => {
    const reference = uniqueReference('limits');
    await call(stack, 'POST', '/v1/payouts', { body: ewalletPayout(reference, '081200009999', '60000.00') });
    const failed = await waitForStatus(stack, reference, 'FAILED');
    expect(failed.failure?.code).toBe('AMOUNT_OUT_OF_RANGE');
    expect(failed.inquiry?.maxAmount).toEqual({ value: '50000.00', currency: 'IDR' });
    expect(await ledger(stack, reference)).toHaveLength(0);
  });

  test('a 503 burst (…5003) is retried by Temporal until the payout succeeds, with one transfer', async () => {
    const reference = uniqueReference('burst');
    await call(stack, 'POST', '/v1/payouts', { body: ewalletPayout(reference, '081200005003') });
    await approveAndWait(reference, 'SUCCEEDED');
    const entries = await ledger(stack, reference);
    expect(entries).toHaveLength(1);
    // The first two trigger calls were answered 503 before the simulator recorded anything.
    expect(entries[0]!.status).toBe('00');
  });

  test('a transfer that fails at the provider (…2222, status 06) → FAILED, and the balance is refunded', async () => {
    const before = await balance();
    const reference = uniqueReference('fails');
    await call(stack, 'POST', '/v1/payouts', { body: ewalletPayout(reference, '081200002222') });
    const failed = await approveAndWait(reference, 'FAILED');
    expect(failed.failure).toMatchObject({ code: 'TRANSFER_FAILED', providerCode: '06' });
    expect(failed.transfer?.statusChecks).toBeGreaterThanOrEqual(2);
    const entries = await ledger(stack, reference);
    expect(entries).toHaveLength(1);
    expect(entries[0]!.status).toBe('06');
    expect(await balance()).toBe(before);
  });

  test('a pending transfer (…1111) that later succeeds → SUCCEEDED after several status checks', async () => {
    const reference = uniqueReference('pending');
    await call(stack, 'POST', '/v1/payouts', { body: ewalletPayout(reference, '081200001111') });
    const done = await approveAndWait(reference, 'SUCCEEDED');
    expect(done.transfer?.statusChecks).toBeGreaterThanOrEqual(4);
    expect(await ledger(stack, reference)).toHaveLength(1);
  });

  test('insufficient balance at the trigger (…8888) → FAILED INSUFFICIENT_BALANCE and no money moves', async () => {
    const before = await balance();
    const reference = uniqueReference('nofunds');
    await call(stack, 'POST', '/v1/payouts', { body: ewalletPayout(reference, '081200008888') });
    const failed = await approveAndWait(reference, 'FAILED');
    expect(failed.failure).toMatchObject({ code: 'INSUFFICIENT_BALANCE', providerCode: 'SP003' });
    expect(await ledger(stack, reference)).toHaveLength(0);
    expect(await balance()).toBe(before);
  });

  test('ambiguous trigger (…7777: money moved, answer lost) → SUCCEEDED with exactly one transfer', async () => {
    const reference = uniqueReference('lost');
    await call(stack, 'POST', '/v1/payouts', { body: ewalletPayout(reference, '081200007777') });
    await approveAndWait(reference, 'SUCCEEDED');
    const entries = await ledger(stack, reference);
    expect(entries).toHaveLength(1);
    // The retry reached the provider too, and its duplicate-reference check refused it.
    expect(entries[0]!.triggerCalls).toBeGreaterThanOrEqual(2);
  });

  test('a transfer pending until settled (…3333) finishes when the provider settles it', async () => {
    const reference = uniqueReference('settle');
    await call(stack, 'POST', '/v1/payouts', { body: ewalletPayout(reference, '081200003333') });
    await approveAndWait(reference, 'PROCESSING');
    // Pending at the provider: the payout keeps asking and stays PROCESSING.
    const polled = await waitForPayout(stack, reference, (p) => (p.transfer?.statusChecks ?? 0) >= 2);
    expect(polled.status).toBe('PROCESSING');
    const settled = await fetch(`${stack.simulator.url}/__sim/transactions/${reference}/settle`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ status: '00' }),
    });
    expect(settled.status).toBe(200);
    await waitForStatus(stack, reference, 'SUCCEEDED');
    expect(await ledger(stack, reference)).toHaveLength(1);
  });
});
