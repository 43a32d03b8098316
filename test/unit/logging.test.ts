import { Writable } from 'node:stream';
import { createLogger, redact } from '../../src/logging';

function capture() {
  const lines: string[] = [];
  const destination = new Writable({
    write(chunk, _enc, done) {
      lines.push(chunk.toString());
      done();
    },
  });
  return { lines, logger: createLogger({ level: 'info', destination }) };
}

describe('logs keep secrets and account numbers out', () => {
  test('authorization, signatures, secrets and keys are removed at any depth', () => {
    const { lines, logger } = capture();
    logger.info(
      { headers: { authorization: 'Bearer dev-admin', 'X-Signature': 'abc123' }, config: { clientSecret: 's3cr3t', apiKey: 'k-1', nested: { private_key: 'PEM' } } },
      'call',
    );
    const text = lines.join('');
    for (const secret of ['dev-admin', 'abc123', 's3cr3t', 'k-1', 'PEM']) expect(text).not.toContain(secret);
    expect(text).toContain('[redacted]');
  });

  test('customer, account and virtual-account numbers are masked to the last four digits', () => {
    expect(redact({ destination: { customerNumber: '085733347341' }, body: { customer_number: '62811742234', accountNumber: 1234567890 } })).toEqual({
      destination: { customerNumber: '********7341' },
      body: { customer_number: '*******2234', accountNumber: '******7890' },
    });
  });
});
