// The load: payouts end to end through the HTTP API with automatic approval, the bare baseline
// through the Temporal client, and creates at a fixed rate. Latencies come from the workflow
// histories (server event times) measured from the moment the client sent its request, on one
// machine and one clock, so the polling that drives approval adds nothing to them.
import { randomUUID } from 'node:crypto';
import { Client, type Connection, WorkflowIdReusePolicy } from '@temporalio/client';
import type { temporal } from '@temporalio/proto';
import { approveUpdate, baselineWorkflow, callbackSignal, stageQuery } from './baseline/workflows';
import { BASELINE_TASK_QUEUE } from './stack';
import { inPool } from './stats';

export const REQUESTER = 'Bearer dev-requester';
export const APPROVER = 'Bearer dev-approver';

export interface RunTiming {
  workflowId: string;
  createSentAt: number;
  /** How long the create call took to answer. */
  createAnswerMs?: number;
  approveSentAt: number;
  /** How long the approve call took to answer (the decision's own latency, not the payout's). */
  approveAnswerMs?: number;
}

export interface PhaseResult {
  wallMs: number;
  runs: RunTiming[];
  /** How often the drivers asked whether a workflow had reached the stage they waited for. */
  polls: number;
}

/** Distinct run ids, so several phases of one benchmark never share a reference. */
export function referencePrefix(phase: string): string {
  return `BENCH-${phase}-${randomUUID().slice(0, 8)}`;
}

/** A number outside the simulator's scenario table: a valid account whose transfer settles on its own. */
const CUSTOMER_NUMBER = '081298765432';

/** A create body (POST /v1/payouts), or a batch item without its description. */
export type CreateBody = { reference: string; destination: Record<string, string>; amount: { value: string; currency: 'IDR' }; description?: string };

function createBody(reference: string): CreateBody {
  return {
    reference,
    destination: { type: 'EWALLET', ewallet: 'DANA', customerNumber: CUSTOMER_NUMBER },
    amount: { value: '10000.00', currency: 'IDR' },
    description: 'Benchmark payout',
  };
}

export async function post(url: string, key: string, body: unknown): Promise<Response> {
  return fetch(url, { method: 'POST', headers: { authorization: key, 'content-type': 'application/json' }, body: JSON.stringify(body) });
}

/**
 * N payouts: create → (wait for AWAITING_APPROVAL, asking GET every `pollMs`) → approve → (wait for the
 * workflow's end). `bodyFor` gives payout i's create body (default: the e-wallet payout above).
 */
export async function runPayouts(
  apiUrl: string,
  connection: Connection,
  n: number,
  concurrency: number,
  prefix: string,
  pollMs: number,
  bodyFor: (reference: string, i: number) => CreateBody = createBody,
): Promise<PhaseResult> {
  const client = new Client({ connection });
  const runs: RunTiming[] = [];
  let polls = 0;
  const started = Date.now();
  await inPool(n, concurrency, async (i) => {
    const reference = `${prefix}-${i}`;
    const createSentAt = Date.now();
    const created = await post(`${apiUrl}/v1/payouts`, REQUESTER, bodyFor(reference, i));
    if (created.status !== 201) throw new Error(`create ${reference}: ${created.status} ${await created.text()}`);
    await created.arrayBuffer();
    const createAnswerMs = Date.now() - createSentAt;
    for (;;) {
      polls += 1;
      const res = await fetch(`${apiUrl}/v1/payouts/${reference}`, { headers: { authorization: REQUESTER } });
      const payout = (await res.json()) as { status?: string };
      if (payout.status === 'AWAITING_APPROVAL') break;
      if (payout.status !== 'VALIDATING') throw new Error(`payout ${reference} is ${payout.status} before approval`);
      await new Promise((r) => setTimeout(r, pollMs));
    }
    const approveSentAt = Date.now();
    const approved = await post(`${apiUrl}/v1/payouts/${reference}/approve`, APPROVER, {});
    if (approved.status !== 200) throw new Error(`approve ${reference}: ${approved.status} ${await approved.text()}`);
    await approved.arrayBuffer();
    const approveAnswerMs = Date.now() - approveSentAt;
    const workflowId = `payout-${reference}`;
    const payout = (await client.workflow.getHandle(workflowId).result()) as { status: string };
    if (payout.status !== 'SUCCEEDED') throw new Error(`payout ${reference} ended ${payout.status}`);
    runs.push({ workflowId, createSentAt, createAnswerMs, approveSentAt, approveAnswerMs });
  });
  return { wallMs: Date.now() - started, runs, polls };
}

/**
 * N baseline workflows, driven like payouts: start → (awaiting, asked by query every `pollMs`) →
 * approve update → (trigger done) → callback signal → end. `statusPollMs` is the workflow's own timer.
 */
export async function runBaseline(connection: Connection, n: number, concurrency: number, prefix: string, statusPollMs: number, pollMs: number): Promise<PhaseResult> {
  const client = new Client({ connection });
  const runs: RunTiming[] = [];
  let polls = 0;
  const waitForStage = async (handle: ReturnType<typeof client.workflow.getHandle>, stage: string) => {
    for (;;) {
      polls += 1;
      if ((await handle.query(stageQuery)) === stage) return;
      await new Promise((r) => setTimeout(r, pollMs));
    }
  };
  const started = Date.now();
  await inPool(n, concurrency, async (i) => {
    const workflowId = `${prefix}-${i}`;
    const createSentAt = Date.now();
    const handle = await client.workflow.start(baselineWorkflow, {
      taskQueue: BASELINE_TASK_QUEUE,
      workflowId,
      args: [statusPollMs],
      workflowIdReusePolicy: WorkflowIdReusePolicy.REJECT_DUPLICATE,
    });
    await waitForStage(handle, 'awaiting');
    const approveSentAt = Date.now();
    await handle.executeUpdate(approveUpdate);
    // The provider's callback, sent once the transfer is submitted (as the simulator does).
    await waitForStage(handle, 'polling');
    await handle.signal(callbackSignal);
    await handle.result();
    runs.push({ workflowId, createSentAt, approveSentAt });
  });
  return { wallMs: Date.now() - started, runs, polls };
}

/** Creates at a fixed rate (open loop: the next is sent on schedule, whatever the last one does). */
export async function createsAtRate(apiUrl: string, rate: number, seconds: number, prefix: string): Promise<{ latenciesMs: number[]; statuses: Record<string, number>; references: string[] }> {
  const total = Math.max(1, Math.round(rate * seconds));
  const latenciesMs: number[] = [];
  const statuses: Record<string, number> = {};
  const references: string[] = [];
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: total }, async (_, i) => {
      const due = t0 + (i * 1000) / rate;
      const wait = due - performance.now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      const reference = `${prefix}-${i}`;
      const sent = performance.now();
      const res = await post(`${apiUrl}/v1/payouts`, REQUESTER, createBody(reference));
      await res.arrayBuffer();
      latenciesMs.push(performance.now() - sent);
      statuses[res.status] = (statuses[res.status] ?? 0) + 1;
      references.push(reference);
    }),
  );
  return { latenciesMs, statuses, references };
}

/** Opens `n` payouts and leaves them waiting for approval (memory at rest). */
export async function openPayouts(apiUrl: string, n: number, concurrency: number, prefix: string): Promise<void> {
  await inPool(n, concurrency, async (i) => {
    const res = await post(`${apiUrl}/v1/payouts`, REQUESTER, { ...createBody(`${prefix}-${i}`), approvalTimeout: 'PT2H' });
    if (res.status !== 201) throw new Error(`create: ${res.status} ${await res.text()}`);
  });
}

/** Approves open payouts one at a time and waits for each to finish (after memory was measured). */
export async function approveOpen(apiUrl: string, connection: Connection, prefix: string, count: number): Promise<RunTiming[]> {
  const client = new Client({ connection });
  const runs: RunTiming[] = [];
  for (let i = 0; i < count; i += 1) {
    const reference = `${prefix}-${i}`;
    const approveSentAt = Date.now();
    const approved = await post(`${apiUrl}/v1/payouts/${reference}/approve`, APPROVER, {});
    if (approved.status !== 200) throw new Error(`approve ${reference}: ${approved.status} ${await approved.text()}`);
    const workflowId = `payout-${reference}`;
    await client.workflow.getHandle(workflowId).result();
    runs.push({ workflowId, createSentAt: NaN, approveSentAt });
  }
  return runs;
}

export type HistoryEvent = temporal.api.history.v1.IHistoryEvent;

/** Per run: history length, created→awaiting and approved→ended from the server's event times. */
export async function readHistories(connection: Connection, runs: RunTiming[], awaitingMark: (e: HistoryEvent) => boolean) {
  const client = new Client({ connection });
  const out: { workflowId: string; events: number; createToAwaitingMs: number; approveToEndMs: number }[] = [];
  await inPool(runs.length, 16, async (i) => {
    const run = runs[i]!;
    const events = (await client.workflow.getHandle(run.workflowId).fetchHistory()).events ?? [];
    const time = (e: HistoryEvent | undefined) => (e?.eventTime ? Number(e.eventTime.seconds) * 1000 + Math.floor((e.eventTime.nanos ?? 0) / 1e6) : NaN);
    const awaiting = events.find(awaitingMark);
    const end = events.find((e) => e.workflowExecutionCompletedEventAttributes);
    out.push({ workflowId: run.workflowId, events: events.length, createToAwaitingMs: time(awaiting) - run.createSentAt, approveToEndMs: time(end) - run.approveSentAt });
  });
  return out;
}
