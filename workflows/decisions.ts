// The human decisions on a payout: approve, reject, cancel, and an admin's resolve. Each exists as
// an update (the API: the caller learns at once whether it took effect) and as a signal (the
// Temporal UI or CLI); both go through the same validator, so four eyes and the state rules cannot
// be bypassed. Principals are compared and recorded in canonical form (trimmed, lower case), and
// every validator asks the status machine, so a decision it accepts can always be applied.
import { ApplicationFailure, condition, setHandler } from '@temporalio/workflow';
import { messageTime } from '../src/domain/message-time';
import { reservationsFor } from '../src/domain/approval-policy';
import { destinationNumber, type Payout, type PayoutStatus } from '../src/domain/payout';
import { canonicalPrincipal, POLICY_PRINCIPAL } from '../src/domain/principal';
import { mayTransition } from '../src/domain/status-machine';
import type { PayoutContext } from './context';
import {
  approveSignal,
  approveUpdate,
  cancelSignal,
  cancelUpdate,
  DecisionRefusal,
  getPayoutQuery,
  rejectSignal,
  rejectUpdate,
  resolveSignal,
  resolveUpdate,
  type ApproveInput,
  type CancelInput,
  type RejectInput,
  type ResolveInput,
} from './messages';
import { reserveLimits, termsOf } from './approvals';
import { asSignal } from './signal-decisions';

/** Approves a payout on the policy's behalf (auto-approval): within the limits, or not at all. */
export type PolicyApproval = () => Promise<'APPROVED' | { refused: string }>;

export function installDecisionHandlers(ctx: PayoutContext): PolicyApproval {
  const { state, request } = ctx;

  const refuse = (type: DecisionRefusal, message: string): never => {
    throw ApplicationFailure.create({ type, message, nonRetryable: true });
  };
  const requirePrincipal = (input: { principal?: unknown } | undefined) => {
    if (!input || typeof input.principal !== 'string' || input.principal.trim() === '') {
      refuse(DecisionRefusal.INVALID_DECISION, 'a decision needs the principal who makes it');
    }
  };
  const requireAwaitingApproval = () => {
    if (state.payout.status !== 'AWAITING_APPROVAL' || state.decided) {
      refuse(DecisionRefusal.NOT_AWAITING_APPROVAL, `payout ${request.reference} is ${state.payout.status}, not awaiting approval`);
    }
  };
  const requireTransition = (to: PayoutStatus, refusal: DecisionRefusal, why: string) => {
    if (!mayTransition(state.payout.status, to, { mayHaveBeenSent: state.submitted })) refuse(refusal, why);
  };
  const requireNotRequester = (input: { principal: string }, what: string) => {
    if (canonicalPrincipal(input.principal) === canonicalPrincipal(request.requestedBy)) {
      refuse(DecisionRefusal.FOUR_EYES, `${canonicalPrincipal(input.principal)} requested this payout and cannot ${what} it`);
    }
  };
  const requireReason = (input: { reason?: unknown }, what: string) => {
    if (typeof input.reason !== 'string' || input.reason.trim() === '') refuse(DecisionRefusal.INVALID_DECISION, `${what} needs a reason`);
  };

  const requireSinglePayout = (what: string) => {
    if (request.batch) refuse(DecisionRefusal.BATCH_ROW, `payout ${request.reference} is a row of batch ${request.batch.id}; ${what} the batch instead`);
  };
  const terms = termsOf(request);
  const validateApprove = (input: ApproveInput) => {
    requirePrincipal(input);
    requireSinglePayout('approve');
    requireAwaitingApproval();
    requireNotRequester(input, 'approve');
    const by = canonicalPrincipal(input.principal);
    // Only the policy itself (autoApprove below) decides under this name; no person may use it.
    if (by === POLICY_PRINCIPAL) refuse(DecisionRefusal.FOUR_EYES, `the principal ${POLICY_PRINCIPAL} is reserved for the approval policy`);
    if ((state.payout.approvals ?? []).some((approval) => approval.by === by)) {
      refuse(DecisionRefusal.ALREADY_APPROVED, `${by} approved payout ${request.reference} already; it needs ${terms.approvalsRequired} distinct approvers`);
    }
  };
  const validateReject = (input: RejectInput) => {
    requirePrincipal(input);
    requireSinglePayout('reject');
    requireReason(input, 'a rejection');
    requireAwaitingApproval();
  };
  const validateCancel = (input: CancelInput) => {
    requirePrincipal(input);
    if (state.submitted) refuse(DecisionRefusal.ALREADY_SUBMITTED, `payout ${request.reference} was already submitted to the provider`);
    requireTransition('CANCELLED', DecisionRefusal.NOT_AWAITING_APPROVAL, `payout ${request.reference} is ${state.payout.status} and cannot be cancelled`);
  };
  const validateResolve = (input: ResolveInput) => {
    requirePrincipal(input);
    if (input.outcome !== 'SUCCEEDED' && input.outcome !== 'FAILED') refuse(DecisionRefusal.INVALID_DECISION, 'the outcome is SUCCEEDED or FAILED');
    requireReason(input, 'a resolution');
    if (state.payout.status !== 'NEEDS_ATTENTION') {
      refuse(DecisionRefusal.NOT_NEEDING_ATTENTION, `payout ${request.reference} is ${state.payout.status}; only a payout that needs attention is resolved`);
    }
    requireNotRequester(input, 'resolve');
    requireTransition(input.outcome, DecisionRefusal.NOT_NEEDING_ATTENTION, `payout ${request.reference} cannot become ${input.outcome}`);
  };

  /**
   * The document as of this decision, copied: updates that arrive together are applied in one
   * workflow task and their answers are sent after it, so an answer holding the live document would
   * show what a later update did (an approval answered with the REJECTED document of the rejection
   * that came with it).
   */
  const answer = (): Payout => JSON.parse(JSON.stringify(state.payout)) as Payout;

  /**
   * One approval. Until the policy's number of distinct approvers is reached it is recorded and the
   * payout keeps waiting; the last one reserves the spending limits (an activity) and decides. Updates
   * are applied one at a time, but the last approval waits for the reservation: another approval that
   * arrives meanwhile waits for it and is judged again on what it left.
   */
  const approve = async (input: ApproveInput, byPolicy = false): Promise<Payout> => {
    const by = byPolicy ? POLICY_PRINCIPAL : canonicalPrincipal(input.principal);
    if (state.approving) {
      await condition(() => !state.approving);
      if (!byPolicy) validateApprove(input);
      else if (state.decided) return answer();
    }
    const approval = { by, at: ctx.now(), ...(input.comment && { comment: input.comment }) };
    const approvals = state.payout.approvals ?? [];
    // The policy's approval is the whole decision; a person's counts towards the tier's number.
    if (!byPolicy && approvals.length + 1 < terms.approvalsRequired) {
      state.payout.approvals = [...approvals, approval];
      ctx.touch();
      ctx.explain(`**Waiting for approvers:** ${approvals.length + 1} of ${terms.approvalsRequired} approved, until ${state.payout.approvalDeadline}.`);
      return answer();
    }
    state.approving = true;
    try {
      const held = await reserveLimits(ctx.policy, terms, reservationsFor(terms.limits, request.requestedBy, [
        { holder: request.reference, amount: request.amount, destination: destinationNumber(request.destination) },
      ]));
      // Kept even if a cancel or the deadline came meanwhile: the payout's end releases it.
      if (held) state.reservation = held;
      requireAwaitingApproval();
      state.decided = true;
      state.payout.approvals = [...(state.payout.approvals ?? []), approval];
      state.payout.approval = { decision: 'APPROVED', by, at: approval.at, ...(approval.comment && { comment: approval.comment }) };
      // Stamped with the approval's time, not the clock after the reservation: a query on a worker
      // with an empty cache can run this continuation with an older task's clock (see batch.ts).
      const decidedAt = messageTime(approval.at, state.payout.timeline.at(-1)?.at, ctx.now);
      const waitForSchedule = request.scheduledAt !== undefined && Date.parse(request.scheduledAt) > Date.parse(decidedAt);
      ctx.setStatus(waitForSchedule ? 'SCHEDULED' : 'PROCESSING', byPolicy ? `approved by the policy ${terms.policy}` : `approved by ${by}`, decidedAt);
      return answer();
    } finally {
      state.approving = false;
    }
  };
  const reject = (input: RejectInput): Payout => {
    const by = canonicalPrincipal(input.principal);
    state.decided = true;
    state.payout.approval = { decision: 'REJECTED', by, at: ctx.now(), reason: input.reason };
    ctx.setStatus('REJECTED', `rejected by ${by}`);
    return answer();
  };
  const cancel = (input: CancelInput): Payout => {
    const by = canonicalPrincipal(input.principal);
    state.decided = true;
    state.payout.approval = { decision: 'CANCELLED', by, at: ctx.now(), ...(input.reason && { reason: input.reason }) };
    ctx.setStatus('CANCELLED', `cancelled by ${by}`);
    return answer();
  };
  const resolve = (input: ResolveInput): Payout => {
    const by = canonicalPrincipal(input.principal);
    const at = ctx.now();
    state.payout.resolution = { outcome: input.outcome, by, at, reason: input.reason };
    if (input.outcome === 'FAILED') {
      ctx.fail({ code: 'RESOLVED_AS_FAILED', message: `resolved as failed by ${by}: ${input.reason}` });
    } else {
      ctx.setStatus('SUCCEEDED', `resolved as succeeded by ${by}: ${input.reason}`);
    }
    return answer();
  };

  setHandler(getPayoutQuery, () => state.payout, { description: 'The payout document, as the API returns it.' });
  setHandler(approveUpdate, (input) => approve(input), {
    validator: validateApprove,
    description: 'Approve the payout (not by its requester). Answers the payout, now PROCESSING or SCHEDULED.',
  });
  setHandler(rejectUpdate, reject, { validator: validateReject, description: 'Reject the payout: { principal, reason }.' });
  setHandler(cancelUpdate, cancel, { validator: validateCancel, description: 'Cancel the payout before it is submitted.' });
  setHandler(resolveUpdate, resolve, {
    validator: validateResolve,
    description: 'End a payout that needs attention: { principal, outcome: SUCCEEDED | FAILED, reason } (an admin, not its requester).',
  });

  setHandler(approveSignal, asSignal('approve', validateApprove, (input) => approve(input)), {
    description: 'Approve: { principal, comment? }. Same rules as the API (four eyes, only while awaiting approval).',
  });
  setHandler(rejectSignal, asSignal('reject', validateReject, reject), { description: 'Reject: { principal, reason }.' });
  setHandler(cancelSignal, asSignal('cancel', validateCancel, cancel), { description: 'Cancel before submission: { principal, reason? }.' });
  setHandler(resolveSignal, asSignal('resolve', validateResolve, resolve), {
    description: 'Resolve a payout that needs attention: { principal, outcome, reason }. Who may send it is decided by Temporal access control.',
  });

  return async () => {
    try {
      await approve({ principal: POLICY_PRINCIPAL, comment: `within the auto-approval bounds of policy ${terms.policy}` }, true);
      return 'APPROVED';
    } catch (err) {
      return { refused: (err as Error).message };
    }
  };
}
