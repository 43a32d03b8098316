// The worker bundles this file: named exports of workflow functions only.
export { payoutWorkflow } from './payout';
export { webhookEndpointsWorkflow } from './webhook-endpoints';
export { webhookDeliveryWorkflow } from './webhook-delivery';
export { batchWorkflow } from './batch';
export { spendingLimitWorkflow } from './spending-limit';
export { reconciliationWorkflow } from './reconciliation';
