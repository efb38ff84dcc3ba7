// The evidence digest of an archive as received (spec §1), computed with progress before anything else is read.
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { lstat, readdir, open } from 'node:fs/promises';
import { join } from 'node:path';
import type { ArchiveDigest } from '../../shared/api.ts';
import { NotAnArchiveError, treeDigest } from './archive.node.ts';

export type DigestProgress = (bytesDone: number, bytesTotal: number) => void;

async function hashFile(path: string, onBytes: (n: number) => void): Promise<string> {
  const h = createHash('sha256');
  for await (const chunk of createReadStream(path, { highWaterMark: 1 << 20 })) {
    h.update(chunk as Buffer);
    onBytes((chunk as Buffer).length);
  }
  return h.digest('hex');
}

export async function digestArchive(path: string, onProgress?: DigestProgress): Promise<ArchiveDigest> {
  const st = await lstat(path).catch(() => {
    throw new NotAnArchiveError(`${path}: no such file or directory`);
  });
  let done = 0;
  if (st.isFile()) {
    const fh = await open(path, 'r');
    const head = new Uint8Array(2);
    await fh.read(head, 0, 2, 0);
    await fh.close();
    const sha256 = await hashFile(path, (n) => onProgress?.((done += n), st.size));
    return { path, container: head[0] === 0x1f && head[1] === 0x8b ? 'tar.gz' : 'tar', bytes: st.size, files: 1, sha256 };
  }
  if (!st.isDirectory()) throw new NotAnArchiveError(`${path}: not a directory, tar or gzip file`);
  // Regular files only, never following links (the verifier reports those as unsafe members).
  const files: { rel: string; size: number }[] = [];
  const walk = async (rel: string): Promise<void> => {
    for (const e of await readdir(join(path, rel), { withFileTypes: true })) {
      const p = rel ? `${rel}/${e.name}` : e.name;
      if (e.isDirectory()) await walk(p);
      else if (e.isFile()) files.push({ rel: p, size: (await lstat(join(path, p))).size });
    }
  };
  await walk('');
  const total = files.reduce((n, f) => n + f.size, 0);
  const hashes = new Map<string, string>();
  for (const f of files) hashes.set(f.rel, await hashFile(join(path, f.rel), (n) => onProgress?.((done += n), total)));
  return { path, container: 'directory', bytes: total, files: files.length, sha256: treeDigest(hashes) };
}

/**
 * SHA-256 and SHA-512 of the evidence as received: of the file, or for a directory the tree digest
 * of spec §1 built with each algorithm (equal to `find . -type f -print0 | LC_ALL=C sort -z | xargs -0 sha512sum | sha512sum`).
 */
export async function evidenceDigests(path: string): Promise<{ sha256: string; sha512: string; digestOf: 'file' | 'tree'; bytes: number }> {
  const st = await lstat(path);
  const both = async (file: string) => {
    const a = createHash('sha256');
    const b = createHash('sha512');
    for await (const chunk of createReadStream(file, { highWaterMark: 1 << 20 })) {
      a.update(chunk as Buffer);
      b.update(chunk as Buffer);
    }
    return { sha256: a.digest('hex'), sha512: b.digest('hex') };
  };
  if (st.isFile()) return { ...(await both(path)), digestOf: 'file', bytes: st.size };
  const files: string[] = [];
  let bytes = 0;
  const walk = async (rel: string): Promise<void> => {
    for (const e of await readdir(join(path, rel), { withFileTypes: true })) {
      const p = rel ? `${rel}/${e.name}` : e.name;
      if (e.isDirectory()) await walk(p);
      else if (e.isFile()) {
        files.push(p);
        bytes += (await lstat(join(path, p))).size;
      }
    }
  };
  await walk('');
  files.sort((x, y) => Buffer.compare(Buffer.from(x, 'utf8'), Buffer.from(y, 'utf8')));
  const t256 = createHash('sha256');
  const t512 = createHash('sha512');
  for (const f of files) {
    const d = await both(join(path, f));
    t256.update(`${d.sha256}  ./${f}\n`);
    t512.update(`${d.sha512}  ./${f}\n`);
  }
  return { sha256: t256.digest('hex'), sha512: t512.digest('hex'), digestOf: 'tree', bytes };
}
