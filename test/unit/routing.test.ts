import type { Destination } from '../../src/domain/payout';
import { canServe, defaultProvider } from '../../src/domain/routing';

const ewallet = (ewallet: 'DANA' | 'OVO' | 'GOPAY' | 'SHOPEEPAY' | 'LINKAJA'): Destination => ({ type: 'EWALLET', ewallet, customerNumber: '081200000000' });

describe('routing (api.md "Default route")', () => {
  test.each(['DANA', 'OVO', 'GOPAY', 'SHOPEEPAY'] as const)('%s routes to singapay', (name) => {
    expect(defaultProvider(ewallet(name))).toBe('singapay');
  });
  test('LINKAJA, bank accounts and virtual accounts route to faspay', () => {
    expect(defaultProvider(ewallet('LINKAJA'))).toBe('faspay');
    expect(defaultProvider({ type: 'BANK_ACCOUNT', bankCode: '014', accountNumber: '12345' })).toBe('faspay');
    expect(defaultProvider({ type: 'VIRTUAL_ACCOUNT', billerCode: '123', virtualAccountNumber: '12345' })).toBe('faspay');
  });
  test('singapay serves only its four e-wallets; faspay has no ShopeePay platform', () => {
    expect(canServe('singapay', ewallet('LINKAJA'))).toBe(false);
    expect(canServe('singapay', { type: 'BANK_ACCOUNT', bankCode: '014', accountNumber: '12345' })).toBe(false);
    expect(canServe('faspay', ewallet('SHOPEEPAY'))).toBe(false);
    expect(canServe('faspay', ewallet('DANA'))).toBe(true);
  });
});
