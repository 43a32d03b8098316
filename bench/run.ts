// `npm run bench`: what a payout costs on Temporal, measured against a bare baseline workflow on the
// same server in the same run. Prints a table (stderr) and one JSON document (stdout).
//
//   npm run bench -- --n 100 --concurrency 10 --rate 20 --rate-seconds 5
//   npm run bench -- --mode at-rest --open 5000 [--worker-env WORKER_MAX_CACHED_WORKFLOWS=500 ...]
//   npm run bench -- --temporal-address host:7233        (an existing server instead of a dev server)
//   npm run bench -- --temporal-address host:7233 --measure temporal=PID --measure postgres=PID   (and its processes' CPU)
//
// See BENCHMARKS.md for the method and a reading of the figures.
import { cpus, totalmem } from 'node:os';
import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { Client } from '@temporalio/client';
import { approveOpen, createsAtRate, openPayouts, readHistories, referencePrefix, runBaseline, runPayouts, type HistoryEvent } from './load';
import { atRestTable, throughputTable } from './report';
import { startBenchStack, type BenchStack } from './stack';
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
    log,
  });
  let stopped = false;
  try {
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
      settings: { n, concurrency, warmup, lightN, pollMs, profile: Boolean(profileDir), rate, rateSeconds, statusPollInitialMs: DEFAULT_POLICY.statusPollInitialMs, workerEnv: workerEnv(), temporal: flags['temporal-address'] ?? 'dev server (in memory)' },
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
  const stack = await startBenchStack({ temporalAddress: flags['temporal-address'], workerEnv: env, baseline: false, log });
  try {
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
      settings: { open, concurrency, workerEnv: env, temporal: flags['temporal-address'] ?? 'dev server (in memory)' },
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

async function main() {
  const started = Date.now();
  if (flags.mode !== 'at-rest' && flags.mode !== 'throughput') {
    console.error(`--mode must be "throughput" or "at-rest" (got ${JSON.stringify(flags.mode)})`);
    process.exit(2);
  }
  const seconds = () => Math.round((Date.now() - started) / 100) / 10;
  let document: object;
  if (flags.mode === 'at-rest') {
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
