// The backend API as one typed contract: every method and event the renderer may use, whatever the transport.
import type { Finding } from './core/findings.ts';
import type { CheckpointCheckView, CoveringView, Verdict } from './core/report.ts';
import type { Scope } from './core/scope.ts';

export type Result<T> = { ok: true; value: T } | { ok: false; error: ApiError };
export interface ApiError {
  /** Stable code the UI can branch on: 'bad-request', 'not-found', 'bad-key', 'not-an-archive', 'cancelled', 'internal'. */
  code: string;
  message: string;
}

export interface CaseDetails {
  caseNumber: string;
  title: string;
  requestingParty: string;
  examinerName: string;
  examinerRole: string;
  organisation: string;
  /** Chain of custody as the examiner states it; absent ones print as "not provided" in the attestation. */
  receivedFrom?: string;
  /** RFC 3339 with a zone, e.g. 2026-03-01T09:30:00Z. */
  receivedAt?: string;
  receivedHow?: string;
  storedWhere?: string;
  authority?: string;
  evidenceNumber?: string;
  /** The request and the questions put to the examiner. */
  request?: string;
}

/** The custody fields of CaseDetails, in the order the Case step shows them. */
export const CUSTODY_FIELDS = ['receivedFrom', 'receivedAt', 'receivedHow', 'storedWhere', 'authority', 'evidenceNumber', 'request'] as const;

export interface CaseSummary extends CaseDetails {
  folder: string;
  createdAt: string;
  openedAt: string;
}

export type KeyRole = 'log' | 'witness';

export interface KeyInfo {
  name: string;
  role: KeyRole;
  /** 8 hex digits. */
  keyId: string;
  /** SHA-256 hex of the raw public key, for comparing out of band. */
  fingerprint: string;
  /** The standard verifier key string (name+keyid+base64). */
  keyString: string;
  /** A file path, or 'pasted'. */
  source: string;
}

export interface AnchorInfo {
  id: string;
  origin: string;
  size: number;
  root: string;
  signedBy: string[];
  source: string;
}

export interface TrustPolicyView {
  keys: KeyInfo[];
  quorum: number;
  origin: string | null;
  anchors: AnchorInfo[];
  /** The audit policy the examiner supplied for this case (issue 11), or null: a policy sealed in the archive takes over from its entry. */
  auditPolicy: AuditPolicyView | null;
}

export interface AuditPolicyView {
  file: string;
  /** Where it was read from. */
  source: string;
  /** SHA-256 of the file's bytes. */
  sha256: string;
  rules: number;
  /** What it leaves out, in plain words. */
  blindSpots: string[];
}

export interface CaseInfo extends CaseSummary {
  policy: TrustPolicyView;
  archives: ArchiveView[];
}

export interface ArchiveDigest {
  path: string;
  container: 'directory' | 'tar' | 'tar.gz';
  bytes: number;
  files: number;
  /** SHA-256 of the container file, or the tree digest of a directory (spec §1). */
  sha256: string;
}

export interface ArchiveView {
  id: number;
  path: string;
  container: string;
  sha256: string | null;
  origin: string | null;
  sourceKind: string | null;
  verdict: Verdict | null;
  entries: number | null;
  coveredEntries: number | null;
}

export interface RunView {
  archiveId: number;
  runId: number;
  verdict: Verdict;
  /** One sentence saying why. */
  reason: string;
  startedAt: string;
  finishedAt: string;
  archive: { path: string; sha256: string; container: string };
  origin: string | null;
  entries: number;
  coveredEntries: number;
  /** Cosignature times as exact decimal strings (Unix seconds up to 2^63-1; see report.ts). */
  covering: CoveringView | null;
  checkpoints: CheckpointCheckView[];
  findings: Finding[];
  segments: { path: string; first: number; count: number; entriesRead: number | null }[];
  manifestClaims: { sourceKind: string | null; created: string | null; producer: string | null };
  /** What the log could not have recorded (docs/evidence-scope.md); null for a run indexed before it was worked out. */
  scope: Scope | null;
}

export type EntryStatus = 'covered' | 'unsigned' | 'failed';

export interface EventFilterInput {
  archiveId?: number;
  fromUs?: number;
  toUs?: number;
  user?: string;
  verb?: string;
  resource?: string;
  namespace?: string;
  code?: number;
  decision?: string;
  stage?: string;
  kind?: string;
  status?: EntryStatus;
  text?: string;
  preset?: string;
  presetArg?: string;
}

export interface EventSummary {
  archiveId: number;
  index: number;
  status: EntryStatus;
  time: string | null;
  timeUs: number | null;
  kind: string;
  username: string | null;
  verb: string | null;
  method: string | null;
  resource: string | null;
  namespace: string | null;
  name: string | null;
  requestUri: string | null;
  path: string | null;
  code: number | null;
  sourceIp: string | null;
  stage: string | null;
  /** The sensitive-data rules the entry matches (shared/core/sensitive.ts), [] for none; null when its archive was indexed before they were checked. */
  sensitive: string[] | null;
}

export interface Cursor {
  timeUs: number | null;
  eid: number;
}

export interface EventPage {
  events: EventSummary[];
  next: Cursor | null;
}

export interface EntryDetail {
  archiveId: number;
  index: number;
  segment: string;
  line: number;
  offset: number;
  length: number;
  status: EntryStatus;
  coveredBy: string | null;
  failedBy: string | null;
  fields: Record<string, string | number | boolean | null>;
  /** The raw bytes as UTF-8 text (invalid sequences shown as U+FFFD) and as base64 (exact). */
  rawText: string | null;
  rawBase64: string | null;
  /** Pretty-printed JSON, when the entry is JSON. */
  pretty: string | null;
  leaf: string;
  leafNow: string | null;
  /** Whether the evidence bytes still hash to the indexed leaf. */
  matches: boolean;
  chain: string | null;
  problem: string | null;
}

export interface Histogram {
  bucketUs: number;
  buckets: { startUs: number; count: number }[];
}

export type TopField = 'users' | 'resources' | 'sourceIps' | 'userAgents' | 'verbs' | 'namespaces';

export interface ExaminerKeyInfo {
  name: string;
  email: string | null;
  /** Kept with the key and printed on every attestation it signs. */
  organisation: string | null;
  qualifications: string | null;
  /** SHA-256 hex of the raw public key. */
  fingerprint: string;
  /** OpenSSH form, as `ssh-keygen -l` prints it. */
  sshFingerprint: string;
  keyPath: string;
  publicKeyPath: string;
  sshPublicKeyPath: string;
  created: string;
}

export type DeclarationChoice = 'us-fre-902' | 'uk-crimpr-19' | 'none';

export interface AttestationView {
  reportId: string;
  verdict: Verdict;
  reason: string;
  pdfPath: string;
  dssePath: string;
  sshsigPath: string;
  allowedSignersPath: string;
  /** The command that checks the SSH signature without Sealcheck. */
  sshVerifyCommand: string;
}

export interface AttestationCheckView {
  valid: boolean;
  checks: { name: string; ok: boolean; detail: string }[];
  report: { id: string; case: string; verdict: string; examiner: string } | null;
}

/** What the explorer exports as an evidence excerpt (docs/excerpt-format.md). */
export interface ExcerptExportInput {
  /** The events of a filter (a filter of only a time range is a complete window), or chosen entries. */
  selection: { filter: EventFilterInput } | { indices: number[] };
  /** Withhold entries the sensitive-data rules flag, by leaf hash with the reason. */
  withholdSensitive: boolean;
  /** A .tar.gz path or a new folder; null writes a .tar.gz into the case's excerpts/ folder. */
  out: string | null;
}

export interface ExcerptExportView {
  path: string;
  name: string;
  items: number;
  disclosed: number;
  withheld: number;
  byRule: { rule: string; count: number }[];
  complete: { first: number; last: number }[];
  treeSize: number;
}

export interface ExcerptItemView {
  index: number;
  status: 'disclosed' | 'withheld' | 'unknown';
  /** The item's proof (and, disclosed, its entry's hash) checked out. */
  ok: boolean;
  /** What was proven, or why not. */
  reason: string;
  reasons: { rule: string; detail: string }[];
  redacted: boolean;
  /** What a disclosed event says; null for withheld items. */
  time: string | null;
  user: string | null;
  verb: string | null;
  resource: string | null;
  namespace: string | null;
  code: number | null;
}

export interface ExcerptView {
  path: string;
  name: string;
  valid: boolean;
  origin: string | null;
  treeSize: number | null;
  root: string | null;
  /** Problems of the excerpt as a whole (layout, manifest, checkpoint, completeness). */
  problems: string[];
  complete: { first: number; last: number; whole: boolean }[];
  disclosed: number;
  withheld: number;
  items: ExcerptItemView[];
}

export interface ProofExport {
  proofPath: string;
  entryPath: string;
  checkpoint: string;
  treeSize: number;
}

/** Every backend method. Arguments are plain JSON values; so are results. */
export interface Api {
  appInfo(): Promise<{ version: string; offline: true; casesRoot: string }>;
  listRecentCases(): Promise<CaseSummary[]>;
  createCase(details: CaseDetails): Promise<CaseInfo>;
  openCase(folder: string): Promise<CaseInfo>;
  /** Native file dialogs (the app only); null when cancelled or not available. */
  pickPath(purpose: PickPurpose): Promise<string | null>;
  inspectArchive(folder: string, path: string, jobId: string): Promise<ArchiveDigest>;
  addKey(folder: string, source: { path: string } | { text: string; name?: string }, role: KeyRole): Promise<TrustPolicyView>;
  removeKey(folder: string, keyString: string, role: KeyRole): Promise<TrustPolicyView>;
  addAnchor(folder: string, source: { path: string } | { text: string }): Promise<TrustPolicyView>;
  removeAnchor(folder: string, id: string): Promise<TrustPolicyView>;
  setPolicy(folder: string, policy: { quorum: number; origin: string | null }): Promise<TrustPolicyView>;
  /** Supplies the case's audit policy from a file (YAML or JSON), or removes it (null); refused when the file is not a valid policy. */
  setAuditPolicy(folder: string, source: { path: string } | null): Promise<TrustPolicyView>;
  verify(folder: string, archivePath: string, jobId: string): Promise<RunView>;
  cancelJob(jobId: string): Promise<boolean>;
  getRun(folder: string, archiveId: number): Promise<RunView | null>;
  listArchives(folder: string): Promise<ArchiveView[]>;
  queryEvents(folder: string, filter: EventFilterInput, options: { limit?: number; after?: Cursor | null; sort?: 'time' | 'index' }): Promise<EventPage>;
  countEvents(folder: string, filter: EventFilterInput): Promise<number>;
  histogram(folder: string, filter: EventFilterInput, buckets: number): Promise<Histogram>;
  topValues(folder: string, filter: EventFilterInput, field: TopField, n: number): Promise<{ value: string; count: number }[]>;
  getEntry(folder: string, archiveId: number, index: number): Promise<EntryDetail | null>;
  /** The case's examiner key (examiner.key in the case folder), or null. */
  getExaminerKey(folder: string): Promise<ExaminerKeyInfo | null>;
  createExaminerKey(folder: string, input: { name: string; email: string | null; organisation?: string | null; qualifications?: string | null; passphrase: string }): Promise<ExaminerKeyInfo>;
  importExaminerKey(folder: string, input: { pkcs8Path: string; name: string; email: string | null; organisation?: string | null; qualifications?: string | null; passphrase: string }): Promise<ExaminerKeyInfo>;
  /** Verifies the archive again and writes the signed report and its sidecars into the case folder. */
  attest(folder: string, archiveId: number, input: { passphrase: string; declaration?: DeclarationChoice }, jobId: string): Promise<AttestationView>;
  verifyAttestation(folder: string, input: { pdfPath: string; examinerKeyPath: string | null; archivePath: string | null }): Promise<AttestationCheckView>;
  /** Writes a C2SP tlog-proof for one entry and the entry's bytes into the case folder. */
  exportProof(folder: string, archiveId: number, index: number): Promise<ProofExport>;
  /**
   * Opens a file the app itself wrote in this session (a report, a proof) with the system's viewer, or shows it in its
   * folder. Local paths only, never a URL; 'not-allowed' for any other path, 'unavailable' outside the desktop app.
   */
  revealFile(path: string, how: 'open' | 'folder'): Promise<true>;
  /** Writes an evidence excerpt of the archive's events (a filter, a window or chosen entries), each item proven against one checkpoint. */
  exportExcerpt(folder: string, archiveId: number, input: ExcerptExportInput): Promise<ExcerptExportView>;
  /** Checks an excerpt with the case's trusted keys: every item with its status. */
  openExcerpt(folder: string, path: string): Promise<ExcerptView>;
}

/** What a native file dialog is for; 'excerpt-save' asks where to write, the others what to open. */
export type PickPurpose = 'archive-file' | 'archive-folder' | 'key' | 'anchor' | 'excerpt-open' | 'excerpt-save' | 'audit-policy';

export type ApiMethod = keyof Api;

/**
 * The one Content-Security-Policy of every window (and of the UI-test bridge). No inline anything:
 * React sets the few computed styles (row offsets, bar widths) through the CSSOM, which CSP allows.
 */
export const CONTENT_SECURITY_POLICY =
  "default-src 'self'; script-src 'self'; object-src 'none'; style-src 'self'; img-src 'self'; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";
export type ApiArgs<K extends ApiMethod> = Parameters<Api[K]>;
export type ApiResult<K extends ApiMethod> = Awaited<ReturnType<Api[K]>>;

export interface Progress {
  jobId: string;
  phase: string;
  bytesDone: number;
  bytesTotal: number;
  /** Bytes per second so far. */
  rate: number;
  etaSeconds: number | null;
}

/** Events main sends to the window. */
export interface ApiEvents {
  progress: Progress;
  log: { level: 'info' | 'warn' | 'error'; scope: string; message: string };
}
export type ApiEventName = keyof ApiEvents;

/** What the renderer sees as `window.api`: the methods unwrap Results into values or thrown ApiErrors. */
export interface RendererApi {
  call<K extends ApiMethod>(method: K, ...args: ApiArgs<K>): Promise<Result<ApiResult<K>>>;
  on<E extends ApiEventName>(event: E, listener: (payload: ApiEvents[E]) => void): () => void;
}

// A Record over every method, so adding a method to Api without listing it here fails to compile.
const METHOD_SET: Record<ApiMethod, true> = {
  appInfo: true, listRecentCases: true, createCase: true, openCase: true, pickPath: true, inspectArchive: true, addKey: true, removeKey: true,
  addAnchor: true, removeAnchor: true, setPolicy: true, setAuditPolicy: true, verify: true, cancelJob: true, getRun: true, listArchives: true, queryEvents: true,
  countEvents: true, histogram: true, topValues: true, getEntry: true, getExaminerKey: true, createExaminerKey: true, importExaminerKey: true,
  attest: true, verifyAttestation: true, exportProof: true, revealFile: true, exportExcerpt: true, openExcerpt: true,
};
export const API_METHODS = Object.keys(METHOD_SET) as ApiMethod[];

export function isApiMethod(name: unknown): name is ApiMethod {
  return typeof name === 'string' && Object.prototype.hasOwnProperty.call(METHOD_SET, name);
}
