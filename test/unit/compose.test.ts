// docker-compose.yml and the Dockerfile cannot run here (no Docker engine), so check what can be
// checked: the compose file parses; its services, images and commands are the ones README "Running
// in production" lists; our services' variables exist in the configuration schema (or, for the
// simulators, are read by their entry points); every variable it interpolates is documented in
// .env.production.example; files it mounts exist; services start in the right order; and the
// Dockerfile builds the workflow bundle the worker is pointed at, and runs as a non-root user.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { ACTIVITY_TIMEOUT_MARGIN_MS, envSchema } from '../../src/config';
import { PROVIDER_MODULES } from '../../src/registry';

const ROOT = join(__dirname, '..', '..');
const read = (file: string) => readFileSync(join(ROOT, file), 'utf8');

interface Service {
  image?: string;
  build?: unknown;
  command?: string[];
  entrypoint?: string[];
  environment?: Record<string, string | number>;
  depends_on?: Record<string, { condition: string; required?: boolean }>;
  restart?: string;
  healthcheck?: { test: string[] };
  deploy?: { replicas?: number };
  ports?: string[];
  volumes?: string[];
  stop_grace_period?: string;
}
const composeText = read('docker-compose.yml');
const services = (parse(composeText, { merge: true }) as { services: Record<string, Service> }).services;
const OUR_IMAGE = 'payouts:latest';
const ours = Object.entries(services).filter(([, s]) => s.image === OUR_IMAGE);
const CONFIGURED = ['api', 'worker', 'prepare-namespace'];
const SIMULATORS: Record<string, string> = { 'singapay-simulator': 'src/bin/singapay-simulator.ts', 'faspay-simulator': 'src/bin/faspay-simulator.ts' };
const LONG_RUNNING = ['postgresql', 'temporal', 'temporal-ui', 'api', 'worker', 'singapay-simulator', 'faspay-simulator'];

/** What a variable's value is when `.env` does not set it: `${NAME:-default}` gives the default. */
function valueWithoutEnv(value: string | number | undefined): string {
  const text = String(value);
  return /^\$\{[A-Z0-9_]+:?-(.*)\}$/.exec(text)?.[1] ?? text;
}

/** The README's table of the stack: service → image and command, as a reader sees them. */
function readmeStack(): Map<string, { image: string; command: string }> {
  const readme = read('README.md');
  const section = readme.slice(readme.indexOf('## Running in production'));
  expect(section.length).toBeGreaterThan(100);
  const rows = new Map<string, { image: string; command: string }>();
  const table = section.slice(section.indexOf('| service | image | command |'));
  for (const line of table.split('\n').slice(2)) {
    if (!line.startsWith('|')) break;
    const [service, image, command] = line.split('|').slice(1, 4).map((cell) => cell.trim().replace(/`/g, ''));
    rows.set(service!, { image: image!.replace(/ \(.*\)$/, ''), command: command! });
  }
  return rows;
}

describe('docker-compose.yml', () => {
  test('its services, images and commands are exactly those README "Running in production" lists', () => {
    const described = readmeStack();
    const actual = new Map(Object.entries(services).map(([name, s]) => [name, { image: s.image ?? '', command: [...(s.entrypoint ?? []), ...(s.command ?? [])].join(' ') }]));
    expect(Object.fromEntries(actual)).toEqual(Object.fromEntries(described));
  });

  test('PostgreSQL-backed Temporal with its schema job, the Web UI, our API, two workers and both simulators', () => {
    expect(services.postgresql?.image).toMatch(/^postgres:\d+$/);
    expect(services.temporal?.image).toBe('temporalio/server:1.29.1');
    expect(services.temporal?.environment).toMatchObject({ DB: 'postgres12', POSTGRES_SEEDS: 'postgresql' });
    expect(services['temporal-schema']?.image).toMatch(/^temporalio\/admin-tools:1\.29\.1-/);
    expect(services['temporal-ui']?.image).toMatch(/^temporalio\/ui:\d+\.\d+\.\d+$/);
    expect(ours.map(([name]) => name).sort()).toEqual(['api', 'faspay-simulator', 'prepare-namespace', 'singapay-simulator', 'worker']);
    expect(services['prepare-namespace']?.build).toBe('.');
    expect(services.worker?.deploy?.replicas).toBe(2);
  });

  test("our services' variables all exist in the configuration schema; the simulators' are read by their entry points", () => {
    const known = new Set(Object.keys(envSchema.shape));
    for (const name of CONFIGURED) {
      const vars = Object.keys(services[name]?.environment ?? {});
      expect(vars.length).toBeGreaterThan(0);
      expect({ name, unknown: vars.filter((v) => !known.has(v)) }).toEqual({ name, unknown: [] });
    }
    for (const [name, entry] of Object.entries(SIMULATORS)) {
      const source = read(entry);
      const vars = Object.keys(services[name]?.environment ?? {});
      expect({ name, unread: vars.filter((v) => !source.includes(`env.${v}`)) }).toEqual({ name, unread: [] });
    }
  });

  test('every variable it takes from the environment is documented in .env.production.example, and the required ones stop it when unset', () => {
    const interpolated = new Set([...composeText.matchAll(/\$\{([A-Z0-9_]+)/g)].map((m) => m[1]!));
    const documented = read('.env.production.example');
    expect([...interpolated].filter((name) => !new RegExp(`^#? ?${name}=`, 'm').test(documented))).toEqual([]);
    for (const required of ['API_KEYS', 'PAYLOAD_CODEC_KEYS', 'WEBHOOK_SECRET_KEY']) expect(composeText).toContain(`\${${required}:?`);
  });

  test('every command of our image runs an entry point that exists; every file it mounts exists', () => {
    for (const [name, service] of ours) {
      const command = service.command ?? [];
      expect(command.slice(0, 3)).toEqual(['node', '--import', 'tsx']);
      expect({ name, exists: existsSync(join(ROOT, command[3] ?? 'missing')) }).toEqual({ name, exists: true });
    }
    const mounted = Object.values(services).flatMap((s) => (s.volumes ?? []).filter((v) => v.startsWith('./')).map((v) => v.split(':')[0]!));
    expect(mounted.length).toBeGreaterThan(0);
    for (const file of mounted) expect({ file, exists: existsSync(join(ROOT, file)) }).toEqual({ file, exists: true });
  });

  test('start order: database → schema → server → namespace and search attributes → workers and API', () => {
    expect(services['temporal-schema']?.depends_on).toMatchObject({ postgresql: { condition: 'service_healthy' } });
    expect(services.temporal?.depends_on).toMatchObject({ 'temporal-schema': { condition: 'service_completed_successfully' } });
    expect(services['prepare-namespace']?.depends_on).toMatchObject({ temporal: { condition: 'service_healthy' } });
    for (const name of ['api', 'worker']) {
      expect(services[name]?.depends_on).toMatchObject({ 'prepare-namespace': { condition: 'service_completed_successfully' } });
    }
  });

  test('long-running services restart and have health checks; the worker drains longer than a provider call lasts', () => {
    for (const name of LONG_RUNNING) {
      expect({ name, restart: services[name]?.restart }).toEqual({ name, restart: 'unless-stopped' });
      if (name !== 'temporal-ui') expect({ name, health: services[name]?.healthcheck?.test.length }).toEqual({ name, health: expect.any(Number) });
    }
    // A draining worker lets its attempts finish (they ignore cancellation); the longest is one provider
    // call's worst case (token, call, renewed token, call), which ACTIVITY_TIMEOUT_MS must cover too.
    const defaults = envSchema.parse({});
    const longestAttemptMs = Math.max(...PROVIDER_MODULES.map((module) => module.attemptBudget(defaults).ms));
    expect(Number.parseInt(services.worker!.stop_grace_period!, 10) * 1000).toBeGreaterThanOrEqual(longestAttemptMs + ACTIVITY_TIMEOUT_MARGIN_MS);
    // The worker health check reads the metrics endpoint the worker is told to open.
    expect(services.worker?.healthcheck?.test.join(' ')).toContain(`:${services.worker?.environment?.WORKER_METRICS_PORT}/metrics`);
  });

  test("the Web UI decrypts through the API's codec listener (its own port, never the API's), and only that listener admits the UI's origin", () => {
    const api = services.api!;
    /** The host port published for a container port of a service (bound to the host's loopback). */
    const published = (name: string, containerPort: string | number) =>
      services[name]!.ports!.map((p) => p.split(':')).find((parts) => parts[parts.length - 1] === String(containerPort))?.slice(-2)[0];
    const codecPort = api.environment?.CODEC_PORT;
    expect(codecPort).toBeDefined();
    expect(String(codecPort)).not.toBe(String(api.environment?.API_PORT));
    expect(services['temporal-ui']?.environment?.TEMPORAL_CODEC_ENDPOINT).toBe(`http://localhost:${published('api', codecPort!)}/codec`);
    expect(api.environment?.TEMPORAL_UI_ORIGIN).toBe(`http://localhost:${published('temporal-ui', 8080)}`);
    // Providers reach the API port (through a proxy): no codec there, so the callbacks' address decrypts nothing.
    expect(services['temporal-ui']?.environment?.TEMPORAL_CODEC_ENDPOINT).not.toContain(`:${published('api', api.environment!.API_PORT!)}/`);
    // Published ports are on the host's loopback only: that is what makes admitting the origin tolerable.
    for (const [name, service] of Object.entries(services)) for (const port of service.ports ?? []) expect({ name, port }).toEqual({ name, port: expect.stringMatching(/^127\.0\.0\.1:/) });
  });

  test('memory at rest: the workers keep a small workflow cache, as BENCHMARKS.md recommends', () => {
    expect(valueWithoutEnv(services.worker?.environment?.WORKER_MAX_CACHED_WORKFLOWS)).toBe('200');
    expect(read('BENCHMARKS.md')).toContain('WORKER_MAX_CACHED_WORKFLOWS=200');
  });
});

describe('Dockerfile', () => {
  const dockerfile = read('Dockerfile');
  const stages = dockerfile.split(/^FROM /m).slice(1);
  const runtime = stages[stages.length - 1]!;

  test('multi-stage: dependencies and the workflow bundle are built first; the runtime stage runs as a non-root user', () => {
    expect(stages.length).toBeGreaterThanOrEqual(2);
    expect(stages[0]).toMatch(/RUN npm ci\b/);
    expect(runtime).toMatch(/^USER node$/m);
    expect(runtime).not.toMatch(/^USER root$/m);
  });

  test('the worker is pointed at the bundle the build stage wrote, and the runtime has what every command needs', () => {
    const built = /npm run build:workflow-bundle -- (\S+)/.exec(stages[0]!)?.[1];
    expect(built).toBeDefined();
    expect(runtime).toContain(`WORKFLOW_BUNDLE_PATH=${built}`);
    expect(runtime).toMatch(new RegExp(`COPY --from=build ${built!.replace(/[.]/g, '\\.')} `));
    const scripts = JSON.parse(read('package.json')).scripts as Record<string, string>;
    expect(scripts['build:workflow-bundle']).toContain('scripts/build-workflow-bundle.ts');
    for (const dir of ['src', 'workflows', 'activities']) expect(runtime).toContain(`COPY ${dir} ./${dir}`);
    expect(runtime).toMatch(/COPY --from=build \/app\/node_modules/);
  });

  test('every package the runtime code imports is a production dependency, so `npm prune --omit=dev` keeps it', () => {
    const manifest = JSON.parse(read('package.json')) as { dependencies: Record<string, string> };
    const imported = new Set<string>();
    for (const dir of ['src', 'workflows', 'activities']) {
      for (const file of readdirSync(join(ROOT, dir), { recursive: true, encoding: 'utf8' }).filter((f) => /\.(ts|js)$/.test(f))) {
        const source = read(join(dir, file));
        for (const [, spec] of source.matchAll(/(?:from |import\(|require\()'([^'.][^']*)'/g)) {
          if (spec!.startsWith('node:')) continue;
          imported.add(spec!.split('/').slice(0, spec!.startsWith('@') ? 2 : 1).join('/'));
        }
      }
    }
    expect(imported.size).toBeGreaterThan(5);
    expect([...imported].filter((name) => !(name in manifest.dependencies))).toEqual([]);
  });
});
