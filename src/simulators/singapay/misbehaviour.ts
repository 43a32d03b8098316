// Programmed faults (POST /__sim/faults) and scenario 5003's 503 bursts: the simulator's ways of
// not answering as it should, applied before the call is handled.
import type { ServerResponse } from 'node:http';
import { delay, type Operation } from '../common';
import { envelope } from './respond';
import { scenarioFor } from './scenarios';
import type { SimState } from './state';

/**
 * GO: handle the call normally. ANSWERED: the fault answered it. HOLD: never answer (the client
 * times out; close() ends the socket). ACCEPT_THEN_HOLD: a trigger is handled, money moves, and
 * the answer is never sent.
 */
export type FaultOutcome = 'GO' | 'ANSWERED' | 'HOLD' | 'ACCEPT_THEN_HOLD';

export async function applyFault(state: SimState, operation: Operation, res: ServerResponse): Promise<FaultOutcome> {
  const fault = state.faults.take(operation);
  if (!fault) return 'GO';
  state.log(`fault ${fault.mode} on ${operation}`);
  switch (fault.mode) {
    case 'http500':
      envelope(res, 500, 'SP019', 'General Error');
      return 'ANSWERED';
    case 'http503':
      envelope(res, 503, 'SP019', 'Service Unavailable');
      return 'ANSWERED';
    case 'timeout':
      return 'HOLD';
    case 'accept-then-timeout':
      // Only a trigger has anything to accept; on other calls it is a plain timeout.
      return operation === 'trigger' ? 'ACCEPT_THEN_HOLD' : 'HOLD';
    case 'latency':
      await delay(fault.latencyMs ?? 1_000);
      return 'GO';
    default:
      // status-lag and refuse-duplicate act inside the endpoints (statusLag, duplicateRefusal below).
      return 'GO';
  }
}

/** Scenario 5003: the first calls of each operation for that number answer 503. True if it did. */
export function unavailableBurst(state: SimState, operation: Operation, customerNumber: string, res: ServerResponse): boolean {
  const allowance = scenarioFor(customerNumber).unavailableCalls;
  if (allowance === 0) return false;
  const key = `${operation}:${customerNumber}`;
  const seen = state.unavailableCalls.get(key) ?? 0;
  state.unavailableCalls.set(key, seen + 1);
  if (seen >= allowance) return false;
  envelope(res, 503, 'SP019', 'Service Unavailable');
  return true;
}

/** A `status-lag` fault for a status inquiry of a transfer the simulator holds: true if it answered "not found". */
export function statusLag(state: SimState, res: ServerResponse): boolean {
  if (!state.faults.take('status', ['status-lag'])) return false;
  state.log('fault status-lag on status');
  envelope(res, 404, 'SP009', 'Transaction Not Found');
  return true;
}

/** A `refuse-duplicate` fault for a trigger of a reference the simulator holds: true if it answered a refusal. */
export function duplicateRefusal(state: SimState, res: ServerResponse): boolean {
  if (!state.faults.take('trigger', ['refuse-duplicate'])) return false;
  state.log('fault refuse-duplicate on trigger');
  envelope(res, 200, 'SP003', 'Insufficient Balance');
  return true;
}
