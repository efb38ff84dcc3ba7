// The app:// scheme: registered as privileged before `ready`, then answered by reading the built renderer from disk (or app.asar).
import type { Protocol } from 'electron';
import { readStatic } from '../services/api/static-files.node.ts';

export const APP_SCHEME = 'app';
export const APP_HOST = 'sealcheck';
export const APP_ORIGIN = `${APP_SCHEME}://${APP_HOST}`;
export const START_URL = `${APP_ORIGIN}/index.html`;

/** Must run before `ready` (protocol.registerSchemesAsPrivileged throws afterwards, electron_api_protocol.cc). */
export function registerAppScheme(protocol: Protocol): void {
  // standard: relative URLs resolve and the page gets a real origin; secure: a secure context; supportFetchAPI: fetch() of own assets.
  protocol.registerSchemesAsPrivileged([{ scheme: APP_SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: true } }]);
}

const notFound = () => new Response('not found', { status: 404, headers: { 'Content-Type': 'text/plain; charset=utf-8', 'X-Content-Type-Options': 'nosniff' } });

/**
 * The protocol handler. It reads the file itself instead of calling net.fetch(file://…): since Electron 42, net.fetch runs
 * the session's webRequest handlers, and the offline rule cancels file: URLs, which left the window blank. Never throws.
 */
export function appProtocolHandler(rendererDir: string): (request: Request) => Promise<Response> {
  return async (request) => {
    try {
      const url = new URL(request.url);
      if (url.protocol !== `${APP_SCHEME}:` || url.host !== APP_HOST || (request.method !== 'GET' && request.method !== 'HEAD')) return notFound();
      const answer = await readStatic(rendererDir, url.pathname);
      return new Response(request.method === 'HEAD' ? null : answer.body, { status: answer.status, headers: answer.headers });
    } catch {
      return notFound();
    }
  };
}
