// Singapay's answer envelope `{ response_code, response_message, data }` and the HTTP status it
// travels with: 200 for SP000 and for business refusals (the provider's pages show them as ordinary answers),
// 400 for a malformed request, 401 for token and signature refusals, 404, 503.
import type { ServerResponse } from 'node:http';
import { sendJson } from '../common';

/** A refusal: the HTTP status, the response code and message, and optional `data`. */
export interface Problem {
  http: number;
  code: string;
  message: string;
  data?: unknown;
}

export function envelope(res: ServerResponse, http: number, code: string, message: string, data?: unknown): void {
  sendJson(res, http, { response_code: code, response_message: message, ...(data !== undefined && { data }) });
}

export function refuse(res: ServerResponse, problem: Problem): void {
  envelope(res, problem.http, problem.code, problem.message, problem.data);
}

export function succeed(res: ServerResponse, data: unknown): void {
  envelope(res, 200, 'SP000', 'Successful', data);
}
