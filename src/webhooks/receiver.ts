// A small webhook receiver: it verifies each delivery's signature with the endpoint's secret, keeps
// what it received, and answers 2xx only to a verified delivery (401 otherwise, so the sender
// retries and the log shows why). `npm start` runs one on loopback and prints what arrives; the tests
// and the invariant checker use it as the merchant's system, and can take it down and bring it back
// on the same port to see deliveries retried.
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import type { WebhookEvent } from '../domain/events';
import { verifyWebhook } from './signature';

export interface ReceivedDelivery {
  webhookId: string;
  timestamp: number;
  /** The webhook-signature header's entries (two while a secret is being rotated). */
  signatures: string[];
  /** The exact bytes received, for a second verifier. */
  body: string;
  headers: Record<string, string>;
  event: WebhookEvent;
  receivedAt: number;
}

export interface ReceiverOptions {
  host?: string;
  /** 0: any free port; it is kept across stop/start. */
  port?: number;
  path?: string;
  /** The secrets a delivery may be signed with; settable later (the secret comes with the endpoint). */
  secrets?: string[];
  onDelivery?: (delivery: ReceivedDelivery) => void;
  onRefused?: (reason: string) => void;
  /** Serve https with this certificate (PEM) instead of http: production delivers to https URLs only. */
  tls?: { cert: string; key: string };
}

export type WebhookReceiver = Awaited<ReturnType<typeof startReceiver>>;

export async function startReceiver(options: ReceiverOptions = {}) {
  const host = options.host ?? '127.0.0.1';
  const path = options.path ?? '/webhooks';
  let secrets = options.secrets ?? [];
  let port = options.port ?? 0;
  const deliveries: ReceivedDelivery[] = [];
  /** An answer to give instead of accepting (tests of refusals); undefined: accept verified deliveries. */
  let forcedStatus: number | undefined;
  let server: http.Server | https.Server | undefined;

  const handle = (req: http.IncomingMessage, res: http.ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const refuse = (status: number, reason: string) => {
        options.onRefused?.(reason);
        res.writeHead(status, { 'content-type': 'text/plain' }).end(reason);
      };
      if (req.method !== 'POST' || req.url !== path) return refuse(404, 'not a webhook path');
      if (forcedStatus !== undefined) return refuse(forcedStatus, `answering ${forcedStatus} on purpose`);
      const now = new Date();
      const verdicts = secrets.map((secret) => verifyWebhook(secret, req.headers, body, now));
      const verified = verdicts.find((verdict) => verdict.ok);
      if (!verified) return refuse(401, verdicts.map((v) => (v.ok ? '' : v.reason)).join('; ') || 'no secret to verify with');
      let event: WebhookEvent;
      try {
        event = JSON.parse(body) as WebhookEvent;
      } catch {
        return refuse(400, 'the body is not JSON');
      }
      const headers = Object.fromEntries(Object.entries(req.headers).map(([name, value]) => [name, String(value)]));
      const delivery: ReceivedDelivery = {
        webhookId: headers['webhook-id']!,
        timestamp: Number(headers['webhook-timestamp']),
        signatures: headers['webhook-signature']!.split(' '),
        body,
        headers,
        event,
        receivedAt: Date.now(),
      };
      deliveries.push(delivery);
      options.onDelivery?.(delivery);
      res.writeHead(204).end();
    });
  };

  const start = async () => {
    if (server) return;
    const listening = options.tls ? https.createServer({ cert: options.tls.cert, key: options.tls.key }, handle) : http.createServer(handle);
    await new Promise<void>((resolve, reject) => {
      listening.once('error', reject);
      listening.listen(port, host, () => resolve());
    });
    port = (listening.address() as AddressInfo).port;
    server = listening;
  };
  /** Down: the port refuses connections (like a receiver that died), until start() again. */
  const stop = async () => {
    const closing = server;
    server = undefined;
    if (!closing) return;
    closing.closeAllConnections();
    await new Promise((resolve) => closing.close(resolve));
  };

  await start();
  return {
    get url() {
      return `${options.tls ? 'https' : 'http'}://${host === '0.0.0.0' ? '127.0.0.1' : host}:${port}${path}`;
    },
    get up() {
      return server !== undefined;
    },
    deliveries,
    setSecrets(next: string[]) {
      secrets = next;
    },
    /** Answer every delivery with this status (e.g. 503), or undefined to accept again. */
    answerWith(status: number | undefined) {
      forcedStatus = status;
    },
    start,
    stop,
  };
}
