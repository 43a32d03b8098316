// The stack's Node services, each started with its compose command (`node --import tsx src/bin/…`)
// from the repository, its output in a log file of its own.
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from './compose';

export interface ServiceProcess {
  name: string;
  child: ChildProcess;
  logFile: string;
  /** Resolves once a line matches; rejects if the process exits first or `timeoutMs` passes. */
  ready(line: RegExp, timeoutMs?: number): Promise<void>;
  /** Resolves with the exit code. */
  exited: Promise<number | null>;
  /** SIGTERM, then SIGKILL after `graceMs`. */
  stop(graceMs?: number): Promise<void>;
  kill(): Promise<void>;
}

export function startService(name: string, command: string[], env: Record<string, string>, logDir: string): ServiceProcess {
  const [program, ...args] = command;
  if (program !== 'node') throw new Error(`${name}: expected a node command, got ${command.join(' ')}`);
  const logFile = join(logDir, `${name}.log`);
  const out = createWriteStream(logFile, { flags: 'a' });
  const child = spawn(process.execPath, args, { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let recent = '';
  const collect = (chunk: Buffer) => {
    recent = (recent + chunk.toString()).slice(-20_000);
    out.write(chunk);
  };
  child.stdout!.on('data', collect);
  child.stderr!.on('data', collect);
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  void exited.then(() => out.end());
  const alive = () => child.exitCode === null && child.signalCode === null;
  return {
    name,
    child,
    logFile,
    exited,
    ready: async (line, timeoutMs = 120_000) => {
      const deadline = Date.now() + timeoutMs;
      while (!line.test(recent)) {
        if (!alive()) throw new Error(`${name} exited (${child.exitCode ?? child.signalCode}):\n${recent.slice(-3_000)}`);
        if (Date.now() > deadline) throw new Error(`${name} did not print ${line} within ${timeoutMs} ms:\n${recent.slice(-3_000)}`);
        await new Promise((r) => setTimeout(r, 50));
      }
    },
    stop: async (graceMs = 30_000) => {
      if (!alive()) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      await exited;
      clearTimeout(timer);
    },
    kill: async () => {
      if (!alive()) return;
      child.kill('SIGKILL');
      await exited;
    },
  };
}
