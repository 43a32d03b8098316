// The HTTP contract of api.md, against the real API, Temporal and simulator: validation, auth,
// idempotent create and problem+json errors. Every invalid request must start no workflow.
// Requests go through the typed client (the document's operations, typed by it); only input a typed
// client cannot express (bad JSON, wrong types, unknown fields, no or a bad key, odd paths) uses call().
import { WorkflowNotFoundError } from '@temporalio/common';
import { payoutWorkflowId } from '../../src/api/payouts';
import { answer, apiClient, payoutBody, type CreatePayoutBody, type ListPayoutsQuery } from '../support/api-client';
import { call, ewalletPayout, KEYS, ledger, startStack, uniqueReference, waitForStatus, type TestStack } from '../support/stack';

let stack: TestStack;
/** Typed clients with each role's key, and one with none (the public operations). */
let requester: ReturnType<typeof apiClient>;
let approver: ReturnType<typeof apiClient>;
let anonymous: ReturnType<typeof apiClient>;
beforeAll(async () => {
  stack = await startStack();
  requester = apiClient(stack.apiUrl, KEYS.requester);
  approver = apiClient(stack.apiUrl, KEYS.approver);
  anonymous = apiClient(stack.apiUrl, null);
});
afterAll(async () => {
  await stack?.stop();
});

async function workflowExists(reference: string): Promise<boolean> {
  try {
    await stack.client.workflow.getHandle(payoutWorkflowId(reference)).describe();
    return true;
  } catch (err) {
    if (err instanceof WorkflowNotFoundError) return false;
    throw err;
  }
}

interface ProblemBody {
  type: string;
  title: string;
  status: number;
  detail: string;
  instance: string;
  errors?: { pointer: string; detail: string }[];
}

describe('POST /v1/payouts validation', () => {
  // Bodies the document's types allow, refused by the API's rules: sent through the typed client.
  const invalid: [string, (ref: string) => CreatePayoutBody, string][] = [
    ['amount with cents', (r) => payoutBody(r, '081200000000', '10000.50'), '/amount/value'],
    ['negative amount', (r) => payoutBody(r, '081200000000', '-10000.00'), '/amount/value'],
    ['zero amount', (r) => payoutBody(r, '081200000000', '0.00'), '/amount/value'],
    ['customer number too short', (r) => payoutBody(r, '0812'), '/destination/customerNumber'],
    ['description too long', (r) => payoutBody(r, '081200000000', '10000.00', { description: 'x'.repeat(51) }), '/description'],
    ['description with forbidden characters', (r) => payoutBody(r, '081200000000', '10000.00', { description: 'fee <script>' }), '/description'],
    ['approval timeout below PT1S', (r) => payoutBody(r, '081200000000', '10000.00', { approvalTimeout: 'PT0S' }), '/approvalTimeout'],
    ['approval timeout above P7D', (r) => payoutBody(r, '081200000000', '10000.00', { approvalTimeout: 'P8D' }), '/approvalTimeout'],
    ['scheduledAt more than 30 days ahead', (r) => payoutBody(r, '081200000000', '10000.00', { scheduledAt: new Date(Date.now() + 31 * 86_400_000).toISOString() }), '/scheduledAt'],
    ['scheduledAt without an offset', (r) => payoutBody(r, '081200000000', '10000.00', { scheduledAt: '2026-11-23T09:00:00' }), '/scheduledAt'],
    ['singapay for a bank account', (r) => payoutBody(r, '081200000000', '10000.00', { destination: { type: 'BANK_ACCOUNT', bankCode: '014', accountNumber: '1234567890' }, provider: 'singapay' }), '/provider'],
    ['singapay for LinkAja', (r) => payoutBody(r, '081200000000', '10000.00', { destination: { type: 'EWALLET', ewallet: 'LINKAJA', customerNumber: '081200000000' }, provider: 'singapay' }), '/provider'],
    ['faspay for ShopeePay', (r) => payoutBody(r, '081200000000', '10000.00', { destination: { type: 'EWALLET', ewallet: 'SHOPEEPAY', customerNumber: '081200000000' }, provider: 'faspay' }), '/provider'],
    ['bank code of 2 digits', (r) => payoutBody(r, '081200000000', '10000.00', { destination: { type: 'BANK_ACCOUNT', bankCode: '14', accountNumber: '1234567890' } }), '/destination/bankCode'],
  ];
  // Bodies the document's types do not allow (wrong types, values outside an enum, unknown fields): call().
  const illTyped: [string, (ref: string) => unknown, string][] = [
    ['amount as a number', (r) => ({ ...ewalletPayout(r, '081200000000'), amount: { value: 10000, currency: 'IDR' } }), '/amount/value'],
    ['currency other than IDR', (r) => ({ ...ewalletPayout(r, '081200000000'), amount: { value: '10000.00', currency: 'USD' } }), '/amount/currency'],
    ['unknown e-wallet', (r) => ({ ...ewalletPayout(r, '081200000000'), destination: { type: 'EWALLET', ewallet: 'PAYPAL', customerNumber: '081200000000' } }), '/destination/ewallet'],
    ['unknown field', (r) => ({ ...ewalletPayout(r, '081200000000'), priority: 'high' }), '/priority'],
  ];

  async function expectRefused(res: { status: number; contentType: string; problem: unknown }, reference: string, pointer: string) {
    expect(res.status).toBe(400);
    expect(res.contentType).toContain('application/problem+json');
    expect(res.problem).toMatchObject({ type: expect.stringContaining('/problems/'), status: 400, title: expect.any(String), detail: expect.any(String), instance: '/v1/payouts' });
    expect((res.problem as ProblemBody).errors?.map((e) => e.pointer)).toContain(pointer);
    expect(await workflowExists(reference)).toBe(false);
  }

  test.each(invalid)('%s → 400 problem+json naming the field, and no workflow', async (_name, body, pointer) => {
    const reference = uniqueReference('invalid');
    const res = await answer(requester.POST('/v1/payouts', { body: body(reference) }));
    await expectRefused({ ...res, problem: res.error }, reference, pointer);
  });

  test.each(illTyped)('%s → 400 problem+json naming the field, and no workflow', async (_name, body, pointer) => {
    const reference = uniqueReference('invalid');
    const res = await call<ProblemBody>(stack, 'POST', '/v1/payouts', { body: body(reference) });
    await expectRefused({ ...res, problem: res.body }, reference, pointer);
  });

  test('reference with characters outside A-Z a-z 0-9 . _ - → 400', async () => {
    const res = await answer(requester.POST('/v1/payouts', { body: payoutBody('bad ref/1', '081200000000') }));
    expect(res.status).toBe(400);
    expect(res.error?.errors?.map((e) => e.pointer)).toContain('/reference');
  });

  test('a body that is not JSON → 400 problem+json', async () => {
    const res = await call<ProblemBody>(stack, 'POST', '/v1/payouts', { rawBody: '{"reference": ', headers: { 'content-type': 'application/json' } });
    expect(res.status).toBe(400);
    expect(res.contentType).toContain('application/problem+json');
  });

  test('no body or a JSON array → 400', async () => {
    expect((await call(stack, 'POST', '/v1/payouts', {})).status).toBe(400);
    expect((await call(stack, 'POST', '/v1/payouts', { body: [1, 2] })).status).toBe(400);
  });
});

describe('authentication', () => {
  test('no key → 401 problem+json; a wrong key → 401', async () => {
    const none = await call<ProblemBody>(stack, 'POST', '/v1/payouts', { key: null, body: ewalletPayout(uniqueReference('auth'), '081200000000') });
    expect(none.status).toBe(401);
    expect(none.contentType).toContain('application/problem+json');
    const wrong = await call(stack, 'GET', '/v1/payouts/anything', { key: 'not-a-key' });
    expect(wrong.status).toBe(401);
  });

  test('an approver may not create payouts → 403', async () => {
    const res = await answer(approver.POST('/v1/payouts', { body: payoutBody(uniqueReference('role'), '081200000000') }));
    expect(res.status).toBe(403);
  });
});

describe('idempotent create', () => {
  test('the same reference and body again → 200 with the same payout, one workflow, one transfer', async () => {
    const reference = uniqueReference('replay');
    const body = payoutBody(reference, '081200000000');
    const first = await answer(requester.POST('/v1/payouts', { body }));
    expect(first.status).toBe(201);
    const again = await answer(requester.POST('/v1/payouts', { body }));
    expect(again.status).toBe(200);
    expect(again.data?.id).toBe(reference);
    expect(again.data?.createdAt).toBe(first.data?.createdAt);

    await waitForStatus(stack, reference, 'AWAITING_APPROVAL');
    await approver.POST('/v1/payouts/{id}/approve', { params: { path: { id: reference } }, body: {} });
    await waitForStatus(stack, reference, 'SUCCEEDED');
    // Also after the payout finished, the reference answers with the same payout, never a new one.
    const afterwards = await answer(requester.POST('/v1/payouts', { body }));
    expect(afterwards.status).toBe(200);
    expect(afterwards.data?.status).toBe('SUCCEEDED');
    expect(await ledger(stack, reference)).toHaveLength(1);
  });

  test('the same reference with a different body → 409 problem+json, the first payout unchanged', async () => {
    const reference = uniqueReference('conflict');
    expect((await answer(requester.POST('/v1/payouts', { body: payoutBody(reference, '081200000000') }))).status).toBe(201);
    const changed = await answer(requester.POST('/v1/payouts', { body: payoutBody(reference, '081200000000', '20000.00') }));
    expect(changed.status).toBe(409);
    expect(changed.contentType).toContain('application/problem+json');
    const payout = await waitForStatus(stack, reference, 'AWAITING_APPROVAL');
    expect(payout.amount.value).toBe('10000.00');
  });
});

describe('reading and other routes', () => {
  test('GET an unknown payout → 404; an id that cannot be a reference → 404', async () => {
    expect((await answer(requester.GET('/v1/payouts/{id}', { params: { path: { id: uniqueReference('missing') } } }))).status).toBe(404);
    // The client encodes the id: the request path is /v1/payouts/%E2%9C%93%20nope.
    expect((await answer(requester.GET('/v1/payouts/{id}', { params: { path: { id: '✓ nope' } } }))).status).toBe(404);
  });

  test('approve or reject an unknown payout → 404', async () => {
    expect((await answer(approver.POST('/v1/payouts/{id}/approve', { params: { path: { id: uniqueReference('missing') } }, body: {} }))).status).toBe(404);
    expect((await answer(approver.POST('/v1/payouts/{id}/reject', { params: { path: { id: uniqueReference('missing') } }, body: { reason: 'x' } }))).status).toBe(404);
  });

  test('reject without a reason → 400', async () => {
    // The document requires `reason`: a body without it cannot be typed, so call().
    expect((await call(stack, 'POST', `/v1/payouts/${uniqueReference('x')}/reject`, { key: KEYS.approver, body: {} })).status).toBe(400);
  });

  test('healthz and readyz answer 200 with Temporal up; unknown routes are problem+json 404', async () => {
    expect((await answer(anonymous.GET('/healthz'))).status).toBe(200);
    expect((await answer(anonymous.GET('/readyz'))).status).toBe(200);
    const unknown = await call(stack, 'GET', '/v2/nothing', { key: null });
    expect(unknown.status).toBe(404);
    expect(unknown.contentType).toContain('application/problem+json');
  });
});

describe('GET /v1/payouts', () => {
  test('filters by status and provider, pages with a cursor, newest first, every payout once', async () => {
    const older = uniqueReference('list-a');
    const newer = uniqueReference('list-b');
    for (const reference of [older, newer]) {
      expect((await answer(requester.POST('/v1/payouts', { body: payoutBody(reference, '081200000000') }))).status).toBe(201);
      await waitForStatus(stack, reference, 'AWAITING_APPROVAL');
    }
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const query: ListPayoutsQuery = { status: 'AWAITING_APPROVAL', provider: 'singapay', limit: 2, ...(cursor ? { cursor } : {}) };
      const page = await answer(requester.GET('/v1/payouts', { params: { query } }));
      expect(page.status).toBe(200);
      const body = page.data!;
      expect(body.items.length).toBeLessThanOrEqual(2);
      for (const item of body.items) {
        expect(item.status).toBe('AWAITING_APPROVAL');
        expect(item.provider).toBe('singapay');
        seen.push(item.id);
      }
      cursor = body.nextCursor;
      pages += 1;
    } while (cursor && pages < 50);
    expect(new Set(seen).size).toBe(seen.length);
    expect(seen).toContain(older);
    expect(seen).toContain(newer);
    expect(seen.indexOf(newer)).toBeLessThan(seen.indexOf(older));

    // A cursor is bound to its filters.
    const first = await requester.GET('/v1/payouts', { params: { query: { status: 'AWAITING_APPROVAL', limit: 1 } } });
    expect(first.data?.nextCursor).toBeTruthy();
    const rebound = await answer(requester.GET('/v1/payouts', { params: { query: { status: 'REJECTED', limit: 1, cursor: first.data!.nextCursor! } } }));
    expect(rebound.status).toBe(400);

    const rejected = await requester.GET('/v1/payouts', { params: { query: { status: 'REJECTED', limit: 100 } } });
    expect(rejected.data!.items.map((p) => p.id)).not.toContain(newer);
  });

  const forged = Buffer.from(JSON.stringify({ v: 1, s: null, p: null, t: Buffer.from('not-a-token').toString('base64') })).toString('base64url');
  // Queries the document's types allow, refused by the API: through the typed client (it encodes `%%` as %25%25).
  const typedQueries: [string, ListPayoutsQuery][] = [['limit=0', { limit: 0 }], ['limit=101', { limit: 101 }], ['cursor=%25%25', { cursor: '%%' }], ['cursor=bm90LWEtdG9rZW4', { cursor: 'bm90LWEtdG9rZW4' }], [`cursor=${forged}`, { cursor: forged }]];
  test.each(typedQueries)('%s → 400 problem+json', async (_name, query) => {
    const res = await answer(requester.GET('/v1/payouts', { params: { query } }));
    expect(res.status).toBe(400);
    expect(res.contentType).toContain('application/problem+json');
  });
  // Values outside the document's enums and an unknown parameter cannot be typed: call().
  test.each([['status=DONE'], ['provider=paypal'], ['unknown=1']])('%s → 400 problem+json', async (query) => {
    const res = await call(stack, 'GET', `/v1/payouts?${query}`);
    expect(res.status).toBe(400);
    expect(res.contentType).toContain('application/problem+json');
  });

  test('without a key → 401', async () => {
    expect((await call(stack, 'GET', '/v1/payouts', { key: null })).status).toBe(401);
  });
});

describe('observability', () => {
  test('X-Request-Id: a sane one is echoed, a hostile one replaced', async () => {
    // The document describes no X-Request-Id header, and a hostile one is the point: call().
    const echoed = await call(stack, 'GET', '/healthz', { key: null, headers: { 'x-request-id': 'req-123.abc' } });
    expect(echoed.headers.get('x-request-id')).toBe('req-123.abc');
    const replaced = await call(stack, 'GET', '/healthz', { key: null, headers: { 'x-request-id': 'x'.repeat(300) } });
    expect(replaced.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
  });

  test('GET /metrics: requests by route pattern and status, payouts created and decided', async () => {
    const reference = uniqueReference('metrics');
    await requester.POST('/v1/payouts', { body: payoutBody(reference, '081200000000') });
    await requester.GET('/v1/payouts/{id}', { params: { path: { id: reference } } });
    await requester.GET('/v1/payouts/{id}', { params: { path: { id: '\u0000\u0000' } } }); // the path /v1/payouts/%00%00
    const res = await answer(anonymous.GET('/metrics', { parseAs: 'text' }));
    expect(res.status).toBe(200);
    expect(res.contentType).toContain('text/plain');
    const text = res.data;
    expect(text).toMatch(/payouts_api_http_requests_total\{method="GET",route="\/v1\/payouts\/:id",status="200"\} \d+/);
    expect(text).toMatch(/payouts_api_http_request_duration_seconds_bucket\{le="0.1",method="POST",route="\/v1\/payouts",status="201"\}/);
    expect(text).toMatch(/payouts_created_total\{provider="singapay"\} [1-9]/);
    expect(text).not.toContain(reference); // route patterns, never raw paths
  });
});

describe('through the typed client generated from the OpenAPI document (openapi-typescript + openapi-fetch)', () => {
  test('create, the same create again, read, list, a four-eyes refusal, approve: each call typed by the document, each answer checked against it', async () => {
    const reference = uniqueReference('typed');
    const body = {
      reference,
      destination: { type: 'EWALLET' as const, ewallet: 'DANA' as const, customerNumber: '081200000000' },
      amount: { value: '10000.00', currency: 'IDR' as const },
      provider: 'singapay' as const,
    };
    const created = await requester.POST('/v1/payouts', { body });
    expect(created.response.status).toBe(201);
    expect(created.data?.reference).toBe(reference);
    const again = await requester.POST('/v1/payouts', { body });
    expect(again.response.status).toBe(200);

    await waitForStatus(stack, reference, 'AWAITING_APPROVAL');
    const read = await requester.GET('/v1/payouts/{id}', { params: { path: { id: reference } } });
    expect(read.data).toMatchObject({ status: 'AWAITING_APPROVAL', inquiry: { fee: { value: '500.00' } } });
    const listed = await requester.GET('/v1/payouts', { params: { query: { status: 'AWAITING_APPROVAL', provider: 'singapay', limit: 100 } } });
    expect(listed.data?.items.some((p) => p.reference === reference)).toBe(true);

    const ownApproval = await requester.POST('/v1/payouts/{id}/approve', { params: { path: { id: reference } }, body: {} });
    expect(ownApproval.response.status).toBe(403);
    expect(ownApproval.error).toMatchObject({ status: 403 });
    const approved = await approver.POST('/v1/payouts/{id}/approve', { params: { path: { id: reference } }, body: { comment: 'typed' } });
    expect(approved.response.status).toBe(200);
    expect(['PROCESSING', 'SUCCEEDED']).toContain(approved.data?.status);
    await waitForStatus(stack, reference, 'SUCCEEDED');
    expect(await ledger(stack, reference)).toHaveLength(1);
  });
});
