// The checks every Faspay request passes before its body is read (the provider's "Header" table; docs/providers/faspay.md
// "Headers on every call" and "Signature"): mandatory headers (400xx02), partner id and signature
// (401xx00), X-TIMESTAMP form (400xx01) and ±5 min window (401xx00), and X-EXTERNAL-ID reuse on
// the same Jakarta day (409xx00), checked last so a forged request cannot burn a merchant's id.
import type { KeyObject } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { signedPathFor, type SignedPath } from '../../providers/faspay/assumptions';
import { CHANNEL_ID } from '../../providers/faspay/headers';
import { verifyRequest } from '../../providers/faspay/signature';
import type { Ledger } from './ledger';
import { parseZonedDate } from './requests';

export const TIMESTAMP_WINDOW_MS = 5 * 60 * 1000;
const MANDATORY = ['content-type', 'x-timestamp', 'x-signature', 'x-partner-id', 'x-external-id', 'channel-id'] as const;

export interface AuthRefusal {
  http: 400 | 401 | 409;
  case: '00' | '01' | '02';
  message: string;
}

export interface AuthContext {
  partnerId: string;
  merchantPublicKey: KeyObject;
  ledger: Ledger;
  /** The path form the provider expects in stringToSign (faspay.signed-path); only that one verifies. */
  signedPath: SignedPath;
}

function header(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

export function authenticate(req: IncomingMessage, path: string, rawBody: string, ctx: AuthContext, now = new Date()): AuthRefusal | undefined {
  for (const name of MANDATORY) {
    if (!header(req, name)?.trim()) return { http: 400, case: '02', message: `Invalid Mandatory Field ${name.toUpperCase()}` };
  }
  if (!header(req, 'content-type')!.toLowerCase().startsWith('application/json')) {
    return { http: 400, case: '01', message: 'Invalid Field Format Content-Type' };
  }
  if (header(req, 'x-partner-id') !== ctx.partnerId) return { http: 401, case: '00', message: 'Unauthorized. Unknown partner' };
  if (header(req, 'channel-id') !== CHANNEL_ID) return { http: 400, case: '01', message: 'Invalid Field Format CHANNEL-ID' };
  const externalId = header(req, 'x-external-id')!;
  if (!/^\d{1,36}$/.test(externalId)) return { http: 400, case: '01', message: 'Invalid Field Format X-EXTERNAL-ID' };
  const timestamp = header(req, 'x-timestamp')!;
  const at = parseZonedDate(timestamp);
  if (!at) return { http: 400, case: '01', message: 'Invalid Field Format X-TIMESTAMP' };
  if (Math.abs(now.getTime() - at.getTime()) > TIMESTAMP_WINDOW_MS) return { http: 401, case: '00', message: 'Unauthorized. X-TIMESTAMP outside the allowed window' };
  const signature = header(req, 'x-signature');
  if (!verifyRequest(ctx.merchantPublicKey, { method: req.method ?? 'POST', path: signedPathFor(path, ctx.signedPath), timestamp, rawBody, signature })) {
    return { http: 401, case: '00', message: 'Unauthorized. Signature' };
  }
  if (!ctx.ledger.useExternalId(ctx.partnerId, externalId, now)) return { http: 409, case: '00', message: 'Conflict' };
  return undefined;
}
