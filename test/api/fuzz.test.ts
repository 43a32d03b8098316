// Hostile input to every route: generated malformed bodies, headers and paths (wrong types, huge
// strings, unicode, prototype-pollution keys, negative and fractional amounts, overlong references).
// The API must never answer 5xx, must answer errors as problem+json, and must start no workflow
// for a body it refused. The generator is seeded, so a failure names a case that can be replayed.
import { call, ewalletPayout, KEYS, startStack, type TestStack } from '../support/stack';

const CASES = Number(process.env.FUZZ_CASES ?? 3000);
const SEED = Number(process.env.FUZZ_SEED ?? 20261122);

let stack: TestStack;
beforeAll(async () => {
  stack = await startStack();
});
afterAll(async () => {
  await stack?.stop();
});

/** mulberry32: a small deterministic PRNG. */
function prng(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const HOSTILE_VALUES: unknown[] = [
  null,
  true,
  0,
  -1,
  1.5,
  -10000,
  1e308,
  Number.MAX_SAFE_INTEGER,
  '',
  ' ',
  '-10000.00',
  '10000.5',
  '10000.001',
  '1e4',
  '0x10',
  'NaN',
  'Infinity',
  '٣٣٣٣.٠٠',
  '１０００.00',
  '10000.00\u0000',
  '<script>alert(1)</script>',
  "'; DROP TABLE payouts; --",
  '../../etc/passwd',
  '𝔘𝔫𝔦𝔠𝔬𝔡𝔢 ✓ 🚀',
  '\u202e\u0000\uffff',
  'x'.repeat(70),
  'A'.repeat(100_000),
  [],
  [1, 2, 3],
  {},
  { value: '10000.00' },
  { __proto__: { admin: true } },
  JSON.parse('{"__proto__":{"polluted":true}}'),
  { constructor: { prototype: { polluted: true } } },
];

const FIELDS = ['reference', 'destination', 'amount', 'description', 'provider', 'beneficiaryEmail', 'approvalTimeout', 'scheduledAt'];
const NESTED = ['type', 'ewallet', 'customerNumber', 'bankCode', 'accountNumber', 'value', 'currency'];

function mutate(rand: () => number, body: Record<string, unknown>): unknown {
  const pick = <T>(list: readonly T[]): T => list[Math.floor(rand() * list.length)]!;
  const copy = JSON.parse(JSON.stringify(body)) as Record<string, unknown>;
  const mutations = 1 + Math.floor(rand() * 3);
  for (let i = 0; i < mutations; i += 1) {
    const kind = rand();
    if (kind < 0.3) copy[pick(FIELDS)] = pick(HOSTILE_VALUES);
    else if (kind < 0.45) delete copy[pick(FIELDS)];
    else if (kind < 0.65) {
      const parent = pick(['destination', 'amount']);
      const inner = (copy[parent] && typeof copy[parent] === 'object' ? copy[parent] : {}) as Record<string, unknown>;
      inner[pick(NESTED)] = pick(HOSTILE_VALUES);
      copy[parent] = inner;
    } else if (kind < 0.75) copy[pick(['__proto__', 'constructor', 'prototype', 'admin', 'status', 'requestedBy'])] = pick(HOSTILE_VALUES);
    else if (kind < 0.85) return pick(HOSTILE_VALUES);
    else if (kind < 0.95) copy.reference = `fuzz-${'r'.repeat(Math.floor(rand() * 80))}`;
    else {
      let deep: unknown = '10000.00';
      for (let d = 0; d < 200; d += 1) deep = { value: deep };
      copy.amount = deep;
    }
  }
  return copy;
}

function randomPath(rand: () => number): string {
  const ids = ['%00', '..%2F..%2Fetc', 'a'.repeat(300), '%F0%9F%9A%80', '__proto__', 'constructor', '%E2%80%AE', 'ok-id', '%', ''];
  const id = ids[Math.floor(rand() * ids.length)]!;
  const action = ['', '/approve', '/reject', '/cancel', '/unknown'][Math.floor(rand() * 5)]!;
  return `/v1/payouts/${id}${action}`;
}

describe(`fuzzing every route (${CASES} generated cases, seed ${SEED})`, () => {
  test('never a 5xx, errors always problem+json, no workflow for a refused body, no prototype pollution', async () => {
    const rand = prng(SEED);
    const failures: string[] = [];
    const runTag = `fuzz${Date.now().toString(36)}`;
    const createdIds: string[] = [];
    let refused = 0;
    const keys = [KEYS.requester, KEYS.approver, KEYS.admin, null, 'Bearer', 'x'.repeat(5000), '\u0000'];

    for (let n = 0; n < CASES; n += 1) {
      const choice = rand();
      let method = 'POST';
      let path = '/v1/payouts';
      let body: unknown;
      let rawBody: string | undefined;
      const headers: Record<string, string> = {};
      if (choice < 0.6) {
        body = mutate(rand, ewalletPayout(`${runTag}-${n}`, '081200000000'));
      } else if (choice < 0.7) {
        rawBody = ['{', '{"a":', 'null', '[]', '"x"', '{"reference": "a",}', '\u0000', '{'.repeat(10_000)][Math.floor(rand() * 8)];
        headers['content-type'] = rand() < 0.8 ? 'application/json' : 'text/plain';
      } else if (choice < 0.85) {
        path = randomPath(rand);
        body = mutate(rand, { comment: 'ok', reason: 'no' });
      } else {
        method = 'GET';
        const q = ['limit=-1', 'limit=1e3', 'status=__proto__', 'cursor=%00', 'provider=&provider=x', 'limit=abc', 'a[b]=c', `cursor=${'A'.repeat(5000)}`];
        path = rand() < 0.5 ? `/v1/payouts?${q[Math.floor(rand() * q.length)]}` : randomPath(rand).replace(/\/(approve|reject|cancel|unknown)$/, '');
      }
      const key = keys[Math.floor(rand() * keys.length)] ?? null;
      const safeKey = key && /^[\x21-\x7e ]*$/.test(key) ? key : null; // fetch refuses some header bytes itself
      let res;
      try {
        res = await call(stack, method, path, { key: safeKey, body, rawBody, headers });
      } catch (err) {
        failures.push(`#${n} ${method} ${path}: transport error ${(err as Error).message}`);
        continue;
      }
      if (res.status >= 500) failures.push(`#${n} ${method} ${path}: ${res.status} ${JSON.stringify(res.body).slice(0, 200)}`);
      if (res.status >= 400 && !res.contentType.includes('application/problem+json')) failures.push(`#${n} ${method} ${path}: ${res.status} not problem+json`);
      if (JSON.stringify(res.body ?? '').includes('    at ')) failures.push(`#${n}: a stack trace in the answer`);
      if (method === 'POST' && path === '/v1/payouts') {
        if (res.status === 201) createdIds.push((res.body as { id: string }).id);
        else refused += 1;
      }
    }

    expect(failures.slice(0, 20)).toEqual([]);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(({} as Record<string, unknown>).admin).toBeUndefined();

    // Only the bodies the API accepted (201) started workflows: every case's reference starts with
    // runTag unless the mutation replaced it, so the tagged workflows are exactly the tagged 201s.
    const workflows: string[] = [];
    for await (const wf of stack.client.workflow.list({ query: `WorkflowId STARTS_WITH "payout-${runTag}"` })) workflows.push(wf.workflowId);
    expect(workflows.sort()).toEqual(createdIds.filter((id) => id.startsWith(runTag)).map((id) => `payout-${id}`).sort());
    expect(refused).toBeGreaterThan(CASES / 3);
    console.log(`fuzz: ${CASES} cases, ${refused} create bodies refused, ${createdIds.length} accepted (valid by chance), 0 failures`);
  }, 600_000);
});
