// The provider-neutral port: what every provider module implements, and the only provider surface
// the workflow, the activities and the API see. Provider codes are mapped to these outcomes inside
// each provider's folder (exhaustively). Pure: no Node built-ins, so any layer may import it.
import type { Destination, Ewallet, InquiryResult, PayoutFailure, ProviderKey, ProviderStatus } from './payout';

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
  /** Optional: the merchant account's movements between two instants (reconciliation, go-live check). */
  transactionHistory?(from: Date, to: Date): Promise<HistoryEntry[]>;
}

/** One movement on the merchant's account at the provider, as its history lists it. */
export interface HistoryEntry {
  at: string;
  /** Whole rupiah, never negative: the direction is `direction`. */
  amount: number;
  direction: 'DEBIT' | 'CREDIT';
  /** The provider's free text for the entry (Faspay: `remark`), where a reference may appear. */
  remark: string;
  status: string;
  type: string;
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
    readonly details: {
      mayHaveArrived: boolean;
      httpStatus?: number;
      providerCode?: string;
      retryAfterMs?: number;
      /** Ids of the provider assumptions (ProviderAssumption.id) that a wrong guess would explain this by. */
      assumptions?: readonly string[];
    } = {
      mayHaveArrived: false,
    },
  ) {
    super(message);
    this.name = 'ProviderCallError';
  }
}

/**
 * Which destinations a provider can pay, and for which it is the default route when a create request
 * names no provider. Data, so that the API, OpenAPI and the console can show it.
 */
export interface ProviderCapabilities {
  ewallets: readonly Ewallet[];
  bankAccounts: boolean;
  virtualAccounts: boolean;
  /** The destinations this provider is the default route for (each must be served, and no two providers may claim one). */
  defaultFor: { ewallets: readonly Ewallet[]; bankAccounts?: boolean; virtualAccounts?: boolean };
}

/** A provider's callback as it reached the API: the exact bytes, so that signatures can be checked. */
export interface CallbackRequest {
  method: string;
  /** Path and query as received (Express: `req.originalUrl`); some providers sign it. */
  path: string;
  rawBody: string;
  headers: Record<string, string | string[] | undefined>;
}

export type CallbackVerdict =
  /** Authentic and fresh. `reference` is our payout reference when the body names a usable one. */
  | { ok: true; reference: string | undefined; signature: string }
  | { ok: false; reason: string };

export interface CallbackHandler {
  /** Checks signature, freshness (`now` is our clock) and shape; never throws for a bad callback. */
  verify(request: CallbackRequest, now: Date): CallbackVerdict;
  /** The JSON the provider expects back when a callback was taken. */
  acknowledgement: unknown;
}

/**
 * A point the provider's own pages do not settle, and the guess the client makes about it. Each one
 * is named, documented (docs/providers/<provider>.md), switchable by `setting`, and held either way
 * by the provider's simulator, so that a test shows what a wrong guess looks like.
 */
export interface ProviderAssumption {
  /** Stable id, e.g. `faspay.va-company-code-digits`. */
  id: string;
  /** What we assume, in one line. */
  summary: string;
  /** What the provider's pages say or leave open, and why this default. */
  why: string;
  /** The environment variable that switches it, and its possible values. */
  setting: { variable: string; values: readonly string[]; default: string };
  /** Whether read-only calls can settle it, or only a transfer can. */
  settledBy: 'read' | 'transfer';
}

export type AssumptionVerdict = {
  assumption: string;
  verdict: 'confirmed' | 'refuted' | 'untested';
  /** What the provider answered (never a secret), or why it is untested. */
  evidence: string;
};

/** A provider as the API, OpenAPI and the console show it. */
export interface ProviderDescription {
  key: ProviderKey;
  name: string;
  capabilities: ProviderCapabilities;
}

/** The providers the registry knows, those this deployment configured, and how to verify their callbacks. */
export interface ProviderCatalog {
  known: readonly ProviderDescription[];
  available: readonly ProviderKey[];
  callbacks: Readonly<Record<ProviderKey, CallbackHandler>>;
}

/** The configured providers' clients by key: what the worker's activities call. */
export type ProviderClients = Readonly<Record<ProviderKey, PayoutProvider>>;
