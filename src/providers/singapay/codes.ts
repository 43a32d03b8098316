// Singapay's codes mapped exhaustively onto provider-neutral outcomes (docs/providers/singapay.md "Response codes"
// and "Transaction status"). Two steps:
//   1. meaningOf: what a response code says, whatever call it answers (one switch, every code);
//   2. inquiryDecision / triggerDecision / statusDecision: what the client does with it for that call.
// `response_code` describes the request; only `data.transaction_status` describes the money, so no
// response code of a status inquiry ever makes a transfer SUCCEEDED or FAILED. Unknown codes are
// never final: a retryable error for inquiry and status, "ask status" for the trigger. Errors that a
// wrong guess about the provider would explain name that assumption (suspectedAssumptions).
import type { FailureCode, PayoutFailure } from '../../domain/payout';
import { ProviderCallError, type TransferState } from '../../domain/provider-port';
import { SINGAPAY_ASSUMPTION_IDS, type SingapayAssumptionSettings } from './assumptions';

export const RESPONSE_CODES = [
  'SP000', 'SP001', 'SP002', 'SP003', 'SP004', 'SP005', 'SP006', 'SP007', 'SP008', 'SP009', 'SP010',
  'SP011', 'SP012', 'SP013', 'SP014', 'SP015', 'SP016', 'SP017', 'SP018', 'SP019', 'SP020', 'SP117',
  // The trigger page: a missing X-Signature or X-Timestamp (HTTP 400) and a signature mismatch (HTTP 401).
  '4019900',
] as const;
export type ResponseCode = (typeof RESPONSE_CODES)[number];

export function isResponseCode(code: string): code is ResponseCode {
  return (RESPONSE_CODES as readonly string[]).includes(code);
}

/** What a response code says about the request it answers. */
export type CodeMeaning =
  | { kind: 'OK' }
  /** SP001 "transaction failure": the provider does not know the outcome yet. */
  | { kind: 'OUTCOME_UNKNOWN' }
  /** SP002 general failure, SP019 general error: a fault on the provider's side, like a 5xx. */
  | { kind: 'PROVIDER_ERROR' }
  /** SP005: the provider timed out (e.g. refreshing a pending record from the e-wallet). */
  | { kind: 'PROVIDER_TIMEOUT' }
  | { kind: 'DUPLICATE_REFERENCE' }
  /** SP009 transaction not found. */
  | { kind: 'NOT_FOUND' }
  /** SP014 "not found" without saying what: the route or our resource (a wrong path or API version). */
  | { kind: 'NO_SUCH_ROUTE' }
  /** SP013: the access token is unknown or expired. */
  | { kind: 'TOKEN_REJECTED' }
  /** SP015 forbidden, SP017 IP not allowed: our credentials are not allowed to do this. */
  | { kind: 'NOT_PERMITTED' }
  /**
   * SP016 signature invalid and 4019900 (the trigger page: a missing X-Signature/X-Timestamp, or a
   * signature or timestamp refused): wrong secret, clock or timestamp form; SP020 merchant account
   * not found (wrong account id).
   */
  | { kind: 'MISCONFIGURED' }
  /** SP008 invalid reference, SP012 bad request, SP018 validation error: the request itself is wrong. */
  | { kind: 'INVALID_REQUEST' }
  /** A definitive business refusal about the beneficiary, the amount or our balance. */
  | { kind: 'REFUSED'; failure: FailureCode };

export function meaningOf(code: string): CodeMeaning | { kind: 'UNDOCUMENTED' } {
  if (!isResponseCode(code)) return { kind: 'UNDOCUMENTED' };
  switch (code) {
    case 'SP000':
      return { kind: 'OK' };
    case 'SP001':
      return { kind: 'OUTCOME_UNKNOWN' };
    case 'SP002':
    case 'SP019':
      return { kind: 'PROVIDER_ERROR' };
    case 'SP005':
      return { kind: 'PROVIDER_TIMEOUT' };
    case 'SP003':
      return { kind: 'REFUSED', failure: 'INSUFFICIENT_BALANCE' };
    case 'SP004':
      return { kind: 'DUPLICATE_REFERENCE' };
    case 'SP006': // exceeds beneficiary limit
    case 'SP007': // exceeds account limit
      return { kind: 'REFUSED', failure: 'LIMIT_EXCEEDED' };
    case 'SP008':
    case 'SP012':
    case 'SP018':
      return { kind: 'INVALID_REQUEST' };
    case 'SP009':
      return { kind: 'NOT_FOUND' };
    case 'SP014':
      return { kind: 'NO_SUCH_ROUTE' };
    case 'SP010':
    case 'SP117': // the account inquiry page's code for the same thing
      return { kind: 'REFUSED', failure: 'BENEFICIARY_NOT_FOUND' };
    case 'SP011': // beneficiary vendor (the e-wallet) not active
      return { kind: 'REFUSED', failure: 'BENEFICIARY_UNAVAILABLE' };
    case 'SP013':
      return { kind: 'TOKEN_REJECTED' };
    case 'SP015':
    case 'SP017':
      return { kind: 'NOT_PERMITTED' };
    case 'SP016':
    case '4019900':
    case 'SP020':
      return { kind: 'MISCONFIGURED' };
    default: {
      const unreachable: never = code;
      return unreachable;
    }
  }
}

/** Throw a ProviderCallError of this kind. `mayHaveArrived`: may the provider have acted on it? */
export type ThrowDecision = { action: 'THROW'; kind: ProviderCallError['kind']; mayHaveArrived: boolean };

const fail = (kind: ProviderCallError['kind'], mayHaveArrived = false): ThrowDecision => ({ action: 'THROW', kind, mayHaveArrived });

export type InquiryDecision = { action: 'READ_DATA' } | { action: 'REFUSE'; failure: FailureCode } | ThrowDecision;

/**
 * Account inquiry (moves no money). A REFUSE fails the payout before approval, so only definitive
 * answers about the beneficiary or the request refuse; everything else throws, and a retryable
 * throw is retried by Temporal.
 */
export function inquiryDecision(code: string): InquiryDecision {
  const meaning = meaningOf(code);
  switch (meaning.kind) {
    case 'OK':
      return { action: 'READ_DATA' };
    case 'REFUSED': // SP010/SP117 not found, SP011 e-wallet not active, SP003/SP006/SP007 as the provider says
      return { action: 'REFUSE', failure: meaning.failure };
    case 'INVALID_REQUEST': // SP012/SP018 (e.g. a customer number of 9 digits), SP008: repeating cannot help
      return { action: 'REFUSE', failure: 'INVALID_REQUEST' };
    case 'PROVIDER_ERROR': // SP002, SP019: like a 5xx, may pass
    case 'PROVIDER_TIMEOUT': // SP005
    case 'OUTCOME_UNKNOWN': // SP001 has no meaning for an inquiry: ask again
    case 'DUPLICATE_REFERENCE': // SP004 has no meaning for an inquiry: ask again
    case 'UNDOCUMENTED':
      return fail('UNAVAILABLE');
    case 'NOT_FOUND':
    case 'NO_SUCH_ROUTE':
      // The beneficiary has its own codes (SP010/SP117), and an inquiry has no transaction: "not
      // found" here is the route or our resource, i.e. a wrong base URL or API version.
      return fail('MISCONFIGURED');
    case 'TOKEN_REJECTED': // reached only after the one renewal: the fresh token was refused too
    case 'NOT_PERMITTED':
      return fail('UNAUTHORIZED');
    case 'MISCONFIGURED':
      return fail('MISCONFIGURED');
    default: {
      const unreachable: never = meaning;
      return unreachable;
    }
  }
}

export type TriggerDecision =
  | { action: 'READ_DATA' }
  | { action: 'REFUSE'; failure: FailureCode }
  | { action: 'DUPLICATE_REFERENCE' }
  /** The provider answered but the outcome is unknown: TriggerResult UNKNOWN, then ask status. */
  | { action: 'ASK_STATUS' }
  | ThrowDecision;

/**
 * Trigger top-up (moves money). REFUSE only for refusals the provider makes before debiting
 * (balance, limits, beneficiary, validation). Anything that may hide a debit is ASK_STATUS or a
 * throw with mayHaveArrived: true, and the workflow then asks status by reference.
 */
export function triggerDecision(code: string): TriggerDecision {
  const meaning = meaningOf(code);
  switch (meaning.kind) {
    case 'OK':
      return { action: 'READ_DATA' };
    case 'REFUSED': // SP003 insufficient balance, SP006/SP007 limits, SP010/SP117 not found, SP011 not active
      return { action: 'REFUSE', failure: meaning.failure };
    case 'INVALID_REQUEST': // SP008/SP012/SP018: validated before any debit
      return { action: 'REFUSE', failure: 'INVALID_REQUEST' };
    case 'DUPLICATE_REFERENCE': // SP004: an earlier attempt arrived
      return { action: 'DUPLICATE_REFERENCE' };
    case 'OUTCOME_UNKNOWN': // SP001
    case 'NOT_FOUND': // SP009/SP014 make no sense for a trigger: never read as a refusal
    case 'NO_SUCH_ROUTE':
    case 'UNDOCUMENTED':
      return { action: 'ASK_STATUS' };
    case 'PROVIDER_ERROR': // SP002/SP019, like a 5xx: Temporal may repeat the trigger (same reference)
      return fail('UNAVAILABLE', true);
    case 'PROVIDER_TIMEOUT': // SP005
      return fail('TIMEOUT', true);
    case 'TOKEN_REJECTED': // after the one renewal; a refused token means the request was not processed
    case 'NOT_PERMITTED':
      return fail('UNAUTHORIZED');
    case 'MISCONFIGURED': // SP016/4019900 signature or timestamp, SP020 account: refused before acting
      return fail('MISCONFIGURED');
    default: {
      const unreachable: never = meaning;
      return unreachable;
    }
  }
}

export type StatusDecision = { action: 'READ_DATA' } | { action: 'NOT_FOUND' } | ThrowDecision;

/**
 * Inquiry status. Only SP000's `data.transaction_status` says where the money is; SP009 says the
 * provider has no record (the workflow may re-send the trigger under the same reference). SP014, a
 * "not found" that does not say it is the transaction, is taken as a wrong route (the status path is
 * an assumption): MISCONFIGURED, so that no payout reads "not found" from a path that does not exist.
 * SP005, the provider timing out while refreshing a pending record, throws a retryable
 * UNAVAILABLE rather than returning PENDING: PENDING would also tell the workflow the provider
 * holds the transfer, and an SP005 does not prove that (Singapay's pages list it as a plain timeout).
 * Temporal retries it and the workflow keeps polling; nothing is concluded from it.
 */
export function statusDecision(code: string): StatusDecision {
  const meaning = meaningOf(code);
  switch (meaning.kind) {
    case 'OK':
      return { action: 'READ_DATA' };
    case 'NOT_FOUND':
      return { action: 'NOT_FOUND' };
    case 'PROVIDER_TIMEOUT':
    case 'PROVIDER_ERROR':
    case 'OUTCOME_UNKNOWN':
    case 'DUPLICATE_REFERENCE':
    case 'REFUSED': // a business refusal of a status question says nothing about the money
    case 'UNDOCUMENTED':
      return fail('UNAVAILABLE');
    case 'INVALID_REQUEST': // our question is malformed: repeating it cannot help (the workflow still polls)
    case 'NO_SUCH_ROUTE':
    case 'MISCONFIGURED':
      return fail('MISCONFIGURED');
    case 'TOKEN_REJECTED':
    case 'NOT_PERMITTED':
      return fail('UNAUTHORIZED');
    default: {
      const unreachable: never = meaning;
      return unreachable;
    }
  }
}

export const TRANSACTION_STATUSES = ['00', '01', '02', '03', '04', '05', '06', '07'] as const;
export type TransactionStatus = (typeof TRANSACTION_STATUSES)[number];

export function isTransactionStatus(code: string): code is TransactionStatus {
  return (TRANSACTION_STATUSES as readonly string[]).includes(code);
}

export const STATUS_WORDS = ['pending', 'success', 'failed'] as const;
export type StatusWord = (typeof STATUS_WORDS)[number];

export type StatusVocabulary = SingapayAssumptionSettings['statusVocabulary'];

/**
 * Where the money is, from `data.transaction_status` read in the vocabulary the client assumes
 * (singapay.status-vocabulary): the codes 00–07, or the overview page's words pending / success /
 * failed. A status in neither is never taken as pending: it is a BAD_ANSWER naming the assumption
 * (the trigger may have moved money, so it may have arrived).
 */
export function stateOf(status: { code: string; desc: string }, vocabulary: StatusVocabulary = 'codes'): { state: TransferState; failure?: PayoutFailure } {
  if (vocabulary === 'words') {
    const word = status.code.trim().toLowerCase();
    if ((STATUS_WORDS as readonly string[]).includes(word)) return stateOfWord(word as StatusWord, status);
  } else if (isTransactionStatus(status.code)) {
    return stateOfCode(status.code, status.desc);
  }
  const id = SINGAPAY_ASSUMPTION_IDS.statusVocabulary;
  const expected = vocabulary === 'words' ? STATUS_WORDS.join(', ') : `the codes ${TRANSACTION_STATUSES.join(', ')}`;
  throw new ProviderCallError(
    'BAD_ANSWER',
    `unrecognised transaction_status ${JSON.stringify(status.code.slice(0, 40))}: expected ${expected} (${SINGAPAY_ASSUMPTION_IDS.statusVocabulary} = ${vocabulary}; the other reading is SINGAPAY_STATUS_VOCABULARY=${vocabulary === 'words' ? 'codes' : 'words'})`,
    { mayHaveArrived: true, assumptions: [id] },
  );
}

function stateOfWord(word: StatusWord, status: { code: string; desc: string }): { state: TransferState; failure?: PayoutFailure } {
  switch (word) {
    case 'success':
      return { state: 'SUCCEEDED' };
    case 'pending':
      return { state: 'PENDING' };
    case 'failed':
      return { state: 'FAILED', failure: { code: 'TRANSFER_FAILED', message: `the provider failed the transfer (${status.desc || word})`, providerCode: word } };
    default: {
      const unreachable: never = word;
      return unreachable;
    }
  }
}

function stateOfCode(code: TransactionStatus, desc: string): { state: TransferState; failure?: PayoutFailure } {
  const failed = (failure: FailureCode, what: string) => ({
    state: 'FAILED' as const,
    failure: { code: failure, message: `the provider ${what} the transfer (${desc || code})`, providerCode: code },
  });
  switch (code) {
    case '00': // success, final
      return { state: 'SUCCEEDED' };
    case '01': // initiated
    case '02': // paying
    case '03': // pending
      return { state: 'PENDING' };
    case '04': // refunded, final: the gross amount is back on our balance
      return failed('TRANSFER_REFUNDED', 'refunded');
    case '05': // canceled, final
      return failed('TRANSFER_CANCELLED', 'cancelled');
    case '06': // failed, final
      return failed('TRANSFER_FAILED', 'failed');
    case '07': // not found: the trigger may not have arrived
      return { state: 'NOT_FOUND' };
    default: {
      const unreachable: never = code;
      return unreachable;
    }
  }
}

export type SingapayOperation = 'token' | 'inquiry' | 'trigger' | 'status';

/**
 * The assumptions a refusal could be explained by, were the guess wrong: a refused signature or
 * timestamp on the signed trigger (SP016, 4019900, or HTTP 401 that is not about the token) → the
 * X-Timestamp form; a status call answered "no such route" (SP014, HTTP 404/405 without a
 * transaction code) → the status path. Nothing else is put down to an assumption.
 */
export function suspectedAssumptions(operation: SingapayOperation, httpStatus: number, code: string | undefined): string[] {
  const meaning = code === undefined ? undefined : meaningOf(code).kind;
  if (operation === 'trigger' && (code === 'SP016' || code === '4019900' || (httpStatus === 401 && code === undefined))) return [SINGAPAY_ASSUMPTION_IDS.timestampFormat];
  if (operation === 'status' && (code === 'SP014' || ((httpStatus === 404 || httpStatus === 405) && meaning !== 'NOT_FOUND' && meaning !== 'MISCONFIGURED'))) {
    return [SINGAPAY_ASSUMPTION_IDS.statusPath];
  }
  return [];
}
