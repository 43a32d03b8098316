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

/**
 * Raises the namespace's retention to `retentionDays` when it keeps closed workflows for less (the
 * dev server creates its namespaces with one day). A reconciliation reads a day's closed payouts
 * from Temporal, so a day it reconciles must still be within the retention. Returns the days it
 * kept before, when it raised them.
 */
export async function ensureRetentionAtLeast(connection: Connection, namespace: string, retentionDays: number): Promise<number | undefined> {
  const wantedMs = retentionDays * 24 * 60 * 60 * 1000;
  const described = await connection.workflowService.describeNamespace({ namespace });
  const ttl = described.config?.workflowExecutionRetentionTtl;
  const keptMs = Number(ttl?.seconds ?? 0) * 1000 + Math.floor((ttl?.nanos ?? 0) / 1e6);
  if (keptMs >= wantedMs) return undefined;
  await connection.workflowService.updateNamespace({ namespace, config: { workflowExecutionRetentionTtl: msToTs(wantedMs) } });
  return keptMs / (24 * 60 * 60 * 1000);
}
