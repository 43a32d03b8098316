// One spending scope (a requester, or a destination) on one Jakarta calendar day: an entity workflow
// that holds the amounts reserved by approvals, so that approvals through any number of APIs and
// workers never together exceed the limit. Updates run one at a time inside the workflow, which is
// what makes check-and-reserve atomic. Payouts reach it through activities (activities/limits.ts):
// a workflow cannot send an update to another workflow.
//
// Reserving and releasing are idempotent per holder (a payout's reference, or a batch row's), so an
// activity retried after a lost answer never counts an amount twice.
import { allHandlersFinished, condition, makeContinueAsNewFunc, setHandler, upsertMemo, workflowInfo } from '@temporalio/workflow';
import { jakartaDayEndMs, type ScopeKind } from '../src/domain/approval-policy';
import { getSpendingQuery, releaseSpendingUpdate, reserveSpendingUpdate, type SpendingSummary } from './spending-messages';

export interface SpendingLimitInput {
  kind: ScopeKind;
  day: string;
  /** Carried over continue-as-new: holder → amount. */
  holds?: Record<string, number>;
}

/** Updates per run before continuing as new (a run allows 2,000; each update is a few events). */
const UPDATES_PER_RUN = 500;
/** The day's workflow stays a day after the day ends, for late releases; then it ends. */
const KEPT_AFTER_DAY_MS = 24 * 3_600_000;

export async function spendingLimitWorkflow(input: SpendingLimitInput): Promise<SpendingSummary> {
  const holds = new Map(Object.entries(input.holds ?? {}));
  let used = [...holds.values()].reduce((sum, amount) => sum + amount, 0);
  let updates = 0;
  const summary = (): SpendingSummary => ({ kind: input.kind, day: input.day, used, holders: holds.size });
  // The memo lets the API read the figures without a worker.
  const publish = () => upsertMemo({ spending: summary() });
  if (!input.holds) publish();

  setHandler(reserveSpendingUpdate, ({ holds: wanted, limit }) => {
    updates += 1;
    const fresh = wanted.filter(({ holder }) => !holds.has(holder));
    const requested = fresh.reduce((sum, { amount }) => sum + amount, 0);
    if (used + requested > limit) return { ok: false, limit, used, remaining: Math.max(0, limit - used), requested };
    for (const { holder, amount } of fresh) holds.set(holder, amount);
    used += requested;
    if (fresh.length > 0) publish();
    return { ok: true };
  });

  setHandler(releaseSpendingUpdate, ({ holders }) => {
    updates += 1;
    let released = 0;
    for (const holder of holders) {
      const amount = holds.get(holder);
      if (amount === undefined) continue;
      holds.delete(holder);
      released += amount;
    }
    used -= released;
    if (released > 0) publish();
    return released;
  });

  setHandler(getSpendingQuery, summary);

  const endsAtMs = jakartaDayEndMs(input.day) + KEPT_AFTER_DAY_MS;
  const handOver = () => updates >= UPDATES_PER_RUN || workflowInfo().continueAsNewSuggested;
  const dayOver = !(await condition(handOver, Math.max(1, endsAtMs - Date.now())));
  // Never in the middle of an update.
  await condition(allHandlersFinished);
  if (dayOver) return summary();
  // The new run starts with the memo given here (without one, with none: GET /v1/limits would read 0
  // until the next change). It publishes only on a change, so the figures travel with the handover.
  return makeContinueAsNewFunc<typeof spendingLimitWorkflow>({ memo: { ...workflowInfo().memo, spending: summary() } })({
    kind: input.kind,
    day: input.day,
    holds: Object.fromEntries(holds),
  });
}
