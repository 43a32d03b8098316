// Singapay's answers, parsed once with zod. Fields we do not use are allowed and ignored.
import { z } from 'zod';

export const moneySchema = z.object({ value: z.string().regex(/^\d+\.\d{2}$/), currency: z.string() });

export const tokenAnswerSchema = z.object({
  success: z.boolean().optional(),
  data: z.object({
    access_token: z.string().min(1),
    token_type: z.string().optional(),
    // A string of seconds in the seed ("216000"); accept a number too.
    expires_in: z.union([z.string().regex(/^\d+$/), z.number().int().positive()]).transform(Number),
  }),
});

export const envelopeSchema = z.object({
  response_code: z.string(),
  response_message: z.string().optional().default(''),
  data: z.unknown().optional(),
});

export const inquiryDataSchema = z.object({
  customer_name: z.string(),
  min_amount: moneySchema.optional(),
  max_amount: moneySchema.optional(),
  amount: moneySchema,
  fee_amount: moneySchema,
  gross_amount: moneySchema,
});

export const transactionStatusSchema = z.object({ code: z.string(), desc: z.string().optional().default('') });

/** The trigger's and the status inquiry's `data` (and the webhook's). */
export const transferDataSchema = z.object({
  transaction_id: z.string().optional(),
  transaction_status: transactionStatusSchema,
  reference_number: z.string().optional(),
  amount: moneySchema.optional(),
  net_amount: moneySchema.optional(),
  fee_amount: moneySchema.optional(),
  gross_amount: moneySchema.optional(),
  ewallet: z.object({ code: z.string().optional(), customer_number: z.string().optional() }).optional(),
  customer_number: z.string().optional(),
});

export const webhookSchema = z.object({
  response_code: z.string(),
  event: z.string().optional(),
  data: transferDataSchema,
});
