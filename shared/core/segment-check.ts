// Checks one segment and its chain file (spec §2-3) from pushed bytes: entries, leaves, chain links, subtree hashes.
import { FindingSink, finding, type SerializedFindings } from './findings.ts';
import { LEAF_PREFIX, LINK_PREFIX, type Hashing, type IncrementalHash } from './hashing.ts';
import { isUtf8JsonObject } from './json-object.ts';
import { JSON_KINDS, type ManifestSegment } from './manifest.ts';
import { CompactRange, type RangeNode } from './merkle.ts';

export const MAX_LINE_BYTES = 268_435_456;
const CHAIN_LINE_BYTES = 129; // 64 hex, SP, 64 hex (the LF excluded)
const CHAIN_HEAD_BYTES = CHAIN_LINE_BYTES + 1; // what is kept of a chain line split across chunks
const RECORD_WORDS = 16; // a parsed chain line waiting for its entry: stored leaf, stored chain value

export interface SegmentCheckInput {
  segment: ManifestSegment;
  /** The manifest's source.kind, which decides whether entries must be JSON objects. */
  kind: string | null;
  /** Checkpoint (and anchor) tree sizes; a snapshot of the range is kept at those inside this segment. */
  checkpointSizes: readonly number[];
}

/** Seen for every entry as it is read: the bytes are a view valid only during the call. */
export type EntryListener = (index: number, bytes: Uint8Array, offset: number, leaf: Uint8Array) => void;

export interface SegmentCheckResult {
  segment: ManifestSegment;
  /** Entries read, or null when the segment is absent (missing or undecodable). */
  entriesRead: number | null;
  chainLines: number | null;
  /** Leaves [first, first + treeLeaves) are present for the tree: min(entries read, count). */
  treeLeaves: number;
  range: RangeNode[];
  snapshots: [number, RangeNode[]][];
  /** For the link check of the first entry, which needs the previous segment's chain file. */
  firstLink: { leaf: Uint8Array; storedChain: Uint8Array } | null;
  /** Stored chain value on the last line of the chain file; null when absent, empty or malformed. */
  lastChain: Uint8Array | null;
  findings: SerializedFindings;
}

// HEX_PAIR[(a << 8) | b] is the byte that the lower-case hex digits a, b spell, or 0x100 when they
// are not two such digits: a chain line is checked and decoded one table load per byte it holds.
const INVALID = 0x100;
const HEX_PAIR = new Uint16Array(1 << 16).fill(INVALID);
{
  const digits = '0123456789abcdef';
  for (let hi = 0; hi < 16; hi++) {
    for (let lo = 0; lo < 16; lo++) HEX_PAIR[(digits.charCodeAt(hi) << 8) | digits.charCodeAt(lo)] = (hi << 4) | lo;
  }
}

const LITTLE_ENDIAN = new Uint8Array(Uint32Array.of(1).buffer)[0] === 1;

/** Four decoded bytes as the Int32Array element that holds them in memory order. */
function word(v0: number, v1: number, v2: number, v3: number): number {
  return LITTLE_ENDIAN ? v0 | (v1 << 8) | (v2 << 16) | (v3 << 24) : (v0 << 24) | (v1 << 16) | (v2 << 8) | v3;
}

// One DataView per underlying buffer (a reader's chunks share one), so four hex digits are one
// load: measured 49 against 71 ns a line for loading the digits byte by byte.
const NO_BUFFER = new ArrayBuffer(0);
let viewBuffer: ArrayBufferLike = NO_BUFFER;
let view: DataView<ArrayBufferLike> = new DataView(viewBuffer);

function viewOf(bytes: Uint8Array): DataView<ArrayBufferLike> {
  const buffer = bytes.buffer;
  if (buffer !== viewBuffer) {
    viewBuffer = buffer;
    view = new DataView(buffer);
  }
  return view;
}

/**
 * Decodes the chain line at v[at, at + 129) into out[w, w + 16) (leaf, then chain value, 8 words
 * each); false when it does not match `[0-9a-f]{64} [0-9a-f]{64}`. Every checked byte is hex or
 * the space, so a line that passes has no LF inside: its LF at v[at + 129] proves its length.
 */
function decodeChainLine(v: DataView<ArrayBufferLike>, at: number, out: Int32Array, w: number): boolean {
  let bad = v.getUint8(at + 64) === 0x20 ? 0 : INVALID;
  for (let half = 0; half < 2; half++) {
    const from = at + 65 * half;
    for (let j = 0; j < 8; j++) {
      // Big-endian reads: the high 16 bits are the first two digits, as HEX_PAIR is indexed.
      const x = v.getUint32(from + 8 * j);
      const y = v.getUint32(from + 8 * j + 4);
      const v0 = HEX_PAIR[x >>> 16]!;
      const v1 = HEX_PAIR[x & 0xffff]!;
      const v2 = HEX_PAIR[y >>> 16]!;
      const v3 = HEX_PAIR[y & 0xffff]!;
      bad |= v0 | v1 | v2 | v3;
      out[w + 8 * half + j] = word(v0, v1, v2, v3);
    }
  }
  return bad < INVALID;
}

// Byte offsets in a LinkInput: 0x02 || stored chain_{k-1} || leaf_k starts at 3, so that both
// hashes sit on 4-byte boundaries and are copied and compared as 8 Int32Array elements.
const PREV = 4;
const LEAF = 36;

class LinkInput {
  readonly bytes = new Uint8Array(68);
  readonly words = new Int32Array(this.bytes.buffer);
  /** What is hashed: the prefix byte and the two hashes. */
  readonly input = this.bytes.subarray(PREV - 1);

  constructor() {
    this.bytes[PREV - 1] = LINK_PREFIX;
  }
}

// Leaves of entries that start a chunk are copied behind a prefix byte here (the other entries
// borrow the LF before them, see chunkEntry); longer ones are streamed instead of growing it.
const LEAF_COPY_LIMIT = 1 << 16;
const leafCopy = new Uint8Array(LEAF_COPY_LIMIT + 1);

export class SegmentChecker {
  private readonly seg: ManifestSegment;
  private readonly checkJson: boolean;
  /** Checkpoint sizes inside this segment, ascending; `nextSize` indexes the next one to reach. */
  private readonly sizes: number[];
  private nextSize = 0;
  private snapshotAt: number; // sizes[nextSize], or Infinity past the last
  private sink = new FindingSink();
  private range: CompactRange;
  private snapshots: [number, RangeNode[]][] = [];

  // segment side
  private entries = 0;
  private offset = 0; // byte offset of the next line in the decompressed segment
  private physicalLine = 0; // lines seen, empty ones included (entry line numbers count entries only, per spec §6)
  private partial: Uint8Array[] = [];
  private partialLength = 0;
  private streaming: IncrementalHash | null = null; // for a line past MAX_LINE_BYTES
  private entriesDone = false;
  private absent = false;

  // Link inputs in two buffers that trade places per line: the current entry's leaf is hashed
  // straight into link's LEAF, and the stored chain value of its line is copied to nextLink's
  // PREV, ready for the next link.
  private link = new LinkInput();
  private nextLink = new LinkInput();

  // Leaves of entries read before their chain line, 8 words each, [leafHead, leafTail).
  private leaves = new Int32Array(0);
  private leafHead = 0;
  private leafTail = 0;

  // chain side: lines parsed as they arrive, waiting for their entries in [lineHead, lineTail).
  private chainCount = 0;
  private lines = new Int32Array(0); // RECORD_WORDS per line: stored leaf, stored chain value
  private lineValid = new Uint8Array(0);
  private lineHead = 0;
  private lineTail = 0;
  private chainHead = new Uint8Array(CHAIN_HEAD_BYTES);
  private chainHeadLength = 0;
  private chainDone = false;
  private chainMissing = false;
  private lastChain: Uint8Array | null = null;

  // pairing
  private paired = 0;
  private previousValid = false; // link's PREV holds the previous line's stored chain value
  private firstLink: SegmentCheckResult['firstLink'] = null;

  constructor(
    input: SegmentCheckInput,
    private readonly hashing: Hashing,
    private readonly onEntry?: EntryListener,
  ) {
    this.seg = input.segment;
    this.checkJson = input.kind !== null && JSON_KINDS.has(input.kind);
    const last = this.seg.first + this.seg.count;
    this.sizes = [...new Set(input.checkpointSizes.filter((s) => s > this.seg.first && s <= last))].sort((a, b) => a - b);
    this.snapshotAt = this.sizes[0] ?? Infinity;
    this.range = new CompactRange(hashing, this.seg.first);
  }

  // ---------- segment bytes ----------

  /**
   * Takes the next bytes of the segment. The chunk is borrowed during the call: the LF before an
   * entry briefly holds the leaf prefix byte (restored right after hashing), which spares copying
   * every entry behind a prefix; callers must not share it with anything running concurrently.
   */
  pushEntries(chunk: Uint8Array): void {
    if (this.absent) return;
    let start = 0;
    if (this.partialLength > 0 || this.streaming !== null) {
      const lf = chunk.indexOf(0x0a);
      if (lf < 0) {
        this.appendPartial(chunk);
        return;
      }
      this.appendPartial(chunk.subarray(0, lf));
      this.finishPartial(true);
      start = lf + 1;
    }
    // Looked up once: a typed array's buffer and byteOffset cost ~10 ns each.
    const buffer = chunk.buffer;
    const offset = chunk.byteOffset;
    for (;;) {
      const lf = chunk.indexOf(0x0a, start);
      if (lf < 0) break;
      if (lf === start) this.emptyLine();
      else this.chunkEntry(chunk, buffer, offset, start, lf);
      start = lf + 1;
    }
    if (start < chunk.length) this.appendPartial(chunk.subarray(start));
  }

  endEntries(): void {
    if (this.absent) return;
    if (this.partialLength > 0 || this.streaming !== null) this.finishPartial(false);
    this.entriesDone = true;
    this.pair();
  }

  /** The segment is missing or does not decode: its entries are absent (spec §5). */
  segmentAbsent(): void {
    this.absent = true;
    this.entriesDone = true;
    this.sink = new FindingSink();
    this.range = new CompactRange(this.hashing, this.seg.first);
    this.snapshots = [];
    this.partial = [];
    this.partialLength = 0;
    this.streaming = null;
    this.leafHead = this.leafTail = 0;
    this.lineHead = this.lineTail = 0;
    this.firstLink = null;
  }

  private appendPartial(piece: Uint8Array): void {
    if (piece.length === 0) return;
    if (this.streaming) {
      this.streaming.update(piece);
      this.partialLength += piece.length;
      return;
    }
    // A copy: callers reuse their buffers (and Buffer's slice() would only be a view).
    this.partial.push(new Uint8Array(piece));
    this.partialLength += piece.length;
    if (this.partialLength > MAX_LINE_BYTES) {
      // Too long to be a valid entry: hash it as it streams rather than hold it.
      const h = this.hashing.create().update(Uint8Array.of(LEAF_PREFIX));
      for (const p of this.partial) h.update(p);
      this.streaming = h;
      this.partial = [];
    }
  }

  private finishPartial(terminated: boolean): void {
    this.physicalLine++;
    if (this.streaming) {
      this.link.bytes.set(this.streaming.digest(), LEAF);
      const length = this.partialLength;
      this.streaming = null;
      this.partialLength = 0;
      this.entry(null, 0, length, terminated);
      return;
    }
    // Assembled behind one spare byte, which takes the leaf prefix.
    const bytes = new Uint8Array(this.partialLength + 1);
    let o = 1;
    for (const p of this.partial) {
      bytes.set(p, o);
      o += p.length;
    }
    this.partial = [];
    this.partialLength = 0;
    bytes[0] = LEAF_PREFIX;
    this.hashing.sha256Into(bytes, this.link.bytes, LEAF);
    this.entry(bytes, 1, bytes.length - 1, terminated);
  }

  private emptyLine(): void {
    this.physicalLine++;
    // An empty line is not an entry: it takes no index (so it has a line number but no index).
    // Spec §6 defines line = index - first + 1 only for entries; chosen: an empty line gets its physical line in the file.
    const line = this.physicalLine;
    this.sink.add(finding('line-malformed', `empty line (line ${line}, byte offset ${this.offset}) in ${this.seg.path}`, { file: this.seg.path, line }));
    this.offset += 1;
  }

  /** The hot path: an LF-terminated entry chunk[start, end) lying whole in the chunk (chunk's buffer and byteOffset given). */
  private chunkEntry(chunk: Uint8Array, buffer: ArrayBufferLike, offset: number, start: number, end: number): void {
    this.physicalLine++;
    const x = this.link.bytes;
    if (start > 0) {
      const keep = chunk[start - 1]!;
      chunk[start - 1] = LEAF_PREFIX;
      // A plain view: Buffer's subarray costs ~3x as much, once per entry.
      this.hashing.sha256Into(new Uint8Array(buffer, offset + start - 1, end - start + 1), x, LEAF);
      chunk[start - 1] = keep;
    } else if (end - start <= LEAF_COPY_LIMIT) {
      leafCopy[0] = LEAF_PREFIX;
      leafCopy.set(chunk.subarray(start, end), 1);
      this.hashing.sha256Into(leafCopy.subarray(0, end - start + 1), x, LEAF);
    } else {
      x.set(this.hashing.create().update(Uint8Array.of(LEAF_PREFIX)).update(chunk.subarray(start, end)).digest(), LEAF);
    }
    this.entry(chunk, start, end - start, true);
  }

  /** Entry bytes[start, start + length) (bytes null when it was streamed), its leaf already at link's LEAF. */
  private entry(bytes: Uint8Array | null, start: number, length: number, terminated: boolean): void {
    const k = this.entries++;
    const index = this.seg.first + k;
    if (!terminated) this.sink.add(finding('line-malformed', `entry ${index} (last line of ${this.seg.path}) does not end with LF`, this.at(k)));
    if (length > MAX_LINE_BYTES) this.sink.add(finding('line-malformed', `entry ${index} is ${length} bytes, longer than 256 MiB`, this.at(k)));
    if (this.checkJson && (bytes === null || !isUtf8JsonObject(bytes, start, start + length))) {
      this.sink.add(finding('entry-not-json', `entry ${index} is not a UTF-8 JSON object`, this.at(k)));
    }
    const x = this.link;
    if (bytes && this.onEntry) this.onEntry(index, bytes.subarray(start, start + length), this.offset, x.bytes.slice(LEAF, LEAF + 32));
    this.offset += length + (terminated ? 1 : 0);
    if (k < this.seg.count) {
      this.range.appendLeafWords(x.words, LEAF / 4);
      if (index + 1 === this.snapshotAt) {
        this.snapshots.push([index + 1, this.range.snapshot()]);
        this.snapshotAt = this.sizes[++this.nextSize] ?? Infinity;
      }
    }
    if (this.chainMissing) return;
    if (this.leafHead === this.leafTail && this.lineHead < this.lineTail) {
      this.check(this.lineHead++);
    } else if (!this.chainDone) {
      // Its chain line has not arrived yet.
      if (this.leafTail * 8 === this.leaves.length) this.makeLeafRoom();
      const o = this.leafTail++ * 8;
      const w = x.words;
      for (let i = 0; i < 8; i++) this.leaves[o + i] = w[LEAF / 4 + i]!;
    }
    // else the chain file has ended without a line for it: it is not checked (spec §3).
  }

  private at(k: number): { file: string; index: number; line: number } {
    return { file: this.seg.path, index: this.seg.first + k, line: k + 1 };
  }

  /** Called when the leaf queue is full: moves the live part to the front, or into a buffer twice as large. */
  private makeLeafRoom(): void {
    const live = this.leafTail - this.leafHead;
    if (live * 2 * 8 >= this.leaves.length) {
      const leaves = new Int32Array(Math.max(1024 * 8, this.leaves.length * 2));
      leaves.set(this.leaves.subarray(this.leafHead * 8, this.leafTail * 8));
      this.leaves = leaves;
    } else {
      this.leaves.copyWithin(0, this.leafHead * 8, this.leafTail * 8);
    }
    this.leafHead = 0;
    this.leafTail = live;
  }

  /** Entries read whose chain line has not arrived yet (drivers read the chain file until this is 0). */
  get waitingForChain(): number {
    return this.leafTail - this.leafHead;
  }

  // ---------- chain bytes ----------

  pushChain(chunk: Uint8Array): void {
    const n = chunk.length;
    let start = 0;
    const before = this.chainCount;
    if (this.chainHeadLength > 0) {
      // The line carried over from the previous chunk.
      const lf = chunk.indexOf(0x0a);
      if (lf < 0) {
        this.appendChainHead(chunk, 0, n);
        return;
      }
      this.appendChainHead(chunk, 0, lf);
      this.chainLine(this.chainHead, 0, this.chainHeadLength, true);
      this.chainHeadLength = 0;
      start = lf + 1;
    }
    const v = viewOf(chunk);
    const base = chunk.byteOffset;
    for (;;) {
      // A well-formed line is recognised in place (its LF is 129 bytes on); anything else is
      // looked up by its LF and is malformed.
      if (start + CHAIN_LINE_BYTES < n && chunk[start + CHAIN_LINE_BYTES] === 0x0a) {
        if (this.lineTail === this.lineValid.length) this.makeLineRoom();
        if (decodeChainLine(v, base + start, this.lines, this.lineTail * RECORD_WORDS)) {
          this.lineValid[this.lineTail++] = 1;
          this.chainCount++;
          start += CHAIN_HEAD_BYTES;
          continue;
        }
      }
      const lf = chunk.indexOf(0x0a, start);
      if (lf < 0) break;
      this.chainLine(chunk, start, lf - start, true);
      start = lf + 1;
    }
    if (start < n) this.appendChainHead(chunk, start, n);
    if (this.chainCount > before) this.noteLastLine();
    // A caller's large buffer is not kept alive by the view cache.
    if (viewBuffer.byteLength > 16 << 20) viewOf(new Uint8Array(NO_BUFFER));
    this.pair();
  }

  private appendChainHead(chunk: Uint8Array, start: number, end: number): void {
    // Only the first 130 bytes matter: anything longer cannot match the pattern.
    const room = CHAIN_HEAD_BYTES - Math.min(this.chainHeadLength, CHAIN_HEAD_BYTES);
    const take = Math.min(room, end - start);
    if (take > 0) this.chainHead.set(chunk.subarray(start, start + take), this.chainHeadLength);
    this.chainHeadLength += end - start;
  }

  /** Queues the chain line src[start, start + length) (only its first 130 bytes need to be there). */
  private chainLine(src: Uint8Array, start: number, length: number, terminated: boolean): void {
    if (this.lineTail === this.lineValid.length) this.makeLineRoom();
    // Spec §3: a chain line is the pattern "then LF"; without its LF it does not match.
    const ok = terminated && length === CHAIN_LINE_BYTES && decodeChainLine(viewOf(src), src.byteOffset + start, this.lines, this.lineTail * RECORD_WORDS);
    this.lineValid[this.lineTail++] = ok ? 1 : 0;
    this.chainCount++;
  }

  /** Keeps the last line's chain value, which the next segment's first link starts from. */
  private noteLastLine(): void {
    // Spec §3 is ambiguous when a chain file has extra or missing lines; chosen: the next segment links to the file's literal last line.
    const r = this.lineTail - 1;
    this.lastChain = this.lineValid[r] ? new Uint8Array(this.lines.buffer.slice((r * RECORD_WORDS + 8) * 4, (r + 1) * RECORD_WORDS * 4)) : null;
    // Lines of an absent segment are only counted.
    if (this.absent) this.lineHead = this.lineTail = 0;
  }

  /** Called when the line queue is full: moves the live part to the front, or into buffers twice as large. */
  private makeLineRoom(): void {
    const live = this.lineTail - this.lineHead;
    if (live * 2 >= this.lineValid.length) {
      const capacity = Math.max(1024, this.lineValid.length * 2);
      const lines = new Int32Array(capacity * RECORD_WORDS);
      const valid = new Uint8Array(capacity);
      lines.set(this.lines.subarray(this.lineHead * RECORD_WORDS, this.lineTail * RECORD_WORDS));
      valid.set(this.lineValid.subarray(this.lineHead, this.lineTail));
      this.lines = lines;
      this.lineValid = valid;
    } else {
      this.lines.copyWithin(0, this.lineHead * RECORD_WORDS, this.lineTail * RECORD_WORDS);
      this.lineValid.copyWithin(0, this.lineHead, this.lineTail);
    }
    this.lineHead = 0;
    this.lineTail = live;
  }

  endChain(): void {
    if (this.chainHeadLength > 0) {
      this.chainLine(this.chainHead, 0, this.chainHeadLength, false); // a last line without LF never matches the pattern
      this.chainHeadLength = 0;
      this.noteLastLine();
    }
    this.chainDone = true;
    this.pair();
    // Entries still waiting will never get a line.
    this.leafHead = this.leafTail = 0;
  }

  chainAbsent(): void {
    this.chainMissing = true;
    this.chainDone = true;
    this.leafHead = this.leafTail = 0;
  }

  // ---------- pairing entry k with chain line k ----------

  private pair(): void {
    while (this.leafHead < this.leafTail && this.lineHead < this.lineTail) {
      const o = this.leafHead++ * 8;
      const w = this.link.words;
      for (let i = 0; i < 8; i++) w[LEAF / 4 + i] = this.leaves[o + i]!;
      this.check(this.lineHead++);
    }
    if (this.leafHead === this.leafTail) this.leafHead = this.leafTail = 0;
    if (this.lineHead === this.lineTail) this.lineHead = this.lineTail = 0;
  }

  /** Entry k (its leaf at link's LEAF) against queued chain line r. */
  private check(r: number): void {
    const k = this.paired++;
    const index = this.seg.first + k;
    const line = k + 1;
    if (!this.lineValid[r]) {
      this.sink.add(finding('line-malformed', `line ${line} of ${this.seg.chain} is not "<leaf hex> <chain hex>"`, { file: this.seg.chain, index, line }));
      this.previousValid = false;
      return;
    }
    const x = this.link;
    const y = this.nextLink;
    const xw = x.words;
    const yw = y.words;
    const lines = this.lines;
    const o = r * RECORD_WORDS;
    let diff = 0;
    for (let i = 0; i < 8; i++) {
      diff |= lines[o + i]! ^ xw[LEAF / 4 + i]!;
      yw[PREV / 4 + i] = lines[o + 8 + i]!;
    }
    if (diff !== 0) {
      this.sink.add(finding('leaf-hash-mismatch', `entry ${index} does not hash to the leaf stored for it in ${this.seg.chain}`, { file: this.seg.path, index, line }));
    }
    if (k === 0) {
      this.firstLink = { leaf: x.bytes.slice(LEAF, LEAF + 32), storedChain: y.bytes.slice(PREV, PREV + 32) };
    } else if (this.previousValid) {
      // The leaf has been compared and added to the tree: the link hash may take its place.
      this.hashing.sha256Into(x.input, x.bytes, LEAF);
      let linkDiff = 0;
      for (let i = 0; i < 8; i++) linkDiff |= xw[LEAF / 4 + i]! ^ yw[PREV / 4 + i]!;
      if (linkDiff !== 0) {
        this.sink.add(finding('chain-link-mismatch', `chain value of entry ${index} does not follow from the previous chain value and the entry's leaf`, { file: this.seg.chain, index, line }));
      }
    }
    this.previousValid = true;
    this.link = y;
    this.nextLink = x;
  }

  finish(): SegmentCheckResult {
    if (!this.entriesDone || !this.chainDone) throw new Error('segment check finished before both files ended');
    const entriesRead = this.absent ? null : this.entries;
    if (entriesRead !== null && entriesRead !== this.seg.count) {
      this.sink.add(finding('entry-count-mismatch', `${this.seg.path} holds ${entriesRead} entries, the manifest says ${this.seg.count}`, { file: this.seg.path }));
    }
    if (entriesRead !== null && !this.chainMissing && this.chainCount !== entriesRead) {
      this.sink.add(finding('entry-count-mismatch', `${this.seg.chain} has ${this.chainCount} lines for ${entriesRead} entries`, { file: this.seg.chain }));
    }
    return {
      segment: this.seg,
      entriesRead,
      chainLines: this.chainMissing ? null : this.chainCount,
      treeLeaves: entriesRead === null ? 0 : Math.min(entriesRead, this.seg.count),
      range: this.range.snapshot(),
      snapshots: this.snapshots,
      firstLink: this.firstLink,
      lastChain: this.lastChain,
      findings: this.sink.serialize(),
    };
  }
}
