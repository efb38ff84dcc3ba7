// The session's offline rule: no request leaves the app, no permission is granted; the app's own app:// content always passes.
import type { Session } from 'electron';
import { APP_SCHEME } from './app-protocol.ts';

/**
 * Whether a request may proceed. Only app: passes (its handler answers 404 for any host but the app's own). file: is
 * cancelled on purpose: nothing is served from file:// any more, and net.fetch/loadURL of a file: URL would otherwise
 * read any file on the disk. devtools: is allowed only in a development build, where DevTools exist at all.
 */
export function allowedRequest(url: string, packaged: boolean): boolean {
  let scheme: string;
  try {
    scheme = new URL(url).protocol;
  } catch {
    return false;
  }
  return scheme === `${APP_SCHEME}:` || (!packaged && scheme === 'devtools:');
}

export function enforceOffline(session: Session, packaged: boolean, log: (message: string) => void): void {
  session.webRequest.onBeforeRequest((details, callback) => {
    const allow = allowedRequest(details.url, packaged);
    if (!allow) log(`cancelled a request to ${details.url}`);
    callback({ cancel: !allow });
  });
  session.setPermissionRequestHandler((_contents, _permission, callback) => callback(false));
  session.setPermissionCheckHandler(() => false);
}
