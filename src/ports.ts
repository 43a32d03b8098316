// Loopback TCP ports for the processes this project starts (tests, the bench, the production stack).
import { createServer } from 'node:net';

// Below Linux's default ephemeral range (32768–60999). A port the kernel hands out for listen(0) lies in
// that range, and between our check and the child process's listen, an outgoing connection (a worker's
// gRPC channel, a test's fetch) can be given the same port: the CI saw an API fail with EADDRINUSE that
// way. Ports below the range are only ever taken by someone listening on them. The Temporal server also
// keeps its membership ports in a PostgreSQL smallint column, which refuses ports above 32767.
const LOW = 20_000;
const HIGH = 32_768;

// Ports this process has handed out already: two calls never return the same port, even before the
// first one's user listens on it.
const handedOut = new Set<number>();

/** A loopback TCP port that was free a moment ago and that this process has not handed out before. */
export async function freePort(): Promise<number> {
  for (let attempt = 0; attempt < 1_000; attempt += 1) {
    const port = LOW + Math.floor(Math.random() * (HIGH - LOW));
    if (handedOut.has(port)) continue;
    if (await portIsFree(port)) {
      handedOut.add(port);
      return port;
    }
  }
  throw new Error(`no free loopback port between ${LOW} and ${HIGH - 1}`);
}

/** Whether `port` can be listened on at loopback now. */
export function portIsFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}
