// Helpers of the approval-policy tests (issue 15): a policy from its JSON, API keys for principals
// made up for one test (spending scopes are per principal and Jakarta day in the whole namespace, so
// each test spends under principals of its own), decisions and limits over HTTP, and both
// simulators' ledgers.
import { createHash, randomUUID } from 'node:crypto';
import { parseApprovalPolicy, type ConfiguredPolicy } from '../../src/approvals/policy-config';
import type { ApiKeyEntry } from '../../src/api/api-keys';
import type { Payout, PayoutStatus } from '../../src/domain/payout';
import { payoutSchema } from '../../src/api/schemas';
import { call, type ApiAnswer } from './stack';
import { checkAgainstDocument } from './api-document';

/** The policy of APPROVAL_POLICY's JSON; a test's own policy must be valid. */
export function approvalPolicy(json: unknown): ConfiguredPolicy {
  const parsed = parseApprovalPolicy(JSON.stringify(json));
  if ('problems' in parsed) throw new Error(`the test's policy is not valid: ${JSON.stringify(parsed.problems)}`);
  return parsed;
}

export type Role = 'requester' | 'approver' | 'admin';
export interface Person {
  principal: string;
  key: string;
  roles: Role[];
}

/** A principal of this test run only (`<label>-<random>@test`), with a key of its own. */
export function person(label: string, roles: Role[]): Person {
  const id = randomUUID().slice(0, 8);
  return { principal: `${label}-${id}@test`, key: `key-${label}-${randomUUID()}`, roles };
}

/** A named principal (e.g. the auto-approval policy's requester) with a key of its own. */
export function named(principal: string, roles: Role[]): Person {
  return { principal, key: `key-${randomUUID()}`, roles };
}

export function apiKeysOf(people: readonly Person[]): ApiKeyEntry[] {
  return people.map(({ principal, key, roles }) => ({ keySha256: createHash('sha256').update(key).digest('hex'), principal, roles }));
}

export interface Problem {
  type: string;
  title?: string;
  detail?: string;
  scope?: string;
  limit?: { value: string; currency: string };
  used?: { value: string; currency: string };
  remaining?: { value: string; currency: string };
  requested?: { value: string; currency: string };
  day?: string;
}

type Stack = { apiUrl: string };

/**
 * POST /v1/payouts/{id}/approve. Every answer is held against the OpenAPI document except a
 * `limit-exceeded` problem's own fields (scope, limit, used, remaining, requested, day), which the
 * document's problem schema did not allow when these tests were written: that one is checked for
 * exactly those fields instead.
 */
export async function approve(stack: Stack, reference: string, key: string, comment?: string): Promise<ApiAnswer<Payout & Problem>> {
  const path = `/v1/payouts/${reference}/approve`;
  return documentedExceptLimitFields('POST', path, await call<Payout & Problem>({ apiUrl: stack.apiUrl, documented: false }, 'POST', path, { key, body: comment ? { comment } : {} }));
}

const LIMIT_FIELDS = ['scope', 'limit', 'used', 'remaining', 'requested', 'day'] as const;

/** The problems of issue 15 whose own fields the document's problem schema does not allow (yet). */
const OWN_FIELDS: Record<string, readonly string[]> = { 'limit-exceeded': LIMIT_FIELDS, 'batch-exclusions-differ': ['excludeReferences'] };

export function documentedExceptLimitFields<T>(method: string, path: string, answer: ApiAnswer<T>): ApiAnswer<T> {
  const body = answer.body as unknown as Problem & Record<string, unknown>;
  const kind = answer.status === 409 && typeof body?.type === 'string' ? Object.keys(OWN_FIELDS).find((name) => body.type.endsWith(name)) : undefined;
  if (kind) {
    const own = OWN_FIELDS[kind]!;
    for (const field of own) if (!(field in body)) throw new Error(`${method} ${path}: the ${kind} problem has no ${field}: ${JSON.stringify(body)}`);
    const rest = Object.fromEntries(Object.entries(body).filter(([field]) => !own.includes(field)));
    checkAgainstDocument({ method, path, ...answer, body: rest });
  } else {
    checkAgainstDocument({ method, path, ...answer });
  }
  return answer;
}

export function reject(stack: Stack, reference: string, key: string, reason = 'not this one'): Promise<ApiAnswer<Payout & Problem>> {
  return call<Payout & Problem>(stack, 'POST', `/v1/payouts/${reference}/reject`, { key, body: { reason } });
}

export function cancel(stack: Stack, reference: string, key: string, reason = 'changed my mind'): Promise<ApiAnswer<Payout & Problem>> {
  return call<Payout & Problem>(stack, 'POST', `/v1/payouts/${reference}/cancel`, { key, body: { reason } });
}

export async function getPayout(stack: Stack, reference: string, key: string): Promise<Payout> {
  const res = await call<Payout>(stack, 'GET', `/v1/payouts/${reference}`, { key });
  if (res.status !== 200) throw new Error(`GET /v1/payouts/${reference} answered ${res.status}: ${JSON.stringify(res.body)}`);
  return res.body;
}

export interface ScopeView {
  limit: { value: string; currency: string } | null;
  used: { value: string; currency: string };
  remaining: { value: string; currency: string } | null;
}
export interface LimitsView {
  date: string;
  timeZone: string;
  policy: string;
  requester?: ScopeView & { principal: string };
  destination?: ScopeView & { accountNumber: string };
}

export async function limits(stack: Stack, key: string, query: { requester?: string; destination?: string }): Promise<ApiAnswer<LimitsView & Problem>> {
  const search = new URLSearchParams(Object.entries(query).filter(([, v]) => v !== undefined) as [string, string][]);
  return call<LimitsView & Problem>(stack, 'GET', `/v1/limits?${search.toString()}`, { key });
}

/** Whole rupiah of a money object ("50000.00" → 50000). */
export const rupiah = (money: { value: string } | null | undefined): number => (money ? Number(money.value) : NaN);

export interface LedgerRow {
  reference: string;
  amount: { value: string; currency: string };
  status: string;
  triggerCalls: number;
}

/** Both simulators' ledgers: the judges of whether money moved, and how often. */
export async function ledgers(stack: { simulator: { url: string }; faspaySimulator: { url: string } }, references?: readonly string[]): Promise<LedgerRow[]> {
  const read = async (url: string) => (await (await fetch(`${url}/__sim/transactions`)).json()) as LedgerRow[];
  const all = [...(await read(stack.simulator.url)), ...(await read(stack.faspaySimulator.url))];
  if (!references) return all;
  const wanted = new Set(references);
  return all.filter((row) => wanted.has(row.reference));
}

/** A DANA number of 14 digits, unique enough for one run, ending in a scenario suffix. */
export function danaNumber(suffix: string): string {
  return `08${String(Math.floor(Math.random() * 1e8)).padStart(8, '0')}${suffix}`;
}

/** Waits `ms` milliseconds. */
export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls GET /v1/payouts/{id} with this key until `done` holds (stack.ts's waitForPayout, for stacks with their own API keys). */
export async function waitUntil(stack: Stack, key: string, reference: string, done: PayoutStatus | ((payout: Payout) => boolean), timeoutMs = 30_000): Promise<Payout> {
  const holds = typeof done === 'string' ? (p: Payout) => p.status === done : done;
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    const res = await call<Payout>(stack, 'GET', `/v1/payouts/${reference}`, { key });
    last = res.body;
    if (res.status === 200) payoutSchema.parse(res.body);
    if (res.status === 200 && holds(res.body)) return res.body;
    await sleep(150);
  }
  throw new Error(`payout ${reference} did not ${typeof done === 'string' ? `reach ${done}` : 'get there'} within ${timeoutMs} ms; last seen: ${JSON.stringify(last)}`);
}

/**
 * Spending is counted per Asia/Jakarta day (midnight there is 17:00 UTC): a test that reserves before
 * midnight and reads GET /v1/limits after it would read the next day's figures. Waits until the next
 * `withinMs` do not cross midnight in Jakarta (call it before a test file's first reservation).
 */
export async function clearOfJakartaMidnight(withinMs: number): Promise<void> {
  const JAKARTA_OFFSET_MS = 7 * 3_600_000;
  const DAY_MS = 86_400_000;
  const sinceMidnight = (Date.now() + JAKARTA_OFFSET_MS) % DAY_MS;
  const untilMidnight = DAY_MS - sinceMidnight;
  if (untilMidnight < withinMs) await sleep(untilMidnight + 2_000);
}
