// Singapay e-wallet top-up (money out) client, as docs/providers/singapay.md describes it: the
// provider's public pages (top-up overview: inquiry → trigger → inquiry status; account inquiry;
// the signed trigger) and, where they leave a point open, a named assumption (assumptions.ts) that
// `config.assumptions` switches. One HTTP call per operation and no retry loops: Temporal retries the
// activities. The one repetition is the documented one (transport.ts): a refused token is renewed
// once and the call repeated once. What each response code leads to is decided in codes.ts.
import type { z } from 'zod';
import { formatRupiah, parseRupiah } from '../../domain/money';
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
import { SINGAPAY_ASSUMPTION_IDS, singapayAssumptionSettings, type SingapayAssumptionSettings } from './assumptions';
import { inquiryDecision, stateOf, statusDecision, suspectedAssumptions, triggerDecision, type SingapayOperation, type ThrowDecision } from './codes';
import { ewalletFields, SINGAPAY_PATHS, singapayNotes, statusRequest } from './fields';
import { inquiryDataSchema, transferDataSchema, type Envelope, type TransferData } from './schemas';
import type { TimestampFormat } from './signature';
import { blame, securedCaller, type SecuredAnswer } from './transport';

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
  /**
   * X-Timestamp form: the trigger page's ISO-8601 with +07:00 (default) or Unix seconds. The same
   * setting as `assumptions.timestampFormat` (singapay.timestamp-format), which wins when both are set.
   */
  timestampFormat?: TimestampFormat;
  /** The guesses about points the provider's pages leave open (assumptions.ts); what is not given takes its default. */
  assumptions?: Partial<SingapayAssumptionSettings>;
  now?: () => Date;
}

export type SingapayProvider = PayoutProvider & {
  getAccessToken(): Promise<string>;
  /** The assumptions this client works with (defaults completed). */
  readonly assumptions: Readonly<SingapayAssumptionSettings>;
};

export function createSingapayProvider(config: SingapayClientConfig): SingapayProvider {
  const now = config.now ?? (() => new Date());
  const baseUrl = config.baseUrl.replace(/\/+$/, '');
  const assumptions = Object.freeze(singapayAssumptionSettings({ ...(config.timestampFormat && { timestampFormat: config.timestampFormat }), ...config.assumptions }));
  const tokens = accessTokens({ baseUrl, clientId: config.clientId, clientSecret: config.clientSecret, apiKey: config.apiKey, timeoutMs: config.timeoutMs, now });
  const call = securedCaller(
    { baseUrl, apiKey: config.apiKey, clientSecret: config.clientSecret, timeoutMs: config.timeoutMs, timestampFormat: assumptions.timestampFormat, now },
    tokens,
  );

  /** The account inquiry: the holder, the fee and the gross amount for `order.amount` (net). */
  async function inquire(order: TransferOrder, what: string): Promise<AccountInquiryResult> {
    const answer = await call(SINGAPAY_PATHS.inquiry, ewalletFields(config.accountId, order), { what, operation: 'inquiry', signed: false, movesMoney: false });
    const { envelope } = answer;
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
        throw callError(answer, decision, what, 'inquiry');
    }
  }

  return {
    key: 'singapay',
    assumptions,
    getAccessToken: () => tokens.get(),

    async inquireAccount(order: TransferOrder): Promise<AccountInquiryResult> {
      return inquire(order, 'account inquiry');
    },

    async triggerTransfer(order: TransferOrder): Promise<TriggerResult> {
      const what = 'trigger top-up';
      // singapay.trigger-amount: net sends what the beneficiary receives; gross sends the inquiry's
      // gross_amount (amount + fee), asked for just before, so that the fee is the provider's own.
      let amountSent = order.amount;
      if (assumptions.triggerAmount === 'gross') {
        const quote = await inquire(order, 'account inquiry for the gross amount');
        if (quote.outcome === 'REFUSED') return quote;
        amountSent = quote.grossAmount;
      }
      const notes = singapayNotes(order.description);
      const fields = ewalletFields(config.accountId, order);
      const body = { ...fields, amount: { ...fields.amount, value: formatRupiah(amountSent) }, reference_number: order.reference, ...(notes && { notes }) };
      const answer = await call(SINGAPAY_PATHS.trigger, body, { what, operation: 'trigger', signed: true, movesMoney: true });
      const { envelope } = answer;
      const decision = triggerDecision(envelope.response_code);
      switch (decision.action) {
        case 'READ_DATA': {
          const data = readData(envelope, transferDataSchema, what);
          checkNetAmount(data, order, amountSent, assumptions.triggerAmount, what);
          const providerStatus = { code: data.transaction_status.code, desc: data.transaction_status.desc };
          const { state, failure } = readState(providerStatus, assumptions.statusVocabulary, what, envelope.response_code);
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
          throw callError(answer, decision, what, 'trigger');
      }
    },

    /** Singapay finds a transfer by our reference; its transaction id (`providerReference`) is not needed. */
    async checkTransferStatus(order: TransferOrder): Promise<TransferStatusResult> {
      const what = 'inquiry status';
      const request = statusRequest(config.accountId, order.reference, assumptions.statusPath);
      const answer = await call(request.path, request.body, { what, operation: 'status', signed: false, movesMoney: false });
      const { envelope } = answer;
      const decision = statusDecision(envelope.response_code);
      switch (decision.action) {
        case 'READ_DATA': {
          const data = readData(envelope, transferDataSchema, what);
          const providerStatus = { code: data.transaction_status.code, desc: data.transaction_status.desc };
          const { state, failure } = readState(providerStatus, assumptions.statusVocabulary, what, envelope.response_code);
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
          throw callError(answer, decision, what, 'status');
      }
    },
  };
}

/** stateOf, with the call named in the message (an unrecognised status names singapay.status-vocabulary). */
function readState(status: { code: string; desc: string }, vocabulary: SingapayAssumptionSettings['statusVocabulary'], what: string, providerCode: string) {
  try {
    return stateOf(status, vocabulary);
  } catch (err) {
    if (!(err instanceof ProviderCallError)) throw err;
    throw new ProviderCallError(err.kind, `${what}: ${err.message}`, { ...err.details, providerCode });
  }
}

/**
 * singapay.trigger-amount: the trigger answer's net amount (`net_amount`, or `amount`) must be the
 * payout's. When it is not, the provider read our `amount` the other way (it took the fee out of it,
 * or added the fee on top): the money moved, in another amount. That is a BAD_ANSWER that may have
 * arrived, naming the assumption; the status check's `recorded.amount` then holds the payout for an
 * operator (a record that is not our payout's).
 */
function checkNetAmount(data: TransferData, order: TransferOrder, amountSent: number, reading: SingapayAssumptionSettings['triggerAmount'], what: string): void {
  const net = data.net_amount ?? data.amount;
  if (!net) return;
  if (rupiah(net.value, what) === order.amount) return;
  const gross = data.gross_amount ? ` (gross ${data.gross_amount.value})` : '';
  const id = SINGAPAY_ASSUMPTION_IDS.triggerAmount;
  throw new ProviderCallError(
    'BAD_ANSWER',
    `${what}: the provider credits ${net.value}${gross} for an amount of ${formatRupiah(amountSent)} sent as ${reading}, not the payout's ${formatRupiah(order.amount)} ` +
      `(${id} = ${reading}; the other reading is SINGAPAY_TRIGGER_AMOUNT=${reading === 'net' ? 'gross' : 'net'})`,
    { mayHaveArrived: true, providerCode: 'SP000', assumptions: [id] },
  );
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
function callError(answer: SecuredAnswer, decision: ThrowDecision, what: string, operation: SingapayOperation): ProviderCallError {
  const { envelope, httpStatus } = answer;
  const suspects = suspectedAssumptions(operation, httpStatus, envelope.response_code);
  return new ProviderCallError(decision.kind, `${`${what}: ${envelope.response_code} ${envelope.response_message}`.trim()} (HTTP ${httpStatus})${blame(suspects)}`, {
    mayHaveArrived: decision.mayHaveArrived,
    httpStatus,
    providerCode: envelope.response_code,
    ...(suspects.length > 0 && { assumptions: suspects }),
  });
}

function readData<S extends z.ZodType>(envelope: Envelope, schema: S, what: string): z.infer<S> {
  const parsed = schema.safeParse(envelope.data);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const at = issue && issue.path.length > 0 ? `data.${issue.path.join('.')}` : 'data';
    // An unreadable transaction_status may be the other vocabulary in a shape we did not foresee.
    const suspects = issue?.path[0] === 'transaction_status' ? [SINGAPAY_ASSUMPTION_IDS.statusVocabulary] : [];
    // The provider answered SP000: for a trigger the money may have moved, so say it may have arrived.
    throw new ProviderCallError('BAD_ANSWER', `${what}: unexpected ${at}: ${issue?.message ?? 'invalid'}${blame(suspects)}`, {
      mayHaveArrived: true,
      providerCode: envelope.response_code,
      ...(suspects.length > 0 && { assumptions: suspects }),
    });
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
