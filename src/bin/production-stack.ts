// `npm run stack:production`: the topology of docker-compose.yml without Docker (src/production/stack.ts),
// its data under .data/production/, on fixed ports away from `npm start`'s. Prints where everything
// is; Ctrl-C stops everything, the database last.
import { join } from 'node:path';
import { ROOT } from '../production/compose';
import { DEFAULT_PORTS, startProductionStack } from '../production/stack';

async function main() {
  const log = (line: string) => console.log(`[stack] ${line}`);
  const started = Date.now();
  const stack = await startProductionStack({ dataDir: join(ROOT, '.data', 'production'), ports: DEFAULT_PORTS, log });
  console.log(`\nThe production topology is up (${Math.round((Date.now() - started) / 1000)} s):\n${stack.describe()}\n`);
  console.log('Try it (README "Running in production"):');
  console.log(`  source ${join(stack.dataDir, 'api.env')}`);
  console.log(`  curl -s -X POST $API/v1/payouts -H "$REQ" -H "$JSON" -d '{"reference":"PROD-1","destination":{"type":"EWALLET","ewallet":"OVO","customerNumber":"081200001111"},"amount":{"value":"25000.00","currency":"IDR"},"description":"First payout","approvalTimeout":"PT1H"}'`);
  console.log('\nCtrl-C stops everything.');
  let stopping = false;
  const stop = () => {
    if (stopping) return;
    stopping = true;
    console.log('\n[stack] stopping…');
    void stack.stop().then(() => {
      console.log('[stack] stopped');
      process.exit(0);
    });
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

main().catch((err: unknown) => {
  console.error(`[stack] failed: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
