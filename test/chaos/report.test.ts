// The report's decision latency (all answers, and those clear of disruptions), the calls per API
// instance, each disruption with its recovery time, and the webhooks' figures.
import type { ChaosResult, DisruptionRecord } from './driver';
import type { ApiAnswer, EndpointObservation, Observations, Plan, ReceivedEvent, WebhookObservations } from './model';
import { batchLines, callsPerInstance, decisionLatency, disruptionLines, DISRUPTION_TAIL_MS, formatReport, receiverRecovery, webhookFigures } from './report';

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

describe('disruptions and API instances', () => {
  const T0 = Date.parse('2026-12-02T10:00:00.000Z');
  const plan: Plan = {
    seed: 7,
    payouts: [],
    world: [],
    receiverFaults: [],
    disruptions: [
      { afterPayout: 3, event: { kind: 'kill-worker', downForMs: 1_000, duringTrigger: true } },
      { afterPayout: 5, event: { kind: 'restart-database', how: 'immediate' } },
      { afterPayout: 6, event: { kind: 'scale-workers', to: 3 } },
      { afterPayout: 9, event: { kind: 'restart-server', how: 'SIGKILL' } },
    ],
  };
  const ran: DisruptionRecord[] = [
    { index: 0, afterPayout: 3, kind: 'kill-worker', event: plan.disruptions[0]!.event, detail: 'kill-worker (down 1000 ms, during a trigger: 2 held at the kill)', triggersHeld: 2, from: T0 + 1_000, to: T0 + 3_500, recoveryMs: 2_500 },
    { index: 1, afterPayout: 5, kind: 'restart-database', event: plan.disruptions[1]!.event, detail: 'restart-database (immediate)', from: T0 + 5_000, to: T0 + 12_250, recoveryMs: 7_250 },
    { index: 2, afterPayout: 6, kind: 'scale-workers', event: plan.disruptions[2]!.event, detail: 'scale-workers (to 3)', from: T0 + 13_000, to: T0 + 13_040, recoveryMs: 40, error: 'scale-workers: this stack cannot scale its workers (no scaleWorkers)' },
  ];
  const call = (instance: string | undefined, status = 200, sentAt = T0): ApiAnswer => ({ method: 'GET', route: 'GET /v1/payouts/{id}', status, sentAt, answeredAt: sentAt + 5, ...(instance !== undefined && { instance }) });

  test('one line per disruption: what, at which payout, from when, and its recovery time, a failure, or that it did not run', () => {
    expect(disruptionLines({ plan, disruptionWindows: ran })).toEqual([
      'disruptions: 4 (kill-worker 1, restart-database 1, restart-server 1, scale-workers 1)',
      '  kill-worker (down 1000 ms, during a trigger: 2 held at the kill) at payout 3: from 10:00:01.000, recovered in 2500 ms',
      '  restart-database (immediate) at payout 5: from 10:00:05.000, recovered in 7250 ms',
      '  scale-workers (to 3) at payout 6: from 10:00:13.000, FAILED after 40 ms: scale-workers: this stack cannot scale its workers (no scaleWorkers)',
      '  restart-server (SIGKILL) at payout 9: did not run',
    ]);
    expect(disruptionLines({ plan: { ...plan, disruptions: [] }, disruptionWindows: [] })).toEqual(['disruptions: none']);
  });

  test('the calls each API instance took', () => {
    const obs = { answers: [call('http://a'), call('http://b', 0), call('http://a', 503), call(undefined)] } as unknown as Observations;
    expect(callsPerInstance(obs)).toEqual({ 'http://a': 2, 'http://b': 1, unrecorded: 1 });
  });

  test('the report prints them, and with the outages known, the 503s inside and outside them', () => {
    const observations: Observations = {
      payouts: [],
      ledger: [],
      answers: [call('http://a'), call('http://b'), call('http://a', 503, T0 + 6_000), call('http://b', 503, T0 + 40_000)],
      faultsStoppedAt: T0 + 50_000,
      settleWithinMs: 30_000,
      outages: { graceMs: 1_000, windows: [{ kind: 'restart-database', from: T0 + 5_000, to: T0 + 12_250 }] },
    };
    const result: ChaosResult = { plan, observations, violations: [], faultsFired: {}, continuedAsNew: 0, dir: '/tmp/x', durationMs: 60_000, disruptionWindows: ran };
    const lines = formatReport(result).split('\n');
    expect(lines).toContain('API calls per instance: http://a 2, http://b 2');
    expect(lines).toContain('503 answers: 1 during outages (1 window(s) ±1000 ms), 1 outside them');
    expect(lines).toContain('  restart-database (immediate) at payout 5: from 10:00:05.000, recovered in 7250 ms');
    expect(lines.at(-1)).toBe('no violations');
    // Without outages, no line about them.
    expect(formatReport({ ...result, observations: { ...observations, outages: undefined } })).not.toContain('503 answers:');
  });
});

test('the batches\' figures: by planned decision and final status, rows, rows paid, one line per batch', () => {
  const at = Date.parse('2026-12-02T10:00:00.000Z');
  const iso = (ms: number) => new Date(ms).toISOString();
  const rowDoc = (status: string, approval?: string) => ({ status, timeline: [{ status, at: iso(at) }], ...(approval && { approval: { decision: approval, by: 'approver@local' } }) });
  const row = (reference: string, doc: ReturnType<typeof rowDoc>) => ({
    reference,
    batchId: 'B0',
    provider: 'singapay' as const,
    amount: 10_000,
    destinationNumber: '081200000000',
    requestedBy: 'requester@local',
    createStatus: 201,
    snapshots: [{ source: 'get' as const, sentAt: at, answeredAt: at + 5, doc }],
    decisions: [],
    callbacks: [],
  });
  const batchDoc = (status: string) => ({ status, timeline: [{ status: 'VALIDATING', at: iso(at) }], approval: { decision: 'APPROVED', by: 'approver@local', count: 1, total: { value: '10000.00' }, excludedCount: 1 } });
  const obs = {
    payouts: [row('B0-00', rowDoc('SUCCEEDED', 'APPROVED')), row('B0-01', rowDoc('CANCELLED', 'CANCELLED')), row('B0-02', rowDoc('FAILED'))],
    batches: [
      {
        reference: 'B0',
        plan: 'approve',
        requestedBy: 'requester@local',
        rows: ['B0-00', 'B0-01', 'B0-02'],
        createStatus: 201,
        snapshots: [{ source: 'get', sentAt: at, answeredAt: at + 5, doc: batchDoc('COMPLETED') }],
        decisions: [
          { decision: 'approve', via: 'api', tag: 'wrong-figures', who: 'approver@local', sentAt: at, answeredAt: at, httpStatus: 409, problem: 'batch-figures-differ' },
          { decision: 'approve', via: 'api', tag: 'primary', who: 'approver@local', sentAt: at, answeredAt: at, httpStatus: 200 },
        ],
        listings: [],
      },
      { reference: 'B1', plan: 'reject', requestedBy: 'requester@local', rows: [], createStatus: 503, snapshots: [], decisions: [], listings: [] },
    ],
    ledger: [{ provider: 'singapay', reference: 'B0-00', amount: 10_000, destinationNumber: '081200000000', status: '00', triggerCalls: 1, acceptedAt: at }],
    answers: [],
    faultsStoppedAt: at,
    settleWithinMs: 0,
  } as unknown as Observations;
  expect(batchLines(obs)).toEqual([
    'batches: 2 (3 rows): planned approve 1, reject 1; ended COMPLETED 1, NOT_CREATED_503 1',
    'batch rows: 3, 1 paid (1 transfer(s) in the ledgers); rows ended CANCELLED 1, INVALID 1, SUCCEEDED 1',
    '  B0 approve, 3 rows: COMPLETED; approved by approver@local for 1 rows, IDR 10000.00, 1 excluded; wrong-figures approve→409 batch-figures-differ, primary approve→200; rows CANCELLED 1, INVALID 1, SUCCEEDED 1; 1 paid, 1 transfer(s)',
    '  B1 reject, 0 rows: NOT_CREATED_503; no decision sent; rows none; 0 paid, 0 transfer(s)',
  ]);
  expect(batchLines({ ...obs, batches: undefined })).toEqual([]);
});

test('the reconciliation figures: per day its status and breaks, per provider the report beside what the run saw, each break', () => {
  const t0 = Date.parse('2026-12-02T10:00:00.000Z');
  const payout = (reference: string, status: string, submitted: boolean) => ({
    reference,
    provider: 'faspay',
    amount: 50_000,
    destinationNumber: '1234560000',
    requestedBy: 'requester@local',
    createStatus: 201,
    snapshots: [{ source: 'get', sentAt: t0, answeredAt: t0 + 10, doc: { status, timeline: [], ...(submitted && { transfer: { submittedAt: new Date(t0 - 5_000).toISOString() } }) } }],
    decisions: [],
    callbacks: [],
  });
  const obs = {
    payouts: [payout('F-1', 'SUCCEEDED', true), payout('F-2', 'FAILED', true), payout('F-3', 'REJECTED', false)],
    ledger: [],
    answers: [],
    faultsStoppedAt: 0,
    settleWithinMs: 0,
    reconciliations: [
      {
        date: '2026-12-02',
        id: 'reconciliation-2026-12-02-all-abc',
        sentAt: t0 + 1_000,
        answeredAt: t0 + 13_500,
        status: 'COMPLETED',
        cutoff: '2026-12-02T10:00:01.000Z',
        providers: [{ provider: 'faspay', ours: { count: 2, total: 100_000 }, matched: { count: 1, total: 50_000 }, pending: { count: 0, total: 0 }, breaks: { STATUS_MISMATCH: 1 }, balance: 9_900_000 }],
        breaks: [{ kind: 'STATUS_MISMATCH', provider: 'faspay', reference: 'F-2', detail: 'FAILED here; the provider debited …', ours: { status: 'FAILED', amount: 50_000 } }],
        flagged: [],
      },
    ],
  } as unknown as Observations;
  const text = formatReport({ plan: { seed: 1, payouts: [], world: [], disruptions: [], receiverFaults: [] }, observations: obs, violations: [], faultsFired: {}, continuedAsNew: 0, dir: '/tmp/x', durationMs: 1, disruptionWindows: [] } as unknown as ChaosResult);
  expect(text).toContain('reconciliation of 2026-12-02 (reconciliation-2026-12-02-all-abc): COMPLETED in 12.5 s, cut-off 2026-12-02T10:00:01.000Z; 1 break(s)');
  expect(text).toContain(
    '  faspay: ours 2 (IDR 100,000), matched 1 (IDR 50,000), pending 0 (IDR 0), breaks STATUS_MISMATCH 1, balance IDR 9,900,000 — the run saw 2 submitted that day: 2 final before, 0 open throughout, 0 settled meanwhile',
  );
  expect(text).toContain('  ✗ STATUS_MISMATCH faspay F-2 [FAILED here]: FAILED here; the provider debited …');
});
