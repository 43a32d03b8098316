// Pieces both provider simulators share: a JSON request reader, loopback-only control routes,
// programmable faults (simulators.md "Control API"), and a server whose close() also ends the
// requests it is deliberately holding open.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { z } from 'zod';

/**
 * The fault modes. Those of ARRIVAL_MODES hit a call as it arrives, before anything else is checked.
 * The other two act where the provider's own logic runs, and only on the calls they fit, so their
 * count is spent on those calls alone:
 * - `status-lag`: a status inquiry for a transfer the simulator holds answers "not found", as a
 *   provider whose status service lags behind its trigger service does;
 * - `refuse-duplicate`: a trigger for a reference the simulator already holds is answered with a
 *   business refusal (insufficient balance) instead of the duplicate-reference answer, as a provider
 *   may answer a re-sent request after an attempt whose answer was lost (with `accept-then-timeout`:
 *   the money moved, and the client is told it did not).
 */
export const FAULT_MODES = ['http500', 'http503', 'timeout', 'accept-then-timeout', 'latency', 'status-lag', 'refuse-duplicate'] as const;
export type FaultMode = (typeof FAULT_MODES)[number];
export const ARRIVAL_MODES: readonly FaultMode[] = ['http500', 'http503', 'timeout', 'accept-then-timeout', 'latency'];

export const faultSchema = z
  .strictObject({
    operation: z.enum(['inquiry', 'trigger', 'status', 'token', 'any']),
    mode: z.enum(FAULT_MODES),
    count: z.number().int().min(1).max(10_000),
    latencyMs: z.number().int().min(0).max(120_000).optional(),
  })
  .superRefine((fault, ctx) => {
    const fits = { 'status-lag': 'status', 'refuse-duplicate': 'trigger' } as const;
    const needed = fault.mode === 'status-lag' || fault.mode === 'refuse-duplicate' ? fits[fault.mode] : undefined;
    if (needed && fault.operation !== needed && fault.operation !== 'any') {
      ctx.addIssue({ code: 'custom', path: ['operation'], message: `mode ${fault.mode} applies to the ${needed} operation only ("${needed}" or "any")` });
    }
  });
export type Fault = z.infer<typeof faultSchema>;
export type Operation = Exclude<Fault['operation'], 'any'>;

/**
 * The next `count` matching calls misbehave; each call takes at most one fault. `fired` counts the
 * faults applied, by `operation mode` (GET /__sim/faults), so a test can tell what it exercised.
 */
export class FaultPlan {
  private faults: Fault[] = [];
  readonly fired = new Map<string, number>();

  add(fault: Fault): void {
    this.faults.push({ ...fault });
  }

  /** Forgets the faults still waiting (DELETE /__sim/faults). */
  clear(): void {
    this.faults = [];
  }

  /** Forgets the waiting faults and the count of applied ones (POST /__sim/reset). */
  reset(): void {
    this.faults = [];
    this.fired.clear();
  }

  /** A fault for this call among `modes` (by default those that hit a call as it arrives), if any. */
  take(operation: Operation, modes: readonly FaultMode[] = ARRIVAL_MODES): Fault | undefined {
    const fault = this.faults.find((f) => (f.operation === operation || f.operation === 'any') && modes.includes(f.mode));
    if (!fault) return undefined;
    fault.count -= 1;
    if (fault.count <= 0) this.faults.splice(this.faults.indexOf(fault), 1);
    const key = `${operation} ${fault.mode}`;
    this.fired.set(key, (this.fired.get(key) ?? 0) + 1);
    return fault;
  }

  /** The faults still waiting for a call, and the ones applied so far. */
  describe(): { pending: Fault[]; fired: Record<string, number> } {
    return { pending: this.faults.map((f) => ({ ...f })), fired: Object.fromEntries(this.fired) };
  }
}

/** One provider call as a simulator received it: its operation and arrival time (epoch ms). */
export interface CallArrival<Op extends string = string> {
  operation: Op;
  at: number;
}

/** Arrival times kept at most (the oldest tenth is dropped past it): hours of calls at the bench's rates. */
const MAX_ARRIVALS = 1_000_000;

/**
 * The provider calls a simulator received (GET /__sim/calls): a count per operation, and each call's
 * arrival time, so a test can measure the rate the provider saw (test/support/rate-windows.ts).
 * POST /__sim/reset forgets both.
 */
export class CallLog<Op extends string> {
  private counts: Record<Op, number>;
  private arrivals: CallArrival<Op>[] = [];

  constructor(
    private readonly operations: readonly Op[],
    private readonly now: () => number = Date.now,
  ) {
    this.counts = this.zero();
  }

  /** One call of `operation`, arrived at `at` (default now). */
  record(operation: Op, at: number = this.now()): void {
    this.counts[operation] += 1;
    this.arrivals.push({ operation, at });
    if (this.arrivals.length > MAX_ARRIVALS) this.arrivals.splice(0, MAX_ARRIVALS / 10);
  }

  /** The count per operation (every operation present, 0 when none came). */
  byOperation(): Record<Op, number> {
    return { ...this.counts };
  }

  /** The calls that arrived at or after `sinceMs`, oldest first. */
  since(sinceMs: number): CallArrival<Op>[] {
    return this.arrivals.filter((call) => call.at >= sinceMs).map((call) => ({ ...call }));
  }

  reset(): void {
    this.counts = this.zero();
    this.arrivals = [];
  }

  private zero(): Record<Op, number> {
    return Object.fromEntries(this.operations.map((op) => [op, 0])) as Record<Op, number>;
  }
}

/**
 * GET /__sim/calls: the counts by operation; with `?since=<epoch ms>` also `times`, each call's
 * operation and arrival from then on (`since=0`: all). A `since` that is not a number is a 400.
 */
export function callsAnswer<Op extends string>(log: CallLog<Op>, query: URLSearchParams): { status: number; body: unknown } {
  const since = query.get('since');
  if (since === null) return { status: 200, body: log.byOperation() };
  const sinceMs = Number(since);
  if (since.trim() === '' || !Number.isFinite(sinceMs)) return { status: 400, body: { error: 'since must be a time in epoch milliseconds, e.g. ?since=0' } };
  return { status: 200, body: { ...log.byOperation(), times: log.since(sinceMs) } };
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
