// The go-live check: every Faspay assumption (assumptions.ts) tried against a sandbox, one verdict
// each. Read-only calls first (balance, account inquiries of a bank account, an e-money number and a
// VA, the status of an unknown reference, today's history); with `transfer: true` also one
// minimum-amount bank transfer (18) and one VA payment (33), their status, and the history for the
// fee. A refuted assumption is found precisely: where the provider refuses our form, the other form
// is tried, and the verdict says which one it took; later checks go on with the form that works.
// Evidence quotes the provider's codes and messages, never a key or a signature.
import type { Destination, Ewallet } from '../../domain/payout';
import { ProviderCallError, type AssumptionVerdict, type HistoryEntry, type TransferOrder } from '../../domain/provider-port';
import {
  describeAssumptions,
  FASPAY_ASSUMPTION_IDS,
  FASPAY_ASSUMPTIONS,
  feeForDestination,
  feeKeyOf,
  HISTORY_MATCH,
  resolveFaspayAssumptions,
  signedPathFor,
  VA_CALLBACK_FIELD,
  type FaspayAssumptionSettings,
} from './assumptions';
import { createFaspayProvider, type FaspayClientConfig, type FaspayProvider } from './client';
import { accountStateOf } from './codes';
import { splitVirtualAccount } from './fields';
import { jakartaDay } from './headers';
import { feeDebited, findPayoutEntries, isFeeRemark, type PayoutEntry } from './history';
import { FASPAY_SERVICES } from './services';

export interface FaspayGoLiveOptions {
  /** Also move money: one bank transfer and (unless vaPayment is false) one VA payment of `amount`. */
  transfer: boolean;
  /** Default: the provider pages' account-inquiry sample, bank 002, account 888801000157508. */
  bankAccount?: { bankCode: string; accountNumber: string };
  /** Default: the provider pages' top-up sample, OVO 6281773628883. */
  ewallet?: { ewallet: Ewallet; customerNumber: string };
  /** Default: the provider pages' VA sample, biller 014, 126085212344321. */
  virtualAccount?: { billerCode: string; virtualAccountNumber: string };
  /** Whole rupiah per transfer; default 10 000 (the pages name no minimum). */
  amount?: number;
  /** With `transfer`, also pay the VA (settles faspay.va-callback-field and faspay.va-status); default true. */
  vaPayment?: boolean;
  /** Prefix of the references the check uses; default GOLIVE. */
  referencePrefix?: string;
  /** Status checks per transfer, and the pause between them; defaults 10 and 3 s. */
  statusChecks?: number;
  statusIntervalMs?: number;
  /** How long to wait for the transfer's history entries, and for a fee debit after it; defaults 60 s and 15 s. */
  historyWaitMs?: number;
  feeWaitMs?: number;
  historyIntervalMs?: number;
  log?: (line: string) => void;
}

const IDS = FASPAY_ASSUMPTION_IDS;
const DEFAULTS = {
  bankAccount: { bankCode: '002', accountNumber: '888801000157508' },
  ewallet: { ewallet: 'OVO' as Ewallet, customerNumber: '6281773628883' },
  virtualAccount: { billerCode: '014', virtualAccountNumber: '126085212344321' },
  amount: 10_000,
};

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A provider error as evidence: kind, HTTP status, SNAP code and message (messages never hold secrets). */
function describe(err: unknown): string {
  if (err instanceof ProviderCallError) {
    const parts = [err.kind, err.details.httpStatus !== undefined ? `HTTP ${err.details.httpStatus}` : undefined, err.details.providerCode].filter(Boolean);
    return `${parts.join(' ')}: ${err.message}`;
  }
  return err instanceof Error ? err.message : String(err);
}

function names(err: unknown, id: string): boolean {
  return err instanceof ProviderCallError && (err.details.assumptions ?? []).includes(id);
}

function isUnauthorized(err: unknown): boolean {
  return err instanceof ProviderCallError && err.kind === 'UNAUTHORIZED';
}

export async function checkFaspayAssumptions(config: FaspayClientConfig, options: FaspayGoLiveOptions): Promise<AssumptionVerdict[]> {
  const log = options.log ?? (() => undefined);
  const amount = options.amount ?? DEFAULTS.amount;
  const bankAccount = options.bankAccount ?? DEFAULTS.bankAccount;
  const ewallet = options.ewallet ?? DEFAULTS.ewallet;
  const virtualAccount = options.virtualAccount ?? DEFAULTS.virtualAccount;
  const prefix = options.referencePrefix ?? 'GOLIVE';
  const now = config.now ?? (() => new Date());
  const stamp = `${now().getTime().toString(36).toUpperCase()}${Math.floor(Math.random() * 1296).toString(36).toUpperCase()}`;

  const verdicts = new Map<string, AssumptionVerdict>();
  /** The first verdict for an assumption stands. */
  const judge = (assumption: string, verdict: AssumptionVerdict['verdict'], evidence: string) => {
    if (verdicts.has(assumption)) return;
    verdicts.set(assumption, { assumption, verdict, evidence });
    log(`${assumption}: ${verdict} (${evidence})`);
  };
  const result = (untestedWhy: string): AssumptionVerdict[] =>
    FASPAY_ASSUMPTIONS.map((a) => verdicts.get(a.id) ?? { assumption: a.id, verdict: 'untested', evidence: untestedWhy });

  /** What works so far: the configured settings, corrected where the provider showed another form. */
  let working: FaspayAssumptionSettings = resolveFaspayAssumptions(config.assumptions);
  const clientWith = (settings: FaspayAssumptionSettings): FaspayProvider => createFaspayProvider({ ...config, assumptions: settings });
  let client = clientWith(working);
  const orderFor = (destination: Destination, suffix: string, value = amount): TransferOrder => ({
    reference: `${prefix}-${stamp}-${suffix}`,
    destination,
    amount: value,
    description: 'Go-live check',
  });

  // --- faspay.signed-path: the balance (11), signed as configured, else the other way ---
  const balancePath = FASPAY_SERVICES.balanceInquiry.path;
  let balanceBefore: number | undefined;
  try {
    const balance = await client.balanceInquiry();
    const main = balance.accounts.find((a) => a.balanceType.toUpperCase() === 'CASH') ?? balance.accounts[0];
    balanceBefore = main?.availableBalance;
    judge(
      IDS.signedPath,
      'confirmed',
      `11 answered with the balance to a request signed over ${signedPathFor(balancePath, working.signedPath)} (account status ${main?.status ?? '?'} ${accountStateOf(main?.status ?? '')})`,
    );
  } catch (err) {
    if (!isUnauthorized(err)) {
      judge(IDS.signedPath, 'untested', `the balance call failed otherwise: ${describe(err)}`);
    } else {
      const other = working.signedPath === 'with-account' ? 'without-account' : 'with-account';
      const otherSettings = { ...working, signedPath: other } as const;
      try {
        await clientWith(otherSettings).balanceInquiry();
        judge(
          IDS.signedPath,
          'refuted',
          `signed over ${signedPathFor(balancePath, working.signedPath)}: ${describe(err)}; the same call signed over ${signedPathFor(balancePath, other)} was answered: set FASPAY_SIGNED_PATH=${other}`,
        );
        working = otherSettings;
        client = clientWith(working);
      } catch (again) {
        judge(
          IDS.signedPath,
          'untested',
          `both path forms were refused (${describe(err)}; ${describe(again)}): the partner id, the private key or the clock is wrong, not the path`,
        );
        return result('no call was authorised, so nothing else could be tried');
      }
    }
  }

  // --- faspay.ewallet-inquiry: 16 with the platform code ---
  const ewalletOrder = orderFor({ type: 'EWALLET', ewallet: ewallet.ewallet, customerNumber: ewallet.customerNumber }, 'E');
  if (working.ewalletInquiry === 'bank-inquiry') {
    try {
      const inquiry = await client.inquireAccount(ewalletOrder);
      if (inquiry.outcome === 'VALID') {
        judge(IDS.ewalletInquiry, 'confirmed', `16 with platform code for ${ewallet.ewallet} answered 2001600 with a holder name for ${ewallet.customerNumber}`);
      } else {
        judge(
          IDS.ewalletInquiry,
          'untested',
          `16 answered ${inquiry.failure.providerCode ?? ''} ${inquiry.failure.message} (${inquiry.failure.code}) for ${ewallet.customerNumber}: the account, not the method, was refused; give an e-money number the sandbox knows`,
        );
      }
    } catch (err) {
      judge(IDS.ewalletInquiry, names(err, IDS.ewalletInquiry) ? 'refuted' : 'untested', describe(err));
    }
  } else {
    let probe: string;
    try {
      const inquiry = await clientWith({ ...working, ewalletInquiry: 'bank-inquiry' }).inquireAccount(ewalletOrder);
      probe = inquiry.outcome === 'VALID' ? 'the provider would also answer 16 for e-money (2001600): bank-inquiry would show holder names' : `16 for e-money answered ${inquiry.failure.providerCode ?? inquiry.failure.code}`;
    } catch (err) {
      probe = names(err, IDS.ewalletInquiry) ? `the provider refuses 16 for e-money (${describe(err)})` : `a probe of 16 failed (${describe(err)})`;
    }
    judge(IDS.ewalletInquiry, 'confirmed', `FASPAY_EWALLET_INQUIRY=none makes no inquiry call; ${probe}`);
  }

  // --- faspay.va-company-code-digits: 32 with the configured split, else every other length ---
  const vaDestination: Destination = { type: 'VIRTUAL_ACCOUNT', billerCode: virtualAccount.billerCode, virtualAccountNumber: virtualAccount.virtualAccountNumber };
  let vaAmount = amount;
  let vaKnown = false;
  const splitText = (digits: number) => {
    const split = splitVirtualAccount(virtualAccount.virtualAccountNumber, digits);
    return `"${split.partnerServiceId}" + "${split.customerNo}"`;
  };
  const digitsNow = (s: FaspayAssumptionSettings) => s.vaCompanyCodeDigits.byBiller[virtualAccount.billerCode] ?? s.vaCompanyCodeDigits.default;
  try {
    const inquiry = await client.inquireAccount(orderFor(vaDestination, 'VI'));
    const closedBill = inquiry.outcome === 'REFUSED' && inquiry.failure.code === 'AMOUNT_OUT_OF_RANGE' ? /closed bill of (\d+)/.exec(inquiry.failure.message) : null;
    if (inquiry.outcome === 'VALID' || closedBill) {
      if (closedBill) vaAmount = Number(closedBill[1]);
      vaKnown = true;
      judge(IDS.vaCompanyCodeDigits, 'confirmed', `32 answered 2003200 for ${splitText(digitsNow(working))} (biller ${virtualAccount.billerCode})`);
    } else if (inquiry.failure.code === 'BENEFICIARY_NOT_FOUND') {
      const tried = digitsNow(working);
      const refusal = `${inquiry.failure.providerCode ?? ''} ${inquiry.failure.code}`.trim();
      for (let digits = 1; digits <= Math.min(8, virtualAccount.virtualAccountNumber.length - 1) && !vaKnown; digits += 1) {
        if (digits === tried) continue;
        const settings: FaspayAssumptionSettings = {
          ...working,
          vaCompanyCodeDigits: { default: working.vaCompanyCodeDigits.default, byBiller: { ...working.vaCompanyCodeDigits.byBiller, [virtualAccount.billerCode]: digits } },
        };
        try {
          const probe = await clientWith(settings).inquireAccount(orderFor(vaDestination, `VI${digits}`));
          const probeBill = probe.outcome === 'REFUSED' && probe.failure.code === 'AMOUNT_OUT_OF_RANGE' ? /closed bill of (\d+)/.exec(probe.failure.message) : null;
          if (probe.outcome === 'VALID' || probeBill) {
            if (probeBill) vaAmount = Number(probeBill[1]);
            vaKnown = true;
            judge(
              IDS.vaCompanyCodeDigits,
              'refuted',
              `32 answered ${refusal} for ${splitText(tried)}, and 2003200 for ${splitText(digits)}: the company code of biller ${virtualAccount.billerCode} has ${digits} digits (FASPAY_VA_COMPANY_CODE_DIGITS=${working.vaCompanyCodeDigits.default},${virtualAccount.billerCode}:${digits})`,
            );
            working = settings;
            client = clientWith(working);
          }
        } catch {
          // this length is not it either
        }
      }
      if (!vaKnown) judge(IDS.vaCompanyCodeDigits, 'untested', `32 answered ${refusal} for ${virtualAccount.virtualAccountNumber} under every company-code length: give a VA the sandbox knows`);
    } else {
      judge(IDS.vaCompanyCodeDigits, 'untested', `32 answered ${inquiry.failure.providerCode ?? ''} ${inquiry.failure.message} (${inquiry.failure.code})`);
    }
  } catch (err) {
    judge(IDS.vaCompanyCodeDigits, 'untested', `the VA inquiry failed: ${describe(err)}`);
  }

  // --- faspay.va-status, read-only: 36 as configured, for a reference nobody used ---
  let vaStatusProbe = '';
  try {
    const status = await client.checkTransferStatus(orderFor(vaDestination, 'UNKNOWN'));
    vaStatusProbe = `36 with serviceCode ${working.vaStatus === 'transfer-status-18' ? '18' : '33'} took the form for an unknown reference (${status.providerStatus.code} ${status.providerStatus.desc})`;
  } catch (err) {
    if (names(err, IDS.vaStatus)) judge(IDS.vaStatus, 'refuted', describe(err));
    else vaStatusProbe = `the status of an unknown reference failed: ${describe(err)}`;
  }

  // --- today's history (12): read-only, settles nothing by itself ---
  let historyToday = '';
  try {
    const day = jakartaDay(now());
    const entries = await client.transactionHistory(new Date(`${day}T00:00:00+07:00`), now());
    historyToday = `today's history lists ${entries.length} entries`;
  } catch (err) {
    historyToday = `today's history failed: ${describe(err)}`;
  }

  if (!options.transfer) {
    const why = 'settled only by a transfer (transfer: true)';
    judge(IDS.vaStatus, 'untested', `${why}; ${vaStatusProbe}`);
    judge(IDS.vaCallbackField, 'untested', why);
    judge(IDS.fees, 'untested', `${why}; FASPAY_FEES is ${describeAssumptions(working)[IDS.fees]}`);
    judge(IDS.historyMatch, 'untested', `${why}; ${historyToday}`);
    return result('not reached');
  }

  // --- with a transfer: 18 to the bank account, its status, then the history (fee, matching) ---
  const bankOrder = orderFor({ type: 'BANK_ACCOUNT', bankCode: bankAccount.bankCode, accountNumber: bankAccount.accountNumber }, 'B');
  const expectedFee = feeForDestination(working.fees, bankOrder.destination);
  const feeKey = feeKeyOf(bankOrder.destination);
  await bankTransfer();

  // --- with a transfer: 33 to the VA (callback field) and its status (va-status) ---
  if (options.vaPayment === false) {
    judge(IDS.vaCallbackField, 'untested', 'no VA payment was made (vaPayment: false)');
    judge(IDS.vaStatus, 'untested', `no VA payment was made (vaPayment: false); ${vaStatusProbe}`);
  } else if (!vaKnown) {
    judge(IDS.vaCallbackField, 'untested', 'no VA payment was made: the sandbox VA is not known (see faspay.va-company-code-digits)');
    judge(IDS.vaStatus, 'untested', `no VA payment was made; ${vaStatusProbe}`);
  } else {
    await vaPayment();
  }
  return result('not reached');

  async function bankTransfer(): Promise<void> {
    const untested = (why: string) => {
      judge(IDS.fees, 'untested', why);
      judge(IDS.historyMatch, 'untested', why);
    };
    const inquiry = await client.inquireAccount(bankOrder).catch((err: unknown) => err);
    if (inquiry instanceof Error || (inquiry as { outcome: string }).outcome !== 'VALID') {
      const why = inquiry instanceof Error ? describe(inquiry) : JSON.stringify((inquiry as { failure?: unknown }).failure);
      return untested(`the bank account inquiry before the transfer failed: ${why}`);
    }
    const accountName = (inquiry as { accountName: string }).accountName;
    const startedAt = now();
    let trigger;
    try {
      trigger = await client.triggerTransfer({ ...bankOrder, accountName });
    } catch (err) {
      return untested(`the transfer failed: ${describe(err)}`);
    }
    if (trigger.outcome === 'REFUSED') return untested(`the transfer was refused: ${trigger.failure.providerCode ?? ''} ${trigger.failure.message}`);
    for (let check = 1; check <= (options.statusChecks ?? 10); check += 1) {
      const status = await client.checkTransferStatus(bankOrder).catch(() => undefined);
      if (status && status.state !== 'PENDING' && status.state !== 'NOT_FOUND') break;
      await sleep(options.statusIntervalMs ?? 3_000);
    }

    // The history: wait for the transfer's debit (by either rule), then a little longer for a fee debit.
    const toFind = { reference: bankOrder.reference, amount, fee: expectedFee, at: startedAt };
    const other = HISTORY_MATCH.find((m) => m !== working.historyMatch)!;
    const deadline = Date.now() + (options.historyWaitMs ?? 60_000);
    let entries: HistoryEntry[] = [];
    let mine: PayoutEntry[] = [];
    let theirs: PayoutEntry[] = [];
    let seenAt: number | undefined;
    for (;;) {
      try {
        entries = await client.transactionHistory(new Date(startedAt.getTime() - 5 * 60_000), new Date(now().getTime() + 60_000));
      } catch (err) {
        return untested(`the history call failed: ${describe(err)}`);
      }
      mine = findPayoutEntries(entries, toFind, working.historyMatch);
      theirs = findPayoutEntries(entries, toFind, other);
      const found = mine.some((f) => f.role === 'transfer') || theirs.some((f) => f.role === 'transfer');
      if (found) seenAt ??= Date.now();
      const feeSeen = mine.some((f) => f.role === 'fee');
      if (found && (feeSeen || Date.now() - seenAt! >= (options.feeWaitMs ?? 15_000))) break;
      if (Date.now() >= deadline) break;
      await sleep(options.historyIntervalMs ?? 3_000);
    }
    const transferEntry = mine.find((f) => f.role === 'transfer')?.entry;
    const otherEntry = theirs.find((f) => f.role === 'transfer')?.entry;
    if (transferEntry) {
      judge(IDS.historyMatch, 'confirmed', `matched by ${working.historyMatch}: the transfer's debit of ${transferEntry.amount}.00 has remark "${transferEntry.remark}"`);
    } else if (otherEntry) {
      judge(
        IDS.historyMatch,
        'refuted',
        `no entry matched ${bankOrder.reference} by ${working.historyMatch}; by ${other} the transfer's debit of ${otherEntry.amount}.00 at ${otherEntry.at} has remark "${otherEntry.remark}" (FASPAY_HISTORY_MATCH=${other})`,
      );
    } else {
      return untested(`the transfer's debit did not appear in the history within ${options.historyWaitMs ?? 60_000} ms`);
    }

    // The fee: the fee debits beside the transfer's, against the table.
    const anchor = (transferEntry ?? otherEntry)!;
    const feeEntries = transferEntry && working.historyMatch === 'remark'
      ? mine.filter((f) => f.role === 'fee')
      : entries
          .filter((e) => e.direction === 'DEBIT' && isFeeRemark(e.remark) && Math.abs(Date.parse(e.at) - Date.parse(anchor.at)) <= 2 * 60_000)
          .map((entry) => ({ role: 'fee' as const, entry }));
    const debited = feeDebited(feeEntries);
    const balanceAfter = await client.availableBalance().catch(() => undefined);
    const drop = balanceBefore !== undefined && balanceAfter !== undefined ? `; the balance fell by ${balanceBefore - balanceAfter}.00 over the check` : '';
    const table = `FASPAY_FEES gives ${expectedFee}.00 for ${feeKey.type}:${feeKey.code}`;
    const seen = feeEntries.length === 0 ? 'no fee debit' : `fee debit ${feeEntries.map((f) => `${f.entry.amount}.00 ("${f.entry.remark}")`).join(', ')}`;
    judge(IDS.fees, debited === expectedFee ? 'confirmed' : 'refuted', `the history shows ${seen}; ${table}${drop}`);
  }

  async function vaPayment(): Promise<void> {
    let paid: TransferOrder | undefined;
    for (const attempt of [1, 2]) {
      const order = orderFor(vaDestination, `V${attempt}`, vaAmount);
      try {
        await client.inquireAccount(order); // 33 uses the name the inquiry gave
        const trigger = await client.triggerTransfer(order);
        if (trigger.outcome === 'REFUSED') {
          judge(IDS.vaCallbackField, 'untested', `the VA payment was refused: ${trigger.failure.providerCode ?? ''} ${trigger.failure.message}`);
          break;
        }
        judge(IDS.vaCallbackField, 'confirmed', `33 took the payment with the callback URL as ${working.vaCallbackField === 'top-level' ? 'callbackURL' : 'additionalInfo.callbackUrl'} (${trigger.outcome})`);
        paid = order;
        break;
      } catch (err) {
        if (!names(err, IDS.vaCallbackField) || attempt === 2) {
          judge(IDS.vaCallbackField, names(err, IDS.vaCallbackField) ? 'refuted' : 'untested', describe(err));
          break;
        }
        // Refused before any money moved: say so, and pay with the other form to reach the status.
        const other = VA_CALLBACK_FIELD.find((f) => f !== working.vaCallbackField)!;
        judge(IDS.vaCallbackField, 'refuted', `${describe(err)}; FASPAY_VA_CALLBACK_FIELD=${other} is tried next`);
        working = { ...working, vaCallbackField: other };
        client = clientWith(working);
      }
    }
    if (!paid) {
      judge(IDS.vaStatus, 'untested', `no VA payment was made; ${vaStatusProbe}`);
      return;
    }
    const serviceCode = working.vaStatus === 'transfer-status-18' ? '18' : '33';
    let last = '';
    let onlyNotFound = true;
    for (let check = 1; check <= (options.statusChecks ?? 10); check += 1) {
      try {
        const status = await client.checkTransferStatus(paid);
        last = `${status.providerStatus.code} ${status.providerStatus.desc}`.trim();
        if (status.state !== 'NOT_FOUND') {
          judge(IDS.vaStatus, 'confirmed', `36 with serviceCode ${serviceCode} answered the VA payment's status: ${last}`);
          return;
        }
      } catch (err) {
        if (names(err, IDS.vaStatus)) return judge(IDS.vaStatus, 'refuted', describe(err));
        last = describe(err);
        onlyNotFound = false;
      }
      await sleep(options.statusIntervalMs ?? 3_000);
    }
    if (onlyNotFound) judge(IDS.vaStatus, 'refuted', `36 with serviceCode ${serviceCode} does not find the VA payment just made (${last})`);
    else judge(IDS.vaStatus, 'untested', `the VA payment's status could not be read: ${last}`);
  }
}
