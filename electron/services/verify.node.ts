// Verifies an archive end to end (spec §1-6): opens it, checks segments in parallel, judges checkpoints and anchors.
import { createHash } from 'node:crypto';
import { availableParallelism } from 'node:os';
import { FindingSink, finding } from '../../shared/core/findings.ts';
import type { Hashing } from '../../shared/core/hashing.ts';
import { parseManifest, segmentRangeProblem, ManifestError, type Manifest, type ManifestSegment } from '../../shared/core/manifest.ts';
import { evaluateCheckpoints, joinSegments, verdictOf, type Anchor, type CheckpointFile, type TrustPolicy } from '../../shared/core/evaluate.ts';
import { parseCheckpointText, parseNote } from '../../shared/core/note.ts';
import type { SegmentCheck, VerifyReport } from '../../shared/core/report.ts';
import { SegmentChecker, type EntryListener, type SegmentCheckInput } from '../../shared/core/segment-check.ts';
import { TarParser, type TarMember } from '../../shared/core/tar.ts';
import { openArchive, readFileChunks, readRange, tarStream, treeDigest, MANIFEST_LIMIT, SMALL_FILE_LIMIT, type ArchiveFile, type OpenedArchive } from './archive.node.ts';
import { nodeEd25519, nodeHashing } from './crypto.node.ts';
import { gunzipStrict, GzipFormatError } from './gzip.node.ts';
import { runSegmentJob, type SegmentJob, type SegmentJobResult } from './segment-job.node.ts';
import { WorkerPool } from './worker-pool.node.ts';
import { IndexSession } from './index/session.node.ts';
import { RowSender } from './index/rows.node.ts';
import type { RunMeta } from './index/writer.node.ts';
import type { EventKind } from '../../shared/core/event-row.ts';
import type { ScopeAnalyzer } from '../../shared/core/scope.ts';
import { resolve } from 'node:path';

export interface VerifyProgress {
  phase: 'reading headers' | 'checking segments' | 'checking checkpoints';
  bytesDone: number;
  bytesTotal: number;
}

export interface VerifyOptions {
  policy: TrustPolicy;
  anchors?: Anchor[];
  /** Worker threads for segments; default: one per core when the archive is large enough to pay for them. */
  workers?: number;
  onProgress?: (p: VerifyProgress) => void;
  /** Sees every entry as it is read (in-process only: setting it keeps the work on this thread). */
  onEntry?: EntryListener;
  /**
   * Works out the evidence scope in the same pass. Unlike onEntry it keeps the segment workers: each
   * parses its segment's entries into compact facts, merged into the analyzer in log order.
   */
  scope?: ScopeAnalyzer;
  /** Index every entry into this case database in the same pass (the evidence is read once). */
  index?: { dbPath: string; run: RunMeta };
}

/** Below this many segment bytes, starting worker threads costs more than it saves. */
const PARALLEL_THRESHOLD = 32 << 20;

export async function verifyArchive(path: string, options: VerifyOptions): Promise<VerifyReport> {
  const opened = await openArchive(path);
  if (!options.index) return verifyOpened(opened, options, null);
  const session = await IndexSession.start(options.index.dbPath, { path: resolve(path), container: opened.kind, size: opened.containerBytes }, options.index.run);
  try {
    const report = await verifyOpened(opened, options, session);
    await session.finish(report);
    return report;
  } finally {
    await session.close();
  }
}

async function verifyOpened(opened: OpenedArchive, options: VerifyOptions, session: IndexSession | null): Promise<VerifyReport> {
  const path = opened.path;
  const sink = new FindingSink();
  const base = {
    archive: { path, sha256: opened.containerSha256 ?? '' },
    container: opened.kind,
    origin: null,
    entries: 0,
    checkpoints: { total: 0, trusted: 0 },
    coveredEntries: 0,
    covering: null,
    manifest: null,
    checkpointChecks: [],
    segmentChecks: [],
    entriesPresent: 0,
    range: [],
  };
  const stop = (): VerifyReport => ({ ...base, verdict: 'failed', findings: sink.result() });

  for (const f of opened.fatal) sink.add(f);
  if (opened.fatal.length) {
    // Even an unsafe directory gets its evidence digest (spec §1, §7): only regular files are read, nothing is followed.
    if (opened.kind === 'directory') base.archive.sha256 = await directoryDigest(opened, new Map());
    return stop();
  }
  if (!opened.hasManifest) {
    sink.add(finding('manifest-missing', 'no manifest.json at the archive root'));
    if (opened.kind === 'directory') base.archive.sha256 = await directoryDigest(opened, new Map());
    return stop();
  }
  let manifest: Manifest;
  try {
    const bytes = opened.small.get('manifest.json')!;
    if (bytes.length >= MANIFEST_LIMIT) throw new ManifestError('manifest.json is larger than 64 MiB');
    manifest = parseManifest(bytes);
  } catch (e) {
    if (!(e instanceof ManifestError)) throw e;
    sink.add(finding('manifest-invalid', e.message, { file: 'manifest.json' }));
    if (opened.kind === 'directory') base.archive.sha256 = await directoryDigest(opened, new Map());
    return stop();
  }
  const rangeProblem = segmentRangeProblem(manifest);
  if (rangeProblem) sink.add(finding('segment-range-invalid', rangeProblem, { file: 'manifest.json' }));

  // Which files are expected, and every file under checkpoints/ (listed or not) as a checkpoint.
  const listed = new Set<string>(['manifest.json', ...manifest.checkpoints]);
  for (const s of manifest.segments) listed.add(s.path).add(s.chain);
  const checkpointFiles: CheckpointFile[] = [];
  for (const p of manifest.checkpoints) {
    const f = opened.files.get(p);
    if (!f) sink.add(finding('segment-missing', `checkpoint ${p} is listed in the manifest but absent`, { file: p }));
  }
  for (const f of opened.files.values()) {
    if (!listed.has(f.path)) sink.add(finding('unexpected-file', `${f.path} is not listed in the manifest`, { file: f.path }));
    if (f.path.startsWith('checkpoints/')) {
      checkpointFiles.push({ path: f.path, listed: listed.has(f.path), bytes: opened.small.get(f.path)! });
    }
  }
  checkpointFiles.sort((a, b) => (a.path < b.path ? -1 : 1));
  const anchors = options.anchors ?? [];
  const sizes = [...new Set([...checkpointSizes(checkpointFiles), ...anchors.map((a) => a.checkpoint.size)])];
  const inputs: SegmentCheckInput[] = manifest.segments.map((segment) => ({ segment, kind: manifest.source?.kind ?? null, checkpointSizes: sizes }));
  for (const s of manifest.segments) {
    if (!opened.files.has(s.path)) sink.add(finding('segment-missing', `segment ${s.path} is listed in the manifest but absent`, { file: s.path }));
    if (!opened.files.has(s.chain)) sink.add(finding('segment-missing', `chain file ${s.chain} is listed in the manifest but absent`, { file: s.chain }));
  }

  const indexing = session && { session, kind: indexKind(manifest) };
  const jobResults = opened.kind === 'tar.gz' ? await checkStreaming(opened, inputs, nodeHashing, options, indexing) : await checkRandomAccess(opened, inputs, options, indexing);

  const fileHashes = new Map<string, string>();
  const segmentChecks: SegmentCheck[] = jobResults.map((j) => {
    const seg = j.result.segment;
    if (j.unreadable !== null) sink.add(finding('segment-unreadable', `${seg.path} does not decode as gzip: ${j.unreadable}`, { file: seg.path }));
    if (j.segmentSha256 !== null) {
      fileHashes.set(seg.path, j.segmentSha256);
      if (j.segmentSha256 !== seg.sha256) sink.add(finding('segment-file-hash-mismatch', `SHA-256 of ${seg.path} is ${j.segmentSha256}, the manifest says ${seg.sha256}`, { file: seg.path }));
    }
    if (j.chainSha256 !== null) {
      fileHashes.set(seg.chain, j.chainSha256);
      if (j.chainSha256 !== seg.chainSha256) sink.add(finding('segment-file-hash-mismatch', `SHA-256 of ${seg.chain} is ${j.chainSha256}, the manifest says ${seg.chainSha256}`, { file: seg.chain }));
    }
    return { path: seg.path, chain: seg.chain, first: seg.first, count: seg.count, entriesRead: j.result.entriesRead, sha256: j.segmentSha256, chainSha256: j.chainSha256 };
  });

  options.onProgress?.({ phase: 'checking checkpoints', bytesDone: 0, bytesTotal: 0 });
  const joined = joinSegments(jobResults.map((j) => j.result), nodeHashing, sink);
  const evaluation = evaluateCheckpoints({ manifest, joined, checkpointFiles, anchors, policy: options.policy }, nodeEd25519, sink);
  if (opened.kind === 'directory') base.archive.sha256 = await directoryDigest(opened, fileHashes);

  return {
    ...base,
    verdict: verdictOf(sink, manifest.entries, evaluation.coveredEntries, evaluation.anchorsMatched),
    origin: manifest.origin,
    entries: manifest.entries,
    checkpoints: { total: checkpointFiles.length, trusted: evaluation.trusted },
    coveredEntries: evaluation.coveredEntries,
    covering: evaluation.covering,
    findings: sink.result(),
    manifest,
    checkpointChecks: evaluation.checks,
    segmentChecks,
    entriesPresent: joined.present,
    range: joined.range,
  };
}

/** Tree sizes named by the checkpoints that parse, so segment checks keep the subtrees for their roots. */
function checkpointSizes(files: CheckpointFile[]): number[] {
  const out: number[] = [];
  for (const f of files) {
    try {
      out.push(parseCheckpointText(parseNote(f.bytes!).text).size);
    } catch {
      // judged (as malformed) later
    }
  }
  return out;
}

async function directoryDigest(opened: OpenedArchive, known: Map<string, string>): Promise<string> {
  const all = new Map(known);
  for (const f of opened.files.values()) {
    if (all.has(f.path)) continue;
    const h = createHash('sha256');
    for await (const chunk of readFileChunks(f)) h.update(chunk);
    all.set(f.path, h.digest('hex'));
  }
  return treeDigest(all);
}

// ---------- directory and plain tar: one job per segment, on worker threads when it pays ----------

/** Sends each entry of segment `seq` to the index (when indexing), to the scope on this thread and to the caller's own listener. */
function entryListener(sender: RowSender | null, seq: number, own: EntryListener | undefined, scope: ScopeAnalyzer | undefined): EntryListener | undefined {
  const mine: EntryListener | undefined = scope
    ? own
      ? (i, b, o, l) => {
          scope.entry(i, b);
          own(i, b, o, l);
        }
      : (i, b) => scope.entry(i, b)
    : own;
  if (!sender) return mine;
  return (i, b, o, l) => {
    sender.segmentSeq = seq;
    sender.entry(i, b, o, l);
    mine?.(i, b, o, l);
  };
}

interface Indexing {
  session: IndexSession;
  kind: EventKind;
}

function indexKind(m: Manifest): EventKind {
  return m.source?.kind ?? 'other';
}

async function checkRandomAccess(opened: OpenedArchive, inputs: SegmentCheckInput[], options: VerifyOptions, indexing: Indexing | null): Promise<SegmentJobResult[]> {
  const jobs: SegmentJob[] = inputs.map((input, seq) => ({
    seq,
    input,
    ...(indexing ? { index: { archiveId: indexing.session.archiveId, kind: indexing.kind, dbPath: indexing.session.dbPath } } : {}),
    ...(options.scope ? { scope: true } : {}),
    segmentFile: opened.files.get(input.segment.path) ?? null,
    chainFile: opened.files.get(input.segment.chain) ?? null,
  }));
  const total = jobs.reduce((n, j) => n + (j.segmentFile?.size ?? 0) + (j.chainFile?.size ?? 0), 0);
  let done = 0;
  const progress = (bytes: number) => {
    done += bytes;
    options.onProgress?.({ phase: 'checking segments', bytesDone: done, bytesTotal: total });
  };
  const cores = Math.max(1, availableParallelism());
  const workers = options.onEntry ? 0 : (options.workers ?? (total >= PARALLEL_THRESHOLD ? Math.min(cores, jobs.length) : 0));
  if (workers <= 1) {
    const sender = indexing && new RowSender(indexing.session.port(), indexing.session.archiveId, indexing.kind, indexing.session.dbPath);
    try {
      const out: SegmentJobResult[] = [];
      for (const job of jobs) {
        const r = await runSegmentJob(job, nodeHashing, entryListener(sender, job.seq, options.onEntry, options.scope), progress, sender ? () => sender.drain() : undefined);
        if (sender && r.result.entriesRead === null) await sender.drop(job.input.segment.first, job.input.segment.count);
        out.push(r);
      }
      await sender?.flush();
      return out;
    } finally {
      sender?.close();
    }
  }
  const pool = new WorkerPool<SegmentJob, SegmentJobResult>('segment', workers, indexing ? () => {
    const indexPort = indexing.session.port();
    return { workerData: { indexPort }, transferList: [indexPort] };
  } : undefined);
  try {
    // Segments finish out of order; each one's scope facts wait only until those before it are merged, then are dropped.
    const scope = options.scope;
    const waiting = new Map<number, SegmentJobResult>();
    let nextMerge = 0;
    const merge = (seq: number, r: SegmentJobResult): SegmentJobResult => {
      if (!scope) return r;
      waiting.set(seq, r);
      for (let w = waiting.get(nextMerge); w; w = waiting.get(nextMerge)) {
        waiting.delete(nextMerge++);
        if (w.scope) scope.segment(w.scope);
        delete w.scope;
      }
      return r;
    };
    return await Promise.all(jobs.map((job) => pool.run(job, progress).then((r) => merge(job.seq, r))));
  } finally {
    await pool.close();
  }
}

// ---------- tar.gz: one sequential pass over the decompressed stream ----------

async function checkStreaming(opened: OpenedArchive, inputs: SegmentCheckInput[], hashing: Hashing, options: VerifyOptions, indexing: Indexing | null): Promise<SegmentJobResult[]> {
  const sender = indexing && new RowSender(indexing.session.port(), indexing.session.archiveId, indexing.kind, indexing.session.dbPath);
  try {
    return await streamTarGz(opened, inputs, hashing, options, sender);
  } finally {
    sender?.close();
  }
}

async function streamTarGz(opened: OpenedArchive, inputs: SegmentCheckInput[], hashing: Hashing, options: VerifyOptions, sender: RowSender | null): Promise<SegmentJobResult[]> {
  interface State {
    checker: SegmentChecker;
    segHash: ReturnType<typeof createHash> | null;
    chainHash: ReturnType<typeof createHash> | null;
    gz: Uint8Array[] | null;
    unreadable: string | null;
    seenSegment: boolean;
    seenChain: boolean;
  }
  const states = inputs.map((input, seq): State => ({
    checker: new SegmentChecker(input, hashing, entryListener(sender, seq, options.onEntry, options.scope)),
    segHash: null, chainHash: null, gz: null, unreadable: null, seenSegment: false, seenChain: false,
  }));
  const bySegment = new Map<string, State>();
  const byChain = new Map<string, State>();
  inputs.forEach((input, i) => {
    // The same file cannot be both (the manifest rejects a path listed twice).
    if (opened.files.has(input.segment.path)) bySegment.set(input.segment.path, states[i]!);
    if (opened.files.has(input.segment.chain)) byChain.set(input.segment.chain, states[i]!);
  });
  const root = rootPrefix(opened);
  const relative = (m: TarMember) => (m.kind === 'file' && m.path.startsWith(root) ? m.path.slice(root.length) : null);
  const deferred: Promise<void>[] = [];

  const parser = new TarParser({
    member(m) {
      const rel = relative(m);
      if (rel === null) return;
      const seg = bySegment.get(rel);
      if (seg) {
        seg.seenSegment = true;
        seg.segHash = createHash('sha256');
        if (rel.endsWith('.gz')) seg.gz = [];
      }
      const ch = byChain.get(rel);
      if (ch) {
        ch.seenChain = true;
        ch.chainHash = createHash('sha256');
      }
    },
    data(m, chunk) {
      const rel = relative(m);
      if (rel === null) return;
      const seg = bySegment.get(rel);
      if (seg) {
        seg.segHash!.update(chunk);
        if (seg.gz) seg.gz.push(chunk.slice());
        else seg.checker.pushEntries(chunk);
      }
      const ch = byChain.get(rel);
      if (ch) {
        ch.chainHash!.update(chunk);
        ch.checker.pushChain(chunk);
      }
    },
    memberEnd(m) {
      const rel = relative(m);
      if (rel === null) return;
      const seg = bySegment.get(rel);
      if (seg) {
        if (seg.gz) {
          const parts = seg.gz;
          seg.gz = null;
          deferred.push(decodeGzipSegment(seg.checker, parts).then((problem) => void (seg.unreadable = problem)));
        } else seg.checker.endEntries();
      }
      byChain.get(rel)?.checker.endChain();
    },
  });
  let done = 0;
  for await (const chunk of tarStream(opened.path, 'tar.gz')) {
    parser.push(chunk);
    done += chunk.length;
    options.onProgress?.({ phase: 'checking segments', bytesDone: done, bytesTotal: 0 });
    while (deferred.length) await deferred.shift();
    if (sender) await sender.drain();
  }
  parser.end();
  if (sender) {
    await sender.flush();
    for (const [i, st] of states.entries()) if (st.unreadable !== null) await sender.drop(inputs[i]!.segment.first, inputs[i]!.segment.count);
  }
  return states.map((s) => {
    if (!s.seenSegment) s.checker.segmentAbsent();
    if (!s.seenChain) s.checker.chainAbsent();
    return {
      result: s.checker.finish(),
      segmentSha256: s.segHash ? s.segHash.digest('hex') : null,
      chainSha256: s.chainHash ? s.chainHash.digest('hex') : null,
      unreadable: s.unreadable,
      bytesRead: 0,
    };
  });
}

async function decodeGzipSegment(checker: SegmentChecker, parts: Uint8Array[]): Promise<string | null> {
  async function* source() {
    yield* parts;
  }
  try {
    for await (const chunk of gunzipStrict(source(), 'none')) checker.pushEntries(chunk);
    checker.endEntries();
    return null;
  } catch (e) {
    if (!(e instanceof GzipFormatError)) throw e;
    checker.segmentAbsent();
    return e.message;
  }
}

function rootPrefix(opened: OpenedArchive): string {
  return opened.root ? `${opened.root}/` : '';
}

export type { ManifestSegment };
