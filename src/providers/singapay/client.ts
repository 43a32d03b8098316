// Singapay e-wallet top-up (money out) client. Follows the provider pages in shared/seeds:
// singapay-ewallet-topup-overview.md, singapay-ewallet-account-inquiry.md,
// singapay-ewallet-trigger-topup.md, and shared/providers.md "Singapay" (token v1.1, request
// signature, inquiry status, codes). One HTTP call per operation and no retry loops: Temporal
// retries activities. The one repetition is the documented one: a rejected token is renewed once
// and the call repeated once.
import { parseRupiah, formatRupiah } from '../../domain/money';
import type { Ewallet, FailureCode } from '../../domain/payout';
import { parseJsonAnswer, postJson, type HttpAnswer } from '../http';
import {
  ProviderCallError,
  type AccountInquiryResult,
  type PayoutProvider,
  type TransferOrder,
  type TransferStatusResult,
  type TriggerResult,
} from '../types';
import { canonicalJson } from './canonical-json';
import { meaningOf, stateOf } from './codes';
import { envelopeSchema, inquiryDataSchema, tokenAnswerSchema, transferDataSchema } from './schemas';
import { jakartaTimestamp, signBody, tokenSignature } from './signature';

export interface SingapayClientConfig {
  baseUrl: string;
  clientId: string;
  clientSecret: string;
  apiKey: string;
  accountId: string;
  timeoutMs: number;
  /** X-Timestamp form: the seed page's ISO-8601 (default) or Unix seconds, as other pages use. */
  timestampFormat?: 'iso8601' | 'unix';
  now?: () => Date;
}

export const SINGAPAY_PATHS = {
  token: '/api/v1.1/access-token/b2b',
  inquiry: '/api/v2.0/ewallet/account-inquiry',
  trigger: '/api/v2.0/ewallet/trigger-topup',
  status: (accountId: string) => `/api/v2.0/ewallet/${encodeURIComponent(accountId)}/inquiry-status`,
} as const;

const SINGAPAY_EWALLETS: readonly Ewallet[] = ['DANA', 'OVO', 'GOPAY', 'SHOPEEPAY'];
/** Renew the token this long before Singapay says it expires. */
const TOKEN_EARLY_RENEWAL_MS = 60_000;

type Envelope = { response_code: string; response_message: string; data?: unknown };

export function createSingapayProvider(config: SingapayClientConfig): PayoutProvider & { getAccessToken(): Promise<string> } {
  const now = config.now ?? (() => new Date());
  const baseUrl = config.baseUrl.replace(/\/+$/, '');
  let cached: { token: string; renewAtMs: number } | undefined;
  let inFlight: Promise<string> | undefined;

  async function fetchToken(): Promise<string> {
    const answer = await postJson(`${baseUrl}${SINGAPAY_PATHS.token}`, {
      headers: {
        'Content-Type': 'application/json',
        Accept: 'application/json',
        'X-PARTNER-ID': config.apiKey,
        'X-CLIENT-ID': config.clientId,
        'X-Signature': tokenSignature(config.clientId, config.clientSecret, now()),
      },
      body: JSON.stringify({ grant_type: 'client_credentials' }),
      timeoutMs: config.timeoutMs,
    }).catch((err: ProviderCallError) => {
      // A token request moves no money, whatever happened to it.
      throw new ProviderCallError(err.kind, `access token: ${err.message}`, { mayHaveArrived: false });
    });
    if (answer.status === 401 || answer.status === 403) {
      throw new ProviderCallError('UNAUTHORIZED', `access token refused (HTTP ${answer.status}): check SINGAPAY_CLIENT_ID, SINGAPAY_CLIENT_SECRET, SINGAPAY_API_KEY`, {
        mayHaveArrived: false,
        httpStatus: answer.status,
      });
    }
    throwOnTransportStatus(answer, 'access token', false);
    const { data } = parseJsonAnswer(answer.text, tokenAnswerSchema, 'access token');
    const lifetimeMs = data.expires_in * 1000;
    cached = { token: data.access_token, renewAtMs: now().getTime() + Math.max(lifetimeMs - TOKEN_EARLY_RENEWAL_MS, lifetimeMs / 2) };
    return data.access_token;
  }

  /** The cached token, or one fetch shared by every caller that needs it now. */
  async function getAccessToken(): Promise<string> {
    if (cached && now().getTime() < cached.renewAtMs) return cached.token;
    inFlight ??= fetchToken().finally(() => {
      inFlight = undefined;
    });
    return inFlight;
  }

  /**
   * One secured call: bearer + X-PARTNER-ID, signed when it moves money. The body sent is the
   * canonical JSON that was hashed, byte for byte. On 401 or SP013 the token is renewed once and
   * the call repeated once (the provider refused it, so nothing happened the first time).
   */
  async function securedCall(path: string, body: Record<string, unknown>, what: string, signed: boolean, mayMoveMoney: boolean): Promise<Envelope> {
    for (let round = 1; ; round += 1) {
      const token = await getAccessToken();
      const headers: Record<string, string> = {
        'Content-Type': 'application/json',
        Accept: 'application/json',
        Authorization: `Bearer ${token}`,
        'X-PARTNER-ID': config.apiKey,
      };
      let payload = canonicalJson(body);
      if (signed) {
        const timestamp = config.timestampFormat === 'unix' ? String(Math.floor(now().getTime() / 1000)) : jakartaTimestamp(now());
        const signedBody = signBody(config.clientSecret, { method: 'POST', pathWithQuery: path, accessToken: token, timestamp, body });
        payload = signedBody.canonicalBody;
        headers['X-Timestamp'] = timestamp;
        headers['X-Signature'] = signedBody.signature;
      }
      const answer = await postJson(`${baseUrl}${path}`, { headers, body: payload, timeoutMs: config.timeoutMs });
      const envelope = answer.text ? tryEnvelope(answer.text) : undefined;
      const tokenRejected = answer.status === 401 && (!envelope || envelope.response_code === 'SP013' || !envelope.response_code.startsWith('SP01'));
      if ((tokenRejected || envelope?.response_code === 'SP013') && round === 1) {
        cached = undefined;
        continue;
      }
      if (tokenRejected || envelope?.response_code === 'SP013') {
        throw new ProviderCallError('UNAUTHORIZED', `${what}: the access token was refused twice`, { mayHaveArrived: false, httpStatus: answer.status });
      }
      if (!envelope || answer.status >= 500 || answer.status === 429) {
        throwOnTransportStatus(answer, what, mayMoveMoney);
        return parseJsonAnswer(answer.text, envelopeSchema, what); // throws BAD_ANSWER
      }
      return envelope;
    }
  }

  function refusal(envelope: Envelope, code: FailureCode) {
    return { code, message: envelope.response_message || envelope.response_code, providerCode: envelope.response_code };
  }

  function misconfigured(envelope: Envelope, what: string): ProviderCallError {
    return new ProviderCallError('MISCONFIGURED', `${what}: ${envelope.response_code} ${envelope.response_message}`, {
      mayHaveArrived: false,
      providerCode: envelope.response_code,
    });
  }

  /** The fields inquiry and trigger share: our account, the e-wallet, the customer, the net amount. */
  function ewalletFields(order: TransferOrder) {
    const d = order.destination;
    if (d.type !== 'EWALLET' || !SINGAPAY_EWALLETS.includes(d.ewallet)) {
      throw new ProviderCallError('MISCONFIGURED', `Singapay cannot pay to ${d.type === 'EWALLET' ? d.ewallet : d.type}`, { mayHaveArrived: false });
    }
    return {
      account_id: config.accountId,
      ewallet_code: d.ewallet,
      customer_number: d.customerNumber,
      amount: { value: formatRupiah(order.amount), currency: 'IDR' },
    };
  }

  return {
    key: 'singapay',
    getAccessToken,

    async inquireAccount(order: TransferOrder): Promise<AccountInquiryResult> {
      const what = 'account inquiry';
      const envelope = await securedCall(SINGAPAY_PATHS.inquiry, ewalletFields(order), what, false, false);
      const meaning = meaningOf(envelope.response_code);
      switch (meaning.kind) {
        case 'OK': {
          const data = parseData(envelope, inquiryDataSchema, what);
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
        case 'REFUSED':
          return { outcome: 'REFUSED', failure: refusal(envelope, meaning.code) };
        case 'NOT_FOUND':
          return { outcome: 'REFUSED', failure: refusal(envelope, 'BENEFICIARY_NOT_FOUND') };
        case 'MISCONFIGURED':
          throw misconfigured(envelope, what);
        case 'UNKNOWN':
        case 'RETRY':
        case 'DUPLICATE_REFERENCE':
        case 'TOKEN_EXPIRED':
          throw noAnswer(envelope, what, false);
      }
    },

    async triggerTransfer(order: TransferOrder): Promise<TriggerResult> {
      const what = 'trigger top-up';
      const notes = singapayNotes(order.description);
      const envelope = await securedCall(
        SINGAPAY_PATHS.trigger,
        { ...ewalletFields(order), reference_number: order.reference, ...(notes && { notes }) },
        what,
        true,
        true,
      );
      const meaning = meaningOf(envelope.response_code);
      switch (meaning.kind) {
        case 'OK': {
          const data = parseData(envelope, transferDataSchema, what);
          const status = { code: data.transaction_status.code, desc: data.transaction_status.desc };
          const { state, failure } = stateOf(status);
          return {
            outcome: 'ACCEPTED',
            ...(data.transaction_id && { providerReference: data.transaction_id }),
            providerStatus: status,
            state,
            ...(failure && { failure }),
          };
        }
        case 'DUPLICATE_REFERENCE':
          return { outcome: 'DUPLICATE_REFERENCE', providerCode: envelope.response_code };
        case 'REFUSED':
          return { outcome: 'REFUSED', failure: refusal(envelope, meaning.code) };
        case 'MISCONFIGURED':
          throw misconfigured(envelope, what);
        case 'UNKNOWN':
        case 'NOT_FOUND':
        case 'TOKEN_EXPIRED':
          return { outcome: 'UNKNOWN', providerCode: envelope.response_code, message: envelope.response_message };
        case 'RETRY':
          throw noAnswer(envelope, what, true);
      }
    },

    async checkTransferStatus(order: TransferOrder): Promise<TransferStatusResult> {
      const what = 'inquiry status';
      const envelope = await securedCall(SINGAPAY_PATHS.status(config.accountId), { reference_number: order.reference }, what, false, false);
      const meaning = meaningOf(envelope.response_code);
      switch (meaning.kind) {
        case 'OK': {
          const data = parseData(envelope, transferDataSchema, what);
          const status = { code: data.transaction_status.code, desc: data.transaction_status.desc };
          const { state, failure } = stateOf(status);
          const amount = data.amount ?? data.net_amount;
          const accountNumber = data.ewallet?.customer_number ?? data.customer_number;
          return {
            state,
            providerStatus: status,
            ...(data.transaction_id && { providerReference: data.transaction_id }),
            ...(failure && { failure }),
            recorded: {
              ...(amount && { amount: rupiah(amount.value, what) }),
              ...(accountNumber && { accountNumber }),
            },
          };
        }
        case 'NOT_FOUND':
          return { state: 'NOT_FOUND', providerStatus: { code: envelope.response_code, desc: envelope.response_message } };
        case 'MISCONFIGURED':
          throw misconfigured(envelope, what);
        case 'REFUSED':
        case 'UNKNOWN':
        case 'RETRY':
        case 'DUPLICATE_REFERENCE':
        case 'TOKEN_EXPIRED':
          // No answer about the money (SP005: the provider timed out refreshing a pending record): ask again later.
          throw noAnswer(envelope, what, false);
      }
    },
  };
}

/** `notes`: at most 50 letters, digits, spaces and "/" (anything else is dropped), or nothing. */
export function singapayNotes(description: string | undefined): string | undefined {
  const cleaned = (description ?? '').replace(/[^A-Za-z0-9 /]/g, '').trim().slice(0, 50).trim();
  return cleaned === '' ? undefined : cleaned;
}

/** An answer that says nothing definite: retryable, and whether the request may have acted. */
function noAnswer(envelope: Envelope, what: string, mayHaveArrived: boolean): ProviderCallError {
  return new ProviderCallError('UNAVAILABLE', `${what}: ${envelope.response_code} ${envelope.response_message}`, {
    mayHaveArrived,
    providerCode: envelope.response_code,
  });
}

function tryEnvelope(text: string): Envelope | undefined {
  try {
    const parsed = envelopeSchema.safeParse(JSON.parse(text));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

function throwOnTransportStatus(answer: HttpAnswer, what: string, mayMoveMoney: boolean): void {
  if (answer.status === 429) {
    const retryAfter = Number(answer.headers.get('retry-after'));
    throw new ProviderCallError('RATE_LIMITED', `${what}: rate limited`, {
      mayHaveArrived: false,
      httpStatus: 429,
      ...(Number.isFinite(retryAfter) && retryAfter > 0 && { retryAfterMs: retryAfter * 1000 }),
    });
  }
  if (answer.status >= 500) {
    throw new ProviderCallError('UNAVAILABLE', `${what}: HTTP ${answer.status}`, { mayHaveArrived: mayMoveMoney, httpStatus: answer.status });
  }
}

function parseData<T>(envelope: Envelope, schema: import('zod').ZodType<T>, what: string): T {
  const parsed = schema.safeParse(envelope.data);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new ProviderCallError('BAD_ANSWER', `${what}: unexpected data at ${issue?.path.join('.') || '(root)'}: ${issue?.message}`, { mayHaveArrived: true });
  }
  return parsed.data;
}

function rupiah(value: string, what: string): number {
  try {
    return parseRupiah(value);
  } catch {
    throw new ProviderCallError('BAD_ANSWER', `${what}: an amount that is not whole rupiah (${value})`, { mayHaveArrived: true });
  }
}
