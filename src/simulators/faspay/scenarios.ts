// Faspay's limits on the shared scenario table of simulators.md (../scenarios.ts), keyed on the bank
// account, e-money customer number or virtual-account number; and the names of banks and platforms.
import { holderName, scenarioFor as sharedScenarioFor, type Scenario } from '../scenarios';

/** A plausible per-transfer cap for every other number (BI-FAST's is 250 million rupiah). */
export const DEFAULT_MAX_AMOUNT = 250_000_000;
export { holderName, type Scenario };

export function scenarioFor(number: string): Scenario {
  return sharedScenarioFor(number, DEFAULT_MAX_AMOUNT);
}

const BANKS: Record<string, string> = {
  '002': 'BANK BRI',
  '008': 'BANK MANDIRI',
  '009': 'BANK BNI',
  '011': 'BANK DANAMON',
  '013': 'BANK PERMATA',
  '014': 'BANK BCA',
  '022': 'BANK CIMB NIAGA',
  '451': 'BANK SYARIAH INDONESIA',
};
const PLATFORMS: Record<string, string> = { ovo: 'OVO', gpy: 'Gopay', dna: 'DANA', lkj: 'LinkAja' };

/** Whether a code is one of Faspay's e-money platform codes (ovo, gpy, dna, lkj). */
export function isPlatformCode(code: string): boolean {
  return Object.hasOwn(PLATFORMS, code);
}

/** The name of a bank code or e-money platform code; undefined when the simulator knows neither. */
export function institutionName(code: string): string | undefined {
  if (PLATFORMS[code]) return PLATFORMS[code];
  if (BANKS[code]) return BANKS[code];
  return /^\d{3}$/.test(code) ? `BANK ${code}` : undefined;
}
