// The simulator's read-only services: 16 account inquiry (banks, and e-money accounts by platform
// code), 32 VA bill inquiry, 11 balance and 12 history of the merchant's own account.
import { money } from './ledger';
import { accountInquiryBody, balanceBody, checkBody, historyBody, parseZonedDate, vaInquiryBody } from './requests';
import { OK, refuseBody, unavailable, wrongSource, wrongVaSplit, type Answer, type EndpointContext } from './respond';
import { holderName, institutionName, isPlatformCode, scenarioFor } from './scenarios';

const HISTORY_MAX_SPAN_MS = 31 * 24 * 60 * 60 * 1000;
const HISTORY_MAX_AGE_MS = 92 * 24 * 60 * 60 * 1000;

// --- 16: account inquiry (banks, and e-money accounts by platform code) ---

export function accountInquiry(ctx: EndpointContext, json: unknown, answer: Answer): void {
  const check = checkBody(accountInquiryBody, json);
  if (!check.ok) return refuseBody(answer, check);
  const b = check.body;
  const bankName = institutionName(b.beneficiaryBankCode);
  if (!bankName) return answer(400, '01', 'Invalid Field Format beneficiaryBankCode');
  // A provider that does not inquire e-money accounts through 16 (faspay.ewallet-inquiry "none")
  // does not know a platform code as a bank code.
  if (ctx.held.settings.ewalletInquiry === 'none' && isPlatformCode(b.beneficiaryBankCode)) return answer(400, '01', 'Invalid Field Format beneficiaryBankCode');
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
  if (wrongVaSplit(ctx, b, answer)) return;
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
