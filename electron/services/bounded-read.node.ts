// Reads the small files a user names (keys, anchors, proofs, passphrases, attestations): regular files only, never past their bound.
import { constants, type Stats } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';

/** Bounds of the files whose valid form is small; one byte more than the bound is what tells "too large". */
export const KEY_FILE_LIMIT = 64 << 10;
export const PASSPHRASE_FILE_LIMIT = 64 << 10;
/** Attestations and their statements handed back for checking: far above any report this tool writes, still bounded. */
export const ATTESTATION_FILE_LIMIT = 256 << 20;

/** A file named by the user that cannot be used as given: bad usage (exit 2), never a bug. */
export class InputFileError extends Error {
  override name = 'InputFileError';
  constructor(readonly path: string, message: string, readonly reason: 'unreadable' | 'not-regular' | 'too-large' = 'unreadable') {
    super(message);
  }
}

const PROBLEMS: Record<string, string> = {
  ENOENT: 'no such file or directory',
  ENOTDIR: 'a part of the path is not a directory',
  EISDIR: 'is a directory',
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  EEXIST: 'already exists',
  ENOSPC: 'no space left on the device',
  EDQUOT: 'disk quota exceeded',
  EFBIG: 'the file would be too large',
  ELOOP: 'too many levels of symbolic links',
  ENAMETOOLONG: 'the name is too long',
  EROFS: 'the file system is read-only',
  EMFILE: 'too many open files',
  ENFILE: 'too many open files in the system',
  EBUSY: 'the file is busy',
  ETXTBSY: 'the file is busy',
  EIO: 'input/output error',
  ENXIO: 'no such device or address',
  ENODEV: 'no such device',
  EXDEV: 'it is on another file system',
  ENOTEMPTY: 'the directory is not empty',
  EINVAL: 'invalid for this kind of file',
};

export type FsError = NodeJS.ErrnoException & { code: string };

/** A Node file-system error about the machine or the paths given (missing, not allowed, full), as opposed to a bug. */
export function isFsError(e: unknown): e is FsError {
  return e instanceof Error && typeof (e as NodeJS.ErrnoException).code === 'string' && (e as NodeJS.ErrnoException).code! in PROBLEMS && typeof (e as NodeJS.ErrnoException).syscall === 'string';
}

/** The problem in plain words ("no such file or directory"), or null when `e` is not a file-system error. */
export function fsProblem(e: unknown): string | null {
  return isFsError(e) ? PROBLEMS[e.code]! : null;
}

const VERBS: Record<string, string> = {
  open: 'open', read: 'read', stat: 'read', lstat: 'read', fstat: 'read', scandir: 'list', opendir: 'list', readlink: 'read',
  write: 'write', mkdir: 'create', mkdtemp: 'create a folder for', rename: 'move', unlink: 'remove', rmdir: 'remove', rm: 'remove',
  copyfile: 'copy', access: 'access', chmod: 'change', realpath: 'resolve',
};

/** One sentence for a file-system error: "cannot create a folder for /x/.y: no such file or directory". */
export function describeFsError(e: FsError): string {
  const verb = VERBS[e.syscall ?? ''] ?? e.syscall ?? 'use';
  const path = e.path ?? '';
  const dest = (e as { dest?: string }).dest;
  return `cannot ${verb} ${path}${dest ? ` to ${dest}` : ''}: ${PROBLEMS[e.code]}`.replace(/ {2,}/g, ' ');
}

function kindOf(s: Stats): string {
  if (s.isDirectory()) return 'a directory';
  if (s.isCharacterDevice() || s.isBlockDevice()) return 'a device';
  if (s.isFIFO()) return 'a FIFO';
  if (s.isSocket()) return 'a socket';
  return 'not a regular file';
}

/** "4 KiB", "1 MiB": bounds are powers of two. */
export function sizeText(n: number): string {
  if (n >= 1 << 20 && n % (1 << 20) === 0) return `${n / (1 << 20)} MiB`;
  if (n >= 1 << 10 && n % (1 << 10) === 0) return `${n / (1 << 10)} KiB`;
  return `${n} bytes`;
}

/**
 * Opens a file the user named, for reading, and checks it is a regular file. O_NONBLOCK keeps a FIFO
 * from blocking the open (it is then refused by its type); it changes nothing for a regular file.
 * `what` names the file in messages, e.g. "--trust key file".
 */
export async function openRegularFile(path: string, what: string): Promise<{ fh: FileHandle; size: number }> {
  let fh: FileHandle;
  try {
    fh = await open(path, constants.O_RDONLY | constants.O_NONBLOCK | constants.O_NOCTTY);
  } catch (e) {
    if (isFsError(e)) throw new InputFileError(path, `cannot read ${what} ${path}: ${PROBLEMS[e.code]}`);
    throw e;
  }
  try {
    const s = await fh.stat();
    if (!s.isFile()) throw new InputFileError(path, `${what} ${path} is ${kindOf(s)}, not a regular file`, 'not-regular');
    return { fh, size: s.size };
  } catch (e) {
    await fh.close();
    throw e;
  }
}

/**
 * The whole file, when it is a regular file of at most `limit` bytes. It reads at most limit + 1
 * bytes whatever the size claims (a file can grow while read), so no input makes it read more.
 */
export async function readBoundedFile(path: string, limit: number, what: string): Promise<Uint8Array> {
  const { fh, size } = await openRegularFile(path, what);
  const tooLarge = () => new InputFileError(path, `${what} ${path} is larger than ${sizeText(limit)}, more than any valid one; refused`, 'too-large');
  try {
    if (size > limit) throw tooLarge();
    const buf = Buffer.allocUnsafe(Math.min(limit + 1, Math.max(size + 1, 4096)));
    let n = 0;
    for (;;) {
      if (n === buf.length) {
        if (n > limit) throw tooLarge();
        return readRest(fh, buf, n, limit, tooLarge);
      }
      const { bytesRead } = await fh.read(buf, n, buf.length - n, null);
      if (bytesRead === 0) break;
      n += bytesRead;
    }
    if (n > limit) throw tooLarge();
    return new Uint8Array(buf.buffer, buf.byteOffset, n);
  } catch (e) {
    if (isFsError(e)) throw new InputFileError(path, `cannot read ${what} ${path}: ${PROBLEMS[e.code]}`);
    throw e;
  } finally {
    await fh.close();
  }
}

/** A file that grew past its stated size: keep reading in bounded steps up to limit + 1. */
async function readRest(fh: FileHandle, first: Buffer, have: number, limit: number, tooLarge: () => Error): Promise<Uint8Array> {
  const parts: Buffer[] = [first.subarray(0, have)];
  let n = have;
  for (;;) {
    const chunk = Buffer.allocUnsafe(Math.min(1 << 20, limit + 1 - n));
    const { bytesRead } = await fh.read(chunk, 0, chunk.length, null);
    if (bytesRead === 0) break;
    parts.push(chunk.subarray(0, bytesRead));
    n += bytesRead;
    if (n > limit) throw tooLarge();
  }
  return new Uint8Array(Buffer.concat(parts, n));
}

/** The file as UTF-8 text (see readBoundedFile). */
export async function readBoundedText(path: string, limit: number, what: string): Promise<string> {
  return Buffer.from(await readBoundedFile(path, limit, what)).toString('utf8');
}
