// Assembles what an attestation states from one verification run, its index and the examiner's case details.
import { createHash } from 'node:crypto';
import { isoFromUnixSeconds } from '../../../shared/core/json-text.ts';
import { readFileSync, existsSync } from 'node:fs';
import { arch, hostname, platform, release } from 'node:os';
import { basename } from 'node:path';
import type Database from 'better-sqlite3';
import {
  ARCHIVE_SPEC, ATTESTATION_CONTENT_VERSION, METHOD_CHECKS, METHOD_REFERENCES, makeDeclaration,
  type ActivitySummary, type AttestationContent, type AttestationFinding, type Custody, type DeclarationTemplate, type KeyFingerprints,
  type KeyTally, type Reproducibility, type Reviewer, type SelfTestRecord, type TrustKey,
} from '../../../shared/core/attestation.ts';
import { toBase64, toHex } from '../../../shared/core/bytes.ts';
import type { Anchor } from '../../../shared/core/evaluate.ts';
import { keyFingerprint, keyIdHex, type VerifierKey } from '../../../shared/core/keys.ts';
import { verdictReason, type VerifyReport } from '../../../shared/core/report.ts';
import { countEvents, PRESETS, PRESET_SQL, topValues } from '../index/query.node.ts';
import { INDEX_BITS } from '../index/columns.node.ts';
import { TOOL_NAME, TOOL_VERSION } from '../runtime.node.ts';
import { buildDigest } from '../build-digest.node.ts';
import type { EvidenceDigest } from './evidence.node.ts';
import type { Scope } from '../../../shared/core/scope.ts';

export type CaseFacts = AttestationContent['case'];

export interface ExaminerFacts {
  name: string;
  role: string;
  organisation: string;
  email: string | null;
  qualifications: string | null;
  principal: string;
  fingerprints: KeyFingerprints;
}

export interface PolicyKey extends VerifierKey {
  role: 'log' | 'witness';
  source: string;
}

export interface ContentInput {
  report: VerifyReport;
  /** The digest taken before anything else read the evidence. */
  digest: EvidenceDigest;
  db: Database.Database;
  archiveId: number;
  caseFacts: CaseFacts;
  custody: Custody;
  examiner: ExaminerFacts;
  reviewer: Reviewer | null;
  declaration: DeclarationTemplate;
  reportId: string;
  version: number;
  supersedes: string | null;
  fileName: string;
  keys: PolicyKey[];
  quorum: number;
  anchors: Anchor[];
  startedAt: string;
  finishedAt: string;
  argv: string[] | null;
  cwd: string;
  selfTest: SelfTestRecord;
  reproducibility: Reproducibility;
  caseDatabase: { sha256: string | null; presetsVersion: string } | null;
  /** The evidence scope worked out while verifying (audit policy, blind spots, time gaps); null when it was not. */
  scope?: Scope | null;
}

const utc = (iso: string) => iso.replace(/\.\d{3}Z$/, 'Z');
const secondsUtc = (s: bigint): string | null => isoFromUnixSeconds(s);
const usUtc = (us: number) => utc(new Date(Math.floor(us / 1000)).toISOString());
const n = (x: number) => x.toLocaleString('en-US');

export const PRESET_DESCRIPTIONS: Record<string, string> = {
  'secrets-access': 'any verb on secrets',
  'rbac-changes': 'writes to roles, cluster roles and their bindings',
  exec: 'exec, attach and port-forward into pods',
  impersonation: 'requests made as another user',
  denied: 'HTTP 403 or an authorizer decision of forbid',
  anonymous: 'system:anonymous or unauthenticated requests',
  deletions: 'delete and deletecollection',
  'admission-changes': 'writes to admission webhooks and policies',
  'service-account': 'requests by service accounts',
  sensitive: 'entries carrying Secrets, tokens, credentials or e-mail addresses (the sensitive-data rules of docs/excerpt-format.md)',
};

/** The preset definitions as they ran: the SHA-256 of their SQL and descriptions, so a change of definition is visible. */
export function presetsVersion(): string {
  return `sha256:${createHash('sha256').update(JSON.stringify([PRESET_SQL, PRESET_DESCRIPTIONS])).digest('hex').slice(0, 16)}`;
}

/** The tool, its host and clock, and when the examination ran (millisecond precision: the record shows the digest came before the verification started). */
export function toolRecord(i: { argv: string[] | null; cwd: string; startedAt: string; finishedAt: string }): AttestationContent['tool'] {
  return {
    name: TOOL_NAME, version: TOOL_VERSION, buildDigest: buildDigest(), argv: i.argv, cwd: i.cwd,
    host: { hostname: hostname(), os: `${platform()} ${release()}`, arch: arch(), runtime: `Node.js ${process.version}` },
    clock: 'The workstation\u2019s system clock, as the operating system reported it; whether it was synchronised (NTP) is unknown to the tool.',
    startedAt: i.startedAt, finishedAt: i.finishedAt,
  };
}

/** The witness quorum of the trust policy, or null without one. */
export function witnessQuorum(quorum: number, keys: readonly { role: string; name: string }[]): AttestationContent['trustPolicy']['witnessQuorum'] {
  return quorum > 0 ? { required: quorum, witnesses: keys.filter((k) => k.role === 'witness').map((k) => k.name) } : null;
}

const sensitiveChecked = (db: Database.Database, archiveId: number) => db.prepare('SELECT sensitive_checked FROM archives WHERE id = ?').pluck().get(archiveId) === 1;

function activity(db: Database.Database, archiveId: number, caseDatabase: ActivitySummary['caseDatabase']): ActivitySummary {
  const f = { archiveId };
  const lo = archiveId * INDEX_BITS;
  const span = db.prepare('SELECT min(time_us) AS a, max(time_us) AS b FROM entries WHERE eid BETWEEN ? AND ?').get(lo, lo + INDEX_BITS - 1) as { a: number | null; b: number | null };
  const denied = db.prepare(`SELECT e.username AS user, coalesce(e.verb, e.method, '') AS verb, coalesce(e.resource, e.path, '') AS resource, count(*) AS count
    FROM entries e WHERE e.eid BETWEEN ? AND ? AND ${PRESET_SQL.denied} GROUP BY 1, 2, 3 ORDER BY count DESC, user LIMIT 5`).all(lo, lo + INDEX_BITS - 1) as { user: string | null; verb: string; resource: string; count: number }[];
  return {
    from: span.a === null ? null : usUtc(span.a),
    to: span.b === null ? null : usUtc(span.b),
    totalEvents: countEvents(db, f),
    topUsers: topValues(db, f, 'users', 5).map((r) => ({ name: r.value, count: r.count })),
    verbs: topValues(db, f, 'verbs', 8).map((r) => ({ name: r.value, count: r.count })),
    denied: { total: countEvents(db, { ...f, preset: 'denied' }), top: denied.map((d) => ({ ...d, user: d.user ?? '(none)' })) },
    // An archive indexed before the sensitive-data rules existed has no answer for them: no count rather than a zero.
    presetHits: PRESETS.filter((p) => p !== 'sensitive' || sensitiveChecked(db, archiveId)).map((p) => ({ preset: p, description: PRESET_DESCRIPTIONS[p]!, count: countEvents(db, { ...f, preset: p }) })),
    caseDatabase,
  };
}

/** The primary fingerprint of every key in the report: SHA-256 of the raw public key, hex. */
export function primaryFingerprint(k: { publicKey: Uint8Array }): string {
  return toHex(keyFingerprint(k.publicKey));
}

/** The exact claim of a verified report: what was checked and no more. */
export function verifiedClaim(entries: number, size: number, root: string): string {
  return `No alteration detected in the ${n(entries)} sealed entries up to tree size ${n(size)} (root ${root}), relative to the keys listed in \u00a74.`;
}

function interpretation(r: VerifyReport, cutBack: string | null, gapDays: number | null): string[] {
  if (r.verdict === 'verified') {
    return [
      'The log is as its sealer wrote it, and nothing changed since: the result is what an untouched log gives.',
      `The log was rewritten before it was sealed: the seal covers the entries as they were at sealing time only${gapDays !== null && gapDays > 1 ? ` (here ${n(gapDays)} days after the last event, see section 2)` : ''}.`,
      ...(cutBack ? ['The log was cut back to an earlier checkpoint and the rest deleted: this gives the same result unless the covered size is compared with a checkpoint obtained independently (page 1).'] : []),
      'Someone who held the log key re-sealed altered entries: the result then shows only that the keys in section 4 signed them.',
    ];
  }
  if (r.verdict === 'failed') {
    return [
      'The evidence was altered after it was sealed (section 6 names each entry, file and line).',
      'The evidence was damaged in storage or transfer: compare the digest taken here with the one recorded at receipt (section 2).',
      'The keys in section 4 are not the log\u2019s keys: signature findings then say so and entry findings are absent.',
    ];
  }
  return [
    'The sealer stopped before signing its last checkpoint: the uncovered entries are present and chained but unsigned.',
    'Entries were appended by someone without the log key: they cannot be told apart from the former here.',
  ];
}

export function buildAttestationContent(i: ContentInput): AttestationContent {
  const r = i.report;
  const act = activity(i.db, i.archiveId, i.caseDatabase);
  const tallies = new Map<string, KeyTally>();
  for (const c of r.checkpointChecks) {
    if (c.anchor) continue;
    for (const s of c.signatures) {
      const id = `${s.role}:${s.name}+${s.keyId}`;
      const t = tallies.get(id) ?? { name: s.name, keyId: s.keyId, role: s.role, valid: 0, invalid: 0, notChecked: 0 };
      if (s.status === 'valid') t.valid++;
      else if (s.status === 'invalid') t.invalid++;
      else t.notChecked++;
      tallies.set(id, t);
    }
  }
  const cosignatures = r.checkpointChecks.flatMap((c) =>
    c.signatures.filter((s) => s.role === 'witness' && s.status === 'valid' && s.time !== undefined).map((s) => ({ witness: s.name, keyId: s.keyId, checkpoint: c.path, treeSize: c.size ?? 0, unixSeconds: s.time!.toString(), time: secondsUtc(s.time!) })),
  );
  const findings: AttestationFinding[] = r.findings.map((f) => {
    const where = [f.file, f.index !== undefined ? `entry ${f.index}` : null, f.line !== undefined ? `line ${f.line}` : null].filter(Boolean).join(', ');
    return { code: f.code, severity: f.severity, location: where, message: f.message, ...(f.count !== undefined ? { omitted: f.count } : {}) };
  });
  // Entries named by an error: a listed finding names one, a counted one stands for `count` more.
  // Distinct entries: a changed line gives a leaf and a chain finding at the same index.
  const errors = r.findings.filter((f) => f.severity === 'error');
  const withErrors = new Set(errors.filter((f) => f.index !== undefined && f.count === undefined).map((f) => f.index)).size +
    errors.filter((f) => f.count !== undefined && /entry|leaf|chain|line/.test(f.code)).reduce((s, f) => s + f.count!, 0);
  const tail = Math.max(0, r.entries - r.coveredEntries);
  const cov = r.covering;
  const listed = r.checkpointChecks.filter((c) => !c.anchor);
  const anchorMatched = r.checkpointChecks.some((c) => c.anchor && c.root !== null && c.computedRoot === c.root && cov !== null && (c.size ?? 0) >= cov.size);
  const cutBack = anchorMatched
    ? null
    : cov
      ? `Limitation: only what the archive itself holds was checked. A log cut back to an earlier checkpoint, with the later entries deleted, would pass the same checks (a witness cosignature does not change that offline). ` +
        `This examination covers tree size ${n(cov.size)} with root ${cov.root}${r.origin ? ` of origin ${r.origin}` : ''}: compare them with a checkpoint obtained independently (published, e-mailed or held by a witness) to show that the log did not continue past that size.`
      : 'Limitation: no trusted checkpoint covers any entry, so nothing in this archive is vouched for by a signature; compare with a checkpoint obtained independently.';
  const manifest = r.manifest;
  const eventsTo = act.to;
  const sealedAt = manifest?.created ?? null;
  const sealedOk = sealedAt !== null && !Number.isNaN(Date.parse(sealedAt));
  const gapDays = sealedOk && eventsTo ? Math.floor((Date.parse(sealedAt) - Date.parse(eventsTo)) / 86_400_000) : null;
  const limitations = [
    ...(tail > 0 ? [`${n(tail)} entr${tail === 1 ? 'y is' : 'ies are'} present but not covered by a trusted checkpoint (index ${r.coveredEntries} onward): their integrity is not attested.`] : []),
    ...(gapDays !== null && gapDays > 1 ? [`The archive says it was sealed ${n(gapDays)} days after its last event: anything done to the log in that time is outside what the seal shows.`] : []),
    ...(i.digest.sha256 !== r.archive.sha256 ? [`The evidence digest taken first (${i.digest.sha256}) differs from the one computed while verifying (${r.archive.sha256}): the evidence changed during the examination.`] : []),
    ...(i.custody.digestAtReceipt !== null && i.custody.digestAtReceipt !== i.digest.sha256 ? [`The SHA-256 recorded at receipt (${i.custody.digestAtReceipt}) differs from the one taken here: this is not the evidence as received.`] : []),
  ];
  const reason = r.verdict === 'verified' && cov
    ? verifiedClaim(r.entries, cov.size, cov.root)
    : r.verdict === 'incomplete'
      ? `Only ${n(r.coveredEntries)} of ${n(r.entries)} entries are covered by a trusted checkpoint${cov ? ` (tree size ${n(cov.size)}, root ${cov.root})` : ''}; the other ${n(tail)} carry no trusted signature.`
      : verdictReason(r);
  const keys: TrustKey[] = i.keys.map((k) => ({
    name: k.name, role: k.role, type: k.type === 0x01 ? 'Ed25519 note key (0x01)' : 'Ed25519 cosignature key (0x04)', keyId: keyIdHex(k.keyId),
    fingerprint: primaryFingerprint(k), keyString: `${k.name}+${keyIdHex(k.keyId)}+${toBase64(Uint8Array.of(k.type, ...k.publicKey))}`, source: k.source,
  }));
  const segmentsOk = r.segmentChecks.filter((s) => s.entriesRead === s.count && !r.findings.some((f) => f.severity === 'error' && (f.file === s.path || f.file === s.chain))).length;
  const trustedChecks = listed.filter((c) => c.trusted);
  const digestsMatched = i.digest.sha256 === r.archive.sha256 && (i.custody.digestAtReceipt === null || i.custody.digestAtReceipt === i.digest.sha256);
  const issuedAt = utc(i.finishedAt);
  return {
    contentVersion: ATTESTATION_CONTENT_VERSION,
    report: { id: i.reportId, version: i.version, supersedes: i.supersedes, issuedAt, fileName: i.fileName },
    case: { number: i.caseFacts.number, title: i.caseFacts.title, requestingParty: i.caseFacts.requestingParty },
    custody: i.custody,
    examiner: { name: i.examiner.name, role: i.examiner.role, organisation: i.examiner.organisation, email: i.examiner.email, qualifications: i.examiner.qualifications, principal: i.examiner.principal, keyFingerprint: i.examiner.fingerprints.sha256Hex, fingerprints: i.examiner.fingerprints },
    reviewer: i.reviewer,
    declaration: makeDeclaration(i.declaration, {
      examiner: i.examiner.name, role: i.examiner.role, organisation: i.examiner.organisation, qualifications: i.examiner.qualifications,
      evidence: `${basename(r.archive.path)}, SHA-256 ${i.digest.sha256}`, digestsMatched, verdict: r.verdict, claim: reason, issuedAt,
    }),
    evidence: [{
      label: 'E1', name: basename(r.archive.path), container: r.container, sizeBytes: i.digest.bytes, sha256: i.digest.sha256, sha512: i.digest.sha512,
      digestOf: i.digest.digestOf, digestTakenAt: i.digest.at, digestWhileVerifying: r.archive.sha256,
      origin: r.origin, entries: r.entries, eventsFrom: act.from, eventsTo,
      claims: {
        sealedAt: sealedOk ? utc(new Date(sealedAt).toISOString()) : null,
        producer: manifest?.producer ? [manifest.producer.name, manifest.producer.version].filter(Boolean).join(' ') || null : null,
        kind: manifest?.source?.kind ?? null, description: manifest?.source?.description ?? null, gapDays,
      },
    }],
    method: { checks: [...METHOD_CHECKS], references: [...METHOD_REFERENCES], spec: { ...ARCHIVE_SPEC }, selfTest: i.selfTest },
    tool: toolRecord(i),
    trustPolicy: {
      keys,
      witnessQuorum: witnessQuorum(i.quorum, i.keys),
      anchors: i.anchors.map((a, k) => {
        const check = r.checkpointChecks.find((c) => c.anchor && c.path === a.path);
        return { label: `A${k + 1}`, origin: a.checkpoint.origin, treeSize: Number(a.checkpoint.size), rootHash: toBase64(a.checkpoint.root), source: a.path, matched: !!check && check.root !== null && check.computedRoot === check.root };
      }),
    },
    result: {
      verdict: r.verdict,
      reason,
      entries: { total: r.entries, covered: r.coveredEntries, withErrors },
      segments: { total: r.segmentChecks.length, withoutError: segmentsOk },
      checkpoints: { total: listed.length, signedByTrustedKey: trustedChecks.length, matchingEntries: trustedChecks.filter((c) => c.root !== null && c.computedRoot === c.root).length },
      perKey: [...tallies.values()],
      cosignatures,
      coverage: {
        coveredEntries: r.coveredEntries, totalEntries: r.entries,
        coveringCheckpoint: cov ? { path: cov.checkpoint, treeSize: cov.size, rootHash: cov.root } : null,
        unsignedTail: tail,
      },
      cutBack,
      interpretation: interpretation(r, cutBack, gapDays),
      findings,
      limitations,
    },
    activity: act,
    scope: i.scope ?? null,
    reproducibility: i.reproducibility,
  };
}
