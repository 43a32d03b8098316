// Records the replay tests' histories: real payouts on a throw-away dev server, one per path the
// workflow can take. Run after a deliberate workflow change (see README "Changing the workflow"):
//   npm run record-histories
// The histories hold simulator data only (made-up numbers and names) and no encrypted payloads.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { bundleWorkflowCode } from '@temporalio/worker';
import { payoutWorkflowId } from '../../src/api/payouts';
import { batchWorkflowId, type Batch } from '../../src/domain/batch';
import { resolveTemporalBinary } from '../../src/temporal/cli-binary';
import { startDevServer } from '../../src/temporal/dev-server';
import { WORKFLOWS_PATH } from '../../src/temporal/worker';
import { freePort } from '../support/ports';
import { deliveryWorkflowId, endpointsWorkflowId } from '../../src/domain/webhooks';
import { eventsOf, testReceiver } from '../support/webhooks';
import { REPLAY_CODEC_KEY } from '../support/replay-key';
import { parseApprovalPolicy, type ConfiguredPolicy } from '../../src/approvals/policy-config';
import { deriveScopeKey, spendingWorkflowId } from '../../src/approvals/scope-id';
import { jakartaDay } from '../../src/domain/approval-policy';
import { developmentWebhookSettings } from '../../src/webhooks/settings';
import { call, ewalletPayout, KEYS, startStack, TEST_POLICY, waitForPayout, waitForStatus, type TestStack } from '../support/stack';

const OUT = join(__dirname, 'histories');

let binary = '';

/** Exports a payout's history as the Temporal CLI does (proto JSON), the form replay tests load. */
async function save(stack: TestStack, name: string, reference: string, runId?: string, namespace = 'default') {
  await saveWorkflow(stack, name, payoutWorkflowId(reference), runId, namespace);
}

async function saveWorkflow(stack: TestStack, name: string, workflowId: string, runId?: string, namespace = 'default') {
  const args = ['workflow', 'show', '--address', stack.address, '--namespace', namespace, '--workflow-id', workflowId, '--output', 'json'];
  if (runId) args.push('--run-id', runId);
  const out = spawnSync(binary, args, { encoding: 'utf8', maxBuffer: 64 << 20 });
  if (out.status !== 0) throw new Error(`temporal workflow show failed: ${out.stderr}`);
  const history = JSON.parse(out.stdout) as { events: unknown[] };
  writeFileSync(join(OUT, `${name}.json`), `${JSON.stringify(history, null, 1)}\n`);
  console.log(`recorded ${name} (${history.events.length} events)`);
}

async function created(stack: TestStack, reference: string, number: string, extra: Record<string, unknown> = {}) {
  await call(stack, 'POST', '/v1/payouts', { body: ewalletPayout(reference, number, '10000.00', extra) });
  await waitForStatus(stack, reference, 'AWAITING_APPROVAL');
}

async function waitForBatchStatus(stack: TestStack, reference: string, status: string): Promise<Batch> {
  for (;;) {
    const batch = (await call<Batch>(stack, 'GET', `/v1/batches/${reference}`)).body;
    if (batch.status === status) return batch;
    await new Promise((r) => setTimeout(r, 200));
  }
}

const settle = (stack: TestStack, reference: string) =>
  fetch(`${stack.simulator.url}/__sim/transactions/${reference}/settle`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"status":"00"}' });

async function main() {
  binary = await resolveTemporalBinary();
  const server = await startDevServer({ binary, port: await freePort(), extraNamespaces: ['encrypted'] });
  const { code } = await bundleWorkflowCode({ workflowsPath: WORKFLOWS_PATH });
  const bundle = join(mkdtempSync(join(tmpdir(), 'record-')), 'bundle.js');
  writeFileSync(bundle, code);
  process.env.TEST_TEMPORAL_ADDRESS = server.address;
  process.env.TEST_WORKFLOW_BUNDLE = bundle;
  // `-- --approvals-only`: only the approval policies' histories (the others stay as recorded);
  // `-- --reconciliation-only`: only the reconciliation's.
  // `-- --batch-release-only`: only the batch whose cancel could not reach an ended row.
  const only = process.argv.find((a) => ['--approvals-only', '--reconciliation-only', '--batch-release-only'].includes(a));
  if (!only) await recordAll();
  if (!only || only === '--approvals-only') await recordApprovals();
  if (!only || only === '--reconciliation-only') await recordReconciliation();
  if (!only || only === '--batch-release-only') await recordBatchReleaseOnlyUnpaid();
  await server.stop();
}

/**
 * A batch under a daily limit, approved, then cancelled after an operator terminated one of its
 * submitted rows: the cancel cannot reach that row, and its share stays reserved (the patch
 * batch-release-only-unpaid-rows waits for the row's last report, which never comes).
 */
async function recordBatchReleaseOnlyUnpaid() {
  const approvals = parseApprovalPolicy(JSON.stringify({ tiers: [{ minAmount: '0.00', approvals: 1 }], limits: { perRequesterPerDay: '1000000.00' } })) as ConfiguredPolicy;
  const stack = await startStack({ approvals });
  try {
    const row = (i: number) => ({ reference: `REPLAY-GONE-BATCH-${i}`, destination: { type: 'EWALLET', ewallet: 'DANA', customerNumber: `0812000${i}3333` }, amount: { value: '20000.00', currency: 'IDR' } });
    await call(stack, 'POST', '/v1/batches', { body: { reference: 'REPLAY-GONE-BATCH', items: [row(1), row(2)] } });
    await waitForBatchStatus(stack, 'REPLAY-GONE-BATCH', 'AWAITING_APPROVAL');
    await call(stack, 'POST', '/v1/batches/REPLAY-GONE-BATCH/approve', { key: KEYS.approver, body: { expectedTotal: { value: '40000.00', currency: 'IDR' }, expectedCount: 2 } });
    for (;;) {
      const sent = (await (await fetch(`${stack.simulator.url}/__sim/transactions`)).json()) as { reference: string }[];
      if (sent.filter((t) => t.reference.startsWith('REPLAY-GONE-BATCH-')).length === 2) break;
      await new Promise((r) => setTimeout(r, 200));
    }
    await stack.client.workflow.getHandle(payoutWorkflowId('REPLAY-GONE-BATCH-1')).terminate('operator: stuck row');
    await call(stack, 'POST', '/v1/batches/REPLAY-GONE-BATCH/cancel', { key: KEYS.admin, body: { reason: 'stop what is left' } });
    await new Promise((r) => setTimeout(r, 12_000));
    await settle(stack, 'REPLAY-GONE-BATCH-2');
    await stack.client.workflow.getHandle(payoutWorkflowId('REPLAY-GONE-BATCH-2')).signal('checkStatusNow');
    await waitForStatus(stack, 'REPLAY-GONE-BATCH-2', 'SUCCEEDED');
    // The batch waits for the ended row's report for good (it never comes): its history so far.
    await new Promise((r) => setTimeout(r, 2_000));
    await saveWorkflow(stack, 'batch-cancel-row-gone', batchWorkflowId('REPLAY-GONE-BATCH'));
  } finally {
    await stack.stop();
  }
}

/**
 * A reconciliation run that finds a break on a closed payout (a reversal at Singapay) and one on an
 * open payout (its transfer never reached Faspay), which it tells: that payout's history, with the
 * reconciliationBreak signal, and the run's.
 */
async function recordReconciliation() {
  const stack = await startStack();
  try {
    const approve = async (reference: string, body: Record<string, unknown>, until: 'SUCCEEDED' | 'PROCESSING') => {
      await call(stack, 'POST', '/v1/payouts', { body });
      await waitForStatus(stack, reference, 'AWAITING_APPROVAL');
      await call(stack, 'POST', `/v1/payouts/${reference}/approve`, { key: KEYS.approver, body: {} });
      await waitForStatus(stack, reference, until, 30_000);
    };
    const post = (url: string, path: string, body: unknown, method = 'POST') =>
      fetch(`${url}${path}`, { method, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    await approve('REPLAY-RECON-REVERSED', ewalletPayout('REPLAY-RECON-REVERSED', '081200000000'), 'SUCCEEDED');
    await post(stack.simulator.url, '/__sim/transactions/REPLAY-RECON-REVERSED', { status: '06' }, 'PATCH');
    await post(stack.faspaySimulator.url, '/__sim/faults', { operation: 'trigger', mode: 'timeout', count: 1_000 });
    const bank = { type: 'BANK_ACCOUNT', bankCode: '014', accountNumber: '1234560000' };
    await approve('REPLAY-RECON-OPEN', { reference: 'REPLAY-RECON-OPEN', destination: bank, amount: { value: '50000.00', currency: 'IDR' } }, 'PROCESSING');
    await new Promise((r) => setTimeout(r, 1_500));
    const handle = await stack.client.workflow.start('reconciliationWorkflow', {
      taskQueue: stack.taskQueue,
      workflowId: 'reconciliation-replay',
      args: [{ date: jakartaDay(Date.now()), trigger: 'api', tuning: { missingAfterMs: 1_000 } }],
    });
    await handle.result();
    await waitForStatus(stack, 'REPLAY-RECON-OPEN', 'NEEDS_ATTENTION');
    await fetch(`${stack.faspaySimulator.url}/__sim/faults`, { method: 'DELETE' });
    await waitForStatus(stack, 'REPLAY-RECON-OPEN', 'SUCCEEDED', 60_000);
    await saveWorkflow(stack, 'reconciliation-run', 'reconciliation-replay');
    await save(stack, 'reconciliation-break-payout', 'REPLAY-RECON-OPEN');
  } finally {
    await stack.stop();
  }
}

async function recordAll() {
  const stack = await startStack();
  // A small history limit, so that a long pending continues as new within the recording.
  const long = await startStack({ policy: { maxHistoryEvents: 60 } });
  const slow = await startStack({ policy: { statusPollInitialMs: 60_000, statusPollMaxMs: 60_000 } });
  const encrypted = await startStack({ codecKeys: [REPLAY_CODEC_KEY], namespace: 'encrypted' });
  // Every payout below also publishes its webhook events, to this endpoint.
  const receiver = await testReceiver();
  try {
    const endpoint = await call<{ id: string; secret: string }>(stack, 'POST', '/v1/webhook-endpoints', { key: KEYS.admin, body: { url: receiver.url } });
    if (endpoint.status !== 201) throw new Error(`the endpoint was not created: ${JSON.stringify(endpoint.body)}`);
    receiver.useSecrets([endpoint.body.secret]);
    // The first deliveries are refused, so the delivery history holds retries too.
    receiver.answerWith(503);
    await created(stack, 'REPLAY-HAPPY', '081200000000');
    await new Promise((r) => setTimeout(r, 1_000));
    receiver.answerWith(undefined);
    await call(stack, 'POST', '/v1/payouts/REPLAY-HAPPY/approve', { key: KEYS.approver, body: { comment: 'ok' } });
    await waitForStatus(stack, 'REPLAY-HAPPY', 'SUCCEEDED');
    await save(stack, 'happy-path', 'REPLAY-HAPPY');
    while (eventsOf(receiver.deliveries, 'REPLAY-HAPPY').length < 4) await new Promise((r) => setTimeout(r, 200));
    await saveWorkflow(stack, 'webhook-delivery', deliveryWorkflowId(endpoint.body.id, 'REPLAY-HAPPY'));
    await call(stack, 'POST', `/v1/webhook-endpoints/${endpoint.body.id}/rotate-secret`, { key: KEYS.admin });
    const spare = await call<{ id: string }>(stack, 'POST', '/v1/webhook-endpoints', { key: KEYS.admin, body: { url: receiver.url, events: ['payout.succeeded'] } });
    await call(stack, 'DELETE', `/v1/webhook-endpoints/${spare.body.id}`, { key: KEYS.admin });
    await saveWorkflow(stack, 'webhook-endpoints', endpointsWorkflowId(stack.taskQueue));

    await created(stack, 'REPLAY-REJECT', '081200000000');
    await call(stack, 'POST', '/v1/payouts/REPLAY-REJECT/reject', { key: KEYS.approver, body: { reason: 'duplicate invoice' } });
    await waitForStatus(stack, 'REPLAY-REJECT', 'REJECTED');
    await save(stack, 'rejection', 'REPLAY-REJECT');

    await created(stack, 'REPLAY-EXPIRE', '081200000000', { approvalTimeout: 'PT2S' });
    await waitForStatus(stack, 'REPLAY-EXPIRE', 'EXPIRED', 15_000);
    await save(stack, 'expiry', 'REPLAY-EXPIRE');

    await created(long, 'REPLAY-LONG', '081200003333');
    const handle = long.client.workflow.getHandle(payoutWorkflowId('REPLAY-LONG'));
    const firstRun = (await handle.describe()).runId;
    await call(long, 'POST', '/v1/payouts/REPLAY-LONG/approve', { key: KEYS.approver, body: {} });
    while ((await handle.describe()).runId === firstRun) await new Promise((r) => setTimeout(r, 500));
    await waitForPayout(long, 'REPLAY-LONG', (p) => (p.transfer?.statusChecks ?? 0) >= 6, 30_000);
    await settle(long, 'REPLAY-LONG');
    await waitForStatus(long, 'REPLAY-LONG', 'SUCCEEDED', 30_000);
    await save(long, 'long-pending-first-run', 'REPLAY-LONG', firstRun);
    await save(long, 'long-pending-continued', 'REPLAY-LONG');

    await created(slow, 'REPLAY-CALLBACK', '081200003333');
    await call(slow, 'POST', '/v1/payouts/REPLAY-CALLBACK/approve', { key: KEYS.approver, body: {} });
    await waitForPayout(slow, 'REPLAY-CALLBACK', (p) => p.transfer?.providerReference !== undefined);
    await settle(slow, 'REPLAY-CALLBACK');
    await waitForStatus(slow, 'REPLAY-CALLBACK', 'SUCCEEDED', 20_000);
    await save(slow, 'callback', 'REPLAY-CALLBACK');

    // Approved, then cancelled while the balance inquiry before the trigger stalls: nothing is sent.
    const fault = (body: Record<string, unknown>) =>
      fetch(`${stack.faspaySimulator.url}/__sim/faults`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    await call(stack, 'POST', '/v1/payouts', {
      body: { reference: 'REPLAY-CANCEL', destination: { type: 'BANK_ACCOUNT', bankCode: '014', accountNumber: '1234560000' }, amount: { value: '50000.00', currency: 'IDR' } },
    });
    await waitForStatus(stack, 'REPLAY-CANCEL', 'AWAITING_APPROVAL');
    await fault({ operation: 'inquiry', mode: 'latency', latencyMs: 800, count: 1 });
    await call(stack, 'POST', '/v1/payouts/REPLAY-CANCEL/approve', { key: KEYS.approver, body: {} });
    await new Promise((r) => setTimeout(r, 300));
    await call(stack, 'POST', '/v1/payouts/REPLAY-CANCEL/cancel', { body: { reason: 'wrong amount' } });
    await waitForStatus(stack, 'REPLAY-CANCEL', 'CANCELLED');
    await save(stack, 'cancel-while-processing', 'REPLAY-CANCEL');

    // A trigger whose answer was lost, a lagging status, and a refusal of the re-send: not believed;
    // the provider then shows the transfer and it succeeds.
    const singapayFault = (body: Record<string, unknown>) =>
      fetch(`${stack.simulator.url}/__sim/faults`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    await created(stack, 'REPLAY-REFUSAL', '081200001111');
    await singapayFault({ operation: 'trigger', mode: 'accept-then-timeout', count: 1 });
    await singapayFault({ operation: 'trigger', mode: 'refuse-duplicate', count: 1 });
    await call(stack, 'POST', '/v1/payouts/REPLAY-REFUSAL/approve', { key: KEYS.approver, body: {} });
    await waitForStatus(stack, 'REPLAY-REFUSAL', 'SUCCEEDED', 30_000);
    await save(stack, 'refusal-after-lost-attempt', 'REPLAY-REFUSAL');

    // The provider already knows the reference (a payout Temporal no longer remembers): nothing is
    // sent, the payout needs attention, and an admin resolves it.
    const known = await stack.client.workflow.start('payoutWorkflow', {
      taskQueue: stack.taskQueue,
      workflowId: payoutWorkflowId('REPLAY-KNOWN'),
      args: [
        {
          request: {
            reference: 'REPLAY-HAPPY',
            destination: { type: 'EWALLET', ewallet: 'DANA', customerNumber: '081200000000' },
            amount: 10_000,
            provider: 'singapay',
            requestedBy: 'requester@local',
            createdAt: new Date().toISOString(),
            approvalTimeoutMs: 60_000,
          },
          policy: TEST_POLICY,
        },
      ],
    });
    await waitForStatus(stack, 'REPLAY-KNOWN', 'AWAITING_APPROVAL');
    await call(stack, 'POST', '/v1/payouts/REPLAY-KNOWN/approve', { key: KEYS.approver, body: {} });
    await waitForStatus(stack, 'REPLAY-KNOWN', 'NEEDS_ATTENTION');
    await call(stack, 'POST', '/v1/payouts/REPLAY-KNOWN/resolve', { key: KEYS.admin, body: { outcome: 'FAILED', reason: 'paid by REPLAY-HAPPY' } });
    await known.result();
    await save(stack, 'known-reference-resolved', 'REPLAY-KNOWN');

    await created(encrypted, 'REPLAY-ENCRYPTED', '081200000000');
    await call(encrypted, 'POST', '/v1/payouts/REPLAY-ENCRYPTED/approve', { key: KEYS.approver, body: {} });
    await waitForStatus(encrypted, 'REPLAY-ENCRYPTED', 'SUCCEEDED');
    await save(encrypted, 'happy-path-encrypted', 'REPLAY-ENCRYPTED', undefined, 'encrypted');

    // A batch of three rows on both providers, approved with one row excluded: the batch workflow,
    // a row paid with its batch, and the excluded row (cancelled by its batch).
    const row = (i: number, destination: Record<string, string>) => ({ reference: `REPLAY-BATCH-${i}`, destination, amount: { value: '10000.00', currency: 'IDR' } });
    await call(stack, 'POST', '/v1/batches', {
      body: {
        reference: 'REPLAY-BATCH',
        items: [
          row(1, { type: 'EWALLET', ewallet: 'DANA', customerNumber: '081200000000' }),
          row(2, { type: 'BANK_ACCOUNT', bankCode: '014', accountNumber: '1234560000' }),
          row(3, { type: 'EWALLET', ewallet: 'OVO', customerNumber: '081200000000' }),
        ],
      },
    });
    const batchIs = (status: string) => waitForBatchStatus(stack, 'REPLAY-BATCH', status);
    await batchIs('AWAITING_APPROVAL');
    await call(stack, 'POST', '/v1/batches/REPLAY-BATCH/approve', {
      key: KEYS.approver,
      body: { expectedTotal: { value: '20000.00', currency: 'IDR' }, expectedCount: 2, excludeReferences: ['REPLAY-BATCH-3'] },
    });
    await batchIs('COMPLETED');
    await saveWorkflow(stack, 'batch', batchWorkflowId('REPLAY-BATCH'));
    await save(stack, 'batch-row', 'REPLAY-BATCH-1');
    await save(stack, 'batch-row-excluded', 'REPLAY-BATCH-3');
  } finally {
    await receiver.stop();
    await encrypted.stop();
    await long.stop();
    await stack.stop();
    await slow.stop();
  }
}

/**
 * Under an approval policy (two approvers from 50,000.00, an auto-approved requester, daily limits):
 * a payout approved by two people; an auto-approved one; one approved and then failed at the
 * provider (its reservation released); a batch approved by two; and a spending-limit workflow.
 */
async function recordApprovals() {
  const approvals = parseApprovalPolicy(
    JSON.stringify({
      tiers: [
        { minAmount: '0.00', approvals: 1 },
        { minAmount: '50000.00', approvals: 2 },
      ],
      autoApprove: { maxAmount: '20000.00', requesters: ['requester@local'] },
      limits: { perRequesterPerDay: '10000000.00', perDestinationPerDay: '5000000.00' },
    }),
  ) as ConfiguredPolicy;
  const stack = await startStack({ approvals });
  try {
    const approve = async (path: string, key: string, body: unknown = {}) => {
      const answer = await call(stack, 'POST', path, { key, body });
      if (answer.status !== 200) throw new Error(`${path}: ${answer.status} ${JSON.stringify(answer.body)}`);
    };
    await call(stack, 'POST', '/v1/payouts', { body: ewalletPayout('REPLAY-TWO-APPROVERS', '081200000000', '60000.00') });
    await waitForStatus(stack, 'REPLAY-TWO-APPROVERS', 'AWAITING_APPROVAL');
    await approve('/v1/payouts/REPLAY-TWO-APPROVERS/approve', KEYS.approver, { comment: 'first' });
    await approve('/v1/payouts/REPLAY-TWO-APPROVERS/approve', KEYS.admin, { comment: 'second' });
    await waitForStatus(stack, 'REPLAY-TWO-APPROVERS', 'SUCCEEDED');
    await save(stack, 'approval-two-approvers', 'REPLAY-TWO-APPROVERS');

    await call(stack, 'POST', '/v1/payouts', { body: ewalletPayout('REPLAY-AUTO', '081200000000', '10000.00') });
    await waitForStatus(stack, 'REPLAY-AUTO', 'SUCCEEDED');
    await save(stack, 'approval-auto', 'REPLAY-AUTO');

    await call(stack, 'POST', '/v1/payouts', { body: ewalletPayout('REPLAY-RELEASED', '081200002222', '30000.00') });
    await waitForStatus(stack, 'REPLAY-RELEASED', 'AWAITING_APPROVAL');
    await approve('/v1/payouts/REPLAY-RELEASED/approve', KEYS.approver);
    await waitForStatus(stack, 'REPLAY-RELEASED', 'FAILED');
    await save(stack, 'approval-limit-released', 'REPLAY-RELEASED');

    const row = (i: number) => ({ reference: `REPLAY-POLICY-BATCH-${i}`, destination: { type: 'EWALLET', ewallet: 'DANA', customerNumber: `0812000${i}0000` }, amount: { value: '30000.00', currency: 'IDR' } });
    await call(stack, 'POST', '/v1/batches', { body: { reference: 'REPLAY-POLICY-BATCH', items: [row(1), row(2)] } });
    const batchIs = (status: string) => waitForBatchStatus(stack, 'REPLAY-POLICY-BATCH', status);
    await batchIs('AWAITING_APPROVAL');
    const figures = { expectedTotal: { value: '60000.00', currency: 'IDR' }, expectedCount: 2 };
    await approve('/v1/batches/REPLAY-POLICY-BATCH/approve', KEYS.approver, figures);
    await approve('/v1/batches/REPLAY-POLICY-BATCH/approve', KEYS.admin, figures);
    await batchIs('COMPLETED');
    await saveWorkflow(stack, 'batch-two-approvers', batchWorkflowId('REPLAY-POLICY-BATCH'));
    await save(stack, 'batch-two-approvers-row', 'REPLAY-POLICY-BATCH-1');

    const scopeKey = deriveScopeKey(developmentWebhookSettings().masterKey);
    await saveWorkflow(stack, 'spending-limit', spendingWorkflowId(scopeKey, stack.taskQueue, 'requester', 'requester@local', jakartaDay(Date.now())));
  } finally {
    await stack.stop();
  }
}

main().then(
  () => process.exit(0),
  (err) => {
    console.error(err);
    process.exit(1);
  },
);
