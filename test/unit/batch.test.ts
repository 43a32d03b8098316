// The batch's pure parts: its status machine, its figures, the approval's checks, the packed rows
// that travel between runs, and the CSV reader.
import {
  approvalProblem,
  batchFigures,
  changeBatchStatus,
  mayBatchTransition,
  MAX_BATCH_ROWS,
  packRows,
  REASON_CHARS,
  unpackRows,
  type Batch,
  type BatchRow,
} from '../../src/domain/batch';
import { csvPointer, parseBatchCsv } from '../../src/api/batch-csv';
import { batchItemSchema } from '../../src/api/batch-schemas';

const row = (reference: string, status: BatchRow['status'], amount = 10_000, extra: Partial<BatchRow> = {}): BatchRow => ({ reference, provider: 'singapay', amount, status, ...extra });

describe('batch status machine', () => {
  test('a batch is cancelled only while no row may have been sent; otherwise it completes', () => {
    expect(mayBatchTransition('PROCESSING', 'CANCELLED', { anySubmitted: false })).toBe(true);
    expect(mayBatchTransition('PROCESSING', 'CANCELLED', { anySubmitted: true })).toBe(false);
    expect(mayBatchTransition('PROCESSING', 'COMPLETED', { anySubmitted: true })).toBe(true);
    expect(mayBatchTransition('VALIDATING', 'PROCESSING', { anySubmitted: false })).toBe(false);
    for (const final of ['COMPLETED', 'REJECTED', 'EXPIRED', 'CANCELLED'] as const) {
      expect(mayBatchTransition(final, 'PROCESSING', { anySubmitted: false })).toBe(false);
    }
  });

  test('an illegal change throws and leaves the batch as it was', () => {
    const batch = { status: 'COMPLETED', timeline: [], updatedAt: 'x' } as unknown as Batch;
    expect(() => changeBatchStatus(batch, 'CANCELLED', 'now', { anySubmitted: false })).toThrow(/COMPLETED → CANCELLED/);
    expect(batch.timeline).toEqual([]);
  });
});

describe('batch figures and the approval', () => {
  const rows = [row('a', 'READY', 10_000, { fee: 500 }), row('b', 'READY', 20_000, { fee: 700 }), row('c', 'INVALID', 5_000), row('d', 'UNVERIFIED', 7_000)];

  test('counts per status, and the ready total with fees (INVALID and UNVERIFIED rows are not in it)', () => {
    const figures = batchFigures(rows);
    expect(figures.counts).toMatchObject({ READY: 2, INVALID: 1, UNVERIFIED: 1, SUCCEEDED: 0 });
    expect(figures.ready).toEqual({
      count: 2,
      total: { value: '30000.00', currency: 'IDR' },
      feeTotal: { value: '1200.00', currency: 'IDR' },
      grossTotal: { value: '31200.00', currency: 'IDR' },
    });
  });

  test('unverified rows must be excluded (or retried) before an approval', () => {
    expect(approvalProblem(rows, 4, { expectedTotal: 30_000, expectedCount: 2, excludeReferences: [] })).toMatchObject({ kind: 'NOT_READY' });
    expect(approvalProblem(rows, 4, { expectedTotal: 30_000, expectedCount: 2, excludeReferences: ['d'] })).toBeUndefined();
  });

  test('the figures must be those of the rows left after the exclusions; otherwise the actual ones are given', () => {
    expect(approvalProblem(rows, 4, { expectedTotal: 30_000, expectedCount: 2, excludeReferences: ['d', 'a'] })).toEqual({
      kind: 'FIGURES_DIFFER',
      message: expect.stringContaining('1 rows totalling IDR 20000.00'),
      actual: { count: 1, total: 20_000, feeTotal: 700 },
    });
    expect(approvalProblem(rows, 4, { expectedTotal: 20_000, expectedCount: 1, excludeReferences: ['d', 'a'] })).toBeUndefined();
  });

  test('rows still arriving or validating, unknown exclusions, and nothing to pay are refused', () => {
    expect(approvalProblem(rows, 5, { expectedTotal: 30_000, expectedCount: 2, excludeReferences: ['d'] })).toMatchObject({ kind: 'NOT_READY' });
    expect(approvalProblem([...rows, row('e', 'VALIDATING')], 5, { expectedTotal: 30_000, expectedCount: 2, excludeReferences: ['d'] })).toMatchObject({ kind: 'NOT_READY' });
    expect(approvalProblem(rows, 4, { expectedTotal: 30_000, expectedCount: 2, excludeReferences: ['d', 'zz'] })).toMatchObject({ kind: 'UNKNOWN_REFERENCES' });
    expect(approvalProblem(rows, 4, { expectedTotal: 0, expectedCount: 0, excludeReferences: ['a', 'b', 'd'] })).toMatchObject({ kind: 'NOT_READY' });
  });
});

describe('packed rows', () => {
  test('pack and unpack give the same rows back, with long reasons cut', () => {
    const rows = [
      row('a', 'SUCCEEDED', 1, { fee: 0, submitted: true }),
      row('b', 'CANCELLED', 2, { excluded: true, reason: 'x'.repeat(200) }),
      { ...row('c', 'READY', 3), provider: 'faspay' },
    ];
    const back = unpackRows(JSON.parse(JSON.stringify(packRows(rows))));
    expect(back[0]).toEqual(rows[0]);
    expect(back[1]).toMatchObject({ reference: 'b', excluded: true });
    expect(back[1]!.reason!.length).toBe(REASON_CHARS);
    expect(back[2]).toEqual(rows[2]);
  });

  test('10,000 rows with the longest references and reasons stay under 2 MB (Temporal payload limit)', () => {
    const rows = Array.from({ length: MAX_BATCH_ROWS }, (_, i) =>
      row(`${'R'.repeat(58)}${String(i).padStart(6, '0')}`, 'FAILED', 9_999_999_999, { fee: 999_999, submitted: true, reason: 'the provider reports the transfer as failed: '.repeat(3) }),
    );
    expect(Buffer.byteLength(JSON.stringify(packRows(rows)))).toBeLessThan(1.9 * 1024 * 1024);
  });
});

describe('CSV batches', () => {
  const header = 'reference,destination_type,ewallet,customer_number,bank_code,account_number,biller_code,virtual_account_number,amount,description,beneficiary_email,provider';

  test('rows become create bodies, quoted cells and CRLF included; line numbers as a spreadsheet shows them', () => {
    const parsed = parseBatchCsv(`${header}\r\nA-1,EWALLET,DANA,081234567890,,,,,10000.00,"Payroll, November",,\r\n\r\nA-2,BANK_ACCOUNT,,,014,1234567890,,,20000.00,,x@example.com,faspay\r\n`);
    expect(parsed.errors).toEqual([]);
    expect(parsed.rows).toEqual([
      {
        line: 2,
        body: { reference: 'A-1', destination: { type: 'EWALLET', ewallet: 'DANA', customerNumber: '081234567890' }, amount: { value: '10000.00', currency: 'IDR' }, description: 'Payroll, November' },
      },
      {
        line: 4,
        body: {
          reference: 'A-2',
          destination: { type: 'BANK_ACCOUNT', bankCode: '014', accountNumber: '1234567890' },
          amount: { value: '20000.00', currency: 'IDR' },
          beneficiaryEmail: 'x@example.com',
          provider: 'faspay',
        },
      },
    ]);
  });

  test('a missing or unknown column, a short line and a cell of another destination type are named', () => {
    expect(parseBatchCsv('reference,amount\nA,1.00\n').errors.map((e) => e.pointer)).toContain('/rows/1/destination_type');
    expect(parseBatchCsv(`${header},extra\n`).errors.map((e) => e.pointer)).toContain('/rows/1/extra');
    const parsed = parseBatchCsv(`${header}\nA-1,EWALLET,DANA,081234567890,014,,,,10000.00,,,\nA-2,EWALLET\n`);
    expect(parsed.errors.map((e) => e.pointer)).toEqual(['/rows/2/bank_code', '/rows/3']);
  });

  test("a row's schema errors point at its line and column", () => {
    const parsed = parseBatchCsv(`${header}\nA-1,EWALLET,DANA,0812,,,,,10000.50,,,\n`);
    const result = batchItemSchema(['singapay', 'faspay']).safeParse(parsed.rows[0]!.body);
    expect(result.success).toBe(false);
    const pointers = result.success ? [] : result.error.issues.map((issue) => csvPointer(2, issue));
    expect(pointers.sort()).toEqual(['/rows/2/amount', '/rows/2/customer_number']);
  });
});
