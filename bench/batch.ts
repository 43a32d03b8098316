// The batch load (`--mode batch`): one batch of N rows through the HTTP API from create to COMPLETED,
// the same N destinations as single payouts for the comparison, and the batch workflow's runs
// (it continues as new every 1,000 messages) with their history lengths.
import { request } from 'node:http';
import type { Connection } from '@temporalio/client';
import { APPROVER, REQUESTER, post, type CreateBody } from './load';

/**
 * Whether row `i` goes to Faspay: `share` of the rows, spread evenly (0.5: every other row, the odd
 * ones; 0: none; 1: all).
 */
export function isFaspayRow(i: number, share: number): boolean {
  return Math.floor((i + 1) * share) > Math.floor(i * share);
}

/**
 * Row or payout `i` of the comparison, the same for the batch and the single payouts, IDR 10,000.00:
 * - Singapay rows: a DANA number outside the simulators' scenario table, like the single-payout mode's:
 *   the bench's Singapay simulator settles it as soon as it is triggered and calls back;
 * - Faspay rows: a bank account (BCA, 014) ending in 0000: it succeeds at the first status check, which
 *   the payout makes `STATUS_POLL_INITIAL_MS` after the trigger (Faspay's simulator does not settle on
 *   its own); its callback follows that check.
 */
export function comparisonBody(reference: string, i: number, faspayShare: number): CreateBody {
  const digits = String(i).padStart(8, '0');
  return {
    reference,
    destination: isFaspayRow(i, faspayShare)
      ? { type: 'BANK_ACCOUNT', bankCode: '014', accountNumber: `08${digits}0000` }
      : { type: 'EWALLET', ewallet: 'DANA', customerNumber: `08${digits}5432` },
    amount: { value: '10000.00', currency: 'IDR' },
    description: 'Benchmark payout',
  };
}

/** What the bench reads of a batch (GET /v1/batches/{id}; docs/batches.md). */
export interface BatchDocument {
  id: string;
  status: string;
  itemCount: number;
  receivedCount: number;
  counts: Record<string, number>;
  ready: { count: number; total: { value: string; currency: string } };
  timeline: { status: string; at: string }[];
}

export interface BatchTiming {
  reference: string;
  rows: number;
  /** POST /v1/batches answered (the API hands the rows over in chunks and starts them first). */
  createAnswerMs: number;
  /** From the create being sent to AWAITING_APPROVAL, on the batch's timeline (the workflow's clock). */
  createToAwaitingMs: number;
  /** POST …/approve answered. */
  approveAnswerMs: number;
  /** From the approve being sent to COMPLETED, on the batch's timeline. */
  approveToCompletedMs: number;
  /** From the create being sent to COMPLETED: what rows/s is computed from. */
  totalMs: number;
  /** When the drivers saw AWAITING_APPROVAL and COMPLETED, from the create being sent (they poll). */
  seenAwaitingMs: number;
  seenCompletedMs: number;
  /** GETs of the batch while waiting, and those not answered 200 (e.g. during a continue-as-new). */
  polls: number;
  pollsNot200: number;
  final: BatchDocument;
}

const statusAt = (batch: BatchDocument, status: string): number => {
  const entry = batch.timeline.find((t) => t.status === status);
  return entry ? Date.parse(entry.at) : NaN;
};

/** POST with a JSON body and no client-side timeout: a 10,000-row create can take minutes to answer. */
function postLarge(url: string, key: string, body: unknown): Promise<{ status: number; text: string }> {
  const payload = Buffer.from(JSON.stringify(body));
  return new Promise((resolve, reject) => {
    const req = request(url, { method: 'POST', headers: { authorization: key, 'content-type': 'application/json', 'content-length': payload.length } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(payload);
  });
}

/**
 * One batch end to end as a client drives it: POST the rows → GET every `pollMs` until
 * AWAITING_APPROVAL → approve for the ready count and total → GET until COMPLETED.
 */
export async function runBatch(apiUrl: string, reference: string, items: CreateBody[], pollMs: number, log: (line: string) => void): Promise<BatchTiming> {
  let polls = 0;
  let pollsNot200 = 0;
  const read = async (): Promise<BatchDocument | undefined> => {
    polls += 1;
    const res = await fetch(`${apiUrl}/v1/batches/${reference}`, { headers: { authorization: REQUESTER } });
    if (res.status !== 200) {
      pollsNot200 += 1;
      await res.arrayBuffer();
      return undefined;
    }
    return (await res.json()) as BatchDocument;
  };
  let lastProgress = Date.now();
  const waitFor = async (statuses: string[]): Promise<BatchDocument> => {
    for (;;) {
      const batch = await read();
      if (batch && statuses.includes(batch.status)) return batch;
      if (batch && ['REJECTED', 'EXPIRED', 'CANCELLED', 'COMPLETED'].includes(batch.status)) throw new Error(`batch ${reference} is ${batch.status} (${describeCounts(batch.counts)}), not ${statuses.join('/')}`);
      if (batch && Date.now() - lastProgress >= 10_000) {
        lastProgress = Date.now();
        log(`batch ${batch.status}: ${describeCounts(batch.counts)}${batch.receivedCount < batch.itemCount ? ` (${batch.receivedCount} of ${batch.itemCount} rows received)` : ''}`);
      }
      await new Promise((r) => setTimeout(r, pollMs));
    }
  };

  const createSentAt = Date.now();
  const created = await postLarge(`${apiUrl}/v1/batches`, REQUESTER, { reference, description: `Benchmark batch of ${items.length} rows`, items });
  const createAnswerMs = Date.now() - createSentAt;
  if (created.status !== 201) throw new Error(`create batch ${reference}: ${created.status} ${created.text.slice(0, 2000)}`);
  log(`batch created (${items.length} rows) in ${createAnswerMs} ms; waiting for AWAITING_APPROVAL`);

  const awaiting = await waitFor(['AWAITING_APPROVAL']);
  const seenAwaitingMs = Date.now() - createSentAt;
  log(`batch awaiting approval after ${seenAwaitingMs} ms: ${describeCounts(awaiting.counts)}; approving ${awaiting.ready.count} rows for IDR ${awaiting.ready.total.value}`);
  const approveSentAt = Date.now();
  const approved = await post(`${apiUrl}/v1/batches/${reference}/approve`, APPROVER, { expectedTotal: awaiting.ready.total, expectedCount: awaiting.ready.count, comment: 'benchmark' });
  const approveText = await approved.text();
  const approveAnswerMs = Date.now() - approveSentAt;
  if (approved.status !== 200) throw new Error(`approve batch ${reference}: ${approved.status} ${approveText.slice(0, 2000)}`);

  const final = await waitFor(['COMPLETED']);
  const seenCompletedMs = Date.now() - createSentAt;
  const awaitingAt = statusAt(final, 'AWAITING_APPROVAL');
  const completedAt = statusAt(final, 'COMPLETED');
  return {
    reference,
    rows: items.length,
    createAnswerMs,
    createToAwaitingMs: awaitingAt - createSentAt,
    approveAnswerMs,
    approveToCompletedMs: completedAt - approveSentAt,
    totalMs: completedAt - createSentAt,
    seenAwaitingMs,
    seenCompletedMs,
    polls,
    pollsNot200,
    final,
  };
}

export function describeCounts(counts: Record<string, number>): string {
  const nonZero = Object.entries(counts).filter(([, n]) => n > 0);
  return nonZero.length ? nonZero.map(([status, n]) => `${status} ${n}`).join(', ') : 'no rows';
}

export interface WorkflowRun {
  runId: string;
  status: string;
  historyLength: number;
  historySizeBytes: number;
}

/**
 * Every run of one workflow id, first to last, found by walking back from the latest run: each run's
 * first event names the run it continued (`continuedExecutionRunId`). Exact, and independent of
 * visibility's lag; two small calls per run.
 */
export async function workflowRuns(connection: Connection, workflowId: string, namespace = 'default'): Promise<WorkflowRun[]> {
  const service = connection.workflowService;
  const runs: WorkflowRun[] = [];
  let runId: string | undefined;
  for (;;) {
    const described = await service.describeWorkflowExecution({ namespace, execution: { workflowId, ...(runId && { runId }) } });
    const info = described.workflowExecutionInfo!;
    const thisRun = info.execution!.runId!;
    runs.unshift({
      runId: thisRun,
      status: statusName(info.status),
      historyLength: Number(info.historyLength ?? 0),
      historySizeBytes: Number(info.historySizeBytes ?? 0),
    });
    const first = await service.getWorkflowExecutionHistory({ namespace, execution: { workflowId, runId: thisRun }, maximumPageSize: 1 });
    const previous = first.history?.events?.[0]?.workflowExecutionStartedEventAttributes?.continuedExecutionRunId;
    if (!previous || runs.length > 10_000) return runs;
    runId = previous;
  }
}

const STATUS_NAMES = ['UNSPECIFIED', 'RUNNING', 'COMPLETED', 'FAILED', 'CANCELED', 'TERMINATED', 'CONTINUED_AS_NEW', 'TIMED_OUT'];
const statusName = (status: number | null | undefined) => STATUS_NAMES[status ?? 0] ?? String(status);

export interface RunsSummary {
  runs: number;
  continuedAsNew: number;
  longestHistoryEvents: number;
  totalHistoryEvents: number;
  largestHistoryBytes: number;
  historyEventsPerRun: number[];
  lastStatus: string;
}

/** What the run chain says about a workflow's history: bounded when the longest run stays small. */
export function summarizeRuns(runs: readonly WorkflowRun[]): RunsSummary {
  return {
    runs: runs.length,
    continuedAsNew: runs.filter((r) => r.status === 'CONTINUED_AS_NEW').length,
    longestHistoryEvents: Math.max(0, ...runs.map((r) => r.historyLength)),
    totalHistoryEvents: runs.reduce((sum, r) => sum + r.historyLength, 0),
    largestHistoryBytes: Math.max(0, ...runs.map((r) => r.historySizeBytes)),
    historyEventsPerRun: runs.map((r) => r.historyLength),
    lastStatus: runs[runs.length - 1]?.status ?? 'none',
  };
}

/** Rows (or payouts) per second over `ms`, to 0.01. */
export const perSecond = (count: number, ms: number) => (ms > 0 ? Math.round((count / ms) * 1000 * 100) / 100 : null);

/** batch rows/s ÷ single payouts/s, to 0.01; null when either is missing. */
export function speedRatio(batchRowsPerSecond: number | null, singlePayoutsPerSecond: number | null): number | null {
  if (!batchRowsPerSecond || !singlePayoutsPerSecond) return null;
  return Math.round((batchRowsPerSecond / singlePayoutsPerSecond) * 100) / 100;
}
