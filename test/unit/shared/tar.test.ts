// TarParser, unsafeMembers, tarRoot and the ustar writer against GNU tar's own archives and hand-made hostile headers.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { linkSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TarFormatError, TarParser, tarEnd, tarFileHeader, tarPadding, tarRoot, unsafeMembers, type TarMember } from '../../../shared/core/tar.ts';

// ---- helpers ----

interface Parsed {
  members: TarMember[];
  contents: Buffer[];
  ends: number;
}

function parse(buf: Uint8Array, chunk = buf.length || 1): Parsed {
  const members: TarMember[] = [];
  const parts: Buffer[][] = [];
  let ends = 0;
  const p = new TarParser({
    member(m) {
      members.push(m);
      parts.push([]);
    },
    data(m, c) {
      assert.equal(m, members[members.length - 1]);
      parts[parts.length - 1]!.push(Buffer.from(c));
    },
    memberEnd(m) {
      assert.equal(m, members[members.length - 1]);
      ends++;
    },
  });
  for (let i = 0; i < buf.length; i += chunk) p.push(buf.subarray(i, i + chunk));
  p.end();
  return { members, contents: parts.map((c) => Buffer.concat(c)), ends };
}

function parseError(buf: Uint8Array, message: string | RegExp, chunks: number[] = [buf.length || 1, 1, 100, 512]): void {
  for (const chunk of chunks) {
    assert.throws(
      () => parse(buf, chunk),
      (e: unknown) => {
        assert.ok(e instanceof TarFormatError, `expected TarFormatError, got ${String(e)}`);
        if (typeof message === 'string') assert.equal(e.message, message);
        else assert.match(e.message, message);
        return true;
      },
      `chunk ${chunk}`,
    );
  }
}

const brief = (m: TarMember): [string, string, string, string, number] => [m.rawName, m.path, m.kind, m.typeflag, m.size];

interface HeaderSpec {
  name?: string | Uint8Array;
  size?: number;
  typeflag?: string;
  prefix?: string;
  magic?: 'ustar' | 'gnu' | 'v7';
  /** Raw bytes of the 12-byte size field (overrides `size`). */
  sizeField?: number[] | string;
  /** How to fill the checksum field: correct unsigned sum (default), signed sum, off by one, or a raw string. */
  checksum?: 'unsigned' | 'signed' | 'wrong' | { raw: (sum: number) => string };
}

function ascii(h: Uint8Array, off: number, s: string): void {
  for (let i = 0; i < s.length; i++) h[off + i] = s.charCodeAt(i);
}

/** One hand-made header block. */
function hdr(o: HeaderSpec): Buffer {
  const h = Buffer.alloc(512);
  const name = o.name ?? 'file';
  if (typeof name === 'string') h.write(name, 0, 'utf8');
  else h.set(name, 0);
  ascii(h, 100, '0000644\0');
  ascii(h, 108, '0000000\0');
  ascii(h, 116, '0000000\0');
  if (o.sizeField === undefined) ascii(h, 124, `${(o.size ?? 0).toString(8).padStart(11, '0')}\0`);
  else if (typeof o.sizeField === 'string') ascii(h, 124, o.sizeField);
  else h.set(o.sizeField, 124);
  ascii(h, 136, '14533115300\0');
  ascii(h, 156, o.typeflag ?? '0');
  const magic = o.magic ?? 'ustar';
  if (magic === 'ustar') ascii(h, 257, 'ustar\x0000');
  if (magic === 'gnu') ascii(h, 257, 'ustar  \0');
  if (o.prefix !== undefined) h.write(o.prefix, 345, 'utf8');
  ascii(h, 148, '        ');
  let unsigned = 0;
  let signed = 0;
  for (const c of h) {
    unsigned += c;
    signed += c >= 128 ? c - 256 : c;
  }
  const cs = o.checksum ?? 'unsigned';
  const text =
    cs === 'unsigned' ? `${unsigned.toString(8).padStart(6, '0')}\0 ` : cs === 'signed' ? `${signed.toString(8).padStart(6, '0')}\0 ` : cs === 'wrong' ? `${(unsigned + 1).toString(8).padStart(6, '0')}\0 ` : cs.raw(unsigned);
  ascii(h, 148, text);
  return h;
}

const pad = (n: number): Buffer => Buffer.alloc((512 - (n % 512)) % 512);

/** A header plus its content and padding. */
function entry(o: HeaderSpec, content: Uint8Array | string = ''): Buffer {
  const c = typeof content === 'string' ? Buffer.from(content) : Buffer.from(content);
  return Buffer.concat([hdr({ size: c.length, ...o }), c, pad(c.length)]);
}

function paxRecords(pairs: [string, string | Buffer][]): Buffer {
  return Buffer.concat(
    pairs.map(([k, v]) => {
      const body = Buffer.concat([Buffer.from(` ${k}=`), Buffer.from(v), Buffer.from('\n')]);
      let len = body.length + 1;
      while (String(len).length + body.length !== len) len = String(len).length + body.length;
      return Buffer.concat([Buffer.from(String(len)), body]);
    }),
  );
}

const pax = (type: 'x' | 'g', pairs: [string, string | Buffer][]): Buffer => entry({ name: 'PaxHeaders/x', typeflag: type }, paxRecords(pairs));
const END = Buffer.alloc(1024);

function tarBin(args: string[], cwd?: string): Buffer {
  return execFileSync('tar', args, { cwd, maxBuffer: 1 << 28 });
}

function deterministic(n: number, seed: number): Buffer {
  const b = Buffer.alloc(n);
  let x = seed;
  for (let i = 0; i < n; i++) {
    x = (x * 1664525 + 1013904223) >>> 0;
    b[i] = x >>> 24;
  }
  return b;
}

// ---- a real tree archived by GNU tar ----

let tmp = '';
let src = '';
const LONG_DIR = `${'d'.repeat(60)}/${'e'.repeat(60)}`;
const LONG_FILE = `${LONG_DIR}/${'f'.repeat(90)}.jsonl`;
const LONG_COMPONENT = 'g'.repeat(120);
const LONG_TARGET = 't'.repeat(120);
/** Regular files of the tree and their contents. */
const FILES: Record<string, Buffer> = {
  'manifest.json': Buffer.from('{"format":"sealcheck/1"}\n'),
  'segments/segment-000000000001.jsonl.gz': deterministic(3000, 1),
  'segments/empty.jsonl': Buffer.alloc(0),
  'b512.bin': deterministic(512, 2),
  'b513.bin': deterministic(513, 3),
  [LONG_FILE]: deterministic(700, 4),
  [LONG_COMPONENT]: Buffer.from('only gnu and pax can store this name\n'),
  'ü-unicode.txt': Buffer.from('ünïcødé\n'),
};
const DIRS = ['', 'segments', 'emptydir', 'd'.repeat(60), LONG_DIR];
/** Members GNU tar stores as something else than a file or directory, with their typeflags. */
const OTHERS: Record<string, string> = { link: '2', longlink: '2', fifo: '6', 'zz-hard': '1' };
const NOT_USTAR = [LONG_COMPONENT, 'longlink'];

before(() => {
  tmp = mkdtempSync(join(tmpdir(), 'sealcheck-tar-'));
  src = join(tmp, 'src');
  for (const d of DIRS) mkdirSync(join(src, d), { recursive: true });
  for (const [p, c] of Object.entries(FILES)) writeFileSync(join(src, p), c);
  symlinkSync('manifest.json', join(src, 'link'));
  symlinkSync(LONG_TARGET, join(src, 'longlink'));
  linkSync(join(src, 'manifest.json'), join(src, 'zz-hard'));
  execFileSync('mkfifo', [join(src, 'fifo')]);
});
after(() => rmSync(tmp, { recursive: true, force: true }));

function gnuArchive(format: 'gnu' | 'pax' | 'ustar', extra: string[] = []): Buffer {
  const out = join(tmp, `${format}.tar`);
  const excludes = format === 'ustar' ? NOT_USTAR.map((n) => `--exclude=./${n}`) : [];
  tarBin(['--sort=name', `--format=${format}`, ...extra, ...excludes, '-cf', out, '-C', src, '.']);
  return readFileSync(out);
}

function listed(file: Buffer): string[] {
  const p = join(tmp, 'listed.tar');
  writeFileSync(p, file);
  return tarBin(['--quoting-style=literal', '-tf', p]).toString('utf8').split('\n').filter((l) => l !== '');
}

describe('TarParser on GNU tar archives', () => {
  for (const format of ['gnu', 'pax', 'ustar'] as const) {
    test(`--format=${format}: members, kinds, sizes, offsets and contents`, () => {
      const tar = gnuArchive(format);
      const { members, contents, ends } = parse(tar);
      assert.equal(ends, members.length);
      // GNU tar's own listing is the oracle for names and order (hard links print as "a link to b").
      assert.deepEqual(
        members.map((m) => m.rawName),
        listed(tar).map((l) => l.replace(/ link to .*$/, '').replace(/ -> .*$/, '')),
      );
      const expectedPaths = [...DIRS, ...Object.keys(FILES), ...Object.keys(OTHERS)].filter((p) => format !== 'ustar' || !NOT_USTAR.includes(p));
      assert.deepEqual(members.map((m) => m.path).sort(), expectedPaths.sort());
      members.forEach((m, i) => {
        assert.equal(m.rawName, m.path === '' ? './' : `./${m.path}${m.kind === 'directory' ? '/' : ''}`);
        if (DIRS.includes(m.path)) assert.deepEqual([m.kind, m.typeflag, m.size], ['directory', '5', 0]);
        else if (m.path in FILES) {
          assert.deepEqual([m.kind, m.typeflag, m.size], ['file', '0', FILES[m.path]!.length], m.path);
          assert.deepEqual(contents[i], FILES[m.path]);
          assert.deepEqual(tar.subarray(m.dataOffset, m.dataOffset + m.size), FILES[m.path]);
        } else assert.deepEqual([m.kind, m.typeflag, m.size], ['other', OTHERS[m.path]!, 0], m.path);
        // The member's own ustar header is the block right before its content.
        assert.equal(m.dataOffset % 512, 0);
        const own = tar.subarray(m.dataOffset - 512, m.dataOffset);
        assert.equal(String.fromCharCode(own[156]!), m.typeflag);
        const first = String.fromCharCode(tar[m.headerOffset + 156]!);
        if (m.headerOffset === m.dataOffset - 512) assert.equal(first, m.typeflag);
        else assert.ok(format === 'gnu' ? first === 'L' || first === 'K' : first === 'x', `${m.path}: first header ${first}`);
        if (i > 0) assert.ok(m.headerOffset >= members[i - 1]!.dataOffset + members[i - 1]!.size);
      });
      if (format === 'gnu') {
        const long = members.find((m) => m.path === LONG_FILE)!;
        assert.equal(String.fromCharCode(tar[long.headerOffset + 156]!), 'L');
        const longlink = members.find((m) => m.path === 'longlink')!;
        assert.equal(String.fromCharCode(tar[longlink.headerOffset + 156]!), 'K');
      }
      if (format === 'pax') for (const m of members) assert.equal(String.fromCharCode(tar[m.headerOffset + 156]!), 'x');
      if (format === 'ustar') {
        const long = members.find((m) => m.path === LONG_FILE)!;
        assert.equal(long.headerOffset, long.dataOffset - 512, 'ustar stores the long path in name + prefix');
        assert.notEqual(tar[long.headerOffset + 345], 0);
      }
    });

    test(`--format=${format}: any chunking gives the same result`, () => {
      const tar = gnuArchive(format);
      const whole = parse(tar);
      for (const chunk of [1, 7, 511, 512, 513, 10240]) assert.deepEqual(parse(tar, chunk), whole, `chunk ${chunk}`);
    });

    test(`--format=${format}: unsafeMembers lists exactly the link, hard link and FIFO members`, () => {
      const { members } = parse(gnuArchive(format));
      const expected = Object.entries(OTHERS)
        .filter(([p]) => format !== 'ustar' || !NOT_USTAR.includes(p))
        .map(([p, t]) => ({ rawName: `./${p}`, reason: `not a regular file or directory (typeflag "${t}")` }));
      const order = (u: { rawName: string }[]): string[] => u.map((x) => x.rawName).sort();
      const got = unsafeMembers(members);
      assert.deepEqual(order(got), order(expected));
      for (const e of expected) assert.deepEqual(got.find((g) => g.rawName === e.rawName), e);
      assert.equal(tarRoot(members), '');
    });
  }

  test('names without ./ and a root directory: paths, unsafeMembers [] and tarRoot', () => {
    const parent = join(tmp, 'parent');
    mkdirSync(join(parent, 'arch', 'segments'), { recursive: true });
    writeFileSync(join(parent, 'arch', 'manifest.json'), '{}');
    writeFileSync(join(parent, 'arch', 'segments', 'a.jsonl.gz'), 'x');
    for (const format of ['gnu', 'pax', 'ustar']) {
      const out = join(tmp, 'root.tar');
      tarBin(['--sort=name', `--format=${format}`, '-cf', out, '-C', parent, 'arch']);
      const { members } = parse(readFileSync(out));
      assert.deepEqual(members.map(brief), [
        ['arch/', 'arch', 'directory', '5', 0],
        ['arch/manifest.json', 'arch/manifest.json', 'file', '0', 2],
        ['arch/segments/', 'arch/segments', 'directory', '5', 0],
        ['arch/segments/a.jsonl.gz', 'arch/segments/a.jsonl.gz', 'file', '0', 1],
      ]);
      assert.deepEqual(unsafeMembers(members), []);
      assert.equal(tarRoot(members), 'arch');
      tarBin(['--sort=name', `--format=${format}`, '-cf', out, '-C', parent, '.']);
      const dotted = parse(readFileSync(out)).members;
      assert.deepEqual(dotted.map((m) => m.path), ['', 'arch', 'arch/manifest.json', 'arch/segments', 'arch/segments/a.jsonl.gz']);
      assert.equal(tarRoot(dotted), 'arch', 'the "./" entry lies under any root');
    }
  });

  test('pax global header (--pax-option comment=...) and local keywords are not members', () => {
    const tar = gnuArchive('pax', ['--pax-option=comment=global hello,mykey:=local']);
    assert.equal(String.fromCharCode(tar[156]!), 'g');
    const { members } = parse(tar);
    assert.deepEqual(members.map((m) => m.rawName), listed(tar).map((l) => l.replace(/ link to .*$/, '')));
    assert.ok(members.every((m) => m.headerOffset > 0));
  });

  test('compressed with gzip and read through gunzip output is the same', () => {
    const tar = gnuArchive('gnu');
    const viaZ = execFileSync('gzip', ['-dc'], { input: execFileSync('gzip', ['-c'], { input: tar, maxBuffer: 1 << 28 }), maxBuffer: 1 << 28 });
    assert.deepEqual(parse(viaZ, 4096), parse(tar));
  });

  test('a tar with duplicate members (the same file given twice)', () => {
    const out = join(tmp, 'dup.tar');
    tarBin(['--format=ustar', '--hard-dereference', '-cf', out, '-C', src, 'manifest.json', './manifest.json', 'b512.bin']);
    const { members } = parse(readFileSync(out));
    assert.deepEqual(members.map((m) => m.rawName), ['manifest.json', './manifest.json', 'b512.bin']);
    assert.deepEqual(unsafeMembers(members), [
      { rawName: 'manifest.json', reason: 'duplicate path (2 members)' },
      { rawName: './manifest.json', reason: 'duplicate path (2 members)' },
    ]);
  });
});

// ---- hand-made archives ----

describe('TarParser: end of archive', () => {
  const one = entry({ name: 'a.txt' }, 'hello');

  test('two zero blocks, record padding, any number of trailing zeros are fine', () => {
    for (const tail of [END, Buffer.alloc(512), Buffer.alloc(10240 - 1024), Buffer.alloc(512 + 3), Buffer.alloc(100_000)]) {
      const { members, contents } = parse(Buffer.concat([one, tail]));
      assert.deepEqual(members.map(brief), [['a.txt', 'a.txt', 'file', '0', 5]]);
      assert.deepEqual(contents, [Buffer.from('hello')]);
    }
    assert.deepEqual(parse(Buffer.alloc(10240)).members, [], 'an empty archive');
    assert.deepEqual(parse(Buffer.alloc(512)).members, [], 'a lone zero block');
  });

  test('missing or partial end-of-archive block is truncation', () => {
    parseError(new Uint8Array(0), 'truncated tar: empty input', [1]);
    parseError(one, 'truncated tar: EOF at offset 1024 without an end-of-archive block');
    parseError(Buffer.concat([one, Buffer.alloc(300)]), 'truncated tar: EOF inside the header at offset 1024');
    parseError(Buffer.alloc(100), 'truncated tar: EOF inside the header at offset 0');
  });

  test('truncated in a header, in content, in padding', () => {
    parseError(one.subarray(0, 200), 'truncated tar: EOF inside the header at offset 0');
    parseError(one.subarray(0, 514), "truncated tar: EOF inside the content of 'a.txt' (3 bytes missing)");
    parseError(one.subarray(0, 517), 'truncated tar: EOF inside the padding at offset 517');
    parseError(Buffer.concat([one, one.subarray(0, 511)]), 'truncated tar: EOF inside the header at offset 1024');
  });

  test('non-zero bytes after the end are an error, at their exact offset', () => {
    parseError(Buffer.concat([one, END, Buffer.from([0, 0, 1])]), 'non-zero byte after the end-of-archive block, at offset 2050');
    parseError(Buffer.concat([one, Buffer.alloc(512), one, END]), 'non-zero byte after the end-of-archive block, at offset 1536');
    parseError(Buffer.concat([one, Buffer.alloc(9000), Buffer.from('x')]), `non-zero byte after the end-of-archive block, at offset ${1024 + 9000}`);
  });

  test('errors are sticky; push after end is refused', () => {
    const p = new TarParser({ member() {} });
    assert.throws(() => p.push(hdr({ checksum: 'wrong' })), TarFormatError);
    assert.throws(() => p.push(END), /bad header checksum at offset 0/);
    assert.throws(() => p.end(), /bad header checksum at offset 0/);
    const q = new TarParser({ member() {} });
    q.push(Buffer.concat([one, END]));
    q.end();
    assert.throws(() => q.push(END), /push\(\) after end\(\)/);
  });
});

describe('TarParser: header fields', () => {
  test('checksum: unsigned and signed sums both accepted, anything else rejected', () => {
    // A name byte >= 0x80 makes the two sums differ.
    const name = Buffer.from('caf\xe9.txt', 'latin1');
    for (const checksum of ['unsigned', 'signed'] as const) {
      assert.equal(parse(Buffer.concat([entry({ name, checksum }, 'x'), END])).members.length, 1, checksum);
    }
    parseError(Buffer.concat([entry({ name: 'a' }, 'x'), entry({ name: 'b', checksum: 'wrong' }, 'y'), END]), 'bad header checksum at offset 1024');
  });

  test('checksum field spellings: 7 digits, leading spaces, NUL or space terminated', () => {
    const spellings = [(s: number) => `${s.toString(8).padStart(7, '0')}\0`, (s: number) => `${s.toString(8).padStart(6, ' ')}\0 `, (s: number) => `${s.toString(8).padStart(7, '0')} `, (s: number) => `${s.toString(8)}\0`.padEnd(8, '\0')];
    for (const raw of spellings) assert.equal(parse(Buffer.concat([entry({ checksum: { raw } }, 'x'), END])).members.length, 1);
    parseError(Buffer.concat([entry({ checksum: { raw: () => '        ' } }, 'x'), END]), 'bad octal checksum "        " in header at offset 0');
    parseError(Buffer.concat([entry({ checksum: { raw: (s) => `${s.toString(8).padStart(6, '0')}x ` } }, 'x'), END]), /^bad octal checksum "\d{6}x " in header at offset 0$/);
  });

  test('size field: octal with spaces/NULs, all-NUL is 0, base-256, bad digits', () => {
    const content = deterministic(600, 9);
    const base256 = [0x80, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x02, 0x58];
    for (const sizeField of ['00000001130\0', '     1130\0\0\0', '1130       ', '1130\0      ', '00000001130 ', base256] as const) {
      const tar = Buffer.concat([hdr({ sizeField: sizeField as string | number[] }), content, pad(600), END]);
      const { members, contents } = parse(tar);
      assert.deepEqual(members.map((m) => m.size), [600], JSON.stringify(sizeField));
      assert.deepEqual(contents, [content]);
    }
    // GNU tar agrees on the base-256 size.
    const p = join(tmp, 'b256.tar');
    writeFileSync(p, Buffer.concat([hdr({ name: 'big', sizeField: base256 }), content, pad(600), END]));
    assert.match(tarBin(['-tvf', p]).toString(), /\s600\s.*big/);
    assert.deepEqual(parse(Buffer.concat([hdr({ sizeField: '\0'.repeat(12) }), END])).members.map((m) => m.size), [0]);
    parseError(Buffer.concat([hdr({ sizeField: '000000011x0\0' }), END]), 'bad octal size "000000011x0\\x00" in header at offset 0');
    parseError(Buffer.concat([hdr({ sizeField: '            ' }), END]), 'bad octal size "            " in header at offset 0');
    parseError(Buffer.concat([hdr({ sizeField: '0000 0001130' }), END]), 'bad octal size "0000 0001130" in header at offset 0');
    parseError(Buffer.concat([hdr({ sizeField: '00000001139\0' }), END]), 'bad octal size "00000001139\\x00" in header at offset 0');
    parseError(Buffer.concat([hdr({ sizeField: [0xff, ...new Array<number>(11).fill(0xff)] }), END]), 'negative base-256 size in header at offset 0');
    parseError(Buffer.concat([hdr({ sizeField: [0x80, ...new Array<number>(11).fill(0xff)] }), END]), 'size too large in header at offset 0');
  });

  test('ustar prefix is joined with "/" for POSIX ustar only, not for GNU or V7 headers', () => {
    const tar = Buffer.concat([
      entry({ name: 'c.txt', prefix: 'a/b' }, '1'),
      entry({ name: 'd.txt', prefix: 'ignored', magic: 'gnu' }, '2'),
      entry({ name: 'e.txt', prefix: 'ignored', magic: 'v7' }, '3'),
      END,
    ]);
    assert.deepEqual(parse(tar).members.map((m) => m.rawName), ['a/b/c.txt', 'd.txt', 'e.txt']);
  });

  test('typeflags: files, directories, V7 directories, others', () => {
    const tar = Buffer.concat([
      entry({ name: 'f0', typeflag: '0' }, 'a'),
      entry({ name: 'fnul', typeflag: '\0', magic: 'v7' }, 'b'),
      entry({ name: 'f7', typeflag: '7' }, 'c'),
      entry({ name: 'dir/', typeflag: '5' }),
      entry({ name: 'v7dir/', typeflag: '\0', magic: 'v7' }),
      entry({ name: 'zero-slash/', typeflag: '0' }),
      entry({ name: 'hard', typeflag: '1' }, 'data of a hard link entry is skipped like any other'),
      entry({ name: 'sym', typeflag: '2' }),
      entry({ name: 'chr', typeflag: '3' }),
      entry({ name: 'blk', typeflag: '4' }),
      entry({ name: 'fifo', typeflag: '6' }),
      entry({ name: 'sparse', typeflag: 'S' }),
      entry({ name: 'volume', typeflag: 'V' }),
      entry({ name: 'after', typeflag: '0' }, 'z'),
      END,
    ]);
    const { members, contents } = parse(tar);
    assert.deepEqual(
      members.map((m) => [m.path, m.kind, m.typeflag]),
      [
        ['f0', 'file', '0'],
        ['fnul', 'file', '\0'],
        ['f7', 'file', '7'],
        ['dir', 'directory', '5'],
        ['v7dir', 'directory', '\0'],
        ['zero-slash', 'file', '0'],
        ['hard', 'other', '1'],
        ['sym', 'other', '2'],
        ['chr', 'other', '3'],
        ['blk', 'other', '4'],
        ['fifo', 'other', '6'],
        ['sparse', 'other', 'S'],
        ['volume', 'other', 'V'],
        ['after', 'file', '0'],
      ],
    );
    assert.deepEqual(contents[13], Buffer.from('z'));
    assert.deepEqual(
      unsafeMembers(members).map((u) => u.rawName),
      ['hard', 'sym', 'chr', 'blk', 'fifo', 'sparse', 'volume'],
    );
  });

  test('a directory with a non-zero size is rejected', () => {
    parseError(Buffer.concat([entry({ name: 'dir/', typeflag: '5' }, 'x'), END]), "directory 'dir/' at offset 0 has a non-zero size (1)");
    parseError(Buffer.concat([entry({ name: 'v7/', typeflag: '\0', magic: 'v7' }, 'x'), END]), "directory 'v7/' at offset 0 has a non-zero size (1)");
  });

  test('name fields end at their last non-NUL byte, so a hidden tail after a NUL stays visible', () => {
    const name = Buffer.from('good\0evil', 'latin1');
    const tar = Buffer.concat([entry({ name }, 'x'), entry({ name: 'p\0q', prefix: 'dir' }, 'y'), END]);
    const { members } = parse(tar);
    assert.deepEqual(members.map((m) => m.rawName), ['good\0evil', 'dir/p\0q']);
    assert.deepEqual(unsafeMembers(members), [
      { rawName: 'good\0evil', reason: 'NUL in path' },
      { rawName: 'dir/p\0q', reason: 'NUL in path' },
    ]);
  });
});

describe('TarParser: extension headers', () => {
  test('PAX x path and size override the header; it applies to one member only', () => {
    const tar = Buffer.concat([
      pax('x', [
        ['mtime', '1.5'],
        ['path', 'long/päth'],
        ['size', '5'],
      ]),
      hdr({ name: 'short', size: 0 }),
      Buffer.from('12345'),
      pad(5),
      entry({ name: 'next' }, 'n'),
      END,
    ]);
    const { members, contents } = parse(tar);
    assert.deepEqual(members.map(brief), [
      ['long/päth', 'long/päth', 'file', '0', 5],
      ['next', 'next', 'file', '0', 1],
    ]);
    assert.deepEqual(contents, [Buffer.from('12345'), Buffer.from('n')]);
    assert.deepEqual([members[0]!.headerOffset, members[0]!.dataOffset], [0, 1024 + 512]);
    assert.deepEqual([members[1]!.headerOffset, members[1]!.dataOffset], [1024 + 1024, 1024 + 1024 + 512]);
  });

  test('several x headers merge, the later value winning; x wins over L', () => {
    const long = Buffer.from(`${'L'.repeat(150)}\0`);
    const tar = Buffer.concat([
      entry({ name: '././@LongLink', typeflag: 'L', magic: 'gnu' }, long),
      pax('x', [['path', 'first']]),
      pax('x', [['path', 'second']]),
      entry({ name: 'hdr', magic: 'gnu' }, 'x'),
      END,
    ]);
    const [m] = parse(tar).members;
    assert.deepEqual([m!.rawName, m!.headerOffset, m!.dataOffset], ['second', 0, 512 + 512 + 1024 + 1024 + 512]);
  });

  test('GNU L long name (trailing NULs removed) and K long link name', () => {
    const name = `${'n'.repeat(140)}/file`;
    const tar = Buffer.concat([
      entry({ name: '././@LongLink', typeflag: 'L', magic: 'gnu' }, `${name}\0`),
      entry({ name: 'n'.repeat(100), magic: 'gnu' }, 'content'),
      entry({ name: '././@LongLink', typeflag: 'K', magic: 'gnu' }, `${'t'.repeat(200)}\0`),
      entry({ name: '././@LongLink', typeflag: 'L', magic: 'gnu' }, 'lnk\0\0\0'),
      entry({ name: 'lnk-short', typeflag: '2', magic: 'gnu' }),
      entry({ name: 'plain', magic: 'gnu' }, ''),
      END,
    ]);
    const { members, contents } = parse(tar, 100);
    assert.deepEqual(members.map(brief), [
      [name, name, 'file', '0', 7],
      ['lnk', 'lnk', 'other', '2', 0],
      ['plain', 'plain', 'file', '0', 0],
    ]);
    assert.deepEqual(contents[0], Buffer.from('content'));
    assert.deepEqual(members.map((m) => m.headerOffset), [0, 2048, 4608], 'lnk starts at its K header');
    // An L name with an inner NUL keeps it, and is unsafe.
    const inner = Buffer.concat([entry({ name: '././@LongLink', typeflag: 'L', magic: 'gnu' }, 'a\0b\0'), entry({ name: 'a', magic: 'gnu' }), END]);
    assert.deepEqual(parse(inner).members.map((m) => m.rawName), ['a\0b']);
  });

  test('global g headers apply to every later member; empty values delete or cancel them', () => {
    const tar = Buffer.concat([
      pax('g', [['comment', 'hello']]),
      entry({ name: 'a' }, 'A'),
      pax('g', [['path', 'same']]),
      entry({ name: 'b' }, 'B'),
      entry({ name: 'c' }, 'C'),
      pax('x', [['path', '']]),
      entry({ name: 'd' }, 'D'),
      pax('x', [['path', 'e-from-x']]),
      entry({ name: 'e' }, 'E'),
      pax('g', [['path', '']]),
      entry({ name: 'f' }, 'F'),
      END,
    ]);
    const { members } = parse(tar);
    assert.deepEqual(members.map((m) => m.rawName), ['a', 'same', 'same', 'd', 'e-from-x', 'f']);
    // g headers belong to no one member, so they do not move headerOffset.
    assert.equal(members[0]!.headerOffset, 1024);
    assert.deepEqual(unsafeMembers(members), [
      { rawName: 'same', reason: 'duplicate path (2 members)' },
      { rawName: 'same', reason: 'duplicate path (2 members)' },
    ]);
    const sized = Buffer.concat([pax('g', [['size', '2']]), hdr({ name: 'a', size: 0 }), Buffer.from('AA'), pad(2), pax('g', [['size', '']]), entry({ name: 'b' }, 'bbb'), END]);
    assert.deepEqual(parse(sized).members.map((m) => m.size), [2, 3]);
  });

  test('PAX path with a NUL, a backslash, or absolute', () => {
    const tar = Buffer.concat([
      pax('x', [['path', Buffer.from('a\0b')]]),
      entry({ name: 'x1' }),
      pax('x', [['path', 'dir\\file']]),
      entry({ name: 'x2' }),
      pax('x', [['path', '/etc/passwd']]),
      entry({ name: 'x3' }),
      END,
    ]);
    assert.deepEqual(unsafeMembers(parse(tar).members), [
      { rawName: 'a\0b', reason: 'NUL in path' },
      { rawName: 'dir\\file', reason: 'backslash in path' },
      { rawName: '/etc/passwd', reason: 'absolute path' },
    ]);
  });

  test('GNU.sparse keys make a member "other"', () => {
    const tar = Buffer.concat([
      pax('x', [
        ['GNU.sparse.major', '1'],
        ['GNU.sparse.minor', '0'],
        ['GNU.sparse.name', 'real'],
      ]),
      entry({ name: 'GNUSparseFile.0/real' }, '1\n0\n0\n'),
      END,
    ]);
    const { members } = parse(tar);
    assert.deepEqual(members.map((m) => [m.kind, m.typeflag]), [['other', '0']]);
  });

  test('malformed PAX records', () => {
    const bad = (records: string): Buffer => Buffer.concat([entry({ name: 'PaxHeaders/x', typeflag: 'x' }, records), entry({ name: 'm' }), END]);
    parseError(bad('path=x\n'), 'malformed PAX record at byte 0 of the extended header at offset 0: no length');
    parseError(bad('11 path=x\n'), 'malformed PAX record at byte 0 of the extended header at offset 0: length 11 out of range');
    parseError(bad('9 path=xx'), 'malformed PAX record at byte 0 of the extended header at offset 0: no newline at its end');
    parseError(bad('9 pathxx\n'), 'malformed PAX record at byte 0 of the extended header at offset 0: no key=value');
    parseError(bad('10 path=x\n7 =abc\n'), 'malformed PAX record at byte 10 of the extended header at offset 0: no key=value');
    parseError(bad('10 path=x\n4 a'), 'malformed PAX record at byte 10 of the extended header at offset 0: length 4 out of range');
    parseError(bad('11 size=1x\n'), 'bad PAX size "1x" in the extended header at offset 0');
    parseError(bad('10 path=x\n\0\0'), 'malformed PAX record at byte 10 of the extended header at offset 0: no length');
  });

  test('an extension header must be followed by a member, and is bounded', () => {
    parseError(Buffer.concat([pax('x', [['path', 'p']]), END]), 'extended header at offset 0 is followed by the end of the archive, not a member');
    parseError(Buffer.concat([entry({ name: '././@LongLink', typeflag: 'L', magic: 'gnu' }, 'x\0'), END]), 'extended header at offset 0 is followed by the end of the archive, not a member');
    parseError(Buffer.concat([hdr({ name: 'PaxHeaders/x', typeflag: 'x', size: (1 << 20) + 1 }), END]), 'extended header at offset 0 is too large (1048577 bytes)');
    parseError(pax('x', [['path', 'p']]).subarray(0, 520), 'truncated tar: EOF inside the extended header at offset 0');
  });
});

describe('unsafeMembers', () => {
  const member = (rawName: string, kind: TarMember['kind'] = 'file'): TarMember => {
    let path = rawName.startsWith('./') ? rawName.slice(2) : rawName;
    if (path.endsWith('/')) path = path.slice(0, -1);
    return { rawName, path, kind, typeflag: kind === 'directory' ? '5' : kind === 'file' ? '0' : '2', size: 0, headerOffset: 0, dataOffset: 512 };
  };

  test('every rule, one entry per member, raw names, reasons combined', () => {
    const members = [
      member('ok/file'),
      member('/abs'),
      member('.//abs-after-dot'),
      member('../up'),
      member('a/../../up'),
      member('a/..'),
      member('..a/b..'),
      member('a\\b'),
      member('nul\0'),
      member('x'),
      member('./x'),
      member('x/', 'directory'),
      member('link', 'other'),
      member('/../link\\\0', 'other'),
      member('dir/', 'directory'),
      member('..'),
    ];
    assert.deepEqual(unsafeMembers(members), [
      { rawName: '/abs', reason: 'absolute path' },
      { rawName: './/abs-after-dot', reason: 'absolute path' },
      { rawName: '../up', reason: "'..' component" },
      { rawName: 'a/../../up', reason: "'..' component" },
      { rawName: 'a/..', reason: "'..' component" },
      { rawName: 'a\\b', reason: 'backslash in path' },
      { rawName: 'nul\0', reason: 'NUL in path' },
      { rawName: 'x', reason: 'duplicate path (3 members)' },
      { rawName: './x', reason: 'duplicate path (3 members)' },
      { rawName: 'x/', reason: 'duplicate path (3 members)' },
      { rawName: 'link', reason: 'not a regular file or directory (typeflag "2")' },
      { rawName: '/../link\\\0', reason: "not a regular file or directory (typeflag \"2\"); absolute path; backslash in path; NUL in path; '..' component" },
      { rawName: '..', reason: "'..' component" },
    ]);
    assert.deepEqual(unsafeMembers([]), []);
  });

  test('hand-made archive with unsafe names read by the parser', () => {
    const tar = Buffer.concat([
      entry({ name: '/etc/cron.d/x' }, 'a'),
      entry({ name: '../../escape' }, 'b'),
      entry({ name: 'win\\path' }, 'c'),
      entry({ name: 'manifest.json' }, '{}'),
      entry({ name: './manifest.json' }, '{}'),
      entry({ name: 'ok' }, 'd'),
      END,
    ]);
    assert.deepEqual(unsafeMembers(parse(tar).members), [
      { rawName: '/etc/cron.d/x', reason: 'absolute path' },
      { rawName: '../../escape', reason: "'..' component" },
      { rawName: 'win\\path', reason: 'backslash in path' },
      { rawName: 'manifest.json', reason: 'duplicate path (2 members)' },
      { rawName: './manifest.json', reason: 'duplicate path (2 members)' },
    ]);
  });
});

describe('tarRoot', () => {
  const m = (path: string, kind: TarMember['kind'] = 'file'): TarMember => ({ rawName: path, path, kind, typeflag: '0', size: 0, headerOffset: 0, dataOffset: 0 });

  test('the cases of the spec', () => {
    assert.equal(tarRoot([m('manifest.json'), m('segments/a.gz')]), '');
    assert.equal(tarRoot([m('', 'directory'), m('segments', 'directory'), m('manifest.json')]), '');
    assert.equal(tarRoot([m('other/x'), m('manifest.json')]), '', "'manifest.json' at the top wins");
    assert.equal(tarRoot([m('arch', 'directory'), m('arch/manifest.json'), m('arch/segments/a.gz')]), 'arch');
    assert.equal(tarRoot([m('arch/manifest.json')]), 'arch');
    assert.equal(tarRoot([m('', 'directory'), m('arch', 'directory'), m('arch/manifest.json')]), 'arch');
    assert.equal(tarRoot([m('arch/manifest.json'), m('other/file')]), null, 'two top-level names');
    assert.equal(tarRoot([m('arch/manifest.json'), m('stray')]), null);
    assert.equal(tarRoot([m('arch/segments/a.gz')]), null, 'no manifest');
    assert.equal(tarRoot([m('a/b/manifest.json')]), null, 'manifest two levels down');
    assert.equal(tarRoot([]), null);
    assert.equal(tarRoot([m('', 'directory')]), null);
    assert.equal(tarRoot([m('/manifest.json')]), null);
    assert.equal(tarRoot([m('archive', 'directory'), m('arch/manifest.json')]), null, 'a shared prefix is not a shared component');
  });
});

// ---- the writer ----

describe('ustar writer', () => {
  const MTIME = 1_700_000_000;
  const files: [string, Buffer][] = [
    ['manifest.json', Buffer.from('{"format":"sealcheck/1"}\n')],
    ['segments/segment-000000000001.jsonl.gz', deterministic(5000, 21)],
    ['segments/empty.jsonl', Buffer.alloc(0)],
    ['exact/512.bin', deterministic(512, 22)],
    [`${'p'.repeat(120)}/${'n'.repeat(95)}.txt`, Buffer.from('prefix split\n')],
    [`${'q'.repeat(40)}/${'r'.repeat(130)}.txt`, Buffer.from('pax path\n')],
    [`${'s'.repeat(200)}/${'t'.repeat(20)}`, Buffer.from('pax path, prefix too long\n')],
    ['ünïcødé/ファイル.txt', Buffer.from('utf-8\n')],
    [`${'ü'.repeat(60)}/x`, Buffer.from('multi-byte split\n')],
  ];

  function write(list: [string, Buffer][]): Buffer {
    const parts: Uint8Array[] = [];
    let total = 0;
    for (const [p, c] of list) {
      for (const part of [tarFileHeader(p, c.length, MTIME), c, tarPadding(c.length)]) {
        parts.push(part);
        total += part.length;
      }
    }
    parts.push(tarEnd(total));
    return Buffer.concat(parts);
  }

  test('GNU tar lists and extracts it byte for byte, with mode 0644, owner 0/0 and the mtime', () => {
    const tar = write(files);
    assert.equal(tar.length % 10240, 0);
    const p = join(tmp, 'written.tar');
    writeFileSync(p, tar);
    const lines = tarBin(['--utc', '--numeric-owner', '--quoting-style=literal', '-tvf', p]).toString('utf8').trimEnd().split('\n');
    assert.deepEqual(
      lines.map((l) => l.replace(/ +/g, ' ')),
      files.map(([name, c]) => `-rw-r--r-- 0/0 ${c.length} 2023-11-14 22:13 ${name}`),
    );
    const out = join(tmp, 'extracted');
    mkdirSync(out);
    tarBin(['-xf', p, '-C', out]);
    for (const [name, c] of files) {
      assert.deepEqual(readFileSync(join(out, name)), c, name);
      assert.equal(statSync(join(out, name)).mtimeMs, MTIME * 1000);
    }
  });

  test('TarParser reads it back: paths, sizes, contents, no unsafe members, root ""', () => {
    const tar = write(files);
    for (const chunk of [tar.length, 1, 333]) {
      const { members, contents } = parse(tar, chunk);
      assert.deepEqual(
        members.map((m) => [m.rawName, m.path, m.kind, m.typeflag, m.size]),
        files.map(([p, c]) => [p, p, 'file', '0', c.length]),
      );
      assert.deepEqual(contents, files.map(([, c]) => c));
      assert.deepEqual(unsafeMembers(members), []);
      assert.equal(tarRoot(members), '');
    }
  });

  test('header bytes: ustar fields, prefix split, PAX only when needed, deterministic', () => {
    const h = tarFileHeader('manifest.json', 25, MTIME);
    assert.equal(h.length, 512);
    const field = (off: number, len: number): string => Buffer.from(h.subarray(off, off + len)).toString('latin1');
    assert.equal(field(0, 14), 'manifest.json\0');
    assert.equal(field(100, 8), '0000644\0');
    assert.equal(field(108, 16), '0000000\x000000000\0');
    assert.equal(field(124, 12), '00000000031\0');
    assert.equal(field(136, 12), `${MTIME.toString(8)}\0`);
    assert.equal(field(156, 1), '0');
    assert.equal(field(257, 8), 'ustar\x0000');
    assert.equal(field(265, 64), '\0'.repeat(64), 'empty uname and gname');
    assert.equal(field(329, 16), '0000000\x000000000\0');
    assert.deepEqual(parse(Buffer.concat([h, Buffer.alloc(25), tarPadding(25), tarEnd(1024)])).members.map((m) => m.size), [25]);

    const split = tarFileHeader(files[4]![0], 1, MTIME);
    assert.equal(split.length, 512);
    assert.equal(Buffer.from(split.subarray(345, 465)).toString(), 'p'.repeat(120));
    const paxed = tarFileHeader(files[5]![0], 1, MTIME);
    assert.equal(paxed.length, 512 * 3);
    assert.equal(String.fromCharCode(paxed[156]!), 'x');
    assert.match(Buffer.from(paxed.subarray(512, 1024)).toString(), new RegExp(`^\\d+ path=${files[5]![0]}\n\0+$`));
    assert.equal(tarFileHeader('ü'.repeat(50), 0, 0).length, 512, '100 bytes of UTF-8 fit');
    assert.equal(tarFileHeader('ü'.repeat(51), 0, 0).length, 1536);
    assert.deepEqual(write(files), write(files));
  });

  test('sizes beyond 11 octal digits go in a PAX size record', () => {
    const big = 0o100000000000;
    const h = tarFileHeader('huge.bin', big, MTIME);
    assert.equal(h.length, 1536);
    assert.match(Buffer.from(h.subarray(512, 1024)).toString(), /^\d+ size=8589934592\n\0+$/);
    let seen: TarMember | null = null;
    const p = new TarParser({ member: (m) => (seen = m) });
    p.push(h);
    assert.equal(seen!.size, big);
  });

  test('padding and end', () => {
    assert.equal(tarPadding(0).length, 0);
    assert.equal(tarPadding(1).length, 511);
    assert.equal(tarPadding(512).length, 0);
    assert.equal(tarPadding(1025).length, 511);
    assert.ok(tarPadding(700).every((b) => b === 0));
    for (const [total, len] of [[0, 10240], [512, 9728], [512 * 18, 1024], [512 * 19, 10752], [10240, 10240]] as const) {
      const e = tarEnd(total);
      assert.equal(e.length, len, `tarEnd(${total})`);
      assert.ok(e.every((b) => b === 0));
    }
    assert.throws(() => tarEnd(100), RangeError);
    assert.throws(() => tarEnd(-512), RangeError);
  });

  test('refuses what the reader would call unsafe or would normalise', () => {
    for (const bad of ['', '/abs', 'a/../b', '..', 'a\\b', 'a\0b', './a', 'a/', 'a//b', 'a/./b']) {
      assert.throws(() => tarFileHeader(bad, 0, 0), RangeError, JSON.stringify(bad));
    }
    assert.throws(() => tarFileHeader('a', -1, 0), RangeError);
    assert.throws(() => tarFileHeader('a', 1.5, 0), RangeError);
    assert.throws(() => tarFileHeader('a', 0, -1), RangeError);
    assert.throws(() => tarFileHeader('a', 0, 0o100000000000), RangeError);
  });
});
