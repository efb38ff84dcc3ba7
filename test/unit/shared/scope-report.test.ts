// The evidence scope in sentences (Limitations page, Scope panel): exact texts for a sealed, a supplied and no policy, gaps and contradictions by index.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseAuditPolicy } from '../../../shared/core/audit-policy.ts';
import { ScopeAnalyzer } from '../../../shared/core/scope.ts';
import { duration, NO_AUDIT_EVENTS, NO_POLICY_KNOWN, NOT_WORKED_OUT, scopeReport } from '../../../shared/core/scope-report.ts';

const here = (p: string): string => fileURLToPath(new URL(p, import.meta.url));
const REAL = readFileSync(here('../../../../shared/data/audit-logs/immudb-log-audit_k8s.jsonl'), 'utf8').split('\n').filter((l) => l !== '');
const DEMO_POLICY = readFileSync(here('../../../resources/demo/audit-policy.yaml'), 'utf8');
const enc = (s: string): Uint8Array => new TextEncoder().encode(s);

/** The real log with every event from index 2000 on moved one hour later: an hour cut out. */
function withHourCut(): string[] {
  return REAL.map((l, i) => {
    if (i < 2000) return l;
    const e = JSON.parse(l) as Record<string, string>;
    const later = (t: string): string => new Date(Date.parse(t) + 3600_000).toISOString().replace(/\.(\d{3})Z$/, `.$1${t.slice(23, 26)}Z`);
    return JSON.stringify({ ...e, stageTimestamp: later(e.stageTimestamp!), requestReceivedTimestamp: later(e.requestReceivedTimestamp!) });
  });
}

test('durations as people read them, and no scope worked out', () => {
  assert.deepEqual([0, 0.4, 480, 12_340, 38 * 60_000, 9_000_000].map(duration), ['under 1 ms', 'under 1 ms', '480 ms', '12.3 s', '38.0 min', '2.5 h']);
  const r = scopeReport(null);
  assert.deepEqual([r.summary, r.policies, r.blindSpots, r.consistency, r.gaps, r.chainNote], [NOT_WORKED_OUT, [NOT_WORKED_OUT], [], [], [], null]);
});

test('no policy known and an hour cut out: says what cannot be stated, and the gap with its entry indexes', () => {
  const a = new ScopeAnalyzer();
  withHourCut().forEach((l, i) => a.entry(i, enc(l)));
  const r = scopeReport(a.finish(), 2971);
  assert.deepEqual(r.policies, [NO_POLICY_KNOWN]);
  assert.deepEqual(r.blindSpots, []);
  assert.match(r.outsideApiServer!, /^The audit log records requests to the Kubernetes API server only/);
  assert.deepEqual(r.consistency, ['The 2,971 audit events could not be checked against a policy: none is known.']);
  assert.deepEqual(r.gaps, [{ entries: '1,999 \u2192 2,000', text: 'no event for 1.0 h, 2023-03-10 22:40:07 UTC to 2023-03-10 23:40:07 UTC' }]);
  assert.deepEqual(r.time, [
    '2,971 audit events with a time (stageTimestamp, when each was written), from 2023-03-10 22:38:26 UTC to 2023-03-10 23:41:59 UTC; the median interval between consecutive events is under 1 ms. An interval with no event counts as a gap when it is longer than max(10 min, 50 \u00d7 the median interval), here 10.0 min.',
    '1 gap found: no event was recorded in this interval.',
  ]);
  assert.match(r.chainNote!, /^Gaps in time are not gaps in the hash chain/);
  assert.equal(r.summary, 'No audit policy sealed or supplied: what the API server was told not to record cannot be stated; 1 gap in time longer than 10.0 min');
});

test('the demo policy sealed as entry 0 of the real log: source, blind spots, contradictions counted and the first five by index', () => {
  const a = new ScopeAnalyzer();
  const sealed = { ...(parseAuditPolicy(DEMO_POLICY) as object), kind: 'Policy', apiVersion: 'audit.k8s.io/v1', metadata: { annotations: { 'sealcheck.dev/policy-sha256': 'f'.repeat(64), 'sealcheck.dev/policy-file': 'audit-policy.yaml' } } };
  a.entry(0, enc(JSON.stringify(sealed)));
  REAL.forEach((l, i) => a.entry(i + 1, enc(l)));
  const s = a.finish();
  const r = scopeReport(s, 2972);
  assert.deepEqual(r.policies, [`Audit policy audit-policy.yaml, 6 rules, sealed in the log as entry 0: it is hashed and chained like every entry and governs the entries after it. It is covered by the trusted checkpoint of the result, like the events after it. SHA-256 of the policy file, as the sealer recorded it: ${'f'.repeat(64)}.`]);
  assert.equal(r.blindSpots.length, 1);
  assert.equal(r.blindSpots[0]!.items.length, 6);
  assert.equal(r.blindSpots[0]!.items[0], 'Not recorded at all (rule 1): all requests to non-resource URLs /healthz*, /livez*, /readyz* and /version. Such requests leave no trace in this log.');
  assert.match(r.blindSpots[0]!.items[2]!, /Secrets are recorded at Metadata: who read which Secret is in the log, what it contained is not\.$/);
  // Counted from the log without the matcher: events at stage RequestReceived (omitted by the policy), and the
  // Metadata events the policy gives another level: health probes and kube-proxy watches (None), RBAC requests (RequestResponse).
  const events = REAL.map((l) => JSON.parse(l) as { stage: string; level: string; verb: string; requestURI: string; user: { username: string } });
  const received = events.filter((e) => e.stage === 'RequestReceived').length;
  const probes = events.filter((e) => /^\/(healthz|livez|readyz)/.test(e.requestURI)).length;
  const proxyWatches = events.filter((e) => e.user.username === 'system:kube-proxy' && e.verb === 'watch' && /^\/(api\/v1\/(services|endpoints)|apis\/discovery\.k8s\.io\/v1\/endpointslices)\b/.test(e.requestURI)).length;
  // GET /apis/rbac.authorization.k8s.io/v1 alone is discovery, a non-resource request: the catch-all Metadata applies.
  const rbac = events.filter((e) => /^\/apis\/rbac\.authorization\.k8s\.io\/v1\/[a-z]/.test(e.requestURI) && e.level !== 'RequestResponse').length;
  assert.deepEqual([received, probes, proxyWatches, rbac], [1484, 20, 4, 16]);
  assert.deepEqual([s.contradictions.omittedStages, s.contradictions.levelMismatches, s.contradictions.events], [received, probes + proxyWatches + rbac, 1504]);
  assert.deepEqual(r.consistency, [
    '1,504 of the 2,971 audit events checked contradict the policy in force: 40 events at another level than it gives, 1,484 events at a stage it omits (an event can do both).',
    'An event that contradicts the policy is not an integrity error: it means the policy in force when the event was written was not the one sealed or supplied, which is a finding for the examiner to weigh.',
  ]);
  assert.equal(r.listedNote, 'The first 5 are listed below by entry index; the signed statement lists up to 100.');
  assert.deepEqual(r.contradictions, [
    { index: 1, text: 'stage RequestReceived, which the policy omits' },
    { index: 3, text: 'recorded at level Metadata; the policy gives None; stage RequestReceived, which the policy omits' },
    { index: 4, text: 'stage RequestReceived, which the policy omits' },
    { index: 6, text: 'recorded at level Metadata; the policy gives None' },
    { index: 7, text: 'stage RequestReceived, which the policy omits' },
  ]);
  assert.deepEqual([r.gaps, r.time[1]], [[], 'No interval without an event is longer than 10.0 min.']);
  assert.equal(r.summary, 'Audit policy sealed as entry 0: 6 blind spots; 1,504 of 2,971 checked events contradict it; no gap in time longer than 10.0 min');
  // A sealed policy past the covered entries is not said to be covered.
  assert.match(scopeReport(s, 0).policies[0]!, / It is NOT covered by a trusted checkpoint: like any uncovered entry, it is not vouched for\./);
});

test('a supplied policy is a claim with its digest; events before a sealed one are counted as unchecked; a log without audit events', () => {
  const sha = createHash('sha256').update(DEMO_POLICY).digest('hex');
  const a = new ScopeAnalyzer({ policy: parseAuditPolicy(DEMO_POLICY), sha256: sha, file: 'audit-policy.yaml' });
  a.entry(0, enc(REAL[0]!));
  const r = scopeReport(a.finish());
  assert.equal(r.policies[0], `Audit policy audit-policy.yaml, 6 rules, supplied by the examiner and not sealed with the log: it is the examiner\u2019s statement of the policy in force, not evidence of it. SHA-256 of the file: ${sha}.`);
  assert.equal(r.blindSpots[0]!.policy, 'Policy supplied by the examiner');
  assert.deepEqual(r.time, ['Fewer than two audit events carry a time (1 event): no interval between events could be measured.']);

  const late = new ScopeAnalyzer();
  REAL.slice(0, 3).forEach((l, i) => late.entry(i, enc(l)));
  late.entry(3, enc('{"kind":"Policy","apiVersion":"audit.k8s.io/v1","rules":[{"level":"Metadata"}]}'));
  REAL.slice(3, 10).forEach((l, i) => late.entry(i + 4, enc(l)));
  const lr = scopeReport(late.finish());
  assert.equal(lr.consistency[0], 'Each of the 7 audit events checked has the level and stage the policy in force gives it.');
  assert.equal(lr.consistency[1], '3 audit events came before any policy in the log and were not checked.');
  assert.match(lr.policies[0]!, /^Audit policy 1 rule, sealed in the log as entry 3: .* SHA-256 of the policy file, as the sealer recorded it: not recorded\.$/);

  const access = new ScopeAnalyzer();
  access.entry(0, enc('10.0.0.1 - - [10/Mar/2023:22:38:26 +0000] "GET / HTTP/1.1" 200 12'));
  const ar = scopeReport(access.finish());
  assert.deepEqual([ar.policies, ar.consistency, ar.time, ar.chainNote], [[NO_POLICY_KNOWN], [NO_AUDIT_EVENTS], [], null]);
  assert.equal(ar.summary, 'No audit policy sealed or supplied: what the API server was told not to record cannot be stated; no audit event in the log');
});
