// The evidence scope over a real log: sealed and supplied policies, events that contradict them, a cut-out hour as a gap at its indexes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseAuditPolicy } from '../../../shared/core/audit-policy.ts';
import { ScopeAnalyzer } from '../../../shared/core/scope.ts';

const here = (p: string): string => fileURLToPath(new URL(p, import.meta.url));
const REAL = readFileSync(here('../../../../shared/data/audit-logs/immudb-log-audit_k8s.jsonl'), 'utf8').split('\n').filter((l) => l !== '');
const DOCS_TEXT = readFileSync(here('../../fixtures/policy/k8s-docs-audit-policy.yaml'), 'utf8');
const enc = (s: string): Uint8Array => new TextEncoder().encode(s);

// A policy that agrees with how the immudb log was written: everything at Metadata, every stage kept.
const ALL_METADATA = '{"kind":"Policy","apiVersion":"audit.k8s.io/v1","metadata":{"annotations":{"sealcheck.dev/policy-sha256":"ab"}},"rules":[{"level":"Metadata"}]}';

test('a sealed policy that matches the log: no contradiction; a later sealed policy governs from its entry on', () => {
  const s = new ScopeAnalyzer();
  s.entry(0, enc(ALL_METADATA));
  REAL.slice(0, 1000).forEach((l, i) => s.entry(i + 1, enc(l)));
  // From entry 1001 on the documentation example is in force: the same kind of events now contradict it.
  s.entry(1001, enc(JSON.stringify({ ...(parseAuditPolicy(DOCS_TEXT) as object), kind: 'Policy', apiVersion: 'audit.k8s.io/v1' })));
  REAL.slice(1000).forEach((l, i) => s.entry(i + 1002, enc(l)));
  const r = s.finish();
  assert.deepEqual(r.policies.map((p) => [p.source, p.entryIndex, p.sha256, p.rules]), [['sealed', 0, 'ab', 1], ['sealed', 1001, null, 9]]);
  assert.equal(r.events, 2971);
  assert.equal(r.eventsWithoutPolicy, 0);
  assert.ok(r.contradictions.listed.every((c) => c.index > 1001), 'nothing before the second policy contradicts the first');
  // Hand count for the second part: every RequestReceived event is at an omitted stage.
  const tail = REAL.slice(1000).map((l) => JSON.parse(l) as { stage: string });
  assert.equal(r.contradictions.omittedStages, tail.filter((e) => e.stage === 'RequestReceived').length);
  assert.equal(r.contradictions.listed.length, 100);
  assert.deepEqual(r.timeGaps.gaps, []);
});

test('a supplied policy, an unreadable sealed one, events before any policy, and an hour cut out of the real log', () => {
  const supplied = new ScopeAnalyzer({ policy: parseAuditPolicy(DOCS_TEXT), sha256: createHash('sha256').update(DOCS_TEXT).digest('hex'), file: 'k8s-docs-audit-policy.yaml' });
  const shifted = REAL.map((l, i) => {
    if (i < 2000) return l;
    const e = JSON.parse(l) as Record<string, string>;
    const later = (t: string): string => new Date(Date.parse(t) + 3600_000).toISOString().replace(/\.(\d{3})Z$/, `.$1${t.slice(23, 26)}Z`);
    return JSON.stringify({ ...e, stageTimestamp: later(e.stageTimestamp!), requestReceivedTimestamp: later(e.requestReceivedTimestamp!) });
  });
  shifted.forEach((l, i) => supplied.entry(i, enc(l)));
  supplied.entry(2971, enc('{"kind":"Policy","apiVersion":"audit.k8s.io/v1","rules":[{"level":"Loud"}]}'));
  supplied.entry(2972, enc('not json at all'));
  const r = supplied.finish();
  assert.deepEqual(r.policies.map((p) => [p.source, p.entryIndex, p.file]), [['supplied', null, 'k8s-docs-audit-policy.yaml']]);
  assert.deepEqual(r.unreadablePolicies, [{ index: 2971, message: 'entry 2971: rules[0].level is "Loud"; expected one of None, Metadata, Request, RequestResponse' }]);
  assert.deepEqual(r.timeGaps.gaps.map((g) => [g.fromIndex, g.toIndex]), [[1999, 2000]]);
  assert.ok(Math.abs(r.timeGaps.gaps[0]!.durationMs - 3600_000) < 60_000);
  assert.match(r.timeGaps.note, /^Gaps in time are not gaps in the hash chain/);

  const none = new ScopeAnalyzer();
  REAL.slice(0, 10).forEach((l, i) => none.entry(i, enc(l)));
  const n = none.finish();
  assert.deepEqual([n.events, n.eventsWithoutPolicy, n.contradictions.events, n.policies.length], [10, 10, 0, 0]);
});
