// The lint rules that keep workflow code deterministic, run with the project's ESLint on probe
// sources (a child process: jest's module sandbox cannot load the ESM config file).
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

const ROOT = join(__dirname, '..', '..');
const ESLINT = join(ROOT, 'node_modules', 'eslint', 'bin', 'eslint.js');

async function problems(source: string, file = 'workflows/probe.ts'): Promise<string[]> {
  const run = spawnSync(process.execPath, [ESLINT, '--format', 'json', '--stdin', '--stdin-filename', join(ROOT, file)], {
    cwd: ROOT,
    input: source,
    encoding: 'utf8',
  });
  const [result] = JSON.parse(run.stdout) as { messages: { ruleId: string; message: string }[] }[];
  return (result?.messages ?? []).map((m) => `${m.ruleId}: ${m.message}`);
}

describe('workflow lint rules', () => {
  test.each([
    ["import { readFileSync } from 'node:fs';\nexport const x = readFileSync;", 'Node built-ins'],
    ["import { randomUUID } from 'crypto';\nexport const x = randomUUID;", 'Node built-ins'],
    ["import { Client } from '@temporalio/client';\nexport const x = Client;", 'only @temporalio/workflow'],
    ["import { Context } from '@temporalio/activity';\nexport const x = Context;", 'only @temporalio/workflow'],
    ["import { createActivities } from '../activities';\nexport const x = createActivities;", 'activity types only'],
    ["import { loadConfig } from '../src/config';\nexport const x = loadConfig;", 'pure modules from src/domain'],
    ['export const x = setTimeout;', 'sleep()'],
    ['export const x = process.env;', 'environment'],
  ])('refuses %j', async (source, why) => {
    expect((await problems(source)).join('\n')).toContain(why);
  });

  test('allows the workflow SDK, domain modules and activity types', async () => {
    const source = [
      "import { proxyActivities } from '@temporalio/workflow';",
      "import type { PayoutActivities } from '../activities';",
      "import { toMoney } from '../src/domain/money';",
      'export const x = [proxyActivities, toMoney];',
      'export type A = PayoutActivities;',
    ].join('\n');
    expect(await problems(source)).toEqual([]);
  });

  test('the same imports are fine outside workflows/', async () => {
    expect(await problems("import { readFileSync } from 'node:fs';\nexport const x = readFileSync;", 'src/probe.ts')).toEqual([]);
  });
});

describe('import structure', () => {
  test('an import cycle fails lint (here: the domain reaching up into the registry, which imports the domain)', async () => {
    const source = "import { PROVIDER_MODULES } from '../registry';\nexport const x = PROVIDER_MODULES;";
    expect((await problems(source, 'src/domain/money.ts')).join('\n')).toContain('import-x/no-cycle');
  });

  test.each([
    ["import { createActivities } from '../../../activities';\nexport const x = createActivities;", 'must not import the activities'],
    ["import { loadConfig } from '../../config';\nexport const x = loadConfig;", 'must not import src/config.ts'],
    ["import { startSingapaySimulator } from '../../simulators/singapay';\nexport const x = startSingapaySimulator;", 'Providers import only src/domain'],
    ["import { PROVIDER_MODULES } from '../../registry';\nexport const x = PROVIDER_MODULES;", 'Providers import only src/domain'],
  ])('a provider module may not reach up: %j', async (source, why) => {
    expect((await problems(source, 'src/providers/singapay/probe.ts')).join('\n')).toContain(why);
  });
});
