// What a signed attestation report states (SWGDE, ISO/IEC 27037/27041/27042, NIST SP 800-86, FRE 902, CrimPR 19), as data the PDF renderer and the DSSE payload share.
import type { FindingCode, Severity } from './findings.ts';
import type { ContainerKind, Verdict } from './report.ts';
import type { ExcerptAttestation } from './excerpt-attestation.ts';
import type { Scope } from './scope.ts';

/** Bumped when a field changes meaning, so a reader years later knows which layout it holds. 2: custody, claims, method, declaration, reviewer. */
export const ATTESTATION_CONTENT_VERSION = 2;

/** The DSSE/SSHSIG namespace the examiner's detached signatures use. */
export const ATTESTATION_SIGNATURE_NAMESPACE = 'sealcheck-attestation';

/**
 * The archive format contract the verification implements: its version and the SHA-256 of the
 * text (shared/spec/archive-v1.md), so a reader can tell which text the method refers to. A unit
 * test recomputes the digest from the file.
 */
export const ARCHIVE_SPEC = { title: 'Sealed audit archive, format v1', sha256: '6f279ae8b527e027d4fe82db01e5f95354fe96775f009f12bae44071cc5f29e6' } as const;

/** All times are ISO 8601 in UTC with a trailing Z, e.g. 2025-03-04T10:11:12Z. */
export type UtcTimestamp = string;

/** Printed wherever an examiner-given field was left empty: never a silent blank. */
export const NOT_PROVIDED = 'not provided';

export interface AttestationContent {
  contentVersion: typeof ATTESTATION_CONTENT_VERSION;
  report: {
    /** Unique report id, e.g. SC-2025-0042-R1. */
    id: string;
    /** Revision of this report: a corrected report gets a new version and names the one it supersedes. */
    version: number;
    /** Id of the report this one replaces, or null for a first issue. */
    supersedes: string | null;
    issuedAt: UtcTimestamp;
    /** The file name the report is delivered under; the how-to-verify commands use it. */
    fileName: string;
  };
  case: {
    number: string;
    title: string;
    requestingParty: string;
  };
  /** What the examiner states about how the evidence reached them; null fields print as "not provided". */
  custody: Custody;
  examiner: {
    name: string;
    role: string;
    organisation: string;
    email: string | null;
    /** Free text stored with the examiner key (training, certifications, years of practice). */
    qualifications: string | null;
    /** Principal in REPORT.pdf.allowed_signers for `ssh-keygen -Y verify`. */
    principal: string;
    /** The primary fingerprint: SHA-256 of the raw 32-byte public key, lowercase hex (see KeyFingerprints). */
    keyFingerprint: string;
    fingerprints: KeyFingerprints;
  };
  /** A second person who reviewed the report and signed its statement as a second DSSE signer. */
  reviewer: Reviewer | null;
  declaration: Declaration;
  evidence: EvidenceItem[];
  method: Method;
  tool: {
    name: string;
    version: string;
    /** Digest of the tool's own build (e.g. SHA-256 of dist/cli.mjs), so the exact build can be named. */
    buildDigest: { algorithm: 'sha256' | 'sha512'; value: string; of: string };
    /** The command line as run (secrets never appear in it: passphrases come from files), one element per argument; null from the app. */
    argv: string[] | null;
    cwd: string;
    host: { hostname: string; os: string; arch: string; runtime: string };
    /** Where the times in this report come from. */
    clock: string;
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
  /** Present when the evidence is an evidence excerpt (docs/excerpt-format.md) rather than an archive. */
  excerpt?: ExcerptAttestation;
  /**
   * What the log could not have recorded (issue 11): the audit policies sealed or supplied, their blind
   * spots, events contradicting them and time gaps; the same object as `verify --json`'s `scope`
   * (docs/evidence-scope.md). Null when it was not worked out (a statement written before it existed).
   */
  scope?: Scope | null;
  reproducibility: Reproducibility;
}

export interface Custody {
  receivedFrom: string | null;
  receivedAt: UtcTimestamp | null;
  /** How it was delivered: medium, transfer, seal numbers. */
  receivedHow: string | null;
  storedWhere: string | null;
  /** Legal authority or request reference (warrant, order, engagement letter). */
  authority: string | null;
  evidenceNumber: string | null;
  /** The request and the questions put to the examiner. */
  request: string | null;
  /** SHA-256 (hex) the examiner recorded when the evidence was received, to compare with the digest taken here. */
  digestAtReceipt: string | null;
}

/**
 * One key, three spellings. The primary one everywhere in the report is `sha256Hex`: SHA-256 of the
 * raw 32-byte Ed25519 public key, hex — what `sealcheck keygen` prints for every key and the DSSE keyid.
 */
export interface KeyFingerprints {
  sha256Hex: string;
  /** OpenSSH `SHA256:` (SHA-256 of the SSH wire-format key blob, unpadded base64), as ssh-keygen -l prints it. */
  openssh: string;
  /** The keyid written in the DSSE signature (unauthenticated hint; equal to sha256Hex). */
  dsseKeyid: string;
}

export interface Reviewer {
  name: string;
  email: string | null;
  reviewedAt: UtcTimestamp;
  /** Raw 32-byte Ed25519 public key, base64: the second DSSE signature verifies with it. */
  publicKey: string;
  fingerprints: KeyFingerprints;
}

export type DeclarationTemplate = 'us-fre-902' | 'uk-crimpr-19' | 'none';

export interface Declaration {
  template: DeclarationTemplate;
  /** Version of the template text, so a reader knows which wording was signed. */
  templateVersion: string;
  title: string;
  /** The declaration as signed, paragraphs separated by blank lines. Empty for "none". */
  text: string;
}

export interface Method {
  /** What was checked, in order. */
  checks: string[];
  references: { id: string; title: string }[];
  spec: { title: string; sha256: string };
  selfTest: SelfTestRecord;
}

export interface SelfTestRecord {
  status: 'passed' | 'failed' | 'not-run';
  summary: string;
  /** SHA-256 of the self-test record file, when one was written. */
  recordSha256: string | null;
  at: UtcTimestamp | null;
}

export interface EvidenceItem {
  /** Exhibit label as the case uses it, e.g. "E1". */
  label: string;
  /** The file's name, or for a directory the directory's name. */
  name: string;
  container: ContainerKind;
  sizeBytes: number;
  /** Lowercase hex of the container as received; for a directory, the tree digest. */
  sha256: string;
  sha512: string;
  /** What the digests cover: the file's bytes, or the tree digest of a directory. */
  digestOf: 'file' | 'tree';
  /** When the digests above were taken: before anything else read the evidence. */
  digestTakenAt: UtcTimestamp;
  /** The SHA-256 the verifier computed as it read the evidence, and whether it equals the one taken first. */
  digestWhileVerifying: string;
  /** Checkpoint origin line of the log. */
  origin: string | null;
  entries: number;
  /** Event time of the first and last event (see TIME_STATEMENTS), UTC; null when no event had one. */
  eventsFrom: UtcTimestamp | null;
  eventsTo: UtcTimestamp | null;
  /** What the archive says about itself (its manifest): claims, not verified facts. */
  claims: ArchiveClaims;
}

export interface ArchiveClaims {
  sealedAt: UtcTimestamp | null;
  producer: string | null;
  kind: string | null;
  description: string | null;
  /** Whole days between the last event and the sealing time; null when either is unknown. */
  gapDays: number | null;
}

export type TrustKeyRole = 'log' | 'witness' | 'examiner';

export interface TrustKey {
  name: string;
  role: TrustKeyRole;
  /** e.g. "Ed25519 note key (0x01)", "Ed25519 cosignature key (0x04)". */
  type: string;
  /** 8 hex digits, the note key id. */
  keyId: string;
  /** The primary fingerprint: SHA-256 of the raw public key, hex. */
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
  /** The archive's tree at this size has this root. */
  matched: boolean;
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
  /** One sentence stating what was checked and no more. */
  reason: string;
  entries: { total: number; covered: number; withErrors: number };
  segments: { total: number; withoutError: number };
  checkpoints: {
    total: number;
    /** Carry a valid signature by a trusted log key that meets the policy. */
    signedByTrustedKey: number;
    /** Of those, the ones whose root equals the root recomputed from the entries. */
    matchingEntries: number;
  };
  perKey: KeyTally[];
  cosignatures: CosignatureRecord[];
  coverage: {
    coveredEntries: number;
    totalEntries: number;
    coveringCheckpoint: { path: string; treeSize: number; rootHash: string } | null;
    /** Entries after the last signed checkpoint: present, hash-chained, but not signed. */
    unsignedTail: number;
  };
  /** The cut-back limitation, printed on page 1; null only when an anchor matched the covered tree. */
  cutBack: string | null;
  /** Other explanations a reader must weigh against the verdict. */
  interpretation: string[];
  findings: AttestationFinding[];
  /** Limitations of this examination (the general ones are STANDARD_LIMITATIONS, printed once). */
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
  /** SHA-256 of the case database file after indexing, and the version of the preset definitions used. */
  caseDatabase: { sha256: string | null; presetsVersion: string } | null;
}

export interface Reproducibility {
  /** Every file of the archive the verification read, with its SHA-256 (tar members included). */
  files: { path: string; sha256: string }[];
  /** The shell command that recomputes the evidence digest (for a directory, the tree digest). */
  digestCommand: string;
  checkpoints: { path: string; text: string }[];
  bundles: { file: string; sha256: string }[];
  packageLock: string | null;
  sourceCommit: string | null;
}

/** What a caller embeds next to the report (the DSSE envelopes above all). */
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
  verified:
    'Every entry up to that tree size is present, unchanged and in order, as a log key listed in §4 signed it. Nothing here speaks to entries the log may have held beyond that size, or to what was logged before the seal.',
  failed: 'At least one integrity check failed: the evidence, as received, is not what the log signed. Section 6 names each failure.',
  incomplete: 'No check failed, but part of the evidence is not covered by a trusted signature, so that part cannot be vouched for.',
};

/** Limitations that hold for every Kubernetes audit log, whatever the result. */
export const STANDARD_LIMITATIONS: readonly string[] = [
  'A valid seal shows that the entries are the ones the sealer wrote, unchanged and complete up to the signed size; it does not show that the API server logged every request (audit policy, dropped events, a compromised node).',
  'Audit events record what the API server was asked and answered; they do not show what happened inside containers, on nodes, or outside the cluster.',
  'Trust rests on the keys listed in the trust policy, supplied by the examiner; who controlled those keys is outside what this report can establish.',
];

/** How times in this report are to be read. */
export const TIME_STATEMENTS: readonly string[] = [
  'Every time in this report is UTC (ISO 8601), printed as YYYY-MM-DD hh:mm:ss UTC.',
  'Event times are each event\u2019s own time field: requestReceivedTimestamp for Kubernetes and OpenShift audit events, the request time for ingress-nginx and Traefik access lines. They come from the clock of the server that wrote the log and are not verified.',
  'Cosignature times are the witnesses\u2019 own signed claims of when they saw a tree; they are not trusted timestamps.',
  'The sealing time is the archive manifest\u2019s "created" field, written by the sealer: a claim, not a verified fact.',
  'The examination times (digest taken, verification started and ended, issued) come from the examiner workstation\u2019s clock, stated in section 3.',
];

export const GLOSSARY: readonly (readonly [string, string])[] = [
  ['verified', 'Every check listed in section 5 passed for the entries up to the covered tree size, relative to the keys in section 4. It does not mean the events are true, only that they are the ones signed.'],
  ['trusted key', 'A public key the examiner supplied and chose to rely on (section 4, with its source). The report cannot show who held the matching private key.'],
  ['entry', 'One line of the sealed log: one audit event or access-log line, its bytes exactly as written.'],
  ['checkpoint', 'A short signed text (C2SP checkpoint) naming the log (origin), a tree size N and the root of the Merkle tree over the first N entries.'],
  ['root', 'The Merkle tree hash (RFC 6962) of the first N entries: changing, adding, removing or reordering any of them changes it.'],
  ['tree digest', 'For an archive delivered as a directory: SHA-256 over the sorted list of its files\u2019 SHA-256 digests (command in appendix A). It stands for the directory, which has no bytes of its own.'],
  ['witness', 'An independent party that signs (cosigns) a checkpoint it has seen, so a log cannot show different histories to different readers without being caught.'],
  ['cosignature', 'A witness\u2019s signature over a checkpoint, with the time the witness claims to have seen it.'],
  ['anchor', 'A checkpoint the examiner obtained outside the archive (published, e-mailed, printed in a ticket). An archive cut back below it is detected.'],
  ['quorum', 'The number of distinct witnesses whose cosignatures a checkpoint needs to be relied on.'],
  ['DSSE', 'Dead Simple Signing Envelope: a JSON wrapper holding a signed statement (here an in-toto Statement) and its Ed25519 signatures.'],
  ['PAdES', 'PDF Advanced Electronic Signature (ETSI EN 319 142): the signature embedded in this PDF, covering every byte but itself.'],
  ['SSHSIG', 'OpenSSH\u2019s signature format (ssh-keygen -Y sign/verify), used for the detached signature of this PDF.'],
];

export const METHOD_REFERENCES: readonly { id: string; title: string }[] = [
  { id: 'RFC 6962 \u00a72.1', title: 'Certificate Transparency: Merkle hash trees (leaf and node hashing, inclusion and consistency)' },
  { id: 'RFC 9162 \u00a72.1', title: 'Certificate Transparency Version 2.0: Merkle tree algorithms' },
  { id: 'RFC 8032 \u00a75.1', title: 'Edwards-Curve Digital Signature Algorithm: Ed25519' },
  { id: 'C2SP signed-note', title: 'Signed notes: the text, signature lines and key ids of checkpoints (c2sp.org/signed-note)' },
  { id: 'C2SP tlog-checkpoint', title: 'Transparency log checkpoints: origin, tree size, root hash (c2sp.org/tlog-checkpoint)' },
  { id: 'C2SP tlog-cosignature', title: 'Witness cosignatures with timestamps (c2sp.org/tlog-cosignature)' },
  { id: 'C2SP tlog-proof', title: 'Transparency log proofs for single entries (c2sp.org/tlog-proof)' },
  { id: 'FIPS 180-4', title: 'Secure Hash Standard: SHA-256 and SHA-512' },
];

export const METHOD_CHECKS: readonly string[] = [
  'Took the SHA-256 and SHA-512 of the evidence as received, before anything else read it.',
  'Read the manifest and checked its form against the archive specification.',
  'For every entry: recomputed its leaf hash (SHA-256, RFC 6962) and the hash chain link recorded for it, line by line.',
  'For every checkpoint: checked its form, each Ed25519 signature against the trusted keys, each cosignature against the witness keys and the quorum.',
  'Recomputed the Merkle tree root of the entries at each checkpoint\u2019s size and compared it with the signed root; compared anchors the same way.',
  'Compared the SHA-256 taken while verifying with the one taken first.',
];

// ─── Declarations ────────────────────────────────────────────────────────────────────────────

interface DeclarationFacts {
  examiner: string;
  role: string;
  organisation: string;
  qualifications: string | null;
  evidence: string;
  digestsMatched: boolean;
  verdict: Verdict;
  claim: string;
  issuedAt: UtcTimestamp;
}

export const DECLARATION_TEMPLATE_VERSION = '1';

/**
 * The declaration, from a template. Non-conclusory on purpose: it states what was done and what
 * the digests showed, and leaves authenticity to the court.
 */
export function makeDeclaration(template: DeclarationTemplate, f: DeclarationFacts): Declaration {
  const date = f.issuedAt.slice(0, 10);
  const who = `${f.examiner}, ${f.role}${f.organisation ? `, ${f.organisation}` : ''}`;
  const quals = f.qualifications ? ` My qualifications: ${f.qualifications}${/[.!?]$/.test(f.qualifications) ? '' : '.'}` : '';
  const digests = f.digestsMatched
    ? 'The SHA-256 digest taken when I started the examination and the digest computed while verifying were identical.'
    : 'The SHA-256 digest taken when I started the examination and the digest computed while verifying were NOT identical; section 2 gives both.';
  if (template === 'us-fre-902') {
    return {
      template, templateVersion: DECLARATION_TEMPLATE_VERSION, title: 'Declaration (28 U.S.C. \u00a7 1746; Fed. R. Evid. 902(13) and 902(14))',
      text: [
        `I, ${f.examiner}, declare as follows.`,
        `1. I am ${who}.${quals} I make this declaration from my own knowledge of the process described in this report.`,
        `2. I examined the electronic data identified in section 2 (${f.evidence}) with the process described in section 5, using the tool identified in section 3 and the keys listed in section 4.`,
        `3. The process identifies the data by its SHA-256 and SHA-512 digests. ${digests}`,
        `4. The process produced the result stated in section 5: ${f.claim}`,
        '5. The copy of this report and its signed statement identify the data only by the digests stated; data with other digests is not the data examined.',
        'I declare under penalty of perjury under the laws of the United States of America that the foregoing is true and correct.',
        `Executed on ${date}. Signed by the digital signatures of this document (section 10).`,
      ].join('\n\n'),
    };
  }
  if (template === 'uk-crimpr-19') {
    return {
      template, templateVersion: DECLARATION_TEMPLATE_VERSION, title: 'Expert\u2019s declaration (Criminal Procedure Rules, Part 19)',
      text: [
        `I, ${who}, make this report.${quals}`,
        '1. I understand that my duty is to help the court achieve the overriding objective by giving independent, objective and unbiased assistance on matters within my expertise, and that this duty overrides any obligation to the person who instructed or pays me. I have complied with that duty and will continue to.',
        '2. I have stated the facts and matters on which this report relies (sections 2 to 5), the method used (section 5), its limitations and the alternative explanations for the result (section 7). Where a matter is outside my expertise or this examination, I have said so.',
        `3. ${digests} The result (section 5): ${f.claim}`,
        '4. I will inform all parties and the court if my opinion changes on any material matter.',
        'I confirm that the contents of this report are true to the best of my knowledge and belief, and that I make it knowing that, if it is tendered in evidence, I would be liable to prosecution if I have wilfully stated in it anything which I know to be false or do not believe to be true.',
        `Dated ${date}. Signed by the digital signatures of this document (section 10).`,
      ].join('\n\n'),
    };
  }
  return { template: 'none', templateVersion: DECLARATION_TEMPLATE_VERSION, title: 'No declaration', text: '' };
}

// ─── Verification steps ──────────────────────────────────────────────────────────────────────

export interface VerifyStep {
  title: string;
  text: string;
  /** Each runs as printed with bash in the folder holding the report and its companion files. */
  commands: string[];
  /** What a successful run of each command prints (a line or part of one), one per command. */
  expect: string[];
}

/** POSIX shell quoting, only where needed, so a printed command runs as printed. */
export function shellQuote(s: string): string {
  return /^[A-Za-z0-9@%+=:,./_-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}

/** The files delivered with REPORT.pdf. */
export function companionFiles(pdfName: string): { dsse: string; vsa: string; sshsig: string; allowedSigners: string; examinerPub: string; examinerCrt: string } {
  const stem = pdfName.replace(/\.pdf$/i, '');
  return {
    dsse: `${stem}.dsse.json`, vsa: `${stem}.vsa.dsse.json`, sshsig: `${pdfName}.sshsig`, allowedSigners: `${pdfName}.allowed_signers`,
    examinerPub: `${stem}.examiner.pub`, examinerCrt: `${stem}.examiner.crt`,
  };
}

/** Debian 12 packages the steps use. */
export const VERIFY_PACKAGES = 'openssh-client openssl gnutls-bin poppler-utils xxd coreutils grep sed';

/** The poppler pdfsig line Debian 12 prints for this document, and why (see verifySteps). */
export const PDFSIG_DEBIAN12 = 'Signature Validation: Document isn\'t signed or corrupted data.';

/** "How to verify this document", step by step, with the report's own file names filled in. */
export function howToVerify(c: AttestationContent): VerifyStep[] {
  const pdf = c.report.fileName;
  const f = companionFiles(pdf);
  const q = shellQuote;
  return [
    {
      title: 'Compare the examiner key with the fingerprint obtained out of band',
      text:
        `${f.examinerPub} (OpenSSH) and ${f.examinerCrt} (X.509) carry the examiner\u2019s public key. Both commands must print the fingerprints of section 10 ` +
        `(OpenSSH ${c.examiner.fingerprints.openssh}; primary ${c.examiner.fingerprints.sha256Hex}), and these must equal the ones the examiner gave you by other means.`,
      commands: [`ssh-keygen -lf ${q(f.examinerPub)}`, `openssl x509 -in ${q(f.examinerCrt)} -noout -pubkey | openssl pkey -pubin -outform DER | tail -c 32 | sha256sum`],
      expect: [c.examiner.fingerprints.openssh, `${c.examiner.fingerprints.sha256Hex}  -`],
    },
    {
      title: 'Check the detached SSH signature over the PDF',
      text: `${f.sshsig} is an SSHSIG signature over the exact bytes of ${pdf}; ${f.allowedSigners} names the examiner key. The command prints "Good ... signature" with the OpenSSH fingerprint above.`,
      commands: [`ssh-keygen -Y verify -f ${q(f.allowedSigners)} -I ${q(c.examiner.principal)} -n ${ATTESTATION_SIGNATURE_NAMESPACE} -s ${q(f.sshsig)} < ${q(pdf)}`],
      expect: [`Good "${ATTESTATION_SIGNATURE_NAMESPACE}" signature for ${c.examiner.principal} with ED25519 key ${c.examiner.fingerprints.openssh}`],
    },
    {
      title: 'Check the signed statements (DSSE) without Sealcheck',
      text:
        `The machine-readable statements are embedded in the PDF and delivered beside it: ${f.dsse} (this report\u2019s content) and ${f.vsa} (a SLSA verification summary). ` +
        'The commands extract the embedded copies, compare them with the delivered ones, rebuild the DSSE v1 pre-authentication encoding (PAE) and check the first signature, the examiner\u2019s, with OpenSSL. Each prints "Signature Verified Successfully".',
      commands: [
        [
          `pdfdetach -save 1 -o EMBEDDED-1.json ${q(pdf)} && cmp EMBEDDED-1.json ${q(f.dsse)}`,
          `pdfdetach -save 2 -o EMBEDDED-2.json ${q(pdf)} && cmp EMBEDDED-2.json ${q(f.vsa)}`,
          `openssl x509 -in ${q(f.examinerCrt)} -noout -pubkey > EXAMINER.pem`,
          `for F in ${q(f.dsse)} ${q(f.vsa)}; do`,
          `  grep -o '"payload":"[^"]*"' "$F" | cut -d'"' -f4 | base64 -d > STATEMENT.json`,
          `  grep -o '"sig":"[^"]*"' "$F" | head -n 1 | cut -d'"' -f4 | base64 -d > STATEMENT.sig`,
          `  { printf 'DSSEv1 28 application/vnd.in-toto+json %s ' "$(wc -c < STATEMENT.json)"; cat STATEMENT.json; } > STATEMENT.pae`,
          '  openssl pkeyutl -verify -pubin -inkey EXAMINER.pem -rawin -in STATEMENT.pae -sigfile STATEMENT.sig',
          'done',
        ].join('\n'),
      ],
      expect: ['Signature Verified Successfully'],
    },
    {
      title: 'Check the embedded PDF signature with GnuTLS',
      text:
        'The PDF carries a PAdES signature (CMS, Ed25519 with SHA-512, ISO 32002) by the examiner certificate, covering the whole file but the signature itself. ' +
        'The commands check that the signed byte range covers the whole file, cut out the signed bytes and the CMS signature, and verify it with GnuTLS against the delivered certificate. ' +
        'GnuTLS prints "Signature status: ok".',
      commands: [
        [
          `R=${q(pdf)}`,
          `set -- $(grep -a -o '/ByteRange *\\[[0-9 ]*\\]' "$R" | grep -o '[0-9][0-9]*')`,
          'test $(($3 + $4)) -eq $(wc -c < "$R") && echo "covers the whole file" || echo "NOT the whole file"',
          '{ head -c "$2" "$R"; tail -c "+$(($3 + 1))" "$R"; } > BYTERANGE.bin',
          'head -c "$(($3 - 1))" "$R" | tail -c "+$(($2 + 2))" | xxd -r -p > CONTENTS.bin',
          'openssl cms -cmsout -inform DER -in CONTENTS.bin -outform DER -out SIGNATURE.der',
          `certtool --p7-verify --inder --infile SIGNATURE.der --load-data BYTERANGE.bin --load-certificate ${q(f.examinerCrt)}`,
        ].join('\n'),
      ],
      expect: ['Signature status: ok'],
    },
    {
      title: 'What pdfsig (poppler) prints, and why',
      text:
        'Debian 12\u2019s pdfsig (poppler 22.12 with NSS) lists the signature: the signer\u2019s name, the signing time, SHA-512, ETSI.CAdES.detached and "Total document signed". ' +
        `Its last line reads "${PDFSIG_DEBIAN12}" because NSS cannot check an Ed25519 (RFC 8419) CMS signature; it prints the same line for an intact and for a tampered copy, so that line says nothing either way. ` +
        'The GnuTLS step above is the check of this signature; pdfsig exits with status 0 in both cases.',
      commands: [`pdfsig ${q(pdf)}`],
      expect: [PDFSIG_DEBIAN12],
    },
    {
      title: 'Check the whole report with Sealcheck',
      text:
        'Checks the PDF signature, both embedded statements, that every page re-renders byte for byte from the signed statement, the SSH signature and, with --archive PATH added, the evidence digests.',
      commands: [`sealcheck verify-attestation ${q(pdf)} --examiner ${q(f.examinerPub)}`],
      expect: [`VALID: ${pdf}`],
    },
  ];
}

// ─── Form check ──────────────────────────────────────────────────────────────────────────────

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
  need(c.report.version === 1 ? c.report.supersedes === null : c.report.supersedes !== null && c.report.supersedes.trim() !== '', 'a report of version 2 or later names the report it supersedes, and only then');
  need(/^[^/\\\s]+\.pdf$/i.test(c.report.fileName), 'report.fileName must be a plain *.pdf name without spaces');
  utc(c.report.issuedAt, 'report.issuedAt');
  utc(c.custody.receivedAt, 'custody.receivedAt');
  if (c.custody.digestAtReceipt !== null) need(/^[0-9a-f]{64}$/.test(c.custody.digestAtReceipt), 'custody.digestAtReceipt is not 64 lowercase hex digits');
  need(c.case.number.trim() !== '', 'case.number is empty');
  need(c.examiner.name.trim() !== '', 'examiner.name is empty');
  need(/^\S+$/.test(c.examiner.principal) || c.examiner.email === null, 'examiner.principal must be one word');
  need(/^[0-9a-f]{64}$/.test(c.examiner.keyFingerprint), 'examiner.keyFingerprint is not 64 lowercase hex digits');
  if (c.reviewer) utc(c.reviewer.reviewedAt, 'reviewer.reviewedAt');
  need(c.evidence.length > 0, 'no evidence item');
  for (const [i, e] of c.evidence.entries()) {
    need(e.sha256.length === 64 && HEX.test(e.sha256), `evidence[${i}].sha256 is not 64 lowercase hex digits`);
    need(e.sha512.length === 128 && HEX.test(e.sha512), `evidence[${i}].sha512 is not 128 lowercase hex digits`);
    need(Number.isSafeInteger(e.sizeBytes) && e.sizeBytes >= 0, `evidence[${i}].sizeBytes is not a byte count`);
    utc(e.eventsFrom, `evidence[${i}].eventsFrom`);
    utc(e.eventsTo, `evidence[${i}].eventsTo`);
    utc(e.digestTakenAt, `evidence[${i}].digestTakenAt`);
    utc(e.claims.sealedAt, `evidence[${i}].claims.sealedAt`);
    need(Date.parse(e.digestTakenAt) <= Date.parse(c.tool.startedAt), `evidence[${i}] digest was taken after the verification started`);
  }
  need(HEX.test(c.tool.buildDigest.value), 'tool.buildDigest.value is not lowercase hex');
  utc(c.tool.startedAt, 'tool.startedAt');
  utc(c.tool.finishedAt, 'tool.finishedAt');
  need(Date.parse(c.tool.startedAt) <= Date.parse(c.tool.finishedAt), 'tool.finishedAt is before tool.startedAt');
  for (const [i, k] of c.trustPolicy.keys.entries()) need(/^[0-9a-f]{8}$/.test(k.keyId), `trustPolicy.keys[${i}].keyId is not 8 hex digits`);
  for (const [i, s] of c.result.cosignatures.entries()) utc(s.time, `result.cosignatures[${i}].time`);
  need(c.result.reason.trim() !== '', 'result.reason is empty');
  need(c.declaration.template === 'none' || c.declaration.text.trim() !== '', 'declaration.text is empty');
  return problems;
}
