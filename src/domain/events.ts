// The events the service tells merchants' systems about (webhooks): the one list of event types, how
// an event is named, and its body. Pure, so the payout workflow can build its events deterministically.
//
// Every status a payout enters is one event, `payout.<status in lower case>`, numbered by `sequence`:
// 1 for payout.validating, then +1 per status, without gaps, for the payout's whole life (also across
// continue-as-new). Receivers order by `sequence` and drop anything older than what they hold.
import { BATCH_STATUSES, isFinalBatch, type Batch, type BatchStatus } from './batch';
import { destinationNumber, isFinal, maskNumber, PAYOUT_STATUSES, type Destination, type Payout, type PayoutStatus } from './payout';

/** `payout.validating`, `payout.awaiting_approval`, … one per status. */
export type PayoutEventType = `payout.${Lowercase<PayoutStatus>}`;

/**
 * Every event type there is, with what it means. Later features add theirs here (batch.<status>,
 * reconciliation.break), so that the API, its document and the endpoints' filters share one list.
 */
export const EVENT_TYPES: readonly { type: string; description: string }[] = [
  ...PAYOUT_STATUSES.map((status) => ({ type: payoutEventType(status), description: `A payout entered ${status}.` })),
  ...BATCH_STATUSES.map((status) => ({ type: batchEventType(status), description: `A batch entered ${status}.` })),
];

/** `batch.validating`, `batch.completed`, … one per batch status. */
export type BatchEventType = `batch.${Lowercase<BatchStatus>}`;

export function batchEventType(status: BatchStatus): BatchEventType {
  return `batch.${status.toLowerCase() as Lowercase<BatchStatus>}`;
}

export function payoutEventType(status: PayoutStatus): PayoutEventType {
  return `payout.${status.toLowerCase() as Lowercase<PayoutStatus>}`;
}

/** An event's id: derived from the payout and the sequence, so a redelivery or a replay names the same event. */
export function payoutEventId(reference: string, sequence: number): string {
  return `evt_${reference}.${sequence}`;
}

export interface PayoutEvent {
  id: string;
  type: PayoutEventType;
  createdAt: string;
  data: { payout: Payout; sequence: number };
}

/** The destination as events show it: its number masked to the last 4 digits. */
function maskedDestination(destination: Destination): Destination {
  const masked = maskNumber(destinationNumber(destination));
  switch (destination.type) {
    case 'EWALLET':
      return { ...destination, customerNumber: masked };
    case 'BANK_ACCOUNT':
      return { ...destination, accountNumber: masked };
    case 'VIRTUAL_ACCOUNT':
      return { ...destination, virtualAccountNumber: masked };
  }
}

/**
 * The event for the status the payout has just entered: `sequence` is the number of that status in
 * the payout's timeline (1 for VALIDATING), and `createdAt` when it entered it.
 */
export function payoutEvent(payout: Payout, sequence: number): PayoutEvent {
  const entry = payout.timeline[sequence - 1];
  if (!entry || entry.status !== payout.status) {
    throw new Error(`event ${sequence} of ${payout.reference}: the timeline's entry ${sequence} is ${entry?.status ?? 'missing'}, the payout is ${payout.status}`);
  }
  return {
    id: payoutEventId(payout.reference, sequence),
    type: payoutEventType(payout.status),
    createdAt: entry.at,
    // A deep copy: the payout document keeps changing while the event waits to be published.
    data: { payout: JSON.parse(JSON.stringify({ ...payout, destination: maskedDestination(payout.destination) })) as Payout, sequence },
  };
}

/**
 * A batch's events: one per status the batch enters, numbered like a payout's. Their subject is
 * `batch:<reference>` (a colon is never in a reference), so a batch and a payout that share a
 * reference never share an event id or a delivery workflow.
 */
export interface BatchEvent {
  id: string;
  type: BatchEventType;
  createdAt: string;
  data: { batch: Batch; sequence: number };
}

/** Any event an endpoint can receive. */
export type WebhookEvent = PayoutEvent | BatchEvent;

export function batchSubject(reference: string): string {
  return `batch:${reference}`;
}

/** The event for the status the batch has just entered (its sequence is its place in the timeline). */
export function batchEvent(batch: Batch, sequence: number): BatchEvent {
  const entry = batch.timeline[sequence - 1];
  if (!entry || entry.status !== batch.status) {
    throw new Error(`event ${sequence} of batch ${batch.reference}: the timeline's entry ${sequence} is ${entry?.status ?? 'missing'}, the batch is ${batch.status}`);
  }
  return {
    id: payoutEventId(batchSubject(batch.reference), sequence),
    type: batchEventType(batch.status),
    createdAt: entry.at,
    data: { batch: JSON.parse(JSON.stringify(batch)) as Batch, sequence },
  };
}

/** Whose events these are: a payout's id, or `batch:<reference>`. Delivery workflows are per endpoint and subject. */
export function eventSubject(event: WebhookEvent): string {
  return 'payout' in event.data ? event.data.payout.id : batchSubject(event.data.batch.reference);
}

/** A final status ends its subject's stream of events. */
export function endsStream(event: WebhookEvent): boolean {
  return 'payout' in event.data ? isFinal(event.data.payout.status) : isFinalBatch(event.data.batch.status);
}
