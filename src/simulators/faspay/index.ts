export { startFaspaySimulator, type FaspayCredentials, type FaspaySimulator, type FaspaySimulatorOptions } from './server';
export { scenarioFor, holderName } from './scenarios';
