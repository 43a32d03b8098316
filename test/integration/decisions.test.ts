// Decisions against a slow or absent provider and worker, judged by the simulators' ledgers:
// - the cancel race of issue "money safety by construction": a cancel one moment after an approve,
//   while the balance inquiry before the trigger times out; the cancel either wins (200, nothing
//   ever sent) or is refused (409, the payout goes on and pays once), never both and never a 500;
// - decisions answer fast while a provider call stalls for 10 s (provider reads are normal
//   activities, so the workflow is free to take a decision at once);
// - an Idempotency-Key makes a retried decision join the first; without a worker the API answers
//   503 with Retry-After and a problem type saying the decision may still apply.
import type { Payout } from '../../src/domain/payout';
import { call, KEYS, startStack, TEST_POLICY, uniqueReference, waitForPayout, waitForStatus, type TestStack } from '../support/stack';

let stack: TestStack;
beforeAll(async () => {
  // The provider's HTTP timeout is longer than the 10 s stall, so a stall is a slow answer, not a timeout.
  stack = await startStack({ providerTimeoutMs: 1_000, decisionTimeoutMs: 2_000 });
});
afterAll(async () => {
  await stack?.stop();
});

const faspay = (path: string, init?: RequestInit) => fetch(`${stack.faspaySimulator.url}${path}`, init);
const fault = (body: Record<string, unknown>) =>
  faspay('/__sim/faults', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
const transfersOf = async (reference: string) =>
  ((await (await faspay('/__sim/transactions')).json()) as { reference: string; triggerCalls: number }[]).filter((t) => t.reference === reference);

async function bankPayout(label: string): Promise<string> {
  const reference = uniqueReference(label);
  const created = await call(stack, 'POST', '/v1/payouts', {
    body: { reference, destination: { type: 'BANK_ACCOUNT', bankCode: '014', accountNumber: '1234560000' }, amount: { value: '50000.00', currency: 'IDR' } },
  });
  expect(created.status).toBe(201);
  return reference;
}

/** Waits until the provider has seen a trigger call for the reference. */
async function waitForTrigger(reference: string): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (!(await transfersOf(reference)).some((t) => t.triggerCalls > 0)) {
    if (Date.now() > deadline) throw new Error(`no trigger reached the provider for ${reference} in 30 s`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Waits until the payout's workflow has closed: after that nothing can ever be sent for it. */
async function closed(reference: string): Promise<void> {
  await stack.client.workflow.getHandle(`payout-${reference}`).result();
}

/** The message a workflow refused an update with (the client wraps it in WorkflowUpdateFailedError). */
const refusalOf = (update: Promise<unknown>): Promise<string> =>
  update.then(
    () => 'accepted',
    (err: { cause?: { message?: string } }) => err.cause?.message ?? String(err),
  );

const timed = async <T>(fn: () => Promise<T>): Promise<[T, number]> => {
  const started = Date.now();
  const result = await fn();
  return [result, Date.now() - started];
};

describe('the cancel race: approve, then cancel while the balance inquiry times out', () => {
  const RUNS = 50;
  const LANES = 5;
  const outcomes = { cancelled: 0, refused: 0 };

  test(`${RUNS} runs: a cancel wins with nothing sent, or is refused and the payout pays once`, async () => {
    for (let batch = 0; batch < RUNS / LANES; batch++) {
      const references = await Promise.all(Array.from({ length: LANES }, () => bankPayout('race')));
      await Promise.all(references.map((r) => waitForStatus(stack, r, 'AWAITING_APPROVAL')));
      // Three timeouts in a row for each payout's balance inquiry (the last read before the trigger).
      await fault({ operation: 'inquiry', mode: 'timeout', count: 3 * LANES });
      await Promise.all(
        references.map(async (reference, lane) => {
          const approved = await call(stack, 'POST', `/v1/payouts/${reference}/approve`, { key: KEYS.approver, body: {} });
          expect(approved.status).toBe(200);
          if (lane === LANES - 1) {
            // One lane per round cancels only once the trigger reached the provider, so the refused side of
            // the race is taken on any machine, however slow (a loaded CI once took every cancel in time).
            await waitForTrigger(reference);
          } else {
            // The other cancels spread from at once to around the trigger (three 1 s timeouts and retries).
            await new Promise((r) => setTimeout(r, ((batch * LANES + lane) * 97) % 4_500));
          }
          const [cancel, ms] = await timed(() => call<Payout>(stack, 'POST', `/v1/payouts/${reference}/cancel`, { body: { reason: 'race' } }));
          expect([200, 409]).toContain(cancel.status);
          expect(ms).toBeLessThan(3_000);
          if (cancel.status === 200) {
            outcomes.cancelled += 1;
            expect(cancel.body.status).toBe('CANCELLED');
            await closed(reference);
            const final = await call<Payout>(stack, 'GET', `/v1/payouts/${reference}`);
            expect(final.body.status).toBe('CANCELLED');
            expect(final.body.timeline.map((t) => t.status)).toEqual(['VALIDATING', 'AWAITING_APPROVAL', 'PROCESSING', 'CANCELLED']);
            expect(await transfersOf(reference)).toEqual([]);
          } else {
            outcomes.refused += 1;
            const final = await waitForStatus(stack, reference, 'SUCCEEDED', 30_000);
            expect(final.timeline.map((t) => t.status)).not.toContain('CANCELLED');
            expect(await transfersOf(reference)).toHaveLength(1);
          }
        }),
      );
      await faspay('/__sim/faults', { method: 'DELETE' });
    }
    // Both sides of the race were taken, so the test exercised what it claims (the refused side at least
    // by the lanes that cancel after the trigger; the cancelled side by the early cancels).
    expect(outcomes.cancelled).toBeGreaterThan(0);
    expect(outcomes.refused).toBeGreaterThan(0);
  }, 400_000);
});

describe('decisions answer while a provider call stalls for 10 s', () => {
  let slow: TestStack;
  beforeAll(async () => {
    slow = await startStack({ providerTimeoutMs: 15_000, policy: { activityTimeoutMs: 60_000 } });
  });
  afterAll(async () => {
    await slow?.stop();
  });
  const slowFault = (body: Record<string, unknown>) =>
    fetch(`${slow.faspaySimulator.url}/__sim/faults`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

  test('approve and then cancel during a stalled balance inquiry: both under 3 s, and nothing is sent', async () => {
    const reference = uniqueReference('stall');
    await call(slow, 'POST', '/v1/payouts', {
      body: { reference, destination: { type: 'BANK_ACCOUNT', bankCode: '014', accountNumber: '1234560000' }, amount: { value: '50000.00', currency: 'IDR' } },
    });
    await waitForStatus(slow, reference, 'AWAITING_APPROVAL');
    await slowFault({ operation: 'inquiry', mode: 'latency', latencyMs: 10_000, count: 1 });
    const [approved, approveMs] = await timed(() => call<Payout>(slow, 'POST', `/v1/payouts/${reference}/approve`, { key: KEYS.approver, body: {} }));
    expect(approved.status).toBe(200);
    await new Promise((r) => setTimeout(r, 1_000)); // the balance inquiry is now stalled
    const [cancelled, cancelMs] = await timed(() => call<Payout>(slow, 'POST', `/v1/payouts/${reference}/cancel`, { body: {} }));
    expect(cancelled.status).toBe(200);
    expect(cancelled.body.status).toBe('CANCELLED');
    expect(approveMs).toBeLessThan(3_000);
    expect(cancelMs).toBeLessThan(3_000);
    await slow.client.workflow.getHandle(`payout-${reference}`).result();
    const transfers = ((await (await fetch(`${slow.faspaySimulator.url}/__sim/transactions`)).json()) as { reference: string }[]).filter(
      (t) => t.reference === reference,
    );
    expect(transfers).toEqual([]);
  }, 60_000);

  test('cancel and reject during a stalled account inquiry answer under 3 s', async () => {
    const reference = uniqueReference('stall-inq');
    await slowFault({ operation: 'inquiry', mode: 'latency', latencyMs: 10_000, count: 1 });
    await call(slow, 'POST', '/v1/payouts', {
      body: { reference, destination: { type: 'BANK_ACCOUNT', bankCode: '014', accountNumber: '1234560000' }, amount: { value: '50000.00', currency: 'IDR' } },
    });
    await new Promise((r) => setTimeout(r, 1_000));
    const [rejected, rejectMs] = await timed(() => call(slow, 'POST', `/v1/payouts/${reference}/reject`, { key: KEYS.approver, body: { reason: 'no' } }));
    expect(rejected.status).toBe(409); // still VALIDATING
    const [cancelled, cancelMs] = await timed(() => call<Payout>(slow, 'POST', `/v1/payouts/${reference}/cancel`, { body: {} }));
    expect(cancelled.status).toBe(200);
    expect(rejectMs).toBeLessThan(3_000);
    expect(cancelMs).toBeLessThan(3_000);
    const final = await waitForStatus(slow, reference, 'CANCELLED');
    expect(final.timeline.map((t) => t.status)).toEqual(['VALIDATING', 'CANCELLED']);
  }, 60_000);
});

describe('Idempotency-Key and 503', () => {
  test('a decision retried with the same Idempotency-Key joins the first; without one the retry is refused', async () => {
    const reference = await bankPayout('idem');
    await waitForStatus(stack, reference, 'AWAITING_APPROVAL');
    const first = await call<Payout>(stack, 'POST', `/v1/payouts/${reference}/approve`, { key: KEYS.approver, body: {}, headers: { 'idempotency-key': 'k-1' } });
    const again = await call<Payout>(stack, 'POST', `/v1/payouts/${reference}/approve`, { key: KEYS.approver, body: {}, headers: { 'idempotency-key': 'k-1' } });
    expect(first.status).toBe(200);
    expect(again.status).toBe(200);
    expect(again.body.approval).toEqual(first.body.approval);
    const unkeyed = await call(stack, 'POST', `/v1/payouts/${reference}/approve`, { key: KEYS.approver, body: {} });
    expect(unkeyed.status).toBe(409);
    await waitForStatus(stack, reference, 'SUCCEEDED');
    expect(await transfersOf(reference)).toHaveLength(1);
  }, 60_000);

  test('a malformed Idempotency-Key is a 400', async () => {
    const reference = await bankPayout('idem-bad');
    const res = await call(stack, 'POST', `/v1/payouts/${reference}/approve`, { key: KEYS.approver, body: {}, headers: { 'idempotency-key': 'has space' } });
    expect(res.status).toBe(400);
    expect(res.contentType).toContain('application/problem+json');
  });

  test('with no worker, a decision answers 503 with Retry-After and the decision-outcome-unknown problem, within its timeout', async () => {
    const local = await startStack({ decisionTimeoutMs: 1_500 });
    try {
      const reference = uniqueReference('noworker-decision');
      await call(local, 'POST', '/v1/payouts', {
        body: { reference, destination: { type: 'BANK_ACCOUNT', bankCode: '014', accountNumber: '1234560000' }, amount: { value: '50000.00', currency: 'IDR' } },
      });
      await waitForStatus(local, reference, 'AWAITING_APPROVAL');
      local.worker.shutdown();
      await new Promise((r) => setTimeout(r, 1_500));
      const [pending, ms] = await timed(() =>
        call<{ type: string; detail: string }>(local, 'POST', `/v1/payouts/${reference}/approve`, { key: KEYS.approver, body: {}, headers: { 'idempotency-key': 'retry-me' } }),
      );
      expect(pending.status).toBe(503);
      expect(pending.headers.get('retry-after')).toMatch(/^\d+$/);
      expect(pending.contentType).toContain('application/problem+json');
      expect(pending.body.type).toBe('https://payouts.local/problems/decision-outcome-unknown');
      expect(pending.body.detail).toContain(`/v1/payouts/${reference}`);
      expect(ms).toBeLessThan(5_000);
    } finally {
      await local.stop();
    }
  }, 60_000);
});

describe('resolve', () => {
  test('only a payout that needs attention can be resolved, only by an admin', async () => {
    const reference = await bankPayout('resolve-early');
    await waitForStatus(stack, reference, 'AWAITING_APPROVAL');
    const byApprover = await call(stack, 'POST', `/v1/payouts/${reference}/resolve`, { key: KEYS.approver, body: { outcome: 'FAILED', reason: 'x' } });
    expect(byApprover.status).toBe(403);
    const notNeeded = await call(stack, 'POST', `/v1/payouts/${reference}/resolve`, { key: KEYS.admin, body: { outcome: 'FAILED', reason: 'x' } });
    expect(notNeeded.status).toBe(409);
    const bad = await call(stack, 'POST', `/v1/payouts/${reference}/resolve`, { key: KEYS.admin, body: { outcome: 'MAYBE', reason: 'x' } });
    expect(bad.status).toBe(400);
  });

  test('a reference the provider already knows sends nothing, waits for an admin, and the resolution is final', async () => {
    // The provider knows the reference from before, as after Temporal's retention forgot the first
    // payout: a transfer under it exists at the simulator, made by an earlier payout.
    const reference = uniqueReference('known');
    const first = await bankPayout('known-first');
    await waitForStatus(stack, first, 'AWAITING_APPROVAL');
    expect((await call(stack, 'POST', `/v1/payouts/${first}/approve`, { key: KEYS.approver, body: {} })).status).toBe(200);
    await waitForStatus(stack, first, 'SUCCEEDED');
    // A second workflow with the same provider reference cannot be made through the API (the id is
    // refused), so start one directly, as a create after retention would.
    const firstPayout = (await call<Payout>(stack, 'GET', `/v1/payouts/${first}`)).body;
    const handle = await stack.client.workflow.start('payoutWorkflow', {
      taskQueue: stack.taskQueue,
      workflowId: `payout-${reference}`,
      args: [
        {
          request: {
            reference: first,
            destination: firstPayout.destination,
            amount: 50_000,
            provider: 'faspay',
            requestedBy: 'requester@local',
            createdAt: new Date().toISOString(),
            approvalTimeoutMs: 60_000,
          },
          policy: TEST_POLICY,
        },
      ],
    });
    await waitForStatus(stack, reference, 'AWAITING_APPROVAL');
    await handle.executeUpdate('approvePayout', { args: [{ principal: 'approver@local' }] });
    await waitForPayout(stack, reference, (p) => p.status === 'NEEDS_ATTENTION', 30_000);
    const attention = await handle.query<Payout>('getPayout');
    expect(attention.status).toBe('NEEDS_ATTENTION');
    expect(attention.attention?.reason).toContain('already has a record');
    expect(attention.transfer).toBeUndefined();
    expect(await transfersOf(first)).toHaveLength(1);
    expect((await transfersOf(first))[0]!.triggerCalls).toBe(1);

    // Cancel is refused from NEEDS_ATTENTION; the requester cannot resolve (four eyes); an admin can.
    expect(await refusalOf(handle.executeUpdate('cancelPayout', { args: [{ principal: 'requester@local' }] }))).toMatch(/cannot be cancelled/);
    expect(await refusalOf(handle.executeUpdate('resolvePayout', { args: [{ principal: ' Requester@Local ', outcome: 'SUCCEEDED', reason: 'x' }] }))).toMatch(
      /cannot resolve/,
    );
    const resolved = await handle.executeUpdate<Payout, [unknown]>('resolvePayout', {
      args: [{ principal: 'admin@local', outcome: 'FAILED', reason: 'duplicate of an earlier payout' }],
    });
    expect(resolved.status).toBe('FAILED');
    expect(resolved.resolution).toMatchObject({ outcome: 'FAILED', by: 'admin@local', reason: 'duplicate of an earlier payout' });
    expect(resolved.timeline.map((t) => t.status)).toEqual(['VALIDATING', 'AWAITING_APPROVAL', 'PROCESSING', 'NEEDS_ATTENTION', 'FAILED']);
    const result = (await handle.result()) as Payout;
    expect(result.status).toBe('FAILED');
    expect(await transfersOf(first)).toHaveLength(1);
  }, 90_000);
});

describe('four eyes with principals that differ only in spelling', () => {
  test('a raw signal from "Requester@Local " does not approve a payout requested by requester@local', async () => {
    const reference = await bankPayout('spelling');
    await waitForStatus(stack, reference, 'AWAITING_APPROVAL');
    const handle = stack.client.workflow.getHandle(`payout-${reference}`);
    await handle.signal('approve', { principal: 'Requester@Local ' });
    expect(await refusalOf(handle.executeUpdate('approvePayout', { args: [{ principal: 'REQUESTER@local' }] }))).toMatch(/cannot approve/);
    await new Promise((r) => setTimeout(r, 500));
    expect((await call<Payout>(stack, 'GET', `/v1/payouts/${reference}`)).body.status).toBe('AWAITING_APPROVAL');
    await handle.signal('approve', { principal: ' Approver@Local' });
    const approved = await waitForPayout(stack, reference, (p) => p.status !== 'AWAITING_APPROVAL');
    expect(approved.approval?.by).toBe('approver@local');
  }, 60_000);
});
