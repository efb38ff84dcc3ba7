// The built renderer's files as answers for the app:// protocol and the UI-test bridge: one content-type table, one path guard, 404 for anything else.
import { readFile } from 'node:fs/promises';
import { extname, join, normalize, resolve, sep } from 'node:path';
import { CONTENT_SECURITY_POLICY } from '../../../shared/api.ts';

/** Every file type the renderer build emits; anything else is served as bytes the page cannot run (with nosniff). */
export const CONTENT_TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json',
  '.woff2': 'font/woff2',
  '.woff': 'font/woff',
  '.ttf': 'font/ttf',
  '.map': 'application/json',
};

export function contentTypeOf(file: string): string {
  return CONTENT_TYPES[extname(file).toLowerCase()] ?? 'application/octet-stream';
}

/** Resolves a URL path inside `root`, or null when it would leave it, carries a NUL, or is not valid percent-encoding. */
export function safeJoin(root: string, urlPath: string): string | null {
  const base = resolve(root);
  let decoded: string;
  try {
    decoded = decodeURIComponent(urlPath.split('?')[0]!.split('#')[0]!);
  } catch {
    return null;
  }
  // A backslash is a separator on Windows: `..\` must not slip past the check below there.
  if (decoded.includes('\0') || decoded.includes('\\')) return null;
  const full = normalize(join(base, decoded === '/' || decoded === '' ? 'index.html' : decoded));
  return full.startsWith(base.endsWith(sep) ? base : base + sep) ? full : null;
}

export interface StaticAnswer {
  status: 200 | 404;
  headers: Record<string, string>;
  body: Uint8Array<ArrayBuffer> | null;
}

const NOT_FOUND: StaticAnswer = { status: 404, headers: { 'Content-Type': 'text/plain; charset=utf-8', 'X-Content-Type-Options': 'nosniff' }, body: null };

/**
 * Reads one renderer file. `readFile` of node:fs is asar-aware inside Electron, so this serves from app.asar as
 * well as from a folder. Never throws: directories, missing files and unreadable paths are all 404.
 */
export async function readStatic(root: string, urlPath: string): Promise<StaticAnswer> {
  const file = safeJoin(root, urlPath);
  if (!file) return NOT_FOUND;
  try {
    const body = new Uint8Array(await readFile(file));
    return {
      status: 200,
      headers: { 'Content-Type': contentTypeOf(file), 'Content-Security-Policy': CONTENT_SECURITY_POLICY, 'X-Content-Type-Options': 'nosniff' },
      body,
    };
  } catch {
    return NOT_FOUND;
  }
}
