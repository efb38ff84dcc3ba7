// sealcheck attest on an evidence excerpt (the built bundle): the signed report lists the disclosed events, the withheld ones with their reasons and the complete ranges, and verify-attestation checks it like an archive's.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { TempDirs, sealArchive, writeKeyFiles, logKey } from '../../../helpers/archives.ts';

const ROOT = fileURLToPath(new URL('../../../../', import.meta.url));
const MORE_LOGS = join(ROOT, '../shared/data/more-logs');
const temp = new TempDirs();
let dir = '';
let archive = '';

function sealcheck(args: string[]) {
  const r = spawnSync(process.execPath, [join(ROOT, 'electron/cli/sealcheck.mjs'), ...args], { cwd: dir, encoding: 'utf8' });
  return { code: r.status, out: r.stdout, err: r.stderr };
}
function ok(args: string[]) {
  const r = sealcheck(args);
  assert.equal(r.code, 0, `${args.join(' ')}\n${r.err}${r.out}`);
  return r;
}
const EXAMINER = ['--examiner-key', 'ada.key', '--passphrase-file', 'pass.txt', '--case', 'CASE-10', '--no-self-test'];
async function statement(name: string) {
  return JSON.parse(Buffer.from(JSON.parse(await readFile(join(dir, name), 'utf8')).payload, 'base64').toString());
}
const checkNames = (out: string) => JSON.parse(out).checks.map((c: { name: string; ok: boolean }) => [c.name, c.ok]);

before(async () => {
  assert.equal(spawnSync(process.execPath, [join(ROOT, 'scripts/build.mjs')]).status, 0);
  const sealed = await sealArchive(temp); // 25 audit events one second apart from 2026-11-21T10:00:00Z; checkpoints 10, 20, 25
  dir = sealed.dir;
  archive = sealed.path;
  await writeKeyFiles(join(dir, 'log'), logKey);
  await writeFile(join(dir, 'pass.txt'), 'a long examiner passphrase\n');
  ok(['keygen', '--examiner', '--name', 'Ada Examiner <ada@example.org>', '--out', 'ada', '--passphrase-file', 'pass.txt']);
  ok(['verify', archive, '--trust', 'log.pub', '--index', 'case.sqlite']);
  ok(['excerpt', archive, '--trust', 'log.pub', '--db', 'case.sqlite', '--from', '2026-11-21T10:00:05Z', '--to', '2026-11-21T10:00:09Z', '--withhold', '7', '--out', 'win']);
});
after(() => temp.cleanup());

test('a complete window: VERIFIED, every event and the withheld one listed, and verify-attestation passes all nine checks', async () => {
  const r = ok(['attest', 'win', '--trust', 'log.pub', ...EXAMINER, '--out', 'WIN.pdf']);
  assert.equal(r.out.split('\n')[0], `VERIFIED: All 4 items are proven in audit.test.example/cluster-1 at tree size 10 (root ${JSON.parse(await readFile(join(dir, 'win/manifest.json'), 'utf8')).checkpoint.root}) by the keys in \u00a74: 3 disclosed exactly as logged, 1 withheld by leaf hash; no index of 5..8 is missing.`);
  const v = ok(['verify-attestation', 'WIN.pdf', '--examiner', 'ada.pub', '--archive', 'win', '--json']);
  assert.deepEqual(checkNames(v.out), [
    ['PDF signature (PAdES, Ed25519)', true], ['embedded statement (DSSE)', true], ['embedded verification summary (SLSA VSA, DSSE)', true],
    ['verification summary agrees with the report', true], ['WIN.dsse.json beside the report', true], ['WIN.vsa.dsse.json beside the report', true],
    ['visible report matches the statement', true], ['WIN.pdf.sshsig (SSHSIG)', true], ['evidence digests', true],
  ]);
  const c = (await statement('WIN.dsse.json')).predicate.content;
  const x = c.excerpt;
  assert.deepEqual(x.items, { total: 4, disclosed: 3, withheld: 1, proven: 4 });
  assert.deepEqual(x.complete, [{ first: 5, last: 8, whole: true }]);
  assert.equal(x.selection, 'every entry of the index range the events from 2026-11-21T10:00:05.000Z to 2026-11-21T10:00:09.000Z (end excluded) span in the case database case.sqlite: a complete window');
  assert.deepEqual(x.disclosed, [5, 6, 8].map((i) => ({
    index: i, time: `2026-11-21T10:00:0${i}Z`, user: `system:serviceaccount:team-${i % 3}:reader`, verb: i % 2 ? 'list' : 'get',
    resource: 'pods', namespace: `team-${i % 3}`, code: 200, proven: true,
  })));
  assert.deepEqual(x.withheld, [{ index: 7, reasons: [{ rule: 'examiner', detail: 'withheld by the examiner (--withhold)' }], redacted: false, proven: true }]);
  assert.deepEqual(x.withheldByRule, [{ name: 'examiner', count: 1 }]);
  assert.deepEqual(x.unlisted, { disclosed: 0, withheld: 0 });
  assert.deepEqual(x.problems, []);
  assert.equal(x.checkpoint.treeSize, 10);
  assert.deepEqual([c.evidence[0].name, c.evidence[0].container, c.evidence[0].digestOf, c.evidence[0].entries], ['win', 'directory', 'tree', 4]);
  assert.equal(c.evidence[0].digestWhileVerifying, c.evidence[0].sha256);
  assert.deepEqual([c.evidence[0].eventsFrom, c.evidence[0].eventsTo], ['2026-11-21T10:00:05Z', '2026-11-21T10:00:08Z']);
  assert.deepEqual(c.result.perKey, [{ name: 'audit.test.example/cluster-1', keyId: c.trustPolicy.keys[0].keyId, role: 'log', valid: 1, invalid: 0, notChecked: 0 }]);
  assert.ok(c.result.limitations[0].startsWith('The time window was mapped to the index range by the event times'));
  assert.deepEqual(c.reproducibility.files.map((f: { path: string }) => f.path), ['manifest.json', 'checkpoint']);
  const vsa = (await statement('WIN.vsa.dsse.json')).predicate;
  assert.deepEqual([vsa.verificationResult, vsa.verifiedLevels], ['PASSED', ['SEALCHECK_EXCERPT_V1_VERIFIED']]);
  const text = spawnSync('pdftotext', ['-layout', 'WIN.pdf', '-'], { cwd: dir, encoding: 'utf8' }).stdout;
  assert.match(text, /Attestation of an evidence excerpt/);
  assert.match(text, /8 +The excerpt: disclosed and withheld events/);
  assert.match(text, /indices 5 to 8 \(4 entries\): an item is present for every index/);
  assert.match(text, /\n *7 +examiner: withheld by the examiner \(--withhold\) +no +proven\n/);
  assert.match(text, /\n *6 +2026-11-21 +system:\S* +get +pods +team-0 +200 +proven\n +10:00:06 /);
});

test('a changed entry: the report says FAILED and names the item, and is itself a valid signed report', async () => {
  ok(['excerpt', archive, '--trust', 'log.pub', '--index', '2,3', '--out', 'sel.tar.gz']);
  ok(['excerpt', archive, '--trust', 'log.pub', '--index', '2,3', '--out', 'bad']);
  const entry = join(dir, 'bad/items/000000000003.entry');
  await writeFile(entry, (await readFile(entry, 'utf8')).replace('"list"', '"LIST"'));
  const r = sealcheck(['attest', 'bad', '--trust', 'log.pub', ...EXAMINER, '--out', 'BAD.pdf']);
  assert.equal(r.code, 1, r.err + r.out);
  assert.equal(r.out.split('\n')[0], 'FAILED: 1 check of the excerpt failed (1 of 2 items): the excerpt, as received, is not what the log signed (section 6).');
  const x = (await statement('BAD.dsse.json')).predicate.content.excerpt;
  assert.equal(x.problems.length, 1);
  assert.equal(x.problems[0].index, 3);
  assert.match(x.problems[0].message, /^items\/000000000003\.entry does not hash to the manifest's leaf: the entry was changed \(its leaf is [A-Za-z0-9+/]{43}=\)$/);
  assert.deepEqual(x.disclosed.map((e: { index: number; verb: string; proven: boolean }) => [e.index, e.verb, e.proven]), [[2, 'get', true], [3, 'LIST', false]]);
  const v = sealcheck(['verify-attestation', 'BAD.pdf', '--examiner', 'ada.pub', '--json']);
  assert.equal(v.code, 0, v.out);
  assert.equal(JSON.parse(v.out).report.verdict, 'failed');
  const vsa = (await statement('BAD.vsa.dsse.json')).predicate;
  assert.deepEqual([vsa.verificationResult, vsa.verifiedLevels], ['FAILED', ['FAILED']]);
  // A .tar.gz excerpt is recognised too, and another excerpt is not the attested evidence.
  ok(['attest', 'sel.tar.gz', '--trust', 'log.pub', ...EXAMINER, '--out', 'SEL.pdf']);
  const other = sealcheck(['verify-attestation', 'SEL.pdf', '--examiner', 'ada.pub', '--archive', 'win']);
  assert.equal(other.code, 1);
  assert.match(other.out, /\n {2}FAIL evidence digests: SHA-256 of win is [0-9a-f]{64}, not an attested evidence item\n/);
  assert.equal(JSON.parse(sealcheck(['verify-attestation', 'SEL.pdf', '--examiner', 'ada.pub', '--archive', 'sel.tar.gz', '--json']).out).valid, true);
});

test('sensitive entries withheld by rule are listed with the rule and where it matched, never the value', async () => {
  ok(['keygen', '--name', 'falco.example/audit', '--out', 'falco']);
  ok(['seal', '--key', 'falco.key', '--origin', 'falco.example/audit', '--out', 'falco-archive', join(MORE_LOGS, 'falco_k8s-audit_configmap-sensitive-values.jsonl')]);
  ok(['excerpt', 'falco-archive', '--trust', 'falco.pub', '--index', '0', '--withhold-sensitive', '--out', 'falco-ex']);
  ok(['attest', 'falco-ex', '--trust', 'falco.pub', ...EXAMINER, '--out', 'FALCO.pdf']);
  const x = (await statement('FALCO.dsse.json')).predicate.content.excerpt;
  assert.deepEqual(x.items, { total: 1, disclosed: 0, withheld: 1, proven: 1 });
  assert.deepEqual(x.withheld[0].reasons.map((r: { rule: string }) => r.rule), ['credential-in-object']);
  assert.equal(x.withheld[0].redacted, true);
  const entry = (await readFile(join(MORE_LOGS, 'falco_k8s-audit_configmap-sensitive-values.jsonl'), 'utf8')).split('\n')[0]!;
  const secret = 'aws_secret_access_key = MY-KEY';
  assert.ok(entry.includes(secret), 'the sample carries an AWS-looking credential');
  const text = spawnSync('pdftotext', ['FALCO.pdf', '-'], { cwd: dir, encoding: 'utf8' }).stdout;
  assert.ok(text.includes('credential-in-object'));
  assert.ok(!text.includes(secret) && !(await readFile(join(dir, 'FALCO.dsse.json'), 'utf8')).includes(secret), 'the withheld value appears nowhere in the report');
});

test('an excerpt takes no --index or --anchor: usage errors naming it', () => {
  const idx = sealcheck(['attest', 'win', '--trust', 'log.pub', ...EXAMINER, '--index', 'x.sqlite', '--out', 'X.pdf']);
  assert.equal(idx.code, 2);
  assert.equal(idx.err, 'sealcheck: attest: --index: win is an evidence excerpt, which is not indexed; the report lists its events itself\n');
  const anchor = sealcheck(['attest', 'win', '--trust', 'log.pub', ...EXAMINER, '--anchor', 'win/checkpoint', '--out', 'Y.pdf']);
  assert.equal(anchor.code, 2);
  assert.equal(anchor.err, 'sealcheck: attest: --anchor: win is an evidence excerpt; an anchor is compared with an archive\'s tree, and an excerpt carries no tree to compare\n');
});
