// The writer's failures that are the machine's (full disk, read-only, locked, not a database) become one sentence naming the case database; anything else stays a bug.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CaseDatabaseError, writerFailure } from '../../../../electron/services/index/case-errors.node.ts';

test('SQLite and errno codes map to the reason in words; unknown codes and no code stay errors of the tool', () => {
  const cases: [string | undefined, string | null][] = [
    ['SQLITE_CANTOPEN', 'it cannot be created or opened there'],
    ['SQLITE_READONLY_DBMOVED', 'it, or its folder, is read-only'],
    ['EROFS', 'it, or its folder, is read-only'],
    ['SQLITE_FULL', 'the disk is full'],
    ['ENOSPC', 'the disk is full'],
    ['SQLITE_IOERR_WRITE', 'the disk failed to read or write it'],
    ['EACCES', 'permission denied'],
    ['SQLITE_BUSY', 'another program is using it; close that program and try again'],
    ['SQLITE_NOTADB', 'it is not an SQLite database'],
    ['SQLITE_CORRUPT_INDEX', 'the file is damaged'],
    ['SQLITE_FULLX', null],
    ['SQLITE_CONSTRAINT_UNIQUE', null],
    ['ERR_INVALID_ARG_TYPE', null],
    [undefined, null],
  ];
  for (const [code, reason] of cases) {
    const e = writerFailure('/cases/c.sqlite', 'what SQLite said', code);
    if (reason === null) {
      assert.equal(e instanceof CaseDatabaseError, false, String(code));
      assert.equal(e.message, 'index writer: what SQLite said');
    } else {
      assert.ok(e instanceof CaseDatabaseError, String(code));
      assert.equal(e.message, `case database /cases/c.sqlite: ${reason} (what SQLite said)`);
    }
  }
});
