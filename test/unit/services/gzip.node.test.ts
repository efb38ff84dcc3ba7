// gunzipStrict must accept exactly the complete gzip members the spec allows, and gzipMember must write what gzip reads.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import zlib from 'node:zlib';
import { GzipFormatError, gunzipStrict, gzipMember, isGzip } from '../../../electron/services/gzip.node.ts';

let dir = '';
before(() => {
  dir = mkdtempSync(join(tmpdir(), 'sealcheck-gzip-'));
});
after(() => rmSync(dir, { recursive: true, force: true }));

async function* chunks(b: Uint8Array, size: number): AsyncGenerator<Uint8Array> {
  for (let i = 0; i < b.length; i += size) yield b.subarray(i, Math.min(b.length, i + size));
}

async function* pieces(parts: Uint8Array[]): AsyncGenerator<Uint8Array> {
  for (const p of parts) yield p;
}

async function collect(gen: AsyncIterable<Uint8Array>): Promise<Buffer> {
  const out: Buffer[] = [];
  for await (const c of gen) out.push(Buffer.from(c));
  return Buffer.concat(out);
}

const gunzip = (b: Uint8Array, mode: 'none' | 'zeros' = 'none', size = 1 << 30): Promise<Buffer> => collect(gunzipStrict(chunks(b, size), mode));

async function rejectsWith(p: Promise<unknown>, message: string | RegExp): Promise<void> {
  await assert.rejects(p, (e: unknown) => {
    assert.ok(e instanceof GzipFormatError, `expected GzipFormatError, got ${String(e)}`);
    if (typeof message === 'string') assert.equal(e.message, message);
    else assert.match(e.message, message);
    return true;
  });
}

/** gzip(1) on a file in the temp dir, so it stores the name and mtime. */
function gzipFile(name: string, content: Uint8Array, ...flags: string[]): Buffer {
  const p = join(dir, name);
  writeFileSync(p, content);
  return execFileSync('gzip', ['-c', ...flags, p], { maxBuffer: 1 << 30 });
}

const gzipStdin = (content: Uint8Array, ...flags: string[]): Buffer => execFileSync('gzip', ['-c', ...flags], { input: content, maxBuffer: 1 << 30 });
const gzipDc = (b: Uint8Array): Buffer => execFileSync('gzip', ['-dc'], { input: b, maxBuffer: 1 << 30 });

function crc16(b: Uint8Array): number {
  return zlib.crc32(b) & 0xffff;
}

interface HeaderOptions {
  extra?: Uint8Array;
  name?: string;
  comment?: string;
  hcrc?: boolean | number;
  flg?: number;
  cm?: number;
}

/** A gzip member with chosen header fields; `hcrc: number` stores that value instead of the right one. */
function craft(data: Uint8Array, o: HeaderOptions = {}): Buffer {
  let flg = o.flg ?? 0;
  if (o.extra) flg |= 4;
  if (o.name !== undefined) flg |= 8;
  if (o.comment !== undefined) flg |= 16;
  if (o.hcrc !== undefined && o.hcrc !== false) flg |= 2;
  const parts: Buffer[] = [Buffer.from([0x1f, 0x8b, o.cm ?? 8, flg, 0x78, 0x56, 0x34, 0x12, 0, 3])];
  if (o.extra) {
    const x = Buffer.alloc(2);
    x.writeUInt16LE(o.extra.length);
    parts.push(x, Buffer.from(o.extra));
  }
  if (o.name !== undefined) parts.push(Buffer.from(`${o.name}\0`, 'latin1'));
  if (o.comment !== undefined) parts.push(Buffer.from(`${o.comment}\0`, 'latin1'));
  if (o.hcrc !== undefined && o.hcrc !== false) {
    const c = Buffer.alloc(2);
    c.writeUInt16LE(typeof o.hcrc === 'number' ? o.hcrc : crc16(Buffer.concat(parts)));
    parts.push(c);
  }
  const t = Buffer.alloc(8);
  t.writeUInt32LE(zlib.crc32(data), 0);
  t.writeUInt32LE(data.length, 4);
  return Buffer.concat([...parts, zlib.deflateRawSync(data), t]);
}

/** Text with enough repetition to compress and enough variety to span several deflate blocks. */
function sample(n: number, seed = 1): Buffer {
  const b = Buffer.alloc(n);
  let x = seed;
  for (let i = 0; i < n; i++) {
    x = (x * 1103515245 + 12345) >>> 0;
    b[i] = 0x61 + ((x >>> 16) % 8);
  }
  return b;
}

describe('isGzip', () => {
  test('looks at the two magic bytes only', () => {
    assert.equal(isGzip(Uint8Array.of(0x1f, 0x8b)), true);
    assert.equal(isGzip(Uint8Array.of(0x1f, 0x8b, 8, 0)), true);
    assert.equal(isGzip(Uint8Array.of(0x1f)), false);
    assert.equal(isGzip(Uint8Array.of(0x1f, 0x8c)), false);
    assert.equal(isGzip(new Uint8Array(0)), false);
    assert.equal(isGzip(Buffer.from('ustar')), false);
  });
});

describe('gunzipStrict: valid input', () => {
  test('a member written by gzip(1) for a file (FNAME and MTIME set)', async () => {
    const data = sample(200_000);
    const gz = gzipFile('a.jsonl', data);
    assert.equal(gz[3]! & 8, 8, 'gzip stored the file name');
    assert.deepEqual(await gunzip(gz), data);
    assert.deepEqual(await gunzip(gz, 'zeros'), data);
  });

  test('gzip -n, -1, -9 and an empty input file', async () => {
    const data = sample(50_000, 7);
    for (const flag of ['-n', '-1', '-9']) assert.deepEqual(await gunzip(gzipStdin(data, flag)), data, flag);
    assert.deepEqual(await gunzip(gzipStdin(new Uint8Array(0))), Buffer.alloc(0));
  });

  test('several members, including an empty one, decode to the concatenation', async () => {
    const a = sample(70_000, 2);
    const b = Buffer.from('{"second":true}\n');
    const c = sample(3_000, 3);
    const gz = Buffer.concat([gzipStdin(a), gzipStdin(new Uint8Array(0)), gzipFile('b.txt', b), gzipStdin(c, '-9')]);
    assert.deepEqual(isGzip(gz), true);
    assert.deepEqual(await gunzip(gz), Buffer.concat([a, b, c]));
    assert.deepEqual(await gunzip(gz, 'zeros', 1000), Buffer.concat([a, b, c]));
  });

  test('FEXTRA, FNAME, FCOMMENT, FHCRC and FTEXT headers, each and all together', async () => {
    const data = Buffer.from('header fields do not change the content\n'.repeat(30));
    const variants: HeaderOptions[] = [
      { extra: Buffer.from('AB\x04\x00wxyz', 'latin1') },
      { extra: new Uint8Array(0) },
      { name: 'segment-000000000001.jsonl' },
      { name: '' },
      { comment: 'a comment' },
      { hcrc: true },
      { flg: 1 },
      { extra: Buffer.from('XY\x01\x00!', 'latin1'), name: 'n', comment: 'c', hcrc: true, flg: 1 },
    ];
    for (const v of variants) {
      const gz = craft(data, v);
      assert.deepEqual(gzipDc(gz), data, `gzip(1) agrees the crafted member is valid: ${JSON.stringify(v)}`);
      assert.deepEqual(await gunzip(gz), data, JSON.stringify(v));
      assert.deepEqual(await gunzip(gz, 'none', 1), data, `${JSON.stringify(v)}, 1-byte chunks`);
    }
  });

  test('a long FNAME and FCOMMENT spanning many chunks', async () => {
    const data = Buffer.from('x');
    const gz = craft(data, { name: 'n'.repeat(100_000), comment: 'c'.repeat(70_000), hcrc: true });
    assert.deepEqual(await gunzip(gz, 'none', 4096), data);
  });

  test('large input fed in uneven chunks, compared with zlib', async () => {
    const data = Buffer.concat([sample(3_000_000, 9), randomish(1_000_000)]);
    const gz = Buffer.concat([gzipStdin(data), gzipStdin(data.subarray(0, 123_457))]);
    const expected = zlib.gunzipSync(gz);
    const sizes = [1, 7, 4096, 65_536, 1_000_003];
    let k = 0;
    const uneven: Uint8Array[] = [];
    for (let i = 0; i < gz.length; ) {
      const n = sizes[k++ % sizes.length]!;
      uneven.push(gz.subarray(i, i + n));
      i += n;
    }
    assert.deepEqual(await collect(gunzipStrict(pieces(uneven), 'none')), expected);
  });

  test('output comes in bounded pieces even when a chunk expands a thousandfold', async () => {
    const data = Buffer.alloc(64 * 1024 * 1024);
    const gz = gzipStdin(data, '-9');
    assert.ok(gz.length < 100_000);
    let total = 0;
    let largest = 0;
    for await (const c of gunzipStrict(pieces([gz]), 'none')) {
      total += c.length;
      largest = Math.max(largest, c.length);
      for (const x of c) if (x !== 0) assert.fail('non-zero byte');
    }
    assert.equal(total, data.length);
    assert.ok(largest <= 64 * 1024, `largest output piece ${largest}`);
  });
});

function randomish(n: number): Buffer {
  return Buffer.from(zlib.deflateRawSync(sample(n * 4, 11), { level: 1 }).subarray(0, n));
}

describe('gunzipStrict: chunking', () => {
  const data = Buffer.from('{"a":1}\n{"b":2}\n'.repeat(40));
  const gz = Buffer.concat([craft(data, { name: 'x.jsonl', comment: 'c', extra: Buffer.from('ab\x00\x00', 'latin1'), hcrc: true }), gzipStdin(data.subarray(0, 9))]);
  const expected = Buffer.concat([data, data.subarray(0, 9)]);

  test('two chunks, at every split point', async () => {
    for (let k = 0; k <= gz.length; k++) {
      const got = await collect(gunzipStrict(pieces([gz.subarray(0, k), gz.subarray(k)]), 'none'));
      assert.deepEqual(got, expected, `split at ${k}`);
    }
  });

  test('1-byte chunks', async () => {
    assert.deepEqual(await gunzip(gz, 'none', 1), expected);
    assert.deepEqual(await gunzip(Buffer.concat([gz, Buffer.alloc(600)]), 'zeros', 1), expected);
  });

  test('empty chunks in the input are skipped', async () => {
    const e = new Uint8Array(0);
    assert.deepEqual(await collect(gunzipStrict(pieces([e, gz.subarray(0, 5), e, e, gz.subarray(5), e]), 'none')), expected);
  });

  test('errors are the same at every split point', async () => {
    const bad = Buffer.from(gz);
    const end1 = gz.length - gzipStdin(data.subarray(0, 9)).length;
    bad.writeUInt32LE((bad.readUInt32LE(end1 - 8) ^ 1) >>> 0, end1 - 8); // first member's CRC32
    const message = `gzip member 1 at offset 0: bad CRC32 (stored 0x${bad.readUInt32LE(end1 - 8).toString(16).padStart(8, '0')}, computed 0x${zlib.crc32(data).toString(16).padStart(8, '0')})`;
    for (let k = 0; k <= bad.length; k++) {
      await rejectsWith(collect(gunzipStrict(pieces([bad.subarray(0, k), bad.subarray(k)]), 'none')), message);
    }
    await rejectsWith(gunzip(bad, 'none', 1), message);
  });
});

describe('gunzipStrict: corrupt members', () => {
  const data = Buffer.from('sealed audit log entry\n'.repeat(100));
  const good = gzipStdin(data, '-n');

  test('empty input and non-gzip input', async () => {
    await rejectsWith(gunzip(new Uint8Array(0)), 'empty input: no gzip member');
    await rejectsWith(gunzip(Buffer.from('{"not":"gzip"}\n')), 'not gzip data: bad magic at offset 0');
    await rejectsWith(gunzip(Buffer.from([0x1f, 0x8c, 8, 0, 0, 0, 0, 0, 0, 3])), 'not gzip data: bad magic at offset 0');
    await rejectsWith(gunzip(Buffer.from([0x1f])), 'truncated gzip header of member 1 at offset 0');
  });

  test('compression method other than 8', async () => {
    await rejectsWith(gunzip(craft(data, { cm: 7 })), 'gzip member 1 at offset 0: unsupported compression method 7');
  });

  test('reserved flag bits', async () => {
    for (const bit of [0x20, 0x40, 0x80]) {
      await rejectsWith(gunzip(craft(data, { flg: bit })), `gzip member 1 at offset 0: reserved header flag bits set (FLG 0x${bit.toString(16)})`);
    }
  });

  test('wrong FHCRC', async () => {
    const right = crc16(craft(data, { name: 'n', hcrc: true }).subarray(0, 12));
    const wrong = right ^ 0x100;
    await rejectsWith(
      gunzip(craft(data, { name: 'n', hcrc: wrong })),
      `gzip member 1 at offset 0: header CRC16 mismatch (stored 0x${wrong.toString(16).padStart(4, '0')}, computed 0x${right.toString(16).padStart(4, '0')})`,
    );
  });

  test('corrupt deflate data', async () => {
    const bad = Buffer.from(good);
    bad[10] = 0x07; // final block, reserved block type 3
    await rejectsWith(gunzip(bad), 'gzip member 1 at offset 0: corrupt deflate data (invalid block type)');
    const second = Buffer.concat([good, bad]);
    await rejectsWith(gunzip(second, 'none', 3), `gzip member 2 at offset ${good.length}: corrupt deflate data (invalid block type)`);
  });

  test('bad CRC32 and bad ISIZE', async () => {
    const crcBad = Buffer.from(good);
    crcBad.writeUInt32LE((crcBad.readUInt32LE(good.length - 8) ^ 0x80000000) >>> 0, good.length - 8);
    await rejectsWith(gunzip(crcBad), /^gzip member 1 at offset 0: bad CRC32 \(stored 0x[0-9a-f]{8}, computed 0x[0-9a-f]{8}\)$/);
    await rejectsWith(gunzip(Buffer.concat([good, crcBad])), new RegExp(`^gzip member 2 at offset ${good.length}: bad CRC32`));
    const sizeBad = Buffer.from(good);
    sizeBad.writeUInt32LE(data.length + 1, good.length - 4);
    await rejectsWith(gunzip(sizeBad), `gzip member 1 at offset 0: bad ISIZE (stored ${data.length + 1}, actual ${data.length})`);
  });

  test('every truncation of one member is an error', async () => {
    for (let k = 0; k < good.length; k++) {
      const expected =
        k === 0 ? 'empty input: no gzip member' : k < 10 ? 'truncated gzip header of member 1 at offset 0' : /^truncated gzip member 1 at offset 0: (the deflate data ends early|the 8-byte trailer is missing or short)$/;
      for (const mode of ['none', 'zeros'] as const) await rejectsWith(gunzip(good.subarray(0, k), mode, 5), expected);
    }
    // The deflate data of `good` ends 8 bytes before the end: anything after that is a short trailer.
    await rejectsWith(gunzip(good.subarray(0, good.length - 8)), 'truncated gzip member 1 at offset 0: the 8-byte trailer is missing or short');
    await rejectsWith(gunzip(good.subarray(0, good.length - 1)), 'truncated gzip member 1 at offset 0: the 8-byte trailer is missing or short');
    await rejectsWith(gunzip(good.subarray(0, 12)), 'truncated gzip member 1 at offset 0: the deflate data ends early');
  });

  test('every truncation of a second member is an error, except right after the first', async () => {
    const two = Buffer.concat([good, gzipFile('second.jsonl', data.subarray(0, 50))]);
    for (let k = good.length + 1; k < two.length; k++) {
      await rejectsWith(gunzip(two.subarray(0, k), 'zeros', 4), new RegExp(`^truncated gzip (header of member 2|member 2) at offset ${good.length}`));
    }
    assert.deepEqual(await gunzip(two.subarray(0, good.length)), data);
  });
});

describe('gunzipStrict: bytes after the last member', () => {
  const data = Buffer.from('last member\n');
  const good = gzipStdin(data);
  const n = good.length;

  test("'none': any byte, zero or not, is an error", async () => {
    for (const tail of [[0], [0, 0, 0, 0], new Array<number>(10240).fill(0), [1], [0x0a], [0x1f, 0x8b, 8]]) {
      const gz = Buffer.concat([good, Buffer.from(tail)]);
      const expected = tail[0] === 0x1f ? `truncated gzip header of member 2 at offset ${n}` : `bytes after the last gzip member (member 1) at offset ${n}`;
      await rejectsWith(gunzip(gz, 'none'), expected);
      await rejectsWith(gunzip(gz, 'none', 1), expected);
    }
  });

  test("'zeros': zero padding is accepted, any non-zero byte is not", async () => {
    for (const zeros of [1, 511, 512, 10240, 100_000]) {
      assert.deepEqual(await gunzip(Buffer.concat([good, Buffer.alloc(zeros)]), 'zeros', 777), data, `${zeros} zeros`);
    }
    await rejectsWith(gunzip(Buffer.concat([good, Buffer.from([7])]), 'zeros'), `non-zero byte after the last gzip member (member 1) at offset ${n}`);
    const late = Buffer.concat([good, Buffer.alloc(5000), Buffer.from([0, 1, 0])]);
    await rejectsWith(gunzip(late, 'zeros', 512), `non-zero byte after the last gzip member (member 1) at offset ${n + 5001}`);
    // After zero padding, a whole gzip member is still "non-zero bytes after the last member".
    const memberAfterZeros = Buffer.concat([good, Buffer.alloc(3), good]);
    await rejectsWith(gunzip(memberAfterZeros, 'zeros'), `non-zero byte after the last gzip member (member 1) at offset ${n + 3}`);
  });

  test('garbage that is not a gzip header is reported as such in both modes', async () => {
    const gz = Buffer.concat([good, Buffer.from('PK\x03\x04')]);
    await rejectsWith(gunzip(gz, 'none'), `bytes after the last gzip member (member 1) at offset ${n}`);
    await rejectsWith(gunzip(gz, 'zeros'), `non-zero byte after the last gzip member (member 1) at offset ${n}`);
    const halfMagic = Buffer.concat([good, Buffer.from([0x1f, 0x00, 0, 0, 0, 0, 0, 0, 0, 0])]);
    await rejectsWith(gunzip(halfMagic, 'zeros'), `gzip member 2 at offset ${n}: bad magic`);
  });
});

describe('gunzipStrict: streams', () => {
  test('stopping early returns the input iterator and leaves nothing running', async () => {
    const gz = gzipStdin(sample(2_000_000, 5));
    let returned = false;
    async function* input(): AsyncGenerator<Uint8Array> {
      try {
        for (let i = 0; i < gz.length; i += 1000) yield gz.subarray(i, i + 1000);
      } finally {
        returned = true;
      }
    }
    let got = 0;
    for await (const c of gunzipStrict(input(), 'none')) {
      got += c.length;
      if (got > 100_000) break;
    }
    assert.ok(got > 100_000);
    assert.equal(returned, true);
  });

  test('an error of the input is passed through unchanged', async () => {
    const gz = gzipStdin(sample(500_000, 6));
    const boom = new Error('disk on fire');
    async function* input(): AsyncGenerator<Uint8Array> {
      yield gz.subarray(0, 20_000);
      throw boom;
    }
    await assert.rejects(collect(gunzipStrict(input(), 'none')), (e: unknown) => e === boom);
  });

  test('non-Uint8Array chunks are refused', async () => {
    async function* input(): AsyncGenerator<Uint8Array> {
      yield 'text' as unknown as Uint8Array;
    }
    await assert.rejects(collect(gunzipStrict(input(), 'none')), TypeError);
  });
});

describe('gzipMember', () => {
  test('gzip -dc reads it; MTIME 0, no FNAME, one member, deterministic', async () => {
    for (const data of [new Uint8Array(0), Buffer.from('a'), sample(300_000, 8)]) {
      const gz = gzipMember(data);
      assert.deepEqual(gzipDc(gz), Buffer.from(data));
      assert.deepEqual([...gz.subarray(0, 4)], [0x1f, 0x8b, 8, 0], 'magic, CM 8, no flags (so no FNAME)');
      assert.deepEqual([...gz.subarray(4, 8)], [0, 0, 0, 0], 'MTIME 0');
      assert.equal(gz[9], 255);
      assert.deepEqual(gzipMember(data), gz);
      assert.deepEqual(await gunzip(gz), Buffer.from(data));
      const listed = execFileSync('gzip', ['-lv'], { input: gz }).toString();
      assert.match(listed, new RegExp(`\\b${data.length}\\b`));
    }
  });

  test('levels set XFL like zlib and all decode', async () => {
    const data = sample(20_000, 4);
    const xfl = new Map([[0, 4], [1, 4], [6, 0], [9, 2]]);
    for (const [level, x] of xfl) {
      const gz = gzipMember(data, level);
      assert.equal(gz[8], x, `level ${level}`);
      assert.deepEqual(await gunzip(gz), data);
    }
    assert.throws(() => gzipMember(data, 10), RangeError);
    assert.throws(() => gzipMember(data, -1), RangeError);
  });

  test('a file written from gzipMember reads back with gzip -t', () => {
    const p = join(dir, 'segment.jsonl.gz');
    writeFileSync(p, gzipMember(sample(10_000, 12)));
    execFileSync('gzip', ['-t', p]);
    assert.deepEqual(readFileSync(p).subarray(4, 8), Buffer.alloc(4));
  });
});
