// Reading the webhook endpoints: from the endpoints workflow's memo, which it rewrites after every
// change. A describe is answered by the Temporal server alone (no worker needed) and reflects every
// update that has completed, so the API and the publishing activity see the same list.
import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import { endpointsWorkflowId, type WebhookEndpoint } from '../domain/webhooks';

/** The endpoints of the deployment serving `taskQueue` (none before the first is created). */
export async function readEndpoints(client: Client, taskQueue: string): Promise<WebhookEndpoint[]> {
  try {
    const description = await client.workflow.getHandle(endpointsWorkflowId(taskQueue)).describe();
    // A continued-as-new run is closed; the handle without a run id follows to the running one.
    return (description.memo?.endpoints as WebhookEndpoint[] | undefined) ?? [];
  } catch (err) {
    if (err instanceof WorkflowNotFoundError) return [];
    throw err;
  }
}
