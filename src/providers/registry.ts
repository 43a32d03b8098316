// The providers this service can pay through: one line per provider module. Everything else (the
// configuration, the API's routes and checks, OpenAPI, the console, npm start, the go-live check)
// learns the providers from this list. docs/adding-a-provider.md walks through adding one.
import type { ProviderCatalog } from '../domain/provider-port';
import { faspayModule } from './faspay/module';
import type { ConfiguredProvider, ProviderModule } from './module';
import { singapayModule } from './singapay/module';

export const PROVIDER_MODULES: readonly ProviderModule[] = [
  singapayModule as ProviderModule,
  faspayModule as ProviderModule,
];

/** What the API needs to know of the providers: all of them, which are configured, their callback verifiers. */
export function providerCatalog(modules: readonly ProviderModule[], configured: readonly ConfiguredProvider[]): ProviderCatalog {
  return {
    known: modules.map(({ key, name, capabilities }) => ({ key, name, capabilities })),
    available: configured.map(({ module }) => module.key),
    callbacks: Object.fromEntries(
      configured.flatMap(({ module, settings }) => {
        const handler = module.callbacks(settings);
        return handler ? [[module.key, handler]] : [];
      }),
    ),
  };
}

/** The configured providers' clients, by key, for the worker's activities. */
export function createProviders(configured: readonly ConfiguredProvider[]) {
  return Object.fromEntries(configured.map(({ module, settings }) => [module.key, module.createProvider(settings)]));
}
