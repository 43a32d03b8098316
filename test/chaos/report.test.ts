// The report's decision latency (all answers, and those clear of kills and restarts) and the webhooks' figures.
import type { EndpointObservation, Observations, ReceivedEvent, WebhookObservations } from './model';
import { decisionLatency, DISRUPTION_TAIL_MS, receiverRecovery, webhookFigures } from './report';

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

test('receiver recovery: the events created before a fault ended that arrived after it, and when the last of them came', () => {
  const received = (eventId: string, createdAt: number, receivedAt: number): ReceivedEvent => ({
    webhookId: eventId,
    eventId,
    type: 'payout.validating',
    createdAt: new Date(createdAt).toISOString(),
    sequence: 1,
    payoutId: 'P',
    payoutStatus: 'VALIDATING',
    timeline: [],
    shownNumber: '',
    verifiedByReference: true,
    receivedAt,
  });
  const endpoint = (name: string, got: ReceivedEvent[]): EndpointObservation => ({ name, id: `we_${name}`, url: '', events: [], received: got, refused: [] });
  const w: WebhookObservations = {
    drainedAt: 0,
    drainWithinMs: 0,
    endpoints: [
      endpoint('all', [
        received('a', 1_000, 1_100), // before the fault: not held
        received('b', 2_500, 6_400), // held by the fault, arrived 400 ms after it
        received('c', 4_000, 7_900), // held, 1,900 ms after
        received('b', 2_500, 8_000), // a duplicate: its first arrival counts
        received('d', 6_500, 6_600), // created after the fault
      ]),
      endpoint('final', []),
    ],
    faultWindows: [
      { receiver: 0, kind: 'down', from: 2_000, to: 6_000 },
      { receiver: 1, kind: 'answer 503', from: 3_000, to: 5_000 },
    ],
  };
  expect(receiverRecovery(w)).toEqual([
    { receiver: 0, name: 'all', kind: 'down', from: 2_000, to: 6_000, held: 2, lagMs: 1_900 },
    { receiver: 1, name: 'final', kind: 'answer 503', from: 3_000, to: 5_000, held: 0 },
  ]);
  expect(webhookFigures(w)[0]).toMatchObject({ received: 4, arrivals: 5, duplicates: 1, duplicatedEvents: 1 });
});
