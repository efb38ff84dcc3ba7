// The built preload (dist/preload.cjs) in a vm context whose require allows only what a sandboxed preload may load: what it exposes, and nothing more.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import vm from 'node:vm';
import { sandboxedPreload, type SandboxedPreload } from '../../helpers/fake-electron/renderer.ts';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const PRELOAD = join(ROOT, 'dist', 'preload.cjs');

before(() => {
  const source = join(ROOT, 'electron', 'preload', 'preload.ts');
  if (!existsSync(PRELOAD) || statSync(PRELOAD).mtimeMs < statSync(source).mtimeMs) {
    assert.equal(spawnSync(process.execPath, ['scripts/build.mjs'], { cwd: ROOT, stdio: 'inherit' }).status, 0, 'scripts/build.mjs failed');
  }
});

/**
 * Runs the preload as Electron's sandboxed renderer does: wrapped in a function (so its top-level names stay local),
 * with require/process/Buffer/global/setImmediate/clearImmediate/exports/module as parameters (docs/tutorial/sandbox.md),
 * in a context that has no Node globals of its own.
 */
function runPreload(): { sandbox: SandboxedPreload; isolatedWorld: Record<string, unknown> } {
  const sandbox = sandboxedPreload();
  const isolatedWorld: Record<string, unknown> = {};
  const context = vm.createContext(isolatedWorld);
  const wrapper = vm.runInContext(`(function (require, process, Buffer, global, setImmediate, clearImmediate, exports, module) {${readFileSync(PRELOAD, 'utf8')}\n})`, context, { filename: PRELOAD }) as (...a: unknown[]) => void;
  const module = { exports: {} };
  const processStub = { platform: process.platform, versions: { electron: '45.4.1' }, env: {} };
  wrapper(sandbox.require, processStub, Buffer, isolatedWorld, setImmediate, clearImmediate, module.exports, module);
  return { sandbox, isolatedWorld };
}

test('the sandboxed require refuses what a sandboxed preload cannot load', () => {
  const { require } = sandboxedPreload();
  for (const name of ['fs', 'node:fs', 'child_process', 'path', 'better-sqlite3', './preload.cjs']) assert.throws(() => require(name), { message: `module not found: ${name}` });
  for (const name of ['electron', 'events', 'timers', 'url']) assert.ok(require(name));
});

test('the preload loads only electron and exposes exactly window.api = { call, on }', () => {
  const { sandbox, isolatedWorld } = runPreload();
  assert.deepEqual(sandbox.required, ['electron']);
  assert.deepEqual(Object.keys(sandbox.contextBridge.mainWorld), ['api']);
  const api = sandbox.contextBridge.mainWorld.api as Record<string, unknown>;
  assert.deepEqual(Object.keys(api).sort(), ['call', 'on']);
  assert.equal(typeof api.call, 'function');
  assert.equal(typeof api.on, 'function');
  assert.deepEqual(Object.keys(isolatedWorld), [], 'nothing leaks into the preload world either');
  // No raw ipcRenderer, no invoke with a free channel: the page cannot name a channel.
  assert.equal(JSON.stringify(Object.keys(api)).includes('ipc'), false);
});

test('call(method, ...args) is one invoke on the "api" channel with the arguments as an array, and returns main\'s Result', async () => {
  const { sandbox } = runPreload();
  const api = sandbox.contextBridge.mainWorld.api as { call(method: string, ...args: unknown[]): Promise<unknown> };
  sandbox.ipcRenderer.answer = (channel, args) => ({ ok: true, value: { channel, args } });
  assert.deepEqual(await api.call('appInfo'), { ok: true, value: { channel: 'api', args: ['appInfo', []] } });
  await api.call('openCase', '/cases/CASE 1');
  await api.call('queryEvents', '/cases/x', { verb: 'get' }, { limit: 10, after: null });
  assert.deepEqual(sandbox.ipcRenderer.invoked, [
    { channel: 'api', args: ['appInfo', []] },
    { channel: 'api', args: ['openCase', ['/cases/CASE 1']] },
    { channel: 'api', args: ['queryEvents', ['/cases/x', { verb: 'get' }, { limit: 10, after: null }]] },
  ]);
});

test('on(event, listener): the listener gets only the payload (never the Electron event), and the returned function unsubscribes', () => {
  const { sandbox } = runPreload();
  const api = sandbox.contextBridge.mainWorld.api as { on(event: string, listener: (...a: unknown[]) => void): () => void };
  const got: unknown[][] = [];
  const off = api.on('progress', (...args) => got.push(args));
  const logs: unknown[][] = [];
  api.on('log', (...args) => logs.push(args));
  const payload = { jobId: 'j1', phase: 'hashing', bytesDone: 10, bytesTotal: 20, rate: 5, etaSeconds: 2 };
  sandbox.ipcRenderer.deliver('event:progress', payload);
  assert.deepEqual(got, [[payload]]);
  assert.equal(logs.length, 0, 'events are kept apart by name');
  assert.equal(typeof off, 'function');
  off();
  assert.equal(sandbox.ipcRenderer.listenerCount('event:progress'), 0);
  sandbox.ipcRenderer.deliver('event:progress', payload);
  assert.equal(got.length, 1, 'no call after unsubscribing');
  sandbox.ipcRenderer.deliver('event:log', { level: 'info', scope: 'main', message: 'hi' });
  assert.deepEqual(logs, [[{ level: 'info', scope: 'main', message: 'hi' }]]);
});

test('on() subscribes to the API\'s events only: no other IPC channel can be listened to from the page', () => {
  const { sandbox } = runPreload();
  const api = sandbox.contextBridge.mainWorld.api as { on(event: string, listener: () => void): () => void };
  for (const name of ['', 'toString', '__proto__', 'progress:x', 'api', '../log']) assert.throws(() => api.on(name, () => {}), { name: 'TypeError', message: `unknown event ${JSON.stringify(name)}` }, name);
  assert.deepEqual(sandbox.ipcRenderer.eventNames(), []);
});
