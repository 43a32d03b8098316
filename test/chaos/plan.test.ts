// The plan is the seed's: the same seed and options give the same payouts, actions and faults.
import { makePlan, POLICY_BOUNDS, SHARED_ACCOUNTS } from './plan';
import { KEYS, policyJson } from './model';
import { parseArgs } from './run';

const options = { seed: 12_345, payouts: 30, workerKills: 2, serverRestarts: 1, faults: true };

test('the same seed gives the same plan, another seed another', () => {
  expect(makePlan(options)).toEqual(makePlan({ ...options }));
  expect(JSON.stringify(makePlan({ ...options, seed: 12_346 }).payouts)).not.toEqual(JSON.stringify(makePlan(options).payouts));
});

test('the plan covers both providers, every destination type, every fault mode, decisions both ways, and the disruptions asked for', () => {
  const plan = makePlan({ ...options, payouts: 200 });
  expect(new Set(plan.payouts.map((p) => p.provider))).toEqual(new Set(['singapay', 'faspay']));
  expect(new Set(plan.payouts.map((p) => p.destination.type))).toEqual(new Set(['EWALLET', 'BANK_ACCOUNT', 'VIRTUAL_ACCOUNT']));
  const modes = new Set(plan.world.flatMap((w) => (w.event.kind === 'fault' ? [w.event.mode] : [])));
  expect([...modes].sort()).toEqual(['accept-then-timeout', 'http500', 'http503', 'latency', 'refuse-duplicate', 'status-lag', 'timeout']);
  expect(plan.world.some((w) => w.event.kind === 'no-balance')).toBe(true);
  const actions = plan.payouts.flatMap((p) => p.actions);
  for (const decision of ['approve', 'reject', 'cancel']) {
    for (const via of ['api', 'signal']) expect(actions.some((a) => a.kind === 'decide' && a.decision === decision && a.via === via)).toBe(true);
  }
  for (const variant of ['valid', 'replay', 'late', 'forged']) expect(actions.some((a) => a.kind === 'callback' && a.variant === variant)).toBe(true);
  expect(plan.payouts.some((p) => p.scheduledInMs !== undefined)).toBe(true);
  expect(plan.disruptions.map((d) => d.event.kind).sort()).toEqual(['kill-worker', 'kill-worker', 'restart-server']);
  // Faults on an operation they cannot act on would be refused by the simulators.
  for (const w of plan.world) {
    if (w.event.kind === 'fault' && w.event.mode === 'status-lag') expect(w.event.operation).toBe('status');
    if (w.event.kind === 'fault' && w.event.mode === 'refuse-duplicate') expect(w.event.operation).toBe('trigger');
  }
});

test('options: --payouts, --seed, --concurrency, --kills, --restarts, --no-kills, --no-faults', () => {
  expect(parseArgs(['--payouts', '12', '--seed=7', '--concurrency', '3', '--kills', '2', '--restarts', '0'])).toMatchObject({ payouts: 12, seed: 7, concurrency: 3, workerKills: 2, serverRestarts: 0, faults: true });
  expect(parseArgs(['--seed', '1', '--no-kills', '--no-faults', '--workers', '2'])).toMatchObject({ workerKills: 0, serverRestarts: 0, faults: false, workers: 2 });
  expect(() => parseArgs(['--payouts', 'many'])).toThrow(/--payouts/);
  expect(() => parseArgs(['--bogus'])).toThrow(/unknown option/);
});

test('--focus cancel-race: every payout a Faspay bank payout, approved while the reads time out, cancelled just after', () => {
  const plan = makePlan({ ...options, focus: 'cancel-race' });
  expect(plan.world).toEqual([]);
  for (const p of plan.payouts) {
    expect(p.destination.type).toBe('BANK_ACCOUNT');
    expect(p.actions.map((a) => (a.kind === 'decide' ? a.decision : a.kind))).toEqual(['approve', 'fault', 'fault', 'cancel']);
  }
  expect(parseArgs(['--focus', 'cancel-race'])).toMatchObject({ focus: 'cancel-race' });
  expect(() => parseArgs(['--focus', 'other'])).toThrow(/cancel-race/);
});

test('receiver faults: seeded, one with the first kill or restart, each receiver faulted, down and answering 5xx, none without faults', () => {
  const plan = makePlan(options);
  expect(makePlan({ ...options }).receiverFaults).toEqual(plan.receiverFaults);
  const faults = plan.receiverFaults;
  // One with the first disruption (same payout, started with it), and at least one of their own.
  expect(faults.find((f) => f.withDisruption === 0)?.afterPayout).toBe(plan.disruptions[0]!.afterPayout);
  expect(faults.filter((f) => f.withDisruption === undefined).length).toBeGreaterThanOrEqual(1);
  // The first takes receiver 0 down (with the first disruption), the second has receiver 1 answer 5xx.
  expect(faults.find((f) => f.withDisruption === 0)?.fault).toMatchObject({ receiver: 0, kind: 'down' });
  expect(faults.some((f) => f.fault.receiver === 1 && f.fault.kind === 'answer')).toBe(true);
  for (const { afterPayout, fault } of faults) {
    expect(afterPayout).toBeGreaterThanOrEqual(0);
    expect(afterPayout).toBeLessThan(options.payouts);
    expect([0, 1]).toContain(fault.receiver);
    expect(fault.forMs).toBeGreaterThanOrEqual(1_500);
    expect(fault.forMs).toBeLessThanOrEqual(8_000);
    if (fault.kind === 'answer') expect([500, 503]).toContain(fault.status);
  }
  // The rest of the plan does not move when receiver faults are added or removed.
  expect(makePlan({ ...options, receiverFaults: 0 }).payouts).toEqual(plan.payouts);
  expect(makePlan({ ...options, receiverFaults: 0 }).receiverFaults.every((f) => f.withDisruption !== undefined)).toBe(true);
  expect(makePlan({ ...options, receiverFaults: 6 }).receiverFaults.filter((f) => f.withDisruption === undefined)).toHaveLength(6);
  expect(makePlan({ ...options, faults: false }).receiverFaults).toEqual([]);
  // Without kills and restarts, only faults of their own.
  expect(makePlan({ ...options, workerKills: 0, serverRestarts: 0 }).receiverFaults.map((f) => f.withDisruption)).toEqual([undefined, undefined]);
  expect(parseArgs(['--receiver-faults', '4'])).toMatchObject({ receiverFaults: 4 });
});

test('disruptions given replace the drawn kills and restarts, in order of their payouts; the rest of the plan stays the seed\'s', () => {
  const drawn = makePlan(options);
  const given = [
    { afterPayout: 20, event: { kind: 'scale-workers', to: 3 } },
    { afterPayout: 8, event: { kind: 'kill-worker', downForMs: 500, duringTrigger: true } },
    { afterPayout: 8, event: { kind: 'restart-database', how: 'immediate' } },
  ] as const;
  const plan = makePlan({ ...options, disruptions: given.map((d) => ({ ...d, event: { ...d.event } })) });
  expect(plan.disruptions.map((d) => [d.afterPayout, d.event.kind])).toEqual([
    [8, 'kill-worker'],
    [8, 'restart-database'],
    [20, 'scale-workers'],
  ]);
  expect(plan.payouts).toEqual(drawn.payouts);
  expect(plan.world).toEqual(drawn.world);
  // Receiver faults come with the first of these, as with drawn ones.
  expect(plan.receiverFaults.find((f) => f.withDisruption === 0)?.afterPayout).toBe(8);
  // None given: none at all (not the drawn ones).
  expect(makePlan({ ...options, disruptions: [] }).disruptions).toEqual([]);
  // One that would never run, or a worker count that is not one, is refused.
  expect(() => makePlan({ ...options, disruptions: [{ afterPayout: options.payouts, event: { kind: 'restart-server', how: 'SIGTERM' } }] })).toThrow(/never run/);
  expect(() => makePlan({ ...options, disruptions: [{ afterPayout: 1, event: { kind: 'scale-workers', to: -1 } }] })).toThrow(/whole number/);
});

describe('batches', () => {
  const withBatches = { ...options, batches: 5 };

  test('off by default and with 0: the plan is the seed\'s plan without batches, key for key', () => {
    const plain = makePlan(options);
    expect(plain.batches).toBeUndefined();
    expect(makePlan({ ...options, batches: 0 })).toEqual(plain);
  });

  test('on: the payouts, world faults, drawn disruptions and receiver faults of the seed do not move; batch kills come after the drawn ones', () => {
    const plain = makePlan(options);
    const plan = makePlan(withBatches);
    expect(plan.payouts).toEqual(plain.payouts);
    expect(plan.world).toEqual(plain.world);
    expect(plan.receiverFaults).toEqual(plain.receiverFaults);
    expect(plan.disruptions.slice(0, plain.disruptions.length)).toEqual(plain.disruptions);
    const kills = plan.disruptions.slice(plain.disruptions.length);
    expect(kills.length).toBeGreaterThanOrEqual(1);
    for (const k of kills) {
      expect(k.event.kind).toBe('kill-worker');
      const batch = plan.batches![k.duringBatch!.batch]!;
      expect(['approve', 'approve-cancel']).toContain(batch.decision);
      expect(k.afterPayout).toBe(batch.afterPayout);
    }
    expect(makePlan(withBatches)).toEqual(plan);
    // No kills asked for: none during batches either, and the batches themselves stay the same.
    const noKills = makePlan({ ...withBatches, workerKills: 0, serverRestarts: 0 });
    expect(noKills.disruptions).toEqual([]);
    expect(noKills.batches).toEqual(plan.batches);
  });

  test('5–40 rows each, both providers, mixed scenarios, every decision across five batches, the attacks on the approving ones', () => {
    const plan = makePlan(withBatches);
    const batches = plan.batches!;
    expect(batches.map((b) => b.decision).sort()).toEqual(['approve', 'approve-cancel', 'cancel', 'expire', 'reject']);
    expect(batches[0]).toMatchObject({ decision: 'approve' });
    expect(batches[0]!.exclude).toBeGreaterThanOrEqual(1);
    expect(batches[0]!.wrongFiguresFirst).toBeDefined();
    expect(batches[1]).toMatchObject({ decision: 'approve-cancel', rowAlone: expect.stringMatching(/api|signal/) });
    expect(batches[1]!.cancelAfterMs).toBeGreaterThanOrEqual(0);
    const rows = batches.flatMap((b) => b.rows);
    for (const b of batches) {
      expect(b.rows.length).toBeGreaterThanOrEqual(5);
      expect(b.rows.length).toBeLessThanOrEqual(40);
      expect(b.afterPayout).toBeGreaterThanOrEqual(0);
      expect(b.afterPayout).toBeLessThan(options.payouts);
      expect(new Set(b.rows.map((r) => r.reference)).size).toBe(b.rows.length);
      for (const r of b.rows) expect(r.reference.startsWith(`${b.reference}-`)).toBe(true);
      if (b.decision === 'expire') expect(b.approvalTimeoutMs).toBeLessThanOrEqual(20_000);
    }
    expect(new Set(rows.map((r) => r.provider))).toEqual(new Set(['singapay', 'faspay']));
    const suffixes = new Set(rows.map((r) => (r.destination.type === 'EWALLET' ? r.destination.customerNumber : r.destination.type === 'BANK_ACCOUNT' ? r.destination.accountNumber : r.destination.virtualAccountNumber).slice(-4)));
    for (const s of ['0000', '2222', '7777']) expect(suffixes).toContain(s);
    // Pending transfers get settled after the approval.
    for (const r of rows) if (r.settle) expect(r.settle.afterApprovalMs).toBeGreaterThan(0);
    // No batch row shares a reference with a single payout.
    const singles = new Set(plan.payouts.map((p) => p.reference));
    expect(rows.some((r) => singles.has(r.reference))).toBe(false);
  });

  test('options: --batches N (default 3), --no-batches', () => {
    expect(parseArgs([])).toMatchObject({ batches: 3 });
    expect(parseArgs(['--batches', '6'])).toMatchObject({ batches: 6 });
    expect(parseArgs(['--no-batches'])).toMatchObject({ batches: 0 });
    expect(() => parseArgs(['--batches', '-1'])).toThrow(/--batches/);
  });
});

test('the approval policy: a two-approver tier, the auto requester, limits from the plan; the plan drives them (second approvals, the same approver twice, shared accounts); none with approvalPolicy false', () => {
  const plan = makePlan({ ...options, payouts: 200, batches: 2 });
  const policy = plan.policy!;
  expect(policy.tiers).toEqual([
    { minAmount: 0, approvals: 1 },
    { minAmount: POLICY_BOUNDS.twoApproversFrom, approvals: 2 },
  ]);
  expect(policy.autoApprove).toEqual({ maxAmount: POLICY_BOUNDS.autoApproveUpTo, requesters: [KEYS.auto.principal] });
  expect(policy.limits?.perDestinationPerDay).toBe(POLICY_BOUNDS.perDestinationPerDay);
  // About a third of what requester@local is planned to have approved: its later approvals are refused.
  const planned = plan.payouts.filter((p) => p.requester === 'requester' && p.actions.some((a) => a.kind === 'decide' && a.decision === 'approve' && a.tag === 'primary')).reduce((n, p) => n + p.amount, 0);
  expect(policy.limits!.perRequesterPerDay!).toBeLessThan(planned);
  expect(JSON.parse(policyJson(policy))).toMatchObject({ tiers: [{ minAmount: '0.00', approvals: 1 }, { minAmount: `${POLICY_BOUNDS.twoApproversFrom}.00`, approvals: 2 }] });

  const decisions = plan.payouts.flatMap((p) => p.actions.flatMap((a) => (a.kind === 'decide' ? [{ p, a }] : [])));
  // Every payout of the upper tier approved by someone has a second approver, neither its requester nor the first.
  for (const p of plan.payouts.filter((x) => x.amount >= POLICY_BOUNDS.twoApproversFrom)) {
    const primary = p.actions.find((a) => a.kind === 'decide' && a.tag === 'primary');
    if (primary?.kind !== 'decide' || primary.decision !== 'approve') continue;
    const second = p.actions.find((a) => a.kind === 'decide' && a.tag === 'second');
    expect(second).toBeDefined();
    if (second?.kind === 'decide' && second.via === 'api') expect(second.key).not.toBe(p.requester);
  }
  expect(decisions.some(({ a }) => a.tag === 'same-approver' && a.via === 'api' && a.fresh === true)).toBe(true);
  expect(decisions.some(({ p, a }) => a.tag === 'second' && p.actions.some((b) => b.kind === 'decide' && b.tag === 'primary' && b.at === a.at))).toBe(true);
  // The auto requester's payouts, most within the bound; a few accounts shared by several payouts.
  const auto = plan.payouts.filter((p) => p.requester === 'auto');
  expect(auto.filter((p) => p.amount <= POLICY_BOUNDS.autoApproveUpTo).length).toBeGreaterThan(auto.length / 2);
  const perAccount = new Map<string, number>();
  for (const p of plan.payouts) perAccount.set(JSON.stringify(p.destination), (perAccount.get(JSON.stringify(p.destination)) ?? 0) + 1);
  expect([...perAccount.values()].filter((n) => n >= 3).length).toBe(SHARED_ACCOUNTS);
  // Batches: two distinct approvers, neither the requester.
  for (const b of plan.batches!) expect(new Set([b.requester, b.approver, b.secondApprover]).size).toBe(3);

  const none = makePlan({ ...options, approvalPolicy: false });
  expect(none.policy).toBeUndefined();
  expect(none.payouts.some((p) => p.requester === 'auto')).toBe(false);
  expect(parseArgs(['--no-policy'])).toMatchObject({ approvalPolicy: false });
});
