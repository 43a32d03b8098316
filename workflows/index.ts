// The worker bundles this file: named exports of workflow functions only.
export { payoutWorkflow } from './payout';
