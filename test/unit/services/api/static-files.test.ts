// The one table and the one guard behind app:// and the UI-test bridge: content types, the path guard, and 404 for everything it refuses.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CONTENT_SECURITY_POLICY } from '../../../../shared/api.ts';
import { CONTENT_TYPES, contentTypeOf, readStatic, safeJoin } from '../../../../electron/services/api/static-files.node.ts';

let dir = '';
let root = '';

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sealcheck-static-'));
  root = join(dir, 'renderer');
  await mkdir(join(root, 'assets'), { recursive: true });
  await writeFile(join(root, 'index.html'), '<!doctype html><div id="root"></div>');
  await writeFile(join(root, 'assets', 'app.js'), 'export {};');
  await writeFile(join(root, 'assets', 'app.css'), 'body{}');
  await writeFile(join(root, 'assets', 'data.bin'), new Uint8Array([0, 1, 2]));
  await writeFile(join(dir, 'secret.txt'), 'not served');
  await writeFile(join(dir, 'renderer-sibling.txt'), 'not served either');
});
after(() => rm(dir, { recursive: true, force: true }));

test('safeJoin keeps every path inside the root, or gives null', () => {
  assert.equal(safeJoin(root, '/'), join(root, 'index.html'));
  assert.equal(safeJoin(root, '/assets/app.js?v=1#x'), join(root, 'assets', 'app.js'));
  assert.equal(safeJoin(root, '/assets/../index.html'), join(root, 'index.html'));
  assert.equal(safeJoin(root, '/a%20b.js'), join(root, 'a b.js'));
  for (const bad of ['/../secret.txt', '/..%2fsecret.txt', '/%2e%2e/secret.txt', '/assets/%2e%2e/%2e%2e/secret.txt', '/..%5csecret.txt', '/index.html%00.js', '/%E0%A4%A', '/../renderer-sibling.txt', '/..', '/.']) {
    assert.equal(safeJoin(root, bad), null, bad);
  }
});

test('readStatic: 200 with the type from the one table, the CSP and nosniff; 404 for folders, missing files and anything outside', async () => {
  for (const [path, type] of [['/index.html', 'text/html; charset=utf-8'], ['/assets/app.js', 'text/javascript; charset=utf-8'], ['/assets/app.css', 'text/css; charset=utf-8'], ['/assets/data.bin', 'application/octet-stream']] as const) {
    const a = await readStatic(root, path);
    assert.equal(a.status, 200, path);
    assert.deepEqual(a.headers, { 'Content-Type': type, 'Content-Security-Policy': CONTENT_SECURITY_POLICY, 'X-Content-Type-Options': 'nosniff' }, path);
  }
  assert.deepEqual([...(await readStatic(root, '/assets/data.bin')).body!], [0, 1, 2]);
  for (const path of ['/assets', '/assets/', '/missing.js', '/../secret.txt', '/%2e%2e/secret.txt']) {
    const a = await readStatic(root, path);
    assert.equal(a.status, 404, path);
    assert.equal(a.body, null);
  }
  assert.equal(contentTypeOf('X.SVG'), 'image/svg+xml');
  assert.equal(CONTENT_TYPES['.woff2'], 'font/woff2');
});
