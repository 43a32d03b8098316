export { createFaspayProvider, type FaspayBalance, type FaspayClientConfig, type FaspayHistoryEntry, type FaspayProvider } from './client';
export { verifyFaspayCallback, signedCallback, type FaspayCallbackRequest, type FaspayCallbackVerification, type VerifyCallbackOptions } from './callback';
export { meaningOf, splitResponseCode, stateOfTransaction, stateOfVaPayment } from './codes';
export { FASPAY_SERVICES } from './services';
export { notificationSchema, type FaspayNotification } from './schemas';
export { loadPrivateKey, loadPublicKey, signRequest, stringToSign, verifyRequest } from './signature';
export { jakartaTimestamp } from './headers';
