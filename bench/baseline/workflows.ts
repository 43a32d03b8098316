// The bare baseline: the shape of a payout on Temporal with nothing of ours in it. Four normal
// activities (inquiry, balance, status, trigger), two timers (the approval deadline and the status poll), one
// update (approve) and one signal (the provider's callback), with no-op bodies, no search
// attributes and no memo. What a payout costs above this is what our code costs.
import { condition, defineQuery, defineSignal, defineUpdate, proxyActivities, setHandler } from '@temporalio/workflow';
import type * as activities from './activities';

// The same kinds as a payout's since money-safety-v2: every provider call a normal activity (a local
// one would hold the workflow task, and with it every decision, while it runs).
const { inquiry, balance, status, trigger } = proxyActivities<typeof activities>({ startToCloseTimeout: '10 s' });

export const approveUpdate = defineUpdate<void>('approve');
export const callbackSignal = defineSignal('callback');
export const stageQuery = defineQuery<string>('stage');

export async function baselineWorkflow(pollMs: number): Promise<string> {
  let stage = 'validating';
  let approved = false;
  let calledBack = false;
  setHandler(stageQuery, () => stage);
  setHandler(approveUpdate, () => {
    approved = true;
  });
  setHandler(callbackSignal, () => {
    calledBack = true;
  });
  await inquiry();
  stage = 'awaiting';
  await condition(() => approved, '1 hour');
  stage = 'submitting';
  await balance();
  await trigger();
  stage = 'polling';
  await condition(() => calledBack, pollMs);
  await status();
  return 'done';
}
