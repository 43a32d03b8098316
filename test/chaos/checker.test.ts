// The pure checker against hand-made observations: a clean run has no violation, each rule fires on
// the smallest observation that breaks it, and nothing fires on what only looks like a break
// (overlapping reads, a refunded transfer, NEEDS_ATTENTION going back to PROCESSING after the deadline).
import { check, ALLOWED_TRANSITIONS } from './checker';
import type { ApiAnswer, CallbackRecord, DecisionRecord, LedgerRow, Observations, PayoutDocument, PayoutRecord, RuleId, Snapshot } from './model';

const T0 = Date.parse('2026-12-02T10:00:00.000Z');
const iso = (ms: number) => new Date(ms).toISOString();
const REF = 'CHAOS-T-0001';

function doc(statuses: string[], extra: Partial<PayoutDocument> = {}, startMs = T0): PayoutDocument {
  return {
    id: REF,
    status: statuses[statuses.length - 1]!,
    requestedBy: 'requester@local',
    timeline: statuses.map((status, i) => ({ status, at: iso(startMs + i * 1_000) })),
    ...extra,
  };
}

const approval = (by = 'approver@local') => ({ approval: { decision: 'APPROVED', by, at: iso(T0 + 2_000) } });
const submitted = { transfer: { submittedAt: iso(T0 + 2_500) } };

function snap(at: number, d: PayoutDocument, source: Snapshot['source'] = 'get', tookMs = 10): Snapshot {
  return { source, sentAt: at, answeredAt: at + tookMs, doc: d };
}

function payout(overrides: Partial<PayoutRecord> = {}): PayoutRecord {
  return {
    reference: REF,
    provider: 'singapay',
    amount: 10_000,
    destinationNumber: '081200000000',
    requestedBy: 'requester@local',
    createStatus: 201,
    snapshots: [],
    decisions: [],
    callbacks: [],
    ...overrides,
  };
}

function row(overrides: Partial<LedgerRow> = {}): LedgerRow {
  return { provider: 'singapay', reference: REF, amount: 10_000, destinationNumber: '081200000000', status: '00', triggerCalls: 1, acceptedAt: T0 + 3_000, ...overrides };
}

function observations(payouts: PayoutRecord[], ledger: LedgerRow[] = [], answers: ApiAnswer[] = []): Observations {
  return { payouts, ledger, answers, faultsStoppedAt: T0 + 60_000, settleWithinMs: 20_000 };
}

/** A payout that went the whole way right: seen at each step, and one paid transfer. */
function succeeded(): { p: PayoutRecord; ledger: LedgerRow[] } {
  const p = payout({
    snapshots: [
      snap(T0 + 500, doc(['VALIDATING']), 'create'),
      snap(T0 + 1_500, doc(['VALIDATING', 'AWAITING_APPROVAL'])),
      snap(T0 + 2_100, doc(['VALIDATING', 'AWAITING_APPROVAL', 'PROCESSING'], approval()), 'approve'),
      snap(T0 + 3_100, doc(['VALIDATING', 'AWAITING_APPROVAL', 'PROCESSING'], { ...approval(), ...submitted })),
      snap(T0 + 5_000, doc(['VALIDATING', 'AWAITING_APPROVAL', 'PROCESSING', 'SUCCEEDED'], { ...approval(), ...submitted })),
      snap(T0 + 90_000, doc(['VALIDATING', 'AWAITING_APPROVAL', 'PROCESSING', 'SUCCEEDED'], { ...approval(), ...submitted })),
    ],
    decisions: [decision('approve', T0 + 2_000, 200, 'PROCESSING')],
  });
  return { p, ledger: [row()] };
}

function decision(kind: DecisionRecord['decision'], at: number, httpStatus: number, answeredStatus?: string): DecisionRecord {
  return { decision: kind, via: 'api', who: 'approver', tag: 'primary', sentAt: at, answeredAt: at + 50, httpStatus, ...(answeredStatus && { answeredStatus }) };
}

const rules = (obs: Observations): RuleId[] => [...new Set(check(obs).map((v) => v.rule))].sort();

describe('a clean run', () => {
  test('a payout that succeeded with one transfer of its amount to its account: no violation', () => {
    const { p, ledger } = succeeded();
    expect(check(observations([p], ledger))).toEqual([]);
  });

  test('a rejected, an expired, a cancelled and a failed payout without transfers: no violation', () => {
    const end = (statuses: string[], ref: string, extra: Partial<PayoutDocument> = {}) =>
      payout({ reference: ref, snapshots: [snap(T0 + 1_000, doc(statuses, { id: ref, ...extra })), snap(T0 + 85_000, doc(statuses, { id: ref, ...extra }))] });
    const payouts = [
      end(['VALIDATING', 'AWAITING_APPROVAL', 'REJECTED'], 'R1'),
      end(['VALIDATING', 'AWAITING_APPROVAL', 'EXPIRED'], 'R2'),
      end(['VALIDATING', 'AWAITING_APPROVAL', 'PROCESSING', 'CANCELLED'], 'R3'),
      end(['VALIDATING', 'FAILED'], 'R4'),
      end(['VALIDATING', 'AWAITING_APPROVAL', 'SCHEDULED', 'PROCESSING', 'NEEDS_ATTENTION', 'PROCESSING', 'FAILED'], 'R5', { ...approval(), ...submitted }),
    ];
    // R5's transfer failed at the provider and the money came back (06).
    expect(check(observations(payouts, [row({ reference: 'R5', status: '06' })]))).toEqual([]);
  });

  test('a policy approval, a 503 to a decision and 4xx answers are fine', () => {
    const { p, ledger } = succeeded();
    p.snapshots[4]!.doc.approval = { decision: 'APPROVED', by: 'policy' };
    const answers: ApiAnswer[] = [503, 409, 404, 401, 200].map((status) => ({ method: 'POST', route: 'POST /v1/payouts/{id}/approve', status, sentAt: T0, answeredAt: T0 + 5 }));
    expect(check(observations([p], ledger, answers))).toEqual([]);
  });
});

describe('each rule fires', () => {
  test('one-transfer-per-reference: two transfers for one reference, even at two providers', () => {
    const { p } = succeeded();
    expect(rules(observations([p], [row(), row({ provider: 'faspay', status: '03' })]))).toContain('one-transfer-per-reference');
  });

  test.each([
    ['REJECTED', ['VALIDATING', 'AWAITING_APPROVAL', 'REJECTED']],
    ['EXPIRED', ['VALIDATING', 'AWAITING_APPROVAL', 'EXPIRED']],
    ['CANCELLED', ['VALIDATING', 'AWAITING_APPROVAL', 'PROCESSING', 'CANCELLED']],
  ])('no-transfer-after-refusal: a payout that showed %s has a transfer', (_status, statuses) => {
    const p = payout({ snapshots: [snap(T0 + 4_000, doc(statuses, approval()))] });
    expect(rules(observations([p], [row({ status: '03' })]))).toContain('no-transfer-after-refusal');
  });

  test('no-transfer-after-refusal: a cancel answered 200 CANCELLED, then the payout paid (the issue-12 race)', () => {
    const { p, ledger } = succeeded();
    p.decisions.push(decision('cancel', T0 + 2_050, 200, 'CANCELLED'));
    // The cancel's document is not among the snapshots: its answer alone is the evidence.
    expect(rules(observations([p], ledger))).toEqual(expect.arrayContaining(['no-transfer-after-refusal', 'final-status-changed']));
  });

  test('no-transfer-after-refusal: CANCELLED only in a timeline (the status moved on)', () => {
    const p = payout({ snapshots: [snap(T0 + 9_000, doc(['VALIDATING', 'AWAITING_APPROVAL', 'PROCESSING', 'CANCELLED', 'SUCCEEDED'], approval()))] });
    expect(rules(observations([p], [row()]))).toEqual(expect.arrayContaining(['no-transfer-after-refusal', 'illegal-transition']));
  });

  test('final-status-changed: FAILED, then a later read says SUCCEEDED', () => {
    const failed = doc(['VALIDATING', 'AWAITING_APPROVAL', 'PROCESSING', 'FAILED'], approval());
    const later = doc(['VALIDATING', 'AWAITING_APPROVAL', 'PROCESSING', 'SUCCEEDED'], approval());
    const p = payout({ snapshots: [snap(T0 + 5_000, failed), snap(T0 + 6_000, later)] });
    expect(rules(observations([p]))).toContain('final-status-changed');
  });

  test('illegal-transition: every edge outside the table, and a status that disagrees with the timeline', () => {
    // A legal way to reach each status, so that the edge under test is the only illegal one.
    const pathTo: Record<string, string[]> = {
      VALIDATING: ['VALIDATING'],
      AWAITING_APPROVAL: ['VALIDATING', 'AWAITING_APPROVAL'],
      SCHEDULED: ['VALIDATING', 'AWAITING_APPROVAL', 'SCHEDULED'],
      PROCESSING: ['VALIDATING', 'AWAITING_APPROVAL', 'PROCESSING'],
      NEEDS_ATTENTION: ['VALIDATING', 'AWAITING_APPROVAL', 'PROCESSING', 'NEEDS_ATTENTION'],
      SUCCEEDED: ['VALIDATING', 'AWAITING_APPROVAL', 'PROCESSING', 'SUCCEEDED'],
      FAILED: ['VALIDATING', 'FAILED'],
      REJECTED: ['VALIDATING', 'AWAITING_APPROVAL', 'REJECTED'],
      EXPIRED: ['VALIDATING', 'AWAITING_APPROVAL', 'EXPIRED'],
      CANCELLED: ['VALIDATING', 'CANCELLED'],
    };
    const statuses = Object.keys(ALLOWED_TRANSITIONS);
    expect(Object.keys(pathTo).sort()).toEqual([...statuses].sort());
    for (const from of statuses) {
      for (const to of statuses) {
        if (from === to || ALLOWED_TRANSITIONS[from]!.includes(to)) continue;
        const p = payout({ snapshots: [snap(T0 + 80_000, doc([...pathTo[from]!, to]))] });
        const found = check(observations([p])).filter((v) => v.rule === 'illegal-transition');
        expect(found.map((v) => v.message).join('\n')).toContain(`${from} → ${to}`);
      }
    }
    const disagrees = payout({ snapshots: [snap(T0 + 80_000, { ...doc(['VALIDATING', 'AWAITING_APPROVAL', 'REJECTED']), status: 'AWAITING_APPROVAL' })] });
    expect(rules(observations([disagrees]))).toContain('illegal-transition');
    const noValidating = payout({ snapshots: [snap(T0 + 80_000, doc(['AWAITING_APPROVAL', 'REJECTED']))] });
    expect(rules(observations([noValidating]))).toContain('illegal-transition');
  });

  test('timeline-rewritten: a later document drops an entry an earlier one had', () => {
    const p = payout({
      snapshots: [
        snap(T0 + 3_000, doc(['VALIDATING', 'AWAITING_APPROVAL', 'PROCESSING', 'NEEDS_ATTENTION'], approval())),
        snap(T0 + 4_000, doc(['VALIDATING', 'AWAITING_APPROVAL', 'PROCESSING'], approval())),
        snap(T0 + 80_000, doc(['VALIDATING', 'AWAITING_APPROVAL', 'PROCESSING', 'NEEDS_ATTENTION'], approval())),
      ],
    });
    expect(rules(observations([p]))).toContain('timeline-rewritten');
  });

  test('cancelled-after-submission: CANCELLED although a document showed the transfer submitted', () => {
    const p = payout({
      snapshots: [
        snap(T0 + 3_000, doc(['VALIDATING', 'AWAITING_APPROVAL', 'PROCESSING'], { ...approval(), ...submitted })),
        snap(T0 + 80_000, doc(['VALIDATING', 'AWAITING_APPROVAL', 'PROCESSING', 'CANCELLED'])),
      ],
    });
    expect(rules(observations([p]))).toEqual(['cancelled-after-submission']);
  });

  test('conflicting-decisions: approve and reject both answered 200', () => {
    const { p, ledger } = succeeded();
    p.decisions.push(decision('reject', T0 + 2_000, 200, 'REJECTED'));
    expect(rules(observations([p], ledger))).toContain('conflicting-decisions');
  });

  test('failed-but-money-moves: FAILED while the provider paid, and while it still holds a pending transfer', () => {
    const failed = () => payout({ snapshots: [snap(T0 + 80_000, doc(['VALIDATING', 'AWAITING_APPROVAL', 'PROCESSING', 'FAILED'], { ...approval(), ...submitted }))] });
    expect(rules(observations([failed()], [row({ status: '00' })]))).toEqual(['failed-but-money-moves']);
    expect(rules(observations([failed()], [row({ status: '03' })]))).toEqual(['failed-but-money-moves']);
    expect(rules(observations([failed()], [row({ status: '04' })]))).toEqual([]);
  });

  test('succeeded-without-one-transfer: SUCCEEDED with no paid transfer, or one of another amount', () => {
    const { p } = succeeded();
    expect(rules(observations([p], []))).toEqual(['succeeded-without-one-transfer']);
    expect(rules(observations([p], [row({ status: '03' })]))).toEqual(['succeeded-without-one-transfer']);
    expect(rules(observations([p], [row({ amount: 11_000 })]))).toEqual(expect.arrayContaining(['succeeded-without-one-transfer', 'transfer-not-as-approved']));
  });

  test('transfer-not-as-approved: no approval seen, approved by the requester, before scheduledAt, wrong account, unknown reference', () => {
    const { p, ledger } = succeeded();
    const unapproved = payout({ snapshots: [snap(T0 + 80_000, doc(['VALIDATING', 'AWAITING_APPROVAL', 'PROCESSING', 'SUCCEEDED']))] });
    expect(rules(observations([unapproved], ledger))).toEqual(['transfer-not-as-approved']);

    const byRequester = succeeded().p;
    for (const s of byRequester.snapshots) if (s.doc.approval) s.doc.approval.by = ' Requester@Local';
    expect(rules(observations([byRequester], ledger))).toEqual(['four-eyes', 'transfer-not-as-approved']);

    const early = { ...p, scheduledAt: iso(T0 + 3_001) };
    expect(rules(observations([early], ledger))).toEqual(['transfer-not-as-approved']);
    expect(rules(observations([p], [row({ destinationNumber: '081299999999' })]))).toEqual(expect.arrayContaining(['transfer-not-as-approved']));
    expect(rules(observations([p], [...ledger, row({ reference: 'NOT-OURS' })]))).toEqual(['transfer-not-as-approved']);
  });

  test('fee-not-as-shown: the provider charged another fee than the documents showed; the same fee, or a ledger without fees, is fine', () => {
    const shown = (fee: string) => {
      const { p } = succeeded();
      for (const s of p.snapshots) if (s.doc.status !== 'VALIDATING') s.doc.inquiry = { fee: { value: fee } };
      return p;
    };
    expect(rules(observations([shown('2500.00')], [row({ fee: 2_500 })]))).toEqual([]);
    expect(rules(observations([shown('2500.00')], [row()]))).toEqual([]);
    expect(rules(observations([shown('0.00')], [row({ fee: 1_803 })]))).toEqual(['fee-not-as-shown']);
    const changed = shown('2500.00');
    changed.snapshots[changed.snapshots.length - 1]!.doc.inquiry = { fee: { value: '3000.00' } };
    expect(rules(observations([changed], [row({ fee: 2_500 })]))).toEqual(['fee-not-as-shown']);
  });

  test('four-eyes: an approval by the requester, spelt differently, even without a transfer', () => {
    const p = payout({ snapshots: [snap(T0 + 80_000, doc(['VALIDATING', 'AWAITING_APPROVAL', 'PROCESSING', 'CANCELLED'], approval('REQUESTER@local ')))] });
    expect(rules(observations([p]))).toEqual(['four-eyes']);
  });

  test('resolve-not-from-attention and four-eyes: a resolution of a payout that did not need attention, or by its requester', () => {
    const resolved = (statuses: string[], who = 'admin') => {
      const at = T0 + 85_000;
      return payout({
        snapshots: [snap(T0 + 70_000, doc(statuses.slice(0, -1), approval())), snap(at, doc(statuses, approval()), 'resolve')],
        decisions: [{ decision: 'resolve', via: 'api', who, tag: 'resolve', sentAt: at, answeredAt: at + 10, httpStatus: 200, answeredStatus: statuses[statuses.length - 1] }],
      });
    };
    expect(check(observations([resolved(['VALIDATING', 'AWAITING_APPROVAL', 'PROCESSING', 'NEEDS_ATTENTION', 'FAILED'])]))).toEqual([]);
    expect(rules(observations([resolved(['VALIDATING', 'AWAITING_APPROVAL', 'PROCESSING', 'FAILED'])]))).toEqual(['resolve-not-from-attention']);
    expect(rules(observations([resolved(['VALIDATING', 'AWAITING_APPROVAL', 'PROCESSING', 'NEEDS_ATTENTION', 'FAILED'], 'requester')]))).toEqual(['four-eyes']);
  });

  test('api-5xx and api-no-answer: a 500, a 502, and a request that got no answer', () => {
    const answer = (status: number): ApiAnswer => ({ method: 'POST', route: 'POST /v1/payouts/{id}/cancel', reference: REF, status, sentAt: T0, answeredAt: T0 + 10_000 });
    expect(rules(observations([], [], [answer(500)]))).toEqual(['api-5xx']);
    expect(rules(observations([], [], [answer(502)]))).toEqual(['api-5xx']);
    expect(rules(observations([], [], [answer(302)]))).toEqual(['api-5xx']);
    expect(rules(observations([], [], [answer(0)]))).toEqual(['api-no-answer']);
  });

  test('forged-callback-accepted and late-callback-accepted', () => {
    const { p, ledger } = succeeded();
    const cb = (variant: CallbackRecord['variant'], httpStatuses: number[]): CallbackRecord => ({ variant, provider: 'singapay', httpStatuses, sentAt: T0 });
    p.callbacks = [cb('forged', [200]), cb('late', [200]), cb('replay', [200, 200]), cb('valid', [200])];
    expect(rules(observations([p], ledger))).toEqual(['forged-callback-accepted', 'late-callback-accepted']);
    p.callbacks = [cb('forged', [401]), cb('late', [401])];
    expect(rules(observations([p], ledger))).toEqual([]);
  });

  test('not-settled-in-time: still PROCESSING when read after the deadline, or never seen after it', () => {
    const processing = doc(['VALIDATING', 'AWAITING_APPROVAL', 'PROCESSING'], approval());
    const deadline = T0 + 60_000 + 20_000;
    const late = payout({ snapshots: [snap(deadline + 1, processing)] });
    expect(rules(observations([late]))).toEqual(['not-settled-in-time']);
    const unseen = payout({ snapshots: [snap(T0 + 70_000, processing)] });
    expect(rules(observations([unseen]))).toEqual(['not-settled-in-time']);
    const lost = payout({ snapshots: [] });
    expect(rules(observations([lost]))).toEqual(['not-settled-in-time']);
  });
});

describe('nothing fires on what only looks like a break', () => {
  test('overlapping reads: a non-final answer that may have been read before the final one', () => {
    const { p, ledger } = succeeded();
    // Sent before the SUCCEEDED read was answered, answered after it: it may have been read first.
    p.snapshots.push(snap(T0 + 4_990, doc(['VALIDATING', 'AWAITING_APPROVAL', 'PROCESSING'], { ...approval(), ...submitted }), 'get', 100));
    expect(check(observations([p], ledger))).toEqual([]);
  });

  test('NEEDS_ATTENTION by the deadline, back to PROCESSING after it', () => {
    const deadline = T0 + 80_000;
    const attention = { status: 'NEEDS_ATTENTION', at: iso(deadline - 5_000) };
    const base = doc(['VALIDATING', 'AWAITING_APPROVAL', 'PROCESSING'], { ...approval(), ...submitted });
    const back: PayoutDocument = { ...base, status: 'PROCESSING', timeline: [...base.timeline, attention, { status: 'PROCESSING', at: iso(deadline + 1_000) }] };
    const p = payout({ snapshots: [snap(deadline + 2_000, back)] });
    expect(check(observations([p], [row({ status: '03' })]))).toEqual([]);
  });

  test('a payout whose create was refused and that never existed', () => {
    expect(check(observations([payout({ createStatus: 400 })]))).toEqual([]);
  });

  test('a decision sent again with its Idempotency-Key answers the first attempt\'s (older) document', () => {
    const scheduled = doc(['VALIDATING', 'AWAITING_APPROVAL', 'SCHEDULED'], approval());
    const cancelled = doc(['VALIDATING', 'AWAITING_APPROVAL', 'SCHEDULED', 'CANCELLED'], approval());
    const replay = (readFrom?: number) =>
      payout({
        snapshots: [snap(T0 + 2_000, scheduled, 'approve'), snap(T0 + 3_000, cancelled), { ...snap(T0 + 4_000, scheduled, 'approve'), ...(readFrom !== undefined && { readFrom }) }, snap(T0 + 90_000, cancelled)],
      });
    expect(check(observations([replay(T0 + 2_000)]))).toEqual([]);
    // Without knowing it was a replay, the same answer is a final status changing.
    expect(rules(observations([replay()]))).toEqual(['final-status-changed', 'timeline-rewritten']);
  });

  test('the same status twice in a timeline is a note, not a transition', () => {
    const { p, ledger } = succeeded();
    p.snapshots.push(snap(T0 + 95_000, doc(['VALIDATING', 'AWAITING_APPROVAL', 'PROCESSING', 'PROCESSING', 'SUCCEEDED'], { ...approval(), ...submitted })));
    expect(check(observations([p], ledger)).filter((v) => v.rule === 'illegal-transition')).toEqual([]);
  });
});

describe('reporting', () => {
  test('one violation per rule and payout, counting the other observations like it', () => {
    const bad = doc(['VALIDATING', 'AWAITING_APPROVAL', 'PROCESSING', 'CANCELLED', 'SUCCEEDED'], approval());
    const p = payout({ snapshots: [snap(T0 + 80_000, bad), snap(T0 + 81_000, bad, 'get'), snap(T0 + 82_000, bad, 'get')] });
    const illegal = check(observations([p], [row()])).filter((v) => v.rule === 'illegal-transition');
    expect(illegal).toHaveLength(1);
    expect(illegal[0]!.message).toMatch(/CANCELLED → SUCCEEDED .*\(and 2 more observation\(s\) like it\)$/);
  });
});
