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
    // v1-*: recorded before the local-provider-reads patch; payouts like them may still be running.
    expect(files).toEqual([...paths.map((p) => `${p}.json`), ...paths.map((p) => `v1-${p}.json`)]);
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

  test('the encrypted history is unreadable without the key', () => {
    const text = readFileSync(join(DIR, 'happy-path-encrypted.json'), 'utf8');
    expect(text).toContain('TemporalChangeVersion'); // recorded after the local-provider-reads patch
    expect(text).not.toContain('081200000000');
    expect(text).toContain(Buffer.from('binary/encrypted').toString('base64'));
  });
});
