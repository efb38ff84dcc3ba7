// `npm start`: builds the app, makes sure SQLite is built for Electron's ABI, and opens it in Electron; anything missing is said in one sentence.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { bindingCachePath, checkBinding, electronTarget, ensureElectronBinding } from './electron-sqlite.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
const run = (cmd, args) => spawnSync(cmd, args, { cwd: root, stdio: 'inherit' }).status === 0;

if (!run(process.execPath, ['scripts/build.mjs']) || !run(process.execPath, ['node_modules/vite/bin/vite.js', 'build', '--logLevel', 'warn'])) process.exit(1);

const electronDir = join(root, 'node_modules/electron');
const binary = () => {
  const pathFile = join(electronDir, 'path.txt');
  if (!existsSync(pathFile)) return null;
  const p = join(electronDir, 'dist', readFileSync(pathFile, 'utf8').trim());
  return existsSync(p) ? p : null;
};
// The electron package downloads its runtime on first use; on an air-gapped machine that fails.
if (!binary()) spawnSync(process.execPath, [join(electronDir, 'install.js')], { cwd: electronDir, stdio: 'ignore', timeout: 600_000 });
const electron = binary();
if (!electron) {
  console.error('sealcheck: the Electron runtime is not installed and could not be downloaded on this machine; run `npm start` where it can be (or install a packaged build), and use `npm run demo` or the `sealcheck` command line here.');
  process.exit(1);
}
// node_modules/better-sqlite3 stays built for Node (CLI, tests); Electron loads its own build through nativeBinding.
const target = electronTarget(root);
const sqlite = bindingCachePath(root, target);
if (checkBinding(sqlite, target) !== null) {
  try {
    await ensureElectronBinding(root, target);
  } catch (e) {
    console.error(`sealcheck: ${e instanceof Error ? e.message : String(e)}`);
    process.exit(1);
  }
}
// Checked here, before a window opens: a wrong ABI would only fail at the first case database.
const wrong = checkBinding(sqlite, target);
if (wrong) {
  console.error(`sealcheck: ${wrong}`);
  process.exit(1);
}
process.exit(spawnSync(electron, ['.'], { cwd: root, stdio: 'inherit', env: { ...process.env, SEALCHECK_SQLITE_BINDING: sqlite } }).status ?? 1);
