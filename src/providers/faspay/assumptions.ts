// The points Faspay's public pages leave open, and the guess the client makes about each: named,
// documented (docs/providers/faspay.md), switchable by an environment variable, and held either way
// by the Faspay simulator (POST /__sim/assumptions), so that a test shows what a wrong guess looks
// like. checkFaspayAssumptions (go-live.ts) settles them against a sandbox.
//
// Every setting has a text form (what the variable and the simulator's control API take) and a
// parsed form (FaspayAssumptionSettings, what the client uses); `ASSUMPTION_CODECS` converts.
import { z } from 'zod';
import { RUPIAH_PATTERN, parseRupiah, formatRupiah } from '../../domain/money';
import type { Destination } from '../../domain/payout';
import type { ProviderAssumption } from '../../domain/provider-port';

export const EWALLET_INQUIRY = ['bank-inquiry', 'none'] as const;
export type EwalletInquiry = (typeof EWALLET_INQUIRY)[number];
export const VA_STATUS = ['transfer-status-33', 'transfer-status-18'] as const;
export type VaStatus = (typeof VA_STATUS)[number];
export const SIGNED_PATH = ['with-account', 'without-account'] as const;
export type SignedPath = (typeof SIGNED_PATH)[number];
export const HISTORY_MATCH = ['remark', 'amount-and-time'] as const;
export type HistoryMatch = (typeof HISTORY_MATCH)[number];
export const VA_CALLBACK_FIELD = ['additional-info', 'top-level'] as const;
export type VaCallbackField = (typeof VA_CALLBACK_FIELD)[number];

/** Company-code digits of a VA number: one length for every biller, and exceptions per biller code. */
export interface VaCompanyCodeDigits {
  default: number;
  byBiller: Readonly<Record<string, number>>;
}

/**
 * Faspay's fee per transfer in whole rupiah, by the most specific key that is present:
 * `BANK_ACCOUNT:<bankCode>`, `EWALLET:<OVO|GOPAY|DANA|LINKAJA>`, `VIRTUAL_ACCOUNT:<billerCode>`, then
 * the destination type alone, then `default`; none → 0.
 */
export type FeeTable = Readonly<Record<string, number>>;

export interface FaspayAssumptionSettings {
  ewalletInquiry: EwalletInquiry;
  vaCompanyCodeDigits: VaCompanyCodeDigits;
  vaStatus: VaStatus;
  signedPath: SignedPath;
  vaCallbackField: VaCallbackField;
  fees: FeeTable;
  historyMatch: HistoryMatch;
}

export const DEFAULT_FASPAY_ASSUMPTIONS: FaspayAssumptionSettings = Object.freeze({
  ewalletInquiry: 'bank-inquiry',
  vaCompanyCodeDigits: Object.freeze({ default: 3, byBiller: Object.freeze({}) }),
  vaStatus: 'transfer-status-33',
  signedPath: 'with-account',
  vaCallbackField: 'additional-info',
  fees: Object.freeze({}),
  historyMatch: 'remark',
});

/** The assumption ids, stable: errors (ProviderCallError.details.assumptions) and verdicts name them. */
export const FASPAY_ASSUMPTION_IDS = {
  signedPath: 'faspay.signed-path',
  ewalletInquiry: 'faspay.ewallet-inquiry',
  vaCompanyCodeDigits: 'faspay.va-company-code-digits',
  vaCallbackField: 'faspay.va-callback-field',
  vaStatus: 'faspay.va-status',
  fees: 'faspay.fee-source',
  historyMatch: 'faspay.history-match',
} as const satisfies Record<keyof FaspayAssumptionSettings, string>;
export type FaspayAssumptionId = (typeof FASPAY_ASSUMPTION_IDS)[keyof FaspayAssumptionSettings];

export const FASPAY_ASSUMPTIONS: readonly ProviderAssumption[] = Object.freeze([
  {
    id: FASPAY_ASSUMPTION_IDS.signedPath,
    summary: 'The path in stringToSign is the full URL path, /account/v1.0/<service>.',
    why:
      'The pages give every sandbox URL as /account/v1.0/…, but the headings of 16, 39, 32 and 33 read /{version}/… without /account ' +
      '(those of 18, 36, 11, 12 and 38 keep it). SNAP signs the relative URL path, which is the full one; the URL requested is the full one either way.',
    setting: { variable: 'FASPAY_SIGNED_PATH', values: SIGNED_PATH, default: 'with-account' },
    settledBy: 'read',
  },
  {
    id: FASPAY_ASSUMPTION_IDS.ewalletInquiry,
    summary: 'An e-money account is inquired with 16 (account-inquiry-external), its platform code (ovo, gpy, dna, lkj) as beneficiaryBankCode.',
    why:
      'The e-money pages have no inquiry service; 38 calls platformCode the "beneficiary bank code", and the e-wallet overview says Faspay registers ' +
      'an unknown beneficiary itself on transfer. With "none" no inquiry is made: the approver sees no holder name from Faspay (39 later answers customerName).',
    setting: { variable: 'FASPAY_EWALLET_INQUIRY', values: EWALLET_INQUIRY, default: 'bank-inquiry' },
    settledBy: 'read',
  },
  {
    id: FASPAY_ASSUMPTION_IDS.vaCompanyCodeDigits,
    summary: 'A virtual-account number splits into a 3-digit company code (partnerServiceId) and the customer number, for every biller unless configured.',
    why:
      'partnerServiceId is "company code, 8 digit left padding space"; the only sample is biller 014, "     126" + "085212344321" (3 digits). ' +
      'Company codes differ by bank, so the length is configurable per biller code ("3,013:4").',
    setting: { variable: 'FASPAY_VA_COMPANY_CODE_DIGITS', values: ['1', '2', '3', '4', '5', '6', '7', '8', '<n>,<billerCode>:<n>,…'], default: '3' },
    settledBy: 'read',
  },
  {
    id: FASPAY_ASSUMPTION_IDS.vaCallbackField,
    summary: "33's callback URL is sent as additionalInfo.callbackUrl.",
    why:
      "33's request table lists callbackURL (mandatory) and instructDate at the top level; its sample sends both inside additionalInfo, as 18 and 38 do. " +
      'We follow the sample; the other form is one setting away.',
    setting: { variable: 'FASPAY_VA_CALLBACK_FIELD', values: VA_CALLBACK_FIELD, default: 'additional-info' },
    settledBy: 'transfer',
  },
  {
    id: FASPAY_ASSUMPTION_IDS.vaStatus,
    summary: 'The status of a virtual-account payment (33) is asked with 36 (transfer/status) and serviceCode "33".',
    why:
      'The pages document no status call for 33; 36 says "use service code 18 to inquiry interbank transfer status", and 39 takes the code of the ' +
      'service it asks about (38), so 36 with "33" is the analogue. The alternative is 36 with "18".',
    setting: { variable: 'FASPAY_VA_STATUS', values: VA_STATUS, default: 'transfer-status-33' },
    settledBy: 'transfer',
  },
  {
    id: FASPAY_ASSUMPTION_IDS.fees,
    summary: "Faspay's fee per transfer is what FASPAY_FEES says (default: none configured, 0); it leaves the balance as a separate history debit.",
    why:
      'No answer carries a fee, and the fee is set by the merchant contract, not by the pages. The history sample shows a separate debit of 1803.00 ' +
      '(type PAYMENT, remark "fee … <reference>_…_FEE") beside a transfer of 20000.00. The default invents no fee: configure the contract\'s fees; ' +
      'the go-live check with a transfer compares the history\'s fee debit with the table.',
    setting: { variable: 'FASPAY_FEES', values: ['{}', '"1803.00"', '{"default":"…","BANK_ACCOUNT":"…","BANK_ACCOUNT:014":"…","EWALLET:LINKAJA":"…","VIRTUAL_ACCOUNT:888":"…"}'], default: '{}' },
    settledBy: 'transfer',
  },
  {
    id: FASPAY_ASSUMPTION_IDS.historyMatch,
    summary: "Our reference (partnerReferenceNo) appears in the remark of a transfer's history (12) entries.",
    why:
      'History entries carry only dateTime, amount, remark, sourceOfFunds, status, type and debitCredit. The sample\'s remarks end in a reference-like ' +
      'token ("… OPJZka2Ga5mo1D6hwIw5", "…_FEE", "…_REVERSAL"), but whose reference it is is not said. Otherwise entries are matched by amount and time.',
    setting: { variable: 'FASPAY_HISTORY_MATCH', values: HISTORY_MATCH, default: 'remark' },
    settledBy: 'transfer',
  },
] satisfies ProviderAssumption[]);

// --- text forms ---

type Parsed<T> = { ok: true; value: T } | { ok: false; message: string };

function parseVaDigits(text: string): Parsed<VaCompanyCodeDigits> {
  const parts = text.split(',').map((p) => p.trim()).filter((p) => p !== '');
  let fallback: number | undefined;
  const byBiller: Record<string, number> = {};
  const digit = (v: string) => (/^[1-8]$/.test(v) ? Number(v) : undefined);
  for (const part of parts) {
    const perBiller = /^(\d{1,8}):(.*)$/.exec(part);
    if (perBiller) {
      const n = digit(perBiller[2]!.trim());
      if (n === undefined) return { ok: false, message: `company-code digits for biller ${perBiller[1]} must be 1 to 8` };
      byBiller[perBiller[1]!] = n;
      continue;
    }
    const n = digit(part);
    if (n === undefined || fallback !== undefined) return { ok: false, message: 'must be a number of digits 1 to 8, optionally followed by ",<billerCode>:<digits>" pairs' };
    fallback = n;
  }
  return { ok: true, value: { default: fallback ?? DEFAULT_FASPAY_ASSUMPTIONS.vaCompanyCodeDigits.default, byBiller } };
}

function formatVaDigits(v: VaCompanyCodeDigits): string {
  return [String(v.default), ...Object.entries(v.byBiller).map(([biller, n]) => `${biller}:${n}`)].join(',');
}

const FEE_KEY = /^(default|BANK_ACCOUNT|EWALLET|VIRTUAL_ACCOUNT|BANK_ACCOUNT:\d{3}|EWALLET:(OVO|GOPAY|DANA|LINKAJA)|VIRTUAL_ACCOUNT:\d{1,8})$/;

/** FASPAY_FEES: a JSON object of "1803.00" strings by key (see FeeTable), or one amount for every transfer. */
export function parseFeeTable(text: string): Parsed<FeeTable> {
  const trimmed = text.trim();
  if (trimmed === '') return { ok: true, value: {} };
  let json: unknown;
  try {
    json = JSON.parse(trimmed);
  } catch {
    json = trimmed;
  }
  // A bare amount, unquoted (1803.00 parses as the number 1803): the text is what is checked.
  if (typeof json === 'number') json = trimmed;
  if (typeof json === 'string') {
    if (!RUPIAH_PATTERN.test(json)) return { ok: false, message: `a fee must be whole rupiah with two zero decimals, like "1803.00" (got ${JSON.stringify(json)})` };
    return { ok: true, value: { default: parseRupiah(json) } };
  }
  if (json === null || typeof json !== 'object' || Array.isArray(json)) return { ok: false, message: 'must be a JSON object of fees, like {"BANK_ACCOUNT":"2500.00"}' };
  const table: Record<string, number> = {};
  for (const [key, value] of Object.entries(json as Record<string, unknown>)) {
    if (!FEE_KEY.test(key)) {
      return { ok: false, message: `unknown key ${JSON.stringify(key)}: use default, BANK_ACCOUNT[:bankCode], EWALLET[:OVO|GOPAY|DANA|LINKAJA] or VIRTUAL_ACCOUNT[:billerCode]` };
    }
    if (typeof value !== 'string' || !RUPIAH_PATTERN.test(value)) {
      return { ok: false, message: `${key}: a fee must be a string of whole rupiah with two zero decimals, like "1803.00"` };
    }
    table[key] = parseRupiah(value);
  }
  return { ok: true, value: table };
}

export function formatFeeTable(table: FeeTable): string {
  return JSON.stringify(Object.fromEntries(Object.entries(table).map(([key, fee]) => [key, formatRupiah(fee)])));
}

const enumCodec = <T extends string>(values: readonly T[]) => ({
  parse: (text: string): Parsed<T> =>
    (values as readonly string[]).includes(text) ? { ok: true, value: text as T } : { ok: false, message: `must be one of ${values.join(', ')}` },
  format: (value: T) => value,
});

/** Text form ↔ parsed form, per setting. */
export const ASSUMPTION_CODECS = {
  ewalletInquiry: enumCodec(EWALLET_INQUIRY),
  vaCompanyCodeDigits: { parse: parseVaDigits, format: formatVaDigits },
  vaStatus: enumCodec(VA_STATUS),
  signedPath: enumCodec(SIGNED_PATH),
  vaCallbackField: enumCodec(VA_CALLBACK_FIELD),
  fees: { parse: parseFeeTable, format: formatFeeTable },
  historyMatch: enumCodec(HISTORY_MATCH),
} satisfies { [K in keyof FaspayAssumptionSettings]: { parse(text: string): Parsed<FaspayAssumptionSettings[K]>; format(value: FaspayAssumptionSettings[K]): string } };

export const SETTING_KEYS = Object.keys(FASPAY_ASSUMPTION_IDS) as (keyof FaspayAssumptionSettings)[];

/** The setting an assumption id names; undefined for an unknown id. */
export function settingOf(id: string): keyof FaspayAssumptionSettings | undefined {
  return SETTING_KEYS.find((key) => FASPAY_ASSUMPTION_IDS[key] === id);
}

/** Every assumption's value in text form, by id: what GET /__sim/assumptions shows and verdicts quote. */
export function describeAssumptions(settings: FaspayAssumptionSettings): Record<string, string> {
  return Object.fromEntries(SETTING_KEYS.map((key) => [FASPAY_ASSUMPTION_IDS[key], (ASSUMPTION_CODECS[key].format as (v: unknown) => string)(settings[key])]));
}

/** Applies `{ "<id>": "<text value>" }` to `base`; the first unknown id or bad value is an error. */
export function applyAssumptionTexts(base: FaspayAssumptionSettings, texts: Record<string, unknown>): Parsed<FaspayAssumptionSettings> {
  const next: Record<string, unknown> = { ...base };
  for (const [id, text] of Object.entries(texts)) {
    const key = settingOf(id);
    if (!key) return { ok: false, message: `unknown assumption ${JSON.stringify(id)}: one of ${Object.values(FASPAY_ASSUMPTION_IDS).join(', ')}` };
    if (typeof text !== 'string') return { ok: false, message: `${id}: the value must be a string` };
    const parsed = (ASSUMPTION_CODECS[key].parse as (t: string) => Parsed<unknown>)(text);
    if (!parsed.ok) return { ok: false, message: `${id}: ${parsed.message}` };
    next[key] = parsed.value;
  }
  return { ok: true, value: next as unknown as FaspayAssumptionSettings };
}

/** The client's settings: the defaults with what is given laid over them. */
export function resolveFaspayAssumptions(given: Partial<FaspayAssumptionSettings> | undefined): FaspayAssumptionSettings {
  const merged = { ...DEFAULT_FASPAY_ASSUMPTIONS };
  for (const key of SETTING_KEYS) {
    const value = given?.[key];
    if (value !== undefined) (merged as Record<string, unknown>)[key] = value;
  }
  return merged;
}

// --- what the settings decide ---

/** Company-code digits for a biller code. */
export function companyCodeDigitsFor(settings: Pick<FaspayAssumptionSettings, 'vaCompanyCodeDigits'>, billerCode: string): number {
  return settings.vaCompanyCodeDigits.byBiller[billerCode] ?? settings.vaCompanyCodeDigits.default;
}

/** The path that goes into stringToSign for a request to `urlPath` (always the full /account/v1.0/… path). */
export function signedPathFor(urlPath: string, signedPath: SignedPath): string {
  return signedPath === 'with-account' ? urlPath : urlPath.replace(/^\/account(?=\/)/, '');
}

/** The fee table's key parts for a destination: its type and its bank, e-wallet or biller code. */
export function feeKeyOf(destination: Destination): { type: Destination['type']; code: string } {
  switch (destination.type) {
    case 'BANK_ACCOUNT':
      return { type: 'BANK_ACCOUNT', code: destination.bankCode };
    case 'EWALLET':
      return { type: 'EWALLET', code: destination.ewallet };
    case 'VIRTUAL_ACCOUNT':
      return { type: 'VIRTUAL_ACCOUNT', code: destination.billerCode };
  }
}

/** Faspay's fee for a transfer: `<TYPE>:<code>`, then `<TYPE>`, then `default`, else 0. */
export function feeFor(table: FeeTable, key: { type: Destination['type']; code: string }): number {
  return table[`${key.type}:${key.code}`] ?? table[key.type] ?? table.default ?? 0;
}

export function feeForDestination(table: FeeTable, destination: Destination): number {
  return feeFor(table, feeKeyOf(destination));
}

// --- configuration ---

/** An environment variable: empty counts as unset (then the default applies). */
const unsetIfEmpty = (v: unknown) => (typeof v === 'string' && v.trim() === '' ? undefined : v);
function textSetting<K extends keyof FaspayAssumptionSettings>(key: K) {
  return z.preprocess(
    unsetIfEmpty,
    z
      .string()
      .default((ASSUMPTION_CODECS[key].format as (v: unknown) => string)(DEFAULT_FASPAY_ASSUMPTIONS[key]))
      .transform((text, ctx): FaspayAssumptionSettings[K] => {
        const parsed = (ASSUMPTION_CODECS[key].parse as (t: string) => Parsed<FaspayAssumptionSettings[K]>)(text);
        if (parsed.ok) return parsed.value;
        ctx.addIssue({ code: 'custom', message: parsed.message });
        return z.NEVER;
      }),
  );
}

/**
 * The zod (v4) shape of the assumption variables, to merge into the configuration's object schema:
 * each has a default, and a bad value is an issue at that variable's path.
 */
export const faspayAssumptionEnv = {
  FASPAY_SIGNED_PATH: z.preprocess(unsetIfEmpty, z.enum(SIGNED_PATH).default('with-account')),
  FASPAY_EWALLET_INQUIRY: z.preprocess(unsetIfEmpty, z.enum(EWALLET_INQUIRY).default('bank-inquiry')),
  FASPAY_VA_COMPANY_CODE_DIGITS: textSetting('vaCompanyCodeDigits'),
  FASPAY_VA_CALLBACK_FIELD: z.preprocess(unsetIfEmpty, z.enum(VA_CALLBACK_FIELD).default('additional-info')),
  FASPAY_VA_STATUS: z.preprocess(unsetIfEmpty, z.enum(VA_STATUS).default('transfer-status-33')),
  /** JSON: {"BANK_ACCOUNT":"2500.00","EWALLET:LINKAJA":"1500.00",…} or one amount; see FeeTable. */
  FASPAY_FEES: textSetting('fees'),
  FASPAY_HISTORY_MATCH: z.preprocess(unsetIfEmpty, z.enum(HISTORY_MATCH).default('remark')),
};

export type FaspayAssumptionEnv = z.infer<z.ZodObject<typeof faspayAssumptionEnv>>;

/** The client's settings from the parsed variables (FaspayClientConfig.assumptions). */
export function faspayAssumptionsFromEnv(env: FaspayAssumptionEnv): FaspayAssumptionSettings {
  return {
    signedPath: env.FASPAY_SIGNED_PATH,
    ewalletInquiry: env.FASPAY_EWALLET_INQUIRY,
    vaCompanyCodeDigits: env.FASPAY_VA_COMPANY_CODE_DIGITS,
    vaCallbackField: env.FASPAY_VA_CALLBACK_FIELD,
    vaStatus: env.FASPAY_VA_STATUS,
    fees: env.FASPAY_FEES,
    historyMatch: env.FASPAY_HISTORY_MATCH,
  };
}
