// Zod fields for environment variables, shared by the service's configuration (src/config.ts) and
// each provider module's own variables. Empty counts as unset; a file is read once and checked.
import { readFileSync } from 'node:fs';
import { z } from 'zod';

export const port = (fallback: number) => z.coerce.number().int().min(0).max(65535).default(fallback);
export const millis = (fallback: number) => z.coerce.number().int().positive().default(fallback);
/**
 * A provider's `<KEY>_MAX_CALLS_PER_SECOND`: the most calls per second it may see from us, all workers
 * together; a positive number (fractions allowed: 0.5 is one call every two seconds).
 */
export const callsPerSecond = (fallback: number) =>
  z.coerce
    .number({ error: 'must be a number of calls per second' })
    .positive({ error: 'must be a positive number of calls per second' })
    .max(10_000, { error: 'must be at most 10000 calls per second' })
    .default(fallback);
export const optionalText = z
  .string()
  .optional()
  .transform((v) => (v === undefined || v.trim() === '' ? undefined : v));
/** true/false (also 1/0, yes/no, on/off); empty counts as unset. */
export const optionalFlag = z.preprocess((v) => (v === '' ? undefined : v), z.stringbool({ error: 'must be "true" or "false"' }).optional());

/**
 * A PEM file named by its path, read once at start-up (the parsed value is its content) and checked
 * by `check`, which throws when the content is not what it should be. The error names the variable
 * and the path, never the content.
 */
export const pemFile = (what: string, check: (pem: Buffer) => unknown) =>
  optionalText.transform((path, ctx) => {
    if (path === undefined) return undefined;
    let pem: Buffer;
    try {
      pem = readFileSync(path);
    } catch (err) {
      ctx.addIssue({ code: 'custom', message: `cannot read ${path} (${(err as NodeJS.ErrnoException).code ?? 'unreadable'})` });
      return z.NEVER;
    }
    try {
      check(pem);
    } catch {
      ctx.addIssue({ code: 'custom', message: `${path} is not ${what}` });
      return z.NEVER;
    }
    return pem;
  });

/** Problems for a group of variables that only make sense together: each missing one is named. */
export function allOrNone(env: Readonly<Record<string, unknown>>, names: readonly string[], isSet = (name: string) => env[name] !== undefined) {
  const given = names.filter(isSet);
  if (given.length === 0 || given.length === names.length) return [];
  return names.filter((name) => !isSet(name)).map((variable) => ({ variable, message: `is required when ${given.join(', ')} is set` }));
}
