// Preload (sandboxed): exposes the typed API over IPC with contextBridge, and nothing raw.
import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron';
import type { ApiEventName, ApiEvents, RendererApi } from '../../shared/api.ts';

// Only the events main sends: the page can never subscribe to another IPC channel through `on`.
const EVENTS: Record<ApiEventName, true> = { progress: true, log: true };

const api = {
  call: (method, ...args) => ipcRenderer.invoke('api', method, args),
  on<E extends ApiEventName>(event: E, listener: (payload: ApiEvents[E]) => void) {
    if (!Object.prototype.hasOwnProperty.call(EVENTS, event)) throw new TypeError(`unknown event ${JSON.stringify(event)}`);
    // The Electron event object never reaches the page.
    const wrapped = (_e: IpcRendererEvent, payload: ApiEvents[E]) => listener(payload);
    ipcRenderer.on(`event:${event}`, wrapped);
    return () => void ipcRenderer.removeListener(`event:${event}`, wrapped);
  },
} satisfies RendererApi;

contextBridge.exposeInMainWorld('api', api);
