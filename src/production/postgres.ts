// Temporal's PostgreSQL for `npm run stack:production`: Debian's `postgresql-<major>` package (the
// major version docker-compose.yml pins), a cluster of its own under `.data/`, on its own port and
// on loopback only, with the compose file's user and password. `initdb` and `postgres` refuse to run
// as root, so as root every PostgreSQL command runs as the `postgres` user (runuser), which owns the
// cluster's folder; as anyone else they run as that user.
import { spawn, spawnSync } from 'node:child_process';
import { chownSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createHash } from 'node:crypto';

export type ShutdownMode = 'smart' | 'fast' | 'immediate';

export interface PostgresOptions {
  major: number;
  /** The cluster's folder: data/ and postgres.log inside it. */
  dir: string;
  port: number;
  user: string;
  password: string;
  log: (line: string) => void;
}

export interface Postgres {
  host: '127.0.0.1';
  port: number;
  dir: string;
  start(): Promise<void>;
  stop(mode: ShutdownMode): Promise<void>;
  /** The postmaster's pid while it runs (its first line of postmaster.pid). */
  pid(): number | undefined;
}

const isRoot = () => process.getuid?.() === 0;

/** The server's binaries, installing Debian's package when they are missing and we may. */
export function ensurePostgresBinaries(major: number, log: (line: string) => void): string {
  const bin = `/usr/lib/postgresql/${major}/bin`;
  if (existsSync(join(bin, 'postgres'))) return bin;
  const what = `postgresql-${major}`;
  if (!isRoot()) {
    throw new Error(`PostgreSQL ${major} is not installed (${bin}/postgres is missing). Install Debian's package: sudo apt-get install -y ${what}`);
  }
  log(`installing Debian's ${what} (apt-get)…`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  const install = () => spawnSync('apt-get', ['install', '-y', '--no-install-recommends', what], { env, encoding: 'utf8' });
  let result = install();
  if (result.status !== 0) {
    spawnSync('apt-get', ['update'], { env, stdio: 'ignore' });
    result = install();
  }
  if (result.status !== 0 || !existsSync(join(bin, 'postgres'))) {
    throw new Error(`apt-get install ${what} failed: ${(result.stderr || result.stdout || '').trim().split('\n').pop()}`);
  }
  return bin;
}

function postgresIds(): { uid: number; gid: number } {
  const id = (flag: string) => Number(spawnSync('id', [flag, 'postgres'], { encoding: 'utf8' }).stdout.trim());
  const uid = id('-u');
  const gid = id('-g');
  if (!Number.isInteger(uid) || uid <= 0) throw new Error('running as root, but there is no `postgres` user to run PostgreSQL as (Debian\'s postgresql package creates it)');
  return { uid, gid };
}

/** Runs a PostgreSQL program, as `postgres` when we are root; resolves with its output, rejects on failure. */
function run(program: string, args: string[]): Promise<string> {
  const [command, argv] = isRoot() ? ['runuser', ['-u', 'postgres', '--', program, ...args]] : [program, args];
  return new Promise((resolve, reject) => {
    const child = spawn(command, argv, { stdio: ['ignore', 'pipe', 'pipe'], cwd: '/' });
    let output = '';
    child.stdout.on('data', (c: Buffer) => (output += c.toString()));
    child.stderr.on('data', (c: Buffer) => (output += c.toString()));
    child.on('error', reject);
    child.on('exit', (code) => (code === 0 ? resolve(output) : reject(new Error(`${program.split('/').pop()} ${args[0] ?? ''} exited with ${code}: ${output.trim().split('\n').slice(-3).join(' | ')}`))));
  });
}

/**
 * The folder the cluster lives in. As root it must be reachable by `postgres`; a clone under a folder
 * only root may enter (such as /root) cannot give it that, so the cluster then lives in the system's
 * temporary folder instead, under a name derived from the wanted one, and the log says so.
 */
function clusterDir(wanted: string, log: (line: string) => void): string {
  mkdirSync(wanted, { recursive: true });
  if (!isRoot()) return wanted;
  const { uid, gid } = postgresIds();
  chownSync(wanted, uid, gid);
  if (spawnSync('runuser', ['-u', 'postgres', '--', 'test', '-w', wanted]).status === 0) return wanted;
  const fallback = join(tmpdir(), `payouts-postgres-${createHash('sha256').update(wanted).digest('hex').slice(0, 12)}`);
  log(`the postgres user cannot reach ${wanted}; the cluster lives in ${fallback} instead`);
  mkdirSync(fallback, { recursive: true, mode: 0o700 });
  chownSync(fallback, uid, gid);
  return fallback;
}

export async function preparePostgres(options: PostgresOptions): Promise<Postgres> {
  const bin = ensurePostgresBinaries(options.major, options.log);
  const dir = clusterDir(options.dir, options.log);
  const data = join(dir, 'data');
  const versionFile = join(data, 'PG_VERSION');
  if (existsSync(versionFile)) {
    const found = Number(readFileSync(versionFile, 'utf8').trim());
    if (found !== options.major) throw new Error(`${data} holds a PostgreSQL ${found} cluster, not ${options.major}: move it away (or delete it) and start again`);
  } else {
    options.log(`creating a PostgreSQL ${options.major} cluster in ${data}`);
    const passwordFile = join(dir, 'initdb-password');
    writeFileSync(passwordFile, options.password, { mode: 0o600 });
    if (isRoot()) chownSync(passwordFile, postgresIds().uid, postgresIds().gid);
    try {
      // As the postgres image does: the compose file's user is the superuser, password logins over TCP.
      await run(join(bin, 'initdb'), ['-D', data, '-U', options.user, `--pwfile=${passwordFile}`, '--auth-host=scram-sha-256', '--auth-local=peer', '-E', 'UTF8', '--no-locale']);
    } finally {
      rmSync(passwordFile, { force: true });
    }
  }
  const pgCtl = (args: string[]) => run(join(bin, 'pg_ctl'), ['-D', data, ...args]);
  const running = () => pgCtl(['status']).then(() => true, () => false);
  const postgres: Postgres = {
    host: '127.0.0.1',
    port: options.port,
    dir,
    start: async () => {
      // TCP on loopback only, no Unix socket (its path would depend on the folder, and nothing needs it).
      await pgCtl(['-l', join(dir, 'postgres.log'), '-w', '-t', '120', '-o', `-p ${options.port} -c listen_addresses=127.0.0.1 -c unix_socket_directories=''`, 'start']);
    },
    stop: async (mode) => {
      if (await running()) await pgCtl(['-m', mode, '-w', '-t', '120', 'stop']);
    },
    pid: () => {
      try {
        return Number(readFileSync(join(data, 'postmaster.pid'), 'utf8').split('\n')[0]) || undefined;
      } catch {
        return undefined;
      }
    },
  };
  // A cluster left running by an earlier run that was killed is ours: stop it, so it starts on this run's port.
  if (await running()) {
    options.log('stopping a PostgreSQL left running by an earlier run');
    await postgres.stop('fast');
  }
  return postgres;
}
