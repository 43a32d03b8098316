// GET /v1/limits: today's (Asia/Jakarta) spending against the approval policy's daily limits, for a
// requester and a destination. The figures come from the spending-limit workflows' memos, readable
// without a worker; a scope nobody reserved in today has used nothing.
import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import { z } from 'zod';
import { jakartaDay, type ApprovalPolicy } from '../domain/approval-policy';
import { toMoney, type Money } from '../domain/money';
import { maskNumber } from '../domain/payout';
import { canonicalPrincipal } from '../domain/principal';
import { spendingWorkflowId } from '../approvals/scope-id';
import type { SpendingSummary } from '../../workflows/spending-messages';
import type { Principal } from './auth';
import { problems } from './problem';

export const limitsQuerySchema = z.strictObject({
  requester: z.string().trim().min(1).max(200).optional(),
  /** The destination's account number (customer, bank account or virtual account number). */
  destination: z.string().regex(/^\d{4,40}$/, 'an account number: 4 to 40 digits').optional(),
});
export type LimitsQuery = z.infer<typeof limitsQuerySchema>;

export interface ScopeFigures {
  /** null: the policy sets no such limit. */
  limit: Money | null;
  used: Money;
  remaining: Money | null;
}

export interface LimitsView {
  date: string;
  timeZone: 'Asia/Jakarta';
  policy: string;
  requester?: ScopeFigures & { principal: string };
  destination?: ScopeFigures & { accountNumber: string };
}

export interface LimitsServiceDeps {
  client: Client;
  policy: ApprovalPolicy;
  policyId: string;
  scopeKey: Buffer;
  /** The workers' task queue: scopes belong to one deployment (src/approvals/scope-id.ts). */
  taskQueue: string;
  now?: () => Date;
  rpcTimeoutMs?: number;
}

export function createLimitsService(deps: LimitsServiceDeps) {
  const now = deps.now ?? (() => new Date());
  const rpcTimeoutMs = deps.rpcTimeoutMs ?? 10_000;

  async function usedBy(kind: 'requester' | 'destination', subject: string, day: string): Promise<number> {
    const handle = deps.client.workflow.getHandle(spendingWorkflowId(deps.scopeKey, deps.taskQueue, kind, subject, day));
    try {
      const description = await deps.client.connection.withDeadline(Date.now() + rpcTimeoutMs, () => handle.describe());
      return (description.memo?.spending as SpendingSummary | undefined)?.used ?? 0;
    } catch (err) {
      if (err instanceof WorkflowNotFoundError) return 0;
      throw err;
    }
  }

  function figures(limit: number | undefined, used: number): ScopeFigures {
    return { limit: limit === undefined ? null : toMoney(limit), used: toMoney(used), remaining: limit === undefined ? null : toMoney(Math.max(0, limit - used)) };
  }

  /** A requester sees its own figures only; approvers and admins see anyone's. */
  async function read(query: LimitsQuery, caller: Principal): Promise<LimitsView> {
    const decides = caller.roles.includes('approver') || caller.roles.includes('admin');
    const requester = query.requester !== undefined ? canonicalPrincipal(query.requester) : query.destination === undefined ? caller.name : undefined;
    if (!decides) {
      if (requester !== undefined && requester !== caller.name) throw problems.forbidden(`a requester sees its own limits only (${caller.name})`);
      if (query.destination !== undefined) throw problems.forbidden('destination limits are for approvers and admins');
    }
    const day = jakartaDay(now().getTime());
    const limits = deps.policy.limits ?? {};
    const [requesterUsed, destinationUsed] = await Promise.all([
      requester === undefined ? 0 : usedBy('requester', requester, day),
      query.destination === undefined ? 0 : usedBy('destination', query.destination, day),
    ]);
    return {
      date: day,
      timeZone: 'Asia/Jakarta',
      policy: deps.policyId,
      ...(requester !== undefined && { requester: { principal: requester, ...figures(limits.perRequesterPerDay, requesterUsed) } }),
      ...(query.destination !== undefined && { destination: { accountNumber: maskNumber(query.destination), ...figures(limits.perDestinationPerDay, destinationUsed) } }),
    };
  }

  return { read };
}
