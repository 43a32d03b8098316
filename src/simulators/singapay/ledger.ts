// The simulator's books: every accepted top-up, the merchant balance it debits (gross amount =
// amount + fee) and refunds when a transfer fails for good (04/05/06). Tests read it through
// GET /__sim/transactions to prove that money moved exactly once. The control API's break routes
// (breaks.ts) change transfers here too: another amount, a success reversed.
import { randomBytes } from 'node:crypto';
import { formatRupiah } from '../../domain/money';
import type { SingapayAssumptionSettings } from '../../providers/singapay/assumptions';
import type { StatusWord, TransactionStatus } from '../../providers/singapay/codes';
import { jakartaTimestamp } from '../../providers/singapay/signature';

export type { TransactionStatus };

export const STATUS_DESC: Record<TransactionStatus, string> = {
  '00': 'Success',
  '01': 'Initiated',
  '02': 'Paying',
  '03': 'Pending',
  '04': 'Refunded',
  '05': 'Canceled',
  '06': 'Failed',
  '07': 'Not Found',
};
const FINAL: readonly TransactionStatus[] = ['00', '04', '05', '06'];
/** Final failures: the provider gives the gross amount back. */
const REFUNDED: readonly TransactionStatus[] = ['04', '05', '06'];

export const isFinalStatus = (status: TransactionStatus): boolean => FINAL.includes(status);

/** A reference used within this window is a duplicate (docs/providers/singapay.md "Trigger top-up"). */
export const DUPLICATE_WINDOW_MS = 24 * 60 * 60 * 1000;

export interface SimTransaction {
  reference: string;
  transactionId: string;
  ewallet: string;
  customerNumber: string;
  customerName: string;
  notes?: string;
  amount: number;
  fee: number;
  status: TransactionStatus;
  /** Status inquiries that found it not final: the scenario clock. */
  statusChecks: number;
  /** Trigger calls that reached the duplicate check for this reference, the first included. */
  triggerCalls: number;
  createdAt: Date;
  updatedAt: Date;
  /** Set when the control API recorded it (POST /__sim/transactions): a transfer the service never sent. */
  createdBy?: 'control';
  /** Set when the control API changed it (PATCH /__sim/transactions/{reference}). */
  changedBy?: 'control';
  changedAt?: Date;
  /** When a success was reversed: the provider's money came back after it had reported success. */
  reversedAt?: Date;
}

export const money = (rupiah: number) => ({ value: formatRupiah(rupiah), currency: 'IDR' as const });

export class Ledger {
  balance: number;
  private all: SimTransaction[] = [];
  /** The latest transaction for each reference. */
  private byReference = new Map<string, SimTransaction>();
  private sequence = 0;

  constructor(private readonly initialBalance: number) {
    this.balance = initialBalance;
  }

  find(reference: string): SimTransaction | undefined {
    return this.byReference.get(reference);
  }

  /** The transaction that makes `reference` a duplicate now, if any. */
  duplicateOf(reference: string, now: Date): SimTransaction | undefined {
    const t = this.byReference.get(reference);
    return t && now.getTime() - t.createdAt.getTime() < DUPLICATE_WINDOW_MS ? t : undefined;
  }

  /** Records an accepted top-up and debits its gross amount; the caller has checked the balance. */
  open(input: Pick<SimTransaction, 'reference' | 'ewallet' | 'customerNumber' | 'customerName' | 'notes' | 'amount' | 'fee'>, now: Date): SimTransaction {
    this.sequence += 1;
    const t: SimTransaction = {
      ...input,
      // The trigger page's form (EWT-20260402-0001), plus random digits: ids stay unique across restarts.
      transactionId: `EWT-${jakartaTimestamp(now).slice(0, 10).replace(/-/g, '')}-${String(this.sequence).padStart(4, '0')}${randomBytes(2).toString('hex').toUpperCase()}`,
      status: '03',
      statusChecks: 0,
      triggerCalls: 1,
      createdAt: now,
      updatedAt: now,
    };
    if (t.notes === undefined) delete t.notes;
    this.balance -= t.amount + t.fee;
    this.all.push(t);
    this.byReference.set(t.reference, t);
    return t;
  }

  /** Moves a transfer; refunds on a final failure. Returns true when it has just become final. */
  move(t: SimTransaction, status: TransactionStatus, now: Date): boolean {
    if (t.status === status || isFinalStatus(t.status)) return false;
    t.status = status;
    t.updatedAt = now;
    if (REFUNDED.includes(status)) this.balance += t.amount + t.fee;
    return isFinalStatus(status);
  }

  /**
   * Sets any status, final or not (the control API's changes): the gross amount comes back when the
   * transfer enters a final failure from a status whose money had not come back (a reversal of a
   * success included), never twice. No webhook: the caller decides.
   */
  restate(t: SimTransaction, status: TransactionStatus, now: Date): void {
    if (t.status === status) return;
    if (REFUNDED.includes(status) && !REFUNDED.includes(t.status)) this.balance += t.amount + t.fee;
    t.status = status;
    t.updatedAt = now;
  }

  /**
   * Another amount for a transfer, as if the provider had moved that amount all along: the balance
   * pays the difference unless the money already came back. The caller has checked the balance.
   */
  changeAmount(t: SimTransaction, amount: number, now: Date): void {
    if (!REFUNDED.includes(t.status)) this.balance -= amount - t.amount;
    t.amount = amount;
    t.updatedAt = now;
  }

  transactions(): readonly SimTransaction[] {
    return this.all;
  }

  reset(): void {
    this.all = [];
    this.byReference = new Map();
    this.balance = this.initialBalance;
  }
}

/** The overview page's words for the codes, as a provider with that vocabulary would answer. */
export const STATUS_WORD: Record<TransactionStatus, StatusWord> = {
  '00': 'success',
  '01': 'pending',
  '02': 'pending',
  '03': 'pending',
  '04': 'failed',
  '05': 'failed',
  '06': 'failed',
  '07': 'failed',
};

/**
 * `transaction_status` in the vocabulary the simulator holds (singapay.status-vocabulary): the
 * trigger page's `{ code, desc }`, or the overview page's bare word.
 */
export function transactionStatus(status: TransactionStatus, vocabulary: SingapayAssumptionSettings['statusVocabulary']) {
  return vocabulary === 'words' ? STATUS_WORD[status] : { code: status, desc: STATUS_DESC[status] };
}

/** The `data` of the trigger answer, the status answer and the webhook (the trigger page). */
export function transferData(t: SimTransaction, balanceAfter: number, vocabulary: SingapayAssumptionSettings['statusVocabulary'] = 'codes') {
  return {
    transaction_id: t.transactionId,
    transaction_status: transactionStatus(t.status, vocabulary),
    reference_number: t.reference,
    ...(t.notes !== undefined && { notes: t.notes }),
    ewallet: { code: t.ewallet, customer_number: t.customerNumber, customer_name: t.customerName },
    post_timestamp: jakartaTimestamp(t.createdAt),
    processed_timestamp: jakartaTimestamp(t.updatedAt),
    balance_after: money(balanceAfter),
    // The trigger page names them net_amount / fee, the status answer amount / fee_amount: both.
    amount: money(t.amount),
    net_amount: money(t.amount),
    fee: money(t.fee),
    fee_amount: money(t.fee),
    gross_amount: money(t.amount + t.fee),
  };
}

/** One entry of GET /__sim/transactions (simulators.md "Control API"). */
export function ledgerEntry(t: SimTransaction) {
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
    ...(t.notes !== undefined && { notes: t.notes }),
    createdAt: t.createdAt.toISOString(),
    updatedAt: t.updatedAt.toISOString(),
    // Only the control API's records and changes carry these (added fields: the chaos checker reads the rest).
    ...(t.createdBy && { createdBy: t.createdBy }),
    ...(t.changedBy && { changedBy: t.changedBy }),
    ...(t.changedAt && { changedAt: t.changedAt.toISOString() }),
    ...(t.reversedAt && { reversedAt: t.reversedAt.toISOString() }),
  };
}
