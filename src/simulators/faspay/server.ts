// A faithful Faspay SendMe SNAP simulator (docs/providers/faspay.md,
// simulators.md): the real RSA signature check, SNAP headers, X-TIMESTAMP window, X-EXTERNAL-ID
// reuse, field rules, response codes with each service's code, a merchant balance with history,
// the duplicate-reference check, status transitions by scenario, signed callbacks, and the
// loopback-only control API. A sibling of the Singapay simulator: same options, control API, close().
import { createPublicKey, generateKeyPair, randomInt, type KeyObject } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { promisify } from 'node:util';
import { responseCode } from '../../providers/faspay/codes';
import { jakartaTimestamp } from '../../providers/faspay/headers';
import { FASPAY_SERVICES, type FaspayService } from '../../providers/faspay/services';
import { loadPrivateKey, loadPublicKey } from '../../providers/faspay/signature';
import { CallLog, delay, FaultPlan, listen, readBody, sendJson, type Operation } from '../common';
import { HeldAssumptions } from './assumptions';
import { authenticate } from './auth';
import { CallbackSender } from './callbacks';
import { control } from './control';
import * as inquiries from './inquiries';
import { Ledger } from './ledger';
import type { Answer, EndpointContext, TriggerMode } from './respond';
import * as statuses from './statuses';
import * as transfers from './transfers';

export interface FaspaySimulatorOptions {
  /** 0 = a free port. */
  port?: number;
  /** Default 127.0.0.1. */
  host?: string;
  /** The merchant's public key; when absent the simulator generates a merchant key pair. */
  merchantPublicKeyPem?: string;
  partnerId?: string;
  sourceAccount?: string;
  /** Default 1 000 000 000. */
  initialBalanceRupiah?: number;
  /** Callbacks on final statuses; default true. */
  callbacks?: boolean;
  log?: (line: string) => void;
}

export interface FaspayCredentials {
  partnerId: string;
  sourceAccount: string;
  /** The generated merchant private key; empty when options.merchantPublicKeyPem was given. */
  merchantPrivateKeyPem: string;
  merchantPublicKeyPem: string;
}

export interface FaspaySimulator {
  url: string;
  port: number;
  credentials: FaspayCredentials;
  /** Verifies the simulator's callbacks (verifyFaspayCallback). */
  simulatorPublicKeyPem: string;
  close(): Promise<void>;
}

const generateRsa = promisify(generateKeyPair);

async function rsaKeyPair(): Promise<{ privateKeyPem: string; publicKeyPem: string }> {
  const { privateKey, publicKey } = await generateRsa('rsa', {
    modulusLength: 2048,
    publicKeyEncoding: { type: 'spki', format: 'pem' },
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
  });
  return { privateKeyPem: privateKey, publicKeyPem: publicKey };
}

type Handler = (ctx: EndpointContext, json: unknown, answer: Answer, mode: TriggerMode) => void;

/** What GET /__sim/calls counts a call as: the fault operations, with the merchant's own account calls apart. */
export type FaspayCallOperation = 'inquiry' | 'trigger' | 'status' | 'balance' | 'history';
export const FASPAY_CALL_OPERATIONS: readonly FaspayCallOperation[] = ['inquiry', 'trigger', 'status', 'balance', 'history'];

const ROUTES: Record<FaspayService, { operation: Operation; counted: FaspayCallOperation; handle: Handler }> = {
  accountInquiry: { operation: 'inquiry', counted: 'inquiry', handle: inquiries.accountInquiry },
  vaInquiry: { operation: 'inquiry', counted: 'inquiry', handle: inquiries.vaInquiry },
  // The merchant's own account calls are read-only inquiries too, for faults.
  balanceInquiry: { operation: 'inquiry', counted: 'balance', handle: inquiries.balanceInquiry },
  transactionHistory: { operation: 'inquiry', counted: 'history', handle: inquiries.transactionHistory },
  transferInterbank: { operation: 'trigger', counted: 'trigger', handle: transfers.transferInterbank },
  emoneyTopup: { operation: 'trigger', counted: 'trigger', handle: transfers.emoneyTopup },
  vaPayment: { operation: 'trigger', counted: 'trigger', handle: transfers.vaPayment },
  transferStatus: { operation: 'status', counted: 'status', handle: statuses.transferStatus },
  emoneyTopupStatus: { operation: 'status', counted: 'status', handle: statuses.topupStatus },
};
const BY_PATH = new Map<string, FaspayService>(Object.entries(FASPAY_SERVICES).map(([name, s]) => [s.path, name as FaspayService]));

export async function startFaspaySimulator(options: FaspaySimulatorOptions = {}): Promise<FaspaySimulator> {
  const log = options.log ?? (() => undefined);
  const merchant = options.merchantPublicKeyPem
    ? { privateKeyPem: '', publicKeyPem: createPublicKey(options.merchantPublicKeyPem).export({ type: 'spki', format: 'pem' }).toString() }
    : await rsaKeyPair();
  const own = await rsaKeyPair();
  const credentials: FaspayCredentials = {
    partnerId: options.partnerId ?? String(randomInt(10_000, 100_000)),
    // SendMe account numbers look like 99200xxxxx (the provider pages' samples).
    sourceAccount: options.sourceAccount ?? `99200${String(randomInt(100_000)).padStart(5, '0')}`,
    merchantPrivateKeyPem: merchant.privateKeyPem,
    merchantPublicKeyPem: merchant.publicKeyPem,
  };
  const merchantPublicKey: KeyObject = loadPublicKey(merchant.publicKeyPem);
  const callbacks = new CallbackSender(options.callbacks ?? true, loadPrivateKey(own.privateKeyPem), credentials.partnerId, log);
  const ledger = new Ledger(options.initialBalanceRupiah ?? 1_000_000_000, credentials.sourceAccount, (t) => callbacks.notify(t));
  const faults = new FaultPlan();
  const held = new HeldAssumptions();
  const calls = new CallLog(FASPAY_CALL_OPERATIONS);
  const endpointContext: EndpointContext = { ledger, faults, sourceAccount: credentials.sourceAccount, held, log, now: () => new Date() };

  async function provider(req: IncomingMessage, res: ServerResponse, path: string, arrivedAt: number): Promise<void> {
    const service = BY_PATH.get(path);
    // Every call to a service's path counts, whatever its answer (the provider saw it).
    if (service) calls.record(ROUTES[service].counted, arrivedAt);
    const raw = await readBody(req);
    const code = service ? FASPAY_SERVICES[service].code : '00';
    const answer: Answer = (http, kase, message, extra = {}) =>
      sendJson(res, http, { responseCode: responseCode(http, code, kase), responseMessage: message, ...extra }, { 'X-TIMESTAMP': jakartaTimestamp(new Date()) });
    if (!service) return answer(404, '00', 'Not Found');
    if (req.method !== 'POST') return answer(405, '00', 'Method Not Allowed');
    const route = ROUTES[service];

    // A programmed fault comes first: it stands for trouble in front of Faspay's application.
    const fault = faults.take(route.operation);
    let mode: TriggerMode = 'ANSWER';
    if (fault) {
      log(`fault ${fault.mode} on ${route.operation} (${service})`);
      switch (fault.mode) {
        case 'http500':
          return answer(500, '00', 'General Error');
        case 'http503':
          return answer(503, '00', 'Service Unavailable');
        case 'timeout':
          return; // hold the request open: the client times out, nothing happened
        case 'accept-then-timeout':
          if (route.operation !== 'trigger') return;
          mode = 'HOLD_AFTER'; // the money moves, the answer never leaves
          break;
        case 'latency':
          await delay(fault.latencyMs ?? 1000);
          break;
        default:
          break; // status-lag and refuse-duplicate act inside the endpoints
      }
    }

    const refusal = authenticate(req, path, raw, { partnerId: credentials.partnerId, merchantPublicKey, ledger, signedPath: held.settings.signedPath });
    if (refusal) return answer(refusal.http, refusal.case, refusal.message);
    let json: unknown;
    try {
      json = JSON.parse(raw);
    } catch {
      return answer(400, '00', 'Bad Request');
    }
    if (json === null || typeof json !== 'object' || Array.isArray(json)) return answer(400, '00', 'Bad Request');
    try {
      route.handle(endpointContext, json, answer, mode);
    } catch (err) {
      // A simulator bug still answers in SNAP form (common.ts would answer in Singapay's).
      log(`error in ${service}: ${(err as Error).message}`);
      if (!res.headersSent) answer(500, '01', 'Internal Server Error');
    }
  }

  const running = await listen(
    async (req, res) => {
      const arrivedAt = Date.now();
      const url = new URL(req.url ?? '/', 'http://simulator');
      const path = url.pathname;
      if (path.startsWith('/__sim/')) return control({ ledger, faults, callbacks, held, calls }, req, res, path, url.searchParams);
      return provider(req, res, path, arrivedAt);
    },
    options.port ?? 0,
    options.host ?? '127.0.0.1',
    (err) => log(`error: ${(err as Error).message}`),
  );

  return {
    url: running.url,
    port: running.port,
    credentials,
    simulatorPublicKeyPem: own.publicKeyPem,
    async close() {
      callbacks.close();
      await running.close();
    },
  };
}
