// Singapay e-wallet top-up (money out) client. Follows the provider pages in shared/seeds:
// singapay-ewallet-topup-overview.md (inquiry → trigger → inquiry status),
// singapay-ewallet-account-inquiry.md, singapay-ewallet-trigger-topup.md (signed trigger), and
// shared/providers.md "Singapay" (token v1.1, request signature, inquiry status, response and
// transaction status codes). One HTTP call per operation and no retry loops: Temporal retries the
// activities. The one repetition is the documented one (transport.ts): a refused token is renewed
// once and the call repeated once. What each response code leads to is decided in codes.ts.
import type { z } from 'zod';
import { parseRupiah } from '../../domain/money';
import type { FailureCode, PayoutFailure } from '../../domain/payout';
import {
  ProviderCallError,
  type AccountInquiryResult,
  type PayoutProvider,
  type TransferOrder,
  type TransferStatusResult,
  type TriggerResult,
} from '../../domain/provider-port';
import { accessTokens } from './access-token';
import { inquiryDecision, stateOf, statusDecision, triggerDecision, type ThrowDecision } from './codes';
import { ewalletFields, SINGAPAY_PATHS, singapayNotes } from './fields';
import { inquiryDataSchema, transferDataSchema, type Envelope, type TransferData } from './schemas';
import type { TimestampFormat } from './signature';
import { securedCaller } from './transport';

export interface SingapayClientConfig {
  /** https://sandbox-payment-b2b.singapay.id, https://payment-b2b.singapay.id, or a simulator. */
  baseUrl: string;
  clientId: string;
  clientSecret: string;
  /** Sent as X-PARTNER-ID. */
  apiKey: string;
  /** The merchant account (ULID) in every body and in the status path. */
  accountId: string;
  /** Per HTTP request, connect to last byte. */
  timeoutMs: number;
  /** X-Timestamp form: the seed page's ISO-8601 with +07:00 (default) or Unix seconds. */
  timestampFormat?: TimestampFormat;
  now?: () => Date;
}

export type SingapayProvider = PayoutProvider & { getAccessToken(): Promise<string> };

export function createSingapayProvider(config: SingapayClientConfig): SingapayProvider {
  const now = config.now ?? (() => new Date());
  const baseUrl = config.baseUrl.replace(/\/+$/, '');
  const tokens = accessTokens({ baseUrl, clientId: config.clientId, clientSecret: config.clientSecret, apiKey: config.apiKey, timeoutMs: config.timeoutMs, now });
  const call = securedCaller(
    { baseUrl, apiKey: config.apiKey, clientSecret: config.clientSecret, timeoutMs: config.timeoutMs, timestampFormat: config.timestampFormat ?? 'iso8601', now },
    tokens,
  );

  return {
    key: 'singapay',
    getAccessToken: () => tokens.get(),

    async inquireAccount(order: TransferOrder): Promise<AccountInquiryResult> {
      const what = 'account inquiry';
      const { envelope } = await call(SINGAPAY_PATHS.inquiry, ewalletFields(config.accountId, order), { what, signed: false, movesMoney: false });
      const decision = inquiryDecision(envelope.response_code);
      switch (decision.action) {
        case 'READ_DATA': {
          const data = readData(envelope, inquiryDataSchema, what);
          return {
            outcome: 'VALID',
            accountName: data.customer_name,
            amount: rupiah(data.amount.value, what),
            fee: rupiah(data.fee_amount.value, what),
            grossAmount: rupiah(data.gross_amount.value, what),
            ...(data.min_amount && { minAmount: rupiah(data.min_amount.value, what) }),
            ...(data.max_amount && { maxAmount: rupiah(data.max_amount.value, what) }),
          };
        }
        case 'REFUSE':
          return { outcome: 'REFUSED', failure: refusal(envelope, decision.failure) };
        case 'THROW':
          throw callError(envelope, decision, what);
      }
    },

    async triggerTransfer(order: TransferOrder): Promise<TriggerResult> {
      const what = 'trigger top-up';
      const notes = singapayNotes(order.description);
      const body = { ...ewalletFields(config.accountId, order), reference_number: order.reference, ...(notes && { notes }) };
      const { envelope } = await call(SINGAPAY_PATHS.trigger, body, { what, signed: true, movesMoney: true });
      const decision = triggerDecision(envelope.response_code);
      switch (decision.action) {
        case 'READ_DATA': {
          const data = readData(envelope, transferDataSchema, what);
          const providerStatus = { code: data.transaction_status.code, desc: data.transaction_status.desc };
          const { state, failure } = stateOf(providerStatus);
          return {
            outcome: 'ACCEPTED',
            ...(data.transaction_id && { providerReference: data.transaction_id }),
            providerStatus,
            state,
            ...(failure && { failure }),
          };
        }
        case 'DUPLICATE_REFERENCE':
          return { outcome: 'DUPLICATE_REFERENCE', providerCode: envelope.response_code };
        case 'REFUSE':
          return { outcome: 'REFUSED', failure: refusal(envelope, decision.failure) };
        case 'ASK_STATUS':
          return { outcome: 'UNKNOWN', providerCode: envelope.response_code, message: envelope.response_message || 'outcome unknown' };
        case 'THROW':
          throw callError(envelope, decision, what);
      }
    },

    /** Singapay finds a transfer by our reference; its transaction id (`providerReference`) is not needed. */
    async checkTransferStatus(order: TransferOrder): Promise<TransferStatusResult> {
      const what = 'inquiry status';
      const { envelope } = await call(SINGAPAY_PATHS.status(config.accountId), { reference_number: order.reference }, { what, signed: false, movesMoney: false });
      const decision = statusDecision(envelope.response_code);
      switch (decision.action) {
        case 'READ_DATA': {
          const data = readData(envelope, transferDataSchema, what);
          const providerStatus = { code: data.transaction_status.code, desc: data.transaction_status.desc };
          const { state, failure } = stateOf(providerStatus);
          return {
            state,
            providerStatus,
            ...(data.transaction_id && { providerReference: data.transaction_id }),
            ...(failure && { failure }),
            recorded: recordedOf(data, what),
          };
        }
        case 'NOT_FOUND':
          return { state: 'NOT_FOUND', providerStatus: { code: envelope.response_code, desc: envelope.response_message || 'Not Found' } };
        case 'THROW':
          throw callError(envelope, decision, what);
      }
    },
  };
}

/** What the provider holds under our reference, so the workflow can catch a reference collision. */
function recordedOf(data: TransferData, what: string): NonNullable<TransferStatusResult['recorded']> {
  const amount = data.amount ?? data.net_amount;
  const accountNumber = data.ewallet?.customer_number ?? data.customer_number;
  return {
    ...(amount && { amount: rupiah(amount.value, what) }),
    ...(accountNumber && { accountNumber }),
  };
}

function refusal(envelope: Envelope, code: FailureCode): PayoutFailure {
  return { code, message: envelope.response_message || envelope.response_code, providerCode: envelope.response_code };
}

/** A decision to throw, as the error the activities turn into a Temporal failure. */
function callError(envelope: Envelope, decision: ThrowDecision, what: string): ProviderCallError {
  return new ProviderCallError(decision.kind, `${what}: ${envelope.response_code} ${envelope.response_message}`.trim(), {
    mayHaveArrived: decision.mayHaveArrived,
    providerCode: envelope.response_code,
  });
}

function readData<S extends z.ZodType>(envelope: Envelope, schema: S, what: string): z.infer<S> {
  const parsed = schema.safeParse(envelope.data);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const at = issue && issue.path.length > 0 ? `data.${issue.path.join('.')}` : 'data';
    // The provider answered SP000: for a trigger the money may have moved, so say it may have arrived.
    throw new ProviderCallError('BAD_ANSWER', `${what}: unexpected ${at}: ${issue?.message ?? 'invalid'}`, { mayHaveArrived: true, providerCode: envelope.response_code });
  }
  return parsed.data;
}

function rupiah(value: string, what: string): number {
  try {
    return parseRupiah(value);
  } catch {
    throw new ProviderCallError('BAD_ANSWER', `${what}: an amount that is not whole rupiah with ".00"`, { mayHaveArrived: true });
  }
}
