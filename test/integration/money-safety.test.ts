// Money moves at most once. Each test names the fault it proves, and the simulator's ledger judges:
// one transfer (or none) per reference, whatever happened on the way.
import type { Payout } from '../../src/domain/payout';
import { createSingapayProvider } from '../../src/providers/singapay';
import { payoutWorkflowId } from '../../src/api/payouts';
import { PAYOUT_STATUS } from '../../workflows/search-attributes';
import { call, ewalletPayout, KEYS, ledger, startStack, uniqueReference, waitForPayout, waitForStatus, type TestStack } from '../support/stack';

let stack: TestStack;
beforeAll(async () => {
  stack = await startStack({
    policy: { statusPollBudgetMs: 3_000, maxHistoryEvents: 60, triggerMaxAttempts: 2 },
    providerTimeoutMs: 800,
  });
});
afterAll(async () => {
  await stack?.stop();
});

const settle = (reference: string, status: '00' | '06') =>
  fetch(`${stack.simulator.url}/__sim/transactions/${reference}/settle`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ status }),
  });

async function createAwaiting(customerNumber: string, extra: Record<string, unknown> = {}, value = '10000.00'): Promise<string> {
  const reference = uniqueReference('safe');
  expect((await call(stack, 'POST', '/v1/payouts', { body: ewalletPayout(reference, customerNumber, value, extra) })).status).toBe(201);
  await waitForStatus(stack, reference, 'AWAITING_APPROVAL');
  return reference;
}

const approve = (reference: string) => call<Payout>(stack, 'POST', `/v1/payouts/${reference}/approve`, { key: KEYS.approver, body: {} });

describe('duplicate requests', () => {
  test('100 concurrent creates with one reference → one workflow, one payout, one transfer', async () => {
    const reference = uniqueReference('herd');
    const body = ewalletPayout(reference, '081200000000');
    const answers = await Promise.all(Array.from({ length: 100 }, () => call<Payout>(stack, 'POST', '/v1/payouts', { body })));
    const statuses = answers.map((a) => a.status);
    expect(statuses.filter((s) => s === 201)).toHaveLength(1);
    expect(statuses.filter((s) => s === 200)).toHaveLength(99);
    expect(new Set(answers.map((a) => a.body.id))).toEqual(new Set([reference]));
    const runs = [];
    for await (const wf of stack.client.workflow.list({ query: `WorkflowId = "${payoutWorkflowId(reference)}"` })) runs.push(wf.runId);
    expect(runs).toHaveLength(1);
    await waitForStatus(stack, reference, 'AWAITING_APPROVAL');
    await approve(reference);
    await waitForStatus(stack, reference, 'SUCCEEDED');
    expect(await ledger(stack, reference)).toEqual([expect.objectContaining({ triggerCalls: 1 })]);
  });

  test('approve racing the approval deadline: exactly one decision takes effect', async () => {
    const outcomes: string[] = [];
    for (const offsetMs of [-150, 0, 150]) {
      const reference = await createAwaiting('081200000000', { approvalTimeout: 'PT2S' });
      const payout = await waitForStatus(stack, reference, 'AWAITING_APPROVAL');
      const deadline = Date.parse(payout.approvalDeadline!);
      await new Promise((r) => setTimeout(r, Math.max(0, deadline - Date.now() + offsetMs)));
      const answer = await approve(reference);
      const final = await waitForPayout(stack, reference, (p) => p.status === 'SUCCEEDED' || p.status === 'EXPIRED', 20_000);
      const transfers = await ledger(stack, reference);
      if (answer.status === 200) {
        expect(final.status).toBe('SUCCEEDED');
        expect(transfers).toHaveLength(1);
      } else {
        expect(answer.status).toBe(409);
        expect(final.status).toBe('EXPIRED');
        expect(transfers).toHaveLength(0);
      }
      outcomes.push(`${offsetMs}ms: ${final.status}`);
    }
    expect(outcomes).toHaveLength(3);
  });
});

describe('lost and ambiguous triggers', () => {
  test('accept-then-timeout: the provider took the money but the answer was lost → SUCCEEDED, one transfer', async () => {
    const reference = await createAwaiting('081200000000');
    await fetch(`${stack.simulator.url}/__sim/faults`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ operation: 'trigger', mode: 'accept-then-timeout', count: 1 }),
    });
    await approve(reference);
    await waitForStatus(stack, reference, 'SUCCEEDED');
    const entries = await ledger(stack, reference);
    expect(entries).toHaveLength(1);
    expect(entries[0]!.triggerCalls).toBe(2); // the retry arrived and was refused as a duplicate
  });

  test('every trigger attempt timed out before arriving; status says 07/not found → re-sent under the same reference, one transfer', async () => {
    const reference = await createAwaiting('081200000000');
    await fetch(`${stack.simulator.url}/__sim/faults`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ operation: 'trigger', mode: 'timeout', count: 2 }), // = triggerMaxAttempts
    });
    await approve(reference);
    const done = await waitForStatus(stack, reference, 'SUCCEEDED', 30_000);
    expect(done.transfer?.statusChecks).toBeGreaterThanOrEqual(2);
    expect(await ledger(stack, reference)).toEqual([expect.objectContaining({ triggerCalls: 1 })]);
  });
});

describe('long pendings', () => {
  test('no final answer within the polling budget → NEEDS_ATTENTION, polling goes on, and a late success still lands', async () => {
    const reference = await createAwaiting('081200003333');
    await approve(reference);
    const attention = await waitForStatus(stack, reference, 'NEEDS_ATTENTION', 20_000);
    expect(attention.attention?.reason).toMatch(/no final answer/);
    const checks = attention.transfer!.statusChecks;
    await waitForPayout(stack, reference, (p) => p.transfer!.statusChecks > checks, 20_000);
    expect((await settle(reference, '00')).status).toBe(200);
    const done = await waitForStatus(stack, reference, 'SUCCEEDED', 20_000);
    expect(done.timeline.map((t) => t.status)).toEqual(['VALIDATING', 'AWAITING_APPROVAL', 'PROCESSING', 'NEEDS_ATTENTION', 'SUCCEEDED']);
    expect(await ledger(stack, reference)).toHaveLength(1);
  });

  test('a long pending continues as new before its history grows large, carrying its state and timeline', async () => {
    const reference = await createAwaiting('081200003333');
    const handle = stack.client.workflow.getHandle(payoutWorkflowId(reference));
    const firstRun = (await handle.describe()).runId;
    await approve(reference);
    // maxHistoryEvents is 60 here: a few polls are enough to roll over.
    const deadline = Date.now() + 60_000;
    while ((await handle.describe()).runId === firstRun && Date.now() < deadline) await new Promise((r) => setTimeout(r, 500));
    const secondRun = (await handle.describe()).runId;
    expect(secondRun).not.toBe(firstRun);
    const carried = await waitForPayout(stack, reference, (p) => (p.transfer?.statusChecks ?? 0) >= 4, 20_000);
    expect(carried.approval?.by).toBe('approver@local');
    expect(carried.timeline[0]!.status).toBe('VALIDATING');

    expect((await settle(reference, '00')).status).toBe(200);
    const done = await waitForStatus(stack, reference, 'SUCCEEDED', 30_000);
    expect(done.inquiry?.accountName).toBeTruthy();
    expect(await ledger(stack, reference)).toEqual([expect.objectContaining({ triggerCalls: 1 })]);
    // Idempotent create still recognises the reference after the roll-over.
    const again = await call(stack, 'POST', '/v1/payouts', { body: ewalletPayout(reference, '081200003333') });
    expect(again.status).toBe(200);
  });
});

describe('continue-as-new keeps what is read without a worker', () => {
  test('the memo (list, GET while no worker answers) and the status search attribute are carried into the new run', async () => {
    // A budget longer than the test: the new run changes no status, so nothing rewrites its memo.
    const longBudget = await startStack({ policy: { statusPollBudgetMs: 10 * 60_000, maxHistoryEvents: 60 } });
    try {
      const reference = uniqueReference('can-memo');
      await call(longBudget, 'POST', '/v1/payouts', { body: ewalletPayout(reference, '081200003333') });
      await waitForStatus(longBudget, reference, 'AWAITING_APPROVAL');
      const handle = longBudget.client.workflow.getHandle(payoutWorkflowId(reference));
      const firstRun = (await handle.describe()).runId;
      expect((await call(longBudget, 'POST', `/v1/payouts/${reference}/approve`, { key: KEYS.approver, body: {} })).status).toBe(200);
      const deadline = Date.now() + 60_000;
      while ((await handle.describe()).runId === firstRun && Date.now() < deadline) await new Promise((r) => setTimeout(r, 300));
      const described = await handle.describe();
      expect(described.runId).not.toBe(firstRun);
      const memo = described.memo?.payout as Payout;
      expect(memo.status).toBe('PROCESSING');
      expect(memo.timeline.map((t) => t.status)).toEqual(['VALIDATING', 'AWAITING_APPROVAL', 'PROCESSING']);
      expect(described.memo?.createFingerprint).toEqual(expect.any(String));
      expect(described.typedSearchAttributes.get(PAYOUT_STATUS)).toBe('PROCESSING');
      const listed = await call<{ items: Payout[] }>(longBudget, 'GET', '/v1/payouts?status=PROCESSING&limit=100');
      expect(listed.body.items.find((p) => p.id === reference)?.status).toBe('PROCESSING');
      await fetch(`${longBudget.simulator.url}/__sim/transactions/${reference}/settle`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"status":"00"}' });
      await waitForStatus(longBudget, reference, 'SUCCEEDED', 20_000);
    } finally {
      await longBudget.stop();
    }
  }, 90_000);
});

describe('a provider record that is not ours', () => {
  const otherTransfer = (reference: string) =>
    createSingapayProvider({ baseUrl: stack.simulator.url, ...stack.simulator.credentials, timeoutMs: 2_000 }).triggerTransfer({
      reference,
      destination: { type: 'EWALLET', ewallet: 'DANA', customerNumber: '081200000000' },
      amount: 20_000,
    });

  test('the provider already knows the reference before our first trigger → NEEDS_ATTENTION, nothing sent', async () => {
    const reference = uniqueReference('collide');
    // Someone else's transfer under the same reference reaches the provider first, for 20000.
    expect((await otherTransfer(reference)).outcome).toBe('ACCEPTED');

    await call(stack, 'POST', '/v1/payouts', { body: ewalletPayout(reference, '081200000000', '10000.00') });
    await waitForStatus(stack, reference, 'AWAITING_APPROVAL');
    await approve(reference);
    const stuck = await waitForStatus(stack, reference, 'NEEDS_ATTENTION', 20_000);
    expect(stuck.attention?.reason).toContain('already has a record');
    expect(stuck.transfer).toBeUndefined();
    await new Promise((r) => setTimeout(r, 1_500));
    const still = await waitForStatus(stack, reference, 'NEEDS_ATTENTION');
    expect(still.failure).toBeUndefined();
    expect(still.timeline.map((t) => t.status)).not.toContain('SUCCEEDED');
    // Only the other transfer's one call: ours was never sent.
    expect(await ledger(stack, reference)).toEqual([expect.objectContaining({ amount: { value: '20000.00', currency: 'IDR' }, triggerCalls: 1 })]);
  });

  test('a record that appears after our check, for another amount → NEEDS_ATTENTION, never settled on it', async () => {
    const reference = uniqueReference('collide-late');
    await call(stack, 'POST', '/v1/payouts', { body: ewalletPayout(reference, '081200000000', '10000.00') });
    await waitForStatus(stack, reference, 'AWAITING_APPROVAL');
    // Our trigger attempts never arrive; meanwhile someone else's transfer takes the reference.
    await fetch(`${stack.simulator.url}/__sim/faults`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ operation: 'trigger', mode: 'timeout', count: 2 }), // = triggerMaxAttempts
    });
    await approve(reference);
    // Once both faults are spent our attempts are held at the simulator; then the other transfer arrives.
    const faultsLeft = async () => ((await (await fetch(`${stack.simulator.url}/__sim/faults`)).json()) as { pending: unknown[] }).pending.length;
    while ((await faultsLeft()) > 0) await new Promise((r) => setTimeout(r, 20));
    expect((await otherTransfer(reference)).outcome).toBe('ACCEPTED');
    // (The short polling budget may make it NEEDS_ATTENTION first; the collision then names the amount.)
    const stuck = await waitForPayout(stack, reference, (p) => p.attention?.reason.includes('amount 20000') === true, 30_000);
    expect(stuck.status).toBe('NEEDS_ATTENTION');
    expect(stuck.failure).toBeUndefined();
    expect(await ledger(stack, reference)).toEqual([expect.objectContaining({ amount: { value: '20000.00', currency: 'IDR' } })]);
  }, 60_000);
});

describe('cancel and schedule', () => {
  test('scheduledAt ahead: approved → SCHEDULED on a durable timer, then submitted at that time', async () => {
    const scheduledAt = new Date(Date.now() + 6_000).toISOString();
    const reference = await createAwaiting('081200000000', { scheduledAt });
    const approved = await approve(reference);
    expect(approved.body.status).toBe('SCHEDULED');
    expect(await ledger(stack, reference)).toHaveLength(0);
    const done = await waitForStatus(stack, reference, 'SUCCEEDED', 30_000);
    expect(Date.parse(done.transfer!.submittedAt!)).toBeGreaterThanOrEqual(Date.parse(scheduledAt));
    expect(await ledger(stack, reference)).toHaveLength(1);
  });

  test('cancel while SCHEDULED → CANCELLED, nothing sent', async () => {
    const reference = await createAwaiting('081200000000', { scheduledAt: new Date(Date.now() + 60_000).toISOString() });
    await approve(reference);
    const cancelled = await call<Payout>(stack, 'POST', `/v1/payouts/${reference}/cancel`, { key: KEYS.requester, body: { reason: 'not needed' } });
    expect(cancelled.status).toBe(200);
    expect(cancelled.body.status).toBe('CANCELLED');
    await waitForStatus(stack, reference, 'CANCELLED');
    expect(await ledger(stack, reference)).toHaveLength(0);
  });
});
