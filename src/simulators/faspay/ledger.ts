// The simulator's memory: the merchant balance, every accepted transfer, the account mutations that
// the history service (12) lists, the X-EXTERNAL-IDs seen per Jakarta day, and the 5003 counters.
// Money moves only here: a debit when a trigger is accepted (the transfer's amount, and Faspay's fee
// as a separate debit as in the provider pages' history sample), a refund of both when a transfer fails.
// Remarks carry our reference, or Faspay's own id when the provider holds faspay.history-match
// "amount-and-time". The control API's break routes (breaks.ts) change transfers here too: a second
// record for a reference (a duplicate), another amount, a reversal.
import { randomInt } from 'node:crypto';
import { formatRupiah } from '../../domain/money';
import { TRANSACTION_STATUS_DESC, type TransactionStatus } from '../../providers/faspay/codes';
import { jakartaDay, jakartaTimestamp } from '../../providers/faspay/headers';
import type { TransferServiceCode } from '../../providers/faspay/services';

export type SimDestination =
  | { type: 'BANK_ACCOUNT'; bankCode: string; bankName: string; accountNumber: string; accountName: string }
  | { type: 'EWALLET'; platformCode: string; platformName: string; customerNumber: string; customerName: string }
  | { type: 'VIRTUAL_ACCOUNT'; billerCode: string; partnerServiceId: string; customerNo: string; virtualAccountNumber: string; virtualAccountName: string };

export interface SimTransaction {
  reference: string;
  /** Faspay's referenceNo. */
  transactionId: string;
  service: TransferServiceCode;
  amount: number;
  fee: number;
  destination: SimDestination;
  description: string;
  callbackUrl: string;
  beneficiaryEmail?: string;
  transactionDate: string;
  /** Whether the history's remarks name our reference (faspay.history-match "remark") or Faspay's id. */
  remarkNamesReference: boolean;
  status: TransactionStatus;
  statusChecks: number;
  triggerCalls: number;
  createdAt: Date;
  updatedAt: Date;
  /** Set when the control API recorded it (POST /__sim/transactions): a transfer the service never sent. */
  createdBy?: 'control';
  /** A second provider record for a reference the ledger already held (the DUPLICATE break). */
  duplicate?: true;
  /** Set when the control API changed it (PATCH /__sim/transactions/{reference}). */
  changedBy?: 'control';
  changedAt?: Date;
  /** When a success was reversed: the provider's money came back after it had reported success. */
  reversedAt?: Date;
}

export interface HistoryEntry {
  at: Date;
  amount: number;
  remark: string;
  type: 'SEND_MONEY' | 'PAYMENT' | 'REFUND';
  debitCredit: 'D' | 'K';
  /** The transfer and which of its sums the entry moves, so that a changed amount shows in its entries. */
  transfer?: SimTransaction;
  part?: 'amount' | 'fee';
}

export const FINAL_STATUSES: readonly TransactionStatus[] = ['00', '04', '05', '06'];
const REFUNDING: readonly TransactionStatus[] = ['04', '05', '06'];

export const money = (rupiah: number) => ({ value: formatRupiah(rupiah), currency: 'IDR' });

/** The number a scenario keys on. */
export function numberOf(d: SimDestination): string {
  switch (d.type) {
    case 'BANK_ACCOUNT':
      return d.accountNumber;
    case 'EWALLET':
      return d.customerNumber;
    case 'VIRTUAL_ACCOUNT':
      return d.virtualAccountNumber;
  }
}

export class Ledger {
  balance: number;
  transactions = new Map<string, SimTransaction>();
  history: HistoryEntry[] = [];
  /** Second records of references in `transactions` (the status services answer the first one). */
  duplicates: SimTransaction[] = [];
  private externalIds = new Map<string, Set<string>>();
  private bursts = new Map<string, number>();

  constructor(
    private readonly initialBalance: number,
    private readonly sourceAccount: string,
    /** Called when a transfer reaches a final status (the callback). */
    private readonly onFinal: (t: SimTransaction) => void,
  ) {
    this.balance = initialBalance;
  }

  reset(): void {
    this.balance = this.initialBalance;
    this.transactions = new Map();
    this.history = [];
    this.duplicates = [];
    this.externalIds = new Map();
    this.bursts = new Map();
  }

  /** Records an X-EXTERNAL-ID; false when it was already used on this Jakarta day. */
  useExternalId(partnerId: string, externalId: string, now: Date): boolean {
    const day = jakartaDay(now);
    for (const seen of this.externalIds.keys()) if (seen !== day) this.externalIds.delete(seen); // yesterday's ids are free again
    const ids = this.externalIds.get(day) ?? new Set<string>();
    this.externalIds.set(day, ids);
    const key = `${partnerId}:${externalId}`;
    if (ids.has(key)) return false;
    ids.add(key);
    return true;
  }

  /** Scenario 5003: counts a call of `service` for `number`; true while it must still answer 503. */
  stillUnavailable(service: string, number: string, allowance: number): boolean {
    if (allowance === 0) return false;
    const key = `${service}:${number}`;
    const seen = this.bursts.get(key) ?? 0;
    this.bursts.set(key, seen + 1);
    return seen < allowance;
  }

  newTransactionId(now: Date): string {
    return `${jakartaDay(now).replace(/-/g, '')}${String(randomInt(100_000_000)).padStart(8, '0')}`;
  }

  /** The token a remark names the transfer by. */
  private token(t: SimTransaction): string {
    return t.remarkNamesReference ? t.reference : t.transactionId;
  }

  /**
   * Accepts a transfer: it is recorded, and its amount and fee leave the balance as two debits. A
   * duplicate is kept apart: the status services and the duplicate check go on finding the first.
   */
  accept(t: SimTransaction): void {
    if (t.duplicate) this.duplicates.push(t);
    else this.transactions.set(t.reference, t);
    this.balance -= t.amount + t.fee;
    const verb = t.service === '38' ? 'Topup' : t.service === '33' ? 'VA payment' : 'Transfer';
    const day = jakartaDay(t.createdAt).replace(/-/g, '');
    this.record(t, 'amount', t.createdAt, `${verb} ${day} ${this.sourceAccount} ${this.token(t)}`, t.service === '33' ? 'PAYMENT' : 'SEND_MONEY', 'D');
    if (t.fee > 0) this.record(t, 'fee', t.createdAt, `fee ${this.sourceAccount} ${this.token(t)}_${t.transactionId}_FEE`, 'PAYMENT', 'D');
  }

  /**
   * Moves a transfer to a status; a final failure refunds the amount and the fee, once (a failure
   * relabelled as another failure has its money back already). `notify` false: no callback, for the
   * control API's silent changes, which only a reconciliation should find.
   */
  moveTo(t: SimTransaction, status: TransactionStatus, now = new Date(), notify = true): void {
    if (t.status === status) return;
    const wasRefunded = REFUNDING.includes(t.status);
    t.status = status;
    t.updatedAt = now;
    if (REFUNDING.includes(status) && !wasRefunded) {
      this.balance += t.amount + t.fee;
      const day = jakartaDay(now).replace(/-/g, '');
      this.record(t, 'amount', now, `Reimburse ${day} ${this.sourceAccount} ${this.token(t)}_REVERSAL`, 'REFUND', 'K');
      if (t.fee > 0) this.record(t, 'fee', now, `Reimburse ${day} ${this.sourceAccount} ${this.token(t)}_FEE_REVERSAL`, 'REFUND', 'K');
    }
    if (notify && FINAL_STATUSES.includes(status)) this.onFinal(t);
  }

  /**
   * Another amount for a transfer, as if the provider had moved that amount all along: its history
   * entries show it, and the balance pays the difference unless the money already came back (then
   * debit and refund change alike). The caller has checked that the balance covers an increase.
   */
  changeAmount(t: SimTransaction, amount: number, now: Date): void {
    if (!REFUNDING.includes(t.status)) this.balance -= amount - t.amount;
    for (const h of this.history) if (h.transfer === t && h.part === 'amount') h.amount = amount;
    t.amount = amount;
    t.updatedAt = now;
  }

  /** Every record, the duplicates after the first records (GET /__sim/transactions). */
  rows(): SimTransaction[] {
    return [...this.transactions.values(), ...this.duplicates];
  }

  private record(
    transfer: SimTransaction,
    part: HistoryEntry['part'],
    at: Date,
    remark: string,
    type: HistoryEntry['type'],
    debitCredit: HistoryEntry['debitCredit'],
  ): void {
    this.history.push({ at, amount: part === 'fee' ? transfer.fee : transfer.amount, remark, type, debitCredit, transfer, part });
  }

  /** One transfer as the control API shows it. */
  entry(t: SimTransaction) {
    return {
      reference: t.reference,
      transactionId: t.transactionId,
      amount: money(t.amount),
      fee: money(t.fee),
      grossAmount: money(t.amount + t.fee),
      destination: t.destination,
      service: t.service,
      status: t.status,
      statusDesc: TRANSACTION_STATUS_DESC[t.status],
      description: t.description,
      triggerCalls: t.triggerCalls,
      statusChecks: t.statusChecks,
      createdAt: t.createdAt.toISOString(),
      updatedAt: t.updatedAt.toISOString(),
      // Only the control API's records and changes carry these (added fields: the chaos checker reads the rest).
      ...(t.createdBy && { createdBy: t.createdBy }),
      ...(t.duplicate && { duplicate: true }),
      ...(t.changedBy && { changedBy: t.changedBy }),
      ...(t.changedAt && { changedAt: t.changedAt.toISOString() }),
      ...(t.reversedAt && { reversedAt: t.reversedAt.toISOString() }),
    };
  }

  historyEntry(h: HistoryEntry) {
    return {
      dateTime: jakartaTimestamp(h.at),
      amount: money(h.amount),
      remark: h.remark,
      sourceOfFunds: [{ source: 'BALANCE' }],
      status: 'SUCCESS',
      type: h.type,
      additionalInfo: { debitCredit: h.debitCredit },
    };
  }
}
