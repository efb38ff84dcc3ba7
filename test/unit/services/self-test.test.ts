// The installation self-test: the bundled cases give exactly their verdicts and findings through the handler table; a wrong expectation, a missing key and a signed record are judged exactly; the generator reproduces the committed cases.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createPublicKey, verify as cryptoVerify } from 'node:crypto';
import { cp, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createHandlers } from '../../../electron/services/api/handlers.node.ts';
import { generateExaminerKey, sha256Fingerprint, opensshFingerprint, writeExaminerKeyFiles } from '../../../electron/services/attest/examiner-key.node.ts';
import { pemFromPublicKey } from '../../../shared/core/keys.ts';
import {
  SELF_TEST_PAYLOAD_TYPE, SELF_TEST_RECORD_FORMAT, SelfTestError, bundledSelfTestDir, envelopePathFor, readSelfTestRecord, runSelfTest, verifySelfTestRecord,
  type SelfTestFinding, type SelfTestRecord,
} from '../../../electron/services/self-test.node.ts';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const BUNDLED = join(ROOT, 'resources/self-test');
let dir = '';
let n = 0;
let handlers: ReturnType<typeof createHandlers>;

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sealcheck-self-test-'));
  handlers = createHandlers({ casesRoot: join(dir, 'cases-root'), stateDir: join(dir, 'state'), emit: () => {} });
});
after(async () => {
  handlers.close();
  await rm(dir, { recursive: true, force: true });
});

const fresh = (name: string) => join(dir, `${++n}-${name}`);
const f = (code: string, file: string | null, index: number | null = null, line: number | null = null): SelfTestFinding => ({ code, file, index, line, count: null });

/** What the spec says each bundled case must give; written here, not read from expected.json. */
const SPEC: Record<string, { verdict: string; findings: SelfTestFinding[] }> = {
  '01-clean': { verdict: 'verified', findings: [] },
  '02-tampered-entry': {
    verdict: 'failed',
    findings: [
      f('chain-link-mismatch', 'segments/000000000006.chain', 7, 2),
      f('checkpoint-root-mismatch', 'checkpoints/000000000008.ckpt'),
      f('checkpoint-root-mismatch', 'checkpoints/000000000012.ckpt'),
      f('leaf-hash-mismatch', 'segments/000000000006.jsonl', 7, 2),
      f('segment-file-hash-mismatch', 'segments/000000000006.jsonl'),
      f('unsigned-tail', 'segments/000000000000.jsonl', 4),
    ],
  },
  '03-bad-checkpoint-signature': {
    verdict: 'failed',
    findings: [f('checkpoint-signature-invalid', 'checkpoints/000000000008.ckpt'), f('checkpoint-untrusted', 'checkpoints/000000000008.ckpt')],
  },
  '04-clean-tar-gz': { verdict: 'verified', findings: [] },
};

async function recordOf(path: string): Promise<SelfTestRecord> {
  return JSON.parse(await readFile(path, 'utf8')) as SelfTestRecord;
}

/** A copy of some bundled cases (and the keys) to edit. */
async function copyCases(names: string[]): Promise<string> {
  const d = fresh('cases');
  await mkdir(d);
  for (const name of ['keys', ...names]) await cp(join(BUNDLED, name), join(d, name), { recursive: true });
  return d;
}

const ISO_UTC = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/;

test('the bundled cases give exactly the verdicts and findings the spec predicts, through the handler table, and the record says so', async () => {
  const out = join(dir, 'record.json');
  const work = fresh('work');
  const r = await runSelfTest({ handlers, casesDir: BUNDLED, out, workDir: work });
  assert.equal(r.passed, true, r.summary);
  assert.equal(r.recordPath, out);
  const record = await recordOf(out);
  assert.deepEqual(record.cases.map((c) => c.name), Object.keys(SPEC));
  for (const c of record.cases) {
    assert.equal(c.actual.verdict, SPEC[c.name]!.verdict, c.name);
    assert.deepEqual(c.actual.findings, SPEC[c.name]!.findings, c.name);
    assert.deepEqual(c.expected.findings, SPEC[c.name]!.findings, `${c.name} expected.json`);
    assert.equal(c.actual.error, null);
    assert.equal(c.match, true);
    assert.deepEqual(c.differences, []);
    assert.equal(c.archive.sha256, c.expected.sha256);
  }
  assert.deepEqual(record.cases.map((c) => [c.archive.path, c.archive.container, c.actual.entries, c.actual.coveredEntries]), [
    ['01-clean/archive', 'directory', 12, 12],
    ['02-tampered-entry/archive', 'directory', 12, 4],
    ['03-bad-checkpoint-signature/archive', 'directory', 12, 12],
    ['04-clean-tar-gz/archive.tar.gz', 'tar.gz', 12, 12],
  ]);
  // The tree digest of 01 as `find . -type f -print0 | LC_ALL=C sort -z | xargs -0 sha256sum | sha256sum` gives it.
  assert.equal(record.cases[0]!.archive.sha256, '6b066871bba1852a7d42a31c2d2c95747e5fc75b7c91571dfebeec91bdee8cc7');
  assert.equal(record.passed, true);

  // Each case was a real case folder in workDir, verified and indexed; nothing went to the handlers' own cases root or recent list.
  assert.deepEqual((await readdir(join(work, 'cases'))).sort(), Object.keys(SPEC).map((name) => `self-test-${name}`));
  assert.equal(existsSync(join(work, 'cases', 'self-test-01-clean', 'case.sqlite')), true);
  assert.equal(existsSync(join(dir, 'cases-root')), false);
  assert.deepEqual(await handlers.listRecentCases(), []);

  const lines = r.summary.split('\n');
  assert.deepEqual(lines.slice(0, 5), [
    'ok   01-clean: verified, no findings',
    'ok   02-tampered-entry: failed, chain-link-mismatch, checkpoint-root-mismatch, leaf-hash-mismatch, segment-file-hash-mismatch, unsigned-tail',
    'ok   03-bad-checkpoint-signature: failed, checkpoint-signature-invalid, checkpoint-untrusted',
    'ok   04-clean-tar-gz: verified, no findings',
    'PASSED: all 4 self-test cases gave exactly their expected verdicts and findings on this installation.',
  ]);
  const { sha256 } = await readSelfTestRecord(out);
  assert.equal(lines[5], `record: ${out} (SHA-256 ${sha256})`);
  assert.equal(lines.length, 7); // and the final newline
  assert.equal(existsSync(envelopePathFor(out)), false, 'unsigned unless an examiner key is given');
});

test('the record has a stable shape: every field present, with its type', async () => {
  const out = join(dir, 'record.json');
  const rec = await recordOf(out);
  assert.deepEqual(Object.keys(rec), ['format', 'tool', 'platform', 'startedAt', 'finishedAt', 'casesDir', 'examiner', 'cases', 'passed']);
  assert.equal(rec.format, SELF_TEST_RECORD_FORMAT);
  assert.deepEqual(Object.keys(rec.tool), ['name', 'version', 'buildDigest']);
  assert.equal(rec.tool.name, 'sealcheck');
  assert.match(rec.tool.version, /^\d+\.\d+\.\d+/);
  assert.equal(rec.tool.buildDigest.algorithm, 'sha256');
  assert.match(rec.tool.buildDigest.value, /^[0-9a-f]{64}$/);
  assert.equal(typeof rec.tool.buildDigest.of, 'string');
  assert.deepEqual(Object.keys(rec.platform), ['os', 'arch', 'osRelease', 'hostname', 'node', 'electron', 'chrome', 'v8']);
  assert.equal(rec.platform.os, process.platform);
  assert.equal(rec.platform.arch, process.arch);
  assert.equal(rec.platform.node, process.versions.node);
  assert.equal(rec.platform.electron, null); // plain Node here; the app records process.versions.electron
  assert.equal(rec.platform.chrome, null);
  assert.equal(typeof rec.platform.osRelease, 'string');
  assert.match(rec.startedAt, ISO_UTC);
  assert.match(rec.finishedAt, ISO_UTC);
  assert.ok(rec.startedAt <= rec.finishedAt);
  assert.equal(rec.casesDir, BUNDLED);
  assert.equal(rec.examiner, null);
  assert.equal(typeof rec.passed, 'boolean');
  for (const c of rec.cases) {
    assert.deepEqual(Object.keys(c), ['name', 'description', 'archive', 'expected', 'actual', 'match', 'differences']);
    assert.deepEqual(Object.keys(c.archive), ['path', 'container', 'sha256']);
    assert.deepEqual(Object.keys(c.expected), ['sha256', 'verdict', 'findings']);
    assert.deepEqual(Object.keys(c.actual), ['verdict', 'reason', 'entries', 'coveredEntries', 'findings', 'error']);
    assert.equal(typeof c.description, 'string');
    assert.equal(typeof c.actual.reason, 'string');
    for (const x of [...c.expected.findings, ...c.actual.findings]) assert.deepEqual(Object.keys(x), ['code', 'file', 'index', 'line', 'count']);
  }
  const again = await readSelfTestRecord(out);
  assert.deepEqual(again.record, rec);
  assert.match(again.sha256, /^[0-9a-f]{64}$/);
});

test('a wrong expectation and a case that cannot run make passed false, with match false for exactly those cases and each difference named', async () => {
  const cases = await copyCases(['01-clean', '02-tampered-entry', '03-bad-checkpoint-signature']);
  // 02 now claims the entry is on line 3 and forgets the chain finding.
  const e2 = JSON.parse(await readFile(join(cases, '02-tampered-entry/expected.json'), 'utf8'));
  e2.expected.findings = e2.expected.findings.filter((x: { code: string }) => x.code !== 'chain-link-mismatch').map((x: { code: string; line?: number }) => (x.code === 'leaf-hash-mismatch' ? { ...x, line: 3 } : x));
  await writeFile(join(cases, '02-tampered-entry/expected.json'), JSON.stringify(e2));
  // 03 names a key file that is not there: the addKey step fails.
  const e3 = JSON.parse(await readFile(join(cases, '03-bad-checkpoint-signature/expected.json'), 'utf8'));
  e3.trust = [{ role: 'log', key: 'keys/missing.pub' }];
  await writeFile(join(cases, '03-bad-checkpoint-signature/expected.json'), JSON.stringify(e3));

  const out = join(dir, 'broken.json');
  const r = await runSelfTest({ handlers, casesDir: cases, out, workDir: fresh('work') });
  assert.equal(r.passed, false);
  const rec = await recordOf(out);
  assert.equal(rec.passed, false);
  assert.deepEqual(rec.cases.map((c) => [c.name, c.match]), [['01-clean', true], ['02-tampered-entry', false], ['03-bad-checkpoint-signature', false]]);
  assert.deepEqual(rec.cases[1]!.differences, [
    'expected finding missing: leaf-hash-mismatch segments/000000000006.jsonl entry 7 line 3',
    'unexpected finding: chain-link-mismatch segments/000000000006.chain entry 7 line 2',
    'unexpected finding: leaf-hash-mismatch segments/000000000006.jsonl entry 7 line 2',
  ]);
  // The actual result is still recorded in full: the install verified correctly, the expectation was wrong.
  assert.deepEqual(rec.cases[1]!.actual.findings, SPEC['02-tampered-entry']!.findings);
  assert.equal(rec.cases[2]!.actual.verdict, null);
  const error = rec.cases[2]!.actual.error!;
  assert.deepEqual([error.step, error.code], ['addKey', 'not-found']);
  assert.ok(error.message.startsWith(`cannot read key file ${join(cases, 'keys/missing.pub')}`), error.message);
  assert.deepEqual(rec.cases[2]!.differences, [`the addKey step failed (not-found): ${error.message}`]);
  const lines = r.summary.split('\n');
  assert.equal(lines[0], 'ok   01-clean: verified, no findings');
  assert.match(lines[1]!, /^FAIL 02-tampered-entry: failed, .* \(expected failed; expected finding missing: leaf-hash-mismatch segments\/000000000006\.jsonl entry 7 line 3; /);
  assert.match(lines[2]!, /^FAIL 03-bad-checkpoint-signature: could not run \(not-found\) \(expected failed; the addKey step failed/);
  assert.equal(lines[3], 'FAILED: 2 of 3 self-test cases did not give their expected result (02-tampered-entry, 03-bad-checkpoint-signature); do not rely on this installation.');
});

test('a changed bundled archive does not match even when its verdict happens to be right', async () => {
  const cases = await copyCases(['04-clean-tar-gz']);
  const e = JSON.parse(await readFile(join(cases, '04-clean-tar-gz/expected.json'), 'utf8'));
  e.expected.sha256 = '0'.repeat(64);
  await writeFile(join(cases, '04-clean-tar-gz/expected.json'), JSON.stringify(e));
  const out = join(dir, 'digest.json');
  const r = await runSelfTest({ handlers, casesDir: cases, out, workDir: fresh('work') });
  assert.equal(r.passed, false);
  const c = (await recordOf(out)).cases[0]!;
  assert.equal(c.actual.verdict, 'verified');
  assert.deepEqual(c.differences, [`the archive's SHA-256 is 825066e5f20a634c1bf4f300f62c570c39c0d57deef35cb1cd7588498ed15acc, not ${'0'.repeat(64)}: the bundled case itself was changed`]);
});

test('with the examiner key the record is signed: its DSSE envelope verifies with the public key, and not after one byte changes', async () => {
  const key = generateExaminerKey({ name: 'Ada Examiner', email: 'ada@example.org' });
  const prefix = join(dir, 'examiner');
  await writeExaminerKeyFiles(prefix, key, 'correct horse', { scrypt: { N: 2 ** 14, r: 8, p: 1 } });
  const cases = await copyCases(['01-clean']);
  const out = join(dir, 'signed.json');
  const r = await runSelfTest({ handlers, casesDir: cases, out, workDir: fresh('work'), examiner: { keyPath: `${prefix}.key`, passphrase: 'correct horse' } });
  assert.equal(r.passed, true);
  const rec = await recordOf(out);
  assert.deepEqual(rec.examiner, { name: 'Ada Examiner <ada@example.org>', fingerprint: sha256Fingerprint(key.publicKey), sshFingerprint: opensshFingerprint(key.publicKey) });
  const envPath = envelopePathFor(out);
  assert.equal(envPath, `${out}.dsse.json`);
  assert.match(r.summary, new RegExp(`\\nsigned: ${envPath.replace(/[.]/g, '\\.')} \\(DSSE, examiner Ada Examiner <ada@example\\.org>, ${sha256Fingerprint(key.publicKey)}\\)\\n$`));

  assert.deepEqual(await verifySelfTestRecord(out, key.publicKey), { ok: true, reason: 'the signature verifies and covers exactly this record' });
  // Independently of the project's DSSE code: PAE by hand, Ed25519 with node:crypto and the PEM public key.
  const env = JSON.parse(await readFile(envPath, 'utf8')) as { payload: string; payloadType: string; signatures: { keyid: string; sig: string }[] };
  const payload = Buffer.from(env.payload, 'base64');
  assert.deepEqual(payload, await readFile(out));
  assert.equal(env.payloadType, SELF_TEST_PAYLOAD_TYPE);
  assert.equal(env.signatures.length, 1);
  assert.equal(env.signatures[0]!.keyid, sha256Fingerprint(key.publicKey));
  const pae = Buffer.concat([Buffer.from(`DSSEv1 ${env.payloadType.length} ${env.payloadType} ${payload.length} `), payload]);
  const pub = createPublicKey(pemFromPublicKey(key.publicKey));
  assert.equal(cryptoVerify(null, pae, pub, Buffer.from(env.signatures[0]!.sig, 'base64')), true);

  // One byte of the record changed: the envelope no longer covers it.
  const bytes = await readFile(out);
  const at = bytes.indexOf('"passed": true');
  const changed = Buffer.from(bytes);
  changed[at + '"passed": '.length] = 'T'.charCodeAt(0);
  await writeFile(out, changed);
  assert.deepEqual(await verifySelfTestRecord(out, key.publicKey), { ok: false, reason: `the signed record differs from ${out}` });
  await writeFile(out, bytes);
  // One byte of the signature changed.
  const sig = Buffer.from(env.signatures[0]!.sig, 'base64');
  sig[5] = sig[5]! ^ 0x01;
  await writeFile(envPath, JSON.stringify({ ...env, signatures: [{ ...env.signatures[0], sig: sig.toString('base64') }] }));
  assert.equal(cryptoVerify(null, pae, pub, sig), false);
  assert.deepEqual(await verifySelfTestRecord(out, key.publicKey), { ok: false, reason: 'no signature verifies with the key (1 signature)' });
  // Another examiner's key.
  assert.equal((await verifySelfTestRecord(out, generateExaminerKey({ name: 'Eve', email: null }).publicKey)).ok, false);
});

test('refusals before any case runs: wrong passphrase, an existing record, missing or malformed cases', async () => {
  const prefix = join(dir, 'examiner'); // made by the previous test
  const work = fresh('work');
  const out = join(dir, 'refused.json');
  await assert.rejects(runSelfTest({ handlers, casesDir: BUNDLED, out, workDir: work, examiner: { keyPath: `${prefix}.key`, passphrase: 'wrong' } }), (e: Error) => e instanceof SelfTestError && /passphrase/.test(e.message));
  await assert.rejects(runSelfTest({ handlers, casesDir: BUNDLED, out, workDir: work, examiner: { keyPath: join(dir, 'nope.key'), passphrase: 'x' } }), /cannot read examiner key .*nope\.key: no such file/);
  assert.equal(existsSync(out), false);
  assert.equal(existsSync(work), false, 'nothing ran');

  await assert.rejects(runSelfTest({ handlers, casesDir: BUNDLED, out: join(dir, 'record.json'), workDir: work }), new RegExp(`${join(dir, 'record.json')} already exists; a validation record is never overwritten`));
  await assert.rejects(runSelfTest({ handlers, casesDir: join(dir, 'no-such-cases'), out, workDir: work }), /no-such-cases: no such folder of self-test cases/);
  await assert.rejects(runSelfTest({ handlers, casesDir: dir, out, workDir: work }), /no self-test cases \(sub-folders with an expected\.json\)/);
  await assert.rejects(runSelfTest({ handlers, casesDir: BUNDLED, out: join(dir, 'no-dir', 'r.json'), workDir: work }), /the folder .*no-dir does not exist/);

  const cases = await copyCases(['01-clean']);
  const file = join(cases, '01-clean/expected.json');
  const good = JSON.parse(await readFile(file, 'utf8'));
  for (const [change, message] of [
    [{ ...good, expected: { ...good.expected, verdict: 'fine' } }, 'expected.verdict must be one of verified, failed, incomplete'],
    [{ ...good, expected: { ...good.expected, findings: [{ code: 'leaf-changed' }] } }, 'expected.findings[0].code is not a finding code of spec §6'],
    [{ ...good, archive: '../../elsewhere' }, 'archive must be a path inside the case folder'],
    [{ ...good, format: 'x' }, 'format is not sealcheck-self-test-case/v1'],
  ] as const) {
    await writeFile(file, JSON.stringify(change));
    await assert.rejects(runSelfTest({ handlers, casesDir: cases, out, workDir: work }), (e: Error) => e instanceof SelfTestError && e.message === `${file}: ${message}`);
  }
  await writeFile(file, '{');
  await assert.rejects(runSelfTest({ handlers, casesDir: cases, out, workDir: work }), (e: Error) => e.message === `${file}: not JSON`);
  assert.equal(existsSync(out), false);
});

test('bundledSelfTestDir: the packaged app resources folder when it holds self-test, else the checkout', async () => {
  assert.equal(bundledSelfTestDir(), BUNDLED);
  const resources = fresh('resources');
  await mkdir(resources);
  try {
    Object.defineProperty(process, 'resourcesPath', { value: resources, configurable: true });
    assert.equal(bundledSelfTestDir(), BUNDLED, 'resourcesPath without a self-test folder: the checkout');
    await mkdir(join(resources, 'self-test'));
    assert.equal(bundledSelfTestDir(), join(resources, 'self-test'));
  } finally {
    Reflect.deleteProperty(process, 'resourcesPath');
  }
});

async function files(root: string): Promise<string[]> {
  const out: string[] = [];
  const walk = async (d: string) => {
    for (const e of await readdir(d, { withFileTypes: true })) e.isDirectory() ? await walk(join(d, e.name)) : out.push(relative(root, join(d, e.name)));
  };
  await walk(root);
  return out.sort();
}

test('the generator reproduces the committed cases byte for byte', async () => {
  const out = fresh('generated');
  const r = spawnSync(process.execPath, [join(ROOT, 'scripts/make-self-test-cases.mjs'), '--out', out], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stdout, `self-test cases written to ${out}: 01-clean, 02-tampered-entry, 03-bad-checkpoint-signature, 04-clean-tar-gz\n`);
  const committed = (await files(BUNDLED)).filter((x) => x !== 'README.md' && x !== '.gitattributes');
  assert.deepEqual(await files(out), committed);
  assert.equal(committed.length, 30); // 3 directory archives of 8 files, the .tar.gz, 4 expected.json, the key
  for (const name of committed) {
    // archive.tar.gz also depends on Node's zlib: a difference there alone means regenerate on a new Node (see resources/self-test/README.md).
    assert.ok(Buffer.compare(await readFile(join(out, name)), await readFile(join(BUNDLED, name))) === 0, `${name} differs from the committed file`);
  }
});
