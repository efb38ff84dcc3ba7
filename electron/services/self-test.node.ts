// Installation self-test (tool validation): verifies the bundled known cases through the app's own handler table and writes a JSON validation record, signed by the examiner when asked.
import { ATTESTATION_FILE_LIMIT, KEY_FILE_LIMIT, readBoundedFile, readBoundedText } from './bounded-read.node.ts';
import { createHash, randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { arch, hostname, platform, release } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import type { ArchiveDigest, KeyRole, RunView } from '../../shared/api.ts';
import { FINDING_CODES, type Finding } from '../../shared/core/findings.ts';
import type { Verdict } from '../../shared/core/report.ts';
import { dispatch, type createHandlers } from './api/handlers.node.ts';
import { createCaseFolder } from './api/cases.node.ts';
import { buildDigest } from './build-digest.node.ts';
import { serializeEnvelope, signEnvelope, verifyEnvelope } from './attest/dsse.node.ts';
import { formatExaminerName, loadExaminerKey, opensshFingerprint, sha256Fingerprint, type ExaminerKey } from './attest/examiner-key.node.ts';
import { UsageError } from './keys.node.ts';
import { resourceDir, TOOL_NAME, TOOL_VERSION } from './runtime.node.ts';

/** The record's format: a later incompatible shape gets /v2, so whatever embeds a record can tell. */
export const SELF_TEST_RECORD_FORMAT = 'sealcheck-self-test-record/v1';
/** The format of each bundled case's expected.json. */
export const SELF_TEST_CASE_FORMAT = 'sealcheck-self-test-case/v1';
/** DSSE payloadType of the signed record: the payload is the record file's exact bytes. */
export const SELF_TEST_PAYLOAD_TYPE = 'application/vnd.sealcheck.self-test-record+json';
const VERDICTS: readonly Verdict[] = ['verified', 'failed', 'incomplete'];

/** The self-test cannot start: missing or malformed cases, an unusable examiner key, an output that exists. A UsageError, so the CLI exits 2. */
export class SelfTestError extends UsageError {
  override name = 'SelfTestError';
}

/** A finding as the self-test compares it: everything but the free-text message; absent locations are null. */
export interface SelfTestFinding {
  code: string;
  file: string | null;
  index: number | null;
  line: number | null;
  count: number | null;
}

export interface SelfTestCaseRecord {
  name: string;
  description: string;
  /** The archive as bundled: path relative to the cases folder, container, SHA-256 (tree digest for a directory). */
  archive: { path: string; container: string | null; sha256: string | null };
  expected: { sha256: string; verdict: Verdict; findings: SelfTestFinding[] };
  /** What this install reported; error is set (and verdict null) when the case could not be verified at all. */
  actual: { verdict: Verdict | null; reason: string | null; entries: number | null; coveredEntries: number | null; findings: SelfTestFinding[]; error: { step: string; code: string; message: string } | null };
  match: boolean;
  /** One sentence per difference; empty when match. */
  differences: string[];
}

export interface SelfTestRecord {
  format: typeof SELF_TEST_RECORD_FORMAT;
  tool: { name: string; version: string; buildDigest: { algorithm: string; value: string; of: string } };
  platform: { os: string; arch: string; osRelease: string; hostname: string; node: string; electron: string | null; chrome: string | null; v8: string };
  startedAt: string;
  finishedAt: string;
  casesDir: string;
  /** Who signed the record (the DSSE envelope beside it), or null when unsigned. */
  examiner: { name: string; fingerprint: string; sshFingerprint: string } | null;
  cases: SelfTestCaseRecord[];
  passed: boolean;
}

export interface SelfTestOptions {
  handlers: ReturnType<typeof createHandlers>;
  casesDir: string;
  out: string;
  workDir: string;
  examiner?: { keyPath: string; passphrase: string };
}

export interface SelfTestResult {
  passed: boolean;
  recordPath: string;
  summary: string;
}

/** `<out>.dsse.json`: the envelope written beside a signed record. */
export const envelopePathFor = (recordPath: string): string => `${recordPath}.dsse.json`;

/**
 * The bundled cases: `<resources>/self-test` in the packaged app (electron-builder extraResources),
 * else `<repo>/resources/self-test` in a checkout (from sources or from dist/).
 */
export function bundledSelfTestDir(): string {
  return resourceDir('self-test');
}

// ---------- the cases ----------

interface CaseSpec {
  name: string;
  dir: string;
  description: string;
  archive: string;
  trust: { role: KeyRole; key: string }[];
  expected: SelfTestCaseRecord['expected'];
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const optionalInt = (v: unknown) => v === undefined || (typeof v === 'number' && Number.isSafeInteger(v) && v >= 0);

function normalize(f: { code: string; file?: string | null; index?: number | null; line?: number | null; count?: number | null }): SelfTestFinding {
  return { code: f.code, file: f.file ?? null, index: f.index ?? null, line: f.line ?? null, count: f.count ?? null };
}

function parseCase(dir: string, name: string, text: string): CaseSpec {
  const where = join(dir, 'expected.json');
  const bad = (what: string): never => {
    throw new SelfTestError(`${where}: ${what}`);
  };
  let j: unknown;
  try {
    j = JSON.parse(text);
  } catch {
    bad('not JSON');
  }
  if (!isObject(j)) return bad('not a JSON object');
  if (j.format !== SELF_TEST_CASE_FORMAT) bad(`format is not ${SELF_TEST_CASE_FORMAT}`);
  if (typeof j.archive !== 'string' || j.archive === '' || j.archive.includes('..')) bad('archive must be a path inside the case folder');
  if (!Array.isArray(j.trust) || j.trust.length === 0) bad('trust must list at least one key');
  const trust = (j.trust as unknown[]).map((t, i) => {
    if (!isObject(t) || (t.role !== 'log' && t.role !== 'witness') || typeof t.key !== 'string' || t.key.includes('..')) return bad(`trust[${i}] must be {"role": "log" | "witness", "key": PATH inside the cases folder}`);
    return { role: t.role as KeyRole, key: t.key };
  });
  const e = j.expected;
  if (!isObject(e)) return bad('expected is missing');
  if (typeof e.sha256 !== 'string' || !/^[0-9a-f]{64}$/.test(e.sha256)) bad('expected.sha256 must be 64 lower-case hex digits');
  if (!VERDICTS.includes(e.verdict as Verdict)) bad(`expected.verdict must be one of ${VERDICTS.join(', ')}`);
  if (!Array.isArray(e.findings)) bad('expected.findings must be an array');
  const findings = (e.findings as unknown[]).map((f, i) => {
    if (!isObject(f) || typeof f.code !== 'string' || !(f.code in FINDING_CODES)) return bad(`expected.findings[${i}].code is not a finding code of spec §6`);
    if ((f.file !== undefined && typeof f.file !== 'string') || !optionalInt(f.index) || !optionalInt(f.line) || !optionalInt(f.count)) return bad(`expected.findings[${i}] has a bad file, index, line or count`);
    return normalize(f as { code: string });
  });
  return {
    name, dir, description: typeof j.description === 'string' ? j.description : '', archive: j.archive as string, trust,
    expected: { sha256: e.sha256 as string, verdict: e.verdict as Verdict, findings },
  };
}

/** Every sub-folder holding an expected.json, in name order. */
async function loadCases(casesDir: string): Promise<CaseSpec[]> {
  let names: string[];
  try {
    names = (await readdir(casesDir, { withFileTypes: true })).filter((d) => d.isDirectory()).map((d) => d.name).sort();
  } catch {
    throw new SelfTestError(`${casesDir}: no such folder of self-test cases`);
  }
  const cases: CaseSpec[] = [];
  for (const name of names) {
    const file = join(casesDir, name, 'expected.json');
    if (!existsSync(file)) continue;
    cases.push(parseCase(join(casesDir, name), name, await readBoundedText(file, KEY_FILE_LIMIT * 16, 'self-test case')));
  }
  if (cases.length === 0) throw new SelfTestError(`${casesDir}: no self-test cases (sub-folders with an expected.json)`);
  return cases;
}

// ---------- running one case the way the renderer does ----------

class StepFailure extends Error {
  constructor(readonly step: string, readonly code: string, message: string) {
    super(message);
  }
}

const keyOf = (f: SelfTestFinding) => JSON.stringify([f.code, f.file, f.index, f.line, f.count]);
const describe = (f: SelfTestFinding) => [f.code, f.file, f.index !== null ? `entry ${f.index}` : null, f.line !== null ? `line ${f.line}` : null, f.count !== null ? `+${f.count} more` : null].filter((x) => x !== null).join(' ');
const sorted = (list: SelfTestFinding[]) => [...list].sort((a, b) => (keyOf(a) < keyOf(b) ? -1 : keyOf(a) > keyOf(b) ? 1 : 0));

/** Findings present in `a` and not in `b`, counting repeats. */
function missingFrom(a: SelfTestFinding[], b: SelfTestFinding[]): SelfTestFinding[] {
  const left = new Map<string, number>();
  for (const f of b) left.set(keyOf(f), (left.get(keyOf(f)) ?? 0) + 1);
  return a.filter((f) => {
    const n = left.get(keyOf(f)) ?? 0;
    if (n === 0) return true;
    left.set(keyOf(f), n - 1);
    return false;
  });
}

function compare(expected: SelfTestCaseRecord['expected'], archive: SelfTestCaseRecord['archive'], actual: SelfTestCaseRecord['actual']): string[] {
  if (actual.error) return [`the ${actual.error.step} step failed (${actual.error.code}): ${actual.error.message}`];
  const out: string[] = [];
  if (archive.sha256 !== expected.sha256) out.push(`the archive's SHA-256 is ${archive.sha256}, not ${expected.sha256}: the bundled case itself was changed`);
  if (actual.verdict !== expected.verdict) out.push(`verdict ${actual.verdict}, expected ${expected.verdict}`);
  for (const f of missingFrom(expected.findings, actual.findings)) out.push(`expected finding missing: ${describe(f)}`);
  for (const f of missingFrom(actual.findings, expected.findings)) out.push(`unexpected finding: ${describe(f)}`);
  return out;
}

/**
 * One case through `dispatch`, exactly the calls the renderer makes: add the trusted keys, inspect (the
 * evidence digest), verify (which indexes into the case database), then read the run back from that
 * database as the Results screen does. The case folder is made in workDir with the case service itself,
 * because `createCase`/`openCase` would list it among the examiner's recent cases.
 */
async function runCase(handlers: SelfTestOptions['handlers'], workDir: string, casesDir: string, c: CaseSpec): Promise<SelfTestCaseRecord> {
  const archivePath = join(c.dir, c.archive);
  const record: SelfTestCaseRecord = {
    name: c.name, description: c.description, archive: { path: `${c.name}/${c.archive}`, container: null, sha256: null }, expected: c.expected,
    actual: { verdict: null, reason: null, entries: null, coveredEntries: null, findings: [], error: null }, match: false, differences: [],
  };
  const call = async <T>(method: string, ...args: unknown[]): Promise<T> => {
    const r = await dispatch(handlers, method, args);
    if (!r.ok) throw new StepFailure(method, r.error.code, r.error.message);
    return r.value as T;
  };
  try {
    const { folder } = await createCaseFolder(join(workDir, 'cases'), {
      caseNumber: `self-test-${c.name}`, title: `Installation self-test: ${c.name}`, requestingParty: TOOL_NAME,
      examinerName: 'Sealcheck self-test', examinerRole: 'tool validation', organisation: '',
    });
    for (const t of c.trust) await call('addKey', folder, { path: join(casesDir, t.key) }, t.role);
    const digest = await call<ArchiveDigest>('inspectArchive', folder, archivePath, randomUUID());
    record.archive.container = digest.container;
    record.archive.sha256 = digest.sha256;
    const run = await call<RunView>('verify', folder, digest.path, randomUUID());
    const stored = await call<RunView | null>('getRun', folder, run.archiveId);
    const project = (fs: Finding[]) => sorted(fs.map(normalize));
    record.actual = { verdict: run.verdict, reason: run.reason, entries: run.entries, coveredEntries: run.coveredEntries, findings: project(run.findings), error: null };
    record.differences = compare(c.expected, record.archive, record.actual);
    if (!stored || stored.verdict !== run.verdict || JSON.stringify(project(stored.findings)) !== JSON.stringify(record.actual.findings)) {
      record.differences.push('the case database does not hold the result the verification returned');
    }
  } catch (e) {
    const f = e instanceof StepFailure ? e : new StepFailure('case', 'internal', e instanceof Error ? e.message : String(e));
    record.actual.error = { step: f.step, code: f.code, message: f.message };
    record.differences = compare(c.expected, record.archive, record.actual);
  }
  record.expected = { ...c.expected, findings: sorted(c.expected.findings) };
  record.match = record.differences.length === 0;
  return record;
}

// ---------- the record ----------

const utcNow = () => new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');

/** The record's bytes: JSON, two-space indent, one final newline. Its SHA-256 is the record's identity. */
export function serializeRecord(record: SelfTestRecord): Buffer {
  return Buffer.from(`${JSON.stringify(record, null, 2)}\n`);
}

/** One line per case, then the outcome: what the CLI prints and the app shows. */
function summaryOf(record: SelfTestRecord, recordPath: string, sha256: string, signed: string | null): string {
  const lines = record.cases.map((c) => {
    const got = c.actual.error ? `could not run (${c.actual.error.code})` : `${c.actual.verdict}, ${c.actual.findings.length ? [...new Set(c.actual.findings.map((f) => f.code))].join(', ') : 'no findings'}`;
    return `${c.match ? 'ok  ' : 'FAIL'} ${c.name}: ${got}${c.match ? '' : ` (expected ${c.expected.verdict}; ${c.differences.join('; ')})`}`;
  });
  const failed = record.cases.filter((c) => !c.match);
  lines.push(record.passed
    ? `PASSED: all ${record.cases.length} self-test cases gave exactly their expected verdicts and findings on this installation.`
    : `FAILED: ${failed.length} of ${record.cases.length} self-test cases did not give their expected result (${failed.map((c) => c.name).join(', ')}); do not rely on this installation.`);
  lines.push(`record: ${recordPath} (SHA-256 ${sha256})`);
  if (signed) lines.push(`signed: ${signed}`);
  return `${lines.join('\n')}\n`;
}

async function loadExaminer(examiner: SelfTestOptions['examiner']): Promise<ExaminerKey | null> {
  if (!examiner) return null;
  try {
    return await loadExaminerKey(examiner.keyPath, examiner.passphrase);
  } catch (e) {
    if (e instanceof UsageError) throw new SelfTestError(e.message);
    throw e;
  }
}

export async function runSelfTest(options: SelfTestOptions): Promise<SelfTestResult> {
  const startedAt = utcNow();
  const out = resolve(options.out);
  const casesDir = resolve(options.casesDir);
  const envelopePath = envelopePathFor(out);
  // Everything that can refuse is checked before any case runs: a record is never overwritten.
  for (const p of options.examiner ? [out, envelopePath] : [out]) if (existsSync(p)) throw new SelfTestError(`${p} already exists; a validation record is never overwritten`);
  if (!existsSync(dirname(out)) || !(await stat(dirname(out))).isDirectory()) throw new SelfTestError(`${out}: the folder ${dirname(out)} does not exist`);
  const cases = await loadCases(casesDir);
  const key = await loadExaminer(options.examiner);
  try {
    await mkdir(options.workDir, { recursive: true });
    const results: SelfTestCaseRecord[] = [];
    for (const c of cases) results.push(await runCase(options.handlers, resolve(options.workDir), casesDir, c));
    const record: SelfTestRecord = {
      format: SELF_TEST_RECORD_FORMAT,
      tool: { name: TOOL_NAME, version: TOOL_VERSION, buildDigest: buildDigest() },
      platform: {
        os: platform(), arch: arch(), osRelease: release(), hostname: hostname(), node: process.versions.node,
        electron: process.versions.electron ?? null, chrome: process.versions.chrome ?? null, v8: process.versions.v8,
      },
      startedAt, finishedAt: utcNow(), casesDir,
      examiner: key && { name: formatExaminerName(key.identity), fingerprint: sha256Fingerprint(key.publicKey), sshFingerprint: opensshFingerprint(key.publicKey) },
      cases: results,
      passed: results.every((r) => r.match),
    };
    const bytes = serializeRecord(record);
    let wrote = false;
    try {
      await writeFile(out, bytes, { flag: 'wx' });
      wrote = true;
      if (key) await writeFile(envelopePath, serializeEnvelope(signEnvelope(bytes, SELF_TEST_PAYLOAD_TYPE, key.seed, sha256Fingerprint(key.publicKey))), { flag: 'wx' });
    } catch (e) {
      // A record the examiner asked to have signed is not left behind unsigned.
      if (wrote) await rm(out, { force: true });
      throw new SelfTestError(`cannot write ${(e as NodeJS.ErrnoException).path ?? out}: ${(e as Error).message}`);
    }
    const sha256 = createHash('sha256').update(bytes).digest('hex');
    const signed = key ? `${envelopePath} (DSSE, examiner ${record.examiner!.name}, ${record.examiner!.fingerprint})` : null;
    return { passed: record.passed, recordPath: out, summary: summaryOf(record, out, sha256, signed) };
  } finally {
    key?.seed.fill(0);
  }
}

// ---------- reading a record back (attestations embed it; examiners check it) ----------

/** A record file, shape-checked, with the SHA-256 of its exact bytes. */
export async function readSelfTestRecord(path: string): Promise<{ record: SelfTestRecord; sha256: string }> {
  const bytes = Buffer.from(await readBoundedFile(path, ATTESTATION_FILE_LIMIT, 'self-test record'));
  let j: unknown;
  try {
    j = JSON.parse(bytes.toString('utf8'));
  } catch {
    throw new SelfTestError(`${path}: not JSON`);
  }
  if (!isObject(j) || j.format !== SELF_TEST_RECORD_FORMAT || typeof j.passed !== 'boolean' || !Array.isArray(j.cases)) throw new SelfTestError(`${path}: not a ${SELF_TEST_RECORD_FORMAT} record`);
  return { record: j as unknown as SelfTestRecord, sha256: createHash('sha256').update(bytes).digest('hex') };
}

/** Checks `<record>.dsse.json` against the examiner's public key: a valid signature over exactly the record's bytes. */
export async function verifySelfTestRecord(recordPath: string, examinerPublicKey: Uint8Array): Promise<{ ok: boolean; reason: string }> {
  const envelopePath = envelopePathFor(recordPath);
  if (!existsSync(envelopePath)) return { ok: false, reason: `no signature: ${envelopePath} does not exist` };
  const v = verifyEnvelope(await readBoundedText(envelopePath, ATTESTATION_FILE_LIMIT, 'self-test signature'), examinerPublicKey, { payloadType: SELF_TEST_PAYLOAD_TYPE });
  if (!v.ok || !v.payload) return { ok: false, reason: v.reason };
  const same = Buffer.compare(Buffer.from(v.payload), await readBoundedFile(recordPath, ATTESTATION_FILE_LIMIT, 'self-test record')) === 0;
  return same ? { ok: true, reason: 'the signature verifies and covers exactly this record' } : { ok: false, reason: `the signed record differs from ${recordPath}` };
}
