// The console's webhooks section in a real browser (Debian's Chromium, driven by playwright-core)
// against the real local stack: an admin opens an endpoint's delivery log, sees a payout's events
// delivered, redelivers one and sees the receiver get it again and the log count the attempt, and
// pages through the log with "Load more"; a problem from the API is shown as text; an approver never
// sees the section (nor asks for it).
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { launchChromium, SHOTS, signIn as signInAt } from '../support/browser';
import { call, ewalletPayout, KEYS, startStack, uniqueReference, waitForStatus, type TestStack } from '../support/stack';
import { eventsOf, testReceiver, waitForDeliveries, type TestReceiver } from '../support/webhooks';


interface CreatedEndpoint {
  id: string;
  url: string;
  events: string[];
  secret: string;
}

/** One row of the delivery log as the page shows it. */
interface LogRow {
  event: string;
  type: string;
  payout: string;
  sequence: string;
  state: string;
  attempts: string;
  last: string;
  progress: string;
}

let stack: TestStack;
let browser: Browser;
let receiver: TestReceiver;
let endpoint: CreatedEndpoint;

async function register(body: { url: string; events?: string[]; description?: string }): Promise<CreatedEndpoint> {
  const res = await call<CreatedEndpoint>(stack, 'POST', '/v1/webhook-endpoints', { key: KEYS.admin, body });
  expect(res.status).toBe(201);
  return res.body;
}

beforeAll(async () => {
  stack = await startStack();
  receiver = await testReceiver();
  endpoint = await register({ url: receiver.url, description: 'Ledger sync' });
  receiver.useSecrets([endpoint.secret]);
  browser = await launchChromium();
}, 120_000);
afterAll(async () => {
  await browser?.close();
  await receiver?.stop();
  await stack?.stop();
});

const signIn = (page: Page, key: string) => signInAt(page, stack.apiUrl, key);

async function logRows(page: Page): Promise<LogRow[]> {
  const rows: LogRow[] = [];
  for (const row of await page.locator('#deliveries tbody tr').all()) {
    const [event, type, payout, sequence, state, attempts, last, progress] = await row.locator('td').allTextContents();
    rows.push({ event, type, payout, sequence, state, attempts, last, progress } as LogRow);
  }
  return rows;
}

/** Presses "Refresh log" and waits for the answer to be shown. */
async function refreshLog(page: Page) {
  await page.getByRole('button', { name: 'Refresh log' }).click();
  // The click shows "Loading…" at once; the answer replaces it.
  await page.locator('#log-status', { hasText: /^(Showing|No deliveries|Could not)/ }).waitFor();
}

/**
 * Presses Refresh until the log's rows satisfy `done`: the log is read from Temporal's visibility,
 * which shows a delivery a moment after it happened.
 */
async function refreshUntil(page: Page, done: (rows: LogRow[]) => boolean, what: string, timeoutMs = 30_000): Promise<LogRow[]> {
  const deadline = Date.now() + timeoutMs;
  let rows = await logRows(page);
  while (!done(rows)) {
    if (Date.now() > deadline) throw new Error(`the delivery log did not show ${what} within ${timeoutMs} ms: ${JSON.stringify(rows)}`);
    await page.waitForTimeout(300);
    await refreshLog(page);
    rows = await logRows(page);
  }
  return rows;
}

describe('console: webhook delivery log', () => {
  test("an admin sees an endpoint's deliveries, redelivers one, and the receiver gets it again", async () => {
    const reference = uniqueReference('console-wh');
    expect((await call(stack, 'POST', '/v1/payouts', { body: ewalletPayout(reference, '081200000000') })).status).toBe(201);
    await waitForStatus(stack, reference, 'AWAITING_APPROVAL');
    await waitForDeliveries(receiver, (all) => eventsOf(all, reference).length >= 2, 30_000, `${reference}'s first two events`);

    const page = await browser.newPage();
    const pageErrors: string[] = [];
    page.on('pageerror', (err) => pageErrors.push(err.message));
    // Every answer the page got was a success (the browser's own favicon request aside).
    page.on('response', (response) => response.status() >= 400 && !response.url().endsWith('/favicon.ico') && pageErrors.push(`${response.status()} ${response.url()}`));
    await signIn(page, KEYS.admin);
    await page.getByRole('heading', { name: 'Webhooks' }).waitFor();
    const endpointRow = page.locator('#endpoints tbody tr', { hasText: endpoint.url });
    await endpointRow.waitFor();
    const endpointText = await endpointRow.innerText();
    expect(endpointText).toContain('Ledger sync');
    expect(endpointText).toMatch(/\d+ event types/);
    expect(endpointText).not.toContain(endpoint.secret);

    await page.getByRole('button', { name: `Delivery log of ${endpoint.url}`, exact: true }).click();
    await page.getByRole('heading', { name: `Delivery log: ${endpoint.url}` }).waitFor();
    await page.getByRole('table', { name: `Deliveries to ${endpoint.url}` }).waitFor();

    const ours = (rows: LogRow[]) => rows.filter((row) => row.payout === reference).sort((a, b) => Number(a.sequence) - Number(b.sequence));
    const delivered = await refreshUntil(page, (rows) => ours(rows).length === 2 && ours(rows).every((row) => row.state === 'DELIVERED'), `${reference}'s two events delivered`);
    expect(ours(delivered)).toEqual([
      expect.objectContaining({ event: `evt_${reference}.1`, type: 'payout.validating', sequence: '1', state: 'DELIVERED', attempts: '1', last: 'HTTP 204' }),
      expect.objectContaining({ event: `evt_${reference}.2`, type: 'payout.awaiting_approval', sequence: '2', state: 'DELIVERED', attempts: '1', last: 'HTTP 204' }),
    ]);
    for (const row of ours(delivered)) expect(row.progress).toMatch(/^Delivered /);
    await expect(page.locator('#log-more').isHidden()).resolves.toBe(true); // two events fit one page
    await page.screenshot({ path: join(SHOTS, 'console-webhooks-log.png'), fullPage: true });

    // Redeliver the second event: the API accepts it (202), the receiver gets the same event again.
    const eventId = `evt_${reference}.2`;
    const received = () => receiver.deliveries.filter((d) => d.event.id === eventId);
    expect(received()).toHaveLength(1);
    await page.getByRole('button', { name: `Redeliver ${eventId}`, exact: true }).click();
    await page.getByText(`Redelivery of ${eventId} accepted (202)`).waitFor();
    expect(await page.locator('#deliveries tbody tr', { hasText: eventId }).locator('td.state').textContent()).toBe('PENDING');
    await waitForDeliveries(receiver, () => received().length === 2, 30_000, `the redelivery of ${eventId}`);
    const [first, again] = received();
    expect(again!.webhookId).toBe(eventId);
    expect(again!.webhookId).toBe(first!.webhookId);
    expect(again!.event).toEqual(first!.event);
    expect(receiver.rejectedByReference).toEqual([]);

    const after = await refreshUntil(page, (rows) => rows.some((row) => row.event === eventId && row.state === 'DELIVERED' && row.attempts === '2'), `${eventId} delivered twice`);
    expect(ours(after)).toEqual([
      expect.objectContaining({ event: `evt_${reference}.1`, state: 'DELIVERED', attempts: '1', last: 'HTTP 204' }),
      expect.objectContaining({ event: eventId, state: 'DELIVERED', attempts: '2', last: 'HTTP 204' }),
    ]);
    await page.screenshot({ path: join(SHOTS, 'console-webhooks-redelivered.png'), fullPage: true });
    expect(pageErrors).toEqual([]);
    await page.close();
  }, 120_000);

  test('"Load more" pages through the log with the API\'s cursor until nextCursor is null, with no row twice', async () => {
    const reference = uniqueReference('console-wh-pages');
    expect((await call(stack, 'POST', '/v1/payouts', { body: ewalletPayout(reference, '081200000000') })).status).toBe(201);
    await waitForStatus(stack, reference, 'AWAITING_APPROVAL');
    await waitForDeliveries(receiver, (all) => eventsOf(all, reference).length >= 2, 30_000, `${reference}'s first two events`);

    const page = await browser.newPage();
    await signIn(page, KEYS.admin);
    await page.getByRole('button', { name: `Delivery log of ${endpoint.url}`, exact: true }).click();
    const whole = await refreshUntil(page, (rows) => rows.filter((row) => row.payout === reference && row.state === 'DELIVERED').length === 2, `${reference}'s two events`);
    expect(whole.length).toBeGreaterThanOrEqual(2);
    expect(await page.locator('#log-more').isHidden()).toBe(true);

    // Pages of one row: the page asks for its own page size, the test makes it 1 on the way.
    await page.route(/\/deliveries\?/, (route) => route.continue({ url: route.request().url().replace(/limit=\d+/, 'limit=1') }));
    await refreshLog(page);
    expect(await logRows(page)).toEqual(whole.slice(0, 1));
    await page.getByText('Showing 1 delivery; more are available.').waitFor();
    for (let shown = 1; shown < whole.length; shown += 1) {
      await page.getByRole('button', { name: 'Load more' }).click();
      await page.locator('#log-status', { hasText: `Showing ${shown + 1} deliveries` }).waitFor();
    }
    expect(await logRows(page)).toEqual(whole);
    expect(await page.locator('#log-more').isHidden()).toBe(true);
    await page.getByText(`Showing ${whole.length} deliveries.`).waitFor();
    await page.close();
  }, 60_000);

  test('a log with nothing in it says so, and a problem from the API (the endpoint deleted meanwhile) is shown as text', async () => {
    const quiet = await register({ url: `${receiver.url.replace(/\/webhooks$/, '')}/elsewhere`, events: ['payout.succeeded'] });
    const page = await browser.newPage();
    await signIn(page, KEYS.admin);
    const row = page.locator('#endpoints tbody tr', { hasText: quiet.url });
    await row.waitFor();
    expect(await row.innerText()).toContain('1 event type');
    await row.getByText('1 event type').click(); // the list opens
    await row.getByText('payout.succeeded').waitFor();

    await page.getByRole('button', { name: `Delivery log of ${quiet.url}`, exact: true }).click();
    await page.getByText(/^No deliveries yet\./).waitFor();
    expect(await page.locator('#deliveries tbody tr').count()).toBe(0);

    expect((await call(stack, 'DELETE', `/v1/webhook-endpoints/${quiet.id}`, { key: KEYS.admin })).status).toBe(204);
    await refreshLog(page);
    await page.getByText(`Could not load the delivery log: Not found. — no webhook endpoint ${quiet.id}`).waitFor();
    expect(await page.locator('#log-status').getAttribute('class')).toBe('error');
    await page.close();
  }, 60_000);

  test('an approver sees no Webhooks section and never asks for it, also after an admin signed out in the same tab', async () => {
    const page = await browser.newPage();
    const webhookCalls: string[] = [];
    await signIn(page, KEYS.admin);
    await page.getByRole('heading', { name: 'Webhooks' }).waitFor();
    await page.getByRole('button', { name: `Delivery log of ${endpoint.url}`, exact: true }).click();
    await page.getByText(/^(Showing \d+ deliver|No deliveries yet)/).waitFor();
    await page.getByRole('button', { name: 'Sign out' }).click();

    page.on('request', (request) => request.url().includes('/v1/webhook-endpoints') && webhookCalls.push(request.url()));
    await page.getByLabel('API key').fill(KEYS.approver);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByText('Signed in as approver@local').waitFor();
    await page.getByRole('heading', { name: 'Awaiting approval' }).waitFor();
    expect(await page.getByRole('heading', { name: 'Webhooks' }).count()).toBe(0);
    expect(await page.locator('#webhooks').isHidden()).toBe(true);
    // Nothing the admin saw is left in the page, even hidden.
    expect(await page.locator('#endpoints tbody tr').count()).toBe(0);
    expect(await page.locator('#deliveries tbody tr').count()).toBe(0);
    expect(webhookCalls).toEqual([]);
    await page.screenshot({ path: join(SHOTS, 'console-webhooks-approver.png'), fullPage: true });
    await page.close();
  });
});
