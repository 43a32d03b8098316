// APPROVAL_POLICY: the approval policy as configured, JSON or the path of a JSON file, validated once
// at start-up. Every problem names the field (APPROVAL_POLICY.tiers[1].approvals) so a person can fix
// it. Amounts are decimal rupiah strings like the API's ("10000000.00"); inside, whole rupiah.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { DEFAULT_APPROVAL_POLICY, type ApprovalPolicy } from '../domain/approval-policy';
import { parseRupiah, RUPIAH_PATTERN } from '../domain/money';
import { canonicalPrincipal, isCanonicalPrincipal, POLICY_PRINCIPAL } from '../domain/principal';

export const APPROVAL_POLICY_VARIABLE = 'APPROVAL_POLICY';

const rupiah = z.string().regex(RUPIAH_PATTERN, 'must be whole rupiah with two decimals, like "100000.00"').transform(parseRupiah);

const requester = z
  .string()
  .refine(isCanonicalPrincipal, 'must be a principal in canonical form (trimmed, lower case)')
  .refine((name) => canonicalPrincipal(name) !== POLICY_PRINCIPAL, `"${POLICY_PRINCIPAL}" is the policy itself, not a requester`);

const policySchema = z.strictObject({
  tiers: z
    .array(z.strictObject({ minAmount: rupiah, approvals: z.number().int().min(1).max(10) }))
    .min(1)
    .superRefine((tiers, ctx) => {
      if (tiers[0] && tiers[0].minAmount !== 0) ctx.addIssue({ code: 'custom', path: [0, 'minAmount'], message: 'the first tier starts at "0.00" (every amount needs a tier)' });
      tiers.forEach((tier, i) => {
        const before = tiers[i - 1];
        if (before && tier.minAmount <= before.minAmount) ctx.addIssue({ code: 'custom', path: [i, 'minAmount'], message: 'tiers are in ascending minAmount order, each above the one before' });
      });
    }),
  autoApprove: z.strictObject({ maxAmount: rupiah, requesters: z.array(requester).min(1) }).optional(),
  limits: z.strictObject({ perRequesterPerDay: rupiah.optional(), perDestinationPerDay: rupiah.optional() }).optional(),
});

/** A problem with the policy: the field (APPROVAL_POLICY.tiers[1].approvals) and what is wrong. */
export interface PolicyProblem {
  field: string;
  message: string;
}

export interface ConfiguredPolicy {
  policy: ApprovalPolicy;
  /** A short id of this version of the policy: payouts show which one they were created under. */
  id: string;
  /** Whether APPROVAL_POLICY was set (otherwise: one approval, no limits). */
  configured: boolean;
}

/** The policy from APPROVAL_POLICY's value, or the problems, each naming its field. */
export function parseApprovalPolicy(value: string | undefined): ConfiguredPolicy | { problems: PolicyProblem[] } {
  if (value === undefined || value.trim() === '') return { policy: DEFAULT_APPROVAL_POLICY, id: policyId(DEFAULT_APPROVAL_POLICY), configured: false };
  let text = value;
  if (!value.trim().startsWith('{')) {
    try {
      text = readFileSync(value.trim(), 'utf8');
    } catch (err) {
      return { problems: [{ field: APPROVAL_POLICY_VARIABLE, message: `is neither JSON nor a readable file (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})` }] };
    }
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    return { problems: [{ field: APPROVAL_POLICY_VARIABLE, message: `is not valid JSON (${(err as Error).message})` }] };
  }
  const parsed = policySchema.safeParse(json);
  if (!parsed.success) {
    return { problems: parsed.error.issues.map((issue) => ({ field: `${APPROVAL_POLICY_VARIABLE}${fieldPath(issue.path)}`, message: issue.message })) };
  }
  const policy: ApprovalPolicy = {
    tiers: parsed.data.tiers,
    ...(parsed.data.autoApprove && { autoApprove: parsed.data.autoApprove }),
    ...(parsed.data.limits && { limits: withoutUndefined(parsed.data.limits) }),
  };
  return { policy, id: policyId(policy), configured: true };
}

function fieldPath(path: PropertyKey[]): string {
  return path.map((part) => (typeof part === 'number' ? `[${part}]` : `.${String(part)}`)).join('');
}

function withoutUndefined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}

/** Today's behaviour, for deployments without APPROVAL_POLICY and for tests. */
export function defaultApprovalPolicy(): ConfiguredPolicy {
  return { policy: DEFAULT_APPROVAL_POLICY, id: policyId(DEFAULT_APPROVAL_POLICY), configured: false };
}

/** The same policy (whatever its spelling) always has the same id. */
export function policyId(policy: ApprovalPolicy): string {
  const canonical = JSON.stringify({
    tiers: policy.tiers.map(({ minAmount, approvals }) => [minAmount, approvals]),
    autoApprove: policy.autoApprove ? [policy.autoApprove.maxAmount, [...policy.autoApprove.requesters].sort()] : null,
    limits: [policy.limits?.perRequesterPerDay ?? null, policy.limits?.perDestinationPerDay ?? null],
  });
  return `pol_${createHash('sha256').update(canonical).digest('hex').slice(0, 10)}`;
}
