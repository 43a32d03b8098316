// The webhook endpoints' entity workflow: Temporal is their database. One long-running workflow
// per task queue (endpointsWorkflowId) holds every endpoint; the API changes them through updates and reads them
// from the memo, which this workflow rewrites after every change (readable without a worker).
// Secrets are never here: an endpoint has a secret version, from which the secret is derived.
import { ApplicationFailure, allHandlersFinished, condition, continueAsNew, setHandler, upsertMemo, workflowInfo } from '@temporalio/workflow';
import type { WebhookEndpoint } from '../src/domain/webhooks';
import { createEndpointUpdate, deleteEndpointUpdate, EndpointRefusal, listEndpointsQuery, rotateSecretUpdate } from './webhook-messages';

export interface EndpointsInput {
  /** Carried over continue-as-new. */
  endpoints?: WebhookEndpoint[];
}

/** Continue as new well before Temporal's limits: every change is one update and one memo write. */
const MAX_HISTORY_EVENTS = 2_000;

export async function webhookEndpointsWorkflow(input: EndpointsInput = {}): Promise<void> {
  const endpoints = new Map((input.endpoints ?? []).map((endpoint) => [endpoint.id, endpoint]));
  const publish = () => upsertMemo({ endpoints: [...endpoints.values()] });
  if (!input.endpoints) publish();

  const known = (id: string) => {
    if (!endpoints.has(id)) throw ApplicationFailure.create({ type: EndpointRefusal.NOT_FOUND, message: `no webhook endpoint ${id}`, nonRetryable: true });
  };

  setHandler(createEndpointUpdate, (created) => {
    // Idempotent: the API may retry an update whose answer it lost.
    const existing = endpoints.get(created.id);
    if (existing) return existing;
    const endpoint: WebhookEndpoint = { ...created, secretVersion: 1 };
    endpoints.set(endpoint.id, endpoint);
    publish();
    return endpoint;
  });

  setHandler(
    deleteEndpointUpdate,
    ({ id }) => {
      endpoints.delete(id);
      publish();
    },
    { validator: ({ id }) => known(id) },
  );

  setHandler(
    rotateSecretUpdate,
    ({ id, overlapUntil }) => {
      const current = endpoints.get(id)!;
      const rotated: WebhookEndpoint = { ...current, secretVersion: current.secretVersion + 1, previousSecretUntil: overlapUntil };
      endpoints.set(id, rotated);
      publish();
      return rotated;
    },
    { validator: ({ id }) => known(id) },
  );

  setHandler(listEndpointsQuery, () => [...endpoints.values()]);

  await condition(() => workflowInfo().continueAsNewSuggested || workflowInfo().historyLength > MAX_HISTORY_EVENTS);
  // Hand over between updates, never in the middle of one.
  await condition(allHandlersFinished);
  return continueAsNew<typeof webhookEndpointsWorkflow>({ endpoints: [...endpoints.values()] });
}
