// A per-reference provider's reconciliation is the sum of its pages': tallies and break counts add
// up, breaks keep the report's order, and parts of two days or providers never mix.
import { emptyReconciliation, mergeReconciliations, reconcileSingapay, SINGAPAY_SUPPORTS, type OurRecord } from '../../src/domain/reconciliation';
import type { TransferStatusResult } from '../../src/domain/provider-port';

const date = '2026-12-01';
const record = (reference: string, status: OurRecord['status'], amount: number): OurRecord => ({
  reference,
  provider: 'singapay',
  status,
  amount,
  fee: 500,
  submittedAt: '2026-12-01T03:00:00.000Z',
});
const answer = (state: TransferStatusResult['state'], amount?: number): TransferStatusResult => ({
  state,
  providerStatus: { code: state === 'SUCCEEDED' ? '00' : '06', desc: state },
  ...(amount !== undefined && { recorded: { amount } }),
});

test('the sum of two pages is the reconciliation of both at once', () => {
  const a = [record('A-1', 'SUCCEEDED', 10_000), record('A-2', 'SUCCEEDED', 20_000)];
  const b = [record('B-1', 'SUCCEEDED', 30_000), record('B-2', 'FAILED', 5_000)];
  const statuses = new Map<string, TransferStatusResult>([
    ['A-1', answer('SUCCEEDED', 10_000)],
    ['A-2', answer('FAILED', 20_000)],
    ['B-1', answer('SUCCEEDED', 31_000)],
    ['B-2', answer('FAILED', 5_000)],
  ]);
  const pages = [a, b].reduce((sum, page) => mergeReconciliations(sum, reconcileSingapay(date, page, statuses)), emptyReconciliation(date, 'singapay', SINGAPAY_SUPPORTS));
  const whole = reconcileSingapay(date, [...a, ...b], statuses);
  expect(pages).toEqual(whole);
  expect(pages.report.ours).toEqual({ count: 4, total: 65_000 });
  expect(pages.report.breaks.STATUS_MISMATCH).toBe(1);
  expect(pages.report.breaks.AMOUNT_MISMATCH).toBe(1);
});

test('parts of another day or provider are refused', () => {
  const part = emptyReconciliation(date, 'singapay', SINGAPAY_SUPPORTS);
  expect(() => mergeReconciliations(part, emptyReconciliation('2026-12-02', 'singapay', SINGAPAY_SUPPORTS))).toThrow(RangeError);
  expect(() => mergeReconciliations(part, emptyReconciliation(date, 'faspay', SINGAPAY_SUPPORTS))).toThrow(RangeError);
});
