// The Temporal server of `npm run stack:production`, built the way the Temporal CLI is: from the Go
// module proxy at the version docker-compose.yml pins (`go.temporal.io/server/cmd/server`, and its SQL
// tool `cmd/tools/sql`), cached outside the repository. Its configuration is rendered from the
// server's own `docker/config_template.yaml` with the compose file's environment (as the
// temporalio/server image does at start-up), its schemas set up by the compose file's schema script,
// and its dynamic config is the file the compose file mounts.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cpSync, createWriteStream, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { Connection } from '@temporalio/client';
import { cacheRoot, findGo, goInstall, isExecutable } from '../temporal/go-install';
import { ROOT } from './compose';

export const TEMPORAL_SERVER_MODULE = 'go.temporal.io/server';

export interface TemporalServerBuild {
  dir: string;
  server: string;
  sqlTool: string;
  renderer: string;
  /** The module's schema/ folder (postgresql/v12/… inside). */
  schemaDir: string;
  configTemplate: string;
}

function requireGo(what: string): string {
  const go = findGo();
  if (!go) throw new Error(`${what} is not cached and Go is not installed to build it: install Go (https://go.dev/dl/; /usr/local/go/bin/go is found too)`);
  return go;
}

/** The server, its SQL tool, its schema files and config template, and our renderer: cached, else built. */
export async function ensureTemporalServerBuild(version: string, log: (line: string) => void): Promise<TemporalServerBuild> {
  const dir = join(cacheRoot(), 'temporal-server', version);
  const build: TemporalServerBuild = {
    dir,
    server: join(dir, 'temporal-server'),
    sqlTool: join(dir, 'temporal-sql-tool'),
    renderer: join(dir, `render-config-${rendererHash()}`),
    schemaDir: join(dir, 'schema'),
    configTemplate: join(dir, 'config_template.yaml'),
  };
  if (!isExecutable(build.server)) await goInstall(requireGo('The Temporal server'), { title: 'the Temporal server', path: `${TEMPORAL_SERVER_MODULE}/cmd/server`, version }, build.server, process.env, log);
  if (!isExecutable(build.sqlTool)) await goInstall(requireGo("The Temporal server's SQL tool"), { title: "the Temporal server's SQL tool", path: `${TEMPORAL_SERVER_MODULE}/cmd/tools/sql`, version }, build.sqlTool, process.env, log);
  if (!existsSync(build.configTemplate) || !existsSync(join(build.schemaDir, 'postgresql'))) {
    // The module's source is in Go's module cache after the build (or is downloaded now).
    const go = requireGo("The Temporal server's schema files");
    const listed = spawnSync(go, ['mod', 'download', '-json', `${TEMPORAL_SERVER_MODULE}@${version}`], { encoding: 'utf8', cwd: dir });
    const moduleDir = (JSON.parse(listed.stdout || '{}') as { Dir?: string }).Dir;
    if (listed.status !== 0 || !moduleDir) throw new Error(`go mod download ${TEMPORAL_SERVER_MODULE}@${version} failed: ${listed.stderr.trim()}`);
    cpSync(join(moduleDir, 'schema'), build.schemaDir, { recursive: true });
    cpSync(join(moduleDir, 'docker', 'config_template.yaml'), build.configTemplate);
  }
  if (!isExecutable(build.renderer)) {
    log('building the config renderer (deploy/temporal/render-config)…');
    const made = spawnSync(requireGo('The config renderer'), ['build', '-o', build.renderer, '.'], {
      cwd: join(ROOT, 'deploy', 'temporal', 'render-config'),
      env: { ...process.env, GOWORK: 'off', GOFLAGS: '-mod=mod -buildvcs=false' },
      encoding: 'utf8',
    });
    if (made.status !== 0) throw new Error(`building the config renderer failed: ${made.stderr.trim()}`);
  }
  return build;
}

function rendererHash(): string {
  const dir = join(ROOT, 'deploy', 'temporal', 'render-config');
  return createHash('sha256').update(readFileSync(join(dir, 'main.go'))).update(readFileSync(join(dir, 'go.mod'))).digest('hex').slice(0, 12);
}

/** The compose file's schema job, run here: its script with our SQL tool and the module's schema files. */
export function setupSchema(build: TemporalServerBuild, script: string, env: Record<string, string>): void {
  const result = spawnSync('sh', [join(ROOT, script)], {
    env: { ...env, PATH: `${build.dir}${delimiter}${process.env.PATH ?? ''}`, TEMPORAL_SCHEMA_DIR: build.schemaDir },
    encoding: 'utf8',
  });
  if (result.status !== 0) throw new Error(`${script} failed: ${`${result.stdout}\n${result.stderr}`.trim().split('\n').slice(-5).join(' | ')}`);
}

/** The server's own ports, all on loopback (the compose file's container binds them inside its network). */
export interface TemporalPorts {
  frontend: number;
  frontendHttp: number;
  frontendMembership: number;
  history: number;
  historyMembership: number;
  matching: number;
  matchingMembership: number;
  worker: number;
  workerMembership: number;
}

export function portVariables(ports: TemporalPorts): Record<string, string> {
  return {
    FRONTEND_GRPC_PORT: String(ports.frontend),
    FRONTEND_HTTP_PORT: String(ports.frontendHttp),
    FRONTEND_MEMBERSHIP_PORT: String(ports.frontendMembership),
    HISTORY_GRPC_PORT: String(ports.history),
    HISTORY_MEMBERSHIP_PORT: String(ports.historyMembership),
    MATCHING_GRPC_PORT: String(ports.matching),
    MATCHING_MEMBERSHIP_PORT: String(ports.matchingMembership),
    WORKER_GRPC_PORT: String(ports.worker),
    WORKER_MEMBERSHIP_PORT: String(ports.workerMembership),
  };
}

export interface TemporalServer {
  address: string;
  pid(): number | undefined;
  start(): Promise<void>;
  stop(signal: 'SIGTERM' | 'SIGKILL'): Promise<void>;
}

/**
 * Renders `<dir>/config/docker.yaml` from the template with `env` (the compose file's `temporal`
 * service environment, localized), and runs `temporal-server --env docker start` on it, as the image does.
 */
export function temporalServer(build: TemporalServerBuild, options: { dir: string; env: Record<string, string>; frontendPort: number; log: (line: string) => void }): TemporalServer {
  const configDir = join(options.dir, 'config');
  mkdirSync(configDir, { recursive: true });
  const rendered = spawnSync(build.renderer, [], { input: readFileSync(build.configTemplate), env: options.env, encoding: 'utf8' });
  if (rendered.status !== 0) throw new Error(`rendering the server's configuration failed: ${rendered.stderr.trim()}`);
  writeFileSync(join(configDir, 'docker.yaml'), rendered.stdout);
  const address = `127.0.0.1:${options.frontendPort}`;
  const logFile = createWriteStream(join(options.dir, 'temporal-server.log'), { flags: 'a' });
  let child: ChildProcess | undefined;
  const alive = () => child !== undefined && child.exitCode === null && child.signalCode === null;

  const start = async () => {
    child = spawn(build.server, ['--root', options.dir, '--config', 'config', '--env', 'docker', '--allow-no-auth', 'start'], { env: options.env, stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout!.pipe(logFile, { end: false });
    child.stderr!.pipe(logFile, { end: false });
    const started = child;
    const deadline = Date.now() + 180_000;
    for (;;) {
      if (started.exitCode !== null || started.signalCode !== null) throw new Error(`the Temporal server exited (${started.exitCode ?? started.signalCode}); see ${join(options.dir, 'temporal-server.log')}`);
      if (await answers(address)) return;
      if (Date.now() > deadline) throw new Error(`the Temporal server did not answer on ${address} within 180 s; see ${join(options.dir, 'temporal-server.log')}`);
      await new Promise((r) => setTimeout(r, 500));
    }
  };
  const stop = async (signal: 'SIGTERM' | 'SIGKILL') => {
    if (!child || !alive()) return;
    const exited = new Promise<void>((resolve) => child!.once('exit', () => resolve()));
    child.kill(signal);
    const timer = setTimeout(() => child?.kill('SIGKILL'), 30_000);
    await exited;
    clearTimeout(timer);
  };
  return { address, pid: () => (alive() ? child?.pid : undefined), start, stop };
}

/** The frontend answers a system-info call (it can while history shards are still being acquired; the namespace step waits for those). */
async function answers(address: string): Promise<boolean> {
  try {
    const connection = await Connection.connect({ address, connectTimeout: 1_000 });
    try {
      await connection.workflowService.getSystemInfo({});
      return true;
    } finally {
      await connection.close();
    }
  } catch {
    return false;
  }
}
