// Singapay's access token (docs/providers/singapay.md "Access token"): POST /api/v1.1/access-token/b2b
// signed with the Jakarta date, cached until shortly before `expires_in`, one request shared by
// every caller that needs a token at the same moment.
import { parseJsonAnswer, postJson } from '../http';
import { ProviderCallError } from '../../domain/provider-port';
import { envelopeSchema, tokenAnswerSchema } from './schemas';
import { tokenSignature } from './signature';

export const TOKEN_PATH = '/api/v1.1/access-token/b2b';
/** Renew this long before Singapay says the token expires (capped at half its lifetime). */
const EARLY_RENEWAL_MS = 60_000;

export interface AccessTokenConfig {
  baseUrl: string;
  clientId: string;
  clientSecret: string;
  apiKey: string;
  timeoutMs: number;
  now: () => Date;
}

export interface AccessTokens {
  /** The cached token, or a fresh one (one request however many callers wait for it). */
  get(): Promise<string>;
  /** Forget `token` because Singapay refused it; a newer token already cached is kept. */
  invalidate(token: string): void;
}

export function accessTokens(config: AccessTokenConfig): AccessTokens {
  let cached: { token: string; renewAtMs: number } | undefined;
  let inFlight: Promise<string> | undefined;

  async function fetchToken(): Promise<string> {
    const askedAtMs = config.now().getTime(); // the lifetime counts from the request, to be safe
    const { token, lifetimeMs } = await requestAccessToken(config);
    cached = { token, renewAtMs: askedAtMs + lifetimeMs - Math.min(EARLY_RENEWAL_MS, lifetimeMs / 2) };
    return token;
  }

  return {
    async get() {
      if (cached && config.now().getTime() < cached.renewAtMs) return cached.token;
      inFlight ??= fetchToken().finally(() => {
        inFlight = undefined;
      });
      return inFlight;
    },
    invalidate(token) {
      if (cached?.token === token) cached = undefined;
    },
  };
}

/** One token request. Errors say which credential to check, never the credential itself. */
async function requestAccessToken(config: AccessTokenConfig): Promise<{ token: string; lifetimeMs: number }> {
  const what = 'access token';
  let answer;
  try {
    answer = await postJson(`${config.baseUrl}${TOKEN_PATH}`, {
      headers: {
        'Content-Type': 'application/json',
        Accept: 'application/json',
        'X-PARTNER-ID': config.apiKey,
        'X-CLIENT-ID': config.clientId,
        'X-Signature': tokenSignature(config.clientId, config.clientSecret, config.now()),
      },
      body: JSON.stringify({ grant_type: 'client_credentials' }),
      timeoutMs: config.timeoutMs,
    });
  } catch (err) {
    if (!(err instanceof ProviderCallError)) throw err;
    // A token request moves no money, whatever happened to it.
    throw new ProviderCallError(err.kind, `${what}: ${err.message}`, { mayHaveArrived: false });
  }
  const code = providerCode(answer.text);
  const details = { mayHaveArrived: false, httpStatus: answer.status, ...(code && { providerCode: code }) };
  if (answer.status === 401 || answer.status === 403) {
    throw new ProviderCallError('UNAUTHORIZED', `${what} refused (HTTP ${answer.status}${code ? ` ${code}` : ''}): check the Singapay client id, client secret and API key`, details);
  }
  if (answer.status === 429) throw new ProviderCallError('RATE_LIMITED', `${what}: rate limited`, details);
  if (answer.status >= 500) throw new ProviderCallError('UNAVAILABLE', `${what}: HTTP ${answer.status}`, details);
  if (answer.status < 200 || answer.status >= 300) {
    throw new ProviderCallError('MISCONFIGURED', `${what}: HTTP ${answer.status}${code ? ` ${code}` : ''}`, details);
  }
  const { data } = parseJsonAnswer(answer.text, tokenAnswerSchema, what);
  return { token: data.access_token, lifetimeMs: data.expires_in * 1000 };
}

function providerCode(text: string): string | undefined {
  try {
    const parsed = envelopeSchema.safeParse(JSON.parse(text));
    return parsed.success ? parsed.data.response_code : undefined;
  } catch {
    return undefined;
  }
}
