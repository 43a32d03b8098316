// The chaos run's vocabulary: what the plan says to do, and what the run observed. The checker
// (checker.ts) reads only the observation types, so it can be fed hand-made observations in tests.

export type Provider = 'singapay' | 'faspay';

export type Destination =
  | { type: 'EWALLET'; ewallet: 'DANA' | 'OVO' | 'GOPAY' | 'SHOPEEPAY' | 'LINKAJA'; customerNumber: string }
  | { type: 'BANK_ACCOUNT'; bankCode: string; accountNumber: string }
  | { type: 'VIRTUAL_ACCOUNT'; billerCode: string; virtualAccountNumber: string };

/**
 * The development keys of api.md, and the principals they stand for; and two more the run's stacks
 * configure (API_KEYS, see apiKeyEntries): a requester whose small payouts the approval policy
 * approves on its own (CHAOS_AUTO_REQUESTER), and a third approver, so that a payout of a two-approver
 * tier requested by an admin still has two approvers who did not request it.
 */
export const KEYS = {
  requester: { key: 'dev-requester', principal: 'requester@local' },
  approver: { key: 'dev-approver', principal: 'approver@local' },
  admin: { key: 'dev-admin', principal: 'admin@local' },
  auto: { key: 'dev-chaos-auto-requester', principal: 'payroll-bot@local' },
  approver2: { key: 'dev-chaos-second-approver', principal: 'second-approver@local' },
} as const;
export type KeyName = keyof typeof KEYS;

/** Each key's roles (API_KEYS entries). */
export const KEY_ROLES: Readonly<Record<KeyName, readonly ('requester' | 'approver' | 'admin')[]>> = {
  requester: ['requester'],
  approver: ['approver'],
  admin: ['admin'],
  auto: ['requester'],
  approver2: ['approver'],
};

/** The approvers a plan draws from (never the requester of what they approve). */
export const APPROVERS: readonly KeyName[] = ['approver', 'admin', 'approver2'];

/**
 * The API_KEYS entries for the run's keys: every key of KEYS (or the stack's own key for a name), its
 * principal and roles. `sha256` is src/api/auth.ts sha256Hex (passed in: this module stays pure).
 */
export function apiKeyEntries(keys: Readonly<Record<KeyName, string>>, sha256: (text: string) => string): { keySha256: string; principal: string; roles: string[] }[] {
  return (Object.keys(KEYS) as KeyName[]).map((name) => ({ keySha256: sha256(keys[name]), principal: KEYS[name].principal, roles: [...KEY_ROLES[name]] }));
}

// ---------------------------------------------------------------- the approval policy (issue 15)

/**
 * The APPROVAL_POLICY a run configures, in whole rupiah: a tier of two distinct approvers from
 * `tiers[1].minAmount`, auto-approval of one requester's payouts up to a bound, and daily limits per
 * requester and per destination tight enough that some approvals are refused (plan.ts policyFor).
 */
export interface ChaosPolicy {
  tiers: { minAmount: number; approvals: number }[];
  autoApprove?: { maxAmount: number; requesters: string[] };
  limits?: { perRequesterPerDay?: number; perDestinationPerDay?: number };
}

/** The policy as APPROVAL_POLICY's JSON (amounts as "12345.00"). */
export function policyJson(policy: ChaosPolicy): string {
  const rupiah = (n: number) => `${n}.00`;
  return JSON.stringify({
    tiers: policy.tiers.map((t) => ({ minAmount: rupiah(t.minAmount), approvals: t.approvals })),
    ...(policy.autoApprove && { autoApprove: { maxAmount: rupiah(policy.autoApprove.maxAmount), requesters: policy.autoApprove.requesters } }),
    ...(policy.limits && {
      limits: {
        ...(policy.limits.perRequesterPerDay !== undefined && { perRequesterPerDay: rupiah(policy.limits.perRequesterPerDay) }),
        ...(policy.limits.perDestinationPerDay !== undefined && { perDestinationPerDay: rupiah(policy.limits.perDestinationPerDay) }),
      },
    }),
  });
}

/** The distinct approvers the policy asks for an amount (a payout's, or a batch's total). */
export function approvalsRequiredFor(policy: ChaosPolicy | undefined, amount: number): number {
  let required = 1;
  for (const tier of policy?.tiers ?? []) if (amount >= tier.minAmount) required = tier.approvals;
  return required;
}

/** Whether the policy may approve a single payout on its own: a listed requester, an amount within the bound. */
export function autoApprovable(policy: ChaosPolicy | undefined, requester: string, amount: number): boolean {
  const auto = policy?.autoApprove;
  return auto !== undefined && amount <= auto.maxAmount && auto.requesters.some((r) => r.trim().toLowerCase() === requester.trim().toLowerCase());
}

/** The Jakarta calendar day (UTC+7, no daylight saving) of an instant, as the service's limits count days. */
export function jakartaDay(atMs: number): string {
  return new Date(atMs + 7 * 3_600_000).toISOString().slice(0, 10);
}

/**
 * The API key to send for a principal: the stack's own (a production-like stack generates keys for
 * the same principals, ChaosStack.apiKeys) or else the development key. Every request the run makes
 * takes its key from here; KEYS[name].principal stays who the key stands for.
 */
export function keyOf(from: { apiKeys?: Readonly<Partial<Record<KeyName, string>>> | undefined } | undefined, name: KeyName): string {
  return from?.apiKeys?.[name] ?? KEYS[name].key;
}

// ---------------------------------------------------------------- the plan

export type DecisionKind = 'approve' | 'reject' | 'cancel';
/** Decisions the driver records: the plan's, and an admin's resolution of a payout that needs attention. */
export type RecordedDecision = DecisionKind | 'resolve';

export type PayoutAction =
  /** A decision through the API with a development key. */
  | { at: number; kind: 'decide'; decision: DecisionKind; via: 'api'; key: KeyName; tag: string; /** Send no Idempotency-Key (a fresh request, never joining an earlier one). */ fresh?: boolean }
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
  /**
   * kill -9 the oldest worker, and start another `downForMs` later. `duringTrigger`: first have both
   * simulators hold their next trigger calls for a few seconds (a latency fault) and wait until one is
   * held, so that the kill lands while a trigger is in flight.
   */
  | { kind: 'kill-worker'; downForMs: number; duringTrigger?: boolean }
  | { kind: 'restart-server'; how: 'SIGTERM' | 'SIGKILL' }
  /** Restart the database under Temporal (a stack with ChaosStack.restartDatabase only): `fast` or `immediate` shutdown. */
  | { kind: 'restart-database'; how: 'fast' | 'immediate' }
  /** Start or stop workers until `to` poll (a stack with ChaosStack.scaleWorkers only). */
  | { kind: 'scale-workers'; to: number };

/**
 * The disruptions during which the API may answer 503 (and only then, with ChaosOptions.outageRule):
 * those that take Temporal or its database down, and those that take worker capacity away or add it.
 * A worker kill or a scaling is not an outage of Temporal, but on the two cores test:production runs
 * on, it held decisions past DECISION_TIMEOUT_MS (5 s) in every run of 2026-12-02 (RELIABILITY.md):
 * a killed worker's payouts wait out the sticky queue and are replayed in full on a survivor, and a
 * worker process that starts there took 5–25 s to poll instead of 2 s on an idle machine. Each 503
 * then is the designed "may still apply", and no money rule fired in those runs.
 */
export const OUTAGE_KINDS: readonly WorldEvent['kind'][] = ['restart-server', 'restart-database', 'kill-worker', 'scale-workers'];

/** A disruption's event in a few words, for the log and the report: what it does and with what. */
export function describeEvent(event: WorldEvent, triggersHeld?: number): string {
  switch (event.kind) {
    case 'kill-worker':
      return `kill-worker (down ${event.downForMs} ms${event.duringTrigger ? `, during a trigger${triggersHeld !== undefined ? `: ${triggersHeld} held at the kill` : ''}` : ''})`;
    case 'restart-server':
    case 'restart-database':
      return `${event.kind} (${event.how})`;
    case 'scale-workers':
      return `scale-workers (to ${event.to})`;
    case 'fault':
      return `fault (${event.provider} ${event.operation} ${event.mode} ×${event.count})`;
    case 'no-balance':
      return `no-balance (${event.provider} for ${event.forMs} ms)`;
  }
}

/**
 * A disruption that comes with a batch instead of a payout: `afterApprovalMs` after the batch's
 * approval answered, while its rows are being paid (it does not run if the approval never answers).
 */
export interface DuringBatch {
  batch: number;
  afterApprovalMs: number;
}

/**
 * A fault at one of the run's webhook receivers (the merchant's systems): down (its port refuses
 * connections), or answering 500 or 503 to every delivery, for `forMs`; then it takes deliveries again.
 */
export type ReceiverFault = { receiver: number; kind: 'down'; forMs: number } | { receiver: number; kind: 'answer'; status: 500 | 503; forMs: number };

// ---------------------------------------------------------------- batches (docs/batches.md)

/**
 * A batch's one decision in the plan: approve (the exact figures read from GET), approve and then
 * cancel while rows are being paid, reject, cancel before any approval, or let the deadline pass.
 */
export type BatchDecisionPlan = 'approve' | 'approve-cancel' | 'reject' | 'cancel' | 'expire';

/** One row of a batch: a payout's create body without approvalTimeout and scheduledAt (the batch's). */
export interface BatchRowPlan {
  /** The row's index in the batch, from 0. */
  row: number;
  reference: string;
  provider: Provider;
  explicitProvider: boolean;
  destination: Destination;
  /** Whole rupiah. */
  amount: number;
  /** A transfer that stays pending (scenario 3333): settled this long after the batch's approval answered. */
  settle?: { afterApprovalMs: number; status: '00' | '06' | '04' };
}

export interface BatchPlan {
  index: number;
  reference: string;
  /** The batch is created when the single payout with this index is. */
  afterPayout: number;
  requester: KeyName;
  approver: KeyName;
  /** Under a two-approver tier (a batch's total picks it): the second approver, neither the requester nor `approver`. */
  secondApprover: KeyName;
  /** Both approvals sent at once (concurrent), instead of the second after the first answered. */
  approvalsTogether: boolean;
  /** After the first approval, the same approver approves again with a fresh Idempotency-Key (409 already-approved). */
  sameApproverAgain: boolean;
  approvalTimeoutMs: number;
  /** Milliseconds after the create request; the create body carries the absolute time. */
  scheduledInMs?: number;
  rows: BatchRowPlan[];
  decision: BatchDecisionPlan;
  /** approve kinds: how many READY rows to exclude at the approval (0–3). */
  exclude: number;
  /** Before the right approval: one with a wrong expectedTotal or expectedCount (409 batch-figures-differ, nothing changes). */
  wrongFiguresFirst?: 'total' | 'count';
  /** A row approved on its own while the batch awaits approval: through the API (409 batch-row) or as a raw signal (dropped). */
  rowAlone?: 'api' | 'signal';
  /** The batch's requester tries to approve it (403). */
  requesterApproves: boolean;
  /** approve-cancel: the cancel this long after the approval answered. */
  cancelAfterMs?: number;
  /** cancel: while the rows still validate (just after the create), or once the batch awaits approval. */
  cancelWhile?: 'VALIDATING' | 'AWAITING_APPROVAL';
  /** UNVERIFIED rows (inquiry faults): run their inquiries again first (else they are excluded). */
  retryUnverified: boolean;
}

export interface Plan {
  seed: number;
  /** The APPROVAL_POLICY the stack runs with (absent: none, one approval and no limits). */
  policy?: ChaosPolicy;
  payouts: PayoutPlan[];
  /** Batches, each created with the single payout `afterPayout` (absent or empty: none). */
  batches?: BatchPlan[];
  /** Fault events, one after another with these gaps, while payouts run. */
  world: { gapMs: number; event: WorldEvent }[];
  /**
   * Kills and restarts (and, when given to runChaos, database restarts and worker scaling), each when
   * the payout with this index is created; one at a time, in this order.
   */
  disruptions: { afterPayout: number; event: WorldEvent; duringBatch?: DuringBatch }[];
  /**
   * Webhook receiver faults, each when the payout with this index is created; one `withDisruption`
   * (an index into `disruptions`) starts when that kill or restart does, so that they overlap. One at
   * a time per receiver.
   */
  receiverFaults: { afterPayout: number; withDisruption?: number; fault: ReceiverFault }[];
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
  /** Issue 15: the distinct approvers the payout's policy asks for, the approvals so far, the policy's id. */
  approvalsRequired?: number;
  approvals?: { by: string; decision?: string; at?: string }[];
  policy?: string;
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
  /** The problem type's last path segment of a 4xx (already-approved, limit-exceeded, four-eyes, …). */
  problem?: string;
  /** 409 limit-exceeded: the problem's figures. */
  limit?: LimitRefusal;
  /** A signal that Temporal refused, or a request that got no HTTP answer. */
  error?: string;
}

/** A 409 limit-exceeded problem's fields (issue 15), amounts in whole rupiah. */
export interface LimitRefusal {
  scope?: string;
  limit?: number;
  used?: number;
  remaining?: number;
  requested?: number;
  day?: string;
}

/** One GET /v1/limits answer (issue 15): the used amount of one scope on `date`. */
export interface LimitsReading {
  kind: 'requester' | 'destination';
  /** The requester's principal, or the destination's account number (as the run sent it). */
  subject: string;
  sentAt: number;
  answeredAt: number;
  /** The Jakarta day it reports. */
  date: string;
  /** Whole rupiah. */
  used: number;
  limit: number | null;
  remaining: number | null;
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
  /** A row of this batch (created by the batch's create request, decided by the batch). */
  batchId?: string;
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

/** The batch document as the API returned it (GET /v1/batches/{id}, a decision's answer), the fields the checks read. */
export interface BatchDocument {
  id?: string;
  status: string;
  requestedBy?: string;
  approvalDeadline?: string;
  itemCount?: number;
  counts?: Record<string, number>;
  ready?: { count: number; total: { value: string } };
  approval?: { decision: string; by: string; at?: string; count?: number; total?: { value: string }; excludedCount?: number };
  /** Issue 15: the distinct approvers the batch's total asks for, and the approvals so far (with the rows each excluded). */
  approvalsRequired?: number;
  approvals?: { by: string; at?: string; excludeReferences?: string[] }[];
  cancellation?: { by: string; at: string; reason?: string };
  timeline: { status: string; at: string; detail?: string }[];
}

/** One batch document seen; times as Snapshot's. */
export interface BatchSnapshot {
  source: 'create' | 'get' | 'approve' | 'reject' | 'cancel' | 'retry';
  sentAt: number;
  /** As Snapshot.readFrom: a decision sent again with the same Idempotency-Key answers the first attempt's document. */
  readFrom?: number;
  answeredAt: number;
  doc: BatchDocument;
}

/** One row as GET /v1/batches/{id}/items listed it. */
export interface BatchItem {
  row: number;
  reference: string;
  status: string;
  /** Whole rupiah. */
  amount: number;
  excluded?: boolean;
  reason?: string;
}

export interface BatchDecisionRecord {
  /** row-approve: a row approved on its own (through the API, or as a raw signal to its payout workflow). */
  decision: 'approve' | 'reject' | 'cancel' | 'retry' | 'row-approve';
  via: 'api' | 'signal';
  /** primary, wrong-figures, four-eyes, cancel-midway, row-alone, retry-unverified; `-retry` after a 503 or a 409 while rows validate. */
  tag: string;
  who: string;
  sentAt: number;
  readFrom?: number;
  answeredAt: number;
  /** HTTP status (api); 0 when no answer came. Signals: undefined. */
  httpStatus?: number;
  /** The problem type's last path segment of a 4xx (batch-figures-differ, batch-row, …). */
  problem?: string;
  answeredStatus?: string;
  /** approve: the figures the approver asserted, and the rows excluded. */
  expected?: { count: number; total: number };
  excluded?: string[];
  /** 409 batch-figures-differ: the batch's own figures. */
  actual?: { count: number; total: number };
  /** row-approve: the row. */
  row?: string;
  /** 409 limit-exceeded: the problem's figures. */
  limit?: LimitRefusal;
  error?: string;
}

export interface BatchRecord {
  reference: string;
  /** What the plan decided for it (the report groups by it; the checker does not read it). */
  plan: BatchDecisionPlan;
  requestedBy: string;
  /** The rows' references, in row order. */
  rows: string[];
  scheduledAt?: string;
  /** The create answer's status (0: none). */
  createStatus: number;
  snapshots: BatchSnapshot[];
  decisions: BatchDecisionRecord[];
  /** Complete listings of the rows (every page), when the batch awaited approval and at the end. */
  listings: { sentAt: number; answeredAt: number; items: BatchItem[] }[];
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
  /** The base URL of the API instance the call went to (and that answered it, if anything did); absent in hand-made observations. */
  instance?: string;
}

/** When a disruption ran: from its start until what it took down answered again. */
export interface DisruptionWindow {
  kind: WorldEvent['kind'];
  from: number;
  to: number;
}

export interface Observations {
  payouts: PayoutRecord[];
  /** The APPROVAL_POLICY the stack ran with (absent: none; the policy rules have nothing to judge). */
  policy?: ChaosPolicy;
  /** GET /v1/limits for every requester and destination of the run, read at the end (after every payout settled; none of the readings made mid-run). */
  limits?: LimitsReading[];
  /** The batches (absent: the run had none); their rows are among `payouts`, with batchId. */
  batches?: BatchRecord[];
  ledger: LedgerRow[];
  answers: ApiAnswer[];
  /** When every fault had stopped: simulator faults cleared, balances back, worker and server up (ms). */
  faultsStoppedAt: number;
  /** 2 × STATUS_POLL_MAX_MS: every payout is final or NEEDS_ATTENTION this long after the faults stop. */
  settleWithinMs: number;
  /** What the webhook receivers got (absent: the run registered no endpoint). */
  webhooks?: WebhookObservations;
  /**
   * With runChaos's `outageRule`: the windows in which Temporal or its database was down or a worker
   * was killed or the workers scaled (the disruptions of OUTAGE_KINDS), and the grace around each. Then an API 503 to a request sent
   * outside every window widened by `graceMs` on both sides is a violation (api-503-outside-outage).
   * Absent: 503s are not judged.
   */
  outages?: { graceMs: number; windows: DisruptionWindow[] };
  /**
   * Issue 18: the reconciliation of every Jakarta day the run touched (the days its payouts could be
   * submitted in), asked for after everything else settled and read back with its report. Absent: the
   * run reconciled nothing (the reconciliation rules have nothing to judge).
   */
  reconciliations?: ReconciliationObservation[];
}

// ---------------------------------------------------------------- reconciliation (issue 18)

/** A number of payouts and their amounts' sum (whole rupiah), as a reconciliation report tallies them. */
export interface ReconciliationTally {
  count: number;
  total: number;
}

/** One provider's figures in a reconciliation report (src/domain/reconciliation ProviderReport). */
export interface ReconciliationProviderFigures {
  provider: string;
  /** The provider's payouts submitted within the day; those its records agree with; those neither matched nor broken (open here, or not yet judgeable). */
  ours: ReconciliationTally;
  matched: ReconciliationTally;
  pending: ReconciliationTally;
  /** Breaks by kind. */
  breaks: Record<string, number>;
  /** The break kinds the provider's records can reveal. */
  supports?: string[];
  /** Whole rupiah, when the provider has a balance call. */
  balance?: number;
}

/** One break of a reconciliation report, with our side's record and the provider's as the report gave them. */
export interface ReconciliationBreakSeen {
  kind: string;
  provider: string;
  /** Absent for a transfer under a reference the service does not know (UNKNOWN_TO_US). */
  reference?: string;
  detail: string;
  ours?: { status: string; amount: number; fee?: number; submittedAt?: string };
  theirs?: unknown[];
}

/** One reconciliation run of a day (POST /v1/reconciliations, then GET /v1/reconciliations/{id} until it ended). */
export interface ReconciliationObservation {
  date: string;
  /** The run's id; absent when it never started. */
  id?: string;
  /** When it was asked for (the POST was sent) and when its final state was read (answered); the driver's clock (ms). */
  sentAt: number;
  answeredAt: number;
  /** COMPLETED or FAILED as the API said; RUNNING when it had not ended within the run's bound; NOT_STARTED when the POST was refused. */
  status: 'COMPLETED' | 'FAILED' | 'RUNNING' | 'NOT_STARTED';
  /** Why it did not complete (the POST's or GET's answer). */
  error?: string;
  /** The instant the run's "missing at the provider" rule counted back from. */
  cutoff?: string;
  providers: ReconciliationProviderFigures[];
  breaks: ReconciliationBreakSeen[];
  /** Breaks beyond those the run's result lists (breakCounts counts them all). */
  breaksOmitted?: number;
  /** Open payouts the run moved to (or kept in) NEEDS_ATTENTION because of a break. */
  flagged: string[];
}

// ---------------------------------------------------------------- webhooks

/** An endpoint the run registered, and what its receiver (one per endpoint) saw. */
export interface EndpointObservation {
  /** The run's name for it: `all` (every event type) or `final` (final statuses and NEEDS_ATTENTION). */
  name: string;
  id: string;
  url: string;
  /** The event types it subscribed to, as the API answered. */
  events: string[];
  /** Every delivery its receiver accepted (verified by our verifier), in order of arrival. */
  received: ReceivedEvent[];
  /** Deliveries the receiver refused other than on purpose (a fault window): a bad signature, a wrong path. */
  refused: { at: number; reason: string }[];
  /** The API's delivery log of the endpoint (all pages), read after the drain; absent if it could not be read. */
  log?: DeliveryLogRecord[];
  /** When the log was read (the request of its last attempt was sent; ms). */
  logReadAt?: number;
}

/** One accepted delivery, as the receiver got it. */
export interface ReceivedEvent {
  /** The webhook-id header. */
  webhookId: string;
  /** The body's event id, type, createdAt and sequence, and the payout's id and status in it. */
  eventId: string;
  type: string;
  createdAt: string;
  sequence: number;
  payoutId: string;
  payoutStatus: string;
  /** A batch's event (batch.<status>): the batch's reference and status in it (payoutId is then empty). */
  batchId?: string;
  batchStatus?: string;
  /** The event's own copy of the payout's (or the batch's) timeline (statuses and times). */
  timeline: { status: string; at: string }[];
  /** The destination's number as the event shows it (masked to its last 4 digits, if all is well). */
  shownNumber: string;
  /** Whether the reference verifier (the `standardwebhooks` package) accepted it too, with the endpoint's secret. */
  verifiedByReference: boolean;
  receivedAt: number;
}

/** One line of the API's delivery log (GET /v1/webhook-endpoints/{id}/deliveries). */
export interface DeliveryLogRecord {
  eventId: string;
  type: string;
  payoutId: string;
  sequence: number;
  state: 'PENDING' | 'DELIVERED' | 'FAILED';
  attempts: number;
  lastHttpStatus?: number;
  lastError?: string;
}

export interface WebhookObservations {
  endpoints: EndpointObservation[];
  /**
   * When the drain ended (ms): every event of every timeline read before this moment was due at its
   * endpoints by then (the run waited up to `drainWithinMs` for them after the receivers were back up).
   */
  drainedAt: number;
  drainWithinMs: number;
  /** When each receiver fault ran: from its start until the receiver took deliveries again. */
  faultWindows: { receiver: number; kind: string; from: number; to: number }[];
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
  | 'api-503-outside-outage'
  | 'api-no-answer'
  | 'forged-callback-accepted'
  | 'late-callback-accepted'
  | 'not-settled-in-time'
  | 'webhook-event-missing'
  | 'webhook-out-of-order'
  | 'webhook-invented'
  | 'webhook-unverified'
  | 'webhook-number-unmasked'
  | 'webhook-log-mismatch'
  | 'batch-row-paid-without-approval'
  | 'batch-paid-after-refusal'
  | 'batch-excluded-row-paid'
  | 'batch-invalid-row-paid'
  | 'batch-row-paid-unsubmitted'
  | 'batch-cancel-outcome'
  | 'batch-counts-mismatch'
  | 'batch-final-status-changed'
  | 'batch-illegal-transition'
  | 'batch-refused-approval-changed'
  | 'batch-pays-more-than-approved'
  | 'batch-row-decided-alone'
  | 'batch-not-final'
  | 'approvals-short'
  | 'approvals-not-distinct'
  | 'terms-not-as-policy'
  | 'auto-approval-outside-bounds'
  | 'daily-limit-exceeded'
  | 'limit-refusal-wrong'
  | 'limit-leak'
  | 'batch-approvals-differ'
  | 'reconciliation-break'
  | 'reconciliation-missed'
  | 'reconciliation-failed';
