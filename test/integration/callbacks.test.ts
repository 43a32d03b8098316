// Provider callbacks: a verified callback makes the payout check its status at once; the workflow
// trusts only its own status check, so forged, duplicate, late and out-of-order callbacks change
// nothing. With callbacks off, polling alone finishes payouts.
import { randomBytes } from 'node:crypto';
import { canonicalJson } from '../../src/providers/singapay/canonical-json';
import { requestSignature } from '../../src/providers/singapay/signature';
import { call, ewalletPayout, KEYS, ledger, startStack, uniqueReference, waitForPayout, waitForStatus, type TestStack } from '../support/stack';

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

/** A callback signed as Singapay signs it (whoever holds the client secret). */
async function sendCallback(stack: TestStack, reference: string, code: string, secret = stack.simulator.credentials.clientSecret) {
  const path = '/v1/callbacks/singapay';
  const body = canonicalJson({ response_code: 'SP000', event: 'ewallet-topup', data: { reference_number: reference, transaction_status: { code, desc: 'x' } } });
  const token = randomBytes(16).toString('hex');
  const timestamp = String(Math.floor(Date.now() / 1000));
  const signature = requestSignature(secret, { method: 'POST', pathWithQuery: path, accessToken: token, canonicalBody: body, timestamp });
  const res = await fetch(`${stack.apiUrl}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}`, 'x-timestamp': timestamp, 'x-signature': signature },
    body,
  });
  return res.status;
}

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
