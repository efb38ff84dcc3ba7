// A stand-in for Electron 45's main-process `electron` module: records every call and behaves as Electron does where the app depends on it.
//
// Each behaviour cites where Electron states it: the typings shipped in node_modules/electron/electron.d.ts (45.4.1),
// the docs (docs/api/*.md) or the specs (spec/*.ts) of electron/electron. What the app does not use is left out, so a
// new call in main fails loudly here ("… is not a function") instead of passing against a guess.
//
// One module instance per test scenario: the loader hook (hooks.mjs) maps `electron` imported from
// `dist/main.mjs?instance=N` to this file with the same `?instance=N`, so every scenario has its own app, windows and lock.
import { EventEmitter } from 'node:events';
import { mkdtempSync, readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

// ---------- what the test controls and reads ----------

export interface RecordedRequest {
  url: string;
  resourceType: string;
  status?: number;
  contentType?: string | null;
  csp?: string | null;
  error?: string;
}

export const control = {
  /** app.isPackaged (electron.d.ts: "true if the app is packaged"). */
  packaged: false,
  /** Another instance holds the single-instance lock (electron.d.ts requestSingleInstanceLock). */
  lockHeldByAnother: false,
  /** What dialog.showMessageBox answers (index of the button). */
  messageBoxResponse: 1,
  /** What shell.openPath resolves with: '' on success, else an error message (electron.d.ts openPath). */
  openPathResult: '',
  /** Order of the calls that matter before `ready`. */
  calls: [] as string[],
  ready: false,
  exitCode: null as number | null,
  quitCount: 0,
  errorBoxes: [] as { title: string; content: string }[],
  messageBoxes: [] as { options: Record<string, unknown>; parent: FakeBrowserWindow | null }[],
  privilegedSchemes: [] as { scheme: string; privileges: Record<string, boolean> }[],
  protocolHandlers: new Map<string, (request: Request) => Response | Promise<Response>>(),
  aboutPanel: null as Record<string, unknown> | null,
  applicationMenu: null as FakeMenu | null,
  shell: [] as { call: 'openPath' | 'showItemInFolder' | 'openExternal'; target: string }[],
  windows: [] as FakeBrowserWindow[],
  /** Every request that went through the session (navigations, subresources, net.fetch). */
  requests: [] as RecordedRequest[],
  paths: {} as Record<string, string>,

  /** Emits `ready` once and resolves whenReady() (docs/api/app.md: Event 'ready' "Emitted once, when Electron has finished initializing"). */
  fireReady(): void {
    if (control.ready) return;
    control.ready = true;
    control.calls.push('ready');
    app.emit('ready', new FakeEvent(), {});
    resolveReady();
  },

  /** What Electron does in the first instance when a second one calls requestSingleInstanceLock (electron.d.ts Event 'second-instance'). */
  secondInstance(argv: string[], workingDirectory: string): void {
    app.emit('second-instance', new FakeEvent(), argv, workingDirectory, {});
  },

  /** ipcRenderer.invoke as it arrives in main: the handler gets an IpcMainInvokeEvent (electron.d.ts IpcMainInvokeEvent). */
  async invoke(channel: string, from: { sender: FakeWebContents; senderFrame: FakeWebFrameMain | null }, ...args: unknown[]): Promise<unknown> {
    const handler = ipcHandlers.get(channel);
    // lib/renderer/api/ipc-renderer.ts: an invoke without a handler rejects with "No handler registered for '<channel>'".
    if (!handler) throw new Error(`Error invoking remote method '${channel}': Error: No handler registered for '${channel}'`);
    const event = { sender: from.sender, senderFrame: from.senderFrame, frameId: from.senderFrame?.routingId ?? -1, processId: from.senderFrame?.processId ?? -1, type: 'frame' as const, defaultPrevented: false, preventDefault() {} };
    try {
      // Arguments cross a structured clone, as with every IPC message (docs/api/ipc-renderer.md, "Structured Clone Algorithm").
      return structuredClone(await handler(event, ...structuredClone(args)));
    } catch (e) {
      throw new Error(`Error invoking remote method '${channel}': ${String(e)}`);
    }
  },

  /** One request through the session exactly as the network service would route it (see request() below). */
  request: (url: string, resourceType = 'other') => routeRequest(url, resourceType),
};

let resolveReady!: () => void;
const readyPromise = new Promise<void>((r) => (resolveReady = r));

class FakeEvent {
  defaultPrevented = false;
  preventDefault(): void {
    this.defaultPrevented = true;
  }
}

/** Electron's errors for a load that fails: lib/browser/api/web-contents.ts builds `${errorDescription} (${errorCode}) loading '${url}'`. */
class LoadError extends Error {
  constructor(readonly code: string, readonly errno: number, readonly url: string) {
    super(`${code} (${errno}) loading '${url}'`);
  }
}
/** A network error from the net stack, net::ERR_… (spec/api-net-spec.ts expects e.g. rejectedWith('net::ERR_BLOCKED_BY_CLIENT')). */
class NetError extends Error {
  constructor(readonly code: string, readonly errno: number) {
    super(`net::${code}`);
  }
}

const NET_ERRORS = { failed: ['ERR_FAILED', -2], fileNotFound: ['ERR_FILE_NOT_FOUND', -6], blocked: ['ERR_BLOCKED_BY_CLIENT', -20], offline: ['ERR_INTERNET_DISCONNECTED', -106], unknownScheme: ['ERR_UNKNOWN_URL_SCHEME', -302] } as const;
const netError = (k: keyof typeof NET_ERRORS) => new NetError(NET_ERRORS[k][0], NET_ERRORS[k][1]);

function requireReady(what: string, message: string): void {
  // docs/api/app.md and the bindings: session, net and BrowserWindow exist only once the app is ready.
  if (!control.ready) throw new Error(message.replace('%s', what));
}

// ---------- session: webRequest, permissions ----------

type BeforeRequestListener = (details: Record<string, unknown>, callback: (response: { cancel?: boolean; redirectURL?: string }) => void) => void;
let beforeRequest: BeforeRequestListener | null = null;
type HeadersListener = (details: Record<string, unknown>, callback: (response: { cancel?: boolean; responseHeaders?: Record<string, string | string[]> }) => void) => void;
let headersReceived: HeadersListener | null = null;
let requestId = 0;

const webRequest = {
  // docs/api/web-request.md: "onBeforeRequest([filter, ]listener)"; a second call replaces the listener; null removes it.
  onBeforeRequest(...args: [BeforeRequestListener | null] | [object, BeforeRequestListener | null]): void {
    const listener = (args.length === 1 ? args[0] : args[1]) as BeforeRequestListener | null;
    beforeRequest = listener ?? null;
  },
  // docs/api/web-request.md: "onHeadersReceived([filter, ]listener)"; callback({cancel?, responseHeaders?}) may replace the headers.
  onHeadersReceived(...args: [HeadersListener | null] | [object, HeadersListener | null]): void {
    const listener = (args.length === 1 ? args[0] : args[1]) as HeadersListener | null;
    headersReceived = listener ?? null;
  },
};

const permissions = { request: null as null | ((...a: unknown[]) => void), check: null as null | ((...a: unknown[]) => boolean) };

const defaultSession = {
  webRequest,
  setPermissionRequestHandler(handler: (...a: unknown[]) => void) {
    permissions.request = handler;
  },
  setPermissionCheckHandler(handler: (...a: unknown[]) => boolean) {
    permissions.check = handler;
  },
  /** Asks the permission handler as Chromium would for `permission` (docs/api/session.md setPermissionRequestHandler). */
  askPermission(permission: string): Promise<boolean> {
    return new Promise((resolve) => (permissions.request ? permissions.request(null, permission, resolve, {}) : resolve(true)));
  },
  checkPermission(permission: string): boolean {
    return permissions.check ? permissions.check(null, permission, 'app://sealcheck', {}) : true;
  },
};

export const session = {
  get defaultSession() {
    // shell/browser/api/electron_api_session.cc: "Session can only be received when app is ready".
    requireReady('session', 'Session can only be received when app is ready');
    return defaultSession;
  },
};

/**
 * How a request is routed: first the session's webRequest.onBeforeRequest listener (a cancel fails the request with
 * net::ERR_BLOCKED_BY_CLIENT), then the protocol.handle handler of its scheme, or the built-in file: handler.
 * electron.d.ts (net.fetch): "requests made with net.fetch can be made to custom protocols as well as file:, and will
 * trigger webRequest handlers if present"; spec/api-net-spec.ts "triggers webRequest handlers for file urls" expects the
 * cancelled file: fetch to reject with net::ERR_BLOCKED_BY_CLIENT. Custom schemes go through the listener too: the app
 * must work whether or not a given Electron build runs webRequest for them, so the fake takes the stricter reading.
 */
async function routeRequest(url: string, resourceType: string): Promise<Response> {
  const record: RecordedRequest = { url, resourceType };
  control.requests.push(record);
  try {
    if (beforeRequest) {
      const listener = beforeRequest;
      const verdict = await new Promise<{ cancel?: boolean; redirectURL?: string }>((resolve) =>
        listener({ id: ++requestId, url, method: 'GET', resourceType, referrer: '', timestamp: Date.now(), uploadData: [] }, resolve),
      );
      if (verdict.cancel) throw netError('blocked');
      if (verdict.redirectURL) throw new Error('fake electron: redirectURL is not emulated');
    }
    const scheme = new URL(url).protocol.slice(0, -1);
    const handler = control.protocolHandlers.get(scheme);
    let response: Response;
    if (handler) {
      // lib/browser/api/protocol.ts (handle): a handler that throws, rejects or returns something that is not a Response fails the request (net::ERR_FAILED).
      let r: unknown;
      try {
        r = await handler(new Request(url, { method: 'GET' }));
      } catch {
        throw netError('failed');
      }
      if (!(r instanceof Response)) throw netError('failed');
      response = r;
    } else if (scheme === 'file') {
      try {
        response = new Response(await readFile(fileURLToPath(url)), { status: 200 });
      } catch {
        throw netError('fileNotFound');
      }
    } else if (['http', 'https', 'ws', 'wss', 'ftp'].includes(scheme)) {
      throw netError('offline'); // the fake never touches the network
    } else throw netError('unknownScheme');
    if (headersReceived) {
      const listener = headersReceived;
      const responseHeaders: Record<string, string[]> = {};
      response.headers.forEach((v, k) => (responseHeaders[k] = [v]));
      const verdict = await new Promise<{ cancel?: boolean; responseHeaders?: Record<string, string | string[]> }>((resolve) =>
        listener({ id: requestId, url, method: 'GET', resourceType, statusCode: response.status, responseHeaders }, resolve),
      );
      if (verdict.cancel) throw netError('blocked');
      if (verdict.responseHeaders) {
        const headers = new Headers();
        for (const [k, v] of Object.entries(verdict.responseHeaders)) for (const one of [v].flat()) headers.append(k, one);
        response = new Response(response.body, { status: response.status, headers });
      }
    }
    record.status = response.status;
    record.contentType = response.headers.get('content-type');
    record.csp = response.headers.get('content-security-policy');
    return response;
  } catch (e) {
    record.error = (e as Error).message;
    throw e;
  }
}

export const net = {
  fetch(input: string | Request): Promise<Response> {
    // docs/api/net.md: "The net API can be used only after the application emits the ready event".
    requireReady('net', 'net module can only be used after app is ready');
    return routeRequest(typeof input === 'string' ? input : input.url, 'other');
  },
};

// ---------- protocol ----------

export const protocol = {
  /** electron.d.ts: "This method can only be used before the `ready` event … and can be called only once"; electron_api_protocol.cc throws after ready. */
  registerSchemesAsPrivileged(schemes: { scheme: string; privileges?: Record<string, boolean> }[]): void {
    if (control.ready) throw new Error('protocol.registerSchemesAsPrivileged should be called before app is ready');
    control.calls.push('registerSchemesAsPrivileged');
    for (const s of schemes) control.privilegedSchemes.push({ scheme: s.scheme, privileges: { ...(s.privileges ?? {}) } });
  },
  /** electron.d.ts Protocol.handle: the handler gets a GlobalRequest and returns a GlobalResponse or a Promise of one. */
  handle(scheme: string, handler: (request: Request) => Response | Promise<Response>): void {
    requireReady('protocol', 'Session can only be received when app is ready');
    // lib/browser/api/protocol.ts: registering a scheme twice throws "Failed to register protocol: <scheme>".
    if (control.protocolHandlers.has(scheme)) throw new Error(`Failed to register protocol: ${scheme}`);
    control.protocolHandlers.set(scheme, handler);
  },
  isProtocolHandled(scheme: string): boolean {
    return control.protocolHandlers.has(scheme);
  },
};

// ---------- frames, web contents, windows ----------

let nextId = 1;

export class FakeWebFrameMain {
  readonly routingId = nextId++;
  readonly processId = 1;
  constructor(public url: string, readonly parent: FakeWebFrameMain | null = null) {}
  get top(): FakeWebFrameMain {
    return this.parent ? this.parent.top : this;
  }
}

export class FakeWebContents extends EventEmitter {
  readonly id = nextId++;
  readonly mainFrame = new FakeWebFrameMain('');
  readonly sent: { channel: string; args: unknown[] }[] = [];
  /** Subresources the page requested after its HTML loaded (what Chromium would fetch for <script src> and <link href>). */
  readonly subresources: RecordedRequest[] = [];
  windowOpenHandler: ((details: { url: string }) => { action: 'allow' | 'deny' }) | null = null;
  reloads = 0;
  destroyed = false;

  private alive(): void {
    // electron.d.ts (BrowserWindow.isDestroyed): once destroyed, "accessing most of its other properties and methods throws `Object has been destroyed`".
    if (this.destroyed) throw new TypeError('Object has been destroyed');
  }
  isDestroyed(): boolean {
    return this.destroyed;
  }
  setWindowOpenHandler(handler: (details: { url: string }) => { action: 'allow' | 'deny' }): void {
    this.alive();
    this.windowOpenHandler = handler;
  }
  send(channel: string, ...args: unknown[]): void {
    this.alive();
    this.sent.push({ channel, args: structuredClone(args) });
  }
  getURL(): string {
    this.alive();
    return this.mainFrame.url;
  }
  reload(): void {
    this.alive();
    this.reloads++;
  }
  /**
   * Navigates the main frame: the request goes through the session; a failure rejects as lib/browser/api/web-contents.ts does
   * (the load is then abandoned). Once the HTML is in, its scripts and stylesheets are requested, then
   * 'did-finish-load' and the window's 'ready-to-show' fire.
   */
  async loadURL(url: string): Promise<void> {
    this.alive();
    let response: Response;
    try {
      response = await routeRequest(url, 'mainFrame');
    } catch (e) {
      const code = e instanceof NetError ? e.code : 'ERR_FAILED';
      const errno = e instanceof NetError ? e.errno : -2;
      this.emit('did-fail-load', new FakeEvent(), errno, code, url, true);
      throw new LoadError(code, errno, url);
    }
    this.mainFrame.url = url;
    const html = await response.text();
    for (const m of html.matchAll(/<(script|link)\b[^>]*?\b(?:src|href)="([^"]+)"/g)) {
      const sub = new URL(m[2]!, url).href;
      try {
        await routeRequest(sub, m[1] === 'script' ? 'script' : 'stylesheet');
      } catch {
        // recorded in control.requests; a failed subresource does not fail the navigation
      }
      this.subresources.push(control.requests.at(-1)!);
    }
    this.emit('did-finish-load', new FakeEvent());
    this.window?.emit('ready-to-show', new FakeEvent());
  }
  window: FakeBrowserWindow | null = null;
  /** A frame inside the page (an iframe), for the IPC sender checks. */
  childFrame(url: string): FakeWebFrameMain {
    return new FakeWebFrameMain(url, this.mainFrame);
  }
}

export class FakeBrowserWindow extends EventEmitter {
  readonly id = nextId++;
  readonly options: Record<string, unknown>;
  private readonly contents = new FakeWebContents();
  private destroyed = false;
  visible = false;
  minimized = false;
  focusCount = 0;

  static getAllWindows(): FakeBrowserWindow[] {
    return control.windows.filter((w) => !w.destroyed);
  }

  constructor(options: Record<string, unknown> = {}) {
    super();
    // shell/browser/api/electron_api_base_window.cc: "Cannot create BrowserWindow before app is ready".
    requireReady('BrowserWindow', 'Cannot create BrowserWindow before app is ready');
    this.options = structuredClone(options);
    this.visible = options.show !== false;
    this.contents.window = this;
    control.windows.push(this);
    app.emit('browser-window-created', new FakeEvent(), this);
    app.emit('web-contents-created', new FakeEvent(), this.contents);
  }
  private alive(): void {
    if (this.destroyed) throw new TypeError('Object has been destroyed');
  }
  /** electron.d.ts: "Reading this property throws `Object has been destroyed` once the window has been destroyed". */
  get webContents(): FakeWebContents {
    this.alive();
    return this.contents;
  }
  isDestroyed(): boolean {
    return this.destroyed;
  }
  loadURL(url: string): Promise<void> {
    this.alive();
    return this.contents.loadURL(url);
  }
  show(): void {
    this.alive();
    this.visible = true;
    this.minimized = false;
  }
  focus(): void {
    this.alive();
    this.focusCount++;
  }
  isVisible(): boolean {
    this.alive();
    return this.visible;
  }
  minimize(): void {
    this.alive();
    this.minimized = true;
  }
  isMinimized(): boolean {
    this.alive();
    return this.minimized;
  }
  restore(): void {
    this.alive();
    this.minimized = false;
    this.visible = true;
  }
  /** docs/api/browser-window.md: close() emits 'close' (preventable), then the window is destroyed and 'closed' fires. */
  close(): void {
    if (this.destroyed) return;
    const e = new FakeEvent();
    this.emit('close', e);
    if (!e.defaultPrevented) this.destroy();
  }
  destroy(): void {
    if (this.destroyed) return;
    this.destroyed = true;
    this.contents.destroyed = true;
    this.contents.emit('destroyed');
    this.emit('closed');
    // docs/api/app.md Event 'window-all-closed': without a listener the default is to quit; not emitted while quitting.
    if (FakeBrowserWindow.getAllWindows().length === 0 && !quitting) {
      if (app.listenerCount('window-all-closed') > 0) app.emit('window-all-closed');
      else app.quit();
    }
  }
}
export const BrowserWindow = FakeBrowserWindow;

// ---------- app ----------

let quitting = false;
let hasLock = false;
const rootPackage = JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { version: string };

class FakeApp extends EventEmitter {
  get isPackaged(): boolean {
    return control.packaged;
  }
  isReady(): boolean {
    return control.ready;
  }
  whenReady(): Promise<void> {
    return readyPromise;
  }
  getVersion(): string {
    return rootPackage.version;
  }
  getName(): string {
    return 'Sealcheck';
  }
  getPath(name: string): string {
    if (!control.paths[name]) control.paths[name] = mkdtempSync(join(tmpdir(), `fake-electron-${name}-`));
    return control.paths[name]!;
  }
  /** docs/tutorial/sandbox.md: "this API has to be called before the app's ready event". */
  enableSandbox(): void {
    if (control.ready) throw new Error('app.enableSandbox() can only be called before app is ready');
    control.calls.push('enableSandbox');
  }
  /** electron.d.ts: true for the primary instance; false "if your process should immediately quit". */
  requestSingleInstanceLock(): boolean {
    control.calls.push('requestSingleInstanceLock');
    hasLock = !control.lockHeldByAnother;
    return hasLock;
  }
  hasSingleInstanceLock(): boolean {
    return hasLock;
  }
  setAboutPanelOptions(options: Record<string, unknown>): void {
    control.aboutPanel = { ...options };
  }
  /** docs/api/app.md quit(): 'before-quit' (preventable), windows closed, then 'will-quit' and 'quit'. */
  quit(): void {
    control.quitCount++;
    control.calls.push('quit');
    if (quitting) return;
    const e = new FakeEvent();
    this.emit('before-quit', e);
    if (e.defaultPrevented) return;
    quitting = true;
    for (const w of FakeBrowserWindow.getAllWindows()) w.destroy();
    this.emit('will-quit', new FakeEvent());
    this.emit('quit', new FakeEvent(), 0);
  }
  /** docs/api/app.md exit(): windows close at once, and before-quit / will-quit are not emitted. */
  exit(code = 0): void {
    control.calls.push(`exit(${code})`);
    if (control.exitCode === null) control.exitCode = code;
    quitting = true;
    for (const w of FakeBrowserWindow.getAllWindows()) w.destroy();
  }
}
export const app = new FakeApp();

// ---------- ipcMain ----------

type InvokeHandler = (event: unknown, ...args: unknown[]) => unknown;
const ipcHandlers = new Map<string, InvokeHandler>();

class FakeIpcMain extends EventEmitter {
  /** lib/browser/ipc-main-impl.ts: "Attempted to register a second handler for '<channel>'". */
  handle(channel: string, handler: InvokeHandler): void {
    if (ipcHandlers.has(channel)) throw new Error(`Attempted to register a second handler for '${channel}'`);
    ipcHandlers.set(channel, handler);
  }
  removeHandler(channel: string): void {
    ipcHandlers.delete(channel);
  }
}
export const ipcMain = new FakeIpcMain();

// ---------- dialog, shell, Menu ----------

export const dialog = {
  showErrorBox(title: string, content: string): void {
    control.errorBoxes.push({ title, content });
  },
  async showMessageBox(a: unknown, b?: unknown): Promise<{ response: number; checkboxChecked: boolean }> {
    // electron.d.ts: showMessageBox([window, ]options).
    const [parent, options] = a instanceof FakeBrowserWindow ? [a, b as Record<string, unknown>] : [null, a as Record<string, unknown>];
    control.messageBoxes.push({ options, parent });
    return { response: control.messageBoxResponse, checkboxChecked: false };
  },
  async showOpenDialog(): Promise<{ canceled: boolean; filePaths: string[] }> {
    return { canceled: true, filePaths: [] };
  },
};

export const shell = {
  async openPath(path: string): Promise<string> {
    control.shell.push({ call: 'openPath', target: path });
    return control.openPathResult;
  },
  showItemInFolder(path: string): void {
    control.shell.push({ call: 'showItemInFolder', target: path });
  },
  async openExternal(url: string): Promise<void> {
    control.shell.push({ call: 'openExternal', target: url });
  },
};

export interface FakeMenuItem {
  label?: string;
  role?: string;
  type?: string;
  id?: string;
  click?: () => void;
  submenu?: FakeMenuItem[];
}

export class FakeMenu {
  constructor(readonly items: FakeMenuItem[]) {}
  /** lib/browser/api/menu.ts: an item needs a label, a role, a type or a submenu ("Invalid template for MenuItem"). */
  static buildFromTemplate(template: FakeMenuItem[]): FakeMenu {
    const check = (items: FakeMenuItem[]): FakeMenuItem[] =>
      items.map((i) => {
        if (typeof i !== 'object' || i === null || (!i.label && !i.role && !i.type && !i.submenu)) throw new TypeError('Invalid template for MenuItem: must have at least one of label, role or type');
        return { ...i, ...(i.submenu ? { submenu: check(i.submenu) } : {}) };
      });
    return new FakeMenu(check(template));
  }
  static setApplicationMenu(menu: FakeMenu | null): void {
    control.applicationMenu = menu;
  }
  static getApplicationMenu(): FakeMenu | null {
    return control.applicationMenu;
  }
  /** Every item, depth first. */
  all(): FakeMenuItem[] {
    const out: FakeMenuItem[] = [];
    const walk = (items: FakeMenuItem[]) => items.forEach((i) => (out.push(i), i.submenu && walk(i.submenu)));
    walk(this.items);
    return out;
  }
}
export const Menu = FakeMenu;

export default { app, BrowserWindow, dialog, ipcMain, Menu, net, protocol, session, shell };
