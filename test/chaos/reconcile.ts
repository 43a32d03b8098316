// The end of a run (issue 18): reconcile every Jakarta day the run touched, as an operator would
// through the API (POST /v1/reconciliations as an admin, then GET /v1/reconciliations/{id} until the run
// ended), and keep each report's figures and breaks for the checker. Through the API, so that the
// same code serves every topology (the API knows its task queue and its configured providers); its
// answers are recorded and judged like every other API answer.
import type { Recorder } from './observe';
import { jakartaDay, keyOf, type ReconciliationBreakSeen, type ReconciliationObservation, type ReconciliationProviderFigures } from './model';

const DAY_MS = 86_400_000;
const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, Math.max(0, ms)));

/** Every Jakarta day from `fromMs`'s to `toMs`'s (a run that crosses 17:00 UTC touches two), in order. */
export function jakartaDaysBetween(fromMs: number, toMs: number): string[] {
  const days: string[] = [];
  for (let at = fromMs; jakartaDay(at) <= jakartaDay(toMs); at += DAY_MS) days.push(jakartaDay(at));
  return [...new Set(days)];
}

/** A run as GET /v1/reconciliations/{id} answers it (src/domain/reconciliation/run.ts ReconciliationRun), the fields kept. */
interface RunBody {
  id?: string;
  status?: string;
  cutoff?: string;
  providers?: {
    provider: string;
    supports?: string[];
    ours: { count: number; total: number };
    matched: { count: number; total: number };
    pending: { count: number; total: number };
    breaks: Record<string, number>;
    balance?: { available: number };
  }[];
  breaks?: { kind: string; provider: string; reference?: string; detail: string; ours?: { status: string; amount: number; fee?: number; submittedAt?: string }; theirs?: unknown[] }[];
  breaksOmitted?: number;
  flagged?: string[];
}

const problemOf = (json: unknown): string => {
  const p = json as { title?: string; detail?: string } | undefined;
  return [p?.title, p?.detail].filter(Boolean).join(': ') || JSON.stringify(json ?? null).slice(0, 300);
};

/**
 * Reconciles one day (every configured provider) and reads its report: the POST is sent again after a
 * 503 (nothing was started, or the same day simply gets a second run), the run is read every second
 * until COMPLETED or FAILED, at most `withinMs` after it was asked for.
 */
export async function reconcileDay(recorder: Recorder, date: string, options: { withinMs?: number; log?: (line: string) => void } = {}): Promise<ReconciliationObservation> {
  const withinMs = options.withinMs ?? 180_000;
  const key = keyOf(recorder, 'admin');
  const sentAt = Date.now();
  const none = (status: ReconciliationObservation['status'], error: string, id?: string): ReconciliationObservation => ({
    date,
    ...(id !== undefined && { id }),
    sentAt,
    answeredAt: Date.now(),
    status,
    error,
    providers: [],
    breaks: [],
    flagged: [],
  });

  let id: string | undefined;
  for (let attempt = 1; ; attempt += 1) {
    const { status, json } = await recorder.call('POST', '/v1/reconciliations', { key, body: JSON.stringify({ date }), route: 'POST /v1/reconciliations' });
    if (status === 202 && typeof (json as { id?: unknown })?.id === 'string') {
      id = (json as { id: string }).id;
      break;
    }
    if ((status === 503 || status === 0) && attempt < 5 && Date.now() - sentAt < withinMs) {
      await sleep(1_000);
      continue;
    }
    return none('NOT_STARTED', `POST /v1/reconciliations { "date": "${date}" } answered ${status}: ${problemOf(json)}`);
  }
  options.log?.(`reconciliation of ${date} started: ${id}`);

  let last: RunBody | undefined;
  let lastError = '';
  for (;;) {
    const { status, json, answeredAt } = await recorder.call('GET', `/v1/reconciliations/${encodeURIComponent(id)}`, { key, route: 'GET /v1/reconciliations/{id}' });
    if (status === 200) {
      last = json as RunBody;
      if (last.status === 'COMPLETED' || last.status === 'FAILED') return observationOf(date, id, sentAt, answeredAt, last);
    } else {
      lastError = `GET answered ${status}: ${problemOf(json)}`;
    }
    if (Date.now() - sentAt > withinMs) {
      return { ...none('RUNNING', `still ${last?.status ?? 'unread'} after ${withinMs} ms${lastError ? ` (last ${lastError})` : ''}`, id), ...(last && { providers: figuresOf(last) }) };
    }
    await sleep(1_000);
  }
}

function figuresOf(run: RunBody): ReconciliationProviderFigures[] {
  return (run.providers ?? []).map((p) => ({
    provider: p.provider,
    ours: { count: p.ours.count, total: p.ours.total },
    matched: { count: p.matched.count, total: p.matched.total },
    pending: { count: p.pending.count, total: p.pending.total },
    breaks: Object.fromEntries(Object.entries(p.breaks).filter(([, n]) => n > 0)),
    ...(p.supports && { supports: [...p.supports] }),
    ...(p.balance && { balance: p.balance.available }),
  }));
}

function observationOf(date: string, id: string, sentAt: number, answeredAt: number, run: RunBody): ReconciliationObservation {
  const breaks: ReconciliationBreakSeen[] = (run.breaks ?? []).map((b) => ({
    kind: b.kind,
    provider: b.provider,
    ...(b.reference !== undefined && { reference: b.reference }),
    detail: b.detail,
    ...(b.ours && {
      ours: { status: b.ours.status, amount: b.ours.amount, ...(b.ours.fee !== undefined && { fee: b.ours.fee }), ...(b.ours.submittedAt !== undefined && { submittedAt: b.ours.submittedAt }) },
    }),
    ...(b.theirs && { theirs: b.theirs }),
  }));
  return {
    date,
    id,
    sentAt,
    answeredAt,
    status: run.status === 'COMPLETED' ? 'COMPLETED' : 'FAILED',
    ...(run.cutoff !== undefined && { cutoff: run.cutoff }),
    providers: figuresOf(run),
    breaks,
    ...(run.breaksOmitted !== undefined && run.breaksOmitted > 0 && { breaksOmitted: run.breaksOmitted }),
    flagged: [...(run.flagged ?? [])],
  };
}
