// Every Singapay response code and transaction status, mapped as codes.ts documents it, for each
// call: account inquiry, trigger top-up, inquiry status. Unknown codes are never final; an unknown
// transaction status is never pending; errors a wrong guess explains name the assumption.
import { z } from 'zod';
import {
  SINGAPAY_ASSUMPTIONS,
  singapayAssumptionEnv,
  singapayAssumptionsFromEnv,
  DEFAULT_SINGAPAY_ASSUMPTIONS,
} from '../../src/providers/singapay/assumptions';
import {
  suspectedAssumptions,
  inquiryDecision,
  meaningOf,
  RESPONSE_CODES,
  stateOf,
  statusDecision,
  TRANSACTION_STATUSES,
  triggerDecision,
} from '../../src/providers/singapay/codes';
import { singapayNotes } from '../../src/providers/singapay/fields';
import { thrownCallError as catching } from '../support/provider-errors';

const READ = { action: 'READ_DATA' };
const refuse = (failure: string) => ({ action: 'REFUSE', failure });
const thrown = (kind: string, mayHaveArrived = false) => ({ action: 'THROW', kind, mayHaveArrived });
const ASK_STATUS = { action: 'ASK_STATUS' };
const DUPLICATE = { action: 'DUPLICATE_REFERENCE' };
const NOT_FOUND = { action: 'NOT_FOUND' };

//           code     inquiry                                  trigger                              status
const TABLE: [string, object, object, object][] = [
  ['SP000', READ, READ, READ],
  ['SP001', thrown('UNAVAILABLE'), ASK_STATUS, thrown('UNAVAILABLE')],
  ['SP002', thrown('UNAVAILABLE'), thrown('UNAVAILABLE', true), thrown('UNAVAILABLE')],
  ['SP003', refuse('INSUFFICIENT_BALANCE'), refuse('INSUFFICIENT_BALANCE'), thrown('UNAVAILABLE')],
  ['SP004', thrown('UNAVAILABLE'), DUPLICATE, thrown('UNAVAILABLE')],
  ['SP005', thrown('UNAVAILABLE'), thrown('TIMEOUT', true), thrown('UNAVAILABLE')],
  ['SP006', refuse('LIMIT_EXCEEDED'), refuse('LIMIT_EXCEEDED'), thrown('UNAVAILABLE')],
  ['SP007', refuse('LIMIT_EXCEEDED'), refuse('LIMIT_EXCEEDED'), thrown('UNAVAILABLE')],
  ['SP008', refuse('INVALID_REQUEST'), refuse('INVALID_REQUEST'), thrown('MISCONFIGURED')],
  ['SP009', thrown('MISCONFIGURED'), ASK_STATUS, NOT_FOUND],
  ['SP010', refuse('BENEFICIARY_NOT_FOUND'), refuse('BENEFICIARY_NOT_FOUND'), thrown('UNAVAILABLE')],
  ['SP011', refuse('BENEFICIARY_UNAVAILABLE'), refuse('BENEFICIARY_UNAVAILABLE'), thrown('UNAVAILABLE')],
  ['SP012', refuse('INVALID_REQUEST'), refuse('INVALID_REQUEST'), thrown('MISCONFIGURED')],
  ['SP013', thrown('UNAUTHORIZED'), thrown('UNAUTHORIZED'), thrown('UNAUTHORIZED')],
  ['SP014', thrown('MISCONFIGURED'), ASK_STATUS, thrown('MISCONFIGURED')],
  ['SP015', thrown('UNAUTHORIZED'), thrown('UNAUTHORIZED'), thrown('UNAUTHORIZED')],
  ['SP016', thrown('MISCONFIGURED'), thrown('MISCONFIGURED'), thrown('MISCONFIGURED')],
  ['SP017', thrown('UNAUTHORIZED'), thrown('UNAUTHORIZED'), thrown('UNAUTHORIZED')],
  ['SP018', refuse('INVALID_REQUEST'), refuse('INVALID_REQUEST'), thrown('MISCONFIGURED')],
  ['SP019', thrown('UNAVAILABLE'), thrown('UNAVAILABLE', true), thrown('UNAVAILABLE')],
  ['SP020', thrown('MISCONFIGURED'), thrown('MISCONFIGURED'), thrown('MISCONFIGURED')],
  ['SP117', refuse('BENEFICIARY_NOT_FOUND'), refuse('BENEFICIARY_NOT_FOUND'), thrown('UNAVAILABLE')],
  ['4019900', thrown('MISCONFIGURED'), thrown('MISCONFIGURED'), thrown('MISCONFIGURED')],
];

describe('Singapay response codes', () => {
  test('the table covers every documented code exactly once (SP000–SP020, SP117 and the trigger page’s 4019900)', () => {
    expect(TABLE.map(([code]) => code)).toEqual([...RESPONSE_CODES]);
    expect(RESPONSE_CODES).toHaveLength(23);
    for (const code of RESPONSE_CODES) expect(meaningOf(code).kind).not.toBe('UNDOCUMENTED');
  });

  test.each(TABLE)('%s', (code, inquiry, trigger, status) => {
    expect(inquiryDecision(code)).toEqual(inquiry);
    expect(triggerDecision(code)).toEqual(trigger);
    expect(statusDecision(code)).toEqual(status);
  });

  test('a status answer’s response code alone never concludes anything about the money', () => {
    for (const code of RESPONSE_CODES) expect(['READ_DATA', 'NOT_FOUND', 'THROW']).toContain(statusDecision(code).action);
  });

  test('a money-moving call never throws "it did not arrive" for a provider fault', () => {
    for (const code of ['SP002', 'SP005', 'SP019']) expect(triggerDecision(code)).toMatchObject({ action: 'THROW', mayHaveArrived: true });
  });

  test.each(['SP999', '4019901', '', 'sp000'])('undocumented %j: never final (retry, or ask status for the trigger)', (code) => {
    expect(meaningOf(code)).toEqual({ kind: 'UNDOCUMENTED' });
    expect(inquiryDecision(code)).toEqual(thrown('UNAVAILABLE'));
    expect(triggerDecision(code)).toEqual(ASK_STATUS);
    expect(statusDecision(code)).toEqual(thrown('UNAVAILABLE'));
  });
});

describe('Singapay transaction statuses', () => {
  test.each([
    ['00', 'SUCCEEDED', undefined],
    ['01', 'PENDING', undefined],
    ['02', 'PENDING', undefined],
    ['03', 'PENDING', undefined],
    ['04', 'FAILED', 'TRANSFER_REFUNDED'],
    ['05', 'FAILED', 'TRANSFER_CANCELLED'],
    ['06', 'FAILED', 'TRANSFER_FAILED'],
    ['07', 'NOT_FOUND', undefined],
  ])('%s → %s', (code, state, failure) => {
    const result = stateOf({ code, desc: 'x' });
    expect(result.state).toBe(state);
    expect(result.failure?.code).toBe(failure);
    if (failure) expect(result.failure?.providerCode).toBe(code);
  });

  test('all eight are covered; anything else is a BAD_ANSWER naming the status vocabulary, never pending', () => {
    expect(TRANSACTION_STATUSES).toEqual(['00', '01', '02', '03', '04', '05', '06', '07']);
    for (const code of ['99', '', '0', '000', 'SUCCESS', '08', 'pending']) {
      const err = catching(() => stateOf({ code, desc: '?' }));
      expect(err).toMatchObject({ kind: 'BAD_ANSWER', details: { mayHaveArrived: true, assumptions: ['singapay.status-vocabulary'] } });
      expect(err.message).toContain('SINGAPAY_STATUS_VOCABULARY=words');
    }
  });

  test('the words vocabulary: success, pending, failed (any case); codes are not words', () => {
    expect(stateOf({ code: 'success', desc: '' }, 'words')).toEqual({ state: 'SUCCEEDED' });
    expect(stateOf({ code: 'Pending', desc: '' }, 'words')).toEqual({ state: 'PENDING' });
    expect(stateOf({ code: 'failed', desc: '' }, 'words')).toMatchObject({ state: 'FAILED', failure: { code: 'TRANSFER_FAILED', providerCode: 'failed' } });
    for (const code of ['00', '03', 'refunded', '']) {
      expect(catching(() => stateOf({ code, desc: '' }, 'words'))).toMatchObject({ kind: 'BAD_ANSWER', details: { assumptions: ['singapay.status-vocabulary'] } });
    }
  });
});


describe('assumptions', () => {
  test('ids are unique and prefixed, each has a setting whose default is one of its values', () => {
    const ids = SINGAPAY_ASSUMPTIONS.map((a) => a.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const a of SINGAPAY_ASSUMPTIONS) {
      expect(a.id).toMatch(/^singapay\.[a-z-]+$/);
      expect(a.setting.values).toContain(a.setting.default);
      expect(a.setting.variable).toMatch(/^SINGAPAY_[A-Z_]+$/);
    }
    expect(SINGAPAY_ASSUMPTIONS.map((a) => a.setting.variable).sort()).toEqual(Object.keys(singapayAssumptionEnv).sort());
  });

  test('the environment shape: defaults are the client’s; values switch; anything else is refused', () => {
    const env = z.object(singapayAssumptionEnv);
    expect(singapayAssumptionsFromEnv(env.parse({}))).toEqual(DEFAULT_SINGAPAY_ASSUMPTIONS);
    expect(
      singapayAssumptionsFromEnv(
        env.parse({ SINGAPAY_STATUS_VOCABULARY: 'words', SINGAPAY_TRIGGER_AMOUNT: 'gross', SINGAPAY_TIMESTAMP_FORMAT: 'unix', SINGAPAY_STATUS_PATH: 'account-in-body' }),
      ),
    ).toEqual({ statusVocabulary: 'words', triggerAmount: 'gross', timestampFormat: 'unix', statusPath: 'account-in-body' });
    expect(env.safeParse({ SINGAPAY_TRIGGER_AMOUNT: 'both' }).success).toBe(false);
  });

  test('which assumptions an error is put down to', () => {
    expect(suspectedAssumptions('trigger', 401, '4019900')).toEqual(['singapay.timestamp-format']);
    expect(suspectedAssumptions('trigger', 400, '4019900')).toEqual(['singapay.timestamp-format']);
    expect(suspectedAssumptions('trigger', 401, 'SP016')).toEqual(['singapay.timestamp-format']);
    expect(suspectedAssumptions('trigger', 401, undefined)).toEqual(['singapay.timestamp-format']);
    expect(suspectedAssumptions('trigger', 401, 'SP013')).toEqual([]);
    expect(suspectedAssumptions('status', 404, 'SP014')).toEqual(['singapay.status-path']);
    expect(suspectedAssumptions('status', 404, undefined)).toEqual(['singapay.status-path']);
    expect(suspectedAssumptions('status', 404, 'SP009')).toEqual([]);
    expect(suspectedAssumptions('status', 404, 'SP020')).toEqual([]);
    expect(suspectedAssumptions('inquiry', 401, '4019900')).toEqual([]);
    expect(suspectedAssumptions('trigger', 503, 'SP019')).toEqual([]);
  });
});

describe('notes', () => {
  test('letters, digits, spaces and slashes only; accents folded; at most 50; nothing left → no notes', () => {
    expect(singapayNotes('Cashback November / 2026')).toBe('Cashback November / 2026');
    expect(singapayNotes('Refund #123 (café)!')).toBe('Refund 123 cafe');
    expect(singapayNotes('a  -  b')).toBe('a b');
    expect(singapayNotes('x'.repeat(60))).toBe('x'.repeat(50));
    expect(singapayNotes(`${'y'.repeat(49)} z`)).toBe('y'.repeat(49)); // no trailing space after the cut
    expect(singapayNotes('***')).toBeUndefined();
    expect(singapayNotes('')).toBeUndefined();
    expect(singapayNotes(undefined)).toBeUndefined();
  });
});
