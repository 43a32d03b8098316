// Builds a Go command from the Go module proxy (`go install module@version`) into a cache outside
// the repository, so every clone on the machine reuses it. Used for the Temporal CLI (the dev
// server) and for the Temporal server and its SQL tool (`npm run stack:production`).
import { spawn, spawnSync } from 'node:child_process';
import { accessSync, constants, mkdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import { delimiter, dirname, join } from 'node:path';

export function cacheRoot(env: NodeJS.ProcessEnv = process.env): string {
  if (env.PAYOUTS_CACHE_DIR) return env.PAYOUTS_CACHE_DIR;
  const base = env.XDG_CACHE_HOME || join(env.HOME || homedir(), '.cache');
  return join(base, 'payouts');
}

export function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

export function findOnPath(name: string, env: NodeJS.ProcessEnv): string | undefined {
  for (const dir of (env.PATH ?? '').split(delimiter)) {
    if (dir && isExecutable(join(dir, name))) return join(dir, name);
  }
  return undefined;
}

/** `go` on the PATH, else where the Go installer puts it. */
export function findGo(env: NodeJS.ProcessEnv = process.env): string | undefined {
  return findOnPath('go', env) ?? (isExecutable('/usr/local/go/bin/go') ? '/usr/local/go/bin/go' : undefined);
}

export interface GoPackage {
  /** What the log calls it: "the Temporal CLI". */
  title: string;
  /** The package path, e.g. go.temporal.io/server/cmd/server. */
  path: string;
  version: string;
}

/**
 * `go install path@version` into a staging folder, then rename into `target`: an interrupted build
 * never leaves a half-written binary in the cache. Prints progress, since a first build takes minutes.
 */
export async function goInstall(go: string, pkg: GoPackage, target: string, env: NodeJS.ProcessEnv, log: (line: string) => void): Promise<string> {
  const version = spawnSync(go, ['version'], { encoding: 'utf8' }).stdout.trim();
  const staging = join(dirname(target), `.build-${process.pid}`);
  rmSync(staging, { recursive: true, force: true });
  mkdirSync(staging, { recursive: true });
  log(`building ${pkg.title} ${pkg.version} from source with ${version || go}.`);
  log('This happens once per machine and takes a few minutes; later runs reuse the cached binary.');

  const started = Date.now();
  let packages = 0;
  let lastLine = '';
  const child = spawn(go, ['install', '-v', `${pkg.path}@${pkg.version}`], {
    env: { ...env, GOBIN: staging, GOFLAGS: `${env.GOFLAGS ?? ''} -buildvcs=false`.trim() },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  // `go install -v` names each package as it compiles it, on stderr, after the module downloads.
  const onOutput = (chunk: Buffer) => {
    for (const line of chunk.toString().split('\n')) {
      if (!line.trim()) continue;
      lastLine = line.trim();
      if (!line.startsWith('go: ')) packages += 1;
    }
  };
  child.stdout.on('data', onOutput);
  child.stderr.on('data', onOutput);
  const ticker = setInterval(() => {
    const secs = Math.round((Date.now() - started) / 1000);
    log(`still building ${pkg.title} (${Math.floor(secs / 60)}m${String(secs % 60).padStart(2, '0')}s, ${packages} packages compiled)…`);
  }, 15_000);
  const code = await new Promise<number | null>((resolve, reject) => {
    child.on('error', reject);
    child.on('exit', resolve);
  }).finally(() => clearInterval(ticker));
  if (code !== 0) {
    rmSync(staging, { recursive: true, force: true });
    throw new Error(`go install ${pkg.path}@${pkg.version} exited with ${code}: ${lastLine}`);
  }
  mkdirSync(dirname(target), { recursive: true });
  // `go install` names the binary after the package's last path element.
  renameSync(join(staging, pkg.path.split('/').pop()!), target);
  rmSync(staging, { recursive: true, force: true });
  log(`built ${target} in ${Math.round((Date.now() - started) / 1000)} s.`);
  return target;
}
