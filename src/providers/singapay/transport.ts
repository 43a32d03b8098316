// One secured Singapay call (docs/providers/singapay.md "Every secured call" and
// "Request signature"): bearer token
// and X-PARTNER-ID on every call; X-Timestamp and X-Signature on money-moving calls, over exactly
// the canonical bytes that are sent. A refused token (HTTP 401 or SP013) is renewed once and the
// call repeated once: the provider refused the first request, so nothing happened the first time.
// That single repetition is the only one; Temporal retries everything else.
import { postJson, type HttpAnswer } from '../http';
import { ProviderCallError } from '../../domain/provider-port';
import type { AccessTokens } from './access-token';
import { canonicalJson } from './canonical-json';
import { meaningOf, suspectedAssumptions, type SingapayOperation } from './codes';
import { envelopeSchema, type Envelope } from './schemas';
import { requestSignature, xTimestamp, type TimestampFormat } from './signature';

export interface TransportConfig {
  baseUrl: string;
  apiKey: string;
  clientSecret: string;
  timeoutMs: number;
  timestampFormat: TimestampFormat;
  now: () => Date;
}

export interface CallOptions {
  /** For messages: "account inquiry", "trigger top-up", "inquiry status". */
  what: string;
  /** Which call: decides which assumptions an error is put down to (codes.ts suspectedAssumptions). */
  operation: SingapayOperation;
  /** Money-moving calls carry X-Timestamp and X-Signature. */
  signed: boolean;
  /** Whether a lost or broken answer may hide a debit (sets mayHaveArrived on 5xx). */
  movesMoney: boolean;
}

export interface SecuredAnswer {
  httpStatus: number;
  envelope: Envelope;
}

export type SecuredCall = (path: string, body: Record<string, unknown>, options: CallOptions) => Promise<SecuredAnswer>;

export function securedCaller(config: TransportConfig, tokens: AccessTokens): SecuredCall {
  async function send(path: string, body: Record<string, unknown>, options: CallOptions, token: string): Promise<HttpAnswer> {
    const url = `${config.baseUrl}${path}`;
    const payload = canonicalJson(body);
    const headers: Record<string, string> = {
      'Content-Type': 'application/json',
      Accept: 'application/json',
      Authorization: `Bearer ${token}`,
      'X-PARTNER-ID': config.apiKey,
    };
    if (options.signed) {
      const timestamp = xTimestamp(config.now(), config.timestampFormat);
      // Sign the path as it goes on the wire, including any prefix of the base URL.
      const { pathname, search } = new URL(url);
      headers['X-Timestamp'] = timestamp;
      headers['X-Signature'] = requestSignature(config.clientSecret, {
        method: 'POST',
        pathWithQuery: `${pathname}${search}`,
        accessToken: token,
        canonicalBody: payload,
        timestamp,
      });
    }
    return postJson(url, { headers, body: payload, timeoutMs: config.timeoutMs });
  }

  return async (path, body, options) => {
    let token = await tokens.get();
    let answer = await send(path, body, options, token);
    let envelope = readEnvelope(answer);
    if (tokenRefused(answer.status, envelope)) {
      tokens.invalidate(token);
      token = await tokens.get();
      answer = await send(path, body, options, token);
      envelope = readEnvelope(answer);
      if (tokenRefused(answer.status, envelope)) {
        const suspects = suspectedAssumptions(options.operation, answer.status, envelope?.response_code);
        throw new ProviderCallError('UNAUTHORIZED', `${options.what}: a fresh access token was refused too (HTTP ${answer.status})${blame(suspects)}`, {
          mayHaveArrived: false,
          httpStatus: answer.status,
          ...(envelope && { providerCode: envelope.response_code }),
          ...(suspects.length > 0 && { assumptions: suspects }),
        });
      }
    }
    const suspects = suspectedAssumptions(options.operation, answer.status, envelope?.response_code);
    const details = { httpStatus: answer.status, ...(envelope && { providerCode: envelope.response_code }), ...(suspects.length > 0 && { assumptions: suspects }) };
    if (answer.status >= 500) {
      // A 5xx on a money-moving call may follow a debit: the caller must ask status, not assume.
      throw new ProviderCallError('UNAVAILABLE', `${options.what}: HTTP ${answer.status}${envelope ? ` ${envelope.response_code}` : ''}`, {
        mayHaveArrived: options.movesMoney,
        ...details,
      });
    }
    if (answer.status === 429) {
      const retryAfterS = Number(answer.headers.get('retry-after'));
      throw new ProviderCallError('RATE_LIMITED', `${options.what}: rate limited`, {
        mayHaveArrived: false,
        ...details,
        ...(Number.isFinite(retryAfterS) && retryAfterS > 0 && { retryAfterMs: retryAfterS * 1000 }),
      });
    }
    if (!envelope) {
      // The provider answered (so the request arrived) with something that is not its envelope.
      throw new ProviderCallError('BAD_ANSWER', `${options.what}: HTTP ${answer.status} without a Singapay envelope${blame(suspects)}`, { mayHaveArrived: true, ...details });
    }
    return { httpStatus: answer.status, envelope };
  };
}

/** The end of an error message that names the assumptions a wrong guess would explain it by. */
export function blame(assumptions: readonly string[]): string {
  return assumptions.length === 0 ? '' : ` (a wrong provider assumption would explain it: ${assumptions.join(', ')})`;
}

function readEnvelope(answer: HttpAnswer): Envelope | undefined {
  try {
    const parsed = envelopeSchema.safeParse(JSON.parse(answer.text));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

/**
 * SP013, or an HTTP 401 that does not name a cause a new token cannot fix (SP015/SP017 not
 * permitted, SP016 signature, SP020 account): renewing then would only hide a configuration error.
 */
function tokenRefused(httpStatus: number, envelope: Envelope | undefined): boolean {
  if (envelope?.response_code === 'SP013') return true;
  if (httpStatus !== 401) return false;
  const kind = envelope ? meaningOf(envelope.response_code).kind : 'UNDOCUMENTED';
  return kind !== 'NOT_PERMITTED' && kind !== 'MISCONFIGURED';
}
