// What a signed attestation report states (SWGDE, ISO/IEC 27037, NIST SP 800-86), as data the PDF renderer and the DSSE payload share.
import type { FindingCode, Severity } from './findings.ts';
import type { ContainerKind, Verdict } from './report.ts';

/** Bumped when a field changes meaning, so a reader years later knows which layout it holds. */
export const ATTESTATION_CONTENT_VERSION = 1;

/** The DSSE/SSHSIG namespace the examiner's detached signatures use. */
export const ATTESTATION_SIGNATURE_NAMESPACE = 'sealcheck-attestation';

/** All times are ISO 8601 in UTC with a trailing Z, e.g. 2025-03-04T10:11:12Z. */
export type UtcTimestamp = string;

export interface AttestationContent {
  contentVersion: typeof ATTESTATION_CONTENT_VERSION;
  report: {
    /** Unique report id, e.g. SC-2025-0042-R1. */
    id: string;
    /** Revision of this report: a corrected report gets a new version, never an edit in place. */
    version: number;
    issuedAt: UtcTimestamp;
    /** The file name the report is delivered under; the how-to-verify commands use it. */
    fileName: string;
  };
  case: {
    number: string;
    title: string;
    requestingParty: string;
    /** Legal authority or request reference (warrant, order, ticket), when there is one. */
    authority?: string;
  };
  examiner: {
    name: string;
    role: string;
    organisation: string;
    email?: string;
    /** Principal in REPORT.pdf.allowed_signers for `ssh-keygen -Y verify`. */
    principal: string;
    /** SHA256:base64 fingerprint of the examiner's Ed25519 public key (as ssh-keygen -l prints it). */
    keyFingerprint: string;
  };
  evidence: EvidenceItem[];
  tool: {
    name: string;
    version: string;
    /** Digest of the tool's own build (e.g. SHA-256 of dist/cli.mjs), so the exact build can be named. */
    buildDigest: { algorithm: 'sha256' | 'sha512'; value: string; of: string };
    /** The command line as run, without secrets. */
    command?: string;
    host: { hostname: string; os: string; arch: string; runtime: string };
    startedAt: UtcTimestamp;
    finishedAt: UtcTimestamp;
  };
  trustPolicy: {
    keys: TrustKey[];
    /** Cosignatures required from distinct witnesses; null when no quorum was demanded. */
    witnessQuorum: { required: number; witnesses: string[] } | null;
    anchors: TrustAnchor[];
  };
  result: AttestationResult;
  /** Descriptive statistics; outside the integrity claim. Null when no index was built. */
  activity: ActivitySummary | null;
}

export interface EvidenceItem {
  /** Exhibit label as the case uses it, e.g. "E1". */
  label: string;
  fileName: string;
  container: ContainerKind;
  sizeBytes: number;
  /** Lowercase hex of the container as received; for a directory, the tree digest. */
  sha256: string;
  sha512: string;
  /** What the digests cover: the file's bytes, or the tree digest of a directory. */
  digestOf: 'file' | 'tree';
  /** Checkpoint origin line of the log. */
  origin: string | null;
  entries: number;
  /** requestReceivedTimestamp of the first and last event, UTC; null when no event had one. */
  eventsFrom: UtcTimestamp | null;
  eventsTo: UtcTimestamp | null;
  /** How and from whom it was received (chain of custody). */
  receivedFrom?: string;
  receivedAt?: UtcTimestamp;
}

export type TrustKeyRole = 'log' | 'witness' | 'examiner';

export interface TrustKey {
  name: string;
  role: TrustKeyRole;
  /** e.g. "Ed25519 note key (0x01)", "Ed25519 cosignature key (0x04)". */
  type: string;
  /** 8 hex digits, the note key id. */
  keyId: string;
  /** SHA256:base64 of the raw public key. */
  fingerprint: string;
  /** The verifier key string as given (NAME+KEYID+BASE64), when there is one. */
  keyString?: string;
  /** Where the examiner obtained the key: file, URI, handover record. */
  source: string;
}

export interface TrustAnchor {
  label: string;
  origin: string;
  treeSize: number;
  /** Base64 root hash as in the checkpoint. */
  rootHash: string;
  source: string;
}

export interface KeyTally {
  name: string;
  keyId: string;
  role: 'log' | 'witness' | 'unknown';
  valid: number;
  invalid: number;
  notChecked: number;
}

export interface CosignatureRecord {
  witness: string;
  keyId: string;
  checkpoint: string;
  treeSize: number;
  /** The signed time exactly: Unix seconds as a decimal string (a witness may sign up to 2^63-1). */
  unixSeconds: string;
  /** The same as UTC, or null past year 9999, where ISO 8601 has no four-digit date. */
  time: UtcTimestamp | null;
}

export interface AttestationFinding {
  code: FindingCode;
  severity: Severity;
  /** file:line, entry index or checkpoint; empty when the finding is about the whole archive. */
  location: string;
  message: string;
  /** Set on the summary line standing for the findings of this code past those listed. */
  omitted?: number;
}

export interface AttestationResult {
  verdict: Verdict;
  /** One sentence: why this verdict. */
  reason: string;
  entries: { total: number; verified: number };
  segments: { total: number; verified: number };
  checkpoints: { total: number; trusted: number };
  perKey: KeyTally[];
  cosignatures: CosignatureRecord[];
  coverage: {
    coveredEntries: number;
    totalEntries: number;
    coveringCheckpoint: { path: string; treeSize: number; rootHash: string } | null;
    /** Entries after the last signed checkpoint: present, hash-chained, but not signed. */
    unsignedTail: number;
  };
  findings: AttestationFinding[];
  limitations: string[];
}

export interface CountedName {
  name: string;
  count: number;
}

export interface ActivitySummary {
  from: UtcTimestamp | null;
  to: UtcTimestamp | null;
  totalEvents: number;
  topUsers: CountedName[];
  verbs: CountedName[];
  denied: { total: number; top: { user: string; verb: string; resource: string; count: number }[] };
  presetHits: { preset: string; description: string; count: number }[];
}

/** What a caller embeds next to the report (the DSSE envelope above all). */
export interface AttestationAttachment {
  name: string;
  mime: string;
  description: string;
  bytes: Uint8Array;
}

export const VERDICT_HEADLINE: Record<Verdict, string> = {
  verified: 'VERIFIED',
  failed: 'FAILED',
  incomplete: 'INCOMPLETE',
};

/** What each verdict claims, in the words the first page uses under the reason. */
export const VERDICT_MEANING: Record<Verdict, string> = {
  verified: 'Every entry is present, hash-chained and covered by a checkpoint signed by a trusted key that meets the policy.',
  failed: 'At least one integrity check failed: the evidence, as received, is not what the log signed.',
  incomplete: 'No check failed, but part of the evidence is not covered by a trusted signature, so it cannot be fully vouched for.',
};

/** Limitations that hold for every Kubernetes audit log, whatever the result. */
export const STANDARD_LIMITATIONS: readonly string[] = [
  'A valid seal shows that the entries are the ones the sealer wrote, unchanged and complete up to the signed size; it does not show that the API server logged every request (audit policy, dropped events, a compromised node).',
  'Audit events record what the API server was asked and answered; they do not show what happened inside containers, on nodes, or outside the cluster.',
  'Timestamps in events come from the API server clock; cosignature times are the witnesses\u2019 own claims. Neither is a trusted timestamp.',
  'Trust rests on the keys listed in the trust policy; who controlled those keys is outside what this report can establish.',
];

export interface VerifyStep {
  title: string;
  text: string;
  commands: string[];
}

/** "How to verify this document", step by step, with the report's own file names filled in. */
export function howToVerify(c: AttestationContent): VerifyStep[] {
  const pdf = c.report.fileName;
  const dsse = c.report.fileName.replace(/\.pdf$/i, '') + '.dsse.json';
  return [
    {
      title: 'Check the whole report with Sealcheck',
      text:
        'Checks the embedded PDF signature, the embedded DSSE envelope and that both were made by the examiner key given; ' +
        'with --archive it also verifies the evidence again and compares every stated digest and count.',
      commands: [`sealcheck verify-attestation ${pdf} --examiner EXAMINER.pub [--archive ARCHIVE]`],
    },
    {
      title: 'Check the detached SSH signature without Sealcheck',
      text:
        `The report is delivered with ${pdf}.sshsig (an SSHSIG signature over the exact PDF bytes) and ${pdf}.allowed_signers. ` +
        `Compare the key in allowed_signers with the examiner fingerprint ${c.examiner.keyFingerprint} (ssh-keygen -lf) obtained out of band.`,
      commands: [
        `ssh-keygen -Y verify -f ${pdf}.allowed_signers -I ${c.examiner.principal} -n ${ATTESTATION_SIGNATURE_NAMESPACE} -s ${pdf}.sshsig < ${pdf}`,
      ],
    },
    {
      title: 'Extract the embedded DSSE envelope',
      text:
        `The machine-readable statement of this report is embedded as ${dsse}. Its SHA-256 is printed in the Attachments section; ` +
        'the envelope is signed by the same examiner key (DSSE v1 pre-authentication encoding of payloadType and payload).',
      commands: [`pdfdetach -list ${pdf}`, `pdfdetach -save 1 -o ${dsse} ${pdf}`, `sha256sum ${dsse}`],
    },
    {
      title: 'Check the embedded PDF signature',
      text:
        'The PDF carries a PAdES signature (ETSI.CAdES.detached, Ed25519 with SHA-512, ISO 32002) by a self-signed examiner certificate, covering the whole file but the signature itself. ' +
        'ISO 32002 validators such as pyHanko check it directly. Debian 12\u2019s pdfsig (poppler with NSS) lists it but cannot validate EdDSA signatures: its "Signature Validation" line says nothing either way. ' +
        'OpenSSL\u2019s cms -verify cannot check Ed25519 either (OpenSSL 3.0 reports "invalid digest"); GnuTLS can, with the commands below (bash, GnuTLS certtool, OpenSSL and xxd). ' +
        'EXAMINER.crt is the examiner\u2019s certificate; the copy inside the signature (certtool --p7-info lists it) will do once its key matches the examiner key obtained out of band.',
      commands: [
        `pyhanko sign validate --pretty-print --trust EXAMINER.crt ${pdf}`,
        [
          `R=${pdf}`,
          `set -- $(grep -a -o '/ByteRange *\\[[0-9 ]*\\]' "$R" | grep -o '[0-9][0-9]*')`,
          'test $(($3 + $4)) -eq $(wc -c < "$R") && echo "covers the whole file" || echo "NOT the whole file"',
          '{ head -c "$2" "$R"; tail -c "+$(($3 + 1))" "$R"; } > BYTERANGE.bin',
          'head -c "$(($3 - 1))" "$R" | tail -c "+$(($2 + 2))" | xxd -r -p > CONTENTS.bin',
          'openssl cms -cmsout -inform DER -in CONTENTS.bin -outform DER -out SIGNATURE.der',
          'certtool --p7-verify --inder --infile SIGNATURE.der --load-data BYTERANGE.bin --load-certificate EXAMINER.crt',
        ].join('\n'),
      ],
    },
  ];
}

const HEX = /^[0-9a-f]+$/;

/** Problems that make the content unfit to sign; empty when it is fit. Checks form, not truth. */
export function checkAttestationContent(c: AttestationContent): string[] {
  const problems: string[] = [];
  const need = (ok: boolean, what: string): void => {
    if (!ok) problems.push(what);
  };
  const utc = (t: string | null | undefined, what: string): void => {
    if (t !== null && t !== undefined) need(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/.test(t) && !Number.isNaN(Date.parse(t)), `${what} is not a UTC timestamp: ${t}`);
  };
  need(c.contentVersion === ATTESTATION_CONTENT_VERSION, `contentVersion must be ${ATTESTATION_CONTENT_VERSION}`);
  need(c.report.id.trim() !== '', 'report.id is empty');
  need(Number.isInteger(c.report.version) && c.report.version >= 1, 'report.version must be a positive integer');
  need(/^[^/\\\s]+\.pdf$/i.test(c.report.fileName), 'report.fileName must be a plain *.pdf name without spaces');
  utc(c.report.issuedAt, 'report.issuedAt');
  need(c.case.number.trim() !== '', 'case.number is empty');
  need(c.examiner.name.trim() !== '', 'examiner.name is empty');
  need(/^\S+$/.test(c.examiner.principal), 'examiner.principal must be one word');
  need(c.evidence.length > 0, 'no evidence item');
  for (const [i, e] of c.evidence.entries()) {
    need(e.sha256.length === 64 && HEX.test(e.sha256), `evidence[${i}].sha256 is not 64 lowercase hex digits`);
    need(e.sha512.length === 128 && HEX.test(e.sha512), `evidence[${i}].sha512 is not 128 lowercase hex digits`);
    need(Number.isSafeInteger(e.sizeBytes) && e.sizeBytes >= 0, `evidence[${i}].sizeBytes is not a byte count`);
    utc(e.eventsFrom, `evidence[${i}].eventsFrom`);
    utc(e.eventsTo, `evidence[${i}].eventsTo`);
    utc(e.receivedAt, `evidence[${i}].receivedAt`);
  }
  need(HEX.test(c.tool.buildDigest.value), 'tool.buildDigest.value is not lowercase hex');
  utc(c.tool.startedAt, 'tool.startedAt');
  utc(c.tool.finishedAt, 'tool.finishedAt');
  need(Date.parse(c.tool.startedAt) <= Date.parse(c.tool.finishedAt), 'tool.finishedAt is before tool.startedAt');
  for (const [i, k] of c.trustPolicy.keys.entries()) need(/^[0-9a-f]{8}$/.test(k.keyId), `trustPolicy.keys[${i}].keyId is not 8 hex digits`);
  for (const [i, s] of c.result.cosignatures.entries()) utc(s.time, `result.cosignatures[${i}].time`);
  need(c.result.reason.trim() !== '', 'result.reason is empty');
  return problems;
}
