// Our real Faspay client against the real simulator over loopback HTTP: RSA signatures, SNAP
// headers, response codes and scenarios as providers.md and simulators.md describe them. No fetch
// is stubbed; raw requests are used only to send what our client never would.
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createFaspayProvider, verifyFaspayCallback, type FaspayClientConfig, type FaspayProvider } from '../../src/providers/faspay';
import { externalIdGenerator, jakartaTimestamp, snapHeaders } from '../../src/providers/faspay/headers';
import { loadPrivateKey, minify, signRequest } from '../../src/providers/faspay/signature';
import type { TransferOrder } from '../../src/domain/provider-port';
import type { Destination } from '../../src/domain/payout';
import { startFaspaySimulator, type FaspaySimulator } from '../../src/simulators/faspay';
import { callError } from '../support/provider-errors';

let sim: FaspaySimulator;
let config: FaspayClientConfig;
let client: FaspayProvider;
beforeAll(async () => {
  sim = await startFaspaySimulator({ port: 0 });
  config = {
    baseUrl: sim.url,
    partnerId: sim.credentials.partnerId,
    privateKeyPem: sim.credentials.merchantPrivateKeyPem,
    sourceAccount: sim.credentials.sourceAccount,
    timeoutMs: 500,
  };
  client = createFaspayProvider(config);
});
afterAll(async () => {
  await sim?.close();
});
beforeEach(async () => {
  await control('POST', '/__sim/reset');
});

let seq = 0;
const bank = (accountNumber: string): Destination => ({ type: 'BANK_ACCOUNT', bankCode: '014', accountNumber });
function order(destination: Destination, amount = 10_000, description = 'Contract test'): TransferOrder {
  seq += 1;
  return { reference: `FT-${Date.now().toString(36)}-${seq}`, destination, amount, description };
}

// Control API answers are loosely typed on purpose: the assertions say what they must hold.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Loose = any;
async function control(method: string, path: string, body?: unknown): Promise<{ status: number; json: Loose }> {
  const res = await fetch(`${sim.url}${path}`, {
    method,
    headers: { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: res.status, json: await res.json() };
}
const ledger = async (): Promise<Loose[]> => (await control('GET', '/__sim/transactions')).json;
const ledgerOf = async (reference: string) => (await ledger()).filter((t) => t.reference === reference);
const balance = async () => (await control('GET', '/__sim/balance')).json.value as string;

/** A signed request exactly as our client would send it, with parts overridable for tampering. */
const nextExternalId = externalIdGenerator(() => new Date());
async function rawCall(
  path: string,
  body: unknown,
  tamper: { body?: string; signature?: string; externalId?: string; timestamp?: string; omit?: string; partnerId?: string } = {},
): Promise<{ status: number; json: Loose }> {
  const text = minify(body);
  const timestamp = tamper.timestamp ?? jakartaTimestamp(new Date());
  const signature = tamper.signature ?? signRequest(loadPrivateKey(config.privateKeyPem), { method: 'POST', path, body: text, timestamp });
  const headers = snapHeaders({ partnerId: tamper.partnerId ?? config.partnerId, timestamp, signature, externalId: tamper.externalId ?? nextExternalId() });
  if (tamper.omit) delete headers[tamper.omit];
  const res = await fetch(`${sim.url}${path}`, { method: 'POST', headers, body: tamper.body ?? text });
  return { status: res.status, json: await res.json() };
}
const inquiryBody = (accountNo: string) => ({ beneficiaryBankCode: '014', beneficiaryAccountNo: accountNo, additionalInfo: { sourceAccount: config.sourceAccount } });

async function pollUntilFinal(o: TransferOrder, max = 10) {
  for (let i = 1; i <= max; i += 1) {
    const status = await client.checkTransferStatus(o);
    if (status.state !== 'PENDING') return { status, checks: i };
  }
  throw new Error('still pending');
}

describe('bank account: 16 inquiry, 18 transfer, 36 status', () => {
  test('0000: inquiry, transfer, first status check says success', async () => {
    const o = order(bank('1234560000'));
    const inquiry = await client.inquireAccount(o);
    expect(inquiry).toEqual({ outcome: 'VALID', accountName: expect.any(String), amount: 10_000, fee: 0, grossAmount: 10_000 });
    const trigger = await client.triggerTransfer(o);
    expect(trigger).toMatchObject({ outcome: 'ACCEPTED', state: 'PENDING', providerStatus: { code: '03', desc: 'Pending' } });
    const providerReference = trigger.outcome === 'ACCEPTED' ? trigger.providerReference : undefined;
    expect(providerReference).toMatch(/^\d{16}$/);
    const status = await client.checkTransferStatus(o, providerReference);
    expect(status).toMatchObject({ state: 'SUCCEEDED', providerStatus: { code: '00' }, providerReference, recorded: { amount: 10_000, accountNumber: '1234560000' } });
    const [entry] = await ledgerOf(o.reference);
    expect(entry).toMatchObject({ service: '18', status: '00', triggerCalls: 1, amount: { value: '10000.00', currency: 'IDR' }, grossAmount: { value: '10000.00' } });
    expect(entry.destination).toMatchObject({ type: 'BANK_ACCOUNT', bankCode: '014', accountNumber: '1234560000', accountName: (inquiry as Loose).accountName });
  });

  test('1111: pending for three checks, then success', async () => {
    const o = order(bank('9876541111'));
    await client.inquireAccount(o);
    await client.triggerTransfer(o);
    const { status, checks } = await pollUntilFinal(o);
    expect(status.state).toBe('SUCCEEDED');
    expect(checks).toBe(4);
  });

  test('4040: invalid account → REFUSED BENEFICIARY_NOT_FOUND 4041611, and the trigger is refused too', async () => {
    const o = order(bank('5555554040'));
    expect(await client.inquireAccount(o)).toEqual({ outcome: 'REFUSED', failure: { code: 'BENEFICIARY_NOT_FOUND', message: 'Invalid Account', providerCode: '4041611' } });
    // A client that never inquired asks 16 before 18, so nothing is sent.
    const fresh = createFaspayProvider(config);
    expect(await fresh.triggerTransfer(o)).toMatchObject({ outcome: 'REFUSED', failure: { code: 'BENEFICIARY_NOT_FOUND', providerCode: '4041611' } });
    expect(await ledgerOf(o.reference)).toHaveLength(0);
  });

  test('2222: fails (06) after one pending check, and the gross amount is refunded', async () => {
    const before = await balance();
    const o = order(bank('1234562222'), 75_000);
    await client.inquireAccount(o);
    expect(await client.triggerTransfer(o)).toMatchObject({ outcome: 'ACCEPTED', state: 'PENDING' });
    expect(await balance()).toBe(`${Number(before.slice(0, -3)) - 75_000}.00`);
    expect((await client.checkTransferStatus(o)).state).toBe('PENDING');
    const failed = await client.checkTransferStatus(o);
    expect(failed).toMatchObject({ state: 'FAILED', providerStatus: { code: '06' }, failure: { code: 'TRANSFER_FAILED', providerCode: '06' } });
    expect(await balance()).toBe(before);
    const history = await client.transactionHistory(new Date(Date.now() - 60_000), new Date(Date.now() + 60_000));
    const mine = history.filter((h) => h.remark.includes(o.reference));
    expect(mine.map((h) => [h.debitCredit, h.amount])).toEqual([
      ['D', 75_000],
      ['K', 75_000],
    ]);
  });

  test('5003: the first two calls of each operation answer 503 (UNAVAILABLE), then it behaves like 0000', async () => {
    const o = order(bank('1234565003'));
    for (let i = 0; i < 2; i += 1) {
      const err = await callError(client.inquireAccount(o));
      expect([err.kind, err.details.httpStatus, err.details.providerCode]).toEqual(['UNAVAILABLE', 503, '5031600']);
    }
    expect((await client.inquireAccount(o)).outcome).toBe('VALID');
    for (let i = 0; i < 2; i += 1) {
      const err = await callError(client.triggerTransfer(o));
      expect([err.kind, err.details.mayHaveArrived]).toEqual(['UNAVAILABLE', true]);
    }
    expect(await ledgerOf(o.reference)).toHaveLength(0);
    expect((await client.triggerTransfer(o)).outcome).toBe('ACCEPTED');
    await callError(client.checkTransferStatus(o));
    await callError(client.checkTransferStatus(o));
    expect((await client.checkTransferStatus(o)).state).toBe('SUCCEEDED');
    expect(await ledgerOf(o.reference)).toEqual([expect.objectContaining({ triggerCalls: 1, status: '00' })]);
  });

  test('duplicate partnerReferenceNo → DUPLICATE_REFERENCE (4091801); one transaction with two trigger calls', async () => {
    const before = await balance();
    const o = order(bank('1234563333'), 20_000);
    await client.inquireAccount(o);
    expect((await client.triggerTransfer(o)).outcome).toBe('ACCEPTED');
    expect(await client.triggerTransfer(o)).toEqual({ outcome: 'DUPLICATE_REFERENCE', providerCode: '4091801' });
    const entries = await ledgerOf(o.reference);
    expect(entries).toHaveLength(1);
    expect(entries[0].triggerCalls).toBe(2);
    expect(await balance()).toBe(`${Number(before.slice(0, -3)) - 20_000}.00`);
  });

  test('8888: REFUSED INSUFFICIENT_BALANCE (4031814), nothing debited or recorded', async () => {
    const before = await balance();
    const o = order(bank('1234568888'));
    await client.inquireAccount(o);
    expect(await client.triggerTransfer(o)).toMatchObject({ outcome: 'REFUSED', failure: { code: 'INSUFFICIENT_BALANCE', providerCode: '4031814' } });
    expect(await balance()).toBe(before);
    expect(await ledgerOf(o.reference)).toHaveLength(0);
  });

  test('a real shortage is refused the same way, and 9999 refuses above 50 000 (4031802)', async () => {
    await control('POST', '/__sim/balance', { value: '5000.00' });
    const short = order(bank('1234560000'));
    expect(await client.triggerTransfer(short)).toMatchObject({ outcome: 'REFUSED', failure: { code: 'INSUFFICIENT_BALANCE', providerCode: '4031814' } });
    await control('POST', '/__sim/reset');
    const big = order(bank('1234569999'), 60_000);
    expect(await client.triggerTransfer(big)).toMatchObject({ outcome: 'REFUSED', failure: { code: 'LIMIT_EXCEEDED', providerCode: '4031802' } });
    expect((await client.triggerTransfer(order(bank('1234569999'), 50_000))).outcome).toBe('ACCEPTED');
  });

  test('7777: the money moves but the answer never comes; TIMEOUT (may have arrived); status says success', async () => {
    const before = await balance();
    const o = order(bank('1234567777'), 30_000);
    await client.inquireAccount(o);
    const err = await callError(client.triggerTransfer(o));
    expect([err.kind, err.details.mayHaveArrived]).toEqual(['TIMEOUT', true]);
    expect(await ledgerOf(o.reference)).toEqual([expect.objectContaining({ status: '03', triggerCalls: 1 })]);
    expect(await balance()).toBe(`${Number(before.slice(0, -3)) - 30_000}.00`);
    expect((await client.checkTransferStatus(o)).state).toBe('SUCCEEDED');
    // Sending it again is safe: the reference is taken.
    expect((await client.triggerTransfer(o)).outcome).toBe('DUPLICATE_REFERENCE');
  });

  test('an unknown reference: status NOT_FOUND (4043601)', async () => {
    expect(await client.checkTransferStatus(order(bank('1234560000')))).toMatchObject({ state: 'NOT_FOUND', providerStatus: { code: '4043601' } });
  });

  test('description "Transfer fee": the client strips "fee"; a raw request with it is refused (4001801)', async () => {
    const o = order(bank('1234560000'), 10_000, 'Transfer fee for March payroll');
    expect((await client.triggerTransfer(o)).outcome).toBe('ACCEPTED');
    const [entry] = await ledgerOf(o.reference);
    expect(entry.description).toBe('Transfer for Ma');
    const raw = await rawCall('/account/v1.0/transfer-interbank', {
      partnerReferenceNo: `RAW-${o.reference}`,
      amount: { value: '10000.00', currency: 'IDR' },
      beneficiaryAccountName: 'Budi',
      beneficiaryAccountNo: '1234560000',
      beneficiaryBankCode: '014',
      sourceAccountNo: config.sourceAccount,
      transactionDate: jakartaTimestamp(new Date()),
      additionalInfo: { instructDate: '', transactionDescription: 'Transfer fee', callbackUrl: '' },
    });
    expect([raw.status, raw.json.responseCode]).toEqual([400, '4001801']);
    expect(await ledgerOf(`RAW-${o.reference}`)).toHaveLength(0);
  });

  test('amounts with decimals other than .00 are refused (4001801)', async () => {
    const raw = await rawCall('/account/v1.0/transfer-interbank', {
      partnerReferenceNo: `RAW-${Date.now()}`,
      amount: { value: '10000.50', currency: 'IDR' },
      beneficiaryAccountName: 'Budi',
      beneficiaryAccountNo: '1234560000',
      beneficiaryBankCode: '014',
      sourceAccountNo: config.sourceAccount,
      transactionDate: jakartaTimestamp(new Date()),
      additionalInfo: { callbackUrl: '' },
    });
    expect([raw.status, raw.json.responseCode, raw.json.responseMessage]).toEqual([400, '4001801', 'Invalid Field Format amount.value']);
  });
});

describe('e-money top-up: 38 and 39', () => {
  test('LinkAja (lkj): inquiry, top-up, status to success', async () => {
    const o = order({ type: 'EWALLET', ewallet: 'LINKAJA', customerNumber: '081234560000' }, 50_000);
    expect(await client.inquireAccount(o)).toMatchObject({ outcome: 'VALID', amount: 50_000, grossAmount: 50_000 });
    expect(await client.triggerTransfer(o)).toMatchObject({ outcome: 'ACCEPTED', state: 'PENDING' });
    expect(await client.checkTransferStatus(o)).toMatchObject({ state: 'SUCCEEDED', recorded: { amount: 50_000, accountNumber: '081234560000' } });
    expect(await ledgerOf(o.reference)).toEqual([
      expect.objectContaining({ service: '38', status: '00', destination: expect.objectContaining({ type: 'EWALLET', platformCode: 'lkj', customerNumber: '081234560000' }) }),
    ]);
  });

  test('4040 customer: refused at inquiry (4041611) and at top-up (4043811)', async () => {
    const o = order({ type: 'EWALLET', ewallet: 'OVO', customerNumber: '081234564040' });
    expect(await client.inquireAccount(o)).toMatchObject({ outcome: 'REFUSED', failure: { providerCode: '4041611' } });
    expect(await client.triggerTransfer(o)).toMatchObject({ outcome: 'REFUSED', failure: { code: 'BENEFICIARY_NOT_FOUND', providerCode: '4043811' } });
  });

  test('ShopeePay is not a Faspay platform', async () => {
    const err = await callError(client.inquireAccount(order({ type: 'EWALLET', ewallet: 'SHOPEEPAY', customerNumber: '081234560000' })));
    expect(err.kind).toBe('MISCONFIGURED');
  });
});

describe('virtual account: 32 inquiry, 33 payment, 36 status (serviceCode 33)', () => {
  test('inquiry and payment to success', async () => {
    const o = order({ type: 'VIRTUAL_ACCOUNT', billerCode: '014', virtualAccountNumber: '126085212340000' }, 11_500);
    const inquiry = await client.inquireAccount(o);
    expect(inquiry).toMatchObject({ outcome: 'VALID', amount: 11_500, fee: 0, grossAmount: 11_500 });
    expect((inquiry as Loose).accountName).not.toBe('');
    const trigger = await client.triggerTransfer(o);
    expect(trigger).toMatchObject({ outcome: 'ACCEPTED', state: 'PENDING', providerStatus: { code: '1', desc: 'On Process' } });
    expect(await client.checkTransferStatus(o)).toMatchObject({ state: 'SUCCEEDED', recorded: { amount: 11_500, accountNumber: '126085212340000' } });
    expect(await ledgerOf(o.reference)).toEqual([
      expect.objectContaining({
        service: '33',
        status: '00',
        // The default split is the seed's: a 3-digit company code (faspay.va-company-code-digits).
        destination: expect.objectContaining({ partnerServiceId: '     126', customerNo: '085212340000', virtualAccountNumber: '126085212340000', virtualAccountName: (inquiry as Loose).accountName }),
      }),
    ]);
  });

  test('4040 VA: refused at inquiry (4043211)', async () => {
    const o = order({ type: 'VIRTUAL_ACCOUNT', billerCode: '014', virtualAccountNumber: '126085212344040' });
    expect(await client.inquireAccount(o)).toMatchObject({ outcome: 'REFUSED', failure: { code: 'BENEFICIARY_NOT_FOUND', providerCode: '4043211' } });
  });
});

describe('balance (11) and history (12)', () => {
  test('availableBalance() goes down by the gross amount of a transfer', async () => {
    const before = await client.availableBalance();
    expect(before).toBe(1_000_000_000);
    const o = order(bank('1234560000'), 123_000);
    await client.inquireAccount(o);
    await client.triggerTransfer(o);
    expect(await client.availableBalance()).toBe(before - 123_000);
    const detail = await client.balanceInquiry();
    expect(detail).toEqual({ accountNo: config.sourceAccount, accounts: [{ balanceType: 'CASH', amount: before - 123_000, availableBalance: before - 123_000, status: '0001' }] });
  });

  test('the history lists the debit; spans over a month are refused', async () => {
    const o = order({ type: 'EWALLET', ewallet: 'DANA', customerNumber: '081299990000' }, 40_000);
    await client.triggerTransfer(o);
    const history = await client.transactionHistory(new Date(Date.now() - 3_600_000), new Date(Date.now() + 60_000));
    expect(history).toEqual([expect.objectContaining({ amount: 40_000, debitCredit: 'D', type: 'SEND_MONEY', remark: expect.stringContaining(o.reference) })]);
    const err = await callError(client.transactionHistory(new Date(Date.now() - 40 * 86_400_000), new Date()));
    expect([err.kind, err.details.providerCode]).toEqual(['MISCONFIGURED', '4001201']);
  });
});

describe('SNAP request checks', () => {
  test('a tampered body or signature → 401 with 401xx00', async () => {
    const body = inquiryBody('1234560000');
    const tamperedBody = await rawCall('/account/v1.0/account-inquiry-external', body, { body: minify({ ...body, beneficiaryAccountNo: '1234561111' }) });
    expect([tamperedBody.status, tamperedBody.json.responseCode]).toEqual([401, '4011600']);
    const other = signRequest(loadPrivateKey(config.privateKeyPem), { method: 'POST', path: '/account/v1.0/balance-inquiry', body: '{}', timestamp: jakartaTimestamp(new Date()) });
    const badSignature = await rawCall('/account/v1.0/account-inquiry-external', body, { signature: other });
    expect([badSignature.status, badSignature.json.responseCode]).toEqual([401, '4011600']);
    const ok = await rawCall('/account/v1.0/account-inquiry-external', body);
    expect([ok.status, ok.json.responseCode]).toEqual([200, '2001600']);
  });

  test('a body sent with escaped slashes verifies against its unescaped form', async () => {
    const body = { ...inquiryBody('1234560000'), partnerReferenceNo: 'a/b' };
    const res = await rawCall('/account/v1.0/account-inquiry-external', body, { body: minify(body).replace(/\//g, '\\/') });
    expect([res.status, res.json.responseCode]).toEqual([200, '2001600']);
  });

  test('a reused X-EXTERNAL-ID on the same day → 409xx00', async () => {
    const externalId = nextExternalId();
    const first = await rawCall('/account/v1.0/account-inquiry-external', inquiryBody('1234560000'), { externalId });
    expect(first.json.responseCode).toBe('2001600');
    const second = await rawCall('/account/v1.0/account-inquiry-external', inquiryBody('1234560000'), { externalId });
    expect([second.status, second.json.responseCode]).toEqual([409, '4091600']);
  });

  test('the client turns 409xx00 into a retryable UNAVAILABLE that did not arrive', async () => {
    const stuck = createFaspayProvider({ ...config, externalId: () => '123456789' });
    expect((await stuck.inquireAccount(order(bank('1234560000')))).outcome).toBe('VALID');
    const err = await callError(stuck.triggerTransfer(order(bank('1234560000'))));
    expect([err.kind, err.details.mayHaveArrived, err.details.providerCode]).toEqual(['UNAVAILABLE', false, '4091800']);
  });

  test('a missing header → 400xx02; an unknown partner or a stale timestamp → 401xx00', async () => {
    const missing = await rawCall('/account/v1.0/account-inquiry-external', inquiryBody('1234560000'), { omit: 'X-EXTERNAL-ID' });
    expect([missing.status, missing.json.responseCode]).toEqual([400, '4001602']);
    const partner = await rawCall('/account/v1.0/account-inquiry-external', inquiryBody('1234560000'), { partnerId: '00000' });
    expect([partner.status, partner.json.responseCode]).toEqual([401, '4011600']);
    const late = createFaspayProvider({ ...config, now: () => new Date(Date.now() - 10 * 60_000) });
    const err = await callError(late.inquireAccount(order(bank('1234560000'))));
    expect([err.kind, err.details.providerCode]).toEqual(['UNAUTHORIZED', '4011600']);
  });

  test('a missing mandatory field → 400xx02', async () => {
    const res = await rawCall('/account/v1.0/account-inquiry-external', { beneficiaryBankCode: '014', additionalInfo: { sourceAccount: config.sourceAccount } });
    expect([res.status, res.json.responseCode, res.json.responseMessage]).toEqual([400, '4001602', 'Invalid Mandatory Field beneficiaryAccountNo']);
  });

  test('a wrong private key → UNAUTHORIZED, nothing moved', async () => {
    const { generateKeyPairSync } = await import('node:crypto');
    const other = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ type: 'pkcs1', format: 'pem' }).toString();
    const wrong = createFaspayProvider({ ...config, privateKeyPem: other });
    const err = await callError(wrong.triggerTransfer({ ...order(bank('1234560000')), accountName: 'Budi' } as TransferOrder));
    expect(err.kind).toBe('UNAUTHORIZED');
    expect(await ledger()).toHaveLength(0);
  });
});

describe('control API faults', () => {
  test('http500 on the trigger: UNAVAILABLE, may have arrived; then it goes through', async () => {
    const o = order(bank('1234560000'));
    await client.inquireAccount(o);
    expect((await control('POST', '/__sim/faults', { operation: 'trigger', mode: 'http500', count: 1 })).status).toBe(201);
    const err = await callError(client.triggerTransfer(o));
    expect([err.kind, err.details.mayHaveArrived, err.details.providerCode]).toEqual(['UNAVAILABLE', true, '5001800']);
    expect((await client.triggerTransfer(o)).outcome).toBe('ACCEPTED');
  });

  test('accept-then-timeout: the money moved, the client timed out', async () => {
    const o = order(bank('1234560000'));
    await client.inquireAccount(o);
    await control('POST', '/__sim/faults', { operation: 'trigger', mode: 'accept-then-timeout', count: 1 });
    expect((await callError(client.triggerTransfer(o))).kind).toBe('TIMEOUT');
    expect(await ledgerOf(o.reference)).toHaveLength(1);
  });

  test('a bad fault body → 400', async () => {
    expect((await control('POST', '/__sim/faults', { operation: 'everything', mode: 'http500', count: 1 })).status).toBe(400);
    expect((await control('DELETE', '/__sim/faults')).status).toBe(200);
  });
});

describe('callbacks', () => {
  let receiver: Server;
  let received: { path: string; headers: IncomingMessage['headers']; body: string }[];
  let receiverUrl: string;
  beforeAll(async () => {
    received = [];
    receiver = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const body = Buffer.concat(chunks).toString('utf8');
        // /fail-once answers 500 to the first delivery of each notification, to exercise retries.
        const failNow = (req.url ?? '').includes('fail-once') && !received.some((r) => r.body === body);
        received.push({ path: req.url ?? '', headers: req.headers, body });
        res.writeHead(failNow ? 500 : 200).end();
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/v1/callbacks/faspay?source=sim`;
  });
  afterAll(async () => {
    await new Promise((resolve) => receiver.close(resolve));
  });

  async function waitFor<T>(fn: () => T | undefined, timeoutMs = 5000): Promise<T> {
    const until = Date.now() + timeoutMs;
    for (;;) {
      const value = fn();
      if (value !== undefined) return value;
      if (Date.now() > until) throw new Error('timed out waiting');
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }

  test('3333 settled through the control API: a signed callback that verifyFaspayCallback accepts', async () => {
    const withCallback = createFaspayProvider({ ...config, callbackUrl: receiverUrl });
    const o = order(bank('1234563333'), 15_000);
    await withCallback.inquireAccount(o);
    await withCallback.triggerTransfer(o);
    expect((await withCallback.checkTransferStatus(o)).state).toBe('PENDING');
    expect(received.filter((r) => r.body.includes(o.reference))).toHaveLength(0);
    const settled = await control('POST', `/__sim/transactions/${o.reference}/settle`, { status: '00' });
    expect(settled.json).toMatchObject({ status: '00' });

    const callback = await waitFor(() => received.find((r) => r.body.includes(o.reference)));
    expect(callback.path).toBe('/v1/callbacks/faspay?source=sim');
    const verified = verifyFaspayCallback(sim.simulatorPublicKeyPem, { path: callback.path, rawBody: callback.body, headers: callback.headers }, { partnerId: config.partnerId });
    expect(verified).toEqual({
      ok: true,
      notification: expect.objectContaining({ originalPartnerReferenceNo: o.reference, latestTransactionStatus: '00', amount: { value: '15000.00', currency: 'IDR' } }),
    });
    // Tampering, another key, or the merchant's key all fail.
    expect(verifyFaspayCallback(sim.simulatorPublicKeyPem, { path: callback.path, rawBody: callback.body.replace('15000.00', '16000.00'), headers: callback.headers }).ok).toBe(false);
    expect(verifyFaspayCallback(sim.credentials.merchantPublicKeyPem, { path: callback.path, rawBody: callback.body, headers: callback.headers }).ok).toBe(false);
    expect(verifyFaspayCallback(sim.simulatorPublicKeyPem, { path: '/other', rawBody: callback.body, headers: callback.headers }).ok).toBe(false);
    const sent = (await control('GET', '/__sim/callbacks')).json;
    expect(sent).toMatchObject({ enabled: true, sent: [expect.objectContaining({ reference: o.reference, status: '00', httpStatus: 200 })] });
    // The settled transfer is final: a second settle is refused.
    expect((await control('POST', `/__sim/transactions/${o.reference}/settle`, { status: '06' })).status).toBe(409);
  });

  test('a failed delivery (HTTP 500) is retried; a settled failure (06) refunds and notifies 06', async () => {
    const before = await balance();
    const failOnce = createFaspayProvider({ ...config, callbackUrl: receiverUrl.replace('/v1/callbacks/faspay', '/fail-once') });
    const o = order(bank('1234563333'), 25_000);
    await failOnce.triggerTransfer(o);
    expect((await control('POST', `/__sim/transactions/${o.reference}/settle`, { status: '06' })).json).toMatchObject({ status: '06' });
    expect(await balance()).toBe(before);
    const deliveries = await waitFor(() => {
      const mine = received.filter((r) => r.body.includes(o.reference));
      return mine.length >= 2 ? mine : undefined;
    });
    expect(deliveries[0]!.body).toBe(deliveries[1]!.body);
    expect(JSON.parse(deliveries[1]!.body)).toMatchObject({ latestTransactionStatus: '06', transactionStatusDesc: 'Failed' });
    const { sent } = (await control('GET', '/__sim/callbacks')).json;
    expect(sent.map((c: Loose) => [c.attempt, c.httpStatus])).toEqual([
      [1, 500],
      [2, 200],
    ]);
    expect((await failOnce.checkTransferStatus(o)).state).toBe('FAILED');
  });

  test('callbacks off: none sent, polling still finishes', async () => {
    await control('POST', '/__sim/callbacks', { enabled: false });
    const withCallback = createFaspayProvider({ ...config, callbackUrl: receiverUrl });
    const o = order(bank('1234560000'));
    await withCallback.triggerTransfer(o);
    expect((await withCallback.checkTransferStatus(o)).state).toBe('SUCCEEDED');
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(received.filter((r) => r.body.includes(o.reference))).toHaveLength(0);
    expect((await control('GET', '/__sim/callbacks')).json).toEqual({ enabled: false, sent: [] });
  });
});

describe('GET /__sim/calls: the calls Faspay saw, as the Singapay simulator counts them', () => {
  test('counts by operation; with ?since= each call with its arrival time; reset forgets them', async () => {
    const before = Date.now();
    const o = order(bank('1234560000'));
    await client.inquireAccount(o);
    // Another worker's client has not seen the inquiry: it asks the name (16), then transfers (18).
    await createFaspayProvider(config).triggerTransfer(o);
    await client.checkTransferStatus(o);
    await client.availableBalance!();
    await rawCall('/account/v1.0/no-such-service', {}); // not a service: not a call Faspay counts
    const counts = { inquiry: 2, trigger: 1, status: 1, balance: 1, history: 0 };
    expect((await control('GET', '/__sim/calls')).json).toEqual(counts);
    const timed = (await control('GET', `/__sim/calls?since=${before}`)).json;
    expect(timed).toEqual({ ...counts, times: [expect.any(Object), expect.any(Object), expect.any(Object), expect.any(Object), expect.any(Object)] });
    expect(timed.times.map((call: Loose) => call.operation)).toEqual(['inquiry', 'inquiry', 'trigger', 'status', 'balance']);
    const times = timed.times.map((call: Loose) => call.at as number);
    expect(times).toEqual([...times].sort((a, b) => a - b));
    expect(times[0]).toBeGreaterThanOrEqual(before);
    expect(times[4]).toBeLessThanOrEqual(Date.now());
    // Only the calls from `since` on.
    const later = (await control('GET', `/__sim/calls?since=${times[4]}`)).json.times as Loose[];
    expect(later.at(-1)).toEqual({ operation: 'balance', at: times[4] });
    expect(later.every((call) => call.at >= times[4]!)).toBe(true);
    expect(later.length).toBeLessThan(5);
    expect((await control('GET', '/__sim/calls?since=soon')).status).toBe(400);
    await control('POST', '/__sim/reset');
    expect((await control('GET', '/__sim/calls?since=0')).json).toEqual({ inquiry: 0, trigger: 0, status: 0, balance: 0, history: 0, times: [] });
  });
});
