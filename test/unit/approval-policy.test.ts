import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { jakartaDay, jakartaDayEndMs, reservationsFor, termsFor, type ApprovalPolicy } from '../../src/domain/approval-policy';
import { deriveScopeKey, spendingWorkflowId } from '../../src/approvals/scope-id';
import { defaultApprovalPolicy, parseApprovalPolicy, type ConfiguredPolicy, type PolicyProblem } from '../../src/approvals/policy-config';
import { loadConfig } from '../../src/config';
import { problemsOf } from '../support/config-problems';

const EXAMPLE = {
  tiers: [
    { minAmount: '0.00', approvals: 1 },
    { minAmount: '10000000.00', approvals: 2 },
  ],
  autoApprove: { maxAmount: '100000.00', requesters: ['payroll-bot@acme'] },
  limits: { perRequesterPerDay: '50000000.00', perDestinationPerDay: '20000000.00' },
};

function parsed(value: unknown): ConfiguredPolicy {
  const result = parseApprovalPolicy(typeof value === 'string' ? value : JSON.stringify(value));
  if ('problems' in result) throw new Error(result.problems.map((p) => `${p.field}: ${p.message}`).join('; '));
  return result;
}

function problems(value: unknown): PolicyProblem[] {
  const result = parseApprovalPolicy(typeof value === 'string' ? value : JSON.stringify(value));
  if (!('problems' in result)) throw new Error('the policy was accepted');
  return result.problems;
}

describe('APPROVAL_POLICY', () => {
  test('the example parses into whole rupiah', () => {
    const { policy, configured } = parsed(EXAMPLE);
    expect(configured).toBe(true);
    expect(policy).toEqual({
      tiers: [
        { minAmount: 0, approvals: 1 },
        { minAmount: 10_000_000, approvals: 2 },
      ],
      autoApprove: { maxAmount: 100_000, requesters: ['payroll-bot@acme'] },
      limits: { perRequesterPerDay: 50_000_000, perDestinationPerDay: 20_000_000 },
    });
  });

  test('a file path works like the JSON itself', () => {
    const dir = mkdtempSync(join(tmpdir(), 'policy-'));
    const file = join(dir, 'policy.json');
    writeFileSync(file, JSON.stringify(EXAMPLE));
    expect(parsed(file)).toEqual(parsed(EXAMPLE));
    expect(problems(join(dir, 'missing.json'))[0]).toMatchObject({ field: 'APPROVAL_POLICY', message: expect.stringContaining('ENOENT') });
  });

  test('unset: one approval, no limits, no auto-approval', () => {
    const fallback = defaultApprovalPolicy();
    expect(fallback.configured).toBe(false);
    expect(parseApprovalPolicy(undefined)).toEqual(fallback);
    expect(termsFor(fallback.policy, fallback.id, { amount: 999_999_999, requestedBy: 'a@b' })).toEqual({ policy: fallback.id, approvalsRequired: 1, autoApprove: false, limits: {} });
  });

  test('every problem names its field', () => {
    expect(problems({ tiers: [{ minAmount: '0.00', approvals: 0 }] })[0]!.field).toBe('APPROVAL_POLICY.tiers[0].approvals');
    expect(problems({ tiers: [{ minAmount: '5.00', approvals: 1 }] })[0]!.field).toBe('APPROVAL_POLICY.tiers[0].minAmount');
    expect(problems({ tiers: [{ minAmount: '0.00', approvals: 1 }, { minAmount: '0.00', approvals: 2 }] })[0]!.field).toBe('APPROVAL_POLICY.tiers[1].minAmount');
    expect(problems({ tiers: [{ minAmount: '0', approvals: 1 }] })[0]!.field).toBe('APPROVAL_POLICY.tiers[0].minAmount');
    expect(problems({ ...EXAMPLE, limits: { perRequesterPerDay: 5 } })[0]!.field).toBe('APPROVAL_POLICY.limits.perRequesterPerDay');
    expect(problems({ ...EXAMPLE, autoApprove: { maxAmount: '1.00', requesters: ['Policy'] } })[0]!.field).toBe('APPROVAL_POLICY.autoApprove.requesters[0]');
    expect(problems({ ...EXAMPLE, autoApprove: { maxAmount: '1.00', requesters: ['policy'] } })[0]!.message).toContain('the policy itself');
    expect(problems({ ...EXAMPLE, extra: 1 })[0]!.message).toContain('extra');
    expect(problems({ tiers: [] })[0]!.field).toBe('APPROVAL_POLICY.tiers');
    expect(problems('{ not json')[0]).toMatchObject({ field: 'APPROVAL_POLICY', message: expect.stringContaining('not valid JSON') });
  });

  test('the configuration refuses a bad policy, naming the field', () => {
    expect(problemsOf({ APPROVAL_POLICY: JSON.stringify({ tiers: [{ minAmount: '0.00', approvals: 11 }] }) })).toContain('APPROVAL_POLICY.tiers[0].approvals');
    const config = loadConfig({ APPROVAL_POLICY: JSON.stringify(EXAMPLE) });
    expect(config.approvals.policy.tiers).toHaveLength(2);
    expect(config.approvals.id).toMatch(/^pol_[0-9a-f]{10}$/);
  });

  test('the id follows the policy, not its spelling', () => {
    const reordered = { limits: EXAMPLE.limits, autoApprove: EXAMPLE.autoApprove, tiers: EXAMPLE.tiers };
    expect(parsed(reordered).id).toBe(parsed(EXAMPLE).id);
    expect(parsed({ ...EXAMPLE, limits: { perRequesterPerDay: '1.00' } }).id).not.toBe(parsed(EXAMPLE).id);
  });
});

describe('terms of a payout', () => {
  const { policy, id } = parsed(EXAMPLE);

  test('the last tier at or under the amount applies', () => {
    expect(termsFor(policy, id, { amount: 9_999_999, requestedBy: 'x@y' }).approvalsRequired).toBe(1);
    expect(termsFor(policy, id, { amount: 10_000_000, requestedBy: 'x@y' }).approvalsRequired).toBe(2);
  });

  test('auto-approval only for a listed requester at or under maxAmount, never for a batch', () => {
    expect(termsFor(policy, id, { amount: 100_000, requestedBy: 'payroll-bot@acme' }).autoApprove).toBe(true);
    expect(termsFor(policy, id, { amount: 100_000, requestedBy: ' Payroll-Bot@ACME' }).autoApprove).toBe(true);
    expect(termsFor(policy, id, { amount: 100_001, requestedBy: 'payroll-bot@acme' }).autoApprove).toBe(false);
    expect(termsFor(policy, id, { amount: 100, requestedBy: 'someone@acme' }).autoApprove).toBe(false);
    expect(termsFor(policy, id, { amount: 100, requestedBy: 'payroll-bot@acme', batch: true }).autoApprove).toBe(false);
  });

  test('the terms are a copy: a later change of the policy object does not reach them', () => {
    const copy: ApprovalPolicy = JSON.parse(JSON.stringify(policy));
    const terms = termsFor(copy, id, { amount: 1, requestedBy: 'x@y' });
    copy.limits!.perRequesterPerDay = 1;
    expect(terms.limits.perRequesterPerDay).toBe(50_000_000);
  });
});

describe('Jakarta days and scopes', () => {
  test('a day runs from 17:00 UTC to 17:00 UTC', () => {
    expect(jakartaDay(Date.parse('2026-12-02T16:59:59.999Z'))).toBe('2026-12-02');
    expect(jakartaDay(Date.parse('2026-12-02T17:00:00.000Z'))).toBe('2026-12-03');
    expect(jakartaDayEndMs('2026-12-02')).toBe(Date.parse('2026-12-02T17:00:00.000Z'));
  });

  test('a batch reserves its rows in the requester scope and per destination', () => {
    const scopes = reservationsFor({ perRequesterPerDay: 100, perDestinationPerDay: 50 }, ' Req@X ', [
      { holder: 'r1', amount: 10, destination: '0811' },
      { holder: 'r2', amount: 20, destination: '0822' },
      { holder: 'r3', amount: 30, destination: '0811' },
    ]);
    expect(scopes).toEqual([
      { kind: 'requester', subject: 'req@x', limit: 100, holds: [{ holder: 'r1', amount: 10 }, { holder: 'r2', amount: 20 }, { holder: 'r3', amount: 30 }] },
      { kind: 'destination', subject: '0811', limit: 50, holds: [{ holder: 'r1', amount: 10 }, { holder: 'r3', amount: 30 }] },
      { kind: 'destination', subject: '0822', limit: 50, holds: [{ holder: 'r2', amount: 20 }] },
    ]);
    expect(reservationsFor({}, 'req@x', [{ holder: 'r1', amount: 10, destination: '0811' }])).toEqual([]);
  });

  test('a scope id never shows the account number, and differs per key, task queue, kind and day', () => {
    const key = deriveScopeKey(Buffer.alloc(32, 1));
    const id = spendingWorkflowId(key, 'payouts', 'destination', '081234567890', '2026-12-02');
    expect(id).toMatch(/^spending-destination-2026-12-02-[0-9a-f]{32}$/);
    expect(id).not.toContain('081234567890');
    expect(spendingWorkflowId(deriveScopeKey(Buffer.alloc(32, 2)), 'payouts', 'destination', '081234567890', '2026-12-02')).not.toBe(id);
    expect(spendingWorkflowId(key, 'payouts', 'requester', '081234567890', '2026-12-02')).not.toBe(id);
    expect(spendingWorkflowId(key, 'payouts', 'destination', '081234567890', '2026-12-03')).not.toBe(id);
    expect(spendingWorkflowId(key, 'other-deployment', 'destination', '081234567890', '2026-12-02')).not.toBe(id);
  });
});
