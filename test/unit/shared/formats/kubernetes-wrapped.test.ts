// Audit events inside exports and forwarder records index with the same columns as the raw event; GKE LogEntry maps onto them.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { parseEvent } from '../../../../shared/core/parse-event.ts';
import type { EventFields } from '../../../../shared/core/event-row.ts';
import { splitRecords } from '../../../../shared/core/formats/record-split.ts';
import { unwrapAuditRecord } from '../../../../shared/core/formats/kubernetes-wrapped.ts';
import { rpcCodeToHttp, splitMethodName, splitResourceName } from '../../../../shared/core/formats/gke.ts';

const FIXTURES = new URL('../../../fixtures/formats/', import.meta.url);
const SAMPLES = new URL('../../../../resources/samples/', import.meta.url);
const read = (url: URL) => new Uint8Array(readFileSync(url));
const bytes = (s: string) => new TextEncoder().encode(s);
const text = (b: Uint8Array) => new TextDecoder().decode(b);

function lines(b: Uint8Array): Uint8Array[] {
  const out: Uint8Array[] = [];
  let s = 0;
  for (let i = 0; i <= b.length; i++) {
    if (i === b.length || b[i] === 0x0a) {
      if (i > s) out.push(b.subarray(s, i));
      s = i + 1;
    }
  }
  return out;
}

/** The columns an examiner filters on, in the order of the issue: user, verb, resource, namespace, code, source IP, time. */
function cols(f: EventFields): unknown[] {
  return [f.kind, f.username, f.verb, f.resource, f.namespace, f.responseCode, f.sourceIp, f.time, f.timeUs];
}

const rowsOf = (records: Uint8Array[]) => records.map((r) => cols(parseEvent(r, 'other')));
const docRecords = (name: string) => splitRecords(read(new URL(name, FIXTURES))).records.map((r) => r.bytes);

describe('real files, exact columns', () => {
  test('Falco webhook capture without apiVersion: 6 events', () => {
    const rows = rowsOf(lines(read(new URL('falco_k8s-audit_configmap-sensitive-values.jsonl', FIXTURES))));
    const times = ['09:51:20.713631', '09:51:35.560447', '09:51:53.345483', '09:52:07.604912', '09:52:20.656719', '09:52:32.985422'];
    assert.deepEqual(
      rows.map((r) => r.slice(0, 8)),
      times.map((t) => ['kubernetes-audit', 'minikube-user', 'create', 'configmaps', 'default', 201, '192.168.99.1', `2018-10-26T${t}Z`]),
    );
    assert.equal(rows[0]![8], 1540547480713631);
  });

  test('CrowdSec hub: kubectl exec (101) and a privileged pod (201)', () => {
    const exec = parseEvent(read(new URL('crowdsec-hub_k8s-audit_pod-exec.jsonl', FIXTURES)), 'other');
    assert.deepEqual([...cols(exec), exec.subresource], ['kubernetes-audit', 'minikube-user', 'create', 'pods', 'foo', 101, '192.168.49.1', '2023-05-17T15:08:22.763960Z', 1684336102763960, 'exec']);
    const pod = parseEvent(lines(read(new URL('crowdsec-hub_k8s-audit_privileged-pod.jsonl', FIXTURES)))[0]!, 'other');
    assert.deepEqual(cols(pod), ['kubernetes-audit', 'minikube-user', 'create', 'pods', 'foo', 201, '192.168.49.1', '2023-05-17T13:59:57.756152Z', 1684331997756152]);
  });

  test('AKS Event Hubs export: 22 records, the counts the data README gives', () => {
    const rows = docRecords('sysdig-aks_eventhub-records_kube-audit.json').map((r) => parseEvent(r, 'other'));
    assert.equal(rows.length, 22);
    const count = (key: keyof EventFields) => {
      const n: Record<string, number> = {};
      for (const r of rows) n[String(r[key])] = (n[String(r[key])] ?? 0) + 1;
      return n;
    };
    assert.deepEqual(count('verb'), { get: 17, create: 1, watch: 4 });
    assert.deepEqual(count('username'), { 'system:serviceaccount:kube-system:resourcequota-controller': 7, aksService: 11, nodeclient: 4 });
    assert.deepEqual(count('responseCode'), { 200: 20, 409: 1, 304: 1 });
    assert.deepEqual(count('level'), { Metadata: 12, Request: 10 });
    assert.deepEqual(count('stage'), { ResponseComplete: 20, ResponseStarted: 2 });
    assert.deepEqual(cols(rows[2]!), ['kubernetes-audit', 'aksService', 'create', 'configmaps', 'kube-system', 409, '172.31.9.219', '2020-05-05T16:16:37.699072Z', 1588695397699072]);
    assert.equal(rows[2]!.name, 'coredns-custom');
    assert.deepEqual(cols(rows[14]!), ['kubernetes-audit', 'aksService', 'get', 'clusterrolebindings', null, 200, '172.31.9.219', '2020-05-05T16:16:38.279927Z', 1588695398279927]);
    assert.equal(rows[14]!.apiGroup, 'rbac.authorization.k8s.io');
  });

  test('AKS event with a BOM, pretty-printed', () => {
    const [r, ...rest] = docRecords('sysdig-aks_kube-audit-event_bom-pretty.json');
    assert.equal(rest.length, 0);
    const f = parseEvent(r!, 'other');
    assert.deepEqual(cols(f), ['kubernetes-audit', 'system:serviceaccount:kube-system:daemon-set-controller', 'update', 'controllerrevisions', 'kube-system', 200, '172.31.9.19', '2020-05-08T22:32:45.314027Z', 1588977165314027]);
    assert.deepEqual([f.level, f.apiGroup, f.name, f.hasRequestBody, f.hasResponseBody], ['RequestResponse', 'apps', 'kube-proxy-56987cf666', true, true]);
  });

  test('OpenShift OTLP forwarder: 3 events from body.stringValue', () => {
    const rows = docRecords('openshift-clo_otlp-forwarder_audit-kube.json').map((r) => parseEvent(r, 'other'));
    assert.deepEqual(rows.map(cols), [
      ['kubernetes-audit', 'system:multus:ip-10-0-74-191.ec2.internal', 'watch', 'network-attachment-definitions', null, 200, '10.0.33.68', '2024-12-19T19:19:54.793861Z', 1734635994793861],
      ['kubernetes-audit', 'system:serviceaccount:openshift-cluster-csi-drivers:aws-ebs-csi-driver-controller-sa', 'get', 'leases', 'openshift-cluster-csi-drivers', 200, '10.130.0.12', '2024-12-19T19:19:54.824255Z', 1734635994824255],
      ['kubernetes-audit', 'system:apiserver', 'get', 'endpoints', 'default', 200, '::1', '2024-12-19T19:19:54.974692Z', 1734635994974692],
    ]);
    assert.deepEqual(rows.map((r) => r.stage), ['ResponseStarted', 'ResponseComplete', 'ResponseComplete']);
    // Under an openshift-audit manifest the same entries are OpenShift rows.
    assert.equal(parseEvent(docRecords('openshift-clo_otlp-forwarder_audit-kube.json')[0]!, 'openshift-audit').kind, 'openshift-audit');
  });

  test('OpenShift ViaQ: the audit level comes from openshift_audit_level, not the overwritten level', () => {
    const [r] = docRecords('openshift-clo_viaq-forwarder_audit-openshift_pretty.json');
    const f = parseEvent(r!, 'kubernetes-audit');
    assert.deepEqual(cols(f), ['openshift-audit', 'system:apiserver', 'get', 'oauthaccesstokens', null, 200, '::1', '2023-10-18T17:34:31.808985Z', 1697650471808985]);
    assert.equal(f.level, 'Metadata');
    assert.equal(f.apiGroup, 'oauth.openshift.io');
  });

  test('OpenShift oauth-apiserver, pretty-printed: anonymous HEAD / denied', () => {
    const [r] = docRecords('openshift-clo_raw-audit_oauth-apiserver_pretty.json');
    const f = parseEvent(r!, 'other');
    assert.deepEqual(cols(f), ['kubernetes-audit', 'system:anonymous', 'head', null, null, 403, '10.131.0.5', '2024-07-02T17:03:43.017443Z', 1719939823017443]);
    assert.equal(f.decision, 'forbid');
    assert.equal(f.groups, '["system:unauthenticated"]');
  });

  test('auditd lines stay other, with no columns', () => {
    for (const l of lines(read(new URL('crowdsec-hub_auditd.log', FIXTURES)))) {
      assert.deepEqual(cols(parseEvent(l, 'kubernetes-audit')), ['other', null, null, null, null, null, null, null, null]);
    }
  });
});

// Raw events wrapped in every export shape, as each provider documents it:
// - AKS: Azure Monitor diagnostic settings, resource logs schema, `properties.log` holds the line
//   (https://learn.microsoft.com/azure/aks/monitor-aks-reference, category kube-audit); the
//   real sysdig-aks sample above shows the line keeps its trailing "\n".
// - EKS: CloudWatch Logs FilterLogEvents response `events[]` {logStreamName, timestamp, message,
//   ingestionTime, eventId} (https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_FilteredLogEvent.html),
//   subscription filter payload `DATA_MESSAGE` with `logEvents[]` {id, timestamp, message}
//   (https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/SubscriptionFilters.html), and
//   export-to-S3 lines "<ISO time> <message>" (https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/S3Export.html).
// - OTLP/JSON logRecord with body.stringValue (https://opentelemetry.io/docs/specs/otlp/#json-protobuf-encoding),
//   as in the real OpenShift sample above.
// - Audit webhook EventList (audit.k8s.io/v1, https://kubernetes.io/docs/tasks/debug/debug-cluster/audit/#webhook-backend).
// - Docker json-file / fluent-bit records {"log": line, "stream", "time"}.
function wrappings(raw: string): [string, string][] {
  const ev = JSON.parse(raw) as { requestReceivedTimestamp?: string; timestamp?: string };
  const time = ev.requestReceivedTimestamp ?? ev.timestamp ?? '2020-01-01T00:00:00Z';
  const ms = Date.parse(time);
  const line = JSON.stringify(raw);
  return [
    ['aks', `{"records": [{ "operationName": "Microsoft.ContainerService/managedClusters/diagnosticLogs/Read", "category": "kube-audit", "properties": {"log":${JSON.stringify(raw + '\n')},"stream":"stdout","pod":"kube-apiserver-0"}, "time": "${time}"}]}`],
    ['eks-filter-log-events', `{"events":[{"logStreamName":"kube-apiserver-audit-0123456789abcdef","timestamp":${ms},"message":${line},"ingestionTime":${ms + 900},"eventId":"37012345678901234567890123456789012345678901234567890123"}],"searchedLogStreams":[]}`],
    ['eks-firehose', `{"messageType":"DATA_MESSAGE","owner":"123456789012","logGroup":"/aws/eks/prod/cluster","logStream":"kube-apiserver-audit-0123456789abcdef","subscriptionFilters":["to-firehose"],"logEvents":[{"id":"37012345678901234567890123456789012345678901234567890123","timestamp":${ms},"message":${line}}]}`],
    ['otlp', `{"resourceLogs":[{"resource":{"attributes":[]},"scopeLogs":[{"scope":{},"logRecords":[{"timeUnixNano":"${BigInt(ms) * 1_000_000n}","body":{"stringValue":${line}},"attributes":[]}]}]}]}`],
    ['event-list', `{"kind":"EventList","apiVersion":"audit.k8s.io/v1","metadata":{},"items":[${raw}]}`],
    ['docker-json', `{"log":${JSON.stringify(raw + '\n')},"stream":"stdout","time":"${time}"}`],
  ];
}

describe('the same events, raw or wrapped', () => {
  const RAW = [
    ...lines(read(new URL('falco_k8s-audit_configmap-sensitive-values.jsonl', FIXTURES))),
    ...lines(read(new URL('crowdsec-hub_k8s-audit_pod-exec.jsonl', FIXTURES))),
    ...lines(read(new URL('crowdsec-hub_k8s-audit_privileged-pod.jsonl', FIXTURES))),
    ...lines(read(new URL('audit2rbac_demo.jsonl', SAMPLES))),
    ...lines(read(new URL('openshift-clo_audit_in.jsonl', SAMPLES))).slice(0, 40),
    ...lines(read(new URL('immudb-log-audit_k8s.jsonl', SAMPLES))).filter((_, i) => i % 50 === 0),
  ];

  test('every export shape, sealed as the splitter cuts it, gives the raw event’s row', () => {
    assert.equal(RAW.length, 145);
    for (const [i, raw] of RAW.entries()) {
      const want = parseEvent(raw, 'kubernetes-audit');
      for (const [shape, doc] of wrappings(text(raw))) {
        const records = splitRecords(bytes(doc)).records;
        assert.equal(records.length, 1, `${shape} of event ${i}`);
        assert.deepEqual(parseEvent(records[0]!.bytes, 'kubernetes-audit'), want, `${shape} of event ${i}`);
      }
      // The whole (unsplit) EventList of one, and a CloudWatch export line (text, so json is false).
      assert.deepEqual(parseEvent(bytes(wrappings(text(raw))[4]![1]), 'kubernetes-audit'), want);
      const exportLine = parseEvent(bytes(`2023-03-10T12:00:00.000Z ${text(raw)}`), 'other');
      assert.deepEqual(exportLine, { ...want, json: false });
    }
  });

  test('the presets’ columns read the same (secrets, rbac, exec, impersonation, denied, anonymous, deletions)', () => {
    const preset = (f: EventFields) => [f.resource, f.subresource, f.verb, f.impersonatedUser, f.responseCode, f.decision, f.username, f.groups];
    let denied = 0;
    for (const raw of RAW) {
      const want = preset(parseEvent(raw, 'other'));
      if (want[4] === 403) denied++;
      for (const [shape, doc] of wrappings(text(raw))) assert.deepEqual(preset(parseEvent(splitRecords(bytes(doc)).records[0]!.bytes, 'other')), want, shape);
    }
    // 11 in audit2rbac's demo, 2 in the first 40 OpenShift events.
    assert.equal(denied, 13);
  });

  test('an EventList of several is not one event: no columns are invented for it', () => {
    const list = `{"kind":"EventList","apiVersion":"audit.k8s.io/v1","items":[${text(RAW[0]!)},${text(RAW[1]!)}]}`;
    const f = parseEvent(bytes(list), 'other');
    assert.deepEqual(cols(f), ['kubernetes-audit', null, null, null, null, null, null, null, null]);
  });

  test('a wrapper whose inner text is not an audit event is other', () => {
    for (const s of ['{"properties":{"log":"{\\"msg\\":\\"hi\\"}"}}', '{"message":"GET / 200"}', '{"body":{"stringValue":"{"}}', '{"log":"plain text"}', '{"message":"{\\"kind\\":\\"Event\\",\\"apiVersion\\":\\"v1\\"}"}']) {
      assert.equal(parseEvent(bytes(s), 'kubernetes-audit').kind, 'other', s);
      assert.equal(unwrapAuditRecord(JSON.parse(s)), null, s);
    }
  });

  test('the inner event text is kept exactly for display (large numbers, non-ASCII)', () => {
    const inner = '{"kind":"Event","apiVersion":"audit.k8s.io/v1","auditID":"a","verb":"get","requestURI":"/µ","user":{"username":"jürgen"},"x":12345678901234567890}';
    const u = unwrapAuditRecord({ message: inner });
    assert.equal(u?.via, 'cloudwatch');
    assert.equal(u?.innerText, inner);
    assert.equal(parseEvent(bytes(JSON.stringify({ message: inner })), 'other').username, 'jürgen');
  });
});

describe('GKE Cloud Logging LogEntry (protoPayload AuditLog)', () => {
  // Field names from the Cloud Audit Logs AuditLog type
  // (https://cloud.google.com/logging/docs/reference/audit/auditlog/rest/Shared.Types/AuditLog) and
  // GKE's Kubernetes audit entries (https://cloud.google.com/kubernetes-engine/docs/how-to/audit-logging):
  // serviceName k8s.io, methodName io.k8s.<group>.<version>.<resource>[.<subresource>].<verb>,
  // resourceName <group>/<version>/namespaces/<ns>/<resource>/<name>, operation.id = auditID.
  const entry = (protoPayload: object) =>
    JSON.stringify({
      insertId: 'b2c2e792-aaa9-4422-82d0-de32940b1234@a1',
      logName: 'projects/p/logs/cloudaudit.googleapis.com%2Fdata_access',
      operation: { first: true, id: 'b2c2e792-aaa9-4422-82d0-de32940b1234', last: true, producer: 'k8s.io' },
      protoPayload: { '@type': 'type.googleapis.com/google.cloud.audit.AuditLog', serviceName: 'k8s.io', ...protoPayload },
      receiveTimestamp: '2020-08-17T17:09:19.068723691Z',
      resource: { labels: { cluster_name: 'c', location: 'us-central1-c', project_id: 'p' }, type: 'k8s_cluster' },
      timestamp: '2020-08-17T17:09:05.043988Z',
    });

  test('a secret read maps onto the raw columns', () => {
    const f = parseEvent(
      bytes(entry({
        authenticationInfo: { principalEmail: 'alice@example.com' },
        authorizationInfo: [{ granted: true, permission: 'io.k8s.core.v1.secrets.get', resource: 'core/v1/namespaces/default/secrets/db' }],
        methodName: 'io.k8s.core.v1.secrets.get',
        requestMetadata: { callerIp: '35.195.195.195', callerSuppliedUserAgent: 'kubectl/v1.18.6 (linux/amd64) kubernetes/dff82dc' },
        resourceName: 'core/v1/namespaces/default/secrets/db',
        status: {},
      })),
      'other',
    );
    assert.deepEqual(cols(f), ['kubernetes-audit', 'alice@example.com', 'get', 'secrets', 'default', 200, '35.195.195.195', '2020-08-17T17:09:05.043988Z', 1597684145043988]);
    assert.deepEqual([f.apiGroup, f.apiVersion, f.name, f.auditId, f.decision, f.userAgent, f.stage, f.level], [null, 'v1', 'db', 'b2c2e792-aaa9-4422-82d0-de32940b1234', 'allow', 'kubectl/v1.18.6 (linux/amd64) kubernetes/dff82dc', null, null]);
  });

  test('exec into a pod, denied (code 7 → 403, no granted member)', () => {
    const f = parseEvent(
      bytes(entry({
        authenticationInfo: { principalEmail: 'system:anonymous' },
        authorizationInfo: [{ permission: 'io.k8s.core.v1.pods.exec.create', resource: 'core/v1/namespaces/prod/pods/api-0/exec' }],
        methodName: 'io.k8s.core.v1.pods.exec.create',
        requestMetadata: { callerIp: '203.0.113.9' },
        resourceName: 'core/v1/namespaces/prod/pods/api-0/exec',
        response: { code: 403, reason: 'Forbidden', status: 'Failure' },
        status: { code: 7, message: 'pods "api-0" is forbidden' },
      })),
      'other',
    );
    assert.deepEqual([f.verb, f.resource, f.subresource, f.namespace, f.name, f.responseCode, f.responseReason, f.decision], ['create', 'pods', 'exec', 'prod', 'api-0', 403, 'Forbidden', 'forbid']);
  });

  test('method and resource names, and the google.rpc.Code table', () => {
    assert.deepEqual(splitMethodName('io.k8s.authorization.rbac.v1.clusterrolebindings.create'), { version: 'v1', resource: 'clusterrolebindings', subresource: null, verb: 'create' });
    assert.deepEqual(splitMethodName('io.k8s.apps.v1beta2.deployments.scale.patch'), { version: 'v1beta2', resource: 'deployments', subresource: 'scale', verb: 'patch' });
    assert.equal(splitMethodName('google.container.v1.ClusterManager.GetCluster.x.y.z'), null);
    assert.deepEqual(splitResourceName('rbac.authorization.k8s.io/v1/clusterroles/admin'), { apiGroup: 'rbac.authorization.k8s.io', apiVersion: 'v1', namespace: null, resource: 'clusterroles', name: 'admin', subresource: null });
    assert.deepEqual(splitResourceName('core/v1/namespaces/kube-system'), { apiGroup: null, apiVersion: 'v1', namespace: null, resource: 'namespaces', name: 'kube-system', subresource: null });
    assert.deepEqual(splitResourceName('core/v1/namespaces/default/pods'), { apiGroup: null, apiVersion: 'v1', namespace: 'default', resource: 'pods', name: null, subresource: null });
    assert.deepEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, -1].map(rpcCodeToHttp), [200, 499, 500, 400, 504, 404, 409, 403, 429, 400, 409, 400, 501, 500, 503, 500, 401, null, null]);
  });

  test('a LogEntry of another service is not a Kubernetes event', () => {
    const f = parseEvent(bytes(entry({ serviceName: 'container.googleapis.com', methodName: 'google.container.v1.ClusterManager.GetCluster' })), 'other');
    assert.equal(f.kind, 'other');
  });
});
