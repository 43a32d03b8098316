// The SNAP headers of every Faspay call (the provider pages' "Header"): Content-Type, X-TIMESTAMP in Jakarta time,
// X-SIGNATURE, X-PARTNER-ID, X-EXTERNAL-ID (numeric, ≤ 36, unique per day) and CHANNEL-ID 88001.
// No Authorization header: this is SNAP's asymmetric form without an access token.
import { randomInt } from 'node:crypto';

export const CHANNEL_ID = '88001';
const JAKARTA_OFFSET_MS = 7 * 60 * 60 * 1000;

/** `yyyy-MM-ddTHH:mm:ss+07:00`: Asia/Jakarta has no daylight saving, so a fixed offset is exact. */
export function jakartaTimestamp(now: Date): string {
  return `${new Date(now.getTime() + JAKARTA_OFFSET_MS).toISOString().slice(0, 19)}+07:00`;
}

/** The Jakarta calendar day (YYYY-MM-DD): the scope in which an X-EXTERNAL-ID must be unique. */
export function jakartaDay(now: Date): string {
  return new Date(now.getTime() + JAKARTA_OFFSET_MS).toISOString().slice(0, 10);
}

/**
 * X-EXTERNAL-IDs: Jakarta time to the millisecond (17 digits) + a per-process counter (6) + random
 * digits (9) = 32 digits. The time part makes ids of different days and seconds differ, the counter
 * makes one process's ids differ within a millisecond, the random part keeps two workers apart.
 * Every request gets a fresh id, including a repetition: Faspay refuses a reused one (409xx00).
 */
export function externalIdGenerator(now: () => Date): () => string {
  let counter = randomInt(1_000_000);
  return () => {
    counter = (counter + 1) % 1_000_000;
    const time = new Date(now().getTime() + JAKARTA_OFFSET_MS).toISOString().replace(/\D/g, '').slice(0, 17);
    return `${time}${String(counter).padStart(6, '0')}${String(randomInt(1_000_000_000)).padStart(9, '0')}`;
  };
}

export interface SnapHeaderValues {
  partnerId: string;
  timestamp: string;
  signature: string;
  externalId: string;
  origin?: string;
}

export function snapHeaders(v: SnapHeaderValues): Record<string, string> {
  return {
    'Content-Type': 'application/json',
    Accept: 'application/json',
    'X-TIMESTAMP': v.timestamp,
    'X-SIGNATURE': v.signature,
    'X-PARTNER-ID': v.partnerId,
    'X-EXTERNAL-ID': v.externalId,
    'CHANNEL-ID': CHANNEL_ID,
    ...(v.origin && { ORIGIN: v.origin }),
  };
}
