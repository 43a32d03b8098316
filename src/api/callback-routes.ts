// Provider callbacks (webhooks): a verified callback is only a hint. It makes the payout's workflow
// check the status now (signal `checkStatusNow`); the workflow trusts only its own status check, so
// duplicate, late or out-of-order callbacks cannot change an outcome. A callback is admitted only
// while fresh (callback-freshness.ts), and carries an id to the workflow, the hash of its signature,
// so that a replay inside the window is recognised there: API instances share nothing, the payout's
// workflow is the one place that can remember which callbacks it has seen.
import { createHash } from 'node:crypto';
import express, { type Request, type Response, type Router } from 'express';
import type { Client } from '@temporalio/client';
import { WorkflowNotFoundError } from '@temporalio/common';
import type { ProviderCatalog } from '../domain/provider-port';
import type { Logger } from '../logging';
import { checkStatusNowSignal } from '../../workflows/messages';
import { payoutWorkflowId } from './payouts';
import { problems } from './problem';
import { REFERENCE_PATTERN } from './schemas';

export interface CallbackDeps {
  client: Client;
  /** Which providers exist, and the verifier of each configured one (a provider without one refuses all). */
  providers: Pick<ProviderCatalog, 'known' | 'callbacks'>;
  logger: Logger;
  /** Our clock, against which a callback's timestamp must be fresh (default: the system's; tests move it). */
  clock?: () => Date;
}

/**
 * One route for every provider: POST /v1/callbacks/{provider}. The paths stay what each provider was
 * given (Singapay signs the path). The provider's module verifies signature and freshness from the
 * raw bytes and finds our reference; this route only nudges the payout.
 */
export function callbackRouter(deps: CallbackDeps): Router {
  const router = express.Router();
  const clock = deps.clock ?? (() => new Date());
  router.post('/:provider', express.text({ type: () => true, limit: '64kb' }), async (req: Request, res: Response) => {
    const provider = String(req.params.provider);
    if (!deps.providers.known.some(({ key }) => key === provider)) throw problems.notFound(`There is no provider ${provider}.`);
    const handler = deps.providers.callbacks[provider];
    const verdict = handler
      ? handler.verify({ method: req.method, path: req.originalUrl, rawBody: typeof req.body === 'string' ? req.body : '', headers: req.headers }, clock())
      : { ok: false as const, reason: 'The callback signature does not verify.' };
    if (!verdict.ok) {
      deps.logger.warn({ provider, reason: handler ? verdict.reason : 'no key to verify this provider\'s callbacks is configured' }, 'callback refused');
      throw problems.unauthorized(verdict.reason);
    }
    await nudge(deps, provider, verdict.reference, verdict.signature);
    res.json(handler!.acknowledgement);
  });
  return router;
}

/**
 * The id a callback is known by: the hash of its signature header. A replay carries the same
 * signature, a new callback (another timestamp, another body) another one. Hashed, so the workflow
 * history holds no signature that could be presented again.
 */
export function callbackId(signature: string): string {
  return createHash('sha256').update(signature, 'utf8').digest('hex');
}

/** A callback waits at most this long for Temporal; the provider retries a 503. */
const SIGNAL_TIMEOUT_MS = 5_000;

/** Signals the payout to check its status now. Unknown or finished payouts are logged, not errors. */
async function nudge(deps: CallbackDeps, provider: string, reference: string | undefined, signature: string): Promise<void> {
  if (!reference || !REFERENCE_PATTERN.test(reference)) {
    deps.logger.warn({ provider }, 'callback without a usable reference');
    return;
  }
  try {
    await deps.client.connection.withDeadline(Date.now() + SIGNAL_TIMEOUT_MS, () =>
      deps.client.workflow.getHandle(payoutWorkflowId(reference)).signal(checkStatusNowSignal, { callbackId: callbackId(signature) }),
    );
    deps.logger.info({ provider, reference }, 'callback: status check requested');
  } catch (err) {
    if (err instanceof WorkflowNotFoundError) {
      deps.logger.warn({ provider, reference }, 'callback for an unknown or finished payout');
      return;
    }
    // Temporal unreachable or too slow: 503, so the provider sends the callback again later (polling
    // finishes the payout anyway). Never a 500: nothing is wrong with the callback.
    deps.logger.warn({ provider, reference, err }, 'callback: could not signal the payout');
    throw problems.temporalUnavailable();
  }
}
