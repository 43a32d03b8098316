// Runs `temporal server start-dev` as a child process: SQLite persistence when given a file, the Web
// UI on its own port (or headless), bound to loopback. Waits until the frontend answers, registers
// the project's search attributes, and stops the server with SIGTERM so SQLite closes cleanly.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { Connection } from '@temporalio/client';
import { ensureSearchAttributes } from './search-attributes';

export interface DevServerOptions {
  binary: string;
  ip?: string;
  port: number;
  /** Web UI port; omit for a headless server (tests). */
  uiPort?: number;
  /** SQLite file; omit for an in-memory server. */
  dbFile?: string;
  namespace?: string;
  /** More namespaces to create and register the search attributes in (tests isolate with them). */
  extraNamespaces?: string[];
  /** Lets the Web UI decode payloads through our codec endpoint (see the API's /codec routes). */
  uiCodecEndpoint?: string;
  /** Register the project's search attributes once up (default true). */
  registerSearchAttributes?: boolean;
  startupTimeoutMs?: number;
  /** The server's own log level (default warn); `npm start` uses error to keep the console readable. */
  logLevel?: 'debug' | 'info' | 'warn' | 'error';
  log?: (line: string) => void;
}

export interface DevServer {
  address: string;
  uiUrl?: string;
  child: ChildProcess;
  stop(): Promise<void>;
}

/**
 * Starts the dev server; when it dies at start-up because a port was taken, tries again (3 attempts
 * in all). The CLI picks its HTTP API port itself ("a random free port") and binds it moments later,
 * so another process that is also starting (a parallel test file) can take it in between.
 */
export async function startDevServer(options: DevServerOptions): Promise<DevServer> {
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await startDevServerOnce(options);
    } catch (err) {
      if (attempt >= 3 || !/address already in use/.test((err as Error).message)) throw err;
      options.log?.(`a port was taken while the dev server started; starting it again (attempt ${attempt + 1} of 3)`);
    }
  }
}

async function startDevServerOnce(options: DevServerOptions): Promise<DevServer> {
  const ip = options.ip ?? '127.0.0.1';
  const namespace = options.namespace ?? 'default';
  const log = options.log ?? (() => undefined);
  const args = ['server', 'start-dev', '--ip', ip, '--port', String(options.port), '--log-level', options.logLevel ?? 'warn'];
  const namespaces = [namespace, ...(options.extraNamespaces ?? [])];
  for (const ns of namespaces) args.push('--namespace', ns);
  if (options.uiPort !== undefined) args.push('--ui-port', String(options.uiPort), '--ui-ip', ip);
  else args.push('--headless');
  if (options.dbFile) {
    mkdirSync(dirname(options.dbFile), { recursive: true });
    args.push('--db-filename', options.dbFile);
  }
  if (options.uiCodecEndpoint) args.push('--ui-codec-endpoint', options.uiCodecEndpoint);
  // Search attributes added at run time are visible to the next query at once, not after a cache refresh.
  args.push('--dynamic-config-value', 'system.forceSearchAttributesCacheRefreshOnRead=true');
  // Activities a workflow task schedules go straight back to the worker that completed it, instead of
  // through the task queue: each provider call of a payout then starts at once (same retries, same
  // attempt numbers), which keeps normal activities about as fast as local ones were.
  args.push('--dynamic-config-value', 'system.enableActivityEagerExecution=true');
  // Provider rate limits (src/temporal/rate-limits.ts) need no value here: server 1.29 takes
  // UpdateTaskQueueConfig as it is. Eager execution does not bypass them: it applies only to activities
  // on the workflow's own task queue, and provider calls run on their provider's.

  const child = spawn(options.binary, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const collect = (chunk: Buffer) => {
    const text = chunk.toString();
    output = (output + text).slice(-4000);
    for (const line of text.split('\n')) if (line.trim()) log(line.trimEnd());
  };
  child.stdout?.on('data', collect);
  child.stderr?.on('data', collect);
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));

  const address = `${ip}:${options.port}`;
  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    await exited;
    clearTimeout(timer);
  };

  try {
    await waitUntilReady(address, namespaces, options.startupTimeoutMs ?? 60_000, exited, () => output, options.registerSearchAttributes ?? true);
  } catch (err) {
    await stop();
    throw err;
  }
  return { address, uiUrl: options.uiPort !== undefined ? `http://${ip}:${options.uiPort}` : undefined, child, stop };
}

async function waitUntilReady(
  address: string,
  namespaces: string[],
  timeoutMs: number,
  exited: Promise<number | null>,
  output: () => string,
  registerSearchAttributes: boolean,
): Promise<void> {
  let exitCode: number | null | undefined;
  void exited.then((code) => (exitCode = code));
  const deadline = Date.now() + timeoutMs;
  let lastError = '';
  while (Date.now() < deadline) {
    if (exitCode !== undefined) {
      throw new Error(`the Temporal dev server exited (code ${exitCode}) while starting:\n${output()}`);
    }
    try {
      const connection = await Connection.connect({ address, connectTimeout: 1_000 });
      try {
        for (const namespace of namespaces) {
          await connection.workflowService.describeNamespace({ namespace });
          if (registerSearchAttributes) await ensureSearchAttributes(connection, namespace);
        }
        return;
      } finally {
        await connection.close();
      }
    } catch (err) {
      lastError = (err as Error).message;
      await new Promise((r) => setTimeout(r, 250));
    }
  }
  throw new Error(`the Temporal dev server at ${address} did not answer within ${timeoutMs} ms (${lastError})`);
}
