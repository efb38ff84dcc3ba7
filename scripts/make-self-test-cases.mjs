// Writes the bundled self-test cases (resources/self-test): archives sealed by the project's own sealer from a slice of a real log, one altered entry, one altered checkpoint signature, with the results the spec predicts.
//
// Usage: node scripts/make-self-test-cases.mjs [--out DIR]   (default: resources/self-test)
//
// Reproducible byte for byte: the log key comes from a fixed, published seed and the sealing time is
// fixed, so manifest `created` and tar mtimes never change (the spec's only time-dependent fields are
// `created` and cosignature times; these cases have no cosigner). The one dependency is Node's zlib for
// the .tar.gz case: another zlib may compress the same tar differently (the tar inside stays identical).
//
// The expected results are written here from the spec (§3, §6) and from what this script did to the
// bytes; they are never taken from a run of the verifier, which is the thing under test.
import { mkdtemp, readFile, rm, writeFile, mkdir, cp } from 'node:fs/promises';
import { createHash } from 'node:crypto';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { register } from 'tsx/esm/api';

const root = fileURLToPath(new URL('..', import.meta.url));
register();
const load = (rel) => import(pathToFileURL(join(root, rel)).href);
const { seal } = await load('electron/services/seal.node.ts');
const { evidenceDigests } = await load('electron/services/digest.node.ts');
const { nodeEd25519 } = await load('electron/services/crypto.node.ts');
const { LOG_KEY, makeKey, formatVerifierKey } = await load('shared/core/keys.ts');

// ---------- the fixed inputs ----------

/**
 * A PUBLIC test value, not a secret: anyone can derive this key, so the bundled archives prove that the
 * tool verifies correctly, never where a log came from. The private seed exists only here.
 */
const SEED_LABEL = 'sealcheck-self-test:log-key:v1';
const ORIGIN = 'selftest.sealcheck.example/audit2rbac';
const SEALED_AT = new Date('2026-01-01T00:00:00Z');
const SAMPLE = 'resources/samples/audit2rbac_demo.jsonl';
const ENTRIES = 12;
const SEGMENT_ENTRIES = 6;
const CHECKPOINT_EVERY = 4;
/** The entry whose one byte is changed: the 2nd line of the second segment. */
const TAMPERED_INDEX = 7;
/** The checkpoint whose log signature gets one flipped bit: a middle one, so the last still covers everything. */
const BAD_SIGNATURE_SIZE = 8;
const KEY_FILE = 'keys/selftest-log.pub';
const FORMAT = 'sealcheck-self-test-case/v1';

const pad = (n) => String(n).padStart(12, '0');
const segmentOf = (index) => index - (index % SEGMENT_ENTRIES);

function parseOut(argv) {
  if (argv.length === 0) return join(root, 'resources/self-test');
  if (argv.length === 2 && argv[0] === '--out') return resolve(argv[1]);
  console.error('usage: node scripts/make-self-test-cases.mjs [--out DIR]');
  process.exit(2);
}

const out = parseOut(process.argv.slice(2));
const CASES = ['01-clean', '02-tampered-entry', '03-bad-checkpoint-signature', '04-clean-tar-gz'];
// Only what this script writes is replaced; README.md and .gitattributes beside it are kept.
for (const d of ['keys', ...CASES]) await rm(join(out, d), { recursive: true, force: true });
await mkdir(join(out, 'keys'), { recursive: true });

const seed = new Uint8Array(createHash('sha256').update(SEED_LABEL).digest());
const key = { ...makeKey(ORIGIN, LOG_KEY, nodeEd25519.publicKeyFromSeed(seed)), seed };
await writeFile(join(out, KEY_FILE), `${formatVerifierKey(key)}\n`);

// The first ENTRIES lines of the real sample, byte for byte.
const sample = await readFile(join(root, SAMPLE));
let end = 0;
for (let i = 0; i < ENTRIES; i++) {
  end = sample.indexOf(0x0a, end) + 1;
  if (end === 0) throw new Error(`${SAMPLE} has fewer than ${ENTRIES} lines`);
}
const scratch = await mkdtemp(join(tmpdir(), 'sealcheck-self-test-gen-'));
const input = join(scratch, 'audit2rbac-first-12.jsonl');
await writeFile(input, sample.subarray(0, end));

async function sealTo(path) {
  await mkdir(dirname(path), { recursive: true });
  await seal({
    key, origin: ORIGIN, out: path, inputs: [input], segmentEntries: SEGMENT_ENTRIES, checkpointEvery: CHECKPOINT_EVERY,
    kind: 'kubernetes-audit', description: `Sealcheck self-test: the first ${ENTRIES} events of ${SAMPLE.split('/').pop()}`, now: () => SEALED_AT,
  });
}

async function writeCase(name, archive, description, verdict, findings) {
  const { sha256 } = (await evidenceDigests(join(out, name, archive), ['sha256'])).digests;
  const c = { format: FORMAT, name, description, archive, trust: [{ role: 'log', key: KEY_FILE }], expected: { sha256, verdict, findings } };
  await writeFile(join(out, name, 'expected.json'), `${JSON.stringify(c, null, 2)}\n`);
}

try {
  // 1. Clean: sealed and left alone.
  const clean = join(out, '01-clean', 'archive');
  await sealTo(clean);
  await writeCase('01-clean', 'archive', `${ENTRIES} real kube-apiserver events (${SAMPLE}), sealed in ${ENTRIES / SEGMENT_ENTRIES} segments with checkpoints at 4, 8 and 12, untouched.`, 'verified', []);

  // 2. One byte of one entry changed in the segment file, nothing else: the manifest, chain and checkpoints still describe the original.
  const tampered = join(out, '02-tampered-entry', 'archive');
  await cp(clean, tampered, { recursive: true });
  const first = segmentOf(TAMPERED_INDEX);
  const line = TAMPERED_INDEX - first + 1;
  const segRel = `segments/${pad(first)}.jsonl`;
  const seg = await readFile(join(tampered, segRel));
  let lineStart = 0;
  for (let l = 1; l < line; l++) lineStart = seg.indexOf(0x0a, lineStart) + 1;
  const at = seg.indexOf('"verb":"', lineStart) + '"verb":"'.length;
  const before = String.fromCharCode(seg[at]);
  seg[at] ^= 0x20; // lower to upper case: still valid JSON, so only the integrity checks can notice
  await writeFile(join(tampered, segRel), seg);
  const covering = [CHECKPOINT_EVERY * 2, ENTRIES];
  await writeCase(
    '02-tampered-entry', 'archive',
    `01-clean with one byte of entry ${TAMPERED_INDEX} changed (${segRel} line ${line}, byte offset ${at}: "verb":"${before}… became "verb":"${String.fromCharCode(seg[at])}…). ` +
      'Spec §6: the segment no longer has the manifest\'s SHA-256, the entry no longer hashes to its stored leaf, its chain link no longer follows (§3), ' +
      `the checkpoints at ${covering.join(' and ')} no longer match the recomputed roots, so only the first ${CHECKPOINT_EVERY} entries stay covered.`,
    'failed',
    [
      { code: 'segment-file-hash-mismatch', file: segRel },
      { code: 'leaf-hash-mismatch', file: segRel, index: TAMPERED_INDEX, line },
      { code: 'chain-link-mismatch', file: `segments/${pad(first)}.chain`, index: TAMPERED_INDEX, line },
      ...covering.map((size) => ({ code: 'checkpoint-root-mismatch', file: `checkpoints/${pad(size)}.ckpt` })),
      { code: 'unsigned-tail', file: `segments/${pad(segmentOf(CHECKPOINT_EVERY))}.jsonl`, index: CHECKPOINT_EVERY },
    ],
  );

  // 3. One bit of the log's Ed25519 signature on a middle checkpoint flipped; key name and key ID intact.
  const badSig = join(out, '03-bad-checkpoint-signature', 'archive');
  await cp(clean, badSig, { recursive: true });
  const ckptRel = `checkpoints/${pad(BAD_SIGNATURE_SIZE)}.ckpt`;
  const note = await readFile(join(badSig, ckptRel), 'utf8');
  const sigLine = note.split('\n').find((l) => l.startsWith(`— ${ORIGIN} `));
  const blob = Buffer.from(sigLine.slice(sigLine.lastIndexOf(' ') + 1), 'base64');
  blob[4 + 10] ^= 0x01; // byte 10 of the signature, after the 4-byte key ID
  await writeFile(join(badSig, ckptRel), note.replace(sigLine, `— ${ORIGIN} ${blob.toString('base64')}`));
  await writeCase(
    '03-bad-checkpoint-signature', 'archive',
    `01-clean with one bit flipped in the log signature of ${ckptRel} (signature byte 10 XOR 0x01). ` +
      `Spec §6: the trusted key's signature fails, so the checkpoint is also untrusted; the checkpoint at ${ENTRIES} still covers every entry.`,
    'failed',
    [
      { code: 'checkpoint-signature-invalid', file: ckptRel },
      { code: 'checkpoint-untrusted', file: ckptRel },
    ],
  );

  // 4. The clean log sealed straight into a .tar.gz: the container path of the verifier.
  await sealTo(join(out, '04-clean-tar-gz', 'archive.tar.gz'));
  await writeCase('04-clean-tar-gz', 'archive.tar.gz', 'The same events and key as 01-clean, sealed into a gzip-compressed tar.', 'verified', []);
} finally {
  await rm(scratch, { recursive: true, force: true });
}
console.log(`self-test cases written to ${out}: ${CASES.join(', ')}`);
