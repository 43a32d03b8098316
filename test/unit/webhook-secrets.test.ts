import { randomBytes } from 'node:crypto';
import { Webhook } from 'standardwebhooks';
import { deriveEndpointSecret, parseMasterKey } from '../../src/webhooks/secrets';
import { signWebhook, verifyWebhook } from '../../src/webhooks/signature';

describe('webhook endpoint secrets', () => {
  const masterKey = Buffer.alloc(32, 7);

  test('the same master key, endpoint and version always give the same secret', () => {
    const secret = deriveEndpointSecret(masterKey, 'we_01', 1);
    expect(deriveEndpointSecret(Buffer.from(masterKey), 'we_01', 1)).toBe(secret);
    // Pinned, so that a change to the derivation (which would silently rotate every merchant's secret) fails here.
    expect(secret).toBe('whsec_LDBDzkFCAPcfR/r4vCzogffhgpdZxOM3gBibxOdoH6Q=');
  });

  test('a different endpoint, version or master key gives a different secret', () => {
    const secrets = [
      deriveEndpointSecret(masterKey, 'we_01', 1),
      deriveEndpointSecret(masterKey, 'we_02', 1),
      deriveEndpointSecret(masterKey, 'we_01', 2),
      deriveEndpointSecret(masterKey, 'we_01', 0),
      deriveEndpointSecret(Buffer.alloc(32, 8), 'we_01', 1),
      // "{id}:{version}" does not confuse an id ending in a colon and digits with a version.
      deriveEndpointSecret(masterKey, 'we_0', 11),
      deriveEndpointSecret(masterKey, 'we_01:1', 1),
    ];
    expect(new Set(secrets).size).toBe(secrets.length);
  });

  test('a secret is whsec_ and the base64 of 32 key bytes, and the reference library accepts it', () => {
    const secret = deriveEndpointSecret(randomBytes(32), 'we_01', 3);
    expect(secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    expect(Buffer.from(secret.slice('whsec_'.length), 'base64')).toHaveLength(32);
    const at = new Date();
    const headers = signWebhook({ id: 'msg_1', timestamp: at, body: '{"ok":true}', secrets: [secret] });
    expect(new Webhook(secret).verify('{"ok":true}', headers)).toEqual({ ok: true });
    expect(verifyWebhook(secret, headers, '{"ok":true}', at).ok).toBe(true);
  });

  test('deriving needs a long enough master key, an endpoint id and a whole version', () => {
    expect(() => deriveEndpointSecret(Buffer.alloc(16), 'we_01', 1)).toThrow(/at least 32 bytes/);
    expect(() => deriveEndpointSecret(masterKey, '', 1)).toThrow(/endpoint id/);
    for (const version of [-1, 1.5, NaN, Infinity]) expect(() => deriveEndpointSecret(masterKey, 'we_01', version)).toThrow(/non-negative integer/);
  });

  test('WEBHOOK_SECRET_KEY: base64 of at least 32 bytes, surrounding whitespace ignored', () => {
    const bytes = randomBytes(48);
    expect(parseMasterKey(bytes.toString('base64'))).toEqual(bytes);
    expect(parseMasterKey(`  ${bytes.toString('base64')}\n`)).toEqual(bytes);
    expect(parseMasterKey(Buffer.alloc(32, 1).toString('base64'))).toHaveLength(32);
  });

  test('a bad WEBHOOK_SECRET_KEY is refused, naming the variable and the problem, never the value', () => {
    const cases: Array<[string, RegExp]> = [
      ['', /WEBHOOK_SECRET_KEY is empty/],
      ['   \n', /WEBHOOK_SECRET_KEY is empty/],
      [Buffer.alloc(31, 1).toString('base64'), /WEBHOOK_SECRET_KEY decodes to 31 bytes; at least 32/],
      [Buffer.from('short-but-secret').toString('base64'), /decodes to 16 bytes/],
      ['this is my secret passphrase, not base64 at all', /WEBHOOK_SECRET_KEY is not standard, padded base64/],
      [randomBytes(32).toString('base64url'), /not standard, padded base64/],
      [randomBytes(32).toString('base64').replace(/=+$/, ''), /not standard, padded base64/],
    ];
    for (const [value, problem] of cases) {
      let message: string | undefined;
      try {
        parseMasterKey(value);
      } catch (error) {
        message = (error as Error).message;
      }
      expect(message).toMatch(problem);
      expect(message).toMatch(/openssl rand -base64 32/);
      if (value.trim() !== '') expect(message).not.toContain(value.trim());
    }
  });
});
