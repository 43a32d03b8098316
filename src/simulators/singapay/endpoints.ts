// Singapay's four e-wallet top-up endpoints as the simulator answers them (docs/providers/singapay.md, and
// on the points the provider's pages leave open, in the reading the simulator holds: state.assumptions). Checks run in
// the order a caller meets them: fault, token, signature, body, scenario 5003, merchant account,
// duplicate reference, beneficiary, limits, balance.
import type { IncomingHttpHeaders, ServerResponse } from 'node:http';
import { maskNumber } from '../../domain/payout';
import { parseRupiah } from '../../domain/money';
import { sendJson } from '../common';
import { checkBearer, checkSignedRequest, checkTokenRequest, TOKEN_LIFETIME_S } from './auth';
import { isFinalStatus, ledgerEntry, money, transferData, type SimTransaction } from './ledger';
import { applyFault, duplicateRefusal, statusLag, unavailableBurst } from './misbehaviour';
import { inquiryRequest, parseRequest, statusRequest, statusRequestAccountInBody, tokenRequest, triggerRequest } from './requests';
import { envelope, refuse, succeed } from './respond';
import { holderName, MIN_AMOUNT, scenarioFor } from './scenarios';
import type { SimState } from './state';

export interface CallIn {
  headers: IncomingHttpHeaders;
  rawBody: string;
  /** Path and query as received: what the signature covers. */
  pathWithQuery: string;
}

/** POST /api/v1.1/access-token/b2b. Its answer is not the envelope: `{ status, success, data }`. */
export async function accessToken(state: SimState, call: CallIn, res: ServerResponse): Promise<void> {
  if ((await applyFault(state, 'token', res)) !== 'GO') return;
  const now = state.now();
  const problem = checkTokenRequest(call.headers, state.credentials, now) ?? bodyProblem(call.rawBody);
  if (problem) {
    sendJson(res, problem.http, { status: problem.http, success: false, response_code: problem.code, response_message: problem.message });
    return;
  }
  const token = state.tokens.issue(now);
  state.log(`token issued (${state.tokens.issued} since start or reset)`);
  sendJson(res, 200, { status: 200, success: true, data: { access_token: token, token_type: 'Bearer', expires_in: String(TOKEN_LIFETIME_S) } });
}

function bodyProblem(rawBody: string) {
  const parsed = parseRequest(tokenRequest, rawBody);
  return 'problem' in parsed ? parsed.problem : undefined;
}

/** POST /api/v2.0/ewallet/account-inquiry (not signed). */
export async function accountInquiry(state: SimState, call: CallIn, res: ServerResponse): Promise<void> {
  if ((await applyFault(state, 'inquiry', res)) !== 'GO') return;
  const bearer = checkBearer(call.headers, state.tokens, state.credentials, state.now());
  if ('problem' in bearer) return refuse(res, bearer.problem);
  const parsed = parseRequest(inquiryRequest, call.rawBody);
  if ('problem' in parsed) return refuse(res, parsed.problem);
  const body = parsed.data;
  if (unavailableBurst(state, 'inquiry', body.customer_number, res)) return;
  if (body.account_id !== state.credentials.accountId) return envelope(res, 404, 'SP020', 'Merchant Account Not Found');
  const scenario = scenarioFor(body.customer_number);
  const who = { ewallet_code: body.ewallet_code, customer_number: body.customer_number };
  if (scenario.accountNotFound) return envelope(res, 200, 'SP117', 'Beneficiary Account Not Found', who);
  const amount = parseRupiah(body.amount.value);
  succeed(res, {
    ...who,
    customer_name: holderName(body.customer_number),
    min_amount: money(MIN_AMOUNT),
    max_amount: money(scenario.maxAmount),
    amount: money(amount),
    fee_amount: money(state.fee),
    gross_amount: money(amount + state.fee),
  });
}

/**
 * POST /api/v2.0/ewallet/trigger-topup (signed): debits the gross amount and opens a pending
 * transfer. The body's `amount` is read as the simulator holds singapay.trigger-amount: net (the
 * beneficiary receives it, amount + fee is debited) or gross (it is debited, the beneficiary
 * receives it less the fee).
 */
export async function triggerTopUp(state: SimState, call: CallIn, res: ServerResponse): Promise<void> {
  const fault = await applyFault(state, 'trigger', res);
  if (fault === 'ANSWERED' || fault === 'HOLD') return;
  const now = state.now();
  const bearer = checkBearer(call.headers, state.tokens, state.credentials, now);
  if ('problem' in bearer) return refuse(res, bearer.problem);
  const signatureProblem = checkSignedRequest(
    call.headers,
    { pathWithQuery: call.pathWithQuery, rawBody: call.rawBody, accessToken: bearer.token },
    state.credentials.clientSecret,
    now,
    state.timestampStrict ? state.assumptions.timestampFormat : undefined,
  );
  if (signatureProblem) return refuse(res, signatureProblem);
  const parsed = parseRequest(triggerRequest, call.rawBody);
  if ('problem' in parsed) return refuse(res, parsed.problem);
  const body = parsed.data;
  if (unavailableBurst(state, 'trigger', body.customer_number, res)) return;
  if (body.account_id !== state.credentials.accountId) return envelope(res, 404, 'SP020', 'Merchant Account Not Found');

  const earlier = state.ledger.duplicateOf(body.reference_number, now);
  if (earlier) {
    earlier.triggerCalls += 1;
    if (duplicateRefusal(state, res)) return;
    state.log(`trigger ${body.reference_number}: duplicate (call ${earlier.triggerCalls})`);
    return envelope(res, 200, 'SP004', 'Duplicate Reference Number');
  }
  const scenario = scenarioFor(body.customer_number);
  if (scenario.accountNotFound) {
    return envelope(res, 200, 'SP117', 'Beneficiary Account Not Found', { ewallet_code: body.ewallet_code, customer_number: body.customer_number });
  }
  const sent = parseRupiah(body.amount.value);
  const amount = state.assumptions.triggerAmount === 'gross' ? sent - state.fee : sent; // what the beneficiary receives
  if (amount < MIN_AMOUNT || amount > scenario.maxAmount) return envelope(res, 200, 'SP006', 'Exceeds Beneficiary Limit');
  if (scenario.insufficientBalance || amount + state.fee > state.ledger.balance) return envelope(res, 200, 'SP003', 'Insufficient Balance');

  const t = state.ledger.open(
    {
      reference: body.reference_number,
      ewallet: body.ewallet_code,
      customerNumber: body.customer_number,
      customerName: holderName(body.customer_number),
      ...(body.notes ? { notes: body.notes } : {}),
      amount,
      fee: state.fee,
    },
    now,
  );
  state.log(`trigger ${t.reference}: IDR ${amount} + fee ${t.fee} to ${t.ewallet} ${maskNumber(t.customerNumber)}`);
  if (state.settleAfterMs !== undefined && scenario.settlesOnItsOwn) {
    setTimeout(() => moveTransfer(state, t, '00'), state.settleAfterMs).unref();
  }
  if (scenario.loseTriggerAnswer || fault === 'ACCEPT_THEN_HOLD') {
    // The money moved; the answer never leaves (the client times out; close() ends the socket).
    state.log(`trigger ${t.reference}: answer withheld`);
    return;
  }
  succeed(res, transferData(t, state.ledger.balance, state.assumptions.statusVocabulary));
}

/**
 * POST /api/v2.0/ewallet/{account_id}/inquiry-status (or, when the simulator holds
 * singapay.status-path = account-in-body, /api/v2.0/ewallet/inquiry-status with account_id in the
 * body: `pathAccountId` undefined): each check of a pending transfer advances its scenario.
 */
export async function inquiryStatus(state: SimState, call: CallIn, res: ServerResponse, pathAccountId: string | undefined): Promise<void> {
  if ((await applyFault(state, 'status', res)) !== 'GO') return;
  const bearer = checkBearer(call.headers, state.tokens, state.credentials, state.now());
  if ('problem' in bearer) return refuse(res, bearer.problem);
  const parsed = pathAccountId === undefined ? parseRequest(statusRequestAccountInBody, call.rawBody) : parseRequest(statusRequest, call.rawBody);
  if ('problem' in parsed) return refuse(res, parsed.problem);
  const accountId = pathAccountId ?? ('account_id' in parsed.data ? parsed.data.account_id : undefined);
  if (accountId !== state.credentials.accountId) return envelope(res, 404, 'SP020', 'Merchant Account Not Found');
  const t = state.ledger.find(parsed.data.reference_number);
  if (!t) return envelope(res, 404, 'SP009', 'Transaction Not Found');
  if (unavailableBurst(state, 'status', t.customerNumber, res)) return;
  if (statusLag(state, res)) return;
  if (!isFinalStatus(t.status)) {
    t.statusChecks += 1;
    moveTransfer(state, t, scenarioFor(t.customerNumber).statusAtCheck(t.statusChecks));
  }
  succeed(res, transferData(t, state.ledger.balance, state.assumptions.statusVocabulary));
}

/** Moves a transfer (refunding a final failure) and, if it just became final, sends the webhook. */
export function moveTransfer(state: SimState, t: SimTransaction, status: SimTransaction['status']): void {
  if (!state.ledger.move(t, status, state.now())) return;
  state.log(`transfer ${t.reference}: ${status} (${ledgerEntry(t).statusDesc})`);
  state.callbacks.notify(t.reference, t.status, transferData(t, state.ledger.balance, state.assumptions.statusVocabulary));
}
