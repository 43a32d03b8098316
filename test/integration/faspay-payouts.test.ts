// Payouts through Faspay SendMe on the real dev server, with the real Faspay client against its
// simulator: bank transfers (16 → 18 → 36), LinkAja e-money top-ups (38 → 39), virtual-account
// payments (32 → 33), the balance check before any transfer, and the same workflow throughout.
import type { Payout } from '../../src/domain/payout';
import { call, KEYS, startStack, uniqueReference, waitForPayout, waitForStatus, type TestStack } from '../support/stack';

let stack: TestStack;
beforeAll(async () => {
  stack = await startStack({ policy: { balanceRecheckInitialMs: 300, balanceRecheckMaxMs: 300, balanceRecheckMaxAttempts: 4 } });
});
afterAll(async () => {
  await stack?.stop();
});

const sim = (path: string, init?: RequestInit) => fetch(`${stack.faspaySimulator.url}${path}`, init);
const faspayLedger = async (reference: string) =>
  ((await (await sim('/__sim/transactions')).json()) as { reference: string; service: string; status: string; triggerCalls: number }[]).filter(
    (t) => t.reference === reference,
  );
const setBalance = (value: string) => sim('/__sim/balance', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ value }) });

const bank = (accountNumber: string) => ({ type: 'BANK_ACCOUNT', bankCode: '014', accountNumber });
const linkaja = (customerNumber: string) => ({ type: 'EWALLET', ewallet: 'LINKAJA', customerNumber });
const va = (virtualAccountNumber: string) => ({ type: 'VIRTUAL_ACCOUNT', billerCode: '888', virtualAccountNumber });

async function payout(destination: Record<string, string>, value = '50000.00'): Promise<string> {
  const reference = uniqueReference('fp');
  const created = await call<Payout>(stack, 'POST', '/v1/payouts', {
    body: { reference, destination, amount: { value, currency: 'IDR' }, description: 'Payroll fee March' },
  });
  expect(created.status).toBe(201);
  expect(created.body.provider).toBe('faspay');
  return reference;
}

async function approveWhenReady(reference: string) {
  await waitForStatus(stack, reference, 'AWAITING_APPROVAL');
  expect((await call(stack, 'POST', `/v1/payouts/${reference}/approve`, { key: KEYS.approver, body: {} })).status).toBe(200);
}

describe('Faspay payouts', () => {
  test('a bank payout (16 → 18 → 36) reaches SUCCEEDED with one interbank transfer', async () => {
    const reference = await payout(bank('1234560000'));
    const awaiting = await waitForStatus(stack, reference, 'AWAITING_APPROVAL');
    expect(awaiting.inquiry?.accountName).toBeTruthy();
    await approveWhenReady(reference);
    await waitForStatus(stack, reference, 'SUCCEEDED');
    expect(await faspayLedger(reference)).toEqual([expect.objectContaining({ service: '18', status: '00', triggerCalls: 1 })]);
  });

  test('a LinkAja payout routes to Faspay by default and reaches SUCCEEDED (e-money top-up 38 → 39)', async () => {
    const reference = await payout(linkaja('081200000000'));
    await approveWhenReady(reference);
    await waitForStatus(stack, reference, 'SUCCEEDED');
    expect(await faspayLedger(reference)).toEqual([expect.objectContaining({ service: '38', status: '00' })]);
  });

  test('a virtual-account payout (32 → 33) reaches SUCCEEDED', async () => {
    const reference = await payout(va('88081234560000'));
    await approveWhenReady(reference);
    await waitForStatus(stack, reference, 'SUCCEEDED');
    expect(await faspayLedger(reference)).toEqual([expect.objectContaining({ service: '33', status: '00' })]);
  });

  test('an invalid account (…4040) → FAILED with 4041611, nothing sent', async () => {
    const reference = await payout(bank('1234564040'));
    const failed = await waitForStatus(stack, reference, 'FAILED');
    expect(failed.failure).toMatchObject({ code: 'BENEFICIARY_NOT_FOUND', providerCode: '4041611' });
    expect(await faspayLedger(reference)).toHaveLength(0);
  });

  test('a transfer failure (…2222, status 06) → FAILED', async () => {
    const reference = await payout(bank('1234562222'));
    await approveWhenReady(reference);
    const failed = await waitForStatus(stack, reference, 'FAILED');
    expect(failed.failure).toMatchObject({ code: 'TRANSFER_FAILED', providerCode: '06' });
  });

  test('a 503 burst (…5003) is retried to success, one transfer', async () => {
    const reference = await payout(bank('1234565003'));
    await approveWhenReady(reference);
    await waitForStatus(stack, reference, 'SUCCEEDED');
    expect(await faspayLedger(reference)).toHaveLength(1);
  });

  test('a lost transfer answer (…7777): the retry meets the duplicate partnerReferenceNo check, goes to status, one transfer', async () => {
    const reference = await payout(bank('1234567777'));
    await approveWhenReady(reference);
    await waitForStatus(stack, reference, 'SUCCEEDED');
    expect(await faspayLedger(reference)).toEqual([expect.objectContaining({ triggerCalls: 2, status: '00' })]);
  });

  test('short balance: nothing is submitted, the payout waits in PROCESSING, then FAILED INSUFFICIENT_BALANCE', async () => {
    const before = (await (await sim('/__sim/balance')).json()) as { value: string };
    await setBalance('100.00');
    try {
      const reference = await payout(bank('1234560000'));
      await approveWhenReady(reference);
      const failed = await waitForStatus(stack, reference, 'FAILED', 20_000);
      expect(failed.failure?.code).toBe('INSUFFICIENT_BALANCE');
      expect(failed.transfer).toBeUndefined();
      expect(await faspayLedger(reference)).toHaveLength(0);
    } finally {
      await setBalance(before.value);
    }
  });

  test('short balance topped up while waiting: the payout goes on and succeeds', async () => {
    const before = (await (await sim('/__sim/balance')).json()) as { value: string };
    await setBalance('100.00');
    const reference = await payout(bank('1234560000'));
    await approveWhenReady(reference);
    await new Promise((r) => setTimeout(r, 500));
    expect((await waitForStatus(stack, reference, 'PROCESSING')).transfer).toBeUndefined();
    await setBalance(before.value);
    await waitForStatus(stack, reference, 'SUCCEEDED', 20_000);
    expect(await faspayLedger(reference)).toHaveLength(1);
  });

  test('a settled …3333 transfer calls back through /v1/callbacks/faspay (signed by the simulator) and completes', async () => {
    const reference = await payout(bank('1234563333'));
    await approveWhenReady(reference);
    await waitForPayout(stack, reference, (p) => (p.transfer?.statusChecks ?? 0) >= 1);
    const settled = await sim(`/__sim/transactions/${reference}/settle`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"status":"00"}' });
    expect(settled.status).toBe(200);
    await waitForStatus(stack, reference, 'SUCCEEDED');
    const callbacks = (await (await sim('/__sim/callbacks')).json()) as { sent: { reference?: string; httpStatus?: number }[] };
    expect(callbacks.sent.filter((c) => c.reference === reference && c.httpStatus === 200).length).toBeGreaterThanOrEqual(1);
    const forged = await fetch(`${stack.apiUrl}/v1/callbacks/faspay`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"originalPartnerReferenceNo":"x"}' });
    expect(forged.status).toBe(401);
  });
});
