// The project obtains and runs its own Temporal dev server: binary resolution order, and search
// attributes that exist also when the SQLite file already existed (start-dev ignores
// --search-attribute then, which is why we register them through the operator API).
import { chmodSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { createServer, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { cachedBuildPath, resolveTemporalBinary, TemporalBinaryNotFoundError } from '../../src/temporal/cli-binary';
import { startDevServer } from '../../src/temporal/dev-server';
import { ensureSearchAttributes } from '../../src/temporal/search-attributes';
import { PAYOUT_SEARCH_ATTRIBUTES } from '../../workflows/search-attributes';
import { freePort } from '../support/ports';

function fakeExecutable(dir: string, name = 'temporal'): string {
  mkdirSync(dir, { recursive: true });
  const path = join(dir, name);
  writeFileSync(path, '#!/bin/sh\necho fake\n');
  chmodSync(path, 0o755);
  return path;
}

describe('finding the temporal binary', () => {
  const quiet = { log: () => undefined, allowDownload: false, allowGoBuild: false };
  const base = () => mkdtempSync(join(tmpdir(), 'payouts-bin-'));

  test('TEMPORAL_CLI_PATH wins over everything else', async () => {
    const dir = base();
    const explicit = fakeExecutable(join(dir, 'explicit'));
    fakeExecutable(join(dir, 'path'));
    const env = { TEMPORAL_CLI_PATH: explicit, PATH: join(dir, 'path'), PAYOUTS_CACHE_DIR: join(dir, 'cache') };
    await expect(resolveTemporalBinary({ ...quiet, env })).resolves.toBe(explicit);
  });

  test('a TEMPORAL_CLI_PATH that is not executable is an error naming the variable', async () => {
    const env = { TEMPORAL_CLI_PATH: '/nonexistent/temporal', PATH: '', PAYOUTS_CACHE_DIR: base() };
    await expect(resolveTemporalBinary({ ...quiet, env })).rejects.toThrow(/TEMPORAL_CLI_PATH=\/nonexistent\/temporal/);
  });

  test('then `temporal` on the PATH, then the cached build', async () => {
    const dir = base();
    const onPath = fakeExecutable(join(dir, 'path'));
    const env = { PATH: join(dir, 'path'), PAYOUTS_CACHE_DIR: join(dir, 'cache') };
    const cached = cachedBuildPath(env);
    fakeExecutable(join(cached, '..'));
    await expect(resolveTemporalBinary({ ...quiet, env })).resolves.toBe(onPath);
    await expect(resolveTemporalBinary({ ...quiet, env: { ...env, PATH: '' } })).resolves.toBe(cached);
  });

  test('nothing available: a clear error listing every place tried', async () => {
    const env = { PATH: '', PAYOUTS_CACHE_DIR: base() };
    const err = await resolveTemporalBinary({ ...quiet, env }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TemporalBinaryNotFoundError);
    const message = (err as Error).message;
    for (const step of ['TEMPORAL_CLI_PATH', 'on the PATH', 'cached build', "SDK's download", 'github.com/temporalio/cli/cmd/temporal@v1.5.1']) {
      expect(message).toContain(step);
    }
  });
});

describe('dev server with a persisted SQLite file', () => {
  test('search attributes are registered also when the database file already existed', async () => {
    const binary = await resolveTemporalBinary({ log: () => undefined });
    const dbFile = join(mkdtempSync(join(tmpdir(), 'payouts-db-')), 'temporal.db');
    const names = PAYOUT_SEARCH_ATTRIBUTES.map((k) => k.name).sort();
    const registered = async (address: string) => {
      const connection = await Connection.connect({ address });
      try {
        const { customAttributes } = await connection.operatorService.listSearchAttributes({ namespace: 'default' });
        return Object.keys(customAttributes ?? {}).filter((n) => names.includes(n)).sort();
      } finally {
        await connection.close();
      }
    };

    // A database made by a plain dev server, without our attributes.
    const plain = await startDevServer({ binary, port: await freePort(), dbFile, registerSearchAttributes: false });
    expect(await registered(plain.address)).toEqual([]);
    await plain.stop();

    // Our start on the existing file adds them; a second registration is a no-op.
    const ours = await startDevServer({ binary, port: await freePort(), dbFile });
    try {
      expect(await registered(ours.address)).toEqual(names);
      const connection = await Connection.connect({ address: ours.address });
      await expect(ensureSearchAttributes(connection, 'default')).resolves.toEqual([]);
      await connection.close();
    } finally {
      await ours.stop();
    }
  }, 90_000);
});

describe('dev server start-up when a port is taken', () => {
  // The CLI picks its HTTP API port itself and binds it a moment later, so a parallel starter can take
  // it in between. Here the gRPC port is held instead, and let go once the first attempt has failed.
  test('it starts again and comes up once the port is free; a port that stays taken fails after 3 attempts', async () => {
    const binary = await resolveTemporalBinary({ log: () => undefined });
    // Holds a port; release() also drops the connections our readiness probe opened to it, which the
    // gRPC client would otherwise keep reusing for the same address.
    const hold = async (port: number) => {
      const sockets = new Set<Socket>();
      const blocker = createServer((socket) => sockets.add(socket));
      await new Promise<void>((resolve) => blocker.listen(port, '127.0.0.1', resolve));
      return { release: () => (blocker.close(), sockets.forEach((s) => s.destroy())) };
    };

    const port = await freePort();
    const blocker = await hold(port);
    const lines: string[] = [];
    const server = await startDevServer({
      binary,
      port,
      log: (line) => {
        lines.push(line);
        if (line.includes('starting it again')) blocker.release();
      },
    });
    try {
      expect(lines.filter((l) => l.includes('starting it again'))).toEqual(['a port was taken while the dev server started; starting it again (attempt 2 of 3)']);
      const connection = await Connection.connect({ address: server.address });
      await connection.workflowService.getSystemInfo({});
      await connection.close();
    } finally {
      await server.stop();
    }

    const taken = await freePort();
    const stays = await hold(taken);
    const attempts: string[] = [];
    try {
      await expect(startDevServer({ binary, port: taken, log: (l) => l.includes('starting it again') && attempts.push(l) })).rejects.toThrow(/address already in use/);
      expect(attempts).toHaveLength(2);
    } finally {
      stays.release();
    }
  }, 120_000);
});

describe('prepare-namespace (the one-shot docker-compose runs before workers start)', () => {
  test('creates a missing namespace with the configured retention, registers the search attributes, creates the reconciliation Schedule; a second run changes nothing; off deletes it', async () => {
    const namespace = `fresh-${Date.now()}`;
    const run = (schedule = '0 2 * * *') =>
      spawnSync(process.execPath, ['--import', 'tsx', 'src/bin/prepare-namespace.ts'], {
        cwd: join(__dirname, '..', '..'),
        env: { ...process.env, TEMPORAL_ADDRESS: process.env.TEST_TEMPORAL_ADDRESS, TEMPORAL_NAMESPACE: namespace, TEMPORAL_NAMESPACE_RETENTION_DAYS: '45', RECONCILIATION_SCHEDULE: schedule },
        encoding: 'utf8',
        timeout: 60_000,
      });
    const first = run();
    expect({ status: first.status, stderr: first.stderr }).toEqual({ status: 0, stderr: '' });
    expect(first.stdout).toContain(`created namespace ${namespace} (retention 45 days)`);
    expect(first.stdout).toContain('registered search attributes: PayoutStatus');
    expect(first.stdout).toContain('reconciliation schedule reconciliation-daily.payouts: "0 2 * * *" in Asia/Jakarta (created; next run ');

    const connection = await Connection.connect({ address: process.env.TEST_TEMPORAL_ADDRESS! });
    try {
      const described = await connection.workflowService.describeNamespace({ namespace });
      expect(Number(described.config?.workflowExecutionRetentionTtl?.seconds)).toBe(45 * 24 * 3600);
      const attributes = await connection.operatorService.listSearchAttributes({ namespace });
      expect(Object.keys(attributes.customAttributes ?? {})).toEqual(expect.arrayContaining(PAYOUT_SEARCH_ATTRIBUTES.map((a) => a.name)));
      const schedule = await new Client({ connection, namespace }).schedule.getHandle('reconciliation-daily.payouts').describe();
      expect({ timezone: schedule.spec.timezone, workflowType: schedule.action.workflowType, taskQueue: schedule.action.taskQueue }).toEqual({
        timezone: 'Asia/Jakarta',
        workflowType: 'reconciliationWorkflow',
        taskQueue: 'payouts',
      });
    } finally {
      await connection.close();
    }

    const second = run();
    expect(second.status).toBe(0);
    expect(second.stdout).toContain(`namespace ${namespace} exists`);
    expect(second.stdout).toContain('search attributes already registered');
    expect(second.stdout).toContain('reconciliation schedule reconciliation-daily.payouts: "0 2 * * *" in Asia/Jakarta (unchanged; next run ');

    const off = run('off');
    expect(off.status).toBe(0);
    expect(off.stdout).toContain('reconciliation schedule off (RECONCILIATION_SCHEDULE=off): deleted the Schedule reconciliation-daily.payouts');
  }, 120_000);
});
