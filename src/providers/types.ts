// The provider-neutral contract every provider adapter implements. The workflow and activities see
// only this; provider codes are mapped to these outcomes inside each adapter (exhaustively).
import type { Destination, InquiryResult, PayoutFailure, ProviderKey, ProviderStatus } from '../domain/payout';

/** Everything a provider needs to move one payout's money. `reference` is the idempotency key. */
export interface TransferOrder {
  reference: string;
  destination: Destination;
  /** Whole rupiah the beneficiary receives. */
  amount: number;
  description?: string;
  beneficiaryEmail?: string;
  /** The holder's name from the account inquiry (some providers want it on the transfer). */
  accountName?: string;
}

export type AccountInquiryResult =
  /** The account exists: its holder, the fee, what leaves the balance, and the account's limits. */
  | ({ outcome: 'VALID' } & InquiryResult)
  /** A definitive refusal: the account does not exist, is blocked, or the request is invalid. */
  | { outcome: 'REFUSED'; failure: PayoutFailure };

/** Where the money stands at the provider. Anything not final is PENDING; never guess success or failure. */
export type TransferState = 'SUCCEEDED' | 'FAILED' | 'PENDING' | 'NOT_FOUND';

export type TriggerResult =
  /** The provider took the transfer; `state` is what its answer said of the money (usually PENDING). */
  | { outcome: 'ACCEPTED'; providerReference?: string; providerStatus: ProviderStatus; state: TransferState; failure?: PayoutFailure }
  /** The reference was used before: an earlier attempt arrived. Go to status inquiry, never fail. */
  | { outcome: 'DUPLICATE_REFERENCE'; providerCode: string }
  /** A definitive business refusal before any money moved (insufficient balance, limits, validation). */
  | { outcome: 'REFUSED'; failure: PayoutFailure }
  /** The provider answered, but the outcome is unknown (e.g. SP001): ask status by reference. */
  | { outcome: 'UNKNOWN'; providerCode: string; message: string };

export interface TransferStatusResult {
  state: TransferState;
  providerStatus: ProviderStatus;
  providerReference?: string;
  /** Set when state is FAILED: why, in provider-neutral terms. */
  failure?: PayoutFailure;
  /** What the provider recorded for this reference, to catch reference collisions. */
  recorded?: { amount?: number; accountNumber?: string };
}

export interface PayoutProvider {
  readonly key: ProviderKey;
  inquireAccount(order: TransferOrder): Promise<AccountInquiryResult>;
  triggerTransfer(order: TransferOrder): Promise<TriggerResult>;
  checkTransferStatus(order: TransferOrder, providerReference?: string): Promise<TransferStatusResult>;
  /**
   * Optional: the merchant's available balance at this provider in whole rupiah, checked before a
   * transfer is submitted (a provider without a balance call leaves it out).
   */
  availableBalance?(): Promise<number>;
}

/**
 * A provider call that did not produce a business answer. Clients throw these; the activities turn
 * them into Temporal failures (retryable or not). `mayHaveArrived` says whether the provider may have
 * acted on the request (a timeout or 5xx after sending), which matters for money-moving calls.
 */
export class ProviderCallError extends Error {
  constructor(
    readonly kind: 'UNAVAILABLE' | 'TIMEOUT' | 'RATE_LIMITED' | 'UNAUTHORIZED' | 'BAD_ANSWER' | 'MISCONFIGURED',
    message: string,
    readonly details: { mayHaveArrived: boolean; httpStatus?: number; providerCode?: string; retryAfterMs?: number } = {
      mayHaveArrived: false,
    },
  ) {
    super(message);
    this.name = 'ProviderCallError';
  }
}
