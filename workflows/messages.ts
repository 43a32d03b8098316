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

export const approveSignal = defineSignal<[ApproveInput]>('approve');
export const rejectSignal = defineSignal<[RejectInput]>('reject');
export const cancelSignal = defineSignal<[CancelInput]>('cancel');
/** A provider callback arrived: check the transfer's status now instead of at the next poll. */
export const checkStatusNowSignal = defineSignal('checkStatusNow');

export const approveUpdate = defineUpdate<Payout, [ApproveInput]>('approvePayout');
export const rejectUpdate = defineUpdate<Payout, [RejectInput]>('rejectPayout');
export const cancelUpdate = defineUpdate<Payout, [CancelInput]>('cancelPayout');

export const getPayoutQuery = defineQuery<Payout>('getPayout');

/** Failure types the update validators throw; the API maps them to HTTP statuses. */
export const DecisionRefusal = {
  NOT_AWAITING_APPROVAL: 'NOT_AWAITING_APPROVAL',
  FOUR_EYES: 'FOUR_EYES',
  ALREADY_SUBMITTED: 'ALREADY_SUBMITTED',
  INVALID_DECISION: 'INVALID_DECISION',
} as const;
export type DecisionRefusal = (typeof DecisionRefusal)[keyof typeof DecisionRefusal];
