// A payout that is a row of a batch: its batch decides for it, and it tells its batch what became of
// it. Nothing here runs for a single payout (request.batch is unset), so histories of single payouts,
// recorded before batches existed, replay unchanged.
import { condition, getExternalWorkflowHandle, log, setHandler } from '@temporalio/workflow';
import { batchWorkflowId, type RowReport, type RowStatus } from '../src/domain/batch';
import { messageTime } from '../src/domain/message-time';
import { parseRupiah } from '../src/domain/money';
import type { PayoutStatus } from '../src/domain/payout';
import { mayTransition } from '../src/domain/status-machine';
import { batchDecisionSignal, batchRowReportSignal, retryInquirySignal, type BatchRowDecision } from './batch-messages';
import type { PayoutContext } from './context';

export type BatchRowLink = ReturnType<typeof joinBatch>;

/** Makes the payout a row of its batch: reports on every status that matters to the batch, takes the batch's decisions. */
export function joinBatch(ctx: PayoutContext) {
  const { request, state } = ctx;
  const membership = request.batch!;
  const batch = getExternalWorkflowHandle(batchWorkflowId(membership.id));
  const inFlight: Promise<void>[] = [];
  let retryAsked = false;

  const report = (status: RowStatus, extra: Omit<RowReport, 'row' | 'status'> = {}) => {
    // The time of the row's status, so the batch stamps what follows from it without its own clock
    // (src/domain/message-time.ts). UNVERIFIED and a retry's VALIDATING are no status change: now.
    const at = status === 'UNVERIFIED' || status === 'VALIDATING' ? ctx.now() : (state.payout.timeline.at(-1)?.at ?? ctx.now());
    const sent = batch
      .signal(batchRowReportSignal, { row: membership.row, status, at, ...extra, ...(state.submitted && { submitted: true }) })
      .catch((err: unknown) => {
        // The batch has ended (it ends only once its rows are final, or after deciding against them).
        log.warn('row report not delivered to its batch', { batch: membership.id, status, error: (err as Error).message });
      });
    inFlight.push(sent);
  };

  ctx.onStatus((status: PayoutStatus) => {
    const payout = state.payout;
    switch (status) {
      case 'AWAITING_APPROVAL':
        return report('READY', payout.inquiry ? { fee: parseRupiah(payout.inquiry.fee.value) } : {});
      case 'FAILED':
        // Refused before any decision: the row is INVALID (a final FAILED payout).
        return report(payout.approval ? 'FAILED' : 'INVALID', payout.failure ? { reason: payout.failure.message } : {});
      case 'CANCELLED':
      case 'REJECTED':
      case 'EXPIRED':
        return report(status, payout.approval?.reason ? { reason: payout.approval.reason } : {});
      case 'NEEDS_ATTENTION':
        return report(status, payout.attention ? { reason: payout.attention.reason } : {});
      case 'SUCCEEDED':
        return report(status);
      default:
        // PROCESSING and SCHEDULED: the batch set them itself when it sent its approval.
        return undefined;
    }
  });

  setHandler(
    batchDecisionSignal,
    (decision: BatchRowDecision) => applyBatchDecision(ctx, decision),
    { description: "The batch's decision for this row (only the batch sends it)." },
  );
  setHandler(
    retryInquirySignal,
    () => {
      retryAsked = true;
    },
    { description: 'Run the account inquiry again (a row whose inquiry failed for a transient reason).' },
  );

  return {
    /**
     * The inquiry failed for a transient reason only: the row is UNVERIFIED until the batch asks for
     * a retry (true) or decides (false). A row whose batch never answers fails at decideBy.
     */
    async unverified(reason: string): Promise<boolean> {
      report('UNVERIFIED', { reason });
      ctx.explain(`**Unverified.** ${reason}. Waiting for batch ${membership.id} to retry the inquiry or to exclude this row.`);
      retryAsked = false;
      const answered = await condition(() => retryAsked || state.decided, Math.max(1, Date.parse(membership.decideBy) - Date.now()));
      if (answered && retryAsked && !state.decided) {
        report('VALIDATING');
        return true;
      }
      return false;
    },
    /** The last reports must leave before the run ends. */
    async flush(): Promise<void> {
      await Promise.all(inFlight);
    },
    /** When the row stops waiting for its batch: the batch's deadline plus a margin. */
    decideByMs: () => Date.parse(membership.decideBy),
  };
}

/** The batch's decision, under the payout's own rules (the status machine; never a cancel once submitted). */
function applyBatchDecision(ctx: PayoutContext, decision: BatchRowDecision): void {
  const { state } = ctx;
  const status = state.payout.status;
  const ignore = (why: string) => log.info('batch decision not applied', { decision: decision.decision, status, why });
  // Stamped with the batch's decision time, not the clock: a query can run this handler with an old clock.
  const at = messageTime(decision.at, state.payout.timeline.at(-1)?.at, ctx.now);
  const decide = (to: PayoutStatus, kind: 'APPROVED' | 'REJECTED' | 'CANCELLED', detail: string) => {
    state.decided = true;
    state.payout.approval = {
      decision: kind,
      by: decision.by,
      at: decision.at,
      ...(decision.comment && { comment: decision.comment }),
      ...(decision.reason && { reason: decision.reason }),
    };
    ctx.setStatus(to, detail, at);
  };
  // Held by this row whatever happens next: its end releases it unless its money moved.
  if (decision.reservation) state.reservation = decision.reservation;
  switch (decision.decision) {
    case 'APPROVE':
      if (status !== 'AWAITING_APPROVAL' || state.decided) return ignore('not awaiting approval');
      return decide('PROCESSING', 'APPROVED', `approved with its batch by ${decision.by}`);
    case 'REJECT':
    case 'EXPIRE':
      if (status === 'AWAITING_APPROVAL' && !state.decided) {
        if (decision.decision === 'REJECT') return decide('REJECTED', 'REJECTED', decision.reason ?? 'batch rejected');
        state.decided = true;
        return ctx.setStatus('EXPIRED', decision.reason ?? 'the batch expired', at);
      }
      // A row still validating cannot be rejected or expire: it is cancelled with the batch.
      if (status === 'VALIDATING') return decide('CANCELLED', 'CANCELLED', decision.reason ?? 'batch ended');
      return ignore('already decided');
    case 'CANCEL':
      if (state.submitted || !mayTransition(status, 'CANCELLED', { mayHaveBeenSent: state.submitted })) return ignore('cannot be cancelled now');
      return decide('CANCELLED', 'CANCELLED', decision.reason ?? 'batch cancelled');
  }
}
