// A faithful Singapay e-wallet top-up simulator (providers.md "Singapay", simulators.md): the real
// token and signature checks, field limits, fees, a merchant balance, the duplicate-reference check,
// status transitions by scenario, signed webhooks, and the loopback-only control API.
import { randomBytes, randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { z } from 'zod';
import { formatRupiah, parseRupiah, RUPIAH_PATTERN } from '../../domain/money';
import { canonicalJson } from '../../providers/singapay/canonical-json';
import { requestSignature, signatureMatches, tokenSignature, verifyRequestSignature } from '../../providers/singapay/signature';
import { delay, FaultPlan, faultSchema, isLoopback, listen, readBody, sendJson, type Operation } from '../common';
import { holderName, MIN_AMOUNT, scenarioFor } from './scenarios';

export interface SingapayCredentials {
  clientId: string;
  clientSecret: string;
  apiKey: string;
  accountId: string;
}

export interface SingapaySimulatorOptions {
  port?: number;
  host?: string;
  credentials?: Partial<SingapayCredentials>;
  notificationUrl?: string;
  feeRupiah?: number;
  initialBalanceRupiah?: number;
  callbacks?: boolean;
  log?: (line: string) => void;
}

export interface SingapaySimulator {
  url: string;
  port: number;
  credentials: SingapayCredentials;
  close(): Promise<void>;
  setNotificationUrl(url: string | undefined): void;
}

type Status = '00' | '01' | '02' | '03' | '04' | '05' | '06' | '07';
const STATUS_DESC: Record<Status, string> = {
  '00': 'Success',
  '01': 'Initiated',
  '02': 'Paying',
  '03': 'Pending',
  '04': 'Refunded',
  '05': 'Canceled',
  '06': 'Failed',
  '07': 'Not Found',
};
const FINAL: Status[] = ['00', '04', '05', '06'];
const DUPLICATE_WINDOW_MS = 24 * 60 * 60 * 1000;
const TIMESTAMP_WINDOW_MS = 5 * 60 * 1000;

interface Transaction {
  reference: string;
  transactionId: string;
  ewallet: string;
  customerNumber: string;
  customerName: string;
  notes?: string;
  amount: number;
  fee: number;
  status: Status;
  statusChecks: number;
  triggerCalls: number;
  createdAt: Date;
  updatedAt: Date;
}

const money = (rupiah: number) => ({ value: formatRupiah(rupiah), currency: 'IDR' });
const moneyIn = z.strictObject({ value: z.string().regex(RUPIAH_PATTERN), currency: z.literal('IDR') });
const inquiryBody = z.object({
  account_id: z.string().min(1),
  ewallet_code: z.enum(['DANA', 'OVO', 'GOPAY', 'SHOPEEPAY']),
  customer_number: z.string().regex(/^\d{10,15}$/),
  amount: moneyIn,
});
const triggerBody = inquiryBody.extend({
  reference_number: z.string().min(1).max(64),
  notes: z.string().regex(/^[A-Za-z0-9 /]{0,50}$/).optional(),
});
const statusBody = z.object({ reference_number: z.string().min(1).max(64) });
const settleBody = z.strictObject({ status: z.enum(['00', '06', '04']) });
const balanceBody = z.strictObject({ value: z.string().regex(RUPIAH_PATTERN) });
const callbacksBody = z.strictObject({ enabled: z.boolean() });

export async function startSingapaySimulator(options: SingapaySimulatorOptions = {}): Promise<SingapaySimulator> {
  const credentials: SingapayCredentials = {
    clientId: options.credentials?.clientId ?? `sim-client-${randomBytes(4).toString('hex')}`,
    clientSecret: options.credentials?.clientSecret ?? randomBytes(24).toString('base64url'),
    apiKey: options.credentials?.apiKey ?? randomUUID(),
    accountId: options.credentials?.accountId ?? `SIM${randomBytes(8).toString('hex').toUpperCase()}`,
  };
  const log = options.log ?? (() => undefined);
  const fee = options.feeRupiah ?? 500;
  const initialBalance = options.initialBalanceRupiah ?? 1_000_000_000;

  let tokens = new Set<string>();
  let transactions = new Map<string, Transaction>();
  let unavailableCounters = new Map<string, number>();
  let balance = initialBalance;
  let callbacksEnabled = options.callbacks ?? true;
  let notificationUrl = options.notificationUrl;
  const faults = new FaultPlan();
  const sent: { reference: string; status: string; httpStatus?: number; error?: string; at: string }[] = [];

  const envelope = (res: ServerResponse, http: number, code: string, message: string, data?: unknown) =>
    sendJson(res, http, { response_code: code, response_message: message, ...(data !== undefined && { data }) });

  /** Applies a programmed fault. Returns true when the call must get no (further) answer. */
  async function misbehave(op: Operation, res: ServerResponse): Promise<'ANSWERED' | 'HOLD' | 'HOLD_AFTER' | 'GO'> {
    const fault = faults.take(op);
    if (!fault) return 'GO';
    log(`fault ${fault.mode} on ${op}`);
    switch (fault.mode) {
      case 'http500':
        envelope(res, 500, 'SP019', 'General Error');
        return 'ANSWERED';
      case 'http503':
        envelope(res, 503, 'SP019', 'Service Unavailable');
        return 'ANSWERED';
      case 'timeout':
        return 'HOLD';
      case 'accept-then-timeout':
        return op === 'trigger' ? 'HOLD_AFTER' : 'HOLD';
      case 'latency':
        await delay(fault.latencyMs ?? 1000);
        return 'GO';
    }
  }

  /** Scenario 5003: the first two calls of every operation for that number answer 503. */
  function burst(op: Operation, customerNumber: string, res: ServerResponse): boolean {
    const allowance = scenarioFor(customerNumber).unavailableCalls;
    if (allowance === 0) return false;
    const key = `${op}:${customerNumber}`;
    const seen = unavailableCounters.get(key) ?? 0;
    unavailableCounters.set(key, seen + 1);
    if (seen >= allowance) return false;
    envelope(res, 503, 'SP019', 'Service Unavailable');
    return true;
  }

  function bearerOk(req: IncomingMessage): string | undefined {
    const token = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1];
    if (!token || !tokens.has(token)) return undefined;
    if (req.headers['x-partner-id'] !== credentials.apiKey) return undefined;
    return token;
  }

  function transferData(t: Transaction) {
    return {
      transaction_id: t.transactionId,
      transaction_status: { code: t.status, desc: STATUS_DESC[t.status] },
      reference_number: t.reference,
      ...(t.notes && { notes: t.notes }),
      ewallet: { code: t.ewallet, customer_number: t.customerNumber, customer_name: t.customerName },
      post_timestamp: t.createdAt.toISOString(),
      processed_timestamp: t.updatedAt.toISOString(),
      balance_after: money(balance),
      amount: money(t.amount),
      net_amount: money(t.amount),
      fee: money(t.fee),
      fee_amount: money(t.fee),
      gross_amount: money(t.amount + t.fee),
    };
  }

  function moveTo(t: Transaction, status: Status): void {
    if (t.status === status) return;
    t.status = status;
    t.updatedAt = new Date();
    if (status === '04' || status === '05' || status === '06') balance += t.amount + t.fee; // refund the gross amount
    if (FINAL.includes(status)) void notify(t);
  }

  async function notify(t: Transaction): Promise<void> {
    if (!callbacksEnabled || !notificationUrl) return;
    const target = notificationUrl;
    const body = canonicalJson({ response_code: 'SP000', response_message: 'Successful', event: 'ewallet-topup', data: transferData(t) });
    const token = randomBytes(24).toString('base64url');
    const timestamp = String(Math.floor(Date.now() / 1000));
    const path = new URL(target).pathname + new URL(target).search;
    const signature = requestSignature(credentials.clientSecret, { method: 'POST', pathWithQuery: path, accessToken: token, canonicalBody: body, timestamp });
    for (let attempt = 1; attempt <= 3; attempt += 1) {
      try {
        const res = await fetch(target, {
          method: 'POST',
          headers: {
            'Content-Type': 'application/json',
            'X-PARTNER-ID': credentials.apiKey,
            'X-Timestamp': timestamp,
            Authorization: `Bearer ${token}`,
            'X-Signature': signature,
          },
          body,
          signal: AbortSignal.timeout(5000),
        });
        sent.push({ reference: t.reference, status: t.status, httpStatus: res.status, at: new Date().toISOString() });
        if (res.ok) return;
      } catch (err) {
        sent.push({ reference: t.reference, status: t.status, error: (err as Error).message, at: new Date().toISOString() });
      }
      await delay(200 * attempt * attempt);
    }
  }

  function timestampOk(raw: string | undefined): boolean {
    if (!raw) return false;
    const ms = /^\d{9,11}$/.test(raw) ? Number(raw) * 1000 : Date.parse(raw);
    return Number.isFinite(ms) && Math.abs(Date.now() - ms) <= TIMESTAMP_WINDOW_MS;
  }

  function validation(res: ServerResponse, error: z.ZodError): void {
    envelope(res, 400, 'SP018', 'Validation Error', {
      errors: error.issues.map((i) => ({ field: i.path.join('.'), message: i.message })),
    });
  }

  function parseJson(raw: string): unknown {
    try {
      return JSON.parse(raw);
    } catch {
      return undefined;
    }
  }

  // --- the provider's endpoints ---

  async function token(req: IncomingMessage, res: ServerResponse): Promise<void> {
    await readBody(req);
    const mode = await misbehave('token', res);
    if (mode === 'ANSWERED' || mode === 'HOLD' || mode === 'HOLD_AFTER') return;
    const { 'x-partner-id': partner, 'x-client-id': client, 'x-signature': signature } = req.headers;
    if (!partner || !client || !signature) {
      sendJson(res, 400, { status: 400, success: false, response_code: 'SP012', response_message: 'Missing mandatory header' });
      return;
    }
    // The signature's date is Jakarta's today; a request signed a moment before midnight still counts.
    const dates = [Date.now() - TIMESTAMP_WINDOW_MS, Date.now(), Date.now() + TIMESTAMP_WINDOW_MS].map((ms) => new Date(ms));
    const valid =
      partner === credentials.apiKey &&
      client === credentials.clientId &&
      dates.some((date) => signatureMatches(tokenSignature(credentials.clientId, credentials.clientSecret, date), String(signature)));
    if (!valid) {
      sendJson(res, 401, { status: 401, success: false, response_code: 'SP016', response_message: 'Signature Invalid' });
      return;
    }
    const accessToken = randomBytes(32).toString('base64url');
    tokens.add(accessToken);
    sendJson(res, 200, { status: 200, success: true, data: { access_token: accessToken, token_type: 'Bearer', expires_in: '216000' } });
  }

  async function inquiry(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const raw = await readBody(req);
    const mode = await misbehave('inquiry', res);
    if (mode !== 'GO') return;
    if (!bearerOk(req)) return envelope(res, 401, 'SP013', 'Unauthorized');
    const parsed = inquiryBody.safeParse(parseJson(raw));
    if (!parsed.success) return validation(res, parsed.error);
    const body = parsed.data;
    if (burst('inquiry', body.customer_number, res)) return;
    if (body.account_id !== credentials.accountId) return envelope(res, 404, 'SP020', 'Merchant Account Not Found');
    const scenario = scenarioFor(body.customer_number);
    if (scenario.accountNotFound) {
      return envelope(res, 404, 'SP117', 'Beneficiary Account Not Found', { ewallet_code: body.ewallet_code, customer_number: body.customer_number });
    }
    const amount = parseRupiah(body.amount.value);
    envelope(res, 200, 'SP000', 'Successful', {
      ewallet_code: body.ewallet_code,
      customer_number: body.customer_number,
      customer_name: holderName(body.customer_number),
      min_amount: money(MIN_AMOUNT),
      max_amount: money(scenario.maxAmount),
      amount: money(amount),
      fee_amount: money(fee),
      gross_amount: money(amount + fee),
    });
  }

  async function trigger(req: IncomingMessage, res: ServerResponse, path: string): Promise<void> {
    const raw = await readBody(req);
    const mode = await misbehave('trigger', res);
    if (mode === 'ANSWERED' || mode === 'HOLD') return;
    const accessToken = bearerOk(req);
    if (!accessToken) return envelope(res, 401, 'SP013', 'Unauthorized');
    const timestamp = req.headers['x-timestamp'] as string | undefined;
    const signature = req.headers['x-signature'] as string | undefined;
    if (!timestamp || !signature) return envelope(res, 400, 'SP012', 'Missing mandatory header X-Timestamp or X-Signature');
    if (!timestampOk(timestamp)) return envelope(res, 401, 'SP016', 'Invalid Timestamp');
    if (!verifyRequestSignature(credentials.clientSecret, { method: 'POST', pathWithQuery: path, accessToken, timestamp, rawBody: raw, signature })) {
      return envelope(res, 401, 'SP016', 'Signature Invalid');
    }
    const parsed = triggerBody.safeParse(parseJson(raw));
    if (!parsed.success) return validation(res, parsed.error);
    const body = parsed.data;
    if (burst('trigger', body.customer_number, res)) return;
    if (body.account_id !== credentials.accountId) return envelope(res, 404, 'SP020', 'Merchant Account Not Found');

    const existing = transactions.get(body.reference_number);
    if (existing && Date.now() - existing.createdAt.getTime() < DUPLICATE_WINDOW_MS) {
      existing.triggerCalls += 1;
      return envelope(res, 409, 'SP004', 'Duplicate Reference Number');
    }
    const scenario = scenarioFor(body.customer_number);
    if (scenario.accountNotFound) return envelope(res, 404, 'SP117', 'Beneficiary Account Not Found');
    const amount = parseRupiah(body.amount.value);
    if (amount < MIN_AMOUNT || amount > scenario.maxAmount) return envelope(res, 400, 'SP006', 'Exceeds Beneficiary Limit');
    if (scenario.insufficientBalance || amount + fee > balance) return envelope(res, 400, 'SP003', 'Insufficient Balance');

    balance -= amount + fee;
    const now = new Date();
    const t: Transaction = {
      reference: body.reference_number,
      transactionId: `EWT-${now.toISOString().slice(0, 10).replace(/-/g, '')}-${randomBytes(4).toString('hex').toUpperCase()}`,
      ewallet: body.ewallet_code,
      customerNumber: body.customer_number,
      customerName: holderName(body.customer_number),
      ...(body.notes && { notes: body.notes }),
      amount,
      fee,
      status: '03',
      statusChecks: 0,
      triggerCalls: 1,
      createdAt: now,
      updatedAt: now,
    };
    transactions.set(t.reference, t);
    log(`trigger ${t.reference}: ${amount} to ${t.ewallet} …${t.customerNumber.slice(-4)}`);
    // 7777 and accept-then-timeout: the money moved, the answer never leaves.
    if (scenario.loseTriggerAnswer || mode === 'HOLD_AFTER') return;
    envelope(res, 200, 'SP000', 'Successful', transferData(t));
  }

  async function status(req: IncomingMessage, res: ServerResponse, accountId: string): Promise<void> {
    const raw = await readBody(req);
    const mode = await misbehave('status', res);
    if (mode !== 'GO') return;
    if (!bearerOk(req)) return envelope(res, 401, 'SP013', 'Unauthorized');
    const parsed = statusBody.safeParse(parseJson(raw));
    if (!parsed.success) return validation(res, parsed.error);
    if (accountId !== credentials.accountId) return envelope(res, 404, 'SP020', 'Merchant Account Not Found');
    const t = transactions.get(parsed.data.reference_number);
    if (!t) return envelope(res, 404, 'SP009', 'Transaction Not Found');
    if (burst('status', t.customerNumber, res)) return;
    if (!FINAL.includes(t.status)) {
      t.statusChecks += 1;
      moveTo(t, scenarioFor(t.customerNumber).statusAtCheck(t.statusChecks));
    }
    envelope(res, 200, 'SP000', 'Successful', transferData(t));
  }

  // --- the control API (loopback only) ---

  function ledgerEntry(t: Transaction) {
    return {
      reference: t.reference,
      transactionId: t.transactionId,
      amount: money(t.amount),
      fee: money(t.fee),
      grossAmount: money(t.amount + t.fee),
      destination: { ewallet: t.ewallet, customerNumber: t.customerNumber },
      status: t.status,
      statusDesc: STATUS_DESC[t.status],
      triggerCalls: t.triggerCalls,
      statusChecks: t.statusChecks,
      createdAt: t.createdAt.toISOString(),
      updatedAt: t.updatedAt.toISOString(),
    };
  }

  async function control(req: IncomingMessage, res: ServerResponse, path: string): Promise<void> {
    if (!isLoopback(req)) return sendJson(res, 403, { error: 'the control API answers loopback only' });
    const raw = await readBody(req);
    const json = parseJson(raw || '{}');
    const method = req.method ?? 'GET';
    const settle = /^\/__sim\/transactions\/([^/]+)\/settle$/.exec(path);
    if (method === 'GET' && path === '/__sim/transactions') return sendJson(res, 200, [...transactions.values()].map(ledgerEntry));
    if (method === 'POST' && settle) {
      const parsed = settleBody.safeParse(json);
      if (!parsed.success) return sendJson(res, 400, { error: 'body must be { "status": "00" | "06" | "04" }' });
      const t = transactions.get(decodeURIComponent(settle[1]!));
      if (!t) return sendJson(res, 404, { error: 'no such transaction' });
      if (FINAL.includes(t.status)) return sendJson(res, 409, { error: `already final (${t.status})`, transaction: ledgerEntry(t) });
      moveTo(t, parsed.data.status);
      return sendJson(res, 200, ledgerEntry(t));
    }
    if (method === 'POST' && path === '/__sim/faults') {
      const parsed = faultSchema.safeParse(json);
      if (!parsed.success) return sendJson(res, 400, { error: parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`) });
      faults.add(parsed.data);
      return sendJson(res, 201, parsed.data);
    }
    if (method === 'DELETE' && path === '/__sim/faults') {
      faults.clear();
      return sendJson(res, 200, { cleared: true });
    }
    if (path === '/__sim/balance' && method === 'GET') return sendJson(res, 200, money(balance));
    if (path === '/__sim/balance' && method === 'POST') {
      const parsed = balanceBody.safeParse(json);
      if (!parsed.success) return sendJson(res, 400, { error: 'body must be { "value": "1000000.00" }' });
      balance = parseRupiah(parsed.data.value);
      return sendJson(res, 200, money(balance));
    }
    if (path === '/__sim/callbacks' && method === 'GET') return sendJson(res, 200, { enabled: callbacksEnabled, notificationUrl: notificationUrl ?? null, sent });
    if (path === '/__sim/callbacks' && method === 'POST') {
      const parsed = callbacksBody.safeParse(json);
      if (!parsed.success) return sendJson(res, 400, { error: 'body must be { "enabled": true | false }' });
      callbacksEnabled = parsed.data.enabled;
      return sendJson(res, 200, { enabled: callbacksEnabled });
    }
    if (method === 'POST' && path === '/__sim/reset') {
      tokens = new Set();
      transactions = new Map();
      unavailableCounters = new Map();
      balance = initialBalance;
      callbacksEnabled = options.callbacks ?? true;
      faults.clear();
      sent.length = 0;
      return sendJson(res, 200, { reset: true });
    }
    sendJson(res, 404, { error: `no control route ${method} ${path}` });
  }

  const statusPath = /^\/api\/v2\.0\/ewallet\/([^/]+)\/inquiry-status$/;
  const running = await listen(
    async (req, res) => {
      const url = new URL(req.url ?? '/', 'http://simulator');
      const path = url.pathname;
      if (path.startsWith('/__sim/')) return control(req, res, path);
      if (req.method !== 'POST') return envelope(res, 405, 'SP012', 'Method Not Allowed');
      if (path === '/api/v1.1/access-token/b2b') return token(req, res);
      if (path === '/api/v2.0/ewallet/account-inquiry') return inquiry(req, res);
      if (path === '/api/v2.0/ewallet/trigger-topup') return trigger(req, res, path + url.search);
      const match = statusPath.exec(path);
      if (match) return status(req, res, decodeURIComponent(match[1]!));
      envelope(res, 404, 'SP014', 'Not Found');
    },
    options.port ?? 0,
    options.host ?? '127.0.0.1',
    (err) => log(`error: ${(err as Error).message}`),
  );

  return {
    url: running.url,
    port: running.port,
    credentials,
    close: running.close,
    setNotificationUrl(url) {
      notificationUrl = url;
    },
  };
}
