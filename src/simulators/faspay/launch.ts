// Starts the Faspay simulator for npm start and the tests, and says how to configure the service for
// it (the provider list, src/registry.ts, pairs this with the Faspay module).
import type { SimulatorLauncher } from '../../providers/module';
import { startFaspaySimulator } from './server';

export const launchFaspaySimulator: SimulatorLauncher = async (options) => {
  // The simulator makes the merchant key pair and its own callback-signing pair for this run.
  const simulator = await startFaspaySimulator({ port: options.port ?? (options.env.FASPAY_SIMULATOR_PORT as number | undefined) ?? 4020, host: options.host });
  return {
    url: simulator.url,
    controlUrl: simulator.url,
    env: {
      FASPAY_BASE_URL: simulator.url,
      FASPAY_PARTNER_ID: simulator.credentials.partnerId,
      FASPAY_PRIVATE_KEY: simulator.credentials.merchantPrivateKeyPem,
      FASPAY_SOURCE_ACCOUNT: simulator.credentials.sourceAccount,
      FASPAY_CALLBACK_PUBLIC_KEY: simulator.simulatorPublicKeyPem,
    },
    close: () => simulator.close(),
  };
};
