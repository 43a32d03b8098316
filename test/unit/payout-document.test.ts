import { amountOutsideLimits, changeStatus, newPayoutDocument, recordMismatch } from '../../src/domain/payout-document';
import type { PayoutRequest } from '../../src/domain/payout';

const request: PayoutRequest = {
  reference: 'INV-1',
  destination: { type: 'EWALLET', ewallet: 'DANA', customerNumber: '085733347341' },
  amount: 10_000,
  provider: 'singapay',
  requestedBy: 'requester@local',
  createdAt: '2026-11-22T10:00:00.000Z',
  approvalTimeoutMs: 1000,
};

describe('payout document', () => {
  test('starts VALIDATING with id = reference and money as decimal strings', () => {
    const payout = newPayoutDocument(request);
    expect(payout).toMatchObject({ id: 'INV-1', reference: 'INV-1', status: 'VALIDATING', amount: { value: '10000.00', currency: 'IDR' } });
    expect(payout.timeline).toEqual([{ status: 'VALIDATING', at: request.createdAt }]);
  });

  test('a status change is recorded once in the timeline', () => {
    const payout = newPayoutDocument(request);
    changeStatus(payout, 'AWAITING_APPROVAL', '2026-11-22T10:00:01.000Z', undefined, { mayHaveBeenSent: false });
    changeStatus(payout, 'AWAITING_APPROVAL', '2026-11-22T10:00:02.000Z', undefined, { mayHaveBeenSent: false });
    expect(payout.timeline.map((t) => t.status)).toEqual(['VALIDATING', 'AWAITING_APPROVAL']);
    expect(payout.updatedAt).toBe('2026-11-22T10:00:02.000Z');
  });

  test('limits from the inquiry', () => {
    const inquiry = { accountName: 'x', amount: 1, fee: 0, grossAmount: 1, minAmount: 10_000, maxAmount: 50_000 };
    expect(amountOutsideLimits(10_000, inquiry)).toBeUndefined();
    expect(amountOutsideLimits(50_000, inquiry)).toBeUndefined();
    expect(amountOutsideLimits(9_999, inquiry)).toContain('below');
    expect(amountOutsideLimits(50_001, inquiry)).toContain('above');
  });

  test('a provider record with another amount or account is a reference collision', () => {
    expect(recordMismatch(request, undefined)).toBeUndefined();
    expect(recordMismatch(request, { amount: 10_000, accountNumber: '085733347341' })).toBeUndefined();
    expect(recordMismatch(request, {})).toBeUndefined();
    expect(recordMismatch(request, { amount: 20_000 })).toContain('amount 20000');
    expect(recordMismatch(request, { accountNumber: '081299998888' })).toContain('8888');
  });
});
