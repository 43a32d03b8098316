// The provider catalog an API under test is given, for tests that start the API without a whole stack.
import type { CallbackHandler, ProviderCatalog } from '../../src/domain/provider-port';
import { faspayModule, type FaspaySettings } from '../../src/providers/faspay/module';
import { PROVIDER_MODULES } from '../../src/registry';
import { singapayModule, type SingapaySettings } from '../../src/providers/singapay/module';

/** The registry's providers, `available` of them configured, with callback verifiers for the keys given. */
export function testCatalog(available: readonly string[], keys: { singapaySecret?: string; faspayCallbackPublicKey?: string } = {}): ProviderCatalog {
  const callbacks: Record<string, CallbackHandler> = {};
  if (keys.singapaySecret) callbacks.singapay = singapayModule.callbacks({ clientSecret: keys.singapaySecret } as SingapaySettings)!;
  if (keys.faspayCallbackPublicKey) callbacks.faspay = faspayModule.callbacks({ callbackPublicKeyPem: keys.faspayCallbackPublicKey } as FaspaySettings)!;
  return {
    known: PROVIDER_MODULES.map(({ key, name, capabilities }) => ({ key, name, capabilities })),
    available,
    callbacks,
  };
}
