// Builds the provider adapters the configuration enables. The workflow names a provider by key only;
// this registry is the one place that knows which adapter serves which key.
import type { ProviderRegistry } from '../../activities';
import type { Config } from '../config';
import type { ProviderKey } from '../domain/payout';
import { createFaspayProvider } from './faspay';
import { createSingapayProvider } from './singapay';

type ProviderSettings = Pick<Config, 'singapay' | 'faspay'>;

export function createProviderRegistry(config: ProviderSettings): ProviderRegistry {
  return {
    ...(config.singapay && { singapay: createSingapayProvider(config.singapay) }),
    ...(config.faspay && { faspay: createFaspayProvider(config.faspay) }),
  };
}

/** The providers a deployment with this configuration can pay through (the API refuses the others). */
export function availableProviders(config: ProviderSettings): ProviderKey[] {
  return (['singapay', 'faspay'] as const).filter((key) => config[key] !== undefined);
}
