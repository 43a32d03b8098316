// Endpoint secrets are derived, never stored: secret = HMAC-SHA256(master key, "{endpointId}:{version}").
// Temporal's history then holds an endpoint's id and secret version, not a credential (a leaked
// history or backup signs nothing), and a rotation is a version bump: the old version's secret can
// be derived again for as long as both are sent. The price: whoever holds WEBHOOK_SECRET_KEY can
// derive every endpoint's secret, and changing it rotates all of them at once.
import { createHash, createHmac } from 'node:crypto';
import { SECRET_PREFIX } from './signature';

/** The variable that holds the master key (base64). */
export const MASTER_KEY_VARIABLE = 'WEBHOOK_SECRET_KEY';

/** As long as the HMAC-SHA256 output: a shorter master key would be the weakest link. */
export const MIN_MASTER_KEY_BYTES = 32;

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/**
 * The master key from the text of WEBHOOK_SECRET_KEY: standard, padded base64 (`openssl rand -base64 32`)
 * of at least 32 bytes. Surrounding whitespace (a newline from a secrets file) is ignored. The errors
 * say what is wrong and never repeat the value: they end up in logs.
 */
export function parseMasterKey(text: string): Buffer {
  const trimmed = text.trim();
  const hint = `generate one with \`openssl rand -base64 ${MIN_MASTER_KEY_BYTES}\``;
  if (trimmed === '') throw new Error(`${MASTER_KEY_VARIABLE} is empty; ${hint}`);
  if (!BASE64.test(trimmed)) throw new Error(`${MASTER_KEY_VARIABLE} is not standard, padded base64 (A–Z, a–z, 0–9, +, /, then = padding); ${hint}`);
  const key = Buffer.from(trimmed, 'base64');
  if (key.length < MIN_MASTER_KEY_BYTES) {
    throw new Error(`${MASTER_KEY_VARIABLE} decodes to ${key.length} bytes; at least ${MIN_MASTER_KEY_BYTES} are needed; ${hint}`);
  }
  return key;
}

/**
 * An endpoint's secret for one version, as the merchant receives it: `whsec_` and the base64 of 32 key
 * bytes. The input "{endpointId}:{version}" is unambiguous even when an id contains ":", because the
 * version is an integer and always follows the last one.
 */
export function deriveEndpointSecret(masterKey: Buffer, endpointId: string, version: number): string {
  if (masterKey.length < MIN_MASTER_KEY_BYTES) throw new Error(`the webhook master key must be at least ${MIN_MASTER_KEY_BYTES} bytes`);
  if (endpointId === '') throw new Error('an endpoint id is needed to derive its secret');
  if (!Number.isSafeInteger(version) || version < 0) throw new Error(`a secret version is a non-negative integer, not ${version}`);
  const key = createHmac('sha256', masterKey).update(`${endpointId}:${version}`, 'utf8').digest();
  return SECRET_PREFIX + key.toString('base64');
}

/**
 * The master key outside production when WEBHOOK_SECRET_KEY is unset: derived from a published text,
 * so it protects nothing and exists only so that `npm start` and the tests work with no setup (like
 * the development API keys). Production refuses to start without a real key.
 */
export function developmentMasterKey(): Buffer {
  return createHash('sha256').update('payouts development webhook master key (not a secret)', 'utf8').digest();
}
