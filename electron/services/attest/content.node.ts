// Assembles what an attestation states from one verification run, its index and the examiner's case details.
import { createHash } from 'node:crypto';
import { isoFromUnixSeconds } from '../../../shared/core/json-text.ts';
import { readFileSync, existsSync } from 'node:fs';
import { arch, hostname, platform, release } from 'node:os';
import { basename } from 'node:path';
import type Database from 'better-sqlite3';
import {
  ATTESTATION_CONTENT_VERSION, STANDARD_LIMITATIONS, type ActivitySummary, type AttestationContent, type AttestationFinding, type KeyTally, type TrustKey,
} from '../../../shared/core/attestation.ts';
import { toBase64 } from '../../../shared/core/bytes.ts';
import type { Anchor } from '../../../shared/core/evaluate.ts';
import { keyIdHex, type VerifierKey } from '../../../shared/core/keys.ts';
import { verdictReason, type VerifyReport } from '../../../shared/core/report.ts';
import { sha256 } from '@noble/hashes/sha2.js';
import { countEvents, PRESETS, PRESET_SQL, topValues } from '../index/query.node.ts';
import { INDEX_BITS } from '../index/columns.node.ts';
import { TOOL_NAME, TOOL_VERSION } from '../runtime.node.ts';

export type CaseFacts = AttestationContent['case'];

export interface ExaminerFacts {
  name: string;
  role: string;
  organisation: string;
  email?: string;
  principal: string;
  keyFingerprint: string;
}

export interface PolicyKey extends VerifierKey {
  role: 'log' | 'witness';
  source: string;
}

export interface ContentInput {
  report: VerifyReport;
  digests: { sha256: string; sha512: string; digestOf: 'file' | 'tree'; bytes: number };
  db: Database.Database;
  archiveId: number;
  caseFacts: CaseFacts;
  examiner: ExaminerFacts;
  reportId: string;
  fileName: string;
  keys: PolicyKey[];
  quorum: number;
  anchors: Anchor[];
  startedAt: string;
  finishedAt: string;
  command?: string;
}

const utc = (iso: string) => iso.replace(/\.\d{3}Z$/, 'Z');
const secondsUtc = (s: bigint): string | null => isoFromUnixSeconds(s);
const usUtc = (us: number) => utc(new Date(Math.floor(us / 1000)).toISOString());

/** SHA-256 of the running tool's own bundle, so the exact build is named in the report. */
export function buildDigest(): AttestationContent['tool']['buildDigest'] {
  const bundle = new URL(import.meta.url).pathname;
  const file = bundle.endsWith('.mjs') && existsSync(bundle) ? bundle : new URL('../../../dist/cli.mjs', import.meta.url).pathname;
  const bytes = existsSync(file) ? readFileSync(file) : Buffer.alloc(0);
  return { algorithm: 'sha256', value: createHash('sha256').update(bytes).digest('hex'), of: basename(file) };
}

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
};

function activity(db: Database.Database, archiveId: number): ActivitySummary {
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
    presetHits: PRESETS.map((p) => ({ preset: p, description: PRESET_DESCRIPTIONS[p]!, count: countEvents(db, { ...f, preset: p }) })),
  };
}

function fingerprint(k: { publicKey: Uint8Array }): string {
  return `SHA256:${toBase64(sha256(k.publicKey)).replace(/=+$/, '')}`;
}

export function buildAttestationContent(i: ContentInput): AttestationContent {
  const r = i.report;
  const act = activity(i.db, i.archiveId);
  const tallies = new Map<string, KeyTally>();
  for (const c of r.checkpointChecks) {
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
  const tail = r.entries - r.coveredEntries;
  const limitations = [
    ...(tail > 0 ? [`${tail} entr${tail === 1 ? 'y is' : 'ies are'} present but not covered by a trusted checkpoint (index ${r.coveredEntries} onward): their integrity is not attested.`] : []),
    ...(i.quorum === 0 && i.anchors.length === 0 ? ['No witness quorum and no anchor was used: a log cut back to an earlier signed checkpoint would look complete. Compare the covered size and root above with a checkpoint obtained elsewhere.'] : []),
    ...STANDARD_LIMITATIONS,
  ];
  const reason = verdictReason(r);
  const keys: TrustKey[] = [
    ...i.keys.map((k) => ({
      name: k.name, role: k.role, type: k.type === 0x01 ? 'Ed25519 note key (0x01)' : 'Ed25519 cosignature key (0x04)', keyId: keyIdHex(k.keyId),
      fingerprint: fingerprint(k), keyString: `${k.name}+${keyIdHex(k.keyId)}+${toBase64(Uint8Array.of(k.type, ...k.publicKey))}`, source: k.source,
    })),
  ];
  const segmentsOk = r.segmentChecks.filter((s) => s.entriesRead === s.count && !r.findings.some((f) => f.severity === 'error' && (f.file === s.path || f.file === s.chain))).length;
  return {
    contentVersion: ATTESTATION_CONTENT_VERSION,
    report: { id: i.reportId, version: 1, issuedAt: utc(i.finishedAt), fileName: i.fileName },
    case: { number: i.caseFacts.number, title: i.caseFacts.title, requestingParty: i.caseFacts.requestingParty, ...(i.caseFacts.authority ? { authority: i.caseFacts.authority } : {}) },
    examiner: { name: i.examiner.name, role: i.examiner.role, organisation: i.examiner.organisation, ...(i.examiner.email ? { email: i.examiner.email } : {}), principal: i.examiner.principal, keyFingerprint: i.examiner.keyFingerprint },
    evidence: [{
      label: 'E1', fileName: basename(r.archive.path), container: r.container, sizeBytes: i.digests.bytes, sha256: i.digests.sha256, sha512: i.digests.sha512,
      digestOf: i.digests.digestOf, origin: r.origin, entries: r.entries, eventsFrom: act.from, eventsTo: act.to,
    }],
    tool: {
      name: TOOL_NAME, version: TOOL_VERSION, buildDigest: buildDigest(), ...(i.command ? { command: i.command } : {}),
      host: { hostname: hostname(), os: `${platform()} ${release()}`, arch: arch(), runtime: `Node.js ${process.version}` },
      startedAt: utc(i.startedAt), finishedAt: utc(i.finishedAt),
    },
    trustPolicy: {
      keys,
      witnessQuorum: i.quorum > 0 ? { required: i.quorum, witnesses: i.keys.filter((k) => k.role === 'witness').map((k) => k.name) } : null,
      anchors: i.anchors.map((a, n) => ({ label: `A${n + 1}`, origin: a.checkpoint.origin, treeSize: a.checkpoint.size, rootHash: toBase64(a.checkpoint.root), source: a.path })),
    },
    result: {
      verdict: r.verdict,
      reason,
      entries: { total: r.entries, verified: r.coveredEntries },
      segments: { total: r.segmentChecks.length, verified: segmentsOk },
      checkpoints: { total: r.checkpoints.total, trusted: r.checkpoints.trusted },
      perKey: [...tallies.values()],
      cosignatures,
      coverage: {
        coveredEntries: r.coveredEntries, totalEntries: r.entries,
        coveringCheckpoint: r.covering ? { path: r.covering.checkpoint, treeSize: r.covering.size, rootHash: r.covering.root } : null,
        unsignedTail: Math.max(0, tail),
      },
      findings,
      limitations,
    },
    activity: act,
  };
}
