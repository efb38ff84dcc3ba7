// Known answers for note keys and signed notes (Go's sumdb/note PeterNeumann example), checkpoint and cosignature rules.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { toHex, utf8 } from '../../../shared/core/bytes.ts';
import { pureEd25519 } from '../../../shared/core/ed25519.ts';
import { formatSignerKey, formatVerifierKey, isValidKeyName, KeyError, keyId, parseSignerKey, parseVerifierKey, verifierKeyFromPem, pemFromPublicKey, COSIGNER_KEY, makeKey } from '../../../shared/core/keys.ts';
import { cosignatureLine, cosignatureMessage, formatNote, logSignatureLine, NoteError, parseCheckpointText, parseNote, splitCosignature, encodeCosignature, checkpointFileName } from '../../../shared/core/note.ts';

const VKEY = 'PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW';
const SKEY = 'PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz';
const TEXT = "If you think cryptography is the answer to your problem,\nthen you don't know what your problem is.\n";
const SIGNED = `${TEXT}\n\u2014 PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n`;

test('PeterNeumann keys parse, round-trip and have key id c74f20a3', () => {
  const v = parseVerifierKey(VKEY);
  assert.equal(v.name, 'PeterNeumann');
  assert.equal(v.keyId, 0xc74f20a3);
  assert.equal(v.type, 1);
  assert.equal(formatVerifierKey(v), VKEY);
  const s = parseSignerKey(SKEY, pureEd25519.publicKeyFromSeed);
  assert.deepEqual(s.publicKey, v.publicKey);
  assert.equal(formatSignerKey(s), SKEY);
  assert.equal(keyId('PeterNeumann', 1, v.publicKey), 0xc74f20a3);
});

test('re-signing the example text reproduces the published note byte for byte', () => {
  const s = parseSignerKey(SKEY, pureEd25519.publicKeyFromSeed);
  assert.equal(formatNote(TEXT, [logSignatureLine(s, TEXT, pureEd25519)]), SIGNED);
  const n = parseNote(utf8(SIGNED));
  assert.equal(n.text, TEXT);
  assert.equal(n.signatures.length, 1);
  assert.equal(n.signatures[0]!.keyId, 0xc74f20a3);
  assert.equal(n.signatures[0]!.line, 4);
  assert.equal(pureEd25519.verify(s.publicKey, n.textBytes, n.signatures[0]!.signature), true);
});

test('bad key strings are refused with the reason', () => {
  const cases: [string, RegExp][] = [
    ['PeterNeumann+c74f20a4+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW', /does not match/],
    ['PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10T', /base64/],
    ['Peter Neumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW', /invalid key name/],
    ['PeterNeumann+c74f20+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW', /8 hex digits/],
    ['PeterNeumann+173116ae+ZRpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW', /unsupported key type 0x65/],
    ['PeterNeumann', /expected NAME\+KEYID\+BASE64/],
  ];
  for (const [k, why] of cases) assert.throws(() => parseVerifierKey(k), (e: unknown) => e instanceof KeyError && why.test(e.message), k);
  assert.equal(isValidKeyName('a+b'), false);
  assert.equal(isValidKeyName('a\u00a0b'), false);
  assert.equal(isValidKeyName(''), false);
  assert.equal(isValidKeyName('prod-eu-1.example.com/k8s-audit'), true);
});

test('PEM SPKI Ed25519 keys become named type 0x01 keys', () => {
  const v = parseVerifierKey(VKEY);
  const pem = pemFromPublicKey(v.publicKey);
  const k = verifierKeyFromPem('PeterNeumann', pem);
  assert.equal(formatVerifierKey(k), VKEY);
  assert.throws(() => verifierKeyFromPem('x', pem.replace('MCowBQYDK2Vw', 'MCowBQYDK2Vx')), KeyError);
});

test('malformed notes are refused like Go note.Open (and per spec §4)', () => {
  const sig = '\u2014 PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n';
  const bad: [string, RegExp][] = [
    [`${TEXT}${sig}`, /no blank line/],
    [`${TEXT}\n`, /empty/],
    [`${TEXT}\n${sig.slice(0, -1)}`, /newline/],
    [`${TEXT}\n- PeterNeumann AAAAAAA=\n`, /does not start/],
    [`${TEXT}\n\u2014 PeterNeumann\n`, /no space/],
    [`${TEXT}\n\u2014 PeterNeumann AAAA\n`, /fewer than 5/],
    [`${TEXT}\n\u2014 PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAN=\n`, /canonical/],
    [`a\tb\n\n${sig}`, /control character/],
    [`a\r\n\n${sig}`, /control character/],
    [`${TEXT}\n${sig.repeat(101)}`, /more than 100/],
  ];
  for (const [text, why] of bad) assert.throws(() => parseNote(utf8(text)), (e: unknown) => e instanceof NoteError && why.test(e.message), JSON.stringify(text.slice(-40)));
  assert.throws(() => parseNote(Uint8Array.of(0xff, 0x0a, 0x0a)), /UTF-8/);
  assert.throws(() => parseNote(new Uint8Array((1 << 20) + 1).fill(0x61)), /1 MiB/);
  assert.equal(parseNote(utf8(`${TEXT}\n${sig.repeat(100)}`)).signatures.length, 100);
});

test('checkpoint bodies: exactly origin, size without leading zero, 32-byte canonical base64 root', () => {
  const root = 'iQjm7bBG2RpL+UKMe7iwlqZfxnrB6gxUJNmExg7nYqM=';
  const ok = parseCheckpointText(`example.com/log\n2971\n${root}\n`);
  assert.deepEqual([ok.origin, ok.size, ok.sizeText], ['example.com/log', 2971, '2971']);
  assert.equal(checkpointFileName(ok.sizeText), 'checkpoints/000000002971.ckpt');
  for (const body of [`example.com/log\n02971\n${root}\n`, `example.com/log\n+1\n${root}\n`, `example.com/log\n1\n${root}\nextension\n`, `example.com/log\n1\n${root.slice(0, -2)}==\n`, `ex ample\n1\n${root}\n`, `example.com/log\n1\n`]) {
    assert.throws(() => parseCheckpointText(body), NoteError, JSON.stringify(body));
  }
});

test('cosignatures: timestamp || signature over cosignature/v1, times above 2^63-1 refused', () => {
  const seed = new Uint8Array(32).fill(7);
  const w = { ...makeKey('witness.example/w1', COSIGNER_KEY, pureEd25519.publicKeyFromSeed(seed)), seed };
  const text = `example.com/log\n5\n${'A'.repeat(43)}=\n`;
  const line = cosignatureLine(w, text, 1795000000n, pureEd25519);
  const n = parseNote(utf8(formatNote(text, [line])));
  const parts = splitCosignature(n.signatures[0]!.signature)!;
  assert.equal(parts.time, 1795000000n);
  assert.equal(pureEd25519.verify(w.publicKey, cosignatureMessage(1795000000n, text), parts.signature), true);
  assert.equal(new TextDecoder().decode(cosignatureMessage(7n, 'x\n')), 'cosignature/v1\ntime 7\nx\n');
  assert.equal(splitCosignature(encodeCosignature(1n << 63n, parts.signature)), null);
  assert.notEqual(splitCosignature(encodeCosignature((1n << 63n) - 1n, parts.signature)), null);
  assert.equal(toHex(encodeCosignature(258n, new Uint8Array(64)).subarray(0, 8)), '0000000000000102');
});
