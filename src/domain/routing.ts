// Which provider serves which destination (api.md, "Default route"). Pure.
import type { Destination, ProviderKey } from './payout';

export function defaultProvider(destination: Destination): ProviderKey {
  switch (destination.type) {
    case 'EWALLET':
      return destination.ewallet === 'LINKAJA' ? 'faspay' : 'singapay';
    case 'BANK_ACCOUNT':
    case 'VIRTUAL_ACCOUNT':
      return 'faspay';
  }
}

/** Singapay tops up DANA, OVO, GoPay and ShopeePay only; Faspay serves banks, VAs and its e-money platforms. */
export function canServe(provider: ProviderKey, destination: Destination): boolean {
  switch (provider) {
    case 'singapay':
      return destination.type === 'EWALLET' && destination.ewallet !== 'LINKAJA';
    case 'faspay':
      return destination.type !== 'EWALLET' || destination.ewallet !== 'SHOPEEPAY';
  }
}
