// Webhook helpers for tests: a receiver that also checks every delivery with the reference verifier
// (the `standardwebhooks` package), and questions about what it received.
import { Webhook } from 'standardwebhooks';
import type { BatchEvent, PayoutEvent, ReconciliationBreakEvent } from '../../src/domain/events';
import { startReceiver, type ReceivedDelivery, type ReceiverOptions } from '../../src/webhooks/receiver';

/** A receiver whose every accepted delivery is verified a second time, by standardwebhooks, with one of `secrets`. */
export async function testReceiver(options: ReceiverOptions = {}) {
  const rejected: string[] = [];
  const receiver = await startReceiver({
    ...options,
    onDelivery: (delivery) => {
      if (!verifiedByReference(delivery, currentSecrets())) rejected.push(delivery.webhookId);
      options.onDelivery?.(delivery);
    },
  });
  let secrets = options.secrets ?? [];
  const currentSecrets = () => secrets;
  return Object.assign(receiver, {
    /** Webhook ids that our verifier accepted and standardwebhooks refused: must stay empty. */
    rejectedByReference: rejected,
    useSecrets(next: string[]) {
      secrets = next;
      receiver.setSecrets(next);
    },
  });
}

export type TestReceiver = Awaited<ReturnType<typeof testReceiver>>;

function verifiedByReference(delivery: ReceivedDelivery, secrets: string[]): boolean {
  return secrets.some((secret) => {
    try {
      new Webhook(secret).verify(delivery.body, delivery.headers);
      return true;
    } catch {
      return false;
    }
  });
}

/** The events received for one payout, in arrival order. */
export function eventsOf(deliveries: readonly ReceivedDelivery[], payoutId: string): PayoutEvent[] {
  return deliveries.map((d) => d.event).filter((event): event is PayoutEvent => 'payout' in event.data && event.data.payout.id === payoutId);
}

/** The events received for one batch (batch.<status>), in arrival order. */
export function batchEventsOf(deliveries: readonly ReceivedDelivery[], batchId: string): BatchEvent[] {
  return deliveries.map((d) => d.event).filter((event): event is BatchEvent => 'batch' in event.data && event.data.batch.id === batchId);
}

/** The `reconciliation.break` events received for one reconciliation run, in arrival order. */
export function reconciliationEventsOf(deliveries: readonly ReceivedDelivery[], runId: string): ReconciliationBreakEvent[] {
  return deliveries.map((d) => d.event).filter((event): event is ReconciliationBreakEvent => 'reconciliation' in event.data && event.data.reconciliation.id === runId);
}

/** Waits until `done` holds over what the receiver got. */
export async function waitForDeliveries(receiver: { deliveries: ReceivedDelivery[] }, done: (all: ReceivedDelivery[]) => boolean, timeoutMs = 30_000, what = 'the deliveries'): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (done(receiver.deliveries)) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${what} did not arrive within ${timeoutMs} ms; got ${receiver.deliveries.map((d) => `${d.event.id}`).join(', ')}`);
}

/** Final payout event types: after one, no event of that payout comes. */
export const FINAL_EVENT_TYPES = ['payout.succeeded', 'payout.failed', 'payout.rejected', 'payout.expired', 'payout.cancelled'];
