// The API's side of a reconciliation run (issue 18): check what is asked, start the run's workflow, and
// read runs back: one by id (its result, its live query, or its memo) and a day's runs from visibility.
// Temporal is the store of record; this module holds nothing but the namespace's retention for a minute.
import { randomBytes } from 'node:crypto';
import { WorkflowNotFoundError, type Client, type WorkflowExecutionInfo } from '@temporalio/client';
import { jakartaDay } from '../domain/approval-policy';
import type { ProviderCatalog } from '../domain/provider-port';
import { FASPAY_HISTORY_LIMITS, historySpan, jakartaDayWindow } from '../domain/reconciliation';
import {
  GET_RECONCILIATION_QUERY,
  isReconciliationWorkflowId,
  RECONCILIATION_WORKFLOW_TYPE,
  reconciledDayBefore,
  reconciliationCutoff,
  reconciliationWorkflowId,
  type ReconciliationRequest,
  type ReconciliationRun,
} from '../domain/reconciliation/run';
import { RECONCILIATION_DATE, TEMPORAL_SCHEDULED_START_TIME as SCHEDULED_START_TIME } from '../../workflows/search-attributes';
import { asTemporalProblem } from './payouts';
import { problems } from './problem';
import { LATEST_RUNS, RECONCILIATION_ID_PATTERN, RUNS_PER_DAY, type CreateReconciliationBody } from './reconciliation-schemas';

const DAY_MS = 86_400_000;
/** The provider whose history has an age limit (FASPAY_HISTORY_LIMITS): a run that includes it cannot reach further back. */
const FASPAY = 'faspay';

/** A run as GET /v1/reconciliations lists it: its memo, without the breaks (GET by id has them). */
export type ReconciliationRunSummary = Omit<ReconciliationRun, 'breaks'>;

export interface ReconciliationServiceDeps {
  client: Client;
  /** The API's task queue: runs start on it, and the list shows only its runs (deployments may share a namespace). */
  taskQueue: string;
  providers: Pick<ProviderCatalog, 'known' | 'available'>;
  now?: () => Date;
  /** Upper bound of a call to Temporal (default 10 s). */
  rpcTimeoutMs?: number;
  /** How long GET waits for a worker to answer the live query before it reads the memo (default 2 s). */
  queryTimeoutMs?: number;
  /** How long the namespace's retention is kept before it is asked again (default 1 min). */
  retentionCacheMs?: number;
}

export function createReconciliationService(deps: ReconciliationServiceDeps) {
  const now = deps.now ?? (() => new Date());
  const rpcTimeoutMs = deps.rpcTimeoutMs ?? 10_000;
  const queryTimeoutMs = deps.queryTimeoutMs ?? 2_000;
  const retentionCacheMs = deps.retentionCacheMs ?? 60_000;
  const bounded = <T>(fn: () => Promise<T>, ms = rpcTimeoutMs) => deps.client.connection.withDeadline(Date.now() + ms, fn);
  let retention: { ms: number | undefined; until: number } | undefined;

  /** The namespace's retention in ms (undefined: none), asked at most once a minute. */
  async function retentionMs(): Promise<number | undefined> {
    if (retention && retention.until > Date.now()) return retention.ms;
    const described = await bounded(() => deps.client.workflowService.describeNamespace({ namespace: deps.client.options.namespace })).catch((err: unknown) => {
      throw asTemporalProblem(err);
    });
    const ttl = described.config?.workflowExecutionRetentionTtl;
    const ms = ttl ? Number(ttl.seconds ?? 0) * 1_000 + Math.floor((ttl.nanos ?? 0) / 1e6) : 0;
    retention = { ms: ms > 0 ? ms : undefined, until: Date.now() + retentionCacheMs };
    return retention.ms;
  }

  /**
   * What can be reconciled: a real calendar day, not after today's (Asia/Jakarta), a provider this
   * deployment configures, within Faspay's history age when Faspay is reconciled, and within the
   * namespace's retention. Checks that need no Temporal come first: a client's mistake is a 400 also
   * while Temporal is away.
   */
  async function check(body: CreateReconciliationBody): Promise<void> {
    const invalid = (pointer: string, detail: string) => problems.validation(detail, [{ pointer, detail }]);
    let day;
    try {
      day = jakartaDayWindow(body.date);
    } catch {
      throw invalid('/date', `${body.date} is not a calendar day`);
    }
    const nowMs = now().getTime();
    const today = jakartaDay(nowMs);
    if (body.date > today) throw invalid('/date', `${body.date} is after today (${today}, Asia/Jakarta): a day can be reconciled once it has begun`);
    if (body.provider !== undefined && !deps.providers.available.includes(body.provider)) {
      throw invalid('/provider', `${body.provider} is not configured in this deployment (configured: ${deps.providers.available.join(', ') || 'none'})`);
    }
    const reconciled = body.provider !== undefined ? [body.provider] : deps.providers.available;
    // As the run will ask for it: the day widened by the midnight window, against Faspay's oldest history.
    if (reconciled.includes(FASPAY) && nowMs - historySpan(body.date).from.getTime() > FASPAY_HISTORY_LIMITS.maxAgeMs) {
      const days = Math.floor(FASPAY_HISTORY_LIMITS.maxAgeMs / DAY_MS);
      throw invalid(
        '/date',
        `${body.date} is older than Faspay's transaction history reaches (${days} days)${body.provider === undefined ? '; reconcile another provider alone with `provider`' : ''}`,
      );
    }
    // A payout is gone from Temporal once it has been closed for longer than the retention: a day that
    // began before that may have lost payouts, which would then read as unknown to us.
    const kept = await retentionMs();
    if (kept !== undefined && nowMs - day.from.getTime() > kept) {
      throw invalid(
        '/date',
        `${body.date} is older than the namespace's retention (${describeDuration(kept)}): Temporal no longer has every payout of that day, so the provider's records of them would read as unknown to us`,
      );
    }
  }

  /** Starts a new run (each call is one, with a nonce in its id) and answers its id. */
  async function start(body: CreateReconciliationBody, requestedBy: string): Promise<{ id: string }> {
    await check(body);
    const id = reconciliationWorkflowId(body.date, body.provider, randomBytes(6).toString('hex'));
    const request: ReconciliationRequest = { date: body.date, ...(body.provider !== undefined && { provider: body.provider }), requestedBy, trigger: 'api' };
    const startedAt = now();
    // The memo the list and GET show until the workflow's first task writes its own (no worker yet).
    const memo: ReconciliationRun = {
      id,
      date: body.date,
      ...(body.provider !== undefined && { provider: body.provider }),
      trigger: 'api',
      requestedBy,
      status: 'RUNNING',
      startedAt: startedAt.toISOString(),
      cutoff: cutoffOf(body.date, startedAt),
      providers: [],
      breaks: [],
      flagged: [],
    };
    const covers = body.provider ?? 'every configured provider';
    await bounded(() =>
      deps.client.workflow.start(RECONCILIATION_WORKFLOW_TYPE, {
        taskQueue: deps.taskQueue,
        workflowId: id,
        args: [request],
        workflowIdReusePolicy: 'REJECT_DUPLICATE',
        workflowIdConflictPolicy: 'FAIL',
        typedSearchAttributes: [{ key: RECONCILIATION_DATE, value: body.date }],
        memo: { reconciliation: memo },
        staticSummary: `Reconciliation of ${body.date} (Asia/Jakarta): ${covers}, asked by ${requestedBy}`,
        staticDetails: [`**Reconciliation** of ${body.date}`, `- Providers: ${covers}`, `- Requested by: ${requestedBy}`, `- The day's runs: \`${RECONCILIATION_DATE.name} = "${body.date}"\``].join('\n'),
      }),
    ).catch((err: unknown) => {
      throw asTemporalProblem(err);
    });
    return { id };
  }

  /** A run: a completed workflow's result, a running one's live query (or, with no worker, its memo), a failed one's memo as FAILED. */
  async function get(id: string): Promise<ReconciliationRun> {
    if (!RECONCILIATION_ID_PATTERN.test(id) || !isReconciliationWorkflowId(id)) throw problems.notFound(`no reconciliation run with id ${id.slice(0, 80)}`);
    const handle = deps.client.workflow.getHandle(id);
    let description;
    try {
      description = await bounded(() => handle.describe());
    } catch (err) {
      if (err instanceof WorkflowNotFoundError) throw problems.notFound(`no reconciliation run with id ${id}`);
      throw asTemporalProblem(err);
    }
    if (description.type !== RECONCILIATION_WORKFLOW_TYPE) throw problems.notFound(`no reconciliation run with id ${id}`);
    try {
      if (description.status.name === 'COMPLETED') return withBreaks((await bounded(() => handle.result())) as ReconciliationRun, id);
      if (description.status.name === 'RUNNING') {
        try {
          return withBreaks((await bounded(() => handle.query<ReconciliationRun>(GET_RECONCILIATION_QUERY), queryTimeoutMs)) as ReconciliationRun, id);
        } catch {
          // No worker answered in time: the run as of its last memo.
        }
      }
    } catch (err) {
      throw asTemporalProblem(err);
    }
    return withBreaks(summaryOf(description), id);
  }

  /** A day's runs, newest first (at most RUNS_PER_DAY), or without a date the latest LATEST_RUNS: each from its memo, no worker asked. */
  async function list(query: { date?: string }): Promise<{ items: ReconciliationRunSummary[] }> {
    if (query.date !== undefined) {
      try {
        jakartaDayWindow(query.date);
      } catch {
        throw problems.validation(`${query.date} is not a calendar day`, [{ pointer: '/date', detail: `${query.date} is not a calendar day` }]);
      }
    }
    const clauses = [`WorkflowType = ${quoted(RECONCILIATION_WORKFLOW_TYPE)}`, `TaskQueue = ${quoted(deps.taskQueue)}`, `ExecutionStatus != 'ContinuedAsNew'`];
    if (query.date !== undefined) clauses.push(`${RECONCILIATION_DATE.name} = ${quoted(query.date)}`);
    // Visibility lists open runs first and closed ones by close time: read a page, then order by start.
    const runs: ReconciliationRunSummary[] = [];
    await bounded(async () => {
      for await (const info of deps.client.workflow.list({ query: clauses.join(' AND '), pageSize: RUNS_PER_DAY })) {
        const run = summaryOf(info);
        if (run) runs.push(run);
        if (runs.length >= RUNS_PER_DAY) break;
      }
    }).catch((err: unknown) => {
      throw asTemporalProblem(err);
    });
    runs.sort((a, b) => b.startedAt.localeCompare(a.startedAt) || b.id.localeCompare(a.id));
    return { items: query.date === undefined ? runs.slice(0, LATEST_RUNS) : runs };
  }

  return { start, get, list };
}

export type ReconciliationService = ReturnType<typeof createReconciliationService>;

/** What describe and list both give of an execution. */
type ExecutionFacts = Pick<WorkflowExecutionInfo, 'workflowId' | 'status' | 'startTime' | 'memo' | 'typedSearchAttributes'>;

/** The run as its execution says it, without the breaks: its memo, with FAILED for a run that ended without completing. */
function summaryOf(info: ExecutionFacts): ReconciliationRunSummary {
  const memo = info.memo?.reconciliation as ReconciliationRun | undefined;
  const { breaks: _breaks, ...run } = memo ?? fromExecution(info);
  const status = info.status.name === 'RUNNING' ? run.status : info.status.name === 'COMPLETED' ? 'COMPLETED' : 'FAILED';
  return { ...run, id: info.workflowId, providers: run.providers ?? [], flagged: run.flagged ?? [], status };
}

/**
 * A run without a memo yet (one the Schedule started, before its first workflow task): what the
 * workflow will say of it, from its search attributes and times.
 */
function fromExecution(info: ExecutionFacts): ReconciliationRun {
  const scheduled = info.typedSearchAttributes.get(SCHEDULED_START_TIME);
  const due = scheduled ?? info.startTime;
  const date = info.typedSearchAttributes.get(RECONCILIATION_DATE) ?? reconciledDayBefore(due.getTime());
  return {
    id: info.workflowId,
    date,
    trigger: scheduled !== undefined ? 'schedule' : 'api',
    status: 'RUNNING',
    startedAt: info.startTime.toISOString(),
    cutoff: cutoffOf(date, due),
    providers: [],
    breaks: [],
    flagged: [],
  };
}

/** As the workflow sets it: when the run was due or asked for, but at most a day after the day's end. */
function cutoffOf(date: string, at: Date): string {
  try {
    return reconciliationCutoff(date, at.getTime());
  } catch {
    return at.toISOString(); // not a day (a search attribute set by hand): the time alone
  }
}

function withBreaks(run: ReconciliationRunSummary & { breaks?: ReconciliationRun['breaks'] }, id: string): ReconciliationRun {
  return { ...run, id, providers: run.providers ?? [], flagged: run.flagged ?? [], breaks: run.breaks ?? [] };
}

/** A string literal of a visibility query. */
function quoted(value: string): string {
  return `'${value.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
}

/** "30 days", "1 day", "36 hours". */
function describeDuration(ms: number): string {
  if (ms % DAY_MS === 0) return `${ms / DAY_MS} ${ms === DAY_MS ? 'day' : 'days'}`;
  const hours = Math.round(ms / 3_600_000);
  return `${hours} ${hours === 1 ? 'hour' : 'hours'}`;
}
