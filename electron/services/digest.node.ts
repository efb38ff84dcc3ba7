// The evidence digest of an archive as received (spec §1), computed with progress before anything else is read.
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { lstat, readdir, open } from 'node:fs/promises';
import { basename, join } from 'node:path';
import type { ArchiveDigest } from '../../shared/api.ts';
import { NotAnArchiveError } from './archive.node.ts';

export type DigestProgress = (bytesDone: number, bytesTotal: number) => void;
type Algorithm = 'sha256' | 'sha512';

/** Regular files below `dir`, never following links (the verifier reports those as unsafe members), in spec §1 order: by UTF-8 bytes. */
async function regularFiles(dir: string): Promise<{ rel: string; size: number }[]> {
  const files: { rel: string; size: number }[] = [];
  const walk = async (rel: string): Promise<void> => {
    for (const e of await readdir(join(dir, rel), { withFileTypes: true })) {
      const p = rel ? `${rel}/${e.name}` : e.name;
      if (e.isDirectory()) await walk(p);
      else if (e.isFile()) files.push({ rel: p, size: (await lstat(join(dir, p))).size });
    }
  };
  await walk('');
  return files.sort((x, y) => Buffer.compare(Buffer.from(x.rel, 'utf8'), Buffer.from(y.rel, 'utf8')));
}

/** Every algorithm over one read of the file. */
async function hashFile<A extends Algorithm>(path: string, algorithms: readonly A[], onBytes: (n: number) => void): Promise<Record<A, string>> {
  const hashes = algorithms.map((a) => createHash(a));
  for await (const chunk of createReadStream(path, { highWaterMark: 1 << 20 })) {
    for (const h of hashes) h.update(chunk as Buffer);
    onBytes((chunk as Buffer).length);
  }
  return Object.fromEntries(algorithms.map((a, i) => [a, hashes[i]!.digest('hex')])) as Record<A, string>;
}

export interface EvidenceDigests<A extends Algorithm> {
  digestOf: 'file' | 'tree';
  bytes: number;
  /** Per algorithm: of the file, or for a directory the spec §1 tree digest built with that algorithm
   * (`find . -type f -print0 | LC_ALL=C sort -z | xargs -0 sha256sum | sha256sum`, likewise sha512sum). */
  digests: Record<A, string>;
  /** For a file its base name, for a directory each regular file's path inside it, with its own digests. */
  files: ({ name: string } & Record<A, string>)[];
}

/** The one walk-and-hash of evidence as received, for the app's import digest, the attestation and the self-test cases. */
export async function evidenceDigests<A extends Algorithm>(path: string, algorithms: readonly A[], onProgress?: DigestProgress): Promise<EvidenceDigests<A>> {
  const st = await lstat(path).catch(() => {
    throw new NotAnArchiveError(`${path}: no such file or directory`);
  });
  let done = 0;
  if (st.isFile()) {
    const d = await hashFile(path, algorithms, (n) => onProgress?.((done += n), st.size));
    return { digestOf: 'file', bytes: st.size, digests: d, files: [{ name: basename(path), ...d }] };
  }
  if (!st.isDirectory()) throw new NotAnArchiveError(`${path}: not a directory, tar or gzip file`);
  const list = await regularFiles(path);
  const total = list.reduce((n, f) => n + f.size, 0);
  const trees = algorithms.map((a) => createHash(a));
  const files: EvidenceDigests<A>['files'] = [];
  for (const f of list) {
    const d = await hashFile(join(path, f.rel), algorithms, (n) => onProgress?.((done += n), total));
    algorithms.forEach((a, i) => trees[i]!.update(`${d[a]}  ./${f.rel}\n`));
    files.push({ name: f.rel, ...d });
  }
  return { digestOf: 'tree', bytes: total, digests: Object.fromEntries(algorithms.map((a, i) => [a, trees[i]!.digest('hex')])) as Record<A, string>, files };
}

export async function digestArchive(path: string, onProgress?: DigestProgress): Promise<ArchiveDigest> {
  const d = await evidenceDigests(path, ['sha256'], onProgress);
  let container: ArchiveDigest['container'] = 'directory';
  if (d.digestOf === 'file') {
    const fh = await open(path, 'r');
    const head = new Uint8Array(2);
    await fh.read(head, 0, 2, 0).finally(() => fh.close());
    container = head[0] === 0x1f && head[1] === 0x8b ? 'tar.gz' : 'tar';
  }
  return { path, container, bytes: d.bytes, files: d.files.length, sha256: d.digests.sha256 };
}
