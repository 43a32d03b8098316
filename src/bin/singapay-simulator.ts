// Entry point: the Singapay simulator on its own (npm start runs it in-process). It listens on
// SINGAPAY_SIMULATOR_PORT (default 4010) and prints its URL and credentials as JSON on one line.
// Credentials come from SINGAPAY_CLIENT_ID / _CLIENT_SECRET / _API_KEY / _ACCOUNT_ID when set
// (docker-compose shares them with the worker), else they are generated.
import { startSingapaySimulator } from '../simulators/singapay';

function portFromEnv(raw: string | undefined): number {
  if (raw === undefined || raw === '') return 4010;
  const port = Number(raw);
  if (!Number.isInteger(port) || port < 0 || port > 65_535) {
    console.error('Invalid configuration:\n  - SINGAPAY_SIMULATOR_PORT: must be a port number (0-65535)');
    process.exit(1);
  }
  return port;
}

async function main(): Promise<void> {
  const env = process.env;
  const simulator = await startSingapaySimulator({
    port: portFromEnv(env.SINGAPAY_SIMULATOR_PORT),
    host: env.SINGAPAY_SIMULATOR_HOST ?? '127.0.0.1',
    credentials: {
      ...(env.SINGAPAY_CLIENT_ID && { clientId: env.SINGAPAY_CLIENT_ID }),
      ...(env.SINGAPAY_CLIENT_SECRET && { clientSecret: env.SINGAPAY_CLIENT_SECRET }),
      ...(env.SINGAPAY_API_KEY && { apiKey: env.SINGAPAY_API_KEY }),
      ...(env.SINGAPAY_ACCOUNT_ID && { accountId: env.SINGAPAY_ACCOUNT_ID }),
    },
    ...(env.SINGAPAY_NOTIFICATION_URL && { notificationUrl: env.SINGAPAY_NOTIFICATION_URL }),
    log: (line) => console.log(`[singapay-sim] ${line}`),
  });
  // The simulator's own local credentials, printed so a person or a script can configure the
  // client against it; they are not a real account's secrets.
  console.log(JSON.stringify({ singapaySimulator: simulator.url, ...simulator.credentials }));
  let stopping = false;
  const stop = () => {
    if (stopping) return;
    stopping = true;
    void simulator.close().then(() => process.exit(0));
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main().catch((err: unknown) => {
  console.error(`singapay simulator: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
