import { formatRupiah, parseRupiah, toMoney } from '../../src/domain/money';

describe('money: decimal strings on the wire, integer rupiah inside', () => {
  test.each([
    ['10000.00', 10000],
    ['0.00', 0],
    ['2000000.00', 2000000],
    ['9999999999999.00', 9999999999999],
  ])('parses %s', (text, rupiah) => {
    expect(parseRupiah(text)).toBe(rupiah);
    expect(formatRupiah(rupiah)).toBe(text);
  });

  test.each(['10000', '10000.5', '10000.50', '10000.01', '-1.00', '01.00', '1e4.00', ' 1.00', '1,000.00', ''])('refuses %j', (text) => {
    expect(() => parseRupiah(text)).toThrow(RangeError);
  });

  test('never formats fractions or negatives', () => {
    expect(() => formatRupiah(1.5)).toThrow(RangeError);
    expect(() => formatRupiah(-1)).toThrow(RangeError);
    expect(toMoney(500)).toEqual({ value: '500.00', currency: 'IDR' });
  });
});
