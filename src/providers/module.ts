// What a provider folder exports: one ProviderModule. Everything the service knows about a provider
// comes through it (its configuration, capabilities, client, callbacks, assumptions and go-live
// check); its simulator (src/simulators/<key>/launch.ts) joins it in the provider list, src/registry.ts,
// so that adding a provider is its folder, its simulator and one line there. Imports only downwards
// (src/domain); nothing here reads configuration, activities or simulators.
import type { z } from 'zod';
import type {
  AssumptionVerdict,
  CallbackHandler,
  PayoutProvider,
  ProviderAssumption,
  ProviderCapabilities,
} from '../domain/provider-port';

/** The environment after the configuration schema parsed it (each module reads its own variables). */
export type ParsedEnv = Readonly<Record<string, unknown>>;

/** What every provider's settings are derived with, besides its own variables. */
export interface SharedSettings {
  /** Where this provider's callbacks reach our API: `<public base>/v1/callbacks/<key>`. */
  callbackUrl: string;
}

/** A configuration problem, naming the variable it is about. */
export interface ConfigProblem {
  variable: string;
  message: string;
}

export interface GoLiveOptions {
  /** Also send one minimum-amount transfer (settles the assumptions only a transfer can). */
  transfer: boolean;
}

export interface RunningSimulator {
  url: string;
  /** This provider's variables pointing at the simulator (base URL, the credentials it made). */
  env: Record<string, string>;
  /** Its control API, e.g. the ledger at `<controlUrl>/__sim/transactions`. */
  controlUrl: string;
  close(): Promise<void>;
}

export interface SimulatorOptions {
  /** The parsed environment (the module reads its own simulator port from it), */
  env: ParsedEnv;
  /** or this port instead (0: any free one). */
  port?: number;
  host: string;
  /** Where the simulated provider sends its callbacks (providers that take it per request ignore it). */
  callbackUrl: string;
}

export interface ProviderModule<Settings = unknown> {
  /** The name in URLs, payouts and search attributes: lower case, e.g. `singapay`. */
  readonly key: string;
  /** The name people read: `Singapay`. */
  readonly name: string;
  readonly capabilities: ProviderCapabilities;
  /** Its environment variables (zod, merged into the service's configuration schema). */
  readonly env: z.ZodRawShape;
  /** Problems between its variables (one set without the others, two forms of one key). */
  check(env: ParsedEnv): ConfigProblem[];
  /** Its settings, or undefined when the environment does not configure it (npm start then runs its simulator). */
  settings(env: ParsedEnv, shared: SharedSettings): Settings | undefined;
  /**
   * The longest one activity attempt can take against it (every HTTP call the attempt may make, each
   * bounded by the provider's timeout), and the variable that sets that timeout; ACTIVITY_TIMEOUT_MS
   * must be longer, or an attempt would be retried while it still runs.
   */
  attemptBudget(env: ParsedEnv): { ms: number; explanation: string; variable: string };
  /**
   * The most calls per second the provider may see from this service, all workers together, and the
   * variable that sets it (`<KEY>_MAX_CALLS_PER_SECOND`, declared in `env` with `callsPerSecond`):
   * the Temporal server holds the provider's task queue to it (src/temporal/rate-limits.ts).
   */
  rateLimit(env: ParsedEnv): ProviderRateLimit;
  createProvider(settings: Settings): PayoutProvider;
  /** Verifies its callbacks (undefined when the settings hold no key to verify them with: all refused). */
  callbacks(settings: Settings): CallbackHandler | undefined;
  /** Every point its public pages do not settle, and the guess we make (docs/providers/<key>.md). */
  readonly assumptions: readonly ProviderAssumption[];
  /** The go-live check against a sandbox: one verdict per assumption. */
  checkAssumptions(settings: Settings, options: GoLiveOptions): Promise<AssumptionVerdict[]>;
}

/** A provider's call rate limit, as its module reads it from the environment. */
export interface ProviderRateLimit {
  callsPerSecond: number;
  /** `<KEY>_MAX_CALLS_PER_SECOND`, for messages. */
  variable: string;
  /**
   * The most HTTP calls one activity makes in the normal course (an access-token renewal aside): the
   * server counts activities, the provider counts calls (Faspay's transfer is a name inquiry and the
   * transfer: 2).
   */
  callsPerActivity: number;
}

/** Starts a provider's simulator (src/simulators/<key>/launch.ts). */
export type SimulatorLauncher = (options: SimulatorOptions) => Promise<RunningSimulator>;

/** A provider as the provider list holds it: its module, and how to start its simulator. */
export interface RegisteredProvider<Settings = unknown> extends ProviderModule<Settings> {
  /** Loaded on demand (a dynamic import in src/registry.ts): production processes never load a simulator. */
  startSimulator: SimulatorLauncher;
}

/** A module the environment configures, with its settings. */
export interface ConfiguredProvider<Settings = unknown> {
  module: ProviderModule<Settings>;
  settings: Settings;
}
