// The simulator's checks of who is calling (docs/providers/singapay.md "Access token", "Every secured call",
// "Request signature"): the token request's HMAC over the Jakarta date, bearer tokens that expire,
// X-PARTNER-ID, and the trigger's X-Timestamp (in the one form the simulator holds, within a window)
// and X-Signature over the body as received. The trigger page's refusals: a missing X-Signature or
// X-Timestamp is HTTP 400 with response_code 4019900, a signature mismatch HTTP 401 with 4019900.
import { randomBytes } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import type { SingapayAssumptionSettings } from '../../providers/singapay/assumptions';
import { signatureMatches, tokenSignature, verifyRequestSignature } from '../../providers/singapay/signature';
import type { Problem } from './respond';

export interface SingapayCredentials {
  clientId: string;
  clientSecret: string;
  /** X-PARTNER-ID. */
  apiKey: string;
  accountId: string;
}

/** expires_in as the provider sends it: a string of seconds. */
export const TOKEN_LIFETIME_S = 216_000;
/** X-Timestamp may be this far from the simulator's clock, either way. */
export const TIMESTAMP_WINDOW_MS = 5 * 60 * 1000;

export class TokenStore {
  private expiries = new Map<string, number>();
  /** Tokens handed out since start or reset (tests prove caching with it). */
  issued = 0;

  issue(now: Date): string {
    const token = randomBytes(32).toString('base64url');
    this.expiries.set(token, now.getTime() + TOKEN_LIFETIME_S * 1000);
    this.issued += 1;
    return token;
  }

  isValid(token: string, now: Date): boolean {
    const expiry = this.expiries.get(token);
    return expiry !== undefined && now.getTime() < expiry;
  }

  active(now: Date): number {
    return [...this.expiries.values()].filter((expiry) => now.getTime() < expiry).length;
  }

  reset(): void {
    this.expiries = new Map();
    this.issued = 0;
  }
}

function single(headers: IncomingHttpHeaders, name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
}

function missingHeaders(headers: IncomingHttpHeaders, names: string[]): Problem | undefined {
  const missing = names.filter((name) => !single(headers, name));
  return missing.length === 0 ? undefined : { http: 400, code: 'SP012', message: `Missing mandatory header ${missing.join(', ')}` };
}

/**
 * The token request. The signature's date is today's in Jakarta; a request signed with the
 * neighbouring day is accepted only within the X-Timestamp window around Jakarta midnight (clock
 * skew), never a whole day either way: a client that signs with the UTC date must fail here, as it
 * would at Singapay between 00:00 and 07:00 WIB.
 */
export function checkTokenRequest(headers: IncomingHttpHeaders, credentials: SingapayCredentials, now: Date): Problem | undefined {
  const missing = missingHeaders(headers, ['x-partner-id', 'x-client-id', 'x-signature']);
  if (missing) return missing;
  if (single(headers, 'x-partner-id') !== credentials.apiKey || single(headers, 'x-client-id') !== credentials.clientId) {
    return { http: 401, code: 'SP013', message: 'Unauthorized Client' };
  }
  const presented = single(headers, 'x-signature');
  const candidates = new Set(
    [now.getTime() - TIMESTAMP_WINDOW_MS, now.getTime(), now.getTime() + TIMESTAMP_WINDOW_MS].map((ms) =>
      tokenSignature(credentials.clientId, credentials.clientSecret, new Date(ms)),
    ),
  );
  const valid = [...candidates].some((expected) => signatureMatches(expected, presented));
  return valid ? undefined : { http: 401, code: 'SP016', message: 'Signature Invalid' };
}

/** A secured call's bearer token, valid and presented with our X-PARTNER-ID; or the refusal. */
export function checkBearer(
  headers: IncomingHttpHeaders,
  tokens: TokenStore,
  credentials: SingapayCredentials,
  now: Date,
): { token: string } | { problem: Problem } {
  const token = /^Bearer (\S+)$/.exec(single(headers, 'authorization') ?? '')?.[1];
  if (!token || !tokens.isValid(token, now)) return { problem: { http: 401, code: 'SP013', message: 'Unauthorized' } };
  const partner = single(headers, 'x-partner-id');
  if (!partner) return { problem: { http: 400, code: 'SP012', message: 'Missing mandatory header x-partner-id' } };
  if (partner !== credentials.apiKey) return { problem: { http: 403, code: 'SP015', message: 'Forbidden' } };
  return { token };
}

const UNIX_SECONDS = /^\d{9,11}$/;
const ISO_8601 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|[+-]\d{2}:\d{2})$/;

type TimestampForm = SingapayAssumptionSettings['timestampFormat'];

/**
 * X-Timestamp in the form the simulator holds (singapay.timestamp-format): the trigger page's
 * ISO-8601 with an offset, or the Unix seconds of Singapay's other pages. Without `form`, either.
 */
export function parseXTimestamp(raw: string, form?: TimestampForm): number | undefined {
  if (form !== 'iso8601' && UNIX_SECONDS.test(raw)) return Number(raw) * 1000;
  if (form === 'unix' || !ISO_8601.test(raw)) return undefined;
  const ms = Date.parse(raw);
  return Number.isFinite(ms) ? ms : undefined;
}

/** The trigger page's code for every signature and timestamp refusal. */
export const SIGNATURE_REFUSED = '4019900';

/**
 * A money-moving call's X-Timestamp and X-Signature. The timestamp must be within the window and, once
 * the simulator holds one form, in that form; a timestamp in the other form is then refused as the
 * provider would refuse it (401, 4019900), whether or not the signature over it is right. The signature is
 * checked against the body as received and against its canonical re-serialisation
 * (verifyRequestSignature): a client that sends the canonical bytes passes either way, a changed
 * byte fails both.
 */
export function checkSignedRequest(
  headers: IncomingHttpHeaders,
  request: { pathWithQuery: string; rawBody: string; accessToken: string },
  clientSecret: string,
  now: Date,
  /** The one form accepted; undefined: either (the simulator's default until it is told a form). */
  timestampForm: TimestampForm | undefined,
): Problem | undefined {
  const absent = ['x-signature', 'x-timestamp'].filter((name) => !single(headers, name));
  if (absent.length > 0) return { http: 400, code: SIGNATURE_REFUSED, message: `Missing mandatory header ${absent.map((n) => n.replace(/^x-/, 'X-')).join(', ')}` };
  const timestamp = single(headers, 'x-timestamp')!;
  const at = parseXTimestamp(timestamp, timestampForm);
  if (at === undefined) return { http: 401, code: SIGNATURE_REFUSED, message: 'Unauthorized. Invalid X-Timestamp' };
  if (Math.abs(now.getTime() - at) > TIMESTAMP_WINDOW_MS) return { http: 401, code: SIGNATURE_REFUSED, message: 'Unauthorized. X-Timestamp out of range' };
  const valid = verifyRequestSignature(clientSecret, {
    method: 'POST',
    pathWithQuery: request.pathWithQuery,
    accessToken: request.accessToken,
    timestamp,
    rawBody: request.rawBody,
    signature: single(headers, 'x-signature'),
  });
  return valid ? undefined : { http: 401, code: SIGNATURE_REFUSED, message: 'Unauthorized. Signature Invalid' };
}
