// `attest` and `verify-attestation`: verify + index an archive, write the signed PDF, its DSSE envelope and SSHSIG; check all of them later.
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { ATTESTATION_FILE_LIMIT, readBoundedFile } from '../bounded-read.node.ts';
import { tmpdir } from 'node:os';
import { basename, join, resolve } from 'node:path';
import { inflateSync } from 'node:zlib';
import { ATTESTATION_SIGNATURE_NAMESPACE, type AttestationContent } from '../../../shared/core/attestation.ts';
import { verifierKeyFromPem } from '../../../shared/core/keys.ts';
import type { Anchor, TrustPolicy } from '../../../shared/core/evaluate.ts';
import { verifyArchive } from '../verify.node.ts';
import { evidenceDigests } from '../digest.node.ts';
import { openCaseDatabase } from '../index/writer.node.ts';
import { TOOL_NAME, TOOL_VERSION } from '../runtime.node.ts';
import { buildAttestationContent, type CaseFacts, type PolicyKey } from './content.node.ts';
import { buildStatement, IN_TOTO_PAYLOAD_TYPE, parseStatement, serializeEnvelope, signEnvelope, statementPayload, verifyEnvelope } from './dsse.node.ts';
import { examinerPrincipal, formatExaminerName, opensshFingerprint, parseSshPublicKeyLine, sha256Fingerprint, sshPublicKeyLine, type ExaminerKey } from './examiner-key.node.ts';
import { renderAttestationPdf, renderSignedAttestationPdf } from './pdf.node.ts';
import { verifyPdfSignature, extractPdfSignature, BYTE_RANGE_PLACEHOLDER } from './pades.node.ts';
import { allowedSignersLine, signSshsig, verifySshsig } from './sshsig.node.ts';
import { checkDocumentTimestamp, readDocumentTimestamp } from './timestamp.node.ts';
import type { TimestampTokenInfo } from './tsa-client.node.ts';

export interface AttestOptions {
  archivePath: string;
  policy: TrustPolicy;
  keys: PolicyKey[];
  anchors: Anchor[];
  examinerKey: ExaminerKey;
  examinerRole: string;
  organisation: string;
  caseFacts: CaseFacts;
  /** REPORT.pdf: the sidecars are written beside it. */
  out: string;
  /** Keep the case database here (else a temporary one is used for the activity summary). */
  dbPath?: string;
  command?: string;
}

export interface AttestResult {
  pdf: string;
  dsse: string;
  sshsig: string;
  allowedSigners: string;
  content: AttestationContent;
}

export function sidecars(pdf: string): { dsse: string; sshsig: string; allowedSigners: string } {
  return { dsse: pdf.replace(/\.pdf$/i, '') + '.dsse.json', sshsig: `${pdf}.sshsig`, allowedSigners: `${pdf}.allowed_signers` };
}

export async function attest(o: AttestOptions): Promise<AttestResult> {
  if (!/\.pdf$/i.test(o.out) || /\s/.test(basename(o.out))) throw new Error(`--out ${o.out}: the report must be a *.pdf file name without spaces`);
  const out = resolve(o.out);
  const files = { pdf: out, ...sidecars(out) };
  for (const f of Object.values(files)) if (existsSync(f)) throw new Error(`${f} already exists; a report is never overwritten (give another --out)`);
  const startedAt = new Date().toISOString();
  const scratch = o.dbPath ? null : await mkdtemp(join(tmpdir(), 'sealcheck-attest-'));
  const dbPath = o.dbPath ?? join(scratch!, 'case.sqlite');
  try {
    const report = await verifyArchive(o.archivePath, {
      policy: o.policy,
      anchors: o.anchors,
      index: { dbPath, run: { tool: TOOL_NAME, toolVersion: TOOL_VERSION, startedAt, keys: o.keys, quorum: o.policy.quorum, expectedOrigin: o.policy.origin, anchors: o.anchors.map((a) => ({ path: a.path, note: a.note.text })) } },
    });
    const digests = await evidenceDigests(o.archivePath);
    const finishedAt = new Date().toISOString();
    const db = openCaseDatabase(dbPath, { readonly: true });
    let content: AttestationContent;
    try {
      const archiveId = (db.prepare('SELECT id FROM archives WHERE path = ?').get(resolve(o.archivePath)) as { id: number }).id;
      const id = o.examinerKey.identity;
      content = buildAttestationContent({
        report, digests, db, archiveId, caseFacts: o.caseFacts,
        examiner: { name: id.name, role: o.examinerRole, organisation: o.organisation, ...(id.email ? { email: id.email } : {}), principal: examinerPrincipal(id), keyFingerprint: opensshFingerprint(o.examinerKey.publicKey) },
        reportId: `SC-${finishedAt.replace(/[-:T]/g, '').slice(0, 14)}-${digests.sha256.slice(0, 8)}`,
        fileName: basename(out), keys: o.keys, quorum: o.policy.quorum, anchors: o.anchors, startedAt, finishedAt,
        ...(o.command ? { command: o.command } : {}),
      });
    } finally {
      db.close();
    }
    // The statement: the evidence items as subjects, the whole content (results, trust policy) as predicate.
    const statement = buildStatement(content.evidence.map((e) => ({ name: e.fileName, digest: { sha256: e.sha256, sha512: e.sha512 } })), { content });
    const envelope = signEnvelope(statementPayload(statement), IN_TOTO_PAYLOAD_TYPE, o.examinerKey.seed, sha256Fingerprint(o.examinerKey.publicKey));
    const dsseBytes = Buffer.from(serializeEnvelope(envelope));
    const attachment = { name: basename(files.dsse), mime: 'application/json', description: 'in-toto Statement v1 in a DSSE envelope, signed by the examiner key', bytes: dsseBytes };
    const { pdf } = await renderSignedAttestationPdf(content, [attachment], { seed: o.examinerKey.seed });
    const ssh = sshPublicKeyLine(o.examinerKey.publicKey, formatExaminerName(o.examinerKey.identity));
    await writeFile(files.pdf, pdf, { flag: 'wx' });
    await writeFile(files.dsse, dsseBytes, { flag: 'wx' });
    await writeFile(files.sshsig, signSshsig(pdf, o.examinerKey.seed, ATTESTATION_SIGNATURE_NAMESPACE), { flag: 'wx' });
    await writeFile(files.allowedSigners, `${allowedSignersLine(examinerPrincipal(o.examinerKey.identity), ssh)}\n`, { flag: 'wx' });
    return { ...files, content };
  } finally {
    if (scratch) await rm(scratch, { recursive: true, force: true });
  }
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
  const objRe = /(\d+) 0 obj\s*<<([\s\S]*?)>>\s*stream\r?\n/g;
  for (let m = objRe.exec(text); m; m = objRe.exec(text)) {
    if (!/\/Type\s*\/EmbeddedFile\b/.test(m[2]!)) continue;
    const length = /\/Length\s+(\d+)(?!\s+\d+\s+R)/.exec(m[2]!);
    if (!length) continue;
    const start = m.index + m[0].length;
    const raw = pdf.subarray(start, start + Number(length[1]));
    streams.set(m[1]!, /\/Filter\s*\/FlateDecode/.test(m[2]!) ? new Uint8Array(inflateSync(raw)) : raw);
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

  // 1. The embedded PAdES signature over the whole file, by the examiner's key.
  const pades = verifyPdfSignature(pdf, examinerKey);
  check('PDF signature (PAdES, Ed25519)', pades.ok, pades.reason);

  // 2. The embedded DSSE envelope, by the same key.
  const dsseName = basename(sidecars(pdfPath).dsse);
  const files = embeddedFiles(pdf);
  const embedded = files.get(dsseName) ?? [...files.values()][0];
  let content: AttestationContent | null = null;
  if (!embedded) check('embedded statement (DSSE)', false, `no embedded ${dsseName}`);
  else {
    const v = verifyEnvelope(Buffer.from(embedded).toString('utf8'), examinerKey);
    check('embedded statement (DSSE)', v.ok, v.reason);
    if (v.ok && v.payload) {
      const statement = parseStatement(v.payload);
      content = (statement.predicate as { content?: AttestationContent }).content ?? null;
      if (!content) check('statement content', false, 'the statement has no report content');
    }
    const sidecar = sidecars(pdfPath).dsse;
    if (existsSync(sidecar)) {
      const same = Buffer.compare(await readFile(sidecar), Buffer.from(embedded)) === 0;
      check(`${basename(sidecar)} beside the report`, same, same ? 'identical to the embedded envelope' : 'differs from the envelope embedded in the PDF');
    }
  }

  // 3. The visible report is exactly the rendering of the signed statement.
  if (content) {
    if (content.tool.version !== TOOL_VERSION) {
      check('visible report matches the statement', false, `rendered by ${content.tool.name} ${content.tool.version}; compare with that version (this is ${TOOL_VERSION})`);
    } else {
      try {
        const again = await renderAttestationPdf(content, [{ name: dsseName, mime: 'application/json', description: 'in-toto Statement v1 in a DSSE envelope, signed by the examiner key', bytes: embedded! }], pades.signingTime ? { signingTime: pades.signingTime } : {});
        const same = Buffer.compare(Buffer.from(again), Buffer.from(unsignedForm(pdf))) === 0;
        check('visible report matches the statement', same, same ? 'every page re-renders byte for byte from the signed statement' : 'the pages differ from a rendering of the signed statement');
      } catch (e) {
        check('visible report matches the statement', false, (e as Error).message);
      }
    }
  }

  // 4. The detached SSH signature, when delivered beside the report.
  const sshsig = sidecars(pdfPath).sshsig;
  if (existsSync(sshsig)) {
    const v = verifySshsig(await readFile(sshsig, 'utf8'), pdf, examinerKey, ATTESTATION_SIGNATURE_NAMESPACE);
    check(`${basename(sshsig)} (SSHSIG)`, v.ok, v.reason);
  }

  // 5. The evidence, when given: its digests are the ones attested.
  if (archivePath && content) {
    const d = await evidenceDigests(archivePath);
    const item = content.evidence.find((e) => e.sha256 === d.sha256);
    check('evidence digests', item !== undefined && item.sha512 === d.sha512, item ? `SHA-256 ${d.sha256} and SHA-512 match evidence ${item.label} (${item.fileName})` : `SHA-256 of ${archivePath} is ${d.sha256}, not an attested evidence item`);
  }

  // 6. A document time-stamp (sealcheck timestamp), when a revision was appended after signing.
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

