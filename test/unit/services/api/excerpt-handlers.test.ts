// exportExcerpt and openExcerpt through `dispatch`, as IPC and the UI bridge call them: a filter, a brushed window (complete), chosen entries, refusals, and an opened excerpt's items.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile, readFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { CaseInfo, ExcerptExportView, ExcerptView, Result } from '../../../../shared/api.ts';
import { LOG_KEY, formatVerifierKey, makeKey, type SignerKey } from '../../../../shared/core/keys.ts';
import { nodeEd25519 } from '../../../../electron/services/crypto.node.ts';
import { seal } from '../../../../electron/services/seal.node.ts';
import { createHandlers, dispatch } from '../../../../electron/services/api/handlers.node.ts';
import { verifyExcerpt } from '../../../../electron/services/excerpt.node.ts';

const SAMPLES = fileURLToPath(new URL('../../../../resources/samples/', import.meta.url));
const seed = new Uint8Array(32).fill(7);
const LOG: SignerKey = { ...makeKey('excerpt.example/audit', LOG_KEY, nodeEd25519.publicKeyFromSeed(seed)), seed };
const POLICY = { logKeys: [LOG], witnessKeys: [], quorum: 0, origin: null };

let dir = '';
let archive = '';
let folder = '';
let handlers: ReturnType<typeof createHandlers>;

async function call<T>(method: string, ...args: unknown[]): Promise<T> {
  const r = (await dispatch(handlers, method, args)) as Result<T>;
  if (!r.ok) throw new Error(`${method}: ${r.error.code}: ${r.error.message}`);
  return r.value;
}
async function refused(method: string, args: unknown[], code: string, message: string) {
  const r = await dispatch(handlers, method, args);
  assert.equal(r.ok, false, `${method} should fail`);
  if (!r.ok) assert.deepEqual([r.error.code, r.error.message], [code, message]);
}

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sealcheck-excerpt-api-'));
  archive = join(dir, 'audit');
  // 37 legacy events, 2017-09-11 19:55:05Z onwards; checkpoints every 10.
  await seal({ key: LOG, cosigners: [], origin: LOG.name, out: archive, inputs: [join(SAMPLES, 'audit2rbac_demo.jsonl')], checkpointEvery: 10 });
  handlers = createHandlers({ casesRoot: join(dir, 'cases'), stateDir: join(dir, 'state'), emit: () => undefined });
  folder = (await call<CaseInfo>('createCase', { caseNumber: 'X-1', title: '', requestingParty: '', examinerName: 'Ada', examinerRole: '', organisation: '' })).folder;
  await call('addKey', folder, { text: formatVerifierKey(LOG) }, 'log');
  await call('verify', folder, archive, 'job-verify');
});
after(async () => {
  handlers.close();
  await rm(dir, { recursive: true, force: true });
});

test('exportExcerpt: a filter\'s events into the case\'s excerpts/ folder, recorded as a query, each item proven', async () => {
  const r = await call<ExcerptExportView>('exportExcerpt', folder, 1, { selection: { filter: { verb: 'list' } }, withholdSensitive: true, out: null });
  assert.match(r.path, new RegExp(`^${folder}/excerpts/archive-1-\\d{8}T\\d{6}Z\\.tar\\.gz$`));
  const v = await verifyExcerpt(r.path, POLICY);
  assert.equal(v.valid, true, v.problems.join('; '));
  assert.deepEqual(v.selection, { kind: 'query', database: 'case.sqlite', filter: { verb: 'list' } });
  assert.deepEqual([r.items, r.disclosed + r.withheld, v.items.length, r.complete], [v.items.length, v.items.length, r.items, []]);
  const lines = (await readFile(join(SAMPLES, 'audit2rbac_demo.jsonl'), 'utf8')).split('\n').filter(Boolean);
  assert.deepEqual(v.items.map((i) => i.index), lines.flatMap((l, i) => (JSON.parse(l).verb === 'list' ? [i] : [])));
});

test('exportExcerpt: a time-only filter is a complete window; chosen indices are recorded as a list', async () => {
  const from = Date.parse('2017-09-11T19:55:00Z') * 1000;
  const to = Date.parse('2017-09-11T19:59:00Z') * 1000;
  const out = join(dir, 'window');
  const w = await call<ExcerptExportView>('exportExcerpt', folder, 1, { selection: { filter: { fromUs: from, toUs: to } }, withholdSensitive: false, out });
  assert.deepEqual([w.path, w.name, w.items, w.complete, w.treeSize], [out, 'window', 3, [{ first: 0, last: 2 }], 10]);
  const v = await verifyExcerpt(out, POLICY);
  assert.deepEqual([v.valid, v.selection], [true, { kind: 'window', from: '2017-09-11T19:55:00.000Z', to: '2017-09-11T19:59:00.000Z', database: 'case.sqlite' }]);
  const s = await call<ExcerptExportView>('exportExcerpt', folder, 1, { selection: { indices: [12, 3, 4, 5, 12] }, withholdSensitive: false, out: join(dir, 'chosen.tar.gz') });
  assert.deepEqual([s.items, s.treeSize], [4, 20]);
  assert.deepEqual((await verifyExcerpt(s.path, POLICY)).selection, { kind: 'indices', list: '3-5,12' });
});

test('exportExcerpt refuses what it cannot write, by name', async () => {
  await refused('exportExcerpt', [folder, 1, { selection: { indices: [] }, withholdSensitive: true, out: null }], 'bad-request', 'exportExcerpt argument 3.selection.indices must be absent (unknown field); or exportExcerpt argument 3.selection.indices must be a non-empty list of entry indices');
  await refused('exportExcerpt', [folder, 1, { selection: { filter: { verb: 'nothing-like-this' } }, withholdSensitive: true, out: null }], 'bad-request', 'the filter matches no event');
  await refused('exportExcerpt', [folder, 1, { selection: { indices: [99] }, withholdSensitive: true, out: null }], 'bad-request', 'there is no entry 99: the archive has 37 entries');
  await refused('exportExcerpt', [folder, 1, { selection: { indices: [1] }, withholdSensitive: true, out: join(dir, 'window') }], 'bad-request', `${join(dir, 'window')} already exists; not overwriting it`);
  await refused('exportExcerpt', [folder, 1, { selection: { indices: [1] }, withholdSensitive: true, out: join(dir, 'x.zip') }], 'bad-request', `${join(dir, 'x.zip')}: an excerpt is a directory or a .tar.gz / .tgz file`);
  await refused('exportExcerpt', [folder, 1, { selection: { indices: [1] }, withholdSensitive: true, out: join(dir, 'nowhere', 'x.tar.gz') }], 'not-found', `${join(dir, 'nowhere')}: no such folder`);
  await refused('exportExcerpt', [folder, 9, { selection: { indices: [1] }, withholdSensitive: true, out: null }], 'not-found', 'no archive 9 in this case');
});

test('openExcerpt: every item with its status and event columns; a changed entry fails that item only', async () => {
  const v = await call<ExcerptView>('openExcerpt', folder, join(dir, 'window'));
  assert.deepEqual([v.valid, v.name, v.origin, v.treeSize, v.disclosed, v.withheld, v.problems, v.complete], [true, 'window', LOG.name, 10, 3, 0, [], [{ first: 0, last: 2, whole: true }]]);
  assert.deepEqual(v.items.map((i) => [i.index, i.status, i.ok, i.time, i.verb, i.resource, i.namespace]), [
    [0, 'disclosed', true, '2017-09-11T19:55:05Z', 'list', 'pods', 'default'],
    [1, 'disclosed', true, '2017-09-11T19:55:34Z', 'list', 'pods', 'default'],
    [2, 'disclosed', true, '2017-09-11T19:58:37Z', 'list', 'pods', 'default'],
  ]);
  const entry = join(dir, 'window', 'items', '000000000001.entry');
  await writeFile(entry, (await readFile(entry, 'utf8')).replace('"list"', '"lost"'));
  const bad = await call<ExcerptView>('openExcerpt', folder, join(dir, 'window'));
  assert.deepEqual(bad.items.map((i) => i.ok), [true, false, true]);
  assert.match(bad.items[1]!.reason, /^items\/000000000001\.entry does not hash to the manifest's leaf: the entry was changed/);
  assert.equal(bad.valid, false);
  await refused('openExcerpt', [folder, join(dir, 'missing')], 'not-found', `${join(dir, 'missing')}: no such file or folder`);
  assert.equal(existsSync(join(dir, 'missing')), false);
});
