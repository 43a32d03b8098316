// Every Singapay assumption (src/providers/singapay/assumptions.ts), both ways, over real loopback
// HTTP: the real client against the real simulator told to hold one reading or the other
// (POST /__sim/assumptions). With the matching setting a payout's calls work; with the other one
// the test shows the provider's symptom (a 401 4019900, a 404 SP014, a status in words, another
// amount in the ledger) and the client's error names the assumption. Then the go-live check against
// the simulator: all confirmed, and after flipping each switch exactly that assumption refuted.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ProviderCallError, type AssumptionVerdict, type TransferOrder } from '../../src/domain/provider-port';
import { createSingapayProvider, type SingapayClientConfig } from '../../src/providers/singapay/client';
import { DEFAULT_SINGAPAY_ASSUMPTIONS, SINGAPAY_ASSUMPTIONS, type SingapayAssumptionSettings } from '../../src/providers/singapay/assumptions';
import { checkSingapayAssumptions } from '../../src/providers/singapay/go-live';
import { startSingapaySimulator, type SingapaySimulator } from '../../src/simulators/singapay';
import { callError } from '../support/provider-errors';

interface Money {
  value: string;
  currency: string;
}
interface LedgerEntry {
  reference: string;
  amount: Money;
  fee: Money;
  grossAmount: Money;
  status: string;
  triggerCalls: number;
}

let sim: SingapaySimulator;
let config: SingapayClientConfig;
beforeAll(async () => {
  sim = await startSingapaySimulator({ port: 0 });
  config = { baseUrl: sim.url, ...sim.credentials, timeoutMs: 1_000 };
});
afterAll(async () => {
  await sim?.close();
});
beforeEach(async () => {
  await control('POST', '/__sim/reset');
});

let seq = 0;
function order(customerNumber = '081200000000', amount = 20_000): TransferOrder {
  seq += 1;
  return { reference: `AS-${Date.now().toString(36)}-${seq}`, destination: { type: 'EWALLET', ewallet: 'DANA', customerNumber }, amount, description: 'Assumption test' };
}

async function control<T = unknown>(method: string, path: string, body?: unknown): Promise<{ status: number; json: T }> {
  const res = await fetch(`${sim.url}${path}`, {
    method,
    headers: { 'content-type': 'application/json' },
    ...(body !== undefined && { body: JSON.stringify(body) }),
  });
  return { status: res.status, json: (await res.json()) as T };
}
const hold = (held: Record<string, string>) => control<Record<string, string>>('POST', '/__sim/assumptions', held);
const ledgerOf = async (reference: string) => (await control<LedgerEntry[]>('GET', '/__sim/transactions')).json.filter((t) => t.reference === reference);
const tokensIssued = async () => (await control<{ issued: number }>('GET', '/__sim/tokens')).json.issued;
const client = (assumptions: Partial<SingapayAssumptionSettings> = {}) => createSingapayProvider({ ...config, assumptions });


/** The error names exactly this assumption, in its details and its message. */
function expectBlames(err: ProviderCallError, id: string): void {
  expect(err.details.assumptions).toEqual([id]);
  expect(err.message).toContain(id);
}

const DEFAULTS_BY_ID = {
  'singapay.status-vocabulary': 'codes',
  'singapay.trigger-amount': 'net',
  'singapay.timestamp-format': 'iso8601',
  'singapay.status-path': 'account-in-path',
};

describe('control API: /__sim/assumptions', () => {
  test('GET: the values held, by id; the defaults are the client’s', async () => {
    expect(await control('GET', '/__sim/assumptions')).toEqual({ status: 200, json: DEFAULTS_BY_ID });
    expect(Object.keys(DEFAULTS_BY_ID)).toEqual(SINGAPAY_ASSUMPTIONS.map((a) => a.id));
    expect(SINGAPAY_ASSUMPTIONS.map((a) => a.setting.default)).toEqual(Object.values(DEFAULTS_BY_ID));
    expect(createSingapayProvider(config).assumptions).toEqual(DEFAULT_SINGAPAY_ASSUMPTIONS);
  });

  test('POST: partial; unknown ids and values are a 400 that changes nothing; reset restores the defaults', async () => {
    expect(await hold({ 'singapay.status-vocabulary': 'words' })).toEqual({ status: 200, json: { ...DEFAULTS_BY_ID, 'singapay.status-vocabulary': 'words' } });
    const unknownId = await hold({ 'singapay.nothing': 'x' });
    expect(unknownId.status).toBe(400);
    expect(JSON.stringify(unknownId.json)).toContain('singapay.nothing');
    const badValue = await hold({ 'singapay.trigger-amount': 'gross', 'singapay.timestamp-format': 'rfc2822' });
    expect(badValue.status).toBe(400);
    expect(JSON.stringify(badValue.json)).toContain('iso8601, unix');
    expect((await control<Record<string, string>>('GET', '/__sim/assumptions')).json['singapay.trigger-amount']).toBe('net');
    expect((await control('POST', '/__sim/assumptions', ['x'])).status).toBe(400);
    await control('POST', '/__sim/reset');
    expect((await control('GET', '/__sim/assumptions')).json).toEqual(DEFAULTS_BY_ID);
  });

  test('a simulator started holding other values: GET shows them, reset returns to them', async () => {
    const other = await startSingapaySimulator({ port: 0, assumptions: { timestampFormat: 'unix' } });
    try {
      const get = async () => (await (await fetch(`${other.url}/__sim/assumptions`)).json()) as Record<string, string>;
      expect((await get())['singapay.timestamp-format']).toBe('unix');
      await fetch(`${other.url}/__sim/assumptions`, { method: 'POST', body: JSON.stringify({ 'singapay.timestamp-format': 'iso8601' }) });
      await fetch(`${other.url}/__sim/reset`, { method: 'POST' });
      expect((await get())['singapay.timestamp-format']).toBe('unix');
    } finally {
      await other.close();
    }
  });
});

describe('singapay.status-vocabulary', () => {
  test('words held and assumed: the transfer is read pending, then succeeded', async () => {
    await hold({ 'singapay.status-vocabulary': 'words' });
    const c = client({ statusVocabulary: 'words' });
    const o = order();
    expect(await c.triggerTransfer(o)).toMatchObject({ outcome: 'ACCEPTED', state: 'PENDING', providerStatus: { code: 'pending' } });
    expect(await c.checkTransferStatus(o)).toMatchObject({ state: 'SUCCEEDED', providerStatus: { code: 'success' }, recorded: { amount: 20_000 } });
  });

  test('words held and …2222: failed in words is a failure', async () => {
    await hold({ 'singapay.status-vocabulary': 'words' });
    const c = client({ statusVocabulary: 'words' });
    const o = order('081200002222');
    await c.triggerTransfer(o);
    expect((await c.checkTransferStatus(o)).state).toBe('PENDING');
    expect(await c.checkTransferStatus(o)).toMatchObject({ state: 'FAILED', failure: { code: 'TRANSFER_FAILED' } });
  });

  test('words held, codes assumed: the provider answers "pending"/"success"; the client never takes it as pending: BAD_ANSWER naming the assumption', async () => {
    await hold({ 'singapay.status-vocabulary': 'words' });
    const c = client();
    const o = order();
    const onTrigger = await callError(c.triggerTransfer(o));
    expect(onTrigger).toMatchObject({ kind: 'BAD_ANSWER', details: { mayHaveArrived: true } });
    expectBlames(onTrigger, 'singapay.status-vocabulary');
    expect(onTrigger.message).toContain('"pending"');
    expect(await ledgerOf(o.reference)).toHaveLength(1); // the money moved: only the answer was unreadable
    const onStatus = await callError(c.checkTransferStatus(o));
    expectBlames(onStatus, 'singapay.status-vocabulary');
    expect(onStatus.message).toContain('"success"');
  });

  test('codes held, words assumed: "03" is not a word either', async () => {
    const err = await callError(client({ statusVocabulary: 'words' }).triggerTransfer(order()));
    expect(err.kind).toBe('BAD_ANSWER');
    expectBlames(err, 'singapay.status-vocabulary');
    expect(err.message).toContain('"03"');
  });
});

describe('singapay.trigger-amount', () => {
  test.each([
    ['net', 20_000],
    ['gross', 20_500],
  ] as const)('%s held and assumed: %d sent, the beneficiary receives 20000.00, 20500.00 is debited', async (reading, sent) => {
    await hold({ 'singapay.trigger-amount': reading });
    const c = client({ triggerAmount: reading });
    const o = order();
    expect(await c.triggerTransfer(o)).toMatchObject({ outcome: 'ACCEPTED', state: 'PENDING' });
    expect(await ledgerOf(o.reference)).toEqual([
      expect.objectContaining({ amount: { value: '20000.00', currency: 'IDR' }, fee: { value: '500.00', currency: 'IDR' }, grossAmount: { value: '20500.00', currency: 'IDR' } }),
    ]);
    expect(await c.checkTransferStatus(o)).toMatchObject({ state: 'SUCCEEDED', recorded: { amount: 20_000 } });
    expect(sent).toBe(reading === 'net' ? o.amount : o.amount + 500);
  });

  test('gross held, net assumed: the fee comes out of the beneficiary’s amount (ledger 19500.00 / 20000.00); the trigger is a BAD_ANSWER naming the assumption', async () => {
    await hold({ 'singapay.trigger-amount': 'gross' });
    const c = client();
    const o = order();
    const err = await callError(c.triggerTransfer(o));
    expect(err).toMatchObject({ kind: 'BAD_ANSWER', details: { mayHaveArrived: true } });
    expectBlames(err, 'singapay.trigger-amount');
    expect(await ledgerOf(o.reference)).toEqual([expect.objectContaining({ amount: { value: '19500.00', currency: 'IDR' }, grossAmount: { value: '20000.00', currency: 'IDR' } })]);
    // The status check reports what the provider holds, so the payout stops for an operator (a record that is not ours).
    expect(await c.checkTransferStatus(o)).toMatchObject({ recorded: { amount: 19_500 } });
  });

  test('net held, gross assumed: the fee is paid twice (ledger 20500.00 / 21000.00); BAD_ANSWER naming the assumption', async () => {
    const c = client({ triggerAmount: 'gross' });
    const o = order();
    const err = await callError(c.triggerTransfer(o));
    expectBlames(err, 'singapay.trigger-amount');
    expect(await ledgerOf(o.reference)).toEqual([expect.objectContaining({ amount: { value: '20500.00', currency: 'IDR' }, grossAmount: { value: '21000.00', currency: 'IDR' } })]);
  });

  test('gross assumed: a beneficiary the inquiry refuses is refused before any trigger', async () => {
    await hold({ 'singapay.trigger-amount': 'gross' });
    const o = order('081200004040');
    expect(await client({ triggerAmount: 'gross' }).triggerTransfer(o)).toMatchObject({ outcome: 'REFUSED', failure: { code: 'BENEFICIARY_NOT_FOUND' } });
    expect((await control<{ trigger: number }>('GET', '/__sim/calls')).json.trigger).toBe(0);
  });
});

describe('singapay.timestamp-format', () => {
  test('Unix seconds held and assumed: the trigger is accepted', async () => {
    await hold({ 'singapay.timestamp-format': 'unix' });
    const c = client({ timestampFormat: 'unix' });
    const o = order();
    expect((await c.triggerTransfer(o)).outcome).toBe('ACCEPTED');
    expect((await c.checkTransferStatus(o)).state).toBe('SUCCEEDED');
  });

  test.each([
    ['unix', 'iso8601'],
    ['iso8601', 'unix'],
  ] as const)('%s held, %s sent: 401 4019900, MISCONFIGURED naming the assumption, no token renewal, nothing moved', async (held, sent) => {
    await hold({ 'singapay.timestamp-format': held });
    const o = order();
    const err = await callError(client({ timestampFormat: sent }).triggerTransfer(o));
    expect(err).toMatchObject({ kind: 'MISCONFIGURED', details: { httpStatus: 401, providerCode: '4019900', mayHaveArrived: false } });
    expectBlames(err, 'singapay.timestamp-format');
    expect(await tokensIssued()).toBe(1);
    expect(await ledgerOf(o.reference)).toEqual([]);
  });

  test('the older client option timestampFormat still switches it; assumptions win over it', async () => {
    await hold({ 'singapay.timestamp-format': 'unix' });
    expect((await createSingapayProvider({ ...config, timestampFormat: 'unix' }).triggerTransfer(order())).outcome).toBe('ACCEPTED');
    expect(createSingapayProvider({ ...config, timestampFormat: 'unix', assumptions: { timestampFormat: 'iso8601' } }).assumptions.timestampFormat).toBe('iso8601');
  });
});

describe('singapay.status-path', () => {
  test('account id in the body held and assumed: status works', async () => {
    await hold({ 'singapay.status-path': 'account-in-body' });
    const c = client({ statusPath: 'account-in-body' });
    const o = order();
    expect(await c.checkTransferStatus(o)).toMatchObject({ state: 'NOT_FOUND', providerStatus: { code: 'SP009' } });
    await c.triggerTransfer(o);
    expect(await c.checkTransferStatus(o)).toMatchObject({ state: 'SUCCEEDED', recorded: { amount: 20_000 } });
  });

  test.each([
    ['account-in-body', 'account-in-path'],
    ['account-in-path', 'account-in-body'],
  ] as const)('%s held, %s assumed: 404 SP014, MISCONFIGURED naming the assumption, never "not found"', async (held, assumed) => {
    await hold({ 'singapay.status-path': held });
    const err = await callError(client({ statusPath: assumed }).checkTransferStatus(order()));
    expect(err).toMatchObject({ kind: 'MISCONFIGURED', details: { httpStatus: 404, providerCode: 'SP014' } });
    expectBlames(err, 'singapay.status-path');
  });
});

// The trigger page's 4019900, as a provider that answers it for a missing header (400) or a refused
// signature (401) would: from a scripted server, since the simulator does not refuse its own client.
describe('4019900 from a scripted server', () => {
  let server: Server;
  let baseUrl: string;
  let answer: { status: number; code: string };
  let calls: string[];
  beforeAll(async () => {
    server = createServer((req, res) => {
      req.resume();
      req.on('end', () => {
        calls.push(req.url ?? '');
        const body =
          req.url === '/api/v1.1/access-token/b2b'
            ? { status: 200, success: true, data: { access_token: `t-${calls.length}`, token_type: 'Bearer', expires_in: '216000' } }
            : { response_code: answer.code, response_message: 'Unauthorized' };
        res.writeHead(req.url === '/api/v1.1/access-token/b2b' ? 200 : answer.status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
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

  test.each([401, 400])('HTTP %d 4019900 on the trigger: MISCONFIGURED naming the timestamp form, no token renewal, never "outcome unknown"', async (status) => {
    answer = { status, code: '4019900' };
    const err = await callError(createSingapayProvider({ ...config, baseUrl }).triggerTransfer(order()));
    expect(err).toMatchObject({ kind: 'MISCONFIGURED', details: { httpStatus: status, providerCode: '4019900', mayHaveArrived: false } });
    expectBlames(err, 'singapay.timestamp-format');
    expect(calls.filter((c) => c.includes('access-token'))).toHaveLength(1);
  });

  test('4019900 on an unsigned call: MISCONFIGURED, no assumption blamed', async () => {
    answer = { status: 400, code: '4019900' };
    const err = await callError(createSingapayProvider({ ...config, baseUrl }).inquireAccount(order()));
    expect(err).toMatchObject({ kind: 'MISCONFIGURED' });
    expect(err.details.assumptions).toBeUndefined();
  });
});

describe('go-live check against the simulator', () => {
  const byId = (verdicts: AssumptionVerdict[]) => Object.fromEntries(verdicts.map((v) => [v.assumption, v.verdict]));
  const noSecrets = (verdicts: AssumptionVerdict[]) => {
    const text = JSON.stringify(verdicts);
    expect(text).not.toContain(config.clientSecret);
    expect(text).not.toMatch(/[0-9a-f]{64,}/); // no signature
    expect(text).not.toMatch(/Bearer/);
  };

  test('read-only: the status path confirmed, the transfer-only ones untested (and why); nothing moved', async () => {
    const verdicts = await checkSingapayAssumptions(config, { transfer: false });
    expect(verdicts.map((v) => v.assumption)).toEqual(SINGAPAY_ASSUMPTIONS.map((a) => a.id));
    for (const v of verdicts) {
      const assumption = SINGAPAY_ASSUMPTIONS.find((a) => a.id === v.assumption)!;
      expect(v.verdict).toBe(assumption.settledBy === 'read' ? 'confirmed' : 'untested');
      if (v.verdict === 'untested') expect(v.evidence).toContain('only a transfer');
    }
    expect(verdicts.find((v) => v.assumption === 'singapay.status-path')!.evidence).toContain('SP009');
    expect((await control<unknown[]>('GET', '/__sim/transactions')).json).toEqual([]);
    noSecrets(verdicts);
  });

  test('with a transfer: all confirmed; one transfer of min_amount + fee to the sandbox number', async () => {
    const verdicts = await checkSingapayAssumptions(config, { transfer: true });
    expect(byId(verdicts)).toEqual(Object.fromEntries(SINGAPAY_ASSUMPTIONS.map((a) => [a.id, 'confirmed'])));
    const rows = (await control<(LedgerEntry & { destination: { customerNumber: string } })[]>('GET', '/__sim/transactions')).json;
    expect(rows).toEqual([expect.objectContaining({ amount: { value: '10500.00', currency: 'IDR' }, destination: expect.objectContaining({ customerNumber: '62811742234' }) })]);
    noSecrets(verdicts);
  });

  test('a client configured the other way round, against a simulator that holds the same: all confirmed', async () => {
    await hold({ 'singapay.status-vocabulary': 'words', 'singapay.trigger-amount': 'gross', 'singapay.timestamp-format': 'unix', 'singapay.status-path': 'account-in-body' });
    const verdicts = await checkSingapayAssumptions(
      { ...config, assumptions: { statusVocabulary: 'words', triggerAmount: 'gross', timestampFormat: 'unix', statusPath: 'account-in-body' } },
      { transfer: true },
    );
    expect(byId(verdicts)).toEqual(Object.fromEntries(SINGAPAY_ASSUMPTIONS.map((a) => [a.id, 'confirmed'])));
  });

  const FLIPS: [string, string, RegExp][] = [
    ['singapay.status-vocabulary', 'words', /not in codes but in words: trigger: "pending"/],
    ['singapay.trigger-amount', 'gross', /net 10000\.00/],
    ['singapay.timestamp-format', 'unix', /HTTP 401 4019900/],
    ['singapay.status-path', 'account-in-body', /HTTP 404 SP014/],
  ];
  test.each(FLIPS)('the simulator holding %s = %s: exactly that one refuted, with the provider’s answer', async (id, value, evidence) => {
    await hold({ [id]: value });
    const verdicts = await checkSingapayAssumptions(config, { transfer: true });
    expect(byId(verdicts)).toEqual(Object.fromEntries(SINGAPAY_ASSUMPTIONS.map((a) => [a.id, a.id === id ? 'refuted' : 'confirmed'])));
    expect(verdicts.find((v) => v.assumption === id)!.evidence).toMatch(evidence);
    expect((await control<unknown[]>('GET', '/__sim/transactions')).json).toHaveLength(1);
    noSecrets(verdicts);
  });

  test('read-only with the status path flipped: refuted without moving money', async () => {
    await hold({ 'singapay.status-path': 'account-in-body' });
    const verdicts = await checkSingapayAssumptions(config, { transfer: false });
    expect(byId(verdicts)['singapay.status-path']).toBe('refuted');
    expect((await control<unknown[]>('GET', '/__sim/transactions')).json).toEqual([]);
  });

  test('wrong credentials: every assumption untested, saying why', async () => {
    const verdicts = await checkSingapayAssumptions({ ...config, clientSecret: 'wrong-secret' }, { transfer: true });
    expect(verdicts.map((v) => v.verdict)).toEqual(SINGAPAY_ASSUMPTIONS.map(() => 'untested'));
    expect(verdicts[0]!.evidence).toContain('no access token');
    expect(JSON.stringify(verdicts)).not.toContain('wrong-secret');
  });
});
