// Examiner keys: identity, encrypted key file (round trip, wrong passphrase, tampering, no clear seed), public formats, PKCS#8 import, CLI.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { spawnSync } from 'node:child_process';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { toBase64, toHex } from '../../../../shared/core/bytes.ts';
import { verifierKeyFromPem } from '../../../../shared/core/keys.ts';
import { nodeEd25519 } from '../../../../electron/services/crypto.node.ts';
import { UsageError } from '../../../../electron/services/keys.node.ts';
import {
  DEFAULT_SCRYPT, ExaminerKeyError, PASSPHRASE_ENV, checkProfileText, decryptExaminerKey, encryptExaminerKey, examinerPrincipal, formatExaminerName,
  generateExaminerKey, importPkcs8ExaminerKey, loadExaminerKey, opensshFingerprint, parseExaminerName, parseSshPublicKeyLine,
  readKeyFileInfo, resolvePassphrase, sha256Fingerprint, sshPublicKeyLine, writeExaminerKeyFiles, type ExaminerKey,
} from '../../../../electron/services/attest/examiner-key.node.ts';
import { main } from '../../../../electron/cli/main.ts';

// The cheapest cost the writer allows, so the many decryptions below stay fast; one test uses the default.
const FAST = { scrypt: { N: 2 ** 14, r: 8, p: 1 } };
const JANE = parseExaminerName('Jane Doe <jane@example.org>');
let dir = '';

/** ssh-keygen is the reference for fingerprints; installed when missing, never skipped. */
function sshKeygen(args: string[], input?: string) {
  if (spawnSync('ssh-keygen', ['-?'], { encoding: 'utf8' }).error) {
    spawnSync('apt-get', ['update'], { stdio: 'ignore' });
    spawnSync('apt-get', ['install', '-y', 'openssh-client'], { stdio: 'ignore' });
  }
  const r = spawnSync('ssh-keygen', args, { encoding: 'utf8', input });
  assert.ifError(r.error);
  return { code: r.status, out: r.stdout, err: r.stderr };
}

function pkcs8Pem(der: Uint8Array): string {
  return `-----BEGIN PRIVATE KEY-----\n${toBase64(der).replace(/.{64}/g, '$&\n').replace(/\n$/, '')}\n-----END PRIVATE KEY-----\n`;
}

const RFC8410_EXAMPLE = `-----BEGIN PRIVATE KEY-----
MHICAQEwBQYDK2VwBCIEINTuctv5E1hK1bbY8fdp+K06/nwoy/HU++CXqI9EdVhC
oB8wHQYKKoZIhvcNAQkJFDEPDA1DdXJkbGUgQ2hhaXJzgSEAGb9ECWmEzf6FQbrB
Z9w7lshQhqowtrbLDFw4rXAxZuE=
-----END PRIVATE KEY-----
`;

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sealcheck-examiner-'));
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

test('examiner names: NAME <EMAIL> or NAME alone, refused when malformed', () => {
  assert.deepEqual(parseExaminerName('  Jane Doe <jane@example.org> '), { name: 'Jane Doe', email: 'jane@example.org' });
  assert.deepEqual(parseExaminerName('Jane Doe'), { name: 'Jane Doe', email: null });
  assert.deepEqual(parseExaminerName('Zoë Ångström<zoe@example.se>'), { name: 'Zoë Ångström', email: 'zoe@example.se' });
  assert.equal(formatExaminerName(parseExaminerName('Jane Doe<jane@example.org>')), 'Jane Doe <jane@example.org>');
  assert.equal(examinerPrincipal(JANE), 'jane@example.org');
  assert.equal(examinerPrincipal({ name: 'Jane Doe', email: null }), 'Jane Doe');
  for (const bad of ['', '<jane@example.org>', 'Jane <not-an-address>', 'Jane <a b@c>', 'Jane <jane@example.org> extra', 'Jane "JD" Doe', 'Jane\nDoe', 'Jane <x@y', 'Jane > Doe']) {
    assert.throws(() => parseExaminerName(bad), ExaminerKeyError, JSON.stringify(bad));
  }
  // A UsageError, so the CLI turns it into exit 2 with one line.
  assert.ok(new ExaminerKeyError('x') instanceof UsageError);
});

test('the key file round-trips with the default scrypt cost (2^17, 8, 1)', async () => {
  const key = generateExaminerKey(JANE);
  const text = await encryptExaminerKey(key, 'correct horse battery staple');
  const j = JSON.parse(text);
  assert.equal(j.format, 'sealcheck-examiner-key');
  assert.equal(j.version, 1);
  assert.deepEqual({ N: j.kdf.N, r: j.kdf.r, p: j.kdf.p }, DEFAULT_SCRYPT);
  assert.equal(j.kdf.N, 131072);
  assert.equal(j.cipher.name, 'aes-256-gcm');
  assert.equal(j.name, 'Jane Doe');
  assert.equal(j.email, 'jane@example.org');
  assert.equal(j.publicKey, toBase64(key.publicKey));
  assert.equal(j.fingerprints.sha256, sha256Fingerprint(key.publicKey));
  const back = await decryptExaminerKey(text, 'correct horse battery staple');
  assert.deepEqual(back.seed, key.seed);
  assert.deepEqual(back.publicKey, key.publicKey);
  assert.deepEqual(back.identity, JANE);
  // What is in clear can be read without the passphrase.
  const info = readKeyFileInfo(text);
  assert.deepEqual(info.publicKey, key.publicKey);
  assert.deepEqual(info.identity, JANE);
});

test('encryption is randomized (salt, nonce) and the passphrase is NFC-normalized', async () => {
  const key = generateExaminerKey({ name: 'Jane Doe', email: null });
  const a = await encryptExaminerKey(key, 'pässword', FAST);
  const b = await encryptExaminerKey(key, 'pässword', FAST);
  assert.notEqual(JSON.parse(a).encryptedSeed, JSON.parse(b).encryptedSeed);
  assert.notEqual(JSON.parse(a).kdf.salt, JSON.parse(b).kdf.salt);
  // "ä" typed as a + combining diaeresis (NFD) is the same passphrase.
  assert.deepEqual((await decryptExaminerKey(a, 'pa\u0308ssword')).seed, key.seed);
  assert.equal(JSON.parse(a).email, null);
});

test('a wrong passphrase is refused with a clear error', async () => {
  const key = generateExaminerKey(JANE);
  const text = await encryptExaminerKey(key, 'right passphrase', FAST);
  for (const wrong of ['wrong passphrase', 'right passphrase ', 'Right passphrase', '']) {
    await assert.rejects(decryptExaminerKey(text, wrong, 'jane.key'), (e: Error) => e instanceof ExaminerKeyError && e.message === 'examiner key jane.key: wrong passphrase');
  }
});

test('a tampered key file is refused, and says what is wrong', async () => {
  const key = generateExaminerKey(JANE);
  const other = generateExaminerKey(JANE);
  const text = await encryptExaminerKey(key, 'pw-123456', FAST);
  const edit = (f: (j: any) => void) => {
    const j = JSON.parse(text);
    f(j);
    return JSON.stringify(j, null, 2);
  };
  const flip = (b64: string, i: number) => {
    const b = Buffer.from(b64, 'base64');
    b[i]! ^= 0x01;
    return b.toString('base64');
  };
  const cases: [string, string, RegExp][] = [
    ['ciphertext', edit((j) => (j.encryptedSeed = flip(j.encryptedSeed, 3))), /passphrase is right but the file was altered/],
    ['tag', edit((j) => (j.encryptedSeed = flip(j.encryptedSeed, 40))), /file was altered/],
    ['nonce', edit((j) => (j.cipher.nonce = flip(j.cipher.nonce, 0))), /file was altered/],
    ['name', edit((j) => (j.name = 'John Doe')), /file was altered/],
    ['email', edit((j) => (j.email = 'john@example.org')), /file was altered/],
    ['created', edit((j) => (j.created = '2020-01-01T00:00:00.000Z')), /file was altered/],
    // The public key swapped for another one, fingerprints updated to match: only the AEAD can tell.
    ['public key', edit((j) => {
      j.publicKey = toBase64(other.publicKey);
      j.fingerprints = { sha256: sha256Fingerprint(other.publicKey), openssh: opensshFingerprint(other.publicKey) };
    }), /file was altered/],
    ['public key alone', edit((j) => (j.publicKey = toBase64(other.publicKey))), /fingerprints do not match/],
    ['fingerprint', edit((j) => (j.fingerprints.openssh = 'SHA256:x')), /fingerprints do not match/],
    // Parameters feed the key derivation, so the check value no longer matches.
    ['salt', edit((j) => (j.kdf.salt = flip(j.kdf.salt, 5))), /wrong passphrase/],
    ['r', edit((j) => (j.kdf.r = 9)), /wrong passphrase/],
    ['passphrase check', edit((j) => (j.passphraseCheck = flip(j.passphraseCheck, 0))), /wrong passphrase/],
    ['N too large', edit((j) => (j.kdf.N = 2 ** 30)), /above the maximum/],
    ['N not a power of two', edit((j) => (j.kdf.N = 100000)), /not a power of two/],
    ['version', edit((j) => (j.version = 2)), /version 2 is not supported/],
    ['format', edit((j) => (j.format = 'something')), /not an examiner key file/],
    ['extra field', edit((j) => (j.seed = 'x')), /unknown field "seed"/],
    ['cipher', edit((j) => (j.cipher.name = 'aes-128-gcm')), /not aes-256-gcm/],
    ['short ciphertext', edit((j) => (j.encryptedSeed = j.encryptedSeed.slice(0, 40))), /encryptedSeed/],
    ['bad base64', edit((j) => (j.kdf.salt = '!!!!')), /not canonical base64/],
    ['truncated', text.slice(0, text.length / 2), /not JSON/],
    ['log key', 'PRIVATE+KEY+x+00000000+AQ==\n', /log or cosigner signer key/],
  ];
  for (const [what, bad, message] of cases) {
    await assert.rejects(decryptExaminerKey(bad, 'pw-123456', 'k.key'), (e: Error) => {
      assert.ok(e instanceof ExaminerKeyError, `${what}: ${e}`);
      assert.match(e.message, message, what);
      assert.match(e.message, /^examiner key k\.key: /, what);
      return true;
    });
  }
  // The untouched file still opens.
  assert.deepEqual((await decryptExaminerKey(text, 'pw-123456')).seed, key.seed);
});

test('the key file never holds the seed in clear: not raw, hex, base64 or as a PKCS#8 body', async () => {
  for (let round = 0; round < 8; round++) {
    const key = generateExaminerKey(JANE);
    const text = await encryptExaminerKey(key, 'pw-123456', FAST);
    const bytes = Buffer.from(text, 'utf8');
    const seed = Buffer.from(key.seed);
    const needles: string[] = [toHex(seed), toHex(seed).toUpperCase(), seed.toString('base64url')];
    // Base64 of the seed at each of the three alignments it can have inside a longer encoding.
    for (let shift = 0; shift < 3; shift++) {
      const b64 = Buffer.concat([Buffer.alloc(shift), seed]).toString('base64');
      needles.push(b64.slice(Math.ceil((shift * 4) / 3) + 1, -4));
    }
    needles.push(Buffer.concat([Buffer.from('302e020100300506032b657004220420', 'hex'), seed]).toString('base64').slice(0, 60));
    for (const n of needles) assert.equal(text.includes(n), false, `seed found as ${n}`);
    // The search itself works: a seed embedded in base64 at any offset, or in hex, is found.
    for (let pre = 0; pre < 3; pre++) {
      const leak = Buffer.concat([crypto.randomBytes(pre + 5), seed]).toString('base64');
      assert.ok(needles.some((n) => leak.includes(n)), `control, offset ${pre}`);
    }
    // Any 8-byte run of the seed, raw.
    for (let i = 0; i + 8 <= 32; i++) assert.equal(bytes.includes(seed.subarray(i, i + 8)), false, `seed bytes ${i}..${i + 8} found`);
    // And the passphrase is not there either.
    assert.equal(text.includes('pw-123456'), false);
  }
});

test('writeExaminerKeyFiles: 0600 key, PEM and OpenSSH public keys, refuses to overwrite any of the three', async () => {
  const key = generateExaminerKey(JANE);
  const prefix = join(dir, 'jane');
  const paths = await writeExaminerKeyFiles(prefix, key, 'pw-123456', FAST);
  assert.deepEqual(paths, { key: `${prefix}.key`, pub: `${prefix}.pub`, sshPub: `${prefix}.ssh.pub` });
  assert.equal((await stat(paths.key)).mode & 0o777, 0o600);
  assert.deepEqual((await loadExaminerKey(paths.key, 'pw-123456')).seed, key.seed);

  const pem = await readFile(paths.pub, 'utf8');
  assert.match(pem, /^-----BEGIN PUBLIC KEY-----\n[A-Za-z0-9+/=]{60}\n-----END PUBLIC KEY-----\n$/);
  const spki = crypto.createPublicKey(pem).export({ format: 'der', type: 'spki' });
  assert.deepEqual(new Uint8Array(spki.subarray(12)), key.publicKey);
  assert.deepEqual(verifierKeyFromPem('jane', pem).publicKey, key.publicKey);

  const sshLine = await readFile(paths.sshPub, 'utf8');
  assert.match(sshLine, /^ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAI[A-Za-z0-9+/]{43} Jane Doe <jane@example\.org>\n$/);
  assert.deepEqual(parseSshPublicKeyLine(sshLine), { publicKey: key.publicKey, comment: 'Jane Doe <jane@example.org>' });

  // Refused, whichever of the three already exists, and nothing else is left behind.
  await assert.rejects(writeExaminerKeyFiles(prefix, generateExaminerKey(JANE), 'pw-123456', FAST), /jane\.key already exists; not overwriting a key/);
  for (const existing of ['pub', 'ssh.pub']) {
    const p2 = join(dir, `only-${existing}`);
    await writeFile(`${p2}.${existing}`, 'x');
    await assert.rejects(writeExaminerKeyFiles(p2, generateExaminerKey(JANE), 'pw-123456', FAST), /already exists/);
    assert.equal(existsSync(`${p2}.key`), false);
  }
  assert.deepEqual((await loadExaminerKey(paths.key, 'pw-123456')).seed, key.seed, 'the first key is intact');
  await assert.rejects(loadExaminerKey(join(dir, 'missing.key'), 'x'), /cannot read examiner key .*: no such file/);
  await assert.rejects(encryptExaminerKey(key, '', FAST), /empty passphrase/);
  await assert.rejects(encryptExaminerKey(key, 'pw', { scrypt: { N: 2 ** 10, r: 8, p: 1 } }), /below the minimum/);
});

test('fingerprints: SHA-256 of the raw key, and the OpenSSH one equals `ssh-keygen -lf`', async () => {
  for (let i = 0; i < 4; i++) {
    const key = generateExaminerKey(i % 2 ? JANE : { name: 'Examiner Two', email: null });
    const file = join(dir, `fp${i}.pub`);
    await writeFile(file, `${sshPublicKeyLine(key.publicKey, formatExaminerName(key.identity))}\n`);
    const r = sshKeygen(['-lf', file]);
    assert.equal(r.code, 0, r.err);
    assert.equal(r.out, `256 ${opensshFingerprint(key.publicKey)} ${formatExaminerName(key.identity)} (ED25519)\n`);
    if (i === 0) console.log(`ssh-keygen -lf: ${r.out.trim()}`);
    assert.equal(sha256Fingerprint(key.publicKey), crypto.hash('sha256', key.publicKey, 'hex'));
  }
  // And an ssh-keygen-made key line parses to the same fingerprint ssh-keygen gives it.
  const kf = join(dir, 'made-by-ssh-keygen');
  assert.equal(sshKeygen(['-q', '-t', 'ed25519', '-N', '', '-C', 'someone@example.org', '-f', kf]).code, 0);
  const line = await readFile(`${kf}.pub`, 'utf8');
  const { publicKey } = parseSshPublicKeyLine(line);
  assert.equal(sshKeygen(['-lf', `${kf}.pub`]).out.split(' ')[1], opensshFingerprint(publicKey));
  assert.equal(`${sshPublicKeyLine(publicKey, 'someone@example.org')}\n`, line);
});

test('PKCS#8 import: v1 (openssl) and v2 (with public key) Ed25519 keys; other keys refused', async () => {
  const { privateKey, publicKey } = crypto.generateKeyPairSync('ed25519');
  const pem = privateKey.export({ format: 'pem', type: 'pkcs8' }) as string;
  const raw = new Uint8Array(publicKey.export({ format: 'der', type: 'spki' }).subarray(12));
  const key = importPkcs8ExaminerKey(pem, JANE);
  assert.deepEqual(key.publicKey, raw);
  assert.deepEqual(key.identity, JANE);
  // RFC 8410 §7 OneAsymmetricKey v2: version 1 and the public key in [1].
  const seed = key.seed;
  const v2 = Buffer.concat([Buffer.from('3051020101300506032b657004220420', 'hex'), seed, Buffer.from('812100', 'hex'), raw]);
  assert.deepEqual(importPkcs8ExaminerKey(pkcs8Pem(v2), JANE).seed, seed);
  const otherPublic = generateExaminerKey(JANE).publicKey;
  const v2wrong = Buffer.concat([Buffer.from('3051020101300506032b657004220420', 'hex'), seed, Buffer.from('812100', 'hex'), otherPublic]);
  assert.throws(() => importPkcs8ExaminerKey(pkcs8Pem(v2wrong), JANE), /its public key does not belong to its private key/);
  // RFC 8410 §10.3's example: v2, with an attribute and the public key.
  const rfc = importPkcs8ExaminerKey(RFC8410_EXAMPLE, JANE);
  assert.equal(toHex(rfc.seed), 'd4ee72dbf913584ad5b6d8f1f769f8ad3afe7c28cbf1d4fbe097a88f44755842');
  assert.equal(toHex(rfc.publicKey), '19bf44096984cdfe8541bac167dc3b96c85086aa30b6b6cb0c5c38ad703166e1');
  // Re-saved encrypted: the imported key signs as the original.
  const text = await encryptExaminerKey(key, 'pw-123456', FAST);
  const back = await decryptExaminerKey(text, 'pw-123456');
  const msg = Buffer.from('attestation');
  assert.ok(crypto.verify(null, msg, publicKey, nodeEd25519.sign(back.seed, msg)));

  const rsa = crypto.generateKeyPairSync('rsa', { modulusLength: 1024 }).privateKey.export({ format: 'pem', type: 'pkcs8' }) as string;
  assert.throws(() => importPkcs8ExaminerKey(rsa, JANE, 'rsa.pem'), /rsa\.pem is an RSA key, not Ed25519/);
  const encrypted = privateKey.export({ format: 'pem', type: 'pkcs8', cipher: 'aes-256-cbc', passphrase: 'x' }) as string;
  assert.throws(() => importPkcs8ExaminerKey(encrypted, JANE), /encrypted PKCS#8 key; give the unencrypted PEM/);
  assert.throws(() => importPkcs8ExaminerKey('-----BEGIN OPENSSH PRIVATE KEY-----\nAAAA\n-----END OPENSSH PRIVATE KEY-----\n', JANE), /OpenSSH private key/);
  assert.throws(() => importPkcs8ExaminerKey(publicKey.export({ format: 'pem', type: 'spki' }) as string, JANE), /not a PEM PRIVATE KEY/);
  assert.throws(() => importPkcs8ExaminerKey('-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n', JANE), /not a readable PKCS#8 key/);
  const ec = crypto.generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ format: 'pem', type: 'pkcs8' }) as string;
  assert.throws(() => importPkcs8ExaminerKey(ec, JANE), /is an EC \(ECDSA\) key, not Ed25519/);
  const truncated = pkcs8Pem(v2.subarray(0, 40));
  assert.throws(() => importPkcs8ExaminerKey(truncated, JANE), /not a readable PKCS#8 key: malformed DER/);
});

test('passphrase: first line of --passphrase-file, else SEALCHECK_PASSPHRASE, else a clear refusal', async () => {
  const f = join(dir, 'pass.txt');
  await writeFile(f, 'first line  \nsecond line\n');
  assert.equal(await resolvePassphrase({ passphraseFile: f, env: {} }), 'first line  ');
  await writeFile(f, 'crlf line\r\nrest');
  assert.equal(await resolvePassphrase({ passphraseFile: f, env: {} }), 'crlf line');
  await writeFile(f, 'no newline');
  assert.equal(await resolvePassphrase({ passphraseFile: f, env: { [PASSPHRASE_ENV]: 'from env' } }), 'no newline', 'the file wins');
  assert.equal(await resolvePassphrase({ env: { [PASSPHRASE_ENV]: 'from env' } }), 'from env');
  await assert.rejects(resolvePassphrase({ env: {} }), /no passphrase for the examiner key: give --passphrase-file FILE or set SEALCHECK_PASSPHRASE/);
  await assert.rejects(resolvePassphrase({ env: { [PASSPHRASE_ENV]: '' } }), /SEALCHECK_PASSPHRASE is set but empty/);
  await writeFile(f, '\nsecond');
  await assert.rejects(resolvePassphrase({ passphraseFile: f, env: {} }), /empty first line/);
  await assert.rejects(resolvePassphrase({ passphraseFile: join(dir, 'nope'), env: {} }), /cannot read passphrase file .*nope: no such file/);
});

// ---------------------------------------------------------------------------------------------
// The CLI, called in-process (the tests of the built bundle live in test/unit/cli).

async function cli(args: string[], env: Record<string, string | undefined> = {}) {
  const saved = process.env[PASSPHRASE_ENV];
  if (PASSPHRASE_ENV in env) {
    if (env[PASSPHRASE_ENV] === undefined) delete process.env[PASSPHRASE_ENV];
    else process.env[PASSPHRASE_ENV] = env[PASSPHRASE_ENV];
  } else delete process.env[PASSPHRASE_ENV];
  let out = '';
  let err = '';
  try {
    const code = await main(args, { stdout: (s) => (out += s), stderr: (s) => (err += s), stderrIsTty: false });
    return { code, out, err };
  } finally {
    if (saved === undefined) delete process.env[PASSPHRASE_ENV];
    else process.env[PASSPHRASE_ENV] = saved;
  }
}

function usage(r: { code: number; err: string }, message: RegExp) {
  assert.equal(r.code, 2, r.err);
  assert.match(r.err, /^sealcheck: [^\n]+\n$/);
  assert.match(r.err, message);
}

test('CLI keygen --examiner: three files, both fingerprints printed, equal to ssh-keygen -lf', async () => {
  const pass = join(dir, 'cli-pass');
  await writeFile(pass, 'cli passphrase\n');
  const prefix = join(dir, 'cli-jane');
  const r = await cli(['keygen', '--examiner', '--name', 'Jane Doe <jane@example.org>', '--out', prefix, '--passphrase-file', pass]);
  assert.equal(r.code, 0, r.err);
  const key = await loadExaminerKey(`${prefix}.key`, 'cli passphrase');
  assert.deepEqual(key.identity, JANE);
  assert.equal((await stat(`${prefix}.key`)).mode & 0o777, 0o600);
  assert.match(r.out, /^examiner key Jane Doe <jane@example\.org>\n/);
  assert.ok(r.out.includes(`  public key SHA-256: ${sha256Fingerprint(key.publicKey)}\n`), r.out);
  const ssh = sshKeygen(['-lf', `${prefix}.ssh.pub`]);
  assert.ok(r.out.includes(`  OpenSSH fingerprint: ${ssh.out.split(' ')[1]}\n`), `${r.out}\n${ssh.out}`);
  console.log(`ssh-keygen -lf ${prefix}.ssh.pub: ${ssh.out.trim()}`);

  usage(await cli(['keygen', '--examiner', '--name', 'Jane Doe <jane@example.org>', '--out', prefix, '--passphrase-file', pass]), /cli-jane\.key already exists; not overwriting a key/);
  usage(await cli(['keygen', '--examiner', '--name', 'Jane Doe <jane@example.org>', '--out', join(dir, 'cli-none')]), /no passphrase for the examiner key/);
  assert.equal(existsSync(join(dir, 'cli-none.key')), false);
  usage(await cli(['keygen', '--examiner', '--name', 'Jane <oops', '--out', join(dir, 'cli-x'), '--passphrase-file', pass]), /is not NAME <EMAIL>/);
  usage(await cli(['keygen', '--examiner', '--cosigner', '--name', 'Jane', '--out', join(dir, 'cli-x'), '--passphrase-file', pass]), /--examiner and --cosigner exclude each other/);
  usage(await cli(['keygen', '--name', 'log.example', '--out', join(dir, 'cli-x'), '--passphrase-file', pass]), /--passphrase-file is only for --examiner keys/);
  usage(await cli(['keygen', '--examiner', '--out', join(dir, 'cli-x'), '--passphrase-file', pass]), /--name is required/);
});

test('CLI keygen --examiner --import-pkcs8, passphrase from SEALCHECK_PASSPHRASE', async () => {
  const { privateKey, publicKey } = crypto.generateKeyPairSync('ed25519');
  const pemFile = join(dir, 'import.pem');
  await writeFile(pemFile, privateKey.export({ format: 'pem', type: 'pkcs8' }) as string);
  const prefix = join(dir, 'cli-imported');
  const r = await cli(['keygen', '--examiner', '--name', 'Imported Examiner', '--out', prefix, '--import-pkcs8', pemFile], { [PASSPHRASE_ENV]: 'env passphrase' });
  assert.equal(r.code, 0, r.err);
  assert.match(r.out, /^examiner key Imported Examiner \(imported from .*import\.pem\)\n/);
  const key: ExaminerKey = await loadExaminerKey(`${prefix}.key`, 'env passphrase');
  assert.deepEqual(key.publicKey, new Uint8Array(publicKey.export({ format: 'der', type: 'spki' }).subarray(12)));
  assert.equal(await readFile(`${prefix}.pub`, 'utf8'), publicKey.export({ format: 'pem', type: 'spki' }));
  usage(await cli(['keygen', '--examiner', '--name', 'X', '--out', join(dir, 'cli-y'), '--import-pkcs8', join(dir, 'nope.pem')], { [PASSPHRASE_ENV]: 'p' }), /cannot read --import-pkcs8 .*: no such file/);
  usage(await cli(['keygen', '--name', 'x', '--out', join(dir, 'cli-y'), '--import-pkcs8', pemFile]), /--import-pkcs8 is only for --examiner keys/);
});

test('CLI keygen without --examiner still writes the log/cosigner key strings', async () => {
  const r = await cli(['keygen', '--name', 'prod.example/audit', '--out', join(dir, 'log')]);
  assert.equal(r.code, 0, r.err);
  assert.match(await readFile(join(dir, 'log.key'), 'utf8'), /^PRIVATE\+KEY\+prod\.example\/audit\+[0-9a-f]{8}\+A[A-Za-z0-9+/]{43}\n$/);
  assert.match(r.out, /^log key prod\.example\/audit\+[0-9a-f]{8}\n/);
  const w = await cli(['keygen', '--name', 'witness.example/w1', '--out', join(dir, 'w1'), '--cosigner']);
  assert.equal(w.code, 0, w.err);
  assert.match(await readFile(join(dir, 'w1.pub'), 'utf8'), /^witness\.example\/w1\+[0-9a-f]{8}\+B/);
});

test('organisation and qualifications are kept with the key, bound by the AEAD; older files without them still read', async () => {
  const key = generateExaminerKey({ ...JANE, organisation: 'Doe Forensics Ltd', qualifications: 'GCFA; 12 years of practice' });
  const text = await encryptExaminerKey(key, 'pw-123456', FAST);
  const j = JSON.parse(text);
  assert.deepEqual([j.organisation, j.qualifications], ['Doe Forensics Ltd', 'GCFA; 12 years of practice']);
  const back = await decryptExaminerKey(text, 'pw-123456');
  assert.deepEqual([back.identity.organisation, back.identity.qualifications], ['Doe Forensics Ltd', 'GCFA; 12 years of practice']);
  for (const [field, value] of [['organisation', 'Someone Else Inc'], ['qualifications', 'none']] as const) {
    const edited = JSON.stringify({ ...j, [field]: value }, null, 2);
    await assert.rejects(decryptExaminerKey(edited, 'pw-123456'), /the passphrase is right but the file was altered/, field);
  }
  // Removing both is detected too: the additional data then lacks them.
  const { organisation: _o, qualifications: _q, ...without } = j;
  await assert.rejects(decryptExaminerKey(JSON.stringify(without), 'pw-123456'), /file was altered/);
  // A file written without them (as before they existed) reads, with neither set.
  const plain = await decryptExaminerKey(await encryptExaminerKey(generateExaminerKey(JANE), 'pw-123456', FAST), 'pw-123456');
  assert.equal(plain.identity.organisation, undefined);
  assert.throws(() => checkProfileText('two\nlines', 'organisation'), /organisation contains a control character/);
});
