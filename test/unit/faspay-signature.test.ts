// Faspay's SNAP asymmetric signature with a fixed throwaway RSA key (test/fixtures/faspay-test-key.pem).
// RSA PKCS#1 v1.5 is deterministic, so the exact base64 is asserted; it was cross-checked with
// `openssl dgst -sha256 -sign` over the same string-to-sign.
import { createPrivateKey, createPublicKey, generateKeyPairSync } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { externalIdGenerator, jakartaDay, jakartaTimestamp, snapHeaders } from '../../src/providers/faspay/headers';
import {
  bodyCandidates,
  loadPrivateKey,
  loadPublicKey,
  minify,
  sha256Hex,
  signRequest,
  signString,
  stringToSign,
  verifyRequest,
  verifyString,
} from '../../src/providers/faspay/signature';

const PEM = readFileSync(join(__dirname, '../fixtures/faspay-test-key.pem'), 'utf8');
const privateKey = loadPrivateKey(PEM);
const publicKeyPem = createPublicKey(privateKey).export({ type: 'spki', format: 'pem' }).toString();
const publicKey = loadPublicKey(publicKeyPem);

const BODY = {
  partnerReferenceNo: '2020102900000000000001',
  amount: { value: '12345678.00', currency: 'IDR' },
  additionalInfo: { callbackUrl: 'https://dev2.faspay.co.id/account/api/callback' },
};
const MINIFIED =
  '{"partnerReferenceNo":"2020102900000000000001","amount":{"value":"12345678.00","currency":"IDR"},"additionalInfo":{"callbackUrl":"https://dev2.faspay.co.id/account/api/callback"}}';
const BODY_SHA256 = '03cad55e534e779420656deddfb07ac6eafd1871d01ba9f5b81ee2fdf151da3b';
const PARTS = { method: 'POST', path: '/account/v1.0/transfer-interbank', body: MINIFIED, timestamp: '2020-12-17T10:55:00+07:00' };
const STRING_TO_SIGN = `POST:/account/v1.0/transfer-interbank:${BODY_SHA256}:2020-12-17T10:55:00+07:00`;
const SIGNATURE =
  'Cc/lCROAPFi7gTu7khSYeiH+SqfU6blbI3k8OCWnkoXaMZlkYv8vb/w0NT27atP3Xu99Y1IZXj8mCKNnxlT8VkbxDH5r29WIwIQNjAGsXJ45HdSD1Wvm2ekyFwFfZX4wcx7d6MJwpx7wl4zONML6qUagruiPBxbQr0mxQIZINXYkjE3Geuj4gWwCvDr/LevC6qyeBrZxqvUY8CdVX8koVkggklI/vGiUZa6JU6odb6GNKlaQJRRwO2RoJD/Xn4xMOt5lITOrMx0V7uXnz072ztJkZLqluWKQL+ETrTLdCqUXnW/Dw7RLq1s3XNWcK9xC7ypKitEjPcjCZQ8KcvwdvQ==';

describe('string to sign', () => {
  test('minified body keeps field order and does not escape slashes', () => {
    expect(minify(BODY)).toBe(MINIFIED);
    expect(minify({ b: 1, a: 2 })).toBe('{"b":1,"a":2}');
    expect(minify({ url: 'https://x/y' })).toBe('{"url":"https://x/y"}');
  });

  test('sha256 lowercase hex of the minified body', () => {
    expect(sha256Hex(MINIFIED)).toBe(BODY_SHA256);
    expect(sha256Hex('')).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
  });

  test('METHOD:path:hash:timestamp, the method upper-cased', () => {
    expect(stringToSign(PARTS)).toBe(STRING_TO_SIGN);
    expect(stringToSign({ ...PARTS, method: 'post' })).toBe(STRING_TO_SIGN);
  });
});

describe('RSA-SHA256 PKCS#1 v1.5 signature', () => {
  test('exact base64 signature of a fixed string with the fixed test key', () => {
    expect(signString(privateKey, STRING_TO_SIGN)).toBe(SIGNATURE);
    expect(signRequest(privateKey, PARTS)).toBe(SIGNATURE);
  });

  test('verifies with the public key; a changed string or signature does not', () => {
    expect(verifyString(publicKey, STRING_TO_SIGN, SIGNATURE)).toBe(true);
    expect(verifyString(publicKey, `${STRING_TO_SIGN} `, SIGNATURE)).toBe(false);
    expect(verifyString(publicKey, STRING_TO_SIGN, `A${SIGNATURE.slice(1)}`)).toBe(false);
    expect(verifyString(publicKey, STRING_TO_SIGN, 'not base64!')).toBe(false);
  });

  test('PKCS#8 and PKCS#1 private keys, and escaped-newline PEM, sign the same', () => {
    expect(PEM).toContain('BEGIN PRIVATE KEY');
    const pkcs1 = createPrivateKey(PEM).export({ type: 'pkcs1', format: 'pem' }).toString();
    expect(pkcs1).toContain('BEGIN RSA PRIVATE KEY');
    expect(signString(loadPrivateKey(pkcs1), STRING_TO_SIGN)).toBe(SIGNATURE);
    const oneLine = pkcs1.trim().replace(/\n/g, '\\n');
    expect(signString(loadPrivateKey(oneLine), STRING_TO_SIGN)).toBe(SIGNATURE);
  });

  test('SPKI and PKCS#1 public keys verify', () => {
    const pkcs1Public = createPublicKey(privateKey).export({ type: 'pkcs1', format: 'pem' }).toString();
    expect(pkcs1Public).toContain('BEGIN RSA PUBLIC KEY');
    expect(verifyString(loadPublicKey(pkcs1Public), STRING_TO_SIGN, SIGNATURE)).toBe(true);
  });

  test('a non-RSA key is refused', () => {
    const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    expect(() => loadPrivateKey(ec.privateKey)).toThrow(/RSA/);
  });
});

describe('request verification (the simulator side)', () => {
  const signature = signRequest(privateKey, PARTS);
  const verify = (rawBody: string, sig: string | undefined = signature) =>
    verifyRequest(publicKey, { method: 'POST', path: PARTS.path, timestamp: PARTS.timestamp, rawBody, signature: sig });

  test('the raw body as signed', () => {
    expect(verify(MINIFIED)).toBe(true);
  });

  test('a body sent with escaped slashes or whitespace still verifies against its minified form', () => {
    const escaped = MINIFIED.replace(/\//g, '\\/');
    expect(escaped).not.toBe(MINIFIED);
    expect(verify(escaped)).toBe(true);
    expect(verify(JSON.stringify(BODY, null, 2))).toBe(true);
    expect(bodyCandidates(escaped)).toContain(MINIFIED);
  });

  test('a tampered body, a missing signature, another path or timestamp fail', () => {
    expect(verify(MINIFIED.replace('12345678.00', '12345679.00'))).toBe(false);
    expect(verifyRequest(publicKey, { ...PARTS, rawBody: MINIFIED, signature: undefined })).toBe(false);
    expect(verify(MINIFIED, '')).toBe(false);
    expect(verifyRequest(publicKey, { ...PARTS, path: '/account/v1.0/transfer/status', rawBody: MINIFIED, signature })).toBe(false);
    expect(verifyRequest(publicKey, { ...PARTS, timestamp: '2020-12-17T10:55:01+07:00', rawBody: MINIFIED, signature })).toBe(false);
  });
});

describe('headers', () => {
  test('X-TIMESTAMP is Jakarta time with +07:00', () => {
    expect(jakartaTimestamp(new Date('2020-12-17T03:55:00.123Z'))).toBe('2020-12-17T10:55:00+07:00');
    // 18:30 UTC is already the next day in Jakarta.
    expect(jakartaTimestamp(new Date('2024-02-29T18:30:00Z'))).toBe('2024-03-01T01:30:00+07:00');
    expect(jakartaDay(new Date('2024-02-29T18:30:00Z'))).toBe('2024-03-01');
  });

  test('X-EXTERNAL-IDs are numeric, at most 36 characters, and unique', () => {
    const next = externalIdGenerator(() => new Date('2025-06-12T06:44:50.000Z'));
    const ids = Array.from({ length: 5000 }, next);
    for (const id of ids.slice(0, 20)) {
      expect(id).toMatch(/^\d{1,36}$/);
      expect(id.startsWith('20250612134450000')).toBe(true);
    }
    expect(new Set(ids).size).toBe(ids.length);
  });

  test('every SNAP header, CHANNEL-ID 88001, no Authorization', () => {
    const headers = snapHeaders({ partnerId: '82150', timestamp: PARTS.timestamp, signature: SIGNATURE, externalId: '123' });
    expect(headers).toMatchObject({
      'Content-Type': 'application/json',
      'X-TIMESTAMP': PARTS.timestamp,
      'X-SIGNATURE': SIGNATURE,
      'X-PARTNER-ID': '82150',
      'X-EXTERNAL-ID': '123',
      'CHANNEL-ID': '88001',
    });
    expect(Object.keys(headers).map((h) => h.toLowerCase())).not.toContain('authorization');
    expect(headers).not.toHaveProperty('ORIGIN');
  });
});
