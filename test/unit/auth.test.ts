// Who a key belongs to, as the API passes it on to Temporal (the requester of a payout, the principal
// of a decision): always the canonical principal, so four eyes compares like with like.
import { apiKeyProblems } from '../../src/api/api-keys';
import { createAuthenticator, DEVELOPMENT_KEYS, sha256Hex } from '../../src/api/auth';
import { isCanonicalPrincipal } from '../../src/domain/principal';

describe('API keys to principals', () => {
  test('the authenticator hands out the canonical principal, whatever spelling it was built with', () => {
    // Configuration refuses such an entry; an authenticator built in code must not pass it on either.
    const authenticator = createAuthenticator([{ keySha256: sha256Hex('k-1'), principal: ' Ops@Example.COM ', roles: ['approver'] }], false);
    expect(authenticator.authenticate('Bearer k-1')).toEqual({ name: 'ops@example.com', roles: ['approver'] });
    expect(authenticator.authenticate('Bearer k-2')).toBeUndefined();
  });

  test('the development keys follow the rules of API_KEYS', () => {
    const entries = DEVELOPMENT_KEYS.map((k) => ({ keySha256: sha256Hex(k.key), principal: k.principal, roles: k.roles }));
    expect(apiKeyProblems(entries)).toEqual([]);
    for (const k of DEVELOPMENT_KEYS) expect(isCanonicalPrincipal(createAuthenticator(undefined, false).authenticate(`Bearer ${k.key}`)!.name)).toBe(true);
  });
});
