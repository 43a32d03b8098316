// The pure core of the daily reconciliation (src/domain/reconciliation): a clean day, each break
// kind per provider that can show it, the midnight window, the missing rule, the amount-and-time
// assumption, and determinism. History entries are shaped as the Faspay simulator books them.
import {
  buildReport,
  DEFAULT_MISSING_AFTER_MS,
  FASPAY_HISTORY_LIMITS,
  historySpan,
  historyWindows,
  jakartaDayWindow,
  ourRecordOf,
  RECONCILIATION_BREAK_KINDS,
  reconcileFaspay,
  reconcileSingapay,
  SINGAPAY_SUPPORTS,
  type FaspayReconciliationOptions,
  type OurRecord,
  type ProviderReconciliation,
  type ReconciliationBreak,
} from '../../src/domain/reconciliation';
import type { Payout } from '../../src/domain/payout';
import type { HistoryEntry, TransferStatusResult } from '../../src/domain/provider-port';

const DAY = '2026-12-01';
const BEFORE = '2026-11-30';
const AFTER = '2026-12-02';
const SOURCE = '9920017564';

/** A Jakarta wall-clock time as Faspay writes it. */
const jkt = (time: string, day = DAY) => `${day}T${time}+07:00`;
/** The same instant as our payouts record it. */
const iso = (time: string, day = DAY) => new Date(jkt(time, day)).toISOString();

function ours(reference: string, over: Partial<OurRecord> = {}): OurRecord {
  return { reference, provider: 'faspay', status: 'SUCCEEDED', amount: 50_000, fee: 2_500, submittedAt: iso('10:00:00'), ...over };
}

const entry = (at: string, amount: number, direction: HistoryEntry['direction'], remark: string, type: string): HistoryEntry => ({ at, amount, direction, remark, status: 'SUCCESS', type });
const transfer = (token: string, amount: number, at: string) => entry(at, amount, 'DEBIT', `Transfer ${at.slice(0, 10).replace(/-/g, '')} ${SOURCE} ${token}`, 'SEND_MONEY');
const feeDebit = (token: string, fee: number, at: string) => entry(at, fee, 'DEBIT', `fee ${SOURCE} ${token}_TX${token.length}_FEE`, 'PAYMENT');
const refund = (token: string, amount: number, at: string) => entry(at, amount, 'CREDIT', `Reimburse ${at.slice(0, 10).replace(/-/g, '')} ${SOURCE} ${token}_REVERSAL`, 'REFUND');
const feeRefund = (token: string, fee: number, at: string) => entry(at, fee, 'CREDIT', `Reimburse ${at.slice(0, 10).replace(/-/g, '')} ${SOURCE} ${token}_FEE_REVERSAL`, 'REFUND');
/** A Faspay time `seconds` later. */
const later = (at: string, seconds: number) => `${new Date(Date.parse(at) + seconds * 1000 + 7 * 3_600_000).toISOString().slice(0, 19)}+07:00`;
/** A transfer as Faspay books it: the amount, then its fee a few seconds later (as in the provider pages' sample). */
const booked = (token: string, at: string, amount = 50_000, fee = 2_500) => [transfer(token, amount, at), ...(fee > 0 ? [feeDebit(token, fee, later(at, 8))] : [])];

const BY_REMARK: FaspayReconciliationOptions = { historyMatch: 'remark' };
const BY_AMOUNT: FaspayReconciliationOptions = { historyMatch: 'amount-and-time' };

const kinds = (p: ProviderReconciliation) => p.breaks.map((b) => `${b.kind} ${b.reference ?? '-'}`);
const only = (p: ProviderReconciliation): ReconciliationBreak => {
  expect(p.breaks).toHaveLength(1);
  return p.breaks[0]!;
};

describe('days and history windows', () => {
  test('a Jakarta day is [00:00, 24:00) at UTC+7', () => {
    const { from, to } = jakartaDayWindow(DAY);
    expect(from.toISOString()).toBe('2026-11-30T17:00:00.000Z');
    expect(to.toISOString()).toBe('2026-12-01T17:00:00.000Z');
  });

  test.each(['2026-02-30', '2026-13-01', '20261201', '2026-12-1', ''])('%j is not a day', (date) => {
    expect(() => jakartaDayWindow(date)).toThrow(RangeError);
  });

  test("the history span is the day widened by the midnight window", () => {
    const span = historySpan(DAY, 15 * 60_000);
    expect(span.from.toISOString()).toBe('2026-11-30T16:45:00.000Z');
    expect(span.to.toISOString()).toBe('2026-12-01T17:15:00.000Z');
  });

  test('a day is one window, its end inclusive one second before the next day', () => {
    const { from, to } = jakartaDayWindow(DAY);
    const answer = historyWindows(from, to, FASPAY_HISTORY_LIMITS.maxSpanMs);
    expect(answer).toEqual({ ok: true, windows: [{ from, to: new Date(to.getTime() - 1000) }] });
  });

  test('a long span splits into windows within the span limit that neither overlap nor leave a second out', () => {
    const from = new Date('2026-09-01T00:00:00.000Z');
    const to = new Date('2026-11-10T00:00:00.000Z');
    const answer = historyWindows(from, to, FASPAY_HISTORY_LIMITS.maxSpanMs);
    if (!answer.ok) throw new Error(answer.error);
    expect(answer.windows).toHaveLength(3);
    expect(answer.windows[0]!.from).toEqual(from);
    expect(answer.windows[2]!.to).toEqual(new Date(to.getTime() - 1000));
    for (const [i, w] of answer.windows.entries()) {
      expect(w.to.getTime() - w.from.getTime()).toBeLessThanOrEqual(FASPAY_HISTORY_LIMITS.maxSpanMs);
      if (i > 0) expect(w.from.getTime()).toBe(answer.windows[i - 1]!.to.getTime() + 1000);
    }
  });

  test('a span reaching back beyond the provider\'s three months is a clear error', () => {
    const { from, to } = jakartaDayWindow('2026-08-01');
    const answer = historyWindows(from, to, FASPAY_HISTORY_LIMITS.maxSpanMs, { now: new Date('2026-12-02T02:00:00+07:00'), maxAgeMs: FASPAY_HISTORY_LIMITS.maxAgeMs });
    expect(answer.ok).toBe(false);
    if (!answer.ok) expect(answer.error).toMatch(/older than the provider keeps: at most 89 days before 2026-12-01T19:00:00.000Z/);
  });

  test('an empty span and a window under a second are errors, not loops', () => {
    const { from } = jakartaDayWindow(DAY);
    expect(historyWindows(from, from, 1000).ok).toBe(false);
    expect(historyWindows(from, new Date(from.getTime() + 5000), 999).ok).toBe(false);
  });
});

describe('our records', () => {
  test('a payout document becomes a record in whole rupiah, with the inquiry fee it showed', () => {
    const payout = {
      id: 'p1',
      reference: 'INV-1',
      status: 'SUCCEEDED',
      provider: 'faspay',
      amount: { value: '50000.00', currency: 'IDR' },
      inquiry: { accountName: 'A', amount: { value: '50000.00', currency: 'IDR' }, fee: { value: '2500.00', currency: 'IDR' }, grossAmount: { value: '52500.00', currency: 'IDR' } },
      transfer: { submittedAt: iso('10:00:00'), providerReference: 'FP-1', statusChecks: 1 },
    } as unknown as Payout;
    expect(ourRecordOf(payout)).toEqual({ reference: 'INV-1', provider: 'faspay', status: 'SUCCEEDED', amount: 50_000, fee: 2_500, submittedAt: iso('10:00:00'), providerReference: 'FP-1' });
    const { inquiry: _inquiry, transfer: _transfer, ...unsent } = payout;
    expect(ourRecordOf({ ...unsent, status: 'CANCELLED' } as Payout)).toEqual({ reference: 'INV-1', provider: 'faspay', status: 'CANCELLED', amount: 50_000, fee: 0 });
  });
});

describe('Faspay, matched by remark', () => {
  test('a clean day: no break, and the counts and totals of ours, matched and pending', () => {
    const day = [
      ours('A'),
      ours('B', { status: 'FAILED', amount: 70_000, submittedAt: iso('11:00:00') }),
      ours('C', { status: 'PROCESSING', amount: 30_000, submittedAt: iso('16:00:00') }),
      // FAILED by a refused trigger: submitted, and no trace at the provider.
      ours('D', { status: 'FAILED', amount: 20_000, submittedAt: iso('12:00:00') }),
      ours('E', { amount: 10_000, fee: 0, submittedAt: iso('13:00:00') }),
      ours('S', { provider: 'singapay', amount: 99_000 }),
    ];
    const history = [
      ...booked('A', jkt('10:00:02')),
      ...booked('B', jkt('11:00:02'), 70_000),
      refund('B', 70_000, jkt('11:05:00')),
      feeRefund('B', 2_500, jkt('11:05:00')),
      ...booked('C', jkt('16:00:02'), 30_000),
      ...booked('E', jkt('13:00:02'), 10_000, 0),
      // Money coming in is not a transfer: a top-up of the merchant's account.
      entry(jkt('09:00:00'), 5_000_000, 'CREDIT', `Topup ${SOURCE}`, 'TOPUP'),
    ];
    const result = reconcileFaspay(DAY, day, history, BY_REMARK);
    expect(result.breaks).toEqual([]);
    expect(result.report).toEqual({
      provider: 'faspay',
      supports: [...RECONCILIATION_BREAK_KINDS],
      ours: { count: 5, total: 180_000 },
      matched: { count: 4, total: 150_000 },
      pending: { count: 1, total: 30_000 },
      breaks: Object.fromEntries(RECONCILIATION_BREAK_KINDS.map((k) => [k, 0])),
    });
  });

  test('UNKNOWN_AT_PROVIDER: a submitted payout with no transfer debit, with our record and the provider\'s (none)', () => {
    const b = only(reconcileFaspay(DAY, [ours('A'), ours('B', { submittedAt: iso('11:00:00') })], booked('B', jkt('11:00:01')), BY_REMARK));
    expect(b).toMatchObject({ kind: 'UNKNOWN_AT_PROVIDER', provider: 'faspay', reference: 'A', ours: ours('A'), theirs: [] });
    expect(b.detail).toMatch(/no transfer debit names A/);
  });

  test('an open payout without a debit is missing too; a failed one is not', () => {
    const day = [ours('A', { status: 'PROCESSING' }), ours('B', { status: 'NEEDS_ATTENTION' }), ours('C', { status: 'FAILED' })];
    expect(kinds(reconcileFaspay(DAY, day, [], BY_REMARK))).toEqual(['UNKNOWN_AT_PROVIDER A', 'UNKNOWN_AT_PROVIDER B']);
  });

  test('UNKNOWN_TO_US: a transfer debit naming no reference of ours; its fee debit is not a second break', () => {
    const stranger = booked('NOT-OURS-1', jkt('14:00:00'), 80_000);
    const result = reconcileFaspay(DAY, [ours('A')], [...booked('A', jkt('10:00:01')), ...stranger], BY_REMARK);
    const b = only(result);
    expect(b).toEqual({ kind: 'UNKNOWN_TO_US', provider: 'faspay', theirs: [{ source: 'history', role: 'transfer', entry: stranger[0] }], detail: expect.stringContaining('80000.00') });
    expect(result.report.matched).toEqual({ count: 1, total: 50_000 });
  });

  test('AMOUNT_MISMATCH: the debit naming our reference is of another amount', () => {
    const history = booked('A', jkt('10:00:01'), 60_000);
    const b = only(reconcileFaspay(DAY, [ours('A')], history, BY_REMARK));
    expect(b).toMatchObject({ kind: 'AMOUNT_MISMATCH', reference: 'A', ours: ours('A') });
    expect(b.theirs).toEqual([
      { source: 'history', role: 'transfer', entry: history[0] },
      { source: 'history', role: 'fee', entry: history[1] },
    ]);
    expect(b.detail).toBe(`we sent 50000.00; the provider debited 60000.00 at ${jkt('10:00:01')} ("Transfer 20261201 ${SOURCE} A")`);
  });

  test('STATUS_MISMATCH: SUCCEEDED here, reversed there (amount and fee given back: no fee break)', () => {
    const history = [...booked('A', jkt('10:00:01')), refund('A', 50_000, jkt('15:00:00')), feeRefund('A', 2_500, jkt('15:00:00'))];
    const b = only(reconcileFaspay(DAY, [ours('A')], history, BY_REMARK));
    expect(b).toMatchObject({ kind: 'STATUS_MISMATCH', reference: 'A' });
    expect(b.theirs).toHaveLength(4);
    expect(b.detail).toMatch(/^SUCCEEDED here; given back there: 50000.00 at/);
  });

  test('STATUS_MISMATCH: a refund of amount + fee in one credit reads as the transfer given back', () => {
    const history = [...booked('A', jkt('10:00:01')), refund('A', 52_500, jkt('15:00:00'))];
    expect(kinds(reconcileFaspay(DAY, [ours('A')], history, BY_REMARK))).toEqual(['STATUS_MISMATCH A']);
  });

  test('a refund of the fee alone is not the transfer given back', () => {
    const history = [...booked('A', jkt('10:00:01')), feeRefund('A', 2_500, jkt('15:00:00'))];
    expect(kinds(reconcileFaspay(DAY, [ours('A')], history, BY_REMARK))).toEqual([]);
  });

  test.each(['FAILED', 'CANCELLED', 'REJECTED', 'EXPIRED'] as const)('STATUS_MISMATCH: %s here, debited there and nothing given back', (status) => {
    const b = only(reconcileFaspay(DAY, [ours('A', { status })], booked('A', jkt('10:00:01')), BY_REMARK));
    expect(b).toMatchObject({ kind: 'STATUS_MISMATCH', reference: 'A' });
    expect(b.detail).toMatch(new RegExp(`^${status} here; the provider debited 50000.00 .* and gave nothing back$`));
  });

  test('an open payout is not judged on what happened there: debited, or given back', () => {
    const history = [...booked('A', jkt('10:00:01')), ...booked('B', jkt('10:00:01')), refund('B', 52_500, jkt('10:30:00'))];
    const result = reconcileFaspay(DAY, [ours('A', { status: 'PROCESSING' }), ours('B', { status: 'NEEDS_ATTENTION' })], history, BY_REMARK);
    expect(result.breaks).toEqual([]);
    expect(result.report.pending.count).toBe(2);
  });

  test('DUPLICATE: two transfer debits name one reference (each with its fee: no fee break)', () => {
    const history = [...booked('A', jkt('10:00:01')), ...booked('A', jkt('10:20:00'))];
    const b = only(reconcileFaspay(DAY, [ours('A')], history, BY_REMARK));
    expect(b).toMatchObject({ kind: 'DUPLICATE', reference: 'A' });
    expect(b.detail).toMatch(/^2 transfer debits for one payout/);
  });

  test('FEE_MISMATCH: another fee debited, none debited, or one debited where we showed none', () => {
    const day = [ours('A'), ours('B'), ours('C', { fee: 0 })];
    const history = [...booked('A', jkt('10:00:01'), 50_000, 3_000), ...booked('B', jkt('10:00:01'), 50_000, 0), ...booked('C', jkt('10:00:01'), 50_000, 1_803)];
    const result = reconcileFaspay(DAY, day, history, BY_REMARK);
    expect(kinds(result)).toEqual(['FEE_MISMATCH A', 'FEE_MISMATCH B', 'FEE_MISMATCH C']);
    expect(result.breaks[0]!.detail).toBe('we showed a fee of 2500.00 per transfer (1); the provider debited fees of 3000.00');
    expect(result.breaks[1]!.detail).toBe('we showed a fee of 2500.00 per transfer (1); the provider debited fees of 0.00');
  });

  test('a failed transfer refunded with its fee is no fee break', () => {
    const history = [...booked('A', jkt('10:00:01')), refund('A', 52_500, jkt('10:01:00'))];
    const result = reconcileFaspay(DAY, [ours('A', { status: 'FAILED' })], history, BY_REMARK);
    expect(result.breaks).toEqual([]);
    expect(result.report.matched.count).toBe(1);
  });

  test("entries outside the day's history span (a wider read) are left to their own day", () => {
    const result = reconcileFaspay(DAY, [ours('A')], [...booked('A', jkt('10:00:01')), ...booked('NOT-OURS', jkt('12:00:00', AFTER))], BY_REMARK);
    expect(result.breaks).toEqual([]);
  });

  test('a remark naming two of our references belongs to the longer, more specific one', () => {
    const day = [ours('A', { fee: 0 }), ours('A_1', { fee: 0, amount: 70_000 })];
    const history = [transfer('A', 50_000, jkt('10:00:01')), transfer('A_1', 70_000, jkt('10:00:01'))];
    const result = reconcileFaspay(DAY, day, history, BY_REMARK);
    expect(result.breaks).toEqual([]);
    expect(result.report.matched).toEqual({ count: 2, total: 120_000 });
  });
});

describe('Faspay, the midnight window', () => {
  const W = 15 * 60_000;
  const options = { ...BY_REMARK, midnightWindowMs: W, missingAfterMs: 0 };

  test('a payout submitted just before midnight finds its debit booked just after', () => {
    const late = ours('A', { submittedAt: iso('23:59:58') });
    const result = reconcileFaspay(DAY, [late], booked('A', jkt('00:00:03', AFTER)), options);
    expect(result.breaks).toEqual([]);
    expect(result.report.matched.count).toBe(1);
  });

  test("an entry in the margin that no payout claims is the neighbouring day's to report, not this one's", () => {
    const stranger = booked('NOT-OURS', jkt('23:55:00', BEFORE));
    expect(reconcileFaspay(DAY, [], stranger, options).breaks).toEqual([]);
    expect(kinds(reconcileFaspay(BEFORE, [], stranger, options))).toEqual(['UNKNOWN_TO_US -']);
  });

  test("a neighbouring day's payout claims its entries in the margin; it is judged and counted on its own day only", () => {
    const neighbour = ours('N', { submittedAt: iso('23:59:55', BEFORE) });
    const history = booked('N', jkt('00:00:02'), 50_000, 0);
    const here = reconcileFaspay(DAY, [neighbour], history, options);
    expect(here.breaks).toEqual([]);
    expect(here.report.ours.count).toBe(0);
    const own = reconcileFaspay(BEFORE, [neighbour], history, options);
    expect(kinds(own)).toEqual(['FEE_MISMATCH N']);
    expect(own.report.ours.count).toBe(1);
  });

  test("a payout of another day reversed during this one: this day reports it, its own day's history does not hold it", () => {
    const earlier = ours('E', { submittedAt: iso('15:00:00', BEFORE) });
    const history = [...booked('E', jkt('15:00:01', BEFORE)), refund('E', 50_000, jkt('09:00:00')), feeRefund('E', 2_500, jkt('09:00:00'))];
    const here = reconcileFaspay(DAY, [earlier], history, options);
    expect(kinds(here)).toEqual(['STATUS_MISMATCH E']);
    expect(here.breaks[0]!.theirs).toHaveLength(2);
    expect(here.report.ours.count).toBe(0);
    expect(reconcileFaspay(BEFORE, [earlier], history, options).breaks).toEqual([]);
  });

  test('a transfer debit during this day for a payout submitted days before is a DUPLICATE here', () => {
    const earlier = ours('E', { submittedAt: iso('15:00:00', '2026-11-28') });
    expect(kinds(reconcileFaspay(DAY, [earlier], booked('E', jkt('09:00:00')), options))).toEqual(['DUPLICATE E']);
  });

  test('money moved under the reference of a payout we never sent is a STATUS_MISMATCH', () => {
    const unsent = ours('U', { status: 'CANCELLED', submittedAt: undefined });
    expect(kinds(reconcileFaspay(DAY, [unsent], booked('U', jkt('09:00:00')), options))).toEqual(['STATUS_MISMATCH U']);
  });
});

describe('the missing rule', () => {
  const noDebit = (submittedAt: string, options: Partial<FaspayReconciliationOptions> = {}) => reconcileFaspay(DAY, [ours('A', { submittedAt })], [], { ...BY_REMARK, ...options });

  test(`missing only when submitted at least missingAfterMs (default ${DEFAULT_MISSING_AFTER_MS / 3_600_000} h) before the day's end`, () => {
    expect(kinds(noDebit(iso('21:59:59')))).toEqual(['UNKNOWN_AT_PROVIDER A']);
    expect(kinds(noDebit(iso('22:00:00')))).toEqual(['UNKNOWN_AT_PROVIDER A']);
    const young = noDebit(iso('22:00:01'));
    expect(young.breaks).toEqual([]);
    expect(young.report.pending).toEqual({ count: 1, total: 50_000 });
  });

  test('missingAfterMs and the cut-off are settings', () => {
    expect(kinds(noDebit(iso('22:30:00'), { missingAfterMs: 3_600_000 }))).toEqual(['UNKNOWN_AT_PROVIDER A']);
    expect(kinds(noDebit(iso('23:30:00'), { cutoff: iso('02:00:00', AFTER) }))).toEqual(['UNKNOWN_AT_PROVIDER A']);
  });

  test('at Singapay too', () => {
    const notFound: TransferStatusResult = { state: 'NOT_FOUND', providerStatus: { code: 'SP404', desc: 'Not Found' } };
    const young = ours('A', { provider: 'singapay', submittedAt: iso('23:00:00') });
    expect(reconcileSingapay(DAY, [young], new Map([['A', notFound]])).breaks).toEqual([]);
    expect(kinds(reconcileSingapay(DAY, [young], new Map([['A', notFound]]), { missingAfterMs: 30 * 60_000 }))).toEqual(['UNKNOWN_AT_PROVIDER A']);
  });
});

describe('Faspay, matched by amount and time (faspay.history-match "amount-and-time")', () => {
  // The simulator then writes Faspay's own transaction id in the remark, not our reference.
  test('a clean day: equal amounts submitted minutes apart pair in order', () => {
    const day = [ours('A'), ours('B', { submittedAt: iso('10:02:00') }), ours('C', { status: 'FAILED', amount: 70_000, submittedAt: iso('11:00:00') })];
    const history = [
      ...booked('TX0001', jkt('10:00:03')),
      ...booked('TX0002', jkt('10:02:04')),
      ...booked('TX0003', jkt('11:00:02'), 70_000),
      refund('TX0003', 70_000, jkt('11:01:00')),
      feeRefund('TX0003', 2_500, jkt('11:01:00')),
    ];
    const result = reconcileFaspay(DAY, day, history, BY_AMOUNT);
    expect(result.breaks).toEqual([]);
    expect(result.report.matched).toEqual({ count: 3, total: 170_000 });
    expect(result.report.supports).not.toContain('AMOUNT_MISMATCH');
  });

  test('UNKNOWN_TO_US: a debit no payout of that amount was submitted near', () => {
    const result = reconcileFaspay(DAY, [ours('A')], [...booked('TX0001', jkt('10:00:03')), ...booked('TX0009', jkt('12:00:00'), 77_000)], BY_AMOUNT);
    expect(kinds(result)).toEqual(['UNKNOWN_TO_US -']);
    expect(result.breaks[0]!.detail).toMatch(/no payout of ours of its amount was submitted near it/);
  });

  test('UNKNOWN_AT_PROVIDER: no debit of the amount near the submission (one half an hour later is another transfer)', () => {
    const result = reconcileFaspay(DAY, [ours('A')], booked('TX0001', jkt('10:30:00')), { ...BY_AMOUNT, matchWindowMs: 10 * 60_000 });
    expect(kinds(result)).toEqual(['UNKNOWN_AT_PROVIDER A', 'UNKNOWN_TO_US -']);
    expect(result.breaks[0]!.detail).toMatch(/no transfer debit of 50000.00 within 600 s of it/);
  });

  test('a changed amount reads as missing at the provider plus unknown to us', () => {
    expect(kinds(reconcileFaspay(DAY, [ours('A')], booked('TX0001', jkt('10:00:03'), 60_000), BY_AMOUNT))).toEqual(['UNKNOWN_AT_PROVIDER A', 'UNKNOWN_TO_US -']);
  });

  test('DUPLICATE: a second debit of the amount near a payout that has its own', () => {
    const history = [...booked('TX0001', jkt('10:00:03')), ...booked('TX0002', jkt('10:04:00'))];
    expect(kinds(reconcileFaspay(DAY, [ours('A')], history, BY_AMOUNT))).toEqual(['DUPLICATE A']);
  });

  test('STATUS_MISMATCH: SUCCEEDED here, refunded near the transfer there', () => {
    const history = [...booked('TX0001', jkt('10:00:03')), refund('TX0001', 52_500, jkt('10:05:00'))];
    expect(kinds(reconcileFaspay(DAY, [ours('A')], history, BY_AMOUNT))).toEqual(['STATUS_MISMATCH A']);
  });

  test('FEE_MISMATCH: no fee debit of the fee we showed near the transfer', () => {
    expect(kinds(reconcileFaspay(DAY, [ours('A')], booked('TX0001', jkt('10:00:03'), 50_000, 3_000), BY_AMOUNT))).toEqual(['FEE_MISMATCH A']);
  });
});

describe('Singapay, by status per reference', () => {
  const sp = (reference: string, over: Partial<OurRecord> = {}) => ours(reference, { provider: 'singapay', fee: 0, ...over });
  const status = (state: TransferStatusResult['state'], amount?: number): TransferStatusResult => ({
    state,
    providerStatus: { SUCCEEDED: { code: '00', desc: 'Success' }, FAILED: { code: '02', desc: 'Failed' }, PENDING: { code: '03', desc: 'Pending' }, NOT_FOUND: { code: 'SP404', desc: 'Not Found' } }[state],
    ...(amount !== undefined && { recorded: { amount } }),
  });

  test('a clean day: no break, and the counts and totals; it supports only the kinds a per-reference answer can show', () => {
    const day = [
      sp('A'),
      sp('B', { status: 'FAILED', amount: 70_000 }),
      sp('C', { status: 'FAILED', amount: 20_000 }),
      sp('D', { status: 'PROCESSING', amount: 30_000 }),
      sp('E', { status: 'PROCESSING', amount: 40_000 }),
    ];
    const statuses = new Map([
      ['A', status('SUCCEEDED', 50_000)],
      ['B', status('FAILED', 70_000)],
      ['C', status('NOT_FOUND')],
      ['D', status('PENDING', 30_000)],
    ]);
    const result = reconcileSingapay(DAY, day, statuses);
    expect(result.breaks).toEqual([]);
    expect(result.report).toMatchObject({
      provider: 'singapay',
      supports: ['UNKNOWN_AT_PROVIDER', 'AMOUNT_MISMATCH', 'STATUS_MISMATCH'],
      ours: { count: 5, total: 210_000 },
      matched: { count: 3, total: 140_000 },
      // D pending there; E not asked.
      pending: { count: 2, total: 70_000 },
    });
    expect(SINGAPAY_SUPPORTS).toEqual(result.report.supports);
  });

  test('UNKNOWN_AT_PROVIDER: a submitted payout the provider does not know, with both sides', () => {
    const answer = status('NOT_FOUND');
    const b = only(reconcileSingapay(DAY, [sp('A')], new Map([['A', answer]])));
    expect(b).toEqual({
      kind: 'UNKNOWN_AT_PROVIDER',
      provider: 'singapay',
      reference: 'A',
      ours: sp('A'),
      theirs: [{ source: 'status', reference: 'A', result: answer }],
      detail: `SUCCEEDED here, submitted at ${iso('10:00:00')}; the provider has no record of it (SP404 Not Found)`,
    });
  });

  test('AMOUNT_MISMATCH: the provider recorded another amount for our reference', () => {
    const b = only(reconcileSingapay(DAY, [sp('A')], new Map([['A', status('SUCCEEDED', 60_000)]])));
    expect(b).toMatchObject({ kind: 'AMOUNT_MISMATCH', reference: 'A', detail: 'we sent 50000.00; the provider recorded 60000.00' });
  });

  test.each([
    ['SUCCEEDED', 'FAILED', /^SUCCEEDED here; failed or reversed there \(02 Failed\)$/],
    ['SUCCEEDED', 'PENDING', /^SUCCEEDED here; still pending there/],
    ['FAILED', 'SUCCEEDED', /^FAILED here; the money moved there \(00 Success\)$/],
    ['CANCELLED', 'SUCCEEDED', /^CANCELLED here; the money moved there/],
    ['EXPIRED', 'PENDING', /^EXPIRED here; still pending there, so the money may yet move/],
  ] as const)('STATUS_MISMATCH: %s here, %s there', (here, there, detail) => {
    const b = only(reconcileSingapay(DAY, [sp('A', { status: here })], new Map([['A', status(there)]])));
    expect(b.kind).toBe('STATUS_MISMATCH');
    expect(b.detail).toMatch(detail);
  });

  test('an open payout is no break whatever the provider says, a PENDING state least of all', () => {
    for (const state of ['PENDING', 'SUCCEEDED', 'FAILED'] as const) {
      const result = reconcileSingapay(DAY, [sp('A', { status: 'PROCESSING' }), sp('B', { status: 'NEEDS_ATTENTION' })], new Map([['A', status(state)], ['B', status(state)]]));
      expect(result.breaks).toEqual([]);
      expect(result.report.pending.count).toBe(2);
    }
  });

  test('a payout of another day asked about because it changed is judged, not counted', () => {
    const earlier = sp('E', { submittedAt: iso('10:00:00', BEFORE) });
    const result = reconcileSingapay(DAY, [earlier], new Map([['E', status('FAILED')]]));
    expect(kinds(result)).toEqual(['STATUS_MISMATCH E']);
    expect(result.report.ours.count).toBe(0);
  });
});

describe('the report', () => {
  const faspayDay = () => ({
    ours: [ours('A'), ours('B', { submittedAt: iso('11:00:00') }), ours('C', { status: 'FAILED', submittedAt: iso('12:00:00') }), ours('D', { submittedAt: iso('13:00:00') }), ours('F')],
    history: [
      ...booked('A', jkt('10:00:01'), 60_000),
      ...booked('B', jkt('11:00:01')),
      ...booked('B', jkt('11:30:00')),
      ...booked('C', jkt('12:00:01')),
      ...booked('F', jkt('10:00:01'), 50_000, 1_000),
      ...booked('X-1', jkt('14:00:00')),
      ...booked('X-2', jkt('14:00:00'), 40_000),
    ],
  });
  const singapayDay = () => ({
    ours: [ours('S1', { provider: 'singapay' }), ours('S2', { provider: 'singapay', status: 'FAILED' })],
    statuses: new Map<string, TransferStatusResult>([
      ['S1', { state: 'NOT_FOUND', providerStatus: { code: 'SP404', desc: 'Not Found' } }],
      ['S2', { state: 'SUCCEEDED', providerStatus: { code: '00', desc: 'Success' }, recorded: { amount: 50_000 } }],
    ]),
  });
  const run = (f = faspayDay(), s = singapayDay()) =>
    buildReport(DAY, [reconcileSingapay(DAY, [...f.ours, ...s.ours], s.statuses), reconcileFaspay(DAY, [...f.ours, ...s.ours], f.history, BY_REMARK)], {
      faspay: { available: 1_000_000, at: iso('02:00:00', AFTER) },
    });

  test('breaks sorted by kind, provider and reference; providers by key; a balance where one was read', () => {
    const report = run();
    expect(report.date).toBe(DAY);
    expect(report.breaks.map((b) => `${b.kind} ${b.provider} ${b.reference ?? '-'}`)).toEqual([
      'UNKNOWN_AT_PROVIDER faspay D',
      'UNKNOWN_AT_PROVIDER singapay S1',
      'UNKNOWN_TO_US faspay -',
      'UNKNOWN_TO_US faspay -',
      'AMOUNT_MISMATCH faspay A',
      'STATUS_MISMATCH faspay C',
      'STATUS_MISMATCH singapay S2',
      'DUPLICATE faspay B',
      'FEE_MISMATCH faspay F',
    ]);
    expect(report.providers.map((p) => [p.provider, p.balance])).toEqual([
      ['faspay', { available: 1_000_000, at: iso('02:00:00', AFTER) }],
      ['singapay', undefined],
    ]);
    expect(report.providers[0]!.breaks).toEqual({ UNKNOWN_AT_PROVIDER: 1, UNKNOWN_TO_US: 2, AMOUNT_MISMATCH: 1, STATUS_MISMATCH: 1, DUPLICATE: 1, FEE_MISMATCH: 1 });
    expect(report.providers[0]!.ours).toEqual({ count: 5, total: 250_000 });
  });

  test('deterministic: the same day twice, and the same inputs in any order, give the same report', () => {
    const first = run();
    expect(run()).toEqual(first);
    const f = faspayDay();
    const s = singapayDay();
    const shuffled = run({ ours: [...f.ours].reverse(), history: [...f.history].reverse() }, { ours: [...s.ours].reverse(), statuses: new Map([...s.statuses].reverse()) });
    expect(JSON.stringify(shuffled)).toBe(JSON.stringify(first));
    // A reference listed twice (two sources merged) is one payout.
    expect(JSON.stringify(run({ ...f, ours: [...f.ours, ...f.ours] }))).toBe(JSON.stringify(first));
  });

  test('parts of another day, or one provider twice, are refused', () => {
    const part = reconcileSingapay(DAY, [], new Map());
    expect(() => buildReport(AFTER, [part])).toThrow(/reconciled for 2026-12-01, not 2026-12-02/);
    expect(() => buildReport(DAY, [part, part])).toThrow(/reconciled twice/);
  });

  test.each([BY_REMARK, BY_AMOUNT])('a day of 5,000 payouts of one amount, 15 s apart, reconciles in bounded time (%j)', (options) => {
    const day: OurRecord[] = [];
    const history: HistoryEntry[] = [];
    for (let i = 0; i < 5_000; i++) {
      const seconds = 60 + i * 15;
      const reference = `PAYOUT-${String(i).padStart(5, '0')}`;
      day.push(ours(reference, { submittedAt: new Date(jakartaDayWindow(DAY).from.getTime() + seconds * 1000).toISOString() }));
      history.push(...booked(options.historyMatch === 'remark' ? reference : `TX${i}`, later(jkt('00:00:00'), seconds + 2)));
    }
    const started = Date.now();
    const result = reconcileFaspay(DAY, day, history, options);
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(result.breaks).toEqual([]);
    expect(result.report.matched).toEqual({ count: 5_000, total: 250_000_000 });
  });
});
