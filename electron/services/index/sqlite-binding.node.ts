// Which better_sqlite3.node a process loads: node_modules' own build is for Node's ABI (CLI, tests), Electron needs one built for its ABI.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { isMainThread } from 'node:worker_threads';
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

export interface BindingRuntime {
  configured: string | undefined;
  /** process.versions.electron */
  electron: string | undefined;
  abi: string;
  platform: string;
  arch: string;
  mainThread: boolean;
  /** process.resourcesPath and process.defaultApp: Electron sets them in the main process only. */
  resourcesPath: string | undefined;
  defaultApp: boolean | undefined;
  root: string;
}

/** Which binding a process should load: the configured one; else, in Electron's main process, the packaged or the cached build. */
export function bindingFor(rt: BindingRuntime): string | undefined {
  if (rt.configured || !rt.electron || !rt.mainThread) return rt.configured || undefined;
  return rt.resourcesPath && !rt.defaultApp
    ? packagedBindingPath(rt.resourcesPath)
    : electronBindingCachePath(rt.root, { electron: rt.electron, abi: rt.abi, platform: rt.platform, arch: rt.arch });
}

/** bindingFor() this process, written to the environment so that worker threads started later inherit it. */
function decide(): string | undefined {
  const p = process as NodeJS.Process & { resourcesPath?: string; defaultApp?: boolean };
  const path = bindingFor({
    configured: process.env[SQLITE_BINDING_ENV], electron: process.versions.electron, abi: process.versions.modules, platform: process.platform,
    arch: process.arch, mainThread: isMainThread, resourcesPath: p.resourcesPath, defaultApp: p.defaultApp, root: repoRoot(),
  });
  if (path) process.env[SQLITE_BINDING_ENV] = path;
  return path;
}

// Decided when the main process loads this module, before it starts any worker: a worker gets a copy
// of the environment when it starts, and has neither process.resourcesPath nor process.defaultApp.
if (process.versions.electron && isMainThread) decide();

/**
 * The nativeBinding path for better-sqlite3, or undefined under plain Node (node_modules' own build).
 * A missing file is an error here, in one sentence, rather than better-sqlite3's list of tried paths.
 */
export function sqliteBinding(): string | undefined {
  if (resolved) return resolved.path;
  const path = decide();
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
