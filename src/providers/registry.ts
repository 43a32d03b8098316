// Builds the provider adapters the configuration enables. The workflow names a provider by key only;
// this registry is the one place that knows which adapter serves which key.
import type { ProviderRegistry } from '../../activities';
import type { Config } from '../config';
import type { ProviderKey } from '../domain/payout';
import { createSingapayProvider } from './singapay';

export function createProviderRegistry(config: Pick<Config, 'singapay'>): ProviderRegistry {
  return {
    ...(config.singapay && { singapay: createSingapayProvider(config.singapay) }),
  };
}

/** The providers a deployment with this configuration can pay through (the API refuses the others). */
export function availableProviders(config: Pick<Config, 'singapay'>): ProviderKey[] {
  return Object.keys(createProviderRegistry(config)) as ProviderKey[];
}
