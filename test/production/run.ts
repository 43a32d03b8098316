// `npm run test:production -- [--payouts N] [--batches B] [--seed S] [--concurrency C] [--keep]`: the production
// topology (src/production/stack.ts: PostgreSQL, the Temporal server on it, two workers, two API
// instances in production mode, the simulators) driven by the chaos run (test/chaos) while, in turn,
// a worker is killed with -9 during triggers, the Temporal server is restarted (SIGTERM, then
// SIGKILL), PostgreSQL is restarted (fast, then immediate shutdown) and the workers are scaled
// 2 → 1 → 3. Two webhook endpoints take every event over https, through receiver faults. Judged by
// the invariant checker, with one rule more than `npm run chaos`: a 503 only while Temporal or its
// database is down. The API and workers run under the approval policy the chaos plan draws
// (APPROVAL_POLICY, with API_KEYS for the run's extra requester and approver). Prints the figures (payouts, disruptions, recovery time of
// each); exits 1 on a violation, 2 when the run itself failed.
import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { runChaos, type ChaosOptions, type StackSetup } from '../chaos/driver';
import { KEYS, policyJson, type KeyName, type Plan } from '../chaos/model';
import { callsPerInstance, formatReport } from '../chaos/report';
import { chaosApiKeys, DEFAULT_TIMING, timingEnvironment, type ChaosStack } from '../chaos/stack';
import { ROOT } from '../../src/production/compose';
import { freePorts, startProductionStack } from '../../src/production/stack';
import { dataConverterFor, parseCodecKeys } from '../../src/temporal/codec';
import { loadOrCreateSecrets } from '../../src/production/secrets';
import { formatRecovery, recoveryFigures } from './figures';
import { makeServerCertificate } from '../support/tls-front';

/**
 * The disruptions, one after another, spread over the run so payouts are in flight at each: the
 * worker kill while triggers are held at the simulators, then the server, then the database, then the
 * workers scaled down to one and up to three.
 */
export function productionDisruptions(payouts: number): Plan['disruptions'] {
  const events: Plan['disruptions'][number]['event'][] = [
    { kind: 'kill-worker', downForMs: 1_000, duringTrigger: true },
    { kind: 'restart-server', how: 'SIGTERM' },
    { kind: 'restart-server', how: 'SIGKILL' },
    { kind: 'restart-database', how: 'fast' },
    { kind: 'restart-database', how: 'immediate' },
    { kind: 'scale-workers', to: 1 },
    { kind: 'scale-workers', to: 3 },
  ];
  return events.map((event, i) => ({ afterPayout: Math.min(payouts - 1, Math.floor((payouts * (i + 1)) / (events.length + 2))), event }));
}

function parseArgs(argv: string[]) {
  // Two batches ride along the payouts, so that workers, server and database go down under them too.
  const options = { payouts: 140, batches: 2, seed: Math.floor(Math.random() * 2 ** 31), concurrency: 10, keep: false };
  for (let i = 0; i < argv.length; i += 1) {
    const flag = argv[i]!;
    const number = () => {
      const value = Number(argv[++i]);
      if (!Number.isInteger(value) || value < 1) throw new Error(`${flag} needs a positive integer, got ${argv[i] ?? 'nothing'}`);
      return value;
    };
    if (flag === '--payouts') options.payouts = number();
    else if (flag === '--batches') options.batches = number();
    else if (flag === '--seed') options.seed = number();
    else if (flag === '--concurrency') options.concurrency = number();
    else if (flag === '--keep') options.keep = true;
    else throw new Error(`unknown option ${flag} (--payouts N, --batches B, --seed S, --concurrency C, --keep)`);
  }
  return options;
}

async function main() {
  const args = parseArgs(process.argv.slice(2));
  // A folder of its own, fresh each run, beside stack:production's (.data/production).
  const dataDir = join(ROOT, '.data', 'production-test');
  rmSync(dataDir, { recursive: true, force: true });
  const timing = DEFAULT_TIMING;
  const log = (line: string) => console.log(`[production] ${line}`);

  const startStack = async (chaosLog: (line: string) => void, setup: StackSetup): Promise<ChaosStack> => {
    // Production delivers webhooks to https only: the run's receivers serve https on loopback with a
    // certificate for 127.0.0.1 from a CA of the run's own, which the workers trust.
    const webhookCertificate = makeServerCertificate('IP:127.0.0.1');
    // The keys: the stack's own for its three roles (its secrets file, made here first and then read
    // by the stack), and two more for the run's auto requester and third approver (test/chaos/model.ts
    // KEYS); API_KEYS then holds all five, after the compose environment's three.
    mkdirSync(dataDir, { recursive: true });
    const secrets = loadOrCreateSecrets(join(dataDir, 'secrets.json'));
    const keys: Record<KeyName, string> = {
      ...secrets.keys,
      auto: `auto-${randomBytes(24).toString('base64url')}`,
      approver2: `approver2-${randomBytes(24).toString('base64url')}`,
    };
    const stack = await startProductionStack({
      dataDir,
      ports: await freePorts(),
      principals: { requester: KEYS.requester.principal, approver: KEYS.approver.principal, admin: KEYS.admin.principal },
      // No scheduled reconciliation among the run's payouts: prepare-namespace deletes the Schedule.
      dotEnv: { RECONCILIATION_SCHEDULE: 'off' },
      extraEnv: {
        API_KEYS: chaosApiKeys(keys),
        // Issue 15: the approval policy the chaos plan drew (two approvers, auto-approval, daily limits).
        ...(setup.policy && { APPROVAL_POLICY: policyJson(setup.policy) }),
        // The chaos run's short polls, budgets and retries, so that minutes see many of them.
        ...timingEnvironment(timing),
        LOG_LEVEL: 'warn',
        NODE_EXTRA_CA_CERTS: webhookCertificate.caCert,
        // The receivers are on loopback, which production refuses unless told otherwise.
        WEBHOOK_ALLOW_PRIVATE_URLS: 'true',
      },
      log: chaosLog,
    });
    // The run's own client (raw signals, the continue-as-new count) with the stack's codec key.
    const connection = await Connection.connect({ address: stack.temporalAddress });
    const dataConverter = dataConverterFor(parseCodecKeys(loadOrCreateSecrets(join(dataDir, 'secrets.json')).codecKeys));
    const client = new Client({ connection, namespace: 'default', ...(dataConverter && { dataConverter }) });
    chaosLog(`the production topology is up:\n${stack.describe()}`);
    return {
      dir: dataDir,
      apiUrl: stack.apiUrls[0]!,
      apiUrls: stack.apiUrls,
      apiKeys: keys,
      ...(setup.policy && { approvalPolicy: setup.policy }),
      temporalAddress: stack.temporalAddress,
      simulatorUrl: stack.simulatorUrls,
      client,
      timing,
      killWorker: () => stack.killWorker(),
      startWorker: () => stack.startWorker(),
      restartServer: (how) => stack.restartTemporal(how),
      restartDatabase: (how) => stack.restartPostgres(how),
      scaleWorkers: (to) => stack.scaleWorkers(to),
      webhookTls: { cert: readFileSync(webhookCertificate.serverCert, 'utf8'), key: readFileSync(webhookCertificate.serverKey, 'utf8') },
      stop: async () => {
        await connection.close();
        await stack.stop();
      },
    };
  };

  const options: ChaosOptions = {
    seed: args.seed,
    payouts: args.payouts,
    batches: args.batches,
    concurrency: args.concurrency,
    workerKills: 0,
    serverRestarts: 0,
    faults: true,
    startStack,
    disruptions: productionDisruptions(args.payouts),
    // A request sent this long before or after an outage may still meet it (a decision waits 5 s).
    outageRule: { graceMs: 10_000 },
    log,
  };
  const result = await runChaos(options);
  console.log(formatReport(result));
  const figures = {
    seed: args.seed,
    payouts: result.observations.payouts.length,
    durationMs: result.durationMs,
    disruptions: recoveryFigures(result.disruptionWindows, result.observations),
    violations: result.violations.length,
  };
  writeFileSync(join(dataDir, 'production-report.json'), `${JSON.stringify({ ...figures, violations: result.violations }, null, 1)}\n`);
  const calls = callsPerInstance(result.observations);
  console.log(`\nproduction topology: ${figures.payouts} payouts in ${Math.round(figures.durationMs / 1000)} s; API calls per instance: ${Object.entries(calls).map(([url, n]) => `${url} ${n}`).join(', ')}`);
  for (const line of formatRecovery(figures.disruptions)) console.log(line);
  if (!args.keep && result.violations.length === 0) rmSync(dataDir, { recursive: true, force: true });
  console.log(result.violations.length === 0 ? `PASS seed ${args.seed}` : `FAIL seed ${args.seed}: ${result.violations.length} violation(s); the run's files are in ${dataDir}`);
  process.exit(result.violations.length === 0 ? 0 : 1);
}

if (require.main === module) {
  main().catch((err) => {
    console.error(`[production] the run failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
    process.exit(2);
  });
}
