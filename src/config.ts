// All configuration: one zod schema over the environment, read once at start-up. A wrong value stops
// the process with a message that names the variable. See README "Configuration" and .env.example.
import { createPrivateKey, X509Certificate } from 'node:crypto';
import { accessSync, constants, readFileSync, statSync } from 'node:fs';
import { z } from 'zod';
import type { WorkerTuning } from './temporal/worker-tuning';
import { DEFAULT_POLICY, type PayoutPolicy } from '../workflows/policy';
import { parseCodecKeys, type CodecKey } from './temporal/codec';
import type { SingapayClientConfig } from './providers/singapay/client';
import type { FaspayClientConfig } from './providers/faspay/client';
import { loadPrivateKey, loadPublicKey } from './providers/faspay/signature';
import type { TemporalAccess } from './temporal/connection';
import { apiKeyEntrySchema, apiKeyProblems, type ApiKeyEntry } from './api/api-keys';

/**
 * The most provider HTTP calls one activity attempt can make, each bounded by the provider's HTTP
 * timeout: Singapay's token, the call, a renewed token after the call's 401, the call again (Faspay's
 * worst, a name inquiry and the transfer, is two). An attempt that may outlive ACTIVITY_TIMEOUT_MS
 * would be retried while it still runs: two triggers of one transfer in flight at once.
 */
export const PROVIDER_CALLS_PER_ACTIVITY = 4;
/** Room for what an attempt does besides waiting for HTTP: signing, scheduling, a busy event loop. */
export const ACTIVITY_TIMEOUT_MARGIN_MS = 5_000;

const port = (fallback: number) => z.coerce.number().int().min(0).max(65535).default(fallback);
const millis = (fallback: number) => z.coerce.number().int().positive().default(fallback);
const optionalText = z
  .string()
  .optional()
  .transform((v) => (v === undefined || v.trim() === '' ? undefined : v));
/** true/false (also 1/0, yes/no, on/off); empty counts as unset. */
const optionalFlag = z.preprocess((v) => (v === '' ? undefined : v), z.stringbool({ error: 'must be "true" or "false"' }).optional());

/**
 * A PEM file named by its path, read once at start-up (the parsed value is its content) and checked
 * by `check`, which throws when the content is not what it should be. The error names the variable
 * and the path, never the content.
 */
const pemFile = (what: string, check: (pem: Buffer) => unknown) =>
  optionalText.transform((path, ctx) => {
    if (path === undefined) return undefined;
    let pem: Buffer;
    try {
      pem = readFileSync(path);
    } catch (err) {
      ctx.addIssue({ code: 'custom', message: `cannot read ${path} (${(err as NodeJS.ErrnoException).code ?? 'unreadable'})` });
      return z.NEVER;
    }
    try {
      check(pem);
    } catch {
      ctx.addIssue({ code: 'custom', message: `${path} is not ${what}` });
      return z.NEVER;
    }
    return pem;
  });
const certificateFile = pemFile('a PEM certificate', (pem) => new X509Certificate(pem));
const privateKeyFile = pemFile('a PEM private key', (pem) => createPrivateKey(pem));

export const envSchema = z
  .object({
    NODE_ENV: z.enum(['development', 'test', 'production']).default('development'),

    TEMPORAL_ADDRESS: optionalText,
    TEMPORAL_NAMESPACE: z.string().min(1).default('default'),
    TEMPORAL_TASK_QUEUE: z.string().min(1).default('payouts'),
    /** How long a finished payout stays readable, when prepare-namespace creates the namespace. */
    TEMPORAL_NAMESPACE_RETENTION_DAYS: z.coerce.number().int().min(1).max(3650).default(30),
    TEMPORAL_PORT: port(7233),
    TEMPORAL_UI_PORT: port(8233),
    TEMPORAL_DB_FILE: z.string().min(1).default('.data/temporal.db'),
    TEMPORAL_CLI_PATH: optionalText,
    /** Connection security, with the names Temporal's own CLI and SDKs use for them. */
    TEMPORAL_API_KEY: optionalText,
    TEMPORAL_TLS: optionalFlag,
    TEMPORAL_TLS_CLIENT_CERT_PATH: certificateFile,
    TEMPORAL_TLS_CLIENT_KEY_PATH: privateKeyFile,
    TEMPORAL_TLS_SERVER_CA_CERT_PATH: certificateFile,
    TEMPORAL_TLS_SERVER_NAME: optionalText,
    /** A workflow bundle built ahead (npm run build:workflow-bundle, the Docker image); unset: bundled at start-up. */
    WORKFLOW_BUNDLE_PATH: optionalText.refine((path) => path === undefined || isReadable(path), 'no readable file there'),
    /** Payload encryption keys, `id:base64key[,id:base64key…]`; the first encrypts. Unset: off. */
    PAYLOAD_CODEC_KEYS: optionalText,
    /** The Temporal Web UI's origin, admitted by the codec endpoint's CORS. */
    TEMPORAL_UI_ORIGIN: z.url().default('http://localhost:8233'),
    /** Let that origin use the codec endpoint without an API key; unset: yes outside production, no in it. */
    CODEC_ALLOW_UI_ORIGIN: optionalFlag,
    /**
     * The codec endpoint's own listener (when PAYLOAD_CODEC_KEYS is set): never the public API port,
     * which providers reach for callbacks. Loopback by default: the Web UI's browser calls it.
     */
    CODEC_HOST: z.string().min(1).default('127.0.0.1'),
    CODEC_PORT: port(3100),

    API_HOST: z.string().min(1).default('127.0.0.1'),
    API_PORT: port(3000),
    /** Where providers reach our callback routes; defaults to the API's own address. */
    PUBLIC_BASE_URL: z.url().optional(),
    /** JSON array of { keySha256, principal, roles }. Required in production. */
    API_KEYS: optionalText,
    /** How long approve, reject, cancel and resolve wait for the workflow before answering 503 "may still apply". */
    DECISION_TIMEOUT_MS: z.coerce.number().int().min(100).max(60_000).default(5_000),

    /** The worker's Prometheus endpoint (Temporal SDK metrics and payout outcomes); unset: off. */
    WORKER_METRICS_PORT: z.coerce.number().int().min(1).max(65535).optional(),
    WORKER_METRICS_HOST: z.string().min(1).default('127.0.0.1'),
    /** Worker tuning (README "Running in production", BENCHMARKS.md); unset: the SDK's default. */
    WORKER_MAX_CACHED_WORKFLOWS: z.coerce.number().int().min(0).max(1_000_000).optional(),
    WORKER_MAX_CONCURRENT_WORKFLOW_TASKS: z.coerce.number().int().min(2).max(10_000).optional(),
    WORKER_MAX_CONCURRENT_ACTIVITIES: z.coerce.number().int().min(1).max(10_000).optional(),
    WORKER_MAX_CONCURRENT_LOCAL_ACTIVITIES: z.coerce.number().int().min(1).max(10_000).optional(),
    WORKER_WORKFLOW_TASK_POLLERS: z.coerce.number().int().min(2).max(1_000).optional(),
    WORKER_ACTIVITY_TASK_POLLERS: z.coerce.number().int().min(1).max(1_000).optional(),
    WORKER_REUSE_V8_CONTEXT: optionalFlag,

    SINGAPAY_BASE_URL: z.url().optional(),
    SINGAPAY_CLIENT_ID: optionalText,
    SINGAPAY_CLIENT_SECRET: optionalText,
    SINGAPAY_API_KEY: optionalText,
    SINGAPAY_ACCOUNT_ID: optionalText,
    SINGAPAY_TIMEOUT_MS: millis(10_000),
    SINGAPAY_TIMESTAMP_FORMAT: z.enum(['iso8601', 'unix']).default('iso8601'),
    SINGAPAY_SIMULATOR_PORT: port(4010),

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
    FASPAY_SIMULATOR_PORT: port(4020),

    STATUS_POLL_INITIAL_MS: millis(DEFAULT_POLICY.statusPollInitialMs),
    STATUS_POLL_MAX_MS: millis(DEFAULT_POLICY.statusPollMaxMs),
    STATUS_POLL_BACKOFF: z.coerce.number().min(1).max(10).default(DEFAULT_POLICY.statusPollBackoff),
    STATUS_POLL_BUDGET_MS: millis(DEFAULT_POLICY.statusPollBudgetMs),
    ACTIVITY_RETRY_INITIAL_MS: millis(DEFAULT_POLICY.activityRetryInitialMs),
    ACTIVITY_RETRY_MAX_MS: millis(DEFAULT_POLICY.activityRetryMaxMs),
    ACTIVITY_TIMEOUT_MS: millis(DEFAULT_POLICY.activityTimeoutMs),
    BALANCE_RECHECK_INITIAL_MS: millis(DEFAULT_POLICY.balanceRecheckInitialMs),
    BALANCE_RECHECK_MAX_MS: millis(DEFAULT_POLICY.balanceRecheckMaxMs),
    BALANCE_RECHECK_MAX_ATTEMPTS: z.coerce.number().int().min(1).max(1000).default(DEFAULT_POLICY.balanceRecheckMaxAttempts),
    WORKFLOW_MAX_HISTORY_EVENTS: z.coerce.number().int().min(100).max(40_000).default(DEFAULT_POLICY.maxHistoryEvents),
    /** How long "not found" must last before a trigger refusal that may follow an arrived send is believed. */
    REFUSAL_CONFIRM_MS: millis(DEFAULT_POLICY.refusalConfirmMs as number),
  })
  .superRefine((env, ctx) => {
    const singapay = ['SINGAPAY_BASE_URL', 'SINGAPAY_CLIENT_ID', 'SINGAPAY_CLIENT_SECRET', 'SINGAPAY_API_KEY', 'SINGAPAY_ACCOUNT_ID'] as const;
    const given = singapay.filter((name) => env[name] !== undefined);
    if (given.length > 0 && given.length < singapay.length) {
      for (const name of singapay.filter((n) => env[n] === undefined)) {
        ctx.addIssue({ code: 'custom', path: [name], message: `is required when ${given.join(', ')} is set` });
      }
    }
    for (const name of ['FASPAY_PRIVATE_KEY', 'FASPAY_CALLBACK_PUBLIC_KEY'] as const) {
      if (env[name] !== undefined && env[`${name}_PATH`] !== undefined) {
        ctx.addIssue({ code: 'custom', path: [name], message: `and ${name}_PATH are both set: give the key one way` });
      }
    }
    const faspay = ['FASPAY_BASE_URL', 'FASPAY_PARTNER_ID', 'FASPAY_PRIVATE_KEY', 'FASPAY_SOURCE_ACCOUNT'] as const;
    const isSet = (name: (typeof faspay)[number]) => env[name] !== undefined || (name === 'FASPAY_PRIVATE_KEY' && env.FASPAY_PRIVATE_KEY_PATH !== undefined);
    const givenFaspay = faspay.filter(isSet);
    if (givenFaspay.length > 0 && givenFaspay.length < faspay.length) {
      for (const name of faspay.filter((n) => !isSet(n))) {
        ctx.addIssue({ code: 'custom', path: [name], message: `is required when ${givenFaspay.join(', ')} is set${name === 'FASPAY_PRIVATE_KEY' ? ' (or FASPAY_PRIVATE_KEY_PATH)' : ''}` });
      }
    }
    for (const [name, load] of [
      ['FASPAY_PRIVATE_KEY', loadPrivateKey],
      ['FASPAY_CALLBACK_PUBLIC_KEY', loadPublicKey],
    ] as const) {
      const pem = env[name];
      if (pem === undefined) continue;
      try {
        load(pem);
      } catch {
        // Never echo the key: only say what is wrong with it.
        ctx.addIssue({ code: 'custom', path: [name], message: 'must be an RSA key in PEM form' });
      }
    }
    const cert = env.TEMPORAL_TLS_CLIENT_CERT_PATH !== undefined;
    const key = env.TEMPORAL_TLS_CLIENT_KEY_PATH !== undefined;
    if (cert !== key) {
      const [missing, given] = cert ? ['TEMPORAL_TLS_CLIENT_KEY_PATH', 'TEMPORAL_TLS_CLIENT_CERT_PATH'] : ['TEMPORAL_TLS_CLIENT_CERT_PATH', 'TEMPORAL_TLS_CLIENT_KEY_PATH'];
      ctx.addIssue({ code: 'custom', path: [missing], message: `is required when ${given} is set (mTLS needs both)` });
    }
    if (env.TEMPORAL_TLS === false) {
      const tlsSettings = (['TEMPORAL_TLS_CLIENT_CERT_PATH', 'TEMPORAL_TLS_SERVER_CA_CERT_PATH', 'TEMPORAL_TLS_SERVER_NAME'] as const).filter((name) => env[name] !== undefined);
      if (tlsSettings.length > 0) ctx.addIssue({ code: 'custom', path: ['TEMPORAL_TLS'], message: `is false, but ${tlsSettings.join(', ')} configure TLS` });
    }
    if (env.NODE_ENV === 'production' && env.API_KEYS === undefined) {
      ctx.addIssue({ code: 'custom', path: ['API_KEYS'], message: 'is required in production (the development keys exist only outside it)' });
    }
    if (env.API_KEYS !== undefined) {
      const parsed = safeJson(env.API_KEYS);
      const keys = z.array(apiKeyEntrySchema).min(1).safeParse(parsed);
      if (!keys.success) {
        ctx.addIssue({ code: 'custom', path: ['API_KEYS'], message: `must be a JSON array of { keySha256, principal, roles }: ${keys.error.issues[0]?.message}` });
      } else {
        for (const problem of apiKeyProblems(keys.data)) ctx.addIssue({ code: 'custom', path: ['API_KEYS'], message: problem });
      }
    }
    if (env.PAYLOAD_CODEC_KEYS !== undefined) {
      try {
        parseCodecKeys(env.PAYLOAD_CODEC_KEYS);
      } catch (err) {
        ctx.addIssue({ code: 'custom', path: ['PAYLOAD_CODEC_KEYS'], message: (err as Error).message });
      }
    }
    const activityTimeout = activityTimeoutProblem(env);
    if (activityTimeout) ctx.addIssue({ code: 'custom', path: ['ACTIVITY_TIMEOUT_MS'], message: activityTimeout });
    if (env.CODEC_PORT !== 0 && env.CODEC_PORT === env.API_PORT) {
      ctx.addIssue({ code: 'custom', path: ['CODEC_PORT'], message: `must differ from API_PORT (${env.API_PORT}): the codec endpoint is never served on the public API port` });
    }
    if (env.STATUS_POLL_MAX_MS < env.STATUS_POLL_INITIAL_MS) {
      ctx.addIssue({ code: 'custom', path: ['STATUS_POLL_MAX_MS'], message: 'must not be smaller than STATUS_POLL_INITIAL_MS' });
    }
  });

export type Env = z.infer<typeof envSchema>;
export type { ApiKeyEntry };

/**
 * ACTIVITY_TIMEOUT_MS against the worst case of one activity attempt, for each provider this process
 * is configured with (an unconfigured provider's timeout is used by nobody here).
 */
function activityTimeoutProblem(env: Pick<Env, 'ACTIVITY_TIMEOUT_MS' | 'SINGAPAY_TIMEOUT_MS' | 'FASPAY_TIMEOUT_MS' | 'SINGAPAY_BASE_URL' | 'FASPAY_BASE_URL'>): string | undefined {
  const providers = [
    ...(env.SINGAPAY_BASE_URL !== undefined ? [['SINGAPAY_TIMEOUT_MS', env.SINGAPAY_TIMEOUT_MS] as const] : []),
    ...(env.FASPAY_BASE_URL !== undefined ? [['FASPAY_TIMEOUT_MS', env.FASPAY_TIMEOUT_MS] as const] : []),
  ];
  const short = providers.filter(([, timeoutMs]) => env.ACTIVITY_TIMEOUT_MS < PROVIDER_CALLS_PER_ACTIVITY * timeoutMs + ACTIVITY_TIMEOUT_MARGIN_MS);
  if (short.length === 0) return undefined;
  const needed = Math.max(...short.map(([, timeoutMs]) => PROVIDER_CALLS_PER_ACTIVITY * timeoutMs + ACTIVITY_TIMEOUT_MARGIN_MS));
  return (
    `is ${env.ACTIVITY_TIMEOUT_MS} ms, shorter than one provider call can take: ` +
    short.map(([name, timeoutMs]) => `${PROVIDER_CALLS_PER_ACTIVITY} × ${name} (${timeoutMs} ms)`).join(' and ') +
    ` (token, call, renewed token, call) + ${ACTIVITY_TIMEOUT_MARGIN_MS} ms margin; raise it to at least ${needed} or lower ${short.map(([name]) => name).join(' / ')}`
  );
}

/** What the Singapay client needs, as configured (SINGAPAY_*). */
export type SingapayConfig = Omit<SingapayClientConfig, 'now'>;
/** What the Faspay client needs, as configured (FASPAY_*), and the key its callbacks are signed with. */
export type FaspayConfig = Pick<FaspayClientConfig, 'baseUrl' | 'partnerId' | 'privateKeyPem' | 'sourceAccount' | 'timeoutMs' | 'callbackUrl'>;

export interface Config {
  env: Env;
  production: boolean;
  temporal: {
    address: string | undefined;
    /** TLS and API key for TEMPORAL_ADDRESS (plaintext for the dev server npm start runs). */
    access: TemporalAccess;
    namespace: string;
    taskQueue: string;
    codecKeys: CodecKey[] | undefined;
    uiOrigin: string;
    workflowBundlePath: string | undefined;
    codecAdmitsUiOrigin: boolean;
  };
  api: { host: string; port: number; publicBaseUrl: string | undefined; keys: ApiKeyEntry[] | undefined; decisionTimeoutMs: number };
  /** The codec endpoint's listener, for the Web UI (started by the API only when payloads are encrypted). */
  codec: { host: string; port: number };
  /** Undefined when no Singapay credentials are configured (npm start then runs the simulator). */
  singapay: SingapayConfig | undefined;
  /** Undefined when no Faspay credentials are configured (npm start then runs the simulator). */
  faspay: FaspayConfig | undefined;
  faspayCallbackPublicKey: string | undefined;
  policy: PayoutPolicy;
  worker: WorkerTuning;
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

function isReadable(path: string): boolean {
  try {
    accessSync(path, constants.R_OK);
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

/**
 * TLS is on when TEMPORAL_TLS says so, or when anything that only makes sense with TLS is set (a
 * certificate, a CA, a server name, an API key: Temporal's own rule); TEMPORAL_TLS=false turns it off.
 */
function temporalAccess(env: Env): TemporalAccess {
  const impliesTls =
    env.TEMPORAL_API_KEY !== undefined ||
    env.TEMPORAL_TLS_CLIENT_CERT_PATH !== undefined ||
    env.TEMPORAL_TLS_SERVER_CA_CERT_PATH !== undefined ||
    env.TEMPORAL_TLS_SERVER_NAME !== undefined;
  const tlsOn = env.TEMPORAL_TLS ?? impliesTls;
  return {
    apiKey: env.TEMPORAL_API_KEY,
    tls: tlsOn
      ? {
          ...(env.TEMPORAL_TLS_SERVER_NAME && { serverNameOverride: env.TEMPORAL_TLS_SERVER_NAME }),
          ...(env.TEMPORAL_TLS_SERVER_CA_CERT_PATH && { serverRootCACertificate: env.TEMPORAL_TLS_SERVER_CA_CERT_PATH }),
          ...(env.TEMPORAL_TLS_CLIENT_CERT_PATH &&
            env.TEMPORAL_TLS_CLIENT_KEY_PATH && { clientCertPair: { crt: env.TEMPORAL_TLS_CLIENT_CERT_PATH, key: env.TEMPORAL_TLS_CLIENT_KEY_PATH } }),
        }
      : false,
  };
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

export function loadConfig(source: NodeJS.ProcessEnv = process.env): Config {
  const parsed = envSchema.safeParse(source);
  if (!parsed.success) {
    throw new ConfigError(parsed.error.issues.map((issue) => `${issue.path.join('.') || '(environment)'}: ${issue.message}`));
  }
  const env = parsed.data;
  const faspayPrivateKey = env.FASPAY_PRIVATE_KEY ?? env.FASPAY_PRIVATE_KEY_PATH?.toString('utf8');
  return {
    env,
    production: env.NODE_ENV === 'production',
    temporal: {
      address: env.TEMPORAL_ADDRESS,
      access: temporalAccess(env),
      namespace: env.TEMPORAL_NAMESPACE,
      taskQueue: env.TEMPORAL_TASK_QUEUE,
      codecKeys: env.PAYLOAD_CODEC_KEYS === undefined ? undefined : parseCodecKeys(env.PAYLOAD_CODEC_KEYS),
      uiOrigin: env.TEMPORAL_UI_ORIGIN,
      workflowBundlePath: env.WORKFLOW_BUNDLE_PATH,
      codecAdmitsUiOrigin: env.CODEC_ALLOW_UI_ORIGIN ?? env.NODE_ENV !== 'production',
    },
    api: {
      host: env.API_HOST,
      port: env.API_PORT,
      publicBaseUrl: env.PUBLIC_BASE_URL,
      keys: env.API_KEYS === undefined ? undefined : (JSON.parse(env.API_KEYS) as ApiKeyEntry[]),
      decisionTimeoutMs: env.DECISION_TIMEOUT_MS,
    },
    codec: { host: env.CODEC_HOST, port: env.CODEC_PORT },
    singapay:
      env.SINGAPAY_BASE_URL && env.SINGAPAY_CLIENT_ID && env.SINGAPAY_CLIENT_SECRET && env.SINGAPAY_API_KEY && env.SINGAPAY_ACCOUNT_ID
        ? {
            baseUrl: env.SINGAPAY_BASE_URL,
            clientId: env.SINGAPAY_CLIENT_ID,
            clientSecret: env.SINGAPAY_CLIENT_SECRET,
            apiKey: env.SINGAPAY_API_KEY,
            accountId: env.SINGAPAY_ACCOUNT_ID,
            timeoutMs: env.SINGAPAY_TIMEOUT_MS,
            timestampFormat: env.SINGAPAY_TIMESTAMP_FORMAT,
          } satisfies SingapayConfig
        : undefined,
    faspay:
      env.FASPAY_BASE_URL && env.FASPAY_PARTNER_ID && faspayPrivateKey && env.FASPAY_SOURCE_ACCOUNT
        ? {
            baseUrl: env.FASPAY_BASE_URL,
            partnerId: env.FASPAY_PARTNER_ID,
            privateKeyPem: faspayPrivateKey,
            sourceAccount: env.FASPAY_SOURCE_ACCOUNT,
            timeoutMs: env.FASPAY_TIMEOUT_MS,
            callbackUrl: `${(env.PUBLIC_BASE_URL ?? `http://${env.API_HOST}:${env.API_PORT}`).replace(/\/+$/, '')}/v1/callbacks/faspay`,
          }
        : undefined,
    faspayCallbackPublicKey: env.FASPAY_CALLBACK_PUBLIC_KEY ?? env.FASPAY_CALLBACK_PUBLIC_KEY_PATH?.toString('utf8'),
    worker: {
      maxCachedWorkflows: env.WORKER_MAX_CACHED_WORKFLOWS,
      maxConcurrentWorkflowTaskExecutions: env.WORKER_MAX_CONCURRENT_WORKFLOW_TASKS,
      maxConcurrentActivityTaskExecutions: env.WORKER_MAX_CONCURRENT_ACTIVITIES,
      maxConcurrentLocalActivityExecutions: env.WORKER_MAX_CONCURRENT_LOCAL_ACTIVITIES,
      workflowTaskPollers: env.WORKER_WORKFLOW_TASK_POLLERS,
      activityTaskPollers: env.WORKER_ACTIVITY_TASK_POLLERS,
      reuseV8Context: env.WORKER_REUSE_V8_CONTEXT,
    },
    policy: {
      ...DEFAULT_POLICY,
      statusPollInitialMs: env.STATUS_POLL_INITIAL_MS,
      statusPollMaxMs: env.STATUS_POLL_MAX_MS,
      statusPollBackoff: env.STATUS_POLL_BACKOFF,
      statusPollBudgetMs: env.STATUS_POLL_BUDGET_MS,
      activityRetryInitialMs: env.ACTIVITY_RETRY_INITIAL_MS,
      activityRetryMaxMs: env.ACTIVITY_RETRY_MAX_MS,
      activityTimeoutMs: env.ACTIVITY_TIMEOUT_MS,
      balanceRecheckInitialMs: env.BALANCE_RECHECK_INITIAL_MS,
      balanceRecheckMaxMs: env.BALANCE_RECHECK_MAX_MS,
      balanceRecheckMaxAttempts: env.BALANCE_RECHECK_MAX_ATTEMPTS,
      maxHistoryEvents: env.WORKFLOW_MAX_HISTORY_EVENTS,
      refusalConfirmMs: env.REFUSAL_CONFIRM_MS,
    },
  };
}

/** For entry points: load, or print the problems (no stack trace) and exit. */
export function loadConfigOrExit(source: NodeJS.ProcessEnv = process.env): Config {
  try {
    return loadConfig(source);
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(err.message);
      process.exit(1);
    }
    throw err;
  }
}
