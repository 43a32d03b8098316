// The baseline's worker process: default worker options, like the payout worker's, on its own task queue.
import { NativeConnection, Worker } from '@temporalio/worker';
import * as activities from './activities';

async function main() {
  const address = process.env.TEMPORAL_ADDRESS ?? 'localhost:7233';
  const connection = await NativeConnection.connect({ address });
  const worker = await Worker.create({
    connection,
    taskQueue: process.env.TEMPORAL_TASK_QUEUE ?? 'bench-baseline',
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
