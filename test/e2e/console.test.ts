// The approvals console in a real browser (Debian's Chromium, driven by playwright-core) against
// the real local stack: an approver signs in, sees a payout the requester created, approves it and
// sees it succeed; an admin who requested a payout is refused when approving it (four eyes).
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { launchChromium, SHOTS, signIn as signInAt } from '../support/browser';
import { call, ewalletPayout, KEYS, ledger, startStack, uniqueReference, waitForStatus, type TestStack } from '../support/stack';


let stack: TestStack;
let browser: Browser;
beforeAll(async () => {
  stack = await startStack();
  browser = await launchChromium();
}, 120_000);
afterAll(async () => {
  await browser?.close();
  await stack?.stop();
});

const signIn = (page: Page, key: string) => signInAt(page, stack.apiUrl, key);

describe('approvals console', () => {
  test('an approver sees the requested payout with holder, fee and gross amount, approves it, and it succeeds', async () => {
    const reference = uniqueReference('console');
    await call(stack, 'POST', '/v1/payouts', { body: ewalletPayout(reference, '62811742234') });
    await waitForStatus(stack, reference, 'AWAITING_APPROVAL');

    const page = await browser.newPage();
    await signIn(page, KEYS.approver);
    await page.getByText('Signed in as approver@local').waitFor();
    const row = page.locator('tbody tr', { hasText: reference });
    await row.waitFor();
    const text = await row.innerText();
    expect(text).toContain('IDR 10,000.00');
    expect(text).toContain('IDR 500.00');
    expect(text).toContain('IDR 10,500.00');
    expect(text).toContain('requester@local');
    expect(text).toContain('•••• 2234');
    expect(text).not.toContain('62811742234'); // the full number is not shown
    await page.screenshot({ path: join(SHOTS, 'console-queue.png'), fullPage: true });

    await row.click();
    await page.getByRole('heading', { name: new RegExp(`Payout ${reference}`) }).waitFor();
    expect(await page.locator('#temporal-link').getAttribute('href')).toContain(`/workflows/payout-${reference}`);
    await page.getByLabel(/Comment/).fill('checked the invoice');
    await page.getByRole('button', { name: 'Approve' }).click();
    await page.getByText(/Approved: the payout is now (PROCESSING|SCHEDULED)/).waitFor();
    await page.screenshot({ path: join(SHOTS, 'console-approved.png'), fullPage: true });

    const done = await waitForStatus(stack, reference, 'SUCCEEDED');
    expect(done.approval).toMatchObject({ by: 'approver@local', comment: 'checked the invoice' });
    expect(await ledger(stack, reference)).toHaveLength(1);
    await page.close();
  });

  test("approving one's own payout is refused, and the page shows the refusal", async () => {
    const reference = uniqueReference('console-own');
    await call(stack, 'POST', '/v1/payouts', { key: KEYS.admin, body: ewalletPayout(reference, '081200000000') });
    await waitForStatus(stack, reference, 'AWAITING_APPROVAL');

    const page = await browser.newPage();
    await signIn(page, KEYS.admin);
    await page.locator('tbody tr', { hasText: reference }).click();
    await page.getByRole('button', { name: 'Approve' }).click();
    await page.getByText(/Refused: .*cannot approve/).waitFor();
    await page.screenshot({ path: join(SHOTS, 'console-four-eyes.png'), fullPage: true });
    expect((await waitForStatus(stack, reference, 'AWAITING_APPROVAL')).approval).toBeUndefined();
    expect(await ledger(stack, reference)).toHaveLength(0);
    await page.close();
  });

  test('a wrong key is refused at sign-in', async () => {
    const page = await browser.newPage();
    await page.goto(`${stack.apiUrl}/console/`);
    await page.getByLabel('API key').fill('not-a-key');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByText('That API key is not valid.').waitFor();
    await page.close();
  });

  test('Sign in pressed while config.json is still on its way signs in, and the key never enters the URL', async () => {
    // A loaded CI machine once answered config.json after the click: the form had no handler yet, the
    // browser sent it itself (a GET reloading the page), and nobody was signed in.
    const page = await browser.newPage();
    let releaseConfig!: () => void;
    const configHeld = new Promise<void>((resolve) => (releaseConfig = resolve));
    await page.route('**/console/config.json', async (route) => {
      await configHeld;
      await route.continue();
    });
    const navigations: string[] = [];
    page.on('framenavigated', (frame) => navigations.push(frame.url()));
    await page.goto(`${stack.apiUrl}/console/`);
    await page.getByLabel('API key').fill(KEYS.approver);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForTimeout(500);
    releaseConfig();
    await page.getByText('Signed in as approver@local').waitFor();
    expect(navigations).toEqual([`${stack.apiUrl}/console/`]);
    expect(page.url()).toBe(`${stack.apiUrl}/console/`);
    // The queue's provider filter was filled from config.json once it came.
    expect(await page.locator('#provider-filter option').count()).toBeGreaterThan(1);
    await page.close();
  });
});
