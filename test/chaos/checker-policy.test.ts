// The approval policy's rules (issue 15) against hand-made observations: a run that keeps them has no
// violation, and each rule fires on the smallest observation that breaks it — fewer distinct approvers
// than the tier asks, one approver twice, the policy approving outside its bounds, a day's limit
// exceeded in the ledgers, a refusal whose figures do not add up or that left a trace, the limits'
// `used` not what the payouts hold, a batch's approvals excluding different rows.
import { check } from './checker';
import type { BatchRecord, ChaosPolicy, DecisionRecord, LedgerRow, LimitsReading, Observations, PayoutDocument, PayoutRecord, RuleId, Snapshot } from './model';

const T0 = Date.parse('2026-12-02T03:00:00.000Z'); // 10:00 in Jakarta: far from its midnight
const DAY = '2026-12-02';
const iso = (ms: number) => new Date(ms).toISOString();

const POLICY: ChaosPolicy = {
  tiers: [
    { minAmount: 0, approvals: 1 },
    { minAmount: 200_000, approvals: 2 },
  ],
  autoApprove: { maxAmount: 100_000, requesters: ['payroll-bot@local'] },
  limits: { perRequesterPerDay: 1_000_000, perDestinationPerDay: 400_000 },
};

const PAID = ['VALIDATING', 'AWAITING_APPROVAL', 'PROCESSING', 'SUCCEEDED'];

function doc(statuses: string[], extra: Partial<PayoutDocument> = {}): PayoutDocument {
  return { status: statuses[statuses.length - 1]!, requestedBy: 'requester@local', timeline: statuses.map((status, i) => ({ status, at: iso(T0 + i * 1_000) })), ...extra };
}

/** The documents' approval fields: the approvers in order, the last one's decision, the tier. */
function approved(approvers: string[], required: number, at = T0 + 2_000): Partial<PayoutDocument> {
  return {
    approvalsRequired: required,
    approvals: approvers.map((by, i) => ({ by, at: iso(at - (approvers.length - 1 - i) * 100) })),
    approval: { decision: 'APPROVED', by: approvers[approvers.length - 1]!, at: iso(at) },
  };
}

function snap(at: number, d: PayoutDocument, source: Snapshot['source'] = 'get'): Snapshot {
  return { source, sentAt: at, answeredAt: at + 10, doc: d };
}

let counter = 0;
/** A payout that ended `statuses` with these approval fields, read at 1.5 s, 5 s and 120 s (after the limits reading at 100 s). */
function payout(amount: number, fields: Partial<PayoutDocument>, overrides: Partial<PayoutRecord> = {}, statuses = PAID): PayoutRecord {
  counter += 1;
  const reference = overrides.reference ?? `CHAOS-P-${String(counter).padStart(4, '0')}`;
  const requestedBy = overrides.requestedBy ?? 'requester@local';
  const end = doc(statuses, { requestedBy, ...fields });
  return {
    reference,
    provider: 'singapay',
    amount,
    destinationNumber: `0812000${String(counter).padStart(5, '0')}`,
    requestedBy,
    createStatus: 201,
    snapshots: [snap(T0 + 1_500, doc(['VALIDATING', 'AWAITING_APPROVAL'], { requestedBy, approvalsRequired: fields.approvalsRequired ?? 1, approvals: [] })), snap(T0 + 5_000, end), snap(T0 + 120_000, end)],
    decisions: [],
    callbacks: [],
    ...overrides,
  };
}

function paid(p: PayoutRecord, overrides: Partial<LedgerRow> = {}): LedgerRow {
  return { provider: 'singapay', reference: p.reference, amount: p.amount, destinationNumber: p.destinationNumber, status: '00', triggerCalls: 1, acceptedAt: T0 + 3_000, ...overrides };
}

function reading(kind: LimitsReading['kind'], subject: string, used: number, at = T0 + 100_000): LimitsReading {
  const limit = kind === 'requester' ? POLICY.limits!.perRequesterPerDay! : POLICY.limits!.perDestinationPerDay!;
  return { kind, subject, sentAt: at, answeredAt: at + 10, date: DAY, used, limit, remaining: Math.max(0, limit - used) };
}

function observations(payouts: PayoutRecord[], ledger: LedgerRow[], extra: Partial<Observations> = {}): Observations {
  return { payouts, ledger, answers: [], faultsStoppedAt: T0 + 60_000, settleWithinMs: 20_000, policy: POLICY, ...extra };
}

/** The rules that fired; not-settled-in-time aside (some fixtures end with their payout still open, which that rule judges elsewhere). */
const rules = (obs: Observations): RuleId[] => [...new Set(check(obs).map((v) => v.rule))].filter((r) => r !== 'not-settled-in-time').sort();

function limitRefusal(who: string, at: number, limit: DecisionRecord['limit']): DecisionRecord {
  return { decision: 'approve', via: 'api', who, tag: 'second', sentAt: at, answeredAt: at + 50, httpStatus: 409, problem: 'limit-exceeded', limit };
}

describe('a run that keeps the policy', () => {
  test('two distinct approvers for a payout of the upper tier, the policy for a small one of the listed requester, the limits as the payouts hold them: no violation', () => {
    const two = payout(250_000, approved(['approver@local', 'admin@local'], 2));
    const auto = payout(50_000, approved(['policy'], 1), { requestedBy: 'payroll-bot@local' });
    const one = payout(120_000, approved(['admin@local'], 1));
    // Refused by the limits, with figures that add up; it expired and holds nothing.
    const refused = payout(
      150_000,
      { approvalsRequired: 1, approvals: [] },
      { decisions: [limitRefusal('approver', T0 + 2_000, { scope: 'requester', limit: 1_000_000, used: 900_000, remaining: 100_000, requested: 150_000, day: DAY })] },
      ['VALIDATING', 'AWAITING_APPROVAL', 'EXPIRED'],
    );
    const limits = [
      reading('requester', 'requester@local', 370_000),
      reading('requester', 'payroll-bot@local', 50_000),
      reading('destination', two.destinationNumber, 250_000),
      reading('destination', refused.destinationNumber, 0),
    ];
    expect(check(observations([two, auto, one, refused], [paid(two), paid(auto), paid(one)], { limits }))).toEqual([]);
  });

  test('without a policy in the observations, none of its rules judges', () => {
    const short = payout(250_000, approved(['approver@local'], 1));
    expect(check(observations([short], [paid(short)], { policy: undefined }))).toEqual([]);
  });
});

describe('approvals', () => {
  test('approvals-short: money moved for a payout of the two-approver tier with one approver', () => {
    const p = payout(250_000, approved(['approver@local'], 2));
    expect(rules(observations([p], [paid(p)]))).toEqual(['approvals-short']);
    // Not before money moved: a payout waiting for its second approver breaks nothing.
    const waiting = payout(250_000, { approvalsRequired: 2, approvals: [{ by: 'approver@local' }] }, {}, ['VALIDATING', 'AWAITING_APPROVAL']);
    expect(rules(observations([waiting], []))).toEqual([]);
  });

  test('approvals-short: the requester does not count among the approvers, nor does the policy outside its bounds', () => {
    const own = payout(250_000, approved(['requester@local', 'approver@local'], 2));
    expect(rules(observations([own], [paid(own)]))).toEqual(['approvals-short', 'four-eyes', 'transfer-not-as-approved']);
    const policyBig = payout(250_000, approved(['approver@local', 'policy'], 2), { requestedBy: 'payroll-bot@local' });
    expect(rules(observations([policyBig], [paid(policyBig)]))).toEqual(['approvals-short', 'auto-approval-outside-bounds']);
  });

  test('terms-not-as-policy: a payout showing fewer approvers required than its tier (and paid with that many)', () => {
    const p = payout(250_000, approved(['approver@local'], 1));
    expect(rules(observations([p], [paid(p)]))).toEqual(['approvals-short', 'terms-not-as-policy']);
  });

  test('approvals-not-distinct: one approver twice in a document', () => {
    const p = payout(250_000, { approvalsRequired: 2, approvals: [{ by: 'approver@local' }, { by: 'approver@local' }] }, {}, ['VALIDATING', 'AWAITING_APPROVAL']);
    expect(rules(observations([p], []))).toEqual(['approvals-not-distinct']);
    const paidTwice = payout(250_000, approved(['approver@local', 'approver@local'], 2));
    expect(rules(observations([paidTwice], [paid(paidTwice)]))).toEqual(['approvals-not-distinct', 'approvals-short']);
  });
});

describe('auto-approval', () => {
  test('auto-approval-outside-bounds: the policy approved a requester it does not list, or an amount above maxAmount', () => {
    const unlisted = payout(50_000, approved(['policy'], 1));
    expect(rules(observations([unlisted], [paid(unlisted)]))).toEqual(['approvals-short', 'auto-approval-outside-bounds']);
    const above = payout(150_000, approved(['policy'], 1), { requestedBy: 'payroll-bot@local' });
    expect(rules(observations([above], [paid(above)]))).toEqual(['approvals-short', 'auto-approval-outside-bounds']);
    // Before any money moved too: the approval alone is outside the bounds.
    const cancelled = payout(150_000, approved(['policy'], 1), { requestedBy: 'payroll-bot@local' }, ['VALIDATING', 'AWAITING_APPROVAL', 'PROCESSING', 'CANCELLED']);
    expect(rules(observations([cancelled], []))).toEqual(['auto-approval-outside-bounds']);
    // Spelt otherwise, the listed requester is the same principal; at maxAmount exactly, within bounds.
    const within = payout(100_000, approved(['policy'], 1), { requestedBy: 'Payroll-Bot@local ' });
    expect(rules(observations([within], [paid(within)]))).toEqual([]);
  });

  test('auto-approval-outside-bounds: a batch row approved by the policy', () => {
    const row = payout(50_000, approved(['policy'], 1), { requestedBy: 'payroll-bot@local', batchId: 'CHAOS-B' });
    expect(rules(observations([row], [paid(row)]))).toEqual(['auto-approval-outside-bounds']);
  });
});

describe('daily limits in the ledgers', () => {
  test('daily-limit-exceeded: two payouts to one account moved more than its daily limit; not when one was refunded', () => {
    const a = payout(250_000, approved(['approver@local', 'admin@local'], 2));
    const b = payout(200_000, approved(['approver@local', 'admin@local'], 2), { destinationNumber: a.destinationNumber });
    expect(rules(observations([a, b], [paid(a), paid(b)]))).toEqual(['daily-limit-exceeded']);
    const refunded = payout(200_000, approved(['approver@local', 'admin@local'], 2), { destinationNumber: a.destinationNumber }, ['VALIDATING', 'AWAITING_APPROVAL', 'PROCESSING', 'FAILED']);
    expect(rules(observations([a, refunded], [paid(a), paid(refunded, { status: '06' })]))).toEqual([]);
  });

  test('daily-limit-exceeded: counted per Jakarta day (the same account on two days is within its limit)', () => {
    const a = payout(250_000, approved(['approver@local', 'admin@local'], 2));
    const nextDay = T0 + 24 * 3_600_000;
    const b = payout(200_000, approved(['approver@local', 'admin@local'], 2, nextDay), { destinationNumber: a.destinationNumber });
    expect(rules(observations([a, b], [paid(a), paid(b, { acceptedAt: nextDay + 1_000 })]))).toEqual([]);
  });

  test('daily-limit-exceeded: a requester over its day, a pending transfer counting as moved', () => {
    const many = [0, 1, 2, 3, 4].map(() => payout(250_000, approved(['approver@local', 'admin@local'], 2)));
    many[4] = payout(250_000, approved(['approver@local', 'admin@local'], 2), {}, ['VALIDATING', 'AWAITING_APPROVAL', 'PROCESSING']);
    expect(rules(observations(many, many.map((p, i) => paid(p, i === 4 ? { status: '03' } : {}))))).toEqual(['daily-limit-exceeded']);
    expect(rules(observations(many.slice(0, 4), many.slice(0, 4).map((p) => paid(p))))).toEqual([]);
  });
});

describe('refusals by the limits', () => {
  const figures = { scope: 'destination', limit: 400_000, used: 300_000, remaining: 100_000, requested: 150_000, day: DAY };
  const awaiting = (decisions: DecisionRecord[]) => payout(150_000, { approvalsRequired: 1, approvals: [] }, { decisions }, ['VALIDATING', 'AWAITING_APPROVAL', 'EXPIRED']);

  test('a refusal whose figures add up: no violation', () => {
    expect(rules(observations([awaiting([limitRefusal('approver', T0 + 2_000, figures)])], []))).toEqual([]);
  });

  test('limit-refusal-wrong: remaining is not limit − used, the request fits, another limit than the policy\'s, the request is not the amount, fields missing', () => {
    for (const wrong of [
      { ...figures, remaining: 50_000 },
      { ...figures, requested: 100_000 },
      { ...figures, limit: 500_000, remaining: 200_000 },
      { ...figures, requested: 160_000 },
      { scope: 'destination', limit: 400_000 },
    ]) {
      expect(rules(observations([awaiting([limitRefusal('approver', T0 + 2_000, wrong)])], []))).toEqual(['limit-refusal-wrong']);
    }
  });

  test('limit-refusal-wrong: a refused approval that shows among the approvals afterwards (it changed something)', () => {
    const refused = limitRefusal('approver', T0 + 2_000, { ...figures, requested: 250_000 });
    const p = payout(250_000, { approvalsRequired: 2, approvals: [{ by: 'admin@local', at: iso(T0 + 1_800) }] }, { decisions: [refused] }, ['VALIDATING', 'AWAITING_APPROVAL']);
    p.snapshots.push(snap(T0 + 2_200, doc(['VALIDATING', 'AWAITING_APPROVAL'], { approvalsRequired: 2, approvals: [{ by: 'admin@local' }, { by: 'approver@local' }] })));
    expect(rules(observations([p], []))).toEqual(['limit-refusal-wrong']);
  });
});

describe('no leak', () => {
  test('limit-leak: the limits report more used than the payouts hold (a failed payout not released)', () => {
    const ok = payout(150_000, approved(['approver@local'], 1));
    const failed = payout(100_000, approved(['approver@local'], 1), {}, ['VALIDATING', 'AWAITING_APPROVAL', 'PROCESSING', 'FAILED']);
    const limits = [reading('requester', 'requester@local', 250_000)];
    expect(rules(observations([ok, failed], [paid(ok)], { limits }))).toEqual(['limit-leak']);
    expect(rules(observations([ok, failed], [paid(ok)], { limits: [reading('requester', 'requester@local', 150_000)] }))).toEqual([]);
  });

  test('limit-leak: the limits report less than an open approved payout holds (PROCESSING counts)', () => {
    const open = payout(150_000, approved(['approver@local'], 1), {}, ['VALIDATING', 'AWAITING_APPROVAL', 'PROCESSING']);
    expect(rules(observations([open], [], { limits: [reading('destination', open.destinationNumber, 0)] }))).toEqual(['limit-leak']);
    expect(rules(observations([open], [], { limits: [reading('destination', open.destinationNumber, 150_000)] }))).toEqual([]);
  });

  test('not judged: a payout whose status changed around the reading, or that failed just before it (its release may be under way)', () => {
    const moving = payout(150_000, approved(['approver@local'], 1), {}, ['VALIDATING', 'AWAITING_APPROVAL', 'PROCESSING']);
    moving.snapshots[2] = snap(T0 + 120_000, doc(PAID, approved(['approver@local'], 1)));
    expect(rules(observations([moving], [paid(moving)], { limits: [reading('requester', 'requester@local', 0)] }))).toEqual([]);
    const justFailed = payout(100_000, approved(['approver@local'], 1), {}, ['VALIDATING', 'AWAITING_APPROVAL', 'PROCESSING', 'FAILED']);
    expect(rules(observations([justFailed], [], { limits: [reading('requester', 'requester@local', 100_000, T0 + 5_000)] }))).toEqual([]);
  });

  test('a payout approved on another day does not count on the day read', () => {
    const yesterday = payout(150_000, approved(['approver@local'], 1, T0 - 24 * 3_600_000));
    expect(rules(observations([yesterday], [paid(yesterday, { acceptedAt: T0 - 24 * 3_600_000 + 500 })], { limits: [reading('requester', 'requester@local', 0)] }))).toEqual([]);
    expect(rules(observations([yesterday], [paid(yesterday, { acceptedAt: T0 - 24 * 3_600_000 + 500 })], { limits: [reading('requester', 'requester@local', 150_000)] }))).toEqual(['limit-leak']);
  });
});

describe('batches', () => {
  function batch(approvals: { by: string; excludeReferences: string[] }[], status = 'COMPLETED'): { b: BatchRecord; rows: PayoutRecord[] } {
    const rows = [120_000, 130_000].map((amount, i) => payout(amount, approved([approvals[approvals.length - 1]?.by ?? 'approver@local'], 1), { reference: `CHAOS-B-0${i}`, batchId: 'CHAOS-B' }));
    const d = { status, requestedBy: 'requester@local', approvalsRequired: 2, approvals, timeline: [{ status: 'VALIDATING', at: iso(T0) }, { status: 'AWAITING_APPROVAL', at: iso(T0 + 1_000) }, { status: 'PROCESSING', at: iso(T0 + 2_000) }, { status, at: iso(T0 + 9_000) }] };
    const b: BatchRecord = { reference: 'CHAOS-B', plan: 'approve', requestedBy: 'requester@local', rows: rows.map((r) => r.reference), createStatus: 201, snapshots: [{ source: 'get', sentAt: T0 + 10_000, answeredAt: T0 + 10_010, doc: d }], decisions: [], listings: [] };
    return { b, rows };
  }

  test('two approvers with the same exclusions: no policy violation', () => {
    const { b, rows } = batch([
      { by: 'approver@local', excludeReferences: [] },
      { by: 'second-approver@local', excludeReferences: [] },
    ]);
    const found = check(observations(rows, rows.map((r) => paid(r)), { batches: [b] })).filter((v) => ['approvals-short', 'batch-approvals-differ', 'four-eyes', 'terms-not-as-policy'].includes(v.rule));
    expect(found).toEqual([]);
  });

  test('approvals-short: a batch totalling the two-approver tier paid rows with one approver', () => {
    const { b, rows } = batch([{ by: 'approver@local', excludeReferences: [] }]);
    expect(rules(observations(rows, rows.map((r) => paid(r)), { batches: [b] }))).toContain('approvals-short');
  });

  test('batch-approvals-differ: its approvals excluded different rows', () => {
    const { b, rows } = batch([
      { by: 'approver@local', excludeReferences: ['CHAOS-B-01'] },
      { by: 'second-approver@local', excludeReferences: [] },
    ]);
    expect(rules(observations(rows, [paid(rows[0]!)], { batches: [b] }))).toContain('batch-approvals-differ');
  });
});
