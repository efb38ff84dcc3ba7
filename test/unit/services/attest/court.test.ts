// The attestation as a court would read it: exact claims, counts of failed reports, identity, custody, digest order, and every verification step run as printed.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { howToVerify, type AttestationContent } from '../../../../shared/core/attestation.ts';

const ROOT = fileURLToPath(new URL('../../../../', import.meta.url));
const SAMPLES = join(ROOT, 'resources/samples');
const CLI = join(ROOT, 'electron/cli/sealcheck.mjs');
let dir = '';

function have(command: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${command}`]).status === 0;
}
/** The steps need these Debian packages; install what is missing rather than skip. */
function ensureTools(): void {
  const need: [string, string][] = [['pdftotext', 'poppler-utils'], ['pdfsig', 'poppler-utils'], ['certtool', 'gnutls-bin'], ['ssh-keygen', 'openssh-client'], ['xxd', 'xxd'], ['openssl', 'openssl']];
  const missing = [...new Set(need.filter(([c]) => !have(c)).map(([, p]) => p))];
  if (missing.length === 0) return;
  const r = spawnSync('sh', ['-c', `apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq ${missing.join(' ')}`], { stdio: 'inherit' });
  assert.equal(r.status, 0, `installing ${missing.join(' ')}`);
  for (const [c] of need) assert.ok(have(c), `${c} is still missing`);
}
function sealcheck(args: string[], cwd = dir) {
  const r = spawnSync(process.execPath, [CLI, ...args], { cwd, encoding: 'utf8' });
  return { code: r.status, out: r.stdout, err: r.stderr };
}
const ok = (args: string[], cwd = dir) => {
  const r = sealcheck(args, cwd);
  assert.ok(r.code === 0 || r.code === 1 || r.code === 3, `${args.join(' ')}: exit ${r.code}\n${r.err}`);
  return r;
};
const pageText = (pdf: string, first: number, last = first) => spawnSync('pdftotext', ['-layout', '-f', String(first), '-l', String(last), pdf, '-'], { encoding: 'utf8' }).stdout;
const allText = (pdf: string) => spawnSync('pdftotext', ['-layout', pdf, '-'], { encoding: 'utf8' }).stdout;
const flat = (s: string) => s.replace(/\s+/g, ' ');
const bare = (s: string) => s.replace(/\s+/g, '');

/** The statement inside REPORT.dsse.json, decoded. */
async function statementOf(folder: string, stem = 'REPORT') {
  const env = JSON.parse(await readFile(join(folder, `${stem}.dsse.json`), 'utf8'));
  return { env, statement: JSON.parse(Buffer.from(env.payload, 'base64').toString('utf8')) };
}

const EXAMINER = ['--examiner-key', '../dana.key', '--passphrase-file', '../pass.txt'];
const POLICY = ['--trust', '../log.pub', '--witness', '../w1.pub', '--quorum', '1'];

before(async () => {
  ensureTools();
  assert.equal(spawnSync(process.execPath, [join(ROOT, 'scripts/build.mjs')]).status, 0);
  dir = await mkdtemp(join(tmpdir(), 'sealcheck-court-'));
  await writeFile(join(dir, 'pass.txt'), 'a long examiner passphrase\n');
  await writeFile(join(dir, 'rpass.txt'), 'the reviewer has her own passphrase\n');
  for (const args of [
    ['keygen', '--name', 'prod.example/audit', '--out', 'log'],
    ['keygen', '--name', 'witness.example/w1', '--out', 'w1', '--cosigner'],
    ['keygen', '--examiner', '--name', 'Dana Demo <dana@example.org>', '--organisation', 'Demo Forensics Ltd', '--qualifications', 'GCFA; 9 years of Kubernetes incident response', '--out', 'dana', '--passphrase-file', 'pass.txt'],
    ['keygen', '--examiner', '--name', 'Rita Reviewer <rita@example.org>', '--out', 'rita', '--passphrase-file', 'rpass.txt'],
    ['seal', '--key', 'log.key', '--origin', 'prod.example/audit', '--cosign', 'w1.key', '--checkpoint-every', '1000', '--segment-entries', '1000', '--out', 'audit', join(SAMPLES, 'immudb-log-audit_k8s.jsonl')],
  ]) assert.equal(sealcheck(args).code, 0, args.join(' '));
  // The cut-back copy: last segment, its chain and the last checkpoint deleted, the manifest edited to match.
  await cp(join(dir, 'audit'), join(dir, 'cutback'), { recursive: true });
  for (const f of ['segments/000000002000.jsonl', 'segments/000000002000.chain', 'checkpoints/000000002971.ckpt']) await rm(join(dir, 'cutback', f));
  const m = JSON.parse(await readFile(join(dir, 'cutback/manifest.json'), 'utf8'));
  m.entries = 2000;
  m.segments = m.segments.slice(0, 2);
  m.checkpoints = m.checkpoints.filter((c: string) => !c.endsWith('2971.ckpt'));
  await writeFile(join(dir, 'cutback/manifest.json'), `${JSON.stringify(m, null, 2)}\n`);
  // The tampered copy: one username changed in the second segment, the manifest's digest updated.
  await cp(join(dir, 'audit'), join(dir, 'tampered'), { recursive: true });
  const seg = join(dir, 'tampered/segments/000000001000.jsonl');
  const lines = (await readFile(seg, 'utf8')).split('\n');
  lines[10] = lines[10]!.replace(/"username":"[^"]*"/, '"username":"intern"');
  await writeFile(seg, lines.join('\n'));
  const t = JSON.parse(await readFile(join(dir, 'tampered/manifest.json'), 'utf8'));
  t.segments[1].sha256 = spawnSync('sha256sum', [seg], { encoding: 'utf8' }).stdout.split(' ')[0];
  await writeFile(join(dir, 'tampered/manifest.json'), `${JSON.stringify(t, null, 2)}\n`);
  for (const d of ['verified', 'cutback-report', 'failed', 'incomplete', 'mismatch']) mkdirSync(join(dir, d));
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

test('a verified report states what was checked and no more, with custody, declaration, reviewer and every step runnable as printed', async () => {
  const folder = join(dir, 'verified');
  const r = sealcheck(['attest', '../audit', ...POLICY, ...EXAMINER, '--case', 'CASE-7', '--examiner', 'Dana Demo', '--title', 'Cluster admin review',
    '--received-from', 'K. Brandt, SRE on-call', '--received-at', '2026-12-01T10:00:00Z', '--evidence-number', 'EV-7-1', '--declaration', 'us-fre-902',
    '--reviewer-key', '../rita.key', '--reviewer-passphrase-file', '../rpass.txt', '--out', 'REPORT.pdf'], folder);
  assert.equal(r.code, 0, r.err + r.out);
  const { env, statement } = await statementOf(folder);
  const c = statement.predicate.content as AttestationContent;
  const root = c.result.coverage.coveringCheckpoint!.rootHash;
  assert.equal(c.result.reason, `No alteration detected in the 2,971 sealed entries up to tree size 2,971 (root ${root}), relative to the keys listed in \u00a74.`);
  const page1 = flat(pageText(join(folder, 'REPORT.pdf'), 1));
  assert.ok(bare(page1).includes(bare(c.result.reason)), 'the claim on page 1');
  assert.ok(page1.includes('compare them with a checkpoint obtained independently'), 'no anchor: the cut-back limitation is on page 1');
  assert.doesNotMatch(page1, /nothing was altered|Every entry is present/);
  // Identity from the key; custody given and not given.
  assert.deepEqual([c.examiner.name, c.examiner.organisation, c.examiner.email, c.examiner.qualifications], ['Dana Demo', 'Demo Forensics Ltd', 'dana@example.org', 'GCFA; 9 years of Kubernetes incident response']);
  assert.deepEqual([c.custody.receivedFrom, c.custody.receivedAt, c.custody.evidenceNumber, c.custody.storedWhere, c.custody.receivedHow], ['K. Brandt, SRE on-call', '2026-12-01T10:00:00Z', 'EV-7-1', null, null]);
  const text = flat(allText(join(folder, 'REPORT.pdf')));
  assert.match(text, /Stored where not provided/);
  assert.match(text, /Received how not provided/);
  assert.match(text, /Directory name audit/);
  assert.ok(text.includes('I declare under penalty of perjury under the laws of the United States of America that the foregoing is true and correct.'));
  assert.equal(c.declaration.template, 'us-fre-902');
  assert.equal(c.declaration.templateVersion, '1');
  // The standard limitations are printed once.
  assert.equal(text.split('what happened inside containers').length - 1, 1);
  // Digest first, then the verification.
  assert.ok(Date.parse(c.evidence[0]!.digestTakenAt) < Date.parse(c.tool.startedAt), `${c.evidence[0]!.digestTakenAt} < ${c.tool.startedAt}`);
  assert.equal(c.evidence[0]!.digestWhileVerifying, c.evidence[0]!.sha256);
  assert.deepEqual(c.tool.argv!.slice(0, 3), ['sealcheck', 'attest', '../audit']);
  // The installation self-test ran just before, its record delivered beside the report.
  assert.equal(c.method.selfTest.status, 'passed');
  assert.equal(c.method.selfTest.recordSha256, spawnSync('sha256sum', ['REPORT.self-test.json'], { cwd: folder, encoding: 'utf8' }).stdout.split(' ')[0]);
  assert.ok(Date.parse(c.method.selfTest.at!) <= Date.parse(c.tool.startedAt));
  // Reproducibility: the build, the lock file and the source commit.
  // Other work may rebuild dist/ or commit while this runs (a shared checkout): a file changed since the run is not compared.
  const sha = (f: string) => spawnSync('sha256sum', [f], { cwd: ROOT, encoding: 'utf8' }).stdout.split(' ')[0];
  const unchanged = (f: string) => statSync(join(ROOT, f)).mtimeMs < Date.parse(c.tool.startedAt);
  if (unchanged('package-lock.json')) assert.equal(c.reproducibility.packageLock, sha('package-lock.json'));
  if (unchanged('dist/cli.mjs')) assert.equal(c.reproducibility.bundles.find((b) => b.file === 'dist/cli.mjs')?.sha256, sha('dist/cli.mjs'));
  assert.ok(c.reproducibility.bundles.some((b) => b.file === 'dist/cli.mjs') && c.reproducibility.bundles.every((b) => /^[0-9a-f]{64}$/.test(b.sha256)));
  assert.equal(spawnSync('git', ['merge-base', '--is-ancestor', c.reproducibility.sourceCommit!, 'HEAD'], { cwd: ROOT }).status, 0, 'the recorded commit is HEAD or before it');
  assert.deepEqual(c.reproducibility.checkpoints.map((x) => x.path), ['checkpoints/000000001000.ckpt', 'checkpoints/000000002000.ckpt', 'checkpoints/000000002971.ckpt']);
  assert.ok(text.includes('Appendix: reproducibility') && text.includes('Appendix: glossary'));
  assert.equal(c.tool.cwd, folder);
  // in-toto subjects: every file of the directory with its real SHA-256, the tree digest as an annotation.
  const sums = spawnSync('sh', ['-c', 'find . -type f | sort | xargs sha256sum'], { cwd: join(dir, 'audit'), encoding: 'utf8' }).stdout.trim().split('\n').map((l) => l.split(/\s+/));
  assert.deepEqual(statement.subject.map((s: { name: string; digest: { sha256: string } }) => [s.digest.sha256, `./${s.name}`]).sort(), sums.sort());
  assert.equal(statement.subject[0].annotations['sealcheck.dev/tree-sha256'], c.evidence[0]!.sha256);
  const tree = spawnSync('sh', ['-c', c.reproducibility.digestCommand], { cwd: dir, encoding: 'utf8' }).stdout.split(' ')[0];
  assert.equal(tree, c.evidence[0]!.sha256, 'the printed digest command recomputes the tree digest');
  // The SLSA verification summary beside it.
  const vsa = JSON.parse(Buffer.from(JSON.parse(await readFile(join(folder, 'REPORT.vsa.dsse.json'), 'utf8')).payload, 'base64').toString());
  assert.equal(vsa.predicateType, 'https://slsa.dev/verification_summary/v1');
  assert.equal(vsa.predicate.verificationResult, 'PASSED');
  assert.deepEqual(vsa.predicate.inputAttestations.map((a: { uri: string }) => a.uri), ['checkpoints/000000001000.ckpt', 'checkpoints/000000002000.ckpt', 'checkpoints/000000002971.ckpt']);
  for (const k of ['verifier', 'timeVerified', 'resourceUri', 'policy', 'inputAttestations', 'verificationResult', 'verifiedLevels']) assert.ok(k in vsa.predicate, k);
  // Reviewer: a second DSSE signature, checked by verify-attestation.
  assert.equal(env.signatures.length, 2);
  const v = sealcheck(['verify-attestation', 'REPORT.pdf', '--examiner', 'REPORT.examiner.pub', '--json'], folder);
  assert.equal(v.code, 0, v.out + v.err);
  assert.deepEqual(JSON.parse(v.out).checks.map((x: { name: string; ok: boolean }) => [x.name, x.ok]), [
    ['PDF signature (PAdES, Ed25519)', true], ['embedded statement (DSSE)', true], ['embedded verification summary (SLSA VSA, DSSE)', true],
    ['verification summary agrees with the report', true], ['REPORT.dsse.json beside the report', true], ['REPORT.vsa.dsse.json beside the report', true],
    ['reviewer signature (DSSE) by Rita Reviewer', true], ['visible report matches the statement', true], ['REPORT.pdf.sshsig (SSHSIG)', true],
  ]);

  // Every step of section 11, exactly as printed, in the report's folder, with a `sealcheck` on PATH.
  const bin = join(dir, 'bin');
  mkdirSync(bin, { recursive: true });
  writeFileSync(join(bin, 'sealcheck'), `#!/bin/sh\nexec "${process.execPath}" "${CLI}" "$@"\n`);
  chmodSync(join(bin, 'sealcheck'), 0o755);
  const steps = howToVerify(c);
  assert.equal(steps.length, 6);
  const printed = bare(allText(join(folder, 'REPORT.pdf')));
  for (const step of steps) {
    assert.equal(step.expect.length, step.commands.length);
    for (const [k, command] of step.commands.entries()) {
      assert.ok(printed.includes(bare(command)), `printed in the report: ${command}`);
      const run = spawnSync('bash', ['-c', command], { cwd: folder, encoding: 'utf8', env: { ...process.env, PATH: `${bin}:${process.env.PATH}` } });
      const output = run.stdout + run.stderr;
      console.log(`$ ${command}\n${output.trim()}\n(exit ${run.status})`);
      if (!step.title.startsWith('What pdfsig')) assert.equal(run.status, 0, `${step.title}: ${output}`);
      assert.ok(output.includes(step.expect[k]!), `${step.title}: expected ${JSON.stringify(step.expect[k])} in\n${output}`);
      assert.ok(printed.includes(bare(`Prints: ${step.expect[k]}`)), 'the expected output is printed under the command');
    }
  }
  // The DSSE step checks both envelopes; the fingerprint step prints both spellings.
  const dsseStep = spawnSync('bash', ['-c', steps[2]!.commands[0]!], { cwd: folder, encoding: 'utf8' });
  assert.equal(dsseStep.stdout.split('Signature Verified Successfully').length - 1, 2);
  const fp = spawnSync('bash', ['-c', steps[0]!.commands.join('\n')], { cwd: folder, encoding: 'utf8' }).stdout;
  assert.ok(fp.includes(c.examiner.fingerprints.openssh) && fp.includes(`${c.examiner.fingerprints.sha256Hex}  -`), fp);
  assert.ok(readdirSync(folder).includes('REPORT.examiner.crt'));
});

test('a cut-back archive checked with a witness quorum: the limitation on page 1 and no absolute claim', async () => {
  const folder = join(dir, 'cutback-report');
  const r = ok(['attest', '../cutback', ...POLICY, ...EXAMINER, '--case', 'CASE-8', '--no-self-test', '--out', 'REPORT.pdf'], folder);
  assert.equal(r.code, 0, r.err + r.out);
  const { statement } = await statementOf(folder);
  const c = statement.predicate.content as AttestationContent;
  assert.equal(c.result.coverage.coveredEntries, 2000);
  const page1 = flat(pageText(join(folder, 'REPORT.pdf'), 1));
  assert.match(page1, /^.*VERIFIED/);
  assert.ok(bare(page1).includes(bare(`This examination covers tree size 2,000 with root ${c.result.coverage.coveringCheckpoint!.rootHash}`)), page1);
  assert.ok(page1.includes('compare them with a checkpoint obtained independently'));
  assert.ok(page1.includes('No alteration detected in the 2,000 sealed entries up to tree size 2,000'));
  assert.doesNotMatch(page1, /nothing was altered|Every entry is present|All 2,?000 entries/);
  assert.ok(page1.includes('The log was cut back to an earlier checkpoint'), 'the interpretation beside the verdict');
});

test('a FAILED report counts what is true: no "3 of 3 trusted", the entry named, counts from every entry', async () => {
  const folder = join(dir, 'failed');
  const r = sealcheck(['attest', '../tampered', ...POLICY, ...EXAMINER, '--case', 'CASE-9', '--no-self-test', '--out', 'REPORT.pdf'], folder);
  assert.equal(r.code, 1, r.err + r.out);
  const { statement } = await statementOf(folder);
  const c = statement.predicate.content as AttestationContent;
  assert.equal(c.result.verdict, 'failed');
  assert.deepEqual(c.result.checkpoints, { total: 3, signedByTrustedKey: 3, matchingEntries: 1 });
  assert.equal(c.result.entries.withErrors, 1);
  const page1 = flat(pageText(join(folder, 'REPORT.pdf'), 1));
  assert.ok(page1.includes('3 in the archive; 3 carry a valid signature by a trusted key meeting the policy; 1 of those match the entries'), page1);
  assert.ok(page1.includes('1 named by an error finding'));
  assert.doesNotMatch(page1, /3 of 3 trusted|3 trusted of 3/);
  assert.doesNotMatch(page1, /obtained independently/, 'on a FAILED report the failure is the news; the caveat is in section 7');
  assert.ok(page1.includes('entry 1010'), 'the reason names the changed entry');
  const text = flat(allText(join(folder, 'REPORT.pdf')));
  assert.ok(text.includes('counted from every entry read, including any not covered by a trusted checkpoint or named by a finding'));
  assert.doesNotMatch(text, /from the verified entries/);
  const vsa = JSON.parse(Buffer.from(JSON.parse(await readFile(join(folder, 'REPORT.vsa.dsse.json'), 'utf8')).payload, 'base64').toString());
  assert.deepEqual([vsa.predicate.verificationResult, vsa.predicate.verifiedLevels], ['FAILED', ['FAILED']]);
});

test('an INCOMPLETE report: no trusted checkpoint covers the tail, said on page 1', async () => {
  const folder = join(dir, 'incomplete');
  await cp(join(dir, 'audit'), join(dir, 'tail'), { recursive: true });
  await rm(join(dir, 'tail/checkpoints/000000002971.ckpt'));
  const m = JSON.parse(await readFile(join(dir, 'tail/manifest.json'), 'utf8'));
  m.checkpoints = m.checkpoints.filter((x: string) => !x.endsWith('2971.ckpt'));
  await writeFile(join(dir, 'tail/manifest.json'), `${JSON.stringify(m, null, 2)}\n`);
  const r = sealcheck(['attest', '../tail', ...POLICY, ...EXAMINER, '--case', 'CASE-10', '--no-self-test', '--out', 'REPORT.pdf'], folder);
  assert.equal(r.code, 3, r.err + r.out);
  const page1 = flat(pageText(join(folder, 'REPORT.pdf'), 1));
  assert.ok(page1.includes('INCOMPLETE'));
  assert.ok(page1.includes('2,971 read; 2,000 covered by a trusted checkpoint'), page1);
  assert.ok(bare(page1).includes(bare('Only 2,000 of 2,971 entries are covered by a trusted checkpoint (tree size 2,000, root')), 'the reason with its numbers');
  assert.ok(page1.includes('compare them with a checkpoint obtained independently'), 'the cut-back caveat holds for the covered part');
});

test('identity comes from the key: another --examiner or --organisation is refused, versions name what they supersede', async () => {
  const folder = join(dir, 'mismatch');
  const other = sealcheck(['attest', '../audit', ...POLICY, ...EXAMINER, '--case', 'C', '--examiner', 'Prof. Somebody Else', '--out', 'REPORT.pdf'], folder);
  assert.equal(other.code, 2);
  assert.equal(other.err, 'sealcheck: attest: --examiner "Prof. Somebody Else" is not the name stored with the examiner key ("Dana Demo <dana@example.org>"); a report is signed only in its key\'s name\n');
  const org = sealcheck(['attest', '../audit', ...POLICY, ...EXAMINER, '--case', 'C', '--organisation', 'Elsewhere Inc', '--out', 'REPORT.pdf'], folder);
  assert.equal(org.code, 2);
  assert.match(org.err, /^sealcheck: attest: --organisation "Elsewhere Inc" is not the organisation stored with the examiner key \("Demo Forensics Ltd"\)\n$/);
  const noPrior = sealcheck(['attest', '../audit', ...POLICY, ...EXAMINER, '--case', 'C', '--report-version', '2', '--out', 'REPORT.pdf'], folder);
  assert.equal(noPrior.code, 2);
  assert.match(noPrior.err, /must name the report it supersedes \(--supersedes REPORT-ID\)/);
  const badDigest = sealcheck(['attest', '../audit', ...POLICY, ...EXAMINER, '--case', 'C', '--digest-at-receipt', 'abc', '--out', 'REPORT.pdf'], folder);
  assert.equal(badDigest.code, 2);
  assert.equal(readdirSync(folder).length, 0, 'nothing written by a refused attest');
  const v2 = sealcheck(['attest', '../audit', ...POLICY, ...EXAMINER, '--case', 'C', '--examiner', 'Dana Demo <dana@example.org>', '--report-version', '2', '--supersedes', 'SC-20261201000000-abcdef01',
    '--digest-at-receipt', '0'.repeat(64), '--no-self-test', '--out', 'REPORT-v2.pdf'], folder);
  assert.equal(v2.code, 0, v2.err);
  const { statement } = await statementOf(folder, 'REPORT-v2');
  const c = statement.predicate.content as AttestationContent;
  assert.deepEqual([c.report.version, c.report.supersedes], [2, 'SC-20261201000000-abcdef01']);
  const page1 = flat(pageText(join(folder, 'REPORT-v2.pdf'), 1));
  assert.ok(page1.includes('version 2 · supersedes SC-20261201000000-abcdef01'));
  assert.ok(bare(page1).includes(bare(`DIFFERS from the digest recorded at receipt (${'0'.repeat(64)})`)), 'a digest at receipt that differs is on page 1');
});
