// The go-live check: settles each Singapay assumption (assumptions.ts) against a sandbox, before the
// service moves real money. Read-only calls first (a token, an account inquiry for the sandbox
// number of the provider's public pages, a status of a reference nobody used); with
// `transfer: true`, one small transfer and its status. One verdict per assumption: confirmed (with
// what the provider answered), refuted (with its code, message and HTTP status), or untested (why).
// It talks through the client's own transport, so the requests are the client's byte for byte, but
// it reads the answers raw: a wrong guess must show as what the provider said, not as our error.
// Evidence never holds a secret, a token or a signature.
import { randomBytes } from 'node:crypto';
import { formatRupiah, parseRupiah } from '../../domain/money';
import type { Ewallet } from '../../domain/payout';
import { ProviderCallError, type AssumptionVerdict, type TransferOrder } from '../../domain/provider-port';
import { accessTokens } from './access-token';
import { SINGAPAY_ASSUMPTION_IDS, SINGAPAY_ASSUMPTIONS, singapayAssumptionSettings, type SingapayAssumptionKey, type SingapayAssumptionSettings } from './assumptions';
import { stateOf } from './codes';
import type { SingapayClientConfig } from './client';
import { ewalletFields, SINGAPAY_PATHS, statusRequest } from './fields';
import { inquiryDataSchema, transferDataSchema, type Envelope, type TransferData } from './schemas';
import { securedCaller, type SecuredAnswer, type SecuredCall } from './transport';

export interface GoLiveOptions {
  /** Also make one small real transfer (the only way to settle some assumptions). */
  transfer: boolean;
  /** Default DANA. */
  ewallet?: Ewallet;
  /** Default the sandbox number of the provider's account inquiry page, 62811742234. */
  customerNumber?: string;
  /** The transfer's reference; default GOLIVE-<time>-<random>. */
  reference?: string;
}

export const SANDBOX_CUSTOMER_NUMBER = '62811742234';
const DEFAULT_MIN_AMOUNT = 10_000;

type Verdicts = Partial<Record<SingapayAssumptionKey, Omit<AssumptionVerdict, 'assumption'>>>;

/** What an answer said, for evidence: HTTP status, response code and message. Nothing else. */
function said(answer: SecuredAnswer): string {
  return `HTTP ${answer.httpStatus} ${answer.envelope.response_code}${answer.envelope.response_message ? ` "${answer.envelope.response_message}"` : ''}`;
}

function failed(err: unknown): string {
  if (err instanceof ProviderCallError) {
    const { httpStatus, providerCode } = err.details;
    return `${err.kind}${httpStatus !== undefined ? ` HTTP ${httpStatus}` : ''}${providerCode ? ` ${providerCode}` : ''}: ${err.message}`;
  }
  return err instanceof Error ? err.message : String(err);
}

const isSignatureRefusal = (answer: SecuredAnswer) => answer.envelope.response_code === '4019900' || answer.envelope.response_code === 'SP016';

function other<K extends SingapayAssumptionKey>(key: K, value: SingapayAssumptionSettings[K]): SingapayAssumptionSettings[K] {
  const values = SINGAPAY_ASSUMPTIONS.find((a) => a.id === SINGAPAY_ASSUMPTION_IDS[key])!.setting.values;
  return values.find((v) => v !== value) as SingapayAssumptionSettings[K];
}

export async function checkSingapayAssumptions(config: SingapayClientConfig, options: GoLiveOptions): Promise<AssumptionVerdict[]> {
  const settings = singapayAssumptionSettings({ ...(config.timestampFormat && { timestampFormat: config.timestampFormat }), ...config.assumptions });
  const now = config.now ?? (() => new Date());
  const baseUrl = config.baseUrl.replace(/\/+$/, '');
  const tokens = accessTokens({ baseUrl, clientId: config.clientId, clientSecret: config.clientSecret, apiKey: config.apiKey, timeoutMs: config.timeoutMs, now });
  const transport = (timestampFormat: SingapayAssumptionSettings['timestampFormat']) =>
    securedCaller({ baseUrl, apiKey: config.apiKey, clientSecret: config.clientSecret, timeoutMs: config.timeoutMs, timestampFormat, now }, tokens);
  const verdicts: Verdicts = {};
  const finish = (untestedWhy: (key: SingapayAssumptionKey) => string): AssumptionVerdict[] =>
    (Object.keys(SINGAPAY_ASSUMPTION_IDS) as SingapayAssumptionKey[])
      .map((key) => ({ assumption: SINGAPAY_ASSUMPTION_IDS[key], ...(verdicts[key] ?? { verdict: 'untested' as const, evidence: untestedWhy(key) }) }))
      .sort((a, b) => SINGAPAY_ASSUMPTIONS.findIndex((x) => x.id === a.assumption) - SINGAPAY_ASSUMPTIONS.findIndex((x) => x.id === b.assumption));

  // 1. A token: without one nothing else can be asked.
  try {
    await tokens.get();
  } catch (err) {
    return finish(() => `no access token, so nothing could be asked: ${failed(err)}`);
  }
  const call = transport(settings.timestampFormat);

  // 2. The account inquiry: the sandbox account, its limits and the provider's fee.
  const probe: TransferOrder = {
    reference: options.reference ?? `GOLIVE-${Date.now().toString(36).toUpperCase()}-${randomBytes(3).toString('hex').toUpperCase()}`,
    destination: { type: 'EWALLET', ewallet: options.ewallet ?? 'DANA', customerNumber: options.customerNumber ?? SANDBOX_CUSTOMER_NUMBER },
    amount: DEFAULT_MIN_AMOUNT,
    description: 'Go live check',
  };
  let quote: { min: number; fee: number; gross: number; answer: SecuredAnswer } | undefined;
  let inquiryProblem: string | undefined;
  try {
    const answer = await call(SINGAPAY_PATHS.inquiry, ewalletFields(config.accountId, probe), { what: 'account inquiry', operation: 'inquiry', signed: false, movesMoney: false });
    const data = answer.envelope.response_code === 'SP000' ? inquiryDataSchema.safeParse(answer.envelope.data) : undefined;
    if (data?.success) {
      quote = {
        min: data.data.min_amount ? parseRupiah(data.data.min_amount.value) : DEFAULT_MIN_AMOUNT,
        fee: parseRupiah(data.data.fee_amount.value),
        gross: parseRupiah(data.data.gross_amount.value),
        answer,
      };
    } else {
      inquiryProblem = `the account inquiry answered ${said(answer)}${data ? ' without the documented data' : ''}`;
    }
  } catch (err) {
    inquiryProblem = `the account inquiry failed: ${failed(err)}`;
  }

  // 3. singapay.status-path: a status of a reference nobody used, at the path we assume.
  const unknown = `GOLIVE-NONE-${randomBytes(6).toString('hex').toUpperCase()}`;
  const statusAt = async (path: SingapayAssumptionSettings['statusPath'], reference: string): Promise<SecuredAnswer | Error> => {
    const request = statusRequest(config.accountId, reference, path);
    return call(request.path, request.body, { what: 'inquiry status', operation: 'status', signed: false, movesMoney: false }).catch((err: unknown) => err as Error);
  };
  const knowsStatus = (a: SecuredAnswer | Error): a is SecuredAnswer => !(a instanceof Error) && ['SP009', 'SP000'].includes(a.envelope.response_code);
  const describe = (a: SecuredAnswer | Error) => (a instanceof Error ? failed(a) : said(a));
  const assumed = await statusAt(settings.statusPath, unknown);
  let statusPath = settings.statusPath;
  if (knowsStatus(assumed)) {
    verdicts.statusPath = { verdict: 'confirmed', evidence: `status of an unused reference at the ${settings.statusPath} path: ${said(assumed)}` };
  } else {
    const alternative = other('statusPath', settings.statusPath);
    const tried = await statusAt(alternative, unknown);
    if (knowsStatus(tried)) {
      statusPath = alternative;
      verdicts.statusPath = {
        verdict: 'refuted',
        evidence: `status of an unused reference at the ${settings.statusPath} path: ${describe(assumed)}; at the ${alternative} path: ${said(tried)}`,
      };
    } else {
      verdicts.statusPath = { verdict: 'untested', evidence: `neither status path answered for a transaction: ${settings.statusPath}: ${describe(assumed)}; ${alternative}: ${describe(tried)}` };
    }
  }

  if (!options.transfer) return finish(() => 'only a transfer can settle it (run with transfer: true)');
  if (!quote) return finish(() => `no transfer was made: ${inquiryProblem ?? 'the account inquiry gave no quote'}`);

  // 4. One transfer. Its amount is the smallest the beneficiary can receive under either reading of
  // the trigger's amount (the inquiry's min_amount plus the fee): a provider reading it the other way
  // still accepts it, and its answer's amounts tell the readings apart.
  const order: TransferOrder = { ...probe, amount: quote.min + quote.fee };
  let sent = order.amount;
  if (settings.triggerAmount === 'gross') {
    const grossQuote = await call(SINGAPAY_PATHS.inquiry, ewalletFields(config.accountId, order), { what: 'account inquiry', operation: 'inquiry', signed: false, movesMoney: false }).catch(
      (err: unknown) => err as Error,
    );
    const data = grossQuote instanceof Error ? undefined : inquiryDataSchema.safeParse(grossQuote.envelope.data);
    if (!data?.success) return finish(() => `no transfer was made: the account inquiry for the gross amount answered ${describe(grossQuote)}`);
    sent = parseRupiah(data.data.gross_amount.value);
  }
  const fields = ewalletFields(config.accountId, order);
  const body = { ...fields, amount: { ...fields.amount, value: formatRupiah(sent) }, reference_number: order.reference, notes: 'Go live check' };
  const trigger = (via: SecuredCall) => via(SINGAPAY_PATHS.trigger, body, { what: 'trigger top-up', operation: 'trigger', signed: true, movesMoney: true });
  let answer: SecuredAnswer;
  try {
    answer = await trigger(call);
    if (isSignatureRefusal(answer)) {
      // Refused before acting: the same reference may be sent again, with the other timestamp form.
      const alternative = other('timestampFormat', settings.timestampFormat);
      const again = await trigger(transport(alternative));
      if (isSignatureRefusal(again)) {
        verdicts.timestampFormat = {
          verdict: 'untested',
          evidence: `the trigger was refused with X-Timestamp as ${settings.timestampFormat} (${said(answer)}) and as ${alternative} (${said(again)}): the signature itself is refused (secret, clock), whatever the form`,
        };
        return finish(() => `no transfer was made: the trigger's signature was refused (${said(again)})`);
      }
      verdicts.timestampFormat = {
        verdict: 'refuted',
        evidence: `X-Timestamp as ${settings.timestampFormat}: ${said(answer)}; the same request with X-Timestamp as ${alternative}: ${said(again)}`,
      };
      answer = again;
    } else {
      // Anything but a signature refusal means the signed request passed the signature check.
      verdicts.timestampFormat = { verdict: 'confirmed', evidence: `the trigger signed with X-Timestamp as ${settings.timestampFormat} passed the signature check: ${said(answer)}` };
    }
  } catch (err) {
    return finish(() => `the transfer's trigger failed (${failed(err)}); ask its status by reference ${order.reference} before trying again`);
  }
  if (answer.envelope.response_code !== 'SP000') {
    return finish(() => `the trigger was not accepted: ${said(answer)} (reference ${order.reference})`);
  }
  const triggered = transferDataSchema.safeParse(answer.envelope.data);
  const afterStatus = await statusAt(statusPath, order.reference);
  const statusData = afterStatus instanceof Error || afterStatus.envelope.response_code !== 'SP000' ? undefined : transferDataSchema.safeParse(afterStatus.envelope.data);

  // singapay.trigger-amount: what the answers say the beneficiary receives, against what we meant.
  const amounts = [triggered.success ? ['trigger', triggered.data] : undefined, statusData?.success ? ['status', statusData.data] : undefined].filter(
    (x): x is [string, TransferData] => x !== undefined,
  );
  const withNet = amounts.filter(([, d]) => d.net_amount ?? d.amount);
  if (withNet.length === 0) {
    verdicts.triggerAmount = { verdict: 'untested', evidence: `neither the trigger nor the status answer carries a net amount (trigger ${said(answer)}, status ${describe(afterStatus)})` };
  } else {
    const shown = withNet.map(([what, d]) => `${what}: net ${(d.net_amount ?? d.amount)!.value}, fee ${(d.fee ?? d.fee_amount)?.value ?? '?'}, gross ${d.gross_amount?.value ?? '?'}`).join('; ');
    const wrong = withNet.some(([, d]) => parseRupiah((d.net_amount ?? d.amount)!.value) !== order.amount);
    verdicts.triggerAmount = {
      verdict: wrong ? 'refuted' : 'confirmed',
      evidence: `amount ${formatRupiah(sent)} sent as ${settings.triggerAmount} for a beneficiary amount of ${formatRupiah(order.amount)} (inquiry fee ${formatRupiah(quote.fee)}); ${shown}`,
    };
  }

  // singapay.status-vocabulary: the transaction_status of both answers, read as we assume.
  const statuses = [triggered.success ? ['trigger', triggered.data] : undefined, statusData?.success ? ['status', statusData.data] : undefined].filter(
    (x): x is [string, TransferData] => x !== undefined,
  );
  if (statuses.length === 0) {
    const shape = (d: Envelope['data']) => JSON.stringify((d as { transaction_status?: unknown } | undefined)?.transaction_status ?? null).slice(0, 60);
    verdicts.statusVocabulary = { verdict: 'refuted', evidence: `transaction_status is neither { code, desc } nor a word: trigger ${shape(answer.envelope.data)}` };
  } else {
    const readable = (d: TransferData, vocabulary: SingapayAssumptionSettings['statusVocabulary']) => {
      try {
        stateOf(d.transaction_status, vocabulary);
        return true;
      } catch {
        return false;
      }
    };
    const shown = statuses.map(([what, d]) => `${what}: ${JSON.stringify(d.transaction_status.code)}${d.transaction_status.desc ? ` (${d.transaction_status.desc})` : ''}`).join('; ');
    const alternative = other('statusVocabulary', settings.statusVocabulary);
    if (statuses.every(([, d]) => readable(d, settings.statusVocabulary))) {
      verdicts.statusVocabulary = { verdict: 'confirmed', evidence: `transaction_status in ${settings.statusVocabulary}: ${shown}` };
    } else {
      const theOther = statuses.every(([, d]) => readable(d, alternative));
      verdicts.statusVocabulary = { verdict: 'refuted', evidence: `transaction_status not in ${settings.statusVocabulary}${theOther ? ` but in ${alternative}` : ''}: ${shown}` };
    }
  }
  return finish(() => 'not settled by the calls made');
}
