// Splits a JSON document (an export, a forwarder's output, a pretty-printed event) into its records, byte ranges sliced from the input.
//
// What an entry can be (spec §2): the bytes of one line, so never an LF. A record that is on one
// line in the document is emitted byte for byte. A record that spans lines (pretty-printed) cannot
// be an entry as it is; it is emitted with each run of whitespace that contains a line break (the
// LF, a CR before it, and the indentation after it) left out. Those runs lie between JSON tokens
// (RFC 8259 §2: insignificant whitespace) and never inside a string, so every token — every key,
// string, number and escape — keeps its exact bytes; nothing is parsed and written again.
// The caller reports which records were so treated.

/** Why a document could not be split; `offset` is the byte where it went wrong. */
export class RecordSplitError extends Error {
  override name = 'RecordSplitError';
  constructor(
    message: string,
    readonly offset: number,
  ) {
    super(message);
  }
}

export interface SplitRecord {
  /** [start, end) of the record in the input (BOM included in the count). */
  start: number;
  end: number;
  /** The entry's bytes: the record as in the input, less line-break whitespace when it spanned lines. */
  bytes: Uint8Array;
  /** True when the record spanned lines in the input. */
  lineBreaksRemoved: boolean;
  /** Where the record sat: `records[]`, `resourceLogs[].scopeLogs[].logRecords[]`, `[]`, or `` (a top-level value). */
  container: string;
}

// Arrays whose elements are the records, by the path of object keys leading to them ('' = top level).
// AKS diagnostic exports (records), audit webhook EventList (items), CloudWatch Logs filter-log-events
// (events) and subscription DATA_MESSAGE (logEvents), Cloud Logging entries.list (entries), OTLP/JSON.
const RECORD_ARRAYS: ReadonlySet<string> = new Set([
  '',
  'records',
  'items',
  'events',
  'logEvents',
  'entries',
  'resourceLogs.scopeLogs.logRecords',
  'resourceLogs.instrumentationLibraryLogs.logRecords',
]);
// Paths on the way to a record array: containers under them are entered, not treated as records.
const PREFIXES: ReadonlySet<string> = new Set(['resourceLogs', 'resourceLogs.scopeLogs', 'resourceLogs.instrumentationLibraryLogs']);

const MAX_RECORD = 268_435_456; // spec §2's longest line

// Scanner states.
const S_VALUE = 0; // a value is expected
const S_AFTER = 1; // after a value: ',' or a closing bracket (or, at top level, whitespace / next value)
const S_KEY = 2; // a key (or '}' right after '{') is expected
const S_COLON = 3;
const S_STRING = 4;
const S_ESCAPE = 5;
const S_UNICODE = 6;
const S_NUMBER = 7;
const S_LITERAL = 8;
const S_BOM = 9;

interface Frame {
  array: boolean;
  /** Key path of this container (object keys only). */
  path: string;
  /** Its elements (array) or member values (object) are records. */
  holdsRecords: boolean;
  /** Nothing seen yet (for ']' / '}' right after the opening bracket). */
  empty: boolean;
}

export class RecordSplitter {
  private offset = 0;
  private state = S_VALUE;
  private stack: Frame[] = [];
  private firstByte = true;
  private keyBytes: number[] | null = null;
  private lastKey = '';
  private stringIsKey = false;
  private unicodeLeft = 0;
  private literal = '';
  private literalAt = 0;
  private numberState = 0;
  // The record being collected: its depth in the stack when it began (-1: none).
  private recordDepth = -1;
  // The record is a top-level object that may still turn out to be a wrapper (it holds a record array).
  private tentative = false;
  private recordStart = 0;
  private recordContainer = '';
  private parts: Uint8Array[] = [];
  private partLength = 0;
  private pending: number[] = []; // current whitespace run inside a record
  private pendingHasLf = false;
  private spansLines = false;
  private out: SplitRecord[] = [];
  /** The input began with a UTF-8 BOM (EF BB BF), which belongs to no record. */
  bom = false;
  /** The last byte of the input was an LF. */
  finalNewline = false;
  /** Records per container path. */
  readonly containers = new Map<string, number>();
  private recordBytes = 0;
  private values = 0;
  /** Bytes of the input that are in no record's [start, end): a wrapper's other members, brackets, whitespace, BOM. */
  get outsideBytes(): number {
    return this.offset - this.recordBytes;
  }
  /** Records that spanned lines in the input. */
  lineBreaks = 0;

  constructor(private readonly maxRecord = MAX_RECORD) {}

  /** Feeds the next bytes; returns the records completed in them. */
  push(chunk: Uint8Array): SplitRecord[] {
    this.out = [];
    let segStart = 0; // start in chunk of bytes not yet copied into the record
    for (let i = 0; i < chunk.length; i++) {
      const c = chunk[i]!;
      const at = this.offset + i;
      if (this.firstByte) {
        this.firstByte = false;
        if (c === 0xef) {
          this.bom = true;
          this.literalAt = 1;
          this.state = S_BOM;
          continue;
        }
      }
      const inRecord = this.recordDepth >= 0;
      switch (this.state) {
        case S_STRING:
          if (c === 0x22) {
            this.state = this.stringIsKey ? S_COLON : S_AFTER;
            if (this.stringIsKey) this.lastKey = String.fromCharCode(...(this.keyBytes ?? []));
            this.keyBytes = null;
            if (!this.stringIsKey) this.valueEnded(at, chunk, i, segStart) && (segStart = i + 1);
          } else if (c === 0x5c) this.state = S_ESCAPE;
          else if (c < 0x20) throw new RecordSplitError('a control character inside a JSON string', at);
          else if (this.keyBytes !== null && this.keyBytes.length < 64) this.keyBytes.push(c);
          break;
        case S_ESCAPE:
          if (c === 0x75) {
            this.state = S_UNICODE;
            this.unicodeLeft = 4;
          } else if (c === 0x22 || c === 0x5c || c === 0x2f || c === 0x62 || c === 0x66 || c === 0x6e || c === 0x72 || c === 0x74) this.state = S_STRING;
          else throw new RecordSplitError('an invalid escape in a JSON string', at);
          // Keys are compared as ASCII names; an escaped key simply never matches a record array.
          if (this.keyBytes !== null) this.keyBytes.push(0x5c);
          break;
        case S_UNICODE:
          if (!((c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x46) || (c >= 0x61 && c <= 0x66))) throw new RecordSplitError('an invalid \\u escape in a JSON string', at);
          if (--this.unicodeLeft === 0) this.state = S_STRING;
          break;
        case S_NUMBER:
          if (this.numberByte(c)) break;
          if (!this.numberComplete()) throw new RecordSplitError('an incomplete JSON number', at);
          this.state = S_AFTER;
          if (this.valueEnded(at - 1, chunk, i - 1, segStart)) segStart = i;
          i--; // this byte is read again in S_AFTER
          continue;
        case S_BOM:
          if (c !== (this.literalAt === 1 ? 0xbb : 0xbf)) throw new RecordSplitError('an incomplete UTF-8 byte order mark', at);
          if (++this.literalAt === 3) this.state = S_VALUE;
          break;
        case S_LITERAL:
          if (c !== this.literal.charCodeAt(this.literalAt)) throw new RecordSplitError('an invalid JSON literal', at);
          if (++this.literalAt === this.literal.length) {
            this.state = S_AFTER;
            if (this.valueEnded(at, chunk, i, segStart)) segStart = i + 1;
          }
          break;
        default: {
          // Structural states: whitespace first.
          if (c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d) {
            if (inRecord) {
              // Copy what came before the run, then hold the run until we know whether it has a line break.
              if (this.pending.length === 0 && i > segStart) this.append(chunk.subarray(segStart, i));
              this.pending.push(c);
              if (c === 0x0a) this.pendingHasLf = true;
              segStart = i + 1;
            }
            break;
          }
          if (inRecord && this.pending.length > 0) {
            if (this.pendingHasLf) this.spansLines = true;
            else this.append(Uint8Array.from(this.pending));
            this.pending = [];
            this.pendingHasLf = false;
            segStart = i;
          }
          segStart = this.structural(c, at, chunk, i, segStart);
        }
      }
    }
    if (this.recordDepth >= 0 && this.pending.length === 0 && segStart < chunk.length) this.append(chunk.subarray(segStart));
    if (chunk.length > 0) this.finalNewline = chunk[chunk.length - 1] === 0x0a;
    this.offset += chunk.length;
    return this.out;
  }

  /** Ends the input; throws when it ends inside a value. */
  end(): SplitRecord[] {
    this.out = [];
    if (this.state === S_NUMBER && this.stack.length === 0 && this.numberComplete()) {
      throw new RecordSplitError('a top-level value that is not an object or array', this.offset);
    }
    if (this.state === S_BOM) throw new RecordSplitError('an incomplete UTF-8 byte order mark', this.offset);
    if (this.stack.length > 0 || (this.state !== S_AFTER && this.state !== S_VALUE)) {
      throw new RecordSplitError('the input ends inside a JSON value', this.offset);
    }
    if (this.values === 0) throw new RecordSplitError('the input holds no JSON value', this.offset);
    return this.out;
  }

  private append(b: Uint8Array): void {
    this.partLength += b.length;
    if (this.partLength > this.maxRecord) throw new RecordSplitError(`a record longer than ${this.maxRecord} bytes`, this.offset);
    this.parts.push(b.slice());
  }

  private top(): Frame | undefined {
    return this.stack[this.stack.length - 1];
  }

  /** Handles a non-whitespace byte in a structural state; returns the new segStart. */
  private structural(c: number, at: number, chunk: Uint8Array, i: number, segStart: number): number {
    const frame = this.top();
    if (this.state === S_COLON) {
      if (c !== 0x3a) throw new RecordSplitError("expected ':' after an object key", at);
      this.state = S_VALUE;
      return segStart;
    }
    if (this.state === S_AFTER) {
      if (frame === undefined) {
        // Between top-level values (concatenated documents, JSON lines): the next one starts.
        this.state = S_VALUE;
      } else if (c === 0x2c) {
        this.state = frame.array ? S_VALUE : S_KEY;
        frame.empty = false;
        return segStart;
      } else if ((c === 0x5d && frame.array) || (c === 0x7d && !frame.array)) {
        return this.close(at, chunk, i, segStart);
      } else throw new RecordSplitError(frame.array ? "expected ',' or ']'" : "expected ',' or '}'", at);
    }
    if (this.state === S_KEY) {
      if (c === 0x7d && frame !== undefined && frame.empty) return this.close(at, chunk, i, segStart);
      if (c !== 0x22) throw new RecordSplitError('expected an object key', at);
      frame!.empty = false;
      this.state = S_STRING;
      this.stringIsKey = true;
      this.keyBytes = this.recordDepth < 0 || this.tentative ? [] : null;
      return segStart;
    }
    // S_VALUE
    if (c === 0x5d && frame !== undefined && frame.array && frame.empty) return this.close(at, chunk, i, segStart);
    if (frame !== undefined) frame.empty = false;
    const startsRecord = this.recordDepth < 0 && (frame === undefined || frame.holdsRecords);
    if (frame === undefined && c !== 0x7b && c !== 0x5b) throw new RecordSplitError('a top-level value that is not an object or array', at);
    if (frame === undefined) this.values++;
    if (startsRecord && !(frame === undefined && c === 0x5b)) {
      this.recordDepth = this.stack.length;
      this.recordStart = at;
      this.recordContainer = frame === undefined ? '' : frame.path === '' && frame.array ? '[]' : containerName(frame.path);
      this.tentative = frame === undefined;
      this.parts = [];
      this.partLength = 0;
      this.spansLines = false;
      segStart = i;
    }
    if (c === 0x7b || c === 0x5b) {
      const array = c === 0x5b;
      const parentPath = frame === undefined ? '' : frame.array ? frame.path : joinPath(frame.path, this.lastKey);
      const open = this.recordDepth < 0 || this.tentative;
      const holdsRecords = open && array && (frame === undefined || (parentPath !== '' && RECORD_ARRAYS.has(parentPath)));
      if (open && frame !== undefined && !holdsRecords && !PREFIXES.has(parentPath)) {
        // Off the path to any record array: a path no key can extend into one.
        this.stack.push({ array, path: '\u0000', holdsRecords: false, empty: true });
      } else this.stack.push({ array, path: parentPath, holdsRecords, empty: true });
      this.state = array ? S_VALUE : S_KEY;
      // A top-level object is a record unless it turns out to hold a record array; it is collected
      // as one until then (bounded by the record limit), and given up as the wrapper when it does.
      if (holdsRecords && this.tentative) {
        this.recordDepth = -1;
        this.tentative = false;
        this.parts = [];
        this.partLength = 0;
        this.pending = [];
        this.pendingHasLf = false;
        return i + 1;
      }
      return segStart;
    }
    if (c === 0x22) {
      this.state = S_STRING;
      this.stringIsKey = false;
      this.keyBytes = null;
      return segStart;
    }
    if (c === 0x2d || (c >= 0x30 && c <= 0x39)) {
      this.state = S_NUMBER;
      this.numberState = 0;
      this.numberByte(c);
      return segStart;
    }
    const literal = c === 0x74 ? 'true' : c === 0x66 ? 'false' : c === 0x6e ? 'null' : '';
    if (literal === '') throw new RecordSplitError('expected a JSON value', at);
    this.state = S_LITERAL;
    this.literal = literal;
    this.literalAt = 1;
    return segStart;
  }

  private close(at: number, chunk: Uint8Array, i: number, segStart: number): number {
    this.stack.pop();
    this.state = S_AFTER;
    return this.valueEnded(at, chunk, i, segStart) ? i + 1 : segStart;
  }

  /** A value ended at byte `at` (chunk index i); emits the record it completes. True when one was emitted. */
  private valueEnded(at: number, chunk: Uint8Array, i: number, segStart: number): boolean {
    if (this.recordDepth < 0 || this.stack.length !== this.recordDepth) return false;
    if (i + 1 > segStart) this.append(chunk.subarray(segStart, i + 1));
    const bytes = this.parts.length === 1 ? this.parts[0]! : concat(this.parts, this.partLength);
    this.out.push({ start: this.recordStart, end: at + 1, bytes, lineBreaksRemoved: this.spansLines, container: this.recordContainer });
    this.containers.set(this.recordContainer, (this.containers.get(this.recordContainer) ?? 0) + 1);
    if (this.spansLines) this.lineBreaks++;
    this.recordBytes += at + 1 - this.recordStart;
    this.recordDepth = -1;
    this.tentative = false;
    this.parts = [];
    this.partLength = 0;
    return true;
  }

  // RFC 8259 number grammar: 0 start, 1 after '-', 2 int digits (no leading 0), 3 after leading 0,
  // 4 after '.', 5 fraction digits, 6 after e/E, 7 after exponent sign, 8 exponent digits.
  private numberByte(c: number): boolean {
    const digit = c >= 0x30 && c <= 0x39;
    const st = this.numberState;
    let next = -1;
    if (st === 0 && c === 0x2d) next = 1;
    else if ((st === 0 || st === 1) && digit) next = c === 0x30 ? 3 : 2;
    else if (st === 2 && digit) next = 2;
    else if ((st === 2 || st === 3) && c === 0x2e) next = 4;
    else if ((st === 4 || st === 5) && digit) next = 5;
    else if ((st === 2 || st === 3 || st === 5) && (c === 0x65 || c === 0x45)) next = 6;
    else if (st === 6 && (c === 0x2b || c === 0x2d)) next = 7;
    else if ((st === 6 || st === 7 || st === 8) && digit) next = 8;
    if (next < 0) return false;
    this.numberState = next;
    return true;
  }

  private numberComplete(): boolean {
    return this.numberState === 2 || this.numberState === 3 || this.numberState === 5 || this.numberState === 8;
  }
}

function joinPath(parent: string, key: string): string {
  return parent === '' ? key : `${parent}.${key}`;
}

/** records → records[]; resourceLogs.scopeLogs.logRecords → resourceLogs[].scopeLogs[].logRecords[]. */
function containerName(path: string): string {
  return path.split('.').join('[].') + '[]';
}

function concat(parts: Uint8Array[], length: number): Uint8Array {
  const b = new Uint8Array(length);
  let at = 0;
  for (const p of parts) {
    b.set(p, at);
    at += p.length;
  }
  return b;
}

/** Splits a whole document held in memory (tests, small inputs). */
export function splitRecords(doc: Uint8Array): { records: SplitRecord[]; splitter: RecordSplitter } {
  const s = new RecordSplitter();
  const records = [...s.push(doc), ...s.end()];
  return { records, splitter: s };
}
