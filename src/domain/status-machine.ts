// The one place that decides which status may follow which. Every status change of a payout goes
// through here; an illegal one is a bug in our code, so it throws, which fails the workflow task
// loudly (Temporal retries the task and shows the error) instead of writing a wrong history.
// Pure: the workflow imports it.
import { isFinal, type PayoutStatus } from './payout';

/** What the machine must know beyond the two statuses. */
export interface TransitionFacts {
  /** The trigger may have reached the provider: from then on nothing can cancel the payout. */
  mayHaveBeenSent: boolean;
}

/** The allowed next statuses. Final statuses have none. */
const NEXT: Readonly<Record<PayoutStatus, readonly PayoutStatus[]>> = {
  VALIDATING: ['AWAITING_APPROVAL', 'FAILED', 'CANCELLED'],
  AWAITING_APPROVAL: ['SCHEDULED', 'PROCESSING', 'REJECTED', 'EXPIRED', 'CANCELLED'],
  SCHEDULED: ['PROCESSING', 'CANCELLED'],
  // CANCELLED only while nothing may have been sent (see mayTransition).
  PROCESSING: ['NEEDS_ATTENTION', 'SUCCEEDED', 'FAILED', 'CANCELLED'],
  // Out of NEEDS_ATTENTION: the provider's final answer, or an admin's resolution.
  NEEDS_ATTENTION: ['SUCCEEDED', 'FAILED'],
  SUCCEEDED: [],
  FAILED: [],
  REJECTED: [],
  EXPIRED: [],
  CANCELLED: [],
};

export function mayTransition(from: PayoutStatus, to: PayoutStatus, facts: TransitionFacts): boolean {
  if (!NEXT[from].includes(to)) return false;
  if (to === 'CANCELLED' && facts.mayHaveBeenSent) return false;
  return true;
}

export class IllegalTransitionError extends Error {
  constructor(
    readonly from: PayoutStatus,
    readonly to: PayoutStatus,
    facts: TransitionFacts,
  ) {
    super(`illegal payout status change ${from} → ${to}${facts.mayHaveBeenSent ? ' (the trigger may have been sent)' : ''}`);
    this.name = 'IllegalTransitionError';
  }
}

/**
 * Whether moving to `to` changes anything: false for the same non-final status again (a no-op);
 * throws for any transition the table does not allow, including leaving or re-entering a final status.
 */
export function checkTransition(from: PayoutStatus, to: PayoutStatus, facts: TransitionFacts): boolean {
  if (from === to && !isFinal(from)) return false;
  if (!mayTransition(from, to, facts)) throw new IllegalTransitionError(from, to, facts);
  return true;
}
