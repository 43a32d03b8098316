// The webhook events' vocabulary: one type per status, ids derived from the payout and the sequence,
// bodies that show the payout as GET does but with the destination number masked.
import { BATCH_STATUSES } from '../../src/domain/batch';
import { EVENT_TYPES, payoutEvent, payoutEventId, payoutEventType } from '../../src/domain/events';
import { PAYOUT_STATUSES, type PayoutRequest } from '../../src/domain/payout';
import { changeStatus, newPayoutDocument } from '../../src/domain/payout-document';

const request: PayoutRequest = {
  reference: 'INV-1',
  destination: { type: 'BANK_ACCOUNT', bankCode: '014', accountNumber: '1234567890' },
  amount: 10_000,
  provider: 'faspay',
  requestedBy: 'requester@local',
  createdAt: '2026-12-02T10:00:00.000Z',
  approvalTimeoutMs: 1000,
};

test('one event type per status, in the one list', () => {
  expect(EVENT_TYPES.map((e) => e.type)).toEqual([
    ...PAYOUT_STATUSES.map((s) => `payout.${s.toLowerCase()}`),
    ...BATCH_STATUSES.map((s) => `batch.${s.toLowerCase()}`),
  ]);
  expect(payoutEventType('AWAITING_APPROVAL')).toBe('payout.awaiting_approval');
  expect(new Set(EVENT_TYPES.map((e) => e.type)).size).toBe(EVENT_TYPES.length);
});

test('an event id is derived from the reference and the sequence: the same event has the same id, another has another', () => {
  expect(payoutEventId('INV-1', 2)).toBe(payoutEventId('INV-1', 2));
  expect(new Set([payoutEventId('INV-1', 1), payoutEventId('INV-1', 2), payoutEventId('INV-12', 1), payoutEventId('INV-1.1', 1)]).size).toBe(4);
  expect(payoutEventId('INV-1', 1)).toMatch(/^evt_/);
});

test('the event of each status the payout enters: sequence from 1, the time it entered, the number masked, the payout otherwise as it is', () => {
  const payout = newPayoutDocument(request);
  const first = payoutEvent(structuredClone(payout), 1);
  expect(first).toMatchObject({ id: 'evt_INV-1.1', type: 'payout.validating', createdAt: request.createdAt, data: { sequence: 1 } });
  expect(first.data.payout.destination).toEqual({ type: 'BANK_ACCOUNT', bankCode: '014', accountNumber: '******7890' });
  changeStatus(payout, 'AWAITING_APPROVAL', '2026-12-02T10:00:01.000Z', undefined, { mayHaveBeenSent: false });
  const second = payoutEvent(structuredClone(payout), 2);
  expect(second).toMatchObject({ id: 'evt_INV-1.2', type: 'payout.awaiting_approval', createdAt: '2026-12-02T10:00:01.000Z', data: { sequence: 2, payout: { status: 'AWAITING_APPROVAL' } } });
  // The payout itself is not changed by building its event.
  expect(payout.destination).toEqual(request.destination);
});

test('an event can only be built for the status the payout has just entered', () => {
  const payout = newPayoutDocument(request);
  changeStatus(payout, 'AWAITING_APPROVAL', '2026-12-02T10:00:01.000Z', undefined, { mayHaveBeenSent: false });
  expect(() => payoutEvent(payout, 1)).toThrow('the timeline\'s entry 1 is VALIDATING, the payout is AWAITING_APPROVAL');
  expect(() => payoutEvent(payout, 3)).toThrow('missing');
});
