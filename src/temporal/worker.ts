// Builds the payout worker from its dependencies. Entry points and tests both call this.
import { NativeConnection, Worker, type WorkerOptions } from '@temporalio/worker';
import { createActivities } from '../../activities';
import { createWebhookActivities, type WebhookDeps } from '../../activities/webhooks';
import type { ProviderClients } from '../domain/provider-port';

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
}

export const WORKFLOWS_PATH = require.resolve('../../workflows');

export async function createWorker(deps: WorkerDeps): Promise<Worker> {
  return Worker.create({
    connection: deps.connection,
    namespace: deps.namespace,
    taskQueue: deps.taskQueue,
    activities: { ...createActivities({ providers: deps.providers }), ...createWebhookActivities({ ...deps.webhooks, taskQueue: deps.taskQueue }) },
    ...(deps.workflowBundle ? { workflowBundle: deps.workflowBundle } : { workflowsPath: WORKFLOWS_PATH }),
    ...(deps.dataConverter && { dataConverter: deps.dataConverter }),
    ...deps.options,
  });
}
