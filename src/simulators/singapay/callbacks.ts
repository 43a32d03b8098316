// Webhooks (docs/providers/singapay.md "Webhook"): when a transfer becomes final, POST
// `{ response_code, response_message, event: "ewallet-topup", data }` to the notification URL,
// signed like a request (X-Signature over POST:<path>:<random bearer>:<sha256(canonical)>:<unix ts>)
// with the client secret. Fire-and-forget with a few retries on non-2xx; close() aborts the rest.
import { randomBytes } from 'node:crypto';
import { canonicalJson } from '../../providers/singapay/canonical-json';
import { requestSignature } from '../../providers/singapay/signature';

const ATTEMPTS = 3;
const ATTEMPT_TIMEOUT_MS = 5_000;
const BACKOFF_MS = 200;
/** The delivery log is for tests and demos; it keeps the latest entries only. */
const SENT_LOG_LIMIT = 1_000;

export interface SentCallback {
  reference: string;
  status: string;
  attempt: number;
  httpStatus?: number;
  error?: string;
  at: string;
}

export interface CallbackSenderOptions {
  enabled: boolean;
  notificationUrl: string | undefined;
  apiKey: string;
  clientSecret: string;
  log: (line: string) => void;
}

export class CallbackSender {
  enabled: boolean;
  notificationUrl: string | undefined;
  readonly sent: SentCallback[] = [];
  /** Requests and backoff waits under way: close() aborts them all. */
  private readonly inFlight = new Set<AbortController>();
  private closed = false;

  constructor(private readonly options: CallbackSenderOptions) {
    this.enabled = options.enabled;
    this.notificationUrl = options.notificationUrl;
  }

  /** Back to the start option (the notification URL stays: it is configuration, not state). */
  reset(): void {
    this.enabled = this.options.enabled;
    this.sent.length = 0;
  }

  /** Starts delivering; never throws and is never awaited: a status answer must not wait for it. */
  notify(reference: string, status: string, data: unknown): void {
    const url = this.notificationUrl;
    if (!this.enabled || !url || this.closed) return;
    void this.deliver(url, reference, status, data).catch((err: unknown) => {
      this.options.log(`callback ${reference}: ${err instanceof Error ? err.message : String(err)}`);
    });
  }

  /** Aborts deliveries under way and stops their retries. */
  close(): void {
    this.closed = true;
    for (const controller of this.inFlight) controller.abort();
  }

  /**
   * The webhook for `data` as it would be sent to `url`, signed as of `at` with a fresh random bearer
   * token: the exact bytes and headers. The control API hands it out (POST
   * /__sim/transactions/{reference}/callback) so a test can post it, post it again (a replay), post
   * it late, or change a byte (a forgery) and see how the service answers.
   */
  signed(url: string, data: unknown, at: Date): { url: string; headers: Record<string, string>; body: string } {
    const target = new URL(url);
    const body = canonicalJson({ response_code: 'SP000', response_message: 'Successful', event: 'ewallet-topup', data });
    const token = randomBytes(24).toString('base64url');
    const timestamp = String(Math.floor(at.getTime() / 1000));
    const signature = requestSignature(this.options.clientSecret, {
      method: 'POST',
      pathWithQuery: `${target.pathname}${target.search}`,
      accessToken: token,
      canonicalBody: body,
      timestamp,
    });
    return {
      url: target.toString(),
      headers: {
        'Content-Type': 'application/json',
        'X-PARTNER-ID': this.options.apiKey,
        'X-Timestamp': timestamp,
        Authorization: `Bearer ${token}`,
        'X-Signature': signature,
      },
      body,
    };
  }

  private async deliver(url: string, reference: string, status: string, data: unknown): Promise<void> {
    for (let attempt = 1; attempt <= ATTEMPTS && !this.closed; attempt += 1) {
      // Every attempt is signed afresh: its own bearer token and a current timestamp. A bad URL
      // throws here, outside the try: notify logs it, and nothing else happens.
      const request = this.signed(url, data, new Date());
      const controller = new AbortController();
      this.inFlight.add(controller);
      const timer = setTimeout(() => controller.abort(), ATTEMPT_TIMEOUT_MS);
      const at = new Date().toISOString();
      try {
        const res = await fetch(request.url, { method: 'POST', headers: request.headers, body: request.body, signal: controller.signal });
        await res.arrayBuffer().catch(() => undefined); // drain, so the connection can be reused
        this.record({ reference, status, attempt, httpStatus: res.status, at });
        if (res.ok) return;
      } catch (err) {
        if (this.closed) return;
        this.record({ reference, status, attempt, error: err instanceof Error ? err.message : String(err), at });
      } finally {
        clearTimeout(timer);
        this.inFlight.delete(controller);
      }
      if (attempt < ATTEMPTS) await this.pause(BACKOFF_MS * attempt * attempt);
    }
  }

  /** A backoff wait that close() cuts short. */
  private pause(ms: number): Promise<void> {
    const controller = new AbortController();
    this.inFlight.add(controller);
    return new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, ms);
      controller.signal.addEventListener('abort', () => {
        clearTimeout(timer);
        resolve();
      });
    }).finally(() => this.inFlight.delete(controller));
  }

  private record(entry: SentCallback): void {
    this.sent.push(entry);
    if (this.sent.length > SENT_LOG_LIMIT) this.sent.splice(0, this.sent.length - SENT_LOG_LIMIT);
  }
}
