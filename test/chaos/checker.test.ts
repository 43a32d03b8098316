// The pure checker against hand-made observations: a clean run has no violation, each rule fires on
// the smallest observation that breaks it, and nothing fires on what only looks like a break
// (overlapping reads, a refunded transfer, NEEDS_ATTENTION going back to PROCESSING after the deadline).
import { check, outagesOf, ALLOWED_TRANSITIONS } from './checker';
import type { ApiAnswer, CallbackRecord, DecisionRecord, DeliveryLogRecord, EndpointObservation, LedgerRow, Observations, PayoutDocument, PayoutRecord, ReceivedEvent, RuleId, Snapshot } from './model';

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

describe('api-503-outside-outage (with the outages known)', () => {
  const answer = (status: number, sentAt: number, route = 'POST /v1/payouts/{id}/approve'): ApiAnswer => ({ method: 'POST', route, reference: REF, status, sentAt, answeredAt: sentAt + 50, instance: 'http://127.0.0.1:2' });
  // Temporal's server restarted from T0+10 s to T0+14 s; a 10 s grace on both sides: T0+0 s … T0+24 s.
  const outages = { graceMs: 10_000, windows: [{ kind: 'restart-server' as const, from: T0 + 10_000, to: T0 + 14_000 }] };
  const judged = (answers: ApiAnswer[]) => ({ ...observations([], [], answers), outages });

  test('a 503 to a request sent inside an outage window, or within the grace on either side of it, is fine', () => {
    expect(check(judged([answer(503, T0 + 12_000), answer(503, T0 + 24_000), answer(503, T0), answer(200, T0 + 40_000)]))).toEqual([]);
  });

  test('a 503 to a request sent outside every window (± the grace) is a violation, one per route with the count', () => {
    const found = check(judged([answer(503, T0 + 24_001), answer(503, T0 - 1), answer(503, T0 + 12_000), answer(503, T0 + 60_000, 'GET /v1/payouts/{id}')]));
    expect(found.map((v) => v.rule)).toEqual(['api-503-outside-outage', 'api-503-outside-outage']);
    expect(found[0]!.message).toMatch(/^POST \/v1\/payouts\/\{id\}\/approve answered 503 2 time\(s\) outside every outage \(restart-server .*\) widened by 10000 ms; first sent 2026-12-02T09:59:59\.999Z \(CHAOS-T-0001\) to http:\/\/127\.0\.0\.1:2, last sent 2026-12-02T10:00:24\.001Z$/);
    expect(found[0]!.reference).toBe(REF);
    expect(found[1]!.message).toMatch(/^GET \/v1\/payouts\/\{id\} answered 503 1 time\(s\)/);
  });

  test('with no outage in the run, every 503 is a violation; a 500 stays api-5xx inside a window too', () => {
    expect(rules({ ...observations([], [], [answer(503, T0 + 12_000)]), outages: { graceMs: 10_000, windows: [] } })).toEqual(['api-503-outside-outage']);
    expect(rules(judged([answer(500, T0 + 12_000)]))).toEqual(['api-5xx']);
  });

  test('without outages in the observations, 503s are not judged', () => {
    expect(check(observations([], [], [answer(503, T0 + 24_001), answer(503, T0 + 60_000)]))).toEqual([]);
  });

  test('the outages of a run are its server and database restarts, its worker kills and its scaling, each until it recovered', () => {
    const windows = [
      { kind: 'kill-worker' as const, from: 1, to: 2 },
      { kind: 'restart-server' as const, from: 3, to: 4 },
      { kind: 'scale-workers' as const, from: 5, to: 6 },
      { kind: 'restart-database' as const, from: 7, to: 8 },
    ];
    expect(outagesOf(windows, 500)).toEqual({ graceMs: 500, windows });
    // A 503 while a killed worker is replaced is allowed; one after it recovered and the grace passed is not.
    const kill = outagesOf([{ kind: 'kill-worker', from: T0, to: T0 + 5_000 }], 500);
    expect(rules({ ...observations([], [], [answer(503, T0 + 1_000)]), outages: kill })).toEqual([]);
    expect(rules({ ...observations([], [], [answer(503, T0 + 5_501)]), outages: kill })).toEqual(['api-503-outside-outage']);
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

describe('webhooks', () => {
  const ALL = ['payout.validating', 'payout.awaiting_approval', 'payout.scheduled', 'payout.processing', 'payout.needs_attention', 'payout.succeeded', 'payout.failed', 'payout.rejected', 'payout.expired', 'payout.cancelled'];
  const FINAL = ['payout.succeeded', 'payout.failed', 'payout.cancelled', 'payout.rejected', 'payout.expired', 'payout.needs_attention'];
  const DRAINED = T0 + 100_000;

  /** The event of the payout's `sequence`th status as the service sends it, received at `at`. */
  function event(p: PayoutRecord, sequence: number, at: number, overrides: Partial<ReceivedEvent> = {}): ReceivedEvent {
    const timeline = longest(p);
    const entry = timeline[sequence - 1]!;
    return {
      webhookId: `evt_${p.reference}.${sequence}`,
      eventId: `evt_${p.reference}.${sequence}`,
      type: `payout.${entry.status.toLowerCase()}`,
      createdAt: entry.at,
      sequence,
      payoutId: p.reference,
      payoutStatus: entry.status,
      timeline: timeline.slice(0, sequence).map((e) => ({ status: e.status, at: e.at })),
      shownNumber: `********${p.destinationNumber.slice(-4)}`,
      verifiedByReference: true,
      receivedAt: at,
      ...overrides,
    };
  }
  const longest = (p: PayoutRecord) => p.snapshots.reduce<PayoutDocument['timeline']>((l, s) => (s.doc.timeline.length > l.length ? s.doc.timeline : l), []);

  /** Every event of the payout's timeline that `events` subscribes to, in order, 300 ms apart after each status. */
  function inOrder(p: PayoutRecord, events: string[]): ReceivedEvent[] {
    return longest(p)
      .map((entry, i) => event(p, i + 1, Date.parse(entry.at) + 300))
      .filter((e) => events.includes(e.type));
  }

  function logOf(received: ReceivedEvent[]): DeliveryLogRecord[] {
    return [...new Map(received.map((d) => [d.eventId, d])).values()].map((d) => ({ eventId: d.eventId, type: d.type, payoutId: d.payoutId, sequence: d.sequence, state: 'DELIVERED', attempts: 1, lastHttpStatus: 204 }));
  }

  function endpoint(name: string, events: string[], received: ReceivedEvent[], overrides: Partial<EndpointObservation> = {}): EndpointObservation {
    return { name, id: `we_${name}`, url: `http://127.0.0.1:1/${name}`, events, received, refused: [], log: logOf(received), logReadAt: DRAINED + 1_000, ...overrides };
  }

  function withWebhooks(p: PayoutRecord, ledger: LedgerRow[], endpoints: EndpointObservation[]): Observations {
    return { ...observations([p], ledger), webhooks: { endpoints, drainedAt: DRAINED, drainWithinMs: 60_000, faultWindows: [] } };
  }

  /** The succeeded payout, both endpoints with what they are owed, in order. */
  function clean(): { p: PayoutRecord; ledger: LedgerRow[]; all: EndpointObservation; final: EndpointObservation } {
    const { p, ledger } = succeeded();
    return { p, ledger, all: endpoint('all', ALL, inOrder(p, ALL)), final: endpoint('final', FINAL, inOrder(p, FINAL)) };
  }

  const webhookRules = (obs: Observations) => rules(obs).filter((r) => r.startsWith('webhook-'));

  test('every status once, in order, verified, at both endpoints: no violation; a duplicate (at least once) is allowed', () => {
    const { p, ledger, all, final } = clean();
    expect(all.received.map((d) => d.type)).toEqual(['payout.validating', 'payout.awaiting_approval', 'payout.processing', 'payout.succeeded']);
    expect(final.received.map((d) => d.type)).toEqual(['payout.succeeded']);
    expect(check(withWebhooks(p, ledger, [all, final]))).toEqual([]);
    // A redelivery of an event already received, even after later ones (its answer was lost).
    all.received.push(event(p, 2, T0 + 6_000));
    expect(check(withWebhooks(p, ledger, [all, final]))).toEqual([]);
  });

  test('webhook-event-missing: a status of the timeline never reached an endpoint that subscribed to it', () => {
    const { p, ledger, all, final } = clean();
    all.received.splice(2, 1); // payout.processing
    all.log = logOf(all.received);
    expect(webhookRules(withWebhooks(p, ledger, [all, final]))).toEqual(['webhook-event-missing']);
    const none = endpoint('final', FINAL, []);
    const found = check(withWebhooks(p, ledger, [clean().all, none]));
    expect(found.map((v) => v.rule)).toEqual(['webhook-event-missing']);
    expect(found[0]!.message).toContain(`evt_${REF}.4 (payout.succeeded`);
  });

  test('webhook-event-missing: not for a status first seen after the drain ended (it may still be on its way)', () => {
    const { p, ledger, all, final } = clean();
    // The payout went on after the drain ended: NEEDS_ATTENTION → … seen only in a read after it.
    const later = doc(['VALIDATING', 'AWAITING_APPROVAL', 'PROCESSING', 'SUCCEEDED'], { ...approval(), ...submitted });
    p.snapshots = p.snapshots.filter((s) => s.doc.status !== 'SUCCEEDED');
    p.snapshots.push(snap(DRAINED + 5_000, later));
    all.received = all.received.filter((d) => d.sequence < 4);
    all.log = logOf(all.received);
    final.received = [];
    final.log = [];
    expect(webhookRules(withWebhooks(p, ledger, [all, final]))).toEqual([]);
  });

  test('webhook-out-of-order: an event arriving for the first time after a later one', () => {
    const { p, ledger, all, final } = clean();
    const [validating, awaiting, processing, done] = all.received;
    all.received = [validating!, processing!, awaiting!, done!];
    const found = check(withWebhooks(p, ledger, [all, final]));
    expect(found.map((v) => v.rule)).toEqual(['webhook-out-of-order']);
    expect(found[0]!.message).toContain(`evt_${REF}.2 (payout.awaiting_approval, sequence 2) first arrived`);
  });

  test('webhook-invented: another type or time than the timeline, a type not subscribed to, an unknown payout, a wrong id, a status the payout never entered', () => {
    const base = clean();
    const variants: [string, (e: EndpointObservation, p: PayoutRecord) => void][] = [
      ['another type', (e) => (e.received[1] = { ...e.received[1]!, type: 'payout.scheduled' })],
      ['another createdAt', (e) => (e.received[1] = { ...e.received[1]!, createdAt: iso(T0 + 1_001) })],
      ['another payout status in the body', (e) => (e.received[1] = { ...e.received[1]!, payoutStatus: 'PROCESSING' })],
      ['another timeline in the body', (e) => (e.received[2] = { ...e.received[2]!, timeline: e.received[2]!.timeline.slice(0, 2) })],
      ['a type the endpoint did not subscribe to', (e, p) => e.received.unshift(event(p, 1, T0 + 100))],
      ['an unknown payout', (e) => e.received.push({ ...e.received[0]!, eventId: 'evt_NOT-OURS.1', webhookId: 'evt_NOT-OURS.1', payoutId: 'NOT-OURS' })],
      ['an id that is not the sequence', (e) => (e.received[0] = { ...e.received[0]!, eventId: `evt_${REF}.7`, webhookId: `evt_${REF}.7` })],
      // Sequence 5 (after SUCCEEDED), and the payout read after it arrived shows 4 entries.
      ['a status never entered', (e) => e.received.push({ ...e.received.at(-1)!, eventId: `evt_${REF}.5`, webhookId: `evt_${REF}.5`, sequence: 5, type: 'payout.failed', receivedAt: T0 + 80_000 })],
    ];
    for (const [what, change] of variants) {
      const { p, ledger, all, final } = clean();
      const target = what === 'a type the endpoint did not subscribe to' || what === 'an id that is not the sequence' ? final : all;
      change(target, p);
      target.log = logOf(target.received);
      expect([what, webhookRules(withWebhooks(p, ledger, [all, final]))]).toEqual([what, expect.arrayContaining(['webhook-invented'])]);
    }
    expect(check(withWebhooks(base.p, base.ledger, [base.all, base.final]))).toEqual([]);
  });

  test('webhook-invented: not for an event beyond the timelines seen when no read was sent after it arrived', () => {
    const { p, ledger, all, final } = clean();
    // Arrived after the last read was sent: the payout may have entered that status since.
    all.received.push({ ...all.received.at(-1)!, eventId: `evt_${REF}.5`, webhookId: `evt_${REF}.5`, sequence: 5, type: 'payout.failed', receivedAt: T0 + 95_000 });
    all.log = logOf(all.received);
    expect(webhookRules(withWebhooks(p, ledger, [all, final]))).toEqual([]);
  });

  test('webhook-unverified: refused by the reference verifier, a webhook-id that is not the event id, a delivery the receiver refused', () => {
    const broken = (change: (e: EndpointObservation) => void) => {
      const { p, ledger, all, final } = clean();
      change(all);
      return webhookRules(withWebhooks(p, ledger, [all, final]));
    };
    expect(broken((e) => (e.received[0] = { ...e.received[0]!, verifiedByReference: false }))).toEqual(['webhook-unverified']);
    expect(broken((e) => (e.received[0] = { ...e.received[0]!, webhookId: 'msg_other' }))).toEqual(['webhook-unverified']);
    expect(broken((e) => e.refused.push({ at: T0 + 500, reason: 'no signature matches' }))).toEqual(['webhook-unverified']);
  });

  test('webhook-number-unmasked: the destination number in full (or masked otherwise)', () => {
    const { p, ledger, all, final } = clean();
    all.received[0] = { ...all.received[0]!, shownNumber: p.destinationNumber };
    expect(webhookRules(withWebhooks(p, ledger, [all, final]))).toEqual(['webhook-number-unmasked']);
  });

  test('webhook-log-mismatch: the log does not show DELIVERED for an event received before it was read, or shows DELIVERED for one never received', () => {
    const mismatch = (change: (e: EndpointObservation) => void) => {
      const { p, ledger, all, final } = clean();
      change(all);
      return webhookRules(withWebhooks(p, ledger, [all, final]));
    };
    expect(mismatch((e) => (e.log = e.log!.slice(1)))).toEqual(['webhook-log-mismatch']);
    expect(mismatch((e) => (e.log![1] = { ...e.log![1]!, state: 'PENDING', attempts: 3, lastError: 'connect ECONNREFUSED' }))).toEqual(['webhook-log-mismatch']);
    expect(mismatch((e) => e.log!.push({ eventId: 'evt_X.1', type: 'payout.validating', payoutId: 'X', sequence: 1, state: 'DELIVERED', attempts: 1, lastHttpStatus: 204 }))).toEqual(['webhook-log-mismatch']);
    expect(mismatch((e) => delete e.log)).toEqual(['webhook-log-mismatch']);
    // Received after the log was read: the log may not show it yet.
    const notYet = (e: EndpointObservation) => {
      e.logReadAt = e.received.at(-1)!.receivedAt - 1;
      e.log = e.log!.slice(0, -1);
    };
    expect(mismatch(notYet)).toEqual([]);
  });
});
