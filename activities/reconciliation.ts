// Reconciliation activities (workflows/reconciliation.ts): our side of a day from Temporal
// visibility and the payouts' own documents (their memos: no payout workflow is asked), and the whole
// reconciliation of a provider that keeps a transaction history, in one activity, so that its
// thousands of entries never enter a workflow history.
import { Context } from '@temporalio/activity';
import { ApplicationFailure, WorkflowNotFoundError, type Payload } from '@temporalio/common';
import { decodeMapFromPayloads } from '@temporalio/common/lib/internal-non-workflow';
import type { Client } from '@temporalio/client';
import { parseRupiah } from '../src/domain/money';
import { payoutWorkflowId, type Payout, type ProviderKey } from '../src/domain/payout';
import type { HistoryEntry, ProviderClients, TransferOrder } from '../src/domain/provider-port';
import {
  DEFAULT_MIDNIGHT_WINDOW_MS,
  FASPAY_HISTORY_LIMITS,
  historySpan,
  historyWindows,
  jakartaDayWindow,
  ourRecordOf,
  reconcileFaspay,
  type OurRecord,
  type ProviderReconciliation,
} from '../src/domain/reconciliation';
import type { HistoryMatch } from '../src/providers/faspay/assumptions';
import { getPayoutQuery } from '../workflows/messages';
import { toActivityFailure } from './failures';

export interface ReconciliationDeps {
  /** Reads visibility and the payouts' memos (with the worker's data converter: memos may be encrypted). */
  client: Client;
  /** The payout task queue: only this deployment's payouts are ours (several can share a namespace). */
  taskQueue: string;
  providers: ProviderClients;
}

/** How a provider is reconciled: against its transaction history, or by asking the status of each payout. */
export interface ReconcilableProvider {
  key: ProviderKey;
  method: 'history' | 'status';
}

/** One of our payouts, and what a status question about it needs. */
export interface ReconcilablePayout {
  record: OurRecord;
  order: TransferOrder;
}

export interface PayoutPage {
  payouts: ReconcilablePayout[];
  /** Absent on the last page. */
  nextPageToken?: string;
}

/** Remark tokens looked up as references of payouts not among the day's (a late refund of an older payout). */
const MAX_REMARK_LOOKUPS = 200;

export function createReconciliationActivities(deps: ReconciliationDeps) {
  const { client } = deps;
  const methodOf = (key: ProviderKey): ReconcilableProvider['method'] => (deps.providers[key]?.transactionHistory ? 'history' : 'status');

  /**
   * One page of the provider's payouts that belong to the day: submitted within it (a history
   * provider's also within the midnight margins, whose entries may be booked across midnight), or
   * closed within it after being submitted (a payout that changed that day).
   */
  async function ourPayoutsPage(provider: ProviderKey, date: string, pageSize: number, pageToken?: string): Promise<PayoutPage> {
    const day = jakartaDayWindow(date);
    const margin = methodOf(provider) === 'history' ? DEFAULT_MIDNIGHT_WINDOW_MS : 0;
    const from = day.from.getTime() - margin;
    const to = day.to.getTime() + margin;
    // Values from closed sets (a configured provider key, our task queue, an instant we formatted).
    const query = [
      `WorkflowType = 'payoutWorkflow'`,
      `TaskQueue = '${deps.taskQueue}'`,
      `PayoutProvider = '${provider}'`,
      `(ExecutionStatus = 'Running' OR (ExecutionStatus != 'ContinuedAsNew' AND CloseTime >= '${new Date(from).toISOString()}'))`,
    ].join(' AND ');
    const page = await client.workflowService.listWorkflowExecutions({
      namespace: client.options.namespace,
      query,
      pageSize,
      ...(pageToken && { nextPageToken: Buffer.from(pageToken, 'base64') }),
    });
    const payouts: ReconcilablePayout[] = [];
    for (const execution of page.executions ?? []) {
      const memo = await payoutOf(execution.memo?.fields as Record<string, Payload> | undefined);
      // A closed payout's memo is its final document. An open one's memo is as of its last status
      // change (PROCESSING is entered before the transfer is submitted): ask the payout itself.
      const open = execution.closeTime === undefined || execution.closeTime === null;
      const payout = open && memo ? await livePayout(memo.reference, memo) : memo;
      const submitted = payout?.transfer?.submittedAt === undefined ? NaN : Date.parse(payout.transfer.submittedAt);
      if (!payout || !Number.isFinite(submitted)) continue; // nothing was ever sent: nothing to reconcile
      const closedMs = execution.closeTime ? Number(execution.closeTime.seconds ?? 0) * 1_000 : undefined;
      const submittedInDay = submitted >= from && submitted < to;
      const closedInDay = closedMs !== undefined && closedMs >= day.from.getTime() && closedMs < day.to.getTime();
      if (submittedInDay || closedInDay) payouts.push({ record: ourRecordOf(payout), order: orderOf(payout) });
    }
    const next = page.nextPageToken;
    return { payouts, ...(next && next.length > 0 && { nextPageToken: Buffer.from(next).toString('base64') }) };
  }

  async function payoutOf(fields: Record<string, Payload> | undefined): Promise<Payout | undefined> {
    const memo = await decodeMapFromPayloads(client.options.loadedDataConverter, fields);
    return memo?.payout as Payout | undefined;
  }

  async function livePayout(reference: string, fallback: Payout): Promise<Payout> {
    try {
      return await client.workflow.getHandle(payoutWorkflowId(reference)).query(getPayoutQuery);
    } catch {
      return fallback; // it closed meanwhile, or no worker answered: the memo is the best there is
    }
  }

  /** A payout of this deployment by its reference, as its memo last recorded it; undefined when there is none. */
  async function payoutByReference(reference: string): Promise<Payout | undefined> {
    try {
      const description = await client.workflow.getHandle(payoutWorkflowId(reference)).describe();
      if (description.taskQueue !== deps.taskQueue) return undefined;
      return await payoutOf(description.raw.workflowExecutionInfo?.memo?.fields as Record<string, Payload> | undefined);
    } catch (err) {
      if (err instanceof WorkflowNotFoundError) return undefined;
      throw err;
    }
  }

  return {
    /** The providers this deployment pays through, and how each is reconciled. */
    async reconciliationProviders(): Promise<ReconcilableProvider[]> {
      return Object.keys(deps.providers)
        .sort()
        .map((key) => ({ key, method: methodOf(key) }));
    },

    ourPayoutsPage,

    /**
     * A history provider's whole reconciliation of the day: our payouts (every page), the history
     * over the day and its midnight margins in the provider's allowed windows, and the pure
     * comparison. An entry naming a reference of an older payout (a late refund) brings that payout
     * in, so that it is judged instead of being called unknown.
     */
    async reconcileFromHistory(provider: ProviderKey, date: string, cutoff: string, missingAfterMs?: number): Promise<ProviderReconciliation> {
      const adapter = deps.providers[provider];
      if (!adapter?.transactionHistory) {
        throw ApplicationFailure.nonRetryable(`provider ${provider} has no transaction history on this worker`, 'PROVIDER_NOT_CONFIGURED');
      }
      const ours: OurRecord[] = [];
      let token: string | undefined;
      do {
        const page = await ourPayoutsPage(provider, date, 500, token);
        ours.push(...page.payouts.map((p) => p.record));
        token = page.nextPageToken;
        Context.current().heartbeat({ payouts: ours.length });
      } while (token);

      const span = historySpan(date);
      const windows = historyWindows(span.from, span.to, FASPAY_HISTORY_LIMITS.maxSpanMs, { now: new Date(), maxAgeMs: FASPAY_HISTORY_LIMITS.maxAgeMs });
      if (!windows.ok) throw ApplicationFailure.nonRetryable(windows.error, 'HISTORY_OUT_OF_REACH');
      const history: HistoryEntry[] = [];
      for (const window of windows.windows) {
        try {
          history.push(...(await adapter.transactionHistory(window.from, window.to)));
        } catch (err) {
          throw toActivityFailure(err);
        }
        Context.current().heartbeat({ payouts: ours.length, entries: history.length });
      }

      const historyMatch = (adapter as { assumptions?: { historyMatch?: HistoryMatch } }).assumptions?.historyMatch ?? 'remark';
      const reconcile = () => reconcileFaspay(date, ours, history, { provider, historyMatch, cutoff, ...(missingAfterMs !== undefined && { missingAfterMs }) });
      const first = reconcile();
      if (historyMatch !== 'remark') return first;
      const known = new Set(ours.map((r) => r.reference));
      const tokens = [...new Set(first.breaks.filter((b) => b.kind === 'UNKNOWN_TO_US').flatMap((b) => (b.theirs ?? []).flatMap(remarkTokens)))]
        .filter((t) => !known.has(t))
        .slice(0, MAX_REMARK_LOOKUPS);
      let added = 0;
      for (const token of tokens) {
        const payout = await payoutByReference(token);
        if (payout?.provider === provider && payout.transfer?.submittedAt) {
          ours.push(ourRecordOf(payout));
          added += 1;
        }
      }
      return added > 0 ? reconcile() : first;
    },
  };
}

/** The words of a history record's remark that could be a reference (Faspay joins parts with "_" and spaces). */
function remarkTokens(record: { source: string; entry?: HistoryEntry }): string[] {
  if (record.source !== 'history' || !record.entry) return [];
  return record.entry.remark.split(/[^A-Za-z0-9-]+/).filter((t) => t.length >= 3);
}

function orderOf(payout: Payout): TransferOrder {
  return {
    reference: payout.reference,
    destination: payout.destination,
    amount: parseRupiah(payout.amount.value),
    ...(payout.description !== undefined && { description: payout.description }),
    ...(payout.beneficiaryEmail !== undefined && { beneficiaryEmail: payout.beneficiaryEmail }),
    ...(payout.inquiry && { accountName: payout.inquiry.accountName }),
  };
}

export type ReconciliationActivities = ReturnType<typeof createReconciliationActivities>;
