// The one window: every security default of STYLE.md, navigation and window opening denied, crash and hang handling.
import { BrowserWindow, dialog, type WebPreferences } from 'electron';
import { START_URL } from './app-protocol.ts';

/** Every webPreferences value, spelled out even where it is Electron's default, so a default changing upstream changes nothing here. */
export function webPreferences(preload: string, packaged: boolean): WebPreferences {
  return {
    preload,
    contextIsolation: true,
    sandbox: true,
    nodeIntegration: false,
    nodeIntegrationInWorker: false,
    nodeIntegrationInSubFrames: false,
    webviewTag: false,
    webSecurity: true,
    allowRunningInsecureContent: false,
    experimentalFeatures: false,
    enableBlinkFeatures: '',
    navigateOnDragDrop: false,
    safeDialogs: true,
    spellcheck: false,
    devTools: !packaged,
  };
}

export interface WindowHooks {
  log(message: string): void;
  quit(): void;
}

/** Opens the window and loads the app; rejects when the page cannot load (the caller shows the error and exits). */
export async function openMainWindow(preload: string, packaged: boolean, hooks: WindowHooks): Promise<BrowserWindow> {
  const window = new BrowserWindow({
    width: 1440,
    height: 900,
    minWidth: 960,
    minHeight: 600,
    title: 'Sealcheck',
    show: false,
    webPreferences: webPreferences(preload, packaged),
  });
  const contents = window.webContents;
  contents.setWindowOpenHandler(() => ({ action: 'deny' }));
  contents.on('will-navigate', (e) => e.preventDefault());
  contents.on('will-redirect', (e) => e.preventDefault());
  contents.on('will-attach-webview', (e) => e.preventDefault());
  window.once('ready-to-show', () => {
    if (!window.isDestroyed()) window.show();
  });
  contents.on('render-process-gone', (_e, details) => {
    hooks.log(`the window's renderer stopped (${details.reason}, exit code ${details.exitCode})`);
    if (details.reason === 'clean-exit' || window.isDestroyed()) return;
    void dialog
      .showMessageBox(window, {
        type: 'error',
        title: 'Sealcheck',
        message: 'The Sealcheck window stopped unexpectedly.',
        detail: `Reason: ${details.reason}. Reloading keeps your cases; a job that was running must be started again.`,
        buttons: ['Reload', 'Quit'],
        defaultId: 0,
        cancelId: 1,
      })
      .then((r) => {
        if (window.isDestroyed()) return;
        if (r.response === 0) window.webContents.reload();
        else hooks.quit();
      });
  });
  window.on('unresponsive', () => hooks.log('the window is not responding'));
  window.on('responsive', () => hooks.log('the window responds again'));
  await window.loadURL(START_URL);
  return window;
}
