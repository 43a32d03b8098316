// Provider HTTP: one POST with a timeout and no retries (Temporal retries whole activities).
// Transport failures become ProviderCallError; whether the request may have reached the provider
// matters for money-moving calls, so it is said explicitly.
import type { z } from 'zod';
import { ProviderCallError } from './types';

export interface HttpAnswer {
  status: number;
  headers: Headers;
  text: string;
}

export async function postJson(url: string, options: { headers: Record<string, string>; body: string; timeoutMs: number }): Promise<HttpAnswer> {
  let res: Response;
  try {
    res = await fetch(url, {
      method: 'POST',
      headers: options.headers,
      body: options.body,
      signal: AbortSignal.timeout(options.timeoutMs),
    });
  } catch (err) {
    throw transportError(url, err, options.timeoutMs);
  }
  try {
    return { status: res.status, headers: res.headers, text: await res.text() };
  } catch (err) {
    // The answer started but did not finish: the request certainly arrived.
    throw transportError(url, err, options.timeoutMs, true);
  }
}

function transportError(url: string, err: unknown, timeoutMs: number, arrived = false): ProviderCallError {
  const name = (err as { name?: string }).name;
  const host = safeHost(url);
  if (name === 'TimeoutError' || name === 'AbortError') {
    return new ProviderCallError('TIMEOUT', `no answer from ${host} within ${timeoutMs} ms`, { mayHaveArrived: true });
  }
  const code = (err as { cause?: { code?: string } }).cause?.code;
  // Refused or unresolvable: nothing was sent. Anything else (a reset mid-way) may have arrived.
  const notSent = code === 'ECONNREFUSED' || code === 'ENOTFOUND' || code === 'EAI_AGAIN';
  return new ProviderCallError('UNAVAILABLE', `cannot reach ${host}: ${code ?? (err as Error).message}`, { mayHaveArrived: arrived || !notSent });
}

function safeHost(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return 'the provider';
  }
}

/** Parses an answer body with zod; a body that does not fit is a BAD_ANSWER (never echoing it whole). */
export function parseJsonAnswer<S extends z.ZodType>(text: string, schema: S, what: string): z.infer<S> {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new ProviderCallError('BAD_ANSWER', `${what}: the answer is not JSON`, { mayHaveArrived: true });
  }
  const parsed = schema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new ProviderCallError('BAD_ANSWER', `${what}: unexpected answer at ${issue?.path.join('.') || '(root)'}: ${issue?.message}`, {
      mayHaveArrived: true,
    });
  }
  return parsed.data;
}
