// Where the running code lives: from TypeScript sources (tests, tsx) or from the esbuild bundle in dist/.
import { fileURLToPath } from 'node:url';

const fromSource = import.meta.url.endsWith('.ts');

/** URL of a worker entry point, e.g. workerUrl('segment') for electron/workers/segment.worker.ts. */
export function workerUrl(name: string): URL {
  return fromSource ? new URL(`../workers/${name}.worker.ts`, import.meta.url) : new URL(`./${name}.worker.mjs`, import.meta.url);
}

export function repoRoot(): string {
  return fileURLToPath(new URL(fromSource ? '../../' : '../', import.meta.url));
}

export const TOOL_NAME = 'sealcheck';
export const TOOL_VERSION = '0.1.0';
