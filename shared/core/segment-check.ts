// Checks one segment and its chain file (spec §2-3) from pushed bytes: entries, leaves, chain links, subtree hashes.
import { bytesEqual, hexNibble } from './bytes.ts';
import { FindingSink, finding, type SerializedFindings } from './findings.ts';
import type { Hashing, IncrementalHash } from './hashing.ts';
import { isUtf8JsonObject } from './json-object.ts';
import { JSON_KINDS, type ManifestSegment } from './manifest.ts';
import { CompactRange, type RangeNode } from './merkle.ts';

export const MAX_LINE_BYTES = 268_435_456;
const CHAIN_LINE_BYTES = 129; // 64 hex, SP, 64 hex (the LF excluded)

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

interface ChainLine {
  leaf: Uint8Array;
  chain: Uint8Array;
}

function parseHex32(bytes: Uint8Array, at: number): Uint8Array | null {
  const out = new Uint8Array(32);
  for (let i = 0; i < 32; i++) {
    const hi = hexNibble(bytes[at + 2 * i]!);
    const lo = hexNibble(bytes[at + 2 * i + 1]!);
    if (hi < 0 || lo < 0) return null;
    out[i] = (hi << 4) | lo;
  }
  return out;
}

function parseChainLine(line: Uint8Array): ChainLine | null {
  if (line.length !== CHAIN_LINE_BYTES || line[64] !== 0x20) return null;
  const leaf = parseHex32(line, 0);
  const chain = leaf && parseHex32(line, 65);
  return leaf && chain ? { leaf, chain } : null;
}

export class SegmentChecker {
  private readonly seg: ManifestSegment;
  private readonly checkJson: boolean;
  private readonly sizes: Set<number>;
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
  private readonly pendingLeaves: Uint8Array[] = [];

  // chain side
  private chainCount = 0;
  private chainHead = new Uint8Array(CHAIN_LINE_BYTES + 1);
  private chainHeadLength = 0;
  private chainDone = false;
  private chainMissing = false;
  private readonly pendingChain: (ChainLine | null)[] = [];
  private lastChain: Uint8Array | null = null;

  // pairing
  private paired = 0;
  private previous: Uint8Array | null = null;
  private firstLink: SegmentCheckResult['firstLink'] = null;

  constructor(
    input: SegmentCheckInput,
    private readonly hashing: Hashing,
    private readonly onEntry?: EntryListener,
  ) {
    this.seg = input.segment;
    this.checkJson = input.kind !== null && JSON_KINDS.has(input.kind);
    const last = this.seg.first + this.seg.count;
    this.sizes = new Set(input.checkpointSizes.filter((s) => s > this.seg.first && s <= last));
    this.range = new CompactRange(hashing, this.seg.first);
  }

  // ---------- segment bytes ----------

  pushEntries(chunk: Uint8Array): void {
    if (this.absent) return;
    let start = 0;
    for (;;) {
      const lf = chunk.indexOf(0x0a, start);
      if (lf < 0) break;
      if (this.partialLength === 0 && this.streaming === null) {
        this.line(chunk.subarray(start, lf), true);
      } else {
        this.appendPartial(chunk.subarray(start, lf));
        this.finishPartial(true);
      }
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
    this.pendingLeaves.length = 0;
    this.pendingChain.length = 0;
    this.firstLink = null;
  }

  private appendPartial(piece: Uint8Array): void {
    if (piece.length === 0) return;
    if (this.streaming) {
      this.streaming.update(piece);
      this.partialLength += piece.length;
      return;
    }
    this.partial.push(piece.slice());
    this.partialLength += piece.length;
    if (this.partialLength > MAX_LINE_BYTES) {
      // Too long to be a valid entry: hash it as it streams rather than hold it.
      const h = this.hashing.create().update(Uint8Array.of(0));
      for (const p of this.partial) h.update(p);
      this.streaming = h;
      this.partial = [];
    }
  }

  private finishPartial(terminated: boolean): void {
    if (this.streaming) {
      this.physicalLine++;
      const leaf = this.streaming.digest();
      const length = this.partialLength;
      this.streaming = null;
      this.partialLength = 0;
      this.entry(null, length, leaf, terminated);
      return;
    }
    const bytes = new Uint8Array(this.partialLength);
    let o = 0;
    for (const p of this.partial) {
      bytes.set(p, o);
      o += p.length;
    }
    this.partial = [];
    this.partialLength = 0;
    this.line(bytes, terminated);
  }

  private line(bytes: Uint8Array, terminated: boolean): void {
    this.physicalLine++;
    if (bytes.length === 0) {
      if (terminated) {
        // An empty line is not an entry: it takes no index (so it has a line number but no index).
        // Spec §6 defines line = index - first + 1 only for entries; chosen: an empty line gets its physical line in the file.
        const line = this.physicalLine;
        this.sink.add(finding('line-malformed', `empty line (line ${line}, byte offset ${this.offset}) in ${this.seg.path}`, { file: this.seg.path, line }));
        this.offset += 1;
      }
      return;
    }
    this.entry(bytes, bytes.length, this.hashing.leaf(bytes), terminated);
  }

  private entry(bytes: Uint8Array | null, length: number, leaf: Uint8Array, terminated: boolean): void {
    const k = this.entries++;
    const index = this.seg.first + k;
    const where = { file: this.seg.path, index, line: k + 1 };
    if (!terminated) this.sink.add(finding('line-malformed', `entry ${index} (last line of ${this.seg.path}) does not end with LF`, where));
    if (length > MAX_LINE_BYTES) this.sink.add(finding('line-malformed', `entry ${index} is ${length} bytes, longer than 256 MiB`, where));
    if (this.checkJson && (bytes === null || !isUtf8JsonObject(bytes))) {
      this.sink.add(finding('entry-not-json', `entry ${index} is not a UTF-8 JSON object`, where));
    }
    if (bytes && this.onEntry) this.onEntry(index, bytes, this.offset, leaf);
    this.offset += length + (terminated ? 1 : 0);
    if (k < this.seg.count) {
      this.range.appendLeafHash(leaf);
      const size = index + 1;
      if (this.sizes.has(size)) this.snapshots.push([size, this.range.snapshot()]);
    }
    if (!this.chainMissing) {
      this.pendingLeaves.push(leaf);
      this.pair();
    }
  }

  /** Entries read whose chain line has not arrived yet (drivers read the chain file until this is 0). */
  get waitingForChain(): number {
    return this.pendingLeaves.length;
  }

  // ---------- chain bytes ----------

  pushChain(chunk: Uint8Array): void {
    let start = 0;
    for (;;) {
      const lf = chunk.indexOf(0x0a, start);
      const end = lf < 0 ? chunk.length : lf;
      this.appendChainHead(chunk, start, end);
      if (lf < 0) break;
      this.chainLine(true);
      start = lf + 1;
    }
    this.pair();
  }

  private appendChainHead(chunk: Uint8Array, start: number, end: number): void {
    // Only the first 130 bytes matter: anything longer cannot match the pattern.
    const room = this.chainHead.length - Math.min(this.chainHeadLength, this.chainHead.length);
    const take = Math.min(room, end - start);
    if (take > 0) this.chainHead.set(chunk.subarray(start, start + take), this.chainHeadLength);
    this.chainHeadLength += end - start;
  }

  private chainLine(terminated: boolean): void {
    // Spec §3: a chain line is the pattern "then LF"; without its LF it does not match.
    const parsed = terminated && this.chainHeadLength === CHAIN_LINE_BYTES ? parseChainLine(this.chainHead.subarray(0, CHAIN_LINE_BYTES)) : null;
    this.chainHeadLength = 0;
    this.chainCount++;
    // Spec §3 is ambiguous when a chain file has extra or missing lines; chosen: the next segment links to the file's literal last line.
    this.lastChain = parsed ? parsed.chain : null;
    if (!this.absent) this.pendingChain.push(parsed);
  }

  endChain(): void {
    if (this.chainHeadLength > 0) this.chainLine(false); // a last line without LF never matches the pattern
    this.chainDone = true;
    this.pair();
  }

  chainAbsent(): void {
    this.chainMissing = true;
    this.chainDone = true;
    this.pendingLeaves.length = 0;
  }

  // ---------- pairing entry k with chain line k ----------

  private pair(): void {
    const n = Math.min(this.pendingLeaves.length, this.pendingChain.length);
    for (let j = 0; j < n; j++) this.check(this.paired + j, this.pendingLeaves[j]!, this.pendingChain[j]!);
    if (n > 0) {
      this.pendingLeaves.splice(0, n);
      this.pendingChain.splice(0, n);
      this.paired += n;
    }
  }

  private check(k: number, leaf: Uint8Array, stored: ChainLine | null): void {
    const index = this.seg.first + k;
    const line = k + 1;
    if (stored === null) {
      this.sink.add(finding('line-malformed', `line ${line} of ${this.seg.chain} is not "<leaf hex> <chain hex>"`, { file: this.seg.chain, index, line }));
      this.previous = null;
      return;
    }
    if (!bytesEqual(stored.leaf, leaf)) {
      this.sink.add(finding('leaf-hash-mismatch', `entry ${index} does not hash to the leaf stored for it in ${this.seg.chain}`, { file: this.seg.path, index, line }));
    }
    if (k === 0) this.firstLink = { leaf, storedChain: stored.chain };
    else if (this.previous !== null && !bytesEqual(this.hashing.link(this.previous, leaf), stored.chain)) {
      this.sink.add(finding('chain-link-mismatch', `chain value of entry ${index} does not follow from the previous chain value and the entry's leaf`, { file: this.seg.chain, index, line }));
    }
    this.previous = stored.chain;
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
