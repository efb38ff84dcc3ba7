// A stand-in for what a sandboxed preload may load: Electron's renderer modules (contextBridge, ipcRenderer) and the Node built-ins the sandbox lists.
//
// docs/tutorial/sandbox.md ("Preload scripts"): a sandboxed preload's `require` can load only `electron` (renderer
// process modules only), `events`, `timers` and `url`; `Buffer`, `process`, `clearImmediate` and `setImmediate` are
// provided as globals. Everything else fails as Electron's sandboxed require does: "module not found: <name>".
import { EventEmitter } from 'node:events';
import * as timers from 'node:timers';
import * as url from 'node:url';

export interface IpcRendererEvent {
  sender: FakeIpcRenderer;
  ports: unknown[];
}

/** docs/api/ipc-renderer.md: invoke returns a Promise; on(channel, (event, ...args)); removeListener. */
export class FakeIpcRenderer extends EventEmitter {
  readonly invoked: { channel: string; args: unknown[] }[] = [];
  answer: (channel: string, args: unknown[]) => unknown = () => ({ ok: true, value: null });

  invoke(channel: string, ...args: unknown[]): Promise<unknown> {
    // Arguments are serialized with the Structured Clone Algorithm (docs/api/ipc-renderer.md): functions and DOM objects throw.
    const cloned = structuredClone(args);
    this.invoked.push({ channel, args: cloned });
    return Promise.resolve(this.answer(channel, cloned));
  }
  /** What main's webContents.send(channel, payload) becomes in this renderer: listener(event, payload). */
  deliver(channel: string, ...args: unknown[]): void {
    const event: IpcRendererEvent = { sender: this, ports: [] };
    this.emit(channel, event, ...structuredClone(args));
  }
}

/**
 * docs/api/context-bridge.md: exposeInMainWorld(apiKey, api) puts a copy of `api` on the main world's window; functions
 * are proxied, plain objects copied, and the original object never crosses. A second API under the same key throws.
 */
export class FakeContextBridge {
  readonly mainWorld: Record<string, unknown> = {};
  exposeInMainWorld(apiKey: string, api: unknown): void {
    if (Object.prototype.hasOwnProperty.call(this.mainWorld, apiKey)) throw new Error('Cannot bind an API on top of an existing property on the window object');
    this.mainWorld[apiKey] = copyAcross(api);
  }
}

function copyAcross(value: unknown): unknown {
  if (typeof value === 'function') {
    const fn = value as (...a: unknown[]) => unknown;
    return (...args: unknown[]) => copyAcross(fn(...args));
  }
  if (value instanceof Promise) return value.then(copyAcross);
  if (Array.isArray(value)) return value.map(copyAcross);
  if (typeof value === 'object' && value !== null) return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, copyAcross(v)]));
  return value;
}

export interface SandboxedPreload {
  ipcRenderer: FakeIpcRenderer;
  contextBridge: FakeContextBridge;
  /** Every specifier the preload asked for, allowed or not. */
  required: string[];
  require(specifier: string): unknown;
}

export function sandboxedPreload(): SandboxedPreload {
  const ipcRenderer = new FakeIpcRenderer();
  const contextBridge = new FakeContextBridge();
  const electron = Object.freeze({ contextBridge, ipcRenderer });
  const allowed = new Map<string, unknown>([
    ['electron', electron],
    ['events', EventEmitter],
    ['timers', timers],
    ['url', url],
  ]);
  const required: string[] = [];
  return {
    ipcRenderer,
    contextBridge,
    required,
    require(specifier: string) {
      required.push(specifier);
      if (!allowed.has(specifier)) throw new Error(`module not found: ${specifier}`);
      return allowed.get(specifier);
    },
  };
}
