// The scenario table of simulators.md, one table for both simulators: the last four digits of the
// customer, account or virtual-account number pick an outcome. Each simulator maps these outcomes
// onto its own codes.
import { scenarioOf } from './common';

/** The statuses a scenario moves a pending transfer to (providers.md's 03, 00 and 06). */
export type ScenarioStatus = '03' | '00' | '06';

export interface Scenario {
  /** Inquiry and trigger answer "account not found". */
  accountNotFound: boolean;
  /** The trigger's money moves, but its HTTP answer never comes back. */
  loseTriggerAnswer: boolean;
  /** The trigger is refused for insufficient balance, whatever the balance. */
  insufficientBalance: boolean;
  /** Calls answered 503 before the number behaves (per operation). */
  unavailableCalls: number;
  /** Largest amount one transfer may carry. */
  maxAmount: number;
  /** The status that status check number `n` (1-based) moves a pending transfer to. */
  statusAtCheck(n: number): ScenarioStatus;
  /** Outside the table: with a simulator's `settleAfterMs`, the transfer succeeds on its own. */
  settlesOnItsOwn: boolean;
}

/** The cap of scenario 9999. */
export const LIMITED_MAX_AMOUNT = 50_000;

/** The scenario for `number`; `defaultMaxAmount` is the simulator's cap for every other number. */
export function scenarioFor(number: string, defaultMaxAmount: number): Scenario {
  const base: Scenario = {
    accountNotFound: false,
    loseTriggerAnswer: false,
    insufficientBalance: false,
    unavailableCalls: 0,
    maxAmount: defaultMaxAmount,
    // Any other number: a short pending phase, then success.
    statusAtCheck: (n) => (n >= 2 ? '00' : '03'),
    settlesOnItsOwn: false,
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
      return { ...base, settlesOnItsOwn: true };
  }
}

const NAMES = ['Siti Rahayu', 'Budi Santoso', 'Dewi Lestari', 'Agus Wijaya', 'Rina Kusuma', 'Hendra Gunawan', 'Putri Maharani', 'Joko Susilo'];

/** A deterministic holder name for a number (the Singapay seed's sandbox number is Dhany's). */
export function holderName(number: string): string {
  if (number === '62811742234') return 'Dhany';
  const sum = [...number].reduce((acc, ch) => acc + (Number(ch) || 0), 0);
  return NAMES[sum % NAMES.length]!;
}
