// `sealcheck self-test` as a user runs it (the built bundle): output lines, the record, its signature, and exit codes 0, 1 and 2.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cp, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { examinerPublicKey } from '../../../electron/services/attest/attest.node.ts';
import { verifySelfTestRecord, type SelfTestRecord } from '../../../electron/services/self-test.node.ts';
import { defaultRecordName } from '../../../electron/cli/self-test.ts';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const BUNDLED = join(ROOT, 'resources/self-test');
let dir = '';

function run(args: string[], env: NodeJS.ProcessEnv = {}) {
  const r = spawnSync(process.execPath, [join(ROOT, 'electron/cli/sealcheck.mjs'), ...args], { cwd: dir, encoding: 'utf8', env: { ...process.env, SEALCHECK_PASSPHRASE: '', ...env } });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

/** Bad usage: exit 2, one line on stderr starting with "sealcheck: ", never a stack trace. */
function usage(args: string[], message: RegExp, env: NodeJS.ProcessEnv = {}) {
  const r = run(args, env);
  assert.equal(r.code, 2, `${args.join(' ')} → ${r.code}\n${r.err}${r.out}`);
  assert.match(r.err, /^sealcheck: [^\n]+\n$/);
  assert.match(r.err, message);
  assert.doesNotMatch(r.err, /\n\s+at /);
}

const OK_LINES = [
  'ok   01-clean: verified, no findings',
  'ok   02-tampered-entry: failed, chain-link-mismatch, checkpoint-root-mismatch, leaf-hash-mismatch, segment-file-hash-mismatch, unsigned-tail',
  'ok   03-bad-checkpoint-signature: failed, checkpoint-signature-invalid, checkpoint-untrusted',
  'ok   04-clean-tar-gz: verified, no findings',
  'PASSED: all 4 self-test cases gave exactly their expected verdicts and findings on this installation.',
];

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sealcheck-cli-self-test-'));
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

test('defaultRecordName: the UTC time of the run, second precision', () => {
  assert.equal(defaultRecordName(new Date('2026-12-04T13:47:48.123Z')), 'sealcheck-self-test-20261204T134748Z.json');
});

test('self-test with no options: the bundled cases, one line each, a summary, and the record in the current folder named by UTC time (exit 0)', async () => {
  await mkdir(join(dir, 'tmp'));
  const r = run(['self-test'], { TMPDIR: join(dir, 'tmp') });
  assert.equal(r.code, 0, r.err + r.out);
  // The case folders and databases it made in a temporary folder are gone.
  assert.deepEqual(await readdir(join(dir, 'tmp')), []);
  assert.equal(r.err, '');
  const lines = r.out.split('\n');
  const m = /^no --out given: the record goes to (.*\/(sealcheck-self-test-\d{8}T\d{6}Z\.json))$/.exec(lines[0]!);
  assert.ok(m, lines[0]);
  assert.equal(m[1], join(dir, m[2]!));
  assert.deepEqual(lines.slice(1, 6), OK_LINES);
  assert.match(lines[6]!, new RegExp(`^record: ${m[1]!.replace(/\./g, '\\.')} \\(SHA-256 [0-9a-f]{64}\\)$`));
  assert.deepEqual(lines.slice(7), ['']);
  assert.deepEqual((await readdir(dir)).filter((f) => f.startsWith('sealcheck-self-test-')), [m[2]]);
  const record = JSON.parse(await readFile(m[1]!, 'utf8')) as SelfTestRecord;
  assert.equal(record.passed, true);
  assert.equal(record.casesDir, BUNDLED);
  assert.deepEqual(record.cases.map((c) => [c.name, c.match]), [['01-clean', true], ['02-tampered-entry', true], ['03-bad-checkpoint-signature', true], ['04-clean-tar-gz', true]]);
  assert.match(record.tool.buildDigest.value, /^[0-9a-f]{64}$/);
});

test('a case whose expectation is wrong: its FAIL line, the FAILED summary, match false in the record (exit 1)', async () => {
  const cases = join(dir, 'broken-cases');
  await mkdir(cases);
  for (const name of ['keys', '01-clean', '03-bad-checkpoint-signature']) await cp(join(BUNDLED, name), join(cases, name), { recursive: true });
  const file = join(cases, '01-clean/expected.json');
  const e = JSON.parse(await readFile(file, 'utf8'));
  e.expected.verdict = 'incomplete';
  await writeFile(file, JSON.stringify(e));
  const r = run(['self-test', '--cases', cases, '--out', 'broken.json']);
  assert.equal(r.code, 1, r.err + r.out);
  assert.deepEqual(r.out.split('\n').slice(0, 3), [
    'FAIL 01-clean: verified, no findings (expected incomplete; verdict verified, expected incomplete)',
    'ok   03-bad-checkpoint-signature: failed, checkpoint-signature-invalid, checkpoint-untrusted',
    'FAILED: 1 of 2 self-test cases did not give their expected result (01-clean); do not rely on this installation.',
  ]);
  const record = JSON.parse(await readFile(join(dir, 'broken.json'), 'utf8')) as SelfTestRecord;
  assert.equal(record.passed, false);
  assert.deepEqual(record.cases.map((c) => [c.name, c.match]), [['01-clean', false], ['03-bad-checkpoint-signature', true]]);
});

test('--examiner-key signs the record: FILE.dsse.json verifies with the examiner public key (exit 0)', async () => {
  await writeFile(join(dir, 'pass.txt'), 'a long examiner passphrase\n');
  const k = run(['keygen', '--examiner', '--name', 'Ada Examiner <ada@example.org>', '--out', 'ada', '--passphrase-file', 'pass.txt']);
  assert.equal(k.code, 0, k.err);
  const cases = join(dir, 'one-case');
  await mkdir(cases);
  for (const name of ['keys', '01-clean']) await cp(join(BUNDLED, name), join(cases, name), { recursive: true });
  const r = run(['self-test', '--cases', cases, '--out', 'signed.json', '--examiner-key', 'ada.key', '--passphrase-file', 'pass.txt']);
  assert.equal(r.code, 0, r.err + r.out);
  const out = join(dir, 'signed.json');
  assert.match(r.out, new RegExp(`\\nsigned: ${out.replace(/\./g, '\\.')}\\.dsse\\.json \\(DSSE, examiner Ada Examiner <ada@example\\.org>, [0-9a-f]{64}\\)\\n$`));
  const pub = examinerPublicKey(await readFile(join(dir, 'ada.pub'), 'utf8'));
  assert.deepEqual(await verifySelfTestRecord(out, pub), { ok: true, reason: 'the signature verifies and covers exactly this record' });
  // The passphrase may also come from $SEALCHECK_PASSPHRASE.
  const env = run(['self-test', '--cases', cases, '--out', 'signed-env.json', '--examiner-key', 'ada.key'], { SEALCHECK_PASSPHRASE: 'a long examiner passphrase' });
  assert.equal(env.code, 0, env.err);
  assert.equal(existsSync(join(dir, 'signed-env.json.dsse.json')), true);
  usage(['self-test', '--cases', cases, '--out', 'signed-bad.json', '--examiner-key', 'ada.key'], /passphrase/, { SEALCHECK_PASSPHRASE: 'wrong' });
  usage(['self-test', '--cases', cases, '--out', 'signed-none.json', '--examiner-key', 'ada.key'], /SEALCHECK_PASSPHRASE is set but empty/);
  assert.equal(existsSync(join(dir, 'signed-bad.json')), false);
});

test('bad usage exits 2 with one line and writes nothing', async () => {
  usage(['self-test', '--bogus'], /^sealcheck: self-test: unknown option --bogus/);
  usage(['self-test', 'extra'], /^sealcheck: self-test: unexpected argument "extra"\n$/);
  usage(['self-test', '--passphrase-file', 'pass.txt'], /^sealcheck: self-test: --passphrase-file is only for --examiner-key\n$/);
  usage(['self-test', '--cases', 'nowhere'], /^sealcheck: self-test: --cases nowhere: no such folder\n$/);
  usage(['self-test', '--cases', dir, '--out', 'x.json'], /no self-test cases \(sub-folders with an expected\.json\)/);
  usage(['self-test', '--out', 'broken.json'], /broken\.json already exists; a validation record is never overwritten/);
  usage(['self-test', '--out', 'no-such-dir/r.json'], /the folder .*no-such-dir does not exist/);
  usage(['self-test', '--out', 'x.json', '--examiner-key', 'missing.key', '--passphrase-file', 'pass.txt'], /cannot read examiner key missing\.key: no such file/);
  assert.equal(existsSync(join(dir, 'x.json')), false);
});

test('help lists self-test and its exit codes', () => {
  const r = run(['help']);
  assert.equal(r.code, 0);
  assert.match(r.out, /\n {2}sealcheck self-test \[--out FILE\] \[--examiner-key PREFIX\.key \[--passphrase-file F\]\] \[--cases DIR\]\n/);
  assert.match(r.out, /\nself-test: exit 0 every bundled case gave its expected verdict and findings, 1 one did not, 2 bad usage;\n/);
});
