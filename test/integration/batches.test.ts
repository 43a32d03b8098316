// Batches on the real dev server, with the real provider clients against both simulators: a CSV file
// with bad rows is refused line by line and nothing starts; fixed, it validates, is approved for its
// exact total minus two excluded rows, and every row ends as its scenario says, paid at most once.
// Then the other decisions (reject, cancel, a row on its own), conflicts, and unverified rows.
import type { Batch } from '../../src/domain/batch';
import type { Payout } from '../../src/domain/payout';
import { call, KEYS, startStack, uniqueReference, type TestStack } from '../support/stack';
import { batchEventsOf, testReceiver, waitForDeliveries } from '../support/webhooks';

let stack: TestStack;
beforeAll(async () => {
  stack = await startStack();
});
afterAll(async () => {
  await stack?.stop();
});

interface LedgerRow {
  reference: string;
  status: string;
  triggerCalls: number;
}
async function ledgers(): Promise<LedgerRow[]> {
  const read = async (url: string) => (await (await fetch(`${url}/__sim/transactions`)).json()) as LedgerRow[];
  return [...(await read(stack.simulator.url)), ...(await read(stack.faspaySimulator.url))];
}

async function waitForBatch(id: string, statuses: string[], timeoutMs = 120_000): Promise<Batch> {
  const deadline = Date.now() + timeoutMs;
  let last: Batch | undefined;
  while (Date.now() < deadline) {
    const answer = await call<Batch>(stack, 'GET', `/v1/batches/${id}`);
    last = answer.body;
    if (answer.status === 200 && statuses.includes(last.status)) return last;
    await new Promise((resolve) => setTimeout(resolve, 300));
  }
  throw new Error(`batch ${id} is ${last?.status} (${JSON.stringify(last?.counts)}), not ${statuses.join('/')} after ${timeoutMs} ms`);
}

const HEADER = 'reference,destination_type,ewallet,customer_number,bank_code,account_number,biller_code,virtual_account_number,amount,description,beneficiary_email,provider';

/** Scenario suffix → what the row must end as (simulators' scenario table). */
const OUTCOMES: Record<string, string> = {
  '0000': 'SUCCEEDED',
  '1111': 'SUCCEEDED',
  '2222': 'FAILED',
  '4040': 'INVALID',
  '5003': 'SUCCEEDED',
  '7777': 'SUCCEEDED',
  '8888': 'FAILED',
  // Amount 60000.00, above the account's maximum of 50000.00: Singapay's inquiry gives the maximum
  // (INVALID); Faspay's does not, and its trigger refuses the amount (FAILED).
  '9999': 'INVALID',
  '4321': 'SUCCEEDED',
};

function csvRow(reference: string, index: number, suffix: string): { line: string; amount: number } {
  const amount = suffix === '9999' ? 60_000 : 10_000 + (index % 7) * 1_000;
  const number = `08${String(index).padStart(8, '0')}${suffix}`;
  const line =
    index % 2 === 0
      ? `${reference},EWALLET,DANA,${number},,,,,${amount}.00,Batch row ${index},,`
      : `${reference},BANK_ACCOUNT,,,014,${number},,,${amount}.00,Batch row ${index},,faspay`;
  return { line, amount };
}

describe('batches', () => {
  test('a 200-row CSV: bad lines named, then validated, approved minus two exclusions, each row paid at most once as its scenario says', async () => {
    const id = uniqueReference('csv-batch');
    const suffixes = Object.keys(OUTCOMES);
    const rows = Array.from({ length: 200 }, (_, i) => {
      const suffix = suffixes[i % suffixes.length]!;
      const outcome = suffix === '9999' && i % 2 === 1 ? 'FAILED' : OUTCOMES[suffix]!;
      return { reference: `${id}-r${i}`, suffix, outcome, ...csvRow(`${id}-r${i}`, i, suffix) };
    });

    // Three bad lines: a fractional amount (line 12), a short number (line 40), an unknown e-wallet (line 101).
    const broken = rows.map((row) => row.line);
    broken[10] = broken[10]!.replace(/,(\d+)\.00,/, ',$1.50,');
    broken[38] = broken[38]!.replace(/,08\d+(\d{4}),/, ',0812,');
    broken[99] = broken[99]!.replace('BANK_ACCOUNT,,', 'EWALLET,FOOPAY,');
    const refused = await call<{ errors: { pointer: string }[] }>(stack, 'POST', `/v1/batches?reference=${id}`, {
      rawBody: [HEADER, ...broken].join('\n'),
      headers: { 'content-type': 'text/csv' },
    });
    expect(refused.status).toBe(400);
    const lines = new Set(refused.body.errors.map((e) => Number(e.pointer.split('/')[2])));
    expect([...lines].sort((a, b) => a - b)).toEqual([12, 40, 101]);
    expect(refused.body.errors.map((e) => e.pointer)).toContain('/rows/12/amount');
    // Nothing started: not the batch, not one row.
    expect((await call(stack, 'GET', `/v1/batches/${id}`)).status).toBe(404);
    expect((await call(stack, 'GET', `/v1/payouts/${rows[0]!.reference}`)).status).toBe(404);

    const csv = [HEADER, ...rows.map((row) => row.line)].join('\r\n');
    const created = await call<Batch>(stack, 'POST', `/v1/batches?reference=${id}&description=Cashback`, { rawBody: csv, headers: { 'content-type': 'text/csv' } });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ id, status: 'VALIDATING', itemCount: 200, receivedCount: 200 });
    const again = await call<Batch>(stack, 'POST', `/v1/batches?reference=${id}&description=Cashback`, { rawBody: csv, headers: { 'content-type': 'text/csv' } });
    expect(again.status).toBe(200);

    const awaiting = await waitForBatch(id, ['AWAITING_APPROVAL']);
    const invalid = rows.filter((row) => row.outcome === 'INVALID');
    const ready = rows.filter((row) => row.outcome !== 'INVALID');
    expect(awaiting.counts.INVALID).toBe(invalid.length);
    expect(awaiting.counts.READY).toBe(ready.length);
    expect(awaiting.ready.total.value).toBe(`${ready.reduce((sum, row) => sum + row.amount, 0)}.00`);

    // A row shows its batch, and cannot be approved on its own.
    const rowPayout = await call<Payout>(stack, 'GET', `/v1/payouts/${ready[0]!.reference}`);
    expect(rowPayout.body).toMatchObject({ batchId: id, status: 'AWAITING_APPROVAL' });
    const alone = await call<{ type: string }>(stack, 'POST', `/v1/payouts/${ready[0]!.reference}/approve`, { key: KEYS.approver, body: {} });
    expect(alone.status).toBe(409);
    expect(alone.body.type).toMatch(/batch-row$/);

    const excluded = [ready[1]!, ready[2]!];
    const paid = ready.filter((row) => !excluded.includes(row));
    const expectedTotal = { value: `${paid.reduce((sum, row) => sum + row.amount, 0)}.00`, currency: 'IDR' };
    const body = { expectedTotal, expectedCount: paid.length, excludeReferences: excluded.map((row) => row.reference) };
    // Figures that differ are refused with the actual ones, and change nothing.
    const wrong = await call<{ type: string; actual: { count: number; total: { value: string } } }>(stack, 'POST', `/v1/batches/${id}/approve`, {
      key: KEYS.approver,
      body: { ...body, expectedCount: ready.length },
    });
    expect(wrong.status).toBe(409);
    expect(wrong.body.type).toMatch(/batch-figures-differ$/);
    expect(wrong.body.actual).toMatchObject({ count: paid.length, total: expectedTotal });

    const approved = await call<Batch>(stack, 'POST', `/v1/batches/${id}/approve`, { key: KEYS.approver, body });
    expect(approved.status).toBe(200);
    expect(approved.body.approval).toMatchObject({ decision: 'APPROVED', by: 'approver@local', count: paid.length, total: expectedTotal, excludedCount: 2 });
    expect((await call(stack, 'POST', `/v1/batches/${id}/approve`, { key: KEYS.approver, body })).status).toBe(409);

    const done = await waitForBatch(id, ['COMPLETED'], 240_000);
    const expectedCounts: Record<string, number> = {};
    for (const row of paid) expectedCounts[row.outcome] = (expectedCounts[row.outcome] ?? 0) + 1;
    expect(done.counts).toMatchObject({ ...expectedCounts, INVALID: invalid.length, CANCELLED: 2, READY: 0, PROCESSING: 0 });

    // Each row ended as its scenario says; the ledgers hold each paid reference once, and nothing else of this batch.
    const items = await call<{ items: { reference: string; status: string }[]; nextCursor: string | null }>(stack, 'GET', `/v1/batches/${id}/items?limit=200`);
    expect(items.body.items).toHaveLength(200);
    const statusOf = new Map(items.body.items.map((item) => [item.reference, item.status]));
    for (const row of paid) expect([row.reference, statusOf.get(row.reference)]).toEqual([row.reference, row.outcome]);
    for (const row of excluded) expect(statusOf.get(row.reference)).toBe('CANCELLED');
    const mine = (await ledgers()).filter((entry) => entry.reference.startsWith(`${id}-`));
    const counted = new Map<string, number>();
    for (const entry of mine) counted.set(entry.reference, (counted.get(entry.reference) ?? 0) + 1);
    expect([...counted.values()].every((n) => n === 1)).toBe(true);
    const moved = new Set(mine.map((entry) => entry.reference));
    for (const row of [...invalid, ...excluded]) expect(moved.has(row.reference)).toBe(false);
    // Every approved row reached its provider, but those whose trigger the provider refused (8888, Faspay's 9999).
    for (const row of paid.filter((r) => r.suffix !== '8888' && r.suffix !== '9999')) expect(moved.has(row.reference)).toBe(true);

    const csvOut = await fetch(`${stack.apiUrl}/v1/batches/${id}/items.csv`, { headers: { authorization: `Bearer ${KEYS.requester}` } });
    expect(csvOut.headers.get('content-type')).toMatch(/^text\/csv/);
    const csvLines = (await csvOut.text()).trim().split('\n');
    expect(csvLines).toHaveLength(201);
    expect(csvLines[0]).toBe('row,reference,status,provider,amount,fee,account_name,failure_code,reason,provider_reference,updated_at');
  }, 300_000);

  test('JSON: the same body again is the same batch, another body or a used item reference is a 409; reject ends every row', async () => {
    const id = uniqueReference('json-batch');
    const used = uniqueReference('used');
    expect((await call(stack, 'POST', '/v1/payouts', { body: { reference: used, destination: { type: 'EWALLET', ewallet: 'DANA', customerNumber: '081234560000' }, amount: { value: '10000.00', currency: 'IDR' } } })).status).toBe(201);
    const item = (i: number) => ({ reference: `${id}-${i}`, destination: { type: 'EWALLET', ewallet: 'OVO', customerNumber: `0812345${i}0000` }, amount: { value: '15000.00', currency: 'IDR' } });
    const conflict = await call<{ references: string[] }>(stack, 'POST', '/v1/batches', { body: { reference: id, items: [item(1), { ...item(2), reference: used }] } });
    expect(conflict.status).toBe(409);
    expect(conflict.body.references).toEqual([used]);
    const bad = await call<{ errors: { pointer: string }[] }>(stack, 'POST', '/v1/batches', { body: { reference: id, items: [item(1), { ...item(2), amount: { value: '1', currency: 'IDR' } }, item(1)] } });
    expect(bad.status).toBe(400);
    expect(bad.body.errors.map((e) => e.pointer)).toEqual(['/items/1/amount/value']);
    const duplicate = await call<{ errors: { pointer: string }[] }>(stack, 'POST', '/v1/batches', { body: { reference: id, items: [item(1), item(2), item(1)] } });
    expect(duplicate.body.errors.map((e) => e.pointer)).toEqual(['/items/2/reference']);

    const body = { reference: id, approvalTimeout: 'PT10M', items: [item(1), item(2), item(3)] };
    expect((await call(stack, 'POST', '/v1/batches', { body })).status).toBe(201);
    expect((await call(stack, 'POST', '/v1/batches', { body })).status).toBe(200);
    expect((await call(stack, 'POST', '/v1/batches', { body: { ...body, items: [item(1), item(2)] } })).status).toBe(409);
    await waitForBatch(id, ['AWAITING_APPROVAL']);
    // A payout with a row's reference is a conflict too.
    expect((await call(stack, 'POST', '/v1/payouts', { body: item(1) })).status).toBe(409);
    const rejected = await call<Batch>(stack, 'POST', `/v1/batches/${id}/reject`, { key: KEYS.approver, body: { reason: 'wrong month' } });
    expect(rejected.status).toBe(200);
    expect(rejected.body.status).toBe('REJECTED');
    const final = await waitForBatch(id, ['REJECTED']);
    expect(final.approval).toMatchObject({ decision: 'REJECTED', by: 'approver@local', reason: 'wrong month' });
    const deadline = Date.now() + 30_000;
    let statuses: string[] = [];
    while (Date.now() < deadline) {
      statuses = await Promise.all([1, 2, 3].map(async (i) => (await call<Payout>(stack, 'GET', `/v1/payouts/${id}-${i}`)).body.status));
      if (statuses.every((status) => status === 'REJECTED')) break;
      await new Promise((resolve) => setTimeout(resolve, 300));
    }
    expect(statuses).toEqual(['REJECTED', 'REJECTED', 'REJECTED']);
    await stack.client.workflow.getHandle(`batch-${id}`).result();
    expect((await call<Batch>(stack, 'GET', `/v1/batches/${id}`)).body.counts).toMatchObject({ REJECTED: 3, READY: 0 });
    expect((await ledgers()).filter((entry) => entry.reference.startsWith(`${id}-`))).toEqual([]);
  }, 120_000);

  test('four eyes: the requester of a batch cannot approve it; a cancel before approval cancels every row', async () => {
    const id = uniqueReference('own-batch');
    const items = [1, 2].map((i) => ({ reference: `${id}-${i}`, destination: { type: 'BANK_ACCOUNT', bankCode: '014', accountNumber: `5555${i}0000` }, amount: { value: '20000.00', currency: 'IDR' } }));
    expect((await call(stack, 'POST', '/v1/batches', { key: KEYS.admin, body: { reference: id, items } })).status).toBe(201);
    await waitForBatch(id, ['AWAITING_APPROVAL']);
    const own = await call<{ type: string }>(stack, 'POST', `/v1/batches/${id}/approve`, {
      key: KEYS.admin,
      body: { expectedTotal: { value: '40000.00', currency: 'IDR' }, expectedCount: 2 },
    });
    expect(own.status).toBe(403);
    expect((await call(stack, 'POST', `/v1/batches/${id}/cancel`, { key: KEYS.requester, body: {} })).status).toBe(403);
    const cancelled = await call<Batch>(stack, 'POST', `/v1/batches/${id}/cancel`, { key: KEYS.admin, body: { reason: 'duplicate file' } });
    expect(cancelled.status).toBe(200);
    expect(cancelled.body.status).toBe('CANCELLED');
    const deadline = Date.now() + 30_000;
    let statuses: string[] = [];
    while (Date.now() < deadline) {
      statuses = await Promise.all(items.map(async (item) => (await call<Payout>(stack, 'GET', `/v1/payouts/${item.reference}`)).body.status));
      if (statuses.every((status) => status === 'CANCELLED')) break;
      await new Promise((resolve) => setTimeout(resolve, 300));
    }
    expect(statuses).toEqual(['CANCELLED', 'CANCELLED']);
    // The batch's own last document agrees with its rows (it waits for their confirmations before it ends).
    const ended = await waitForBatch(id, ['CANCELLED']);
    await stack.client.workflow.getHandle(`batch-${id}`).result();
    expect((await call<Batch>(stack, 'GET', `/v1/batches/${id}`)).body.counts).toMatchObject({ CANCELLED: 2, READY: 0 });
    expect(ended.status).toBe('CANCELLED');
    expect((await ledgers()).filter((entry) => entry.reference.startsWith(`${id}-`))).toEqual([]);
  }, 120_000);
  const dana = (reference: string, number: string, value = '20000.00') => ({ reference, destination: { type: 'EWALLET', ewallet: 'DANA', customerNumber: number }, amount: { value, currency: 'IDR' } });
  const bank = (reference: string, number: string, value = '20000.00') => ({ reference, destination: { type: 'BANK_ACCOUNT', bankCode: '014', accountNumber: number }, amount: { value, currency: 'IDR' } });
  const faspayFaults = (body: unknown) =>
    fetch(`${stack.faspaySimulator.url}/__sim/faults`, { method: body === null ? 'DELETE' : 'POST', headers: { 'content-type': 'application/json' }, ...(body !== null && { body: JSON.stringify(body) }) });
  async function payoutsOf(references: string[], done: (payouts: Payout[]) => boolean, timeoutMs = 60_000): Promise<Payout[]> {
    const deadline = Date.now() + timeoutMs;
    let payouts: Payout[] = [];
    while (Date.now() < deadline) {
      payouts = await Promise.all(references.map(async (reference) => (await call<Payout>(stack, 'GET', `/v1/payouts/${reference}`)).body));
      if (done(payouts)) return payouts;
      await new Promise((resolve) => setTimeout(resolve, 300));
    }
    throw new Error(`payouts are ${payouts.map((p) => `${p.reference}=${p.status}`).join(', ')}`);
  }
  const approveAsIs = (id: string, batch: Batch, extra: Record<string, unknown> = {}) =>
    call<Batch>(stack, 'POST', `/v1/batches/${id}/approve`, { key: KEYS.approver, body: { expectedTotal: batch.ready.total, expectedCount: batch.ready.count, ...extra } });

  test('an inquiry that keeps failing for a transient reason leaves its row UNVERIFIED: the approval waits until it is retried', async () => {
    const id = uniqueReference('unverified');
    // Every attempt of one Faspay inquiry answers 503 (the policy makes 8).
    await faspayFaults({ operation: 'inquiry', mode: 'http503', count: 8 });
    try {
      expect((await call(stack, 'POST', '/v1/batches', { body: { reference: id, items: [dana(`${id}-1`, '081234510000'), bank(`${id}-2`, '5432100000')] } })).status).toBe(201);
      const awaiting = await waitForBatch(id, ['AWAITING_APPROVAL']);
      expect(awaiting.counts).toMatchObject({ READY: 1, UNVERIFIED: 1 });
      const rows = await call<{ items: { reference: string; status: string; reason?: string }[] }>(stack, 'GET', `/v1/batches/${id}/items?status=UNVERIFIED`);
      expect(rows.body.items).toEqual([expect.objectContaining({ reference: `${id}-2`, status: 'UNVERIFIED', reason: expect.stringContaining('inquiry') })]);
      const early = await approveAsIs(id, awaiting);
      expect(early.status).toBe(409);
      expect((early.body as unknown as { type: string }).type).toMatch(/batch-not-ready$/);
      expect((await call(stack, 'POST', `/v1/batches/${id}/retry-unverified`, { key: KEYS.requester, body: {} })).status).toBe(200);
      let ready = awaiting;
      const deadline = Date.now() + 30_000;
      while (Date.now() < deadline && ready.counts.READY !== 2) {
        await new Promise((resolve) => setTimeout(resolve, 300));
        ready = (await call<Batch>(stack, 'GET', `/v1/batches/${id}`)).body;
      }
      expect(ready.counts).toMatchObject({ READY: 2, UNVERIFIED: 0 });
      expect((await approveAsIs(id, ready)).status).toBe(200);
      expect((await waitForBatch(id, ['COMPLETED'])).counts.SUCCEEDED).toBe(2);
    } finally {
      await faspayFaults(null);
    }
  }, 120_000);

  test('a cancel while paying stops the rows not yet submitted; the submitted ones finish and the batch ends COMPLETED', async () => {
    const id = uniqueReference('midway');
    const pending = [1, 2].map((i) => dana(`${id}-p${i}`, `08123456${i}3333`));
    const held = bank(`${id}-held`, '7654300000');
    expect((await call(stack, 'POST', '/v1/batches', { body: { reference: id, items: [...pending, held] } })).status).toBe(201);
    const awaiting = await waitForBatch(id, ['AWAITING_APPROVAL']);
    // Faspay's status answers time out: the held row cannot confirm its reference is new, so it is not submitted.
    await faspayFaults({ operation: 'status', mode: 'timeout', count: 1000 });
    try {
      expect((await approveAsIs(id, awaiting)).status).toBe(200);
      await payoutsOf(pending.map((row) => row.reference), (payouts) => payouts.every((p) => p.transfer?.submittedAt !== undefined));
      const cancelling = await call<Batch>(stack, 'POST', `/v1/batches/${id}/cancel`, { key: KEYS.requester, body: { reason: 'wrong file' } });
      expect(cancelling.status).toBe(200);
      expect(cancelling.body).toMatchObject({ status: 'PROCESSING', cancellation: { by: 'requester@local', reason: 'wrong file' } });
      await payoutsOf([held.reference], ([payout]) => payout!.status === 'CANCELLED');
    } finally {
      await faspayFaults(null);
    }
    for (const row of pending) {
      await fetch(`${stack.simulator.url}/__sim/transactions/${row.reference}/settle`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"status":"00"}' });
    }
    const done = await waitForBatch(id, ['COMPLETED']);
    expect(done.counts).toMatchObject({ SUCCEEDED: 2, CANCELLED: 1 });
    const mine = (await ledgers()).filter((entry) => entry.reference.startsWith(`${id}-`)).map((entry) => entry.reference).sort();
    expect(mine).toEqual(pending.map((row) => row.reference).sort());
  }, 120_000);

  test('nobody decides before the deadline: the batch and its rows expire, nothing moves', async () => {
    const id = uniqueReference('expiry');
    const items = [dana(`${id}-1`, '081234520000'), bank(`${id}-2`, '5432200000')];
    expect((await call(stack, 'POST', '/v1/batches', { body: { reference: id, approvalTimeout: 'PT4S', items } })).status).toBe(201);
    const expired = await waitForBatch(id, ['EXPIRED'], 30_000);
    expect(expired.approval).toMatchObject({ decision: 'EXPIRED' });
    await payoutsOf(items.map((item) => item.reference), (payouts) => payouts.every((p) => p.status === 'EXPIRED'));
    await stack.client.workflow.getHandle(`batch-${id}`).result();
    expect((await call<Batch>(stack, 'GET', `/v1/batches/${id}`)).body.counts).toMatchObject({ EXPIRED: 2, READY: 0 });
    const late = await call(stack, 'POST', `/v1/batches/${id}/approve`, { key: KEYS.approver, body: { expectedTotal: { value: '40000.00', currency: 'IDR' }, expectedCount: 2 } });
    expect(late.status).toBe(409);
    expect((await ledgers()).filter((entry) => entry.reference.startsWith(`${id}-`))).toEqual([]);
  }, 60_000);

  test('before the first transfer the balance is checked for the whole batch: short, nothing is sent and the batch ends CANCELLED', async () => {
    // Faspay has a balance call (Singapay has none: there, each trigger meets the provider's own check).
    const id = uniqueReference('short');
    const sim = (path: string, body?: unknown) =>
      fetch(`${stack.faspaySimulator.url}${path}`, body === undefined ? {} : { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    const balance = (await (await sim('/__sim/balance')).json()) as { value: string };
    const items = [bank(`${id}-1`, '5432400000', '30000.00'), bank(`${id}-2`, '5432500000', '30000.00')];
    expect((await call(stack, 'POST', '/v1/batches', { body: { reference: id, items } })).status).toBe(201);
    const awaiting = await waitForBatch(id, ['AWAITING_APPROVAL']);
    // Enough for one row, not for the batch (60000.00 plus fees).
    await sim('/__sim/balance', { value: '45000.00' });
    try {
      expect((await approveAsIs(id, awaiting)).status).toBe(200);
      const cancelled = await waitForBatch(id, ['CANCELLED'], 60_000);
      expect(cancelled.cancellation).toMatchObject({ by: 'system', reason: expect.stringContaining('balance') });
      await payoutsOf(items.map((item) => item.reference), (payouts) => payouts.every((p) => p.status === 'CANCELLED'));
      expect((await ledgers()).filter((entry) => entry.reference.startsWith(`${id}-`))).toEqual([]);
    } finally {
      await sim('/__sim/balance', { value: balance.value });
    }
  }, 90_000);

  test('a batch with scheduledAt, approved, waits SCHEDULED and pays nothing before its time', async () => {
    const id = uniqueReference('scheduled');
    const items = [dana(`${id}-1`, '081234560000'), bank(`${id}-2`, '5432600000')];
    // Far enough ahead that the approval comes first, also on a loaded machine.
    const at = new Date(Date.now() + 30_000);
    const scheduledAt = at.toISOString().replace('Z', '+00:00');
    expect((await call(stack, 'POST', '/v1/batches', { body: { reference: id, scheduledAt, items } })).status).toBe(201);
    const approved = await approveAsIs(id, await waitForBatch(id, ['AWAITING_APPROVAL']));
    expect(approved.status).toBe(200);
    expect(approved.body.status).toBe('SCHEDULED');
    expect((await ledgers()).filter((entry) => entry.reference.startsWith(`${id}-`))).toEqual([]);
    const done = await waitForBatch(id, ['COMPLETED'], 60_000);
    expect(done.counts.SUCCEEDED).toBe(2);
    const processing = done.timeline.find((entry) => entry.status === 'PROCESSING')!;
    expect(Date.parse(processing.at)).toBeGreaterThanOrEqual(at.getTime());
  }, 90_000);

  test('batch.<status> events reach a webhook endpoint that subscribes to them, in order', async () => {
    const receiver = await testReceiver();
    try {
      const endpoint = await call<{ id: string; secret: string }>(stack, 'POST', '/v1/webhook-endpoints', {
        key: KEYS.admin,
        body: { url: receiver.url, events: ['batch.validating', 'batch.awaiting_approval', 'batch.processing', 'batch.completed'] },
      });
      expect(endpoint.status).toBe(201);
      receiver.useSecrets([endpoint.body.secret]);
      const id = uniqueReference('events');
      expect((await call(stack, 'POST', '/v1/batches', { body: { reference: id, items: [dana(`${id}-1`, '081234530000')] } })).status).toBe(201);
      expect((await approveAsIs(id, await waitForBatch(id, ['AWAITING_APPROVAL']))).status).toBe(200);
      await waitForBatch(id, ['COMPLETED']);
      await waitForDeliveries(receiver, (all) => batchEventsOf(all, id).length >= 4);
      const events = batchEventsOf(receiver.deliveries, id);
      expect(events.map((event) => [event.id, event.type, event.data.batch.status])).toEqual([
        [`evt_batch:${id}.1`, 'batch.validating', 'VALIDATING'],
        [`evt_batch:${id}.2`, 'batch.awaiting_approval', 'AWAITING_APPROVAL'],
        [`evt_batch:${id}.3`, 'batch.processing', 'PROCESSING'],
        [`evt_batch:${id}.4`, 'batch.completed', 'COMPLETED'],
      ]);
      expect(receiver.rejectedByReference).toEqual([]);
      expect((await call(stack, 'DELETE', `/v1/webhook-endpoints/${endpoint.body.id}`, { key: KEYS.admin })).status).toBe(204);
    } finally {
      await receiver.stop();
    }
  }, 90_000);
});

describe('a batch larger than one run', () => {
  let small: TestStack;
  beforeAll(async () => {
    // A run of the batch takes 50 messages (child starts, signals, reports) instead of 1,000.
    small = await startStack({ policy: { batchMessagesPerRun: 50 } });
  });
  afterAll(async () => {
    await small?.stop();
  });

  test('240 rows continue as new several times, keep every row, and pay each once', async () => {
    const id = uniqueReference('runs');
    const items = Array.from({ length: 240 }, (_, i) => ({
      reference: `${id}-${i}`,
      destination: i % 2 === 0 ? { type: 'EWALLET', ewallet: 'DANA', customerNumber: `0813${String(i).padStart(7, '0')}0000` } : { type: 'BANK_ACCOUNT', bankCode: '014', accountNumber: `77${String(i).padStart(6, '0')}0000` },
      amount: { value: `${10_000 + i}.00`, currency: 'IDR' },
    }));
    const created = await call<Batch>(small, 'POST', '/v1/batches', { body: { reference: id, items } });
    expect(created.status).toBe(201);
    let batch = created.body;
    const deadline = Date.now() + 120_000;
    while (batch.status !== 'AWAITING_APPROVAL' && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 500));
      batch = (await call<Batch>(small, 'GET', `/v1/batches/${id}`)).body;
    }
    expect(batch).toMatchObject({ status: 'AWAITING_APPROVAL', receivedCount: 240, counts: expect.objectContaining({ READY: 240 }) });
    expect(batch.ready.total.value).toBe(`${items.reduce((sum, _item, i) => sum + 10_000 + i, 0)}.00`);
    const approved = await call<Batch>(small, 'POST', `/v1/batches/${id}/approve`, { key: KEYS.approver, body: { expectedTotal: batch.ready.total, expectedCount: 240 } });
    expect(approved.status).toBe(200);
    while (batch.status !== 'COMPLETED' && Date.now() < deadline + 120_000) {
      await new Promise((resolve) => setTimeout(resolve, 500));
      batch = (await call<Batch>(small, 'GET', `/v1/batches/${id}`)).body;
    }
    expect(batch.counts.SUCCEEDED).toBe(240);
    // 240 starts + 480 reports + 240 approvals, at least 50 per run (reports arrive in bunches, so
    // a run often takes more before it hands over): several runs, each with a short history.
    const runs = await small.client.workflowService.listWorkflowExecutions({ namespace: 'default', query: `WorkflowId = 'batch-${id}'` });
    expect(runs.executions!.length).toBeGreaterThanOrEqual(4);
    for (const run of runs.executions!) expect(Number(run.historyLength)).toBeLessThan(2_000);
    const read = async (url: string) => (await (await fetch(`${url}/__sim/transactions`)).json()) as { reference: string }[];
    const moved = [...(await read(small.simulator.url)), ...(await read(small.faspaySimulator.url))].filter((t) => t.reference.startsWith(`${id}-`));
    expect(moved).toHaveLength(240);
    expect(new Set(moved.map((t) => t.reference)).size).toBe(240);
    const page = await call<{ items: { row: number }[]; nextCursor: string | null }>(small, 'GET', `/v1/batches/${id}/items?limit=200`);
    expect(page.body.items.map((item) => item.row)).toEqual(Array.from({ length: 200 }, (_, i) => i + 1));
    const rest = await call<{ items: { row: number }[]; nextCursor: string | null }>(small, 'GET', `/v1/batches/${id}/items?limit=200&cursor=${page.body.nextCursor}`);
    expect(rest.body.items).toHaveLength(40);
    expect(rest.body.nextCursor).toBeNull();
  }, 300_000);
});

describe('a batch decision nobody confirms', () => {
  test('with no worker, approving answers 503 decision-outcome-unknown with Retry-After, within its timeout', async () => {
    const local = await startStack({ decisionTimeoutMs: 1_500 });
    try {
      const id = uniqueReference('noworker-batch');
      const items = [{ reference: `${id}-1`, destination: { type: 'EWALLET', ewallet: 'DANA', customerNumber: '081234560000' }, amount: { value: '10000.00', currency: 'IDR' } }];
      expect((await call(local, 'POST', '/v1/batches', { body: { reference: id, items } })).status).toBe(201);
      let batch: Batch | undefined;
      for (const deadline = Date.now() + 60_000; Date.now() < deadline && batch?.status !== 'AWAITING_APPROVAL'; ) {
        batch = (await call<Batch>(local, 'GET', `/v1/batches/${id}`)).body;
        await new Promise((resolve) => setTimeout(resolve, 300));
      }
      local.worker.shutdown();
      await new Promise((resolve) => setTimeout(resolve, 1_500));
      const started = Date.now();
      const pending = await call<{ type: string; detail: string }>(local, 'POST', `/v1/batches/${id}/approve`, {
        key: KEYS.approver,
        body: { expectedTotal: { value: '10000.00', currency: 'IDR' }, expectedCount: 1 },
        headers: { 'idempotency-key': 'batch-retry-me' },
      });
      expect(pending.status).toBe(503);
      expect(pending.body.type).toMatch(/decision-outcome-unknown$/);
      expect(pending.body.detail).toContain(`/v1/batches/${id}`);
      expect(pending.headers.get('retry-after')).toMatch(/^\d+$/);
      expect(Date.now() - started).toBeLessThan(5_000);
      // The update the API stopped waiting for may still sit in the client's retry backoff; let it
      // end before the connection closes (a retry on a closed channel throws outside any test).
      await new Promise((resolve) => setTimeout(resolve, 6_000));
    } finally {
      await local.stop();
    }
  }, 120_000);
});
