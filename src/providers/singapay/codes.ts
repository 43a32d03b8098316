// Singapay's codes mapped exhaustively onto provider-neutral outcomes (providers.md "Response codes",
// "Transaction status codes" and "What the payout service must conclude"). Anything unknown is not
// final: never success, never failure.
import type { FailureCode, PayoutFailure } from '../../domain/payout';
import type { TransferState } from '../types';

export const RESPONSE_CODES = [
  'SP000', 'SP001', 'SP002', 'SP003', 'SP004', 'SP005', 'SP006', 'SP007', 'SP008', 'SP009', 'SP010',
  'SP011', 'SP012', 'SP013', 'SP014', 'SP015', 'SP016', 'SP017', 'SP018', 'SP019', 'SP020', 'SP117',
] as const;
export type ResponseCode = (typeof RESPONSE_CODES)[number];

/** What a response code means for the request it answers. */
export type CodeMeaning =
  | { kind: 'OK' }
  /** The outcome of a money-moving request is unknown: ask status by reference. */
  | { kind: 'UNKNOWN' }
  /** A temporary problem: the same request may succeed later (Temporal retries the activity). */
  | { kind: 'RETRY' }
  | { kind: 'DUPLICATE_REFERENCE' }
  | { kind: 'NOT_FOUND' }
  /** Our token is no longer valid: fetch a new one once and repeat the call once. */
  | { kind: 'TOKEN_EXPIRED' }
  /** Our credentials, signature, IP or account are wrong: no repetition helps. */
  | { kind: 'MISCONFIGURED' }
  /** A definitive business refusal. */
  | { kind: 'REFUSED'; code: FailureCode };

export function meaningOf(code: string): CodeMeaning {
  if (!(RESPONSE_CODES as readonly string[]).includes(code)) return { kind: 'UNKNOWN' };
  const known = code as ResponseCode;
  switch (known) {
    case 'SP000':
      return { kind: 'OK' };
    case 'SP001': // transaction failure: the provider itself does not know yet
      return { kind: 'UNKNOWN' };
    case 'SP002': // general failure
    case 'SP005': // timeout
    case 'SP019': // general error
      return { kind: 'RETRY' };
    case 'SP003':
      return { kind: 'REFUSED', code: 'INSUFFICIENT_BALANCE' };
    case 'SP004':
      return { kind: 'DUPLICATE_REFERENCE' };
    case 'SP006': // exceeds beneficiary limit
    case 'SP007': // exceeds account limit
      return { kind: 'REFUSED', code: 'LIMIT_EXCEEDED' };
    case 'SP008': // invalid reference
    case 'SP012': // bad request
    case 'SP018': // validation error
      return { kind: 'REFUSED', code: 'INVALID_REQUEST' };
    case 'SP009': // transaction not found
    case 'SP014': // not found
      return { kind: 'NOT_FOUND' };
    case 'SP010':
    case 'SP117':
      return { kind: 'REFUSED', code: 'BENEFICIARY_NOT_FOUND' };
    case 'SP011': // beneficiary vendor not active
      return { kind: 'REFUSED', code: 'BENEFICIARY_UNAVAILABLE' };
    case 'SP013':
      return { kind: 'TOKEN_EXPIRED' };
    case 'SP015': // forbidden
    case 'SP016': // signature invalid
    case 'SP017': // unauthorized IP
    case 'SP020': // merchant account not found
      return { kind: 'MISCONFIGURED' };
    default: {
      const unreachable: never = known;
      return unreachable;
    }
  }
}

export const TRANSACTION_STATUSES = ['00', '01', '02', '03', '04', '05', '06', '07'] as const;
export type TransactionStatus = (typeof TRANSACTION_STATUSES)[number];

export function stateOf(status: { code: string; desc: string }): { state: TransferState; failure?: PayoutFailure } {
  if (!(TRANSACTION_STATUSES as readonly string[]).includes(status.code)) return { state: 'PENDING' };
  const code = status.code as TransactionStatus;
  const failed = (failureCode: FailureCode, what: string) => ({
    state: 'FAILED' as const,
    failure: { code: failureCode, message: `the provider ${what} the transfer (${status.desc || status.code})`, providerCode: code },
  });
  switch (code) {
    case '00':
      return { state: 'SUCCEEDED' };
    case '01': // initiated
    case '02': // paying
    case '03': // pending
      return { state: 'PENDING' };
    case '04':
      return failed('TRANSFER_REFUNDED', 'refunded');
    case '05':
      return failed('TRANSFER_CANCELLED', 'cancelled');
    case '06':
      return failed('TRANSFER_FAILED', 'failed');
    case '07':
      return { state: 'NOT_FOUND' };
    default: {
      const unreachable: never = code;
      return unreachable;
    }
  }
}
