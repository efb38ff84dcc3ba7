// `npm run dist` (on a machine with internet): builds everything, SQLite for Electron's ABI (beside, never over, the Node build), installers with electron-builder, then SHA-256 checksums.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { bindingAbi, checkBinding, electronTarget, ensureElectronBinding } from './electron-sqlite.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
const fail = (message) => {
  console.error(`sealcheck dist: ${message}`);
  process.exit(1);
};
const run = (what, args, env = process.env) => {
  const r = spawnSync(process.execPath, args, { cwd: root, stdio: 'inherit', env });
  if (r.status !== 0) fail(`${what} failed (${r.status === null ? `signal ${r.signal}` : `exit ${r.status}`}); see its output above.`);
};
const args = process.argv.slice(2);

// The native module can be fetched or built for another arch, not for another OS: each OS makes its own installers.
const wanted = { '--linux': 'linux', '-l': 'linux', '--win': 'win32', '-w': 'win32', '--mac': 'darwin', '-m': 'darwin' };
const platforms = new Set(args.filter((a) => a in wanted).map((a) => wanted[a]));
if ([...platforms].some((p) => p !== process.platform)) {
  fail(`installers for ${[...platforms].filter((p) => p !== process.platform).join(', ')} must be made on that OS: the SQLite module is built for the OS it is packed on (${process.platform}).`);
}
const arches = ['x64', 'arm64', 'ia32', 'armv7l'].filter((a) => args.includes(`--${a}`));
if (arches.length > 1) fail(`one arch per run, please (got ${arches.join(', ')}): each needs its own SQLite build.`);
const arch = arches[0] ?? process.arch;

run('the CLI and app bundles (scripts/build.mjs)', ['scripts/build.mjs']);
run('the renderer build (vite)', ['node_modules/vite/bin/vite.js', 'build', '--logLevel', 'warn']);

const target = electronTarget(root, process.platform, arch);
let binding;
try {
  binding = await ensureElectronBinding(root, target);
} catch (e) {
  fail(e instanceof Error ? e.message : String(e));
}
// electron-builder.yml copies this folder's better_sqlite3.node to app.asar.unpacked/native (a path relative to the project).
const env = { ...process.env, SEALCHECK_ELECTRON_SQLITE_DIR: relative(root, dirname(binding)) };
run('electron-builder', ['node_modules/electron-builder/cli.js', '--publish', 'never', ...args], env);

// What was packed must be the Electron build, and node_modules must still hold the Node build (CLI, tests).
const out = join(root, 'out');
const packed = readdirSync(out)
  .map((d) => join(out, d))
  .filter((d) => statSync(d).isDirectory())
  .flatMap((d) => [join(d, 'resources'), ...readdirSync(d).filter((f) => f.endsWith('.app')).map((f) => join(d, f, 'Contents', 'Resources'))])
  .map((r) => join(r, 'app.asar.unpacked', 'native', 'better_sqlite3.node'))
  .filter((f) => existsSync(f));
if (packed.length === 0) fail(`no packed app under ${out} holds app.asar.unpacked/native/better_sqlite3.node; check the files section of electron-builder.yml.`);
for (const f of packed) {
  const wrong = checkBinding(f, target);
  if (wrong) fail(wrong);
}
const nodeBuild = join(root, 'node_modules/better-sqlite3/build/Release/better_sqlite3.node');
const nodeAbi = existsSync(nodeBuild) ? bindingAbi(nodeBuild) : null;
if (nodeAbi !== process.versions.modules) fail(`${nodeBuild} is built for ABI ${nodeAbi ?? '(none)'}, not Node ${process.versions.node}'s ${process.versions.modules}; run \`npm rebuild better-sqlite3\` (something rebuilt it in place).`);

const lines = readdirSync(out)
  .filter((f) => statSync(join(out, f)).isFile() && /\.(AppImage|deb|exe|dmg)$/.test(f))
  .map((f) => `${createHash('sha256').update(readFileSync(join(out, f))).digest('hex')}  ${f}`);
writeFileSync(join(out, 'SHA256SUMS'), `${lines.join('\n')}\n`);
console.log(`installers and out/SHA256SUMS:\n${lines.join('\n')}`);
