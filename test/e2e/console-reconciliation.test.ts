// The console's view of the latest reconciliation in a real browser (Debian's Chromium, driven by
// playwright-core) against the real local stack with both simulators: before any run an approver is
// told none has run, and a requester does not see the section; after a Faspay payout is paid and the
// Faspay simulator records a transfer we never sent, an admin reconciles today through the API, and
// the approver's console shows the run's day and status, each provider's tallies and balance as the
// API gives them, and the break (kind, provider, reference, detail).
import type { Browser, Page } from 'playwright-core';
import { jakartaDay } from '../../src/domain/approval-policy';
import type { ReconciliationRun } from '../../src/domain/reconciliation/run';
import { launchChromium, SHOTS, signIn as signInAt, watchErrors } from '../support/browser';
import { call, KEYS, startStack, uniqueReference, waitForStatus, type TestStack } from '../support/stack';

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
/** As the console shows whole rupiah (app.js `rupiah`). */
const idr = (amount: number) => `IDR ${amount.toLocaleString('en-US', { minimumFractionDigits: 2 })}`;


async function waitForRun(id: string): Promise<ReconciliationRun> {
  const deadline = Date.now() + 90_000;
  let last: unknown;
  while (Date.now() < deadline) {
    const res = await call<ReconciliationRun>(stack, 'GET', `/v1/reconciliations/${id}`, { key: KEYS.admin });
    last = res.body;
    if (res.status === 200 && res.body.status === 'COMPLETED') return res.body;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error(`run ${id} did not complete; last seen ${JSON.stringify(last)}`);
}

describe('console: reconciliation', () => {
  test('before any run: an approver reads that none has run; a requester does not see the section', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    const errors = watchErrors(page);
    await signIn(page, KEYS.approver);
    await page.locator('#reconciliation-status', { hasText: 'No reconciliation has run yet.' }).waitFor();
    expect(await page.getByRole('heading', { name: 'Reconciliation' }).isVisible()).toBe(true);
    expect(await page.locator('#reconciliation-report').isHidden()).toBe(true);
    await page.getByRole('button', { name: 'Sign out' }).click();

    await signIn(page, KEYS.requester);
    await page.locator('#queue-status', { hasText: /awaiting approval|Nothing awaits/ }).waitFor();
    expect(await page.locator('#reconciliation').isHidden()).toBe(true);
    expect(errors).toEqual([]);
    await context.close();
  });

  test('the latest run: its day, status, tallies and balance per provider as the API gives them, and its break', async () => {
    // A Faspay payout, paid: matched at Faspay.
    const paid = uniqueReference('rec-console');
    const created = await call(stack, 'POST', '/v1/payouts', {
      body: { reference: paid, destination: { type: 'BANK_ACCOUNT', bankCode: '014', accountNumber: '1234560000' }, amount: { value: '30000.00', currency: 'IDR' } },
    });
    expect(created.status).toBe(201);
    await waitForStatus(stack, paid, 'AWAITING_APPROVAL');
    expect((await call(stack, 'POST', `/v1/payouts/${paid}/approve`, { key: KEYS.approver, body: {} })).status).toBe(200);
    await waitForStatus(stack, paid, 'SUCCEEDED', 60_000);
    // A transfer Faspay moved that we never sent: UNKNOWN_TO_US.
    const unknown = uniqueReference('rec-unknown');
    const recorded = await fetch(`${stack.faspaySimulator.url}/__sim/transactions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ reference: unknown, amount: { value: '12000.00', currency: 'IDR' }, destination: '1234567890' }),
    });
    expect(recorded.status).toBeLessThan(300);

    const started = await call<{ id: string }>(stack, 'POST', '/v1/reconciliations', { key: KEYS.admin, body: { date: jakartaDay(Date.now()) } });
    expect(started.status).toBe(202);
    const run = await waitForRun(started.body.id);
    const faspay = run.providers.find((p) => p.provider === 'faspay')!;
    expect(faspay.matched.count).toBeGreaterThanOrEqual(1);
    const unknownBreak = run.breaks.find((b) => b.kind === 'UNKNOWN_TO_US' && b.provider === 'faspay')!;
    expect(unknownBreak).toBeDefined();

    const context = await browser.newContext();
    const page = await context.newPage();
    const errors = watchErrors(page);
    await signIn(page, KEYS.approver);
    await page.locator('#reconciliation-status', { hasText: /^The latest run found \d+ breaks?\.$/ }).waitFor();

    const terms = await page.locator('#reconciliation-facts dt').allTextContents();
    const values = await page.locator('#reconciliation-facts dd').allTextContents();
    const facts = Object.fromEntries(terms.map((term, i) => [term, values[i]!]));
    expect(facts).toMatchObject({ Day: `${run.date} (Asia/Jakarta)`, Status: 'COMPLETED', Providers: 'every configured provider' });
    expect(facts.Started).toContain('by admin@local');

    // One row per provider, with the API's figures.
    for (const report of run.providers) {
      const cells = await page.locator(`#reconciliation-providers tbody tr[data-provider="${report.provider}"] td`).allTextContents();
      const breaks = Object.values(report.breaks).reduce((sum, n) => sum + n, 0);
      expect(cells.slice(1)).toEqual([
        `${report.ours.count} · ${idr(report.ours.total)}`,
        `${report.matched.count} · ${idr(report.matched.total)}`,
        `${report.pending.count} · ${idr(report.pending.total)}`,
        String(breaks),
        report.balance ? idr(report.balance.available) : '—',
      ]);
    }
    expect(await page.locator('#reconciliation-providers tbody tr').count()).toBe(run.providers.length);

    // The breaks table: every break of the run, the unknown transfer among them.
    const rows = await page.locator('#reconciliation-breaks tbody tr').all();
    expect(rows.length).toBe(run.breaks.length);
    const shown = await Promise.all(rows.map((row) => row.locator('td').allTextContents()));
    expect(shown).toContainEqual(['UNKNOWN_TO_US', 'Faspay', unknownBreak.reference ?? '—', unknownBreak.detail]);
    expect(unknownBreak.detail).toContain(unknown);
    await page.screenshot({ path: `${SHOTS}/console-reconciliation.png`, fullPage: true });

    expect(errors).toEqual([]);
    await context.close();
  }, 240_000);
});
