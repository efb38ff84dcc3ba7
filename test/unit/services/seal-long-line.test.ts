// seal refuses a line longer than an entry may be (spec §2) before anything is published, naming the input and the line; gzip segments stream.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { seal, SealError } from '../../../electron/services/seal.node.ts';
import { gzipMember } from '../../../electron/services/gzip.node.ts';
import { MAX_LINE_BYTES } from '../../../shared/core/segment-check.ts';
import { TempDirs, logKey, ORIGIN, auditLines } from '../../helpers/archives.ts';

const temp = new TempDirs();
after(() => temp.cleanup());

const base = (dir: string, out: string) => ({ key: logKey, origin: ORIGIN, out: join(dir, out), segmentEntries: 2, checkpointEvery: 2 });

test('a line one byte over the limit is refused with the input name and line number; nothing is left behind', async () => {
  const dir = await temp.make('long');
  const input = join(dir, 'in.log');
  // Lines 1-3 fit (the third exactly at the limit of 10 bytes); line 5, after an empty line 4, is 11 bytes.
  await writeFile(input, `{"a":1}\n{"b":2}\n${'x'.repeat(10)}\n\n${'y'.repeat(11)}\nlast\n`);
  await assert.rejects(seal({ ...base(dir, 'out'), inputs: [input], maxLineBytes: 10 }), (e: unknown) => {
    assert.ok(e instanceof SealError);
    assert.equal(e.message, `input ${input}, line 5, is longer than 10 bytes, the most an entry may hold (spec §2); nothing was written`);
    return true;
  });
  assert.deepEqual(await readdir(dir), ['in.log']);
  // At the limit, it is sealed.
  const ok = await seal({ ...base(dir, 'ok'), inputs: [input], maxLineBytes: 11 });
  assert.equal(ok.entriesAdded, 5);
});

test('the line limit applies across chunks, to a last line without LF, and to gzip input', async () => {
  const dir = await temp.make('long2');
  async function* chunks(): AsyncGenerator<Uint8Array> {
    yield Buffer.from('short\nabc');
    yield Buffer.from('defgh');
    yield Buffer.from('ijk'); // "abcdefghijk" = 11 bytes, no LF
  }
  await assert.rejects(seal({ ...base(dir, 'a'), inputs: ['-'], stdin: chunks(), maxLineBytes: 10 }), /^SealError: standard input, line 2, is longer than 10 bytes/);
  const gz = join(dir, 'in.log.gz');
  await writeFile(gz, gzipMember(Buffer.from(`ok\n${'z'.repeat(11)}\n`)));
  await assert.rejects(seal({ ...base(dir, 'b'), inputs: [gz], maxLineBytes: 10 }), new RegExp(`^SealError: input ${gz.replace(/[.]/g, '\\.')}, line 2, is longer than 10 bytes`));
  assert.deepEqual((await readdir(dir)).sort(), ['in.log.gz']);
});

test('a real line of 256 MiB + 1 byte, streamed in, is refused as soon as it passes the limit', async () => {
  const dir = await temp.make('real');
  const chunk = Buffer.alloc(1 << 20, 0x61);
  let yielded = 0;
  async function* huge(): AsyncGenerator<Uint8Array> {
    yield Buffer.from('{"first":"line"}\n');
    // 256 MiB of 'a', then one more byte, then (never reached) more lines.
    for (let i = 0; i < 256; i++) {
      yielded++;
      yield chunk;
    }
    yielded++;
    yield Buffer.from('a');
    for (let i = 0; i < 64; i++) {
      yielded++;
      yield chunk;
    }
  }
  const started = Date.now();
  await assert.rejects(seal({ ...base(dir, 'out.tar'), inputs: ['-'], stdin: huge() }), (e: unknown) => {
    assert.ok(e instanceof SealError);
    assert.equal(e.message, 'standard input, line 2, is longer than 256 MiB, the most an entry may hold (spec §2); nothing was written');
    return true;
  });
  assert.equal(yielded, 257, 'reading stopped at the byte that made the line too long');
  assert.deepEqual(await readdir(dir), []);
  assert.ok(Date.now() - started < 60_000);
  assert.equal(MAX_LINE_BYTES, 256 * 1024 * 1024);
});

test('gzip segments are streamed and byte for byte what gzipMember writes', async () => {
  const dir = await temp.make('gz');
  const input = join(dir, 'in.log');
  const lines = auditLines(7);
  await writeFile(input, `${lines.join('\n')}\n`);
  await seal({ key: logKey, origin: ORIGIN, out: join(dir, 'a'), inputs: [input], gzip: true, segmentEntries: 4, checkpointEvery: 4 });
  const seg0 = await readFile(join(dir, 'a', 'segments', '000000000000.jsonl.gz'));
  const seg1 = await readFile(join(dir, 'a', 'segments', '000000000004.jsonl.gz'));
  assert.deepEqual(seg0, Buffer.from(gzipMember(Buffer.from(`${lines.slice(0, 4).join('\n')}\n`))));
  assert.deepEqual(seg1, Buffer.from(gzipMember(Buffer.from(`${lines.slice(4).join('\n')}\n`))));
});
