// Faspay's SNAP codes mapped exhaustively onto provider-neutral outcomes (docs/providers/faspay.md
// "Response codes" and "Status fields"; the
// provider pages' status tables). Anything unknown is not final: never success, never failure.
import type { FailureCode, PayoutFailure } from '../../domain/payout';
import type { TransferState } from '../../domain/provider-port';

export interface ResponseCodeParts {
  /** The HTTP status the code stands for, e.g. "404". */
  http: string;
  /** The SNAP service code, e.g. "16" for account inquiry. */
  service: string;
  /** The case within that HTTP status, e.g. "11" (invalid account). */
  case: string;
}

/** "4041611" → { http: "404", service: "16", case: "11" }; anything that is not 7 digits → undefined. */
export function splitResponseCode(code: string): ResponseCodeParts | undefined {
  const m = /^(\d{3})(\d{2})(\d{2})$/.exec(code);
  return m ? { http: m[1]!, service: m[2]!, case: m[3]! } : undefined;
}

/** Builds a response code: responseCode(404, "16", "11") → "4041611". */
export function responseCode(http: number, service: string, kase: string): string {
  return `${http}${service}${kase}`;
}

/** The HTTP status + case pairs of SNAP's standard (docs/providers/faspay.md), the same for every service. */
export const RESPONSE_CASES = [
  '200-00', // success
  '202-00', // request in progress
  '400-00', // bad request
  '400-01', // invalid field format
  '400-02', // missing mandatory field
  '401-00', // unauthorized: bad signature, unknown partner, stale timestamp
  '403-02', // exceeds transaction amount limit
  '403-14', // insufficient funds
  '403-15', // transaction not permitted
  '404-01', // transaction not found
  '404-11', // invalid account
  '409-00', // conflict: X-EXTERNAL-ID already used today
  '409-01', // duplicate partnerReferenceNo
  '429-00', // too many requests
  '500-00', // general error
  '500-01', // internal server error
  '504-00', // timeout
] as const;
export type ResponseCase = (typeof RESPONSE_CASES)[number];

/** What a response code says about the request it answers. */
export type CodeMeaning =
  | { kind: 'OK' }
  /** Faspay took the request and is still working on it (202xx00): not final. */
  | { kind: 'IN_PROGRESS' }
  /** A definitive business refusal. */
  | { kind: 'REFUSED'; code: FailureCode }
  /** The partnerReferenceNo was used before: an earlier attempt arrived. */
  | { kind: 'DUPLICATE_REFERENCE' }
  /** Our X-EXTERNAL-ID was already used today: this request was refused unread; a fresh id helps. */
  | { kind: 'EXTERNAL_ID_REUSED' }
  /** Signature, partner id or clock: no repetition helps. */
  | { kind: 'UNAUTHORIZED' }
  | { kind: 'RATE_LIMITED' }
  | { kind: 'TRANSACTION_NOT_FOUND' }
  /** Faspay failed (5xx): the request may or may not have been acted on. */
  | { kind: 'PROVIDER_ERROR' }
  /** Faspay (or the bank behind it) timed out (504xx00): the request may have been acted on. */
  | { kind: 'PROVIDER_TIMEOUT' }
  /** A code we do not know: treat as not final. */
  | { kind: 'UNKNOWN' };

export function meaningOf(code: string): CodeMeaning {
  const parts = splitResponseCode(code);
  if (!parts) return { kind: 'UNKNOWN' };
  const key = `${parts.http}-${parts.case}`;
  if (!(RESPONSE_CASES as readonly string[]).includes(key)) {
    // An unlisted case of a 5xx is still a server failure; anything else unlisted is unknown.
    return parts.http.startsWith('5') ? { kind: 'PROVIDER_ERROR' } : { kind: 'UNKNOWN' };
  }
  const known = key as ResponseCase;
  switch (known) {
    case '200-00':
      return { kind: 'OK' };
    case '202-00':
      return { kind: 'IN_PROGRESS' };
    case '400-00':
    case '400-01':
    case '400-02':
      return { kind: 'REFUSED', code: 'INVALID_REQUEST' };
    case '401-00':
      return { kind: 'UNAUTHORIZED' };
    case '403-02':
      return { kind: 'REFUSED', code: 'LIMIT_EXCEEDED' };
    case '403-14':
      return { kind: 'REFUSED', code: 'INSUFFICIENT_BALANCE' };
    case '403-15':
      return { kind: 'REFUSED', code: 'PROVIDER_REJECTED' };
    case '404-01':
      return { kind: 'TRANSACTION_NOT_FOUND' };
    case '404-11':
      return { kind: 'REFUSED', code: 'BENEFICIARY_NOT_FOUND' };
    case '409-00':
      return { kind: 'EXTERNAL_ID_REUSED' };
    case '409-01':
      return { kind: 'DUPLICATE_REFERENCE' };
    case '429-00':
      return { kind: 'RATE_LIMITED' };
    case '500-00':
    case '500-01':
      return { kind: 'PROVIDER_ERROR' };
    case '504-00':
      return { kind: 'PROVIDER_TIMEOUT' };
    default: {
      const unreachable: never = known;
      return unreachable;
    }
  }
}

export const TRANSACTION_STATUSES = ['00', '01', '02', '03', '04', '05', '06', '07'] as const;
export type TransactionStatus = (typeof TRANSACTION_STATUSES)[number];

export const TRANSACTION_STATUS_DESC: Record<TransactionStatus, string> = {
  '00': 'Success',
  '01': 'Initiated',
  '02': 'Paying',
  '03': 'Pending',
  '04': 'Refunded',
  '05': 'Canceled',
  '06': 'Failed',
  '07': 'Not found',
};

export interface StateOf {
  state: TransferState;
  failure?: PayoutFailure;
}

function failed(code: FailureCode, what: string, desc: string, providerCode: string): StateOf {
  return { state: 'FAILED', failure: { code, message: `Faspay ${what} the transfer (${desc || providerCode})`, providerCode } };
}

/** latestTransactionStatus of transfers (18), top-ups (38) and their status inquiries (36, 39). */
export function stateOfTransaction(status: string, desc = ''): StateOf {
  if (!(TRANSACTION_STATUSES as readonly string[]).includes(status)) return { state: 'PENDING' };
  const code = status as TransactionStatus;
  switch (code) {
    case '00':
      return { state: 'SUCCEEDED' };
    case '01': // initiated
    case '02': // paying
    case '03': // pending
      return { state: 'PENDING' };
    case '04':
      return failed('TRANSFER_REFUNDED', 'refunded', desc, code);
    case '05':
      return failed('TRANSFER_CANCELLED', 'cancelled', desc, code);
    case '06':
      return failed('TRANSFER_FAILED', 'failed', desc, code);
    case '07':
      return { state: 'NOT_FOUND' };
    default: {
      const unreachable: never = code;
      return unreachable;
    }
  }
}

/** `additionalInfo.status` of a virtual-account bill payment (33): 1 on process, 2 success, 4 failed, 5 reverse. */
export const VA_PAYMENT_STATUSES = ['1', '2', '4', '5'] as const;
export type VaPaymentStatus = (typeof VA_PAYMENT_STATUSES)[number];

export function stateOfVaPayment(status: string, message = ''): StateOf {
  if (!(VA_PAYMENT_STATUSES as readonly string[]).includes(status)) return { state: 'PENDING' };
  const code = status as VaPaymentStatus;
  switch (code) {
    case '1':
      return { state: 'PENDING' };
    case '2':
      return { state: 'SUCCEEDED' };
    case '4':
      return failed('TRANSFER_FAILED', 'failed', message, code);
    case '5': // reversed: the payment was undone and the money returned to the merchant
      return failed('TRANSFER_REFUNDED', 'reversed', message, code);
    default: {
      const unreachable: never = code;
      return unreachable;
    }
  }
}

/**
 * `accountInfos[].status` of a balance inquiry (11): the table's 1 active, 2 closed, 4 new, 6
 * restricted, 7 frozen, 9 dormant. The sample sends "0001" (String (4)), so leading zeros are dropped.
 */
export const ACCOUNT_STATUSES = { '1': 'ACTIVE', '2': 'CLOSED', '4': 'NEW', '6': 'RESTRICTED', '7': 'FROZEN', '9': 'DORMANT' } as const;
export type AccountState = (typeof ACCOUNT_STATUSES)[keyof typeof ACCOUNT_STATUSES];

export function accountStateOf(status: string): AccountState | 'UNKNOWN' {
  const key = status.replace(/^0+(?=\d)/, '');
  return (ACCOUNT_STATUSES as Record<string, AccountState>)[key] ?? 'UNKNOWN';
}
