// Entry point: the HTTP API, and, when payloads are encrypted, the codec endpoint for the Web UI on
// a listener of its own (CODEC_HOST:CODEC_PORT, never the public API port). Configuration from the
// environment (see README "Configuration").
import type { Server } from 'node:http';
import { Client, Connection } from '@temporalio/client';
import type { Express } from 'express';
import { createApp } from '../api/app';
import { createAuthenticator, DEVELOPMENT_KEYS } from '../api/auth';
import { createCodecApp } from '../api/codec-app';
import { loadConfigOrExit } from '../config';
import { createLogger } from '../logging';
import { dataConverterFor } from '../temporal/codec';
import { providerCatalog } from '../providers/catalog';
import { connectionOptions, describeAccess } from '../temporal/connection';

async function main() {
  const config = loadConfigOrExit();
  const address = config.temporal.address ?? 'localhost:7233';
  // Lazy: the API comes up even while Temporal is down; /readyz says so and routes answer 503.
  const connection = Connection.lazy(connectionOptions(address, config.temporal.access));
  const dataConverter = dataConverterFor(config.temporal.codecKeys);
  const client = new Client({ connection, namespace: config.temporal.namespace, ...(dataConverter && { dataConverter }) });
  const authenticator = createAuthenticator(config.api.keys, config.production);
  const logger = createLogger({ name: 'api' });
  const app = createApp({
    client,
    taskQueue: config.temporal.taskQueue,
    policy: config.policy,
    authenticator,
    providers: providerCatalog(config.providerModules, config.providers),
    decisionTimeoutMs: config.api.decisionTimeoutMs,
    logger,
    webhooks: config.webhooks,
    approvals: config.approvals,
  });
  const codec = dataConverter?.payloadCodecs[0];
  // Without encryption there is nothing to decode: no codec listener, no port open for it.
  const codecApp = codec
    ? createCodecApp({ codec, authenticator, uiOrigin: config.temporal.uiOrigin, admitUiOrigin: config.temporal.codecAdmitsUiOrigin, logger })
    : undefined;
  // The codec first: once "listening on" is printed (npm start waits for it), the Web UI can decrypt.
  const codecServer = codecApp && (await listen(codecApp, config.codec.host, config.codec.port, 'CODEC_HOST', 'CODEC_PORT'));
  const server = await listen(app, config.api.host, config.api.port, 'API_HOST', 'API_PORT');
  if (codecServer) console.log(`[api] codec endpoint for the Web UI on http://${config.codec.host}:${config.codec.port}/codec`);
  console.log(`[api] listening on http://${config.api.host}:${config.api.port} (Temporal ${address}, ${describeAccess(config.temporal.access)})`);
  if (!config.api.keys) {
    console.log(`[api] development API keys: ${DEVELOPMENT_KEYS.map((k) => `${k.key} (${k.principal})`).join(', ')}`);
  }
  const servers = [server, ...(codecServer ? [codecServer] : [])];
  const stop = () => {
    let open = servers.length;
    for (const s of servers) {
      s.close(() => {
        open -= 1;
        if (open === 0) void connection.close().finally(() => process.exit(0));
      });
      s.closeIdleConnections();
    }
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  // Under `npm start` an IPC channel ties us to the parent: if it dies, stop too (no orphans).
  process.once('disconnect', stop);
}

/** Listens, or exits naming the variables that chose the address (a port taken, a host not ours). */
function listen(app: Express, host: string, port: number, hostVariable: string, portVariable: string): Promise<Server> {
  return new Promise((resolve) => {
    // Express 5 also calls this back with the error; the error handler below answers that.
    const server = app.listen(port, host, (err?: Error) => {
      if (!err) resolve(server);
    });
    server.on('error', (err) => {
      console.error(`[api] cannot listen on ${host}:${port} (${hostVariable}, ${portVariable}): ${err.message}`);
      process.exit(1);
    });
  });
}

main().catch((err) => {
  console.error('[api] failed:', err instanceof Error ? err.message : err);
  process.exit(1);
});
