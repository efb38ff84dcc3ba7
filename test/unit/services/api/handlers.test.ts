// One test per API method, through `dispatch` exactly as IPC and the UI bridge call it: validation, results, errors.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { API_METHODS, type Api, type ApiEvents, type CaseInfo, type Result } from '../../../../shared/api.ts';
import { COSIGNER_KEY, LOG_KEY, formatVerifierKey, makeKey, type SignerKey } from '../../../../shared/core/keys.ts';
import { formatCheckpointText, formatNote, logSignatureLine } from '../../../../shared/core/note.ts';
import { nodeEd25519 } from '../../../../electron/services/crypto.node.ts';
import { seal } from '../../../../electron/services/seal.node.ts';
import { createHandlers, dispatch } from '../../../../electron/services/api/handlers.node.ts';
import { startBridge } from '../../../../electron/services/api/bridge.node.ts';
import { verifyArchive } from '../../../../electron/services/verify.node.ts';

const SAMPLES = fileURLToPath(new URL('../../../../resources/samples/', import.meta.url));
const signer = (name: string, type: 1 | 4, fill: number): SignerKey => {
  const seed = new Uint8Array(32).fill(fill);
  return { ...makeKey(name, type, nodeEd25519.publicKeyFromSeed(seed)), seed };
};
const LOG = signer('api.example/audit', LOG_KEY, 3);
const WITNESS = signer('witness.example/w', COSIGNER_KEY, 4);

let dir = '';
let archive = '';
let handlers: ReturnType<typeof createHandlers>;
const events: ApiEvents['progress'][] = [];
let folder = '';

async function call<T>(method: string, ...args: unknown[]): Promise<T> {
  const r = (await dispatch(handlers, method, args)) as Result<T>;
  if (!r.ok) throw new Error(`${method}: ${r.error.code}: ${r.error.message}`);
  return r.value;
}
async function refused(method: string, args: unknown[], code: string, message: RegExp) {
  const r = await dispatch(handlers, method, args);
  assert.equal(r.ok, false, `${method} should fail`);
  if (!r.ok) {
    assert.equal(r.error.code, code);
    assert.match(r.error.message, message);
  }
}

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sealcheck-api-'));
  archive = join(dir, 'audit');
  await seal({ key: LOG, cosigners: [WITNESS], origin: LOG.name, out: archive, inputs: [join(SAMPLES, 'audit2rbac_demo.jsonl')], checkpointEvery: 10 });
  await writeFile(join(dir, 'log.pub'), `${formatVerifierKey(LOG)}\n`);
  await writeFile(join(dir, 'witness.pub'), `${formatVerifierKey(WITNESS)}\n`);
  handlers = createHandlers({ casesRoot: join(dir, 'cases'), stateDir: join(dir, 'state'), emit: (e, p) => void (e === 'progress' && events.push(p as ApiEvents['progress'])) });
  const c = await call<CaseInfo>('createCase', { caseNumber: 'CASE 2026/017', title: 'Cluster admin access', requestingParty: 'Legal', examinerName: 'Ada Examiner', examinerRole: 'Forensic examiner', organisation: 'Audit & Co' });
  folder = c.folder;
});
after(async () => {
  handlers.close();
  await rm(dir, { recursive: true, force: true });
});

test('the method list is the Api interface, and unknown methods or bad arguments are refused', async () => {
  assert.equal(API_METHODS.length, 30);
  await refused('format', [], 'bad-request', /unknown method "format"/);
  await refused('openCase', [42], 'bad-request', /openCase argument 1 must be a non-empty string/);
  await refused('openCase', ['a', 'b'], 'bad-request', /takes 1 argument/);
  await refused('createCase', [{ caseNumber: 'x' }], 'bad-request', /createCase argument 1\.title must be a string/);
  await refused('createCase', [{ caseNumber: 'x', title: '', requestingParty: '', examinerName: 'e', examinerRole: '', organisation: '', extra: 1 }], 'bad-request', /extra must be absent/);
});

test('appInfo', async () => {
  const info = await call<Awaited<ReturnType<Api['appInfo']>>>('appInfo');
  assert.deepEqual(info, { version: '0.1.0', offline: true, casesRoot: join(dir, 'cases') });
});

test('createCase makes a case folder named after the case number', async () => {
  assert.equal(folder, join(dir, 'cases', 'CASE_2026_017'));
  assert.deepEqual(JSON.parse(await readFile(join(folder, 'case.json'), 'utf8')).details.examinerName, 'Ada Examiner');
  const again = await call<CaseInfo>('createCase', { caseNumber: 'CASE 2026/017', title: '', requestingParty: '', examinerName: 'B', examinerRole: '', organisation: '' });
  assert.equal(again.folder, join(dir, 'cases', 'CASE_2026_017-2'));
});

test('openCase and listRecentCases', async () => {
  const c = await call<CaseInfo>('openCase', folder);
  assert.equal(c.caseNumber, 'CASE 2026/017');
  const recent = await call<CaseInfo[]>('listRecentCases');
  assert.equal(recent[0]!.folder, folder);
  await refused('openCase', [join(dir, 'nothing')], 'not-found', /is not a case folder/);
});

test('pickPath is null outside the app', async () => {
  assert.equal(await call('pickPath', 'archive-file'), null);
  await refused('pickPath', ['disk'], 'bad-request', /one of archive-file/);
});

test('inspectArchive computes the evidence digest with progress', async () => {
  const d = await call<{ sha256: string; container: string; files: number }>('inspectArchive', folder, archive, 'job-digest');
  const report = await verifyArchive(archive, { policy: { logKeys: [LOG], witnessKeys: [], quorum: 0, origin: null } });
  assert.equal(d.sha256, report.archive.sha256);
  assert.deepEqual([d.container, d.files], ['directory', 7]); // manifest, segment, chain, 4 checkpoints
  assert.ok(events.some((e) => e.jobId === 'job-digest' && e.bytesDone === e.bytesTotal));
  await refused('inspectArchive', [folder, join(dir, 'missing'), 'j'], 'not-an-archive', /no such file/);
});

test('addKey / removeKey, with types, fingerprints and refusals', async () => {
  let p = await call<CaseInfo['policy']>('addKey', folder, { path: join(dir, 'log.pub') }, 'log');
  assert.equal(p.keys.length, 1);
  assert.deepEqual({ ...p.keys[0], fingerprint: p.keys[0]!.fingerprint.length }, { name: LOG.name, role: 'log', keyId: LOG.keyId.toString(16).padStart(8, '0'), fingerprint: 64, keyString: formatVerifierKey(LOG), source: join(dir, 'log.pub') });
  await refused('addKey', [folder, { text: formatVerifierKey(WITNESS) }, 'log'], 'bad-key', /cosigner key \(type 0x04\), not a log key/);
  p = await call('addKey', folder, { text: formatVerifierKey(WITNESS) }, 'witness');
  assert.deepEqual([p.keys.length, p.quorum], [2, 1]);
  p = await call('removeKey', folder, formatVerifierKey(WITNESS), 'witness');
  assert.deepEqual([p.keys.length, p.quorum], [1, 0]);
  await refused('addKey', [folder, { text: 'PRIVATE+KEY+x+00000000+AA==' }, 'log'], 'bad-key', /private signer key/);
});

test('setPolicy', async () => {
  await refused('setPolicy', [folder, { quorum: 1, origin: null }], 'bad-request', /can never be met by 0 witness keys/);
  const p = await call<CaseInfo['policy']>('setPolicy', folder, { quorum: 0, origin: LOG.name });
  assert.equal(p.origin, LOG.name);
});

test('addAnchor / removeAnchor', async () => {
  const report = await verifyArchive(archive, { policy: { logKeys: [LOG], witnessKeys: [], quorum: 0, origin: null } });
  const text = formatCheckpointText(LOG.name, 37, Buffer.from(report.covering!.root, 'base64'));
  const note = formatNote(text, [logSignatureLine(LOG, text, nodeEd25519)]);
  let p = await call<CaseInfo['policy']>('addAnchor', folder, { text: note });
  assert.deepEqual(p.anchors.map((a) => [a.origin, a.size, a.signedBy.length]), [[LOG.name, 37, 1]]);
  await refused('addAnchor', [folder, { text: `${text}\n\u2014 someone AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n` }], 'bad-key', /no valid signature from a trusted log key/);
  p = await call('removeAnchor', folder, p.anchors[0]!.id);
  assert.equal(p.anchors.length, 0);
  p = await call('addAnchor', folder, { text: note });
  assert.equal(p.anchors.length, 1);
});

test('verify, getRun and listArchives', async () => {
  const run = await call<Awaited<ReturnType<Api['verify']>>>('verify', folder, archive, 'job-verify');
  assert.equal(run.verdict, 'verified');
  assert.match(run.reason, /^All 37 entries are covered by checkpoints\/000000000037\.ckpt/);
  assert.equal(run.entries, 37);
  assert.equal(run.checkpoints.length, 5); // 4 in the archive + the anchor
  assert.deepEqual(await call('getRun', folder, run.archiveId), run && { ...(await call<object>('getRun', folder, run.archiveId)) });
  const archives = await call<Awaited<ReturnType<Api['listArchives']>>>('listArchives', folder);
  assert.deepEqual(archives.map((a) => [a.path, a.verdict, a.entries]), [[archive, 'verified', 37]]);
  assert.equal(await call('getRun', folder, 99), null);
});

test('queryEvents, countEvents, histogram, topValues', async () => {
  const page = await call<Awaited<ReturnType<Api['queryEvents']>>>('queryEvents', folder, { preset: 'denied' }, { limit: 5 });
  assert.equal(page.events.length, 5);
  assert.ok(page.next);
  assert.deepEqual(Object.keys(page.events[0]!).sort(), ['archiveId', 'code', 'index', 'kind', 'method', 'name', 'namespace', 'path', 'requestUri', 'resource', 'sensitive', 'sourceIp', 'stage', 'status', 'time', 'timeUs', 'username', 'verb'].sort());
  assert.deepEqual(page.events.map((e) => e.sensitive), [[], [], [], [], []], 'the denied sample events carry nothing sensitive');
  assert.equal(await call('countEvents', folder, { preset: 'denied' }), 11);
  assert.equal(await call('countEvents', folder, { user: 'system:admin', text: 'pods' }), (await call<number>('countEvents', folder, { user: 'system:admin', text: 'pods' })));
  const h = await call<Awaited<ReturnType<Api['histogram']>>>('histogram', folder, {}, 12);
  assert.equal(h.buckets.reduce((n, b) => n + b.count, 0), 37);
  const top = await call<{ value: string; count: number }[]>('topValues', folder, {}, 'users', 3);
  assert.equal(top[0]!.value, 'system:admin');
  await refused('queryEvents', [folder, { preset: 'everything' }, {}], 'bad-request', /preset must be one of/);
});

test('getEntry returns the raw bytes, both hashes and the re-hash verdict', async () => {
  const e = (await call<Awaited<ReturnType<Api['getEntry']>>>('getEntry', folder, 1, 5))!;
  const line = (await readFile(join(SAMPLES, 'audit2rbac_demo.jsonl'), 'utf8')).split('\n')[5]!;
  assert.equal(e.rawText, line);
  assert.equal(Buffer.from(e.rawBase64!, 'base64').toString(), line);
  assert.equal(e.matches, true);
  assert.equal(e.leafNow, e.leaf);
  const chainLine = (await readFile(join(archive, 'segments/000000000000.chain'), 'utf8')).split('\n')[5]!;
  assert.equal(`${e.leaf} ${e.chain}`, chainLine);
  assert.deepEqual([e.segment, e.line, e.status, e.coveredBy], ['segments/000000000000.jsonl', 6, 'covered', 'checkpoints/000000000010.ckpt']);
  assert.equal(JSON.parse(e.pretty!).auditID, JSON.parse(line).auditID);
  assert.equal(await call('getEntry', folder, 1, 999), null);
});

test('getExaminerKey / createExaminerKey: one encrypted examiner key per case, never replaced', async () => {
  assert.equal(await call('getExaminerKey', folder), null);
  const k = await call<Awaited<ReturnType<Api['createExaminerKey']>>>('createExaminerKey', folder, { name: 'Ada Examiner', email: 'ada@example.org', passphrase: 'a passphrase for the test' });
  assert.deepEqual([k.name, k.email, k.keyPath], ['Ada Examiner', 'ada@example.org', join(folder, 'examiner.key')]);
  assert.match(k.fingerprint, /^[0-9a-f]{64}$/);
  assert.match(k.sshFingerprint, /^SHA256:[A-Za-z0-9+/]{43}$/);
  assert.deepEqual(await call('getExaminerKey', folder), k);
  await refused('createExaminerKey', [folder, { name: 'Other', email: null, passphrase: 'x' }], 'bad-request', /already has an examiner key/);
});

test('importExaminerKey takes a PEM PKCS#8 Ed25519 key', async () => {
  const { generateKeyPairSync } = await import('node:crypto');
  const { privateKey } = generateKeyPairSync('ed25519');
  await writeFile(join(dir, 'examiner.pem'), privateKey.export({ format: 'pem', type: 'pkcs8' }) as string);
  const other = await call<CaseInfo>('createCase', { caseNumber: 'IMPORT-1', title: '', requestingParty: '', examinerName: 'Bo', examinerRole: '', organisation: '' });
  const k = await call<Awaited<ReturnType<Api['importExaminerKey']>>>('importExaminerKey', other.folder, { pkcs8Path: join(dir, 'examiner.pem'), name: 'Bo Examiner', email: null, passphrase: 'another passphrase' });
  assert.equal(k.name, 'Bo Examiner');
  await refused('importExaminerKey', [other.folder, { pkcs8Path: join(dir, 'log.pub'), name: 'Bo', email: null, passphrase: 'x' }], 'bad-key', /.+/);
});

test('attest writes the signed report and verifyAttestation checks it', async () => {
  await refused('attest', [folder, 1, { passphrase: 'wrong passphrase' }, 'job-attest-0'], 'bad-key', /wrong passphrase/);
  const a = await call<Awaited<ReturnType<Api['attest']>>>('attest', folder, 1, { passphrase: 'a passphrase for the test' }, 'job-attest');
  assert.equal(a.verdict, 'verified');
  assert.match(a.pdfPath, /\/attestations\/CASE_2026_017-\d{8}-\d{6}\.pdf$/);
  assert.match(a.sshVerifyCommand, /^ssh-keygen -Y verify -f .+\.allowed_signers -I ada@example\.org -n sealcheck-attestation -s .+\.sshsig < .+\.pdf$/);
  const v = await call<Awaited<ReturnType<Api['verifyAttestation']>>>('verifyAttestation', folder, { pdfPath: a.pdfPath, examinerKeyPath: null, archivePath: archive });
  assert.equal(v.valid, true, JSON.stringify(v.checks));
  assert.deepEqual(v.checks.map((c) => c.name), [
    'PDF signature (PAdES, Ed25519)', 'embedded statement (DSSE)', 'embedded verification summary (SLSA VSA, DSSE)', 'verification summary agrees with the report',
    `${basename(a.dssePath)} beside the report`, basename(a.dssePath).replace('.dsse.json', '.vsa.dsse.json') + ' beside the report',
    'visible report matches the statement', `${basename(a.sshsigPath)} (SSHSIG)`, 'evidence digests',
  ]);
  assert.deepEqual(v.report && [v.report.case, v.report.verdict, v.report.examiner], ['CASE 2026/017', 'verified', 'Ada Examiner']);
});

test('exportProof writes a tlog-proof and the entry that verify-proof accepts', async () => {
  const p = await call<Awaited<ReturnType<Api['exportProof']>>>('exportProof', folder, 1, 12);
  assert.deepEqual([p.checkpoint, p.treeSize], ['checkpoints/000000000020.ckpt', 20]);
  const { verifyProof } = await import('../../../../electron/services/proof.node.ts');
  const r = verifyProof(await readFile(p.proofPath, 'utf8'), await readFile(p.entryPath), { logKeys: [LOG], witnessKeys: [], quorum: 0 });
  assert.equal(r.proven, true, r.reason);
  assert.equal((await readFile(p.entryPath, 'utf8')), (await readFile(join(SAMPLES, 'audit2rbac_demo.jsonl'), 'utf8')).split('\n')[12]);
  await refused('exportProof', [folder, 1, 37], 'cannot-prove', /no entry 37/);
});

test('revealFile opens or shows only files this table wrote in this session; unavailable outside the app', async () => {
  await refused('revealFile', [join(dir, 'log.pub'), 'open'], 'unavailable', /desktop app only/);
  const shown: [string, string][] = [];
  const app = createHandlers({ casesRoot: join(dir, 'cases'), stateDir: join(dir, 'state'), emit: () => {}, reveal: async (p, how) => void shown.push([p, how]) });
  try {
    const r = (await dispatch(app, 'exportProof', [folder, 1, 3])) as Result<Awaited<ReturnType<Api['exportProof']>>>;
    assert.ok(r.ok);
    assert.deepEqual(await dispatch(app, 'revealFile', [r.value.proofPath, 'open']), { ok: true, value: true });
    assert.deepEqual(await dispatch(app, 'revealFile', [r.value.entryPath, 'folder']), { ok: true, value: true });
    assert.deepEqual(shown, [[r.value.proofPath, 'open'], [r.value.entryPath, 'folder']]);
    for (const path of [join(dir, 'log.pub'), 'https://example.com/report.pdf', `file://${r.value.proofPath}`]) {
      const no = await dispatch(app, 'revealFile', [path, 'open']);
      assert.deepEqual(no.ok ? null : no.error.code, 'not-allowed', path);
    }
    const how = await dispatch(app, 'revealFile', [r.value.proofPath, 'run']);
    assert.deepEqual(how.ok ? null : how.error.message, 'revealFile argument 2 must be one of open, folder');
    assert.equal(shown.length, 2);
  } finally {
    app.close();
  }
});

test('cancelJob stops a running job and the call ends as cancelled', async () => {
  // Large enough to be still running when the cancel arrives.
  const input = join(dir, 'many.jsonl');
  const line = (await readFile(join(SAMPLES, 'audit2rbac_demo.jsonl'), 'utf8')).split('\n')[0]!;
  await writeFile(input, `${line}\n`.repeat(150_000));
  const big = join(dir, 'big');
  await seal({ key: LOG, origin: LOG.name, out: big, inputs: [input] });
  const running = dispatch(handlers, 'verify', [folder, big, 'job-cancel']);
  let cancelled = false;
  for (let i = 0; i < 500 && !cancelled; i++) {
    cancelled = await call<boolean>('cancelJob', 'job-cancel');
    if (!cancelled) await new Promise((r) => setTimeout(r, 10));
  }
  assert.equal(cancelled, true);
  const r = await running;
  assert.deepEqual(r.ok ? null : r.error.code, 'cancelled');
  assert.equal(await call('cancelJob', 'no-such-job'), false);
});

test('the loopback bridge answers only with its token, and serves no path outside the renderer', async () => {
  const bridge = await startBridge({ casesRoot: join(dir, 'cases'), rendererDir: join(dir, 'cases'), stateDir: join(dir, 'state') });
  try {
    const post = (token: string) => fetch(new URL('/api', bridge.url), { method: 'POST', headers: { 'x-sealcheck-token': token, 'content-type': 'application/json' }, body: JSON.stringify({ method: 'appInfo', args: [] }) });
    assert.equal((await post('wrong')).status, 403);
    const ok = (await (await post(bridge.token)).json()) as { ok: boolean };
    assert.equal(ok.ok, true);
    assert.equal((await fetch(new URL('/..%2f..%2fstate/recent-cases.json', bridge.url))).status, 404);
    assert.match(bridge.url, /^http:\/\/127\.0\.0\.1:\d+\/$/);
  } finally {
    await bridge.close();
  }
});
