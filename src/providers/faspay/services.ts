// The SNAP services of Faspay SendMe we use: path and two-digit service code (the provider's public
// pages on SNAP disbursement; docs/providers/faspay.md "Operations").
// The service code is the middle of every response code (HTTP 3 + service 2 + case 2), so a client
// and the simulator must agree on it per path.

export const FASPAY_PREFIX = '/account/v1.0';

export const FASPAY_SERVICES = {
  balanceInquiry: { code: '11', path: `${FASPAY_PREFIX}/balance-inquiry` },
  transactionHistory: { code: '12', path: `${FASPAY_PREFIX}/transaction-history-list` },
  accountInquiry: { code: '16', path: `${FASPAY_PREFIX}/account-inquiry-external` },
  transferInterbank: { code: '18', path: `${FASPAY_PREFIX}/transfer-interbank` },
  vaInquiry: { code: '32', path: `${FASPAY_PREFIX}/transfer-va/inquiry-intrabank` },
  vaPayment: { code: '33', path: `${FASPAY_PREFIX}/transfer-va/payment-intrabank` },
  transferStatus: { code: '36', path: `${FASPAY_PREFIX}/transfer/status` },
  emoneyTopup: { code: '38', path: `${FASPAY_PREFIX}/emoney/topup` },
  emoneyTopupStatus: { code: '39', path: `${FASPAY_PREFIX}/emoney/topup-status` },
} as const;

export type FaspayService = keyof typeof FASPAY_SERVICES;
export type ServiceCode = (typeof FASPAY_SERVICES)[FaspayService]['code'];

/** The money-moving services whose status the two status services answer, by their `serviceCode`. */
export type TransferServiceCode = '18' | '33' | '38';
