// The daily reconciliation's Temporal Schedule against the real dev server: ensureReconciliationSchedule
// creates it as prepare-namespace and npm start do, changes nothing when called again, follows a changed
// expression (keeping an operator's pause), deletes it with `off`; and a run it starts (triggered, as
// from the Web UI or `temporal schedule trigger`) produces a report on the stack's task queue.
import { randomUUID } from 'node:crypto';
import { ScheduleNotFoundError, WorkflowFailedError } from '@temporalio/client';
import type { ReconciliationRun } from '../../src/domain/reconciliation/run';
import { ensureReconciliationSchedule, reconciliationScheduleId } from '../../src/temporal/reconciliation-schedule';
import { startStack, type TestStack } from '../support/stack';

let stack: TestStack;
/** Schedules made here, deleted at the end whatever happened. */
const queues = new Set<string>();
beforeAll(async () => {
  stack = await startStack();
});
afterAll(async () => {
  for (const taskQueue of queues) await ensureReconciliationSchedule(stack.client, { taskQueue, schedule: 'off' }).catch(() => undefined);
  await stack?.stop();
});

/** A task queue no worker polls: whatever the Schedule would start there never runs. */
function quietQueue(): string {
  const taskQueue = `recon-schedule-${randomUUID()}`;
  queues.add(taskQueue);
  return taskQueue;
}

const HOUR_MS = 3_600_000;

test('created as configured: cron in Asia/Jakarta, the workflow by name with { trigger: "schedule" }, BUFFER_ONE, a day of catch-up, a memo and a note', async () => {
  const taskQueue = quietQueue();
  const scheduleId = reconciliationScheduleId(taskQueue);
  expect(scheduleId).toBe(`reconciliation-daily.${taskQueue}`);

  const result = await ensureReconciliationSchedule(stack.client, { taskQueue, schedule: '0 2 * * *' });
  expect(result).toMatchObject({ scheduleId, schedule: '0 2 * * *', outcome: 'created', paused: false });

  const described = await stack.client.schedule.getHandle(scheduleId).describe();
  expect(described.spec.timezone).toBe('Asia/Jakarta');
  expect(described.spec.calendars).toHaveLength(1);
  expect(described.spec.calendars![0]).toMatchObject({
    minute: [{ start: 0, end: 0, step: 1 }],
    hour: [{ start: 2, end: 2, step: 1 }],
    dayOfMonth: [{ start: 1, end: 31, step: 1 }],
    dayOfWeek: [{ start: 'SUNDAY', end: 'SATURDAY', step: 1 }],
    comment: 'RECONCILIATION_SCHEDULE=0 2 * * *',
  });
  expect(described.action).toMatchObject({
    type: 'startWorkflow',
    workflowType: 'reconciliationWorkflow',
    taskQueue,
    workflowId: scheduleId,
    args: [{ trigger: 'schedule' }],
    staticSummary: 'Scheduled reconciliation of the previous Jakarta day',
  });
  expect(described.policies).toEqual({ overlap: 'BUFFER_ONE', catchupWindow: 24 * HOUR_MS, pauseOnFailure: false });
  expect(described.memo).toMatchObject({ setting: 'RECONCILIATION_SCHEDULE', workflowType: 'reconciliationWorkflow' });
  expect(String(described.memo?.description)).toMatch(/^Daily reconciliation/);
  expect(described.state).toMatchObject({ paused: false, note: expect.stringMatching(/^Daily reconciliation .*RECONCILIATION_SCHEDULE/) });
  // 02:00 in Jakarta (UTC+7, no daylight saving) is 19:00 UTC, every day.
  const next = described.info.nextActionTimes.slice(0, 3);
  expect(next.map((time) => time.toISOString().slice(11))).toEqual(['19:00:00.000Z', '19:00:00.000Z', '19:00:00.000Z']);
  expect(next[1]!.getTime() - next[0]!.getTime()).toBe(24 * HOUR_MS);
  expect(result).toMatchObject({ nextRunAt: next[0] });
});

test('a second call changes nothing; a changed expression updates the spec; an operator\'s pause is kept; off deletes it', async () => {
  const taskQueue = quietQueue();
  const handle = stack.client.schedule.getHandle(reconciliationScheduleId(taskQueue));
  expect((await ensureReconciliationSchedule(stack.client, { taskQueue, schedule: '0 2 * * *' })).outcome).toBe('created');
  const created = await handle.describe();

  // Again, with the same expression spelt with other spacing: no update reaches the server.
  const again = await ensureReconciliationSchedule(stack.client, { taskQueue, schedule: ' 0  2 * * * ' });
  expect(again).toMatchObject({ outcome: 'unchanged', schedule: '0 2 * * *' });
  const unchanged = await handle.describe();
  expect(unchanged.raw.conflictToken).toEqual(created.raw.conflictToken);
  expect(unchanged.info.lastUpdatedAt).toEqual(created.info.lastUpdatedAt);

  // Another expression: the spec follows, the rest stays.
  const changed = await ensureReconciliationSchedule(stack.client, { taskQueue, schedule: '30 3 * * MON-FRI' });
  expect(changed).toMatchObject({ outcome: 'updated', previous: '0 2 * * *', schedule: '30 3 * * MON-FRI', paused: false });
  const updated = await handle.describe();
  expect(updated.spec.timezone).toBe('Asia/Jakarta');
  expect(updated.spec.calendars).toHaveLength(1);
  expect(updated.spec.calendars![0]).toMatchObject({
    minute: [{ start: 30, end: 30, step: 1 }],
    hour: [{ start: 3, end: 3, step: 1 }],
    dayOfWeek: [{ start: 'MONDAY', end: 'FRIDAY', step: 1 }],
    comment: 'RECONCILIATION_SCHEDULE=30 3 * * MON-FRI',
  });
  expect(updated.action).toMatchObject({ workflowType: 'reconciliationWorkflow', taskQueue, args: [{ trigger: 'schedule' }] });
  expect(updated.policies).toMatchObject({ overlap: 'BUFFER_ONE', catchupWindow: 24 * HOUR_MS });
  expect(updated.memo).toEqual(created.memo);
  // 03:30 Jakarta is 20:30 UTC of the day before, on Monday to Friday in Jakarta.
  for (const time of updated.info.nextActionTimes) {
    expect(time.toISOString().slice(11)).toBe('20:30:00.000Z');
    expect(new Date(time.getTime() + 7 * HOUR_MS).getUTCDay()).toBeGreaterThanOrEqual(1);
    expect(new Date(time.getTime() + 7 * HOUR_MS).getUTCDay()).toBeLessThanOrEqual(5);
  }
  expect((await ensureReconciliationSchedule(stack.client, { taskQueue, schedule: '30 3 * * MON-FRI' })).outcome).toBe('unchanged');

  // Paused by an operator in the Web UI: a new expression applies, the pause and its note stay.
  await handle.pause('provider maintenance until Monday');
  const whilePaused = await ensureReconciliationSchedule(stack.client, { taskQueue, schedule: '0 2 * * *' });
  expect(whilePaused).toMatchObject({ outcome: 'updated', previous: '30 3 * * MON-FRI', paused: true, note: 'provider maintenance until Monday' });
  expect((await handle.describe()).state).toMatchObject({ paused: true, note: 'provider maintenance until Monday' });
  expect((await handle.describe()).spec.calendars![0]!.comment).toBe('RECONCILIATION_SCHEDULE=0 2 * * *');

  // off: gone; off again: nothing to delete.
  expect(await ensureReconciliationSchedule(stack.client, { taskQueue, schedule: 'off' })).toEqual({ scheduleId: handle.scheduleId, schedule: 'off', outcome: 'deleted' });
  await expect(handle.describe()).rejects.toBeInstanceOf(ScheduleNotFoundError);
  expect(await ensureReconciliationSchedule(stack.client, { taskQueue, schedule: 'OFF' })).toEqual({ scheduleId: handle.scheduleId, schedule: 'off', outcome: 'absent' });
});

test('two processes ensuring it at once: one creates it, the other finds it as configured', async () => {
  const taskQueue = quietQueue();
  const outcomes = await Promise.all([0, 1].map(() => ensureReconciliationSchedule(stack.client, { taskQueue, schedule: '0 2 * * *' })));
  expect(outcomes.map((outcome) => outcome.outcome).sort()).toEqual(['created', 'unchanged']);
});

test('a bad expression is refused before anything reaches the server, naming the variable', async () => {
  const taskQueue = quietQueue();
  await expect(ensureReconciliationSchedule(stack.client, { taskQueue, schedule: '0 25 * * *' })).rejects.toThrow(/^RECONCILIATION_SCHEDULE: .*its hour field "25" is not 0–23/);
  await expect(stack.client.schedule.getHandle(reconciliationScheduleId(taskQueue)).describe()).rejects.toBeInstanceOf(ScheduleNotFoundError);
});

test('a triggered run produces a report: the workflow the Schedule starts on the stack\'s queue reconciles the Jakarta day before it', async () => {
  // The stack's worker polls this queue, so the run it starts completes.
  const { taskQueue, client } = stack;
  queues.add(taskQueue);
  const { scheduleId } = await ensureReconciliationSchedule(client, { taskQueue, schedule: '0 2 * * *' });
  const before = Date.now();
  await client.schedule.getHandle(scheduleId).trigger();
  const after = Date.now();

  // Found as an operator finds it: visibility, by workflow type and task queue.
  const query = `WorkflowType = 'reconciliationWorkflow' AND TaskQueue = '${taskQueue}'`;
  let workflowId: string | undefined;
  const deadline = Date.now() + 30_000;
  while (workflowId === undefined && Date.now() < deadline) {
    for await (const execution of client.workflow.list({ query })) workflowId = execution.workflowId;
    if (workflowId === undefined) await new Promise((resolve) => setTimeout(resolve, 250));
  }
  expect(workflowId).toBeDefined();
  // The server names each run after the Schedule and the time it was due.
  expect(workflowId).toMatch(new RegExp(`^${scheduleId.replace(/[.-]/g, '\\$&')}-\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\dZ$`));

  let run: ReconciliationRun;
  try {
    run = (await client.workflow.getHandle(workflowId!).result()) as ReconciliationRun;
  } catch (err) {
    throw err instanceof WorkflowFailedError ? new Error(`the scheduled run failed: ${err.cause?.message ?? err.message}`) : err;
  }
  // The Jakarta day before the trigger (the trigger is the run's scheduled time).
  const jakartaDayBefore = (ms: number) => new Date(ms + 7 * HOUR_MS - 24 * HOUR_MS).toISOString().slice(0, 10);
  expect([jakartaDayBefore(before), jakartaDayBefore(after)]).toContain(run.date);
  expect(run).toMatchObject({ id: workflowId, trigger: 'schedule', status: 'COMPLETED' });
  expect(run.requestedBy).toBeUndefined();
  expect(run.provider).toBeUndefined(); // a scheduled run covers every configured provider
  expect(run.providers.map((report) => report.provider).sort()).toEqual(['faspay', 'singapay']);
  expect(Array.isArray(run.breaks)).toBe(true);
  expect(run.breakCounts).toBeDefined();
}, 180_000);
