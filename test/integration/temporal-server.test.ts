// The project obtains and runs its own Temporal dev server: binary resolution order, and search
// attributes that exist also when the SQLite file already existed (start-dev ignores
// --search-attribute then, which is why we register them through the operator API).
import { chmodSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Connection } from '@temporalio/client';
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
