// The request bodies the simulator accepts, with the provider pages' field limits. A body that is not
// JSON is a bad request (SP012); one that breaks a limit is a validation error (SP018) whose
// `data.errors` names each field.
import { z } from 'zod';
import { RUPIAH_PATTERN } from '../../domain/money';
import type { Problem } from './respond';

const moneyIn = z.object({
  value: z.string().regex(RUPIAH_PATTERN, 'must be whole rupiah with two zero decimals, e.g. "10000.00"'),
  currency: z.literal('IDR'),
});

export const inquiryRequest = z.object({
  account_id: z.string().min(1).max(64),
  ewallet_code: z.enum(['DANA', 'OVO', 'GOPAY', 'SHOPEEPAY']),
  customer_number: z.string().regex(/^\d{10,15}$/, 'must be 10 to 15 digits'),
  amount: moneyIn,
});

export const triggerRequest = inquiryRequest.extend({
  reference_number: z.string().min(1).max(64),
  // "space, alphanumeric, non-latin letter, non-latin numeric, and /": counted in characters.
  notes: z
    .string()
    .regex(/^[\p{L}\p{N} /]{0,50}$/u, 'at most 50 letters, digits, spaces and "/"')
    .nullish(),
});

export const statusRequest = z.object({ reference_number: z.string().min(1).max(64) });

/** The status body when the simulator holds singapay.status-path = account-in-body. */
export const statusRequestAccountInBody = statusRequest.extend({ account_id: z.string().min(1).max(64) });

export const tokenRequest = z.object({ grant_type: z.literal('client_credentials') });

export function parseRequest<S extends z.ZodType>(schema: S, rawBody: string): { data: z.infer<S> } | { problem: Problem } {
  let json: unknown;
  try {
    json = JSON.parse(rawBody);
  } catch {
    return { problem: { http: 400, code: 'SP012', message: 'Bad Request: the body is not JSON' } };
  }
  const parsed = schema.safeParse(json);
  if (parsed.success) return { data: parsed.data };
  return {
    problem: {
      http: 400,
      code: 'SP018',
      message: 'Validation Error',
      data: { errors: parsed.error.issues.map((issue) => ({ field: issue.path.join('.'), message: issue.message })) },
    },
  };
}
