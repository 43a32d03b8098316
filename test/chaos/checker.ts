// The invariant checker: a pure function from what a chaos run observed (every API answer, every
// payout document seen, both simulators' ledgers, what the webhook receivers got, and, when the run
// asked for it, the windows in which Temporal or its database was down) to the violations of the
// money-safety rules of RELIABILITY.md. No I/O and no clock, so hand-made observations test every
// rule (checker.test.ts).
//
// Soundness over reach: an observation proves something only for the instant it was made, and a
// read happened somewhere between sending the request and getting the answer. So "b came after a"
// means b was sent after a was answered, and a rule fires only on evidence, never on timing luck.
import { maskNumber } from '../../src/domain/payout';
import { approvalsRequiredFor, autoApprovable, jakartaDay, KEYS, OUTAGE_KINDS, type ApiAnswer, type BatchDecisionRecord, type ChaosPolicy, type DecisionRecord, type LimitsReading, type BatchRecord, type BatchSnapshot, type DisruptionWindow, type EndpointObservation, type LedgerRow, type Observations, type PayoutDocument, type PayoutRecord, type ReceivedEvent, type ReconciliationObservation, type RuleId, type Snapshot, type Violation, type WebhookObservations } from './model';

export const FINAL_STATUSES = ['SUCCEEDED', 'FAILED', 'REJECTED', 'EXPIRED', 'CANCELLED'] as const;
/** Statuses after which no money may move. */
export const REFUSED_STATUSES = ['REJECTED', 'EXPIRED', 'CANCELLED'] as const;

/**
 * The allowed transitions, from api.md's status table. PROCESSING → CANCELLED only before the trigger
 * may have been sent: the table allows it; `cancelled-after-submission` and the ledger check the rest.
 */
export const ALLOWED_TRANSITIONS: Readonly<Record<string, readonly string[]>> = {
  VALIDATING: ['AWAITING_APPROVAL', 'FAILED', 'CANCELLED'],
  AWAITING_APPROVAL: ['SCHEDULED', 'PROCESSING', 'REJECTED', 'EXPIRED', 'CANCELLED'],
  SCHEDULED: ['PROCESSING', 'CANCELLED'],
  PROCESSING: ['NEEDS_ATTENTION', 'SUCCEEDED', 'FAILED', 'CANCELLED'],
  NEEDS_ATTENTION: ['PROCESSING', 'SUCCEEDED', 'FAILED'],
  SUCCEEDED: [],
  FAILED: [],
  REJECTED: [],
  EXPIRED: [],
  CANCELLED: [],
};

/** Provider statuses after which the money is back with the merchant (refunded, cancelled, failed). */
const MONEY_RETURNED = ['04', '05', '06'];
const PROVIDER_SUCCESS = '00';

/** A batch's final statuses (docs/batches.md), and the statuses after which none of its rows may move money. */
export const FINAL_BATCH_STATUSES = ['COMPLETED', 'REJECTED', 'EXPIRED', 'CANCELLED'] as const;
export const REFUSED_BATCH_STATUSES = ['REJECTED', 'EXPIRED', 'CANCELLED'] as const;

/** A batch's allowed transitions (src/domain/batch.ts's table, as docs/batches.md describes it). */
export const BATCH_TRANSITIONS: Readonly<Record<string, readonly string[]>> = {
  VALIDATING: ['AWAITING_APPROVAL', 'CANCELLED', 'EXPIRED'],
  AWAITING_APPROVAL: ['SCHEDULED', 'PROCESSING', 'REJECTED', 'EXPIRED', 'CANCELLED'],
  SCHEDULED: ['PROCESSING', 'CANCELLED'],
  PROCESSING: ['COMPLETED', 'CANCELLED'],
  COMPLETED: [],
  REJECTED: [],
  EXPIRED: [],
  CANCELLED: [],
};

export const isFinalBatch = (status: string): boolean => (FINAL_BATCH_STATUSES as readonly string[]).includes(status);

export const isFinal = (status: string): boolean => (FINAL_STATUSES as readonly string[]).includes(status);
const isRefused = (status: string): boolean => (REFUSED_STATUSES as readonly string[]).includes(status);
const canonical = (principal: string): string => principal.trim().toLowerCase();
const is2xx = (status: number | undefined): boolean => status !== undefined && status >= 200 && status < 300;

/** The earliest moment an answer's document may date from (a replayed Idempotency-Key: the first attempt). */
const readFrom = (x: { sentAt: number; readFrom?: number }): number => Math.min(x.sentAt, x.readFrom ?? x.sentAt);

/** One status seen at one moment: from a document (GET or decision answer) or a decision's answer. */
interface StatusSeen {
  status: string;
  sentAt: number;
  answeredAt: number;
  source: string;
}

export function check(obs: Observations): Violation[] {
  const found: Violation[] = [];
  // One violation per rule and payout (the first seen), with a count of the others like it; API
  // answers are told apart by their message (route and status).
  const seen = new Map<string, { violation: Violation; more: number }>();
  const report = (rule: RuleId, reference: string | undefined, message: string) => {
    // Every break a reconciliation found is listed on its own, several of one payout too.
    const key = rule.startsWith('api-') || rule === 'reconciliation-break' || reference === undefined ? `${rule}|${reference ?? ''}|${message}` : `${rule}|${reference}`;
    const earlier = seen.get(key);
    if (earlier) {
      if (earlier.violation.message !== message) earlier.more += 1;
      return;
    }
    const violation: Violation = { rule, ...(reference !== undefined && { reference }), message };
    seen.set(key, { violation, more: 0 });
    found.push(violation);
  };

  const payouts = new Map(obs.payouts.map((p) => [p.reference, p]));
  const rowsByReference = new Map<string, LedgerRow[]>();
  for (const row of obs.ledger) rowsByReference.set(row.reference, [...(rowsByReference.get(row.reference) ?? []), row]);

  // At most one transfer per reference, ever (across both providers).
  for (const [reference, rows] of rowsByReference) {
    if (rows.length > 1) report('one-transfer-per-reference', reference, `${rows.length} transfers for one reference: ${rows.map(describeRow).join('; ')}`);
  }

  for (const payout of obs.payouts) {
    const rows = rowsByReference.get(payout.reference) ?? [];
    checkPayout(payout, rows, obs, report);
  }

  // Every transfer belongs to a payout approved by someone other than its requester, sent no
  // earlier than its scheduledAt, with its amount and account.
  for (const row of obs.ledger) {
    const payout = payouts.get(row.reference);
    if (!payout) {
      report('transfer-not-as-approved', row.reference, `a transfer for a reference the run never created: ${describeRow(row)}`);
      continue;
    }
    checkTransferAgainstPayout(row, payout, report);
  }

  if (obs.policy) checkPolicy(obs, obs.policy, rowsByReference, report);
  if (obs.webhooks) checkWebhooks(obs.webhooks, payouts, new Map((obs.batches ?? []).map((b) => [b.reference, b])), report);
  for (const batch of obs.batches ?? []) checkBatch(batch, payouts, rowsByReference, obs, report);

  // Every API answer is 2xx, 4xx or 503.
  for (const answer of obs.answers) {
    const where = `${answer.route}${answer.reference ? ` (${answer.reference})` : ''}`;
    if (answer.status === 0) {
      report('api-no-answer', answer.reference, `${where} got no HTTP answer: ${answer.error ?? 'no answer'}`);
    } else if (!(is2xx(answer.status) || (answer.status >= 400 && answer.status < 500) || answer.status === 503)) {
      report('api-5xx', answer.reference, `${where} answered ${answer.status}${answer.error ? `: ${answer.error}` : ''}`);
    }
  }
  // With the outages known: a 503 only to a request sent while Temporal or its database was down.
  if (obs.outages) checkOutages(obs.answers, obs.outages, report);
  if (obs.reconciliations) checkReconciliations(obs, obs.reconciliations, report);
  for (const { violation, more } of seen.values()) if (more > 0) violation.message += ` (and ${more} more observation(s) like it)`;
  return found;
}

type Report = (rule: RuleId, reference: string | undefined, message: string) => void;

/** What Observations.outages holds for a run's disruptions: the windows of those that take Temporal, its database or worker capacity down (OUTAGE_KINDS). */
export function outagesOf(disruptions: readonly DisruptionWindow[], graceMs: number): NonNullable<Observations['outages']> {
  return { graceMs, windows: disruptions.filter((d) => OUTAGE_KINDS.includes(d.kind)).map(({ kind, from, to }) => ({ kind, from, to })) };
}

/** Whether a request sent at `sentAt` falls in an outage window widened by `graceMs` on both sides. */
export function inOutage(sentAt: number, outages: NonNullable<Observations['outages']>): boolean {
  return outages.windows.some((w) => sentAt >= w.from - outages.graceMs && sentAt <= w.to + outages.graceMs);
}

/**
 * api-503-outside-outage: every 503 to a request sent outside every outage window (± graceMs). One
 * violation per route, with how many, the first and last sent, and the first one's payout and error.
 */
function checkOutages(answers: readonly ApiAnswer[], outages: NonNullable<Observations['outages']>, report: Report): void {
  const byRoute = new Map<string, ApiAnswer[]>();
  for (const a of answers) if (a.status === 503 && !inOutage(a.sentAt, outages)) byRoute.set(a.route, [...(byRoute.get(a.route) ?? []), a]);
  const windows = outages.windows.length
    ? `outside every outage (${outages.windows.map((w) => `${w.kind} ${iso(w.from)}–${iso(w.to)}`).join(', ')}) widened by ${outages.graceMs} ms`
    : 'in a run without any outage';
  for (const [route, list] of byRoute) {
    const sorted = [...list].sort((a, b) => a.sentAt - b.sentAt);
    const first = sorted[0]!;
    const last = sorted[sorted.length - 1]!;
    const detail = [
      `first sent ${iso(first.sentAt)}${first.reference ? ` (${first.reference})` : ''}${first.instance ? ` to ${first.instance}` : ''}`,
      ...(sorted.length > 1 ? [`last sent ${iso(last.sentAt)}`] : []),
    ].join(', ');
    report('api-503-outside-outage', first.reference, `${route} answered 503 ${sorted.length} time(s) ${windows}; ${detail}${first.error ? `: ${first.error}` : ''}`);
  }
}

function checkPayout(payout: PayoutRecord, rows: LedgerRow[], obs: Observations, report: Report): void {
  const ref = payout.reference;
  const snapshots = [...payout.snapshots].sort((a, b) => a.answeredAt - b.answeredAt);
  const statuses: StatusSeen[] = [
    ...snapshots.map((s) => ({ status: s.doc.status, sentAt: readFrom(s), answeredAt: s.answeredAt, source: s.source })),
    ...payout.decisions
      .filter((d) => is2xx(d.httpStatus) && d.answeredStatus !== undefined)
      .map((d) => ({ status: d.answeredStatus!, sentAt: readFrom(d), answeredAt: d.answeredAt, source: `${d.decision} answer` })),
  ].sort((a, b) => a.answeredAt - b.answeredAt);

  // No transfer for a payout that ever showed REJECTED, EXPIRED or CANCELLED, or whose decision
  // answered 2xx with one of those.
  const refusals = new Set<string>();
  for (const s of statuses) if (isRefused(s.status)) refusals.add(`${s.status} (${s.source})`);
  for (const s of snapshots) for (const entry of s.doc.timeline ?? []) if (isRefused(entry.status)) refusals.add(`${entry.status} (timeline)`);
  if (refusals.size > 0 && rows.length > 0) {
    report('no-transfer-after-refusal', ref, `showed ${[...refusals].join(', ')}, yet the ledger holds ${rows.map(describeRow).join('; ')}`);
  }

  // A final status never changes: every status seen after a final one (sent after it was answered) is the same.
  for (const a of statuses) {
    if (!isFinal(a.status)) continue;
    const later = statuses.find((b) => b.sentAt > a.answeredAt && b.status !== a.status);
    if (later) report('final-status-changed', ref, `${a.status} (${a.source}, answered ${iso(a.answeredAt)}), later ${later.status} (${later.source}, sent ${iso(later.sentAt)})`);
  }

  // The timeline takes only allowed transitions, agrees with the status, and is never rewritten.
  for (const s of snapshots) checkTimeline(ref, s, report);
  for (let i = 0; i < snapshots.length; i += 1) {
    const a = snapshots[i]!;
    const b = snapshots.find((x) => readFrom(x) > a.answeredAt && !startsWith(statusList(x.doc), statusList(a.doc)));
    if (b) {
      report('timeline-rewritten', ref, `timeline ${statusList(a.doc).join('→')} (${a.source}, answered ${iso(a.answeredAt)}) became ${statusList(b.doc).join('→')} (${b.source}, sent ${iso(b.sentAt)})`);
      break;
    }
  }

  // CANCELLED only before submission: no document may show both, and no CANCELLED after a submission was shown.
  const submitted = snapshots.find((s) => s.doc.transfer?.submittedAt !== undefined);
  const cancelled = statuses.find((s) => s.status === 'CANCELLED');
  if (submitted && cancelled) {
    report('cancelled-after-submission', ref, `CANCELLED (${cancelled.source}) although a document (${submitted.source}, answered ${iso(submitted.answeredAt)}) showed the transfer submitted at ${submitted.doc.transfer!.submittedAt}`);
  }

  // Only one of approve and reject, and only one of reject and cancel, can take effect.
  const accepted = (kind: string) => payout.decisions.filter((d) => d.decision === kind && d.via === 'api' && is2xx(d.httpStatus));
  const approved = accepted('approve').filter((d) => d.answeredStatus !== 'AWAITING_APPROVAL');
  const rejected = accepted('reject');
  const cancelledAnswers = accepted('cancel');
  if (approved.length > 0 && rejected.length > 0) report('conflicting-decisions', ref, `approve answered ${approved[0]!.httpStatus} (${approved[0]!.answeredStatus}) and reject answered ${rejected[0]!.httpStatus} (${rejected[0]!.answeredStatus})`);
  if (rejected.length > 0 && cancelledAnswers.length > 0) report('conflicting-decisions', ref, `reject answered ${rejected[0]!.httpStatus} and cancel answered ${cancelledAnswers[0]!.httpStatus}`);

  // An admin's resolution ends only a payout that needs attention: the answer's timeline shows
  // NEEDS_ATTENTION right before the outcome.
  for (const d of payout.decisions.filter((x) => x.decision === 'resolve' && is2xx(x.httpStatus))) {
    const answer = snapshots.find((s) => s.source === 'resolve' && s.sentAt === d.sentAt);
    const list = answer ? statusList(answer.doc) : [];
    if (list.length < 2 || list[list.length - 2] !== 'NEEDS_ATTENTION') {
      report('resolve-not-from-attention', ref, `resolve by ${d.who} answered ${d.httpStatus} ${d.answeredStatus ?? ''}, timeline ${list.join('→') || 'not shown'}`);
    }
    const by = KEYS[d.who as keyof typeof KEYS]?.principal ?? d.who;
    if (canonical(by) === canonical(requesterOf(payout))) report('four-eyes', ref, `resolved by ${by}, who requested it (answered ${d.httpStatus})`);
  }

  // Four eyes: nobody approves what they requested (the spelling of a principal does not matter).
  const requester = requesterOf(payout);
  for (const approval of approvalsOf(snapshots)) {
    if (approval.by !== 'policy' && canonical(approval.by) === canonical(requester)) {
      report('four-eyes', ref, `approved by "${approval.by}", who requested it as "${requester}"`);
    }
  }

  // FAILED ⇒ the provider holds no transfer that paid or may still pay; SUCCEEDED ⇒ exactly one that paid, ours.
  const shown = new Set(statuses.map((s) => s.status));
  if (shown.has('FAILED')) {
    const paid = rows.filter((r) => r.status === PROVIDER_SUCCESS);
    const open = rows.filter((r) => r.status !== PROVIDER_SUCCESS && !MONEY_RETURNED.includes(r.status));
    if (paid.length > 0) report('failed-but-money-moves', ref, `FAILED, but the provider paid: ${paid.map(describeRow).join('; ')}`);
    if (open.length > 0) report('failed-but-money-moves', ref, `FAILED, but the provider still holds a transfer that may pay: ${open.map(describeRow).join('; ')}`);
  }
  if (shown.has('SUCCEEDED')) {
    const paid = rows.filter((r) => r.status === PROVIDER_SUCCESS);
    const ours = paid.filter((r) => r.provider === payout.provider && r.amount === payout.amount && r.destinationNumber === payout.destinationNumber);
    if (paid.length !== 1 || ours.length !== 1) {
      report('succeeded-without-one-transfer', ref, `SUCCEEDED, but the ledgers hold ${paid.length} paid transfer(s)${paid.length ? `: ${paid.map(describeRow).join('; ')}` : ''} (expected one at ${payout.provider} of ${payout.amount} to ${payout.destinationNumber})`);
    }
  }

  // Every payout is final or NEEDS_ATTENTION within settleWithinMs after the faults stop.
  checkSettled(payout, snapshots, obs, report);

  // Forged and late callbacks are refused.
  for (const cb of payout.callbacks) {
    if (cb.variant === 'forged' && cb.httpStatuses.some(is2xx)) report('forged-callback-accepted', ref, `a forged ${cb.provider} callback answered ${cb.httpStatuses.join(', ')}`);
    if (cb.variant === 'late' && cb.httpStatuses.some(is2xx)) report('late-callback-accepted', ref, `a ${cb.provider} callback signed 10 minutes ago answered ${cb.httpStatuses.join(', ')}`);
  }
}

function checkTimeline(ref: string, s: Snapshot, report: Report): void {
  const list = statusList(s.doc);
  const where = `${s.source} answered ${iso(s.answeredAt)}`;
  if (list.length === 0) {
    report('illegal-transition', ref, `an empty timeline (${where})`);
    return;
  }
  if (list[0] !== 'VALIDATING') report('illegal-transition', ref, `the timeline starts at ${list[0]}, not VALIDATING: ${list.join('→')} (${where})`);
  for (let i = 1; i < list.length; i += 1) {
    const from = list[i - 1]!;
    const to = list[i]!;
    // The same status twice is a note in the timeline, not a transition.
    if (from === to) continue;
    if (!(ALLOWED_TRANSITIONS[from] ?? []).includes(to)) report('illegal-transition', ref, `${from} → ${to} in ${list.join('→')} (${where})`);
  }
  if (list[list.length - 1] !== s.doc.status) report('illegal-transition', ref, `status ${s.doc.status} but the timeline ends at ${list[list.length - 1]} (${where})`);
}

function checkTransferAgainstPayout(row: LedgerRow, payout: PayoutRecord, report: Report): void {
  const ref = payout.reference;
  const snapshots = payout.snapshots;
  const approvals = approvalsOf(snapshots);
  const requester = requesterOf(payout);
  if (approvals.length === 0) {
    report('transfer-not-as-approved', ref, `a transfer, but no document ever showed an approval: ${describeRow(row)}`);
  }
  for (const approval of approvals) {
    if (approval.by !== 'policy' && canonical(approval.by) === canonical(requester)) {
      report('transfer-not-as-approved', ref, `a transfer approved by its own requester ("${approval.by}" for "${requester}"): ${describeRow(row)}`);
    }
  }
  if (payout.scheduledAt !== undefined && row.acceptedAt < Date.parse(payout.scheduledAt)) {
    report('transfer-not-as-approved', ref, `the transfer was accepted at ${iso(row.acceptedAt)}, ${Date.parse(payout.scheduledAt) - row.acceptedAt} ms before scheduledAt ${payout.scheduledAt}`);
  }
  if (row.provider !== payout.provider) report('transfer-not-as-approved', ref, `a transfer at ${row.provider}, but the payout goes through ${payout.provider}: ${describeRow(row)}`);
  if (row.amount !== payout.amount) report('transfer-not-as-approved', ref, `a transfer of ${row.amount}, but the payout is for ${payout.amount}: ${describeRow(row)}`);
  if (row.destinationNumber !== payout.destinationNumber) {
    report('transfer-not-as-approved', ref, `a transfer to ${row.destinationNumber}, but the payout is to ${payout.destinationNumber}: ${describeRow(row)}`);
  }
  // The fee the provider charged is the fee the approver was shown (what leaves the balance is what was approved).
  const shown = new Set(snapshots.flatMap((s) => (s.doc.inquiry?.fee ? [Number(s.doc.inquiry.fee.value.replace(/\.00$/, ''))] : [])));
  if (row.fee !== undefined && shown.size > 0 && (shown.size > 1 || !shown.has(row.fee))) {
    report('fee-not-as-shown', ref, `the provider charged a fee of ${row.fee}, but the documents showed ${[...shown].join(' and ')}: ${describeRow(row)}`);
  }
}

function checkSettled(payout: PayoutRecord, snapshots: Snapshot[], obs: Observations, report: Report): void {
  const deadline = obs.faultsStoppedAt + obs.settleWithinMs;
  const settled = (s: Snapshot) => isFinal(s.doc.status) || s.doc.status === 'NEEDS_ATTENTION';
  const gets = snapshots.filter((s) => s.source === 'get').sort((a, b) => a.sentAt - b.sentAt);
  if (snapshots.length === 0) {
    if (is2xx(payout.createStatus)) report('not-settled-in-time', payout.reference, 'created, but never seen since');
    return;
  }
  const after = gets.filter((s) => s.sentAt >= deadline);
  // Seen unsettled after the deadline, and not NEEDS_ATTENTION at the deadline either (it may go back to PROCESSING).
  const unsettled = after.find(
    (s) => !settled(s) && !(s.doc.timeline ?? []).some((e) => e.status === 'NEEDS_ATTENTION' && Date.parse(e.at) <= deadline),
  );
  if (unsettled) {
    report('not-settled-in-time', payout.reference, `${unsettled.doc.status} at ${iso(unsettled.sentAt)}, ${unsettled.sentAt - obs.faultsStoppedAt} ms after the faults stopped (limit ${obs.settleWithinMs} ms)`);
    return;
  }
  const last = [...snapshots].sort((a, b) => a.answeredAt - b.answeredAt)[snapshots.length - 1]!;
  if (after.length === 0 && !settled(last)) {
    report('not-settled-in-time', payout.reference, `last seen ${last.doc.status} at ${iso(last.answeredAt)}, and not seen after the deadline ${iso(deadline)}`);
  }
}

// ---------------------------------------------------------------- batches

/**
 * What a row of a batch is, from its payout's document (src/domain/batch.ts rowStatusOf, and the
 * row's report: FAILED before any decision is INVALID).
 */
export function rowStatusOfDocument(doc: PayoutDocument): string {
  if (doc.status === 'AWAITING_APPROVAL') return 'READY';
  if (doc.status === 'FAILED' && doc.approval === undefined) return 'INVALID';
  return doc.status;
}

function latestSnapshot<T extends { answeredAt: number }>(list: readonly T[]): T | undefined {
  let latest: T | undefined;
  for (const s of list) if (!latest || s.answeredAt >= latest.answeredAt) latest = s;
  return latest;
}

/**
 * The batch rules (docs/batches.md): money moves for a row only when its batch was approved and the
 * row was neither excluded nor INVALID, never for a batch that ended REJECTED, EXPIRED or CANCELLED;
 * a row in the ledger was submitted; a cancel while rows were paid ends COMPLETED if a row was
 * submitted, else CANCELLED; the final counts are the rows' final statuses; a final status never
 * changes and the timeline takes the table's transitions; a refused approval (figures differ) changes
 * nothing; the approved rows are no more than the approver asserted; a row is never decided alone;
 * every batch ends final; nobody approves their own batch.
 */
function checkBatch(batch: BatchRecord, payouts: Map<string, PayoutRecord>, ledger: Map<string, LedgerRow[]>, obs: Observations, report: Report): void {
  const ref = batch.reference;
  const snapshots = [...batch.snapshots].sort((a, b) => a.answeredAt - b.answeredAt);
  const last = latestSnapshot(snapshots);
  const rows = batch.rows.map((reference) => ({ reference, payout: payouts.get(reference), transfers: ledger.get(reference) ?? [] }));
  const paid = rows.filter((r) => r.transfers.length > 0);
  const approvedDoc = snapshots.find((s) => s.doc.approval?.decision === 'APPROVED');
  const refusedDoc = snapshots.find((s) => (REFUSED_BATCH_STATUSES as readonly string[]).includes(s.doc.status) || s.doc.timeline.some((e) => (REFUSED_BATCH_STATUSES as readonly string[]).includes(e.status)));
  const describeTransfers = (list: typeof rows) => list.flatMap((r) => r.transfers.map(describeRow)).slice(0, 5).join('; ');

  // Money for a row only when its batch showed an approval.
  if (!approvedDoc) for (const r of paid) report('batch-row-paid-without-approval', r.reference, `a row of batch ${ref}, which no document showed APPROVED (${last ? `last ${last.doc.status}` : 'never read'}), yet the ledger holds ${r.transfers.map(describeRow).join('; ')}`);

  // None for a batch that ended (or showed) REJECTED, EXPIRED or CANCELLED.
  if (refusedDoc && paid.length > 0) {
    const shown = (REFUSED_BATCH_STATUSES as readonly string[]).includes(refusedDoc.doc.status) ? refusedDoc.doc.status : refusedDoc.doc.timeline.find((e) => (REFUSED_BATCH_STATUSES as readonly string[]).includes(e.status))!.status;
    report('batch-paid-after-refusal', ref, `batch showed ${shown} (${refusedDoc.source}, answered ${iso(refusedDoc.answeredAt)}), yet the ledger holds ${paid.length} of its rows: ${describeTransfers(paid)}`);
  }

  // None for excluded rows (the approval's excludeReferences that was answered 2xx, or a listing's `excluded`), nor for INVALID ones.
  const excluded = new Set<string>();
  for (const d of batch.decisions) if (d.decision === 'approve' && d.httpStatus !== undefined && is2xx(d.httpStatus)) for (const x of d.excluded ?? []) excluded.add(x);
  const invalid = new Set<string>();
  for (const listing of batch.listings) {
    for (const item of listing.items) {
      if (item.excluded) excluded.add(item.reference);
      if (item.status === 'INVALID') invalid.add(item.reference);
    }
  }
  for (const r of paid) {
    if (excluded.has(r.reference)) report('batch-excluded-row-paid', r.reference, `excluded from batch ${ref}'s approval, yet the ledger holds ${r.transfers.map(describeRow).join('; ')}`);
    if (invalid.has(r.reference)) report('batch-invalid-row-paid', r.reference, `listed INVALID in batch ${ref}, yet the ledger holds ${r.transfers.map(describeRow).join('; ')}`);
  }

  // A row in the ledger was submitted: a document of its payout read after the transfer was accepted shows the transfer.
  const submittedShown = (r: (typeof rows)[number]) => r.payout?.snapshots.some((s) => s.doc.transfer?.submittedAt !== undefined) ?? false;
  for (const r of paid) {
    const readAfter = r.payout?.snapshots.filter((s) => s.sentAt > Math.min(...r.transfers.map((t) => t.acceptedAt))) ?? [];
    if (readAfter.length > 0 && !submittedShown(r)) {
      report('batch-row-paid-unsubmitted', r.reference, `a row of batch ${ref} in the ledger (${r.transfers.map(describeRow).join('; ')}), but none of its payout's documents, ${readAfter.length} of them read after the transfer was accepted (last ${latestSnapshot(readAfter)!.doc.status}), shows it submitted`);
    }
  }

  // A cancel while rows were paid: COMPLETED if some row was submitted, else CANCELLED.
  const cancellation = snapshots.find((s) => s.doc.cancellation !== undefined);
  if (cancellation && last && isFinalBatch(last.doc.status)) {
    const submitted = rows.filter((r) => r.transfers.length > 0 || submittedShown(r));
    if (last.doc.status === 'CANCELLED' && submitted.length > 0) {
      report('batch-cancel-outcome', ref, `cancelled while processing (by ${cancellation.doc.cancellation!.by}) and ended CANCELLED, although ${submitted.length} row(s) were submitted: ${submitted.slice(0, 5).map((r) => r.reference).join(', ')}`);
    }
    if (last.doc.status === 'COMPLETED' && submitted.length === 0 && rows.every((r) => (r.payout?.snapshots.length ?? 0) > 0)) {
      report('batch-cancel-outcome', ref, `cancelled while processing (by ${cancellation.doc.cancellation!.by}) and ended COMPLETED, although no row shows a submission and the ledgers hold none of them`);
    }
    if (last.doc.status !== 'COMPLETED' && last.doc.status !== 'CANCELLED') report('batch-cancel-outcome', ref, `cancelled while processing, but ended ${last.doc.status}`);
  }

  // The final counts are the rows' final statuses.
  if (last && isFinalBatch(last.doc.status) && last.doc.counts) {
    const latestRows = rows.map((r) => ({ reference: r.reference, doc: latestSnapshot(r.payout?.snapshots ?? [])?.doc }));
    if (latestRows.every((r) => r.doc !== undefined && isFinal(r.doc.status))) {
      const fromRows: Record<string, number> = {};
      for (const r of latestRows) fromRows[rowStatusOfDocument(r.doc!)] = (fromRows[rowStatusOfDocument(r.doc!)] ?? 0) + 1;
      const statuses = [...new Set([...Object.keys(fromRows), ...Object.keys(last.doc.counts)])].sort();
      const differ = statuses.filter((s) => (fromRows[s] ?? 0) !== (last.doc.counts![s] ?? 0));
      if (differ.length > 0) {
        const listing = latestSnapshot(batch.listings);
        const byRow = new Map((listing?.items ?? []).map((i) => [i.reference, i.status]));
        const examples = latestRows
          .filter((r) => byRow.has(r.reference) && byRow.get(r.reference) !== rowStatusOfDocument(r.doc!))
          .slice(0, 5)
          .map((r) => `${r.reference} listed ${byRow.get(r.reference)}, its payout ${r.doc!.status}`);
        report(
          'batch-counts-mismatch',
          ref,
          `final ${last.doc.status} with counts ${statuses.map((s) => `${s} ${last.doc.counts![s] ?? 0}`).join(', ')}, but its rows' payouts ended ${statuses.map((s) => `${s} ${fromRows[s] ?? 0}`).join(', ')}${examples.length ? `; e.g. ${examples.join('; ')}` : ''}`,
        );
      }
    }
  }

  // A final status never changes; the timeline takes the table's transitions and agrees with the status.
  for (const a of snapshots) {
    if (!isFinalBatch(a.doc.status)) continue;
    const later = snapshots.find((b) => batchReadFrom(b) > a.answeredAt && b.doc.status !== a.doc.status);
    if (later) {
      report('batch-final-status-changed', ref, `${a.doc.status} (${a.source}, answered ${iso(a.answeredAt)}), later ${later.doc.status} (${later.source}, sent ${iso(later.sentAt)})`);
      break;
    }
  }
  for (const s of snapshots) {
    const list = s.doc.timeline.map((e) => e.status);
    const where = `${s.source} answered ${iso(s.answeredAt)}`;
    if (list[0] !== 'VALIDATING') report('batch-illegal-transition', ref, `the timeline starts at ${list[0] ?? 'nothing'}, not VALIDATING (${where})`);
    for (let i = 1; i < list.length; i += 1) {
      if (list[i] !== list[i - 1] && !(BATCH_TRANSITIONS[list[i - 1]!] ?? []).includes(list[i]!)) report('batch-illegal-transition', ref, `${list[i - 1]} → ${list[i]} in ${list.join('→')} (${where})`);
    }
    if (list.length > 0 && list[list.length - 1] !== s.doc.status) report('batch-illegal-transition', ref, `status ${s.doc.status} but the timeline ends at ${list[list.length - 1]} (${where})`);
  }

  checkRefusedApprovals(batch, snapshots, report);

  // The approval took the figures the approver asserted, and the rows approved are no more than those.
  for (const d of batch.decisions) {
    if (d.decision !== 'approve' || d.httpStatus === undefined || !is2xx(d.httpStatus) || !d.expected) continue;
    const answer = snapshots.find((s) => s.source === 'approve' && s.sentAt === d.sentAt);
    const a = answer?.doc.approval;
    if (a?.decision === 'APPROVED' && (a.count !== d.expected.count || (a.total && Number(a.total.value.replace(/\.00$/, '')) !== d.expected.total))) {
      report('batch-pays-more-than-approved', ref, `approved for ${d.expected.count} rows totalling ${d.expected.total}, but the answer's approval says ${a.count} rows totalling ${a.total?.value}`);
    }
  }
  const approval = approvedDoc?.doc.approval;
  if (approval?.count !== undefined) {
    const approvedRows = rows.filter((r) => r.payout?.snapshots.some((s) => s.doc.approval?.decision === 'APPROVED'));
    const sum = approvedRows.reduce((n, r) => n + (r.payout?.amount ?? 0), 0);
    const total = approval.total ? Number(approval.total.value.replace(/\.00$/, '')) : Infinity;
    if (approvedRows.length > approval.count || sum > total) {
      report('batch-pays-more-than-approved', ref, `approved ${approval.count} rows totalling ${approval.total?.value ?? '?'}, but ${approvedRows.length} rows' payouts show an approval, totalling ${sum}`);
    }
  }

  // A row is decided with its batch only: a row approved alone never took, and no row shows an approval its batch never gave.
  for (const d of batch.decisions) {
    if (d.decision === 'row-approve' && d.httpStatus !== undefined && is2xx(d.httpStatus)) report('batch-row-decided-alone', d.row ?? ref, `a row of batch ${ref} approved on its own through the API answered ${d.httpStatus} ${d.answeredStatus ?? ''}`);
  }
  if (!approvedDoc) {
    for (const r of rows) {
      const shows = r.payout?.snapshots.find((s) => s.doc.approval?.decision === 'APPROVED');
      if (shows) report('batch-row-decided-alone', r.reference, `its payout shows an approval by ${shows.doc.approval!.by} (${shows.source}, answered ${iso(shows.answeredAt)}), but no document of batch ${ref} ever showed APPROVED`);
    }
  }

  // Four eyes: nobody approves a batch they requested.
  const requester = snapshots.find((s) => typeof s.doc.requestedBy === 'string')?.doc.requestedBy ?? batch.requestedBy;
  for (const s of snapshots) {
    if (s.doc.approval?.decision === 'APPROVED' && canonical(s.doc.approval.by) === canonical(requester)) report('four-eyes', ref, `batch approved by "${s.doc.approval.by}", who requested it as "${requester}"`);
  }
  for (const d of batch.decisions) {
    if (d.decision === 'approve' && d.httpStatus !== undefined && is2xx(d.httpStatus) && canonical(d.who) === canonical(requester)) report('four-eyes', ref, `the requester's own approval of the batch answered ${d.httpStatus}`);
  }

  // Every batch ends final by the end of the run, unless a row of it still needs attention (allowed, as for payouts).
  if (is2xx(batch.createStatus)) {
    const attention = rows.filter((r) => latestSnapshot(r.payout?.snapshots ?? [])?.doc.status === 'NEEDS_ATTENTION');
    const deadline = obs.faultsStoppedAt + obs.settleWithinMs;
    if (!last) report('batch-not-final', ref, 'created, but never read since');
    else if (!isFinalBatch(last.doc.status) && attention.length === 0) {
      report('batch-not-final', ref, `last read ${last.doc.status} (sent ${iso(last.sentAt)}, ${last.sentAt - obs.faultsStoppedAt} ms after the faults stopped; settle limit ${obs.settleWithinMs} ms${last.sentAt < deadline ? ', and never read after it' : ''}), counts ${Object.entries(last.doc.counts ?? {}).map(([k, n]) => `${k} ${n}`).join(', ')}`);
    }
  }
}

const batchReadFrom = (s: BatchSnapshot): number => Math.min(s.sentAt, s.readFrom ?? s.sentAt);

/**
 * A refused approval (409 batch-figures-differ) changed nothing: every read sent after it was
 * answered, until the next decision was sent, shows the batch still AWAITING_APPROVAL without a
 * decision (EXPIRED once its deadline passed is allowed), and the next approval sent while it still
 * awaited approval was not refused as already decided or for figures it had just shown.
 */
function checkRefusedApprovals(batch: BatchRecord, snapshots: BatchSnapshot[], report: Report): void {
  const ref = batch.reference;
  const decisions = [...batch.decisions].sort((a, b) => a.sentAt - b.sentAt);
  for (const [i, refused] of decisions.entries()) {
    if (refused.decision !== 'approve' || refused.httpStatus !== 409 || refused.problem !== 'batch-figures-differ') continue;
    const next = decisions.slice(i + 1).find((d) => d.decision !== 'row-approve' && d.tag !== 'four-eyes');
    const until = next?.sentAt ?? Infinity;
    const between = snapshots.filter((s) => s.source === 'get' && s.sentAt > refused.answeredAt && s.answeredAt < until);
    for (const s of between) {
      const expiredInTime = s.doc.status === 'EXPIRED' && s.doc.approvalDeadline !== undefined && s.answeredAt >= Date.parse(s.doc.approvalDeadline);
      if ((s.doc.status !== 'AWAITING_APPROVAL' || s.doc.approval !== undefined) && !expiredInTime) {
        report('batch-refused-approval-changed', ref, `an approval refused at ${iso(refused.answeredAt)} (batch-figures-differ, asserted ${refused.expected?.count} rows totalling ${refused.expected?.total}), then a read sent ${iso(s.sentAt)} shows ${s.doc.status}${s.doc.approval ? ` with a decision ${s.doc.approval.decision} by ${s.doc.approval.by}` : ''}`);
        return;
      }
    }
    if (next?.decision === 'approve' && next.httpStatus === 409 && (next.problem === 'not-awaiting-approval' || next.problem === 'batch-figures-differ')) {
      const before = latestSnapshot(between);
      const inTime = before?.doc.approvalDeadline === undefined || next.answeredAt < Date.parse(before.doc.approvalDeadline);
      if (inTime && before?.doc.status === 'AWAITING_APPROVAL' && before.doc.approval === undefined && before.doc.ready && (next.problem === 'not-awaiting-approval' || (next.expected?.count === before.doc.ready.count && next.expected.total === Number(before.doc.ready.total.value.replace(/\.00$/, '')) && !next.excluded?.length))) {
        report('batch-refused-approval-changed', ref, `after an approval refused for its figures, the next approval (${next.expected?.count} rows totalling ${next.expected?.total}) answered 409 ${next.problem}, although a read just before showed the batch AWAITING_APPROVAL with ${before.doc.ready.count} ready rows totalling ${before.doc.ready.total.value}`);
      }
    }
  }
}

// ---------------------------------------------------------------- approval policies (issue 15)

/** The principal the policy approves under (src/domain/principal.ts POLICY_PRINCIPAL). */
export const POLICY_PRINCIPAL = 'policy';

/** Statuses in which an approved payout still holds its reservation (with SUCCEEDED, which keeps it). */
const HOLDING_STATUSES = ['SUCCEEDED', 'PROCESSING', 'SCHEDULED', 'NEEDS_ATTENTION'];

/**
 * How long after a payout ends without moving money its reservation may still be held (the release is
 * an activity after the final status): a payout that ended this recently before a limits reading makes
 * its scope's figures unjudgeable.
 */
export const RELEASE_GRACE_MS = 10_000;

/** How close to a Jakarta midnight an approval makes its day uncertain (the day is taken when the limits are reserved, just before). */
const DAY_EDGE_MS = 60_000;

/** Every principal a payout's documents show approving it (approvals, and an APPROVED decision), canonical. */
function approversShown(snapshots: readonly { doc: { approval?: { decision: string; by: string }; approvals?: { by: string; decision?: string }[] } }[]): Set<string> {
  const found = new Set<string>();
  for (const s of snapshots) {
    if (s.doc.approval?.decision === 'APPROVED' && typeof s.doc.approval.by === 'string') found.add(canonical(s.doc.approval.by));
    for (const a of s.doc.approvals ?? []) if (typeof a.by === 'string' && (a.decision === undefined || a.decision === 'APPROVED')) found.add(canonical(a.by));
  }
  return found;
}

/** When the payout was finally approved (its documents' APPROVED decision), in ms; undefined if none showed it. */
function approvedAtOf(payout: PayoutRecord): number | undefined {
  for (const s of payout.snapshots) if (s.doc.approval?.decision === 'APPROVED' && s.doc.approval.at !== undefined) return Date.parse(s.doc.approval.at);
  return undefined;
}

/** Whether an instant lies within DAY_EDGE_MS after a Jakarta midnight (its limits may count on the day before). */
function nearDayStart(atMs: number): boolean {
  return jakartaDay(atMs) !== jakartaDay(atMs - DAY_EDGE_MS);
}

/**
 * The approval policy's rules, judged against the ledgers, the documents, the answers and the limits
 * read at the end:
 * - approvals-short: no payout (no batch's row) moved money with fewer distinct approvers, other than
 *   its requester, than its policy asks (the tier of its amount, or of the batch's total), unless the
 *   policy approved it within the auto-approval bounds;
 * - approvals-not-distinct, terms-not-as-policy: no document lists one approver twice, and a single
 *   payout's approvalsRequired is its tier's;
 * - auto-approval-outside-bounds: the policy approves only a listed requester's single payout within maxAmount;
 * - daily-limit-exceeded: per Jakarta day, per requester and per destination, the payouts whose money
 *   moved (paid, or still held by the provider) total no more than the limit;
 * - limit-refusal-wrong: a 409 limit-exceeded names its scope and the policy's limit, what was used and
 *   what remains (limit − used, less than the request), and the approval it refused left no trace;
 * - limit-leak: what GET /v1/limits reports as used today is the sum of the payouts approved today that
 *   ended SUCCEEDED or still hold it (PROCESSING, SCHEDULED, NEEDS_ATTENTION);
 * - batch-approvals-differ: every approval of a batch excludes the same rows.
 */
function checkPolicy(obs: Observations, policy: ChaosPolicy, ledger: Map<string, LedgerRow[]>, report: Report): void {
  const batches = new Map((obs.batches ?? []).map((b) => [b.reference, b]));
  const principalOf = (who: string) => canonical(KEYS[who as keyof typeof KEYS]?.principal ?? who);

  for (const payout of obs.payouts) {
    const ref = payout.reference;
    const requester = canonical(requesterOf(payout));
    const rows = ledger.get(ref) ?? [];
    for (const s of payout.snapshots) {
      const bys = (s.doc.approvals ?? []).map((a) => canonical(a.by));
      const twice = bys.find((by, i) => bys.indexOf(by) !== i);
      if (twice !== undefined) report('approvals-not-distinct', ref, `${twice} approved twice: approvals ${bys.join(', ')} (${s.source}, answered ${iso(s.answeredAt)})`);
    }
    const approvers = approversShown(payout.snapshots);
    if (approvers.has(POLICY_PRINCIPAL)) {
      if (payout.batchId !== undefined) report('auto-approval-outside-bounds', ref, `a row of batch ${payout.batchId}, approved by the policy (batches are never auto-approved)`);
      else if (!autoApprovable(policy, requester, payout.amount)) {
        report('auto-approval-outside-bounds', ref, `approved by the policy, but ${requester}'s payout of ${payout.amount} is outside its bounds (requesters ${policy.autoApprove?.requesters.join(', ') ?? 'none'}, up to ${policy.autoApprove?.maxAmount ?? 'nothing'})`);
      }
    }
    if (payout.batchId !== undefined) continue; // its batch's approvals decide it (below)
    const tier = approvalsRequiredFor(policy, payout.amount);
    const shown = [...new Set(payout.snapshots.flatMap((s) => (s.doc.approvalsRequired !== undefined ? [s.doc.approvalsRequired] : [])))];
    for (const n of shown) if (n !== tier) report('terms-not-as-policy', ref, `a payout of ${payout.amount} shows approvalsRequired ${n}, but the policy's tier asks ${tier}`);
    if (rows.length > 0) {
      const required = Math.max(tier, ...shown);
      const people = [...approvers].filter((by) => by !== POLICY_PRINCIPAL && by !== requester);
      const byPolicy = approvers.has(POLICY_PRINCIPAL) && autoApprovable(policy, requester, payout.amount);
      if (!byPolicy && people.length < required) {
        report('approvals-short', ref, `money moved (${rows.map(describeRow).join('; ')}) with ${people.length} distinct approver(s) other than the requester ${requester} (${people.join(', ') || 'none'}${approvers.has(POLICY_PRINCIPAL) ? ', and the policy, outside its bounds' : ''}), but it needs ${required}`);
      }
    }
  }

  for (const batch of batches.values()) checkBatchApprovals(batch, policy, obs, ledger, report);

  // Daily limits, against the ledgers: per day, requester and destination, what moved stays within the limit.
  const moved = new Map<string, { limit: number; total: number; refs: string[] }>();
  for (const payout of obs.payouts) {
    const rows = (ledger.get(payout.reference) ?? []).filter((r) => !MONEY_RETURNED.includes(r.status));
    if (rows.length === 0) continue;
    const day = jakartaDay(approvedAtOf(payout) ?? Math.min(...rows.map((r) => r.acceptedAt)));
    const scopes: [string, number | undefined][] = [
      [`requester ${canonical(requesterOf(payout))}`, policy.limits?.perRequesterPerDay],
      [`destination ${payout.destinationNumber}`, policy.limits?.perDestinationPerDay],
    ];
    for (const [scope, limit] of scopes) {
      if (limit === undefined) continue;
      const key = `${day} ${scope}`;
      const entry = moved.get(key) ?? { limit, total: 0, refs: [] };
      entry.total += payout.amount;
      entry.refs.push(`${payout.reference} ${payout.amount}`);
      moved.set(key, entry);
    }
  }
  for (const [key, { limit, total, refs }] of moved) {
    if (total > limit) report('daily-limit-exceeded', undefined, `${key}: ${total} moved, over the daily limit of ${limit}, by ${refs.length} payout(s): ${refs.slice(0, 8).join(', ')}${refs.length > 8 ? ', …' : ''}`);
  }

  // Refusals by the limits: the figures make sense, and nothing changed.
  for (const payout of obs.payouts) {
    for (const d of payout.decisions) {
      if (d.problem === 'limit-exceeded') checkLimitRefusal(payout.reference, d, policy, payout.batchId === undefined ? payout.amount : undefined, report);
    }
    checkRefusalLeftNoTrace(payout, principalOf, report);
  }
  for (const batch of batches.values()) for (const d of batch.decisions) if (d.problem === 'limit-exceeded') checkLimitRefusal(batch.reference, d, policy, undefined, report);

  // No leak: what the limits report as used is what the payouts hold.
  for (const reading of obs.limits ?? []) checkLimitsReading(reading, obs.payouts, report);
}

/** A batch: its approvals exclude the same rows, none is its requester's or the policy's, and rows moved money only with enough of them. */
function checkBatchApprovals(batch: BatchRecord, policy: ChaosPolicy, obs: Observations, ledger: Map<string, LedgerRow[]>, report: Report): void {
  const ref = batch.reference;
  const requester = canonical(batch.snapshots.find((s) => typeof s.doc.requestedBy === 'string')?.doc.requestedBy ?? batch.requestedBy);
  const exclusions = new Map<string, string>();
  for (const s of batch.snapshots) {
    for (const a of s.doc.approvals ?? []) {
      const by = canonical(a.by);
      if (by === requester) report('four-eyes', ref, `batch approved by "${a.by}", who requested it (${s.source}, answered ${iso(s.answeredAt)})`);
      if (by === POLICY_PRINCIPAL) report('auto-approval-outside-bounds', ref, `batch approved by the policy (batches are never auto-approved)`);
      if (a.excludeReferences) exclusions.set(by, [...a.excludeReferences].sort().join(','));
    }
  }
  if (new Set(exclusions.values()).size > 1) {
    report('batch-approvals-differ', ref, `its approvals exclude different rows: ${[...exclusions].map(([by, x]) => `${by} [${x}]`).join('; ')}`);
  }
  const taken = batch.decisions.filter((d): d is BatchDecisionRecord & { excluded: string[] } => d.decision === 'approve' && is2xx(d.httpStatus) && d.excluded !== undefined);
  const sets = new Set(taken.map((d) => [...d.excluded].sort().join(',')));
  if (sets.size > 1) report('batch-approvals-differ', ref, `approvals with different exclusions were all taken: ${taken.map((d) => `${d.who} (${d.tag}) [${[...d.excluded].sort().join(',')}] answered ${d.httpStatus}`).join('; ')}`);

  const paid = batch.rows.filter((r) => (ledger.get(r) ?? []).length > 0);
  if (paid.length === 0) return;
  const payouts = new Map(obs.payouts.map((p) => [p.reference, p]));
  const total = batch.rows.reduce((sum, r) => sum + (payouts.get(r)?.amount ?? 0), 0);
  const shown = batch.snapshots.flatMap((s) => (s.doc.approvalsRequired !== undefined ? [s.doc.approvalsRequired] : []));
  const tier = approvalsRequiredFor(policy, total);
  for (const n of new Set(shown)) if (n !== tier) report('terms-not-as-policy', ref, `a batch totalling ${total} shows approvalsRequired ${n}, but the policy's tier asks ${tier}`);
  const required = Math.max(tier, ...shown);
  const people = [...approversShown(batch.snapshots)].filter((by) => by !== POLICY_PRINCIPAL && by !== requester);
  if (people.length < required) {
    report('approvals-short', ref, `${paid.length} row(s) of batch ${ref} moved money (${paid.slice(0, 3).join(', ')}) with ${people.length} distinct approver(s) other than the requester (${people.join(', ') || 'none'}), but a batch totalling ${total} needs ${required}`);
  }
}

/** A 409 limit-exceeded: its scope, the policy's limit for it, used and remaining (limit − used, less than the request; a single payout requests its amount). */
function checkLimitRefusal(ref: string, d: DecisionRecord | BatchDecisionRecord, policy: ChaosPolicy, amount: number | undefined, report: Report): void {
  const l = d.limit ?? {};
  const what = `an approval by ${d.who} refused at ${iso(d.answeredAt)} (409 limit-exceeded: ${JSON.stringify(l)})`;
  const limit = l.scope === 'requester' ? policy.limits?.perRequesterPerDay : l.scope === 'destination' ? policy.limits?.perDestinationPerDay : undefined;
  const wrong: string[] = [];
  if (l.scope !== 'requester' && l.scope !== 'destination') wrong.push('no scope');
  else if (limit === undefined) wrong.push(`the policy sets no ${l.scope} limit`);
  else if (l.limit !== limit) wrong.push(`limit ${l.limit}, but the policy's is ${limit}`);
  if (l.used === undefined || l.remaining === undefined || l.requested === undefined || l.day === undefined) wrong.push('used, remaining, requested or day missing');
  else {
    if (l.limit !== undefined && l.remaining !== Math.max(0, l.limit - l.used)) wrong.push(`remaining ${l.remaining} is not limit − used`);
    if (l.requested <= l.remaining) wrong.push(`${l.requested} requested fits in the ${l.remaining} remaining`);
    if (amount !== undefined && l.requested !== amount) wrong.push(`${l.requested} requested, but the payout is for ${amount}`);
  }
  if (wrong.length > 0) report('limit-refusal-wrong', ref, `${what}: ${wrong.join('; ')}`);
}

/**
 * A refused approval left no trace: no document read after the refusal was answered, and answered
 * before any other approval of the payout was sent, shows the refused approver among its approvals
 * unless a document before the refusal already did.
 */
function checkRefusalLeftNoTrace(payout: PayoutRecord, principalOf: (who: string) => string, report: Report): void {
  const approvals = [...payout.decisions].filter((d) => d.decision === 'approve').sort((a, b) => a.sentAt - b.sentAt);
  for (const [i, refused] of approvals.entries()) {
    if (refused.problem !== 'limit-exceeded') continue;
    const by = principalOf(refused.who);
    const before = payout.snapshots.filter((s) => s.answeredAt < refused.sentAt);
    if (approversShown(before).has(by)) continue;
    // Another approval by the same principal sent before this answer came (a duplicate, a signal) may have taken.
    if (approvals.some((d) => d !== refused && principalOf(d.who) === by && d.sentAt <= refused.answeredAt)) continue;
    const until = approvals.slice(i + 1).find((d) => d.sentAt > refused.sentAt)?.sentAt ?? Infinity;
    const after = payout.snapshots.find((s) => readFrom(s) > refused.answeredAt && s.answeredAt < until && approversShown([s]).has(by));
    if (after) report('limit-refusal-wrong', payout.reference, `${by}'s approval was refused by the limits (answered ${iso(refused.answeredAt)}), yet a document (${after.source}, sent ${iso(after.sentAt)}) shows it among the approvals, before any other approval was sent`);
  }
}

/** GET /v1/limits at the end: `used` is the sum of the scope's payouts approved that day that ended SUCCEEDED or still hold it. */
function checkLimitsReading(reading: LimitsReading, payouts: readonly PayoutRecord[], report: Report): void {
  const inScope = payouts.filter((p) => (reading.kind === 'requester' ? canonical(requesterOf(p)) === canonical(reading.subject) : p.destinationNumber === reading.subject));
  let expected = 0;
  const holders: string[] = [];
  for (const p of inScope) {
    const snaps = p.snapshots;
    // Never seen: nothing to count, unless it may exist all the same (its create got no clear answer).
    if (snaps.length === 0) {
      if (p.createStatus >= 400 && p.createStatus !== 503) continue;
      return;
    }
    // Its status at the reading: the same in the last document answered before it and the first sent after it.
    const before = latestSnapshot(snaps.filter((s) => s.answeredAt <= reading.sentAt));
    const after = snaps.filter((s) => s.sentAt >= reading.answeredAt).sort((a, b) => a.sentAt - b.sentAt)[0];
    if (!before || !after || before.doc.status !== after.doc.status) return; // it moved around the reading: not judged
    const status = before.doc.status;
    const last = before.doc.timeline?.[before.doc.timeline.length - 1];
    if (isFinal(status) && status !== 'SUCCEEDED' && last && Date.parse(last.at) > reading.sentAt - RELEASE_GRACE_MS) return; // its release may still be under way
    const approvedAt = approvedAtOf(p);
    if (approvedAt === undefined) continue;
    if (nearDayStart(approvedAt)) return; // the day it counts on is uncertain
    if (jakartaDay(approvedAt) === reading.date && HOLDING_STATUSES.includes(status)) {
      expected += p.amount;
      holders.push(`${p.reference} ${p.amount} ${status}`);
    }
  }
  if (reading.used !== expected) {
    report(
      'limit-leak',
      undefined,
      `GET /v1/limits (sent ${iso(reading.sentAt)}) reports ${reading.used} used on ${reading.date} by ${reading.kind} ${reading.subject}, but its payouts approved that day that succeeded or are still open hold ${expected}${holders.length ? ` (${holders.slice(0, 8).join(', ')}${holders.length > 8 ? ', …' : ''})` : ''}`,
    );
  }
}

// ---------------------------------------------------------------- reconciliation (issue 18)

/**
 * What the run knows of one of its payouts for the reconciliation of one day (its provider's part of
 * the report), from the payout's documents read around the reconciliation:
 * - `matched`: a document showed it submitted within the day, and it was final in the last read before
 *   the reconciliation was asked for: the provider's records must agree with it (or the run reports a break);
 * - `pending`: submitted within the day (shown before the reconciliation), and open (PROCESSING or
 *   NEEDS_ATTENTION) in the last read before and in the first read after it: pending (or broken), never matched;
 * - `either`: submitted within the day (shown before the reconciliation), open before it and final after (or not read after):
 *   it may have settled while the reconciliation read it;
 * - `maybe`: counted or not, the run cannot tell: shown submitted within the day only after the
 *   reconciliation was asked for, or never read at a moment that would say;
 * - `none`: not the day's: submitted on another Jakarta day, or never submitted (a final document, or
 *   one read after the reconciliation ended, shows no transfer; or it was never created).
 */
export type ReconciliationExpectation = 'matched' | 'pending' | 'either' | 'maybe' | 'none';

/** `lastGet`: the status of the last GET /v1/payouts/{id} answer for the payout (404: it does not exist). */
export function reconciliationExpectation(p: PayoutRecord, rec: Pick<ReconciliationObservation, 'date' | 'sentAt' | 'answeredAt'>, lastGet?: number): ReconciliationExpectation {
  const snapshots = [...p.snapshots].sort((a, b) => a.answeredAt - b.answeredAt);
  const submittedAt = snapshots.find((s) => s.doc.transfer?.submittedAt !== undefined)?.doc.transfer!.submittedAt;
  if (submittedAt !== undefined) {
    const at = Date.parse(submittedAt);
    if (!Number.isFinite(at)) return 'maybe';
    if (jakartaDay(at) !== rec.date) return 'none';
    const before = latestSnapshot(snapshots.filter((s) => s.answeredAt <= rec.sentAt));
    // Submitted while the reconciliation ran (or never read before it): it may or may not have seen it.
    if (!before || before.doc.transfer?.submittedAt === undefined) return 'maybe';
    if (isFinal(before.doc.status)) return 'matched';
    const after = snapshots.find((s) => s.sentAt >= rec.answeredAt);
    return after && !isFinal(after.doc.status) ? 'pending' : 'either';
  }
  // A submission never leaves a document: a final one without it, or one read after the reconciliation, says none happened by then.
  if (snapshots.some((s) => isFinal(s.doc.status) || s.sentAt >= rec.answeredAt)) return 'none';
  if (snapshots.length === 0 && !is2xx(p.createStatus) && lastGet === 404) return 'none';
  return 'maybe';
}

/**
 * The reconciliation rules (issue 18), for each day the run reconciled after everything settled:
 * - reconciliation-failed: the run of a day did not complete;
 * - reconciliation-break: any break is a violation (the run made none on purpose);
 * - reconciliation-missed: a day a payout was shown submitted on was not reconciled; or a provider's
 *   `ours` is not the payouts the run saw submitted to it that day (judged only within what the run
 *   cannot place, `maybe`), or its matched and pending tallies disagree with what the run knows:
 *   a payout final before the reconciliation is matched unless broken, one open throughout is pending
 *   unless broken (ReconciliationExpectation).
 */
function checkReconciliations(obs: Observations, recs: readonly ReconciliationObservation[], report: Report): void {
  const lastGet = new Map<string, { sentAt: number; status: number }>();
  for (const a of obs.answers) {
    if (a.route !== 'GET /v1/payouts/{id}' || a.reference === undefined) continue;
    const known = lastGet.get(a.reference);
    if (!known || a.sentAt >= known.sentAt) lastGet.set(a.reference, { sentAt: a.sentAt, status: a.status });
  }
  const names = (list: readonly PayoutRecord[]) => `${list.slice(0, 8).map((p) => p.reference).join(', ')}${list.length > 8 ? ', …' : ''}`;
  const sum = (list: readonly PayoutRecord[]) => list.reduce((n, p) => n + p.amount, 0);

  // Every day a payout was shown submitted on was reconciled.
  const days = new Map<string, PayoutRecord[]>();
  for (const p of obs.payouts) {
    const at = Date.parse(p.snapshots.find((s) => s.doc.transfer?.submittedAt !== undefined)?.doc.transfer!.submittedAt ?? '');
    if (Number.isFinite(at)) days.set(jakartaDay(at), [...(days.get(jakartaDay(at)) ?? []), p]);
  }
  for (const [day, list] of [...days].sort()) {
    if (!recs.some((r) => r.date === day)) report('reconciliation-missed', undefined, `no reconciliation of ${day}, on which the run saw ${list.length} payout(s) submitted (${names(list)})`);
  }

  for (const rec of recs) {
    const run = `the reconciliation of ${rec.date}${rec.id ? ` (${rec.id})` : ''}`;
    if (rec.status !== 'COMPLETED') {
      const how = rec.status === 'RUNNING' ? `had not ended ${rec.answeredAt - rec.sentAt} ms after it was asked for` : rec.status === 'FAILED' ? 'ended FAILED, without a report' : 'was not started';
      report('reconciliation-failed', undefined, `${run} ${how}${rec.error ? `: ${rec.error}` : ''}`);
      continue;
    }
    for (const b of rec.breaks) {
      const ours = b.ours ? ` (${b.ours.status} here, IDR ${b.ours.amount}${b.ours.submittedAt ? `, submitted ${b.ours.submittedAt}` : ''})` : '';
      report('reconciliation-break', b.reference, `${rec.date}: ${b.kind} at ${b.provider}${b.reference ? ` for ${b.reference}` : ''}${ours}: ${b.detail}`);
    }
    const counted = rec.providers.reduce((n, f) => n + Object.values(f.breaks).reduce((a, x) => a + x, 0), 0);
    if (rec.breaksOmitted || counted > rec.breaks.length) {
      report('reconciliation-break', undefined, `${run} counts ${counted} break(s) by kind; its result lists ${rec.breaks.length}${rec.breaksOmitted ? ` and leaves ${rec.breaksOmitted} out` : ''}`);
    }

    const providers = [...new Set([...obs.payouts.map((p) => p.provider as string), ...rec.providers.map((f) => f.provider)])].sort();
    for (const provider of providers) {
      const expected = new Map<ReconciliationExpectation, PayoutRecord[]>();
      for (const p of obs.payouts.filter((x) => x.provider === provider)) {
        const e = reconciliationExpectation(p, rec, lastGet.get(p.reference)?.status);
        expected.set(e, [...(expected.get(e) ?? []), p]);
      }
      const by = (e: ReconciliationExpectation) => expected.get(e) ?? [];
      const [matchedSure, pendingSure, either, maybe] = [by('matched'), by('pending'), by('either'), by('maybe')];
      const sure = [...matchedSure, ...pendingSure, ...either];
      const where = `${rec.date} at ${provider}`;
      const figures = rec.providers.find((f) => f.provider === provider);
      if (!figures) {
        if (sure.length > 0) report('reconciliation-missed', undefined, `${run} has no part for ${provider}, where the run saw ${sure.length} payout(s) submitted that day (${names(sure)})`);
        continue;
      }
      const { ours, matched, pending } = figures;
      const unplaced = maybe.length ? ` and cannot place ${maybe.length} more (${names(maybe)})` : '';
      if (ours.count < sure.length || ours.count > sure.length + maybe.length) {
        report('reconciliation-missed', undefined, `${where}: the report counts ${ours.count} payout(s) submitted that day (IDR ${ours.total}), but the run saw ${sure.length} (IDR ${sum(sure)}: ${names(sure) || 'none'})${unplaced}`);
        continue;
      }
      if (maybe.length === 0 && ours.total !== sum(sure)) {
        report('reconciliation-missed', undefined, `${where}: the report counts ${ours.count} payout(s) submitted that day as the run does, but for IDR ${ours.total}, not IDR ${sum(sure)} (${names(sure)})`);
        continue;
      }
      const broken = ours.count - matched.count - pending.count;
      if (broken < 0) {
        report('reconciliation-missed', undefined, `${where}: ${matched.count} matched and ${pending.count} pending are more than the ${ours.count} payout(s) it counts`);
        continue;
      }
      const uncertain = either.length + maybe.length;
      if (matched.count + broken < matchedSure.length || pending.count > pendingSure.length + uncertain) {
        report(
          'reconciliation-missed',
          undefined,
          `${where}: ${matched.count} matched, ${pending.count} pending and ${broken} broken, but ${matchedSure.length} payout(s) submitted that day were final before the reconciliation was asked for, whose provider records must agree or break (${names(matchedSure)}), ${pendingSure.length} open throughout, ${uncertain} uncertain`,
        );
      } else if (pending.count + broken < pendingSure.length || matched.count > matchedSure.length + uncertain) {
        report(
          'reconciliation-missed',
          undefined,
          `${where}: ${matched.count} matched, ${pending.count} pending and ${broken} broken, but ${pendingSure.length} payout(s) submitted that day were open before and after the reconciliation, so pending unless broken (${names(pendingSure)}), ${matchedSure.length} final before it, ${uncertain} uncertain`,
        );
      }
    }
  }
}

// ---------------------------------------------------------------- webhooks

/** The event type of a status: `payout.<status in lower case>` (src/domain/events.ts). */
export const eventTypeOf = (status: string): string => `payout.${status.toLowerCase()}`;

/** The event id of a payout's `sequence`th status (src/domain/events.ts payoutEventId). */
export const eventIdOf = (reference: string, sequence: number): string => `evt_${reference}.${sequence}`;

/** The longest timeline among a payout's documents (timelines only grow: timeline-rewritten checks that), optionally only those answered by `before`. */
export function longestTimeline(payout: PayoutRecord, before = Infinity): PayoutDocument['timeline'] {
  let longest: PayoutDocument['timeline'] = [];
  for (const s of payout.snapshots) if (s.answeredAt <= before && (s.doc.timeline ?? []).length > longest.length) longest = s.doc.timeline;
  return longest;
}

/**
 * The events an endpoint subscribed to `events` is owed: one per entry of each payout's longest
 * timeline answered by `before` whose type it subscribed to. Keyed by event id.
 */
export function expectedEvents(
  payouts: readonly PayoutRecord[],
  events: readonly string[],
  before: number,
  batches: readonly BatchRecord[] = [],
): Map<string, { payoutId: string; sequence: number; type: string; createdAt: string }> {
  const expected = new Map<string, { payoutId: string; sequence: number; type: string; createdAt: string }>();
  for (const payout of payouts) {
    longestTimeline(payout, before).forEach((entry, i) => {
      const type = eventTypeOf(entry.status);
      if (events.includes(type)) expected.set(eventIdOf(payout.reference, i + 1), { payoutId: payout.reference, sequence: i + 1, type, createdAt: entry.at });
    });
  }
  // A batch's events: batch.<status> for each entry of its timeline, `evt_batch:<reference>.<n>` (src/domain/events.ts).
  for (const batch of batches) {
    longestBatchTimeline(batch, before).forEach((entry, i) => {
      const type = batchEventTypeOf(entry.status);
      if (events.includes(type)) expected.set(eventIdOf(batchSubject(batch.reference), i + 1), { payoutId: batchSubject(batch.reference), sequence: i + 1, type, createdAt: entry.at });
    });
  }
  return expected;
}

/** A batch's event type, its events' subject (src/domain/events.ts). */
export const batchEventTypeOf = (status: string): string => `batch.${status.toLowerCase()}`;
export const batchSubject = (reference: string): string => `batch:${reference}`;

/** The longest timeline among a batch's documents answered by `before`. */
export function longestBatchTimeline(batch: BatchRecord, before = Infinity): BatchSnapshot['doc']['timeline'] {
  let longest: BatchSnapshot['doc']['timeline'] = [];
  for (const s of batch.snapshots) if (s.answeredAt <= before && s.doc.timeline.length > longest.length) longest = s.doc.timeline;
  return longest;
}

/** Whose event it is: the payout's id, or `batch:<reference>`. */
const subjectOf = (d: ReceivedEvent): string => (d.batchId !== undefined ? batchSubject(d.batchId) : d.payoutId);

/** The first arrival of each event at an endpoint, in order of arrival, with how often it came. */
export function firstArrivals(received: readonly ReceivedEvent[]): Map<string, { first: ReceivedEvent; arrivals: number }> {
  const firsts = new Map<string, { first: ReceivedEvent; arrivals: number }>();
  for (const d of received) {
    const known = firsts.get(d.eventId);
    if (known) known.arrivals += 1;
    else firsts.set(d.eventId, { first: d, arrivals: 1 });
  }
  return firsts;
}

/**
 * Webhooks: every status of every payout reached every endpoint that subscribed to its type (by the
 * end of the drain), in order of sequence per endpoint and payout (a redelivery may repeat an event,
 * at least once, but nothing new arrives after a later event), each verified, each the payout's own
 * event, with its number masked, and the API's delivery log agreeing with what arrived.
 */
function checkWebhooks(w: WebhookObservations, payouts: Map<string, PayoutRecord>, batches: Map<string, BatchRecord>, report: Report): void {
  for (const endpoint of w.endpoints) {
    const name = `endpoint ${endpoint.name} (${endpoint.id})`;
    const firsts = firstArrivals(endpoint.received);

    // Verified: our receiver keeps only what it verified; the reference library must agree, and the
    // webhook-id is the event id. Anything refused other than on purpose was not signed right.
    for (const d of endpoint.received) {
      if (!d.verifiedByReference) report('webhook-unverified', d.payoutId || undefined, `${name}: ${d.eventId} (webhook-id ${d.webhookId}, received ${iso(d.receivedAt)}) was not verified by standardwebhooks with the endpoint's secret`);
      if (d.webhookId !== d.eventId) report('webhook-unverified', d.payoutId || undefined, `${name}: webhook-id ${d.webhookId} but the event is ${d.eventId} (received ${iso(d.receivedAt)})`);
    }
    for (const r of endpoint.refused) report('webhook-unverified', undefined, `${name}'s receiver refused a delivery at ${iso(r.at)}: ${r.reason}`);

    // The payout's own events, of types the endpoint subscribed to.
    for (const { first: d } of firsts.values()) {
      if (d.batchId !== undefined) checkEventAgainstBatch(d, endpoint, name, batches.get(d.batchId), report);
      else checkEventAgainstPayout(d, endpoint, name, payouts.get(d.payoutId), report);
    }

    // Order: per payout (and per batch), no event arrives for the first time after one with a higher sequence.
    const highest = new Map<string, ReceivedEvent>();
    for (const { first: d } of firsts.values()) {
      const before = highest.get(subjectOf(d));
      if (before && d.sequence < before.sequence) {
        report('webhook-out-of-order', d.batchId ?? d.payoutId, `${name}: ${d.eventId} (${d.type}, sequence ${d.sequence}) first arrived at ${iso(d.receivedAt)}, after ${before.eventId} (${before.type}, sequence ${before.sequence}) at ${iso(before.receivedAt)}`);
      } else {
        highest.set(subjectOf(d), d);
      }
    }

    // Every status seen in a timeline by the end of the drain reached the endpoint.
    for (const [eventId, e] of expectedEvents([...payouts.values()], endpoint.events, w.drainedAt, [...batches.values()])) {
      if (!firsts.has(eventId)) {
        report('webhook-event-missing', e.payoutId.replace(/^batch:/, ''), `${name} never received ${eventId} (${e.type}, sequence ${e.sequence}, entered ${e.createdAt}) within ${w.drainWithinMs} ms of the receivers being back up (drain ended ${iso(w.drainedAt)})`);
      }
    }

    checkDeliveryLog(endpoint, name, firsts, report);
  }
}

function checkEventAgainstPayout(d: ReceivedEvent, endpoint: EndpointObservation, name: string, payout: PayoutRecord | undefined, report: Report): void {
  const ref = d.payoutId || undefined;
  const what = `${name}: ${d.eventId} (${d.type}, sequence ${d.sequence}, received ${iso(d.receivedAt)})`;
  if (!endpoint.events.includes(d.type)) report('webhook-invented', ref, `${what}: a type the endpoint did not subscribe to (${endpoint.events.join(', ')})`);
  if (!payout) {
    report('webhook-invented', ref, `${what}: an event for a payout the run never created ("${d.payoutId}")`);
    return;
  }
  if (!Number.isInteger(d.sequence) || d.sequence < 1 || d.eventId !== eventIdOf(payout.reference, d.sequence)) {
    report('webhook-invented', ref, `${what}: the id is not ${eventIdOf(payout.reference, d.sequence)}`);
    return;
  }
  const timeline = longestTimeline(payout);
  const entry = timeline[d.sequence - 1];
  if (!entry) {
    // Only evidence when the payout was read after the event arrived, and had no such status then.
    const readAfter = payout.snapshots.filter((s) => s.sentAt >= d.receivedAt);
    if (readAfter.length > 0) {
      report('webhook-invented', ref, `${what}: the payout's timeline has ${timeline.length} entries (${timeline.map((e) => e.status).join('→')}), also in ${readAfter.length} read(s) sent after the event arrived`);
    }
    return;
  }
  const wrong: string[] = [];
  if (d.type !== eventTypeOf(entry.status)) wrong.push(`its timeline's entry ${d.sequence} is ${entry.status}`);
  if (d.createdAt !== entry.at) wrong.push(`createdAt ${d.createdAt}, but the payout entered ${entry.status} at ${entry.at}`);
  if (d.payoutStatus !== entry.status) wrong.push(`the payout in it is ${d.payoutStatus}`);
  const prefix = timeline.slice(0, d.sequence);
  if (d.timeline.length !== prefix.length || d.timeline.some((e, i) => e.status !== prefix[i]!.status || e.at !== prefix[i]!.at)) {
    wrong.push(`the payout in it has the timeline ${d.timeline.map((e) => `${e.status} ${e.at}`).join('→')}, not ${prefix.map((e) => `${e.status} ${e.at}`).join('→')}`);
  }
  if (wrong.length > 0) report('webhook-invented', ref, `${what}: ${wrong.join('; ')}`);
  if (d.shownNumber !== maskNumber(payout.destinationNumber)) {
    report('webhook-number-unmasked', ref, `${what}: the destination number shows as "${d.shownNumber}", not "${maskNumber(payout.destinationNumber)}"`);
  }
}

/** A batch's event is the batch's own: a batch of this run, its id, type and createdAt its timeline's entry `sequence`, the batch in it at that status. */
function checkEventAgainstBatch(d: ReceivedEvent, endpoint: EndpointObservation, name: string, batch: BatchRecord | undefined, report: Report): void {
  const what = `${name}: ${d.eventId} (${d.type}, sequence ${d.sequence}, received ${iso(d.receivedAt)})`;
  if (!endpoint.events.includes(d.type)) report('webhook-invented', d.batchId, `${what}: a type the endpoint did not subscribe to (${endpoint.events.join(', ')})`);
  if (!batch) {
    report('webhook-invented', d.batchId, `${what}: an event for a batch the run never created ("${d.batchId}")`);
    return;
  }
  if (!Number.isInteger(d.sequence) || d.sequence < 1 || d.eventId !== eventIdOf(batchSubject(batch.reference), d.sequence)) {
    report('webhook-invented', batch.reference, `${what}: the id is not ${eventIdOf(batchSubject(batch.reference), d.sequence)}`);
    return;
  }
  const timeline = longestBatchTimeline(batch);
  const entry = timeline[d.sequence - 1];
  if (!entry) {
    const readAfter = batch.snapshots.filter((s) => s.sentAt >= d.receivedAt);
    if (readAfter.length > 0) report('webhook-invented', batch.reference, `${what}: the batch's timeline has ${timeline.length} entries (${timeline.map((e) => e.status).join('→')}), also in ${readAfter.length} read(s) sent after the event arrived`);
    return;
  }
  const wrong: string[] = [];
  if (d.type !== batchEventTypeOf(entry.status)) wrong.push(`its timeline's entry ${d.sequence} is ${entry.status}`);
  if (d.createdAt !== entry.at) wrong.push(`createdAt ${d.createdAt}, but the batch entered ${entry.status} at ${entry.at}`);
  if (d.batchStatus !== entry.status) wrong.push(`the batch in it is ${d.batchStatus}`);
  if (wrong.length > 0) report('webhook-invented', batch.reference, `${what}: ${wrong.join('; ')}`);
}

/** The API's log shows DELIVERED for every event that arrived before the log was read, and DELIVERED only for what arrived. */
function checkDeliveryLog(endpoint: EndpointObservation, name: string, firsts: Map<string, { first: ReceivedEvent }>, report: Report): void {
  if (endpoint.log === undefined || endpoint.logReadAt === undefined) {
    report('webhook-log-mismatch', undefined, `${name}: the delivery log could not be read`);
    return;
  }
  const byId = new Map(endpoint.log.map((r) => [r.eventId, r]));
  for (const [eventId, { first }] of firsts) {
    if (first.receivedAt > endpoint.logReadAt) continue;
    const record = byId.get(eventId);
    if (record?.state === 'DELIVERED') continue;
    const shows = record ? `shows it ${record.state} after ${record.attempts} attempt(s)${record.lastError ? ` (${record.lastError})` : record.lastHttpStatus ? ` (last answer ${record.lastHttpStatus})` : ''}` : 'does not list it';
    report('webhook-log-mismatch', first.payoutId || undefined, `${name} received ${eventId} at ${iso(first.receivedAt)}, but the delivery log read at ${iso(endpoint.logReadAt)} ${shows}`);
  }
  for (const record of endpoint.log) {
    if (record.state === 'DELIVERED' && !firsts.has(record.eventId)) {
      report('webhook-log-mismatch', record.payoutId || undefined, `the delivery log shows ${record.eventId} DELIVERED (${record.attempts} attempt(s), last answer ${record.lastHttpStatus ?? 'none'}), but ${name}'s receiver never accepted it`);
    }
  }
}

function approvalsOf(snapshots: Snapshot[]): { by: string }[] {
  const found = new Map<string, { by: string }>();
  for (const s of snapshots) {
    if (s.doc.approval?.decision === 'APPROVED' && typeof s.doc.approval.by === 'string') found.set(s.doc.approval.by, { by: s.doc.approval.by });
    for (const a of s.doc.approvals ?? []) if (typeof a.by === 'string' && (a.decision === undefined || a.decision === 'APPROVED')) found.set(a.by, { by: a.by });
  }
  return [...found.values()];
}

function requesterOf(payout: PayoutRecord): string {
  return payout.snapshots.find((s) => typeof s.doc.requestedBy === 'string')?.doc.requestedBy ?? payout.requestedBy;
}

function statusList(doc: PayoutDocument): string[] {
  return (doc.timeline ?? []).map((e) => e.status);
}

function startsWith(list: string[], prefix: string[]): boolean {
  return prefix.length <= list.length && prefix.every((status, i) => list[i] === status);
}

export function describeRow(row: LedgerRow): string {
  return `${row.provider} ${row.reference} ${row.amount} to ${row.destinationNumber}, status ${row.status}, ${row.triggerCalls} trigger call(s), accepted ${iso(row.acceptedAt)}`;
}

function iso(ms: number): string {
  return Number.isFinite(ms) ? new Date(ms).toISOString() : String(ms);
}
