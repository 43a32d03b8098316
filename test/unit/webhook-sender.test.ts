import { generateKeyPairSync, sign } from 'node:crypto';
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import tls from 'node:tls';
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
    expect(took).toBeLessThan(1000);
  });

  test('a server that answers the headers and then stalls: FAILED within timeoutMs', async () => {
    const s = await serve((_req, res) => {
      res.writeHead(200, { 'content-length': '100' });
      res.write('partial');
    });
    const started = Date.now();
    const attempt = await sendWebhook({ url: new URL(`http://localhost:${s.port}/`), address: loopback, headers: signed, body, timeoutMs: 300 });
    expect(attempt).toEqual({ outcome: 'FAILED', error: 'timed out after 300 ms reading the answer' });
    expect(Date.now() - started).toBeLessThan(1000);
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

// ---- https against a real local TLS server, with a certificate made here (no openssl, no files) ----

/** One DER element: tag, length, contents. */
function der(tag: number, ...contents: Buffer[]): Buffer {
  const body = Buffer.concat(contents);
  const length = body.length < 0x80 ? Buffer.from([body.length]) : body.length < 0x100 ? Buffer.from([0x81, body.length]) : Buffer.from([0x82, body.length >> 8, body.length & 0xff]);
  return Buffer.concat([Buffer.from([tag]), length, body]);
}
function oid(text: string): Buffer {
  const [a, b, ...rest] = text.split('.').map(Number);
  const bytes = [40 * a + b];
  for (const n of rest) {
    const part = [n & 0x7f];
    for (let v = n >> 7; v > 0; v >>= 7) part.unshift((v & 0x7f) | 0x80);
    bytes.push(...part);
  }
  return der(0x06, Buffer.from(bytes));
}
const utcTime = (date: Date) => der(0x17, Buffer.from(date.toISOString().replace(/[-:T]/g, '').slice(2, 14) + 'Z'));

/** A self-signed ECDSA P-256 certificate for `dnsName` (subjectAltName), valid from an hour ago for a day. */
function selfSignedCertificate(dnsName: string): { key: string; cert: string } {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  const ecdsaWithSha256 = der(0x30, oid('1.2.840.10045.4.3.2'));
  const name = der(0x30, der(0x31, der(0x30, oid('2.5.4.3'), der(0x0c, Buffer.from(dnsName)))));
  const tbs = der(
    0x30,
    der(0xa0, der(0x02, Buffer.from([2]))),
    der(0x02, Buffer.from([0x01, 0x23, 0x45])),
    ecdsaWithSha256,
    name,
    der(0x30, utcTime(new Date(Date.now() - 3_600_000)), utcTime(new Date(Date.now() + 86_400_000))),
    name,
    publicKey.export({ type: 'spki', format: 'der' }),
    der(0xa3, der(0x30, der(0x30, oid('2.5.29.17'), der(0x04, der(0x30, der(0x82, Buffer.from(dnsName))))))),
  );
  const certificate = der(0x30, tbs, ecdsaWithSha256, der(0x03, Buffer.from([0]), sign('sha256', tbs, privateKey)));
  const pem = `-----BEGIN CERTIFICATE-----\n${certificate.toString('base64').replace(/.{64}/g, '$&\n')}\n-----END CERTIFICATE-----\n`;
  return { key: privateKey.export({ type: 'pkcs8', format: 'pem' }) as string, cert: pem.replace(/\n\n/g, '\n') };
}

describe('sendWebhook over https', () => {
  const certificate = selfSignedCertificate('merchant.test');
  let srv: https.Server;
  let port: number;
  const serverNames: Array<string | undefined> = [];
  const received: Received[] = [];
  /** What the sender passed to tls.connect, seen through a spy that also trusts the test certificate. */
  const connects: tls.ConnectionOptions[] = [];
  let trustTestCertificate = false;

  beforeAll(async () => {
    srv = https.createServer({ ...certificate, SNICallback: (servername, done) => {
      serverNames.push(servername);
      done(null, tls.createSecureContext(certificate));
    } }, (req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        received.push({ method: req.method, url: req.url, headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
        res.writeHead(201).end();
      });
    });
    await new Promise<void>((done) => srv.listen(0, '127.0.0.1', done));
    port = (srv.address() as AddressInfo).port;
    const connect = tls.connect.bind(tls) as (options: tls.ConnectionOptions) => tls.TLSSocket;
    jest.spyOn(tls, 'connect').mockImplementation(((options: tls.ConnectionOptions) => {
      connects.push(options);
      return connect(trustTestCertificate ? { ...options, ca: [certificate.cert] } : options);
    }) as unknown as typeof tls.connect);
  });
  afterAll(async () => {
    jest.restoreAllMocks();
    srv.closeAllConnections();
    await new Promise<void>((done) => srv.close(() => done()));
  });
  beforeEach(() => {
    serverNames.length = 0;
    received.length = 0;
    connects.length = 0;
  });

  test('a certificate no trusted authority signed: FAILED, nothing delivered; SNI carried the URL\'s name', async () => {
    trustTestCertificate = false;
    const attempt = await sendWebhook({ url: new URL(`https://merchant.test:${port}/hook`), address: loopback, headers: signed, body, timeoutMs: 2000 });
    expect(attempt).toEqual({ outcome: 'FAILED', error: 'TLS: self-signed certificate' });
    expect(serverNames).toEqual(['merchant.test']);
    expect(received).toHaveLength(0);
  });

  test('a trusted certificate for the URL\'s name: DELIVERED to the given address, name checked against the URL', async () => {
    trustTestCertificate = true;
    const attempt = await sendWebhook({ url: new URL(`https://merchant.test:${port}/hook`), address: loopback, headers: signed, body, timeoutMs: 2000 });
    expect(attempt).toEqual({ outcome: 'DELIVERED', httpStatus: 201 });
    expect(connects).toHaveLength(1);
    expect(connects[0]).toMatchObject({ host: '127.0.0.1', servername: 'merchant.test' });
    expect(serverNames).toEqual(['merchant.test']);
    expect(received).toHaveLength(1);
    expect(received[0].body).toBe(body);
    expect(received[0].headers).toMatchObject({ ...signed, host: `merchant.test:${port}` });
  });

  test('a trusted certificate for another name: FAILED, nothing delivered', async () => {
    trustTestCertificate = true;
    const attempt = await sendWebhook({ url: new URL(`https://other.test:${port}/hook`), address: loopback, headers: signed, body, timeoutMs: 2000 });
    expect(attempt).toEqual({ outcome: 'FAILED', error: 'TLS: certificate does not name the host' });
    expect(received).toHaveLength(0);
  });
});
