// The sealcheck command line as a user runs it (the built bundle): exit codes, JSON shape, messages, real samples.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtemp, readFile, readdir, rm, writeFile, copyFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const SAMPLES = join(ROOT, 'resources/samples');
let dir = '';

function run(args: string[], input?: string) {
  const r = spawnSync(process.execPath, [join(ROOT, 'electron/cli/sealcheck.mjs'), ...args], { cwd: dir, encoding: 'utf8', input });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

function ok(args: string[]) {
  const r = run(args);
  assert.equal(r.code, 0, `${args.join(' ')}\n${r.err}${r.out}`);
  return r;
}

/** Bad usage: exit 2, one line on stderr starting with "sealcheck: ", never a stack trace. */
function usage(args: string[], message: RegExp) {
  const r = run(args);
  assert.equal(r.code, 2, `${args.join(' ')} → ${r.code}\n${r.err}`);
  assert.match(r.err, /^sealcheck: [^\n]+\n$/);
  assert.match(r.err, message);
  assert.doesNotMatch(r.err, /\n\s+at /);
}

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sealcheck-cli-'));
  ok(['keygen', '--name', 'prod.example/audit', '--out', 'log']);
  ok(['keygen', '--name', 'witness.example/w1', '--out', 'w1', '--cosigner']);
  ok(['keygen', '--name', 'prod.example/audit', '--out', 'impostor']);
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

test('keygen writes a signer key (mode 0600) and a verifier key, and never overwrites', async () => {
  const key = await readFile(join(dir, 'log.key'), 'utf8');
  const pub = await readFile(join(dir, 'log.pub'), 'utf8');
  assert.match(key, /^PRIVATE\+KEY\+prod\.example\/audit\+[0-9a-f]{8}\+A[A-Za-z0-9+/]{43}\n$/);
  assert.match(pub, /^prod\.example\/audit\+[0-9a-f]{8}\+A[A-Za-z0-9+/]{43}\n$/);
  assert.match(await readFile(join(dir, 'w1.pub'), 'utf8'), /^witness\.example\/w1\+[0-9a-f]{8}\+B/);
  const { statSync } = await import('node:fs');
  assert.equal(statSync(join(dir, 'log.key')).mode & 0o777, 0o600);
  usage(['keygen', '--name', 'x', '--out', 'log'], /already exists/);
  usage(['keygen', '--name', 'bad name', '--out', 'y'], /invalid key name/);
});

test('every bundled real log seals and verifies, in every container', async () => {
  const files = (await readdir(SAMPLES)).filter((f) => f.endsWith('.jsonl') || f.endsWith('.log'));
  assert.equal(files.length, 5);
  const kinds: Record<string, string> = {
    'immudb-log-audit_k8s.jsonl': 'kubernetes-audit', 'audit2rbac_demo.jsonl': 'kubernetes-audit', 'openshift-clo_audit_in.jsonl': 'openshift-audit',
    'ingress-nginx_beats-test.log': 'ingress-nginx', 'traefik_crowdsec-nikto.jsonl': 'traefik-access',
  };
  const counts: Record<string, number> = { 'immudb-log-audit_k8s.jsonl': 2971, 'audit2rbac_demo.jsonl': 37, 'openshift-clo_audit_in.jsonl': 100, 'ingress-nginx_beats-test.log': 29, 'traefik_crowdsec-nikto.jsonl': 80 };
  for (const f of files) {
    for (const [suffix, extra] of [['', []], ['.tar', ['--gzip']], ['.tar.gz', ['--segment-entries', '1000']]] as const) {
      const out = `${f}${suffix}`;
      const s = ok(['seal', '--key', 'log.key', '--origin', 'prod.example/audit', '--out', out, ...extra, join(SAMPLES, f)]);
      assert.match(s.out, new RegExp(`^sealed ${counts[f]} entries \\(${kinds[f]}\\)`));
      const v = run(['verify', out, '--trust', 'log.pub', '--json']);
      assert.equal(v.code, 0, v.out);
      const j = JSON.parse(v.out);
      assert.equal(j.verdict, 'verified');
      assert.equal(j.entries, counts[f]);
      assert.equal(j.coveredEntries, counts[f]);
      assert.deepEqual(j.findings, []);
    }
  }
  // Entries are the input lines byte for byte.
  const sealed = await readFile(join(dir, 'openshift-clo_audit_in.jsonl', 'segments', '000000000000.jsonl'));
  assert.deepEqual(sealed, await readFile(join(SAMPLES, 'openshift-clo_audit_in.jsonl')));
  // The tar is an ordinary tar.
  const t = spawnSync('tar', ['-tf', join(dir, 'traefik_crowdsec-nikto.jsonl.tar')], { encoding: 'utf8' });
  assert.deepEqual(t.stdout.trim().split('\n'), ['segments/000000000000.jsonl.gz', 'segments/000000000000.chain', 'checkpoints/000000000080.ckpt', 'manifest.json']);
});

test('--json is exactly the spec §7 object', () => {
  ok(['seal', '--key', 'log.key', '--origin', 'prod.example/audit', '--out', 'j', '--cosign', 'w1.key', '--checkpoint-every', '20', join(SAMPLES, 'audit2rbac_demo.jsonl')]);
  const j = JSON.parse(ok(['verify', 'j', '--trust', 'log.pub', '--witness', 'w1.pub', '--quorum', '1', '--json']).out);
  assert.deepEqual(Object.keys(j), ['verdict', 'archive', 'origin', 'entries', 'checkpoints', 'coveredEntries', 'covering', 'findings']);
  assert.deepEqual(Object.keys(j.archive), ['path', 'sha256']);
  assert.match(j.archive.sha256, /^[0-9a-f]{64}$/);
  assert.equal(j.origin, 'prod.example/audit');
  assert.deepEqual(j.checkpoints, { total: 2, trusted: 2 });
  assert.equal(j.covering.checkpoint, 'checkpoints/000000000037.ckpt');
  assert.equal(j.covering.size, 37);
  assert.match(j.covering.root, /^[A-Za-z0-9+/]{43}=$/);
  assert.equal(j.covering.cosignatures.length, 1);
  assert.equal(j.covering.cosignatures[0].name, 'witness.example/w1');
  assert.ok(Math.abs(j.covering.cosignatures[0].time - Date.now() / 1000) < 600);
});

test('exit codes: 0 verified, 1 failed, 3 incomplete, 2 bad usage', async () => {
  ok(['seal', '--key', 'log.key', '--origin', 'prod.example/audit', '--out', 'e', join(SAMPLES, 'traefik_crowdsec-nikto.jsonl')]);
  assert.equal(run(['verify', 'e', '--trust', 'log.pub']).code, 0);
  // A key of the same name but another key: nothing is trusted, nothing is wrong.
  const inc = run(['verify', 'e', '--trust', 'impostor.pub']);
  assert.equal(inc.code, 3);
  assert.match(inc.out, /^INCOMPLETE: no errors, but only 0 of 80 entries/);
  const seg = join(dir, 'e', 'segments', '000000000000.jsonl');
  const text = await readFile(seg, 'utf8');
  await writeFile(seg, text.replace('"GET"', '"PUT"'));
  const failed = run(['verify', 'e', '--trust', 'log.pub']);
  assert.equal(failed.code, 1);
  assert.match(failed.out, /^FAILED: prod\.example\/audit does not verify: /);
  assert.match(failed.out, /leaf-hash-mismatch \(error, 1\)\n {4}segments\/000000000000\.jsonl entry 0 line 1: /);
  // A tampered archive still gets JSON.
  assert.equal(JSON.parse(run(['verify', 'e', '--trust', 'log.pub', '--json']).out).verdict, 'failed');
});

test('bad usage names the file and the problem', async () => {
  await writeFile(join(dir, 'garbage.bin'), 'this is not an archive at all, just some text that is long enough to fill a block '.repeat(10));
  await writeFile(join(dir, 'two.pub'), `${await readFile(join(dir, 'log.pub'), 'utf8')}${await readFile(join(dir, 'w1.pub'), 'utf8')}`);
  await writeFile(join(dir, 'anchor.ckpt'), 'prod.example/audit\n3\nAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n\n\u2014 someone AAAAAAAA\n');
  ok(['seal', '--key', 'log.key', '--origin', 'prod.example/audit', '--out', 'u', join(SAMPLES, 'traefik_crowdsec-nikto.jsonl')]);
  usage(['verify', 'nope', '--trust', 'log.pub'], /nope: no such file or directory/);
  usage(['verify', 'garbage.bin', '--trust', 'log.pub'], /garbage\.bin: not a directory, tar or gzip file/);
  usage(['verify', 'u'], /at least one --trust/);
  usage(['verify', 'u', '--trust', 'missing.pub'], /cannot read key file missing\.pub: no such file/);
  usage(['verify', 'u', '--trust', 'w1.pub'], /--trust w1\.pub: witness\.example\/w1 is a cosigner key \(type 0x04\), not a log key \(type 0x01\)/);
  usage(['verify', 'u', '--trust', 'log.pub', '--witness', 'log.pub'], /--witness log\.pub: prod\.example\/audit is a log key \(type 0x01\), not a cosigner key \(type 0x04\)/);
  usage(['verify', 'u', '--trust', 'log.key'], /private signer key/);
  usage(['verify', 'u', '--trust', 'two.pub'], /one key per file/);
  usage(['verify', 'u', '--trust', 'log.pub', '--quorum', '1'], /--quorum needs --witness/);
  usage(['verify', 'u', '--trust', 'log.pub', '--witness', 'w1.pub', '--quorum', '2'], /can never be met by 1 distinct witness key/);
  usage(['verify', 'u', '--trust', 'log.pub', '--anchor', 'anchor.ckpt'], /anchor anchor\.ckpt is not a valid checkpoint|has no valid signature/);
  usage(['verify', 'u', '--trust', 'log.pub', '--frobnicate'], /unknown option --frobnicate/);
  usage(['verify', 'u', 'u', '--trust', 'log.pub'], /exactly one ARCHIVE/);
  usage(['seal', '--key', 'log.key', '--origin', 'other.example/log', '--out', 'x', join(SAMPLES, 'traefik_crowdsec-nikto.jsonl')], /must equal the log key's name/);
  usage(['seal', '--key', 'w1.key', '--origin', 'witness.example/w1', '--out', 'x', join(SAMPLES, 'traefik_crowdsec-nikto.jsonl')], /cosigner key/);
  usage(['seal', '--key', 'log.key', '--origin', 'prod.example/audit', '--out', 'u', join(SAMPLES, 'traefik_crowdsec-nikto.jsonl')], /already exists/);
  usage(['seal', '--key', 'log.key', '--origin', 'prod.example/audit', '--out', 'x', 'no-such.log'], /cannot read input no-such\.log: no such file/);
  usage(['seal', '--key', 'log.key', '--origin', 'prod.example/audit', '--out', 'x', '--checkpoint-every', '0', 'no-such.log'], /--checkpoint-every must be a positive integer/);
  usage(['frob'], /unknown command "frob"/);
});

test('seal: empty lines skipped and counted, missing final LF added, CR kept, stdin, gzip input, deterministic output', async () => {
  await writeFile(join(dir, 'quirky.log'), 'a\r\n\n\nb\nc');
  const s = ok(['seal', '--key', 'log.key', '--origin', 'prod.example/audit', '--out', 'q', 'quirky.log']);
  assert.match(s.out, /2 empty input lines skipped/);
  assert.match(s.out, /1 input ended without a newline/);
  assert.equal(await readFile(join(dir, 'q/segments/000000000000.jsonl'), 'utf8'), 'a\r\nb\nc\n');
  usage(['seal', '--key', 'log.key', '--origin', 'prod.example/audit', '--out', 'none', join(dir, 'garbage.bin').replace('garbage.bin', 'empty.log')], /cannot read input|no entries/);
  await writeFile(join(dir, 'empty.log'), '\n\n');
  usage(['seal', '--key', 'log.key', '--origin', 'prod.example/audit', '--out', 'none', 'empty.log'], /empty\.log: no entries/);
  // stdin and gzip-compressed input give the same archive content as the plain file.
  const r = spawnSync(process.execPath, [join(ROOT, 'electron/cli/sealcheck.mjs'), 'seal', '--key', 'log.key', '--origin', 'prod.example/audit', '--out', 'stdin', '-'], { cwd: dir, input: await readFile(join(SAMPLES, 'audit2rbac_demo.jsonl')) });
  assert.equal(r.status, 0, String(r.stderr));
  spawnSync('sh', ['-c', `gzip -c '${join(SAMPLES, 'audit2rbac_demo.jsonl')}' > rotated.log.gz`], { cwd: dir });
  ok(['seal', '--key', 'log.key', '--origin', 'prod.example/audit', '--out', 'gzin', 'rotated.log.gz']);
  ok(['seal', '--key', 'log.key', '--origin', 'prod.example/audit', '--out', 'plain', '--gzip', join(SAMPLES, 'audit2rbac_demo.jsonl')]);
  ok(['seal', '--key', 'log.key', '--origin', 'prod.example/audit', '--out', 'plain2', '--gzip', join(SAMPLES, 'audit2rbac_demo.jsonl')]);
  for (const f of ['segments/000000000000.chain', 'checkpoints/000000000037.ckpt']) {
    const a = await readFile(join(dir, 'stdin', f));
    assert.deepEqual(await readFile(join(dir, 'gzin', f)), a, f);
    assert.deepEqual(await readFile(join(dir, 'plain', f)), a, f);
  }
  // Byte-identical segments, chains and checkpoints from the same inputs and key; .gz is one member, MTIME 0, no name.
  for (const f of ['segments/000000000000.jsonl.gz', 'segments/000000000000.chain', 'checkpoints/000000000037.ckpt']) {
    assert.deepEqual(await readFile(join(dir, 'plain2', f)), await readFile(join(dir, 'plain', f)), f);
  }
  const gz = await readFile(join(dir, 'plain/segments/000000000000.jsonl.gz'));
  assert.deepEqual([...gz.subarray(0, 8)], [0x1f, 0x8b, 8, 0, 0, 0, 0, 0]);
  assert.deepEqual(spawnSync('gzip', ['-dc'], { input: gz }).stdout, await readFile(join(SAMPLES, 'audit2rbac_demo.jsonl')));
  const m1 = JSON.parse(await readFile(join(dir, 'plain/manifest.json'), 'utf8'));
  const m2 = JSON.parse(await readFile(join(dir, 'plain2/manifest.json'), 'utf8'));
  delete m1.created;
  delete m2.created;
  assert.deepEqual(m1, m2);
});

test('npm run --silent sealcheck -- ARGS runs the same program from the repository root', async () => {
  await copyFile(join(dir, 'log.pub'), join(dir, 'npm.pub'));
  const r = spawnSync('npm', ['run', '--silent', 'sealcheck', '--', 'verify', join(dir, 'e'), '--trust', join(dir, 'npm.pub'), '--json'], { cwd: ROOT, encoding: 'utf8' });
  assert.ok(r.status === 0 || r.status === 1, r.stderr);
  assert.equal(typeof JSON.parse(r.stdout).verdict, 'string');
});
