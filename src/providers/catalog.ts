// What the processes build from the provider list (src/registry.ts) and the configuration: the API's
// catalog of providers, and the worker's clients.
import type { ProviderCatalog } from '../domain/provider-port';
import type { ConfiguredProvider, ProviderModule } from './module';

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
