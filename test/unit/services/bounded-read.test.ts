// The one reader of bounded files: regular files only, never more than bound + 1 bytes; file-system errors in plain words; entry files hashed as they stream.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdir, writeFile, open } from 'node:fs/promises';
import { join } from 'node:path';
import { InputFileError, describeFsError, fsProblem, isFsError, readBoundedFile, readBoundedText } from '../../../electron/services/bounded-read.node.ts';
import { digestEntryFile, entryDigest } from '../../../electron/services/proof.node.ts';
import { MAX_LINE_BYTES } from '../../../shared/core/segment-check.ts';
import { TempDirs } from '../../helpers/archives.ts';

const temp = new TempDirs();
after(() => temp.cleanup());

async function refused(p: Promise<unknown>, reason: InputFileError['reason'], message: string) {
  await assert.rejects(p, (e: unknown) => {
    assert.ok(e instanceof InputFileError, String(e));
    assert.equal(e.reason, reason);
    assert.equal(e.message, message);
    return true;
  });
}

test('readBoundedFile: the whole file up to the bound; one byte more, a directory, a device, a FIFO or a missing file are refused by name', async () => {
  const dir = await temp.make('bounded');
  await writeFile(join(dir, 'ten'), '0123456789');
  assert.equal(await readBoundedText(join(dir, 'ten'), 10, 'key file'), '0123456789');
  assert.equal((await readBoundedFile(join(dir, 'ten'), 10_000, 'key file')).length, 10);
  await refused(readBoundedFile(join(dir, 'ten'), 9, 'key file'), 'too-large', `key file ${join(dir, 'ten')} is larger than 9 bytes, more than any valid one; refused`);
  await mkdir(join(dir, 'd'));
  await refused(readBoundedFile(join(dir, 'd'), 10, 'anchor'), 'not-regular', `anchor ${join(dir, 'd')} is a directory, not a regular file`);
  await refused(readBoundedFile('/dev/zero', 1 << 20, 'anchor'), 'not-regular', 'anchor /dev/zero is a device, not a regular file');
  execFileSync('mkfifo', [join(dir, 'fifo')]);
  await refused(readBoundedFile(join(dir, 'fifo'), 10, 'proof'), 'not-regular', `proof ${join(dir, 'fifo')} is a FIFO, not a regular file`);
  await refused(readBoundedFile(join(dir, 'nope'), 10, 'proof'), 'unreadable', `cannot read proof ${join(dir, 'nope')}: no such file or directory`);
  await refused(readBoundedFile(join(dir, 'ten', 'x'), 10, 'proof'), 'unreadable', `cannot read proof ${join(dir, 'ten', 'x')}: a part of the path is not a directory`);
  assert.equal((await readBoundedFile(join(dir, 'ten'), 10, 'x')).length, 10);
});

test('a file whose size says 0 (procfs) is still read only to bound + 1', async () => {
  // /proc/self/status reports size 0 and holds about a kilobyte.
  await refused(readBoundedFile('/proc/self/status', 100, 'key file'), 'too-large', 'key file /proc/self/status is larger than 100 bytes, more than any valid one; refused');
  assert.match(await readBoundedText('/proc/self/status', 1 << 20, 'key file'), /^Name:/);
});

test('file-system errors: told apart from bugs, and said in one sentence', async () => {
  const dir = await temp.make('fs');
  let err: unknown;
  try {
    await open(join(dir, 'missing', 'x'), 'w');
  } catch (e) {
    err = e;
  }
  assert.ok(isFsError(err));
  assert.equal(fsProblem(err), 'no such file or directory');
  assert.equal(describeFsError(err), `cannot open ${join(dir, 'missing', 'x')}: no such file or directory`);
  assert.equal(isFsError(new Error('no such table: archives')), false);
  assert.equal(isFsError(Object.assign(new Error('x'), { code: 'ERR_INVALID_ARG_TYPE' })), false);
});

test('digestEntryFile hashes as it streams: one final LF dropped, other LFs seen, too long stops reading', async () => {
  const dir = await temp.make('entry');
  const cases: [string, Uint8Array][] = [
    ['plain', Buffer.from('{"a":1}')],
    ['lf', Buffer.from('{"a":1}\n')],
    ['two-lf', Buffer.from('{"a":1}\n\n')],
    ['inner', Buffer.from('{"a":1}\n{"b":2}')],
    ['empty', Buffer.alloc(0)],
    ['just-lf', Buffer.from('\n')],
    ['big', Buffer.alloc(3 << 20, 0x62)],
  ];
  for (const [name, bytes] of cases) {
    await writeFile(join(dir, name), bytes);
    const expectBytes = bytes.length && bytes[bytes.length - 1] === 0x0a ? bytes.subarray(0, bytes.length - 1) : bytes;
    const got = await digestEntryFile(join(dir, name));
    assert.notEqual(got, 'too-long');
    const want = entryDigest(expectBytes);
    if (got === 'too-long') continue;
    assert.deepEqual([got.length, got.hasLineFeed, Buffer.from(got.leaf).toString('hex')], [want.length, want.hasLineFeed, Buffer.from(want.leaf).toString('hex')], name);
  }
  // A sparse file one byte past a line and its LF: judged too long without reading it all.
  const fh = await open(join(dir, 'huge'), 'w');
  await fh.truncate(MAX_LINE_BYTES + 2);
  await fh.close();
  assert.equal(await digestEntryFile(join(dir, 'huge')), 'too-long');
  await refused(digestEntryFile('/dev/zero'), 'not-regular', 'entry file /dev/zero is a device, not a regular file');
});
