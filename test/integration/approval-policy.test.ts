// Approval policies (issue 15) on the real dev server, through the real API, judged by the simulators'
// ledgers: a payout above the threshold needs two distinct approvers (four eyes, no approver twice,
// one rejection ends it, two approvals at the same moment count once each and pay once); a policy
// change does not change an open payout's tier; auto-approval happens only within its bounds.
import type { Payout } from '../../src/domain/payout';
import { call, ewalletPayout, startStack, uniqueReference, type TestStack } from '../support/stack';
import { apiKeysOf, clearOfJakartaMidnight, approvalPolicy, approve, danaNumber, getPayout, ledgers, named, person, reject, sleep, waitUntil, type Person } from '../support/approvals';

const requester = person('requester', ['requester', 'approver']);
const approvers = [person('approver-a', ['approver']), person('approver-b', ['approver']), person('approver-c', ['approver'])] as const;
const [first, second, third] = approvers;
const watcher = person('watcher', ['admin']);
const bot = named(`payroll-bot-${Date.now().toString(36)}@acme`, ['requester']);
const overBot = named(`over-bot-${Date.now().toString(36)}@acme`, ['requester']);
const people: Person[] = [watcher, requester, ...approvers, bot, overBot];

const TIERS = [
  { minAmount: '0.00', approvals: 1 },
  { minAmount: '100000.00', approvals: 2 },
];
/** Policy A: two approvers from 100,000.00. */
const POLICY_A = approvalPolicy({ tiers: TIERS });
/** Policy C: A's tiers; the bots' payouts up to 100,000.00 approve themselves; 150,000.00 per requester and day. */
const POLICY_C = approvalPolicy({
  tiers: TIERS,
  autoApprove: { maxAmount: '100000.00', requesters: [bot.principal, overBot.principal] },
  limits: { perRequesterPerDay: '150000.00' },
});
/** Policy B, configured later: one approver for any amount. */
const POLICY_B = approvalPolicy({ tiers: [{ minAmount: '0.00', approvals: 1 }] });

let stack: TestStack;
beforeAll(async () => {
  // The limits are per Jakarta day: this file's reservations and readings stay on one day.
  await clearOfJakartaMidnight(150_000);
  stack = await startStack({ approvals: POLICY_A, apiKeys: apiKeysOf(people), providerTimeoutMs: 5_000, decisionTimeoutMs: 10_000 });
}, 210_000);
afterAll(async () => {
  await stack?.stop();
});

async function create(on: { apiUrl: string }, by: Person, value: string, suffix = '0000'): Promise<string> {
  const reference = uniqueReference('pol');
  const created = await call<Payout>(on, 'POST', '/v1/payouts', { key: by.key, body: ewalletPayout(reference, danaNumber(suffix), value, { approvalTimeout: 'PT3M' }) });
  expect(created.status).toBe(201);
  return reference;
}

const awaiting = async (reference: string) => waitUntil(stack, watcher.key, reference, 'AWAITING_APPROVAL');
const statuses = (payout: Payout) => payout.timeline.map((entry) => entry.status);

describe('a payout above the threshold needs two distinct approvers', () => {
  test('one approval leaves it waiting; the same approver twice is 409, its requester 403; the second approver pays it once', async () => {
    const reference = await create(stack, requester, '150000.00');
    const waiting = await awaiting(reference);
    expect(waiting).toMatchObject({ approvalsRequired: 2, approvals: [], policy: POLICY_A.id });

    const once = await approve(stack, reference, first.key, 'looks right');
    expect(once.status).toBe(200);
    expect(once.body.status).toBe('AWAITING_APPROVAL');
    expect(once.body.approvalsRequired).toBe(2);
    expect(once.body.approvals).toHaveLength(1);
    expect(once.body.approvals![0]).toMatchObject({ by: first.principal, comment: 'looks right' });

    const twice = await approve(stack, reference, first.key);
    expect(twice.status).toBe(409);
    expect(twice.body.type).toMatch(/already-approved$/);
    const own = await approve(stack, reference, requester.key);
    expect(own.status).toBe(403);
    expect(own.body.type).toMatch(/four-eyes$/);

    // Nothing moved yet, and the refusals changed nothing.
    const still = await getPayout(stack, reference, watcher.key);
    expect(still.status).toBe('AWAITING_APPROVAL');
    expect(still.approvals).toHaveLength(1);
    expect(await ledgers(stack, [reference])).toEqual([]);

    const last = await approve(stack, reference, second.key);
    expect(last.status).toBe(200);
    expect(last.body.status).toBe('PROCESSING');
    expect(last.body.approvals!.map((a) => a.by)).toEqual([first.principal, second.principal]);
    const done = await waitUntil(stack, watcher.key, reference, 'SUCCEEDED');
    expect(done.approval).toMatchObject({ decision: 'APPROVED', by: second.principal });
    expect(statuses(done)).toEqual(['VALIDATING', 'AWAITING_APPROVAL', 'PROCESSING', 'SUCCEEDED']);
    const paid = await ledgers(stack, [reference]);
    expect(paid).toHaveLength(1);
    expect(paid[0]!.triggerCalls).toBe(1);
  });

  test('below the threshold one approval is enough', async () => {
    const reference = await create(stack, requester, '99999.00');
    expect(await awaiting(reference)).toMatchObject({ approvalsRequired: 1 });
    const approved = await approve(stack, reference, first.key);
    expect(approved.status).toBe(200);
    expect(approved.body.status).toBe('PROCESSING');
    await waitUntil(stack, watcher.key, reference, 'SUCCEEDED');
    expect(await ledgers(stack, [reference])).toHaveLength(1);
  });

  test('one rejection after one approval rejects it, and nothing is paid', async () => {
    const reference = await create(stack, requester, '150000.00');
    await awaiting(reference);
    expect((await approve(stack, reference, first.key)).status).toBe(200);
    const rejected = await reject(stack, reference, second.key, 'wrong beneficiary');
    expect(rejected.status).toBe(200);
    expect(rejected.body.status).toBe('REJECTED');
    const late = await approve(stack, reference, third.key);
    expect(late.status).toBe(409);
    await stack.client.workflow.getHandle(`payout-${reference}`).result();
    const final = await getPayout(stack, reference, watcher.key);
    expect(final.status).toBe('REJECTED');
    expect(final.approval).toMatchObject({ decision: 'REJECTED', by: second.principal });
    expect(await ledgers(stack, [reference])).toEqual([]);
  });

  test('two approvers at the same moment count once each: it proceeds and is paid exactly once', async () => {
    const references = await Promise.all(Array.from({ length: 5 }, () => create(stack, requester, '150000.00')));
    await Promise.all(references.map(awaiting));
    for (const reference of references) {
      const answers = await Promise.all([approve(stack, reference, first.key), approve(stack, reference, second.key)]);
      expect(answers.map((a) => a.status)).toEqual([200, 200]);
      // Each answer is the document when that approval completed: at least one shows the decision.
      expect(answers.map((a) => a.body.status)).toContain('PROCESSING');
      for (const answer of answers) expect(['AWAITING_APPROVAL', 'PROCESSING']).toContain(answer.body.status);
    }
    for (const reference of references) {
      const done = await waitUntil(stack, watcher.key, reference, 'SUCCEEDED');
      expect(done.approvals!.map((a) => a.by).sort()).toEqual([first.principal, second.principal].sort());
      const paid = await ledgers(stack, [reference]);
      expect(paid).toHaveLength(1);
      expect(paid[0]!.triggerCalls).toBe(1);
    }
  });

  test('three approvers at the same moment for two approvals: two count, the third is refused, paid once', async () => {
    const reference = await create(stack, requester, '150000.00');
    await awaiting(reference);
    const answers = await Promise.all(approvers.map((approver) => approve(stack, reference, approver.key)));
    expect(answers.map((a) => a.status).sort()).toEqual([200, 200, 409]);
    const done = await waitUntil(stack, watcher.key, reference, 'SUCCEEDED');
    expect(done.approvals).toHaveLength(2);
    expect(new Set(done.approvals!.map((a) => a.by)).size).toBe(2);
    expect(await ledgers(stack, [reference])).toHaveLength(1);
  });
});

describe('a policy change does not change an open payout', () => {
  let later: TestStack;
  beforeAll(async () => {
    // The API restarted with policy B: same namespace, same people.
    later = await startStack({ approvals: POLICY_B, apiKeys: apiKeysOf(people), providerTimeoutMs: 5_000, decisionTimeoutMs: 10_000 });
  });
  afterAll(async () => {
    await later?.stop();
  });

  test('a payout created under A keeps needing two approvers when approved through an API with policy B; new payouts follow B', async () => {
    expect(POLICY_B.id).not.toBe(POLICY_A.id);
    const reference = await create(stack, requester, '150000.00');
    await awaiting(reference);

    const throughB = await approve(later, reference, first.key);
    expect(throughB.status).toBe(200);
    expect(throughB.body).toMatchObject({ status: 'AWAITING_APPROVAL', approvalsRequired: 2, policy: POLICY_A.id });
    expect(throughB.body.approvals).toHaveLength(1);
    expect((await getPayout(later, reference, watcher.key)).status).toBe('AWAITING_APPROVAL');

    const secondThroughB = await approve(later, reference, second.key);
    expect(secondThroughB.status).toBe(200);
    expect(secondThroughB.body.status).toBe('PROCESSING');
    await waitUntil(stack, watcher.key, reference, 'SUCCEEDED');
    expect(await ledgers(stack, [reference])).toHaveLength(1);

    // A payout created under B needs one approver, whatever its amount.
    const underB = await create(later, requester, '150000.00');
    const waiting = await waitUntil(later, watcher.key, underB, 'AWAITING_APPROVAL');
    expect(waiting).toMatchObject({ approvalsRequired: 1, policy: POLICY_B.id });
    const approved = await approve(later, underB, first.key);
    expect(approved.status).toBe(200);
    expect(approved.body.status).toBe('PROCESSING');
    await waitUntil(later, watcher.key, underB, 'SUCCEEDED');
    expect(await ledgers(later, [underB])).toHaveLength(1);
  });
});

describe('auto-approval happens only within its bounds', () => {
  let auto: TestStack;
  beforeAll(async () => {
    auto = await startStack({ approvals: POLICY_C, apiKeys: apiKeysOf(people), providerTimeoutMs: 5_000, decisionTimeoutMs: 10_000 });
  });
  afterAll(async () => {
    await auto?.stop();
  });
  const awaitingHere = async (reference: string) => waitUntil(auto, watcher.key, reference, 'AWAITING_APPROVAL');

  test('a listed requester at or under maxAmount is approved by the policy: VALIDATING → AWAITING_APPROVAL → PROCESSING', async () => {
    const reference = await create(auto, bot, '100000.00');
    const done = await waitUntil(auto, watcher.key, reference, 'SUCCEEDED');
    expect(done.approval).toMatchObject({ decision: 'APPROVED', by: 'policy' });
    expect(done.approvals!.map((a) => a.by)).toEqual(['policy']);
    expect(statuses(done)).toEqual(['VALIDATING', 'AWAITING_APPROVAL', 'PROCESSING', 'SUCCEEDED']);
    expect(await ledgers(auto, [reference])).toHaveLength(1);
  });

  test('above maxAmount, or from an unlisted requester, a payout waits for a person', async () => {
    const above = await create(auto, bot, '100001.00');
    const unlisted = await create(auto, requester, '50000.00');
    await Promise.all([awaitingHere(above), awaitingHere(unlisted)]);
    await sleep(2_000);
    for (const reference of [above, unlisted]) {
      const payout = await getPayout(auto, reference, watcher.key);
      expect(payout.status).toBe('AWAITING_APPROVAL');
      expect(payout.approvals).toEqual([]);
      expect(payout.approval).toBeUndefined();
    }
    expect(await ledgers(auto, [above, unlisted])).toEqual([]);
    // A person decides as for any other payout (the bot's is above the threshold: two people).
    expect((await approve(auto, unlisted, first.key)).body.status).toBe('PROCESSING');
    await waitUntil(auto, watcher.key, unlisted, 'SUCCEEDED');
    expect(await reject(auto, above, first.key)).toMatchObject({ status: 200 });
  });

  test('a listed requester over its daily limit waits for a person, who is refused too until it fits', async () => {
    // 150,000.00 a day: 90,000 approves itself, the next 90,000 would exceed it.
    const fits = await create(auto, overBot, '90000.00');
    await waitUntil(auto, watcher.key, fits, (p) => p.approval?.decision === 'APPROVED');
    const over = await create(auto, overBot, '90000.00');
    await awaitingHere(over);
    await sleep(2_000);
    const waiting = await getPayout(auto, over, watcher.key);
    expect(waiting.status).toBe('AWAITING_APPROVAL');
    expect(waiting.approvals).toEqual([]);
    const refused = await approve(auto, over, first.key);
    expect(refused.status).toBe(409);
    expect(refused.body.type).toMatch(/limit-exceeded$/);
    expect(refused.body).toMatchObject({ scope: 'requester', remaining: { value: '60000.00', currency: 'IDR' }, requested: { value: '90000.00', currency: 'IDR' } });
    await waitUntil(auto, watcher.key, fits, 'SUCCEEDED');
    expect(await ledgers(auto, [fits, over])).toHaveLength(1);
    expect((await reject(auto, over, first.key)).status).toBe(200);
  });
});
