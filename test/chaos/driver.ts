// One chaos run: the plan from the seed, the stack, two webhook endpoints with their receivers, the
// payouts' scripts (at most `concurrency` at a time) with the world's faults around them and the
// kills, restarts and receiver faults among them; then the faults stop, the run waits for every
// payout to settle and for the webhooks to drain, reads everything once more, and hands what it saw
// to the checker.
//
// By default on startChaosStack (stack.ts), with the plan's kills and restarts. Another topology
// comes in through the options: `startStack` (its own stack: several API instances, its own keys),
// `disruptions` (instead of the plan's: database restarts, scaling, a kill during a trigger),
// `webhooks: false` (no receivers: production refuses loopback webhook URLs) and `outageRule` (a 503
// only while Temporal or its database is down).
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createPayout, performPayoutAction, performWorldEvent, resolveAttention, stopFaults, type ActionContext } from './actions';
import { runBatch } from './batches';
import { check, expectedEvents, firstArrivals, isFinal, isFinalBatch, outagesOf } from './checker';
import { describeEvent, policyJson, type BatchPlan, type ChaosPolicy, type DeliveryLogRecord, type DisruptionWindow, type Observations, type Plan, type PayoutPlan, type ReceiverFault, type ReconciliationObservation, type Violation, type WebhookObservations, type WorldEvent } from './model';
import { readLedgers, Recorder } from './observe';
import { makePlan, type PlanOptions } from './plan';
import { jakartaDaysBetween, reconcileDay } from './reconcile';
import { startChaosStack, DEFAULT_TIMING, type AssumptionForms, type ChaosStack, type Timing } from './stack';
import { startWebhooks, type WebhookHarness } from './webhooks';

export interface ChaosOptions extends PlanOptions {
  concurrency: number;
  /** Workers polling at once (default 1); a kill takes the oldest and starts another. Only for the default stack. */
  workers?: number;
  /** At the end, resolve payouts still in NEEDS_ATTENTION as the ledger says (default true). */
  resolve?: boolean;
  /** The service's durations on the default stack (default DEFAULT_TIMING); a stack from startStack brings its own (ChaosStack.timing). */
  timing?: Timing;
  log?: (line: string) => void;
  /** Keep polling this much past the settle deadline before giving up on a payout (default 5 s). */
  graceMs?: number;
  /** The providers' assumptions in their default form, or every one in its other form (simulators and service agreeing). Only for the default stack. */
  assumptions?: AssumptionForms;
  /**
   * Starts the system under attack (default: startChaosStack with `timing`, `workers` and
   * `assumptions`). The run takes its timing (settle deadline, webhook drain) from the stack's
   * `timing`, and stops the stack at the end.
   */
  startStack?: (log: (line: string) => void, setup: StackSetup) => Promise<ChaosStack>;
  /**
   * Register the two webhook endpoints with their receivers on loopback, run the receiver faults and
   * drain the webhooks at the end (default true). false: none of that, and the webhook rules have
   * nothing to judge (Observations.webhooks is absent; the plan's receiverFaults are emptied).
   */
  webhooks?: boolean;
  /**
   * Judge the API's 503s: one to a request sent outside every window of a disruption that takes
   * Temporal or its database down (restart-server, restart-database), widened by `graceMs` on both
   * sides, is a violation (api-503-outside-outage). Absent: 503s are allowed anywhere (api-5xx still
   * judges every other 5xx).
   */
  outageRule?: { graceMs: number };
  /**
   * Issue 18: at the end, once everything settled, reconcile every Jakarta day the run touched through
   * the API (every configured provider) and judge the reports (default true).
   */
  reconcile?: boolean;
}

/** What the run asks of a stack it is given: the approval policy of its plan (to configure as APPROVAL_POLICY, and to answer as ChaosStack.approvalPolicy). */
export interface StackSetup {
  policy?: ChaosPolicy;
}

/** One disruption as it ran. */
export interface DisruptionRecord extends DisruptionWindow {
  /** Its index in plan.disruptions. */
  index: number;
  /** It started when the payout with this index was created. */
  afterPayout: number;
  event: WorldEvent;
  /** In a few words (describeEvent): how / to / down for, during a trigger, and how many triggers were held at the kill. */
  detail: string;
  /** A kill during a trigger: the trigger calls the simulators held at the kill (0: none came within the wait). */
  triggersHeld?: number;
  /** to - from: from its start until what it took down answered again (a kill: until the new worker polled). */
  recoveryMs: number;
  /** It failed with this error; `to` is when it failed. */
  error?: string;
}

export interface ChaosResult {
  plan: Plan;
  observations: Observations;
  violations: Violation[];
  /** Faults the simulators applied, by provider and `operation mode`. */
  faultsFired: Record<string, Record<string, number>>;
  /** Workflow runs that continued as new (their state carried into the next run). */
  continuedAsNew: number;
  /** The run's directory: server, worker and API logs. */
  dir: string;
  durationMs: number;
  /**
   * Each disruption (kill, restart, scaling) that ran, in order: its kind, detail, window (from its
   * start until what it took down answered again) and recovery time.
   */
  disruptionWindows: DisruptionRecord[];
  /** How long the webhooks took to drain after the payouts settled (ms), or undefined if they did not within the bound. */
  webhookDrainMs?: number;
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, Math.max(0, ms)));

export async function runChaos(options: ChaosOptions): Promise<ChaosResult> {
  const log = options.log ?? ((line: string) => console.log(`[chaos] ${line}`));
  const started = Date.now();
  const withWebhooks = options.webhooks !== false;
  const planned = makePlan(options);
  const plan: Plan = withWebhooks ? planned : { ...planned, receiverFaults: [] };
  log(
    `seed ${options.seed}: ${plan.payouts.length} payouts${plan.batches?.length ? ` and ${plan.batches.length} batches (${plan.batches.reduce((n, b) => n + b.rows.length, 0)} rows)` : ''}, concurrency ${options.concurrency}, ${options.startStack ? 'the stack given' : `${options.workers ?? 1} worker(s)`}, ${plan.disruptions.length} disruption(s)${options.disruptions ? ' (given)' : ''}, ${withWebhooks ? `${plan.receiverFaults.length} receiver faults` : 'no webhooks'}, faults ${options.faults ? 'on' : 'off'}${options.startStack ? '' : `, provider assumptions ${options.assumptions ?? 'default'}`}${options.outageRule ? `, 503 only in outages (±${options.outageRule.graceMs} ms)` : ''}`,
  );
  if (plan.policy) log(`approval policy: ${policyJson(plan.policy)}`);
  const stack = options.startStack
    ? await options.startStack(log, { ...(plan.policy && { policy: plan.policy }) })
    : await startChaosStack({ timing: options.timing ?? DEFAULT_TIMING, workers: options.workers ?? 1, assumptions: options.assumptions ?? 'default', ...(plan.policy && { policy: plan.policy }), log });
  if (plan.policy && !stack.approvalPolicy) log('the stack runs without the approval policy the plan drew: the policy rules judge nothing');
  const timing = stack.timing;
  log(`stack up in ${Date.now() - started} ms (logs in ${stack.dir}; API ${stack.apiUrls.join(', ')})`);
  let webhooks: WebhookHarness | undefined;
  try {
    const recorder = new Recorder(stack.apiUrls.length > 0 ? stack.apiUrls : [stack.apiUrl], stack.apiKeys);
    const ctx: ActionContext = { stack, recorder, log };
    // The merchant's endpoints, before the first payout: every payout's every event is owed to them.
    if (withWebhooks) webhooks = await startWebhooks(recorder, log, stack.webhookTls);
    const receivers = webhooks;
    const done = { payouts: false };

    // The world: faults and balance dips one after another while payouts run.
    const balanceDips = new Set<Promise<void>>();
    const world = (async () => {
      for (const { gapMs, event } of plan.world) {
        await sleep(gapMs);
        if (done.payouts) return;
        await performWorldEvent(ctx, event, balanceDips).catch((err: Error) => log(`world event failed: ${err.message}`));
      }
    })();

    // Receiver faults, one at a time per receiver, each from its payout's creation (or its kill's or restart's start).
    const receiverFaults: Promise<void>[] = [];
    const faultWindows: WebhookObservations['faultWindows'] = [];
    const receiverFault = (fault: ReceiverFault) => {
      if (!receivers) return;
      receiverFaults.push(
        receivers.fault(fault).then(
          (window) => void faultWindows.push(window),
          (err: Error) => log(`receiver fault failed: ${err.message}`),
        ),
      );
    };

    // Kills, restarts and scaling, one at a time, each when its payout is created (or during its batch).
    let disruptions: Promise<void> = Promise.resolve();
    const disruptionWindows: ChaosResult['disruptionWindows'] = [];
    const batchScripts: Promise<void>[] = [];
    // A kill planned during a batch: after the batch's approval answered.
    const onApproved = async (batch: BatchPlan) => {
      await Promise.all(
        plan.disruptions.map(async (d, i) => {
          if (d.duringBatch?.batch !== batch.index) return;
          await sleep(d.duringBatch.afterApprovalMs);
          log(`${describeEvent(d.event)} during batch ${batch.reference}, ${d.duringBatch.afterApprovalMs} ms after its approval`);
          runDisruption(i);
        }),
      );
    };
    const disrupt = (index: number) => {
      for (const r of plan.receiverFaults.filter((x) => x.afterPayout === index && x.withDisruption === undefined)) receiverFault(r.fault);
      for (const batch of plan.batches ?? []) {
        if (batch.afterPayout === index) batchScripts.push(runBatch(ctx, batch, onApproved).catch((err: Error) => log(`batch ${batch.reference} failed: ${err.message}`)));
      }
      for (const [i, d] of plan.disruptions.entries()) if (d.afterPayout === index && d.duringBatch === undefined) runDisruption(i);
    };
    const runDisruption = (i: number) => {
      const d = plan.disruptions[i]!;
      disruptions = disruptions.then(async () => {
        for (const r of plan.receiverFaults.filter((x) => x.withDisruption === i)) receiverFault(r.fault);
        const from = Date.now();
        let outcome: Awaited<ReturnType<typeof performWorldEvent>> = {};
        let error: string | undefined;
        try {
          outcome = await performWorldEvent(ctx, d.event, balanceDips);
        } catch (err) {
          error = (err as Error).message;
          log(`disruption failed: ${error}`);
        }
        const to = Date.now();
        disruptionWindows.push({
          index: i,
          afterPayout: d.afterPayout,
          kind: d.event.kind,
          event: d.event,
          detail: describeEvent(d.event, outcome.triggersHeld),
          ...(outcome.triggersHeld !== undefined && { triggersHeld: outcome.triggersHeld }),
          from,
          to,
          recoveryMs: to - from,
          ...(error !== undefined && { error }),
        });
      });
    };

    // Polling: every payout and batch is read over and over, unsettled ones often, settled ones now and then.
    const poller = startPoller({
      references: () => [...recorder.payouts.keys()],
      read: (ref) => recorder.read(ref),
      lastStatus: (ref) => recorder.lastStatus(ref),
      createStatus: (ref) => recorder.payouts.get(ref)?.createStatus ?? 0,
      isFinal,
    });
    const batchPoller = startPoller({
      references: () => [...recorder.batches.keys()],
      read: (ref) => recorder.readBatch(ref),
      lastStatus: (ref) => recorder.lastBatchStatus(ref),
      createStatus: (ref) => recorder.batches.get(ref)?.createStatus ?? 0,
      isFinal: isFinalBatch,
    });

    // The payouts' scripts, at most `concurrency` at a time.
    let next = 0;
    const runners = Array.from({ length: Math.max(1, options.concurrency) }, async () => {
      while (next < plan.payouts.length) {
        const payout = plan.payouts[next]!;
        next += 1;
        disrupt(payout.index);
        await runScript(ctx, payout);
      }
    });
    await Promise.all(runners);
    await Promise.all(batchScripts);
    done.payouts = true;
    await disruptions;
    await world;
    await Promise.all(receiverFaults);

    // The faults stop: nothing pending at the simulators, balances back, workers, server and database up.
    await stopFaults(stack);
    const faultsStoppedAt = Date.now();
    const settleWithinMs = 2 * timing.statusPollMaxMs;
    log(`faults stopped; every payout must be final or NEEDS_ATTENTION within ${settleWithinMs} ms`);
    poller.fast = true;
    batchPoller.fast = true;
    const deadline = faultsStoppedAt + settleWithinMs;
    const giveUpAt = deadline + (options.graceMs ?? 5_000);
    for (;;) {
      // Final everywhere: done. NEEDS_ATTENTION is enough for the rule, but it is worth seeing
      // whether such a payout leaves it once the faults are gone, so those are watched until the end.
      const open = [...recorder.payouts.values()].filter((p) => {
        const status = recorder.lastStatus(p.reference);
        // A payout whose create never succeeded and that no read ever found does not exist.
        if (status === undefined) return p.createStatus >= 200 && p.createStatus < 300;
        return !isFinal(status);
      });
      const openBatches = [...recorder.batches.values()].filter((b) => {
        const status = recorder.lastBatchStatus(b.reference);
        return status === undefined ? b.createStatus >= 200 && b.createStatus < 300 : !isFinalBatch(status);
      });
      if (open.length === 0 && openBatches.length === 0) break;
      // Past the deadline, make sure each unsettled payout has been read after it, then stop.
      if (Date.now() > giveUpAt) break;
      await sleep(250);
    }
    await poller.stop();
    await batchPoller.stop();
    // Payouts still needing attention: an operator resolves them as the provider's ledger says.
    if (options.resolve !== false) {
      const before = await readLedgers(stack.simulatorUrl);
      // Batch rows too: their batch completes only once they are final.
      const rows = (plan.batches ?? []).flatMap((b) => b.rows.map((r) => ({ reference: r.reference, requester: b.requester })));
      const attention = [...plan.payouts, ...rows].filter((p) => recorder.lastStatus(p.reference) === 'NEEDS_ATTENTION');
      for (const p of attention) await resolveAttention(ctx, p, before);
      if (attention.length > 0) {
        log(`resolved ${attention.length} payout(s) that needed attention; watching them ${timing.statusPollInitialMs * 4} ms more`);
        await sleep(timing.statusPollInitialMs * 4);
      }
    }
    // A batch whose last open rows were just resolved completes a moment later.
    if (recorder.batches.size > 0) await waitForBatches(recorder, timing.statusPollInitialMs * 8);
    // A last look at every payout and batch (with every row as it lists them), sent after everything else was answered.
    for (const ref of recorder.payouts.keys()) await recorder.read(ref);
    for (const ref of recorder.batches.keys()) {
      await recorder.readBatch(ref);
      await recorder.listBatchItems(ref);
    }
    // The webhooks drain: every event of every timeline seen reaches its endpoints; then the API's logs.
    const drain = receivers ? await drainWebhooks(receivers, recorder, timing, faultWindows, log) : undefined;
    // Issue 15: what every requester and destination of the run has used today, read between two
    // complete reads of the payouts (the one before and the one below), so that the checker knows
    // each payout's status around the reading.
    const limitsFrom = recorder.limits.length; // the readings before (a batch approver's) are not the end's
    if (stack.approvalPolicy?.limits) await readAllLimits(recorder, stack.approvalPolicy);
    const endLimits = recorder.limits.slice(limitsFrom);
    // Once more, after what the receivers got was taken: an event beyond every timeline read after it arrived was invented.
    for (const ref of recorder.payouts.keys()) await recorder.read(ref);
    for (const ref of recorder.batches.keys()) await recorder.readBatch(ref);
    // Issue 18: the reconciliation of every day the run's payouts may have been submitted in, after
    // the reads above (so the checker knows each payout's status before it), then the payouts that
    // were still open (and any it flagged) read again: those open throughout can only be pending.
    const reconciliations: ReconciliationObservation[] | undefined = options.reconcile === false ? undefined : [];
    if (reconciliations) {
      for (const date of jakartaDaysBetween(started, Date.now())) {
        const rec = await reconcileDay(recorder, date, { log });
        reconciliations.push(rec);
        log(`reconciliation of ${date}: ${rec.status}${rec.error ? ` (${rec.error})` : ''}, ${rec.breaks.length} break(s), ${rec.answeredAt - rec.sentAt} ms`);
      }
      const flagged = new Set(reconciliations.flatMap((r) => r.flagged));
      for (const ref of recorder.payouts.keys()) {
        const status = recorder.lastStatus(ref);
        if (flagged.has(ref) || status === undefined || !isFinal(status)) await recorder.read(ref);
      }
    }
    const ledger = await readLedgers(stack.simulatorUrl);
    const faultsFired: ChaosResult['faultsFired'] = {};
    for (const provider of ['singapay', 'faspay'] as const) {
      const res = await fetch(`${stack.simulatorUrl[provider]}/__sim/faults`);
      faultsFired[provider] = ((await res.json()) as { fired: Record<string, number> }).fired;
    }
    let continuedAsNew = 0;
    for await (const _ of stack.client.workflow.list({ query: 'ExecutionStatus = "ContinuedAsNew"' })) continuedAsNew += 1;
    const observations: Observations = {
      payouts: [...recorder.payouts.values()],
      ...(stack.approvalPolicy && { policy: stack.approvalPolicy }),
      ...(endLimits.length > 0 && { limits: endLimits }),
      ...(recorder.batches.size > 0 && { batches: [...recorder.batches.values()] }),
      ledger,
      answers: recorder.answers,
      faultsStoppedAt,
      settleWithinMs,
      ...(drain && { webhooks: drain.observations }),
      ...(options.outageRule && { outages: outagesOf(disruptionWindows, options.outageRule.graceMs) }),
      ...(reconciliations && { reconciliations }),
    };
    const violations = check(observations);
    // Everything the checker saw, for a look afterwards (the report names the directory).
    writeFileSync(join(stack.dir, 'observations.json'), JSON.stringify({ seed: options.seed, violations, faultsFired, continuedAsNew, disruptions: disruptionWindows, observations }, null, 1));
    return {
      plan,
      observations,
      violations,
      faultsFired,
      continuedAsNew,
      dir: stack.dir,
      durationMs: Date.now() - started,
      disruptionWindows,
      ...(drain?.tookMs !== undefined && { webhookDrainMs: drain.tookMs }),
    };
  } finally {
    await webhooks?.stop();
    await stack.stop();
  }
}

/**
 * Waits (at most timing.webhookDrainMs) until every endpoint has received every event it is owed by
 * the timelines seen so far, reading payouts that are not final again now and then (one needing
 * attention may still move); then reads each endpoint's delivery log until it shows DELIVERED for
 * everything received (at most 30 s: visibility lags a little), and takes what the receivers got.
 */
async function drainWebhooks(
  receivers: WebhookHarness,
  recorder: Recorder,
  timing: Timing,
  faultWindows: WebhookObservations['faultWindows'],
  log: (line: string) => void,
): Promise<{ observations: WebhookObservations; tookMs?: number }> {
  if (!receivers.allUp()) throw new Error('a webhook receiver is still down after its fault');
  const started = Date.now();
  let lastReread = started;
  let drainedAt = started;
  let missing = 0;
  for (;;) {
    if (Date.now() - lastReread >= 2_000) {
      lastReread = Date.now();
      for (const [ref, payout] of recorder.payouts) {
        const status = recorder.lastStatus(ref);
        if (status !== undefined ? !isFinal(status) : payout.createStatus >= 200 && payout.createStatus < 300) await recorder.read(ref);
      }
    }
    const payouts = [...recorder.payouts.values()];
    missing = 0;
    for (const endpoint of receivers.endpoints) {
      const got = firstArrivals(endpoint.received);
      for (const eventId of expectedEvents(payouts, endpoint.events, Infinity, [...recorder.batches.values()]).keys()) if (!got.has(eventId)) missing += 1;
    }
    drainedAt = Date.now();
    if (missing === 0 || drainedAt - started > timing.webhookDrainMs) break;
    await sleep(250);
  }
  const tookMs = missing === 0 ? drainedAt - started : undefined;
  log(missing === 0 ? `webhooks drained ${tookMs} ms after the payouts settled` : `webhooks not drained within ${timing.webhookDrainMs} ms: ${missing} event(s) missing`);

  const logs = new Map<string, { records: DeliveryLogRecord[]; sentAt: number }>();
  const logDeadline = Date.now() + 30_000;
  for (const endpoint of receivers.endpoints) {
    for (;;) {
      const read = await receivers.readLog(endpoint.id);
      if (read) {
        logs.set(endpoint.id, read);
        const delivered = new Set(read.records.filter((r) => r.state === 'DELIVERED').map((r) => r.eventId));
        const arrived = [...firstArrivals(endpoint.received).values()].filter(({ first }) => first.receivedAt <= read.sentAt);
        if (arrived.every(({ first }) => delivered.has(first.eventId))) break;
      }
      if (Date.now() > logDeadline) break;
      await sleep(500);
    }
  }
  return { observations: receivers.observations({ drainedAt, drainWithinMs: timing.webhookDrainMs, faultWindows }, logs), ...(tookMs !== undefined && { tookMs }) };
}

const settledStatus = (status: string | undefined) => status !== undefined && (isFinal(status) || status === 'NEEDS_ATTENTION');

/** One payout: create it, then each action at its time; done when its deadline and schedule have passed. */
async function runScript(ctx: ActionContext, payout: PayoutPlan): Promise<void> {
  const createdAt = Date.now();
  const scheduledAt = payout.scheduledInMs !== undefined ? new Date(createdAt + payout.scheduledInMs).toISOString() : undefined;
  const record = ctx.recorder.track(payout, scheduledAt);
  record.createStatus = await createPayout(ctx, payout, scheduledAt);
  await Promise.all(
    payout.actions.map(async (action) => {
      await sleep(createdAt + action.at - Date.now());
      await performPayoutAction(ctx, payout, action, scheduledAt).catch((err: Error) => ctx.log(`${payout.reference} ${action.kind} failed: ${err.message}`));
    }),
  );
  const lastMoment = Math.max(payout.approvalTimeoutMs, payout.scheduledInMs ?? 0, ...payout.actions.map((a) => a.at)) + 500;
  await sleep(createdAt + lastMoment - Date.now());
}

/** GET /v1/limits for every requester principal and every destination number of the run (the scopes the policy limits). */
async function readAllLimits(recorder: Recorder, policy: ChaosPolicy): Promise<void> {
  const payouts = [...recorder.payouts.values()].filter((p) => p.snapshots.length > 0);
  if (policy.limits?.perRequesterPerDay !== undefined) {
    const requesters = new Set(payouts.map((p) => (p.snapshots.find((s) => typeof s.doc.requestedBy === 'string')?.doc.requestedBy ?? p.requestedBy).trim().toLowerCase()));
    for (const principal of requesters) await recorder.readLimits('requester', principal);
  }
  if (policy.limits?.perDestinationPerDay !== undefined) {
    for (const number of new Set(payouts.map((p) => p.destinationNumber))) await recorder.readLimits('destination', number);
  }
}

/** Reads the batches that are not final every 500 ms until none is, or for `forMs` at most. */
async function waitForBatches(recorder: Recorder, forMs: number): Promise<void> {
  const until = Date.now() + forMs;
  for (;;) {
    const open = [...recorder.batches.values()].filter((b) => b.createStatus >= 200 && b.createStatus < 300 && !isFinalBatch(recorder.lastBatchStatus(b.reference) ?? 'VALIDATING'));
    if (open.length === 0 || Date.now() > until) return;
    for (const b of open) await recorder.readBatch(b.reference);
    await sleep(500);
  }
}

interface Poller {
  fast: boolean;
  stop(): Promise<void>;
}

/** What a poller reads: payouts (GET /v1/payouts/{id}) or batches (GET /v1/batches/{id}). */
interface Pollable {
  references: () => string[];
  read: (reference: string) => Promise<unknown>;
  lastStatus: (reference: string) => string | undefined;
  createStatus: (reference: string) => number;
  isFinal: (status: string) => boolean;
}

/**
 * Reads unsettled payouts (or batches) about every second (every 250 ms once the faults stopped),
 * NEEDS_ATTENTION ones every three, and final ones twice more (10 s and 60 s on) to catch a final
 * status that changes; the run's last look reads everything once more. One GET at a time.
 */
function startPoller(what: Pollable): Poller {
  const { references } = what;
  const recorder = { lastStatus: what.lastStatus, read: what.read };
  const isFinal = what.isFinal;
  const lastRead = new Map<string, number>();
  const finalReads = new Map<string, number>();
  const state = { running: true, fast: false };
  const loop = (async () => {
    while (state.running) {
      const now = Date.now();
      const due = references().filter((ref) => {
        const since = now - (lastRead.get(ref) ?? 0);
        const status = recorder.lastStatus(ref);
        if (status !== undefined && isFinal(status)) {
          const reads = finalReads.get(ref) ?? 0;
          if (reads >= 2 || since < (reads === 0 ? 10_000 : 60_000)) return false;
          finalReads.set(ref, reads + 1);
          return true;
        }
        const created = what.createStatus(ref);
        // Not found so far, and its create never succeeded: probably never created; look now and then.
        if (status === undefined && !(created >= 200 && created < 300)) return since >= 5_000;
        const interval = settledStatus(status) && !state.fast ? 3_000 : state.fast ? 250 : 1_000;
        return since >= interval;
      });
      if (due.length === 0) await sleep(100);
      for (const ref of due) {
        if (!state.running) break;
        lastRead.set(ref, Date.now());
        await recorder.read(ref);
      }
    }
  })();
  return {
    get fast() {
      return state.fast;
    },
    set fast(value: boolean) {
      state.fast = value;
    },
    stop: async () => {
      state.running = false;
      await loop;
    },
  };
}

export type { ChaosStack };
