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

describe('errors keep what explains them', () => {
  test('an error logs its type, message and stack (and its cause), with secrets still removed', () => {
    const { lines, logger } = capture();
    const cause = new Error('connect ECONNREFUSED 127.0.0.1:7233');
    const err = Object.assign(new Error('the provider did not answer', { cause }), { request: { headers: { authorization: 'Bearer dev-admin' } } });
    logger.error({ err, headers: { authorization: 'Bearer dev-admin' } }, 'unhandled error');
    const logged = JSON.parse(lines.join('')) as { err: { type: string; message: string; stack: string }; headers: unknown };
    expect(logged.err.type).toBe('Error');
    expect(logged.err.message).toContain('the provider did not answer');
    expect(logged.err.stack).toContain('logging.test.ts');
    expect(JSON.stringify(logged.err)).toContain('ECONNREFUSED');
    expect(lines.join('')).not.toContain('dev-admin');
  });

  test('an error deeper in the object, or logged on its own, keeps its message too', () => {
    const { lines, logger } = capture();
    logger.warn({ detail: { failure: new TypeError('bad amount') } }, 'nested');
    logger.error(new RangeError('out of range'));
    const [nested, alone] = lines.map((line) => JSON.parse(line) as { detail?: { failure: unknown }; err?: unknown });
    expect(nested!.detail!.failure).toMatchObject({ type: 'TypeError', message: 'bad amount', stack: expect.stringContaining('TypeError') });
    expect(alone!.err).toMatchObject({ type: 'RangeError', message: 'out of range' });
  });
});
