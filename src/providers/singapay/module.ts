// Singapay as a provider module: e-wallet top-up (DANA, OVO, GoPay, ShopeePay) with HMAC signatures.
import { z } from 'zod';
import type { CallbackRequest, CallbackVerdict } from '../../domain/provider-port';
import { staleness } from '../callback-freshness';
import { allOrNone, callsPerSecond, millis, optionalText, port } from '../env-fields';
import type { ProviderModule } from '../module';
import { SINGAPAY_ASSUMPTIONS, singapayAssumptionEnv, singapayAssumptionsFromEnv, type SingapayAssumptionEnv } from './assumptions';
import { createSingapayProvider, type SingapayClientConfig } from './client';
import { checkSingapayAssumptions } from './go-live';
import { webhookSchema } from './schemas';
import { verifySingapayCallback } from './signature';

/**
 * The most HTTP calls one activity attempt makes: token, the call, a renewed token after a 401, the
 * call again; with SINGAPAY_TRIGGER_AMOUNT=gross a trigger first asks the inquiry for the gross amount
 * (token, inquiry, renewed token, inquiry, trigger, renewed token, trigger).
 */
const callsPerAttempt = (triggerAmount: unknown) => (triggerAmount === 'gross' ? 7 : 4);

const CREDENTIALS = ['SINGAPAY_BASE_URL', 'SINGAPAY_CLIENT_ID', 'SINGAPAY_CLIENT_SECRET', 'SINGAPAY_API_KEY', 'SINGAPAY_ACCOUNT_ID'] as const;

export type SingapaySettings = Omit<SingapayClientConfig, 'now'>;

const env = {
  SINGAPAY_BASE_URL: z.url().optional(),
  SINGAPAY_CLIENT_ID: optionalText,
  SINGAPAY_CLIENT_SECRET: optionalText,
  SINGAPAY_API_KEY: optionalText,
  SINGAPAY_ACCOUNT_ID: optionalText,
  SINGAPAY_TIMEOUT_MS: millis(10_000),
  // No limit is published in its pages (docs/providers/singapay.md "Rate limit"): 20 calls/s until the provider says.
  SINGAPAY_MAX_CALLS_PER_SECOND: callsPerSecond(20),
  SINGAPAY_SIMULATOR_PORT: port(4010),
  // The guesses about what the provider's pages leave open (docs/providers/singapay.md).
  ...singapayAssumptionEnv,
};

export const singapayModule: ProviderModule<SingapaySettings> = {
  key: 'singapay',
  name: 'Singapay',
  capabilities: {
    ewallets: ['DANA', 'OVO', 'GOPAY', 'SHOPEEPAY'],
    bankAccounts: false,
    virtualAccounts: false,
    defaultFor: { ewallets: ['DANA', 'OVO', 'GOPAY', 'SHOPEEPAY'] },
  },
  env,
  check: (parsed) => allOrNone(parsed, CREDENTIALS),
  settings(parsed) {
    if (CREDENTIALS.some((name) => parsed[name] === undefined)) return undefined;
    return {
      baseUrl: parsed.SINGAPAY_BASE_URL as string,
      clientId: parsed.SINGAPAY_CLIENT_ID as string,
      clientSecret: parsed.SINGAPAY_CLIENT_SECRET as string,
      apiKey: parsed.SINGAPAY_API_KEY as string,
      accountId: parsed.SINGAPAY_ACCOUNT_ID as string,
      timeoutMs: parsed.SINGAPAY_TIMEOUT_MS as number,
      assumptions: singapayAssumptionsFromEnv(parsed as SingapayAssumptionEnv),
    };
  },
  attemptBudget(parsed) {
    const timeoutMs = parsed.SINGAPAY_TIMEOUT_MS as number;
    const calls = callsPerAttempt(parsed.SINGAPAY_TRIGGER_AMOUNT);
    return {
      ms: calls * timeoutMs,
      variable: 'SINGAPAY_TIMEOUT_MS',
      explanation: `${calls} × SINGAPAY_TIMEOUT_MS (${timeoutMs} ms: token, call, renewed token, call${calls > 4 ? ', and the inquiry a gross trigger amount needs first' : ''})`,
    };
  },
  rateLimit: (parsed) => ({
    callsPerSecond: parsed.SINGAPAY_MAX_CALLS_PER_SECOND as number,
    variable: 'SINGAPAY_MAX_CALLS_PER_SECOND',
    // One call per activity; a gross trigger asks the inquiry first.
    callsPerActivity: parsed.SINGAPAY_TRIGGER_AMOUNT === 'gross' ? 2 : 1,
  }),
  createProvider: (settings) => createSingapayProvider(settings),
  // Singapay signs its webhooks like a request of ours, with our client secret (the token is its own).
  callbacks: (settings) => ({
    verify: (request, now) => verifyWebhook(settings.clientSecret, request, now),
    acknowledgement: { response_code: 'SP000', response_message: 'Successful' },
  }),
  assumptions: SINGAPAY_ASSUMPTIONS,
  checkAssumptions: (settings, options) => checkSingapayAssumptions(settings, options),
};

function verifyWebhook(clientSecret: string, request: CallbackRequest, now: Date): CallbackVerdict {
  const header = (name: string) => {
    const value = request.headers[name];
    return Array.isArray(value) ? value[0] : value;
  };
  const signature = header('x-signature');
  if (!signature || !verifySingapayCallback(clientSecret, { pathWithQuery: request.path, headers: request.headers, rawBody: request.rawBody })) {
    return { ok: false, reason: 'The callback signature does not verify.' };
  }
  const stale = staleness(header('x-timestamp'), now);
  if (stale) return { ok: false, reason: `The callback is not fresh: ${stale}.` };
  return { ok: true, reference: referenceIn(request.rawBody), signature };
}

function referenceIn(rawBody: string): string | undefined {
  try {
    const parsed = webhookSchema.safeParse(JSON.parse(rawBody));
    return parsed.success ? parsed.data.data.reference_number : undefined;
  } catch {
    return undefined;
  }
}

