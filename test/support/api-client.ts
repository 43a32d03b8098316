// The typed API client the tests use: openapi-fetch over the types openapi-typescript generates from
// the API's OpenAPI document (scripts/generate-api-types.ts, run by `npm run typecheck`). A call the
// document does not describe does not compile, and every answer is checked against the document.
import createClient, { type Middleware } from 'openapi-fetch';
import type { paths } from './generated/api';
import { checkAgainstDocument } from './api-document';

/** The body of POST /v1/payouts and the query of GET /v1/payouts, as the document has them. */
export type CreatePayoutBody = paths['/v1/payouts']['post']['requestBody']['content']['application/json'];
export type ListPayoutsQuery = NonNullable<paths['/v1/payouts']['get']['parameters']['query']>;

const conformsToDocument: Middleware = {
  async onResponse({ request, response }) {
    const text = await response.clone().text();
    let body: unknown = text;
    try {
      body = text ? JSON.parse(text) : undefined;
    } catch {
      // not JSON: only its status is checked
    }
    checkAgainstDocument({ method: request.method, path: new URL(request.url).pathname, status: response.status, contentType: response.headers.get('content-type') ?? '', body });
    return response;
  },
};

/** A client of the API at `apiUrl` with this API key; `null` sends no Authorization header (the public operations: /healthz, /readyz, /metrics). */
export function apiClient(apiUrl: string, key: string | null) {
  const client = createClient<paths>({ baseUrl: apiUrl, ...(key !== null && { headers: { authorization: `Bearer ${key}` } }) });
  client.use(conformsToDocument);
  return client;
}

/**
 * A typed call's result with its status, content type and headers beside openapi-fetch's typed `data`
 * (2xx) and `error` (otherwise), so that a test reads `res.status` as it does a call() answer.
 */
export async function answer<T extends { response: Response }>(pending: Promise<T>) {
  const result = await pending;
  return { ...result, status: result.response.status, contentType: result.response.headers.get('content-type') ?? '', headers: result.response.headers };
}

/** stack.ts's ewalletPayout, typed by the document: a DANA payout with this reference and number. */
export function payoutBody(reference: string, customerNumber: string, value = '10000.00', extra: Partial<CreatePayoutBody> = {}): CreatePayoutBody {
  return { reference, destination: { type: 'EWALLET', ewallet: 'DANA', customerNumber }, amount: { value, currency: 'IDR' }, description: 'Cashback November', ...extra };
}
