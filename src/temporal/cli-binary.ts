// Finds a `temporal` CLI binary for the local dev server, in the order the design asks for:
//   1. TEMPORAL_CLI_PATH          2. `temporal` on the PATH       3. a build cached by an earlier run
//   4. the SDK's own download (works online; fails fast offline)
//   5. building github.com/temporalio/cli/cmd/temporal at a pinned version with Go, if Go is present.
// Builds and downloads are cached outside the repository, so every clone on the machine reuses them.
import { existsSync, mkdirSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { cacheRoot, findGo, findOnPath, goInstall, isExecutable } from './go-install';

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

export function cachedBuildPath(env: NodeJS.ProcessEnv = process.env): string {
  return join(cacheRoot(env), 'temporal-cli', TEMPORAL_CLI_VERSION, 'temporal');
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

  const go = findGo(env);
  if (!go) {
    attempts.push(`building ${TEMPORAL_CLI_MODULE}@${TEMPORAL_CLI_VERSION}: Go is not installed`);
  } else if (options.allowGoBuild === false) {
    attempts.push(`building ${TEMPORAL_CLI_MODULE}@${TEMPORAL_CLI_VERSION}: skipped`);
  } else {
    try {
      return await goInstall(go, { title: 'the Temporal CLI', path: TEMPORAL_CLI_MODULE, version: TEMPORAL_CLI_VERSION }, cached, env, log);
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
