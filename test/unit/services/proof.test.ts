// Single-event proofs (C2SP tlog-proof v1): paths against the CT vectors and a textbook RFC 6962 PATH, every way a proof can be wrong, and the CLI.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, statSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { fromBase64Strict, fromHexStrict, toBase64, toHex } from '../../../shared/core/bytes.ts';
import { pureHashing } from '../../../shared/core/hashing.ts';
import { UsageError } from '../../../electron/services/keys.node.ts';
import { CannotProveError, InclusionPathBuilder, PROOF_HEADER, parseProof, proveEntry, verifyProof, type ProofPolicy } from '../../../electron/services/proof.node.ts';
import {
  TempDirs, sealArchive, trustPolicy, logKey, impostorLogKey, witness1, witness2, publicOf, writeKeyFiles, signNote, checkpointText,
  readRel, removeRel, editManifest, readEntries, writeEntries, segmentPath, checkpointPath, auditLines, ORIGIN, SEAL_TIME, type Sealed,
} from '../../helpers/archives.ts';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const temp = new TempDirs();
after(() => temp.cleanup());

// ---------- an independent RFC 6962 §2.1.1 PATH, straight from the recursion ----------

const sha = (...parts: Uint8Array[]): Buffer => {
  const h = createHash('sha256');
  for (const p of parts) h.update(p);
  return h.digest();
};
const leafOf = (entry: Uint8Array): Buffer => sha(Uint8Array.of(0), entry);
const split = (n: number): number => {
  let k = 1;
  while (k * 2 < n) k *= 2;
  return k;
};
function mth(leaves: readonly Buffer[]): Buffer {
  if (leaves.length === 1) return leaves[0]!;
  const k = split(leaves.length);
  return sha(Uint8Array.of(1), mth(leaves.slice(0, k)), mth(leaves.slice(k)));
}
function textbookPath(m: number, leaves: readonly Buffer[]): Buffer[] {
  if (leaves.length <= 1) return [];
  const k = split(leaves.length);
  return m < k ? [...textbookPath(m, leaves.slice(0, k)), mth(leaves.slice(k))] : [...textbookPath(m - k, leaves.slice(k)), mth(leaves.slice(0, k))];
}

function builderPath(m: number, leaves: readonly Uint8Array[], order?: number[]): string[] {
  const b = new InclusionPathBuilder(pureHashing, m, leaves.length);
  for (const i of order ?? leaves.map((_, i) => i)) b.add(i, leaves[i]!);
  return b.path().map(toHex);
}

// ---------- the CT test tree (RFC 6962 reference vectors, as in transparency-dev/merkle) ----------

const hex = (s: string) => fromHexStrict(s)!;
const CT_LEAVES = ['', '00', '10', '2021', '3031', '40414243', '5051525354555657', '606162636465666768696a6b6c6d6e6f'].map((s) => leafOf(hex(s)));
/** [leaf index (0-based), tree size, path]. */
const CT_PATHS: [number, number, string[]][] = [
  [0, 1, []],
  [0, 8, ['96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7', '5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e', '6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4']],
  [5, 8, ['bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b', 'ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0', 'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7']],
  [2, 3, ['fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125']],
  [1, 5, ['6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d', '5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e', 'bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b']],
];

test('path builder reproduces the CT inclusion vectors, and the textbook PATH for every leaf of sizes 1..70 in any order', () => {
  for (const [m, n, path] of CT_PATHS) {
    assert.deepEqual(builderPath(m, CT_LEAVES.slice(0, n)), path, `leaf ${m} of ${n}`);
    assert.deepEqual(textbookPath(m, CT_LEAVES.slice(0, n)).map(toHex), path, `textbook, leaf ${m} of ${n}`);
  }
  const leaves = Array.from({ length: 70 }, (_, i) => leafOf(Uint8Array.of(i, i >> 8, 7)));
  for (let n = 1; n <= 70; n++) {
    for (let m = 0; m < n; m++) assert.deepEqual(builderPath(m, leaves.slice(0, n)), textbookPath(m, leaves.slice(0, n)).map(toHex), `leaf ${m} of ${n}`);
  }
  // Leaves of separate runs (tar.gz members in any order) are joined: reversed, and segments of 7 shuffled.
  const reversed = Array.from({ length: 70 }, (_, i) => 69 - i);
  const chunks = Array.from({ length: 10 }, (_, c) => Array.from({ length: 7 }, (_, j) => c * 7 + j));
  const shuffled = [3, 9, 0, 5, 1, 8, 2, 7, 4, 6].flatMap((c) => chunks[c]!);
  for (const m of [0, 1, 33, 63, 64, 69]) {
    const want = textbookPath(m, leaves).map(toHex);
    assert.deepEqual(builderPath(m, leaves, reversed), want);
    assert.deepEqual(builderPath(m, leaves, shuffled), want);
  }
  // A missing or repeated leaf is an error, never a wrong path.
  const b = new InclusionPathBuilder(pureHashing, 3, 8);
  for (const i of [0, 1, 2, 3, 4, 5, 7]) b.add(i, CT_LEAVES[i]!);
  assert.throws(() => b.path(), /not given|missing/);
  const twice = new InclusionPathBuilder(pureHashing, 3, 8);
  for (const i of [0, 1, 2, 3, 4, 5, 6, 7, 5]) twice.add(i, CT_LEAVES[i]!);
  assert.throws(() => twice.path(), /missing or repeated/);
});

// ---------- proving sealed archives ----------

const policy = (p: Parameters<typeof trustPolicy>[0] = {}) => trustPolicy(p);
const proofPolicy = (p: Parameters<typeof trustPolicy>[0] = {}): ProofPolicy => policy(p);

/** Checkpoints every 10 plus the final size: the smallest one above index i. */
const smallestCovering = (i: number, entries: number) => Math.min((Math.floor(i / 10) + 1) * 10, entries);

async function checkProof(a: Sealed, i: number, leaves: Buffer[]): Promise<void> {
  const r = await proveEntry(a.path, i, policy());
  const size = smallestCovering(i, a.entries.length);
  assert.equal(r.size, size, `entry ${i}: proved against size ${r.size}, expected the smallest covering ${size}`);
  assert.equal(r.checkpoint, checkpointPath(size));
  assert.deepEqual(Buffer.from(r.entry), Buffer.from(a.entries[i]!));
  // The format, byte for byte: header, index, one hash per line, empty line, the checkpoint file verbatim.
  const want = textbookPath(i, leaves.slice(0, size)).map((h) => toBase64(h));
  const ckpt = a.path.endsWith('.tar.gz') || a.path.endsWith('.tar') ? null : (await readRel(a.path, checkpointPath(size))).toString('utf8');
  const head = [PROOF_HEADER, `index ${i}`, ...want].join('\n');
  assert.ok(r.proof.startsWith(`${head}\n\n`), `entry ${i}: proof head\n${r.proof}`);
  if (ckpt !== null) assert.equal(r.proof, `${head}\n\n${ckpt}`);
  const v = verifyProof(r.proof, r.entry, proofPolicy());
  assert.equal(v.proven, true, v.reason);
  assert.equal(v.index, i);
  assert.equal(v.size, size);
  assert.equal(v.origin, ORIGIN);
}

for (const n of [1, 2, 7, 8, 9, 100]) {
  test(`every entry of a ${n}-entry archive (segments of 64, checkpoints every 10) proves against its smallest covering checkpoint`, async () => {
    const a = await sealArchive(temp, { lines: auditLines(n), segmentEntries: 64, checkpointEvery: 10 });
    const leaves = a.entries.map(leafOf);
    for (let i = 0; i < n; i++) await checkProof(a, i, leaves);
  });
}

test('a sample of a 1000-entry archive proves, from the directory, a tar of gzip segments and a tar.gz', async () => {
  const lines = auditLines(1000);
  const leaves = lines.map((l) => leafOf(Buffer.from(l)));
  const sample = [0, 1, 9, 10, 63, 64, 127, 128, 255, 256, 500, 511, 512, 513, 767, 990, 998, 999];
  const dir = await sealArchive(temp, { lines, segmentEntries: 64, checkpointEvery: 10 });
  for (const i of sample) await checkProof(dir, i, leaves);
  const tar = await sealArchive(temp, { lines, segmentEntries: 64, checkpointEvery: 10, gzip: true, container: 'tar' });
  const tgz = await sealArchive(temp, { lines, segmentEntries: 64, checkpointEvery: 10, gzip: true, container: 'tar.gz' });
  for (const i of [0, 63, 64, 500, 999]) {
    await checkProof(tar, i, leaves);
    await checkProof(tgz, i, leaves);
  }
});

test('proofs carry the checkpoint cosignatures, and verify-proof applies the witness quorum', async () => {
  const a = await sealArchive(temp, { lines: auditLines(25), segmentEntries: 64, cosigners: [witness1] });
  const r = await proveEntry(a.path, 12, policy({ witnesses: [witness1], quorum: 1 }));
  assert.equal(r.size, 20);
  assert.deepEqual(r.cosignatures, [{ name: witness1.name, time: BigInt(SEAL_TIME) }]);
  const ok = verifyProof(r.proof, r.entry, proofPolicy({ witnesses: [witness1], quorum: 1 }));
  assert.equal(ok.proven, true, ok.reason);
  assert.deepEqual(ok.cosignatures, [{ name: witness1.name, time: BigInt(SEAL_TIME) }]);
  const unmet = verifyProof(r.proof, r.entry, proofPolicy({ witnesses: [witness1, witness2], quorum: 2 }));
  assert.equal(unmet.proven, false);
  assert.match(unmet.reason, /witness quorum not met: 1 valid witness cosignature, quorum is 2/);
  // Proving under a quorum the checkpoints do not meet: nothing covers, so nothing is proved.
  await assert.rejects(proveEntry(a.path, 12, policy({ witnesses: [witness1, witness2], quorum: 2 })), (e: unknown) => e instanceof CannotProveError && /not covered/.test((e as Error).message));
});

// ---------- every way a proof can be wrong ----------

interface Lines {
  head: string[];
  hashes: string[];
  checkpoint: string;
}
function splitProof(proof: string): Lines {
  const blank = proof.indexOf('\n\n');
  const top = proof.slice(0, blank).split('\n');
  return { head: top.slice(0, 2), hashes: top.slice(2), checkpoint: proof.slice(blank + 2) };
}
const joinProof = (l: Lines) => `${[...l.head, ...l.hashes].join('\n')}\n\n${l.checkpoint}`;

test('tampered entries, paths, index lines, keys and malformed proofs are not proven, each with its reason', async () => {
  const a = await sealArchive(temp, { lines: auditLines(100), segmentEntries: 64, checkpointEvery: 10 });
  const r = await proveEntry(a.path, 37, policy());
  assert.equal(r.size, 40);
  const good = r.proof;
  const entry = r.entry;
  const parts = splitProof(good);
  assert.equal(parts.hashes.length, 4); // [36,37) [38,40) [32,36) [0,32)
  const no = (proof: string | Uint8Array, bytes: Uint8Array, reason: RegExp, p: ProofPolicy = proofPolicy()) => {
    const v = verifyProof(proof, bytes, p);
    assert.equal(v.proven, false, `expected not proven (${reason})`);
    assert.match(v.reason, reason);
  };
  assert.equal(verifyProof(good, entry, proofPolicy()).proven, true);

  // The entry: one changed byte, another entry, an empty one, one with LF.
  const changed = Buffer.from(entry);
  changed[10]! ^= 1;
  no(good, changed, /^root mismatch/);
  no(good, a.entries[38]!, /^root mismatch/);
  no(good, new Uint8Array(0), /empty/);
  no(good, Buffer.concat([entry, Buffer.from('\n')]), /line feed/);

  // The path: each hash with one bit flipped; one removed; one extra; two swapped.
  for (let k = 0; k < parts.hashes.length; k++) {
    const h = fromBase64Strict(parts.hashes[k]!)!;
    h[0]! ^= 8;
    const hashes = [...parts.hashes];
    hashes[k] = toBase64(h);
    no(joinProof({ ...parts, hashes }), entry, /^root mismatch/);
  }
  no(joinProof({ ...parts, hashes: parts.hashes.slice(1) }), entry, /has 3 hashes; entry 37 of a tree of size 40 needs 4/);
  no(joinProof({ ...parts, hashes: parts.hashes.slice(0, -1) }), entry, /has 3 hashes/);
  no(joinProof({ ...parts, hashes: [...parts.hashes, parts.hashes[0]!] }), entry, /has 5 hashes/);
  no(joinProof({ ...parts, hashes: [parts.hashes[1]!, parts.hashes[0]!, ...parts.hashes.slice(2)] }), entry, /^root mismatch/);

  // The index line: a neighbour, one with the same path length far away, one outside the tree, and non-canonical forms.
  no(joinProof({ ...parts, head: [PROOF_HEADER, 'index 36'] }), entry, /^root mismatch/);
  no(joinProof({ ...parts, head: [PROOF_HEADER, 'index 33'] }), entry, /^root mismatch/);
  no(joinProof({ ...parts, head: [PROOF_HEADER, 'index 39'] }), entry, /^root mismatch/);
  no(joinProof({ ...parts, head: [PROOF_HEADER, 'index 5'] }), entry, /has 4 hashes; entry 5 of a tree of size 40 needs 6/);
  no(joinProof({ ...parts, head: [PROOF_HEADER, 'index 40'] }), entry, /index 40 is not in a tree of size 40/);
  for (const bad of ['index 037', 'index -37', 'index +37', 'index  37', 'index 37 ', 'Index 37', 'index 3.7e1', 'index']) {
    no(joinProof({ ...parts, head: [PROOF_HEADER, bad] }), entry, /^malformed proof: expected "index N"/);
  }

  // Keys: an untrusted key, the log's name on another key, a trusted signature that fails.
  no(good, entry, /no valid signature from a trusted log key named/, proofPolicy({ trust: [impostorLogKey] }));
  no(good, entry, /no valid signature from a trusted log key named/, proofPolicy({ trust: [witness1] }));
  const text = checkpointText(ORIGIN, 40, fromBase64Strict(parts.checkpoint.split('\n')[2]!)!);
  assert.ok(parts.checkpoint.startsWith(text));
  const forged = joinProof({ ...parts, checkpoint: signNote(text, { logKeys: [impostorLogKey] }) });
  no(forged, entry, /no valid signature from a trusted log key named "audit\.test\.example\/cluster-1" \(signed by: audit\.test\.example\/cluster-1\+/);
  assert.equal(verifyProof(forged, entry, proofPolicy({ trust: [impostorLogKey] })).proven, true, 'the forgery itself is well formed');
  const sigLine = parts.checkpoint.split('\n')[4]!;
  const sig = fromBase64Strict(sigLine.split(' ')[2]!)!;
  sig[20]! ^= 1;
  no(joinProof({ ...parts, checkpoint: `${text}\n— ${ORIGIN} ${toBase64(sig)}\n` }), entry, /checkpoint signature by .* does not verify/);
  // The checkpoint changed under its signature (another root): the log signature fails.
  const otherRoot = `${text.split('\n').slice(0, 2).join('\n')}\n${toBase64(new Uint8Array(32))}\n`;
  no(joinProof({ ...parts, checkpoint: parts.checkpoint.replace(text, otherRoot) }), entry, /does not verify/);
  // Witness quorum without any cosignature on the checkpoint.
  no(good, entry, /witness quorum not met: 0 valid witness cosignatures, quorum is 1/, proofPolicy({ witnesses: [witness1], quorum: 1 }));

  // Format deviations.
  const malformed: [string | Uint8Array, RegExp][] = [
    [good.replace(PROOF_HEADER, 'c2sp.org/tlog-proof@v2'), /first line/],
    [`\n${good}`, /first line/],
    [good.replace(/\n/g, '\r\n'), /malformed proof/],
    [good.replace('\n\n', '\n'), /malformed proof/],
    [joinProof({ ...parts, hashes: [parts.hashes[0]!.slice(0, -1), ...parts.hashes.slice(1)] }), /not canonical standard base64/],
    [joinProof({ ...parts, hashes: [toBase64(new Uint8Array(31)), ...parts.hashes.slice(1)] }), /31 bytes/],
    [joinProof({ ...parts, hashes: [` ${parts.hashes[0]}`, ...parts.hashes.slice(1)] }), /not canonical/],
    [joinProof({ ...parts, head: [PROOF_HEADER, 'extra !!', 'index 37'] }), /extra line/],
    [good.slice(0, good.length - 1), /checkpoint is not valid/],
    [`${good}\n`, /checkpoint is not valid/],
    [joinProof({ ...parts, checkpoint: '' }), /checkpoint is not valid/],
    [Buffer.concat([Buffer.from(good), Buffer.from([0xff])]), /malformed proof/],
    [PROOF_HEADER, /proof ends before/],
  ];
  for (const [proof, reason] of malformed) no(proof, entry, reason);

  // An extra line is allowed (opaque, unauthenticated) and changes nothing.
  const withExtra = joinProof({ ...parts, head: [PROOF_HEADER, `extra ${toBase64(Buffer.from('case 2026-17'))}`, 'index 37'] });
  assert.equal(verifyProof(withExtra, entry, proofPolicy()).proven, true);
  assert.deepEqual(Buffer.from(parseProof(withExtra).extra!), Buffer.from('case 2026-17'));
});

test('prove refuses entries that no trusted checkpoint covers, and indexes that do not exist', async () => {
  const a = await sealArchive(temp, { lines: auditLines(25), segmentEntries: 64, checkpointEvery: 10 });
  // Drop the final checkpoint (size 25): entries 20..24 become an unsigned tail.
  await removeRel(a.path, checkpointPath(25));
  await editManifest(a.path, (m) => {
    m.checkpoints = m.checkpoints.filter((c) => c !== checkpointPath(25));
  });
  assert.equal((await proveEntry(a.path, 19, policy())).size, 20);
  for (const i of [20, 24]) {
    await assert.rejects(proveEntry(a.path, i, policy()), (e: unknown) => e instanceof CannotProveError && /unsigned tail: trusted checkpoints cover entries 0\.\.19 of 25/.test((e as Error).message));
  }
  await assert.rejects(proveEntry(a.path, 25, policy()), (e: unknown) => e instanceof UsageError && /no entry 25/.test((e as Error).message));
  await assert.rejects(proveEntry(a.path, -1, policy()), UsageError);
  await assert.rejects(proveEntry(a.path, 3, policy({ trust: [impostorLogKey] })), (e: unknown) => e instanceof CannotProveError && /0 trusted/.test((e as Error).message));

  // A changed entry: its own and every later checkpoint stop covering; earlier entries still prove against their checkpoints.
  const b = await sealArchive(temp, { lines: auditLines(100), segmentEntries: 64, checkpointEvery: 10 });
  const entries = await readEntries(b.path, segmentPath(0));
  const tampered = Buffer.from(entries[55]!.toString().replace('"Metadata"', '"metadata"'));
  assert.notDeepEqual(tampered, entries[55]);
  entries[55] = tampered;
  await writeEntries(b.path, segmentPath(0), entries);
  assert.equal((await proveEntry(b.path, 49, policy())).size, 50);
  await assert.rejects(proveEntry(b.path, 55, policy()), CannotProveError);
  await assert.rejects(proveEntry(b.path, 80, policy()), CannotProveError);
});

// ---------- the command line ----------

function bundleIsStale(): boolean {
  const bundle = join(ROOT, 'dist/cli.mjs');
  if (!existsSync(bundle)) return true;
  const built = statSync(bundle).mtimeMs;
  return ['electron/cli/main.ts', 'electron/services/proof.node.ts'].some((f) => statSync(join(ROOT, f)).mtimeMs > built);
}

let cliDir = '';
function cli(args: string[]) {
  const r = spawnSync(process.execPath, [join(ROOT, 'electron/cli/sealcheck.mjs'), ...args], { cwd: cliDir, encoding: 'utf8' });
  return { code: r.status, out: r.stdout, err: r.stderr };
}
function usage(args: string[], message: RegExp) {
  const r = cli(args);
  assert.equal(r.code, 2, `${args.join(' ')} → ${r.code}\n${r.err}${r.out}`);
  assert.match(r.err, /^sealcheck: [^\n]+\n$/);
  assert.match(r.err, message);
}

before(async () => {
  // The CLI tests run the built bundle; build it when it is older than the sources it bundles (as `npm test` does first).
  if (bundleIsStale()) {
    const b = spawnSync(process.execPath, [join(ROOT, 'scripts/build.mjs')], { cwd: ROOT, encoding: 'utf8' });
    assert.equal(b.status, 0, b.stderr);
  }
});

test('CLI: prove writes FILE.tlog-proof and FILE.entry; verify-proof exits 0 proven, 1 not proven, 2 bad usage', async () => {
  cliDir = await temp.make('proof-cli');
  await writeKeyFiles(join(cliDir, 'log'), logKey);
  await writeKeyFiles(join(cliDir, 'impostor'), impostorLogKey);
  await writeKeyFiles(join(cliDir, 'w1'), witness1);
  await writeKeyFiles(join(cliDir, 'w2'), witness2);
  const a = await sealArchive(temp, { lines: auditLines(25), segmentEntries: 64, checkpointEvery: 10, cosigners: [witness1] });

  const p = cli(['prove', a.path, '--index', '13', '--out', 'e13.tlog-proof', '--trust', 'log.pub']);
  assert.equal(p.code, 0, p.err);
  assert.match(p.out, /^proved entry 13 of audit\.test\.example\/cluster-1 against checkpoints\/000000000020\.ckpt \(tree size 20, 5 hashes in the path\)\n/);
  assert.match(p.out, /e13\.tlog-proof/);
  assert.match(p.out, /e13\.entry \(\d+ bytes/);
  const proof = await readFile(join(cliDir, 'e13.tlog-proof'), 'utf8');
  assert.ok(proof.startsWith(`${PROOF_HEADER}\nindex 13\n`));
  assert.ok(proof.endsWith((await readRel(a.path, checkpointPath(20))).toString('utf8')));
  const entry = await readFile(join(cliDir, 'e13.entry'));
  assert.deepEqual(entry, Buffer.from(a.entries[13]!));

  const ok = cli(['verify-proof', 'e13.tlog-proof', '--entry', 'e13.entry', '--trust', 'log.pub']);
  assert.equal(ok.code, 0, ok.out + ok.err);
  assert.match(ok.out, /^PROVEN: entry 13 is in audit\.test\.example\/cluster-1 at tree size 20/);
  const witnessed = cli(['verify-proof', 'e13.tlog-proof', '--entry', 'e13.entry', '--trust', 'log.pub', '--witness', 'w1.pub', '--quorum', '1']);
  assert.equal(witnessed.code, 0, witnessed.out);
  assert.match(witnessed.out, /cosigned +by witness\.test\.example\/w1 at 2027-01-15T08:00:00Z \(1800000000\)/);

  // One trailing LF is the saved line; two are not the entry.
  await writeFile(join(cliDir, 'lf1.entry'), Buffer.concat([entry, Buffer.from('\n')]));
  await writeFile(join(cliDir, 'lf2.entry'), Buffer.concat([entry, Buffer.from('\n\n')]));
  await writeFile(join(cliDir, 'crlf.entry'), Buffer.concat([entry, Buffer.from('\r\n')]));
  assert.equal(cli(['verify-proof', 'e13.tlog-proof', '--entry', 'lf1.entry', '--trust', 'log.pub']).code, 0);
  const lf2 = cli(['verify-proof', 'e13.tlog-proof', '--entry', 'lf2.entry', '--trust', 'log.pub']);
  assert.equal(lf2.code, 1);
  assert.match(lf2.out, /^NOT PROVEN: .*line feed/);
  assert.equal(cli(['verify-proof', 'e13.tlog-proof', '--entry', 'crlf.entry', '--trust', 'log.pub']).code, 1);

  // Not proven: another entry, an untrusted key with the log's name, an unmet quorum.
  await writeFile(join(cliDir, 'other.entry'), a.entries[12]!);
  const other = cli(['verify-proof', 'e13.tlog-proof', '--entry', 'other.entry', '--trust', 'log.pub']);
  assert.equal(other.code, 1);
  assert.match(other.out, /^NOT PROVEN: root mismatch/);
  const impostor = cli(['verify-proof', 'e13.tlog-proof', '--entry', 'e13.entry', '--trust', 'impostor.pub']);
  assert.equal(impostor.code, 1);
  assert.match(impostor.out, /^NOT PROVEN: no valid signature from a trusted log key/);
  const quorum = cli(['verify-proof', 'e13.tlog-proof', '--entry', 'e13.entry', '--trust', 'log.pub', '--witness', 'w1.pub', '--witness', 'w2.pub', '--quorum', '2']);
  assert.equal(quorum.code, 1);
  assert.match(quorum.out, /^NOT PROVEN: witness quorum not met/);
  await writeFile(join(cliDir, 'garbage.tlog-proof'), 'not a proof\n');
  assert.equal(cli(['verify-proof', 'garbage.tlog-proof', '--entry', 'e13.entry', '--trust', 'log.pub']).code, 1);

  // Bad usage.
  usage(['verify-proof', 'e13.tlog-proof', '--trust', 'log.pub'], /--entry is required/);
  usage(['verify-proof', 'e13.tlog-proof', '--entry', 'e13.entry'], /at least one --trust KEY is required/);
  usage(['verify-proof', 'missing.tlog-proof', '--entry', 'e13.entry', '--trust', 'log.pub'], /cannot read proof missing\.tlog-proof: no such file/);
  usage(['verify-proof', 'e13.tlog-proof', '--entry', 'missing.entry', '--trust', 'log.pub'], /cannot read entry file/);
  usage(['verify-proof', 'e13.tlog-proof', '--entry', 'e13.entry', '--trust', 'w1.pub'], /is a cosigner key \(type 0x04\), not a log key \(type 0x01\)/);
  usage(['verify-proof', 'e13.tlog-proof', 'x', '--entry', 'e13.entry', '--trust', 'log.pub'], /exactly one FILE\.tlog-proof/);
  usage(['verify-proof', 'e13.tlog-proof', '--entry', 'e13.entry', '--trust', 'log.pub', '--bogus'], /unknown option --bogus/);

  // prove: exit 1 when not covered, 2 for bad usage or an entry that does not exist.
  await removeRel(a.path, checkpointPath(25));
  await editManifest(a.path, (m) => {
    m.checkpoints = m.checkpoints.filter((c) => c !== checkpointPath(25));
  });
  const tail = cli(['prove', a.path, '--index', '22', '--out', 'e22.tlog-proof', '--trust', 'log.pub']);
  assert.equal(tail.code, 1, tail.err);
  assert.match(tail.err, /^sealcheck: cannot prove entry 22: .*unsigned tail[^\n]*\n$/);
  assert.equal(existsSync(join(cliDir, 'e22.tlog-proof')), false);
  const witnessedProve = cli(['prove', a.path, '--index', '0', '--out', 'w0.tlog-proof', '--trust', 'log.pub', '--witness', 'w1.pub', '--quorum', '1']);
  assert.equal(witnessedProve.code, 0, witnessedProve.err);
  assert.match(witnessedProve.out, /against checkpoints\/000000000010\.ckpt/);
  assert.match(witnessedProve.out, /cosigned +by witness\.test\.example\/w1/);
  usage(['prove', a.path, '--index', '25', '--out', 'x.tlog-proof', '--trust', 'log.pub'], /no entry 25/);
  usage(['prove', a.path, '--index', '-1', '--out', 'x.tlog-proof', '--trust', 'log.pub'], /--index must be an entry index/);
  usage(['prove', a.path, '--index', '07', '--out', 'x.tlog-proof', '--trust', 'log.pub'], /--index must be an entry index/);
  usage(['prove', a.path, '--out', 'x.tlog-proof', '--trust', 'log.pub'], /--index is required/);
  usage(['prove', a.path, '--index', '1', '--trust', 'log.pub'], /--out is required/);
  usage(['prove', a.path, '--index', '1', '--out', 'x.tlog-proof'], /prove: at least one --trust KEY is required/);
  usage(['prove', join(cliDir, 'nowhere'), '--index', '1', '--out', 'x.tlog-proof', '--trust', 'log.pub'], /no such file or directory/);
  usage(['prove', a.path, '--index', '1', '--out', join(cliDir, 'no/such/dir/x.tlog-proof'), '--trust', 'log.pub'], /--out .*no\/such\/dir\/x\.tlog-proof: the folder .*no\/such\/dir does not exist/);
  assert.match(cli(['help']).out, /sealcheck prove ARCHIVE --index N --out FILE\.tlog-proof/);
  assert.match(cli(['help']).out, /sealcheck verify-proof FILE\.tlog-proof --entry RAW_EVENT_FILE --trust KEY/);
});
