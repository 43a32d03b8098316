// A stand-in for a secured Temporal frontend (a self-hosted cluster with mTLS, or Temporal Cloud with
// an API key): an HTTP/2 server that terminates TLS, requires a client certificate from its own CA
// and, when given one, an API key, then forwards each gRPC call to the plaintext dev server. It
// counts what it let through and what it refused, so a test can prove every call was secured.
//
// The certificates are made per run with openssl (a CA, a server certificate for a made-up name, a
// client certificate, and a self-signed client certificate the CA never issued); nothing is committed.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import http2 from 'node:http2';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TLSSocket } from 'node:tls';

export const TLS_SERVER_NAME = 'temporal.payouts.test';

export interface TestCertificates {
  dir: string;
  caCert: string;
  serverCert: string;
  serverKey: string;
  clientCert: string;
  clientKey: string;
  /** Self-signed: a client certificate the frontend's CA never issued. */
  strangerCert: string;
  strangerKey: string;
}

/** A new folder with a CA of its own (ca.pem, ca.key), and how to make certificates it signs there. */
function newCertificateAuthority() {
  const dir = mkdtempSync(join(tmpdir(), 'payouts-tls-'));
  const file = (name: string) => join(dir, name);
  const openssl = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });
  const keyAndRequest = (name: string, subject: string) =>
    openssl('req', '-newkey', 'rsa:2048', '-nodes', '-keyout', file(`${name}.key`), '-out', file(`${name}.csr`), '-subj', subject);
  const signByCa = (name: string, extensions: string) => {
    writeFileSync(file(`${name}.ext`), extensions);
    openssl('x509', '-req', '-in', file(`${name}.csr`), '-CA', file('ca.pem'), '-CAkey', file('ca.key'), '-CAcreateserial', '-days', '2', '-out', file(`${name}.pem`), '-extfile', file(`${name}.ext`));
  };
  openssl('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', file('ca.key'), '-out', file('ca.pem'), '-days', '2', '-subj', '/CN=payouts test CA',
    '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign');
  return { dir, file, openssl, keyAndRequest, signByCa };
}

/** A CA and a server certificate it signed for `subjectAltName` (e.g. `IP:127.0.0.1`), as file paths. */
export function makeServerCertificate(subjectAltName: string): { dir: string; caCert: string; serverCert: string; serverKey: string } {
  const { dir, file, keyAndRequest, signByCa } = newCertificateAuthority();
  keyAndRequest('server', '/CN=payouts test server');
  signByCa('server', `subjectAltName=${subjectAltName}\nextendedKeyUsage=serverAuth\nkeyUsage=digitalSignature,keyEncipherment\n`);
  return { dir, caCert: file('ca.pem'), serverCert: file('server.pem'), serverKey: file('server.key') };
}

export function makeCertificates(): TestCertificates {
  const { dir, file, openssl, keyAndRequest, signByCa } = newCertificateAuthority();
  keyAndRequest('server', `/CN=${TLS_SERVER_NAME}`);
  signByCa('server', `subjectAltName=DNS:${TLS_SERVER_NAME}\nextendedKeyUsage=serverAuth\nkeyUsage=digitalSignature,keyEncipherment\n`);
  keyAndRequest('client', '/CN=payouts-worker');
  signByCa('client', 'extendedKeyUsage=clientAuth\nkeyUsage=digitalSignature,keyEncipherment\n');
  openssl('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', file('stranger.key'), '-out', file('stranger.pem'), '-days', '2', '-subj', '/CN=stranger',
    '-addext', 'extendedKeyUsage=clientAuth');
  return {
    dir,
    caCert: file('ca.pem'),
    serverCert: file('server.pem'),
    serverKey: file('server.key'),
    clientCert: file('client.pem'),
    clientKey: file('client.key'),
    strangerCert: file('stranger.pem'),
    strangerKey: file('stranger.key'),
  };
}

export interface TlsFront {
  /** host:port to use as TEMPORAL_ADDRESS (with TEMPORAL_TLS_SERVER_NAME = TLS_SERVER_NAME). */
  address: string;
  /** gRPC calls forwarded, by the client certificate's common name. */
  forwarded: Map<string, number>;
  /** gRPC calls answered UNAUTHENTICATED because the API key was missing or wrong. */
  refusedForApiKey: number;
  /** TLS handshakes that failed (no client certificate, or one the CA did not issue). */
  failedHandshakes: number;
  close(): Promise<void>;
}

const GRPC_UNAUTHENTICATED = '16';

export async function startTlsFront(options: { target: string; certificates: TestCertificates; apiKey?: string }): Promise<TlsFront> {
  const { certificates: c } = options;
  const upstream = http2.connect(`http://${options.target}`);
  upstream.on('error', () => undefined);
  const server = http2.createSecureServer({
    cert: readFileSync(c.serverCert),
    key: readFileSync(c.serverKey),
    ca: readFileSync(c.caCert),
    requestCert: true,
    rejectUnauthorized: true,
  });
  const front: TlsFront = { address: '', forwarded: new Map(), refusedForApiKey: 0, failedHandshakes: 0, close: async () => undefined };
  server.on('tlsClientError', () => front.failedHandshakes++);
  server.on('sessionError', () => undefined);

  server.on('stream', (stream, headers) => {
    stream.on('error', () => undefined);
    if (options.apiKey !== undefined && headers.authorization !== `Bearer ${options.apiKey}`) {
      front.refusedForApiKey++;
      stream.respond({ ':status': 200, 'content-type': 'application/grpc', 'grpc-status': GRPC_UNAUTHENTICATED, 'grpc-message': 'API key missing or wrong' }, { endStream: true });
      return;
    }
    const peer = (stream.session?.socket as TLSSocket | undefined)?.getPeerCertificate();
    const name = typeof peer?.subject?.CN === 'string' ? peer.subject.CN : '?';
    front.forwarded.set(name, (front.forwarded.get(name) ?? 0) + 1);

    const request: http2.OutgoingHttpHeaders = {};
    for (const [key, value] of Object.entries(headers)) if (key !== ':scheme' && value !== undefined) request[key] = value;
    const call = upstream.request(request);
    call.on('error', () => undefined);
    stream.pipe(call);
    let trailers: http2.IncomingHttpHeaders = {};
    call.on('response', (responseHeaders) => {
      if (stream.destroyed) return;
      // A trailers-only answer (an error status and nothing else) must stay one: a gRPC client reads
      // its status from those headers.
      if (call.endAfterHeaders) stream.respond(responseHeaders, { endStream: true });
      else {
        stream.respond(responseHeaders, { waitForTrailers: true });
        call.pipe(stream);
      }
    });
    call.on('trailers', (received) => (trailers = received));
    stream.on('wantTrailers', () => stream.sendTrailers(trailers));
    // Either side resetting its stream (a long poll cancelled at shutdown) resets the other. A clean
    // end needs nothing: the piped body ends the answer, then its trailers follow.
    const NO_ERROR = http2.constants.NGHTTP2_NO_ERROR;
    stream.on('close', () => call.destroyed || call.close(stream.rstCode ?? http2.constants.NGHTTP2_CANCEL));
    call.on('close', () => {
      if (!stream.destroyed && call.rstCode !== undefined && call.rstCode !== NO_ERROR) stream.close(call.rstCode);
    });
  });

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  front.address = `127.0.0.1:${(server.address() as AddressInfo).port}`;
  front.close = () =>
    new Promise<void>((resolve) => {
      upstream.close();
      server.close(() => resolve());
      // Open sessions (workers' long polls) would keep close() waiting.
      setTimeout(resolve, 2_000).unref();
    });
  return front;
}
