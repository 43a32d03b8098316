// Entry point: the Singapay simulator on its own (npm start runs it in-process). Credentials come
// from SINGAPAY_CLIENT_ID / _CLIENT_SECRET / _API_KEY / _ACCOUNT_ID when set (docker-compose shares
// them with the worker), else they are generated and printed once.
import { startSingapaySimulator } from '../simulators/singapay';

async function main() {
  const port = Number(process.env.SINGAPAY_SIMULATOR_PORT ?? 4010);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    console.error('Invalid configuration:\n  - SINGAPAY_SIMULATOR_PORT: must be a port number');
    process.exit(1);
  }
  const env = process.env;
  const simulator = await startSingapaySimulator({
    port,
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
  // Local test credentials of a simulator, not secrets of a real account.
  console.log(JSON.stringify({ singapaySimulator: simulator.url, ...simulator.credentials }));
  const stop = () => void simulator.close().then(() => process.exit(0));
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

void main();
