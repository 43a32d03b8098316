import { randomBytes } from 'node:crypto';
import { defaultPayloadConverter } from '@temporalio/common';
import { AesGcmPayloadCodec, parseCodecKeys } from '../../src/temporal/codec';

const key = (id: string) => ({ id, key: randomBytes(32) });

describe('AES-256-GCM payload codec', () => {
  const payload = defaultPayloadConverter.toPayload({ customerNumber: '085733347341', accountName: 'Dhany' });

  test('round trip; the encrypted bytes do not contain the plain text', async () => {
    const codec = new AesGcmPayloadCodec([key('k1')]);
    const [encrypted] = await codec.encode([payload]);
    expect(Buffer.from(encrypted!.data!).toString('latin1')).not.toContain('085733347341');
    expect(Buffer.from(encrypted!.metadata!['encryption-key-id']!).toString()).toBe('k1');
    const [decrypted] = await codec.decode([encrypted!]);
    expect(defaultPayloadConverter.fromPayload(decrypted!)).toEqual({ customerNumber: '085733347341', accountName: 'Dhany' });
  });

  test('rotation: a new first key encrypts; payloads under the old key still decrypt', async () => {
    const old = key('2026-01');
    const fresh = key('2026-11');
    const [before] = await new AesGcmPayloadCodec([old]).encode([payload]);
    const rotated = new AesGcmPayloadCodec([fresh, old]);
    const [after] = await rotated.encode([payload]);
    expect(Buffer.from(after!.metadata!['encryption-key-id']!).toString()).toBe('2026-11');
    expect(defaultPayloadConverter.fromPayload((await rotated.decode([before!]))[0]!)).toMatchObject({ accountName: 'Dhany' });
  });

  test('an unknown key id or tampered bytes fail loudly', async () => {
    const [encrypted] = await new AesGcmPayloadCodec([key('a')]).encode([payload]);
    await expect(new AesGcmPayloadCodec([key('b')]).decode([encrypted!])).rejects.toThrow(/key "a"/);
    const same = key('a');
    const [mine] = await new AesGcmPayloadCodec([same]).encode([payload]);
    const tampered = Buffer.from(mine!.data!);
    tampered[20] = tampered[20]! ^ 0xff;
    await expect(new AesGcmPayloadCodec([same]).decode([{ ...mine!, data: tampered }])).rejects.toThrow();
  });

  test('unencrypted payloads (written before encryption was on) pass through', async () => {
    const [out] = await new AesGcmPayloadCodec([key('k')]).decode([payload]);
    expect(out).toBe(payload);
  });

  test('PAYLOAD_CODEC_KEYS parsing names the problem without echoing key material', () => {
    const good = `k1:${randomBytes(32).toString('base64')},k0:${randomBytes(32).toString('base64')}`;
    expect(parseCodecKeys(good).map((k) => k.id)).toEqual(['k1', 'k0']);
    expect(() => parseCodecKeys('k1:c2hvcnQ=')).toThrow(/32 bytes/);
    expect(() => parseCodecKeys('')).toThrow(/no key/);
    expect(() => parseCodecKeys(`k:${randomBytes(32).toString('base64')},k:${randomBytes(32).toString('base64')}`)).toThrow(/unique/);
  });
});
