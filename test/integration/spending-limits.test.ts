// Daily spending limits (issue 15) on the real dev server, through the real API, judged by the
// simulators' ledgers: 50 approvals at once of payouts that together exceed a requester's daily limit
// never approve more than the limit (the rest are refused with what remains, GET /v1/limits agrees,
// the ledger pays no more); amounts come back when a payout fails at the provider or is cancelled
// while scheduled, and a payout refused before then approves; destination limits across requesters.
import { WithStartWorkflowOperation, WorkflowIdConflictPolicy } from '@temporalio/client';
import type { Payout } from '../../src/domain/payout';
import { jakartaDay } from '../../src/domain/approval-policy';
import { deriveScopeKey, spendingWorkflowId } from '../../src/approvals/scope-id';
import { developmentWebhookSettings } from '../../src/webhooks/settings';
import { reserveSpendingUpdate } from '../../workflows/spending-messages';
import { call, ewalletPayout, startStack, uniqueReference, type TestStack } from '../support/stack';
import { apiKeysOf, clearOfJakartaMidnight, approvalPolicy, approve, cancel, danaNumber, ledgers, limits, person, rupiah, sleep, waitUntil, type Person } from '../support/approvals';

const watcher = person('watcher', ['admin']);
const approvers = Array.from({ length: 5 }, (_, i) => person(`approver-${i}`, ['approver']));
const requesters = {
  many: person('many', ['requester']),
  failing: person('failing', ['requester']),
  scheduled: person('scheduled', ['requester']),
  left: person('left', ['requester']),
  right: person('right', ['requester']),
  busy: person('busy', ['requester']),
};
const people: Person[] = [watcher, ...approvers, ...Object.values(requesters)];
const approver = approvers[0]!;

const LIMIT = 1_000_000;
const POLICY = approvalPolicy({
  tiers: [{ minAmount: '0.00', approvals: 1 }],
  limits: { perRequesterPerDay: '1000000.00', perDestinationPerDay: '1000000.00' },
});

let stack: TestStack;
beforeAll(async () => {
  // The limits are per Jakarta day: this file's reservations and readings stay on one day.
  await clearOfJakartaMidnight(240_000);
  stack = await startStack({ approvals: POLICY, apiKeys: apiKeysOf(people), providerTimeoutMs: 5_000, decisionTimeoutMs: 20_000 });
}, 300_000);
afterAll(async () => {
  await stack?.stop();
}, 120_000);

async function create(by: Person, value: string, number = danaNumber('0000'), extra: Record<string, unknown> = {}): Promise<string> {
  const reference = uniqueReference('lim');
  const created = await call<Payout>(stack, 'POST', '/v1/payouts', { key: by.key, body: ewalletPayout(reference, number, value, { approvalTimeout: 'PT3M', ...extra }) });
  expect(created.status).toBe(201);
  expect(created.body.approvalsRequired).toBe(1);
  return reference;
}
const awaiting = (reference: string) => waitUntil(stack, watcher.key, reference, 'AWAITING_APPROVAL');

async function usedBy(requester: Person): Promise<number> {
  const view = await limits(stack, approver.key, { requester: requester.principal });
  expect(view.status).toBe(200);
  return rupiah(view.body.requester!.used);
}
async function waitForUsed(requester: Person, expected: number, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let used = NaN;
  while (Date.now() < deadline) {
    used = await usedBy(requester);
    if (used === expected) return;
    await sleep(200);
  }
  throw new Error(`${requester.principal} used ${used}, not ${expected}, after ${timeoutMs} ms`);
}

describe('a daily per-requester limit under 50 approvals at once', () => {
  test('50 payouts of 50,000.00 against 1,000,000.00: at most 20 approved, the rest refused with what remains, paid no more than the limit', async () => {
    const AMOUNT = 50_000;
    const references: string[] = [];
    for (let i = 0; i < 5; i += 1) references.push(...(await Promise.all(Array.from({ length: 10 }, () => create(requesters.many, '50000.00')))));
    // One poller at a time: the 50 inquiries run meanwhile anyway.
    for (const reference of references) await waitUntil(stack, watcher.key, reference, 'AWAITING_APPROVAL', 60_000);

    const started = Date.now();
    const answers = await Promise.all(references.map((reference, i) => approve(stack, reference, approvers[i % approvers.length]!.key)));
    const approvalMs = Date.now() - started;
    const refused = answers.filter((answer) => answer.status === 409);
    const others = answers.filter((answer) => answer.status !== 200 && answer.status !== 409);
    console.log(`50 approvals at once in ${approvalMs} ms: ${answers.filter((a) => a.status === 200).length} approved, ${refused.length} refused, others ${JSON.stringify(others.map((a) => [a.status, a.body.type]))}`);
    // Only answers the API documents for a slow decision: 503 "the outcome is not known yet" (it may still apply).
    for (const answer of others) expect(answer.body.type).toMatch(/decision-outcome-unknown$/);
    // What happened, by the payouts themselves: approved or still waiting, nothing else.
    await sleep(others.length > 0 ? 10_000 : 0);
    const settled = await Promise.all(references.map((reference) => waitUntil(stack, watcher.key, reference, (p) => p.status !== 'VALIDATING')));
    for (const payout of settled) expect(['AWAITING_APPROVAL', 'PROCESSING', 'SUCCEEDED']).toContain(payout.status);
    const approved = references.filter((_, i) => settled[i]!.approval?.decision === 'APPROVED');
    for (const [i, answer] of answers.entries()) if (answer.status === 200) expect(approved).toContain(references[i]);
    expect(approved.length * AMOUNT).toBeLessThanOrEqual(LIMIT);
    // Nothing else was using the requester's limit: exactly as many fit as the limit holds.
    expect(approved.length).toBe(LIMIT / AMOUNT);
    for (const answer of refused) {
      expect(answer.body.type).toMatch(/limit-exceeded$/);
      expect(answer.body.scope).toBe('requester');
      expect(answer.body.limit).toEqual({ value: '1000000.00', currency: 'IDR' });
      expect(answer.body.requested).toEqual({ value: '50000.00', currency: 'IDR' });
      expect(rupiah(answer.body.remaining)).toBeLessThan(AMOUNT);
      expect(rupiah(answer.body.used) + rupiah(answer.body.remaining)).toBe(LIMIT);
      expect(answer.body.day).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    }

    const view = await limits(stack, approver.key, { requester: requesters.many.principal });
    expect(view.status).toBe(200);
    expect(view.body).toMatchObject({ timeZone: 'Asia/Jakarta', policy: POLICY.id });
    expect(view.body.requester).toMatchObject({ principal: requesters.many.principal, limit: { value: '1000000.00', currency: 'IDR' } });
    expect(rupiah(view.body.requester!.used)).toBe(approved.length * AMOUNT);
    expect(rupiah(view.body.requester!.remaining)).toBe(LIMIT - approved.length * AMOUNT);
    // The requester sees its own figures.
    const own = await limits(stack, requesters.many.key, {});
    expect(own.status).toBe(200);
    expect(rupiah(own.body.requester!.used)).toBe(approved.length * AMOUNT);

    await Promise.all(approved.map((reference) => waitUntil(stack, watcher.key, reference, 'SUCCEEDED', 60_000)));
    const paid = await ledgers(stack, references);
    expect(paid.map((row) => row.reference).sort()).toEqual([...approved].sort());
    expect(paid.reduce((sum, row) => sum + rupiah(row.amount), 0)).toBeLessThanOrEqual(LIMIT);
    // A payout that succeeded keeps its share.
    expect(await usedBy(requesters.many)).toBe(approved.length * AMOUNT);
    // Every approver had its answer within the decision timeout.
    expect(others).toEqual([]);
  }, 170_000);
});

describe('released amounts become available again', () => {
  test('a payout that fails at the provider gives its amount back, and one refused before then approves', async () => {
    // 1,000,000.00 for this requester: 600,000 approved; 500,000 is refused; the 600,000 fails (2222).
    const failing = await create(requesters.failing, '600000.00', danaNumber('2222'));
    const waiting = await create(requesters.failing, '500000.00');
    await Promise.all([awaiting(failing), awaiting(waiting)]);
    expect((await approve(stack, failing, approver.key)).status).toBe(200);
    expect(await usedBy(requesters.failing)).toBe(600_000);
    const refused = await approve(stack, waiting, approver.key);
    expect(refused.status).toBe(409);
    expect(refused.body).toMatchObject({ scope: 'requester', remaining: { value: '400000.00', currency: 'IDR' } });

    const failed = await waitUntil(stack, watcher.key, failing, 'FAILED');
    expect(failed.failure).toBeDefined();
    await waitForUsed(requesters.failing, 0);
    const now = await approve(stack, waiting, approver.key);
    expect(now.status).toBe(200);
    await waitUntil(stack, watcher.key, waiting, 'SUCCEEDED');
    expect(await usedBy(requesters.failing)).toBe(500_000);
    const paid = await ledgers(stack, [failing, waiting]);
    expect(paid.find((row) => row.reference === waiting)).toMatchObject({ status: expect.any(String) });
    expect(paid.filter((row) => row.reference === failing).every((row) => row.status !== 'SUCCESS' && row.status !== '00')).toBe(true);
  });

  test('a payout cancelled while SCHEDULED gives its amount back, and one refused before then approves', async () => {
    const scheduledAt = new Date(Date.now() + 10 * 60_000).toISOString().replace('Z', '+00:00');
    const scheduled = await create(requesters.scheduled, '700000.00', danaNumber('0000'), { scheduledAt });
    const waiting = await create(requesters.scheduled, '400000.00');
    await Promise.all([awaiting(scheduled), awaiting(waiting)]);
    const approved = await approve(stack, scheduled, approver.key);
    expect(approved.status).toBe(200);
    expect(approved.body.status).toBe('SCHEDULED');
    expect(await usedBy(requesters.scheduled)).toBe(700_000);
    const refused = await approve(stack, waiting, approver.key);
    expect(refused.status).toBe(409);
    expect(refused.body).toMatchObject({ type: expect.stringMatching(/limit-exceeded$/), remaining: { value: '300000.00', currency: 'IDR' } });

    const cancelled = await cancel(stack, scheduled, requesters.scheduled.key);
    expect(cancelled.status).toBe(200);
    expect(cancelled.body.status).toBe('CANCELLED');
    await waitForUsed(requesters.scheduled, 0);
    expect((await approve(stack, waiting, approver.key)).status).toBe(200);
    await waitUntil(stack, watcher.key, waiting, 'SUCCEEDED');
    expect(await usedBy(requesters.scheduled)).toBe(400_000);
    expect((await ledgers(stack, [scheduled, waiting])).map((row) => row.reference)).toEqual([waiting]);
  });
});

describe('a destination limit holds across requesters', () => {
  test('two requesters paying one account: the second approval is refused on the destination scope; GET /v1/limits shows it masked', async () => {
    const number = danaNumber('0000');
    const one = await create(requesters.left, '600000.00', number);
    const other = await create(requesters.right, '600000.00', number);
    await Promise.all([awaiting(one), awaiting(other)]);
    expect((await approve(stack, one, approver.key)).status).toBe(200);
    const refused = await approve(stack, other, approver.key);
    expect(refused.status).toBe(409);
    expect(refused.body).toMatchObject({
      scope: 'destination',
      limit: { value: '1000000.00', currency: 'IDR' },
      used: { value: '600000.00', currency: 'IDR' },
      remaining: { value: '400000.00', currency: 'IDR' },
      requested: { value: '600000.00', currency: 'IDR' },
    });
    // The refused approval reserved nothing anywhere: the other requester's scope is untouched.
    expect(await usedBy(requesters.right)).toBe(0);

    const view = await limits(stack, approver.key, { destination: number });
    expect(view.status).toBe(200);
    expect(view.body.destination).toMatchObject({ limit: { value: '1000000.00', currency: 'IDR' }, used: { value: '600000.00', currency: 'IDR' } });
    expect(view.body.destination!.accountNumber).not.toBe(number);
    expect(view.body.destination!.accountNumber.endsWith(number.slice(-4))).toBe(true);
    // A requester sees neither another requester's figures nor a destination's.
    expect((await limits(stack, requesters.left.key, { requester: requesters.right.principal })).status).toBe(403);
    expect((await limits(stack, requesters.left.key, { destination: number })).status).toBe(403);
    await waitUntil(stack, watcher.key, one, 'SUCCEEDED');
    expect((await ledgers(stack, [one, other])).map((row) => row.reference)).toEqual([one]);
  });
});

describe("a scope's workflow continues as new", () => {
  test('GET /v1/limits shows the carried amount after the run hands over (500 updates a run)', async () => {
    // The spending workflow of one requester's day, driven as the limit activities drive it (update-with-start), 510 times.
    const day = jakartaDay(Date.now());
    const workflowId = spendingWorkflowId(deriveScopeKey(developmentWebhookSettings().masterKey), stack.taskQueue, 'requester', requesters.busy.principal, day);
    const reserve = (holder: string) =>
      stack.client.workflow.executeUpdateWithStart(reserveSpendingUpdate, {
        args: [{ holds: [{ holder, amount: 1_000 }], limit: LIMIT }],
        startWorkflowOperation: new WithStartWorkflowOperation('spendingLimitWorkflow', {
          workflowId,
          taskQueue: stack.taskQueue,
          args: [{ kind: 'requester', day }],
          workflowIdConflictPolicy: WorkflowIdConflictPolicy.USE_EXISTING,
        }),
      });
    const firstRun = (await stack.client.workflow.getHandle(workflowId).describe().catch(() => undefined))?.runId;
    expect(firstRun).toBeUndefined();
    for (let i = 0; i < 500; i += 10) {
      const answers = await Promise.all(Array.from({ length: 10 }, (_, j) => reserve(`busy-${i + j}`)));
      expect(answers.every((answer) => answer.ok)).toBe(true);
    }
    // The 500th update handed the run over; nothing came after it: the new run's memo must say what it holds.
    const deadline = Date.now() + 20_000;
    let runs = 0;
    while (Date.now() < deadline && runs < 2) {
      runs = 0;
      for await (const _ of stack.client.workflow.list({ query: `WorkflowId = '${workflowId}'` })) runs += 1;
      if (runs < 2) await sleep(250);
    }
    expect(runs).toBe(2);
    await sleep(500);
    expect(await usedBy(requesters.busy)).toBe(500_000);
    // And the new run goes on counting.
    expect((await reserve('busy-500')).ok).toBe(true);
    expect(await usedBy(requesters.busy)).toBe(501_000);
  }, 150_000);
});
