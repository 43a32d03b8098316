// Singapay signatures (docs/providers/singapay.md "Access token" and "Request signature"):
//   token:   lowerhex HMAC-SHA512(client secret, `${clientId}_${clientSecret}_${YYYYMMDD in Asia/Jakarta}`)
//   request: lowerhex HMAC-SHA512(client secret, `${METHOD}:${pathWithQuery}:${token}:${lowerhex sha256(canonical body)}:${X-Timestamp}`)
// The request form also signs Singapay's webhooks to us, with the random token of their
// Authorization header; the verify helpers here serve the simulator and our callback endpoint.
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { canonicalJson } from './canonical-json';

/** Asia/Jakarta is UTC+7 all year (no daylight saving), so a fixed offset is exact. */
const JAKARTA_OFFSET_MS = 7 * 60 * 60 * 1000;

/** The date in Asia/Jakarta as YYYYMMDD: 2026-11-21T18:30:00Z is already 20261122 there. */
export function jakartaDate(now: Date): string {
  return new Date(now.getTime() + JAKARTA_OFFSET_MS).toISOString().slice(0, 10).replace(/-/g, '');
}

/** ISO-8601 in Jakarta time with its offset, to the second: 2026-11-22T01:30:00+07:00. */
export function jakartaTimestamp(now: Date): string {
  return `${new Date(now.getTime() + JAKARTA_OFFSET_MS).toISOString().slice(0, 19)}+07:00`;
}

export type TimestampFormat = 'iso8601' | 'unix';

/** X-Timestamp: the trigger page's ISO-8601 by default, or Unix seconds as Singapay's other pages use. */
export function xTimestamp(now: Date, format: TimestampFormat = 'iso8601'): string {
  return format === 'unix' ? String(Math.floor(now.getTime() / 1000)) : jakartaTimestamp(now);
}

export function tokenSignature(clientId: string, clientSecret: string, now: Date): string {
  return createHmac('sha512', clientSecret).update(`${clientId}_${clientSecret}_${jakartaDate(now)}`, 'utf8').digest('hex');
}

export function bodyHash(canonicalBody: string): string {
  return createHash('sha256').update(canonicalBody, 'utf8').digest('hex');
}

export interface SignedRequest {
  method: string;
  /** The request's path and query as sent, e.g. /api/v2.0/ewallet/trigger-topup. */
  pathWithQuery: string;
  /** The bearer token, without "Bearer ". */
  accessToken: string;
  /** The canonical JSON that is sent, byte for byte. */
  canonicalBody: string;
  timestamp: string;
}

export function stringToSign(r: SignedRequest): string {
  return `${r.method.toUpperCase()}:${r.pathWithQuery}:${r.accessToken}:${bodyHash(r.canonicalBody)}:${r.timestamp}`;
}

export function requestSignature(clientSecret: string, r: SignedRequest): string {
  return createHmac('sha512', clientSecret).update(stringToSign(r), 'utf8').digest('hex');
}

/** Signs a body as Singapay expects: the exact bytes to send, and the X-Signature over them. */
export function signBody(clientSecret: string, r: Omit<SignedRequest, 'canonicalBody'> & { body: unknown }): { canonicalBody: string; signature: string } {
  const canonicalBody = canonicalJson(r.body);
  return { canonicalBody, signature: requestSignature(clientSecret, { ...r, canonicalBody }) };
}

const HEX = /^[0-9a-fA-F]+$/;

/**
 * Constant-time comparison of a presented hex signature with the expected one. Lengths are
 * compared as strings first: Buffer.from(hex) silently drops an odd trailing digit, which would
 * otherwise let "<right signature>0" pass.
 */
export function signatureMatches(expected: string, presented: string | undefined): boolean {
  if (presented === undefined || presented.length !== expected.length || !HEX.test(presented)) return false;
  return timingSafeEqual(Buffer.from(expected, 'hex'), Buffer.from(presented, 'hex'));
}

/**
 * Verifies a signed request or webhook. The signer hashed the canonical form of the body and should
 * have sent exactly those bytes; a sender that re-serialised (other key order, whitespace) still
 * signed the canonical form, so both the raw bytes and the canonical re-serialisation of the parsed
 * body are accepted. Nothing else is: any change to a value changes both.
 */
export function verifyRequestSignature(
  clientSecret: string,
  r: Omit<SignedRequest, 'canonicalBody'> & { rawBody: string; signature: string | undefined },
): boolean {
  if (!r.signature) return false;
  const candidates = new Set([r.rawBody]);
  try {
    candidates.add(canonicalJson(JSON.parse(r.rawBody)));
  } catch {
    // Not JSON: only the raw form can match.
  }
  for (const canonicalBody of candidates) {
    if (signatureMatches(requestSignature(clientSecret, { ...r, canonicalBody }), r.signature)) return true;
  }
  return false;
}

type HeaderBag = Record<string, string | string[] | undefined>;

function header(headers: HeaderBag, name: string): string | undefined {
  const value = headers[name] ?? headers[name.toLowerCase()];
  return Array.isArray(value) ? value[0] : value;
}

/**
 * Verifies one of Singapay's webhooks as it arrived: `Authorization: Bearer <token>`, X-Timestamp
 * and X-Signature from the headers (Node's lower-case names), signed over POST, the path and query
 * it was posted to, and the body. A valid signature proves who sent it, not that it is current or
 * true: treat the callback as a hint to check status.
 */
export function verifySingapayCallback(clientSecret: string, callback: { pathWithQuery: string; headers: HeaderBag; rawBody: string }): boolean {
  const token = /^Bearer (\S+)$/.exec(header(callback.headers, 'authorization') ?? '')?.[1];
  const timestamp = header(callback.headers, 'x-timestamp');
  if (!token || !timestamp) return false;
  return verifyRequestSignature(clientSecret, {
    method: 'POST',
    pathWithQuery: callback.pathWithQuery,
    accessToken: token,
    timestamp,
    rawBody: callback.rawBody,
    signature: header(callback.headers, 'x-signature'),
  });
}
