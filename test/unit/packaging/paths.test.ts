// From a checkout whose path has a space (as on many Windows and macOS machines): the scripts find their root and the build digest hashes real bytes.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const SKIP = new Set(['node_modules', '.git', 'dist', 'out', 'demo-output', 'bench-output', 'test-results', '.cache']);
let base = '';
let copy = '';

before(() => {
  base = mkdtempSync(join(tmpdir(), 'sealcheck-paths-'));
  copy = join(base, 'Case Files', 'sealcheck checkout');
  cpSync(ROOT, copy, { recursive: true, filter: (p) => !SKIP.has(relative(ROOT, p).split(sep)[0]!) });
  symlinkSync(join(ROOT, 'node_modules'), join(copy, 'node_modules'), 'dir');
});
after(() => rmSync(base, { recursive: true, force: true }));

/** Runs one of the copy's scripts from outside the copy, so only the script's own location can lead it to the root. */
const node = ([script, ...args]: string[], cwd = base) => {
  // Without NODE_TEST_CONTEXT a nested `node --test` reports in plain text instead of to this runner.
  const { NODE_TEST_CONTEXT: _, ...env } = process.env;
  const r = spawnSync(process.execPath, [join(copy, script!), ...args], { cwd, encoding: 'utf8', env });
  return { code: r.status, out: r.stdout, err: r.stderr };
};

test('the demo\'s first steps (build, keys, seal every sample, verify) run from the copy and write into it', () => {
  const r = node(['scripts/demo.mjs', '--until', '3']);
  assert.equal(r.code, 0, r.out + r.err);
  assert.match(r.out, /== 3\. Verify each archive/);
  assert.match(r.out, /\(stopped after step 3\)/);
  assert.ok(existsSync(join(copy, 'dist', 'cli.mjs')), 'the demo built the copy\'s dist/');
  for (const a of ['kubernetes-audit', 'audit2rbac.tar', 'openshift-audit.tar.gz', 'ingress-nginx', 'traefik-access.tar']) {
    const report = JSON.parse(readFileSync(join(copy, 'demo-output', 'archives', `${a}.verify.json`), 'utf8')) as { verdict: string; entries: number };
    assert.equal(report.verdict, 'verified', a);
  }
  assert.equal(existsSync(join(copy, 'demo%20output')) || existsSync(join(base, 'Case%20Files')), false, 'no percent-encoded folder was created');
});

test('the layer lint and the test runner find their root in the copy', () => {
  const lint = node(['scripts/lint-layers.mjs']);
  assert.equal(lint.code, 0, lint.err);
  assert.equal(lint.out.trim(), 'layer lint: no forbidden imports');
  const runner = node(['scripts/run-tests.mjs', 'test/unit/shared/merkle']);
  assert.equal(runner.code, 0, runner.out + runner.err);
  assert.match(runner.out, /ℹ fail 0/);
});

test('the build digest from the copy is over the copy\'s real dist/ bytes', () => {
  const script = `import { buildDigest, buildFiles } from ${JSON.stringify(join(copy, 'electron/services/build-digest.node.ts'))};
    console.log(JSON.stringify({ digest: buildDigest(), files: buildFiles().map((f) => f.path) }));`;
  const r = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { cwd: copy, encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  const { digest, files } = JSON.parse(r.stdout) as { digest: { value: string; of: string }; files: string[] };
  assert.ok(files.includes('cli.mjs') && files.includes('main.mjs') && files.includes('preload.cjs'), files.join(', '));
  const listing = files.map((f) => `${createHash('sha256').update(readFileSync(join(copy, 'dist', f))).digest('hex')}  ${f}\n`).join('');
  assert.equal(digest.value, createHash('sha256').update(listing).digest('hex'));
  assert.notEqual(digest.value, createHash('sha256').update('').digest('hex'));
});
