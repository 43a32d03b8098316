// The typed API client the tests use: openapi-fetch over the types openapi-typescript generates from
// the API's OpenAPI document (scripts/generate-api-types.ts, run by `npm run typecheck`). A call the
// document does not describe does not compile, and every answer is checked against the document.
import createClient, { type Middleware } from 'openapi-fetch';
import type { paths } from './generated/api';
import { checkAgainstDocument } from './api-document';

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

/** A client of the API at `apiUrl` with this API key. */
export function apiClient(apiUrl: string, key: string) {
  const client = createClient<paths>({ baseUrl: apiUrl, headers: { authorization: `Bearer ${key}` } });
  client.use(conformsToDocument);
  return client;
}
