// Singapay's signatures: the two public vectors of providers.md, and canonical JSON edge cases.
import { createHash } from 'node:crypto';
import { canonicalJson } from '../../src/providers/singapay/canonical-json';
import { bodyHash, jakartaDate, jakartaTimestamp, requestSignature, tokenSignature, verifyRequestSignature } from '../../src/providers/singapay/signature';

const VECTOR = {
  secret: 'singapay-test-secret',
  token: 'eyJ0ZXN0IjoidG9rZW4ifQ.test-access-token',
  method: 'POST',
  path: '/api/v2.0/disbursement/transfer',
  timestamp: '1755657600',
};
const sign = (body: unknown) =>
  requestSignature(VECTOR.secret, {
    method: VECTOR.method,
    pathWithQuery: VECTOR.path,
    accessToken: VECTOR.token,
    canonicalBody: canonicalJson(body),
    timestamp: VECTOR.timestamp,
  });

describe('Singapay public signature vectors', () => {
  test('empty body', () => {
    expect(bodyHash(canonicalJson({}))).toBe('44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a');
    expect(sign({})).toBe(
      '7d92cbed487499b89472b99274570e7c5fe76f54d7502b5d8a9c687029f65abdbf66534820d58197252410e12b78fcff828775b757ec01ec8d53ed2bbaa59c14',
    );
  });

  test('keys b, a, c', () => {
    expect(canonicalJson({ b: 2, a: 1, c: 3 })).toBe('{"a":1,"b":2,"c":3}');
    expect(bodyHash(canonicalJson({ b: 2, a: 1, c: 3 }))).toBe('e6a3385fb77c287a712e7f406a451727f0625041823ecf23bea7ef39b2e39805');
    expect(sign({ b: 2, a: 1, c: 3 })).toBe(
      'abc4722c2e5bbb7b6b039f00e2afe50f257385789c33eade0484d2e0a90c35347137e20a53486715f5476fcbd1ecfd2d29d926a5d06036ba93e13a380cbb9aaa',
    );
  });
});

describe('canonical JSON', () => {
  test('sorts nested objects recursively and keeps array order', () => {
    expect(canonicalJson({ z: { y: 1, b: [3, { d: 1, c: 2 }, 1] }, a: null })).toBe('{"a":null,"z":{"b":[3,{"c":2,"d":1},1],"y":1}}');
  });

  test('integer-like keys sort as strings, not first as JSON.stringify puts them', () => {
    const body = { a: 1, 10: 'x', 2: 'y' };
    expect(JSON.stringify(body)).toBe('{"2":"y","10":"x","a":1}');
    expect(canonicalJson(body)).toBe('{"10":"x","2":"y","a":1}');
  });

  test('unicode and slashes are not escaped', () => {
    expect(canonicalJson({ notes: 'Top up / café ✓ 日本' })).toBe('{"notes":"Top up / café ✓ 日本"}');
    expect(canonicalJson({ url: 'https://x/y' })).toBe('{"url":"https://x/y"}');
  });

  test('keys sort by UTF-8 bytes (code points), not UTF-16 units', () => {
    // U+FF5E (３ bytes, EF BD 9E) sorts before U+1F600 (4 bytes, F0 …) by bytes, but after it in UTF-16.
    expect(canonicalJson({ '😀': 1, '～': 2 })).toBe('{"～":2,"😀":1}');
  });

  test('a signature over unicode is over its UTF-8 bytes', () => {
    const c = canonicalJson({ name: 'Dhany ✓' });
    expect(bodyHash(c)).toBe(createHash('sha256').update(Buffer.from(c, 'utf8')).digest('hex'));
  });
});

describe('dates and verification', () => {
  test('the token date is Jakarta’s (UTC+7): 18:30 UTC is already the next day', () => {
    expect(jakartaDate(new Date('2026-11-21T18:30:00Z'))).toBe('20261122');
    expect(jakartaDate(new Date('2026-11-21T16:59:59Z'))).toBe('20261121');
    expect(jakartaTimestamp(new Date('2026-11-21T18:30:00Z'))).toBe('2026-11-22T01:30:00+07:00');
  });

  test('token signature is HMAC-SHA512 over clientId_clientSecret_date', () => {
    const sig = tokenSignature('client', 'secret', new Date('2026-11-22T00:00:00Z'));
    expect(sig).toMatch(/^[0-9a-f]{128}$/);
    expect(sig).not.toBe(tokenSignature('client', 'secret', new Date('2026-11-22T17:00:00Z'))); // next Jakarta day
  });

  test('verification accepts the raw or canonical body and refuses any change', () => {
    const body = '{"b":2, "a":1}';
    const signature = sign({ a: 1, b: 2 });
    const r = { method: 'POST', pathWithQuery: VECTOR.path, accessToken: VECTOR.token, timestamp: VECTOR.timestamp };
    expect(verifyRequestSignature(VECTOR.secret, { ...r, rawBody: body, signature })).toBe(true);
    expect(verifyRequestSignature(VECTOR.secret, { ...r, rawBody: '{"a":1,"b":3}', signature })).toBe(false);
    expect(verifyRequestSignature(VECTOR.secret, { ...r, timestamp: '1755657601', rawBody: body, signature })).toBe(false);
    expect(verifyRequestSignature('other-secret', { ...r, rawBody: body, signature })).toBe(false);
    expect(verifyRequestSignature(VECTOR.secret, { ...r, rawBody: body, signature: undefined })).toBe(false);
  });
});
