// Pieces both provider simulators share: a JSON request reader, loopback-only control routes,
// programmable faults (simulators.md "Control API"), and a server whose close() also ends the
// requests it is deliberately holding open.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { z } from 'zod';

export const faultSchema = z.strictObject({
  operation: z.enum(['inquiry', 'trigger', 'status', 'token', 'any']),
  mode: z.enum(['http500', 'http503', 'timeout', 'accept-then-timeout', 'latency']),
  count: z.number().int().min(1).max(10_000),
  latencyMs: z.number().int().min(0).max(120_000).optional(),
});
export type Fault = z.infer<typeof faultSchema>;
export type Operation = Exclude<Fault['operation'], 'any'>;

/** The next `count` matching calls misbehave; each call takes at most one fault. */
export class FaultPlan {
  private faults: Fault[] = [];

  add(fault: Fault): void {
    this.faults.push({ ...fault });
  }

  clear(): void {
    this.faults = [];
  }

  take(operation: Operation): Fault | undefined {
    const fault = this.faults.find((f) => f.operation === operation || f.operation === 'any');
    if (!fault) return undefined;
    fault.count -= 1;
    if (fault.count <= 0) this.faults.splice(this.faults.indexOf(fault), 1);
    return fault;
  }
}

export async function readBody(req: IncomingMessage, limit = 1 << 20): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > limit) throw new Error('body too large');
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text), ...headers });
  res.end(text);
}

export function isLoopback(req: IncomingMessage): boolean {
  const address = req.socket.remoteAddress ?? '';
  return address === '127.0.0.1' || address === '::1' || address.startsWith('::ffff:127.') || address.startsWith('127.');
}

export interface RunningServer {
  server: Server;
  url: string;
  port: number;
  close(): Promise<void>;
}

/** Listens, and on close() destroys every socket, including the ones held open by timeout faults. */
export async function listen(
  handler: (req: IncomingMessage, res: ServerResponse) => Promise<void>,
  port: number,
  host: string,
  onError: (err: unknown) => void,
): Promise<RunningServer> {
  const sockets = new Set<Socket>();
  const server = createServer((req, res) => {
    handler(req, res).catch((err) => {
      onError(err);
      if (!res.headersSent) sendJson(res, 500, { response_code: 'SP019', response_message: 'Simulator error' });
    });
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  const actual = (server.address() as { port: number }).port;
  const shownHost = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host;
  return {
    server,
    port: actual,
    url: `http://${shownHost}:${actual}`,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

/** Last four digits of a number: the simulators' scenario key. */
export function scenarioOf(number: string): string {
  return number.slice(-4);
}

export const delay = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
