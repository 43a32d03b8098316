// Parsing a request's body or query with its zod schema: a 400 problem with one pointer per invalid
// field, never a 5xx for a client's mistake. Shared by every router.
import type { z } from 'zod';
import { problems, toPointer } from './problem';

export function parseInput<S extends z.ZodType>(schema: S, input: unknown, where: 'body' | 'query' = 'body'): z.infer<S> {
  if (input === undefined || input === null || typeof input !== 'object' || Array.isArray(input)) {
    throw problems.validation('The request body must be a JSON object (Content-Type: application/json).');
  }
  const parsed = schema.safeParse(input);
  if (!parsed.success) {
    throw problems.validation(
      where === 'body' ? 'Some fields are not valid; see `errors`.' : 'Some query parameters are not valid; see `errors`.',
      parsed.error.issues.map((issue) => ({
        pointer: toPointer(issue.code === 'unrecognized_keys' ? [...issue.path, ...issue.keys.slice(0, 1)] : issue.path),
        detail: issue.code === 'unrecognized_keys' ? `unknown field(s): ${issue.keys.join(', ')}` : issue.message,
      })),
    );
  }
  return parsed.data;
}
