// RFC 9457 problem details: the one shape of every error the API answers.
import type { NextFunction, Request, Response } from 'express';

export const PROBLEM_BASE = 'https://payouts.local/problems/';

export interface FieldError {
  pointer: string;
  detail: string;
}

export class Problem extends Error {
  constructor(
    readonly status: number,
    readonly slug: string,
    readonly title: string,
    readonly detail: string,
    readonly extras: { errors?: FieldError[]; retryAfterSeconds?: number; fields?: Record<string, unknown> } = {},
  ) {
    super(detail);
    this.name = 'Problem';
  }
}

export const problems = {
  validation: (detail: string, errors?: FieldError[]) =>
    new Problem(400, 'validation-error', 'Your request is not valid.', detail, errors ? { errors } : {}),
  unauthorized: (detail = 'Send a valid API key as `Authorization: Bearer <key>`.') =>
    new Problem(401, 'unauthorized', 'Authentication required.', detail),
  forbidden: (detail: string) => new Problem(403, 'forbidden', 'You may not do this.', detail),
  fourEyes: (detail: string) => new Problem(403, 'four-eyes', 'The requester of a payout cannot approve it.', detail),
  notFound: (detail: string) => new Problem(404, 'not-found', 'Not found.', detail),
  /** `fields`: extension members of the problem (RFC 9457 §3.2), e.g. the references that conflict. */
  conflict: (slug: string, title: string, detail: string, fields?: Record<string, unknown>) => new Problem(409, slug, title, detail, fields ? { fields } : {}),
  /** 503 for a decision whose outcome is unknown: it may still take effect (see decisionOutcomeUnknown). */
  decisionPending: (kind: string, id: string, keyed: boolean, resource: 'payouts' | 'batches' = 'payouts') =>
    new Problem(
      503,
      'decision-outcome-unknown',
      'The decision was sent, but the workflow did not confirm it in time; it may still apply.',
      `Read GET /v1/${resource}/${id} to see whether the ${kind} took effect, or send it again ` +
        (keyed ? 'with the same Idempotency-Key: a retry joins the first attempt.' : 'with an Idempotency-Key header, so that a retry joins the first attempt.'),
      { retryAfterSeconds: 2 },
    ),
  /** The spending limits could not be checked: the approval was not applied; try again. */
  limitsUnavailable: (detail: string) => new Problem(503, 'limits-unavailable', 'The spending limits could not be checked; nothing was approved.', detail, { retryAfterSeconds: 2 }),
  temporalUnavailable: () =>
    new Problem(503, 'temporal-unavailable', 'The workflow service is unavailable.', 'Temporal could not be reached; try again shortly.', {
      retryAfterSeconds: 5,
    }),
};

/** A JSON Pointer (RFC 6901) for a zod issue path. */
export function toPointer(path: readonly PropertyKey[]): string {
  return path.map((p) => `/${String(p).replace(/~/g, '~0').replace(/\//g, '~1')}`).join('') || '/';
}

export function sendProblem(res: Response, req: Request, problem: Problem): void {
  if (problem.extras.retryAfterSeconds !== undefined) res.setHeader('Retry-After', String(problem.extras.retryAfterSeconds));
  res
    .status(problem.status)
    .type('application/problem+json')
    .send(
      JSON.stringify({
        ...problem.extras.fields,
        type: `${PROBLEM_BASE}${problem.slug}`,
        title: problem.title,
        status: problem.status,
        detail: problem.detail,
        instance: req.originalUrl,
        ...(problem.extras.errors && { errors: problem.extras.errors }),
      }),
    );
}

/** Express error handler: known problems as they are, body-parser errors as 4xx, anything else as a bare 500. */
export function problemHandler(logUnexpected: (req: Request, err: unknown) => void) {
  return (err: unknown, req: Request, res: Response, next: NextFunction): void => {
    if (res.headersSent) return next(err);
    if (err instanceof Problem) return sendProblem(res, req, err);
    const status = (err as { status?: unknown; statusCode?: unknown }).status ?? (err as { statusCode?: unknown }).statusCode;
    const type = (err as { type?: unknown }).type;
    if (type === 'entity.too.large') {
      const limit = (err as { limit?: unknown }).limit;
      const size = typeof limit === 'number' && limit >= 1024 * 1024 ? `${Math.round(limit / (1024 * 1024))} MiB` : '64 KiB';
      return sendProblem(res, req, new Problem(413, 'payload-too-large', 'The request body is too large.', `Send at most ${size}.`));
    }
    if (type === 'entity.parse.failed') {
      return sendProblem(res, req, problems.validation('The request body is not valid JSON.'));
    }
    if (typeof status === 'number' && status >= 400 && status < 500) {
      return sendProblem(res, req, new Problem(status, 'bad-request', 'The request could not be read.', 'The request could not be read.'));
    }
    logUnexpected(req, err);
    sendProblem(res, req, new Problem(500, 'internal-error', 'Something went wrong on our side.', 'The error was logged; nothing about it is shown here.'));
  };
}
