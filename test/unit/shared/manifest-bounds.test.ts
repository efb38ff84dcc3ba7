// A manifest path of millions of characters is manifest-invalid like any bad path: no stack overflow, a short message, a verdict.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { MAX_MANIFEST_PATH, ManifestError, parseManifest } from '../../../shared/core/manifest.ts';
import { TempDirs, sealArchive, editManifest, logKey, writeKeyFiles, verify, project, found } from '../../helpers/archives.ts';

const ROOT = new URL('../../../', import.meta.url).pathname;
const temp = new TempDirs();
after(() => temp.cleanup());

const HUGE = `segments/${'1'.repeat(10_000_000)}.jsonl`;

test('parseManifest refuses a 10 MB path (and any path over the bound) with ManifestError, quoting only its start', () => {
  const manifest = (path: string, checkpoint = 'checkpoints/000000000001.ckpt') => Buffer.from(JSON.stringify({
    format: 'sealed-audit-archive/v1', origin: 'o.example/log', entries: 1,
    segments: [{ path, chain: 'segments/000000000000.chain', first: 0, count: 1, sha256: '0'.repeat(64), chainSha256: '0'.repeat(64) }],
    checkpoints: [checkpoint],
  }));
  assert.throws(() => parseManifest(manifest(HUGE)), (e: unknown) => {
    assert.ok(e instanceof ManifestError);
    assert.equal(e.message, `segments[0].path "segments/${'1'.repeat(51)}"… (10000015 characters) is not segments/<12-digit first>.jsonl or .jsonl.gz`);
    return true;
  });
  assert.throws(() => parseManifest(manifest('segments/000000000000.jsonl', `checkpoints/${'9'.repeat(10_000_000)}.ckpt`)), /^ManifestError: checkpoints\[0\] "checkpoints\/9+"… \(10000017 characters\) is not checkpoints/);
  // The longest valid shape fits the bound; one digit more than 2^53 allows is still only a shape error.
  assert.ok(`segments/${'9'.repeat(16)}.jsonl.gz`.length <= MAX_MANIFEST_PATH);
  assert.throws(() => parseManifest(manifest(`segments/${'0'.repeat(MAX_MANIFEST_PATH)}.jsonl`)), /is not segments\/<12-digit first>/);
  assert.equal(parseManifest(manifest('segments/000000000000.jsonl')).segments[0]!.path, 'segments/000000000000.jsonl');
});

test('verify: manifest-invalid, with the JSON report, for a 10 MB path', async () => {
  const a = await sealArchive(temp);
  await editManifest(a.path, (m) => {
    m.segments[0]!.path = HUGE;
  });
  const r = await verify(a.path);
  assert.equal(r.verdict, 'failed');
  assert.deepEqual(project(r.findings), [found('manifest-invalid', { file: 'manifest.json' })]);
  await writeKeyFiles(join(a.dir, 'log'), logKey);
  const cli = spawnSync(process.execPath, [join(ROOT, 'electron/cli/sealcheck.mjs'), 'verify', a.path, '--trust', join(a.dir, 'log.pub'), '--json'], { encoding: 'utf8', timeout: 60_000 });
  assert.equal(cli.status, 1, cli.stderr);
  const j = JSON.parse(cli.stdout);
  assert.equal(j.verdict, 'failed');
  assert.deepEqual(j.findings.map((f: { code: string }) => f.code), ['manifest-invalid']);
  assert.ok(cli.stdout.length < 4000, 'the message quotes the start of the path, not all of it');
});
