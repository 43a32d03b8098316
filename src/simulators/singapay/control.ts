// The control API of simulators.md, loopback only: the ledger, settling, faults, the balance,
// reset, callbacks on/off with their delivery log, and GET /__sim/calls (provider calls received by
// operation, which the benchmark reads; with ?since=<ms> also each call's arrival time, which the
// rate-limit test reads). GET /__sim/tokens (how many access tokens were issued) is this
// simulator's own addition, so tests can prove the client caches its token; and so are
// GET /__sim/faults (faults waiting and applied) and POST /__sim/transactions/{reference}/callback
// (a signed webhook handed back, not sent), which the invariant checker (test/chaos) uses.
// GET/POST /__sim/assumptions reads and sets the reading the simulated provider holds on each point
// its pages leave open (src/providers/singapay/assumptions.ts); POST /__sim/reset restores it.
// POST /__sim/transactions and PATCH /__sim/transactions/{reference} make reconciliation breaks
// (breaks.ts).
import type { IncomingMessage, ServerResponse } from 'node:http';
import { z } from 'zod';
import { parseRupiah, RUPIAH_PATTERN } from '../../domain/money';
import { singapayAssumptionKey, singapayAssumptionsById, singapayAssumptionValues, type SingapayAssumptionSettings } from '../../providers/singapay/assumptions';
import { pathReference, TRANSACTION_PATH, type ControlAnswer } from '../breaks';
import { callsAnswer, faultSchema, isLoopback, sendJson } from '../common';
import { changeTopUp, recordTopUp } from './breaks';
import { moveTransfer } from './endpoints';
import { isFinalStatus, ledgerEntry, money, transferData } from './ledger';
import { resetState, type SimState } from './state';

const settleBody = z.strictObject({ status: z.enum(['00', '06', '04']) });
const balanceBody = z.strictObject({
  value: z.union([z.string().regex(RUPIAH_PATTERN), z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER)]),
});
const callbacksBody = z.strictObject({ enabled: z.boolean() });

const SETTLE_PATH = /^\/__sim\/transactions\/([^/]+)\/settle$/;
const CALLBACK_PATH = /^\/__sim\/transactions\/([^/]+)\/callback$/;
/** A signed callback on request: signed as of `signedAt` (default now), to `url` (default the notification URL). */
const callbackBody = z.strictObject({ signedAt: z.iso.datetime({ offset: true }).optional(), url: z.url().optional() });

function parseJson(rawBody: string): unknown {
  if (rawBody.trim() === '') return {};
  try {
    return JSON.parse(rawBody);
  } catch {
    return undefined;
  }
}

function issues(error: z.ZodError): string[] {
  return error.issues.map((issue) => `${issue.path.join('.') || '(body)'}: ${issue.message}`);
}

export function control(state: SimState, req: IncomingMessage, res: ServerResponse, path: string, rawBody: string, query = new URLSearchParams()): void {
  if (!isLoopback(req)) return sendJson(res, 403, { error: 'the control API answers loopback callers only' });
  const method = req.method ?? 'GET';
  const json = parseJson(rawBody);
  const route = `${method} ${path}`;

  const settle = method === 'POST' ? SETTLE_PATH.exec(path) : null;
  if (settle) {
    const parsed = settleBody.safeParse(json);
    if (!parsed.success) return sendJson(res, 400, { error: 'body must be { "status": "00" | "06" | "04" }', issues: issues(parsed.error) });
    const t = state.ledger.find(decodeURIComponent(settle[1]!));
    if (!t) return sendJson(res, 404, { error: 'no transaction with that reference' });
    if (isFinalStatus(t.status)) return sendJson(res, 409, { error: `already final (${t.status})`, transaction: ledgerEntry(t) });
    moveTransfer(state, t, parsed.data.status);
    return sendJson(res, 200, ledgerEntry(t));
  }

  const callback = method === 'POST' ? CALLBACK_PATH.exec(path) : null;
  if (callback) {
    const parsed = callbackBody.safeParse(json);
    if (!parsed.success) return sendJson(res, 400, { error: 'body must be { "signedAt"?: ISO-8601, "url"?: URL }', issues: issues(parsed.error) });
    const t = state.ledger.find(decodeURIComponent(callback[1]!));
    if (!t) return sendJson(res, 404, { error: 'no transaction with that reference' });
    const url = parsed.data.url ?? state.callbacks.notificationUrl;
    if (!url) return sendJson(res, 409, { error: 'no notification URL configured: give "url"' });
    const at = parsed.data.signedAt ? new Date(parsed.data.signedAt) : state.now();
    return sendJson(res, 200, state.callbacks.signed(url, transferData(t, state.ledger.balance, state.assumptions.statusVocabulary), at));
  }

  const transaction = method === 'PATCH' ? TRANSACTION_PATH.exec(path) : null;
  if (transaction) {
    const reference = pathReference(transaction[1]!);
    if (reference === undefined) return sendJson(res, 400, { error: 'the reference in the path is not valid percent-encoding' });
    return answer(res, json === undefined ? notJson : changeTopUp(state, reference, json));
  }

  switch (route) {
    case 'GET /__sim/transactions':
      return sendJson(res, 200, state.ledger.transactions().map(ledgerEntry));
    case 'POST /__sim/transactions':
      return answer(res, json === undefined ? notJson : recordTopUp(state, json));
    case 'POST /__sim/faults': {
      const parsed = faultSchema.safeParse(json);
      if (!parsed.success) return sendJson(res, 400, { error: 'invalid fault', issues: issues(parsed.error) });
      state.faults.add(parsed.data);
      return sendJson(res, 201, parsed.data);
    }
    case 'GET /__sim/faults':
      return sendJson(res, 200, state.faults.describe());
    case 'DELETE /__sim/faults':
      state.faults.clear();
      return sendJson(res, 200, { cleared: true });
    case 'GET /__sim/balance':
      return sendJson(res, 200, money(state.ledger.balance));
    case 'POST /__sim/balance': {
      const parsed = balanceBody.safeParse(json);
      if (!parsed.success) return sendJson(res, 400, { error: 'body must be { "value": "1000000.00" }', issues: issues(parsed.error) });
      const { value } = parsed.data;
      state.ledger.balance = typeof value === 'number' ? value : parseRupiah(value);
      return sendJson(res, 200, money(state.ledger.balance));
    }
    case 'POST /__sim/reset':
      resetState(state);
      return sendJson(res, 200, { reset: true });
    case 'GET /__sim/calls': {
      const answer = callsAnswer(state.calls, query);
      return sendJson(res, answer.status, answer.body);
    }
    case 'GET /__sim/callbacks':
      return sendJson(res, 200, { enabled: state.callbacks.enabled, notificationUrl: state.callbacks.notificationUrl ?? null, sent: state.callbacks.sent });
    case 'POST /__sim/callbacks': {
      const parsed = callbacksBody.safeParse(json);
      if (!parsed.success) return sendJson(res, 400, { error: 'body must be { "enabled": true | false }', issues: issues(parsed.error) });
      state.callbacks.enabled = parsed.data.enabled;
      return sendJson(res, 200, { enabled: state.callbacks.enabled, notificationUrl: state.callbacks.notificationUrl ?? null });
    }
    case 'GET /__sim/assumptions':
      return sendJson(res, 200, singapayAssumptionsById(state.assumptions));
    case 'POST /__sim/assumptions': {
      const parsed = assumptionsBody(json);
      if ('error' in parsed) return sendJson(res, 400, { error: 'body must be { "<assumption id>": "<value>", … }', issues: parsed.error });
      Object.assign(state.assumptions, parsed.settings);
      if (parsed.settings.timestampFormat !== undefined) state.timestampStrict = true;
      state.log(`assumptions now ${JSON.stringify(singapayAssumptionsById(state.assumptions))}`);
      return sendJson(res, 200, singapayAssumptionsById(state.assumptions));
    }
    case 'GET /__sim/tokens':
      return sendJson(res, 200, { issued: state.tokens.issued, active: state.tokens.active(state.now()) });
    default:
      return sendJson(res, 404, { error: `no control route ${route}` });
  }
}

const notJson: ControlAnswer = { status: 400, body: { error: 'body must be JSON' } };

function answer(res: ServerResponse, a: ControlAnswer): void {
  sendJson(res, a.status, a.body);
}

/** A partial `{ "<id>": "<value>" }`: every id must be Singapay's and every value one of its values; nothing is applied otherwise. */
function assumptionsBody(json: unknown): { settings: Partial<SingapayAssumptionSettings> } | { error: string[] } {
  if (typeof json !== 'object' || json === null || Array.isArray(json)) return { error: ['(body): expected an object'] };
  const settings: Record<string, string> = {};
  const errors: string[] = [];
  for (const [id, value] of Object.entries(json)) {
    const key = singapayAssumptionKey(id);
    if (!key) {
      errors.push(`${id}: not a Singapay assumption`);
      continue;
    }
    const values = singapayAssumptionValues(key);
    if (typeof value !== 'string' || !values.includes(value)) {
      errors.push(`${id}: must be one of ${values.join(', ')}`);
      continue;
    }
    settings[key] = value;
  }
  return errors.length > 0 ? { error: errors } : { settings: settings as Partial<SingapayAssumptionSettings> };
}
