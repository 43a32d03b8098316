// Doing what the plan says: creating payouts and deciding on them through the API (with the stack's
// keys, see keyOf) or as raw Temporal signals, re-sending creates, posting callbacks the simulators
// signed (valid, replayed, late, forged), settling pending transfers, and the world's events:
// simulator faults, balance dips, worker kills (one may wait until a trigger is in flight), server
// and database restarts, and scaling the workers. Every answer goes to the Recorder.
import type { Client } from '@temporalio/client';
import type { ChaosStack } from './stack';
import { keyOf, type CallbackVariant, type FaultMode, type FaultOperation, type KeyName, type LedgerRow, type LimitRefusal, type PayoutAction, type PayoutPlan, type Provider, type WorldEvent } from './model';
import { isFinal } from './checker';
import { isDocument, type Recorder } from './observe';

export interface ActionContext {
  stack: ChaosStack;
  recorder: Recorder;
  log: (line: string) => void;
}

export function createBody(plan: PayoutPlan, scheduledAt: string | undefined, changed = false): string {
  return JSON.stringify({
    reference: plan.reference,
    destination: plan.destination,
    amount: { value: `${plan.amount + (changed ? 1_000 : 0)}.00`, currency: 'IDR' },
    description: `Chaos ${plan.index}`,
    ...(plan.explicitProvider && { provider: plan.provider }),
    approvalTimeout: `PT${Math.round(plan.approvalTimeoutMs / 1_000)}S`,
    ...(scheduledAt !== undefined && { scheduledAt }),
  });
}

/** Creates the payout; after a 503 or no answer, sends the same body again (a create is idempotent by reference). */
export async function createPayout(ctx: ActionContext, plan: PayoutPlan, scheduledAt: string | undefined): Promise<number> {
  for (let attempt = 1; ; attempt += 1) {
    const { status, json, sentAt, answeredAt } = await ctx.recorder.call('POST', '/v1/payouts', {
      key: keyOf(ctx.stack, plan.requester),
      body: createBody(plan, scheduledAt),
      route: 'POST /v1/payouts',
      reference: plan.reference,
    });
    if (status >= 200 && status < 300 && isDocument(json)) ctx.recorder.snapshot(plan.reference, { source: 'create', sentAt, answeredAt, doc: json });
    if ((status !== 503 && status !== 0) || attempt >= 6) return status;
    await new Promise((r) => setTimeout(r, 1_000));
  }
}

export async function performPayoutAction(ctx: ActionContext, plan: PayoutPlan, action: PayoutAction, scheduledAt: string | undefined): Promise<void> {
  switch (action.kind) {
    case 'decide':
      return action.via === 'api' ? decideThroughApi(ctx, plan, action) : decideBySignal(ctx, plan, action);
    case 'recreate': {
      await ctx.recorder.call('POST', '/v1/payouts', {
        key: keyOf(ctx.stack, plan.requester),
        body: createBody(plan, scheduledAt, !action.same),
        route: 'POST /v1/payouts',
        reference: plan.reference,
      });
      return;
    }
    case 'callback':
      return postCallback(ctx, plan, action.variant);
    case 'fault': {
      const { at: _at, kind: _kind, ...fault } = action;
      await performWorldEvent(ctx, { kind: 'fault', provider: plan.provider, ...fault }, new Set());
      return;
    }
    case 'settle':
      return settleTransfer(ctx, plan.provider, plan.reference, action.status);
  }
}

/** Settles a pending transfer at the simulator: until it holds the transfer (or the payout is over), again every second, 30 times at most. */
export async function settleTransfer(ctx: ActionContext, provider: Provider, reference: string, status: '00' | '06' | '04'): Promise<void> {
  for (let tries = 0; tries < 30; tries += 1) {
    const res = await fetch(`${ctx.stack.simulatorUrl[provider]}/__sim/transactions/${encodeURIComponent(reference)}/settle`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ status }),
    });
    await res.arrayBuffer();
    const seen = ctx.recorder.lastStatus(reference);
    if (res.status !== 404 || (seen !== undefined && isFinal(seen))) return;
    await new Promise((r) => setTimeout(r, 1_000));
  }
}

async function decideThroughApi(ctx: ActionContext, plan: PayoutPlan, action: Extract<PayoutAction, { kind: 'decide'; via: 'api' }>): Promise<void> {
  const body = action.decision === 'reject' ? { reason: `chaos ${action.tag}` } : action.decision === 'approve' ? { comment: `chaos ${action.tag}` } : { reason: `chaos ${action.tag}` };
  const key = keyOf(ctx.stack, action.key);
  // Half the decisions carry an Idempotency-Key, per decision kind and payout (and, for approvals, per
  // approver: two approvers' approvals are two decisions), so duplicates and retries after a 503 join
  // the first attempt. A `fresh` one carries none: it never joins anything.
  const idempotencyKey =
    plan.index % 2 === 0 && !action.fresh ? (action.decision === 'approve' ? `approve-${action.key}-${plan.reference}` : `${action.decision}-${plan.reference}`) : undefined;
  for (let attempt = 1; attempt <= 4; attempt += 1) {
    // A key used before joins the first attempt's update, whose answer may be older than this request.
    const firstSentAt = idempotencyKey === undefined ? undefined : ctx.recorder.firstUseOfKey(plan.reference, idempotencyKey);
    const { status, json, sentAt, answeredAt } = await ctx.recorder.call('POST', `/v1/payouts/${encodeURIComponent(plan.reference)}/${action.decision}`, {
      key,
      body: JSON.stringify(body),
      ...(idempotencyKey !== undefined && { headers: { 'Idempotency-Key': idempotencyKey } }),
      route: `POST /v1/payouts/{id}/${action.decision}`,
      reference: plan.reference,
    });
    const ok = status >= 200 && status < 300 && isDocument(json);
    const problem = problemOf(status, json);
    const limit = problem === 'limit-exceeded' ? limitRefusalOf(json) : undefined;
    ctx.recorder.decision(plan.reference, {
      decision: action.decision,
      via: 'api',
      who: action.key,
      tag: attempt === 1 ? action.tag : `${action.tag}-retry`,
      sentAt,
      ...(firstSentAt !== undefined && { readFrom: firstSentAt }),
      answeredAt,
      httpStatus: status,
      ...(ok && { answeredStatus: json.status }),
      ...(problem !== undefined && { problem }),
      ...(limit && { limit }),
    });
    if (ok) ctx.recorder.snapshot(plan.reference, { source: action.decision, sentAt, ...(firstSentAt !== undefined && { readFrom: firstSentAt }), answeredAt, doc: json });
    // A 503 says the decision may still apply: retry with the same key, as a careful client would.
    // A 409 while the account inquiry is still under way (VALIDATING): try again a little later,
    // so that faults on the inquiry do not leave most payouts to expire.
    const retry503 = status === 503 && idempotencyKey !== undefined && attempt < 2;
    const retry409 = status === 409 && (await ctx.recorder.read(plan.reference))?.status === 'VALIDATING';
    if (!retry503 && !retry409) return;
    await new Promise((r) => setTimeout(r, retry503 ? 1_000 : 1_500));
  }
}

/** The problem type's last path segment of a 4xx answer (already-approved, limit-exceeded, …). */
export function problemOf(status: number, json: unknown): string | undefined {
  const type = (json as { type?: unknown } | undefined)?.type;
  return status >= 400 && typeof type === 'string' ? type.split('/').pop() : undefined;
}

/** A 409 limit-exceeded problem's fields (money as { value } → whole rupiah). */
export function limitRefusalOf(json: unknown): LimitRefusal {
  const body = (json ?? {}) as Record<string, unknown>;
  const money = (x: unknown): number | undefined => {
    const value = typeof x === 'object' && x !== null ? (x as { value?: unknown }).value : x;
    return typeof value === 'string' && /^\d+(\.\d{2})?$/.test(value) ? Number(value.replace(/\.\d{2}$/, '')) : typeof value === 'number' ? value : undefined;
  };
  const out: LimitRefusal = {};
  if (typeof body.scope === 'string') out.scope = body.scope;
  for (const field of ['limit', 'used', 'remaining', 'requested'] as const) {
    const n = money(body[field]);
    if (n !== undefined) out[field] = n;
  }
  if (typeof body.day === 'string') out.day = body.day;
  return out;
}

async function decideBySignal(ctx: ActionContext, plan: PayoutPlan, action: Extract<PayoutAction, { kind: 'decide'; via: 'signal' }>): Promise<void> {
  const input =
    action.decision === 'reject'
      ? { principal: action.principal, reason: `chaos ${action.tag}` }
      : action.decision === 'approve'
        ? { principal: action.principal, comment: `chaos ${action.tag}` }
        : { principal: action.principal, reason: `chaos ${action.tag}` };
  for (let attempt = 1; attempt <= 4; attempt += 1) {
    const sentAt = Date.now();
    let error: string | undefined;
    try {
      await signal(ctx.stack.client, plan.reference, action.decision, input);
    } catch (err) {
      error = (err as Error).message;
    }
    const tag = attempt === 1 ? action.tag : `${action.tag}-again`;
    ctx.recorder.decision(plan.reference, { decision: action.decision, via: 'signal', who: action.principal, tag, sentAt, answeredAt: Date.now(), ...(error !== undefined && { error }) });
    // A signal cannot answer; one that came while the account inquiry was under way was dropped by
    // the workflow's rules. An operator would send it again once the payout awaits approval.
    if ((await ctx.recorder.read(plan.reference))?.status !== 'VALIDATING') return;
    await new Promise((r) => setTimeout(r, 1_500));
  }
}

function signal(client: Client, reference: string, name: string, input: unknown): Promise<void> {
  return client.workflow.getHandle(`payout-${reference}`).signal(name, input);
}

/** Gets a callback the simulator signed for the payout's transfer and posts it as the variant says. */
async function postCallback(ctx: ActionContext, plan: PayoutPlan, variant: CallbackVariant): Promise<void> {
  const provider: Provider = plan.provider;
  const signedAt = variant === 'late' ? new Date(Date.now() - 10 * 60_000).toISOString() : undefined;
  const res = await fetch(`${ctx.stack.simulatorUrl[provider]}/__sim/transactions/${encodeURIComponent(plan.reference)}/callback`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(signedAt ? { signedAt } : {}),
  });
  if (res.status !== 200) {
    await res.arrayBuffer();
    return; // no transfer yet: nothing to call back about
  }
  const signed = (await res.json()) as { url: string; headers: Record<string, string>; body: string };
  let body = signed.body;
  if (variant === 'forged') {
    // Change the amount in the signed bytes: the signature no longer covers the body.
    body = body.replace(/"(\d+)\.00"/, (_m, digits: string) => `"${Number(digits) + 1}.00"`);
    if (body === signed.body) body = `${signed.body.slice(0, -1)},"x":1}`;
  }
  const path = new URL(signed.url).pathname;
  const post = async () =>
    (
      await ctx.recorder.call('POST', path, {
        body,
        headers: signed.headers,
        route: `POST ${path}`,
        reference: plan.reference,
      })
    ).status;
  const sentAt = Date.now();
  const statuses = [await post()];
  if (variant === 'replay') {
    await new Promise((r) => setTimeout(r, 200));
    statuses.push(await post());
  }
  ctx.recorder.callback(plan.reference, { variant, provider, httpStatuses: statuses, sentAt });
}

/** What a world event tells afterwards: for a kill during a trigger, how many triggers were held at the kill. */
export interface WorldEventOutcome {
  triggersHeld?: number;
}

/**
 * How a kill waits for a trigger in flight: both simulators hold their next `count` trigger calls
 * `latencyMs` each (a latency fault), and the kill comes once one is held, or after `waitMs` anyway.
 */
export const TRIGGER_HOLD = { count: 2, latencyMs: 2_500, waitMs: 30_000, pollMs: 50 } as const;

/** A world event; kills, restarts and scaling resolve once what they took down answers again. */
export async function performWorldEvent(ctx: ActionContext, event: WorldEvent, balanceDips: Set<Promise<void>>): Promise<WorldEventOutcome> {
  switch (event.kind) {
    case 'fault': {
      const { provider, kind: _kind, ...fault } = event;
      await postFault(ctx, provider, fault);
      return {};
    }
    case 'no-balance': {
      const url = `${ctx.stack.simulatorUrl[event.provider]}/__sim/balance`;
      await setBalance(url, '0.00');
      const dip = new Promise<void>((resolve) => setTimeout(resolve, event.forMs)).then(() => setBalance(url, RESTORED_BALANCE));
      balanceDips.add(dip);
      void dip.finally(() => balanceDips.delete(dip));
      return {};
    }
    case 'kill-worker': {
      const triggersHeld = event.duringTrigger ? await holdTrigger(ctx) : undefined;
      ctx.log(`kill -9 the worker; down for ${event.downForMs} ms${triggersHeld !== undefined ? `; ${triggersHeld} trigger call(s) held at the simulators at the kill` : ''}`);
      await ctx.stack.killWorker();
      await new Promise((r) => setTimeout(r, event.downForMs));
      await ctx.stack.startWorker();
      ctx.log('worker polling again');
      return triggersHeld !== undefined ? { triggersHeld } : {};
    }
    case 'restart-server': {
      ctx.log(`restart the Temporal server (${event.how}) on the same database`);
      const started = Date.now();
      await ctx.stack.restartServer(event.how);
      ctx.log(`Temporal server answering again after ${Date.now() - started} ms`);
      return {};
    }
    case 'restart-database': {
      if (!ctx.stack.restartDatabase) throw new Error('restart-database: this stack cannot restart its database (no restartDatabase)');
      ctx.log(`restart the database under Temporal (${event.how} shutdown)`);
      const started = Date.now();
      await ctx.stack.restartDatabase(event.how);
      ctx.log(`database answering again after ${Date.now() - started} ms`);
      return {};
    }
    case 'scale-workers': {
      if (!ctx.stack.scaleWorkers) throw new Error('scale-workers: this stack cannot scale its workers (no scaleWorkers)');
      ctx.log(`scale the workers to ${event.to}`);
      const started = Date.now();
      await ctx.stack.scaleWorkers(event.to);
      ctx.log(`${event.to} worker(s) running after ${Date.now() - started} ms`);
      return {};
    }
  }
}

async function postFault(ctx: ActionContext, provider: Provider, fault: { operation: FaultOperation; mode: FaultMode; count: number; latencyMs?: number }): Promise<boolean> {
  const res = await fetch(`${ctx.stack.simulatorUrl[provider]}/__sim/faults`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(fault) });
  if (res.status !== 201) {
    ctx.log(`fault refused by ${provider}: ${await res.text()}`);
    return false;
  }
  await res.arrayBuffer();
  return true;
}

/** How many trigger calls each simulator has held with a latency fault so far (GET /__sim/faults `fired`). */
async function triggersHeldSoFar(ctx: ActionContext): Promise<Record<Provider, number>> {
  const counts = { singapay: 0, faspay: 0 };
  for (const provider of ['singapay', 'faspay'] as const) {
    const res = await fetch(`${ctx.stack.simulatorUrl[provider]}/__sim/faults`);
    if (!res.ok) throw new Error(`${provider} GET /__sim/faults answered ${res.status}`);
    counts[provider] = ((await res.json()) as { fired: Record<string, number> }).fired['trigger latency'] ?? 0;
  }
  return counts;
}

/**
 * Has both simulators hold their next trigger calls (TRIGGER_HOLD) and waits, at most
 * TRIGGER_HOLD.waitMs, until either has held one: a trigger is then in flight. Answers how many were
 * held by then (0: none came in time, the kill comes anyway). Faults not taken stay pending at the
 * simulators (later triggers are held too) until the faults stop.
 */
async function holdTrigger(ctx: ActionContext): Promise<number> {
  const before = await triggersHeldSoFar(ctx);
  for (const provider of ['singapay', 'faspay'] as const) {
    await postFault(ctx, provider, { operation: 'trigger', mode: 'latency', count: TRIGGER_HOLD.count, latencyMs: TRIGGER_HOLD.latencyMs });
  }
  const deadline = Date.now() + TRIGGER_HOLD.waitMs;
  for (;;) {
    const now = await triggersHeldSoFar(ctx);
    const held = now.singapay - before.singapay + (now.faspay - before.faspay);
    if (held > 0) return held;
    if (Date.now() > deadline) {
      ctx.log(`no trigger call reached a simulator within ${TRIGGER_HOLD.waitMs} ms; killing the worker anyway`);
      return 0;
    }
    await new Promise((r) => setTimeout(r, TRIGGER_HOLD.pollMs));
  }
}

export const RESTORED_BALANCE = '1000000000.00';

export async function setBalance(url: string, value: string): Promise<void> {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ value }) });
  await res.arrayBuffer();
}

/** Ends every fault: pending simulator faults cleared, balances back. */
export async function stopFaults(stack: ChaosStack): Promise<void> {
  for (const provider of ['singapay', 'faspay'] as const) {
    const res = await fetch(`${stack.simulatorUrl[provider]}/__sim/faults`, { method: 'DELETE' });
    await res.arrayBuffer();
    await setBalance(`${stack.simulatorUrl[provider]}/__sim/balance`, RESTORED_BALANCE);
  }
}

/**
 * An operator ends a payout that needs attention, with the outcome the provider's ledger shows (as
 * one would after asking the provider): paid → SUCCEEDED; nothing, or money back → FAILED; still
 * pending → left alone. The requester tries first (403 expected: never the requester), then an admin
 * who did not request it. Answers are recorded like decisions.
 */
export async function resolveAttention(ctx: ActionContext, plan: Pick<PayoutPlan, 'reference' | 'requester'>, rows: LedgerRow[]): Promise<void> {
  const ours = rows.filter((r) => r.reference === plan.reference);
  if (ours.some((r) => !['00', '04', '05', '06'].includes(r.status))) return;
  const outcome = ours.some((r) => r.status === '00') ? 'SUCCEEDED' : 'FAILED';
  const keys: KeyName[] = plan.requester === 'admin' ? ['admin'] : ['requester', 'admin'];
  for (const key of keys) {
    const { status, json, sentAt, answeredAt } = await ctx.recorder.call('POST', `/v1/payouts/${encodeURIComponent(plan.reference)}/resolve`, {
      key: keyOf(ctx.stack, key),
      body: JSON.stringify({ outcome, reason: `chaos: the provider's ledger shows ${ours.map((r) => r.status).join('/') || 'nothing'}` }),
      route: 'POST /v1/payouts/{id}/resolve',
      reference: plan.reference,
    });
    const ok = status >= 200 && status < 300 && isDocument(json);
    ctx.recorder.decision(plan.reference, { decision: 'resolve', via: 'api', who: key, tag: `resolve-${outcome}`, sentAt, answeredAt, httpStatus: status, ...(ok && { answeredStatus: json.status }) });
    if (ok) ctx.recorder.snapshot(plan.reference, { source: 'resolve', sentAt, answeredAt, doc: json });
  }
}
