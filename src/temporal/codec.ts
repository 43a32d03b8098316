// AES-256-GCM payload codec: what the API and the worker send to Temporal (workflow inputs, results,
// activity arguments, query answers, memos) is encrypted, so names, phone and account numbers are not
// readable by whoever reads Temporal's database. Each payload names the key that encrypted it, so
// keys can rotate: encode with the first key, decode with whichever one a payload names.
// Search attributes are never encoded by Temporal, which is why they hold no personal data.
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import type { Payload, PayloadCodec } from '@temporalio/common';
import { temporal } from '@temporalio/proto';

export const ENCRYPTED_ENCODING = 'binary/encrypted';
export const KEY_ID_METADATA = 'encryption-key-id';
const IV_BYTES = 12;
const TAG_BYTES = 16;

export interface CodecKey {
  id: string;
  key: Buffer;
}

/** Parses `PAYLOAD_CODEC_KEYS`: `id:base64key[,id:base64key…]`, the first one encrypts. */
export function parseCodecKeys(text: string): CodecKey[] {
  const keys = text
    .split(',')
    .map((part) => part.trim())
    .filter(Boolean)
    .map((part) => {
      const [id, encoded] = part.split(':');
      if (!id || !encoded || !/^[A-Za-z0-9._-]{1,64}$/.test(id)) throw new Error('each key must be "id:base64key" with a simple id');
      const key = Buffer.from(encoded, 'base64');
      if (key.length !== 32) throw new Error(`key ${id} must be 32 bytes (base64 of 32 random bytes), not ${key.length}`);
      return { id, key };
    });
  if (keys.length === 0) throw new Error('no key given');
  if (new Set(keys.map((k) => k.id)).size !== keys.length) throw new Error('key ids must be unique');
  return keys;
}

const utf8 = (text: string) => new TextEncoder().encode(text);

export class AesGcmPayloadCodec implements PayloadCodec {
  private readonly byId: Map<string, Buffer>;

  constructor(private readonly keys: CodecKey[]) {
    if (keys.length === 0) throw new Error('the payload codec needs at least one key');
    this.byId = new Map(keys.map((k) => [k.id, k.key]));
  }

  async encode(payloads: Payload[]): Promise<Payload[]> {
    const { id, key } = this.keys[0]!;
    return payloads.map((payload) => {
      const plain = temporal.api.common.v1.Payload.encode(payload).finish();
      const iv = randomBytes(IV_BYTES);
      const cipher = createCipheriv('aes-256-gcm', key, iv);
      // The key id is authenticated too: a payload cannot be moved under another key's name.
      cipher.setAAD(Buffer.from(id));
      const data = Buffer.concat([iv, cipher.update(plain), cipher.final(), cipher.getAuthTag()]);
      return { metadata: { encoding: utf8(ENCRYPTED_ENCODING), [KEY_ID_METADATA]: utf8(id) }, data };
    });
  }

  async decode(payloads: Payload[]): Promise<Payload[]> {
    return payloads.map((payload) => {
      const encoding = payload.metadata?.encoding ? Buffer.from(payload.metadata.encoding).toString() : undefined;
      if (encoding !== ENCRYPTED_ENCODING) return payload; // written before encryption was on
      const id = Buffer.from(payload.metadata?.[KEY_ID_METADATA] ?? []).toString();
      const key = this.byId.get(id);
      if (!key) throw new Error(`payload encrypted with key "${id}", which is not configured (PAYLOAD_CODEC_KEYS)`);
      const data = Buffer.from(payload.data ?? []);
      const iv = data.subarray(0, IV_BYTES);
      const tag = data.subarray(data.length - TAG_BYTES);
      const decipher = createDecipheriv('aes-256-gcm', key, iv);
      decipher.setAAD(Buffer.from(id));
      decipher.setAuthTag(tag);
      const plain = Buffer.concat([decipher.update(data.subarray(IV_BYTES, data.length - TAG_BYTES)), decipher.final()]);
      return temporal.api.common.v1.Payload.decode(plain);
    });
  }
}

/** The data converter every Temporal client and worker of this project uses. */
export function dataConverterFor(keys: CodecKey[] | undefined) {
  return keys && keys.length > 0 ? { payloadCodecs: [new AesGcmPayloadCodec(keys)] } : undefined;
}
