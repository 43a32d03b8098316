import { meaningOf, RESPONSE_CODES, stateOf, TRANSACTION_STATUSES } from '../../src/providers/singapay/codes';
import { singapayNotes } from '../../src/providers/singapay/client';

describe('Singapay response codes', () => {
  test.each([
    ['SP000', { kind: 'OK' }],
    ['SP001', { kind: 'UNKNOWN' }],
    ['SP002', { kind: 'RETRY' }],
    ['SP003', { kind: 'REFUSED', code: 'INSUFFICIENT_BALANCE' }],
    ['SP004', { kind: 'DUPLICATE_REFERENCE' }],
    ['SP005', { kind: 'RETRY' }],
    ['SP006', { kind: 'REFUSED', code: 'LIMIT_EXCEEDED' }],
    ['SP007', { kind: 'REFUSED', code: 'LIMIT_EXCEEDED' }],
    ['SP008', { kind: 'REFUSED', code: 'INVALID_REQUEST' }],
    ['SP009', { kind: 'NOT_FOUND' }],
    ['SP010', { kind: 'REFUSED', code: 'BENEFICIARY_NOT_FOUND' }],
    ['SP011', { kind: 'REFUSED', code: 'BENEFICIARY_UNAVAILABLE' }],
    ['SP012', { kind: 'REFUSED', code: 'INVALID_REQUEST' }],
    ['SP013', { kind: 'TOKEN_EXPIRED' }],
    ['SP014', { kind: 'NOT_FOUND' }],
    ['SP015', { kind: 'MISCONFIGURED' }],
    ['SP016', { kind: 'MISCONFIGURED' }],
    ['SP017', { kind: 'MISCONFIGURED' }],
    ['SP018', { kind: 'REFUSED', code: 'INVALID_REQUEST' }],
    ['SP019', { kind: 'RETRY' }],
    ['SP020', { kind: 'MISCONFIGURED' }],
    ['SP117', { kind: 'REFUSED', code: 'BENEFICIARY_NOT_FOUND' }],
  ])('%s', (code, meaning) => expect(meaningOf(code)).toEqual(meaning));

  test('every documented code is covered above, and an unknown one is never final', () => {
    expect(RESPONSE_CODES).toHaveLength(22);
    expect(meaningOf('SP999')).toEqual({ kind: 'UNKNOWN' });
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

  test('all eight are covered; anything else is pending, never success or failure', () => {
    expect(TRANSACTION_STATUSES).toHaveLength(8);
    expect(stateOf({ code: '99', desc: '?' })).toEqual({ state: 'PENDING' });
    expect(stateOf({ code: '', desc: '' })).toEqual({ state: 'PENDING' });
  });
});

describe('notes', () => {
  test('at most 50 letters, digits, spaces and slashes', () => {
    expect(singapayNotes('Cashback November')).toBe('Cashback November');
    expect(singapayNotes('Refund #123 (café)!')).toBe('Refund 123 caf');
    expect(singapayNotes('x'.repeat(60))).toHaveLength(50);
    expect(singapayNotes('***')).toBeUndefined();
    expect(singapayNotes(undefined)).toBeUndefined();
  });
});
