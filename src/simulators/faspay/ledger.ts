// The simulator's memory: the merchant balance, every accepted transfer, the account mutations that
// the history service (12) lists, the X-EXTERNAL-IDs seen per Jakarta day, and the 5003 counters.
// Money moves only here: a debit when a trigger is accepted (the transfer's amount, and Faspay's fee
// as a separate debit as in the provider pages' history sample), a refund of both when a transfer fails.
// Remarks carry our reference, or Faspay's own id when the provider holds faspay.history-match
// "amount-and-time".
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
}

export interface HistoryEntry {
  at: Date;
  amount: number;
  remark: string;
  type: 'SEND_MONEY' | 'PAYMENT' | 'REFUND';
  debitCredit: 'D' | 'K';
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

  /** Accepts a transfer: it is recorded, and its amount and fee leave the balance as two debits. */
  accept(t: SimTransaction): void {
    this.transactions.set(t.reference, t);
    this.balance -= t.amount + t.fee;
    const verb = t.service === '38' ? 'Topup' : t.service === '33' ? 'VA payment' : 'Transfer';
    const day = jakartaDay(t.createdAt).replace(/-/g, '');
    this.record(t.createdAt, t.amount, `${verb} ${day} ${this.sourceAccount} ${this.token(t)}`, t.service === '33' ? 'PAYMENT' : 'SEND_MONEY', 'D');
    if (t.fee > 0) this.record(t.createdAt, t.fee, `fee ${this.sourceAccount} ${this.token(t)}_${t.transactionId}_FEE`, 'PAYMENT', 'D');
  }

  /** Moves a transfer to a status; a final failure refunds the amount and the fee. */
  moveTo(t: SimTransaction, status: TransactionStatus, now = new Date()): void {
    if (t.status === status) return;
    t.status = status;
    t.updatedAt = now;
    if (REFUNDING.includes(status)) {
      this.balance += t.amount + t.fee;
      const day = jakartaDay(now).replace(/-/g, '');
      this.record(now, t.amount, `Reimburse ${day} ${this.sourceAccount} ${this.token(t)}_REVERSAL`, 'REFUND', 'K');
      if (t.fee > 0) this.record(now, t.fee, `Reimburse ${day} ${this.sourceAccount} ${this.token(t)}_FEE_REVERSAL`, 'REFUND', 'K');
    }
    if (FINAL_STATUSES.includes(status)) this.onFinal(t);
  }

  private record(at: Date, amount: number, remark: string, type: HistoryEntry['type'], debitCredit: HistoryEntry['debitCredit']): void {
    this.history.push({ at, amount, remark, type, debitCredit });
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
