// SSHSIG signatures against OpenSSH itself: ssh-keygen -Y verify accepts ours, ours accepts ssh-keygen -Y sign's, byte for byte.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fromBase64Strict, toBase64, utf8 } from '../../../../shared/core/bytes.ts';
import {
  SshReader, examinerPrincipal, formatExaminerName, generateExaminerKey, importPkcs8ExaminerKey, parseExaminerName, parseSshPublicKeyLine,
  sshPublicKeyLine, sshString, sshUint32,
} from '../../../../electron/services/attest/examiner-key.node.ts';
import { SSHSIG_NAMESPACE, allowedSignersLine, parseSshsig, signSshsig, verifySshsig } from '../../../../electron/services/attest/sshsig.node.ts';

const JANE = parseExaminerName('Jane Doe <jane@example.org>');
let dir = '';

/** ssh-keygen is the reference implementation; installed when missing, never skipped. */
function sshKeygen(args: string[], input?: Uint8Array | string) {
  if (spawnSync('ssh-keygen', ['-?'], { encoding: 'utf8' }).error) {
    spawnSync('apt-get', ['update'], { stdio: 'ignore' });
    spawnSync('apt-get', ['install', '-y', 'openssh-client'], { stdio: 'ignore' });
  }
  const r = spawnSync('ssh-keygen', args, { encoding: 'utf8', input });
  assert.ifError(r.error);
  return { code: r.status, out: r.stdout, err: r.stderr };
}

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sealcheck-sshsig-'));
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

test('sign and verify round trip; wrong message, key, namespace refused', () => {
  const key = generateExaminerKey(JANE);
  const other = generateExaminerKey(JANE);
  const message = utf8('%PDF-1.7 examiner report\n');
  const sig = signSshsig(message, key.seed);
  assert.deepEqual(verifySshsig(sig, message, key.publicKey), { ok: true, reason: 'verified' });
  assert.deepEqual(verifySshsig(sig, message, key.publicKey, SSHSIG_NAMESPACE), { ok: true, reason: 'verified' });
  assert.deepEqual(verifySshsig(sig, utf8('%PDF-1.7 examiner report \n'), key.publicKey), { ok: false, reason: 'the signature does not verify (the file or the signature was changed)' });
  assert.deepEqual(verifySshsig(sig, message, other.publicKey), { ok: false, reason: 'signed by a different key' });
  assert.deepEqual(verifySshsig(sig, message, key.publicKey, 'git'), { ok: false, reason: 'namespace "sealcheck-attestation" is not "git"' });
  const fileSig = signSshsig(message, key.seed, 'file');
  assert.equal(verifySshsig(fileSig, message, key.publicKey).ok, false, 'a signature for another namespace never counts');
  assert.equal(verifySshsig(fileSig, message, key.publicKey, 'file').ok, true);
  assert.throws(() => signSshsig(message, key.seed, ''), /must not be empty/);
  // Ed25519 and SSHSIG have no randomness: the same input gives the same armor.
  assert.equal(signSshsig(message, key.seed), sig);
});

test('armor: header, 70-column base64, footer; the blob fields as PROTOCOL.sshsig orders them', () => {
  const key = generateExaminerKey(JANE);
  const sig = signSshsig(utf8('x'), key.seed);
  const lines = sig.split('\n');
  assert.equal(lines[0], '-----BEGIN SSH SIGNATURE-----');
  assert.equal(lines.at(-2), '-----END SSH SIGNATURE-----');
  assert.equal(lines.at(-1), '');
  const body = lines.slice(1, -2);
  for (const l of body.slice(0, -1)) assert.equal(l.length, 70);
  assert.ok(body.at(-1)!.length <= 70);
  const p = parseSshsig(sig);
  assert.deepEqual(p.publicKey, key.publicKey);
  assert.equal(p.namespace, 'sealcheck-attestation');
  assert.equal(p.hash, 'sha512');
  assert.equal(p.reserved.length, 0);
  assert.equal(p.signature.length, 64);
  const blob = fromBase64Strict(body.join(''))!;
  assert.equal(Buffer.from(blob.subarray(0, 6)).toString(), 'SSHSIG');
  assert.deepEqual([...blob.subarray(6, 10)], [0, 0, 0, 1]);
});

test('malformed or altered signatures are refused with a reason, never a throw', () => {
  const key = generateExaminerKey(JANE);
  const message = utf8('report');
  const sig = signSshsig(message, key.seed);
  const blob = fromBase64Strict(sig.split('\n').slice(1, -2).join(''))!;
  const rearmor = (b: Uint8Array) => `-----BEGIN SSH SIGNATURE-----\n${toBase64(b).replace(/.{70}/g, '$&\n').replace(/\n$/, '')}\n-----END SSH SIGNATURE-----\n`;
  const flipped = (i: number) => {
    const b = blob.slice();
    b[i]! ^= 1;
    return rearmor(b);
  };
  const cases: [string, string, RegExp][] = [
    ['empty', '', /does not start with/],
    ['no footer', sig.replace('-----END SSH SIGNATURE-----', ''), /no -----END SSH SIGNATURE----- line/],
    ['text after', `${sig}extra\n`, /text after/],
    ['bad base64', sig.replace(/\n[A-Za-z0-9+/]/, '\n!'), /not valid base64/],
    ['magic', flipped(0), /magic is not "SSHSIG"/],
    ['version 2', rearmor(Uint8Array.from([...blob.subarray(0, 9), 2, ...blob.subarray(10)])), /version 2 is not supported/],
    ['truncated', rearmor(blob.subarray(0, blob.length - 10)), /truncated/],
    ['trailing bytes', rearmor(Uint8Array.from([...blob, 0])), /trailing bytes/],
    ['signature byte', flipped(blob.length - 5), /does not verify/],
    ['hash name', rearmor(replaceOnce(blob, utf8('sha512'), utf8('sha384'))), /hash algorithm "sha384"/],
    ['hash sha256 claimed', rearmor(replaceOnce(blob, utf8('sha512'), utf8('sha256'))), /does not verify/],
    ['namespace', rearmor(replaceOnce(blob, utf8('sealcheck-attestation'), utf8('sealcheck-attestatioN'))), /namespace "sealcheck-attestatioN"/],
  ];
  for (const [what, bad, reason] of cases) {
    const r = verifySshsig(bad, message, key.publicKey);
    assert.equal(r.ok, false, what);
    assert.match(r.reason, reason, what);
  }
  // CRLF line ends (a signature mailed or checked out on Windows) still verify.
  assert.equal(verifySshsig(sig.replace(/\n/g, '\r\n'), message, key.publicKey).ok, true);
});

function replaceOnce(hay: Uint8Array, from: Uint8Array, to: Uint8Array): Uint8Array {
  const i = Buffer.from(hay).indexOf(Buffer.from(from));
  assert.ok(i >= 0);
  const out = hay.slice();
  out.set(to, i);
  return out;
}

test('allowedSignersLine: principal, namespace restriction, key and comment; refuses pattern characters', () => {
  const key = generateExaminerKey(JANE);
  const line = sshPublicKeyLine(key.publicKey, formatExaminerName(JANE));
  assert.equal(allowedSignersLine('jane@example.org', line), `jane@example.org namespaces="sealcheck-attestation" ${line}\n`);
  assert.equal(allowedSignersLine('Jane Doe', line), `"Jane Doe" namespaces="sealcheck-attestation" ${line}\n`);
  assert.equal(allowedSignersLine('jane@example.org', line, { namespaces: [] }), `jane@example.org ${line}\n`);
  for (const bad of ['', 'a,b', '*@example.org', 'j?ne', '!jane', 'say "hi"', 'two\nlines']) assert.throws(() => allowedSignersLine(bad, line), RangeError, bad);
  assert.throws(() => allowedSignersLine('jane@example.org', 'ssh-rsa AAAAB3NzaC1yc2E= x'), /not an OpenSSH ssh-ed25519 public key line/);
});

test('ssh-keygen -Y verify accepts our signature and rejects a changed file', async () => {
  const key = generateExaminerKey(JANE);
  const report = join(dir, 'REPORT.pdf');
  const content = Buffer.concat([Buffer.from('%PDF-1.7\n'), Buffer.from(Array.from({ length: 5000 }, (_, i) => i % 256))]);
  await writeFile(report, content);
  await writeFile(`${report}.sshsig`, signSshsig(content, key.seed));
  const sshLine = sshPublicKeyLine(key.publicKey, formatExaminerName(JANE));
  await writeFile(`${report}.allowed_signers`, allowedSignersLine(examinerPrincipal(JANE), sshLine));

  const verify = (principal: string, namespace: string, data: Uint8Array, signers = `${report}.allowed_signers`) =>
    sshKeygen(['-Y', 'verify', '-f', signers, '-I', principal, '-n', namespace, '-s', `${report}.sshsig`], data);
  const good = verify('jane@example.org', 'sealcheck-attestation', content);
  assert.equal(good.code, 0, good.err);
  await writeFile(join(dir, 'jane.ssh.pub'), `${sshLine}\n`);
  const expected = `Good "sealcheck-attestation" signature for jane@example.org with ED25519 key ${sshKeygen(['-lf', join(dir, 'jane.ssh.pub')]).out.split(' ')[1]}`;
  assert.equal(good.out.trim(), expected);
  console.log(`ssh-keygen -Y verify (ours): ${good.out.trim()}`);

  const changed = Buffer.from(content);
  changed[100]! ^= 1;
  const bad = verify('jane@example.org', 'sealcheck-attestation', changed);
  assert.notEqual(bad.code, 0);
  assert.doesNotMatch(bad.out, /Good/);
  console.log(`ssh-keygen -Y verify (changed file): exit ${bad.code}: ${`${bad.out}${bad.err}`.trim().split('\n').join(' | ')}`);

  assert.notEqual(verify('john@example.org', 'sealcheck-attestation', content).code, 0, 'another principal');
  assert.notEqual(verify('jane@example.org', 'git', content).code, 0, 'another namespace');
  // A name-only examiner: the quoted principal with spaces works with ssh-keygen too.
  await writeFile(join(dir, 'by-name'), allowedSignersLine('Jane Doe', sshLine));
  assert.equal(verify('Jane Doe', 'sealcheck-attestation', content, join(dir, 'by-name')).code, 0);
  // And ssh-keygen's own check-novalidate parses our blob.
  const nv = sshKeygen(['-Y', 'check-novalidate', '-n', 'sealcheck-attestation', '-s', `${report}.sshsig`], content);
  assert.equal(nv.code, 0, nv.err);
});

/** The seed of an unencrypted openssh-key-v1 private key (PROTOCOL.key), as ssh-keygen writes it. */
function seedFromOpenSshPrivateKey(text: string): { seed: Uint8Array; publicKey: Uint8Array } {
  const body = text.replace(/-----(BEGIN|END) OPENSSH PRIVATE KEY-----/g, '').replace(/\s+/g, '');
  const blob = new Uint8Array(Buffer.from(body, 'base64'));
  const magic = Buffer.from('openssh-key-v1\0');
  assert.deepEqual(Buffer.from(blob.subarray(0, magic.length)), magic);
  const r = new SshReader(blob.subarray(magic.length));
  assert.equal(r.text('cipher'), 'none');
  assert.equal(r.text('kdf'), 'none');
  r.string('kdf options');
  assert.equal(r.uint32('count'), 1);
  r.string('public key');
  const priv = new SshReader(r.string('private section'));
  assert.equal(priv.uint32('check1'), priv.uint32('check2'));
  assert.equal(priv.text('type'), 'ssh-ed25519');
  const publicKey = priv.string('public').slice();
  const secret = priv.string('secret');
  assert.equal(secret.length, 64);
  assert.deepEqual(secret.subarray(32), publicKey);
  return { seed: secret.slice(0, 32), publicKey };
}

test('a key made by ssh-keygen, imported as PKCS#8: our verifier accepts ssh-keygen -Y sign, and our signature is byte-identical', async () => {
  const kf = join(dir, 'ssh-made');
  assert.equal(sshKeygen(['-q', '-t', 'ed25519', '-N', '', '-C', 'jane@example.org', '-f', kf]).code, 0);
  // OpenSSH 9.2 keeps Ed25519 private keys in its own format (-m PKCS8 is ignored for them), so the
  // seed is read from that format and wrapped as PKCS#8 v1, the form `openssl genpkey` writes.
  const { seed, publicKey } = seedFromOpenSshPrivateKey(await readFile(kf, 'utf8'));
  const der = Buffer.concat([Buffer.from('302e020100300506032b657004220420', 'hex'), seed]);
  const pem = `-----BEGIN PRIVATE KEY-----\n${der.toString('base64')}\n-----END PRIVATE KEY-----\n`;
  const imported = importPkcs8ExaminerKey(pem, JANE);
  assert.deepEqual(imported.publicKey, publicKey);
  assert.deepEqual(imported.publicKey, parseSshPublicKeyLine(await readFile(`${kf}.pub`, 'utf8')).publicKey);

  const doc = join(dir, 'signed-by-ssh-keygen.json');
  const content = utf8('{"_type":"https://in-toto.io/Statement/v1"}\n');
  await writeFile(doc, content);
  const s = sshKeygen(['-Y', 'sign', '-f', kf, '-n', 'sealcheck-attestation', doc]);
  assert.equal(s.code, 0, s.err);
  const theirs = await readFile(`${doc}.sig`, 'utf8');
  const r = verifySshsig(theirs, content, imported.publicKey);
  assert.deepEqual(r, { ok: true, reason: 'verified' });
  console.log(`our verifier on ssh-keygen -Y sign: ${r.reason}`);
  assert.equal(verifySshsig(theirs, utf8('{"_type":"changed"}\n'), imported.publicKey).ok, false);
  assert.equal(verifySshsig(theirs, content, imported.publicKey, 'file').ok, false);
  // Same key, same message, same (deterministic) scheme: the same bytes as OpenSSH's.
  assert.equal(signSshsig(content, imported.seed), theirs);
});

test('a non-empty reserved field is carried into the signed data, as OpenSSH does', () => {
  // Built by hand (nothing writes one today): the verifier must still check it, not drop it.
  const key = generateExaminerKey(JANE);
  const message = utf8('m');
  const sig = signSshsig(message, key.seed);
  const p = parseSshsig(sig);
  const blob = (reserved: Uint8Array, signature: Uint8Array) => Uint8Array.from([
    ...utf8('SSHSIG'), ...sshUint32(1), ...sshString(Uint8Array.from([...sshString('ssh-ed25519'), ...sshString(key.publicKey)])),
    ...sshString('sealcheck-attestation'), ...sshString(reserved), ...sshString('sha512'),
    ...sshString(Uint8Array.from([...sshString('ssh-ed25519'), ...sshString(signature)])),
  ]);
  const armored = (b: Uint8Array) => `-----BEGIN SSH SIGNATURE-----\n${toBase64(b)}\n-----END SSH SIGNATURE-----\n`;
  assert.equal(verifySshsig(armored(blob(new Uint8Array(0), p.signature)), message, key.publicKey).ok, true);
  assert.equal(verifySshsig(armored(blob(utf8('tag'), p.signature)), message, key.publicKey).ok, false);
});
