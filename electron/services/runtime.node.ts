// Where the running code lives: from TypeScript sources (tests, tsx) or from the esbuild bundle in dist/.
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker, type WorkerOptions } from 'node:worker_threads';

const fromSource = import.meta.url.endsWith('.ts');

/**
 * Starts a worker thread, e.g. startWorker('segment') for electron/workers/segment.worker.ts.
 * From the bundle it runs dist/segment.worker.mjs; from sources (tests) it first registers tsx in
 * the new thread, because TypeScript loader hooks are not inherited by workers.
 */
export function startWorker(name: string, options: WorkerOptions = {}): Worker {
  if (!fromSource) return new Worker(new URL(`./${name}.worker.mjs`, import.meta.url), options);
  const entry = new URL(`../workers/${name}.worker.ts`, import.meta.url).href;
  const boot = `import('tsx/esm/api').then((api) => { api.register(); return import(${JSON.stringify(entry)}); });`;
  return new Worker(boot, { ...options, eval: true });
}

export function repoRoot(): string {
  return fileURLToPath(new URL(fromSource ? '../../' : '../', import.meta.url));
}

/**
 * A folder the packaged app carries beside app.asar (electron-builder extraResources: fonts, samples,
 * self-test), found from process.resourcesPath in Electron's main process and, in its worker threads
 * (which lack it), as the sibling of the app folder; in a checkout it is resources/<name>.
 */
export function resourceDir(name: string): string {
  const resourcesPath = (process as NodeJS.Process & { resourcesPath?: string }).resourcesPath;
  const root = repoRoot();
  const candidates = [...(resourcesPath ? [join(resourcesPath, name)] : []), join(root, 'resources', name), join(dirname(root), name)];
  return candidates.find((c) => existsSync(c)) ?? join(root, 'resources', name);
}

export const TOOL_NAME = 'sealcheck';
export const TOOL_VERSION = '0.1.0';
