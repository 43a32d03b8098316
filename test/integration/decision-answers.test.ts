// Each decision answers the payout as that decision left it. Found by the chaos checker (seed
// 2026120318, payout 0011): under a two-approver policy, a first approval and a rejection reached
// the workflow together; both were applied in one workflow task and answered after it, and the
// approval's answer held the live document, so the approver was told 200 with a REJECTED payout.
//
// Reproduced on the real dev server: no worker runs while both updates wait at the server; a worker
// then takes them in one task.
import { approveUpdate, rejectUpdate } from '../../workflows/messages';
import { approvalPolicy } from '../support/approvals';
import { call, KEYS, startStack, uniqueReference, waitForStatus, type TestStack } from '../support/stack';

let stack: TestStack;
beforeAll(async () => {
  stack = await startStack({ approvals: approvalPolicy({ tiers: [{ minAmount: '0.00', approvals: 2 }] }) });
});
afterAll(async () => {
  await stack?.stop();
});

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

test('an approval and a rejection taken in one workflow task: each answers the payout as it left it', async () => {
  const reference = uniqueReference('together');
  const created = await call(stack, 'POST', '/v1/payouts', {
    body: { reference, destination: { type: 'EWALLET', ewallet: 'DANA', customerNumber: '081200000000' }, amount: { value: '10000.00', currency: 'IDR' } },
  });
  expect(created.status).toBe(201);
  await waitForStatus(stack, reference, 'AWAITING_APPROVAL');

  // No worker: both updates wait at the server, then one worker with an empty cache takes them together.
  stack.worker.shutdown();
  while (!['STOPPED', 'FAILED'].includes(stack.worker.getState())) await pause(100);
  const handle = stack.client.workflow.getHandle(`payout-${reference}`);
  const approved = handle.executeUpdate(approveUpdate, { args: [{ principal: 'approver@local', comment: 'first of two' }] });
  await pause(300);
  const rejected = handle.executeUpdate(rejectUpdate, { args: [{ principal: 'admin@local', reason: 'wrong invoice' }] });
  await pause(1_000);
  await stack.addWorkerProcess();

  const [approval, rejection] = await Promise.all([approved, rejected]);
  // The approval was recorded (one of two) while the payout still awaited approval; then the rejection decided.
  expect(approval.status).toBe('AWAITING_APPROVAL');
  expect(approval.approvals).toEqual([expect.objectContaining({ by: 'approver@local', comment: 'first of two' })]);
  expect(rejection.status).toBe('REJECTED');
  const final = (await call(stack, 'GET', `/v1/payouts/${reference}`, { key: KEYS.approver })).body;
  expect(final).toMatchObject({ status: 'REJECTED', approvals: [{ by: 'approver@local' }] });
});
