// Evidence excerpts (docs/excerpt-format.md): chosen entries of an archive, each with a C2SP tlog-proof against one checkpoint, sensitive ones withheld by leaf hash; and their offline check.
import { createWriteStream, mkdirSync, writeFileSync } from 'node:fs';
import { lstat, mkdir, mkdtemp, open, opendir, rename, rm, stat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { createGzip } from 'node:zlib';
import { bytesEqual, decodeUtf8Strict, fromBase64Strict, toBase64 } from '../../shared/core/bytes.ts';
import type { TrustPolicy } from '../../shared/core/evaluate.ts';
import { inclusionPath, rootFromInclusionPath } from '../../shared/core/merkle.ts';
import { NoteError, parseCheckpointText, parseNote, MAX_NOTE_BYTES } from '../../shared/core/note.ts';
import type { CheckpointCheck } from '../../shared/core/report.ts';
import { MAX_LINE_BYTES } from '../../shared/core/segment-check.ts';
import { detectSensitive, redactedView, type SensitiveFinding } from '../../shared/core/sensitive.ts';
import { TarFormatError, TarParser, tarEnd, tarFileHeader, tarPadding } from '../../shared/core/tar.ts';
import { openArchive, tarStream } from './archive.node.ts';
import { InputFileError, openRegularFile, readBoundedFile } from './bounded-read.node.ts';
import { nodeHashing } from './crypto.node.ts';
import { GzipFormatError, isGzip } from './gzip.node.ts';
import { UsageError } from './keys.node.ts';
import { CannotProveError, digestEntryFile, entryDigest, formatProof, MAX_PROOF_BYTES, parseProof, readLeaves, verifyProof, type EntryDigest, type ProofVerdict } from './proof.node.ts';
import { TOOL_VERSION } from './runtime.node.ts';
import { verifyArchive } from './verify.node.ts';

export const EXCERPT_FORMAT = 'sealcheck-excerpt';
export const EXCERPT_VERSION = 1;
const REDACTED_LIMIT = 1 << 20;
/** About two million items (one line of ~120 bytes each): far above any excerpt worth handing over, still bounded. */
export const EXCERPT_MANIFEST_LIMIT = 256 << 20;

// ---------- the manifest ----------

export type ExcerptSelection =
  | { kind: 'indices'; list: string }
  | { kind: 'query'; database: string; filter: Record<string, string | number> }
  | { kind: 'window'; from: string; to: string; database: string };

export interface WithheldReason {
  /** A rule of shared/core/sensitive.ts, or 'examiner' for an index the examiner chose to withhold. */
  rule: string;
  detail: string;
}

export interface ExcerptItem {
  index: number;
  leaf: string;
  status: 'disclosed' | 'withheld';
  length?: number;
  reasons?: WithheldReason[];
  redacted?: boolean;
}

export interface IndexRange {
  first: number;
  last: number;
}

export interface ExcerptManifest {
  format: typeof EXCERPT_FORMAT;
  version: typeof EXCERPT_VERSION;
  created: string;
  producer: { name: string; version: string };
  origin: string;
  checkpoint: { path: 'checkpoint'; size: number; root: string; source: string };
  source: { name: string; digest: { algorithm: 'sha256'; of: 'file' | 'tree'; value: string }; entries: number };
  selection: ExcerptSelection;
  complete: IndexRange[];
  items: ExcerptItem[];
}

const pad12 = (n: number) => String(n).padStart(12, '0');
export const itemPath = (index: number, ext: 'entry' | 'tlog-proof' | 'redacted.json'): string => `items/${pad12(index)}.${ext}`;

/** "5,7,10-20" → sorted distinct indices; throws UsageError naming the bad part. */
export function parseIndexList(text: string, what = '--index'): number[] {
  const out = new Set<number>();
  for (const part of text.split(',')) {
    const m = /^(0|[1-9][0-9]*)(?:-(0|[1-9][0-9]*))?$/.exec(part.trim());
    if (!m) throw new UsageError(`${what}: ${JSON.stringify(part)} is not an index or a range a-b`);
    const a = Number(m[1]);
    const b = m[2] === undefined ? a : Number(m[2]);
    if (!Number.isSafeInteger(a) || !Number.isSafeInteger(b)) throw new UsageError(`${what}: ${JSON.stringify(part)} is too large`);
    if (b < a) throw new UsageError(`${what}: range ${JSON.stringify(part)} ends before it starts`);
    if (b - a + out.size > 10_000_000) throw new UsageError(`${what}: more than 10,000,000 indices`);
    for (let i = a; i <= b; i++) out.add(i);
  }
  return [...out].sort((x, y) => x - y);
}

// ---------- making an excerpt ----------

export interface ExcerptRequest {
  archive: string;
  /** A directory that does not exist yet, or a path ending in .tar.gz / .tgz. */
  out: string;
  policy: TrustPolicy;
  /** The entries to include, sorted ascending and distinct (every index of each `complete` range among them). */
  indices: readonly number[];
  complete: readonly IndexRange[];
  selection: ExcerptSelection;
  /** Indices the examiner withholds, with the reason given. */
  withhold?: ReadonlyMap<number, string>;
  withholdSensitive?: boolean;
  now?: () => Date;
}

export interface ExcerptResult {
  out: string;
  container: 'directory' | 'tar.gz';
  manifest: ExcerptManifest;
  /** Number of items (the manifest's list is made only when read). */
  items: number;
  disclosed: number;
  withheld: number;
  /** Withheld items per rule (an item may count under several). */
  byRule: Record<string, number>;
  /** Archive's verdict under the policy (the excerpt only needs its items covered). */
  verdict: string;
}

export function excerptContainer(out: string): 'directory' | 'tar.gz' {
  if (/\.(tar\.gz|tgz)$/i.test(out)) return 'tar.gz';
  if (/\.(tar|gz|zip)$/i.test(out)) throw new UsageError(`excerpt: --out ${out}: an excerpt is a directory or a .tar.gz / .tgz file`);
  return 'directory';
}

/**
 * RFC 6962 subtree roots of [0, size) from all its leaves: the perfect, aligned subtrees are kept
 * level by level (2·size hashes in all), so the paths of any number of items cost one pass of hashing
 * rather than one per item. Ragged right edges are folded from them on demand.
 */
class SubtreeCache {
  private readonly levels: Uint8Array[] = [];
  constructor(leaves: Uint8Array, private readonly size: number) {
    this.levels.push(leaves);
    // 0x01 ‖ left ‖ right in one reused buffer: a million nodes without a million allocations.
    const pair = new Uint8Array(65);
    pair[0] = 0x01;
    for (let k = 1; 2 ** k <= size; k++) {
      const below = this.levels[k - 1]!;
      const count = Math.floor(size / 2 ** k);
      const level = new Uint8Array(count * 32);
      for (let j = 0; j < count; j++) {
        pair.set(below.subarray(64 * j, 64 * j + 64), 1);
        nodeHashing.sha256Into(pair, level, 32 * j);
      }
      this.levels.push(level);
    }
  }

  /** Ragged subtrees end at the tree's right edge: a few dozen of them, asked for by nearly every path. */
  private readonly ragged = new Map<number, Uint8Array>();

  root(a: number, b: number): Uint8Array {
    const n = b - a;
    const k = Math.log2(n);
    if (Number.isInteger(k) && a % n === 0) return this.levels[k]!.slice((a / n) * 32, (a / n) * 32 + 32);
    const known = b === this.size ? this.ragged.get(a) : undefined;
    if (known) return known;
    let split = 1;
    while (split * 2 < n) split *= 2;
    const r = nodeHashing.node(this.root(a, a + split), this.root(a + split, b));
    if (b === this.size) this.ragged.set(a, r);
    return r;
  }
}

/** Position of `index` in the sorted `indices`, or -1. */
function positionOf(indices: readonly number[], index: number): number {
  let lo = 0;
  let hi = indices.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const v = indices[mid]!;
    if (v === index) return mid;
    if (v < index) lo = mid + 1;
    else hi = mid - 1;
  }
  return -1;
}

/** Where the excerpt's files go, in the order of the format's tar layout: straight into gzip, or into a folder. */
interface ExcerptSink {
  put(rel: string, data: Uint8Array): void;
  /** A file whose bytes come in pieces (the manifest), of a length known beforehand. */
  putPieces(rel: string, length: number, pieces: Iterable<Uint8Array>): Promise<void>;
  /** A promise while the output is behind: the reader waits on it instead of buffering. */
  pause(): Promise<void> | null;
  finish(): Promise<void>;
}

function directorySink(dir: string): ExcerptSink {
  mkdirSync(join(dir, 'items'));
  return {
    put: (rel, data) => writeFileSync(join(dir, rel), data),
    async putPieces(rel, _length, pieces) {
      const fh = await open(join(dir, rel), 'wx');
      try {
        for (const p of pieces) await fh.write(p);
      } finally {
        await fh.close();
      }
    },
    pause: () => null,
    finish: async () => {},
  };
}

/**
 * The tar stream goes to zlib in blocks of about 1 MiB (two million small members would otherwise cost
 * a deflate call each); the block boundaries are the staging writer's, so the output is byte for byte
 * the same.
 */
function tarGzSink(out: string, mtime: number): ExcerptSink {
  const gz = createGzip({ level: 6 });
  const file = createWriteStream(out, { flags: 'wx' });
  let failed: Error | null = null;
  const done = new Promise<void>((resolve, reject) => {
    file.on('finish', resolve);
    file.on('error', reject);
    gz.on('error', reject);
  });
  done.catch((e: Error) => {
    failed = e;
  });
  gz.pipe(file);
  let block: Uint8Array[] = [];
  let blockBytes = 0;
  let total = 0;
  let behind: Promise<void> | null = null;
  const flush = () => {
    if (failed) throw failed;
    if (blockBytes === 0) return;
    const b = Buffer.concat(block, blockBytes);
    block = [];
    blockBytes = 0;
    if (!gz.write(b) && !behind) behind = new Promise<void>((r) => gz.once('drain', () => {
      behind = null;
      r();
    }));
  };
  // Entry bytes are views into the reader's chunks, which it may reuse: a block keeps its own copy.
  const write = (b: Uint8Array, copy: boolean) => {
    block.push(copy ? Uint8Array.prototype.slice.call(b) : b);
    blockBytes += b.length;
    if (blockBytes >= 1 << 20) flush();
  };
  return {
    put(rel, data) {
      const header = tarFileHeader(rel, data.length, mtime);
      const padding = tarPadding(data.length);
      write(header, false);
      write(data, true);
      write(padding, false);
      total += header.length + data.length + padding.length;
    },
    async putPieces(rel, length, pieces) {
      const header = tarFileHeader(rel, length, mtime);
      write(header, false);
      let n = 0;
      for (const p of pieces) {
        write(p, false);
        n += p.length;
        await behind;
      }
      if (n !== length) throw new Error(`excerpt: ${rel} came out ${n} bytes long, ${length} were announced`);
      const padding = tarPadding(length);
      write(padding, false);
      total += header.length + length + padding.length;
    },
    pause: () => behind,
    async finish() {
      write(tarEnd(total), false);
      flush();
      gz.end();
      await done;
    },
  };
}

/** What the first pass learnt of a withheld item. */
interface Withheld {
  reasons: WithheldReason[];
  redacted: boolean;
}

/**
 * Verifies the archive under the policy, picks the smallest trusted checkpoint covering every item,
 * and reads the archive twice: once for every leaf of the checkpoint's tree (and to judge each wanted
 * entry), then, the manifest written first as the layout wants, once more over the wanted range,
 * writing each item's tlog-proof and bytes straight into the output in index order. Memory holds the
 * tree (32 bytes a leaf, twice) and a few bytes an item, never the items themselves; each re-read
 * entry must hash to the leaf of the first pass.
 */
export async function createExcerpt(req: ExcerptRequest): Promise<ExcerptResult> {
  const container = excerptContainer(req.out);
  const indices = req.indices;
  if (indices.length === 0) throw new UsageError('excerpt: the selection holds no entries; an excerpt needs at least one');
  for (let k = 1; k < indices.length; k++) if (!(indices[k]! > indices[k - 1]!)) throw new Error('excerpt indices must be sorted and distinct');
  try {
    await lstat(req.out);
    throw new UsageError(`excerpt: ${req.out} already exists; not overwriting it`);
  } catch (e) {
    if (!(e as NodeJS.ErrnoException).code || (e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
  }
  const report = await verifyArchive(req.archive, { policy: req.policy, anchors: [] });
  if (!report.manifest) {
    const why = report.findings.find((f) => f.severity === 'error');
    throw new CannotProveError(`the archive cannot be read${why ? ` (${why.code}: ${why.message})` : ''}`);
  }
  const first = indices[0]!;
  const last = indices[indices.length - 1]!;
  if (last >= report.entries) throw new UsageError(`excerpt: there is no entry ${last}: the archive has ${report.entries} entries`);
  const covering = report.checkpointChecks
    .filter((c): c is CheckpointCheck & { size: number } => c.covers && !c.anchor && c.size !== null && c.size > last)
    .sort((a, b) => a.size - b.size)[0];
  if (!covering) {
    throw new CannotProveError(`entry ${last} is not covered by a trusted checkpoint: trusted checkpoints cover entries ${report.coveredEntries ? `0..${report.coveredEntries - 1}` : 'none'} of ${report.entries}`);
  }
  const size = covering.size;
  const opened = await openArchive(req.archive);
  if (opened.fatal.length) throw new CannotProveError(`the archive changed while excerpting: ${opened.fatal[0]!.message}`);
  const ckptBytes = opened.small.get(covering.path);
  const ckptText = ckptBytes && decodeUtf8Strict(ckptBytes);
  if (!ckptBytes || !ckptText) throw new CannotProveError(`${covering.path} is absent or unreadable on re-reading`);

  // First pass: every leaf of the tree, and each wanted entry judged (its length, or why it is withheld).
  const leaves = new Uint8Array(size * 32);
  const seen = new Uint8Array(size);
  const lengths = new Float64Array(indices.length);
  const withheld = new Map<number, Withheld>();
  const byRule: Record<string, number> = {};
  await readLeaves(opened, report.manifest.segments, size, (i, leaf, bytes) => {
    leaves.set(leaf, i * 32);
    seen[i] = 1;
    if (i < first || i > last) return;
    const k = positionOf(indices, i);
    if (k < 0) return;
    const reasons: WithheldReason[] = [];
    const examiner = req.withhold?.get(i);
    if (examiner !== undefined) reasons.push({ rule: 'examiner', detail: examiner });
    const sensitive: SensitiveFinding[] = req.withholdSensitive && bytes ? detectSensitive(bytes) : [];
    reasons.push(...sensitive);
    if (bytes === null && reasons.length === 0) throw new CannotProveError(`entry ${i} is longer than 256 MiB (line-malformed); withhold it (--withhold ${i}) or leave it out`);
    if (reasons.length === 0) {
      lengths[k] = bytes!.length;
      return;
    }
    const redacted = bytes !== null && sensitive.length > 0 && redactedView(bytes, sensitive) !== null;
    withheld.set(i, { reasons, redacted });
    for (const r of new Set(reasons.map((x) => x.rule))) byRule[r] = (byRule[r] ?? 0) + 1;
  });
  const missing = seen.indexOf(0);
  if (missing >= 0) throw new CannotProveError(`the archive changed while excerpting: entry ${missing} was not found on re-reading`);
  const tree = new SubtreeCache(leaves, size);
  const checkpointRoot = parseCheckpointText(parseNote(ckptBytes).text).root;
  // The items keep their own leaves: the tree is let go once the excerpt is written.
  const itemLeaves = new Uint8Array(indices.length * 32);
  for (let k = 0; k < indices.length; k++) itemLeaves.set(leaves.subarray(indices[k]! * 32, indices[k]! * 32 + 32), k * 32);
  const itemAt = (k: number): ExcerptItem => {
    const index = indices[k]!;
    const item: ExcerptItem = { index, leaf: toBase64(itemLeaves.subarray(k * 32, k * 32 + 32)), status: withheld.has(index) ? 'withheld' : 'disclosed' };
    const w = withheld.get(index);
    if (!w) item.length = lengths[k]!;
    else {
      item.reasons = w.reasons;
      item.redacted = w.redacted;
    }
    return item;
  };

  const head: Omit<ExcerptManifest, 'items'> = {
    format: EXCERPT_FORMAT,
    version: EXCERPT_VERSION,
    created: (req.now ?? (() => new Date()))().toISOString(),
    producer: { name: 'sealcheck', version: TOOL_VERSION },
    origin: report.origin!,
    checkpoint: { path: 'checkpoint', size, root: covering.root ?? toBase64(tree.root(0, size)), source: covering.path },
    source: { name: basename(req.archive), digest: { algorithm: 'sha256', of: report.container === 'directory' ? 'tree' : 'file', value: report.archive.sha256 }, entries: report.entries },
    selection: req.selection,
    complete: [...req.complete],
  };
  const manifestLength = [...manifestPieces(head, indices.length, itemAt)].reduce((n, p) => n + p.length, 0);
  if (manifestLength > EXCERPT_MANIFEST_LIMIT) throw new UsageError(`excerpt: the manifest of ${indices.length} items would be ${manifestLength} bytes, above the format's ${EXCERPT_MANIFEST_LIMIT}; make smaller excerpts`);

  const staging = await mkdtemp(join(dirname(req.out), `.${basename(req.out)}.excerpting-`));
  try {
    const tmp = container === 'directory' ? join(staging, 'excerpt') : join(staging, '.excerpt.tar.gz');
    if (container === 'directory') await mkdir(tmp);
    const sink = container === 'directory' ? directorySink(tmp) : tarGzSink(tmp, Math.floor(new Date(head.created).getTime() / 1000));
    await sink.putPieces('manifest.json', manifestLength, manifestPieces(head, indices.length, itemAt));
    sink.put('checkpoint', ckptBytes);

    // Second pass, over the segments holding the wanted range only: each item written as its entry streams past.
    let next = 0;
    const segments = report.manifest.segments.filter((s) => s.first + s.count > first && s.first <= last);
    await readLeaves(opened, segments, size, (i, leaf, bytes) => {
      if (i < first || i > last) return;
      const k = positionOf(indices, i);
      if (k < 0) return;
      if (k !== next) throw new CannotProveError(`the archive's segments are not in index order: entry ${i} came before entry ${indices[next]}`);
      if (!bytesEqual(leaf, itemLeaves.subarray(k * 32, k * 32 + 32))) throw new CannotProveError(`the archive changed while excerpting: entry ${i} is not the one first read`);
      next++;
      const w = withheld.get(i);
      const hashes = inclusionPath(i, size, (a, b) => tree.root(a, b));
      const proof = formatProof(i, hashes, ckptText);
      const digest: EntryDigest = w ? withheldDigest(leaf) : { length: lengths[k]!, hasLineFeed: false, leaf };
      // The first proof is checked in full; the rest carry the same checkpoint bytes, so their signatures
      // would be checked again for nothing (a millisecond each): their paths are checked against its root.
      if (k === 0) {
        const check = verifyProof(proof, digest, req.policy);
        if (!check.proven || check.index !== i || check.size !== size) throw new CannotProveError(`the archive changed while excerpting: the proof of entry ${i} does not verify (${check.reason})`);
      } else {
        const root = rootFromInclusionPath(nodeHashing, i, size, leaf, hashes);
        if (!root || !bytesEqual(root, checkpointRoot)) throw new CannotProveError(`the archive changed while excerpting: the path of entry ${i} does not lead to the checkpoint's root`);
      }
      sink.put(itemPath(i, 'tlog-proof'), Buffer.from(proof));
      if (!w) sink.put(itemPath(i, 'entry'), bytes!);
      else if (w.redacted) sink.put(itemPath(i, 'redacted.json'), Buffer.from(redactedView(bytes!, w.reasons.filter((r): r is SensitiveFinding => r.rule !== 'examiner'))!));
    }, () => sink.pause());
    if (next !== indices.length) throw new CannotProveError(`the archive changed while excerpting: entry ${indices[next]} was not found on re-reading`);
    await sink.finish();
    await rename(tmp, req.out);
  } finally {
    await rm(staging, { recursive: true, force: true });
  }
  const manifest = { ...head } as ExcerptManifest;
  // Callers mostly count the items; the list itself is made only when asked for.
  let items: ExcerptItem[] | null = null;
  Object.defineProperty(manifest, 'items', { enumerable: true, get: () => (items ??= Array.from({ length: indices.length }, (_, k) => itemAt(k))) });
  const withheldCount = withheld.size;
  return { out: req.out, container, manifest, items: indices.length, disclosed: indices.length - withheldCount, withheld: withheldCount, byRule, verdict: report.verdict };
}

/** The manifest, indented, with one item per line (a window of a million items stays readable and half the size), in pieces of about 1 MiB. */
function* manifestPieces(head: Omit<ExcerptManifest, 'items'>, count: number, itemAt: (k: number) => ExcerptItem): Generator<Uint8Array> {
  const text = JSON.stringify({ ...head, items: '\u0000' }, null, 2);
  const at = text.indexOf('"\\u0000"');
  let piece = `${text.slice(0, at)}[\n`;
  for (let k = 0; k < count; k++) {
    piece += `    ${JSON.stringify(itemAt(k))}${k + 1 < count ? ',\n' : '\n'}`;
    if (piece.length >= 1 << 20) {
      yield Buffer.from(piece);
      piece = '';
    }
  }
  yield Buffer.from(`${piece}  ]${text.slice(at + '"\\u0000"'.length)}\n`);
}

/**
 * What verifyProof needs to check a withheld item: only the leaf hash enters the RFC 9162 inclusion
 * check. The entry's length and LF test apply to bytes the verifier does not hold; a leaf in a signed
 * tree was an entry of the log (non-empty, no LF), so they are stated as satisfied.
 */
function withheldDigest(leaf: Uint8Array): EntryDigest {
  return { length: 1, hasLineFeed: false, leaf };
}

// ---------- checking an excerpt ----------

export interface ExcerptItemCheck {
  index: number;
  status: 'disclosed' | 'withheld' | 'unknown';
  ok: boolean;
  /** What was proven, or why not. */
  reason: string;
  reasons?: WithheldReason[];
  redacted?: boolean;
}

export interface ExcerptVerdict {
  valid: boolean;
  /** Problems of the excerpt as a whole (layout, manifest, checkpoint, completeness), one sentence each. */
  problems: string[];
  items: ExcerptItemCheck[];
  origin: string | null;
  size: number | null;
  root: string | null;
  complete: IndexRange[];
  selection: ExcerptSelection | null;
  source: ExcerptManifest['source'] | null;
  cosignatures: { name: string; time: bigint }[];
  disclosed: number;
  withheld: number;
}

/** A file of the excerpt as read: small files whole (bounded), entries as their streamed digest. */
type Read = { kind: 'bytes'; bytes: Uint8Array } | { kind: 'entry'; digest: EntryDigest | 'too-long' } | { kind: 'too-large'; limit: number };

const NAME = /^(manifest\.json|checkpoint|items\/([0-9]{12})\.(entry|tlog-proof|redacted\.json))$/;

function limitOf(rel: string): number {
  if (rel === 'manifest.json') return EXCERPT_MANIFEST_LIMIT;
  if (rel === 'checkpoint') return MAX_NOTE_BYTES;
  if (rel.endsWith('.tlog-proof')) return MAX_PROOF_BYTES;
  return REDACTED_LIMIT;
}

/**
 * An entry file's digest, as verify-proof --entry takes it (one trailing LF dropped). Most entries are
 * a few kilobytes: they are read whole, and only a larger one is streamed, so thousands of items do not
 * cost a 1 MiB read buffer each.
 */
async function digestEntry(file: string): Promise<EntryDigest | 'too-long'> {
  let bytes: Uint8Array;
  try {
    bytes = await readBoundedFile(file, 1 << 20, 'excerpt entry file');
  } catch (e) {
    if (e instanceof InputFileError && e.reason === 'too-large') return digestEntryFile(file);
    throw e;
  }
  return entryDigest(bytes.length > 0 && bytes[bytes.length - 1] === 0x0a ? bytes.subarray(0, bytes.length - 1) : bytes);
}

const TOP_KEYS = ['format', 'version', 'created', 'producer', 'origin', 'checkpoint', 'source', 'selection', 'complete', 'items'];
const ITEM_KEYS = ['index', 'leaf', 'status', 'length', 'reasons', 'redacted'];
const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const isIndex = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;

/** The manifest's shape, strictly; null with a problem when it is not an excerpt manifest of this version. */
function parseManifest(bytes: Uint8Array, problems: string[]): ExcerptManifest | null {
  const text = decodeUtf8Strict(bytes);
  let m: unknown;
  try {
    m = text === null ? undefined : JSON.parse(text);
  } catch {
    m = undefined;
  }
  const bad = (why: string) => {
    problems.push(`manifest.json ${why}`);
    return null;
  };
  if (!isObj(m)) return bad('is not a JSON object in UTF-8');
  if (m.format !== EXCERPT_FORMAT) return bad(`format is ${JSON.stringify(m.format)}, expected ${JSON.stringify(EXCERPT_FORMAT)}`);
  if (m.version !== EXCERPT_VERSION) return bad(`version is ${JSON.stringify(m.version)}; this tool reads version ${EXCERPT_VERSION}`);
  const extra = Object.keys(m).filter((k) => !TOP_KEYS.includes(k));
  if (extra.length) return bad(`has unknown field ${JSON.stringify(extra[0])}`);
  if (typeof m.origin !== 'string') return bad('has no origin');
  const c = m.checkpoint;
  if (!isObj(c) || c.path !== 'checkpoint' || !isIndex(c.size) || typeof c.root !== 'string') return bad('checkpoint must be {path: "checkpoint", size, root, source}');
  if (!isObj(m.source) || !isObj(m.selection) || typeof m.selection.kind !== 'string') return bad('has no source or selection');
  if (!Array.isArray(m.complete) || !m.complete.every((r) => isObj(r) && isIndex(r.first) && isIndex(r.last) && r.first <= r.last)) return bad('complete must be a list of {first, last} index ranges with first ≤ last');
  for (let k = 1; k < m.complete.length; k++) if ((m.complete[k] as IndexRange).first <= (m.complete[k - 1] as IndexRange).last) return bad('complete ranges overlap or are not sorted');
  if (!Array.isArray(m.items) || m.items.length === 0) return bad('holds no items');
  let previous = -1;
  for (const [k, it] of m.items.entries()) {
    if (!isObj(it) || !isIndex(it.index)) return bad(`item ${k} has no index`);
    const unknown = Object.keys(it).filter((x) => !ITEM_KEYS.includes(x));
    if (unknown.length) return bad(`item for index ${it.index} has unknown field ${JSON.stringify(unknown[0])}`);
    if (it.index <= previous) return bad(`items are not in strictly increasing index order at index ${it.index}`);
    previous = it.index;
    const leaf = typeof it.leaf === 'string' ? fromBase64Strict(it.leaf) : null;
    if (!leaf || leaf.length !== 32) return bad(`item for index ${it.index} has no leaf hash (32 bytes, standard base64)`);
    if (it.status === 'disclosed') {
      if (!isIndex(it.length) || it.reasons !== undefined || it.redacted !== undefined) return bad(`disclosed item for index ${it.index} must have a length and no reasons`);
    } else if (it.status === 'withheld') {
      if (it.length !== undefined || !Array.isArray(it.reasons) || it.reasons.length === 0 || !it.reasons.every((r) => isObj(r) && typeof r.rule === 'string' && typeof r.detail === 'string')) {
        return bad(`withheld item for index ${it.index} must give its reasons ({rule, detail}) and no length`);
      }
      if (it.redacted !== undefined && typeof it.redacted !== 'boolean') return bad(`withheld item for index ${it.index} has a non-boolean redacted`);
    } else return bad(`item for index ${it.index} has status ${JSON.stringify(it.status)}, expected "disclosed" or "withheld"`);
  }
  return m as unknown as ExcerptManifest;
}

/** Where an item's files have got to while the excerpt streams past. */
interface ItemParts {
  proof?: Read;
  entry?: Read;
  redacted?: boolean;
}

/**
 * Checks the files of an excerpt as they come, in any order: what arrives before the manifest and the
 * checkpoint is held until they are known, and an item is checked, and its bytes let go, as soon as its
 * files are all there. Written in the layout's order, at most one item is held at a time.
 */
class ExcerptChecker {
  manifest: ExcerptManifest | null = null;
  private manifestSeen = false;
  private ckptSeen = false;
  private ckptBytes: Uint8Array | null = null;
  private early: [string, Read][] = [];
  private pending = new Map<number, ItemParts>();
  private done: Uint8Array = new Uint8Array(0);
  /** Which files of each item came (1 proof, 2 entry, 4 redacted view): a repeated member is named. */
  private got: Uint8Array = new Uint8Array(0);

  constructor(private readonly out: ExcerptVerdict, private readonly policy: TrustPolicy) {}

  /** Position of the manifest's item for `index`, or -1. */
  position(index: number): number {
    const items = this.manifest!.items;
    let lo = 0;
    let hi = items.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const v = items[mid]!.index;
      if (v === index) return mid;
      if (v < index) lo = mid + 1;
      else hi = mid - 1;
    }
    return -1;
  }

  file(rel: string, read: Read): void {
    const problems = this.out.problems;
    if (rel === 'manifest.json') {
      this.manifestSeen = true;
      if (read.kind === 'too-large') problems.push(`manifest.json is larger than any valid one (${read.limit} bytes)`);
      else if (read.kind === 'bytes') this.setManifest(read.bytes);
      return;
    }
    if (!this.manifestSeen) {
      this.early.push([rel, read]);
      return;
    }
    const m = this.manifest;
    if (!m) return;
    if (rel === 'checkpoint') {
      this.setCheckpoint(read);
      for (const k of [...this.pending.keys()]) this.tryCheck(k, false);
      return;
    }
    const [, , index, ext] = NAME.exec(rel)!;
    const k = this.position(Number(index));
    if (k < 0) {
      problems.push(`${rel} belongs to no item of the manifest`);
      return;
    }
    const bit = ext === 'tlog-proof' ? 1 : ext === 'entry' ? 2 : 4;
    if (this.got[k]! & bit) {
      problems.push(`${rel} appears twice in the excerpt`);
      return;
    }
    this.got[k]! |= bit;
    const check = this.out.items[k]!;
    if (this.done[k]) {
      // Checked already from its proof: only a file a withheld item must not have can still fail it.
      if (ext === 'entry' && check.status === 'withheld' && check.ok) {
        check.ok = false;
        check.reason = `withheld item has an entry file ${rel}`;
      }
      return;
    }
    const parts = this.pending.get(k) ?? {};
    this.pending.set(k, parts);
    if (ext === 'tlog-proof') parts.proof = read;
    else if (ext === 'entry') parts.entry = read;
    else parts.redacted = true;
    this.tryCheck(k, false);
  }

  private setManifest(bytes: Uint8Array): void {
    const manifest = parseManifest(bytes, this.out.problems);
    if (!manifest) return;
    const out = this.out;
    this.manifest = manifest;
    out.origin = manifest.origin;
    out.size = manifest.checkpoint.size;
    out.root = manifest.checkpoint.root;
    out.complete = manifest.complete;
    out.selection = manifest.selection;
    out.source = manifest.source;
    this.done = new Uint8Array(manifest.items.length);
    this.got = new Uint8Array(manifest.items.length);
    for (const item of manifest.items) {
      const check: ExcerptItemCheck = { index: item.index, status: item.status, ok: false, reason: '' };
      if (item.status === 'withheld') {
        check.reasons = item.reasons!;
        check.redacted = item.redacted === true;
      }
      out.items.push(check);
    }
    for (const [rel, read] of this.early.splice(0)) this.file(rel, read);
  }

  private setCheckpoint(read: Read): void {
    const manifest = this.manifest!;
    this.ckptSeen = true;
    if (read.kind === 'too-large') return void this.out.problems.push(`checkpoint is larger than any valid one (${read.limit} bytes)`);
    if (read.kind !== 'bytes') return void this.out.problems.push('checkpoint is not readable');
    try {
      const c = parseCheckpointText(parseNote(read.bytes).text);
      if (c.origin !== manifest.origin) this.out.problems.push(`the checkpoint's origin is ${JSON.stringify(c.origin)}, the manifest says ${JSON.stringify(manifest.origin)}`);
      else if (c.size !== manifest.checkpoint.size || toBase64(c.root) !== manifest.checkpoint.root) this.out.problems.push(`the checkpoint (size ${c.sizeText}, root ${toBase64(c.root)}) is not the one the manifest names (size ${manifest.checkpoint.size}, root ${manifest.checkpoint.root})`);
      else this.ckptBytes = read.bytes;
    } catch (e) {
      if (!(e instanceof NoteError)) throw e;
      this.out.problems.push(`checkpoint is not a valid checkpoint note: ${e.message}`);
    }
  }

  /** Checks item k when its files are all there (or, at the end, with whatever came). */
  private tryCheck(k: number, final: boolean): void {
    const parts = this.pending.get(k);
    if (!parts || this.done[k]) return;
    const item = this.manifest!.items[k]!;
    if (!final && (!this.ckptSeen || !parts.proof || (item.status === 'disclosed' ? !parts.entry : item.redacted === true && !parts.redacted))) return;
    this.pending.delete(k);
    this.done[k] = 1;
    const check = this.out.items[k]!;
    const reason = this.verdictOf(item, parts);
    if (reason === null) {
      check.ok = true;
      check.reason = item.status === 'withheld' ? `withheld, leaf ${item.leaf} is at index ${item.index} of the signed tree` : `disclosed, ${this.lastReason}`;
    } else check.reason = reason;
  }

  private lastReason = '';

  /** null when the item holds, else why not (the checks of docs/excerpt-format.md §6, 3-4). */
  private verdictOf(item: ExcerptItem, parts: ItemParts): string | null {
    const proofRel = itemPath(item.index, 'tlog-proof');
    const entryRel = itemPath(item.index, 'entry');
    const p = parts.proof;
    if (!p) return `${proofRel} is missing`;
    if (p.kind === 'too-large') return `${proofRel} is larger than any valid one (${p.limit} bytes)`;
    if (p.kind !== 'bytes') return `${proofRel} is not readable`;
    let digest: EntryDigest;
    if (item.status === 'disclosed') {
      const f = parts.entry;
      if (!f || f.kind !== 'entry') return `${entryRel} is missing`;
      if (f.digest === 'too-long') return `${entryRel} is longer than any well-formed entry (256 MiB)`;
      if (toBase64(f.digest.leaf) !== item.leaf) return `${entryRel} does not hash to the manifest's leaf: the entry was changed (its leaf is ${toBase64(f.digest.leaf)})`;
      if (f.digest.length !== item.length) return `${entryRel} is ${f.digest.length} bytes, the manifest says ${item.length}`;
      digest = f.digest;
    } else {
      if (parts.entry) return `withheld item has an entry file ${entryRel}`;
      if (item.redacted && !parts.redacted) return `${itemPath(item.index, 'redacted.json')} is missing`;
      digest = withheldDigest(fromBase64Strict(item.leaf)!);
    }
    const v: ProofVerdict = verifyProof(p.bytes, digest, this.policy);
    if (!v.proven) return v.reason;
    if (v.index !== item.index) return `${proofRel} proves index ${v.index}, not ${item.index}`;
    // verifyProof accepted it, so it parses; its checkpoint must be the excerpt's, byte for byte.
    const embedded = parseProof(p.bytes).checkpointBytes;
    const manifest = this.manifest!;
    if (this.ckptBytes === null || !bytesEqual(embedded, this.ckptBytes)) return `the proof is against another checkpoint (size ${v.size}, root ${v.root}) than the excerpt's (size ${manifest.checkpoint.size}, root ${manifest.checkpoint.root})`;
    this.lastReason = v.reason;
    if (this.out.cosignatures.length === 0) this.out.cosignatures = v.cosignatures;
    return null;
  }

  /** After the last file: items still waiting are checked with what came, then the complete ranges. */
  finish(): void {
    const out = this.out;
    if (!this.manifestSeen) out.problems.push('manifest.json is missing');
    const manifest = this.manifest;
    if (!manifest) return;
    if (!this.ckptSeen) {
      out.problems.push('checkpoint is missing');
      this.ckptSeen = true;
    }
    for (let k = 0; k < manifest.items.length; k++) {
      if (this.done[k]) continue;
      if (!this.pending.has(k)) this.pending.set(k, {});
      this.tryCheck(k, true);
    }
    for (const r of manifest.complete) {
      if (r.last >= manifest.checkpoint.size) out.problems.push(`the complete range ${r.first}..${r.last} reaches beyond the checkpoint's tree size ${manifest.checkpoint.size}`);
      const absent: number[] = [];
      // Items are sorted and distinct: walk them alongside the range instead of a set of every index.
      let k = 0;
      while (k < manifest.items.length && manifest.items[k]!.index < r.first) k++;
      for (let i = r.first; i <= r.last && absent.length <= 10; i++) {
        if (k < manifest.items.length && manifest.items[k]!.index === i) k++;
        else absent.push(i);
      }
      if (absent.length) out.problems.push(`${absent.length > 10 ? 'more than 10 indices are' : absent.length === 1 ? `index ${absent[0]} is` : `indices ${absent.join(', ')} are`} missing from the complete range ${r.first}..${r.last}: the excerpt does not account for every entry it claims`);
    }
    out.disclosed = manifest.items.filter((i) => i.status === 'disclosed').length;
    out.withheld = manifest.items.length - out.disclosed;
    out.valid = out.problems.length === 0 && out.items.every((i) => i.ok);
  }
}

async function readSmall(file: string, rel: string): Promise<Read> {
  try {
    return { kind: 'bytes', bytes: await readBoundedFile(file, limitOf(rel), 'excerpt file') };
  } catch (e) {
    if (!(e instanceof InputFileError && e.reason === 'too-large')) throw e;
    return { kind: 'too-large', limit: limitOf(rel) };
  }
}

/**
 * A directory excerpt: items/ is listed as a stream (two million names are never held), marking which
 * files each manifest item has, then each item's files are read in the manifest's order, checked, and
 * let go.
 */
async function checkDirectory(path: string, checker: ExcerptChecker, problems: string[]): Promise<void> {
  const top = new Set<string>();
  for await (const d of await opendir(path)) {
    if (d.isDirectory() && d.name === 'items') top.add('items');
    else if (!d.isFile() || !NAME.test(d.name)) problems.push(`unexpected ${d.isDirectory() ? 'folder' : 'file'} ${d.name} in the excerpt`);
    else top.add(d.name);
  }
  for (const rel of ['manifest.json', 'checkpoint']) if (top.has(rel)) checker.file(rel, await readSmall(join(path, rel), rel));
  const m = checker.manifest;
  const bits = new Uint8Array(m ? m.items.length : 0);
  const EXT_BIT: Record<string, number> = { 'tlog-proof': 1, entry: 2, 'redacted.json': 4 };
  if (top.has('items')) {
    for await (const d of await opendir(join(path, 'items'))) {
      const r = `items/${d.name}`;
      const name = NAME.exec(r);
      if (!d.isFile() || !name) problems.push(`unexpected ${d.isDirectory() ? 'folder' : 'file'} ${r} in the excerpt`);
      else if (m) {
        const k = checker.position(Number(name[2]));
        if (k < 0) problems.push(`${r} belongs to no item of the manifest`);
        else bits[k]! |= EXT_BIT[name[3]!]!;
      }
    }
  }
  if (!m) return;
  for (let k = 0; k < bits.length; k++) {
    const index = m.items[k]!.index;
    if (bits[k]! & 1) checker.file(itemPath(index, 'tlog-proof'), await readSmall(join(path, itemPath(index, 'tlog-proof')), itemPath(index, 'tlog-proof')));
    if (bits[k]! & 2) checker.file(itemPath(index, 'entry'), { kind: 'entry', digest: await digestEntry(join(path, itemPath(index, 'entry'))) });
    // Only its presence counts (§5): a redacted view is not read.
    if (bits[k]! & 4) checker.file(itemPath(index, 'redacted.json'), { kind: 'bytes', bytes: new Uint8Array(0) });
  }
}

/** A .tar.gz excerpt, member by member as it decompresses: entries hashed as they stream, other files within their bound. */
async function checkTarGz(path: string, checker: ExcerptChecker, problems: string[]): Promise<void> {
  type Pending = { rel: string; parts: Uint8Array[]; n: number; hash?: ReturnType<typeof nodeHashing.create>; lf: boolean; held: number };
  let pending: Pending | null = null;
  // Repeated top files are named here; repeated item files by the checker, which keeps a bit per file of an item.
  const seenTop = new Set<string>();
  const parser = new TarParser({
    member(m) {
      pending = null;
      if (m.kind === 'directory' && m.path === 'items') return;
      if (m.kind !== 'file' || !NAME.test(m.path)) {
        problems.push(`unexpected ${m.kind === 'directory' ? 'folder' : 'member'} ${m.rawName} in the excerpt`);
        return;
      }
      if (seenTop.has(m.path)) {
        problems.push(`${m.path} appears twice in the excerpt`);
        return;
      }
      if (!m.path.startsWith('items/')) seenTop.add(m.path);
      pending = { rel: m.path, parts: [], n: 0, lf: false, held: -1, ...(m.path.endsWith('.entry') ? { hash: nodeHashing.create().update(Uint8Array.of(0)) } : {}) };
    },
    data(_m, chunk) {
      const p = pending as Pending | null;
      if (!p || chunk.length === 0) return;
      p.n += chunk.length;
      if (p.hash) {
        // Same rule as verify-proof --entry: one trailing LF is how a line is saved; any other LF is in the bytes.
        if (p.n > MAX_LINE_BYTES + 1) return;
        if (p.held >= 0) {
          p.hash.update(Uint8Array.of(p.held));
          if (p.held === 0x0a) p.lf = true;
        }
        const body = chunk.subarray(0, chunk.length - 1);
        p.hash.update(body);
        if (body.includes(0x0a)) p.lf = true;
        p.held = chunk[chunk.length - 1]!;
      } else if (p.rel.endsWith('.redacted.json')) {
        // only its presence counts (§5)
      } else if (p.n <= limitOf(p.rel)) p.parts.push(chunk.slice());
    },
    memberEnd() {
      const p = pending as Pending | null;
      pending = null;
      if (!p) return;
      if (p.hash) {
        if (p.n > MAX_LINE_BYTES + 1) checker.file(p.rel, { kind: 'entry', digest: 'too-long' });
        else {
          if (p.held >= 0 && p.held !== 0x0a) p.hash.update(Uint8Array.of(p.held));
          checker.file(p.rel, { kind: 'entry', digest: { length: p.held === 0x0a ? p.n - 1 : p.n, hasLineFeed: p.lf, leaf: p.hash.digest() } });
        }
      } else if (p.n > limitOf(p.rel) && !p.rel.endsWith('.redacted.json')) checker.file(p.rel, { kind: 'too-large', limit: limitOf(p.rel) });
      else checker.file(p.rel, { kind: 'bytes', bytes: Buffer.concat(p.parts) });
    },
  });
  try {
    for await (const chunk of tarStream(path, 'tar.gz')) parser.push(chunk);
    parser.end();
  } catch (e) {
    if (!(e instanceof TarFormatError || e instanceof GzipFormatError)) throw e;
    problems.push(`${path} is not a readable .tar.gz excerpt: ${e.message}`);
  }
}

/**
 * Checks an excerpt offline (docs/excerpt-format.md §6): layout and manifest, the checkpoint, each item's
 * tlog-proof with verifyProof (from the entry's bytes, or from the manifest's leaf hash when withheld),
 * each disclosed entry against its leaf, and every complete range. The excerpt is read once, as a
 * stream: memory holds the manifest and one verdict per item, not the items' files.
 */
export async function verifyExcerpt(path: string, policy: TrustPolicy): Promise<ExcerptVerdict> {
  const problems: string[] = [];
  const out: ExcerptVerdict = { valid: false, problems, items: [], origin: null, size: null, root: null, complete: [], selection: null, source: null, cosignatures: [], disclosed: 0, withheld: 0 };
  let st;
  try {
    st = await stat(path);
  } catch {
    throw new UsageError(`verify-excerpt: ${path}: no such file or directory`);
  }
  const checker = new ExcerptChecker(out, policy);
  if (st.isDirectory()) await checkDirectory(path, checker, problems);
  else {
    const { fh } = await openRegularFile(path, 'excerpt');
    const head = Buffer.alloc(2);
    await fh.read(head, 0, 2, 0);
    await fh.close();
    if (!isGzip(head)) throw new UsageError(`verify-excerpt: ${path} is neither a directory nor a gzip-compressed tar`);
    await checkTarGz(path, checker, problems);
  }
  checker.finish();
  return out;
}
