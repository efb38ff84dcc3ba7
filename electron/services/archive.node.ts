// Opens an archive read-only (directory, .tar, .tar.gz by content): lists members, applies spec §1 safety rules, finds the root.
import { createHash } from 'node:crypto';
import { createReadStream, type Stats } from 'node:fs';
import { lstat, open, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { finding, type Finding } from '../../shared/core/findings.ts';
import type { ContainerKind } from '../../shared/core/report.ts';
import { TarParser, tarRoot, unsafeMembers, TarFormatError, type TarMember } from '../../shared/core/tar.ts';
import { gunzipStrict, GzipFormatError } from './gzip.node.ts';

/** The path is not a directory, tar or gzip file at all: bad usage (exit 2), not a verdict. */
export class NotAnArchiveError extends Error {
  override name = 'NotAnArchiveError';
}

export interface ArchiveFile {
  /** Path relative to the archive root. */
  path: string;
  size: number;
  /** Where its bytes are: a file on disk, or a range of a plain tar file. */
  fsPath: string;
  start: number;
  /** tar.gz members are reachable only by streaming the whole container again. */
  randomAccess: boolean;
}

export interface OpenedArchive {
  path: string;
  kind: ContainerKind;
  /** archive-unreadable and archive-unsafe-member findings: when any, nothing else is read. */
  fatal: Finding[];
  /** Archive root found (spec §1); false gives manifest-missing. */
  hasManifest: boolean;
  /** For a tar: the first component P when the archive root is P/ (spec §1), else ''. */
  root: string;
  files: Map<string, ArchiveFile>;
  /** Contents of manifest.json and of small files under checkpoints/, read with the headers. */
  small: Map<string, Uint8Array>;
  /** SHA-256 hex of a tar or tar.gz file; for a directory the tree digest is computed after the file hashes. */
  containerSha256: string | null;
  containerBytes: number;
}

export const SMALL_FILE_LIMIT = (1 << 20) + 1; // a checkpoint over 1 MiB is malformed; one byte more tells so
export const MANIFEST_LIMIT = 64 << 20;

/** Files read whole with the headers: the manifest, and checkpoints (up to one byte past their limit). */
function smallLimit(path: string): number {
  return path === 'manifest.json' ? MANIFEST_LIMIT : path.startsWith('checkpoints/') ? SMALL_FILE_LIMIT : -1;
}

export async function openArchive(path: string): Promise<OpenedArchive> {
  let st: Stats;
  try {
    st = await lstat(path);
  } catch (e) {
    throw new NotAnArchiveError(`${path}: ${(e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file or directory' : (e as Error).message}`);
  }
  if (st.isDirectory()) return openDirectory(path);
  if (!st.isFile()) throw new NotAnArchiveError(`${path}: not a directory, tar or gzip file`);
  const head = await readHead(path, 512);
  if (head[0] === 0x1f && head[1] === 0x8b) return openTar(path, 'tar.gz', st.size);
  if (!looksLikeTar(head)) throw new NotAnArchiveError(`${path}: not a directory, tar or gzip file`);
  return openTar(path, 'tar', st.size);
}

async function readHead(path: string, n: number): Promise<Uint8Array> {
  const fh = await open(path, 'r');
  try {
    const buf = new Uint8Array(n);
    const { bytesRead } = await fh.read(buf, 0, n, 0);
    return buf.subarray(0, bytesRead);
  } finally {
    await fh.close();
  }
}

/** A ustar magic, or a first block whose header checksum adds up (old V7 tar). */
function looksLikeTar(block: Uint8Array): boolean {
  if (block.length < 512) return false;
  const magic = String.fromCharCode(...block.subarray(257, 262));
  if (magic === 'ustar') return true;
  const stored = parseInt(String.fromCharCode(...block.subarray(148, 156)).replace(/[\0 ]+$/g, '').trim(), 8);
  if (!Number.isFinite(stored)) return false;
  let sum = 0;
  for (let i = 0; i < 512; i++) sum += i >= 148 && i < 156 ? 32 : block[i]!;
  return sum === stored;
}

// ---------- directories ----------

async function openDirectory(root: string): Promise<OpenedArchive> {
  const fatal: Finding[] = [];
  const files = new Map<string, ArchiveFile>();
  const small = new Map<string, Uint8Array>();
  const walk = async (rel: string): Promise<void> => {
    const entries = await readdir(join(root, rel), { withFileTypes: true });
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const e of entries) {
      const p = rel ? `${rel}/${e.name}` : e.name;
      // One finding per unsafe member; regular files under unsafe names are still listed, as the
      // tree digest covers every regular file under the directory (spec §1).
      const reasons: string[] = [];
      if (e.name.includes('\n')) reasons.push('its name contains a line feed');
      if (e.name.includes('\\')) reasons.push('its name contains a backslash');
      if (e.isDirectory()) await walk(p);
      else if (e.isFile()) {
        const st = await lstat(join(root, p));
        files.set(p, { path: p, size: st.size, fsPath: join(root, p), start: 0, randomAccess: true });
      } else reasons.unshift(`it is ${e.isSymbolicLink() ? 'a symbolic link' : e.isFIFO() ? 'a FIFO' : e.isSocket() ? 'a socket' : 'a device'}`);
      if (reasons.length) fatal.push(finding('archive-unsafe-member', `${JSON.stringify(p)} is unsafe: ${reasons.join('; ')}`, { file: p }));
    }
  };
  await walk('');
  if (fatal.length === 0) {
    for (const f of files.values()) {
      const limit = smallLimit(f.path);
      if (limit >= 0) small.set(f.path, await readRange(f.fsPath, 0, Math.min(f.size, limit)));
    }
  }
  return { path: root, kind: 'directory', fatal, hasManifest: files.has('manifest.json'), root: '', files, small, containerSha256: null, containerBytes: 0 };
}

// ---------- tar and tar.gz ----------

async function* hashed(path: string, hash: ReturnType<typeof createHash>): AsyncGenerator<Uint8Array> {
  for await (const chunk of createReadStream(path, { highWaterMark: 1 << 20 })) {
    hash.update(chunk as Buffer);
    yield chunk as Buffer;
  }
}

/**
 * The data chunks of the tar members `wanted` accepts, in one sequential pass (a tar.gz member is
 * reachable only by decompressing up to it); used to re-read one chain file or segment after verification.
 */
export async function readTarMember(path: string, kind: 'tar' | 'tar.gz', wanted: (memberPath: string) => boolean): Promise<Uint8Array[]> {
  const parts: Uint8Array[] = [];
  const parser = new TarParser({ member() {}, data: (m, chunk) => void (wanted(m.path) && parts.push(chunk.slice())) });
  for await (const chunk of tarStream(path, kind)) parser.push(chunk);
  return parts;
}

/** The decompressed tar stream of a tar or tar.gz file. */
export function tarStream(path: string, kind: 'tar' | 'tar.gz', hash = createHash('sha256')): AsyncIterable<Uint8Array> {
  const raw = hashed(path, hash);
  return kind === 'tar.gz' ? gunzipStrict(raw, 'zeros') : raw;
}

async function openTar(path: string, kind: 'tar' | 'tar.gz', size: number): Promise<OpenedArchive> {
  const members: TarMember[] = [];
  const captured = new Map<TarMember, Uint8Array[]>();
  const parser = new TarParser({
    member(m) {
      members.push(m);
      // The root is known only after every header; capture what could be the manifest or a checkpoint under any root.
      if (m.kind === 'file' && /(^|\/)(manifest\.json$|checkpoints\/)/.test(m.path)) captured.set(m, []);
    },
    data(m, chunk) {
      const parts = captured.get(m);
      if (parts && chunk.length && capturedBytes(parts) < MANIFEST_LIMIT) parts.push(chunk.slice());
    },
  });
  let hash = createHash('sha256');
  const fatal: Finding[] = [];
  try {
    for await (const chunk of tarStream(path, kind, hash)) parser.push(chunk);
    parser.end();
  } catch (e) {
    if (!(e instanceof TarFormatError || e instanceof GzipFormatError)) throw e;
    fatal.push(finding('archive-unreadable', `${kind === 'tar.gz' ? 'compressed tar' : 'tar'} is unreadable: ${e.message}`, { file: path }));
    // Reading stopped part-way; the evidence digest is still the SHA-256 of the whole file (spec §1).
    hash = createHash('sha256');
    for await (const chunk of createReadStream(path, { highWaterMark: 1 << 20 })) hash.update(chunk as Buffer);
  }
  for (const u of unsafeMembers(members)) fatal.push(finding('archive-unsafe-member', `unsafe member ${JSON.stringify(u.rawName)}: ${u.reason}`, { file: u.rawName }));
  const root = fatal.length ? null : tarRoot(members);
  const files = new Map<string, ArchiveFile>();
  const small = new Map<string, Uint8Array>();
  if (root !== null) {
    const prefix = root === '' ? '' : `${root}/`;
    for (const m of members) {
      if (m.kind !== 'file' || !m.path.startsWith(prefix)) continue;
      const rel = m.path.slice(prefix.length);
      files.set(rel, { path: rel, size: m.size, fsPath: path, start: m.dataOffset, randomAccess: kind === 'tar' });
      const parts = captured.get(m);
      const limit = smallLimit(rel);
      if (parts && limit >= 0) small.set(rel, Buffer.concat(parts).subarray(0, limit));
    }
  }
  return { path, kind, fatal, hasManifest: root !== null, root: root ?? '', files, small, containerSha256: hash.digest('hex'), containerBytes: size };
}

function capturedBytes(parts: Uint8Array[]): number {
  return parts.reduce((n, p) => n + p.length, 0);
}

export async function readRange(fsPath: string, start: number, length: number): Promise<Uint8Array> {
  const fh = await open(fsPath, 'r');
  try {
    const buf = Buffer.alloc(length);
    let done = 0;
    while (done < length) {
      const { bytesRead } = await fh.read(buf, done, length - done, start + done);
      if (bytesRead === 0) throw new Error(`${fsPath}: file shrank while reading`);
      done += bytesRead;
    }
    return buf;
  } finally {
    await fh.close();
  }
}

/** Streams a member's bytes (random-access kinds only). */
export async function* readFileChunks(f: ArchiveFile, chunkSize = 1 << 20): AsyncGenerator<Uint8Array> {
  if (f.size === 0) return;
  yield* createReadStream(f.fsPath, { start: f.start, end: f.start + f.size - 1, highWaterMark: chunkSize }) as AsyncIterable<Buffer>;
}

/** Spec §1 tree digest: SHA-256 over "<hex>  ./<path>\n" lines sorted by the UTF-8 bytes of the path. */
export function treeDigest(fileHashes: Map<string, string>): string {
  const paths = [...fileHashes.keys()].sort((a, b) => Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8')));
  const h = createHash('sha256');
  for (const p of paths) h.update(`${fileHashes.get(p)!}  ./${p}\n`);
  return h.digest('hex');
}
