// Per-entry test behind the entry-not-json warning: are these bytes strict UTF-8 JSON with an object at the top?

// Decoding to a string and calling JSON.parse costs microseconds per entry and allocates the whole
// value; this single pass over the bytes gives the same answer as
//   JSON.parse(new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(bytes))
// being a non-null, non-array object. Non-ASCII bytes are only legal inside strings, so UTF-8 is
// validated there and any non-ASCII byte elsewhere (a BOM included) is already a syntax error.

// Byte classes inside a string. PLAIN is zero so the hot loop compares with 0.
const PLAIN = 0;
const QUOTE = 1;
const BACKSLASH = 2;
const BAD = 3; // raw control characters, stray continuation bytes, C0, C1, F5..FF
const LEAD2 = 4;
const LEAD3 = 5;
const LEAD4 = 6;

const STRING_CLASS = new Uint8Array(256);
// Second-byte bounds per lead byte exclude overlong forms (E0, F0), encoded surrogates (ED) and
// code points above U+10FFFF (F4), exactly as the WHATWG fatal decoder does.
const SECOND_MIN = new Uint8Array(256);
const SECOND_MAX = new Uint8Array(256);
for (let c = 0; c < 256; c++) {
  let k = PLAIN;
  if (c < 0x20) k = BAD;
  else if (c === 0x22) k = QUOTE;
  else if (c === 0x5c) k = BACKSLASH;
  else if (c >= 0x80 && c <= 0xc1) k = BAD;
  else if (c >= 0xc2 && c <= 0xdf) k = LEAD2;
  else if (c >= 0xe0 && c <= 0xef) k = LEAD3;
  else if (c >= 0xf0 && c <= 0xf4) k = LEAD4;
  else if (c >= 0xf5) k = BAD;
  STRING_CLASS[c] = k;
  SECOND_MIN[c] = c === 0xe0 ? 0xa0 : c === 0xf0 ? 0x90 : 0x80;
  SECOND_MAX[c] = c === 0xed ? 0x9f : c === 0xf4 ? 0x8f : 0xbf;
}

// After a backslash: " \ / b f n r t are complete escapes; u needs four hex digits.
const ESCAPE_CLASS = new Uint8Array(256);
for (const ch of '"\\/bfnrt') ESCAPE_CLASS[ch.charCodeAt(0)] = 1;
ESCAPE_CLASS[0x75] = 2;

const IS_HEX = new Uint8Array(256);
for (let c = 0; c < 256; c++) {
  if ((c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x46) || (c >= 0x61 && c <= 0x66)) IS_HEX[c] = 1;
}

// Container kinds on the nesting stack.
const OBJECT = 1;
const ARRAY = 0;

// What the scanner expects next.
const VALUE = 0; // after ':' or after ',' in an array
const ARRAY_FIRST = 1; // after '[': a value or ']'
const OBJECT_FIRST = 2; // after '{': a key or '}'
const KEY = 3; // after ',' in an object
const AFTER_VALUE = 4; // ',' or the closing bracket of the innermost container

// Reused across calls so a call allocates nothing; it only grows for unusually deep input, and a
// pathologically deep entry does not get to pin megabytes for the rest of the run.
const STACK_KEEP = 1 << 12;
let nesting = new Uint8Array(STACK_KEEP);

/** True iff bytes[start, end) are valid UTF-8, do not start with a BOM, and parse (RFC 8259) to a JSON object. */
export function isUtf8JsonObject(bytes: Uint8Array, start?: number, end?: number): boolean {
  // Same index rules as bytes.subarray(start, end), so callers can reason about ranges that way.
  const length = bytes.length;
  let from: number;
  let to: number;
  if (start !== undefined && end !== undefined && (start | 0) === start && (end | 0) === end && start >= 0 && start <= end && end <= length) {
    // The per-entry call of the segment checks: whole indices already in range.
    from = start;
    to = end;
  } else {
    from = start === undefined ? 0 : clampIndex(start, length);
    to = end === undefined ? length : clampIndex(end, length);
  }
  if (to - from < 2) return false;
  const ok = scan(bytes, from, to);
  if (nesting.length > STACK_KEEP) nesting = new Uint8Array(STACK_KEEP);
  // A long line assembled for this call is not kept alive by the cache below.
  if (bytes.length > KEEP_VIEW_LIMIT) forgetView();
  return ok;
}

// A DataView for word reads, kept for the last input: the segment checks pass one chunk for all
// its entries, and a typed array's buffer and byteOffset cost ~10 ns each to look up.
const KEEP_VIEW_LIMIT = 16 << 20;
const NO_VIEW = new DataView(new ArrayBuffer(0));
let lastBytes: Uint8Array | null = null;
let lastView: DataView<ArrayBufferLike> = NO_VIEW;
let lastBase = 0;

function forgetView(): void {
  lastBytes = null;
  lastView = NO_VIEW;
}

function clampIndex(index: number, length: number): number {
  const i = Math.trunc(index) || 0;
  return i < 0 ? Math.max(length + i, 0) : Math.min(i, length);
}

function scan(b: Uint8Array, i: number, end: number): boolean {
  if (b !== lastBytes) {
    lastBytes = b;
    lastView = new DataView(b.buffer);
    lastBase = b.byteOffset;
  }
  const view = lastView;
  const base = lastBase;
  let c = b[i]!;
  while (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09) {
    if (++i >= end) return false;
    c = b[i]!;
  }
  if (c !== 0x7b) return false;
  i++;

  let stack = nesting;
  stack[0] = OBJECT;
  let depth = 1;
  let state = OBJECT_FIRST;

  for (;;) {
    if (i >= end) return false;
    c = b[i]!;
    // Compact audit lines rarely carry whitespace, so one comparison usually settles it.
    if (c <= 0x20) {
      while (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09) {
        if (++i >= end) return false;
        c = b[i]!;
      }
    }

    if (state === AFTER_VALUE) {
      if (c === 0x2c) {
        i++;
        state = stack[depth - 1] === OBJECT ? KEY : VALUE;
        continue;
      }
      if (c === 0x7d ? stack[depth - 1] !== OBJECT : c !== 0x5d || stack[depth - 1] !== ARRAY) return false;
      i++;
      if (--depth === 0) break;
      continue;
    }

    // Most bytes of an audit event are inside strings, so this loop is inlined here rather than
    // called (measured ~15% faster). Runs of plain ASCII are skipped a 32-bit word per step: the
    // word test flags bytes < 0x20, '"', '\\' and >= 0x80, and the lowest flag is the first such byte.
    if (c === 0x22) {
      i++;
      for (;;) {
        while (i + 4 <= end) {
          const w = view.getInt32(base + i, true);
          const m = ((w - 0x20202020) | ((w ^ 0x22222222) - 0x01010101) | ((w ^ 0x5c5c5c5c) - 0x01010101) | w) & 0x80808080;
          if (m !== 0) {
            i += (31 - Math.clz32(m & -m)) >> 3;
            break;
          }
          i += 4;
        }
        while (i < end && STRING_CLASS[b[i]!] === PLAIN) i++;
        if (i >= end) return false;
        const lead = b[i]!;
        const k = STRING_CLASS[lead]!;
        if (k === QUOTE) break;
        if (k === BACKSLASH) {
          if (i + 1 >= end) return false;
          const e = ESCAPE_CLASS[b[i + 1]!]!;
          if (e === 1) {
            i += 2;
          } else if (e === 2) {
            if (i + 5 >= end || !IS_HEX[b[i + 2]!] || !IS_HEX[b[i + 3]!] || !IS_HEX[b[i + 4]!] || !IS_HEX[b[i + 5]!]) {
              return false;
            }
            i += 6;
          } else {
            return false;
          }
        } else if (k === LEAD2) {
          if (i + 1 >= end || (b[i + 1]! & 0xc0) !== 0x80) return false;
          i += 2;
        } else if (k === LEAD3) {
          if (i + 2 >= end) return false;
          const c1 = b[i + 1]!;
          if (c1 < SECOND_MIN[lead]! || c1 > SECOND_MAX[lead]! || (b[i + 2]! & 0xc0) !== 0x80) return false;
          i += 3;
        } else if (k === LEAD4) {
          if (i + 3 >= end) return false;
          const c1 = b[i + 1]!;
          if (c1 < SECOND_MIN[lead]! || c1 > SECOND_MAX[lead]! || (b[i + 2]! & 0xc0) !== 0x80 || (b[i + 3]! & 0xc0) !== 0x80) {
            return false;
          }
          i += 4;
        } else {
          return false;
        }
      }
      i++;
      if (state === VALUE || state === ARRAY_FIRST) {
        state = AFTER_VALUE;
        continue;
      }
      // It was a key.
      if (i >= end) return false;
      c = b[i]!;
      while (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09) {
        if (++i >= end) return false;
        c = b[i]!;
      }
      if (c !== 0x3a) return false;
      i++;
      state = VALUE;
      continue;
    }

    if (state === OBJECT_FIRST || state === KEY) {
      if (c !== 0x7d || state === KEY) return false;
      i++;
      if (--depth === 0) break;
      state = AFTER_VALUE;
      continue;
    }

    // state is VALUE or ARRAY_FIRST, and the value is not a string
    if (c === 0x7b || c === 0x5b) {
      if (depth === stack.length) {
        const grown = new Uint8Array(stack.length * 2);
        grown.set(stack);
        nesting = stack = grown;
      }
      i++;
      if (c === 0x7b) {
        stack[depth++] = OBJECT;
        state = OBJECT_FIRST;
      } else {
        stack[depth++] = ARRAY;
        state = ARRAY_FIRST;
      }
      continue;
    }
    if (c === 0x2d || (c >= 0x30 && c <= 0x39)) {
      i = scanNumber(b, i, end);
      if (i < 0) return false;
    } else if (c === 0x74) {
      if (i + 3 >= end || b[i + 1] !== 0x72 || b[i + 2] !== 0x75 || b[i + 3] !== 0x65) return false;
      i += 4;
    } else if (c === 0x66) {
      if (i + 4 >= end || b[i + 1] !== 0x61 || b[i + 2] !== 0x6c || b[i + 3] !== 0x73 || b[i + 4] !== 0x65) return false;
      i += 5;
    } else if (c === 0x6e) {
      if (i + 3 >= end || b[i + 1] !== 0x75 || b[i + 2] !== 0x6c || b[i + 3] !== 0x6c) return false;
      i += 4;
    } else if (c === 0x5d && state === ARRAY_FIRST) {
      i++;
      depth--; // never the root, which is an object
    } else {
      return false;
    }
    state = AFTER_VALUE;
  }

  while (i < end) {
    c = b[i++]!;
    if (c !== 0x20 && c !== 0x0a && c !== 0x0d && c !== 0x09) return false;
  }
  return true;
}

/** i is at '-' or a digit; returns the index past the number, or -1. What follows is the caller's to check. */
function scanNumber(b: Uint8Array, i: number, end: number): number {
  let c = b[i]!;
  if (c === 0x2d) {
    if (++i >= end) return -1;
    c = b[i]!;
  }
  if (c === 0x30) {
    i++;
  } else if (c >= 0x31 && c <= 0x39) {
    i++;
    while (i < end && (c = b[i]!) >= 0x30 && c <= 0x39) i++;
  } else {
    return -1;
  }
  if (i < end && b[i] === 0x2e) {
    i++;
    if (i >= end || (c = b[i]!) < 0x30 || c > 0x39) return -1;
    i++;
    while (i < end && (c = b[i]!) >= 0x30 && c <= 0x39) i++;
  }
  if (i < end && (b[i]! | 0x20) === 0x65) {
    i++;
    if (i < end && ((c = b[i]!) === 0x2b || c === 0x2d)) i++;
    if (i >= end || (c = b[i]!) < 0x30 || c > 0x39) return -1;
    i++;
    while (i < end && (c = b[i]!) >= 0x30 && c <= 0x39) i++;
  }
  return i;
}
