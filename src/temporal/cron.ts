// Five-field cron expressions as a Temporal Schedule reads them (minute hour day-of-month month
// day-of-week), checked before they reach the server so that a wrong setting stops the process with a
// message naming its variable instead of failing later inside a Temporal call. The accepted syntax is
// the part of Temporal's that means the same in every cron: `*`, numbers, ranges `a-b`, steps `*/n`,
// `a/n`, `a-b/n`, lists `a,b`, and three-letter month and day names (JAN, MON; any case). Temporal's
// extras are refused: `@daily`-style shorthands, seconds and years, `TZ=` prefixes (the zone is the
// Schedule's, set by the caller), `#` comments (the server silently reads `1#2` as `1`), `L`, `?`.

interface CronField {
  name: string;
  min: number;
  max: number;
  names?: readonly string[];
  /** What the first name stands for (0 for days, SUN; 1 for months, JAN). */
  firstNamed?: number;
}

const FIELDS: readonly CronField[] = [
  { name: 'minute', min: 0, max: 59 },
  { name: 'hour', min: 0, max: 23 },
  { name: 'day of month', min: 1, max: 31 },
  { name: 'month', min: 1, max: 12, names: ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'], firstNamed: 1 },
  // 7 is Sunday too, as in most crons and in Temporal's.
  { name: 'day of week', min: 0, max: 7, names: ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT'], firstNamed: 0 },
];

/** The expression with its fields separated by single spaces (the form compared and shown). */
export function normalizeCron(expression: string): string {
  return expression.trim().split(/\s+/).join(' ');
}

/** Why a five-field cron expression is not one Temporal reads as written; undefined when it is. */
export function cronProblem(expression: string): string | undefined {
  const fields = normalizeCron(expression).split(' ').filter(Boolean);
  if (fields.length !== FIELDS.length) {
    return `must have 5 fields (minute hour day-of-month month day-of-week), e.g. "0 2 * * *"; "${expression.trim()}" has ${fields.length}`;
  }
  for (const [index, text] of fields.entries()) {
    const problem = fieldProblem(text, FIELDS[index]!);
    if (problem) return `its ${FIELDS[index]!.name} field "${text}" ${problem}`;
  }
  return undefined;
}

function fieldProblem(text: string, field: CronField): string | undefined {
  for (const item of text.split(',')) {
    const match = /^(\*|[A-Za-z0-9]+(?:-[A-Za-z0-9]+)?)(?:\/(\d+))?$/.exec(item);
    if (!match) return `is not a value, range, step or list (${describeSyntax(field)})`;
    const [, range, step] = match as unknown as [string, string, string | undefined];
    if (step !== undefined && Number(step) < 1) return 'has a step below 1';
    if (range === '*') continue;
    const [startText, endText] = range.split('-') as [string, string | undefined];
    const start = value(startText, field);
    const end = endText === undefined ? start : value(endText, field);
    if (start === undefined || end === undefined) {
      const wrong = start === undefined ? startText : endText!;
      return wrong === text ? `is not ${describeSyntax(field)}` : `has "${wrong}", which is not ${describeSyntax(field)}`;
    }
    if (end < start) return `has a range that ends before it starts (${range})`;
  }
  return undefined;
}

function value(text: string, field: CronField): number | undefined {
  if (/^\d+$/.test(text)) {
    const number = Number(text);
    return number >= field.min && number <= field.max ? number : undefined;
  }
  const index = field.names?.indexOf(text.toUpperCase()) ?? -1;
  return index < 0 ? undefined : index + field.firstNamed!;
}

function describeSyntax(field: CronField): string {
  const names = field.names ? ` or ${field.names[0]}–${field.names[field.names.length - 1]}` : '';
  return `${field.min}–${field.max}${names}`;
}
