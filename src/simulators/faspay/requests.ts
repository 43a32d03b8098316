// What the simulator accepts in each request body (the provider pages' request tables), and how a refusal is
// worded: a missing or blank mandatory field is 400xx02 "Invalid Mandatory Field", a field of the
// wrong form 400xx01 "Invalid Field Format". Where the provider pages' table and sample disagree, both forms
// are accepted (docs/providers/faspay.md).
import { z } from 'zod';

/** IDR with two decimals, both zero ("isn't allowed decimal other than 00"), and more than zero. */
const amount = z.object({
  value: z
    .string()
    .regex(/^\d{1,13}\.\d{2}$/)
    .refine((v) => v.endsWith('.00'), 'decimals other than .00')
    .refine((v) => Number(v) > 0, 'must be more than zero'),
  currency: z.literal('IDR'),
});
const text = (max: number) => z.string().min(1).max(max);
const digits = (max: number) => z.string().regex(new RegExp(`^\\d{1,${max}}$`));
const optionalText = (max: number) => z.string().max(max).optional();

export const accountInquiryBody = z.object({
  beneficiaryBankCode: text(8),
  beneficiaryAccountNo: digits(34),
  partnerReferenceNo: optionalText(64),
  additionalInfo: z.object({ sourceAccount: text(20) }),
});

export const transferBody = z.object({
  partnerReferenceNo: text(64),
  amount,
  beneficiaryAccountName: text(100),
  beneficiaryAccountNo: digits(34),
  beneficiaryBankCode: z.string().regex(/^\d{3}$/),
  beneficiaryEmail: optionalText(50),
  sourceAccountNo: text(20),
  transactionDate: text(25),
  additionalInfo: z.object({
    instructDate: z.string().optional(),
    transactionDescription: z.string().optional(),
    callbackUrl: z.string().max(255),
  }),
});

export const topupBody = z.object({
  partnerReferenceNo: text(64),
  customerNumber: digits(32),
  amount,
  transactionDate: z.string().max(25).optional(),
  additionalInfo: z.object({
    sourceAccount: text(20),
    platformCode: z.enum(['ovo', 'gpy', 'dna', 'lkj']),
    instructDate: z.string().optional(),
    beneficiaryEmail: optionalText(128),
    transactionDescription: z.string().optional(),
    // The provider pages' sample names it trxDescription; its table transactionDescription.
    trxDescription: z.string().optional(),
    callbackUrl: z.string().max(255),
  }),
});

const partnerServiceId = z.string().regex(/^ *\d{1,8}$/).length(8);
const vaCore = {
  partnerServiceId,
  customerNo: digits(20),
  virtualAccountNo: digits(28),
};
const vaConsistent = (b: { partnerServiceId: string; customerNo: string; virtualAccountNo: string }) =>
  b.virtualAccountNo === b.partnerServiceId.trim() + b.customerNo;
const vaMismatch = { message: 'must be partnerServiceId + customerNo', path: ['virtualAccountNo'] };

export const vaInquiryBody = z
  .object({
    partnerReferenceNo: optionalText(64),
    ...vaCore,
    additionalInfo: z.object({ billerCode: text(3), sourceAccountNo: text(20) }),
  })
  .refine(vaConsistent, vaMismatch);

export const vaPaymentBody = z
  .object({
    partnerReferenceNo: optionalText(64),
    ...vaCore,
    virtualAccountName: optionalText(50),
    sourceAccountNo: text(20),
    paidAmount: amount,
    trxDateTime: text(25),
    // The provider pages' table has callbackURL at the top; its sample has callbackUrl in additionalInfo.
    callbackURL: optionalText(255),
    additionalInfo: z.object({ billerCode: text(3), instructDate: z.string().optional(), callbackUrl: optionalText(255) }),
  })
  .refine(vaConsistent, vaMismatch);

export const transferStatusBody = z.object({
  originalPartnerReferenceNo: text(64),
  originalReferenceNo: optionalText(64),
  serviceCode: z.enum(['18', '33']),
});

export const topupStatusBody = z.object({
  originalPartnerReferenceNo: text(64),
  originalReferenceNo: optionalText(64),
  serviceCode: z.literal('38'),
});

export const balanceBody = z.object({ accountNo: text(20) });

export const historyBody = z.object({
  fromDateTime: text(25),
  toDateTime: text(25),
  additionalInfo: z.object({ accountNo: text(20) }),
});

function valueAt(json: unknown, path: readonly PropertyKey[]): unknown {
  let value: unknown = json;
  for (const key of path) {
    if (value === null || typeof value !== 'object') return undefined;
    value = (value as Record<PropertyKey, unknown>)[key];
  }
  return value;
}

export type BodyCheck<T> = { ok: true; body: T } | { ok: false; case: '01' | '02'; message: string };

/** Parses a body; the first problem decides the code (missing before malformed). */
export function checkBody<S extends z.ZodType>(schema: S, json: unknown): BodyCheck<z.infer<S>> {
  const parsed = schema.safeParse(json);
  if (parsed.success) return { ok: true, body: parsed.data };
  const issues = parsed.error.issues;
  const missing = issues.find((i) => {
    const v = valueAt(json, i.path);
    return v === undefined || v === null || v === '';
  });
  if (missing) return { ok: false, case: '02', message: `Invalid Mandatory Field ${missing.path.join('.')}` };
  const first = issues[0]!;
  return { ok: false, case: '01', message: `Invalid Field Format ${first.path.join('.')}` };
}

/** ISO-8601 with a zone, as the provider pages write dates (yyyy-MM-ddTHH:mm:ssTZD). */
export function parseZonedDate(value: string): Date | undefined {
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,3})?(Z|[+-]\d{2}:\d{2})$/.test(value)) return undefined;
  const ms = Date.parse(value);
  return Number.isFinite(ms) ? new Date(ms) : undefined;
}
