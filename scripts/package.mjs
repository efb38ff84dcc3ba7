// `npm run dist` (on a machine with internet): builds everything, then installers with electron-builder, then SHA-256 checksums of them.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const run = (args) => {
  const r = spawnSync(process.execPath, args, { cwd: root, stdio: 'inherit' });
  if (r.status !== 0) process.exit(r.status ?? 1);
};
run(['scripts/build.mjs']);
run(['node_modules/vite/bin/vite.js', 'build', '--logLevel', 'warn']);
run(['node_modules/electron-builder/cli.js', '--publish', 'never', ...process.argv.slice(2)]);
const out = join(root, 'out');
const lines = readdirSync(out)
  .filter((f) => statSync(join(out, f)).isFile() && /\.(AppImage|deb|exe|dmg)$/.test(f))
  .map((f) => `${createHash('sha256').update(readFileSync(join(out, f))).digest('hex')}  ${f}`);
writeFileSync(join(out, 'SHA256SUMS'), `${lines.join('\n')}\n`);
console.log(`installers and out/SHA256SUMS:\n${lines.join('\n')}`);
