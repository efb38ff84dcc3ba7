// The sealer (spec §7): audit log lines in, a sealed archive out (directory, .tar or .tar.gz), or appended to one.
import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream, type WriteStream } from 'node:fs';
import { MAX_LINE_BYTES } from '../../shared/core/segment-check.ts';
import { InputFileError, openRegularFile } from './bounded-read.node.ts';
import { mkdir, mkdtemp, readFile, rename, rm, stat, writeFile, open } from 'node:fs/promises';
import { crc32, createDeflateRaw, createGzip } from 'node:zlib';
import { basename, dirname, join } from 'node:path';
import { once } from 'node:events';
import { pad12, fromHexStrict } from '../../shared/core/bytes.ts';
import type { TrustPolicy } from '../../shared/core/evaluate.ts';
import { LOG_KEY, COSIGNER_KEY, type SignerKey } from '../../shared/core/keys.ts';
import { FORMAT, type Manifest, type ManifestSegment, type SourceKind } from '../../shared/core/manifest.ts';
import { checkpointFileName } from '../../shared/core/note.ts';
import { SealState, EMPTY_LOG, type SealStart } from '../../shared/core/sealer.ts';
import { TarParser, tarEnd, tarFileHeader, tarPadding } from '../../shared/core/tar.ts';
import { isUtf8JsonObject } from '../../shared/core/json-object.ts';
import { nodeEd25519, nodeHashing } from './crypto.node.ts';
import { gunzipStrict, GzipFormatError } from './gzip.node.ts';
import { readTarMember, tarStream } from './archive.node.ts';
import { TOOL_NAME, TOOL_VERSION } from './runtime.node.ts';
import { verifyArchive } from './verify.node.ts';
import { refineKind, shapedEntries, type ShapeReport } from './seal-shapes.node.ts';
import { PolicyFileError, policyEntry } from './seal-policy.node.ts';

/** A refusal that leaves everything as it was: bad key, origin, input or archive (exit 2). */
export class SealError extends Error {
  override name = 'SealError';
}

export interface SealOptions {
  key: SignerKey;
  cosigners?: SignerKey[];
  origin: string;
  out: string;
  inputs: string[];
  checkpointEvery?: number;
  segmentEntries?: number;
  gzip?: boolean;
  append?: boolean;
  kind?: SourceKind;
  description?: string;
  now?: () => Date;
  stdin?: AsyncIterable<Uint8Array>;
  /** The longest line sealed (spec §2: 256 MiB); smaller only in tests. */
  maxLineBytes?: number;
  /** An audit policy file, sealed as an entry of its own before the events it governs (issue 11). */
  policy?: string;
}

export interface SealResult {
  out: string;
  container: 'directory' | 'tar' | 'tar.gz';
  entriesBefore: number;
  entriesAdded: number;
  emptyLinesSkipped: number;
  finalNewlinesAdded: number;
  segmentsWritten: string[];
  checkpointsWritten: string[];
  kind: SourceKind;
  /** Per input: the shape found (JSON lines, an export's records…), and what the examiner should know. */
  notes: string[];
  warnings: string[];
}

export function containerOf(out: string): 'directory' | 'tar' | 'tar.gz' {
  if (/\.(tar\.gz|tgz)$/.test(out)) return 'tar.gz';
  if (out.endsWith('.tar')) return 'tar';
  return 'directory';
}

async function exists(p: string): Promise<boolean> {
  try {
    await stat(p);
    return true;
  } catch {
    return false;
  }
}

/**
 * One input line, without its LF, as the chunks it was read in: a line is never copied into one
 * buffer, so sealing a long line takes about its own size in memory, not a multiple of it.
 */
export interface InputLine {
  parts: Uint8Array[];
  length: number;
}

function lineBytes(line: InputLine): Uint8Array {
  return line.parts.length === 1 ? line.parts[0]! : Buffer.concat(line.parts, line.length);
}

/**
 * Opens one named input for reading: a regular file (plain or gzip), so a directory, device or FIFO is
 * refused at once instead of read forever or blocked on; standard input is `-`.
 */
async function openInput(input: string): Promise<AsyncIterable<Uint8Array>> {
  let opened;
  try {
    opened = await openRegularFile(input, 'input');
  } catch (e) {
    if (e instanceof InputFileError) throw new SealError(`${e.message}${e.reason === 'not-regular' ? ' (give - to seal from standard input)' : ''}`);
    throw e;
  }
  const head = new Uint8Array(2);
  await opened.fh.read(head, 0, 2, 0);
  const raw = opened.fh.createReadStream({ start: 0, highWaterMark: 1 << 20 }) as AsyncIterable<Buffer>;
  return head[0] === 0x1f && head[1] === 0x8b ? gunzipStrict(raw, 'none') : raw;
}

/**
 * Lines of each input, byte for byte; empty lines skipped, a missing final LF added (both counted).
 * A line longer than `maxLine` bytes is refused as soon as it gets that long (spec §2: verify would
 * call it line-malformed), naming the input and the line, before the sealer writes it anywhere.
 */
async function* inputLines(inputs: string[], stdin: AsyncIterable<Uint8Array> | undefined, counts: { empty: number; finalLf: number }, maxLine: number): AsyncGenerator<InputLine> {
  for (const input of inputs) {
    const source = input === '-' ? stdin ?? (process.stdin as AsyncIterable<Buffer>) : await openInput(input);
    const name = input === '-' ? 'standard input' : `input ${input}`;
    let lineNo = 1;
    let carry: Uint8Array[] = [];
    let carryLength = 0;
    const tooLong = () => new SealError(`${name}, line ${lineNo}, is longer than ${maxLine === MAX_LINE_BYTES ? '256 MiB' : `${maxLine} bytes`}, the most an entry may hold (spec §2); nothing was written`);
    try {
      for await (const chunk of source) {
        let start = 0;
        for (;;) {
          const lf = chunk.indexOf(0x0a, start);
          const end = lf < 0 ? chunk.length : lf;
          if (carryLength + end - start > maxLine) throw tooLong();
          if (lf < 0) break;
          const piece = chunk.subarray(start, lf);
          let line: InputLine;
          if (carryLength) {
            line = { parts: piece.length ? [...carry, piece] : carry, length: carryLength + piece.length };
            carry = [];
            carryLength = 0;
          } else line = { parts: [piece], length: piece.length };
          if (line.length === 0) counts.empty++;
          else yield line;
          lineNo++;
          start = lf + 1;
        }
        if (start < chunk.length) {
          // Streams may reuse their chunk buffers only if asked; these are fresh, so a view is kept, not a copy.
          carry.push(chunk.subarray(start));
          carryLength += chunk.length - start;
        }
      }
    } catch (e) {
      if (e instanceof GzipFormatError) throw new SealError(`input ${input} is not a valid gzip file: ${e.message}`);
      throw e;
    }
    if (carryLength) {
      counts.finalLf++;
      yield { parts: carry, length: carryLength };
    }
  }
}

const LEAF_BYTE = Uint8Array.of(0x00);
const SAMPLE_BYTES = 16 << 20;
const SAMPLE_LINE_BYTES = 4 << 20;

const NGINX_LINE = /^\S+ - \S+ \[[^\]]+\] "[^"]*" \d{3} \d+ "/;

/** Source kind from the first entries: JSON audit events, Traefik JSON, ingress-nginx text, or other. */
export function detectKind(sample: Uint8Array[]): SourceKind {
  if (sample.length === 0) return 'other';
  const kinds = new Set<SourceKind>();
  for (const line of sample) {
    const text = Buffer.from(line).toString('utf8');
    if (NGINX_LINE.test(text)) {
      kinds.add('ingress-nginx');
      continue;
    }
    if (!isUtf8JsonObject(line)) return 'other';
    const v = JSON.parse(text) as Record<string, unknown>;
    if (typeof v.apiVersion === 'string' && v.apiVersion.startsWith('audit.k8s.io/') && v.kind === 'Event') {
      const openshift = /openshift/i.test(String((v.user as { username?: string } | undefined)?.username ?? '')) || /openshift\.io|openshift/i.test(JSON.stringify(v.annotations ?? {})) || typeof v.openshiftAuditLevel === 'string';
      kinds.add(openshift ? 'openshift-audit' : 'kubernetes-audit');
    } else if ('RequestMethod' in v && ('RouterName' in v || 'ClientAddr' in v)) kinds.add('traefik-access');
    else return 'other';
  }
  if (kinds.has('openshift-audit') && kinds.has('kubernetes-audit')) return 'openshift-audit';
  return kinds.size === 1 ? [...kinds][0]! : 'other';
}

interface OpenSegment {
  first: number;
  count: number;
  plainPath: string;
  chainPath: string;
  plain: WriteStream;
  chain: WriteStream;
}

async function writeChunk(ws: WriteStream, data: Uint8Array | string): Promise<void> {
  if (!ws.write(data)) await once(ws, 'drain');
}

async function closeStream(ws: WriteStream): Promise<void> {
  ws.end();
  await once(ws, 'finish');
}

/**
 * A gzip segment written as it streams: one member, MTIME 0, byte for byte what gzipMember writes for
 * the same bytes (deflate's output does not depend on how its input is split), without holding the
 * segment in memory.
 */
async function gzipFile(from: string, to: string, level = 6): Promise<void> {
  const out = createWriteStream(to);
  await writeChunk(out, Uint8Array.of(0x1f, 0x8b, 8, 0, 0, 0, 0, 0, level === 9 ? 2 : level < 2 ? 4 : 0, 255));
  const deflate = createDeflateRaw({ level });
  let crc = 0;
  let length = 0;
  const body = (async () => {
    for await (const c of deflate) await writeChunk(out, c as Buffer);
  })();
  for await (const chunk of createReadStream(from, { highWaterMark: 1 << 20 })) {
    const b = chunk as Buffer;
    crc = crc32(b, crc);
    length = (length + b.length) % 2 ** 32;
    if (!deflate.write(b)) await once(deflate, 'drain');
  }
  deflate.end();
  await body;
  const trailer = Buffer.alloc(8);
  trailer.writeUInt32LE(crc >>> 0, 0);
  trailer.writeUInt32LE(length, 4);
  await writeChunk(out, trailer);
  await closeStream(out);
}

async function sha256File(path: string): Promise<string> {
  const h = createHash('sha256');
  for await (const c of createReadStream(path)) h.update(c as Buffer);
  return h.digest('hex');
}

export async function seal(options: SealOptions): Promise<SealResult> {
  const { key, origin, out } = options;
  const cosigners = options.cosigners ?? [];
  const every = options.checkpointEvery ?? 10_000;
  const perSegment = options.segmentEntries ?? 50_000;
  if (key.type !== LOG_KEY) throw new SealError(`--key ${key.name} is a cosigner key (type 0x04); the log key must be type 0x01`);
  for (const c of cosigners) if (c.type !== COSIGNER_KEY) throw new SealError(`--cosign ${c.name} is not a cosigner key (type 0x04)`);
  if (origin !== key.name) throw new SealError(`origin ${JSON.stringify(origin)} must equal the log key's name ${JSON.stringify(key.name)}`);
  if (!Number.isSafeInteger(every) || every < 1) throw new SealError('--checkpoint-every must be a positive integer');
  if (!Number.isSafeInteger(perSegment) || perSegment < 1) throw new SealError('--segment-entries must be a positive integer');
  if (options.inputs.length === 0) throw new SealError('no input given (files, or - for standard input)');
  const container = containerOf(out);
  const folder = await stat(dirname(out)).catch(() => null);
  if (!folder?.isDirectory()) throw new SealError(`--out ${out}: the folder ${dirname(out)} ${folder ? 'is not a folder' : 'does not exist'}; nothing was written`);
  const outExists = await exists(out);
  if (options.append && !outExists) throw new SealError(`--append: ${out} does not exist`);
  if (!options.append && outExists) throw new SealError(`${out} already exists (use --append to extend it)`);
  // Read and checked before anything is written: a policy that does not parse is refused with the archive untouched.
  const auditPolicy = options.policy === undefined ? undefined : await policyEntry(options.policy).catch((e: unknown) => {
    throw e instanceof PolicyFileError ? new SealError(e.message) : e;
  });

  // Appending starts from the state of an archive that verifies against this key.
  let start: SealStart = EMPTY_LOG;
  let previous: Manifest | null = null;
  if (options.append) {
    const policy: TrustPolicy = { logKeys: [key], witnessKeys: [], quorum: 0, origin };
    const report = await verifyArchive(out, { policy });
    if (report.verdict !== 'verified') {
      const first = report.findings.find((f) => f.severity === 'error') ?? report.findings[0];
      throw new SealError(`--append: ${out} does not verify against ${key.name} (${report.verdict}${first ? `: ${first.code} ${first.message}` : ''}); nothing was written`);
    }
    if (report.container !== container) throw new SealError(`--append: ${out} is a ${report.container} archive, its name says ${container}`);
    previous = report.manifest!;
    const lastSeg = previous.segments[previous.segments.length - 1]!;
    start = { size: report.entries, chain: await lastChainValue(out, report.container, lastSeg), range: report.range };
  }

  const now = options.now ?? (() => new Date());
  const staging = await mkdtemp(join(container === 'directory' ? dirname(out) : dirname(out), `.${basename(out)}.sealing-`));
  try {
    const state = new SealState(nodeHashing, start);
    const counts = { empty: 0, finalLf: 0 };
    const shapes: ShapeReport = { notes: [], warnings: [] };
    const maxLine = options.maxLineBytes ?? MAX_LINE_BYTES;
    // Each input by its shape: a log of lines, or a JSON document cut into one entry per record (seal-shapes.node.ts).
    const lines = shapedEntries(options.inputs, { open: openInput, lines: (input) => inputLines([input], options.stdin, counts, maxLine) }, shapes)[Symbol.asyncIterator]();
    // The first lines decide the source kind unless it was given. They are held until the kind is
    // known, so the sample stops at 20 lines or SAMPLE_BYTES (whichever first); a line longer than
    // SAMPLE_LINE_BYTES is held but not looked at (parsing it would cost several times its size).
    const sample: InputLine[] = [];
    let sampled = 0;
    while (sample.length < 20 && sampled < SAMPLE_BYTES) {
      const n = await lines.next();
      if (n.done) break;
      sample.push(n.value);
      sampled += n.value.length;
    }
    const kind: SourceKind = options.kind ?? previous?.source?.kind ?? ((b: Uint8Array[]) => refineKind(detectKind(b), b))(sample.filter((l) => l.length <= SAMPLE_LINE_BYTES).map(lineBytes));
    const all = (async function* () {
      if (auditPolicy) yield { parts: [auditPolicy.line], length: auditPolicy.line.length };
      yield* sample;
      for (let n = await lines.next(); !n.done; n = await lines.next()) yield n.value;
    })();

    const segments: ManifestSegment[] = [];
    const checkpoints: string[] = [];
    const files: string[] = [];
    let seg: OpenSegment | null = null;
    const sizes = new Set<number>();
    let nextMultiple = (Math.floor(start.size / every) + 1) * every;
    const gzip = options.gzip ?? false;

    const openSegment = async (first: number): Promise<OpenSegment> => {
      const name = pad12(first);
      const plainPath = join(staging, `${name}.jsonl.part`);
      const chainPath = join(staging, `${name}.chain`);
      return { first, count: 0, plainPath, chainPath, plain: createWriteStream(plainPath), chain: createWriteStream(chainPath) };
    };
    const closeSegment = async (s: OpenSegment): Promise<void> => {
      await closeStream(s.plain);
      await closeStream(s.chain);
      const name = pad12(s.first);
      const rel = gzip ? `segments/${name}.jsonl.gz` : `segments/${name}.jsonl`;
      const target = join(staging, rel);
      await mkdirp(dirname(target));
      if (gzip) {
        await gzipFile(s.plainPath, target);
        await rm(s.plainPath);
      } else await rename(s.plainPath, target);
      const chainRel = `segments/${name}.chain`;
      await rename(s.chainPath, join(staging, chainRel));
      segments.push({ path: rel, chain: chainRel, first: s.first, count: s.count, sha256: await sha256File(target), chainSha256: await sha256File(join(staging, chainRel)), gzip });
      files.push(rel, chainRel);
    };
    const writeCheckpoint = async (): Promise<void> => {
      const rel = checkpointFileName(String(state.size));
      await mkdirp(join(staging, 'checkpoints'));
      await writeFile(join(staging, rel), state.checkpoint(origin, key, cosigners, BigInt(Math.floor(now().getTime() / 1000)), nodeEd25519));
      checkpoints.push(rel);
      files.push(rel);
      sizes.add(state.size);
    };

    for await (const line of all) {
      if (!seg) seg = await openSegment(state.size);
      const leaf = nodeHashing.create().update(LEAF_BYTE);
      for (const part of line.parts) {
        leaf.update(part);
        await writeChunk(seg.plain, part);
      }
      await writeChunk(seg.plain, '\n');
      await writeChunk(seg.chain, state.addLeaf(leaf.digest()));
      seg.count++;
      if (seg.count === perSegment) {
        await closeSegment(seg);
        seg = null;
      }
      if (state.size === nextMultiple) {
        await writeCheckpoint();
        nextMultiple += every;
      }
    }
    if (seg) await closeSegment(seg);
    const added = state.size - start.size;
    if (added === 0) {
      if (!options.append) throw new SealError(`${options.inputs.map((i) => (i === '-' ? 'standard input' : i)).join(', ')}: no entries (only empty lines, or nothing); nothing was written`);
    } else if (!sizes.has(state.size)) await writeCheckpoint();

    if (auditPolicy) shapes.notes.unshift(`audit policy ${options.policy} (SHA-256 ${auditPolicy.sha256}, ${auditPolicy.rules} rule${auditPolicy.rules === 1 ? '' : 's'}) sealed as entry ${start.size}, before the events it governs`);
    const result: SealResult = {
      out, container, entriesBefore: start.size, entriesAdded: added, emptyLinesSkipped: counts.empty,
      finalNewlinesAdded: counts.finalLf, segmentsWritten: segments.map((s) => s.path), checkpointsWritten: checkpoints, kind, notes: shapes.notes, warnings: shapes.warnings,
    };
    if (added === 0) return result; // a run with no new entries writes nothing

    const manifest = {
      format: FORMAT,
      origin,
      source: { kind, description: options.description ?? previous?.source?.description ?? describeKind(kind) },
      created: now().toISOString().replace(/\.\d{3}Z$/, 'Z'),
      producer: { name: TOOL_NAME, version: TOOL_VERSION },
      entries: state.size,
      segments: [...(previous?.segments ?? []), ...segments].map(({ gzip: _g, ...s }) => s),
      checkpoints: [...(previous?.checkpoints ?? []), ...checkpoints],
    };
    const manifestBytes = Buffer.from(`${JSON.stringify(manifest, null, 2)}\n`);
    await writeFile(join(staging, 'manifest.json'), manifestBytes);
    await publish(out, container, staging, files, Boolean(options.append), now());
    return result;
  } finally {
    await rm(staging, { recursive: true, force: true });
  }
}

function describeKind(kind: SourceKind): string {
  return {
    'kubernetes-audit': 'kube-apiserver audit log (audit.k8s.io/v1 events)',
    'openshift-audit': 'OpenShift API server audit log (audit.k8s.io/v1 events)',
    'ingress-nginx': 'ingress-nginx access log (upstreaminfo format)',
    'traefik-access': 'Traefik JSON access log',
    other: 'log lines',
  }[kind];
}

async function mkdirp(p: string): Promise<void> {
  await mkdir(p, { recursive: true });
}

/** The stored chain value on the last line of the archive's last chain file. */
async function lastChainValue(out: string, container: string, seg: ManifestSegment): Promise<Uint8Array> {
  let text: string;
  if (container === 'directory') text = await readFile(join(out, seg.chain), 'utf8');
  else text = Buffer.concat(await readTarMember(out, container as 'tar' | 'tar.gz', (m) => m === seg.chain || m.endsWith(`/${seg.chain}`))).toString('utf8');
  const last = text.trimEnd().split('\n').pop()!;
  return fromHexStrict(last.slice(65))!;
}

/**
 * Moves the staged files into place. A directory gets its new files, then the manifest last (an
 * interrupted append leaves at most unlisted files, never a manifest naming absent ones). A tar is
 * written whole to a temporary name (existing members copied byte for byte) and renamed over.
 */
async function publish(out: string, container: 'directory' | 'tar' | 'tar.gz', staging: string, files: string[], append: boolean, time: Date): Promise<void> {
  if (container === 'directory') {
    if (!append) {
      await rename(staging, out);
      await mkdirp(staging); // so the caller's cleanup finds something to remove
      return;
    }
    for (const rel of files) {
      await mkdirp(dirname(join(out, rel)));
      await rename(join(staging, rel), join(out, rel));
    }
    await rename(join(staging, 'manifest.json'), join(out, 'manifest.json'));
    return;
  }
  const tmp = join(staging, 'archive.tmp');
  const ws = createWriteStream(tmp);
  const sink = container === 'tar.gz' ? createGzip() : null;
  if (sink) sink.pipe(ws);
  const target = sink ?? ws;
  let written = 0;
  const emit = async (b: Uint8Array) => {
    written += b.length;
    if (!target.write(b)) await once(target, 'drain');
  };
  const mtime = Math.floor(time.getTime() / 1000);
  let prefix = '';
  if (append) {
    // Copy every existing file member except the manifest, unchanged, under the same root,
    // streaming: the parser queues what to write and the loop writes it with back-pressure.
    const queue: Uint8Array[] = [];
    let skipping = false;
    const parser = new TarParser({
      member(m) {
        skipping = m.kind !== 'file' || m.path === 'manifest.json' || m.path.endsWith('/manifest.json');
        if (m.kind === 'file' && skipping) prefix = m.path.slice(0, -'manifest.json'.length);
        if (!skipping) queue.push(tarFileHeader(m.path, m.size, mtime));
      },
      data(_m, chunk) {
        if (!skipping) queue.push(chunk.slice());
      },
      memberEnd(m) {
        if (!skipping) queue.push(tarPadding(m.size));
      },
    });
    for await (const chunk of tarStream(out, container)) {
      parser.push(chunk);
      for (const b of queue.splice(0)) await emit(b);
    }
    parser.end();
  }
  for (const rel of [...files, 'manifest.json']) {
    // Streamed: a segment may be as large as its lines, and is never held whole.
    const { size } = await stat(join(staging, rel));
    await emit(tarFileHeader(prefix + rel, size, mtime));
    for await (const chunk of createReadStream(join(staging, rel), { highWaterMark: 1 << 20 })) await emit(chunk as Buffer);
    await emit(tarPadding(size));
  }
  await emit(tarEnd(written));
  target.end();
  await once(ws, 'close');
  await rename(tmp, out);
}
