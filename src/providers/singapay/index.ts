export { createSingapayProvider, singapayNotes, SINGAPAY_PATHS, type SingapayClientConfig } from './client';
export { canonicalJson } from './canonical-json';
export { verifyRequestSignature, requestSignature, signBody, tokenSignature, jakartaDate, jakartaTimestamp } from './signature';
export { meaningOf, stateOf } from './codes';
export { webhookSchema } from './schemas';
