// Finds a `temporal` CLI binary for the local dev server, in the order the design asks for:
//   1. TEMPORAL_CLI_PATH          2. `temporal` on the PATH       3. a build cached by an earlier run
//   4. the SDK's own download (works online; fails fast offline)
//   5. building github.com/temporalio/cli/cmd/temporal at a pinned version with Go, if Go is present.
// Builds and downloads are cached outside the repository, so every clone on the machine reuses them.
import { spawn, spawnSync } from 'node:child_process';
import { accessSync, constants, existsSync, mkdirSync, readdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import { delimiter, join } from 'node:path';

/** Pinned CLI release: its go.mod has no `replace` line, so `go install …@version` builds it as published. */
export const TEMPORAL_CLI_VERSION = 'v1.5.1';
export const TEMPORAL_CLI_MODULE = 'github.com/temporalio/cli/cmd/temporal';

export interface ResolveOptions {
  env?: NodeJS.ProcessEnv;
  log?: (line: string) => void;
  /** Try the SDK's download (default true). */
  allowDownload?: boolean;
  /** Try a Go build (default true). */
  allowGoBuild?: boolean;
}

export class TemporalBinaryNotFoundError extends Error {
  constructor(readonly attempts: string[]) {
    super(
      [
        'No Temporal CLI binary could be had. Tried, in order:',
        ...attempts.map((a, i) => `  ${i + 1}. ${a}`),
        'Fix: install the Temporal CLI (https://docs.temporal.io/cli) and put `temporal` on the PATH, or set',
        'TEMPORAL_CLI_PATH to its path, or install Go so that it can be built, or set TEMPORAL_ADDRESS to use',
        'a Temporal server that is already running.',
      ].join('\n'),
    );
    this.name = 'TemporalBinaryNotFoundError';
  }
}

export function cacheRoot(env: NodeJS.ProcessEnv = process.env): string {
  if (env.PAYOUTS_CACHE_DIR) return env.PAYOUTS_CACHE_DIR;
  const base = env.XDG_CACHE_HOME || join(env.HOME || homedir(), '.cache');
  return join(base, 'payouts');
}

export function cachedBuildPath(env: NodeJS.ProcessEnv = process.env): string {
  return join(cacheRoot(env), 'temporal-cli', TEMPORAL_CLI_VERSION, 'temporal');
}

function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

function findOnPath(name: string, env: NodeJS.ProcessEnv): string | undefined {
  for (const dir of (env.PATH ?? '').split(delimiter)) {
    if (dir && isExecutable(join(dir, name))) return join(dir, name);
  }
  return undefined;
}

export async function resolveTemporalBinary(options: ResolveOptions = {}): Promise<string> {
  const env = options.env ?? process.env;
  const log = options.log ?? ((line: string) => console.log(`[temporal] ${line}`));
  const attempts: string[] = [];

  if (env.TEMPORAL_CLI_PATH) {
    if (isExecutable(env.TEMPORAL_CLI_PATH)) return env.TEMPORAL_CLI_PATH;
    // A path the user set on purpose that does not work is an error, not a reason to look elsewhere.
    throw new TemporalBinaryNotFoundError([`TEMPORAL_CLI_PATH=${env.TEMPORAL_CLI_PATH}: not an executable file`]);
  }
  attempts.push('TEMPORAL_CLI_PATH: not set');

  const onPath = findOnPath('temporal', env);
  if (onPath) return onPath;
  attempts.push('`temporal` on the PATH: not found');

  const cached = cachedBuildPath(env);
  if (isExecutable(cached)) return cached;
  attempts.push(`cached build ${cached}: not there yet`);

  const downloadDir = join(cacheRoot(env), 'temporal-cli', 'sdk-download');
  const previouslyDownloaded = findDownloaded(downloadDir);
  if (previouslyDownloaded) return previouslyDownloaded;
  if (options.allowDownload !== false) {
    const downloaded = await downloadWithSdk(downloadDir, log).catch((err: Error) => {
      attempts.push(`the Temporal SDK's download: ${firstLine(err.message)}`);
      return undefined;
    });
    if (downloaded) return downloaded;
  } else {
    attempts.push("the Temporal SDK's download: skipped");
  }

  const go = findOnPath('go', env) ?? (isExecutable('/usr/local/go/bin/go') ? '/usr/local/go/bin/go' : undefined);
  if (!go) {
    attempts.push(`building ${TEMPORAL_CLI_MODULE}@${TEMPORAL_CLI_VERSION}: Go is not installed`);
  } else if (options.allowGoBuild === false) {
    attempts.push(`building ${TEMPORAL_CLI_MODULE}@${TEMPORAL_CLI_VERSION}: skipped`);
  } else {
    try {
      return await buildWithGo(go, cached, env, log);
    } catch (err) {
      attempts.push(`building ${TEMPORAL_CLI_MODULE}@${TEMPORAL_CLI_VERSION} with ${go}: ${firstLine((err as Error).message)}`);
    }
  }
  throw new TemporalBinaryNotFoundError(attempts);
}

function firstLine(text: string): string {
  return text.split('\n').find((l) => l.trim())?.trim().slice(0, 300) ?? 'failed';
}

/** The SDK names its downloads `temporal-<sdk>-<version>`; reuse one if an earlier run got it. */
function findDownloaded(dir: string): string | undefined {
  if (!existsSync(dir)) return undefined;
  const name = readdirSync(dir).find((f) => f.startsWith('temporal-') && isExecutable(join(dir, f)));
  return name ? join(dir, name) : undefined;
}

/**
 * The SDK can only download the CLI as part of starting a throw-away dev server, so start one, stop
 * it, and keep the binary it left in `dir`. Offline this fails within seconds (no DNS, no route).
 */
async function downloadWithSdk(dir: string, log: (line: string) => void): Promise<string> {
  mkdirSync(dir, { recursive: true });
  log("trying the Temporal SDK's download of the CLI…");
  const { TestWorkflowEnvironment } = await import('@temporalio/testing');
  const env = await withTimeout(
    TestWorkflowEnvironment.createLocal({ server: { executable: { type: 'cached-download', downloadDir: dir } } }),
    120_000,
    'download did not finish within 120 s',
  );
  await env.teardown();
  const found = findDownloaded(dir);
  if (!found) throw new Error(`the SDK started a server but left no binary in ${dir}`);
  log(`downloaded ${found}`);
  return found;
}

function withTimeout<T>(promise: Promise<T>, ms: number, message: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(message)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/**
 * `go install` into a staging folder, then rename into place: an interrupted build never leaves a
 * half-written binary in the cache. Prints progress, since the first build takes minutes.
 */
async function buildWithGo(go: string, target: string, env: NodeJS.ProcessEnv, log: (line: string) => void): Promise<string> {
  const version = spawnSync(go, ['version'], { encoding: 'utf8' }).stdout.trim();
  const staging = join(cacheRoot(env), 'temporal-cli', `.build-${process.pid}`);
  rmSync(staging, { recursive: true, force: true });
  mkdirSync(staging, { recursive: true });
  log(`building the Temporal CLI ${TEMPORAL_CLI_VERSION} from source with ${version || go}.`);
  log('This happens once per machine and takes a few minutes; later runs reuse the cached binary.');

  const started = Date.now();
  let packages = 0;
  let lastLine = '';
  const child = spawn(go, ['install', '-v', `${TEMPORAL_CLI_MODULE}@${TEMPORAL_CLI_VERSION}`], {
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
    log(`still building (${Math.floor(secs / 60)}m${String(secs % 60).padStart(2, '0')}s, ${packages} packages compiled)…`);
  }, 15_000);
  const code = await new Promise<number | null>((resolve, reject) => {
    child.on('error', reject);
    child.on('exit', resolve);
  }).finally(() => clearInterval(ticker));
  if (code !== 0) {
    rmSync(staging, { recursive: true, force: true });
    throw new Error(`go install exited with ${code}: ${lastLine}`);
  }
  mkdirSync(join(target, '..'), { recursive: true });
  renameSync(join(staging, 'temporal'), target);
  rmSync(staging, { recursive: true, force: true });
  log(`built ${target} in ${Math.round((Date.now() - started) / 1000)} s.`);
  return target;
}
