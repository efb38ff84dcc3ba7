// The evidence scope in an attestation: a sealed policy in a real log surviving seal → verify → index → attest, a supplied policy with an hour cut out, a bad policy refused.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { NOT_A_CHAIN_GAP } from '../../../../shared/core/time-gaps.ts';

const ROOT = fileURLToPath(new URL('../../../../', import.meta.url));
const REAL_LOG = join(ROOT, '../shared/data/audit-logs/immudb-log-audit_k8s.jsonl');
const DEMO_POLICY = join(ROOT, 'resources/demo/audit-policy.yaml');
const DOCS_POLICY = join(ROOT, 'test/fixtures/policy/k8s-docs-audit-policy.yaml');
let dir = '';

function sealcheck(args: string[]) {
  const r = spawnSync(process.execPath, [join(ROOT, 'electron/cli/sealcheck.mjs'), ...args], { cwd: dir, encoding: 'utf8' });
  return { code: r.status, out: r.stdout, err: r.stderr };
}
const ok = (args: string[]) => {
  const r = sealcheck(args);
  assert.equal(r.code, 0, `${args.join(' ')}\n${r.out}${r.err}`);
  return r;
};
const attestArgs = (archive: string, out: string, ...more: string[]) => ['attest', archive, '--trust', 'log.pub', '--examiner-key', 'ada.key', '--passphrase-file', 'pass.txt', '--case', 'CASE-11', '--no-self-test', ...more, '--out', out];

/** The text of each page, as pdftotext lays it out. */
function pages(pdf: string): string[] {
  const r = spawnSync('pdftotext', ['-layout', join(dir, pdf), '-'], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  return r.stdout.split('\f');
}
/** Wrapped lines joined, runs of spaces made one: a sentence can be looked for whole. */
const flat = (s: string): string => s.replace(/\s+/g, ' ');
/** Without any white space: lines wrapped after a slash or hyphen ("/ version", "kube- proxy") compare whole. */
const bare = (s: string): string => s.replace(/\s+/g, '');
function statementScope(dsse: string): Promise<Record<string, unknown>> {
  return readFile(join(dir, dsse), 'utf8').then((t) => {
    const payload = JSON.parse(Buffer.from((JSON.parse(t) as { payload: string }).payload, 'base64').toString('utf8'));
    return payload.predicate.content.scope;
  });
}

before(async () => {
  assert.equal(spawnSync('sh', ['-c', 'command -v pdftotext']).status, 0, 'pdftotext (poppler-utils) is needed');
  assert.equal(spawnSync(process.execPath, [join(ROOT, 'scripts/build.mjs')]).status, 0);
  dir = await mkdtemp(join(tmpdir(), 'sealcheck-attest-scope-'));
  await writeFile(join(dir, 'pass.txt'), 'a long examiner passphrase\n');
  ok(['keygen', '--name', 'prod.example/audit', '--out', 'log']);
  ok(['keygen', '--examiner', '--name', 'Ada Examiner <ada@example.org>', '--out', 'ada', '--passphrase-file', 'pass.txt']);
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

test('a sealed policy in the real log: seal → verify → index → attest; the statement carries the scope of verify --json, the Limitations page states it', async () => {
  ok(['seal', '--key', 'log.key', '--origin', 'prod.example/audit', '--out', 'sealed', '--policy', DEMO_POLICY, REAL_LOG]);
  const verified = JSON.parse(ok(['verify', 'sealed', '--trust', 'log.pub', '--scope', '--json']).out) as { scope: Record<string, unknown> };
  ok(['verify', 'sealed', '--trust', 'log.pub', '--index', 'case.sqlite']);
  const r = ok(attestArgs('sealed', 'SEALED.pdf', '--index', 'case.sqlite'));
  assert.match(r.out, /\n {2}evidence scope: {3}audit policy sealed as entry 0; 6 blind spots; 1504 events contradicting it; 0 time gaps \(section 7\)\n/);
  const scope = await statementScope('SEALED.dsse.json');
  assert.deepEqual(scope, verified.scope);
  const sha = createHash('sha256').update(await readFile(DEMO_POLICY)).digest('hex');
  assert.deepEqual((scope.policies as { source: string; entryIndex: number; sha256: string }[]).map((p) => [p.source, p.entryIndex, p.sha256]), [['sealed', 0, sha]]);

  const text = pages('SEALED.pdf');
  // Page 1 is left as it was: its last box ends on it, and page 2 opens with the contents.
  assert.match(flat(text[0]!), /how to check all of it without trusting Sealcheck\. Verdict: VERIFIED/);
  assert.match(flat(text[1]!), /^ ?sealcheck attestation \u00b7 SC-\S+ v1 Case CASE-11 Contents 1 Case, custody and examiner/);
  // Section 7 starts a page of its own, and the scope is on it.
  const at = text.findIndex((p) => /^sealcheck attestation \u00b7 SC-\S+ v1 Case CASE-11 7 Interpretation and limitations Other explanations/.test(flat(p).trim()));
  assert.ok(at > 1, 'section 7 starts a page');
  const limits = bare(text.slice(at, at + 2).join(''));
  for (const sentence of [
    `Audit policy audit-policy.yaml, 6 rules, sealed in the log as entry 0: it is hashed and chained like every entry and governs the entries after it. It is covered by the trusted checkpoint of the result, like the events after it. SHA-256 of the policy file, as the sealer recorded it: ${sha}.`,
    'Not recorded at all (rule 1): all requests to non-resource URLs /healthz*, /livez*, /readyz* and /version. Such requests leave no trace in this log.',
    'Secrets are recorded at Metadata: who read which Secret is in the log, what it contained is not.',
    '1,504 of the 2,971 audit events checked contradict the policy in force: 40 events at another level than it gives, 1,484 events at a stage it omits (an event can do both).',
    '3 recorded at level Metadata; the policy gives None; stage RequestReceived, which the policy omits',
    'No interval without an event is longer than 10.0 min.',
    NOT_A_CHAIN_GAP,
  ]) assert.ok(limits.includes(bare(sentence)), `the Limitations page says: ${sentence}`);

  const check = ok(['verify-attestation', 'SEALED.pdf', '--examiner', 'ada.pub', '--archive', 'sealed']);
  assert.match(check.out, /^VALID: SEALED\.pdf/);
  assert.match(check.out, /ok {3}visible report matches the statement: every page re-renders byte for byte from the signed statement/);
});

test('attest --policy on a log with an hour cut out: the policy is stated as supplied with its digest, the gap with its entry indexes', async () => {
  const lines = (await readFile(REAL_LOG, 'utf8')).split('\n').filter((l) => l !== '');
  const later = (t: string): string => new Date(Date.parse(t) + 3600_000).toISOString().replace(/\.(\d{3})Z$/, `.$1${t.slice(23, 26)}Z`);
  await writeFile(join(dir, 'cut.jsonl'), `${lines.map((l, i) => {
    if (i < 2000) return l;
    const e = JSON.parse(l) as Record<string, string>;
    return JSON.stringify({ ...e, stageTimestamp: later(e.stageTimestamp!), requestReceivedTimestamp: later(e.requestReceivedTimestamp!) });
  }).join('\n')}\n`);
  ok(['seal', '--key', 'log.key', '--origin', 'prod.example/audit', '--out', 'cut', 'cut.jsonl']);

  const none = ok(attestArgs('cut', 'NONE.pdf'));
  assert.match(none.out, /\n {2}evidence scope: {3}no audit policy sealed or supplied, so what was not recorded cannot be stated; 1 time gap \(section 7\)\n/);
  assert.ok(flat(pages('NONE.pdf').join(' ')).includes('No audit policy was sealed in this log and none was supplied by the examiner. What the API server was configured not to record therefore cannot be stated'));

  const r = ok(attestArgs('cut', 'SUPPLIED.pdf', '--policy', DOCS_POLICY));
  assert.match(r.out, /\n {2}evidence scope: {3}audit policy supplied by the examiner \(not sealed\); 9 blind spots; \d+ events contradicting it; 1 time gap \(section 7\)\n/);
  const sha = createHash('sha256').update(await readFile(DOCS_POLICY)).digest('hex');
  const all = flat(pages('SUPPLIED.pdf').join(' '));
  assert.ok(all.includes(`Audit policy k8s-docs-audit-policy.yaml, 9 rules, supplied by the examiner and not sealed with the log: it is the examiner\u2019s statement of the policy in force, not evidence of it. SHA-256 of the file: ${sha}.`), all);
  assert.ok(all.includes('1,999 \u2192 2,000 no event for 1.0 h, 2023-03-10 22:40:07 UTC to 2023-03-10 23:40:07 UTC'));
  assert.ok(all.includes('1 gap found: no event was recorded in this interval.'));
  const scope = await statementScope('SUPPLIED.dsse.json');
  assert.deepEqual((scope.timeGaps as { gaps: { fromIndex: number; toIndex: number }[] }).gaps.map((g) => [g.fromIndex, g.toIndex]), [[1999, 2000]]);
  assert.deepEqual((scope.policies as { source: string; sha256: string; file: string }[]).map((p) => [p.source, p.sha256, p.file]), [['supplied', sha, 'k8s-docs-audit-policy.yaml']]);
});

test('attest --policy with a file that is not a policy: exit 2, one sentence naming the file, nothing written', async () => {
  await writeFile(join(dir, 'bad.yaml'), 'apiVersion: audit.k8s.io/v1\nkind: Policy\nrules:\n  - level: Loud\n');
  const r = sealcheck(attestArgs('cut', 'BAD.pdf', '--policy', 'bad.yaml'));
  assert.equal(r.code, 2);
  assert.equal(r.out, '');
  assert.equal(r.err.trim().split('\n')[0], 'sealcheck: attest: --policy bad.yaml: rules[0].level is "Loud"; expected one of None, Metadata, Request, RequestResponse');
  assert.equal(existsSync(join(dir, 'BAD.pdf')), false);
});
