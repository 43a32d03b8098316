// The run's report: the seed, what was exercised, the outcomes, the decisions' latency, the calls each
// API instance took, each disruption with its recovery time, the webhooks' figures, and every
// violation with its payout's timeline and ledger rows.
import { describeRow, firstArrivals, inOutage, reconciliationExpectation, rowStatusOfDocument, type ReconciliationExpectation } from './checker';
import type { ChaosResult } from './driver';
import { describeEvent, type BatchRecord, type Observations, type PayoutRecord, type WebhookObservations } from './model';

export function percentile(values: number[], p: number): number | undefined {
  if (values.length === 0) return undefined;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
}

/** The status each payout ended in (its latest document), counted. */
export function outcomes(obs: Observations): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const p of obs.payouts) {
    const status = latestStatus(p) ?? (p.createStatus >= 200 && p.createStatus < 300 ? 'UNSEEN' : `NOT_CREATED_${p.createStatus}`);
    counts[status] = (counts[status] ?? 0) + 1;
  }
  return counts;
}

/** The API calls each instance took (sent to it, answered or not), by its base URL; `unrecorded` for answers without one. */
export function callsPerInstance(obs: Observations): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const a of obs.answers) {
    const instance = a.instance ?? 'unrecorded';
    counts[instance] = (counts[instance] ?? 0) + 1;
  }
  return counts;
}

/**
 * One line per planned disruption, in the order they ran: what, at which payout, when, and its
 * recovery time (from its start until what it took down answered again), or why it did not.
 */
export function disruptionLines(result: Pick<ChaosResult, 'plan' | 'disruptionWindows'>): string[] {
  const { plan, disruptionWindows } = result;
  const kinds: Record<string, number> = {};
  for (const d of plan.disruptions) kinds[d.event.kind] = (kinds[d.event.kind] ?? 0) + 1;
  const lines = [`disruptions: ${plan.disruptions.length ? `${plan.disruptions.length} (${Object.entries(kinds).sort().map(([k, n]) => `${k} ${n}`).join(', ')})` : 'none'}`];
  plan.disruptions.forEach((d, i) => {
    const ran = disruptionWindows.find((w) => w.index === i);
    const at = d.duringBatch ? `during batch ${plan.batches?.[d.duringBatch.batch]?.reference ?? d.duringBatch.batch}, ${d.duringBatch.afterApprovalMs} ms after its approval` : `at payout ${d.afterPayout}`;
    const what = `  ${ran?.detail ?? describeEvent(d.event)} ${at}`;
    if (!ran) lines.push(`${what}: did not run`);
    else lines.push(`${what}: from ${clock(ran.from)}, ${ran.error ? `FAILED after ${ran.recoveryMs} ms: ${ran.error}` : `recovered in ${ran.recoveryMs} ms`}`);
  });
  return lines;
}

const clock = (ms: number) => new Date(ms).toISOString().slice(11, 23);

/** How long after a worker kill or server restart answered again its effects count as part of it. */
export const DISRUPTION_TAIL_MS = 15_000;

/**
 * p50 and p99 of the API's answers to approve, reject and cancel, in ms. With `windows`, only the
 * answers to requests that neither overlapped a kill or restart nor were sent within
 * DISRUPTION_TAIL_MS after one (the workflow tasks of a killed worker time out first).
 */
export function decisionLatency(
  obs: Observations,
  windows?: { from: number; to: number }[],
): { count: number; p50?: number; p99?: number; max?: number; overOneSecond: number } {
  const disrupted = (a: { sentAt: number; answeredAt: number }) =>
    (windows ?? []).some((w) => a.answeredAt >= w.from && a.sentAt <= w.to + DISRUPTION_TAIL_MS);
  const ms = obs.answers
    .filter((a) => /\/(approve|reject|cancel)$/.test(a.route) && a.status !== 0 && !(windows && disrupted(a)))
    .map((a) => a.answeredAt - a.sentAt);
  return { count: ms.length, p50: percentile(ms, 50), p99: percentile(ms, 99), max: percentile(ms, 100), overOneSecond: ms.filter((m) => m > 1_000).length };
}

/**
 * After each receiver fault: the events of that endpoint created before the fault ended that first
 * arrived after it (held, or at least not through yet), and how long after its end the last of them
 * arrived (the delivery lag after the receiver came back).
 */
export function receiverRecovery(w: WebhookObservations): { receiver: number; name: string; kind: string; from: number; to: number; held: number; lagMs?: number }[] {
  return w.faultWindows.map((window) => {
    const endpoint = w.endpoints[window.receiver];
    const held = [...firstArrivals(endpoint?.received ?? []).values()].map(({ first }) => first).filter((d) => d.receivedAt >= window.to && Date.parse(d.createdAt) < window.to);
    const lagMs = held.length > 0 ? Math.max(...held.map((d) => d.receivedAt - window.to)) : undefined;
    return { receiver: window.receiver, name: endpoint?.name ?? String(window.receiver), kind: window.kind, from: window.from, to: window.to, held: held.length, ...(lagMs !== undefined && { lagMs }) };
  });
}

/** Per endpoint: events received (distinct), arrivals, duplicates, refusals, and the delivery log's states and attempts. */
export function webhookFigures(w: WebhookObservations) {
  return w.endpoints.map((e) => {
    const firsts = firstArrivals(e.received);
    const states: Record<string, number> = {};
    for (const r of e.log ?? []) states[r.state] = (states[r.state] ?? 0) + 1;
    return {
      name: e.name,
      id: e.id,
      events: e.events.length,
      received: firsts.size,
      arrivals: e.received.length,
      duplicates: e.received.length - firsts.size,
      duplicatedEvents: [...firsts.values()].filter((f) => f.arrivals > 1).length,
      refused: e.refused.length,
      log: e.log === undefined ? undefined : { states, attempts: e.log.reduce((n, r) => n + r.attempts, 0), retried: e.log.filter((r) => r.attempts > 1).length },
    };
  });
}

function formatWebhooks(w: WebhookObservations, result: ChaosResult): string[] {
  const lines: string[] = [];
  for (const f of webhookFigures(w)) {
    const log = f.log ? `log ${Object.entries(f.log.states).sort().map(([k, n]) => `${k} ${n}`).join(', ') || 'empty'}, ${f.log.attempts} attempts (${f.log.retried} events retried)` : 'log not read';
    lines.push(
      `webhooks to ${f.name} (${f.id}, ${f.events} event types): ${f.received} events received, ${f.arrivals} deliveries, ${f.duplicates} duplicate(s) of ${f.duplicatedEvents} event(s), ${f.refused} refused as unverified; ${log}`,
    );
  }
  const recovery = receiverRecovery(w);
  const kinds: Record<string, number> = {};
  for (const r of recovery) kinds[r.kind] = (kinds[r.kind] ?? 0) + 1;
  const overlapping = recovery.filter((r) => result.disruptionWindows.some((d) => r.from <= d.to && d.from <= r.to)).length;
  const total = recovery.reduce((ms, r) => ms + (r.to - r.from), 0);
  lines.push(
    `receiver faults: ${recovery.length}${recovery.length ? ` (${Object.entries(kinds).sort().map(([k, n]) => `${k} ${n}`).join(', ')}), ${(total / 1000).toFixed(1)} s in all, ${overlapping} overlapping a kill or restart` : ''}`,
  );
  for (const r of recovery) {
    const during = result.disruptionWindows.filter((d) => r.from <= d.to && d.from <= r.to).map((d) => d.kind);
    lines.push(
      `  ${r.name} ${r.kind} for ${((r.to - r.from) / 1000).toFixed(1)} s from ${new Date(r.from).toISOString().slice(11, 23)}${during.length ? ` (during ${during.join(', ')})` : ''}: ${r.held ? `${r.held} event(s) waiting, the last arrived ${r.lagMs} ms after it came back` : 'no event waiting'}`,
    );
  }
  const lags = recovery.flatMap((r) => (r.lagMs !== undefined ? [r.lagMs] : []));
  lines.push(`max delivery lag after a receiver came back: ${lags.length ? `${Math.max(...lags)} ms` : '-'}; drained ${result.webhookDrainMs !== undefined ? `${result.webhookDrainMs} ms after the payouts settled` : `NOT within ${w.drainWithinMs} ms`}`);
  return lines;
}

const tallyLine = (t: Record<string, number>) =>
  Object.entries(t)
    .sort()
    .map(([k, n]) => `${k} ${n}`)
    .join(', ') || 'none';

/** The batches' figures: by planned decision and final status, their rows, the rows paid, and one line per batch. */
export function batchLines(obs: Observations): string[] {
  const batches = obs.batches ?? [];
  if (batches.length === 0) return [];
  const planned: Record<string, number> = {};
  const ended: Record<string, number> = {};
  const rowOutcomes: Record<string, number> = {};
  const byRef = new Map(obs.payouts.map((p) => [p.reference, p]));
  const transfers = new Map<string, number>();
  const paid = new Set<string>();
  for (const r of obs.ledger) {
    transfers.set(r.reference, (transfers.get(r.reference) ?? 0) + 1);
    if (r.status === '00') paid.add(r.reference);
  }
  const per: string[] = [];
  let rows = 0;
  let rowsPaid = 0;
  let rowTransfers = 0;
  for (const b of batches) {
    planned[b.plan] = (planned[b.plan] ?? 0) + 1;
    const status = latestBatchStatus(b) ?? (b.createStatus >= 200 && b.createStatus < 300 ? 'UNSEEN' : `NOT_CREATED_${b.createStatus}`);
    ended[status] = (ended[status] ?? 0) + 1;
    const mine: Record<string, number> = {};
    for (const ref of b.rows) {
      const doc = latestDoc(byRef.get(ref) ?? ({ snapshots: [] } as unknown as PayoutRecord));
      const s = doc ? rowStatusOfDocument(doc) : 'UNSEEN';
      mine[s] = (mine[s] ?? 0) + 1;
      rowOutcomes[s] = (rowOutcomes[s] ?? 0) + 1;
    }
    const batchPaid = b.rows.filter((ref) => paid.has(ref)).length;
    const batchTransfers = b.rows.reduce((n, ref) => n + (transfers.get(ref) ?? 0), 0);
    rows += b.rows.length;
    rowsPaid += batchPaid;
    rowTransfers += batchTransfers;
    const last = [...b.snapshots].sort((x, y) => x.answeredAt - y.answeredAt).at(-1)?.doc;
    const approval = [...b.snapshots].reverse().find((s) => s.doc.approval)?.doc.approval;
    const answers = b.decisions.map((d) => `${d.tag}${d.decision === 'row-approve' ? '' : ` ${d.decision}`}→${d.via === 'signal' ? (d.error ? 'refused' : 'signal') : `${d.httpStatus}${d.problem ? ` ${d.problem}` : ''}`}`);
    per.push(
      `  ${b.reference} ${b.plan}, ${b.rows.length} rows: ${status}${approval ? `; ${approval.decision.toLowerCase()} by ${approval.by}${approval.count !== undefined ? ` for ${approval.count} rows, IDR ${approval.total?.value ?? '?'}${approval.excludedCount ? `, ${approval.excludedCount} excluded` : ''}` : ''}` : ''}${last?.cancellation ? `; cancelled while processing by ${last.cancellation.by}` : ''}; ${answers.join(', ') || 'no decision sent'}; rows ${tallyLine(mine)}; ${batchPaid} paid, ${batchTransfers} transfer(s)`,
    );
  }
  return [
    `batches: ${batches.length} (${rows} rows): planned ${tallyLine(planned)}; ended ${tallyLine(ended)}`,
    `batch rows: ${rows}, ${rowsPaid} paid (${rowTransfers} transfer(s) in the ledgers); rows ended ${tallyLine(rowOutcomes)}`,
    ...per,
  ];
}

function latestBatchStatus(b: BatchRecord): string | undefined {
  return [...b.snapshots].sort((x, y) => x.answeredAt - y.answeredAt).at(-1)?.doc.status;
}

/** A batch's story for a violation: its last timeline, its decision, its answers. */
export function describeBatch(b: BatchRecord): string[] {
  const last = [...b.snapshots].sort((x, y) => x.answeredAt - y.answeredAt).at(-1)?.doc;
  const lines = [`batch ${b.reference} (${b.plan}), ${b.rows.length} rows, requested by ${b.requestedBy}${b.scheduledAt ? `, scheduledAt ${b.scheduledAt}` : ''}, create → ${b.createStatus}`];
  if (last) {
    lines.push(`timeline: ${last.timeline.map((e) => `${e.status} ${e.at.slice(11, 23)}${e.detail ? ` (${e.detail})` : ''}`).join(' → ')}`);
    if (last.approval) lines.push(`approval: ${JSON.stringify(last.approval)}`);
    if (last.cancellation) lines.push(`cancellation: ${JSON.stringify(last.cancellation)}`);
    lines.push(`counts: ${tallyLine(last.counts ?? {})}`);
  }
  for (const d of b.decisions) {
    lines.push(
      `${d.decision} via ${d.via} by ${d.who} [${d.tag}]${d.row ? ` row ${d.row}` : ''}${d.expected ? ` asserting ${d.expected.count} rows, ${d.expected.total}` : ''}${d.excluded?.length ? `, excluding ${d.excluded.length}` : ''} sent ${new Date(d.sentAt).toISOString().slice(11, 23)} → ${d.via === 'api' ? `${d.httpStatus}${d.problem ? ` ${d.problem}` : ''}${d.answeredStatus ? ` ${d.answeredStatus}` : ''}` : (d.error ?? 'delivered')} in ${d.answeredAt - d.sentAt} ms`,
    );
  }
  return lines;
}

/**
 * The approval policy's figures (issue 15): the policy, the payouts approved by two people and by
 * the policy, the approvals' refusals by problem (already-approved, limit-exceeded by scope, …), and
 * the limits read at the end.
 */
export function policyLines(obs: Observations): string[] {
  const policy = obs.policy;
  if (!policy) return [];
  const lines = [
    `approval policy: ${policy.tiers.map((t) => `${t.approvals} approver(s) from ${t.minAmount}`).join(', ')}; auto-approval ${policy.autoApprove ? `of ${policy.autoApprove.requesters.join(', ')} up to ${policy.autoApprove.maxAmount}` : 'none'}; limits per day: requester ${policy.limits?.perRequesterPerDay ?? 'none'}, destination ${policy.limits?.perDestinationPerDay ?? 'none'}`,
  ];
  const singles = obs.payouts.filter((p) => p.batchId === undefined);
  const approversOf = (p: PayoutRecord) => {
    const doc = latestDoc(p);
    return new Set((doc?.approvals ?? []).map((a) => a.by));
  };
  const twoPeople = singles.filter((p) => [...approversOf(p)].filter((by) => by !== 'policy').length >= 2).length;
  const byPolicy = singles.filter((p) => approversOf(p).has('policy')).length;
  const refusals: Record<string, number> = {};
  const note = (d: { decision: string; httpStatus?: number; problem?: string; limit?: { scope?: string } }) => {
    if (d.decision !== 'approve' || d.httpStatus === undefined || d.httpStatus < 400) return;
    const k = `${d.httpStatus} ${d.problem ?? '?'}${d.limit?.scope ? ` (${d.limit.scope})` : ''}`;
    refusals[k] = (refusals[k] ?? 0) + 1;
  };
  for (const p of obs.payouts) for (const d of p.decisions) note(d);
  for (const b of obs.batches ?? []) for (const d of b.decisions) note(d);
  lines.push(`  approved by two people: ${twoPeople} payout(s); by the policy: ${byPolicy}; approvals refused: ${Object.entries(refusals).sort().map(([k, n]) => `${k} ×${n}`).join(', ') || 'none'}`);
  if (obs.limits?.length) {
    const requesters = obs.limits.filter((l) => l.kind === 'requester');
    const destinations = obs.limits.filter((l) => l.kind === 'destination');
    const busiest = [...destinations].sort((a, b) => b.used - a.used)[0];
    lines.push(
      `  limits at the end (${obs.limits[0]!.date}): ${requesters.map((l) => `${l.subject} ${l.used}/${l.limit ?? '-'}`).join(', ')}; ${destinations.length} destination(s), ${destinations.filter((l) => l.used > 0).length} with something used${busiest ? `, the most ${busiest.used}/${busiest.limit ?? '-'} (…${busiest.subject.slice(-4)})` : ''}`,
    );
  }
  return lines;
}

/**
 * The reconciliations at the end (issue 18): per day, how the run went, and per provider the report's
 * ours, matched and pending (count and IDR), breaks and balance, beside what the run saw of its own
 * payouts submitted that day (final before the reconciliation, open throughout, settled meanwhile,
 * unplaced); then each break with its kind, provider, reference and detail.
 */
export function reconciliationLines(obs: Observations): string[] {
  if (!obs.reconciliations) return [];
  if (obs.reconciliations.length === 0) return ['reconciliation: none run'];
  const idr = (n: number) => n.toLocaleString('en-US');
  const lines: string[] = [];
  for (const rec of obs.reconciliations) {
    const total = rec.breaks.length + (rec.breaksOmitted ?? 0);
    lines.push(
      `reconciliation of ${rec.date}${rec.id ? ` (${rec.id})` : ''}: ${rec.status} in ${((rec.answeredAt - rec.sentAt) / 1000).toFixed(1)} s${rec.cutoff ? `, cut-off ${rec.cutoff}` : ''}${rec.error ? ` — ${rec.error}` : ''}; ${total} break(s)${rec.flagged.length ? `, ${rec.flagged.length} payout(s) flagged: ${rec.flagged.join(', ')}` : ''}`,
    );
    for (const f of rec.providers) {
      const seen: Record<ReconciliationExpectation, number> = { matched: 0, pending: 0, either: 0, maybe: 0, none: 0 };
      for (const p of obs.payouts.filter((x) => x.provider === f.provider)) seen[reconciliationExpectation(p, rec)] += 1;
      const breaks = Object.entries(f.breaks).filter(([, n]) => n > 0);
      lines.push(
        `  ${f.provider}: ours ${f.ours.count} (IDR ${idr(f.ours.total)}), matched ${f.matched.count} (IDR ${idr(f.matched.total)}), pending ${f.pending.count} (IDR ${idr(f.pending.total)}), breaks ${breaks.length ? breaks.map(([k, n]) => `${k} ${n}`).join(', ') : '0'}${f.balance !== undefined ? `, balance IDR ${idr(f.balance)}` : ''}` +
          ` — the run saw ${seen.matched + seen.pending + seen.either} submitted that day: ${seen.matched} final before, ${seen.pending} open throughout, ${seen.either} settled meanwhile${seen.maybe ? `, ${seen.maybe} unplaced` : ''}`,
      );
    }
    for (const b of rec.breaks) {
      lines.push(`  ✗ ${b.kind} ${b.provider} ${b.reference ?? '(no reference of ours)'}${b.ours ? ` [${b.ours.status} here]` : ''}: ${b.detail}`);
    }
  }
  return lines;
}

export function formatReport(result: ChaosResult): string {
  const { observations: obs, plan, violations } = result;
  const lines: string[] = [];
  lines.push(`seed ${plan.seed} — ${plan.payouts.length} payouts in ${(result.durationMs / 1000).toFixed(1)} s (logs: ${result.dir})`);
  lines.push(`outcomes: ${Object.entries(outcomes(obs)).sort().map(([s, n]) => `${s} ${n}`).join(', ')}`);
  const latency = decisionLatency(obs);
  lines.push(`decision answers (approve/reject/cancel through the API): ${latency.count}, p50 ${latency.p50 ?? '-'} ms, p99 ${latency.p99 ?? '-'} ms, max ${latency.max ?? '-'} ms, ${latency.overOneSecond} over 1 s`);
  const calm = decisionLatency(obs, result.disruptionWindows);
  lines.push(
    `  of them outside disruptions (+${DISRUPTION_TAIL_MS / 1000} s): ${calm.count}, p50 ${calm.p50 ?? '-'} ms, p99 ${calm.p99 ?? '-'} ms, max ${calm.max ?? '-'} ms, ${calm.overOneSecond} over 1 s`,
  );
  const byStatus: Record<string, number> = {};
  for (const a of obs.answers) byStatus[a.status] = (byStatus[a.status] ?? 0) + 1;
  lines.push(`API answers by status: ${Object.entries(byStatus).map(([s, n]) => `${s}: ${n}`).join(', ')}`);
  lines.push(`API calls per instance: ${Object.entries(callsPerInstance(obs)).map(([instance, n]) => `${instance} ${n}`).join(', ') || 'none'}`);
  if (obs.outages) {
    const unavailable = obs.answers.filter((a) => a.status === 503);
    const inside = unavailable.filter((a) => inOutage(a.sentAt, obs.outages!)).length;
    lines.push(`503 answers: ${inside} during outages (${obs.outages.windows.length} window(s) ±${obs.outages.graceMs} ms), ${unavailable.length - inside} outside them`);
  }
  const decisions = obs.payouts.flatMap((p) => p.decisions);
  const tally = (keyOf: (d: (typeof decisions)[number]) => string) => {
    const t: Record<string, number> = {};
    for (const d of decisions) t[keyOf(d)] = (t[keyOf(d)] ?? 0) + 1;
    return Object.entries(t).sort().map(([k, n]) => `${k} ${n}`).join(', ');
  };
  lines.push(`decisions sent: ${tally((d) => `${d.decision}/${d.via}${d.via === 'api' ? `→${d.httpStatus}` : d.error ? '→refused' : ''}`)}`);
  const callbacks: Record<string, number> = {};
  for (const cb of obs.payouts.flatMap((p) => p.callbacks)) {
    const k = `${cb.variant}→${cb.httpStatuses.join('/')}`;
    callbacks[k] = (callbacks[k] ?? 0) + 1;
  }
  lines.push(`callbacks posted: ${Object.entries(callbacks).sort().map(([k, n]) => `${k} ${n}`).join(', ') || 'none'}`);
  for (const [provider, fired] of Object.entries(result.faultsFired)) {
    lines.push(`faults applied at ${provider}: ${Object.entries(fired).sort().map(([k, n]) => `${k} ${n}`).join(', ') || 'none'}`);
  }
  const resent = obs.ledger.filter((r) => r.triggerCalls > 1).length;
  lines.push(`ledger: ${obs.ledger.length} transfers (${obs.ledger.filter((r) => r.status === '00').length} paid), ${resent} with more than one trigger call`);
  lines.push(...batchLines(obs));
  lines.push(...policyLines(obs));
  lines.push(...reconciliationLines(obs));
  const attention = obs.payouts.filter((p) => latestDoc(p)?.status === 'NEEDS_ATTENTION');
  if (attention.length > 0) {
    lines.push(`NEEDS_ATTENTION at the end (allowed; worth a look): ${attention.map((p) => `${p.reference} [${p.provider} …${p.destinationNumber.slice(-4)}, ledger ${obs.ledger.filter((r) => r.reference === p.reference).map((r) => r.status).join('/') || 'nothing'}]: ${(latestDoc(p) as { attention?: { reason?: string } }).attention?.reason ?? ''}`).join('; ')}`);
  }
  lines.push(`continue-as-new: ${result.continuedAsNew} run(s)`);
  lines.push(...disruptionLines(result));
  if (obs.webhooks) lines.push(...formatWebhooks(obs.webhooks, result));

  if (violations.length === 0) {
    lines.push('no violations');
    return lines.join('\n');
  }
  const rules: Record<string, number> = {};
  for (const v of violations) rules[v.rule] = (rules[v.rule] ?? 0) + 1;
  lines.push(`VIOLATIONS: ${violations.length} (${Object.entries(rules).map(([r, n]) => `${r} ${n}`).join(', ')})`);
  const byRef = new Map(obs.payouts.map((p) => [p.reference, p]));
  const batchByRef = new Map((obs.batches ?? []).map((b) => [b.reference, b]));
  for (const v of violations) {
    lines.push('');
    lines.push(`✗ ${v.rule}${v.reference ? ` — ${v.reference}` : ''}: ${v.message}`);
    const payout = v.reference ? byRef.get(v.reference) : undefined;
    if (payout) lines.push(...describePayout(payout, obs).map((l) => `    ${l}`));
    const batch = v.reference ? batchByRef.get(v.reference) ?? (payout?.batchId !== undefined ? batchByRef.get(payout.batchId) : undefined) : undefined;
    if (batch) lines.push(...describeBatch(batch).map((l) => `    ${l}`));
  }
  return lines.join('\n');
}

function latestDoc(p: PayoutRecord): PayoutRecord['snapshots'][number]['doc'] | undefined {
  let latest: PayoutRecord['snapshots'][number] | undefined;
  for (const s of p.snapshots) if (!latest || s.answeredAt >= latest.answeredAt) latest = s;
  return latest?.doc;
}

function latestStatus(p: PayoutRecord): string | undefined {
  return latestDoc(p)?.status;
}

/** The payout's plan-independent story: its last timeline, its decisions and callbacks, its ledger rows. */
export function describePayout(p: PayoutRecord, obs: Observations): string[] {
  const lines: string[] = [];
  lines.push(`${p.provider}, ${p.amount} to ${p.destinationNumber}, requested by ${p.requestedBy}${p.scheduledAt ? `, scheduledAt ${p.scheduledAt}` : ''}, create → ${p.createStatus}`);
  let longest = p.snapshots[0];
  for (const s of p.snapshots) if (longest && s.doc.timeline.length >= longest.doc.timeline.length) longest = s;
  if (longest) {
    lines.push(`timeline: ${longest.doc.timeline.map((e) => `${e.status} ${e.at.slice(11, 23)}${e.detail ? ` (${e.detail})` : ''}`).join(' → ')}`);
    if (longest.doc.approval) lines.push(`approval: ${JSON.stringify(longest.doc.approval)}`);
  }
  const seen = [...new Set(p.snapshots.map((s) => s.doc.status))];
  lines.push(`statuses seen: ${seen.join(', ')}`);
  for (const d of p.decisions) {
    lines.push(`decision ${d.decision} via ${d.via} by ${JSON.stringify(d.who)} [${d.tag}] sent ${new Date(d.sentAt).toISOString().slice(11, 23)} → ${d.via === 'api' ? `${d.httpStatus}${d.answeredStatus ? ` ${d.answeredStatus}` : ''}` : (d.error ?? 'delivered')} in ${d.answeredAt - d.sentAt} ms`);
  }
  for (const cb of p.callbacks) lines.push(`callback ${cb.variant} → ${cb.httpStatuses.join(', ')}`);
  const rows = obs.ledger.filter((r) => r.reference === p.reference);
  lines.push(rows.length ? `ledger: ${rows.map(describeRow).join('; ')}` : 'ledger: nothing');
  return lines;
}
