// Webhooks end to end on the real stack: an endpoint registered through the API, real payouts on
// the real worker and dev server, and a real HTTP receiver that verifies every delivery with our
// verifier and again with the reference one (the `standardwebhooks` package).
import type { Payout } from '../../src/domain/payout';
import type { DeliveryRecord } from '../../src/domain/webhooks';
import { payoutWorkflowId } from '../../src/api/payouts';
import { deliveryWorkflowId, endpointsWorkflowId } from '../../src/domain/webhooks';
import { call, ewalletPayout, KEYS, startStack, uniqueReference, waitForStatus, type StackOptions, type TestStack } from '../support/stack';
import { eventsOf, FINAL_EVENT_TYPES, testReceiver, waitForDeliveries, type TestReceiver } from '../support/webhooks';

interface CreatedEndpoint {
  id: string;
  url: string;
  events: string[];
  secret: string;
}

async function register(stack: TestStack, url: string, events?: string[]): Promise<CreatedEndpoint> {
  const res = await call<CreatedEndpoint>(stack, 'POST', '/v1/webhook-endpoints', { key: KEYS.admin, body: { url, ...(events && { events }) } });
  expect(res.status).toBe(201);
  return res.body;
}

async function deliveryLog(stack: TestStack, endpointId: string): Promise<DeliveryRecord[]> {
  const res = await call<{ items: DeliveryRecord[] }>(stack, 'GET', `/v1/webhook-endpoints/${endpointId}/deliveries?limit=100`, { key: KEYS.admin });
  expect(res.status).toBe(200);
  return res.body.items;
}

/** Polls the delivery log (visibility is eventually consistent) until `done` holds. */
async function waitForLog(stack: TestStack, endpointId: string, done: (log: DeliveryRecord[]) => boolean, timeoutMs = 30_000): Promise<DeliveryRecord[]> {
  const deadline = Date.now() + timeoutMs;
  let log: DeliveryRecord[] = [];
  while (Date.now() < deadline) {
    log = await deliveryLog(stack, endpointId);
    if (done(log)) return log;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`the delivery log did not get there within ${timeoutMs} ms: ${JSON.stringify(log)}`);
}

async function awaitingApproval(stack: TestStack, customerNumber: string): Promise<string> {
  const reference = uniqueReference('wh');
  expect((await call(stack, 'POST', '/v1/payouts', { body: ewalletPayout(reference, customerNumber) })).status).toBe(201);
  await waitForStatus(stack, reference, 'AWAITING_APPROVAL');
  return reference;
}

/** For one describe: a stack, a verifying receiver, and an endpoint for it registered through the API. */
function withRegisteredReceiver(options: StackOptions, use: (made: { stack: TestStack; receiver: TestReceiver; endpoint: CreatedEndpoint }) => void) {
  let made: { stack: TestStack; receiver: TestReceiver; endpoint: CreatedEndpoint } | undefined;
  beforeAll(async () => {
    const stack = await startStack(options);
    const receiver = await testReceiver();
    const endpoint = await register(stack, receiver.url);
    receiver.useSecrets([endpoint.secret]);
    made = { stack, receiver, endpoint };
    use(made);
  });
  afterAll(async () => {
    await made?.receiver.stop();
    await made?.stack.stop();
  });
}

const finalEventArrived = (reference: string) => (all: Parameters<typeof eventsOf>[0]) => eventsOf(all, reference).some((e) => FINAL_EVENT_TYPES.includes(e.type));

describe('webhooks on a real stack', () => {
  let stack: TestStack;
  let receiver: TestReceiver;
  let endpoint: CreatedEndpoint;
  withRegisteredReceiver({}, (made) => ({ stack, receiver, endpoint } = made));

  test('success, failure, rejection and cancel: every status is one event, once, in order of sequence, verified by standardwebhooks', async () => {
    const succeeded = await awaitingApproval(stack, '081200000000');
    const failed = await awaitingApproval(stack, '081200002222');
    const rejected = await awaitingApproval(stack, '081200000000');
    const cancelled = await awaitingApproval(stack, '081200000000');
    expect((await call(stack, 'POST', `/v1/payouts/${succeeded}/approve`, { key: KEYS.approver, body: {} })).status).toBe(200);
    expect((await call(stack, 'POST', `/v1/payouts/${failed}/approve`, { key: KEYS.approver, body: {} })).status).toBe(200);
    expect((await call(stack, 'POST', `/v1/payouts/${rejected}/reject`, { key: KEYS.approver, body: { reason: 'not this one' } })).status).toBe(200);
    expect((await call(stack, 'POST', `/v1/payouts/${cancelled}/cancel`, { body: { reason: 'wrong amount' } })).status).toBe(200);
    const finals: Record<string, string> = { [succeeded]: 'SUCCEEDED', [failed]: 'FAILED', [rejected]: 'REJECTED', [cancelled]: 'CANCELLED' };

    for (const [reference, status] of Object.entries(finals)) {
      const payout = await waitForStatus(stack, reference, status as Payout['status']);
      await waitForDeliveries(receiver, finalEventArrived(reference), 30_000, `${reference}'s last event`);
      const events = eventsOf(receiver.deliveries, reference);
      // One event per status in the timeline, numbered 1.., arriving in that order, each once.
      expect(events.map((e) => e.data.sequence)).toEqual(payout.timeline.map((_, i) => i + 1));
      expect(events.map((e) => e.type)).toEqual(payout.timeline.map((entry) => `payout.${entry.status.toLowerCase()}`));
      expect(events.map((e) => e.createdAt)).toEqual(payout.timeline.map((entry) => entry.at));
      expect(events.map((e) => e.id)).toEqual(payout.timeline.map((_, i) => `evt_${reference}.${i + 1}`));
      // The payout as GET shows it at that status, with the number masked to its last 4 digits.
      const last = events.at(-1)!;
      const { customerNumber } = payout.destination as { customerNumber: string };
      expect(last.data.payout).toMatchObject({ id: reference, status, destination: { customerNumber: `********${customerNumber.slice(-4)}` } });
      expect(JSON.stringify(events)).not.toContain(customerNumber);
    }
    const ours = receiver.deliveries.filter((d) => 'payout' in d.event.data && Object.keys(finals).includes(d.event.data.payout.id));
    // The same webhook-id as the event id, a signature the reference library accepts, no event twice.
    for (const delivery of ours) expect(delivery.webhookId).toBe(delivery.event.id);
    expect(receiver.rejectedByReference).toEqual([]);
    expect(new Set(ours.map((d) => d.webhookId)).size).toBe(ours.length);

    const log = await waitForLog(stack, endpoint.id, (entries) => ours.every((d) => entries.some((e) => e.eventId === d.event.id && e.state === 'DELIVERED')));
    const succeededLog = log.filter((entry) => entry.payoutId === succeeded).sort((a, b) => a.sequence - b.sequence);
    expect(succeededLog.map((entry) => entry.type)).toEqual(['payout.validating', 'payout.awaiting_approval', 'payout.processing', 'payout.succeeded']);
    for (const entry of succeededLog) expect(entry).toMatchObject({ state: 'DELIVERED', attempts: 1, lastHttpStatus: 204, deliveredAt: expect.any(String) });
  }, 120_000);

  test('an endpoint that subscribes to payout.succeeded gets that event and no other', async () => {
    const picky = await testReceiver();
    try {
      const only = await register(stack, picky.url, ['payout.succeeded']);
      picky.useSecrets([only.secret]);
      const reference = await awaitingApproval(stack, '081200000000');
      await call(stack, 'POST', `/v1/payouts/${reference}/approve`, { key: KEYS.approver, body: {} });
      await waitForStatus(stack, reference, 'SUCCEEDED');
      await waitForDeliveries(picky, finalEventArrived(reference));
      await waitForDeliveries(receiver, finalEventArrived(reference));
      expect(eventsOf(picky.deliveries, reference).map((e) => [e.type, e.data.sequence])).toEqual([['payout.succeeded', 4]]);
      expect(picky.rejectedByReference).toEqual([]);
    } finally {
      await picky.stop();
    }
  }, 60_000);

  test('after a secret rotation, deliveries carry signatures under the old and the new secret', async () => {
    const rotating = await testReceiver();
    try {
      const created = await register(stack, rotating.url);
      const rotated = await call<{ secret: string }>(stack, 'POST', `/v1/webhook-endpoints/${created.id}/rotate-secret`, { key: KEYS.admin });
      expect(rotated.status).toBe(200);
      expect(rotated.body.secret).not.toBe(created.secret);
      // A receiver that knows only the old secret, and one that knows only the new one: both accept.
      for (const secrets of [[created.secret], [rotated.body.secret]]) {
        rotating.useSecrets(secrets);
        const reference = await awaitingApproval(stack, '081200000000');
        await waitForDeliveries(rotating, (all) => eventsOf(all, reference).length >= 2);
        for (const delivery of rotating.deliveries.filter((d) => 'payout' in d.event.data && d.event.data.payout.id === reference)) expect(delivery.signatures).toHaveLength(2);
      }
      expect(rotating.rejectedByReference).toEqual([]);
    } finally {
      await rotating.stop();
    }
  }, 60_000);

  test('a redelivery asked for while a later event is being retried is sent, and the later event only once', async () => {
    const reference = await awaitingApproval(stack, '081200003333'); // stays pending after approval: no more events
    await waitForDeliveries(receiver, (all) => eventsOf(all, reference).length >= 2);
    const [first, processing] = [`evt_${reference}.1`, `evt_${reference}.3`];
    const count = (id: string) => receiver.deliveries.filter((d) => d.webhookId === id).length;
    receiver.answerWith(503);
    try {
      await call(stack, 'POST', `/v1/payouts/${reference}/approve`, { key: KEYS.approver, body: {} });
      await waitForLog(stack, endpoint.id, (log) => (log.find((e) => e.eventId === processing)?.attempts ?? 0) >= 2);
      // Event 1 is sorted in front of event 3, which is still being retried.
      expect((await call(stack, 'POST', `/v1/webhook-endpoints/${endpoint.id}/deliveries/${first}/redeliver`, { key: KEYS.admin })).status).toBe(202);
      await new Promise((r) => setTimeout(r, 300));
    } finally {
      receiver.answerWith(undefined);
    }
    await waitForDeliveries(receiver, () => count(first) === 2 && count(processing) === 1, 15_000, 'the redelivery and the retried event');
    await new Promise((r) => setTimeout(r, 2_500)); // longer than the longest retry wait (2 s): nothing more comes
    expect([count(first), count(processing)]).toEqual([2, 1]);
  }, 60_000);

  test('no secret appears in any workflow history: the payout, the endpoints, the deliveries', async () => {
    const reference = await awaitingApproval(stack, '081200000000');
    await waitForDeliveries(receiver, (all) => eventsOf(all, reference).length >= 2);
    // Each history with something it surely holds in a payload: proof that the check reads payloads.
    const histories = [
      [payoutWorkflowId(reference), 'payout.awaiting_approval'],
      [endpointsWorkflowId(stack.taskQueue), endpoint.url],
      [deliveryWorkflowId(endpoint.id, reference), `evt_${reference}.2`],
    ] as const;
    const key = endpoint.secret.slice('whsec_'.length);
    for (const [workflowId, surelyThere] of histories) {
      const history = await stack.client.workflow.getHandle(workflowId).fetchHistory();
      const text = everyString(history);
      expect(text).toContain(surelyThere);
      expect(text).not.toContain(key);
      expect(text).not.toContain(Buffer.from(key, 'base64').toString('hex'));
    }
  }, 60_000);
});

describe('webhooks whose retries run out', () => {
  let stack: TestStack;
  let receiver: TestReceiver;
  let endpoint: CreatedEndpoint;
  // A retry window of 1.5 s, so an event runs out of retries within the test.
  withRegisteredReceiver({ webhookDelivery: { initialIntervalMs: 200, maxIntervalMs: 400, retryWindowMs: 1_500, lingerMs: 1_000 } }, (made) => ({ stack, receiver, endpoint } = made));

  test('an event the receiver keeps refusing is FAILED in the log and the metric; a redelivery by hand sends it', async () => {
    receiver.answerWith(500);
    const reference = await awaitingApproval(stack, '081200000000');
    const log = await waitForLog(stack, endpoint.id, (entries) => entries.filter((e) => e.payoutId === reference && e.state === 'FAILED').length === 2);
    for (const entry of log.filter((e) => e.payoutId === reference)) {
      expect(entry).toMatchObject({ state: 'FAILED', lastHttpStatus: 500, failedAt: expect.any(String) });
      expect(entry.attempts).toBeGreaterThanOrEqual(2);
    }
    const metrics = await (await fetch(`${stack.apiUrl}/metrics`)).text();
    expect(metrics).toMatch(/^payouts_webhook_failed_events [2-9]/m);
    expect(eventsOf(receiver.deliveries, reference)).toEqual([]);

    receiver.answerWith(undefined);
    const eventId = `evt_${reference}.1`;
    const redelivered = await call(stack, 'POST', `/v1/webhook-endpoints/${endpoint.id}/deliveries/${eventId}/redeliver`, { key: KEYS.admin });
    expect(redelivered.status).toBe(202);
    await waitForDeliveries(receiver, (all) => all.some((d) => d.webhookId === eventId));
    const after = await waitForLog(stack, endpoint.id, (entries) => entries.some((e) => e.eventId === eventId && e.state === 'DELIVERED'));
    expect(after.find((e) => e.eventId === eventId)).toMatchObject({ lastHttpStatus: 204, deliveredAt: expect.any(String) });
    expect(receiver.rejectedByReference).toEqual([]);
  }, 60_000);
});

describe('delivery workflows end', () => {
  let stack: TestStack;
  let receiver: TestReceiver;
  beforeAll(async () => {
    stack = await startStack({ webhookDelivery: { lingerMs: 1_000 } });
    receiver = await testReceiver();
  });
  afterAll(async () => {
    await receiver?.stop();
    await stack?.stop();
  });

  test('also for an endpoint that does not subscribe to the final status: it learns that the payout ended, lingers, and completes', async () => {
    const midway = await register(stack, receiver.url, ['payout.awaiting_approval']);
    receiver.useSecrets([midway.secret]);
    const reference = await awaitingApproval(stack, '081200000000');
    await call(stack, 'POST', `/v1/payouts/${reference}/approve`, { key: KEYS.approver, body: {} });
    await waitForStatus(stack, reference, 'SUCCEEDED');
    const handle = stack.client.workflow.getHandle(deliveryWorkflowId(midway.id, reference));
    const deadline = Date.now() + 20_000;
    while ((await handle.describe()).status.name === 'RUNNING' && Date.now() < deadline) await new Promise((r) => setTimeout(r, 250));
    expect((await handle.describe()).status.name).toBe('COMPLETED');
    expect(eventsOf(receiver.deliveries, reference).map((e) => e.type)).toEqual(['payout.awaiting_approval']);
  }, 60_000);
});

/** Every string in a history, payloads decoded as UTF-8, so that a secret anywhere in it would be found. */
function everyString(value: unknown, out: string[] = []): string {
  if (value instanceof Uint8Array) out.push(Buffer.from(value).toString('utf8'));
  else if (typeof value === 'string') out.push(value);
  else if (Array.isArray(value)) for (const item of value) everyString(item, out);
  else if (value && typeof value === 'object') for (const item of Object.values(value)) everyString(item, out);
  return out.join('\n');
}
