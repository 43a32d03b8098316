// Messages of the two webhook workflows: the endpoints' entity workflow (webhook-endpoints.ts) and
// one delivery workflow per endpoint and payout (webhook-delivery.ts).
import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type { WebhookEvent } from '../src/domain/events';
import type { DeliveryRecord, WebhookEndpoint } from '../src/domain/webhooks';

/** A new endpoint, as the API made it (id and time included, so a retried update creates it once). */
export type NewEndpoint = Omit<WebhookEndpoint, 'secretVersion' | 'previousSecretUntil'>;

export const createEndpointUpdate = defineUpdate<WebhookEndpoint, [NewEndpoint]>('createWebhookEndpoint');
export const deleteEndpointUpdate = defineUpdate<void, [{ id: string }]>('deleteWebhookEndpoint');
/** A new secret version; deliveries are signed with the old one too until `overlapUntil`. */
export const rotateSecretUpdate = defineUpdate<WebhookEndpoint, [{ id: string; overlapUntil: string }]>('rotateWebhookSecret');
export const listEndpointsQuery = defineQuery<WebhookEndpoint[]>('listWebhookEndpoints');

/** A payout's events for this endpoint, in order of sequence; those already held are ignored. */
export const enqueueEventsSignal = defineSignal<[WebhookEvent[]]>('enqueueWebhookEvents');
/** The payout reached a final status this endpoint does not subscribe to: no more events will come. */
export const payoutEndedSignal = defineSignal('payoutEnded');
/** Send an event again (by hand), whatever its state. */
export const redeliverSignal = defineSignal<[{ eventId: string }]>('redeliverWebhookEvent');
export const deliveryLogQuery = defineQuery<DeliveryRecord[]>('webhookDeliveryLog');

/** Failure types the endpoints workflow's validators throw; the API maps them to HTTP statuses. */
export const EndpointRefusal = {
  NOT_FOUND: 'WEBHOOK_ENDPOINT_NOT_FOUND',
} as const;
