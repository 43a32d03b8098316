// Temporal is the store of record: with every worker gone, the API still reads payouts (from the
// memo each workflow writes at every status change) instead of failing.
import type { Payout } from '../../src/domain/payout';
import { call, ewalletPayout, KEYS, startStack, uniqueReference, waitForStatus, type TestStack } from '../support/stack';

let stack: TestStack;
beforeAll(async () => {
  stack = await startStack();
});
afterAll(async () => {
  await stack?.stop();
});

test('GET and list answer from the memo while no worker runs', async () => {
  const reference = uniqueReference('noworker');
  await call(stack, 'POST', '/v1/payouts', { body: ewalletPayout(reference, '62811742234') });
  await waitForStatus(stack, reference, 'AWAITING_APPROVAL');
  const finished = uniqueReference('noworker-done');
  await call(stack, 'POST', '/v1/payouts', { body: ewalletPayout(finished, '62811742234') });
  await waitForStatus(stack, finished, 'AWAITING_APPROVAL');
  expect((await call(stack, 'POST', `/v1/payouts/${finished}/reject`, { key: KEYS.approver, body: { reason: 'duplicate invoice' } })).status).toBe(200);

  stack.worker.shutdown();
  await new Promise((r) => setTimeout(r, 1_500));

  const started = Date.now();
  const res = await call<Payout>(stack, 'GET', `/v1/payouts/${reference}`);
  expect(res.status).toBe(200);
  expect(res.body.status).toBe('AWAITING_APPROVAL');
  expect(res.body.inquiry?.accountName).toBe('Dhany');
  expect(Date.now() - started).toBeLessThan(10_000);

  // A finished payout is read from its result, or from its memo while its last webhook event waits to
  // be published (no worker here to publish it): either way GET does not wait out the query timeout
  // (3 s) for a worker that is not there.
  const closedStarted = Date.now();
  const closed = await call<Payout>(stack, 'GET', `/v1/payouts/${finished}`);
  expect(closed.status).toBe(200);
  expect(closed.body).toMatchObject({ status: 'REJECTED', approval: { decision: 'REJECTED', by: 'approver@local' } });
  expect(Date.now() - closedStarted).toBeLessThan(3_000);

  const list = await call<{ items: Payout[] }>(stack, 'GET', '/v1/payouts?status=AWAITING_APPROVAL&limit=100');
  expect(list.status).toBe(200);
  expect(list.body.items.find((p) => p.id === reference)?.inquiry?.grossAmount.value).toBe('10500.00');
}, 60_000);
