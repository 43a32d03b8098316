// Provider callbacks (webhooks): a verified callback is only a hint. It makes the payout's workflow
// check the status now (signal `checkStatusNow`); the workflow trusts only its own status check, so
// duplicate, late or out-of-order callbacks cannot change an outcome.
import express, { type Request, type Response, type Router } from 'express';
import type { Client } from '@temporalio/client';
import { WorkflowNotFoundError } from '@temporalio/common';
import type { Logger } from '../logging';
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
}

export function callbackRouter(deps: CallbackDeps): Router {
  const router = express.Router();
  // The signature covers the body's canonical JSON, which is recomputed from the raw bytes.
  router.post('/singapay', express.text({ type: () => true, limit: '64kb' }), async (req: Request, res: Response) => {
    const rawBody = typeof req.body === 'string' ? req.body : '';
    const token = /^Bearer (.+)$/.exec(req.header('authorization') ?? '')?.[1];
    const verified =
      deps.singapaySecret !== undefined &&
      token !== undefined &&
      verifyRequestSignature(deps.singapaySecret, {
        method: 'POST',
        pathWithQuery: req.originalUrl,
        accessToken: token,
        timestamp: req.header('x-timestamp') ?? '',
        rawBody,
        signature: req.header('x-signature'),
      });
    if (!verified) throw problems.unauthorized('The callback signature does not verify.');
    let reference: string | undefined;
    try {
      const parsed = webhookSchema.safeParse(JSON.parse(rawBody));
      reference = parsed.success ? parsed.data.data.reference_number : undefined;
    } catch {
      reference = undefined;
    }
    await nudge(deps, 'singapay', reference);
    res.json({ response_code: 'SP000', response_message: 'Successful' });
  });
  router.post('/faspay', express.text({ type: () => true, limit: '64kb' }), async (req: Request, res: Response) => {
    const verified = deps.faspayPublicKey
      ? verifyFaspayCallback(deps.faspayPublicKey, { path: req.originalUrl, rawBody: typeof req.body === 'string' ? req.body : '', headers: req.headers })
      : { ok: false as const, reason: 'no FASPAY_CALLBACK_PUBLIC_KEY configured' };
    if (!verified.ok) throw problems.unauthorized('The callback signature does not verify.');
    await nudge(deps, 'faspay', verified.notification.originalPartnerReferenceNo);
    res.json({ responseCode: '2000000', responseMessage: 'Successful' });
  });
  return router;
}

/** Signals the payout to check its status now. Unknown or finished payouts are logged, not errors. */
async function nudge(deps: CallbackDeps, provider: string, reference: string | undefined): Promise<void> {
  if (!reference || !REFERENCE_PATTERN.test(reference)) {
    deps.logger.warn({ provider }, 'callback without a usable reference');
    return;
  }
  try {
    await deps.client.workflow.getHandle(payoutWorkflowId(reference)).signal(checkStatusNowSignal);
    deps.logger.info({ provider, reference }, 'callback: status check requested');
  } catch (err) {
    if (err instanceof WorkflowNotFoundError) {
      deps.logger.warn({ provider, reference }, 'callback for an unknown or finished payout');
      return;
    }
    throw err;
  }
}
