// The request fields Singapay's e-wallet top-up pages define, built from our transfer order.
import { formatRupiah } from '../../domain/money';
import type { Ewallet } from '../../domain/payout';
import { ProviderCallError, type TransferOrder } from '../../domain/provider-port';
import { TOKEN_PATH } from './access-token';
import type { SingapayAssumptionSettings } from './assumptions';

export const SINGAPAY_PATHS = {
  token: TOKEN_PATH,
  inquiry: '/api/v2.0/ewallet/account-inquiry',
  trigger: '/api/v2.0/ewallet/trigger-topup',
  status: (accountId: string) => `/api/v2.0/ewallet/${encodeURIComponent(accountId)}/inquiry-status`,
  /** The other reading of singapay.status-path: the account id in the body, as the other two calls. */
  statusAccountInBody: '/api/v2.0/ewallet/inquiry-status',
} as const;

/** The inquiry status call for a reference, as singapay.status-path assumes it. */
export function statusRequest(accountId: string, reference: string, statusPath: SingapayAssumptionSettings['statusPath']): { path: string; body: Record<string, unknown> } {
  return statusPath === 'account-in-body'
    ? { path: SINGAPAY_PATHS.statusAccountInBody, body: { account_id: accountId, reference_number: reference } }
    : { path: SINGAPAY_PATHS.status(accountId), body: { reference_number: reference } };
}

/** The e-wallets of the trigger page's `ewallet_code` (LinkAja is Faspay's only). */
export const SINGAPAY_EWALLETS: readonly Ewallet[] = ['DANA', 'OVO', 'GOPAY', 'SHOPEEPAY'];

export const NOTES_MAX_LENGTH = 50;

/**
 * `notes`: at most 50 characters of letters, digits, spaces and "/". Accents are folded ("café" →
 * "cafe") and anything else dropped. The page also allows non-Latin letters, but we send ASCII
 * only: every byte of the body is signed, and ASCII leaves no room for the two sides to disagree
 * on escaping. Nothing usable left: no notes at all (the field is optional).
 */
export function singapayNotes(description: string | undefined): string | undefined {
  const cleaned = (description ?? '')
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/[^A-Za-z0-9 /]/g, '')
    .replace(/ {2,}/g, ' ')
    .trim()
    .slice(0, NOTES_MAX_LENGTH)
    .trim();
  return cleaned === '' ? undefined : cleaned;
}

/** What inquiry and trigger share: our account, the e-wallet, the customer, the net amount. */
export function ewalletFields(accountId: string, order: TransferOrder) {
  const d = order.destination;
  if (d.type !== 'EWALLET' || !SINGAPAY_EWALLETS.includes(d.ewallet)) {
    throw new ProviderCallError('MISCONFIGURED', `Singapay cannot pay to ${d.type === 'EWALLET' ? d.ewallet : d.type}`, { mayHaveArrived: false });
  }
  return {
    account_id: accountId,
    ewallet_code: d.ewallet,
    customer_number: d.customerNumber,
    amount: { value: formatRupiah(order.amount), currency: 'IDR' },
  };
}
