// Fails when a file imports across a layer boundary (STYLE.md): shared/ is pure, renderer/ has no Node or Electron.
import { builtinModules } from 'node:module';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const builtins = new Set(builtinModules.flatMap((m) => [m, `node:${m}`]));

const rules = {
  shared: { forbidNode: true, forbid: ['electron', 'react', 'react-dom', 'better-sqlite3'], forbidDirs: ['electron', 'renderer'] },
  renderer: { forbidNode: true, forbid: ['electron', 'better-sqlite3'], forbidDirs: ['electron'] },
  electron: { forbidNode: false, forbid: ['react', 'react-dom'], forbidDirs: ['renderer'] },
};

function* files(dir) {
  for (const name of readdirSync(dir)) {
    if (name === 'node_modules' || name.startsWith('.')) continue;
    const p = join(dir, name);
    if (statSync(p).isDirectory()) yield* files(p);
    else if (/\.(ts|tsx|mts|mjs|js)$/.test(name)) yield p;
  }
}

const IMPORT = /(?:^|[^\w.])(?:import|export)\s[^'"]*?from\s*['"]([^'"]+)['"]|(?:^|[^\w.])import\s*\(\s*['"]([^'"]+)['"]\s*\)|(?:^|[^\w.])import\s+['"]([^'"]+)['"]|(?:^|[^\w.])require\s*\(\s*['"]([^'"]+)['"]\s*\)/gm;

const problems = [];
for (const [layer, rule] of Object.entries(rules)) {
  const dir = join(root, layer);
  try {
    statSync(dir);
  } catch {
    continue;
  }
  for (const file of files(dir)) {
    const text = readFileSync(file, 'utf8');
    for (const m of text.matchAll(IMPORT)) {
      const spec = m[1] ?? m[2] ?? m[3] ?? m[4];
      const line = text.slice(0, m.index).split('\n').length + (m[0].startsWith('\n') ? 1 : 0);
      const at = `${relative(root, file)}:${line}`;
      const pkg = spec.startsWith('@') ? spec.split('/').slice(0, 2).join('/') : spec.split('/')[0];
      if (rule.forbidNode && (spec.startsWith('node:') || builtins.has(pkg))) problems.push(`${at}: ${layer}/ must not import Node built-in '${spec}'`);
      if (rule.forbid.includes(pkg)) problems.push(`${at}: ${layer}/ must not import '${spec}'`);
      if (spec.startsWith('.')) {
        const target = relative(root, resolve(join(file, '..'), spec)).split(sep)[0];
        if (rule.forbidDirs.includes(target)) problems.push(`${at}: ${layer}/ must not import from ${target}/ ('${spec}')`);
      }
    }
  }
}
if (problems.length) {
  console.error(`layer lint: ${problems.length} forbidden import${problems.length === 1 ? '' : 's'}\n${problems.join('\n')}`);
  process.exit(1);
}
console.log('layer lint: no forbidden imports');
