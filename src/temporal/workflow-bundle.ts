// The workflow bundle: workflows/ and the SDK's in-sandbox code, packed by webpack into one file that
// the worker loads into its V8 sandbox. Built ahead of time (the Docker image, the test run) it spares
// each worker start the webpack pass; the same function builds it everywhere, so what the tests run
// is what the image ships.
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { bundleWorkflowCode } from '@temporalio/worker';
import { WORKFLOWS_PATH } from './worker';

/** Webpack's chatter stays out of the output; its warnings and errors do not. */
const quietLogger = {
  trace: () => undefined,
  debug: () => undefined,
  info: () => undefined,
  log: () => undefined,
  warn: (message: string) => console.warn(message),
  error: (message: string) => console.error(message),
};

/** Bundles workflows/ and writes the bundle to `path`; returns its size in bytes. */
export async function writeWorkflowBundle(path: string): Promise<number> {
  const { code } = await bundleWorkflowCode({ workflowsPath: WORKFLOWS_PATH, logger: quietLogger });
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, code);
  return Buffer.byteLength(code);
}
