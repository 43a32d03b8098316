// A read can run a message's handler with an old clock. Found by the chaos checker (seed 2026120282,
// batch row B00-02): after a worker kill, a GET (a query) reached the new worker, which had no cache,
// after the batch's decision signal had arrived but before the workflow task that carries it started.
// The worker replayed the history for the query, signal included, with the clock of the last task
// before the signal (Temporal's Date.now() in a workflow is the time of the task that runs it). The
// row entered PROCESSING at a time 33 s before its batch was approved, published that in its webhook
// event, and a later replay wrote the true time: the event and the payout disagreed.
//
// Reproduced here on the real dev server: the worker is stopped, a query waits for a worker, the
// decision arrives, a worker with an empty cache starts. A status change that a message causes is
// stamped with the message's own time (never before the payout's previous status), so the answer of
// that query, the webhook event and every later replay agree.
import { batchDecisionSignal, batchRowReportSignal, getBatchQuery } from '../../workflows/batch-messages';
import { getPayoutQuery } from '../../workflows/messages';
import type { Batch } from '../../src/domain/batch';
import type { Payout } from '../../src/domain/payout';
import { call, KEYS, startStack, uniqueReference, waitForStatus, type TestStack } from '../support/stack';

let stack: TestStack;
beforeAll(async () => {
  stack = await startStack();
});
afterAll(async () => {
  await stack?.stop();
});

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function waitForBatch(id: string, status: string): Promise<Batch> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    const answer = await call<Batch>(stack, 'GET', `/v1/batches/${id}`);
    if (answer.status === 200 && answer.body.status === status) return answer.body;
    if (Date.now() > deadline) throw new Error(`batch ${id} is ${answer.body.status}, not ${status}`);
    await pause(300);
  }
}

/** Stops whichever worker runs now, so the next one starts with an empty cache. */
async function stopWorkers(): Promise<void> {
  if (stack.worker.getState() === 'RUNNING') stack.worker.shutdown();
  while (!['STOPPED', 'FAILED'].includes(stack.worker.getState())) await pause(100);
  for (const process of stack.workerProcesses) await process.stop();
}

const processingAt = (payout: Payout) => payout.timeline.find((entry) => entry.status === 'PROCESSING')?.at;

test("a batch row's decision read by a query on a fresh worker keeps the decision's time, as every later replay does", async () => {
  const id = uniqueReference('clock-batch');
  const row = `${id}-1`;
  const created = await call<Batch>(stack, 'POST', '/v1/batches', {
    body: {
      reference: id,
      items: [{ reference: row, destination: { type: 'EWALLET', ewallet: 'DANA', customerNumber: '081200000000' }, amount: { value: '10000.00', currency: 'IDR' } }],
    },
  });
  expect(created.status).toBe(201);
  const awaiting = await waitForStatus(stack, row, 'AWAITING_APPROVAL');
  const awaitingAt = awaiting.timeline.at(-1)!.at;

  // No worker: the next query waits in the task queue, and the decision arrives while it waits.
  await stopWorkers();
  const handle = stack.client.workflow.getHandle(`payout-${row}`);
  const read = handle.query(getPayoutQuery);
  // Long enough for the query to give up on the stopped worker's sticky queue and wait on the normal
  // one, where the new worker takes it before the decision's workflow task (measured: 1 s and 3 s
  // gave the task first, 6 s and 12 s the query first, with the old clock).
  await pause(8_000);
  // What the batch sends its rows once approved (sent here directly: the batch needs a worker to decide).
  const decidedAt = new Date().toISOString();
  await handle.signal(batchDecisionSignal, { decision: 'APPROVE', by: 'approver@local', at: decidedAt, comment: 'query clock' });
  await stack.addWorkerProcess();

  const answered = await read;
  expect(answered.status).toBe('PROCESSING');
  expect(Date.parse(processingAt(answered)!)).toBeGreaterThanOrEqual(Date.parse(awaitingAt));
  expect(processingAt(answered)).toBe(decidedAt);

  // The row goes on (its transfer is made once) and every later read, replayed or not, agrees.
  const done = await waitForStatus(stack, row, 'SUCCEEDED', 60_000);
  expect(processingAt(done)).toBe(decidedAt);
  expect(done.timeline.map((entry) => entry.status)).toEqual(['VALIDATING', 'AWAITING_APPROVAL', 'PROCESSING', 'SUCCEEDED']);
}, 120_000);

test("a batch's status that a row's report settles, read by a query on a fresh worker, keeps the report's time", async () => {
  const id = uniqueReference('clock-batch-done');
  const row = `${id}-1`;
  // 3333: the transfer stays pending at the simulator until settled, so the row stays open meanwhile.
  const created = await call<Batch>(stack, 'POST', '/v1/batches', {
    body: { reference: id, items: [{ reference: row, destination: { type: 'EWALLET', ewallet: 'DANA', customerNumber: '081200003333' }, amount: { value: '10000.00', currency: 'IDR' } }] },
  });
  expect(created.status).toBe(201);
  await waitForBatch(id, 'AWAITING_APPROVAL');
  const approved = await call<Batch>(stack, 'POST', `/v1/batches/${id}/approve`, { key: KEYS.approver, body: { expectedTotal: { value: '10000.00', currency: 'IDR' }, expectedCount: 1 } });
  expect(approved.status).toBe(200);
  await waitForStatus(stack, row, 'PROCESSING');
  const processing = await waitForBatch(id, 'PROCESSING');

  await stopWorkers();
  const handle = stack.client.workflow.getHandle(`batch-${id}`);
  const read = handle.query(getBatchQuery);
  await pause(8_000);
  // The row's final report, as the row sends it (sent here directly: the row needs a worker to finish).
  const reportedAt = new Date().toISOString();
  await handle.signal(batchRowReportSignal, { row: 0, status: 'SUCCEEDED', at: reportedAt, submitted: true });
  await stack.addWorkerProcess();

  const answered = await read;
  expect(answered.status).toBe('COMPLETED');
  expect(Date.parse(answered.timeline.at(-1)!.at)).toBeGreaterThanOrEqual(Date.parse(processing.timeline.at(-1)!.at));
  expect(answered.timeline.at(-1)).toMatchObject({ status: 'COMPLETED', at: reportedAt });

  // Settled at the provider, the row ends too; the batch, read again from a worker that replays it, agrees.
  await fetch(`${stack.simulator.url}/__sim/transactions/${row}/settle`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"status":"00"}' });
  await stopWorkers();
  await stack.addWorkerProcess();
  const replayed = await handle.query(getBatchQuery);
  expect(replayed.timeline.at(-1)).toMatchObject({ status: 'COMPLETED', at: reportedAt });
}, 150_000);
