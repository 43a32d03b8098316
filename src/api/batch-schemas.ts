// The batch routes' request bodies, queries and answers as zod schemas (the OpenAPI document is made from them).
import { z } from 'zod';
import { BATCH_STATUSES, MAX_BATCH_ROWS, ROW_STATUSES } from '../domain/batch';
import { EWALLETS } from '../domain/payout';
import { createPayoutSchema, moneySchema, REFERENCE_PATTERN } from './schemas';

/** One row of a batch: a create body without the batch-wide approvalTimeout and scheduledAt. */
export const batchItemSchema = (providerKeys: readonly string[], now: () => number = Date.now) =>
  createPayoutSchema(now, providerKeys).omit({ approvalTimeout: true, scheduledAt: true });

export type BatchItemBody = z.infer<ReturnType<typeof batchItemSchema>>;

/** The batch-wide fields, from a JSON body or from the CSV route's query. */
export const batchHeaderSchema = (providerKeys: readonly string[], now: () => number = Date.now) =>
  createPayoutSchema(now, providerKeys)
    .pick({ reference: true, description: true, approvalTimeout: true, scheduledAt: true })
    .extend({ reference: z.string().regex(REFERENCE_PATTERN, 'must be 1–64 characters of A-Z a-z 0-9 . _ -') });

export const createBatchSchema = (providerKeys: readonly string[], now: () => number = Date.now) =>
  batchHeaderSchema(providerKeys, now).extend({
    items: z.array(batchItemSchema(providerKeys, now)).min(1, 'a batch has at least one item').max(MAX_BATCH_ROWS, `a batch has at most ${MAX_BATCH_ROWS} items`),
  });

export type CreateBatchBody = z.infer<ReturnType<typeof createBatchSchema>>;

export const approveBatchBodySchema = z.strictObject({
  expectedTotal: moneySchema,
  expectedCount: z.number().int().min(0).max(MAX_BATCH_ROWS),
  excludeReferences: z.array(z.string().regex(REFERENCE_PATTERN, 'must be a row reference')).max(MAX_BATCH_ROWS).optional(),
  comment: z.string().max(500).optional(),
});

export const batchItemsQuerySchema = z.strictObject({
  status: z.enum(ROW_STATUSES).optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
  cursor: z.string().regex(/^[A-Za-z0-9_-]{1,4096}$/, 'must be a nextCursor from a previous page').optional(),
});

export const batchListQuerySchema = z.strictObject({
  limit: z.coerce.number().int().min(1).max(100).default(20),
  cursor: z.string().regex(/^[A-Za-z0-9_-]{1,4096}$/, 'must be a nextCursor from a previous page').optional(),
});

export const emptyDecisionBodySchema = z.strictObject({});

// --- answers ---

const moneyOut = z.object({ value: z.string().regex(/^\d+\.\d{2}$/), currency: z.literal('IDR') });
const at = z.string().datetime();

export const batchSchema = z.object({
  id: z.string(),
  reference: z.string(),
  description: z.string().optional(),
  status: z.enum(BATCH_STATUSES),
  requestedBy: z.string(),
  createdAt: at,
  updatedAt: at,
  approvalDeadline: at,
  scheduledAt: at.optional(),
  itemCount: z.number().int(),
  receivedCount: z.number().int(),
  counts: z.object(Object.fromEntries(ROW_STATUSES.map((status) => [status, z.number().int()])) as Record<(typeof ROW_STATUSES)[number], z.ZodNumber>),
  ready: z.object({ count: z.number().int(), total: moneyOut, feeTotal: moneyOut, grossTotal: moneyOut }),
  approval: z
    .object({
      decision: z.enum(['APPROVED', 'REJECTED', 'CANCELLED', 'EXPIRED']),
      by: z.string(),
      at,
      comment: z.string().optional(),
      reason: z.string().optional(),
      count: z.number().int().optional(),
      total: moneyOut.optional(),
      feeTotal: moneyOut.optional(),
      excludedCount: z.number().int().optional(),
    })
    .optional(),
  approvalsRequired: z.number().int().min(1).optional().describe("Distinct approvers the approval policy asks for; the batch's total picked the tier."),
  approvals: z
    .array(
      z.object({ by: z.string(), at, comment: z.string().optional(), expectedTotal: moneyOut, expectedCount: z.number().int(), excludeReferences: z.array(z.string()) }),
    )
    .optional()
    .describe('The approvals so far; each approved the same figures and exclusions.'),
  policy: z.string().optional(),
  cancellation: z.object({ by: z.string(), at, reason: z.string().optional() }).optional(),
  timeline: z.array(z.object({ status: z.enum(BATCH_STATUSES), at, detail: z.string().optional() })),
});

export const batchListSchema = z.object({ items: z.array(batchSchema), nextCursor: z.string().nullable() });

export const batchItemViewSchema = z.object({
  row: z.number().int().min(1),
  reference: z.string(),
  status: z.enum(ROW_STATUSES),
  provider: z.string(),
  amount: moneyOut,
  fee: moneyOut.optional(),
  reason: z.string().optional(),
  excluded: z.boolean().optional(),
  accountName: z.string().optional(),
  destination: z
    .object({ type: z.enum(['EWALLET', 'BANK_ACCOUNT', 'VIRTUAL_ACCOUNT']), ewallet: z.enum(EWALLETS).optional(), number: z.string() })
    .optional(),
});

export const batchItemListSchema = z.object({ items: z.array(batchItemViewSchema), nextCursor: z.string().nullable() });
