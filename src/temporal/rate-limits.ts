// Each provider's call rate limit, held by the Temporal server on that provider's task queue
// (src/domain/task-queues.ts): the server dispatches the queue's activity tasks no faster than a rate
// derived from the limit (queueRateFor), however many workers poll it. Set with UpdateTaskQueueConfig
// (server 1.29+, what `temporal task-queue config set --queue-rps-limit` does); a limit set there
// overrides the one workers ask for when they poll (maxTaskQueueActivitiesPerSecond), which would
// otherwise be whichever worker polled last. Idempotent: the configuration is read first and written
// only when it differs. The worker (at start-up, before polling), prepare-namespace and the test
// stack call it.
import { temporal } from '@temporalio/proto';
import { providerTaskQueue } from '../domain/task-queues';

const ACTIVITY = temporal.api.enums.v1.TaskQueueType.TASK_QUEUE_TYPE_ACTIVITY;
const NORMAL = temporal.api.enums.v1.TaskQueueKind.TASK_QUEUE_KIND_NORMAL;

/** A provider's limit as its module reads it (ProviderModule.rateLimit). */
export interface ProviderRateLimit {
  callsPerSecond: number;
  /** `<KEY>_MAX_CALLS_PER_SECOND`. */
  variable: string;
  /** The most HTTP calls one activity makes (a token renewal aside). */
  callsPerActivity: number;
}

/** What this module needs of a connection (a client Connection and a worker NativeConnection both have it). */
export interface RateLimitConnection {
  workflowService: Pick<temporal.api.workflowservice.v1.WorkflowService, 'describeTaskQueue' | 'updateTaskQueueConfig' | 'listTaskQueuePartitions'>;
}

/** The windows the limit must hold over, as the provider sees the calls: on average over 5 s, and never more than 2 × in 1 s. */
export const LONG_WINDOW_S = 5;
export const BURST_FACTOR = 2;
/**
 * Room left in each window for calls the queue does not count (access-token requests: one per worker
 * process and token lifetime, Singapay's) and for the time between the server's dispatch and the
 * provider's arrival, which varies from call to call: a tenth of each window's budget, at least one
 * call. Measured with a twentieth, the busiest 5 s came to 49 calls of 50.
 */
const RESERVE_SHARE = 0.1;
/** The server's default number of partitions of a task queue (matching.numTaskqueueReadPartitions). */
export const DEFAULT_PARTITIONS = 4;

/**
 * The most calls the server lets through in a burst: each partition holds rate / partitions, with a
 * token bucket of one second's worth, at least one task (server 1.29, matching's rate limit manager).
 */
export function serverBurst(requestsPerSecond: number, partitions: number): number {
  return partitions * Math.max(Math.ceil(requestsPerSecond / partitions), 1);
}

/**
 * The rate the server is asked to hold a provider's task queue to, in activity tasks per second, so
 * that the provider never sees more than its limit: in any 5 s, the burst the server allows after a
 * quiet spell plus 5 s at the rate, times the calls one activity makes, plus the reserve for token
 * renewals and dispatch jitter, stays within 5 × the limit; and in any 1 s, within 2 × the limit.
 * About 0.74 × the limit for one call per activity on 4 partitions (the burst alone is a second's
 * worth); half that for two calls per activity. Rounded down to a hundredth. Undefined when no rate
 * holds (a limit so low that one task per partition already breaks it): closestQueueRate then, and a
 * warning to give the queue one partition (README "Provider rate limits").
 */
export function queueRateFor(limit: ProviderRateLimit, partitions: number = DEFAULT_PARTITIONS): number | undefined {
  const perActivity = Math.max(1, limit.callsPerActivity);
  const longBudget = LONG_WINDOW_S * limit.callsPerSecond;
  const shortBudget = BURST_FACTOR * limit.callsPerSecond;
  const longTasks = (longBudget - Math.max(1, RESERVE_SHARE * longBudget)) / perActivity;
  const shortTasks = (shortBudget - Math.max(1, RESERVE_SHARE * shortBudget)) / perActivity;
  let best: number | undefined;
  // The burst is partitions × k, k = max(ceil(rate / partitions), 1): try each k in turn.
  for (let k = 1; partitions * (k - 1) < longTasks; k += 1) {
    const burst = partitions * k;
    const rate = Math.min(partitions * k, (longTasks - burst) / LONG_WINDOW_S, shortTasks - burst);
    if (rate > partitions * (k - 1) || (k === 1 && rate > 0)) best = Math.max(best ?? 0, rate);
  }
  return best === undefined ? undefined : Math.floor(best * 100) / 100;
}

/**
 * For a limit no rate holds on these partitions (queueRateFor gives none): the rate that keeps the
 * 5 s average when the partitions burst one task each, or failing that 5 s of rate and a second's
 * burst on one partition. The queue stays limited near the limit; a second may see more than twice it.
 */
export function closestQueueRate(limit: ProviderRateLimit, partitions: number = DEFAULT_PARTITIONS): number {
  const perActivity = Math.max(1, limit.callsPerActivity);
  const longBudget = LONG_WINDOW_S * limit.callsPerSecond;
  const longTasks = (longBudget - Math.max(1, RESERVE_SHARE * longBudget)) / perActivity;
  const withBurst = (longTasks - partitions) / LONG_WINDOW_S;
  const rate = withBurst > 0 ? withBurst : longTasks / (LONG_WINDOW_S + 1);
  return Math.max(0.01, Math.floor(rate * 100) / 100);
}

export interface QueueRateLimitResult {
  provider: string;
  taskQueue: string;
  /** The provider's limit, in calls per second. */
  callsPerSecond: number;
  variable: string;
  /** The queue's partitions, as the server lists them. */
  partitions: number;
  /** Activity tasks per second asked of the server: queueRateFor's, or closestQueueRate's when it has none. */
  requestsPerSecond: number;
  /** Whether that rate holds the limit in the worst case (false: only closest, a second may see more than 2 ×). */
  holds: boolean;
  /** `set`: written now; `unchanged`: the server already held it; `refused`: the server did not take it. */
  outcome: 'set' | 'unchanged' | 'refused';
  /** Why it was refused (the server's answer). */
  error?: string;
}

export interface ApplyRateLimitsOptions {
  namespace: string;
  /** The payout task queue; each provider's queue is `<taskQueue>.provider.<key>`. */
  taskQueue: string;
  /** By provider key. */
  limits: Readonly<Record<string, ProviderRateLimit>>;
  /** Who sets it, as the server records it (`temporal task-queue config get` shows it). */
  identity: string;
}

/** Sets every provider queue's rate limit on the server; never throws for a refusal (see `outcome`). */
export async function applyProviderRateLimits(connection: RateLimitConnection, options: ApplyRateLimitsOptions): Promise<QueueRateLimitResult[]> {
  return Promise.all(
    Object.entries(options.limits).map(async ([provider, limit]): Promise<QueueRateLimitResult> => {
      const taskQueue = providerTaskQueue(options.taskQueue, provider);
      const partitions = await partitionsOf(connection, options.namespace, taskQueue);
      const strict = queueRateFor(limit, partitions);
      const requestsPerSecond = strict ?? closestQueueRate(limit, partitions);
      const result = { provider, taskQueue, callsPerSecond: limit.callsPerSecond, variable: limit.variable, partitions, requestsPerSecond, holds: strict !== undefined };
      try {
        const current = await currentQueueRate(connection, options.namespace, taskQueue);
        // The server keeps the rate as a float32: compare in that precision.
        if (current !== undefined && current === Math.fround(requestsPerSecond)) return { ...result, outcome: 'unchanged' };
        await connection.workflowService.updateTaskQueueConfig({
          namespace: options.namespace,
          identity: options.identity,
          taskQueue,
          taskQueueType: ACTIVITY,
          updateQueueRateLimit: {
            rateLimit: { requestsPerSecond },
            reason: `${limit.variable}=${limit.callsPerSecond} (${limit.callsPerActivity} call(s) per activity, ${partitions} partitions)`,
          },
        });
        return { ...result, outcome: 'set' };
      } catch (err) {
        return { ...result, outcome: 'refused', error: grpcMessage(err) };
      }
    }),
  );
}

/** How many partitions the server gives the queue (the burst depends on it); the default when it cannot say. */
async function partitionsOf(connection: RateLimitConnection, namespace: string, taskQueue: string): Promise<number> {
  try {
    const answer = await connection.workflowService.listTaskQueuePartitions({ namespace, taskQueue: { name: taskQueue, kind: NORMAL } });
    return Math.max(1, answer.activityTaskQueuePartitions?.length ?? DEFAULT_PARTITIONS);
  } catch {
    return DEFAULT_PARTITIONS;
  }
}

/** The queue rate limit set through the API on an activity task queue, or undefined when none is. */
export async function currentQueueRate(connection: RateLimitConnection, namespace: string, taskQueue: string): Promise<number | undefined> {
  const answer = await connection.workflowService.describeTaskQueue({
    namespace,
    taskQueue: { name: taskQueue, kind: NORMAL },
    taskQueueType: ACTIVITY,
    reportConfig: true,
  });
  const rate = answer.config?.queueRateLimit?.rateLimit;
  return rate ? (rate.requestsPerSecond ?? 0) : undefined;
}

/** One line per provider queue, for a process's log; refusals say what holds instead. */
export function describeRateLimits(results: readonly QueueRateLimitResult[]): { info: string[]; warnings: string[] } {
  const info: string[] = [];
  const warnings: string[] = [];
  for (const r of results) {
    const limit = `${r.variable}=${r.callsPerSecond}`;
    if (r.outcome === 'refused') {
      warnings.push(
        `the Temporal server did not take the rate limit of ${r.requestsPerSecond} activity tasks/s (${limit}) for task queue "${r.taskQueue}" (${r.error}); ` +
          `only the workers' own maxTaskQueueActivitiesPerSecond holds it now, as each worker asks when it polls (the last one wins). ` +
          `A server of 1.29 or later enforces it for all workers (README "Provider rate limits").`,
      );
    } else {
      info.push(`task queue "${r.taskQueue}" held by the server to ${r.requestsPerSecond} activity tasks/s for ${limit}${r.outcome === 'unchanged' ? ' (already set)' : ''}`);
    }
    if (!r.holds) {
      warnings.push(
        `${limit} is too low for the ${r.partitions} partitions of task queue "${r.taskQueue}": the server may let one task through on each at once, ` +
          `so a second may see more than twice the limit. Give the queue one partition, or raise the limit (README "Provider rate limits").`,
      );
    }
  }
  return { info, warnings };
}

/** Each provider's activity tasks per second, for the workers' maxTaskQueueActivitiesPerSecond. */
export function workerQueueRates(results: readonly QueueRateLimitResult[]): Record<string, number> {
  return Object.fromEntries(results.map((r) => [r.provider, r.requestsPerSecond]));
}

function grpcMessage(err: unknown): string {
  const e = err as { code?: number; details?: string; message?: string };
  const code = e.code === undefined ? '' : `${GRPC_CODES[e.code] ?? `code ${e.code}`}: `;
  return `${code}${e.details ?? e.message ?? String(err)}`.split('\n')[0]!;
}

const GRPC_CODES: Record<number, string> = {
  3: 'INVALID_ARGUMENT',
  4: 'DEADLINE_EXCEEDED',
  5: 'NOT_FOUND',
  7: 'PERMISSION_DENIED',
  12: 'UNIMPLEMENTED',
  14: 'UNAVAILABLE',
  16: 'UNAUTHENTICATED',
};
