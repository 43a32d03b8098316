import { createPayoutSchema, parseIsoDuration } from '../../src/api/schemas';

describe('ISO-8601 durations for approvalTimeout', () => {
  test.each([
    ['PT1S', 1_000],
    ['PT24H', 86_400_000],
    ['P7D', 604_800_000],
    ['P1W', 604_800_000],
    ['P1DT2H30M', 95_400_000],
    ['PT0.5S', 500],
  ])('%s is %d ms', (text, ms) => expect(parseIsoDuration(text)).toBe(ms));

  test.each(['', 'P', 'PT', '24H', 'PT-1S', 'P1Y', 'PT1.2345S', 'p1d'])('%j is not a duration', (text) => {
    expect(parseIsoDuration(text)).toBeUndefined();
  });
});

describe('create body', () => {
  const schema = createPayoutSchema(() => Date.parse('2026-11-22T00:00:00Z'), ['singapay', 'faspay']);
  const valid = {
    reference: 'INV-2026-0001',
    destination: { type: 'EWALLET', ewallet: 'DANA', customerNumber: '085733347341' },
    amount: { value: '10000.00', currency: 'IDR' },
  };

  test('the api.md example is valid', () => {
    const parsed = schema.parse({
      ...valid,
      description: 'Cashback November',
      provider: 'singapay',
      beneficiaryEmail: 'dhany@example.com',
      approvalTimeout: 'PT24H',
      scheduledAt: '2026-11-23T09:00:00+07:00',
    });
    expect(parsed.approvalTimeout).toBe(86_400_000);
  });

  test('a reference of 65 characters is refused, 64 accepted', () => {
    expect(schema.safeParse({ ...valid, reference: 'a'.repeat(64) }).success).toBe(true);
    expect(schema.safeParse({ ...valid, reference: 'a'.repeat(65) }).success).toBe(false);
  });

  test('prototype-pollution keys are unknown fields, refused', () => {
    const body = JSON.parse(`{"reference":"x","destination":{"type":"EWALLET","ewallet":"DANA","customerNumber":"085733347341"},"amount":{"value":"1.00","currency":"IDR"},"__proto__":{"admin":true}}`);
    expect(schema.safeParse(body).success).toBe(false);
  });
});
