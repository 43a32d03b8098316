// Singapay signs the SHA-256 of the body's canonical JSON: object keys sorted recursively by byte
// order, arrays in order, no whitespace, slashes and non-ASCII characters not escaped.
// JSON.stringify alone is not enough: it puts integer-like keys ("10", "2") first, in numeric order.

export function canonicalJson(value: unknown): string {
  if (value === null || typeof value === 'boolean' || typeof value === 'number') return JSON.stringify(value);
  if (typeof value === 'string') return JSON.stringify(value); // escapes only quotes, backslashes, controls
  if (Array.isArray(value)) return `[${value.map((v) => (v === undefined ? 'null' : canonicalJson(v))).join(',')}]`;
  if (typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => compareBytes(a, b));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  throw new TypeError(`cannot serialise a ${typeof value} as JSON`);
}

/** Byte order of the UTF-8 encodings (which is code point order, not UTF-16 order). */
function compareBytes(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}
