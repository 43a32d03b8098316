// Faspay's answers turned into provider-neutral results (docs/providers/faspay.md "Response codes":
// what the payout service must conclude). Pure: the client hands in an answer it already received; nothing here does I/O.
import type { z } from 'zod';
import { parseRupiah } from '../../domain/money';
import type { FailureCode, PayoutFailure } from '../../domain/payout';
import { ProviderCallError, type AccountInquiryResult, type TransferStatusResult, type TriggerResult } from '../../domain/provider-port';
import { meaningOf, stateOfTransaction, stateOfVaPayment, type CodeMeaning } from './codes';
import {
  accountInquiryAnswerSchema,
  topupAnswerSchema,
  topupStatusAnswerSchema,
  transferAnswerSchema,
  transferStatusAnswerSchema,
  vaInquiryAnswerSchema,
  vaPaymentAnswerSchema,
} from './schemas';

/** One answer as the client received it: HTTP status, SNAP response code and the parsed JSON. */
export interface FaspayAnswer {
  httpStatus: number;
  responseCode: string;
  responseMessage: string;
  json: unknown;
  retryAfterMs?: number;
}

export function parseAnswer<S extends z.ZodType>(answer: FaspayAnswer, schema: S, what: string): z.infer<S> {
  const parsed = schema.safeParse(answer.json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new ProviderCallError('BAD_ANSWER', `${what}: unexpected answer at ${issue?.path.join('.') || '(root)'}: ${issue?.message}`, {
      mayHaveArrived: true,
      httpStatus: answer.httpStatus,
      providerCode: answer.responseCode,
    });
  }
  return parsed.data;
}

export function rupiahOf(value: string, what: string): number {
  try {
    return parseRupiah(value);
  } catch {
    throw new ProviderCallError('BAD_ANSWER', `${what}: an amount that is not whole rupiah (${value})`, { mayHaveArrived: true });
  }
}

function refusal(answer: FaspayAnswer, code: FailureCode): PayoutFailure {
  return { code, message: answer.responseMessage || `Faspay refused the request (${answer.responseCode})`, providerCode: answer.responseCode };
}

/**
 * The error for an answer that says nothing definitive about the business. `mayMoveMoney`: whether
 * the request could have moved money had it been acted on (a trigger) — then a server failure or
 * timeout may have moved it.
 */
export function callErrorFor(answer: FaspayAnswer, meaning: CodeMeaning, what: string, mayMoveMoney: boolean): ProviderCallError {
  const base = { httpStatus: answer.httpStatus, providerCode: answer.responseCode };
  const text = `${what}: ${answer.responseCode} ${answer.responseMessage}`.trim();
  switch (meaning.kind) {
    case 'UNAUTHORIZED':
      return new ProviderCallError('UNAUTHORIZED', `${text} (check FASPAY partner id, private key and clock)`, { ...base, mayHaveArrived: false });
    case 'RATE_LIMITED':
      return new ProviderCallError('RATE_LIMITED', text, {
        ...base,
        mayHaveArrived: false,
        ...(answer.retryAfterMs !== undefined && { retryAfterMs: answer.retryAfterMs }),
      });
    case 'EXTERNAL_ID_REUSED':
      // Refused unread; the next attempt carries a fresh X-EXTERNAL-ID.
      return new ProviderCallError('UNAVAILABLE', text, { ...base, mayHaveArrived: false });
    case 'PROVIDER_TIMEOUT':
      return new ProviderCallError('TIMEOUT', text, { ...base, mayHaveArrived: mayMoveMoney });
    case 'PROVIDER_ERROR':
    case 'IN_PROGRESS':
    case 'UNKNOWN':
      return new ProviderCallError('UNAVAILABLE', text, { ...base, mayHaveArrived: mayMoveMoney });
    case 'OK':
    case 'REFUSED':
    case 'DUPLICATE_REFERENCE':
    case 'TRANSACTION_NOT_FOUND':
      // Business answers that make no sense for this call (e.g. a refusal code on a status inquiry).
      return new ProviderCallError('UNAVAILABLE', `${text} (unexpected for this call)`, { ...base, mayHaveArrived: mayMoveMoney });
  }
}

/**
 * 16 (banks and, with a platform code, e-money accounts). No answer carries a fee: `fee` is the
 * configured one (faspay.fee-source, FASPAY_FEES), and what leaves the balance is amount + fee.
 */
export function accountInquiryOutcome(answer: FaspayAnswer, amount: number, what: string, fee = 0): AccountInquiryResult {
  const meaning = meaningOf(answer.responseCode);
  switch (meaning.kind) {
    case 'OK': {
      const data = parseAnswer(answer, accountInquiryAnswerSchema, what);
      return { outcome: 'VALID', accountName: data.beneficiaryAccountName, amount, fee, grossAmount: amount + fee };
    }
    case 'REFUSED':
      return { outcome: 'REFUSED', failure: refusal(answer, meaning.code) };
    default:
      throw callErrorFor(answer, meaning, what, false);
  }
}

/**
 * 32. A closed-payment VA (type C) takes only its bill's amount: any other amount is refused here,
 * before money moves. An open one (O) takes what we send.
 */
export function vaInquiryOutcome(answer: FaspayAnswer, amount: number, what: string, fee = 0): AccountInquiryResult {
  const meaning = meaningOf(answer.responseCode);
  switch (meaning.kind) {
    case 'OK': {
      const data = parseAnswer(answer, vaInquiryAnswerSchema, what);
      const va = data.virtualAccountData;
      const bill = va.totalAmount ? rupiahOf(va.totalAmount.value, what) : undefined;
      if (va.virtualAccountTrxType === 'C' && bill !== undefined && bill > 0 && bill !== amount) {
        return {
          outcome: 'REFUSED',
          failure: {
            code: 'AMOUNT_OUT_OF_RANGE',
            message: `the virtual account is a closed bill of ${bill}; it cannot be paid ${amount}`,
            providerCode: answer.responseCode,
          },
        };
      }
      return {
        outcome: 'VALID',
        accountName: va.virtualAccountName ?? '',
        amount,
        fee,
        grossAmount: amount + fee,
        ...(va.virtualAccountTrxType === 'C' && bill !== undefined && bill > 0 && { minAmount: bill, maxAmount: bill }),
      };
    }
    case 'REFUSED':
      return { outcome: 'REFUSED', failure: refusal(answer, meaning.code) };
    default:
      throw callErrorFor(answer, meaning, what, false);
  }
}

export type TriggerKind = 'transfer' | 'topup' | 'vaPayment';

function acceptedFrom(answer: FaspayAnswer, kind: TriggerKind, what: string): TriggerResult {
  if (kind === 'vaPayment') {
    const data = parseAnswer(answer, vaPaymentAnswerSchema, what);
    const status = { code: data.additionalInfo.status, desc: data.additionalInfo.message };
    const { state, failure } = stateOfVaPayment(status.code, status.desc);
    const ref = data.virtualAccountData.referenceNo;
    return { outcome: 'ACCEPTED', ...(ref && { providerReference: ref }), providerStatus: status, state, ...(failure && { failure }) };
  }
  const data = parseAnswer(answer, kind === 'transfer' ? transferAnswerSchema : topupAnswerSchema, what);
  const status = { code: data.additionalInfo.latestTransactionStatus, desc: data.additionalInfo.transactionStatusDesc };
  const { state, failure } = stateOfTransaction(status.code, status.desc);
  return { outcome: 'ACCEPTED', ...(data.referenceNo && { providerReference: data.referenceNo }), providerStatus: status, state, ...(failure && { failure }) };
}

/** 18, 38, 33. A duplicate partnerReferenceNo means an earlier attempt arrived: never a failure. */
export function triggerOutcome(answer: FaspayAnswer, kind: TriggerKind, what: string): TriggerResult {
  const meaning = meaningOf(answer.responseCode);
  switch (meaning.kind) {
    case 'OK':
      return acceptedFrom(answer, kind, what);
    case 'DUPLICATE_REFERENCE':
      return { outcome: 'DUPLICATE_REFERENCE', providerCode: answer.responseCode };
    case 'REFUSED':
      return { outcome: 'REFUSED', failure: refusal(answer, meaning.code) };
    case 'IN_PROGRESS':
    case 'UNKNOWN':
    case 'TRANSACTION_NOT_FOUND':
      // It arrived, and Faspay did not say what became of it: ask status by reference.
      return { outcome: 'UNKNOWN', providerCode: answer.responseCode, message: answer.responseMessage };
    case 'EXTERNAL_ID_REUSED':
    case 'UNAUTHORIZED':
    case 'RATE_LIMITED':
    case 'PROVIDER_ERROR':
    case 'PROVIDER_TIMEOUT':
      throw callErrorFor(answer, meaning, what, true);
  }
}

export type StatusKind = 'transfer' | 'topup';

/**
 * 36 and 39. `recorded` lets the workflow catch a reference that belongs to another payout.
 * `onRefusal`: the error for a refusal of the status call itself (400xx…, 403xx…); without it, a
 * refusal is "unexpected" and retryable.
 */
export function statusOutcome(
  answer: FaspayAnswer,
  kind: StatusKind,
  what: string,
  onRefusal?: (answer: FaspayAnswer) => ProviderCallError,
): TransferStatusResult {
  const meaning = meaningOf(answer.responseCode);
  if (meaning.kind === 'REFUSED' && onRefusal) throw onRefusal(answer);
  switch (meaning.kind) {
    case 'OK': {
      if (kind === 'transfer') {
        const data = parseAnswer(answer, transferStatusAnswerSchema, what);
        return statusResult(data, data.beneficiaryAccountNo, what);
      }
      const data = parseAnswer(answer, topupStatusAnswerSchema, what);
      return statusResult(data, data.additionalInfo?.customerNumber, what);
    }
    case 'TRANSACTION_NOT_FOUND':
      return { state: 'NOT_FOUND', providerStatus: { code: answer.responseCode, desc: answer.responseMessage } };
    default:
      // No answer about the money: ask again later.
      throw callErrorFor(answer, meaning, what, false);
  }
}

function statusResult(
  data: { latestTransactionStatus: string; transactionStatusDesc: string; originalReferenceNo?: string | undefined; amount?: { value: string } | undefined },
  accountNumber: string | undefined,
  what: string,
): TransferStatusResult {
  const status = { code: data.latestTransactionStatus, desc: data.transactionStatusDesc };
  const { state, failure } = stateOfTransaction(status.code, status.desc);
  const amount = data.amount ? rupiahOf(data.amount.value, what) : undefined;
  return {
    state,
    providerStatus: status,
    ...(data.originalReferenceNo && { providerReference: data.originalReferenceNo }),
    ...(failure && { failure }),
    recorded: { ...(amount !== undefined && { amount }), ...(accountNumber && { accountNumber }) },
  };
}
