// What both simulators' break routes share (simulators.md "Reconciliation breaks"): the body rules of
// POST /__sim/transactions (a transfer the service never sent) and PATCH /__sim/transactions/{reference}
// (a change to one the simulator holds), and what a status change means for the money. Each simulator
// adds its own destination form and money effects (faspay/breaks.ts, singapay/breaks.ts), so a
// reconciliation test can make every break kind a provider's answers can reveal.
import { z } from 'zod';
import { parseRupiah, RUPIAH_PATTERN } from '../domain/money';

/** An amount as the control API takes it: IDR, whole rupiah, more than zero; parsed to rupiah. */
export const controlAmount = z.strictObject({
  value: z
    .string()
    .regex(RUPIAH_PATTERN, 'must be whole rupiah with two zero decimals, e.g. "10000.00"')
    .transform(parseRupiah)
    .refine((rupiah) => rupiah > 0, 'must be more than zero'),
  currency: z.literal('IDR', { error: 'only IDR' }),
});

/**
 * The settle route's final statuses (00 success, 04 refunded, 06 failed); a new record may also be
 * 03 pending, which then moves like any transfer: by its number's scenario, or by settle.
 */
export const FINAL_CONTROL_STATUSES = ['00', '04', '06'] as const;
export const INJECT_STATUSES = ['00', '03', '04', '06'] as const;
export type FinalControlStatus = (typeof FINAL_CONTROL_STATUSES)[number];
export type InjectStatus = (typeof INJECT_STATUSES)[number];

/** Both providers' final failures: the money came back (04 refunded, 05 cancelled, 06 failed). */
const FAILED = ['04', '05', '06'];
export const moneyCameBack = (status: string): boolean => FAILED.includes(status);

/** Body of POST /__sim/transactions, with the simulator's own destination schema. */
export function injectBody<D extends z.ZodType>(destination: D) {
  return z.strictObject({
    reference: z.string().min(1).max(64),
    amount: controlAmount,
    destination,
    status: z.enum(INJECT_STATUSES, { error: `must be one of ${INJECT_STATUSES.join(', ')}` }).default('00'),
    /** A second provider record for a reference already held: the DUPLICATE break. */
    duplicate: z.boolean().default(false),
  });
}

export const patchBody = z
  .strictObject({
    amount: controlAmount.optional(),
    status: z.enum(FINAL_CONTROL_STATUSES, { error: `must be one of ${FINAL_CONTROL_STATUSES.join(', ')}` }).optional(),
  })
  .refine((b) => b.amount !== undefined || b.status !== undefined, { message: 'give "amount", "status" or both' });
export type PatchBody = z.infer<typeof patchBody>;

/**
 * What setting `to` on a transfer now in `from` does:
 * - `same`: nothing;
 * - `settle`: a pending transfer becomes final (a failure refunds, as settle does);
 * - `reverse`: a success becomes a failure: the provider reversed it and the money comes back;
 * - `relabel`: one failure for another, the money already back;
 * - `refused`: a failure cannot become a success: its money came back, and a record that says
 *   otherwise would contradict the provider's own history and balance.
 */
export type StatusChange = { kind: 'same' | 'settle' | 'reverse' | 'relabel' } | { kind: 'refused'; message: string };

export function statusChange(from: string, to: FinalControlStatus): StatusChange {
  if (from === to) return { kind: 'same' };
  if (from === '00') return { kind: 'reverse' };
  if (moneyCameBack(from)) {
    return to === '00' ? { kind: 'refused', message: `the transfer already failed (${from}) and its money came back; it cannot become a success` } : { kind: 'relabel' };
  }
  return { kind: 'settle' };
}

/** zod's issues as one line each, naming the field. */
export function issueLines(error: z.ZodError): string[] {
  return error.issues.map((issue) => `${issue.path.join('.') || '(body)'}: ${issue.message}`);
}

/** The reference in a control path; undefined when its percent-encoding is broken. */
export function pathReference(encoded: string): string | undefined {
  try {
    return decodeURIComponent(encoded);
  } catch {
    return undefined;
  }
}

/** A control answer: the HTTP status and the JSON body. */
export interface ControlAnswer {
  status: number;
  body: unknown;
}

export const TRANSACTION_PATH = /^\/__sim\/transactions\/([^/]+)$/;
