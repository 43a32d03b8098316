// What every Faspay endpoint of the simulator shares: the answer function (responseCode with the
// endpoint's own service code), the context, and the checks several services make the same way.
import type { FaultPlan } from '../common';
import type { HeldAssumptions } from './assumptions';
import type { Ledger } from './ledger';
import { companyCodeDigitsFor } from '../../providers/faspay/assumptions';
import { scenarioFor } from './scenarios';

/** Answers with this endpoint's service code: answer(404, '11', 'Invalid Account') → 4041611. */
export type Answer = (http: number, kase: string, message: string, extra?: Record<string, unknown>) => void;

export interface EndpointContext {
  ledger: Ledger;
  /** For the faults that act inside an endpoint (status-lag, refuse-duplicate); see common.ts. */
  faults: FaultPlan;
  sourceAccount: string;
  /** What the simulated provider holds on the client's assumptions (POST /__sim/assumptions). */
  held: HeldAssumptions;
  log: (line: string) => void;
  now: () => Date;
}

export type TriggerMode = 'ANSWER' | 'HOLD_AFTER';

export const OK = 'Request has been processed successfully';

export function refuseBody(answer: Answer, check: { case: '01' | '02'; message: string }): void {
  answer(400, check.case, check.message);
}

/** 5003: the first two calls of every operation for that number answer 503. */
export function unavailable(ctx: EndpointContext, service: string, number: string, answer: Answer): boolean {
  if (!ctx.ledger.stillUnavailable(service, number, scenarioFor(number).unavailableCalls)) return false;
  answer(503, '00', 'Service Unavailable');
  return true;
}

/**
 * A VA number split with another company-code length than the provider holds for the biller
 * (faspay.va-company-code-digits): no such company code, so no such virtual account (404xx11).
 */
export function wrongVaSplit(ctx: EndpointContext, b: { partnerServiceId: string; additionalInfo: { billerCode: string } }, answer: Answer): boolean {
  if (b.partnerServiceId.trim().length === companyCodeDigitsFor(ctx.held.settings, b.additionalInfo.billerCode)) return false;
  answer(404, '11', 'Invalid Account');
  return true;
}

export function wrongSource(ctx: EndpointContext, account: string, answer: Answer): boolean {
  if (account === ctx.sourceAccount) return false;
  answer(403, '15', 'Transaction Not Permitted. Source account is not the partner\'s');
  return true;
}
