import type { Destination } from '../../src/domain/payout';
import { canServe, defaultProvider, routingProblems } from '../../src/domain/routing';
import { PROVIDER_MODULES } from '../../src/registry';

const providers = PROVIDER_MODULES;
const capabilitiesOf = (key: string) => providers.find((module) => module.key === key)!.capabilities;

const ewallet = (ewallet: 'DANA' | 'OVO' | 'GOPAY' | 'SHOPEEPAY' | 'LINKAJA'): Destination => ({ type: 'EWALLET', ewallet, customerNumber: '081200000000' });

describe('routing (docs/api.md "Default route"), from the registry\'s capabilities', () => {
  test.each(['DANA', 'OVO', 'GOPAY', 'SHOPEEPAY'] as const)('%s routes to singapay', (name) => {
    expect(defaultProvider(ewallet(name), providers)).toBe('singapay');
  });
  test('LINKAJA, bank accounts and virtual accounts route to faspay', () => {
    expect(defaultProvider(ewallet('LINKAJA'), providers)).toBe('faspay');
    expect(defaultProvider({ type: 'BANK_ACCOUNT', bankCode: '014', accountNumber: '12345' }, providers)).toBe('faspay');
    expect(defaultProvider({ type: 'VIRTUAL_ACCOUNT', billerCode: '123', virtualAccountNumber: '12345' }, providers)).toBe('faspay');
  });
  test('singapay serves only its four e-wallets; faspay has no ShopeePay platform', () => {
    expect(canServe(capabilitiesOf('singapay'), ewallet('LINKAJA'))).toBe(false);
    expect(canServe(capabilitiesOf('singapay'), { type: 'BANK_ACCOUNT', bankCode: '014', accountNumber: '12345' })).toBe(false);
    expect(canServe(capabilitiesOf('faspay'), ewallet('SHOPEEPAY'))).toBe(false);
    expect(canServe(capabilitiesOf('faspay'), ewallet('DANA'))).toBe(true);
  });
  test("the registry's providers route unambiguously; two defaults for one destination, or a default not served, are named", () => {
    expect(routingProblems(providers)).toEqual([]);
    const other = { key: 'other', name: 'Other', capabilities: { ewallets: [], bankAccounts: false, virtualAccounts: false, defaultFor: { ewallets: ['DANA' as const], bankAccounts: true } } };
    expect(routingProblems([...providers, other])).toEqual([
      'other is the default for e-wallet DANA but does not serve them',
      'other and singapay are both the default for e-wallet DANA',
      'other is the default for bank accounts but does not serve them',
      'other and faspay are both the default for bank accounts',
    ]);
  });
});
