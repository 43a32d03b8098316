// The merchant's side of webhooks in a chaos run (none with runChaos's `webhooks: false`): two
// endpoints registered through the API (with the stack's admin key, see keyOf) before the first
// payout, each with its own verifying receiver on loopback (src/webhooks/receiver.ts), one taking
// every event type and one only the final statuses and NEEDS_ATTENTION. Every accepted delivery is
// verified a second time by the reference library (`standardwebhooks`) and kept in the form the
// checker reads. Receivers can be taken down (the port refuses connections) and made to answer
// 500/503 for a while; after the run the harness waits for the deliveries to drain and reads the
// API's delivery logs.
import { Webhook } from 'standardwebhooks';
import { destinationNumber, type Destination, type Payout } from '../../src/domain/payout';
import { EVENT_TYPES } from '../../src/domain/events';
import { startReceiver, type ReceivedDelivery, type WebhookReceiver } from '../../src/webhooks/receiver';
import { keyOf, type DeliveryLogRecord, type EndpointObservation, type ReceivedEvent, type ReceiverFault, type WebhookObservations } from './model';
import type { Recorder } from './observe';

/** The final statuses and NEEDS_ATTENTION: what a merchant acting only on outcomes subscribes to. */
export const FINAL_EVENT_SUBSET = ['payout.succeeded', 'payout.failed', 'payout.cancelled', 'payout.rejected', 'payout.expired', 'payout.needs_attention'];

/** The run's endpoints, by receiver index (plan.ts RECEIVERS): `all` without `events` (every type), `final` with the subset. */
export const ENDPOINTS: readonly { name: string; events?: string[] }[] = [{ name: 'all' }, { name: 'final', events: FINAL_EVENT_SUBSET }];

interface Endpoint {
  name: string;
  id: string;
  url: string;
  events: string[];
  secret: string;
  receiver: WebhookReceiver;
  received: ReceivedEvent[];
  refused: { at: number; reason: string }[];
}

export interface WebhookHarness {
  endpoints: readonly Endpoint[];
  /** Runs one fault to its end; resolves with its window once the receiver takes deliveries again. */
  fault(fault: ReceiverFault): Promise<{ receiver: number; kind: string; from: number; to: number }>;
  /** Every receiver up and accepting. */
  allUp(): boolean;
  /** The API's delivery log of an endpoint, every page; undefined when a page was not answered 200. */
  readLog(endpointId: string): Promise<{ records: DeliveryLogRecord[]; sentAt: number } | undefined>;
  /** What the checker reads: copies of everything received so far, and the logs given. */
  observations(extra: Omit<WebhookObservations, 'endpoints'>, logs: Map<string, { records: DeliveryLogRecord[]; sentAt: number }>): WebhookObservations;
  stop(): Promise<void>;
}

/** `tls`: the receivers serve https with this certificate (a stack in production mode delivers to https only, and trusts its CA). */
export async function startWebhooks(recorder: Recorder, log: (line: string) => void, tls?: { cert: string; key: string }): Promise<WebhookHarness> {
  for (const { events } of ENDPOINTS) {
    const unknown = (events ?? []).filter((type) => !EVENT_TYPES.some((known) => known.type === type));
    if (unknown.length > 0) throw new Error(`the chaos endpoints subscribe to event types the service does not have: ${unknown.join(', ')}`);
  }
  const endpoints: Endpoint[] = [];
  try {
    for (const spec of ENDPOINTS) {
      const received: ReceivedEvent[] = [];
      const refused: Endpoint['refused'] = [];
      let secret = '';
      const receiver = await startReceiver({
        host: '127.0.0.1',
        port: 0,
        ...(tls && { tls }),
        onDelivery: (delivery) => received.push(toReceived(delivery, secret)),
        // Refusals on purpose (a fault window) are the plan's; any other means a delivery our verifier refused.
        onRefused: (reason) => {
          if (!/^answering \d+ on purpose$/.test(reason)) refused.push({ at: Date.now(), reason });
        },
      });
      const created = await register(recorder, receiver.url, spec.events);
      secret = created.secret;
      receiver.setSecrets([secret]);
      endpoints.push({ name: spec.name, id: created.id, url: receiver.url, events: created.events, secret, receiver, received, refused });
      log(`webhook endpoint ${spec.name} ${created.id} at ${receiver.url}: ${spec.events ? spec.events.join(', ') : 'every event type'}`);
    }
  } catch (err) {
    await Promise.all(endpoints.map((e) => e.receiver.stop()));
    throw err;
  }

  // One fault at a time per receiver: a new one waits for the one before it.
  const queues = endpoints.map(() => Promise.resolve());
  const fault = (f: ReceiverFault) => {
    const endpoint = endpoints[f.receiver]!;
    const run = queues[f.receiver]!.then(async () => {
      const from = Date.now();
      if (f.kind === 'down') {
        log(`receiver ${endpoint.name} down for ${f.forMs} ms`);
        await endpoint.receiver.stop();
        await sleep(f.forMs);
        await restart(endpoint.receiver);
      } else {
        log(`receiver ${endpoint.name} answers ${f.status} for ${f.forMs} ms`);
        endpoint.receiver.answerWith(f.status);
        await sleep(f.forMs);
        endpoint.receiver.answerWith(undefined);
      }
      log(`receiver ${endpoint.name} takes deliveries again`);
      return { receiver: f.receiver, kind: f.kind === 'down' ? 'down' : `answer ${f.status}`, from, to: Date.now() };
    });
    queues[f.receiver] = run.then(
      () => undefined,
      () => undefined,
    );
    return run;
  };

  const readLog = async (endpointId: string) => {
    const records: DeliveryLogRecord[] = [];
    let cursor: string | undefined;
    const sentAt = Date.now();
    for (let page = 0; page < 1_000; page += 1) {
      const path = `/v1/webhook-endpoints/${endpointId}/deliveries?limit=100${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`;
      const { status, json } = await recorder.call('GET', path, { key: keyOf(recorder, 'admin'), route: 'GET /v1/webhook-endpoints/{id}/deliveries' });
      if (status !== 200) return undefined;
      const body = json as { items: DeliveryLogRecord[]; nextCursor: string | null };
      records.push(...body.items.map(logRecord));
      if (!body.nextCursor) return { records, sentAt };
      cursor = body.nextCursor;
    }
    throw new Error(`the delivery log of ${endpointId} has more than 1000 pages`);
  };

  return {
    endpoints,
    fault,
    allUp: () => endpoints.every((e) => e.receiver.up),
    readLog,
    observations: (extra, logs) => ({
      endpoints: endpoints.map((e): EndpointObservation => {
        const read = logs.get(e.id);
        return {
          name: e.name,
          id: e.id,
          url: e.url,
          events: [...e.events],
          received: [...e.received],
          refused: [...e.refused],
          ...(read && { log: read.records, logReadAt: read.sentAt }),
        };
      }),
      ...extra,
    }),
    stop: async () => {
      await Promise.all(queues);
      await Promise.all(endpoints.map((e) => e.receiver.stop()));
    },
  };
}

/** POST /v1/webhook-endpoints as an admin; a 503 (Temporal busy) is tried again. */
async function register(recorder: Recorder, url: string, events: string[] | undefined): Promise<{ id: string; events: string[]; secret: string }> {
  for (let attempt = 1; ; attempt += 1) {
    const { status, json } = await recorder.call('POST', '/v1/webhook-endpoints', {
      key: keyOf(recorder, 'admin'),
      body: JSON.stringify({ url, ...(events && { events }) }),
      route: 'POST /v1/webhook-endpoints',
    });
    if (status === 201) return json as { id: string; events: string[]; secret: string };
    if ((status !== 503 && status !== 0) || attempt >= 5) throw new Error(`registering the webhook endpoint ${url} answered ${status}: ${JSON.stringify(json)}`);
    await sleep(1_000);
  }
}

/** start() again on the same port; the port may take a moment to be free. */
async function restart(receiver: WebhookReceiver): Promise<void> {
  for (let attempt = 1; ; attempt += 1) {
    try {
      await receiver.start();
      return;
    } catch (err) {
      if (attempt >= 20) throw err;
      await sleep(100);
    }
  }
}

function toReceived(delivery: ReceivedDelivery, secret: string): ReceivedEvent {
  let verifiedByReference = false;
  try {
    new Webhook(secret).verify(delivery.body, delivery.headers);
    verifiedByReference = true;
  } catch {
    verifiedByReference = false;
  }
  const event = delivery.event as Partial<ReceivedDelivery['event']> | undefined;
  // A batch's events (batch.<status>) carry no payout: they have no payout id here.
  const payout = (event?.data as { payout?: unknown } | undefined)?.payout as (Partial<Payout> & { destination?: Destination }) | undefined;
  const batch = (event?.data as { batch?: { reference?: string; status?: string; timeline?: { status: string; at: string }[] } } | undefined)?.batch;
  const timeline = payout?.timeline ?? batch?.timeline;
  let shownNumber = '';
  try {
    shownNumber = payout?.destination ? destinationNumber(payout.destination) : '';
  } catch {
    shownNumber = '';
  }
  return {
    webhookId: delivery.webhookId,
    eventId: String(event?.id ?? ''),
    type: String(event?.type ?? ''),
    createdAt: String(event?.createdAt ?? ''),
    sequence: Number(event?.data?.sequence),
    payoutId: String(payout?.id ?? ''),
    payoutStatus: String(payout?.status ?? ''),
    ...(batch && { batchId: String(batch.reference ?? ''), batchStatus: String(batch.status ?? '') }),
    timeline: Array.isArray(timeline) ? timeline.map((e: { status: string; at: string }) => ({ status: e.status, at: e.at })) : [],
    shownNumber,
    verifiedByReference,
    receivedAt: delivery.receivedAt,
  };
}

function logRecord(r: DeliveryLogRecord): DeliveryLogRecord {
  return {
    eventId: r.eventId,
    type: r.type,
    payoutId: r.payoutId,
    sequence: r.sequence,
    state: r.state,
    attempts: r.attempts,
    ...(r.lastHttpStatus !== undefined && { lastHttpStatus: r.lastHttpStatus }),
    ...(r.lastError !== undefined && { lastError: r.lastError }),
  };
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, Math.max(0, ms)));
