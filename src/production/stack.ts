// `npm run stack:production` without Docker: the topology of docker-compose.yml on this machine.
// PostgreSQL (Debian's package, the compose file's major version) → the compose file's schema script
// → the Temporal server built at the compose file's version, configured from its own template with the
// compose file's environment and the dynamic config the compose file mounts → prepare-namespace → both
// simulators → the workers (the compose file's replicas, from a prebuilt workflow bundle) → two API
// instances. Every Node service runs its compose command with its compose environment; only what
// Docker's network and volumes provide is localized: service names become loopback addresses, the
// simulators' shared volume a folder under the data folder, and each instance gets its own port.
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Role } from '../api/auth';
import { freePort, portIsFree } from '../ports';
import { writeWorkflowBundle } from '../temporal/workflow-bundle';
import { interpolate, readCompose, ROOT, type ComposeFacts } from './compose';
import { preparePostgres, type Postgres } from './postgres';
import { startService, type ServiceProcess } from './processes';
import { loadOrCreateSecrets, secretVariables } from './secrets';
import { ensureTemporalServerBuild, portVariables, setupSchema, temporalServer, type TemporalPorts, type TemporalServer } from './temporal-server';

export interface ProductionPorts {
  postgres: number;
  temporal: TemporalPorts;
  /** One per API instance, and its codec listener. */
  apis: number[];
  codecs: number[];
  singapay: number;
  faspay: number;
  /** The first worker's metrics port; later workers take the next free ones. */
  workerMetrics: number;
}

/** Fixed ports for `npm run stack:production`, away from `npm start`'s (7233, 8233, 3000, 3100, 4010, 4020). */
export const DEFAULT_PORTS: ProductionPorts = {
  postgres: 15432,
  temporal: { frontend: 17233, frontendHttp: 17243, frontendMembership: 16933, history: 17234, historyMembership: 16934, matching: 17235, matchingMembership: 16935, worker: 17239, workerMembership: 16939 },
  apis: [13000, 13001],
  codecs: [13100, 13101],
  singapay: 14010,
  faspay: 14020,
  workerMetrics: 19464,
};

/** Ports free now (for tests, which may run beside a stack on the defaults). */
export async function freePorts(apis = 2): Promise<ProductionPorts> {
  // freePort gives ports below 32768, which the server's PostgreSQL membership table needs.
  const next = freePort;
  const temporal: TemporalPorts = { frontend: await next(), frontendHttp: await next(), frontendMembership: await next(), history: await next(), historyMembership: await next(), matching: await next(), matchingMembership: await next(), worker: await next(), workerMembership: await next() };
  const many = async (n: number) => {
    const ports: number[] = [];
    for (let i = 0; i < n; i += 1) ports.push(await next());
    return ports;
  };
  return { postgres: await next(), temporal, apis: await many(apis), codecs: await many(apis), singapay: await next(), faspay: await next(), workerMetrics: await next() };
}

export interface ProductionStackOptions {
  /** Everything the stack writes: the cluster, the server's config, secrets, the bundle, logs. */
  dataDir: string;
  ports: ProductionPorts;
  /** API instances (default 2). */
  apis?: number;
  /** Workers at start (default: the compose file's replicas). */
  workers?: number;
  /** Who each role's generated key stands for. */
  principals?: Record<Role, string>;
  /** Set on the workers and APIs after the compose environment (a test's short timings). */
  extraEnv?: Record<string, string>;
  /**
   * What `.env` holds besides the generated secrets: interpolated into every service's compose
   * environment, as Docker Compose would (test:production sets RECONCILIATION_SCHEDULE=off).
   */
  dotEnv?: Record<string, string>;
  log: (line: string) => void;
}

export interface ProductionStack {
  dataDir: string;
  temporalAddress: string;
  apiUrls: string[];
  codecUrls: string[];
  simulatorUrls: { singapay: string; faspay: string };
  /** The generated API key of each role, and who it stands for. */
  keys: Record<Role, string>;
  principals: Record<Role, string>;
  compose: ComposeFacts;
  workers(): ServiceProcess[];
  pids(): Record<string, number | undefined>;
  startWorker(): Promise<void>;
  /** kill -9 the oldest worker. */
  killWorker(): Promise<void>;
  /** Stops (SIGTERM, drains) or starts workers until `to` run. */
  scaleWorkers(to: number): Promise<void>;
  /** Stops the Temporal server (SIGTERM or SIGKILL) and starts it again; resolves once it answers. */
  restartTemporal(how: 'SIGTERM' | 'SIGKILL'): Promise<void>;
  /** Stops PostgreSQL (`pg_ctl -m fast|immediate`) and starts it again; resolves once it accepts connections. */
  restartPostgres(mode: 'fast' | 'immediate'): Promise<void>;
  /** Where everything is, for a person. */
  describe(): string;
  stop(): Promise<void>;
}

/** What Docker's network and volumes provide, here. */
export interface Localization {
  temporalAddress: string;
  singapayUrl: string;
  faspayUrl: string;
  /** The API the providers' callbacks go to (the first instance). */
  apiUrl: string;
  /** The simulators' shared volume. */
  faspayDir: string;
  /** The image's prebuilt workflow bundle. */
  bundlePath: string;
}

/**
 * A service's environment: its compose environment interpolated with `dotEnv` (the part `.env` plays),
 * with the names Docker's network and volumes resolve replaced by what they are here, under the
 * image's environment (Dockerfile ENV) and this machine's PATH and HOME; then `own` (the instance's port).
 */
export function serviceEnvironment(compose: ComposeFacts, service: string, dotEnv: Record<string, string>, where: Localization, own: Record<string, string> = {}): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [name, raw] of Object.entries(compose.service(service).environment)) {
    env[name] = interpolate(raw, dotEnv)
      .replaceAll('temporal:7233', where.temporalAddress)
      .replaceAll('http://singapay-simulator:4010', where.singapayUrl)
      .replaceAll('http://faspay-simulator:4020', where.faspayUrl)
      .replaceAll('http://api:3000', where.apiUrl)
      .replaceAll('/app/.data/faspay-simulator', where.faspayDir)
      // Containers listen on every interface of their own network; here, loopback only.
      .replace(/^0\.0\.0\.0$/, '127.0.0.1');
  }
  return { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', NODE_ENV: 'production', WORKFLOW_BUNDLE_PATH: where.bundlePath, ...env, ...own };
}

/** The schema job's and the server's environment: the database is on loopback at our port (the compose network calls it `postgresql:5432`). */
export function databaseEnvironment(compose: ComposeFacts, service: 'temporal' | 'temporal-schema', dotEnv: Record<string, string>, where: Localization, postgresPort: number): Record<string, string> {
  return { ...serviceEnvironment(compose, service, dotEnv, where), POSTGRES_SEEDS: '127.0.0.1', DB_PORT: String(postgresPort) };
}

/** The server's: it binds loopback on our ports, and reads the dynamic config the compose file mounts from where it is in the repository. */
export function temporalServerEnvironment(compose: ComposeFacts, dotEnv: Record<string, string>, where: Localization, ports: ProductionPorts): Record<string, string> {
  return {
    ...databaseEnvironment(compose, 'temporal', dotEnv, where, ports.postgres),
    BIND_ON_IP: '127.0.0.1',
    DYNAMIC_CONFIG_FILE_PATH: join(ROOT, compose.dynamicConfigFile),
    ...portVariables(ports.temporal),
  };
}

export const DEFAULT_PRINCIPALS: Record<Role, string> = { requester: 'requester@local', approver: 'approver@local', admin: 'admin@local' };

export async function startProductionStack(options: ProductionStackOptions): Promise<ProductionStack> {
  const { log, ports, dataDir } = options;
  const compose = readCompose();
  const principals = options.principals ?? DEFAULT_PRINCIPALS;
  const apiCount = options.apis ?? 2;
  const logDir = join(dataDir, 'logs');
  mkdirSync(logDir, { recursive: true });
  const secrets = loadOrCreateSecrets(join(dataDir, 'secrets.json'));
  const dotEnv = { ...secretVariables(secrets, principals), ...options.dotEnv };

  const temporalAddress = `127.0.0.1:${ports.temporal.frontend}`;
  const apiUrls = ports.apis.slice(0, apiCount).map((port) => `http://127.0.0.1:${port}`);
  const simulatorUrls = { singapay: `http://127.0.0.1:${ports.singapay}`, faspay: `http://127.0.0.1:${ports.faspay}` };
  const faspayDir = join(dataDir, 'faspay-simulator');
  const bundlePath = join(dataDir, 'workflow-bundle.js');

  const where: Localization = { temporalAddress, singapayUrl: simulatorUrls.singapay, faspayUrl: simulatorUrls.faspay, apiUrl: apiUrls[0]!, faspayDir, bundlePath };
  const composeEnv = (service: string, own: Record<string, string>) => serviceEnvironment(compose, service, dotEnv, where, own);

  const stops: (() => Promise<void>)[] = [];
  const stopAll = async () => {
    for (const stop of stops.reverse()) await stop().catch((err: Error) => log(`while stopping: ${err.message}`));
    stops.length = 0;
  };
  try {
    // PostgreSQL, with the compose file's user and password.
    const db = compose.service('postgresql').environment;
    const postgres: Postgres = await preparePostgres({
      major: compose.postgresMajor,
      dir: join(dataDir, 'postgres'),
      port: ports.postgres,
      user: interpolate(db.POSTGRES_USER!, dotEnv),
      password: interpolate(db.POSTGRES_PASSWORD!, dotEnv),
      log,
    });
    await postgres.start();
    stops.push(() => postgres.stop('fast'));
    log(`PostgreSQL ${compose.postgresMajor} on 127.0.0.1:${ports.postgres} (cluster in ${postgres.dir})`);

    // The Temporal server: built once per machine, schemas by the compose file's script.
    const build = await ensureTemporalServerBuild(compose.temporalServerVersion, (line) => log(`[temporal-server] ${line}`));
    setupSchema(build, compose.schemaScript, databaseEnvironment(compose, 'temporal-schema', dotEnv, where, ports.postgres));
    const serverEnv = temporalServerEnvironment(compose, dotEnv, where, ports);
    const server: TemporalServer = temporalServer(build, { dir: join(dataDir, 'temporal'), env: serverEnv, frontendPort: ports.temporal.frontend, log });
    await server.start();
    stops.push(() => server.stop('SIGTERM'));
    log(`Temporal server ${compose.temporalServerVersion} on ${temporalAddress} (PostgreSQL-backed; log ${join(dataDir, 'temporal', 'temporal-server.log')})`);

    log('building the workflow bundle…');
    await writeWorkflowBundle(bundlePath);

    const prepare = startService('prepare-namespace', compose.service('prepare-namespace').command, composeEnv('prepare-namespace', {}), logDir);
    if ((await prepare.exited) !== 0) throw new Error(`prepare-namespace failed; see ${prepare.logFile}`);

    mkdirSync(faspayDir, { recursive: true });
    const singapay = startService('singapay-simulator', compose.service('singapay-simulator').command, composeEnv('singapay-simulator', { SINGAPAY_SIMULATOR_PORT: String(ports.singapay) }), logDir);
    stops.push(() => singapay.stop());
    const faspay = startService('faspay-simulator', compose.service('faspay-simulator').command, composeEnv('faspay-simulator', { FASPAY_SIMULATOR_PORT: String(ports.faspay) }), logDir);
    stops.push(() => faspay.stop());
    await Promise.all([singapay.ready(/singapaySimulator/), faspay.ready(/faspaySimulator/)]);
    if (!existsSync(join(faspayDir, 'simulator-public-key.pem'))) throw new Error(`the Faspay simulator wrote no keys into ${faspayDir}`);

    // Workers, oldest first; each its own metrics port.
    const workers: ServiceProcess[] = [];
    let started = 0;
    const metricsPort = async () => {
      const used = new Set(workers.map((w) => Number(w.name.split('@')[1])));
      for (let port = ports.workerMetrics; ; port += 1) if (!used.has(port) && (await portIsFree(port))) return port;
    };
    const startWorker = async () => {
      started += 1;
      const port = await metricsPort();
      const worker = startService(`worker-${started}@${port}`, compose.service('worker').command, composeEnv('worker', { WORKER_METRICS_PORT: String(port), ...options.extraEnv }), logDir);
      workers.push(worker);
      await worker.ready(/polling task queue/);
    };
    stops.push(async () => {
      await Promise.all(workers.map((w) => w.stop(60_000)));
    });
    for (let i = 0; i < (options.workers ?? compose.workerReplicas); i += 1) await startWorker();

    const apis = apiUrls.map((_, i) =>
      startService(`api-${i + 1}`, compose.service('api').command, composeEnv('api', { API_PORT: String(ports.apis[i]), CODEC_PORT: String(ports.codecs[i]), ...options.extraEnv }), logDir),
    );
    stops.push(async () => {
      await Promise.all(apis.map((a) => a.stop(15_000)));
    });
    await Promise.all(apis.map((a) => a.ready(/listening on/)));

    writeFileSync(
      join(dataDir, 'api.env'),
      [`API=${apiUrls[0]}`, `REQ='Authorization: Bearer ${secrets.keys.requester}'`, `APR='Authorization: Bearer ${secrets.keys.approver}'`, `ADM='Authorization: Bearer ${secrets.keys.admin}'`, "JSON='Content-Type: application/json'", ''].join('\n'),
      { mode: 0o600 },
    );

    const stack: ProductionStack = {
      dataDir,
      temporalAddress,
      apiUrls,
      codecUrls: ports.codecs.slice(0, apiCount).map((port) => `http://127.0.0.1:${port}/codec`),
      simulatorUrls,
      keys: secrets.keys,
      principals,
      compose,
      workers: () => [...workers],
      pids: () => ({
        postgres: postgres.pid(),
        temporal: server.pid(),
        ...Object.fromEntries(workers.map((w) => [w.name.split('@')[0]!, w.child.pid])),
        ...Object.fromEntries(apis.map((a) => [a.name, a.child.pid])),
      }),
      startWorker,
      killWorker: async () => {
        const oldest = workers.shift();
        if (oldest) await oldest.kill();
      },
      scaleWorkers: async (to) => {
        while (workers.length > to) await workers.shift()!.stop(60_000);
        while (workers.length < to) await startWorker();
      },
      restartTemporal: async (how) => {
        await server.stop(how);
        await server.start();
      },
      restartPostgres: async (mode) => {
        await postgres.stop(mode);
        await postgres.start();
      },
      describe: () =>
        [
          `PostgreSQL ${compose.postgresMajor}     127.0.0.1:${ports.postgres} (user temporal; cluster ${postgres.dir}; pid ${postgres.pid()})`,
          `Temporal server   ${temporalAddress} (${compose.temporalServerVersion}, on PostgreSQL; pid ${server.pid()}; no Web UI here: \`temporal workflow list --address ${temporalAddress}\`)`,
          ...apiUrls.map((url, i) => `API ${i + 1}             ${url} (codec ${stack.codecUrls[i]})`),
          `workers           ${workers.map((w) => w.name).join(', ')} (metrics on the port after @)`,
          `simulators        Singapay ${simulatorUrls.singapay}, Faspay ${simulatorUrls.faspay}`,
          `API keys          ${join(dataDir, 'secrets.json')}; for curl: source ${join(dataDir, 'api.env')}`,
          `logs              ${logDir}`,
        ].join('\n'),
      stop: stopAll,
    };
    return stack;
  } catch (err) {
    await stopAll();
    throw err;
  }
}
