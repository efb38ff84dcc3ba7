// sealcheck timestamp against a real RFC 3161 TSA on loopback (openssl ts -reply), checked by verify-attestation, openssl ts -verify and qpdf.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { cp, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const ROOT = new URL('../../../../', import.meta.url).pathname;
const SAMPLES = join(ROOT, 'resources/samples');
const TSA_NAME = 'CN=Loopback Test TSA, O=Loopback Time';
const TS_CHECK = 'document time-stamp (RFC 3161)';
let dir = '';
let server: http.Server;
let base = '';
let replies: string[] = [];

function ensure(command: string, pkg: string) {
  if (spawnSync('sh', ['-c', `command -v ${command}`]).status !== 0) {
    const r = spawnSync('sh', ['-c', `apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq ${pkg}`], { stdio: 'inherit' });
    assert.equal(r.status, 0, `installing ${pkg}`);
  }
}

/** The CLI in a child process, without blocking this process: the TSA answering it runs here. */
function sealcheck(args: string[]): Promise<{ code: number | null; out: string; err: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [join(ROOT, 'electron/cli/sealcheck.mjs'), ...args], { cwd: dir });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (err += d));
    child.on('close', (code) => resolve({ code, out, err }));
  });
}

function sh(command: string, args: string[]) {
  const r = spawnSync(command, args, { cwd: dir, encoding: 'utf8' });
  assert.equal(r.status, 0, `${command} ${args.join(' ')}: ${r.stderr}`);
  return r.stdout + r.stderr;
}

const TSA_CNF = (digests: string, signer = 'tsa', essCertIdAlg = 'sha256') => `[ tsa ]
default_tsa = tsa_config
[ tsa_config ]
dir = .
serial = ./tsaserial
signer_cert = ./${signer}.pem
certs = ./${signer}.pem
signer_key = ./${signer}.key
signer_digest = sha256
default_policy = 1.3.6.1.4.1.99999.1
digests = ${digests}
accuracy = secs:1
ordering = no
tsa_name = yes
ess_cert_id_chain = no
ess_cert_id_alg = ${essCertIdAlg}
`;

/** openssl ts -reply for each query; other paths misbehave the ways a TSA can. */
function handle(req: http.IncomingMessage, res: http.ServerResponse, body: Buffer) {
  const path = req.url ?? '/';
  if (path === '/http500') {
    res.writeHead(500).end('down');
    return;
  }
  if (path === '/garbage') {
    res.writeHead(200, { 'Content-Type': 'text/html' }).end('<html>hello</html>');
    return;
  }
  if (path === '/huge') {
    res.writeHead(200, { 'Content-Type': 'application/timestamp-reply' });
    for (let i = 0; i < 100; i++) res.write(Buffer.alloc(1024, 0x30));
    res.end();
    return;
  }
  if (path === '/replay') {
    readFile(replies[0]!).then((r) => res.writeHead(200, { 'Content-Type': 'application/timestamp-reply' }).end(r));
    return;
  }
  const n = replies.length + 1;
  const query = join(dir, `q${n}.tsq`);
  const reply = join(dir, `r${n}.tsr`);
  spawnSync('sh', ['-c', `cat > ${query}`], { input: body });
  const r = spawnSync('openssl', ['ts', '-reply', '-config', path === '/reject' ? 'reject.cnf' : path === '/ec' ? 'ec.cnf' : 'tsa.cnf', '-queryfile', query, '-out', reply], { cwd: dir });
  if (r.status !== 0) {
    res.writeHead(500).end();
    return;
  }
  replies.push(reply);
  readFile(reply).then((bytes) => res.writeHead(200, { 'Content-Type': 'application/timestamp-reply' }).end(bytes));
}

before(async () => {
  ensure('qpdf', 'qpdf');
  ensure('pdfsig', 'poppler-utils');
  ensure('openssl', 'openssl');
  assert.equal(spawnSync(process.execPath, [join(ROOT, 'scripts/build.mjs')]).status, 0);
  dir = await mkdtemp(join(tmpdir(), 'sealcheck-timestamp-'));
  await writeFile(join(dir, 'pass.txt'), 'a long examiner passphrase\n');
  for (const args of [
    ['keygen', '--name', 'prod.example/audit', '--out', 'log'],
    ['keygen', '--examiner', '--name', 'Ada Examiner <ada@example.org>', '--out', 'ada', '--passphrase-file', 'pass.txt'],
    ['seal', '--key', 'log.key', '--origin', 'prod.example/audit', '--out', 'audit.tar.gz', '--checkpoint-every', '500', join(SAMPLES, 'immudb-log-audit_k8s.jsonl')],
    ['attest', 'audit.tar.gz', '--trust', 'log.pub', '--examiner-key', 'ada.key', '--passphrase-file', 'pass.txt', '--case', 'CASE-2026-017', '--examiner', 'Ada Examiner', '--out', 'REPORT.pdf'],
  ]) {
    const r = await sealcheck(args);
    assert.equal(r.code, 0, `${args.join(' ')}: ${r.err}`);
  }
  // A small PKI: a root, a TSA certificate with the critical timeStamping purpose RFC 3161 §2.3 wants, and an unrelated root.
  await writeFile(join(dir, 'tsa.cnf'), TSA_CNF('sha256, sha512'));
  await writeFile(join(dir, 'reject.cnf'), TSA_CNF('sha384'));
  // An ECDSA P-256 TSA whose token names its certificate with the older ESSCertID (SHA-1, RFC 2634).
  await writeFile(join(dir, 'ec.cnf'), TSA_CNF('sha256, sha512', 'tsa-ec', 'sha1'));
  await writeFile(join(dir, 'tsaserial'), '01\n');
  await writeFile(join(dir, 'tsa.ext'), 'basicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=critical,timeStamping\n');
  sh('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'ca.key', '-out', 'ca.pem', '-days', '3650', '-subj', '/O=Loopback Time/CN=Loopback Test Root CA', '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign']);
  sh('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'other.key', '-out', 'other-ca.pem', '-days', '3650', '-subj', '/O=Elsewhere/CN=Other Root CA']);
  sh('openssl', ['req', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'tsa.key', '-out', 'tsa.csr', '-subj', '/O=Loopback Time/CN=Loopback Test TSA']);
  sh('openssl', ['x509', '-req', '-in', 'tsa.csr', '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial', '-out', 'tsa.pem', '-days', '3650', '-extfile', 'tsa.ext']);
  sh('openssl', ['req', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', 'tsa-ec.key', '-out', 'tsa-ec.csr', '-subj', '/O=Loopback Time/CN=Loopback EC TSA']);
  sh('openssl', ['x509', '-req', '-in', 'tsa-ec.csr', '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial', '-out', 'tsa-ec.pem', '-days', '3650', '-extfile', 'tsa.ext']);
  server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => handle(req, res, Buffer.concat(chunks)));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  // The report verified alone (no sidecars beside it): what the time-stamped copy must still show.
  await mkdir(join(dir, 'plain'));
  await cp(join(dir, 'REPORT.pdf'), join(dir, 'plain/REPORT.pdf'));
  const plain = await sealcheck(['verify-attestation', 'plain/REPORT.pdf', '--examiner', 'ada.pub', '--json']);
  baseline = (JSON.parse(plain.out) as Verification).checks;
  // The examiner's signature and statement: what a time-stamp must leave intact.
  assert.deepEqual(baseline.slice(0, 2).map((c) => [c.name, c.ok]), [['PDF signature (PAdES, Ed25519)', true], ['embedded statement (DSSE)', true]]);
});
after(async () => {
  server?.close();
  await rm(dir, { recursive: true, force: true });
});

type Check = { name: string; ok: boolean; detail: string };
type Verification = { valid: boolean; checks: Check[]; timestamp?: Record<string, string | null> | null };
/** verify-attestation of the report as signed, with no sidecars beside it: what every time-stamped copy is compared with. */
let baseline: Check[] = [];

/**
 * verify-attestation --json, and the checks that differ from the baseline's. The exit code must
 * follow them: 0 only when the baseline passes and so does every check beyond it.
 */
async function verifyJson(pdf: string, ...extra: string[]) {
  const r = await sealcheck(['verify-attestation', pdf, '--examiner', 'ada.pub', '--json', ...extra]);
  const v = JSON.parse(r.out) as Verification;
  const beyond = v.checks.filter((c) => !baseline.some((b) => b.name === c.name && b.ok === c.ok && b.detail === c.detail));
  assert.equal(r.code, baseline.every((c) => c.ok) && beyond.every((c) => c.ok) ? 0 : 1, r.out + r.err);
  return { v, beyond, failed: beyond.filter((c) => !c.ok).map((c) => [c.name, c.detail]) };
}

/** What openssl itself reads in a reply: genTime, TSA, serial, nonce. */
function opensslReply(reply: string) {
  const text = sh('openssl', ['ts', '-reply', '-in', reply, '-text']);
  const field = (name: string) => new RegExp(`^${name}: (.*)$`, 'm').exec(text)?.[1];
  return {
    genTime: new Date(`${field('Time stamp')!}`).toISOString().replace('.000Z', 'Z'),
    tsa: field('TSA'),
    serial: field('Serial number'),
    nonce: field('Nonce'),
  };
}

/** The time-stamp's ByteRange, token and covered bytes, read with nothing but a regex. */
function docTimeStamp(pdf: Buffer) {
  const text = pdf.toString('latin1');
  const at = text.lastIndexOf('/Type /DocTimeStamp');
  const m = /\/ByteRange \[(\d+) (\d+) (\d+) (\d+) *\]\n\/Contents <([0-9a-f]+)>/.exec(text.slice(at))!;
  const [a, b, c, d] = [m[1], m[2], m[3], m[4]].map(Number) as [number, number, number, number];
  return { range: [a, b, c, d], covered: Buffer.concat([pdf.subarray(a, b), pdf.subarray(c, c + d)]), contentsHex: m[5]! };
}

let stampedGenTime = '';

test('timestamp appends an RFC 3161 document time-stamp; verify-attestation, openssl ts -verify, qpdf and pdfsig agree', async () => {
  const original = await readFile(join(dir, 'REPORT.pdf'));
  const r = await sealcheck(['timestamp', 'REPORT.pdf', '--tsa', `${base}/tsa`]);
  assert.equal(r.code, 0, r.err);
  assert.equal(replies.length, 1);
  const fromOpenssl = opensslReply(replies[0]!);
  stampedGenTime = fromOpenssl.genTime;
  assert.equal(r.out.split('\n')[0], `time-stamped REPORT.pdf at ${fromOpenssl.genTime} by ${TSA_NAME}`);
  assert.equal(fromOpenssl.tsa, 'DirName:/O=Loopback Time/CN=Loopback Test TSA');
  const stamped = await readFile(join(dir, 'timestamped/REPORT.pdf'));
  assert.match(r.out, new RegExp(`written: {3}timestamped/REPORT\\.pdf \\(${stamped.length} bytes; its first ${original.length} bytes are REPORT\\.pdf, unchanged\\)`));
  // The signed report is untouched, and is the first revision of the copy byte for byte.
  assert.deepEqual(await readFile(join(dir, 'REPORT.pdf')), original);
  assert.deepEqual(stamped.subarray(0, original.length), original);

  const v = await verifyJson('timestamped/REPORT.pdf', '--tsa-cert', 'ca.pem');
  // Every check of the report as signed comes out exactly as before (the examiner's PAdES signature included), plus the time-stamp.
  assert.deepEqual(v.v.checks.map((c) => c.name), [...baseline.map((c) => c.name), TS_CHECK]);
  assert.deepEqual(v.beyond.map((c) => [c.name, c.ok]), [[TS_CHECK, true]]);
  const ts = v.beyond[0]!;
  const tsaSha256 = createHash('sha256').update(spawnSync('openssl', ['x509', '-in', join(dir, 'tsa.pem'), '-outform', 'DER']).stdout).digest('hex');
  assert.equal(ts.detail, `time-stamped at ${fromOpenssl.genTime} by ${TSA_NAME} (token serial ${fromOpenssl.serial!.toLowerCase()}, policy 1.3.6.1.4.1.99999.1); `
    + `the SHA-256 imprint covers all ${stamped.length} bytes but the token, and the examiner-signed report is the first ${original.length} bytes, unchanged; `
    + `TSA certificate SHA-256 ${tsaSha256}; the TSA certificate is issued by CN=Loopback Test Root CA, O=Loopback Time, given with --tsa-cert`);
  assert.equal(v.v.timestamp!.genTime, fromOpenssl.genTime);
  assert.equal(v.v.timestamp!.tsa, TSA_NAME);
  assert.equal(BigInt(v.v.timestamp!.nonce!), BigInt(fromOpenssl.nonce!));

  // openssl checks the same token over the same bytes on its own.
  const dts = docTimeStamp(stamped);
  assert.deepEqual(dts.range, [0, original.length + stamped.subarray(original.length).indexOf('/Contents <') + '/Contents '.length, dts.range[2], stamped.length - dts.range[2]!]);
  await writeFile(join(dir, 'covered.bin'), dts.covered);
  const tokenLength = (() => {
    const raw = Buffer.from(dts.contentsHex, 'hex');
    return raw[1]! & 0x80 ? 2 + (raw[1]! & 0x7f) + raw.subarray(2, 2 + (raw[1]! & 0x7f)).reduce((n, x) => n * 256 + x, 0) : 2 + raw[1]!;
  })();
  await writeFile(join(dir, 'token.der'), Buffer.from(dts.contentsHex, 'hex').subarray(0, tokenLength));
  assert.match(sh('openssl', ['ts', '-verify', '-data', 'covered.bin', '-in', 'token.der', '-token_in', '-CAfile', 'ca.pem']), /Verification: OK/);
  const digest = createHash('sha256').update(dts.covered).digest('hex');
  assert.match(sh('openssl', ['ts', '-verify', '-digest', digest, '-in', 'token.der', '-token_in', '-CAfile', 'ca.pem']), /Verification: OK/);

  assert.match(sh('qpdf', ['--check', 'timestamped/REPORT.pdf']), /No syntax or stream encoding errors found/);
  const pdfsig = spawnSync('pdfsig', ['timestamped/REPORT.pdf'], { cwd: dir, encoding: 'utf8' }).stdout;
  assert.match(pdfsig, /Signature #2:\n {2}- Signature Field Name: DocumentTimestamp\n {2}- Signer Certificate Common Name: Loopback Test TSA\n/);
  assert.match(pdfsig, new RegExp(`Signed Ranges: \\[0 - ${dts.range[1]}\\], \\[${dts.range[2]} - ${stamped.length}\\]\n {2}- Total document signed`));
});

test('--tsa-cert pins the TSA: its own certificate or its issuer passes, another root fails; without it the check says so', async () => {
  const own = await verifyJson('timestamped/REPORT.pdf', '--tsa-cert', 'tsa.pem');
  assert.deepEqual(own.beyond.map((c) => [c.name, c.ok]), [[TS_CHECK, true]]);
  assert.match(own.beyond[0]!.detail, /; the TSA certificate is the one given with --tsa-cert$/);
  const other = await verifyJson('timestamped/REPORT.pdf', '--tsa-cert', 'other-ca.pem');
  assert.deepEqual(other.failed, [[TS_CHECK, `the TSA ${TSA_NAME} is neither the certificate given with --tsa-cert nor issued by it`]]);
  const unpinned = await verifyJson('timestamped/REPORT.pdf');
  assert.deepEqual(unpinned.beyond.map((c) => [c.name, c.ok]), [[TS_CHECK, true]]);
  assert.match(unpinned.beyond[0]!.detail, /; the TSA was not compared with a trusted certificate \(give --tsa-cert to require one\)$/);
  assert.equal(unpinned.v.timestamp!.pinned, null);
  // A report without a time-stamp: --tsa-cert asks for one that is not there.
  const none = await verifyJson('plain/REPORT.pdf', '--tsa-cert', 'ca.pem');
  assert.deepEqual(none.failed, [[TS_CHECK, '--tsa-cert was given but the report has no document time-stamp']]);
  assert.equal(none.v.timestamp, null);
});

test('a changed byte in the token, in the appended revision or in the signed report makes it invalid, with the reason', async () => {
  const stamped = await readFile(join(dir, 'timestamped/REPORT.pdf'));
  const original = await readFile(join(dir, 'REPORT.pdf'));
  const contentsAt = stamped.lastIndexOf('/Contents <') + '/Contents <'.length;
  const tokenHex = docTimeStamp(stamped).contentsHex.replace(/(00)+$/, '');
  const failures = async (bytes: Buffer) => {
    await mkdir(join(dir, 'bad'), { recursive: true });
    await writeFile(join(dir, 'bad/REPORT.pdf'), bytes);
    return (await verifyJson('bad/REPORT.pdf', '--tsa-cert', 'ca.pem')).failed;
  };
  const flipHex = (at: number) => {
    const bad = Buffer.from(stamped);
    bad[at] = bad[at] === 0x30 ? 0x31 : 0x30;
    return bad;
  };
  // The last byte of the token is in the TSA's signature value.
  assert.deepEqual(await failures(flipHex(contentsAt + tokenHex.length - 1)), [[TS_CHECK, `the TSA's signature does not verify with the certificate of ${TSA_NAME} in the token`]]);
  // genTime's last digit, inside the TSTInfo the TSA signed.
  const genTimeHex = Buffer.from(`${stampedGenTime.replace(/[-T:]/g, '').replace('Z', '')}Z`).toString('hex');
  const genAt = tokenHex.indexOf(genTimeHex);
  assert.ok(genAt > 0);
  assert.deepEqual(await failures(flipHex(contentsAt + genAt + genTimeHex.length - 3)), [[TS_CHECK, 'the signed messageDigest is not the hash of the TSTInfo: the token was altered after the TSA signed it']]);
  // Anything else in the appended revision: it must be exactly the time-stamp update.
  const widget = Buffer.from(stamped);
  const fAt = widget.indexOf('/F 132', original.length) + 5;
  widget[fAt] = 0x38; // /F 138: the widget no longer locked
  assert.deepEqual(await failures(widget), [[TS_CHECK, `the revision appended after the examiner's signature (from byte ${original.length}) is not only a document time-stamp: it differs from the update sealcheck timestamp writes at byte ${fAt}`]]);
  // A byte of the signed report: the examiner's signature and the time-stamp's imprint both fail.
  const report = Buffer.from(stamped);
  const middle = Math.floor(original.length / 2);
  report[middle] = report[middle]! ^ 0x01;
  const failed = await failures(report);
  assert.ok(failed.some(([name]) => name === 'PDF signature (PAdES, Ed25519)'), JSON.stringify(failed));
  assert.deepEqual(failed.find(([name]) => name === TS_CHECK), [TS_CHECK, "the token's messageImprint is not the SHA-256 of the time-stamped bytes: it time-stamps other data"]);
  // Bytes appended after the time-stamp are not part of either signature.
  const appended = await failures(Buffer.concat([stamped, Buffer.from('%junk\n')]));
  assert.ok(appended.some(([name]) => name === 'PDF signature (PAdES, Ed25519)'), JSON.stringify(appended));
  assert.equal(appended.find(([name]) => name === TS_CHECK)![1], 'the file does not end with a cross-reference table and %%EOF: bytes were appended after its last revision');
});

test('a refusal, a replayed reply, a broken or unreachable TSA: one sentence, the documented exit code, nothing written', async () => {
  await mkdir(join(dir, 'out'), { recursive: true });
  const attempt = async (url: string, ...extra: string[]) => {
    const r = await sealcheck(['timestamp', 'REPORT.pdf', '--tsa', url, '--out', 'out/REPORT.pdf', ...extra]);
    assert.equal(existsSync(join(dir, 'out/REPORT.pdf')), false);
    assert.equal(r.out, '');
    return [r.code, r.err];
  };
  assert.deepEqual(await attempt(`${base}/reject`), [1, `sealcheck: timestamp: the TSA at ${base}/reject refused the time-stamp request with status 2 (rejection), failInfo badAlg: "Message digest algorithm is not supported."; nothing was written.\n`]);
  const [code, err] = await attempt(`${base}/replay`);
  assert.equal(code, 1);
  assert.match(err as string, /^sealcheck: timestamp: the reply's nonce 0x[0-9a-f]+ does not match the nonce sent \(0x[0-9a-f]+\): not the answer to this request; nothing was written\.\n$/);
  assert.deepEqual(await attempt(`${base}/http500`), [4, `sealcheck: timestamp: the TSA at ${base}/http500 answered HTTP 500 Internal Server Error instead of a time-stamp reply; nothing was written.\n`]);
  assert.deepEqual(await attempt(`${base}/huge`), [4, `sealcheck: timestamp: the TSA at ${base}/huge sent more than the 65536 bytes a time-stamp reply can need; nothing was written.\n`]);
  const [garbageCode, garbage] = await attempt(`${base}/garbage`);
  assert.equal(garbageCode, 4);
  assert.match(garbage as string, new RegExp(`^sealcheck: timestamp: the TSA at ${base}/garbage did not send an RFC 3161 time-stamp reply \\(.+\\); nothing was written\\.\\n$`));
  const closed = http.createServer();
  await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
  const port = (closed.address() as AddressInfo).port;
  await new Promise((resolve) => closed.close(resolve));
  assert.deepEqual(await attempt(`http://127.0.0.1:${port}/`), [4, `sealcheck: timestamp: cannot reach the TSA at http://127.0.0.1:${port}/ (ECONNREFUSED); nothing was written.\n`]);
});

test('usage: not a signed report, already time-stamped, another file name, an existing output: exit 2', async () => {
  const usage = async (...args: string[]) => {
    const r = await sealcheck(['timestamp', ...args]);
    return [r.code, r.err];
  };
  assert.deepEqual(await usage('timestamped/REPORT.pdf', '--tsa', `${base}/tsa`, '--out', 'again/REPORT.pdf'), [2, 'sealcheck: timestamp: timestamped/REPORT.pdf already has a document time-stamp; time-stamp the report as signed instead\n']);
  assert.deepEqual(await usage('REPORT.pdf', '--tsa', `${base}/tsa`), [2, 'sealcheck: timestamp: timestamped/REPORT.pdf already exists; a report is never overwritten (give another --out)\n']);
  assert.deepEqual(await usage('REPORT.pdf', '--tsa', `${base}/tsa`, '--out', 'out/OTHER.pdf'), [2, "sealcheck: timestamp: --out out/OTHER.pdf: the time-stamped copy must keep the report's file name REPORT.pdf (its embedded statements are named after it); give another folder\n"]);
  await writeFile(join(dir, 'notes.pdf'), '%PDF-1.7\nnot signed\n');
  const [code, err] = await usage('notes.pdf', '--tsa', `${base}/tsa`);
  assert.equal(code, 2);
  assert.equal(err, 'sealcheck: timestamp: notes.pdf is not a signed report whose signature verifies (signature not found or malformed: the PDF has no signature (no /ByteRange))\n');
  assert.equal(replies.length, 2); // the first time-stamp and the refusal; nothing here reached the TSA
});

test('--hash sha512: a SHA-512 imprint, and verify-attestation reads it', async () => {
  const r = await sealcheck(['timestamp', 'REPORT.pdf', '--tsa', `${base}/tsa`, '--hash', 'sha512', '--out', 'sha512/REPORT.pdf']);
  assert.equal(r.code, 0, r.err);
  const stamped = await readFile(join(dir, 'sha512/REPORT.pdf'));
  const imprint = createHash('sha512').update(docTimeStamp(stamped).covered).digest('hex');
  assert.match(r.out, new RegExp(`SHA-512 imprint ${imprint}\n`));
  const v = await verifyJson('sha512/REPORT.pdf', '--tsa-cert', 'ca.pem');
  assert.deepEqual(v.beyond.map((c) => [c.name, c.ok]), [[TS_CHECK, true]]);
  assert.equal(v.v.timestamp!.hashAlgorithm, 'SHA-512');
  assert.equal(v.v.timestamp!.hashedMessage, imprint);
});

test('an ECDSA TSA with a SHA-1 ESSCertID: accepted, and named', async () => {
  const r = await sealcheck(['timestamp', 'REPORT.pdf', '--tsa', `${base}/ec`, '--out', 'ec/REPORT.pdf']);
  assert.equal(r.code, 0, r.err);
  const reply = replies.at(-1)!;
  assert.match(sh('openssl', ['ts', '-reply', '-in', reply, '-text']), /TSA: DirName:\/O=Loopback Time\/CN=Loopback EC TSA\n/);
  const v = await verifyJson('ec/REPORT.pdf', '--tsa-cert', 'ca.pem');
  assert.deepEqual(v.beyond.map((c) => [c.name, c.ok]), [[TS_CHECK, true]]);
  assert.equal(v.v.timestamp!.tsa, 'CN=Loopback EC TSA, O=Loopback Time');
  assert.equal(v.v.timestamp!.genTime, opensslReply(reply).genTime);
});
