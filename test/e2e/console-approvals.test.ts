// The console under an approval policy, in a real browser (Debian's Chromium, driven by playwright-core)
// against the real local stack: a payout of the two-approver tier shows "0 of 2", then "1 of 2" with
// who approved and when after the first approval (Approve stays offered; the same approver again is
// refused with the API's problem shown), and proceeds after a second approver; the requester's and the
// destination's remaining daily limits show in the payout view and drop once the last approval reserved
// them; an approval beyond what remains is refused with the remaining amount shown. The requester sees
// its own remaining limit above the queue. A batch of the two-approver tier likewise shows "1 of 2"
// and proceeds after the second approver.
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { sha256Hex } from '../../src/api/auth';
import { parseApprovalPolicy, type ConfiguredPolicy } from '../../src/approvals/policy-config';
import type { Batch } from '../../src/domain/batch';
import { launchChromium, SHOTS, signIn as signInAt, watchErrors } from '../support/browser';
import { call, ewalletPayout, KEYS, ledger, startStack, uniqueReference, waitForPayout, waitForStatus, type TestStack } from '../support/stack';

/** Two approvers from 100,000.00; a requester may have 500,000.00 approved a day, a destination 300,000.00. */
const POLICY = {
  tiers: [
    { minAmount: '0.00', approvals: 1 },
    { minAmount: '100000.00', approvals: 2 },
  ],
  limits: { perRequesterPerDay: '500000.00', perDestinationPerDay: '300000.00' },
};
const SECOND_APPROVER = 'dev-approver-2';

let stack: TestStack;
let browser: Browser;
beforeAll(async () => {
  stack = await startStack({
    approvals: parseApprovalPolicy(JSON.stringify(POLICY)) as ConfiguredPolicy,
    apiKeys: [
      { keySha256: sha256Hex(KEYS.requester), principal: 'requester@local', roles: ['requester'] },
      { keySha256: sha256Hex(KEYS.approver), principal: 'approver@local', roles: ['approver'] },
      { keySha256: sha256Hex(SECOND_APPROVER), principal: 'second-approver@local', roles: ['approver'] },
      { keySha256: sha256Hex(KEYS.admin), principal: 'admin@local', roles: ['admin'] },
    ],
  });
  browser = await launchChromium();
}, 120_000);
afterAll(async () => {
  await browser?.close();
  await stack?.stop();
});

const signIn = (page: Page, key: string) => signInAt(page, stack.apiUrl, key);
/** As the console shows money (app.js `rupiah`). */
const idr = (value: string) => `IDR ${Number(value).toLocaleString('en-US', { minimumFractionDigits: 2 })}`;


/** A dl's facts (dt → dd) as the page shows them. */
async function facts(page: Page, selector: string): Promise<Record<string, string>> {
  const terms = await page.locator(`${selector} dt`).allTextContents();
  const values = await page.locator(`${selector} dd`).allTextContents();
  return Object.fromEntries(terms.map((term, i) => [term, values[i]!]));
}

/**
 * Opens a payout from the approvals queue, pressing Refresh until the queue lists it with its approvals
 * so far (the list is read from visibility, a moment behind); answers the row's text.
 */
async function openFromQueue(page: Page, reference: string, approvals: string): Promise<string> {
  const row = await queueRow(page, reference, approvals);
  const text = await row.innerText();
  await row.click();
  await page.getByRole('heading', { name: `Payout ${reference} — AWAITING_APPROVAL` }).waitFor();
  return text;
}

/** The queue's row of a payout once it shows these approvals, pressing Refresh until it does. */
async function queueRow(page: Page, reference: string, approvals: string) {
  const row = page.locator('#payouts tbody tr', { hasText: reference }).filter({ hasText: approvals });
  for (const deadline = Date.now() + 30_000; (await row.count()) === 0; ) {
    if (Date.now() > deadline) throw new Error(`the approvals queue did not list ${reference} with ${approvals}: ${await page.locator('#payouts').innerText()}`);
    await page.waitForTimeout(300);
    await page.getByRole('button', { name: 'Refresh', exact: true }).click();
    await page.locator('#queue-status', { hasText: /awaiting approval|Nothing awaits|Could not/ }).waitFor();
  }
  return row;
}

/** A view's limits (`#limits`, `#batch-limits`) once loaded and shown: the requester's line and the destination's. */
async function shownLimits(page: Page, box = '#limits'): Promise<Record<string, string>> {
  await page.locator(`${box}[aria-busy="false"]`).waitFor({ state: 'visible' });
  expect(await page.locator(`${box} h3`).innerText()).toMatch(/^Daily limits today \(\d{4}-\d{2}-\d{2}, Asia\/Jakarta\)$/);
  return facts(page, `${box} dl`);
}

async function createPayout(reference: string, customerNumber: string, value: string): Promise<void> {
  const created = await call(stack, 'POST', '/v1/payouts', { body: ewalletPayout(reference, customerNumber, value) });
  expect(created.status).toBe(201);
  const awaiting = await waitForStatus(stack, reference, 'AWAITING_APPROVAL');
  expect(awaiting.approvalsRequired).toBe(2);
}

describe('console: approvals under a policy', () => {
  test('a two-approver payout shows 1 of 2 after the first approval and proceeds after the second; the remaining limits drop; an approval beyond them is refused with what remains', async () => {
    const started = Date.now();
    const reference = uniqueReference('console-two');
    const destination = '0812345670000';
    await createPayout(reference, destination, '150000.00');

    // The first approver: 0 of 2, both limits untouched.
    const first = await browser.newPage();
    const firstErrors = watchErrors(first, (status, url) => status === 409 && /\/approve$/.test(url));
    await signIn(first, KEYS.approver);
    expect(await first.locator('#my-limits').isHidden()).toBe(true); // an approver requests nothing
    await openFromQueue(first, reference, '0 of 2');
    expect((await facts(first, '#facts')).Approvals).toBe('0 of 2 (2 more approvers needed)');
    const before = await shownLimits(first);
    expect(before).toEqual({
      'Requester requester@local': `${idr('500000.00')} remaining of ${idr('500000.00')} (${idr('0.00')} used)`,
      'Destination •••• 0000': `${idr('300000.00')} remaining of ${idr('300000.00')} (${idr('0.00')} used)`,
    });
    expect(await first.locator('#limits').innerText()).not.toContain(destination); // the number is masked

    await first.getByLabel(/Comment/).fill('first look');
    await first.getByRole('button', { name: 'Approve' }).click();
    await first.getByText('Approval recorded (1 of 2): the payout awaits 1 more approver.').waitFor();
    await first.getByRole('heading', { name: `Payout ${reference} — AWAITING_APPROVAL` }).waitFor();
    const once = await facts(first, '#facts');
    expect(once.Approvals).toMatch(/^1 of 2 \(1 more approver needed\)approver@local at .+ — “first look”$/);
    expect(await first.locator('#facts ul.approvers li').allTextContents()).toHaveLength(1);
    // Approve stays offered while more approvers are needed; nothing is reserved yet.
    expect(await first.getByRole('button', { name: 'Approve' }).isEnabled()).toBe(true);
    expect(await shownLimits(first)).toEqual(before);
    await first.screenshot({ path: join(SHOTS, 'console-approvals-1-of-2.png'), fullPage: true });

    // The same approver again: the API's 409 already-approved, shown on the page.
    await first.getByRole('button', { name: 'Approve' }).click();
    await first.locator('#result', { hasText: /^Refused: This approver approved the payout already\./ }).waitFor();
    expect(await first.locator('#result').getAttribute('class')).toBe('error');

    // A second approver: the payout proceeds, and the limits drop by its amount.
    const second = await browser.newPage();
    const secondErrors = watchErrors(second, (status, url) => status === 409 && /\/approve$/.test(url));
    await signIn(second, SECOND_APPROVER);
    await second.getByText('Signed in as second-approver@local').waitFor();
    expect(await openFromQueue(second, reference, '1 of 2')).not.toContain('you approved');
    expect((await facts(second, '#facts')).Approvals).toMatch(/^1 of 2 \(1 more approver needed\)approver@local at /);
    await second.getByRole('button', { name: 'Approve' }).click();
    await second.locator('#result', { hasText: /^Approved: the payout is now (PROCESSING|SCHEDULED|SUCCEEDED)\.$/ }).waitFor();
    const twice = await facts(second, '#facts');
    expect(twice.Approvals).toMatch(/^2 of 2approver@local at .+ — “first look”second-approver@local at /);
    expect(await second.getByRole('button', { name: 'Approve' }).isDisabled()).toBe(true);
    expect(await shownLimits(second)).toEqual({
      'Requester requester@local': `${idr('350000.00')} remaining of ${idr('500000.00')} (${idr('150000.00')} used)`,
      'Destination •••• 0000': `${idr('150000.00')} remaining of ${idr('300000.00')} (${idr('150000.00')} used)`,
    });
    await second.screenshot({ path: join(SHOTS, 'console-approvals-2-of-2.png'), fullPage: true });
    const done = await waitForStatus(stack, reference, 'SUCCEEDED');
    expect(done.approvals?.map((a) => a.by)).toEqual(['approver@local', 'second-approver@local']);
    expect(await ledger(stack, reference)).toHaveLength(1);

    // Another 200,000.00 to the same destination: more than the 150,000.00 left there. The page says so
    // before anyone approves, and the last approval is refused with what remains.
    const over = uniqueReference('console-over');
    await createPayout(over, destination, '200000.00');
    await first.getByRole('button', { name: 'Back to the list' }).click();
    await openFromQueue(first, over, '0 of 2');
    const overLimits = await shownLimits(first);
    expect(overLimits['Destination •••• 0000']).toBe(
      `${idr('150000.00')} remaining of ${idr('300000.00')} (${idr('150000.00')} used) — less than the ${idr('200000.00')} approving would take`,
    );
    expect(await first.locator('#limits-facts dd.error').count()).toBe(1);
    await first.getByRole('button', { name: 'Approve' }).click();
    await first.getByText('Approval recorded (1 of 2): the payout awaits 1 more approver.').waitFor();
    await first.getByRole('button', { name: 'Back to the list' }).click();
    await queueRow(first, over, '1 of 2 (you approved)');
    await second.getByRole('button', { name: 'Back to the list' }).click();
    await openFromQueue(second, over, '1 of 2');
    await second.getByRole('button', { name: 'Approve' }).click();
    const refusal = second.locator('#result', { hasText: /^Refused: Approving would exceed a daily spending limit\./ });
    await refusal.waitFor();
    const refused = await refusal.innerText();
    expect(refused).toMatch(
      new RegExp(
        `^Refused: Approving would exceed a daily spending limit\\. The destination’s daily limit for \\d{4}-\\d{2}-\\d{2} \\(Asia/Jakarta\\) is ` +
          `${idr('300000.00')}: ${idr('150000.00')} used, ${idr('150000.00')} remaining; this approval asks ${idr('200000.00')}\\.$`,
      ),
    );
    await second.screenshot({ path: join(SHOTS, 'console-approvals-limit-exceeded.png'), fullPage: true });
    const stillWaiting = await waitForStatus(stack, over, 'AWAITING_APPROVAL');
    expect(stillWaiting.approvals?.map((a) => a.by)).toEqual(['approver@local']);
    expect(await second.getByRole('button', { name: 'Approve' }).isEnabled()).toBe(true);

    // The requester sees its own remaining limit above the queue.
    const requester = await browser.newPage();
    const requesterErrors = watchErrors(requester);
    await signIn(requester, KEYS.requester);
    await requester.locator('#my-limits', { hasText: /^Your daily limit today/ }).waitFor();
    expect(await requester.locator('#my-limits').innerText()).toMatch(
      new RegExp(`^Your daily limit today \\(\\d{4}-\\d{2}-\\d{2}, Asia/Jakarta\\): ${idr('350000.00')} remaining of ${idr('500000.00')} \\(${idr('150000.00')} used\\)\\.$`),
    );

    // Rejected to end it (nothing was reserved for it).
    await second.getByLabel(/Comment/).fill('over the destination limit');
    await second.getByRole('button', { name: 'Reject' }).click();
    await second.getByText('Rejected: the payout is now REJECTED.').waitFor();
    expect(await ledger(stack, over)).toHaveLength(0);

    expect(firstErrors).toEqual([]);
    expect(secondErrors).toEqual([]);
    expect(requesterErrors).toEqual([]);
    await Promise.all([first.close(), second.close(), requester.close()]);
    console.log(`two-approver payout and limits: ${((Date.now() - started) / 1000).toFixed(1)} s`);
  }, 180_000);

  test('a two-approver batch shows 1 of 2 after the first approval and proceeds after the second', async () => {
    const started = Date.now();
    const id = uniqueReference('console-batch2');
    const items = [1, 2, 3].map((i) => ({
      reference: `${id}-${i}`,
      destination: { type: 'EWALLET', ewallet: 'DANA', customerNumber: `08123456${i}10000` },
      amount: { value: '60000.00', currency: 'IDR' },
    }));
    expect((await call(stack, 'POST', '/v1/batches', { body: { reference: id, items } })).status).toBe(201);
    const awaiting = await waitForBatch(id, (batch) => batch.status === 'AWAITING_APPROVAL', 'reach AWAITING_APPROVAL');
    expect(awaiting.approvalsRequired).toBe(2);

    /** Signs in, opens the batch, lets `prepare` look and tick, and presses Approve. */
    const approve = async (key: string, principal: string, prepare: (page: Page) => Promise<void>): Promise<{ page: Page; errors: string[] }> => {
      const page = await browser.newPage();
      const errors = watchErrors(page);
      await signIn(page, key);
      await page.getByText(`Signed in as ${principal}`).waitFor();
      const row = page.locator('#batch-list tbody tr', { has: page.locator('td', { hasText: new RegExp(`^${id}$`) }) });
      for (const deadline = Date.now() + 30_000; (await row.count()) === 0; ) {
        if (Date.now() > deadline) throw new Error(`the batch list did not show ${id}`);
        await page.waitForTimeout(300);
        await page.getByRole('button', { name: 'Refresh batches' }).click();
        await page.locator('#batches-status', { hasText: /^(\d+ batch|No batches|Could not)/ }).waitFor();
      }
      await row.click();
      await page.getByRole('heading', { name: `Batch ${id} — AWAITING_APPROVAL` }).waitFor();
      await page.locator('#batch-rows-status', { hasText: /^Showing 3 of 3 rows\.$/ }).waitFor();
      await prepare(page);
      await page.getByRole('button', { name: 'Approve' }).click();
      return { page, errors };
    };

    // The first approver excludes row 3.
    const { page: first, errors: firstErrors } = await approve(KEYS.approver, 'approver@local', async (page) => {
      expect(await page.getByLabel(/^Expected total/).inputValue()).toBe('180000.00');
      await page.getByLabel(`Exclude ${id}-3`, { exact: true }).check();
      expect(await page.getByLabel(/^Expected total/).inputValue()).toBe('120000.00');
    });
    await first.getByText('Approval recorded (1 of 2): the batch awaits 1 more approver.').waitFor();
    await first.getByRole('heading', { name: `Batch ${id} — AWAITING_APPROVAL` }).waitFor();
    const once = await facts(first, '#batch-facts');
    expect(once.Approvals).toMatch(new RegExp(`^1 of 2 \\(1 more approver needed\\)approver@local at .+: 2 rows, ${idr('120000.00')}; 1 excluded$`));
    expect(once.Decision).toBe('none yet');
    expect(await first.getByRole('button', { name: 'Approve' }).isEnabled()).toBe(true);
    // The requester's limit, seen by the approver in the batch view (nothing reserved yet today by this batch).
    expect((await shownLimits(first, '#batch-limits'))['Requester requester@local']).toMatch(/ remaining of IDR 500,000\.00 /);
    await first.screenshot({ path: join(SHOTS, 'console-approvals-batch-1-of-2.png'), fullPage: true });

    // The second finds the first approval's exclusion ticked and its figures, as every approval must agree.
    const { page: second, errors: secondErrors } = await approve(SECOND_APPROVER, 'second-approver@local', async (page) => {
      expect(await page.getByLabel(`Exclude ${id}-3`, { exact: true }).isChecked()).toBe(true);
      expect(await page.getByLabel(`Exclude ${id}-1`, { exact: true }).isChecked()).toBe(false);
      expect(await page.getByLabel(/^Expected total/).inputValue()).toBe('120000.00');
      expect(await page.getByLabel(/^Expected number of rows/).inputValue()).toBe('2');
      await page.getByText('The first approval (approver@local) excluded 1 row; every approval excludes the same rows.', { exact: false }).waitFor();
    });
    await second.locator('#batch-result', { hasText: /^Approved: the batch is now (PROCESSING|COMPLETED)\.$/ }).waitFor();
    expect((await facts(second, '#batch-facts')).Approvals).toMatch(/^2 of 2approver@local at .+second-approver@local at /);
    const done = await waitForBatch(id, (batch) => batch.status === 'COMPLETED', 'complete');
    expect(done.counts).toMatchObject({ SUCCEEDED: 2, CANCELLED: 1 });
    expect(done.approval).toMatchObject({ decision: 'APPROVED', count: 2, total: { value: '120000.00' }, excludedCount: 1 });
    expect(done.approvals?.map((a) => a.by)).toEqual(['approver@local', 'second-approver@local']);
    const paid = await waitForPayout(stack, `${id}-1`, (p) => p.status === 'SUCCEEDED');
    expect(paid.batchId).toBe(id);

    expect(firstErrors).toEqual([]);
    expect(secondErrors).toEqual([]);
    await Promise.all([first.close(), second.close()]);
    console.log(`two-approver batch: ${((Date.now() - started) / 1000).toFixed(1)} s`);
  }, 180_000);
});

async function waitForBatch(id: string, done: (batch: Batch) => boolean, what: string, timeoutMs = 60_000): Promise<Batch> {
  const deadline = Date.now() + timeoutMs;
  let last: Batch | undefined;
  while (Date.now() < deadline) {
    const answer = await call<Batch>(stack, 'GET', `/v1/batches/${id}`);
    last = answer.body;
    if (answer.status === 200 && done(last)) return last;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error(`batch ${id} did not ${what} within ${timeoutMs} ms; last seen ${last?.status}`);
}
