// A third provider added the way docs/adding-a-provider.md says, and nothing else: the Thirdpay
// fixture (test/fixtures/thirdpay: its module, client, simulator) joins the registry's providers in a
// whole real stack (Temporal dev server, worker, API, a real browser). The service learns it from the
// module alone: routing, the API's checks, OpenAPI, the console, callbacks. The simulator's ledger
// judges whether money moved, and how often.
import type { Browser } from 'playwright-core';
import { launchChromium, signIn } from '../support/browser';
import type { Destination, Payout } from '../../src/domain/payout';
import type { ProviderDescription } from '../../src/domain/provider-port';
import { defaultProvider, routingProblems } from '../../src/domain/routing';
import { PROVIDER_MODULES } from '../../src/registry';
import { THIRDPAY_ACKNOWLEDGEMENT } from '../fixtures/thirdpay/callbacks';
import { thirdpayModule } from '../fixtures/thirdpay/module';
import { registeredThirdpay } from '../fixtures/thirdpay/registered';
import { call, KEYS, ledger, startStack, uniqueReference, waitForStatus, type TestStack } from '../support/stack';

let stack: TestStack;
let browser: Browser;
beforeAll(async () => {
  stack = await startStack({ extraProviders: [registeredThirdpay] });
  browser = await launchChromium();
}, 120_000);
afterAll(async () => {
  await browser?.close();
  await stack?.stop();
});

const thirdpay = () => stack.simulators.thirdpay!;
const thirdpayLedger = (reference: string) => ledger({ simulator: { url: thirdpay().controlUrl } }, reference);
const bank = (accountNumber: string): Destination => ({ type: 'BANK_ACCOUNT', bankCode: '014', accountNumber });
const body = (reference: string, destination: Destination, provider?: string) => ({
  reference,
  destination,
  amount: { value: '10000.00', currency: 'IDR' },
  description: 'Thirdpay e2e',
  ...(provider && { provider }),
});

async function payThroughThirdpay(reference: string): Promise<Payout> {
  const created = await call<Payout>(stack, 'POST', '/v1/payouts', { body: body(reference, bank('1234560000'), 'thirdpay') });
  expect(created.status).toBe(201);
  expect(created.body.provider).toBe('thirdpay');
  const awaiting = await waitForStatus(stack, reference, 'AWAITING_APPROVAL');
  expect(await thirdpayLedger(reference)).toHaveLength(0);
  return awaiting;
}

async function approveAndSettle(reference: string): Promise<Payout> {
  const approved = await call<Payout>(stack, 'POST', `/v1/payouts/${reference}/approve`, { key: KEYS.approver, body: { comment: 'thirdpay' } });
  expect(approved.status).toBe(200);
  return waitForStatus(stack, reference, 'SUCCEEDED');
}

describe('a third provider from its module alone', () => {
  test('a payout with provider thirdpay is inquired, shown in the console as Thirdpay, approved, and succeeds with one transfer', async () => {
    const reference = uniqueReference('thirdpay');
    const awaiting = await payThroughThirdpay(reference);
    expect(awaiting.inquiry).toMatchObject({
      accountName: 'THIRDPAY HOLDER 0000',
      amount: { value: '10000.00', currency: 'IDR' },
      fee: { value: '2500.00', currency: 'IDR' },
      grossAmount: { value: '12500.00', currency: 'IDR' },
    });

    // The console, in a real browser, before approval: the filter offers Thirdpay, the row and the facts name it.
    const page = await browser.newPage();
    await signIn(page, stack.apiUrl, KEYS.approver);
    await page.getByText('Signed in as approver@local').waitFor();
    const options = await page.locator('#provider-filter option').allInnerTexts();
    expect(options).toEqual(expect.arrayContaining(['Singapay', 'Faspay', 'Thirdpay']));
    await page.locator('#provider-filter').selectOption({ label: 'Thirdpay' });
    // The rows loaded under the Thirdpay filter (the unfiltered list shown before it holds this row too).
    const row = page.locator('#payouts[data-provider="thirdpay"] tbody tr', { hasText: reference });
    await row.waitFor();
    const text = await row.innerText();
    expect(text).toContain('Thirdpay');
    expect(text).toContain('Bank 014 •••• 0000');
    expect(text).toContain('IDR 12,500.00');
    // Only Thirdpay's payouts are listed under its filter.
    for (const other of await page.locator('#payouts[data-provider="thirdpay"] tbody tr').allInnerTexts()) expect(other).toContain('Thirdpay');
    await row.click();
    await page.getByRole('heading', { name: new RegExp(`Payout ${reference} — AWAITING_APPROVAL`) }).waitFor();
    const facts = await page.locator('#facts').innerText();
    expect(facts).toMatch(/Provider\s+Thirdpay/);
    await page.close();

    const done = await approveAndSettle(reference);
    expect(done.provider).toBe('thirdpay');
    expect(done.transfer?.providerReference).toMatch(/^TP-/);
    expect(done.transfer?.providerStatus?.code).toBe('SUCCEEDED');
    expect(done.timeline.map((t) => t.status)).toEqual(['VALIDATING', 'AWAITING_APPROVAL', 'PROCESSING', 'SUCCEEDED']);
    const entries = await thirdpayLedger(reference);
    expect(entries).toHaveLength(1);
    expect(entries[0]).toMatchObject({ reference, triggerCalls: 1, status: 'SUCCEEDED', amount: { value: '10000.00', currency: 'IDR' } });
    // Nothing went through the other providers.
    expect(await ledger(stack, reference)).toHaveLength(0);
  });

  test('a signed callback from the Thirdpay simulator is accepted with the acknowledgement; a forged one is 401', async () => {
    const reference = uniqueReference('thirdpay-cb');
    await payThroughThirdpay(reference);
    await approveAndSettle(reference);

    const res = await fetch(`${thirdpay().controlUrl}/__sim/transactions/${reference}/callback`, { method: 'POST' });
    expect(res.status).toBe(200);
    const { sent, answer } = (await res.json()) as { sent: { url: string; headers: Record<string, string>; body: string }; answer: { status: number; body: string } };
    expect(sent.url).toBe(`${stack.apiUrl}/v1/callbacks/thirdpay`);
    expect(answer.status).toBe(200);
    expect(JSON.parse(answer.body)).toEqual(THIRDPAY_ACKNOWLEDGEMENT);

    // The same headers over another body (the status changed on the way): refused.
    const tampered = sent.body.replace('"SUCCEEDED"', '"FAILED"');
    expect(tampered).not.toBe(sent.body);
    const forged = await call(stack, 'POST', '/v1/callbacks/thirdpay', { key: null, rawBody: tampered, headers: sent.headers });
    expect(forged.status).toBe(401);
    // Signed with another secret: refused.
    const otherSecret = { ...sent.headers, 'x-thirdpay-signature': 'ab'.repeat(32) };
    expect((await call(stack, 'POST', '/v1/callbacks/thirdpay', { key: null, rawBody: sent.body, headers: otherSecret })).status).toBe(401);
    // Unsigned: refused.
    expect((await call(stack, 'POST', '/v1/callbacks/thirdpay', { key: null, rawBody: sent.body })).status).toBe(401);
    // Thirdpay's genuine signature covers its path: the same callback at another provider's route is refused there.
    expect((await call(stack, 'POST', '/v1/callbacks/singapay', { key: null, rawBody: sent.body, headers: sent.headers })).status).toBe(401);
    // The genuine one, presented again, still verifies (a replay is the workflow's to recognise).
    expect((await call(stack, 'POST', '/v1/callbacks/thirdpay', { key: null, rawBody: sent.body, headers: sent.headers })).status).toBe(200);
  });

  test('OpenAPI lists thirdpay: the create body, the callback path and the description', async () => {
    interface Document {
      info: { description: string };
      paths: Record<string, Record<string, { requestBody?: { content: Record<string, { schema: { properties: Record<string, { enum?: string[] }> } }> }; parameters?: { name: string; schema: { enum?: string[] } }[] }>>;
    }
    const res = await call<Document>(stack, 'GET', '/openapi.json', { key: null });
    expect(res.status).toBe(200);
    const document = res.body;
    expect(document.paths['/v1/payouts']!.post!.requestBody!.content['application/json']!.schema.properties.provider!.enum).toEqual(['singapay', 'faspay', 'thirdpay']);
    const parameter = document.paths['/v1/callbacks/{provider}']!.post!.parameters!.find((p) => p.name === 'provider');
    expect(parameter?.schema.enum).toEqual(['singapay', 'faspay', 'thirdpay']);
    expect(document.info.description).toContain('- `thirdpay` (Thirdpay): bank accounts.');
  });

  test('a destination Thirdpay does not serve is a 400 naming thirdpay; nothing is started or sent', async () => {
    const reference = uniqueReference('thirdpay-ewallet');
    const refused = await call<{ detail: string; errors: { pointer: string; detail: string }[] }>(stack, 'POST', '/v1/payouts', {
      body: body(reference, { type: 'EWALLET', ewallet: 'DANA', customerNumber: '62811742234' }, 'thirdpay'),
    });
    expect(refused.status).toBe(400);
    expect(refused.body.detail).toContain('thirdpay');
    expect(refused.body.errors).toEqual([expect.objectContaining({ pointer: '/provider', detail: expect.stringContaining('thirdpay does not serve') })]);
    expect((await call(stack, 'GET', `/v1/payouts/${reference}`)).status).toBe(404);
    const va = await call(stack, 'POST', '/v1/payouts', {
      body: body(uniqueReference('thirdpay-va'), { type: 'VIRTUAL_ACCOUNT', billerCode: '888', virtualAccountNumber: '88081234560000' }, 'thirdpay'),
    });
    expect(va.status).toBe(400);
    expect(await thirdpayLedger(reference)).toHaveLength(0);
  });

  test('routing for the existing destinations is unchanged: defaults are the same, and a request without provider never goes to thirdpay', async () => {
    const descriptions = (modules: typeof PROVIDER_MODULES): ProviderDescription[] => modules.map(({ key, name, capabilities }) => ({ key, name, capabilities }));
    const before = descriptions(PROVIDER_MODULES);
    const after = descriptions([...PROVIDER_MODULES, registeredThirdpay]);
    expect(routingProblems(after)).toEqual([]);
    const destinations: Destination[] = [
      ...(['DANA', 'OVO', 'GOPAY', 'SHOPEEPAY', 'LINKAJA'] as const).map((ewallet): Destination => ({ type: 'EWALLET', ewallet, customerNumber: '62811742234' })),
      bank('1234560000'),
      { type: 'VIRTUAL_ACCOUNT', billerCode: '888', virtualAccountNumber: '88081234560000' },
    ];
    for (const destination of destinations) expect(defaultProvider(destination, after)).toBe(defaultProvider(destination, before));
    expect(destinations.map((d) => defaultProvider(d, after))).toEqual(['singapay', 'singapay', 'singapay', 'singapay', 'faspay', 'faspay', 'faspay']);

    // Through the running API: a bank payout without `provider` still goes to Faspay.
    const reference = uniqueReference('thirdpay-default');
    const created = await call<Payout>(stack, 'POST', '/v1/payouts', { body: body(reference, bank('1234560000')) });
    expect(created.status).toBe(201);
    expect(created.body.provider).toBe('faspay');
    const ewallet = await call<Payout>(stack, 'POST', '/v1/payouts', {
      body: body(uniqueReference('thirdpay-default-dana'), { type: 'EWALLET', ewallet: 'DANA', customerNumber: '62811742234' }),
    });
    expect(ewallet.status).toBe(201);
    expect(ewallet.body.provider).toBe('singapay');
    await call(stack, 'POST', `/v1/payouts/${reference}/cancel`, { body: {} });
    await call(stack, 'POST', `/v1/payouts/${ewallet.body.reference}/cancel`, { body: {} });
    expect(await thirdpayLedger(reference)).toHaveLength(0);
  });

  test("the go-live check really asks the simulator, and a flipped reading refutes the client's guess", async () => {
    const settings = thirdpayModule.settings({ ...thirdpay().env, THIRDPAY_TIMEOUT_MS: 1_000, THIRDPAY_UNKNOWN_REFERENCE: 'http-404' }, { callbackUrl: '' })!;
    expect(await thirdpayModule.checkAssumptions(settings, { transfer: false })).toEqual([
      expect.objectContaining({ assumption: 'thirdpay.unknown-reference', verdict: 'confirmed', evidence: expect.stringContaining('HTTP 404 NOT_FOUND') }),
    ]);
    const flip = (value: string) =>
      fetch(`${thirdpay().controlUrl}/__sim/assumptions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ 'thirdpay.unknown-reference': value }) });
    expect((await flip('status-field')).status).toBe(200);
    try {
      expect(await thirdpayModule.checkAssumptions(settings, { transfer: false })).toEqual([
        expect.objectContaining({ assumption: 'thirdpay.unknown-reference', verdict: 'refuted', evidence: expect.stringContaining('status-field') }),
      ]);
      // The client holding the other guess: an unknown reference is an error naming the assumption, never "not found".
      await expect(thirdpayModule.createProvider(settings).checkTransferStatus({ reference: uniqueReference('nobody'), destination: bank('1234560000'), amount: 10_000 })).rejects.toMatchObject({
        kind: 'BAD_ANSWER',
        details: expect.objectContaining({ assumptions: ['thirdpay.unknown-reference'] }),
      });
    } finally {
      await flip('http-404');
    }
  });
});
