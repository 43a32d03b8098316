// A payout told of a reconciliation break (workflows/reconciliation.ts). While it is open (PROCESSING
// or NEEDS_ATTENTION) the break needs an operator: PROCESSING moves to NEEDS_ATTENTION with the
// break as the reason, through the state machine; NEEDS_ATTENTION stays and keeps the break too. The
// payout keeps asking the provider meanwhile: its final answer, or an admin's resolution, ends it
// as for any payout that needs attention. A closed payout ignores the signal (its status is final;
// the break is in the report and the webhook event instead).
import { patched, setHandler } from '@temporalio/workflow';
import type { PayoutContext } from './context';
import { reconciliationBreakSignal } from './reconciliation-messages';

/** The patch that added the handler: a signal an older worker left unhandled replays without effect. */
export const RECONCILIATION_BREAKS = 'reconciliation-breaks';

/** Notices a payout keeps; one run tells a payout at most once per break, and breaks are few. */
const NOTICES_KEPT = 20;

export function installReconciliationBreakHandler(ctx: PayoutContext): void {
  setHandler(
    reconciliationBreakSignal,
    (notice) => {
      if (!patched(RECONCILIATION_BREAKS)) return;
      const { payout } = ctx.state;
      if (payout.status !== 'PROCESSING' && payout.status !== 'NEEDS_ATTENTION') return;
      const notices = (payout.reconciliationBreaks ??= []);
      // Reconciling a day again finds the same break (its detail now says NEEDS_ATTENTION): the payout already knows it.
      if (notices.some((n) => n.kind === notice.kind)) return;
      notices.push({ reconciliation: notice.reconciliation, kind: notice.kind, detail: notice.detail, at: ctx.now() });
      if (notices.length > NOTICES_KEPT) notices.shift();
      const reason = `reconciliation ${notice.reconciliation} found ${notice.kind}: ${notice.detail}`;
      if (payout.status === 'PROCESSING') {
        payout.attention = { reason, since: ctx.now() };
        ctx.setStatus('NEEDS_ATTENTION', reason);
      } else {
        ctx.touch();
      }
      ctx.explain(`**Needs an operator.** ${reason}. The provider is still asked for a final answer; an admin can resolve the payout (POST /v1/payouts/{id}/resolve).`);
    },
    { description: 'A reconciliation run found a break for this payout: an open payout moves to (or stays in) NEEDS_ATTENTION.' },
  );
}
