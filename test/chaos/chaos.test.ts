// The invariant checker's short run inside `npm test`: a fixed seed, both providers, every fault
// mode, one worker kill -9 and one dev-server restart on the same database, webhooks to two endpoints
// whose receivers go down or answer 5xx for a while (one of them during the kill), about two minutes.
// It runs its own restartable dev server (the suite's shared one cannot be restarted under other tests).
// Any violation fails the test with the report (the same seed reproduces the plan: npm run chaos -- --seed).
import { rmSync } from 'node:fs';
import { runChaos } from './driver';
import type { ChaosResult } from './driver';
import { formatReport, receiverRecovery } from './report';

/** Webhooks were exercised: both endpoints got events, the receiver faults ran, and every event arrived. */
function expectWebhooksExercised(result: ChaosResult, lines: string[]): void {
  const webhooks = result.observations.webhooks!;
  expect(webhooks.endpoints.map((e) => e.name)).toEqual(['all', 'final']);
  for (const endpoint of webhooks.endpoints) expect(endpoint.received.length).toBeGreaterThan(0);
  expect(webhooks.faultWindows).toHaveLength(result.plan.receiverFaults.length);
  expect(lines.some((l) => /^receiver \w+ down for/.test(l))).toBe(true);
  expect(result.webhookDrainMs).toBeDefined();
  expect(receiverRecovery(webhooks).length).toBeGreaterThan(0);
}

const SEED = Number(process.env.CHAOS_SEED ?? 20261202);

test(
  `chaos: seed ${SEED}, 28 payouts, a worker kill and a server restart, no violation`,
  async () => {
    const lines: string[] = [];
    const result = await runChaos({ seed: SEED, payouts: 28, concurrency: 6, workerKills: 1, serverRestarts: 1, faults: true, log: (line) => lines.push(line) });
    const report = formatReport(result);
    if (result.violations.length > 0) throw new Error(`${lines.join('\n')}\n${report}`);
    // The run did what it is for: both disruptions happened, faults were applied, payouts settled.
    expect(lines.some((l) => l.startsWith('kill -9 the worker'))).toBe(true);
    expect(lines.some((l) => l.startsWith('Temporal server answering again'))).toBe(true);
    expect(Object.values(result.faultsFired).reduce((n, fired) => n + Object.values(fired).reduce((a, b) => a + b, 0), 0)).toBeGreaterThan(0);
    expect(result.observations.ledger.length).toBeGreaterThan(0);
    expectWebhooksExercised(result, lines);
    // A receiver fault ran while the worker was killed or the server restarted.
    expect(result.observations.webhooks!.faultWindows.some((f) => result.disruptionWindows.some((d) => f.from <= d.to && d.from <= f.to))).toBe(true);
    console.log(report);
    // A passing run's directory (database, logs, observations) is not worth keeping.
    rmSync(result.dir, { recursive: true, force: true });
  },
  6 * 60_000,
);

test(
  `chaos: seed ${SEED + 1}, 20 payouts with every provider assumption in its other form (simulators and service agreeing), no violation`,
  async () => {
    const lines: string[] = [];
    const result = await runChaos({ seed: SEED + 1, payouts: 20, concurrency: 6, workerKills: 0, serverRestarts: 0, faults: true, assumptions: 'alternate', log: (line) => lines.push(line) });
    const report = formatReport(result);
    if (result.violations.length > 0) throw new Error(`${lines.join('\n')}\n${report}`);
    expect(lines.some((l) => l.startsWith('faspay: the other form of'))).toBe(true);
    // The fee the providers charged was checked against the fee the approver saw: Faspay charged one.
    expect(result.observations.ledger.some((row) => row.provider === 'faspay' && (row.fee ?? 0) > 0)).toBe(true);
    expectWebhooksExercised(result, lines);
    console.log(report);
    rmSync(result.dir, { recursive: true, force: true });
  },
  6 * 60_000,
);
