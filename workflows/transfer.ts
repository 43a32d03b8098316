// After approval: make sure the money is there, trigger the transfer under the payout's own
// reference, and poll its status with durable timers until the provider gives a final answer.
//
// Money safety: the reference is the provider's idempotency key, so sending the trigger again is
// harmless; a lost or ambiguous trigger leads to a status inquiry, never to FAILED. FAILED only on a
// refusal that nothing we sent before can have preceded (or that "not found" confirmed for
// refusalConfirmMs), or on a final status for a record that matches our payout. Nothing is sent for
// a reference the provider already knows, and a cancel is decided in the step that sends.
import { condition, log, workflowInfo } from '@temporalio/workflow';
import { parseRupiah } from '../src/domain/money';
import { recordMismatch } from '../src/domain/payout-document';
import type { TransferStatusResult } from '../src/domain/provider-port';
import type { TriggerOutcome } from '../activities';
import { providerName, type PayoutContext } from './context';
import { balanceRecheckDelay, pollingBudgetSpent, refusalConfirmMs, statusPollDelay } from './policy';

type Progress = 'SETTLED' | 'POLL' | 'MISMATCH';
/** STOPPED: cancelled before anything was sent. MISMATCH: waits for an operator (NEEDS_ATTENTION). */
export type TransferEnd = 'SETTLED' | 'CONTINUE_AS_NEW' | 'MISMATCH' | 'STOPPED';

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
    // Cancelled while the balance was read: stop here (the state machine allows nothing else).
    if (ctx.safe() && ctx.cancelled()) return 'STOPPED';
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
    if (ctx.safe()) {
      const check = await checkReferenceIsNew(ctx);
      if (check !== 'NEW') return check;
      // From here to the trigger's scheduling nothing awaits: a cancel handled before this line
      // wins and nothing is sent; one handled after it is refused, because `submitted` is set.
      if (ctx.cancelled()) return 'STOPPED';
    }
    state.submitted = true;
    state.submittedAtMs = Date.now();
    state.payout.transfer = { submittedAt: ctx.now(), statusChecks: 0 };
    ctx.explain('Submitting the transfer to the provider.');
    progress = await trigger(ctx, 'FIRST');
  }
  const transfer = state.payout.transfer!;

  while (progress === 'POLL') {
    if (ctx.finished()) return 'SETTLED'; // resolved by an admin meanwhile
    if (workflowInfo().continueAsNewSuggested || workflowInfo().historyLength >= policy.maxHistoryEvents) return 'CONTINUE_AS_NEW';
    const delayMs = statusPollDelay(transfer.statusChecks, policy);
    ctx.explain(
      `**Waiting for the provider's final answer.** Submitted at ${transfer.submittedAt}; ` +
        `${transfer.statusChecks} status checks so far; next in ${Math.round(delayMs / 1000)} s or when the provider calls back.`,
    );
    const checkNumber = transfer.statusChecks + 1;
    await condition(() => signals.checkStatusNow || ctx.finished(), delayMs, {
      summary: `Status check #${checkNumber} in ${Math.round(delayMs / 1000)} s`,
    });
    signals.checkStatusNow = false;
    if (ctx.finished()) return 'SETTLED';

    const status = await ctx
      .reads('status', `Status check #${checkNumber} at ${providerName(request.provider)}`)
      .checkTransferStatus(request.provider, order, transfer.providerReference)
      .catch((err: unknown) => err as Error);
    transfer.statusChecks += 1;
    transfer.lastCheckedAt = ctx.now();
    state.payout.updatedAt = transfer.lastCheckedAt;
    if (ctx.finished()) return 'SETTLED';

    if (!(status instanceof Error)) {
      progress = ctx.safe() ? await afterStatus(ctx, status) : await afterStatusBeforeMoneySafety(ctx, status);
    }
    if (progress === 'POLL' && state.payout.status === 'PROCESSING' && pollingBudgetSpent(state.submittedAtMs!, Date.now(), policy)) {
      const reason = `no final answer from the provider after ${Math.round(policy.statusPollBudgetMs / 60_000)} min; still asking every ${Math.round(policy.statusPollMaxMs / 1000)} s`;
      state.payout.attention = { reason, since: ctx.now() };
      ctx.setStatus('NEEDS_ATTENTION', reason);
    }
  }
  return progress;
}

/**
 * Before the first trigger: does the provider already know our reference? It can, after Temporal
 * forgot an earlier payout with this reference (retention) while the provider still remembers it.
 * Then nothing is sent and the payout waits for an operator. A failed check is asked again on a
 * backoff (nothing is sent meanwhile, and the payout can still be cancelled).
 */
async function checkReferenceIsNew(ctx: PayoutContext): Promise<'NEW' | 'MISMATCH' | 'STOPPED'> {
  const { state, policy, request, order } = ctx;
  for (let failedChecks = 0; ; failedChecks++) {
    if (ctx.cancelled()) return 'STOPPED';
    const status = await ctx
      .reads('status', `Reference check at ${providerName(request.provider)} before the first trigger`)
      .checkTransferStatus(request.provider, order)
      .catch((err: unknown) => err as Error);
    if (ctx.cancelled()) return 'STOPPED';
    if (!(status instanceof Error)) {
      if (status.state === 'NOT_FOUND') return 'NEW';
      const reason =
        `the provider already has a record for reference ${request.reference} (status ${status.providerStatus.code} ${status.providerStatus.desc}) ` +
        'from before this payout; nothing was sent';
      state.payout.attention = { reason, since: ctx.now() };
      ctx.setStatus('NEEDS_ATTENTION', reason);
      return 'MISMATCH';
    }
    const delayMs = statusPollDelay(failedChecks, policy);
    ctx.explain(`**Checking the reference is new at the provider.** The check failed (${status.message}); nothing was sent. Again in ${Math.round(delayMs / 1000)} s.`);
    await condition(ctx.cancelled, delayMs, { summary: `Reference check again in ${Math.round(delayMs / 1000)} s` });
  }
}

/**
 * A status answer under MONEY_SAFETY. Once the provider confirmed it holds the transfer, neither a
 * refusal nor "not found" can fail the payout: only a final status can. A refusal that may have
 * followed an earlier, arrived send is believed only after "not found" has lasted refusalConfirmMs.
 */
async function afterStatus(ctx: PayoutContext, status: TransferStatusResult): Promise<Progress> {
  const { state, policy } = ctx;
  if (status.state !== 'NOT_FOUND') {
    state.notFoundSinceMs = undefined;
    return settle(ctx, status);
  }
  ctx.state.payout.transfer!.providerStatus = status.providerStatus;
  if (state.providerHasIt) return 'POLL'; // a lagging or glitching status; the provider told us it has it
  if (state.unconfirmedRefusal) {
    state.notFoundSinceMs ??= Date.now();
    if (Date.now() - state.notFoundSinceMs < refusalConfirmMs(policy)) return 'POLL';
    ctx.fail(state.unconfirmedRefusal);
    return 'SETTLED';
  }
  // Our trigger may never have arrived: send it again under the same reference (the provider
  // refuses a second transfer for one reference, so this cannot pay twice).
  return trigger(ctx, 'AGAIN');
}

/** The status rules of histories recorded before MONEY_SAFETY, kept so that they replay. */
async function afterStatusBeforeMoneySafety(ctx: PayoutContext, status: TransferStatusResult): Promise<Progress> {
  const { state } = ctx;
  if (status.state === 'NOT_FOUND' && state.unconfirmedRefusal) {
    ctx.fail(state.unconfirmedRefusal);
    return 'SETTLED';
  }
  if (status.state === 'NOT_FOUND' && !state.providerHasIt) {
    state.payout.transfer!.providerStatus = status.providerStatus;
    return trigger(ctx, 'AGAIN');
  }
  return settle(ctx, status);
}

async function trigger(ctx: PayoutContext, send: 'FIRST' | 'AGAIN'): Promise<Progress> {
  const { state } = ctx;
  if (ctx.safe()) {
    // Unset in a run that began before calls were counted: assume earlier sends then.
    state.triggerCalls = state.triggerCalls === undefined ? (send === 'FIRST' ? 1 : 2) : state.triggerCalls + 1;
  }
  const outcome = await ctx
    .activities('trigger', `Transfer of IDR ${ctx.request.amount} to ${providerName(ctx.request.provider)} under reference ${ctx.request.reference}`)
    .triggerTransfer(ctx.request.provider, ctx.order)
    .catch((err: unknown) => err as Error);
  if (ctx.finished()) return 'SETTLED'; // resolved by an admin while the trigger was out
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
      if (ctx.safe() ? nothingSentBefore(ctx, outcome) : outcome.attempt === 1) {
        ctx.fail(outcome.failure);
        return 'SETTLED';
      }
      // An earlier send may have arrived before this refusal: believe it only if status keeps finding nothing.
      state.unconfirmedRefusal = outcome.failure;
      state.notFoundSinceMs = undefined;
      return 'POLL';
  }
}

/**
 * A refusal is believed at once only when it answered the very first attempt of the very first
 * trigger call, and the provider never told us it holds the transfer: then nothing we sent can
 * have arrived before it. Attempt numbers start again at 1 for each activity call, so the count of
 * calls (carried over continue-as-new) matters as much as the attempt.
 */
function nothingSentBefore(ctx: PayoutContext, outcome: TriggerOutcome): boolean {
  return ctx.state.triggerCalls === 1 && outcome.attempt === 1 && !ctx.state.providerHasIt;
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
      // The provider holds the transfer: a refusal we got was about a re-send, never about the money.
      if (ctx.safe()) state.unconfirmedRefusal = undefined;
      return 'POLL';
    case 'NOT_FOUND':
      return 'POLL';
  }
}
