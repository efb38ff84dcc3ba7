// seal --policy and verify --scope / --policy as a user runs them (the built bundle): the sealed policy reported as evidence, a supplied one as a claim, bad policies as usage errors.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const POLICY = join(ROOT, 'test/fixtures/policy/k8s-docs-audit-policy.yaml');
const GCE = join(ROOT, 'test/fixtures/policy/gce-configure-helper-audit-policy.yaml');
const REAL = join(ROOT, '../shared/data/audit-logs/immudb-log-audit_k8s.jsonl');
let dir = '';

function run(args: string[]) {
  const r = spawnSync(process.execPath, [join(ROOT, 'electron/cli/sealcheck.mjs'), ...args], { cwd: dir, encoding: 'utf8' });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sealcheck-scope-'));
  assert.equal(run(['keygen', '--name', 'prod.example/audit', '--out', 'log']).code, 0);
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

test('seal --policy, then verify --scope: the sealed policy, its blind spots, contradictions and the chain note', async () => {
  const s = run(['seal', '--key', 'log.key', '--origin', 'prod.example/audit', '--out', 'a.tar', '--policy', POLICY, REAL]);
  assert.equal(s.code, 0, s.err);
  const sha = createHash('sha256').update(await readFile(POLICY)).digest('hex');
  assert.match(s.out, new RegExp(`audit policy .*k8s-docs-audit-policy\\.yaml \\(SHA-256 ${sha}, 9 rules\\) sealed as entry 0`));
  const plain = run(['verify', 'a.tar', '--trust', 'log.pub', '--json']);
  assert.equal(plain.code, 0);
  assert.equal('scope' in JSON.parse(plain.out), false, 'no scope unless asked for');
  const j = run(['verify', 'a.tar', '--trust', 'log.pub', '--json', '--scope']);
  assert.equal(j.code, 0, j.err);
  const scope = JSON.parse(j.out).scope;
  assert.deepEqual(scope.policies.map((p: { source: string; entryIndex: number; sha256: string }) => [p.source, p.entryIndex, p.sha256]), [['sealed', 0, sha]]);
  assert.equal(scope.events, 2971);
  assert.equal(scope.timeGaps.gaps.length, 0);
  assert.ok(scope.contradictions.events > 0);
  const h = run(['verify', 'a.tar', '--trust', 'log.pub', '--scope']);
  assert.equal(h.code, 0);
  assert.match(h.out, /Evidence scope \(what this log could not have recorded\)\n  audit policy  k8s-docs-audit-policy\.yaml, 9 rules, sealed as entry 0; SHA-256 /);
  assert.match(h.out, /Secrets are recorded at Metadata: who read which Secret is in the log, what it contained is not\./);
  assert.match(h.out, /Gaps in time are not gaps in the hash chain/);
  // With --index the run keeps its scope: in runs.report and as the sealed policy's row (migration 7).
  const x = run(['verify', 'a.tar', '--trust', 'log.pub', '--scope', '--index', 'case.sqlite']);
  assert.equal(x.code, 0, x.err);
  const db = new Database(join(dir, 'case.sqlite'), { readonly: true });
  try {
    assert.deepEqual(db.prepare("SELECT json_extract(r.report, '$.scope.events') AS events, p.source, p.entry_index, p.sha256, p.rules FROM runs r JOIN audit_policies p ON p.run_id = r.id").all(), [{ events: 2971, source: 'sealed', entry_index: 0, sha256: sha, rules: 9 }]);
    assert.equal((db.prepare('SELECT count(*) AS n FROM time_gaps').get() as { n: number }).n, 0);
  } finally {
    db.close();
  }
});

test('verify --policy on an archive without one: supplied, said to be a claim', async () => {
  assert.equal(run(['seal', '--key', 'log.key', '--origin', 'prod.example/audit', '--out', 'b', REAL]).code, 0);
  const h = run(['verify', 'b', '--trust', 'log.pub', '--policy', GCE]);
  assert.equal(h.code, 0, h.err);
  assert.match(h.out, /audit policy  gce-configure-helper-audit-policy\.yaml, 17 rules, supplied by the examiner, not sealed with the log \(a claim, not evidence\)/);
});

test('bad policies: exit 2, one line naming the file, nothing written', async () => {
  await writeFile(join(dir, 'bad.yaml'), 'apiVersion: audit.k8s.io/v1\nkind: Policy\nrules:\n  - level: Loud\n');
  const s = run(['seal', '--key', 'log.key', '--origin', 'prod.example/audit', '--out', 'c', '--policy', 'bad.yaml', REAL]);
  assert.equal(s.code, 2);
  assert.equal(s.err, 'sealcheck: --policy bad.yaml: rules[0].level is "Loud"; expected one of None, Metadata, Request, RequestResponse; nothing was written\n');
  await assert.rejects(stat(join(dir, 'c')));
  const v = run(['verify', 'b', '--trust', 'log.pub', '--policy', 'bad.yaml']);
  assert.equal(v.code, 2);
  assert.equal(v.err, 'sealcheck: verify: --policy bad.yaml: rules[0].level is "Loud"; expected one of None, Metadata, Request, RequestResponse\n');
});
