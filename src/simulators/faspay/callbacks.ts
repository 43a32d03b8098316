// Callbacks: when a transfer becomes final the simulator posts the project-defined SNAP-style
// notification (src/providers/faspay/callback.ts) to the request's callbackUrl, signed with the
// simulator's own key. Fire-and-forget with a few retries on non-2xx; close() aborts what is left.
import type { KeyObject } from 'node:crypto';
import { TRANSACTION_STATUS_DESC } from '../../providers/faspay/codes';
import { signedCallback } from '../../providers/faspay/callback';
import { externalIdGenerator, jakartaTimestamp } from '../../providers/faspay/headers';
import { delay } from '../common';
import { money, numberOf, type SimTransaction } from './ledger';

const ATTEMPTS = 3;
const ATTEMPT_TIMEOUT_MS = 5_000;

export interface SentCallback {
  reference: string;
  status: string;
  attempt: number;
  httpStatus?: number;
  error?: string;
  at: string;
}

export class CallbackSender {
  enabled: boolean;
  readonly sent: SentCallback[] = [];
  private readonly inFlight = new Set<AbortController>();
  private readonly nextExternalId = externalIdGenerator(() => new Date());
  private closed = false;

  constructor(
    private readonly initiallyEnabled: boolean,
    private readonly signingKey: KeyObject,
    private readonly partnerId: string,
    private readonly log: (line: string) => void,
  ) {
    this.enabled = initiallyEnabled;
  }

  reset(): void {
    this.enabled = this.initiallyEnabled;
    this.sent.length = 0;
  }

  /** Starts sending; never throws, never awaited by the caller. */
  notify(t: SimTransaction): void {
    if (!this.enabled || !t.callbackUrl) return;
    void this.send(t, t.callbackUrl).catch((err: Error) => this.log(`callback ${t.reference}: ${err.message}`));
  }

  /**
   * The callback for `t`'s current status as it would be sent to `url`, signed as of `at`: the exact
   * bytes and headers. The control API hands it out (POST /__sim/transactions/{reference}/callback)
   * so a test can post it, post it again (a replay), post it late, or change a byte (a forgery).
   */
  signed(t: SimTransaction, url: string, at: Date): { url: string; headers: Record<string, string>; body: string } {
    const { body, headers } = signedCallback(this.signingKey, { url, partnerId: this.partnerId, externalId: this.nextExternalId(), now: at, notification: notificationOf(t) });
    return { url, headers: { ...headers }, body };
  }

  private async send(t: SimTransaction, url: string): Promise<void> {
    const notification = notificationOf(t);
    for (let attempt = 1; attempt <= ATTEMPTS; attempt += 1) {
      const controller = new AbortController();
      this.inFlight.add(controller);
      const timer = setTimeout(() => controller.abort(), ATTEMPT_TIMEOUT_MS);
      const at = new Date();
      try {
        const { body, headers } = signedCallback(this.signingKey, { url, partnerId: this.partnerId, externalId: this.nextExternalId(), now: at, notification });
        const res = await fetch(url, { method: 'POST', headers, body, signal: controller.signal });
        await res.arrayBuffer().catch(() => undefined);
        this.sent.push({ reference: t.reference, status: t.status, attempt, httpStatus: res.status, at: at.toISOString() });
        if (res.ok) return;
      } catch (err) {
        this.sent.push({ reference: t.reference, status: t.status, attempt, error: (err as Error).message, at: at.toISOString() });
        if (controller.signal.aborted && this.closed) return;
      } finally {
        clearTimeout(timer);
        this.inFlight.delete(controller);
      }
      if (this.closed) return;
      await delay(200 * attempt * attempt);
    }
  }

  close(): void {
    this.closed = true;
    for (const controller of this.inFlight) controller.abort();
  }
}

/** The project-defined notification for a transfer's current status (src/providers/faspay/callback.ts). */
function notificationOf(t: SimTransaction) {
  return {
    originalPartnerReferenceNo: t.reference,
    originalReferenceNo: t.transactionId,
    latestTransactionStatus: t.status,
    transactionStatusDesc: TRANSACTION_STATUS_DESC[t.status],
    amount: money(t.amount),
    additionalInfo: {
      serviceCode: t.service,
      accountNo: numberOf(t.destination),
      transactionStatusDate: jakartaTimestamp(t.updatedAt),
      notice: 'project-defined stand-in for Faspay SNAP callbacks: check status before acting',
    },
  };
}
