// The build digest covers every file of dist/ (not one bundle), can be recomputed with sha256sum, and refuses to hash nothing.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildDigest, buildFiles, distDir } from '../../../electron/services/build-digest.node.ts';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const sha256 = (s: string | Buffer) => createHash('sha256').update(s).digest('hex');
let dir = '';

before(() => {
  dir = mkdtempSync(join(tmpdir(), 'sealcheck-build-digest-'));
  assert.equal(spawnSync(process.execPath, [join(ROOT, 'scripts/build.mjs')], { cwd: ROOT }).status, 0, 'esbuild');
});
after(() => rmSync(dir, { recursive: true, force: true }));

test('from the sources, dist/ is the checkout\'s', () => {
  assert.equal(distDir(), join(ROOT, 'dist/'));
});

test('every file but source maps, sorted bytewise, hashed as sha256sum lines; the description lists them', () => {
  const d = join(dir, 'dist');
  mkdirSync(join(d, 'renderer/assets'), { recursive: true });
  const files: Record<string, string> = {
    'main.mjs': 'main', 'cli.mjs': 'cli', 'preload.cjs': 'preload', 'Z.worker.mjs': 'z', 'renderer/index.html': '<html>', 'renderer/assets/a.js': 'a',
  };
  for (const [p, c] of Object.entries(files)) writeFileSync(join(d, p), c);
  writeFileSync(join(d, 'main.mjs.map'), 'ignored');
  const order = ['Z.worker.mjs', 'cli.mjs', 'main.mjs', 'preload.cjs', 'renderer/assets/a.js', 'renderer/index.html'];
  assert.deepEqual(buildFiles(d).map((f) => f.path), order);
  const listing = order.map((p) => `${sha256(files[p]!)}  ${p}\n`).join('');
  assert.deepEqual(buildDigest(d), {
    algorithm: 'sha256',
    value: sha256(listing),
    of: 'sha256sum lines of the 6 files of dist/: Z.worker.mjs, cli.mjs, main.mjs, preload.cjs, renderer/ (2 files)',
  });
  // A changed renderer file changes the digest: the whole app is named, not just the CLI.
  writeFileSync(join(d, 'renderer/assets/a.js'), 'b');
  assert.notEqual(buildDigest(d).value, sha256(listing));
});

test('the real dist/ digest is what the documented shell pipeline gives', () => {
  const shell = spawnSync('sh', ['-c', "find . -type f ! -name '*.map' | sed 's|^\\./||' | LC_ALL=C sort | xargs sha256sum | sha256sum"], { cwd: join(ROOT, 'dist'), encoding: 'utf8' });
  assert.equal(shell.status, 0, shell.stderr);
  const d = buildDigest();
  assert.equal(d.value, shell.stdout.split(' ')[0]);
  assert.notEqual(d.value, sha256(''));
  assert.match(d.of, /cli\.mjs, .*main\.mjs, .*preload\.cjs, .*segment\.worker\.mjs/);
});

test('nothing to hash is an error naming the folder or file, never the digest of an empty read', () => {
  assert.throws(() => buildDigest(join(dir, 'absent')), { message: `the build digest cannot be computed: ${join(dir, 'absent')} cannot be read (ENOENT); run \`npm run build\`` });
  const noBundle = join(dir, 'no-bundle');
  mkdirSync(noBundle);
  writeFileSync(join(noBundle, 'index.html'), 'x');
  assert.throws(() => buildDigest(noBundle), { message: `the build digest cannot be computed: ${noBundle} holds no bundle (*.mjs); run \`npm run build\`` });
  const empty = join(dir, 'empty');
  mkdirSync(empty);
  writeFileSync(join(empty, 'cli.mjs'), '');
  assert.throws(() => buildDigest(empty), { message: `the build digest cannot be computed: ${join(empty, 'cli.mjs')} is empty` });
});
