// The audit policy matcher against the Kubernetes documentation's example policy and GCE's default policy, on constructed and real events; parse errors; blind spots.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { AuditPolicyError, attributesOfEvent, blindSpots, contradiction, decide, parseAuditPolicy, policyToJson, type AuditPolicy, type RequestAttributes } from '../../../shared/core/audit-policy.ts';

const fixture = (name: string): string => readFileSync(fileURLToPath(new URL(`../../fixtures/policy/${name}`, import.meta.url)), 'utf8');
const DOCS = parseAuditPolicy(fixture('k8s-docs-audit-policy.yaml'), 'k8s-docs-audit-policy.yaml');
const GCE = parseAuditPolicy(fixture('gce-configure-helper-audit-policy.yaml'), 'gce-configure-helper-audit-policy.yaml');
const LOGS = fileURLToPath(new URL('../../../../shared/data/', import.meta.url));
const realLines = (file: string): unknown[] => readFileSync(LOGS + file, 'utf8').split('\n').filter((l) => l.trim() !== '').map((l) => JSON.parse(l) as unknown);
const IMMUDB = realLines('audit-logs/immudb-log-audit_k8s.jsonl');
const EXEC = realLines('more-logs/crowdsec-hub_k8s-audit_pod-exec.jsonl')[0];

const AUTH = ['system:authenticated'];
function res(user: string, verb: string, group: string, resource: string, opts: { sub?: string; ns?: string; name?: string; groups?: string[] } = {}): RequestAttributes {
  return { user, groups: opts.groups ?? AUTH, verb, path: '/irrelevant', resource: { group, resource, subresource: opts.sub ?? '', namespace: opts.ns ?? '', name: opts.name ?? '' } };
}
function url(user: string, verb: string, path: string, groups = AUTH): RequestAttributes {
  return { user, groups, verb, path };
}
const level = (p: AuditPolicy, a: RequestAttributes): [string, number] => {
  const d = decide(p, a);
  return [d.level, d.ruleIndex];
};

test('the documentation example parses: 9 rules, global omitStages RequestReceived', () => {
  assert.equal(DOCS.apiVersion, 'audit.k8s.io/v1');
  assert.equal(DOCS.rules.length, 9);
  assert.deepEqual(DOCS.omitStages, ['RequestReceived']);
  assert.deepEqual(DOCS.rules.map((r) => r.level), ['RequestResponse', 'Metadata', 'None', 'None', 'None', 'Request', 'Metadata', 'Request', 'Metadata']);
  assert.deepEqual(DOCS.rules[7]!.resources, [{ group: '', resources: [], resourceNames: [] }, { group: 'extensions', resources: [], resourceNames: [] }]);
  assert.equal(GCE.rules.length, 17);
  assert.equal(GCE.rules[14]!.resources.length, 18);
});

test('documentation example: constructed requests get the levels its comments promise', () => {
  const cases: [RequestAttributes, string, number][] = [
    [res('alice', 'get', '', 'pods', { ns: 'default', name: 'web' }), 'RequestResponse', 0],
    // "pods" does not match subresources: pods/exec falls through to the core-group Request rule.
    [res('alice', 'create', '', 'pods', { sub: 'exec', ns: 'default', name: 'web' }), 'Request', 7],
    [res('alice', 'get', '', 'pods', { sub: 'log', ns: 'default', name: 'web' }), 'Metadata', 1],
    [res('kubelet', 'patch', '', 'pods', { sub: 'status', ns: 'default', name: 'web' }), 'Metadata', 1],
    [res('system:kube-controller-manager', 'update', '', 'configmaps', { ns: 'kube-system', name: 'controller-leader' }), 'None', 2],
    [res('system:kube-proxy', 'watch', '', 'endpoints'), 'None', 3],
    [res('system:kube-proxy', 'watch', '', 'services', { ns: 'default' }), 'None', 3],
    [res('system:kube-proxy', 'list', '', 'endpoints'), 'Request', 7],
    [res('system:kube-proxy', 'watch', 'discovery.k8s.io', 'endpointslices'), 'Metadata', 8],
    [url('alice', 'get', '/apis/apps/v1'), 'None', 4],
    [url('alice', 'get', '/api'), 'None', 4],
    [url('alice', 'get', '/version'), 'None', 4],
    [url('system:anonymous', 'get', '/version', ['system:unauthenticated']), 'Metadata', 8],
    [url('alice', 'get', '/healthz'), 'Metadata', 8],
    [res('alice', 'update', '', 'configmaps', { ns: 'kube-system', name: 'coredns' }), 'Request', 5],
    [res('alice', 'get', '', 'configmaps', { ns: 'default', name: 'app' }), 'Metadata', 6],
    [res('alice', 'get', '', 'secrets', { ns: 'kube-system', name: 'token' }), 'Metadata', 6],
    [res('alice', 'list', '', 'nodes'), 'Request', 7],
    [res('alice', 'get', 'extensions', 'ingresses', { ns: 'default', name: 'i' }), 'Request', 7],
    [res('alice', 'create', 'apps', 'deployments', { ns: 'default' }), 'Metadata', 8],
    [res('alice', 'create', 'rbac.authorization.k8s.io', 'clusterrolebindings'), 'Metadata', 8],
  ];
  for (const [a, lvl, rule] of cases) assert.deepEqual(level(DOCS, a), [lvl, rule], JSON.stringify(a));
  assert.deepEqual(decide(DOCS, res('alice', 'get', '', 'pods')).omitStages, ['RequestReceived']);
});

test('GCE default policy: constructed requests', () => {
  const cases: [RequestAttributes, string, number][] = [
    [res('system:kube-proxy', 'watch', '', 'services', { sub: 'status' }), 'None', 0],
    [res('system:unsecured', 'get', '', 'configmaps', { ns: 'kube-system', name: 'ingress-uid' }), 'None', 1],
    [res('system:unsecured', 'get', '', 'configmaps', { ns: 'default', name: 'x' }), 'Metadata', 13],
    [res('system:node:n1', 'get', '', 'nodes', { name: 'n1', groups: ['system:nodes', 'system:authenticated'] }), 'None', 3],
    [res('system:node:n1', 'patch', '', 'nodes', { sub: 'status', name: 'n1', groups: ['system:nodes', 'system:authenticated'] }), 'Request', 11],
    [res('system:kube-controller-manager', 'list', 'metrics.k8s.io', 'pods', { ns: 'default' }), 'None', 7],
    [url('alice', 'get', '/healthz/etcd'), 'None', 8],
    [url('alice', 'get', '/swagger.json'), 'None', 8],
    [url('alice', 'get', '/metrics'), 'Metadata', 16],
    [res('alice', 'create', '', 'events', { ns: 'default' }), 'None', 9],
    [res('system:serviceaccount:kube-system:namespace-controller', 'deletecollection', 'apps', 'deployments', { ns: 'gone' }), 'Request', 12],
    [res('alice', 'create', '', 'serviceaccounts', { sub: 'token', ns: 'default', name: 'sa' }), 'Metadata', 13],
    [res('alice', 'create', 'authentication.k8s.io', 'tokenreviews'), 'Metadata', 13],
    [res('alice', 'get', '', 'secrets', { ns: 'default', name: 's' }), 'Metadata', 13],
    [res('alice', 'list', 'apps', 'deployments', { ns: 'default' }), 'Request', 14],
    [res('alice', 'create', 'rbac.authorization.k8s.io', 'clusterrolebindings', { name: 'x' }), 'RequestResponse', 15],
    [res('alice', 'create', 'coordination.k8s.io', 'leases', { ns: 'kube-system' }), 'Metadata', 16],
  ];
  for (const [a, lvl, rule] of cases) assert.deepEqual(level(GCE, a), [lvl, rule], JSON.stringify(a));
});

test('resource wildcards, resourceNames, namespaces and URL rules as the API server matches them', () => {
  const p = parseAuditPolicy(JSON.stringify({
    apiVersion: 'audit.k8s.io/v1beta1', kind: 'Policy',
    rules: [
      { level: 'RequestResponse', resources: [{ group: '', resources: ['pods/*'] }] },
      { level: 'Request', resources: [{ group: 'apps', resources: ['*/scale'] }] },
      { level: 'None', resources: [{ group: '', resources: ['configmaps'], resourceNames: ['lock'] }] },
      { level: 'Metadata', namespaces: [''] },
      { level: 'Request', resources: [{ group: 'batch', resources: ['*'] }] },
      { level: 'None', nonResourceURLs: ['/livez*'] },
    ],
  }), 'inline.json');
  assert.equal(p.apiVersion, 'audit.k8s.io/v1beta1');
  // "pods/*" covers the resource itself as well as every subresource.
  assert.deepEqual(level(p, res('a', 'get', '', 'pods', { ns: 'x', name: 'p' })), ['RequestResponse', 0]);
  assert.deepEqual(level(p, res('a', 'create', '', 'pods', { sub: 'exec', ns: 'x', name: 'p' })), ['RequestResponse', 0]);
  assert.deepEqual(level(p, res('a', 'update', 'apps', 'deployments', { sub: 'scale', ns: 'x', name: 'd' })), ['Request', 1]);
  assert.deepEqual(level(p, res('a', 'update', 'apps', 'deployments', { ns: 'x', name: 'd' })), ['None', -1]);
  assert.deepEqual(level(p, res('a', 'update', '', 'configmaps', { ns: 'x', name: 'lock' })), ['None', 2]);
  // A create names no object when the level is chosen, so resourceNames cannot match it.
  assert.deepEqual(level(p, res('a', 'create', '', 'configmaps', { ns: 'x' })), ['None', -1]);
  assert.deepEqual(level(p, res('a', 'get', '', 'nodes', { name: 'n' })), ['Metadata', 3]);
  assert.deepEqual(level(p, res('a', 'get', 'batch', 'jobs', { ns: 'x', name: 'j' })), ['Request', 4]);
  // A namespaces-only rule never matches a non-resource URL; a URL rule never matches a resource.
  assert.deepEqual(level(p, url('a', 'get', '/livez/ping')), ['None', 5]);
  assert.deepEqual(level(p, url('a', 'get', '/readyz')), ['None', -1]);
  assert.deepEqual(level(p, { ...res('a', 'get', '', 'x', { ns: 'y' }), path: '/livez' }), ['None', -1]);
  // Namespace "" selects cluster-scoped resources, whatever their URL.
  assert.deepEqual(level(p, { ...res('a', 'get', '', 'x'), path: '/livez' }), ['Metadata', 3]);
});

test('real events (immudb kube-apiserver log, crowdsec pod exec) against both policies', () => {
  const at = (i: number): RequestAttributes => attributesOfEvent(IMMUDB[i])!;
  // index: [docs level, docs rule, gce level, gce rule], checked by hand against the rule lists above.
  const expected: Record<number, [string, number, string, number]> = {
    13: ['Metadata', 8, 'Metadata', 16], // system:apiserver GET /readyz, group system:masters only
    122: ['Request', 7, 'None', 5], // system:apiserver get namespaces/default
    124: ['Request', 7, 'Request', 14], // system:apiserver get services default/kubernetes
    161: ['Metadata', 8, 'Metadata', 16], // kube-controller-manager get coordination.k8s.io leases
    244: ['Request', 7, 'None', 3], // system:node:ubuntu-focal get nodes/ubuntu-focal
    618: ['None', 4, 'Metadata', 16], // resourcequota-controller GET /api (authenticated)
    622: ['None', 4, 'Metadata', 16], // GET /apis/zookeeper.pravega.io/v1beta1: "/api*" is a string prefix, so /apis matches
    1137: ['Request', 7, 'None', 9], // node-controller create events
  };
  for (const [i, [dl, dr, gl, gr]] of Object.entries(expected)) {
    assert.deepEqual(level(DOCS, at(Number(i))), [dl, dr], `docs, index ${i}`);
    assert.deepEqual(level(GCE, at(Number(i))), [gl, gr], `gce, index ${i}`);
  }
  const exec = attributesOfEvent(EXEC)!;
  assert.deepEqual(exec.resource, { group: '', resource: 'pods', subresource: 'exec', namespace: 'foo', name: 'test-pod-1' });
  assert.equal(exec.path, '/api/v1/namespaces/foo/pods/test-pod-1/exec');
  assert.deepEqual(level(DOCS, exec), ['Request', 7]);
  assert.deepEqual(level(GCE, exec), ['RequestResponse', 15]);
  // The exec event was recorded at Request, stage ResponseComplete: consistent with the docs policy, not with GCE's.
  assert.equal(contradiction(DOCS, EXEC), undefined);
  assert.deepEqual(contradiction(GCE, EXEC), { levelMismatch: { recorded: 'Request', expected: 'RequestResponse' } });
});

test('the immudb log contradicts the documentation policy: counts by kind', () => {
  let level = 0, stage = 0, none = 0;
  for (const e of IMMUDB) {
    const c = contradiction(DOCS, e);
    if (c?.levelMismatch) level++;
    if (c?.levelMismatch?.expected === 'None') none++;
    if (c?.omittedStage) stage++;
  }
  // Every event is at Metadata; the docs policy omits RequestReceived globally.
  const received = IMMUDB.filter((e) => (e as { stage: string }).stage === 'RequestReceived').length;
  assert.equal(stage, received);
  assert.ok(received > 1000);
  const metadataExpected = IMMUDB.filter((e) => decide(DOCS, attributesOfEvent(e)!).level === 'Metadata').length;
  assert.equal(level, IMMUDB.length - metadataExpected);
  assert.ok(none > 0);
});

test('malformed policies give one AuditPolicyError naming the file', () => {
  const bad: [string, RegExp][] = [
    ['apiVersion: audit.k8s.io/v1\nkind: Policy\nrules:\n  - level: [Metadata\n', /^p\.yaml: is not valid YAML/],
    ['apiVersion: audit.k8s.io/v1\nkind: Policy\nrules:\n  - level: Everything\n', /^p\.yaml: rules\[0\]\.level is "Everything"; expected one of None, Metadata, Request, RequestResponse$/],
    ['apiVersion: v1\nkind: ConfigMap\n', /^p\.yaml: is not an audit policy: kind is "ConfigMap", expected "Policy"$/],
    ['apiVersion: audit.k8s.io/v2\nkind: Policy\n', /^p\.yaml: has apiVersion "audit.k8s.io\/v2"/],
    ['apiVersion: audit.k8s.io/v1\nkind: Policy\nrules:\n  - level: None\n    resource: [{group: ""}]\n', /^p\.yaml: rules\[0\] has an unknown field "resource"$/],
    ['apiVersion: audit.k8s.io/v1\nkind: Policy\nomitStages: [RequestStarted]\n', /^p\.yaml: omitStages has an unknown stage "RequestStarted"/],
    ['apiVersion: audit.k8s.io/v1\nkind: Policy\nrules:\n  - level: None\n    nonResourceURLs: ["/a"]\n    namespaces: [x]\n', /^p\.yaml: rules\[0\] has both nonResourceURLs and resources\/namespaces/],
    ['{"apiVersion": "audit.k8s.io/v1", "kind": "Policy",', /^p\.yaml: is not valid JSON/],
    ['- just\n- a list\n', /^p\.yaml: is not an audit policy \(expected a mapping with kind: Policy\)$/],
    ['apiVersion: audit.k8s.io/v1\nkind: Policy\nkind: Policy\n', /^p\.yaml: is not valid YAML/],
  ];
  for (const [text, message] of bad) {
    assert.throws(() => parseAuditPolicy(text, 'p.yaml'), (e: unknown) => e instanceof AuditPolicyError && message.test(e.message) && !e.message.includes('\n'), text);
  }
});

test('policyToJson round-trips through the parser', () => {
  for (const p of [DOCS, GCE]) assert.deepEqual(parseAuditPolicy(JSON.stringify(policyToJson(p))), p);
});

test('blind spots of the documentation example, in order', () => {
  const spots = blindSpots(DOCS);
  assert.deepEqual(spots.map((s) => [s.kind, s.ruleIndex]), [
    ['metadata-only', 1], ['not-recorded', 2], ['not-recorded', 3], ['not-recorded', 4], ['request-only', 5], ['metadata-only', 6], ['request-only', 7], ['metadata-only', 8], ['stage-omitted', -1],
  ]);
  assert.equal(spots[2]!.text, 'Not recorded at all (rule 4, where no earlier rule matched): watch requests by user system:kube-proxy on core endpoints and services. Such requests leave no trace in this log.');
  assert.equal(spots[3]!.text, 'Not recorded at all (rule 5, where no earlier rule matched): all requests by members of group system:authenticated to non-resource URLs /api* and /version. Such requests leave no trace in this log.');
  assert.match(spots[5]!.text, /^Recorded at Metadata, without request or response bodies \(rule 7, where no earlier rule matched\): all requests on core secrets and configmaps\. .* Secrets are recorded at Metadata: who read which Secret is in the log, what it contained is not\.$/);
  // Secrets were decided by rule 7, so the later catch-alls say nothing more about them.
  assert.ok(!spots[6]!.text.includes('Secrets') && !spots[7]!.text.includes('Secrets'));
  assert.match(spots[8]!.text, /^For every request, stage RequestReceived is not recorded\. RequestReceived: a request is logged only once it is answered/);
});

test('blind spots: no catch-all, unreachable rules, per-rule stages and managedFields', () => {
  const p = parseAuditPolicy('apiVersion: audit.k8s.io/v1\nkind: Policy\nrules:\n- level: RequestResponse\n  verbs: [create]\n  omitManagedFields: true\n  omitStages: [ResponseStarted]\n- level: Metadata\n- level: None\n  users: [bob]\n');
  assert.deepEqual(blindSpots(p).map((s) => s.kind), ['stage-omitted', 'managed-fields-omitted', 'metadata-only', 'unreachable-rule']);
  assert.equal(blindSpots(p)[3]!.text, 'Rule 3 (level None) never applies: rule 2 before it matches every request.');
  const q = parseAuditPolicy('apiVersion: audit.k8s.io/v1\nkind: Policy\nrules:\n- level: RequestResponse\n  resources: [{group: ""}]\n');
  assert.deepEqual(blindSpots(q).map((s) => [s.kind, s.text]), [['unmatched', "Requests that no rule matches are not recorded at all (the API server's default level is None)."]]);
  assert.deepEqual(blindSpots(parseAuditPolicy('apiVersion: audit.k8s.io/v1\nkind: Policy\n')).map((s) => s.text), ['The policy has no rules: nothing is recorded.']);
});

test('the demo policy (resources/demo/audit-policy.yaml): its levels and its blind spots', () => {
  const p = parseAuditPolicy(readFileSync(fileURLToPath(new URL('../../../resources/demo/audit-policy.yaml', import.meta.url)), 'utf8'), 'audit-policy.yaml');
  assert.deepEqual(level(p, url('system:apiserver', 'get', '/readyz', ['system:masters'])), ['None', 0]);
  assert.deepEqual(level(p, res('system:kube-proxy', 'watch', 'discovery.k8s.io', 'endpointslices')), ['None', 1]);
  assert.deepEqual(level(p, res('alice', 'get', '', 'secrets', { ns: 'prod', name: 'db' })), ['Metadata', 2]);
  assert.deepEqual(level(p, res('alice', 'create', 'rbac.authorization.k8s.io', 'clusterrolebindings')), ['RequestResponse', 3]);
  assert.deepEqual(level(p, res('alice', 'create', '', 'pods', { sub: 'exec', ns: 'prod', name: 'web' })), ['Request', 4]);
  assert.deepEqual(level(p, res('alice', 'get', '', 'pods', { ns: 'prod', name: 'web' })), ['Metadata', 5]);
  const texts = blindSpots(p).map((s) => s.text);
  assert.equal(texts.length, 6);
  assert.equal(texts[0], 'Not recorded at all (rule 1): all requests to non-resource URLs /healthz*, /livez*, /readyz* and /version. Such requests leave no trace in this log.');
  assert.equal(texts[1], 'Not recorded at all (rule 2, where no earlier rule matched): watch requests by user system:kube-proxy on core endpoints, services and services/status and discovery.k8s.io endpointslices. Such requests leave no trace in this log.');
  assert.ok(texts[2]!.endsWith('Secrets are recorded at Metadata: who read which Secret is in the log, what it contained is not.'));
  assert.match(texts[3]!, /^Recorded with the request body but without the response body \(rule 5, where no earlier rule matched\): all requests on core pods\/exec, pods\/attach and pods\/portforward\./);
  assert.match(texts[4]!, /^Recorded at Metadata, without request or response bodies \(rule 6, where no earlier rule matched\): all requests\./);
  assert.match(texts[5]!, /^For every request, stage RequestReceived is not recorded\./);
});
