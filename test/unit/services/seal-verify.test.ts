// Properties of seal → verify over random shapes, and that a single changed byte names its entry.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile, readdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { COSIGNER_KEY, LOG_KEY, makeKey, type SignerKey } from '../../../shared/core/keys.ts';
import { nodeEd25519 } from '../../../electron/services/crypto.node.ts';
import { seal } from '../../../electron/services/seal.node.ts';
import { verifyArchive } from '../../../electron/services/verify.node.ts';
import { prng } from '../../helpers/prng.ts';

function signer(name: string, type: 1 | 4, fill: number): SignerKey {
  const seed = new Uint8Array(32).fill(fill);
  return { ...makeKey(name, type, nodeEd25519.publicKeyFromSeed(seed)), seed };
}


const LOG = signer('test.example/log', LOG_KEY, 1);
const WITNESS = signer('witness.example/w1', COSIGNER_KEY, 2);

function event(i: number): string {
  return JSON.stringify({ kind: 'Event', apiVersion: 'audit.k8s.io/v1', level: 'Metadata', auditID: `id-${i >> 1}`, stage: i % 2 ? 'ResponseComplete' : 'RequestReceived', verb: ['get', 'list', 'create', 'delete'][i % 4], user: { username: `user-${i % 7}` }, requestURI: `/api/v1/namespaces/ns-${i % 3}/pods/p${i}` });
}

test('random sizes, segment sizes, checkpoint intervals and containers: seal then verify is verified', async () => {
  const rand = prng(20261121);
  const dir = await mkdtemp(join(tmpdir(), 'sealcheck-prop-'));
  try {
    for (let round = 0; round < 24; round++) {
      const n = 1 + Math.floor(rand() * 300);
      const perSegment = 1 + Math.floor(rand() * 60);
      const every = 1 + Math.floor(rand() * 120);
      const gzip = rand() < 0.3;
      const container = ['', '.tar', '.tar.gz'][Math.floor(rand() * 3)]!;
      const input = join(dir, `in-${round}.jsonl`);
      await writeFile(input, Array.from({ length: n }, (_, i) => `${event(i)}\n`).join(''));
      const out = join(dir, `a-${round}${container}`);
      const cosign = rand() < 0.3;
      const r = await seal({ key: LOG, origin: LOG.name, out, inputs: [input], segmentEntries: perSegment, checkpointEvery: every, gzip, ...(cosign ? { cosigners: [WITNESS] } : {}) });
      assert.equal(r.entriesAdded, n);
      assert.equal(r.segmentsWritten.length, Math.ceil(n / perSegment));
      assert.equal(r.checkpointsWritten.length, Math.floor(n / every) + (n % every ? 1 : 0));
      const report = await verifyArchive(out, { policy: { logKeys: [LOG], witnessKeys: cosign ? [WITNESS] : [], quorum: cosign ? 1 : 0, origin: LOG.name } });
      const what = `round ${round}: n=${n} perSegment=${perSegment} every=${every} gzip=${gzip} container=${container || 'dir'}`;
      assert.deepEqual(report.findings, [], what);
      assert.equal(report.verdict, 'verified', what);
      assert.equal(report.coveredEntries, n, what);
      assert.equal(report.covering?.cosignatures.length, cosign ? 1 : 0, what);
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('any single changed byte in a segment fails verification and names the entry holding it', async () => {
  const rand = prng(7);
  const dir = await mkdtemp(join(tmpdir(), 'sealcheck-flip-'));
  try {
    const n = 57;
    const input = join(dir, 'in.jsonl');
    const lines = Array.from({ length: n }, (_, i) => event(i));
    await writeFile(input, lines.map((l) => `${l}\n`).join(''));
    const clean = join(dir, 'clean');
    await seal({ key: LOG, origin: LOG.name, out: clean, inputs: [input], segmentEntries: 20, checkpointEvery: 25 });
    const segFiles = (await readdir(join(clean, 'segments'))).filter((f) => f.endsWith('.jsonl')).sort();
    for (let round = 0; round < 40; round++) {
      const s = Math.floor(rand() * segFiles.length);
      const file = join(clean, 'segments', segFiles[s]!);
      const original = await readFile(file);
      const at = Math.floor(rand() * original.length);
      const changed = Buffer.from(original);
      changed[at] = (changed[at]! + 1 + Math.floor(rand() * 255)) & 255;
      // The entry holding the byte: an LF belongs to the entry it ends.
      const index = s * 20 + original.subarray(0, at).filter((b) => b === 0x0a).length;
      await writeFile(file, changed);
      try {
        const report = await verifyArchive(clean, { policy: { logKeys: [LOG], witnessKeys: [], quorum: 0, origin: null } });
        assert.equal(report.verdict, 'failed', `byte ${at} of ${segFiles[s]}`);
        assert.ok(report.findings.some((f) => f.code === 'segment-file-hash-mismatch' && f.file === `segments/${segFiles[s]}`));
        const named = report.findings.filter((f) => f.index === index && ['leaf-hash-mismatch', 'line-malformed', 'chain-link-mismatch'].includes(f.code));
        assert.ok(named.length > 0, `byte ${at} of ${segFiles[s]} (entry ${index}): ${JSON.stringify(report.findings.map((f) => [f.code, f.index]))}`);
      } finally {
        await writeFile(file, original);
      }
    }
    const again = await verifyArchive(clean, { policy: { logKeys: [LOG], witnessKeys: [], quorum: 0, origin: null } });
    assert.equal(again.verdict, 'verified');
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('appending in runs gives the same tree as sealing at once, and the same last root', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'sealcheck-append-'));
  try {
    const lines = Array.from({ length: 95 }, (_, i) => `${event(i)}\n`);
    const parts = [lines.slice(0, 30), lines.slice(30, 31), lines.slice(31, 95)];
    const files = await Promise.all(parts.map(async (p, i) => {
      const f = join(dir, `part-${i}.jsonl`);
      await writeFile(f, p.join(''));
      return f;
    }));
    for (const container of ['', '.tar', '.tar.gz']) {
      const once = join(dir, `once${container}`);
      const runs = join(dir, `runs${container}`);
      await seal({ key: LOG, origin: LOG.name, out: once, inputs: files, segmentEntries: 16, checkpointEvery: 10 });
      for (const [i, f] of files.entries()) await seal({ key: LOG, origin: LOG.name, out: runs, inputs: [f], segmentEntries: 16, checkpointEvery: 10, append: i > 0 });
      const policy = { logKeys: [LOG], witnessKeys: [], quorum: 0, origin: null };
      const a = await verifyArchive(once, { policy });
      const b = await verifyArchive(runs, { policy });
      assert.equal(b.verdict, 'verified', JSON.stringify(b.findings));
      assert.equal(b.entries, 95);
      assert.equal(b.covering!.root, a.covering!.root);
      // Checkpoints at every multiple of 10 plus the end of each run (30 and 31).
      assert.deepEqual(b.checkpointChecks.map((c) => c.size), [10, 20, 30, 31, 40, 50, 60, 70, 80, 90, 95]);
      // Nothing new: nothing written.
      const before = await verifyArchive(runs, { policy });
      const empty = join(dir, 'empty.jsonl');
      await writeFile(empty, '\n\n');
      const r = await seal({ key: LOG, origin: LOG.name, out: runs, inputs: [empty], append: true });
      assert.equal(r.entriesAdded, 0);
      assert.equal(r.emptyLinesSkipped, 2);
      assert.equal((await verifyArchive(runs, { policy })).archive.sha256, before.archive.sha256);
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
