// Structured logs (pino) that never carry secrets or whole account numbers: authorization headers,
// signatures, keys and secrets are removed; customer, account and phone numbers are masked to their
// last four digits wherever they appear in a logged object.
import pino, { type Logger } from 'pino';
import { maskNumber } from './domain/payout';

const SECRET_KEYS = /^(authorization|x-signature|x-partner-id|x-client-id|signature|secret|client_?secret|api_?key|access_?token|private_?key|password|cookie)$/i;
const NUMBER_KEYS = /^(customer_?number|account_?number|account_?no|virtual_?account_?number|virtual_?account_?no|beneficiary_?account_?no|phone|phone_?number|customerNumber|accountNumber|virtualAccountNumber)$/i;

/**
 * A copy of `value` with secrets replaced and account numbers masked (depth-limited). An Error's
 * message and stack are not enumerable, so a plain copy would drop exactly what explains it: errors
 * (at any depth, causes included) are serialized first, by pino's own error serializer, then redacted.
 */
export function redact(value: unknown, depth = 0): unknown {
  if (depth > 8 || value === null || typeof value !== 'object') return value;
  if (value instanceof Error) return redact(pino.stdSerializers.err(value), depth);
  if (Array.isArray(value)) return value.map((v) => redact(v, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(value as Record<string, unknown>)) {
    if (SECRET_KEYS.test(key)) out[key] = '[redacted]';
    else if (NUMBER_KEYS.test(key) && (typeof v === 'string' || typeof v === 'number')) out[key] = maskNumber(String(v));
    else out[key] = redact(v, depth + 1);
  }
  return out;
}

export function createLogger(options: { level?: string; name?: string; destination?: pino.DestinationStream } = {}): Logger {
  return pino(
    {
      level: options.level ?? process.env.LOG_LEVEL ?? 'info',
      ...(options.name && { name: options.name }),
      formatters: { log: (object) => redact(object) as Record<string, unknown> },
      // redact() has serialized errors already (in `log` above, which runs first); serializing its
      // plain result again would call every error an "Object".
      serializers: { err: (err: unknown) => (err instanceof Error ? pino.stdSerializers.err(err) : err) },
    },
    options.destination,
  );
}

export type { Logger };
