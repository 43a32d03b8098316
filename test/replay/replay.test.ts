// Safe change: every committed history (a real payout recorded by `npm run record-histories`) is
// replayed through the current workflow code on every test run. A change that would make running
// payouts take a different path fails here (a determinism error), before it reaches a worker.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Worker } from '@temporalio/worker';
import { dataConverterFor } from '../../src/temporal/codec';
import { REPLAY_CODEC_KEY } from '../support/replay-key';

const DIR = join(__dirname, 'histories');
const files = readdirSync(DIR).filter((f) => f.endsWith('.json')).sort();

describe('replaying committed histories through the current workflow code', () => {
  test('the recorded paths are all there', () => {
    const paths = ['callback', 'expiry', 'happy-path-encrypted', 'happy-path', 'long-pending-continued', 'long-pending-first-run', 'rejection'];
    // Paths that exist since the money-safety-v2 patch.
    const newPaths = ['cancel-while-processing', 'known-reference-resolved', 'refusal-after-lost-attempt'];
    // v1-*: recorded before the local-provider-reads patch; v2-*: with it, before money-safety-v2;
    // v3-*: with money-safety-v2, before webhook-events. Payouts like them may still be running, so
    // they must keep replaying. And the two webhook workflows: deliveries (with retries) and endpoints.
    // v4-*: with webhook-events, before provider-task-queues (and the webhook workflows of then).
    // And, since batches: a batch, a row paid with it, and a row its batch excluded.
    const webhooks = ['webhook-delivery', 'webhook-endpoints'];
    const batches = ['batch', 'batch-row', 'batch-row-excluded'];
    // And, since approval policies: two approvers, auto-approval, a reservation released, a batch
    // approved by two and its row, and a spending-limit workflow (recorded with `-- --approvals-only`).
    const approvals = ['approval-two-approvers', 'approval-auto', 'approval-limit-released', 'batch-two-approvers', 'batch-two-approvers-row', 'spending-limit'];
    // And, since reconciliation: a run with a break on a closed and on an open payout, and that open
    // payout's history with the break's signal (recorded with `-- --reconciliation-only`).
    const reconciliation = ['reconciliation-run', 'reconciliation-break-payout'];
    // And a batch whose cancel could not reach a row an operator had ended (`-- --batch-release-only`).
    reconciliation.push('batch-cancel-row-gone');
    const expected = [...paths, ...newPaths, ...webhooks, ...batches, ...approvals, ...reconciliation]
      .map((p) => `${p}.json`)
      .concat(paths.map((p) => `v1-${p}.json`), paths.map((p) => `v2-${p}.json`), [...paths, ...newPaths].map((p) => `v3-${p}.json`))
      .concat([...paths, ...newPaths, ...webhooks].map((p) => `v4-${p}.json`));
    expect(files).toEqual(expected.sort());
  });

  test.each(files)('%s replays without a determinism error', async (file) => {
    const history = JSON.parse(readFileSync(join(DIR, file), 'utf8'));
    // The encrypted history replays through the same payload codec the worker uses.
    const dataConverter = file.includes('encrypted') ? dataConverterFor([REPLAY_CODEC_KEY]) : undefined;
    await Worker.runReplayHistory(
      { workflowBundle: { codePath: process.env.TEST_WORKFLOW_BUNDLE! }, ...(dataConverter && { dataConverter }) },
      history,
      `replay-${file}`,
    );
  });

  test('each generation of histories carries the patch markers of its code', () => {
    // The patches a history was recorded under, from its core_patch markers.
    const patchesOf = (file: string): string[] => {
      type Marker = { markerName?: string; details?: Record<string, { payloads: { data: string }[] }> };
      const history = JSON.parse(readFileSync(join(DIR, file), 'utf8')) as { events: { markerRecordedEventAttributes?: Marker }[] };
      return history.events
        .map((e) => e.markerRecordedEventAttributes)
        .filter((m): m is Marker => m?.markerName === 'core_patch')
        .map((m) => JSON.parse(Buffer.from(m.details!['patch-data']!.payloads[0]!.data, 'base64').toString('utf8')).id as string);
    };
    expect(patchesOf('approval-two-approvers.json')).toEqual(['webhook-events', 'money-safety-v2', 'provider-task-queues', 'approval-limits']);
    expect(patchesOf('reconciliation-break-payout.json')).toContain('reconciliation-breaks');
    expect(patchesOf('batch-cancel-row-gone.json')).toContain('batch-release-only-unpaid-rows');
    expect(patchesOf('happy-path.json')).toEqual(['webhook-events', 'money-safety-v2', 'provider-task-queues']);
    expect(patchesOf('v4-happy-path.json')).toEqual(['webhook-events', 'money-safety-v2']);
    expect(patchesOf('v3-happy-path.json')).toEqual(['money-safety-v2']);
    expect(patchesOf('v2-happy-path.json')).toEqual(['local-provider-reads']);
    expect(patchesOf('v1-happy-path.json')).toEqual([]);
  });

  test('the encrypted history is unreadable without the key', () => {
    const text = readFileSync(join(DIR, 'happy-path-encrypted.json'), 'utf8');
    expect(text).toContain('TemporalChangeVersion'); // recorded with the money-safety-v2 patch marker
    expect(text).not.toContain('081200000000');
    expect(text).toContain(Buffer.from('binary/encrypted').toString('base64'));
  });
});
