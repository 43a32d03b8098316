// The HTTP request bodies of api.md as zod schemas: parsed once at the edge, trusted inside.
import { z } from 'zod';
import { EWALLETS, PAYOUT_STATUSES } from '../domain/payout';
import { RUPIAH_PATTERN } from '../domain/money';

export const REFERENCE_PATTERN = /^[A-Za-z0-9._-]{1,64}$/;
const MAX_AMOUNT_DIGITS = 13; // up to 9,999,999,999,999 rupiah: well above any provider's limit
const DAY_MS = 24 * 60 * 60 * 1000;

const digits = (min: number, max: number) => z.string().regex(new RegExp(`^\\d{${min},${max}}$`), `must be ${min}–${max} digits`);

export const destinationSchema = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('EWALLET'), ewallet: z.enum(EWALLETS), customerNumber: digits(10, 15) }),
  z.strictObject({ type: z.literal('BANK_ACCOUNT'), bankCode: digits(3, 3), accountNumber: digits(5, 34) }),
  z.strictObject({ type: z.literal('VIRTUAL_ACCOUNT'), billerCode: digits(3, 3), virtualAccountNumber: digits(5, 28) }),
]);

export const moneySchema = z.strictObject({
  value: z
    .string()
    .regex(RUPIAH_PATTERN, 'must be a whole-rupiah decimal string with two zero decimals, e.g. "10000.00"')
    .refine((v) => v.length - 3 <= MAX_AMOUNT_DIGITS, `must have at most ${MAX_AMOUNT_DIGITS} digits before the decimals`)
    .refine((v) => v !== '0.00', 'must be positive'),
  currency: z.literal('IDR', { error: 'only IDR is supported' }),
});

/** ISO-8601 duration (days, hours, minutes, seconds; weeks alone) → milliseconds, or undefined. */
export function parseIsoDuration(text: string): number | undefined {
  const weeks = /^P(\d+)W$/.exec(text);
  if (weeks) return Number(weeks[1]) * 7 * DAY_MS;
  const m = /^P(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:\.\d{1,3})?)S)?)?$/.exec(text);
  if (!m || text === 'P' || text.endsWith('T')) return undefined;
  const [, d, h, min, s] = m;
  return Math.round(((Number(d ?? 0) * 24 + Number(h ?? 0)) * 60 + Number(min ?? 0)) * 60_000 + Number(s ?? 0) * 1000);
}

const approvalTimeoutSchema = z
  .string()
  .transform((text, ctx) => {
    const ms = parseIsoDuration(text);
    if (ms === undefined) {
      ctx.addIssue({ code: 'custom', message: 'must be an ISO-8601 duration such as "PT24H"' });
      return z.NEVER;
    }
    if (ms < 1000 || ms > 7 * DAY_MS) {
      ctx.addIssue({ code: 'custom', message: 'must be between PT1S and P7D' });
      return z.NEVER;
    }
    return ms;
  });

/** One of the registry's provider keys (the API is told them: src/registry.ts). */
const providerSchema = (keys: readonly string[]) => z.enum(keys as [string, ...string[]]);

export function createPayoutSchema(now: () => number = Date.now, providerKeys: readonly string[]) {
  return z.strictObject({
    reference: z.string().regex(REFERENCE_PATTERN, 'must be 1–64 characters of A-Z a-z 0-9 . _ -'),
    destination: destinationSchema,
    amount: moneySchema,
    description: z.string().regex(/^[A-Za-z0-9 /]{0,50}$/, 'must be at most 50 letters, digits, spaces or "/"').optional(),
    provider: providerSchema(providerKeys).optional(),
    beneficiaryEmail: z.email().max(254).optional(),
    approvalTimeout: approvalTimeoutSchema.optional(),
    scheduledAt: z.iso
      .datetime({ offset: true, error: 'must be a timestamp with an offset, e.g. "2026-11-23T09:00:00+07:00"' })
      .refine((v) => Date.parse(v) <= now() + 30 * DAY_MS, 'must be at most 30 days ahead')
      .optional(),
  });
}

export type CreatePayoutBody = z.infer<ReturnType<typeof createPayoutSchema>>;

export const approveBodySchema = z.strictObject({ comment: z.string().max(500).optional() });
export const rejectBodySchema = z.strictObject({ reason: z.string().trim().min(1, 'a reason is required').max(500) });
export const cancelBodySchema = z.strictObject({ reason: z.string().max(500).optional() });
export const resolveBodySchema = z.strictObject({
  outcome: z.enum(['SUCCEEDED', 'FAILED']),
  reason: z.string().trim().min(1, 'a reason is required').max(500),
});
/** A decision's Idempotency-Key: it becomes (part of) a Temporal update id. */
export const IDEMPOTENCY_KEY_PATTERN = /^[\x21-\x7e]{1,128}$/;

export const listQuerySchema = (providerKeys: readonly string[]) =>
  z.strictObject({
    status: z.enum(PAYOUT_STATUSES).optional(),
    provider: providerSchema(providerKeys).optional(),
    limit: z.coerce.number().int().min(1).max(100).default(20),
    cursor: z.string().regex(/^[A-Za-z0-9_-]{1,4096}$/, 'must be a nextCursor from a previous page').optional(),
  });

// --- answers (documented in OpenAPI; tests check real answers against them) ---

const moneyOut = z.object({ value: z.string().regex(/^\d+\.\d{2}$/), currency: z.literal('IDR') });
const at = z.string().datetime();

export const payoutSchema = z.object({
  id: z.string(),
  reference: z.string(),
  status: z.enum(PAYOUT_STATUSES),
  provider: z.string(),
  destination: z.discriminatedUnion('type', [
    z.object({ type: z.literal('EWALLET'), ewallet: z.enum(EWALLETS), customerNumber: z.string() }),
    z.object({ type: z.literal('BANK_ACCOUNT'), bankCode: z.string(), accountNumber: z.string() }),
    z.object({ type: z.literal('VIRTUAL_ACCOUNT'), billerCode: z.string(), virtualAccountNumber: z.string() }),
  ]),
  amount: moneyOut,
  description: z.string().optional(),
  beneficiaryEmail: z.string().optional(),
  requestedBy: z.string(),
  createdAt: at,
  updatedAt: at,
  approvalDeadline: at.optional(),
  scheduledAt: at.optional(),
  inquiry: z
    .object({
      accountName: z.string(),
      amount: moneyOut,
      fee: moneyOut,
      grossAmount: moneyOut,
      minAmount: moneyOut.optional(),
      maxAmount: moneyOut.optional(),
    })
    .optional(),
  approval: z
    .object({
      decision: z.enum(['APPROVED', 'REJECTED', 'CANCELLED']),
      by: z.string(),
      at,
      comment: z.string().optional(),
      reason: z.string().optional(),
    })
    .optional(),
  approvalsRequired: z.number().int().min(1).optional().describe('Distinct approvers the approval policy asks for; fixed when the payout was created.'),
  approvals: z
    .array(z.object({ by: z.string(), at, comment: z.string().optional() }))
    .optional()
    .describe('The approvals so far, in order (the approval policy itself approves as `policy`).'),
  policy: z.string().optional().describe('The short id of the approval policy version the payout was created under.'),
  transfer: z
    .object({
      providerReference: z.string().optional(),
      providerStatus: z.object({ code: z.string(), desc: z.string() }).optional(),
      submittedAt: at.optional(),
      lastCheckedAt: at.optional(),
      statusChecks: z.number().int().min(0),
    })
    .optional(),
  failure: z.object({ code: z.string(), message: z.string(), providerCode: z.string().optional() }).optional(),
  attention: z.object({ reason: z.string(), since: at }).optional(),
  reconciliationBreaks: z
    .array(z.object({ reconciliation: z.string(), kind: z.string(), detail: z.string(), at }))
    .optional()
    .describe('Breaks reconciliation runs found while the payout was open (it moved to NEEDS_ATTENTION for them)'),
  resolution: z.object({ outcome: z.enum(['SUCCEEDED', 'FAILED']), by: z.string(), at, reason: z.string() }).optional(),
  batchId: z.string().optional(),
  timeline: z.array(z.object({ status: z.enum(PAYOUT_STATUSES), at, detail: z.string().optional() })),
});

/** GET /v1/limits: today's spending against the approval policy's daily limits. */
const scopeFigures = {
  limit: moneyOut.nullable().describe('null: the policy sets no such limit'),
  used: moneyOut,
  remaining: moneyOut.nullable(),
};
export const limitsSchema = z.object({
  date: z.string().regex(/^\d{4}-\d{2}-\d{2}$/).describe('The Jakarta calendar day the figures are for'),
  timeZone: z.literal('Asia/Jakarta'),
  policy: z.string(),
  requester: z.object({ principal: z.string(), ...scopeFigures }).optional(),
  destination: z.object({ accountNumber: z.string().describe('masked'), ...scopeFigures }).optional(),
});

export const payoutListSchema = z.object({ items: z.array(payoutSchema), nextCursor: z.string().nullable() });

export const problemSchema = z.object({
  type: z.string(),
  title: z.string(),
  status: z.number().int(),
  detail: z.string(),
  instance: z.string(),
  errors: z.array(z.object({ pointer: z.string(), detail: z.string() })).optional(),
  /** item-reference-conflict: the references other payouts already use. */
  references: z.array(z.string()).optional(),
  /** batch-figures-differ: what the batch would pay. */
  actual: z.object({ count: z.number().int(), total: moneyOut, feeTotal: moneyOut }).optional(),
  /** limit-exceeded: which daily limit, and its figures on that Jakarta day. */
  scope: z.enum(['requester', 'destination']).optional(),
  limit: moneyOut.optional(),
  used: moneyOut.optional(),
  remaining: moneyOut.optional(),
  requested: moneyOut.optional(),
  day: z.string().optional(),
  /** batch-exclusions-differ: the rows the first approval excluded. */
  excludeReferences: z.array(z.string()).optional(),
});
