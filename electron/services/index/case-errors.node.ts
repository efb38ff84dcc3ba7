// Why a case database could not be written, in words, for failures that are the machine's (disk full, read-only, locked) rather than a bug.

/** A case database that cannot be created, opened or written where the user asked: theirs to fix, exit 2. */
export class CaseDatabaseError extends Error {}

/** SQLite result codes (better-sqlite3's SqliteError.code, extended codes by prefix) and errno codes. */
const REASONS: readonly [RegExp, string][] = [
  [/^SQLITE_CANTOPEN/, 'it cannot be created or opened there'],
  [/^(SQLITE_READONLY|EROFS$)/, 'it, or its folder, is read-only'],
  [/^(SQLITE_FULL$|ENOSPC$|EDQUOT$)/, 'the disk is full'],
  [/^(SQLITE_IOERR|EIO$)/, 'the disk failed to read or write it'],
  [/^(SQLITE_PERM$|SQLITE_AUTH$|EACCES$|EPERM$)/, 'permission denied'],
  [/^(SQLITE_BUSY|SQLITE_LOCKED)/, 'another program is using it; close that program and try again'],
  [/^SQLITE_NOTADB$/, 'it is not an SQLite database'],
  [/^SQLITE_CORRUPT/, 'the file is damaged'],
];

/**
 * The error for a failure of the case-database writer at `dbPath` (it runs in a thread of its own,
 * so only the code and message arrive): a CaseDatabaseError naming the database and the reason when
 * the code is the machine's, else an Error that stays a bug.
 */
export function writerFailure(dbPath: string, message: string, code: string | undefined): Error {
  const reason = code === undefined ? undefined : REASONS.find(([re]) => re.test(code))?.[1];
  return reason ? new CaseDatabaseError(`case database ${dbPath}: ${reason} (${message})`) : new Error(`index writer: ${message}`);
}

/** The code of a thrown value, when it has one (SqliteError, a Node file-system error). */
export function errorCode(e: unknown): string | undefined {
  const code = (e as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}
