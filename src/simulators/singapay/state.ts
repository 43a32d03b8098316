// Everything the simulator remembers, in one place, so the endpoints and the control API share it
// and POST /__sim/reset can forget it all at once.
import type { SingapayAssumptionSettings } from '../../providers/singapay/assumptions';
import { CallLog, FaultPlan } from '../common';
import type { SingapayCredentials, TokenStore } from './auth';
import type { CallbackSender } from './callbacks';
import type { Ledger } from './ledger';

export type SingapayOperation = 'token' | 'inquiry' | 'trigger' | 'status';

export const SINGAPAY_OPERATIONS: readonly SingapayOperation[] = ['token', 'inquiry', 'trigger', 'status'];

export function callLog(): CallLog<SingapayOperation> {
  return new CallLog(SINGAPAY_OPERATIONS);
}

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
  /** Set: transfers of numbers outside the scenario table succeed on their own this long after the trigger. */
  readonly settleAfterMs: number | undefined;
  /** Provider calls received, by operation and with their arrival times (GET /__sim/calls), for benchmarks and rate limits. */
  readonly calls: CallLog<SingapayOperation>;
  readonly log: (line: string) => void;
  readonly now: () => Date;
  /**
   * What the simulated provider holds on each point its pages leave open (GET/POST
   * /__sim/assumptions): one reading, never both, so a client holding the other one fails as it
   * would at Singapay.
   */
  readonly assumptions: SingapayAssumptionSettings;
  /** What `assumptions` starts with and POST /__sim/reset restores (the client's defaults unless the options say otherwise). */
  readonly startAssumptions: Readonly<SingapayAssumptionSettings>;
  /**
   * Whether only `assumptions.timestampFormat` is accepted in X-Timestamp. Until told a form (POST
   * /__sim/assumptions, or the start options) the simulator accepts both, as its documented contract
   * says: ISO-8601 (the trigger page) and Unix seconds (Singapay's other pages).
   */
  timestampStrict: boolean;
  readonly startTimestampStrict: boolean;
}

/** Forget transactions, faults, tokens and per-number counters; balance, callbacks and assumptions as at start. */
export function resetState(state: SimState): void {
  Object.assign(state.assumptions, state.startAssumptions);
  state.timestampStrict = state.startTimestampStrict;
  state.ledger.reset();
  state.tokens.reset();
  state.faults.reset();
  state.unavailableCalls.clear();
  state.callbacks.reset();
  state.calls.reset();
}
