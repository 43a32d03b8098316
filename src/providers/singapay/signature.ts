// Singapay signatures (providers.md "Access token" and "Request signature"):
//   token:   lowerhex HMAC-SHA512(client secret, `${clientId}_${clientSecret}_${YYYYMMDD in Asia/Jakarta}`)
//   request: lowerhex HMAC-SHA512(client secret, `${METHOD}:${pathWithQuery}:${token}:${lowerhex sha256(canonical body)}:${timestamp}`)
// The same request form signs Singapay's webhooks to us (with the token from their Authorization header).
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { canonicalJson } from './canonical-json';

const JAKARTA_OFFSET_MS = 7 * 60 * 60 * 1000;

/** Today's date in Asia/Jakarta (UTC+7, no daylight saving) as YYYYMMDD. */
export function jakartaDate(now: Date): string {
  return new Date(now.getTime() + JAKARTA_OFFSET_MS).toISOString().slice(0, 10).replace(/-/g, '');
}

/** ISO-8601 with the Jakarta offset, e.g. 2026-11-22T17:00:00+07:00. */
export function jakartaTimestamp(now: Date): string {
  return `${new Date(now.getTime() + JAKARTA_OFFSET_MS).toISOString().slice(0, 19)}+07:00`;
}

export function tokenSignature(clientId: string, clientSecret: string, now: Date): string {
  return createHmac('sha512', clientSecret).update(`${clientId}_${clientSecret}_${jakartaDate(now)}`).digest('hex');
}

export function bodyHash(canonicalBody: string): string {
  return createHash('sha256').update(canonicalBody, 'utf8').digest('hex');
}

export interface SignedRequest {
  method: string;
  pathWithQuery: string;
  accessToken: string;
  /** The canonical JSON that is sent, byte for byte. */
  canonicalBody: string;
  timestamp: string;
}

export function stringToSign(r: SignedRequest): string {
  return `${r.method.toUpperCase()}:${r.pathWithQuery}:${r.accessToken}:${bodyHash(r.canonicalBody)}:${r.timestamp}`;
}

export function requestSignature(clientSecret: string, r: SignedRequest): string {
  return createHmac('sha512', clientSecret).update(stringToSign(r)).digest('hex');
}

/** Constant-time check of a presented lowercase-hex signature. */
export function signatureMatches(expected: string, presented: string | undefined): boolean {
  if (!presented || !/^[0-9a-f]+$/i.test(presented)) return false;
  const a = Buffer.from(expected, 'hex');
  const b = Buffer.from(presented.toLowerCase(), 'hex');
  return a.length === b.length && timingSafeEqual(a, b);
}

/** Signs a body as Singapay does: returns the exact bytes to send and the headers' signature. */
export function signBody(clientSecret: string, r: Omit<SignedRequest, 'canonicalBody'> & { body: unknown }) {
  const canonicalBody = canonicalJson(r.body);
  return { canonicalBody, signature: requestSignature(clientSecret, { ...r, canonicalBody }) };
}

/**
 * Verifies a signed request or webhook. The signer hashed the canonical form of the body, so both
 * the raw bytes and the canonical re-serialisation of the parsed body are accepted.
 */
export function verifyRequestSignature(
  clientSecret: string,
  r: Omit<SignedRequest, 'canonicalBody'> & { rawBody: string; signature: string | undefined },
): boolean {
  const candidates = [r.rawBody];
  try {
    candidates.push(canonicalJson(JSON.parse(r.rawBody)));
  } catch {
    // not JSON: only the raw form can match
  }
  return candidates.some((canonicalBody) => signatureMatches(requestSignature(clientSecret, { ...r, canonicalBody }), r.signature));
}
