// What the run sees: every API answer (status, timing, and which API instance it went to: the calls
// take the instances in turn), every payout document (from GETs and from decisions' answers), every
// decision and callback, and at the end both simulators' ledgers.
// Everything here only records; the checker judges.
import type { ApiAnswer, BatchDocument, BatchItem, BatchPlan, BatchRecord, BatchSnapshot, CallbackRecord, DecisionRecord, KeyName, LedgerRow, LimitsReading, PayoutDocument, PayoutPlan, PayoutRecord, Provider, Snapshot } from './model';
import { KEYS, keyOf } from './model';
import { destinationNumber } from '../../src/domain/payout';

/** How long the driver waits for any one API answer before it counts as none. */
export const API_ANSWER_TIMEOUT_MS = 30_000;
/**
 * A batch's create, which answers once every row was handed over: the API gives each chunk of 200
 * rows 60 s (src/api/batches.ts sendRows), so the driver waits a little longer for a batch's one chunk.
 */
export const BATCH_CREATE_TIMEOUT_MS = 90_000;

export class Recorder {
  readonly answers: ApiAnswer[] = [];
  readonly payouts = new Map<string, PayoutRecord>();
  private readonly keys = new Map<string, number>();

  /** When an Idempotency-Key was first sent for a payout; undefined (and now remembered) the first time. */
  firstUseOfKey(reference: string, key: string): number | undefined {
    const id = `${reference}|${key}`;
    const first = this.keys.get(id);
    if (first === undefined) this.keys.set(id, Date.now());
    return first;
  }

  /** The API instances, taken in turn, one per call. */
  readonly apiUrls: readonly string[];
  private nextInstance = 0;

  /**
   * `api`: the API instance, or every instance (each call goes to the next one). `apiKeys`: the keys
   * to send instead of the development keys (see keyOf), for this recorder's own reads and for
   * whoever calls `keyOf(recorder, name)`.
   */
  constructor(
    api: string | readonly string[],
    readonly apiKeys?: Readonly<Partial<Record<KeyName, string>>>,
  ) {
    this.apiUrls = typeof api === 'string' ? [api] : [...api];
    if (this.apiUrls.length === 0) throw new Error('the Recorder needs at least one API instance');
  }

  readonly batches = new Map<string, BatchRecord>();

  /** A single payout, or (with batchId) a row of a batch: the batch's requester and schedule are the row's. */
  track(plan: Pick<PayoutPlan, 'reference' | 'provider' | 'amount' | 'destination' | 'requester'>, scheduledAt: string | undefined, batchId?: string): PayoutRecord {
    const record: PayoutRecord = {
      reference: plan.reference,
      ...(batchId !== undefined && { batchId }),
      provider: plan.provider,
      amount: plan.amount,
      destinationNumber: destinationNumber(plan.destination),
      requestedBy: KEYS[plan.requester].principal,
      ...(scheduledAt !== undefined && { scheduledAt }),
      createStatus: 0,
      snapshots: [],
      decisions: [],
      callbacks: [],
    };
    this.payouts.set(plan.reference, record);
    return record;
  }

  /** A batch and its rows (each a payout record with batchId). */
  trackBatch(plan: BatchPlan, scheduledAt: string | undefined): BatchRecord {
    const record: BatchRecord = {
      reference: plan.reference,
      plan: plan.decision,
      requestedBy: KEYS[plan.requester].principal,
      rows: plan.rows.map((r) => r.reference),
      ...(scheduledAt !== undefined && { scheduledAt }),
      createStatus: 0,
      snapshots: [],
      decisions: [],
      listings: [],
    };
    this.batches.set(plan.reference, record);
    for (const row of plan.rows) this.track({ ...row, requester: plan.requester }, scheduledAt, plan.reference);
    return record;
  }

  /** GET /v1/batches/{id}: a batch snapshot when it answers 200. */
  async readBatch(reference: string): Promise<BatchDocument | undefined> {
    const { status, json, sentAt, answeredAt } = await this.call('GET', `/v1/batches/${encodeURIComponent(reference)}`, { key: keyOf(this, 'approver'), route: 'GET /v1/batches/{id}', reference });
    if (status !== 200 || !isDocument(json)) return undefined;
    const doc = json as unknown as BatchDocument;
    this.batchSnapshot(reference, { source: 'get', sentAt, answeredAt, doc });
    return doc;
  }

  /** Every row of a batch (GET /v1/batches/{id}/items, every page), kept as a listing; undefined if a page did not answer 200. */
  async listBatchItems(reference: string): Promise<BatchItem[] | undefined> {
    const items: BatchItem[] = [];
    const startedAt = Date.now();
    let cursor: string | undefined;
    for (let page = 0; page < 100; page += 1) {
      const query = `?limit=200${cursor !== undefined ? `&cursor=${encodeURIComponent(cursor)}` : ''}`;
      const { status, json } = await this.call('GET', `/v1/batches/${encodeURIComponent(reference)}/items${query}`, { key: keyOf(this, 'approver'), route: 'GET /v1/batches/{id}/items', reference });
      if (status !== 200) return undefined;
      const body = json as { items: { row: number; reference: string; status: string; amount: { value: string }; excluded?: boolean; reason?: string }[]; nextCursor: string | null };
      for (const i of body.items) {
        items.push({ row: i.row, reference: i.reference, status: i.status, amount: rupiah(i.amount.value), ...(i.excluded && { excluded: true }), ...(i.reason !== undefined && { reason: i.reason }) });
      }
      if (!body.nextCursor) break;
      cursor = body.nextCursor;
    }
    this.batches.get(reference)?.listings.push({ sentAt: startedAt, answeredAt: Date.now(), items });
    return items;
  }

  /** Records a batch document (only what the checks and the report read; identical GETs in a row kept as first and last). */
  batchSnapshot(reference: string, snapshot: BatchSnapshot): void {
    const record = this.batches.get(reference);
    if (!record) return;
    const kept: BatchSnapshot = { ...snapshot, doc: batchEssentials(snapshot.doc) };
    const latest = this.latestBatch.get(reference);
    if (!latest || kept.answeredAt >= latest.answeredAt) this.latestBatch.set(reference, kept);
    const list = record.snapshots;
    const prev = list[list.length - 1];
    const prevPrev = list[list.length - 2];
    if (kept.source === 'get' && prev?.source === 'get' && prevPrev?.source === 'get' && JSON.stringify(prev.doc) === JSON.stringify(kept.doc) && JSON.stringify(prevPrev.doc) === JSON.stringify(kept.doc)) {
      list[list.length - 1] = kept;
      return;
    }
    list.push(kept);
  }

  private readonly latestBatch = new Map<string, BatchSnapshot>();

  lastBatchStatus(reference: string): string | undefined {
    return this.latestBatch.get(reference)?.doc.status;
  }

  batchDecision(reference: string, record: BatchRecord['decisions'][number]): void {
    this.batches.get(reference)?.decisions.push(record);
  }

  /**
   * One API call, recorded whatever happens. `route` names the route in the report (ids replaced by
   * `{id}`). Answers the status (0 when none came) and the parsed body when it is JSON.
   */
  async call(method: string, path: string, options: { key?: string; body?: string; headers?: Record<string, string>; route: string; reference?: string; timeoutMs?: number }): Promise<{ status: number; json: unknown; sentAt: number; answeredAt: number; instance: string }> {
    const instance = this.apiUrls[this.nextInstance % this.apiUrls.length]!;
    this.nextInstance += 1;
    const sentAt = Date.now();
    const headers: Record<string, string> = { ...(options.headers ?? {}) };
    if (options.key) headers.Authorization = `Bearer ${options.key}`;
    if (options.body !== undefined && !Object.keys(headers).some((h) => h.toLowerCase() === 'content-type')) headers['Content-Type'] = 'application/json';
    try {
      const res = await fetch(`${instance}${path}`, { method, headers, ...(options.body !== undefined && { body: options.body }), signal: AbortSignal.timeout(options.timeoutMs ?? API_ANSWER_TIMEOUT_MS) });
      const text = await res.text();
      const answeredAt = Date.now();
      let json: unknown;
      try {
        json = text ? JSON.parse(text) : undefined;
      } catch {
        json = undefined;
      }
      const problem = res.status >= 500 ? (json as { title?: string; detail?: string } | undefined) : undefined;
      this.answers.push({
        method,
        route: options.route,
        ...(options.reference !== undefined && { reference: options.reference }),
        status: res.status,
        sentAt,
        answeredAt,
        ...(problem && { error: [problem.title, problem.detail].filter(Boolean).join(': ') || text.slice(0, 200) }),
        instance,
      });
      return { status: res.status, json, sentAt, answeredAt, instance };
    } catch (err) {
      const answeredAt = Date.now();
      this.answers.push({ method, route: options.route, ...(options.reference !== undefined && { reference: options.reference }), status: 0, sentAt, answeredAt, error: (err as Error).message, instance });
      return { status: 0, json: undefined, sentAt, answeredAt, instance };
    }
  }

  /** GET /v1/payouts/{id}: a snapshot when it answers 200. */
  async read(reference: string): Promise<PayoutDocument | undefined> {
    const key = keyOf(this, 'approver');
    const { status, json, sentAt, answeredAt } = await this.call('GET', `/v1/payouts/${encodeURIComponent(reference)}`, { key, route: 'GET /v1/payouts/{id}', reference });
    if (status !== 200 || !isDocument(json)) return undefined;
    this.snapshot(reference, { source: 'get', sentAt, answeredAt, doc: json });
    return json;
  }

  /**
   * Records a document. Only what the checks and the report read is kept, and a run of identical
   * documents from GETs is kept as its first and its last (the earliest answer and the latest
   * request, which is all the rules compare), so a long run's memory stays small.
   */
  snapshot(reference: string, snapshot: Snapshot): void {
    const record = this.payouts.get(reference);
    if (!record) return;
    const kept: Snapshot = { ...snapshot, doc: essentials(snapshot.doc) };
    const latest = this.latest.get(reference);
    if (!latest || kept.answeredAt >= latest.answeredAt) this.latest.set(reference, kept);
    const runs = this.runs.get(reference);
    const key = JSON.stringify(kept.doc);
    if (kept.source === 'get' && runs && runs.key === key && runs.first !== runs.last) {
      // A third identical GET: it replaces the run's last one.
      Object.assign(runs.last, kept);
      return;
    }
    record.snapshots.push(kept);
    if (kept.source !== 'get') {
      this.runs.delete(reference);
    } else if (runs && runs.key === key) {
      runs.last = kept;
    } else {
      this.runs.set(reference, { key, first: kept, last: kept });
    }
  }

  private readonly latest = new Map<string, Snapshot>();
  private readonly runs = new Map<string, { key: string; first: Snapshot; last: Snapshot }>();

  decision(reference: string, record: DecisionRecord): void {
    this.payouts.get(reference)?.decisions.push(record);
  }

  callback(reference: string, record: CallbackRecord): void {
    this.payouts.get(reference)?.callbacks.push(record);
  }

  lastStatus(reference: string): string | undefined {
    return this.latest.get(reference)?.doc.status;
  }

  /** Every GET /v1/limits answered 200, in order. */
  readonly limits: LimitsReading[] = [];

  /** GET /v1/limits for one requester or one destination (issue 15), with an approver's key; kept when it answers 200. */
  async readLimits(kind: 'requester' | 'destination', subject: string): Promise<LimitsReading | undefined> {
    const { status, json, sentAt, answeredAt } = await this.call('GET', `/v1/limits?${kind}=${encodeURIComponent(subject)}`, { key: keyOf(this, 'approver'), route: `GET /v1/limits?${kind}` });
    const body = json as { date?: string } & Partial<Record<'requester' | 'destination', { used?: { value: string }; limit?: { value: string } | null; remaining?: { value: string } | null }>> | undefined;
    const figures = body?.[kind];
    if (status !== 200 || typeof body?.date !== 'string' || !figures?.used) return undefined;
    const reading: LimitsReading = {
      kind,
      subject,
      sentAt,
      answeredAt,
      date: body.date,
      used: rupiah(figures.used.value),
      limit: figures.limit ? rupiah(figures.limit.value) : null,
      remaining: figures.remaining ? rupiah(figures.remaining.value) : null,
    };
    this.limits.push(reading);
    return reading;
  }
}

/** The fields of a payout document that the checks and the report read. */
export function essentials(doc: PayoutDocument): PayoutDocument {
  const d = doc as PayoutDocument & { attention?: { reason?: string }; failure?: { code?: string } };
  return {
    ...(d.id !== undefined && { id: d.id }),
    status: d.status,
    ...(d.requestedBy !== undefined && { requestedBy: d.requestedBy }),
    ...(d.scheduledAt !== undefined && { scheduledAt: d.scheduledAt }),
    ...(d.approval !== undefined && { approval: { decision: d.approval.decision, by: d.approval.by, ...(d.approval.at !== undefined && { at: d.approval.at }) } }),
    ...(d.approvalsRequired !== undefined && { approvalsRequired: d.approvalsRequired }),
    ...(d.approvals !== undefined && { approvals: d.approvals.map((a) => ({ by: a.by, ...(a.decision !== undefined && { decision: a.decision }), ...(a.at !== undefined && { at: a.at }) })) }),
    ...(d.policy !== undefined && { policy: d.policy }),
    ...(d.transfer?.submittedAt !== undefined && { transfer: { submittedAt: d.transfer.submittedAt } }),
    ...(d.inquiry?.fee !== undefined && { inquiry: { fee: { value: d.inquiry.fee.value } } }),
    ...(d.attention?.reason !== undefined && { attention: { reason: d.attention.reason } }),
    ...(d.failure?.code !== undefined && { failure: { code: d.failure.code } }),
    timeline: d.timeline.map((e) => ({ status: e.status, at: e.at, ...(e.detail !== undefined && { detail: e.detail }) })),
  };
}

/** The fields of a batch document that the checks and the report read. */
export function batchEssentials(d: BatchDocument): BatchDocument {
  return {
    ...(d.id !== undefined && { id: d.id }),
    status: d.status,
    ...(d.requestedBy !== undefined && { requestedBy: d.requestedBy }),
    ...(d.approvalDeadline !== undefined && { approvalDeadline: d.approvalDeadline }),
    ...(d.itemCount !== undefined && { itemCount: d.itemCount }),
    ...(d.counts !== undefined && { counts: Object.fromEntries(Object.entries(d.counts).filter(([, n]) => n > 0)) }),
    ...(d.ready !== undefined && { ready: { count: d.ready.count, total: { value: d.ready.total.value } } }),
    ...(d.approval !== undefined && {
      approval: {
        decision: d.approval.decision,
        by: d.approval.by,
        ...(d.approval.at !== undefined && { at: d.approval.at }),
        ...(d.approval.count !== undefined && { count: d.approval.count }),
        ...(d.approval.total !== undefined && { total: { value: d.approval.total.value } }),
        ...(d.approval.excludedCount !== undefined && { excludedCount: d.approval.excludedCount }),
      },
    }),
    ...(d.approvalsRequired !== undefined && { approvalsRequired: d.approvalsRequired }),
    ...(d.approvals !== undefined && {
      approvals: d.approvals.map((a) => ({ by: a.by, ...(a.at !== undefined && { at: a.at }), ...(a.excludeReferences !== undefined && { excludeReferences: [...a.excludeReferences].sort() }) })),
    }),
    ...(d.cancellation !== undefined && { cancellation: { by: d.cancellation.by, at: d.cancellation.at, ...(d.cancellation.reason !== undefined && { reason: d.cancellation.reason }) } }),
    timeline: d.timeline.map((e) => ({ status: e.status, at: e.at, ...(e.detail !== undefined && { detail: e.detail }) })),
  };
}

/** "12500.00" → 12500 (whole rupiah). */
export function rupiah(value: string): number {
  return Number(value.replace(/\.00$/, ''));
}

export function isDocument(json: unknown): json is PayoutDocument {
  return typeof json === 'object' && json !== null && typeof (json as PayoutDocument).status === 'string' && Array.isArray((json as PayoutDocument).timeline);
}

/** Both simulators' ledgers, normalised. */
export async function readLedgers(urls: Record<Provider, string>): Promise<LedgerRow[]> {
  const rows: LedgerRow[] = [];
  for (const provider of ['singapay', 'faspay'] as const) {
    const res = await fetch(`${urls[provider]}/__sim/transactions`);
    if (!res.ok) throw new Error(`${provider} ledger: HTTP ${res.status}`);
    for (const raw of (await res.json()) as RawLedgerRow[]) rows.push(normaliseRow(provider, raw));
  }
  return rows;
}

interface RawLedgerRow {
  reference: string;
  amount: { value: string };
  fee?: { value: string };
  destination: { customerNumber?: string; accountNumber?: string; virtualAccountNumber?: string; type?: string };
  status: string;
  triggerCalls: number;
  createdAt: string;
}

export function normaliseRow(provider: Provider, raw: RawLedgerRow): LedgerRow {
  const d = raw.destination;
  const destinationNumber = d.type === 'BANK_ACCOUNT' ? d.accountNumber : d.type === 'VIRTUAL_ACCOUNT' ? d.virtualAccountNumber : d.customerNumber;
  return {
    provider,
    reference: raw.reference,
    amount: Number(raw.amount.value.replace(/\.00$/, '')),
    destinationNumber: destinationNumber ?? '',
    status: raw.status,
    triggerCalls: raw.triggerCalls,
    acceptedAt: Date.parse(raw.createdAt),
    ...(raw.fee !== undefined && { fee: Number(raw.fee.value.replace(/\.00$/, '')) }),
  };
}
