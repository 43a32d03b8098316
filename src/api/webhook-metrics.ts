// Webhook gauges for the API's /metrics, read from Temporal's visibility at scrape time (the
// delivery workflows keep two search attributes for this): how old the oldest undelivered event is,
// and how many events ran out of retries. Deliveries by outcome are counted where they happen, in the
// worker's metrics (webhook_deliveries{outcome}).
import type { Client } from '@temporalio/client';
import type { TypedSearchAttributes } from '@temporalio/common';
import { Gauge, type Registry } from 'prom-client';
import { WEBHOOK_FAILED_EVENTS, WEBHOOK_PENDING_SINCE } from '../../workflows/search-attributes';

/** A scrape reads at most this many delivery workflows per gauge: a bound on its cost, not on correctness of the common case. */
const MAX_SCANNED = 1_000;

export function registerWebhookGauges(registry: Registry, client: Client, taskQueue: string): void {
  // This deployment's delivery workflows (a namespace may hold several deployments' task queues).
  const deliveries = `WorkflowType = 'webhookDeliveryWorkflow' AND TaskQueue = '${taskQueue.replace(/'/g, "''")}'`;
  const running = `${deliveries} AND ExecutionStatus = 'Running'`;
  new Gauge({
    name: 'payouts_webhook_oldest_undelivered_seconds',
    help: 'Age of the oldest webhook event not delivered yet (0 when none waits)',
    registers: [registry],
    async collect() {
      let oldest: number | undefined;
      const read = await scan(client, `${running} AND ${WEBHOOK_PENDING_SINCE.name} < '${new Date().toISOString()}'`, (attributes) => {
        const since = attributes.get(WEBHOOK_PENDING_SINCE)?.getTime();
        if (since !== undefined && (oldest === undefined || since < oldest)) oldest = since;
      });
      this.set(!read ? Number.NaN : oldest === undefined ? 0 : Math.max(0, (Date.now() - oldest) / 1000));
    },
  });
  new Gauge({
    name: 'payouts_webhook_failed_events',
    help: 'Webhook events whose retry window ran out without a delivery (they can be redelivered by hand)',
    registers: [registry],
    async collect() {
      let failed = 0;
      const read = await scan(client, `${deliveries} AND ${WEBHOOK_FAILED_EVENTS.name} > 0`, (attributes) => {
        failed += attributes.get(WEBHOOK_FAILED_EVENTS) ?? 0;
      });
      this.set(read ? failed : Number.NaN);
    },
  });
}

/** Visits the matching executions' search attributes; false when Temporal could not be asked (the gauge then reads NaN, not a stale value). */
async function scan(client: Client, query: string, each: (attributes: TypedSearchAttributes) => void): Promise<boolean> {
  let seen = 0;
  try {
    for await (const execution of client.workflow.list({ query, pageSize: 200 })) {
      each(execution.typedSearchAttributes);
      if (++seen >= MAX_SCANNED) break;
    }
    return true;
  } catch {
    return false;
  }
}
