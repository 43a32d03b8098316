// The benchmark's human-readable tables; the JSON document holds the same figures and more.
import type { AtRestResult, BatchModeResult, ThroughputResult } from './run';
import type { Percentiles } from './stats';

const pct = (p: Percentiles | null) => (p ? `${p.p50} / ${p.p95} / ${p.p99}` : 'n/a');
const row = (label: string, value: string | number | null) => `  ${label.padEnd(46)} ${value ?? 'n/a'}`;

/**
 * The provider call rate limit asked for (calls/s, each provider), and the activity tasks/s the server
 * holds each provider's task queue to for it (fewer than calls when an activity may make several calls).
 */
const rateLimitRow = (settings: { providerRps: number; serverRateLimits: Record<string, number | null> }) =>
  row(
    'provider limit: calls/s | server tasks/s',
    `${settings.providerRps} | ${Object.entries(settings.serverRateLimits).map(([provider, rate]) => `${provider} ${rate ?? 'none (worker-side only)'}`).join(', ')}`,
  );

export function throughputTable(r: ThroughputResult): string {
  return [
    '',
    `Payouts benchmark (${r.settings.n} payouts, concurrency ${r.settings.concurrency}; ${r.machine.cpus} CPUs, Node ${r.machine.node}; ${r.benchSeconds} s)`,
    row('payouts/s (callbacks on)', r.throughput.payoutsPerSecond),
    row('baseline workflows/s', r.throughput.baselinePerSecond),
    row('ratio payouts/baseline', r.throughput.ratio),
    rateLimitRow(r.settings),
    'latency, ms (p50 / p95 / p99)',
    row('create → AWAITING_APPROVAL', pct(r.latencyMs.createToAwaitingApproval)),
    row('approve call answered (the decision itself)', pct(r.latencyMs.approveAnswered)),
    row('approve → SUCCEEDED, callbacks on', pct(r.latencyMs.approveToSucceededWithCallbacks)),
    row('approve → SUCCEEDED, polling only', pct(r.latencyMs.approveToSucceededPollingOnly)),
    row(`approve → SUCCEEDED, light load (${r.settings.lightN} one by one)`, pct(r.latencyMs.lightLoadApproveToSucceededWithCallbacks)),
    row('create → AWAITING_APPROVAL, light load', pct(r.latencyMs.lightLoadCreateToAwaitingApproval)),
    row('baseline start → awaiting', pct(r.latencyMs.baselineStartToAwaiting)),
    row('baseline approve → end', pct(r.latencyMs.baselineApproveToEnd)),
    row(`API create at ${r.apiCreateAtFixedRate.ratePerSecond}/s`, pct(r.apiCreateAtFixedRate.latencyMs)),
    'history events per workflow (p50 / p95 / p99)',
    row('payout, callbacks on', pct(r.historyEvents.payoutWithCallbacks)),
    row('payout, polling only', pct(r.historyEvents.payoutPollingOnly)),
    row('baseline', pct(r.historyEvents.baseline)),
    row('provider calls per payout', Object.entries(r.providerCallsPerPayout).map(([op, n]) => `${op} ${n}`).join(', ')),
    `drivers (asking every ${r.settings.pollMs} ms whether a workflow reached its next stage)`,
    row('polls per payout (GET) | per baseline run (query)', `${r.drivers.pollsPerPayout} | ${r.drivers.pollsPerBaselineRun}`),
    row('API requests per payout', Object.entries(r.drivers.apiRequestsPerPayout).map(([route, n]) => `${route} ${n}`).join(', ')),
    'CPU ms per workflow, by process (payout phase | baseline phase)',
    ...Object.keys({ ...r.cpuMsPerWorkflow.payoutPhase, ...r.cpuMsPerWorkflow.baselinePhase }).map((name) =>
      row(`  ${name}`, `${r.cpuMsPerWorkflow.payoutPhase[name] ?? '-'} | ${r.cpuMsPerWorkflow.baselinePhase[name] ?? '-'}`),
    ),
    'memory, MiB',
    row('peak RSS in the payout phase: worker / API / server', `${r.peakRssMiB.payoutPhase.worker} / ${r.peakRssMiB.payoutPhase.api} / ${r.peakRssMiB.payoutPhase.server}`),
    row('peak RSS in the baseline phase: its worker / server', `${r.peakRssMiB.baselinePhase.baselineWorker} / ${r.peakRssMiB.baselinePhase.server}`),
    row('worker at the end: RSS / main-thread heap', `${r.endMemory.worker.rssMiB} / ${r.endMemory.worker.heapUsedMiB ?? 'n/a'}`),
    ...(r.workerProfile ?? []).flatMap((t) => [
      `worker CPU profile ${t.file} (${t.sampledMs} ms sampled): self time by area, ms`,
      `  ${Object.entries(t.byArea).sort((a, b) => b[1] - a[1]).map(([a, ms]) => `${a} ${Math.round(ms)}`).join('; ')}`,
      '  top functions by self time:',
      ...t.topFunctions.map((f) => `    ${String(f.selfMs).padStart(6)} ms ${String(f.percent).padStart(5)}%  ${f.name}`),
    ]),
    '',
  ].join('\n');
}

export function atRestTable(r: AtRestResult): string {
  return [
    '',
    `Memory at rest (${r.settings.open} payouts waiting for approval; worker env ${JSON.stringify(r.settings.workerEnv)}; ${r.benchSeconds} s)`,
    row('opened in, s', Math.round(r.openedInMs / 100) / 10),
    rateLimitRow(r.settings),
    row('worker RSS idle before → at rest', `${r.idleBefore.workerRssMiB} → ${r.atRest.workerRssMiB}`),
    row('worker peak RSS while opening', r.peakRssMiB.worker),
    row('worker main-thread heap used / total', `${r.atRest.workerHeapUsedMiB} / ${r.atRest.workerHeapTotalMiB}`),
    row('server RSS idle before → at rest', `${r.idleBefore.serverRssMiB} → ${r.atRest.serverRssMiB}`),
    row('API RSS at rest', r.atRest.apiRssMiB),
    row('approve → SUCCEEDED of the oldest (p50 / p95 / p99)', pct(r.oldestApprovedLatencyMs)),
    '',
  ].join('\n');
}

/** Two columns: the batch's one figure, the single payouts' p50 / p95 / p99 (or one figure). */
const pair = (label: string, batch: string | number | null, single: string | number | null | undefined) =>
  `  ${label.padEnd(46)} ${String(batch ?? 'n/a').padEnd(24)} ${single === undefined ? '' : (single ?? 'n/a')}`.trimEnd();

const seconds = (ms: number | null) => (ms === null ? null : Math.round(ms / 100) / 10);

const cpuLine = (cpuSeconds: Record<string, number | null>, perItem: Record<string, number>) =>
  Object.entries(cpuSeconds)
    .filter(([name, s]) => s !== null && s > 0 && perItem[name] !== undefined)
    .map(([name, s]) => `${name} ${s} s (${perItem[name]} ms)`)
    .join(', ');

const callsLine = (perProvider: Record<string, Record<string, number>>) =>
  Object.entries(perProvider)
    .map(([provider, calls]) => `${provider}: ${Object.entries(calls).filter(([, n]) => n > 0).map(([op, n]) => `${op} ${n}`).join(' ')}`)
    .join('; ');

export function batchTable(r: BatchModeResult): string {
  const s = r.settings;
  const b = r.batch;
  const one = r.single;
  const w = b.workflow;
  return [
    '',
    `Batch benchmark (${s.rows} rows: ${s.rowsByProvider.singapay} Singapay, ${s.rowsByProvider.faspay} Faspay; ${r.machine.cpus} CPUs, Node ${r.machine.node}; ${r.benchSeconds} s)`,
    row('worker env', JSON.stringify(s.workerEnv)),
    rateLimitRow(s),
    row('first status check after the trigger, ms', `${s.statusPollInitialMs} (Faspay rows settle there; Singapay rows at once, by callback)`),
    row('batch status', `${b.status}: ${Object.entries(b.counts).map(([status, n]) => `${status} ${n}`).join(', ')}`),
    pair('', '1 batch', one ? `${one.n} single payouts, concurrency ${one.concurrency} (p50 / p95 / p99)` : '(--batch-only: no single payouts)'),
    pair('create answered, ms', b.createAnswerMs, one && pct(one.createAnswerMs)),
    pair('create → AWAITING_APPROVAL, ms', b.createToAwaitingMs, one && pct(one.createToAwaitingMs)),
    pair('approve answered, ms', b.approveAnswerMs, one && pct(one.approveAnswerMs)),
    pair('approve → COMPLETED | SUCCEEDED, ms', b.approveToCompletedMs, one && pct(one.approveToSucceededMs)),
    ...(one ? [pair('  same, Singapay | Faspay payouts', '', `${pct(one.approveToSucceededByProviderMs.singapay)} | ${pct(one.approveToSucceededByProviderMs.faspay)}`)] : []),
    pair('total (create sent → last row final), s', seconds(b.totalMs), one && seconds(one.wallMs)),
    pair('rows/s | payouts/s', b.rowsPerSecond, one && one.payoutsPerSecond),
    row('ratio batch rows/s ÷ single payouts/s', r.ratio),
    pair('worker peak RSS, MiB (sampled every 250 ms)', b.peakRssMiB.worker, one && one.peakRssMiB.worker),
    pair('API | server peak RSS, MiB', `${b.peakRssMiB.api} | ${b.peakRssMiB.server}`, one && `${one.peakRssMiB.api} | ${one.peakRssMiB.server}`),
    row('worker RSS at end | lifetime peak, MiB', `${r.worker.rssAtEndMiB} | ${r.worker.peakRssOverItsLifeMiB}`),
    'CPU by process: seconds over the part (ms per row | per payout)',
    row('  batch', cpuLine(b.cpuSeconds, b.cpuMsPerRow)),
    ...(one ? [row('  single payouts', cpuLine(one.cpuSeconds, one.cpuMsPerPayout))] : []),
    'provider calls per row | per payout, of each provider',
    row('  batch', callsLine(b.providerCallsPerRow)),
    ...(one ? [row('  single payouts', callsLine(one.providerCallsPerPayout))] : []),
    `batch workflow batch-${b.reference}`,
    row('runs (continued as new)', `${w.runs} (${w.continuedAsNew}); last run ${w.lastStatus}`),
    row('history events: longest run | all runs', `${w.longestHistoryEvents} | ${w.totalHistoryEvents}`),
    row('largest run history, KiB', Math.round(w.largestHistoryBytes / 1024)),
    row('history events per run', w.historyEventsPerRun.length <= 20 ? w.historyEventsPerRun.join(', ') : `${w.historyEventsPerRun.slice(0, 20).join(', ')} … (all in the JSON)`),
    row('batch GETs while waiting (not 200)', `${b.polls} (${b.pollsNot200}), every ${s.batchPollMs} ms`),
    ...(one ? [row('history events per single payout', pct(one.historyEvents))] : []),
    ...(r.reconciliation ? reconciliationLines(r.reconciliation) : []),
    '',
  ].join('\n');
}

function reconciliationLines(c: NonNullable<BatchModeResult['reconciliation']>): string[] {
  const w = c.workflow;
  return [
    `reconciliation of the day ${c.workflowId}`,
    row('took, s', c.seconds),
    ...c.providers.map((p) => row(`  ${p.provider}: ours | matched | pending`, `${p.ours.count} | ${p.matched.count} | ${p.pending.count}`)),
    row('breaks', JSON.stringify(c.breaks)),
    row('runs (continued as new)', `${w.runs} (${w.continuedAsNew}); last run ${w.lastStatus}`),
    row('history events: longest run | all runs', `${w.longestHistoryEvents} | ${w.totalHistoryEvents}`),
    row('largest run history, KiB', Math.round(w.largestHistoryBytes / 1024)),
    row('worker | server peak RSS, MiB', `${c.peakRssMiB.worker} | ${c.peakRssMiB.server}`),
  ];
}
