// The console's batch view in a real browser (Debian's Chromium, driven by playwright-core) against the
// real local stack, with both simulators: a requester creates a batch through the API; an approver
// finds it in the console, sees its INVALID rows first and the same totals as the API, excludes a
// READY row and sees the expected figures follow, approves, and the batch pays every other ready row
// while the excluded one ends CANCELLED; the rows download as CSV. Figures that went stale under the
// page (a row cancelled meanwhile) are refused with the API's 409, shown on the page; a reload shows the
// new figures and a rejection ends the batch. An UNVERIFIED row blocks approval until Retry unverified
// verifies it. The requester cancels a batch from the console.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import type { Batch } from '../../src/domain/batch';
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
/** The batch view's one text field for a comment or a reason. */
const NOTE = 'Approval comment, or the reason to reject or cancel';

/** As the console shows money (app.js `rupiah`). */
const idr = (value: string) => `IDR ${Number(value).toLocaleString('en-US', { minimumFractionDigits: 2 })}`;

interface Item {
  reference: string;
  destination: Record<string, string>;
  amount: { value: string; currency: 'IDR' };
  provider?: string;
}
const ewallet = (reference: string, wallet: string, customerNumber: string, value: string): Item => ({
  reference,
  destination: { type: 'EWALLET', ewallet: wallet, customerNumber },
  amount: { value, currency: 'IDR' },
});
const bank = (reference: string, accountNumber: string, value: string): Item => ({
  reference,
  destination: { type: 'BANK_ACCOUNT', bankCode: '014', accountNumber },
  amount: { value, currency: 'IDR' },
});

async function createBatch(id: string, items: Item[], key: string = KEYS.requester): Promise<Batch> {
  const created = await call<Batch>(stack, 'POST', '/v1/batches', { key, body: { reference: id, description: 'Console batch', items } });
  expect(created.status).toBe(201);
  return waitForBatch(id, (batch) => batch.status === 'AWAITING_APPROVAL', 'reach AWAITING_APPROVAL');
}

async function waitForBatch(id: string, done: (batch: Batch) => boolean, what: string, timeoutMs = 60_000): Promise<Batch> {
  const deadline = Date.now() + timeoutMs;
  let last: Batch | undefined;
  while (Date.now() < deadline) {
    const answer = await call<Batch>(stack, 'GET', `/v1/batches/${id}`);
    last = answer.body;
    if (answer.status === 200 && done(last)) return last;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error(`batch ${id} did not ${what} within ${timeoutMs} ms; last seen ${last?.status} ${JSON.stringify(last?.counts)}`);
}

interface ShownRow {
  row: string;
  reference: string;
  status: string;
  holder: string;
  destination: string;
  amount: string;
  fee: string;
  reason: string;
}

/** The batch's rows as the page shows them, top to bottom, once the page says they are loaded. */
async function shownRows(page: Page): Promise<ShownRow[]> {
  await page.locator('#batch-rows-status', { hasText: /^Showing \d+ of \d+ rows?\.$/ }).waitFor();
  const rows: ShownRow[] = [];
  for (const tr of await page.locator('#batch-rows tbody tr').all()) {
    const [, row, reference, status, holder, destination, amount, fee, reason] = await tr.locator('td').allTextContents();
    rows.push({ row, reference, status, holder, destination, amount, fee, reason } as ShownRow);
  }
  return rows;
}

/** The batch's facts (dt → dd) as the page shows them. */
async function shownFacts(page: Page): Promise<Record<string, string>> {
  const terms = await page.locator('#batch-facts dt').allTextContents();
  const values = await page.locator('#batch-facts dd').allTextContents();
  return Object.fromEntries(terms.map((term, i) => [term, values[i]!]));
}

async function shownCounts(page: Page): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  for (const tr of await page.locator('#batch-counts tbody tr').all()) counts[(await tr.locator('th').textContent())!] = Number(await tr.locator('td').textContent());
  return counts;
}

/** Presses "Refresh batches" until the list shows the batch (the list is read from visibility, a moment behind). */
async function openFromList(page: Page, id: string, status: string): Promise<string> {
  const row = page.locator('#batch-list tbody tr', { has: page.locator('td', { hasText: new RegExp(`^${id}$`) }) });
  const deadline = Date.now() + 30_000;
  for (;;) {
    await page.locator('#batches-status', { hasText: /^(\d+ batch|No batches|Could not)/ }).waitFor();
    if ((await row.count()) === 1 && (await row.locator('td.state').textContent()) === status) break;
    if (Date.now() > deadline) throw new Error(`the batch list did not show ${id} as ${status}: ${await page.locator('#batch-list').innerText()}`);
    await page.waitForTimeout(300);
    await page.getByRole('button', { name: 'Refresh batches' }).click();
  }
  const text = await row.innerText();
  await row.click();
  await page.getByRole('heading', { name: `Batch ${id} — ${status}` }).waitFor();
  return text;
}

async function ledgers(): Promise<{ reference: string }[]> {
  const read = async (url: string) => (await (await fetch(`${url}/__sim/transactions`)).json()) as { reference: string }[];
  return [...(await read(stack.simulator.url)), ...(await read(stack.faspaySimulator.url))];
}


describe('console: batches', () => {
  test('an approver sees invalid rows first and the API\'s totals, excludes a ready row, approves the recomputed figures, and the batch pays the rest', async () => {
    const id = uniqueReference('console-batch');
    // Singapay (DANA, OVO, GoPay, ShopeePay) and Faspay (bank, LinkAja); 4040 is an unknown account: INVALID.
    const items: Item[] = [
      ewallet(`${id}-1`, 'DANA', '0812345670000', '10000.00'),
      ewallet(`${id}-2`, 'DANA', '0812345674040', '11000.00'),
      ewallet(`${id}-3`, 'OVO', '0812345680000', '12000.00'),
      bank(`${id}-4`, '1234560000', '13000.00'),
      bank(`${id}-5`, '1234564040', '14000.00'),
      ewallet(`${id}-6`, 'LINKAJA', '0812345690000', '15000.00'),
      ewallet(`${id}-7`, 'GOPAY', '0812345610000', '16000.00'),
      ewallet(`${id}-8`, 'SHOPEEPAY', '0812345620000', '17000.00'),
    ];
    const awaiting = await createBatch(id, items);
    expect(awaiting.counts).toMatchObject({ READY: 6, INVALID: 2 });
    expect(awaiting.ready.total.value).toBe('83000.00');

    const page = await browser.newPage();
    const errors = watchErrors(page);
    // Pages of two rows, so the page must follow nextCursor within each pass (INVALID, UNVERIFIED, the rest).
    const itemPages: string[] = [];
    await page.route(/\/items\?/, (route) => {
      const url = route.request().url().replace(/limit=\d+/, 'limit=2');
      itemPages.push(url);
      return route.continue({ url });
    });
    await signIn(page, KEYS.approver);
    await page.getByText('Signed in as approver@local').waitFor();
    const listed = await openFromList(page, id, 'AWAITING_APPROVAL');
    expect(listed).toContain('requester@local');
    expect(listed).toContain(idr('83000.00'));

    // The figures are the API's, to the rupiah.
    const facts = await shownFacts(page);
    expect(facts).toMatchObject({
      Status: 'AWAITING_APPROVAL',
      Description: 'Console batch',
      'Requested by': 'requester@local',
      Rows: '8',
      'Ready rows': '6',
      'Ready total (beneficiaries receive)': idr(awaiting.ready.total.value),
      'Fee total': idr(awaiting.ready.feeTotal.value),
      'Gross total (leaves the balance)': idr(awaiting.ready.grossTotal.value),
      Decision: 'none yet',
    });
    expect(Number(awaiting.ready.feeTotal.value)).toBeGreaterThan(0);
    expect(await shownCounts(page)).toEqual({ READY: 6, INVALID: 2 });

    // INVALID rows first (rows 2 and 5), then the rest in row order; each row as the items API gives it.
    const rows = await shownRows(page);
    expect(rows.map((r) => [r.row, r.status])).toEqual([
      ['2', 'INVALID'],
      ['5', 'INVALID'],
      ['1', 'READY'],
      ['3', 'READY'],
      ['4', 'READY'],
      ['6', 'READY'],
      ['7', 'READY'],
      ['8', 'READY'],
    ]);
    expect(itemPages.filter((url) => url.includes('cursor=')).length).toBeGreaterThanOrEqual(3);
    expect(itemPages.some((url) => url.includes('status=INVALID'))).toBe(true);
    expect(itemPages.some((url) => url.includes('status=UNVERIFIED'))).toBe(true);
    const api = await call<{ items: { reference: string; status: string; accountName?: string; fee?: { value: string }; reason?: string }[] }>(stack, 'GET', `/v1/batches/${id}/items?limit=200`);
    for (const shown of rows) {
      const item = api.body.items.find((each) => each.reference === shown.reference)!;
      expect(shown).toMatchObject({ reference: item.reference, status: item.status, holder: item.accountName ?? '—', fee: item.fee ? idr(item.fee.value) : '—' });
      if (item.status === 'INVALID') expect(shown.reason).toBe(item.reason);
    }
    expect(rows[0]!.reason).not.toBe('—');
    expect(rows.find((r) => r.row === '1')).toMatchObject({ amount: idr('10000.00'), destination: 'DANA •••• 0000' });
    expect(rows.find((r) => r.row === '4')!.destination).toBe('Bank •••• 0000');
    expect(await page.locator('#batch-rows').innerText()).not.toContain('0812345670000'); // numbers are masked

    // The approve form starts at the batch's figures; INVALID rows cannot be ticked; an approver is not offered Cancel.
    expect(await page.getByLabel(/^Expected total/).inputValue()).toBe('83000.00');
    expect(await page.getByLabel(/^Expected number of rows/).inputValue()).toBe('6');
    expect(await page.getByLabel(`Exclude ${id}-2`, { exact: true }).isDisabled()).toBe(true);
    expect(await page.getByRole('button', { name: 'Cancel the batch' }).isHidden()).toBe(true);

    // Excluding row 3 (READY, 12,000) takes it off the expected figures; unticking puts it back.
    const exclude = page.getByLabel(`Exclude ${id}-3`, { exact: true });
    await exclude.check();
    expect(await page.getByLabel(/^Expected total/).inputValue()).toBe('71000.00');
    expect(await page.getByLabel(/^Expected number of rows/).inputValue()).toBe('5');
    await exclude.uncheck();
    expect(await page.getByLabel(/^Expected total/).inputValue()).toBe('83000.00');
    await exclude.check();
    expect(await page.getByLabel(/^Expected number of rows/).inputValue()).toBe('5');

    // The comment is shown as text, never as markup.
    const comment = 'checked <b>payroll</b> & co';
    await page.getByLabel(NOTE, { exact: true }).fill(comment);
    await page.screenshot({ path: join(SHOTS, 'console-batch.png'), fullPage: true });
    const approveRequest = page.waitForRequest((request) => request.url().endsWith(`/v1/batches/${id}/approve`));
    await page.getByRole('button', { name: 'Approve' }).click();
    // The page posts exactly the figures it showed.
    expect((await approveRequest).postDataJSON()).toEqual({
      expectedTotal: { value: '71000.00', currency: 'IDR' },
      expectedCount: 5,
      excludeReferences: [`${id}-3`],
      comment,
    });
    await page.getByText(/^Approved: the batch is now (PROCESSING|COMPLETED)\.$/).waitFor();

    const done = await waitForBatch(id, (batch) => batch.status === 'COMPLETED', 'complete');
    expect(done.approval).toMatchObject({ decision: 'APPROVED', by: 'approver@local', count: 5, total: { value: '71000.00' }, excludedCount: 1, comment });
    expect(done.counts).toMatchObject({ SUCCEEDED: 5, INVALID: 2, CANCELLED: 1, READY: 0 });
    expect((await waitForStatus(stack, `${id}-3`, 'CANCELLED')).status).toBe('CANCELLED');
    const paid = (await ledgers()).filter((entry) => entry.reference.startsWith(`${id}-`)).map((entry) => entry.reference);
    expect(paid.sort()).toEqual([`${id}-1`, `${id}-4`, `${id}-6`, `${id}-7`, `${id}-8`]);

    // Reloaded, the page shows the outcome: the decision, the excluded row CANCELLED, no form, nothing to tick.
    await page.getByRole('button', { name: 'Refresh', exact: true }).click();
    await page.getByRole('heading', { name: `Batch ${id} — COMPLETED` }).waitFor();
    const after = await shownRows(page);
    expect(after.find((r) => r.row === '3')!.status).toBe('CANCELLED');
    expect(after.filter((r) => r.status === 'SUCCEEDED')).toHaveLength(5);
    expect(await page.locator('#batch-decide').isHidden()).toBe(true); // nothing left to decide
    expect(await page.locator('#batch-rows input:enabled').count()).toBe(0);
    const decision = (await shownFacts(page)).Decision!;
    expect(decision).toContain(`APPROVED by approver@local`);
    expect(decision).toContain(`5 rows, ${idr('71000.00')}`);
    expect(decision).toContain(`“${comment}”`);
    expect(await page.locator('#batch-facts b').count()).toBe(0);
    await page.screenshot({ path: join(SHOTS, 'console-batch-completed.png'), fullPage: true });

    // The rows' results as a file, fetched with the key and handed to the browser as a download.
    const download = page.waitForEvent('download');
    await page.getByRole('link', { name: 'Download the rows (CSV)' }).click();
    const file = await download;
    expect(file.suggestedFilename()).toBe(`batch-${id}.csv`);
    const csv = (await readFile((await file.path())!, 'utf8')).trim().split('\n');
    expect(csv[0]).toMatch(/^row,reference,status,/);
    expect(csv).toHaveLength(9);
    expect(csv.find((line) => line.startsWith(`3,${id}-3,`))).toContain(',CANCELLED,');
    await page.getByText(`Downloaded batch-${id}.csv.`).waitFor();

    expect(errors).toEqual([]);
    await page.close();
  }, 180_000);

  test('figures that went stale under the page are refused with the 409 shown; reloaded, the page has the new figures and rejects the batch', async () => {
    const id = uniqueReference('console-stale');
    const items = [1, 2, 3].map((i) => ewallet(`${id}-${i}`, 'DANA', `08123456${i}0000`, '20000.00'));
    await createBatch(id, items);

    const page = await browser.newPage();
    const errors = watchErrors(page, (status, url) => status === 409 && url.endsWith(`/v1/batches/${id}/approve`));
    await signIn(page, KEYS.approver);
    // Its rows are in the approvals queue too, marked as rows of the batch: one opens the batch, not the payout.
    const queued = page.locator('#payouts tbody tr', { hasText: `${id}-1 (batch ${id})` });
    for (const deadline = Date.now() + 30_000; (await queued.count()) === 0; ) {
      if (Date.now() > deadline) throw new Error(`the approvals queue did not list ${id}-1: ${await page.locator('#payouts').innerText()}`);
      await page.waitForTimeout(300);
      await page.getByRole('button', { name: 'Refresh', exact: true }).click();
      await page.locator('#queue-status', { hasText: /awaiting approval|Nothing awaits|Could not/ }).waitFor();
    }
    await queued.click();
    await page.getByRole('heading', { name: `Batch ${id} — AWAITING_APPROVAL` }).waitFor();
    await shownRows(page);
    expect(await page.getByLabel(/^Expected total/).inputValue()).toBe('60000.00');
    expect(await page.getByLabel(/^Expected number of rows/).inputValue()).toBe('3');

    // Meanwhile the requester cancels row 2 on its own: the batch now pays two rows.
    expect((await call(stack, 'POST', `/v1/payouts/${id}-2/cancel`, { body: { reason: 'paid by hand' } })).status).toBe(200);
    const changed = await waitForBatch(id, (batch) => batch.ready.count === 2, 'count two ready rows');
    // The same stale figures through the API: this 409 is what the page must show.
    const refusal = await call<{ detail: string; actual: { count: number; total: { value: string }; feeTotal: { value: string } } }>(stack, 'POST', `/v1/batches/${id}/approve`, {
      key: KEYS.approver,
      body: { expectedTotal: { value: '60000.00', currency: 'IDR' }, expectedCount: 3 },
    });
    expect(refusal.status).toBe(409);
    expect(refusal.body.actual).toMatchObject({ count: 2, total: { value: '40000.00' } });

    await page.getByRole('button', { name: 'Approve' }).click();
    const result = page.locator('#batch-result');
    await result.filter({ hasText: /^Refused: / }).waitFor();
    const shown = await result.innerText();
    expect(shown).toContain(refusal.body.detail);
    expect(shown).toContain(`Now: 2 rows, ${idr('40000.00')} plus fees ${idr(refusal.body.actual.feeTotal.value)}.`);
    expect(await result.getAttribute('class')).toBe('error');
    expect((await call<Batch>(stack, 'GET', `/v1/batches/${id}`)).body).toMatchObject({ status: 'AWAITING_APPROVAL', ready: { count: 2, total: changed.ready.total } });

    // Reloaded: the new figures, the cancelled row shown as such; a rejection needs a reason, then ends the batch.
    await page.getByRole('button', { name: 'Refresh', exact: true }).click();
    await page.getByText('Reloaded.', { exact: true }).waitFor();
    expect(await page.getByLabel(/^Expected total/).inputValue()).toBe('40000.00');
    expect(await page.getByLabel(/^Expected number of rows/).inputValue()).toBe('2');
    expect((await shownRows(page)).find((r) => r.row === '2')!.status).toBe('CANCELLED');
    await page.getByRole('button', { name: 'Reject' }).click();
    await page.getByText('A rejection needs a reason.').waitFor();
    await page.getByLabel(NOTE, { exact: true }).fill('wrong month');
    await page.getByRole('button', { name: 'Reject' }).click();
    await page.getByText('Rejected: the batch is now REJECTED.').waitFor();
    const rejected = await waitForBatch(id, (batch) => batch.status === 'REJECTED', 'be rejected');
    expect(rejected.approval).toMatchObject({ decision: 'REJECTED', by: 'approver@local', reason: 'wrong month' });
    expect((await ledgers()).filter((entry) => entry.reference.startsWith(`${id}-`))).toEqual([]);
    expect(errors).toEqual([]);
    await page.close();
  }, 120_000);

  test('an unverified row is listed first and blocks approval (the 409 shown); Retry unverified runs its inquiry again and the batch can be approved', async () => {
    const id = uniqueReference('console-retry');
    // Singapay answers every account inquiry 503 until the faults are cleared: its row ends UNVERIFIED.
    const faults = await fetch(`${stack.simulator.url}/__sim/faults`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ operation: 'inquiry', mode: 'http503', count: 100 }),
    });
    expect(faults.status).toBeLessThan(300);
    let awaiting: Batch;
    try {
      expect((await call(stack, 'POST', '/v1/batches', { body: { reference: id, items: [bank(`${id}-1`, '2345670000', '30000.00'), ewallet(`${id}-2`, 'DANA', '0812345630000', '40000.00')] } })).status).toBe(201);
      awaiting = await waitForBatch(id, (batch) => batch.status === 'AWAITING_APPROVAL', 'reach AWAITING_APPROVAL');
    } finally {
      await fetch(`${stack.simulator.url}/__sim/faults`, { method: 'DELETE' });
    }
    expect(awaiting.counts).toMatchObject({ READY: 1, UNVERIFIED: 1 });

    const page = await browser.newPage();
    const errors = watchErrors(page, (status, url) => status === 409 && url.endsWith(`/v1/batches/${id}/approve`));
    await signIn(page, KEYS.approver);
    await openFromList(page, id, 'AWAITING_APPROVAL');
    const rows = await shownRows(page);
    expect(rows.map((r) => [r.row, r.status])).toEqual([
      ['2', 'UNVERIFIED'],
      ['1', 'READY'],
    ]);
    expect(rows[0]!.reason).toMatch(/inquiry did not succeed/);
    expect(await shownCounts(page)).toEqual({ READY: 1, UNVERIFIED: 1 });
    expect(await page.getByLabel(/^Expected total/).inputValue()).toBe('30000.00');
    // Ticking the UNVERIFIED row excludes it but takes nothing off the ready figures.
    await page.getByLabel(`Exclude ${id}-2`, { exact: true }).check();
    expect(await page.getByLabel(/^Expected total/).inputValue()).toBe('30000.00');
    expect(await page.getByLabel(/^Expected number of rows/).inputValue()).toBe('1');
    await page.getByText('1 row excluded (0 of them ready)', { exact: false }).waitFor();
    await page.getByLabel(`Exclude ${id}-2`, { exact: true }).uncheck();

    // Not excluded, it keeps the batch from being approved: the API's 409, as the page shows it.
    await page.getByRole('button', { name: 'Approve' }).click();
    await page.locator('#batch-result', { hasText: /^Refused: The batch cannot be approved yet\. — 1 rows could not be verified/ }).waitFor();

    await page.getByRole('button', { name: 'Retry unverified rows' }).click();
    await page.getByText(/^Retrying the unverified rows: the batch is now (AWAITING_APPROVAL|VALIDATING)\.$/).waitFor();
    const retried = await waitForBatch(id, (batch) => batch.counts.READY === 2, 'have both rows READY');
    await page.getByRole('button', { name: 'Refresh', exact: true }).click();
    await page.getByText('Reloaded.', { exact: true }).waitFor();
    expect((await shownRows(page)).map((r) => [r.row, r.status])).toEqual([
      ['1', 'READY'],
      ['2', 'READY'],
    ]);
    expect(await page.getByRole('button', { name: 'Retry unverified rows' }).isHidden()).toBe(true);
    expect(await page.getByLabel(/^Expected total/).inputValue()).toBe(retried.ready.total.value);
    expect(retried.ready.total.value).toBe('70000.00');
    await page.getByRole('button', { name: 'Approve' }).click();
    await page.getByText(/^Approved: the batch is now (PROCESSING|COMPLETED)\.$/).waitFor();
    const done = await waitForBatch(id, (batch) => batch.status === 'COMPLETED', 'complete');
    expect(done.counts).toMatchObject({ SUCCEEDED: 2 });
    expect(errors).toEqual([]);
    await page.close();
  }, 120_000);

  test('the requester cancels their batch from the console; approving it is not theirs to do', async () => {
    const id = uniqueReference('console-cancel');
    await createBatch(id, [ewallet(`${id}-1`, 'DANA', '081234567890000', '30000.00'), bank(`${id}-2`, '9876540000', '40000.00')]);

    const page = await browser.newPage();
    const errors = watchErrors(page, (status, url) => status === 403 && url.endsWith(`/v1/batches/${id}/approve`));
    await signIn(page, KEYS.requester);
    await openFromList(page, id, 'AWAITING_APPROVAL');
    await shownRows(page);
    await page.getByRole('button', { name: 'Approve' }).click();
    await page.locator('#batch-result', { hasText: /^Refused: .*approver/ }).waitFor();

    await page.getByLabel(NOTE, { exact: true }).fill('duplicate file');
    await page.getByRole('button', { name: 'Cancel the batch' }).click();
    await page.getByText('Cancelled: the batch is now CANCELLED.').waitFor();
    await page.getByRole('heading', { name: `Batch ${id} — CANCELLED` }).waitFor();
    expect(await page.locator('#batch-decide').isHidden()).toBe(true);
    const cancelled = await waitForBatch(id, (batch) => batch.status === 'CANCELLED', 'be cancelled');
    expect(cancelled.approval).toMatchObject({ decision: 'CANCELLED', by: 'requester@local' });
    // The rows are checked as payouts, not through the batch's counts: a batch decided against before
    // approval may finish before its rows report back, and then keeps them READY (a known workflow bug).
    for (const reference of [`${id}-1`, `${id}-2`]) {
      expect((await waitForStatus(stack, reference, 'CANCELLED')).status).toBe('CANCELLED');
    }
    expect(errors).toEqual([]);
    await page.close();
  }, 120_000);
});
