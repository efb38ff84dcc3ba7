// Excerpts written as a stream: the same bytes as before streaming (golden digests), and verify-excerpt's memory stays bounded on a large excerpt.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { createExcerpt, parseIndexList, verifyExcerpt, type ExcerptRequest } from '../../../electron/services/excerpt.node.ts';
import { TempDirs, sealArchive, trustPolicy, auditLines, type Sealed } from '../../helpers/archives.ts';

const temp = new TempDirs();
after(() => temp.cleanup());

const FALCO = fileURLToPath(new URL('../../fixtures/formats/falco_k8s-audit_configmap-sensitive-values.jsonl', import.meta.url));
/** Measured on 50,000 items: the reader that held every member grew by 185 MiB, the streaming one by 86 MiB. */
const MEMORY_BOUND_MIB = 140;
const sha = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

async function make(sealed: Sealed, out: string, req: Partial<ExcerptRequest> & { indices: number[] }) {
  return createExcerpt({
    archive: sealed.path, out: join(sealed.dir, out), policy: trustPolicy(), complete: [],
    selection: { kind: 'indices', list: req.indices.join(',') }, now: () => new Date('2026-12-04T15:00:00Z'), ...req,
  });
}

/** Every file of a directory excerpt, sorted by name, as "name sha256" lines. */
async function treeListing(dir: string): Promise<string> {
  const names = ['manifest.json', 'checkpoint', ...(await readdir(join(dir, 'items'))).map((n) => `items/${n}`)].sort();
  return (await Promise.all(names.map(async (n) => `${n} ${sha(await readFile(join(dir, n)))}`))).join('\n');
}

// Taken from the code that staged every item in a file of its own before building the .tar.gz (commit b6690d5):
// streaming the items straight into the output must not change one byte of it.
const GOLDEN = {
  tarGz: '94a5ce9a23358ce5df9d408cbccd3f08dd3e9685a0bde389400ae03f62208d57',
  tar: '7002c98014cbcb734de5454b2943ed2b5fec4d713387bb870cde796c36bb4aa0',
  tree: '33649ec794234291932a925cb88e6a6421eb8bcda1004f948ae73b4cbd88db87',
};

test('a small excerpt (complete range, examiner- and sensitive-withheld items, redacted views) is byte for byte what the staging writer wrote', async () => {
  const falco = (await readFile(FALCO, 'utf8')).split('\n').filter(Boolean);
  const sealed = await sealArchive(temp, { lines: [...auditLines(20), ...falco.slice(0, 2), ...auditLines(8)] });
  const req = { indices: parseIndexList('3-23,27'), complete: [{ first: 3, last: 23 }], withhold: new Map([[9, 'privileged']]), withholdSensitive: true };
  const gz = await make(sealed, 'ex.tar.gz', req);
  const dir = await make(sealed, 'ex', req);
  assert.deepEqual([gz.withheld, dir.withheld, gz.byRule], [3, 3, { examiner: 1, 'credential-in-object': 2 }]);
  const bytes = await readFile(join(sealed.dir, 'ex.tar.gz'));
  const digests = { tarGz: sha(bytes), tar: sha(gunzipSync(bytes)), tree: sha(Buffer.from(await treeListing(join(sealed.dir, 'ex')))) };
  assert.deepEqual(digests, GOLDEN);
  const v = await verifyExcerpt(join(sealed.dir, 'ex.tar.gz'), trustPolicy());
  assert.deepEqual([v.valid, v.problems, v.disclosed, v.withheld], [true, [], 19, 3]);
});

test('verify-excerpt of a 50,000-item .tar.gz stays within a fixed memory bound (measured in a child process)', { timeout: 600_000 }, async () => {
  const sealed = await sealArchive(temp, { lines: auditLines(50_000), segmentEntries: 10_000, checkpointEvery: 50_000 });
  const r = await make(sealed, 'big.tar.gz', { indices: parseIndexList('0-49999'), complete: [{ first: 0, last: 49_999 }], withhold: new Map([[7, 'privileged']]) });
  assert.deepEqual([r.items, r.withheld, r.manifest.checkpoint.size], [50_000, 1, 50_000]);
  const child = spawnSync(process.execPath, ['--expose-gc', '--import', 'tsx', fileURLToPath(new URL('../../helpers/excerpt-memory.child.ts', import.meta.url)), join(sealed.dir, 'big.tar.gz')], { encoding: 'utf8' });
  assert.equal(child.status, 0, child.stderr);
  const m = JSON.parse(child.stdout) as { valid: boolean; items: number; problems: string[]; growthMiB: number };
  assert.deepEqual([m.valid, m.items, m.problems], [true, 50_000, []]);
  // What is left grows with the items is the manifest and one verdict per item, not the members.
  assert.ok(m.growthMiB < MEMORY_BOUND_MIB, `verify-excerpt grew by ${m.growthMiB} MiB on 50,000 items (bound ${MEMORY_BOUND_MIB} MiB)`);
});
