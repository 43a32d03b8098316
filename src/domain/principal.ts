// Who decides on a payout. A principal is compared in one canonical form everywhere (API keys,
// signals, updates, the timeline): trimmed and in lower case, so "Requester@Local " is the same
// person as "requester@local" and four eyes cannot be side-stepped by spelling. Pure: the workflow
// imports it.

/** The name reserved for decisions that an approval policy takes on its own; no key may use it. */
export const POLICY_PRINCIPAL = 'policy';

export function canonicalPrincipal(name: string): string {
  return name.trim().toLowerCase();
}

export function isCanonicalPrincipal(name: string): boolean {
  return name !== '' && canonicalPrincipal(name) === name;
}
