// Runs the check of one segment and its chain file from disk (directory or plain tar), in a worker or inline.
import { createHash } from 'node:crypto';
import type { EventKind } from '../../shared/core/event-row.ts';
import type { Hashing } from '../../shared/core/hashing.ts';
import { SegmentChecker, type EntryListener, type SegmentCheckInput, type SegmentCheckResult } from '../../shared/core/segment-check.ts';
import { readFileChunks, type ArchiveFile } from './archive.node.ts';
import { gunzipStrict, GzipFormatError } from './gzip.node.ts';

export interface SegmentJob {
  /** Position of the segment in the manifest. */
  seq: number;
  input: SegmentCheckInput;
  /** Index the entries too: the worker parses them and sends rows to the case database writer. */
  index?: { archiveId: number; kind: EventKind };
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
}

export type ProgressListener = (bytes: number, entries: number) => void;

async function* hashing(source: AsyncIterable<Uint8Array>, hash: ReturnType<typeof createHash>, count: (n: number) => void): AsyncGenerator<Uint8Array> {
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
  const count = (n: number) => {
    bytesRead += n;
    sinceReport += n;
    if (onProgress && sinceReport >= 1 << 22) {
      onProgress(sinceReport, 0);
      sinceReport = 0;
    }
  };

  const chain = job.chainFile ? hashing(readFileChunks(job.chainFile, 1 << 18), chainHash, count)[Symbol.asyncIterator]() : null;
  let chainEnded = chain === null;
  if (chain === null) checker.chainAbsent();
  const catchUp = async (all: boolean) => {
    while (!chainEnded && (all || checker.waitingForChain > 0)) {
      const next = await chain!.next();
      if (next.done) {
        chainEnded = true;
        checker.endChain();
      } else checker.pushChain(next.value);
    }
  };

  let unreadable: string | null = null;
  let segmentSha256: string | null = null;
  if (job.segmentFile) {
    const raw = hashing(readFileChunks(job.segmentFile), segHash, count);
    const content = job.input.segment.gzip ? gunzipStrict(raw, 'none') : raw;
    try {
      for await (const chunk of content) {
        checker.pushEntries(chunk);
        await catchUp(false);
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
  await catchUp(true);
  if (onProgress && sinceReport > 0) onProgress(sinceReport, 0);
  return {
    result: checker.finish(),
    segmentSha256,
    chainSha256: job.chainFile ? chainHash.digest('hex') : null,
    unreadable,
    bytesRead,
  };
}
