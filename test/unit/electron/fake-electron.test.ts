// The stand-in electron itself: the Electron behaviours the main-process tests rely on, pinned so the stand-in cannot drift into a friendlier Electron.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { scenario, type FakeElectron } from '../../helpers/fake-electron/index.ts';

const RENDERER_INDEX = fileURLToPath(new URL('../../../renderer/index.html', import.meta.url));
/** A module that imports nothing: the scenario gives a fresh stand-in without running the app. */
const NOTHING = new URL('data:text/javascript,export {}');

async function fresh(): Promise<FakeElectron> {
  return (await scenario(NOTHING)).fake;
}

test('net.fetch of a file: URL runs the webRequest listener and rejects with net::ERR_BLOCKED_BY_CLIENT when it cancels (spec "triggers webRequest handlers for file urls")', async () => {
  const fake = await fresh();
  fake.control.fireReady();
  const seen: string[] = [];
  fake.session.defaultSession.webRequest.onBeforeRequest((details, callback) => {
    seen.push(details.url as string);
    callback({ cancel: true });
  });
  const url = `file://${RENDERER_INDEX}`;
  await assert.rejects(fake.net.fetch(url), { message: 'net::ERR_BLOCKED_BY_CLIENT' });
  assert.deepEqual(seen, [url]);
  fake.session.defaultSession.webRequest.onBeforeRequest((_d, callback) => callback({}));
  const ok = await fake.net.fetch(url);
  assert.equal(ok.status, 200);
  await assert.rejects(fake.net.fetch(`file://${join(RENDERER_INDEX, '..', 'missing.html')}`), { message: 'net::ERR_FILE_NOT_FOUND' });
  await assert.rejects(fake.net.fetch('https://example.com/'), { message: 'net::ERR_INTERNET_DISCONNECTED' }, 'the stand-in never reaches the network');
});

test('before ready: session, net, protocol.handle and BrowserWindow throw; after ready: registerSchemesAsPrivileged and enableSandbox throw', async () => {
  const fake = await fresh();
  assert.throws(() => fake.session.defaultSession, { message: 'Session can only be received when app is ready' });
  assert.throws(() => fake.net.fetch('app://x/'), { message: 'net module can only be used after app is ready' });
  assert.throws(() => fake.protocol.handle('app', () => new Response('')), { message: 'Session can only be received when app is ready' });
  assert.throws(() => new fake.BrowserWindow({}), { message: 'Cannot create BrowserWindow before app is ready' });
  fake.protocol.registerSchemesAsPrivileged([{ scheme: 'app', privileges: { standard: true } }]);
  fake.app.enableSandbox();
  let readyEvents = 0;
  fake.app.on('ready', () => readyEvents++);
  fake.control.fireReady();
  fake.control.fireReady();
  assert.equal(readyEvents, 1, "'ready' is emitted once");
  await fake.app.whenReady();
  assert.throws(() => fake.protocol.registerSchemesAsPrivileged([{ scheme: 'late' }]), { message: 'protocol.registerSchemesAsPrivileged should be called before app is ready' });
  assert.throws(() => fake.app.enableSandbox(), { message: 'app.enableSandbox() can only be called before app is ready' });
  assert.deepEqual(fake.control.privilegedSchemes, [{ scheme: 'app', privileges: { standard: true } }]);
});

test('protocol.handle: a handler that throws, rejects or returns no Response fails the load with ERR_FAILED; a scheme is handled once', async () => {
  const fake = await fresh();
  fake.control.fireReady();
  for (const [scheme, handler] of [
    ['throws', () => { throw new Error('x'); }],
    ['rejects', () => Promise.reject(new Error('x'))],
    ['returns', () => ({ status: 200 }) as unknown as Response],
  ] as const) {
    fake.protocol.handle(scheme, handler as () => Response);
    const w = new fake.BrowserWindow({ show: false });
    await assert.rejects(w.loadURL(`${scheme}://host/index.html`), (e: Error & { code?: string; errno?: number }) => e.message === `ERR_FAILED (-2) loading '${scheme}://host/index.html'` && e.code === 'ERR_FAILED' && e.errno === -2);
    assert.equal(w.isVisible(), false, 'no ready-to-show after a failed load');
  }
  assert.throws(() => fake.protocol.handle('throws', () => new Response('')), { message: 'Failed to register protocol: throws' });
  // The handler gets a Request (GlobalRequest) and its Response is what the page gets.
  let got: unknown = null;
  fake.protocol.handle('good', (request) => {
    got = request;
    return new Response('<html><script src="/a.js"></script></html>', { headers: { 'content-type': 'text/html' } });
  });
  const w = new fake.BrowserWindow({ show: false });
  let shown = 0;
  w.on('ready-to-show', () => shown++);
  await w.loadURL('good://host/index.html');
  assert.ok(got instanceof Request);
  assert.equal(shown, 1);
  assert.deepEqual(w.webContents.subresources.map((r) => [r.url, r.resourceType, r.status]), [['good://host/a.js', 'script', 200]]);
});

test('a destroyed window: webContents and send throw "Object has been destroyed"; closing the last window quits unless window-all-closed is handled', async () => {
  const fake = await fresh();
  fake.control.fireReady();
  const w = new fake.BrowserWindow({});
  const contents = w.webContents;
  contents.send('event:x', { a: 1 });
  assert.deepEqual(contents.sent, [{ channel: 'event:x', args: [{ a: 1 }] }]);
  w.close();
  assert.equal(w.isDestroyed(), true);
  assert.equal(contents.isDestroyed(), true);
  assert.throws(() => w.webContents, { message: 'Object has been destroyed' });
  assert.throws(() => contents.send('event:x', {}), { message: 'Object has been destroyed' });
  assert.equal(fake.control.quitCount, 1, 'no window-all-closed listener: the default is to quit');
});

test('single-instance lock, ipcMain.handle once per channel, invoke events with a possibly null senderFrame, app.exit skips before-quit', async () => {
  const primary = await fresh();
  assert.equal(primary.app.requestSingleInstanceLock(), true);
  const second = await fresh();
  second.control.lockHeldByAnother = true;
  assert.equal(second.app.requestSingleInstanceLock(), false);
  assert.equal(second.app.hasSingleInstanceLock(), false);

  primary.control.fireReady();
  primary.ipcMain.handle('api', (event: unknown, ...args: unknown[]) => ({ frame: (event as { senderFrame: unknown }).senderFrame === null ? null : 'frame', args }));
  assert.throws(() => primary.ipcMain.handle('api', () => null), { message: "Attempted to register a second handler for 'api'" });
  const w = new primary.BrowserWindow({});
  assert.deepEqual(await primary.control.invoke('api', { sender: w.webContents, senderFrame: null }, 1, 'x'), { frame: null, args: [1, 'x'] });
  await assert.rejects(primary.control.invoke('nothing', { sender: w.webContents, senderFrame: w.webContents.mainFrame }), { message: "Error invoking remote method 'nothing': Error: No handler registered for 'nothing'" });

  let beforeQuit = 0;
  primary.app.on('before-quit', () => beforeQuit++);
  primary.app.exit(3);
  assert.equal(primary.control.exitCode, 3);
  assert.equal(beforeQuit, 0);
  assert.equal(w.isDestroyed(), true);
});
