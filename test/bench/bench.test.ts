// `npm run bench` keeps working: a tiny run of each mode, on its own dev server, prints a table and a
// JSON document whose figures are all there and plausible. (The figures themselves are not asserted
// on: speed goals live in BENCHMARKS.md, not in timed tests.)
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const ROOT = join(__dirname, '..', '..');

function bench(args: string[]): { stderr: string; document: Record<string, unknown>; printed: string } {
  const out = join(mkdtempSync(join(tmpdir(), 'bench-')), 'result.json');
  const run = spawnSync(process.execPath, ['--import', 'tsx', 'bench/run.ts', ...args, '--out', out], { cwd: ROOT, encoding: 'utf8', timeout: 170_000 });
  if (run.status !== 0) throw new Error(`bench exited ${run.status}:\n${run.stderr.slice(-3000)}`);
  return { stderr: run.stderr, document: JSON.parse(readFileSync(out, 'utf8')), printed: run.stdout };
}

test('throughput mode: payouts and the baseline finish; every figure is reported; one trigger per payout', () => {
  const { stderr, document, printed } = bench(['--n', '4', '--concurrency', '2', '--warmup', '1', '--light-n', '2', '--rate', '5', '--rate-seconds', '1']);
  expect(JSON.parse(printed)).toEqual(document);
  expect(stderr).toContain('ratio payouts/baseline');
  const d = document as {
    throughput: { payoutsPerSecond: number; baselinePerSecond: number; ratio: number };
    latencyMs: Record<string, { count: number; p50: number } | null>;
    historyEvents: Record<string, { count: number; p50: number } | null>;
    providerCallsPerPayout: Record<string, number>;
    drivers: { pollsPerPayout: number; pollsPerBaselineRun: number; apiRequestsPerPayout: Record<string, number> };
    apiCreateAtFixedRate: { statuses: Record<string, number> };
    endMemory: { worker: { rssMiB: number; heapUsedMiB: number }; server: { rssMiB: number } };
  };
  expect(d.throughput.payoutsPerSecond).toBeGreaterThan(0);
  expect(d.throughput.baselinePerSecond).toBeGreaterThan(0);
  for (const [name, p] of Object.entries(d.latencyMs)) expect({ name, count: p?.count }).toEqual({ name, count: name.startsWith('lightLoad') ? 2 : 4 });
  expect(d.latencyMs.approveToSucceededPollingOnly!.p50).toBeGreaterThan(d.latencyMs.approveToSucceededWithCallbacks!.p50);
  for (const p of Object.values(d.historyEvents)) expect(p!.p50).toBeGreaterThan(10);
  // Money moves once: exactly one trigger and one inquiry per payout reached the provider.
  expect(d.providerCallsPerPayout).toMatchObject({ inquiry: 1, trigger: 1 });
  // The API saw each payout created, approved and called back exactly once, and read at least once.
  expect(d.drivers.apiRequestsPerPayout).toMatchObject({ 'POST /v1/payouts': 1, 'POST /v1/payouts/:id/approve': 1, 'POST /v1/callbacks/:provider': 1 });
  expect(d.drivers.apiRequestsPerPayout['GET /v1/payouts/:id']).toBeGreaterThanOrEqual(1);
  expect(d.drivers.pollsPerBaselineRun).toBeGreaterThanOrEqual(2);
  expect(d.apiCreateAtFixedRate.statuses).toEqual({ 201: 5 });
  expect(d.endMemory.worker.rssMiB).toBeGreaterThan(d.endMemory.worker.heapUsedMiB);
  expect(d.endMemory.server.rssMiB).toBeGreaterThan(0);
}, 180_000);

test('at-rest mode: opens payouts, waits until all await approval, reports worker memory', () => {
  const { stderr, document } = bench(['--mode', 'at-rest', '--open', '20', '--worker-env', 'WORKER_LOG_NOTHING=1']);
  expect(stderr).toContain('Memory at rest (20 payouts waiting for approval');
  const d = document as { settings: { workerEnv: Record<string, string> }; atRest: { workerRssMiB: number; workerHeapUsedMiB: number; serverRssMiB: number } };
  expect(d.settings.workerEnv).toEqual({ WORKER_LOG_NOTHING: '1' });
  expect(d.atRest.workerRssMiB).toBeGreaterThan(d.atRest.workerHeapUsedMiB);
  expect(d.atRest.serverRssMiB).toBeGreaterThan(0);
}, 180_000);

test('batch mode: one batch and as many single payouts, both providers, every row paid once; the ratio and the batch runs are reported', () => {
  const { stderr, document } = bench(['--mode', 'batch', '--rows', '6', '--concurrency', '2', '--warmup', '1', '--provider-rps', '500']);
  expect(stderr).toContain('ratio batch rows/s ÷ single payouts/s');
  const d = document as {
    settings: { providerRps: number; serverRateLimits: Record<string, number | null>; rowsByProvider: Record<string, number> };
    batch: { status: string; counts: Record<string, number>; rowsPerSecond: number; createToAwaitingMs: number; approveToCompletedMs: number; totalMs: number; workflow: { runs: number; longestHistoryEvents: number; lastStatus: string }; providerCallsPerRow: Record<string, Record<string, number>>; peakRssMiB: { worker: number } };
    single: { payoutsPerSecond: number; approveToSucceededMs: { count: number }; providerCallsPerPayout: Record<string, Record<string, number>> };
    ratio: number;
  };
  expect(d.settings.providerRps).toBe(500);
  expect(d.settings.rowsByProvider).toEqual({ singapay: 3, faspay: 3 });
  expect(d.batch).toMatchObject({ status: 'COMPLETED', counts: { SUCCEEDED: 6 }, workflow: { runs: 1, lastStatus: 'COMPLETED' } });
  expect(d.batch.createToAwaitingMs).toBeGreaterThan(0);
  expect(d.batch.totalMs).toBeGreaterThan(d.batch.approveToCompletedMs);
  expect(d.batch.workflow.longestHistoryEvents).toBeGreaterThan(10);
  expect(d.batch.peakRssMiB.worker).toBeGreaterThan(0);
  expect(d.single.approveToSucceededMs.count).toBe(6);
  expect(d.ratio).toBeGreaterThan(0);
  // Money moves once: one trigger per row and per payout at each provider.
  for (const calls of [d.batch.providerCallsPerRow, d.single.providerCallsPerPayout]) {
    expect(calls.singapay).toMatchObject({ trigger: 1 });
    expect(calls.faspay).toMatchObject({ trigger: 1 });
  }
}, 180_000);

test('bad flags are refused with a message naming the flag', () => {
  const run = spawnSync(process.execPath, ['--import', 'tsx', 'bench/run.ts', '--n', '0'], { cwd: ROOT, encoding: 'utf8' });
  expect(run.status).toBe(2);
  expect(run.stderr).toContain('--n must be a positive number');
  const unknown = spawnSync(process.execPath, ['--import', 'tsx', 'bench/run.ts', '--speed', 'fast'], { cwd: ROOT, encoding: 'utf8' });
  expect(unknown.status).toBe(2);
  expect(unknown.stderr).toContain("Unknown option '--speed'");
  const rows = spawnSync(process.execPath, ['--import', 'tsx', 'bench/run.ts', '--mode', 'batch', '--rows', '10001'], { cwd: ROOT, encoding: 'utf8' });
  expect(rows.status).toBe(2);
  expect(rows.stderr).toContain('--rows must be a whole number of at most 10000');
  const rps = spawnSync(process.execPath, ['--import', 'tsx', 'bench/run.ts', '--provider-rps', '0'], { cwd: ROOT, encoding: 'utf8' });
  expect(rps.status).toBe(2);
  expect(rps.stderr).toContain('--provider-rps must be a positive number');
});
