// UI tests only: the real handler table over a loopback HTTP bridge (127.0.0.1, random port, per-run token), serving the built renderer.
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { resolve } from 'node:path';
import type { ApiEventName, ApiEvents } from '../../../shared/api.ts';
import { createHandlers, dispatch } from './handlers.node.ts';
import { readStatic } from './static-files.node.ts';


export interface Bridge {
  url: string;
  token: string;
  /** Inject with page.addInitScript: defines window.api over this bridge. */
  clientScript: string;
  /** What revealFile asked to open or show: the app would call shell.openPath / showItemInFolder here. */
  revealed: { path: string; how: 'open' | 'folder' }[];
  close(): Promise<void>;
}

export async function startBridge(options: { casesRoot: string; rendererDir: string; stateDir?: string }): Promise<Bridge> {
  const token = randomBytes(24).toString('hex');
  const root = resolve(options.rendererDir);
  const listeners = new Set<ServerResponse>();
  const emit = <E extends ApiEventName>(event: E, payload: ApiEvents[E]) => {
    for (const res of listeners) res.write(`event: ${event}\ndata: ${JSON.stringify(payload)}\n\n`);
  };
  const revealed: Bridge['revealed'] = [];
  const reveal = async (path: string, how: 'open' | 'folder') => void revealed.push({ path, how });
  const handlers = createHandlers({ casesRoot: options.casesRoot, stateDir: options.stateDir ?? resolve(options.casesRoot, '..', 'state'), emit, reveal });

  const server = createServer(async (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const authorised = req.headers['x-sealcheck-token'] === token || url.searchParams.get('token') === token;
    if (url.pathname === '/api' && req.method === 'POST') {
      if (!authorised) return void res.writeHead(403).end();
      const chunks: Buffer[] = [];
      for await (const c of req) chunks.push(c as Buffer);
      let body: { method?: unknown; args?: unknown };
      try {
        body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
      } catch {
        return void res.writeHead(400).end();
      }
      const result = await dispatch(handlers, body.method, body.args);
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(result));
      return;
    }
    if (url.pathname === '/events') {
      if (!authorised) return void res.writeHead(403).end();
      res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-store', connection: 'keep-alive' });
      res.write(': connected\n\n');
      listeners.add(res);
      req.on('close', () => listeners.delete(res));
      return;
    }
    if (req.method !== 'GET') return void res.writeHead(405).end();
    const answer = await readStatic(root, url.pathname);
    res.writeHead(answer.status, answer.headers).end(answer.body ?? undefined);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const address = server.address();
  if (!address || typeof address === 'string') throw new Error('bridge did not bind');
  const url = `http://127.0.0.1:${address.port}/`;
  const clientScript = `(() => {
  const token = ${JSON.stringify(token)};
  const listeners = new Map();
  let source = null;
  const ensure = () => {
    if (source) return;
    source = new EventSource('/events?token=' + token);
    for (const name of ['progress', 'log']) source.addEventListener(name, (e) => { for (const l of listeners.get(name) || []) l(JSON.parse(e.data)); });
  };
  const api = {
    async call(method, ...args) {
      const r = await fetch('/api', { method: 'POST', headers: { 'content-type': 'application/json', 'x-sealcheck-token': token }, body: JSON.stringify({ method, args }) });
      return r.json();
    },
    on(event, listener) {
      ensure();
      if (!listeners.has(event)) listeners.set(event, new Set());
      listeners.get(event).add(listener);
      return () => listeners.get(event).delete(listener);
    },
  };
  Object.defineProperty(window, 'api', { value: Object.freeze(api), writable: false });
})();`;
  return {
    url,
    token,
    clientScript,
    revealed,
    async close() {
      for (const res of listeners) res.end();
      handlers.close();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}
