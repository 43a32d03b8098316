// The OpenAPI document covers every route the router serves, and its examples are valid.
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

/** Routes of an app, and of its mounted sub-routers (callbacks and the console; on the codec listener, the codec). */
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
    return '/console';
  };
  return [...list(stack, ''), ...mounted.flatMap((layer) => list(layer.handle!.stack!, prefixOf(layer)))];
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
});
