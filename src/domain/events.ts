// The events the service tells merchants' systems about (webhooks): the one list of event types, how
// an event is named, and its body. Pure, so the payout workflow can build its events deterministically.
//
// Every status a payout enters is one event, `payout.<status in lower case>`, numbered by `sequence`:
// 1 for payout.validating, then +1 per status, without gaps, for the payout's whole life (also across
// continue-as-new). Receivers order by `sequence` and drop anything older than what they hold.
//
// A batch's events are numbered the same way; a reconciliation run's `reconciliation.break` events
// are numbered 1..n in the order of its report, the last one saying so.
import { BATCH_STATUSES, isFinalBatch, type Batch, type BatchStatus } from './batch';
import { destinationNumber, isFinal, maskNumber, PAYOUT_STATUSES, type Destination, type Payout, type PayoutStatus } from './payout';
import type { ProviderRecord, ReconciliationBreak } from './reconciliation/types';

/** `payout.validating`, `payout.awaiting_approval`, … one per status. */
export type PayoutEventType = `payout.${Lowercase<PayoutStatus>}`;

/**
 * Every event type there is, with what it means. Later features add theirs here (batch.<status>,
 * reconciliation.break), so that the API, its document and the endpoints' filters share one list.
 */
export const EVENT_TYPES: readonly { type: string; description: string }[] = [
  ...PAYOUT_STATUSES.map((status) => ({ type: payoutEventType(status), description: `A payout entered ${status}.` })),
  ...BATCH_STATUSES.map((status) => ({ type: batchEventType(status), description: `A batch entered ${status}.` })),
  {
    type: 'reconciliation.break',
    description: 'A reconciliation run found a break on a payout that is already closed, or a transfer the service does not know (UNKNOWN_TO_US).',
  },
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
export type WebhookEvent = PayoutEvent | BatchEvent | ReconciliationBreakEvent;

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

/** Whose events these are: a payout's id, `batch:<reference>` or `reconciliation:<run id>`. Delivery workflows are per endpoint and subject. */
export function eventSubject(event: WebhookEvent): string {
  if ('payout' in event.data) return event.data.payout.id;
  if ('batch' in event.data) return batchSubject(event.data.batch.reference);
  return reconciliationSubject(event.data.reconciliation.id);
}

/** A final status ends its subject's stream of events; so does a reconciliation run's last break. */
export function endsStream(event: WebhookEvent): boolean {
  if ('payout' in event.data) return isFinal(event.data.payout.status);
  if ('batch' in event.data) return isFinalBatch(event.data.batch.status);
  return event.data.last;
}

/**
 * A reconciliation run's events: one per break of a payout that is already closed (an open payout
 * learns of its break itself, and moves to NEEDS_ATTENTION), or of a transfer we do not know.
 * Their subject is `reconciliation:<run id>` (a colon is never in a payout reference), so they have
 * a delivery workflow of their own per endpoint, and ids that no payout or batch event has.
 */
export type ReconciliationEventType = 'reconciliation.break';

export interface ReconciliationBreakEvent {
  id: string;
  type: ReconciliationEventType;
  createdAt: string;
  data: {
    /** The run that found it: GET /v1/reconciliations/{id} has its report. */
    reconciliation: { id: string; date: string };
    break: ReconciliationBreak;
    /** 1..n in the order of the run's report, without gaps. */
    sequence: number;
    /** True on the run's last event: no more come for this run. */
    last: boolean;
    /** On the last event only, when the run found more such breaks than it sends: how many were left out (the run's counts include them). */
    omitted?: number;
  };
}

export function reconciliationSubject(runId: string): string {
  return `reconciliation:${runId}`;
}

/** A subject for people (a delivery workflow's summary): `payout INV-1`, `batch B-1`, `reconciliation reconciliation-…`. */
export function describeSubject(subject: string): string {
  const colon = subject.indexOf(':');
  return colon < 0 ? `payout ${subject}` : `${subject.slice(0, colon)} ${subject.slice(colon + 1)}`;
}

/** At most this many events per run, and at most about this many bytes of them: each endpoint's delivery workflow holds a run's events in its state, which continue-as-new carries in one payload. */
export const MAX_RECONCILIATION_EVENTS = 1_000;
export const MAX_RECONCILIATION_EVENT_BYTES = 1_000_000;

/**
 * The events of a run's breaks, in the given (report) order: ids `evt_reconciliation:<run id>.<n>`,
 * the same for the same run and break whenever they are built (a replay, a retried publish). Numbers
 * the provider recorded for the beneficiary are masked to their last 4 digits, as payouts' are.
 * A run that found more than MAX_RECONCILIATION_EVENTS (or MAX_RECONCILIATION_EVENT_BYTES) sends the
 * first ones, and its last event says how many it left out. No breaks, no events.
 */
export function reconciliationBreakEvents(
  run: { id: string; date: string },
  breaks: readonly ReconciliationBreak[],
  createdAt: string,
  limits: { maxEvents?: number; maxBytes?: number } = {},
): ReconciliationBreakEvent[] {
  const maxEvents = limits.maxEvents ?? MAX_RECONCILIATION_EVENTS;
  const maxBytes = limits.maxBytes ?? MAX_RECONCILIATION_EVENT_BYTES;
  const subject = reconciliationSubject(run.id);
  const events: ReconciliationBreakEvent[] = [];
  let bytes = 0;
  for (const found of breaks) {
    if (events.length >= maxEvents) break;
    const sequence = events.length + 1;
    const event: ReconciliationBreakEvent = {
      id: payoutEventId(subject, sequence),
      type: 'reconciliation.break',
      createdAt,
      data: { reconciliation: { id: run.id, date: run.date }, break: maskedBreak(found), sequence, last: false },
    };
    bytes += JSON.stringify(event).length;
    // The first event always goes, whatever its size.
    if (events.length > 0 && bytes > maxBytes) break;
    events.push(event);
  }
  const last = events.at(-1);
  if (last) {
    last.data.last = true;
    if (events.length < breaks.length) last.data.omitted = breaks.length - events.length;
  }
  return events;
}

/** A deep copy of the break, with the account number a provider recorded masked. */
function maskedBreak(found: ReconciliationBreak): ReconciliationBreak {
  const copy = JSON.parse(JSON.stringify(found)) as ReconciliationBreak;
  if (copy.theirs) copy.theirs = copy.theirs.map(maskedRecord);
  return copy;
}

function maskedRecord(record: ProviderRecord): ProviderRecord {
  const accountNumber = record.source === 'status' ? record.result.recorded?.accountNumber : undefined;
  if (record.source !== 'status' || accountNumber === undefined) return record;
  return { ...record, result: { ...record.result, recorded: { ...record.result.recorded, accountNumber: maskNumber(accountNumber) } } };
}

/** Consecutive chunks of at most `maxEvents` events and about `maxBytes` of JSON each (one larger event is a chunk of its own), in order. */
export function chunkEvents<E>(events: readonly E[], { maxEvents, maxBytes }: { maxEvents: number; maxBytes: number }): E[][] {
  const chunks: E[][] = [];
  let current: E[] = [];
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
