// Provider HTTP: one POST with a timeout and no retries (Temporal retries whole activities).
// Transport failures become ProviderCallError; whether the request may have reached the provider
// matters for money-moving calls, so it is said explicitly. Messages name the host only: never
// the URL's query, the headers (credentials) or the body.
import type { z } from 'zod';
import { ProviderCallError } from '../domain/provider-port';

export interface HttpAnswer {
  status: number;
  headers: Headers;
  text: string;
}

export interface PostJsonOptions {
  headers: Record<string, string>;
  /** The exact bytes to send (signed bodies must not be re-serialised on the way). */
  body: string;
  timeoutMs: number;
}

/**
 * Errors that prove nothing left this machine: the connection was never made. Anything else (a reset
 * or a close after connecting, a timeout at any point) may have delivered the request.
 */
const NOT_SENT_CODES = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EADDRNOTAVAIL',
  'UND_ERR_CONNECT_TIMEOUT',
  'ERR_INVALID_URL',
]);

export async function postJson(url: string, options: PostJsonOptions): Promise<HttpAnswer> {
  // One signal for the whole exchange: connecting, sending, and reading the answer to its end.
  const signal = AbortSignal.timeout(options.timeoutMs);
  let res: Response;
  try {
    res = await fetch(url, { method: 'POST', headers: options.headers, body: options.body, signal });
  } catch (err) {
    throw transportError(url, err, options.timeoutMs, false);
  }
  try {
    return { status: res.status, headers: res.headers, text: await res.text() };
  } catch (err) {
    // The answer started but did not finish: the request certainly arrived.
    throw transportError(url, err, options.timeoutMs, true);
  }
}

function transportError(url: string, err: unknown, timeoutMs: number, answerStarted: boolean): ProviderCallError {
  const host = safeHost(url);
  const name = (err as { name?: unknown } | null)?.name;
  if (name === 'TimeoutError' || name === 'AbortError') {
    return new ProviderCallError('TIMEOUT', `no answer from ${host} within ${timeoutMs} ms`, { mayHaveArrived: true });
  }
  const code = errorCode(err);
  const notSent = !answerStarted && code !== undefined && NOT_SENT_CODES.has(code);
  return new ProviderCallError('UNAVAILABLE', `cannot reach ${host}: ${code ?? 'connection failed'}`, { mayHaveArrived: !notSent });
}

/** undici puts the system error in `cause` (sometimes one level deeper); an invalid URL has its own code. */
function errorCode(err: unknown): string | undefined {
  for (let current: unknown = err, depth = 0; current && depth < 4; depth += 1) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string') return code;
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}

function safeHost(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return 'the provider';
  }
}

/**
 * Parses an answer body with zod. A body that is not JSON or does not fit is a BAD_ANSWER whose
 * message names the first mismatching path and zod's message (which names what was expected, not the
 * value received), never the body: it may hold tokens or names.
 */
export function parseJsonAnswer<S extends z.ZodType>(text: string, schema: S, what = 'provider answer'): z.infer<S> {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new ProviderCallError('BAD_ANSWER', `${what}: the answer is not JSON`, { mayHaveArrived: true });
  }
  const parsed = schema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const at = issue && issue.path.length > 0 ? issue.path.join('.') : '(root)';
    throw new ProviderCallError('BAD_ANSWER', `${what}: unexpected answer at ${at}: ${issue?.message ?? 'invalid'}`, { mayHaveArrived: true });
  }
  return parsed.data;
}
