// The nine Faspay SendMe SNAP services the simulator answers (seed request/response tables and
// samples), after auth.ts has passed the request. Every answer's responseCode carries the real
// service code of its endpoint (2001600, 4091801, 4041611 …).
import { parseRupiah } from '../../domain/money';
import { TRANSACTION_STATUS_DESC, type TransactionStatus } from '../../providers/faspay/codes';
import { DESCRIPTION_MAX } from '../../providers/faspay/fields';
import { jakartaTimestamp } from '../../providers/faspay/headers';
import { FINAL_STATUSES, money, numberOf, type Ledger, type SimDestination, type SimTransaction } from './ledger';
import {
  accountInquiryBody,
  balanceBody,
  checkBody,
  historyBody,
  parseZonedDate,
  topupBody,
  topupStatusBody,
  transferBody,
  transferStatusBody,
  vaInquiryBody,
  vaPaymentBody,
} from './requests';
import { holderName, institutionName, scenarioFor } from './scenarios';

/** Answers with this endpoint's service code: answer(404, '11', 'Invalid Account') → 4041611. */
export type Answer = (http: number, kase: string, message: string, extra?: Record<string, unknown>) => void;

export interface EndpointContext {
  ledger: Ledger;
  sourceAccount: string;
  log: (line: string) => void;
  now: () => Date;
}

export type TriggerMode = 'ANSWER' | 'HOLD_AFTER';

const OK = 'Request has been processed successfully';
const HISTORY_MAX_SPAN_MS = 31 * 24 * 60 * 60 * 1000;
const HISTORY_MAX_AGE_MS = 92 * 24 * 60 * 60 * 1000;

function refuseBody(answer: Answer, check: { case: '01' | '02'; message: string }): void {
  answer(400, check.case, check.message);
}

/** 5003: the first two calls of every operation for that number answer 503. */
function unavailable(ctx: EndpointContext, service: string, number: string, answer: Answer): boolean {
  if (!ctx.ledger.stillUnavailable(service, number, scenarioFor(number).unavailableCalls)) return false;
  answer(503, '00', 'Service Unavailable');
  return true;
}

function wrongSource(ctx: EndpointContext, account: string, answer: Answer): boolean {
  if (account === ctx.sourceAccount) return false;
  answer(403, '15', 'Transaction Not Permitted. Source account is not the partner\'s');
  return true;
}

// --- 16: account inquiry (banks, and e-money accounts by platform code) ---

export function accountInquiry(ctx: EndpointContext, json: unknown, answer: Answer): void {
  const check = checkBody(accountInquiryBody, json);
  if (!check.ok) return refuseBody(answer, check);
  const b = check.body;
  const bankName = institutionName(b.beneficiaryBankCode);
  if (!bankName) return answer(400, '01', 'Invalid Field Format beneficiaryBankCode');
  if (unavailable(ctx, '16', b.beneficiaryAccountNo, answer)) return;
  if (wrongSource(ctx, b.additionalInfo.sourceAccount, answer)) return;
  if (scenarioFor(b.beneficiaryAccountNo).accountNotFound) return answer(404, '11', 'Invalid Account');
  answer(200, '00', OK, {
    referenceNo: ctx.ledger.newTransactionId(ctx.now()),
    partnerReferenceNo: b.partnerReferenceNo ?? '',
    beneficiaryAccountName: holderName(b.beneficiaryAccountNo),
    beneficiaryAccountNo: b.beneficiaryAccountNo,
    beneficiaryBankCode: b.beneficiaryBankCode,
    beneficiaryBankName: bankName,
    currency: 'IDR',
    additionalInfo: { status: '1', message: 'Success' },
  });
}

// --- 32: VA bill inquiry ---

export function vaInquiry(ctx: EndpointContext, json: unknown, answer: Answer): void {
  const check = checkBody(vaInquiryBody, json);
  if (!check.ok) return refuseBody(answer, check);
  const b = check.body;
  if (unavailable(ctx, '32', b.virtualAccountNo, answer)) return;
  if (wrongSource(ctx, b.additionalInfo.sourceAccountNo, answer)) return;
  if (scenarioFor(b.virtualAccountNo).accountNotFound) return answer(404, '11', 'Invalid Account');
  answer(200, '00', OK, {
    virtualAccountData: {
      partnerServiceId: b.partnerServiceId,
      customerNo: b.customerNo,
      virtualAccountNo: b.virtualAccountNo,
      virtualAccountName: holderName(b.virtualAccountNo),
      // An open-payment VA: it takes the amount the payer sends.
      totalAmount: money(0),
      virtualAccountTrxType: 'O',
      partnerReferenceNo: b.partnerReferenceNo ?? '',
    },
    additionalInfo: { billerCode: b.additionalInfo.billerCode, sourceAccountNo: b.additionalInfo.sourceAccountNo, status: '2', message: 'Success' },
  });
}

// --- 18, 38, 33: the money-moving triggers share their checks ---

interface TriggerInput {
  service: '18' | '38' | '33';
  reference: string;
  amountValue: string;
  destination: SimDestination;
  description: string | undefined;
  callbackUrl: string;
  beneficiaryEmail?: string;
  transactionDate: string;
}

/** Returns the accepted transaction, or undefined when it answered a refusal. */
function acceptTrigger(ctx: EndpointContext, input: TriggerInput, answer: Answer): SimTransaction | undefined {
  const number = numberOf(input.destination);
  if (unavailable(ctx, input.service, number, answer)) return undefined;
  const existing = ctx.ledger.transactions.get(input.reference);
  if (existing) {
    existing.triggerCalls += 1;
    answer(409, '01', 'Duplicate partnerReferenceNo');
    return undefined;
  }
  if (input.description !== undefined && /fee/i.test(input.description)) {
    answer(400, '01', 'Invalid Field Format transactionDescription');
    return undefined;
  }
  const scenario = scenarioFor(number);
  if (scenario.accountNotFound) {
    answer(404, '11', 'Invalid Account');
    return undefined;
  }
  const amount = parseRupiah(input.amountValue);
  if (amount > scenario.maxAmount) {
    answer(403, '02', 'Exceeds Transaction Amount Limit');
    return undefined;
  }
  const fee = 0;
  if (scenario.insufficientBalance || amount + fee > ctx.ledger.balance) {
    answer(403, '14', 'Insufficient Funds');
    return undefined;
  }
  const now = ctx.now();
  const t: SimTransaction = {
    reference: input.reference,
    transactionId: ctx.ledger.newTransactionId(now),
    service: input.service,
    amount,
    fee,
    destination: input.destination,
    // Faspay cuts a long description to 15 characters.
    description: (input.description ?? '').slice(0, DESCRIPTION_MAX),
    callbackUrl: input.callbackUrl.trim(),
    ...(input.beneficiaryEmail && { beneficiaryEmail: input.beneficiaryEmail }),
    transactionDate: input.transactionDate,
    status: '03',
    statusChecks: 0,
    triggerCalls: 1,
    createdAt: now,
    updatedAt: now,
  };
  ctx.ledger.accept(t);
  ctx.log(`trigger ${input.service} ${t.reference}: ${amount} to …${number.slice(-4)}`);
  return t;
}

export function transferInterbank(ctx: EndpointContext, json: unknown, answer: Answer, mode: TriggerMode): void {
  const check = checkBody(transferBody, json);
  if (!check.ok) return refuseBody(answer, check);
  const b = check.body;
  if (wrongSource(ctx, b.sourceAccountNo, answer)) return;
  const bankName = institutionName(b.beneficiaryBankCode)!;
  const t = acceptTrigger(
    ctx,
    {
      service: '18',
      reference: b.partnerReferenceNo,
      amountValue: b.amount.value,
      destination: { type: 'BANK_ACCOUNT', bankCode: b.beneficiaryBankCode, bankName, accountNumber: b.beneficiaryAccountNo, accountName: b.beneficiaryAccountName },
      description: b.additionalInfo.transactionDescription,
      callbackUrl: b.additionalInfo.callbackUrl,
      ...(b.beneficiaryEmail && { beneficiaryEmail: b.beneficiaryEmail }),
      transactionDate: b.transactionDate,
    },
    answer,
  );
  if (!t || mode === 'HOLD_AFTER' || scenarioFor(b.beneficiaryAccountNo).loseTriggerAnswer) return;
  answer(200, '00', OK, {
    referenceNo: t.transactionId,
    partnerReferenceNo: t.reference,
    amount: money(t.amount),
    beneficiaryAccountNo: b.beneficiaryAccountNo,
    beneficiaryBankCode: b.beneficiaryBankCode,
    sourceAccountNo: b.sourceAccountNo,
    additionalInfo: {
      beneficiaryAccountName: b.beneficiaryAccountName,
      beneficiaryBankName: bankName,
      instructDate: b.additionalInfo.instructDate || t.transactionDate,
      transactionDescription: t.description,
      callbackUrl: t.callbackUrl,
      latestTransactionStatus: t.status,
      transactionStatusDesc: TRANSACTION_STATUS_DESC[t.status],
    },
  });
}

export function emoneyTopup(ctx: EndpointContext, json: unknown, answer: Answer, mode: TriggerMode): void {
  const check = checkBody(topupBody, json);
  if (!check.ok) return refuseBody(answer, check);
  const b = check.body;
  const info = b.additionalInfo;
  if (wrongSource(ctx, info.sourceAccount, answer)) return;
  const now = ctx.now();
  const t = acceptTrigger(
    ctx,
    {
      service: '38',
      reference: b.partnerReferenceNo,
      amountValue: b.amount.value,
      destination: {
        type: 'EWALLET',
        platformCode: info.platformCode,
        platformName: institutionName(info.platformCode)!,
        customerNumber: b.customerNumber,
        customerName: holderName(b.customerNumber),
      },
      description: info.transactionDescription ?? info.trxDescription,
      callbackUrl: info.callbackUrl,
      ...(info.beneficiaryEmail && { beneficiaryEmail: info.beneficiaryEmail }),
      transactionDate: b.transactionDate || jakartaTimestamp(now),
    },
    answer,
  );
  if (!t || mode === 'HOLD_AFTER' || scenarioFor(b.customerNumber).loseTriggerAnswer) return;
  answer(200, '00', OK, {
    referenceNo: t.transactionId,
    partnerReferenceNo: t.reference,
    customerNumber: b.customerNumber,
    amount: money(t.amount),
    additionalInfo: {
      sourceAccount: info.sourceAccount,
      platformCode: info.platformCode,
      ...(info.beneficiaryEmail && { beneficiaryEmail: info.beneficiaryEmail }),
      transactionDate: t.transactionDate,
      instructDate: info.instructDate ?? '',
      transactionDescription: t.description,
      callbackUrl: t.callbackUrl,
      transactionReference: `${t.transactionId}-${t.reference}`.slice(0, 64),
      latestTransactionStatus: t.status,
      transactionStatusDesc: TRANSACTION_STATUS_DESC[t.status],
    },
  });
}

/** A VA payment's additionalInfo.status: 1 on process, 2 success, 4 failed, 5 reverse. */
export function vaStatusOf(status: TransactionStatus): { status: '1' | '2' | '4' | '5'; message: string } {
  if (status === '00') return { status: '2', message: 'Success' };
  if (status === '06') return { status: '4', message: 'Failed' };
  if (status === '04' || status === '05') return { status: '5', message: 'Reverse' };
  return { status: '1', message: 'On Process' };
}

export function vaPayment(ctx: EndpointContext, json: unknown, answer: Answer, mode: TriggerMode): void {
  const check = checkBody(vaPaymentBody, json);
  if (!check.ok) return refuseBody(answer, check);
  const b = check.body;
  if (wrongSource(ctx, b.sourceAccountNo, answer)) return;
  const now = ctx.now();
  const t = acceptTrigger(
    ctx,
    {
      service: '33',
      // The seed marks partnerReferenceNo optional; without one there is nothing to deduplicate on.
      reference: b.partnerReferenceNo ?? `VA-${ctx.ledger.newTransactionId(now)}`,
      amountValue: b.paidAmount.value,
      destination: {
        type: 'VIRTUAL_ACCOUNT',
        billerCode: b.additionalInfo.billerCode,
        partnerServiceId: b.partnerServiceId,
        customerNo: b.customerNo,
        virtualAccountNumber: b.virtualAccountNo,
        virtualAccountName: b.virtualAccountName ?? holderName(b.virtualAccountNo),
      },
      description: undefined,
      callbackUrl: b.additionalInfo.callbackUrl ?? b.callbackURL ?? '',
      transactionDate: b.trxDateTime,
    },
    answer,
  );
  if (!t || mode === 'HOLD_AFTER' || scenarioFor(b.virtualAccountNo).loseTriggerAnswer) return;
  answer(200, '00', OK, {
    virtualAccountData: {
      partnerReferenceNo: t.reference,
      referenceNo: t.transactionId,
      partnerServiceId: b.partnerServiceId,
      customerNo: b.customerNo,
      virtualAccountNo: b.virtualAccountNo,
      virtualAccountName: b.virtualAccountName ?? holderName(b.virtualAccountNo),
      sourceAccountNo: b.sourceAccountNo,
      paidAmount: money(t.amount),
      trxDateTime: b.trxDateTime,
    },
    additionalInfo: { billerCode: b.additionalInfo.billerCode, instructDate: b.additionalInfo.instructDate ?? '', callbackUrl: t.callbackUrl, ...vaStatusOf(t.status) },
  });
}

// --- 36 and 39: status inquiries move a pending transfer along its scenario ---

function lookUp(ctx: EndpointContext, service: string, reference: string, referenceNo: string | undefined): SimTransaction | undefined {
  const t = ctx.ledger.transactions.get(reference);
  if (!t || t.service !== service) return undefined;
  if (referenceNo && referenceNo !== t.transactionId) return undefined;
  return t;
}

function advance(ctx: EndpointContext, t: SimTransaction): void {
  if (FINAL_STATUSES.includes(t.status)) return;
  t.statusChecks += 1;
  ctx.ledger.moveTo(t, scenarioFor(numberOf(t.destination)).statusAtCheck(t.statusChecks), ctx.now());
}

export function transferStatus(ctx: EndpointContext, json: unknown, answer: Answer): void {
  const check = checkBody(transferStatusBody, json);
  if (!check.ok) return refuseBody(answer, check);
  const b = check.body;
  const t = lookUp(ctx, b.serviceCode, b.originalPartnerReferenceNo, b.originalReferenceNo);
  if (!t) return answer(404, '01', 'Transaction Not Found');
  if (unavailable(ctx, '36', numberOf(t.destination), answer)) return;
  advance(ctx, t);
  const d = t.destination;
  const beneficiary =
    d.type === 'BANK_ACCOUNT'
      ? { accountNo: d.accountNumber, bankCode: d.bankCode, accountName: d.accountName, bankName: d.bankName }
      : d.type === 'VIRTUAL_ACCOUNT'
        ? { accountNo: d.virtualAccountNumber, bankCode: d.billerCode, accountName: d.virtualAccountName, bankName: institutionName(d.billerCode) ?? '' }
        : { accountNo: d.customerNumber, bankCode: d.platformCode, accountName: d.customerName, bankName: d.platformName };
  answer(200, '00', OK, {
    originalReferenceNo: t.transactionId,
    originalPartnerReferenceNo: t.reference,
    serviceCode: t.service,
    transactionDate: t.transactionDate,
    amount: money(t.amount),
    beneficiaryAccountNo: beneficiary.accountNo,
    beneficiaryBankCode: beneficiary.bankCode,
    referenceNumber: t.transactionId,
    sourceAccountNo: ctx.sourceAccount,
    latestTransactionStatus: t.status,
    transactionStatusDesc: TRANSACTION_STATUS_DESC[t.status],
    additionalInfo: {
      beneficiaryAccountName: beneficiary.accountName,
      beneficiaryBankName: beneficiary.bankName,
      transactionDescription: t.description,
      callbackUrl: t.callbackUrl,
      transactionStatusDate: jakartaTimestamp(t.updatedAt),
    },
  });
}

export function topupStatus(ctx: EndpointContext, json: unknown, answer: Answer): void {
  const check = checkBody(topupStatusBody, json);
  if (!check.ok) return refuseBody(answer, check);
  const b = check.body;
  const t = lookUp(ctx, '38', b.originalPartnerReferenceNo, b.originalReferenceNo);
  if (!t || t.destination.type !== 'EWALLET') return answer(404, '01', 'Transaction Not Found');
  if (unavailable(ctx, '39', numberOf(t.destination), answer)) return;
  advance(ctx, t);
  const d = t.destination;
  answer(200, '00', OK, {
    originalPartnerReferenceNo: t.reference,
    originalReferenceNo: t.transactionId,
    serviceCode: '38',
    amount: money(t.amount),
    latestTransactionStatus: t.status,
    transactionStatusDesc: TRANSACTION_STATUS_DESC[t.status],
    additionalInfo: {
      sourceAccount: ctx.sourceAccount,
      transactionDate: t.transactionDate,
      platformCode: d.platformCode,
      platformName: d.platformName,
      customerNumber: d.customerNumber,
      customerName: d.customerName,
      transactionDescription: t.description,
      callbackUrl: t.callbackUrl,
      transactionStatusDate: jakartaTimestamp(t.updatedAt),
    },
  });
}

// --- 11 and 12: the merchant's own account ---

export function balanceInquiry(ctx: EndpointContext, json: unknown, answer: Answer): void {
  const check = checkBody(balanceBody, json);
  if (!check.ok) return refuseBody(answer, check);
  if (wrongSource(ctx, check.body.accountNo, answer)) return;
  const balance = money(ctx.ledger.balance);
  answer(200, '00', OK, {
    accountNo: ctx.sourceAccount,
    accountInfos: [{ balanceType: 'CASH', amount: balance, availableBalance: balance, status: '0001' }],
  });
}

export function transactionHistory(ctx: EndpointContext, json: unknown, answer: Answer): void {
  const check = checkBody(historyBody, json);
  if (!check.ok) return refuseBody(answer, check);
  const b = check.body;
  if (wrongSource(ctx, b.additionalInfo.accountNo, answer)) return;
  const from = parseZonedDate(b.fromDateTime);
  const to = parseZonedDate(b.toDateTime);
  if (!from) return answer(400, '01', 'Invalid Field Format fromDateTime');
  if (!to) return answer(400, '01', 'Invalid Field Format toDateTime');
  if (to < from) return answer(400, '01', 'Invalid Field Format toDateTime before fromDateTime');
  if (to.getTime() - from.getTime() > HISTORY_MAX_SPAN_MS) return answer(400, '01', 'Invalid Field Format maximum time span is 1 month');
  if (ctx.now().getTime() - from.getTime() > HISTORY_MAX_AGE_MS) return answer(400, '01', 'Invalid Field Format oldest transaction history is 3 months');
  const entries = ctx.ledger.history.filter((h) => h.at >= from && h.at <= to);
  answer(200, '00', OK, {
    detailData: entries.map((h) => ctx.ledger.historyEntry(h)),
    additionalInfo: { accountNo: ctx.sourceAccount, fromDateTime: b.fromDateTime, toDateTime: b.toDateTime, message: 'Success' },
  });
}
