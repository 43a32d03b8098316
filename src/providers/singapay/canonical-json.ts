// Singapay signs the SHA-256 of the body's canonical JSON (docs/providers/singapay.md "Request signature"): object
// keys sorted recursively by byte order, arrays in order, no whitespace, slashes and non-ASCII
// characters not escaped. Serialised by hand because JSON.stringify puts integer-like keys ("2",
// "10") first in numeric order, whatever order we build the object in.

export function canonicalJson(value: unknown): string {
  if (value === null || typeof value === 'boolean') return JSON.stringify(value);
  if (typeof value === 'number') {
    // JSON.stringify would quietly sign NaN or Infinity as null: refuse instead.
    if (!Number.isFinite(value)) throw new TypeError(`cannot sign a non-finite number (${value})`);
    return JSON.stringify(value);
  }
  // JSON.stringify escapes only quotes, backslashes and control characters (and lone surrogates),
  // never "/" nor non-ASCII: exactly the escaping the signature expects.
  if (typeof value === 'string') return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map((item: unknown) => (item === undefined ? 'null' : canonicalJson(item))).join(',')}]`;
  if (typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined) // as JSON.stringify: an undefined member is absent
      .sort(([a], [b]) => compareUtf8(a, b));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  throw new TypeError(`cannot serialise a ${typeof value} as JSON`);
}

/**
 * Byte order of the keys' UTF-8 encodings, which is what a byte-wise sort on the provider's side
 * (PHP's ksort with strcmp) gives. It equals code point order; for keys outside the Basic
 * Multilingual Plane it differs from JavaScript's default UTF-16 code unit order.
 */
function compareUtf8(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}
