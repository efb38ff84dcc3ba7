// Evidence excerpts: round trips through verifyExcerpt (selections, complete ranges, withheld items, .tar.gz), and every tampering named.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { toBase64 } from '../../../shared/core/bytes.ts';
import { createExcerpt, itemPath, parseIndexList, verifyExcerpt, type ExcerptManifest, type ExcerptRequest } from '../../../electron/services/excerpt.node.ts';
import { UsageError } from '../../../electron/services/keys.node.ts';
import { CannotProveError, proveEntry } from '../../../electron/services/proof.node.ts';
import { TempDirs, sealArchive, trustPolicy, impostorLogKey, witness1, witness2, leafHash, auditLines, type Sealed } from '../../helpers/archives.ts';

const temp = new TempDirs();
after(() => temp.cleanup());

const FALCO = fileURLToPath(new URL('../../fixtures/formats/falco_k8s-audit_configmap-sensitive-values.jsonl', import.meta.url));

async function make(sealed: Sealed, out: string, req: Partial<ExcerptRequest> & { indices: number[] }) {
  return createExcerpt({
    archive: sealed.path, out: join(sealed.dir, out), policy: trustPolicy(), complete: [],
    selection: { kind: 'indices', list: req.indices.join(',') }, now: () => new Date('2026-12-04T15:00:00Z'), ...req,
  });
}

const readManifest = async (dir: string): Promise<ExcerptManifest> => JSON.parse(await readFile(join(dir, 'manifest.json'), 'utf8'));
const writeManifest = (dir: string, m: ExcerptManifest) => writeFile(join(dir, 'manifest.json'), JSON.stringify(m));
const failures = (v: Awaited<ReturnType<typeof verifyExcerpt>>) => v.items.filter((i) => !i.ok).map((i) => `${i.index}: ${i.reason}`);

test('index lists: single indices and ranges, sorted and distinct; malformed parts named', () => {
  assert.deepEqual(parseIndexList('5,7,10-12,7'), [5, 7, 10, 11, 12]);
  assert.deepEqual(parseIndexList('0'), [0]);
  assert.throws(() => parseIndexList('3,x'), (e) => e instanceof UsageError && e.message === '--index: "x" is not an index or a range a-b');
  assert.throws(() => parseIndexList('9-3'), (e) => e instanceof UsageError && e.message === '--index: range "9-3" ends before it starts');
  assert.throws(() => parseIndexList('01'), UsageError);
});

test('a selection is proven against the smallest trusted checkpoint covering every item, and each proof is the one prove writes', async () => {
  const sealed = await sealArchive(temp); // 25 entries, checkpoints at 10, 20, 25
  const r = await make(sealed, 'ex', { indices: [3, 12, 15] });
  assert.equal(r.container, 'directory');
  assert.equal(r.manifest.checkpoint.size, 20);
  assert.equal(r.manifest.checkpoint.source, 'checkpoints/000000000020.ckpt');
  assert.deepEqual(r.manifest.items.map((i) => [i.index, i.status, i.length]), [[3, 'disclosed', sealed.entries[3]!.length], [12, 'disclosed', sealed.entries[12]!.length], [15, 'disclosed', sealed.entries[15]!.length]]);
  assert.deepEqual(await readdir(join(sealed.dir, 'ex', 'items')), ['000000000003.entry', '000000000003.tlog-proof', '000000000012.entry', '000000000012.tlog-proof', '000000000015.entry', '000000000015.tlog-proof']);
  for (const i of [3, 12, 15]) {
    assert.deepEqual(new Uint8Array(await readFile(join(sealed.dir, 'ex', itemPath(i, 'entry')))), new Uint8Array(sealed.entries[i]!));
    assert.equal(r.manifest.items.find((x) => x.index === i)!.leaf, toBase64(leafHash(sealed.entries[i]!)));
  }
  // prove uses the same checkpoint for entries 10..19: the proofs must be the same bytes.
  for (const i of [12, 15]) assert.equal(await readFile(join(sealed.dir, 'ex', itemPath(i, 'tlog-proof')), 'utf8'), (await proveEntry(sealed.path, i, trustPolicy())).proof);
  assert.deepEqual(await readFile(join(sealed.dir, 'ex', 'checkpoint')), await readFile(join(sealed.path, 'checkpoints/000000000020.ckpt')));
  const v = await verifyExcerpt(join(sealed.dir, 'ex'), trustPolicy());
  assert.deepEqual([v.valid, v.problems, failures(v), v.disclosed, v.withheld, v.size], [true, [], [], 3, 0, 20]);
});

test('a complete range with an examiner-withheld item round-trips; the withheld item is proven from its leaf hash', async () => {
  const sealed = await sealArchive(temp);
  const r = await make(sealed, 'win', { indices: parseIndexList('5-14'), complete: [{ first: 5, last: 14 }], withhold: new Map([[8, 'privileged']]) });
  assert.equal(r.manifest.checkpoint.size, 20);
  assert.deepEqual(r.manifest.items.find((i) => i.index === 8), { index: 8, leaf: toBase64(leafHash(sealed.entries[8]!)), status: 'withheld', reasons: [{ rule: 'examiner', detail: 'privileged' }], redacted: false });
  assert.equal(existsSync(join(sealed.dir, 'win', itemPath(8, 'entry'))), false);
  const v = await verifyExcerpt(join(sealed.dir, 'win'), trustPolicy());
  assert.deepEqual([v.valid, v.problems, failures(v), v.disclosed, v.withheld], [true, [], [], 9, 1]);
  assert.equal(v.items.find((i) => i.index === 8)!.reason, `withheld, leaf ${toBase64(leafHash(sealed.entries[8]!))} is at index 8 of the signed tree`);
});

test('tampering: a changed entry, a removed item of a complete range, a proof from another checkpoint, a changed withheld leaf, an untrusted signer', async () => {
  const sealed = await sealArchive(temp);
  const fresh = async (name: string) => {
    await make(sealed, name, { indices: parseIndexList('5-14'), complete: [{ first: 5, last: 14 }], withhold: new Map([[8, 'privileged']]) });
    return join(sealed.dir, name);
  };

  const changed = await fresh('t-entry');
  const e7 = await readFile(join(changed, itemPath(7, 'entry')));
  e7[e7.indexOf('"verb"') + 8]! ^= 0x01;
  await writeFile(join(changed, itemPath(7, 'entry')), e7);
  let v = await verifyExcerpt(changed, trustPolicy());
  assert.equal(v.valid, false);
  assert.deepEqual(failures(v), [`7: items/000000000007.entry does not hash to the manifest's leaf: the entry was changed (its leaf is ${toBase64(leafHash(e7))})`]);
  // Changing the manifest's leaf with it moves the failure to the proof.
  const m = await readManifest(changed);
  m.items.find((i) => i.index === 7)!.leaf = toBase64(leafHash(e7));
  await writeManifest(changed, m);
  v = await verifyExcerpt(changed, trustPolicy());
  assert.equal(failures(v).length, 1);
  assert.match(failures(v)[0]!, /^7: root mismatch: the entry and inclusion proof give [A-Za-z0-9+/=]{44}, the checkpoint's root is /);

  const removed = await fresh('t-removed');
  const mr = await readManifest(removed);
  mr.items = mr.items.filter((i) => i.index !== 9);
  await writeManifest(removed, mr);
  await rm(join(removed, itemPath(9, 'entry')));
  await rm(join(removed, itemPath(9, 'tlog-proof')));
  v = await verifyExcerpt(removed, trustPolicy());
  assert.deepEqual([v.valid, failures(v), v.problems], [false, [], ['index 9 is missing from the complete range 5..14: the excerpt does not account for every entry it claims']]);

  const other = await fresh('t-other');
  await writeFile(join(other, itemPath(6, 'tlog-proof')), (await proveEntry(sealed.path, 6, trustPolicy())).proof); // against checkpoint 10
  v = await verifyExcerpt(other, trustPolicy());
  const root10 = (await readFile(join(sealed.path, 'checkpoints/000000000010.ckpt'), 'utf8')).split('\n')[2];
  const manifestRoot = (await readManifest(other)).checkpoint.root;
  assert.deepEqual(failures(v), [`6: the proof is against another checkpoint (size 10, root ${root10}) than the excerpt's (size 20, root ${manifestRoot})`]);

  const withheld = await fresh('t-withheld');
  const mw = await readManifest(withheld);
  mw.items.find((i) => i.index === 8)!.leaf = toBase64(leafHash(Buffer.from('{"kind":"Event","forged":true}')));
  await writeManifest(withheld, mw);
  v = await verifyExcerpt(withheld, trustPolicy());
  assert.equal(failures(v).length, 1);
  assert.match(failures(v)[0]!, /^8: root mismatch: /);

  const untrusted = await fresh('t-untrusted');
  v = await verifyExcerpt(untrusted, trustPolicy({ trust: [impostorLogKey] }));
  assert.equal(v.valid, false);
  assert.equal(failures(v).length, 10);
  assert.match(failures(v)[0]!, /^5: no valid signature from a trusted log key named "audit\.test\.example\/cluster-1" \(signed by: audit\.test\.example\/cluster-1\+[0-9a-f]{8}\)$/);
});

test('a checkpoint signed by a key the recipient does not know fails every item by name', async () => {
  const sealed = await sealArchive(temp, { key: impostorLogKey });
  await make(sealed, 'imp', { indices: [1, 2], policy: trustPolicy({ trust: [impostorLogKey] }) });
  const v = await verifyExcerpt(join(sealed.dir, 'imp'), trustPolicy());
  assert.equal(v.valid, false);
  assert.deepEqual(v.items.map((i) => i.index), [1, 2]);
  for (const i of v.items) assert.match(i.reason, /^no valid signature from a trusted log key named "audit\.test\.example\/cluster-1" \(signed by: audit\.test\.example\/cluster-1\+[0-9a-f]{8}\)$/);
});

test('manifest and layout are read strictly: unknown fields, stray files and a wrong format are named', async () => {
  const sealed = await sealArchive(temp);
  await make(sealed, 'strict', { indices: [1, 2] });
  const dir = join(sealed.dir, 'strict');
  await writeFile(join(dir, 'notes.txt'), 'x');
  let v = await verifyExcerpt(dir, trustPolicy());
  assert.deepEqual(v.problems, ['unexpected file notes.txt in the excerpt']);
  await rm(join(dir, 'notes.txt'));
  const m = await readManifest(dir);
  await writeManifest(dir, { ...m, extra: 1 } as never);
  v = await verifyExcerpt(dir, trustPolicy());
  assert.deepEqual(v.problems, ['manifest.json has unknown field "extra"']);
  await writeManifest(dir, { ...m, format: 'other' } as never);
  v = await verifyExcerpt(dir, trustPolicy());
  assert.deepEqual(v.problems, ['manifest.json format is "other", expected "sealcheck-excerpt"']);
  await writeManifest(dir, m);
  assert.equal((await verifyExcerpt(dir, trustPolicy())).valid, true);
});

test('.tar.gz excerpts round-trip, and a changed entry inside one is named', async () => {
  const sealed = await sealArchive(temp, { container: 'tar.gz', gzip: true });
  const r = await make(sealed, 'ex.tar.gz', { indices: [0, 24] });
  assert.equal(r.container, 'tar.gz');
  assert.equal(r.manifest.checkpoint.size, 25);
  const v = await verifyExcerpt(join(sealed.dir, 'ex.tar.gz'), trustPolicy());
  assert.deepEqual([v.valid, v.problems, failures(v)], [true, [], []]);
  // Directory form of the same excerpt, tampered, then the tar.gz rebuilt from it by the system tar.
  const { spawnSync } = await import('node:child_process');
  const unpacked = join(sealed.dir, 'unpacked');
  await import('node:fs/promises').then((f) => f.mkdir(unpacked));
  assert.equal(spawnSync('tar', ['-xzf', join(sealed.dir, 'ex.tar.gz'), '-C', unpacked]).status, 0);
  const e = await readFile(join(unpacked, itemPath(24, 'entry')));
  e[10]! ^= 1;
  await writeFile(join(unpacked, itemPath(24, 'entry')), e);
  assert.equal(spawnSync('tar', ['-czf', join(sealed.dir, 'bad.tar.gz'), '-C', unpacked, 'manifest.json', 'checkpoint', 'items']).status, 0);
  const bad = await verifyExcerpt(join(sealed.dir, 'bad.tar.gz'), trustPolicy());
  assert.equal(bad.valid, false);
  assert.deepEqual(failures(bad), [`24: items/000000000024.entry does not hash to the manifest's leaf: the entry was changed (its leaf is ${toBase64(leafHash(e))})`]);
});

test('--withhold-sensitive withholds the real ConfigMap carrying AWS credentials, with its rule and a redacted view that is not the entry', async () => {
  const falco = (await readFile(FALCO, 'utf8')).split('\n').filter(Boolean);
  const sealed = await sealArchive(temp, { lines: [...auditLines(4), ...falco.slice(0, 2)] });
  const r = await make(sealed, 'sens', { indices: [0, 1, 2, 3, 4, 5], complete: [{ first: 0, last: 5 }], withholdSensitive: true });
  assert.deepEqual(r.manifest.items.map((i) => i.status), ['disclosed', 'disclosed', 'disclosed', 'disclosed', 'withheld', 'withheld']);
  assert.deepEqual(r.manifest.items[4]!.reasons, [{ rule: 'credential-in-object', detail: 'requestObject holds an AWS secret access key setting' }]);
  assert.deepEqual(r.byRule, { 'credential-in-object': 2 });
  const view = await readFile(join(sealed.dir, 'sens', itemPath(4, 'redacted.json')), 'utf8');
  assert.equal(view.includes('aws_secret_access_key'), false);
  assert.equal(JSON.parse(view).requestObject, '[withheld: credential-in-object]');
  assert.notEqual(toBase64(leafHash(Buffer.from(view.trimEnd()))), r.manifest.items[4]!.leaf);
  const v = await verifyExcerpt(join(sealed.dir, 'sens'), trustPolicy());
  assert.deepEqual([v.valid, v.withheld, v.items[4]!.redacted], [true, 2, true]);
});

test('witness policy: the excerpt keeps the cosignatures; a quorum the checkpoint cannot meet fails each item', async () => {
  const sealed = await sealArchive(temp, { cosigners: [witness1] });
  await make(sealed, 'w', { indices: [2], policy: trustPolicy({ witnesses: [witness1], quorum: 1 }) });
  const ok = await verifyExcerpt(join(sealed.dir, 'w'), trustPolicy({ witnesses: [witness1], quorum: 1 }));
  assert.deepEqual([ok.valid, ok.cosignatures.map((c) => c.name)], [true, ['witness.test.example/w1']]);
  const v = await verifyExcerpt(join(sealed.dir, 'w'), trustPolicy({ witnesses: [witness2], quorum: 1 }));
  assert.deepEqual(failures(v), ['2: witness quorum not met: 0 valid witness cosignatures, quorum is 1']);
});

test('refusals: an entry past the archive, the unsigned tail, an existing output', async () => {
  const sealed = await sealArchive(temp);
  await assert.rejects(make(sealed, 'x', { indices: [25] }), (e) => e instanceof UsageError && e.message === 'excerpt: there is no entry 25: the archive has 25 entries');
  await assert.rejects(make(sealed, 'x', { indices: [3], policy: trustPolicy({ trust: [impostorLogKey] }) }), (e) => e instanceof CannotProveError && e.message === 'entry 3 is not covered by a trusted checkpoint: trusted checkpoints cover entries none of 25');
  await make(sealed, 'y', { indices: [3] });
  await assert.rejects(make(sealed, 'y', { indices: [3] }), (e) => e instanceof UsageError && e.message === `excerpt: ${join(sealed.dir, 'y')} already exists; not overwriting it`);
});

test('a withheld item that ships its entry, and a proof past the tlog-proof bound, are named', async () => {
  const sealed = await sealArchive(temp);
  await make(sealed, 'b', { indices: [1, 2], withhold: new Map([[2, 'privileged']]) });
  const dir = join(sealed.dir, 'b');
  await writeFile(join(dir, itemPath(2, 'entry')), sealed.entries[2]!);
  await writeFile(join(dir, itemPath(1, 'tlog-proof')), Buffer.alloc((1 << 20) + 64 * 1024 + 1, 0x41));
  const v = await verifyExcerpt(dir, trustPolicy());
  assert.deepEqual(failures(v), [
    `1: items/000000000001.tlog-proof is larger than any valid one (${(1 << 20) + 64 * 1024} bytes)`,
    '2: withheld item has an entry file items/000000000002.entry',
  ]);
});

test('entry files: one trailing LF is how a line is saved and is accepted, as by verify-proof; an LF inside is named', async () => {
  const sealed = await sealArchive(temp);
  await make(sealed, 'lf', { indices: [1, 2] });
  const dir = join(sealed.dir, 'lf');
  await writeFile(join(dir, itemPath(1, 'entry')), Buffer.concat([sealed.entries[1]!, Buffer.from('\n')]));
  assert.deepEqual(failures(await verifyExcerpt(dir, trustPolicy())), []);
  const inner = Buffer.from(sealed.entries[2]!);
  inner[3] = 0x0a;
  await writeFile(join(dir, itemPath(2, 'entry')), inner);
  const m = await readManifest(dir);
  m.items[1]!.leaf = toBase64(leafHash(inner));
  await writeManifest(dir, m);
  assert.deepEqual(failures(await verifyExcerpt(dir, trustPolicy())), ['2: the entry contains a line feed; an entry never does (spec §2), so it cannot be in the log']);
});
