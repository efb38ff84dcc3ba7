// isUtf8JsonObject must give exactly the answer of strict UTF-8 decoding + JSON.parse, on real and hostile bytes.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { isUtf8JsonObject } from '../../../shared/core/json-object.ts';
import { prng } from '../../helpers/prng.ts';

const AUDIT_LOGS = new URL('../../../../shared/data/audit-logs/', import.meta.url);

function reference(b: Uint8Array): boolean {
  let s: string;
  try {
    s = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(b);
  } catch {
    return false;
  }
  try {
    const v: unknown = JSON.parse(s);
    return v !== null && typeof v === 'object' && !Array.isArray(v);
  } catch {
    return false;
  }
}

const utf8 = new TextEncoder();

/** Strings are UTF-8 encoded; numbers are raw bytes, so invalid UTF-8 can be spelled out. */
function bytesOf(...parts: (string | number[])[]): Uint8Array {
  const chunks = parts.map((p) => (typeof p === 'string' ? utf8.encode(p) : Uint8Array.from(p)));
  const out = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0));
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.length;
  }
  return out;
}

function show(b: Uint8Array): string {
  const head = Array.from(b.subarray(0, 64), (x) => x.toString(16).padStart(2, '0')).join(' ');
  return `${b.length} bytes: ${head}${b.length > 64 ? ' …' : ''}`;
}

function lines(file: Uint8Array): Uint8Array[] {
  const out: Uint8Array[] = [];
  let from = 0;
  for (let i = 0; i <= file.length; i++) {
    if (i === file.length || file[i] === 0x0a) {
      if (i > from) out.push(file.subarray(from, i));
      from = i + 1;
    }
  }
  return out;
}

const logFiles = readdirSync(AUDIT_LOGS)
  .sort()
  .map((name) => ({ name, lines: lines(readFileSync(new URL(name, AUDIT_LOGS))) }));

describe('sample audit logs, line by line', () => {
  test('the sample directory holds .jsonl and .log files', () => {
    assert.ok(logFiles.some((f) => f.name.endsWith('.jsonl')));
    assert.ok(logFiles.some((f) => f.name.endsWith('.log')));
  });
  for (const file of logFiles) {
    test(file.name, () => {
      assert.ok(file.lines.length > 0);
      for (const [n, line] of file.lines.entries()) {
        const got = isUtf8JsonObject(line);
        assert.equal(got, reference(line), `${file.name} line ${n + 1}`);
        if (file.name.endsWith('.jsonl')) assert.equal(got, true, `${file.name} line ${n + 1}`);
        if (file.name.endsWith('.log')) assert.equal(got, false, `${file.name} line ${n + 1}`);
      }
    });
  }
});

const DEEP = 1_000_000;
const deepArrays = bytesOf('{"a":', '['.repeat(DEEP), ']'.repeat(DEEP), '}');
const deepObjects = bytesOf('{"a":', '{"b":'.repeat(DEEP), '1', '}'.repeat(DEEP), '}');
const deepUnclosed = bytesOf('{"a":', '['.repeat(DEEP), ']'.repeat(DEEP - 1), '}');
const deepMismatched = bytesOf('{"a":', '['.repeat(DEEP), '}'.repeat(DEEP), '}');

const cases: [name: string, input: Uint8Array, expected: boolean][] = [
  // top level
  ['empty input', bytesOf(''), false],
  ['only whitespace', bytesOf(' \t\r\n'), false],
  ['empty object', bytesOf('{}'), true],
  ['empty object with inner whitespace', bytesOf('{ \t\r\n}'), true],
  ['leading and trailing JSON whitespace', bytesOf(' \t\r\n{"a":1} \t\r\n'), true],
  ['trailing LF', bytesOf('{"a":1}\n'), true],
  ['trailing CRLF', bytesOf('{"a":1}\r\n'), true],
  ['BOM before object', bytesOf([0xef, 0xbb, 0xbf], '{}'), false],
  ['BOM after whitespace', bytesOf(' ', [0xef, 0xbb, 0xbf], '{}'), false],
  ['UTF-16 LE BOM', bytesOf([0xff, 0xfe], '{}'), false],
  ['no-break space after object', bytesOf('{}', [0xc2, 0xa0]), false],
  ['form feed before object', bytesOf('\f{}'), false],
  ['vertical tab after object', bytesOf('{}\v'), false],
  ['array', bytesOf('[]'), false],
  ['array of objects', bytesOf('[{}]'), false],
  ['string', bytesOf('"x"'), false],
  ['number', bytesOf('1'), false],
  ['true', bytesOf('true'), false],
  ['null', bytesOf('null'), false],
  ['two objects', bytesOf('{}{}'), false],
  ['two objects with whitespace', bytesOf('{} {}'), false],
  ['garbage after object', bytesOf('{"a":1} x'), false],
  ['NUL byte after object', bytesOf('{"a":1}', [0x00]), false],
  ['NUL byte before object', bytesOf([0x00], '{"a":1}'), false],
  ['lone open brace', bytesOf('{'), false],
  ['lone close brace', bytesOf('}'), false],
  ['extra close brace', bytesOf('{"a":1}}'), false],
  // members
  ['simple member', bytesOf('{"a":1}'), true],
  ['several members with whitespace', bytesOf('{ "a" : 1 , "b" : [ 1 , 2 ] }'), true],
  ['empty key and value', bytesOf('{"":""}'), true],
  ['duplicate keys', bytesOf('{"a":1,"a":2}'), true],
  ['nested objects', bytesOf('{"a":{"b":{"c":[1,2,{"d":null}],"e":{}}},"f":[]}'), true],
  ['nested empty arrays', bytesOf('{"a":[[],[[]],{}]}'), true],
  ['trailing comma in object', bytesOf('{"a":1,}'), false],
  ['trailing comma in array', bytesOf('{"a":[1,]}'), false],
  ['leading comma in array', bytesOf('{"a":[,1]}'), false],
  ['comma only in object', bytesOf('{,}'), false],
  ['missing comma', bytesOf('{"a":1 "b":2}'), false],
  ['missing colon', bytesOf('{"a" 1}'), false],
  ['double colon', bytesOf('{"a"::1}'), false],
  ['missing value', bytesOf('{"a":}'), false],
  ['key without value at end', bytesOf('{"a"'), false],
  ['colon at end', bytesOf('{"a":'), false],
  ['value at end', bytesOf('{"a":1'), false],
  ['unquoted key', bytesOf('{a:1}'), false],
  ['number key', bytesOf('{1:1}'), false],
  ['single-quoted string', bytesOf("{'a':1}"), false],
  ['object closed by bracket', bytesOf('{"a":1]'), false],
  ['array closed by brace', bytesOf('{"a":[1}}'), false],
  ['unterminated string', bytesOf('{"a":"b}'), false],
  ['comment', bytesOf('{/*x*/"a":1}'), false],
  // literals
  ['literals', bytesOf('{"a":true,"b":false,"c":null}'), true],
  ['literals in array', bytesOf('{"a":[true,false,null]}'), true],
  ['truncated true', bytesOf('{"a":tru}'), false],
  ['truncated false', bytesOf('{"a":fals}'), false],
  ['truncated null', bytesOf('{"a":nul}'), false],
  ['literal cut by end', bytesOf('{"a":tr'), false],
  ['capitalised True', bytesOf('{"a":True}'), false],
  ['literal with suffix', bytesOf('{"a":truex}'), false],
  ['NaN', bytesOf('{"a":NaN}'), false],
  ['Infinity', bytesOf('{"a":Infinity}'), false],
  ['undefined', bytesOf('{"a":undefined}'), false],
  // numbers
  ['zero', bytesOf('{"a":0}'), true],
  ['minus zero', bytesOf('{"a":-0}'), true],
  ['exponent', bytesOf('{"a":1e5}'), true],
  ['upper-case signed exponent', bytesOf('{"a":1E+5}'), true],
  ['negative exponent', bytesOf('{"a":1e-5}'), true],
  ['fraction', bytesOf('{"a":0.5}'), true],
  ['full number', bytesOf('{"a":-12.50e-010}'), true],
  ['huge exponent', bytesOf('{"a":1e999999}'), true],
  ['long integer', bytesOf('{"a":' + '9'.repeat(400) + '}'), true],
  ['leading zero', bytesOf('{"a":01}'), false],
  ['negative leading zero', bytesOf('{"a":-01}'), false],
  ['leading dot', bytesOf('{"a":.5}'), false],
  ['trailing dot', bytesOf('{"a":1.}'), false],
  ['dot before exponent', bytesOf('{"a":1.e5}'), false],
  ['plus sign', bytesOf('{"a":+1}'), false],
  ['lone minus', bytesOf('{"a":-}'), false],
  ['minus minus', bytesOf('{"a":--1}'), false],
  ['bare exponent', bytesOf('{"a":1e}'), false],
  ['exponent sign only', bytesOf('{"a":1e+}'), false],
  ['exponent with two signs', bytesOf('{"a":1e+-1}'), false],
  ['hex number', bytesOf('{"a":0x1}'), false],
  ['number then dot at end', bytesOf('{"a":1.'), false],
  // escapes
  ['escapes', bytesOf('{"a":"\\u00e9\\/\\b\\f\\n\\r\\t\\"\\\\"}'), true],
  ['escapes in key', bytesOf('{"\\u00e9\\n":1}'), true],
  ['lone high surrogate escape', bytesOf('{"a":"\\ud800"}'), true],
  ['lone low surrogate escape in key', bytesOf('{"\\udfff":1}'), true],
  ['upper-case hex escape', bytesOf('{"a":"\\uABCD"}'), true],
  ['bad escape \\x', bytesOf('{"a":"\\x41"}'), false],
  ['short unicode escape \\u12', bytesOf('{"a":"\\u12"}'), false],
  ['non-hex unicode escape', bytesOf('{"a":"\\u12G4"}'), false],
  ['upper-case \\U', bytesOf('{"a":"\\U0041"}'), false],
  ['escaped single quote', bytesOf('{"a":"\\\'"}'), false],
  ['backslash at end of input', bytesOf('{"a":"\\'), false],
  ['escaped quote hides the end', bytesOf('{"a":"\\"}'), false],
  ['escaped real newline', bytesOf('{"a":"\\\n"}'), false],
  // raw characters in strings
  ['raw tab in string', bytesOf('{"a":"\t"}'), false],
  ['raw LF in key', bytesOf('{"\n":1}'), false],
  ['raw NUL in string', bytesOf('{"a":"', [0x00], '"}'), false],
  ['raw U+001F in string', bytesOf('{"a":"', [0x1f], '"}'), false],
  ['raw DEL in string', bytesOf('{"a":"', [0x7f], '"}'), true],
  ['raw U+2028 in string', bytesOf('{"a":"\u2028"}'), true],
  ['raw U+FEFF in string', bytesOf('{"a":"\ufeff"}'), true],
  ['raw U+FFFF in string', bytesOf('{"a":"', [0xef, 0xbf, 0xbf], '"}'), true],
  ['non-ASCII text', bytesOf('{"ключ":"значение","emoji":"😀","é":"日本"}'), true],
  // UTF-8 validity
  ['2-byte max U+07FF', bytesOf('{"a":"', [0xdf, 0xbf], '"}'), true],
  ['3-byte min U+0800', bytesOf('{"a":"', [0xe0, 0xa0, 0x80], '"}'), true],
  ['last before surrogates U+D7FF', bytesOf('{"a":"', [0xed, 0x9f, 0xbf], '"}'), true],
  ['first after surrogates U+E000', bytesOf('{"a":"', [0xee, 0x80, 0x80], '"}'), true],
  ['4-byte min U+10000', bytesOf('{"a":"', [0xf0, 0x90, 0x80, 0x80], '"}'), true],
  ['max code point U+10FFFF', bytesOf('{"a":"', [0xf4, 0x8f, 0xbf, 0xbf], '"}'), true],
  ['invalid UTF-8 in value', bytesOf('{"a":"', [0xc3], '"}'), false],
  ['invalid UTF-8 in key', bytesOf('{"', [0xc3], '":1}'), false],
  ['invalid UTF-8 in second key', bytesOf('{"a":1,"', [0xff], '":1}'), false],
  ['lone continuation byte', bytesOf('{"a":"', [0x80], '"}'), false],
  ['lone continuation byte BF', bytesOf('{"a":"', [0xbf], '"}'), false],
  ['C0 80 overlong NUL', bytesOf('{"a":"', [0xc0, 0x80], '"}'), false],
  ['C1 BF overlong', bytesOf('{"a":"', [0xc1, 0xbf], '"}'), false],
  ['E0 9F BF overlong', bytesOf('{"a":"', [0xe0, 0x9f, 0xbf], '"}'), false],
  ['F0 8F BF BF overlong', bytesOf('{"a":"', [0xf0, 0x8f, 0xbf, 0xbf], '"}'), false],
  ['encoded high surrogate ED A0 80', bytesOf('{"a":"', [0xed, 0xa0, 0x80], '"}'), false],
  ['encoded low surrogate ED BF BF', bytesOf('{"a":"', [0xed, 0xbf, 0xbf], '"}'), false],
  ['surrogate pair as CESU-8', bytesOf('{"a":"', [0xed, 0xa0, 0xbd, 0xed, 0xb8, 0x80], '"}'), false],
  ['F4 90 above U+10FFFF', bytesOf('{"a":"', [0xf4, 0x90, 0x80, 0x80], '"}'), false],
  ['F5 lead byte', bytesOf('{"a":"', [0xf5, 0x80, 0x80, 0x80], '"}'), false],
  ['5-byte sequence', bytesOf('{"a":"', [0xf8, 0x88, 0x80, 0x80, 0x80], '"}'), false],
  ['6-byte sequence', bytesOf('{"a":"', [0xfc, 0x84, 0x80, 0x80, 0x80, 0x80], '"}'), false],
  ['FE byte', bytesOf('{"a":"', [0xfe], '"}'), false],
  ['FF byte', bytesOf('{"a":"', [0xff], '"}'), false],
  ['truncated 2-byte before quote', bytesOf('{"a":"', [0xc3], '"}'), false],
  ['truncated 3-byte before quote', bytesOf('{"a":"', [0xe2, 0x82], '"}'), false],
  ['truncated 4-byte before quote', bytesOf('{"a":"', [0xf0, 0x9f, 0x98], '"}'), false],
  ['3-byte with ASCII second byte', bytesOf('{"a":"', [0xe2, 0x41, 0x82], '"}'), false],
  ['4-byte with bad fourth byte', bytesOf('{"a":"', [0xf0, 0x9f, 0x98, 0x41], '"}'), false],
  ['truncated sequence at end of input', bytesOf('{"a":"', [0xe2, 0x82]), false],
  ['non-ASCII byte outside strings', bytesOf('{"a":', [0xc3, 0xa9], '}'), false],
  ['invalid byte after object', bytesOf('{}', [0xff]), false],
  // depth
  ['deep nesting 1,000,000 arrays', deepArrays, true],
  ['deep nesting 1,000,000 objects', deepObjects, true],
  ['deep nesting 1,000,000 arrays, one left open', deepUnclosed, false],
  ['deep nesting 1,000,000 arrays closed by braces', deepMismatched, false],
];

describe('edge cases', () => {
  for (const [name, input, expected] of cases) {
    test(name, () => {
      assert.equal(reference(input), expected, `reference disagrees with the table: ${show(input)}`);
      assert.equal(isUtf8JsonObject(input), expected, show(input));
    });
  }

  test('a deep input does not leave state behind for the next call', () => {
    assert.equal(isUtf8JsonObject(deepUnclosed), false);
    assert.equal(isUtf8JsonObject(bytesOf('{"a":[{"b":[]}]}')), true);
    assert.equal(isUtf8JsonObject(deepArrays), true);
    assert.equal(isUtf8JsonObject(bytesOf('{"a":[}')), false);
    assert.equal(isUtf8JsonObject(bytesOf('{"a":{]}')), false);
  });
});

describe('start/end sub-range', () => {
  const framed = bytesOf([0xff, 0x5b], '{"a":"é"}', ' ', [0xc3]);
  const inner = 2;
  const innerEnd = inner + utf8.encode('{"a":"é"}').length;

  test('only bytes[start, end) are looked at', () => {
    assert.equal(isUtf8JsonObject(framed), false);
    assert.equal(isUtf8JsonObject(framed, inner, innerEnd), true);
    assert.equal(isUtf8JsonObject(framed, inner, innerEnd + 1), true); // trailing space
    assert.equal(isUtf8JsonObject(framed, inner, innerEnd + 2), false); // the stray C3
    assert.equal(isUtf8JsonObject(framed, inner), false);
    assert.equal(isUtf8JsonObject(framed, inner - 1, innerEnd), false); // the '['
  });

  test('end inside the value cuts it', () => {
    for (let end = inner; end < innerEnd; end++) assert.equal(isUtf8JsonObject(framed, inner, end), false, `end ${end}`);
    // end splits the two bytes of é
    const e = framed.indexOf(0xc3);
    assert.equal(isUtf8JsonObject(framed, inner, e + 1), false);
  });

  test('a closing quote or brace just past end does not count', () => {
    const b = bytesOf('{"a":"b"}');
    assert.equal(isUtf8JsonObject(b, 0, b.length - 1), false);
    assert.equal(isUtf8JsonObject(b, 0, b.length - 2), false);
    assert.equal(isUtf8JsonObject(b, 0, b.length), true);
  });

  test('a view with a byteOffset', () => {
    const view = framed.subarray(inner, innerEnd);
    assert.equal(isUtf8JsonObject(view), true);
    assert.equal(isUtf8JsonObject(view, 0, view.length), true);
    assert.equal(isUtf8JsonObject(view, 1), false);
  });

  test('indices follow subarray rules (negative, out of range, reversed)', () => {
    const ranges: [number | undefined, number | undefined][] = [
      [undefined, undefined],
      [inner, undefined],
      [inner, innerEnd],
      [inner - framed.length, innerEnd - framed.length],
      [inner, -2],
      [inner, -3],
      [-framed.length - 5, innerEnd],
      [inner, framed.length + 100],
      [innerEnd, inner],
      [framed.length, framed.length],
      [framed.length + 3, framed.length + 7],
      [inner + 0.9, innerEnd + 0.5],
      [Number.NaN, innerEnd],
      [inner, Number.POSITIVE_INFINITY],
      [Number.NEGATIVE_INFINITY, innerEnd],
    ];
    for (const [s, e] of ranges) {
      const want = reference(framed.subarray(s, e));
      assert.equal(isUtf8JsonObject(framed, s, e), want, `start ${s}, end ${e}`);
    }
    assert.equal(isUtf8JsonObject(framed, inner, -2), true);
    assert.equal(isUtf8JsonObject(framed, inner - framed.length, innerEnd - framed.length), true);
  });
});


describe('strings scanned a word at a time', () => {
  test('each special byte at each place of short strings, at every alignment, and cut short by end', () => {
    const specials = [0x00, 0x1f, 0x20, 0x21, 0x22, 0x23, 0x5b, 0x5c, 0x5d, 0x7e, 0x7f, 0x80, 0xa9, 0xc3, 0xe2, 0xf0, 0xff];
    const backing = new Uint8Array(64);
    for (let len = 0; len <= 11; len++) {
      for (let pos = -1; pos < len; pos++) {
        for (const special of pos < 0 ? [0x61] : specials) {
          const body = Array.from({ length: len }, (_, j) => (j === pos ? special : 0x61 + (j % 26)));
          const input = bytesOf('{"k":"', body, '"}');
          for (let shift = 0; shift < 4; shift++) {
            backing.fill(0x22); // quotes and a brace around the range must not be seen
            backing[shift + input.length] = 0x7d;
            backing.set(input, shift);
            for (const cut of [0, 1, 2, 3]) {
              const end = shift + input.length - cut;
              const want = reference(input.subarray(0, input.length - cut));
              assert.equal(isUtf8JsonObject(backing, shift, end), want, `${show(input)} shift ${shift} cut ${cut}`);
            }
          }
        }
      }
    }
  });
});

describe('seeded fuzz against the reference', () => {
  const rand = prng(0x5ea1c4ec);
  const int = (n: number): number => Math.floor(rand() * n);
  const pick = <T>(xs: readonly T[]): T => xs[int(xs.length)]!;

  // Bytes that move the state machine: structure, escapes, number parts, whitespace, UTF-8 edges.
  const INTERESTING = [
    0x00, 0x09, 0x0a, 0x0d, 0x1f, 0x20, 0x22, 0x2b, 0x2c, 0x2d, 0x2e, 0x2f, 0x30, 0x31, 0x39, 0x3a, 0x45, 0x5b, 0x5c,
    0x5d, 0x62, 0x65, 0x66, 0x6c, 0x6e, 0x72, 0x74, 0x75, 0x7b, 0x7d, 0x7f, 0x80, 0x8f, 0x90, 0x9f, 0xa0, 0xbf, 0xc0,
    0xc1, 0xc2, 0xdf, 0xe0, 0xed, 0xef, 0xf0, 0xf4, 0xf5, 0xf8, 0xff,
  ];
  const SNIPPETS = [
    '{', '}', '[', ']', ',', ':', '"', '\\', '\\u', '\\ud83d', 'true', 'null', 'false', '-0', '1e5', '0.5', ' ', '\r\n',
    '{}', '[]', '"":', '\ufeff', 'é', '😀', '\u2028',
  ].map((s) => utf8.encode(s));

  const sampleLines = logFiles.flatMap((f) => f.lines).filter((l) => l.length <= 4096);
  assert.ok(sampleLines.length > 1000);

  function randomString(): string {
    const alphabet = ['a', 'b', 'Z', '0', ' ', '"', '\\', '/', '\n', '\t', '\u0001', '\u007f', 'é', '€', '😀', '\ud800', '\udc00', '\ufeff', '\u2028'];
    let s = '';
    for (let n = int(8); n > 0; n--) s += pick(alphabet);
    return s;
  }

  function randomValue(depth: number): unknown {
    const r = int(depth > 3 ? 5 : 8);
    switch (r) {
      case 0: return null;
      case 1: return rand() < 0.5;
      case 2: return pick([0, -0, 1, -1, 0.5, 1e21, 1e-7, -123.456, 2 ** 53, Number.MIN_VALUE]);
      case 3:
      case 4: return randomString();
      case 5:
      case 6: return Object.fromEntries(Array.from({ length: int(4) }, () => [randomString(), randomValue(depth + 1)]));
      default: return Array.from({ length: int(4) }, () => randomValue(depth + 1));
    }
  }

  function generated(): Uint8Array {
    const top = rand() < 0.85 ? Object.fromEntries(Array.from({ length: int(5) }, () => [randomString(), randomValue(1)])) : randomValue(1);
    let text = JSON.stringify(top, null, pick([undefined, 0, 1, '\t', ' \r\n']));
    // Hand-written forms JSON.stringify never emits.
    if (rand() < 0.3) text = text.replace(/:/g, pick([' : ', ':\t', ':\n ']));
    if (rand() < 0.3) text = text.replace(/\d+/g, (d) => pick([d, d + 'e+1', d + 'E-02', d + '.0', '-' + d]));
    if (rand() < 0.2) text = text.replace(/é/g, '\\u00E9');
    return utf8.encode(text);
  }

  function mutate(input: Uint8Array): Uint8Array {
    let b = input;
    for (let rounds = 1 + int(3); rounds > 0; rounds--) {
      const at = int(b.length + 1);
      switch (int(7)) {
        case 0: { // byte overwrite
          if (b.length === 0) break;
          const c = b.slice();
          c[Math.min(at, b.length - 1)] = rand() < 0.7 ? pick(INTERESTING) : int(256);
          b = c;
          break;
        }
        case 1: { // bit flip
          if (b.length === 0) break;
          const c = b.slice();
          c[Math.min(at, b.length - 1)]! ^= 1 << int(8);
          b = c;
          break;
        }
        case 2: { // insertion
          const ins = rand() < 0.5 ? pick(SNIPPETS) : Uint8Array.from({ length: 1 + int(3) }, () => pick(INTERESTING));
          b = bytesOf(Array.from(b.subarray(0, at)), Array.from(ins), Array.from(b.subarray(at)));
          break;
        }
        case 3: { // deletion
          b = bytesOf(Array.from(b.subarray(0, at)), Array.from(b.subarray(at + 1 + int(4))));
          break;
        }
        case 4: { // truncation
          b = b.subarray(0, at);
          break;
        }
        case 5: { // splice in a piece of another input
          const other = rand() < 0.5 ? pick(sampleLines) : generated();
          const from = int(other.length + 1);
          const piece = other.subarray(from, from + 1 + int(40));
          b = bytesOf(Array.from(b.subarray(0, at)), Array.from(piece), Array.from(b.subarray(at + int(8))));
          break;
        }
        default: { // duplicate a range in place
          const len = int(16);
          b = bytesOf(Array.from(b.subarray(0, at + len)), Array.from(b.subarray(at, at + len)), Array.from(b.subarray(at + len)));
        }
      }
    }
    return b;
  }

  function run(label: string, count: number, source: () => Uint8Array): void {
    let accepted = 0;
    for (let n = 0; n < count; n++) {
      const input = mutate(source());
      const want = reference(input);
      if (want) accepted++;
      assert.equal(isUtf8JsonObject(input), want, `${label} #${n}: ${show(input)}`);
      // The same bytes framed by junk must give the same answer through start/end.
      if (n % 8 === 0) {
        const pad = Uint8Array.from({ length: int(4) }, () => pick(INTERESTING));
        const framed = bytesOf(Array.from(pad), Array.from(input), Array.from(pad));
        assert.equal(isUtf8JsonObject(framed, pad.length, pad.length + input.length), want, `${label} #${n} framed`);
      }
    }
    // Both outcomes must be well represented, or the fuzz is not testing much.
    assert.ok(accepted > count * 0.05 && accepted < count * 0.95, `${label}: ${accepted} of ${count} accepted`);
  }

  test('12,000 mutations of sample audit lines', () => run('sample', 12_000, () => pick(sampleLines)));
  test('12,000 mutations of generated JSON', () => run('generated', 12_000, generated));
  test('4,000 unmutated generated values', () => {
    let accepted = 0;
    for (let n = 0; n < 4_000; n++) {
      const input = generated();
      const want = reference(input);
      if (want) accepted++;
      assert.equal(isUtf8JsonObject(input), want, `generated #${n}: ${show(input)}`);
    }
    assert.ok(accepted > 2_000);
  });
});
