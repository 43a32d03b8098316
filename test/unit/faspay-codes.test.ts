// Faspay's response codes and statuses mapped onto provider-neutral outcomes (providers.md "Response
// codes", "latestTransactionStatus", "What the payout service must conclude"), and the per-call
// outcome rules built on them.
import {
  meaningOf,
  RESPONSE_CASES,
  responseCode,
  splitResponseCode,
  stateOfTransaction,
  stateOfVaPayment,
  TRANSACTION_STATUSES,
  VA_PAYMENT_STATUSES,
} from '../../src/providers/faspay/codes';
import { splitVirtualAccount, transactionDescription } from '../../src/providers/faspay/fields';
import { accountInquiryOutcome, statusOutcome, triggerOutcome, vaInquiryOutcome, type FaspayAnswer } from '../../src/providers/faspay/outcomes';
import { thrownCallError as thrown } from '../support/provider-errors';

describe('response code = HTTP (3) + service (2) + case (2)', () => {
  test('splits', () => {
    expect(splitResponseCode('4041611')).toEqual({ http: '404', service: '16', case: '11' });
    expect(splitResponseCode('2001800')).toEqual({ http: '200', service: '18', case: '00' });
    expect(splitResponseCode('4091801')).toEqual({ http: '409', service: '18', case: '01' });
  });

  test('anything but 7 digits does not split', () => {
    for (const bad of ['', '200180', '20018000', '200-1800', 'SP00000', ' 2001800']) expect(splitResponseCode(bad)).toBeUndefined();
  });

  test('builds', () => {
    expect(responseCode(404, '16', '11')).toBe('4041611');
    expect(responseCode(200, '38', '00')).toBe('2003800');
  });
});

describe('meaningOf: every listed case, for any service', () => {
  const expected: Record<(typeof RESPONSE_CASES)[number], ReturnType<typeof meaningOf>> = {
    '200-00': { kind: 'OK' },
    '202-00': { kind: 'IN_PROGRESS' },
    '400-00': { kind: 'REFUSED', code: 'INVALID_REQUEST' },
    '400-01': { kind: 'REFUSED', code: 'INVALID_REQUEST' },
    '400-02': { kind: 'REFUSED', code: 'INVALID_REQUEST' },
    '401-00': { kind: 'UNAUTHORIZED' },
    '403-02': { kind: 'REFUSED', code: 'LIMIT_EXCEEDED' },
    '403-14': { kind: 'REFUSED', code: 'INSUFFICIENT_BALANCE' },
    '403-15': { kind: 'REFUSED', code: 'PROVIDER_REJECTED' },
    '404-01': { kind: 'TRANSACTION_NOT_FOUND' },
    '404-11': { kind: 'REFUSED', code: 'BENEFICIARY_NOT_FOUND' },
    '409-00': { kind: 'EXTERNAL_ID_REUSED' },
    '409-01': { kind: 'DUPLICATE_REFERENCE' },
    '429-00': { kind: 'RATE_LIMITED' },
    '500-00': { kind: 'PROVIDER_ERROR' },
    '500-01': { kind: 'PROVIDER_ERROR' },
    '504-00': { kind: 'PROVIDER_TIMEOUT' },
  };

  test.each(Object.entries(expected))('%s', (key, meaning) => {
    const [http, kase] = key.split('-');
    for (const service of ['16', '18', '36', '38', '39', '32', '33', '11', '12']) {
      expect(meaningOf(`${http}${service}${kase}`)).toEqual(meaning);
    }
  });

  test('the table covers every case providers.md lists', () => {
    expect(Object.keys(expected).sort()).toEqual([...RESPONSE_CASES].sort());
  });

  test('unknown codes are never success or failure', () => {
    expect(meaningOf('SP000')).toEqual({ kind: 'UNKNOWN' });
    expect(meaningOf('')).toEqual({ kind: 'UNKNOWN' });
    expect(meaningOf('2001801')).toEqual({ kind: 'UNKNOWN' }); // 200 with an unknown case is not OK
    expect(meaningOf('4041899')).toEqual({ kind: 'UNKNOWN' });
    expect(meaningOf('4031899')).toEqual({ kind: 'UNKNOWN' });
  });

  test('an unlisted 5xx is still a provider error (not final)', () => {
    expect(meaningOf('5031800')).toEqual({ kind: 'PROVIDER_ERROR' });
    expect(meaningOf('5021602')).toEqual({ kind: 'PROVIDER_ERROR' });
  });
});

describe('latestTransactionStatus', () => {
  test('00 succeeded; 01, 02, 03 pending; 07 not found', () => {
    expect(stateOfTransaction('00')).toEqual({ state: 'SUCCEEDED' });
    for (const s of ['01', '02', '03']) expect(stateOfTransaction(s)).toEqual({ state: 'PENDING' });
    expect(stateOfTransaction('07')).toEqual({ state: 'NOT_FOUND' });
  });

  test('04, 05, 06 are final failures carrying the status as providerCode', () => {
    expect(stateOfTransaction('04', 'Refunded')).toMatchObject({ state: 'FAILED', failure: { code: 'TRANSFER_REFUNDED', providerCode: '04' } });
    expect(stateOfTransaction('05', 'Canceled')).toMatchObject({ state: 'FAILED', failure: { code: 'TRANSFER_CANCELLED', providerCode: '05' } });
    expect(stateOfTransaction('06', 'Failed')).toMatchObject({ state: 'FAILED', failure: { code: 'TRANSFER_FAILED', providerCode: '06' } });
    expect(stateOfTransaction('06', 'Failed').failure?.message).toContain('Failed');
  });

  test('every listed status is mapped; anything else is pending', () => {
    for (const s of TRANSACTION_STATUSES) expect(['SUCCEEDED', 'FAILED', 'PENDING', 'NOT_FOUND']).toContain(stateOfTransaction(s).state);
    for (const s of ['08', '0', '', 'SUCCESS', '99', '00 ']) expect(stateOfTransaction(s)).toEqual({ state: 'PENDING' });
  });
});

describe('VA payment additionalInfo.status', () => {
  test('1 on process, 2 success, 4 failed, 5 reversed (refunded)', () => {
    expect(stateOfVaPayment('1')).toEqual({ state: 'PENDING' });
    expect(stateOfVaPayment('2')).toEqual({ state: 'SUCCEEDED' });
    expect(stateOfVaPayment('4', 'Failed')).toMatchObject({ state: 'FAILED', failure: { code: 'TRANSFER_FAILED', providerCode: '4' } });
    expect(stateOfVaPayment('5', 'Reverse')).toMatchObject({ state: 'FAILED', failure: { code: 'TRANSFER_REFUNDED', providerCode: '5' } });
    expect(VA_PAYMENT_STATUSES).toEqual(['1', '2', '4', '5']);
  });

  test('unknown VA statuses (3, 6, empty) are pending', () => {
    for (const s of ['3', '6', '', '00']) expect(stateOfVaPayment(s)).toEqual({ state: 'PENDING' });
  });
});

const answer = (responseCode: string, json: Record<string, unknown> = {}, httpStatus = Number(responseCode.slice(0, 3)) || 200): FaspayAnswer => ({
  httpStatus,
  responseCode,
  responseMessage: 'message from Faspay',
  json: { responseCode, responseMessage: 'message from Faspay', ...json },
});

describe('account inquiry outcomes', () => {
  test('success: the name, fee 0, gross = amount', () => {
    expect(accountInquiryOutcome(answer('2001600', { beneficiaryAccountName: 'Budi' }), 10_000, 'inquiry')).toEqual({
      outcome: 'VALID',
      accountName: 'Budi',
      amount: 10_000,
      fee: 0,
      grossAmount: 10_000,
    });
  });

  test('404xx11 → BENEFICIARY_NOT_FOUND with the provider code; 400xx01 → INVALID_REQUEST', () => {
    expect(accountInquiryOutcome(answer('4041611'), 1, 'inquiry')).toEqual({
      outcome: 'REFUSED',
      failure: { code: 'BENEFICIARY_NOT_FOUND', message: 'message from Faspay', providerCode: '4041611' },
    });
    expect(accountInquiryOutcome(answer('4001601'), 1, 'inquiry')).toMatchObject({ outcome: 'REFUSED', failure: { code: 'INVALID_REQUEST', providerCode: '4001601' } });
  });

  test('transport-like answers throw: 409xx00 retryable, 401 unauthorized, 429 rate limited, 5xx unavailable', () => {
    const reused = thrown(() => accountInquiryOutcome(answer('4091600'), 1, 'inquiry'));
    expect(reused.kind).toBe('UNAVAILABLE');
    expect(reused.details.mayHaveArrived).toBe(false);
    expect(thrown(() => accountInquiryOutcome(answer('4011600'), 1, 'inquiry')).kind).toBe('UNAUTHORIZED');
    expect(thrown(() => accountInquiryOutcome({ ...answer('4291600'), retryAfterMs: 3000 }, 1, 'inquiry')).details).toMatchObject({ retryAfterMs: 3000 });
    expect(thrown(() => accountInquiryOutcome(answer('5001600'), 1, 'inquiry')).kind).toBe('UNAVAILABLE');
    expect(thrown(() => accountInquiryOutcome(answer('5041600'), 1, 'inquiry')).kind).toBe('TIMEOUT');
  });

  test('a success without the mandatory name is a BAD_ANSWER', () => {
    expect(thrown(() => accountInquiryOutcome(answer('2001600'), 1, 'inquiry')).kind).toBe('BAD_ANSWER');
  });
});

describe('VA inquiry outcomes', () => {
  const va = (type: string, total: string) => ({ virtualAccountData: { virtualAccountName: 'Dewi', totalAmount: { value: total, currency: 'IDR' }, virtualAccountTrxType: type } });
  test('an open VA takes any amount', () => {
    expect(vaInquiryOutcome(answer('2003200', va('O', '0.00')), 25_000, 'va')).toEqual({ outcome: 'VALID', accountName: 'Dewi', amount: 25_000, fee: 0, grossAmount: 25_000 });
  });
  test('a closed VA takes its bill amount only', () => {
    expect(vaInquiryOutcome(answer('2003200', va('C', '11500.00')), 11_500, 'va')).toMatchObject({ outcome: 'VALID', minAmount: 11_500, maxAmount: 11_500 });
    expect(vaInquiryOutcome(answer('2003200', va('C', '11500.00')), 10_000, 'va')).toMatchObject({ outcome: 'REFUSED', failure: { code: 'AMOUNT_OUT_OF_RANGE' } });
  });
  test('404xx11 → BENEFICIARY_NOT_FOUND', () => {
    expect(vaInquiryOutcome(answer('4043211'), 1, 'va')).toMatchObject({ outcome: 'REFUSED', failure: { code: 'BENEFICIARY_NOT_FOUND', providerCode: '4043211' } });
  });
});

describe('trigger outcomes', () => {
  const transfer = (status: string) => ({ referenceNo: '2020102977770000', additionalInfo: { latestTransactionStatus: status, transactionStatusDesc: 'Pending' } });

  test('accepted pending, with Faspay’s referenceNo', () => {
    expect(triggerOutcome(answer('2001800', transfer('03')), 'transfer', 't')).toEqual({
      outcome: 'ACCEPTED',
      providerReference: '2020102977770000',
      providerStatus: { code: '03', desc: 'Pending' },
      state: 'PENDING',
    });
  });

  test('a VA payment may already be final', () => {
    const vaAnswer = (status: string) => answer('2003300', { virtualAccountData: { referenceNo: '4147193' }, additionalInfo: { status, message: 'm' } });
    expect(triggerOutcome(vaAnswer('2'), 'vaPayment', 't')).toMatchObject({ outcome: 'ACCEPTED', state: 'SUCCEEDED', providerReference: '4147193' });
    expect(triggerOutcome(vaAnswer('1'), 'vaPayment', 't')).toMatchObject({ outcome: 'ACCEPTED', state: 'PENDING' });
    expect(triggerOutcome(vaAnswer('4'), 'vaPayment', 't')).toMatchObject({ outcome: 'ACCEPTED', state: 'FAILED', failure: { code: 'TRANSFER_FAILED' } });
    expect(triggerOutcome(vaAnswer('5'), 'vaPayment', 't')).toMatchObject({ outcome: 'ACCEPTED', state: 'FAILED', failure: { code: 'TRANSFER_REFUNDED' } });
  });

  test('409xx01 → DUPLICATE_REFERENCE, never a failure', () => {
    expect(triggerOutcome(answer('4091801'), 'transfer', 't')).toEqual({ outcome: 'DUPLICATE_REFERENCE', providerCode: '4091801' });
  });

  test('business refusals', () => {
    const cases: [string, string][] = [
      ['4031814', 'INSUFFICIENT_BALANCE'],
      ['4031802', 'LIMIT_EXCEEDED'],
      ['4031815', 'PROVIDER_REJECTED'],
      ['4041811', 'BENEFICIARY_NOT_FOUND'],
      ['4001800', 'INVALID_REQUEST'],
      ['4001801', 'INVALID_REQUEST'],
      ['4001802', 'INVALID_REQUEST'],
    ];
    for (const [code, failure] of cases) {
      expect(triggerOutcome(answer(code), 'transfer', 't')).toMatchObject({ outcome: 'REFUSED', failure: { code: failure, providerCode: code } });
    }
  });

  test('in progress, unknown and not-found answers are UNKNOWN: ask status', () => {
    for (const code of ['2021800', '4041801', '4181899', 'garbage']) {
      expect(triggerOutcome(answer(code), 'transfer', 't')).toMatchObject({ outcome: 'UNKNOWN', providerCode: code });
    }
  });

  test('5xx and 504 may have moved money; 409xx00 and 401 did not', () => {
    const e500 = thrown(() => triggerOutcome(answer('5001800'), 'transfer', 't'));
    expect([e500.kind, e500.details.mayHaveArrived]).toEqual(['UNAVAILABLE', true]);
    const e504 = thrown(() => triggerOutcome(answer('5041800'), 'transfer', 't'));
    expect([e504.kind, e504.details.mayHaveArrived]).toEqual(['TIMEOUT', true]);
    const e409 = thrown(() => triggerOutcome(answer('4091800'), 'transfer', 't'));
    expect([e409.kind, e409.details.mayHaveArrived, e409.details.providerCode]).toEqual(['UNAVAILABLE', false, '4091800']);
    const e401 = thrown(() => triggerOutcome(answer('4011800'), 'transfer', 't'));
    expect([e401.kind, e401.details.mayHaveArrived]).toEqual(['UNAUTHORIZED', false]);
    expect(thrown(() => triggerOutcome(answer('4291800'), 'transfer', 't')).kind).toBe('RATE_LIMITED');
  });
});

describe('status outcomes', () => {
  const status = (s: string, extra: Record<string, unknown> = {}) =>
    answer('2003600', { originalReferenceNo: 'R1', amount: { value: '10000.00', currency: 'IDR' }, beneficiaryAccountNo: '1234560000', latestTransactionStatus: s, transactionStatusDesc: 'd', ...extra });

  test('00 → SUCCEEDED with what Faspay recorded', () => {
    expect(statusOutcome(status('00'), 'transfer', 's')).toEqual({
      state: 'SUCCEEDED',
      providerStatus: { code: '00', desc: 'd' },
      providerReference: 'R1',
      recorded: { amount: 10_000, accountNumber: '1234560000' },
    });
  });

  test('04/05/06 → FAILED; 01/02/03 → PENDING; 07 → NOT_FOUND', () => {
    expect(statusOutcome(status('06'), 'transfer', 's')).toMatchObject({ state: 'FAILED', failure: { code: 'TRANSFER_FAILED', providerCode: '06' } });
    expect(statusOutcome(status('04'), 'transfer', 's')).toMatchObject({ state: 'FAILED', failure: { code: 'TRANSFER_REFUNDED', providerCode: '04' } });
    expect(statusOutcome(status('05'), 'transfer', 's')).toMatchObject({ state: 'FAILED', failure: { code: 'TRANSFER_CANCELLED', providerCode: '05' } });
    for (const s of ['01', '02', '03', 'XX']) expect(statusOutcome(status(s), 'transfer', 's').state).toBe('PENDING');
    expect(statusOutcome(status('07'), 'transfer', 's').state).toBe('NOT_FOUND');
  });

  test('top-up status records the customer number', () => {
    const a = answer('2003900', { amount: { value: '5000.00' }, latestTransactionStatus: '00', additionalInfo: { customerNumber: '081234567890' } });
    expect(statusOutcome(a, 'topup', 's').recorded).toEqual({ amount: 5_000, accountNumber: '081234567890' });
  });

  test('404xx01 → NOT_FOUND; refusals and errors on a status call throw (not final)', () => {
    expect(statusOutcome(answer('4043601'), 'transfer', 's')).toMatchObject({ state: 'NOT_FOUND', providerStatus: { code: '4043601' } });
    for (const code of ['4003602', '5003600', '4043611', '2023600']) {
      const err = thrown(() => statusOutcome(answer(code), 'transfer', 's'));
      expect(err.kind).toBe('UNAVAILABLE');
    }
  });
});

describe('request fields', () => {
  test('transactionDescription: cut to 15, never containing "fee"', () => {
    expect(transactionDescription('Transfer')).toBe('Transfer');
    expect(transactionDescription('Transfer fee')).toBe('Transfer');
    expect(transactionDescription('FEE refund for coffee')).toBe('refund for cof');
    expect(transactionDescription('ffeeee')).toBe('f ee'); // what is left never spells fee
    expect(transactionDescription('Payout for invoice 2024-001')).toBe('Payout for invo');
    expect(transactionDescription('fee')).toBeUndefined();
    expect(transactionDescription(undefined)).toBeUndefined();
    for (const text of ['Fee', 'a fEe b', 'Feeling fine, feel free']) {
      const out = transactionDescription(text);
      expect(out === undefined || (!/fee/i.test(out) && out.length <= 15)).toBe(true);
    }
  });

  test('VA number → partnerServiceId (8, space-padded) + customerNo', () => {
    expect(splitVirtualAccount('126085212344321', 3)).toEqual({ partnerServiceId: '     126', customerNo: '085212344321' });
    expect(splitVirtualAccount('700808000047816', 4)).toEqual({ partnerServiceId: '    7008', customerNo: '08000047816' });
  });
});
