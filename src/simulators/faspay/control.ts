// The loopback-only control API of simulators.md, the same routes as the Singapay simulator's:
// ledger, settle, faults, balance, reset, callbacks; and, for the invariant checker (test/chaos),
// GET /__sim/faults (faults waiting and applied) and POST /__sim/transactions/{reference}/callback
// (a signed callback handed back, not sent); GET/POST /__sim/assumptions, what the simulated
// provider holds on each of the client's assumptions (reset restores the client's defaults); and
// GET /__sim/calls, the calls received by operation (with ?since=<ms>, each one's arrival time);
// POST /__sim/transactions and PATCH /__sim/transactions/{reference}, the reconciliation breaks
// (breaks.ts).
import type { IncomingMessage, ServerResponse } from 'node:http';
import { z } from 'zod';
import { parseRupiah, RUPIAH_PATTERN } from '../../domain/money';
import { pathReference, TRANSACTION_PATH } from '../breaks';
import { callsAnswer, faultSchema, isLoopback, readBody, sendJson, type CallLog, type FaultPlan } from '../common';
import type { HeldAssumptions } from './assumptions';
import { changeTransfer, recordTransfer } from './breaks';
import type { CallbackSender } from './callbacks';
import { FINAL_STATUSES, money, type Ledger } from './ledger';

const settleBody = z.strictObject({ status: z.enum(['00', '06', '04']) });
const balanceBody = z.strictObject({ value: z.union([z.string().regex(RUPIAH_PATTERN).transform(parseRupiah), z.number().int().min(0).max(Number.MAX_SAFE_INTEGER)]) });
const callbacksBody = z.strictObject({ enabled: z.boolean() });
/** A signed callback on request: signed as of `signedAt` (default now), to `url` (default the transfer's callbackUrl). */
const callbackBody = z.strictObject({ signedAt: z.iso.datetime({ offset: true }).optional(), url: z.url().optional() });

export interface ControlContext {
  ledger: Ledger;
  faults: FaultPlan;
  callbacks: CallbackSender;
  held: HeldAssumptions;
  calls: CallLog<string>;
}

function parseJson(raw: string): unknown {
  try {
    return JSON.parse(raw);
  } catch {
    return undefined;
  }
}

export async function control(ctx: ControlContext, req: IncomingMessage, res: ServerResponse, path: string, query = new URLSearchParams()): Promise<void> {
  if (!isLoopback(req)) return sendJson(res, 403, { error: 'the control API answers loopback only' });
  const json = parseJson((await readBody(req)) || '{}');
  const method = req.method ?? 'GET';
  const { ledger } = ctx;
  const settle = /^\/__sim\/transactions\/([^/]+)\/settle$/.exec(path);
  const callback = /^\/__sim\/transactions\/([^/]+)\/callback$/.exec(path);
  const transaction = method === 'PATCH' ? TRANSACTION_PATH.exec(path) : null;
  const breaks = { ledger, held: ctx.held, now: () => new Date() };

  if (method === 'GET' && path === '/__sim/transactions') return sendJson(res, 200, ledger.rows().map((t) => ledger.entry(t)));
  if (method === 'POST' && path === '/__sim/transactions') {
    if (json === undefined) return sendJson(res, 400, { error: 'body must be JSON' });
    const answer = recordTransfer(breaks, json);
    return sendJson(res, answer.status, answer.body);
  }
  if (transaction) {
    const reference = pathReference(transaction[1]!);
    if (reference === undefined) return sendJson(res, 400, { error: 'the reference in the path is not valid percent-encoding' });
    if (json === undefined) return sendJson(res, 400, { error: 'body must be JSON' });
    const answer = changeTransfer(breaks, reference, json);
    return sendJson(res, answer.status, answer.body);
  }
  if (method === 'POST' && settle) {
    const parsed = settleBody.safeParse(json);
    if (!parsed.success) return sendJson(res, 400, { error: 'body must be { "status": "00" | "06" | "04" }' });
    const t = ledger.transactions.get(decodeURIComponent(settle[1]!));
    if (!t) return sendJson(res, 404, { error: 'no such transaction' });
    if (FINAL_STATUSES.includes(t.status)) return sendJson(res, 409, { error: `already final (${t.status})`, transaction: ledger.entry(t) });
    ledger.moveTo(t, parsed.data.status);
    return sendJson(res, 200, ledger.entry(t));
  }
  if (method === 'POST' && callback) {
    const parsed = callbackBody.safeParse(json);
    if (!parsed.success) return sendJson(res, 400, { error: 'body must be { "signedAt"?: ISO-8601, "url"?: URL }' });
    const t = ledger.transactions.get(decodeURIComponent(callback[1]!));
    if (!t) return sendJson(res, 404, { error: 'no such transaction' });
    const url = parsed.data.url ?? t.callbackUrl;
    if (!url) return sendJson(res, 409, { error: 'the transfer has no callbackUrl: give "url"' });
    return sendJson(res, 200, ctx.callbacks.signed(t, url, parsed.data.signedAt ? new Date(parsed.data.signedAt) : new Date()));
  }
  if (method === 'GET' && path === '/__sim/calls') {
    const answer = callsAnswer(ctx.calls, query);
    return sendJson(res, answer.status, answer.body);
  }
  if (method === 'GET' && path === '/__sim/faults') return sendJson(res, 200, ctx.faults.describe());
  if (method === 'POST' && path === '/__sim/faults') {
    const parsed = faultSchema.safeParse(json);
    if (!parsed.success) return sendJson(res, 400, { error: parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`) });
    ctx.faults.add(parsed.data);
    return sendJson(res, 201, parsed.data);
  }
  if (method === 'DELETE' && path === '/__sim/faults') {
    ctx.faults.clear();
    return sendJson(res, 200, { cleared: true });
  }
  if (path === '/__sim/balance' && method === 'GET') return sendJson(res, 200, money(ledger.balance));
  if (path === '/__sim/balance' && method === 'POST') {
    const parsed = balanceBody.safeParse(json);
    if (!parsed.success) return sendJson(res, 400, { error: 'body must be { "value": "1000000.00" }' });
    ledger.balance = parsed.data.value;
    return sendJson(res, 200, money(ledger.balance));
  }
  if (path === '/__sim/callbacks' && method === 'GET') return sendJson(res, 200, { enabled: ctx.callbacks.enabled, sent: ctx.callbacks.sent });
  if (path === '/__sim/callbacks' && method === 'POST') {
    const parsed = callbacksBody.safeParse(json);
    if (!parsed.success) return sendJson(res, 400, { error: 'body must be { "enabled": true | false }' });
    ctx.callbacks.enabled = parsed.data.enabled;
    return sendJson(res, 200, { enabled: ctx.callbacks.enabled });
  }
  if (path === '/__sim/assumptions' && method === 'GET') return sendJson(res, 200, ctx.held.describe());
  if (path === '/__sim/assumptions' && method === 'POST') {
    if (json === undefined) return sendJson(res, 400, { error: 'body must be JSON: { "<assumption id>": "<value>", … }' });
    const applied = ctx.held.set(json);
    if (!applied.ok) return sendJson(res, 400, { error: applied.message });
    return sendJson(res, 200, ctx.held.describe());
  }
  if (method === 'POST' && path === '/__sim/reset') {
    ledger.reset();
    ctx.held.reset();
    ctx.faults.reset();
    ctx.callbacks.reset();
    ctx.calls.reset();
    return sendJson(res, 200, { reset: true });
  }
  sendJson(res, 404, { error: `no control route ${method} ${path}` });
}
