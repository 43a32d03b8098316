export { startSingapaySimulator, type SingapayCredentials, type SingapaySimulator, type SingapaySimulatorOptions } from './server';
export { scenarioFor, holderName } from './scenarios';
