// Entry point: the HTTP API. Configuration from the environment (see README "Configuration").
import { Client, Connection } from '@temporalio/client';
import { createApp } from '../api/app';
import { createAuthenticator, DEVELOPMENT_KEYS } from '../api/auth';
import { loadConfigOrExit } from '../config';
import { createLogger } from '../logging';
import { dataConverterFor } from '../temporal/codec';
import { availableProviders } from '../providers/registry';
import { connectionOptions, describeAccess } from '../temporal/connection';

async function main() {
  const config = loadConfigOrExit();
  const address = config.temporal.address ?? 'localhost:7233';
  // Lazy: the API comes up even while Temporal is down; /readyz says so and routes answer 503.
  const connection = Connection.lazy(connectionOptions(address, config.temporal.access));
  const dataConverter = dataConverterFor(config.temporal.codecKeys);
  const client = new Client({ connection, namespace: config.temporal.namespace, ...(dataConverter && { dataConverter }) });
  const app = createApp({
    client,
    taskQueue: config.temporal.taskQueue,
    policy: config.policy,
    authenticator: createAuthenticator(config.api.keys, config.production),
    availableProviders: availableProviders(config),
    logger: createLogger({ name: 'api' }),
    codec: dataConverter?.payloadCodecs[0],
    ...(config.singapay && { singapaySecret: config.singapay.clientSecret }),
    ...(config.faspayCallbackPublicKey && { faspayCallbackPublicKey: config.faspayCallbackPublicKey }),
    uiOrigin: config.temporal.uiOrigin,
    codecAdmitsUiOrigin: config.temporal.codecAdmitsUiOrigin,
  });
  const server = app.listen(config.api.port, config.api.host, () => {
    console.log(`[api] listening on http://${config.api.host}:${config.api.port} (Temporal ${address}, ${describeAccess(config.temporal.access)})`);
    if (!config.api.keys) {
      console.log(`[api] development API keys: ${DEVELOPMENT_KEYS.map((k) => `${k.key} (${k.principal})`).join(', ')}`);
    }
  });
  server.on('error', (err) => {
    console.error(`[api] cannot listen on ${config.api.host}:${config.api.port}: ${err.message}`);
    process.exit(1);
  });
  const stop = () => {
    server.close(() => {
      void connection.close().finally(() => process.exit(0));
    });
    server.closeIdleConnections();
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  // Under `npm start` an IPC channel ties us to the parent: if it dies, stop too (no orphans).
  process.once('disconnect', stop);
}

main().catch((err) => {
  console.error('[api] failed:', err instanceof Error ? err.message : err);
  process.exit(1);
});
