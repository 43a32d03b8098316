// Webhook signatures as the Standard Webhooks specification defines them (standardwebhooks.com), so a
// merchant can verify our webhooks with any of its libraries rather than with code we document:
//   webhook-id         the message id, the same on every retry of one message (receivers deduplicate on it)
//   webhook-timestamp  Unix seconds when this attempt was signed
//   webhook-signature  "v1,<base64 HMAC-SHA256(key, '{id}.{timestamp}.{body}')>", space-separated, one per secret
// Signing the id and the timestamp with the body means a captured delivery cannot be replayed later
// (the timestamp goes stale) nor passed off as another message. One signature per secret lets an
// endpoint's secret be rotated without a moment where the merchant's receiver refuses us.
import { createHmac, timingSafeEqual } from 'node:crypto';

/** The prefix the specification gives secrets; what follows is the base64 of the key bytes. */
export const SECRET_PREFIX = 'whsec_';

/** How far a webhook's timestamp may be from the receiver's clock, in either direction (the spec's 5 minutes). */
export const DEFAULT_TOLERANCE_SECONDS = 5 * 60;

export type WebhookHeaders = Record<'webhook-id' | 'webhook-timestamp' | 'webhook-signature', string>;

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;
/** The spec recommends keys of 24 to 64 bytes; shorter is guessable, longer is a mistake. */
const MIN_KEY_BYTES = 24;
const MAX_KEY_BYTES = 64;
/** A message id travels in a header and inside the signed text: printable ASCII, no spaces. */
const MESSAGE_ID = /^[\x21-\x7e]{1,256}$/;
const UNIX_SECONDS = /^\d{1,12}$/;

/**
 * The key bytes of a `whsec_` secret. Throws on anything else rather than signing with garbage: a
 * lenient decoder would turn a mistyped secret into a valid-looking key no merchant holds. The
 * messages never repeat the secret.
 */
export function secretKey(secret: string): Buffer {
  if (!secret.startsWith(SECRET_PREFIX)) throw new Error(`a webhook secret must start with "${SECRET_PREFIX}"`);
  const text = secret.slice(SECRET_PREFIX.length);
  if (!BASE64.test(text)) throw new Error(`a webhook secret must be "${SECRET_PREFIX}" followed by standard, padded base64`);
  const key = Buffer.from(text, 'base64');
  if (key.length < MIN_KEY_BYTES || key.length > MAX_KEY_BYTES) {
    throw new Error(`a webhook secret's key must be ${MIN_KEY_BYTES} to ${MAX_KEY_BYTES} bytes, not ${key.length}`);
  }
  return key;
}

/** The base64 HMAC of one message under one key: the part after "v1,". */
function mac(key: Buffer, id: string, unixSeconds: number, body: string): string {
  return createHmac('sha256', key).update(`${id}.${unixSeconds}.${body}`, 'utf8').digest('base64');
}

/** The three headers of one delivery attempt: one v1 signature per secret (two while a secret is being rotated). */
export function signWebhook(message: { id: string; timestamp: Date; body: string; secrets: string[] }): WebhookHeaders {
  const { id, timestamp, body, secrets } = message;
  if (!MESSAGE_ID.test(id)) throw new Error('a webhook id must be 1 to 256 printable ASCII characters without spaces');
  const unixSeconds = Math.floor(timestamp.getTime() / 1000);
  if (!Number.isSafeInteger(unixSeconds) || unixSeconds < 0) throw new Error('a webhook timestamp must be a valid instant after 1970');
  if (secrets.length === 0) throw new Error('a webhook needs at least one secret to be signed with');
  return {
    'webhook-id': id,
    'webhook-timestamp': String(unixSeconds),
    'webhook-signature': secrets.map((secret) => `v1,${mac(secretKey(secret), id, unixSeconds, body)}`).join(' '),
  };
}

export type WebhookVerification = { ok: true; id: string; timestamp: Date } | { ok: false; reason: string };

/** One header's value, whatever its name's case; a repeated header is refused as ambiguous. */
function header(headers: Record<string, string | string[] | undefined>, name: string): string | undefined {
  let found: string | undefined;
  for (const [key, value] of Object.entries(headers)) {
    if (key.toLowerCase() !== name || value === undefined) continue;
    if (Array.isArray(value) || found !== undefined) return undefined;
    found = value;
  }
  return found;
}

/**
 * Whether a received webhook was signed with `secret` within `toleranceSeconds` of `now`. Accepts when
 * any v1 signature in the header matches (the sender may list one per secret it is rotating through);
 * signatures of other versions are skipped, as the spec asks. The body must be the exact bytes
 * received, before any JSON parsing: re-serialising changes them. Throws only when `secret` itself is
 * malformed: that is our configuration's fault, not the sender's.
 */
export function verifyWebhook(
  secret: string,
  headers: Record<string, string | string[] | undefined>,
  body: string,
  now: Date,
  toleranceSeconds = DEFAULT_TOLERANCE_SECONDS,
): WebhookVerification {
  const id = header(headers, 'webhook-id');
  const timestamp = header(headers, 'webhook-timestamp');
  const signatures = header(headers, 'webhook-signature');
  if (id === undefined || timestamp === undefined || signatures === undefined) {
    return { ok: false, reason: 'webhook-id, webhook-timestamp and webhook-signature must each be present once' };
  }
  if (!UNIX_SECONDS.test(timestamp)) return { ok: false, reason: 'webhook-timestamp is not Unix seconds' };
  const unixSeconds = Number(timestamp);
  const skew = unixSeconds - Math.floor(now.getTime() / 1000);
  if (Math.abs(skew) > toleranceSeconds) {
    return { ok: false, reason: `webhook-timestamp is ${Math.abs(skew)} s ${skew < 0 ? 'old' : 'ahead of our clock'}; the limit is ${toleranceSeconds} s` };
  }
  // Comparing the base64 text (always 44 characters for SHA-256) in constant time leaks neither
  // where a forged signature first differs nor anything about the key.
  const expected = Buffer.from(mac(secretKey(secret), id, unixSeconds, body), 'ascii');
  for (const entry of signatures.split(' ')) {
    const comma = entry.indexOf(',');
    if (comma < 0 || entry.slice(0, comma) !== 'v1') continue;
    const given = Buffer.from(entry.slice(comma + 1), 'ascii');
    if (given.length === expected.length && timingSafeEqual(given, expected)) return { ok: true, id, timestamp: new Date(unixSeconds * 1000) };
  }
  return { ok: false, reason: 'no v1 signature matches this secret' };
}
