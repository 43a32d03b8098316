// Custom search attributes, so operators can filter payouts in the Temporal Web UI
// (e.g. `PayoutStatus = "AWAITING_APPROVAL"`). Search attributes are never encrypted: they hold no
// names, phone or account numbers — only status, provider, destination type, amount and requester.
import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';

export const PAYOUT_STATUS = defineSearchAttributeKey('PayoutStatus', SearchAttributeType.KEYWORD);
export const PAYOUT_PROVIDER = defineSearchAttributeKey('PayoutProvider', SearchAttributeType.KEYWORD);
export const PAYOUT_DESTINATION_TYPE = defineSearchAttributeKey('PayoutDestinationType', SearchAttributeType.KEYWORD);
export const PAYOUT_AMOUNT = defineSearchAttributeKey('PayoutAmount', SearchAttributeType.INT);
export const PAYOUT_REQUESTED_BY = defineSearchAttributeKey('PayoutRequestedBy', SearchAttributeType.KEYWORD);

/** The batch a payout is a row of (also set on the batch's own workflow): `BatchId = "PAYROLL-11"` lists both. */
export const BATCH_ID = defineSearchAttributeKey('BatchId', SearchAttributeType.KEYWORD);

/** The webhook endpoint a delivery workflow delivers to: its delivery log is a visibility query. */
export const WEBHOOK_ENDPOINT_ID = defineSearchAttributeKey('WebhookEndpointId', SearchAttributeType.KEYWORD);
/** When the oldest event a delivery workflow has not delivered yet was created; unset when none waits. */
export const WEBHOOK_PENDING_SINCE = defineSearchAttributeKey('WebhookPendingSince', SearchAttributeType.DATETIME);

/** How many of a delivery workflow's events ran out of retries (FAILED): the API's failed-events metric sums them. */
export const WEBHOOK_FAILED_EVENTS = defineSearchAttributeKey('WebhookFailedEvents', SearchAttributeType.INT);

/** The Jakarta day a reconciliation run reconciles (YYYY-MM-DD): `GET /v1/reconciliations?date=` is a visibility query. */
export const RECONCILIATION_DATE = defineSearchAttributeKey('ReconciliationDate', SearchAttributeType.KEYWORD);

/** Temporal's own: set on a run a Schedule started, the time it was due (not the time it began). Never registered by us. */
export const TEMPORAL_SCHEDULED_START_TIME = defineSearchAttributeKey('TemporalScheduledStartTime', SearchAttributeType.DATETIME);

export const PAYOUT_SEARCH_ATTRIBUTES = [
  PAYOUT_STATUS,
  PAYOUT_PROVIDER,
  PAYOUT_DESTINATION_TYPE,
  PAYOUT_AMOUNT,
  PAYOUT_REQUESTED_BY,
  BATCH_ID,
  WEBHOOK_ENDPOINT_ID,
  WEBHOOK_PENDING_SINCE,
  WEBHOOK_FAILED_EVENTS,
  RECONCILIATION_DATE,
] as const;
