// The batch mode's pure parts: which rows go to which provider, the bodies both parts send, what the
// run chain of a batch workflow says about its history, and the ratio.
import { comparisonBody, isFaspayRow, perSecond, speedRatio, summarizeRuns } from '../../bench/batch';

test('the Faspay share is spread evenly over the rows', () => {
  const faspay = (share: number, n = 10) => Array.from({ length: n }, (_, i) => i).filter((i) => isFaspayRow(i, share));
  expect(faspay(0)).toEqual([]);
  expect(faspay(1)).toHaveLength(10);
  expect(faspay(0.5)).toEqual([1, 3, 5, 7, 9]);
  expect(faspay(0.2)).toEqual([4, 9]);
  expect(faspay(0.5, 1000)).toHaveLength(500);
  expect(faspay(0.25, 1000)).toHaveLength(250);
});

test('row i has the same destination in the batch and as a single payout; Faspay rows end in 0000, Singapay rows outside the scenario table', () => {
  const singapay = comparisonBody('R-0', 0, 0.5);
  const faspay = comparisonBody('R-1', 1, 0.5);
  expect(singapay).toEqual({
    reference: 'R-0',
    destination: { type: 'EWALLET', ewallet: 'DANA', customerNumber: '08000000005432' },
    amount: { value: '10000.00', currency: 'IDR' },
    description: 'Benchmark payout',
  });
  expect(faspay.destination).toEqual({ type: 'BANK_ACCOUNT', bankCode: '014', accountNumber: '08000000010000' });
  expect(comparisonBody('other', 1, 0.5).destination).toEqual(faspay.destination);
  // Distinct destinations for distinct rows.
  const numbers = new Set(Array.from({ length: 10_000 }, (_, i) => Object.values(comparisonBody('R', i, 0.5).destination).join('/')));
  expect(numbers.size).toBe(10_000);
});

test('the run chain: how many runs, how many continued as new, the longest history', () => {
  const run = (historyLength: number, status: string) => ({ runId: `r${historyLength}`, status, historyLength, historySizeBytes: historyLength * 600 });
  expect(summarizeRuns([run(2100, 'CONTINUED_AS_NEW'), run(2400, 'CONTINUED_AS_NEW'), run(900, 'COMPLETED')])).toEqual({
    runs: 3,
    continuedAsNew: 2,
    longestHistoryEvents: 2400,
    totalHistoryEvents: 5400,
    largestHistoryBytes: 2400 * 600,
    historyEventsPerRun: [2100, 2400, 900],
    lastStatus: 'COMPLETED',
  });
  expect(summarizeRuns([])).toMatchObject({ runs: 0, longestHistoryEvents: 0, lastStatus: 'none' });
});

test('rows per second and the ratio of batch to single payouts', () => {
  expect(perSecond(1000, 50_000)).toBe(20);
  expect(perSecond(100, 0)).toBeNull();
  expect(speedRatio(20, 8)).toBe(2.5);
  expect(speedRatio(20, null)).toBeNull();
  expect(speedRatio(null, 8)).toBeNull();
});
