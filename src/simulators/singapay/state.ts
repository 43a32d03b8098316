// Everything the simulator remembers, in one place, so the endpoints and the control API share it
// and POST /__sim/reset can forget it all at once.
import { FaultPlan } from '../common';
import type { SingapayCredentials, TokenStore } from './auth';
import type { CallbackSender } from './callbacks';
import type { Ledger } from './ledger';

export interface SimState {
  readonly credentials: SingapayCredentials;
  /** Flat fee per top-up, whole rupiah. */
  readonly fee: number;
  readonly ledger: Ledger;
  readonly tokens: TokenStore;
  readonly faults: FaultPlan;
  /** Scenario 5003: calls seen per `${operation}:${customerNumber}`. */
  readonly unavailableCalls: Map<string, number>;
  readonly callbacks: CallbackSender;
  readonly log: (line: string) => void;
  readonly now: () => Date;
}

/** Forget transactions, faults, tokens and per-number counters; balance and callbacks as at start. */
export function resetState(state: SimState): void {
  state.ledger.reset();
  state.tokens.reset();
  state.faults.clear();
  state.unavailableCalls.clear();
  state.callbacks.reset();
}
