// Reconciliation runs (issue 18): /v1/reconciliations. An admin starts a run for one Jakarta day (one
// provider or all); admins and approvers read a run with its breaks, and list a day's runs.
import express, { type RequestHandler, type Router } from 'express';
import { parseInput } from './parse';
import type { ReconciliationService } from './reconciliations';
import { createReconciliationSchema, reconciliationListQuerySchema } from './reconciliation-schemas';

export interface ReconciliationRouteDeps {
  reconciliations: ReconciliationService;
  providerKeys: readonly string[];
  auth: (...roles: ('requester' | 'approver' | 'admin')[]) => RequestHandler;
}

/** Mounted at /v1/reconciliations, after the app's 64 KiB JSON body parser. */
export function reconciliationRouter(deps: ReconciliationRouteDeps): Router {
  const { reconciliations, auth } = deps;
  const router = express.Router();
  const createSchema = createReconciliationSchema(deps.providerKeys);

  router.post('/', auth('admin'), async (req, res) => {
    const body = parseInput(createSchema, req.body);
    const { id } = await reconciliations.start(body, req.principal!.name);
    res.status(202).location(`/v1/reconciliations/${encodeURIComponent(id)}`).json({ id });
  });

  router.get('/', auth('approver', 'admin'), async (req, res) => {
    res.json(await reconciliations.list(parseInput(reconciliationListQuerySchema, { ...req.query }, 'query')));
  });

  router.get('/:id', auth('approver', 'admin'), async (req, res) => {
    res.json(await reconciliations.get(String(req.params.id)));
  });

  return router;
}
