// attest → verify-attestation end to end, and the same report checked by tools Sealcheck did not write.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile, cp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../../../', import.meta.url));
const SAMPLES = join(ROOT, 'resources/samples');
let dir = '';

function ensure(command: string, pkg: string) {
  if (spawnSync('sh', ['-c', `command -v ${command}`]).status !== 0) {
    const r = spawnSync('sh', ['-c', `apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq ${pkg}`], { stdio: 'inherit' });
    assert.equal(r.status, 0, `installing ${pkg}`);
  }
}
function sealcheck(args: string[]) {
  const r = spawnSync(process.execPath, [join(ROOT, 'electron/cli/sealcheck.mjs'), ...args], { cwd: dir, encoding: 'utf8' });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

before(async () => {
  ensure('pdftotext', 'poppler-utils');
  ensure('qpdf', 'qpdf');
  ensure('ssh-keygen', 'openssh-client');
  if (spawnSync('python3', ['-c', 'import cryptography']).status !== 0) ensure('false', 'python3-cryptography');
  assert.equal(spawnSync(process.execPath, [join(ROOT, 'scripts/build.mjs')]).status, 0);
  dir = await mkdtemp(join(tmpdir(), 'sealcheck-attest-'));
  await writeFile(join(dir, 'pass.txt'), 'a long examiner passphrase\n');
  for (const args of [
    ['keygen', '--name', 'prod.example/audit', '--out', 'log'],
    ['keygen', '--examiner', '--name', 'Ada Examiner <ada@example.org>', '--out', 'ada', '--passphrase-file', 'pass.txt'],
    ['keygen', '--examiner', '--name', 'Mallory <m@example.org>', '--out', 'mallory', '--passphrase-file', 'pass.txt'],
    ['seal', '--key', 'log.key', '--origin', 'prod.example/audit', '--out', 'audit.tar.gz', '--checkpoint-every', '500', join(SAMPLES, 'immudb-log-audit_k8s.jsonl')],
  ]) assert.equal(sealcheck(args).code, 0, args.join(' '));
  const r = sealcheck(['attest', 'audit.tar.gz', '--trust', 'log.pub', '--examiner-key', 'ada.key', '--passphrase-file', 'pass.txt', '--case', 'CASE-2026-017', '--examiner', 'Ada Examiner', '--title', 'Cluster admin access', '--organisation', 'Audit & Co', '--out', 'REPORT.pdf']);
  assert.equal(r.code, 0, r.err + r.out);
  assert.match(r.out, /^VERIFIED: No alteration detected in the 2,971 sealed entries up to tree size 2,971 \(root [A-Za-z0-9+/]{43}=\), relative to the keys listed in \u00a74\.\n/);
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

test('verify-attestation: every check passes for the report as written, with the evidence', () => {
  const r = sealcheck(['verify-attestation', 'REPORT.pdf', '--examiner', 'ada.pub', '--archive', 'audit.tar.gz', '--json']);
  assert.equal(r.code, 0, r.out + r.err);
  const v = JSON.parse(r.out);
  assert.equal(v.valid, true);
  assert.deepEqual(v.checks.map((c: { name: string; ok: boolean }) => [c.name, c.ok]), [
    ['PDF signature (PAdES, Ed25519)', true], ['embedded statement (DSSE)', true], ['embedded verification summary (SLSA VSA, DSSE)', true],
    ['verification summary agrees with the report', true], ['REPORT.dsse.json beside the report', true], ['REPORT.vsa.dsse.json beside the report', true],
    ['visible report matches the statement', true], ['REPORT.pdf.sshsig (SSHSIG)', true], ['evidence digests', true],
  ]);
  assert.deepEqual([v.report.case, v.report.verdict, v.report.examiner], ['CASE-2026-017', 'verified', 'Ada Examiner']);
  // The OpenSSH public key line works as --examiner too.
  assert.equal(sealcheck(['verify-attestation', 'REPORT.pdf', '--examiner', 'ada.ssh.pub']).code, 0);
});

test('any changed byte, another examiner key or other evidence makes it invalid, with the reason', async () => {
  const pdf = await readFile(join(dir, 'REPORT.pdf'));
  for (const at of [0, 100, Math.floor(pdf.length / 2) + 7000, pdf.length - 2]) {
    const bad = Buffer.from(pdf);
    bad[at] = bad[at]! ^ 0x01;
    await writeFile(join(dir, 'BAD.pdf'), bad);
    const r = sealcheck(['verify-attestation', 'BAD.pdf', '--examiner', 'ada.pub']);
    assert.equal(r.code, 1, `byte ${at}: ${r.out}`);
    assert.match(r.out, /^INVALID: BAD\.pdf failed \d+ check/);
    assert.match(r.out, /FAIL PDF signature \(PAdES, Ed25519\): /);
  }
  const other = sealcheck(['verify-attestation', 'REPORT.pdf', '--examiner', 'mallory.pub']);
  assert.equal(other.code, 1);
  assert.match(other.out, /FAIL PDF signature \(PAdES, Ed25519\)/);
  assert.match(other.out, /FAIL embedded statement \(DSSE\)/);
  assert.match(other.out, /FAIL REPORT\.pdf\.sshsig \(SSHSIG\)/);
  await cp(join(dir, 'audit.tar.gz'), join(dir, 'copy.tar.gz'));
  await writeFile(join(dir, 'copy.tar.gz'), Buffer.concat([await readFile(join(dir, 'audit.tar.gz')), Buffer.alloc(512)]));
  const evidence = sealcheck(['verify-attestation', 'REPORT.pdf', '--examiner', 'ada.pub', '--archive', 'copy.tar.gz']);
  assert.equal(evidence.code, 1);
  assert.match(evidence.out, /FAIL evidence digests: SHA-256 of copy\.tar\.gz is [0-9a-f]{64}, not an attested evidence item/);
  assert.equal(sealcheck(['verify-attestation', 'REPORT.pdf', '--examiner', 'nope.pub']).code, 2);
  assert.equal(sealcheck(['attest', 'audit.tar.gz', '--trust', 'log.pub', '--examiner-key', 'ada.key', '--passphrase-file', 'pass.txt', '--case', 'C', '--out', 'REPORT.pdf']).code, 2);
});

test('independent tools: ssh-keygen, qpdf, pdftotext, pdfdetach, openssl cms and a Python DSSE check', async () => {
  const principal = (await readFile(join(dir, 'REPORT.pdf.allowed_signers'), 'utf8')).split(' ')[0];
  assert.equal(principal, 'ada@example.org');
  const ssh = spawnSync('sh', ['-c', 'ssh-keygen -Y verify -f REPORT.pdf.allowed_signers -I ada@example.org -n sealcheck-attestation -s REPORT.pdf.sshsig < REPORT.pdf'], { cwd: dir, encoding: 'utf8' });
  assert.equal(ssh.status, 0, ssh.stderr);
  assert.match(ssh.stdout, /^Good "sealcheck-attestation" signature for ada@example\.org with ED25519 key SHA256:/);
  const qpdf = spawnSync('qpdf', ['--check', 'REPORT.pdf'], { cwd: dir, encoding: 'utf8' });
  assert.equal(qpdf.status, 0, qpdf.stdout);
  assert.match(qpdf.stdout, /No syntax or stream encoding errors found/);
  const text = spawnSync('pdftotext', ['-layout', 'REPORT.pdf', '-'], { cwd: dir, encoding: 'utf8' }).stdout;
  const statement = JSON.parse(Buffer.from(JSON.parse(await readFile(join(dir, 'REPORT.dsse.json'), 'utf8')).payload, 'base64').toString());
  assert.equal(statement._type, 'https://in-toto.io/Statement/v1');
  const subject = statement.subject[0];
  assert.equal(subject.name, 'audit.tar.gz');
  assert.equal(subject.digest.sha256, spawnSync('sha256sum', ['audit.tar.gz'], { cwd: dir, encoding: 'utf8' }).stdout.split(' ')[0]);
  assert.equal(subject.digest.sha512, spawnSync('sha512sum', ['audit.tar.gz'], { cwd: dir, encoding: 'utf8' }).stdout.split(' ')[0]);
  for (const s of ['VERIFIED', 'CASE-2026-017', 'Ada Examiner', 'prod.example/audit']) assert.ok(text.includes(s), s);
  assert.ok(text.replace(/\s+/g, '').includes(subject.digest.sha256), 'the SHA-256 of the evidence is printed');
  const list = spawnSync('pdfdetach', ['-list', 'REPORT.pdf'], { cwd: dir, encoding: 'utf8' }).stdout;
  assert.match(list, /1: REPORT\.dsse\.json/);
  spawnSync('pdfdetach', ['-save', '1', '-o', 'extracted.json', 'REPORT.pdf'], { cwd: dir });
  assert.deepEqual(await readFile(join(dir, 'extracted.json')), await readFile(join(dir, 'REPORT.dsse.json')));
  // A short DSSE check with pyca/cryptography, independent of this code base.
  const py = `
import base64, json, sys
from cryptography.hazmat.primitives.serialization import load_pem_public_key
env = json.load(open('REPORT.dsse.json'))
payload = base64.b64decode(env['payload'])
t = env['payloadType'].encode()
pae = b'DSSEv1 %d %s %d %s' % (len(t), t, len(payload), payload)
key = load_pem_public_key(open('ada.pub', 'rb').read())
key.verify(base64.b64decode(env['signatures'][0]['sig']), pae)
print('DSSE ok', json.loads(payload)['subject'][0]['name'])
`;
  const p = spawnSync('python3', ['-c', py], { cwd: dir, encoding: 'utf8' });
  assert.equal(p.status, 0, p.stderr);
  assert.equal(p.stdout.trim(), 'DSSE ok audit.tar.gz');
});
