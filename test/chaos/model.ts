// The chaos run's vocabulary: what the plan says to do, and what the run observed. The checker
// (checker.ts) reads only the observation types, so it can be fed hand-made observations in tests.

export type Provider = 'singapay' | 'faspay';

export type Destination =
  | { type: 'EWALLET'; ewallet: 'DANA' | 'OVO' | 'GOPAY' | 'SHOPEEPAY' | 'LINKAJA'; customerNumber: string }
  | { type: 'BANK_ACCOUNT'; bankCode: string; accountNumber: string }
  | { type: 'VIRTUAL_ACCOUNT'; billerCode: string; virtualAccountNumber: string };

/** The development keys of api.md, and the principals they stand for. */
export const KEYS = {
  requester: { key: 'dev-requester', principal: 'requester@local' },
  approver: { key: 'dev-approver', principal: 'approver@local' },
  admin: { key: 'dev-admin', principal: 'admin@local' },
} as const;
export type KeyName = keyof typeof KEYS;

// ---------------------------------------------------------------- the plan

export type DecisionKind = 'approve' | 'reject' | 'cancel';
/** Decisions the driver records: the plan's, and an admin's resolution of a payout that needs attention. */
export type RecordedDecision = DecisionKind | 'resolve';

export type PayoutAction =
  /** A decision through the API with a development key. */
  | { at: number; kind: 'decide'; decision: DecisionKind; via: 'api'; key: KeyName; tag: string }
  /** The same decision as a raw Temporal signal, with any principal (four-eyes attacks spell the requester oddly). */
  | { at: number; kind: 'decide'; decision: DecisionKind; via: 'signal'; principal: string; tag: string }
  /** The create request again: the same body (200) or a changed one (409). */
  | { at: number; kind: 'recreate'; same: boolean }
  /** A callback for the payout's transfer, signed by the simulator: valid, replayed, late or forged. */
  | { at: number; kind: 'callback'; variant: CallbackVariant }
  /** Settle a transfer that stays pending (scenario 3333) through the simulator's control API. */
  | { at: number; kind: 'settle'; status: '00' | '06' | '04' }
  /** A fault aimed at this payout's moment (the simulators' faults are global: the next matching calls get it). */
  | { at: number; kind: 'fault'; operation: FaultOperation; mode: FaultMode; count: number; latencyMs?: number };

export type CallbackVariant = 'valid' | 'replay' | 'late' | 'forged';

export interface PayoutPlan {
  index: number;
  reference: string;
  provider: Provider;
  /** Whether the create body names the provider (else the default route picks the same one). */
  explicitProvider: boolean;
  destination: Destination;
  /** Whole rupiah. */
  amount: number;
  requester: KeyName;
  approvalTimeoutMs: number;
  /** Milliseconds after the create request; the create body carries the absolute time. */
  scheduledInMs?: number;
  /** Milliseconds after the create request, sorted. */
  actions: PayoutAction[];
}

export type FaultOperation = 'inquiry' | 'trigger' | 'status' | 'token' | 'any';
export type FaultMode = 'http500' | 'http503' | 'timeout' | 'accept-then-timeout' | 'latency' | 'status-lag' | 'refuse-duplicate';

export type WorldEvent =
  | { kind: 'fault'; provider: Provider; operation: FaultOperation; mode: FaultMode; count: number; latencyMs?: number }
  /** The merchant balance at a provider drops to nothing for a while. */
  | { kind: 'no-balance'; provider: Provider; forMs: number }
  | { kind: 'kill-worker'; downForMs: number }
  | { kind: 'restart-server'; how: 'SIGTERM' | 'SIGKILL' };

export interface Plan {
  seed: number;
  payouts: PayoutPlan[];
  /** Fault events, one after another with these gaps, while payouts run. */
  world: { gapMs: number; event: WorldEvent }[];
  /** Kills and restarts, each when the payout with this index is created. */
  disruptions: { afterPayout: number; event: WorldEvent }[];
}

// ---------------------------------------------------------------- observations

/** The payout document as the API returned it, the fields the checks read. */
export interface PayoutDocument {
  id?: string;
  status: string;
  requestedBy?: string;
  scheduledAt?: string;
  provider?: string;
  amount?: { value: string; currency: string };
  approval?: { decision: string; by: string; at?: string };
  approvals?: { by: string; decision?: string }[];
  transfer?: { submittedAt?: string; providerReference?: string };
  /** The fee the approver was shown (the provider's quote, or the configured fee table). */
  inquiry?: { accountName?: string; fee?: { value: string } };
  attention?: { reason?: string };
  failure?: { code?: string };
  timeline: { status: string; at: string; detail?: string }[];
}

/** One document seen: from a GET or from a decision's 2xx answer. Times are the driver's clock (ms). */
export interface Snapshot {
  source: 'get' | 'approve' | 'reject' | 'cancel' | 'resolve' | 'create';
  sentAt: number;
  /**
   * When the document may date from, if earlier than sentAt: a decision sent again with an
   * Idempotency-Key used before answers the first attempt's document (it joins that update).
   */
  readFrom?: number;
  answeredAt: number;
  doc: PayoutDocument;
}

export interface DecisionRecord {
  decision: RecordedDecision;
  via: 'api' | 'signal';
  /** The key used (api) or the principal sent (signal). */
  who: string;
  tag: string;
  sentAt: number;
  /** As Snapshot.readFrom: the first attempt's sentAt when this one reused its Idempotency-Key. */
  readFrom?: number;
  answeredAt: number;
  /** HTTP status (api); 0 when no answer came. Signals: undefined. */
  httpStatus?: number;
  /** The status in a 2xx answer's document. */
  answeredStatus?: string;
  /** A signal that Temporal refused, or a request that got no HTTP answer. */
  error?: string;
}

export interface CallbackRecord {
  variant: CallbackVariant;
  provider: Provider;
  /** The answer to each post (a replay posts twice). */
  httpStatuses: number[];
  sentAt: number;
}

export interface PayoutRecord {
  reference: string;
  provider: Provider;
  /** Whole rupiah. */
  amount: number;
  destinationNumber: string;
  /** The requester's principal as the plan created it (the documents' requestedBy wins when seen). */
  requestedBy: string;
  scheduledAt?: string;
  /** The create answer's status (0: none). */
  createStatus: number;
  snapshots: Snapshot[];
  decisions: DecisionRecord[];
  callbacks: CallbackRecord[];
}

/** A row of a simulator's ledger (GET /__sim/transactions), normalised across both simulators. */
export interface LedgerRow {
  provider: Provider;
  reference: string;
  /** Whole rupiah. */
  amount: number;
  destinationNumber: string;
  /** The provider's status code: 00 success, 03 pending, 04/05/06 refunded, cancelled, failed. */
  status: string;
  triggerCalls: number;
  /** When the trigger was accepted (ms). */
  acceptedAt: number;
  /** Whole rupiah the provider charged on top of the amount (absent: the ledger does not say). */
  fee?: number;
}

/** Every HTTP answer the API gave the driver. */
export interface ApiAnswer {
  method: string;
  route: string;
  reference?: string;
  /** 0 when no answer came (connection refused or reset, or no answer within the client's timeout). */
  status: number;
  sentAt: number;
  answeredAt: number;
  error?: string;
}

export interface Observations {
  payouts: PayoutRecord[];
  ledger: LedgerRow[];
  answers: ApiAnswer[];
  /** When every fault had stopped: simulator faults cleared, balances back, worker and server up (ms). */
  faultsStoppedAt: number;
  /** 2 × STATUS_POLL_MAX_MS: every payout is final or NEEDS_ATTENTION this long after the faults stop. */
  settleWithinMs: number;
}

export interface Violation {
  rule: RuleId;
  reference?: string;
  message: string;
}

export type RuleId =
  | 'one-transfer-per-reference'
  | 'no-transfer-after-refusal'
  | 'final-status-changed'
  | 'illegal-transition'
  | 'timeline-rewritten'
  | 'cancelled-after-submission'
  | 'conflicting-decisions'
  | 'failed-but-money-moves'
  | 'succeeded-without-one-transfer'
  | 'transfer-not-as-approved'
  | 'fee-not-as-shown'
  | 'four-eyes'
  | 'resolve-not-from-attention'
  | 'api-5xx'
  | 'api-no-answer'
  | 'forged-callback-accepted'
  | 'late-callback-accepted'
  | 'not-settled-in-time';
