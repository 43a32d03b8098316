// The recovery figures of test:production, from hand-made observations.
import type { DisruptionRecord } from '../chaos/driver';
import type { ApiAnswer, PayoutRecord } from '../chaos/model';
import { recoveryFigures } from './figures';

const disruption = (from: number, recoveryMs: number): DisruptionRecord =>
  ({ index: 0, afterPayout: 0, event: { kind: 'restart-server', how: 'SIGTERM' }, kind: 'restart-server', detail: 'restart-server (SIGTERM)', from, to: from + recoveryMs, recoveryMs }) as DisruptionRecord;
const answer = (method: string, status: number, sentAt: number, answeredAt: number): ApiAnswer => ({ method, route: 'r', status, sentAt, answeredAt });
const payout = (...times: number[]): PayoutRecord =>
  ({ snapshots: [{ doc: { timeline: times.map((t, i) => ({ status: `S${i}`, at: new Date(t).toISOString() })) } }] }) as unknown as PayoutRecord;

test('the first 2xx write sent after the start, and the longest pause in status changes across the disruption', () => {
  const [figures] = recoveryFigures([disruption(10_000, 2_000)], {
    answers: [
      answer('POST', 201, 9_000, 9_500), // before: not counted
      answer('POST', 503, 10_100, 12_000), // refused: not counted
      answer('GET', 200, 10_200, 10_300), // a read: not counted
      answer('POST', 201, 12_100, 12_400),
    ],
    // Changes at 8.0, 9.0, 9.5, 10.5, 13.0 and 20.0 s; the window is 10.0-12.0 s.
    payouts: [payout(8_000, 9_000, 20_000), payout(9_500, 10_500, 13_000)],
  });
  // 10.5 → 13.0 overlaps the window; 9.5 → 10.5 does too but is shorter; 13.0 → 20.0 starts after it.
  expect(figures).toEqual({ what: 'restart-server (SIGTERM)', componentMs: 2_000, apiWriteMs: 2_400, stalledMs: 2_500 });
});

test('nothing after the start: the figures say so rather than invent one', () => {
  const [figures] = recoveryFigures([disruption(10_000, 500)], { answers: [answer('POST', 201, 9_000, 9_500)], payouts: [payout(9_000)] });
  // One change only: no pause to measure.
  expect(figures).toEqual({ what: 'restart-server (SIGTERM)', componentMs: 500 });
});
