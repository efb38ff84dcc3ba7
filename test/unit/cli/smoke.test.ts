// `npm run smoke` (scripts/smoke.mjs) in a stand-in checkout: exit 4 without the Electron runtime; with a stand-in runtime and packer, it runs the packed app's --self-test and follows its result.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmod, copyFile, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
let dir = '';
let n = 0;

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sealcheck-smoke-test-'));
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** A checkout holding only scripts/smoke.mjs, node_modules/electron and, when given, a stand-in scripts/package.mjs. */
async function checkout(options: { runtime: boolean; packer?: string }): Promise<string> {
  const root = join(dir, `checkout-${++n}`);
  await mkdir(join(root, 'scripts'), { recursive: true });
  await mkdir(join(root, 'node_modules/electron'), { recursive: true });
  await copyFile(join(ROOT, 'scripts/smoke.mjs'), join(root, 'scripts/smoke.mjs'));
  if (options.runtime) {
    await writeFile(join(root, 'node_modules/electron/path.txt'), 'electron');
    await mkdir(join(root, 'node_modules/electron/dist'));
    await writeFile(join(root, 'node_modules/electron/dist/electron'), '');
  }
  if (options.packer) await writeFile(join(root, 'scripts/package.mjs'), options.packer);
  return root;
}

const smoke = (root: string, env: NodeJS.ProcessEnv = {}) => {
  const r = spawnSync(process.execPath, [join(root, 'scripts/smoke.mjs')], { cwd: root, encoding: 'utf8', env: { ...process.env, ...env } });
  return { code: r.status, out: r.stdout, err: r.stderr };
};

/** A packer that leaves out/linux-unpacked/sealcheck: a stand-in app that logs its arguments and writes a record with passed = $FAKE_PASS. */
const PACKER = `import { mkdirSync, writeFileSync, chmodSync } from 'node:fs';
if (process.argv[2] !== '--dir') process.exit(9);
mkdirSync('out/linux-unpacked', { recursive: true });
const app = 'out/linux-unpacked/sealcheck';
writeFileSync(app, \`#!\${process.execPath}
const fs = require('fs');
const a = process.argv.slice(2);
fs.writeFileSync(__dirname + '/args.json', JSON.stringify(a));
const pass = process.env.FAKE_PASS === '1';
fs.writeFileSync(a[a.indexOf('--out') + 1], JSON.stringify({ passed: pass }));
process.exit(pass ? 0 : 1);
\`);
chmodSync(app, 0o755);
`;

test('without the Electron runtime it says so in one sentence and exits 4, packing nothing', async () => {
  const root = await checkout({ runtime: false, packer: 'process.exit(9);' });
  const r = smoke(root);
  assert.equal(r.code, 4);
  assert.equal(r.out, '');
  assert.equal(r.err, 'sealcheck smoke: the Electron runtime is not installed on this machine (no downloaded binary in node_modules/electron), so the app cannot be packed and started here; run `npm ci && npm run smoke` on a connected machine, and `sealcheck self-test` here (exit 4).\n');
});

test('with a runtime it packs with --dir and runs the packed app with --self-test --out, exiting 0 only when it passed', { skip: process.platform !== 'linux' }, async () => {
  const root = await checkout({ runtime: true, packer: PACKER });
  const ok = smoke(root, { FAKE_PASS: '1' });
  assert.equal(ok.code, 0, ok.err + ok.out);
  const args = JSON.parse(await readFile(join(root, 'out/linux-unpacked/args.json'), 'utf8')) as string[];
  const selfTest = args.slice(args.indexOf('--self-test'));
  assert.equal(selfTest.length, 3);
  assert.equal(selfTest[1], '--out');
  assert.match(selfTest[2]!, /sealcheck-smoke-.*\/self-test\.json$/);
  assert.match(ok.out, new RegExp(`sealcheck smoke: PASSED: the packed app ${join(root, 'out/linux-unpacked/sealcheck')} verified every bundled case as expected; record .*self-test\\.json\\n$`));

  const bad = smoke(root, { FAKE_PASS: '0' });
  assert.equal(bad.code, 1);
  assert.match(bad.err, /^sealcheck smoke: the packed app's self-test FAILED \(exit 1, record says passed=false\); record .*self-test\.json\n$/);
});

test('a failed packing or an ambiguous out/ folder exits 1 with the reason', { skip: process.platform !== 'linux' }, async () => {
  const broken = await checkout({ runtime: true, packer: 'process.exit(3);' });
  const r = smoke(broken);
  assert.equal(r.code, 1);
  assert.equal(r.err, 'sealcheck smoke: packing the app failed (exit 3); see the output above.\n');

  const two = await checkout({ runtime: true, packer: PACKER });
  await mkdir(join(two, 'out/linux-arm64-unpacked'), { recursive: true });
  await writeFile(join(two, 'out/linux-arm64-unpacked/sealcheck'), '');
  await chmod(join(two, 'out/linux-arm64-unpacked/sealcheck'), 0o755);
  const t = smoke(two, { FAKE_PASS: '1' });
  assert.equal(t.code, 1);
  assert.match(t.err, /^sealcheck smoke: expected one packed app under out\/, found .*linux-arm64-unpacked\/sealcheck, .*linux-unpacked\/sealcheck; remove old builds from out\/ and run again\.\n$/);
});
