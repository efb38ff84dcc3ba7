// Runs the check of one segment and its chain file from disk (directory or plain tar), in a worker or inline.
import { createHash, type Hash } from 'node:crypto';
import { closeSync, openSync, readSync } from 'node:fs';
import type { EventKind } from '../../shared/core/event-row.ts';
import type { Hashing } from '../../shared/core/hashing.ts';
import { SegmentChecker, type EntryListener, type SegmentCheckInput, type SegmentCheckResult } from '../../shared/core/segment-check.ts';
import type { SegmentScope } from '../../shared/core/scope-segment.ts';
import { readFileChunks, type ArchiveFile } from './archive.node.ts';
import { gunzipStrict, GzipFormatError } from './gzip.node.ts';

export interface SegmentJob {
  /** Position of the segment in the manifest. */
  seq: number;
  input: SegmentCheckInput;
  /** Index the entries too: the worker parses them and sends rows to the case database writer. */
  index?: { archiveId: number; kind: EventKind; dbPath: string };
  /** Gather the evidence scope's facts of this segment too (SegmentScopeCollector), for the main thread to merge in log order. */
  scope?: boolean;
  segmentFile: ArchiveFile | null;
  chainFile: ArchiveFile | null;
}

export interface SegmentJobResult {
  result: SegmentCheckResult;
  /** SHA-256 hex of the stored segment and chain files (null when absent). */
  segmentSha256: string | null;
  chainSha256: string | null;
  /** Why a .gz segment did not decode. */
  unreadable: string | null;
  bytesRead: number;
  /** When the job asked for it. */
  scope?: SegmentScope;
}

export type ProgressListener = (bytes: number, entries: number) => void;

// Plain segments and chain files are read with readSync into buffers reused for every chunk and
// every job of the thread: read streams cost a Buffer and a few promises per chunk, which showed
// in profiles. 256 KiB keeps a chunk in L2 cache from the read through the file hash to the entry
// checks (measured ~4% faster than 1 MiB); a chain chunk holds ~2000 lines.
const SEGMENT_CHUNK = 1 << 18;
const CHAIN_CHUNK = 1 << 18;
// The chain file is read (when entries wait for it) after every 1 MiB of segment, where the read
// streams used before ended their chunks. Where findings of both files are added in between
// depends on it, and with more than 100 of one code so does which of them are listed: keeping
// the points keeps every report as it was.
const CATCH_UP_EVERY = 1 << 20;
// Jobs on one thread may overlap (they await between chunks), so each takes its own buffers.
const spareBuffers: Buffer[] = [];
const takeBuffer = (): Buffer => spareBuffers.pop() ?? Buffer.allocUnsafeSlow(Math.max(SEGMENT_CHUNK, CHAIN_CHUNK));
/** Inline (on the main thread), give the event loop a turn this often. */
const YIELD_EVERY = 64 << 20;

/** Sequential synchronous reads of an archive file's byte range, each into the same buffer. */
class RangeReader {
  private readonly fd: number;
  private position: number;
  private remaining: number;

  constructor(
    f: ArchiveFile,
    private readonly buffer: Buffer,
  ) {
    this.fd = openSync(f.fsPath, 'r');
    this.position = f.start;
    this.remaining = f.size;
  }

  /** The next chunk (a view of the shared buffer, valid until the next call), or null at the end. */
  next(): Buffer | null {
    if (this.remaining <= 0) return null;
    const n = readSync(this.fd, this.buffer, 0, Math.min(this.buffer.length, this.remaining), this.position);
    if (n === 0) {
      // The file is shorter than when it was listed: what was read is all there is, as with a stream.
      this.remaining = 0;
      return null;
    }
    this.position += n;
    this.remaining -= n;
    return this.buffer.subarray(0, n);
  }

  close(): void {
    closeSync(this.fd);
  }
}

async function* hashing(source: AsyncIterable<Uint8Array>, hash: Hash, count: (n: number) => void): AsyncGenerator<Uint8Array> {
  for await (const chunk of source) {
    hash.update(chunk);
    count(chunk.length);
    yield chunk;
  }
}

/**
 * Reads the segment and its chain file in lockstep, so only a chunk of each is held whatever
 * the segment's size: after each chunk of entries, chain lines are read until they catch up.
 */
export async function runSegmentJob(job: SegmentJob, hash: Hashing, onEntry?: EntryListener, onProgress?: ProgressListener, afterChunk?: () => Promise<void>): Promise<SegmentJobResult> {
  const checker = new SegmentChecker(job.input, hash, onEntry);
  const segHash = createHash('sha256');
  const chainHash = createHash('sha256');
  let bytesRead = 0;
  let sinceReport = 0;
  let sinceYield = 0;
  const count = (n: number) => {
    bytesRead += n;
    sinceReport += n;
    sinceYield += n;
    if (onProgress && sinceReport >= 1 << 22) {
      onProgress(sinceReport, 0);
      sinceReport = 0;
    }
  };
  const pause = async () => {
    if (afterChunk) await afterChunk();
    if (sinceYield >= YIELD_EVERY) {
      sinceYield = 0;
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
  };

  const buffers: Buffer[] = [];
  const buffer = (size: number): Buffer => {
    const b = takeBuffer();
    buffers.push(b);
    return b.subarray(0, size);
  };
  const chain = job.chainFile ? new RangeReader(job.chainFile, buffer(CHAIN_CHUNK)) : null;
  try {
    let chainEnded = chain === null;
    if (chain === null) checker.chainAbsent();
    const catchUp = (all: boolean) => {
      while (!chainEnded && (all || checker.waitingForChain > 0)) {
        const next = chain!.next();
        if (next === null) {
          chainEnded = true;
          checker.endChain();
        } else {
          chainHash.update(next);
          count(next.length);
          checker.pushChain(next);
        }
      }
    };

    let unreadable: string | null = null;
    let segmentSha256: string | null = null;
    if (job.segmentFile && !job.input.segment.gzip) {
      const seg = new RangeReader(job.segmentFile, buffer(SEGMENT_CHUNK));
      try {
        let sinceCatchUp = 0;
        for (let chunk = seg.next(); chunk !== null; chunk = seg.next()) {
          // Hashed before the checker borrows the chunk (see pushEntries).
          segHash.update(chunk);
          count(chunk.length);
          checker.pushEntries(chunk);
          sinceCatchUp += chunk.length;
          if (sinceCatchUp >= CATCH_UP_EVERY) {
            sinceCatchUp = 0;
            catchUp(false);
            await pause();
          }
        }
        if (sinceCatchUp > 0) {
          catchUp(false);
          await pause();
        }
      } finally {
        seg.close();
      }
      checker.endEntries();
      segmentSha256 = segHash.digest('hex');
    } else if (job.segmentFile) {
      const raw = hashing(readFileChunks(job.segmentFile), segHash, count);
      try {
        for await (const chunk of gunzipStrict(raw, 'none')) {
          checker.pushEntries(chunk);
          catchUp(false);
          if (afterChunk) await afterChunk();
        }
        checker.endEntries();
        segmentSha256 = segHash.digest('hex');
      } catch (e) {
        if (!(e instanceof GzipFormatError)) throw e;
        unreadable = e.message;
        checker.segmentAbsent();
        // The decoder stopped part-way; the stored file's digest is still evidence, so hash all of it.
        const again = createHash('sha256');
        for await (const chunk of readFileChunks(job.segmentFile)) again.update(chunk);
        segmentSha256 = again.digest('hex');
      }
    } else {
      checker.segmentAbsent();
    }
    catchUp(true);
    if (onProgress && sinceReport > 0) onProgress(sinceReport, 0);
    return {
      result: checker.finish(),
      segmentSha256,
      chainSha256: job.chainFile ? chainHash.digest('hex') : null,
      unreadable,
      bytesRead,
    };
  } finally {
    chain?.close();
    spareBuffers.push(...buffers);
  }
}
