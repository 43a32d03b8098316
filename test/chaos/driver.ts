// One chaos run: the plan from the seed, the stack, two webhook endpoints with their receivers, the
// payouts' scripts (at most `concurrency` at a time) with the world's faults around them and the
// kills, restarts and receiver faults among them; then the faults stop, the run waits for every
// payout to settle and for the webhooks to drain, reads everything once more, and hands what it saw
// to the checker.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createPayout, performPayoutAction, performWorldEvent, resolveAttention, stopFaults, type ActionContext } from './actions';
import { check, expectedEvents, firstArrivals, isFinal } from './checker';
import type { DeliveryLogRecord, Observations, Plan, PayoutPlan, ReceiverFault, Violation, WebhookObservations } from './model';
import { readLedgers, Recorder } from './observe';
import { makePlan, type PlanOptions } from './plan';
import { startChaosStack, DEFAULT_TIMING, type AssumptionForms, type ChaosStack, type Timing } from './stack';
import { startWebhooks, type WebhookHarness } from './webhooks';

export interface ChaosOptions extends PlanOptions {
  concurrency: number;
  /** Workers polling at once (default 1); a kill takes the oldest and starts another. */
  workers?: number;
  /** At the end, resolve payouts still in NEEDS_ATTENTION as the ledger says (default true). */
  resolve?: boolean;
  timing?: Timing;
  log?: (line: string) => void;
  /** Keep polling this much past the settle deadline before giving up on a payout (default 5 s). */
  graceMs?: number;
  /** The providers' assumptions in their default form, or every one in its other form (simulators and service agreeing). */
  assumptions?: AssumptionForms;
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
  /** When each worker kill or server restart ran: from its start until the process answered again. */
  disruptionWindows: { kind: string; from: number; to: number }[];
  /** How long the webhooks took to drain after the payouts settled (ms), or undefined if they did not within the bound. */
  webhookDrainMs?: number;
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, Math.max(0, ms)));

export async function runChaos(options: ChaosOptions): Promise<ChaosResult> {
  const log = options.log ?? ((line: string) => console.log(`[chaos] ${line}`));
  const timing = options.timing ?? DEFAULT_TIMING;
  const started = Date.now();
  const plan = makePlan(options);
  log(`seed ${options.seed}: ${plan.payouts.length} payouts, concurrency ${options.concurrency}, ${options.workers ?? 1} worker(s), ${plan.disruptions.length} kills/restarts, ${plan.receiverFaults.length} receiver faults, faults ${options.faults ? 'on' : 'off'}, provider assumptions ${options.assumptions ?? 'default'}`);
  const stack = await startChaosStack({ timing, workers: options.workers ?? 1, assumptions: options.assumptions ?? 'default', log });
  log(`stack up in ${Date.now() - started} ms (logs in ${stack.dir})`);
  let webhooks: WebhookHarness | undefined;
  try {
    const recorder = new Recorder(stack.apiUrls, stack.apiKeys);
    const ctx: ActionContext = { stack, recorder, log };
    // The merchant's endpoints, before the first payout: every payout's every event is owed to them.
    webhooks = await startWebhooks(recorder, log);
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
      receiverFaults.push(
        receivers.fault(fault).then(
          (window) => void faultWindows.push(window),
          (err: Error) => log(`receiver fault failed: ${err.message}`),
        ),
      );
    };

    // Kills and restarts, one at a time, each when its payout is created.
    let disruptions: Promise<void> = Promise.resolve();
    const disruptionWindows: ChaosResult['disruptionWindows'] = [];
    const disrupt = (index: number) => {
      for (const r of plan.receiverFaults.filter((x) => x.afterPayout === index && x.withDisruption === undefined)) receiverFault(r.fault);
      for (const [i, d] of plan.disruptions.entries()) {
        if (d.afterPayout !== index) continue;
        disruptions = disruptions.then(async () => {
          for (const r of plan.receiverFaults.filter((x) => x.withDisruption === i)) receiverFault(r.fault);
          const from = Date.now();
          await performWorldEvent(ctx, d.event, balanceDips).catch((err: Error) => log(`disruption failed: ${err.message}`));
          disruptionWindows.push({ kind: d.event.kind, from, to: Date.now() });
        });
      }
    };

    // Polling: every payout is read over and over, unsettled ones often, settled ones now and then.
    const poller = startPoller(recorder, () => [...recorder.payouts.keys()]);

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
    done.payouts = true;
    await disruptions;
    await world;
    await Promise.all(receiverFaults);

    // The faults stop: nothing pending at the simulators, balances back, worker and server up.
    await stopFaults(stack);
    const faultsStoppedAt = Date.now();
    const settleWithinMs = 2 * timing.statusPollMaxMs;
    log(`faults stopped; every payout must be final or NEEDS_ATTENTION within ${settleWithinMs} ms`);
    poller.fast = true;
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
      if (open.length === 0) break;
      // Past the deadline, make sure each unsettled payout has been read after it, then stop.
      if (Date.now() > giveUpAt) break;
      await sleep(250);
    }
    await poller.stop();
    // Payouts still needing attention: an operator resolves them as the provider's ledger says.
    if (options.resolve !== false) {
      const before = await readLedgers(stack.simulatorUrl);
      const attention = plan.payouts.filter((p) => recorder.lastStatus(p.reference) === 'NEEDS_ATTENTION');
      for (const p of attention) await resolveAttention(ctx, p, before);
      if (attention.length > 0) {
        log(`resolved ${attention.length} payout(s) that needed attention; watching them ${timing.statusPollInitialMs * 4} ms more`);
        await sleep(timing.statusPollInitialMs * 4);
      }
    }
    // A last look at every payout, sent after everything else was answered.
    for (const ref of recorder.payouts.keys()) await recorder.read(ref);
    // The webhooks drain: every event of every timeline seen reaches its endpoints; then the API's logs.
    const drain = await drainWebhooks(receivers, recorder, timing, faultWindows, log);
    // Once more, after what the receivers got was taken: an event beyond every timeline read after it arrived was invented.
    for (const ref of recorder.payouts.keys()) await recorder.read(ref);
    const ledger = await readLedgers(stack.simulatorUrl);
    const faultsFired: ChaosResult['faultsFired'] = {};
    for (const provider of ['singapay', 'faspay'] as const) {
      const res = await fetch(`${stack.simulatorUrl[provider]}/__sim/faults`);
      faultsFired[provider] = ((await res.json()) as { fired: Record<string, number> }).fired;
    }
    let continuedAsNew = 0;
    for await (const _ of stack.client.workflow.list({ query: 'ExecutionStatus = "ContinuedAsNew"' })) continuedAsNew += 1;
    const observations: Observations = { payouts: [...recorder.payouts.values()], ledger, answers: recorder.answers, faultsStoppedAt, settleWithinMs, webhooks: drain.observations };
    const violations = check(observations);
    // Everything the checker saw, for a look afterwards (the report names the directory).
    writeFileSync(join(stack.dir, 'observations.json'), JSON.stringify({ seed: options.seed, violations, faultsFired, continuedAsNew, observations }, null, 1));
    return {
      plan,
      observations,
      violations,
      faultsFired,
      continuedAsNew,
      dir: stack.dir,
      durationMs: Date.now() - started,
      disruptionWindows,
      ...(drain.tookMs !== undefined && { webhookDrainMs: drain.tookMs }),
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
      for (const eventId of expectedEvents(payouts, endpoint.events, Infinity).keys()) if (!got.has(eventId)) missing += 1;
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

interface Poller {
  fast: boolean;
  stop(): Promise<void>;
}

/**
 * Reads unsettled payouts about every second (every 250 ms once the faults stopped), NEEDS_ATTENTION
 * ones every three, and final ones twice more (10 s and 60 s on) to catch a final status that
 * changes; the run's last look reads everything once more. One GET at a time.
 */
function startPoller(recorder: Recorder, references: () => string[]): Poller {
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
        const created = recorder.payouts.get(ref)?.createStatus ?? 0;
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
