// Spending-limit activities: a payout's workflow reserves and releases amounts in the spending-limit
// workflows of its scopes (workflows/spending-limit.ts) through them, since a workflow cannot send an
// update to another workflow. Reserving several scopes is a saga: a refusal releases what this call
// reserved before it. Both are idempotent per holder, so Temporal may retry them freely; a retry after
// RESOURCE_EXHAUSTED (more than 10 updates in flight at one scope) is an ordinary retry.
import { WithStartWorkflowOperation, WorkflowIdConflictPolicy, WorkflowNotFoundError, type Client } from '@temporalio/client';
import type { HeldReservation, ReserveOutcome, ScopeReservation } from '../src/domain/approval-policy';
import { spendingWorkflowId } from '../src/approvals/scope-id';
import type { spendingLimitWorkflow } from '../workflows/spending-limit';
import { releaseSpendingUpdate, reserveSpendingUpdate } from '../workflows/spending-messages';

export interface LimitDeps {
  client: Client;
  /** Where the spending-limit workflows run (the worker's own task queue). */
  taskQueue: string;
  /** The HMAC key of scope ids (src/approvals/scope-id.ts). */
  scopeKey: Buffer;
}

/** Destination scopes reserved at once (a batch can have thousands). */
const PARALLEL_SCOPES = 16;

/**
 * Updates this worker sends to one scope's workflow at once. The server refuses more than 10 updates
 * in flight per workflow (RESOURCE_EXHAUSTED); many approvals at one scope used to hit that and back
 * off on the activity's retry policy (seconds to a minute in production), so approvals waited far
 * longer than the decision timeout. Queued here, they go as soon as one before them is answered.
 */
const UPDATES_IN_FLIGHT_PER_SCOPE = 8;

/** A per-key gate: at most `width` calls of one key run at once; the others wait in order. */
export function keyedGate(width: number) {
  const gates = new Map<string, { active: number; waiting: (() => void)[] }>();
  return async function through<T>(key: string, call: () => Promise<T>): Promise<T> {
    let gate = gates.get(key);
    if (!gate) {
      gate = { active: 0, waiting: [] };
      gates.set(key, gate);
    }
    if (gate.active >= width) await new Promise<void>((resolve) => gate!.waiting.push(resolve));
    else gate.active += 1;
    try {
      return await call();
    } finally {
      const next = gate.waiting.shift();
      if (next) next(); // the slot passes straight to the next caller
      else {
        gate.active -= 1;
        if (gate.active === 0) gates.delete(key);
      }
    }
  };
}

export function createLimitActivities(deps: LimitDeps) {
  const workflowId = (scope: { kind: ScopeReservation['kind']; subject: string }, day: string) => spendingWorkflowId(deps.scopeKey, deps.taskQueue, scope.kind, scope.subject, day);
  const throughScope = keyedGate(UPDATES_IN_FLIGHT_PER_SCOPE);

  async function reserveOne(scope: ScopeReservation, day: string) {
    const start = new WithStartWorkflowOperation<typeof spendingLimitWorkflow>('spendingLimitWorkflow', {
      workflowId: workflowId(scope, day),
      taskQueue: deps.taskQueue,
      args: [{ kind: scope.kind, day }],
      workflowIdConflictPolicy: WorkflowIdConflictPolicy.USE_EXISTING,
      staticSummary: `Spending of one ${scope.kind} on ${day} (Asia/Jakarta)`,
    });
    return throughScope(start.options.workflowId, () =>
      deps.client.workflow.executeUpdateWithStart(reserveSpendingUpdate, { args: [{ holds: scope.holds, limit: scope.limit }], startWorkflowOperation: start }),
    );
  }

  async function releaseOne(scope: { kind: ScopeReservation['kind']; subject: string }, day: string, holders: string[]): Promise<void> {
    try {
      const id = workflowId(scope, day);
      await throughScope(id, () => deps.client.workflow.getHandle(id).executeUpdate(releaseSpendingUpdate, { args: [{ holders }] }));
    } catch (err) {
      // Never reserved (the saga stopped before it), or the day's workflow has ended: nothing is held.
      if (!(err instanceof WorkflowNotFoundError)) throw err;
    }
  }

  return {
    /** Reserves every scope's holds, or none: a refusal answers which limit and what remains. */
    async reserveSpending(day: string, scopes: ScopeReservation[]): Promise<ReserveOutcome> {
      const reserved: ScopeReservation[] = [];
      const undo = () => Promise.all(reserved.map((scope) => releaseOne(scope, day, scope.holds.map((hold) => hold.holder))));
      for (let i = 0; i < scopes.length; i += PARALLEL_SCOPES) {
        const group = scopes.slice(i, i + PARALLEL_SCOPES);
        const answers = await Promise.allSettled(group.map((scope) => reserveOne(scope, day)));
        answers.forEach((answer, j) => {
          if (answer.status === 'fulfilled' && answer.value.ok) reserved.push(group[j]!);
        });
        const failed = answers.find((answer): answer is PromiseRejectedResult => answer.status === 'rejected');
        if (failed) {
          await undo();
          throw failed.reason;
        }
        const refused = answers.findIndex((answer) => answer.status === 'fulfilled' && !answer.value.ok);
        if (refused >= 0) {
          await undo();
          const answer = (answers[refused] as PromiseFulfilledResult<Extract<Awaited<ReturnType<typeof reserveOne>>, { ok: false }>>).value;
          return { ...answer, kind: group[refused]!.kind };
        }
      }
      return { ok: true };
    },

    /** Releases the holders' amounts in the reservation's scopes (those not reserved are skipped). */
    async releaseSpending(held: HeldReservation, holders: string[]): Promise<void> {
      for (let i = 0; i < held.scopes.length; i += PARALLEL_SCOPES) {
        await Promise.all(held.scopes.slice(i, i + PARALLEL_SCOPES).map((scope) => releaseOne(scope, held.day, holders)));
      }
    },
  };
}

export type LimitActivities = ReturnType<typeof createLimitActivities>;
