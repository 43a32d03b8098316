// Starts the Singapay simulator for npm start and the tests, and says how to configure the service
// for it (the provider list, src/registry.ts, pairs this with the Singapay module).
import type { SimulatorLauncher } from '../../providers/module';
import { startSingapaySimulator } from './server';

export const launchSingapaySimulator: SimulatorLauncher = async (options) => {
  const simulator = await startSingapaySimulator({
    port: options.port ?? (options.env.SINGAPAY_SIMULATOR_PORT as number | undefined) ?? 4010,
    host: options.host,
    // Singapay posts its webhooks to the merchant's configured notification URL: ours.
    notificationUrl: options.callbackUrl,
  });
  return {
    url: simulator.url,
    controlUrl: simulator.url,
    env: {
      SINGAPAY_BASE_URL: simulator.url,
      SINGAPAY_CLIENT_ID: simulator.credentials.clientId,
      SINGAPAY_CLIENT_SECRET: simulator.credentials.clientSecret,
      SINGAPAY_API_KEY: simulator.credentials.apiKey,
      SINGAPAY_ACCOUNT_ID: simulator.credentials.accountId,
    },
    close: () => simulator.close(),
  };
};
