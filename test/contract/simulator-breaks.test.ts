// The simulators' break routes (docs/simulators.md "Reconciliation breaks"), seen through our real
// provider clients over loopback HTTP: a transfer the service never sent, a second record of a
// reference, another amount, a success reversed. Faspay shows them in its history (12), balance and
// status services; Singapay in its balance and its status answer for a reference. No fetch is stubbed.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { TransferOrder } from '../../src/domain/provider-port';
import type { Destination } from '../../src/domain/payout';
import { createFaspayProvider, type FaspayProvider } from '../../src/providers/faspay';
import { remarkNames } from '../../src/providers/faspay/history';
import { createSingapayProvider, type SingapayProvider } from '../../src/providers/singapay';
import { startFaspaySimulator, type FaspaySimulator } from '../../src/simulators/faspay';
import { startSingapaySimulator, type SingapaySimulator } from '../../src/simulators/singapay';

// Control API answers are loosely typed on purpose: the assertions say what they must hold.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Loose = any;

async function call(base: string, method: string, path: string, body?: unknown, raw?: string): Promise<{ status: number; json: Loose }> {
  const res = await fetch(`${base}${path}`, {
    method,
    headers: { 'content-type': 'application/json' },
    ...((raw !== undefined || body !== undefined) && { body: raw ?? JSON.stringify(body) }),
  });
  return { status: res.status, json: await res.json() };
}

let seq = 0;
const reference = (prefix: string) => `${prefix}-${Date.now().toString(36)}-${(seq += 1)}`;
const idr = (rupiah: number) => ({ value: `${rupiah}.00`, currency: 'IDR' });
const order = (ref: string, destination: Destination, amount: number): TransferOrder => ({ reference: ref, destination, amount, description: 'Break test' });

/** A few minutes around now: the history window every test reads. */
const aroundNow = (): [Date, Date] => [new Date(Date.now() - 5 * 60_000), new Date(Date.now() + 60_000)];

async function eventually(check: () => boolean, timeoutMs = 3_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 25));
  }
}

describe('Faspay simulator breaks, through the Faspay client', () => {
  let sim: FaspaySimulator;
  let client: FaspayProvider;
  let receiver: Server;
  let callbacksReceived = 0;
  const control = (method: string, path: string, body?: unknown, raw?: string) => call(sim.url, method, path, body, raw);
  const bank = (accountNumber: string): Destination => ({ type: 'BANK_ACCOUNT', bankCode: '014', accountNumber });
  const historyOf = async (ref: string) => (await client.transactionHistory(...aroundNow())).filter((h) => remarkNames(h.remark, ref));

  beforeAll(async () => {
    // Callbacks go somewhere real, so a test can tell that a control change sends none.
    receiver = createServer((req, res) => {
      req.resume();
      req.on('end', () => {
        callbacksReceived += 1;
        res.writeHead(200, { 'content-type': 'application/json' }).end('{"responseCode":"2000000"}');
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    sim = await startFaspaySimulator({ port: 0 });
    client = createFaspayProvider({
      baseUrl: sim.url,
      partnerId: sim.credentials.partnerId,
      privateKeyPem: sim.credentials.merchantPrivateKeyPem,
      sourceAccount: sim.credentials.sourceAccount,
      callbackUrl: `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/callbacks/faspay`,
      timeoutMs: 2_000,
    });
  });
  afterAll(async () => {
    await sim?.close();
    await new Promise((resolve) => receiver?.close(resolve));
  });
  beforeEach(async () => {
    await control('POST', '/__sim/reset');
    callbacksReceived = 0;
  });

  test('a transfer unknown to us: ledger row, history debit and fee debit naming the reference, balance, status service', async () => {
    await control('POST', '/__sim/assumptions', { 'faspay.fee-source': '2500.00' });
    const before = await client.availableBalance();
    const ref = reference('UNK');
    const created = await control('POST', '/__sim/transactions', { reference: ref, amount: idr(10_000), destination: '1234567890' });
    expect(created.status).toBe(201);
    expect(created.json).toMatchObject({
      reference: ref,
      amount: idr(10_000),
      fee: idr(2_500),
      grossAmount: idr(12_500),
      status: '00',
      service: '18',
      triggerCalls: 0,
      createdBy: 'control',
      destination: { type: 'BANK_ACCOUNT', bankCode: '014', accountNumber: '1234567890' },
    });
    expect((await control('GET', '/__sim/transactions')).json).toEqual([created.json]);

    const entries = await historyOf(ref);
    expect(entries.map((h) => [h.type, h.debitCredit, h.amount])).toEqual([
      ['SEND_MONEY', 'D', 10_000],
      ['PAYMENT', 'D', 2_500],
    ]);
    expect(entries[0]).toMatchObject({ status: 'SUCCESS', dateTime: expect.stringMatching(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\+07:00$/) });
    expect(await client.availableBalance()).toBe(before - 12_500);
    expect(await client.checkTransferStatus(order(ref, bank('1234567890'), 10_000))).toMatchObject({ state: 'SUCCEEDED', recorded: { amount: 10_000, accountNumber: '1234567890' } });
  });

  test('an unknown transfer that failed: debit, then the refund of amount and fee, as a real failure; an e-wallet destination object', async () => {
    await control('POST', '/__sim/assumptions', { 'faspay.fee-source': '1000.00' });
    const before = await client.availableBalance();
    const ref = reference('UNKF');
    const destination = { type: 'EWALLET', ewallet: 'OVO', customerNumber: '081234567890' };
    const created = await control('POST', '/__sim/transactions', { reference: ref, amount: idr(20_000), destination, status: '06' });
    expect(created.status).toBe(201);
    expect(created.json).toMatchObject({ status: '06', service: '38', destination: { type: 'EWALLET', platformCode: 'ovo', customerNumber: '081234567890' } });
    expect((await historyOf(ref)).map((h) => [h.type, h.debitCredit, h.amount])).toEqual([
      ['SEND_MONEY', 'D', 20_000],
      ['PAYMENT', 'D', 1_000],
      ['REFUND', 'K', 20_000],
      ['REFUND', 'K', 1_000],
    ]);
    expect(await client.availableBalance()).toBe(before);
    expect(await client.checkTransferStatus(order(ref, destination as Destination, 20_000))).toMatchObject({ state: 'FAILED', providerStatus: { code: '06' } });
  });

  test('an existing reference is a 409; "duplicate": true makes a second record, and the history shows two transfer debits', async () => {
    const ref = reference('DUP');
    const body = { reference: ref, amount: idr(15_000), destination: '5550001234' };
    expect((await control('POST', '/__sim/transactions', { ...body, duplicate: true })).status).toBe(409); // nothing to duplicate yet
    expect((await control('POST', '/__sim/transactions', body)).status).toBe(201);
    const again = await control('POST', '/__sim/transactions', body);
    expect(again.status).toBe(409);
    expect(again.json.error).toContain('"duplicate": true');
    const second = await control('POST', '/__sim/transactions', { ...body, duplicate: true });
    expect(second.status).toBe(201);
    expect(second.json).toMatchObject({ reference: ref, duplicate: true, createdBy: 'control' });

    const rows = (await control('GET', '/__sim/transactions')).json as Loose[];
    expect(rows.map((r) => [r.reference, r.duplicate ?? false])).toEqual([
      [ref, false],
      [ref, true],
    ]);
    expect(new Set(rows.map((r) => r.transactionId)).size).toBe(2);
    const debits = (await historyOf(ref)).filter((h) => h.type === 'SEND_MONEY' && h.debitCredit === 'D');
    expect(debits.map((h) => h.amount)).toEqual([15_000, 15_000]);
    // A transfer we sent under that reference now meets the duplicate check.
    expect(await client.triggerTransfer(order(ref, bank('5550001234'), 15_000))).toMatchObject({ outcome: 'DUPLICATE_REFERENCE' });
  });

  test('another amount for one of ours: the ledger row, the history debit, the status answer and the balance show it', async () => {
    const o = order(reference('AMT'), bank('1234560000'), 50_000);
    await client.inquireAccount(o);
    await client.triggerTransfer(o);
    expect(await client.checkTransferStatus(o)).toMatchObject({ state: 'SUCCEEDED', recorded: { amount: 50_000 } });
    const before = await client.availableBalance();

    const changed = await control('PATCH', `/__sim/transactions/${encodeURIComponent(o.reference)}`, { amount: idr(55_000) });
    expect(changed.status).toBe(200);
    expect(changed.json).toMatchObject({ amount: idr(55_000), status: '00', triggerCalls: 1, changedBy: 'control', changedAt: expect.any(String) });
    expect(changed.json.reversedAt).toBeUndefined();
    expect((await historyOf(o.reference)).map((h) => [h.type, h.debitCredit, h.amount])).toEqual([['SEND_MONEY', 'D', 55_000]]);
    expect(await client.checkTransferStatus(o)).toMatchObject({ state: 'SUCCEEDED', recorded: { amount: 55_000 } });
    expect(await client.availableBalance()).toBe(before - 5_000);
  });

  test('a success reversed: a refund credit of amount and fee, the balance restored, the status failed, and no callback', async () => {
    await control('POST', '/__sim/assumptions', { 'faspay.fee-source': '2500.00' });
    const start = await client.availableBalance();
    const o = order(reference('REV'), bank('1234560000'), 30_000);
    await client.inquireAccount(o);
    await client.triggerTransfer(o);
    expect((await client.checkTransferStatus(o)).state).toBe('SUCCEEDED');
    await eventually(() => callbacksReceived === 1);
    expect(await client.availableBalance()).toBe(start - 32_500);

    const reversed = await control('PATCH', `/__sim/transactions/${encodeURIComponent(o.reference)}`, { status: '06' });
    expect(reversed.status).toBe(200);
    expect(reversed.json).toMatchObject({ status: '06', changedBy: 'control', reversedAt: expect.any(String) });
    expect((await historyOf(o.reference)).map((h) => [h.type, h.debitCredit, h.amount])).toEqual([
      ['SEND_MONEY', 'D', 30_000],
      ['PAYMENT', 'D', 2_500],
      ['REFUND', 'K', 30_000],
      ['REFUND', 'K', 2_500],
    ]);
    expect(await client.availableBalance()).toBe(start);
    expect(await client.checkTransferStatus(o)).toMatchObject({ state: 'FAILED', providerStatus: { code: '06' } });

    // One failure for another keeps the money where it is; a failure cannot become a success.
    expect((await control('PATCH', `/__sim/transactions/${encodeURIComponent(o.reference)}`, { status: '04' })).json).toMatchObject({ status: '04' });
    expect(await client.availableBalance()).toBe(start);
    expect((await historyOf(o.reference)).filter((h) => h.type === 'REFUND')).toHaveLength(2);
    expect((await control('PATCH', `/__sim/transactions/${encodeURIComponent(o.reference)}`, { status: '00' })).status).toBe(409);
    await new Promise((r) => setTimeout(r, 300));
    expect(callbacksReceived).toBe(1); // the reversal was silent: only a reconciliation finds it
  });

  test('bad bodies are 400, an unknown reference 404, a balance that cannot pay 409', async () => {
    const ok = { reference: reference('BAD'), amount: idr(10_000), destination: '1234567890' };
    const bad: unknown[] = [
      {},
      { ...ok, reference: '' },
      { ...ok, amount: { value: '10000', currency: 'IDR' } },
      { ...ok, amount: { value: '0.00', currency: 'IDR' } },
      { ...ok, amount: { value: '10000.00', currency: 'USD' } },
      { ...ok, destination: 'not-a-number' },
      { ...ok, destination: { type: 'EWALLET', ewallet: 'SHOPEEPAY', customerNumber: '081234567890' } },
      { ...ok, destination: { type: 'VIRTUAL_ACCOUNT', billerCode: '008', virtualAccountNumber: '123' } },
      { ...ok, status: '99' },
      { ...ok, extra: true },
    ];
    for (const body of bad) {
      const answer = await control('POST', '/__sim/transactions', body);
      expect([answer.status, typeof answer.json.error]).toEqual([400, 'string']);
    }
    expect((await control('POST', '/__sim/transactions', undefined, '{not json')).status).toBe(400);
    expect((await control('GET', '/__sim/transactions')).json).toEqual([]);

    const va = await control('POST', '/__sim/transactions', { ...ok, destination: { type: 'VIRTUAL_ACCOUNT', billerCode: '008', virtualAccountNumber: '88801234567' } });
    expect(va.json).toMatchObject({ service: '33', destination: { partnerServiceId: '     888', customerNo: '01234567', virtualAccountNumber: '88801234567' } });
    const path = `/__sim/transactions/${encodeURIComponent(ok.reference)}`;
    for (const body of [{}, { status: '03' }, { amount: { value: '1.5', currency: 'IDR' } }, { status: '00', note: 'x' }]) {
      expect((await control('PATCH', path, body)).status).toBe(400);
    }
    expect((await control('PATCH', '/__sim/transactions/NOPE', { status: '06' })).status).toBe(404);

    await control('POST', '/__sim/balance', { value: '5000.00' });
    expect((await control('POST', '/__sim/transactions', { ...ok, reference: reference('POOR') })).status).toBe(409);
    expect((await control('PATCH', path, { amount: idr(100_000) })).status).toBe(409);
  });
});

describe('Singapay simulator breaks, through the Singapay client', () => {
  let sim: SingapaySimulator;
  let client: SingapayProvider;
  const control = (method: string, path: string, body?: unknown, raw?: string) => call(sim.url, method, path, body, raw);
  const dana = (customerNumber: string): Destination => ({ type: 'EWALLET', ewallet: 'DANA', customerNumber });
  const balance = async () => Number(((await control('GET', '/__sim/balance')).json.value as string).slice(0, -3));

  beforeAll(async () => {
    sim = await startSingapaySimulator({ port: 0 });
    client = createSingapayProvider({ baseUrl: sim.url, ...sim.credentials, timeoutMs: 2_000 });
  });
  afterAll(async () => {
    await sim?.close();
  });
  beforeEach(async () => {
    await control('POST', '/__sim/reset');
  });

  test('a transfer unknown to us: the ledger row, the balance, and the status answer for its reference (only when asked)', async () => {
    const before = await balance();
    const ref = reference('UNK');
    const created = await control('POST', '/__sim/transactions', { reference: ref, amount: idr(10_000), destination: '081234567890' });
    expect(created.status).toBe(201);
    expect(created.json).toMatchObject({
      reference: ref,
      amount: idr(10_000),
      fee: idr(500),
      grossAmount: idr(10_500),
      status: '00',
      triggerCalls: 0,
      createdBy: 'control',
      destination: { ewallet: 'DANA', customerNumber: '081234567890' },
    });
    expect((await control('GET', '/__sim/transactions')).json).toEqual([created.json]);
    expect(await balance()).toBe(before - 10_500);
    expect(await client.checkTransferStatus(order(ref, dana('081234567890'), 10_000))).toMatchObject({
      state: 'SUCCEEDED',
      providerStatus: { code: '00' },
      recorded: { amount: 10_000, accountNumber: '081234567890' },
    });
    // Singapay answers per reference: a reference nobody asks about stays unseen.
    expect((await client.checkTransferStatus(order(reference('OTHER'), dana('081234567890'), 10_000))).state).toBe('NOT_FOUND');
  });

  test('an unknown transfer that failed (06), or is pending (03) and then moves by its number', async () => {
    const before = await balance();
    const failed = reference('UNKF');
    expect((await control('POST', '/__sim/transactions', { reference: failed, amount: idr(25_000), destination: { type: 'EWALLET', ewallet: 'OVO', customerNumber: '081234567890' }, status: '06' })).status).toBe(201);
    expect(await balance()).toBe(before);
    expect(await client.checkTransferStatus(order(failed, dana('081234567890'), 25_000))).toMatchObject({ state: 'FAILED', providerStatus: { code: '06' } });

    const pending = reference('UNKP');
    expect((await control('POST', '/__sim/transactions', { reference: pending, amount: idr(25_000), destination: '081234560000', status: '03' })).json).toMatchObject({ status: '03' });
    expect((await client.checkTransferStatus(order(pending, dana('081234560000'), 25_000))).state).toBe('SUCCEEDED'); // 0000: the first check
  });

  test('an existing reference is a 409; a duplicate is a 400: Singapay answers one record per reference', async () => {
    const ref = reference('DUP');
    const body = { reference: ref, amount: idr(15_000), destination: '081234567890' };
    expect((await control('POST', '/__sim/transactions', body)).status).toBe(201);
    expect((await control('POST', '/__sim/transactions', body)).status).toBe(409);
    const duplicate = await control('POST', '/__sim/transactions', { ...body, duplicate: true });
    expect(duplicate.status).toBe(400);
    expect(duplicate.json.error).toContain('one record per reference');
    expect((await control('GET', '/__sim/transactions')).json).toHaveLength(1);
  });

  test('another amount for one of ours: the ledger row, the status answer and the balance show it', async () => {
    const o = order(reference('AMT'), dana('081200000000'), 50_000);
    await client.triggerTransfer(o);
    expect((await client.checkTransferStatus(o)).state).toBe('SUCCEEDED');
    const before = await balance();
    const changed = await control('PATCH', `/__sim/transactions/${encodeURIComponent(o.reference)}`, { amount: idr(45_000) });
    expect(changed.status).toBe(200);
    expect(changed.json).toMatchObject({ amount: idr(45_000), grossAmount: idr(45_500), status: '00', triggerCalls: 1, changedBy: 'control' });
    expect(await client.checkTransferStatus(o)).toMatchObject({ state: 'SUCCEEDED', recorded: { amount: 45_000 } });
    expect(await balance()).toBe(before + 5_000);
  });

  test('a success reversed: the status answers the failure from then on, and the gross amount comes back', async () => {
    const start = await balance();
    const o = order(reference('REV'), dana('081200000000'), 30_000);
    await client.triggerTransfer(o);
    expect((await client.checkTransferStatus(o)).state).toBe('SUCCEEDED');
    expect(await balance()).toBe(start - 30_500);
    const reversed = await control('PATCH', `/__sim/transactions/${encodeURIComponent(o.reference)}`, { status: '06' });
    expect(reversed.status).toBe(200);
    expect(reversed.json).toMatchObject({ status: '06', changedBy: 'control', reversedAt: expect.any(String) });
    expect(await client.checkTransferStatus(o)).toMatchObject({ state: 'FAILED', providerStatus: { code: '06' } });
    expect(await balance()).toBe(start);
    expect((await control('PATCH', `/__sim/transactions/${encodeURIComponent(o.reference)}`, { status: '04' })).json).toMatchObject({ status: '04' });
    expect(await balance()).toBe(start);
    expect((await control('PATCH', `/__sim/transactions/${encodeURIComponent(o.reference)}`, { status: '00' })).status).toBe(409);
  });

  test('bad bodies are 400, an unknown reference 404', async () => {
    const ok = { reference: reference('BAD'), amount: idr(10_000), destination: '081234567890' };
    const bad: unknown[] = [
      {},
      { ...ok, amount: { value: '10000.50', currency: 'IDR' } },
      { ...ok, destination: '0812' },
      { ...ok, destination: { type: 'BANK_ACCOUNT', bankCode: '014', accountNumber: '1234567890' } },
      { ...ok, status: '01' },
      { ...ok, extra: 1 },
    ];
    for (const body of bad) {
      const answer = await control('POST', '/__sim/transactions', body);
      expect([answer.status, typeof answer.json.error]).toEqual([400, 'string']);
    }
    expect((await control('POST', '/__sim/transactions', undefined, '[')).status).toBe(400);
    expect((await control('GET', '/__sim/transactions')).json).toEqual([]);
    expect((await control('POST', '/__sim/transactions', ok)).status).toBe(201);
    const path = `/__sim/transactions/${encodeURIComponent(ok.reference)}`;
    for (const body of [{}, { status: 'failed' }, { amount: idr(1), extra: 1 }]) {
      expect((await control('PATCH', path, body)).status).toBe(400);
    }
    expect((await control('PATCH', '/__sim/transactions/NOPE', { amount: idr(20_000) })).status).toBe(404);
  });
});
