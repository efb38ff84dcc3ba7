// Test helper: deterministic keys, small archives sealed by the real sealer, and tools to tamper with them like a careful attacker.
import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { toBase64 } from '../../shared/core/bytes.ts';
import type { Anchor, TrustPolicy } from '../../shared/core/evaluate.ts';
import { FINDING_CODES, type Finding, type FindingCode, type Severity } from '../../shared/core/findings.ts';
import { COSIGNER_KEY, LOG_KEY, formatSignerKey, formatVerifierKey, makeKey, type KeyType, type SignerKey, type VerifierKey } from '../../shared/core/keys.ts';
import type { SourceKind } from '../../shared/core/manifest.ts';
import { cosignatureLine, formatCheckpointText, formatNote, logSignatureLine, signatureLine } from '../../shared/core/note.ts';
import type { VerifyReport } from '../../shared/core/report.ts';
import { tarEnd, tarFileHeader, tarPadding } from '../../shared/core/tar.ts';
import { nodeEd25519 } from '../../electron/services/crypto.node.ts';
import { gzipMember } from '../../electron/services/gzip.node.ts';
import { loadAnchor } from '../../electron/services/keys.node.ts';
import { seal } from '../../electron/services/seal.node.ts';
import { verifyArchive } from '../../electron/services/verify.node.ts';

// ---------- keys ----------

export const ORIGIN = 'audit.test.example/cluster-1';
/** The fixed time (unix seconds) archives are sealed at unless told otherwise, so cosignatures are reproducible. */
export const SEAL_TIME = 1_800_000_000;

/** A signer key whose seed is SHA-256 of a fixed label: the same label always gives the same key. */
export function seededKey(name: string, type: KeyType, label: string): SignerKey {
  const seed = new Uint8Array(createHash('sha256').update(`sealcheck-test-seed:${label}`).digest());
  return { ...makeKey(name, type, nodeEd25519.publicKeyFromSeed(seed)), seed };
}

export const logKey = seededKey(ORIGIN, LOG_KEY, 'log');
/** Same name as the log key, other key pair: what a forger who does not hold the log key would sign with. */
export const impostorLogKey = seededKey(ORIGIN, LOG_KEY, 'impostor');
export const witness1 = seededKey('witness.test.example/w1', COSIGNER_KEY, 'w1');
export const witness2 = seededKey('witness.test.example/w2', COSIGNER_KEY, 'w2');

export function publicOf(key: SignerKey): VerifierKey {
  return { name: key.name, keyId: key.keyId, type: key.type, publicKey: key.publicKey };
}

/** Writes PREFIX.key and PREFIX.pub in the note key formats, for the CLI. */
export async function writeKeyFiles(prefix: string, key: SignerKey): Promise<{ key: string; pub: string }> {
  await writeFile(`${prefix}.key`, `${formatSignerKey(key)}\n`);
  await writeFile(`${prefix}.pub`, `${formatVerifierKey(publicOf(key))}\n`);
  return { key: `${prefix}.key`, pub: `${prefix}.pub` };
}

// ---------- temporary directories ----------

/** Temporary directories made by a test file, removed together at the end. */
export class TempDirs {
  private readonly made: string[] = [];

  async make(label = 'archive'): Promise<string> {
    const d = await mkdtemp(join(tmpdir(), `sealcheck-${label}-`));
    this.made.push(d);
    return d;
  }

  async cleanup(): Promise<void> {
    for (const d of this.made.splice(0)) await rm(d, { recursive: true, force: true });
  }
}

// ---------- input ----------

/** One synthetic audit.k8s.io/v1 Event as a JSON line (no LF); distinct per index. */
export function auditEvent(i: number): string {
  const ts = new Date(Date.UTC(2026, 10, 21, 10, 0, 0) + i * 1000).toISOString();
  return JSON.stringify({
    kind: 'Event',
    apiVersion: 'audit.k8s.io/v1',
    level: 'Metadata',
    auditID: `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`,
    stage: 'ResponseComplete',
    requestURI: `/api/v1/namespaces/team-${i % 3}/pods?limit=${i}`,
    verb: i % 2 ? 'list' : 'get',
    user: { username: `system:serviceaccount:team-${i % 3}:reader`, groups: ['system:serviceaccounts'] },
    sourceIPs: [`10.0.0.${i % 250}`],
    objectRef: { resource: 'pods', namespace: `team-${i % 3}`, apiVersion: 'v1' },
    responseStatus: { metadata: {}, code: 200 },
    requestReceivedTimestamp: ts,
    stageTimestamp: ts,
  });
}

export function auditLines(n: number): string[] {
  return Array.from({ length: n }, (_, i) => auditEvent(i));
}

// ---------- sealing ----------

export interface SealSpec {
  /** Entries, as text or exact bytes (no LF); default: 25 audit events. */
  lines?: readonly (string | Uint8Array)[];
  segmentEntries?: number;
  checkpointEvery?: number;
  gzip?: boolean;
  container?: 'directory' | 'tar' | 'tar.gz';
  cosigners?: SignerKey[];
  key?: SignerKey;
  kind?: SourceKind;
  /** Unix seconds written into cosignatures. */
  time?: number;
  /** File name inside the temporary directory (a suffix is added for tar kinds). */
  name?: string;
}

export interface Sealed {
  /** The archive: a directory, or a .tar / .tar.gz file. */
  path: string;
  /** The temporary directory holding it, for anchors, keys and copies. */
  dir: string;
  /** Entry bytes as sealed, index order. */
  entries: Uint8Array[];
}

const bytesOf = (l: string | Uint8Array): Uint8Array => (typeof l === 'string' ? Buffer.from(l, 'utf8') : l);

/** Seals with the real sealer (default: 25 audit events, 10 per segment, a checkpoint every 10: sizes 10, 20, 25). */
export async function sealArchive(temp: TempDirs, spec: SealSpec = {}): Promise<Sealed> {
  const dir = await temp.make('seal');
  const entries = (spec.lines ?? auditLines(25)).map(bytesOf);
  const input = join(dir, 'input.log');
  await writeFile(input, Buffer.concat(entries.flatMap((e) => [e, Buffer.from('\n')])));
  const container = spec.container ?? 'directory';
  const name = spec.name ?? 'archive';
  const path = join(dir, container === 'directory' ? name : container === 'tar' ? `${name}.tar` : `${name}.tar.gz`);
  const time = spec.time ?? SEAL_TIME;
  await seal({
    key: spec.key ?? logKey,
    cosigners: spec.cosigners ?? [],
    origin: (spec.key ?? logKey).name,
    out: path,
    inputs: [input],
    segmentEntries: spec.segmentEntries ?? 10,
    checkpointEvery: spec.checkpointEvery ?? 10,
    gzip: spec.gzip ?? false,
    ...(spec.kind ? { kind: spec.kind } : {}),
    now: () => new Date(time * 1000),
  });
  await rm(input);
  return { path, dir, entries };
}

// ---------- verifying and comparing findings ----------

export function trustPolicy(p: { trust?: SignerKey[]; witnesses?: SignerKey[]; quorum?: number; origin?: string } = {}): TrustPolicy {
  return {
    logKeys: (p.trust ?? [logKey]).map(publicOf),
    witnessKeys: (p.witnesses ?? []).map(publicOf),
    quorum: p.quorum ?? 0,
    origin: p.origin ?? null,
  };
}

export async function verify(path: string, p: { policy?: TrustPolicy; anchors?: Anchor[] } = {}): Promise<VerifyReport> {
  return verifyArchive(path, { policy: p.policy ?? trustPolicy(), anchors: p.anchors ?? [], workers: 0 });
}

/** What a test compares of a finding: everything but the free-text message. */
export interface Found {
  code: FindingCode;
  severity: Severity;
  file?: string;
  index?: number;
  line?: number;
  count?: number;
}

function withWhere(f: Found, where: { file?: string; index?: number; line?: number; count?: number }): Found {
  if (where.file !== undefined) f.file = where.file;
  if (where.index !== undefined) f.index = where.index;
  if (where.line !== undefined) f.line = where.line;
  if (where.count !== undefined) f.count = where.count;
  return f;
}

/** Expected finding; its severity comes from the spec §6 table. */
export function found(code: FindingCode, where: { file?: string; index?: number; line?: number; count?: number } = {}): Found {
  return withWhere({ code, severity: FINDING_CODES[code] }, where);
}

const sortKey = (f: Found): string => JSON.stringify([f.code, f.file ?? '', f.index ?? -1, f.line ?? -1, f.count ?? -1]);

/** Findings without messages (severity as reported), in a fixed order: the spec does not order findings. */
export function project(findings: readonly (Finding | Found)[]): Found[] {
  return findings
    .map((f) => withWhere({ code: f.code, severity: f.severity }, f))
    .sort((a, b) => (sortKey(a) < sortKey(b) ? -1 : sortKey(a) > sortKey(b) ? 1 : 0));
}

// ---------- hashes, computed here independently of the verifier ----------

const sha = (...parts: Uint8Array[]): Buffer => {
  const h = createHash('sha256');
  for (const p of parts) h.update(p);
  return h.digest();
};

export const leafHash = (entry: Uint8Array): Buffer => sha(Uint8Array.of(0), entry);
export const linkHash = (previous: Uint8Array, leaf: Uint8Array): Buffer => sha(Uint8Array.of(2), previous, leaf);
export const ZERO32 = new Uint8Array(32);

/** RFC 6962 MTH, the textbook recursion. */
export function merkleRootOf(entries: readonly Uint8Array[]): Buffer {
  const mth = (leaves: Buffer[]): Buffer => {
    if (leaves.length === 0) return sha();
    if (leaves.length === 1) return leaves[0]!;
    let k = 1;
    while (k * 2 < leaves.length) k *= 2;
    return sha(Uint8Array.of(1), mth(leaves.slice(0, k)), mth(leaves.slice(k)));
  };
  return mth(entries.map(leafHash));
}

/** `.chain` lines (`<leaf hex> <chain hex>`, no LF) for entries following a given chain value. */
export function chainLinesFor(entries: readonly Uint8Array[], previous: Uint8Array = ZERO32): string[] {
  let chain: Uint8Array = previous;
  return entries.map((e) => {
    const leaf = leafHash(e);
    chain = linkHash(chain, leaf);
    return `${leaf.toString('hex')} ${Buffer.from(chain).toString('hex')}`;
  });
}

// ---------- checkpoints and notes ----------

export function checkpointText(origin: string, size: number | string, root: Uint8Array): string {
  return typeof size === 'number' ? formatCheckpointText(origin, size, root) : `${origin}\n${size}\n${toBase64(root)}\n`;
}

/** A signed note by hand: log signature(s) first, then timestamped cosignatures, then any raw lines (each with its LF). */
export function signNote(text: string, signers: { logKeys?: SignerKey[]; cosigners?: { key: SignerKey; time: bigint | number }[]; rawLines?: string[] } = {}): string {
  const lines = [
    ...(signers.logKeys ?? [logKey]).map((k) => logSignatureLine(k, text, nodeEd25519)),
    ...(signers.cosigners ?? []).map((c) => cosignatureLine(c.key, text, BigInt(c.time), nodeEd25519)),
    ...(signers.rawLines ?? []),
  ];
  return formatNote(text, lines);
}

/** A signature line with arbitrary key name, key ID and signature bytes. */
export function rawSignatureLine(name: string, keyId: number, signature: Uint8Array): string {
  return signatureLine(name, keyId, signature);
}

/** The checkpoint a correct log signs at `size` over these entries. */
export function checkpointFor(entries: readonly Uint8Array[], size: number, signers?: Parameters<typeof signNote>[1], origin = ORIGIN): string {
  return signNote(checkpointText(origin, size, merkleRootOf(entries.slice(0, size))), signers);
}

export const checkpointPath = (size: number): string => `checkpoints/${String(size).padStart(12, '0')}.ckpt`;
export const segmentPath = (first: number, gzip = false): string => `segments/${String(first).padStart(12, '0')}.jsonl${gzip ? '.gz' : ''}`;
export const chainPath = (first: number): string => `segments/${String(first).padStart(12, '0')}.chain`;

/** An anchor file written next to the archive and loaded as the CLI would (a --trust signature is required). */
export async function anchorFrom(dir: string, name: string, note: string, trusted: SignerKey[] = [logKey]): Promise<Anchor> {
  const path = join(dir, name);
  await writeFile(path, note);
  return loadAnchor(path, trusted.map(publicOf));
}

// ---------- tampering with a directory archive ----------

export interface ManifestJson {
  format: string;
  origin: string;
  entries: number;
  segments: { path: string; chain: string; first: number; count: number; sha256: string; chainSha256: string }[];
  checkpoints: string[];
  [other: string]: unknown;
}

export async function readRel(root: string, rel: string): Promise<Buffer> {
  return readFile(join(root, rel));
}

export async function writeRel(root: string, rel: string, data: string | Uint8Array): Promise<void> {
  await mkdir(dirname(join(root, rel)), { recursive: true });
  await writeFile(join(root, rel), data);
}

export async function removeRel(root: string, rel: string): Promise<void> {
  await rm(join(root, rel));
}

export async function readManifest(root: string): Promise<ManifestJson> {
  return JSON.parse(await readFile(join(root, 'manifest.json'), 'utf8')) as ManifestJson;
}

export async function editManifest(root: string, edit: (m: ManifestJson) => void): Promise<void> {
  const m = await readManifest(root);
  edit(m);
  await writeFile(join(root, 'manifest.json'), `${JSON.stringify(m, null, 2)}\n`);
}

/** Puts the current SHA-256 of each given segment or chain file into the manifest (a tamper "consistent" at manifest level). */
export async function rehash(root: string, ...rels: string[]): Promise<void> {
  const hashes = new Map<string, string>();
  for (const rel of rels) hashes.set(rel, sha(await readRel(root, rel)).toString('hex'));
  await editManifest(root, (m) => {
    for (const rel of rels) {
      const seg = m.segments.find((s) => s.path === rel || s.chain === rel);
      if (!seg) throw new Error(`rehash: ${rel} is not a segment or chain file of the manifest`);
      if (seg.path === rel) seg.sha256 = hashes.get(rel)!;
      else seg.chainSha256 = hashes.get(rel)!;
    }
  });
}

/** Decompressed segment bytes (.jsonl.gz is gunzipped). */
export async function readSegment(root: string, rel: string): Promise<Buffer> {
  const raw = await readRel(root, rel);
  return rel.endsWith('.gz') ? gunzipSync(raw) : raw;
}

/** Writes segment content (gzipping a .jsonl.gz as one member, like the sealer) and re-hashes it into the manifest. */
export async function writeSegment(root: string, rel: string, content: Uint8Array): Promise<void> {
  await writeRel(root, rel, rel.endsWith('.gz') ? gzipMember(content) : content);
  await rehash(root, rel);
}

/** A segment's entries, split on LF (the sealer always ends the last one with LF). */
export async function readEntries(root: string, rel: string): Promise<Buffer[]> {
  const text = await readSegment(root, rel);
  const parts: Buffer[] = [];
  let start = 0;
  for (let lf = text.indexOf(0x0a); lf >= 0; lf = text.indexOf(0x0a, start)) {
    parts.push(text.subarray(start, lf));
    start = lf + 1;
  }
  if (start < text.length) parts.push(text.subarray(start));
  return parts;
}

/** Writes entries each followed by LF and re-hashes the segment into the manifest. */
export async function writeEntries(root: string, rel: string, entries: readonly (string | Uint8Array)[]): Promise<void> {
  await writeSegment(root, rel, Buffer.concat(entries.map(bytesOf).flatMap((e) => [e, Buffer.from('\n')])));
}

export async function readChain(root: string, rel: string): Promise<string[]> {
  const text = (await readRel(root, rel)).toString('latin1');
  return text.endsWith('\n') ? text.slice(0, -1).split('\n') : text.split('\n');
}

/** Writes chain lines each followed by LF and re-hashes the chain file into the manifest. */
export async function writeChain(root: string, rel: string, lines: readonly string[]): Promise<void> {
  await writeRel(root, rel, Buffer.from(lines.map((l) => `${l}\n`).join(''), 'latin1'));
  await rehash(root, rel);
}

/** Every regular file of a directory archive, relative paths in byte order. */
export async function listFiles(root: string, rel = ''): Promise<string[]> {
  const out: string[] = [];
  for (const e of await readdir(join(root, rel), { withFileTypes: true })) {
    const p = rel ? `${rel}/${e.name}` : e.name;
    if (e.isDirectory()) out.push(...(await listFiles(root, p)));
    else if (e.isFile()) out.push(p);
  }
  return out.sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
}

// ---------- tar by hand ----------

export type TarInput =
  /** A regular file through the project's ustar writer. */
  | { path: string; data: string | Uint8Array }
  /** Any header, byte for byte (unsafe names, links, devices), with optional content. */
  | { header: Uint8Array; data?: string | Uint8Array };

/**
 * A raw 512-byte ustar header with any name and type flag, checksum filled in. The project's writer
 * refuses unsafe names, which is right for a writer and why tests need this.
 */
export function rawTarHeader(h: { name: string; typeflag?: string; size?: number; linkname?: string; prefix?: string }): Uint8Array {
  const b = new Uint8Array(512);
  const put = (off: number, len: number, s: string | Uint8Array) => {
    const bytes = typeof s === 'string' ? Buffer.from(s, 'utf8') : s;
    if (bytes.length > len) throw new RangeError(`tar field at ${off} overflows`);
    b.set(bytes, off);
  };
  const octal = (off: number, len: number, v: number) => put(off, len, `${v.toString(8).padStart(len - 1, '0')}\0`);
  put(0, 100, h.name);
  octal(100, 8, 0o644);
  octal(108, 8, 0);
  octal(116, 8, 0);
  octal(124, 12, h.size ?? 0);
  octal(136, 12, SEAL_TIME);
  put(148, 8, '        ');
  put(156, 1, h.typeflag ?? '0');
  put(157, 100, h.linkname ?? '');
  put(257, 8, 'ustar\x0000');
  put(345, 155, h.prefix ?? '');
  let sum = 0;
  for (const c of b) sum += c;
  put(148, 8, `${sum.toString(8).padStart(6, '0')}\0 `);
  return b;
}

/** A complete tar (end-of-archive blocks and record padding included) from members in the given order. */
export function buildTar(members: readonly TarInput[]): Buffer {
  const parts: Uint8Array[] = [];
  let n = 0;
  const push = (b: Uint8Array) => {
    parts.push(b);
    n += b.length;
  };
  for (const m of members) {
    const data = m.data === undefined ? new Uint8Array(0) : bytesOf(m.data);
    push('header' in m ? m.header : tarFileHeader(m.path, data.length, SEAL_TIME));
    push(data);
    push(tarPadding(data.length));
  }
  push(tarEnd(n));
  return Buffer.concat(parts);
}

/**
 * Members for every file of a directory archive, paths prefixed (e.g. 'P/' for a rooted tar); a
 * prefix the project's writer refuses (such as './') goes into raw headers instead.
 */
export async function membersOf(root: string, prefix = ''): Promise<TarInput[]> {
  const out: TarInput[] = [];
  const raw = prefix.split('/').some((c) => c === '.' || c === '..');
  for (const rel of await listFiles(root)) {
    const data = await readRel(root, rel);
    out.push(raw ? { header: rawTarHeader({ name: `${prefix}${rel}`, size: data.length }), data } : { path: `${prefix}${rel}`, data });
  }
  return out;
}

/** gzip, one member (as the sealer writes). */
export function gzip(data: Uint8Array): Buffer {
  return Buffer.from(gzipMember(data));
}

export { COSIGNER_KEY, LOG_KEY };
