// The headless main job on the bundled real logs: keys, seal, verify (and a tampered copy), then where everything is.
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const out = join(root, 'demo-output');
const samples = join(root, 'resources/samples');
const cli = join(root, 'electron/cli/sealcheck.mjs');

if (!existsSync(join(root, 'dist/cli.mjs'))) spawnSync(process.execPath, [join(root, 'scripts/build.mjs')], { stdio: 'inherit' });
rmSync(out, { recursive: true, force: true });
mkdirSync(join(out, 'keys'), { recursive: true });
mkdirSync(join(out, 'archives'), { recursive: true });
mkdirSync(join(out, 'attestation'), { recursive: true });

function sealcheck(args, { allow = [0] } = {}) {
  const r = spawnSync(process.execPath, [cli, ...args], { cwd: out, encoding: 'utf8' });
  if (!allow.includes(r.status)) {
    process.stderr.write(r.stdout + r.stderr);
    throw new Error(`sealcheck ${args[0]} exited ${r.status}`);
  }
  return r;
}
// `--until N` stops after step N (the paths test runs the first steps from a folder whose name has a space).
const until = process.argv.includes('--until') ? Number(process.argv[process.argv.indexOf('--until') + 1]) : Infinity;
const step = (title) => {
  if (Number.parseInt(title, 10) > until) {
    console.log(`\n(stopped after step ${until})`);
    process.exit(0);
  }
  console.log(`\n== ${title}`);
};
const indent = (s) => s.trimEnd().replace(/^/gm, '   ');

step('1. Keys: the log\'s signing key and an independent witness (cosigner) key');
console.log(indent(sealcheck(['keygen', '--name', 'demo.sealcheck.example/k8s-audit', '--out', 'keys/log']).stdout));
console.log(indent(sealcheck(['keygen', '--name', 'witness.sealcheck.example/w1', '--out', 'keys/witness', '--cosigner']).stdout));

const archives = [
  // Its audit policy is sealed as entry 0, before the 2,971 events it governs (entries 1 to 2,971): the report states its blind spots.
  ['kube-apiserver audit log (2,971 events) with its audit policy', 'immudb-log-audit_k8s.jsonl', 'archives/kubernetes-audit', ['--checkpoint-every', '1000', '--segment-entries', '1000', '--policy', join(root, 'resources/demo/audit-policy.yaml')]],
  ['legacy 2017 audit events', 'audit2rbac_demo.jsonl', 'archives/audit2rbac.tar', []],
  ['OpenShift audit log (RequestResponse)', 'openshift-clo_audit_in.jsonl', 'archives/openshift-audit.tar.gz', ['--gzip']],
  ['ingress-nginx access log (29 lines)', 'ingress-nginx_beats-test.log', 'archives/ingress-nginx', []],
  ['Traefik access log of a Nikto scan (80 lines)', 'traefik_crowdsec-nikto.jsonl', 'archives/traefik-access.tar', []],
];
step('2. Seal the bundled real logs (every checkpoint signed by the log and cosigned by the witness)');
for (const [what, file, archive, extra] of archives) {
  console.log(`   ${what}: resources/samples/${file}`);
  console.log(indent(indent(sealcheck(['seal', '--key', 'keys/log.key', '--cosign', 'keys/witness.key', '--origin', 'demo.sealcheck.example/k8s-audit', '--out', archive, ...extra, join(samples, file)]).stdout)));
}

step('3. Verify each archive against the trusted log key, with a witness quorum of 1');
const trust = ['--trust', 'keys/log.pub', '--witness', 'keys/witness.pub', '--quorum', '1'];
for (const [, , archive] of archives) {
  const r = sealcheck(['verify', archive, ...trust]);
  console.log(indent(r.stdout.split('\n').slice(0, 2).join('\n')));
  writeFileSync(join(out, `${archive}.verify.json`), sealcheck(['verify', archive, ...trust, '--json']).stdout);
}
console.log('   What the kube-apiserver log could not have recorded (verify --scope, from the sealed policy):');
console.log(indent(indent(sealcheck(['verify', 'archives/kubernetes-audit', ...trust, '--scope']).stdout.split('\nEvidence scope')[1].replace(/^[^\n]*\n/, ''))));
console.log('   (The sample was recorded by a cluster that kept RequestReceived and logged probes, kube-proxy watches and RBAC at Metadata:\n' +
  '   those events contradict the sealed policy. That is a finding for the examiner, not an integrity error.)');

step('4. Tamper with a copy: one event\'s user changed, the manifest hash fixed up like a careful attacker would');
const tampered = join(out, 'archives/kubernetes-audit-tampered');
cpSync(join(out, 'archives/kubernetes-audit'), tampered, { recursive: true });
const seg = join(tampered, 'segments/000000001000.jsonl');
const lines = readFileSync(seg, 'utf8').split('\n');
const victim = 234; // entry 1234 of the archive (event 1,234 of the sample: entry 0 is the audit policy)
const before = lines[victim];
lines[victim] = before.replace(/"username":"[^"]*"/, '"username":"intern"');
if (lines[victim] === before) throw new Error('demo: the entry to tamper with has no username');
writeFileSync(seg, lines.join('\n'));
const manifestPath = join(tampered, 'manifest.json');
const manifest = JSON.parse(readFileSync(manifestPath, 'utf8'));
const sha = spawnSync('sha256sum', [seg], { encoding: 'utf8' }).stdout.split(' ')[0];
manifest.segments[1].sha256 = sha;
writeFileSync(manifestPath, `${JSON.stringify(manifest, null, 2)}\n`);
const bad = sealcheck(['verify', relative(out, tampered), ...trust], { allow: [1] });
console.log(indent(bad.stdout));

step('5. Index every event into a case database while verifying, then ask forensic questions');
for (const [, , archive] of archives) sealcheck(['verify', archive, ...trust, '--index', 'case.sqlite']);
console.log(`   indexed ${sealcheck(['query', 'case.sqlite', '--count']).stdout.trim()} events into case.sqlite`);
for (const [label, args] of [
  ['denied requests (403 or forbid)', ['--preset', 'denied']],
  ['impersonation', ['--preset', 'impersonation']],
  ['deletions', ['--preset', 'deletions']],
  ['HTTP 500 responses', ['--code', '500']],
  ['full text "kube-system"', ['--text', 'kube-system']],
]) console.log(`   ${label.padEnd(34)} ${sealcheck(['query', 'case.sqlite', ...args, '--count']).stdout.trim()}`);
console.log(indent(sealcheck(['query', 'case.sqlite', '--preset', 'denied', '--limit', '3']).stdout));

step('6. Prove one event on its own (C2SP tlog-proof), and check the proof');
console.log(indent(sealcheck(['prove', 'archives/kubernetes-audit', '--index', '1234', '--out', 'event-1234.tlog-proof', ...trust]).stdout));
console.log(indent(sealcheck(['verify-proof', 'event-1234.tlog-proof', '--entry', 'event-1234.entry', ...trust]).stdout));

step('7. Signed attestation for chain of custody (PDF + DSSE statements + SSH signature), after the installation self-test');
writeFileSync(join(out, 'keys/examiner.passphrase'), 'demo passphrase: use a real one\n');
console.log(indent(sealcheck(['keygen', '--examiner', '--name', 'Dana Demo <dana@sealcheck.example>', '--out', 'keys/examiner', '--passphrase-file', 'keys/examiner.passphrase',
  '--organisation', 'Sealcheck demo', '--qualifications', 'Demo examiner: no qualifications, this is sample output']).stdout));
const attest = sealcheck(['attest', 'archives/kubernetes-audit', ...trust, '--examiner-key', 'keys/examiner.key', '--passphrase-file', 'keys/examiner.passphrase',
  '--case', 'DEMO-2026-001', '--examiner', 'Dana Demo', '--title', 'Review of cluster-admin activity', '--requesting-party', 'Legal department',
  '--role', 'Forensic examiner', '--received-from', 'the demo script (sealed in step 2)', '--received-at', new Date().toISOString().replace(/\.\d{3}Z$/, 'Z'),
  '--received-how', 'local folder demo-output/archives', '--evidence-number', 'DEMO-EV-1', '--declaration', 'us-fre-902',
  '--index', 'case.sqlite', '--out', 'attestation/REPORT.pdf']);
console.log(indent(attest.stdout));
console.log(indent(sealcheck(['verify-attestation', 'attestation/REPORT.pdf', '--examiner', 'keys/examiner.pub', '--archive', 'archives/kubernetes-audit']).stdout));
// Section 11 of the report prints the same checks without Sealcheck; the fingerprint one, as printed:
console.log(indent(`ssh-keygen -lf REPORT.examiner.pub: ${spawnSync('ssh-keygen', ['-lf', 'REPORT.examiner.pub'], { cwd: join(out, 'attestation'), encoding: 'utf8' }).stdout.trim()}`));
const ssh = spawnSync('sh', ['-c', 'ssh-keygen -Y verify -f attestation/REPORT.pdf.allowed_signers -I dana@sealcheck.example -n sealcheck-attestation -s attestation/REPORT.pdf.sshsig < attestation/REPORT.pdf'], { cwd: out, encoding: 'utf8' });
console.log(indent(`ssh-keygen -Y verify: ${(ssh.stdout || ssh.stderr).trim()}`));

step('Where everything is');
console.log(`   keys:       ${join(out, 'keys')}  (log.key/log.pub, witness.key/witness.pub)`);
console.log(`   archives:   ${join(out, 'archives')}  (directory, .tar and .tar.gz; *.verify.json beside each)`);
console.log(`   tampered:   ${tampered}`);
console.log(`   index:      ${join(out, 'case.sqlite')}  (sqlite3 opens it; schema in docs/index-schema.md)`);
console.log(`   proof:      ${join(out, 'event-1234.tlog-proof')} and event-1234.entry`);
console.log(`   report:     ${join(out, 'attestation/REPORT.pdf')}  (+ REPORT.dsse.json, REPORT.pdf.sshsig, REPORT.pdf.allowed_signers)`);
console.log(`   try:        npm run --silent sealcheck -- verify ${join(out, 'archives/kubernetes-audit')} --trust ${join(out, 'keys/log.pub')}`);
