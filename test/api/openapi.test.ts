// The OpenAPI document covers every route the router serves, and its examples are valid.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import express from 'express';
import { Client, Connection } from '@temporalio/client';
import { createApp } from '../../src/api/app';
import { createAuthenticator } from '../../src/api/auth';
import { createCodecApp } from '../../src/api/codec-app';
import { buildOpenApiDocument, EXAMPLE_SCHEMAS, EXAMPLES } from '../../src/api/openapi';
import { createLogger } from '../../src/logging';
import { TEST_POLICY } from '../support/policy';
import { testCatalog } from '../support/providers';

interface Layer {
  route?: { path: string; methods: Record<string, boolean> };
  handle?: { stack?: Layer[] };
}

/** Routes of an app, and of its mounted sub-routers (callbacks, webhook endpoints, batches, reconciliations and the console; on the codec listener, the codec). */
function routesOf(app: express.Express): string[] {
  const list = (stack: Layer[], prefix: string) =>
    stack
      .filter((layer) => layer.route)
      .flatMap((layer) => Object.keys(layer.route!.methods).map((m) => `${m} ${prefix}${layer.route!.path.replace(/:(\w+)/g, '{$1}')}`));
  const stack = (app as unknown as { router: { stack: Layer[] } }).router.stack;
  const mounted = stack.filter((layer) => layer.handle?.stack);
  // Express 5 keeps no mount path on the layer: the sub-routers are told apart by their routes.
  const prefixOf = (layer: Layer) => {
    const routes = list(layer.handle!.stack!, '');
    if (routes.some((r) => r.endsWith(' /decode'))) return '/codec';
    if (routes.some((r) => r.endsWith(' /{provider}'))) return '/v1/callbacks';
    if (routes.some((r) => r.endsWith(' /{id}/rotate-secret'))) return '/v1/webhook-endpoints';
    if (routes.some((r) => r.endsWith(' /{id}/retry-unverified'))) return '/v1/batches';
    if (routes.includes('post /') && routes.includes('get /{id}')) return '/v1/reconciliations';
    return '/console';
  };
  // A sub-router's own root ("/console" + "/") is the mount path itself.
  const routes = [...list(stack, ''), ...mounted.flatMap((layer) => list(layer.handle!.stack!, prefixOf(layer)))];
  return routes.map((route) => route.replace(/(.)\/$/, '$1'));
}

describe('OpenAPI 3.1', () => {
  const document = buildOpenApiDocument(testCatalog([]).known);
  const paths = document.paths as Record<string, Record<string, unknown>>;

  test('every route in the router is in the document, and nothing else', async () => {
    const connection = Connection.lazy({ address: '127.0.0.1:1' });
    const app = createApp({
      client: new Client({ connection }),
      taskQueue: 'unused',
      policy: TEST_POLICY,
      authenticator: createAuthenticator(undefined, false),
      providers: testCatalog(['singapay']),
      logger: createLogger({ level: 'silent' }),
    });
    const served = routesOf(app).sort();
    const documented = Object.entries(paths).flatMap(([path, methods]) => Object.keys(methods).map((m) => `${m} ${path}`)).sort();
    expect(served.length).toBeGreaterThanOrEqual(10);
    // The codec endpoint is not on the API's port but on a listener of its own: whatever the
    // document says of /codec must be what that listener serves.
    const isCodec = (route: string) => route.includes(' /codec/');
    expect(served.filter(isCodec)).toEqual([]);
    expect(documented.filter((route) => !isCodec(route))).toEqual(served);
    const codecApp = createCodecApp({
      codec: { encode: async (p) => p, decode: async (p) => p },
      authenticator: createAuthenticator(undefined, false),
      uiOrigin: 'http://localhost:8233',
      admitUiOrigin: false,
      logger: createLogger({ level: 'silent' }),
    });
    expect(routesOf(codecApp)).toEqual(expect.arrayContaining(documented.filter(isCodec)));
    await connection.close();
  });

  test.each(Object.keys(EXAMPLES) as (keyof typeof EXAMPLES)[])('example %s validates against its schema', (name) => {
    expect(EXAMPLE_SCHEMAS[name].safeParse(EXAMPLES[name]).error).toBeUndefined();
  });

  test('it is OpenAPI 3.1 with problem+json errors and bearer auth', () => {
    expect(document.openapi).toBe('3.1.0');
    const create = paths['/v1/payouts']!.post as { responses: Record<string, { content?: Record<string, unknown> }> };
    expect(Object.keys(create.responses)).toEqual(expect.arrayContaining(['201', '400', '401', '409']));
    expect(create.responses['400']!.content).toHaveProperty(['application/problem+json']);
  });

  type Operation = { operationId?: string; security?: unknown[]; parameters?: { in: string }[]; requestBody?: unknown; responses: Record<string, unknown> };
  const operationsOf = () =>
    Object.entries(paths).flatMap(([path, methods]) => Object.entries(methods as Record<string, Operation>).map(([method, op]) => ({ route: `${method} ${path}`, op })));

  test('Redocly lint with the recommended rules (redocly.yaml): no error, no warning', () => {
    const dir = mkdtempSync(join(tmpdir(), 'openapi-lint-'));
    try {
      const file = join(dir, 'openapi.json');
      writeFileSync(file, JSON.stringify(document));
      const root = join(__dirname, '..', '..');
      const run = spawnSync(join(root, 'node_modules', '.bin', 'redocly'), ['lint', file, '--config', join(root, 'redocly.yaml'), '--format', 'json'], {
        cwd: root,
        encoding: 'utf8',
        env: { ...process.env, REDOCLY_TELEMETRY: 'off', REDOCLY_SUPPRESS_UPDATE_NOTICE: 'true' },
        timeout: 60_000,
      });
      const report = JSON.parse(run.stdout) as { totals: { errors: number; warnings: number }; problems: { ruleId: string; message: string }[] };
      expect(report.problems.map((p) => `${p.ruleId}: ${p.message}`)).toEqual([]);
      expect(report.totals).toMatchObject({ errors: 0, warnings: 0 });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('every operation has its own operationId, and says whether it needs an API key', () => {
    const ids = operationsOf().map(({ op }) => op.operationId);
    expect(ids.every((id) => typeof id === 'string' && /^[a-z][A-Za-z]+$/.test(id))).toBe(true);
    expect(new Set(ids).size).toBe(ids.length);
    for (const { route, op } of operationsOf()) expect({ route, security: Array.isArray(op.security) }).toEqual({ route, security: true });
    expect((paths['/healthz']!.get as Operation).security).toEqual([]);
    expect((paths['/v1/payouts']!.post as Operation).security).toEqual([{ apiKey: [] }]);
  });

  test('every operation that takes input documents its client errors; create documents its 200 and 503', () => {
    for (const { route, op } of operationsOf()) {
      const takesInput = (op.security?.length ?? 0) > 0 || op.requestBody !== undefined || (op.parameters?.length ?? 0) > 0;
      if (takesInput) expect({ route, has4xx: Object.keys(op.responses).some((status) => status.startsWith('4')) }).toEqual({ route, has4xx: true });
    }
    const create = paths['/v1/payouts']!.post as Operation;
    expect(Object.keys(create.responses)).toEqual(expect.arrayContaining(['200', '201', '503']));
  });
});
