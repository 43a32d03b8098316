// The rules for API_KEYS entries. A principal is a person (or a service) as four eyes sees them, so
// it has one spelling (canonical: trimmed, lower case) and one set of roles. Two keys for the same
// principal with the same roles are allowed: that is how a key rotates (add the new one, move the
// callers over, remove the old one). Anything else is refused at start-up rather than resolved by
// guessing which entry was meant.
import { z } from 'zod';
import { canonicalPrincipal, isCanonicalPrincipal, POLICY_PRINCIPAL } from '../domain/principal';

export const apiKeyEntrySchema = z.object({
  /** Hex SHA-256 of the key; the key itself is never stored in configuration. */
  keySha256: z.string().regex(/^[0-9a-f]{64}$/, 'must be the lowercase hex SHA-256 of the key'),
  principal: z.string().min(1),
  roles: z.array(z.enum(['requester', 'approver', 'admin'])).min(1),
});

export type ApiKeyEntry = z.infer<typeof apiKeyEntrySchema>;

/** The roles as a set, in a fixed order: ["approver", "requester"] and ["requester", "approver"] are one set. */
function roleSet(roles: readonly string[]): string {
  return [...new Set(roles)].sort().join(', ');
}

/**
 * What is wrong with a list of entries, one line per problem, each naming the entry (1-based, as a
 * person counts them in the JSON) and never the key hash. Empty when the list is fine.
 */
export function apiKeyProblems(entries: readonly ApiKeyEntry[]): string[] {
  const problems: string[] = [];
  const firstByPrincipal = new Map<string, { index: number; roles: string }>();
  const firstByHash = new Map<string, number>();
  entries.forEach((entry, i) => {
    const n = i + 1;
    const canonical = canonicalPrincipal(entry.principal);
    if (!isCanonicalPrincipal(entry.principal)) {
      problems.push(
        canonical === ''
          ? `entry ${n}: the principal is blank`
          : `entry ${n}: principal ${JSON.stringify(entry.principal)} is not canonical (trimmed, lower case); write ${JSON.stringify(canonical)}`,
      );
    }
    // The workflow records decisions an approval policy takes on its own under this name: a key
    // holding it could pass for the policy.
    if (canonical === POLICY_PRINCIPAL) {
      problems.push(`entry ${n}: the principal ${JSON.stringify(POLICY_PRINCIPAL)} is reserved for approval policies; no key may use it`);
    }
    const roles = roleSet(entry.roles);
    const first = firstByPrincipal.get(canonical);
    if (first === undefined) firstByPrincipal.set(canonical, { index: n, roles });
    else if (first.roles !== roles) {
      problems.push(
        `entry ${n}: principal ${JSON.stringify(canonical)} has roles [${roles}] here but [${first.roles}] in entry ${first.index}; one principal has one set of roles (keys of one principal may differ only to rotate)`,
      );
    }
    // One key for two entries: whichever matched last would decide who the caller is.
    const sameKey = firstByHash.get(entry.keySha256);
    if (sameKey === undefined) firstByHash.set(entry.keySha256, n);
    else problems.push(`entry ${n}: the same keySha256 as entry ${sameKey}; a key belongs to one entry`);
  });
  return problems;
}
