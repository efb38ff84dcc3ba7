// The real electron-builder --dir pack (stand-in Electron, no rebuild, no afterPack): what app.asar holds, and that the packed tree works under Node.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { chmodSync, cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { openArchive } from '../../../electron/services/archive.node.ts';
import { nodeHashing } from '../../../electron/services/crypto.node.ts';
import { runSegmentJob, type SegmentJob, type SegmentJobResult } from '../../../electron/services/segment-job.node.ts';
import type { WorkerReply } from '../../../electron/services/worker-pool.node.ts';
import { parseManifest } from '../../../shared/core/manifest.ts';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const require = createRequire(join(ROOT, 'package.json'));
const asar = require('@electron/asar') as {
  listPackage(archive: string, options: { isPack: boolean }): string[];
  statFile(archive: string, filename: string): { unpacked?: boolean; size?: number };
  extractAll(archive: string, dest: string): void;
};
const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { dependencies: Record<string, string>; devDependencies: Record<string, string> };

let dir = '';
let resources = '';
let entries: string[] = [];
let extracted = '';

before(async () => {
  const esbuild = spawnSync(process.execPath, [join(ROOT, 'scripts/build.mjs')], { cwd: ROOT, encoding: 'utf8' });
  assert.equal(esbuild.status, 0, esbuild.stderr);
  const vite = spawnSync(process.execPath, [join(ROOT, 'node_modules/vite/bin/vite.js'), 'build', '--logLevel', 'error'], { cwd: ROOT, encoding: 'utf8' });
  assert.equal(vite.status, 0, vite.stderr);
  dir = await mkdtemp(join(tmpdir(), 'sealcheck-pack-'));
  // Pack a snapshot of the checkout, so a build running meanwhile cannot change files under electron-builder.
  const project = join(dir, 'project');
  mkdirSync(project);
  for (const f of ['package.json', 'package-lock.json', 'electron-builder.yml', 'dist', 'resources']) cpSync(join(ROOT, f), join(project, f), { recursive: true });
  // node_modules as a hard-linked copy (instant, same file system), not a symlink: behind a symlinked node_modules whose
  // hidden lockfile is stale (any write into node_modules after `npm ci`, as on a fresh CI clone), `npm list` reports
  // each package as a link with its devDependencies, and electron-builder then packs pdfkit without its dependencies.
  const cp = spawnSync('cp', ['-al', join(ROOT, 'node_modules'), join(project, 'node_modules')], { encoding: 'utf8' });
  assert.equal(cp.status, 0, cp.stderr);
  // A stand-in for Electron's unpacked Linux zip: the files electron-builder copies and renames.
  const electronDist = join(dir, 'electron-dist');
  mkdirSync(join(electronDist, 'resources'), { recursive: true });
  writeFileSync(join(electronDist, 'electron'), '#!/bin/sh\necho stand-in electron\n');
  chmodSync(join(electronDist, 'electron'), 0o755);
  writeFileSync(join(electronDist, 'LICENSE'), 'stand-in\n');
  writeFileSync(join(electronDist, 'version'), `${JSON.parse(readFileSync(join(ROOT, 'node_modules/electron/package.json'), 'utf8')).version}\n`);
  const script = `
    import { createRequire } from 'node:module';
    const require = createRequire(${JSON.stringify(join(ROOT, 'package.json'))});
    const { build, Platform, Arch } = require('electron-builder');
    await build({ projectDir: ${JSON.stringify(project)}, publish: 'never', targets: Platform.LINUX.createTarget('dir', Arch.x64),
      config: { electronDist: ${JSON.stringify(electronDist)}, afterPack: null, npmRebuild: false, directories: { output: ${JSON.stringify(join(dir, 'out'))} } } });`;
  // Under plain Node the packed tree must run with a Node-ABI build: node_modules' own stands in for the Electron one.
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], {
    cwd: project, encoding: 'utf8', env: { ...process.env, SEALCHECK_ELECTRON_SQLITE_DIR: 'node_modules/better-sqlite3/build/Release' },
  });
  assert.equal(r.status, 0, `electron-builder --dir failed:\n${r.stdout}\n${r.stderr}`);
  resources = join(dir, 'out', 'linux-unpacked', 'resources');
  entries = asar.listPackage(join(resources, 'app.asar'), { isPack: false }).map((e) => e.replace(/\\/g, '/'));
  extracted = join(resources, 'app');
  asar.extractAll(join(resources, 'app.asar'), extracted);
});
after(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

test('app.asar holds the main process, preload, workers, CLI, renderer and package.json', () => {
  for (const f of ['/package.json', '/dist/main.mjs', '/dist/preload.cjs', '/dist/cli.mjs', '/dist/segment.worker.mjs', '/dist/index-writer.worker.mjs', '/dist/job.worker.mjs', '/dist/renderer/index.html']) {
    assert.ok(entries.includes(f), `${f} is packed`);
  }
  const assets = entries.filter((e) => e.startsWith('/dist/renderer/assets/'));
  assert.ok(assets.some((e) => e.endsWith('.js')) && assets.some((e) => e.endsWith('.css')), `renderer assets: ${assets.join(', ')}`);
  // Every asset index.html names is packed.
  const html = readFileSync(join(extracted, 'dist/renderer/index.html'), 'utf8');
  const referenced = [...html.matchAll(/(?:src|href)="\.\/([^"]+)"/g)].map((m) => `/dist/renderer/${m[1]}`);
  assert.ok(referenced.length >= 2, html);
  for (const f of referenced) assert.ok(entries.includes(f), `${f} (referenced by index.html) is packed`);
  assert.deepEqual(entries.filter((e) => e.endsWith('.map')), [], 'no source maps');
});

test('pdfkit and its runtime dependencies are packed; no devDependency, no deps/ or src/ sources, no test extension', () => {
  for (const name of Object.keys(pkg.dependencies)) assert.ok(entries.includes(`/node_modules/${name}/package.json`), `${name} is packed`);
  for (const name of ['fontkit', 'linebreak', 'png-js', 'fflate']) assert.ok(entries.includes(`/node_modules/${name}/package.json`), `pdfkit needs ${name}`);
  assert.ok(entries.some((e) => e.startsWith('/node_modules/pdfkit/js/data/') && e.endsWith('.afm')), 'pdfkit reads its AFM data files at run time');
  // A devDependency's name may appear only as another version that a production dependency needs (pdfkit's @noble/hashes 1.x).
  for (const name of Object.keys(pkg.devDependencies)) {
    if (!entries.includes(`/node_modules/${name}/package.json`)) continue;
    const version = (p: string) => (JSON.parse(readFileSync(p, 'utf8')) as { version: string }).version;
    assert.notEqual(version(join(extracted, 'node_modules', name, 'package.json')), version(join(ROOT, 'node_modules', name, 'package.json')), `devDependency ${name} must not be packed`);
  }
  for (const e of entries) {
    assert.doesNotMatch(e, /^\/node_modules\/better-sqlite3\/(deps|src|build)(\/|$)/, e);
    assert.doesNotMatch(e, /test_extension/, e);
    assert.doesNotMatch(e, /\.(cc|cpp|c|h|gyp|d\.ts)$/, e);
  }
  assert.ok(!entries.some((e) => e.startsWith('/test/') || e.startsWith('/electron/') || e.startsWith('/shared/') || e.startsWith('/renderer/')), 'no sources');
  // Their licence notices travel with the packed dependencies (MIT and Apache-2.0 require it).
  const packages = entries.filter((e) => /^\/node_modules\/(@[^/]+\/)?[^/@]+\/package\.json$/.test(e)).map((e) => e.slice('/node_modules/'.length, -'/package.json'.length));
  assert.ok(packages.length > 10, packages.join(', '));
  for (const name of packages) {
    const licences = readdirSync(join(ROOT, 'node_modules', name)).filter((f) => /^licen[cs]e/i.test(f));
    for (const f of licences) assert.ok(entries.includes(`/node_modules/${name}/${f}`), `${name}/${f} is packed`);
  }
});

test('the only native module is the Electron-ABI SQLite build, unpacked from the archive', () => {
  assert.deepEqual(entries.filter((e) => e.endsWith('.node')), ['/native/better_sqlite3.node']);
  assert.equal(asar.statFile(join(resources, 'app.asar'), 'native/better_sqlite3.node').unpacked, true);
  const unpacked = join(resources, 'app.asar.unpacked', 'native', 'better_sqlite3.node');
  assert.deepEqual(readFileSync(unpacked), readFileSync(join(ROOT, 'node_modules/better-sqlite3/build/Release/better_sqlite3.node')));
  assert.deepEqual(readdirSync(join(resources, 'app.asar.unpacked')), ['native']);
});

test('fonts, samples (without the Elastic-licensed files) and self-test cases sit beside app.asar', () => {
  assert.deepEqual(readdirSync(join(resources, 'fonts')).sort(), readdirSync(join(ROOT, 'resources/fonts')).sort());
  for (const f of ['DejaVuSans.ttf', 'DejaVuSans-Bold.ttf', 'DejaVuSansMono.ttf']) assert.ok(existsSync(join(resources, 'fonts', f)), f);
  const samples = readdirSync(join(resources, 'samples')).sort();
  assert.deepEqual(samples, ['README.md', 'audit2rbac_demo.jsonl', 'immudb-log-audit_k8s.jsonl', 'ingress-nginx_beats-test.log', 'openshift-clo_audit_in.jsonl', 'traefik_crowdsec-nikto.jsonl']);
  for (const old of ['ingress-nginx_upstreaminfo.log', 'traefik_access.jsonl']) {
    assert.ok(!samples.includes(old) && !entries.some((e) => e.endsWith(old)), `${old} (Elastic License 2.0) is not shipped`);
  }
  if (existsSync(join(ROOT, 'resources/self-test'))) {
    assert.deepEqual(readdirSync(join(resources, 'self-test')).sort(), readdirSync(join(ROOT, 'resources/self-test')).sort());
  }
});

/** The packed CLI, run by plain Node from the extracted tree, with the packed SQLite build passed as nativeBinding. */
function packed(args: string[], cwd: string, env: NodeJS.ProcessEnv = {}) {
  // dist/cli.mjs exports run(); electron/cli/sealcheck.mjs (not packed) is its launcher in a checkout.
  const launcher = join(dir, 'launch-packed-cli.mjs');
  if (!existsSync(launcher)) writeFileSync(launcher, `const { run } = await import(${JSON.stringify(pathToFileURL(join(extracted, 'dist/cli.mjs')).href)});\nawait run();\n`);
  const r = spawnSync(process.execPath, [launcher, ...args], {
    cwd, encoding: 'utf8', env: { ...process.env, SEALCHECK_SQLITE_BINDING: join(resources, 'app.asar.unpacked/native/better_sqlite3.node'), ...env },
  });
  return { code: r.status, out: r.stdout + r.stderr };
}

test('from the extracted tree: seal a packed sample, index it, attest with the packed fonts and pdfkit, verify the attestation', () => {
  const work = join(dir, 'work');
  mkdirSync(work);
  writeFileSync(join(work, 'pass.txt'), 'packed tree passphrase\n');
  const steps: string[][] = [
    ['keygen', '--name', 'packed.example/audit', '--out', 'log'],
    ['keygen', '--examiner', '--name', 'Pat Packed <pat@example.org>', '--out', 'pat', '--passphrase-file', 'pass.txt'],
    ['seal', '--key', 'log.key', '--origin', 'packed.example/audit', '--out', 'nginx', join(resources, 'samples/ingress-nginx_beats-test.log')],
    ['verify', 'nginx', '--trust', 'log.pub', '--index', 'case.sqlite'],
  ];
  for (const args of steps) {
    const r = packed(args, work);
    assert.equal(r.code, 0, `${args.join(' ')}\n${r.out}`);
  }
  assert.deepEqual(JSON.parse(packed(['query', 'case.sqlite', '--count', '--json'], work).out), { count: 29 });
  // Without the binding the packed tree has no SQLite at all: node_modules' build is deliberately not shipped.
  const none = packed(['query', 'case.sqlite', '--count'], work, { SEALCHECK_SQLITE_BINDING: '' });
  assert.notEqual(none.code, 0);
  assert.match(none.out, /bindings file|better_sqlite3\.node/);
  const a = packed(['attest', 'nginx', '--trust', 'log.pub', '--examiner-key', 'pat.key', '--passphrase-file', 'pass.txt', '--case', 'PACK-1', '--examiner', 'Pat Packed',
    '--index', 'case.sqlite', '--out', 'REPORT.pdf'], work);
  assert.equal(a.code, 0, a.out);
  const v = packed(['verify-attestation', 'REPORT.pdf', '--examiner', 'pat.pub', '--archive', 'nginx'], work);
  assert.equal(v.code, 0, v.out);
  assert.doesNotMatch(v.out, /fail/i);
});

test('from the extracted tree: a segment worker (dist/segment.worker.mjs) checks a segment exactly as the sources do', async () => {
  const work = join(dir, 'worker');
  mkdirSync(work);
  for (const args of [
    ['keygen', '--name', 'packed.example/audit', '--out', 'log'],
    ['seal', '--key', 'log.key', '--origin', 'packed.example/audit', '--out', 'traefik', '--segment-entries', '50', join(resources, 'samples/traefik_crowdsec-nikto.jsonl')],
  ]) assert.equal(packed(args, work).code, 0, args.join(' '));
  const opened = await openArchive(join(work, 'traefik'));
  const manifest = parseManifest(opened.small.get('manifest.json')!);
  assert.equal(manifest.segments.length, 2);
  const jobs: SegmentJob[] = manifest.segments.map((segment, seq) => ({
    seq, input: { segment, kind: manifest.source?.kind ?? null, checkpointSizes: [80] },
    segmentFile: opened.files.get(segment.path) ?? null, chainFile: opened.files.get(segment.chain) ?? null,
  }));
  const worker = new Worker(pathToFileURL(join(extracted, 'dist/segment.worker.mjs')));
  const canonical = (v: unknown) => JSON.stringify(v, (_k, x) => (x instanceof Uint8Array ? Buffer.from(x).toString('hex') : typeof x === 'bigint' ? `${x}n` : x));
  try {
    for (const [id, job] of jobs.entries()) {
      const fromWorker = await new Promise<SegmentJobResult>((resolve, reject) => {
        const onMessage = (m: WorkerReply<SegmentJobResult>) => {
          if (m.id !== id || m.kind === 'progress') return;
          worker.off('message', onMessage);
          if (m.kind === 'result') resolve(m.value);
          else reject(new Error(m.message));
        };
        worker.on('message', onMessage);
        worker.once('error', reject);
        worker.postMessage({ id, job });
      });
      const inProcess = await runSegmentJob(job, nodeHashing);
      assert.equal(fromWorker.result.entriesRead, job.input.segment.count);
      assert.equal(canonical(fromWorker), canonical(inProcess));
    }
  } finally {
    await worker.terminate();
  }
});
