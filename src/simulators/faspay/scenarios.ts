// The scenario table of simulators.md: the last four digits of the bank account, e-money customer
// number or virtual-account number pick an outcome, the same table as the Singapay simulator's.
import type { TransactionStatus } from '../../providers/faspay/codes';
import { scenarioOf } from '../common';

export interface Scenario {
  /** Inquiry and trigger answer "invalid account" (404xx11). */
  accountNotFound: boolean;
  /** The trigger's money moves, but its HTTP answer never comes back. */
  loseTriggerAnswer: boolean;
  /** The trigger is refused for insufficient funds (403xx14) whatever the balance. */
  insufficientBalance: boolean;
  /** Calls answered 503 before the number behaves (per operation). */
  unavailableCalls: number;
  /** Largest amount one trigger may carry (403xx02 above it). */
  maxAmount: number;
  /** The status that status check number `n` (1-based) moves a pending transfer to. */
  statusAtCheck(n: number): TransactionStatus;
}

/** A plausible per-transfer cap for every other number (BI-FAST's is 250 million rupiah). */
export const DEFAULT_MAX_AMOUNT = 250_000_000;
export const LIMITED_MAX_AMOUNT = 50_000;

export function scenarioFor(number: string): Scenario {
  const base: Scenario = {
    accountNotFound: false,
    loseTriggerAnswer: false,
    insufficientBalance: false,
    unavailableCalls: 0,
    maxAmount: DEFAULT_MAX_AMOUNT,
    // Any other number: a short pending phase, then success.
    statusAtCheck: (n) => (n >= 2 ? '00' : '03'),
  };
  switch (scenarioOf(number)) {
    case '0000':
      return { ...base, statusAtCheck: () => '00' };
    case '1111':
      return { ...base, statusAtCheck: (n) => (n >= 4 ? '00' : '03') };
    case '2222':
      return { ...base, statusAtCheck: (n) => (n >= 2 ? '06' : '03') };
    case '3333':
      return { ...base, statusAtCheck: () => '03' };
    case '4040':
      return { ...base, accountNotFound: true };
    case '5003':
      return { ...base, unavailableCalls: 2, statusAtCheck: () => '00' };
    case '7777':
      return { ...base, loseTriggerAnswer: true, statusAtCheck: () => '00' };
    case '8888':
      return { ...base, insufficientBalance: true };
    case '9999':
      return { ...base, maxAmount: LIMITED_MAX_AMOUNT };
    default:
      return base;
  }
}

const NAMES = ['Siti Rahayu', 'Budi Santoso', 'Dewi Lestari', 'Agus Wijaya', 'Rina Kusuma', 'Hendra Gunawan', 'Putri Maharani', 'Joko Susilo'];

/** A deterministic holder name for a number. */
export function holderName(number: string): string {
  const sum = [...number].reduce((acc, ch) => acc + (Number(ch) || 0), 0);
  return NAMES[sum % NAMES.length]!;
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

/** The name of a bank code or e-money platform code; undefined when the simulator knows neither. */
export function institutionName(code: string): string | undefined {
  if (PLATFORMS[code]) return PLATFORMS[code];
  if (BANKS[code]) return BANKS[code];
  return /^\d{3}$/.test(code) ? `BANK ${code}` : undefined;
}
