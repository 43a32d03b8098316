// The human decisions on a payout: approve, reject, cancel. Each exists as an update (the API: the
// caller learns at once whether it took effect) and as a signal (the Temporal UI or CLI); both go
// through the same validator, so four eyes and the state rules cannot be bypassed.
import { ApplicationFailure, log, setHandler } from '@temporalio/workflow';
import { isFinal, type Payout } from '../src/domain/payout';
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
  type ApproveInput,
  type CancelInput,
  type RejectInput,
} from './messages';

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

  const validateApprove = (input: ApproveInput) => {
    requirePrincipal(input);
    requireAwaitingApproval();
    if (input.principal === request.requestedBy) {
      refuse(DecisionRefusal.FOUR_EYES, `${input.principal} requested this payout and cannot approve it`);
    }
  };
  const validateReject = (input: RejectInput) => {
    requirePrincipal(input);
    if (typeof input.reason !== 'string' || input.reason.trim() === '') refuse(DecisionRefusal.INVALID_DECISION, 'a rejection needs a reason');
    requireAwaitingApproval();
  };
  const validateCancel = (input: CancelInput) => {
    requirePrincipal(input);
    if (state.submitted) refuse(DecisionRefusal.ALREADY_SUBMITTED, `payout ${request.reference} was already submitted to the provider`);
    if (isFinal(state.payout.status)) refuse(DecisionRefusal.NOT_AWAITING_APPROVAL, `payout ${request.reference} is already ${state.payout.status}`);
  };

  const approve = (input: ApproveInput): Payout => {
    state.decided = true;
    state.payout.approval = { decision: 'APPROVED', by: input.principal, at: ctx.now(), ...(input.comment && { comment: input.comment }) };
    const waitForSchedule = request.scheduledAt !== undefined && Date.parse(request.scheduledAt) > Date.now();
    ctx.setStatus(waitForSchedule ? 'SCHEDULED' : 'PROCESSING', `approved by ${input.principal}`);
    return state.payout;
  };
  const reject = (input: RejectInput): Payout => {
    state.decided = true;
    state.payout.approval = { decision: 'REJECTED', by: input.principal, at: ctx.now(), reason: input.reason };
    ctx.setStatus('REJECTED', `rejected by ${input.principal}`);
    return state.payout;
  };
  const cancel = (input: CancelInput): Payout => {
    state.decided = true;
    state.payout.approval = { decision: 'CANCELLED', by: input.principal, at: ctx.now(), ...(input.reason && { reason: input.reason }) };
    ctx.setStatus('CANCELLED', `cancelled by ${input.principal}`);
    return state.payout;
  };

  setHandler(getPayoutQuery, () => state.payout, { description: 'The payout document, as the API returns it.' });
  setHandler(approveUpdate, approve, {
    validator: validateApprove,
    description: 'Approve the payout (not by its requester). Answers the payout, now PROCESSING or SCHEDULED.',
  });
  setHandler(rejectUpdate, reject, { validator: validateReject, description: 'Reject the payout: { principal, reason }.' });
  setHandler(cancelUpdate, cancel, { validator: validateCancel, description: 'Cancel the payout before it is submitted.' });

  const asSignal =
    <T>(name: string, validate: (input: T) => void, apply: (input: T) => unknown) =>
    (input: T) => {
      try {
        validate(input);
        apply(input);
      } catch (err) {
        // A signal cannot answer; a refused one is logged and changes nothing.
        log.warn(`${name} signal refused`, { reason: (err as Error).message });
      }
    };
  setHandler(approveSignal, asSignal('approve', validateApprove, approve), {
    description: 'Approve: { principal, comment? }. Same rules as the API (four eyes, only while awaiting approval).',
  });
  setHandler(rejectSignal, asSignal('reject', validateReject, reject), { description: 'Reject: { principal, reason }.' });
  setHandler(cancelSignal, asSignal('cancel', validateCancel, cancel), { description: 'Cancel before submission: { principal, reason? }.' });
}
