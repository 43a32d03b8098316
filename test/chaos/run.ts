// `npm run chaos -- [--payouts N] [--batches B] [--seed S] [--concurrency C] [--workers W] [--kills K] [--restarts R] [--no-kills] [--no-faults]
// [--receiver-faults N] [--refusal-confirm-ms MS] [--focus cancel-race] [--assumptions default|alternate] [--no-policy]`:
// the invariant checker (RELIABILITY.md) on the default stack (stack.ts), under the approval policy
// the plan draws (plan.ts policyFor; --no-policy: none). Prints the seed, what was
// exercised, the outcomes, the decisions' latency, the calls per API instance, each disruption with
// its recovery time, and every violation; exits 1 on a violation, 2 when the run itself failed.
// Another topology (its own stack, disruptions, no webhooks, 503s judged against outages) is driven
// through runChaos's options from code, not from these flags.
import { join } from 'node:path';
import { runChaos, type ChaosOptions } from './driver';
import { DEFAULT_TIMING } from './stack';
import { formatReport } from './report';

export function parseArgs(argv: string[]): ChaosOptions {
  const options: ChaosOptions = { seed: Math.floor(Math.random() * 2 ** 31), payouts: 40, batches: 3, concurrency: 8, workerKills: 1, serverRestarts: 1, faults: true };
  const number = (name: string, value: string | undefined, min: number): number => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < min) throw new Error(`${name} needs an integer ≥ ${min}, got ${value ?? 'nothing'}`);
    return n;
  };
  for (let i = 0; i < argv.length; i += 1) {
    const arg = argv[i]!;
    const [flag, inline] = arg.includes('=') ? [arg.slice(0, arg.indexOf('=')), arg.slice(arg.indexOf('=') + 1)] : [arg, undefined];
    const value = () => inline ?? argv[++i];
    switch (flag) {
      case '--payouts':
        options.payouts = number(flag, value(), 1);
        break;
      case '--batches':
        options.batches = number(flag, value(), 0);
        break;
      case '--no-batches':
        options.batches = 0;
        break;
      case '--seed':
        options.seed = number(flag, value(), 0);
        break;
      case '--concurrency':
        options.concurrency = number(flag, value(), 1);
        break;
      case '--workers':
        options.workers = number(flag, value(), 1);
        break;
      case '--kills':
        options.workerKills = number(flag, value(), 0);
        break;
      case '--restarts':
        options.serverRestarts = number(flag, value(), 0);
        break;
      case '--receiver-faults':
        options.receiverFaults = number(flag, value(), 0);
        break;
      case '--no-kills':
        options.workerKills = 0;
        options.serverRestarts = 0;
        break;
      case '--refusal-confirm-ms':
        options.timing = { ...DEFAULT_TIMING, ...options.timing, refusalConfirmMs: number(flag, value(), 1) };
        break;
      case '--focus': {
        const focus = value();
        if (focus !== 'cancel-race') throw new Error(`--focus knows cancel-race only, got ${focus ?? 'nothing'}`);
        options.focus = focus;
        break;
      }
      case '--no-resolve':
        options.resolve = false;
        break;
      case '--assumptions': {
        const forms = value();
        if (forms !== 'default' && forms !== 'alternate') throw new Error(`--assumptions takes default or alternate, got ${forms ?? 'nothing'}`);
        options.assumptions = forms;
        break;
      }
      case '--no-faults':
        options.faults = false;
        break;
      case '--no-policy':
        options.approvalPolicy = false;
        break;
      case '--help':
        console.log('npm run chaos -- [--payouts N=40] [--batches B=3 | --no-batches] [--seed S] [--concurrency C=8] [--workers W=1] [--kills K=1] [--restarts R=1] [--no-kills] [--no-faults] [--receiver-faults N] [--refusal-confirm-ms MS] [--focus cancel-race] [--no-resolve] [--no-policy]');
        process.exit(0);
        break;
      default:
        throw new Error(`unknown option ${arg} (try --help)`);
    }
  }
  return options;
}

async function main() {
  const options = parseArgs(process.argv.slice(2));
  const result = await runChaos(options);
  console.log(formatReport(result));
  console.log(`observations: ${join(result.dir, 'observations.json')}`);
  console.log(result.violations.length === 0 ? `PASS seed ${options.seed}` : `FAIL seed ${options.seed}: ${result.violations.length} violation(s)`);
  process.exit(result.violations.length === 0 ? 0 : 1);
}

if (require.main === module) {
  main().catch((err) => {
    console.error(`[chaos] the run failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
    process.exit(2);
  });
}
