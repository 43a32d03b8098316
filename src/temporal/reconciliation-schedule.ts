// The Temporal Schedule that starts the daily reconciliation (issue 18; docs/reconciliation.md).
// `RECONCILIATION_SCHEDULE` is `off` or a five-field cron expression read in Asia/Jakarta (default
// `0 2 * * *`, 02:00 Jakarta). prepare-namespace and `npm start` call ensureReconciliationSchedule,
// which makes the cluster agree with the setting and is idempotent: it creates the Schedule when it is
// missing, updates it when the expression (or what this file starts) differs, leaves it alone when it
// matches, and with `off` deletes it. A Schedule an operator paused in the Web UI stays paused.
//
// One Schedule per task queue: its id is `reconciliation-daily.<task queue>` (`reconciliation-daily.payouts`),
// so two deployments or test stacks sharing a namespace each have their own, starting runs on their
// own queue. Each run is the workflow type reconciliationWorkflow, started by name (the workflow is not
// imported here), with `{ trigger: 'schedule' }`; its workflow id is the Schedule's id, to which the
// server appends the scheduled time (`reconciliation-daily.payouts-2026-12-03T19:00:00Z`). The workflow
// reconciles the Jakarta day before its `TemporalScheduledStartTime`, so a run that starts late
// (catch-up, a buffered run) still reconciles the day it was meant for.
import {
  ScheduleAlreadyRunning,
  ScheduleNotFoundError,
  type Client,
  type ScheduleDescription,
  type ScheduleOptionsStartWorkflowAction,
  type ScheduleOverlapPolicy,
  type ScheduleSpec,
} from '@temporalio/client';
import type { Workflow } from '@temporalio/common';
import { RECONCILIATION_SCHEDULE_ID, RECONCILIATION_WORKFLOW_TYPE, type ReconciliationRequest } from '../domain/reconciliation/run';
import { cronProblem, normalizeCron } from './cron';

export const RECONCILIATION_SCHEDULE_VARIABLE = 'RECONCILIATION_SCHEDULE';
export const RECONCILIATION_SCHEDULE_OFF = 'off';
/** 02:00 in Jakarta: the day before has closed, and the providers have had two hours to settle it. */
export const DEFAULT_RECONCILIATION_SCHEDULE = '0 2 * * *';
export const RECONCILIATION_TIME_ZONE = 'Asia/Jakarta';

/**
 * BUFFER_ONE: when a run is still going at the next run's time (a day of many payouts, provider calls
 * under their rate limits, a worker outage), the next run waits for it and then starts, instead of
 * being dropped as SKIP would drop it. Nothing is reconciled twice at once, and no day is lost: each
 * run reconciles the day before its own scheduled time, however late it starts.
 */
export const RECONCILIATION_OVERLAP: ScheduleOverlapPolicy = 'BUFFER_ONE';
/** A run missed while the Temporal server was down is still taken when it comes back within a day. */
export const RECONCILIATION_CATCHUP_WINDOW_MS = 24 * 60 * 60 * 1000;

const NOTE =
  'Daily reconciliation (issue 18): each run compares the previous Jakarta day of payouts with the providers\' records. ' +
  `Managed by prepare-namespace and npm start from ${RECONCILIATION_SCHEDULE_VARIABLE} (off disables it): change the variable, not this Schedule.`;
const SUMMARY = 'Scheduled reconciliation of the previous Jakarta day';

/** Why a RECONCILIATION_SCHEDULE value cannot be used; undefined when it can. */
export function reconciliationScheduleProblem(value: string): string | undefined {
  const text = value.trim();
  if (text.toLowerCase() === RECONCILIATION_SCHEDULE_OFF) return undefined;
  const problem = cronProblem(text);
  return problem && `must be "${RECONCILIATION_SCHEDULE_OFF}" or a cron expression, read in ${RECONCILIATION_TIME_ZONE}: ${problem}`;
}

/** `off`, or the cron expression with single spaces; unset or empty is the default. Throws on a bad value, naming the variable. */
export function normalizeReconciliationSchedule(value: string | undefined): string {
  const text = value === undefined || value.trim() === '' ? DEFAULT_RECONCILIATION_SCHEDULE : value.trim();
  const problem = reconciliationScheduleProblem(text);
  if (problem) throw new Error(`${RECONCILIATION_SCHEDULE_VARIABLE}: ${problem}`);
  return text.toLowerCase() === RECONCILIATION_SCHEDULE_OFF ? RECONCILIATION_SCHEDULE_OFF : normalizeCron(text);
}

/** The Schedule's id for a deployment's task queue. */
export function reconciliationScheduleId(taskQueue: string): string {
  return `${RECONCILIATION_SCHEDULE_ID}.${taskQueue}`;
}

/**
 * The comment carried by the Schedule's calendar: the server compiles a cron expression into calendar
 * fields and forgets its text, but keeps the comment, so this is how the setting is read back.
 */
function specComment(cron: string): string {
  return `${RECONCILIATION_SCHEDULE_VARIABLE}=${cron}`;
}

function desiredSpec(cron: string): ScheduleSpec {
  return { cronExpressions: [`${cron} # ${specComment(cron)}`], timezone: RECONCILIATION_TIME_ZONE };
}

function desiredAction(scheduleId: string, taskQueue: string): ScheduleOptionsStartWorkflowAction<Workflow> {
  const request: ReconciliationRequest = { trigger: 'schedule' };
  return {
    type: 'startWorkflow',
    workflowType: RECONCILIATION_WORKFLOW_TYPE,
    taskQueue,
    workflowId: scheduleId,
    args: [request],
    staticSummary: SUMMARY,
  };
}

const desiredPolicies = { overlap: RECONCILIATION_OVERLAP, catchupWindow: RECONCILIATION_CATCHUP_WINDOW_MS };

/** The expression a Schedule made here runs on (from its calendar's comment); undefined for any other spec. */
export function scheduledExpression(description: Pick<ScheduleDescription, 'spec'>): string | undefined {
  const { calendars = [], intervals = [] } = description.spec;
  if (calendars.length !== 1 || intervals.length !== 0) return undefined;
  const comment = calendars[0]!.comment ?? '';
  const prefix = `${RECONCILIATION_SCHEDULE_VARIABLE}=`;
  return comment.startsWith(prefix) ? comment.slice(prefix.length) : undefined;
}

/** Whether an existing Schedule already is the one the setting asks for. */
function matches(description: ScheduleDescription, cron: string, scheduleId: string, taskQueue: string): boolean {
  const action = desiredAction(scheduleId, taskQueue);
  return (
    scheduledExpression(description) === cron &&
    description.spec.timezone === RECONCILIATION_TIME_ZONE &&
    description.action.workflowType === action.workflowType &&
    description.action.taskQueue === action.taskQueue &&
    description.action.workflowId === action.workflowId &&
    JSON.stringify(description.action.args ?? []) === JSON.stringify(action.args) &&
    description.action.staticSummary === action.staticSummary &&
    description.policies.overlap === desiredPolicies.overlap &&
    description.policies.catchupWindow === desiredPolicies.catchupWindow
  );
}

/** A Schedule there is after the call. */
export interface ReconciliationScheduleKept {
  scheduleId: string;
  /** The cron expression (Asia/Jakarta). */
  schedule: string;
  outcome: 'created' | 'updated' | 'unchanged';
  /** The expression it ran on before an update (absent when it was not one of ours or did not say). */
  previous?: string;
  /** Paused by an operator (kept so), with the note they left. */
  paused: boolean;
  note?: string;
  nextRunAt?: Date;
}

/** `off`: the Schedule was deleted, or there was none. */
export interface ReconciliationScheduleOff {
  scheduleId: string;
  schedule: typeof RECONCILIATION_SCHEDULE_OFF;
  outcome: 'deleted' | 'absent';
}

export type ReconciliationScheduleOutcome = ReconciliationScheduleKept | ReconciliationScheduleOff;

export interface ReconciliationScheduleOptions {
  /** The deployment's task queue (TEMPORAL_TASK_QUEUE): runs start there, and the Schedule's id ends with it. */
  taskQueue: string;
  /** RECONCILIATION_SCHEDULE: `off`, or a five-field cron expression read in Asia/Jakarta. */
  schedule: string;
}

/**
 * Makes the namespace's Schedule agree with the setting (see the top of this file). Safe to run from
 * several processes at once: a create that loses the race goes on as an update.
 */
export async function ensureReconciliationSchedule(client: Client, options: ReconciliationScheduleOptions): Promise<ReconciliationScheduleOutcome> {
  const schedule = normalizeReconciliationSchedule(options.schedule);
  const scheduleId = reconciliationScheduleId(options.taskQueue);
  const handle = client.schedule.getHandle(scheduleId);

  if (schedule === RECONCILIATION_SCHEDULE_OFF) {
    try {
      await handle.delete();
      return { scheduleId, schedule, outcome: 'deleted' };
    } catch (err) {
      if (err instanceof ScheduleNotFoundError) return { scheduleId, schedule, outcome: 'absent' };
      throw err;
    }
  }

  let current: ScheduleDescription | undefined;
  try {
    current = await handle.describe();
  } catch (err) {
    if (!(err instanceof ScheduleNotFoundError)) throw err;
  }
  if (current === undefined) {
    try {
      await client.schedule.create({
        scheduleId,
        spec: desiredSpec(schedule),
        action: desiredAction(scheduleId, options.taskQueue),
        policies: desiredPolicies,
        memo: {
          description: NOTE,
          setting: RECONCILIATION_SCHEDULE_VARIABLE,
          workflowType: RECONCILIATION_WORKFLOW_TYPE,
          docs: 'docs/reconciliation.md',
        },
        state: { note: NOTE },
      });
      const created = await handle.describe();
      return { scheduleId, schedule, outcome: 'created', paused: false, nextRunAt: created.info.nextActionTimes[0] };
    } catch (err) {
      if (!(err instanceof ScheduleAlreadyRunning)) throw err;
      current = await handle.describe(); // made by another process in between: compare with it
    }
  }

  if (matches(current, schedule, scheduleId, options.taskQueue)) {
    return { scheduleId, schedule, outcome: 'unchanged', paused: current.state.paused, note: current.state.note, nextRunAt: current.info.nextActionTimes[0] };
  }
  const previous = scheduledExpression(current);
  await handle.update((existing) => ({
    spec: desiredSpec(schedule),
    action: desiredAction(scheduleId, options.taskQueue),
    policies: desiredPolicies,
    // An operator's pause, its note and any action limit stay as they were.
    state: {
      paused: existing.state.paused,
      note: existing.state.paused ? existing.state.note : NOTE,
      ...(existing.state.remainingActions !== undefined && { remainingActions: existing.state.remainingActions }),
    },
  }));
  const updated = await handle.describe();
  return {
    scheduleId,
    schedule,
    outcome: 'updated',
    ...(previous !== undefined && { previous }),
    paused: updated.state.paused,
    note: updated.state.note,
    nextRunAt: updated.info.nextActionTimes[0],
  };
}

/** One line for the console of prepare-namespace and `npm start`. */
export function describeReconciliationSchedule(result: ReconciliationScheduleOutcome): string {
  if (!('paused' in result)) {
    const what = result.outcome === 'deleted' ? `deleted the Schedule ${result.scheduleId}` : `no Schedule ${result.scheduleId}`;
    return `reconciliation schedule off (${RECONCILIATION_SCHEDULE_VARIABLE}=off): ${what}`;
  }
  const outcome = result.outcome === 'updated' && result.previous ? `updated from "${result.previous}"` : result.outcome;
  const state = result.paused
    ? `; PAUSED in Temporal${result.note ? ` (${result.note})` : ''}, no run starts until it is unpaused`
    : result.nextRunAt
      ? `; next run ${result.nextRunAt.toISOString()}`
      : '';
  return `reconciliation schedule ${result.scheduleId}: "${result.schedule}" in ${RECONCILIATION_TIME_ZONE} (${outcome}${state})`;
}
