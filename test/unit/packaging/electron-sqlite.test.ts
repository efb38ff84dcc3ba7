// The Electron-ABI SQLite build: the ABI check `npm start` runs before a window opens, and how every process finds its binding.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { bindingFor, electronBindingCachePath, resetSqliteBinding, sqliteBinding, SQLITE_BINDING_ENV } from '../../../electron/services/index/sqlite-binding.node.ts';
import { openCaseDatabase } from '../../../electron/services/index/writer.node.ts';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const NODE_BUILD = join(ROOT, 'node_modules/better-sqlite3/build/Release/better_sqlite3.node');

interface Target { electron: string; abi: string; platform: string; arch: string }
interface ElectronSqlite {
  electronTarget(root: string, platform?: string, arch?: string): Target;
  bindingCachePath(root: string, t: Target): string;
  bindingAbi(file: string): string | null;
  checkBinding(file: string, t: { electron: string; abi: string }): string | null;
}
const m = (await import(pathToFileURL(join(ROOT, 'scripts/electron-sqlite.mjs')).href)) as ElectronSqlite;

let dir = '';
let fakeRoot = '';
before(() => {
  dir = mkdtempSync(join(tmpdir(), 'sealcheck-electron-sqlite-'));
  // A checkout whose electron package claims an ABI that node_modules' build (Node's) is not.
  fakeRoot = join(dir, 'checkout');
  mkdirSync(join(fakeRoot, 'node_modules/electron'), { recursive: true });
  writeFileSync(join(fakeRoot, 'node_modules/electron/package.json'), JSON.stringify({ name: 'electron', version: '45.6.1' }));
  writeFileSync(join(fakeRoot, 'node_modules/electron/abi_version'), '150');
});
after(() => {
  rmSync(dir, { recursive: true, force: true });
  delete process.env[SQLITE_BINDING_ENV];
  resetSqliteBinding();
});

test('the ABI of a native module is read from its registration symbol', () => {
  assert.equal(m.bindingAbi(NODE_BUILD), process.versions.modules);
  writeFileSync(join(dir, 'not-native.node'), 'just text');
  assert.equal(m.bindingAbi(join(dir, 'not-native.node')), null);
});

test("start's check: node_modules' Node build against Electron's ABI is refused in one sentence", () => {
  const t = m.electronTarget(fakeRoot, 'linux', 'x64');
  assert.deepEqual(t, { electron: '45.6.1', abi: '150', platform: 'linux', arch: 'x64' });
  assert.equal(
    m.checkBinding(NODE_BUILD, t),
    `${NODE_BUILD} is built for ABI ${process.versions.modules} (Node ${process.versions.node}'s) but Electron 45.6.1 needs ABI 150; delete it and run \`npm start\` or \`npm run dist\` on a connected machine to build it.`,
  );
  assert.equal(m.checkBinding(NODE_BUILD, { electron: 'x', abi: process.versions.modules }), null);
  const missing = m.bindingCachePath(fakeRoot, t);
  assert.equal(m.checkBinding(missing, t), `${missing}: there is no better-sqlite3 build for Electron 45.6.1 (ABI 150); run \`npm start\` or \`npm run dist\` on a connected machine to build it.`);
  assert.equal(
    m.checkBinding(join(dir, 'not-native.node'), t),
    `${join(dir, 'not-native.node')} is not a Node native module (it has no node_register_module symbol); delete it and run \`npm start\` or \`npm run dist\` on a connected machine to build it.`,
  );
  for (const s of [m.checkBinding(NODE_BUILD, t), m.checkBinding(missing, t)]) assert.doesNotMatch(s!, /\n/);
});

test('the scripts and the app agree on the cache folder: one per Electron version, ABI, platform and arch', () => {
  const t = { electron: '45.6.1', abi: '150', platform: 'win32', arch: 'arm64' };
  assert.equal(m.bindingCachePath(fakeRoot, t), electronBindingCachePath(fakeRoot, t));
  assert.equal(m.bindingCachePath(fakeRoot, t), join(fakeRoot, '.cache/electron-sqlite/45.6.1-150-win32-arm64/better_sqlite3.node'));
  assert.throws(() => m.electronTarget(join(dir, 'nowhere')), /node_modules\/electron\/package\.json cannot be read: the electron package is not installed; run `npm ci`/);
});

test('under Node without the setting, node_modules\' own build is used; with it, exactly that file is', () => {
  delete process.env[SQLITE_BINDING_ENV];
  resetSqliteBinding();
  assert.equal(sqliteBinding(), undefined);
  process.env[SQLITE_BINDING_ENV] = NODE_BUILD;
  resetSqliteBinding();
  assert.equal(sqliteBinding(), NODE_BUILD);
  const db = openCaseDatabase(join(dir, 'case.sqlite'));
  assert.equal((db.prepare('SELECT count(*) AS n FROM entries').get() as { n: number }).n, 0);
  db.close();
});

test('a binding that is not there fails the open with one sentence naming it', () => {
  const gone = join(dir, 'gone', 'better_sqlite3.node');
  process.env[SQLITE_BINDING_ENV] = gone;
  resetSqliteBinding();
  assert.throws(() => openCaseDatabase(join(dir, 'other.sqlite')), {
    message: `${gone}: the SQLite module built for this Electron (ABI ${process.versions.modules}) is missing; run \`npm start\` or \`npm run dist\` on a connected machine to build it`,
  });
  assert.equal(existsSync(join(dir, 'other.sqlite')), false, 'nothing was created');
});

test('worker threads inherit the setting: openCaseDatabase in a worker loads the same binding', async () => {
  // The boot registers tsx in the thread (loader hooks are not inherited) and reports what opening a database did.
  const writer = new URL('../../../electron/services/index/writer.node.ts', import.meta.url).href;
  const inWorker = (dbPath: string) =>
    new Promise<string>((resolve, reject) => {
      const boot = `const { parentPort } = require('node:worker_threads');
        import('tsx/esm/api').then(async (api) => { api.register(); const { openCaseDatabase } = await import(${JSON.stringify(writer)});
          try { openCaseDatabase(${JSON.stringify(dbPath)}).close(); parentPort.postMessage('opened'); } catch (e) { parentPort.postMessage(e.message); } });`;
      const w = new Worker(boot, { eval: true });
      w.once('message', (m: string) => void w.terminate().then(() => resolve(m)));
      w.once('error', reject);
    });
  const gone = join(dir, 'gone-too', 'better_sqlite3.node');
  process.env[SQLITE_BINDING_ENV] = gone;
  assert.equal(await inWorker(join(dir, 'w1.sqlite')), `${gone}: the SQLite module built for this Electron (ABI ${process.versions.modules}) is missing; run \`npm start\` or \`npm run dist\` on a connected machine to build it`);
  process.env[SQLITE_BINDING_ENV] = NODE_BUILD;
  assert.equal(await inWorker(join(dir, 'w2.sqlite')), 'opened');
  assert.equal(existsSync(join(dir, 'w1.sqlite')), false);
  assert.equal(existsSync(join(dir, 'w2.sqlite')), true);
});

test('no module but sqlite-binding.node.ts opens SQLite itself, so none can bypass the binding', () => {
  const offenders: string[] = [];
  const walk = (d: string) => {
    for (const name of readdirSync(d)) {
      const p = join(d, name);
      if (statSync(p).isDirectory()) walk(p);
      else if (/\.(ts|mts|mjs)$/.test(name) && name !== 'sqlite-binding.node.ts') {
        const text = readFileSync(p, 'utf8');
        if (/new Database\(|^import (?!type )[^;]*from 'better-sqlite3'|require\(['"]better-sqlite3['"]\)/m.test(text)) offenders.push(p.slice(ROOT.length));
      }
    }
  };
  walk(join(ROOT, 'electron'));
  assert.deepEqual(offenders, []);
});

test('under Electron the main process decides: packaged → app.asar.unpacked/native, npm start → the cache; workers take what they inherit', () => {
  const rt = { configured: undefined, electron: '45.6.1', abi: '150', platform: 'linux', arch: 'x64', mainThread: true, resourcesPath: '/opt/Sealcheck/resources', defaultApp: undefined, root: '/src/sealcheck' };
  assert.equal(bindingFor(rt), '/opt/Sealcheck/resources/app.asar.unpacked/native/better_sqlite3.node');
  assert.equal(bindingFor({ ...rt, resourcesPath: '/src/sealcheck/node_modules/electron/dist/resources', defaultApp: true }), '/src/sealcheck/.cache/electron-sqlite/45.6.1-150-linux-x64/better_sqlite3.node');
  assert.equal(bindingFor({ ...rt, configured: '/chosen/better_sqlite3.node' }), '/chosen/better_sqlite3.node');
  assert.equal(bindingFor({ ...rt, mainThread: false, resourcesPath: undefined }), undefined);
  assert.equal(bindingFor({ ...rt, mainThread: false, configured: '/inherited.node' }), '/inherited.node');
  assert.equal(bindingFor({ ...rt, electron: undefined }), undefined, 'plain Node: node_modules\' own build');
});
