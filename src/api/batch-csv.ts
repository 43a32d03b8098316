// A batch as CSV: one header row naming the columns, one payout per line. Parsed with csv-parse (quotes,
// embedded commas and CRLF handled by the library), then each line is turned into a create body and
// checked by the same schema as a JSON item. Errors point at `/rows/<line number>/<column>`, the line
// as a spreadsheet shows it (the header is line 1).
import { parse } from 'csv-parse/sync';
import type { z } from 'zod';
import type { FieldError } from './problem';

export const CSV_COLUMNS = [
  'reference',
  'destination_type',
  'ewallet',
  'customer_number',
  'bank_code',
  'account_number',
  'biller_code',
  'virtual_account_number',
  'amount',
  'description',
  'beneficiary_email',
  'provider',
] as const;
type Column = (typeof CSV_COLUMNS)[number];

/** The columns each destination type uses; the others must be empty. */
const DESTINATION_COLUMNS: Record<string, readonly Column[]> = {
  EWALLET: ['ewallet', 'customer_number'],
  BANK_ACCOUNT: ['bank_code', 'account_number'],
  VIRTUAL_ACCOUNT: ['biller_code', 'virtual_account_number'],
};
const DESTINATION_ONLY: readonly Column[] = Object.values(DESTINATION_COLUMNS).flat();

/** A JSON item's field path → the CSV column it came from. */
const COLUMN_OF: Record<string, Column> = {
  reference: 'reference',
  'destination.type': 'destination_type',
  'destination.ewallet': 'ewallet',
  'destination.customerNumber': 'customer_number',
  'destination.bankCode': 'bank_code',
  'destination.accountNumber': 'account_number',
  'destination.billerCode': 'biller_code',
  'destination.virtualAccountNumber': 'virtual_account_number',
  amount: 'amount',
  'amount.value': 'amount',
  description: 'description',
  beneficiaryEmail: 'beneficiary_email',
  provider: 'provider',
};

export interface CsvRow {
  /** The line number in the file (the header is line 1). */
  line: number;
  body: Record<string, unknown>;
}

/**
 * Parses the file into create bodies, with the errors of its shape: a file that cannot be read at all
 * gives only errors; otherwise every line that could be read is a row, and `errors` names the lines
 * whose shape is wrong (each row is then checked against the item schema by the caller).
 */
export function parseBatchCsv(text: string): { rows: CsvRow[]; errors: FieldError[] } {
  let records: { record: string[]; info: { lines: number } }[];
  try {
    records = parse(text, { bom: true, relax_column_count: true, skip_empty_lines: true, info: true, trim: true }) as unknown as typeof records;
  } catch (err) {
    const line = (err as { lines?: number }).lines;
    return { rows: [], errors: [{ pointer: line ? `/rows/${line}` : '/', detail: `not readable as CSV: ${(err as Error).message}` }] };
  }
  const [header, ...lines] = records;
  if (!header) return { rows: [], errors: [{ pointer: '/rows/1', detail: `the file is empty; the first line names the columns: ${CSV_COLUMNS.join(',')}` }] };
  const names = header.record.map((name) => name.toLowerCase());
  const errors: FieldError[] = [];
  names.forEach((name) => {
    if (!(CSV_COLUMNS as readonly string[]).includes(name)) errors.push({ pointer: `/rows/1/${name || '(empty)'}`, detail: `unknown column; the columns are ${CSV_COLUMNS.join(',')}` });
  });
  for (const column of CSV_COLUMNS) {
    if (!names.includes(column)) errors.push({ pointer: `/rows/1/${column}`, detail: 'missing column (leave its cells empty when unused)' });
  }
  if (new Set(names).size !== names.length) errors.push({ pointer: '/rows/1', detail: 'a column is named twice' });
  if (errors.length > 0) return { rows: [], errors };

  const rows: CsvRow[] = [];
  for (const { record, info } of lines) {
    const cells = Object.fromEntries(names.map((name, i) => [name, record[i] ?? ''])) as Record<Column, string>;
    if (record.length !== names.length) {
      errors.push({ pointer: `/rows/${info.lines}`, detail: `has ${record.length} cells, the header ${names.length}` });
      continue;
    }
    const used = DESTINATION_COLUMNS[cells.destination_type] ?? [];
    for (const column of DESTINATION_ONLY) {
      if (!used.includes(column) && cells[column] !== '' && used.length > 0) {
        errors.push({ pointer: `/rows/${info.lines}/${column}`, detail: `must be empty for ${cells.destination_type}` });
      }
    }
    rows.push({ line: info.lines, body: bodyOf(cells) });
  }
  return { rows, errors };
}

function bodyOf(cells: Record<Column, string>): Record<string, unknown> {
  const optional = (value: string) => (value === '' ? undefined : value);
  const destination: Record<string, unknown> = { type: cells.destination_type };
  switch (cells.destination_type) {
    case 'EWALLET':
      Object.assign(destination, { ewallet: cells.ewallet, customerNumber: cells.customer_number });
      break;
    case 'BANK_ACCOUNT':
      Object.assign(destination, { bankCode: cells.bank_code, accountNumber: cells.account_number });
      break;
    case 'VIRTUAL_ACCOUNT':
      Object.assign(destination, { billerCode: cells.biller_code, virtualAccountNumber: cells.virtual_account_number });
      break;
  }
  const body: Record<string, unknown> = {
    reference: cells.reference,
    destination,
    amount: { value: cells.amount, currency: 'IDR' },
    description: optional(cells.description),
    beneficiaryEmail: optional(cells.beneficiary_email),
    provider: optional(cells.provider),
  };
  return Object.fromEntries(Object.entries(body).filter(([, value]) => value !== undefined));
}

/** A schema issue of one CSV row → its pointer `/rows/<line>/<column>`. */
export function csvPointer(line: number, issue: z.core.$ZodIssue): string {
  const path = issue.path.map(String).join('.');
  const column = COLUMN_OF[path] ?? COLUMN_OF[path.split('.').slice(0, 2).join('.')] ?? COLUMN_OF[path.split('.')[0] ?? ''];
  return column ? `/rows/${line}/${column}` : `/rows/${line}`;
}
