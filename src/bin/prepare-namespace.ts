// One-shot, before the workers and the API start on a cluster: creates the namespace when the cluster
// lacks it (TEMPORAL_NAMESPACE_RETENTION_DAYS), registers the project's search attributes in it, and
// sets each provider's rate limit on its task queue (<KEY>_MAX_CALLS_PER_SECOND; every worker sets it
// again at start-up); then makes the daily reconciliation's Schedule agree with RECONCILIATION_SCHEDULE
// (creates, updates or, with `off`, deletes it). Every step is idempotent. docker-compose runs it once per `up`; `npm start` does the same for its
// dev server by itself. Waits up to two minutes for the server to answer.
import { Client, Connection } from '@temporalio/client';
import { loadConfigOrExit } from '../config';
import { dataConverterFor } from '../temporal/codec';
import { connectionOptions } from '../temporal/connection';
import { ensureNamespace } from '../temporal/namespace';
import { applyProviderRateLimits, describeRateLimits } from '../temporal/rate-limits';
import { describeReconciliationSchedule, ensureReconciliationSchedule } from '../temporal/reconciliation-schedule';
import { ensureSearchAttributes } from '../temporal/search-attributes';

async function main() {
  const config = loadConfigOrExit();
  const address = config.temporal.address ?? 'localhost:7233';
  const { namespace } = config.temporal;
  const deadline = Date.now() + 120_000;
  for (;;) {
    try {
      const connection = await Connection.connect({ ...connectionOptions(address, config.temporal.access), connectTimeout: 2_000 });
      const created = await ensureNamespace(connection, namespace, config.env.TEMPORAL_NAMESPACE_RETENTION_DAYS);
      console.log(created ? `created namespace ${namespace} (retention ${config.env.TEMPORAL_NAMESPACE_RETENTION_DAYS} days)` : `namespace ${namespace} exists`);
      const added = await ensureSearchAttributes(connection, namespace);
      console.log(added.length ? `registered search attributes: ${added.join(', ')}` : 'search attributes already registered');
      // Every provider the service knows: a worker polls the queues of those it is configured with.
      const limits = await applyProviderRateLimits(connection, {
        namespace,
        taskQueue: config.temporal.taskQueue,
        limits: config.rateLimits,
        identity: 'payouts prepare-namespace',
      });
      const { info, warnings } = describeRateLimits(limits);
      for (const line of info) console.log(line);
      for (const line of warnings) console.warn(`warning: ${line}`);
      // The Schedule's action carries the workflow's argument: encoded as the API and workers encode theirs.
      const dataConverter = dataConverterFor(config.temporal.codecKeys);
      const client = new Client({ connection, namespace, ...(dataConverter && { dataConverter }) });
      const schedule = await ensureReconciliationSchedule(client, { taskQueue: config.temporal.taskQueue, schedule: config.reconciliation.schedule });
      console.log(describeReconciliationSchedule(schedule));
      await connection.close();
      return;
    } catch (err) {
      if (Date.now() > deadline) throw err;
      console.log(`waiting for Temporal at ${address}: ${(err as Error).message.split('\n')[0]}`);
      await new Promise((r) => setTimeout(r, 2_000));
    }
  }
}

main().catch((err) => {
  console.error(`failed: ${err instanceof Error ? err.message : err}`);
  process.exit(1);
});
