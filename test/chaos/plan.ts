// The plan of a chaos run, drawn from a seed: every payout (provider, destination type, scenario,
// amount, requester, deadline, schedule) with its timed decisions, duplicates, races, callbacks and
// settlements, and the faults, balance dips, worker kills and server restarts around them (or the
// disruptions given instead). The same seed and options give the same plan; only timing differs from
// run to run.
import { createPrng, type Prng } from './prng';
import type { BatchDecisionPlan, BatchPlan, BatchRowPlan, CallbackVariant, ChaosPolicy, DecisionKind, Destination, FaultMode, FaultOperation, KeyName, PayoutAction, PayoutPlan, Plan, Provider, ReceiverFault, WorldEvent } from './model';
import { APPROVERS, KEYS } from './model';

export interface PlanOptions {
  seed: number;
  payouts: number;
  /** Worker kill -9 and restart, spread over the run. */
  workerKills: number;
  /** Dev server restarts on the same database, spread over the run. */
  serverRestarts: number;
  /**
   * The disruptions to run instead of `workerKills` kill-workers and `serverRestarts`
   * restart-servers (which are then not drawn): any WorldEvent (restart-database, scale-workers and
   * a kill during a trigger included), each when the payout with index `afterPayout` is created
   * (0 ≤ afterPayout < payouts), one at a time, in order of afterPayout (given order among equals).
   * The payouts and world faults do not change; the receiver faults that come with disruptions come
   * with these.
   */
  disruptions?: Plan['disruptions'];
  /** Simulator faults, balance dips and bad callbacks at all. */
  faults: boolean;
  /**
   * Every payout one recipe instead of the mix. `cancel-race`: issue 12's — a Faspay bank payout
   * approved while the provider reads before the trigger time out (three in a row), and the requester
   * cancels 0.5–2.5 s later. Either the cancel answers 200 and nothing moves, or 409 and it pays.
   */
  focus?: 'cancel-race';
  /**
   * Webhook receiver faults on their own (more come with kills and restarts, see receiverFaultsOf);
   * default about one per 20 payouts, at least one. None without `faults`.
   */
  receiverFaults?: number;
  /**
   * Batches (docs/batches.md) besides the single payouts, each of 5–40 rows with the payouts' mix of
   * scenarios, destinations and both providers, and one decision (BatchPlan). Default none. Their
   * draws come from streams of their own, so the payouts, world faults, drawn kills and restarts
   * and receiver faults of a seed are the same with or without them; with kills on, some kills come
   * while an approved batch's rows are being paid (appended to `disruptions`, with `duringBatch`).
   */
  batches?: number;
  /**
   * Run under an APPROVAL_POLICY (issue 15; default true): two distinct approvers from
   * POLICY_BOUNDS.twoApproversFrom, the `auto` requester's payouts up to POLICY_BOUNDS.autoApproveUpTo
   * approved by the policy, and daily limits (policyFor) that refuse some approvals. The plan then has
   * second approvals (some at once with the first), the same approver twice, payouts of the auto
   * requester, and payouts to a few shared accounts, so that the destination limit refuses some.
   */
  approvalPolicy?: boolean;
}

/** The policy's fixed bounds (whole rupiah); the requester's daily limit comes from the plan (policyFor). */
export const POLICY_BOUNDS = { twoApproversFrom: 200_000, autoApproveUpTo: 100_000, perDestinationPerDay: 300_000 } as const;

/** How many accounts several payouts of a run share (their daily destination limit fills up). */
export const SHARED_ACCOUNTS = 3;

/**
 * The run's policy: a requester's daily limit of about a third of what the busiest requester
 * (requester@local) is planned to have approved (of which about half ends paid or still held), singles and approved batches' rows, so that its
 * approvals late in the run are refused; a destination's limit that a shared account reaches after a
 * few payouts; two approvers from POLICY_BOUNDS.twoApproversFrom; and the auto requester's payouts up
 * to POLICY_BOUNDS.autoApproveUpTo approved by the policy.
 */
export function policyFor(payouts: readonly PayoutPlan[], batches: readonly BatchPlan[] = []): ChaosPolicy {
  const approvedSingles = payouts
    .filter((p) => p.requester === 'requester' && p.actions.some((a) => a.kind === 'decide' && a.decision === 'approve' && a.tag === 'primary'))
    .reduce((sum, p) => sum + p.amount, 0);
  const approvedRows = batches
    .filter((b) => b.requester === 'requester' && (b.decision === 'approve' || b.decision === 'approve-cancel'))
    .reduce((sum, b) => sum + b.rows.reduce((n, r) => n + r.amount, 0), 0);
  const perRequesterPerDay = Math.max(500_000, Math.round((0.35 * (approvedSingles + approvedRows)) / 1_000) * 1_000);
  return {
    tiers: [
      { minAmount: 0, approvals: 1 },
      { minAmount: POLICY_BOUNDS.twoApproversFrom, approvals: 2 },
    ],
    autoApprove: { maxAmount: POLICY_BOUNDS.autoApproveUpTo, requesters: [KEYS.auto.principal] },
    limits: { perRequesterPerDay, perDestinationPerDay: POLICY_BOUNDS.perDestinationPerDay },
  };
}

/** The accounts several payouts share: scenarios that pay (0000 at once, 1111 after pending checks). */
function sharedAccounts(rng: Prng): SharedAccount[] {
  return Array.from({ length: SHARED_ACCOUNTS }, (_, i) => {
    const scenario = i % 2 === 0 ? '0000' : '1111';
    return { scenario, ...destinationFor(rng, scenario) };
  });
}

interface SharedAccount {
  scenario: string;
  provider: Provider;
  explicitProvider: boolean;
  destination: Destination;
}

/** The run's webhook receivers: 0 takes every event type, 1 only the final statuses and NEEDS_ATTENTION (see webhooks.ts). */
export const RECEIVERS = 2;

/** Scenario suffixes of simulators.md, weighted; `rand` is a number outside the table (pending, then success). */
const SCENARIOS: readonly (readonly [string, number])[] = [
  ['0000', 5],
  ['1111', 3],
  ['2222', 2],
  ['3333', 2],
  ['4040', 1],
  ['5003', 2],
  ['7777', 3],
  ['8888', 1],
  ['9999', 1],
  ['rand', 3],
];

const FAULT_MODES: readonly (readonly [FaultMode, number])[] = [
  ['http500', 2],
  ['http503', 2],
  ['timeout', 2],
  ['accept-then-timeout', 3],
  ['latency', 3],
  ['status-lag', 3],
  ['refuse-duplicate', 3],
];

export function makePlan(options: PlanOptions): Plan {
  const root = createPrng(options.seed);
  const payouts: PayoutPlan[] = [];
  const shared = options.approvalPolicy !== false ? sharedAccounts(root.fork('shared-accounts')) : [];
  for (let i = 0; i < options.payouts; i += 1) payouts.push(planPayout(root.fork(`payout-${i}`), options, i, shared));

  const worldRng = root.fork('world');
  const world: Plan['world'] = [];
  // Enough events for any run length; the driver stops taking them when the payouts are done.
  const events = options.faults && !options.focus ? Math.max(40, options.payouts * 4) : 0;
  for (let i = 0; i < events; i += 1) world.push({ gapMs: worldRng.int(200, 1_500), event: worldEvent(worldRng) });

  const disruptions = options.disruptions ? givenDisruptions(options.disruptions, options.payouts) : drawDisruptions(root.fork('disruptions'), options);
  const receiverFaults = receiverFaultsOf(root.fork('receivers'), options, disruptions);
  const plan: Plan = { seed: options.seed, payouts, world, disruptions, receiverFaults };
  if ((options.batches ?? 0) > 0) {
    const { batches, kills } = planBatches(root, options);
    plan.batches = batches;
    // After the drawn ones, so that their indices (and the receiver faults that come with them) stay the seed's.
    plan.disruptions = [...disruptions, ...kills];
  }
  if (options.approvalPolicy !== false && !options.focus) plan.policy = policyFor(payouts, plan.batches);
  return plan;
}

/** Row counts of a batch (both included). */
export const BATCH_ROWS = { min: 5, max: 40 } as const;

/**
 * The batches: the first approved (with 1–3 exclusions and a wrong total first), the second approved
 * and cancelled while its rows are paid (with a row approved alone), the next three reject, cancel
 * and expire in a seeded order, any more drawn from all five. Created spread over the first two
 * thirds of the payouts, so that they are in flight during the drawn kills and restarts.
 */
function planBatches(root: Prng, options: PlanOptions): { batches: BatchPlan[]; kills: Plan['disruptions'] } {
  const count = options.batches ?? 0;
  const orderRng = root.fork('batch-order');
  const against: BatchDecisionPlan[] = ['reject', 'cancel', 'expire'];
  for (let i = against.length - 1; i > 0; i -= 1) {
    const j = orderRng.int(0, i);
    [against[i], against[j]] = [against[j]!, against[i]!];
  }
  const order: BatchDecisionPlan[] = ['approve', 'approve-cancel', ...against];
  const batches: BatchPlan[] = [];
  const kills: Plan['disruptions'] = [];
  let killsPlanned = 0;
  for (let b = 0; b < count; b += 1) {
    const rng = root.fork(`batch-${b}`);
    const decision: BatchDecisionPlan =
      order[b] ??
      rng.weighted<BatchDecisionPlan>([
        ['approve', 3],
        ['approve-cancel', 3],
        ['reject', 1],
        ['cancel', 1],
        ['expire', 1],
      ]);
    const reference = `${referenceOf(options, 0).replace(/-\d+$/, '')}-B${String(b).padStart(2, '0')}`;
    const rows: BatchRowPlan[] = [];
    const size = rng.int(BATCH_ROWS.min, BATCH_ROWS.max);
    for (let r = 0; r < size; r += 1) {
      const { suffix, scenario } = drawScenario(rng);
      const { provider, explicitProvider, destination } = destinationFor(rng, suffix);
      const amount = rng.int(10, scenario === '9999' ? 80 : 300) * 1_000;
      rows.push({
        row: r,
        reference: `${reference}-${String(r).padStart(2, '0')}`,
        provider,
        explicitProvider,
        destination,
        amount,
        ...(scenario === '3333' && { settle: { afterApprovalMs: rng.int(2_000, 9_000), status: rng.weighted<'00' | '06' | '04'>([['00', 3], ['06', 1], ['04', 1]]) } }),
      });
    }
    const approving = decision === 'approve' || decision === 'approve-cancel';
    const requester: KeyName = rng.chance(0.15) ? 'admin' : 'requester';
    const approver: KeyName = requester === 'admin' || rng.chance(0.8) ? 'approver' : 'admin';
    // Enough for the create (it answers once every row started) and 40 inquiries under faults and a
    // kill on a busy 2-core machine, where both took a minute; a decided batch does not wait for it.
    // `expire` short, so that it expires in the run (before its rows validated, on a busy machine).
    const approvalTimeoutMs = decision === 'expire' ? rng.int(12, 20) * 1_000 : rng.int(90, 120) * 1_000;
    const scheduled = approving && rng.chance(0.2) ? rng.int(6_000, 12_000) : undefined;
    const exclude = approving && (b === 0 || rng.chance(0.5)) ? rng.int(1, 3) : 0;
    const wrong = b === 0 || rng.chance(0.35) ? rng.pick<'total' | 'count'>(['total', 'count']) : undefined;
    const alone = b === 1 || rng.chance(0.4) ? rng.pick<'api' | 'signal'>(['api', 'api', 'signal']) : undefined;
    const requesterApproves = rng.chance(0.3);
    const cancelAfterMs = rng.pick([0, 100, 300, 700, 1_200, 2_000]);
    const cancelWhile = rng.pick<'VALIDATING' | 'AWAITING_APPROVAL'>(['VALIDATING', 'AWAITING_APPROVAL', 'AWAITING_APPROVAL']);
    const retryUnverified = rng.chance(0.5);
    const afterPayout = Math.min(options.payouts - 1, Math.max(0, Math.floor(options.payouts * (0.05 + (0.6 * (b + rng.next())) / count))));
    const kill = { afterApprovalMs: rng.int(200, 2_500), downForMs: rng.int(300, 3_000), duringTrigger: rng.chance(0.3), chance: rng.next() };
    const secondApprover = rng.pick(APPROVERS.filter((k) => k !== approver && k !== requester));
    const approvalsTogether = rng.chance(0.3);
    const sameApproverAgain = b === 0 || rng.chance(0.4);
    batches.push({
      index: b,
      reference,
      afterPayout,
      requester,
      approver,
      secondApprover,
      approvalsTogether,
      sameApproverAgain,
      approvalTimeoutMs,
      ...(scheduled !== undefined && { scheduledInMs: scheduled }),
      rows,
      decision,
      exclude,
      ...(approving && wrong !== undefined && { wrongFiguresFirst: wrong }),
      ...(alone !== undefined && { rowAlone: alone }),
      requesterApproves,
      ...(decision === 'approve-cancel' && { cancelAfterMs }),
      ...(decision === 'cancel' && { cancelWhile }),
      retryUnverified,
    });
    // A worker kill while an approved batch's rows are paid: the first such batch always, others by chance.
    if (approving && options.workerKills > 0 && !options.disruptions && (killsPlanned === 0 || kill.chance < 0.3)) {
      killsPlanned += 1;
      kills.push({
        afterPayout,
        duringBatch: { batch: b, afterApprovalMs: kill.afterApprovalMs },
        event: { kind: 'kill-worker', downForMs: kill.downForMs, ...(kill.duringTrigger && { duringTrigger: true }) },
      });
    }
  }
  return { batches, kills };
}

/** A scenario of the table and the last four digits that choose it (`rand`: a number outside the table). */
function drawScenario(rng: Prng): { scenario: string; suffix: string } {
  const scenario = rng.weighted(SCENARIOS);
  const drawn = String(rng.int(1_000, 9_999));
  return { scenario, suffix: scenario !== 'rand' ? scenario : SCENARIOS.some(([s]) => s === drawn) ? '1234' : drawn };
}

function drawDisruptions(disruptionRng: Prng, options: PlanOptions): Plan['disruptions'] {
  const disruptions: Plan['disruptions'] = [];
  // Spread between a quarter and three quarters of the payouts, so some are in flight at each.
  const slot = (k: number, of: number) => Math.floor(options.payouts * (0.25 + (0.5 * (k + 1)) / (of + 1)));
  for (let k = 0; k < options.workerKills; k += 1) {
    disruptions.push({ afterPayout: slot(k, options.workerKills), event: { kind: 'kill-worker', downForMs: disruptionRng.int(300, 3_000) } });
  }
  for (let k = 0; k < options.serverRestarts; k += 1) {
    disruptions.push({ afterPayout: Math.min(options.payouts - 1, slot(k, options.serverRestarts) + 1), event: { kind: 'restart-server', how: disruptionRng.chance(0.5) ? 'SIGKILL' : 'SIGTERM' } });
  }
  return disruptions.sort((a, b) => a.afterPayout - b.afterPayout);
}

/** The disruptions given, checked (each must start at a payout of the run) and in the order they will run. */
function givenDisruptions(given: Plan['disruptions'], payouts: number): Plan['disruptions'] {
  for (const d of given) {
    if (!Number.isInteger(d.afterPayout) || d.afterPayout < 0 || d.afterPayout >= payouts) {
      throw new Error(`a disruption (${d.event.kind}) after payout ${d.afterPayout}, but the payouts are numbered 0 to ${payouts - 1}: it would never run`);
    }
    if (d.event.kind === 'scale-workers' && (!Number.isInteger(d.event.to) || d.event.to < 0)) throw new Error(`scale-workers needs a whole number ≥ 0, got ${d.event.to}`);
  }
  return given.map((d) => ({ afterPayout: d.afterPayout, event: { ...d.event } })).sort((a, b) => a.afterPayout - b.afterPayout);
}

/**
 * Receiver faults: one with the first kill or restart, and with each later one by chance (the same
 * payout starts both, so the receiver is down or refusing while the worker or server is gone), and
 * `receiverFaults` more at payouts of their own. The first takes receiver 0 down, the second has
 * receiver 1 answer 5xx; after that any receiver, either kind. Each lasts 1.5–8 s.
 */
function receiverFaultsOf(rng: Prng, options: PlanOptions, disruptions: Plan['disruptions']): Plan['receiverFaults'] {
  if (!options.faults) return [];
  const faults: Plan['receiverFaults'] = [];
  const draw = (k: number): ReceiverFault => {
    const receiver = k < RECEIVERS ? k : rng.int(0, RECEIVERS - 1);
    const forMs = rng.int(1_500, 8_000);
    const down = k === 0 ? true : k === 1 ? false : rng.chance(0.5);
    return down ? { receiver, kind: 'down', forMs } : { receiver, kind: 'answer', status: rng.pick([500, 503] as const), forMs };
  };
  disruptions.forEach((d, i) => {
    if (i === 0 || rng.chance(0.5)) faults.push({ afterPayout: d.afterPayout, withDisruption: i, fault: draw(faults.length) });
  });
  const own = options.receiverFaults ?? Math.max(1, Math.round(options.payouts / 20));
  for (let k = 0; k < own; k += 1) {
    faults.push({ afterPayout: rng.int(Math.min(1, options.payouts - 1), Math.max(0, options.payouts - 2)), fault: draw(faults.length) });
  }
  return faults.sort((a, b) => a.afterPayout - b.afterPayout);
}

function worldEvent(rng: Prng): WorldEvent {
  const provider: Provider = rng.chance(0.5) ? 'singapay' : 'faspay';
  if (rng.chance(0.06)) return { kind: 'no-balance', provider, forMs: rng.int(1_000, 5_000) };
  const mode = rng.weighted(FAULT_MODES);
  const operation: FaultOperation =
    mode === 'status-lag' ? 'status' : mode === 'refuse-duplicate' ? 'trigger' : rng.weighted<FaultOperation>([['trigger', 4], ['status', 3], ['inquiry', 2], ['token', 1], ['any', 1]]);
  return { kind: 'fault', provider, operation, mode, count: rng.int(1, 3), ...(mode === 'latency' && { latencyMs: rng.int(300, 4_000) }) };
}

function digits(rng: Prng, n: number): string {
  let out = '';
  for (let i = 0; i < n; i += 1) out += String(rng.int(0, 9));
  return out;
}

function destinationFor(rng: Prng, suffix: string): { provider: Provider; explicitProvider: boolean; destination: Destination } {
  const kind = rng.weighted<string>([
    ['singapay-ewallet', 5],
    ['faspay-linkaja', 1],
    ['faspay-ewallet', 1],
    ['faspay-bank', 3],
    ['faspay-va', 2],
  ]);
  const customerNumber = `0812${digits(rng, 4)}${suffix}`;
  switch (kind) {
    case 'singapay-ewallet':
      return { provider: 'singapay', explicitProvider: rng.chance(0.3), destination: { type: 'EWALLET', ewallet: rng.pick(['DANA', 'OVO', 'GOPAY', 'SHOPEEPAY'] as const), customerNumber } };
    case 'faspay-linkaja':
      return { provider: 'faspay', explicitProvider: rng.chance(0.3), destination: { type: 'EWALLET', ewallet: 'LINKAJA', customerNumber } };
    case 'faspay-ewallet':
      // OVO, GoPay and DANA through Faspay's e-money top-up: only with an explicit provider.
      return { provider: 'faspay', explicitProvider: true, destination: { type: 'EWALLET', ewallet: rng.pick(['OVO', 'GOPAY', 'DANA'] as const), customerNumber } };
    case 'faspay-bank':
      return { provider: 'faspay', explicitProvider: rng.chance(0.3), destination: { type: 'BANK_ACCOUNT', bankCode: rng.pick(['014', '008', '002', '009']), accountNumber: `${digits(rng, 6)}${suffix}` } };
    default:
      return { provider: 'faspay', explicitProvider: rng.chance(0.3), destination: { type: 'VIRTUAL_ACCOUNT', billerCode: '888', virtualAccountNumber: `8808${digits(rng, 6)}${suffix}` } };
  }
}

function referenceOf(options: PlanOptions, index: number): string {
  return `CHAOS-${options.seed.toString(36).toUpperCase()}-${String(index).padStart(4, '0')}`;
}

function cancelRacePayout(rng: Prng, options: PlanOptions, index: number): PayoutPlan {
  const decideAt = rng.int(1_500, 3_000);
  const actions: PayoutAction[] = [{ at: decideAt, kind: 'decide', decision: 'approve', via: 'api', key: 'approver', tag: 'primary' }];
  if (options.faults) {
    for (const operation of ['inquiry', 'status'] as const) actions.push({ at: decideAt + 20, kind: 'fault', operation, mode: 'timeout', count: 3 });
  }
  actions.push({ at: decideAt + rng.pick([500, 1_000, 1_500, 2_500]), kind: 'decide', decision: 'cancel', via: 'api', key: 'requester', tag: 'cancel-race' });
  return {
    index,
    reference: referenceOf(options, index),
    provider: 'faspay',
    explicitProvider: false,
    destination: { type: 'BANK_ACCOUNT', bankCode: '014', accountNumber: `${digits(rng, 6)}0000` },
    // Below the two-approver tier: one approval decides, and the cancel races it.
    amount: rng.int(10, Math.floor(POLICY_BOUNDS.twoApproversFrom / 1_000) - 1) * 1_000,
    requester: 'requester',
    approvalTimeoutMs: 12_000,
    actions: actions.sort((a, b) => a.at - b.at),
  };
}

function planPayout(rng: Prng, options: PlanOptions, index: number, shared: readonly SharedAccount[] = []): PayoutPlan {
  if (options.focus === 'cancel-race') return cancelRacePayout(rng, options, index);
  const policy = options.approvalPolicy !== false;
  let scenario = rng.weighted(SCENARIOS);
  const drawn = String(rng.int(1_000, 9_999));
  // A number outside the table must end outside it.
  const suffix = scenario !== 'rand' ? scenario : SCENARIOS.some(([s]) => s === drawn) ? '1234' : drawn;
  let { provider, explicitProvider, destination } = destinationFor(rng, suffix);
  // One payout in five goes to an account others pay too: its daily destination limit fills up.
  if (shared.length > 0 && rng.chance(0.2)) ({ scenario, provider, explicitProvider, destination } = rng.pick(shared));
  const requester: KeyName = policy ? rng.weighted<KeyName>([['requester', 73], ['admin', 15], ['auto', 12]]) : rng.chance(0.15) ? 'admin' : 'requester';
  // The auto requester's payouts mostly within the auto-approval bound.
  const amount = rng.int(10, scenario === '9999' ? 80 : requester === 'auto' && rng.chance(0.7) ? POLICY_BOUNDS.autoApproveUpTo / 1_000 : 300) * 1_000;
  const requesterPrincipal = KEYS[requester].principal;
  const approver: KeyName = requester === 'admin' ? 'approver' : rng.chance(0.8) ? 'approver' : 'admin';
  const autoApproved = policy && requester === 'auto' && amount <= POLICY_BOUNDS.autoApproveUpTo;
  const twoApprovers = policy && amount >= POLICY_BOUNDS.twoApproversFrom;

  const actions: PayoutAction[] = [];
  // The first decision comes 1.5–6 s after the create (the inquiry has to be done for it to apply).
  const decideAt = rng.int(1_500, 6_000);
  // Deadlines: most comfortable; some land right on the decision, to race it.
  const raceDeadline = rng.chance(0.15);
  const approvalTimeoutMs = raceDeadline ? Math.max(1_000, Math.round((decideAt + rng.int(-400, 400)) / 1_000) * 1_000) : rng.int(8, 14) * 1_000;
  const scheduledInMs = rng.chance(0.25) ? decideAt + rng.int(-1_000, 4_000) : undefined;

  // The policy approves the auto requester's small payouts: mostly nobody else decides (a person's
  // approval then meets 409, or the limits if the policy's approval was refused by them).
  const primary = rng.weighted<DecisionKind | 'none'>(
    autoApproved
      ? [
          ['approve', 3],
          ['reject', 1],
          ['cancel', 1],
          ['none', 5],
        ]
      : [
          ['approve', 14],
          ['reject', 2],
          ['cancel', 2],
          ['none', 1],
        ],
  );
  const decide = (decision: DecisionKind, at: number, tag: string, overrides: { via?: 'api' | 'signal'; key?: KeyName; principal?: string; fresh?: boolean } = {}) => {
    const via = overrides.via ?? (rng.chance(0.3) ? 'signal' : 'api');
    if (via === 'api') {
      const key = overrides.key ?? (decision === 'cancel' ? (rng.chance(0.7) ? requester : 'admin') : approver);
      actions.push({ at, kind: 'decide', decision, via: 'api', key, tag, ...(overrides.fresh && { fresh: true }) });
    } else {
      const principal = overrides.principal ?? (decision === 'cancel' ? requesterPrincipal : spell(rng, KEYS[overrides.key ?? approver].principal));
      actions.push({ at, kind: 'decide', decision, via: 'signal', principal, tag });
    }
  };
  if (primary !== 'none') {
    decide(primary, decideAt, 'primary');
    // The same decision again: at once (concurrent) or a little later, through either channel.
    if (rng.chance(0.3)) decide(primary, decideAt + rng.pick([0, 0, 50, 400, 1_500]), 'duplicate');
  }
  // Two approvers: the second one, at once with the first (concurrent) or a little later, through
  // either channel; and now and then the first approver again, without an Idempotency-Key (409
  // already-approved while the second is awaited).
  if (twoApprovers && primary === 'approve') {
    const second = rng.pick(APPROVERS.filter((k) => k !== approver && k !== requester));
    decide('approve', decideAt + rng.pick([0, 0, 40, 300, 1_000, 2_500]), 'second', { key: second, via: rng.chance(0.8) ? 'api' : 'signal' });
    if (rng.chance(0.3)) decide('approve', decideAt + rng.pick([150, 600]), 'same-approver', { via: 'api', key: approver, fresh: true });
  }
  // A conflicting decision racing the first one.
  if (rng.chance(0.2)) {
    const other = rng.pick<DecisionKind>(primary === 'approve' ? ['reject', 'reject', 'cancel'] : ['approve']);
    decide(other, decideAt + rng.int(-100, 100), 'race');
  }
  // The cancel race of issue 12: a cancel shortly after the approval, while the transfer is being prepared.
  if (primary === 'approve' && rng.chance(0.15)) {
    decide('cancel', decideAt + rng.pick([0, 100, 300, 700, 1_000, 2_000, 3_500]), 'cancel-race');
    // Issue 12's recipe: the provider reads between approval and trigger (Faspay's balance check is
    // an inquiry; the check before the trigger a status call) are slow while the cancel arrives.
    if (options.faults && rng.chance(0.6)) {
      const mode = rng.pick<FaultMode>(['latency', 'timeout']);
      for (const operation of ['inquiry', 'status'] as const) {
        actions.push({ at: decideAt - 20, kind: 'fault', operation, mode, count: rng.int(1, 3), ...(mode === 'latency' && { latencyMs: rng.int(1_500, 4_000) }) });
      }
    }
  }
  // A cancel racing scheduledAt.
  if (scheduledInMs !== undefined && rng.chance(0.3)) decide('cancel', scheduledInMs + rng.int(-300, 300), 'cancel-schedule');
  // Four-eyes attacks: the requester approves through the API, or signals an approval spelt differently.
  if (rng.chance(0.12)) decide('approve', decideAt + rng.int(-500, 500), 'four-eyes-api', { via: 'api', key: requester });
  if (rng.chance(0.12)) decide('approve', decideAt + rng.int(-800, 200), 'four-eyes-signal', { via: 'signal', principal: spell(rng, requesterPrincipal, true) });
  // Re-sending the create: the same bytes (200) or a changed body (409).
  if (rng.chance(0.15)) actions.push({ at: rng.int(0, 3_000), kind: 'recreate', same: rng.chance(0.6) });
  // Callbacks for the transfer (done only if the simulator holds one by then).
  if (options.faults) {
    const callbacks = rng.int(0, 2);
    for (let c = 0; c < callbacks; c += 1) {
      const variant = rng.weighted<CallbackVariant>([
        ['valid', 2],
        ['replay', 2],
        ['late', 1],
        ['forged', 1],
      ]);
      actions.push({ at: decideAt + rng.int(500, 8_000), kind: 'callback', variant });
    }
  }
  if (scenario === '3333') actions.push({ at: decideAt + rng.int(2_000, 9_000), kind: 'settle', status: rng.weighted<'00' | '06' | '04'>([['00', 3], ['06', 1], ['04', 1]]) });
  actions.sort((a, b) => a.at - b.at);

  return {
    index,
    reference: referenceOf(options, index),
    provider,
    explicitProvider,
    destination,
    amount,
    requester,
    approvalTimeoutMs,
    ...(scheduledInMs !== undefined && { scheduledInMs: Math.max(500, scheduledInMs) }),
    actions,
  };
}

/** A principal as someone might type it: as is, or with other case and spaces around it. */
function spell(rng: Prng, principal: string, alwaysOdd = false): string {
  if (!alwaysOdd && rng.chance(0.7)) return principal;
  return rng.pick([principal.toUpperCase(), ` ${principal}`, `${principal} `, principal.charAt(0).toUpperCase() + principal.slice(1)]);
}
