// Every Faspay assumption (src/providers/faspay/assumptions.ts), both ways, over real loopback HTTP:
// with the simulator holding what the client assumes, the flow works; told the other value
// (POST /__sim/assumptions), it behaves as the real provider would in that world, and the client's
// error names the assumption. Then the go-live check against the simulator: all confirmed, and with
// each switch flipped in turn, exactly that assumption refuted.
import { toActivityFailure } from '../../activities/failures';
import type { AssumptionVerdict, TransferOrder } from '../../src/domain/provider-port';
import type { Destination } from '../../src/domain/payout';
import { createFaspayProvider, type FaspayClientConfig, type FaspayProvider } from '../../src/providers/faspay/client';
import {
  DEFAULT_FASPAY_ASSUMPTIONS,
  describeAssumptions,
  FASPAY_ASSUMPTIONS,
  FASPAY_ASSUMPTION_IDS as IDS,
  type FaspayAssumptionSettings,
} from '../../src/providers/faspay/assumptions';
import { checkFaspayAssumptions, type FaspayGoLiveOptions } from '../../src/providers/faspay/go-live';
import { findPayoutEntries } from '../../src/providers/faspay/history';
import { startFaspaySimulator, type FaspaySimulator } from '../../src/simulators/faspay';
import { callError } from '../support/provider-errors';

let sim: FaspaySimulator;
let config: FaspayClientConfig;
let client: FaspayProvider;
beforeAll(async () => {
  sim = await startFaspaySimulator({ port: 0, callbacks: false });
  config = {
    baseUrl: sim.url,
    partnerId: sim.credentials.partnerId,
    privateKeyPem: sim.credentials.merchantPrivateKeyPem,
    sourceAccount: sim.credentials.sourceAccount,
    timeoutMs: 2_000,
  };
  client = createFaspayProvider(config);
});
afterAll(async () => {
  await sim?.close();
});
beforeEach(async () => {
  await control('POST', '/__sim/reset');
});

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Loose = any;
async function control(method: string, path: string, body?: unknown): Promise<{ status: number; json: Loose }> {
  const res = await fetch(`${sim.url}${path}`, { method, headers: { 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
  return { status: res.status, json: await res.json() };
}
async function hold(values: Record<string, string>): Promise<void> {
  const res = await control('POST', '/__sim/assumptions', values);
  expect(res.status).toBe(200);
}
const clientWith = (assumptions: Partial<FaspayAssumptionSettings>) => createFaspayProvider({ ...config, assumptions });
const ledgerOf = async (reference: string) => ((await control('GET', '/__sim/transactions')).json as Loose[]).filter((t) => t.reference === reference);
const balance = async () => Number(((await control('GET', '/__sim/balance')).json.value as string).slice(0, -3));

let seq = 0;
function order(destination: Destination, amount = 10_000): TransferOrder {
  seq += 1;
  return { reference: `FA-${Date.now().toString(36)}-${seq}`, destination, amount, description: 'Assumptions' };
}
const bank = (accountNumber = '1234560000'): Destination => ({ type: 'BANK_ACCOUNT', bankCode: '014', accountNumber });
const ovo = (customerNumber = '081234560000'): Destination => ({ type: 'EWALLET', ewallet: 'OVO', customerNumber });
const va = (virtualAccountNumber = '126085212340000', billerCode = '014'): Destination => ({ type: 'VIRTUAL_ACCOUNT', billerCode, virtualAccountNumber });


describe('the control API: /__sim/assumptions', () => {
  test('GET shows what the simulator holds: by default exactly the client defaults', async () => {
    const held = await control('GET', '/__sim/assumptions');
    expect(held.status).toBe(200);
    expect(held.json).toEqual(describeAssumptions(DEFAULT_FASPAY_ASSUMPTIONS));
    expect(Object.keys(held.json).sort()).toEqual(FASPAY_ASSUMPTIONS.map((a) => a.id).sort());
    expect(held.json).toMatchObject({ [IDS.signedPath]: 'with-account', [IDS.vaCompanyCodeDigits]: '3', [IDS.fees]: '{}', [IDS.historyMatch]: 'remark' });
  });

  test('POST sets some, keeps the rest; an unknown id or value is a 400 that changes nothing; reset restores the defaults', async () => {
    const set = await control('POST', '/__sim/assumptions', { [IDS.vaStatus]: 'transfer-status-18', [IDS.fees]: '{"BANK_ACCOUNT":"1803.00"}' });
    expect(set.status).toBe(200);
    expect(set.json).toMatchObject({ [IDS.vaStatus]: 'transfer-status-18', [IDS.fees]: '{"BANK_ACCOUNT":"1803.00"}', [IDS.signedPath]: 'with-account' });
    expect((await control('POST', '/__sim/assumptions', { 'faspay.nonsense': 'x' })).status).toBe(400);
    const bad = await control('POST', '/__sim/assumptions', { [IDS.signedPath]: 'without-account', [IDS.vaCompanyCodeDigits]: '9' });
    expect([bad.status, bad.json.error]).toEqual([400, expect.stringContaining(IDS.vaCompanyCodeDigits)]);
    expect((await control('POST', '/__sim/assumptions', { [IDS.fees]: '{"BANK_ACCOUNT":"18.50"}' })).status).toBe(400);
    expect((await control('GET', '/__sim/assumptions')).json[IDS.signedPath]).toBe('with-account');
    await control('POST', '/__sim/reset');
    expect((await control('GET', '/__sim/assumptions')).json).toEqual(describeAssumptions(DEFAULT_FASPAY_ASSUMPTIONS));
  });
});

describe(IDS.signedPath, () => {
  test('a provider that signs without /account: the default client gets 401 (401xx00) naming the assumption; the matching setting works', async () => {
    await hold({ [IDS.signedPath]: 'without-account' });
    const err = await callError(client.availableBalance());
    expect([err.kind, err.details.httpStatus, err.details.providerCode, err.details.assumptions]).toEqual(['UNAUTHORIZED', 401, '4011100', [IDS.signedPath]]);
    expect(err.message).toContain('FASPAY_SIGNED_PATH=with-account signs /account/v1.0/balance-inquiry');
    const matching = clientWith({ signedPath: 'without-account' });
    const o = order(bank());
    expect((await matching.inquireAccount(o)).outcome).toBe('VALID');
    expect((await matching.triggerTransfer(o)).outcome).toBe('ACCEPTED');
    expect((await matching.checkTransferStatus(o)).state).toBe('SUCCEEDED');
    // And the other way round: a client signing without /account against the default provider.
    await control('POST', '/__sim/reset');
    expect((await callError(matching.availableBalance())).details.assumptions).toEqual([IDS.signedPath]);
  });
});

describe(IDS.ewalletInquiry, () => {
  test('a provider that refuses 16 for e-money: MISCONFIGURED naming the assumption, not BENEFICIARY_NOT_FOUND', async () => {
    await hold({ [IDS.ewalletInquiry]: 'none' });
    const err = await callError(client.inquireAccount(order(ovo())));
    expect([err.kind, err.details.providerCode, err.details.assumptions, err.details.mayHaveArrived]).toEqual(['MISCONFIGURED', '4001601', [IDS.ewalletInquiry], false]);
    expect(toActivityFailure(err).nonRetryable).toBe(true);
  });

  test('a truly unknown e-money account stays BENEFICIARY_NOT_FOUND (404xx11) under the default', async () => {
    expect(await client.inquireAccount(order(ovo('081234564040')))).toMatchObject({ outcome: 'REFUSED', failure: { code: 'BENEFICIARY_NOT_FOUND', providerCode: '4041611' } });
  });

  test('"none": no inquiry call and no holder name; the top-up itself goes through, in either world', async () => {
    const none = clientWith({ ewalletInquiry: 'none', fees: { EWALLET: 1_500 } });
    for (const held of ['none', 'bank-inquiry']) {
      await hold({ [IDS.ewalletInquiry]: held, [IDS.fees]: '{"EWALLET":"1500.00"}' });
      const o = order(ovo(), 25_000);
      expect(await none.inquireAccount(o)).toEqual({ outcome: 'VALID', accountName: '', amount: 25_000, fee: 1_500, grossAmount: 26_500 });
      expect((await none.triggerTransfer(o)).outcome).toBe('ACCEPTED');
      expect(await none.checkTransferStatus(o)).toMatchObject({ state: 'SUCCEEDED' });
    }
  });
});

describe(IDS.vaCompanyCodeDigits, () => {
  test('the default is the provider pages\' 3 digits; a provider holding 4 refuses both the inquiry and the payment (404xx11) and the failure names the assumption', async () => {
    await hold({ [IDS.vaCompanyCodeDigits]: '4' });
    const o = order(va());
    const inquiry = await client.inquireAccount(o);
    expect(inquiry).toMatchObject({ outcome: 'REFUSED', failure: { code: 'BENEFICIARY_NOT_FOUND', providerCode: '4043211' } });
    expect((inquiry as Loose).failure.message).toContain(`${IDS.vaCompanyCodeDigits}: FASPAY_VA_COMPANY_CODE_DIGITS=3 sent "     126" + "085212340000"`);
    const trigger = await client.triggerTransfer(o);
    expect(trigger).toMatchObject({ outcome: 'REFUSED', failure: { code: 'BENEFICIARY_NOT_FOUND', providerCode: '4043311', message: expect.stringContaining(IDS.vaCompanyCodeDigits) } });
    expect(await ledgerOf(o.reference)).toHaveLength(0);

    const four = clientWith({ vaCompanyCodeDigits: { default: 4, byBiller: {} } });
    expect((await four.inquireAccount(o)).outcome).toBe('VALID');
    expect((await four.triggerTransfer(o)).outcome).toBe('ACCEPTED');
    expect(await four.checkTransferStatus(o)).toMatchObject({ state: 'SUCCEEDED' });
    expect(await ledgerOf(o.reference)).toEqual([expect.objectContaining({ destination: expect.objectContaining({ partnerServiceId: '    1260', customerNo: '85212340000' }) })]);
  });

  test('per biller: "3,888:4" splits biller 888 with 4 digits and the rest with 3', async () => {
    await hold({ [IDS.vaCompanyCodeDigits]: '3,888:4' });
    const perBiller = clientWith({ vaCompanyCodeDigits: { default: 3, byBiller: { '888': 4 } } });
    expect((await perBiller.inquireAccount(order(va('88081234560000', '888')))).outcome).toBe('VALID');
    expect((await perBiller.inquireAccount(order(va()))).outcome).toBe('VALID');
    expect((await client.inquireAccount(order(va('88081234560000', '888')))).outcome).toBe('REFUSED');
  });
});

describe(IDS.vaCallbackField, () => {
  test('a provider reading the top-level callbackURL refuses the sample\'s form (400xx02): MISCONFIGURED naming the assumption, nothing paid', async () => {
    await hold({ [IDS.vaCallbackField]: 'top-level' });
    const o = order(va());
    const err = await callError(client.triggerTransfer(o));
    expect([err.kind, err.details.providerCode, err.details.assumptions, err.details.mayHaveArrived]).toEqual(['MISCONFIGURED', '4003302', [IDS.vaCallbackField], false]);
    expect(await ledgerOf(o.reference)).toHaveLength(0);
    const topLevel = clientWith({ vaCallbackField: 'top-level' });
    expect((await topLevel.triggerTransfer(o)).outcome).toBe('ACCEPTED');
    await control('POST', '/__sim/reset');
    expect((await callError(topLevel.triggerTransfer(order(va())))).details.assumptions).toEqual([IDS.vaCallbackField]);
  });
});

describe(IDS.vaStatus, () => {
  test('a provider whose 36 knows serviceCode 18 only: the status call is refused (400xx01) → MISCONFIGURED, non-retryable, naming the assumption', async () => {
    await hold({ [IDS.vaStatus]: 'transfer-status-18' });
    const o = order(va());
    expect((await client.triggerTransfer(o)).outcome).toBe('ACCEPTED');
    const err = await callError(client.checkTransferStatus(o));
    expect([err.kind, err.details.providerCode, err.details.assumptions]).toEqual(['MISCONFIGURED', '4003601', [IDS.vaStatus]]);
    const failure = toActivityFailure(err);
    expect([failure.type, failure.nonRetryable]).toEqual(['PROVIDER_MISCONFIGURED', true]);
    expect(await clientWith({ vaStatus: 'transfer-status-18' }).checkTransferStatus(o)).toMatchObject({ state: 'SUCCEEDED', recorded: { amount: 10_000 } });
  });

  test('asked with 18 where the provider wants 33, the payment is not found (the symptom the go-live check reads)', async () => {
    const o = order(va());
    await client.triggerTransfer(o);
    expect(await clientWith({ vaStatus: 'transfer-status-18' }).checkTransferStatus(o)).toMatchObject({ state: 'NOT_FOUND', providerStatus: { code: '4043601' } });
    expect((await client.checkTransferStatus(o)).state).toBe('SUCCEEDED');
  });
});

describe(IDS.fees, () => {
  test('a provider charging 1803.00: the default client (fee 0) under-counts; the balance falls by amount + fee, with a separate fee debit', async () => {
    await hold({ [IDS.fees]: '{"BANK_ACCOUNT":"1803.00"}' });
    const before = await balance();
    const o = order(bank(), 20_000);
    expect(await client.inquireAccount(o)).toMatchObject({ fee: 0, grossAmount: 20_000 });
    await client.triggerTransfer(o);
    expect(before - (await balance())).toBe(21_803);
    const [entry] = await ledgerOf(o.reference);
    expect(entry).toMatchObject({ amount: { value: '20000.00' }, fee: { value: '1803.00' }, grossAmount: { value: '21803.00' } });
    const history = await client.transactionHistory(new Date(Date.now() - 60_000), new Date(Date.now() + 60_000));
    const found = findPayoutEntries(history, { reference: o.reference, amount: 20_000 }, 'remark');
    expect(found.map((f) => [f.role, f.entry.amount, f.entry.type])).toEqual([
      ['transfer', 20_000, 'SEND_MONEY'],
      ['fee', 1_803, 'PAYMENT'],
    ]);
    expect(found[1]!.entry.remark).toMatch(new RegExp(`^fee ${config.sourceAccount} ${o.reference}_\\d+_FEE$`));
  });

  test('with the matching table the inquiry carries the fee, and gross = what leaves the balance; a failure refunds both', async () => {
    await hold({ [IDS.fees]: '{"default":"2500.00","BANK_ACCOUNT:014":"1803.00"}' });
    const matching = clientWith({ fees: { default: 2_500, 'BANK_ACCOUNT:014': 1_803 } });
    const o = order(bank('1234562222'), 20_000);
    const before = await balance();
    expect(await matching.inquireAccount(o)).toMatchObject({ outcome: 'VALID', amount: 20_000, fee: 1_803, grossAmount: 21_803 });
    await matching.triggerTransfer(o);
    expect(before - (await balance())).toBe(21_803);
    expect(await matching.inquireAccount(order(va(), 11_500))).toMatchObject({ fee: 2_500, grossAmount: 14_000 });
    await matching.checkTransferStatus(o);
    expect((await matching.checkTransferStatus(o)).state).toBe('FAILED');
    expect(await balance()).toBe(before);
  });
});

describe(IDS.historyMatch, () => {
  test('a provider whose remarks carry its own id: matching by remark finds nothing, by amount and time finds the transfer', async () => {
    await hold({ [IDS.historyMatch]: 'amount-and-time' });
    const o = order(bank(), 34_567);
    const at = new Date();
    await client.triggerTransfer(o);
    const history = await client.transactionHistory(new Date(Date.now() - 60_000), new Date(Date.now() + 60_000));
    expect(findPayoutEntries(history, { reference: o.reference, amount: 34_567 }, 'remark')).toEqual([]);
    const found = findPayoutEntries(history, { reference: o.reference, amount: 34_567, at }, 'amount-and-time');
    expect(found.map((f) => f.role)).toEqual(['transfer']);
    expect(found[0]!.entry.remark).toContain((await ledgerOf(o.reference))[0].transactionId);
  });

  test('by default the remark names our reference', async () => {
    const o = order(bank(), 34_568);
    await client.triggerTransfer(o);
    const history = await client.transactionHistory(new Date(Date.now() - 60_000), new Date(Date.now() + 60_000));
    expect(findPayoutEntries(history, { reference: o.reference, amount: 34_568 }, 'remark').map((f) => f.role)).toEqual(['transfer']);
  });
});

describe('checkFaspayAssumptions against the simulator', () => {
  const fast: Omit<FaspayGoLiveOptions, 'transfer'> = { statusIntervalMs: 20, historyIntervalMs: 50, historyWaitMs: 3_000, feeWaitMs: 100 };
  const byId = (verdicts: AssumptionVerdict[]) => Object.fromEntries(verdicts.map((v) => [v.assumption, v.verdict]));

  test('read-only: the read assumptions confirmed, the transfer-only ones untested; exactly one verdict each; nothing moved', async () => {
    const verdicts = await checkFaspayAssumptions(config, { transfer: false, ...fast });
    expect(verdicts.map((v) => v.assumption)).toEqual(FASPAY_ASSUMPTIONS.map((a) => a.id));
    for (const v of verdicts) {
      const assumption = FASPAY_ASSUMPTIONS.find((a) => a.id === v.assumption)!;
      expect([v.assumption, v.verdict]).toEqual([v.assumption, assumption.settledBy === 'read' ? 'confirmed' : 'untested']);
    }
    expect((await control('GET', '/__sim/transactions')).json).toEqual([]);
  });

  test('with a transfer: all confirmed', async () => {
    const verdicts = await checkFaspayAssumptions(config, { transfer: true, ...fast });
    expect(verdicts.filter((v) => v.verdict !== 'confirmed')).toEqual([]);
    expect(verdicts).toHaveLength(FASPAY_ASSUMPTIONS.length);
  });

  test('with a transfer and a configured fee the provider also charges: confirmed', async () => {
    await hold({ [IDS.fees]: '1803.00' });
    const verdicts = await checkFaspayAssumptions({ ...config, assumptions: { fees: { default: 1_803 } } }, { transfer: true, ...fast });
    expect(verdicts.find((v) => v.assumption === IDS.fees)).toMatchObject({ verdict: 'confirmed', evidence: expect.stringContaining('1803.00') });
  });

  const flips: [string, string][] = [
    [IDS.signedPath, 'without-account'],
    [IDS.ewalletInquiry, 'none'],
    [IDS.vaCompanyCodeDigits, '4'],
    [IDS.vaCallbackField, 'top-level'],
    [IDS.vaStatus, 'transfer-status-18'],
    [IDS.fees, '1803.00'],
    [IDS.historyMatch, 'amount-and-time'],
  ];
  test('every assumption has a flip here', () => {
    expect(flips.map(([id]) => id).sort()).toEqual(FASPAY_ASSUMPTIONS.map((a) => a.id).sort());
  });
  test.each(flips)('the simulator holding %s = %s: exactly that assumption is refuted', async (id, value) => {
    await hold({ [id]: value });
    const verdicts = await checkFaspayAssumptions(config, { transfer: true, ...fast });
    const expected = Object.fromEntries(FASPAY_ASSUMPTIONS.map((a) => [a.id, a.id === id ? 'refuted' : 'confirmed']));
    expect(byId(verdicts)).toEqual(expected);
    expect(verdicts.find((v) => v.assumption === id)!.evidence).not.toBe('');
  });

  test('read-only, the read-settled flips and the VA status are refuted already', async () => {
    for (const [id, value] of [
      [IDS.signedPath, 'without-account'],
      [IDS.ewalletInquiry, 'none'],
      [IDS.vaCompanyCodeDigits, '4'],
      [IDS.vaStatus, 'transfer-status-18'],
    ] as const) {
      await control('POST', '/__sim/reset');
      await hold({ [id]: value });
      const verdicts = byId(await checkFaspayAssumptions(config, { transfer: false, ...fast }));
      expect([id, verdicts[id]]).toEqual([id, 'refuted']);
      expect(Object.values(verdicts).filter((v) => v === 'refuted')).toHaveLength(1);
    }
  });

  test('a wrong partner id: 401 under both path forms → no assumption refuted (the credentials are wrong), and no secret in the evidence', async () => {
    const verdicts = await checkFaspayAssumptions({ ...config, partnerId: '00000' }, { transfer: true, ...fast });
    expect(verdicts.every((v) => v.verdict === 'untested')).toBe(true);
    expect(verdicts.find((v) => v.assumption === IDS.signedPath)!.evidence).toContain('4011100');
    const text = JSON.stringify(verdicts);
    expect(text).not.toContain('PRIVATE KEY');
    expect(text).not.toMatch(/[A-Za-z0-9+/]{100,}/); // no signature or key material
  });
});
