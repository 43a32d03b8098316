// The Recorder keeps what the checks need and no more: the fields they read, and a run of identical
// GET answers as its first and last (so a long run's memory stays small without weakening a rule).
import { Recorder } from './observe';
import type { PayoutDocument, PayoutPlan } from './model';

const plan: PayoutPlan = {
  index: 0,
  reference: 'OBS-1',
  provider: 'singapay',
  explicitProvider: false,
  destination: { type: 'EWALLET', ewallet: 'DANA', customerNumber: '081200000000' },
  amount: 10_000,
  requester: 'requester',
  approvalTimeoutMs: 10_000,
  actions: [],
};

const doc = (statuses: string[]): PayoutDocument & { inquiry: unknown } => ({
  status: statuses[statuses.length - 1]!,
  timeline: statuses.map((status, i) => ({ status, at: new Date(1_000 * i).toISOString() })),
  inquiry: { accountName: 'not needed by any check' },
});

test('a run of identical GETs is kept as its first and last; other documents as they come', () => {
  const recorder = new Recorder('http://127.0.0.1:1');
  const record = recorder.track(plan, undefined);
  const get = (at: number, statuses: string[]) => recorder.snapshot('OBS-1', { source: 'get', sentAt: at, answeredAt: at + 5, doc: doc(statuses) });
  for (let at = 100; at <= 500; at += 100) get(at, ['VALIDATING', 'AWAITING_APPROVAL']);
  recorder.snapshot('OBS-1', { source: 'approve', sentAt: 550, answeredAt: 560, doc: doc(['VALIDATING', 'AWAITING_APPROVAL', 'PROCESSING']) });
  get(600, ['VALIDATING', 'AWAITING_APPROVAL', 'PROCESSING']);
  get(700, ['VALIDATING', 'AWAITING_APPROVAL', 'PROCESSING']);
  get(800, ['VALIDATING', 'AWAITING_APPROVAL', 'PROCESSING']);
  get(900, ['VALIDATING', 'AWAITING_APPROVAL', 'PROCESSING', 'SUCCEEDED']);
  expect(record.snapshots.map((s) => [s.source, s.sentAt, s.doc.status])).toEqual([
    ['get', 100, 'AWAITING_APPROVAL'],
    ['get', 500, 'AWAITING_APPROVAL'],
    ['approve', 550, 'PROCESSING'],
    ['get', 600, 'PROCESSING'],
    ['get', 800, 'PROCESSING'],
    ['get', 900, 'SUCCEEDED'],
  ]);
  expect(recorder.lastStatus('OBS-1')).toBe('SUCCEEDED');
  expect(record.snapshots[0]!.doc).not.toHaveProperty('inquiry');
});
