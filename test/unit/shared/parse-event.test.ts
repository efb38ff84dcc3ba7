// parseEvent must give exact index columns for real audit and access log entries, and never throw or invent.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import type { EventFields, EventKind } from '../../../shared/core/event-row.ts';
import { isUtf8JsonObject } from '../../../shared/core/json-object.ts';
import { parseEvent, rfc3339ToMicros } from '../../../shared/core/parse-event.ts';

const SAMPLES = new URL('../../../resources/samples/', import.meta.url);

function lines(name: string): Uint8Array[] {
  const file = readFileSync(new URL(name, SAMPLES));
  const out: Uint8Array[] = [];
  let from = 0;
  for (let i = 0; i <= file.length; i++) {
    if (i === file.length || file[i] === 0x0a) {
      if (i > from) out.push(file.subarray(from, i));
      from = i + 1;
    }
  }
  return out;
}

const IMMUDB = lines('immudb-log-audit_k8s.jsonl');
const OPENSHIFT = lines('openshift-clo_audit_in.jsonl');
const AUDIT2RBAC = lines('audit2rbac_demo.jsonl');
const NGINX = lines('ingress-nginx_beats-test.log');
const TRAEFIK = lines('traefik_crowdsec-nikto.jsonl');
const ALL_FILES: [string, Uint8Array[], EventKind][] = [
  ['immudb-log-audit_k8s.jsonl', IMMUDB, 'kubernetes-audit'],
  ['openshift-clo_audit_in.jsonl', OPENSHIFT, 'openshift-audit'],
  ['audit2rbac_demo.jsonl', AUDIT2RBAC, 'kubernetes-audit'],
  ['ingress-nginx_beats-test.log', NGINX, 'ingress-nginx'],
  ['traefik_crowdsec-nikto.jsonl', TRAEFIK, 'traefik-access'],
];

const utf8 = new TextEncoder();
const bytes = (s: string): Uint8Array => utf8.encode(s);
const text = (b: Uint8Array): string => new TextDecoder().decode(b);
/** Line n (1-based, as an editor shows it). */
const line = (file: Uint8Array[], n: number): Uint8Array => file[n - 1]!;

/** Every column empty: the expected objects below spell out only what differs, and deepEqual compares all 42 keys. */
const NONE: EventFields = {
  kind: 'other',
  json: false,
  auditId: null,
  stage: null,
  level: null,
  verb: null,
  requestUri: null,
  username: null,
  uid: null,
  groups: null,
  impersonatedUser: null,
  sourceIps: null,
  sourceIp: null,
  userAgent: null,
  apiGroup: null,
  apiVersion: null,
  resource: null,
  subresource: null,
  namespace: null,
  name: null,
  responseCode: null,
  responseReason: null,
  time: null,
  timeUs: null,
  stageTime: null,
  stageTimeUs: null,
  decision: null,
  decisionReason: null,
  hasRequestBody: false,
  hasResponseBody: false,
  clientAddress: null,
  method: null,
  path: null,
  host: null,
  protocol: null,
  status: null,
  requestBytes: null,
  responseBytes: null,
  durationUs: null,
  upstream: null,
  service: null,
  router: null,
};
const OTHER_JSON: EventFields = { ...NONE, json: true };

// Expected rows for real events, checked field by field against the lines in resources/samples/.
// immudb-log-audit_k8s.jsonl:1
const BLOCK_IMMUDB_1: EventFields = {
  ...NONE,
  kind: 'kubernetes-audit',
  json: true,
  auditId: 'd4652481-193e-42f6-9b78-f8651cab5dfe',
  stage: 'RequestReceived',
  level: 'Metadata',
  verb: 'get',
  requestUri: '/api?timeout=32s',
  username: 'admin',
  uid: 'admin',
  groups: '["system:masters","system:authenticated"]',
  sourceIps: '["127.0.0.1"]',
  sourceIp: '127.0.0.1',
  userAgent: 'kubectl/v1.25.6 (linux/amd64) kubernetes/ff2c119',
  time: '2023-03-10T22:38:26.382098Z',
  timeUs: 1678487906382098,
  stageTime: '2023-03-10T22:38:26.382098Z',
  stageTimeUs: 1678487906382098,
};

// immudb-log-audit_k8s.jsonl:2
const BLOCK_IMMUDB_2: EventFields = {
  ...NONE,
  kind: 'kubernetes-audit',
  json: true,
  auditId: 'd4652481-193e-42f6-9b78-f8651cab5dfe',
  stage: 'ResponseComplete',
  level: 'Metadata',
  verb: 'get',
  requestUri: '/api?timeout=32s',
  username: 'admin',
  uid: 'admin',
  groups: '["system:masters","system:authenticated"]',
  sourceIps: '["127.0.0.1"]',
  sourceIp: '127.0.0.1',
  userAgent: 'kubectl/v1.25.6 (linux/amd64) kubernetes/ff2c119',
  responseCode: 200,
  time: '2023-03-10T22:38:26.382098Z',
  timeUs: 1678487906382098,
  stageTime: '2023-03-10T22:38:26.382820Z',
  stageTimeUs: 1678487906382820,
  decision: 'allow',
  decisionReason: '',
};

// immudb-log-audit_k8s.jsonl:6
const BLOCK_IMMUDB_6: EventFields = {
  ...NONE,
  kind: 'kubernetes-audit',
  json: true,
  auditId: 'f75a7d1c-a7c6-4bb0-87b3-0bd0e43b24d6',
  stage: 'ResponseComplete',
  level: 'Metadata',
  verb: 'get',
  requestUri: '/healthz',
  username: 'admin',
  uid: 'admin',
  groups: '["system:masters","system:authenticated"]',
  sourceIps: '["127.0.0.1"]',
  sourceIp: '127.0.0.1',
  userAgent: 'kubelite/v1.25.6 (linux/amd64) kubernetes/ff2c119',
  responseCode: 500,
  time: '2023-03-10T22:38:26.419309Z',
  timeUs: 1678487906419309,
  stageTime: '2023-03-10T22:38:26.445721Z',
  stageTimeUs: 1678487906445721,
  decision: 'allow',
  decisionReason: '',
};

// immudb-log-audit_k8s.jsonl:1370
const BLOCK_IMMUDB_1370: EventFields = {
  ...NONE,
  kind: 'kubernetes-audit',
  json: true,
  auditId: 'cdf866d5-3aa8-4481-866b-0348ea4b08d1',
  stage: 'ResponseComplete',
  level: 'Metadata',
  verb: 'update',
  requestUri: '/apis/apps/v1/namespaces/tc1/statefulsets/tc1-queue/status',
  username: 'system:serviceaccount:kube-system:statefulset-controller',
  uid: 'f6442be1-479e-4c7c-a88a-6b5d07952b9b',
  groups: '["system:serviceaccounts","system:serviceaccounts:kube-system","system:authenticated"]',
  sourceIps: '["127.0.0.1"]',
  sourceIp: '127.0.0.1',
  userAgent: 'kubelite/v1.25.6 (linux/amd64) kubernetes/ff2c119/system:serviceaccount:kube-system:statefulset-controller',
  apiGroup: 'apps',
  apiVersion: 'v1',
  resource: 'statefulsets',
  subresource: 'status',
  namespace: 'tc1',
  name: 'tc1-queue',
  responseCode: 409,
  responseReason: 'Conflict',
  time: '2023-03-10T22:39:34.313384Z',
  timeUs: 1678487974313384,
  stageTime: '2023-03-10T22:39:34.389178Z',
  stageTimeUs: 1678487974389178,
  decision: 'allow',
  decisionReason: '',
};

// openshift-clo_audit_in.jsonl:2
const BLOCK_OPENSHIFT_2: EventFields = {
  ...NONE,
  kind: 'openshift-audit',
  json: true,
  auditId: '7735060f-44f5-4707-beab-5c93c245d4de',
  stage: 'ResponseComplete',
  level: 'RequestResponse',
  verb: 'create',
  requestUri: '/api/v1/namespaces/openshift-marketplace/pods',
  username: 'system:serviceaccount:openshift-operator-lifecycle-manager:olm-operator-serviceaccount',
  uid: '61ddc42a-5cf2-4e6c-b131-400eeb5142bc',
  groups: '["system:serviceaccounts","system:serviceaccounts:openshift-operator-lifecycle-manager","system:authenticated"]',
  sourceIps: '["10.128.0.52"]',
  sourceIp: '10.128.0.52',
  userAgent: 'catalog/v0.0.0 (linux/amd64) kubernetes/$Format',
  apiVersion: 'v1',
  resource: 'pods',
  namespace: 'openshift-marketplace',
  responseCode: 403,
  responseReason: 'Forbidden',
  time: '2023-06-12T13:30:25.754378Z',
  timeUs: 1686576625754378,
  stageTime: '2023-06-12T13:30:25.758391Z',
  stageTimeUs: 1686576625758391,
  decision: 'allow',
  decisionReason: 'RBAC: allowed by ClusterRoleBinding "olm-operator-binding-openshift-operator-lifecycle-manager" of ClusterRole "system:controller:operator-lifecycle-manager" to ServiceAccount "olm-operator-serviceaccount/openshift-operator-lifecycle-manager"',
  hasRequestBody: true,
  hasResponseBody: true,
};

// audit2rbac_demo.jsonl:1
const BLOCK_AUDIT2RBAC_1: EventFields = {
  ...NONE,
  kind: 'kubernetes-audit',
  json: true,
  auditId: '033d17af-082d-4b24-aa22-627752e83d71',
  stage: 'ResponseComplete',
  level: 'Metadata',
  verb: 'list',
  requestUri: '/api/v1/namespaces/default/pods',
  username: 'system:admin',
  groups: '["system:masters","system:authenticated"]',
  impersonatedUser: 'bob',
  sourceIps: '["::1"]',
  sourceIp: '::1',
  apiVersion: 'v1',
  resource: 'pods',
  namespace: 'default',
  responseCode: 403,
  responseReason: 'Forbidden',
  time: '2017-09-11T19:55:05Z',
  timeUs: 1505159705000000,
};

describe('audit.k8s.io events from the samples', () => {
  test('immudb line 1: the first RequestReceived event, without responseStatus or annotations', () => {
    assert.deepEqual(parseEvent(line(IMMUDB, 1), 'kubernetes-audit'), BLOCK_IMMUDB_1);
  });

  test('immudb line 2: ResponseComplete with an authorization decision and an empty reason', () => {
    assert.deepEqual(parseEvent(line(IMMUDB, 2), 'kubernetes-audit'), BLOCK_IMMUDB_2);
  });

  test('immudb line 6: an HTTP 500 without objectRef', () => {
    assert.deepEqual(parseEvent(line(IMMUDB, 6), 'kubernetes-audit'), BLOCK_IMMUDB_6);
  });

  test('immudb line 1370: a 409 Conflict on a subresource with apiGroup and name', () => {
    assert.deepEqual(parseEvent(line(IMMUDB, 1370), 'kubernetes-audit'), BLOCK_IMMUDB_1370);
  });

  test('OpenShift line 2: RequestResponse with both bodies, user.extra and a 403', () => {
    assert.deepEqual(parseEvent(line(OPENSHIFT, 2), 'openshift-audit'), BLOCK_OPENSHIFT_2);
  });

  test('OpenShift line 1: a response body without a request body', () => {
    const got = parseEvent(line(OPENSHIFT, 1), 'openshift-audit');
    assert.equal(got.hasRequestBody, false);
    assert.equal(got.hasResponseBody, true);
    assert.equal(got.name, 'openshift-marketplace');
  });

  test('audit2rbac line 1: legacy 2017 event with impersonatedUser, `timestamp` and a 403', () => {
    assert.deepEqual(parseEvent(line(AUDIT2RBAC, 1), 'kubernetes-audit'), BLOCK_AUDIT2RBAC_1);
  });

  test('legacy event without `timestamp` falls back to metadata.creationTimestamp', () => {
    const event = JSON.parse(text(line(AUDIT2RBAC, 1))) as Record<string, unknown>;
    delete event['timestamp'];
    (event['metadata'] as Record<string, unknown>)['creationTimestamp'] = '2017-09-11T19:55:06Z';
    const got = parseEvent(bytes(JSON.stringify(event)), 'kubernetes-audit');
    assert.equal(got.time, '2017-09-11T19:55:06Z');
    assert.equal(got.timeUs, 1505159706000000);
    assert.equal(got.stageTime, null);
  });

  test('requestReceivedTimestamp wins over the legacy fields', () => {
    const got = parseEvent(
      bytes(
        '{"apiVersion":"audit.k8s.io/v1","metadata":{"creationTimestamp":"2017-01-01T00:00:00Z"},' +
          '"timestamp":"2017-01-01T00:00:01Z","requestReceivedTimestamp":"2017-01-01T00:00:02.5Z"}',
      ),
      'kubernetes-audit',
    );
    assert.equal(got.time, '2017-01-01T00:00:02.5Z');
    assert.equal(got.timeUs, 1483228802500000);
  });

  test('the manifest kind is kept for audit kinds; other and access-log kinds become kubernetes-audit', () => {
    const event = line(OPENSHIFT, 2);
    assert.deepEqual(parseEvent(event, 'kubernetes-audit'), { ...BLOCK_OPENSHIFT_2, kind: 'kubernetes-audit' });
    assert.deepEqual(parseEvent(event, 'other'), { ...BLOCK_OPENSHIFT_2, kind: 'kubernetes-audit' });
    assert.deepEqual(parseEvent(event, 'ingress-nginx'), { ...BLOCK_OPENSHIFT_2, kind: 'kubernetes-audit' });
    assert.deepEqual(parseEvent(event, 'traefik-access'), { ...BLOCK_OPENSHIFT_2, kind: 'kubernetes-audit' });
    assert.equal(parseEvent(line(IMMUDB, 1), 'openshift-audit').kind, 'openshift-audit');
  });

  test('several sourceIPs: all are kept, the last one is the source', () => {
    const got = parseEvent(
      bytes('{"apiVersion":"audit.k8s.io/v1","sourceIPs":["203.0.113.9","10.0.0.1","192.168.1.5"]}'),
      'kubernetes-audit',
    );
    assert.equal(got.sourceIps, '["203.0.113.9","10.0.0.1","192.168.1.5"]');
    assert.equal(got.sourceIp, '192.168.1.5');
  });

  test('values of the wrong JSON type are absent, not converted', () => {
    const got = parseEvent(
      bytes(
        '{"apiVersion":"audit.k8s.io/v1beta1","auditID":7,"user":{"username":["a"],"groups":"system:masters"},' +
          '"sourceIPs":[],"responseStatus":{"code":"500","reason":null},"objectRef":"pods",' +
          '"requestObject":null,"responseObject":{},"requestReceivedTimestamp":"yesterday","annotations":[]}',
      ),
      'kubernetes-audit',
    );
    assert.deepEqual(got, {
      ...NONE,
      kind: 'kubernetes-audit',
      json: true,
      sourceIps: '[]',
      time: 'yesterday',
      hasResponseBody: true,
    });
  });

  test('consecutive events with different groups and sourceIPs do not share text', () => {
    const a = parseEvent(bytes('{"apiVersion":"audit.k8s.io/v1","user":{"groups":["a","b"]},"sourceIPs":["1"]}'), 'other');
    const b = parseEvent(bytes('{"apiVersion":"audit.k8s.io/v1","user":{"groups":["a","c"]},"sourceIPs":["1"]}'), 'other');
    const c = parseEvent(bytes('{"apiVersion":"audit.k8s.io/v1","user":{"groups":["a","c",1]},"sourceIPs":["1","2"]}'), 'other');
    const d = parseEvent(bytes('{"apiVersion":"audit.k8s.io/v1","user":{"groups":["a","c",2]},"sourceIPs":["1","2"]}'), 'other');
    assert.deepEqual([a.groups, b.groups, c.groups, d.groups], ['["a","b"]', '["a","c"]', '["a","c",1]', '["a","c",2]']);
    assert.deepEqual([a.sourceIps, c.sourceIps], ['["1"]', '["1","2"]']);
  });
});

describe('whole sample files', () => {
  test('immudb: 2,971 events, stages, 7 HTTP 500s and 2 409s, as the README says', () => {
    const rows = IMMUDB.map((b) => parseEvent(b, 'kubernetes-audit'));
    assert.equal(rows.length, 2971);
    const stages = new Map<string | null, number>();
    const codes = new Map<number | null, number>();
    for (const r of rows) {
      assert.equal(r.kind, 'kubernetes-audit');
      assert.equal(r.json, true);
      stages.set(r.stage, (stages.get(r.stage) ?? 0) + 1);
      codes.set(r.responseCode, (codes.get(r.responseCode) ?? 0) + 1);
      // responseStatus is missing exactly on RequestReceived events.
      assert.equal(r.responseCode === null, r.stage === 'RequestReceived', r.auditId ?? '');
      assert.ok(r.timeUs !== null && r.stageTimeUs !== null && r.timeUs <= r.stageTimeUs, r.auditId ?? '');
      assert.equal(r.sourceIp !== null && r.username !== null && r.groups !== null, true);
    }
    assert.deepEqual(
      Object.fromEntries(stages),
      { RequestReceived: 1484, ResponseStarted: 111, ResponseComplete: 1376 },
    );
    assert.equal(codes.get(500), 7);
    assert.equal(codes.get(409), 2);
    assert.equal(codes.get(200), 1426);
    assert.equal(codes.get(201), 52);
    assert.equal(codes.get(null), 1484);
    assert.equal(rows.filter((r) => r.decision === 'allow').length, 1487);
    assert.equal(rows.filter((r) => r.resource !== null).length, 2073);
  });

  test('OpenShift: 100 events, 36 request bodies, 86 response bodies', () => {
    const rows = OPENSHIFT.map((b) => parseEvent(b, 'openshift-audit'));
    assert.equal(rows.length, 100);
    assert.ok(rows.every((r) => r.kind === 'openshift-audit' && r.timeUs !== null && r.decision === 'allow'));
    assert.equal(rows.filter((r) => r.hasRequestBody).length, 36);
    assert.equal(rows.filter((r) => r.hasResponseBody).length, 86);
    assert.equal(rows.filter((r) => r.responseCode === 409).length, 4);
  });

  test('audit2rbac: 37 legacy events, 11 403s, all impersonating', () => {
    const rows = AUDIT2RBAC.map((b) => parseEvent(b, 'kubernetes-audit'));
    assert.equal(rows.length, 37);
    assert.equal(rows.filter((r) => r.responseCode === 403).length, 11);
    assert.equal(rows.filter((r) => r.impersonatedUser === 'bob').length, 29);
    assert.ok(rows.every((r) => r.impersonatedUser !== null && r.timeUs !== null && r.stageTime === null));
  });

  test('every line of every sample is recognised from its bytes, whatever the manifest says', () => {
    for (const [name, file, kind] of ALL_FILES) {
      for (const [i, b] of file.entries()) {
        for (const given of ['other', 'kubernetes-audit', 'ingress-nginx'] as const) {
          const expected = kind === 'openshift-audit' ? 'kubernetes-audit' : kind;
          assert.equal(parseEvent(b, given).kind, expected, `${name} line ${i + 1} as ${given}`);
        }
      }
    }
  });

  test('`json` is exactly isUtf8JsonObject on every sample line', () => {
    for (const [name, file] of ALL_FILES) {
      for (const [i, b] of file.entries()) {
        assert.equal(parseEvent(b, 'other').json, isUtf8JsonObject(b), `${name} line ${i + 1}`);
      }
    }
  });
});

const NGINX_ROW: EventFields = { ...NONE, kind: 'ingress-nginx' };

describe('ingress-nginx upstreaminfo lines', () => {
  const client = (ip: string): EventFields => ({ ...NGINX_ROW, clientAddress: ip, sourceIp: ip });
  const FIREFOX = 'Mozilla/5.0 (Macintosh; Intel Mac OS X 10.14; rv:72.0) Gecko/20100101 Firefox/72.0';
  const CHROME_2022 = 'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/104.0.0.0 Safari/537.36';
  // [line number in the sample, the exact row]
  const expected: [number, EventFields][] = [
    [1, {
      ...client('192.168.64.1'),
      time: '07/Feb/2020:11:48:51 +0000',
      timeUs: 1581076131000000,
      method: 'POST',
      path: '/products',
      protocol: 'HTTP/1.1',
      status: 200,
      responseBytes: 59,
      userAgent: 'curl/7.54.0',
      requestBytes: 89,
      durationUs: 1000,
      service: 'default-web-8080',
      upstream: '172.17.0.5:8080',
    }],
    [5, {
      // A junk method answered 400 by nginx itself: no upstream, no service, no user agent.
      ...client('192.168.64.1'),
      time: '07/Feb/2020:11:49:50 +0000',
      timeUs: 1581076190000000,
      method: 'PATCHp',
      path: '/products/42',
      protocol: 'HTTP/1.1',
      status: 400,
      responseBytes: 163,
      requestBytes: 0,
      durationUs: 0,
    }],
    [9, {
      // A referer is logged but not indexed.
      ...client('192.168.64.1'),
      time: '07/Feb/2020:11:55:57 +0000',
      timeUs: 1581076557000000,
      method: 'GET',
      path: '/favicon.ico',
      protocol: 'HTTP/1.1',
      status: 200,
      responseBytes: 59,
      userAgent:
        'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_14_6) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/79.0.3945.130 Safari/537.36',
      requestBytes: 381,
      durationUs: 0,
      service: 'default-web-8080',
      upstream: '172.17.0.5:8080',
    }],
    [24, {
      // Two upstreams tried, their lengths, times and codes as lists; the URI stays percent-encoded.
      ...client('192.168.64.14'),
      time: '07/Feb/2020:12:02:42 +0000',
      timeUs: 1581076962000000,
      method: 'GET',
      path: '/A%20Beka%20G1%20Howe/029_AND_30/15%20reading%20elephants.mp4',
      protocol: 'HTTP/1.1',
      status: 200,
      responseBytes: 61,
      userAgent: FIREFOX,
      requestBytes: 348,
      durationUs: 1000,
      service: 'default-web2-8080',
      upstream: '172.17.0.6:8080, 172.17.0.7:8080',
    }],
    [25, {
      // IPv6 client with a basic-auth user and an IPv6 upstream.
      ...client('2a02:cf40::'),
      username: 'remote_monitoring_user',
      time: '24/Aug/2022:21:04:17 +0000',
      timeUs: 1661375057000000,
      method: 'POST',
      path: '/_bulk',
      protocol: 'HTTP/1.1',
      status: 200,
      responseBytes: 470,
      userAgent:
        'Elastic-metricbeat/7.16.3 (linux; amd64; e7cede6a62ed4452bd9044fc6f4947df; 2022-01-07 00:50:33 +0000 UTC)',
      requestBytes: 2057,
      durationUs: 33000,
      service: 'esmon-esmon-es-http-9200',
      upstream: '[2a02:cf40::]:9200',
    }],
    [26, {
      // A retry over two IPv6 upstreams: the address list is kept as written.
      ...client('2a02:cf40::4e36'),
      time: '24/Aug/2022:18:05:41 +0000',
      timeUs: 1661364341000000,
      method: 'GET',
      path: '/favicon.ico',
      protocol: 'HTTP/2.0',
      status: 502,
      responseBytes: 552,
      userAgent: CHROME_2022,
      requestBytes: 27,
      durationUs: 0,
      service: 'localhost-8080',
      upstream: '[2a02:cf40::7]:5000, [2a02:cf40::4e36]:5000',
    }],
    [27, {
      // The hand-made malformed upstream address: recorded as written, never "repaired".
      ...client('2a02:cf40::4e36'),
      time: '24/Aug/2022:18:05:41 +0000',
      timeUs: 1661364341000000,
      method: 'GET',
      path: '/favicon.ico',
      protocol: 'HTTP/2.0',
      status: 502,
      responseBytes: 552,
      userAgent: CHROME_2022,
      requestBytes: 27,
      durationUs: 0,
      service: 'localhost-8080',
      upstream: '[2a02:cf40::7]:5000, [2a02:cf40::::::::4e36]:500000000',
    }],
    [28, {
      // A unix-socket upstream.
      ...client('192.168.64.1'),
      time: '07/Feb/2020:11:56:54 +0000',
      timeUs: 1581076614000000,
      method: 'GET',
      path: '/products/42',
      protocol: 'HTTP/1.1',
      status: 200,
      responseBytes: 59,
      userAgent: 'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_14_6) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/13.0.5 Safari/605.1.15',
      requestBytes: 369,
      durationUs: 2000,
      service: 'default-web-8080',
      upstream: 'unix:/var/run/php-fpm.sock',
    }],
    [29, {
      // "-" inside the per-upstream lists ($upstream_response_length, _time, _status) for the second upstream.
      ...client('192.168.64.14'),
      time: '07/Feb/2020:12:02:42 +0000',
      timeUs: 1581076962000000,
      method: 'GET',
      path: '/test/test.mp4',
      protocol: 'HTTP/1.1',
      status: 200,
      responseBytes: 61,
      userAgent: FIREFOX,
      requestBytes: 348,
      durationUs: 1000,
      service: 'default-web2-8080',
      upstream: '172.17.0.6:8080, 172.17.0.7:8080',
    }],
  ];

  test('the sample has 29 lines, every one of them an ingress-nginx row', () => {
    assert.equal(NGINX.length, 29);
    assert.deepEqual(NGINX.map((b) => parseEvent(b, 'ingress-nginx').kind), Array(29).fill('ingress-nginx'));
  });
  for (const [n, want] of expected) {
    test(`line ${n}`, () => {
      assert.deepEqual(parseEvent(line(NGINX, n), 'ingress-nginx'), want);
      // A JSON manifest kind changes nothing: the bytes decide.
      assert.deepEqual(parseEvent(line(NGINX, n), 'kubernetes-audit'), want);
    });
  }

  const TAIL = '"-" "curl/8.0" 77 0.010 [ns-web-80] [] 10.0.0.9:80 12 0.010 200 0123456789abcdef';
  const base = (request: string, user = '-', tail = TAIL): string =>
    `10.1.2.3 - ${user} [07/Feb/2020:17:18:51 +0530] "${request}" 200 12 ${tail}`;

  test('a remote_user with spaces and brackets, and a +0530 offset', () => {
    assert.deepEqual(parseEvent(bytes(base('GET /a HTTP/1.1', 'bob [x] y')), 'ingress-nginx'), {
      ...NGINX_ROW,
      clientAddress: '10.1.2.3',
      sourceIp: '10.1.2.3',
      username: 'bob [x] y',
      time: '07/Feb/2020:17:18:51 +0530',
      timeUs: 1581076131000000,
      method: 'GET',
      path: '/a',
      protocol: 'HTTP/1.1',
      status: 200,
      responseBytes: 12,
      userAgent: 'curl/8.0',
      requestBytes: 77,
      durationUs: 10000,
      service: 'ns-web-80',
      upstream: '10.0.0.9:80',
    });
  });

  test('an empty remote_user (two spaces) is no user', () => {
    const r = parseEvent(bytes(base('GET / HTTP/1.1', '')), 'ingress-nginx');
    assert.equal(r.kind, 'ingress-nginx');
    assert.equal(r.username, null);
  });

  test('request lines: "-", HTTP/0.9, a TLS handshake, spaces in the URI', () => {
    const parts = (request: string) => {
      const r = parseEvent(bytes(base(request)), 'ingress-nginx');
      return [r.kind, r.method, r.path, r.protocol];
    };
    assert.deepEqual(parts('-'), ['ingress-nginx', null, null, null]);
    assert.deepEqual(parts(''), ['ingress-nginx', null, null, null]);
    assert.deepEqual(parts('GET /'), ['ingress-nginx', 'GET', '/', null]);
    assert.deepEqual(parts('\\x16\\x03\\x01\\x00\\xF4\\x01'), ['ingress-nginx', null, null, null]);
    assert.deepEqual(parts('GET /a b HTTP/1.1'), ['ingress-nginx', 'GET', '/a b', 'HTTP/1.1']);
  });

  test('upstream lists across an internal redirect (" : ") are kept as written', () => {
    const tail =
      '"-" "-" 77 1.5 [ns-web-80] [ns-canary-80] 10.0.0.1:80, 10.0.0.2:80 : 10.0.0.3:80 0, 0 : 5 0.001, 0.002 : 0.003 502, 502 : 200 abc';
    const r = parseEvent(bytes(base('GET / HTTP/1.1', '-', tail)), 'ingress-nginx');
    assert.equal(r.upstream, '10.0.0.1:80, 10.0.0.2:80 : 10.0.0.3:80');
    assert.equal(r.durationUs, 1500000);
    assert.equal(r.userAgent, null);
    assert.equal(r.service, 'ns-web-80');
  });

  test('a line that is not exactly upstreaminfo is other', () => {
    const ok = base('GET / HTTP/1.1');
    assert.equal(parseEvent(bytes(ok), 'ingress-nginx').kind, 'ingress-nginx');
    const broken = [
      ok.replace(' 0123456789abcdef', ''), // no $req_id
      ok.replace(' [] ', ' '), // no $proxy_alternative_upstream_name
      ok.replace('07/Feb/2020', '32/Feb/2020'),
      ok.replace('07/Feb/2020', '07/feb/2020'),
      ok.replace('+0530', '+2400'),
      ok.replace('" 200 12', '" OK 12'),
      ok + ' extra',
      ok.replace('10.1.2.3 - ', '10.1.2.3 '),
      '10.1.2.3 10.1.2.4 - ' + ok.slice('10.1.2.3 - '.length),
    ];
    for (const s of broken) assert.deepEqual(parseEvent(bytes(s), 'ingress-nginx'), NONE, s);
    // nginx `combined` (upstreaminfo without the upstream part) is its own format since issue 12:
    // test/unit/shared/formats/access-lines.test.ts pins its columns.
    const combined = '10.1.2.3 - - [07/Feb/2020:17:18:51 +0530] "GET / HTTP/1.1" 200 12 "-" "curl/8.0"';
    assert.equal(parseEvent(bytes(combined), 'ingress-nginx').upstream, null);
  });

  test('invalid UTF-8 in a text line: still parsed, the bad bytes shown as U+FFFD', () => {
    const ok = bytes(base('GET / HTTP/1.1', '-', TAIL.replace('curl/8.0', 'curl/\u00ff')));
    const bad = ok.slice();
    const at = bad.indexOf(0xc3); // the lead byte of U+00FF; alone, it is invalid
    bad.copyWithin(at, at + 1);
    const r = parseEvent(bad.subarray(0, bad.length - 1), 'ingress-nginx');
    assert.equal(r.kind, 'ingress-nginx');
    assert.equal(r.json, false);
    assert.equal(r.userAgent, 'curl/\ufffd');
    assert.equal(r.status, 200);
  });
});

const TRAEFIK_ROW: EventFields = { ...NONE, kind: 'traefik-access', json: true };

describe('Traefik JSON access lines', () => {
  // Every line of the Nikto scan comes from one client through one router to one service.
  const SCAN: EventFields = {
    ...TRAEFIK_ROW,
    sourceIp: '172.17.0.1',
    host: 'test.docker.localhost',
    protocol: 'HTTP/1.1',
    userAgent: 'Nikto',
    requestBytes: 0,
    upstream: '172.17.0.3:80',
    service: 'test@docker',
    router: 'test@docker',
  };
  const expected: [number, EventFields][] = [
    [1, {
      // ClientUsername "-" is no user; request_User-Agent (a header key with a hyphen) is the user agent; Duration in ns.
      ...SCAN,
      clientAddress: '172.17.0.1:39490',
      method: 'GET',
      path: '/594VAEoi.dtd',
      status: 404,
      responseBytes: 356,
      durationUs: 215,
      time: '2021-12-08T14:02:43.464763557Z',
      timeUs: 1638972163464763,
    }],
    [2, {
      ...SCAN,
      clientAddress: '172.17.0.1:39490',
      method: 'GET',
      path: '/594VAEoi.vts',
      status: 404,
      responseBytes: 356,
      durationUs: 221,
      time: '2021-12-08T14:02:43.465823955Z',
      timeUs: 1638972163465823,
    }],
    [80, {
      // The one CONNECT of the scan, answered 400.
      ...SCAN,
      clientAddress: '172.17.0.1:39496',
      method: 'CONNECT',
      path: '/594VAEoi.local',
      status: 400,
      responseBytes: 358,
      durationUs: 564,
      time: '2021-12-08T14:02:43.589545005Z',
      timeUs: 1638972163589545,
    }],
  ];

  test('the sample has 80 lines, every one of them a Traefik row', () => {
    assert.equal(TRAEFIK.length, 80);
    assert.deepEqual(TRAEFIK.map((b) => parseEvent(b, 'traefik-access').kind), Array(80).fill('traefik-access'));
  });
  for (const [n, want] of expected) {
    test(`line ${n}`, () => {
      assert.deepEqual(parseEvent(line(TRAEFIK, n), 'traefik-access'), want);
      assert.deepEqual(parseEvent(line(TRAEFIK, n), 'kubernetes-audit'), want);
    });
  }

  test('no ClientHost: the host comes from ClientAddr, an IPv6 one too; no service or router when Traefik answered itself', () => {
    const event = JSON.parse(text(line(TRAEFIK, 1))) as Record<string, unknown>;
    delete event['ClientHost'];
    event['ClientAddr'] = '[::1]:56348';
    for (const k of ['ServiceAddr', 'ServiceName', 'ServiceURL', 'RouterName']) delete event[k];
    assert.deepEqual(parseEvent(bytes(JSON.stringify(event)), 'traefik-access'), {
      ...SCAN,
      clientAddress: '[::1]:56348',
      sourceIp: '::1',
      upstream: null,
      service: null,
      router: null,
      method: 'GET',
      path: '/594VAEoi.dtd',
      status: 404,
      responseBytes: 356,
      durationUs: 215,
      time: '2021-12-08T14:02:43.464763557Z',
      timeUs: 1638972163464763,
    });
  });

  test('ServiceURL.Host when ServiceAddr is absent; a real ClientUsername; StartUTC over StartLocal over time', () => {
    const event = JSON.parse(text(line(TRAEFIK, 2))) as Record<string, unknown>;
    delete event['ServiceAddr'];
    (event['ServiceURL'] as Record<string, unknown>)['Host'] = '10.10.10.60:5678';
    event['ClientUsername'] = 'alice';
    event['StartUTC'] = '2024-02-02T17:07:08.048870999Z';
    event['StartLocal'] = '2024-02-02T18:07:08.048870999+01:00';
    let r = parseEvent(bytes(JSON.stringify(event)), 'traefik-access');
    assert.equal(r.upstream, '10.10.10.60:5678');
    assert.equal(r.username, 'alice');
    assert.equal(r.time, '2024-02-02T17:07:08.048870999Z');
    assert.equal(r.timeUs, 1706893628048870);
    delete event['StartUTC'];
    delete event['StartLocal'];
    r = parseEvent(bytes(JSON.stringify(event)), 'traefik-access');
    assert.equal(r.time, '2021-12-08T14:02:43Z');
    assert.equal(r.timeUs, 1638972163000000);
  });

  test('Duration in nanoseconds is truncated to whole microseconds exactly', () => {
    const dur = (ns: number) =>
      parseEvent(bytes(`{"RequestMethod":"GET","Duration":${ns}}`), 'traefik-access').durationUs;
    assert.equal(dur(999), 0);
    assert.equal(dur(1000), 1);
    assert.equal(dur(9007199254740991), 9007199254740);
    assert.equal(dur(8999999999999999), 8999999999999);
    assert.equal(dur(1.5), null);
  });

  test('client host from ClientAddr forms', () => {
    const host = (addr: string) => parseEvent(bytes(JSON.stringify({ ClientAddr: addr, Duration: 1 })), 'other').sourceIp;
    assert.equal(host('10.0.0.1:80'), '10.0.0.1');
    assert.equal(host('[2001:db8::1]:443'), '2001:db8::1');
    assert.equal(host('2001:db8::1'), '2001:db8::1');
    assert.equal(host('10.0.0.1'), '10.0.0.1');
  });

  test('one Traefik-like key is not enough; two are', () => {
    assert.deepEqual(parseEvent(bytes('{"Duration":5,"msg":"done"}'), 'traefik-access'), OTHER_JSON);
    assert.equal(parseEvent(bytes('{"Duration":5,"RouterName":"r"}'), 'other').kind, 'traefik-access');
  });
});

describe('timestamps', () => {
  test('fraction digits 0 to 9, truncated to microseconds', () => {
    assert.equal(rfc3339ToMicros('2023-03-10T22:38:26Z'), 1678487906000000);
    assert.equal(rfc3339ToMicros('2023-03-10T22:38:26.5Z'), 1678487906500000);
    assert.equal(rfc3339ToMicros('2023-03-10T22:38:26.382Z'), 1678487906382000);
    assert.equal(rfc3339ToMicros('2023-03-10T22:38:26.382098Z'), 1678487906382098);
    assert.equal(rfc3339ToMicros('2023-03-10T22:38:26.3820989Z'), 1678487906382098);
    assert.equal(rfc3339ToMicros('2023-03-10T22:38:26.382098999Z'), 1678487906382098);
    assert.equal(rfc3339ToMicros('2023-03-10T22:38:26.000000001Z'), 1678487906000000);
  });

  test('offsets', () => {
    const utc = 1678487906382098;
    assert.equal(rfc3339ToMicros('2023-03-10T23:38:26.382098+01:00'), utc);
    assert.equal(rfc3339ToMicros('2023-03-10T17:08:26.382098-05:30'), utc);
    assert.equal(rfc3339ToMicros('2023-03-11T12:23:26.382098+13:45'), utc);
    assert.equal(rfc3339ToMicros('2023-03-10T22:38:26.382098-00:00'), utc);
    assert.equal(rfc3339ToMicros('2023-03-10t22:38:26.382098z'), utc);
  });

  test('around the epoch and the limits of exact integers', () => {
    assert.equal(rfc3339ToMicros('1970-01-01T00:00:00Z'), 0);
    assert.equal(rfc3339ToMicros('1970-01-01T00:00:00.000001Z'), 1);
    assert.equal(rfc3339ToMicros('1969-12-31T23:59:59.999999Z'), -1);
    assert.equal(rfc3339ToMicros('1970-01-01T01:00:00+01:00'), 0);
    assert.equal(rfc3339ToMicros('2200-01-01T00:00:00Z'), 7258118400000000);
    assert.equal(rfc3339ToMicros('2255-06-05T23:47:34.740991Z'), 9007199254740991);
    assert.equal(rfc3339ToMicros('2255-06-05T23:47:34.740992Z'), null);
    assert.equal(rfc3339ToMicros('9999-12-31T23:59:59Z'), null);
    assert.equal(rfc3339ToMicros('1685-01-01T00:00:00Z'), -8993635200000000);
    assert.equal(rfc3339ToMicros('0001-01-01T00:00:00Z'), null);
  });

  test('leap years', () => {
    assert.equal(rfc3339ToMicros('2024-02-29T00:00:00Z'), 1709164800000000);
    assert.equal(rfc3339ToMicros('2000-02-29T00:00:00Z'), 951782400000000);
    assert.equal(rfc3339ToMicros('2023-02-29T00:00:00Z'), null);
    assert.equal(rfc3339ToMicros('2100-02-29T00:00:00Z'), null);
  });

  test('invalid strings are null', () => {
    for (const s of [
      '',
      'not a timestamp at all',
      '2023-03-10T22:38:26',
      '2023-03-10 22:38:26Z',
      '2023-03-10T22:38:26.Z',
      '2023-03-10T22:38:26.1234567890Z',
      '2023-03-10T22:38:26+0100',
      '2023-03-10T22:38:26+01',
      '2023-03-10T22:38:26+24:00',
      '2023-03-10T22:38:26+01:60',
      '2023-03-10T22:38:26ZZ',
      '2023-03-10T22:38:26Z ',
      ' 2023-03-10T22:38:26Z',
      '2023-3-10T22:38:26Z',
      '2023-00-10T22:38:26Z',
      '2023-13-10T22:38:26Z',
      '2023-04-31T22:38:26Z',
      '2023-03-00T22:38:26Z',
      '2023-03-10T24:00:00Z',
      '2023-03-10T22:60:26Z',
      '2023-03-10T23:59:60Z',
      '2023-03-10T22:38:2xZ',
      '+2023-03-10T22:38:26Z',
      '２023-03-10T22:38:26Z',
    ]) {
      assert.equal(rfc3339ToMicros(s), null, JSON.stringify(s));
    }
  });

  test('agrees with Date.UTC to the millisecond on 2,000 random instants, plus the microseconds', () => {
    let seed = 42;
    const next = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
    for (let i = 0; i < 2000; i++) {
      const ms = Math.floor((next() - 0.3) * 8e12); // about 1818 to 2223
      const iso = new Date(ms).toISOString(); // 2023-03-10T22:38:26.382Z
      const micro = Math.floor(next() * 1000);
      const withMicros = `${iso.slice(0, 23)}${String(micro).padStart(3, '0')}Z`;
      assert.equal(rfc3339ToMicros(iso), ms * 1000, iso);
      assert.equal(rfc3339ToMicros(withMicros), ms * 1000 + micro, withMicros);
    }
  });

  test('an invalid time keeps its text with timeUs null', () => {
    const got = parseEvent(
      bytes('{"apiVersion":"audit.k8s.io/v1","requestReceivedTimestamp":"2023-02-30T00:00:00Z","stageTimestamp":"2023-03-10T22:38:26.5+01:00"}'),
      'kubernetes-audit',
    );
    assert.equal(got.time, '2023-02-30T00:00:00Z');
    assert.equal(got.timeUs, null);
    assert.equal(got.stageTime, '2023-03-10T22:38:26.5+01:00');
    assert.equal(got.stageTimeUs, 1678484306500000);
  });
});

describe('entries that are not what the manifest says', () => {
  test('text, broken JSON, arrays and scalars under a JSON kind are other, json false', () => {
    for (const s of [
      '',
      ' ',
      'hello world',
      'E0310 22:38:26.382098 1 server.go:42] not an access line',
      '{"kind":"Event","apiVersion":"audit.k8s.io/v1"',
      '{"apiVersion":"audit.k8s.io/v1",}',
      "{'apiVersion':'audit.k8s.io/v1'}",
      '[{"apiVersion":"audit.k8s.io/v1","auditID":"x"}]',
      '[]',
      'null',
      '42',
      '"{}"',
      '{"a":1} {"b":2}',
    ]) {
      for (const kind of ['kubernetes-audit', 'openshift-audit', 'traefik-access', 'other'] as const) {
        assert.deepEqual(parseEvent(bytes(s), kind), NONE, `${JSON.stringify(s)} as ${kind}`);
      }
    }
  });

  test('a JSON object that is neither audit nor Traefik is other, json true', () => {
    for (const s of [
      '{}',
      '{"msg":"hello","level":"info"}',
      '{"kind":"Event","apiVersion":"v1","reason":"Scheduled"}',
      '{"apiVersion":"audit.k8s.io"}',
      '{"apiVersion":["audit.k8s.io/v1"]}',
      '{"spec":{"apiVersion":"audit.k8s.io/v1"}}',
    ]) {
      assert.deepEqual(parseEvent(bytes(s), 'kubernetes-audit'), OTHER_JSON, s);
    }
  });

  test('whitespace around the object and a CRLF line ending are JSON; a BOM is not', () => {
    const event = text(line(IMMUDB, 2));
    assert.deepEqual(parseEvent(bytes(` \t${event}\r`), 'kubernetes-audit'), BLOCK_IMMUDB_2);
    const bom = bytes(`\ufeff${event}`);
    assert.equal(isUtf8JsonObject(bom), false);
    assert.deepEqual(parseEvent(bom, 'kubernetes-audit'), NONE);
  });

  test('invalid UTF-8 inside a JSON event makes it other, json false, as isUtf8JsonObject says', () => {
    const good = line(IMMUDB, 2);
    const at = text(good).indexOf('kubectl');
    for (const bad of [[0xff], [0xc3], [0xed, 0xa0, 0x80], [0xc0, 0xaf], [0xf4, 0x90, 0x80, 0x80], [0x80]]) {
      const b = new Uint8Array(good.length + bad.length);
      b.set(good.subarray(0, at));
      b.set(bad, at);
      b.set(good.subarray(at), at + bad.length);
      assert.equal(isUtf8JsonObject(b), false);
      assert.deepEqual(parseEvent(b, 'kubernetes-audit'), NONE, bad.join(' '));
    }
  });

  test('valid non-ASCII text survives', () => {
    const r = parseEvent(
      bytes('{"apiVersion":"audit.k8s.io/v1","user":{"username":"jürgen 🔑"},"objectRef":{"name":"\\u00e9t\\u00e9"}}'),
      'kubernetes-audit',
    );
    assert.equal(r.username, 'jürgen 🔑');
    assert.equal(r.name, 'été');
  });
});

describe('never throws', () => {
  const KEYS = Object.keys(NONE).sort();
  const KINDS = new Set(['kubernetes-audit', 'openshift-audit', 'ingress-nginx', 'traefik-access', 'other']);
  const check = (b: Uint8Array, kind: EventKind) => {
    const r = parseEvent(b, kind);
    assert.deepEqual(Object.keys(r).sort(), KEYS);
    assert.ok(KINDS.has(r.kind));
  };

  test('every prefix of every access line and of a short audit event', () => {
    // The Traefik lines all share one shape; three of them are enough.
    for (const b of [...NGINX, ...TRAEFIK.slice(0, 2), line(TRAEFIK, 80), line(IMMUDB, 2)]) {
      for (let n = 0; n <= b.length; n++) check(b.subarray(0, n), 'ingress-nginx');
    }
  });

  test('random byte changes to sample lines', () => {
    let seed = 7;
    const next = (n: number) => (seed = (seed * 1103515245 + 12345) % 2147483648) % n;
    const sources = [...NGINX, ...TRAEFIK, ...IMMUDB.slice(0, 20), ...AUDIT2RBAC.slice(0, 5)];
    for (let i = 0; i < 5000; i++) {
      const b = sources[next(sources.length)]!.slice();
      for (let k = next(4) + 1; k > 0; k--) b[next(b.length)] = next(256);
      check(b, 'other');
    }
  });

  test('very deep nesting', () => {
    const DEEP = 200_000;
    check(bytes(`{"apiVersion":"audit.k8s.io/v1","requestObject":${'['.repeat(DEEP)}${']'.repeat(DEEP)}}`), 'other');
    check(bytes(`{"a":${'{"b":'.repeat(DEEP)}1${'}'.repeat(DEEP)}}`), 'other');
    check(bytes('['.repeat(DEEP)), 'other');
  });
});
