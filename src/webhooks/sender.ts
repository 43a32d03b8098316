// One webhook delivery attempt: a POST to the merchant's URL, connecting to the one address
// resolveDeliveryAddress checked (url-policy.ts) and never to anything DNS says later (no rebinding).
// The connection goes to that IP itself; the URL's host stays in the Host header, in TLS's server name
// (SNI) and in the certificate check, so a virtual host and its certificate work as if it were resolved.
// One attempt per call, no retries (the Temporal activity that calls this is retried), no redirects
// (a 3xx is an answer like any other non-2xx: following one would take the request to a place the
// policy never checked). The response body is read up to 64 KiB and dropped, and neither the body nor
// any header appears in what this returns or logs: both can carry the merchant's or our secrets.
import http from 'node:http';
import https from 'node:https';
import { isIP } from 'node:net';

export type DeliveryAttempt =
  | { outcome: 'DELIVERED'; httpStatus: number }
  | { outcome: 'REFUSED'; httpStatus: number; retryAfterMs?: number }
  | { outcome: 'FAILED'; error: string };

export type WebhookRequest = {
  url: URL;
  address: { address: string; family: 4 | 6 };
  headers: Record<string, string>;
  body: string;
  /** The whole attempt: connecting, TLS, sending, the answer's last byte. */
  timeoutMs: number;
};

/** How much of an answer is read: enough to be polite to the server, too little to cost memory. */
export const MAX_RESPONSE_BYTES = 64 * 1024;

/** Headers this module decides: the caller's versions of them (in any case) are replaced. */
const OWN_HEADERS = new Set(['host', 'content-type', 'content-length', 'transfer-encoding', 'connection']);

/** What a failure is called in an attempt's record: short, without addresses, stack or server text. */
const REASONS: Record<string, string> = {
  ECONNREFUSED: 'connection refused',
  ECONNRESET: 'connection reset',
  EPIPE: 'connection closed while sending',
  ETIMEDOUT: 'connection timed out',
  EHOSTUNREACH: 'host unreachable',
  ENETUNREACH: 'network unreachable',
  EADDRNOTAVAIL: 'address not available',
  HPE_INVALID_CONSTANT: 'the answer is not HTTP',
  HPE_HEADER_OVERFLOW: 'the answer\'s headers are too large',
  DEPTH_ZERO_SELF_SIGNED_CERT: 'TLS: self-signed certificate',
  SELF_SIGNED_CERT_IN_CHAIN: 'TLS: self-signed certificate in the chain',
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: 'TLS: certificate not signed by a trusted authority',
  UNABLE_TO_GET_ISSUER_CERT_LOCALLY: 'TLS: certificate not signed by a trusted authority',
  CERT_HAS_EXPIRED: 'TLS: certificate expired',
  CERT_NOT_YET_VALID: 'TLS: certificate not yet valid',
  ERR_TLS_CERT_ALTNAME_INVALID: 'TLS: certificate does not name the host',
  ERR_SSL_WRONG_VERSION_NUMBER: 'TLS: the server does not speak TLS on this port',
  EPROTO: 'TLS: handshake failed',
};

function reasonOf(error: unknown): string {
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code !== 'string') return 'request failed';
  if (REASONS[code] !== undefined) return REASONS[code];
  // OpenSSL's codes (ERR_SSL_…) and node's TLS ones are safe to name: they are constants, not text.
  if (/^[A-Z0-9_]{1,64}$/.test(code)) return code.startsWith('ERR_SSL_') ? `TLS: ${code}` : `request failed (${code})`;
  return 'request failed';
}

/**
 * How long the server asks us to wait: Retry-After as seconds or as an HTTP-date (RFC 9110 10.2.3).
 * Undefined when absent or unreadable; a date in the past is 0.
 */
export function parseRetryAfter(value: string | undefined, now = Date.now()): number | undefined {
  if (value === undefined) return undefined;
  const text = value.trim();
  if (/^\d{1,10}$/.test(text)) return Number(text) * 1000;
  // An HTTP-date names its weekday; Date.parse would also take "7" or "2026" as a date.
  if (!/^[A-Za-z]{3},/.test(text)) return undefined;
  const at = Date.parse(text);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

export function sendWebhook(request: WebhookRequest): Promise<DeliveryAttempt> {
  const { url, address, body, timeoutMs } = request;
  const secure = url.protocol === 'https:';
  if (!secure && url.protocol !== 'http:') return Promise.resolve({ outcome: 'FAILED', error: `${url.protocol} is not http or https` });
  if (isIP(address.address) === 0) return Promise.resolve({ outcome: 'FAILED', error: 'the delivery address is not an IP address' });
  const hostname = url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname;
  const payload = Buffer.from(body, 'utf8');

  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(request.headers)) {
    if (!OWN_HEADERS.has(name.toLowerCase())) headers[name.toLowerCase()] = value;
  }
  headers['host'] = url.host; // with the port when the URL has a non-default one, as a client sends it
  headers['content-type'] = 'application/json';
  headers['content-length'] = String(payload.length);
  headers['connection'] = 'close';

  return new Promise<DeliveryAttempt>((resolve) => {
    let settled = false;
    let req: http.ClientRequest | undefined;
    let res: http.IncomingMessage | undefined;
    const settle = (attempt: DeliveryAttempt): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      // Whatever is still open (a body past the limit, a stalled server) is closed, not drained.
      res?.destroy();
      req?.destroy();
      resolve(attempt);
    };
    const timer = setTimeout(
      () => settle({ outcome: 'FAILED', error: `timed out after ${timeoutMs} ms${res === undefined ? '' : ' reading the answer'}` }),
      timeoutMs,
    );

    const answered = (status: number, retryAfter: string | undefined): DeliveryAttempt => {
      if (status >= 200 && status <= 299) return { outcome: 'DELIVERED', httpStatus: status };
      const retryAfterMs = status === 429 || status === 503 ? parseRetryAfter(retryAfter) : undefined;
      return retryAfterMs === undefined ? { outcome: 'REFUSED', httpStatus: status } : { outcome: 'REFUSED', httpStatus: status, retryAfterMs };
    };

    const options: https.RequestOptions = {
      method: 'POST',
      // The checked address itself: no name is resolved on the way.
      host: address.address,
      family: address.family,
      port: url.port === '' ? (secure ? 443 : 80) : Number(url.port),
      path: `${url.pathname}${url.search}`,
      headers,
      // A fresh connection per attempt: a pooled one could have been opened to another address.
      agent: false,
      // The name the certificate must carry (and SNI); a literal IP is checked as an IP and sends no SNI.
      ...(secure && isIP(hostname) === 0 ? { servername: hostname } : {}),
    };
    try {
      req = (secure ? https : http).request(options, (response) => {
        res = response;
        const status = response.statusCode ?? 0;
        const retryAfter = response.headers['retry-after'];
        let received = 0;
        response.on('data', (chunk: Buffer) => {
          received += chunk.length;
          if (received >= MAX_RESPONSE_BYTES) settle(answered(status, retryAfter));
        });
        response.on('end', () => settle(answered(status, retryAfter)));
        response.on('error', () => settle({ outcome: 'FAILED', error: 'connection lost while reading the answer' }));
        response.on('aborted', () => settle({ outcome: 'FAILED', error: 'connection lost while reading the answer' }));
      });
    } catch (error) {
      // A header value with a line break or a non-Latin-1 character is refused here, before any connection.
      settle({ outcome: 'FAILED', error: (error as { code?: unknown }).code === 'ERR_INVALID_CHAR' ? 'a header value has an invalid character' : reasonOf(error) });
      return;
    }
    req.on('error', (error) => settle({ outcome: 'FAILED', error: reasonOf(error) }));
    req.end(payload);
  });
}
