// Single-event proofs (spec §7, C2SP tlog-proof v1): proves one entry against the smallest covering checkpoint, and checks such a proof offline.
import { bytesEqual, decodeUtf8Strict, fromBase64Strict, toBase64, toHex, utf8 } from '../../shared/core/bytes.ts';
import type { TrustPolicy } from '../../shared/core/evaluate.ts';
import type { Hashing, IncrementalHash } from '../../shared/core/hashing.ts';
import { keyIdHex, type VerifierKey } from '../../shared/core/keys.ts';
import type { ManifestSegment } from '../../shared/core/manifest.ts';
import { CompactRange, foldRoot, inclusionPath, rootFromInclusionPath } from '../../shared/core/merkle.ts';
import { cosignatureMessage, NoteError, parseCheckpointText, parseNote, splitCosignature, type Checkpoint, type Note } from '../../shared/core/note.ts';
import type { CheckpointCheck, Verdict } from '../../shared/core/report.ts';
import { MAX_LINE_BYTES } from '../../shared/core/segment-check.ts';
import { TarParser } from '../../shared/core/tar.ts';
import { openArchive, readFileChunks, tarStream, type OpenedArchive } from './archive.node.ts';
import { nodeEd25519, nodeHashing } from './crypto.node.ts';
import { gunzipStrict, GzipFormatError } from './gzip.node.ts';
import { UsageError } from './keys.node.ts';
import { openRegularFile } from './bounded-read.node.ts';
import { verifyArchive } from './verify.node.ts';

export const PROOF_HEADER = 'c2sp.org/tlog-proof@v1';

/**
 * The archive holds entry N, but no trusted checkpoint covering it can back a proof (unsigned tail,
 * untrusted or mismatching checkpoints, absent segments). A verdict about the evidence, so exit 1,
 * unlike bad arguments (UsageError, exit 2).
 */
export class CannotProveError extends Error {
  override name = 'CannotProveError';
}

/** A proof that does not parse as tlog-proof v1 (or whose checkpoint is not a valid note). */
export class ProofFormatError extends Error {
  override name = 'ProofFormatError';
}

// ---------- format ----------

export interface ParsedProof {
  index: number;
  /** Opaque and unauthenticated (tlog-proof: applications MUST NOT trust it); null when the line is absent. */
  extra: Uint8Array | null;
  hashes: Uint8Array[];
  /** The checkpoint note exactly as it appears in the proof. */
  checkpointBytes: Uint8Array;
  note: Note;
  checkpoint: Checkpoint;
}

/** No tree this tool can read needs more: sizes are below 2^53. */
const MAX_PROOF_HASHES = 64;
/** The checkpoint note is at most 1 MiB (spec §4); the lines before it are a few kilobytes at most. */
export const MAX_PROOF_BYTES = (1 << 20) + 64 * 1024;

/**
 * tlog-proof v1: the header line, an optional `extra <base64>` line, `index <decimal>`, one
 * base64 SHA-256 hash per line (leaf's sibling first, up to the root's child), an empty line,
 * then the signed checkpoint verbatim.
 */
export function formatProof(index: number, hashes: readonly Uint8Array[], checkpointNote: string, extra: Uint8Array | null = null): string {
  const lines = [PROOF_HEADER];
  if (extra !== null) lines.push(`extra ${toBase64(extra)}`);
  lines.push(`index ${index}`);
  for (const h of hashes) lines.push(toBase64(h));
  return `${lines.join('\n')}\n\n${checkpointNote}`;
}

/** Parses strictly: any deviation from tlog-proof v1, non-canonical base64, or a malformed checkpoint note throws ProofFormatError. */
export function parseProof(input: string | Uint8Array): ParsedProof {
  const size = typeof input === 'string' ? utf8(input).length : input.length;
  if (size > MAX_PROOF_BYTES) throw new ProofFormatError(`proof is ${size} bytes, more than any valid proof (${MAX_PROOF_BYTES})`);
  const text = typeof input === 'string' ? input : decodeUtf8Strict(input);
  if (text === null) throw new ProofFormatError('proof is not valid UTF-8');
  let pos = 0;
  // Each line must end with LF: the checkpoint follows, so a proof never ends inside these lines.
  const nextLine = (what: string): string => {
    const lf = text.indexOf('\n', pos);
    if (lf < 0) throw new ProofFormatError(`proof ends before ${what}`);
    const line = text.slice(pos, lf);
    pos = lf + 1;
    return line;
  };
  const header = nextLine('its header line');
  if (header !== PROOF_HEADER) throw new ProofFormatError(`first line is ${JSON.stringify(header.slice(0, 80))}, expected ${JSON.stringify(PROOF_HEADER)}`);
  let line = nextLine('the index line');
  let extra: Uint8Array | null = null;
  if (line.startsWith('extra ')) {
    extra = fromBase64Strict(line.slice('extra '.length));
    if (extra === null) throw new ProofFormatError('extra line is not canonical standard base64');
    line = nextLine('the index line');
  }
  const m = /^index (0|[1-9][0-9]*)$/.exec(line);
  if (!m) throw new ProofFormatError(`expected "index N" (decimal, no sign, no leading zero), got ${JSON.stringify(line.slice(0, 80))}`);
  const index = Number(m[1]);
  if (!Number.isSafeInteger(index)) throw new ProofFormatError(`index ${m[1]} is larger than 2^53-1`);
  const hashes: Uint8Array[] = [];
  for (;;) {
    const h = nextLine('the empty line before the checkpoint');
    if (h === '') break;
    if (hashes.length === MAX_PROOF_HASHES) throw new ProofFormatError(`more than ${MAX_PROOF_HASHES} inclusion proof hashes`);
    const raw = fromBase64Strict(h);
    if (raw === null) throw new ProofFormatError(`inclusion proof line ${hashes.length + 1} is not canonical standard base64`);
    if (raw.length !== 32) throw new ProofFormatError(`inclusion proof line ${hashes.length + 1} decodes to ${raw.length} bytes, not a 32-byte SHA-256 hash`);
    hashes.push(raw);
  }
  const checkpointBytes = utf8(text.slice(pos));
  let note: Note;
  let checkpoint: Checkpoint;
  try {
    note = parseNote(checkpointBytes);
    checkpoint = parseCheckpointText(note.text);
  } catch (e) {
    if (e instanceof NoteError) throw new ProofFormatError(`checkpoint is not valid: ${e.message}`);
    throw e;
  }
  return { index, extra, hashes, checkpointBytes, note, checkpoint };
}

// ---------- inclusion paths from streamed leaves ----------

/**
 * RFC 9162 §2.1.3 path of leaf m in a tree of n leaves, from leaves given once each. The path
 * elements are the roots of disjoint leaf ranges (RFC 6962 subtrees) that with m cover [0, n),
 * so each leaf feeds one compact range: O(n) hashing in all and O(log n) memory when the leaves
 * come in order. Leaves of separate runs (tar.gz members in any order) become pieces joined at the end.
 */
export class InclusionPathBuilder {
  /** Path ranges sorted by start; `at` is the element's position in the path. */
  private readonly ranges: { a: number; b: number; at: number }[];
  private readonly pieces = new Map<number, CompactRange[]>();
  private current: { range: number; piece: CompactRange } | null = null;
  private leafHash: Uint8Array | null = null;

  constructor(private readonly hashing: Hashing, readonly index: number, readonly size: number) {
    const ranges: { a: number; b: number; at: number }[] = [];
    inclusionPath(index, size, (a, b) => {
      ranges.push({ a, b, at: ranges.length });
      return new Uint8Array(0);
    });
    this.ranges = ranges.sort((x, y) => x.a - y.a);
  }

  /** The leaf of entry `index`, once seen. */
  get leaf(): Uint8Array | null {
    return this.leafHash;
  }

  add(i: number, leaf: Uint8Array): void {
    if (i < 0 || i >= this.size) return;
    if (i === this.index) {
      if (this.leafHash) throw new Error(`leaf ${i} given twice`);
      this.leafHash = leaf;
      this.current = null;
      return;
    }
    const cur = this.current;
    if (cur && cur.piece.end === i && i < this.ranges[cur.range]!.b) {
      cur.piece.appendLeafHash(leaf);
      return;
    }
    const r = this.rangeOf(i);
    const piece = new CompactRange(this.hashing, i);
    piece.appendLeafHash(leaf);
    const list = this.pieces.get(r) ?? [];
    list.push(piece);
    this.pieces.set(r, list);
    this.current = { range: r, piece };
  }

  private rangeOf(i: number): number {
    let lo = 0;
    let hi = this.ranges.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.ranges[mid]!.a <= i) lo = mid;
      else hi = mid - 1;
    }
    const r = this.ranges[lo]!;
    if (i < r.a || i >= r.b) throw new Error(`leaf ${i} is in no path range`);
    return lo;
  }

  /** The path, leaf's sibling first; throws when a leaf is missing or was given twice. */
  path(): Uint8Array[] {
    if (!this.leafHash) throw new Error(`leaf ${this.index} was not given`);
    const out: Uint8Array[] = new Array(this.ranges.length);
    this.ranges.forEach((r, k) => {
      const joined = new CompactRange(this.hashing, r.a);
      for (const p of (this.pieces.get(k) ?? []).sort((x, y) => x.begin - y.begin)) {
        if (p.begin !== joined.end) throw new Error(`leaves ${Math.min(p.begin, joined.end)}.. of range [${r.a}, ${r.b}) are missing or repeated`);
        joined.appendRange(p.snapshot());
      }
      if (joined.end !== r.b) throw new Error(`leaves ${joined.end}..${r.b - 1} were not given`);
      // [a, b) is an RFC 6962 subtree (a is aligned to a power of two ≥ b − a), so folding its compact range gives its MTH.
      out[r.at] = foldRoot(this.hashing, joined.snapshot());
    });
    return out;
  }
}

// ---------- re-reading entries ----------

/**
 * Splits a segment's content into entries exactly as spec §2 (and the verifier) does: on LF only, empty lines
 * are not entries, an unterminated last line is one, a line over 256 MiB is hashed as it streams.
 */
class EntrySplitter {
  private k = 0;
  private parts: Uint8Array[] = [];
  private length = 0;
  private streaming: IncrementalHash | null = null;

  constructor(
    private readonly seg: ManifestSegment,
    /** Entries of this segment that are leaves of the tree being proved. */
    private readonly wanted: number,
    private readonly hashing: Hashing,
    private readonly onEntry: (index: number, leaf: Uint8Array, bytes: Uint8Array | null) => void,
  ) {}

  get done(): boolean {
    return this.k >= this.wanted;
  }

  push(chunk: Uint8Array): void {
    let start = 0;
    while (!this.done) {
      const lf = chunk.indexOf(0x0a, start);
      if (lf < 0) break;
      if (this.length === 0 && this.streaming === null) this.entry(chunk.subarray(start, lf));
      else {
        this.append(chunk.subarray(start, lf));
        this.flush();
      }
      start = lf + 1;
    }
    if (!this.done && start < chunk.length) this.append(chunk.subarray(start));
  }

  end(): void {
    if (!this.done && (this.length > 0 || this.streaming)) this.flush();
  }

  private append(piece: Uint8Array): void {
    if (piece.length === 0) return;
    this.length += piece.length;
    if (this.streaming) {
      this.streaming.update(piece);
      return;
    }
    this.parts.push(piece.slice());
    if (this.length > MAX_LINE_BYTES) {
      this.streaming = this.hashing.create().update(Uint8Array.of(0));
      for (const p of this.parts) this.streaming.update(p);
      this.parts = [];
    }
  }

  private flush(): void {
    if (this.streaming) {
      const leaf = this.streaming.digest();
      this.streaming = null;
      this.length = 0;
      this.onEntry(this.seg.first + this.k++, leaf, null);
      return;
    }
    const bytes = new Uint8Array(this.length);
    let o = 0;
    for (const p of this.parts) {
      bytes.set(p, o);
      o += p.length;
    }
    this.parts = [];
    this.length = 0;
    this.entry(bytes);
  }

  private entry(bytes: Uint8Array): void {
    if (bytes.length === 0) return; // an empty line is not an entry and takes no index
    this.onEntry(this.seg.first + this.k++, this.hashing.leaf(bytes), bytes);
  }
}

/** Feeds the leaves of entries [0, size) to `onEntry`, re-reading (and gunzipping) the segments that hold them. */
/**
 * `pause`, when given, is awaited after each decoded chunk when it returns a promise: a consumer that
 * writes what onEntry hands it (an excerpt into gzip) holds the reading back instead of buffering.
 */
export async function readLeaves(opened: OpenedArchive, segments: readonly ManifestSegment[], size: number, onEntry: (index: number, leaf: Uint8Array, bytes: Uint8Array | null) => void, pause?: () => Promise<void> | null): Promise<void> {
  const needed = segments.filter((s) => s.first < size);
  const splitters = new Map(needed.map((s) => [s, new EntrySplitter(s, Math.min(s.count, size - s.first), nodeHashing, onEntry)]));
  const absent = (s: ManifestSegment, why: string) => new CannotProveError(`segment ${s.path} ${why} on re-reading`);
  if (opened.kind !== 'tar.gz') {
    for (const [s, splitter] of splitters) {
      const file = opened.files.get(s.path);
      if (!file) throw absent(s, 'is absent');
      const raw = readFileChunks(file);
      try {
        for await (const chunk of s.gzip ? gunzipStrict(raw, 'none') : raw) {
          splitter.push(chunk);
          await pause?.();
          if (splitter.done) break; // the rest of the segment is beyond the proved tree
        }
      } catch (e) {
        if (e instanceof GzipFormatError) throw absent(s, `does not decode (${e.message})`);
        throw e;
      }
      splitter.end();
    }
  } else {
    // Members are reachable only by streaming the container; a .gz segment is gathered, then decoded.
    const prefix = opened.root ? `${opened.root}/` : '';
    const byPath = new Map(needed.map((s) => [`${prefix}${s.path}`, s]));
    const gathered = new Map<ManifestSegment, Uint8Array[]>();
    const pendingGz: ManifestSegment[] = [];
    const parser = new TarParser({
      member(m) {
        const s = m.kind === 'file' ? byPath.get(m.path) : undefined;
        if (s?.gzip) gathered.set(s, []);
      },
      data(m, chunk) {
        const s = m.kind === 'file' ? byPath.get(m.path) : undefined;
        if (!s) return;
        if (s.gzip) gathered.get(s)!.push(chunk.slice());
        else if (!splitters.get(s)!.done) splitters.get(s)!.push(chunk);
      },
      memberEnd(m) {
        const s = m.kind === 'file' ? byPath.get(m.path) : undefined;
        if (!s) return;
        if (s.gzip) pendingGz.push(s);
        else splitters.get(s)!.end();
      },
    });
    const decodePending = async () => {
      for (const s of pendingGz.splice(0)) {
        const parts = gathered.get(s)!;
        gathered.delete(s);
        const splitter = splitters.get(s)!;
        try {
          for await (const chunk of gunzipStrict((async function* () { yield* parts; })(), 'none')) {
            splitter.push(chunk);
            await pause?.();
            if (splitter.done) break;
          }
        } catch (e) {
          if (e instanceof GzipFormatError) throw absent(s, `does not decode (${e.message})`);
          throw e;
        }
        splitter.end();
      }
    };
    for await (const chunk of tarStream(opened.path, 'tar.gz')) {
      parser.push(chunk);
      await pause?.();
      await decodePending();
      if ([...splitters.values()].every((sp) => sp.done)) break;
    }
    await decodePending();
  }
  for (const [s, splitter] of splitters) if (!splitter.done) throw absent(s, 'holds fewer entries than before');
}

// ---------- proving ----------

export interface ProveResult {
  /** The tlog-proof text. */
  proof: string;
  /** Archive-relative path of the checkpoint the proof is against. */
  checkpoint: string;
  /** The entry's bytes exactly as sealed (no LF). */
  entry: Uint8Array;
  index: number;
  size: number;
  origin: string;
  hashes: Uint8Array[];
  cosignatures: { name: string; time: bigint }[];
  /** The archive's verdict under the same policy (a proof only needs its entry covered). */
  verdict: Verdict;
}

/**
 * Verifies the archive under `policy`, then proves entry `index` against the smallest checkpoint that
 * covers it (size > index), using that checkpoint file's exact bytes, cosignatures included. The path
 * comes from leaves recomputed from the re-read segments, never from stored hashes; the finished proof
 * is checked with verifyProof under the same policy before it is returned, so an archive that changed
 * between the two reads is refused rather than proved.
 */
export async function proveEntry(archivePath: string, index: number, policy: TrustPolicy): Promise<ProveResult> {
  if (!Number.isSafeInteger(index) || index < 0) throw new UsageError(`prove: --index must be a non-negative integer, got ${index}`);
  const report = await verifyArchive(archivePath, { policy, anchors: [] });
  if (!report.manifest) {
    const why = report.findings.find((f) => f.severity === 'error');
    throw new CannotProveError(`the archive cannot be read${why ? ` (${why.code}: ${why.message})` : ''}`);
  }
  if (index >= report.entries) {
    throw new UsageError(`prove: there is no entry ${index}: the archive has ${report.entries} entr${report.entries === 1 ? 'y' : 'ies'}${report.entries ? ` (0..${report.entries - 1})` : ''}`);
  }
  const covering = report.checkpointChecks
    .filter((c): c is CheckpointCheck & { size: number } => c.covers && !c.anchor && c.size !== null && c.size > index)
    .sort((a, b) => a.size - b.size)[0];
  if (!covering) {
    const whyNot = report.coveredEntries > 0
      ? `it is in the unsigned tail: trusted checkpoints cover entries 0..${report.coveredEntries - 1} of ${report.entries}`
      : `no checkpoint of the archive is covered under the given trust policy (${report.checkpoints.total} checkpoint${report.checkpoints.total === 1 ? '' : 's'}, ${report.checkpoints.trusted} trusted)`;
    throw new CannotProveError(`entry ${index} is not covered by a trusted checkpoint: ${whyNot}`);
  }
  const size = covering.size;

  const opened = await openArchive(archivePath);
  if (opened.fatal.length) throw new CannotProveError(`the archive changed while proving: ${opened.fatal[0]!.message}`);
  const ckptBytes = opened.small.get(covering.path);
  const ckptText = ckptBytes && decodeUtf8Strict(ckptBytes);
  if (!ckptText) throw new CannotProveError(`${covering.path} is absent or unreadable on re-reading`);

  const builder = new InclusionPathBuilder(nodeHashing, index, size);
  const target: { bytes: Uint8Array | null; tooLong: boolean } = { bytes: null, tooLong: false };
  await readLeaves(opened, report.manifest.segments, size, (i, leaf, bytes) => {
    builder.add(i, leaf);
    if (i === index) {
      if (bytes) target.bytes = bytes.slice();
      else target.tooLong = true;
    }
  });
  if (target.tooLong) throw new CannotProveError(`entry ${index} is longer than 256 MiB (line-malformed); not handing it over as a proof`);
  const entry = target.bytes;
  if (!entry) throw new CannotProveError(`entry ${index} was not found on re-reading`);
  let hashes: Uint8Array[];
  try {
    hashes = builder.path();
  } catch (e) {
    throw new CannotProveError(`the archive changed while proving: ${(e as Error).message}`);
  }
  const proof = formatProof(index, hashes, ckptText);
  const check = verifyProof(proof, entry, policy);
  if (!check.proven || check.size !== size || check.index !== index) {
    throw new CannotProveError(`the archive changed while proving: the proof against ${covering.path} does not verify (${check.reason})`);
  }
  return { proof, checkpoint: covering.path, entry, index, size, origin: check.origin!, hashes, cosignatures: check.cosignatures, verdict: report.verdict };
}

// ---------- verifying ----------

/** What verifyProof needs of an entry: its length, whether it holds an LF, and its RFC 6962 leaf hash. */
export interface EntryDigest {
  length: number;
  hasLineFeed: boolean;
  leaf: Uint8Array;
}

export function entryDigest(bytes: Uint8Array, hashing: Hashing = nodeHashing): EntryDigest {
  return { length: bytes.length, hasLineFeed: bytes.includes(0x0a), leaf: hashing.leaf(bytes) };
}

/**
 * An entry file handed over with a proof (`verify-proof --entry`), hashed as it streams: an entry may
 * be up to 256 MiB, and nothing needs it whole. One trailing LF is how a line is saved, so only that one
 * is dropped; any other LF stays in the bytes (and no entry holds one). 'too-long' when the file holds
 * more than a line can (MAX_LINE_BYTES and its LF): reading stops there.
 */
export async function digestEntryFile(path: string, hashing: Hashing = nodeHashing): Promise<EntryDigest | 'too-long'> {
  const { fh } = await openRegularFile(path, 'entry file');
  const h = hashing.create().update(Uint8Array.of(0));
  const buf = Buffer.allocUnsafe(1 << 20);
  let total = 0;
  let hasLineFeed = false;
  let held = -1; // the last byte read, hashed only once it is known not to be the final LF
  try {
    for (;;) {
      const { bytesRead } = await fh.read(buf, 0, buf.length, null);
      if (bytesRead === 0) break;
      total += bytesRead;
      if (total > MAX_LINE_BYTES + 1) return 'too-long';
      if (held >= 0) {
        h.update(Uint8Array.of(held));
        if (held === 0x0a) hasLineFeed = true;
      }
      const body = buf.subarray(0, bytesRead - 1);
      h.update(body);
      if (body.includes(0x0a)) hasLineFeed = true;
      held = buf[bytesRead - 1]!;
    }
  } finally {
    await fh.close();
  }
  if (held >= 0 && held !== 0x0a) h.update(Uint8Array.of(held));
  return { length: held === 0x0a ? total - 1 : total, hasLineFeed, leaf: h.digest() };
}

export interface ProofPolicy {
  logKeys: readonly VerifierKey[];
  witnessKeys: readonly VerifierKey[];
  /** Valid cosignatures from this many distinct witness keys are required (0: none). */
  quorum: number;
  /** Pins the origin when set (like verify --origin). */
  origin?: string | null;
}

export interface ProofVerdict {
  proven: boolean;
  /** Why not proven, or what was proven. */
  reason: string;
  /** From the proof and its checkpoint, as far as they parsed. */
  index: number | null;
  size: number | null;
  origin: string | null;
  root: string | null;
  /** Valid cosignatures of configured witness keys (times are the cosigners' signed claims, unix seconds). */
  cosignatures: { name: string; time: bigint }[];
}

/**
 * Checks a tlog-proof for the given entry bytes, offline: strict parsing; a valid signature from a trusted log key
 * whose name is the origin; no known key's signature failing (as for a covering checkpoint, spec §6); the witness
 * quorum; and the root recomputed from SHA-256(0x00 || entry) and the path (RFC 9162 §2.1.3.2) equal to the
 * checkpoint's, byte for byte.
 */
/**
 * The last few (key, message, signature) triples that verified. An excerpt's million proofs carry one
 * checkpoint note; Ed25519 verification is a pure function of these exact bytes, so a repeat is
 * answered from here (a byte comparison) instead of a curve operation, with the same result.
 */
const verifiedSignatures: { key: Uint8Array; message: Uint8Array; signature: Uint8Array }[] = [];

function ed25519Verifies(key: Uint8Array, message: Uint8Array, signature: Uint8Array): boolean {
  for (const v of verifiedSignatures) if (bytesEqual(v.signature, signature) && bytesEqual(v.key, key) && bytesEqual(v.message, message)) return true;
  if (!nodeEd25519.verify(key, message, signature)) return false;
  verifiedSignatures.unshift({ key: key.slice(), message: message.slice(), signature: signature.slice() });
  verifiedSignatures.length = Math.min(verifiedSignatures.length, 8);
  return true;
}

export function verifyProof(proofText: string | Uint8Array, entryBytes: Uint8Array | EntryDigest, policy: ProofPolicy, hashing: Hashing = nodeHashing): ProofVerdict {
  const entry = entryBytes instanceof Uint8Array ? entryDigest(entryBytes, hashing) : entryBytes;
  const out: ProofVerdict = { proven: false, reason: '', index: null, size: null, origin: null, root: null, cosignatures: [] };
  const fail = (reason: string): ProofVerdict => ({ ...out, proven: false, reason });
  let p: ParsedProof;
  try {
    p = parseProof(proofText);
  } catch (e) {
    if (e instanceof ProofFormatError) return fail(`malformed proof: ${e.message}`);
    throw e;
  }
  const { checkpoint, note } = p;
  out.index = p.index;
  out.size = checkpoint.size;
  out.origin = checkpoint.origin;
  out.root = toBase64(checkpoint.root);

  // Known keys are matched on name AND key ID; the configured key's role decides the algorithm (spec §4).
  let trusted = false;
  const witnesses = new Set<string>();
  for (const sig of note.signatures) {
    const who = `${sig.name}+${keyIdHex(sig.keyId)} (line ${sig.line})`;
    const logKey = policy.logKeys.find((k) => k.name === sig.name && k.keyId === sig.keyId);
    const witnessKey = policy.witnessKeys.find((k) => k.name === sig.name && k.keyId === sig.keyId);
    if (logKey) {
      if (!(sig.signature.length === 64 && ed25519Verifies(logKey.publicKey, note.textBytes, sig.signature))) return fail(`checkpoint signature by ${who} does not verify`);
      if (logKey.name === checkpoint.origin) trusted = true;
    } else if (witnessKey) {
      const parts = splitCosignature(sig.signature);
      if (!(parts && ed25519Verifies(witnessKey.publicKey, cosignatureMessage(parts.time, note.text), parts.signature))) return fail(`cosignature by ${who} does not verify`);
      out.cosignatures.push({ name: witnessKey.name, time: parts.time });
      witnesses.add(toHex(witnessKey.publicKey));
    }
  }
  if (!trusted) {
    const names = note.signatures.map((s) => `${s.name}+${keyIdHex(s.keyId)}`).join(', ');
    return fail(`no valid signature from a trusted log key named ${JSON.stringify(checkpoint.origin)} (signed by: ${names})`);
  }
  if (policy.origin != null && checkpoint.origin !== policy.origin) return fail(`origin is ${JSON.stringify(checkpoint.origin)}, expected ${JSON.stringify(policy.origin)}`);
  if (policy.quorum > 0 && witnesses.size < policy.quorum) {
    return fail(`witness quorum not met: ${witnesses.size} valid witness cosignature${witnesses.size === 1 ? '' : 's'}, quorum is ${policy.quorum}`);
  }

  if (entry.length === 0) return fail('the entry is empty; an empty line is never an entry (spec §2)');
  if (entry.hasLineFeed) return fail('the entry contains a line feed; an entry never does (spec §2), so it cannot be in the log');
  if (!Number.isSafeInteger(checkpoint.size)) return fail(`tree size ${checkpoint.sizeText} is larger than 2^53-1`);
  if (p.index >= checkpoint.size) return fail(`index ${p.index} is not in a tree of size ${checkpoint.size}`);
  const expected = inclusionPath(p.index, checkpoint.size, () => new Uint8Array(0)).length;
  if (p.hashes.length !== expected) {
    return fail(`inclusion proof has ${p.hashes.length} hash${p.hashes.length === 1 ? '' : 'es'}; entry ${p.index} of a tree of size ${checkpoint.size} needs ${expected}`);
  }
  const root = rootFromInclusionPath(hashing, p.index, checkpoint.size, entry.leaf, p.hashes);
  if (!root) return fail('inclusion proof does not fit the index and tree size');
  if (!bytesEqual(root, checkpoint.root)) {
    return fail(`root mismatch: the entry and inclusion proof give ${toBase64(root)}, the checkpoint's root is ${out.root}`);
  }
  return { ...out, proven: true, reason: `entry ${p.index} is in ${checkpoint.origin} at tree size ${checkpoint.size}, signed by a trusted log key${out.cosignatures.length ? ` and cosigned by ${out.cosignatures.length} witness key${out.cosignatures.length === 1 ? '' : 's'}` : ''}` };
}
