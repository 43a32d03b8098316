// A batch's script in a chaos run (docs/batches.md): create it with its rows, wait for the rows'
// inquiries, and make its one decision as the plan says — approve with the exact total and count read
// from the API (some READY rows excluded, UNVERIFIED ones retried or excluded), approve and cancel
// while rows are paid, reject, cancel before any approval, or let it expire — with the attacks around
// it: a wrong total or count first (409, nothing may change), a row approved on its own (409 through
// the API, dropped as a signal), the requester approving (403). Every answer goes to the Recorder.
import { limitRefusalOf, settleTransfer, type ActionContext } from './actions';
import { isFinalBatch } from './checker';
import { KEYS, keyOf, type BatchDecisionRecord, type BatchDocument, type BatchItem, type BatchPlan, type BatchRecord, type KeyName } from './model';
import { BATCH_CREATE_TIMEOUT_MS, isDocument } from './observe';

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, Math.max(0, ms)));
const is2xx = (status: number) => status >= 200 && status < 300;

export function createBatchBody(plan: BatchPlan, scheduledAt: string | undefined): string {
  return JSON.stringify({
    reference: plan.reference,
    description: `Chaos batch ${plan.index}`,
    approvalTimeout: `PT${Math.round(plan.approvalTimeoutMs / 1_000)}S`,
    ...(scheduledAt !== undefined && { scheduledAt }),
    items: plan.rows.map((r) => ({
      reference: r.reference,
      destination: r.destination,
      amount: { value: `${r.amount}.00`, currency: 'IDR' },
      description: `Chaos batch ${plan.index} row ${r.row}`,
      ...(r.explicitProvider && { provider: r.provider }),
    })),
  });
}

const isBatchDocument = (json: unknown): json is BatchDocument => isDocument(json);

/**
 * The batch's script. `onApproved` runs once the approval answered 2xx (the driver starts the kills
 * planned during this batch from it); the script ends when its decision and everything after it
 * (settlements, the cancel midway, the kill's start) is done, or, for `expire`, after the deadline.
 */
export async function runBatch(ctx: ActionContext, plan: BatchPlan, onApproved: (plan: BatchPlan) => Promise<void>): Promise<void> {
  const createdAt = Date.now();
  await script(ctx, plan, onApproved, createdAt);
  // A batch whose decision did not take (an approval refused, a create that never answered) expires at
  // its deadline: like a single payout's script, this one lasts until then, so that the faults stop
  // after it and the settle rules judge it as they judge payouts.
  const status = ctx.recorder.lastBatchStatus(plan.reference);
  if (status === undefined || status === 'VALIDATING' || status === 'AWAITING_APPROVAL') await sleep(createdAt + plan.approvalTimeoutMs + 1_000 - Date.now());
}

async function script(ctx: ActionContext, plan: BatchPlan, onApproved: (plan: BatchPlan) => Promise<void>, createdAt: number): Promise<void> {
  const scheduledAt = plan.scheduledInMs !== undefined ? new Date(createdAt + plan.scheduledInMs).toISOString() : undefined;
  const record = ctx.recorder.trackBatch(plan, scheduledAt);
  const created = await createBatch(ctx, plan, record, scheduledAt);
  if (!is2xx(created)) {
    ctx.log(`batch ${plan.reference}: create answered ${created}; nothing more for it`);
    return;
  }
  const ref = plan.reference;
  const deadline = createdAt + plan.approvalTimeoutMs;

  if (plan.decision === 'cancel' && plan.cancelWhile === 'VALIDATING') {
    await decide(ctx, plan, 'cancel', plan.requester, { reason: 'chaos: cancelled while its rows validate' }, 'primary', { key: `cancel-${ref}` });
    return;
  }

  // The rows' inquiries: the batch awaits approval once every row is READY, INVALID or UNVERIFIED.
  let doc = await waitForBatch(ctx, ref, (d) => d.status !== 'VALIDATING', deadline + 2_000);
  if (doc?.status !== 'AWAITING_APPROVAL') {
    ctx.log(`batch ${ref} is ${doc?.status ?? 'unread'}, not AWAITING_APPROVAL, ${Date.now() - createdAt} ms after its create`);
    if (plan.decision === 'expire') await sleep(deadline + 1_000 - Date.now());
    return;
  }
  if ((doc.counts?.UNVERIFIED ?? 0) > 0 && plan.retryUnverified) {
    await decide(ctx, plan, 'retry', plan.requester, {}, 'retry-unverified', { key: `retry-${ref}` });
    doc = (await waitForBatch(ctx, ref, (d) => (d.counts?.VALIDATING ?? 0) === 0 || isFinalBatch(d.status), deadline)) ?? doc;
  }

  const items = await ctx.recorder.listBatchItems(ref);
  if (plan.rowAlone) await approveRowAlone(ctx, plan, record, items);

  switch (plan.decision) {
    case 'expire':
      // Nobody decides: the batch expires at its deadline, and so does every open row.
      await sleep(deadline + 1_000 - Date.now());
      return;
    case 'reject':
      if (plan.requesterApproves) await approve(ctx, plan, items, 'four-eyes', plan.requester);
      await decide(ctx, plan, 'reject', plan.approver, { reason: 'chaos: rejected' }, 'primary', { key: `reject-${ref}` });
      return;
    case 'cancel':
      await decide(ctx, plan, 'cancel', plan.requester, { reason: 'chaos: cancelled before any approval' }, 'primary', { key: `cancel-${ref}` });
      return;
    default:
      break;
  }

  if (plan.requesterApproves) await approve(ctx, plan, items, 'four-eyes', plan.requester);
  if (plan.wrongFiguresFirst) {
    await approve(ctx, plan, items, 'wrong-figures', plan.approver, plan.wrongFiguresFirst);
    // What the refusal left: a read after it (the checker compares it with the batch before).
    await ctx.recorder.readBatch(ref);
  }
  const approvedAt = await approveForReal(ctx, plan, items);
  if (approvedAt === undefined) return;

  const after: Promise<void>[] = [onApproved(plan)];
  for (const row of plan.rows) {
    if (row.settle) after.push(sleep(approvedAt + row.settle.afterApprovalMs - Date.now()).then(() => settleTransfer(ctx, row.provider, row.reference, row.settle!.status)));
  }
  if (plan.decision === 'approve-cancel') {
    after.push(
      sleep(approvedAt + (plan.cancelAfterMs ?? 0) - Date.now()).then(async () => {
        await decide(ctx, plan, 'cancel', plan.requester === 'admin' ? 'admin' : plan.index % 2 === 0 ? 'requester' : 'admin', { reason: 'chaos: cancelled while its rows are paid' }, 'cancel-midway', {
          key: `cancel-${ref}`,
        });
      }),
    );
  }
  await Promise.all(after.map((p) => p.catch((err: Error) => ctx.log(`batch ${ref}: ${err.message}`))));
}

/** POST /v1/batches; after a 503 or no answer, the same body again (idempotent by reference: 200, and rows not handed over yet are). */
async function createBatch(ctx: ActionContext, plan: BatchPlan, record: BatchRecord, scheduledAt: string | undefined): Promise<number> {
  let status = 0;
  for (let attempt = 1; attempt <= 6; attempt += 1) {
    const answer = await ctx.recorder.call('POST', '/v1/batches', { key: keyOf(ctx.stack, plan.requester), body: createBatchBody(plan, scheduledAt), route: 'POST /v1/batches', reference: plan.reference, timeoutMs: BATCH_CREATE_TIMEOUT_MS });
    status = answer.status;
    if (is2xx(status) && isBatchDocument(answer.json)) ctx.recorder.batchSnapshot(plan.reference, { source: 'create', sentAt: answer.sentAt, answeredAt: answer.answeredAt, doc: answer.json });
    if (status !== 503 && status !== 0) break;
    await sleep(1_000);
  }
  record.createStatus = status;
  for (const reference of record.rows) {
    const row = ctx.recorder.payouts.get(reference);
    if (row) row.createStatus = status;
  }
  return status;
}

/** Reads the batch every 500 ms until `done` holds for it, or until `until` (ms); the last document read. */
async function waitForBatch(ctx: ActionContext, reference: string, done: (doc: BatchDocument) => boolean, until: number): Promise<BatchDocument | undefined> {
  let last: BatchDocument | undefined;
  for (;;) {
    last = (await ctx.recorder.readBatch(reference)) ?? last;
    if ((last && done(last)) || Date.now() > until) return last;
    await sleep(500);
  }
}

type DecisionKind = 'approve' | 'reject' | 'cancel' | 'retry';
const PATHS: Record<DecisionKind, string> = { approve: 'approve', reject: 'reject', cancel: 'cancel', retry: 'retry-unverified' };

interface Answer {
  status: number;
  problem?: string;
  doc?: BatchDocument;
  actual?: { count: number; total: number };
}

/**
 * One batch decision through the API, recorded. With an Idempotency-Key, a 503 (the decision may
 * still apply) is sent again with it, up to four times, as a careful client would.
 */
async function decide(
  ctx: ActionContext,
  plan: BatchPlan,
  kind: DecisionKind,
  who: KeyName,
  body: Record<string, unknown>,
  tag: string,
  options: { key?: string; expected?: { count: number; total: number }; excluded?: string[] } = {},
): Promise<Answer> {
  const ref = plan.reference;
  let answer: Answer = { status: 0 };
  for (let attempt = 1; attempt <= 4; attempt += 1) {
    const firstSentAt = options.key === undefined ? undefined : ctx.recorder.firstUseOfKey(ref, options.key);
    const { status, json, sentAt, answeredAt } = await ctx.recorder.call('POST', `/v1/batches/${encodeURIComponent(ref)}/${PATHS[kind]}`, {
      key: keyOf(ctx.stack, who),
      body: JSON.stringify(body),
      ...(options.key !== undefined && { headers: { 'Idempotency-Key': options.key } }),
      route: `POST /v1/batches/{id}/${PATHS[kind]}`,
      reference: ref,
    });
    const problem = status >= 400 && typeof (json as { type?: unknown } | undefined)?.type === 'string' ? (json as { type: string }).type.split('/').pop() : undefined;
    const rawActual = (json as { actual?: { count: number; total: { value: string } } } | undefined)?.actual;
    const actual = status === 409 && rawActual ? { count: rawActual.count, total: Number(rawActual.total.value.replace(/\.00$/, '')) } : undefined;
    const ok = is2xx(status) && isBatchDocument(json);
    const limit = problem === 'limit-exceeded' ? limitRefusalOf(json) : undefined;
    const record: BatchDecisionRecord = {
      decision: kind,
      via: 'api',
      tag: attempt === 1 ? tag : `${tag}-retry`,
      who: KEYS[who].principal,
      sentAt,
      ...(firstSentAt !== undefined && { readFrom: firstSentAt }),
      answeredAt,
      httpStatus: status,
      ...(problem !== undefined && { problem }),
      ...(ok && { answeredStatus: json.status }),
      ...(options.expected && { expected: options.expected }),
      ...(options.excluded && { excluded: options.excluded }),
      ...(actual && { actual }),
      ...(limit && { limit }),
    };
    ctx.recorder.batchDecision(ref, record);
    if (ok) ctx.recorder.batchSnapshot(ref, { source: kind, sentAt, ...(firstSentAt !== undefined && { readFrom: firstSentAt }), answeredAt, doc: json });
    answer = { status, ...(problem !== undefined && { problem }), ...(ok && { doc: json }), ...(actual && { actual }) };
    if (!(status === 503 && options.key !== undefined && attempt < 4)) return answer;
    await sleep(1_500);
  }
  return answer;
}

/**
 * The figures an approver would assert: the READY rows left after excluding the last `exclude` of
 * them, and every UNVERIFIED row excluded; with a `budget` (what the requester's daily limit has
 * left, read from GET /v1/limits), more of the last READY rows excluded until the rest fit in it
 * (one row at least stays).
 */
export function approvalFigures(items: readonly BatchItem[], exclude: number, budget?: number): { count: number; total: number; excluded: string[] } {
  const ready = items.filter((i) => i.status === 'READY' && !i.excluded);
  let n = Math.max(0, Math.min(exclude, ready.length - 1));
  const totalOf = (k: number) => ready.slice(0, ready.length - k).reduce((sum, i) => sum + i.amount, 0);
  if (budget !== undefined) while (n < ready.length - 1 && totalOf(n) > budget) n += 1;
  const left = ready.slice(0, ready.length - n);
  const excluded = [...ready.slice(ready.length - n), ...items.filter((i) => i.status === 'UNVERIFIED')].map((i) => i.reference);
  return { count: left.length, total: left.reduce((sum, i) => sum + i.amount, 0), excluded };
}

type Figures = ReturnType<typeof approvalFigures>;

/** An approval with the plan's exclusions: the right figures, or wrong ones on purpose (`wrong`), by `who`. */
async function approve(ctx: ActionContext, plan: BatchPlan, items: readonly BatchItem[] | undefined, tag: string, who: KeyName, wrong?: 'total' | 'count', key?: string): Promise<Answer> {
  return approveWith(ctx, plan, approvalFigures(items ?? [], plan.exclude), tag, who, wrong, key);
}

async function approveWith(ctx: ActionContext, plan: BatchPlan, figures: Figures, tag: string, who: KeyName, wrong?: 'total' | 'count', key?: string): Promise<Answer> {
  const expected = { count: figures.count + (wrong === 'count' ? 1 : 0), total: figures.total + (wrong === 'total' ? 1_000 : 0) };
  return decide(
    ctx,
    plan,
    'approve',
    who,
    { expectedTotal: { value: `${expected.total}.00`, currency: 'IDR' }, expectedCount: expected.count, ...(figures.excluded.length > 0 && { excludeReferences: figures.excluded }), comment: `chaos ${tag}` },
    tag,
    { expected, excluded: figures.excluded, ...(key !== undefined && { key }) },
  );
}

/** Whether an approval's answer shows the batch decided (its last approval took: PROCESSING or SCHEDULED). */
const decidedBy = (answer: Answer): boolean => is2xx(answer.status) && (answer.doc?.status === 'PROCESSING' || answer.doc?.status === 'SCHEDULED');

/**
 * What the requester's daily limit has left (GET /v1/limits), less a fifth for the single payouts
 * approved meanwhile: the approver fits the batch in it. Undefined: no limit (or no answer).
 */
async function limitBudget(ctx: ActionContext, plan: BatchPlan): Promise<number | undefined> {
  const reading = await ctx.recorder.readLimits('requester', KEYS[plan.requester].principal);
  return reading?.remaining === null || reading === undefined ? undefined : Math.floor(reading.remaining * 0.8);
}

/**
 * The approval itself: the figures from a fresh listing of the rows, fitted into what the
 * requester's daily limit has left; again after a 409 while rows validate (a retry of unverified
 * rows) or when the figures differ (read again, at most twice). Under a two-approver tier, a second
 * approver approves the same figures and exclusions (at once with the first, or after it), and
 * before that the first approves again (409 already-approved expected). A second approval refused by
 * the limits (409 limit-exceeded) leaves the batch's exclusions fixed by the first: the approver
 * rejects it. Answers when it was approved (ms), or undefined.
 */
async function approveForReal(ctx: ActionContext, plan: BatchPlan, first: readonly BatchItem[] | undefined): Promise<number | undefined> {
  let items = first;
  const budget = await limitBudget(ctx, plan);
  const recorded = new Set<KeyName>();
  let figures: Figures | undefined;
  for (let attempt = 1; attempt <= 6; attempt += 1) {
    if (attempt > 1 || !items) items = await ctx.recorder.listBatchItems(plan.reference);
    figures = approvalFigures(items ?? [], plan.exclude, budget);
    const together = plan.approvalsTogether && attempt === 1;
    const [answer, second] = await Promise.all([
      approveWith(ctx, plan, figures, attempt === 1 ? 'primary' : 'primary-again', plan.approver, undefined, `approve-${plan.reference}-${attempt}`),
      together ? approveWith(ctx, plan, figures, 'second', plan.secondApprover, undefined, `approve-${plan.reference}-second`) : undefined,
    ]);
    if (decidedBy(answer) || (second && decidedBy(second))) return Date.now();
    if (is2xx(answer.status)) recorded.add(plan.approver);
    if (second && is2xx(second.status)) recorded.add(plan.secondApprover);
    if (recorded.size > 0) break;
    const again = answer.status === 409 && (answer.problem === 'batch-not-ready' || (answer.problem === 'batch-figures-differ' && attempt <= 2));
    if (!again) {
      ctx.log(`batch ${plan.reference}: the approval answered ${answer.status} ${answer.problem ?? ''}`);
      if (answer.problem === 'limit-exceeded') await rejectOverLimit(ctx, plan, plan.approver);
      return undefined;
    }
    await sleep(1_500);
  }
  if (recorded.size === 0 || !figures) return undefined;
  // One approval recorded, the batch awaits the other.
  const firstApprover = recorded.has(plan.approver) ? plan.approver : plan.secondApprover;
  const other = firstApprover === plan.approver ? plan.secondApprover : plan.approver;
  if (plan.sameApproverAgain) await approveWith(ctx, plan, figures, 'same-approver', firstApprover, undefined, `approve-${plan.reference}-same-approver`);
  const answer = await approveWith(ctx, plan, figures, 'second', other, undefined, `approve-${plan.reference}-second-after`);
  if (decidedBy(answer)) return Date.now();
  ctx.log(`batch ${plan.reference}: the second approval answered ${answer.status} ${answer.problem ?? answer.doc?.status ?? ''}`);
  if (answer.problem === 'limit-exceeded') await rejectOverLimit(ctx, plan, other);
  return undefined;
}

/** An approval refused by the daily limits: the approver rejects the batch (its exclusions are fixed by the approvals so far). */
async function rejectOverLimit(ctx: ActionContext, plan: BatchPlan, who: KeyName): Promise<void> {
  await decide(ctx, plan, 'reject', who, { reason: 'chaos: over the daily limit' }, 'over-limit', { key: `reject-${plan.reference}` });
}

/** A READY row approved on its own: through the API (409 batch-row expected) or as a raw approve signal to its payout workflow (dropped). */
async function approveRowAlone(ctx: ActionContext, plan: BatchPlan, record: BatchRecord, items: readonly BatchItem[] | undefined): Promise<void> {
  const row = items?.find((i) => i.status === 'READY')?.reference ?? record.rows[0]!;
  const approver = KEYS[plan.approver].principal;
  if (plan.rowAlone === 'signal') {
    const sentAt = Date.now();
    let error: string | undefined;
    try {
      await ctx.stack.client.workflow.getHandle(`payout-${row}`).signal('approve', { principal: approver, comment: 'chaos: a row alone' });
    } catch (err) {
      error = (err as Error).message;
    }
    ctx.recorder.batchDecision(plan.reference, { decision: 'row-approve', via: 'signal', tag: 'row-alone', who: approver, sentAt, answeredAt: Date.now(), row, ...(error !== undefined && { error }) });
    return;
  }
  const { status, json, sentAt, answeredAt } = await ctx.recorder.call('POST', `/v1/payouts/${encodeURIComponent(row)}/approve`, {
    key: keyOf(ctx.stack, plan.approver),
    body: JSON.stringify({ comment: 'chaos: a row alone' }),
    route: 'POST /v1/payouts/{id}/approve',
    reference: row,
  });
  const problem = status >= 400 && typeof (json as { type?: unknown } | undefined)?.type === 'string' ? (json as { type: string }).type.split('/').pop() : undefined;
  const ok = is2xx(status) && isDocument(json);
  ctx.recorder.batchDecision(plan.reference, {
    decision: 'row-approve',
    via: 'api',
    tag: 'row-alone',
    who: approver,
    sentAt,
    answeredAt,
    httpStatus: status,
    row,
    ...(problem !== undefined && { problem }),
    ...(ok && { answeredStatus: json.status }),
  });
  // An answer that took it is evidence against the payout's own rules too.
  if (ok) ctx.recorder.snapshot(row, { source: 'approve', sentAt, answeredAt, doc: json });
}
