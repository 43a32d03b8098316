// The providers this service can pay through: one line per provider, its module and its simulator.
// Everything else (the configuration, the API's routes and checks, OpenAPI, the console, npm start,
// the go-live check) learns the providers from this list. docs/adding-a-provider.md walks through
// adding one. It sits above src/providers and src/simulators, which never import each other's way up:
// the simulators are imported on demand, so production processes never load them.
import { faspayModule } from './providers/faspay/module';
import type { ProviderModule, RegisteredProvider } from './providers/module';
import { singapayModule } from './providers/singapay/module';

export const PROVIDER_MODULES: readonly RegisteredProvider[] = [
  { ...(singapayModule as ProviderModule), startSimulator: async (o) => (await import('./simulators/singapay/launch')).launchSingapaySimulator(o) },
  { ...(faspayModule as ProviderModule), startSimulator: async (o) => (await import('./simulators/faspay/launch')).launchFaspaySimulator(o) },
];
