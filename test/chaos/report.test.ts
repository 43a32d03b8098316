// The report's decision latency: all answers, and those clear of kills and restarts.
import type { Observations } from './model';
import { decisionLatency, DISRUPTION_TAIL_MS } from './report';

const answer = (route: string, sentAt: number, ms: number, status = 200) => ({ method: 'POST', route, status, sentAt, answeredAt: sentAt + ms });

test('answers overlapping a kill or restart, or sent within the tail after it, are left out of the calm figures', () => {
  const obs = {
    payouts: [],
    ledger: [],
    faultsStoppedAt: 0,
    settleWithinMs: 0,
    answers: [
      answer('/v1/payouts/:id/approve', 1_000, 20),
      answer('/v1/payouts/:id/cancel', 2_000, 30),
      answer('/v1/payouts/:id/reject', 10_000, 5_000, 503), // overlaps the window
      answer('/v1/payouts/:id/approve', 20_000 + DISRUPTION_TAIL_MS - 1, 4_000, 503), // in the tail
      answer('/v1/payouts/:id/approve', 20_000 + DISRUPTION_TAIL_MS + 1, 40), // after it
      answer('/v1/payouts', 12_000, 9_000), // not a decision
    ],
  } as unknown as Observations;
  const windows = [{ from: 12_000, to: 20_000 }];
  expect(decisionLatency(obs)).toMatchObject({ count: 5, overOneSecond: 2, max: 5_000 });
  expect(decisionLatency(obs, windows)).toMatchObject({ count: 3, overOneSecond: 0, max: 40, p99: 40 });
});
