// A payout's life through the real API, the real worker on the real Temporal dev server, and the
// Singapay simulator: the simulator's ledger says whether money moved and how often.
import type { Payout } from '../../src/domain/payout';
import { payoutWorkflowId } from '../../src/api/payouts';
import { approveSignal } from '../../workflows/messages';
import { PAYOUT_STATUS } from '../../workflows/search-attributes';
import { call, ewalletPayout, KEYS, ledger, startStack, uniqueReference, waitForPayout, waitForStatus, type TestStack } from '../support/stack';

let stack: TestStack;
beforeAll(async () => {
  stack = await startStack();
});
afterAll(async () => {
  await stack?.stop();
});

async function createAndAwaitApproval(reference: string, customerNumber: string, extra: Record<string, unknown> = {}) {
  const created = await call<Payout>(stack, 'POST', '/v1/payouts', { body: ewalletPayout(reference, customerNumber, '10000.00', extra) });
  expect(created.status).toBe(201);
  return waitForStatus(stack, reference, 'AWAITING_APPROVAL');
}

describe('payout lifecycle on a real Temporal server', () => {
  test('happy path: inquiry shows holder, fee and gross amount; approval moves the money exactly once', async () => {
    const reference = uniqueReference('happy');
    const created = await call<Payout>(stack, 'POST', '/v1/payouts', { body: ewalletPayout(reference, '62811742234') });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ id: reference, reference, status: 'VALIDATING', provider: 'singapay', requestedBy: 'requester@local' });

    const awaiting = await waitForStatus(stack, reference, 'AWAITING_APPROVAL');
    expect(awaiting.inquiry).toEqual(
      expect.objectContaining({
        accountName: expect.any(String),
        amount: { value: '10000.00', currency: 'IDR' },
        fee: { value: '500.00', currency: 'IDR' },
        grossAmount: { value: '10500.00', currency: 'IDR' },
      }),
    );
    expect(awaiting.inquiry!.accountName.length).toBeGreaterThan(0);
    expect(await ledger(stack, reference)).toHaveLength(0);

    const approved = await call<Payout>(stack, 'POST', `/v1/payouts/${reference}/approve`, { key: KEYS.approver, body: { comment: 'ok' } });
    expect(approved.status).toBe(200);
    expect(approved.body.status).toBe('PROCESSING');
    expect(approved.body.approval).toMatchObject({ decision: 'APPROVED', by: 'approver@local', comment: 'ok' });

    const done = await waitForStatus(stack, reference, 'SUCCEEDED');
    expect(done.transfer?.providerReference).toBeTruthy();
    expect(done.transfer?.providerStatus?.code).toBe('00');
    expect(done.timeline.map((t) => t.status)).toEqual(['VALIDATING', 'AWAITING_APPROVAL', 'PROCESSING', 'SUCCEEDED']);

    const entries = await ledger(stack, reference);
    expect(entries).toHaveLength(1);
    expect(entries[0]).toMatchObject({ triggerCalls: 1, status: '00', amount: { value: '10000.00', currency: 'IDR' } });

    // Operators filter on this in the Web UI.
    const description = await stack.client.workflow.getHandle(payoutWorkflowId(reference)).describe();
    expect(description.typedSearchAttributes.get(PAYOUT_STATUS)).toBe('SUCCEEDED');
    const listed = [];
    for await (const wf of stack.client.workflow.list({ query: `PayoutStatus = "SUCCEEDED" AND WorkflowId = "${payoutWorkflowId(reference)}"` })) {
      listed.push(wf.workflowId);
    }
    expect(listed).toEqual([payoutWorkflowId(reference)]);
  });

  test('reject: the payout ends REJECTED and no money moves', async () => {
    const reference = uniqueReference('reject');
    await createAndAwaitApproval(reference, '081200000000');
    const rejected = await call<Payout>(stack, 'POST', `/v1/payouts/${reference}/reject`, { key: KEYS.approver, body: { reason: 'duplicate invoice' } });
    expect(rejected.status).toBe(200);
    expect(rejected.body.status).toBe('REJECTED');
    expect(rejected.body.approval).toMatchObject({ decision: 'REJECTED', by: 'approver@local', reason: 'duplicate invoice' });
    await waitForStatus(stack, reference, 'REJECTED');

    const lateApprove = await call(stack, 'POST', `/v1/payouts/${reference}/approve`, { key: KEYS.approver, body: {} });
    expect(lateApprove.status).toBe(409);
    expect(lateApprove.contentType).toContain('application/problem+json');
    expect(await ledger(stack, reference)).toHaveLength(0);
  });

  test('approval deadline: nobody decides → EXPIRED, a late approval is refused with 409, no money moves', async () => {
    const reference = uniqueReference('expire');
    await createAndAwaitApproval(reference, '081200000000', { approvalTimeout: 'PT2S' });
    const expired = await waitForStatus(stack, reference, 'EXPIRED', 15_000);
    expect(expired.timeline.map((t) => t.status)).toEqual(['VALIDATING', 'AWAITING_APPROVAL', 'EXPIRED']);
    const late = await call(stack, 'POST', `/v1/payouts/${reference}/approve`, { key: KEYS.approver, body: {} });
    expect(late.status).toBe(409);
    expect(await ledger(stack, reference)).toHaveLength(0);
  });

  test('four eyes via the API: the requester cannot approve their own payout, even as admin', async () => {
    const reference = uniqueReference('foureyes');
    const created = await call(stack, 'POST', '/v1/payouts', { key: KEYS.admin, body: ewalletPayout(reference, '081200000000') });
    expect(created.status).toBe(201);
    await waitForStatus(stack, reference, 'AWAITING_APPROVAL');
    const own = await call<{ type: string }>(stack, 'POST', `/v1/payouts/${reference}/approve`, { key: KEYS.admin, body: {} });
    expect(own.status).toBe(403);
    expect(own.body.type).toContain('four-eyes');
    // A requester without the approver role is refused by role, before the workflow is asked.
    const noRole = await call(stack, 'POST', `/v1/payouts/${reference}/approve`, { key: KEYS.requester, body: {} });
    expect(noRole.status).toBe(403);
    const payout = await waitForStatus(stack, reference, 'AWAITING_APPROVAL');
    expect(payout.approval).toBeUndefined();
  });

  test('four eyes via a raw Temporal signal: the requester signalling approve changes nothing; an approver signal works', async () => {
    const reference = uniqueReference('signal');
    await createAndAwaitApproval(reference, '081200000000');
    const handle = stack.client.workflow.getHandle(payoutWorkflowId(reference));
    await handle.signal(approveSignal, { principal: 'requester@local', comment: 'self-approval' });
    // Give the workflow time to process the signal, then check nothing happened.
    await new Promise((r) => setTimeout(r, 1_000));
    const still = await waitForStatus(stack, reference, 'AWAITING_APPROVAL');
    expect(still.approval).toBeUndefined();
    expect(await ledger(stack, reference)).toHaveLength(0);

    await handle.signal(approveSignal, { principal: 'ops@local', comment: 'from the Web UI' });
    const done = await waitForStatus(stack, reference, 'SUCCEEDED');
    expect(done.approval).toMatchObject({ decision: 'APPROVED', by: 'ops@local' });
    expect(await ledger(stack, reference)).toHaveLength(1);
  });

  test('approve sent twice: the first takes effect, the second gets 409, one transfer', async () => {
    const reference = uniqueReference('twice');
    await createAndAwaitApproval(reference, '081200000000');
    const [a, b] = await Promise.all([
      call<Payout>(stack, 'POST', `/v1/payouts/${reference}/approve`, { key: KEYS.approver, body: {} }),
      call<Payout>(stack, 'POST', `/v1/payouts/${reference}/approve`, { key: KEYS.admin, body: {} }),
    ]);
    expect([a.status, b.status].sort()).toEqual([200, 409]);
    await waitForStatus(stack, reference, 'SUCCEEDED');
    const entries = await ledger(stack, reference);
    expect(entries).toHaveLength(1);
    expect(entries[0]!.triggerCalls).toBe(1);
  });

  test('cancel before approval → CANCELLED; only the requester or an admin may cancel', async () => {
    const reference = uniqueReference('cancel');
    await createAndAwaitApproval(reference, '081200000000');
    const byApprover = await call(stack, 'POST', `/v1/payouts/${reference}/cancel`, { key: KEYS.approver, body: {} });
    expect(byApprover.status).toBe(403);
    const cancelled = await call<Payout>(stack, 'POST', `/v1/payouts/${reference}/cancel`, { key: KEYS.requester, body: { reason: 'wrong amount' } });
    expect(cancelled.status).toBe(200);
    expect(cancelled.body.status).toBe('CANCELLED');
    await waitForStatus(stack, reference, 'CANCELLED');
    expect(await ledger(stack, reference)).toHaveLength(0);
  });

  test('cancel after the transfer was submitted is refused with 409', async () => {
    const reference = uniqueReference('cancel-late');
    await createAndAwaitApproval(reference, '081200003333'); // stays pending until settled
    await call(stack, 'POST', `/v1/payouts/${reference}/approve`, { key: KEYS.approver, body: {} });
    // PROCESSING comes at approval; the trigger only after the balance and reference checks. Wait until
    // the provider has accepted it (its reference is known), so that it can be settled below.
    await waitForPayout(stack, reference, (p) => p.transfer?.providerReference !== undefined);
    const late = await call(stack, 'POST', `/v1/payouts/${reference}/cancel`, { key: KEYS.requester, body: {} });
    expect(late.status).toBe(409);
    const settle = await fetch(`${stack.simulator.url}/__sim/transactions/${reference}/settle`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ status: '00' }),
    });
    expect(settle.status).toBe(200);
    await waitForStatus(stack, reference, 'SUCCEEDED');
    expect(await ledger(stack, reference)).toHaveLength(1);
  });
});
