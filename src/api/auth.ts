// Bearer API keys → principals and roles (api.md "Authentication and roles"). Only hashes of keys
// are held; a presented key is hashed and compared in constant time.
import { createHash, timingSafeEqual } from 'node:crypto';
import type { NextFunction, Request, Response } from 'express';
import type { ApiKeyEntry } from './api-keys';
import { canonicalPrincipal } from '../domain/principal';
import { problems } from './problem';

export type Role = 'requester' | 'approver' | 'admin';

export interface Principal {
  name: string;
  roles: Role[];
}

export const DEVELOPMENT_KEYS: ReadonlyArray<{ key: string; principal: string; roles: Role[] }> = [
  { key: 'dev-requester', principal: 'requester@local', roles: ['requester'] },
  { key: 'dev-approver', principal: 'approver@local', roles: ['approver'] },
  { key: 'dev-admin', principal: 'admin@local', roles: ['admin'] },
];

export function sha256Hex(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

export interface Authenticator {
  authenticate(authorization: string | undefined): Principal | undefined;
}

/** Configured keys; outside production with none configured, the three development keys. */
export function createAuthenticator(keys: ApiKeyEntry[] | undefined, production: boolean): Authenticator {
  if (!keys && production) throw new Error('API_KEYS must be configured in production');
  const entries = (keys ?? DEVELOPMENT_KEYS.map((k) => ({ keySha256: sha256Hex(k.key), principal: k.principal, roles: k.roles }))).map(
    // Configuration refuses non-canonical principals; canonical here too, so that whatever built the
    // entries, the API only ever hands Temporal the one spelling four eyes compares.
    (e) => ({ hash: Buffer.from(e.keySha256, 'hex'), principal: { name: canonicalPrincipal(e.principal), roles: [...e.roles] } }),
  );
  return {
    authenticate(authorization) {
      const match = /^Bearer ([\x21-\x7e]{1,256})$/.exec(authorization ?? '');
      if (!match) return undefined;
      const presented = createHash('sha256').update(match[1]!, 'utf8').digest();
      // Compare against every entry, so the time taken does not tell which one matched.
      let found: Principal | undefined;
      for (const entry of entries) {
        if (timingSafeEqual(entry.hash, presented)) found = entry.principal;
      }
      return found;
    },
  };
}

declare module 'express-serve-static-core' {
  interface Request {
    principal?: Principal;
  }
}

export function hasRole(principal: Principal, role: Role): boolean {
  return principal.roles.includes('admin') || principal.roles.includes(role);
}

/** Authenticates the request and requires one of `roles` (admin passes every check). */
export function requireRole(authenticator: Authenticator, ...roles: Role[]) {
  return (req: Request, _res: Response, next: NextFunction) => {
    const principal = authenticator.authenticate(req.header('authorization'));
    if (!principal) return next(problems.unauthorized());
    if (roles.length > 0 && !roles.some((role) => hasRole(principal, role))) {
      return next(problems.forbidden(`This needs the role ${roles.join(' or ')}; ${principal.name} has ${principal.roles.join(', ')}.`));
    }
    req.principal = principal;
    next();
  };
}
