// Singapay's answers, parsed once with zod (docs/providers/singapay.md). Fields we do
// not use are allowed and ignored, so an added field never breaks a payout; fields we rely on are
// checked strictly, so a changed one stops the call as a BAD_ANSWER instead of being guessed at.
import { z } from 'zod';

/** `{ "value": "10000.00", "currency": "IDR" }`; the value is turned into whole rupiah by parseRupiah. */
export const moneySchema = z.object({ value: z.string(), currency: z.literal('IDR') });

/** POST /api/v1.1/access-token/b2b: `{ status, success, data: { access_token, token_type, expires_in } }`. */
export const tokenAnswerSchema = z.object({
  success: z.boolean().optional(),
  data: z.object({
    access_token: z.string().min(1),
    token_type: z.string().optional(),
    // A string of seconds ("216000"; older pages "3600"); a number is accepted too.
    expires_in: z.union([z.string().regex(/^\d{1,9}$/), z.number().int()]).transform(Number).pipe(z.number().int().positive()),
  }),
});

/** Every other answer: `response_code` describes the request, `data` (when present) the result. */
export const envelopeSchema = z.object({
  response_code: z.string().min(1),
  response_message: z.string().optional().default(''),
  data: z.unknown().optional(),
});
export type Envelope = z.infer<typeof envelopeSchema>;

/** Account inquiry `data` on SP000. */
export const inquiryDataSchema = z.object({
  ewallet_code: z.string().optional(),
  customer_number: z.string().optional(),
  customer_name: z.string(),
  min_amount: moneySchema.optional(),
  max_amount: moneySchema.optional(),
  amount: moneySchema,
  fee_amount: moneySchema,
  gross_amount: moneySchema,
});

/**
 * `transaction_status`: `{ code, desc }` as the trigger page shows it, or a bare word ("pending") as
 * the overview page's status table could be read (singapay.status-vocabulary). Both parse to
 * `{ code, desc }`; which values are understood is the vocabulary's business (codes.ts stateOf).
 */
export const transactionStatusSchema = z.union([
  z.object({ code: z.string(), desc: z.string().optional().default('') }),
  z.string().transform((word) => ({ code: word, desc: '' })),
]);

/**
 * The trigger's and the status inquiry's `data` (and the webhook's). The trigger page names the
 * amounts net_amount / fee; the status answer amount / fee_amount: both are accepted.
 */
export const transferDataSchema = z.object({
  transaction_id: z.string().optional(),
  transaction_status: transactionStatusSchema,
  reference_number: z.string().optional(),
  amount: moneySchema.optional(),
  net_amount: moneySchema.optional(),
  fee: moneySchema.optional(),
  fee_amount: moneySchema.optional(),
  gross_amount: moneySchema.optional(),
  ewallet: z.object({ code: z.string().optional(), customer_number: z.string().optional(), customer_name: z.string().optional() }).optional(),
  customer_number: z.string().optional(),
});
export type TransferData = z.infer<typeof transferDataSchema>;

/** The money-out webhook: `{ response_code, response_message, event: "ewallet-topup", data }`. */
export const webhookSchema = z.object({
  response_code: z.string(),
  response_message: z.string().optional(),
  event: z.string().optional(),
  data: transferDataSchema,
});
