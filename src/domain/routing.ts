// Which provider serves which destination, from the providers' declared capabilities. Pure.
import type { Destination } from './payout';
import type { ProviderCapabilities, ProviderDescription } from './provider-port';

export function canServe(capabilities: ProviderCapabilities, destination: Destination): boolean {
  switch (destination.type) {
    case 'EWALLET':
      return capabilities.ewallets.includes(destination.ewallet);
    case 'BANK_ACCOUNT':
      return capabilities.bankAccounts;
    case 'VIRTUAL_ACCOUNT':
      return capabilities.virtualAccounts;
  }
}

function isDefaultFor(capabilities: ProviderCapabilities, destination: Destination): boolean {
  const { defaultFor } = capabilities;
  switch (destination.type) {
    case 'EWALLET':
      return defaultFor.ewallets.includes(destination.ewallet);
    case 'BANK_ACCOUNT':
      return defaultFor.bankAccounts === true;
    case 'VIRTUAL_ACCOUNT':
      return defaultFor.virtualAccounts === true;
  }
}

/** The provider a create request without `provider` goes to, or undefined when none is the default. */
export function defaultProvider(destination: Destination, providers: readonly ProviderDescription[]): string | undefined {
  return providers.find(({ capabilities }) => isDefaultFor(capabilities, destination))?.key;
}

/** Why a set of providers cannot route unambiguously (two defaults for one destination, a default not served), or []. */
export function routingProblems(providers: readonly ProviderDescription[]): string[] {
  const problems: string[] = [];
  const claims = new Map<string, string>();
  for (const { key, capabilities } of providers) {
    const { defaultFor } = capabilities;
    const claimed = [
      ...defaultFor.ewallets.map((ewallet) => [`e-wallet ${ewallet}`, capabilities.ewallets.includes(ewallet)] as const),
      ...(defaultFor.bankAccounts ? [['bank accounts', capabilities.bankAccounts] as const] : []),
      ...(defaultFor.virtualAccounts ? [['virtual accounts', capabilities.virtualAccounts] as const] : []),
    ];
    for (const [what, served] of claimed) {
      if (!served) problems.push(`${key} is the default for ${what} but does not serve them`);
      const other = claims.get(what);
      if (other) problems.push(`${key} and ${other} are both the default for ${what}`);
      claims.set(what, key);
    }
  }
  return problems;
}
