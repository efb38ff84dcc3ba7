// Every real input shape seals, verifies and indexes with its columns; the same events wrapped in each export index the same.
import { test, before, after, describe } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { LOG_KEY, makeKey, type SignerKey } from '../../../shared/core/keys.ts';
import { nodeEd25519 } from '../../../electron/services/crypto.node.ts';
import { seal, type SealResult } from '../../../electron/services/seal.node.ts';
import { verifyArchive } from '../../../electron/services/verify.node.ts';
import { openCaseDatabase, type RunMeta } from '../../../electron/services/index/writer.node.ts';
import { countEvents, PRESETS } from '../../../electron/services/index/query.node.ts';
import { main } from '../../../electron/cli/main.ts';
import { isDocument } from '../../../electron/services/seal-shapes.node.ts';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const FIXTURES = join(ROOT, 'test/fixtures/formats');
const SAMPLES = join(ROOT, 'resources/samples');
const seed = new Uint8Array(32).fill(12);
const LOG: SignerKey = { ...makeKey('formats.example/audit', LOG_KEY, nodeEd25519.publicKeyFromSeed(seed)), seed };
const policy = { logKeys: [LOG], witnessKeys: [], quorum: 0, origin: null };
const run = (): RunMeta => ({ tool: 'sealcheck', toolVersion: 'test', startedAt: new Date().toISOString(), keys: [{ ...LOG, role: 'log', source: 'test' }], quorum: 0, expectedOrigin: null, anchors: [] });

let dir = '';
let dbPath = '';
let nextId = 1;
const sealed: Record<string, { result: SealResult; id: number; out: string }> = {};

async function sealAndIndex(name: string, inputs: string[]): Promise<void> {
  const out = join(dir, `${name}.archive`);
  const result = await seal({ key: LOG, origin: LOG.name, out, inputs });
  const report = await verifyArchive(out, { policy, index: { dbPath, run: run() } });
  assert.equal(report.verdict, 'verified', name);
  assert.deepEqual(report.findings, [], `${name}: no finding (no entry-not-json either)`);
  sealed[name] = { result, id: nextId++, out };
}

type Row = { kind: string; username: string | null; verb: string | null; resource: string | null; namespace: string | null; response_code: number | null; source_ip: string | null; time: string | null; time_us: number | null };
function rows(name: string): Row[] {
  const db = openCaseDatabase(dbPath, { readonly: true });
  try {
    return db
      .prepare('SELECT kind, username, verb, resource, namespace, response_code, source_ip, time, time_us FROM entries WHERE archive_id = ? ORDER BY idx')
      .all(sealed[name]!.id) as Row[];
  } finally {
    db.close();
  }
}
const key = (r: Row) => [r.kind, r.username, r.verb, r.resource, r.namespace, r.response_code, r.source_ip, r.time, r.time_us];

// The raw events every wrapped shape below carries: Falco's six real webhook events (no apiVersion).
const FALCO = readFileSync(join(FIXTURES, 'falco_k8s-audit_configmap-sensitive-values.jsonl'), 'utf8').split('\n').filter(Boolean);

/** Builds each export shape of the Falco events as its provider documents it (see test/unit/shared/formats/kubernetes-wrapped.test.ts for the references). */
function wrappedInputs(): Record<string, string> {
  const times = FALCO.map((l) => (JSON.parse(l) as { timestamp: string }).timestamp);
  const files: Record<string, [string, string | Buffer]> = {
    'aks-pretty': ['aks.json', JSON.stringify({ records: FALCO.map((l, i) => ({ category: 'kube-audit', operationName: 'Microsoft.ContainerService/managedClusters/diagnosticLogs/Read', properties: { log: `${l}\n`, pod: 'kube-apiserver-0', stream: 'stdout' }, time: times[i] })) }, null, 2)],
    'aks-pt1h-lines': ['PT1H.json', FALCO.map((l, i) => JSON.stringify({ category: 'kube-audit', properties: { log: `${l}\n` }, time: times[i] })).join('\n') + '\n'],
    'eks-filter-log-events': ['events.json', JSON.stringify({ events: FALCO.map((l, i) => ({ logStreamName: 'kube-apiserver-audit-1', timestamp: Date.parse(times[i]!), message: l, ingestionTime: Date.parse(times[i]!) + 800, eventId: `3701234567890123456789012345678901234567890123456789012${i}` })), searchedLogStreams: [] }, null, 4)],
    'eks-export-lines': ['000000.txt', FALCO.map((l, i) => `${times[i]!.replace(/\.\d+Z$/, '.000Z')} ${l}`).join('\n') + '\n'],
    'eks-firehose-gzip': ['firehose.gz', gzipSync(Buffer.from(JSON.stringify({ messageType: 'DATA_MESSAGE', owner: '123456789012', logGroup: '/aws/eks/prod/cluster', logStream: 'kube-apiserver-audit-1', subscriptionFilters: ['f'], logEvents: FALCO.map((l, i) => ({ id: `370${i}`, timestamp: Date.parse(times[i]!), message: l })) })))],
    'otlp': ['otlp.json', JSON.stringify({ resourceLogs: [{ resource: { attributes: [] }, scopeLogs: [{ scope: {}, logRecords: FALCO.map((l, i) => ({ timeUnixNano: `${BigInt(Date.parse(times[i]!)) * 1_000_000n}`, body: { stringValue: l } })) }] }] }, null, 2)],
    // must-gather: audit_logs/kube-apiserver/<node>-audit.log.gz, the apiserver's JSON lines gzipped per node.
    'must-gather-gzip': ['node-1-audit.log.gz', gzipSync(Buffer.from(FALCO.join('\n') + '\n'))],
    'webhook-eventlists': ['webhook.jsonl', `${JSON.stringify({ kind: 'EventList', apiVersion: 'audit.k8s.io/v1', metadata: {}, items: FALCO.slice(0, 4).map((l) => JSON.parse(l)) })}\n${JSON.stringify({ kind: 'EventList', apiVersion: 'audit.k8s.io/v1', metadata: {}, items: FALCO.slice(4).map((l) => JSON.parse(l)) })}\n`],
  };
  const paths: Record<string, string> = {};
  for (const [shape, [file, content]] of Object.entries(files)) {
    paths[shape] = join(dir, file);
    writeFileSync(paths[shape]!, content);
  }
  return paths;
}

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sealcheck-formats-'));
  dbPath = join(dir, 'case.sqlite');
  for (const f of [
    'crowdsec-hub_k8s-audit_pod-exec.jsonl', 'crowdsec-hub_k8s-audit_privileged-pod.jsonl', 'falco_k8s-audit_configmap-sensitive-values.jsonl',
    'sysdig-aks_eventhub-records_kube-audit.json', 'sysdig-aks_kube-audit-event_bom-pretty.json', 'openshift-clo_raw-audit_oauth-apiserver_pretty.json',
    'openshift-clo_viaq-forwarder_audit-openshift_pretty.json', 'openshift-clo_otlp-forwarder_audit-kube.json', 'crowdsec-hub_traefik_clf.log',
    'crowdsec-hub_nginx_malformed-requests.log', 'crowdsec-hub_auditd.log',
  ]) {
    await sealAndIndex(f, [join(FIXTURES, f)]);
  }
  for (const f of ['audit2rbac_demo.jsonl', 'ingress-nginx_beats-test.log', 'traefik_crowdsec-nikto.jsonl']) await sealAndIndex(f, [join(SAMPLES, f)]);
  for (const [shape, path] of Object.entries(wrappedInputs())) await sealAndIndex(shape, [path]);
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('every real file seals, verifies and indexes with columns', () => {
  test('entries, manifest kind and row kinds per file', () => {
    const got = Object.fromEntries(
      Object.entries(sealed)
        .filter(([n]) => n.includes('.'))
        .map(([n, s]) => [n, [s.result.entriesAdded, s.result.kind, [...new Set(rows(n).map((r) => r.kind))].join(',')]]),
    );
    assert.deepEqual(got, {
      'crowdsec-hub_k8s-audit_pod-exec.jsonl': [1, 'kubernetes-audit', 'kubernetes-audit'],
      'crowdsec-hub_k8s-audit_privileged-pod.jsonl': [1, 'kubernetes-audit', 'kubernetes-audit'],
      'falco_k8s-audit_configmap-sensitive-values.jsonl': [6, 'kubernetes-audit', 'kubernetes-audit'],
      'sysdig-aks_eventhub-records_kube-audit.json': [22, 'kubernetes-audit', 'kubernetes-audit'],
      'sysdig-aks_kube-audit-event_bom-pretty.json': [1, 'kubernetes-audit', 'kubernetes-audit'],
      'openshift-clo_raw-audit_oauth-apiserver_pretty.json': [1, 'kubernetes-audit', 'kubernetes-audit'],
      'openshift-clo_viaq-forwarder_audit-openshift_pretty.json': [1, 'openshift-audit', 'openshift-audit'],
      'openshift-clo_otlp-forwarder_audit-kube.json': [3, 'kubernetes-audit', 'kubernetes-audit'],
      'crowdsec-hub_traefik_clf.log': [7, 'other', 'traefik-access'],
      'crowdsec-hub_nginx_malformed-requests.log': [12, 'ingress-nginx', 'ingress-nginx'],
      'crowdsec-hub_auditd.log': [4, 'other', 'other'],
      'audit2rbac_demo.jsonl': [37, 'kubernetes-audit', 'kubernetes-audit'],
      'ingress-nginx_beats-test.log': [29, 'ingress-nginx', 'ingress-nginx'],
      'traefik_crowdsec-nikto.jsonl': [80, 'traefik-access', 'traefik-access'],
    });
  });

  test('indexed columns of wrapped and pretty-printed files (user, verb, resource, namespace, code, source IP, time)', () => {
    assert.deepEqual(key(rows('sysdig-aks_eventhub-records_kube-audit.json')[2]!), ['kubernetes-audit', 'aksService', 'create', 'configmaps', 'kube-system', 409, '172.31.9.219', '2020-05-05T16:16:37.699072Z', 1588695397699072]);
    assert.deepEqual(rows('openshift-clo_otlp-forwarder_audit-kube.json').map(key)[2], ['kubernetes-audit', 'system:apiserver', 'get', 'endpoints', 'default', 200, '::1', '2024-12-19T19:19:54.974692Z', 1734635994974692]);
    assert.deepEqual(key(rows('openshift-clo_viaq-forwarder_audit-openshift_pretty.json')[0]!), ['openshift-audit', 'system:apiserver', 'get', 'oauthaccesstokens', null, 200, '::1', '2023-10-18T17:34:31.808985Z', 1697650471808985]);
    assert.deepEqual(key(rows('sysdig-aks_kube-audit-event_bom-pretty.json')[0]!), ['kubernetes-audit', 'system:serviceaccount:kube-system:daemon-set-controller', 'update', 'controllerrevisions', 'kube-system', 200, '172.31.9.19', '2020-05-08T22:32:45.314027Z', 1588977165314027]);
    assert.deepEqual(key(rows('openshift-clo_raw-audit_oauth-apiserver_pretty.json')[0]!), ['kubernetes-audit', 'system:anonymous', 'head', null, null, 403, '10.131.0.5', '2024-07-02T17:03:43.017443Z', 1719939823017443]);
    assert.deepEqual(key(rows('falco_k8s-audit_configmap-sensitive-values.jsonl')[5]!), ['kubernetes-audit', 'minikube-user', 'create', 'configmaps', 'default', 201, '192.168.99.1', '2018-10-26T09:52:32.985422Z', 1540547552985422]);
    assert.deepEqual(key(rows('crowdsec-hub_traefik_clf.log')[5]!), ['traefik-access', null, null, null, null, null, '172.17.1.2', '24/Nov/2024:13:38:04 +0000', 1732455484000000]);
  });

  test('an AKS export is sealed record by record, each entry the exact bytes of its records[] element', () => {
    const doc = readFileSync(join(FIXTURES, 'sysdig-aks_eventhub-records_kube-audit.json'));
    const segment = readFileSync(join(sealed['sysdig-aks_eventhub-records_kube-audit.json']!.out, 'segments/000000000000.jsonl'));
    const entries = segment.toString('utf8').split('\n').slice(0, -1);
    assert.equal(entries.length, 22);
    let at = 0;
    for (const e of entries) {
      const found = doc.indexOf(Buffer.from(e), at);
      assert.ok(found > at, 'each entry is found in the document, in order');
      at = found + e.length;
    }
  });

  test('what seal says about each input', () => {
    const aks = sealed['sysdig-aks_eventhub-records_kube-audit.json']!.result;
    assert.deepEqual(aks.notes, [
      `${join(FIXTURES, 'sysdig-aks_eventhub-records_kube-audit.json')}: a JSON document, 22 records in records[] (Azure diagnostic settings export: AKS kube-audit): one entry per record, its bytes as in the file`,
      `${join(FIXTURES, 'sysdig-aks_eventhub-records_kube-audit.json')}: 36 bytes outside the records (the wrapper's other members, brackets, whitespace) are not in any entry: keep the original file`,
      `${join(FIXTURES, 'sysdig-aks_eventhub-records_kube-audit.json')}: ends without a newline (no entry is affected: entries are records)`,
    ]);
    assert.deepEqual(aks.warnings, []);
    const bom = sealed['sysdig-aks_kube-audit-event_bom-pretty.json']!.result;
    assert.ok(bom.notes.some((n) => n.endsWith('starts with a UTF-8 byte order mark, which is outside every record and not sealed')));
    assert.deepEqual(bom.warnings.map((w) => w.slice(w.indexOf(': ') + 2, w.indexOf(';'))), ['1 record spanned several lines (pretty-printed)']);
    assert.deepEqual(sealed['crowdsec-hub_auditd.log']!.result.warnings, [
      `${join(FIXTURES, 'crowdsec-hub_auditd.log')}: not a recognised log format (none of its first 4 lines is an audit event or access line); sealed line by line as other`,
    ]);
    assert.deepEqual(sealed['falco_k8s-audit_configmap-sensitive-values.jsonl']!.result.warnings, []);
  });

  test('a file that looks like JSON but is not is sealed line by line, with a warning naming it', async () => {
    const bad = join(dir, 'broken.json');
    writeFileSync(bad, '{"records": [\n{"a": 1},\n');
    const out = join(dir, 'broken.archive');
    const r = await seal({ key: LOG, origin: LOG.name, out, inputs: [bad] });
    assert.equal(r.entriesAdded, 2);
    assert.equal(r.kind, 'other');
    assert.deepEqual(r.warnings, [
      `${bad}: looks like a JSON document but is not valid JSON (the input ends inside a JSON value, at byte 24); sealed line by line as it is`,
      `${bad}: not a recognised log format (none of its first 2 lines is an audit event or access line); sealed line by line as other`,
    ]);
    assert.equal((await verifyArchive(out, { policy })).verdict, 'verified');
  });
});

describe('the same events in every export shape', () => {
  const SHAPES = ['aks-pretty', 'aks-pt1h-lines', 'eks-filter-log-events', 'eks-export-lines', 'eks-firehose-gzip', 'otlp', 'must-gather-gzip', 'webhook-eventlists'];

  test('index to the same rows as the raw events', () => {
    const want = rows('falco_k8s-audit_configmap-sensitive-values.jsonl').map(key);
    assert.equal(want.length, 6);
    for (const shape of SHAPES) {
      assert.equal(sealed[shape]!.result.entriesAdded, 6, shape);
      assert.deepEqual(rows(shape).map(key), want, shape);
    }
    // A CloudWatch export line is text, so its archive is `other`; every other shape holds JSON records.
    assert.deepEqual(SHAPES.map((s) => sealed[s]!.result.kind), ['kubernetes-audit', 'kubernetes-audit', 'kubernetes-audit', 'other', 'kubernetes-audit', 'kubernetes-audit', 'kubernetes-audit', 'kubernetes-audit']);
  });

  test('give the same preset answers', () => {
    const db = openCaseDatabase(dbPath, { readonly: true });
    try {
      const answers = (name: string) => PRESETS.filter((p) => p !== 'service-account').map((preset) => countEvents(db, { archiveId: sealed[name]!.id, preset }));
      const raw = answers('falco_k8s-audit_configmap-sensitive-values.jsonl');
      for (const shape of SHAPES) assert.deepEqual(answers(shape), raw, shape);
      // And on real data with answers: audit2rbac's demo has 11 denials.
      assert.equal(countEvents(db, { archiveId: sealed['audit2rbac_demo.jsonl']!.id, preset: 'denied' }), 11);
      assert.equal(countEvents(db, { archiveId: sealed['openshift-clo_raw-audit_oauth-apiserver_pretty.json']!.id, preset: 'anonymous' }), 1);
      assert.equal(countEvents(db, { archiveId: sealed['crowdsec-hub_k8s-audit_pod-exec.jsonl']!.id, preset: 'exec' }), 1);
    } finally {
      db.close();
    }
  });
});

test('sealcheck seal --kind auto says what it found in each input, and warns on stderr naming the file', async () => {
  const out: string[] = [];
  const err: string[] = [];
  const io = { stdout: (t: string) => void out.push(t), stderr: (t: string) => void err.push(t), stderrIsTty: false };
  assert.equal(await main(['keygen', '--name', 'cli.example/log', '--out', join(dir, 'cli')], io), 0);
  const otlp = join(FIXTURES, 'openshift-clo_otlp-forwarder_audit-kube.json');
  const auditd = join(FIXTURES, 'crowdsec-hub_auditd.log');
  out.length = 0;
  const code = await main(['seal', '--key', join(dir, 'cli.key'), '--origin', 'cli.example/log', '--out', join(dir, 'cli.archive'), '--kind', 'auto', otlp, auditd], io);
  assert.equal(code, 0, err.join(''));
  const text = out.join('');
  assert.match(text, /^sealed 7 entries \(other\) into /);
  assert.ok(text.includes(`  ${otlp}: a JSON document, 3 records in OTLP/JSON logRecords (OpenTelemetry / OpenShift log forwarder): one entry per record, its bytes as in the file\n`));
  assert.deepEqual(err, [
    `warning: ${otlp}: 3 records spanned several lines (pretty-printed); an entry holds no LF (spec §2), so the line breaks and indentation between JSON tokens were left out of those entries, every token's bytes are as in the file\n`,
    `warning: ${auditd}: not a recognised log format (none of its first 4 lines is an audit event or access line); sealed line by line as other\n`,
  ]);
  assert.equal(await main(['seal', '--key', join(dir, 'cli.key'), '--origin', 'cli.example/log', '--out', join(dir, 'cli2.archive'), '--kind', 'nginx', auditd], io), 2);
});

test('which inputs are documents to split and which are logs of lines', () => {
  const doc = (s: string) => isDocument(new TextEncoder().encode(s));
  assert.deepEqual(
    [
      '{"kind":"Event","apiVersion":"audit.k8s.io/v1"}\n{"kind":"Event"}\n',
      '{\n  "kind": "Event"\n}',
      '\ufeff{"a":1}\n',
      '[\n  {"a": 1}\n]',
      ' []',
      '{"records":[{"a":1}]}',
      '{"kind":"EventList","items":[]}\n',
      '{"properties":{"log":"x"}}\n',
      '[2016-04-15T20:17:00.310Z] "POST /api/v1/locations HTTP/2" 204 - 154 0 226 100 "10.0.35.28" "nsq2http" "c" "locations" "tcp://10.0.2.1:80"\n',
      '1.2.3.4 - - [29/Jul/2023:10:26:06 -0700] "HELP" 400 157 "-" "-"\n',
      '',
    ].map(doc),
    [false, true, true, true, true, true, true, false, false, false, false],
  );
});
