// A faithful Singapay e-wallet top-up simulator (docs/providers/singapay.md, docs/simulators.md): a real
// node:http server with the provider's token and signature checks, field limits, fees, a merchant
// balance, the duplicate-reference check, status transitions by scenario, signed webhooks, and
// the loopback-only control API. Our real client runs against it unchanged.
import { randomBytes, randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { singapayAssumptionSettings, type SingapayAssumptionSettings } from '../../providers/singapay/assumptions';
import { FaultPlan, listen, readBody } from '../common';
import { TokenStore, type SingapayCredentials } from './auth';
import { CallbackSender } from './callbacks';
import { control } from './control';
import { accessToken, accountInquiry, inquiryStatus, triggerTopUp, type CallIn } from './endpoints';
import { Ledger } from './ledger';
import { envelope } from './respond';
import { callLog, type SimState } from './state';

export type { SingapayCredentials };

export interface SingapaySimulatorOptions {
  /** 0 (the default) = a free port. */
  port?: number;
  /** Default 127.0.0.1. */
  host?: string;
  /** Fixed credentials; whatever is missing is generated. */
  credentials?: Partial<SingapayCredentials>;
  /** Where webhooks go (Singapay: the merchant's configured notification URL). */
  notificationUrl?: string;
  /** Flat fee per top-up, whole rupiah; default 500. */
  feeRupiah?: number;
  /** Default 1 000 000 000. */
  initialBalanceRupiah?: number;
  /** Webhooks on final statuses; default true. */
  callbacks?: boolean;
  /**
   * Unset (the default): a transfer moves only when status is checked (simulators.md's table).
   * Set: a transfer to a number outside the table succeeds on its own this long after the trigger,
   * as a real provider settles, and calls back. Benchmarks use it to measure callbacks against polling.
   */
  settleAfterMs?: number;
  /**
   * What the simulated provider holds on the points its pages leave open (assumptions.ts); what is
   * not given is the client's default. POST /__sim/assumptions changes it, POST /__sim/reset restores this.
   */
  assumptions?: Partial<SingapayAssumptionSettings>;
  /** One line per event; never given secrets. */
  log?: (line: string) => void;
}

export interface SingapaySimulator {
  url: string;
  port: number;
  credentials: SingapayCredentials;
  /** Stops listening, ends held-open requests and aborts webhook deliveries. */
  close(): Promise<void>;
  setNotificationUrl(url: string | undefined): void;
}

function generateCredentials(given: Partial<SingapayCredentials> = {}): SingapayCredentials {
  return {
    clientId: given.clientId ?? `sim-client-${randomBytes(4).toString('hex')}`,
    clientSecret: given.clientSecret ?? randomBytes(32).toString('base64url'),
    apiKey: given.apiKey ?? randomUUID(),
    // A ULID-like account id, as the pages' example 01K5G4FZZ18DMK0M5QTR8Y9QY9.
    accountId: given.accountId ?? `01SIM${randomBytes(11).toString('hex').toUpperCase().slice(0, 21)}`,
  };
}

const PATHS = {
  token: '/api/v1.1/access-token/b2b',
  inquiry: '/api/v2.0/ewallet/account-inquiry',
  trigger: '/api/v2.0/ewallet/trigger-topup',
  status: /^\/api\/v2\.0\/ewallet\/([^/]+)\/inquiry-status$/,
  /** The other reading of singapay.status-path: the account id in the body. */
  statusAccountInBody: '/api/v2.0/ewallet/inquiry-status',
} as const;

export async function startSingapaySimulator(options: SingapaySimulatorOptions = {}): Promise<SingapaySimulator> {
  const credentials = generateCredentials(options.credentials);
  const log = options.log ?? (() => undefined);
  const startAssumptions = Object.freeze(singapayAssumptionSettings(options.assumptions));
  const state: SimState = {
    assumptions: { ...startAssumptions },
    startAssumptions,
    timestampStrict: options.assumptions?.timestampFormat !== undefined,
    startTimestampStrict: options.assumptions?.timestampFormat !== undefined,
    credentials,
    fee: options.feeRupiah ?? 500,
    ledger: new Ledger(options.initialBalanceRupiah ?? 1_000_000_000),
    tokens: new TokenStore(),
    faults: new FaultPlan(),
    unavailableCalls: new Map(),
    callbacks: new CallbackSender({
      enabled: options.callbacks ?? true,
      notificationUrl: options.notificationUrl,
      apiKey: credentials.apiKey,
      clientSecret: credentials.clientSecret,
      log,
    }),
    log,
    now: () => new Date(),
    settleAfterMs: options.settleAfterMs,
    calls: callLog(),
  };

  async function route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const arrivedAt = Date.now();
    const url = new URL(req.url ?? '/', 'http://simulator');
    const path = url.pathname;
    const rawBody = await readBody(req);
    if (path.startsWith('/__sim/')) return control(state, req, res, path, rawBody, url.searchParams);
    if (req.method !== 'POST') return envelope(res, 405, 'SP012', 'Method Not Allowed');
    const call: CallIn = { headers: req.headers, rawBody, pathWithQuery: `${path}${url.search}` };
    if (path === PATHS.token) {
      state.calls.record('token', arrivedAt);
      return accessToken(state, call, res);
    }
    if (path === PATHS.inquiry) {
      state.calls.record('inquiry', arrivedAt);
      return accountInquiry(state, call, res);
    }
    if (path === PATHS.trigger) {
      state.calls.record('trigger', arrivedAt);
      return triggerTopUp(state, call, res);
    }
    // Only the status path the simulator holds exists; the other is an unknown route (404 SP014).
    const status = state.assumptions.statusPath === 'account-in-path' ? PATHS.status.exec(path) : null;
    if (status) {
      state.calls.record('status', arrivedAt);
      return inquiryStatus(state, call, res, decodeURIComponent(status[1]!));
    }
    if (state.assumptions.statusPath === 'account-in-body' && path === PATHS.statusAccountInBody) {
      state.calls.record('status', arrivedAt);
      return inquiryStatus(state, call, res, undefined);
    }
    envelope(res, 404, 'SP014', 'Not Found');
  }

  const running = await listen(route, options.port ?? 0, options.host ?? '127.0.0.1', (err) =>
    log(`error: ${err instanceof Error ? err.message : String(err)}`),
  );

  return {
    url: running.url,
    port: running.port,
    credentials,
    close: async () => {
      state.callbacks.close();
      await running.close();
    },
    setNotificationUrl(url) {
      state.callbacks.notificationUrl = url;
    },
  };
}
