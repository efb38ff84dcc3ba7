// `npm run smoke`: packs the unpacked app (`npm run dist -- --dir`, i.e. electron-builder --dir) and runs its `--self-test`: the one command that says whether this build works, on a machine with the Electron runtime.
//
// Exit codes: 0 the packaged app passed its self-test; 1 packaging failed, the app did not start, or a
// case did not give its expected result; 4 the Electron runtime is not installed here, so nothing was
// packed or run (a build machine without it, an air-gapped workstation: use `sealcheck self-test`).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const NO_RUNTIME = 4;
const root = fileURLToPath(new URL('..', import.meta.url));
const fail = (message) => {
  console.error(`sealcheck smoke: ${message}`);
  process.exit(1);
};

// The electron package keeps the runtime's path in path.txt once it has downloaded it (npm ci on a connected machine).
const electronDir = join(root, 'node_modules/electron');
const pathFile = join(electronDir, 'path.txt');
const runtime = existsSync(pathFile) ? join(electronDir, 'dist', readFileSync(pathFile, 'utf8').trim()) : null;
if (!runtime || !existsSync(runtime)) {
  console.error(`sealcheck smoke: the Electron runtime is not installed on this machine (no downloaded binary in node_modules/electron), so the app cannot be packed and started here; run \`npm ci && npm run smoke\` on a connected machine, and \`sealcheck self-test\` here (exit ${NO_RUNTIME}).`);
  process.exit(NO_RUNTIME);
}

// The same path as `npm run dist` (bundles, renderer, SQLite for Electron's ABI, electron-builder, fuses), unpacked only.
const packed = spawnSync(process.execPath, [join(root, 'scripts/package.mjs'), '--dir'], { cwd: root, stdio: 'inherit' });
if (packed.status !== 0) fail(`packing the app failed (${packed.status === null ? `signal ${packed.signal}` : `exit ${packed.status}`}); see the output above.`);

/** The packed executable: out/*-unpacked/sealcheck (Linux), out/win*-unpacked/Sealcheck.exe, out/mac*\/Sealcheck.app/Contents/MacOS/Sealcheck. */
function findExecutable(out) {
  const found = [];
  for (const d of existsSync(out) ? readdirSync(out) : []) {
    const dir = join(out, d);
    if (!statSync(dir).isDirectory()) continue;
    for (const name of ['sealcheck', 'Sealcheck', 'Sealcheck.exe']) if (existsSync(join(dir, name)) && statSync(join(dir, name)).isFile()) found.push(join(dir, name));
    for (const app of readdirSync(dir).filter((f) => f.endsWith('.app'))) {
      const exe = join(dir, app, 'Contents', 'MacOS', 'Sealcheck');
      if (existsSync(exe)) found.push(exe);
    }
  }
  return found;
}
const executables = findExecutable(join(root, 'out'));
if (executables.length !== 1) fail(`expected one packed app under out/, found ${executables.length ? executables.join(', ') : 'none'}; remove old builds from out/ and run again.`);
const exe = executables[0];

const record = join(mkdtempSync(join(tmpdir(), 'sealcheck-smoke-')), 'self-test.json');
let command = exe;
let args = ['--self-test', '--out', record];
if (process.platform === 'linux') {
  // Chromium refuses to run as root with its sandbox on (containers, CI); the self-test opens no window or web page.
  if (process.getuid?.() === 0) args = ['--no-sandbox', ...args];
  // Electron needs a display server even without a window; a headless machine gets a virtual one when xvfb-run exists.
  if (!process.env.DISPLAY && !process.env.WAYLAND_DISPLAY && spawnSync('xvfb-run', ['--help'], { stdio: 'ignore' }).status === 0) {
    args = ['-a', exe, ...args];
    command = 'xvfb-run';
  }
}
console.log(`sealcheck smoke: ${[command, ...args].join(' ')}`);
const r = spawnSync(command, args, { cwd: root, stdio: 'inherit', timeout: 300_000 });
if (r.error) fail(`could not start ${exe}: ${r.error.message}`);
if (!existsSync(record)) fail(`${exe} --self-test wrote no record (${r.status === null ? `signal ${r.signal}` : `exit ${r.status}`}); the app did not get as far as running the cases.`);
const passed = JSON.parse(readFileSync(record, 'utf8')).passed === true;
if (r.status === 0 && passed) {
  console.log(`sealcheck smoke: PASSED: the packed app ${exe} verified every bundled case as expected; record ${record}`);
  process.exit(0);
}
fail(`the packed app's self-test FAILED (exit ${r.status}, record says passed=${passed}); record ${record}`);
