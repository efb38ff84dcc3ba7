// Checks of the paths a command writes or opens as a case database, before any work: never inside the evidence, never over a file that is not ours.
import { realpathSync, statSync, openSync, readSync, closeSync, constants } from 'node:fs';
import { basename, dirname, resolve, sep } from 'node:path';
import { openSqlite } from '../services/index/sqlite-binding.node.ts';
import { UsageError } from '../services/keys.node.ts';

function realOrNull(p: string): string | null {
  try {
    return realpathSync(p);
  } catch {
    return null;
  }
}

/** Where `p` would be once written: its folder resolved through links (when it exists), then its name. */
function realTarget(p: string): string {
  const real = realOrNull(p);
  if (real) return real;
  const folder = realOrNull(dirname(resolve(p)));
  return folder ? resolve(folder, basename(p)) : resolve(p);
}

/** Evidence is never written: refuses an output path that is the evidence file or lies under the evidence folder. */
export function refuseInsideEvidence(out: string, evidence: string, what: string): void {
  const root = realOrNull(evidence);
  if (root === null) return; // the evidence's own absence is reported by the command
  const target = realTarget(out);
  const isDir = statSync(root).isDirectory();
  if (target === root || (isDir && target.startsWith(root.endsWith(sep) ? root : root + sep))) {
    throw new UsageError(`${what} ${out} is inside the evidence ${evidence}; evidence is never written, choose a path outside it`);
  }
}

/** The folder an output goes into must exist: a clear sentence instead of an error from deep inside the write. */
export function requireOutputFolder(out: string, what: string): void {
  const folder = dirname(resolve(out));
  let s;
  try {
    s = statSync(folder);
  } catch {
    throw new UsageError(`${what} ${out}: the folder ${dirname(out)} does not exist`);
  }
  if (!s.isDirectory()) throw new UsageError(`${what} ${out}: ${dirname(out)} is not a folder`);
}

const SQLITE_MAGIC = Buffer.from('SQLite format 3\0', 'latin1');

type DbShape = 'absent' | 'empty' | 'case' | 'empty-sqlite';

/**
 * What is at `path` as a case database: absent, a 0-byte file, an SQLite database without tables, or
 * a Sealcheck case database (it has the schema_migrations and archives tables). Anything else (a
 * directory, a device, a file that is not SQLite, someone else's database) is refused with one sentence.
 */
function caseDatabaseShape(path: string, what: string): DbShape {
  let s;
  try {
    s = statSync(path);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return 'absent';
    throw new UsageError(`${what} ${path}: cannot read it (${(e as NodeJS.ErrnoException).code})`);
  }
  if (s.isDirectory()) throw new UsageError(`${what} ${path} is a directory, not a case database`);
  if (!s.isFile()) throw new UsageError(`${what} ${path} is not a regular file, not a case database`);
  if (s.size === 0) return 'empty';
  const head = Buffer.alloc(SQLITE_MAGIC.length);
  let fd: number;
  try {
    fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (e) {
    throw new UsageError(`${what} ${path}: cannot read it (${(e as NodeJS.ErrnoException).code})`);
  }
  try {
    readSync(fd, head, 0, head.length, 0);
  } finally {
    closeSync(fd);
  }
  if (!head.equals(SQLITE_MAGIC)) throw new UsageError(`${what} ${path} is not an SQLite database, so not a case database`);
  let tables: string[];
  try {
    const db = openSqlite(path, { readonly: true, fileMustExist: true });
    try {
      tables = (db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all() as { name: string }[]).map((r) => r.name);
    } finally {
      db.close();
    }
  } catch (e) {
    throw new UsageError(`${what} ${path} is not a readable SQLite database: ${(e as Error).message}`);
  }
  if (tables.length === 0) return 'empty-sqlite';
  if (!tables.includes('schema_migrations') || !tables.includes('archives')) {
    throw new UsageError(`${what} ${path} is an SQLite database but not a Sealcheck case database (no archives table)`);
  }
  return 'case';
}

/** `query CASE.sqlite`: an existing case database. */
export function requireCaseDatabase(path: string, what: string): void {
  const shape = caseDatabaseShape(path, what);
  if (shape === 'absent') throw new UsageError(`${what} ${path}: no such file`);
  if (shape !== 'case') throw new UsageError(`${what} ${path} is an empty database, not a case database (make one with verify --index)`);
}

/** `--index CASE.sqlite` to write: absent (made), empty, or a case database; never inside the evidence. */
export function checkIndexTarget(path: string, evidence: string, what: string): void {
  refuseInsideEvidence(path, evidence, what);
  if (caseDatabaseShape(path, what) === 'absent') requireOutputFolder(path, what);
}
