// The pure parts of Faspay's assumptions: the variables' zod shape (defaults, and a bad value named by
// its variable), the text forms the simulator takes, the fee table, the signed path, the e-money
// refusal rule, and finding a payout's entries in a history such as the provider pages' sample.
import { z } from 'zod';
import type { HistoryEntry } from '../../src/domain/provider-port';
import {
  applyAssumptionTexts,
  DEFAULT_FASPAY_ASSUMPTIONS,
  describeAssumptions,
  FASPAY_ASSUMPTIONS,
  faspayAssumptionEnv,
  faspayAssumptionsFromEnv,
  feeForDestination,
  parseFeeTable,
  signedPathFor,
} from '../../src/providers/faspay/assumptions';
import { refusesEwalletInquiry } from '../../src/providers/faspay/client';
import { accountStateOf } from '../../src/providers/faspay/codes';
import { feeDebited, findPayoutEntries, remarkNames } from '../../src/providers/faspay/history';

const schema = z.object(faspayAssumptionEnv);

describe('the assumption list', () => {
  test('ids are faspay.-prefixed and unique; every default is one of its values or parses', () => {
    const ids = FASPAY_ASSUMPTIONS.map((a) => a.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const a of FASPAY_ASSUMPTIONS) {
      expect(a.id).toMatch(/^faspay\.[a-z-]+$/);
      expect(a.setting.variable).toMatch(/^FASPAY_[A-Z_]+$/);
      expect(Object.keys(faspayAssumptionEnv)).toContain(a.setting.variable);
      expect(a.setting.values).toContain(a.setting.default);
      expect(describeAssumptions(DEFAULT_FASPAY_ASSUMPTIONS)[a.id]).toBe(a.setting.default);
    }
  });
});

describe('the environment shape', () => {
  test('unset or empty → the defaults', () => {
    expect(faspayAssumptionsFromEnv(schema.parse({}))).toEqual(DEFAULT_FASPAY_ASSUMPTIONS);
    expect(faspayAssumptionsFromEnv(schema.parse({ FASPAY_FEES: '', FASPAY_SIGNED_PATH: ' ' }))).toEqual(DEFAULT_FASPAY_ASSUMPTIONS);
  });

  test('values are parsed', () => {
    const settings = faspayAssumptionsFromEnv(
      schema.parse({
        FASPAY_SIGNED_PATH: 'without-account',
        FASPAY_EWALLET_INQUIRY: 'none',
        FASPAY_VA_COMPANY_CODE_DIGITS: '4, 014:3 ,888:5',
        FASPAY_VA_CALLBACK_FIELD: 'top-level',
        FASPAY_VA_STATUS: 'transfer-status-18',
        FASPAY_FEES: '{"BANK_ACCOUNT":"2500.00","EWALLET:LINKAJA":"1500.00","default":"0.00"}',
        FASPAY_HISTORY_MATCH: 'amount-and-time',
      }),
    );
    expect(settings).toEqual({
      signedPath: 'without-account',
      ewalletInquiry: 'none',
      vaCompanyCodeDigits: { default: 4, byBiller: { '014': 3, '888': 5 } },
      vaCallbackField: 'top-level',
      vaStatus: 'transfer-status-18',
      fees: { BANK_ACCOUNT: 2_500, 'EWALLET:LINKAJA': 1_500, default: 0 },
      historyMatch: 'amount-and-time',
    });
  });

  test.each([
    ['FASPAY_FEES', '{"BANK_ACCOUNT":"1803.50"}'],
    ['FASPAY_FEES', '{"BANK_ACCOUNT":1803}'],
    ['FASPAY_FEES', '{"SHOPEE":"1.00"}'],
    ['FASPAY_FEES', '[1]'],
    ['FASPAY_FEES', 'free'],
    ['FASPAY_VA_COMPANY_CODE_DIGITS', '9'],
    ['FASPAY_VA_COMPANY_CODE_DIGITS', '3,4'],
    ['FASPAY_VA_COMPANY_CODE_DIGITS', '3,014:x'],
    ['FASPAY_SIGNED_PATH', 'both'],
    ['FASPAY_HISTORY_MATCH', 'reference'],
  ])('%s=%s is an issue at that variable', (variable, value) => {
    const parsed = schema.safeParse({ [variable]: value });
    expect(parsed.success).toBe(false);
    expect(parsed.error!.issues.map((i) => i.path.join('.'))).toEqual([variable]);
  });
});

describe('text forms (the simulator control API)', () => {
  test('applyAssumptionTexts: partial, by id; unknown ids and bad values refused', () => {
    const applied = applyAssumptionTexts(DEFAULT_FASPAY_ASSUMPTIONS, { 'faspay.fee-source': '1803.00', 'faspay.va-company-code-digits': '4' });
    expect(applied).toEqual({ ok: true, value: { ...DEFAULT_FASPAY_ASSUMPTIONS, fees: { default: 1_803 }, vaCompanyCodeDigits: { default: 4, byBiller: {} } } });
    expect(applyAssumptionTexts(DEFAULT_FASPAY_ASSUMPTIONS, { 'faspay.other': 'x' }).ok).toBe(false);
    expect(applyAssumptionTexts(DEFAULT_FASPAY_ASSUMPTIONS, { 'faspay.va-status': 'transfer-status-38' }).ok).toBe(false);
    expect(applyAssumptionTexts(DEFAULT_FASPAY_ASSUMPTIONS, { 'faspay.va-status': 18 }).ok).toBe(false);
  });

  test('the text form round-trips', () => {
    const settings = { ...DEFAULT_FASPAY_ASSUMPTIONS, fees: { 'BANK_ACCOUNT:014': 1_803 }, vaCompanyCodeDigits: { default: 3, byBiller: { '888': 4 } } };
    const texts = describeAssumptions(settings);
    expect(texts).toMatchObject({ 'faspay.fee-source': '{"BANK_ACCOUNT:014":"1803.00"}', 'faspay.va-company-code-digits': '3,888:4' });
    expect(applyAssumptionTexts(DEFAULT_FASPAY_ASSUMPTIONS, texts)).toEqual({ ok: true, value: settings });
  });
});

describe('fees', () => {
  const table = parseFeeTable('{"default":"3000.00","BANK_ACCOUNT":"2500.00","BANK_ACCOUNT:014":"1803.00","EWALLET:LINKAJA":"1500.00","VIRTUAL_ACCOUNT:888":"0.00"}');
  test('the most specific key wins: type:code, then type, then default; none → 0', () => {
    if (!table.ok) throw new Error(table.message);
    const fees = table.value;
    expect(feeForDestination(fees, { type: 'BANK_ACCOUNT', bankCode: '014', accountNumber: '1' })).toBe(1_803);
    expect(feeForDestination(fees, { type: 'BANK_ACCOUNT', bankCode: '002', accountNumber: '1' })).toBe(2_500);
    expect(feeForDestination(fees, { type: 'EWALLET', ewallet: 'LINKAJA', customerNumber: '1' })).toBe(1_500);
    expect(feeForDestination(fees, { type: 'EWALLET', ewallet: 'OVO', customerNumber: '1' })).toBe(3_000);
    expect(feeForDestination(fees, { type: 'VIRTUAL_ACCOUNT', billerCode: '888', virtualAccountNumber: '1' })).toBe(0);
    expect(feeForDestination({}, { type: 'EWALLET', ewallet: 'OVO', customerNumber: '1' })).toBe(0);
  });
  test('one amount is a default for every transfer', () => {
    expect(parseFeeTable('"1803.00"')).toEqual({ ok: true, value: { default: 1_803 } });
    expect(parseFeeTable('1803.00')).toEqual({ ok: true, value: { default: 1_803 } });
    expect(parseFeeTable('1803').ok).toBe(false);
  });
});

describe('the signed path', () => {
  test('with-account signs the URL path; without-account drops /account', () => {
    expect(signedPathFor('/account/v1.0/account-inquiry-external', 'with-account')).toBe('/account/v1.0/account-inquiry-external');
    expect(signedPathFor('/account/v1.0/account-inquiry-external', 'without-account')).toBe('/v1.0/account-inquiry-external');
  });
});

describe('an e-money inquiry refused: the method or the account', () => {
  test('404xx11 is the account; 400xx0x about the bank code is the method; about the account number it is the account', () => {
    expect(refusesEwalletInquiry({ responseCode: '4041611', responseMessage: 'Invalid Account' })).toBe(false);
    expect(refusesEwalletInquiry({ responseCode: '4001601', responseMessage: 'Invalid Field Format beneficiaryBankCode' })).toBe(true);
    expect(refusesEwalletInquiry({ responseCode: '4001600', responseMessage: 'Bad Request' })).toBe(true);
    expect(refusesEwalletInquiry({ responseCode: '4001601', responseMessage: 'Invalid Field Format beneficiaryAccountNo' })).toBe(false);
    expect(refusesEwalletInquiry({ responseCode: '4031615', responseMessage: 'Transaction Not Permitted' })).toBe(false);
    expect(refusesEwalletInquiry({ responseCode: '2001600', responseMessage: 'ok' })).toBe(false);
  });
});

describe('balance account status (11)', () => {
  test('the table\'s codes, also in the sample\'s 4-digit form', () => {
    expect(['1', '0001', '2', '4', '6', '7', '9', '0009', '3'].map(accountStateOf)).toEqual(['ACTIVE', 'ACTIVE', 'CLOSED', 'NEW', 'RESTRICTED', 'FROZEN', 'DORMANT', 'DORMANT', 'UNKNOWN']);
  });
});

describe('findPayoutEntries', () => {
  // The provider pages' history sample (12), as the client maps it.
  const entry = (at: string, amount: number, remark: string, type: string, dc: 'D' | 'K'): HistoryEntry => ({
    at,
    amount,
    remark,
    type,
    status: 'SUCCESS',
    direction: dc === 'K' ? 'CREDIT' : 'DEBIT',
  });
  const sample = [
    entry('2025-06-12T13:44:50+07:00', 20_000, 'Reimburse 20250612 9920461912 OPJZka2Ga5mo1D6hwIw5', 'SEND_MONEY', 'D'),
    entry('2025-06-12T13:44:58+07:00', 1_803, 'fee 9920017564 OPJZka2Ga5mo1D6hwIw5_1749710686257450_149793_FEE', 'PAYMENT', 'D'),
    entry('2025-06-12T13:51:24+07:00', 20_000, 'Reimburse 20250612 9920461912 V3Bd64L2aAEzifkGFS2r_REVERSAL', 'SEND_MONEY', 'D'),
    entry('2025-06-12T13:51:31+07:00', 20_000, 'Reimburse 20250612 V3Bd64L2aAEzifkGFS2r', 'SEND_MONEY', 'K'),
    entry('2025-06-12T13:52:17+07:00', 20_000, 'Reimburse 20250612 MR55D6CHtnqQbIt3esJt', 'SEND_MONEY', 'K'),
  ];

  test('by remark: the transfer and its fee debit', () => {
    const found = findPayoutEntries(sample, { reference: 'OPJZka2Ga5mo1D6hwIw5', amount: 20_000 }, 'remark');
    expect(found.map((f) => [f.role, f.entry.amount])).toEqual([
      ['transfer', 20_000],
      ['fee', 1_803],
    ]);
    expect(feeDebited(found)).toBe(1_803);
    expect(findPayoutEntries(sample, { reference: 'V3Bd64L2aAEzifkGFS2r', amount: 20_000 }, 'remark').map((f) => f.role)).toEqual(['transfer', 'refund']);
  });

  test('a reference inside a longer one is not a match', () => {
    expect(remarkNames('Transfer 20250612 FT-10', 'FT-1')).toBe(false);
    expect(remarkNames('Transfer 20250612 FT-1', 'FT-1')).toBe(true);
    expect(remarkNames('fee 99 FT-1_123_FEE', 'FT-1')).toBe(true);
    expect(remarkNames('xFT-1', 'FT-1')).toBe(false);
  });

  test('by amount and time: within the window, the fee only when its amount is expected', () => {
    const at = '2025-06-12T13:44:49+07:00';
    expect(findPayoutEntries(sample, { reference: 'unused', amount: 20_000, fee: 1_803, at, windowMs: 60_000 }, 'amount-and-time').map((f) => [f.role, f.entry.amount])).toEqual([
      ['transfer', 20_000],
      ['fee', 1_803],
    ]);
    expect(findPayoutEntries(sample, { reference: 'unused', amount: 20_000, at, windowMs: 60_000 }, 'amount-and-time').map((f) => f.role)).toEqual(['transfer']);
    expect(findPayoutEntries(sample, { reference: 'unused', amount: 20_000, at: '2025-06-12T15:00:00+07:00', windowMs: 60_000 }, 'amount-and-time')).toEqual([]);
  });
});
