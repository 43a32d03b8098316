// The reconciliation routes' request bodies, queries and answers as zod schemas (issue 18): parsed once
// at the edge by reconciliation-routes.ts, and documented from the same schemas by openapi.ts.
import { z } from 'zod';
import { PAYOUT_STATUSES } from '../domain/payout';
import { RECONCILIATION_BREAK_KINDS } from '../domain/reconciliation/types';

/** A Jakarta calendar day as the routes take it; whether it is a real day is checked by jakartaDayWindow. */
export const RECONCILIATION_DATE_PATTERN = /^\d{4}-\d{2}-\d{2}$/;
const dateSchema = z.string().regex(RECONCILIATION_DATE_PATTERN, 'must be a Jakarta calendar day as YYYY-MM-DD, e.g. "2026-11-22"');

/** A run's id: `reconciliation-…` (a run the Schedule started carries its schedule's id and its time, dots and colons included). */
export const RECONCILIATION_ID_PATTERN = /^reconciliation-[A-Za-z0-9._:-]{1,200}$/;

/** The provider keys this deployment knows (the registry's); whether one is configured here is checked by the service. */
export const createReconciliationSchema = (providerKeys: readonly string[]) =>
  z.strictObject({
    date: dateSchema,
    provider: z.enum(providerKeys as [string, ...string[]], { error: `must be one of ${providerKeys.join(', ')}` }).optional(),
  });
export type CreateReconciliationBody = z.infer<ReturnType<typeof createReconciliationSchema>>;

/** Runs GET /v1/reconciliations lists without a date. */
export const LATEST_RUNS = 20;
/** At most this many runs of one day are listed (newest first). */
export const RUNS_PER_DAY = 100;

/** GET /v1/reconciliations: one day's runs, or without `date` the latest runs. */
export const reconciliationListQuerySchema = z.strictObject({ date: dateSchema.optional() });

// --- answers ---

const at = z.string().datetime();
const rupiah = z.number().int().describe('Whole rupiah');
const kinds = z.enum(RECONCILIATION_BREAK_KINDS);
const countsByKind = z
  .object(Object.fromEntries(RECONCILIATION_BREAK_KINDS.map((kind) => [kind, z.number().int().min(0)])) as Record<(typeof RECONCILIATION_BREAK_KINDS)[number], z.ZodNumber>)
  .describe('Breaks by kind, every kind present');
const tally = z.object({ count: z.number().int().min(0), total: rupiah });

const providerReportSchema = z.object({
  provider: z.string(),
  supports: z.array(kinds).describe('The break kinds this provider’s records can reveal; a kind not listed was not looked for (Singapay answers per reference: no UNKNOWN_TO_US, DUPLICATE or FEE_MISMATCH).'),
  ours: tally.describe('Our payouts of the day (submitted within it) at this provider'),
  matched: tally.describe('Those the provider’s records agree with: money moved on both sides, or on neither'),
  pending: tally.describe('Those neither matched nor broken: open on our side, submitted too recently to call missing, or not asked about'),
  breaks: countsByKind,
  balance: z.object({ available: rupiah, at }).optional().describe('The provider’s balance at the time of the run (absent when it has no balance call or did not answer)'),
});

const ourRecordSchema = z.object({
  reference: z.string(),
  provider: z.string(),
  status: z.enum(PAYOUT_STATUSES),
  amount: rupiah,
  fee: rupiah,
  submittedAt: at.optional(),
  providerReference: z.string().optional(),
});

/** The provider's side: a history entry (Faspay) or a status answer (Singapay), as the provider gave it. */
const providerRecordSchema = z.union([
  z.object({
    source: z.literal('history'),
    role: z.enum(['transfer', 'fee', 'refund']),
    entry: z.looseObject({ at: z.string(), amount: rupiah, direction: z.enum(['DEBIT', 'CREDIT']), remark: z.string(), status: z.string(), type: z.string() }),
  }),
  z.object({
    source: z.literal('status'),
    reference: z.string(),
    result: z.looseObject({ state: z.enum(['SUCCEEDED', 'FAILED', 'PENDING', 'NOT_FOUND']), providerStatus: z.looseObject({ code: z.string(), desc: z.string() }) }),
  }),
]);

const breakSchema = z.object({
  kind: kinds,
  provider: z.string(),
  reference: z.string().optional().describe('Our reference; absent when the provider’s record names none we know (UNKNOWN_TO_US)'),
  ours: ourRecordSchema.optional().describe('Our side; absent for UNKNOWN_TO_US'),
  theirs: z.array(providerRecordSchema).optional().describe('Every record the provider has for the payout (empty when it has none)'),
  detail: z.string(),
});

const runFields = {
  id: z.string(),
  date: dateSchema.describe('The Jakarta calendar day reconciled'),
  provider: z.string().optional().describe('The provider reconciled; absent: every provider this deployment has configured'),
  trigger: z.enum(['schedule', 'api']),
  requestedBy: z.string().optional(),
  status: z.enum(['RUNNING', 'COMPLETED', 'FAILED']).describe('FAILED: the run ended without a report (its workflow failed, timed out, was terminated or cancelled)'),
  startedAt: at,
  completedAt: at.optional(),
  cutoff: at.describe('The instant the "missing at the provider" rule counts back from'),
  providers: z.array(providerReportSchema).describe('Per provider: counts, totals and balance; empty until COMPLETED'),
  flagged: z.array(z.string()).describe('Open payouts this run moved to (or kept in) NEEDS_ATTENTION because of a break'),
  breakCounts: countsByKind.optional().describe('Breaks by kind, all providers together; set once COMPLETED'),
  breaksOmitted: z.number().int().min(1).optional().describe('How many breaks beyond those in `breaks` the run found (the counts include them)'),
};

/** GET /v1/reconciliations/{id}: the run with its breaks. */
export const reconciliationRunSchema = z.object({
  ...runFields,
  breaks: z.array(breakSchema).describe('Every break found, each with both sides’ records; empty until COMPLETED'),
});

/** GET /v1/reconciliations: each run as its memo has it, without `breaks` (read one run for them). */
export const reconciliationListSchema = z.object({ items: z.array(z.object(runFields)) });

export const reconciliationAcceptedSchema = z.object({ id: z.string().regex(RECONCILIATION_ID_PATTERN) });
