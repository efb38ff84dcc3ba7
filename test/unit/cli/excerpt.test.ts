// sealcheck excerpt / verify-excerpt as a user runs them (the built bundle): index lists, case-database queries, complete time windows, tampering, exit codes; every proof accepted by verify-proof.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { TempDirs, sealArchive, writeKeyFiles, logKey, impostorLogKey, leafHash, type Sealed } from '../../helpers/archives.ts';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const temp = new TempDirs();
let sealed: Sealed;
let dir = '';

function run(args: string[]) {
  const r = spawnSync(process.execPath, [join(ROOT, 'electron/cli/sealcheck.mjs'), ...args], { cwd: dir, encoding: 'utf8' });
  return { code: r.status, out: r.stdout, err: r.stderr };
}
function ok(args: string[]) {
  const r = run(args);
  assert.equal(r.code, 0, `${args.join(' ')}\n${r.err}${r.out}`);
  return r;
}
function usage(args: string[], message: string) {
  const r = run(args);
  assert.equal(r.code, 2, `${args.join(' ')} → ${r.code}\n${r.err}${r.out}`);
  assert.equal(r.err, `sealcheck: ${message}\n`);
}
const manifest = async (name: string) => JSON.parse(await readFile(join(dir, name, 'manifest.json'), 'utf8'));

before(async () => {
  sealed = await sealArchive(temp); // 25 audit events one second apart from 2026-11-21T10:00:00Z; checkpoints 10, 20, 25
  dir = sealed.dir;
  await writeKeyFiles(join(dir, 'log'), logKey);
  await writeKeyFiles(join(dir, 'impostor'), impostorLogKey);
  ok(['verify', sealed.path, '--trust', 'log.pub', '--index', 'case.sqlite']);
});
after(() => temp.cleanup());

test('--index: written, verified, and each item\'s tlog-proof accepted by verify-proof', async () => {
  const r = ok(['excerpt', sealed.path, '--trust', 'log.pub', '--index', '3,12-13', '--out', 'sel']);
  assert.equal(r.out, `excerpt of 3 entries of audit.test.example/cluster-1 written to sel (directory)\n  proven against checkpoints/000000000020.ckpt (tree size 20), one tlog-proof per item\n  disclosed 3, withheld 0\ncheck it with:\n  sealcheck verify-excerpt sel --trust LOG.pub\n`);
  const v = ok(['verify-excerpt', 'sel', '--trust', 'log.pub']);
  assert.equal(v.out.split('\n')[0], 'VERIFIED: all 3 items of sel are proven in audit.test.example/cluster-1 at tree size 20; 3 disclosed entries are exactly as logged.');
  for (const i of ['000000000003', '000000000012', '000000000013']) {
    const p = ok(['verify-proof', `sel/items/${i}.tlog-proof`, '--entry', `sel/items/${i}.entry`, '--trust', 'log.pub']);
    assert.equal(p.out.split('\n')[0], `PROVEN: entry ${Number(i)} is in audit.test.example/cluster-1 at tree size 20, signed by a trusted log key.`);
  }
  const j = JSON.parse(ok(['verify-excerpt', 'sel', '--trust', 'log.pub', '--json']).out);
  assert.deepEqual([j.valid, j.items.map((i: { index: number }) => i.index), j.disclosed, j.withheld], [true, [3, 12, 13], 3, 0]);
});

test('--from/--to: every entry of the window\'s index range, claimed complete; --withhold by index; a removed item fails by name', async () => {
  const r = ok(['excerpt', sealed.path, '--trust', 'log.pub', '--db', 'case.sqlite', '--from', '2026-11-21T10:00:05Z', '--to', '2026-11-21T10:00:15Z', '--withhold', '8', '--out', 'win.tar.gz']);
  assert.match(r.out, /\n {2}disclosed 9, withheld 1 \(examiner 1\)\n {2}complete for indices 5\.\.14\n/);
  ok(['verify-excerpt', 'win.tar.gz', '--trust', 'log.pub']);
  ok(['excerpt', sealed.path, '--trust', 'log.pub', '--db', 'case.sqlite', '--from', '2026-11-21T10:00:05Z', '--to', '2026-11-21T10:00:15Z', '--out', 'win']);
  const m = await manifest('win');
  assert.deepEqual(m.complete, [{ first: 5, last: 14 }]);
  assert.deepEqual(m.selection, { kind: 'window', from: '2026-11-21T10:00:05.000Z', to: '2026-11-21T10:00:15.000Z', database: 'case.sqlite' });
  assert.deepEqual(m.items.map((i: { index: number }) => i.index), [5, 6, 7, 8, 9, 10, 11, 12, 13, 14]);
  m.items = m.items.filter((i: { index: number }) => i.index !== 9);
  await writeFile(join(dir, 'win', 'manifest.json'), JSON.stringify(m));
  await rm(join(dir, 'win/items/000000000009.entry'));
  await rm(join(dir, 'win/items/000000000009.tlog-proof'));
  const bad = run(['verify-excerpt', 'win', '--trust', 'log.pub']);
  assert.equal(bad.code, 1);
  assert.equal(bad.out.split('\n')[0], 'FAILED: win: 1 problem.');
  assert.match(bad.out, /\n {2}complete {5}indices 5\.\.14 \(NOT whole\)\n/);
  assert.match(bad.out, /\nFAIL excerpt: index 9 is missing from the complete range 5\.\.14: the excerpt does not account for every entry it claims\n$/);
});

test('query filters on the case database select the entries; a changed entry and an untrusted key fail one line per item', async () => {
  ok(['excerpt', sealed.path, '--trust', 'log.pub', '--db', 'case.sqlite', '--verb', 'get', '--out', 'q']);
  const m = await manifest('q');
  assert.deepEqual(m.selection, { kind: 'query', database: 'case.sqlite', filter: { verb: 'get' } });
  assert.deepEqual(m.items.map((i: { index: number }) => i.index), [0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24]);
  assert.equal(m.checkpoint.size, 25);
  assert.deepEqual(m.complete, []);
  const untrusted = run(['verify-excerpt', 'q', '--trust', 'impostor.pub']);
  assert.equal(untrusted.code, 1);
  assert.equal(untrusted.out.split('\n').filter((l) => /^FAIL index \d+: no valid signature from a trusted log key named "audit\.test\.example\/cluster-1"/.test(l)).length, 13);
  const entry = await readFile(join(dir, 'q/items/000000000004.entry'));
  entry[5]! ^= 1;
  await writeFile(join(dir, 'q/items/000000000004.entry'), entry);
  const changed = run(['verify-excerpt', 'q', '--trust', 'log.pub']);
  assert.equal(changed.code, 1);
  assert.deepEqual(changed.out.split('\n').filter((l) => l.startsWith('FAIL ')), [`FAIL index 4: items/000000000004.entry does not hash to the manifest's leaf: the entry was changed (its leaf is ${leafHash(entry).toString('base64')})`]);
  assert.deepEqual((await readdir(join(dir, 'q/items'))).length, 26);
});

test('bad usage: exit 2 with one sentence', async () => {
  usage(['excerpt', sealed.path, '--trust', 'log.pub', '--out', 'u1'], 'excerpt: choose the entries with --index LIST, or with --db CASE.sqlite and query filters or --from/--to');
  usage(['excerpt', sealed.path, '--trust', 'log.pub', '--index', '1', '--db', 'case.sqlite', '--out', 'u2'], 'excerpt: --index excludes --db, --from/--to and query filters');
  usage(['excerpt', sealed.path, '--trust', 'log.pub', '--db', 'case.sqlite', '--from', '2026-11-21T10:00:05Z', '--out', 'u3'], 'excerpt: a complete window needs both --from and --to');
  usage(['excerpt', sealed.path, '--trust', 'log.pub', '--index', '99', '--out', 'u4'], 'excerpt: there is no entry 99: the archive has 25 entries');
  usage(['excerpt', sealed.path, '--trust', 'log.pub', '--index', '1,2', '--withhold', '5', '--out', 'u5'], 'excerpt: --withhold 5 is not among the selected entries');
  usage(['excerpt', sealed.path, '--trust', 'log.pub', '--index', '1', '--out', 'u6.zip'], 'excerpt: --out u6.zip: an excerpt is a directory or a .tar.gz / .tgz file');
  usage(['verify-excerpt', 'nothing-here', '--trust', 'log.pub'], 'verify-excerpt: nothing-here: no such file or directory');
  usage(['verify-excerpt', 'log.pub', '--trust', 'log.pub'], 'verify-excerpt: log.pub is neither a directory nor a gzip-compressed tar');
  const notCovered = run(['excerpt', sealed.path, '--trust', 'impostor.pub', '--index', '1', '--out', 'u7']);
  assert.deepEqual([notCovered.code, notCovered.err], [1, 'sealcheck: cannot make the excerpt: entry 1 is not covered by a trusted checkpoint: trusted checkpoints cover entries none of 25\n']);
});
