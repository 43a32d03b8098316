// The human decisions on a payout: approve, reject, cancel, and an admin's resolve. Each exists as
// an update (the API: the caller learns at once whether it took effect) and as a signal (the
// Temporal UI or CLI); both go through the same validator, so four eyes and the state rules cannot
// be bypassed. Principals are compared and recorded in canonical form (trimmed, lower case), and
// every validator asks the status machine, so a decision it accepts can always be applied.
import { ApplicationFailure, setHandler } from '@temporalio/workflow';
import type { Payout, PayoutStatus } from '../src/domain/payout';
import { canonicalPrincipal } from '../src/domain/principal';
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
import { asSignal } from './signal-decisions';

export function installDecisionHandlers(ctx: PayoutContext): void {
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
  const validateApprove = (input: ApproveInput) => {
    requirePrincipal(input);
    requireSinglePayout('approve');
    requireAwaitingApproval();
    requireNotRequester(input, 'approve');
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

  const approve = (input: ApproveInput): Payout => {
    const by = canonicalPrincipal(input.principal);
    state.decided = true;
    state.payout.approval = { decision: 'APPROVED', by, at: ctx.now(), ...(input.comment && { comment: input.comment }) };
    const waitForSchedule = request.scheduledAt !== undefined && Date.parse(request.scheduledAt) > Date.now();
    ctx.setStatus(waitForSchedule ? 'SCHEDULED' : 'PROCESSING', `approved by ${by}`);
    return state.payout;
  };
  const reject = (input: RejectInput): Payout => {
    const by = canonicalPrincipal(input.principal);
    state.decided = true;
    state.payout.approval = { decision: 'REJECTED', by, at: ctx.now(), reason: input.reason };
    ctx.setStatus('REJECTED', `rejected by ${by}`);
    return state.payout;
  };
  const cancel = (input: CancelInput): Payout => {
    const by = canonicalPrincipal(input.principal);
    state.decided = true;
    state.payout.approval = { decision: 'CANCELLED', by, at: ctx.now(), ...(input.reason && { reason: input.reason }) };
    ctx.setStatus('CANCELLED', `cancelled by ${by}`);
    return state.payout;
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
    return state.payout;
  };

  setHandler(getPayoutQuery, () => state.payout, { description: 'The payout document, as the API returns it.' });
  setHandler(approveUpdate, approve, {
    validator: validateApprove,
    description: 'Approve the payout (not by its requester). Answers the payout, now PROCESSING or SCHEDULED.',
  });
  setHandler(rejectUpdate, reject, { validator: validateReject, description: 'Reject the payout: { principal, reason }.' });
  setHandler(cancelUpdate, cancel, { validator: validateCancel, description: 'Cancel the payout before it is submitted.' });
  setHandler(resolveUpdate, resolve, {
    validator: validateResolve,
    description: 'End a payout that needs attention: { principal, outcome: SUCCEEDED | FAILED, reason } (an admin, not its requester).',
  });

  setHandler(approveSignal, asSignal('approve', validateApprove, approve), {
    description: 'Approve: { principal, comment? }. Same rules as the API (four eyes, only while awaiting approval).',
  });
  setHandler(rejectSignal, asSignal('reject', validateReject, reject), { description: 'Reject: { principal, reason }.' });
  setHandler(cancelSignal, asSignal('cancel', validateCancel, cancel), { description: 'Cancel before submission: { principal, reason? }.' });
  setHandler(resolveSignal, asSignal('resolve', validateResolve, resolve), {
    description: 'Resolve a payout that needs attention: { principal, outcome, reason }. Who may send it is decided by Temporal access control.',
  });
}
