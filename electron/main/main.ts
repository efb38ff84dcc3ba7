// Electron main process: app lifecycle, the one window with every security default, the app:// protocol, IPC to the handler table.
import { app, BrowserWindow, dialog, ipcMain, net, protocol, session, shell, type IpcMainInvokeEvent } from 'electron';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { CONTENT_SECURITY_POLICY, type ApiEventName, type ApiEvents } from '../../shared/api.ts';
import { createHandlers, dispatch } from '../services/api/handlers.node.ts';
import { safeJoin } from '../services/api/bridge.node.ts';

const RENDERER_DIR = join(import.meta.dirname, 'renderer');
const PRELOAD = join(import.meta.dirname, 'preload.cjs');
const log = (message: string) => process.stderr.write(`[main] ${message}\n`);

protocol.registerSchemesAsPrivileged([{ scheme: 'app', privileges: { standard: true, secure: true, supportFetchAPI: true } }]);

let window: BrowserWindow | null = null;

function emit<E extends ApiEventName>(event: E, payload: ApiEvents[E]): void {
  window?.webContents.send(`event:${event}`, payload);
}

async function createWindow(): Promise<void> {
  window = new BrowserWindow({
    width: 1440,
    height: 900,
    title: 'Sealcheck',
    show: false,
    webPreferences: {
      preload: PRELOAD,
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webviewTag: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      experimentalFeatures: false,
      spellcheck: false,
    },
  });
  const contents = window.webContents;
  contents.setWindowOpenHandler(() => ({ action: 'deny' }));
  contents.on('will-navigate', (e) => e.preventDefault());
  contents.on('will-redirect', (e) => e.preventDefault());
  contents.on('will-attach-webview', (e) => e.preventDefault());
  window.once('ready-to-show', () => window?.show());
  await window.loadURL('app://sealcheck/index.html');
}

/** IPC is answered only for the app's own main frame, loaded from app://. */
function fromOwnFrame(event: IpcMainInvokeEvent): boolean {
  const frame = event.senderFrame;
  return window !== null && event.sender === window.webContents && frame !== null && frame === window.webContents.mainFrame && frame.url.startsWith('app://sealcheck/');
}

app.enableSandbox();
app.on('web-contents-created', (_e, contents) => {
  contents.setWindowOpenHandler(() => ({ action: 'deny' }));
  contents.on('will-navigate', (e) => e.preventDefault());
});

app.whenReady().then(async () => {
  const s = session.defaultSession;
  // Offline by design: every request that is not the app's own content is cancelled.
  s.webRequest.onBeforeRequest((details, callback) => callback({ cancel: !details.url.startsWith('app://') && !details.url.startsWith('devtools://') }));
  s.setPermissionRequestHandler((_wc, _permission, callback) => callback(false));
  s.setPermissionCheckHandler(() => false);
  s.webRequest.onHeadersReceived((details, callback) => callback({ responseHeaders: { ...details.responseHeaders, 'Content-Security-Policy': [CONTENT_SECURITY_POLICY] } }));

  protocol.handle('app', async (request) => {
    const url = new URL(request.url);
    const file = url.host === 'sealcheck' ? safeJoin(RENDERER_DIR, url.pathname) : null;
    if (!file) return new Response('not found', { status: 404 });
    const response = await net.fetch(pathToFileURL(file).toString());
    const headers = new Headers(response.headers);
    headers.set('Content-Security-Policy', CONTENT_SECURITY_POLICY);
    return new Response(response.body, { status: response.status, headers });
  });

  const handlers = createHandlers({
    casesRoot: join(app.getPath('documents'), 'Sealcheck cases'),
    stateDir: app.getPath('userData'),
    emit,
    pickPath: async (purpose) => {
      const r = await dialog.showOpenDialog(window!, {
        properties: purpose === 'archive-folder' ? ['openDirectory'] : ['openFile'],
        title: { 'archive-file': 'Open an archive (.tar, .tar.gz)', 'archive-folder': 'Open an archive folder', key: 'Import a key file', anchor: 'Import an anchor checkpoint' }[purpose],
      });
      return r.canceled ? null : (r.filePaths[0] ?? null);
    },
  });
  ipcMain.handle('api', async (event, method: unknown, args: unknown) => {
    if (!fromOwnFrame(event)) {
      log(`refused an IPC call from ${event.senderFrame?.url ?? 'an unknown frame'}`);
      return { ok: false, error: { code: 'forbidden', message: 'not the app window' } };
    }
    return dispatch(handlers, method, args);
  });
  app.on('before-quit', () => handlers.close());
  await createWindow();
});

app.on('window-all-closed', () => app.quit());
void shell; // external links are never opened: the app is offline
