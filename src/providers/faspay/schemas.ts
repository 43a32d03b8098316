// Faspay's answers, parsed once with zod (shapes from the provider pages' response tables and samples).
// Fields we do not use are allowed and dropped; fields the provider pages mark optional stay optional, so a
// sparse but valid answer does not become a BAD_ANSWER.
import { z } from 'zod';

export const moneySchema = z.object({ value: z.string().regex(/^-?\d+(\.\d{1,2})?$/), currency: z.string().optional().default('IDR') });

/** Every answer, success or not, carries these two. */
export const baseAnswerSchema = z.object({
  responseCode: z.string(),
  responseMessage: z.string().optional().default(''),
});

const optionalText = z.string().optional();

/** 16: account-inquiry-external. */
export const accountInquiryAnswerSchema = baseAnswerSchema.extend({
  referenceNo: optionalText,
  beneficiaryAccountName: z.string(),
  beneficiaryAccountNo: optionalText,
  beneficiaryBankCode: optionalText,
  beneficiaryBankName: optionalText,
});

const transferStatusFields = {
  latestTransactionStatus: z.string(),
  transactionStatusDesc: z.string().optional().default(''),
};

/** 18: transfer-interbank. */
export const transferAnswerSchema = baseAnswerSchema.extend({
  referenceNo: optionalText,
  partnerReferenceNo: optionalText,
  amount: moneySchema.optional(),
  beneficiaryAccountNo: optionalText,
  additionalInfo: z.object(transferStatusFields),
});

/** 38: emoney/topup. */
export const topupAnswerSchema = baseAnswerSchema.extend({
  referenceNo: optionalText,
  partnerReferenceNo: optionalText,
  customerNumber: optionalText,
  amount: moneySchema.optional(),
  additionalInfo: z.object(transferStatusFields),
});

/** 36 (serviceCode 18 or 33): transfer/status. */
export const transferStatusAnswerSchema = baseAnswerSchema.extend({
  originalReferenceNo: optionalText,
  originalPartnerReferenceNo: optionalText,
  serviceCode: optionalText,
  amount: moneySchema.optional(),
  beneficiaryAccountNo: optionalText,
  ...transferStatusFields,
});

/** 39: emoney/topup-status. */
export const topupStatusAnswerSchema = baseAnswerSchema.extend({
  originalReferenceNo: optionalText,
  originalPartnerReferenceNo: optionalText,
  serviceCode: optionalText,
  amount: moneySchema.optional(),
  ...transferStatusFields,
  additionalInfo: z.object({ customerNumber: optionalText, customerName: optionalText, platformCode: optionalText }).optional(),
});

/** 32: transfer-va/inquiry-intrabank. */
export const vaInquiryAnswerSchema = baseAnswerSchema.extend({
  virtualAccountData: z.object({
    partnerServiceId: optionalText,
    customerNo: optionalText,
    virtualAccountNo: optionalText,
    virtualAccountName: optionalText,
    totalAmount: moneySchema.optional(),
    /** O = open payment (any amount), C = closed payment (the bill's amount only). */
    virtualAccountTrxType: optionalText,
  }),
  additionalInfo: z.object({ status: optionalText, message: optionalText }).optional(),
});

/** 33: transfer-va/payment-intrabank. */
export const vaPaymentAnswerSchema = baseAnswerSchema.extend({
  virtualAccountData: z.object({
    referenceNo: optionalText,
    partnerReferenceNo: optionalText,
    virtualAccountNo: optionalText,
    paidAmount: moneySchema.optional(),
  }),
  additionalInfo: z.object({ status: z.string(), message: z.string().optional().default('') }),
});

/** 11: balance-inquiry. */
export const balanceAnswerSchema = baseAnswerSchema.extend({
  accountNo: optionalText,
  accountInfos: z
    .array(
      z.object({
        balanceType: optionalText,
        amount: moneySchema.optional(),
        availableBalance: moneySchema,
        status: optionalText,
      }),
    )
    .min(1),
});

/** 12: transaction-history-list. */
export const historyAnswerSchema = baseAnswerSchema.extend({
  detailData: z
    .array(
      z.object({
        dateTime: z.string(),
        amount: moneySchema,
        remark: z.string().optional().default(''),
        status: z.string().optional().default(''),
        type: z.string().optional().default(''),
        additionalInfo: z.object({ debitCredit: z.string() }).partial().optional(),
      }),
    )
    .optional()
    .default([]),
  additionalInfo: z.object({ accountNo: optionalText, fromDateTime: optionalText, toDateTime: optionalText }).optional(),
});

/**
 * The simulator's callback: a project-defined stand-in, because Faspay's SNAP callback format is not
 * public (docs/providers/faspay.md). SNAP-style names; a hint to check status, never the truth by itself.
 */
export const notificationSchema = z.object({
  originalPartnerReferenceNo: z.string().min(1),
  originalReferenceNo: z.string().optional().default(''),
  latestTransactionStatus: z.string(),
  transactionStatusDesc: z.string().optional().default(''),
  amount: moneySchema.optional(),
  additionalInfo: z.record(z.string(), z.unknown()).optional().default({}),
});
export type FaspayNotification = z.infer<typeof notificationSchema>;
