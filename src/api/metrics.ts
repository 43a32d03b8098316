// Prometheus metrics of the API at GET /metrics: requests by route and status, their latency, and
// payouts created and decided. Routes are labelled by their pattern (/v1/payouts/:id), never by the
// raw path, so hostile paths cannot blow up the number of series.
import type { NextFunction, Request, Response } from 'express';
import { Counter, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

export function createApiMetrics() {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'payouts_api_' });
  const requests = new Counter({
    name: 'payouts_api_http_requests_total',
    help: 'HTTP requests by method, route pattern and status',
    labelNames: ['method', 'route', 'status'],
    registers: [registry],
  });
  const duration = new Histogram({
    name: 'payouts_api_http_request_duration_seconds',
    help: 'HTTP request latency by method, route pattern and status',
    labelNames: ['method', 'route', 'status'],
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [registry],
  });
  const created = new Counter({ name: 'payouts_created_total', help: 'Payouts created, by provider', labelNames: ['provider'], registers: [registry] });
  const decided = new Counter({
    name: 'payouts_decisions_total',
    help: 'Decisions taken through the API, by decision',
    labelNames: ['decision'],
    registers: [registry],
  });

  return {
    registry,
    created,
    decided,
    /** Express middleware: times every request and counts it once it has finished. */
    middleware(req: Request, res: Response, next: NextFunction) {
      const stop = duration.startTimer();
      res.on('finish', () => {
        const route = req.route?.path ? `${req.baseUrl}${String(req.route.path)}` : 'unmatched';
        const labels = { method: req.method, route, status: String(res.statusCode) };
        requests.inc(labels);
        stop(labels);
      });
      next();
    },
    async handler(_req: Request, res: Response) {
      res.type(registry.contentType).send(await registry.metrics());
    },
  };
}

export type ApiMetrics = ReturnType<typeof createApiMetrics>;
