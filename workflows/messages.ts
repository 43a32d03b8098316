// The payout workflow's messages. Approve and reject exist twice on purpose: as updates (the API
// uses them and learns at once whether the decision took effect) and as plain signals named
// `approve` and `reject` (an operator can send them from the Temporal UI or CLI). Both go through
// the same rules in the workflow.
import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type { Payout } from '../src/domain/payout';

export interface ApproveInput {
  /** Who decides; never the principal who requested the payout (four eyes). */
  principal: string;
  comment?: string;
}

export interface RejectInput {
  principal: string;
  reason: string;
}

export interface CancelInput {
  principal: string;
  reason?: string;
}

export interface ResolveInput {
  /** An admin, never the payout's requester. */
  principal: string;
  outcome: 'SUCCEEDED' | 'FAILED';
  reason: string;
}

/**
 * What a provider callback tells the workflow: an id of that exact callback (a hash of its
 * signature), so a replayed callback is recognised and changes nothing. Optional: signals sent
 * before callbacks carried an id have no argument.
 */
export interface CallbackNotice {
  callbackId: string;
}

export const approveSignal = defineSignal<[ApproveInput]>('approve');
export const rejectSignal = defineSignal<[RejectInput]>('reject');
export const cancelSignal = defineSignal<[CancelInput]>('cancel');
/** A provider callback arrived: check the transfer's status now instead of at the next poll. */
export const checkStatusNowSignal = defineSignal<[CallbackNotice?]>('checkStatusNow');
/** An admin ends a payout that needs attention (the same as the update, for the Temporal UI or CLI). */
export const resolveSignal = defineSignal<[ResolveInput]>('resolve');

export const approveUpdate = defineUpdate<Payout, [ApproveInput]>('approvePayout');
export const rejectUpdate = defineUpdate<Payout, [RejectInput]>('rejectPayout');
export const cancelUpdate = defineUpdate<Payout, [CancelInput]>('cancelPayout');
export const resolveUpdate = defineUpdate<Payout, [ResolveInput]>('resolvePayout');

export const getPayoutQuery = defineQuery<Payout>('getPayout');

/** Failure types the update validators throw; the API maps them to HTTP statuses. */
export const DecisionRefusal = {
  NOT_AWAITING_APPROVAL: 'NOT_AWAITING_APPROVAL',
  FOUR_EYES: 'FOUR_EYES',
  ALREADY_SUBMITTED: 'ALREADY_SUBMITTED',
  INVALID_DECISION: 'INVALID_DECISION',
  NOT_NEEDING_ATTENTION: 'NOT_NEEDING_ATTENTION',
  /** A row of a batch is approved or rejected with its batch, never on its own. */
  BATCH_ROW: 'BATCH_ROW',
  /** The same person approved already (the policy asks for distinct approvers). */
  ALREADY_APPROVED: 'ALREADY_APPROVED',
  /** Approving would take a spending limit over; the failure's details say what remains. */
  LIMIT_EXCEEDED: 'LIMIT_EXCEEDED',
  /** The spending limits could not be reached: nothing was approved; try again. */
  LIMITS_UNAVAILABLE: 'LIMITS_UNAVAILABLE',
} as const;
export type DecisionRefusal = (typeof DecisionRefusal)[keyof typeof DecisionRefusal];
