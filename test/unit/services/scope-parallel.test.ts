// The evidence scope worked out in the segment workers and merged in log order equals the serial pass, on real logs: sealed policies mid-log, a cut-out hour across segments.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { LOG_KEY, makeKey, type SignerKey } from '../../../shared/core/keys.ts';
import { ScopeAnalyzer, type Scope } from '../../../shared/core/scope.ts';
import type { Manifest } from '../../../shared/core/manifest.ts';
import { nodeEd25519 } from '../../../electron/services/crypto.node.ts';
import { seal } from '../../../electron/services/seal.node.ts';
import { loadSuppliedPolicy, type SuppliedPolicy } from '../../../electron/services/seal-policy.node.ts';
import { verifyArchive, type VerifyOptions } from '../../../electron/services/verify.node.ts';

const seed = new Uint8Array(32).fill(11);
const LOG: SignerKey = { ...makeKey('test.example/scope-parallel', LOG_KEY, nodeEd25519.publicKeyFromSeed(seed)), seed };
const TRUST = { logKeys: [LOG], witnessKeys: [], quorum: 0, origin: LOG.name };
const here = (p: string): string => fileURLToPath(new URL(p, import.meta.url));
const DOCS = here('../../fixtures/policy/k8s-docs-audit-policy.yaml');
const GCE = here('../../fixtures/policy/gce-configure-helper-audit-policy.yaml');
const DEMO = here('../../../resources/demo/audit-policy.yaml');
const DATA = here('../../../../shared/data/audit-logs/');
const SAMPLES = here('../../../resources/samples/');

/** The scope as it was worked out before: every entry fed to the analyzer on this thread (onEntry keeps verification serial). */
async function serialScope(archive: string, supplied?: SuppliedPolicy): Promise<Scope> {
  const s = new ScopeAnalyzer(supplied);
  const report = await verifyArchive(archive, { policy: TRUST, onEntry: (i, b) => s.entry(i, b) });
  assert.equal(report.verdict, 'verified');
  return s.finish();
}

async function parallelScope(archive: string, supplied: SuppliedPolicy | undefined, extra: Partial<VerifyOptions> = {}): Promise<Scope> {
  const s = new ScopeAnalyzer(supplied);
  const report = await verifyArchive(archive, { policy: TRUST, workers: 2, scope: s, ...extra });
  assert.equal(report.verdict, 'verified');
  return s.finish();
}

const RUN = { tool: 'sealcheck', toolVersion: 'test', startedAt: '2026-12-04T00:00:00Z', keys: [], quorum: 0, expectedOrigin: null, anchors: [] };

test('a policy sealed mid-log and an hour cut out across a segment boundary: the parallel scope equals the serial one', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'sealcheck-scope-par-'));
  try {
    const lines = (await readFile(join(DATA, 'immudb-log-audit_k8s.jsonl'), 'utf8')).split('\n').filter((l) => l !== '');
    // Entries: 0 the demo policy, 1-1500 events, 1501 the documentation policy (--append --policy, which starts a
    // segment), 1502-1701 events, 1702 a policy line of the log itself (inside a segment), then the rest, an hour later
    // from entry 2001 (event 1998 of the file) on, the first of a segment; 2974 a third policy, and older events.
    const later = (t: string): string => new Date(Date.parse(t) + 3600_000).toISOString().replace(/\.(\d{3})Z$/, `.$1${t.slice(23, 26)}Z`);
    const shifted = lines.map((l, i) => {
      if (i < 1998) return l;
      const e = JSON.parse(l) as Record<string, string>;
      return JSON.stringify({ ...e, stageTimestamp: later(e.stageTimestamp!), requestReceivedTimestamp: later(e.requestReceivedTimestamp!) });
    });
    await writeFile(join(dir, 'a.jsonl'), `${shifted.slice(0, 1500).join('\n')}\n`);
    const inline = JSON.stringify({ kind: 'Policy', apiVersion: 'audit.k8s.io/v1', rules: [{ level: 'Metadata', omitStages: ['RequestReceived'] }] });
    await writeFile(join(dir, 'b.jsonl'), `${[...shifted.slice(1500, 1700), inline, ...shifted.slice(1700)].join('\n')}\n`);
    const out = join(dir, 'archive');
    await seal({ key: LOG, origin: LOG.name, out, inputs: [join(dir, 'a.jsonl')], policy: DEMO, segmentEntries: 500 });
    await seal({ key: LOG, origin: LOG.name, out, inputs: [join(dir, 'b.jsonl')], policy: DOCS, append: true, segmentEntries: 500 });
    await seal({ key: LOG, origin: LOG.name, out, inputs: [join(DATA, 'audit2rbac_demo.jsonl')], policy: GCE, append: true, segmentEntries: 500 });
    const manifest = JSON.parse(await readFile(join(out, 'manifest.json'), 'utf8')) as Manifest;
    assert.ok(manifest.segments.length >= 6, `${manifest.segments.length} segments`);

    const serial = await serialScope(out);
    // The facts the comparison rests on, so that equality is not equality of two empty results.
    assert.deepEqual(serial.policies.map((p) => [p.source, p.entryIndex, p.rules]), [['sealed', 0, 6], ['sealed', 1501, 9], ['sealed', 1702, 1], ['sealed', 2974, 17]]);
    assert.equal(serial.events, 2971 + 37);
    assert.equal(serial.eventsWithoutPolicy, 0);
    assert.ok(serial.contradictions.events > 1000, `${serial.contradictions.events} contradictions`);
    assert.equal(serial.contradictions.listed.length, 100);
    const gap = serial.timeGaps.gaps.find((g) => g.toIndex === 2001);
    assert.ok(gap, JSON.stringify(serial.timeGaps.gaps.map((g) => [g.fromIndex, g.toIndex])));
    const segmentOf = (i: number): number => manifest.segments.findIndex((s) => i >= s.first && i < s.first + s.count);
    assert.notEqual(segmentOf(gap.fromIndex), segmentOf(gap.toIndex), `the gap ${gap.fromIndex}-${gap.toIndex} spans a segment boundary: ${JSON.stringify(manifest.segments.map((s) => [s.first, s.count]))}`);

    assert.deepEqual(await parallelScope(out, undefined), serial);
    // With the index written by the same workers (the app's verify and attest always index).
    assert.deepEqual(await parallelScope(out, undefined, { index: { dbPath: join(dir, 'case.sqlite'), run: RUN } }), serial);
    // A supplied policy governs the events before the first sealed one (there are none here: entry 0 is sealed) and is listed first.
    const supplied = await loadSuppliedPolicy(GCE, 'verify');
    const withSupplied = await serialScope(out, supplied);
    assert.equal(withSupplied.policies[0]!.source, 'supplied');
    assert.deepEqual(await parallelScope(out, supplied), withSupplied);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('every real log, sealed alone in small segments, with and without a supplied policy: the parallel scope equals the serial one', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'sealcheck-scope-par-'));
  try {
    const supplied = await loadSuppliedPolicy(DOCS, 'verify');
    // File and entries per segment: at least a handful of segments each.
    const files: [string, number][] = [
      ['immudb-log-audit_k8s.jsonl', 250],
      ['openshift-clo_audit_in.jsonl', 17],
      ['audit2rbac_demo.jsonl', 7],
      ['traefik_crowdsec-nikto.jsonl', 17],
      ['ingress-nginx_beats-test.log', 7],
    ];
    const events: number[] = [];
    for (const [n, [name, segmentEntries]] of files.entries()) {
      const out = join(dir, `a${n}`);
      const f = join(SAMPLES, name);
      await seal({ key: LOG, origin: LOG.name, out, inputs: [f], segmentEntries });
      for (const p of [undefined, supplied]) {
        const serial = await serialScope(out, p);
        assert.deepEqual(await parallelScope(out, p), serial, f);
        if (p) events.push(serial.events);
        if (p) assert.equal(serial.eventsWithoutPolicy, 0);
        else assert.equal(serial.eventsWithoutPolicy, serial.events);
      }
    }
    // Access logs hold no audit events; the Kubernetes logs hold all theirs.
    assert.deepEqual(events, [2971, 100, 37, 0, 0]);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
