// The fuzz targets: one per parser of untrusted bytes, each calling the real parsing code as the verifier does and asserting its error types, bounds and round trips.
import assert from 'node:assert/strict';
import zlib from 'node:zlib';
import fc from 'fast-check';
import { toBase64, decodeUtf8Strict } from '../../shared/core/bytes.ts';
import { pureHashing, ZERO_HASH } from '../../shared/core/hashing.ts';
import { isUtf8JsonObject } from '../../shared/core/json-object.ts';
import { COSIGNER_KEY, formatVerifierKey, KeyError, LOG_KEY, makeKey, parseSignerKey, parseVerifierKey, pemFromPublicKey, verifierKeyFromPem } from '../../shared/core/keys.ts';
import { ManifestError, parseManifest, segmentRangeProblem, type ManifestSegment } from '../../shared/core/manifest.ts';
import { encodeCosignature, formatCheckpointText, formatNote, MAX_NOTE_BYTES, MAX_SIGNATURES, NoteError, parseCheckpointText, parseNote, signatureLine, splitCosignature } from '../../shared/core/note.ts';
import { parseEvent } from '../../shared/core/parse-event.ts';
import { SegmentChecker } from '../../shared/core/segment-check.ts';
import { TarFormatError, TarParser, tarEnd, tarFileHeader, tarPadding, tarRoot, unsafeMembers, type TarMember } from '../../shared/core/tar.ts';
import { accessLineColumns, ingressJsonColumns } from '../../shared/core/formats/access-lines.ts';
import { recogniseLine, recogniseObject } from '../../shared/core/formats/detect.ts';
import { gkeToAuditEvent, isGkeAuditEntry } from '../../shared/core/formats/gke.ts';
import { isBareAuditEvent, unwrapAuditRecord } from '../../shared/core/formats/kubernetes-wrapped.ts';
import { RecordSplitError, RecordSplitter, splitRecords, type SplitRecord } from '../../shared/core/formats/record-split.ts';
import { nodeEd25519, nodeHashing } from '../../electron/services/crypto.node.ts';
import { GzipFormatError, gunzipStrict, gzipMember } from '../../electron/services/gzip.node.ts';
import { anchorFromBytes, parseVerifierKeyText, UsageError } from '../../electron/services/keys.node.ts';
import { formatProof, MAX_PROOF_BYTES, parseProof, ProofFormatError, verifyProof } from '../../electron/services/proof.node.ts';
import { checkpointText, logKey, ORIGIN, publicOf, signNote, witness1 } from '../helpers/archives.ts';
import { expectOwnError, FuzzFailure, readSeed, readSeedDir, type FuzzTarget } from './engine.ts';

const utf8 = new TextEncoder();
const lenient = new TextDecoder('utf-8', { ignoreBOM: true });
const text = (b: Uint8Array): string => lenient.decode(b);

function check(ok: boolean, message: string): void {
  if (!ok) throw new FuzzFailure(message);
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && Buffer.from(a.buffer, a.byteOffset, a.length).equals(Buffer.from(b.buffer, b.byteOffset, b.length));
}

function concat(parts: Uint8Array[]): Uint8Array {
  return new Uint8Array(Buffer.concat(parts));
}

/** Where to cut an input into chunks: derived from the input so a failure replays exactly. */
function cuts(input: Uint8Array): number[] {
  let h = input.length * 2654435761;
  for (let i = 0; i < Math.min(16, input.length); i++) h = Math.imul(h ^ input[i]!, 16777619);
  const out: number[] = [];
  let at = 0;
  while (at < input.length) {
    h = Math.imul(h ^ (h >>> 15), 2246822507) >>> 0;
    at += 1 + (h % 700);
    out.push(Math.min(at, input.length));
  }
  return out;
}

function chunked(input: Uint8Array): Uint8Array[] {
  const out: Uint8Array[] = [];
  let from = 0;
  for (const c of cuts(input)) {
    out.push(input.slice(from, c));
    from = c;
  }
  return out;
}

const safeName = fc.stringMatching(/^[a-z0-9][a-z0-9._-]{0,20}(\/[a-z0-9][a-z0-9._-]{0,20}){0,3}$/);
const bytesArb = (max: number) => fc.uint8Array({ maxLength: max });

// ---------- tar ----------

interface TarRun {
  members: TarMember[];
  data: Map<number, Uint8Array[]>;
  error: string | null;
}

function parseTar(chunks: Uint8Array[]): TarRun {
  const members: TarMember[] = [];
  const data = new Map<number, Uint8Array[]>();
  const p = new TarParser({
    member: (m) => {
      members.push({ ...m });
      data.set(members.length - 1, []);
    },
    data: (_m, chunk) => data.get(members.length - 1)!.push(chunk.slice()),
  });
  try {
    for (const c of chunks) p.push(c);
    p.end();
    return { members, data, error: null };
  } catch (e) {
    expectOwnError(e, [TarFormatError], 'TarParser');
    return { members, data, error: (e as Error).message };
  }
}

function tarOf(files: [string, Uint8Array][]): Uint8Array {
  const parts: Uint8Array[] = [];
  let n = 0;
  for (const [path, content] of files) {
    for (const p of [tarFileHeader(path, content.length, 1_700_000_000), content, tarPadding(content.length)]) {
      parts.push(p);
      n += p.length;
    }
  }
  parts.push(tarEnd(n));
  return concat(parts);
}

const tarTarget: FuzzTarget = {
  name: 'tar',
  asserts: 'TarFormatError only; members lie inside the input and are at most one per 512-byte block; the same members and error whether the stream comes whole or in chunks; unsafeMembers/tarRoot never throw; tarFileHeader → TarParser round trip is exact (path, size, content)',
  files: ['shared/core/tar.ts'],
  maxLength: 64 * 1024,
  dict: ['ustar\x0000', 'ustar  \x00', '././@LongLink', 'PaxHeaders/', ' path=', ' size=', ' GNU.sparse.major=', '\n', '0000644\x00', '00000000000\x00', '\x80\x00\x00\x00', '../', './', '/', '\\', 'manifest.json', 'segments/000000000000.jsonl', 'x', 'g', 'L', 'K', '5', '0', '2'],
  seeds: () => [
    tarOf([['manifest.json', utf8.encode('{}')]]),
    tarOf([['a/manifest.json', utf8.encode('{"format":1}')], ['a/segments/000000000000.jsonl', utf8.encode('{}\n')]]),
    tarOf([['d/' + 'x'.repeat(150) + '/manifest.json', new Uint8Array(700)]]),
    concat(zlibGunzipAll(readSeed('resources/self-test/04-clean-tar-gz/archive.tar.gz', 1 << 20))),
  ],
  arbitrary: fc.array(fc.tuple(safeName, bytesArb(1200)), { maxLength: 4 }).map((files) => tarOf(files)),
  run(input) {
    const whole = parseTar([input]);
    const split = parseTar(chunked(input));
    check(whole.error === split.error, `whole vs chunked: ${whole.error} / ${split.error}`);
    check(whole.members.length === split.members.length, `whole vs chunked: ${whole.members.length} / ${split.members.length} members`);
    check(whole.members.length <= Math.ceil(input.length / 512), `${whole.members.length} members from ${input.length} bytes`);
    for (const [i, m] of whole.members.entries()) {
      assert.deepEqual(m, split.members[i], 'whole vs chunked member');
      check(m.dataOffset <= input.length && m.headerOffset < m.dataOffset, `member ${m.rawName} offsets ${m.headerOffset}/${m.dataOffset} outside the input`);
      const got = whole.data.get(i)!.reduce((n, c) => n + c.length, 0);
      check(got <= m.size, `member ${m.rawName}: ${got} content bytes for size ${m.size}`);
      if (whole.error === null && m.kind !== 'directory') check(got === m.size, `member ${m.rawName}: ${got} content bytes for size ${m.size}`);
    }
    unsafeMembers(whole.members);
    tarRoot(whole.members);
    // Writer → reader: a file named after the input's first bytes, the input as its content.
    const name = text(input.subarray(0, 40)).replace(/[^a-z0-9/._-]/gi, 'n').replace(/\/+/g, '/').replace(/^\/|\/$/g, '').replace(/(^|\/)\.\.?(?=\/|$)/g, '$1n') || 'n';
    const round = parseTar([tarOf([[name, input]])]);
    check(round.error === null && round.members.length === 1 && round.members[0]!.path === name && round.members[0]!.size === input.length, `tar round trip of ${JSON.stringify(name)} failed: ${round.error}`);
    check(sameBytes(concat(round.data.get(0)!), input), 'tar round trip changed the content');
  },
};

function zlibGunzipAll(b: Uint8Array): Uint8Array[] {
  return [new Uint8Array(zlib.gunzipSync(b))];
}

// ---------- gzip ----------

const OUT_CHUNK = 64 * 1024;
/** Deflate's largest expansion is about 1032:1; the output of a bomb stays proportional to its input. */
const DEFLATE_RATIO = 1032;

async function gunzipAll(chunks: Uint8Array[], trailing: 'none' | 'zeros', inputLength: number): Promise<{ out: Uint8Array | null; error: string | null }> {
  const parts: Uint8Array[] = [];
  let total = 0;
  async function* src() {
    for (const c of chunks) yield c;
  }
  try {
    for await (const out of gunzipStrict(src(), trailing)) {
      check(out.length <= OUT_CHUNK, `gunzipStrict yielded ${out.length} bytes at once, over ${OUT_CHUNK}`);
      total += out.length;
      check(total <= DEFLATE_RATIO * inputLength + OUT_CHUNK, `gunzipStrict produced ${total} bytes from ${inputLength}`);
      parts.push(out.slice());
    }
    return { out: concat(parts), error: null };
  } catch (e) {
    expectOwnError(e, [GzipFormatError], 'gunzipStrict');
    return { out: null, error: (e as Error).message };
  }
}

function gzipWithHeader(flags: number, body: Uint8Array, name: string): Uint8Array {
  const m = gzipMember(body);
  const extra: Uint8Array[] = [];
  if (flags & 4) extra.push(Uint8Array.of(3, 0, 1, 2, 3));
  if (flags & 8) extra.push(utf8.encode(`${name}\0`));
  if (flags & 16) extra.push(utf8.encode('comment\0'));
  const head = m.slice(0, 10);
  head[3] = flags & 0x1c;
  return concat([head, ...extra, m.subarray(10)]);
}

const gzipTarget: FuzzTarget = {
  name: 'gzip',
  asserts: "GzipFormatError only; no output chunk over 64 KiB and total output at most 1032 × input + 64 KiB (bombs bounded); same result whole or chunked; what strict gunzip accepts with trailing 'none', node's zlib.gunzipSync accepts with the same bytes; gzipMember → gunzipStrict round trip exact",
  files: ['electron/services/gzip.node.ts'],
  maxLength: 32 * 1024,
  dict: ['\x1f\x8b\x08\x00', '\x1f\x8b\x08\x1f', '\x1f\x8b', '\x00\x00\x00\x00\x00\x00\x00\x00', '\x03\x00', '\x01\x00\x00\xff\xff', '\xff\xff\xff\xff'],
  seeds: () => [gzipMember(utf8.encode('{"a":1}\n')), concat([gzipMember(new Uint8Array(100)), gzipMember(utf8.encode('x'))]), gzipWithHeader(0x1c, utf8.encode('hello'), 'n'), concat([gzipMember(new Uint8Array(1 << 16)), new Uint8Array(20)]), readSeed('resources/self-test/04-clean-tar-gz/archive.tar.gz')],
  arbitrary: fc.array(fc.tuple(fc.integer({ min: 0, max: 31 }), bytesArb(400), fc.boolean()), { minLength: 1, maxLength: 3 }).map((ms) => concat(ms.map(([f, b, rep]) => gzipWithHeader(f, rep ? new Uint8Array(20000).fill(b[0] ?? 0) : b, 'n')))),
  async run(input) {
    const none = await gunzipAll([input], 'none', input.length);
    const zeros = await gunzipAll(chunked(input), 'zeros', input.length);
    const noneChunked = await gunzipAll(chunked(input), 'none', input.length);
    check(none.error === noneChunked.error && (none.out === null || sameBytes(none.out, noneChunked.out!)), `whole vs chunked: ${none.error} / ${noneChunked.error}`);
    if (none.out) {
      check(zeros.out !== null && sameBytes(zeros.out, none.out), `accepted with trailing 'none' but not 'zeros': ${zeros.error}`);
      let reference: Uint8Array;
      try {
        reference = zlib.gunzipSync(input);
      } catch (e) {
        throw new FuzzFailure(`strict gunzip accepted what zlib refuses: ${(e as Error).message}`);
      }
      check(sameBytes(reference, none.out), 'strict gunzip and zlib disagree on the bytes');
    }
    const round = await gunzipAll([gzipMember(input)], 'none', input.length + 64);
    check(round.out !== null && sameBytes(round.out, input), `gzipMember round trip: ${round.error}`);
  },
};

// ---------- manifest ----------

const hex64 = fc.stringMatching(/^[0-9a-f]{64}$/);
const manifestArb = fc
  .record({
    format: fc.constantFrom('sealed-audit-archive/v1', 'sealed-audit-archive/v2'),
    origin: fc.constantFrom(ORIGIN, 'bad name', ''),
    counts: fc.array(fc.integer({ min: 0, max: 5000 }), { maxLength: 4 }),
    gzip: fc.boolean(),
    kind: fc.constantFrom('kubernetes-audit', 'traefik-access', 'nope', undefined),
    extra: fc.jsonValue({ maxDepth: 3 }),
    sha: hex64,
  })
  .map((r) => {
    let first = 0;
    const segments = r.counts.map((count) => {
      const n = String(first).padStart(12, '0');
      first += count;
      return { path: `segments/${n}.jsonl${r.gzip ? '.gz' : ''}`, chain: `segments/${n}.chain`, first: first - count, count, sha256: r.sha, chainSha256: r.sha };
    });
    return utf8.encode(JSON.stringify({ format: r.format, origin: r.origin, entries: first, source: r.kind ? { kind: r.kind } : undefined, producer: { name: 'x' }, segments, checkpoints: [`checkpoints/${String(first).padStart(12, '0')}.ckpt`], extra: r.extra }));
  });

const manifestTarget: FuzzTarget = {
  name: 'manifest',
  asserts: 'ManifestError only (deep nesting, huge numbers and lone surrogates included); a parsed manifest has integer first/count, 64-hex digests, distinct paths, and segmentRangeProblem never throws',
  files: ['shared/core/manifest.ts'],
  maxLength: 64 * 1024,
  dict: ['{', '}', '[', ']', ':', ',', '"', 'true', 'false', 'null', '1e309', '-0', '\\u0000', '\\ud800', '"format"', '"sealed-audit-archive/v1"', '"origin"', '"entries"', '"segments"', '"checkpoints"', '"path"', '"chain"', '"first"', '"count"', '"sha256"', '"chainSha256"', '"source"', '"kind"', 'segments/000000000000.jsonl', '.gz', 'checkpoints/000000000001.ckpt', '\ufeff'],
  seeds: () => [...readSeedDir('resources/self-test', (n) => n === 'manifest.json'), ...fc.sample(manifestArb, { numRuns: 5, seed: 1 })],
  arbitrary: manifestArb,
  run(input) {
    let m;
    try {
      m = parseManifest(input);
    } catch (e) {
      expectOwnError(e, [ManifestError], 'parseManifest');
      return;
    }
    const paths = new Set<string>();
    for (const s of m.segments) {
      check(Number.isSafeInteger(s.first) && s.first >= 0 && Number.isSafeInteger(s.count) && s.count >= 1, `segment ${s.path}: first ${s.first}, count ${s.count}`);
      check(/^[0-9a-f]{64}$/.test(s.sha256) && /^[0-9a-f]{64}$/.test(s.chainSha256), `segment ${s.path}: digests`);
      for (const p of [s.path, s.chain]) {
        check(!paths.has(p), `path ${p} accepted twice`);
        paths.add(p);
      }
    }
    check(Number.isSafeInteger(m.entries) && m.entries >= 0, `entries ${m.entries}`);
    segmentRangeProblem(m);
  },
};

// ---------- note / checkpoint / cosignature ----------

const rootArb = fc.uint8Array({ minLength: 32, maxLength: 32 });
const noteArb = fc.tuple(fc.constantFrom(ORIGIN, 'other.example/log'), fc.nat(), rootArb, fc.bigInt({ min: 0n, max: (1n << 63n) - 1n }), fc.boolean()).map(([origin, size, root, time, cosign]) =>
  utf8.encode(signNote(checkpointText(origin, size, root), { logKeys: [logKey], cosigners: cosign ? [{ key: witness1, time }] : [] })),
);

const noteTarget: FuzzTarget = {
  name: 'note',
  asserts: 'parseNote/parseCheckpointText: NoteError only; at most 1 MiB and 100 signatures; formatNote(text, signature lines) gives back the exact input; formatCheckpointText gives back the exact checkpoint body; splitCosignature/encodeCosignature round trip; anchorFromBytes: UsageError only',
  files: ['shared/core/note.ts', 'electron/services/keys.node.ts'],
  maxLength: 16 * 1024,
  dict: ['\u2014 ', '\n\n', '\n', ORIGIN, 'witness.test.example/w1', '+', '=', '==', 'AAAA', '/', '0\n', '18446744073709551616\n', '\r', '\t', '\u00a0', '\ufeff'],
  seeds: () => [...readSeedDir('resources/self-test', (n) => n.endsWith('.ckpt')), ...fc.sample(noteArb, { numRuns: 4, seed: 2 })],
  arbitrary: noteArb,
  run(input) {
    let note;
    try {
      note = parseNote(input);
    } catch (e) {
      expectOwnError(e, [NoteError], 'parseNote');
      note = null;
    }
    try {
      anchorFromBytes(input, 'fuzz.ckpt', [publicOf(logKey)]);
    } catch (e) {
      expectOwnError(e, [UsageError], 'anchorFromBytes');
    }
    if (!note) return;
    check(input.length <= MAX_NOTE_BYTES && note.signatures.length <= MAX_SIGNATURES, 'note bounds');
    const again = utf8.encode(formatNote(note.text, note.signatures.map((s) => signatureLine(s.name, s.keyId, s.signature))));
    check(sameBytes(again, input), 'formatNote(parseNote(x)) is not x');
    for (const s of note.signatures) {
      const c = splitCosignature(s.signature);
      if (c) check(sameBytes(encodeCosignature(c.time, c.signature), s.signature), 'cosignature round trip');
    }
    let cp;
    try {
      cp = parseCheckpointText(note.text);
    } catch (e) {
      expectOwnError(e, [NoteError], 'parseCheckpointText');
      return;
    }
    if (Number.isSafeInteger(cp.size)) check(formatCheckpointText(cp.origin, cp.size, cp.root) === note.text, 'formatCheckpointText(parseCheckpointText(x)) is not x');
  },
};

// ---------- keys ----------

const keyArb = fc.tuple(safeName, fc.constantFrom(LOG_KEY, COSIGNER_KEY), fc.uint8Array({ minLength: 32, maxLength: 32 }), fc.boolean()).map(([name, type, pub, pem]) =>
  utf8.encode(pem ? pemFromPublicKey(pub) : `${formatVerifierKey(makeKey(name, type, pub))}\n`),
);

const keysTarget: FuzzTarget = {
  name: 'keys',
  asserts: 'parseVerifierKey/parseSignerKey/verifierKeyFromPem/parseVerifierKeyText: KeyError only; formatVerifierKey(parseVerifierKey(x)) parses to the same key; a PEM key parsed and written back parses to the same key',
  files: ['shared/core/keys.ts', 'electron/services/keys.node.ts'],
  maxLength: 4096,
  dict: ['-----BEGIN PUBLIC KEY-----\n', '\n-----END PUBLIC KEY-----\n', 'MCowBQYDK2VwAyEA', 'PRIVATE+KEY+', '+', '=', '\r\n', 'AQ', 'BA', ORIGIN],
  seeds: () => [...readSeedDir('resources/self-test/keys'), utf8.encode(formatVerifierKey(publicOf(logKey))), utf8.encode(formatVerifierKey(publicOf(witness1))), utf8.encode(pemFromPublicKey(logKey.publicKey))],
  arbitrary: keyArb,
  run(input) {
    const t = text(input);
    try {
      const k = parseVerifierKey(t);
      assert.deepEqual(parseVerifierKey(formatVerifierKey(k)), k);
    } catch (e) {
      expectOwnError(e, [KeyError, assert.AssertionError], 'parseVerifierKey');
      if (e instanceof assert.AssertionError) throw new FuzzFailure(`key string round trip: ${e.message.split('\n')[0]}`);
    }
    try {
      const k = verifierKeyFromPem('pem.example/log', t);
      assert.deepEqual(verifierKeyFromPem('pem.example/log', pemFromPublicKey(k.publicKey)), k);
    } catch (e) {
      expectOwnError(e, [KeyError, assert.AssertionError], 'verifierKeyFromPem');
      if (e instanceof assert.AssertionError) throw new FuzzFailure('PEM round trip');
    }
    for (const want of [LOG_KEY, COSIGNER_KEY]) {
      try {
        parseVerifierKeyText(t, want, 'pem.example/log');
      } catch (e) {
        expectOwnError(e, [KeyError], 'parseVerifierKeyText');
      }
    }
    try {
      parseSignerKey(t, nodeEd25519.publicKeyFromSeed);
    } catch (e) {
      expectOwnError(e, [KeyError], 'parseSignerKey');
    }
  },
};

// ---------- tlog-proof ----------

const proofArb = fc.tuple(fc.nat({ max: 1000 }), fc.array(rootArb, { maxLength: 12 }), noteArb, fc.option(bytesArb(40))).map(([index, hashes, note, extra]) => utf8.encode(formatProof(index, hashes, text(note), extra)));
const proofPolicy = { logKeys: [publicOf(logKey)], witnessKeys: [publicOf(witness1)], quorum: 0, origin: null };

const proofTarget: FuzzTarget = {
  name: 'tlog-proof',
  asserts: 'parseProof: ProofFormatError only, at most MAX_PROOF_BYTES; formatProof(parseProof(x)) is exactly x; verifyProof returns a verdict with a reason and never throws',
  files: ['electron/services/proof.node.ts', 'shared/core/note.ts', 'shared/core/merkle.ts'],
  maxLength: 16 * 1024,
  dict: ['c2sp.org/tlog-proof@v1\n', 'extra ', 'index ', 'index 0\n', '\n\n', '\u2014 ', ORIGIN, '=\n', 'AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n'],
  seeds: () => fc.sample(proofArb, { numRuns: 6, seed: 3 }),
  arbitrary: proofArb,
  run(input) {
    let p;
    try {
      p = parseProof(input);
    } catch (e) {
      expectOwnError(e, [ProofFormatError], 'parseProof');
    }
    if (p) {
      check(input.length <= MAX_PROOF_BYTES, 'proof bound');
      const again = utf8.encode(formatProof(p.index, p.hashes, text(p.checkpointBytes), p.extra));
      check(sameBytes(again, input), 'formatProof(parseProof(x)) is not x');
    }
    const v = verifyProof(input, input.subarray(0, 20), proofPolicy, nodeHashing);
    check(typeof v.reason === 'string' && (v.proven || v.reason.length > 0), 'verdict without a reason');
  },
};

// ---------- segment + chain ----------

function segmentOf(first: number, count: number): ManifestSegment {
  const n = String(first).padStart(12, '0');
  return { path: `segments/${n}.jsonl`, chain: `segments/${n}.chain`, first, count, sha256: '', chainSha256: '', gzip: false };
}

function honestChain(lines: Uint8Array[]): Uint8Array {
  let prev: Uint8Array = ZERO_HASH;
  const out: string[] = [];
  for (const e of lines) {
    const leaf = pureHashing.leaf(e);
    prev = pureHashing.link(prev, leaf);
    out.push(`${Buffer.from(leaf).toString('hex')} ${Buffer.from(prev).toString('hex')}\n`);
  }
  return utf8.encode(out.join(''));
}

function splitLines(b: Uint8Array): Uint8Array[] {
  const out: Uint8Array[] = [];
  let from = 0;
  for (;;) {
    const lf = b.indexOf(0x0a, from);
    if (lf < 0) break;
    out.push(b.subarray(from, lf));
    from = lf + 1;
  }
  return out;
}

const SEPARATOR = utf8.encode('\n=====chain=====\n');
const segmentArb = fc.array(fc.oneof(fc.json({ maxDepth: 2 }), fc.string({ minLength: 1, maxLength: 40 })), { minLength: 1, maxLength: 30 }).map((lines) => {
  const entries = utf8.encode(lines.map((l) => l.replace(/\n/g, ' ') + '\n').join(''));
  return concat([entries, SEPARATOR, honestChain(splitLines(entries))]);
});

const segmentTarget: FuzzTarget = {
  name: 'segment',
  asserts: "SegmentChecker never throws on any entries/chain bytes, cut anywhere; the findings are the same whole or chunked; an honestly sealed segment (every non-empty line, its own chain) checks with no finding and the right counts",
  files: ['shared/core/segment-check.ts', 'shared/core/json-object.ts', 'shared/core/merkle.ts'],
  maxLength: 32 * 1024,
  dict: ['\n', '\r\n', ' ', '0000000000000000000000000000000000000000000000000000000000000000', '{}', '{"a":1}', '=====chain=====', 'f', 'A'],
  seeds: () => [...fc.sample(segmentArb, { numRuns: 4, seed: 4 }), ...readSeedDir('../shared/data/audit-logs', (n) => n.endsWith('.jsonl'), 4096).map((b) => concat([b.subarray(0, b.lastIndexOf(0x0a) + 1), SEPARATOR, honestChain(splitLines(b.subarray(0, b.lastIndexOf(0x0a) + 1)))]))],
  arbitrary: segmentArb,
  run(input) {
    const sep = Buffer.from(input).indexOf(SEPARATOR);
    const entries = sep < 0 ? input : input.subarray(0, sep);
    const chain = sep < 0 ? honestChain(splitLines(input).filter((l) => l.length > 0)) : input.subarray(sep + SEPARATOR.length);
    const lines = splitLines(entries);
    const count = Math.max(1, lines.length);
    const results = [false, true].map((cut) => {
      const c = new SegmentChecker({ segment: segmentOf(0, count), kind: cut ? 'kubernetes-audit' : null, checkpointSizes: [1, count] }, nodeHashing);
      const e = entries.slice();
      for (const part of cut ? chunked(e) : [e]) c.pushEntries(part);
      c.endEntries();
      for (const part of cut ? chunked(chain.slice()) : [chain.slice()]) c.pushChain(part);
      c.endChain();
      return c.finish();
    });
    const [whole] = results;
    const honest = sep < 0 && lines.length > 0 && lines.every((l) => l.length > 0) && entries[entries.length - 1] === 0x0a;
    if (honest) {
      check(whole!.findings.listed.length === 0 && whole!.findings.omitted.length === 0, `honest segment gave findings: ${whole!.findings.listed.map((f) => f.code).join(', ')}`);
      check(whole!.entriesRead === lines.length && whole!.chainLines === lines.length, `honest segment: ${whole!.entriesRead} entries, ${whole!.chainLines} chain lines for ${lines.length}`);
    }
    // The JSON rule aside (kind differs), whole and chunked runs agree on everything else.
    const codes = (r: typeof whole) => r!.findings.listed.filter((f) => f.code !== 'entry-not-json').map((f) => `${f.code}@${f.index ?? ''}`).sort().join(',');
    check(codes(results[0]) === codes(results[1]), `whole vs chunked findings differ: ${codes(results[0])} / ${codes(results[1])}`);
  },
};

// ---------- audit events, access logs, export shapes ----------

function isJsonObjectOracle(b: Uint8Array): boolean {
  if (b[0] === 0xef && b[1] === 0xbb && b[2] === 0xbf) return false;
  const t = decodeUtf8Strict(b);
  if (t === null) return false;
  try {
    const v: unknown = JSON.parse(t);
    return typeof v === 'object' && v !== null && !Array.isArray(v);
  } catch {
    return false;
  }
}

const eventArb = fc.oneof(
  fc.record({ kind: fc.constant('Event'), apiVersion: fc.constantFrom('audit.k8s.io/v1', 'audit.k8s.io/v1beta1'), level: fc.constantFrom('Metadata', 'Request'), auditID: fc.uuid(), stage: fc.constantFrom('ResponseComplete', 'RequestReceived'), verb: fc.constantFrom('get', 'create', 'delete'), requestURI: fc.webPath(), user: fc.record({ username: fc.string(), groups: fc.array(fc.string()) }), sourceIPs: fc.array(fc.ipV4()), objectRef: fc.record({ resource: fc.string(), namespace: fc.string(), name: fc.string() }), responseStatus: fc.record({ code: fc.integer() }), requestReceivedTimestamp: fc.date({ noInvalidDate: true }).map((d) => d.toISOString()) }).map((o) => JSON.stringify(o)),
  fc.tuple(fc.ipV4(), fc.constantFrom('GET', 'POST'), fc.webPath(), fc.integer({ min: 100, max: 599 }), fc.nat()).map(([ip, m, p, s, n]) => `${ip} - - [04/Dec/2026:14:00:00 +0000] "${m} ${p} HTTP/1.1" ${s} ${n} "-" "curl/8" 120 0.003 [default-svc-80] [] 10.0.0.1:80 ${n} 0.003 ${s} abc`),
  fc.jsonValue({ maxDepth: 4 }).map((v) => JSON.stringify({ records: [v], logName: 'projects/p/logs/cloudaudit.googleapis.com%2Factivity', protoPayload: v })),
).map((s) => utf8.encode(s));

const eventsTarget: FuzzTarget = {
  name: 'events',
  asserts: 'parseEvent never throws and its json column equals isUtf8JsonObject(bytes) for every kind; the format recognisers underneath (recogniseLine/recogniseObject, unwrapAuditRecord, gkeToAuditEvent, ingressJsonColumns, accessLineColumns) never throw at all — parseEvent swallows their exceptions, so they are called directly',
  files: ['shared/core/parse-event.ts', 'shared/core/formats/access-lines.ts', 'shared/core/formats/detect.ts', 'shared/core/formats/gke.ts', 'shared/core/formats/kubernetes-wrapped.ts'],
  maxLength: 16 * 1024,
  dict: ['"kind":"Event"', '"apiVersion":"audit.k8s.io/v1"', '"objectRef"', '"user"', '"username"', '"sourceIPs"', '"requestReceivedTimestamp"', '"stageTimestamp"', '"protoPayload"', '"methodName"', '"resourceName"', '"logName"', '"records"', '"properties"', '"log"', '"message"', '"structure"', '"resourceLogs"', '"body"', '"stringValue"', '"status"', '"remote_addr"', '"request_method"', ' - - [', '] "GET ', ' HTTP/1.1" ', '2026-12-04T14:00:00.123456Z', '+0000', '\\"', '\\u0000', '{', '}', '[', ']', ':', ','],
  seeds: () => [...readSeedDir('../shared/data/audit-logs', () => true, 2048), ...readSeedDir('../shared/data/more-logs', () => true, 2048), ...readSeedDir('test/fixtures/formats', () => true, 2048)].flatMap((b) => splitLines(concat([b, Uint8Array.of(10)])).filter((l) => l.length > 0).slice(0, 3)),
  arbitrary: eventArb,
  run(input) {
    const json = isUtf8JsonObject(input);
    check(json === isJsonObjectOracle(input), `isUtf8JsonObject says ${json}, JSON.parse disagrees`);
    for (const kind of ['kubernetes-audit', 'openshift-audit', 'ingress-nginx', 'traefik-access', 'other'] as const) {
      const f = parseEvent(input, kind);
      check(f.json === json, `parseEvent(${kind}).json is ${f.json}, isUtf8JsonObject is ${json}`);
    }
    const t = text(input);
    try {
      recogniseLine(t);
      accessLineColumns(t);
      let o: unknown = null;
      try {
        o = JSON.parse(t);
      } catch {
        // Not JSON: the line recognisers above are the whole story.
      }
      if (typeof o === 'object' && o !== null && !Array.isArray(o)) {
        const obj = o as Record<string, unknown>;
        recogniseObject(obj);
        isBareAuditEvent(obj);
        unwrapAuditRecord(obj);
        if (isGkeAuditEntry(obj)) gkeToAuditEvent(obj);
        ingressJsonColumns(obj);
      }
    } catch (e) {
      if (e instanceof FuzzFailure) throw e;
      throw new FuzzFailure(`a format recogniser threw ${(e as Error).name}: ${(e as Error).message}`);
    }
  },
};

// ---------- JSON object checker ----------

const jsonObjectTarget: FuzzTarget = {
  name: 'json-object',
  asserts: 'isUtf8JsonObject(bytes, start, end) equals strict UTF-8 decoding + no BOM + JSON.parse giving an object, on the whole input and on sub-ranges; never throws (deep nesting included)',
  files: ['shared/core/json-object.ts'],
  maxLength: 16 * 1024,
  dict: ['{', '}', '[', ']', ':', ',', '"', '\\', '\\u', '\\ud83d\\ude00', 'true', 'false', 'null', '-0.0e+1', '1E400', '\ufeff', '\xff', '\xc0\x80', '\xed\xa0\x80', '\xf4\x90\x80\x80', ' ', '\t', '\r\n'],
  seeds: () => readSeedDir('../shared/data/audit-logs', () => true, 2048).flatMap((b) => splitLines(b).slice(0, 2)),
  arbitrary: fc.oneof(fc.json({ maxDepth: 5 }), fc.jsonValue().map((v) => JSON.stringify({ v }, null, 1)), fc.string({ unit: 'binary' })).map((s) => utf8.encode(s)),
  run(input) {
    check(isUtf8JsonObject(input) === isJsonObjectOracle(input), `isUtf8JsonObject(${input.length} bytes) disagrees with JSON.parse`);
    const [a = 0, b = 0] = cuts(input);
    const start = Math.min(a, input.length);
    const end = Math.min(input.length, start + b);
    check(isUtf8JsonObject(input, start, end) === isJsonObjectOracle(input.subarray(start, end)), `isUtf8JsonObject on [${start}, ${end}) disagrees with JSON.parse`);
  },
};

// ---------- record splitter (export shapes) ----------

function collect(s: RecordSplitter, chunks: Uint8Array[]): SplitRecord[] {
  const out: SplitRecord[] = [];
  for (const c of chunks) for (const r of s.push(c)) out.push({ ...r, bytes: r.bytes.slice() });
  for (const r of s.end()) out.push({ ...r, bytes: r.bytes.slice() });
  return out;
}

const exportArb = fc
  .tuple(fc.array(fc.dictionary(fc.string({ maxLength: 8 }), fc.jsonValue({ maxDepth: 3 }), { minKeys: 1, maxKeys: 4 }), { minLength: 1, maxLength: 4 }), fc.constantFrom('records', 'items', 'events', 'logEvents', 'entries', 'otlp', '[]', 'lines'), fc.constantFrom(0, 2))
  .map(([objs, shape, indent]) => {
    const j = (v: unknown) => JSON.stringify(v, null, indent);
    if (shape === 'lines') return objs.map((o) => JSON.stringify(o)).join('\n') + '\n';
    if (shape === '[]') return j(objs);
    if (shape === 'otlp') return j({ resourceLogs: [{ scopeLogs: [{ logRecords: objs }] }] });
    return j({ [shape]: objs });
  })
  .map((s) => utf8.encode(s));

const recordSplitTarget: FuzzTarget = {
  name: 'record-split',
  asserts: 'RecordSplitError only; every record is one line (no LF), parses as JSON to exactly what its [start, end) slice of the input parses to, is byte-identical to that slice when no line break was removed; the same records whole or chunked',
  files: ['shared/core/formats/record-split.ts'],
  maxLength: 32 * 1024,
  dict: ['{"records":[', '{"items":[', '{"events":[', '{"logEvents":[', '{"entries":[', '{"resourceLogs":[{"scopeLogs":[{"logRecords":[', ']}', '[', ']', '{', '}', ',', ':', '"', '\\"', '\n  ', '\r\n', '\ufeff', 'null', '1e5'],
  seeds: () => [...readSeedDir('../shared/data/more-logs', (n) => n.endsWith('.json'), 8192), ...readSeedDir('test/fixtures/formats', (n) => n.endsWith('.json'), 8192)],
  arbitrary: exportArb,
  run(input) {
    let whole: SplitRecord[];
    let error: string | null = null;
    try {
      whole = splitRecords(input).records.map((r) => ({ ...r, bytes: r.bytes.slice() }));
    } catch (e) {
      expectOwnError(e, [RecordSplitError], 'splitRecords');
      whole = [];
      error = (e as Error).message;
    }
    let split: SplitRecord[] = [];
    let splitError: string | null = null;
    try {
      split = collect(new RecordSplitter(), chunked(input));
    } catch (e) {
      expectOwnError(e, [RecordSplitError], 'RecordSplitter.push');
      splitError = (e as Error).message;
    }
    check(error === splitError, `whole vs chunked: ${error} / ${splitError}`);
    if (error !== null) return;
    check(split.length === whole.length, `whole vs chunked: ${whole.length} / ${split.length} records`);
    for (const [i, r] of whole.entries()) {
      check(sameBytes(r.bytes, split[i]!.bytes) && r.start === split[i]!.start && r.end === split[i]!.end, `record ${i} differs whole vs chunked`);
      check(!r.bytes.includes(0x0a), `record ${i} contains a line feed`);
      const slice = input.subarray(r.start, r.end);
      if (!r.lineBreaksRemoved) check(sameBytes(r.bytes, slice), `record ${i} is not its slice of the input`);
      let a: unknown;
      let b: unknown;
      try {
        a = JSON.parse(text(r.bytes));
        b = JSON.parse(text(slice).replace(/^\ufeff/, ''));
      } catch (e) {
        throw new FuzzFailure(`record ${i} does not parse as JSON: ${(e as Error).message}`);
      }
      try {
        assert.deepEqual(a, b);
      } catch {
        throw new FuzzFailure(`record ${i} parses to something else than its slice`);
      }
    }
  },
};

// ---------- attestation PDF / CMS (what verify-attestation reads) ----------

const pdfObj = (n: number, dict: string, body: Uint8Array): Uint8Array => concat([utf8.encode(`${n} 0 obj\n<< ${dict} /Length ${body.length} >>\nstream\n`), body, utf8.encode('\nendstream\nendobj\n')]);
const fakePdf = (payload: Uint8Array, flate: boolean, sig: string): Uint8Array =>
  concat([
    utf8.encode('%PDF-1.7\n'),
    pdfObj(4, `/Type /EmbeddedFile${flate ? ' /Filter /FlateDecode' : ''}`, flate ? new Uint8Array(zlib.deflateSync(payload)) : payload),
    utf8.encode(`5 0 obj\n<< /Type /Filespec /F (statement.dsse.json) /UF (statement.dsse.json) /EF << /F 4 0 R >> >>\nendobj\n${sig}`),
    utf8.encode('xref\n0 1\n0000000000 65535 f \ntrailer\n<< /Size 6 /Root 1 0 R >>\nstartxref\n9\n%%EOF\n'),
  ]);
const SIG_DICT = '6 0 obj\n<< /Type /Sig /Filter /Adobe.PPKLite /SubFilter /ETSI.CAdES.detached /ByteRange [0 100 200 50] /Contents <3082000102> >>\nendobj\n';
const pdfArb = fc.tuple(fc.jsonValue({ maxDepth: 2 }), fc.boolean(), fc.boolean()).map(([v, flate, sig]) => fakePdf(utf8.encode(JSON.stringify({ payloadType: 'application/vnd.in-toto+json', payload: toBase64(utf8.encode(JSON.stringify(v))), signatures: [{ keyid: '', sig: 'AAAA' }] })), flate, sig ? SIG_DICT : ''));

const attestationTarget: FuzzTarget = {
  name: 'attestation',
  asserts: 'the in-memory readers verify-attestation runs on a report it is handed — readDocumentTimestamp, embeddedFiles, verifyPdfSignature (PAdES/CMS), verifyEnvelope (DSSE), verifySshsig, examinerPublicKey — return verdicts or throw an Error with a one-line message, never a TypeError/RangeError or a zlib error escaping as an internal error',
  files: ['electron/services/attest/attest.node.ts', 'electron/services/attest/pades.node.ts', 'electron/services/attest/timestamp.node.ts', 'electron/services/attest/dsse.node.ts', 'electron/services/attest/sshsig.node.ts', 'electron/services/attest/examiner-key.node.ts'],
  maxLength: 32 * 1024,
  dict: ['/ByteRange [', '/Contents <', '>', '/Type /EmbeddedFile', '/Filter /FlateDecode', '/Length ', ' 0 obj', '<<', '>>', 'stream\n', '\nendstream', 'endobj', 'xref\n', 'trailer', 'startxref\n', '%%EOF\n', '/Prev ', '/DocTimeStamp', '/Type /Sig', '/SubFilter /ETSI.RFC3161', '-----BEGIN SSH SIGNATURE-----\n', '-----END SSH SIGNATURE-----', 'U1NIU0lH', 'ssh-ed25519 ', '-----BEGIN PUBLIC KEY-----\n', '"payloadType"', '"payload"', '"signatures"', '\x30\x82', '\x06\x09\x2a\x86\x48\x86\xf7\x0d\x01\x07\x02'],
  seeds: () => fc.sample(pdfArb, { numRuns: 6, seed: 5 }),
  arbitrary: pdfArb,
  async run(input) {
    const { embeddedFiles, examinerPublicKey } = await import('../../electron/services/attest/attest.node.ts');
    const { verifyPdfSignature } = await import('../../electron/services/attest/pades.node.ts');
    const { readDocumentTimestamp, checkDocumentTimestamp } = await import('../../electron/services/attest/timestamp.node.ts');
    const { verifyEnvelope } = await import('../../electron/services/attest/dsse.node.ts');
    const { verifySshsig } = await import('../../electron/services/attest/sshsig.node.ts');
    const plainError = (e: unknown, what: string) => {
      const bad = !(e instanceof Error) || e instanceof TypeError || e instanceof RangeError || e instanceof SyntaxError || 'code' in e;
      if (bad) throw new FuzzFailure(`${what} threw ${e instanceof Error ? `${e.name}${'code' in e ? ` (${String(e.code)})` : ''}: ${e.message}` : String(e)}`.slice(0, 300));
      expectOwnError(e, [Error], what);
    };
    const key = logKey.publicKey;
    try {
      const stamped = readDocumentTimestamp(input);
      if (stamped.timestamp || stamped.problem) checkDocumentTimestamp(stamped, input.length);
      const files = embeddedFiles(stamped.signedRevision);
      for (const f of files.values()) verifyEnvelope(Buffer.from(f).toString('utf8'), key);
      const v = verifyPdfSignature(stamped.signedRevision, key);
      check(typeof v.reason === 'string', 'PDF signature verdict without a reason');
    } catch (e) {
      plainError(e, 'reading the attestation PDF');
    }
    const t = text(input);
    try {
      verifyEnvelope(t, key);
      verifySshsig(t, input, key);
    } catch (e) {
      plainError(e, 'verifyEnvelope/verifySshsig');
    }
    try {
      examinerPublicKey(t);
    } catch (e) {
      plainError(e, 'examinerPublicKey');
    }
  },
};

// ---------- evidence excerpt (.tar.gz handed over for checking) ----------

function excerptOf(entry: Uint8Array, extraItems: number, status: 'disclosed' | 'withheld'): Uint8Array {
  const leaf = pureHashing.leaf(entry);
  const cp = signNote(checkpointText(ORIGIN, 1, leaf));
  const items = [{ index: 0, leaf: toBase64(leaf), status, ...(status === 'disclosed' ? { length: entry.length } : { reasons: [{ rule: 'examiner', detail: 'chosen' }] }) }];
  for (let i = 1; i <= extraItems; i++) items.push({ index: i, leaf: toBase64(leaf), status: 'disclosed', length: 1 });
  const manifest = { format: 'sealcheck-excerpt', version: 1, created: '2026-12-04T00:00:00Z', producer: { name: 'sealcheck' }, origin: ORIGIN, checkpoint: { path: 'checkpoint', size: 1, root: toBase64(leaf), source: 'checkpoints/000000000001.ckpt' }, source: {}, selection: { kind: 'indices', list: '0' }, complete: [{ first: 0, last: 0 }], items };
  const files: [string, Uint8Array][] = [['manifest.json', utf8.encode(JSON.stringify(manifest, null, 2))], ['checkpoint', utf8.encode(cp)], ['items/000000000000.tlog-proof', utf8.encode(formatProof(0, [], cp))]];
  if (status === 'disclosed') files.push(['items/000000000000.entry', concat([entry, Uint8Array.of(10)])]);
  return gzipMember(tarOf(files));
}

const excerptArb = fc.tuple(fc.uint8Array({ minLength: 1, maxLength: 200 }).map((b) => b.map((c) => (c === 10 ? 32 : c))), fc.nat({ max: 2 }), fc.constantFrom('disclosed' as const, 'withheld' as const)).map(([e, n, st]) => excerptOf(e, n, st));
let excerptFile: string | null = null;

const excerptTarget: FuzzTarget = {
  name: 'excerpt',
  asserts: 'verifyExcerpt on any file it is handed returns a verdict or a UsageError (not a .tar.gz); an invalid verdict names a problem or a failed item with its reason; a valid one has no problem',
  files: ['electron/services/excerpt.node.ts'],
  maxLength: 32 * 1024,
  dict: ['"sealcheck-excerpt"', '"version"', '"items"', '"complete"', '"withheld"', '"disclosed"', '"reasons"', '"redacted"', 'items/000000000000.entry', 'items/000000000000.tlog-proof', 'checkpoint', 'manifest.json', 'ustar\x0000', '\x1f\x8b\x08\x00'],
  seeds: () => fc.sample(excerptArb, { numRuns: 6, seed: 6 }),
  arbitrary: excerptArb,
  async run(input) {
    const { verifyExcerpt } = await import('../../electron/services/excerpt.node.ts');
    const { mkdtempSync, writeFileSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    excerptFile ??= join(mkdtempSync(join(tmpdir(), 'sealcheck-fuzz-excerpt-')), 'excerpt.tar.gz');
    writeFileSync(excerptFile, input);
    let v;
    try {
      v = await verifyExcerpt(excerptFile, { logKeys: [publicOf(logKey)], witnessKeys: [], quorum: 0, origin: null });
    } catch (e) {
      // Not a .tar.gz at all is bad usage (exit 2), said in one sentence.
      expectOwnError(e, [UsageError], 'verifyExcerpt');
      return;
    }
    check(v.valid || v.problems.length > 0 || v.items.some((i) => !i.ok && i.reason.length > 0), 'invalid excerpt without a problem or a failed item');
    check(!v.valid || v.problems.length === 0, `valid excerpt with problems: ${v.problems[0]}`);
  },
};

export const TARGETS: FuzzTarget[] = [tarTarget, gzipTarget, manifestTarget, noteTarget, keysTarget, proofTarget, segmentTarget, eventsTarget, jsonObjectTarget, recordSplitTarget, excerptTarget, attestationTarget];

