import http from 'node:http';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { parseRetryAfter, sendWebhook } from '../../src/webhooks/sender';

/** What a local server saw of one request. */
type Received = { method?: string; url?: string; headers: http.IncomingHttpHeaders; body: string; localAddress?: string };

/** A real HTTP server on 127.0.0.1 that records every request and answers with `handler`. */
async function server(handler: (req: http.IncomingMessage, res: http.ServerResponse) => void) {
  const received: Received[] = [];
  const sockets = new Set<net.Socket>();
  const srv = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      received.push({ method: req.method, url: req.url, headers: req.headers, body: Buffer.concat(chunks).toString('utf8'), localAddress: req.socket.localAddress });
      handler(req, res);
    });
  });
  srv.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((done) => srv.listen(0, '127.0.0.1', done));
  const port = (srv.address() as AddressInfo).port;
  return {
    port,
    received,
    close: () => {
      for (const socket of sockets) socket.destroy();
      return new Promise<void>((done) => srv.close(() => done()));
    },
  };
}

type Server = Awaited<ReturnType<typeof server>>;
const open: Server[] = [];
async function serve(handler: (req: http.IncomingMessage, res: http.ServerResponse) => void): Promise<Server> {
  const s = await server(handler);
  open.push(s);
  return s;
}
afterEach(async () => {
  await Promise.all(open.splice(0).map((s) => s.close()));
});

const loopback = { address: '127.0.0.1', family: 4 as const };
const body = JSON.stringify({ id: 'evt_P-1.3', type: 'payout.succeeded', data: { sequence: 3, note: 'é ✓' } });
const signed = { 'webhook-id': 'evt_P-1.3', 'webhook-timestamp': '1767225600', 'webhook-signature': 'v1,abc=' };

describe('sendWebhook', () => {
  test('a 2xx is DELIVERED; the body and headers arrive exactly, at the given address, with the URL\'s host', async () => {
    const s = await serve((_req, res) => res.writeHead(204).end());
    // merchant.test does not resolve: the request can only have gone to the given address.
    const url = new URL(`http://merchant.test:${s.port}/hooks/payouts?tenant=7`);
    const attempt = await sendWebhook({ url, address: loopback, headers: signed, body, timeoutMs: 2000 });
    expect(attempt).toEqual({ outcome: 'DELIVERED', httpStatus: 204 });
    expect(s.received).toHaveLength(1);
    const [got] = s.received;
    expect(got.method).toBe('POST');
    expect(got.url).toBe('/hooks/payouts?tenant=7');
    expect(got.body).toBe(body);
    expect(got.localAddress).toBe('127.0.0.1');
    expect(got.headers).toEqual({
      ...signed,
      host: `merchant.test:${s.port}`,
      'content-type': 'application/json',
      'content-length': String(Buffer.byteLength(body)),
      connection: 'close',
    });
  });

  test('200 with a large body: DELIVERED without reading it all', async () => {
    const s = await serve((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.end('x'.repeat(1024 * 1024));
    });
    const attempt = await sendWebhook({ url: new URL(`http://localhost:${s.port}/`), address: loopback, headers: {}, body, timeoutMs: 2000 });
    expect(attempt).toEqual({ outcome: 'DELIVERED', httpStatus: 200 });
  });

  test('the caller cannot override Host, Content-Type or Content-Length', async () => {
    const s = await serve((_req, res) => res.writeHead(200).end('ok'));
    const attempt = await sendWebhook({
      url: new URL(`http://merchant.test:${s.port}/`),
      address: loopback,
      headers: { Host: 'elsewhere.test', 'Content-Type': 'text/plain', 'Content-Length': '1', 'X-Extra': 'yes' },
      body,
      timeoutMs: 2000,
    });
    expect(attempt).toEqual({ outcome: 'DELIVERED', httpStatus: 200 });
    expect(s.received[0].headers).toMatchObject({ host: `merchant.test:${s.port}`, 'content-type': 'application/json', 'x-extra': 'yes' });
    expect(s.received[0].body).toBe(body);
  });

  test('a 500 is REFUSED, without a Retry-After', async () => {
    const s = await serve((_req, res) => res.writeHead(500, { 'retry-after': '5' }).end('{"error":"secret details"}'));
    const attempt = await sendWebhook({ url: new URL(`http://localhost:${s.port}/`), address: loopback, headers: signed, body, timeoutMs: 2000 });
    expect(attempt).toEqual({ outcome: 'REFUSED', httpStatus: 500 });
  });

  test('a 302 is REFUSED and its Location is never called', async () => {
    const elsewhere = await serve((_req, res) => res.writeHead(200).end());
    const s = await serve((_req, res) => res.writeHead(302, { location: `http://127.0.0.1:${elsewhere.port}/stolen` }).end());
    const attempt = await sendWebhook({ url: new URL(`http://localhost:${s.port}/`), address: loopback, headers: signed, body, timeoutMs: 2000 });
    expect(attempt).toEqual({ outcome: 'REFUSED', httpStatus: 302 });
    await new Promise((done) => setTimeout(done, 100));
    expect(s.received).toHaveLength(1);
    expect(elsewhere.received).toHaveLength(0);
  });

  test('a 429 with Retry-After: 7 is REFUSED with retryAfterMs 7000', async () => {
    const s = await serve((_req, res) => res.writeHead(429, { 'retry-after': '7' }).end());
    const attempt = await sendWebhook({ url: new URL(`http://localhost:${s.port}/`), address: loopback, headers: signed, body, timeoutMs: 2000 });
    expect(attempt).toEqual({ outcome: 'REFUSED', httpStatus: 429, retryAfterMs: 7000 });
  });

  test('a 503 with an HTTP-date Retry-After is REFUSED with the time until then', async () => {
    const at = new Date(Date.now() + 60_000);
    const s = await serve((_req, res) => res.writeHead(503, { 'retry-after': at.toUTCString() }).end());
    const attempt = await sendWebhook({ url: new URL(`http://localhost:${s.port}/`), address: loopback, headers: signed, body, timeoutMs: 2000 });
    expect(attempt).toMatchObject({ outcome: 'REFUSED', httpStatus: 503 });
    const { retryAfterMs } = attempt as { retryAfterMs?: number };
    expect(retryAfterMs).toBeGreaterThan(55_000);
    expect(retryAfterMs).toBeLessThanOrEqual(60_000);
  });

  test('a server that never answers: FAILED within timeoutMs', async () => {
    const s = await serve(() => undefined);
    const started = Date.now();
    const attempt = await sendWebhook({ url: new URL(`http://localhost:${s.port}/`), address: loopback, headers: signed, body, timeoutMs: 300 });
    const took = Date.now() - started;
    expect(attempt).toEqual({ outcome: 'FAILED', error: 'timed out after 300 ms' });
    expect(took).toBeGreaterThanOrEqual(290);
    expect(took).toBeLessThan(800);
  });

  test('a server that answers the headers and then stalls: FAILED within timeoutMs', async () => {
    const s = await serve((_req, res) => {
      res.writeHead(200, { 'content-length': '100' });
      res.write('partial');
    });
    const started = Date.now();
    const attempt = await sendWebhook({ url: new URL(`http://localhost:${s.port}/`), address: loopback, headers: signed, body, timeoutMs: 300 });
    expect(attempt).toEqual({ outcome: 'FAILED', error: 'timed out after 300 ms reading the answer' });
    expect(Date.now() - started).toBeLessThan(800);
  });

  test('a closed port: FAILED, connection refused', async () => {
    const s = await server(() => undefined);
    const { port } = s;
    await s.close();
    const attempt = await sendWebhook({ url: new URL(`http://localhost:${port}/`), address: loopback, headers: signed, body, timeoutMs: 2000 });
    expect(attempt).toEqual({ outcome: 'FAILED', error: 'connection refused' });
  });

  test('an https URL against a plain-http server: FAILED with a TLS reason, nothing delivered', async () => {
    const s = await serve((_req, res) => res.writeHead(200).end());
    const attempt = await sendWebhook({ url: new URL(`https://merchant.test:${s.port}/`), address: loopback, headers: signed, body, timeoutMs: 2000 });
    expect(attempt).toMatchObject({ outcome: 'FAILED' });
    expect((attempt as { error: string }).error).toMatch(/^TLS: /);
    expect(s.received).toHaveLength(0);
  });

  test('a header value with a line break: FAILED before connecting, the value not repeated', async () => {
    const s = await serve((_req, res) => res.writeHead(200).end());
    const attempt = await sendWebhook({ url: new URL(`http://localhost:${s.port}/`), address: loopback, headers: { 'x-bad': 'a\r\nx-injected: 1' }, body, timeoutMs: 2000 });
    expect(attempt).toEqual({ outcome: 'FAILED', error: 'a header value has an invalid character' });
    expect(s.received).toHaveLength(0);
  });
});

describe('parseRetryAfter', () => {
  const now = Date.parse('2026-12-02T06:00:00Z');
  test.each([
    ['7', 7000],
    [' 120 ', 120_000],
    ['0', 0],
    ['Wed, 02 Dec 2026 06:00:30 GMT', 30_000],
    ['Wed, 02 Dec 2026 05:00:00 GMT', 0],
    ['-1', undefined],
    ['1.5', undefined],
    ['soon', undefined],
    ['02 Dec 2026 06:00:30 GMT', undefined],
    ['', undefined],
  ])('%j → %j', (value, expected) => {
    expect(parseRetryAfter(value, now)).toBe(expected);
  });
  test('absent → undefined', () => expect(parseRetryAfter(undefined, now)).toBeUndefined());
});
