// Payload encryption end to end: with a key configured, what Temporal stores is unreadable without
// it, and the codec endpoint (used by the Web UI) turns it back for those allowed, on a listener of
// its own: never on the public API port, which providers reach for callbacks.
import { randomBytes } from 'node:crypto';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Client, Connection } from '@temporalio/client';
import { createAuthenticator } from '../../src/api/auth';
import { createCodecApp } from '../../src/api/codec-app';
import { payoutWorkflowId } from '../../src/api/payouts';
import { createLogger } from '../../src/logging';
import { dataConverterFor } from '../../src/temporal/codec';
import type { Payout } from '../../src/domain/payout';
import { call, ewalletPayout, KEYS, startStack, uniqueReference, waitForStatus, type TestStack } from '../support/stack';

const CODEC_KEY = { id: 'test-key', key: randomBytes(32) };
let stack: TestStack;
const listeners: Server[] = [];

/** The codec listener as the API's entry point runs it, on a port of its own. */
async function codecListener(admitUiOrigin: boolean): Promise<{ apiUrl: string; documented: false }> {
  const server = createCodecApp({
    codec: dataConverterFor([CODEC_KEY])!.payloadCodecs[0]!,
    authenticator: createAuthenticator(undefined, false),
    uiOrigin: 'http://localhost:8233',
    admitUiOrigin,
    logger: createLogger({ level: 'silent' }),
  }).listen(0, '127.0.0.1');
  listeners.push(server);
  await new Promise((resolve) => server.once('listening', resolve));
  // Not the API: the OpenAPI document does not describe this listener's answers.
  return { apiUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, documented: false };
}

let codec: { apiUrl: string; documented: false };
beforeAll(async () => {
  stack = await startStack({ codecKeys: [CODEC_KEY], namespace: 'encrypted' });
  codec = await codecListener(true); // as outside production
});
afterAll(async () => {
  for (const server of listeners) {
    server.close();
    server.closeAllConnections();
  }
  await stack?.stop();
});

describe('encrypted payloads', () => {
  test('history holds no readable customer number; the codec endpoint decrypts it for an API key holder', async () => {
    const reference = uniqueReference('codec');
    const customerNumber = '081234567890';
    await call(stack, 'POST', '/v1/payouts', { body: ewalletPayout(reference, customerNumber) });
    const payout = await waitForStatus(stack, reference, 'AWAITING_APPROVAL');
    expect(payout.destination).toMatchObject({ customerNumber }); // the API (with the key) reads it

    // Read the raw history as someone with database access but no key would.
    const connection = await Connection.connect({ address: stack.address });
    const keyless = new Client({ connection, namespace: 'encrypted' });
    const history = await keyless.workflow.getHandle(payoutWorkflowId(reference)).fetchHistory();
    const started = history.events?.find((e) => e.workflowExecutionStartedEventAttributes)?.workflowExecutionStartedEventAttributes;
    const input = started?.input?.payloads?.[0];
    expect(input).toBeDefined();
    const raw = Buffer.from(input!.data!).toString('latin1');
    expect(raw).not.toContain(customerNumber);
    expect(Buffer.from(input!.metadata!.encoding!).toString()).toBe('binary/encrypted');
    const allBytes = JSON.stringify(history.events?.map((e) => e.workflowExecutionStartedEventAttributes ?? e.activityTaskScheduledEventAttributes ?? {}));
    expect(allBytes).not.toContain(customerNumber);
    await connection.close();

    const body = {
      payloads: [
        {
          metadata: Object.fromEntries(Object.entries(input!.metadata!).map(([k, v]) => [k, Buffer.from(v!).toString('base64')])),
          data: Buffer.from(input!.data!).toString('base64'),
        },
      ],
    };
    const refused = await call(codec, 'POST', '/codec/decode', { key: null, body });
    expect(refused.status).toBe(401);
    const decoded = await call<{ payloads: { data: string }[] }>(codec, 'POST', '/codec/decode', { key: KEYS.approver, body });
    expect(decoded.status).toBe(200);
    expect(Buffer.from(decoded.body.payloads[0]!.data, 'base64').toString()).toContain(customerNumber);
    const encoded = await call<{ payloads: { metadata: Record<string, string> }[] }>(codec, 'POST', '/codec/encode', { key: KEYS.approver, body: decoded.body });
    expect(Buffer.from(encoded.body.payloads[0]!.metadata.encoding!, 'base64').toString()).toBe('binary/encrypted');

    // The Web UI's origin is admitted without a key where CODEC_ALLOW_UI_ORIGIN is on (outside production by default).
    const preflight = await fetch(`${codec.apiUrl}/codec/decode`, { method: 'OPTIONS', headers: { origin: 'http://localhost:8233' } });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get('access-control-allow-origin')).toBe('http://localhost:8233');
    const fromUi = await call(codec, 'POST', '/codec/decode', { key: null, body, headers: { origin: 'http://localhost:8233' } });
    expect(fromUi.status).toBe(200);

    // Where the origin is not admitted (production's default), the same request needs a key.
    const strict = await codecListener(false);
    expect((await call(strict, 'POST', '/codec/decode', { key: null, body, headers: { origin: 'http://localhost:8233' } })).status).toBe(401);
    const withKey = await call<{ payloads: { data: string }[] }>(strict, 'POST', '/codec/decode', { key: KEYS.approver, body, headers: { origin: 'http://localhost:8233' } });
    expect(Buffer.from(withKey.body.payloads[0]!.data, 'base64').toString()).toContain(customerNumber);
  });

  test('the public API port has no codec endpoint: 404 problem+json, with the Web UI origin, with a key, or asking CORS', async () => {
    const body = { payloads: [] };
    for (const path of ['/codec/decode', '/codec/encode']) {
      for (const options of [{ key: null, headers: { origin: 'http://localhost:8233' } }, { key: KEYS.admin }, { key: null }]) {
        const res = await call(stack, 'POST', path, { ...options, body });
        expect({ path, options, status: res.status, type: res.contentType }).toEqual({ path, options, status: 404, type: expect.stringContaining('application/problem+json') });
      }
      const preflight = await fetch(`${stack.apiUrl}${path}`, { method: 'OPTIONS', headers: { origin: 'http://localhost:8233', 'access-control-request-method': 'POST' } });
      expect(preflight.status).toBe(404);
      expect(preflight.headers.get('access-control-allow-origin')).toBeNull();
    }
    // And the codec listener serves nothing but the codec: no API routes behind it.
    expect((await call(codec, 'GET', '/v1/payouts', { key: KEYS.admin })).status).toBe(404);
  });

  test('a payout still completes with encryption on', async () => {
    const reference = uniqueReference('codec-done');
    await call(stack, 'POST', '/v1/payouts', { body: ewalletPayout(reference, '081200000000') });
    await waitForStatus(stack, reference, 'AWAITING_APPROVAL');
    await call(stack, 'POST', `/v1/payouts/${reference}/approve`, { key: KEYS.approver, body: {} });
    const done: Payout = await waitForStatus(stack, reference, 'SUCCEEDED');
    expect(done.inquiry?.accountName).toBeTruthy();
  });
});
