// Provider callbacks: a verified callback makes the payout check its status at once; the workflow
// trusts only its own status check, so forged, duplicate, late and out-of-order callbacks change
// nothing. With callbacks off, polling alone finishes payouts.
import { createHash, generateKeyPairSync, randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { createApp } from '../../src/api/app';
import { createAuthenticator } from '../../src/api/auth';
import { payoutWorkflowId } from '../../src/api/payouts';
import { createLogger } from '../../src/logging';
import { CALLBACK_FRESHNESS_MS } from '../../src/providers/callback-freshness';
import { signedCallback } from '../../src/providers/faspay/callback';
import { canonicalJson } from '../../src/providers/singapay/canonical-json';
import { requestSignature } from '../../src/providers/singapay/signature';
import { call, ewalletPayout, KEYS, ledger, startStack, TEST_POLICY, uniqueReference, waitForPayout, waitForStatus, type TestStack } from '../support/stack';
import { testCatalog } from '../support/providers';

/** Polls every minute: anything faster than that was the callback's doing. */
let slow: TestStack;
beforeAll(async () => {
  slow = await startStack({ policy: { statusPollInitialMs: 60_000, statusPollMaxMs: 60_000 } });
});
afterAll(async () => {
  await slow?.stop();
});

async function approved(stack: TestStack, customerNumber: string): Promise<string> {
  const reference = uniqueReference('cb');
  await call(stack, 'POST', '/v1/payouts', { body: ewalletPayout(reference, customerNumber) });
  await waitForStatus(stack, reference, 'AWAITING_APPROVAL');
  expect((await call(stack, 'POST', `/v1/payouts/${reference}/approve`, { key: KEYS.approver, body: {} })).status).toBe(200);
  await waitForPayout(stack, reference, (p) => p.transfer?.providerReference !== undefined);
  return reference;
}

/** A callback signed as Singapay signs it (whoever holds the client secret), its time `skewMs` from now. */
function singapayCallback(stack: TestStack, reference: string, code: string, options: { secret?: string; skewMs?: number } = {}) {
  const path = '/v1/callbacks/singapay';
  const body = canonicalJson({ response_code: 'SP000', event: 'ewallet-topup', data: { reference_number: reference, transaction_status: { code, desc: 'x' } } });
  const token = randomBytes(16).toString('hex');
  const timestamp = String(Math.floor((Date.now() + (options.skewMs ?? 0)) / 1000));
  const signature = requestSignature(options.secret ?? stack.simulator.credentials.clientSecret, { method: 'POST', pathWithQuery: path, accessToken: token, canonicalBody: body, timestamp });
  return { path, body, signature, headers: { 'content-type': 'application/json', authorization: `Bearer ${token}`, 'x-timestamp': timestamp, 'x-signature': signature } };
}

async function post(apiUrl: string, callback: { path: string; body: string; headers: Record<string, string> }): Promise<Response> {
  return fetch(`${apiUrl}${callback.path}`, { method: 'POST', headers: callback.headers, body: callback.body });
}

async function sendCallback(stack: TestStack, reference: string, code: string, secret = stack.simulator.credentials.clientSecret) {
  return (await post(stack.apiUrl, singapayCallback(stack, reference, code, { secret }))).status;
}

/**
 * The ids the payout's checkStatusNow signals carried, in the order they arrived, once there are
 * `count` of them: a signal that arrives during a workflow task enters the history only after it.
 */
async function callbackIdsSignalled(stack: TestStack, reference: string, count: number): Promise<(string | undefined)[]> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const ids = await signalledIds(stack, reference);
    if (ids.length >= count || Date.now() > deadline) return ids;
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function signalledIds(stack: TestStack, reference: string): Promise<(string | undefined)[]> {
  const history = await stack.client.workflow.getHandle(payoutWorkflowId(reference)).fetchHistory();
  return (history.events ?? [])
    .map((e) => e.workflowExecutionSignaledEventAttributes)
    .filter((signal) => signal?.signalName === 'checkStatusNow')
    .map((signal) => {
      const payload = signal!.input?.payloads?.[0];
      return payload ? (JSON.parse(Buffer.from(payload.data!).toString()) as { callbackId?: string }).callbackId : undefined;
    });
}

const sha256Hex = (text: string) => createHash('sha256').update(text).digest('hex');

describe('callbacks', () => {
  test('callbacks on: a transfer settled at the provider completes at once, not at the next poll (a minute away)', async () => {
    const reference = await approved(slow, '081200003333');
    const settledAt = Date.now();
    const settle = await fetch(`${slow.simulator.url}/__sim/transactions/${reference}/settle`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ status: '00' }),
    });
    expect(settle.status).toBe(200);
    const done = await waitForStatus(slow, reference, 'SUCCEEDED', 20_000);
    expect(Date.now() - settledAt).toBeLessThan(20_000);
    expect(done.transfer?.statusChecks).toBe(1);
    const sent = (await (await fetch(`${slow.simulator.url}/__sim/callbacks`)).json()) as { sent: { reference: string; httpStatus?: number }[] };
    expect(sent.sent.filter((c) => c.reference === reference)).toEqual([expect.objectContaining({ httpStatus: 200 })]);
    expect(await ledger(slow, reference)).toHaveLength(1);
  });

  test('a validly signed callback that claims success for a pending transfer: the status check says pending, so it stays PROCESSING', async () => {
    const reference = await approved(slow, '081200003333');
    expect(await sendCallback(slow, reference, '00')).toBe(200);
    const checked = await waitForPayout(slow, reference, (p) => (p.transfer?.statusChecks ?? 0) >= 1, 20_000);
    expect(checked.status).toBe('PROCESSING');
    expect(checked.transfer?.providerStatus?.code).toBe('03');
  });

  test('duplicate and late callbacks after a failure change nothing', async () => {
    const reference = await approved(slow, '081200003333');
    await fetch(`${slow.simulator.url}/__sim/transactions/${reference}/settle`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ status: '06' }),
    });
    const failed = await waitForStatus(slow, reference, 'FAILED', 20_000);
    for (const code of ['06', '00', '00']) expect(await sendCallback(slow, reference, code)).toBe(200);
    await new Promise((r) => setTimeout(r, 1_000));
    const after = await waitForStatus(slow, reference, 'FAILED');
    expect(after.updatedAt).toBe(failed.updatedAt);
    expect(after.failure?.providerCode).toBe('06');
  });

  test('a bad signature → 401 problem+json; an unknown reference → 200', async () => {
    expect(await sendCallback(slow, 'some-ref', '00', 'not-the-secret')).toBe(401);
    const unsigned = await fetch(`${slow.apiUrl}/v1/callbacks/singapay`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
    expect(unsigned.status).toBe(401);
    expect(unsigned.headers.get('content-type')).toContain('application/problem+json');
    expect(await sendCallback(slow, uniqueReference('nobody'), '00')).toBe(200);
  });
});

describe('callbacks are fresh, and carry an id that makes a replay recognisable', () => {
  const sixMinutes = CALLBACK_FRESHNESS_MS + 60_000;

  test('a Singapay callback signed more than 5 minutes ago, or ahead: 401 problem+json, and no signal', async () => {
    const reference = await approved(slow, '081200003333');
    for (const skewMs of [-sixMinutes, sixMinutes]) {
      const res = await post(slow.apiUrl, singapayCallback(slow, reference, '00', { skewMs }));
      expect({ skewMs, status: res.status }).toEqual({ skewMs, status: 401 });
      expect(res.headers.get('content-type')).toContain('application/problem+json');
      expect(((await res.json()) as { detail: string }).detail).toMatch(/timestamp/);
    }
    // The first signal the payout ever gets is the fresh callback's: the stale ones sent none.
    const fresh = singapayCallback(slow, reference, '00', { skewMs: -4 * 60_000 });
    expect((await post(slow.apiUrl, fresh)).status).toBe(200);
    expect(await callbackIdsSignalled(slow, reference, 1)).toEqual([sha256Hex(fresh.signature)]);
  });

  test('a verified callback signals its id (sha256 of its signature); the same callback again carries the same id', async () => {
    const reference = await approved(slow, '081200003333');
    const callback = singapayCallback(slow, reference, '00');
    expect((await post(slow.apiUrl, callback)).status).toBe(200);
    expect((await post(slow.apiUrl, callback)).status).toBe(200);
    const other = singapayCallback(slow, reference, '00');
    expect((await post(slow.apiUrl, other)).status).toBe(200);
    expect(await callbackIdsSignalled(slow, reference, 3)).toEqual([sha256Hex(callback.signature), sha256Hex(callback.signature), sha256Hex(other.signature)]);
  });

  test('end to end: a replayed callback is accepted (200) and checks nothing; a new one checks again', async () => {
    const reference = await approved(slow, '081200003333');
    const checks = async () => (await call<{ transfer?: { statusChecks?: number } }>(slow, 'GET', `/v1/payouts/${reference}`)).body.transfer?.statusChecks ?? 0;
    const first = singapayCallback(slow, reference, '00');
    expect((await post(slow.apiUrl, first)).status).toBe(200);
    await waitForPayout(slow, reference, (p) => (p.transfer?.statusChecks ?? 0) === 1, 20_000);
    expect((await post(slow.apiUrl, first)).status).toBe(200);
    await new Promise((r) => setTimeout(r, 1_500));
    expect(await checks()).toBe(1);
    expect((await post(slow.apiUrl, singapayCallback(slow, reference, '00', { skewMs: -1_000 }))).status).toBe(200);
    await waitForPayout(slow, reference, (p) => (p.transfer?.statusChecks ?? 0) === 2, 20_000);
  });

  test("Faspay: freshness by the API's clock (injected here), and the signal carries the callback's id", async () => {
    // An API of our own over the same Temporal, verifying with a key pair made here, whose clock the test sets.
    const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    let clock = new Date();
    const app = createApp({
      client: slow.client,
      taskQueue: slow.taskQueue,
      policy: TEST_POLICY,
      authenticator: createAuthenticator(undefined, false),
      providers: testCatalog(['singapay', 'faspay'], { faspayCallbackPublicKey: publicKey.export({ type: 'spki', format: 'pem' }).toString() }),
      logger: createLogger({ level: 'silent' }),
      clock: () => clock,
    });
    const server = app.listen(0, '127.0.0.1');
    await new Promise((resolve) => server.once('listening', resolve));
    const apiUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    try {
      const reference = await approved(slow, '081200003333');
      const signed = signedCallback(privateKey, {
        url: `${apiUrl}/v1/callbacks/faspay`,
        partnerId: 'p1',
        externalId: '1',
        now: new Date(),
        notification: { originalPartnerReferenceNo: reference, originalReferenceNo: 'x', latestTransactionStatus: '00', transactionStatusDesc: 'Success', additionalInfo: {} },
      });
      const send = () => fetch(`${apiUrl}/v1/callbacks/faspay`, { method: 'POST', headers: signed.headers, body: signed.body });
      clock = new Date(Date.now() + sixMinutes);
      const late = await send();
      expect(late.status).toBe(401);
      expect(late.headers.get('content-type')).toContain('application/problem+json');
      clock = new Date(Date.now() - sixMinutes);
      expect((await send()).status).toBe(401);
      clock = new Date();
      expect((await send()).status).toBe(200);
      // Its only signal is the fresh one's: the late and early answers sent none.
      expect(await callbackIdsSignalled(slow, reference, 1)).toEqual([sha256Hex(signed.headers['X-SIGNATURE']!)]);
    } finally {
      server.close();
      server.closeAllConnections();
    }
  });
});

describe('callbacks off', () => {
  test('polling alone finishes every payout', async () => {
    const fast = await startStack();
    try {
      expect((await fetch(`${fast.simulator.url}/__sim/callbacks`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"enabled":false}' })).status).toBe(200);
      const refs = await Promise.all(['081200000000', '081200001111', '081200002222'].map((n) => approved(fast, n)));
      await waitForStatus(fast, refs[0]!, 'SUCCEEDED');
      await waitForStatus(fast, refs[1]!, 'SUCCEEDED');
      await waitForStatus(fast, refs[2]!, 'FAILED');
      const sent = (await (await fetch(`${fast.simulator.url}/__sim/callbacks`)).json()) as { sent: unknown[] };
      expect(sent.sent).toEqual([]);
    } finally {
      await fast.stop();
    }
  });
});
