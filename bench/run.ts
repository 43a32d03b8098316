// `npm run bench`: what a payout costs on Temporal, measured against a bare baseline workflow on the
// same server in the same run. Prints a table (stderr) and one JSON document (stdout).
//
//   npm run bench -- --n 100 --concurrency 10 --rate 20 --rate-seconds 5
//   npm run bench -- --mode at-rest --open 5000 [--worker-env WORKER_MAX_CACHED_WORKFLOWS=500 ...]
//   npm run bench -- --temporal-address host:7233        (an existing server instead of a dev server)
//   npm run bench -- --temporal-address host:7233 --measure temporal=PID --measure postgres=PID   (and its processes' CPU)
//   npm run bench -- --mode batch --rows 1000            (one batch of 1,000 rows against 1,000 single payouts)
//   npm run bench -- --mode batch --rows 10000 --batch-only   (the batch alone: worker RSS, runs, history)
//   npm run bench -- --mode batch --rows 5000 --batch-only --reconcile   (then the day's reconciliation: time, runs, history, report)
//   npm run bench -- --provider-rps 20                    (each provider's call rate limit; default 1000)
//
// See BENCHMARKS.md for the method and a reading of the figures.
import { cpus, totalmem } from 'node:os';
import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { Client } from '@temporalio/client';
import { approveOpen, createsAtRate, openPayouts, readHistories, referencePrefix, runBaseline, runPayouts, type HistoryEvent } from './load';
import { atRestTable, batchTable, throughputTable } from './report';
import { PAYOUT_TASK_QUEUE, serverRateLimits, startBenchStack, type BenchStack } from './stack';
import { jakartaDay } from '../src/domain/approval-policy';
import { reconciliationWorkflowId, type ReconciliationRun } from '../src/domain/reconciliation';
import { comparisonBody, isFaspayRow, perSecond as rowsPerSecond, runBatch, speedRatio, summarizeRuns, workflowRuns } from './batch';
import { summarizeProfiles } from './profile';
import { measuringCpu, percentiles, residentMiB, whileSamplingRss } from './stats';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_POLICY } from '../workflows/policy';

/** The command line; an unknown flag is a usage error (exit 2), not a stack trace. */
function commandLine() {
  try {
    return parseArgs({
      options: {
        mode: { type: 'string', default: 'throughput' },
        n: { type: 'string', default: '100' },
        concurrency: { type: 'string', default: '10' },
        warmup: { type: 'string', default: '10' },
        rate: { type: 'string', default: '20' },
        'rate-seconds': { type: 'string', default: '5' },
        open: { type: 'string', default: '5000' },
        'light-n': { type: 'string', default: '20' },
        'poll-ms': { type: 'string', default: '20' },
        profile: { type: 'boolean', default: false },
        'temporal-address': { type: 'string' },
        // With --temporal-address: processes of that server to measure too (CPU with their descendants, RSS).
        measure: { type: 'string', multiple: true, default: [] },
        'worker-env': { type: 'string', multiple: true, default: [] },
        // Each provider's call rate limit (SINGAPAY_/FASPAY_MAX_CALLS_PER_SECOND for every process).
        'provider-rps': { type: 'string', default: '1000' },
        // --mode batch: rows of the batch (and single payouts to compare), the share of them on Faspay,
        // how often the batch is read while waiting, and the batch alone (no single payouts).
        rows: { type: 'string', default: '1000' },
        'faspay-share': { type: 'string', default: '0.5' },
        'batch-poll-ms': { type: 'string', default: '250' },
        'batch-only': { type: 'boolean', default: false },
        // --mode batch: then reconcile the day (every row is a payout of it) and report the run's size.
        reconcile: { type: 'boolean', default: false },
        out: { type: 'string' },
      },
    }).values;
  } catch (err) {
    console.error(`${(err as Error).message}\nSee the top of bench/run.ts or BENCHMARKS.md for the flags.`);
    process.exit(2);
  }
}

const flags = commandLine();

function positive(name: string, text: string | undefined): number {
  const value = Number(text);
  if (!Number.isFinite(value) || value <= 0) {
    console.error(`--${name} must be a positive number (got ${JSON.stringify(text)})`);
    process.exit(2);
  }
  return value;
}

const log = (line: string) => console.error(`[bench] ${line}`);

/** Each provider's call rate limit for this run: at most what the configuration accepts (10,000/s). */
function providerRps(): number {
  const value = positive('provider-rps', flags['provider-rps']);
  if (value > 10_000) {
    console.error(`--provider-rps must be at most 10000 (got ${value})`);
    process.exit(2);
  }
  return value;
}

function workerEnv(): Record<string, string> {
  const env: Record<string, string> = {};
  for (const pair of flags['worker-env'] ?? []) {
    const at = pair.indexOf('=');
    if (at <= 0) {
      console.error(`--worker-env takes NAME=VALUE (got ${JSON.stringify(pair)})`);
      process.exit(2);
    }
    env[pair.slice(0, at)] = pair.slice(at + 1);
  }
  return env;
}

const machine = () => ({
  cpus: cpus().length,
  cpuModel: cpus()[0]?.model ?? 'unknown',
  memoryGiB: Math.round(totalmem() / 2 ** 30),
  node: process.version,
  platform: `${process.platform}-${process.arch}`,
});

async function simCalls(stack: BenchStack): Promise<Record<string, number>> {
  return (await (await fetch(`${stack.simulator.url}/__sim/calls`)).json()) as Record<string, number>;
}

/** The API's request counter (payouts_api_http_requests_total), summed by method and route pattern. */
async function apiRequests(stack: BenchStack): Promise<Record<string, number>> {
  const text = await (await fetch(`${stack.apiUrl}/metrics`)).text();
  const counts: Record<string, number> = {};
  for (const [, labels, value] of text.matchAll(/^payouts_api_http_requests_total\{([^}]*)\} (\d+)$/gm)) {
    const label = (name: string) => new RegExp(`${name}="([^"]*)"`).exec(labels!)?.[1] ?? '?';
    const key = `${label('method')} ${label('route')}`;
    // The bench's own scrapes are not the payouts' load.
    if (!key.endsWith(' /metrics')) counts[key] = (counts[key] ?? 0) + Number(value);
  }
  return counts;
}

const perPayout = (after: Record<string, number>, before: Record<string, number>, n: number) =>
  Object.fromEntries(Object.keys(after).map((key) => [key, Math.round(((after[key]! - (before[key] ?? 0)) / n) * 100) / 100]));

async function setCallbacks(stack: BenchStack, enabled: boolean): Promise<void> {
  const res = await fetch(`${stack.simulator.url}/__sim/callbacks`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ enabled }) });
  if (!res.ok) throw new Error(`could not switch callbacks: ${res.status}`);
}

const isAwaitingUpsert = (e: HistoryEvent) =>
  Buffer.from(e.upsertWorkflowSearchAttributesEventAttributes?.searchAttributes?.indexedFields?.PayoutStatus?.data ?? []).toString().includes('AWAITING_APPROVAL');
const isFirstTimer = (e: HistoryEvent) => Boolean(e.timerStartedEventAttributes);

/** `--measure NAME=PID`: processes outside the bench (a Temporal server, its database) to measure as process trees. */
function measured(): Record<string, number> {
  const named: Record<string, number> = {};
  for (const pair of flags.measure ?? []) {
    const [name, pid] = pair.split('=');
    if (!name || !Number.isInteger(Number(pid)) || Number(pid) <= 0) {
      console.error(`--measure takes NAME=PID (got ${JSON.stringify(pair)})`);
      process.exit(2);
    }
    named[name] = Number(pid);
  }
  return named;
}

function pids(stack: BenchStack): Record<string, number | undefined> {
  return {
    ...measured(),
    worker: stack.worker.process.pid,
    api: stack.api.process.pid,
    server: stack.serverPid,
    baselineWorker: stack.baselineWorker?.process.pid,
    // This process: the load drivers and the simulator.
    benchAndSimulator: process.pid,
  };
}

/** Runs one phase while sampling every process's RSS and counting its CPU time. */
async function phase<T>(stack: BenchStack, work: () => Promise<T>) {
  const { result, peakRssMiB } = await whileSamplingRss(pids(stack), () => measuringCpu(pids(stack), work, new Set(Object.keys(measured()))));
  return { result: result.result, cpuSeconds: result.cpuSeconds, peakRssMiB };
}

const perItem = (cpu: Record<string, number | null>, n: number) =>
  Object.fromEntries(Object.entries(cpu).filter(([, s]) => s !== null && s > 0).map(([name, s]) => [name, Math.round((s! / n) * 1000 * 10) / 10]));

export type ThroughputResult = Awaited<ReturnType<typeof throughput>> & { benchSeconds: number };
export type AtRestResult = Awaited<ReturnType<typeof atRest>> & { benchSeconds: number };
export type BatchModeResult = Awaited<ReturnType<typeof batchMode>> & { benchSeconds: number };

async function throughput() {
  const n = positive('n', flags.n);
  const concurrency = positive('concurrency', flags.concurrency);
  const warmup = Number(flags.warmup ?? 0);
  const rate = positive('rate', flags.rate);
  const rateSeconds = positive('rate-seconds', flags['rate-seconds']);
  const lightN = positive('light-n', flags['light-n']);
  const pollMs = positive('poll-ms', flags['poll-ms']);
  const profileDir = flags.profile ? mkdtempSync(join(tmpdir(), 'payouts-worker-profile-')) : undefined;
  log(`starting the stack (dev server, simulator, worker, API, baseline worker)`);
  const stack = await startBenchStack({
    temporalAddress: flags['temporal-address'],
    workerEnv: workerEnv(),
    ...(profileDir && { workerNodeArgs: ['--cpu-prof', '--cpu-prof-dir', profileDir] }),
    baseline: true,
    providerRps: providerRps(),
    log,
  });
  let stopped = false;
  try {
    const rateLimits = await serverRateLimits(stack);
    if (warmup > 0) {
      log(`warm-up: ${warmup} payouts and ${warmup} baseline runs`);
      await runPayouts(stack.apiUrl, stack.connection, warmup, concurrency, referencePrefix('warm'), pollMs);
      await runBaseline(stack.connection, warmup, concurrency, referencePrefix('warmbase'), DEFAULT_POLICY.statusPollInitialMs, pollMs);
    }

    log(`baseline: ${n} runs at concurrency ${concurrency}`);
    const baseline = await phase(stack, () => runBaseline(stack.connection, n, concurrency, referencePrefix('base'), DEFAULT_POLICY.statusPollInitialMs, pollMs));
    const baselineHist = await readHistories(stack.connection, baseline.result.runs, isFirstTimer);

    log(`payouts with callbacks: ${n} at concurrency ${concurrency}`);
    await setCallbacks(stack, true);
    const callsBefore = await simCalls(stack);
    const requestsBefore = await apiRequests(stack);
    const withCallbacks = await phase(stack, () => runPayouts(stack.apiUrl, stack.connection, n, concurrency, referencePrefix('cb'), pollMs));
    const callsAfter = await simCalls(stack);
    const requestsAfter = await apiRequests(stack);
    const withCallbacksHist = await readHistories(stack.connection, withCallbacks.result.runs, isAwaitingUpsert);

    log(`payouts without callbacks (polling only, first status check after ${DEFAULT_POLICY.statusPollInitialMs} ms): ${n} at concurrency ${concurrency}`);
    await setCallbacks(stack, false);
    const polling = await phase(stack, () => runPayouts(stack.apiUrl, stack.connection, n, concurrency, referencePrefix('poll'), pollMs));
    const pollingHist = await readHistories(stack.connection, polling.result.runs, isAwaitingUpsert);
    await setCallbacks(stack, true);

    log(`payouts at light load (one at a time, callbacks on): ${lightN}`);
    const light = await runPayouts(stack.apiUrl, stack.connection, lightN, 1, referencePrefix('light'), pollMs);
    const lightHist = await readHistories(stack.connection, light.runs, isAwaitingUpsert);

    log(`API creates at ${rate}/s for ${rateSeconds} s`);
    const creates = await createsAtRate(stack.apiUrl, rate, rateSeconds, referencePrefix('rate'));

    const perSecond = (count: number, ms: number) => Math.round((count / ms) * 1000 * 100) / 100;
    const payoutsPerSecond = perSecond(n, withCallbacks.result.wallMs);
    const baselinePerSecond = perSecond(n, baseline.result.wallMs);
    const callsPerPayout = perPayout(callsAfter, callsBefore, n);
    const memory = async (m: BenchStack['worker'] | undefined) => (m ? { ...(await m.memory()), rssMiB: residentMiB(m.process.pid)?.rss ?? null } : null);
    const mib = (usage: NodeJS.MemoryUsage | null) => (usage ? { heapUsedMiB: Math.round((usage.heapUsed / 2 ** 20) * 10) / 10, heapTotalMiB: Math.round((usage.heapTotal / 2 ** 20) * 10) / 10 } : null);
    const workerMemory = await memory(stack.worker);

    const result = {
      mode: 'throughput',
      at: new Date().toISOString(),
      machine: machine(),
      settings: {
        n,
        concurrency,
        warmup,
        lightN,
        pollMs,
        profile: Boolean(profileDir),
        rate,
        rateSeconds,
        statusPollInitialMs: DEFAULT_POLICY.statusPollInitialMs,
        workerEnv: workerEnv(),
        temporal: flags['temporal-address'] ?? 'dev server (in memory)',
        providerRps: providerRps(),
        serverRateLimits: rateLimits,
      },
      throughput: { payoutsPerSecond, baselinePerSecond, ratio: Math.round((payoutsPerSecond / baselinePerSecond) * 100) / 100, payoutWallMs: withCallbacks.result.wallMs, baselineWallMs: baseline.result.wallMs },
      latencyMs: {
        createToAwaitingApproval: percentiles(withCallbacksHist.map((h) => h.createToAwaitingMs)),
        // The decision's answer under load: issue "money safety by construction" asks for p99 < 1 s.
        approveAnswered: percentiles(withCallbacks.result.runs.map((r) => r.approveAnswerMs).filter((ms): ms is number => ms !== undefined)),
        approveToSucceededWithCallbacks: percentiles(withCallbacksHist.map((h) => h.approveToEndMs)),
        approveToSucceededPollingOnly: percentiles(pollingHist.map((h) => h.approveToEndMs)),
        lightLoadCreateToAwaitingApproval: percentiles(lightHist.map((h) => h.createToAwaitingMs)),
        lightLoadApproveToSucceededWithCallbacks: percentiles(lightHist.map((h) => h.approveToEndMs)),
        baselineStartToAwaiting: percentiles(baselineHist.map((h) => h.createToAwaitingMs)),
        baselineApproveToEnd: percentiles(baselineHist.map((h) => h.approveToEndMs)),
      },
      historyEvents: {
        payoutWithCallbacks: percentiles(withCallbacksHist.map((h) => h.events)),
        payoutPollingOnly: percentiles(pollingHist.map((h) => h.events)),
        baseline: percentiles(baselineHist.map((h) => h.events)),
      },
      providerCallsPerPayout: callsPerPayout,
      // What the drivers' waiting costs: each payout poll is a GET (a workflow query behind the API),
      // each baseline poll a query straight to Temporal.
      drivers: {
        pollsPerPayout: Math.round((withCallbacks.result.polls / n) * 10) / 10,
        pollsPerBaselineRun: Math.round((baseline.result.polls / n) * 10) / 10,
        apiRequestsPerPayout: perPayout(requestsAfter, requestsBefore, n),
      },
      apiCreateAtFixedRate: { ratePerSecond: rate, seconds: rateSeconds, statuses: creates.statuses, latencyMs: percentiles(creates.latenciesMs) },
      cpuMsPerWorkflow: { baselinePhase: perItem(baseline.cpuSeconds, n), payoutPhase: perItem(withCallbacks.cpuSeconds, n) },
      peakRssMiB: { baselinePhase: baseline.peakRssMiB, payoutPhase: withCallbacks.peakRssMiB, pollingPhase: polling.peakRssMiB },
      endMemory: {
        worker: { rssMiB: workerMemory?.rssMiB ?? null, ...mib(workerMemory) },
        api: { rssMiB: residentMiB(stack.api.process.pid)?.rss ?? null },
        server: { rssMiB: residentMiB(stack.serverPid)?.rss ?? null },
      },
      workerProfile: null as ReturnType<typeof summarizeProfiles> | null,
    };
    await stack.stop();
    stopped = true;
    // The worker writes its profiles when it exits (one per thread), over its whole life.
    if (profileDir) result.workerProfile = summarizeProfiles(profileDir);
    return result;
  } finally {
    if (!stopped) await stack.stop();
  }
}

async function atRest() {
  const open = positive('open', flags.open);
  const concurrency = positive('concurrency', flags.concurrency);
  const env = workerEnv();
  log(`starting the stack (dev server, simulator, worker, API)${Object.keys(env).length ? ` with ${JSON.stringify(env)}` : ''}`);
  const stack = await startBenchStack({ temporalAddress: flags['temporal-address'], workerEnv: env, baseline: false, providerRps: providerRps(), log });
  try {
    const rateLimits = await serverRateLimits(stack);
    const idle = { worker: { ...(await stack.worker.memory()), rssMiB: residentMiB(stack.worker.process.pid)?.rss ?? null }, serverRssMiB: residentMiB(stack.serverPid)?.rss ?? null };
    log(`opening ${open} payouts at concurrency ${concurrency}`);
    const prefix = referencePrefix('rest');
    const opened = await whileSamplingRss(pids(stack), async () => {
      const started = Date.now();
      await openPayouts(stack.apiUrl, open, concurrency, prefix);
      const client = new Client({ connection: stack.connection });
      const query = `PayoutStatus = "AWAITING_APPROVAL" AND WorkflowId STARTS_WITH "payout-${prefix}"`;
      for (;;) {
        const { count } = await client.workflow.count(query);
        if (count >= open) break;
        log(`${count} of ${open} waiting for approval`);
        await new Promise((r) => setTimeout(r, 2_000));
      }
      return Date.now() - started;
    });
    log('all open; letting the worker settle for 5 s');
    await new Promise((r) => setTimeout(r, 5_000));
    const usage = await stack.worker.memory();
    const mib = (bytes: number) => Math.round((bytes / 2 ** 20) * 10) / 10;
    const atRestMemory = {
      workerRssMiB: residentMiB(stack.worker.process.pid)?.rss ?? null,
      workerPeakRssMiB: residentMiB(stack.worker.process.pid)?.peak ?? null,
      workerHeapUsedMiB: mib(usage.heapUsed),
      workerHeapTotalMiB: mib(usage.heapTotal),
      workerExternalMiB: mib(usage.external),
      serverRssMiB: residentMiB(stack.serverPid)?.rss ?? null,
      apiRssMiB: residentMiB(stack.api.process.pid)?.rss ?? null,
    };
    // The price of a small cache: the first payouts opened are the likeliest to have been evicted,
    // so approving them makes the worker fetch and replay their history first.
    const approveCount = Math.min(20, open);
    log(`approving the ${approveCount} oldest payouts one by one`);
    const approvedRuns = await approveOpen(stack.apiUrl, stack.connection, prefix, approveCount);
    const approved = await readHistories(stack.connection, approvedRuns, () => false);
    return {
      mode: 'at-rest',
      at: new Date().toISOString(),
      machine: machine(),
      settings: { open, concurrency, workerEnv: env, temporal: flags['temporal-address'] ?? 'dev server (in memory)', providerRps: providerRps(), serverRateLimits: rateLimits },
      openedInMs: opened.result,
      peakRssMiB: opened.peakRssMiB,
      idleBefore: { workerRssMiB: idle.worker.rssMiB, workerHeapUsedMiB: mib(idle.worker.heapUsed), serverRssMiB: idle.serverRssMiB },
      atRest: atRestMemory,
      oldestApprovedLatencyMs: percentiles(approved.map((h) => h.approveToEndMs)),
    };
  } finally {
    await stack.stop();
  }
}

/** The calls each simulator received so far, by provider and operation (GET /__sim/calls). */
async function providerCalls(stack: BenchStack): Promise<Record<string, Record<string, number>>> {
  const read = async (url: string) => (await (await fetch(`${url}/__sim/calls`)).json()) as Record<string, number>;
  return {
    singapay: await read(stack.simulator.url),
    ...(stack.faspaySimulator && { faspay: await read(stack.faspaySimulator.url) }),
  };
}

/** Calls per row of each provider over a part: each provider's calls divided by the rows it served. */
function callsPerRow(after: Record<string, Record<string, number>>, before: Record<string, Record<string, number>>, rowsByProvider: Record<string, number>) {
  return Object.fromEntries(
    Object.entries(after)
      .filter(([provider]) => (rowsByProvider[provider] ?? 0) > 0)
      .map(([provider, counts]) => [provider, perPayout(counts, before[provider] ?? {}, rowsByProvider[provider]!)]),
  );
}

/**
 * `--mode batch`: (a) one batch of `--rows` rows, create → AWAITING_APPROVAL → approve → COMPLETED;
 * (b) unless `--batch-only`, as many single payouts to the same destinations, driven as the
 * throughput mode drives them (create, wait, approve, wait) at `--concurrency`. On one stack and one
 * server, with both providers' simulators.
 */
async function batchMode() {
  const rows = positive('rows', flags.rows);
  if (!Number.isInteger(rows) || rows > 10_000) {
    console.error(`--rows must be a whole number of at most 10000, a batch's most (got ${JSON.stringify(flags.rows)})`);
    process.exit(2);
  }
  const concurrency = positive('concurrency', flags.concurrency);
  const warmup = Number(flags.warmup ?? 0);
  const pollMs = positive('poll-ms', flags['poll-ms']);
  const batchPollMs = positive('batch-poll-ms', flags['batch-poll-ms']);
  const faspayShare = Number(flags['faspay-share']);
  if (!Number.isFinite(faspayShare) || faspayShare < 0 || faspayShare > 1) {
    console.error(`--faspay-share must be a number from 0 to 1 (got ${JSON.stringify(flags['faspay-share'])})`);
    process.exit(2);
  }
  const batchOnly = Boolean(flags['batch-only']);
  const rps = providerRps();
  const env = workerEnv();
  // The payout policy travels with each start from the API: the environment the bench passes to the
  // API (its own) decides it, not --worker-env.
  const statusPollInitialMs = Number(process.env.STATUS_POLL_INITIAL_MS ?? DEFAULT_POLICY.statusPollInitialMs);
  const faspayRows = Array.from({ length: rows }, (_, i) => i).filter((i) => isFaspayRow(i, faspayShare)).length;
  const rowsByProvider = { singapay: rows - faspayRows, faspay: faspayRows };
  const bodyFor = (reference: string, i: number) => comparisonBody(reference, i, faspayShare);

  log(`starting the stack (dev server, Singapay and Faspay simulators, worker, API)${Object.keys(env).length ? ` with ${JSON.stringify(env)}` : ''}`);
  const stack = await startBenchStack({ temporalAddress: flags['temporal-address'], workerEnv: env, baseline: false, faspay: true, providerRps: rps, log });
  try {
    const rateLimits = await serverRateLimits(stack);
    log(`provider rate limits: ${rps} calls/s each (SINGAPAY_/FASPAY_MAX_CALLS_PER_SECOND); activity tasks/s the server holds: ${Object.entries(rateLimits).map(([p, r]) => `${p} ${r ?? 'none'}`).join(', ')}`);
    if (warmup > 0) {
      log(`warm-up: ${warmup} single payouts`);
      await runPayouts(stack.apiUrl, stack.connection, warmup, concurrency, referencePrefix('warm'), pollMs, bodyFor);
    }

    const reference = referencePrefix('batch');
    const items = Array.from({ length: rows }, (_, i) => bodyFor(`${reference}-${i}`, i));
    log(`batch ${reference}: ${rows} rows (${rowsByProvider.singapay} Singapay, ${rowsByProvider.faspay} Faspay)`);
    const batchCallsBefore = await providerCalls(stack);
    const batch = await phase(stack, () => runBatch(stack.apiUrl, reference, items, batchPollMs, log));
    const batchCallsAfter = await providerCalls(stack);
    // The document says COMPLETED a moment before the workflow's last run closes: wait for it (a long
    // poll that follows continue-as-new), then walk its runs.
    await new Client({ connection: stack.connection }).workflow.getHandle(`batch-${reference}`).result();
    const runs = summarizeRuns(await workflowRuns(stack.connection, `batch-${reference}`));
    const b = batch.result;
    const finite = (ms: number) => (Number.isFinite(ms) ? ms : null);
    const batchRowsPerSecond = rowsPerSecond(rows, b.totalMs);
    const batchPart = {
      reference,
      status: b.final.status,
      counts: Object.fromEntries(Object.entries(b.final.counts).filter(([, n]) => n > 0)),
      allSucceeded: b.final.counts.SUCCEEDED === rows,
      createAnswerMs: b.createAnswerMs,
      createToAwaitingMs: finite(b.createToAwaitingMs),
      approveAnswerMs: b.approveAnswerMs,
      approveToCompletedMs: finite(b.approveToCompletedMs),
      totalMs: finite(b.totalMs),
      rowsPerSecond: batchRowsPerSecond,
      // The drivers' view (they poll every --batch-poll-ms): the timeline's figures above are exact.
      seenByDriverMs: { awaiting: b.seenAwaitingMs, completed: b.seenCompletedMs },
      polls: b.polls,
      pollsNot200: b.pollsNot200,
      workflow: runs,
      cpuSeconds: batch.cpuSeconds,
      cpuMsPerRow: perItem(batch.cpuSeconds, rows),
      peakRssMiB: batch.peakRssMiB,
      providerCallsPerRow: callsPerRow(batchCallsAfter, batchCallsBefore, rowsByProvider),
    };
    if (!batchPart.allSucceeded) log(`warning: not every row SUCCEEDED (${JSON.stringify(batchPart.counts)})`);

    let single = null;
    if (!batchOnly) {
      // Let the batch's last callbacks land before the next part is measured.
      await new Promise((r) => setTimeout(r, 2_000));
      log(`single payouts: ${rows} at concurrency ${concurrency}, to the same destinations`);
      const before = await providerCalls(stack);
      const singles = await phase(stack, () => runPayouts(stack.apiUrl, stack.connection, rows, concurrency, referencePrefix('single'), pollMs, bodyFor));
      const after = await providerCalls(stack);
      log(`reading ${rows} histories`);
      const hist = await readHistories(stack.connection, singles.result.runs, isAwaitingUpsert);
      const indexOf = (workflowId: string) => Number(workflowId.slice(workflowId.lastIndexOf('-') + 1));
      const byProvider = (faspay: boolean) => percentiles(hist.filter((h) => isFaspayRow(indexOf(h.workflowId), faspayShare) === faspay).map((h) => h.approveToEndMs));
      const answered = (pick: (r: (typeof singles.result.runs)[number]) => number | undefined) => percentiles(singles.result.runs.map(pick).filter((ms): ms is number => ms !== undefined));
      single = {
        n: rows,
        concurrency,
        wallMs: singles.result.wallMs,
        payoutsPerSecond: rowsPerSecond(rows, singles.result.wallMs),
        createAnswerMs: answered((r) => r.createAnswerMs),
        createToAwaitingMs: percentiles(hist.map((h) => h.createToAwaitingMs)),
        approveAnswerMs: answered((r) => r.approveAnswerMs),
        approveToSucceededMs: percentiles(hist.map((h) => h.approveToEndMs)),
        approveToSucceededByProviderMs: { singapay: byProvider(false), faspay: byProvider(true) },
        historyEvents: percentiles(hist.map((h) => h.events)),
        pollsPerPayout: Math.round((singles.result.polls / rows) * 10) / 10,
        cpuSeconds: singles.cpuSeconds,
        cpuMsPerPayout: perItem(singles.cpuSeconds, rows),
        peakRssMiB: singles.peakRssMiB,
        providerCallsPerPayout: callsPerRow(after, before, rowsByProvider),
      };
    }
    const reconciliation = flags.reconcile ? await reconcileDay(stack) : null;
    const workerRss = residentMiB(stack.worker.process.pid);
    return {
      mode: 'batch',
      reconciliation,
      at: new Date().toISOString(),
      machine: machine(),
      settings: {
        rows,
        batchOnly,
        concurrency,
        warmup,
        pollMs,
        batchPollMs,
        faspayShare,
        rowsByProvider,
        statusPollInitialMs,
        workerEnv: env,
        temporal: flags['temporal-address'] ?? 'dev server (in memory)',
        providerRps: rps,
        serverRateLimits: rateLimits,
      },
      batch: batchPart,
      single,
      ratio: speedRatio(batchRowsPerSecond, single?.payoutsPerSecond ?? null),
      worker: { rssAtEndMiB: workerRss?.rss ?? null, peakRssOverItsLifeMiB: workerRss?.peak ?? null },
    };
  } finally {
    await stack.stop();
  }
}

/**
 * `--reconcile`: the Jakarta day's reconciliation of every provider, started as the API starts one,
 * on the bench's task queue: how long it took, its runs and their history, and what it reported.
 */
async function reconcileDay(stack: BenchStack) {
  const date = jakartaDay(Date.now());
  const workflowId = reconciliationWorkflowId(date, undefined, `bench${Date.now().toString(36)}`);
  log(`reconciling ${date} (${workflowId})`);
  const client = new Client({ connection: stack.connection });
  const part = await phase(stack, async () => {
    const started = Date.now();
    const handle = await client.workflow.start('reconciliationWorkflow', { taskQueue: PAYOUT_TASK_QUEUE, workflowId, args: [{ date, trigger: 'api' }] });
    const run = (await handle.result()) as ReconciliationRun;
    return { run, ms: Date.now() - started };
  });
  const { run, ms } = part.result;
  return {
    workflowId,
    seconds: Math.round(ms / 100) / 10,
    providers: run.providers.map((p) => ({ provider: p.provider, ours: p.ours, matched: p.matched, pending: p.pending })),
    breaks: run.breakCounts,
    workflow: summarizeRuns(await workflowRuns(stack.connection, workflowId)),
    cpuSeconds: part.cpuSeconds,
    peakRssMiB: part.peakRssMiB,
  };
}

async function main() {
  const started = Date.now();
  if (flags.mode !== 'at-rest' && flags.mode !== 'throughput' && flags.mode !== 'batch') {
    console.error(`--mode must be "throughput", "at-rest" or "batch" (got ${JSON.stringify(flags.mode)})`);
    process.exit(2);
  }
  const seconds = () => Math.round((Date.now() - started) / 100) / 10;
  let document: object;
  if (flags.mode === 'batch') {
    const result = { ...(await batchMode()), benchSeconds: 0 };
    result.benchSeconds = seconds();
    console.error(batchTable(result));
    document = result;
  } else if (flags.mode === 'at-rest') {
    const result = { ...(await atRest()), benchSeconds: 0 };
    result.benchSeconds = seconds();
    console.error(atRestTable(result));
    document = result;
  } else {
    const result = { ...(await throughput()), benchSeconds: 0 };
    result.benchSeconds = seconds();
    console.error(throughputTable(result));
    document = result;
  }
  const json = JSON.stringify(document, null, 2);
  console.log(json);
  if (flags.out) writeFileSync(flags.out, `${json}\n`);
}

main().catch((err) => {
  console.error(`[bench] failed: ${err instanceof Error ? err.stack ?? err.message : String(err)}`);
  process.exit(1);
});
