// One delivery workflow per webhook endpoint and payout (deliveryWorkflowId): it receives the payout's
// events for that endpoint in order of sequence and delivers them one at a time, each retried with
// exponential backoff until the receiver takes it or the retry window runs out. Only this payout's
// events to this endpoint wait for one another: a slow endpoint or payout holds up nothing else.
//
// Its delivery log is the memo (the API lists it through visibility, without a worker), and its whole
// state (events included, for redelivery) is carried over continue-as-new and returned at the end.
import {
  allHandlersFinished,
  condition,
  continueAsNew,
  metricMeter,
  proxyLocalActivities,
  setHandler,
  sleep,
  upsertMemo,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import type { WebhookActivities } from '../activities/webhooks';
import { endsStream, type WebhookEvent } from '../src/domain/events';
import { retryDelay, type AttemptResult, type DeliveryPolicy, type DeliveryRecord } from '../src/domain/webhooks';
import { deliveryLogQuery, enqueueEventsSignal, payoutEndedSignal, redeliverSignal } from './webhook-messages';
import { WEBHOOK_ENDPOINT_ID, WEBHOOK_FAILED_EVENTS, WEBHOOK_PENDING_SINCE } from './search-attributes';

export interface DeliveryWorkflowInput {
  endpointId: string;
  payoutId: string;
  policy: DeliveryPolicy;
  /** Carried over continue-as-new, or from a finished run when an event is redelivered. */
  carried?: DeliveryWorkflowState;
}

export interface DeliveryWorkflowState {
  /** Every event received, by sequence, kept for redelivery. */
  events: WebhookEvent[];
  log: DeliveryRecord[];
  /** Sequences waiting to be delivered, in order. */
  queue: number[];
  /** The payout ended with a status this endpoint does not subscribe to (else its last event says so). */
  payoutEnded?: boolean;
}

/** Continue as new before the history grows large: a receiver down for a day costs ~30 attempts per event. */
const MAX_HISTORY_EVENTS = 1_500;

export async function webhookDeliveryWorkflow(input: DeliveryWorkflowInput): Promise<DeliveryWorkflowState> {
  const { endpointId, policy } = input;
  const state: DeliveryWorkflowState = input.carried ?? { events: [], log: [], queue: [] };
  const recordOf = (sequence: number) => state.log.find((record) => record.sequence === sequence)!;
  let changed = true;

  setHandler(enqueueEventsSignal, (events) => {
    for (const event of events) {
      const sequence = event.data.sequence;
      // At-least-once publishing: an event already held is the same event again.
      if (state.events.some((held) => held.data.sequence === sequence)) continue;
      state.events.push(event);
      state.events.sort((a, b) => a.data.sequence - b.data.sequence);
      state.log.push({ eventId: event.id, type: event.type, payoutId: input.payoutId, sequence, state: 'PENDING', attempts: 0, createdAt: event.createdAt });
      state.queue.push(sequence);
      state.queue.sort((a, b) => a - b);
    }
    changed = true;
  });

  setHandler(payoutEndedSignal, () => {
    state.payoutEnded = true;
  });

  setHandler(redeliverSignal, ({ eventId }) => {
    const record = state.log.find((entry) => entry.eventId === eventId);
    if (!record || state.queue.includes(record.sequence)) return;
    record.state = 'PENDING';
    delete record.failedAt;
    state.queue.push(record.sequence);
    state.queue.sort((a, b) => a - b);
    changed = true;
  });

  setHandler(deliveryLogQuery, () => state.log);

  // What the search attributes say now: each write is a history event, so only a change is written.
  let published = { pendingSince: undefined as string | undefined, failed: 0 };
  const publishLog = () => {
    if (!changed) return;
    changed = false;
    const head = state.queue[0];
    // The oldest undelivered event's time, for the "oldest undelivered" metric; unset when all are through.
    const now = { pendingSince: head === undefined ? undefined : recordOf(head).createdAt, failed: state.log.filter((record) => record.state === 'FAILED').length };
    if (now.pendingSince !== published.pendingSince || now.failed !== published.failed) {
      upsertSearchAttributes([
        { key: WEBHOOK_PENDING_SINCE, value: now.pendingSince === undefined ? null : new Date(now.pendingSince) },
        { key: WEBHOOK_FAILED_EVENTS, value: now.failed },
      ]);
      published = now;
    }
    upsertMemo({ deliveries: state.log });
  };

  if (!input.carried) upsertSearchAttributes([{ key: WEBHOOK_ENDPOINT_ID, value: endpointId }]);

  // A local activity: one marker in this history per attempt instead of three events and a second
  // workflow task, which halves what a delivery costs the Temporal server (the chaos run at
  // concurrency 30 saturated the dev server with normal activities). Its known price: a workflow task
  // attempt that does not commit (a worker dies mid-task) forgets an attempt that may have reached
  // the receiver, so the event is sent again, with the same webhook-id: at least once, as promised.
  const deliver = (summary: string) =>
    proxyLocalActivities<WebhookActivities>({
      // The attempt's own timer bounds the HTTP call; the rest is signing and reading the endpoint.
      startToCloseTimeout: policy.attemptTimeoutMs + 10_000,
      // Only an internal error repeats an attempt here; the receiver's answers come back as results,
      // and this workflow decides when to try again.
      retry: { maximumAttempts: 3, initialInterval: 1_000 },
      summary,
    }).deliverWebhookEvent;

  for (;;) {
    // The log is written when this workflow is about to wait, not before every attempt.
    if (state.queue.length === 0) publishLog();
    const idle = state.queue.length === 0;
    // A final status ends the stream: after it, no event of this payout (or batch) will come.
    const over = state.payoutEnded === true || state.events.some(endsStream);
    if (idle) {
      // Wait for the next event; after the payout's last one, linger for late duplicates and redeliveries, then end.
      const wakes = () => state.queue.length > 0 || tooLong();
      if (!over) {
        await condition(() => wakes() || state.payoutEnded === true);
        if (!wakes()) continue; // ended: linger from now
      } else if (!(await condition(wakes, policy.lingerMs))) return state;
    }
    if (tooLong()) break;
    const sequence = state.queue[0]!;
    const event = state.events.find((held) => held.data.sequence === sequence)!;
    const record = recordOf(sequence);
    const windowEndsMs = Date.now() + policy.retryWindowMs;
    let attemptsThisRound = 0;
    for (;;) {
      record.attempts += 1;
      attemptsThisRound += 1;
      delete record.nextAttemptAt;
      const result: AttemptResult = await deliver(`Deliver ${event.type} (sequence ${sequence}), attempt ${record.attempts}`)(endpointId, event).catch(
        (err: unknown) => ({ outcome: 'FAILED', error: `delivery attempt failed: ${(err as Error).message}` }) as const,
      );
      countAttempt(result.outcome);
      if (result.outcome === 'ENDPOINT_GONE') {
        // Deleted: nothing more goes there. The log keeps what happened.
        record.lastError = 'the endpoint was deleted';
        state.queue = [];
        changed = true;
        publishLog();
        return state;
      }
      if (result.outcome === 'DELIVERED') {
        record.state = 'DELIVERED';
        record.lastHttpStatus = result.httpStatus;
        delete record.lastError;
        record.deliveredAt = new Date().toISOString();
        break;
      }
      if (result.outcome === 'REFUSED') {
        record.lastHttpStatus = result.httpStatus;
        record.lastError = `the receiver answered ${result.httpStatus}`;
      } else {
        delete record.lastHttpStatus;
        record.lastError = result.error;
      }
      const delay = retryDelay(attemptsThisRound, policy, result.outcome === 'REFUSED' ? result.retryAfterMs : undefined);
      if (Date.now() + delay > windowEndsMs) {
        record.state = 'FAILED';
        record.failedAt = new Date().toISOString();
        countAttempt('GAVE_UP');
        break;
      }
      record.nextAttemptAt = new Date(Date.now() + delay).toISOString();
      changed = true;
      publishLog();
      await sleep(delay);
    }
    // By value, not the head: a redelivery asked for meanwhile may have been sorted in front of it.
    state.queue = state.queue.filter((queued) => queued !== sequence);
    changed = true;
  }
  publishLog();
  await condition(allHandlersFinished);
  return continueAsNew<typeof webhookDeliveryWorkflow>({ ...input, carried: state });

  function tooLong(): boolean {
    return workflowInfo().continueAsNewSuggested || workflowInfo().historyLength > MAX_HISTORY_EVENTS;
  }
}

/** Deliveries by outcome (DELIVERED, REFUSED, FAILED, ENDPOINT_GONE, and GAVE_UP when a retry window ran out). */
function countAttempt(outcome: AttemptResult['outcome'] | 'GAVE_UP'): void {
  metricMeter.createCounter('webhook_deliveries', 'attempts', 'Webhook delivery attempts by outcome; GAVE_UP counts events whose retry window ran out').add(1, {
    outcome,
  });
}
