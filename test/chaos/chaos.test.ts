// The invariant checker's short run inside `npm test`: a fixed seed, both providers, every fault
// mode, one worker kill -9 and one dev-server restart on the same database, about two minutes. It
// runs its own restartable dev server (the suite's shared one cannot be restarted under other tests).
// Any violation fails the test with the report (the same seed reproduces the plan: npm run chaos -- --seed).
import { rmSync } from 'node:fs';
import { runChaos } from './driver';
import { formatReport } from './report';

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
    expect(lines.some((l) => l.startsWith('Temporal dev server answering again'))).toBe(true);
    expect(Object.values(result.faultsFired).reduce((n, fired) => n + Object.values(fired).reduce((a, b) => a + b, 0), 0)).toBeGreaterThan(0);
    expect(result.observations.ledger.length).toBeGreaterThan(0);
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
    console.log(report);
    rmSync(result.dir, { recursive: true, force: true });
  },
  6 * 60_000,
);
