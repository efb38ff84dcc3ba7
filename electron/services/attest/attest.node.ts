// `attest` and `verify-attestation`: digest, verify + index an archive, write the signed PDF, its DSSE statements, SSHSIG and the examiner key files; check all of them later.
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { ATTESTATION_FILE_LIMIT, KEY_FILE_LIMIT, readBoundedFile, readBoundedText } from '../bounded-read.node.ts';
import { tmpdir } from 'node:os';
import { basename, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { inflateSync } from 'node:zlib';
import {
  ATTESTATION_SIGNATURE_NAMESPACE, companionFiles, type AttestationAttachment, type AttestationContent, type Custody,
  type DeclarationTemplate, type KeyFingerprints, type Reviewer, type SelfTestRecord,
} from '../../../shared/core/attestation.ts';
import { fromBase64Strict, toBase64 } from '../../../shared/core/bytes.ts';
import { verifierKeyFromPem } from '../../../shared/core/keys.ts';
import type { Anchor, TrustPolicy } from '../../../shared/core/evaluate.ts';
import { verifyArchive } from '../verify.node.ts';
import { ScopeAnalyzer } from '../../../shared/core/scope.ts';
import type { SuppliedPolicy } from '../seal-policy.node.ts';
import { openCaseDatabase } from '../index/writer.node.ts';
import { UsageError } from '../keys.node.ts';
import { TOOL_NAME, TOOL_VERSION } from '../runtime.node.ts';
import { buildAttestationContent, presetsVersion, type CaseFacts, type PolicyKey } from './content.node.ts';
import { archiveInventory, buildFacts, takeEvidenceDigest, type EvidenceDigest } from './evidence.node.ts';
import { buildStatement, IN_TOTO_PAYLOAD_TYPE, parseStatement, serializeEnvelope, signEnvelope, statementPayload, verifyEnvelope, addEnvelopeSignature, type StatementSubject } from './dsse.node.ts';
import { examinerPrincipal, formatExaminerName, opensshFingerprint, parseSshPublicKeyLine, sha256Fingerprint, sshPublicKeyLine, type ExaminerKey } from './examiner-key.node.ts';
import { renderAttestationPdf, renderSignedAttestationPdf } from './pdf.node.ts';
import { buildExcerptAttestationContent, isExcerpt, readExcerptForReport } from './excerpt-content.node.ts';
import { verifyExcerpt } from '../excerpt.node.ts';
import { evidenceDigests } from '../digest.node.ts';
import { verifyPdfSignature, extractPdfSignature, BYTE_RANGE_PLACEHOLDER } from './pades.node.ts';
import { allowedSignersLine, signSshsig, verifySshsig } from './sshsig.node.ts';
import type { TimestampTokenInfo } from './tsa-client.node.ts';
import { checkDocumentTimestamp, readDocumentTimestamp } from './timestamp.node.ts';

/** predicateType of the SLSA Verification Summary Attestation written beside our own predicate. */
export const SLSA_VSA_V1 = 'https://slsa.dev/verification_summary/v1';
/** The annotation key that carries a directory's tree digest on each in-toto subject (the directory itself has no bytes to digest). */
export const TREE_DIGEST_ANNOTATION = 'sealcheck.dev/tree-sha256';
export const EVIDENCE_ANNOTATION = 'sealcheck.dev/evidence';

export interface AttestOptions {
  archivePath: string;
  policy: TrustPolicy;
  keys: PolicyKey[];
  anchors: Anchor[];
  examinerKey: ExaminerKey;
  /** The name the examiner typed; refused when it is not the one stored with the key. */
  examinerName?: string;
  examinerRole: string;
  /** Used when the key stores no organisation; refused when it differs from a stored one. */
  organisation?: string;
  caseFacts: CaseFacts;
  custody?: Partial<Custody>;
  declaration?: DeclarationTemplate;
  /** A second signer of the statement. */
  reviewerKey?: ExaminerKey;
  /** Report version; 2 or more needs `supersedes`. */
  version?: number;
  supersedes?: string | null;
  /** REPORT.pdf: the companion files are written beside it. */
  out: string;
  /** Keep the case database here (else a temporary one is used for the activity summary). */
  dbPath?: string;
  /** The command line as run, one element per argument, and its working directory. */
  argv?: string[];
  cwd?: string;
  /** Runs the installation self-test just before the examination; its record goes into the report. */
  selfTest?: () => Promise<SelfTestRecord>;
  /** The audit policy the examiner supplies (`--policy`); a policy sealed in the log takes over from its entry. */
  auditPolicy?: SuppliedPolicy;
}

export interface AttestResult {
  pdf: string;
  dsse: string;
  vsa: string;
  sshsig: string;
  allowedSigners: string;
  examinerPub: string;
  examinerCrt: string;
  content: AttestationContent;
}

export function sidecars(pdf: string): Omit<AttestResult, 'pdf' | 'content'> {
  const f = companionFiles(basename(pdf));
  const at = (name: string) => join(resolve(pdf, '..'), name);
  return { dsse: at(f.dsse), vsa: at(f.vsa), sshsig: at(f.sshsig), allowedSigners: at(f.allowedSigners), examinerPub: at(f.examinerPub), examinerCrt: at(f.examinerCrt) };
}

export function keyFingerprints(publicKey: Uint8Array): KeyFingerprints {
  const hex = sha256Fingerprint(publicKey);
  return { sha256Hex: hex, openssh: opensshFingerprint(publicKey), dsseKeyid: hex };
}

/** The examiner's typed name against the key's: the report is signed in the key's name only. */
export function checkExaminerName(typed: string | undefined, key: ExaminerKey): void {
  if (typed === undefined) return;
  const t = typed.trim();
  if (t === key.identity.name || t === formatExaminerName(key.identity)) return;
  throw new UsageError(`--examiner ${JSON.stringify(typed)} is not the name stored with the examiner key (${JSON.stringify(formatExaminerName(key.identity))}); a report is signed only in its key's name`);
}

const pem = (label: string, der: Uint8Array) => `-----BEGIN ${label}-----\n${Buffer.from(der).toString('base64').replace(/.{1,64}/g, '$&\n')}-----END ${label}-----\n`;

function subjects(d: EvidenceDigest): StatementSubject[] {
  return d.files.map((f) => ({
    name: f.name, digest: { sha256: f.sha256, sha512: f.sha512 },
    annotations: { [EVIDENCE_ANNOTATION]: 'E1', ...(d.digestOf === 'tree' ? { [TREE_DIGEST_ANNOTATION]: d.sha256 } : {}) },
  }));
}

/** SLSA VSA v1 (slsa.dev/verification_summary/v1): the same verdict in the form supply-chain tools read. */
function verificationSummary(c: AttestationContent, archivePath: string, checkpointDigests: { uri: string; digest: { sha256: string } }[]): Record<string, unknown> {
  const policy = createHash('sha256').update(JSON.stringify(c.trustPolicy)).digest('hex');
  const passed = c.result.verdict === 'verified';
  return {
    verifier: { id: 'https://sealcheck.dev/verifier/attest', version: { [c.tool.name.toLowerCase()]: c.tool.version } },
    timeVerified: c.tool.finishedAt,
    resourceUri: pathToFileURL(resolve(archivePath)).href,
    policy: { uri: 'https://sealcheck.dev/policy/archive-v1#trustPolicy', digest: { sha256: policy } },
    inputAttestations: checkpointDigests,
    verificationResult: passed ? 'PASSED' : 'FAILED',
    // Custom levels (not SLSA_*), as VSA v1 allows; "FAILED" when the policy was not met.
    verifiedLevels: passed ? [c.excerpt ? 'SEALCHECK_EXCERPT_V1_VERIFIED' : 'SEALCHECK_ARCHIVE_V1_VERIFIED'] : ['FAILED'],
  };
}

export async function attest(o: AttestOptions): Promise<AttestResult> {
  if (!/\.pdf$/i.test(o.out) || /\s/.test(basename(o.out))) throw new UsageError(`--out ${o.out}: the report must be a *.pdf file name without spaces`);
  checkExaminerName(o.examinerName, o.examinerKey);
  const id = o.examinerKey.identity;
  if (id.organisation && o.organisation !== undefined && o.organisation.trim() !== '' && o.organisation.trim() !== id.organisation) {
    throw new UsageError(`--organisation ${JSON.stringify(o.organisation)} is not the organisation stored with the examiner key (${JSON.stringify(id.organisation)})`);
  }
  const version = o.version ?? 1;
  const supersedes = o.supersedes ?? null;
  if (version > 1 && !supersedes) throw new UsageError(`a report of version ${version} must name the report it supersedes (--supersedes REPORT-ID)`);
  if (version === 1 && supersedes) throw new UsageError('--supersedes needs --report-version 2 or more: a re-issued report carries its version');
  const custody: Custody = {
    receivedFrom: null, receivedAt: null, receivedHow: null, storedWhere: null, authority: null, evidenceNumber: null, request: null, digestAtReceipt: null,
    ...Object.fromEntries(Object.entries(o.custody ?? {}).filter(([, v]) => v !== undefined && v !== null && String(v).trim() !== '').map(([k, v]) => [k, String(v).trim()])),
  };
  if (custody.digestAtReceipt !== null && !/^[0-9a-f]{64}$/.test(custody.digestAtReceipt)) throw new UsageError(`--digest-at-receipt ${custody.digestAtReceipt}: not a SHA-256 (64 lowercase hex digits)`);
  if (custody.receivedAt !== null) {
    const t = Date.parse(custody.receivedAt);
    if (Number.isNaN(t) || !/(Z|[+-]\d\d:\d\d)$/.test(custody.receivedAt)) throw new UsageError(`--received-at ${custody.receivedAt}: not an RFC 3339 time with a zone (e.g. 2026-03-01T09:30:00Z)`);
    custody.receivedAt = new Date(t).toISOString().replace(/\.000Z$/, 'Z');
  }
  const out = resolve(o.out);
  const files = { pdf: out, ...sidecars(out) };
  for (const f of Object.values(files)) if (existsSync(f)) throw new UsageError(`${f} already exists; a report is never overwritten (give another --out)`);
  // The evidence digest comes first: nothing else has read the evidence when it is taken.
  const digest = await takeEvidenceDigest(o.archivePath);
  const selfTest: SelfTestRecord = o.selfTest ? await o.selfTest() : { status: 'not-run', summary: 'The installation self-test was not run for this report.', recordSha256: null, at: null };
  // The record must show the order: the verification starts strictly after the digest was complete.
  while (Date.now() <= Date.parse(digest.at)) await new Promise((r) => setTimeout(r, 1));
  const startedAt = new Date().toISOString();
  if (await isExcerpt(o.archivePath)) return attestExcerpt(o, digest, selfTest, startedAt, files, custody, version, supersedes);
  const scratch = o.dbPath ? null : await mkdtemp(join(tmpdir(), 'sealcheck-attest-'));
  const dbPath = o.dbPath ?? join(scratch!, 'case.sqlite');
  try {
    // The evidence scope (issue 11) is always worked out for a report: its Limitations page states it.
    const scope = new ScopeAnalyzer(o.auditPolicy);
    const report = await verifyArchive(o.archivePath, {
      policy: o.policy,
      anchors: o.anchors,
      scope,
      index: { dbPath, run: { tool: TOOL_NAME, toolVersion: TOOL_VERSION, startedAt, keys: o.keys, quorum: o.policy.quorum, expectedOrigin: o.policy.origin, anchors: o.anchors.map((a) => ({ path: a.path, note: a.note.text })) } },
    });
    const inventory = await archiveInventory(o.archivePath, report, digest);
    const finishedAt = new Date().toISOString();
    const db = openCaseDatabase(dbPath, { readonly: true });
    let content: AttestationContent;
    try {
      const archiveId = (db.prepare('SELECT id FROM archives WHERE path = ?').get(resolve(o.archivePath)) as { id: number }).id;
      const dbSha256 = o.dbPath ? createHash('sha256').update(await readFile(dbPath)).digest('hex') : null;
      const reviewer: Reviewer | null = o.reviewerKey
        ? { name: o.reviewerKey.identity.name, email: o.reviewerKey.identity.email, reviewedAt: finishedAt.replace(/\.\d{3}Z$/, 'Z'), publicKey: toBase64(o.reviewerKey.publicKey), fingerprints: keyFingerprints(o.reviewerKey.publicKey) }
        : null;
      content = buildAttestationContent({
        report, digest, db, archiveId, caseFacts: o.caseFacts, custody,
        examiner: {
          name: id.name, role: o.examinerRole, organisation: id.organisation ?? o.organisation?.trim() ?? '', email: id.email, qualifications: id.qualifications ?? null,
          principal: examinerPrincipal(id), fingerprints: keyFingerprints(o.examinerKey.publicKey),
        },
        reviewer, declaration: o.declaration ?? 'none',
        reportId: `SC-${finishedAt.replace(/[-:T]/g, '').slice(0, 14)}-${digest.sha256.slice(0, 8)}`, version, supersedes,
        fileName: basename(out), keys: o.keys, quorum: o.policy.quorum, anchors: o.anchors, startedAt, finishedAt,
        argv: o.argv ?? null, cwd: o.cwd ?? process.cwd(), selfTest,
        reproducibility: { ...inventory, ...buildFacts() },
        caseDatabase: { sha256: dbSha256, presetsVersion: presetsVersion() },
        scope: scope.finish(),
      });
    } finally {
      db.close();
    }
    const checkpointDigests = inventory.files.filter((f) => f.path.startsWith('checkpoints/')).map((f) => ({ uri: f.path, digest: { sha256: f.sha256 } }));
    return await signAndWrite(o, content, digest, files, checkpointDigests);
  } finally {
    if (scratch) await rm(scratch, { recursive: true, force: true });
  }
}

/** The statements, the signed PDF and its companion files, for an archive's report or an excerpt's. */
async function signAndWrite(o: AttestOptions, content: AttestationContent, digest: EvidenceDigest, files: Omit<AttestResult, 'content'>, checkpointDigests: { uri: string; digest: { sha256: string } }[]): Promise<AttestResult> {
  const id = o.examinerKey.identity;
  // Two statements about the same subjects, in two envelopes: ours (the whole content) and a SLSA VSA.
  const keyid = sha256Fingerprint(o.examinerKey.publicKey);
  const statement = buildStatement(subjects(digest), { content });
  let envelope = signEnvelope(statementPayload(statement), IN_TOTO_PAYLOAD_TYPE, o.examinerKey.seed, keyid);
  if (o.reviewerKey) envelope = addEnvelopeSignature(envelope, o.reviewerKey.seed, sha256Fingerprint(o.reviewerKey.publicKey));
  const vsa = buildStatement(subjects(digest), verificationSummary(content, o.archivePath, checkpointDigests), SLSA_VSA_V1);
  const dsseBytes = Buffer.from(serializeEnvelope(envelope));
  const vsaBytes = Buffer.from(serializeEnvelope(signEnvelope(statementPayload(vsa), IN_TOTO_PAYLOAD_TYPE, o.examinerKey.seed, keyid)));
  const { pdf, certificateDer } = await renderSignedAttestationPdf(content, statementAttachments(basename(files.pdf), dsseBytes, vsaBytes), { seed: o.examinerKey.seed });
  const ssh = sshPublicKeyLine(o.examinerKey.publicKey, formatExaminerName(id));
  await writeFile(files.pdf, pdf, { flag: 'wx' });
  await writeFile(files.dsse, dsseBytes, { flag: 'wx' });
  await writeFile(files.vsa, vsaBytes, { flag: 'wx' });
  await writeFile(files.sshsig, signSshsig(pdf, o.examinerKey.seed, ATTESTATION_SIGNATURE_NAMESPACE), { flag: 'wx' });
  await writeFile(files.allowedSigners, `${allowedSignersLine(examinerPrincipal(id), ssh)}\n`, { flag: 'wx' });
  await writeFile(files.examinerPub, `${ssh}\n`, { flag: 'wx' });
  await writeFile(files.examinerCrt, pem('CERTIFICATE', certificateDer), { flag: 'wx' });
  return { ...files, content };
}

/**
 * An excerpt's report (docs/excerpt-format.md): the excerpt is the evidence, checked by verify-excerpt
 * under the policy, its digest taken first and again after; section 8 lists its items.
 */
async function attestExcerpt(o: AttestOptions, digest: EvidenceDigest, selfTest: SelfTestRecord, startedAt: string, files: Omit<AttestResult, 'content'>, custody: Custody, version: number, supersedes: string | null): Promise<AttestResult> {
  if (o.dbPath) throw new UsageError(`--index: ${o.archivePath} is an evidence excerpt, which is not indexed; the report lists its events itself`);
  if (o.anchors.length) throw new UsageError(`--anchor: ${o.archivePath} is an evidence excerpt; an anchor is compared with an archive's tree, and an excerpt carries no tree to compare`);
  const verdict = await verifyExcerpt(o.archivePath, o.policy);
  const excerptFiles = await readExcerptForReport(o.archivePath, new Set(verdict.items.filter((i) => i.status === 'disclosed').map((i) => i.index)));
  const after = await evidenceDigests(o.archivePath, ['sha256']);
  const finishedAt = new Date().toISOString();
  const id = o.examinerKey.identity;
  const content = buildExcerptAttestationContent({
    path: o.archivePath, verdict, digestAfter: after.digests.sha256, files: excerptFiles, digest, caseFacts: o.caseFacts, custody,
    examiner: {
      name: id.name, role: o.examinerRole, organisation: id.organisation ?? o.organisation?.trim() ?? '', email: id.email, qualifications: id.qualifications ?? null,
      principal: examinerPrincipal(id), fingerprints: keyFingerprints(o.examinerKey.publicKey),
    },
    reviewer: o.reviewerKey
      ? { name: o.reviewerKey.identity.name, email: o.reviewerKey.identity.email, reviewedAt: finishedAt.replace(/\.\d{3}Z$/, 'Z'), publicKey: toBase64(o.reviewerKey.publicKey), fingerprints: keyFingerprints(o.reviewerKey.publicKey) }
      : null,
    declaration: o.declaration ?? 'none',
    reportId: `SC-${finishedAt.replace(/[-:T]/g, '').slice(0, 14)}-${digest.sha256.slice(0, 8)}`, version, supersedes,
    fileName: basename(files.pdf), keys: o.keys, quorum: o.policy.quorum, startedAt, finishedAt,
    argv: o.argv ?? null, cwd: o.cwd ?? process.cwd(), selfTest,
  });
  return signAndWrite(o, content, digest, files, content.reproducibility.files.filter((f) => f.path === 'checkpoint').map((f) => ({ uri: f.path, digest: { sha256: f.sha256 } })));
}

/** The two envelopes as embedded: their order is the pdfdetach numbering the verification steps use. */
export function statementAttachments(pdfName: string, dsse: Uint8Array, vsa: Uint8Array): AttestationAttachment[] {
  const f = companionFiles(pdfName);
  return [
    { name: f.dsse, mime: 'application/json', description: 'in-toto Statement v1 (this report\u2019s content) in a DSSE envelope, signed by the examiner key', bytes: dsse },
    { name: f.vsa, mime: 'application/json', description: 'SLSA Verification Summary Attestation v1 in a DSSE envelope, signed by the examiner key', bytes: vsa },
  ];
}

// ---------- verification ----------

export interface AttestationCheck {
  name: string;
  ok: boolean;
  detail: string;
}

export interface AttestationVerification {
  valid: boolean;
  checks: AttestationCheck[];
  report: { id: string; case: string; verdict: string; examiner: string } | null;
  /** The RFC 3161 document time-stamp appended by `sealcheck timestamp`, when present and valid. */
  timestamp?: TimestampTokenInfo | null;
}

/** The examiner's public key from PREFIX.pub (PEM SPKI) or PREFIX.ssh.pub (OpenSSH line). */
export function examinerPublicKey(text: string): Uint8Array {
  const t = text.trim();
  if (t.startsWith('-----BEGIN PUBLIC KEY-----')) return verifierKeyFromPem('examiner', t).publicKey;
  if (t.startsWith('ssh-ed25519 ')) return parseSshPublicKeyLine(t).publicKey;
  throw new Error('not an examiner public key (expected a PEM PUBLIC KEY or an ssh-ed25519 line)');
}

/**
 * The embedded files of a PDF this tool wrote: each /Type /EmbeddedFile stream, by the name in the
 * Filespec that points at it. A narrow reader, for Sealcheck's own reports, not general PDFs.
 */
export function embeddedFiles(pdf: Uint8Array): Map<string, Uint8Array> {
  const text = Buffer.from(pdf).toString('latin1');
  const streams = new Map<string, Uint8Array>();
  // A dictionary never spans an `endobj`: without that bound, a stream-less object would swallow the next object's stream.
  // The next `endobj` and the next `>>…stream` are looked up only moving forward: one lazy regex per
  // object header over the rest of the file took quadratic time on many headers without `endobj`
  // (40 kB: 0.4 s; found by fuzzing).
  const headRe = /(\d+) 0 obj\s*<</g;
  const streamRe = />>\s*stream\r?\n/g;
  let nextEnd = -2; // index of the next `endobj` at or after the dictionary; -1 when none is left
  let nextStream: RegExpExecArray | null | undefined; // the first `>>…stream` at or after it; null when none is left
  for (let h = headRe.exec(text); h; h = headRe.exec(text)) {
    const from = h.index + h[0].length;
    if (nextEnd !== -1 && nextEnd < from) nextEnd = text.indexOf('endobj', from);
    if (nextStream !== null && (nextStream === undefined || nextStream.index < from)) {
      streamRe.lastIndex = from;
      nextStream = streamRe.exec(text);
    }
    if (!nextStream || (nextEnd !== -1 && nextEnd < nextStream.index)) continue;
    const dict = text.slice(from, nextStream.index);
    const start = nextStream.index + nextStream[0].length;
    headRe.lastIndex = start;
    if (!/\/Type\s*\/EmbeddedFile\b/.test(dict)) continue;
    const length = /\/Length\s+(\d+)(?!\s+\d+\s+R)/.exec(dict);
    if (!length) continue;
    const raw = pdf.subarray(start, start + Number(length[1]));
    if (!/\/Filter\s*\/FlateDecode/.test(dict)) {
      streams.set(h[1]!, raw);
      continue;
    }
    // A stream that does not inflate (damaged, or a bomb past the file limit) is no embedded file
    // this tool wrote: left out, the envelope check fails by name instead of zlib's error escaping.
    try {
      streams.set(h[1]!, new Uint8Array(inflateSync(raw, { maxOutputLength: ATTESTATION_FILE_LIMIT })));
    } catch {
      continue;
    }
  }
  const out = new Map<string, Uint8Array>();
  const specRe = /\/Type\s*\/Filespec[\s\S]*?\/F\s*\(([^)]*)\)[\s\S]*?\/EF\s*<<\s*\/F\s+(\d+) 0 R/g;
  for (let m = specRe.exec(text); m; m = specRe.exec(text)) {
    const bytes = streams.get(m[2]!);
    if (bytes) out.set(m[1]!, bytes);
  }
  return out;
}

/** The signed PDF with its ByteRange and Contents put back to the placeholder: what was rendered before signing. */
function unsignedForm(pdf: Uint8Array): Uint8Array {
  const sig = extractPdfSignature(pdf);
  const out = Uint8Array.from(pdf);
  const [, b, c] = sig.byteRange;
  out.fill(0x30, b + 1, c - 1); // the hex digits of /Contents back to '0'
  const text = Buffer.from(out).toString('latin1');
  const at = text.indexOf('/ByteRange');
  const m = /^\/ByteRange\s*(\[[^\]]*\])/.exec(text.slice(at, at + 80))!;
  if (m[1]!.length !== BYTE_RANGE_PLACEHOLDER.length) throw new Error('the /ByteRange is not the width this tool writes');
  out.set(Buffer.from(BYTE_RANGE_PLACEHOLDER, 'latin1'), at + m[0].length - m[1]!.length);
  return out;
}

export async function verifyAttestation(pdfPath: string, examinerKey: Uint8Array, archivePath?: string, options: { tsaCertificates?: Uint8Array[] } = {}): Promise<AttestationVerification> {
  const checks: AttestationCheck[] = [];
  const check = (name: string, ok: boolean, detail: string) => checks.push({ name, ok, detail });
  const file = await readBoundedFile(pdfPath, ATTESTATION_FILE_LIMIT, 'attestation');
  // Checks 1-6 are of the revision the examiner signed; a document time-stamp appended later is check 7.
  const stamped = readDocumentTimestamp(file);
  const pdf = stamped.signedRevision;
  const side = sidecars(pdfPath);
  const files = embeddedFiles(pdf);

  // 1. The embedded PAdES signature over the whole file, by the examiner's key.
  const pades = verifyPdfSignature(pdf, examinerKey);
  check('PDF signature (PAdES, Ed25519)', pades.ok, pades.reason);

  // 2. Each embedded envelope by the same key, and its copy delivered beside the report.
  const envelope = (label: string, path: string): { bytes: Uint8Array | null; payload: Uint8Array | null; raw: unknown } => {
    const name = basename(path);
    const bytes = files.get(name) ?? null;
    if (!bytes) {
      check(label, false, `no embedded ${name}`);
      return { bytes: null, payload: null, raw: null };
    }
    const v = verifyEnvelope(Buffer.from(bytes).toString('utf8'), examinerKey);
    check(label, v.ok, v.reason);
    return { bytes, payload: v.ok ? v.payload : null, raw: v.ok ? JSON.parse(Buffer.from(bytes).toString('utf8')) : null };
  };
  const main = envelope('embedded statement (DSSE)', side.dsse);
  let content: AttestationContent | null = null;
  if (main.payload) {
    const statement = parseStatement(main.payload);
    content = (statement.predicate as { content?: AttestationContent }).content ?? null;
    if (!content) check('statement content', false, 'the statement has no report content');
  }
  const summary = envelope('embedded verification summary (SLSA VSA, DSSE)', side.vsa);
  if (summary.payload) {
    const vsa = parseStatement(summary.payload);
    const p = vsa.predicate as { verificationResult?: string };
    const want = content?.result.verdict === 'verified' ? 'PASSED' : 'FAILED';
    check('verification summary agrees with the report', vsa.predicateType === SLSA_VSA_V1 && p.verificationResult === want,
      `predicateType ${vsa.predicateType}, verificationResult ${String(p.verificationResult)} (the report's verdict is ${content?.result.verdict ?? 'unknown'})`);
  }
  for (const [e, path] of [[main, side.dsse], [summary, side.vsa]] as const) {
    if (!e.bytes || !existsSync(path)) continue;
    const same = Buffer.compare(await readBoundedFile(path, ATTESTATION_FILE_LIMIT, 'statement'), Buffer.from(e.bytes)) === 0;
    check(`${basename(path)} beside the report`, same, same ? 'identical to the embedded envelope' : 'differs from the envelope embedded in the PDF');
  }

  // 3. The reviewer's signature, a second signer of the same statement.
  if (content?.reviewer && main.bytes) {
    const key = fromBase64Strict(content.reviewer.publicKey);
    const v = key && key.length === 32 ? verifyEnvelope(Buffer.from(main.bytes).toString('utf8'), key) : { ok: false, reason: 'the reviewer public key in the statement is not 32 bytes of base64' };
    check(`reviewer signature (DSSE) by ${content.reviewer.name}`, v.ok, v.ok ? `verified with the reviewer key ${content.reviewer.fingerprints.sha256Hex}; compare it with the fingerprint the reviewer gave you` : v.reason);
  }

  // 4. The visible report is exactly the rendering of the signed statement.
  if (content && main.bytes) {
    if (content.tool.version !== TOOL_VERSION) {
      check('visible report matches the statement', false, `rendered by ${content.tool.name} ${content.tool.version}; compare with that version (this is ${TOOL_VERSION})`);
    } else if (!summary.bytes) {
      check('visible report matches the statement', false, 'the verification summary is missing, so the pages cannot be rebuilt');
    } else {
      try {
        const again = await renderAttestationPdf(content, statementAttachments(content.report.fileName, main.bytes, summary.bytes), pades.signingTime ? { signingTime: pades.signingTime } : {});
        const same = Buffer.compare(Buffer.from(again), Buffer.from(unsignedForm(pdf))) === 0;
        check('visible report matches the statement', same, same ? 'every page re-renders byte for byte from the signed statement' : 'the pages differ from a rendering of the signed statement');
      } catch (e) {
        check('visible report matches the statement', false, (e as Error).message);
      }
    }
  }

  // 5. The detached SSH signature, when delivered beside the report.
  if (existsSync(side.sshsig)) {
    const v = verifySshsig(await readBoundedText(side.sshsig, KEY_FILE_LIMIT, 'SSH signature'), pdf, examinerKey, ATTESTATION_SIGNATURE_NAMESPACE);
    check(`${basename(side.sshsig)} (SSHSIG)`, v.ok, v.reason);
  }

  // 6. The evidence, when given: its digests are the ones attested.
  if (archivePath && content) {
    const d = await takeEvidenceDigest(archivePath);
    const item = content.evidence.find((e) => e.sha256 === d.sha256);
    check('evidence digests', item !== undefined && item.sha512 === d.sha512, item ? `SHA-256 ${d.sha256} and SHA-512 match evidence ${item.label} (${item.name})` : `SHA-256 of ${archivePath} is ${d.sha256}, not an attested evidence item`);
  }

  // 7. A document time-stamp (sealcheck timestamp), when a revision was appended after signing.
  let timestamp: TimestampTokenInfo | null = null;
  if (stamped.timestamp || stamped.problem) {
    const t = checkDocumentTimestamp(stamped, file.length, options.tsaCertificates);
    check('document time-stamp (RFC 3161)', t.ok, t.detail);
    timestamp = t.token;
  } else if (options.tsaCertificates) check('document time-stamp (RFC 3161)', false, '--tsa-cert was given but the report has no document time-stamp');
  return {
    valid: checks.length > 0 && checks.every((c) => c.ok),
    checks,
    report: content && { id: content.report.id, case: content.case.number, verdict: content.result.verdict, examiner: content.examiner.name },
    timestamp,
  };
}
