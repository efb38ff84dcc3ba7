// JSON text that keeps a bigint exact (cosignature times reach 2^63-1): JSON.stringify cannot write one at all.

/**
 * Like JSON.stringify(value, null, indent) for plain data (objects, arrays, strings, finite numbers,
 * booleans, null), with every bigint written as a JSON number with all its digits. Members whose value
 * is undefined are left out, as JSON.stringify does; anything else that JSON has no form for throws.
 */
export function stringifyJson(value: unknown, indent = 2): string {
  const pad = ' '.repeat(indent);
  const write = (v: unknown, at: string): string | undefined => {
    if (v === null) return 'null';
    switch (typeof v) {
      case 'bigint':
        return v.toString();
      case 'number':
        return Number.isFinite(v) ? JSON.stringify(v) : 'null';
      case 'string':
      case 'boolean':
        return JSON.stringify(v);
      case 'undefined':
      case 'function':
      case 'symbol':
        return undefined;
    }
    const inner = at + pad;
    const open = indent ? `\n${inner}` : '';
    const close = indent ? `\n${at}` : '';
    const sep = indent ? `,\n${inner}` : ',';
    if (Array.isArray(v)) {
      if (v.length === 0) return '[]';
      return `[${open}${v.map((x) => write(x, inner) ?? 'null').join(sep)}${close}]`;
    }
    const o = v as Record<string, unknown>;
    if (typeof (o as { toJSON?: unknown }).toJSON === 'function') return write((o as { toJSON(): unknown }).toJSON(), at);
    const members: string[] = [];
    for (const k of Object.keys(o)) {
      const text = write(o[k], inner);
      if (text !== undefined) members.push(`${JSON.stringify(k)}:${indent ? ' ' : ''}${text}`);
    }
    return members.length ? `{${open}${members.join(sep)}${close}}` : '{}';
  };
  return write(value, '') ?? 'null';
}

/** The year-9999 limit of ISO 8601's four-digit year, as Unix seconds (9999-12-31T23:59:59Z). */
export const LAST_ISO_SECOND = 253402300799n;

/**
 * A cosignature time (Unix seconds, 0 .. 2^63-1) as ISO 8601 UTC, or null past year 9999 where the
 * four-digit form has none. The integer itself is the evidence; this is only its reading.
 */
export function isoFromUnixSeconds(seconds: bigint): string | null {
  if (seconds < 0n || seconds > LAST_ISO_SECOND) return null;
  return new Date(Number(seconds) * 1000).toISOString().replace('.000Z', 'Z');
}

/** "2026-11-21T10:00:00Z (1795000000)", or "beyond year 9999 (9223372036854775807)": always the exact integer. */
export function describeUnixSeconds(seconds: bigint): string {
  const iso = isoFromUnixSeconds(seconds);
  return `${iso ?? 'beyond year 9999'} (${seconds})`;
}
