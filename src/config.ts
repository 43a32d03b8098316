// All configuration: one zod schema over the environment, read once at start-up. A wrong value stops
// the process with a message that names the variable. See README "Configuration" and .env.example.
import { createPrivateKey, X509Certificate } from 'node:crypto';
import { accessSync, constants, statSync } from 'node:fs';
import { z } from 'zod';
import type { WorkerTuning } from './temporal/worker-tuning';
import { DEFAULT_POLICY, type PayoutPolicy } from '../workflows/policy';
import { parseCodecKeys, type CodecKey } from './temporal/codec';
import { routingProblems } from './domain/routing';
import { parseApprovalPolicy, type ConfiguredPolicy } from './approvals/policy-config';
import { deriveScopeKey } from './approvals/scope-id';
import { millis, optionalFlag, optionalText, pemFile, port } from './providers/env-fields';
import type { ConfiguredProvider, ParsedEnv, ProviderModule, ProviderRateLimit, RegisteredProvider } from './providers/module';
import { PROVIDER_MODULES } from './registry';
import type { TemporalAccess } from './temporal/connection';
import { apiKeyEntrySchema, apiKeyProblems, type ApiKeyEntry } from './api/api-keys';
import { DEFAULT_DELIVERY_POLICY } from './domain/webhooks';
import { developmentMasterKey, MASTER_KEY_VARIABLE, parseMasterKey } from './webhooks/secrets';
import { DEFAULT_SECRET_OVERLAP_MS, type WebhookSettings } from './webhooks/settings';
import { normalizeReconciliationSchedule, reconciliationScheduleProblem } from './temporal/reconciliation-schedule';

/** Room for what an attempt does besides waiting for HTTP: signing, scheduling, a busy event loop. */
export const ACTIVITY_TIMEOUT_MARGIN_MS = 5_000;

const certificateFile = pemFile('a PEM certificate', (pem) => new X509Certificate(pem));
const privateKeyFile = pemFile('a PEM private key', (pem) => createPrivateKey(pem));

/** The service's own variables; each provider module adds its own (ProviderModule.env). */
const serviceEnv = {
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
  /**
   * How long a task for a workflow cached on one worker waits for that worker before any worker may
   * take it. The SDK's 10 s would hold a decision for a payout cached on a worker that was killed past
   * the API's DECISION_TIMEOUT_MS (5 s), so the decision would answer 503; 3 s lets another worker
   * take over first (test:production kills a worker during triggers and measures it).
   */
  WORKER_STICKY_QUEUE_TIMEOUT_MS: z.coerce.number().int().min(1_000).max(60_000).default(3_000),

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

  /** Webhooks (README "Webhooks"): the master key every endpoint secret is derived from (base64, ≥ 32 bytes). Required in production. */
  WEBHOOK_SECRET_KEY: optionalText,
  /** The approval policy: JSON or a JSON file's path (src/approvals/policy-config.ts); unset: one approval, no limits. */
  APPROVAL_POLICY: optionalText,
  /** Deliver to loopback, private and link-local addresses; unset: only outside production. Production always requires https. */
  WEBHOOK_ALLOW_PRIVATE_URLS: optionalFlag,
  WEBHOOK_RETRY_INITIAL_MS: millis(DEFAULT_DELIVERY_POLICY.initialIntervalMs),
  WEBHOOK_RETRY_MAX_MS: millis(DEFAULT_DELIVERY_POLICY.maxIntervalMs),
  /** How long an event is retried before it is marked failed (it can still be redelivered by hand). */
  WEBHOOK_RETRY_WINDOW_MS: millis(DEFAULT_DELIVERY_POLICY.retryWindowMs),
  WEBHOOK_ATTEMPT_TIMEOUT_MS: z.coerce.number().int().min(100).max(60_000).default(DEFAULT_DELIVERY_POLICY.attemptTimeoutMs),
  /** After a rotation, how long deliveries also carry a signature under the old secret. */
  WEBHOOK_SECRET_OVERLAP_MS: millis(DEFAULT_SECRET_OVERLAP_MS),

  /**
   * The daily reconciliation's Temporal Schedule (src/temporal/reconciliation-schedule.ts): `off`, or a
   * five-field cron expression read in Asia/Jakarta; unset or empty: `0 2 * * *`. prepare-namespace
   * and npm start create, update or delete the Schedule to match. The value is `off` or the expression.
   */
  RECONCILIATION_SCHEDULE: z
    .string()
    .optional()
    .transform((value, ctx) => {
      const problem = value === undefined || value.trim() === '' ? undefined : reconciliationScheduleProblem(value);
      if (problem) {
        ctx.addIssue({ code: 'custom', message: problem });
        return z.NEVER;
      }
      return normalizeReconciliationSchedule(value);
    }),
};

/** The whole configuration schema: the service's variables and those of every provider module. */
export function envSchemaFor(modules: readonly ProviderModule[]) {
  const providerEnv = Object.assign({}, ...modules.map((module) => module.env)) as z.ZodRawShape;
  return z.object({ ...providerEnv, ...serviceEnv }).superRefine((env, ctx) => {
    for (const module of modules) {
      for (const problem of module.check(env)) ctx.addIssue({ code: 'custom', path: [problem.variable], message: problem.message });
    }
    for (const problem of routingProblems(modules)) ctx.addIssue({ code: 'custom', path: ['(providers)'], message: problem });
    for (const problem of sharedVariables(modules)) ctx.addIssue({ code: 'custom', path: ['(providers)'], message: problem });
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
    const activityTimeout = activityTimeoutProblem(env.ACTIVITY_TIMEOUT_MS, modules, env);
    if (activityTimeout) ctx.addIssue({ code: 'custom', path: ['ACTIVITY_TIMEOUT_MS'], message: activityTimeout });
    if (env.CODEC_PORT !== 0 && env.CODEC_PORT === env.API_PORT) {
      ctx.addIssue({ code: 'custom', path: ['CODEC_PORT'], message: `must differ from API_PORT (${env.API_PORT}): the codec endpoint is never served on the public API port` });
    }
    if (env.WEBHOOK_SECRET_KEY !== undefined) {
      try {
        parseMasterKey(env.WEBHOOK_SECRET_KEY);
      } catch (err) {
        ctx.addIssue({ code: 'custom', path: [MASTER_KEY_VARIABLE], message: (err as Error).message.replace(`${MASTER_KEY_VARIABLE} `, '') });
      }
    } else if (env.NODE_ENV === 'production') {
      ctx.addIssue({ code: 'custom', path: [MASTER_KEY_VARIABLE], message: 'is required in production (webhook secrets are derived from it; `openssl rand -base64 32`)' });
    }
    const approvalPolicy = parseApprovalPolicy(env.APPROVAL_POLICY);
    if ('problems' in approvalPolicy) for (const problem of approvalPolicy.problems) ctx.addIssue({ code: 'custom', path: [problem.field], message: problem.message });
    if (env.WEBHOOK_RETRY_MAX_MS < env.WEBHOOK_RETRY_INITIAL_MS) {
      ctx.addIssue({ code: 'custom', path: ['WEBHOOK_RETRY_MAX_MS'], message: 'must not be smaller than WEBHOOK_RETRY_INITIAL_MS' });
    }
    if (env.STATUS_POLL_MAX_MS < env.STATUS_POLL_INITIAL_MS) {
      ctx.addIssue({ code: 'custom', path: ['STATUS_POLL_MAX_MS'], message: 'must not be smaller than STATUS_POLL_INITIAL_MS' });
    }
  });
}

/** A variable two provider modules (or a module and the service) both claim would be read by both. */
function sharedVariables(modules: readonly ProviderModule[]): string[] {
  const owners = new Map<string, string>(Object.keys(serviceEnv).map((name) => [name, 'the service']));
  const problems: string[] = [];
  for (const module of modules) {
    for (const name of Object.keys(module.env)) {
      const owner = owners.get(name);
      if (owner) problems.push(`${name} is claimed by both ${owner} and ${module.key}`);
      owners.set(name, module.key);
    }
  }
  return problems;
}

/** The configuration schema with the registry's providers. */
export const envSchema = envSchemaFor(PROVIDER_MODULES);

/** The parsed environment: the service's variables typed, each provider's variables read by its module. */
export type Env = z.infer<z.ZodObject<typeof serviceEnv>> & ParsedEnv;
export type { ApiKeyEntry };

/**
 * ACTIVITY_TIMEOUT_MS against the worst case of one activity attempt, for each provider this process
 * is configured with (an unconfigured provider's timeout is used by nobody here).
 */
function activityTimeoutProblem(activityTimeoutMs: number, modules: readonly ProviderModule[], env: ParsedEnv): string | undefined {
  const budgets = modules
    .filter((module) => module.settings(env, { callbackUrl: '' }) !== undefined)
    .map((module) => module.attemptBudget(env))
    .filter((budget) => activityTimeoutMs < budget.ms + ACTIVITY_TIMEOUT_MARGIN_MS);
  if (budgets.length === 0) return undefined;
  const needed = Math.max(...budgets.map((budget) => budget.ms + ACTIVITY_TIMEOUT_MARGIN_MS));
  return (
    `is ${activityTimeoutMs} ms, shorter than one provider call can take: ` +
    budgets.map((budget) => budget.explanation).join(' and ') +
    ` + ${ACTIVITY_TIMEOUT_MARGIN_MS} ms margin; raise it to at least ${needed} or lower ${budgets.map((budget) => budget.variable).join(' / ')}`
  );
}

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
  /** Every provider the list knows (the API accepts their names), with its simulator. */
  providerModules: readonly RegisteredProvider[];
  /** Those the environment configures, with their settings (npm start runs a simulator for each other one). */
  providers: ConfiguredProvider[];
  /**
   * Each provider's most calls per second (`<KEY>_MAX_CALLS_PER_SECOND`), by key, for every provider the
   * list knows: the Temporal server holds its task queue to it (src/temporal/rate-limits.ts).
   */
  rateLimits: Record<string, ProviderRateLimit>;
  policy: PayoutPolicy;
  /** The approval policy new payouts are created under, and the key of spending scopes' ids. */
  approvals: ConfiguredPolicy & { scopeKey: Buffer };
  worker: WorkerTuning;
  webhooks: WebhookSettings;
  /** RECONCILIATION_SCHEDULE: `off`, or the cron expression (Asia/Jakarta) of the daily run's Schedule. */
  reconciliation: { schedule: string };
}
export type { WebhookSettings };


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

/** Where a provider's callbacks reach this API. */
export function callbackUrlFor(env: Pick<Env, 'PUBLIC_BASE_URL' | 'API_HOST' | 'API_PORT'>, providerKey: string): string {
  return `${(env.PUBLIC_BASE_URL ?? `http://${env.API_HOST}:${env.API_PORT}`).replace(/\/+$/, '')}/v1/callbacks/${providerKey}`;
}

export function loadConfig(source: NodeJS.ProcessEnv = process.env, modules: readonly RegisteredProvider[] = PROVIDER_MODULES): Config {
  const parsed = envSchemaFor(modules).safeParse(source);
  if (!parsed.success) {
    throw new ConfigError(parsed.error.issues.map((issue) => `${issue.path.join('.') || '(environment)'}: ${issue.message}`));
  }
  const env = parsed.data as Env;
  const providers = modules.flatMap((module): ConfiguredProvider[] => {
    const settings = module.settings(env, { callbackUrl: callbackUrlFor(env, module.key) });
    return settings === undefined ? [] : [{ module, settings }];
  });
  const masterKey = env.WEBHOOK_SECRET_KEY === undefined ? developmentMasterKey() : parseMasterKey(env.WEBHOOK_SECRET_KEY);
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
    providerModules: modules,
    providers,
    rateLimits: Object.fromEntries(modules.map((module) => [module.key, module.rateLimit(env)])),
    worker: {
      maxCachedWorkflows: env.WORKER_MAX_CACHED_WORKFLOWS,
      maxConcurrentWorkflowTaskExecutions: env.WORKER_MAX_CONCURRENT_WORKFLOW_TASKS,
      maxConcurrentActivityTaskExecutions: env.WORKER_MAX_CONCURRENT_ACTIVITIES,
      maxConcurrentLocalActivityExecutions: env.WORKER_MAX_CONCURRENT_LOCAL_ACTIVITIES,
      workflowTaskPollers: env.WORKER_WORKFLOW_TASK_POLLERS,
      activityTaskPollers: env.WORKER_ACTIVITY_TASK_POLLERS,
      reuseV8Context: env.WORKER_REUSE_V8_CONTEXT,
      stickyQueueTimeoutMs: env.WORKER_STICKY_QUEUE_TIMEOUT_MS,
    },
    reconciliation: { schedule: env.RECONCILIATION_SCHEDULE },
    approvals: { ...(parseApprovalPolicy(env.APPROVAL_POLICY) as ConfiguredPolicy), scopeKey: deriveScopeKey(masterKey) },
    webhooks: {
      masterKey,
      developmentKey: env.WEBHOOK_SECRET_KEY === undefined,
      urlPolicy: { production: env.NODE_ENV === 'production', allowPrivate: env.WEBHOOK_ALLOW_PRIVATE_URLS ?? env.NODE_ENV !== 'production' },
      delivery: {
        ...DEFAULT_DELIVERY_POLICY,
        initialIntervalMs: env.WEBHOOK_RETRY_INITIAL_MS,
        maxIntervalMs: env.WEBHOOK_RETRY_MAX_MS,
        retryWindowMs: env.WEBHOOK_RETRY_WINDOW_MS,
        attemptTimeoutMs: env.WEBHOOK_ATTEMPT_TIMEOUT_MS,
      },
      secretOverlapMs: env.WEBHOOK_SECRET_OVERLAP_MS,
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
