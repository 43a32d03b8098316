// npm run temporal:binary — finds or builds the Temporal CLI the way npm start and npm test do, and
// prints its path (useful to build it once ahead of time, for example in a CI image).
import { resolveTemporalBinary } from '../temporal/cli-binary';

resolveTemporalBinary({ log: (line) => console.log(`[temporal] ${line}`) }).then(
  (path) => console.log(path),
  (err: unknown) => {
    console.error(err instanceof Error ? err.message : String(err));
    process.exit(1);
  },
);
