// With Temporal unreachable the API stays up: it says it is not ready, and answers requests with
// 503 problem+json and Retry-After, never a stack trace. Bad input is still a 400.
// Requests go through the typed client; a body the document's types cannot express (bad input) uses
// call(), and a provider's signed callback is sent as raw bytes with fetch (the signature covers them).
import { Client, Connection } from '@temporalio/client';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createApp } from '../../src/api/app';
import { createAuthenticator } from '../../src/api/auth';
import { createLogger } from '../../src/logging';
import { TEST_POLICY } from '../support/policy';
import { freePort } from '../support/ports';
import { call, KEYS, uniqueReference } from '../support/stack';
import { answer, apiClient, payoutBody } from '../support/api-client';
import { startSingapaySimulator, type SingapaySimulator } from '../../src/simulators/singapay';
import { createSingapayProvider } from '../../src/providers/singapay';
import { testCatalog } from '../support/providers';

let server: Server;
let connection: Connection;
let simulator: SingapaySimulator;
const api = { apiUrl: '' };

beforeAll(async () => {
  simulator = await startSingapaySimulator({ port: 0 });
  connection = Connection.lazy({ address: `127.0.0.1:${await freePort()}`, connectTimeout: 1_000 });
  const app = createApp({
    client: new Client({ connection }),
    taskQueue: 'nowhere',
    policy: TEST_POLICY,
    authenticator: createAuthenticator(undefined, false),
    providers: testCatalog(['singapay'], { singapaySecret: simulator.credentials.clientSecret }),
    logger: createLogger({ level: 'silent' }),
    rpcTimeoutMs: 2_000,
  });
  server = await new Promise((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  api.apiUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await simulator?.close();
  await new Promise((resolve) => server?.close(resolve));
  await connection?.close().catch(() => undefined);
});

test('readyz 503, healthz 200; create and get answer 503 problem+json with Retry-After', async () => {
  const anonymous = apiClient(api.apiUrl, null);
  const requester = apiClient(api.apiUrl, KEYS.requester);
  expect((await answer(anonymous.GET('/healthz'))).status).toBe(200);
  const ready = await answer(anonymous.GET('/readyz'));
  expect(ready.status).toBe(503);
  expect(ready.contentType).toContain('application/problem+json');

  const created = await answer(requester.POST('/v1/payouts', { body: payoutBody(uniqueReference('down'), '081200000000') }));
  const read = await answer(requester.GET('/v1/payouts/{id}', { params: { path: { id: uniqueReference('down') } } }));
  for (const res of [created, read]) {
    expect(res.status).toBe(503);
    expect(res.contentType).toContain('application/problem+json');
    expect(res.headers.get('retry-after')).toBe('5');
    expect(res.error?.type).toContain('temporal-unavailable');
    expect(JSON.stringify(res.error)).not.toMatch(/\n\s+at /);
  }
  // A body without the required fields cannot be typed: call().
  const invalid = await call(api, 'POST', '/v1/payouts', { body: { reference: 'x' } });
  expect(invalid.status).toBe(400);
}, 30_000);

test('a destination that routes to a provider this deployment lacks → 400 naming it, before Temporal is asked', async () => {
  const res = await answer(
    apiClient(api.apiUrl, KEYS.requester).POST('/v1/payouts', {
      body: payoutBody(uniqueReference('bank'), '081200000000', '10000.00', { destination: { type: 'BANK_ACCOUNT', bankCode: '014', accountNumber: '1234567890' } }),
    }),
  );
  expect(res.status).toBe(400);
  expect(res.error?.detail).toContain('faspay');
});

test('a genuine provider callback while Temporal is unreachable answers 503 (the provider sends it again), never 500', async () => {
  const reference = uniqueReference('cb-down');
  const provider = createSingapayProvider({ baseUrl: simulator.url, ...simulator.credentials, timeoutMs: 2_000 });
  await provider.triggerTransfer({ reference, destination: { type: 'EWALLET', ewallet: 'DANA', customerNumber: '081200003333' }, amount: 10_000 });
  const url = `${api.apiUrl}/v1/callbacks/singapay`;
  const signed = (await (
    await fetch(`${simulator.url}/__sim/transactions/${reference}/callback`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ url }) })
  ).json()) as { headers: Record<string, string>; body: string };
  const started = Date.now();
  const res = await fetch(url, { method: 'POST', headers: signed.headers, body: signed.body });
  expect(res.status).toBe(503);
  expect(res.headers.get('content-type')).toContain('application/problem+json');
  expect(res.headers.get('retry-after')).toBe('5');
  expect(Date.now() - started).toBeLessThan(8_000);
}, 30_000);
