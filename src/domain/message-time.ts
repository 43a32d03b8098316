// The time a status change is stamped with when a message (a signal) causes it.
//
// A workflow's clock is the start time of the workflow task that runs it, and one path runs a signal's
// handler without a task of its own: a worker with an empty cache that receives a query after the
// signal arrived replays the history for the query, signal included, with the clock of the last task
// before the signal. What the handler does is kept, and a later replay runs it again with the clock
// of the task that really carried the signal. A stamp from the clock would differ between the two,
// and the first one (already published in a webhook event) would be earlier than the signal itself.
// A message that carries the time it was decided is stamped with that time: the same in every run.

/**
 * The carried time, never before the previous status's (a timeline never runs backwards); without a
 * carried time (a message sent before messages carried one), the workflow clock.
 */
export function messageTime(carried: string | undefined, previous: string | undefined, clock: () => string): string {
  if (carried === undefined || Number.isNaN(Date.parse(carried))) return clock();
  if (previous !== undefined && Date.parse(previous) > Date.parse(carried)) return previous;
  return carried;
}
