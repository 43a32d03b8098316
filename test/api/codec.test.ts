// Payload encryption end to end: with a key configured, what Temporal stores is unreadable without
// it, and the codec endpoint (used by the Web UI) turns it back for those allowed.
import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { Client, Connection } from '@temporalio/client';
import { createApp } from '../../src/api/app';
import { createAuthenticator } from '../../src/api/auth';
import { payoutWorkflowId } from '../../src/api/payouts';
import { createLogger } from '../../src/logging';
import { dataConverterFor } from '../../src/temporal/codec';
import type { Payout } from '../../src/domain/payout';
import { call, ewalletPayout, KEYS, startStack, TEST_POLICY, uniqueReference, waitForStatus, type TestStack } from '../support/stack';

const CODEC_KEY = { id: 'test-key', key: randomBytes(32) };
let stack: TestStack;
beforeAll(async () => {
  stack = await startStack({ codecKeys: [CODEC_KEY], namespace: 'encrypted' });
});
afterAll(async () => {
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
    const refused = await call(stack, 'POST', '/codec/decode', { key: null, body });
    expect(refused.status).toBe(401);
    const decoded = await call<{ payloads: { data: string }[] }>(stack, 'POST', '/codec/decode', { key: KEYS.approver, body });
    expect(decoded.status).toBe(200);
    expect(Buffer.from(decoded.body.payloads[0]!.data, 'base64').toString()).toContain(customerNumber);

    // The Web UI's origin is admitted without a key where CODEC_ALLOW_UI_ORIGIN is on (outside production by default).
    const preflight = await fetch(`${stack.apiUrl}/codec/decode`, { method: 'OPTIONS', headers: { origin: 'http://localhost:8233' } });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get('access-control-allow-origin')).toBe('http://localhost:8233');
    const fromUi = await call(stack, 'POST', '/codec/decode', { key: null, body, headers: { origin: 'http://localhost:8233' } });
    expect(fromUi.status).toBe(200);

    // Where the origin is not admitted (production's default), the same request needs a key.
    const strict = createApp({
      client: stack.client,
      taskQueue: stack.taskQueue,
      policy: TEST_POLICY,
      authenticator: createAuthenticator(undefined, false),
      availableProviders: ['singapay'],
      logger: createLogger({ level: 'silent' }),
      codec: dataConverterFor([CODEC_KEY])!.payloadCodecs[0],
      codecAdmitsUiOrigin: false,
    }).listen(0, '127.0.0.1');
    await new Promise((resolve) => strict.once('listening', resolve));
    const strictApi = { apiUrl: `http://127.0.0.1:${(strict.address() as AddressInfo).port}` };
    try {
      expect((await call(strictApi, 'POST', '/codec/decode', { key: null, body, headers: { origin: 'http://localhost:8233' } })).status).toBe(401);
      const withKey = await call<{ payloads: { data: string }[] }>(strictApi, 'POST', '/codec/decode', { key: KEYS.approver, body, headers: { origin: 'http://localhost:8233' } });
      expect(Buffer.from(withKey.body.payloads[0]!.data, 'base64').toString()).toContain(customerNumber);
    } finally {
      strict.close();
      strict.closeAllConnections();
    }
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
