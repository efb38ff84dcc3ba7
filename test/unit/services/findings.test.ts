// One test (or more) per finding code of archive spec §6, plus the §3 worked examples, the per-code cap and clean archives in every container.
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdir, readFile, readdir, rename, symlink, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { main } from '../../../electron/cli/main.ts';
import type { VerifyReport, Verdict } from '../../../shared/core/report.ts';
import {
  ORIGIN, SEAL_TIME, TempDirs, anchorFrom, auditEvent, auditLines, buildTar, chainLinesFor, chainPath, checkpointFor, checkpointPath,
  checkpointText, editManifest, found, gzip, impostorLogKey, leafHash, logKey, membersOf, merkleRootOf, project, rawSignatureLine,
  rawTarHeader, readChain, readEntries, readManifest, readRel, readSegment, rehash, removeRel, sealArchive, segmentPath, signNote,
  trustPolicy, verify, witness1, witness2, writeChain, writeEntries, writeKeyFiles, writeRel, writeSegment, type Found, type ManifestJson,
} from '../../helpers/archives.ts';

const temp = new TempDirs();
after(() => temp.cleanup());

// The default archive: 25 entries; segments 0..9, 10..19, 20..24; checkpoints at 10, 20 and 25.
const S0 = segmentPath(0);
const S10 = segmentPath(10);
const S20 = segmentPath(20);
const C0 = chainPath(0);
const C10 = chainPath(10);
const C20 = chainPath(20);
const K10 = checkpointPath(10);
const K20 = checkpointPath(20);
const K25 = checkpointPath(25);
const MANIFEST = 'manifest.json';

type VerifyOpts = Parameters<typeof verify>[1];

async function expectFindings(path: string, expected: Found[], verdict: Verdict, opts: VerifyOpts = {}): Promise<VerifyReport> {
  const report = await verify(path, opts);
  assert.deepEqual(project(report.findings), project(expected), `findings of ${path}`);
  assert.equal(report.verdict, verdict, `verdict of ${path}`);
  return report;
}

/**
 * The same files judged as a directory, a tar, a tar.gz and a tar rooted at P/: the findings must
 * not depend on the container (the tar.gz path streams, the others read at random).
 */
async function expectEverywhere(root: string, expected: Found[], verdict: Verdict, opts: VerifyOpts = {}): Promise<void> {
  await expectFindings(root, expected, verdict, opts);
  const dir = dirname(root);
  const tar = buildTar(await membersOf(root));
  await writeFile(join(dir, 'packed.tar'), tar);
  await expectFindings(join(dir, 'packed.tar'), expected, verdict, opts);
  await writeFile(join(dir, 'packed.tar.gz'), gzip(tar));
  await expectFindings(join(dir, 'packed.tar.gz'), expected, verdict, opts);
  await writeFile(join(dir, 'rooted.tar'), buildTar([{ header: rawTarHeader({ name: 'P/', typeflag: '5' }) }, ...(await membersOf(root, 'P/'))]));
  await expectFindings(join(dir, 'rooted.tar'), expected, verdict, opts);
}

const sha256hex = (b: Uint8Array): string => createHash('sha256').update(b).digest('hex');
const otherHex = (label: string): string => sha256hex(Buffer.from(label));

/** Replaces field 0 (leaf) or 1 (chain) of one chain line. */
function setChainField(lines: string[], k: number, field: 0 | 1, hex: string): string[] {
  const out = lines.slice();
  const parts = out[k]!.split(' ');
  parts[field] = hex;
  out[k] = parts.join(' ');
  return out;
}

/** An edited audit event that is still a JSON object (so entry-not-json stays out of the picture). */
const edited = (i: number): string => auditEvent(i).replace('"verb":"', '"verb":"delete-');

// ---------------------------------------------------------------------------------------------

describe('clean archives verify with no findings in every container', () => {
  const clean = async (path: string): Promise<VerifyReport> => {
    const r = await expectFindings(path, [], 'verified');
    assert.equal(r.entries, 25);
    assert.equal(r.coveredEntries, 25);
    assert.equal(r.covering?.checkpoint, K25);
    assert.equal(r.covering?.root, Buffer.from(merkleRootOf(auditLines(25).map((l) => Buffer.from(l)))).toString('base64'));
    assert.deepEqual(r.checkpoints, { total: 3, trusted: 3 });
    assert.equal(r.origin, ORIGIN);
    return r;
  };

  test('directory', async () => {
    const r = await clean((await sealArchive(temp)).path);
    assert.equal(r.container, 'directory');
  });

  test('directory with gzip segments', async () => {
    const a = await sealArchive(temp, { gzip: true });
    assert.deepEqual((await readManifest(a.path)).segments.map((s) => s.path), [segmentPath(0, true), segmentPath(10, true), segmentPath(20, true)]);
    await clean(a.path);
  });

  test('tar: evidence digest is the SHA-256 of the file', async () => {
    const a = await sealArchive(temp, { container: 'tar' });
    const r = await clean(a.path);
    assert.equal(r.container, 'tar');
    assert.equal(r.archive.sha256, sha256hex(await readFile(a.path)));
  });

  test('tar.gz with gzip segments', async () => {
    const a = await sealArchive(temp, { container: 'tar.gz', gzip: true });
    const r = await clean(a.path);
    assert.equal(r.container, 'tar.gz');
    assert.equal(r.archive.sha256, sha256hex(await readFile(a.path)));
  });

  test('tar and tar.gz with a root folder P/ (with and without directory members)', async () => {
    const a = await sealArchive(temp, { gzip: true });
    const members = await membersOf(a.path, 'P/');
    const withDirs = [{ header: rawTarHeader({ name: 'P/', typeflag: '5' }) }, { header: rawTarHeader({ name: 'P/segments/', typeflag: '5' }) }, ...members];
    for (const [name, bytes] of [['p.tar', buildTar(members)], ['pd.tar', buildTar(withDirs)], ['p.tar.gz', gzip(buildTar(members))], ['pd.tgz', gzip(buildTar(withDirs))]] as const) {
      await writeFile(join(a.dir, name), bytes);
      await clean(join(a.dir, name));
    }
  });

  test('tar whose members are named ./path', async () => {
    const a = await sealArchive(temp);
    await writeFile(join(a.dir, 'dot.tar'), buildTar(await membersOf(a.path, './')));
    await clean(join(a.dir, 'dot.tar'));
  });

  test('entries with a CR before the LF and odd bytes are sealed and verified as they are', async () => {
    const lines = [...auditLines(24), `${auditEvent(24)}\r`];
    const a = await sealArchive(temp, { lines });
    assert.deepEqual((await readEntries(a.path, S20))[4], Buffer.from(`${auditEvent(24)}\r`));
    await expectFindings(a.path, [], 'verified');
  });

  test('tree digest of a directory archive equals find | sort -z | xargs sha256sum | sha256sum', async () => {
    const a = await sealArchive(temp, { gzip: true });
    const r = await verify(a.path);
    const shell = execFileSync('sh', ['-c', 'find . -type f -print0 | LC_ALL=C sort -z | xargs -0 sha256sum | sha256sum'], { cwd: a.path, encoding: 'utf8' });
    assert.equal(r.archive.sha256, shell.slice(0, 64));
    assert.match(r.archive.sha256, /^[0-9a-f]{64}$/);
  });
});

// ---------------------------------------------------------------------------------------------

describe('§3 worked examples (tampered files re-hashed into the manifest)', () => {
  test('one changed entry: one leaf-hash-mismatch and one chain-link-mismatch at its index', async () => {
    const a = await sealArchive(temp);
    const entries = await readEntries(a.path, S10);
    entries[3] = Buffer.from(edited(13));
    await writeEntries(a.path, S10, entries);
    await expectEverywhere(a.path, [
      found('leaf-hash-mismatch', { file: S10, index: 13, line: 4 }),
      found('chain-link-mismatch', { file: C10, index: 13, line: 4 }),
      // The roots are recomputed from the entries, so the checkpoints past it no longer match.
      found('checkpoint-root-mismatch', { file: K20 }),
      found('checkpoint-root-mismatch', { file: K25 }),
      found('unsigned-tail', { file: S10, index: 10 }),
    ], 'failed');
  });

  test('one changed entry in a gzip segment: the same findings', async () => {
    const a = await sealArchive(temp, { gzip: true });
    const seg = segmentPath(10, true);
    const entries = await readEntries(a.path, seg);
    entries[3] = Buffer.from(edited(13));
    await writeEntries(a.path, seg, entries);
    await expectEverywhere(a.path, [
      found('leaf-hash-mismatch', { file: seg, index: 13, line: 4 }),
      found('chain-link-mismatch', { file: C10, index: 13, line: 4 }),
      found('checkpoint-root-mismatch', { file: K20 }),
      found('checkpoint-root-mismatch', { file: K25 }),
      found('unsigned-tail', { file: seg, index: 10 }),
    ], 'failed');
  });

  test('a deleted entry (its chain line removed too, manifest and checkpoint made consistent): one chain-link-mismatch where it was', async () => {
    const a = await sealArchive(temp);
    const entries = await readEntries(a.path, S20);
    const chain = await readChain(a.path, C20);
    entries.splice(2, 1);
    chain.splice(2, 1);
    await writeEntries(a.path, S20, entries);
    await writeChain(a.path, C20, chain);
    // The attacker even holds the log key and signs the shortened log, so only the chain tells.
    const all = [...a.entries.slice(0, 22), ...a.entries.slice(23)];
    await removeRel(a.path, K25);
    await writeRel(a.path, checkpointPath(24), checkpointFor(all, 24));
    await editManifest(a.path, (m) => {
      m.entries = 24;
      m.segments[2]!.count = 4;
      m.checkpoints = [K10, K20, checkpointPath(24)];
    });
    const r = await verify(a.path);
    assert.equal(r.coveredEntries, 24);
    await expectEverywhere(a.path, [found('chain-link-mismatch', { file: C20, index: 22, line: 3 })], 'failed');
  });

  test('an edited stored chain value: mismatches at its index and the next', async () => {
    const a = await sealArchive(temp);
    await writeChain(a.path, C10, setChainField(await readChain(a.path, C10), 3, 1, otherHex('forged chain')));
    await expectEverywhere(a.path, [
      found('chain-link-mismatch', { file: C10, index: 13, line: 4 }),
      found('chain-link-mismatch', { file: C10, index: 14, line: 5 }),
    ], 'failed');
  });

  test('two swapped entries with their chain lines swapped: three mismatches (both indexes and the one after)', async () => {
    const a = await sealArchive(temp);
    const entries = await readEntries(a.path, S10);
    const chain = await readChain(a.path, C10);
    [entries[2], entries[3]] = [entries[3]!, entries[2]!];
    [chain[2], chain[3]] = [chain[3]!, chain[2]!];
    await writeEntries(a.path, S10, entries);
    await writeChain(a.path, C10, chain);
    await expectEverywhere(a.path, [
      found('chain-link-mismatch', { file: C10, index: 12, line: 3 }),
      found('chain-link-mismatch', { file: C10, index: 13, line: 4 }),
      found('chain-link-mismatch', { file: C10, index: 14, line: 5 }),
      found('checkpoint-root-mismatch', { file: K20 }),
      found('checkpoint-root-mismatch', { file: K25 }),
      found('unsigned-tail', { file: S10, index: 10 }),
    ], 'failed');
  });

  test('a changed first entry of the second segment: the cross-segment link is checked', async () => {
    const a = await sealArchive(temp);
    const entries = await readEntries(a.path, S10);
    entries[0] = Buffer.from(edited(10));
    await writeEntries(a.path, S10, entries);
    await expectEverywhere(a.path, [
      found('leaf-hash-mismatch', { file: S10, index: 10, line: 1 }),
      found('chain-link-mismatch', { file: C10, index: 10, line: 1 }),
      found('checkpoint-root-mismatch', { file: K20 }),
      found('checkpoint-root-mismatch', { file: K25 }),
      found('unsigned-tail', { file: S10, index: 10 }),
    ], 'failed');
  });

  test('an edited last chain value of a segment: mismatches at it and at the next segment\'s first entry', async () => {
    const a = await sealArchive(temp);
    await writeChain(a.path, C0, setChainField(await readChain(a.path, C0), 9, 1, otherHex('forged chain')));
    await expectEverywhere(a.path, [
      found('chain-link-mismatch', { file: C0, index: 9, line: 10 }),
      found('chain-link-mismatch', { file: C10, index: 10, line: 1 }),
    ], 'failed');
  });

  test('an edited first chain value (index 0 links to 32 zero bytes)', async () => {
    const a = await sealArchive(temp);
    await writeChain(a.path, C0, setChainField(await readChain(a.path, C0), 0, 1, otherHex('forged chain')));
    await expectFindings(a.path, [
      found('chain-link-mismatch', { file: C0, index: 0, line: 1 }),
      found('chain-link-mismatch', { file: C0, index: 1, line: 2 }),
    ], 'failed');
  });

  test('an edited last chain value of the log: one mismatch (there is no next)', async () => {
    const a = await sealArchive(temp);
    await writeChain(a.path, C20, setChainField(await readChain(a.path, C20), 4, 1, otherHex('forged chain')));
    await expectFindings(a.path, [found('chain-link-mismatch', { file: C20, index: 24, line: 5 })], 'failed');
  });

  test('a chain recomputed by the attacker after a changed entry: only the roots tell', async () => {
    const a = await sealArchive(temp);
    const entries = [...a.entries];
    entries[13] = Buffer.from(edited(13));
    await writeEntries(a.path, S10, entries.slice(10, 20));
    await writeChain(a.path, C10, chainLinesFor(entries.slice(10, 20), Buffer.from((await readChain(a.path, C0))[9]!.split(' ')[1]!, 'hex')));
    const c20 = chainLinesFor(entries.slice(0, 25)).slice(20);
    await writeChain(a.path, C20, c20);
    await expectFindings(a.path, [
      found('checkpoint-root-mismatch', { file: K20 }),
      found('checkpoint-root-mismatch', { file: K25 }),
      found('unsigned-tail', { file: S10, index: 10 }),
    ], 'failed');
  });
});

// ---------------------------------------------------------------------------------------------

describe('per-code cap (§6): 100 listed, the rest one finding with count', () => {
  test('130 leaf mismatches across two segments: 100 listed (the first in archive order) and one with count 30', async () => {
    // Segments of 120 and 10: the first one's own check already caps, the join caps again.
    const a = await sealArchive(temp, { lines: auditLines(130), segmentEntries: 120, checkpointEvery: 50 });
    const c120 = chainPath(120);
    const forge = (lines: string[], base: number) => lines.map((l, k) => `${otherHex(`forged leaf ${base + k}`)} ${l.split(' ')[1]}`);
    await writeChain(a.path, C0, forge(await readChain(a.path, C0), 0));
    await writeChain(a.path, c120, forge(await readChain(a.path, c120), 120));
    const expected = [
      ...Array.from({ length: 100 }, (_, i) => found('leaf-hash-mismatch', { file: S0, index: i, line: i + 1 })),
      found('leaf-hash-mismatch', { count: 30 }),
    ];
    const r = await expectFindings(a.path, expected, 'failed');
    // Only the stored leaves were forged: the chain and the roots still hold.
    assert.equal(r.coveredEntries, 130);
    await expectEverywhere(a.path, expected, 'failed');
  });
});

// ---------------------------------------------------------------------------------------------

describe('archive-unreadable', () => {
  test('a truncated tar', async () => {
    const a = await sealArchive(temp, { container: 'tar' });
    const bytes = await readFile(a.path);
    await writeFile(a.path, bytes.subarray(0, 1000)); // inside the first member's content
    const r = await expectFindings(a.path, [found('archive-unreadable', { file: a.path })], 'failed');
    assert.equal(r.archive.sha256, sha256hex(bytes.subarray(0, 1000)));
  });

  test('non-zero bytes after the tar end-of-archive blocks (zero padding is fine)', async () => {
    const a = await sealArchive(temp, { container: 'tar' });
    const bytes = await readFile(a.path);
    await writeFile(join(a.dir, 'padded.tar'), Buffer.concat([bytes, Buffer.alloc(10240)]));
    await expectFindings(join(a.dir, 'padded.tar'), [], 'verified');
    await writeFile(a.path, Buffer.concat([bytes, Buffer.from('trailing garbage\n')]));
    await expectFindings(a.path, [found('archive-unreadable', { file: a.path })], 'failed');
  });

  test('the evidence digest is the SHA-256 of the whole file even when reading stops early', async () => {
    const a = await sealArchive(temp, { container: 'tar' });
    // Garbage after the end blocks, larger than a read chunk, so the reader meets it before the end of the file.
    const junk = Buffer.alloc(3 << 20, 0x41);
    const bytes = Buffer.concat([await readFile(a.path), junk]);
    await writeFile(a.path, bytes);
    const r = await expectFindings(a.path, [found('archive-unreadable', { file: a.path })], 'failed');
    assert.equal(r.archive.sha256, sha256hex(bytes));
  });

  test('a corrupt tar.gz, and bytes after its last gzip member', async () => {
    const a = await sealArchive(temp, { container: 'tar.gz' });
    const bytes = await readFile(a.path);
    const corrupt = Buffer.from(bytes);
    corrupt[Math.floor(corrupt.length / 2)]! ^= 0xff;
    await writeFile(join(a.dir, 'corrupt.tar.gz'), corrupt);
    const r = await expectFindings(join(a.dir, 'corrupt.tar.gz'), [found('archive-unreadable', { file: join(a.dir, 'corrupt.tar.gz') })], 'failed');
    assert.equal(r.archive.sha256, sha256hex(corrupt));
    await writeFile(join(a.dir, 'trailing.tar.gz'), Buffer.concat([bytes, Buffer.from('junk')]));
    await expectFindings(join(a.dir, 'trailing.tar.gz'), [found('archive-unreadable', { file: join(a.dir, 'trailing.tar.gz') })], 'failed');
  });

  test('a large tar.gz whose first tar header is corrupt: digest still over the whole file', async () => {
    const a = await sealArchive(temp);
    // Incompressible filler (an unlisted file) makes the compressed file span several read chunks,
    // and a bad header checksum at the start stops the reader in the first one.
    const filler = Buffer.alloc(4 << 20);
    for (let i = 0; i < filler.length; i += 32) createHash('sha256').update(String(i)).digest().copy(filler, i);
    const tar = buildTar([...(await membersOf(a.path)), { path: 'filler.bin', data: filler }]);
    tar[0]! ^= 0x01;
    const tgz = gzip(tar);
    await writeFile(join(a.dir, 'big.tar.gz'), tgz);
    const r = await expectFindings(join(a.dir, 'big.tar.gz'), [found('archive-unreadable', { file: join(a.dir, 'big.tar.gz') })], 'failed');
    assert.equal(r.archive.sha256, sha256hex(tgz));
  });
});

describe('archive-unsafe-member', () => {
  const paxPath = (path: string): Uint8Array => {
    const body = ` path=${path}\n`;
    let len = body.length + 2;
    while (String(len).length + body.length !== len) len = String(len).length + body.length;
    return Buffer.from(`${len}${body}`);
  };

  test('tar: one finding per unsafe member, file = raw name, nothing else read', async () => {
    const a = await sealArchive(temp);
    const pax = paxPath('../pax-escape.txt');
    const members = [
      ...(await membersOf(a.path)),
      { header: rawTarHeader({ name: '../escape.txt', size: 5 }), data: 'hello' },
      { header: rawTarHeader({ name: '/etc/cron.d/evil', size: 5 }), data: 'hello' },
      { header: rawTarHeader({ name: 'back\\slash.txt', size: 5 }), data: 'hello' },
      { header: rawTarHeader({ name: 'nul\0tail.txt', size: 5 }), data: 'hello' },
      { header: rawTarHeader({ name: 'segments/link', typeflag: '2', linkname: '../../etc/passwd' }) },
      { header: rawTarHeader({ name: 'hard', typeflag: '1', linkname: 'manifest.json' }) },
      { header: rawTarHeader({ name: 'dev/tty0', typeflag: '3' }) },
      { header: rawTarHeader({ name: 'fifo', typeflag: '6' }) },
      { path: 'notes.txt', data: 'one' },
      { header: rawTarHeader({ name: './notes.txt', size: 3 }), data: 'two' },
      { header: rawTarHeader({ name: 'PaxHeaders/x', typeflag: 'x', size: pax.length }), data: pax },
      { header: rawTarHeader({ name: 'innocent.txt', size: 5 }), data: 'hello' },
    ];
    const expected = ['../escape.txt', '/etc/cron.d/evil', 'back\\slash.txt', 'nul\0tail.txt', 'segments/link', 'hard', 'dev/tty0', 'fifo', 'notes.txt', './notes.txt', '../pax-escape.txt']
      .map((file) => found('archive-unsafe-member', { file }));
    await writeFile(join(a.dir, 'unsafe.tar'), buildTar(members));
    const r = await expectFindings(join(a.dir, 'unsafe.tar'), expected, 'failed');
    assert.equal(r.manifest, null);
    await writeFile(join(a.dir, 'unsafe.tar.gz'), gzip(buildTar(members)));
    await expectFindings(join(a.dir, 'unsafe.tar.gz'), expected, 'failed');
  });

  test('tar: a .. component anywhere, and duplicates that differ only by ./', async () => {
    const a = await sealArchive(temp);
    const members = [...(await membersOf(a.path, 'P/')), { header: rawTarHeader({ name: 'P/segments/../manifest.json', size: 2 }), data: '{}' }, { header: rawTarHeader({ name: './P/manifest.json', size: 2 }), data: '{}' }];
    await writeFile(join(a.dir, 'dup.tar'), buildTar(members));
    await expectFindings(join(a.dir, 'dup.tar'), [
      found('archive-unsafe-member', { file: 'P/segments/../manifest.json' }),
      found('archive-unsafe-member', { file: 'P/manifest.json' }),
      found('archive-unsafe-member', { file: './P/manifest.json' }),
    ], 'failed');
  });

  test('directory: a symbolic link, a FIFO, names with a backslash or a line feed; the tree digest still covers every regular file', async () => {
    const a = await sealArchive(temp);
    await symlink('../../outside', join(a.path, 'segments', 'link'));
    await writeFile(join(a.path, 'back\\slash.txt'), 'x');
    await writeFile(join(a.path, 'line\nfeed.txt'), 'y');
    await mkdir(join(a.path, 'odd\\dir'));
    await writeFile(join(a.path, 'odd\\dir', 'inside.txt'), 'z');
    execFileSync('mkfifo', [join(a.path, 'pipe')]);
    const r = await expectFindings(a.path, [
      found('archive-unsafe-member', { file: 'segments/link' }),
      found('archive-unsafe-member', { file: 'back\\slash.txt' }),
      found('archive-unsafe-member', { file: 'line\nfeed.txt' }),
      found('archive-unsafe-member', { file: 'odd\\dir' }),
      found('archive-unsafe-member', { file: 'pipe' }),
    ], 'failed');
    // Spec §1 formula, computed here: "<hex>  ./<path>\n" for every regular file, sorted by path bytes.
    const files: string[] = [];
    const walk = async (rel: string): Promise<void> => {
      for (const e of await readdir(join(a.path, rel), { withFileTypes: true })) {
        const p = rel ? `${rel}/${e.name}` : e.name;
        if (e.isDirectory()) await walk(p);
        else if (e.isFile()) files.push(p);
      }
    };
    await walk('');
    files.sort((x, y) => Buffer.compare(Buffer.from(x), Buffer.from(y)));
    const lines = await Promise.all(files.map(async (p) => `${sha256hex(await readRel(a.path, p))}  ./${p}\n`));
    assert.equal(r.archive.sha256, sha256hex(Buffer.from(lines.join(''))));
  });

  test('directory with only a symbolic link: digest equals the find | sha256sum pipeline', async () => {
    const a = await sealArchive(temp);
    await symlink('manifest.json', join(a.path, 'alias.json'));
    const r = await expectFindings(a.path, [found('archive-unsafe-member', { file: 'alias.json' })], 'failed');
    const shell = execFileSync('sh', ['-c', 'find . -type f -print0 | LC_ALL=C sort -z | xargs -0 sha256sum | sha256sum'], { cwd: a.path, encoding: 'utf8' });
    assert.equal(r.archive.sha256, shell.slice(0, 64));
  });
});

describe('manifest-missing', () => {
  test('a directory without manifest.json', async () => {
    const a = await sealArchive(temp);
    await removeRel(a.path, MANIFEST);
    const r = await expectFindings(a.path, [found('manifest-missing')], 'failed');
    assert.match(r.archive.sha256, /^[0-9a-f]{64}$/);
  });

  test('a tar with no manifest at the root nor under one single first component', async () => {
    const a = await sealArchive(temp);
    await writeFile(join(a.dir, 'two-roots.tar'), buildTar([...(await membersOf(a.path, 'P/')), { path: 'Q/stray.txt', data: 'x' }]));
    await expectFindings(join(a.dir, 'two-roots.tar'), [found('manifest-missing')], 'failed');
    await writeFile(join(a.dir, 'deep.tar'), buildTar(await membersOf(a.path, 'P/Q/')));
    await expectFindings(join(a.dir, 'deep.tar'), [found('manifest-missing')], 'failed');
  });
});

describe('manifest-invalid', () => {
  const cases: [string, (m: ManifestJson) => void][] = [
    ['wrong format string', (m) => void (m.format = 'sealed-audit-archive/v2')],
    ['origin not a valid key name', (m) => void (m.origin = 'has space')],
    ['entries with a fraction', (m) => void (m.entries = 25.5)],
    ['negative first', (m) => void (m.segments[0]!.first = -1)],
    ['count 0', (m) => void (m.segments[2]!.count = 0)],
    ['missing chainSha256', (m) => void delete (m.segments[1] as Partial<ManifestJson['segments'][number]>).chainSha256],
    ['upper-case hash', (m) => void (m.segments[1]!.sha256 = String(m.segments[1]!.sha256).toUpperCase())],
    ['segment path outside the root', (m) => void (m.segments[0]!.path = '../segments/000000000000.jsonl')],
    ['segment name not its first', (m) => void (m.segments[1]!.path = 'segments/000000000011.jsonl')],
    ['chain path of another shape', (m) => void (m.segments[1]!.chain = 'segments/000000000010.hashes')],
    ['checkpoint path of another shape', (m) => void (m.checkpoints[0] = 'checkpoints/10.ckpt')],
    ['a path listed twice', (m) => void m.checkpoints.push(K20)],
    ['checkpoints not an array', (m) => void (m.checkpoints = K20 as unknown as string[])],
    ['unknown source.kind', (m) => void (m.source = { kind: 'syslog' })],
  ];
  for (const [name, edit] of cases) {
    test(name, async () => {
      const a = await sealArchive(temp);
      await editManifest(a.path, edit);
      await expectFindings(a.path, [found('manifest-invalid', { file: MANIFEST })], 'failed');
    });
  }

  test('not JSON, and an exponent instead of an integer', async () => {
    const a = await sealArchive(temp);
    const text = (await readRel(a.path, MANIFEST)).toString('utf8');
    await writeRel(a.path, MANIFEST, text.replace('"entries": 25', '"entries": 2.5e1'));
    await expectFindings(a.path, [found('manifest-invalid', { file: MANIFEST })], 'failed');
    await writeRel(a.path, MANIFEST, text.slice(0, 40));
    await expectFindings(a.path, [found('manifest-invalid', { file: MANIFEST })], 'failed');
  });

  test('unknown members are ignored', async () => {
    const a = await sealArchive(temp);
    await editManifest(a.path, (m) => {
      m.comment = 'hello';
      (m.segments[0] as unknown as Record<string, unknown>).note = 1;
    });
    await expectFindings(a.path, [], 'verified');
  });
});

describe('segment-missing', () => {
  test('an absent chain file: the next segment\'s first link is not checked', async () => {
    const a = await sealArchive(temp);
    await removeRel(a.path, C10);
    const r = await expectFindings(a.path, [found('segment-missing', { file: C10 })], 'failed');
    assert.equal(r.coveredEntries, 25);
  });

  test('an absent segment: its entries are absent, later checkpoints get no root or size finding', async () => {
    const a = await sealArchive(temp);
    await removeRel(a.path, S10);
    await expectEverywhere(a.path, [found('segment-missing', { file: S10 }), found('unsigned-tail', { file: S10, index: 10 })], 'failed');
  });

  test('an absent listed checkpoint', async () => {
    const a = await sealArchive(temp);
    await removeRel(a.path, K25);
    await expectEverywhere(a.path, [found('segment-missing', { file: K25 }), found('unsigned-tail', { file: S20, index: 20 })], 'failed');
  });
});

describe('segment-unreadable', () => {
  test('bytes after the last gzip member of a segment', async () => {
    const a = await sealArchive(temp, { gzip: true });
    const seg = segmentPath(10, true);
    await writeRel(a.path, seg, Buffer.concat([await readRel(a.path, seg), Buffer.from('junk')]));
    await rehash(a.path, seg);
    await expectEverywhere(a.path, [found('segment-unreadable', { file: seg }), found('unsigned-tail', { file: seg, index: 10 })], 'failed');
  });

  test('a truncated gzip segment (two members are fine)', async () => {
    const a = await sealArchive(temp, { gzip: true });
    const seg = segmentPath(20, true);
    const content = await readSegment(a.path, seg);
    const cut = content.indexOf(0x0a) + 1;
    await writeRel(a.path, seg, Buffer.concat([gzip(content.subarray(0, cut)), gzip(content.subarray(cut))]));
    await rehash(a.path, seg);
    await expectFindings(a.path, [], 'verified');
    const raw = await readRel(a.path, seg);
    await writeRel(a.path, seg, raw.subarray(0, raw.length - 6));
    await rehash(a.path, seg);
    await expectEverywhere(a.path, [found('segment-unreadable', { file: seg }), found('unsigned-tail', { file: seg, index: 20 })], 'failed');
  });
});

describe('segment-file-hash-mismatch', () => {
  test('a gzip segment re-encoded (same entries, other bytes), manifest not updated', async () => {
    const a = await sealArchive(temp, { gzip: true });
    const seg = segmentPath(10, true);
    const raw = Buffer.from(await readRel(a.path, seg));
    raw.writeUInt32LE(SEAL_TIME, 4); // gzip MTIME: other bytes, same content
    await writeRel(a.path, seg, raw);
    await expectEverywhere(a.path, [found('segment-file-hash-mismatch', { file: seg })], 'failed');
  });

  test('a chain file whose hash in the manifest differs', async () => {
    const a = await sealArchive(temp);
    await editManifest(a.path, (m) => void (m.segments[0]!.chainSha256 = otherHex('x')));
    await expectFindings(a.path, [found('segment-file-hash-mismatch', { file: C0 })], 'failed');
  });

  test('an entry edited without re-hashing: the file hash tells too', async () => {
    const a = await sealArchive(temp);
    const entries = await readEntries(a.path, S0);
    entries[9] = Buffer.from(edited(9));
    await writeRel(a.path, S0, Buffer.concat(entries.flatMap((e) => [e, Buffer.from('\n')])));
    await expectFindings(a.path, [
      found('segment-file-hash-mismatch', { file: S0 }),
      found('leaf-hash-mismatch', { file: S0, index: 9, line: 10 }),
      found('chain-link-mismatch', { file: C0, index: 9, line: 10 }),
      found('checkpoint-root-mismatch', { file: K10 }),
      found('checkpoint-root-mismatch', { file: K20 }),
      found('checkpoint-root-mismatch', { file: K25 }),
      found('unsigned-tail', { file: S0, index: 0 }),
    ], 'failed');
  });
});

describe('segment-range-invalid', () => {
  test('counts that do not add up to entries', async () => {
    const a = await sealArchive(temp);
    await editManifest(a.path, (m) => void (m.entries = 26));
    // Index 25 lies in no segment, so the unsigned tail has no file.
    await expectFindings(a.path, [found('segment-range-invalid', { file: MANIFEST }), found('unsigned-tail', { index: 25 })], 'failed');
  });
});

describe('entry-count-mismatch', () => {
  test('count and entries both lowered: the last segment then holds more entries than listed', async () => {
    const a = await sealArchive(temp);
    await editManifest(a.path, (m) => {
      m.entries = 24;
      m.segments[2]!.count = 4;
      m.checkpoints = [K10, K20];
    });
    await removeRel(a.path, K25);
    await expectFindings(a.path, [found('entry-count-mismatch', { file: S20 }), found('unsigned-tail', { file: S20, index: 20 })], 'failed');
  });

  test('a segment with one more entry than its count (with a correct chain line)', async () => {
    const a = await sealArchive(temp);
    const extra = Buffer.from(auditEvent(25));
    await writeEntries(a.path, S20, [...(await readEntries(a.path, S20)), extra]);
    await writeChain(a.path, C20, chainLinesFor([...a.entries, extra]).slice(20));
    await expectEverywhere(a.path, [found('entry-count-mismatch', { file: S20 })], 'failed');
  });

  test('a segment with one entry fewer than its count: the later checkpoint is beyond the log', async () => {
    const a = await sealArchive(temp);
    await writeEntries(a.path, S20, (await readEntries(a.path, S20)).slice(0, 4));
    await writeChain(a.path, C20, (await readChain(a.path, C20)).slice(0, 4));
    // Entry 24 is not in an absent segment (§5): it simply is not there, so checkpoint 25 is larger than the entries present.
    await expectEverywhere(a.path, [
      found('entry-count-mismatch', { file: S20 }),
      found('checkpoint-size-beyond-log', { file: K25 }),
      found('unsigned-tail', { file: S20, index: 20 }),
    ], 'failed');
  });

  test('a chain file one line short: that entry is not checked', async () => {
    const a = await sealArchive(temp);
    await writeChain(a.path, C20, (await readChain(a.path, C20)).slice(0, 4));
    await expectEverywhere(a.path, [found('entry-count-mismatch', { file: C20 })], 'failed');
  });

  test('a chain file with an extra line: it is ignored', async () => {
    const a = await sealArchive(temp);
    await writeChain(a.path, C20, [...(await readChain(a.path, C20)), `${otherHex('a')} ${otherHex('b')}`]);
    await expectEverywhere(a.path, [found('entry-count-mismatch', { file: C20 })], 'failed');
  });

  test('a short chain file of a middle segment: the next segment links to its literal last line', async () => {
    const a = await sealArchive(temp);
    await writeChain(a.path, C0, (await readChain(a.path, C0)).slice(0, 9));
    await expectFindings(a.path, [found('entry-count-mismatch', { file: C0 }), found('chain-link-mismatch', { file: C10, index: 10, line: 1 })], 'failed');
  });
});

describe('line-malformed', () => {
  test('an empty line: not an entry, no index, its line in the file', async () => {
    const a = await sealArchive(temp);
    const content = await readSegment(a.path, S0);
    let at = -1;
    for (let n = 0; n < 3; n++) at = content.indexOf(0x0a, at + 1);
    await writeSegment(a.path, S0, Buffer.concat([content.subarray(0, at + 1), Buffer.from('\n'), content.subarray(at + 1)]));
    await expectEverywhere(a.path, [found('line-malformed', { file: S0, line: 4 })], 'failed');
  });

  test('a final line without LF: malformed, and still an entry hashed as it is', async () => {
    const a = await sealArchive(temp);
    const content = await readSegment(a.path, S20);
    await writeSegment(a.path, S20, content.subarray(0, content.length - 1));
    await expectEverywhere(a.path, [found('line-malformed', { file: S20, index: 24, line: 5 })], 'failed');
    assert.equal((await verify(a.path)).coveredEntries, 25);
  });

  test('a chain line that does not match the pattern: neither its leaf nor the next link is checked', async () => {
    const a = await sealArchive(temp);
    const chain = await readChain(a.path, C0);
    const variants = [
      chain[3]!.toUpperCase(),
      `${chain[3]!}\r`,
      `${chain[3]!} `,
      chain[3]!.replace(' ', '  '),
      chain[3]!.slice(1),
      `${otherHex('junk')}-${otherHex('junk')}`,
    ];
    for (const bad of variants) {
      const lines = chain.slice();
      lines[3] = bad;
      await writeChain(a.path, C0, lines);
      await expectFindings(a.path, [found('line-malformed', { file: C0, index: 3, line: 4 })], 'failed');
    }
  });

  test('a malformed last chain line: the next segment\'s first link is not checked', async () => {
    const a = await sealArchive(temp);
    const chain = await readChain(a.path, C0);
    chain[9] = 'not a chain line';
    await writeChain(a.path, C0, chain);
    await expectEverywhere(a.path, [found('line-malformed', { file: C0, index: 9, line: 10 })], 'failed');
  });

  test('a chain file whose last line has no LF never matches the pattern', async () => {
    const a = await sealArchive(temp);
    const text = await readRel(a.path, C20);
    await writeRel(a.path, C20, text.subarray(0, text.length - 1));
    await rehash(a.path, C20);
    await expectFindings(a.path, [found('line-malformed', { file: C20, index: 24, line: 5 })], 'failed');
  });
});

describe('leaf-hash-mismatch', () => {
  test('a forged stored leaf alone: only the leaf finding (links use the recomputed leaf)', async () => {
    const a = await sealArchive(temp);
    await writeChain(a.path, C10, setChainField(await readChain(a.path, C10), 3, 0, otherHex('forged leaf')));
    await expectEverywhere(a.path, [found('leaf-hash-mismatch', { file: S10, index: 13, line: 4 })], 'failed');
  });
});

describe('chain-link-mismatch', () => {
  test('a chain value not linking to the previous one (see also the §3 examples)', async () => {
    const a = await sealArchive(temp);
    // Leaf and chain both consistent with the entry but linked to the wrong predecessor.
    const leaf = leafHash(a.entries[5]!);
    const bogus = chainLinesFor([a.entries[5]!], Buffer.alloc(32, 7))[0]!;
    assert.equal(bogus.split(' ')[0], leaf.toString('hex'));
    const lines = await readChain(a.path, C0);
    lines[5] = bogus;
    await writeChain(a.path, C0, lines);
    await expectFindings(a.path, [
      found('chain-link-mismatch', { file: C0, index: 5, line: 6 }),
      found('chain-link-mismatch', { file: C0, index: 6, line: 7 }),
    ], 'failed');
  });
});

describe('checkpoint-malformed', () => {
  const text20 = (a: { entries: Uint8Array[] }) => checkpointText(ORIGIN, 20, merkleRootOf(a.entries.slice(0, 20)));
  const cases: [string, (a: { entries: Uint8Array[] }) => string | Uint8Array][] = [
    ['a body of four lines', (a) => signNote(`${text20(a)}extension line\n`)],
    ['a body of two lines', (a) => signNote(`${ORIGIN}\n20\n`)],
    ['a size with a leading zero', (a) => signNote(checkpointText(ORIGIN, '020', merkleRootOf(a.entries.slice(0, 20))))],
    ['a size with a sign', (a) => signNote(checkpointText(ORIGIN, '+20', merkleRootOf(a.entries.slice(0, 20))))],
    ['a root of 31 bytes', () => signNote(`${ORIGIN}\n20\n${Buffer.alloc(31, 1).toString('base64')}\n`)],
    ['a root in non-canonical base64', (a) => signNote(`${ORIGIN}\n20\n${merkleRootOf(a.entries.slice(0, 20)).toString('base64').replace(/=$/, '')}\n`)],
    ['no signature lines', (a) => `${text20(a)}\n`],
    ['no blank line', (a) => text20(a)],
    ['CR LF line ends', (a) => signNote(text20(a)).replace(/\n/g, '\r\n')],
    ['a tab in the text', (a) => signNote(text20(a).replace('\n20', '\t\n20'))],
    ['invalid UTF-8', (a) => Buffer.concat([Buffer.from(signNote(text20(a))), Buffer.from([0xff])])],
    ['a signature line decoding to 4 bytes', (a) => `${signNote(text20(a))}\u2014 ${ORIGIN} ${Buffer.alloc(4).toString('base64')}\n`],
    ['a signature line with a hyphen instead of an em dash', (a) => signNote(text20(a)).replace('\u2014', '-')],
    ['a signature block not ending with LF', (a) => signNote(text20(a)).slice(0, -1)],
    ['101 signature lines', (a) => signNote(text20(a), { rawLines: Array.from({ length: 100 }, (_, i) => rawSignatureLine(`other${i}`, i, Buffer.alloc(64))) })],
    ['more than 1 MiB', (a) => signNote(text20(a), { rawLines: Array.from({ length: 20 }, (_, i) => rawSignatureLine(`big${i}`, i, Buffer.alloc(60_000))) })],
  ];
  for (const [name, make] of cases) {
    test(name, async () => {
      const a = await sealArchive(temp);
      await writeRel(a.path, K20, make(a));
      const r = await expectFindings(a.path, [found('checkpoint-malformed', { file: K20 })], 'failed');
      assert.equal(r.coveredEntries, 25);
    });
  }

  test('100 signature lines are fine', async () => {
    const a = await sealArchive(temp);
    await writeRel(a.path, K20, signNote(text20(a), { rawLines: Array.from({ length: 99 }, (_, i) => rawSignatureLine(`other${i}`, i, Buffer.alloc(64))) }));
    await expectFindings(a.path, [], 'verified');
  });

  test('a file name that is not the tree size', async () => {
    const a = await sealArchive(temp);
    const k21 = checkpointPath(21);
    await rename(join(a.path, K20), join(a.path, k21));
    await editManifest(a.path, (m) => void (m.checkpoints = [K10, k21, K25]));
    await expectFindings(a.path, [found('checkpoint-malformed', { file: k21 })], 'failed');
  });

  test('an unlisted file under checkpoints/ is evaluated as a checkpoint too', async () => {
    const a = await sealArchive(temp);
    await writeRel(a.path, 'checkpoints/README', 'not a checkpoint\n');
    await expectEverywhere(a.path, [found('checkpoint-malformed', { file: 'checkpoints/README' }), found('unexpected-file', { file: 'checkpoints/README' })], 'failed');
  });
});

describe('checkpoint-origin-mismatch', () => {
  test('a checkpoint for another origin, signed by the log key (whose name is not that origin)', async () => {
    const a = await sealArchive(temp);
    await writeRel(a.path, K20, signNote(checkpointText('other.test.example/log', 20, merkleRootOf(a.entries.slice(0, 20)))));
    await expectFindings(a.path, [found('checkpoint-origin-mismatch', { file: K20 }), found('checkpoint-untrusted', { file: K20 })], 'failed');
  });

  test('--origin pinned to another origin: every checkpoint mismatches, nothing is covered', async () => {
    const a = await sealArchive(temp);
    const r = await expectFindings(a.path, [
      found('checkpoint-origin-mismatch', { file: K10 }),
      found('checkpoint-origin-mismatch', { file: K20 }),
      found('checkpoint-origin-mismatch', { file: K25 }),
      found('unsigned-tail', { file: S0, index: 0 }),
    ], 'failed', { policy: trustPolicy({ origin: 'pinned.test.example/other' }) });
    assert.equal(r.covering, null);
    await expectFindings(a.path, [], 'verified', { policy: trustPolicy({ origin: ORIGIN }) });
  });
});

describe('checkpoint-size-beyond-log', () => {
  test('rollback: entries cut back to an earlier checkpoint, manifest rewritten, newer checkpoint left unlisted', async () => {
    const a = await sealArchive(temp);
    await removeRel(a.path, S20);
    await removeRel(a.path, C20);
    await editManifest(a.path, (m) => {
      m.entries = 20;
      m.segments.pop();
      m.checkpoints = [K10, K20];
    });
    await expectEverywhere(a.path, [found('checkpoint-size-beyond-log', { file: K25 }), found('unexpected-file', { file: K25 })], 'failed');
    assert.equal((await verify(a.path)).coveredEntries, 20);
  });

  test('rollback done right (the newer checkpoint removed too) is only caught by an anchor', async () => {
    const a = await sealArchive(temp);
    const anchorNote = await readRel(a.path, K25);
    await removeRel(a.path, S20);
    await removeRel(a.path, C20);
    await removeRel(a.path, K25);
    await editManifest(a.path, (m) => {
      m.entries = 20;
      m.segments.pop();
      m.checkpoints = [K10, K20];
    });
    const r = await expectFindings(a.path, [], 'verified');
    assert.equal(r.coveredEntries, 20);
    assert.equal(r.covering?.checkpoint, K20);
    const anchor = await anchorFrom(a.dir, 'known.ckpt', anchorNote.toString('utf8'));
    await expectFindings(a.path, [found('log-truncated', { file: anchor.path, index: 20 })], 'failed', { anchors: [anchor] });
  });
});

describe('checkpoint-root-mismatch', () => {
  test('a checkpoint signed by the real key over a wrong root', async () => {
    const a = await sealArchive(temp);
    await writeRel(a.path, K20, signNote(checkpointText(ORIGIN, 20, merkleRootOf(a.entries.slice(0, 19)))));
    await expectEverywhere(a.path, [found('checkpoint-root-mismatch', { file: K20 })], 'failed');
    assert.equal((await verify(a.path)).coveredEntries, 25);
  });
});

describe('checkpoint-signature-invalid', () => {
  const text20 = (a: { entries: Uint8Array[] }) => checkpointText(ORIGIN, 20, merkleRootOf(a.entries.slice(0, 20)));

  test('a log signature that does not verify', async () => {
    const a = await sealArchive(temp);
    const sig = Buffer.from(signNote(text20(a)).split('\n').at(-2)!.split(' ').at(-1)!, 'base64').subarray(4);
    sig[10]! ^= 1;
    await writeRel(a.path, K20, `${text20(a)}\n${rawSignatureLine(logKey.name, logKey.keyId, sig)}`);
    await expectFindings(a.path, [found('checkpoint-signature-invalid', { file: K20 }), found('checkpoint-untrusted', { file: K20 })], 'failed');
  });

  test('a valid log signature plus a failing one from the same known key', async () => {
    const a = await sealArchive(temp);
    await writeRel(a.path, K20, signNote(text20(a), { rawLines: [rawSignatureLine(logKey.name, logKey.keyId, Buffer.alloc(64, 9))] }));
    await expectFindings(a.path, [found('checkpoint-signature-invalid', { file: K20 })], 'failed');
  });

  test('a log signature of the wrong length from a known key', async () => {
    const a = await sealArchive(temp);
    await writeRel(a.path, K20, signNote(text20(a), { rawLines: [rawSignatureLine(logKey.name, logKey.keyId, Buffer.alloc(10))] }));
    await expectFindings(a.path, [found('checkpoint-signature-invalid', { file: K20 })], 'failed');
  });

  test('a cosignature that does not verify, from a configured witness', async () => {
    const a = await sealArchive(temp, { cosigners: [witness1] });
    const good = (await readRel(a.path, K20)).toString('utf8');
    const lines = good.split('\n');
    const w = lines.findIndex((l) => l.startsWith(`\u2014 ${witness1.name} `));
    const raw = Buffer.from(lines[w]!.split(' ').at(-1)!, 'base64');
    raw[raw.length - 1]! ^= 1;
    lines[w] = rawSignatureLine(witness1.name, witness1.keyId, raw.subarray(4)).slice(0, -1);
    await writeRel(a.path, K20, lines.join('\n'));
    const policy = trustPolicy({ witnesses: [witness1] });
    await expectFindings(a.path, [found('checkpoint-signature-invalid', { file: K20 })], 'failed', { policy });
    // Unconfigured, the cosigner is unknown and its line ignored.
    await expectFindings(a.path, [], 'verified');
  });

  test('a cosignature timestamp above 2^63-1 makes it invalid, even though it is validly signed', async () => {
    const a = await sealArchive(temp);
    await writeRel(a.path, K20, signNote(text20(a), { cosigners: [{ key: witness1, time: 2n ** 63n }] }));
    await expectFindings(a.path, [found('checkpoint-signature-invalid', { file: K20 })], 'failed', { policy: trustPolicy({ witnesses: [witness1] }) });
    await writeRel(a.path, K25, signNote(checkpointText(ORIGIN, 25, merkleRootOf(a.entries)), { cosigners: [{ key: witness1, time: 2n ** 63n - 1n }] }));
    await writeRel(a.path, K20, signNote(text20(a)));
    await expectFindings(a.path, [], 'verified', { policy: trustPolicy({ witnesses: [witness1] }) });
  });

  test('same name alone or same key ID alone is an unknown key, ignored', async () => {
    const a = await sealArchive(temp);
    await writeRel(a.path, K20, signNote(text20(a), {
      rawLines: [
        rawSignatureLine(logKey.name, (logKey.keyId ^ 1) >>> 0, Buffer.alloc(64, 3)),
        rawSignatureLine('someone.else/log', logKey.keyId, Buffer.alloc(64, 3)),
      ],
    }));
    await expectFindings(a.path, [], 'verified');
  });
});

describe('anchor-mismatch and log-truncated', () => {
  test('an anchor for another origin', async () => {
    const a = await sealArchive(temp);
    const anchor = await anchorFrom(a.dir, 'other.ckpt', signNote(checkpointText('other.test.example/log', 25, merkleRootOf(a.entries))));
    await expectFindings(a.path, [found('anchor-mismatch', { file: anchor.path })], 'failed', { anchors: [anchor] });
  });

  test('an anchor whose root differs at its size', async () => {
    const a = await sealArchive(temp);
    const anchor = await anchorFrom(a.dir, 'fork.ckpt', signNote(checkpointText(ORIGIN, 20, merkleRootOf([...a.entries.slice(0, 19), Buffer.from(edited(19))]))));
    await expectEverywhere(a.path, [found('anchor-mismatch', { file: anchor.path })], 'failed', { anchors: [anchor] });
  });

  test('an anchor larger than the log: log-truncated at index = entries', async () => {
    const a = await sealArchive(temp);
    const longer = auditLines(30).map((l) => Buffer.from(l));
    const anchor = await anchorFrom(a.dir, 'later.ckpt', checkpointFor(longer, 30));
    await expectEverywhere(a.path, [found('log-truncated', { file: anchor.path, index: 25 })], 'failed', { anchors: [anchor] });
  });

  test('matching anchors, and an anchor covering an archive whose own checkpoints are untrusted', async () => {
    const a = await sealArchive(temp);
    const at20 = await anchorFrom(a.dir, 'a20.ckpt', checkpointFor(a.entries, 20));
    const at25 = await anchorFrom(a.dir, 'a25.ckpt', checkpointFor(a.entries, 25));
    const r = await expectFindings(a.path, [], 'verified', { anchors: [at20, at25] });
    assert.equal(r.covering?.checkpoint, K25); // the archive's own checkpoint preferred to an anchor of the same size
    // Trusting the anchor's key only: the archive's checkpoints are signed by the impostor.
    const b = await sealArchive(temp, { key: impostorLogKey });
    const r2 = await expectFindings(b.path, [
      found('checkpoint-untrusted', { file: K10 }),
      found('checkpoint-untrusted', { file: K20 }),
      found('checkpoint-untrusted', { file: K25 }),
    ], 'verified', { anchors: [at25] });
    assert.equal(r2.covering?.checkpoint, at25.path);
  });
});

describe('checkpoint-untrusted', () => {
  test('signed only by a key the examiner does not trust: incomplete, exit code 3', async () => {
    const a = await sealArchive(temp);
    const policy = trustPolicy({ trust: [impostorLogKey] });
    await expectEverywhere(a.path, [
      found('checkpoint-untrusted', { file: K10 }),
      found('checkpoint-untrusted', { file: K20 }),
      found('checkpoint-untrusted', { file: K25 }),
      found('unsigned-tail', { file: S0, index: 0 }),
    ], 'incomplete', { policy });
    const report = await verify(a.path, { policy });
    assert.equal(report.coveredEntries, 0);
    assert.equal(report.covering, null);
    assert.deepEqual(report.checkpoints, { total: 3, trusted: 0 });

    const keys = await writeKeyFiles(join(a.dir, 'impostor'), impostorLogKey);
    let stdout = '';
    const code = await main(['verify', a.path, '--trust', keys.pub, '--json'], { stdout: (s) => void (stdout += s), stderr: () => {}, stderrIsTty: false });
    assert.equal(code, 3);
    const json = JSON.parse(stdout) as { verdict: string; coveredEntries: number; covering: unknown; findings: { code: string }[] };
    assert.equal(json.verdict, 'incomplete');
    assert.equal(json.covering, null);
    assert.deepEqual(json.findings.map((f) => f.code).sort(), ['checkpoint-untrusted', 'checkpoint-untrusted', 'checkpoint-untrusted', 'unsigned-tail']);
  });
});

describe('witness-quorum-unmet', () => {
  test('one witness cosigns, the quorum asks for two', async () => {
    const a = await sealArchive(temp, { cosigners: [witness1] });
    const policy = trustPolicy({ witnesses: [witness1, witness2], quorum: 2 });
    await expectEverywhere(a.path, [
      found('witness-quorum-unmet', { file: K10 }),
      found('witness-quorum-unmet', { file: K20 }),
      found('witness-quorum-unmet', { file: K25 }),
      found('unsigned-tail', { file: S0, index: 0 }),
    ], 'incomplete', { policy });
    const r = await expectFindings(a.path, [], 'verified', { policy: trustPolicy({ witnesses: [witness1, witness2], quorum: 1 }) });
    assert.deepEqual(r.covering?.cosignatures, [{ name: witness1.name, time: BigInt(SEAL_TIME) }]);
  });

  test('two cosignatures from the same witness key count once', async () => {
    const a = await sealArchive(temp, { cosigners: [witness1, witness2] });
    const text = checkpointText(ORIGIN, 25, merkleRootOf(a.entries));
    await writeRel(a.path, K25, signNote(text, { cosigners: [{ key: witness1, time: SEAL_TIME }, { key: witness1, time: SEAL_TIME + 1 }] }));
    await expectFindings(a.path, [found('witness-quorum-unmet', { file: K25 }), found('unsigned-tail', { file: S20, index: 20 })], 'incomplete', {
      policy: trustPolicy({ witnesses: [witness1, witness2], quorum: 2 }),
    });
  });
});

describe('cosignature-time-regression', () => {
  test('a cosigner time earlier than on a smaller checkpoint: a warning, the archive still verifies', async () => {
    const a = await sealArchive(temp, { cosigners: [witness1] });
    await writeRel(a.path, K25, signNote(checkpointText(ORIGIN, 25, merkleRootOf(a.entries)), { cosigners: [{ key: witness1, time: SEAL_TIME - 3600 }] }));
    await expectEverywhere(a.path, [found('cosignature-time-regression', { file: K25 })], 'verified', { policy: trustPolicy({ witnesses: [witness1], quorum: 1 }) });
    // Equal times are no regression; later times neither.
    await writeRel(a.path, K25, signNote(checkpointText(ORIGIN, 25, merkleRootOf(a.entries)), { cosigners: [{ key: witness1, time: SEAL_TIME }] }));
    await expectFindings(a.path, [], 'verified', { policy: trustPolicy({ witnesses: [witness1], quorum: 1 }) });
  });
});

describe('unsigned-tail', () => {
  test('no checkpoint at the final size: incomplete, index = covered size, file = the segment holding it', async () => {
    const a = await sealArchive(temp);
    await removeRel(a.path, K25);
    await editManifest(a.path, (m) => void (m.checkpoints = [K10, K20]));
    await expectEverywhere(a.path, [found('unsigned-tail', { file: S20, index: 20 })], 'incomplete');
    const report = await verify(a.path);
    assert.equal(report.coveredEntries, 20);
    assert.equal(report.covering?.checkpoint, K20);
  });
});

describe('unexpected-file', () => {
  test('files the manifest does not list: warnings only', async () => {
    const a = await sealArchive(temp);
    await writeRel(a.path, 'README.txt', 'hello\n');
    await writeRel(a.path, 'segments/000000000030.jsonl', `${auditEvent(30)}\n`);
    await expectEverywhere(a.path, [found('unexpected-file', { file: 'README.txt' }), found('unexpected-file', { file: 'segments/000000000030.jsonl' })], 'verified');
  });

  test('an unlisted valid checkpoint is evaluated (and may cover)', async () => {
    const a = await sealArchive(temp);
    await writeRel(a.path, checkpointPath(15), checkpointFor(a.entries, 15));
    await expectFindings(a.path, [found('unexpected-file', { file: checkpointPath(15) })], 'verified');
    await removeRel(a.path, K25);
    await writeRel(a.path, K25, checkpointFor(a.entries, 25));
    await editManifest(a.path, (m) => void (m.checkpoints = [K10, K20]));
    await expectFindings(a.path, [found('unexpected-file', { file: checkpointPath(15) }), found('unexpected-file', { file: K25 })], 'verified');
  });
});

describe('entry-not-json', () => {
  const lines = (): (string | Uint8Array)[] => {
    const l: (string | Uint8Array)[] = auditLines(25);
    l[3] = 'plain text line';
    l[12] = '\uFEFF{"kind":"Event"}';
    l[18] = '{"a":1}\r'; // CR is JSON white space: still an object
    l[21] = '[1,2,3]';
    l[22] = Buffer.from('{"a":"\xff"}', 'latin1');
    l[23] = '{"a":1} {"b":2}';
    l[24] = '  {"kind":"Event"}  ';
    return l;
  };

  test('kubernetes-audit: each entry that is not a UTF-8 JSON object is a warning at its index and line', async () => {
    const a = await sealArchive(temp, { lines: lines(), kind: 'kubernetes-audit' });
    await expectEverywhere(a.path, [
      found('entry-not-json', { file: S0, index: 3, line: 4 }),
      found('entry-not-json', { file: S10, index: 12, line: 3 }),
      found('entry-not-json', { file: S20, index: 21, line: 2 }),
      found('entry-not-json', { file: S20, index: 22, line: 3 }),
      found('entry-not-json', { file: S20, index: 23, line: 4 }),
    ], 'verified');
  });

  test('gzip segments: the same', async () => {
    const a = await sealArchive(temp, { lines: lines(), kind: 'traefik-access', gzip: true });
    await expectFindings(a.path, [
      found('entry-not-json', { file: segmentPath(0, true), index: 3, line: 4 }),
      found('entry-not-json', { file: segmentPath(10, true), index: 12, line: 3 }),
      found('entry-not-json', { file: segmentPath(20, true), index: 21, line: 2 }),
      found('entry-not-json', { file: segmentPath(20, true), index: 22, line: 3 }),
      found('entry-not-json', { file: segmentPath(20, true), index: 23, line: 4 }),
    ], 'verified');
  });

  test('kinds other and ingress-nginx do not require JSON', async () => {
    for (const kind of ['other', 'ingress-nginx'] as const) {
      const a = await sealArchive(temp, { lines: lines(), kind });
      await expectFindings(a.path, [], 'verified');
    }
  });
});
