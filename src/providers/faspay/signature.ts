// Faspay SendMe SNAP asymmetric signature, "without access token" form (docs/providers/faspay.md
// "Signature"; the provider's header table links Faspay's "signature-snap" page):
//   stringToSign = METHOD + ":" + path + ":" + lowerhex(sha256(minified body)) + ":" + X-TIMESTAMP
//   X-SIGNATURE  = base64(RSA-SHA256, PKCS#1 v1.5, with the merchant's private key)
// The minified body is the exact JSON text that is sent, field order kept (never sorted). The same
// form signs the simulator's callbacks to us, with the simulator's own key.
import { createHash, createPrivateKey, createPublicKey, sign, verify, type KeyObject } from 'node:crypto';

/** Keys often travel in environment variables with "\n" escaped; accept that form too. */
function normalisePem(pem: string): string {
  return pem.includes('\\n') && !pem.includes('\n') ? pem.replace(/\\n/g, '\n') : pem;
}

/** Loads an RSA private key from PKCS#8 ("BEGIN PRIVATE KEY") or PKCS#1 ("BEGIN RSA PRIVATE KEY") PEM. */
export function loadPrivateKey(pem: string | KeyObject): KeyObject {
  const key = typeof pem === 'string' ? createPrivateKey(normalisePem(pem)) : pem;
  if (key.type !== 'private' || key.asymmetricKeyType !== 'rsa') throw new TypeError('Faspay needs an RSA private key');
  return key;
}

/** Loads an RSA public key from SPKI ("BEGIN PUBLIC KEY") or PKCS#1 ("BEGIN RSA PUBLIC KEY") PEM. */
export function loadPublicKey(pem: string | KeyObject): KeyObject {
  const key = typeof pem === 'string' ? createPublicKey(normalisePem(pem)) : pem;
  if (key.asymmetricKeyType !== 'rsa') throw new TypeError('Faspay needs an RSA public key');
  return key.type === 'private' ? createPublicKey(key) : key;
}

/**
 * The body as it is sent: JSON without whitespace, fields in the order they were written. JavaScript
 * never escapes "/" (the form Faspay hashes). Beware integer-like keys: JSON.stringify puts them
 * first, so our bodies have none.
 */
export function minify(body: unknown): string {
  return JSON.stringify(body);
}

export function sha256Hex(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

export interface SignedParts {
  method: string;
  /** The URL path only, e.g. /account/v1.0/transfer-interbank. */
  path: string;
  /** The exact body text sent. */
  body: string;
  timestamp: string;
}

export function stringToSign(p: SignedParts): string {
  return `${p.method.toUpperCase()}:${p.path}:${sha256Hex(p.body)}:${p.timestamp}`;
}

export function signString(privateKey: KeyObject, text: string): string {
  return sign('sha256', Buffer.from(text, 'utf8'), privateKey).toString('base64');
}

export function verifyString(publicKey: KeyObject, text: string, signatureBase64: string): boolean {
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(signatureBase64)) return false;
  try {
    return verify('sha256', Buffer.from(text, 'utf8'), publicKey, Buffer.from(signatureBase64, 'base64'));
  } catch {
    return false;
  }
}

export function signRequest(privateKey: KeyObject, parts: SignedParts): string {
  return signString(privateKey, stringToSign(parts));
}

/**
 * The body forms a signer may have hashed: the raw bytes first, then the raw text with "\/"
 * unescaped (PHP and Java clients escape slashes when sending), then a minified re-serialisation.
 */
export function bodyCandidates(rawBody: string): string[] {
  const candidates = [rawBody, rawBody.replace(/\\\//g, '/')];
  try {
    candidates.push(minify(JSON.parse(rawBody)));
  } catch {
    // not JSON: only the raw forms can match
  }
  return [...new Set(candidates)];
}

/** Verifies a signed request or callback against the raw body and its unescaped/minified forms. */
export function verifyRequest(publicKey: KeyObject, parts: Omit<SignedParts, 'body'> & { rawBody: string; signature: string | undefined }): boolean {
  const { signature } = parts;
  if (!signature) return false;
  return bodyCandidates(parts.rawBody).some((body) => verifyString(publicKey, stringToSign({ ...parts, body }), signature));
}
