// The app's audit policy (issue 11) through `dispatch`: supplied per case, refused when invalid, used by verify, kept with the run for getRun and as index rows.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { CaseInfo, Result, RunView, TrustPolicyView } from '../../../../shared/api.ts';
import { LOG_KEY, formatVerifierKey, makeKey, type SignerKey } from '../../../../shared/core/keys.ts';
import { nodeEd25519 } from '../../../../electron/services/crypto.node.ts';
import { seal } from '../../../../electron/services/seal.node.ts';
import { createHandlers, dispatch } from '../../../../electron/services/api/handlers.node.ts';
import Database from 'better-sqlite3';

const ROOT = fileURLToPath(new URL('../../../../', import.meta.url));
const POLICY = join(ROOT, 'resources/demo/audit-policy.yaml');
const seed = new Uint8Array(32).fill(7);
const LOG: SignerKey = { ...makeKey('scope.example/audit', LOG_KEY, nodeEd25519.publicKeyFromSeed(seed)), seed };

let dir = '';
let folder = '';
let handlers: ReturnType<typeof createHandlers>;

async function call<T>(method: string, ...args: unknown[]): Promise<T> {
  const r = (await dispatch(handlers, method, args)) as Result<T>;
  if (!r.ok) throw new Error(`${method}: ${r.error.code}: ${r.error.message}`);
  return r.value;
}

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sealcheck-api-scope-'));
  // The first 100 events of the real log, then the next 100 an hour later: one gap, at entries 99 → 100.
  const lines = (await readFile(join(ROOT, '../shared/data/audit-logs/immudb-log-audit_k8s.jsonl'), 'utf8')).split('\n').filter((l) => l !== '').slice(0, 200);
  const later = (t: string): string => new Date(Date.parse(t) + 3600_000).toISOString().replace(/\.(\d{3})Z$/, `.$1${t.slice(23, 26)}Z`);
  await writeFile(join(dir, 'cut.jsonl'), `${lines.map((l, i) => {
    if (i < 100) return l;
    const e = JSON.parse(l) as Record<string, string>;
    return JSON.stringify({ ...e, stageTimestamp: later(e.stageTimestamp!), requestReceivedTimestamp: later(e.requestReceivedTimestamp!) });
  }).join('\n')}\n`);
  await seal({ key: LOG, cosigners: [], origin: LOG.name, out: join(dir, 'archive'), inputs: [join(dir, 'cut.jsonl')] });
  await writeFile(join(dir, 'log.pub'), `${formatVerifierKey(LOG)}\n`);
  await writeFile(join(dir, 'bad.yaml'), 'apiVersion: audit.k8s.io/v1\nkind: Policy\nrules:\n  - level: Loud\n');
  handlers = createHandlers({ casesRoot: join(dir, 'cases'), stateDir: join(dir, 'state'), emit: () => undefined });
  folder = (await call<CaseInfo>('createCase', { caseNumber: 'SCOPE-1', title: '', requestingParty: '', examinerName: 'Ada Examiner', examinerRole: 'Examiner', organisation: '' })).folder;
  await call('addKey', folder, { path: join(dir, 'log.pub') }, 'log');
});
after(async () => {
  handlers.close();
  await rm(dir, { recursive: true, force: true });
});

test('setAuditPolicy: a bad file is refused with one sentence naming it; a valid one is stored with its digest and blind spots; null removes it', async () => {
  const bad = await dispatch(handlers, 'setAuditPolicy', [folder, { path: join(dir, 'bad.yaml') }]);
  assert.deepEqual(bad, { ok: false, error: { code: 'bad-request', message: `audit policy ${join(dir, 'bad.yaml')}: rules[0].level is "Loud"; expected one of None, Metadata, Request, RequestResponse` } });
  const missing = await dispatch(handlers, 'setAuditPolicy', [folder, { path: join(dir, 'none.yaml') }]);
  assert.equal(missing.ok, false);
  assert.equal((await dispatch(handlers, 'setAuditPolicy', [folder, { file: 'x' }])).ok, false, 'unknown field refused');
  assert.equal((await call<CaseInfo>('openCase', folder)).policy.auditPolicy, null);

  const p = await call<TrustPolicyView>('setAuditPolicy', folder, { path: POLICY });
  assert.deepEqual({ ...p.auditPolicy!, blindSpots: p.auditPolicy!.blindSpots.length }, {
    file: 'audit-policy.yaml', source: POLICY, sha256: createHash('sha256').update(await readFile(POLICY)).digest('hex'), rules: 6, blindSpots: 6,
  });
  assert.match(p.auditPolicy!.blindSpots[2]!, /Secrets are recorded at Metadata: who read which Secret is in the log, what it contained is not\.$/);
  assert.deepEqual((await call<CaseInfo>('openCase', folder)).policy.auditPolicy, p.auditPolicy, 'kept in the case file');
  assert.equal((await call<TrustPolicyView>('setAuditPolicy', folder, null)).auditPolicy, null);
});

test('verify works the scope out with the supplied policy; getRun returns the same scope from the case database', async () => {
  await call<TrustPolicyView>('setAuditPolicy', folder, { path: POLICY });
  const run = await call<RunView>('verify', folder, join(dir, 'archive'), 'job-scope-1');
  assert.equal(run.verdict, 'verified');
  const s = run.scope!;
  assert.deepEqual(s.policies.map((p) => [p.source, p.entryIndex, p.file, p.rules]), [['supplied', null, 'audit-policy.yaml', 6]]);
  assert.equal(s.events, 200);
  assert.deepEqual(s.timeGaps.gaps.map((g) => [g.fromIndex, g.toIndex]), [[99, 100]]);
  assert.ok(s.contradictions.events > 0 && s.contradictions.listed[0]!.index === 0, 'entry 0 (a RequestReceived event) contradicts the policy');
  const again = await call<RunView | null>('getRun', folder, run.archiveId);
  assert.deepEqual(again!.scope, s);
  // The index holds the same as rows (migration 7): the policy and the gap, times in µs like entry_rows.time_us.
  const db = new Database(join(folder, 'case.sqlite'), { readonly: true });
  try {
    assert.deepEqual(db.prepare('SELECT seq, source, entry_index, file, rules, json_array_length(blind_spots) AS spots FROM audit_policies WHERE run_id = ?').all(run.runId), [{ seq: 0, source: 'supplied', entry_index: null, file: 'audit-policy.yaml', rules: 6, spots: 6 }]);
    const g = s.timeGaps.gaps[0]!;
    assert.deepEqual(db.prepare('SELECT from_index, to_index, from_us, to_us FROM time_gaps WHERE run_id = ?').all(run.runId), [{ from_index: 99, to_index: 100, from_us: Math.round(g.fromTime * 1000), to_us: Math.round(g.toTime * 1000) }]);
  } finally {
    db.close();
  }

  // Without a policy the next run says none is known.
  await call<TrustPolicyView>('setAuditPolicy', folder, null);
  const plain = await call<RunView>('verify', folder, join(dir, 'archive'), 'job-scope-2');
  assert.deepEqual([plain.scope!.policies, plain.scope!.eventsWithoutPolicy, plain.scope!.timeGaps.gaps.length], [[], 200, 1]);
});

test('attest from the app uses the case\'s supplied policy: the signed statement carries it and its gap, and the report checks out', async () => {
  await call<TrustPolicyView>('setAuditPolicy', folder, { path: POLICY });
  await call('createExaminerKey', folder, { name: 'Ada Examiner', email: 'ada@example.org', passphrase: 'a passphrase for the scope test' });
  const run = await call<RunView>('verify', folder, join(dir, 'archive'), 'job-scope-3');
  const a = await call<{ verdict: string; pdfPath: string; dssePath: string }>('attest', folder, run.archiveId, { passphrase: 'a passphrase for the scope test' }, 'job-scope-attest');
  assert.equal(a.verdict, 'verified');
  const envelope = JSON.parse(await readFile(a.dssePath, 'utf8')) as { payload: string };
  const scope = (JSON.parse(Buffer.from(envelope.payload, 'base64').toString('utf8')) as { predicate: { content: { scope: RunView['scope'] } } }).predicate.content.scope!;
  assert.deepEqual(scope.policies.map((p) => [p.source, p.file, p.sha256]), [['supplied', 'audit-policy.yaml', createHash('sha256').update(await readFile(POLICY)).digest('hex')]]);
  assert.deepEqual(scope.timeGaps.gaps.map((g) => [g.fromIndex, g.toIndex]), [[99, 100]]);
  const v = await call<{ valid: boolean; checks: unknown[] }>('verifyAttestation', folder, { pdfPath: a.pdfPath, examinerKeyPath: null, archivePath: join(dir, 'archive') });
  assert.equal(v.valid, true, JSON.stringify(v.checks));
});
