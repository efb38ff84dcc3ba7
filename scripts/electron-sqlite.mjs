// The better-sqlite3 build for Electron's ABI, kept beside (never in place of) node_modules' Node build: located, checked, built once.
import { cpSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, sep } from 'node:path';

/**
 * The Electron this checkout runs and packs: its version and NODE_MODULE_VERSION (node_modules/electron/abi_version).
 * @param {string} root the checkout
 * @returns {{ electron: string, abi: string, platform: string, arch: string }}
 */
export function electronTarget(root, platform = process.platform, arch = process.arch) {
  const dir = join(root, 'node_modules', 'electron');
  const read = (name) => {
    try {
      return readFileSync(join(dir, name), 'utf8').trim();
    } catch {
      throw new Error(`${join(dir, name)} cannot be read: the electron package is not installed; run \`npm ci\``);
    }
  };
  return { electron: JSON.parse(read('package.json')).version, abi: read('abi_version'), platform, arch };
}

/** Must name the same file as electronBindingCachePath() in electron/services/index/sqlite-binding.node.ts. */
export function bindingCachePath(root, t) {
  return join(root, '.cache', 'electron-sqlite', `${t.electron}-${t.abi}-${t.platform}-${t.arch}`, 'better_sqlite3.node');
}

/**
 * The NODE_MODULE_VERSION a native module was built for, read from the name of its registration
 * symbol (node_register_module_v<ABI>, which Node and Electron check when loading it); null if none.
 */
export function bindingAbi(file) {
  const m = /node_register_module_v(\d+)/.exec(readFileSync(file).toString('latin1'));
  return m ? m[1] : null;
}

/**
 * Null when `file` is a module built for ABI `t.abi`, else one sentence saying what is wrong and what to do.
 * @param {string} file
 * @param {{ electron: string, abi: string }} t
 */
export function checkBinding(file, t) {
  const rebuild = 'run `npm start` or `npm run dist` on a connected machine to build it';
  if (!existsSync(file)) return `${file}: there is no better-sqlite3 build for Electron ${t.electron} (ABI ${t.abi}); ${rebuild}.`;
  const abi = bindingAbi(file);
  if (abi === null) return `${file} is not a Node native module (it has no node_register_module symbol); delete it and ${rebuild}.`;
  if (abi !== t.abi) {
    const whose = abi === process.versions.modules ? ` (Node ${process.versions.node}'s)` : '';
    return `${file} is built for ABI ${abi}${whose} but Electron ${t.electron} needs ABI ${t.abi}; delete it and ${rebuild}.`;
  }
  return null;
}

/**
 * Builds better-sqlite3 for Electron into the cache folder once (a prebuilt binary when one is published,
 * else from source with Electron's headers), from a copy of node_modules/better-sqlite3 so the Node build
 * that the CLI and the tests load is never touched. Returns the path; throws one sentence on failure.
 */
export async function ensureElectronBinding(root, t, log = (s) => console.error(s)) {
  const target = bindingCachePath(root, t);
  if (checkBinding(target, t) === null) return target;
  const stage = join(dirname(target), 'stage');
  rmSync(stage, { recursive: true, force: true });
  const source = join(root, 'node_modules', 'better-sqlite3');
  const moduleDir = join(stage, 'node_modules', 'better-sqlite3');
  const version = JSON.parse(readFileSync(join(source, 'package.json'), 'utf8')).version;
  const nodeBuild = join(source, 'build');
  cpSync(source, moduleDir, { recursive: true, filter: (p) => p !== nodeBuild && !p.startsWith(nodeBuild + sep) });
  writeFileSync(join(stage, 'package.json'), JSON.stringify({ name: 'sealcheck-electron-sqlite', private: true, dependencies: { 'better-sqlite3': version } }));
  log(`sealcheck: building better-sqlite3 ${version} for Electron ${t.electron} (ABI ${t.abi}, ${t.platform}-${t.arch}) into ${dirname(target)}`);
  try {
    const { rebuild } = await import('@electron/rebuild');
    await rebuild({ buildPath: stage, electronVersion: t.electron, arch: t.arch, onlyModules: ['better-sqlite3'], force: true, mode: 'sequential' });
    const built = join(moduleDir, 'build', 'Release', 'better_sqlite3.node');
    if (!existsSync(built)) throw new Error(`${built} was not produced`);
    mkdirSync(dirname(target), { recursive: true });
    cpSync(built, target);
  } catch (e) {
    const why = (e instanceof Error ? e.message : String(e)).split('\n')[0];
    throw new Error(`could not build better-sqlite3 for Electron ${t.electron} (ABI ${t.abi}): ${why} (this needs a connected machine, for Electron's headers or a prebuilt binary, and a C++ toolchain)`);
  } finally {
    rmSync(stage, { recursive: true, force: true });
  }
  const wrong = checkBinding(target, t);
  if (wrong) throw new Error(wrong);
  return target;
}
