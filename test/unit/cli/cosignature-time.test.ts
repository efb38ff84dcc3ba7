// Cosignature times are evidence a witness controls: 0, an ordinary time and 2^63-1 are carried exactly through verify, --json, the index, the app's API and the attestation.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import {
  TempDirs, sealArchive, witness1, logKey, writeKeyFiles, writeRel, checkpointFor, checkpointPath, type Sealed,
} from '../../helpers/archives.ts';
import { stringifyJson, describeUnixSeconds, isoFromUnixSeconds } from '../../../shared/core/json-text.ts';
import { checkpointCheckView, coveringView } from '../../../shared/core/report.ts';
import { verifyArchive } from '../../../electron/services/verify.node.ts';
import { utcFromSeconds } from '../../../renderer/src/lib/format.ts';

const ROOT = new URL('../../../', import.meta.url).pathname;
const MAX = (1n << 63n) - 1n;
const temp = new TempDirs();
const archives = new Map<bigint, Sealed>();
let keys = '';

function sealcheck(args: string[]) {
  const r = spawnSync(process.execPath, [join(ROOT, 'electron/cli/sealcheck.mjs'), ...args], { cwd: keys, encoding: 'utf8', timeout: 120_000 });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

/** A sealed archive whose every checkpoint (10, 20, 25) carries a valid witness1 cosignature at `time`. */
async function cosignedAt(time: bigint): Promise<Sealed> {
  const a = await sealArchive(temp, { name: `at-${time}` });
  for (const size of [10, 20, 25]) await writeRel(a.path, checkpointPath(size), checkpointFor(a.entries, size, { cosigners: [{ key: witness1, time }] }));
  return a;
}

before(async () => {
  keys = await temp.make('keys');
  await writeKeyFiles(join(keys, 'log'), logKey);
  await writeKeyFiles(join(keys, 'w1'), witness1);
  for (const t of [0n, 1_800_000_000n, MAX]) archives.set(t, await cosignedAt(t));
});
after(() => temp.cleanup());

const POLICY = ['--trust', 'log.pub', '--witness', 'w1.pub', '--quorum', '1'];

test('verify (human): the exact integer, with its ISO date, or "beyond year 9999"; exit 0', () => {
  const expect: [bigint, string][] = [
    [0n, '1970-01-01T00:00:00Z (0)'],
    [1_800_000_000n, '2027-01-15T08:00:00Z (1800000000)'],
    [MAX, 'beyond year 9999 (9223372036854775807)'],
  ];
  for (const [t, shown] of expect) {
    const r = sealcheck(['verify', archives.get(t)!.path, ...POLICY]);
    assert.equal(r.code, 0, `${t}: ${r.err}${r.out}`);
    assert.match(r.out, /^VERIFIED: all 25 entries/);
    assert.ok(r.out.includes(`  cosigned     by witness.test.example/w1 at ${shown}\n`), r.out);
    assert.doesNotMatch(r.err, /internal error/);
  }
});

test('verify --json: the time is a JSON integer with all its digits', () => {
  for (const t of [0n, 1_800_000_000n, MAX]) {
    const r = sealcheck(['verify', archives.get(t)!.path, ...POLICY, '--json']);
    assert.equal(r.code, 0, r.err);
    assert.ok(r.out.includes(`"time": ${t}\n`), r.out);
    const j = JSON.parse(r.out);
    assert.equal(j.verdict, 'verified');
    assert.deepEqual(j.covering.cosignatures.map((c: { name: string }) => c.name), ['witness.test.example/w1']);
    // The integer text itself, not a rounded number: JSON.parse would round it, so read the digits.
    assert.equal(/"cosignatures": \[\s*\{\s*"name": "[^"]+",\s*"time": (\d+)/.exec(r.out)![1], t.toString());
  }
});

test('verify --index stores the time exactly (INTEGER is int64; read back with safeIntegers)', async () => {
  const db = join(keys, 'case.sqlite');
  const r = sealcheck(['verify', archives.get(MAX)!.path, ...POLICY, '--index', db]);
  assert.equal(r.code, 0, r.err);
  const d = new Database(db, { readonly: true });
  try {
    const rows = d.prepare("SELECT time FROM signatures WHERE role = 'witness' ORDER BY checkpoint_id").safeIntegers(true).all() as { time: bigint }[];
    assert.deepEqual(rows.map((x) => x.time), [MAX, MAX, MAX]);
  } finally {
    d.close();
  }
});

test('prove and verify-proof print the exact time too', () => {
  const r = sealcheck(['prove', archives.get(MAX)!.path, '--index', '3', '--out', 'max.tlog-proof', ...POLICY]);
  assert.equal(r.code, 0, r.err);
  assert.ok(r.out.includes('cosigned     by witness.test.example/w1 at beyond year 9999 (9223372036854775807)'), r.out);
  const v = sealcheck(['verify-proof', 'max.tlog-proof', '--entry', 'max.entry', ...POLICY]);
  assert.equal(v.code, 0, v.err + v.out);
  assert.ok(v.out.includes('at beyond year 9999 (9223372036854775807)'), v.out);
});

test('attest at 2^63-1 signs a report that states the exact time, and it checks', async () => {
  await writeFile(join(keys, 'pass.txt'), 'a passphrase long enough\n');
  assert.equal(sealcheck(['keygen', '--examiner', '--name', 'Ex Aminer <ex@example.org>', '--out', 'ex', '--passphrase-file', 'pass.txt']).code, 0);
  const r = sealcheck(['attest', archives.get(MAX)!.path, ...POLICY, '--examiner-key', 'ex.key', '--passphrase-file', 'pass.txt', '--case', 'C-63', '--out', 'REPORT.pdf']);
  assert.equal(r.code, 0, r.err + r.out);
  assert.doesNotMatch(r.err, /internal error/);
  const envelope = JSON.parse(await readFile(join(keys, 'REPORT.dsse.json'), 'utf8')) as { payload: string };
  const statement = Buffer.from(envelope.payload, 'base64').toString('utf8');
  assert.match(statement, /"unixSeconds":"9223372036854775807","time":null/);
  const v = sealcheck(['verify-attestation', 'REPORT.pdf', '--examiner', 'ex.pub', '--archive', archives.get(MAX)!.path]);
  assert.equal(v.code, 0, v.out + v.err);
});

test('the app receives exact decimal strings, through JSON and structured clone alike; the renderer shows them', async () => {
  const report = await verifyArchive(archives.get(MAX)!.path, {
    policy: { logKeys: [{ ...logKey }], witnessKeys: [{ ...witness1 }], quorum: 1, origin: null },
  });
  assert.equal(report.verdict, 'verified');
  assert.deepEqual(report.covering!.cosignatures, [{ name: witness1.name, time: MAX }]);
  const view = { covering: coveringView(report.covering), checkpoints: report.checkpointChecks.map(checkpointCheckView) };
  for (const carried of [JSON.parse(JSON.stringify(view)), structuredClone(view)]) {
    assert.deepEqual(carried.covering.cosignatures, [{ name: witness1.name, time: '9223372036854775807' }]);
    assert.deepEqual(carried.checkpoints.map((c: { signatures: { role: string; time?: string }[] }) => c.signatures.find((s) => s.role === 'witness')!.time), ['9223372036854775807', '9223372036854775807', '9223372036854775807']);
  }
  assert.equal(utcFromSeconds('9223372036854775807'), 'beyond year 9999 (9223372036854775807)');
  assert.equal(utcFromSeconds('0'), '1970-01-01 00:00:00 UTC');
  assert.equal(utcFromSeconds('253402300799'), '9999-12-31 23:59:59 UTC');
  assert.equal(utcFromSeconds('253402300800'), 'beyond year 9999 (253402300800)');
  assert.equal(utcFromSeconds(undefined), '—');
});

test('stringifyJson writes what JSON.stringify writes, plus exact bigints', () => {
  const plain = { a: 1, b: [1, 'x', null, true, { c: [] , d: {} }], e: 'q"\n\u2028', f: undefined, g: -0.5, h: [undefined, () => 1] };
  assert.equal(stringifyJson(plain), JSON.stringify(plain, null, 2));
  assert.equal(stringifyJson(plain, 0), JSON.stringify(plain));
  assert.equal(stringifyJson({ t: MAX, u: [0n, -5n] }, 0), '{"t":9223372036854775807,"u":[0,-5]}');
  assert.equal(isoFromUnixSeconds(0n), '1970-01-01T00:00:00Z');
  assert.equal(isoFromUnixSeconds(253402300799n), '9999-12-31T23:59:59Z');
  assert.equal(isoFromUnixSeconds(253402300800n), null);
  assert.equal(describeUnixSeconds(MAX), 'beyond year 9999 (9223372036854775807)');
});
