// Faspay SendMe SNAP disbursement client, as docs/providers/faspay.md describes it (from the
// provider's public pages on SNAP disbursement and e-wallet top-up: headers, 16 account inquiry, 18
// interbank transfer, 36 transfer status, 11 balance, 12 history, 38/39 e-money top-up and its
// status, 32/33 VA bill inquiry and payment; signature and response codes). One HTTP call per
// operation and no retry loops: Temporal retries activities. Every request is signed with the
// merchant's RSA key over the exact body text sent and carries a fresh X-EXTERNAL-ID.
//
// Points the pages leave open are named assumptions (assumptions.ts, docs/providers/faspay.md),
// each switchable by FaspayClientConfig.assumptions: the signed path, the e-money inquiry, the VA
// company-code split, 33's callback field, the VA payment status call, the fee, history matching.
// An error a wrong guess would explain names it in ProviderCallError.details.assumptions.
// Also decided here:
// - 18 needs beneficiaryAccountName, which TransferOrder does not carry: the name from this client's
//   own inquiry is used; a client that has not seen one (another worker, a restart) asks 16 first,
//   which is also the provider pages' rule ("always make at least one account inquiry" before a transfer).
import { parseRupiah, toMoney } from '../../domain/money';
import type { Destination } from '../../domain/payout';
import { postJson } from '../http';
import { ProviderCallError, type AccountInquiryResult, type HistoryEntry, type PayoutProvider, type TransferOrder, type TransferStatusResult, type TriggerResult } from '../../domain/provider-port';
import {
  companyCodeDigitsFor,
  describeAssumptions,
  FASPAY_ASSUMPTION_IDS,
  feeForDestination,
  resolveFaspayAssumptions,
  signedPathFor,
  type FaspayAssumptionSettings,
} from './assumptions';
import { meaningOf } from './codes';
import { platformCodeOf, splitVirtualAccount, transactionDescription, type PlatformCode } from './fields';
import { externalIdGenerator, jakartaTimestamp, snapHeaders } from './headers';
import { accountInquiryOutcome, callErrorFor, parseAnswer, statusOutcome, triggerOutcome, vaInquiryOutcome, type FaspayAnswer } from './outcomes';
import { balanceAnswerSchema, baseAnswerSchema, historyAnswerSchema } from './schemas';
import { FASPAY_SERVICES, type FaspayService } from './services';
import { loadPrivateKey, minify, signRequest } from './signature';

export interface FaspayClientConfig {
  baseUrl: string;
  /** X-PARTNER-ID. */
  partnerId: string;
  /** The merchant's RSA private key, PKCS#8 or PKCS#1 PEM ("\n" escapes accepted). */
  privateKeyPem: string;
  /** The merchant's SendMe account number (source of funds). */
  sourceAccount: string;
  /** Where Faspay notifies us (mandatory in 18/38/33; sent empty when unset). */
  callbackUrl?: string;
  timeoutMs: number;
  now?: () => Date;
  /** The guesses about what the pages leave open (assumptions.ts); what is not given is the default. */
  assumptions?: Partial<FaspayAssumptionSettings>;
  /** X-EXTERNAL-ID source; tests only. Default: time + counter + random digits. */
  externalId?: () => string;
  /** ORIGIN header (optional in the provider pages). */
  origin?: string;
}

export interface FaspayBalance {
  accountNo: string;
  accounts: { balanceType: string; amount?: number; availableBalance: number; status?: string }[];
}

/** One history (12) entry: the port's entry plus Faspay's own fields as it sent them. */
export interface FaspayHistoryEntry extends HistoryEntry {
  dateTime: string;
  /** D debit, K credit (Indonesian "kredit"). */
  debitCredit: string;
}

export type FaspayProvider = Omit<PayoutProvider, 'transactionHistory'> & {
  /** The assumption settings this client follows (defaults with config.assumptions laid over). */
  readonly assumptions: FaspayAssumptionSettings;
  availableBalance(): Promise<number>;
  balanceInquiry(): Promise<FaspayBalance>;
  transactionHistory(from: Date, to: Date): Promise<FaspayHistoryEntry[]>;
};

/** Names learned from inquiries, for 18's mandatory beneficiaryAccountName. Bounded. */
const NAME_CACHE_LIMIT = 5_000;

/** Whether an answer refuses the e-money inquiry method (16 with a platform code) rather than the account. */
export function refusesEwalletInquiry(answer: { responseCode: string; responseMessage: string }): boolean {
  const meaning = meaningOf(answer.responseCode);
  // 404xx11 is the account (BENEFICIARY_NOT_FOUND). A 400xx00/01/02 is the method unless it is about
  // the account number or our source account.
  return meaning.kind === 'REFUSED' && meaning.code === 'INVALID_REQUEST' && !/beneficiaryAccountNo|sourceAccount/i.test(answer.responseMessage);
}

export function createFaspayProvider(config: FaspayClientConfig): FaspayProvider {
  const settings = resolveFaspayAssumptions(config.assumptions);
  const held = describeAssumptions(settings);
  const ids = FASPAY_ASSUMPTION_IDS;
  const privateKey = loadPrivateKey(config.privateKeyPem); // fails fast on a bad key, never echoing it
  const now = config.now ?? (() => new Date());
  const nextExternalId = config.externalId ?? externalIdGenerator(now);
  const baseUrl = config.baseUrl.replace(/\/+$/, '');
  const callbackUrl = config.callbackUrl ?? '';
  const names = new Map<string, string>();

  function rememberName(bankCode: string, accountNo: string, name: string): void {
    if (!name) return;
    names.delete(`${bankCode}:${accountNo}`);
    names.set(`${bankCode}:${accountNo}`, name);
    if (names.size > NAME_CACHE_LIMIT) names.delete(names.keys().next().value!);
  }

  /** One signed POST. Returns the answer when it carries a SNAP response code; else throws. */
  async function call(service: FaspayService, body: Record<string, unknown>, what: string, mayMoveMoney: boolean): Promise<FaspayAnswer> {
    const { path } = FASPAY_SERVICES[service];
    const text = minify(body);
    const timestamp = jakartaTimestamp(now());
    const signedPath = signedPathFor(path, settings.signedPath);
    const signature = signRequest(privateKey, { method: 'POST', path: signedPath, body: text, timestamp });
    const headers = snapHeaders({
      partnerId: config.partnerId,
      timestamp,
      signature,
      externalId: nextExternalId(),
      ...(config.origin && { origin: config.origin }),
    });
    const answer = await postJson(`${baseUrl}${path}`, { headers, body: text, timeoutMs: config.timeoutMs });
    const retryAfter = Number(answer.headers.get('retry-after'));
    const retryAfterMs = Number.isFinite(retryAfter) && retryAfter > 0 ? retryAfter * 1000 : undefined;
    let json: unknown;
    try {
      json = JSON.parse(answer.text);
    } catch {
      json = undefined;
    }
    const base = baseAnswerSchema.safeParse(json);
    const unauthorized = (said: string, providerCode?: string) =>
      new ProviderCallError(
        'UNAUTHORIZED',
        `${what}: ${said} (check FASPAY partner id, private key and clock, and ${ids.signedPath}: FASPAY_SIGNED_PATH=${settings.signedPath} signs ${signedPath})`,
        { httpStatus: answer.status, ...(providerCode && { providerCode }), mayHaveArrived: false, assumptions: [ids.signedPath] },
      );
    if (base.success) {
      const { responseCode, responseMessage } = base.data;
      if (meaningOf(responseCode).kind === 'UNAUTHORIZED') throw unauthorized(`${responseCode} ${responseMessage}`.trim(), responseCode);
      return { httpStatus: answer.status, responseCode: base.data.responseCode, responseMessage: base.data.responseMessage, json, ...(retryAfterMs && { retryAfterMs }) };
    }
    // No SNAP answer (a proxy's error page, an empty body): judge by the HTTP status alone.
    const details = { httpStatus: answer.status };
    if (answer.status === 429) throw new ProviderCallError('RATE_LIMITED', `${what}: HTTP 429`, { ...details, mayHaveArrived: false, ...(retryAfterMs && { retryAfterMs }) });
    if (answer.status === 401) throw unauthorized('HTTP 401');
    if (answer.status >= 500) throw new ProviderCallError('UNAVAILABLE', `${what}: HTTP ${answer.status}`, { ...details, mayHaveArrived: mayMoveMoney });
    throw new ProviderCallError('BAD_ANSWER', `${what}: HTTP ${answer.status} without a SNAP response code`, { ...details, mayHaveArrived: mayMoveMoney });
  }

  function platformOf(destination: Extract<Destination, { type: 'EWALLET' }>): PlatformCode {
    const platform = platformCodeOf(destination.ewallet);
    if (!platform) throw new ProviderCallError('MISCONFIGURED', `Faspay has no e-money platform for ${destination.ewallet}`, { mayHaveArrived: false });
    return platform;
  }

  function vaFields(destination: Extract<Destination, { type: 'VIRTUAL_ACCOUNT' }>) {
    const digits = companyCodeDigitsFor(settings, destination.billerCode);
    return { ...splitVirtualAccount(destination.virtualAccountNumber, digits), virtualAccountNo: destination.virtualAccountNumber };
  }

  /** A VA refused as unknown (404xx11) may be a wrong company-code split: the failure says so. */
  function withSplitHint(result: AccountInquiryResult, va: { partnerServiceId: string; customerNo: string }): AccountInquiryResult {
    if (result.outcome !== 'REFUSED' || result.failure.code !== 'BENEFICIARY_NOT_FOUND') return result;
    const hint = `if the virtual account exists, the company-code split may be wrong (${ids.vaCompanyCodeDigits}: FASPAY_VA_COMPANY_CODE_DIGITS=${held[ids.vaCompanyCodeDigits]} sent "${va.partnerServiceId}" + "${va.customerNo}")`;
    return { outcome: 'REFUSED', failure: { ...result.failure, message: `${result.failure.message} (${hint})` } };
  }

  /** 16 for a bank account or, with its platform code as bank code, an e-money account. */
  async function accountInquiry(bankCode: string, accountNo: string, amount: number, fee: number, ewallet: boolean): Promise<AccountInquiryResult> {
    const what = ewallet ? 'e-money account inquiry (16)' : 'account inquiry (16)';
    const answer = await call('accountInquiry', { beneficiaryBankCode: bankCode, beneficiaryAccountNo: accountNo, additionalInfo: { sourceAccount: config.sourceAccount } }, what, false);
    if (ewallet && refusesEwalletInquiry(answer)) {
      throw new ProviderCallError(
        'MISCONFIGURED',
        `${what}: Faspay refused the method, 16 with platform code "${bankCode}" as beneficiaryBankCode: ${answer.responseCode} ${answer.responseMessage} ` +
          `(${ids.ewalletInquiry}: set FASPAY_EWALLET_INQUIRY=none to pay e-wallets without an inquiry)`,
        { mayHaveArrived: false, httpStatus: answer.httpStatus, providerCode: answer.responseCode, assumptions: [ids.ewalletInquiry] },
      );
    }
    const result = accountInquiryOutcome(answer, amount, what, fee);
    if (result.outcome === 'VALID') rememberName(bankCode, accountNo, result.accountName);
    return result;
  }

  /** The beneficiary's name for 18: known from an inquiry, or asked now (nothing is sent if refused). */
  async function beneficiaryName(order: TransferOrder, bankCode: string, accountNo: string): Promise<string | AccountInquiryResult> {
    const given = order.accountName;
    if (typeof given === 'string' && given !== '') return given;
    const known = names.get(`${bankCode}:${accountNo}`);
    if (known) return known;
    try {
      const result = await accountInquiry(bankCode, accountNo, order.amount, feeForDestination(settings.fees, order.destination), false);
      return result.outcome === 'VALID' ? result.accountName : result;
    } catch (err) {
      if (!(err instanceof ProviderCallError)) throw err;
      // Only the inquiry before the transfer failed: the transfer itself was never sent.
      throw new ProviderCallError(err.kind, `before the transfer, ${err.message}`, { ...err.details, mayHaveArrived: false });
    }
  }

  async function transferInterbank(order: TransferOrder, d: Extract<Destination, { type: 'BANK_ACCOUNT' }>): Promise<TriggerResult> {
    const name = await beneficiaryName(order, d.bankCode, d.accountNumber);
    if (typeof name !== 'string') {
      return name.outcome === 'REFUSED' ? name : { outcome: 'REFUSED', failure: { code: 'INVALID_REQUEST', message: 'no beneficiary name' } };
    }
    const description = transactionDescription(order.description);
    const email = order.beneficiaryEmail && order.beneficiaryEmail.length <= 50 ? order.beneficiaryEmail : undefined;
    const at = jakartaTimestamp(now());
    const what = 'transfer interbank (18)';
    const answer = await call(
      'transferInterbank',
      {
        partnerReferenceNo: order.reference,
        amount: toMoney(order.amount),
        beneficiaryAccountName: name,
        beneficiaryAccountNo: d.accountNumber,
        beneficiaryBankCode: d.bankCode,
        ...(email && { beneficiaryEmail: email }),
        sourceAccountNo: config.sourceAccount,
        transactionDate: at,
        additionalInfo: { instructDate: '', ...(description && { transactionDescription: description }), callbackUrl },
      },
      what,
      true,
    );
    return triggerOutcome(answer, 'transfer', what);
  }

  async function emoneyTopup(order: TransferOrder, d: Extract<Destination, { type: 'EWALLET' }>): Promise<TriggerResult> {
    const description = transactionDescription(order.description);
    const email = order.beneficiaryEmail && order.beneficiaryEmail.length <= 128 ? order.beneficiaryEmail : undefined;
    const what = 'e-money top-up (38)';
    const answer = await call(
      'emoneyTopup',
      {
        partnerReferenceNo: order.reference,
        customerNumber: d.customerNumber,
        amount: toMoney(order.amount),
        transactionDate: jakartaTimestamp(now()),
        additionalInfo: {
          sourceAccount: config.sourceAccount,
          platformCode: platformOf(d),
          instructDate: '',
          ...(email && { beneficiaryEmail: email }),
          ...(description && { transactionDescription: description }),
          callbackUrl,
        },
      },
      what,
      true,
    );
    return triggerOutcome(answer, 'topup', what);
  }

  async function vaPayment(order: TransferOrder, d: Extract<Destination, { type: 'VIRTUAL_ACCOUNT' }>): Promise<TriggerResult> {
    const va = vaFields(d);
    const name = names.get(`va:${d.virtualAccountNumber}`);
    const what = 'VA bill payment (33)';
    const topLevel = settings.vaCallbackField === 'top-level';
    const answer = await call(
      'vaPayment',
      {
        partnerReferenceNo: order.reference,
        partnerServiceId: va.partnerServiceId,
        customerNo: va.customerNo,
        virtualAccountNo: va.virtualAccountNo,
        ...(name && { virtualAccountName: name }),
        sourceAccountNo: config.sourceAccount,
        paidAmount: toMoney(order.amount),
        trxDateTime: jakartaTimestamp(now()),
        // The table puts instructDate and callbackURL at the top level, the sample in additionalInfo.
        ...(topLevel && { instructDate: '', callbackURL: callbackUrl }),
        additionalInfo: topLevel ? { billerCode: d.billerCode } : { billerCode: d.billerCode, instructDate: '', callbackUrl },
      },
      what,
      true,
    );
    const meaning = meaningOf(answer.responseCode);
    if (meaning.kind === 'REFUSED' && meaning.code === 'INVALID_REQUEST' && /callback|instructDate/i.test(answer.responseMessage)) {
      // Refused before any money moved, and every VA payment would be refused the same way.
      throw new ProviderCallError(
        'MISCONFIGURED',
        `${what}: ${answer.responseCode} ${answer.responseMessage} (${ids.vaCallbackField}: FASPAY_VA_CALLBACK_FIELD=${settings.vaCallbackField})`,
        { mayHaveArrived: false, httpStatus: answer.httpStatus, providerCode: answer.responseCode, assumptions: [ids.vaCallbackField] },
      );
    }
    const result = triggerOutcome(answer, 'vaPayment', what);
    return result.outcome === 'REFUSED' ? (withSplitHint(result, va) as typeof result) : result;
  }

  /** A refusal of a status call: no repetition helps, and the payout would otherwise poll forever. */
  function statusRefused(what: string, assumptions: readonly string[], hint: string) {
    return (answer: FaspayAnswer) =>
      new ProviderCallError('MISCONFIGURED', `${what}: Faspay refused the status call: ${answer.responseCode} ${answer.responseMessage}${hint}`, {
        mayHaveArrived: false,
        httpStatus: answer.httpStatus,
        providerCode: answer.responseCode,
        assumptions,
      });
  }

  async function transferStatus(order: TransferOrder, serviceCode: '18' | '33', providerReference: string | undefined, va: boolean): Promise<TransferStatusResult> {
    const what = `${va ? 'VA payment' : 'transfer'} status (36, service ${serviceCode})`;
    const answer = await call(
      'transferStatus',
      { originalPartnerReferenceNo: order.reference, ...(providerReference && { originalReferenceNo: providerReference }), serviceCode },
      what,
      false,
    );
    const refused = va
      ? statusRefused(what, [ids.vaStatus], ` (${ids.vaStatus}: FASPAY_VA_STATUS=${settings.vaStatus})`)
      : statusRefused(what, [], '');
    return statusOutcome(answer, 'transfer', what, refused);
  }

  async function balanceInquiry(): Promise<FaspayBalance> {
    const what = 'balance inquiry (11)';
    const answer = await call('balanceInquiry', { accountNo: config.sourceAccount }, what, false);
    const meaning = meaningOf(answer.responseCode);
    if (meaning.kind === 'REFUSED') {
      // The only account we ask about is our own: a refusal means the configuration is wrong.
      throw new ProviderCallError('MISCONFIGURED', `${what}: ${answer.responseCode} ${answer.responseMessage} (check FASPAY source account)`, {
        mayHaveArrived: false,
        providerCode: answer.responseCode,
      });
    }
    if (meaning.kind !== 'OK') throw callErrorFor(answer, meaning, what, false);
    const data = parseAnswer(answer, balanceAnswerSchema, what);
    return {
      accountNo: data.accountNo ?? config.sourceAccount,
      accounts: data.accountInfos.map((info) => ({
        balanceType: info.balanceType ?? '',
        ...(info.amount && { amount: wholeRupiah(info.amount.value) }),
        availableBalance: wholeRupiah(info.availableBalance.value),
        ...(info.status && { status: info.status }),
      })),
    };
  }

  return {
    key: 'faspay',
    assumptions: settings,

    async inquireAccount(order: TransferOrder): Promise<AccountInquiryResult> {
      const d = order.destination;
      const fee = feeForDestination(settings.fees, d);
      switch (d.type) {
        case 'BANK_ACCOUNT':
          return accountInquiry(d.bankCode, d.accountNumber, order.amount, fee, false);
        case 'EWALLET': {
          const platform = platformOf(d);
          if (settings.ewalletInquiry === 'none') {
            // No inquiry: Faspay registers an unknown beneficiary itself on the top-up; no holder name.
            return { outcome: 'VALID', accountName: '', amount: order.amount, fee, grossAmount: order.amount + fee };
          }
          return accountInquiry(platform, d.customerNumber, order.amount, fee, true);
        }
        case 'VIRTUAL_ACCOUNT': {
          const what = 'VA bill inquiry (32)';
          const va = vaFields(d);
          const answer = await call(
            'vaInquiry',
            { ...va, additionalInfo: { billerCode: d.billerCode, sourceAccountNo: config.sourceAccount } },
            what,
            false,
          );
          const result = withSplitHint(vaInquiryOutcome(answer, order.amount, what, fee), va);
          if (result.outcome === 'VALID') rememberName('va', d.virtualAccountNumber, result.accountName);
          return result;
        }
      }
    },

    async triggerTransfer(order: TransferOrder): Promise<TriggerResult> {
      const d = order.destination;
      switch (d.type) {
        case 'BANK_ACCOUNT':
          return transferInterbank(order, d);
        case 'EWALLET':
          return emoneyTopup(order, d);
        case 'VIRTUAL_ACCOUNT':
          return vaPayment(order, d);
      }
    },

    async checkTransferStatus(order: TransferOrder, providerReference?: string): Promise<TransferStatusResult> {
      const d = order.destination;
      switch (d.type) {
        case 'BANK_ACCOUNT':
          return transferStatus(order, '18', providerReference, false);
        case 'VIRTUAL_ACCOUNT':
          return transferStatus(order, settings.vaStatus === 'transfer-status-18' ? '18' : '33', providerReference, true);
        case 'EWALLET': {
          const what = 'top-up status (39)';
          const answer = await call(
            'emoneyTopupStatus',
            { originalPartnerReferenceNo: order.reference, ...(providerReference && { originalReferenceNo: providerReference }), serviceCode: '38' },
            what,
            false,
          );
          return statusOutcome(answer, 'topup', what, statusRefused(what, [], ''));
        }
      }
    },

    /** The main (CASH, else the first) account's available balance, in whole rupiah. */
    async availableBalance(): Promise<number> {
      const { accounts } = await balanceInquiry();
      const main = accounts.find((a) => a.balanceType.toUpperCase() === 'CASH') ?? accounts[0]!;
      return main.availableBalance;
    },

    balanceInquiry,

    /** 12: account mutations between two instants (Faspay: span ≤ 1 month, ≤ 3 months back). */
    async transactionHistory(from: Date, to: Date): Promise<FaspayHistoryEntry[]> {
      const what = 'transaction history (12)';
      const answer = await call(
        'transactionHistory',
        { fromDateTime: jakartaTimestamp(from), toDateTime: jakartaTimestamp(to), additionalInfo: { accountNo: config.sourceAccount } },
        what,
        false,
      );
      const meaning = meaningOf(answer.responseCode);
      if (meaning.kind === 'REFUSED') {
        throw new ProviderCallError('MISCONFIGURED', `${what}: ${answer.responseCode} ${answer.responseMessage}`, { mayHaveArrived: false, providerCode: answer.responseCode });
      }
      if (meaning.kind !== 'OK') throw callErrorFor(answer, meaning, what, false);
      return parseAnswer(answer, historyAnswerSchema, what).detailData.map((entry) => ({
        at: entry.dateTime,
        direction: entry.additionalInfo?.debitCredit === 'K' || entry.additionalInfo?.debitCredit === 'C' ? 'CREDIT' : 'DEBIT',
        dateTime: entry.dateTime,
        amount: wholeRupiah(entry.amount.value.replace(/^-/, '')),
        remark: entry.remark,
        status: entry.status,
        type: entry.type,
        debitCredit: entry.additionalInfo?.debitCredit ?? '',
      }));
    },
  };
}

/** A balance may carry sen ("130000.50"); whole rupiah, rounded down, is what can be spent. */
function wholeRupiah(value: string): number {
  if (value.startsWith('-')) return 0; // overdrawn: nothing can be spent
  const [whole] = value.split('.');
  try {
    return parseRupiah(`${Number(whole)}.00`);
  } catch {
    throw new ProviderCallError('BAD_ANSWER', `an amount that is not rupiah (${value})`, { mayHaveArrived: false });
  }
}
