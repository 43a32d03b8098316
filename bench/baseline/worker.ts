// The baseline's worker process: default worker options, like the payout worker's, on its own task queue.
import { NativeConnection, Worker } from '@temporalio/worker';
import * as activities from './activities';
import { loadConfigOrExit } from '../../src/config';
import { connectionOptions } from '../../src/temporal/connection';

async function main() {
  const config = loadConfigOrExit();
  const address = config.temporal.address ?? 'localhost:7233';
  const connection = await NativeConnection.connect(connectionOptions(address, config.temporal.access));
  const worker = await Worker.create({
    connection,
    taskQueue: config.temporal.taskQueue,
    workflowsPath: require.resolve('./workflows'),
    activities,
  });
  console.log(`[baseline-worker] polling task queue on ${address}`);
  process.once('disconnect', () => worker.shutdown());
  await worker.run();
  await connection.close();
  process.exit(0);
}

main().catch((err) => {
  console.error('[baseline-worker] failed:', err instanceof Error ? err.message : err);
  process.exit(1);
});
