// Callbacks are fresh or refused. A provider's signature proves who made a callback, not when: a
// captured callback would verify forever. So its signed timestamp must lie within a window around
// our clock (either direction: a clock ahead of ours is as suspect as one behind). A replay inside
// the window is the workflow's to recognise (it remembers callback ids), not this check's.

/** How far a callback's signed timestamp may be from our clock, in either direction. */
export const CALLBACK_FRESHNESS_MS = 5 * 60 * 1000;

/** Unix seconds (Singapay's webhooks) or ISO-8601 with an offset (Faspay, SNAP). */
const UNIX_SECONDS = /^\d{1,12}$/;
const ISO_WITH_OFFSET = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:?\d{2})$/;

/** The instant a callback timestamp names, or undefined when it names none unambiguously. */
export function callbackInstant(timestamp: string | undefined): number | undefined {
  if (timestamp === undefined) return undefined;
  const text = timestamp.trim();
  if (UNIX_SECONDS.test(text)) return Number(text) * 1000;
  // Without an offset a timestamp is in nobody knows which zone: not a time at all.
  if (!ISO_WITH_OFFSET.test(text)) return undefined;
  const at = Date.parse(text);
  return Number.isFinite(at) ? at : undefined;
}

/** Why a callback's timestamp is not fresh at `now`, or undefined when it is. */
export function staleness(timestamp: string | undefined, now: Date, windowMs = CALLBACK_FRESHNESS_MS): string | undefined {
  const at = callbackInstant(timestamp);
  if (at === undefined) return 'its timestamp is missing or not a time (Unix seconds, or ISO-8601 with an offset)';
  const skewMs = at - now.getTime();
  if (Math.abs(skewMs) <= windowMs) return undefined;
  const minutes = Math.round(Math.abs(skewMs) / 60_000);
  return `its timestamp is ${minutes} min ${skewMs < 0 ? 'old' : 'ahead of our clock'}; callbacks are accepted within ${windowMs / 60_000} min`;
}
