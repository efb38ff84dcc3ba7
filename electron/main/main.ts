// Electron main process: the start-up sequence (privileged scheme, single instance, session, protocol, IPC, menu, window) and its one error path.
import { app, BrowserWindow, dialog, ipcMain, Menu, protocol, session, shell, type IpcMainInvokeEvent } from 'electron';
import { existsSync } from 'node:fs';
import { isAbsolute, join } from 'node:path';
import type { ApiEventName, ApiEvents } from '../../shared/api.ts';
import { createHandlers, dispatch } from '../services/api/handlers.node.ts';
import { APP_ORIGIN, APP_SCHEME, appProtocolHandler, registerAppScheme } from './app-protocol.ts';
import { menuTemplate } from './menu.ts';
import { enforceOffline } from './offline.ts';
import { parseSelfTestArgs, runHeadlessSelfTest, validateInstallation } from './self-test.ts';
import { openMainWindow } from './window.ts';

const RENDERER_DIR = join(import.meta.dirname, 'renderer');
const PRELOAD = join(import.meta.dirname, 'preload.cjs');
const log = (message: string) => process.stderr.write(`[main] ${message}\n`);

let window: BrowserWindow | null = null;

/** One sentence to the examiner and a non-zero exit: never Electron's raw "JavaScript error in the main process" box, never a silent nothing. */
function failStart(e: unknown): void {
  const message = e instanceof Error ? e.message : String(e);
  log(`could not start: ${e instanceof Error && e.stack ? e.stack : message}`);
  dialog.showErrorBox('Sealcheck could not start', `Sealcheck could not start: ${message.replace(/\.?$/, '.')}`);
  app.exit(1);
}

/** Events go only to a live window: after it closed (or while the app quits) they are dropped, not thrown. */
function emit<E extends ApiEventName>(event: E, payload: ApiEvents[E]): void {
  if (!window || window.isDestroyed() || window.webContents.isDestroyed()) return;
  window.webContents.send(`event:${event}`, payload);
}

/** IPC is answered only for the app's own main frame, loaded from app://; a frame that is gone (null) is refused too. */
function fromOwnFrame(event: IpcMainInvokeEvent): boolean {
  if (!window || window.isDestroyed()) return false;
  const contents = window.webContents;
  const frame = event.senderFrame;
  return event.sender === contents && frame !== null && frame === contents.mainFrame && frame.url.startsWith(`${APP_ORIGIN}/`);
}

/** Files the handlers wrote in this session may be opened or shown; local absolute paths only, never a URL. */
async function reveal(path: string, how: 'open' | 'folder'): Promise<void> {
  if (!isAbsolute(path) || /^[a-z][a-z0-9+.-]*:\/\//i.test(path)) throw new Error(`${path} is not a local file path`);
  if (how === 'folder') return void shell.showItemInFolder(path);
  const problem = await shell.openPath(path);
  if (problem) throw new Error(`${path} could not be opened: ${problem}`);
}

async function start(): Promise<void> {
  const packaged = app.isPackaged;
  // existsSync reads inside app.asar too. Without this check a missing build shows an empty error page, not a reason.
  if (!existsSync(join(RENDERER_DIR, 'index.html'))) throw new Error(`its window's page is missing (${join(RENDERER_DIR, 'index.html')}); reinstall the app, or build it with npm start`);
  enforceOffline(session.defaultSession, packaged, log);
  protocol.handle(APP_SCHEME, appProtocolHandler(RENDERER_DIR));

  const handlers = createHandlers({
    casesRoot: join(app.getPath('documents'), 'Sealcheck cases'),
    stateDir: app.getPath('userData'),
    emit,
    reveal,
    pickPath: async (purpose) => {
      if (purpose === 'excerpt-save') {
        // Where to write an excerpt: a new .tar.gz (showSaveDialog returns a path that need not exist).
        const save: Electron.SaveDialogOptions = { title: 'Save the evidence excerpt', filters: [{ name: 'Evidence excerpt', extensions: ['tar.gz', 'tgz'] }], properties: ['createDirectory', 'showOverwriteConfirmation'] };
        const s = window && !window.isDestroyed() ? await dialog.showSaveDialog(window, save) : await dialog.showSaveDialog(save);
        return s.canceled || !s.filePath ? null : s.filePath;
      }
      const options: Electron.OpenDialogOptions = {
        properties: purpose === 'archive-folder' ? ['openDirectory'] : ['openFile'],
        title: { 'archive-file': 'Open an archive (.tar, .tar.gz)', 'archive-folder': 'Open an archive folder', key: 'Import a key file', anchor: 'Import an anchor checkpoint', 'excerpt-open': 'Open an evidence excerpt (.tar.gz)', 'audit-policy': 'Open the audit policy (YAML or JSON)' }[purpose],
        ...(purpose === 'audit-policy' ? { filters: [{ name: 'Audit policy', extensions: ['yaml', 'yml', 'json'] }, { name: 'All files', extensions: ['*'] }] } : {}),
      };
      const r = window && !window.isDestroyed() ? await dialog.showOpenDialog(window, options) : await dialog.showOpenDialog(options);
      return r.canceled ? null : (r.filePaths[0] ?? null);
    },
  });
  app.on('before-quit', () => handlers.close());
  ipcMain.handle('api', async (event, method: unknown, args: unknown) => {
    if (!fromOwnFrame(event)) {
      log(`refused an IPC call from ${event.senderFrame?.url ?? 'a frame that is gone'}`);
      return { ok: false, error: { code: 'forbidden', message: 'this call did not come from the Sealcheck window' } };
    }
    return dispatch(handlers, method, args);
  });

  app.setAboutPanelOptions({ applicationName: 'Sealcheck', applicationVersion: app.getVersion(), copyright: 'Apache-2.0', credits: 'Offline verifier for sealed Kubernetes audit-log archives.' });
  Menu.setApplicationMenu(
    Menu.buildFromTemplate(
      menuTemplate({
        packaged,
        platform: process.platform,
        validateInstallation: () => void validateInstallation({ packaged, log, parent: () => (window && !window.isDestroyed() ? window : null) }),
      }),
    ),
  );

  window = await openMainWindow(PRELOAD, packaged, { log, quit: () => app.quit() });
  window.on('closed', () => (window = null));
}

// ---------- before `ready`: everything here must be synchronous and first ----------

registerAppScheme(protocol);
app.enableSandbox();
app.on('web-contents-created', (_e, contents) => {
  contents.setWindowOpenHandler(() => ({ action: 'deny' }));
  contents.on('will-navigate', (e) => e.preventDefault());
});
app.on('child-process-gone', (_e, details) => log(`a ${details.type} process stopped (${details.reason}, exit code ${details.exitCode})`));

const selfTest = parseSelfTestArgs(process.argv);
if (selfTest) {
  // No window and no lock: a validation run may happen beside an open app, in its own temporary folders.
  app.on('window-all-closed', () => undefined);
  app
    .whenReady()
    .then(() => runHeadlessSelfTest(selfTest, { packaged: app.isPackaged, log }))
    .then(
      (code) => app.exit(code),
      (e) => {
        process.stderr.write(`sealcheck --self-test: ${e instanceof Error ? e.message : String(e)}\n`);
        app.exit(1);
      },
    );
} else if (!app.requestSingleInstanceLock()) {
  // Another Sealcheck holds the lock (same userData, same case databases): it comes to the front instead.
  log('another Sealcheck window is already open; focusing it');
  app.quit();
} else {
  app.on('second-instance', () => {
    if (!window || window.isDestroyed()) return;
    if (window.isMinimized()) window.restore();
    window.show();
    window.focus();
  });
  app.on('window-all-closed', () => app.quit());
  app.whenReady().then(start).catch(failStart);
}
