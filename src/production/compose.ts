// What `npm run stack:production` takes from docker-compose.yml, so that the topology it runs
// without Docker is the one the compose file describes: the PostgreSQL major version and the
// Temporal server version (from the images), the services' commands and environment (with the
// file's `${VAR:-default}` interpolation), the dynamic config it mounts and the worker replicas.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';

export const ROOT = join(__dirname, '..', '..');

interface ComposeService {
  image?: string;
  command?: string[];
  environment?: Record<string, string | number>;
  volumes?: string[];
  deploy?: { replicas?: number };
}

export interface ComposeFacts {
  /** `postgres:15` → 15. */
  postgresMajor: number;
  /** `temporalio/server:1.29.1` → v1.29.1 (the Go module version). */
  temporalServerVersion: string;
  /** The dynamic config file the compose file mounts into the server, relative to the repository. */
  dynamicConfigFile: string;
  /** The schema job's script, relative to the repository. */
  schemaScript: string;
  workerReplicas: number;
  service(name: string): { command: string[]; environment: Record<string, string> };
}

export function readCompose(file = join(ROOT, 'docker-compose.yml')): ComposeFacts {
  const services = (parse(readFileSync(file, 'utf8'), { merge: true }) as { services: Record<string, ComposeService> }).services;
  const get = (name: string): ComposeService => {
    const service = services[name];
    if (!service) throw new Error(`docker-compose.yml has no service ${name}`);
    return service;
  };
  const tag = (name: string, image: string) => {
    const match = new RegExp(`^${image.replace('/', '\\/')}:(.+)$`).exec(get(name).image ?? '');
    if (!match) throw new Error(`docker-compose.yml: service ${name} does not use the image ${image}`);
    return match[1]!;
  };
  const mounted = (name: string, target: RegExp) => {
    const volume = (get(name).volumes ?? []).find((v) => target.test(v.split(':')[1] ?? ''));
    if (!volume) throw new Error(`docker-compose.yml: service ${name} mounts nothing at ${target}`);
    return volume.split(':')[0]!.replace(/^\.\//, '');
  };
  return {
    postgresMajor: Number(tag('postgresql', 'postgres').split('.')[0]),
    temporalServerVersion: `v${tag('temporal', 'temporalio/server')}`,
    dynamicConfigFile: mounted('temporal', /dynamicconfig/),
    schemaScript: mounted('temporal-schema', /setup-postgres\.sh$/),
    workerReplicas: get('worker').deploy?.replicas ?? 1,
    service: (name) => ({
      command: get(name).command ?? [],
      environment: Object.fromEntries(Object.entries(get(name).environment ?? {}).map(([k, v]) => [k, String(v)])),
    }),
  };
}

/**
 * Compose's interpolation of one value: `${VAR}`, `${VAR:-default}` (unset or empty), `${VAR-default}`
 * (unset), `${VAR:?message}` (required). `vars` plays the part of `.env`.
 */
export function interpolate(value: string, vars: Record<string, string | undefined>): string {
  // The argument may hold one level of braces (a message such as "{keySha256, principal, roles}").
  return value.replace(/\$\{([A-Z0-9_]+)(?:(:?)([-?])((?:[^{}]|\{[^{}]*\})*))?\}/g, (_, name: string, colon: string, op: string | undefined, arg: string) => {
    const set = vars[name];
    const missing = set === undefined || (colon === ':' && set === '');
    if (op === '?' && missing) throw new Error(`${name} is required: ${arg}`);
    if (op === '-' && missing) return arg;
    return set ?? '';
  });
}
