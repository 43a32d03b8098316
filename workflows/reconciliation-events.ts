// `reconciliation.break` webhook events: one per break of a payout that is already closed (or of a
// transfer we do not know), built once when the run ends (src/domain/events.ts) and handed, in order,
// to the delivery workflow of every endpoint that wants them, like a payout's or a batch's events.
//
// A normal activity (see startPublishing in events.ts for why never a local one), retried without an
// attempt limit: publishing only talks to Temporal, and an event is never dropped. The events go in
// chunks, so each activity's input stays far below Temporal's payload limit; a retried chunk is the
// same events again, which the delivery workflows drop by sequence.
import { proxyActivities } from '@temporalio/workflow';
import type { WebhookActivities } from '../activities/webhooks';
import { chunkEvents, reconciliationBreakEvents } from '../src/domain/events';
import type { ReconciliationBreak, ReconciliationRun } from '../src/domain/reconciliation';

/** Events per activity call, and at most about this many bytes of them (Temporal refuses a payload over 2 MB). */
const PUBLISH_CHUNK = { maxEvents: 100, maxBytes: 256_000 };

/** Publishes the run's events (none for no breaks); returns once every endpoint that wants them has them queued. */
export async function publishReconciliationBreaks(run: ReconciliationRun, breaks: readonly ReconciliationBreak[]): Promise<void> {
  // The time of this workflow task: the same on every replay, so every rebuilt event is the same event.
  const events = reconciliationBreakEvents(run, breaks, new Date().toISOString());
  for (const chunk of chunkEvents(events, PUBLISH_CHUNK)) {
    const first = chunk[0]!.data.sequence;
    const last = chunk.at(-1)!.data.sequence;
    await proxyActivities<WebhookActivities>({
      startToCloseTimeout: '30s',
      // No attempt limit: an event is never dropped. Publishing only talks to Temporal itself.
      retry: { initialInterval: '1s', maximumInterval: '1m', backoffCoefficient: 2 },
      summary: `Publish reconciliation.break ${first === last ? `(${first})` : `(${first}–${last})`} of ${events.length}`,
    }).publishReconciliationEvents(chunk);
  }
}
