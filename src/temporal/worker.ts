// Builds the payout worker from its dependencies. Entry points and tests both call this.
//
// One process polls several task queues: the payout task queue (workflows, webhook activities, and
// provider calls of payouts that started before PROVIDER_TASK_QUEUES), and one queue per configured
// provider, where the server rate-limits that provider's calls across all workers (rate-limits.ts).
import { NativeConnection, Worker, type WorkerOptions } from '@temporalio/worker';
import { createActivities } from '../../activities';
import { createLimitActivities } from '../../activities/limits';
import { createReconciliationActivities } from '../../activities/reconciliation';
import { createWebhookActivities, type WebhookDeps } from '../../activities/webhooks';
import { deriveScopeKey } from '../approvals/scope-id';
import type { ProviderClients } from '../domain/provider-port';
import { limitsTaskQueue, providerTaskQueue } from '../domain/task-queues';

export interface WorkerDeps {
  connection: NativeConnection;
  namespace: string;
  taskQueue: string;
  providers: ProviderClients;
  /** Webhook publishing and delivery (the worker's task queue is theirs too). */
  webhooks: Omit<WebhookDeps, 'taskQueue'>;
  /** A prebuilt workflow bundle (tests build it once); otherwise the worker bundles workflows/ itself. */
  workflowBundle?: { code: string } | { codePath: string };
  /** With payload encryption: the same converter the API's client uses. */
  dataConverter?: WorkerOptions['dataConverter'];
  /** Extra options, e.g. shutdownGraceTime or tuning, for entry points and benchmarks. */
  options?: Partial<WorkerOptions>;
  /**
   * Activity tasks per second for each provider's task queue, by provider key: asked of the server
   * when this worker polls (maxTaskQueueActivitiesPerSecond). A second line of defence: the limit the
   * server holds from UpdateTaskQueueConfig (src/temporal/rate-limits.ts) overrides it.
   */
  providerQueueRates?: Readonly<Record<string, number>>;
}

export const WORKFLOWS_PATH = require.resolve('../../workflows');

/** The workers of one process, run and stopped together. */
export interface PayoutWorker {
  run(): Promise<void>;
  shutdown(): void;
  getState(): ReturnType<Worker['getState']>;
  /** The task queues polled, for the start-up line. */
  readonly taskQueues: string[];
}

export async function createWorker(deps: WorkerDeps): Promise<PayoutWorker> {
  const providerActivities = createActivities({ providers: deps.providers });
  // Reading our side (visibility) runs on the payout queue; reading a provider's history, on its queue.
  const reconciliationActivities = createReconciliationActivities({ client: deps.webhooks.client, taskQueue: deps.taskQueue, providers: deps.providers });
  const common = {
    connection: deps.connection,
    namespace: deps.namespace,
    ...(deps.dataConverter && { dataConverter: deps.dataConverter }),
    ...deps.options,
  };
  const main = await Worker.create({
    ...common,
    taskQueue: deps.taskQueue,
    activities: {
      ...providerActivities,
      ...createWebhookActivities({ ...deps.webhooks, taskQueue: deps.taskQueue }),
      ...reconciliationActivities,
    },
    ...(deps.workflowBundle ? { workflowBundle: deps.workflowBundle } : { workflowsPath: WORKFLOWS_PATH }),
  });
  const providerWorkers = await Promise.all(
    Object.keys(deps.providers).map((key) =>
      Worker.create({
        ...withoutWorkflowOptions(common),
        taskQueue: providerTaskQueue(deps.taskQueue, key),
        activities: { ...providerActivities, ...reconciliationActivities },
        ...(deps.providerQueueRates?.[key] !== undefined && { maxTaskQueueActivitiesPerSecond: deps.providerQueueRates[key] }),
      }),
    ),
  );
  // Spending-limit reservations on their own queue (an approval waits for them); the spending-limit
  // workflows themselves run on the payout task queue, and their scope ids are keyed like the API's.
  const limitsWorker = await Worker.create({
    ...withoutWorkflowOptions(common),
    taskQueue: limitsTaskQueue(deps.taskQueue),
    activities: createLimitActivities({ client: deps.webhooks.client, taskQueue: deps.taskQueue, scopeKey: deriveScopeKey(deps.webhooks.masterKey) }),
  });
  const workers = [main, ...providerWorkers, limitsWorker];
  return {
    taskQueues: workers.map((worker) => worker.options.taskQueue),
    async run() {
      // One worker failing stops the others, so the process never runs half a worker.
      const runs = workers.map((worker) =>
        worker.run().catch((err: unknown) => {
          for (const other of workers) if (other.getState() === 'RUNNING') other.shutdown();
          throw err;
        }),
      );
      const results = await Promise.allSettled(runs);
      const failed = results.find((result): result is PromiseRejectedResult => result.status === 'rejected');
      if (failed) throw failed.reason;
    },
    shutdown() {
      for (const worker of workers) if (worker.getState() === 'RUNNING') worker.shutdown();
    },
    getState: () => main.getState(),
  };
}

/** An activity-only worker takes no workflow options (cache, sticky queue, workflow pollers). */
function withoutWorkflowOptions<T extends Partial<WorkerOptions>>(options: T): T {
  const {
    maxCachedWorkflows: _cache,
    maxConcurrentWorkflowTaskExecutions: _tasks,
    workflowTaskPollerBehavior: _pollers,
    stickyQueueScheduleToStartTimeout: _sticky,
    reuseV8Context: _reuse,
    ...rest
  } = options;
  return rest as T;
}
