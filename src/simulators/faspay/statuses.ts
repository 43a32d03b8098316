// The simulator's status services: 36 (serviceCode 18 or 33) and 39 (serviceCode 38). Each check of
// a pending transfer moves it along its scenario (scenarios.ts).
import { TRANSACTION_STATUS_DESC } from '../../providers/faspay/codes';
import { jakartaTimestamp } from '../../providers/faspay/headers';
import { FINAL_STATUSES, money, numberOf, type SimTransaction } from './ledger';
import { checkBody, topupStatusBody, transferStatusBody } from './requests';
import { OK, refuseBody, unavailable, type Answer, type EndpointContext } from './respond';
import { institutionName, scenarioFor } from './scenarios';

// --- 36 and 39: status inquiries move a pending transfer along its scenario ---

function lookUp(ctx: EndpointContext, service: string, reference: string, referenceNo: string | undefined): SimTransaction | undefined {
  const t = ctx.ledger.transactions.get(reference);
  // A provider that answers VA payments under serviceCode 18 (faspay.va-status "transfer-status-18").
  const vaUnder18 = service === '18' && t?.service === '33' && ctx.held.settings.vaStatus === 'transfer-status-18';
  if (!t || (t.service !== service && !vaUnder18)) return undefined;
  if (referenceNo && referenceNo !== t.transactionId) return undefined;
  return t;
}

/** A `status-lag` fault: the status service does not know yet a transfer the simulator holds. */
function statusLag(ctx: EndpointContext): boolean {
  if (!ctx.faults.take('status', ['status-lag'])) return false;
  ctx.log('fault status-lag on status');
  return true;
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
  // A provider whose 36 knows serviceCode 18 only (faspay.va-status "transfer-status-18").
  if (b.serviceCode === '33' && ctx.held.settings.vaStatus === 'transfer-status-18') return answer(400, '01', 'Invalid Field Format serviceCode');
  const t = lookUp(ctx, b.serviceCode, b.originalPartnerReferenceNo, b.originalReferenceNo);
  if (!t) return answer(404, '01', 'Transaction Not Found');
  if (unavailable(ctx, '36', numberOf(t.destination), answer)) return;
  if (statusLag(ctx)) return answer(404, '01', 'Transaction Not Found');
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
    serviceCode: b.serviceCode,
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
  if (statusLag(ctx)) return answer(404, '01', 'Transaction Not Found');
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
