// The scenario table of simulators.md: the last four digits of the customer number pick an outcome.
import { scenarioOf } from '../common';

export interface Scenario {
  /** Account inquiry and trigger answer "account not found". */
  accountNotFound: boolean;
  /** The trigger's money moves, but its HTTP answer never comes back. */
  loseTriggerAnswer: boolean;
  /** The trigger is refused for insufficient balance. */
  insufficientBalance: boolean;
  /** Calls answered 503 before the number behaves (per operation). */
  unavailableCalls: number;
  maxAmount: number;
  /** The status that status check number `n` (1-based) moves a pending transfer to. */
  statusAtCheck(n: number): '03' | '00' | '06';
}

export const MIN_AMOUNT = 10_000;
export const MAX_AMOUNT = 2_000_000;

export function scenarioFor(customerNumber: string): Scenario {
  const key = scenarioOf(customerNumber);
  const base: Scenario = {
    accountNotFound: false,
    loseTriggerAnswer: false,
    insufficientBalance: false,
    unavailableCalls: 0,
    maxAmount: MAX_AMOUNT,
    // Any other number: a short pending phase, then success.
    statusAtCheck: (n) => (n >= 2 ? '00' : '03'),
  };
  switch (key) {
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
      return { ...base, maxAmount: 50_000 };
    default:
      return base;
  }
}

/** A deterministic holder name for a number (the seed's sandbox number is Dhany's). */
export function holderName(customerNumber: string): string {
  if (customerNumber === '62811742234') return 'Dhany';
  const names = ['Siti Rahayu', 'Budi Santoso', 'Dewi Lestari', 'Agus Wijaya', 'Rina Kusuma', 'Hendra Gunawan', 'Putri Maharani', 'Joko Susilo'];
  const sum = [...customerNumber].reduce((acc, digit) => acc + Number(digit), 0);
  return names[sum % names.length]!;
}
