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
import { reconciliationBreakEvents, type ReconciliationBreakEvent } from '../src/domain/events';
import type { ReconciliationBreak, ReconciliationRun } from '../src/domain/reconciliation';

/** Events per activity call, and at most about this many bytes of them. */
export const PUBLISH_CHUNK_EVENTS = 100;
export const PUBLISH_CHUNK_BYTES = 256_000;

/** Publishes the run's events (none for no breaks); returns once every endpoint that wants them has them queued. */
export async function publishReconciliationBreaks(run: ReconciliationRun, breaks: readonly ReconciliationBreak[]): Promise<void> {
  // The time of this workflow task: the same on every replay, so every rebuilt event is the same event.
  const events = reconciliationBreakEvents(run, breaks, new Date().toISOString());
  for (const chunk of chunksOf(events)) {
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

/** Consecutive chunks of at most PUBLISH_CHUNK_EVENTS events and about PUBLISH_CHUNK_BYTES (a chunk has at least one event). */
export function chunksOf(events: readonly ReconciliationBreakEvent[], maxEvents = PUBLISH_CHUNK_EVENTS, maxBytes = PUBLISH_CHUNK_BYTES): ReconciliationBreakEvent[][] {
  const chunks: ReconciliationBreakEvent[][] = [];
  let current: ReconciliationBreakEvent[] = [];
  let bytes = 0;
  for (const event of events) {
    const size = JSON.stringify(event).length;
    if (current.length > 0 && (current.length >= maxEvents || bytes + size > maxBytes)) {
      chunks.push(current);
      current = [];
      bytes = 0;
    }
    current.push(event);
    bytes += size;
  }
  if (current.length > 0) chunks.push(current);
  return chunks;
}
