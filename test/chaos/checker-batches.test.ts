// The batch rules of the pure checker against hand-made observations (as checker.test.ts does for
// payouts): clean batches — approved with an exclusion and an INVALID row, rejected, expired,
// cancelled before approval, cancelled while paying with and without a row submitted — give no
// violation, and each batch rule fires on the smallest change that breaks it.
import { check, rowStatusOfDocument } from './checker';
import type { BatchDecisionRecord, BatchDocument, BatchItem, BatchRecord, BatchSnapshot, LedgerRow, Observations, PayoutDocument, PayoutRecord, RuleId, Snapshot } from './model';

const T0 = Date.parse('2026-12-02T10:00:00.000Z');
const iso = (ms: number) => new Date(ms).toISOString();
const B = 'CHAOS-T-B00';
const row = (i: number) => `${B}-0${i}`;
const APPROVER = 'approver@local';
const DEADLINE = iso(T0 + 50_000);

// ---- rows (payouts with batchId)

function pdoc(ref: string, statuses: string[], extra: Partial<PayoutDocument> = {}): PayoutDocument {
  return { id: ref, status: statuses[statuses.length - 1]!, requestedBy: 'requester@local', timeline: statuses.map((status, i) => ({ status, at: iso(T0 + i * 1_000) })), ...extra };
}
const approvedBy = (by = APPROVER) => ({ approval: { decision: 'APPROVED', by, at: iso(T0 + 5_000) } });
const cancelledBy = (by = APPROVER) => ({ approval: { decision: 'CANCELLED', by, at: iso(T0 + 5_000) } });
const rejectedBy = (by = APPROVER) => ({ approval: { decision: 'REJECTED', by, at: iso(T0 + 5_000) } });
const submitted = { transfer: { submittedAt: iso(T0 + 6_000) } };

function snap(at: number, doc: PayoutDocument, source: Snapshot['source'] = 'get'): Snapshot {
  return { source, sentAt: at, answeredAt: at + 10, doc };
}

/** A row seen once while it awaited approval and twice at its end (the last look after the settle deadline). */
function rowRecord(i: number, end: PayoutDocument, amount = 10_000): PayoutRecord {
  const ref = row(i);
  return {
    reference: ref,
    batchId: B,
    provider: 'singapay',
    amount,
    destinationNumber: `08120000000${i}`,
    requestedBy: 'requester@local',
    createStatus: 201,
    snapshots: [snap(T0 + 3_000, pdoc(ref, ['VALIDATING', 'AWAITING_APPROVAL'])), snap(T0 + 30_000, end), snap(T0 + 85_000, end)],
    decisions: [],
    callbacks: [],
  };
}

function transfer(i: number, overrides: Partial<LedgerRow> = {}): LedgerRow {
  return { provider: 'singapay', reference: row(i), amount: 10_000, destinationNumber: `08120000000${i}`, status: '00', triggerCalls: 1, acceptedAt: T0 + 7_000, ...overrides };
}

// ---- the batch

function bdoc(statuses: string[], extra: Partial<BatchDocument> = {}): BatchDocument {
  return { id: B, status: statuses[statuses.length - 1]!, requestedBy: 'requester@local', approvalDeadline: DEADLINE, itemCount: 3, timeline: statuses.map((status, i) => ({ status, at: iso(T0 + i * 1_000) })), ...extra };
}
function bsnap(at: number, doc: BatchDocument, source: BatchSnapshot['source'] = 'get'): BatchSnapshot {
  return { source, sentAt: at, answeredAt: at + 10, doc };
}
function bdecision(decision: BatchDecisionRecord['decision'], at: number, httpStatus: number, extra: Partial<BatchDecisionRecord> = {}): BatchDecisionRecord {
  return { decision, via: 'api', tag: 'primary', who: APPROVER, sentAt: at, answeredAt: at + 50, httpStatus, ...extra };
}
const item = (i: number, status: string, extra: Partial<BatchItem> = {}): BatchItem => ({ row: i + 1, reference: row(i), status, amount: 10_000, ...extra });

function batchRecord(overrides: Partial<BatchRecord> = {}): BatchRecord {
  return { reference: B, plan: 'approve', requestedBy: 'requester@local', rows: [row(0), row(1), row(2)], createStatus: 201, snapshots: [], decisions: [], listings: [], ...overrides };
}

function observations(batch: BatchRecord, rows: PayoutRecord[], ledger: LedgerRow[] = []): Observations {
  return { payouts: rows, batches: [batch], ledger, answers: [], faultsStoppedAt: T0 + 60_000, settleWithinMs: 20_000 };
}

const rules = (obs: Observations): RuleId[] => [...new Set(check(obs).map((v) => v.rule))].sort();

const AWAITING = bdoc(['VALIDATING', 'AWAITING_APPROVAL'], { counts: { READY: 2, INVALID: 1 }, ready: { count: 2, total: { value: '20000.00' } } });
const APPROVAL = { decision: 'APPROVED', by: APPROVER, count: 1, total: { value: '10000.00' }, excludedCount: 1 };

/**
 * Approved for one row of three after a wrong total (409, nothing changed) and a row approved alone
 * (409 batch-row): row 0 paid, row 1 excluded (CANCELLED), row 2 INVALID. COMPLETED.
 */
function approvedBatch(): Observations {
  const rows = [
    rowRecord(0, pdoc(row(0), ['VALIDATING', 'AWAITING_APPROVAL', 'PROCESSING', 'SUCCEEDED'], { ...approvedBy(), ...submitted })),
    rowRecord(1, pdoc(row(1), ['VALIDATING', 'AWAITING_APPROVAL', 'CANCELLED'], cancelledBy())),
    rowRecord(2, pdoc(row(2), ['VALIDATING', 'FAILED'])),
  ];
  rows[2]!.snapshots.shift(); // an INVALID row never awaited approval
  const completed = bdoc(['VALIDATING', 'AWAITING_APPROVAL', 'PROCESSING', 'COMPLETED'], { counts: { SUCCEEDED: 1, CANCELLED: 1, INVALID: 1 }, ready: { count: 0, total: { value: '0.00' } }, approval: APPROVAL });
  const batch = batchRecord({
    snapshots: [
      bsnap(T0 + 100, bdoc(['VALIDATING']), 'create'),
      bsnap(T0 + 3_000, AWAITING),
      bsnap(T0 + 4_100, AWAITING),
      bsnap(T0 + 5_000, bdoc(['VALIDATING', 'AWAITING_APPROVAL', 'PROCESSING'], { counts: { READY: 1, INVALID: 1, CANCELLED: 1 }, approval: APPROVAL }), 'approve'),
      bsnap(T0 + 30_000, completed),
      bsnap(T0 + 86_000, completed),
    ],
    decisions: [
      bdecision('row-approve', T0 + 3_500, 409, { tag: 'row-alone', problem: 'batch-row', row: row(0) }),
      bdecision('approve', T0 + 4_000, 409, { tag: 'wrong-figures', problem: 'batch-figures-differ', expected: { count: 1, total: 11_000 }, excluded: [row(1)], actual: { count: 1, total: 10_000 } }),
      bdecision('approve', T0 + 5_000, 200, { expected: { count: 1, total: 10_000 }, excluded: [row(1)], answeredStatus: 'PROCESSING' }),
    ],
    listings: [
      { sentAt: T0 + 3_200, answeredAt: T0 + 3_300, items: [item(0, 'READY'), item(1, 'READY'), item(2, 'INVALID')] },
      { sentAt: T0 + 86_100, answeredAt: T0 + 86_200, items: [item(0, 'SUCCEEDED'), item(1, 'CANCELLED', { excluded: true }), item(2, 'INVALID')] },
    ],
  });
  return observations(batch, rows, [transfer(0)]);
}

/** Decided against before any approval: every open row ends so too, nothing in the ledgers. */
function againstBatch(status: 'REJECTED' | 'EXPIRED' | 'CANCELLED'): Observations {
  const rowEnd = (i: number) =>
    status === 'EXPIRED'
      ? pdoc(row(i), ['VALIDATING', 'AWAITING_APPROVAL', 'EXPIRED'])
      : pdoc(row(i), ['VALIDATING', 'AWAITING_APPROVAL', status], status === 'REJECTED' ? rejectedBy() : cancelledBy('requester@local'));
  const rows = [0, 1, 2].map((i) => rowRecord(i, rowEnd(i)));
  const end = bdoc(['VALIDATING', 'AWAITING_APPROVAL', status], { counts: { [status]: 3 }, approval: { decision: status, by: status === 'EXPIRED' ? 'deadline' : APPROVER } });
  const batch = batchRecord({
    plan: status === 'REJECTED' ? 'reject' : status === 'EXPIRED' ? 'expire' : 'cancel',
    snapshots: [bsnap(T0 + 3_000, { ...AWAITING, counts: { READY: 3 } }), bsnap(T0 + 30_000, end), bsnap(T0 + 86_000, end)],
    decisions: status === 'EXPIRED' ? [] : [bdecision(status === 'REJECTED' ? 'reject' : 'cancel', T0 + 5_000, 200, { answeredStatus: status })],
  });
  return observations(batch, rows);
}

/** Approved for all three, cancelled while paying: row 0 was submitted and paid, rows 1 and 2 stopped. COMPLETED (or CANCELLED when nothing was submitted). */
function cancelledMidway(anySubmitted: boolean): Observations {
  const rows = [
    rowRecord(0, anySubmitted ? pdoc(row(0), ['VALIDATING', 'AWAITING_APPROVAL', 'PROCESSING', 'SUCCEEDED'], { ...approvedBy(), ...submitted }) : pdoc(row(0), ['VALIDATING', 'AWAITING_APPROVAL', 'PROCESSING', 'CANCELLED'], cancelledBy())),
    rowRecord(1, pdoc(row(1), ['VALIDATING', 'AWAITING_APPROVAL', 'PROCESSING', 'CANCELLED'], cancelledBy())),
    rowRecord(2, pdoc(row(2), ['VALIDATING', 'AWAITING_APPROVAL', 'CANCELLED'], cancelledBy())),
  ];
  const approval = { decision: 'APPROVED', by: APPROVER, count: 3, total: { value: '30000.00' } };
  const cancellation = { by: 'requester@local', at: iso(T0 + 6_000) };
  const status = anySubmitted ? 'COMPLETED' : 'CANCELLED';
  const end = bdoc(['VALIDATING', 'AWAITING_APPROVAL', 'PROCESSING', status], { counts: anySubmitted ? { SUCCEEDED: 1, CANCELLED: 2 } : { CANCELLED: 3 }, approval, cancellation });
  const batch = batchRecord({
    plan: 'approve-cancel',
    snapshots: [
      bsnap(T0 + 3_000, { ...AWAITING, counts: { READY: 3 } }),
      bsnap(T0 + 5_000, bdoc(['VALIDATING', 'AWAITING_APPROVAL', 'PROCESSING'], { approval }), 'approve'),
      bsnap(T0 + 6_000, bdoc(['VALIDATING', 'AWAITING_APPROVAL', 'PROCESSING'], { approval, cancellation }), 'cancel'),
      bsnap(T0 + 30_000, end),
      bsnap(T0 + 86_000, end),
    ],
    decisions: [bdecision('approve', T0 + 5_000, 200, { expected: { count: 3, total: 30_000 }, answeredStatus: 'PROCESSING' }), bdecision('cancel', T0 + 6_000, 200, { tag: 'cancel-midway', who: 'requester@local', answeredStatus: 'PROCESSING' })],
  });
  return observations(batch, rows, anySubmitted ? [transfer(0)] : []);
}

const lastBatchDoc = (obs: Observations) => obs.batches![0]!.snapshots.at(-1)!.doc;

describe('clean batches', () => {
  test.each([
    ['approved with a wrong total first, an exclusion, an INVALID row and a row approved alone', approvedBatch],
    ['rejected', () => againstBatch('REJECTED')],
    ['expired', () => againstBatch('EXPIRED')],
    ['cancelled before approval', () => againstBatch('CANCELLED')],
    ['cancelled while paying, a row submitted: COMPLETED', () => cancelledMidway(true)],
    ['cancelled while paying, nothing submitted: CANCELLED', () => cancelledMidway(false)],
  ])('%s: no violation', (_name, make) => {
    expect(check(make())).toEqual([]);
  });

  test('a row is what its payout is; FAILED before any decision is INVALID', () => {
    expect(rowStatusOfDocument(pdoc('x', ['VALIDATING', 'AWAITING_APPROVAL']))).toBe('READY');
    expect(rowStatusOfDocument(pdoc('x', ['VALIDATING', 'FAILED']))).toBe('INVALID');
    expect(rowStatusOfDocument(pdoc('x', ['VALIDATING', 'AWAITING_APPROVAL', 'PROCESSING', 'FAILED'], approvedBy()))).toBe('FAILED');
  });
});

describe('each batch rule fires', () => {
  test('one-transfer-per-reference: a row paid twice', () => {
    const obs = approvedBatch();
    obs.ledger.push(transfer(0, { provider: 'faspay', status: '03' }));
    expect(rules(obs)).toContain('one-transfer-per-reference');
  });

  test('batch-row-paid-without-approval and batch-paid-after-refusal: a rejected batch with a row in the ledger', () => {
    const obs = againstBatch('REJECTED');
    obs.ledger.push(transfer(1, { status: '03' }));
    expect(rules(obs)).toEqual(expect.arrayContaining(['batch-row-paid-without-approval', 'batch-paid-after-refusal']));
  });

  test.each(['EXPIRED', 'CANCELLED'] as const)('batch-paid-after-refusal: %s before approval, a row paid', (status) => {
    const obs = againstBatch(status);
    obs.ledger.push(transfer(2));
    expect(rules(obs)).toContain('batch-paid-after-refusal');
  });

  test('batch-excluded-row-paid: the excluded row in the ledger', () => {
    const obs = approvedBatch();
    obs.ledger.push(transfer(1, { status: '03' }));
    expect(rules(obs)).toContain('batch-excluded-row-paid');
    // Excluded by the listing alone (the approval's own list not seen) fires too.
    const byListing = approvedBatch();
    byListing.batches![0]!.decisions = byListing.batches![0]!.decisions.map((d) => ({ ...d, excluded: [] }));
    byListing.ledger.push(transfer(1, { status: '03' }));
    expect(rules(byListing)).toContain('batch-excluded-row-paid');
  });

  test('batch-invalid-row-paid: an INVALID row in the ledger', () => {
    const obs = approvedBatch();
    obs.ledger.push(transfer(2, { status: '03' }));
    expect(rules(obs)).toContain('batch-invalid-row-paid');
  });

  test('batch-row-paid-unsubmitted: a row in the ledger whose payout, read after, never showed a transfer', () => {
    const obs = cancelledMidway(true);
    obs.ledger.push(transfer(1, { status: '03' }));
    expect(rules(obs)).toContain('batch-row-paid-unsubmitted');
    // Not judged without a read after the transfer was accepted.
    const early = cancelledMidway(true);
    early.ledger.push(transfer(1, { status: '03', acceptedAt: T0 + 100_000 }));
    expect(rules(early)).not.toContain('batch-row-paid-unsubmitted');
  });

  test('batch-cancel-outcome: CANCELLED although a row was submitted; COMPLETED although none was', () => {
    const cancelled = cancelledMidway(true);
    for (const s of cancelled.batches![0]!.snapshots.slice(-2)) {
      s.doc = { ...s.doc, status: 'CANCELLED', timeline: [...s.doc.timeline.slice(0, -1), { status: 'CANCELLED', at: iso(T0 + 9_000) }] };
    }
    expect(rules(cancelled)).toContain('batch-cancel-outcome');
    const completed = cancelledMidway(false);
    for (const s of completed.batches![0]!.snapshots.slice(-2)) {
      s.doc = { ...s.doc, status: 'COMPLETED', timeline: [...s.doc.timeline.slice(0, -1), { status: 'COMPLETED', at: iso(T0 + 9_000) }] };
    }
    expect(rules(completed)).toContain('batch-cancel-outcome');
  });

  test('batch-counts-mismatch: the final counts are not the rows\' final statuses (a rejected batch still counting its rows READY)', () => {
    const obs = againstBatch('REJECTED');
    lastBatchDoc(obs).counts = { READY: 3 };
    const found = check(obs).filter((v) => v.rule === 'batch-counts-mismatch');
    expect(found).toHaveLength(1);
    expect(found[0]!.message).toContain('READY 3');
    expect(found[0]!.message).toContain('REJECTED 3');
    // Not judged while a row is not final yet.
    const open = againstBatch('REJECTED');
    lastBatchDoc(open).counts = { READY: 3 };
    const rowZero = open.payouts[0]!;
    rowZero.snapshots = rowZero.snapshots.map((s) => ({ ...s, doc: pdoc(row(0), ['VALIDATING', 'AWAITING_APPROVAL']) }));
    expect(rules(open)).not.toContain('batch-counts-mismatch');
  });

  test('batch-final-status-changed: COMPLETED, then a later read says CANCELLED', () => {
    const obs = cancelledMidway(true);
    const later = obs.batches![0]!.snapshots.at(-1)!;
    later.doc = { ...later.doc, status: 'CANCELLED', timeline: [...later.doc.timeline.slice(0, -1), { status: 'CANCELLED', at: iso(T0 + 9_000) }] };
    expect(rules(obs)).toContain('batch-final-status-changed');
  });

  test('batch-illegal-transition: REJECTED after PROCESSING, and a status that disagrees with the timeline', () => {
    const obs = approvedBatch();
    obs.batches![0]!.snapshots.push(bsnap(T0 + 87_000, bdoc(['VALIDATING', 'AWAITING_APPROVAL', 'PROCESSING', 'REJECTED'], { counts: { SUCCEEDED: 1, CANCELLED: 1, INVALID: 1 } })));
    expect(rules(obs)).toContain('batch-illegal-transition');
    const disagrees = approvedBatch();
    disagrees.batches![0]!.snapshots[1]!.doc = { ...AWAITING, status: 'PROCESSING' };
    expect(rules(disagrees)).toContain('batch-illegal-transition');
  });

  test('batch-refused-approval-changed: a read after the refused approval shows it approved, or the right approval is then refused', () => {
    const changed = approvedBatch();
    changed.batches![0]!.snapshots[2]!.doc = { ...AWAITING, approval: { decision: 'APPROVED', by: APPROVER, count: 1, total: { value: '11000.00' } } };
    expect(rules(changed)).toContain('batch-refused-approval-changed');

    const refusedAgain = approvedBatch();
    const batch = refusedAgain.batches![0]!;
    batch.decisions[2] = bdecision('approve', T0 + 5_000, 409, { problem: 'not-awaiting-approval', expected: { count: 1, total: 10_000 }, excluded: [row(1)] });
    batch.snapshots.splice(3, 1); // no approve answer
    expect(rules(refusedAgain)).toContain('batch-refused-approval-changed');

    // An EXPIRED read once the deadline passed is not the refusal's doing.
    const expired = approvedBatch();
    const gone = bdoc(['VALIDATING', 'AWAITING_APPROVAL', 'EXPIRED'], { approval: { decision: 'EXPIRED', by: 'deadline' } });
    expired.batches![0]!.snapshots = [...expired.batches![0]!.snapshots.slice(0, 3), bsnap(T0 + 51_000, gone), bsnap(T0 + 86_000, gone)];
    expired.batches![0]!.decisions = expired.batches![0]!.decisions.slice(0, 2);
    expect(rules(expired)).not.toContain('batch-refused-approval-changed');
  });

  test('batch-pays-more-than-approved: more rows approved than the approver asserted, or an answer with other figures', () => {
    const obs = approvedBatch();
    // Row 1, excluded, shows an approval after all (and is paid).
    obs.payouts[1]!.snapshots.push(snap(T0 + 87_000, pdoc(row(1), ['VALIDATING', 'AWAITING_APPROVAL', 'PROCESSING'], approvedBy())));
    expect(rules(obs)).toContain('batch-pays-more-than-approved');
    const other = approvedBatch();
    other.batches![0]!.snapshots[3]!.doc.approval = { ...APPROVAL, count: 2, total: { value: '20000.00' } };
    expect(rules(other)).toContain('batch-pays-more-than-approved');
  });

  test('batch-row-decided-alone: a row approved on its own answered 200, or a row shows an approval its batch never gave', () => {
    const obs = approvedBatch();
    obs.batches![0]!.decisions[0] = bdecision('row-approve', T0 + 3_500, 200, { tag: 'row-alone', row: row(0), answeredStatus: 'PROCESSING' });
    expect(rules(obs)).toContain('batch-row-decided-alone');
    const signal = againstBatch('REJECTED');
    signal.payouts[0]!.snapshots.splice(1, 0, snap(T0 + 4_000, pdoc(row(0), ['VALIDATING', 'AWAITING_APPROVAL', 'PROCESSING'], approvedBy())));
    expect(rules(signal)).toContain('batch-row-decided-alone');
  });

  test('batch-not-final: still PROCESSING at the last look, unless a row needs attention', () => {
    const obs = cancelledMidway(true);
    for (const s of obs.batches![0]!.snapshots.slice(-2)) s.doc = { ...s.doc, status: 'PROCESSING', timeline: s.doc.timeline.slice(0, -1) };
    expect(rules(obs)).toEqual(['batch-not-final']);
    const attention = cancelledMidway(true);
    for (const s of attention.batches![0]!.snapshots.slice(-2)) s.doc = { ...s.doc, status: 'PROCESSING', timeline: s.doc.timeline.slice(0, -1) };
    const needs = pdoc(row(0), ['VALIDATING', 'AWAITING_APPROVAL', 'PROCESSING', 'NEEDS_ATTENTION'], { ...approvedBy(), ...submitted });
    attention.payouts[0]!.snapshots = attention.payouts[0]!.snapshots.map((s, i) => (i === 0 ? s : { ...s, doc: needs }));
    attention.ledger = [transfer(0, { status: '03' })];
    expect(rules(attention)).not.toContain('batch-not-final');
    const never = approvedBatch();
    never.batches![0]!.snapshots = [];
    expect(rules(never)).toContain('batch-not-final');
  });

  test('four-eyes: a batch approved by its requester, however spelt', () => {
    const obs = approvedBatch();
    for (const s of obs.batches![0]!.snapshots) if (s.doc.approval) s.doc.approval = { ...s.doc.approval, by: ' Requester@Local' };
    expect(rules(obs)).toContain('four-eyes');
  });
});
