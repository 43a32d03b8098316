// One-shot: registers the project's search attributes on TEMPORAL_ADDRESS (idempotent). docker-compose
// runs it before the workers start; `npm start` does the same for its dev server by itself.
import { Connection } from '@temporalio/client';
import { loadConfigOrExit } from '../config';
import { ensureSearchAttributes } from '../temporal/search-attributes';
import { connectionOptions } from '../temporal/connection';

async function main() {
  const config = loadConfigOrExit();
  const address = config.temporal.address ?? 'localhost:7233';
  const deadline = Date.now() + 120_000;
  for (;;) {
    try {
      const connection = await Connection.connect({ ...connectionOptions(address, config.temporal.access), connectTimeout: 2_000 });
      const added = await ensureSearchAttributes(connection, config.temporal.namespace);
      await connection.close();
      console.log(added.length ? `registered search attributes: ${added.join(', ')}` : 'search attributes already registered');
      return;
    } catch (err) {
      if (Date.now() > deadline) throw err;
      console.log(`waiting for Temporal at ${address}: ${(err as Error).message.split('\n')[0]}`);
      await new Promise((r) => setTimeout(r, 2_000));
    }
  }
}

main().catch((err) => {
  console.error(`failed: ${err instanceof Error ? err.message : err}`);
  process.exit(1);
});
