// `reconciliation.break` end to end on the real stack: a payout paid through Faspay's simulator and
// then given back there (a reversal: STATUS_MISMATCH on a closed payout), a reconciliation run started
// on the stack's task queue, and a real HTTP receiver, registered through the API for
// `reconciliation.break` only, that verifies the signed event with our verifier and with the
// reference one (`standardwebhooks`). An endpoint that wants payout events only gets none of the
// run's, and a run without breaks publishes nothing.
import { randomUUID } from 'node:crypto';
import type { ReconciliationBreakEvent } from '../../src/domain/events';
import { jakartaDay } from '../../src/domain/approval-policy';
import { reconciliationWorkflowId, type ReconciliationRun } from '../../src/domain/reconciliation';
import { deliveryWorkflowId, type DeliveryRecord } from '../../src/domain/webhooks';
import type { ProviderKey } from '../../src/domain/payout';
import { clearOfJakartaMidnight } from '../support/approvals';
import { call, KEYS, startStack, uniqueReference, waitForStatus, type TestStack } from '../support/stack';
import { eventsOf, reconciliationEventsOf, testReceiver, waitForDeliveries, type TestReceiver } from '../support/webhooks';

jest.setTimeout(180_000);

interface CreatedEndpoint {
  id: string;
  events: string[];
  secret: string;
}

async function register(stack: TestStack, receiver: TestReceiver, events: string[]): Promise<CreatedEndpoint> {
  const res = await call<CreatedEndpoint>(stack, 'POST', '/v1/webhook-endpoints', { key: KEYS.admin, body: { url: receiver.url, events } });
  expect(res.status).toBe(201);
  receiver.useSecrets([res.body.secret]);
  return res.body;
}

/** A Faspay bank payout approved and paid: SUCCEEDED at the first status check (account number …0000). */
async function paid(stack: TestStack): Promise<string> {
  const reference = uniqueReference('rw');
  const body = { reference, destination: { type: 'BANK_ACCOUNT', bankCode: '014', accountNumber: '1234560000' }, amount: { value: '50000.00', currency: 'IDR' } };
  expect((await call(stack, 'POST', '/v1/payouts', { body })).status).toBe(201);
  await waitForStatus(stack, reference, 'AWAITING_APPROVAL');
  expect((await call(stack, 'POST', `/v1/payouts/${reference}/approve`, { key: KEYS.approver, body: {} })).status).toBe(200);
  await waitForStatus(stack, reference, 'SUCCEEDED', 60_000);
  return reference;
}

/** A run of today started as the API starts one, on the stack's task queue; its result, and its workflow id. */
async function reconcile(stack: TestStack, provider?: ProviderKey): Promise<ReconciliationRun> {
  const date = jakartaDay(Date.now());
  const handle = await stack.client.workflow.start('reconciliationWorkflow', {
    taskQueue: stack.taskQueue,
    workflowId: reconciliationWorkflowId(date, provider, randomUUID().slice(0, 8)),
    args: [{ date, trigger: 'api', ...(provider && { provider }) }],
  });
  return (await handle.result()) as ReconciliationRun;
}

/** How often the run's workflow scheduled the publishing activity (each call is one chunk of events). */
async function publishCalls(stack: TestStack, runId: string): Promise<number> {
  const history = await stack.client.workflow.getHandle(runId).fetchHistory();
  return (history.events ?? []).filter((e) => e.activityTaskScheduledEventAttributes?.activityType?.name === 'publishReconciliationEvents').length;
}

async function deliveryLog(stack: TestStack, endpointId: string): Promise<DeliveryRecord[]> {
  const res = await call<{ items: DeliveryRecord[] }>(stack, 'GET', `/v1/webhook-endpoints/${endpointId}/deliveries?limit=100`, { key: KEYS.admin });
  expect(res.status).toBe(200);
  return res.body.items;
}

describe('reconciliation.break webhooks on a real stack', () => {
  let stack: TestStack;
  let breaks: TestReceiver;
  let payouts: TestReceiver;
  let breakEndpoint: CreatedEndpoint;
  let payoutEndpoint: CreatedEndpoint;
  beforeAll(async () => {
    // The payout and the run must fall in the same Jakarta day.
    await clearOfJakartaMidnight(5 * 60_000);
    stack = await startStack();
    breaks = await testReceiver();
    payouts = await testReceiver();
    breakEndpoint = await register(stack, breaks, ['reconciliation.break']);
    payoutEndpoint = await register(stack, payouts, ['payout.succeeded']);
  });
  afterAll(async () => {
    await breaks?.stop();
    await payouts?.stop();
    await stack?.stop();
  });

  test('a payout given back at the provider after it SUCCEEDED: one signed reconciliation.break event, in the delivery log, redeliverable', async () => {
    const reference = await paid(stack);
    // Faspay reverses the transfer after it succeeded (docs/simulators.md, "Reconciliation breaks").
    const patch = await fetch(`${stack.faspaySimulator.url}/__sim/transactions/${reference}`, {
      method: 'PATCH',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ status: '06' }),
    });
    expect(patch.status).toBe(200);

    const run = await reconcile(stack);
    expect(run.status).toBe('COMPLETED');
    const found = run.breaks.filter((b) => b.reference === reference);
    expect(found.map((b) => b.kind)).toEqual(['STATUS_MISMATCH']);
    // Closed: no payout was moved to NEEDS_ATTENTION; the break goes to the webhooks.
    expect(run.flagged).toEqual([]);
    const expectedBreaks = run.breaks; // every break of this stack's day is a closed payout's here

    await waitForDeliveries(breaks, (all) => reconciliationEventsOf(all, run.id).some((e) => e.data.last), 60_000, `the run's last reconciliation.break`);
    const events = reconciliationEventsOf(breaks.deliveries, run.id);
    expect(events.map((e) => e.data.sequence)).toEqual(expectedBreaks.map((_, i) => i + 1));
    expect(events.map((e) => e.id)).toEqual(expectedBreaks.map((_, i) => `evt_reconciliation:${run.id}.${i + 1}`));
    expect(events.map((e) => e.data.last)).toEqual(expectedBreaks.map((_, i) => i === expectedBreaks.length - 1));
    const ours = events.find((e) => e.data.break.reference === reference)!;
    expect(ours).toMatchObject<Partial<ReconciliationBreakEvent>>({ type: 'reconciliation.break', data: expect.objectContaining({ reconciliation: { id: run.id, date: run.date } }) });
    // The break as the report has it: both sides' records (the transfer and its refund at Faspay).
    expect(ours.data.break).toEqual(found[0]);
    expect(ours.data.break.ours).toMatchObject({ reference, status: 'SUCCEEDED', amount: 50_000 });
    expect(ours.data.break.theirs?.length).toBeGreaterThan(0);
    expect(ours.data.omitted).toBeUndefined();
    expect(Date.parse(ours.createdAt)).toBeGreaterThanOrEqual(Date.parse(run.startedAt));
    // Signed: webhook-id is the event id, and the reference verifier agrees with ours.
    const delivery = breaks.deliveries.find((d) => d.event.id === ours.id)!;
    expect(delivery.webhookId).toBe(ours.id);
    expect(delivery.signatures).toHaveLength(1);
    expect(breaks.rejectedByReference).toEqual([]);
    // Each event once.
    expect(new Set(breaks.deliveries.map((d) => d.webhookId)).size).toBe(breaks.deliveries.length);
    // The endpoint wants reconciliation.break only: it got none of the payout's own events.
    expect(breaks.deliveries.every((d) => d.event.type === 'reconciliation.break')).toBe(true);

    // One chunk published; the payout-only endpoint got the payout's event and no delivery workflow for the run.
    expect(await publishCalls(stack, run.id)).toBe(1);
    await waitForDeliveries(payouts, (all) => eventsOf(all, reference).length > 0, 30_000, `${reference}'s payout.succeeded`);
    expect(payouts.deliveries.map((d) => d.event.type)).not.toContain('reconciliation.break');
    await expect(stack.client.workflow.getHandle(deliveryWorkflowId(payoutEndpoint.id, `reconciliation:${run.id}`)).describe()).rejects.toThrow();

    // The delivery log lists it under the run's subject; a redelivery sends the same event again.
    const deadline = Date.now() + 30_000;
    let log: DeliveryRecord[] = [];
    while (Date.now() < deadline) {
      log = (await deliveryLog(stack, breakEndpoint.id)).filter((r) => r.eventId === ours.id);
      if (log[0]?.state === 'DELIVERED') break;
      await new Promise((r) => setTimeout(r, 200));
    }
    expect(log).toEqual([expect.objectContaining({ eventId: ours.id, type: 'reconciliation.break', payoutId: `reconciliation:${run.id}`, sequence: ours.data.sequence, state: 'DELIVERED' })]);
    const redeliver = await call(stack, 'POST', `/v1/webhook-endpoints/${breakEndpoint.id}/deliveries/${encodeURIComponent(ours.id)}/redeliver`, { key: KEYS.admin, body: {} });
    expect(redeliver.status).toBe(202);
    await waitForDeliveries(breaks, (all) => all.filter((d) => d.webhookId === ours.id).length === 2, 30_000, 'the redelivered event');
    const [first, again] = breaks.deliveries.filter((d) => d.webhookId === ours.id);
    expect(again!.body).toBe(first!.body);
    expect(breaks.rejectedByReference).toEqual([]);
  });

  test('a run without breaks publishes nothing', async () => {
    // Singapay: this stack paid nothing through it, so its day is clean.
    const run = await reconcile(stack, 'singapay');
    expect(run.status).toBe('COMPLETED');
    expect(run.breaks).toEqual([]);
    expect(await publishCalls(stack, run.id)).toBe(0);
    expect(reconciliationEventsOf(breaks.deliveries, run.id)).toEqual([]);
  });
});
