// `npm run build:workflow-bundle [-- <path>]`: the prebuilt workflow bundle a production worker loads
// through WORKFLOW_BUNDLE_PATH (the Dockerfile runs this). Default path: dist/workflow-bundle.js.
import { resolve } from 'node:path';
import { writeWorkflowBundle } from '../src/temporal/workflow-bundle';

async function main() {
  const path = resolve(process.argv[2] ?? 'dist/workflow-bundle.js');
  const started = Date.now();
  const bytes = await writeWorkflowBundle(path);
  console.log(`workflow bundle: ${path} (${Math.round(bytes / 1024)} KiB, built in ${((Date.now() - started) / 1000).toFixed(1)} s)`);
  console.log(`run the worker with WORKFLOW_BUNDLE_PATH=${path}`);
}

main().catch((err) => {
  console.error(`could not build the workflow bundle: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
