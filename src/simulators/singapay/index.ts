export { startSingapaySimulator, type SingapayCredentials, type SingapaySimulator, type SingapaySimulatorOptions } from './server';
export { scenarioFor, holderName, MIN_AMOUNT, MAX_AMOUNT } from './scenarios';
export { TOKEN_LIFETIME_S, TIMESTAMP_WINDOW_MS } from './auth';
