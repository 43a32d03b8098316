// Faspay SendMe as a provider module: SNAP disbursement to banks, virtual accounts and e-money
// platforms, signed with the merchant's RSA key.
import { z } from 'zod';
import type { CallbackRequest, CallbackVerdict } from '../../domain/provider-port';
import { staleness } from '../callback-freshness';
import { allOrNone, callsPerSecond, millis, optionalText, pemFile, port } from '../env-fields';
import type { ConfigProblem, ProviderModule } from '../module';
import { verifyFaspayCallback } from './callback';
import { FASPAY_ASSUMPTIONS, faspayAssumptionEnv, faspayAssumptionsFromEnv, type FaspayAssumptionEnv } from './assumptions';
import { createFaspayProvider, type FaspayClientConfig } from './client';
import { checkFaspayAssumptions } from './go-live';
import { loadPrivateKey, loadPublicKey } from './signature';

/** The most HTTP calls one activity attempt makes: a name inquiry (16) and the transfer (18). */
const CALLS_PER_ATTEMPT = 2;

const CREDENTIALS = ['FASPAY_BASE_URL', 'FASPAY_PARTNER_ID', 'FASPAY_PRIVATE_KEY', 'FASPAY_SOURCE_ACCOUNT'] as const;

export type FaspaySettings = Omit<FaspayClientConfig, 'now' | 'externalId'> & {
  /** The public key Faspay's callbacks verify with; without it every callback is refused. */
  callbackPublicKeyPem: string | undefined;
};

const env = {
  FASPAY_BASE_URL: z.url().optional(),
  FASPAY_PARTNER_ID: optionalText,
  /** The merchant's RSA private key, PEM (PKCS#8 or PKCS#1; "\n" escapes accepted). */
  FASPAY_PRIVATE_KEY: optionalText,
  /** Or the same key from a file (a mounted secret); one of the two. */
  FASPAY_PRIVATE_KEY_PATH: pemFile('an RSA private key in PEM form', (pem) => loadPrivateKey(pem.toString('utf8'))),
  FASPAY_SOURCE_ACCOUNT: optionalText,
  /** The public key that signs Faspay's callbacks; without it /v1/callbacks/faspay refuses all. */
  FASPAY_CALLBACK_PUBLIC_KEY: optionalText,
  FASPAY_CALLBACK_PUBLIC_KEY_PATH: pemFile('an RSA public key in PEM form', (pem) => loadPublicKey(pem.toString('utf8'))),
  FASPAY_TIMEOUT_MS: millis(10_000),
  // No limit is published in its pages (docs/providers/faspay.md "Rate limit"): 20 calls/s until the provider says.
  FASPAY_MAX_CALLS_PER_SECOND: callsPerSecond(20),
  FASPAY_SIMULATOR_PORT: port(4020),
  // The guesses about what the provider's pages leave open (docs/providers/faspay.md).
  ...faspayAssumptionEnv,
};

/** A key given inline or as a file (the file's content), whichever is set. */
function keyOf(parsed: Readonly<Record<string, unknown>>, name: 'FASPAY_PRIVATE_KEY' | 'FASPAY_CALLBACK_PUBLIC_KEY'): string | undefined {
  return (parsed[name] as string | undefined) ?? (parsed[`${name}_PATH`] as Buffer | undefined)?.toString('utf8');
}

function check(parsed: Readonly<Record<string, unknown>>): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  for (const name of ['FASPAY_PRIVATE_KEY', 'FASPAY_CALLBACK_PUBLIC_KEY'] as const) {
    if (parsed[name] !== undefined && parsed[`${name}_PATH`] !== undefined) {
      problems.push({ variable: name, message: `and ${name}_PATH are both set: give the key one way` });
    }
  }
  const isSet = (name: string) => parsed[name] !== undefined || (name === 'FASPAY_PRIVATE_KEY' && parsed.FASPAY_PRIVATE_KEY_PATH !== undefined);
  for (const problem of allOrNone(parsed, CREDENTIALS, isSet)) {
    problems.push(problem.variable === 'FASPAY_PRIVATE_KEY' ? { ...problem, message: `${problem.message} (or FASPAY_PRIVATE_KEY_PATH)` } : problem);
  }
  for (const [name, load] of [
    ['FASPAY_PRIVATE_KEY', loadPrivateKey],
    ['FASPAY_CALLBACK_PUBLIC_KEY', loadPublicKey],
  ] as const) {
    const pem = parsed[name] as string | undefined;
    if (pem === undefined) continue;
    try {
      load(pem);
    } catch {
      // Never echo the key: only say what is wrong with it.
      problems.push({ variable: name, message: 'must be an RSA key in PEM form' });
    }
  }
  return problems;
}

export const faspayModule: ProviderModule<FaspaySettings> = {
  key: 'faspay',
  name: 'Faspay',
  capabilities: {
    ewallets: ['DANA', 'OVO', 'GOPAY', 'LINKAJA'],
    bankAccounts: true,
    virtualAccounts: true,
    defaultFor: { ewallets: ['LINKAJA'], bankAccounts: true, virtualAccounts: true },
  },
  env,
  check,
  settings(parsed, shared) {
    const privateKeyPem = keyOf(parsed, 'FASPAY_PRIVATE_KEY');
    if (parsed.FASPAY_BASE_URL === undefined || parsed.FASPAY_PARTNER_ID === undefined || privateKeyPem === undefined || parsed.FASPAY_SOURCE_ACCOUNT === undefined) {
      return undefined;
    }
    return {
      baseUrl: parsed.FASPAY_BASE_URL as string,
      partnerId: parsed.FASPAY_PARTNER_ID as string,
      privateKeyPem,
      sourceAccount: parsed.FASPAY_SOURCE_ACCOUNT as string,
      timeoutMs: parsed.FASPAY_TIMEOUT_MS as number,
      callbackUrl: shared.callbackUrl,
      assumptions: faspayAssumptionsFromEnv(parsed as FaspayAssumptionEnv),
      callbackPublicKeyPem: keyOf(parsed, 'FASPAY_CALLBACK_PUBLIC_KEY'),
    };
  },
  attemptBudget(parsed) {
    const timeoutMs = parsed.FASPAY_TIMEOUT_MS as number;
    return {
      ms: CALLS_PER_ATTEMPT * timeoutMs,
      variable: 'FASPAY_TIMEOUT_MS',
      explanation: `${CALLS_PER_ATTEMPT} × FASPAY_TIMEOUT_MS (${timeoutMs} ms: name inquiry, transfer)`,
    };
  },
  rateLimit: (parsed) => ({
    callsPerSecond: parsed.FASPAY_MAX_CALLS_PER_SECOND as number,
    variable: 'FASPAY_MAX_CALLS_PER_SECOND',
    // A transfer is the name inquiry and the transfer when another worker made the payout's inquiry.
    callsPerActivity: CALLS_PER_ATTEMPT,
  }),
  createProvider: ({ callbackPublicKeyPem: _key, ...client }) => createFaspayProvider(client),
  callbacks: (settings) => {
    const publicKey = settings.callbackPublicKeyPem;
    if (publicKey === undefined) return undefined;
    return {
      verify: (request, now) => verifyCallback(publicKey, request, now),
      acknowledgement: { responseCode: '2000000', responseMessage: 'Successful' },
    };
  },
  assumptions: FASPAY_ASSUMPTIONS,
  checkAssumptions: ({ callbackPublicKeyPem: _key, ...client }, options) => checkFaspayAssumptions(client, options),
};

function verifyCallback(publicKeyPem: string, request: CallbackRequest, now: Date): CallbackVerdict {
  // Freshness first, by our own rule and clock, so the answer can say why; the verifier checks it too.
  const stale = staleness(headerOf(request, 'x-timestamp'), now);
  if (stale) return { ok: false, reason: `The callback is not fresh: ${stale}.` };
  const verified = verifyFaspayCallback(publicKeyPem, request, { now });
  if (!verified.ok) return { ok: false, reason: 'The callback signature does not verify.' };
  return { ok: true, reference: verified.notification.originalPartnerReferenceNo, signature: headerOf(request, 'x-signature')! };
}

function headerOf(request: CallbackRequest, name: string): string | undefined {
  const value = request.headers[name];
  return Array.isArray(value) ? value[0] : value;
}
