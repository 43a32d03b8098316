// What the simulated Faspay holds on each point its public pages leave open (the client's
// assumptions, src/providers/faspay/assumptions.ts). By default it holds exactly the client's
// defaults; POST /__sim/assumptions makes it hold another value, so that a test shows what the
// real provider would do in that world: a 401, a refusal code, another fee, another remark.
import {
  applyAssumptionTexts,
  DEFAULT_FASPAY_ASSUMPTIONS,
  describeAssumptions,
  type FaspayAssumptionSettings,
} from '../../providers/faspay/assumptions';

export class HeldAssumptions {
  settings: FaspayAssumptionSettings = DEFAULT_FASPAY_ASSUMPTIONS;

  reset(): void {
    this.settings = DEFAULT_FASPAY_ASSUMPTIONS;
  }

  /** `{ "<id>": "<value held>" }` for every assumption. */
  describe(): Record<string, string> {
    return describeAssumptions(this.settings);
  }

  /** Applies a partial `{ "<id>": "<value>" }`; nothing changes when any id or value is unknown. */
  set(body: unknown): { ok: true } | { ok: false; message: string } {
    if (body === null || typeof body !== 'object' || Array.isArray(body)) return { ok: false, message: 'body must be { "<assumption id>": "<value>", … }' };
    const applied = applyAssumptionTexts(this.settings, body as Record<string, unknown>);
    if (!applied.ok) return applied;
    this.settings = applied.value;
    return { ok: true };
  }
}
