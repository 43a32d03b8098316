// One reconciliation run: our payouts of one Jakarta day against each provider's own records
// (issue 18). Started by the daily Schedule (the day before its scheduled time) or on demand.
//
// - A provider with a transaction history (Faspay) is reconciled in one activity on its task queue:
//   it reads our payouts and the history itself, so that thousands of entries never enter this
//   workflow's history.
// - A provider that answers per reference (Singapay) is asked about each payout as its own status
//   activity on its task queue, where the server holds its rate limit; our payouts come a page at a
//   time and the run continues as new between pages, carrying only the sums so far.
//
// Breaks on open payouts reach them by signal (they move to NEEDS_ATTENTION through their own state
// machine); every break is in the report, counted in `reconciliation_breaks`, and sent to webhook
// endpoints as `reconciliation.break` for payouts that are already closed.
import {
  ApplicationFailure,
  allHandlersFinished,
  condition,
  continueAsNew,
  getExternalWorkflowHandle,
  metricMeter,
  proxyActivities,
  setHandler,
  upsertMemo,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import type { PayoutActivities } from '../activities';
import type { ReconciliationActivities, ReconcilablePayout, ReconcilableProvider } from '../activities/reconciliation';
import type { ProviderKey } from '../src/domain/payout';
import type { TransferStatusResult } from '../src/domain/provider-port';
import { emptyReconciliation, mergeReconciliations } from '../src/domain/reconciliation/merge';
import { buildReport } from '../src/domain/reconciliation/report';
import { reconciledDayBefore, reconciliationCutoff, type ReconciliationRequest, type ReconciliationRun } from '../src/domain/reconciliation/run';
import { reconcileSingapay, SINGAPAY_SUPPORTS } from '../src/domain/reconciliation/singapay';
import { DEFAULT_STATUS_MEANING, RECONCILIATION_BREAK_KINDS, type ProviderBalance, type ProviderReconciliation, type ReconciliationBreak, type ReconciliationBreakKind } from '../src/domain/reconciliation/types';
import { providerTaskQueue } from '../src/domain/task-queues';
import { publishReconciliationBreaks } from './reconciliation-events';
import { getReconciliationQuery, reconciliationBreakSignal } from './reconciliation-messages';
import { RECONCILIATION_DATE, TEMPORAL_SCHEDULED_START_TIME } from './search-attributes';

/** Knobs tests turn (a small page shows continue-as-new with a few payouts). */
export interface ReconciliationTuning {
  /** Payouts per page of a per-reference provider; the run continues as new between pages once its history is long. Default 200. */
  pageSize?: number;
  /** Continue as new past this many history events. Default 2,000. */
  maxHistoryEvents?: number;
  /** One status or balance call at the provider (each attempt; a lost worker's call is retried after it). Default 60 s, as ACTIVITY_TIMEOUT_MS. */
  callTimeoutMs?: number;
  /** A payout without a provider record is missing there once submitted this long before the cut-off. Default 2 h (DEFAULT_MISSING_AFTER_MS). */
  missingAfterMs?: number;
}

/** What a run hands to the next run after continue-as-new. Only sums and positions: never a day's records. */
interface Carried {
  run: ReconciliationRun;
  providers: ReconcilableProvider[];
  /** The provider being reconciled (index into providers). */
  index: number;
  pageToken?: string;
  /** The current provider's sum so far. */
  part?: ProviderReconciliation;
  done: ProviderReconciliation[];
  balances: Record<ProviderKey, ProviderBalance>;
  /** References of the current provider already asked about (a page boundary can show one twice). */
  asked: string[];
}

export type ReconciliationWorkflowInput = ReconciliationRequest & { tuning?: ReconciliationTuning };

/** Status questions in flight at once: the provider's queue has other users (live payouts' polls). */
const STATUS_CHECKS_IN_FLIGHT = 8;
/** Breaks a run returns in full; the counts always cover all of them (a result must stay far below 2 MB). */
const BREAKS_KEPT = 1_000;
/** Open payouts a run lists as flagged (each is also signalled). */
const FLAGGED_KEPT = 1_000;

const reads = proxyActivities<ReconciliationActivities>({
  startToCloseTimeout: '2 minutes',
  retry: { initialInterval: '1 second', maximumInterval: '30 seconds', maximumAttempts: 10 },
});

export async function reconciliationWorkflow(input: ReconciliationWorkflowInput, carried?: Carried): Promise<ReconciliationRun> {
  const tuning = { pageSize: input.tuning?.pageSize ?? 200, maxHistoryEvents: input.tuning?.maxHistoryEvents ?? 2_000 };
  const callMs = input.tuning?.callTimeoutMs ?? 60_000;
  const state: Carried = carried ?? (await begin(input));
  setHandler(getReconciliationQuery, () => state.run);
  const { run } = state;

  for (; state.index < state.providers.length; state.index += 1) {
    const provider = state.providers[state.index]!;
    if (!(provider.key in state.balances)) {
      const balance = await balanceOf(provider.key, callMs);
      if (balance) state.balances[provider.key] = balance;
    }
    if (provider.method === 'history') {
      const part = await onProviderQueue(provider.key, 'Reconcile with the transaction history', 'history')
        .reconcileFromHistory(provider.key, run.date, run.cutoff, input.tuning?.missingAfterMs);
      await tellPayouts(run, part.breaks);
      state.done.push(part);
      continue;
    }
    // Per reference: a page of our payouts, their status answers, then the next page.
    state.part ??= emptyReconciliation(run.date, provider.key, SINGAPAY_SUPPORTS);
    for (;;) {
      const page = await reads.ourPayoutsPage(provider.key, run.date, tuning.pageSize, state.pageToken);
      const asked = new Set(state.asked);
      const fresh = page.payouts.filter((p) => !asked.has(p.record.reference));
      const statuses = await statusesOf(provider.key, fresh, callMs);
      const part = reconcileSingapay(run.date, fresh.map((p) => p.record), statuses, {
        provider: provider.key,
        cutoff: run.cutoff,
        ...(input.tuning?.missingAfterMs !== undefined && { missingAfterMs: input.tuning.missingAfterMs }),
      });
      await tellPayouts(run, part.breaks);
      state.part = mergeReconciliations(state.part, part);
      state.asked.push(...fresh.map((p) => p.record.reference));
      if (page.nextPageToken === undefined) break;
      state.pageToken = page.nextPageToken;
      if (workflowInfo().continueAsNewSuggested || workflowInfo().historyLength >= tuning.maxHistoryEvents) {
        await condition(allHandlersFinished);
        return continueAsNew<typeof reconciliationWorkflow>(input, state);
      }
    }
    state.done.push(state.part);
    delete state.part;
    delete state.pageToken;
    state.asked = [];
  }

  const report = buildReport(run.date, state.done, state.balances);
  countBreaks(report.breaks);
  // The payouts told of their breaks need an operator already; every other break (a closed payout's,
  // a transfer unknown to us, or an open payout that closed before the signal reached it) is an event.
  const told = new Set(run.flagged);
  await publishReconciliationBreaks(run, report.breaks.filter((b) => b.reference === undefined || !told.has(b.reference)));
  run.providers = report.providers;
  run.breaks = report.breaks.slice(0, BREAKS_KEPT);
  if (report.breaks.length > BREAKS_KEPT) run.breaksOmitted = report.breaks.length - BREAKS_KEPT;
  run.breakCounts = countsByKind(report.breaks);
  run.status = 'COMPLETED';
  run.completedAt = new Date().toISOString();
  upsertMemo({ reconciliation: summaryOf(run) });
  await condition(allHandlersFinished);
  return run;
}

/** The first run: which day, which providers, and the cut-off the "missing" rule counts back from. */
async function begin(input: ReconciliationRequest): Promise<Carried> {
  const info = workflowInfo();
  const scheduledAt = info.typedSearchAttributes.get(TEMPORAL_SCHEDULED_START_TIME);
  // A scheduled run reconciles the day before it was due (a catch-up run may start much later);
  // a run started by hand without a date, the day before it started.
  const dueMs = (scheduledAt ?? info.startTime).getTime();
  const date = input.date ?? reconciledDayBefore(dueMs);
  let cutoff;
  try {
    cutoff = reconciliationCutoff(date, dueMs);
  } catch (err) {
    throw ApplicationFailure.nonRetryable(`cannot reconcile ${JSON.stringify(date)}: ${(err as Error).message}`, 'INVALID_RECONCILIATION');
  }
  if (info.typedSearchAttributes.get(RECONCILIATION_DATE) !== date) upsertSearchAttributes([{ key: RECONCILIATION_DATE, value: date }]);
  const configured = await reads.reconciliationProviders();
  const providers = input.provider ? configured.filter((p) => p.key === input.provider) : configured;
  if (input.provider && providers.length === 0) {
    throw ApplicationFailure.nonRetryable(`provider ${input.provider} is not configured on this deployment`, 'INVALID_RECONCILIATION');
  }
  const run: ReconciliationRun = {
    id: info.workflowId,
    date,
    ...(input.provider && { provider: input.provider }),
    trigger: input.trigger ?? 'api',
    ...(input.requestedBy && { requestedBy: input.requestedBy }),
    status: 'RUNNING',
    startedAt: info.startTime.toISOString(),
    cutoff,
    providers: [],
    breaks: [],
    flagged: [],
  };
  upsertMemo({ reconciliation: summaryOf(run) });
  return { run, providers, index: 0, done: [], balances: {}, asked: [] };
}

/** Provider calls on the provider's task queue, where the server holds its rate limit. */
function onProviderQueue(provider: ProviderKey, summary: string, timeout: { callMs: number } | 'history') {
  return proxyActivities<ReconciliationActivities & PayoutActivities>({
    taskQueue: providerTaskQueue(workflowInfo().taskQueue, provider),
    // The history activity reads many pages and heartbeats after each; a call is one request.
    ...(timeout === 'history' ? { startToCloseTimeout: '10 minutes', heartbeatTimeout: '1 minute' } : { startToCloseTimeout: timeout.callMs }),
    retry: { initialInterval: '1 second', maximumInterval: '30 seconds', maximumAttempts: 10 },
    summary,
  });
}

/** The provider's balance at the time of the run; a provider without a balance call (or not answering) has none in the report. */
async function balanceOf(provider: ProviderKey, callMs: number): Promise<ProviderBalance | undefined> {
  const available = await onProviderQueue(provider, 'Balance for the reconciliation', { callMs })
    .checkAvailableBalance(provider)
    .catch(() => null);
  return available === null ? undefined : { available, at: new Date().toISOString() };
}

/** The provider's answer for each payout, a few at a time; one that never answers is left out (pending in the report). */
async function statusesOf(provider: ProviderKey, payouts: readonly ReconcilablePayout[], callMs: number): Promise<Map<string, TransferStatusResult>> {
  const statuses = new Map<string, TransferStatusResult>();
  const activities = onProviderQueue(provider, 'Status for the reconciliation', { callMs });
  let next = 0;
  const lane = async () => {
    while (next < payouts.length) {
      const payout = payouts[next++]!;
      const result = await activities.checkTransferStatus(provider, payout.order, payout.record.providerReference).catch(() => undefined);
      if (result) statuses.set(payout.record.reference, result);
    }
  };
  await Promise.all(Array.from({ length: Math.min(STATUS_CHECKS_IN_FLIGHT, payouts.length) }, lane));
  return statuses;
}

/** A break on a payout that is still open reaches it: the payout moves to (or stays in) NEEDS_ATTENTION. */
function flaggable(b: ReconciliationBreak): boolean {
  return b.reference !== undefined && b.ours !== undefined && (DEFAULT_STATUS_MEANING.open as readonly string[]).includes(b.ours.status);
}

async function tellPayouts(run: ReconciliationRun, breaks: readonly ReconciliationBreak[]): Promise<void> {
  for (const b of breaks.filter(flaggable)) {
    try {
      await getExternalWorkflowHandle(`payout-${b.reference!}`).signal(reconciliationBreakSignal, { reconciliation: run.id, kind: b.kind, detail: b.detail });
      if (!run.flagged.includes(b.reference!) && run.flagged.length < FLAGGED_KEPT) run.flagged.push(b.reference!);
    } catch {
      // The payout closed meanwhile: the break stays in the report (and goes to webhooks below as a closed payout's).
    }
  }
}

function countsByKind(breaks: readonly ReconciliationBreak[]): Record<ReconciliationBreakKind, number> {
  const counts = Object.fromEntries(RECONCILIATION_BREAK_KINDS.map((k) => [k, 0])) as Record<ReconciliationBreakKind, number>;
  for (const b of breaks) counts[b.kind] += 1;
  return counts;
}

/** Exported with the worker's SDK metrics (not emitted again when a history is replayed). */
function countBreaks(breaks: readonly ReconciliationBreak[]): void {
  const counter = metricMeter.createCounter('reconciliation_breaks', 'breaks', 'Breaks reconciliation runs found, by kind and provider');
  for (const b of breaks) counter.add(1, { kind: b.kind, provider: b.provider });
}

/** The memo: the run without its breaks (the API lists runs from visibility, without a worker). */
function summaryOf(run: ReconciliationRun): ReconciliationRun {
  return { ...run, breaks: [] };
}
