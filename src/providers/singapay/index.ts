// Singapay e-wallet top-up: the client (a PayoutProvider), its signatures, and its code mapping.
export { createSingapayProvider, type SingapayClientConfig, type SingapayProvider } from './client';
export { singapayNotes, SINGAPAY_PATHS, SINGAPAY_EWALLETS } from './fields';
export { canonicalJson } from './canonical-json';
export {
  bodyHash,
  jakartaDate,
  jakartaTimestamp,
  requestSignature,
  signBody,
  signatureMatches,
  tokenSignature,
  verifyRequestSignature,
  verifySingapayCallback,
  xTimestamp,
  type TimestampFormat,
} from './signature';
export { inquiryDecision, meaningOf, RESPONSE_CODES, stateOf, statusDecision, TRANSACTION_STATUSES, triggerDecision } from './codes';
export { webhookSchema } from './schemas';
