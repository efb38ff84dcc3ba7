// `npm start`: builds the app and opens it in Electron; where the Electron runtime is missing, says so in one sentence.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
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
process.exit(spawnSync(electron, ['.'], { cwd: root, stdio: 'inherit' }).status ?? 1);
