// Our real Singapay client against the real simulator over loopback HTTP: tokens, signatures, codes,
// scenarios, faults, the control API and signed webhooks, as docs/providers/singapay.md and docs/simulators.md describe
// them. No fetch is stubbed; the simulator's ledger is the judge of whether money moved.
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { networkInterfaces } from 'node:os';
import { createSingapayProvider, type SingapayClientConfig } from '../../src/providers/singapay';
import { canonicalJson } from '../../src/providers/singapay/canonical-json';
import { jakartaTimestamp, requestSignature, verifySingapayCallback } from '../../src/providers/singapay/signature';
import type { TransferOrder } from '../../src/domain/provider-port';
import { startSingapaySimulator, type SingapaySimulator } from '../../src/simulators/singapay';
import { callError } from '../support/provider-errors';

interface Money {
  value: string;
  currency: string;
}
interface LedgerEntry {
  reference: string;
  transactionId: string;
  amount: Money;
  fee: Money;
  grossAmount: Money;
  destination: { ewallet: string; customerNumber: string };
  status: string;
  statusDesc: string;
  triggerCalls: number;
  notes?: string;
  createdAt: string;
  updatedAt: string;
}
interface SentCallback {
  reference: string;
  status: string;
  attempt: number;
  httpStatus?: number;
  error?: string;
}

const TRIGGER_PATH = '/api/v2.0/ewallet/trigger-topup';

let sim: SingapaySimulator;
let config: SingapayClientConfig;
beforeAll(async () => {
  sim = await startSingapaySimulator({ port: 0 });
  config = { baseUrl: sim.url, ...sim.credentials, timeoutMs: 500 };
});
afterAll(async () => {
  await sim?.close();
});
beforeEach(async () => {
  await control('POST', '/__sim/reset');
});

let seq = 0;
function order(customerNumber: string, amount = 10_000, description = 'Contract test'): TransferOrder {
  seq += 1;
  return { reference: `CT-${Date.now().toString(36)}-${seq}`, destination: { type: 'EWALLET', ewallet: 'DANA', customerNumber }, amount, description };
}

async function control<T = unknown>(method: string, path: string, body?: unknown): Promise<{ status: number; json: T }> {
  const res = await fetch(`${sim.url}${path}`, {
    method,
    headers: { 'content-type': 'application/json' },
    ...(body !== undefined && { body: JSON.stringify(body) }),
  });
  return { status: res.status, json: (await res.json()) as T };
}
const ledger = async () => (await control<LedgerEntry[]>('GET', '/__sim/transactions')).json;
const ledgerOf = async (reference: string) => (await ledger()).filter((t) => t.reference === reference);
const balance = async () => Number((await control<Money>('GET', '/__sim/balance')).json.value.slice(0, -3));
const tokensIssued = async () => (await control<{ issued: number }>('GET', '/__sim/tokens')).json.issued;
const fault = (body: unknown) => control('POST', '/__sim/faults', body);
const settle = (reference: string, status: string) => control<LedgerEntry>('POST', `/__sim/transactions/${encodeURIComponent(reference)}/settle`, { status });
const sentCallbacks = async () => (await control<{ sent: SentCallback[] }>('GET', '/__sim/callbacks')).json.sent;


async function eventually(check: () => Promise<boolean>, timeoutMs = 3_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 25));
  }
}

describe('access token', () => {
  test('fetched once and cached across calls of every kind', async () => {
    const client = createSingapayProvider(config);
    const o = order('081200000000');
    const token = await client.getAccessToken();
    await client.inquireAccount(o);
    await client.triggerTransfer(o);
    await client.checkTransferStatus(o);
    expect(await client.getAccessToken()).toBe(token);
    expect(await tokensIssued()).toBe(1);
  });

  test('concurrent callers share one in-flight token request', async () => {
    const client = createSingapayProvider(config);
    const results = await Promise.all(Array.from({ length: 5 }, () => client.inquireAccount(order('081200000000'))));
    expect(results.map((r) => r.outcome)).toEqual(Array(5).fill('VALID'));
    expect(await tokensIssued()).toBe(1);
  });

  test('a token the simulator forgot (401 SP013) is renewed once and the call repeated once', async () => {
    const client = createSingapayProvider(config);
    const first = await client.getAccessToken();
    await control('POST', '/__sim/reset'); // forgets every token (and zeroes the counter)
    const result = await client.inquireAccount(order('62811742234'));
    expect(result).toMatchObject({ outcome: 'VALID', accountName: 'Dhany' });
    expect(await tokensIssued()).toBe(1);
    expect(await client.getAccessToken()).not.toBe(first);
  });

  test('a forgotten token on the signed trigger: renewed, re-signed with the new token, accepted once', async () => {
    const client = createSingapayProvider(config);
    await client.getAccessToken();
    await control('POST', '/__sim/reset');
    const o = order('081200000000');
    expect(await client.triggerTransfer(o)).toMatchObject({ outcome: 'ACCEPTED' });
    expect(await ledgerOf(o.reference)).toEqual([expect.objectContaining({ triggerCalls: 1 })]);
  });

  test('wrong client secret: UNAUTHORIZED (non-retryable kind), no token issued', async () => {
    const client = createSingapayProvider({ ...config, clientSecret: 'wrong' });
    const err = await callError(client.inquireAccount(order('081200000000')));
    expect(err.kind).toBe('UNAUTHORIZED');
    expect(err.details).toMatchObject({ httpStatus: 401, providerCode: 'SP016', mayHaveArrived: false });
    expect(err.message).not.toContain(config.clientSecret);
    expect(await tokensIssued()).toBe(0);
  });

  test('a token signed with another Jakarta date is refused', async () => {
    const client = createSingapayProvider({ ...config, now: () => new Date(Date.now() - 24 * 60 * 60 * 1000) });
    expect((await callError(client.getAccessToken())).kind).toBe('UNAUTHORIZED');
    expect(await tokensIssued()).toBe(0);
  });
});

describe('account inquiry', () => {
  test('the sandbox number 62811742234 of the inquiry page is a valid DANA account: name, fee 500, gross amount, limits', async () => {
    const client = createSingapayProvider(config);
    const result = await client.inquireAccount(order('62811742234', 21_000));
    expect(result).toEqual({ outcome: 'VALID', accountName: 'Dhany', amount: 21_000, fee: 500, grossAmount: 21_500, minAmount: 10_000, maxAmount: 2_000_000 });
  });

  test('holder names are deterministic per number', async () => {
    const client = createSingapayProvider(config);
    const a = await client.inquireAccount(order('081234567890'));
    const b = await client.inquireAccount(order('081234567890'));
    expect(a.outcome === 'VALID' && b.outcome === 'VALID' && a.accountName === b.accountName && a.accountName.length > 0).toBe(true);
  });

  test('…4040: REFUSED BENEFICIARY_NOT_FOUND with SP117', async () => {
    const client = createSingapayProvider(config);
    expect(await client.inquireAccount(order('081200004040'))).toEqual({
      outcome: 'REFUSED',
      failure: { code: 'BENEFICIARY_NOT_FOUND', message: 'Beneficiary Account Not Found', providerCode: 'SP117' },
    });
  });

  test('…9999: valid with max_amount 50000.00', async () => {
    const client = createSingapayProvider(config);
    expect(await client.inquireAccount(order('081200009999'))).toMatchObject({ outcome: 'VALID', maxAmount: 50_000 });
  });

  test('a customer number of 9 digits: REFUSED INVALID_REQUEST (SP018)', async () => {
    const client = createSingapayProvider(config);
    expect(await client.inquireAccount(order('081200000'))).toMatchObject({ outcome: 'REFUSED', failure: { code: 'INVALID_REQUEST', providerCode: 'SP018' } });
  });

  test('another merchant account id: MISCONFIGURED with SP020', async () => {
    const client = createSingapayProvider({ ...config, accountId: '01OTHERACCOUNT0000000000000' });
    const err = await callError(client.inquireAccount(order('081200000000')));
    expect(err).toMatchObject({ kind: 'MISCONFIGURED', details: { providerCode: 'SP020' } });
  });

  test('an e-wallet Singapay does not serve: MISCONFIGURED before any call', async () => {
    const client = createSingapayProvider(config);
    const o: TransferOrder = { ...order('081200000000'), destination: { type: 'EWALLET', ewallet: 'LINKAJA', customerNumber: '081200000000' } };
    expect((await callError(client.inquireAccount(o))).kind).toBe('MISCONFIGURED');
    expect(await tokensIssued()).toBe(0);
  });
});

describe('trigger and status', () => {
  test('…0000: accepted pending with the gross amount debited, then success at the first status check', async () => {
    const client = createSingapayProvider(config);
    const before = await balance();
    const o = order('081200000000', 25_000);
    const accepted = await client.triggerTransfer(o);
    expect(accepted).toMatchObject({ outcome: 'ACCEPTED', state: 'PENDING', providerStatus: { code: '03', desc: 'Pending' } });
    expect(await balance()).toBe(before - 25_500);
    const [entry] = await ledgerOf(o.reference);
    expect(entry).toEqual({
      reference: o.reference,
      transactionId: expect.stringMatching(/^EWT-\d{8}-/),
      amount: { value: '25000.00', currency: 'IDR' },
      fee: { value: '500.00', currency: 'IDR' },
      grossAmount: { value: '25500.00', currency: 'IDR' },
      destination: { ewallet: 'DANA', customerNumber: '081200000000' },
      status: '03',
      statusDesc: 'Pending',
      triggerCalls: 1,
      statusChecks: 0,
      notes: 'Contract test',
      createdAt: expect.any(String),
      updatedAt: expect.any(String),
    });
    expect(accepted.outcome === 'ACCEPTED' && accepted.providerReference).toBe(entry!.transactionId);

    const status = await client.checkTransferStatus(o);
    expect(status).toEqual({
      state: 'SUCCEEDED',
      providerStatus: { code: '00', desc: 'Success' },
      providerReference: entry!.transactionId,
      recorded: { amount: 25_000, accountNumber: '081200000000' },
    });
    expect((await ledgerOf(o.reference))[0]).toMatchObject({ status: '00', statusDesc: 'Success' });
    expect(await balance()).toBe(before - 25_500);
  });

  test('…1111: pending for three status checks, then success', async () => {
    const client = createSingapayProvider(config);
    const o = order('081200001111');
    await client.triggerTransfer(o);
    const states = [];
    for (let i = 0; i < 5; i += 1) states.push((await client.checkTransferStatus(o)).state);
    expect(states).toEqual(['PENDING', 'PENDING', 'PENDING', 'SUCCEEDED', 'SUCCEEDED']);
  });

  test('…2222: one pending check, then failed (06) and the gross amount refunded', async () => {
    const client = createSingapayProvider(config);
    const before = await balance();
    const o = order('081200002222');
    await client.triggerTransfer(o);
    expect(await balance()).toBe(before - 10_500);
    expect((await client.checkTransferStatus(o)).state).toBe('PENDING');
    expect(await client.checkTransferStatus(o)).toMatchObject({
      state: 'FAILED',
      providerStatus: { code: '06', desc: 'Failed' },
      failure: { code: 'TRANSFER_FAILED', providerCode: '06' },
    });
    expect(await balance()).toBe(before);
    expect((await ledgerOf(o.reference))[0]).toMatchObject({ status: '06' });
  });

  test('any other number: one pending check, then success', async () => {
    const client = createSingapayProvider(config);
    const o = order('081234567890');
    await client.triggerTransfer(o);
    expect((await client.checkTransferStatus(o)).state).toBe('PENDING');
    expect((await client.checkTransferStatus(o)).state).toBe('SUCCEEDED');
  });

  test('the same reference twice: DUPLICATE_REFERENCE, one transaction with two trigger calls, one debit', async () => {
    const client = createSingapayProvider(config);
    const before = await balance();
    const o = order('081200000000');
    expect((await client.triggerTransfer(o)).outcome).toBe('ACCEPTED');
    expect(await client.triggerTransfer(o)).toEqual({ outcome: 'DUPLICATE_REFERENCE', providerCode: 'SP004' });
    const entries = await ledgerOf(o.reference);
    expect(entries).toHaveLength(1);
    expect(entries[0]!.triggerCalls).toBe(2);
    expect(await balance()).toBe(before - 10_500);
  });

  test('…8888: REFUSED INSUFFICIENT_BALANCE (SP003), no ledger entry, no debit', async () => {
    const client = createSingapayProvider(config);
    const before = await balance();
    const o = order('081200008888');
    expect(await client.triggerTransfer(o)).toEqual({
      outcome: 'REFUSED',
      failure: { code: 'INSUFFICIENT_BALANCE', message: 'Insufficient Balance', providerCode: 'SP003' },
    });
    expect(await ledgerOf(o.reference)).toHaveLength(0);
    expect(await balance()).toBe(before);
  });

  test('a balance below the gross amount: SP003 for any number', async () => {
    const client = createSingapayProvider(config);
    expect((await control('POST', '/__sim/balance', { value: '10499.00' })).status).toBe(200);
    const o = order('081200000000');
    expect(await client.triggerTransfer(o)).toMatchObject({ outcome: 'REFUSED', failure: { code: 'INSUFFICIENT_BALANCE' } });
    await control('POST', '/__sim/balance', { value: '10500.00' });
    expect(await client.triggerTransfer(o)).toMatchObject({ outcome: 'ACCEPTED' });
    expect(await balance()).toBe(0);
  });

  test('…9999 above its 50000.00 maximum, or any number under 10000.00: REFUSED LIMIT_EXCEEDED (SP006)', async () => {
    const client = createSingapayProvider(config);
    expect(await client.triggerTransfer(order('081200009999', 50_001))).toMatchObject({ outcome: 'REFUSED', failure: { code: 'LIMIT_EXCEEDED', providerCode: 'SP006' } });
    expect(await client.triggerTransfer(order('081200000000', 9_999))).toMatchObject({ outcome: 'REFUSED', failure: { code: 'LIMIT_EXCEEDED', providerCode: 'SP006' } });
    expect(await client.triggerTransfer(order('081200009999', 50_000))).toMatchObject({ outcome: 'ACCEPTED' });
    expect(await ledger()).toHaveLength(1);
  });

  test('…4040 on the trigger: REFUSED SP117, nothing recorded', async () => {
    const client = createSingapayProvider(config);
    const o = order('081200004040');
    expect(await client.triggerTransfer(o)).toMatchObject({ outcome: 'REFUSED', failure: { code: 'BENEFICIARY_NOT_FOUND', providerCode: 'SP117' } });
    expect(await ledger()).toHaveLength(0);
  });

  test('…5003: the first two calls of each operation answer 503 (UNAVAILABLE), the third succeeds', async () => {
    const client = createSingapayProvider(config);
    const o = order('081200005003');
    for (let i = 0; i < 2; i += 1) {
      expect(await callError(client.inquireAccount(o))).toMatchObject({ kind: 'UNAVAILABLE', details: { httpStatus: 503, mayHaveArrived: false } });
    }
    expect((await client.inquireAccount(o)).outcome).toBe('VALID');

    for (let i = 0; i < 2; i += 1) {
      expect(await callError(client.triggerTransfer(o))).toMatchObject({ kind: 'UNAVAILABLE', details: { httpStatus: 503, mayHaveArrived: true } });
    }
    expect(await ledger()).toHaveLength(0); // the 503s moved nothing
    expect((await client.triggerTransfer(o)).outcome).toBe('ACCEPTED');

    for (let i = 0; i < 2; i += 1) expect((await callError(client.checkTransferStatus(o))).kind).toBe('UNAVAILABLE');
    expect((await client.checkTransferStatus(o)).state).toBe('SUCCEEDED');
    expect(await ledgerOf(o.reference)).toEqual([expect.objectContaining({ triggerCalls: 1, status: '00' })]);
  });

  test('…7777: the trigger answer never comes (TIMEOUT, may have arrived), the money moved, status says success', async () => {
    const client = createSingapayProvider(config);
    const before = await balance();
    const o = order('081200007777');
    const started = Date.now();
    const err = await callError(client.triggerTransfer(o));
    expect(err.kind).toBe('TIMEOUT');
    expect(err.details.mayHaveArrived).toBe(true);
    expect(Date.now() - started).toBeLessThan(3_000);
    expect(await ledgerOf(o.reference)).toEqual([expect.objectContaining({ status: '03', triggerCalls: 1 })]);
    expect(await balance()).toBe(before - 10_500);
    expect(await client.checkTransferStatus(o)).toMatchObject({ state: 'SUCCEEDED', recorded: { amount: 10_000 } });
    // Sending it again (as Temporal would) is safe: the duplicate check refuses a second payment.
    expect(await client.triggerTransfer(o)).toMatchObject({ outcome: 'DUPLICATE_REFERENCE' });
    expect(await balance()).toBe(before - 10_500);
  });

  test('an unknown reference: NOT_FOUND (SP009)', async () => {
    const client = createSingapayProvider(config);
    expect(await client.checkTransferStatus(order('081200000000'))).toEqual({ state: 'NOT_FOUND', providerStatus: { code: 'SP009', desc: 'Transaction Not Found' } });
  });

  test('notes: the description cleaned to letters, digits, spaces and "/"', async () => {
    const client = createSingapayProvider(config);
    const o = order('081200000000', 10_000, 'Cashback #12 (Nov/Dec) — thanks!');
    await client.triggerTransfer(o);
    expect((await ledgerOf(o.reference))[0]!.notes).toBe('Cashback 12 Nov/Dec thanks');
    const silent = order('081200000000', 10_000, '!!!');
    await client.triggerTransfer(silent);
    expect((await ledgerOf(silent.reference))[0]!.notes).toBeUndefined();
  });
});

describe('faults', () => {
  test('http503 on status for one call: UNAVAILABLE, then the answer', async () => {
    const client = createSingapayProvider(config);
    const o = order('081200000000');
    await client.triggerTransfer(o);
    expect((await fault({ operation: 'status', mode: 'http503', count: 1 })).status).toBe(201);
    expect(await callError(client.checkTransferStatus(o))).toMatchObject({ kind: 'UNAVAILABLE', details: { httpStatus: 503 } });
    expect((await client.checkTransferStatus(o)).state).toBe('SUCCEEDED');
  });

  test('http500 on the token request: UNAVAILABLE, then a token', async () => {
    const client = createSingapayProvider(config);
    await fault({ operation: 'token', mode: 'http500', count: 1 });
    expect(await callError(client.inquireAccount(order('081200000000')))).toMatchObject({ kind: 'UNAVAILABLE', details: { httpStatus: 500 } });
    expect((await client.inquireAccount(order('081200000000'))).outcome).toBe('VALID');
  });

  test('"any" hits the next call whatever it is; DELETE clears what is left', async () => {
    const client = createSingapayProvider(config);
    await client.getAccessToken();
    await fault({ operation: 'any', mode: 'http503', count: 5 });
    expect((await callError(client.inquireAccount(order('081200000000')))).kind).toBe('UNAVAILABLE');
    expect((await control('DELETE', '/__sim/faults')).status).toBe(200);
    expect((await client.inquireAccount(order('081200000000'))).outcome).toBe('VALID');
  });

  test('accept-then-timeout on the trigger: the money moves, the answer does not come', async () => {
    const client = createSingapayProvider(config);
    await fault({ operation: 'trigger', mode: 'accept-then-timeout', count: 1 });
    const o = order('081200000000');
    expect(await callError(client.triggerTransfer(o))).toMatchObject({ kind: 'TIMEOUT', details: { mayHaveArrived: true } });
    expect(await ledgerOf(o.reference)).toEqual([expect.objectContaining({ triggerCalls: 1 })]);
  });

  test('timeout on the trigger: no answer and no money moved; status says not found', async () => {
    const client = createSingapayProvider(config);
    await fault({ operation: 'trigger', mode: 'timeout', count: 1 });
    const o = order('081200000000');
    expect((await callError(client.triggerTransfer(o))).kind).toBe('TIMEOUT');
    expect(await ledger()).toHaveLength(0);
    expect((await client.checkTransferStatus(o)).state).toBe('NOT_FOUND');
  });

  test('latency delays the answer but it comes', async () => {
    const client = createSingapayProvider({ ...config, timeoutMs: 2_000 });
    await client.getAccessToken();
    await fault({ operation: 'inquiry', mode: 'latency', count: 1, latencyMs: 300 });
    const started = Date.now();
    expect((await client.inquireAccount(order('081200000000'))).outcome).toBe('VALID');
    expect(Date.now() - started).toBeGreaterThanOrEqual(290);
  });

  test.each([
    { operation: 'trigger', mode: 'explode', count: 1 },
    { operation: 'payout', mode: 'http503', count: 1 },
    { operation: 'trigger', mode: 'http503', count: 0 },
    { operation: 'trigger', mode: 'http503' },
  ])('a bad fault body is refused with 400: %j', async (body) => {
    expect((await fault(body)).status).toBe(400);
  });
});

describe('request signature checks (raw requests)', () => {
  async function rawTrigger(mutate: (r: { body: string; headers: Record<string, string>; path: string }) => void) {
    const client = createSingapayProvider(config);
    const token = await client.getAccessToken();
    const reference = `RAW-${Date.now()}-${(seq += 1)}`;
    const body = { account_id: config.accountId, reference_number: reference, ewallet_code: 'DANA', customer_number: '081200000000', amount: { value: '10000.00', currency: 'IDR' } };
    const canonicalBody = canonicalJson(body);
    const timestamp = jakartaTimestamp(new Date());
    const request = {
      path: TRIGGER_PATH,
      body: canonicalBody,
      headers: {
        'content-type': 'application/json',
        authorization: `Bearer ${token}`,
        'x-partner-id': config.apiKey,
        'x-timestamp': timestamp,
        'x-signature': requestSignature(config.clientSecret, { method: 'POST', pathWithQuery: TRIGGER_PATH, accessToken: token, canonicalBody, timestamp }),
      } as Record<string, string>,
    };
    mutate(request);
    const res = await fetch(`${sim.url}${request.path}`, { method: 'POST', headers: request.headers, body: request.body });
    return { status: res.status, json: (await res.json()) as { response_code: string; response_message: string }, reference };
  }

  test('the untouched signed request is accepted (the harness itself is right)', async () => {
    const res = await rawTrigger(() => undefined);
    expect(res).toMatchObject({ status: 200, json: { response_code: 'SP000' } });
    expect(await ledgerOf(res.reference)).toHaveLength(1);
  });

  test('the same body re-serialised (other key order, whitespace) still verifies: the canonical form was signed', async () => {
    const res = await rawTrigger((r) => {
      r.body = JSON.stringify(JSON.parse(r.body) as object, Object.keys(JSON.parse(r.body) as object).reverse().concat(['value', 'currency']), 2);
    });
    expect(res).toMatchObject({ status: 200, json: { response_code: 'SP000' } });
  });

  test('one body byte changed after signing → 401 4019900 (the trigger page), no money moved', async () => {
    const before = await balance();
    const res = await rawTrigger((r) => {
      r.body = r.body.replace('10000.00', '90000.00');
    });
    expect(res).toMatchObject({ status: 401, json: { response_code: '4019900', response_message: expect.stringContaining('Signature') } });
    expect(await ledger()).toHaveLength(0);
    expect(await balance()).toBe(before);
  });

  test('a signature for another path → 401 4019900', async () => {
    const res = await rawTrigger((r) => {
      r.path = `${TRIGGER_PATH}?again=1`;
    });
    expect(res).toMatchObject({ status: 401, json: { response_code: '4019900' } });
  });

  test.each(['x-signature', 'x-timestamp'])('a missing %s header → 400 4019900', async (name) => {
    const res = await rawTrigger((r) => {
      delete r.headers[name];
    });
    expect(res).toMatchObject({ status: 400, json: { response_code: '4019900' } });
    expect(await ledger()).toHaveLength(0);
  });

  test('a timestamp ten minutes off → refused (the client says MISCONFIGURED, 4019900); nothing moved', async () => {
    // Ten minutes off, away from Jakarta midnight: the token's signature carries the Jakarta date, so
    // a clock skewed across midnight is refused at the token (SP016) instead, the run failed at 17:05 UTC.
    const jakartaHour = new Date(Date.now() + 7 * 3_600_000).getUTCHours();
    const skewMs = jakartaHour < 12 ? 10 * 60_000 : -10 * 60_000;
    const client = createSingapayProvider({ ...config, now: () => new Date(Date.now() + skewMs) });
    const err = await callError(client.triggerTransfer(order('081200000000')));
    expect(err).toMatchObject({ kind: 'MISCONFIGURED', details: { providerCode: '4019900', httpStatus: 401, mayHaveArrived: false } });
    expect(await ledger()).toHaveLength(0);
    const raw = await rawTrigger((r) => {
      const timestamp = jakartaTimestamp(new Date(Date.now() + 600_000));
      const token = r.headers.authorization!.slice('Bearer '.length);
      r.headers['x-timestamp'] = timestamp;
      r.headers['x-signature'] = requestSignature(config.clientSecret, { method: 'POST', pathWithQuery: TRIGGER_PATH, accessToken: token, canonicalBody: r.body, timestamp });
    });
    expect(raw).toMatchObject({ status: 401, json: { response_code: '4019900' } });
  });

  test('a timestamp four minutes off is still inside the window', async () => {
    const client = createSingapayProvider({ ...config, now: () => new Date(Date.now() - 4 * 60_000) });
    expect((await client.triggerTransfer(order('081200000000'))).outcome).toBe('ACCEPTED');
  });

  test('X-Timestamp: both forms accepted until the simulator is told one; then Unix seconds is refused while it holds ISO-8601, accepted when it holds Unix seconds', async () => {
    const client = createSingapayProvider({ ...config, timestampFormat: 'unix' });
    const either = order('081200000000');
    expect((await client.triggerTransfer(either)).outcome).toBe('ACCEPTED');
    expect(await ledgerOf(either.reference)).toHaveLength(1);
    await control('POST', '/__sim/reset');
    await control('POST', '/__sim/assumptions', { 'singapay.timestamp-format': 'iso8601' });
    const refused = await callError(client.triggerTransfer(order('081200000000')));
    expect(refused).toMatchObject({ kind: 'MISCONFIGURED', details: { providerCode: '4019900', httpStatus: 401, assumptions: ['singapay.timestamp-format'] } });
    expect(await ledger()).toHaveLength(0);
    await control('POST', '/__sim/assumptions', { 'singapay.timestamp-format': 'unix' });
    const o = order('081200000000');
    expect((await client.triggerTransfer(o)).outcome).toBe('ACCEPTED');
    expect(await ledgerOf(o.reference)).toHaveLength(1);
  });

  test('an unknown bearer token → 401 SP013', async () => {
    const res = await rawTrigger((r) => {
      r.headers.authorization = 'Bearer not-a-token';
    });
    expect(res).toMatchObject({ status: 401, json: { response_code: 'SP013' } });
  });

  test('notes outside the allowed characters → 400 SP018 naming the field', async () => {
    const client = createSingapayProvider(config);
    const token = await client.getAccessToken();
    const body = canonicalJson({
      account_id: config.accountId,
      reference_number: `RAW-notes-${Date.now()}`,
      ewallet_code: 'DANA',
      customer_number: '081200000000',
      amount: { value: '10000.00', currency: 'IDR' },
      notes: 'Refund #1!',
    });
    const timestamp = jakartaTimestamp(new Date());
    const res = await fetch(`${sim.url}${TRIGGER_PATH}`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        authorization: `Bearer ${token}`,
        'x-partner-id': config.apiKey,
        'x-timestamp': timestamp,
        'x-signature': requestSignature(config.clientSecret, { method: 'POST', pathWithQuery: TRIGGER_PATH, accessToken: token, canonicalBody: body, timestamp }),
      },
      body,
    });
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ response_code: 'SP018', data: { errors: [expect.objectContaining({ field: 'notes' })] } });
  });
});

describe('control API', () => {
  test('settle: 404 for an unknown reference, 400 for a bad status, 409 once final', async () => {
    const client = createSingapayProvider(config);
    expect((await settle('NO-SUCH-REF', '00')).status).toBe(404);
    const o = order('081200003333');
    await client.triggerTransfer(o);
    expect((await settle(o.reference, '03')).status).toBe(400);
    expect((await settle(o.reference, '00')).status).toBe(200);
    expect((await settle(o.reference, '06')).status).toBe(409);
  });

  test('…3333 stays pending until settled; settling 04 refunds the gross amount and the client sees FAILED', async () => {
    const client = createSingapayProvider(config);
    const before = await balance();
    const o = order('081200003333');
    await client.triggerTransfer(o);
    for (let i = 0; i < 4; i += 1) expect((await client.checkTransferStatus(o)).state).toBe('PENDING');
    expect(await balance()).toBe(before - 10_500);
    expect((await settle(o.reference, '04')).json).toMatchObject({ status: '04', statusDesc: 'Refunded' });
    expect(await balance()).toBe(before);
    expect(await client.checkTransferStatus(o)).toMatchObject({ state: 'FAILED', failure: { code: 'TRANSFER_REFUNDED', providerCode: '04' } });
  });

  test('balance: POST sets it, GET reads it; reset restores the initial balance and forgets transactions', async () => {
    expect((await control('POST', '/__sim/balance', { value: '123456.00' })).json).toEqual({ value: '123456.00', currency: 'IDR' });
    expect(await balance()).toBe(123_456);
    expect((await control('POST', '/__sim/balance', { value: '12.34' })).status).toBe(400);
    await createSingapayProvider(config).triggerTransfer(order('081200000000'));
    expect(await ledger()).toHaveLength(1);
    await control('POST', '/__sim/reset');
    expect(await balance()).toBe(1_000_000_000);
    expect(await ledger()).toEqual([]);
  });

  test('GET /__sim/calls counts the provider calls by operation; reset zeroes them', async () => {
    const client = createSingapayProvider(config);
    const o = order('081200000000');
    await client.inquireAccount(o);
    await client.triggerTransfer(o);
    await client.checkTransferStatus(o);
    await client.checkTransferStatus(o);
    expect((await control('GET', '/__sim/calls')).json).toEqual({ token: 1, inquiry: 1, trigger: 1, status: 2 });
    await control('POST', '/__sim/reset');
    expect((await control('GET', '/__sim/calls')).json).toEqual({ token: 0, inquiry: 0, trigger: 0, status: 0 });
  });

  test('GET /__sim/calls?since=<ms> adds each call with its arrival time, from then on; reset forgets them', async () => {
    const before = Date.now();
    const client = createSingapayProvider(config);
    const o = order('081200000000');
    await client.inquireAccount(o);
    await client.triggerTransfer(o);
    await fetch(`${sim.url}/api/v2.0/no-such-route`, { method: 'POST' }); // not an operation: not counted
    const timed = (await control('GET', `/__sim/calls?since=${before}`)).json as { times: { operation: string; at: number }[] };
    expect(timed).toEqual({ token: 1, inquiry: 1, trigger: 1, status: 0, times: [expect.any(Object), expect.any(Object), expect.any(Object)] });
    expect(timed.times.map((call) => call.operation)).toEqual(['token', 'inquiry', 'trigger']);
    const times = timed.times.map((call) => call.at);
    expect(times).toEqual([...times].sort((a, b) => a - b));
    expect(times[0]).toBeGreaterThanOrEqual(before);
    expect(times[2]).toBeLessThanOrEqual(Date.now());
    expect(((await control('GET', `/__sim/calls?since=${Date.now() + 60_000}`)).json as { times: unknown[] }).times).toEqual([]);
    expect((await control('GET', '/__sim/calls?since=')).status).toBe(400);
    await control('POST', '/__sim/reset');
    expect((await control('GET', '/__sim/calls?since=0')).json).toEqual({ token: 0, inquiry: 0, trigger: 0, status: 0, times: [] });
  });

  test('settleAfterMs: a number outside the table succeeds on its own after the trigger; table numbers do not', async () => {
    const settling = await startSingapaySimulator({ port: 0, settleAfterMs: 50 });
    try {
      const client = createSingapayProvider({ ...config, baseUrl: settling.url, ...settling.credentials });
      const free = order('081234567890');
      const pending = order('081200003333');
      expect(await client.triggerTransfer(free)).toMatchObject({ outcome: 'ACCEPTED', state: 'PENDING' });
      await client.triggerTransfer(pending);
      await new Promise((r) => setTimeout(r, 300));
      const entries = (await (await fetch(`${settling.url}/__sim/transactions`)).json()) as LedgerEntry[];
      expect(Object.fromEntries(entries.map((e) => [e.reference, e.status]))).toEqual({ [free.reference]: '00', [pending.reference]: '03' });
      expect((await client.checkTransferStatus(free)).state).toBe('SUCCEEDED');
    } finally {
      await settling.close();
    }
  });

  test('unknown control routes answer 404', async () => {
    expect((await control('GET', '/__sim/nothing')).status).toBe(404);
  });

  test('the control API answers loopback callers only (403 from another address)', async () => {
    const address = Object.values(networkInterfaces())
      .flat()
      .find((i) => i && i.family === 'IPv4' && !i.internal)?.address;
    if (!address) return; // no non-loopback interface here: nothing to prove it with
    const open = await startSingapaySimulator({ port: 0, host: '0.0.0.0' });
    try {
      const res = await fetch(`http://${address}:${open.port}/__sim/transactions`);
      expect(res.status).toBe(403);
      expect((await fetch(`${open.url}/__sim/transactions`)).status).toBe(200);
    } finally {
      await open.close();
    }
  });
});

describe('webhooks', () => {
  interface Received {
    path: string;
    headers: IncomingHttpHeaders;
    body: string;
  }
  let receiver: Server;
  let received: Received[];
  let answerWith: number;
  let notificationUrl: string;

  beforeAll(async () => {
    receiver = createServer((req, res) => {
      let body = '';
      req.setEncoding('utf8');
      req.on('data', (chunk: string) => (body += chunk));
      req.on('end', () => {
        received.push({ path: req.url ?? '', headers: req.headers, body });
        res.writeHead(answerWith, { 'content-type': 'application/json' }).end('{}');
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    notificationUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/v1/callbacks/singapay?source=sim`;
  });
  afterAll(async () => {
    await new Promise((resolve) => receiver.close(resolve));
  });
  beforeEach(() => {
    received = [];
    answerWith = 200;
    sim.setNotificationUrl(notificationUrl);
  });
  afterEach(() => {
    sim.setNotificationUrl(undefined);
  });

  test('settling …3333 → SUCCEEDED, and a signed callback arrives that verifies with the client secret', async () => {
    const client = createSingapayProvider(config);
    const o = order('081200003333');
    await client.triggerTransfer(o);
    expect((await client.checkTransferStatus(o)).state).toBe('PENDING');
    expect(received).toHaveLength(0);
    expect((await settle(o.reference, '00')).status).toBe(200);
    expect((await client.checkTransferStatus(o)).state).toBe('SUCCEEDED');
    await eventually(async () => received.length === 1);

    const hook = received[0]!;
    expect(hook.path).toBe('/v1/callbacks/singapay?source=sim');
    expect(hook.headers['x-partner-id']).toBe(config.apiKey);
    expect(hook.headers['x-timestamp']).toMatch(/^\d{10}$/);
    expect(hook.headers.authorization).toMatch(/^Bearer \S+$/);
    expect(verifySingapayCallback(config.clientSecret, { pathWithQuery: hook.path, headers: hook.headers, rawBody: hook.body })).toBe(true);
    expect(verifySingapayCallback('another-secret', { pathWithQuery: hook.path, headers: hook.headers, rawBody: hook.body })).toBe(false);
    expect(JSON.parse(hook.body)).toMatchObject({
      response_code: 'SP000',
      event: 'ewallet-topup',
      data: { reference_number: o.reference, transaction_status: { code: '00', desc: 'Success' }, amount: { value: '10000.00' } },
    });
    expect(await sentCallbacks()).toEqual([expect.objectContaining({ reference: o.reference, status: '00', attempt: 1, httpStatus: 200 })]);
  });

  test('a status check that makes a transfer final sends the callback too (…2222 → 06)', async () => {
    const client = createSingapayProvider(config);
    const o = order('081200002222');
    await client.triggerTransfer(o);
    await client.checkTransferStatus(o);
    expect((await client.checkTransferStatus(o)).state).toBe('FAILED');
    await eventually(async () => received.length === 1);
    expect(JSON.parse(received[0]!.body)).toMatchObject({ data: { reference_number: o.reference, transaction_status: { code: '06' } } });
  });

  test('a non-2xx answer is retried, a bounded number of times', async () => {
    answerWith = 500;
    const client = createSingapayProvider(config);
    const o = order('081200000000');
    await client.triggerTransfer(o);
    await client.checkTransferStatus(o);
    await eventually(async () => (await sentCallbacks()).length === 3);
    await new Promise((r) => setTimeout(r, 1_200)); // longer than the whole backoff: no fourth attempt
    expect((await sentCallbacks()).map((s) => [s.attempt, s.httpStatus])).toEqual([
      [1, 500],
      [2, 500],
      [3, 500],
    ]);
    expect(received).toHaveLength(3);
    expect(received.every((r) => verifySingapayCallback(config.clientSecret, { pathWithQuery: r.path, headers: r.headers, rawBody: r.body }))).toBe(true);
  });

  test('callbacks off: none is sent; on again: they resume', async () => {
    const client = createSingapayProvider(config);
    expect((await control('POST', '/__sim/callbacks', { enabled: false })).json).toMatchObject({ enabled: false });
    expect((await control<{ enabled: boolean; notificationUrl: string }>('GET', '/__sim/callbacks')).json).toMatchObject({ enabled: false, notificationUrl });
    const quiet = order('081200003333');
    await client.triggerTransfer(quiet);
    await settle(quiet.reference, '00');
    await new Promise((r) => setTimeout(r, 300));
    expect(received).toHaveLength(0);
    expect(await sentCallbacks()).toEqual([]);

    await control('POST', '/__sim/callbacks', { enabled: true });
    const loud = order('081200003333');
    await client.triggerTransfer(loud);
    await settle(loud.reference, '00');
    await eventually(async () => received.length === 1);
    expect(JSON.parse(received[0]!.body)).toMatchObject({ data: { reference_number: loud.reference } });
  });

  test('reset turns callbacks back to the start option', async () => {
    await control('POST', '/__sim/callbacks', { enabled: false });
    await control('POST', '/__sim/reset');
    expect((await control<{ enabled: boolean }>('GET', '/__sim/callbacks')).json.enabled).toBe(true);
  });
});

// Answers the simulator never gives (a token refused even after renewal, 429, a non-JSON body,
// SP005, SP001, an unreachable host), from a scripted node:http server: the same real client.
describe('client edge cases against a scripted server', () => {
  type Script = (path: string, body: string) => { status: number; body: string; headers?: Record<string, string> };
  let server: Server;
  let baseUrl: string;
  let script: Script;
  let calls: string[];
  const tokenAnswer = (expiresIn = '216000') => ({
    status: 200,
    body: JSON.stringify({ status: 200, success: true, data: { access_token: `t-${calls.length}`, token_type: 'Bearer', expires_in: expiresIn } }),
  });
  const answer = (status: number, code: string, data?: unknown) => ({ status, body: JSON.stringify({ response_code: code, response_message: code, data }) });

  beforeAll(async () => {
    server = createServer((req, res) => {
      let body = '';
      req.setEncoding('utf8');
      req.on('data', (chunk: string) => (body += chunk));
      req.on('end', () => {
        calls.push(req.url ?? '');
        const out = script(req.url ?? '', body);
        res.writeHead(out.status, { 'content-type': 'application/json', ...out.headers }).end(out.body);
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
  });
  beforeEach(() => {
    calls = [];
  });
  const client = (overrides: Partial<SingapayClientConfig> = {}) => createSingapayProvider({ ...config, baseUrl, ...overrides });
  const isToken = (path: string) => path === '/api/v1.1/access-token/b2b';

  test('a token refused even after renewal: exactly one renewal and one repetition, then UNAUTHORIZED', async () => {
    script = (path) => (isToken(path) ? tokenAnswer() : answer(401, 'SP013'));
    const err = await callError(client().inquireAccount(order('081200000000')));
    expect(err).toMatchObject({ kind: 'UNAUTHORIZED', details: { mayHaveArrived: false, providerCode: 'SP013' } });
    expect(calls).toEqual(['/api/v1.1/access-token/b2b', '/api/v2.0/ewallet/account-inquiry', '/api/v1.1/access-token/b2b', '/api/v2.0/ewallet/account-inquiry']);
  });

  test('401 SP016 on the trigger is not a token problem: no renewal, MISCONFIGURED', async () => {
    script = (path) => (isToken(path) ? tokenAnswer() : answer(401, 'SP016'));
    expect(await callError(client().triggerTransfer(order('081200000000')))).toMatchObject({ kind: 'MISCONFIGURED', details: { mayHaveArrived: false } });
    expect(calls.filter(isToken)).toHaveLength(1);
  });

  test('429 with Retry-After: RATE_LIMITED with the delay', async () => {
    script = (path) => (isToken(path) ? tokenAnswer() : { ...answer(429, 'SP019'), headers: { 'retry-after': '3' } });
    expect(await callError(client().inquireAccount(order('081200000000')))).toMatchObject({ kind: 'RATE_LIMITED', details: { retryAfterMs: 3_000 } });
  });

  test('an answer that is not the envelope: BAD_ANSWER, and a trigger may have arrived', async () => {
    script = (path) => (isToken(path) ? tokenAnswer() : { status: 200, body: '<html>maintenance</html>' });
    expect(await callError(client().triggerTransfer(order('081200000000')))).toMatchObject({ kind: 'BAD_ANSWER', details: { mayHaveArrived: true } });
  });

  test('a 502 on the trigger: UNAVAILABLE that may have arrived', async () => {
    script = (path) => (isToken(path) ? tokenAnswer() : { status: 502, body: 'bad gateway' });
    expect(await callError(client().triggerTransfer(order('081200000000')))).toMatchObject({ kind: 'UNAVAILABLE', details: { httpStatus: 502, mayHaveArrived: true } });
  });

  test('SP005 on status: a retryable UNAVAILABLE, never PENDING or FAILED', async () => {
    script = (path) => (isToken(path) ? tokenAnswer() : answer(200, 'SP005'));
    expect(await callError(client().checkTransferStatus(order('081200000000')))).toMatchObject({ kind: 'UNAVAILABLE', details: { providerCode: 'SP005' } });
  });

  test('SP001 on the trigger: UNKNOWN (ask status)', async () => {
    script = (path) => (isToken(path) ? tokenAnswer() : answer(200, 'SP001'));
    expect(await client().triggerTransfer(order('081200000000'))).toEqual({ outcome: 'UNKNOWN', providerCode: 'SP001', message: 'SP001' });
  });

  test('status 07 in an SP000 answer: NOT_FOUND; an unknown status code: BAD_ANSWER naming the status vocabulary, never PENDING', async () => {
    let code = '07';
    script = (path) => (isToken(path) ? tokenAnswer() : answer(200, 'SP000', { transaction_status: { code, desc: 'x' } }));
    expect((await client().checkTransferStatus(order('081200000000'))).state).toBe('NOT_FOUND');
    code = '42';
    const err = await callError(client().checkTransferStatus(order('081200000000')));
    expect(err).toMatchObject({ kind: 'BAD_ANSWER', details: { assumptions: ['singapay.status-vocabulary'] } });
    expect(err.message).toContain('singapay.status-vocabulary');
  });

  test('the token is cached until shortly before expires_in, then renewed', async () => {
    script = (path) => (isToken(path) ? tokenAnswer('120') : answer(200, 'SP009'));
    let nowMs = Date.now();
    const c = client({ now: () => new Date(nowMs) });
    await c.checkTransferStatus(order('081200000000'));
    nowMs += 50_000;
    await c.checkTransferStatus(order('081200000000'));
    expect(calls.filter(isToken)).toHaveLength(1);
    nowMs += 11_000; // 61 s: within the last minute of a 120 s token
    await c.checkTransferStatus(order('081200000000'));
    expect(calls.filter(isToken)).toHaveLength(2);
  });

  test('nobody listening: UNAVAILABLE, and the request cannot have arrived', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    const err = await callError(client({ baseUrl: `http://127.0.0.1:${port}` }).inquireAccount(order('081200000000')));
    expect(err).toMatchObject({ kind: 'UNAVAILABLE', details: { mayHaveArrived: false } });
  });
});
