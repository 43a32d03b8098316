// The control API's break routes for the Faspay simulator (simulators.md "Reconciliation breaks"):
// POST /__sim/transactions records a transfer the service never sent, where Faspay would show it (the
// ledger, the history's transfer and fee debits and any refund, the balance, the status services);
// with "duplicate": true, a second record of a reference it holds (two transfer debits name it).
// PATCH /__sim/transactions/{reference} changes the amount or the status of the first record of a
// reference: its history entries and balance follow, and a success made a failure is a reversal
// (refund credits). Neither sends a callback: these breaks are for a reconciliation to find.
import { z } from 'zod';
import { EWALLETS } from '../../domain/payout';
import { companyCodeDigitsFor } from '../../providers/faspay/assumptions';
import { PLATFORM_CODES } from '../../providers/faspay/fields';
import { jakartaTimestamp } from '../../providers/faspay/headers';
import type { TransferServiceCode } from '../../providers/faspay/services';
import { injectBody, issueLines, moneyCameBack, patchBody, statusChange, type ControlAnswer } from '../breaks';
import type { HeldAssumptions } from './assumptions';
import { feeOf } from './fees';
import type { Ledger, SimDestination, SimTransaction } from './ledger';
import { holderName, institutionName } from './scenarios';

const digits = (max: number) => z.string().regex(new RegExp(`^\\d{1,${max}}$`), `must be 1 to ${max} digits`);
const FASPAY_EWALLETS = EWALLETS.filter((e) => Object.hasOwn(PLATFORM_CODES, e));

/** A bare number is a bank account at BCA (014, service 18); otherwise the API's destination objects. */
const destination = z.preprocess(
  (v) => (typeof v === 'string' ? { type: 'BANK_ACCOUNT', bankCode: '014', accountNumber: v } : v),
  z.discriminatedUnion(
    'type',
    [
      z.strictObject({ type: z.literal('BANK_ACCOUNT'), bankCode: z.string().regex(/^\d{3}$/, 'must be 3 digits'), accountNumber: digits(34) }),
      z.strictObject({ type: z.literal('EWALLET'), ewallet: z.enum(FASPAY_EWALLETS as [string, ...string[]]), customerNumber: digits(32) }),
      z.strictObject({ type: z.literal('VIRTUAL_ACCOUNT'), billerCode: z.string().regex(/^\d{3}$/, 'must be 3 digits'), virtualAccountNumber: digits(28) }),
    ],
    { error: 'must be an account number ("1234567890") or { "type": "BANK_ACCOUNT" | "EWALLET" | "VIRTUAL_ACCOUNT", … } as in the payout API' },
  ),
);
const createBody = injectBody(destination);
type DestinationIn = z.infer<typeof destination>;

export interface BreakContext {
  ledger: Ledger;
  held: HeldAssumptions;
  now: () => Date;
}

/** The simulator's destination and the service that moves money to it; or why the number cannot be one. */
function simDestination(d: DestinationIn, held: HeldAssumptions): { destination: SimDestination; service: TransferServiceCode } | { error: string } {
  switch (d.type) {
    case 'BANK_ACCOUNT':
      return {
        service: '18',
        destination: { type: 'BANK_ACCOUNT', bankCode: d.bankCode, bankName: institutionName(d.bankCode)!, accountNumber: d.accountNumber, accountName: holderName(d.accountNumber) },
      };
    case 'EWALLET': {
      const platformCode = PLATFORM_CODES[d.ewallet as keyof typeof PLATFORM_CODES];
      return {
        service: '38',
        destination: { type: 'EWALLET', platformCode, platformName: institutionName(platformCode)!, customerNumber: d.customerNumber, customerName: holderName(d.customerNumber) },
      };
    }
    case 'VIRTUAL_ACCOUNT': {
      // Split as the provider holds it for the biller (faspay.va-company-code-digits), as 33 would.
      const n = companyCodeDigitsFor(held.settings, d.billerCode);
      if (d.virtualAccountNumber.length <= n) return { error: `destination.virtualAccountNumber: must be longer than the ${n}-digit company code of biller ${d.billerCode}` };
      const number = d.virtualAccountNumber;
      return {
        service: '33',
        destination: {
          type: 'VIRTUAL_ACCOUNT',
          billerCode: d.billerCode,
          partnerServiceId: number.slice(0, n).padStart(8, ' '),
          customerNo: number.slice(n),
          virtualAccountNumber: number,
          virtualAccountName: holderName(number),
        },
      };
    }
  }
}

/** POST /__sim/transactions. */
export function recordTransfer(ctx: BreakContext, json: unknown): ControlAnswer {
  const parsed = createBody.safeParse(json);
  if (!parsed.success) return { status: 400, body: { error: 'body must be { "reference", "amount": { "value", "currency": "IDR" }, "destination", "status"?, "duplicate"? }', issues: issueLines(parsed.error) } };
  const b = parsed.data;
  const { ledger } = ctx;
  const existing = ledger.transactions.get(b.reference);
  if (existing && !b.duplicate) return { status: 409, body: { error: `reference ${b.reference} is already in the ledger; "duplicate": true records a second provider record for it`, transaction: ledger.entry(existing) } };
  if (!existing && b.duplicate) return { status: 409, body: { error: `no record of reference ${b.reference} to duplicate: record it first` } };
  const target = simDestination(b.destination, ctx.held);
  if ('error' in target) return { status: 400, body: { error: target.error, issues: [target.error] } };
  const fee = feeOf(ctx.held.settings, target.destination);
  if (b.amount.value + fee > ledger.balance) return { status: 409, body: { error: `the balance (${ledger.balance}) cannot pay ${b.amount.value} + fee ${fee}: raise it with POST /__sim/balance` } };
  const now = ctx.now();
  const t: SimTransaction = {
    reference: b.reference,
    transactionId: ledger.newTransactionId(now),
    service: target.service,
    amount: b.amount.value,
    fee,
    destination: target.destination,
    description: '',
    // No callback URL: nothing of ours asked for this transfer, so nothing is called back.
    callbackUrl: '',
    transactionDate: jakartaTimestamp(now),
    remarkNamesReference: ctx.held.settings.historyMatch === 'remark',
    status: '03',
    statusChecks: 0,
    // No trigger call reached the provider for it.
    triggerCalls: 0,
    createdAt: now,
    updatedAt: now,
    createdBy: 'control',
    ...(b.duplicate && { duplicate: true as const }),
  };
  ledger.accept(t);
  if (b.status !== '03') ledger.moveTo(t, b.status, now, false);
  return { status: 201, body: ledger.entry(t) };
}

/** PATCH /__sim/transactions/{reference}: the amount first, then the status (a reversal refunds the new amount). */
export function changeTransfer(ctx: BreakContext, reference: string, json: unknown): ControlAnswer {
  const parsed = patchBody.safeParse(json);
  if (!parsed.success) return { status: 400, body: { error: 'body must be { "amount"?: { "value", "currency": "IDR" }, "status"?: "00" | "04" | "06" }', issues: issueLines(parsed.error) } };
  const b = parsed.data;
  const { ledger } = ctx;
  const t = ledger.transactions.get(reference);
  if (!t) return { status: 404, body: { error: 'no transaction with that reference' } };
  const change = b.status === undefined ? { kind: 'same' as const } : statusChange(t.status, b.status);
  if (change.kind === 'refused') return { status: 409, body: { error: change.message, transaction: ledger.entry(t) } };
  const increase = b.amount === undefined ? 0 : b.amount.value - t.amount;
  if (increase > 0 && !moneyCameBack(t.status) && increase > ledger.balance) {
    return { status: 409, body: { error: `the balance (${ledger.balance}) cannot pay the ${increase} more: raise it with POST /__sim/balance`, transaction: ledger.entry(t) } };
  }
  const now = ctx.now();
  const amount = b.amount?.value;
  const amountChanges = amount !== undefined && amount !== t.amount;
  if (amountChanges) ledger.changeAmount(t, amount, now);
  if (b.status !== undefined && change.kind !== 'same') ledger.moveTo(t, b.status, now, false);
  if (change.kind === 'reverse') t.reversedAt = now;
  if (amountChanges || change.kind !== 'same') {
    t.changedBy = 'control';
    t.changedAt = now;
  }
  return { status: 200, body: ledger.entry(t) };
}
