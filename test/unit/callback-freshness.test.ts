import { CALLBACK_FRESHNESS_MS, callbackInstant, staleness } from '../../src/providers/callback-freshness';

describe('callback freshness', () => {
  const now = new Date('2026-12-02T03:00:00Z');
  const unix = (ms: number) => String(Math.floor(ms / 1000));

  test('Unix seconds and ISO-8601 with an offset name an instant; anything else does not', () => {
    expect(callbackInstant('1796180400')).toBe(1796180400_000);
    expect(callbackInstant('2026-12-02T10:00:00+07:00')).toBe(now.getTime());
    expect(callbackInstant('2026-12-02T03:00:00Z')).toBe(now.getTime());
    for (const bad of [undefined, '', 'yesterday', '2026-12-02T03:00:00', '2026-12-02', '1e9', '-5']) expect(callbackInstant(bad)).toBeUndefined();
  });

  test('within the window either way: fresh; past it either way, or no time at all: stale', () => {
    expect(CALLBACK_FRESHNESS_MS).toBe(5 * 60_000);
    expect(staleness(unix(now.getTime() - CALLBACK_FRESHNESS_MS), now)).toBeUndefined();
    expect(staleness(unix(now.getTime() + CALLBACK_FRESHNESS_MS), now)).toBeUndefined();
    expect(staleness('2026-12-02T09:56:00+07:00', now)).toBeUndefined();
    expect(staleness(unix(now.getTime() - CALLBACK_FRESHNESS_MS - 1_000), now)).toMatch(/old/);
    expect(staleness(unix(now.getTime() + CALLBACK_FRESHNESS_MS + 1_000), now)).toMatch(/ahead/);
    expect(staleness('2026-12-02T09:54:00+07:00', now)).toMatch(/6 min old/);
    expect(staleness(undefined, now)).toMatch(/missing/);
  });
});
