// RECONCILIATION_SCHEDULE: `off`, or a five-field cron expression read in Asia/Jakarta (default 02:00
// daily). A wrong value stops the process with a message naming the variable and saying what is wrong;
// the compose file, .env.example and the code agree on the default.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { loadConfig } from '../../src/config';
import { cronProblem } from '../../src/temporal/cron';
import {
  DEFAULT_RECONCILIATION_SCHEDULE,
  describeReconciliationSchedule,
  normalizeReconciliationSchedule,
  reconciliationScheduleId,
} from '../../src/temporal/reconciliation-schedule';
import { problemsOf } from '../support/config-problems';

const ROOT = join(__dirname, '..', '..');

describe('RECONCILIATION_SCHEDULE', () => {
  test('unset or empty: daily at 02:00 (Asia/Jakarta)', () => {
    expect(DEFAULT_RECONCILIATION_SCHEDULE).toBe('0 2 * * *');
    expect(loadConfig({}).reconciliation.schedule).toBe('0 2 * * *');
    expect(loadConfig({ RECONCILIATION_SCHEDULE: '' }).reconciliation.schedule).toBe('0 2 * * *');
    expect(loadConfig({ RECONCILIATION_SCHEDULE: '   ' }).reconciliation.schedule).toBe('0 2 * * *');
  });

  test('off, in any case and with spaces around it', () => {
    for (const value of ['off', 'OFF', ' Off ']) expect(loadConfig({ RECONCILIATION_SCHEDULE: value }).reconciliation.schedule).toBe('off');
  });

  test('a cron expression is kept with single spaces; numbers, ranges, steps, lists and names', () => {
    expect(loadConfig({ RECONCILIATION_SCHEDULE: '  30   1 * *  MON-FRI ' }).reconciliation.schedule).toBe('30 1 * * MON-FRI');
    for (const value of ['0 2 * * *', '*/15 * * * *', '0 1-5/2 * * *', '0,30 2 * * *', '5/10 2 1 JAN,jul sun', '0 2 * * 0-7', '0 2 1-15 * *', '59 23 31 12 6']) {
      expect({ value, problem: cronProblem(value) }).toEqual({ value, problem: undefined });
      expect(loadConfig({ RECONCILIATION_SCHEDULE: value }).reconciliation.schedule).toBe(value);
    }
  });

  test.each([
    ['0 2 * *', 'must have 5 fields (minute hour day-of-month month day-of-week), e.g. "0 2 * * *"; "0 2 * *" has 4'],
    ['0 0 2 * * *', 'has 6'], // seconds (or a year) are not read
    ['@daily', 'has 1'],
    ['daily', 'has 1'],
    ['TZ=UTC 0 2 * * *', 'has 6'], // the zone is always Asia/Jakarta
    ['0 24 * * *', 'its hour field "24" is not 0–23'],
    ['60 2 * * *', 'its minute field "60" is not 0–59'],
    ['0 2 0 * *', 'its day of month field "0" is not 1–31'],
    ['0 2 * 13 *', 'its month field "13" is not 1–12 or JAN–DEC'],
    ['0 2 * * 8', 'its day of week field "8" is not 0–7 or SUN–SAT'],
    ['0 2 * * MONDAY', 'its day of week field "MONDAY" is not 0–7 or SUN–SAT'],
    ['0 2 * * 1#2', 'its day of week field "1#2" is not a value, range, step or list'], // the server would read it as 1
    ['0 2 L * *', 'its day of month field "L" is not 1–31'],
    ['0 2 * * MON-8', 'its day of week field "MON-8" has "8", which is not 0–7 or SUN–SAT'],
    ['0 2 ? * *', 'its day of month field "?" is not a value, range, step or list'],
    ['*/0 * * * *', 'its minute field "*/0" has a step below 1'],
    ['0 5-2 * * *', 'its hour field "5-2" has a range that ends before it starts (5-2)'],
    ['0 2,,3 * * *', 'its hour field "2,,3" is not a value, range, step or list'],
  ])('%j stops the process, naming the variable: %s', (value, reason) => {
    const message = problemsOf({ RECONCILIATION_SCHEDULE: value });
    expect(message).toContain('RECONCILIATION_SCHEDULE: must be "off" or a cron expression, read in Asia/Jakarta: ');
    expect(message).toContain(reason);
  });

  test('outside the configuration (a caller of ensureReconciliationSchedule) a bad value throws, naming the variable', () => {
    expect(() => normalizeReconciliationSchedule('0 25 * * *')).toThrow(/^RECONCILIATION_SCHEDULE: must be "off" or a cron expression, read in Asia\/Jakarta: its hour field/);
    expect(normalizeReconciliationSchedule(undefined)).toBe('0 2 * * *');
  });
});

describe('the Schedule', () => {
  test('its id is reconciliation-daily.<task queue>: deployments and test stacks sharing a namespace each have their own', () => {
    expect(reconciliationScheduleId('payouts')).toBe('reconciliation-daily.payouts');
    expect(reconciliationScheduleId('test-1234')).toBe('reconciliation-daily.test-1234');
  });

  test('one console line: the id, the expression, the zone and what happened', () => {
    const nextRunAt = new Date('2026-12-03T19:00:00.000Z');
    const base = { scheduleId: 'reconciliation-daily.payouts', schedule: '0 2 * * *', paused: false, nextRunAt } as const;
    expect(describeReconciliationSchedule({ ...base, outcome: 'created' })).toBe(
      'reconciliation schedule reconciliation-daily.payouts: "0 2 * * *" in Asia/Jakarta (created; next run 2026-12-03T19:00:00.000Z)',
    );
    expect(describeReconciliationSchedule({ ...base, outcome: 'updated', previous: '0 3 * * *' })).toBe(
      'reconciliation schedule reconciliation-daily.payouts: "0 2 * * *" in Asia/Jakarta (updated from "0 3 * * *"; next run 2026-12-03T19:00:00.000Z)',
    );
    expect(describeReconciliationSchedule({ ...base, outcome: 'unchanged', paused: true, note: 'provider maintenance' })).toBe(
      'reconciliation schedule reconciliation-daily.payouts: "0 2 * * *" in Asia/Jakarta (unchanged; PAUSED in Temporal (provider maintenance), no run starts until it is unpaused)',
    );
    expect(describeReconciliationSchedule({ scheduleId: 'reconciliation-daily.payouts', schedule: 'off', outcome: 'deleted' })).toBe(
      'reconciliation schedule off (RECONCILIATION_SCHEDULE=off): deleted the Schedule reconciliation-daily.payouts',
    );
    expect(describeReconciliationSchedule({ scheduleId: 'reconciliation-daily.payouts', schedule: 'off', outcome: 'absent' })).toBe(
      'reconciliation schedule off (RECONCILIATION_SCHEDULE=off): no Schedule reconciliation-daily.payouts',
    );
  });

  test('docker-compose.yml gives prepare-namespace the same default, and .env.example documents it', () => {
    const compose = parse(readFileSync(join(ROOT, 'docker-compose.yml'), 'utf8'), { merge: true }) as { services: Record<string, { environment?: Record<string, string> }> };
    expect(compose.services['prepare-namespace']!.environment!.RECONCILIATION_SCHEDULE).toBe(`\${RECONCILIATION_SCHEDULE:-${DEFAULT_RECONCILIATION_SCHEDULE}}`);
    // Only prepare-namespace manages the Schedule; the workers and the API do not read the variable.
    expect(compose.services.worker!.environment!.RECONCILIATION_SCHEDULE).toBeUndefined();
    expect(compose.services.api!.environment!.RECONCILIATION_SCHEDULE).toBeUndefined();
    expect(readFileSync(join(ROOT, '.env.example'), 'utf8')).toMatch(new RegExp(`^# RECONCILIATION_SCHEDULE=${DEFAULT_RECONCILIATION_SCHEDULE.replaceAll('*', '\\*')} `, 'm'));
    expect(readFileSync(join(ROOT, '.env.production.example'), 'utf8')).toContain(`# RECONCILIATION_SCHEDULE=${DEFAULT_RECONCILIATION_SCHEDULE}\n`);
  });
});
