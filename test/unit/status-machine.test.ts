import { newPayoutDocument, changeStatus } from '../../src/domain/payout-document';
import { FINAL_STATUSES, PAYOUT_STATUSES, type PayoutRequest, type PayoutStatus } from '../../src/domain/payout';
import { IllegalTransitionError, mayTransition } from '../../src/domain/status-machine';

const request: PayoutRequest = {
  reference: 'INV-1',
  destination: { type: 'EWALLET', ewallet: 'DANA', customerNumber: '085733347341' },
  amount: 10_000,
  provider: 'singapay',
  requestedBy: 'requester@local',
  createdAt: '2026-11-22T10:00:00.000Z',
  approvalTimeoutMs: 1000,
};

/** A payout walked through `path` (each step legal), ready for one more change. */
function payoutAt(path: PayoutStatus[]) {
  const payout = newPayoutDocument(request);
  for (const status of path) changeStatus(payout, status, '2026-11-22T10:00:01.000Z', undefined, { mayHaveBeenSent: false });
  return payout;
}

describe('the payout status machine', () => {
  test.each(FINAL_STATUSES.flatMap((final) => PAYOUT_STATUSES.map((to) => [final, to] as const)))('a final status is never left: %s → %s', (final, to) => {
    expect(mayTransition(final, to, { mayHaveBeenSent: false })).toBe(false);
  });

  test('final statuses cannot be re-entered or left through changeStatus', () => {
    const payout = payoutAt(['AWAITING_APPROVAL', 'PROCESSING', 'SUCCEEDED']);
    expect(() => changeStatus(payout, 'FAILED', 'x', undefined, { mayHaveBeenSent: true })).toThrow(IllegalTransitionError);
    expect(() => changeStatus(payout, 'SUCCEEDED', 'x', undefined, { mayHaveBeenSent: true })).toThrow(IllegalTransitionError);
    expect(payout.status).toBe('SUCCEEDED');
    expect(payout.timeline.map((t) => t.status)).toEqual(['VALIDATING', 'AWAITING_APPROVAL', 'PROCESSING', 'SUCCEEDED']);
  });

  test('CANCELLED follows PROCESSING only while nothing may have been sent', () => {
    expect(mayTransition('PROCESSING', 'CANCELLED', { mayHaveBeenSent: false })).toBe(true);
    expect(mayTransition('PROCESSING', 'CANCELLED', { mayHaveBeenSent: true })).toBe(false);
    const payout = payoutAt(['AWAITING_APPROVAL', 'PROCESSING']);
    expect(() => changeStatus(payout, 'CANCELLED', 'x', undefined, { mayHaveBeenSent: true })).toThrow(/PROCESSING → CANCELLED/);
  });

  test('no money status without an approval: VALIDATING and AWAITING_APPROVAL never jump to SUCCEEDED or NEEDS_ATTENTION', () => {
    for (const from of ['VALIDATING', 'AWAITING_APPROVAL'] as const) {
      expect(mayTransition(from, 'SUCCEEDED', { mayHaveBeenSent: false })).toBe(false);
      expect(mayTransition(from, 'NEEDS_ATTENTION', { mayHaveBeenSent: false })).toBe(false);
    }
    expect(mayTransition('VALIDATING', 'PROCESSING', { mayHaveBeenSent: false })).toBe(false);
  });

  test('the allowed paths of a payout', () => {
    const ok: [PayoutStatus, PayoutStatus][] = [
      ['VALIDATING', 'AWAITING_APPROVAL'],
      ['VALIDATING', 'FAILED'],
      ['VALIDATING', 'CANCELLED'],
      ['AWAITING_APPROVAL', 'PROCESSING'],
      ['AWAITING_APPROVAL', 'SCHEDULED'],
      ['AWAITING_APPROVAL', 'REJECTED'],
      ['AWAITING_APPROVAL', 'EXPIRED'],
      ['AWAITING_APPROVAL', 'CANCELLED'],
      ['SCHEDULED', 'PROCESSING'],
      ['SCHEDULED', 'CANCELLED'],
      ['PROCESSING', 'SUCCEEDED'],
      ['PROCESSING', 'FAILED'],
      ['PROCESSING', 'NEEDS_ATTENTION'],
      ['NEEDS_ATTENTION', 'SUCCEEDED'],
      ['NEEDS_ATTENTION', 'FAILED'],
    ];
    for (const [from, to] of ok) expect([from, to, mayTransition(from, to, { mayHaveBeenSent: false })]).toEqual([from, to, true]);
    // Once the trigger may be out, nothing cancels; every other step stays allowed.
    for (const [from, to] of ok) expect([from, to, mayTransition(from, to, { mayHaveBeenSent: true })]).toEqual([from, to, to !== 'CANCELLED']);
  });

  test('the same non-final status again only touches updatedAt', () => {
    const payout = payoutAt(['AWAITING_APPROVAL']);
    changeStatus(payout, 'AWAITING_APPROVAL', '2026-11-22T10:00:05.000Z', undefined, { mayHaveBeenSent: false });
    expect(payout.timeline).toHaveLength(2);
    expect(payout.updatedAt).toBe('2026-11-22T10:00:05.000Z');
  });
});
