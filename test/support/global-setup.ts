// Once per `jest` run: a real Temporal dev server (in memory, headless, on a free port) and one
// workflow bundle that every test worker reuses. The binary is found or built as `npm start` does.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { resolveTemporalBinary } from '../../src/temporal/cli-binary';
import { startDevServer } from '../../src/temporal/dev-server';
import { writeWorkflowBundle } from '../../src/temporal/workflow-bundle';
import { freePort } from './ports';

export default async function globalSetup(): Promise<void> {
  const started = Date.now();
  const binary = await resolveTemporalBinary({ log: (line) => console.log(`[temporal] ${line}`) });
  // Payouts encrypted with a key live in namespaces of their own (`encrypted` for the codec test,
  // `e2e` for npm start, which encrypts with a key it makes): no other stack has to read them.
  const server = await startDevServer({ binary, port: await freePort(), extraNamespaces: ['encrypted', 'e2e'] });
  (globalThis as { __temporalDevServer?: unknown }).__temporalDevServer = server;

  const bundlePath = join(mkdtempSync(join(tmpdir(), 'payouts-test-')), 'workflow-bundle.js');
  await writeWorkflowBundle(bundlePath);

  // No test gets a scheduled reconciliation among its payouts: every process a test starts (npm start,
  // prepare-namespace, workers) inherits `off` unless the test sets RECONCILIATION_SCHEDULE itself.
  process.env.RECONCILIATION_SCHEDULE = 'off';
  process.env.TEST_TEMPORAL_ADDRESS = server.address;
  process.env.TEST_WORKFLOW_BUNDLE = bundlePath;
  console.log(`\n[test] Temporal dev server ${server.address} (${binary}); workflows bundled; ready in ${Date.now() - started} ms`);
}
