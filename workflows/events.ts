// A payout's webhook events: every status the payout enters is one event (src/domain/events.ts), put
// in an outbox that is part of the payout's state (so continue-as-new carries it) and published in
// order by one background loop, through an activity that hands each event to the delivery workflow
// of every endpoint that wants it. The payout never waits for a receiver: publishing only starts or
// signals workflows, and delivery runs in those. The payout's run ends only once its outbox is empty,
// so its last event is always published.
//
// Publishing is at-least-once (an activity may repeat), deliveries are deduplicated by sequence, and
// each event is built once, when its status is entered: each is emitted exactly once, also across
// continue-as-new and replays.
import { condition, patched, proxyActivities } from '@temporalio/workflow';
import type { WebhookActivities } from '../activities/webhooks';
import { payoutEvent, type PayoutEvent, type WebhookEvent } from '../src/domain/events';
import type { Payout } from '../src/domain/payout';

/** The patch that added webhook events; payouts started before it emit none (their earlier statuses were never recorded as events). */
export const WEBHOOK_EVENTS = 'webhook-events';

export interface EventOutbox {
  /** Built, not yet published, in order of sequence. */
  pending: PayoutEvent[];
}

/**
 * The outbox of a payout that starts now: its first event (payout.validating, sequence 1) is in it.
 * Undefined when replaying a history from before WEBHOOK_EVENTS, which emits nothing.
 */
export function openOutbox(payout: Payout): EventOutbox | undefined {
  if (!patched(WEBHOOK_EVENTS)) return undefined;
  return { pending: [payoutEvent(payout, 1)] };
}

/** After a status change: the event for the status just entered (its sequence is its place in the timeline). */
export function recordStatusEvent(outbox: EventOutbox | undefined, payout: Payout): void {
  outbox?.pending.push(payoutEvent(payout, payout.timeline.length));
}

/**
 * Publishes the outbox's events in order, for the rest of this run.
 *
 * A normal activity, never a local one, although publishing only talks to Temporal and a local
 * activity would cost the history one marker instead of three events and a workflow task (measured:
 * 65 instead of 82–85 events for a happy path). A local activity runs inside a workflow task attempt,
 * and an attempt can fail to commit (a signal arrives while it completes): its event was already
 * published, with the failed attempt's time, while the committed payout has the retry's time. The
 * recorded happy path showed exactly that. A normal activity is scheduled only by a committed task.
 */
export function startPublishing(outbox: EventOutbox | undefined): void {
  if (!outbox) return;
  publishInOrder(outbox, 'publishPayoutEvents');
}

/** The publishing loop of an outbox of payout or batch events, through the named activity. */
export function publishInOrder<E extends WebhookEvent>(outbox: { pending: E[] }, activity: 'publishPayoutEvents' | 'publishBatchEvents'): void {
  const publisher = (events: E[]) =>
    proxyActivities<WebhookActivities>({
      startToCloseTimeout: '30s',
      // No attempt limit: an event is never dropped. Publishing only talks to Temporal itself.
      retry: { initialInterval: '1s', maximumInterval: '1m', backoffCoefficient: 2 },
      summary: `Publish ${events.map((event) => `${event.type} (${event.data.sequence})`).join(', ')}`,
    })[activity];
  void (async () => {
    for (;;) {
      await condition(() => outbox.pending.length > 0);
      const batch = outbox.pending.slice();
      await publisher(batch)(batch);
      outbox.pending.splice(0, batch.length);
    }
  })();
}

/** True once every event so far has been published (or there is no outbox). */
export function allPublished(outbox: { pending: unknown[] } | undefined): boolean {
  return !outbox || outbox.pending.length === 0;
}
