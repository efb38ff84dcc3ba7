// Assembles what an attestation of an evidence excerpt states: verify-excerpt's verdict, each disclosed event's columns, the withheld items' reasons, the complete ranges.
import { createHash } from 'node:crypto';
import { lstat, open, readdir, readFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import {
  ARCHIVE_SPEC, ATTESTATION_CONTENT_VERSION, METHOD_REFERENCES, makeDeclaration,
  type AttestationContent, type CosignatureRecord, type KeyTally, type TrustKey,
} from '../../../shared/core/attestation.ts';
import { toBase64 } from '../../../shared/core/bytes.ts';
import type { EventFields } from '../../../shared/core/event-row.ts';
import { EXCERPT_LISTED_ROWS, EXCERPT_METHOD_CHECKS, EXCERPT_WINDOW_LIMITATION, type ExcerptAttestation, type ExcerptEventRow, type ExcerptWithheldRow } from '../../../shared/core/excerpt-attestation.ts';
import { isoFromUnixSeconds } from '../../../shared/core/json-text.ts';
import { keyIdHex } from '../../../shared/core/keys.ts';
import { cosignatureMessage, NoteError, parseNote, splitCosignature } from '../../../shared/core/note.ts';
import { parseEvent } from '../../../shared/core/parse-event.ts';
import { TarFormatError, TarParser } from '../../../shared/core/tar.ts';
import { tarStream } from '../archive.node.ts';
import { nodeEd25519 } from '../crypto.node.ts';
import { itemPath, type ExcerptSelection, type ExcerptVerdict } from '../excerpt.node.ts';
import { GzipFormatError, isGzip } from '../gzip.node.ts';
import { primaryFingerprint, toolRecord, witnessQuorum, type ContentInput } from './content.node.ts';
import { buildFacts, digestCommand, type EvidenceDigest } from './evidence.node.ts';

const n = (x: number) => x.toLocaleString('en-US');
const utc = (iso: string) => iso.replace(/\.\d{3}Z$/, 'Z');
/** Columns are read from entries up to this size; a larger disclosed entry is listed by index with its columns left empty. */
const PARSE_LIMIT = 4 << 20;

/**
 * Whether PATH is an evidence excerpt rather than an archive, from its layout alone: an excerpt has a
 * `checkpoint` file and `items/`, an archive `checkpoints/` and `segments/` (docs/excerpt-format.md §1,
 * archive spec §1). A .tar.gz is read only until its member names decide it.
 */
export async function isExcerpt(path: string): Promise<boolean> {
  let st;
  try {
    st = await lstat(path);
  } catch {
    return false;
  }
  if (st.isDirectory()) {
    const names = new Set(await readdir(path));
    return names.has('checkpoint') && names.has('items') && !names.has('segments');
  }
  if (!st.isFile()) return false;
  const head = Buffer.alloc(2);
  const fh = await open(path, 'r');
  try {
    await fh.read(head, 0, 2, 0);
  } finally {
    await fh.close();
  }
  if (!isGzip(head)) return false;
  let decided: boolean | null = null;
  const parser = new TarParser({
    member(m) {
      if (decided !== null) return;
      if (m.path === 'checkpoint' || m.path.startsWith('items/')) decided = true;
      else if (m.path.startsWith('segments/') || m.path.startsWith('checkpoints/')) decided = false;
    },
    data() {},
    memberEnd() {},
  });
  try {
    for await (const chunk of tarStream(path, 'tar.gz')) {
      parser.push(chunk);
      if (decided !== null) break;
    }
  } catch (e) {
    if (!(e instanceof TarFormatError || e instanceof GzipFormatError)) throw e;
  }
  return decided === true;
}

export interface ExcerptFiles {
  /** Columns of each disclosed entry that could be read (entries are the evidence: only parsed, never judged here). */
  events: Map<number, EventFields>;
  manifest: { sha256: string; created: string | null; producer: string | null } | null;
  checkpoint: { sha256: string; text: string } | null;
}

/** The manifest's and checkpoint's digests and the disclosed entries' columns, from a directory or a .tar.gz excerpt. */
export async function readExcerptForReport(path: string, disclosed: ReadonlySet<number>): Promise<ExcerptFiles> {
  const out: ExcerptFiles = { events: new Map(), manifest: null, checkpoint: null };
  const take = (rel: string, bytes: Uint8Array) => {
    const sha256 = createHash('sha256').update(bytes).digest('hex');
    if (rel === 'manifest.json') {
      let m: { created?: unknown; producer?: { name?: unknown; version?: unknown } } = {};
      try {
        m = JSON.parse(Buffer.from(bytes).toString('utf8'));
      } catch {
        // verify-excerpt has named the problem; the report still gives the file's digest.
      }
      const producer = m.producer && typeof m.producer.name === 'string' ? `${m.producer.name} ${typeof m.producer.version === 'string' ? m.producer.version : ''}`.trim() : null;
      out.manifest = { sha256, created: typeof m.created === 'string' ? m.created : null, producer };
    } else if (rel === 'checkpoint') out.checkpoint = { sha256, text: new TextDecoder('utf-8', { fatal: false }).decode(bytes) };
    else {
      const k = /^items\/(\d{12})\.entry$/.exec(rel);
      const index = k ? Number(k[1]) : -1;
      if (disclosed.has(index) && bytes.length <= PARSE_LIMIT) {
        const body = bytes.length > 0 && bytes[bytes.length - 1] === 0x0a ? bytes.subarray(0, bytes.length - 1) : bytes;
        out.events.set(index, parseEvent(body, 'kubernetes-audit'));
      }
    }
  };
  const st = await lstat(path);
  if (st.isDirectory()) {
    for (const rel of ['manifest.json', 'checkpoint']) {
      try {
        take(rel, await readFile(join(path, rel)));
      } catch {
        // Missing: verify-excerpt reports it.
      }
    }
    for (const index of disclosed) {
      const rel = itemPath(index, 'entry');
      try {
        const s = await lstat(join(path, rel));
        if (s.isFile() && s.size <= PARSE_LIMIT + 1) take(rel, await readFile(join(path, rel)));
      } catch {
        // Missing: verify-excerpt reports it.
      }
    }
    return out;
  }
  let current: { rel: string; parts: Uint8Array[]; size: number } | null = null;
  const parser = new TarParser({
    member(m) {
      current = m.kind === 'file' && (m.path === 'manifest.json' || m.path === 'checkpoint' || m.path.endsWith('.entry')) ? { rel: m.path, parts: [], size: 0 } : null;
    },
    data(_m, chunk) {
      const c = current as { rel: string; parts: Uint8Array[]; size: number } | null;
      if (!c) return;
      c.size += chunk.length;
      // The manifest may be large (one line per item); an entry is kept only up to what is parsed.
      if (c.rel === 'manifest.json' || c.size <= PARSE_LIMIT + 1) c.parts.push(chunk.slice());
    },
    memberEnd() {
      const c = current as { rel: string; parts: Uint8Array[]; size: number } | null;
      current = null;
      if (c && (c.rel === 'manifest.json' || c.size <= PARSE_LIMIT + 1)) take(c.rel, Buffer.concat(c.parts));
    },
  });
  try {
    for await (const chunk of tarStream(path, 'tar.gz')) parser.push(chunk);
    parser.end();
  } catch (e) {
    if (!(e instanceof TarFormatError || e instanceof GzipFormatError)) throw e;
  }
  return out;
}

export function selectionText(s: ExcerptSelection | null): string {
  if (!s) return 'not stated (the manifest could not be read)';
  if (s.kind === 'indices') return `the entries at indices ${s.list}, chosen by the examiner`;
  if (s.kind === 'query') {
    const f = Object.entries(s.filter).map(([k, v]) => `${k} ${JSON.stringify(v)}`).join(', ');
    return `the entries a query of the case database ${s.database} selected (${f || 'no filter'})`;
  }
  return `every entry of the index range the events from ${s.from} to ${s.to} (end excluded) span in the case database ${s.database}: a complete window`;
}

export interface ExcerptContentInput extends Omit<ContentInput, 'report' | 'db' | 'archiveId' | 'caseDatabase' | 'anchors' | 'reproducibility'> {
  path: string;
  verdict: ExcerptVerdict;
  /** SHA-256 of the excerpt taken again after the checks. */
  digestAfter: string;
  files: ExcerptFiles;
}

/** The checkpoint's signatures by the trusted keys, checked here for the per-key table (the proofs already checked them for the verdict). */
function tallies(input: ExcerptContentInput): KeyTally[] {
  const cp = input.files.checkpoint;
  if (!cp) return [];
  let note;
  try {
    note = parseNote(Buffer.from(cp.text, 'utf8'));
  } catch (e) {
    if (e instanceof NoteError) return [];
    throw e;
  }
  const out = new Map<string, KeyTally>();
  for (const s of note.signatures) {
    const key = input.keys.find((k) => k.name === s.name && k.keyId === s.keyId);
    const id = `${key?.role ?? 'unknown'}:${s.name}+${keyIdHex(s.keyId)}`;
    const t = out.get(id) ?? { name: s.name, keyId: keyIdHex(s.keyId), role: key?.role ?? 'unknown', valid: 0, invalid: 0, notChecked: 0 };
    if (!key) t.notChecked++;
    else {
      const cos = key.role === 'witness' ? splitCosignature(s.signature) : null;
      const ok = key.role === 'witness'
        ? cos !== null && nodeEd25519.verify(key.publicKey, cosignatureMessage(cos.time, note.text), cos.signature)
        : nodeEd25519.verify(key.publicKey, note.textBytes, s.signature);
      if (ok) t.valid++;
      else t.invalid++;
    }
    out.set(id, t);
  }
  return [...out.values()];
}

const timeOf = (f: EventFields | undefined): string | null => (f?.timeUs != null ? utc(new Date(Math.floor(f.timeUs / 1000)).toISOString()) : null);

export function buildExcerptAttestationContent(i: ExcerptContentInput): AttestationContent {
  const v = i.verdict;
  const digest: EvidenceDigest = i.digest;
  const disclosedChecks = v.items.filter((x) => x.status === 'disclosed');
  const withheldChecks = v.items.filter((x) => x.status === 'withheld');
  const proven = v.items.filter((x) => x.ok).length;
  const failedItems = v.items.filter((x) => !x.ok);
  const byRule = new Map<string, number>();
  for (const w of withheldChecks) for (const r of new Set((w.reasons ?? []).map((x) => x.rule))) byRule.set(r, (byRule.get(r) ?? 0) + 1);
  const disclosed: ExcerptEventRow[] = disclosedChecks.slice(0, EXCERPT_LISTED_ROWS).map((d) => {
    const f = i.files.events.get(d.index);
    return {
      index: d.index, time: timeOf(f), user: f?.username ?? null, verb: f?.verb ?? f?.method ?? null,
      resource: f ? (f.resource ? `${f.resource}${f.subresource ? `/${f.subresource}` : ''}${f.name ? ` ${f.name}` : ''}` : f.path) : null,
      namespace: f?.namespace ?? null, code: f?.responseCode ?? null, proven: d.ok,
    };
  });
  const withheld: ExcerptWithheldRow[] = withheldChecks.slice(0, EXCERPT_LISTED_ROWS).map((w) => ({ index: w.index, reasons: w.reasons ?? [], redacted: w.redacted === true, proven: w.ok }));
  const times = [...i.files.events.values()].map((f) => f.timeUs).filter((t): t is number => t !== null).sort((a, b) => a - b);
  const missing = (r: { first: number; last: number }) => v.problems.some((p) => p.includes(`complete range ${r.first}..${r.last}`));
  const excerpt: ExcerptAttestation = {
    format: 'sealcheck-excerpt v1',
    selection: selectionText(v.selection),
    source: v.source ? { name: v.source.name, digestOf: v.source.digest.of, sha256: v.source.digest.value, entries: v.source.entries } : { name: 'not stated', digestOf: 'file', sha256: '', entries: 0 },
    checkpoint: { origin: v.origin ?? '', treeSize: v.size ?? 0, rootHash: v.root ?? '' },
    complete: v.complete.map((r) => ({ first: r.first, last: r.last, whole: !missing(r) })),
    items: { total: v.items.length, disclosed: disclosedChecks.length, withheld: withheldChecks.length, proven },
    withheldByRule: [...byRule].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)).map(([name, count]) => ({ name, count })),
    disclosed,
    withheld,
    unlisted: { disclosed: disclosedChecks.length - disclosed.length, withheld: withheldChecks.length - withheld.length },
    problems: [...v.problems.map((message) => ({ index: null, message })), ...failedItems.map((f) => ({ index: f.index, message: f.reason }))],
  };

  const verdict = v.valid ? 'verified' as const : 'failed' as const;
  const where = `${v.origin ? `${v.origin} ` : ''}at tree size ${n(v.size ?? 0)} (root ${v.root ?? 'unknown'})`;
  const ranges = excerpt.complete.map((r) => `${n(r.first)}..${n(r.last)}`).join(', ');
  const reason = verdict === 'verified'
    ? `All ${n(v.items.length)} items are proven in ${where} by the keys in \u00a74: ${n(excerpt.items.disclosed)} disclosed exactly as logged, ${n(excerpt.items.withheld)} withheld by leaf hash${ranges ? `; no index of ${ranges} is missing` : ''}.`
    : `${n(excerpt.problems.length)} check${excerpt.problems.length === 1 ? '' : 's'} of the excerpt failed (${n(failedItems.length)} of ${n(v.items.length)} items): the excerpt, as received, is not what the log signed (section 6).`;
  const digestsMatched = digest.sha256 === i.digestAfter && (i.custody.digestAtReceipt === null || i.custody.digestAtReceipt === digest.sha256);
  const issuedAt = utc(i.finishedAt);
  const keys: TrustKey[] = i.keys.map((k) => ({
    name: k.name, role: k.role, type: k.type === 0x01 ? 'Ed25519 note key (0x01)' : 'Ed25519 cosignature key (0x04)', keyId: keyIdHex(k.keyId),
    fingerprint: primaryFingerprint(k), keyString: `${k.name}+${keyIdHex(k.keyId)}+${toBase64(Uint8Array.of(k.type, ...k.publicKey))}`, source: k.source,
  }));
  const cosignatures: CosignatureRecord[] = v.cosignatures.map((c) => ({
    witness: c.name, keyId: keyIdHex(i.keys.find((k) => k.role === 'witness' && k.name === c.name)?.keyId ?? 0), checkpoint: 'checkpoint',
    treeSize: v.size ?? 0, unixSeconds: c.time.toString(), time: isoFromUnixSeconds(c.time),
  }));
  const cutBack = v.root
    ? `Limitation: compare tree size ${n(v.size ?? 0)} and root ${v.root} with a checkpoint obtained independently (published, e-mailed or held by a witness) to show that this is the log the parties know.`
    : null;
  const interpretation = verdict === 'verified'
    ? [
      'The disclosed entries are entries of the log at the indices given, byte for byte as the log key signed them; each withheld item is an entry of the log at its index whose content is not shown.',
      'The log holds other entries, not described here: an excerpt shows the items chosen, and only its complete ranges (if any) are shown to have nothing left out.',
      'Someone who held the log key could have signed another log: the result shows only that the keys in section 4 signed these entries.',
    ]
    : [
      'The excerpt was altered after it was made (an entry, a proof, the manifest or the checkpoint): section 6 names each item.',
      'The keys in section 4 are not the log\u2019s keys, or the checkpoint lacks the required cosignatures: every item then fails alike.',
      'The excerpt was damaged in storage or transfer: compare the digest taken here with the one recorded at receipt (section 2).',
    ];
  const limitations = [
    ...(v.selection?.kind === 'window' ? [EXCERPT_WINDOW_LIMITATION] : []),
    `The source archive named by the excerpt (${excerpt.source.name}, SHA-256 ${excerpt.source.sha256 || 'not stated'}, ${n(excerpt.source.entries)} entries) is the excerpt\u2019s own claim: only a holder of that archive can check it.`,
    ...(excerpt.items.withheld > 0 ? ['Withheld items are proven by leaf hash only: their content is not shown, and whoever later receives an entry can check it against the leaf hash in the excerpt\u2019s manifest. A redacted view shipped with a withheld item is the examiner\u2019s rendering, not evidence.'] : []),
    ...(excerpt.unlisted.disclosed + excerpt.unlisted.withheld > 0 ? [`${n(excerpt.unlisted.disclosed)} disclosed and ${n(excerpt.unlisted.withheld)} withheld items are counted but not listed in section 8 (it lists ${n(EXCERPT_LISTED_ROWS)} of each); the excerpt\u2019s manifest.json, whose SHA-256 is in appendix A, lists every one.`] : []),
    ...(digest.sha256 !== i.digestAfter ? [`The excerpt\u2019s digest taken first (${digest.sha256}) differs from the one taken after the checks (${i.digestAfter}): the evidence changed during the examination.`] : []),
    ...(i.custody.digestAtReceipt !== null && i.custody.digestAtReceipt !== digest.sha256 ? [`The SHA-256 recorded at receipt (${i.custody.digestAtReceipt}) differs from the one taken here: this is not the evidence as received.`] : []),
  ];
  const name = basename(i.path);
  const files = [
    ...(i.files.manifest ? [{ path: 'manifest.json', sha256: i.files.manifest.sha256 }] : []),
    ...(i.files.checkpoint ? [{ path: 'checkpoint', sha256: i.files.checkpoint.sha256 }] : []),
  ];
  return {
    contentVersion: ATTESTATION_CONTENT_VERSION,
    report: { id: i.reportId, version: i.version, supersedes: i.supersedes, issuedAt, fileName: i.fileName },
    case: { number: i.caseFacts.number, title: i.caseFacts.title, requestingParty: i.caseFacts.requestingParty },
    custody: i.custody,
    examiner: { name: i.examiner.name, role: i.examiner.role, organisation: i.examiner.organisation, email: i.examiner.email, qualifications: i.examiner.qualifications, principal: i.examiner.principal, keyFingerprint: i.examiner.fingerprints.sha256Hex, fingerprints: i.examiner.fingerprints },
    reviewer: i.reviewer,
    declaration: makeDeclaration(i.declaration, {
      examiner: i.examiner.name, role: i.examiner.role, organisation: i.examiner.organisation, qualifications: i.examiner.qualifications,
      evidence: `${name}, SHA-256 ${digest.sha256}`, digestsMatched, verdict, claim: reason, issuedAt,
    }),
    evidence: [{
      label: 'E1', name, container: digest.digestOf === 'tree' ? 'directory' : 'tar.gz', sizeBytes: digest.bytes, sha256: digest.sha256, sha512: digest.sha512,
      digestOf: digest.digestOf, digestTakenAt: digest.at, digestWhileVerifying: i.digestAfter,
      origin: v.origin, entries: v.items.length,
      eventsFrom: times.length ? utc(new Date(Math.floor(times[0]! / 1000)).toISOString()) : null,
      eventsTo: times.length ? utc(new Date(Math.floor(times[times.length - 1]! / 1000)).toISOString()) : null,
      claims: {
        sealedAt: null,
        producer: i.files.manifest?.producer ?? null,
        kind: excerpt.format,
        description: `an evidence excerpt${i.files.manifest?.created ? ` made ${i.files.manifest.created}` : ''}: ${excerpt.selection}`,
        gapDays: null,
      },
    }],
    method: { checks: [...EXCERPT_METHOD_CHECKS], references: [...METHOD_REFERENCES], spec: { ...ARCHIVE_SPEC }, selfTest: i.selfTest },
    tool: toolRecord(i),
    trustPolicy: {
      keys,
      witnessQuorum: witnessQuorum(i.quorum, i.keys),
      anchors: [],
    },
    result: {
      verdict,
      reason,
      entries: { total: v.items.length, covered: proven, withErrors: failedItems.length },
      segments: { total: 0, withoutError: 0 },
      checkpoints: { total: i.files.checkpoint ? 1 : 0, signedByTrustedKey: proven > 0 ? 1 : 0, matchingEntries: proven > 0 ? 1 : 0 },
      perKey: tallies(i),
      cosignatures,
      coverage: {
        coveredEntries: proven, totalEntries: v.items.length,
        coveringCheckpoint: v.root ? { path: 'checkpoint', treeSize: v.size ?? 0, rootHash: v.root } : null,
        unsignedTail: 0,
      },
      cutBack,
      interpretation,
      findings: [],
      limitations,
    },
    activity: null,
    excerpt,
    reproducibility: {
      files, digestCommand: digestCommand(name, digest.digestOf),
      checkpoints: i.files.checkpoint ? [{ path: 'checkpoint', text: i.files.checkpoint.text }] : [],
      ...buildFacts(),
    },
  };
}
