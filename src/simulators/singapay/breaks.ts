// The control API's break routes for the Singapay simulator (simulators.md "Reconciliation breaks"):
// POST /__sim/transactions records a top-up the service never sent (the ledger, the balance, and the
// status inquiry of its reference); PATCH /__sim/transactions/{reference} changes its amount or
// status, and a success made a failure is a reversal (the gross amount comes back, the status answers
// the failure). Singapay answers one record per reference, so no second record is made for one
// ("duplicate": true is a 400). Neither route sends a webhook: these breaks are for a
// reconciliation to find.
import { z } from 'zod';
import { injectBody, issueLines, moneyCameBack, patchBody, statusChange, type ControlAnswer } from '../breaks';
import { ledgerEntry } from './ledger';
import { holderName } from './scenarios';
import type { SimState } from './state';

const EWALLET_CODES = ['DANA', 'OVO', 'GOPAY', 'SHOPEEPAY'] as const;
const customerNumber = z.string().regex(/^\d{10,15}$/, 'must be 10 to 15 digits');

/** A bare number is a DANA customer number; otherwise the payout API's e-wallet destination. */
const destination = z.preprocess(
  (v) => (typeof v === 'string' ? { type: 'EWALLET', ewallet: 'DANA', customerNumber: v } : v),
  z.strictObject({
    type: z.literal('EWALLET', { error: 'Singapay pays e-wallets only: "EWALLET"' }),
    ewallet: z.enum(EWALLET_CODES, { error: `must be one of ${EWALLET_CODES.join(', ')}` }),
    customerNumber,
  }),
);
const createBody = injectBody(destination);

const ONE_RECORD_PER_REFERENCE =
  'Singapay answers one record per reference (its status inquiry), so a duplicate could not be seen by any caller: this simulator does not record one';

/** POST /__sim/transactions. */
export function recordTopUp(state: SimState, json: unknown): ControlAnswer {
  const parsed = createBody.safeParse(json);
  if (!parsed.success) return { status: 400, body: { error: 'body must be { "reference", "amount": { "value", "currency": "IDR" }, "destination", "status"? }', issues: issueLines(parsed.error) } };
  const b = parsed.data;
  if (b.duplicate) return { status: 400, body: { error: ONE_RECORD_PER_REFERENCE, issues: [`duplicate: ${ONE_RECORD_PER_REFERENCE}`] } };
  const { ledger } = state;
  const existing = ledger.find(b.reference);
  if (existing) return { status: 409, body: { error: `reference ${b.reference} is already in the ledger`, transaction: ledgerEntry(existing) } };
  if (b.amount.value + state.fee > ledger.balance) {
    return { status: 409, body: { error: `the balance (${ledger.balance}) cannot pay ${b.amount.value} + fee ${state.fee}: raise it with POST /__sim/balance` } };
  }
  const now = state.now();
  const t = ledger.open(
    { reference: b.reference, ewallet: b.destination.ewallet, customerNumber: b.destination.customerNumber, customerName: holderName(b.destination.customerNumber), amount: b.amount.value, fee: state.fee },
    now,
  );
  // No trigger call reached the provider for it.
  t.triggerCalls = 0;
  t.createdBy = 'control';
  if (b.status !== '03') ledger.restate(t, b.status, now);
  state.log(`control: recorded ${t.reference} (${t.status}), a transfer the service never sent`);
  return { status: 201, body: ledgerEntry(t) };
}

/** PATCH /__sim/transactions/{reference}: the amount first, then the status (a reversal refunds the new amount). */
export function changeTopUp(state: SimState, reference: string, json: unknown): ControlAnswer {
  const parsed = patchBody.safeParse(json);
  if (!parsed.success) return { status: 400, body: { error: 'body must be { "amount"?: { "value", "currency": "IDR" }, "status"?: "00" | "04" | "06" }', issues: issueLines(parsed.error) } };
  const b = parsed.data;
  const { ledger } = state;
  const t = ledger.find(reference);
  if (!t) return { status: 404, body: { error: 'no transaction with that reference' } };
  const change = b.status === undefined ? { kind: 'same' as const } : statusChange(t.status, b.status);
  if (change.kind === 'refused') return { status: 409, body: { error: change.message, transaction: ledgerEntry(t) } };
  const amount = b.amount?.value;
  const increase = amount === undefined ? 0 : amount - t.amount;
  if (increase > 0 && !moneyCameBack(t.status) && increase > ledger.balance) {
    return { status: 409, body: { error: `the balance (${ledger.balance}) cannot pay the ${increase} more: raise it with POST /__sim/balance`, transaction: ledgerEntry(t) } };
  }
  const now = state.now();
  const amountChanges = amount !== undefined && amount !== t.amount;
  if (amountChanges) ledger.changeAmount(t, amount, now);
  if (b.status !== undefined && change.kind !== 'same') ledger.restate(t, b.status, now);
  if (change.kind === 'reverse') t.reversedAt = now;
  if (amountChanges || change.kind !== 'same') {
    t.changedBy = 'control';
    t.changedAt = now;
    state.log(`control: changed ${t.reference} (${t.status}, ${t.amount})`);
  }
  return { status: 200, body: ledgerEntry(t) };
}
