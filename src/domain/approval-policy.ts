// Approval policies: how many distinct people approve a payout of a given amount, which requesters'
// small payouts the policy approves on its own, and how much may be approved per requester and per
// destination in one Jakarta calendar day. Pure: the workflows import it.
//
// A payout carries the terms that applied when it was created (ApprovalTerms), never the policy
// itself: a configuration change affects only payouts created after it.
import { canonicalPrincipal } from './principal';

/** The policy as configured (APPROVAL_POLICY), amounts in whole rupiah. */
export interface ApprovalPolicy {
  /** Ascending by minAmount, the first at 0: the last tier whose minAmount ≤ the amount applies. */
  tiers: { minAmount: number; approvals: number }[];
  autoApprove?: { maxAmount: number; requesters: string[] };
  limits?: SpendingLimits;
}

export interface SpendingLimits {
  perRequesterPerDay?: number;
  perDestinationPerDay?: number;
}

/** Today's behaviour: one approval, no limits, no auto-approval. */
export const DEFAULT_APPROVAL_POLICY: ApprovalPolicy = { tiers: [{ minAmount: 0, approvals: 1 }] };

/** What a payout (or a batch) was created under: fixed for its whole life. */
export interface ApprovalTerms {
  /** A short id of the policy version (a hash of its canonical form). */
  policy: string;
  approvalsRequired: number;
  /** The requester and amount were within auto-approval's bounds when it was created (never for a batch). */
  autoApprove: boolean;
  limits: SpendingLimits;
}

/** The tier, auto-approval and limits that apply to a payout (or a batch: its total, never auto-approved). */
export function termsFor(
  policy: ApprovalPolicy,
  policyId: string,
  subject: { amount: number; requestedBy: string; batch?: boolean },
): ApprovalTerms {
  let approvalsRequired = 1;
  for (const tier of policy.tiers) if (subject.amount >= tier.minAmount) approvalsRequired = tier.approvals;
  const auto = policy.autoApprove;
  const autoApprove =
    !subject.batch &&
    auto !== undefined &&
    subject.amount <= auto.maxAmount &&
    auto.requesters.some((requester) => canonicalPrincipal(requester) === canonicalPrincipal(subject.requestedBy));
  return { policy: policyId, approvalsRequired, autoApprove, limits: { ...policy.limits } };
}

/** The terms of a payout created before approval policies existed: one approval, no limits. */
export const LEGACY_TERMS: ApprovalTerms = { policy: 'none', approvalsRequired: 1, autoApprove: false, limits: {} };

export function hasLimits(limits: SpendingLimits): boolean {
  return limits.perRequesterPerDay !== undefined || limits.perDestinationPerDay !== undefined;
}

// --- days -------------------------------------------------------------------------------------------

/** Asia/Jakarta is UTC+7 all year (no daylight saving). */
const JAKARTA_OFFSET_MS = 7 * 3_600_000;

/** The Jakarta calendar day (YYYY-MM-DD) of an instant. */
export function jakartaDay(atMs: number): string {
  return new Date(atMs + JAKARTA_OFFSET_MS).toISOString().slice(0, 10);
}

/** When a Jakarta calendar day ends, as epoch milliseconds. */
export function jakartaDayEndMs(day: string): number {
  return Date.parse(`${day}T00:00:00.000Z`) - JAKARTA_OFFSET_MS + 86_400_000;
}

// --- spending scopes --------------------------------------------------------------------------------

export type ScopeKind = 'requester' | 'destination';

/** One scope's share of a reservation: who holds how much (a payout, or each row of a batch). */
export interface ScopeReservation {
  kind: ScopeKind;
  /** The requester's principal, or the destination's account number (never in a workflow id: see scopeWorkflowId). */
  subject: string;
  limit: number;
  holds: { holder: string; amount: number }[];
}

/** What a payout (or a batch row) holds: enough to release it again. */
export interface HeldReservation {
  day: string;
  scopes: { kind: ScopeKind; subject: string }[];
}

export type ReserveOutcome =
  | { ok: true }
  | { ok: false; kind: ScopeKind; limit: number; used: number; remaining: number; requested: number };

/** The reservations one approval needs: the payout's amount against each configured limit. */
export function reservationsFor(
  limits: SpendingLimits,
  requester: string,
  rows: readonly { holder: string; amount: number; destination: string }[],
): ScopeReservation[] {
  const scopes: ScopeReservation[] = [];
  if (limits.perRequesterPerDay !== undefined) {
    scopes.push({ kind: 'requester', subject: canonicalPrincipal(requester), limit: limits.perRequesterPerDay, holds: rows.map(({ holder, amount }) => ({ holder, amount })) });
  }
  if (limits.perDestinationPerDay !== undefined) {
    const byDestination = new Map<string, { holder: string; amount: number }[]>();
    for (const { holder, amount, destination } of rows) {
      const holds = byDestination.get(destination) ?? [];
      holds.push({ holder, amount });
      byDestination.set(destination, holds);
    }
    for (const [subject, holds] of byDestination) scopes.push({ kind: 'destination', subject, limit: limits.perDestinationPerDay, holds });
  }
  return scopes;
}
