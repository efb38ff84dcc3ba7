// seal --policy: the audit policy sealed as entry 0 before a real log's events, verified, re-read and matched; append records a new policy; bad policies are refused with nothing written.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { LOG_KEY, makeKey, type SignerKey } from '../../../shared/core/keys.ts';
import { attributesOfEvent, decide, parseAuditPolicy, POLICY_SHA256_ANNOTATION } from '../../../shared/core/audit-policy.ts';
import { nodeEd25519 } from '../../../electron/services/crypto.node.ts';
import { seal, SealError } from '../../../electron/services/seal.node.ts';
import { verifyArchive } from '../../../electron/services/verify.node.ts';

const seed = new Uint8Array(32).fill(9);
const LOG: SignerKey = { ...makeKey('test.example/policy-log', LOG_KEY, nodeEd25519.publicKeyFromSeed(seed)), seed };
const TRUST = { logKeys: [LOG], witnessKeys: [], quorum: 0, origin: LOG.name };
const here = (p: string): string => fileURLToPath(new URL(p, import.meta.url));
const DOCS = here('../../fixtures/policy/k8s-docs-audit-policy.yaml');
const GCE = here('../../fixtures/policy/gce-configure-helper-audit-policy.yaml');
const REAL = here('../../../../shared/data/audit-logs/immudb-log-audit_k8s.jsonl');
const sha256 = (b: Uint8Array): string => createHash('sha256').update(b).digest('hex');

test('a sealed policy is entry 0, hashed and chained like the events after it, and reads back as the same policy', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'sealcheck-policy-'));
  try {
    const out = join(dir, 'archive');
    const r = await seal({ key: LOG, origin: LOG.name, out, inputs: [REAL], policy: DOCS, segmentEntries: 100_000 });
    assert.equal(r.entriesAdded, 2972);
    assert.equal(r.kind, 'kubernetes-audit');
    const fileSha = sha256(await readFile(DOCS));
    assert.equal(r.notes[0], `audit policy ${DOCS} (SHA-256 ${fileSha}, 9 rules) sealed as entry 0, before the events it governs`);
    const report = await verifyArchive(out, { policy: TRUST });
    assert.equal(report.verdict, 'verified');
    assert.equal(report.coveredEntries, 2972);
    const lines = (await readFile(join(out, 'segments/000000000000.jsonl'), 'utf8')).split('\n');
    const real = (await readFile(REAL, 'utf8')).split('\n');
    assert.deepEqual(lines.slice(1), real, 'the events follow the policy byte for byte');
    const entry = JSON.parse(lines[0]!) as Record<string, unknown>;
    assert.ok(lines[0]!.startsWith('{"kind":"Policy","apiVersion":"audit.k8s.io/v1","metadata":{"annotations":{"sealcheck.dev/policy-sha256":"'));
    assert.equal((entry.metadata as { annotations: Record<string, string> }).annotations[POLICY_SHA256_ANNOTATION], fileSha);
    const back = parseAuditPolicy(lines[0]!, 'entry 0');
    assert.deepEqual(back, parseAuditPolicy(await readFile(DOCS, 'utf8')));
    // The sealed policy decides the events' levels as the file does: /api by an authenticated user is not recorded (rule 5).
    assert.equal(decide(back, attributesOfEvent(JSON.parse(real[618]!))!).ruleIndex, 4);

    // --append --policy records the changed policy from that point on.
    const more = join(dir, 'more.jsonl');
    await writeFile(more, `${real[0]}\n`);
    const a = await seal({ key: LOG, origin: LOG.name, out, inputs: [more], policy: GCE, append: true });
    assert.equal(a.entriesBefore, 2972);
    assert.equal(a.entriesAdded, 2);
    assert.match(a.notes[0]!, /sealed as entry 2972, before the events it governs$/);
    const after = await verifyArchive(out, { policy: TRUST });
    assert.equal(after.verdict, 'verified');
    assert.equal(after.entries, 2974);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('a policy that does not parse is refused before anything is written', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'sealcheck-policy-bad-'));
  try {
    const bad = join(dir, 'bad.yaml');
    await writeFile(bad, 'apiVersion: audit.k8s.io/v1\nkind: Policy\nrules:\n  - level: Everything\n');
    const out = join(dir, 'archive.tar');
    await assert.rejects(seal({ key: LOG, origin: LOG.name, out, inputs: [REAL], policy: bad }), (e: unknown) => e instanceof SealError && e.message === `--policy ${bad}: rules[0].level is "Everything"; expected one of None, Metadata, Request, RequestResponse; nothing was written`);
    await assert.rejects(stat(out));
    await writeFile(bad, new Uint8Array([0x6b, 0x69, 0x6e, 0x64, 0xff]));
    await assert.rejects(seal({ key: LOG, origin: LOG.name, out, inputs: [REAL], policy: bad }), (e: unknown) => e instanceof SealError && e.message === `--policy ${bad}: is not UTF-8 text; nothing was written`);
    await assert.rejects(seal({ key: LOG, origin: LOG.name, out, inputs: [REAL], policy: join(dir, 'missing.yaml') }), (e: unknown) => e instanceof SealError && /^cannot read --policy .*missing\.yaml: .*; nothing was written$/.test(e.message));
    await assert.rejects(stat(out));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
