// The webhook receiver `npm start` runs, so a new user sees events arrive: a verifying receiver on
// loopback (src/webhooks/receiver.ts), registered through the API as an endpoint with the development
// admin key. An endpoint left by an earlier run for the same URL is deleted first (its secret was
// shown once, to a process that is gone), so each start has one endpoint and knows its secret.
import type { WebhookEvent } from '../domain/events';
import { startReceiver, type WebhookReceiver } from '../webhooks/receiver';

interface Options {
  apiUrl: string;
  adminKey: string;
  port: number;
  log: (line: string) => void;
}

export async function startDemoReceiver({ apiUrl, adminKey, port, log }: Options): Promise<{ receiver: WebhookReceiver; endpointId: string }> {
  const receiver = await startReceiver({
    host: '127.0.0.1',
    port,
    onDelivery: ({ event, webhookId }) => log(`${event.type.padEnd(26)} ${whatItIsAbout(event)} #${event.data.sequence} (${webhookId}, signature verified)`),
    onRefused: (reason) => log(`refused a delivery: ${reason}`),
  });
  const api = async (method: string, path: string, body?: unknown) => {
    const res = await fetch(`${apiUrl}${path}`, {
      method,
      headers: { authorization: `Bearer ${adminKey}`, ...(body !== undefined && { 'content-type': 'application/json' }) },
      ...(body !== undefined && { body: JSON.stringify(body) }),
    });
    const text = await res.text();
    if (!res.ok) throw new Error(`${method} ${path} answered ${res.status}: ${text.slice(0, 300)}`);
    return text ? (JSON.parse(text) as Record<string, unknown>) : {};
  };
  const existing = (await api('GET', '/v1/webhook-endpoints')).items as { id: string; url: string }[];
  for (const stale of existing.filter((endpoint) => endpoint.url === receiver.url)) await api('DELETE', `/v1/webhook-endpoints/${stale.id}`);
  const created = await api('POST', '/v1/webhook-endpoints', { url: receiver.url, description: 'npm start: the local receiver that prints events' });
  receiver.setSecrets([String(created.secret)]);
  return { receiver, endpointId: String(created.id) };
}

/** The payout, the batch, or the reconciled day and its break (kind, provider, reference, what differs; the run is in the webhook id). */
export function whatItIsAbout(event: WebhookEvent): string {
  if ('payout' in event.data) return event.data.payout.id;
  if ('batch' in event.data) return `batch ${event.data.batch.id}`;
  const { reconciliation, break: found, last } = event.data;
  return `${reconciliation.date} ${found.kind} ${found.provider} ${found.reference ?? '(no reference of ours)'}: ${found.detail}${last ? ' (the run\'s last)' : ''}`;
}
