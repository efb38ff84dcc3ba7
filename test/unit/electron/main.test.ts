// The built Electron main process (dist/main.mjs) against the stand-in `electron`: start-up order, window, app:// protocol, offline rule, IPC, errors, lifecycle.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { cp, mkdir, mkdtemp, readFile, rm, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { CONTENT_SECURITY_POLICY } from '../../../shared/api.ts';
import { scenario, type FakeElectron } from '../../helpers/fake-electron/index.ts';
import type { FakeBrowserWindow, FakeMenuItem } from '../../helpers/fake-electron/electron.ts';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const DIST = join(ROOT, 'dist');
const MAIN = new URL('../../../dist/main.mjs', import.meta.url);
const PRELOAD = join(DIST, 'preload.cjs');

/** The main bundle is rebuilt when a main/preload/service source is newer; the renderer is built once (vite) when absent. */
function ensureBuilt(): void {
  const newest = (dir: string): number =>
    readdirSync(dir, { withFileTypes: true }).reduce((m, e) => Math.max(m, e.isDirectory() ? newest(join(dir, e.name)) : statSync(join(dir, e.name)).mtimeMs), 0);
  const built = existsSync(fileURLToPath(MAIN)) ? statSync(fileURLToPath(MAIN)).mtimeMs : 0;
  if (built < Math.max(newest(join(ROOT, 'electron')), newest(join(ROOT, 'shared')))) {
    const r = spawnSync(process.execPath, ['scripts/build.mjs'], { cwd: ROOT, stdio: 'inherit' });
    assert.equal(r.status, 0, 'scripts/build.mjs failed');
  }
  if (!existsSync(join(DIST, 'renderer', 'index.html'))) {
    const r = spawnSync(process.execPath, ['node_modules/vite/bin/vite.js', 'build', '--logLevel', 'warn'], { cwd: ROOT, stdio: 'inherit' });
    assert.equal(r.status, 0, 'vite build failed');
  }
}

const scenarios: FakeElectron[] = [];
let work = '';

async function until(what: string, check: () => boolean, timeoutMs = 10_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

/** Imports the built main with a fresh stand-in; nothing has happened past the module's top level yet. */
async function load(setup: (fake: FakeElectron) => void = () => {}): Promise<FakeElectron> {
  const { fake } = await scenario(MAIN, setup);
  scenarios.push(fake);
  return fake;
}

/** Loads main, fires `ready`, and waits until the window is shown or the start failed. */
async function started(setup: (fake: FakeElectron) => void = () => {}): Promise<{ fake: FakeElectron; window: FakeBrowserWindow }> {
  const fake = await load(setup);
  fake.control.fireReady();
  await until('the window to show or the start to fail', () => fake.control.windows[0]?.visible === true || fake.control.exitCode !== null);
  return { fake, window: fake.control.windows[0]! };
}

const mainFrameOf = (w: FakeBrowserWindow) => ({ sender: w.webContents, senderFrame: w.webContents.mainFrame });

before(async () => {
  ensureBuilt();
  work = await mkdtemp(join(tmpdir(), 'sealcheck-main-'));
});
after(async () => {
  for (const fake of scenarios) {
    if (fake.control.exitCode === null) fake.app.quit();
    for (const p of Object.values(fake.control.paths)) await rm(p, { recursive: true, force: true });
  }
  await rm(work, { recursive: true, force: true });
});

test('before ready: the app scheme is privileged, the sandbox enabled and the single-instance lock taken; nothing else yet', async () => {
  const fake = await load();
  assert.deepEqual(fake.control.calls, ['registerSchemesAsPrivileged', 'enableSandbox', 'requestSingleInstanceLock']);
  assert.deepEqual(fake.control.privilegedSchemes, [{ scheme: 'app', privileges: { standard: true, secure: true, supportFetchAPI: true } }]);
  assert.equal(fake.control.windows.length, 0);
  assert.equal(fake.control.protocolHandlers.size, 0);
  fake.control.fireReady();
  await until('the window', () => fake.control.windows[0]?.visible === true);
  assert.deepEqual([...fake.control.protocolHandlers.keys()], ['app']);
});

test('the window: every webPreferences value, hidden until ready-to-show, window opening and navigation denied', async () => {
  const { fake, window } = await started();
  assert.equal(fake.control.windows.length, 1);
  assert.deepEqual(window.options.webPreferences, {
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
    enableBlinkFeatures: '',
    navigateOnDragDrop: false,
    safeDialogs: true,
    spellcheck: false,
    devTools: true,
  });
  assert.equal(window.options.show, false);
  assert.equal(window.isVisible(), true, 'shown on ready-to-show');
  assert.deepEqual(window.webContents.windowOpenHandler!({ url: 'https://example.com/' }), { action: 'deny' });
  for (const event of ['will-navigate', 'will-redirect']) {
    const e = { defaultPrevented: false, preventDefault() { this.defaultPrevented = true; } };
    window.webContents.emit(event, e, 'https://example.com/');
    assert.equal(e.defaultPrevented, true, `${event} is prevented`);
  }
  assert.equal(window.webContents.getURL(), 'app://sealcheck/index.html');
});

test('the window loads its page and every script and stylesheet through the session, as Chromium would (the blank-window bug)', async () => {
  // Against the old main.ts this fails: its handler fetched file:// with net.fetch, the offline rule cancelled that,
  // net.fetch rejected with net::ERR_BLOCKED_BY_CLIENT, the handler rejected, loadURL rejected and no window was shown.
  const { fake, window } = await started();
  assert.equal(fake.control.exitCode, null);
  assert.deepEqual(fake.control.errorBoxes, []);
  const page = fake.control.requests.find((r) => r.resourceType === 'mainFrame')!;
  assert.deepEqual(page, { url: 'app://sealcheck/index.html', resourceType: 'mainFrame', status: 200, contentType: 'text/html; charset=utf-8', csp: CONTENT_SECURITY_POLICY });
  const subs = window.webContents.subresources;
  assert.ok(subs.some((r) => r.resourceType === 'script') && subs.some((r) => r.resourceType === 'stylesheet'), JSON.stringify(subs));
  for (const r of subs) {
    assert.equal(r.error, undefined, `${r.url} failed`);
    assert.equal(r.status, 200, r.url);
  }
  assert.deepEqual(fake.control.requests.filter((r) => r.error), []);
});

test('app:// answers files of the renderer folder with their content type, the CSP and nosniff; everything else is 404 and nothing throws', async () => {
  const { fake } = await started();
  const handler = fake.control.protocolHandlers.get('app')!;
  const get = async (url: string, method = 'GET') => handler(new Request(url, { method }));

  const index = await get('app://sealcheck/index.html');
  assert.equal(index.status, 200);
  assert.equal(index.headers.get('content-type'), 'text/html; charset=utf-8');
  assert.equal(index.headers.get('content-security-policy'), CONTENT_SECURITY_POLICY);
  assert.equal(index.headers.get('x-content-type-options'), 'nosniff');
  assert.match(await index.text(), /<div id="root">/);

  const assets = readdirSync(join(DIST, 'renderer', 'assets'));
  const js = assets.find((f) => f.endsWith('.js'))!;
  const css = assets.find((f) => f.endsWith('.css'))!;
  for (const [file, type] of [[js, 'text/javascript; charset=utf-8'], [css, 'text/css; charset=utf-8'], ['../favicon.svg', 'image/svg+xml']] as const) {
    const r = await get(`app://sealcheck/assets/${file}`);
    assert.equal(r.status, 200, file);
    assert.equal(r.headers.get('content-type'), type, file);
    assert.equal(r.headers.get('content-security-policy'), CONTENT_SECURITY_POLICY, file);
    const bytes = new Uint8Array(await r.arrayBuffer());
    assert.equal(createHash('sha256').update(bytes).digest('hex'), createHash('sha256').update(await readFile(join(DIST, 'renderer', 'assets', file))).digest('hex'), `${file} is served byte for byte`);
  }
  assert.equal((await get('app://sealcheck/')).status, 200, 'the root is index.html');

  const outside = [
    'app://sealcheck/../../../../etc/passwd', // the URL parser folds .. away: /etc/passwd is not in the renderer folder
    'app://sealcheck/..%2f..%2f..%2fetc%2fpasswd', // encoded separators reach the guard
    'app://sealcheck/%2e%2e/%2e%2e/package.json',
    'app://sealcheck/assets/%2e%2e%2f%2e%2e%2fmain.mjs', // dist/main.mjs, one level above the renderer
    'app://sealcheck/..%5c..%5cmain.mjs', // backslashes
    'app://sealcheck/index.html%00.png',
    'app://sealcheck/%E0%A4%A', // malformed percent-encoding
    'app://evil.example/index.html',
    'app://SEALCHECK.evil/index.html',
    'app://sealcheck/assets/', // a directory
    'app://sealcheck/assets',
    'app://sealcheck/no-such-file.js',
  ];
  for (const url of outside) {
    const r = await get(url);
    assert.equal(r.status, 404, url);
    assert.equal(r.headers.get('content-security-policy'), null, url);
  }
  assert.equal((await get('app://sealcheck/index.html', 'POST')).status, 404, 'only GET and HEAD');
  assert.equal((await get('app://sealcheck/index.html', 'HEAD')).status, 200);
  // A request object whose url getter throws stands for anything unexpected: still an answer, never a rejection.
  const broken = { get url(): string { throw new Error('boom'); }, method: 'GET' } as unknown as Request;
  assert.equal((await handler(broken)).status, 404);
});

test('offline: the session cancels http(s), ws(s) and file: (net.fetch of file: is blocked as Electron ≥ 42 does), never app://; every permission is denied', async () => {
  const { fake } = await started();
  for (const url of ['https://example.com/', 'http://127.0.0.1:8080/api', 'wss://example.com/socket', 'ws://localhost/', 'ftp://example.com/', `file://${join(DIST, 'renderer', 'index.html')}`, 'blob:app://sealcheck/x']) {
    await assert.rejects(fake.net.fetch(url), { message: 'net::ERR_BLOCKED_BY_CLIENT' }, url);
  }
  const own = await fake.net.fetch('app://sealcheck/index.html');
  assert.equal(own.status, 200);
  assert.equal(await fake.session.defaultSession.askPermission('media'), false);
  assert.equal(await fake.session.defaultSession.askPermission('notifications'), false);
  assert.equal(fake.session.defaultSession.checkPermission('clipboard-read'), false);
});

test('a development build may open DevTools (devtools: passes); the shipped app cannot', async () => {
  const dev = await started();
  const devtools = await dev.fake.control.request('devtools://devtools/bundled/inspector.html').catch((e: Error) => e.message);
  assert.equal(devtools, 'net::ERR_UNKNOWN_URL_SCHEME', 'passed the offline rule (the fake has no devtools: handler)');
  assert.ok(dev.fake.control.applicationMenu!.all().some((i) => i.role === 'toggleDevTools'));
});

test('the packaged app: DevTools off in webPreferences and absent from the menu; the menu has Edit roles, Help → About and Validate installation', async () => {
  const { fake, window } = await started((f) => void (f.control.packaged = true));
  assert.equal((window.options.webPreferences as { devTools: boolean }).devTools, false);
  const menu = fake.control.applicationMenu!;
  assert.ok(menu, 'an application menu replaces the default one (whose View menu has Toggle Developer Tools)');
  const roles = menu.all().map((i) => i.role).filter(Boolean);
  for (const forbidden of ['toggleDevTools', 'reload', 'forceReload']) assert.ok(!roles.includes(forbidden), `${forbidden} in the packaged menu`);
  const top = (label: string) => menu.items.find((i) => i.label === label || i.role === label.toLowerCase())!;
  assert.deepEqual(top('Edit').submenu!.map((i) => i.role ?? i.type), ['undo', 'redo', 'separator', 'cut', 'copy', 'paste', 'selectAll']);
  const file = top('File').submenu!.map((i) => i.role ?? i.type);
  assert.ok(file.includes('close') && (file.includes('quit') || process.platform === 'darwin'), JSON.stringify(file));
  const help = top('Help').submenu as FakeMenuItem[];
  assert.deepEqual(help.map((i) => i.role ?? i.label ?? i.type), ['Validate installation…', 'separator', 'about']);
  assert.equal(typeof help[0]!.click, 'function');
  assert.deepEqual(fake.control.aboutPanel, { applicationName: 'Sealcheck', applicationVersion: fake.app.getVersion(), copyright: 'Apache-2.0', credits: 'Offline verifier for sealed Kubernetes audit-log archives.' });
  await assert.rejects(fake.control.request('devtools://devtools/bundled/inspector.html'), { message: 'net::ERR_BLOCKED_BY_CLIENT' });
});

test('IPC is answered for the app window\'s main frame only: another frame, a gone (null) frame, another page or another webContents is refused', async () => {
  const { fake, window } = await started();
  const ok = (await fake.control.invoke('api', mainFrameOf(window), 'appInfo', [])) as { ok: boolean; value: { version: string; offline: boolean } };
  assert.equal(ok.ok, true);
  assert.equal(ok.value.offline, true);
  const forbidden = { ok: false, error: { code: 'forbidden', message: 'this call did not come from the Sealcheck window' } };
  const contents = window.webContents;
  const stranger = new (await import('../../helpers/fake-electron/electron.ts')).FakeWebContents();
  stranger.mainFrame.url = 'app://sealcheck/index.html';
  const page = contents.childFrame('https://example.com/');
  const sameOriginChild = contents.childFrame('app://sealcheck/index.html');
  for (const [label, from] of [
    ['a subframe from elsewhere', { sender: contents, senderFrame: page }],
    ['a subframe of the app origin', { sender: contents, senderFrame: sameOriginChild }],
    ['a frame that is gone', { sender: contents, senderFrame: null }],
    ['another webContents', { sender: stranger, senderFrame: stranger.mainFrame }],
  ] as const) {
    assert.deepEqual(await fake.control.invoke('api', from, 'appInfo', []), forbidden, label);
  }
  contents.mainFrame.url = 'data:text/html,hi';
  assert.deepEqual(await fake.control.invoke('api', mainFrameOf(window), 'appInfo', []), forbidden, 'the main frame after leaving app://');
  contents.mainFrame.url = 'app://sealcheck/index.html';
  // Arguments are still validated after the sender check.
  const bad = (await fake.control.invoke('api', mainFrameOf(window), 'noSuchMethod', [])) as { ok: boolean; error: { code: string } };
  assert.deepEqual(bad.error.code, 'bad-request');
});

test('progress events reach the live window, and a job that outlives its window ends without throwing (no send to a destroyed webContents)', async () => {
  const { fake, window } = await started();
  const big = join(work, 'big.tar');
  await writeFile(big, '');
  await truncate(big, 24 * 1024 * 1024);
  const zeros = createHash('sha256').update(Buffer.alloc(24 * 1024 * 1024)).digest('hex');
  const created = (await fake.control.invoke('api', mainFrameOf(window), 'createCase', [{ caseNumber: 'T-1', title: '', requestingParty: '', examinerName: 'Ada', examinerRole: '', organisation: '' }])) as { ok: true; value: { folder: string } };
  assert.equal(created.ok, true);
  const folder = created.value.folder;

  const first = (await fake.control.invoke('api', mainFrameOf(window), 'inspectArchive', [folder, big, 'job-live'])) as { ok: boolean; value: { sha256: string } };
  assert.equal(first.value.sha256, zeros);
  const progress = window.webContents.sent.filter((s) => s.channel === 'event:progress');
  assert.ok(progress.length > 0, 'progress was sent to the window');
  assert.equal((progress[0]!.args[0] as { jobId: string }).jobId, 'job-live');

  // Keep the app alive after its last window closes (as on macOS, or while a quit is slow), so the job runs on.
  fake.app.removeAllListeners('window-all-closed');
  fake.app.on('window-all-closed', () => undefined);
  const contents = window.webContents;
  const sentBefore = contents.sent.length;
  const uncaught: unknown[] = [];
  const onUncaught = (e: unknown) => uncaught.push(e);
  process.on('uncaughtException', onUncaught);
  try {
    const job = fake.control.invoke('api', mainFrameOf(window), 'inspectArchive', [folder, big, 'job-orphan']);
    window.close();
    assert.equal(window.isDestroyed(), true);
    const r = (await job) as { ok: boolean; value: { sha256: string } };
    assert.equal(r.ok, true);
    assert.equal(r.value.sha256, zeros);
    await new Promise((resolve) => setTimeout(resolve, 50));
  } finally {
    process.off('uncaughtException', onUncaught);
  }
  assert.deepEqual(uncaught, []);
  assert.equal(contents.sent.length, sentBefore, 'nothing was sent after the window closed');
});

test('a second instance quits before it opens anything, and the first comes to the front (restored and focused)', async () => {
  const { fake, window } = await started();
  window.minimize();
  fake.control.secondInstance(['/opt/Sealcheck/sealcheck'], '/home/examiner');
  assert.equal(window.isMinimized(), false);
  assert.equal(window.isVisible(), true);
  assert.equal(window.focusCount, 1);

  const second = await load((f) => void (f.control.lockHeldByAnother = true));
  assert.deepEqual(second.control.calls, ['registerSchemesAsPrivileged', 'enableSandbox', 'requestSingleInstanceLock', 'quit']);
  second.control.fireReady();
  await new Promise((r) => setTimeout(r, 50));
  assert.equal(second.control.windows.length, 0);
  assert.equal(second.control.protocolHandlers.size, 0);
  assert.deepEqual(second.control.errorBoxes, []);
});

test('a failing start shows one error sentence and exits with 1: a path Electron cannot give', async () => {
  const { fake } = await started((f) => {
    const getPath = f.app.getPath.bind(f.app);
    // electron_api_app.cc: getPath throws "Failed to get '<name>' path" when the platform has no such folder.
    f.app.getPath = (name: string) => {
      if (name === 'documents') throw new Error("Failed to get 'documents' path");
      return getPath(name);
    };
  });
  assert.equal(fake.control.exitCode, 1);
  assert.deepEqual(fake.control.errorBoxes, [{ title: 'Sealcheck could not start', content: "Sealcheck could not start: Failed to get 'documents' path." }]);
  assert.equal(fake.control.windows.length, 0);
});

test('a failing start shows one error sentence and exits with 1: the page does not load', async () => {
  const { fake } = await started((f) => {
    // Stands for any failed load (a damaged app.asar, an aborted navigation): main's handler is swapped for one that rejects, which Electron turns into ERR_FAILED.
    const handle = f.protocol.handle.bind(f.protocol);
    f.protocol.handle = (scheme, handler) => handle(scheme, scheme === 'app' ? () => Promise.reject(new Error('disk gone')) : handler);
  });
  assert.equal(fake.control.exitCode, 1);
  assert.deepEqual(fake.control.errorBoxes, [{ title: 'Sealcheck could not start', content: "Sealcheck could not start: ERR_FAILED (-2) loading 'app://sealcheck/index.html'." }]);
  const w = fake.control.windows[0]!;
  assert.equal(w.isDestroyed(), true, 'app.exit closed the hidden window');
  assert.equal(w.visible, false, 'never shown');
});

test('a crashed renderer offers Reload; a clean exit asks nothing; hangs are logged', async () => {
  const { fake, window } = await started((f) => void (f.control.messageBoxResponse = 0));
  window.webContents.emit('render-process-gone', {}, { reason: 'clean-exit', exitCode: 0 });
  assert.equal(fake.control.messageBoxes.length, 0);
  window.webContents.emit('render-process-gone', {}, { reason: 'crashed', exitCode: 139 });
  await until('the reload', () => window.webContents.reloads === 1);
  assert.equal(fake.control.messageBoxes.length, 1);
  assert.deepEqual((fake.control.messageBoxes[0]!.options as { buttons: string[] }).buttons, ['Reload', 'Quit']);
  assert.equal(fake.control.messageBoxes[0]!.parent, window);
  window.emit('unresponsive');
  window.emit('responsive');
  fake.app.emit('child-process-gone', {}, { type: 'GPU', reason: 'crashed', exitCode: 1 });
  assert.equal(window.isDestroyed(), false);
});

test('revealFile is wired to the shell in the app, and refuses a file Sealcheck did not write in this session', async () => {
  const { fake, window } = await started();
  const r = (await fake.control.invoke('api', mainFrameOf(window), 'revealFile', ['/etc/passwd', 'open'])) as { ok: boolean; error: { code: string } };
  assert.equal(r.error.code, 'not-allowed', 'not "unavailable": main gave the handlers a reveal hook');
  const url = (await fake.control.invoke('api', mainFrameOf(window), 'revealFile', ['https://example.com/x.pdf', 'folder'])) as { ok: boolean; error: { code: string } };
  assert.equal(url.ok, false);
  assert.deepEqual(fake.control.shell, []);
});

test('quitting closes the handlers, and a quit after the window is gone does not throw', async () => {
  const { fake, window } = await started();
  window.close();
  assert.equal(fake.control.quitCount, 1, 'the last window closing quits');
  assert.equal(fake.control.exitCode, null);
  fake.app.quit();
});

/** Runs main as `Sealcheck --self-test --out FILE`: no window, and the exit code is the self-test's. */
async function selfTestRun(out: string, resourcesPath?: string): Promise<FakeElectron> {
  const argv = process.argv;
  const proc = process as NodeJS.Process & { resourcesPath?: string };
  const saved = proc.resourcesPath;
  process.argv = [process.execPath, '--self-test', '--out', out];
  if (resourcesPath) proc.resourcesPath = resourcesPath;
  try {
    const fake = await load();
    assert.deepEqual(fake.control.calls, ['registerSchemesAsPrivileged', 'enableSandbox'], 'no single-instance lock: a validation may run beside an open app');
    fake.control.fireReady();
    await until('the self-test to exit', () => fake.control.exitCode !== null, 60_000);
    assert.equal(fake.control.windows.length, 0, 'no window');
    assert.equal(fake.control.applicationMenu, null);
    assert.equal(fake.control.protocolHandlers.size, 0);
    return fake;
  } finally {
    process.argv = argv;
    if (resourcesPath) proc.resourcesPath = saved;
  }
}

test('--self-test runs the bundled cases without a window, writes the record and exits 0 when every case matched', async () => {
  const out = join(work, 'validation.json');
  const fake = await selfTestRun(out);
  assert.equal(fake.control.exitCode, 0);
  const record = JSON.parse(await readFile(out, 'utf8')) as { passed: boolean; cases: { name: string; match: boolean }[] };
  assert.equal(record.passed, true);
  assert.deepEqual(record.cases.map((c) => [c.name, c.match]), readdirSync(join(ROOT, 'resources', 'self-test')).filter((n) => /^\d\d-/.test(n)).sort().map((n) => [n, true]));
});

test('--self-test exits 1 when a case does not give its expected verdict (cases of a packaged app under process.resourcesPath)', async () => {
  const resources = join(work, 'resources');
  // One case is enough to see the exit code follow the result (and keeps the test short).
  for (const part of ['keys', '01-clean']) await cp(join(ROOT, 'resources', 'self-test', part), join(resources, 'self-test', part), { recursive: true });
  const expected = join(resources, 'self-test', '01-clean', 'expected.json');
  const spec = JSON.parse(await readFile(expected, 'utf8')) as { expected: { verdict: string } };
  spec.expected.verdict = 'failed';
  await writeFile(expected, JSON.stringify(spec, null, 2));
  const out = join(work, 'validation-failed.json');
  const fake = await selfTestRun(out, resources);
  assert.equal(fake.control.exitCode, 1);
  const record = JSON.parse(await readFile(out, 'utf8')) as { passed: boolean; casesDir: string; cases: { name: string; match: boolean }[] };
  assert.equal(record.passed, false);
  assert.equal(record.casesDir, join(resources, 'self-test'));
  assert.deepEqual(record.cases.filter((c) => !c.match).map((c) => c.name), ['01-clean']);
});

test('Help → Validate installation runs the self-test through the handler table and shows the result with the record, which it can show in its folder', async () => {
  const resources = join(work, 'resources-one-case');
  await cp(join(ROOT, 'resources', 'self-test', 'keys'), join(resources, 'self-test', 'keys'), { recursive: true });
  await cp(join(ROOT, 'resources', 'self-test', '01-clean'), join(resources, 'self-test', '01-clean'), { recursive: true });
  const { fake, window } = await started((f) => void (f.control.messageBoxResponse = 0));
  const proc = process as NodeJS.Process & { resourcesPath?: string };
  const saved = proc.resourcesPath;
  proc.resourcesPath = resources;
  try {
    const item = fake.control.applicationMenu!.all().find((i) => i.id === 'validate-installation')!;
    item.click!();
    await until('the result box', () => fake.control.messageBoxes.length === 1, 60_000);
  } finally {
    proc.resourcesPath = saved;
  }
  const box = fake.control.messageBoxes[0]!;
  assert.equal(box.parent, window);
  const options = box.options as { type: string; message: string; detail: string; buttons: string[] };
  assert.equal(options.type, 'info');
  assert.equal(options.message, 'This installation works: every bundled case gave its expected verdict.');
  assert.deepEqual(options.buttons, ['Show record', 'Close']);
  const record = /Validation record: (.+)$/.exec(options.detail)![1]!;
  assert.match(record, /Sealcheck validation\/sealcheck-self-test-\d{8}T\d{6}Z\.json$/);
  assert.ok(record.startsWith(fake.control.paths.documents!), 'in Documents');
  const parsed = JSON.parse(await readFile(record, 'utf8')) as { passed: boolean; cases: { name: string }[] };
  assert.equal(parsed.passed, true);
  assert.deepEqual(parsed.cases.map((c) => c.name), ['01-clean']);
  await until('the record shown in its folder', () => fake.control.shell.length === 1);
  assert.deepEqual(fake.control.shell, [{ call: 'showItemInFolder', target: record }]);
});

test('a failing start shows one error sentence and exits with 1: the renderer was never built (or is missing from the package)', async () => {
  // The same bundle from a folder without renderer/ (inside the checkout, so its packages still resolve).
  const bare = join(ROOT, 'test-results', 'main-without-renderer');
  await rm(bare, { recursive: true, force: true });
  await mkdir(bare, { recursive: true });
  await cp(fileURLToPath(MAIN), join(bare, 'main.mjs'));
  try {
    const { fake } = await scenario(pathToFileURL(join(bare, 'main.mjs')));
    scenarios.push(fake);
    fake.control.fireReady();
    await until('the start to fail', () => fake.control.exitCode !== null);
    assert.equal(fake.control.exitCode, 1);
    assert.deepEqual(fake.control.errorBoxes, [{ title: 'Sealcheck could not start', content: `Sealcheck could not start: its window's page is missing (${join(bare, 'renderer', 'index.html')}); reinstall the app, or build it with npm start.` }]);
    assert.equal(fake.control.windows.length, 0);
  } finally {
    await rm(bare, { recursive: true, force: true });
  }
});
