// The production stack's secrets, generated on its first start into `.data/` (mode 600) and reused
// after: one API key per role, the payload codec key, and the webhook master key. The processes get
// what docker-compose.yml asks `.env` for (API_KEYS holds only the keys' SHA-256).
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { sha256Hex, type Role } from '../api/auth';

export const ROLES: readonly Role[] = ['requester', 'approver', 'admin'];

export interface StackSecrets {
  /** The API key of each role, in plain text (only this file and the stack's printout hold them). */
  keys: Record<Role, string>;
  codecKeys: string;
  webhookSecretKey: string;
}

export function loadOrCreateSecrets(file: string): StackSecrets {
  if (existsSync(file)) return JSON.parse(readFileSync(file, 'utf8')) as StackSecrets;
  const secrets: StackSecrets = {
    keys: Object.fromEntries(ROLES.map((role) => [role, `${role}-${randomBytes(24).toString('base64url')}`])) as Record<Role, string>,
    codecKeys: `k1:${randomBytes(32).toString('base64')}`,
    webhookSecretKey: randomBytes(32).toString('base64'),
  };
  writeFileSync(file, `${JSON.stringify(secrets, null, 2)}\n`, { mode: 0o600 });
  return secrets;
}

/** The variables docker-compose.yml requires from `.env`, for these secrets and principals. */
export function secretVariables(secrets: StackSecrets, principals: Record<Role, string>): Record<string, string> {
  return {
    API_KEYS: JSON.stringify(ROLES.map((role) => ({ keySha256: sha256Hex(secrets.keys[role]), principal: principals[role], roles: [role] }))),
    PAYLOAD_CODEC_KEYS: secrets.codecKeys,
    WEBHOOK_SECRET_KEY: secrets.webhookSecretKey,
  };
}
