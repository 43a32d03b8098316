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
import type { Logger } from '../logging';
import { staleness } from '../providers/callback-freshness';
import { verifyFaspayCallback } from '../providers/faspay';
import { verifyRequestSignature, webhookSchema } from '../providers/singapay';
import { checkStatusNowSignal } from '../../workflows/messages';
import { payoutWorkflowId } from './payouts';
import { problems } from './problem';
import { REFERENCE_PATTERN } from './schemas';

export interface CallbackDeps {
  client: Client;
  /** The Singapay client secret that signs its webhooks; without it the route refuses everything. */
  singapaySecret?: string;
  /** The public key Faspay's callbacks verify with; without it the route refuses everything. */
  faspayPublicKey?: string;
  logger: Logger;
  /** Our clock, against which a callback's timestamp must be fresh (default: the system's; tests move it). */
  clock?: () => Date;
}

export function callbackRouter(deps: CallbackDeps): Router {
  const router = express.Router();
  const clock = deps.clock ?? (() => new Date());
  // The signature covers the body's canonical JSON, which is recomputed from the raw bytes.
  router.post('/singapay', express.text({ type: () => true, limit: '64kb' }), async (req: Request, res: Response) => {
    const rawBody = typeof req.body === 'string' ? req.body : '';
    const token = /^Bearer (.+)$/.exec(req.header('authorization') ?? '')?.[1];
    const signature = req.header('x-signature');
    const verified =
      deps.singapaySecret !== undefined &&
      token !== undefined &&
      verifyRequestSignature(deps.singapaySecret, {
        method: 'POST',
        pathWithQuery: req.originalUrl,
        accessToken: token,
        timestamp: req.header('x-timestamp') ?? '',
        rawBody,
        signature,
      });
    if (!verified) throw problems.unauthorized('The callback signature does not verify.');
    refuseStale(req.header('x-timestamp'), clock());
    let reference: string | undefined;
    try {
      const parsed = webhookSchema.safeParse(JSON.parse(rawBody));
      reference = parsed.success ? parsed.data.data.reference_number : undefined;
    } catch {
      reference = undefined;
    }
    await nudge(deps, 'singapay', reference, signature!);
    res.json({ response_code: 'SP000', response_message: 'Successful' });
  });
  router.post('/faspay', express.text({ type: () => true, limit: '64kb' }), async (req: Request, res: Response) => {
    const now = clock();
    // Freshness first, by our own rule and clock, so the answer can say why; the verifier checks it too.
    refuseStale(req.header('x-timestamp'), now);
    const verified = deps.faspayPublicKey
      ? verifyFaspayCallback(deps.faspayPublicKey, { path: req.originalUrl, rawBody: typeof req.body === 'string' ? req.body : '', headers: req.headers }, { now })
      : { ok: false as const, reason: 'no FASPAY_CALLBACK_PUBLIC_KEY configured' };
    if (!verified.ok) throw problems.unauthorized('The callback signature does not verify.');
    await nudge(deps, 'faspay', verified.notification.originalPartnerReferenceNo, req.header('x-signature')!);
    res.json({ responseCode: '2000000', responseMessage: 'Successful' });
  });
  return router;
}

/** A callback outside the freshness window is refused as unauthenticated: its signature proves nothing now. */
function refuseStale(timestamp: string | undefined, now: Date): void {
  const why = staleness(timestamp, now);
  if (why) throw problems.unauthorized(`The callback is not fresh: ${why}.`);
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
