// Creates the payouts namespace on a cluster that does not have it yet (a fresh self-hosted server;
// the dev server and Temporal Cloud create theirs by other means). Retention decides how long a
// finished payout stays readable through the API and the Web UI after it closed.
import type { Connection } from '@temporalio/client';
import { msToTs } from '@temporalio/common/lib/time';

const NOT_FOUND = 5; // gRPC status NOT_FOUND
const ALREADY_EXISTS = 6;

/** Registers `namespace` when it does not exist; returns whether it did so. */
export async function ensureNamespace(connection: Connection, namespace: string, retentionDays: number): Promise<boolean> {
  try {
    await connection.workflowService.describeNamespace({ namespace });
    return false;
  } catch (err) {
    if ((err as { code?: number }).code !== NOT_FOUND) throw err;
  }
  try {
    await connection.workflowService.registerNamespace({
      namespace,
      description: 'Payouts: one workflow per payout',
      workflowExecutionRetentionPeriod: msToTs(retentionDays * 24 * 60 * 60 * 1000),
    });
    return true;
  } catch (err) {
    // A second copy of this job (or an operator) created it in between.
    if ((err as { code?: number }).code === ALREADY_EXISTS) return false;
    throw err;
  }
}
