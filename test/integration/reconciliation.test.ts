// Daily reconciliation on the real dev server, against the real provider clients and simulators:
// one break of each kind each provider can reveal, made through the simulators' control API, found
// by a run started on demand; the open payout with a break moves to NEEDS_ATTENTION; a clean day
// reports no break and the totals; a day reconciled twice gives the same report; a small page makes
// the per-reference provider continue as new and still count every payout once.
import { randomUUID } from 'node:crypto';
import type { Payout } from '../../src/domain/payout';
import { jakartaDay } from '../../src/domain/approval-policy';
import { reconciliationWorkflowId, type ReconciliationRun, type ReconciliationBreak } from '../../src/domain/reconciliation';
import type { ReconciliationWorkflowInput } from '../../workflows/reconciliation';
import { clearOfJakartaMidnight } from '../support/approvals';
import { call, ewalletPayout, KEYS, ledger, startStack, uniqueReference, waitForPayout, waitForStatus, type TestStack } from '../support/stack';
import { reconciliationBreakSignal, type ReconciliationBreakNotice } from '../../workflows/reconciliation-messages';

jest.setTimeout(240_000);

const json = (body: unknown): RequestInit => ({ method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

async function sim(url: string, path: string, init?: RequestInit) {
  const res = await fetch(`${url}${path}`, init);
  const body = await res.json().catch(() => undefined);
  if (!res.ok) throw new Error(`${init?.method ?? 'GET'} ${path}: ${res.status} ${JSON.stringify(body)}`);
  return body;
}

async function pay(stack: TestStack, body: Record<string, unknown>, final: 'SUCCEEDED' | 'FAILED' | 'PROCESSING' = 'SUCCEEDED'): Promise<string> {
  const reference = body.reference as string;
  expect((await call(stack, 'POST', '/v1/payouts', { body })).status).toBe(201);
  await waitForStatus(stack, reference, 'AWAITING_APPROVAL');
  expect((await call(stack, 'POST', `/v1/payouts/${reference}/approve`, { key: KEYS.approver, body: {} })).status).toBe(200);
  await waitForStatus(stack, reference, final, 60_000);
  return reference;
}

const bankPayout = (reference: string, accountNumber: string, value = '50000.00') => ({
  reference,
  destination: { type: 'BANK_ACCOUNT', bankCode: '014', accountNumber },
  amount: { value, currency: 'IDR' },
  description: 'Supplier settlement',
});

async function reconcile(stack: TestStack, input: Omit<ReconciliationWorkflowInput, 'trigger'>): Promise<ReconciliationRun> {
  const date = input.date!;
  const handle = await stack.client.workflow.start('reconciliationWorkflow', {
    taskQueue: stack.taskQueue,
    workflowId: reconciliationWorkflowId(date, input.provider, randomUUID().slice(0, 8)),
    args: [{ ...input, trigger: 'api' }],
  });
  return (await handle.result()) as ReconciliationRun;
}

const kinds = (breaks: readonly ReconciliationBreak[], provider: string) =>
  breaks.filter((b) => b.provider === provider).map((b) => `${b.kind} ${b.reference ?? '(none)'}`).sort();

describe('a day with one break of each kind', () => {
  let stack: TestStack;
  const today = () => jakartaDay(Date.now());
  beforeAll(async () => {
    await clearOfJakartaMidnight(5 * 60_000);
    stack = await startStack();
  });
  afterAll(async () => {
    await stack?.stop();
  });

  test('each provider reports exactly the breaks made at its simulator; the open payout moves to NEEDS_ATTENTION', async () => {
    const faspay = stack.faspaySimulator.url;
    const singapay = stack.simulator.url;
    // Faspay: a clean payout, then one per break kind.
    const fClean = await pay(stack, bankPayout(uniqueReference('rf-clean'), '1234560000'));
    const fAmount = await pay(stack, bankPayout(uniqueReference('rf-amount'), '1234560000'));
    const fReversed = await pay(stack, bankPayout(uniqueReference('rf-reversed'), '1234560000'));
    const fDuplicate = await pay(stack, bankPayout(uniqueReference('rf-dup'), '1234560000'));
    // Faspay charged a fee we never showed (FASPAY_FEES says 0).
    await sim(faspay, '/__sim/assumptions', json({ 'faspay.fee-source': '1803.00' }));
    const fFee = await pay(stack, bankPayout(uniqueReference('rf-fee'), '1234560000'));
    await sim(faspay, '/__sim/assumptions', json({ 'faspay.fee-source': '{}' }));
    const fGhost = uniqueReference('rf-ghost');
    await sim(faspay, '/__sim/transactions', json({ reference: fGhost, amount: { value: '70000.00', currency: 'IDR' }, destination: '1234560000' }));
    await sim(faspay, `/__sim/transactions/${fAmount}`, { ...json({ amount: { value: '55000.00', currency: 'IDR' } }), method: 'PATCH' });
    await sim(faspay, `/__sim/transactions/${fReversed}`, { ...json({ status: '06' }), method: 'PATCH' });
    await sim(faspay, '/__sim/transactions', json({ reference: fDuplicate, amount: { value: '50000.00', currency: 'IDR' }, destination: '1234560000', duplicate: true }));

    // Singapay: a clean payout, another amount, a reversal.
    const sClean = await pay(stack, ewalletPayout(uniqueReference('rs-clean'), '081234560000'));
    const sAmount = await pay(stack, ewalletPayout(uniqueReference('rs-amount'), '081234560000'));
    const sReversed = await pay(stack, ewalletPayout(uniqueReference('rs-reversed'), '081234560000'));
    await sim(singapay, `/__sim/transactions/${sAmount}`, { ...json({ amount: { value: '12000.00', currency: 'IDR' } }), method: 'PATCH' });
    await sim(singapay, `/__sim/transactions/${sReversed}`, { ...json({ status: '06' }), method: 'PATCH' });

    // Open payouts whose transfers never reach the providers: the trigger times out every time.
    await sim(faspay, '/__sim/faults', json({ operation: 'trigger', mode: 'timeout', count: 1_000 }));
    await sim(singapay, '/__sim/faults', json({ operation: 'trigger', mode: 'timeout', count: 1_000 }));
    const fMissing = await pay(stack, bankPayout(uniqueReference('rf-missing'), '1234560000'), 'PROCESSING');
    const sMissing = await pay(stack, ewalletPayout(uniqueReference('rs-missing'), '081234560000'), 'PROCESSING');
    await new Promise((r) => setTimeout(r, 1_500));

    const run = await reconcile(stack, { date: today(), tuning: { missingAfterMs: 1_000 } });
    expect(run.status).toBe('COMPLETED');
    expect(kinds(run.breaks, 'faspay')).toEqual(
      [
        `UNKNOWN_AT_PROVIDER ${fMissing}`,
        'UNKNOWN_TO_US (none)',
        `AMOUNT_MISMATCH ${fAmount}`,
        `STATUS_MISMATCH ${fReversed}`,
        `DUPLICATE ${fDuplicate}`,
        `FEE_MISMATCH ${fFee}`,
      ].sort(),
    );
    expect(run.breaks.find((b) => b.kind === 'UNKNOWN_TO_US')?.theirs?.[0]).toMatchObject({ source: 'history', entry: { amount: 70_000 } });
    expect(kinds(run.breaks, 'singapay')).toEqual([`UNKNOWN_AT_PROVIDER ${sMissing}`, `AMOUNT_MISMATCH ${sAmount}`, `STATUS_MISMATCH ${sReversed}`].sort());
    // Both sides' records travel with each break.
    for (const b of run.breaks.filter((x) => x.kind !== 'UNKNOWN_TO_US')) expect(b.ours?.reference).toBe(b.reference);
    for (const b of run.breaks.filter((x) => x.kind !== 'UNKNOWN_AT_PROVIDER')) expect(b.theirs?.length).toBeGreaterThan(0);
    // The clean payouts matched; each provider says what it can reveal and its balance at the time.
    const faspayReport = run.providers.find((p) => p.provider === 'faspay')!;
    const singapayReport = run.providers.find((p) => p.provider === 'singapay')!;
    expect(faspayReport.supports).toHaveLength(6);
    expect(singapayReport.supports).toEqual(['UNKNOWN_AT_PROVIDER', 'AMOUNT_MISMATCH', 'STATUS_MISMATCH']);
    expect(faspayReport.matched.count).toBe(1);
    expect(singapayReport.matched.count).toBe(1);
    expect(faspayReport.balance?.available).toEqual(expect.any(Number));
    // Singapay has no balance call (its pages publish none): its report has no balance.
    expect(singapayReport.balance).toBeUndefined();
    expect([fClean, sClean].every((r) => !run.breaks.some((b) => b.reference === r))).toBe(true);

    // The open payouts were told: NEEDS_ATTENTION with the break as the reason.
    expect(run.flagged.sort()).toEqual([fMissing, sMissing].sort());
    for (const reference of [fMissing, sMissing]) {
      const payout = await waitForStatus(stack, reference, 'NEEDS_ATTENTION');
      expect(payout.attention?.reason).toContain('UNKNOWN_AT_PROVIDER');
      expect(payout.reconciliationBreaks).toEqual([expect.objectContaining({ reconciliation: run.id, kind: 'UNKNOWN_AT_PROVIDER' })]);
    }

    // The same day reconciled again: the same breaks and figures (only the flagged payouts' status,
    // which the first run changed, reads NEEDS_ATTENTION now), and the payouts are not told twice.
    const again = await reconcile(stack, { date: today(), tuning: { missingAfterMs: 1_000 } });
    expect(kinds(again.breaks, 'faspay')).toEqual(kinds(run.breaks, 'faspay'));
    expect(kinds(again.breaks, 'singapay')).toEqual(kinds(run.breaks, 'singapay'));
    expect(again.providers.map(({ balance: _b, ...rest }) => rest)).toEqual(run.providers.map(({ balance: _b, ...rest }) => rest));
    for (const reference of [fMissing, sMissing]) {
      const payout = (await call<Payout>(stack, 'GET', `/v1/payouts/${reference}`)).body;
      expect(payout.reconciliationBreaks).toHaveLength(1);
    }

    // The transfers get through after all: the provider's final answer ends the payouts that needed attention.
    await sim(faspay, '/__sim/faults', { method: 'DELETE' });
    await sim(singapay, '/__sim/faults', { method: 'DELETE' });
    await waitForStatus(stack, fMissing, 'SUCCEEDED', 90_000);
    await waitForStatus(stack, sMissing, 'SUCCEEDED', 90_000);
  });
});

describe('a break told to a payout', () => {
  let stack: TestStack;
  beforeAll(async () => {
    stack = await startStack({ policy: { statusPollInitialMs: 60_000, statusPollMaxMs: 60_000 } });
  });
  afterAll(async () => {
    await stack?.stop();
  });
  const tell = (reference: string, kind: ReconciliationBreakNotice['kind'], detail: string) =>
    stack.client.workflow.getHandle(`payout-${reference}`).signal(reconciliationBreakSignal, { reconciliation: 'reconciliation-test', kind, detail });

  test('changes nothing before the transfer; moves PROCESSING to NEEDS_ATTENTION once per kind; never changes a final status', async () => {
    const reference = uniqueReference('rb');
    expect((await call(stack, 'POST', '/v1/payouts', { body: ewalletPayout(reference, '081234563333') })).status).toBe(201);
    await waitForStatus(stack, reference, 'AWAITING_APPROVAL');
    // Not submitted yet: nothing for an operator (a payout with no transfer cannot disagree with a provider).
    await tell(reference, 'UNKNOWN_AT_PROVIDER', 'before the transfer');
    await new Promise((r) => setTimeout(r, 500));
    expect((await call<Payout>(stack, 'GET', `/v1/payouts/${reference}`)).body).toMatchObject({ status: 'AWAITING_APPROVAL' });
    expect((await call(stack, 'POST', `/v1/payouts/${reference}/approve`, { key: KEYS.approver, body: {} })).status).toBe(200);
    // …3333 stays pending at the provider; status is asked only after a minute here.
    await waitForStatus(stack, reference, 'PROCESSING');
    await tell(reference, 'AMOUNT_MISMATCH', 'we sent IDR 10,000; the provider recorded IDR 12,000');
    await tell(reference, 'AMOUNT_MISMATCH', 'the same break, found again by another run');
    await tell(reference, 'STATUS_MISMATCH', 'another kind');
    const attention = await waitForPayout(stack, reference, (p) => (p.reconciliationBreaks?.length ?? 0) === 2);
    expect(attention.status).toBe('NEEDS_ATTENTION');
    expect(attention.attention?.reason).toContain('AMOUNT_MISMATCH');
    expect(attention.reconciliationBreaks!.map((n) => n.kind)).toEqual(['AMOUNT_MISMATCH', 'STATUS_MISMATCH']);
    expect(attention.timeline.filter((e) => e.status === 'NEEDS_ATTENTION')).toHaveLength(1);
    // The provider's final answer still ends it; a break told afterwards changes nothing.
    await fetch(`${stack.simulator.url}/__sim/transactions/${reference}/settle`, json({ status: '00' }));
    await stack.client.workflow.getHandle(`payout-${reference}`).signal('checkStatusNow');
    const succeeded = await waitForStatus(stack, reference, 'SUCCEEDED');
    await tell(reference, 'STATUS_MISMATCH', 'after the end').catch(() => undefined); // the workflow may have closed
    await new Promise((r) => setTimeout(r, 500));
    const after = (await call<Payout>(stack, 'GET', `/v1/payouts/${reference}`)).body;
    expect(after.status).toBe('SUCCEEDED');
    expect(after.timeline).toEqual(succeeded.timeline);
    expect(await ledger(stack, reference)).toHaveLength(1);
  });
});

describe('a clean day', () => {
  let stack: TestStack;
  let clean: ReconciliationRun | undefined;
  beforeAll(async () => {
    await clearOfJakartaMidnight(3 * 60_000);
    stack = await startStack();
  });
  afterAll(async () => {
    await stack?.stop();
  });

  test('no break, and the totals of the payouts that moved money and of those that did not; a small page continues as new', async () => {
    const paid = [
      await pay(stack, ewalletPayout(uniqueReference('rc-a'), '081234560000', '10000.00')),
      await pay(stack, ewalletPayout(uniqueReference('rc-b'), '081234560000', '20000.00')),
      await pay(stack, ewalletPayout(uniqueReference('rc-c'), '081234560000', '30000.00')),
      await pay(stack, ewalletPayout(uniqueReference('rc-d'), '081234561111', '40000.00')),
    ];
    await pay(stack, ewalletPayout(uniqueReference('rc-failed'), '081234562222', '15000.00'), 'FAILED');
    await pay(stack, bankPayout(uniqueReference('rc-bank'), '1234560000', '60000.00'));
    expect(paid).toHaveLength(4);

    const run = await reconcile(stack, { date: jakartaDay(Date.now()), tuning: { pageSize: 2, maxHistoryEvents: 20 } });
    expect(run.breaks).toEqual([]);
    expect(run.breakCounts).toEqual({ UNKNOWN_AT_PROVIDER: 0, UNKNOWN_TO_US: 0, AMOUNT_MISMATCH: 0, STATUS_MISMATCH: 0, DUPLICATE: 0, FEE_MISMATCH: 0 });
    const singapay = run.providers.find((p) => p.provider === 'singapay')!;
    expect(singapay.ours).toEqual({ count: 5, total: 115_000 });
    expect(singapay.matched).toEqual({ count: 5, total: 115_000 });
    expect(singapay.pending).toEqual({ count: 0, total: 0 });
    const faspay = run.providers.find((p) => p.provider === 'faspay')!;
    expect(faspay.ours).toEqual({ count: 1, total: 60_000 });
    expect(faspay.matched).toEqual({ count: 1, total: 60_000 });

    // Pages of two payouts and a short history: the per-reference provider took several runs.
    const runs = [];
    for await (const execution of stack.client.workflow.list({ query: `WorkflowId = '${run.id}'` })) runs.push(execution.status.name);
    expect(runs.filter((s) => s === 'CONTINUED_AS_NEW').length).toBeGreaterThanOrEqual(1);
    clean = run;
  });

  test('a run whose worker is killed midway finishes on another worker with the same report', async () => {
    expect(clean).toBeDefined();
    // Only a worker process runs now (the SDK allows one worker per task queue in this process).
    stack.worker.shutdown();
    while (!['STOPPED', 'FAILED'].includes(stack.worker.getState())) await new Promise((r) => setTimeout(r, 100));
    const first = await stack.addWorkerProcess();
    const date = jakartaDay(Date.now());
    const handle = await stack.client.workflow.start('reconciliationWorkflow', {
      taskQueue: stack.taskQueue,
      workflowId: reconciliationWorkflowId(date, undefined, randomUUID().slice(0, 8)),
      args: [{ date, trigger: 'api', tuning: { pageSize: 1, maxHistoryEvents: 20, callTimeoutMs: 5_000 } } satisfies ReconciliationWorkflowInput],
    });
    // Killed once the run is under way (a few activities done), then another worker takes over.
    const deadline = Date.now() + 30_000;
    while ((await handle.describe()).historyLength < 12 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    first.child.kill('SIGKILL');
    await stack.addWorkerProcess();
    const run = (await handle.result()) as ReconciliationRun;
    expect(run.breaks).toEqual([]);
    expect(run.providers.map(({ balance: _b, ...rest }) => rest)).toEqual(clean!.providers.map(({ balance: _b, ...rest }) => rest));
  });
});
