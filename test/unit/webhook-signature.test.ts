import { randomBytes } from 'node:crypto';
import { Webhook } from 'standardwebhooks';
import { signWebhook, verifyWebhook } from '../../src/webhooks/signature';

const newSecret = () => `whsec_${randomBytes(32).toString('base64')}`;
const body = JSON.stringify({ type: 'payout.succeeded', data: { reference: 'DEMO-1', amount: { value: '10000.00', currency: 'IDR' } } });

describe('webhook signatures (Standard Webhooks)', () => {
  // The reference library checks timestamps against the real clock, so these messages are signed now.
  const now = () => new Date();

  test('the specification’s published example signs to its published signature, and verifies', () => {
    // The values from the sign test of the reference JavaScript library (standard-webhooks/standard-webhooks).
    const secret = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
    const message = { id: 'msg_p5jXN8AQM9LWM0D4loKWxJek', timestamp: new Date(1614265330_000), body: '{"test": 2432232314}' };
    const headers = signWebhook({ ...message, secrets: [secret] });
    expect(headers).toEqual({
      'webhook-id': 'msg_p5jXN8AQM9LWM0D4loKWxJek',
      'webhook-timestamp': '1614265330',
      'webhook-signature': 'v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=',
    });
    expect(verifyWebhook(secret, headers, message.body, message.timestamp)).toEqual({ ok: true, id: message.id, timestamp: message.timestamp });
  });

  test('what we sign, the reference library verifies', () => {
    const secret = newSecret();
    const headers = signWebhook({ id: 'msg_1', timestamp: now(), body, secrets: [secret] });
    expect(new Webhook(secret).verify(body, headers)).toEqual(JSON.parse(body));
  });

  test('what the reference library signs, we verify', () => {
    const secret = newSecret();
    const at = now();
    const headers = {
      'webhook-id': 'msg_2',
      'webhook-timestamp': String(Math.floor(at.getTime() / 1000)),
      'webhook-signature': new Webhook(secret).sign('msg_2', at, body),
    };
    expect(verifyWebhook(secret, headers, body, at)).toMatchObject({ ok: true, id: 'msg_2' });
    // Header names are case-insensitive in HTTP.
    const shouted = Object.fromEntries(Object.entries(headers).map(([name, value]) => [name.toUpperCase(), value]));
    expect(verifyWebhook(secret, shouted, body, at).ok).toBe(true);
  });

  test('two secrets (a rotation) give two signatures, and either secret verifies', () => {
    const [previous, next] = [newSecret(), newSecret()];
    const at = now();
    const headers = signWebhook({ id: 'msg_3', timestamp: at, body, secrets: [previous, next] });
    expect(headers['webhook-signature'].split(' ')).toHaveLength(2);
    expect(headers['webhook-signature']).toMatch(/^v1,\S{44} v1,\S{44}$/);
    for (const secret of [previous, next]) {
      expect(verifyWebhook(secret, headers, body, at).ok).toBe(true);
      expect(() => new Webhook(secret).verify(body, headers)).not.toThrow();
    }
    expect(verifyWebhook(newSecret(), headers, body, at).ok).toBe(false);
  });

  test('signatures of another version are skipped, not an error', () => {
    const secret = newSecret();
    const at = now();
    const headers = signWebhook({ id: 'msg_4', timestamp: at, body, secrets: [secret] });
    const [, mac] = headers['webhook-signature'].split(',');
    const mixed = { ...headers, 'webhook-signature': `v1a,${mac} v2,${mac} ${headers['webhook-signature']}` };
    expect(verifyWebhook(secret, mixed, body, at).ok).toBe(true);
    expect(verifyWebhook(secret, { ...headers, 'webhook-signature': `v2,${mac}` }, body, at).ok).toBe(false);
  });

  test('a changed byte of the body, the id or the timestamp is refused, by us and by the reference library', () => {
    const secret = newSecret();
    const at = now();
    const headers = signWebhook({ id: 'msg_5', timestamp: at, body, secrets: [secret] });
    const tampered = body.replace('10000.00', '90000.00');
    expect(verifyWebhook(secret, headers, tampered, at)).toEqual({ ok: false, reason: 'no v1 signature matches this secret' });
    expect(() => new Webhook(secret).verify(tampered, headers)).toThrow(/No matching signature/);
    expect(verifyWebhook(secret, { ...headers, 'webhook-id': 'msg_6' }, body, at).ok).toBe(false);
    const oneSecondLater = String(Number(headers['webhook-timestamp']) + 1);
    expect(verifyWebhook(secret, { ...headers, 'webhook-timestamp': oneSecondLater }, body, at).ok).toBe(false);
    // A signature with one character changed, and one cut short.
    const signature = headers['webhook-signature'];
    const flipped = signature.slice(0, 10) + (signature[10] === 'A' ? 'B' : 'A') + signature.slice(11);
    expect(verifyWebhook(secret, { ...headers, 'webhook-signature': flipped }, body, at).ok).toBe(false);
    expect(verifyWebhook(secret, { ...headers, 'webhook-signature': signature.slice(0, 20) }, body, at).ok).toBe(false);
  });

  test('the wrong secret is refused, by us and by the reference library', () => {
    const at = now();
    const headers = signWebhook({ id: 'msg_7', timestamp: at, body, secrets: [newSecret()] });
    const other = newSecret();
    expect(verifyWebhook(other, headers, body, at).ok).toBe(false);
    expect(() => new Webhook(other).verify(body, headers)).toThrow(/No matching signature/);
  });

  test('a timestamp 6 minutes off either way is refused; 5 minutes is accepted', () => {
    const secret = newSecret();
    const at = now();
    const minutes = (n: number) => new Date(at.getTime() + n * 60_000);
    for (const off of [-6, 6]) {
      const headers = signWebhook({ id: 'msg_8', timestamp: minutes(off), body, secrets: [secret] });
      const result = verifyWebhook(secret, headers, body, at);
      expect(result).toEqual({ ok: false, reason: expect.stringMatching(off < 0 ? /360 s old/ : /360 s ahead/) });
      expect(() => new Webhook(secret).verify(body, headers)).toThrow(/timestamp too (old|new)/);
    }
    for (const off of [-5, 5]) {
      const headers = signWebhook({ id: 'msg_9', timestamp: minutes(off), body, secrets: [secret] });
      expect(verifyWebhook(secret, headers, body, at).ok).toBe(true);
    }
    const headers = signWebhook({ id: 'msg_10', timestamp: minutes(-2), body, secrets: [secret] });
    expect(verifyWebhook(secret, headers, body, at, 60).ok).toBe(false);
  });

  test('missing, repeated or malformed headers are refused', () => {
    const secret = newSecret();
    const at = now();
    const headers = signWebhook({ id: 'msg_11', timestamp: at, body, secrets: [secret] });
    for (const name of Object.keys(headers)) {
      const without: Record<string, string> = { ...headers };
      delete without[name];
      expect(verifyWebhook(secret, without, body, at)).toEqual({ ok: false, reason: expect.stringMatching(/must each be present once/) });
    }
    expect(verifyWebhook(secret, { ...headers, 'webhook-id': ['msg_11', 'msg_12'] }, body, at).ok).toBe(false);
    expect(verifyWebhook(secret, { ...headers, 'Webhook-Id': 'msg_12' }, body, at).ok).toBe(false);
    for (const timestamp of ['', 'soon', '1.5e9', '-1', new Date().toISOString()]) {
      expect(verifyWebhook(secret, { ...headers, 'webhook-timestamp': timestamp }, body, at).ok).toBe(false);
    }
  });

  test('malformed secrets and messages are refused when signing, without repeating the secret', () => {
    const at = now();
    const sign = (secrets: string[], id = 'msg_13') => () => signWebhook({ id, timestamp: at, body, secrets });
    expect(sign([])).toThrow(/at least one secret/);
    expect(sign([randomBytes(32).toString('base64')])).toThrow(/must start with "whsec_"/);
    expect(sign(['whsec_not base64!'])).toThrow(/base64/);
    expect(sign([`whsec_${randomBytes(16).toString('base64')}`])).toThrow(/24 to 64 bytes, not 16/);
    expect(sign([newSecret()], 'has space')).toThrow(/webhook id/);
    expect(sign([newSecret()], '')).toThrow(/webhook id/);
    const secret = 'whsec_c2VjcmV0IHRoYXQgbXVzdCBub3QgbGVhaw=';
    expect(sign([secret])).toThrow(expect.objectContaining({ message: expect.not.stringContaining('c2VjcmV0') }));
  });
});
