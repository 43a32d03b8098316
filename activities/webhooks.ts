// Webhook activities: publishing a payout's events to the delivery workflows of the endpoints that
// want them, and one delivery attempt of one event. Neither retries by itself: the workflows decide.
import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import { describeSubject, endsStream, eventSubject, type WebhookEvent } from '../src/domain/events';
import { readEndpoints } from '../src/webhooks/directory';
import { deliveryWorkflowId, signingVersions, subscribes, type AttemptResult, type DeliveryPolicy } from '../src/domain/webhooks';
import { deriveEndpointSecret } from '../src/webhooks/secrets';
import { sendWebhook } from '../src/webhooks/sender';
import { signWebhook } from '../src/webhooks/signature';
import { checkWebhookUrl, resolveDeliveryAddress, type Lookup, type UrlPolicy } from '../src/webhooks/url-policy';
import type { webhookDeliveryWorkflow } from '../workflows/webhook-delivery';
import { enqueueEventsSignal, payoutEndedSignal } from '../workflows/webhook-messages';
import { WEBHOOK_ENDPOINT_ID } from '../workflows/search-attributes';

export interface WebhookDeps {
  /** To read the endpoints and start or signal delivery workflows. */
  client: Client;
  /** Where delivery workflows run (the worker's own task queue). */
  taskQueue: string;
  /** WEBHOOK_SECRET_KEY: every endpoint's secret is derived from it. */
  masterKey: Buffer;
  urlPolicy: UrlPolicy;
  delivery: DeliveryPolicy;
  /** DNS (tests resolve names their own way). */
  lookup?: Lookup;
}

export function createWebhookActivities(deps: WebhookDeps) {
  const endDeliveries = async (workflowId: string) => {
    try {
      await deps.client.workflow.getHandle(workflowId).signal(payoutEndedSignal);
    } catch (err) {
      // Never started (the endpoint wanted none of this payout's events) or already ended: nothing waits.
      if (!(err instanceof WorkflowNotFoundError)) throw err;
    }
  };
  /** Hands the events (one payout's, one batch's or one reconciliation run's, in order) to every endpoint that subscribes to them; returns how many endpoints got some. */
  async function publishEvents(events: WebhookEvent[]): Promise<number> {
    const first = events[0];
    if (first === undefined) return 0;
    const subject = eventSubject(first);
    let reached = 0;
    const ends = events.some(endsStream);
    for (const endpoint of await readEndpoints(deps.client, deps.taskQueue)) {
      const wanted = events.filter((event) => subscribes(endpoint, event.type));
      const workflowId = deliveryWorkflowId(endpoint.id, subject);
      if (wanted.length === 0) {
        // A delivery workflow that got earlier events must learn that no more will come, or it waits forever.
        if (ends) await endDeliveries(workflowId);
        continue;
      }
      await deps.client.workflow.signalWithStart<typeof webhookDeliveryWorkflow, [WebhookEvent[]]>('webhookDeliveryWorkflow', {
        workflowId,
        taskQueue: deps.taskQueue,
        args: [{ endpointId: endpoint.id, payoutId: subject, policy: deps.delivery }],
        signal: enqueueEventsSignal,
        signalArgs: [wanted],
        typedSearchAttributes: [{ key: WEBHOOK_ENDPOINT_ID, value: endpoint.id }],
        staticSummary: `Webhook deliveries of ${describeSubject(subject)} to ${endpoint.id}`,
      });
      if (ends && !wanted.some(endsStream)) await endDeliveries(workflowId);
      reached += 1;
    }
    return reached;
  }

  return {
    /** A payout's events (the name is kept: running payouts' histories schedule it). */
    publishPayoutEvents: publishEvents,
    /** A batch's events. */
    publishBatchEvents: publishEvents,
    /** A reconciliation run's `reconciliation.break` events (a chunk of them, in order). */
    publishReconciliationEvents: publishEvents,

    /** One attempt: the endpoint as it is now, its URL checked on the address connected to, a fresh timestamp and signature(s). */
    async deliverWebhookEvent(endpointId: string, event: WebhookEvent): Promise<AttemptResult> {
      const endpoint = (await readEndpoints(deps.client, deps.taskQueue)).find((candidate) => candidate.id === endpointId);
      if (!endpoint) return { outcome: 'ENDPOINT_GONE' };
      const checked = checkWebhookUrl(endpoint.url, deps.urlPolicy);
      if (!checked.ok) return { outcome: 'FAILED', error: `URL refused: ${checked.reason}` };
      const address = await resolveDeliveryAddress(checked.url, deps.urlPolicy, deps.lookup);
      if ('refused' in address) return { outcome: 'FAILED', error: `address refused: ${address.refused}` };
      const now = Date.now();
      const body = JSON.stringify(event);
      const headers = signWebhook({
        id: event.id,
        timestamp: new Date(now),
        body,
        secrets: signingVersions(endpoint, now).map((version) => deriveEndpointSecret(deps.masterKey, endpoint.id, version)),
      });
      const attempt = await sendWebhook({ url: checked.url, address, headers: { ...headers, 'user-agent': 'payouts-webhooks/1' }, body, timeoutMs: deps.delivery.attemptTimeoutMs });
      return attempt;
    },
  };
}

export type WebhookActivities = ReturnType<typeof createWebhookActivities>;
