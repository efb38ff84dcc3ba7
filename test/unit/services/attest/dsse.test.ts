// DSSE envelopes and in-toto statements: the spec's PAE test vector, round trips, refusals, and an independent check in Python.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { spawnSync } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sha256, sha512 } from '@noble/hashes/sha2.js';
import { toBase64, toHex, utf8 } from '../../../../shared/core/bytes.ts';
import { pemFromPublicKey } from '../../../../shared/core/keys.ts';
import { generateExaminerKey, parseExaminerName, sha256Fingerprint } from '../../../../electron/services/attest/examiner-key.node.ts';
import {
  IN_TOTO_PAYLOAD_TYPE, IN_TOTO_STATEMENT_V1, SEALCHECK_VERIFICATION_PREDICATE_V1, buildStatement, decodeDsseBase64, pae, parseStatement,
  serializeEnvelope, signEnvelope, statementPayload, subjectFromBytes, subjectFromFile, verifyEnvelope, type DsseEnvelope,
} from '../../../../electron/services/attest/dsse.node.ts';

const JANE = parseExaminerName('Jane Doe <jane@example.org>');
let dir = '';

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sealcheck-dsse-'));
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

const ascii = (b: Uint8Array) => Buffer.from(b).toString('latin1');

test('PAE: the DSSE spec test vector, and lengths in bytes, not characters', () => {
  // protocol.md, "Test Vectors".
  assert.equal(ascii(pae('http://example.com/HelloWorld', utf8('hello world'))), 'DSSEv1 29 http://example.com/HelloWorld 11 hello world');
  assert.equal(ascii(pae('', new Uint8Array(0))), 'DSSEv1 0  0 ');
  assert.deepEqual(pae('tÿpe', utf8('é')), Uint8Array.from([...utf8('DSSEv1 5 tÿpe 2 é')]));
  assert.equal(ascii(pae(IN_TOTO_PAYLOAD_TYPE, utf8('{}'))), 'DSSEv1 28 application/vnd.in-toto+json 2 {}');
});

test('the spec envelope (ECDSA P-256) verifies over our PAE: our PAE is the reference implementation\'s', () => {
  // protocol.md's example key and envelope; only the signature scheme differs from ours.
  const big = (d: string) => Buffer.from(BigInt(d).toString(16).padStart(64, '0'), 'hex').toString('base64url');
  const key = crypto.createPublicKey({
    key: { kty: 'EC', crv: 'P-256', x: big('46950820868899156662930047687818585632848591499744589407958293238635476079160'), y: big('5640078356564379163099075877009565129882514886557779369047442380624545832820') },
    format: 'jwk',
  });
  const envelope = { payload: 'aGVsbG8gd29ybGQ=', payloadType: 'http://example.com/HelloWorld', signatures: [{ sig: 'A3JqsQGtVsJ2O2xqrI5IcnXip5GToJ3F+FnZ+O88SjtR6rDAajabZKciJTfUiHqJPcIAriEGAHTVeCUjW2JIZA==' }] };
  const message = pae(envelope.payloadType, decodeDsseBase64(envelope.payload)!);
  const sig = decodeDsseBase64(envelope.signatures[0]!.sig)!;
  assert.ok(crypto.verify('sha256', message, { key, dsaEncoding: 'ieee-p1363' }, sig));
  assert.equal(crypto.verify('sha256', pae(envelope.payloadType, utf8('hello world!')), { key, dsaEncoding: 'ieee-p1363' }, sig), false);
});

function sampleStatement() {
  const archive = utf8('archive bytes');
  return buildStatement([subjectFromBytes('prod-audit.sealed.tar', archive)], {
    verdict: 'verified', entries: 1234, origin: 'prod.example/audit', tool: { name: 'sealcheck', version: '0.1.0' },
  });
}

test('in-toto Statement v1: shape, both digests, parse back', async () => {
  const st = sampleStatement();
  assert.equal(st._type, 'https://in-toto.io/Statement/v1');
  assert.equal(st.predicateType, 'https://sealcheck.dev/attestation/verification/v1');
  assert.equal(SEALCHECK_VERIFICATION_PREDICATE_V1, st.predicateType);
  assert.deepEqual(st.subject, [{ name: 'prod-audit.sealed.tar', digest: { sha256: toHex(sha256(utf8('archive bytes'))), sha512: toHex(sha512(utf8('archive bytes'))) } }]);
  assert.deepEqual(Object.keys(JSON.parse(Buffer.from(statementPayload(st)).toString())), ['_type', 'subject', 'predicateType', 'predicate']);
  assert.deepEqual(parseStatement(statementPayload(st)), st);

  const file = join(dir, 'subject.bin');
  const bytes = crypto.randomBytes(300_000);
  await writeFile(file, bytes);
  assert.deepEqual(await subjectFromFile('subject.bin', file), subjectFromBytes('subject.bin', bytes));

  assert.throws(() => buildStatement([], {}), /at least one subject/);
  assert.throws(() => buildStatement([{ name: 'x', digest: { sha256: 'AB', sha512: '' } }], {}), /sha256 is not 64 lower-case hex/);
  assert.throws(() => buildStatement([{ name: '', digest: subjectFromBytes('x', bytes).digest }], {}), /name is missing/);
  assert.throws(() => parseStatement(utf8('{"_type":"https://in-toto.io/Statement/v0.1","subject":[]}')), /_type is not/);
  assert.throws(() => parseStatement(utf8(JSON.stringify({ ...st, subject: [] }))), /no subject/);
  assert.throws(() => parseStatement(Uint8Array.of(0xff)), /not valid UTF-8/);
  assert.equal(IN_TOTO_STATEMENT_V1, 'https://in-toto.io/Statement/v1');
});

test('sign and verify an envelope; the payload is returned only when verified', () => {
  const key = generateExaminerKey(JANE);
  const payload = statementPayload(sampleStatement());
  const keyid = sha256Fingerprint(key.publicKey);
  const env = signEnvelope(payload, IN_TOTO_PAYLOAD_TYPE, key.seed, keyid);
  assert.deepEqual(Object.keys(env), ['payload', 'payloadType', 'signatures']);
  assert.equal(env.payload, toBase64(payload));
  assert.equal(env.signatures.length, 1);
  assert.equal(env.signatures[0]!.keyid, keyid);
  const r = verifyEnvelope(env, key.publicKey);
  assert.equal(r.ok, true);
  assert.equal(r.reason, 'verified');
  assert.deepEqual(r.payload, payload);
  assert.equal(r.keyid, keyid);
  // JSON text in, as read from a file.
  assert.equal(verifyEnvelope(serializeEnvelope(env), key.publicKey).ok, true);
  assert.ok(serializeEnvelope(env).endsWith('}\n'));
  // The signature is over PAE, not over the payload alone.
  assert.ok(crypto.verify(null, pae(IN_TOTO_PAYLOAD_TYPE, payload), crypto.createPublicKey(pemFromPublicKey(key.publicKey)), Buffer.from(env.signatures[0]!.sig, 'base64')));
});

test('tampered, mis-typed, unsigned or malformed envelopes are refused with a reason', () => {
  const key = generateExaminerKey(JANE);
  const other = generateExaminerKey(JANE);
  const payload = statementPayload(sampleStatement());
  const env = signEnvelope(payload, IN_TOTO_PAYLOAD_TYPE, key.seed, 'k');
  const altered = Buffer.from(payload);
  altered[20]! ^= 1;
  const sigBytes = Buffer.from(env.signatures[0]!.sig, 'base64');
  sigBytes[10]! ^= 1;
  const cases: [string, unknown, RegExp][] = [
    ['payload', { ...env, payload: altered.toString('base64') }, /no signature verifies with the key \(1 signature\)/],
    ['payloadType', { ...env, payloadType: 'application/json' }, /no signature verifies/],
    ['signature', { ...env, signatures: [{ keyid: 'k', sig: sigBytes.toString('base64') }] }, /no signature verifies/],
    ['no signatures', { ...env, signatures: [] }, /no signatures/],
    ['short signature', { ...env, signatures: [{ sig: 'AAAA' }] }, /1 malformed/],
    ['bad base64', { ...env, payload: 'not base64!' }, /payload is not valid base64/],
    ['no payload', { payloadType: env.payloadType, signatures: env.signatures }, /payload is missing/],
    ['array', [env], /not a JSON object/],
    ['not JSON', '{"payload":', /not JSON/],
  ];
  for (const [what, bad, reason] of cases) {
    const r = verifyEnvelope(bad, key.publicKey);
    assert.equal(r.ok, false, what);
    assert.equal(r.payload, null, what);
    assert.match(r.reason, reason, what);
  }
  assert.match(verifyEnvelope(env, other.publicKey).reason, /no signature verifies with the key/);
  // Validly signed, but not the expected type: refused after the signature check, as DSSE orders it.
  const typed = signEnvelope(payload, 'application/json', key.seed, 'k');
  assert.deepEqual(verifyEnvelope(typed, key.publicKey), { ok: false, reason: 'payloadType "application/json" is not "application/vnd.in-toto+json"', payload: null });
  assert.equal(verifyEnvelope(typed, key.publicKey, { payloadType: 'application/json' }).ok, true);
  // keyid is only a hint: a wrong or missing one changes nothing.
  assert.equal(verifyEnvelope({ ...env, signatures: [{ keyid: 'someone else', sig: env.signatures[0]!.sig }] }, key.publicKey).ok, true);
  assert.equal(verifyEnvelope({ ...env, signatures: [{ sig: env.signatures[0]!.sig }] }, key.publicKey).ok, true);
  // One good signature among others suffices.
  const second = signEnvelope(payload, IN_TOTO_PAYLOAD_TYPE, other.seed, 'other');
  assert.equal(verifyEnvelope({ ...env, signatures: [{ sig: 'AAAA' }, ...second.signatures, ...env.signatures] }, key.publicKey).ok, true);
});

test('URL-safe and unpadded base64 are accepted, as DSSE requires; mixed alphabets are not', () => {
  const key = generateExaminerKey(JANE);
  // Bytes that encode with '+' and '/' in standard base64.
  const payload = Uint8Array.from([0xfb, 0xff, 0xbf, ...utf8('{"x":1}'), 0xfe]);
  const env = signEnvelope(payload, IN_TOTO_PAYLOAD_TYPE, key.seed, 'k');
  const url = (b64: string) => Buffer.from(b64, 'base64').toString('base64url');
  const urlEnv: DsseEnvelope = { ...env, payload: url(env.payload), signatures: [{ sig: url(env.signatures[0]!.sig) }] };
  assert.ok(/[-_]/.test(urlEnv.payload) && !urlEnv.payload.endsWith('='));
  const r = verifyEnvelope(urlEnv, key.publicKey);
  assert.equal(r.ok, true, r.reason);
  assert.deepEqual(r.payload, payload);
  assert.equal(decodeDsseBase64('+_8='), null);
  assert.deepEqual(decodeDsseBase64('aGk'), utf8('hi'));
  assert.equal(decodeDsseBase64('aGl'), null, 'non-zero trailing bits');
});

/** Python's `cryptography` (OpenSSL underneath, written without this code): installed when missing, never skipped. */
function ensurePythonCryptography(): void {
  const probe = () => spawnSync('python3', ['-c', 'import cryptography'], { encoding: 'utf8' }).status === 0;
  if (probe()) return;
  spawnSync('apt-get', ['update'], { stdio: 'ignore' });
  const r = spawnSync('apt-get', ['install', '-y', 'python3', 'python3-cryptography'], { encoding: 'utf8', env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
  assert.ok(probe(), `could not install python3-cryptography: ${r.stderr}`);
}

// An independent DSSE verifier: PAE spelled out from the spec, the key from our PEM file.
const PYTHON_DSSE = String.raw`
import base64, json, sys
import cryptography
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import load_pem_public_key

def b64(s):
    s = s.replace("-", "+").replace("_", "/")
    return base64.b64decode(s + "=" * (-len(s) % 4), validate=True)

def pae(payload_type, body):
    t = payload_type.encode("utf-8")
    return b"DSSEv1 %d %s %d %s" % (len(t), t, len(body), body)

envelope = json.load(open(sys.argv[1]))
key = load_pem_public_key(open(sys.argv[2], "rb").read())
assert isinstance(key, Ed25519PublicKey)
body = b64(envelope["payload"])
good = []
for s in envelope["signatures"]:
    try:
        key.verify(b64(s["sig"]), pae(envelope["payloadType"], body))
        good.append(s.get("keyid"))
    except InvalidSignature:
        pass
if not good:
    print("python cryptography %s: DSSE envelope REJECTED (no valid signature)" % cryptography.__version__)
    sys.exit(1)
statement = json.loads(body)
print("python cryptography %s: DSSE envelope verified, payloadType %s, keyid %s, _type %s, subject %s sha256:%s" % (
    cryptography.__version__, envelope["payloadType"], good[0], statement["_type"], statement["subject"][0]["name"], statement["subject"][0]["digest"]["sha256"][:16]))
`;

test('an independent verifier (Python cryptography) accepts our envelope and rejects a tampered one', async () => {
  ensurePythonCryptography();
  const key = generateExaminerKey(JANE);
  const payload = statementPayload(sampleStatement());
  const env = signEnvelope(payload, IN_TOTO_PAYLOAD_TYPE, key.seed, sha256Fingerprint(key.publicKey));
  const script = join(dir, 'dsse_check.py');
  const pub = join(dir, 'examiner.pub');
  await writeFile(script, PYTHON_DSSE);
  await writeFile(pub, pemFromPublicKey(key.publicKey));
  const check = async (name: string, e: DsseEnvelope) => {
    const f = join(dir, name);
    await writeFile(f, serializeEnvelope(e));
    const r = spawnSync('python3', [script, f, pub], { encoding: 'utf8' });
    return { code: r.status, out: `${r.stdout}${r.stderr}`.trim() };
  };
  const good = await check('report.dsse.json', env);
  assert.equal(good.code, 0, good.out);
  assert.match(good.out, /^python cryptography [\d.]+: DSSE envelope verified, payloadType application\/vnd\.in-toto\+json, keyid [0-9a-f]{64}, _type https:\/\/in-toto\.io\/Statement\/v1, subject prod-audit\.sealed\.tar sha256:[0-9a-f]{16}$/);
  console.log(good.out);

  const altered = JSON.parse(Buffer.from(payload).toString());
  altered.predicate.verdict = 'failed';
  const bad = await check('tampered.dsse.json', { ...env, payload: toBase64(utf8(JSON.stringify(altered))) });
  assert.equal(bad.code, 1, bad.out);
  assert.match(bad.out, /DSSE envelope REJECTED/);
  console.log(bad.out);
  // And Python agrees with us on the other type: same PAE, so a retyped envelope fails there too.
  assert.equal((await check('retyped.dsse.json', { ...env, payloadType: 'application/json' })).code, 1);
});
