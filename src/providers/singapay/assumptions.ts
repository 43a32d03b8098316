// The points Singapay's public pages leave open, and the guess the client makes about each
// (docs/providers/singapay.md "Assumptions"). Each one is named, switchable by an environment
// variable, held either way by the simulator (POST /__sim/assumptions), and settled against a
// sandbox by the go-live check (go-live.ts). Errors that a wrong guess would explain carry its id in
// ProviderCallError.details.assumptions. Pure: no Node built-ins.
import { z } from 'zod';
import type { ProviderAssumption } from '../../domain/provider-port';

/** What the client believes about each open point. */
export interface SingapayAssumptionSettings {
  /** `data.transaction_status`: the codes 00–07 of the trigger page, or the overview page's words. */
  statusVocabulary: 'codes' | 'words';
  /** The trigger's `amount`: what the beneficiary receives (net), or net + fee as the inquiry's gross_amount. */
  triggerAmount: 'net' | 'gross';
  /** X-Timestamp: ISO-8601 with +07:00 (the trigger page), or Unix seconds. */
  timestampFormat: 'iso8601' | 'unix';
  /** Inquiry status: POST /api/v2.0/ewallet/{account_id}/inquiry-status, or /api/v2.0/ewallet/inquiry-status with account_id in the body. */
  statusPath: 'account-in-path' | 'account-in-body';
}

export type SingapayAssumptionKey = keyof SingapayAssumptionSettings;

export const DEFAULT_SINGAPAY_ASSUMPTIONS: Readonly<SingapayAssumptionSettings> = Object.freeze({
  statusVocabulary: 'codes',
  triggerAmount: 'net',
  timestampFormat: 'iso8601',
  statusPath: 'account-in-path',
});

/** The assumption ids, by settings key. */
export const SINGAPAY_ASSUMPTION_IDS = {
  statusVocabulary: 'singapay.status-vocabulary',
  triggerAmount: 'singapay.trigger-amount',
  timestampFormat: 'singapay.timestamp-format',
  statusPath: 'singapay.status-path',
} as const satisfies Record<SingapayAssumptionKey, string>;

export type SingapayAssumptionId = (typeof SINGAPAY_ASSUMPTION_IDS)[SingapayAssumptionKey];

const VALUES = {
  statusVocabulary: ['codes', 'words'],
  triggerAmount: ['net', 'gross'],
  timestampFormat: ['iso8601', 'unix'],
  statusPath: ['account-in-path', 'account-in-body'],
} as const satisfies { [K in SingapayAssumptionKey]: readonly SingapayAssumptionSettings[K][] };

const VARIABLES = {
  statusVocabulary: 'SINGAPAY_STATUS_VOCABULARY',
  triggerAmount: 'SINGAPAY_TRIGGER_AMOUNT',
  timestampFormat: 'SINGAPAY_TIMESTAMP_FORMAT',
  statusPath: 'SINGAPAY_STATUS_PATH',
} as const satisfies Record<SingapayAssumptionKey, string>;

const setting = <K extends SingapayAssumptionKey>(key: K) => ({ variable: VARIABLES[key], values: VALUES[key], default: DEFAULT_SINGAPAY_ASSUMPTIONS[key] });

export const SINGAPAY_ASSUMPTIONS: readonly ProviderAssumption[] = [
  {
    id: SINGAPAY_ASSUMPTION_IDS.statusVocabulary,
    summary: 'A transfer’s status comes as `transaction_status { code, desc }` with the codes 00–07 (00 success, 01–03 under way, 04–06 failed for good, 07 not found).',
    why:
      'The trigger page’s answer shows `transaction_status: { "code": "03", "desc": "Pending" }`; the overview page’s status table speaks of `pending`, `success` and `failed`. ' +
      'The inquiry status answer is not on the pages at all. Codes by default (the only answer shown); a status in neither vocabulary is a BAD_ANSWER, never taken as pending.',
    setting: setting('statusVocabulary'),
    settledBy: 'transfer',
  },
  {
    id: SINGAPAY_ASSUMPTION_IDS.triggerAmount,
    summary: 'The trigger’s `amount` is what the beneficiary receives (net); Singapay adds its fee and debits amount + fee.',
    why:
      'The account inquiry page says `amount` is the "net amount to be received by customer" and `gross_amount` = amount + fee_amount is what leaves the balance; ' +
      'the trigger page says its `amount` "includes platform fees if applicable". Net by default, as the inquiry and the trigger answer’s separate net_amount/fee/gross_amount suggest; ' +
      'gross sends the inquiry’s gross_amount. The trigger answer’s net amount is checked against the payout’s either way.',
    setting: setting('triggerAmount'),
    settledBy: 'transfer',
  },
  {
    id: SINGAPAY_ASSUMPTION_IDS.timestampFormat,
    summary: 'X-Timestamp on the signed trigger is ISO-8601 in Jakarta time with its offset (2026-11-22T01:30:00+07:00).',
    why:
      'The trigger page types X-Timestamp as "string<date-time>", "ISO-8601 timestamp of the request"; Singapay’s other public pages and SDKs send Unix seconds. ' +
      'The value is part of the signed string either way, so a form the provider does not accept is refused like a bad signature (401, 4019900).',
    setting: setting('timestampFormat'),
    settledBy: 'transfer',
  },
  {
    id: SINGAPAY_ASSUMPTION_IDS.statusPath,
    summary: 'Inquiry status is POST /api/v2.0/ewallet/{account_id}/inquiry-status with body { reference_number }.',
    why:
      'The overview page names the Inquiry Status endpoint and its reference_number but not its path. The path with the account id comes from Singapay’s other public pages; ' +
      'the other two e-wallet calls carry account_id in the body, so /api/v2.0/ewallet/inquiry-status with { account_id, reference_number } is the other reading. ' +
      'A status of an unknown reference settles it without moving money.',
    setting: setting('statusPath'),
    settledBy: 'read',
  },
];

/** The assumption with this id (throws for an unknown id: ids are a closed set). */
export function singapayAssumption(id: SingapayAssumptionId): ProviderAssumption {
  const found = SINGAPAY_ASSUMPTIONS.find((a) => a.id === id);
  if (!found) throw new Error(`no Singapay assumption ${id}`);
  return found;
}

/** The settings key of an assumption id, or undefined for an id that is not Singapay's. */
export function singapayAssumptionKey(id: string): SingapayAssumptionKey | undefined {
  return (Object.keys(SINGAPAY_ASSUMPTION_IDS) as SingapayAssumptionKey[]).find((key) => SINGAPAY_ASSUMPTION_IDS[key] === id);
}

/** The values an assumption may take, by settings key. */
export function singapayAssumptionValues(key: SingapayAssumptionKey): readonly string[] {
  return VALUES[key];
}

/** Defaults completed with what is given. */
export function singapayAssumptionSettings(given: Partial<SingapayAssumptionSettings> = {}): SingapayAssumptionSettings {
  const defined = Object.fromEntries(Object.entries(given).filter(([, v]) => v !== undefined)) as Partial<SingapayAssumptionSettings>;
  return { ...DEFAULT_SINGAPAY_ASSUMPTIONS, ...defined };
}

/** The settings as `{ "<id>": "<value>" }` (the simulator's GET /__sim/assumptions shape). */
export function singapayAssumptionsById(settings: SingapayAssumptionSettings): Record<SingapayAssumptionId, string> {
  return Object.fromEntries((Object.keys(SINGAPAY_ASSUMPTION_IDS) as SingapayAssumptionKey[]).map((key) => [SINGAPAY_ASSUMPTION_IDS[key], settings[key]])) as Record<
    SingapayAssumptionId,
    string
  >;
}

/** The configuration shape: merge it into the environment schema (its defaults are the client's). */
export const singapayAssumptionEnv = {
  SINGAPAY_STATUS_VOCABULARY: z.enum(VALUES.statusVocabulary).default(DEFAULT_SINGAPAY_ASSUMPTIONS.statusVocabulary),
  SINGAPAY_TRIGGER_AMOUNT: z.enum(VALUES.triggerAmount).default(DEFAULT_SINGAPAY_ASSUMPTIONS.triggerAmount),
  SINGAPAY_TIMESTAMP_FORMAT: z.enum(VALUES.timestampFormat).default(DEFAULT_SINGAPAY_ASSUMPTIONS.timestampFormat),
  SINGAPAY_STATUS_PATH: z.enum(VALUES.statusPath).default(DEFAULT_SINGAPAY_ASSUMPTIONS.statusPath),
};

export type SingapayAssumptionEnv = z.infer<z.ZodObject<typeof singapayAssumptionEnv>>;

/** The settings from the parsed environment (the shape above, after zod's defaults). */
export function singapayAssumptionsFromEnv(env: SingapayAssumptionEnv): SingapayAssumptionSettings {
  return {
    statusVocabulary: env.SINGAPAY_STATUS_VOCABULARY,
    triggerAmount: env.SINGAPAY_TRIGGER_AMOUNT,
    timestampFormat: env.SINGAPAY_TIMESTAMP_FORMAT,
    statusPath: env.SINGAPAY_STATUS_PATH,
  };
}
