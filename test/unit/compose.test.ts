// docker-compose.yml cannot run here (no Docker engine), so check what can be checked: it parses,
// names the intended images, our services' variables exist in the configuration schema, and every
// command points at an entry point that exists.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { envSchema } from '../../src/config';

const ROOT = join(__dirname, '..', '..');
interface Service {
  image?: string;
  build?: unknown;
  command?: string[];
  environment?: Record<string, unknown>;
  depends_on?: Record<string, { condition: string }> | string[];
  restart?: string;
  healthcheck?: unknown;
  deploy?: { replicas?: number };
}
const compose = parse(readFileSync(join(ROOT, 'docker-compose.yml'), 'utf8'), { merge: true }) as { services: Record<string, Service> };
const services = compose.services;

describe('docker-compose.yml', () => {
  test('has the production-like services with the intended images', () => {
    expect(services.postgresql?.image).toMatch(/^postgres:\d+/);
    expect(services.temporal?.image).toBe('temporalio/auto-setup:1.29.1');
    expect(services['temporal-ui']?.image).toBe('temporalio/ui:2.42.1');
    for (const name of ['api', 'worker', 'register-search-attributes', 'singapay-simulator']) {
      expect(services[name]?.image).toBe('payouts:latest');
    }
    expect(services['register-search-attributes']?.build).toBe('.');
    expect(services.worker?.deploy?.replicas).toBe(2);
  });

  test("our services' variables all exist in the configuration schema", () => {
    const known = new Set(Object.keys(envSchema.shape));
    for (const name of ['api', 'worker', 'register-search-attributes']) {
      const vars = Object.keys(services[name]?.environment ?? {});
      expect(vars.length).toBeGreaterThan(0);
      expect(vars.filter((v) => !known.has(v))).toEqual([]);
    }
  });

  test('every command runs an entry point that exists in src/bin', () => {
    for (const [name, service] of Object.entries(services)) {
      if (service.image !== 'payouts:latest') continue;
      const command = service.command ?? [];
      expect(command.slice(0, 3)).toEqual(['node', '--import', 'tsx']);
      expect({ name, exists: existsSync(join(ROOT, command[3] ?? 'missing')) }).toEqual({ name, exists: true });
    }
  });

  test('workers and the API wait for the search attributes; long-running services restart', () => {
    for (const name of ['api', 'worker']) {
      expect(services[name]?.depends_on).toMatchObject({ 'register-search-attributes': { condition: 'service_completed_successfully' } });
      expect(services[name]?.restart).toBe('unless-stopped');
    }
    expect(services.api?.healthcheck).toBeDefined();
    expect(services.temporal?.healthcheck).toBeDefined();
  });
});
