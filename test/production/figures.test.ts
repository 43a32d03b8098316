// The recovery figures of test:production, from hand-made observations.
import type { DisruptionRecord } from '../chaos/driver';
import type { ApiAnswer, PayoutRecord } from '../chaos/model';
import { recoveryFigures } from './figures';

const disruption = (from: number, recoveryMs: number): DisruptionRecord =>
  ({ index: 0, afterPayout: 0, event: { kind: 'restart-server', how: 'SIGTERM' }, kind: 'restart-server', detail: 'restart-server (SIGTERM)', from, to: from + recoveryMs, recoveryMs }) as DisruptionRecord;
const answer = (method: string, status: number, sentAt: number, answeredAt: number): ApiAnswer => ({ method, route: 'r', status, sentAt, answeredAt });
const payout = (...times: number[]): PayoutRecord =>
  ({ snapshots: [{ doc: { timeline: times.map((t, i) => ({ status: `S${i}`, at: new Date(t).toISOString() })) } }] }) as unknown as PayoutRecord;

test('the first 2xx write sent after the start, and the first status change at or after it', () => {
  const [figures] = recoveryFigures([disruption(10_000, 2_000)], {
    answers: [
      answer('POST', 201, 9_000, 9_500), // before: not counted
      answer('POST', 503, 10_100, 12_000), // refused: not counted
      answer('GET', 200, 10_200, 10_300), // a read: not counted
      answer('POST', 201, 12_100, 12_400),
    ],
    payouts: [payout(8_000, 9_000), payout(9_500, 13_000)],
  });
  expect(figures).toEqual({ what: 'restart-server (SIGTERM)', componentMs: 2_000, apiWriteMs: 2_400, payoutsMovingMs: 3_000 });
});

test('nothing after the start: the figures say so rather than invent one', () => {
  const [figures] = recoveryFigures([disruption(10_000, 500)], { answers: [answer('POST', 201, 9_000, 9_500)], payouts: [payout(9_000)] });
  expect(figures).toEqual({ what: 'restart-server (SIGTERM)', componentMs: 500 });
});
