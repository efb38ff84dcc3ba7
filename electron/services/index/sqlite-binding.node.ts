// Which better_sqlite3.node a process loads: node_modules' own build is for Node's ABI (CLI, tests), Electron needs one built for its ABI.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { repoRoot } from '../runtime.node.ts';

/** Set by `npm start` (and by the main process for its workers, which inherit the environment). */
export const SQLITE_BINDING_ENV = 'SEALCHECK_SQLITE_BINDING';

/** Where `npm start` / `npm run dist` keep the Electron-ABI build: one folder per Electron version, ABI, platform and arch. */
export function electronBindingCachePath(root: string, t: { electron: string; abi: string; platform: string; arch: string }): string {
  return join(root, '.cache', 'electron-sqlite', `${t.electron}-${t.abi}-${t.platform}-${t.arch}`, 'better_sqlite3.node');
}

/** In the packaged app the Electron-ABI build is unpacked from app.asar (see electron-builder.yml). */
export function packagedBindingPath(resourcesPath: string): string {
  return join(resourcesPath, 'app.asar.unpacked', 'native', 'better_sqlite3.node');
}

let resolved: { path: string | undefined } | null = null;

/**
 * The nativeBinding path for better-sqlite3, or undefined under plain Node (node_modules' own build).
 * Under Electron the path is decided once and written to the environment, so worker threads started
 * later load the same file (process.resourcesPath and process.defaultApp exist only in the main process).
 */
export function sqliteBinding(): string | undefined {
  if (resolved) return resolved.path;
  let path = process.env[SQLITE_BINDING_ENV] || undefined;
  const electron = process.versions.electron;
  if (!path && electron) {
    const p = process as NodeJS.Process & { resourcesPath?: string; defaultApp?: boolean };
    path = p.resourcesPath && !p.defaultApp
      ? packagedBindingPath(p.resourcesPath)
      : electronBindingCachePath(repoRoot(), { electron, abi: process.versions.modules, platform: process.platform, arch: process.arch });
    process.env[SQLITE_BINDING_ENV] = path;
  }
  if (path && !existsSync(path)) {
    throw new Error(`${path}: the SQLite module built for this Electron (ABI ${process.versions.modules}) is missing; run \`npm start\` or \`npm run dist\` on a connected machine to build it`);
  }
  resolved = { path };
  return path;
}

/** For tests: forget the decision, so a changed environment is read again. */
export function resetSqliteBinding(): void {
  resolved = null;
}

/**
 * Every SQLite database of the app is opened here (case databases through openCaseDatabase), so no
 * process can load node_modules' Node build where Electron needs its own: a test keeps it that way.
 */
export function openSqlite(path: string, options: Database.Options = {}): Database.Database {
  const nativeBinding = sqliteBinding();
  return new Database(path, nativeBinding ? { ...options, nativeBinding } : options);
}
