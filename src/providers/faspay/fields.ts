// Our domain values in Faspay's request fields: e-money platform codes, the 15-character
// description, and a virtual-account number split into SNAP's partnerServiceId + customerNo.
import type { Ewallet } from '../../domain/payout';

/** Faspay's e-money platforms (provider pages, 38 `platformCode`). ShopeePay is not one of them. */
export const PLATFORM_CODES = { OVO: 'ovo', GOPAY: 'gpy', DANA: 'dna', LINKAJA: 'lkj' } as const satisfies Partial<Record<Ewallet, string>>;
export type PlatformCode = (typeof PLATFORM_CODES)[keyof typeof PLATFORM_CODES];

export function platformCodeOf(ewallet: Ewallet): PlatformCode | undefined {
  return (PLATFORM_CODES as Partial<Record<Ewallet, PlatformCode>>)[ewallet];
}

export const DESCRIPTION_MAX = 15;

/**
 * transactionDescription: Faspay cuts it to 15 characters and refuses one with "fee" in it (provider pages,
 * 18). We cut it ourselves, so what we send is what is recorded, and drop every "fee" (any case,
 * inside words too: the refusal is about the letters), so a payout's description never makes the
 * trigger fail. Nothing left → no description.
 */
export function transactionDescription(description: string | undefined): string | undefined {
  let text = description ?? '';
  while (/fee/i.test(text)) text = text.replace(/fee/gi, ' ');
  text = text.replace(/\s+/g, ' ').trim().slice(0, DESCRIPTION_MAX).trim();
  return text === '' ? undefined : text;
}

/** SNAP's partnerServiceId: the company code, left-padded with spaces to 8 characters. */
export const PARTNER_SERVICE_ID_LENGTH = 8;
// How many of a VA number's digits are the company code is an assumption (faspay.va-company-code-digits,
// assumptions.ts): the provider pages' sample uses 3 ("     126" for biller 014), Faspay's SDK sample 4.

export function splitVirtualAccount(virtualAccountNo: string, companyCodeDigits: number): { partnerServiceId: string; customerNo: string } {
  const digits = Math.min(Math.max(companyCodeDigits, 1), PARTNER_SERVICE_ID_LENGTH, virtualAccountNo.length - 1);
  return {
    partnerServiceId: virtualAccountNo.slice(0, digits).padStart(PARTNER_SERVICE_ID_LENGTH, ' '),
    customerNo: virtualAccountNo.slice(digits),
  };
}
