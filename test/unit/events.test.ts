// The webhook events' vocabulary: one type per status, ids derived from the payout and the sequence,
// bodies that show the payout as GET does but with the destination number masked.
import { BATCH_STATUSES } from '../../src/domain/batch';
import {
  chunkEvents,
  endsStream,
  EVENT_TYPES,
  eventSubject,
  payoutEvent,
  payoutEventId,
  payoutEventType,
  reconciliationBreakEvents,
  type ReconciliationBreakEvent,
} from '../../src/domain/events';
import type { ReconciliationBreak } from '../../src/domain/reconciliation';
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

test('one event type per status, and reconciliation.break, in the one list', () => {
  expect(EVENT_TYPES.map((e) => e.type)).toEqual([
    ...PAYOUT_STATUSES.map((s) => `payout.${s.toLowerCase()}`),
    ...BATCH_STATUSES.map((s) => `batch.${s.toLowerCase()}`),
    'reconciliation.break',
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

describe('reconciliation.break events', () => {
  const run = { id: 'reconciliation-daily.payouts-2026-11-22T19:00:00Z', date: '2026-11-22' };
  const at = '2026-11-22T19:00:06.000Z';
  const reversed = (reference: string): ReconciliationBreak => ({
    kind: 'STATUS_MISMATCH',
    provider: 'faspay',
    reference,
    ours: { reference, provider: 'faspay', status: 'SUCCEEDED', amount: 50_000, fee: 0, submittedAt: '2026-11-22T04:12:00.000Z' },
    theirs: [{ source: 'history', role: 'refund', entry: { at: '2026-11-22T09:30:00.000Z', amount: 50_000, direction: 'CREDIT', remark: reference, status: 'SUCCESS', type: 'REFUND' } }],
    detail: 'SUCCEEDED here; given back there',
  });
  const unknown: ReconciliationBreak = {
    kind: 'UNKNOWN_TO_US',
    provider: 'faspay',
    theirs: [{ source: 'history', role: 'transfer', entry: { at: '2026-11-22T05:00:00.000Z', amount: 70_000, direction: 'DEBIT', remark: 'GHOST-1', status: 'SUCCESS', type: 'TRANSFER' } }],
    detail: 'the provider moved IDR 70000 under a reference we do not know',
  };

  test('one event per break, numbered 1..n in the given order, ids evt_reconciliation:<run id>.<n>, the last one saying so', () => {
    const breaks = [unknown, reversed('INV-1'), reversed('INV-2')];
    const events = reconciliationBreakEvents(run, breaks, at);
    expect(events.map((e) => e.id)).toEqual([1, 2, 3].map((n) => `evt_reconciliation:${run.id}.${n}`));
    expect(events.map((e) => e.data.sequence)).toEqual([1, 2, 3]);
    expect(events.map((e) => e.data.last)).toEqual([false, false, true]);
    expect(events.map((e) => e.data.break)).toEqual(breaks);
    for (const event of events) {
      expect(event).toMatchObject({ type: 'reconciliation.break', createdAt: at, data: { reconciliation: run } });
      expect(event.data.omitted).toBeUndefined();
      expect(eventSubject(event)).toBe(`reconciliation:${run.id}`);
    }
    // Only the last one ends the run's stream (its delivery workflows then end).
    expect(events.map(endsStream)).toEqual([false, false, true]);
    // The ids are no payout's or batch's: a payout reference never has a colon.
    expect(events[0]!.id).toBe(payoutEventId(`reconciliation:${run.id}`, 1));
  });

  test('the same run and breaks give the same events (a replay, a retried publish); another run, other ids', () => {
    const breaks = [reversed('INV-1'), unknown];
    expect(reconciliationBreakEvents(run, breaks, at)).toEqual(reconciliationBreakEvents({ ...run }, structuredClone(breaks), at));
    const again = reconciliationBreakEvents({ ...run, id: 'reconciliation-2026-11-22-all-5f0c2a9e' }, breaks, at);
    expect(again.map((e) => e.id)).toEqual(['evt_reconciliation:reconciliation-2026-11-22-all-5f0c2a9e.1', 'evt_reconciliation:reconciliation-2026-11-22-all-5f0c2a9e.2']);
  });

  test('a single break is the first and the last; no breaks, no events', () => {
    const [only, ...rest] = reconciliationBreakEvents(run, [unknown], at);
    expect(rest).toEqual([]);
    expect(only!.data).toMatchObject({ sequence: 1, last: true });
    expect(reconciliationBreakEvents(run, [], at)).toEqual([]);
  });

  test('copies of the breaks, with an account number the provider recorded masked to its last 4 digits', () => {
    const singapay: ReconciliationBreak = {
      kind: 'AMOUNT_MISMATCH',
      provider: 'singapay',
      reference: 'INV-3',
      ours: { reference: 'INV-3', provider: 'singapay', status: 'SUCCEEDED', amount: 10_000, fee: 500 },
      theirs: [
        {
          source: 'status',
          reference: 'INV-3',
          result: { state: 'SUCCEEDED', providerStatus: { code: '00', desc: 'Success' }, recorded: { amount: 12_000, accountNumber: '081234560000' } },
        },
      ],
      detail: 'we sent IDR 10000, the provider recorded IDR 12000',
    };
    const [event] = reconciliationBreakEvents(run, [singapay], at);
    expect(event!.data.break.theirs).toEqual([{ ...singapay.theirs![0], result: { ...(singapay.theirs![0] as { result: object }).result, recorded: { amount: 12_000, accountNumber: '********0000' } } }]);
    expect(JSON.stringify(event)).not.toContain('081234560000');
    // The report's break is not changed.
    expect((singapay.theirs![0] as { result: { recorded: { accountNumber: string } } }).result.recorded.accountNumber).toBe('081234560000');
  });

  test('at most maxEvents (or about maxBytes of) events: the last one sent is last and says how many were left out', () => {
    const breaks = Array.from({ length: 5 }, (_, i) => reversed(`INV-${i + 1}`));
    const capped = reconciliationBreakEvents(run, breaks, at, { maxEvents: 3 });
    expect(capped.map((e) => [e.data.sequence, e.data.last, e.data.omitted])).toEqual([
      [1, false, undefined],
      [2, false, undefined],
      [3, true, 2],
    ]);
    const size = JSON.stringify(reconciliationBreakEvents(run, breaks.slice(0, 1), at)[0]).length;
    const byBytes = reconciliationBreakEvents(run, breaks, at, { maxBytes: Math.floor(size * 2.5) });
    expect(byBytes).toHaveLength(2);
    expect(byBytes.at(-1)!.data).toMatchObject({ last: true, omitted: 3 });
    // The first event always goes, however large.
    expect(reconciliationBreakEvents(run, breaks, at, { maxBytes: 1 })).toHaveLength(1);
    // The default: 1,000 events.
    const many = reconciliationBreakEvents(run, Array.from({ length: 1_001 }, (_, i) => reversed(`INV-${i}`)), at);
    expect(many).toHaveLength(1_000);
    expect(many.at(-1)!.data).toMatchObject({ sequence: 1_000, last: true, omitted: 1 });
  });

  test('chunks for publishing: in order, at most maxEvents each, a new chunk before maxBytes is passed', () => {
    const events: ReconciliationBreakEvent[] = reconciliationBreakEvents(run, Array.from({ length: 250 }, (_, i) => reversed(`INV-${i}`)), at);
    const chunks = chunkEvents(events, { maxEvents: 100, maxBytes: 1_000_000 });
    expect(chunks.map((c) => c.length)).toEqual([100, 100, 50]);
    expect(chunks.flat()).toEqual(events);
    const size = JSON.stringify(events[0]).length;
    const small = chunkEvents(events.slice(0, 5), { maxEvents: 100, maxBytes: size * 2 + 10 });
    expect(small.map((c) => c.length)).toEqual([2, 2, 1]);
    // An event larger than maxBytes is a chunk of its own, never dropped.
    expect(chunkEvents(events.slice(0, 2), { maxEvents: 100, maxBytes: 1 }).map((c) => c.length)).toEqual([1, 1]);
    expect(chunkEvents([], { maxEvents: 100, maxBytes: 1 })).toEqual([]);
  });
});
