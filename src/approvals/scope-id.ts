// The workflow id of a spending scope's day. Workflow ids are visible in the Web UI, in visibility
// and in logs, and are never encrypted: an account number (or a person's principal) never appears in
// one. The subject is an HMAC under a key derived from the service's secret, so nobody without the
// key can test account numbers against the ids.
import { createHmac, hkdfSync } from 'node:crypto';
import type { ScopeKind } from '../domain/approval-policy';

/** The HMAC key for scope ids, derived from the master key (WEBHOOK_SECRET_KEY) for this one use. */
export function deriveScopeKey(masterKey: Buffer): Buffer {
  return Buffer.from(hkdfSync('sha256', masterKey, Buffer.alloc(0), 'payouts spending-limit scope ids v1', 32));
}

/**
 * The task queue is part of the scope: deployments (or test stacks) that share a namespace but not a
 * task queue keep separate limits, and a scope's workflow runs on the workers of its own deployment.
 */
export function spendingWorkflowId(scopeKey: Buffer, taskQueue: string, kind: ScopeKind, subject: string, day: string): string {
  const digest = createHmac('sha256', scopeKey).update(`${taskQueue}\n${kind}\n${subject}`).digest('hex').slice(0, 32);
  return `spending-${kind}-${day}-${digest}`;
}
