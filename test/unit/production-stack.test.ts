// `npm run stack:production` runs docker-compose.yml's topology without Docker. These check that what
// it runs is what the compose file says: the versions come from the images, the schema script and the
// dynamic config are the files the compose file mounts, and every service's environment is its compose
// environment, changed only where Docker's network and volumes would have provided something.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { interpolate, readCompose, ROOT } from '../../src/production/compose';
import { secretVariables, loadOrCreateSecrets } from '../../src/production/secrets';
import { DEFAULT_PORTS, DEFAULT_PRINCIPALS, serviceEnvironment, temporalServerEnvironment, type Localization } from '../../src/production/stack';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';

const composeText = readFileSync(join(ROOT, 'docker-compose.yml'), 'utf8');
const raw = parse(composeText, { merge: true }) as { services: Record<string, { image?: string; environment?: Record<string, unknown>; command?: string[] }> };
const compose = readCompose();

const where: Localization = {
  temporalAddress: '127.0.0.1:17233',
  singapayUrl: 'http://127.0.0.1:14010',
  faspayUrl: 'http://127.0.0.1:14020',
  apiUrl: 'http://127.0.0.1:13000',
  faspayDir: '/data/faspay-simulator',
  bundlePath: '/data/workflow-bundle.js',
};
const dotEnv = secretVariables(loadOrCreateSecrets(join(mkdtempSync(join(tmpdir(), 'stack-secrets-')), 'secrets.json')), DEFAULT_PRINCIPALS);

describe('the production stack takes its versions and settings from docker-compose.yml', () => {
  test('PostgreSQL major and Temporal server version are the images the compose file names', () => {
    expect(raw.services.postgresql!.image).toBe(`postgres:${compose.postgresMajor}`);
    expect(raw.services.temporal!.image).toBe(`temporalio/server:${compose.temporalServerVersion.slice(1)}`);
    // The schema job's tools are of the same server release.
    expect(raw.services['temporal-schema']!.image).toMatch(new RegExp(`^temporalio/admin-tools:${compose.temporalServerVersion.slice(1)}-`));
    // Debian 12 ships PostgreSQL 15 only; the compose file pins the same major version.
    expect(compose.postgresMajor).toBe(15);
  });

  test('the schema script and dynamic config are the files the compose file mounts, and exist', () => {
    expect(compose.schemaScript).toBe('deploy/temporal/setup-postgres.sh');
    expect(compose.dynamicConfigFile).toBe('deploy/temporal/dynamicconfig.yaml');
    expect(existsSync(join(ROOT, compose.schemaScript))).toBe(true);
    expect(existsSync(join(ROOT, compose.dynamicConfigFile))).toBe(true);
    expect(compose.workerReplicas).toBe(2);
  });

  test.each(['api', 'worker', 'prepare-namespace', 'singapay-simulator', 'faspay-simulator', 'temporal', 'temporal-schema'])('%s: its compose environment, localized only where Docker would have provided it', (service) => {
    const env = serviceEnvironment(compose, service, dotEnv, where);
    const composed = raw.services[service]!.environment ?? {};
    for (const [name, value] of Object.entries(composed)) {
      const expected = interpolate(String(value), dotEnv);
      const got = env[name];
      expect(got).toBeDefined();
      if (got === expected) continue;
      // Every difference is one of Docker's names or addresses, replaced by its local counterpart.
      const localized = expected
        .replace('temporal:7233', where.temporalAddress)
        .replace('http://singapay-simulator:4010', where.singapayUrl)
        .replace('http://faspay-simulator:4020', where.faspayUrl)
        .replace('http://api:3000', where.apiUrl)
        .replace('/app/.data/faspay-simulator', where.faspayDir)
        .replace(/^0\.0\.0\.0$/, '127.0.0.1');
      expect({ name, value: got }).toEqual({ name, value: localized });
      expect(localized).not.toBe(expected);
    }
    // The image's environment: production mode and the prebuilt bundle (Dockerfile ENV).
    const dockerfile = readFileSync(join(ROOT, 'Dockerfile'), 'utf8');
    expect(dockerfile).toMatch(/NODE_ENV=production/);
    expect(env.NODE_ENV).toBe('production');
    expect(env.WORKFLOW_BUNDLE_PATH).toBe(where.bundlePath);
  });

  test('the server: the compose environment, with the database, bind address, dynamic config and ports of this machine', () => {
    const env = temporalServerEnvironment(compose, dotEnv, where, DEFAULT_PORTS);
    const composed = raw.services.temporal!.environment!;
    const changed = Object.keys(composed).filter((name) => env[name] !== interpolate(String(composed[name]), dotEnv));
    expect(changed.sort()).toEqual(['BIND_ON_IP', 'DB_PORT', 'DYNAMIC_CONFIG_FILE_PATH', 'POSTGRES_SEEDS']);
    expect(env.DYNAMIC_CONFIG_FILE_PATH).toBe(join(ROOT, 'deploy/temporal/dynamicconfig.yaml'));
    expect(env.DB).toBe('postgres12');
    expect(env.FRONTEND_GRPC_PORT).toBe(String(DEFAULT_PORTS.temporal.frontend));
  });

  test('the secrets fill exactly what the compose file requires from .env', () => {
    const required = [...composeText.matchAll(/\$\{([A-Z0-9_]+):\?/g)].map((m) => m[1]!);
    expect(Object.keys(dotEnv).sort()).toEqual([...new Set(required)].sort());
    expect(() => interpolate('${API_KEYS:?set API_KEYS (JSON array of {keySha256, principal, roles})}', {})).toThrow('API_KEYS is required');
  });

  test('the default ports stay clear of npm start', () => {
    const used = [DEFAULT_PORTS.postgres, ...Object.values(DEFAULT_PORTS.temporal), ...DEFAULT_PORTS.apis, ...DEFAULT_PORTS.codecs, DEFAULT_PORTS.singapay, DEFAULT_PORTS.faspay, DEFAULT_PORTS.workerMetrics];
    expect(new Set(used).size).toBe(used.length);
    for (const port of [7233, 8233, 3000, 3100, 4010, 4020, 9464, 5432]) expect(used).not.toContain(port);
  });
});

describe("compose's interpolation", () => {
  test.each([
    ['${A:-d}', {}, 'd'],
    ['${A:-d}', { A: '' }, 'd'],
    ['${A-d}', { A: '' }, ''],
    ['${A-d}', {}, 'd'],
    ['${A:-d}', { A: 'x' }, 'x'],
    ['http://${H:-api}:3000', {}, 'http://api:3000'],
    ['${A}', {}, ''],
  ] as const)('%s with %j is %s', (text, vars, expected) => {
    expect(interpolate(text, vars)).toBe(expected);
  });
});
