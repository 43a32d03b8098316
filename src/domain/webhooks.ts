// Webhook endpoints and deliveries as data: what an endpoint is, which workflow holds what, and the
// delivery log's records. Pure (no Node modules), so the workflows import it too.
//
// An endpoint never holds its secret: only a secret version. The secret is derived from the master
// key whenever it is needed (src/webhooks/secrets.ts), so no credential sits in Temporal's history.

export interface WebhookEndpoint {
  /** `we_` and 24 hex digits, made by the API. */
  id: string;
  url: string;
  /** The event types it receives (EVENT_TYPES); all of them unless the merchant chose some. */
  events: string[];
  description?: string;
  createdAt: string;
  /** The version of the derived secret that signs now; a rotation adds one. */
  secretVersion: number;
  /** Until then, deliveries are also signed with version secretVersion − 1 (the rotation's overlap). */
  previousSecretUntil?: string;
}

/**
 * The one workflow that holds every endpoint of the deployment serving `taskQueue` (an entity
 * workflow: Temporal is the database). Per task queue, so that deployments (and test stacks) sharing
 * a namespace keep their endpoints apart, and the workflow runs where its own workers poll.
 */
export function endpointsWorkflowId(taskQueue: string): string {
  return `webhook-endpoints:${taskQueue}`;
}

/** One delivery workflow per endpoint and payout: its events go in order, and nothing else waits for them. */
export function deliveryWorkflowId(endpointId: string, reference: string): string {
  return `webhook-delivery:${endpointId}:${reference}`;
}

export const ENDPOINT_ID_PATTERN = /^we_[0-9a-f]{24}$/;

export function subscribes(endpoint: Pick<WebhookEndpoint, 'events'>, type: string): boolean {
  return endpoint.events.includes(type);
}

/** The secret versions a delivery made at `nowMs` is signed with: the current one, and the previous one during an overlap. */
export function signingVersions(endpoint: WebhookEndpoint, nowMs: number): number[] {
  const overlap = endpoint.previousSecretUntil !== undefined && nowMs < Date.parse(endpoint.previousSecretUntil) && endpoint.secretVersion > 1;
  return overlap ? [endpoint.secretVersion, endpoint.secretVersion - 1] : [endpoint.secretVersion];
}

/** Where an event stands with one endpoint. */
export type DeliveryState = 'PENDING' | 'DELIVERED' | 'FAILED';

/** One event's line in an endpoint's delivery log. */
export interface DeliveryRecord {
  eventId: string;
  type: string;
  payoutId: string;
  sequence: number;
  state: DeliveryState;
  /** Attempts made so far, redeliveries included. */
  attempts: number;
  /** The receiver's HTTP status on the last attempt, when it answered. */
  lastHttpStatus?: number;
  /** Why the last attempt did not deliver (a transport error, a refusal, a blocked address). */
  lastError?: string;
  createdAt: string;
  deliveredAt?: string;
  nextAttemptAt?: string;
  /** When the retry window ran out (state FAILED). */
  failedAt?: string;
}

/** How a delivery workflow retries: exponential backoff from `initialIntervalMs` up to `maxIntervalMs`, for `retryWindowMs`. */
export interface DeliveryPolicy {
  initialIntervalMs: number;
  maxIntervalMs: number;
  retryWindowMs: number;
  /** Upper bound of one HTTP attempt (connect, send, answer). */
  attemptTimeoutMs: number;
  /** How long a delivery workflow stays open after its payout's last event, so a late duplicate is still recognised. */
  lingerMs: number;
}

export const DEFAULT_DELIVERY_POLICY: DeliveryPolicy = {
  initialIntervalMs: 5_000,
  maxIntervalMs: 60 * 60_000,
  retryWindowMs: 24 * 60 * 60_000,
  attemptTimeoutMs: 10_000,
  lingerMs: 60 * 60_000,
};

/** The wait before attempt `attemptsMade + 1`: initial × 2^(attemptsMade − 1), capped; a Retry-After within the cap wins. */
export function retryDelay(attemptsMade: number, policy: DeliveryPolicy, retryAfterMs?: number): number {
  const grown = Math.min(policy.maxIntervalMs, policy.initialIntervalMs * Math.pow(2, Math.max(0, attemptsMade - 1)));
  return retryAfterMs !== undefined ? Math.min(policy.maxIntervalMs, Math.max(grown, retryAfterMs)) : grown;
}

/** What one attempt came to (the delivery activity's answer). */
export type AttemptResult =
  | { outcome: 'DELIVERED'; httpStatus: number }
  | { outcome: 'REFUSED'; httpStatus: number; retryAfterMs?: number }
  | { outcome: 'FAILED'; error: string }
  /** The endpoint was deleted: nothing more goes to it. */
  | { outcome: 'ENDPOINT_GONE' };
