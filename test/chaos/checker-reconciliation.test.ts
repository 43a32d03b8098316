// The reconciliation rules (issue 18) against hand-made observations: a run whose reconciliation
// agrees with what it saw has no violation; each rule fires on the smallest observation that breaks
// it; and what only looks like a disagreement does not fire (a payout that settled while the
// reconciliation read it, one whose submission the run saw only afterwards, one of another day, a
// broken payout counted in neither matched nor pending).
import { check, reconciliationExpectation } from './checker';
import type { Observations, PayoutDocument, PayoutRecord, ReconciliationObservation, ReconciliationProviderFigures, RuleId, Snapshot, Violation } from './model';
import { jakartaDaysBetween } from './reconcile';

const T0 = Date.parse('2026-12-02T10:00:00.000Z'); // 17:00 in Jakarta
const DAY = '2026-12-02';
const iso = (ms: number) => new Date(ms).toISOString();
/** The reconciliation was asked for at T0 + 100 s and its report read at T0 + 110 s. */
const REC_SENT = T0 + 100_000;
const REC_READ = T0 + 110_000;

const PATHS: Record<string, string[]> = {
  SUCCEEDED: ['VALIDATING', 'AWAITING_APPROVAL', 'PROCESSING', 'SUCCEEDED'],
  FAILED: ['VALIDATING', 'AWAITING_APPROVAL', 'PROCESSING', 'FAILED'],
  PROCESSING: ['VALIDATING', 'AWAITING_APPROVAL', 'PROCESSING'],
  NEEDS_ATTENTION: ['VALIDATING', 'AWAITING_APPROVAL', 'PROCESSING', 'NEEDS_ATTENTION'],
  REJECTED: ['VALIDATING', 'AWAITING_APPROVAL', 'REJECTED'],
};

function doc(reference: string, status: string, submittedAt?: number): PayoutDocument {
  return {
    id: reference,
    status,
    requestedBy: 'requester@local',
    approval: { decision: 'APPROVED', by: 'approver@local', at: iso(T0 + 2_000) },
    ...(submittedAt !== undefined && { transfer: { submittedAt: iso(submittedAt) } }),
    timeline: PATHS[status]!.map((s, i) => ({ status: s, at: iso(T0 + i * 1_000) })),
  };
}

const snap = (at: number, d: PayoutDocument): Snapshot => ({ source: 'get', sentAt: at, answeredAt: at + 10, doc: d });

/**
 * A payout at `provider` read with status `before` just before the reconciliation was asked for and
 * `after` just after its report was read (none: not read after), submitted at `submittedAt`.
 */
function payout(reference: string, opts: { provider?: 'singapay' | 'faspay'; amount?: number; before: string; after?: string; submittedAt?: number; afterSubmitted?: number }): PayoutRecord {
  const submittedAt = opts.submittedAt;
  return {
    reference,
    provider: opts.provider ?? 'singapay',
    amount: opts.amount ?? 10_000,
    destinationNumber: '081200000000',
    requestedBy: 'requester@local',
    createStatus: 201,
    snapshots: [
      snap(T0 + 90_000, doc(reference, opts.before, submittedAt)),
      ...(opts.after !== undefined ? [snap(REC_READ + 1_000, doc(reference, opts.after, opts.afterSubmitted ?? submittedAt))] : []),
    ],
    decisions: [],
    callbacks: [],
  };
}

const tally = (count: number, total: number) => ({ count, total });

function figures(provider: string, ours: [number, number], matched: [number, number], pending: [number, number], breaks: Record<string, number> = {}): ReconciliationProviderFigures {
  return { provider, ours: tally(...ours), matched: tally(...matched), pending: tally(...pending), breaks };
}

function reconciliation(providers: ReconciliationProviderFigures[], extra: Partial<ReconciliationObservation> = {}): ReconciliationObservation {
  return { date: DAY, id: `reconciliation-${DAY}-all-abc`, sentAt: REC_SENT, answeredAt: REC_READ, status: 'COMPLETED', providers, breaks: [], flagged: [], ...extra };
}

function observations(payouts: PayoutRecord[], reconciliations: ReconciliationObservation[] | undefined): Observations {
  // The ledger is not what these rules read; the payout rules are kept quiet by matching rows.
  const ledger = payouts
    .filter((p) => p.snapshots.some((s) => s.doc.status === 'SUCCEEDED'))
    .map((p) => ({ provider: p.provider, reference: p.reference, amount: p.amount, destinationNumber: p.destinationNumber, status: '00', triggerCalls: 1, acceptedAt: T0 + 3_000 }));
  return { payouts, ledger, answers: [], faultsStoppedAt: T0 + 60_000, settleWithinMs: 20_000, ...(reconciliations && { reconciliations }) };
}

const reconciliationRules = (violations: Violation[]) => violations.filter((v) => v.rule.startsWith('reconciliation-'));
const rules = (obs: Observations): RuleId[] => [...new Set(reconciliationRules(check(obs)).map((v) => v.rule))].sort();

/** A day at Singapay: one paid, one failed after its submission, one never submitted, one open throughout. */
function aDay(): PayoutRecord[] {
  return [
    payout('S-PAID', { amount: 10_000, before: 'SUCCEEDED', submittedAt: T0 + 3_000 }),
    payout('S-FAILED', { amount: 20_000, before: 'FAILED', submittedAt: T0 + 3_000 }),
    payout('S-REJECTED', { amount: 40_000, before: 'REJECTED' }),
    payout('S-OPEN', { amount: 30_000, before: 'NEEDS_ATTENTION', after: 'NEEDS_ATTENTION', submittedAt: T0 + 3_000 }),
  ];
}
const agreeing = () => figures('singapay', [3, 60_000], [2, 30_000], [1, 30_000]);

describe('a reconciliation that agrees with the run', () => {
  test('the final payouts matched, the open one pending, the one never submitted not counted: no violation', () => {
    const obs = observations(aDay(), [reconciliation([agreeing(), figures('faspay', [0, 0], [0, 0], [0, 0])])]);
    expect(reconciliationRules(check(obs))).toEqual([]);
  });

  test('without reconciliations in the observations, these rules judge nothing', () => {
    expect(rules(observations(aDay(), undefined))).toEqual([]);
  });

  test('a payout that settled while the reconciliation read it may be matched or pending', () => {
    const payouts = [payout('S-SETTLING', { before: 'PROCESSING', after: 'SUCCEEDED', submittedAt: T0 + 3_000 })];
    expect(rules(observations(payouts, [reconciliation([figures('singapay', [1, 10_000], [1, 10_000], [0, 0])])]))).toEqual([]);
    expect(rules(observations(payouts, [reconciliation([figures('singapay', [1, 10_000], [0, 0], [1, 10_000])])]))).toEqual([]);
  });

  test('a payout shown submitted only after the reconciliation was asked for may be counted or not', () => {
    const late = payout('S-LATE', { before: 'PROCESSING', after: 'SUCCEEDED', afterSubmitted: REC_SENT + 500 });
    expect(reconciliationExpectation(late, { date: DAY, sentAt: REC_SENT, answeredAt: REC_READ })).toBe('maybe');
    expect(rules(observations([late], [reconciliation([figures('singapay', [1, 10_000], [0, 0], [1, 10_000])])]))).toEqual([]);
    expect(rules(observations([late], [reconciliation([figures('singapay', [0, 0], [0, 0], [0, 0])])]))).toEqual([]);
  });

  test('a payout submitted on the Jakarta day before (16:59 UTC) is not counted in this day; that day has its own reconciliation', () => {
    const yesterday = Date.parse('2026-12-01T16:59:59.000Z');
    const payouts = [...aDay(), payout('S-YESTERDAY', { before: 'SUCCEEDED', submittedAt: yesterday })];
    const previous = reconciliation([figures('singapay', [1, 10_000], [1, 10_000], [0, 0])], { date: '2026-12-01' });
    expect(rules(observations(payouts, [previous, reconciliation([agreeing()])]))).toEqual([]);
  });

  test('a broken payout is counted in ours but neither matched nor pending: only its break fires', () => {
    const obs = observations(aDay(), [
      reconciliation([figures('singapay', [3, 60_000], [1, 10_000], [1, 30_000], { STATUS_MISMATCH: 1 })], {
        breaks: [{ kind: 'STATUS_MISMATCH', provider: 'singapay', reference: 'S-FAILED', detail: 'FAILED here; the money moved there (00 Success)', ours: { status: 'FAILED', amount: 20_000 } }],
      }),
    ]);
    expect(rules(obs)).toEqual(['reconciliation-break']);
  });

  test('a payout never read (its create unanswered, every read failed) may be counted or not', () => {
    const unseen: PayoutRecord = { ...payout('S-UNSEEN', { before: 'SUCCEEDED' }), createStatus: 0, snapshots: [] };
    expect(rules(observations([...aDay(), unseen], [reconciliation([figures('singapay', [4, 70_000], [3, 40_000], [1, 30_000])])]))).toEqual([]);
  });
});

describe('reconciliation-break', () => {
  test('every break is a violation with its kind, provider, reference and detail, two of one payout both listed', () => {
    const obs = observations(aDay(), [
      reconciliation([figures('singapay', [3, 60_000], [1, 10_000], [1, 30_000], { AMOUNT_MISMATCH: 1, STATUS_MISMATCH: 1 }), figures('faspay', [0, 0], [0, 0], [0, 0], { UNKNOWN_TO_US: 1 })], {
        breaks: [
          { kind: 'UNKNOWN_TO_US', provider: 'faspay', detail: 'a transfer debit of IDR 70,000.00 at 2026-12-02T10:01:00+07:00 ("GHOST"): its remark names no payout of ours' },
          { kind: 'AMOUNT_MISMATCH', provider: 'singapay', reference: 'S-FAILED', detail: 'we sent IDR 20,000.00; the provider recorded IDR 12,000.00', ours: { status: 'FAILED', amount: 20_000 } },
          { kind: 'STATUS_MISMATCH', provider: 'singapay', reference: 'S-FAILED', detail: 'FAILED here; the money moved there', ours: { status: 'FAILED', amount: 20_000 } },
        ],
      }),
    ]);
    const found = reconciliationRules(check(obs));
    expect(found.map((v) => v.rule)).toEqual(['reconciliation-break', 'reconciliation-break', 'reconciliation-break']);
    expect(found[0]!.reference).toBeUndefined();
    expect(found[0]!.message).toContain('UNKNOWN_TO_US at faspay');
    expect(found[1]).toMatchObject({ reference: 'S-FAILED', message: expect.stringContaining('AMOUNT_MISMATCH at singapay for S-FAILED (FAILED here, IDR 20000') });
    expect(found[2]!.message).toContain('STATUS_MISMATCH at singapay for S-FAILED');
  });

  test('breaks counted by kind beyond those listed', () => {
    const obs = observations(aDay(), [reconciliation([figures('singapay', [3, 60_000], [2, 30_000], [1, 30_000], { UNKNOWN_AT_PROVIDER: 2 })], { breaksOmitted: 2 })]);
    expect(rules(obs)).toEqual(['reconciliation-break']);
  });
});

describe('reconciliation-missed', () => {
  test('a day on which payouts were submitted was not reconciled', () => {
    const obs = observations(aDay(), [reconciliation([agreeing()], { date: '2026-12-01' })]);
    expect(check(obs).find((v) => v.rule === 'reconciliation-missed')?.message).toContain(`no reconciliation of ${DAY}`);
  });

  test('the report counts fewer payouts than the run saw submitted that day (a row of a batch left out)', () => {
    const obs = observations(aDay(), [reconciliation([figures('singapay', [2, 30_000], [2, 30_000], [0, 0])])]);
    expect(rules(obs)).toEqual(['reconciliation-missed']);
  });

  test('the report counts more payouts than the run saw submitted that day (one never submitted)', () => {
    const obs = observations(aDay(), [reconciliation([figures('singapay', [4, 100_000], [3, 70_000], [1, 30_000])])]);
    expect(rules(obs)).toEqual(['reconciliation-missed']);
  });

  test('the same count, another total', () => {
    const obs = observations(aDay(), [reconciliation([figures('singapay', [3, 65_000], [2, 35_000], [1, 30_000])])]);
    expect(rules(obs)).toEqual(['reconciliation-missed']);
  });

  test('a payout final before the reconciliation counted pending, without a break', () => {
    const obs = observations(aDay(), [reconciliation([figures('singapay', [3, 60_000], [1, 10_000], [2, 50_000])])]);
    const missed = check(obs).filter((v) => v.rule === 'reconciliation-missed');
    expect(missed).toHaveLength(1);
    expect(missed[0]!.message).toContain('final before the reconciliation was asked for');
  });

  test('a payout open before and after the reconciliation counted matched', () => {
    const obs = observations(aDay(), [reconciliation([figures('singapay', [3, 60_000], [3, 60_000], [0, 0])])]);
    const missed = check(obs).filter((v) => v.rule === 'reconciliation-missed');
    expect(missed).toHaveLength(1);
    expect(missed[0]!.message).toContain('open before and after the reconciliation');
  });

  test('a provider with payouts that day missing from the report', () => {
    const payouts = [...aDay(), payout('F-PAID', { provider: 'faspay', before: 'SUCCEEDED', submittedAt: T0 + 3_000 })];
    expect(rules(observations(payouts, [reconciliation([agreeing()])]))).toEqual(['reconciliation-missed']);
  });

  test('matched and pending more than the payouts counted', () => {
    expect(rules(observations(aDay(), [reconciliation([figures('singapay', [3, 60_000], [3, 60_000], [1, 30_000])])]))).toEqual(['reconciliation-missed']);
  });
});

describe('reconciliation-failed', () => {
  test.each([
    ['FAILED', 'ended FAILED'],
    ['RUNNING', 'had not ended'],
    ['NOT_STARTED', 'was not started'],
  ] as const)('a run %s', (status, says) => {
    const obs = observations(aDay(), [reconciliation([], { status, error: 'because' })]);
    const found = reconciliationRules(check(obs));
    expect(found.map((v) => v.rule)).toEqual(['reconciliation-failed']);
    expect(found[0]!.message).toContain(says);
  });
});

describe('the days a run reconciles', () => {
  test('one Jakarta day, or two when the run crosses 17:00 UTC', () => {
    expect(jakartaDaysBetween(Date.parse('2026-12-02T01:00:00Z'), Date.parse('2026-12-02T01:10:00Z'))).toEqual(['2026-12-02']);
    expect(jakartaDaysBetween(Date.parse('2026-12-02T16:55:00Z'), Date.parse('2026-12-02T17:05:00Z'))).toEqual(['2026-12-02', '2026-12-03']);
    expect(jakartaDaysBetween(Date.parse('2026-12-02T17:00:00Z'), Date.parse('2026-12-02T17:00:00Z'))).toEqual(['2026-12-03']);
  });
});
