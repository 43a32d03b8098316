// Singapay's limits on the shared scenario table of simulators.md (../scenarios.ts).
import { holderName, scenarioFor as sharedScenarioFor, type Scenario } from '../scenarios';

export { holderName, type Scenario };

export const MIN_AMOUNT = 10_000;
export const MAX_AMOUNT = 2_000_000;

export function scenarioFor(customerNumber: string): Scenario {
  return sharedScenarioFor(customerNumber, MAX_AMOUNT);
}
