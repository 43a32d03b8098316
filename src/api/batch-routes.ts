// Batches (issue 17): /v1/batches. Create from JSON or CSV (the only route that takes a large body),
// read the batch, its rows and their results as CSV, and decide for the whole batch at once.
import express, { type Request, type RequestHandler, type Router } from 'express';
import { canonicalPrincipal } from '../domain/principal';
import { MAX_BATCH_ROWS } from '../domain/batch';
import { parseRupiah } from '../domain/money';
import { csvPointer, parseBatchCsv } from './batch-csv';
import type { BatchService } from './batches';
import {
  approveBatchBodySchema,
  batchHeaderSchema,
  batchItemSchema,
  batchItemsQuerySchema,
  batchListQuerySchema,
  createBatchSchema,
  emptyDecisionBodySchema,
  type CreateBatchBody,
} from './batch-schemas';
import { parseInput } from './parse';
import { problems, type FieldError } from './problem';
import { IDEMPOTENCY_KEY_PATTERN, REFERENCE_PATTERN, cancelBodySchema, rejectBodySchema } from './schemas';

/** Large enough for 10,000 rows of JSON (about 3 MB) or CSV; every other route keeps 64 KiB. */
export const BATCH_BODY_LIMIT = '8mb';

export interface BatchRouteDeps {
  batches: BatchService;
  providerKeys: readonly string[];
  auth: (...roles: ('requester' | 'approver' | 'admin')[]) => RequestHandler;
}

/** Mounted at /v1/batches, before the app's own 64 KiB body parser. */
export function batchRouter(deps: BatchRouteDeps): Router {
  const { batches, auth } = deps;
  const router = express.Router();
  const large = [
    express.json({ limit: BATCH_BODY_LIMIT, type: ['application/json', 'application/*+json'] }),
    express.text({ limit: BATCH_BODY_LIMIT, type: ['text/csv'] }),
  ];
  const small = express.json({ limit: '64kb', type: ['application/json', 'application/*+json'] });

  router.post('/', auth('requester'), ...large, async (req, res) => {
    const principal = req.principal!.name;
    const { created, batch } = req.is('text/csv') ? await createFromCsv(req, principal) : await batches.create(parseInput(createBatchSchema(deps.providerKeys), req.body), principal);
    res.status(created ? 201 : 200).location(`/v1/batches/${encodeURIComponent(batch.id)}`).json(batch);
  });

  async function createFromCsv(req: Request, principal: string) {
    const header = parseInput(batchHeaderSchema(deps.providerKeys), { ...req.query }, 'query');
    const parsed = parseBatchCsv(typeof req.body === 'string' ? req.body : '');
    if (parsed.rows.length === 0 && parsed.errors.length > 0) throw problems.validation('The CSV file is not valid; see `errors`. Nothing was started.', parsed.errors.slice(0, 200));
    if (parsed.rows.length === 0) throw problems.validation('The CSV file has no rows.', [{ pointer: '/rows/2', detail: 'a batch has at least one row' }]);
    if (parsed.rows.length > MAX_BATCH_ROWS) throw problems.validation(`A batch has at most ${MAX_BATCH_ROWS} rows; this file has ${parsed.rows.length}.`);
    const schema = batchItemSchema(deps.providerKeys);
    const errors: FieldError[] = [...parsed.errors];
    const items: CreateBatchBody['items'] = [];
    for (const row of parsed.rows) {
      const result = schema.safeParse(row.body);
      if (result.success) items.push(result.data);
      else for (const issue of result.error.issues) errors.push({ pointer: csvPointer(row.line, issue), detail: issue.message });
    }
    if (errors.length > 0) {
      errors.sort((a, b) => lineOf(a) - lineOf(b));
      throw problems.validation(`${new Set(errors.map(lineOf)).size} rows are not valid; see \`errors\`. Nothing was started.`, errors.slice(0, 200));
    }
    const lines = parsed.rows.map((row) => row.line);
    // Routing and duplicate references point at CSV lines too.
    const pointerOf = (index: number, field: string) => `/rows/${lines[index]}/${csvColumn(field)}`;
    return batches.create({ ...header, items }, principal, pointerOf);
  }

  router.get('/', auth(), async (req, res) => {
    res.json(await batches.list(parseInput(batchListQuerySchema, { ...req.query }, 'query')));
  });

  router.get('/:id', auth(), async (req, res) => {
    res.json(await batches.get(batchId(req)));
  });

  router.get('/:id/items', auth(), async (req, res) => {
    res.json(await batches.items(batchId(req), parseInput(batchItemsQuerySchema, { ...req.query }, 'query')));
  });

  router.get('/:id/items.csv', auth(), async (req, res) => {
    const id = batchId(req);
    const csv = await batches.itemsCsv(id);
    res.type('text/csv').attachment(`batch-${id}.csv`).send(csv);
  });

  router.post('/:id/approve', auth('approver'), small, async (req, res) => {
    const body = parseInput(approveBatchBodySchema, req.body ?? {});
    res.json(
      await batches.approve(
        batchId(req),
        {
          principal: req.principal!.name,
          expectedTotal: parseRupiah(body.expectedTotal.value),
          expectedCount: body.expectedCount,
          ...(body.excludeReferences && { excludeReferences: body.excludeReferences }),
          ...(body.comment !== undefined && { comment: body.comment }),
        },
        idempotencyKey(req),
      ),
    );
  });

  router.post('/:id/reject', auth('approver'), small, async (req, res) => {
    const body = parseInput(rejectBodySchema, req.body ?? {});
    res.json(await batches.reject(batchId(req), { principal: req.principal!.name, ...body }, idempotencyKey(req)));
  });

  router.post('/:id/cancel', auth('requester'), small, async (req, res) => {
    const body = parseInput(cancelBodySchema, req.body ?? {});
    const id = batchId(req);
    const principal = req.principal!;
    if (!principal.roles.includes('admin') && canonicalPrincipal(await batches.requesterOf(id)) !== principal.name) {
      throw problems.forbidden(`only the requester of batch ${id} or an admin may cancel it`);
    }
    res.json(await batches.cancel(id, { principal: principal.name, ...body }, idempotencyKey(req)));
  });

  // Runs the inquiries of UNVERIFIED rows again (their provider was unreachable): the requester or an approver.
  router.post('/:id/retry-unverified', auth('requester', 'approver'), small, async (req, res) => {
    parseInput(emptyDecisionBodySchema, req.body ?? {});
    res.json(await batches.retry(batchId(req), { principal: req.principal!.name }, idempotencyKey(req)));
  });

  return router;
}

const lineOf = (error: FieldError) => Number(error.pointer.split('/')[2]);

/** A JSON item field path ("amount/value", "provider") → its CSV column. */
function csvColumn(field: string): string {
  const column: Record<string, string> = { reference: 'reference', provider: 'provider', destination: 'destination_type', 'amount/value': 'amount' };
  return column[field] ?? field;
}

function batchId(req: Request): string {
  const id = String(req.params.id);
  if (!REFERENCE_PATTERN.test(id)) throw problems.notFound(`no batch with id ${id.slice(0, 80)}`);
  return id;
}

function idempotencyKey(req: Request): string | undefined {
  const key = req.header('idempotency-key');
  if (key === undefined) return undefined;
  if (!IDEMPOTENCY_KEY_PATTERN.test(key)) {
    throw problems.validation('The Idempotency-Key header is not valid.', [{ pointer: '/headers/idempotency-key', detail: '1–128 printable ASCII characters, no spaces' }]);
  }
  return key;
}
