// The simulator's money-moving services: 18 interbank transfer, 38 e-money top-up, 33 VA bill
// payment. They share one acceptance path: 5003 burst, duplicate reference (counted), description,
// account, limit and funds checks, then the debit of the amount and of the fee the provider holds
// (faspay.fee-source, POST /__sim/assumptions; 0 by default).
import { parseRupiah } from '../../domain/money';
import { TRANSACTION_STATUS_DESC, type TransactionStatus } from '../../providers/faspay/codes';
import { DESCRIPTION_MAX } from '../../providers/faspay/fields';
import { jakartaTimestamp } from '../../providers/faspay/headers';
import { feeOf } from './fees';
import { money, numberOf, type SimDestination, type SimTransaction } from './ledger';
import { checkBody, topupBody, transferBody, vaPaymentBody } from './requests';
import { OK, refuseBody, unavailable, wrongSource, wrongVaSplit, type Answer, type EndpointContext, type TriggerMode } from './respond';
import { holderName, institutionName, scenarioFor } from './scenarios';

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
    if (ctx.faults.take('trigger', ['refuse-duplicate'])) {
      // A refusal after a lost attempt: the transfer is held, and the caller is told there are no funds.
      ctx.log(`fault refuse-duplicate on trigger ${input.reference}`);
      answer(403, '14', 'Insufficient Funds');
      return undefined;
    }
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
  const fee = feeOf(ctx.held.settings, input.destination);
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
    remarkNamesReference: ctx.held.settings.historyMatch === 'remark',
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
  // The callback URL is mandatory where the provider reads it (faspay.va-callback-field): the
  // table's top-level callbackURL, or the sample's additionalInfo.callbackUrl.
  if (ctx.held.settings.vaCallbackField === 'top-level' ? b.callbackURL === undefined : b.additionalInfo.callbackUrl === undefined) {
    return answer(400, '02', `Invalid Mandatory Field ${ctx.held.settings.vaCallbackField === 'top-level' ? 'callbackURL' : 'additionalInfo.callbackUrl'}`);
  }
  if (wrongVaSplit(ctx, b, answer)) return;
  const now = ctx.now();
  const t = acceptTrigger(
    ctx,
    {
      service: '33',
      // The provider pages mark partnerReferenceNo optional; without one there is nothing to deduplicate on.
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
