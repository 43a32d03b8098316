// Where each kind of work is polled. Provider calls run on a task queue of their provider, so that the
// Temporal server can hold all of one provider's calls under one rate limit, whatever the number of
// workers (a limit a worker sets for itself holds only for that worker). Pure: the workflow imports it.
import type { ProviderKey } from './payout';

/** The task queue of one provider's calls, next to the payout task queue it belongs to. */
export function providerTaskQueue(taskQueue: string, provider: ProviderKey): string {
  return `${taskQueue}.provider.${provider}`;
}

/**
 * The task queue of spending-limit reservations (activities/limits.ts): an approval waits for its
 * reservation, so it gets slots of its own and never queues behind webhook deliveries or other
 * activities of the payout task queue.
 */
export function limitsTaskQueue(taskQueue: string): string {
  return `${taskQueue}.limits`;
}
