// The handler table behind every transport (Electron IPC in the app, the loopback bridge in UI tests): validated, typed, results as {ok, value} | {ok: false, error}.
import { randomUUID } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type Database from 'better-sqlite3';
import {
  isApiMethod, type Api, type ApiEvents, type ApiEventName, type ApiMethod, type ArchiveView, type CaseDetails, type CaseInfo, type EntryDetail,
  type EventFilterInput, type EventSummary, type KeyInfo, type KeyRole, type Result, type RunView, type TopField, type TrustPolicyView,
  type AttestationCheckView, type AttestationView, type ExaminerKeyInfo, CUSTODY_FIELDS, type PickPurpose,
} from '../../../shared/api.ts';
import { examinerPublicKey } from '../attest/attest.node.ts';
import {
  checkProfileText, examinerKeyPaths, generateExaminerKey, importPkcs8ExaminerKey, loadExaminerKey, opensshFingerprint, parseExaminerName, readKeyFileInfo, sha256Fingerprint,
  writeExaminerKeyFiles, type ExaminerIdentity, type ExaminerKey,
} from '../attest/examiner-key.node.ts';
import { CannotProveError, proveEntry } from '../proof.node.ts';
import { toBase64, toHex, utf8 } from '../../../shared/core/bytes.ts';
import { COSIGNER_KEY, LOG_KEY, formatVerifierKey, keyFingerprint, keyIdHex, parseVerifierKey, KeyError, type VerifierKey } from '../../../shared/core/keys.ts';
import type { Anchor } from '../../../shared/core/evaluate.ts';
import { checkpointCheckView, coveringView, verdictReason, type VerifyReport } from '../../../shared/core/report.ts';
import { anchorFromBytes, parseVerifierKeyText, UsageError } from '../keys.node.ts';
import { InputFileError, KEY_FILE_LIMIT, readBoundedFile, readBoundedText } from '../bounded-read.node.ts';
import { MAX_NOTE_BYTES } from '../../../shared/core/note.ts';
import { openArchive, readRange } from '../archive.node.ts';
import { EvidenceReader } from '../index/raw-entry.node.ts';
import { countEvents, getEventRow, histogram, listArchives, listEvents, topValues, PRESETS, TOP_FIELDS, type EventFilter, type PresetName } from '../index/query.node.ts';
import { openCaseDatabase } from '../index/writer.node.ts';
import { startWorker, TOOL_VERSION } from '../runtime.node.ts';
import type { JobReply, JobRequest } from '../worker-messages.node.ts';
import { CASE_DB, CaseError, RecentCases, createCaseFolder, folderName, readCase, saveCase, type CaseFile } from './cases.node.ts';
import { indentJson } from '../../../shared/core/formats/json-indent.ts';
import { blindSpots, parseAuditPolicy } from '../../../shared/core/audit-policy.ts';
import type { Scope } from '../../../shared/core/scope.ts';
import { loadSuppliedPolicy, type SuppliedPolicy } from '../seal-policy.node.ts';
import { runScope } from '../index/scope-store.node.ts';
import { ExcerptFailure, exportExcerpt, openExcerpt } from './excerpt-handlers.node.ts';

export class ApiFailure extends Error {
  constructor(readonly code: string, message: string) {
    super(message);
  }
}

export interface HandlerContext {
  casesRoot: string;
  /** Where the list of recent cases is kept. */
  stateDir: string;
  emit<E extends ApiEventName>(event: E, payload: ApiEvents[E]): void;
  /** Native dialogs exist only in the app. */
  pickPath?: (purpose: PickPurpose) => Promise<string | null>;
  /** Opens a file or shows it in its folder (shell.openPath / showItemInFolder in the app; a recorder in UI tests). */
  reveal?: (path: string, how: 'open' | 'folder') => Promise<void>;
}

// ---------- validation at the boundary ----------

type Check = (v: unknown, at: string) => void;
const fail = (at: string, what: string): never => {
  throw new ApiFailure('bad-request', `${at} must be ${what}`);
};
const str: Check = (v, at) => void (typeof v === 'string' || fail(at, 'a string'));
const nonEmpty: Check = (v, at) => void ((typeof v === 'string' && v.trim() !== '') || fail(at, 'a non-empty string'));
const int: Check = (v, at) => void ((typeof v === 'number' && Number.isSafeInteger(v) && v >= 0) || fail(at, 'a non-negative integer'));
const oneOf = (values: readonly string[]): Check => (v, at) => void ((typeof v === 'string' && values.includes(v)) || fail(at, `one of ${values.join(', ')}`));
const nullable = (c: Check): Check => (v, at) => void (v === null || c(v, at));
const optional = (c: Check): Check => (v, at) => void (v === undefined || c(v, at));
const object = (shape: Record<string, Check>, open = false): Check => (v, at) => {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) fail(at, 'an object');
  const o = v as Record<string, unknown>;
  for (const k of Object.keys(o)) if (!open && !(k in shape)) fail(`${at}.${k}`, 'absent (unknown field)');
  for (const [k, c] of Object.entries(shape)) c(o[k], `${at}.${k}`);
};
const either = (...cs: Check[]): Check => (v, at) => {
  const errors: string[] = [];
  for (const c of cs) {
    try {
      c(v, at);
      return;
    } catch (e) {
      errors.push((e as Error).message);
    }
  }
  throw new ApiFailure('bad-request', errors.join('; or '));
};

const caseDetails = object({
  caseNumber: nonEmpty, title: str, requestingParty: str, examinerName: nonEmpty, examinerRole: str, organisation: str,
  receivedFrom: optional(str), receivedAt: optional(str), receivedHow: optional(str), storedWhere: optional(str), authority: optional(str), evidenceNumber: optional(str), request: optional(str),
});
const role = oneOf(['log', 'witness']);
const filter = object({
  archiveId: optional(int), fromUs: optional(int), toUs: optional(int), user: optional(str), verb: optional(str), resource: optional(str), namespace: optional(str),
  code: optional(int), decision: optional(str), stage: optional(str), kind: optional(str), status: optional(oneOf(['covered', 'unsigned', 'failed'])),
  text: optional(str), preset: optional(oneOf(PRESETS)), presetArg: optional(str),
});
const cursor = nullable(object({ timeUs: nullable((v, at) => void ((typeof v === 'number' && Number.isSafeInteger(v)) || fail(at, 'an integer'))), eid: int }));

const ARGS: { [K in ApiMethod]: Check[] } = {
  appInfo: [],
  listRecentCases: [],
  createCase: [caseDetails],
  openCase: [nonEmpty],
  pickPath: [oneOf(['archive-file', 'archive-folder', 'key', 'anchor', 'excerpt-open', 'excerpt-save', 'audit-policy'])],
  inspectArchive: [nonEmpty, nonEmpty, nonEmpty],
  addKey: [nonEmpty, either(object({ path: nonEmpty }), object({ text: nonEmpty, name: optional(str) })), role],
  removeKey: [nonEmpty, nonEmpty, role],
  addAnchor: [nonEmpty, either(object({ path: nonEmpty }), object({ text: nonEmpty }))],
  removeAnchor: [nonEmpty, nonEmpty],
  setPolicy: [nonEmpty, object({ quorum: int, origin: nullable(str) })],
  setAuditPolicy: [nonEmpty, nullable(object({ path: nonEmpty }))],
  verify: [nonEmpty, nonEmpty, nonEmpty],
  cancelJob: [nonEmpty],
  getRun: [nonEmpty, int],
  listArchives: [nonEmpty],
  queryEvents: [nonEmpty, filter, object({ limit: optional(int), after: optional(cursor), sort: optional(oneOf(['time', 'index'])) })],
  countEvents: [nonEmpty, filter],
  histogram: [nonEmpty, filter, int],
  topValues: [nonEmpty, filter, oneOf(Object.keys(TOP_FIELDS)), int],
  getEntry: [nonEmpty, int, int],
  getExaminerKey: [nonEmpty],
  createExaminerKey: [nonEmpty, object({ name: nonEmpty, email: nullable(str), organisation: optional(nullable(str)), qualifications: optional(nullable(str)), passphrase: nonEmpty })],
  importExaminerKey: [nonEmpty, object({ pkcs8Path: nonEmpty, name: nonEmpty, email: nullable(str), organisation: optional(nullable(str)), qualifications: optional(nullable(str)), passphrase: nonEmpty })],
  attest: [nonEmpty, int, object({ passphrase: nonEmpty, declaration: optional(oneOf(['us-fre-902', 'uk-crimpr-19', 'none'])) }), nonEmpty],
  verifyAttestation: [nonEmpty, object({ pdfPath: nonEmpty, examinerKeyPath: nullable(nonEmpty), archivePath: nullable(nonEmpty) })],
  exportProof: [nonEmpty, int, int],
  revealFile: [nonEmpty, oneOf(['open', 'folder'])],
  exportExcerpt: [nonEmpty, int, object({
    selection: either(object({ filter }), object({ indices: (v, at) => void ((Array.isArray(v) && v.length > 0 && v.length <= 200_000 && v.every((x, k) => int(x, `${at}[${k}]`) === undefined)) || fail(at, 'a non-empty list of entry indices')) })),
    withholdSensitive: (v, at) => void (typeof v === 'boolean' || fail(at, 'true or false')), out: nullable(nonEmpty),
  })],
  openExcerpt: [nonEmpty, nonEmpty],
};

const EXAMINER_PREFIX = 'examiner';

async function examinerInfo(folder: string): Promise<ExaminerKeyInfo | null> {
  const paths = examinerKeyPaths(join(folder, EXAMINER_PREFIX));
  if (!existsSync(paths.key)) return null;
  const info = readKeyFileInfo(await readFile(paths.key, 'utf8'), paths.key);
  return {
    name: info.identity.name, email: info.identity.email, organisation: info.identity.organisation ?? null, qualifications: info.identity.qualifications ?? null, fingerprint: sha256Fingerprint(info.publicKey), sshFingerprint: opensshFingerprint(info.publicKey),
    keyPath: paths.key, publicKeyPath: paths.pub, sshPublicKeyPath: paths.sshPub, created: info.created,
  };
}

async function saveExaminer(folder: string, key: ExaminerKey, passphrase: string): Promise<ExaminerKeyInfo> {
  if (existsSync(examinerKeyPaths(join(folder, EXAMINER_PREFIX)).key)) throw new ApiFailure('bad-request', 'this case already has an examiner key (examiner.key); a key is never replaced');
  try {
    await writeExaminerKeyFiles(join(folder, EXAMINER_PREFIX), key, passphrase);
  } catch (e) {
    if (e instanceof UsageError) throw new ApiFailure('bad-key', e.message);
    throw e;
  }
  return (await examinerInfo(folder))!;
}

function identityOf(name: string, email: string | null, profile: { organisation?: string | null; qualifications?: string | null } = {}): ExaminerIdentity {
  try {
    const id: ExaminerIdentity = parseExaminerName(email ? `${name} <${email}>` : name);
    for (const f of ['organisation', 'qualifications'] as const) {
      const v = profile[f];
      if (v && v.trim() !== '') id[f] = checkProfileText(v, f);
    }
    return id;
  } catch (e) {
    throw new ApiFailure('bad-request', (e as Error).message);
  }
}

// ---------- helpers ----------

function keyInfo(k: VerifierKey, role: KeyRole, source: string): KeyInfo {
  return { name: k.name, role, keyId: keyIdHex(k.keyId), fingerprint: toHex(keyFingerprint(k.publicKey)), keyString: formatVerifierKey(k), source };
}

function parseKeyText(text: string, name: string | undefined, role: KeyRole, source: string): VerifierKey {
  try {
    return parseVerifierKeyText(text, role === 'log' ? LOG_KEY : COSIGNER_KEY, name);
  } catch (e) {
    if (e instanceof KeyError) throw new ApiFailure('bad-key', `${source}: ${e.message}`);
    throw e;
  }
}

/** The case's trust policy as the services take it; the keys keep their role and where they came from. */
function casePolicy(c: CaseFile) {
  const keys = (role: KeyRole) => c.keys.filter((k) => k.role === role).map((k) => ({ ...parseVerifierKey(k.keyString), role, source: k.source }));
  const logs = keys('log');
  const witnesses = keys('witness');
  return { logs, witnesses, policy: { logKeys: logs, witnessKeys: witnesses, quorum: c.quorum, origin: c.origin } };
}

function policyView(c: CaseFile): TrustPolicyView {
  const keys = c.keys.map((k) => keyInfo(parseVerifierKey(k.keyString), k.role, k.source));
  const logKeys = casePolicy(c).logs;
  const anchors = c.anchors.map((a) => {
    let signedBy: string[] = [];
    let origin = '';
    let size = 0;
    let root = '';
    try {
      const parsed = anchorFromBytes(utf8(a.note), a.source, logKeys);
      origin = parsed.checkpoint.origin;
      size = parsed.checkpoint.size;
      root = toBase64(parsed.checkpoint.root);
      signedBy = parsed.note.signatures.map((s) => `${s.name}+${keyIdHex(s.keyId)}`);
    } catch {
      // a key it relied on was removed: shown without a signer
    }
    return { id: a.id, origin, size, root, signedBy, source: a.source };
  });
  const p = suppliedPolicy(c);
  const auditPolicy = p && c.auditPolicy ? { file: p.file, source: c.auditPolicy.source, sha256: p.sha256, rules: p.policy.rules.length, blindSpots: blindSpots(p.policy).map((b) => b.text) } : null;
  return { keys, quorum: c.quorum, origin: c.origin, anchors, auditPolicy };
}

/** The case's supplied audit policy, parsed again from the text stored when it was chosen (checked then). */
function suppliedPolicy(c: CaseFile): SuppliedPolicy | null {
  const a = c.auditPolicy;
  return a ? { policy: parseAuditPolicy(a.text, a.file), sha256: a.sha256, file: a.file } : null;
}

function runView(archiveId: number, runId: number, r: VerifyReport, startedAt: string, finishedAt: string, scope: Scope | null): RunView {
  const m = r.manifest;
  return {
    archiveId, runId, verdict: r.verdict, reason: verdictReason(r), startedAt, finishedAt,
    archive: { path: r.archive.path, sha256: r.archive.sha256, container: r.container },
    origin: r.origin, entries: r.entries, coveredEntries: r.coveredEntries, covering: coveringView(r.covering),
    checkpoints: r.checkpointChecks.map(checkpointCheckView), findings: r.findings,
    segments: r.segmentChecks.map((s) => ({ path: s.path, first: s.first, count: s.count, entriesRead: s.entriesRead })),
    manifestClaims: { sourceKind: m?.source?.kind ?? null, created: m?.created ?? null, producer: m?.producer ? `${m.producer.name ?? ''} ${m.producer.version ?? ''}`.trim() : null },
    scope,
  };
}

function summary(e: ReturnType<typeof getEventRow> & object): EventSummary {
  const f = e.fields as Record<string, unknown>;
  const s = (k: string) => (f[k] as string | null) ?? null;
  const n = (k: string) => (f[k] as number | null) ?? null;
  return {
    archiveId: e.archiveId, index: e.index, status: e.status, time: s('time'), timeUs: n('timeUs'), kind: s('kind') ?? 'other',
    username: s('username'), verb: s('verb'), method: s('method'), resource: s('resource'), namespace: s('namespace'), name: s('name'),
    requestUri: s('requestUri'), path: s('path'), code: n('responseCode') ?? n('status'), sourceIp: s('sourceIp'), stage: s('stage'),
    sensitive: e.sensitive,
  };
}

function toFilter(f: EventFilterInput): EventFilter {
  return { ...f, ...(f.preset ? { preset: f.preset as PresetName } : {}) } as EventFilter;
}

// ---------- the table ----------

export function createHandlers(ctx: HandlerContext): Api & { close(): void } {
  const recent = new RecentCases(join(ctx.stateDir, 'recent-cases.json'));
  const jobs = new Map<string, { cancel(): void }>();
  const dbs = new Map<string, Database.Database>();
  const evidence = new EvidenceReader();
  /** Files this table wrote in this session: the only ones revealFile may open or show. */
  const written = new Set<string>();
  const wrote = (...paths: string[]) => paths.forEach((p) => written.add(resolve(p)));

  const caseInfo = async (folder: string): Promise<CaseInfo> => {
    const c = await readCase(folder);
    const s = { ...c.details, folder, createdAt: c.createdAt, openedAt: new Date().toISOString() };
    await recent.touch(s);
    return { ...s, policy: policyView(c), archives: archivesOf(folder) };
  };
  const db = (folder: string): Database.Database | null => {
    const path = join(folder, CASE_DB);
    if (!existsSync(path)) return null;
    let d = dbs.get(path);
    if (!d) dbs.set(path, (d = openCaseDatabase(path, { readonly: true })));
    return d;
  };
  const archivesOf = (folder: string): ArchiveView[] => {
    const d = db(folder);
    return d ? listArchives(d).map((a) => ({ ...a, verdict: a.verdict as ArchiveView['verdict'] })) : [];
  };
  /** The read-only handle must not hold the file while a job's writer rebuilds it. */
  const releaseDb = (folder: string): string => {
    const path = join(folder, CASE_DB);
    dbs.get(path)?.close();
    dbs.delete(path);
    return path;
  };
  const archivePathOf = (folder: string, archiveId: number, hint: string): string => {
    const a = db(folder)?.prepare('SELECT path FROM archives WHERE id = ?').get(archiveId) as { path: string } | undefined;
    if (!a) throw new ApiFailure('not-found', `no archive ${archiveId} in this case${hint}`);
    return a.path;
  };
  const mutateCase = async (folder: string, change: (c: CaseFile) => void): Promise<TrustPolicyView> => {
    const c = await readCase(folder);
    change(c);
    await saveCase(folder, c);
    return policyView(c);
  };

  /** Runs a job on a worker thread, forwarding its progress as `progress` events for jobId. */
  const runJob = <T>(jobId: string, request: JobRequest): Promise<T> =>
    new Promise<T>((resolvePromise, reject) => {
      const worker = startWorker('job');
      const started = Date.now();
      let settled = false;
      const settle = (f: () => void) => {
        if (settled) return;
        settled = true;
        jobs.delete(jobId);
        void worker.terminate();
        f();
      };
      jobs.set(jobId, { cancel: () => settle(() => reject(new ApiFailure('cancelled', 'cancelled by the examiner'))) });
      worker.on('message', (m: JobReply) => {
        if (m.type === 'progress') {
          const seconds = (Date.now() - started) / 1000;
          const rate = seconds > 0 ? m.bytesDone / seconds : 0;
          ctx.emit('progress', { jobId, phase: m.phase, bytesDone: m.bytesDone, bytesTotal: m.bytesTotal, rate, etaSeconds: rate > 0 && m.bytesTotal ? Math.max(0, (m.bytesTotal - m.bytesDone) / rate) : null });
        } else if (m.type === 'result') settle(() => resolvePromise(m.value as T));
        else settle(() => reject(new ApiFailure(m.code, m.message)));
      });
      worker.on('error', (e) => settle(() => reject(new ApiFailure('internal', e.message))));
      // A worker that dies without a word must not leave the call waiting forever.
      worker.on('exit', (code) => settle(() => reject(new ApiFailure('internal', `the job stopped unexpectedly (exit code ${code})`))));
      worker.postMessage(request);
    });

  const handlers: Api & { close(): void } = {
    async appInfo() {
      return { version: TOOL_VERSION, offline: true as const, casesRoot: ctx.casesRoot };
    },
    listRecentCases: () => recent.list(),
    async createCase(details: CaseDetails) {
      const { folder } = await createCaseFolder(ctx.casesRoot, details);
      return caseInfo(folder);
    },
    openCase: (folder) => caseInfo(resolve(folder)),
    pickPath: async (purpose) => (ctx.pickPath ? ctx.pickPath(purpose) : null),
    async inspectArchive(folder, path, jobId) {
      await readCase(folder);
      return runJob(jobId, { type: 'digest', path: resolve(path) });
    },
    async addKey(folder, source, role) {
      const text = 'path' in source ? await readBoundedText(source.path, KEY_FILE_LIMIT, 'key file').catch((e: unknown) => { throw e instanceof InputFileError ? new ApiFailure('not-found', e.message) : e; }) : source.text;
      const label = 'path' in source ? source.path : 'pasted';
      const key = parseKeyText(text, 'name' in source ? source.name : undefined, role, label);
      return mutateCase(folder, (c) => {
        const keyString = formatVerifierKey(key);
        if (!c.keys.some((k) => k.keyString === keyString && k.role === role)) c.keys.push({ keyString, role, source: label });
        if (role === 'witness' && c.quorum === 0) c.quorum = 1;
      });
    },
    removeKey: (folder, keyString, role) => mutateCase(folder, (c) => {
      c.keys = c.keys.filter((k) => !(k.keyString === keyString && k.role === role));
      const witnesses = c.keys.filter((k) => k.role === 'witness').length;
      if (c.quorum > witnesses) c.quorum = witnesses;
    }),
    async addAnchor(folder, source) {
      const bytes = 'path' in source ? await readBoundedFile(source.path, MAX_NOTE_BYTES, 'anchor').catch((e: unknown) => { throw e instanceof InputFileError ? new ApiFailure('not-found', e.message) : e; }) : utf8(source.text.endsWith('\n') ? source.text : `${source.text}\n`);
      const label = 'path' in source ? source.path : 'pasted';
      const c = await readCase(folder);
      let anchor: Anchor;
      try {
        anchor = anchorFromBytes(bytes, label, casePolicy(c).logs);
      } catch (e) {
        if (e instanceof UsageError) throw new ApiFailure('bad-key', e.message.replace('--trust key', 'trusted log key'));
        throw e;
      }
      void anchor; // parsed and checked above; the exact bytes are what is kept
      const note = Buffer.from(bytes).toString('utf8');
      return mutateCase(folder, (cf) => void cf.anchors.push({ id: randomUUID(), note, source: label }));
    },
    removeAnchor: (folder, id) => mutateCase(folder, (c) => void (c.anchors = c.anchors.filter((a) => a.id !== id))),
    setPolicy: (folder, policy) => mutateCase(folder, (c) => {
      const witnesses = c.keys.filter((k) => k.role === 'witness').length;
      if (policy.quorum > witnesses) throw new ApiFailure('bad-request', `a quorum of ${policy.quorum} can never be met by ${witnesses} witness key${witnesses === 1 ? '' : 's'}`);
      c.quorum = policy.quorum;
      c.origin = policy.origin && policy.origin.trim() !== '' ? policy.origin.trim() : null;
    }),
    async setAuditPolicy(folder, source) {
      if (source === null) return mutateCase(folder, (c) => void (c.auditPolicy = null));
      let p;
      try {
        p = await loadSuppliedPolicy(resolve(source.path), 'audit policy', '');
      } catch (e) {
        if (e instanceof UsageError) throw new ApiFailure('bad-request', e.message);
        throw e;
      }
      return mutateCase(folder, (c) => void (c.auditPolicy = { text: p.text, sha256: p.sha256, file: p.file, source: resolve(source.path) }));
    },
    async verify(folder, archivePath, jobId) {
      const c = await readCase(folder);
      const { logs, witnesses, policy } = casePolicy(c);
      if (logs.length === 0) throw new ApiFailure('bad-request', 'add at least one trusted log key before verifying');
      const anchors = c.anchors.map((a) => anchorFromBytes(utf8(a.note), a.source, logs));
      const startedAt = new Date().toISOString();
      const auditPolicy = suppliedPolicy(c);
      const dbPath = releaseDb(folder);
      const report = await runJob<VerifyReport & { scope: Scope }>(jobId, {
        type: 'verify', path: resolve(archivePath), dbPath,
        policy, anchors, ...(auditPolicy ? { auditPolicy } : {}),
        run: { tool: 'sealcheck', toolVersion: TOOL_VERSION, startedAt, keys: [...logs, ...witnesses], quorum: c.quorum, expectedOrigin: c.origin, anchors: c.anchors.map((a) => ({ path: a.source, note: a.note })) },
      });
      const d = db(folder)!;
      const row = d.prepare('SELECT a.id AS archiveId, a.last_run_id AS runId FROM archives a WHERE a.path = ?').get(resolve(archivePath)) as { archiveId: number; runId: number };
      return runView(row.archiveId, row.runId, report, startedAt, new Date().toISOString(), report.scope);
    },
    async cancelJob(jobId) {
      const j = jobs.get(jobId);
      j?.cancel();
      return j !== undefined;
    },
    async getRun(folder, archiveId) {
      const d = db(folder);
      if (!d) return null;
      const r = d.prepare('SELECT r.id, r.report, r.started_at, r.finished_at FROM archives a JOIN runs r ON r.id = a.last_run_id WHERE a.id = ? AND r.report IS NOT NULL').get(archiveId) as { id: number; report: string; started_at: string; finished_at: string } | undefined;
      if (!r) return null;
      const report = JSON.parse(r.report) as VerifyReport;
      return runView(archiveId, r.id, report, r.started_at, r.finished_at, runScope(report));
    },
    listArchives: async (folder) => archivesOf(folder),
    async queryEvents(folder, f, options) {
      const d = db(folder);
      if (!d) return { events: [], next: null };
      const page = listEvents(d, toFilter(f), { limit: options.limit ?? 200, after: options.after ?? null, sort: options.sort ?? 'time' });
      return { events: page.events.map(summary), next: page.next };
    },
    countEvents: async (folder, f) => {
      const d = db(folder);
      return d ? countEvents(d, toFilter(f)) : 0;
    },
    histogram: async (folder, f, buckets) => {
      const d = db(folder);
      return d ? histogram(d, toFilter(f), Math.min(Math.max(buckets, 1), 500)) : { bucketUs: 0, buckets: [] };
    },
    topValues: async (folder, f, field, n) => {
      const d = db(folder);
      return d ? topValues(d, toFilter(f), field as TopField, Math.min(n, 100)) : [];
    },
    async getEntry(folder, archiveId, index): Promise<EntryDetail | null> {
      const d = db(folder);
      if (!d) return null;
      const raw = await evidence.entry(d, archiveId, index);
      if (!raw) return null;
      const seg = d.prepare('SELECT s.first, s.chain, a.path FROM segments s JOIN archives a ON a.id = s.archive_id WHERE s.archive_id = ? AND s.path = ?').get(archiveId, raw.event.segment) as { first: number; chain: string; path: string } | undefined;
      let chain: string | null = null;
      if (seg) {
        try {
          const opened = await openArchive(seg.path);
          const f = opened.files.get(seg.chain);
          const at = (index - seg.first) * 130;
          if (f?.randomAccess && f.size >= at + 129) chain = Buffer.from(await readRange(f.fsPath, f.start + at + 65, 64)).toString('latin1');
        } catch {
          chain = null;
        }
      }
      const text = raw.bytes ? Buffer.from(raw.bytes).toString('utf8') : null;
      let pretty: string | null = null;
      if (text !== null) {
        try {
          // Indented by moving whitespace only: JSON.parse would round a 19-digit number shown as evidence.
          pretty = indentJson(text);
        } catch {
          pretty = null;
        }
      }
      const fields: Record<string, string | number | boolean | null> = {};
      for (const [k, v] of Object.entries(raw.event.fields)) fields[k] = v as string | number | boolean | null;
      return {
        archiveId, index, segment: raw.event.segment, line: seg ? index - seg.first + 1 : 0, offset: raw.event.offset, length: raw.event.length,
        status: raw.event.status, coveredBy: raw.event.coveredBy, failedBy: raw.event.failedBy, fields,
        rawText: text, rawBase64: raw.bytes ? toBase64(raw.bytes) : null, pretty, leaf: raw.event.leaf, leafNow: raw.leafNow,
        matches: raw.matches, chain, problem: raw.problem,
      };
    },
    getExaminerKey: (folder) => examinerInfo(folder),
    async createExaminerKey(folder, input) {
      await readCase(folder);
      return saveExaminer(folder, generateExaminerKey(identityOf(input.name, input.email, input)), input.passphrase);
    },
    async importExaminerKey(folder, input) {
      await readCase(folder);
      const pem = await readBoundedText(input.pkcs8Path, KEY_FILE_LIMIT, 'PKCS#8 key file').catch((e: unknown) => {
        throw e instanceof InputFileError ? new ApiFailure('not-found', e.message) : e;
      });
      let key: ExaminerKey;
      try {
        key = importPkcs8ExaminerKey(pem, identityOf(input.name, input.email, input), input.pkcs8Path);
      } catch (e) {
        if (e instanceof UsageError) throw new ApiFailure('bad-key', e.message);
        throw e;
      }
      return saveExaminer(folder, key, input.passphrase);
    },
    async attest(folder, archiveId, input, jobId) {
      const c = await readCase(folder);
      const info = await examinerInfo(folder);
      if (!info) throw new ApiFailure('bad-request', 'create or import the examiner key of this case first');
      let key: ExaminerKey;
      try {
        key = await loadExaminerKey(info.keyPath, input.passphrase);
      } catch (e) {
        if (e instanceof UsageError) throw new ApiFailure('bad-key', e.message);
        throw e;
      }
      const archivePath = archivePathOf(folder, archiveId, '; verify it first');
      const { logs, witnesses, policy } = casePolicy(c);
      const dbPath = releaseDb(folder);
      const stamp = new Date().toISOString().replace(/[-:]/g, '').replace(/\..*$/, '').replace('T', '-');
      const out = join(folder, 'attestations', `${folderName(c.details.caseNumber)}-${stamp}.pdf`);
      await mkdir(join(folder, 'attestations'), { recursive: true });
      const r = await runJob<{ selfTest: string | null; pdf: string; dsse: string; sshsig: string; allowedSigners: string; reportId: string; verdict: AttestationView['verdict']; reason: string; principal: string }>(jobId, {
        type: 'attest',
        // The bundled self-test runs first and its record goes into the report and beside it, as with CLI attest.
        selfTest: true,
        options: {
          archivePath, policy, keys: [...logs, ...witnesses],
          // The report is signed in the key's name only: a case examiner other than the key's is refused by attest().
          anchors: c.anchors.map((x) => anchorFromBytes(utf8(x.note), x.source, logs)), examinerKey: key, examinerName: c.details.examinerName,
          examinerRole: c.details.examinerRole, organisation: c.details.organisation,
          caseFacts: { number: c.details.caseNumber, title: c.details.title, requestingParty: c.details.requestingParty }, out, dbPath,
          custody: Object.fromEntries(CUSTODY_FIELDS.map((f) => [f, c.details[f] ?? null])), declaration: input.declaration ?? 'none', cwd: folder,
          ...(suppliedPolicy(c) ? { auditPolicy: suppliedPolicy(c)! } : {}),
        },
      });
      wrote(r.pdf, r.dsse, r.sshsig, r.allowedSigners, ...(r.selfTest ? [r.selfTest] : []));
      return {
        reportId: r.reportId, verdict: r.verdict, reason: r.reason, pdfPath: r.pdf, dssePath: r.dsse, sshsigPath: r.sshsig, allowedSignersPath: r.allowedSigners,
        sshVerifyCommand: `ssh-keygen -Y verify -f ${r.allowedSigners} -I ${r.principal} -n sealcheck-attestation -s ${r.sshsig} < ${r.pdf}`,
      };
    },
    async verifyAttestation(folder, input) {
      const keyPath = input.examinerKeyPath ?? (await examinerInfo(folder))?.publicKeyPath;
      if (!keyPath) throw new ApiFailure('bad-request', 'name the examiner public key (PEM .pub or .ssh.pub) to check the report against');
      let key: Uint8Array;
      try {
        key = examinerPublicKey(await readBoundedText(keyPath, KEY_FILE_LIMIT, 'examiner key file'));
      } catch (e) {
        throw new ApiFailure('bad-key', `${keyPath}: ${(e as Error).message}`);
      }
      if (!existsSync(input.pdfPath)) throw new ApiFailure('not-found', `${input.pdfPath}: no such file`);
      // Re-rendering the PDF and hashing the evidence take seconds: a worker job, so the window never freezes.
      return runJob<AttestationCheckView>(randomUUID(), { type: 'verify-attestation', pdfPath: resolve(input.pdfPath), examinerKey: key, archivePath: input.archivePath === null ? null : resolve(input.archivePath) });
    },
    async exportProof(folder, archiveId, index) {
      const c = await readCase(folder);
      const archivePath = archivePathOf(folder, archiveId, '');
      let r;
      try {
        r = await proveEntry(archivePath, index, casePolicy(c).policy);
      } catch (e) {
        if (e instanceof CannotProveError || e instanceof UsageError) throw new ApiFailure('cannot-prove', e.message);
        throw e;
      }
      await mkdir(join(folder, 'proofs'), { recursive: true });
      const base = join(folder, 'proofs', `archive-${archiveId}-entry-${index}`);
      await writeFile(`${base}.tlog-proof`, r.proof);
      await writeFile(`${base}.entry`, r.entry);
      wrote(`${base}.tlog-proof`, `${base}.entry`);
      return { proofPath: `${base}.tlog-proof`, entryPath: `${base}.entry`, checkpoint: r.checkpoint, treeSize: r.size };
    },
    async exportExcerpt(folder, archiveId, input) {
      const c = await readCase(folder);
      const d = db(folder);
      if (!d) throw new ApiFailure('not-found', 'verify an archive first: the excerpt is chosen from its indexed events');
      try {
        const r = await exportExcerpt({ db: d, dbName: CASE_DB, archiveId, archivePath: archivePathOf(folder, archiveId, ''), caseFolder: folder, policy: casePolicy(c).policy, toFilter }, input);
        wrote(r.path);
        return r;
      } catch (e) {
        throw e instanceof ExcerptFailure ? new ApiFailure(e.code, e.message) : e;
      }
    },
    async openExcerpt(folder, path) {
      const c = await readCase(folder);
      try {
        return await openExcerpt(path, casePolicy(c).policy);
      } catch (e) {
        throw e instanceof ExcerptFailure ? new ApiFailure(e.code, e.message) : e;
      }
    },
    async revealFile(path, how) {
      if (!ctx.reveal) throw new ApiFailure('unavailable', 'opening files is available in the desktop app only');
      const full = resolve(path);
      if (!written.has(full)) throw new ApiFailure('not-allowed', `${path} was not written by Sealcheck in this session, so it is not opened from here`);
      if (!existsSync(full)) throw new ApiFailure('not-found', `${path}: no such file (moved or deleted since it was written)`);
      try {
        await ctx.reveal(full, how);
      } catch (e) {
        throw new ApiFailure('cannot-open', e instanceof Error ? e.message : String(e));
      }
      return true as const;
    },
    close() {
      for (const j of jobs.values()) j.cancel();
      for (const d of dbs.values()) d.close();
      dbs.clear();
    },
  };
  return handlers;
}

/** Validates and runs one call; every failure becomes {ok: false, error}, never a thrown error across the boundary. */
export async function dispatch(handlers: Api, method: unknown, args: unknown): Promise<Result<unknown>> {
  try {
    if (!isApiMethod(method)) throw new ApiFailure('bad-request', `unknown method ${JSON.stringify(method)}`);
    if (!Array.isArray(args)) throw new ApiFailure('bad-request', 'arguments must be an array');
    const checks = ARGS[method];
    if (args.length > checks.length) throw new ApiFailure('bad-request', `${method} takes ${checks.length} argument${checks.length === 1 ? '' : 's'}`);
    checks.forEach((c, i) => c(args[i], `${method} argument ${i + 1}`));
    const fn = handlers[method] as (...a: unknown[]) => Promise<unknown>;
    return { ok: true, value: await fn.apply(handlers, args) };
  } catch (e) {
    if (e instanceof ApiFailure || e instanceof CaseError) return { ok: false, error: { code: e.code, message: e.message } };
    if (e instanceof UsageError) return { ok: false, error: { code: 'bad-request', message: e.message } };
    if (e instanceof Error && e.name === 'NotAnArchiveError') return { ok: false, error: { code: 'not-an-archive', message: e.message } };
    return { ok: false, error: { code: 'internal', message: e instanceof Error ? e.message : String(e) } };
  }
}
