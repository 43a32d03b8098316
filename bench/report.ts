// The benchmark's human-readable tables; the JSON document holds the same figures and more.
import type { AtRestResult, ThroughputResult } from './run';
import type { Percentiles } from './stats';

const pct = (p: Percentiles | null) => (p ? `${p.p50} / ${p.p95} / ${p.p99}` : 'n/a');
const row = (label: string, value: string | number | null) => `  ${label.padEnd(46)} ${value ?? 'n/a'}`;

export function throughputTable(r: ThroughputResult): string {
  return [
    '',
    `Payouts benchmark (${r.settings.n} payouts, concurrency ${r.settings.concurrency}; ${r.machine.cpus} CPUs, Node ${r.machine.node}; ${r.benchSeconds} s)`,
    row('payouts/s (callbacks on)', r.throughput.payoutsPerSecond),
    row('baseline workflows/s', r.throughput.baselinePerSecond),
    row('ratio payouts/baseline', r.throughput.ratio),
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
    row('worker RSS idle before → at rest', `${r.idleBefore.workerRssMiB} → ${r.atRest.workerRssMiB}`),
    row('worker peak RSS while opening', r.peakRssMiB.worker),
    row('worker main-thread heap used / total', `${r.atRest.workerHeapUsedMiB} / ${r.atRest.workerHeapTotalMiB}`),
    row('server RSS idle before → at rest', `${r.idleBefore.serverRssMiB} → ${r.atRest.serverRssMiB}`),
    row('API RSS at rest', r.atRest.apiRssMiB),
    row('approve → SUCCEEDED of the oldest (p50 / p95 / p99)', pct(r.oldestApprovedLatencyMs)),
    '',
  ].join('\n');
}
