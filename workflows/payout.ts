// One payout, one workflow: account inquiry → a human decides before a deadline → (a scheduled
// wait) → funds check → trigger the transfer → poll its status with durable timers until the
// provider gives a final answer. A long pending continues as new, carrying its whole state.
//
// The workflow never names a provider: it hands the provider key to provider-agnostic activities.
// No money moves without an approval; see transfer.ts for how it moves at most once.
import { allHandlersFinished, condition, continueAsNew, makeContinueAsNewFunc, metricMeter, setHandler, workflowInfo } from '@temporalio/workflow';
import { destinationNumber, maskNumber, type Payout } from '../src/domain/payout';
import { amountOutsideLimits, inquiryDocument, newPayoutDocument } from '../src/domain/payout-document';
import { createContext, providerName, type PayoutContext, type PayoutWorkflowInput } from './context';
import { joinBatch, type BatchRowLink } from './batch-row';
import { releaseLimits, termsOf } from './approvals';
import { installDecisionHandlers, type PolicyApproval } from './decisions';
import { allPublished, openOutbox, startPublishing } from './events';
import { checkStatusNowSignal } from './messages';
import { installReconciliationBreakHandler } from './reconciliation-break';
import { ensureFunds, submitAndSettle } from './transfer';

export type { PayoutWorkflowInput } from './context';

/** Callback ids remembered per payout; a provider sends a handful, a replay attack more. */
const MAX_REMEMBERED_CALLBACKS = 200;

export async function payoutWorkflow(input: PayoutWorkflowInput): Promise<Payout> {
  const ctx = createContext(input);
  if (!input.carried) {
    ctx.state.payout = newPayoutDocument(input.request);
    const outbox = openOutbox(ctx.state.payout);
    if (outbox) ctx.state.outbox = outbox;
  }
  startPublishing(ctx.state.outbox);
  const approveByPolicy = installDecisionHandlers(ctx);
  installReconciliationBreakHandler(ctx);
  // A row of a batch: the batch decides for it, and it reports back.
  const row = input.request.batch ? joinBatch(ctx) : undefined;
  const signals = { checkStatusNow: false };
  setHandler(
    checkStatusNowSignal,
    (notice) => {
      if (notice?.callbackId) {
        // A replayed callback (same signature) is a no-op; the memory is carried over continue-as-new.
        const seen = (ctx.state.seenCallbacks ??= []);
        if (seen.includes(notice.callbackId)) return;
        seen.push(notice.callbackId);
        if (seen.length > MAX_REMEMBERED_CALLBACKS) seen.shift();
      }
      signals.checkStatusNow = true;
    },
    { description: 'A provider callback arrived: check the transfer status now (the status check decides, not the callback).' },
  );

  if (!input.carried) {
    if (!(await validateAccount(ctx, row))) return finish(ctx, row);
    if (!(await awaitDecision(ctx, row, approveByPolicy))) return finish(ctx, row);
    if (!(await awaitSchedule(ctx))) return finish(ctx, row);
    // A batch checked the balance for all its rows before approving them.
    if (!row && (await ensureFunds(ctx)) === 'STOPPED') return finish(ctx, row);
  }

  const end = await submitAndSettle(ctx, signals);
  if (end === 'CONTINUE_AS_NEW') {
    // Hand over between messages, never in the middle of one.
    await condition(allHandlersFinished);
    await row?.flush();
    const next = { request: input.request, policy: input.policy, carried: ctx.state };
    if (!ctx.safe()) return continueAsNew<typeof payoutWorkflow>(next);
    // The new run would start with the first run's start memo (a VALIDATING document) and start
    // search attributes: the list, GET without a worker and the status filter would read stale data.
    return makeContinueAsNewFunc<typeof payoutWorkflow>({
      memo: { ...workflowInfo().memo, payout: ctx.state.payout },
      typedSearchAttributes: workflowInfo().typedSearchAttributes,
    })(next);
  }
  if (end === 'MISMATCH') {
    // The provider's record for our reference is not this payout: wait for an admin's resolution.
    ctx.explain(
      `**Needs an operator.** ${ctx.state.payout.attention?.reason ?? ''} The payout is neither succeeded nor failed; ` +
        'an admin resolves it (POST /v1/payouts/{id}/resolve or the signal `resolve`).',
    );
    await condition(ctx.finished);
  }
  return finish(ctx, row);
}

/**
 * Account inquiry: a definitive refusal or an amount outside the account's limits fails the payout.
 * A batch row whose inquiry failed only for a transient reason is UNVERIFIED instead, until its batch
 * asks for another inquiry or decides.
 */
async function validateAccount(ctx: PayoutContext, row: BatchRowLink | undefined): Promise<boolean> {
  const { request, state } = ctx;
  ctx.explain(`Checking the account ${maskNumber(destinationNumber(request.destination))} with ${request.provider}.`);
  const inquiry = await ctx
    .reads('inquiry', `Account inquiry at ${providerName(request.provider)}`)
    .inquireAccount(request.provider, ctx.order)
    .catch((err: unknown) => err as Error);
  if (ctx.cancelled()) return false;
  if (inquiry instanceof Error) {
    const message = `the account inquiry did not succeed: ${rootMessage(inquiry)}`;
    if (row && !state.decided) {
      if (await row.unverified(message)) return validateAccount(ctx, row);
      if (state.decided) return false; // the batch's decision (or a cancel) already set the status
    }
    ctx.fail({ code: 'PROVIDER_UNAVAILABLE', message });
    return false;
  }
  if (inquiry.outcome === 'REFUSED') {
    ctx.fail(inquiry.failure);
    return false;
  }
  state.payout.inquiry = inquiryDocument(inquiry);
  ctx.order.accountName = inquiry.accountName;
  const outsideLimits = amountOutsideLimits(request.amount, inquiry);
  if (outsideLimits) {
    ctx.fail({ code: 'AMOUNT_OUT_OF_RANGE', message: outsideLimits });
    return false;
  }
  return true;
}

/** A human approves, rejects or cancels before the deadline (a durable timer), or it expires. */
async function awaitDecision(ctx: PayoutContext, row: BatchRowLink | undefined, approveByPolicy: PolicyApproval): Promise<boolean> {
  const { request, state } = ctx;
  const deadlineMs = Date.parse(request.createdAt) + request.approvalTimeoutMs;
  state.payout.approvalDeadline = new Date(deadlineMs).toISOString();
  ctx.setStatus('AWAITING_APPROVAL');
  const required = termsOf(request).approvalsRequired;
  ctx.explain(
    row
      ? `**Waiting for batch ${request.batch!.id} to be approved** until ${state.payout.approvalDeadline}.`
      : `**Waiting for ${required === 1 ? 'an approver' : `${required} distinct approvers`}** until ${state.payout.approvalDeadline}.`,
  );
  // Within the policy's auto-approval bounds (fixed at creation): approved now if the limits allow it,
  // else a person decides like for any other payout.
  if (request.terms?.autoApprove && !row && !state.decided) {
    const outcome = await approveByPolicy();
    if (outcome !== 'APPROVED') ctx.explain(`**Not auto-approved:** ${outcome.refused}. Waiting for an approver until ${state.payout.approvalDeadline}.`);
  }
  // A row waits for its batch, which expires it at the deadline; its own timer only ends a row whose batch is gone.
  const waitUntilMs = row ? row.decideByMs() : deadlineMs;
  await condition(() => state.decided, Math.max(1, waitUntilMs - Date.now()), {
    summary: `Approval deadline ${state.payout.approvalDeadline}`,
  });
  // An approval that came before the deadline may still be finishing: it reserves the spending limits
  // (an activity), or its handler's last step runs just after the deadline's timer in the same
  // workflow task. It decides; the deadline only expires a payout nobody decided on.
  if (state.approving) await condition(() => !state.approving);
  if (!state.decided) {
    state.decided = true;
    ctx.setStatus('EXPIRED', 'nobody decided before the approval deadline');
    return false;
  }
  return state.payout.status === 'SCHEDULED' || state.payout.status === 'PROCESSING';
}

/** Approved with a future scheduledAt: a durable timer until then, cancellable until it fires. */
async function awaitSchedule(ctx: PayoutContext): Promise<boolean> {
  const { request, state } = ctx;
  if (state.payout.status !== 'SCHEDULED' || !request.scheduledAt) return true;
  ctx.explain(`**Approved.** The transfer will be submitted at ${request.scheduledAt}.`);
  await condition(ctx.cancelled, Math.max(1, Date.parse(request.scheduledAt) - Date.now()), { summary: `Scheduled for ${request.scheduledAt}` });
  if (ctx.cancelled()) return false;
  ctx.setStatus('PROCESSING', 'scheduled time reached');
  return true;
}

async function finish(ctx: PayoutContext, row?: BatchRowLink): Promise<Payout> {
  ctx.explain(`Finished: **${ctx.state.payout.status}**.`);
  // An approval still reserving (the deadline or a cancel came meanwhile) ends first; then whatever
  // this payout reserved goes back unless its money moved.
  if (ctx.state.approving) await condition(() => !ctx.state.approving);
  if (ctx.state.reservation && ctx.state.payout.status !== 'SUCCEEDED') {
    await releaseLimits(ctx.policy, ctx.state.reservation, [ctx.request.reference]);
    delete ctx.state.reservation;
  }
  // Exported with the worker's SDK metrics (not emitted again when a history is replayed).
  metricMeter
    .createCounter('payout_outcomes', 'payouts', 'Payouts that reached a final status, by provider and status')
    .add(1, { provider: ctx.request.provider, status: ctx.state.payout.status });
  // The last event must be published before the run ends (an ended run's activities are abandoned).
  if (!allPublished(ctx.state.outbox)) await condition(() => allPublished(ctx.state.outbox));
  // And a batch row's last report must have reached its batch.
  await row?.flush();
  return ctx.state.payout;
}

function rootMessage(err: Error): string {
  let current: Error = err;
  while ((current as { cause?: unknown }).cause instanceof Error) current = (current as { cause: Error }).cause;
  return current.message;
}
