// Reads one indexed entry's exact bytes back from the evidence (read-only) and re-hashes them against the indexed leaf.
import type Database from 'better-sqlite3';
import { bytesEqual, fromHexStrict, toHex } from '../../../shared/core/bytes.ts';
import { openArchive, readFileChunks, readRange, readTarMember, type OpenedArchive } from '../archive.node.ts';
import { nodeHashing } from '../crypto.node.ts';
import { gunzipStrict } from '../gzip.node.ts';
import { getEventRow, type EventRow } from './query.node.ts';

export interface RawEntry {
  event: EventRow;
  /** The entry's bytes as stored, or null when the evidence is gone or changed size. */
  bytes: Uint8Array | null;
  /** SHA-256(0x00 || bytes) now, in hex. */
  leafNow: string | null;
  /** Whether the bytes still hash to the leaf recorded when the entry was indexed. */
  matches: boolean;
  problem: string | null;
}

/** Skips `offset` bytes of a stream and returns the next `length`. */
async function slice(stream: AsyncIterable<Uint8Array>, offset: number, length: number): Promise<Uint8Array | null> {
  const out = new Uint8Array(length);
  let pos = 0;
  let got = 0;
  for await (const chunk of stream) {
    const end = pos + chunk.length;
    if (end > offset && got < length) {
      const from = Math.max(0, offset - pos);
      const take = Math.min(chunk.length - from, length - got);
      out.set(chunk.subarray(from, from + take), got);
      got += take;
    }
    pos = end;
    if (got === length) return out;
  }
  return got === length ? out : null;
}

export class EvidenceReader {
  private readonly opened = new Map<string, Promise<OpenedArchive>>();

  private open(path: string): Promise<OpenedArchive> {
    let o = this.opened.get(path);
    if (!o) this.opened.set(path, (o = openArchive(path)));
    return o;
  }

  async entry(db: Database.Database, archiveId: number, index: number): Promise<RawEntry | null> {
    const event = getEventRow(db, archiveId, index);
    if (!event) return null;
    const a = db.prepare('SELECT path FROM archives WHERE id = ?').get(archiveId) as { path: string };
    let bytes: Uint8Array | null = null;
    let problem: string | null = null;
    try {
      const opened = await this.open(a.path);
      const file = opened.files.get(event.segment);
      if (!file) problem = `${event.segment} is no longer in ${a.path}`;
      else if (!event.segment.endsWith('.gz') && file.randomAccess) {
        bytes = file.size >= event.offset + event.length ? await readRange(file.fsPath, file.start + event.offset, event.length) : null;
      } else {
        const raw = file.randomAccess ? readFileChunks(file) : (async function* () { yield* await readTarMember(opened.path, 'tar.gz', (m) => m === (opened.root ? `${opened.root}/${event.segment}` : event.segment)); })();
        bytes = await slice(event.segment.endsWith('.gz') ? gunzipStrict(raw, 'none') : raw, event.offset, event.length);
      }
      if (!bytes && !problem) problem = `${event.segment} is shorter than when it was indexed`;
    } catch (e) {
      problem = e instanceof Error ? e.message : String(e);
    }
    const leafNow = bytes ? nodeHashing.leaf(bytes) : null;
    return { event, bytes, leafNow: leafNow && toHex(leafNow), matches: leafNow !== null && bytesEqual(leafNow, fromHexStrict(event.leaf)!), problem };
  }
}
