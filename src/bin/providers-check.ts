// `npm run providers:check [-- --transfer] [-- --provider <key>]`: the go-live check. For every
// provider the environment configures (sandbox credentials), it runs the module's read-only calls
// (and with --transfer one minimum-amount transfer) and prints each of the module's assumptions as
// confirmed, refuted (with the provider's answer) or untested. It never prints a secret: only the
// assumption settings and what the provider answered. Exit 0: nothing refuted; 1: something refuted;
// 2: nothing to check (no provider configured, or a bad flag).
import { parseArgs } from 'node:util';
import type { AssumptionVerdict, ProviderAssumption } from '../domain/provider-port';
import { loadConfigOrExit } from '../config';
import type { ConfiguredProvider } from '../providers/module';

const MARK: Record<AssumptionVerdict['verdict'], string> = { confirmed: 'confirmed', refuted: 'REFUTED  ', untested: 'untested ' };

/** The setting as it was given (the variable's text; its default when unset). Only assumption variables: never a credential. */
function settingValue(source: NodeJS.ProcessEnv, assumption: ProviderAssumption): string {
  const given = source[assumption.setting.variable];
  return given === undefined || given.trim() === '' ? assumption.setting.default : given;
}

async function checkOne(source: NodeJS.ProcessEnv, { module, settings }: ConfiguredProvider, transfer: boolean): Promise<AssumptionVerdict[]> {
  console.log(`\n${module.name} (${module.key})${transfer ? ', with one minimum-amount transfer' : ', read-only calls'}:`);
  let verdicts: AssumptionVerdict[];
  try {
    verdicts = await module.checkAssumptions(settings, { transfer });
  } catch (err) {
    // A check that cannot run at all settles nothing: every assumption untested, and why.
    const why = err instanceof Error ? err.message : String(err);
    verdicts = module.assumptions.map((a) => ({ assumption: a.id, verdict: 'untested' as const, evidence: `the check could not run: ${why}` }));
  }
  for (const assumption of module.assumptions) {
    const verdict = verdicts.find((v) => v.assumption === assumption.id) ?? { assumption: assumption.id, verdict: 'untested' as const, evidence: 'the check gave no verdict' };
    const value = settingValue(source, assumption);
    console.log(`  ${MARK[verdict.verdict]}  ${assumption.id}  (${assumption.setting.variable}=${value})`);
    console.log(`             ${assumption.summary}`);
    console.log(`             ${verdict.verdict === 'untested' && !transfer && assumption.settledBy === 'transfer' ? `only a transfer settles it (--transfer). ${verdict.evidence}` : verdict.evidence}`);
    if (verdict.verdict === 'refuted') {
      const others = assumption.setting.values.filter((other) => other !== value);
      console.log(`             → change ${assumption.setting.variable}${others.length > 0 ? ` (other values: ${others.join(', ')})` : ''}; docs/providers/${module.key}.md`);
    }
  }
  return verdicts;
}

async function main() {
  let flags: { transfer: boolean; provider: string | undefined };
  try {
    const { values } = parseArgs({ options: { transfer: { type: 'boolean', default: false }, provider: { type: 'string' } } });
    flags = { transfer: values.transfer ?? false, provider: values.provider };
  } catch (err) {
    console.error(`${(err as Error).message}\nUsage: npm run providers:check [-- --transfer] [-- --provider <key>]`);
    process.exit(2);
  }
  const config = loadConfigOrExit();
  const known = config.providerModules.map((module) => module.key);
  if (flags.provider !== undefined && !known.includes(flags.provider)) {
    console.error(`--provider ${flags.provider}: not a provider this service knows (${known.join(', ')})`);
    process.exit(2);
  }
  const chosen = config.providers.filter(({ module }) => flags.provider === undefined || module.key === flags.provider);
  if (chosen.length === 0) {
    const wanted = config.providerModules.filter((module) => flags.provider === undefined || module.key === flags.provider);
    console.error(
      `No provider to check: set a sandbox's credentials first (${wanted.map((module) => `${module.name}: ${Object.keys(module.env).filter((name) => !/_(TIMEOUT_MS|SIMULATOR_PORT)$/.test(name)).slice(0, 5).join(', ')}`).join('; ')}). README "Going live".`,
    );
    process.exit(2);
  }
  let refuted: string[] = [];
  for (const provider of chosen) {
    const verdicts = await checkOne(process.env, provider, flags.transfer);
    refuted = refuted.concat(verdicts.filter((v) => v.verdict === 'refuted').map((v) => v.assumption));
  }
  console.log(
    refuted.length === 0
      ? `\nNothing refuted.${flags.transfer ? '' : ' Assumptions only a transfer settles stay untested without --transfer.'}`
      : `\n${refuted.length} assumption${refuted.length === 1 ? '' : 's'} refuted: ${refuted.join(', ')}. Fix the settings named above, then run the check again.`,
  );
  process.exit(refuted.length === 0 ? 0 : 1);
}

main().catch((err) => {
  console.error('[providers:check] failed:', err instanceof Error ? err.message : err);
  process.exit(2);
});
