// Money is a decimal string on the wire ("10000.00") and integer rupiah inside: never a float.
// IDR has no minor unit in practice; the providers accept only ".00" values.

export const CURRENCY = 'IDR' as const;

export interface Money {
  value: string;
  currency: typeof CURRENCY;
}

/** A positive or zero whole-rupiah amount with exactly two decimals, both zero. */
export const RUPIAH_PATTERN = /^(0|[1-9]\d{0,14})\.00$/;

/** Parses "10000.00" into 10000. Throws on anything that is not whole rupiah with two decimals. */
export function parseRupiah(value: string): number {
  if (!RUPIAH_PATTERN.test(value)) {
    throw new RangeError(`not a whole-rupiah amount with two decimals: ${JSON.stringify(value)}`);
  }
  const rupiah = Number(value.slice(0, -3));
  if (!Number.isSafeInteger(rupiah)) throw new RangeError(`amount too large: ${value}`);
  return rupiah;
}

export function formatRupiah(rupiah: number): string {
  if (!Number.isSafeInteger(rupiah) || rupiah < 0) {
    throw new RangeError(`not a whole, non-negative rupiah amount: ${rupiah}`);
  }
  return `${rupiah}.00`;
}

export function toMoney(rupiah: number): Money {
  return { value: formatRupiah(rupiah), currency: CURRENCY };
}
