// Sensitive-data rules on real events: each rule of the table fires on a real event (as logged, or with the one field a real cluster would fill changed, said so), and none fires on the real events that carry nothing sensitive.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { parseEvent, type Decoded } from '../../../shared/core/parse-event.ts';
import fc from 'fast-check';
import { detectSensitive, hasEmail, redactedView, SENSITIVE_RULES, type SensitiveRule } from '../../../shared/core/sensitive.ts';

const FIXTURES = new URL('../../fixtures/formats/', import.meta.url);
const SAMPLES = new URL('../../../resources/samples/', import.meta.url);
const lines = (dir: URL, name: string): string[] => readFileSync(new URL(name, dir), 'utf8').split('\n').filter(Boolean);
const bytes = (s: string) => new TextEncoder().encode(s);
const rules = (s: string | object) => detectSensitive(bytes(typeof s === 'string' ? s : JSON.stringify(s))).map((f) => f.rule);
const detail = (s: string | object, rule: SensitiveRule) => detectSensitive(bytes(typeof s === 'string' ? s : JSON.stringify(s))).find((f) => f.rule === rule)?.detail;

const CONFIGMAPS = lines(FIXTURES, 'falco_k8s-audit_configmap-sensitive-values.jsonl');
const PRIVILEGED_POD = lines(FIXTURES, 'crowdsec-hub_k8s-audit_privileged-pod.jsonl')[0]!;
const pod = () => JSON.parse(PRIVILEGED_POD) as Record<string, any>;
const TOKEN_REQUEST = lines(SAMPLES, 'immudb-log-audit_k8s.jsonl').find((l) => l.includes('/serviceaccounts/generic-garbage-collector/token') && l.includes('"ResponseComplete"'))!;
const SECRETS_LIST = lines(SAMPLES, 'audit2rbac_demo.jsonl').find((l) => l.includes('"resource":"secrets"'))!;
// A JWT-shaped token (three base64url parts); made up, it signs nothing.
const JWT = 'eyJhbGciOiJSUzI1NiIsImtpZCI6InRlc3QifQ.eyJpc3MiOiJrdWJlcm5ldGVzL3NlcnZpY2VhY2NvdW50In0.c2lnbmF0dXJlLW5vdC1yZWFs';

test('the table: distinct machine-readable rule names, each described', () => {
  const names = SENSITIVE_RULES.map((r) => r.rule);
  assert.equal(new Set(names).size, names.length);
  assert.deepEqual(names, ['secret-object', 'secret-in-last-applied', 'token-review', 'token-request', 'bearer-token', 'credential-in-uri', 'auth-header', 'credential-in-object', 'personal-email']);
  for (const r of SENSITIVE_RULES) assert.ok(r.what.length > 20);
});

test('credential-in-object: the six real ConfigMap creations carrying "aws_secret_access_key = MY-KEY" (falco trace), as logged', () => {
  assert.equal(CONFIGMAPS.length, 6);
  for (const l of CONFIGMAPS) assert.deepEqual(detectSensitive(bytes(l)), [{ rule: 'credential-in-object', detail: 'requestObject holds an AWS secret access key setting' }]);
});

test('real events without sensitive data match no rule: the privileged-pod apply (last-applied JSON holds a Pod), a Metadata-level list of secrets, a Metadata-level TokenRequest, every sample', () => {
  assert.deepEqual(rules(PRIVILEGED_POD), []);
  assert.deepEqual(rules(SECRETS_LIST), []);
  assert.deepEqual(rules(TOKEN_REQUEST), []);
  for (const name of ['audit2rbac_demo.jsonl', 'immudb-log-audit_k8s.jsonl', 'openshift-clo_audit_in.jsonl', 'traefik_crowdsec-nikto.jsonl', 'ingress-nginx_beats-test.log']) {
    const hits = lines(SAMPLES, name).filter((l) => rules(l).length > 0);
    assert.deepEqual(hits, [], name);
  }
  for (const name of ['crowdsec-hub_k8s-audit_pod-exec.jsonl', 'openshift-clo_otlp-forwarder_audit-kube.json', 'sysdig-aks_eventhub-records_kube-audit.json', 'crowdsec-hub_nginx_malformed-requests.log', 'crowdsec-hub_traefik_clf.log']) {
    assert.deepEqual(rules(readFileSync(new URL(name, FIXTURES), 'utf8')), [], name);
  }
});

test('secret-in-last-applied and secret-object: the real privileged-pod apply with its last-applied JSON (and then the request) turned into a Secret', () => {
  const e = pod();
  const annotations = e.requestObject.metadata.annotations;
  const applied = JSON.parse(annotations['kubectl.kubernetes.io/last-applied-configuration']);
  annotations['kubectl.kubernetes.io/last-applied-configuration'] = `${JSON.stringify({ ...applied, kind: 'Secret', data: { token: 'c2VjcmV0' } })}\n`;
  assert.deepEqual(rules(e), ['secret-in-last-applied']);
  assert.equal(detail(e, 'secret-in-last-applied'), 'requestObject carries a kubectl.kubernetes.io/last-applied-configuration annotation holding a v1 Secret');
  e.objectRef.resource = 'secrets';
  e.requestObject.kind = 'Secret';
  assert.deepEqual(rules(e), ['secret-object', 'secret-in-last-applied']);
  assert.equal(detail(e, 'secret-object'), 'requestObject of a create on secrets');
});

test('token-request and bearer-token: the real TokenRequest event with the response body a RequestResponse policy would log', () => {
  const e = JSON.parse(TOKEN_REQUEST);
  e.level = 'RequestResponse';
  e.responseObject = { kind: 'TokenRequest', apiVersion: 'authentication.k8s.io/v1', status: { token: JWT, expirationTimestamp: '2023-03-10T23:38:26Z' } };
  assert.deepEqual(detectSensitive(bytes(JSON.stringify(e))), [
    { rule: 'token-request', detail: 'responseObject of a TokenRequest for a service-account token' },
    { rule: 'bearer-token', detail: 'the entry holds a JSON Web Token' },
  ]);
});

test('token-review: the real privileged-pod event rewritten as the TokenReview a webhook authenticator sends', () => {
  const e = pod();
  e.objectRef = { resource: 'tokenreviews', apiGroup: 'authentication.k8s.io', apiVersion: 'v1' };
  e.requestObject = { kind: 'TokenReview', apiVersion: 'authentication.k8s.io/v1', spec: { token: 'opaque-token-value' } };
  delete e.responseObject;
  assert.deepEqual(rules(e), ['token-review']);
});

test('credential-in-uri: real access lines and the real exec event with a credential in the query string', () => {
  const nginx = lines(SAMPLES, 'ingress-nginx_beats-test.log')[1]!.replace('GET /products/42 ', 'GET /products/42?access_token=abcdef123456 ');
  assert.deepEqual(detectSensitive(bytes(nginx)), [{ rule: 'credential-in-uri', detail: 'the request carries a credential parameter (access_token)' }]);
  const traefik = JSON.parse(lines(SAMPLES, 'traefik_crowdsec-nikto.jsonl')[0]!);
  traefik.RequestPath = '/login?user=a&password=hunter2';
  assert.deepEqual(rules(traefik), ['credential-in-uri']);
  const exec = JSON.parse(readFileSync(new URL('crowdsec-hub_k8s-audit_pod-exec.jsonl', FIXTURES), 'utf8'));
  exec.requestURI = `${exec.requestURI}&token=abc`;
  assert.deepEqual(rules(exec), ['credential-in-uri']);
  assert.equal(detail(exec, 'credential-in-uri'), 'requestURI carries a credential parameter (token)');
});

test('auth-header: a real Traefik JSON line with the Authorization header kept (accessLog.fields.headers), and an nginx line logging it', () => {
  const traefik = JSON.parse(lines(SAMPLES, 'traefik_crowdsec-nikto.jsonl')[0]!);
  traefik['request_Authorization'] = 'Basic YWRtaW46aHVudGVyMg==';
  assert.deepEqual(detectSensitive(bytes(JSON.stringify(traefik))), [
    { rule: 'auth-header', detail: 'field "request_Authorization" holds a credential header' },
  ]);
  traefik['request_Authorization'] = '-';
  traefik['request_Cookie'] = 'session=abc';
  assert.deepEqual(rules(traefik), ['auth-header']);
  const nginx = `${lines(SAMPLES, 'ingress-nginx_beats-test.log')[0]!} "Bearer abcdefghijklmnop"`;
  assert.deepEqual(rules(nginx), ['auth-header']);
});

test('personal-email: the real OpenShift event of a user who signs in with an e-mail address', () => {
  const e = JSON.parse(lines(SAMPLES, 'openshift-clo_audit_in.jsonl')[0]!);
  e.user.username = 'jane.doe@example.com';
  assert.deepEqual(detectSensitive(bytes(JSON.stringify(e))), [{ rule: 'personal-email', detail: 'user.username is an e-mail address' }]);
  const view = JSON.parse(redactedView(bytes(JSON.stringify(e)), detectSensitive(bytes(JSON.stringify(e))))!);
  assert.equal(view.user.username, '[withheld: personal-email]');
  assert.equal(view.auditID, e.auditID);
});

test('an event after a text prefix is looked into: the real ConfigMap creation as a CloudWatch export line ("<time> <event>")', () => {
  assert.deepEqual(detectSensitive(bytes(`2023-03-10T22:38:26.000Z ${CONFIGMAPS[0]}`)), [{ rule: 'credential-in-object', detail: 'requestObject holds an AWS secret access key setting' }]);
  assert.deepEqual(rules(`2023-03-10T22:38:26.000Z ${PRIVILEGED_POD}`), []);
  assert.deepEqual(rules('2023-03-10T22:38:26.000Z {not json'), []);
});

test('wrapped events are looked into: a Secret in an AKS properties.log string', () => {
  const e = pod();
  e.objectRef.resource = 'secrets';
  const wrapped = { records: [{ category: 'kube-audit', properties: { log: `${JSON.stringify(e)}\n` } }] };
  assert.deepEqual(rules(wrapped), ['secret-object']);
});

test('redacted views mask what the rules found, or are not made', () => {
  const cm = CONFIGMAPS[0]!;
  const view = redactedView(bytes(cm), detectSensitive(bytes(cm)))!;
  assert.equal(JSON.parse(view).requestObject, '[withheld: credential-in-object]');
  assert.equal(view.includes('MY-KEY'), false);
  assert.equal(redactedView(bytes('not json'), []), null);
});

test('given what parseEvent decoded and parsed, the rules answer exactly as from the bytes alone: every line of the samples, the format fixtures and the events fuzz corpus, and the edge shapes', () => {
  const entries: Uint8Array[] = [];
  const split = (b: Uint8Array) => {
    let start = 0;
    for (let i = 0; i <= b.length; i++) if (i === b.length || b[i] === 10) {
      if (i > start) entries.push(b.subarray(start, i));
      start = i + 1;
    }
  };
  for (const dir of [SAMPLES, FIXTURES, new URL('../../fuzz/corpus/events/', import.meta.url)]) {
    for (const name of readdirSync(dir)) split(readFileSync(new URL(name, dir)));
  }
  const edge = ['\ufeff{"auditID":"x","verb":"get","requestURI":"/?token=abc"}', '  {"requestURI":"/?token=abc","verb":"get"}', '{"verb":"get","requestURI":"/?token=abc"', '["eyJabcdefghij.eyJabcdefghij.abcdefghij"]', '"a@b.example"', '{"user":{"username":"me@corp.example"}}'];
  for (const e of edge) entries.push(bytes(e));
  entries.push(new Uint8Array([0x7b, 0xff, 0x22, 0x40, 0x7d]), new Uint8Array([0xc3, 0x28, ...bytes(' Bearer abcdefghijklmnop')]));
  assert.ok(entries.length > 1000, `${entries.length} entries`);
  let sensitive = 0;
  for (const e of entries) {
    for (const kind of ['kubernetes-audit', 'openshift-audit'] as const) {
      const decoded: Decoded = {};
      parseEvent(e, kind, decoded);
      assert.ok(decoded.text !== undefined);
      const alone = detectSensitive(e);
      assert.deepEqual(detectSensitive(e, decoded), alone, new TextDecoder().decode(e).slice(0, 200));
      if (kind === 'kubernetes-audit' && alone.length > 0) sensitive++;
    }
  }
  assert.ok(sensitive >= 10, `${sensitive} sensitive entries among them`);
});

test('an e-mail address is found from its @ exactly where the plain pattern finds one, and in linear time on a hostile run of letters', () => {
  // The pattern as the rule table states it, tried at every position (what hasEmail must agree with).
  const EMAIL = /[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}\b/;
  fc.assert(fc.property(fc.array(fc.constantFrom('a', 'Z', '9', '.', '-', '_', '%', '+', '@', ' ', 'é', '"', 'ab', '.io', 'x@y.example'), { maxLength: 40 }).map((a) => a.join('')), (s) => hasEmail(s) === EMAIL.test(s)), { numRuns: 20_000 });
  const hostile = `${'a'.repeat(2_000_000)}@${'b'.repeat(1000)}`;
  const t = performance.now();
  assert.equal(hasEmail(hostile), false);
  assert.ok(performance.now() - t < 500, `${(performance.now() - t).toFixed(0)} ms on 2 MB`);
});
