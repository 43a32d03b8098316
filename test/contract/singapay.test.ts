// Our real Singapay client against the real simulator over loopback HTTP: tokens, signatures,
// codes and scenarios as providers.md and simulators.md describe them. No fetch is stubbed.
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createSingapayProvider, type SingapayClientConfig } from '../../src/providers/singapay';
import { canonicalJson } from '../../src/providers/singapay/canonical-json';
import { jakartaTimestamp, requestSignature, verifyRequestSignature } from '../../src/providers/singapay/signature';
import { ProviderCallError, type TransferOrder } from '../../src/providers/types';
import { startSingapaySimulator, type SingapaySimulator } from '../../src/simulators/singapay';

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
function order(customerNumber: string, amount = 10_000): TransferOrder {
  seq += 1;
  return { reference: `CT-${Date.now().toString(36)}-${seq}`, destination: { type: 'EWALLET', ewallet: 'DANA', customerNumber }, amount, description: 'Contract test' };
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
const ledgerOf = async (reference: string) => ((await control('GET', '/__sim/transactions')).json as Loose[]).filter((t) => t.reference === reference);
const balance = async () => (await control('GET', '/__sim/balance')).json.value as string;
async function callError(promise: Promise<unknown>): Promise<ProviderCallError> {
  const err = await promise.then(() => undefined, (e: unknown) => e);
  expect(err).toBeInstanceOf(ProviderCallError);
  return err as ProviderCallError;
}

describe('access token', () => {
  test('fetched once and cached across calls', async () => {
    const client = createSingapayProvider(config);
    const first = await client.getAccessToken();
    await client.inquireAccount(order('081200000000'));
    await client.inquireAccount(order('081200000000'));
    expect(await client.getAccessToken()).toBe(first);
  });

  test('a forgotten token (401 SP013) is renewed once and the call repeated', async () => {
    const client = createSingapayProvider(config);
    const first = await client.getAccessToken();
    await control('POST', '/__sim/reset'); // the simulator forgets every token
    const result = await client.inquireAccount(order('081200000000'));
    expect(result.outcome).toBe('VALID');
    expect(await client.getAccessToken()).not.toBe(first);
  });

  test('wrong credentials: UNAUTHORIZED, not retried forever', async () => {
    const client = createSingapayProvider({ ...config, clientSecret: 'wrong' });
    const err = await callError(client.inquireAccount(order('081200000000')));
    expect(err.kind).toBe('UNAUTHORIZED');
  });
});

describe('account inquiry', () => {
  test('the seed number is a valid DANA account with fee and gross amount', async () => {
    const client = createSingapayProvider(config);
    const result = await client.inquireAccount(order('62811742234'));
    expect(result).toEqual({ outcome: 'VALID', accountName: 'Dhany', amount: 10_000, fee: 500, grossAmount: 10_500, minAmount: 10_000, maxAmount: 2_000_000 });
  });

  test('…4040 is refused with SP117; …9999 has max 50000.00', async () => {
    const client = createSingapayProvider(config);
    expect(await client.inquireAccount(order('081200004040'))).toMatchObject({ outcome: 'REFUSED', failure: { code: 'BENEFICIARY_NOT_FOUND', providerCode: 'SP117' } });
    expect(await client.inquireAccount(order('081200009999'))).toMatchObject({ outcome: 'VALID', maxAmount: 50_000 });
  });

  test('…5003: two 503s (retryable), then an answer', async () => {
    const client = createSingapayProvider(config);
    for (let i = 0; i < 2; i += 1) expect((await callError(client.inquireAccount(order('081200005003')))).kind).toBe('UNAVAILABLE');
    expect((await client.inquireAccount(order('081200005003'))).outcome).toBe('VALID');
  });
});

describe('trigger and status', () => {
  test('…0000: accepted pending, then success at the first status check; the gross amount is debited', async () => {
    const client = createSingapayProvider(config);
    const before = Number(await balance());
    const o = order('081200000000');
    const accepted = await client.triggerTransfer(o);
    expect(accepted).toMatchObject({ outcome: 'ACCEPTED', state: 'PENDING', providerStatus: { code: '03' } });
    expect(Number(await balance())).toBe(before - 10_500);
    const status = await client.checkTransferStatus(o);
    expect(status).toMatchObject({ state: 'SUCCEEDED', providerStatus: { code: '00' }, recorded: { amount: 10_000, accountNumber: '081200000000' } });
  });

  test('…1111: pending for three checks, then success', async () => {
    const client = createSingapayProvider(config);
    const o = order('081200001111');
    await client.triggerTransfer(o);
    const states = [];
    for (let i = 0; i < 4; i += 1) states.push((await client.checkTransferStatus(o)).state);
    expect(states).toEqual(['PENDING', 'PENDING', 'PENDING', 'SUCCEEDED']);
  });

  test('…2222: one pending check, then failed (06) and the gross amount refunded', async () => {
    const client = createSingapayProvider(config);
    const before = await balance();
    const o = order('081200002222');
    await client.triggerTransfer(o);
    expect((await client.checkTransferStatus(o)).state).toBe('PENDING');
    expect(await client.checkTransferStatus(o)).toMatchObject({ state: 'FAILED', failure: { code: 'TRANSFER_FAILED', providerCode: '06' } });
    expect(await balance()).toBe(before);
  });

  test('the same reference twice: DUPLICATE_REFERENCE, one transaction with two trigger calls', async () => {
    const client = createSingapayProvider(config);
    const o = order('081200000000');
    expect((await client.triggerTransfer(o)).outcome).toBe('ACCEPTED');
    expect(await client.triggerTransfer(o)).toEqual({ outcome: 'DUPLICATE_REFERENCE', providerCode: 'SP004' });
    const entries = await ledgerOf(o.reference);
    expect(entries).toHaveLength(1);
    expect(entries[0].triggerCalls).toBe(2);
  });

  test('…8888: refused for insufficient balance, nothing debited', async () => {
    const client = createSingapayProvider(config);
    const before = await balance();
    const o = order('081200008888');
    expect(await client.triggerTransfer(o)).toMatchObject({ outcome: 'REFUSED', failure: { code: 'INSUFFICIENT_BALANCE', providerCode: 'SP003' } });
    expect(await ledgerOf(o.reference)).toHaveLength(0);
    expect(await balance()).toBe(before);
  });

  test('…7777: the answer is lost (TIMEOUT, may have arrived) but the money moved; status says success', async () => {
    const client = createSingapayProvider(config);
    const o = order('081200007777');
    const err = await callError(client.triggerTransfer(o));
    expect(err.kind).toBe('TIMEOUT');
    expect(err.details.mayHaveArrived).toBe(true);
    expect(await ledgerOf(o.reference)).toHaveLength(1);
    expect((await client.checkTransferStatus(o)).state).toBe('SUCCEEDED');
  });

  test('an unknown reference: status NOT_FOUND', async () => {
    const client = createSingapayProvider(config);
    expect((await client.checkTransferStatus(order('081200000000'))).state).toBe('NOT_FOUND');
  });

  test('faults: one 503 on status, then the answer', async () => {
    const client = createSingapayProvider(config);
    const o = order('081200000000');
    await client.triggerTransfer(o);
    expect((await control('POST', '/__sim/faults', { operation: 'status', mode: 'http503', count: 1 })).status).toBe(201);
    expect((await callError(client.checkTransferStatus(o))).kind).toBe('UNAVAILABLE');
    expect((await client.checkTransferStatus(o)).state).toBe('SUCCEEDED');
  });

  test('accept-then-timeout fault: the money moves, the answer does not come', async () => {
    const client = createSingapayProvider(config);
    await control('POST', '/__sim/faults', { operation: 'trigger', mode: 'accept-then-timeout', count: 1 });
    const o = order('081200000000');
    expect((await callError(client.triggerTransfer(o))).kind).toBe('TIMEOUT');
    expect(await ledgerOf(o.reference)).toHaveLength(1);
  });

  test('a bad fault body is refused with 400', async () => {
    expect((await control('POST', '/__sim/faults', { operation: 'trigger', mode: 'explode', count: 1 })).status).toBe(400);
  });
});

describe('request signature checks', () => {
  async function rawTrigger(mutate: (r: { body: string; headers: Record<string, string> }) => void) {
    const client = createSingapayProvider(config);
    const token = await client.getAccessToken();
    const body = { account_id: config.accountId, reference_number: `RAW-${Date.now()}`, ewallet_code: 'DANA', customer_number: '081200000000', amount: { value: '10000.00', currency: 'IDR' } };
    const canonicalBody = canonicalJson(body);
    const timestamp = jakartaTimestamp(new Date());
    const path = '/api/v2.0/ewallet/trigger-topup';
    const request = {
      body: canonicalBody,
      headers: {
        'content-type': 'application/json',
        authorization: `Bearer ${token}`,
        'x-partner-id': config.apiKey,
        'x-timestamp': timestamp,
        'x-signature': requestSignature(config.clientSecret, { method: 'POST', pathWithQuery: path, accessToken: token, canonicalBody, timestamp }),
      } as Record<string, string>,
    };
    mutate(request);
    const res = await fetch(`${sim.url}${path}`, { method: 'POST', headers: request.headers, body: request.body });
    return { status: res.status, json: (await res.json()) as { response_code: string } };
  }

  test('the untouched signed request is accepted (the harness itself is right)', async () => {
    expect((await rawTrigger(() => undefined)).json.response_code).toBe('SP000');
  });

  test('one body byte changed after signing → 401 SP016, no money moved', async () => {
    const res = await rawTrigger((r) => {
      r.body = r.body.replace('10000.00', '90000.00');
    });
    expect(res).toEqual({ status: 401, json: expect.objectContaining({ response_code: 'SP016' }) });
  });

  test('a timestamp ten minutes off → refused; Unix seconds are accepted', async () => {
    const client = createSingapayProvider({ ...config, now: () => new Date(Date.now() - 10 * 60_000) });
    expect((await callError(client.triggerTransfer(order('081200000000')))).kind).toBe('MISCONFIGURED');
    const unix = createSingapayProvider({ ...config, timestampFormat: 'unix' });
    expect((await unix.triggerTransfer(order('081200000000'))).outcome).toBe('ACCEPTED');
  });

  test('a missing signature header → 400', async () => {
    const res = await rawTrigger((r) => {
      delete r.headers['x-signature'];
    });
    expect(res.status).toBe(400);
  });
});

describe('webhooks', () => {
  test('settling a …3333 transfer posts a signed callback that verifies; with callbacks off none is sent', async () => {
    const received: { path: string; headers: IncomingMessage['headers']; body: string }[] = [];
    const receiver = createServer((req, res) => {
      let body = '';
      req.on('data', (c) => (body += c));
      req.on('end', () => {
        received.push({ path: req.url ?? '', headers: req.headers, body });
        res.end('{}');
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/v1/callbacks/singapay`;
    sim.setNotificationUrl(url);
    try {
      const client = createSingapayProvider(config);
      const o = order('081200003333');
      await client.triggerTransfer(o);
      expect((await client.checkTransferStatus(o)).state).toBe('PENDING');
      expect((await control('POST', `/__sim/transactions/${o.reference}/settle`, { status: '00' })).status).toBe(200);
      for (let i = 0; i < 50 && received.length === 0; i += 1) await new Promise((r) => setTimeout(r, 50));
      expect(received).toHaveLength(1);
      const hook = received[0]!;
      const token = /^Bearer (.+)$/.exec(String(hook.headers.authorization))![1]!;
      const ok = verifyRequestSignature(config.clientSecret, {
        method: 'POST',
        pathWithQuery: hook.path,
        accessToken: token,
        timestamp: String(hook.headers['x-timestamp']),
        rawBody: hook.body,
        signature: String(hook.headers['x-signature']),
      });
      expect(ok).toBe(true);
      expect(JSON.parse(hook.body)).toMatchObject({ event: 'ewallet-topup', data: { reference_number: o.reference, transaction_status: { code: '00' } } });
      expect((await control('POST', `/__sim/transactions/${o.reference}/settle`, { status: '06' })).status).toBe(409);

      await control('POST', '/__sim/callbacks', { enabled: false });
      const quiet = order('081200003333');
      await client.triggerTransfer(quiet);
      await control('POST', `/__sim/transactions/${quiet.reference}/settle`, { status: '00' });
      await new Promise((r) => setTimeout(r, 300));
      expect(received).toHaveLength(1);
    } finally {
      sim.setNotificationUrl(undefined);
      await new Promise((resolve) => receiver.close(resolve));
    }
  });
});
