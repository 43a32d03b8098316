// Callbacks "from Faspay". Faspay's SNAP callback format is not public (docs/providers/faspay.md), so this
// is a project-defined stand-in that our simulator sends: a SNAP-style notification
// { originalPartnerReferenceNo, originalReferenceNo, latestTransactionStatus, transactionStatusDesc,
//   amount, additionalInfo } with the usual SNAP headers, X-SIGNATURE made like a request signature
// (POST:<callback path>:<sha256 body>:<X-TIMESTAMP>) with the simulator's own RSA key. A verified
// callback is still only a hint to check status by reference, never the truth by itself.
import type { KeyObject } from 'node:crypto';
import { CALLBACK_FRESHNESS_MS } from '../callback-freshness';
import { jakartaTimestamp, snapHeaders } from './headers';
import { notificationSchema, type FaspayNotification } from './schemas';
import { loadPrivateKey, loadPublicKey, minify, signRequest, verifyRequest } from './signature';

/** One window for every provider's callbacks (callback-freshness.ts). */
export const CALLBACK_TIMESTAMP_TOLERANCE_MS = CALLBACK_FRESHNESS_MS;

export interface FaspayCallbackRequest {
  /** The request target as received, path and query (Express: `req.originalUrl`). */
  path: string;
  /** Default POST. */
  method?: string;
  /** The body exactly as received (before any JSON parsing). */
  rawBody: string;
  /** Request headers; Node's lower-case form (`req.headers`) or any casing. */
  headers: Record<string, string | string[] | undefined>;
}

export interface VerifyCallbackOptions {
  now?: Date;
  toleranceMs?: number;
  /** When given, X-PARTNER-ID must equal it. */
  partnerId?: string;
}

export type FaspayCallbackVerification = { ok: true; notification: FaspayNotification } | { ok: false; reason: string };

function header(headers: FaspayCallbackRequest['headers'], name: string): string | undefined {
  const wanted = name.toLowerCase();
  for (const [key, value] of Object.entries(headers)) {
    if (key.toLowerCase() === wanted) return Array.isArray(value) ? value[0] : value;
  }
  return undefined;
}

/** Verifies a callback's signature (with the simulator's public key), its timestamp, and its body. */
export function verifyFaspayCallback(
  publicKeyPem: string | KeyObject,
  request: FaspayCallbackRequest,
  options: VerifyCallbackOptions = {},
): FaspayCallbackVerification {
  const timestamp = header(request.headers, 'x-timestamp');
  const signature = header(request.headers, 'x-signature');
  if (!timestamp || !signature) return { ok: false, reason: 'missing X-TIMESTAMP or X-SIGNATURE' };
  const at = Date.parse(timestamp);
  const now = (options.now ?? new Date()).getTime();
  if (!Number.isFinite(at) || Math.abs(now - at) > (options.toleranceMs ?? CALLBACK_TIMESTAMP_TOLERANCE_MS)) {
    return { ok: false, reason: 'X-TIMESTAMP missing, malformed or outside the tolerance' };
  }
  if (options.partnerId !== undefined && header(request.headers, 'x-partner-id') !== options.partnerId) {
    return { ok: false, reason: 'X-PARTNER-ID does not match' };
  }
  const method = request.method ?? 'POST';
  if (!verifyRequest(loadPublicKey(publicKeyPem), { method, path: request.path, timestamp, rawBody: request.rawBody, signature })) {
    return { ok: false, reason: 'signature does not verify' };
  }
  let json: unknown;
  try {
    json = JSON.parse(request.rawBody);
  } catch {
    return { ok: false, reason: 'body is not JSON' };
  }
  const parsed = notificationSchema.safeParse(json);
  if (!parsed.success) return { ok: false, reason: `unexpected notification at ${parsed.error.issues[0]?.path.join('.') || '(root)'}` };
  return { ok: true, notification: parsed.data };
}

/** Builds a signed callback (the simulator's side): the exact body text and its headers. */
export function signedCallback(
  privateKeyPem: string | KeyObject,
  v: { url: string; partnerId: string; externalId: string; now: Date; notification: FaspayNotification },
): { body: string; headers: Record<string, string> } {
  const target = new URL(v.url);
  const body = minify(v.notification);
  const timestamp = jakartaTimestamp(v.now);
  const signature = signRequest(loadPrivateKey(privateKeyPem), { method: 'POST', path: target.pathname + target.search, body, timestamp });
  return { body, headers: snapHeaders({ partnerId: v.partnerId, timestamp, signature, externalId: v.externalId }) };
}
