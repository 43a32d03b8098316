// The fee the simulated Faspay charges a transfer, by the fee table it holds (faspay.fee-source):
// the same for a trigger (transfers.ts) and for a transfer the control API records (breaks.ts).
import type { Ewallet } from '../../domain/payout';
import { feeFor, type FaspayAssumptionSettings } from '../../providers/faspay/assumptions';
import { PLATFORM_CODES } from '../../providers/faspay/fields';
import type { SimDestination } from './ledger';

/** The fee for a destination (the fee table's keys are the client's: e-wallet names, not platform codes). */
export function feeOf(settings: Pick<FaspayAssumptionSettings, 'fees'>, d: SimDestination): number {
  switch (d.type) {
    case 'BANK_ACCOUNT':
      return feeFor(settings.fees, { type: 'BANK_ACCOUNT', code: d.bankCode });
    case 'EWALLET': {
      const ewallet = (Object.entries(PLATFORM_CODES) as [Ewallet, string][]).find(([, code]) => code === d.platformCode)?.[0] ?? d.platformCode;
      return feeFor(settings.fees, { type: 'EWALLET', code: ewallet });
    }
    case 'VIRTUAL_ACCOUNT':
      return feeFor(settings.fees, { type: 'VIRTUAL_ACCOUNT', code: d.billerCode });
  }
}
