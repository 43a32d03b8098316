// Singapay's signatures: the two public vectors (docs/providers/singapay.md), canonical JSON edge cases, the
// Jakarta date, and the verify helpers the simulator and our callback endpoint use.
import { createHash, createHmac } from 'node:crypto';
import { canonicalJson } from '../../src/providers/singapay/canonical-json';
import {
  bodyHash,
  jakartaDate,
  jakartaTimestamp,
  requestSignature,
  signatureMatches,
  signBody,
  tokenSignature,
  verifyRequestSignature,
  verifySingapayCallback,
  xTimestamp,
} from '../../src/providers/singapay/signature';

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

describe('the public vectors (docs/providers/singapay.md)', () => {
  test('{}: sha256 of the canonical body and X-Signature', () => {
    expect(canonicalJson({})).toBe('{}');
    expect(bodyHash(canonicalJson({}))).toBe('44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a');
    expect(sign({})).toBe(
      '7d92cbed487499b89472b99274570e7c5fe76f54d7502b5d8a9c687029f65abdbf66534820d58197252410e12b78fcff828775b757ec01ec8d53ed2bbaa59c14',
    );
  });

  test('{"b":2,"a":1,"c":3}: sorted, hashed and signed', () => {
    const body = { b: 2, a: 1, c: 3 };
    expect(canonicalJson(body)).toBe('{"a":1,"b":2,"c":3}');
    expect(bodyHash(canonicalJson(body))).toBe('e6a3385fb77c287a712e7f406a451727f0625041823ecf23bea7ef39b2e39805');
    expect(sign(body)).toBe(
      'abc4722c2e5bbb7b6b039f00e2afe50f257385789c33eade0484d2e0a90c35347137e20a53486715f5476fcbd1ecfd2d29d926a5d06036ba93e13a380cbb9aaa',
    );
  });

  test('signBody returns the very bytes it signed', () => {
    const signed = signBody(VECTOR.secret, { method: 'post', pathWithQuery: VECTOR.path, accessToken: VECTOR.token, timestamp: VECTOR.timestamp, body: { b: 2, a: 1, c: 3 } });
    expect(signed.canonicalBody).toBe('{"a":1,"b":2,"c":3}');
    expect(signed.signature).toBe(sign({ a: 1, b: 2, c: 3 })); // the method is upper-cased
  });
});

describe('canonical JSON', () => {
  test('nested objects are sorted at every level; arrays keep their order', () => {
    expect(canonicalJson({ z: { y: 1, b: [3, { d: 1, c: 2 }, 1] }, a: null })).toBe('{"a":null,"z":{"b":[3,{"c":2,"d":1},1],"y":1}}');
  });

  test('arrays of objects: each object sorted, the array order kept', () => {
    expect(canonicalJson({ items: [{ b: 1, a: 2 }, { d: [{ f: 1, e: 2 }], c: true }] })).toBe('{"items":[{"a":2,"b":1},{"c":true,"d":[{"e":2,"f":1}]}]}');
  });

  test('a realistic trigger body, with the amount object sorted too', () => {
    const body = {
      reference_number: 'REF-001',
      account_id: '01K5G4FZZ18DMK0M5QTR8Y9QY9',
      notes: 'Top up DANA',
      amount: { value: '10000.00', currency: 'IDR' },
      ewallet_code: 'DANA',
      customer_number: '085733347341',
    };
    expect(canonicalJson(body)).toBe(
      '{"account_id":"01K5G4FZZ18DMK0M5QTR8Y9QY9","amount":{"currency":"IDR","value":"10000.00"},"customer_number":"085733347341","ewallet_code":"DANA","notes":"Top up DANA","reference_number":"REF-001"}',
    );
  });

  test('integer-like keys sort as strings ("10" < "2" < "a"), not first as JSON.stringify puts them', () => {
    const body = { a: 1, 10: 'x', 2: 'y' };
    expect(JSON.stringify(body)).toBe('{"2":"y","10":"x","a":1}'); // the trap
    expect(canonicalJson(body)).toBe('{"10":"x","2":"y","a":1}');
    expect(canonicalJson({ outer: { 2: 'b', 10: 'a', '01': 'c' } })).toBe('{"outer":{"01":"c","10":"a","2":"b"}}');
  });

  test('unicode is not escaped, and signed as its UTF-8 bytes', () => {
    const c = canonicalJson({ name: 'Dhany ✓', city: 'Jakarta 日本', cafe: 'café' });
    expect(c).toBe('{"cafe":"café","city":"Jakarta 日本","name":"Dhany ✓"}');
    expect(bodyHash(c)).toBe(createHash('sha256').update(Buffer.from(c, 'utf8')).digest('hex'));
  });

  test('slashes are not escaped', () => {
    expect(canonicalJson({ notes: 'Top up / Nov', url: 'https://x.example/y' })).toBe('{"notes":"Top up / Nov","url":"https://x.example/y"}');
  });

  test('quotes, backslashes and control characters are escaped as JSON requires; no whitespace is added', () => {
    expect(canonicalJson({ s: 'a"b\\c\nd' })).toBe('{"s":"a\\"b\\\\c\\nd"}');
    expect(canonicalJson({ a: [1, 2], b: { c: 1 } })).not.toMatch(/\s/);
  });

  test('keys sort by UTF-8 bytes (code points), not UTF-16 units', () => {
    // U+FF5E (EF BD 9E) sorts before U+1F600 (F0 9F 98 80) by bytes, after it by UTF-16 units.
    expect(canonicalJson({ '😀': 1, '～': 2 })).toBe('{"～":2,"😀":1}');
  });

  test('undefined members are absent, as in JSON.stringify; values JSON cannot carry are refused', () => {
    expect(canonicalJson({ a: undefined, b: 1 })).toBe('{"b":1}');
    expect(() => canonicalJson({ a: Number.NaN })).toThrow(TypeError);
    expect(() => canonicalJson({ a: 1n })).toThrow(TypeError);
  });
});

describe('dates, timestamps and the token signature', () => {
  test('the token date is Jakarta’s (UTC+7): 2026-11-21T18:30:00Z is 20261122', () => {
    expect(jakartaDate(new Date('2026-11-21T18:30:00Z'))).toBe('20261122');
    expect(jakartaDate(new Date('2026-11-21T16:59:59Z'))).toBe('20261121');
    expect(jakartaDate(new Date('2026-11-21T17:00:00Z'))).toBe('20261122');
  });

  test('X-Timestamp: ISO-8601 with +07:00 by default, Unix seconds on request', () => {
    const at = new Date('2026-11-21T18:30:00.999Z');
    expect(jakartaTimestamp(at)).toBe('2026-11-22T01:30:00+07:00');
    expect(xTimestamp(at)).toBe('2026-11-22T01:30:00+07:00');
    expect(xTimestamp(at, 'unix')).toBe(String(Math.floor(at.getTime() / 1000)));
    expect(Date.parse(xTimestamp(at))).toBe(Date.parse('2026-11-21T18:30:00Z'));
  });

  test('token signature = lowercase hex HMAC-SHA512(secret, clientId_clientSecret_YYYYMMDD)', () => {
    const at = new Date('2026-11-21T18:30:00Z');
    const expected = createHmac('sha512', 'secret').update('client_secret_20261122').digest('hex');
    expect(tokenSignature('client', 'secret', at)).toBe(expected);
    expect(expected).toMatch(/^[0-9a-f]{128}$/);
    // The UTC date (20261121) would be wrong at this instant.
    expect(tokenSignature('client', 'secret', at)).not.toBe(createHmac('sha512', 'secret').update('client_secret_20261121').digest('hex'));
  });
});

describe('verification', () => {
  const r = { method: 'POST', pathWithQuery: VECTOR.path, accessToken: VECTOR.token, timestamp: VECTOR.timestamp };

  test('accepts the canonical bytes and a re-serialisation of the same body; refuses any change', () => {
    const signature = sign({ a: 1, b: 2 });
    expect(verifyRequestSignature(VECTOR.secret, { ...r, rawBody: '{"a":1,"b":2}', signature })).toBe(true);
    expect(verifyRequestSignature(VECTOR.secret, { ...r, rawBody: '{"b":2, "a":1}', signature })).toBe(true);
    expect(verifyRequestSignature(VECTOR.secret, { ...r, rawBody: '{"a":1,"b":3}', signature })).toBe(false);
    expect(verifyRequestSignature(VECTOR.secret, { ...r, timestamp: '1755657601', rawBody: '{"a":1,"b":2}', signature })).toBe(false);
    expect(verifyRequestSignature(VECTOR.secret, { ...r, pathWithQuery: `${VECTOR.path}?x=1`, rawBody: '{"a":1,"b":2}', signature })).toBe(false);
    expect(verifyRequestSignature('other-secret', { ...r, rawBody: '{"a":1,"b":2}', signature })).toBe(false);
    expect(verifyRequestSignature(VECTOR.secret, { ...r, rawBody: '{"a":1,"b":2}', signature: undefined })).toBe(false);
  });

  test('signatureMatches refuses other lengths, including one extra hex digit Buffer.from would drop', () => {
    const good = sign({});
    expect(signatureMatches(good, good)).toBe(true);
    expect(signatureMatches(good, good.toUpperCase())).toBe(true);
    expect(signatureMatches(good, `${good}0`)).toBe(false);
    expect(signatureMatches(good, good.slice(0, -2))).toBe(false);
    expect(signatureMatches(good, `${good.slice(0, -1)}g`)).toBe(false);
    expect(signatureMatches(good, '')).toBe(false);
  });

  test('verifySingapayCallback reads the bearer token, timestamp and signature from the headers', () => {
    const body = canonicalJson({ response_code: 'SP000', event: 'ewallet-topup', data: { reference_number: 'R-1', transaction_status: { code: '00', desc: 'Success' } } });
    const token = 'random-callback-token';
    const timestamp = '1763836200';
    const path = '/v1/callbacks/singapay';
    const signature = requestSignature('secret', { method: 'POST', pathWithQuery: path, accessToken: token, canonicalBody: body, timestamp });
    const headers = { authorization: `Bearer ${token}`, 'x-timestamp': timestamp, 'x-signature': signature };
    expect(verifySingapayCallback('secret', { pathWithQuery: path, headers, rawBody: body })).toBe(true);
    expect(verifySingapayCallback('secret', { pathWithQuery: '/other', headers, rawBody: body })).toBe(false);
    expect(verifySingapayCallback('secret', { pathWithQuery: path, headers: { ...headers, authorization: 'Bearer other' }, rawBody: body })).toBe(false);
    expect(verifySingapayCallback('secret', { pathWithQuery: path, headers: { ...headers, authorization: undefined }, rawBody: body })).toBe(false);
    expect(verifySingapayCallback('secret', { pathWithQuery: path, headers, rawBody: body.replace('"00"', '"06"') })).toBe(false);
  });
});
