// After approval: make sure the money is there, trigger the transfer under the payout's own
// reference, and poll its status with durable timers until the provider gives a final answer.
//
// Money safety: the reference is the provider's idempotency key, so sending the trigger again is
// harmless; a lost or ambiguous trigger leads to a status inquiry, never to FAILED; FAILED only on a
// definitive refusal before money moved, or on a final status for a record that matches our payout.
import { condition, log, workflowInfo } from '@temporalio/workflow';
import { parseRupiah } from '../src/domain/money';
import { recordMismatch } from '../src/domain/payout-document';
import type { TransferStatusResult } from '../src/providers/types';
import type { TriggerOutcome } from '../activities';
import { providerName, type PayoutContext } from './context';
import { balanceRecheckDelay, pollingBudgetSpent, statusPollDelay } from './policy';

type Progress = 'SETTLED' | 'POLL' | 'MISMATCH';
export type TransferEnd = 'SETTLED' | 'CONTINUE_AS_NEW' | 'MISMATCH';

/**
 * Before submitting: is the merchant's balance enough for the gross amount? If not, nothing is sent;
 * the payout stays PROCESSING (still cancellable) and checks again on a backoff, until the limit.
 */
export async function ensureFunds(ctx: PayoutContext): Promise<'OK' | 'STOPPED'> {
  const { state, policy, request } = ctx;
  const needed = state.payout.inquiry ? parseRupiah(state.payout.inquiry.grossAmount.value) : request.amount;
  for (;;) {
    const available = await ctx
      .reads('status', `Balance check at ${providerName(request.provider)}`)
      .checkAvailableBalance(request.provider)
      .catch((err: Error) => {
      // Unknown balance: the provider's own check at the trigger is authoritative, so go on.
        log.warn('balance check failed; submitting anyway', { error: err.message });
        return null;
      });
    if (available === null || available >= needed) return 'OK';
    state.balanceChecks += 1;
    if (state.balanceChecks >= policy.balanceRecheckMaxAttempts) {
      ctx.fail({
        code: 'INSUFFICIENT_BALANCE',
        message: `the merchant balance (${available}) stayed below the gross amount ${needed} after ${state.balanceChecks} checks; nothing was sent`,
      });
      return 'STOPPED';
    }
    const delayMs = balanceRecheckDelay(state.balanceChecks, policy);
    ctx.explain(
      `**Waiting for funds.** The balance at ${request.provider} is ${available}, the payout needs ${needed}. ` +
        `Nothing was sent. Check ${state.balanceChecks + 1} of ${policy.balanceRecheckMaxAttempts} in ${Math.round(delayMs / 1000)} s.`,
    );
    state.payout.updatedAt = ctx.now();
    await condition(ctx.cancelled, delayMs, { summary: `Balance re-check #${state.balanceChecks + 1} in ${Math.round(delayMs / 1000)} s` });
    if (ctx.cancelled()) return 'STOPPED';
  }
}

export async function submitAndSettle(ctx: PayoutContext, signals: { checkStatusNow: boolean }): Promise<TransferEnd> {
  const { state, policy, request, order } = ctx;
  let progress: Progress = 'POLL';
  if (!state.submitted) {
    state.submitted = true;
    state.submittedAtMs = Date.now();
    state.payout.transfer = { submittedAt: ctx.now(), statusChecks: 0 };
    ctx.explain('Submitting the transfer to the provider.');
    progress = await trigger(ctx);
  }
  const transfer = state.payout.transfer!;

  while (progress === 'POLL') {
    if (workflowInfo().continueAsNewSuggested || workflowInfo().historyLength >= policy.maxHistoryEvents) return 'CONTINUE_AS_NEW';
    const delayMs = statusPollDelay(transfer.statusChecks, policy);
    ctx.explain(
      `**Waiting for the provider's final answer.** Submitted at ${transfer.submittedAt}; ` +
        `${transfer.statusChecks} status checks so far; next in ${Math.round(delayMs / 1000)} s or when the provider calls back.`,
    );
    const checkNumber = transfer.statusChecks + 1;
    await condition(() => signals.checkStatusNow, delayMs, { summary: `Status check #${checkNumber} in ${Math.round(delayMs / 1000)} s` });
    signals.checkStatusNow = false;

    const status = await ctx
      .reads('status', `Status check #${checkNumber} at ${providerName(request.provider)}`)
      .checkTransferStatus(request.provider, order, transfer.providerReference)
      .catch((err: unknown) => err as Error);
    transfer.statusChecks += 1;
    transfer.lastCheckedAt = ctx.now();
    state.payout.updatedAt = transfer.lastCheckedAt;

    if (!(status instanceof Error)) {
      if (status.state === 'NOT_FOUND' && state.unconfirmedRefusal) {
        ctx.fail(state.unconfirmedRefusal);
        return 'SETTLED';
      }
      if (status.state === 'NOT_FOUND' && !state.providerHasIt) {
        // Our trigger may never have arrived: send it again under the same reference (the provider
        // refuses a second transfer for one reference, so this cannot pay twice).
        transfer.providerStatus = status.providerStatus;
        progress = await trigger(ctx);
        continue;
      }
      progress = settle(ctx, status);
    }
    if (progress === 'POLL' && state.payout.status === 'PROCESSING' && pollingBudgetSpent(state.submittedAtMs!, Date.now(), policy)) {
      const reason = `no final answer from the provider after ${Math.round(policy.statusPollBudgetMs / 60_000)} min; still asking every ${Math.round(policy.statusPollMaxMs / 1000)} s`;
      state.payout.attention = { reason, since: ctx.now() };
      ctx.setStatus('NEEDS_ATTENTION', reason);
    }
  }
  return progress;
}

async function trigger(ctx: PayoutContext): Promise<Progress> {
  const outcome = await ctx
    .activities('trigger', `Transfer of IDR ${ctx.request.amount} to ${providerName(ctx.request.provider)} under reference ${ctx.request.reference}`)
    .triggerTransfer(ctx.request.provider, ctx.order)
    .catch((err: unknown) => err as Error);
  return applyTrigger(ctx, outcome);
}

function applyTrigger(ctx: PayoutContext, outcome: TriggerOutcome | Error): Progress {
  const { state } = ctx;
  const transfer = state.payout.transfer!;
  if (outcome instanceof Error) {
    // Every attempt failed without a business answer, and some may have arrived. Ask status.
    log.warn('trigger attempts exhausted; asking status by reference', { error: outcome.message });
    return 'POLL';
  }
  switch (outcome.outcome) {
    case 'ACCEPTED':
      state.providerHasIt = true;
      if (outcome.providerReference) transfer.providerReference = outcome.providerReference;
      return settle(ctx, {
        state: outcome.state,
        providerStatus: outcome.providerStatus,
        ...(outcome.failure && { failure: outcome.failure }),
      });
    case 'DUPLICATE_REFERENCE':
      // An earlier attempt of ours arrived: the money is the provider's to move, once. Ask status.
      state.providerHasIt = true;
      return 'POLL';
    case 'UNKNOWN':
      return 'POLL';
    case 'REFUSED':
      if (outcome.attempt === 1) {
        ctx.fail(outcome.failure);
        return 'SETTLED';
      }
      // An earlier, lost attempt may have arrived before this refusal: believe it only if status finds nothing.
      state.unconfirmedRefusal = outcome.failure;
      return 'POLL';
  }
}

function settle(ctx: PayoutContext, status: TransferStatusResult): Progress {
  const { state, request } = ctx;
  const transfer = state.payout.transfer!;
  transfer.providerStatus = status.providerStatus;
  if (status.providerReference) transfer.providerReference = status.providerReference;

  const mismatch = recordMismatch(request, status.recorded);
  if (mismatch) {
    // A reference collision: this record is not our payout, so it can neither succeed nor fail it.
    state.payout.attention = { reason: mismatch, since: ctx.now() };
    ctx.setStatus('NEEDS_ATTENTION', mismatch);
    return 'MISMATCH';
  }
  switch (status.state) {
    case 'SUCCEEDED':
      ctx.setStatus('SUCCEEDED', `provider status ${status.providerStatus.code} ${status.providerStatus.desc}`);
      return 'SETTLED';
    case 'FAILED':
      ctx.fail(
        status.failure ?? {
          code: 'TRANSFER_FAILED',
          message: `the provider reports the transfer as ${status.providerStatus.desc}`,
          providerCode: status.providerStatus.code,
        },
      );
      return 'SETTLED';
    case 'PENDING':
      state.providerHasIt = true;
      return 'POLL';
    case 'NOT_FOUND':
      return 'POLL';
  }
}
