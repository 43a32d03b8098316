// Entry point: the payout worker. Configuration from the environment (see README "Configuration").
import { hostname } from 'node:os';
import { Client, Connection } from '@temporalio/client';
import { DefaultLogger, NativeConnection, Runtime, type LogLevel } from '@temporalio/worker';
import { loadConfigOrExit } from '../config';
import { createProviders } from '../providers/catalog';
import { createWorker } from '../temporal/worker';
import { dataConverterFor } from '../temporal/codec';
import { workerTuningOptions } from '../temporal/worker-tuning';
import { connectionOptions, describeAccess } from '../temporal/connection';
import { applyProviderRateLimits, describeRateLimits, workerQueueRates } from '../temporal/rate-limits';

async function main() {
  const config = loadConfigOrExit();
  if (config.providers.length === 0) {
    const variables = config.providerModules.flatMap((module) => Object.keys(module.env).filter((name) => name.endsWith('_BASE_URL'))).join(', ');
    console.error(`Invalid configuration:\n  - ${variables}: the worker needs at least one provider (npm start sets them all for the simulators)`);
    process.exit(1);
  }
  const level = (process.env.LOG_LEVEL ?? 'info').toUpperCase();
  const metricsAt = config.env.WORKER_METRICS_PORT ? `${config.env.WORKER_METRICS_HOST}:${config.env.WORKER_METRICS_PORT}` : undefined;
  Runtime.install({
    logger: new DefaultLogger((['TRACE', 'DEBUG', 'INFO', 'WARN', 'ERROR'].includes(level) ? level : 'INFO') as LogLevel),
    ...(metricsAt && { telemetryOptions: { metrics: { prometheus: { bindAddress: metricsAt } } } }),
  });
  if (metricsAt) console.log(`[worker] Prometheus metrics on http://${metricsAt}/metrics`);
  const address = config.temporal.address ?? 'localhost:7233';
  const connection = await NativeConnection.connect(connectionOptions(address, config.temporal.access));
  const bundlePath = config.temporal.workflowBundlePath;
  const dataConverter = dataConverterFor(config.temporal.codecKeys);
  // The webhook activities start and signal delivery workflows and read the endpoints: a client of their own.
  const clientConnection = await Connection.connect(connectionOptions(address, config.temporal.access));
  const client = new Client({ connection: clientConnection, namespace: config.temporal.namespace, ...(dataConverter && { dataConverter }) });
  // Each configured provider's rate limit, on its task queue, before anything polls it: every worker
  // sets the configured value (nothing is written when the server already holds it).
  const limits = Object.fromEntries(config.providers.map(({ module }) => [module.key, config.rateLimits[module.key]!]));
  const applied = await applyProviderRateLimits(clientConnection, {
    namespace: config.temporal.namespace,
    taskQueue: config.temporal.taskQueue,
    limits,
    identity: `payouts worker ${hostname()}:${process.pid}`,
  });
  const { info, warnings } = describeRateLimits(applied);
  for (const line of info) console.log(`[worker] ${line}`);
  for (const line of warnings) console.warn(`[worker] warning: ${line}`);
  if (config.webhooks.developmentKey) console.log('[worker] webhooks signed with the development key (set WEBHOOK_SECRET_KEY for real secrets)');
  const worker = await createWorker({
    connection,
    namespace: config.temporal.namespace,
    taskQueue: config.temporal.taskQueue,
    providers: createProviders(config.providers),
    dataConverter,
    webhooks: { client, masterKey: config.webhooks.masterKey, urlPolicy: config.webhooks.urlPolicy, delivery: config.webhooks.delivery },
    // Without a prebuilt bundle (the Docker image has one) the worker runs webpack over workflows/
    // first: measured here, 4.6 s to polling instead of 2.2 s, and about 90 MiB more peak RSS.
    ...(bundlePath && { workflowBundle: { codePath: bundlePath } }),
    options: workerTuningOptions(config.worker),
    // The same rates, asked when polling: what holds if the server did not take them.
    providerQueueRates: workerQueueRates(applied),
  });
  const encryption = config.temporal.codecKeys ? `payloads encrypted with key ${config.temporal.codecKeys[0]!.id}` : 'payloads not encrypted';
  const workflows = bundlePath ? `workflows from the bundle ${bundlePath}` : 'workflows bundled at start-up';
  console.log(
    `[worker] polling task queues ${worker.taskQueues.map((queue) => `"${queue}"`).join(', ')} on ${address} (${describeAccess(config.temporal.access)}; namespace ${config.temporal.namespace}; ${encryption}; ${workflows})`,
  );
  // Under `npm start` an IPC channel ties us to the parent: if it dies, stop too (no orphans).
  process.once('disconnect', () => worker.shutdown());
  // Drain: on SIGINT/SIGTERM the Runtime stops polling and Worker.run() returns once in-flight tasks
  // are done or handed back. Provider calls deliberately ignore activity cancellation (an aborted
  // trigger is an ambiguous trigger); each is bounded by its provider timeout, so the drain is too.
  await worker.run();
  await connection.close();
  await clientConnection.close();
  console.log('[worker] stopped');
  // The IPC channel to `npm start` would keep the process alive otherwise.
  process.exit(0);
}

main().catch((err) => {
  console.error('[worker] failed:', err instanceof Error ? err.message : err);
  process.exit(1);
});
