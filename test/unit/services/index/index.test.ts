// The forensic index on the real samples: migrations, exact rows, presets against an independent filter, raw bytes, crash safety.
import { test, before, after, describe } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cpSync, readFileSync, readdirSync, statSync, writeFileSync, existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import fc from 'fast-check';
import { LOG_KEY, makeKey, type SignerKey } from '../../../../shared/core/keys.ts';
import { nodeEd25519 } from '../../../../electron/services/crypto.node.ts';
import { seal } from '../../../../electron/services/seal.node.ts';
import { verifyArchive } from '../../../../electron/services/verify.node.ts';
import { MIGRATIONS, migrate } from '../../../../electron/services/index/migrations.node.ts';
import { computeAggregates } from '../../../../electron/services/index/aggregates.node.ts';
import { microsText, microsTextSql, packUuid, uuidTextSql } from '../../../../electron/services/index/columns.node.ts';
import { detectSensitive } from '../../../../shared/core/sensitive.ts';
import { openCaseDatabase, type RunMeta } from '../../../../electron/services/index/writer.node.ts';
import { countEvents, listEvents, histogram, topValues, PRESETS, type EventFilter } from '../../../../electron/services/index/query.node.ts';
import { EvidenceReader } from '../../../../electron/services/index/raw-entry.node.ts';

const ROOT = fileURLToPath(new URL('../../../../', import.meta.url));
const SAMPLES = join(ROOT, 'resources/samples');
const seed = new Uint8Array(32).fill(9);
const LOG: SignerKey = { ...makeKey('case.example/audit', LOG_KEY, nodeEd25519.publicKeyFromSeed(seed)), seed };
const policy = { logKeys: [LOG], witnessKeys: [], quorum: 0, origin: null };
const run = (): RunMeta => ({ tool: 'sealcheck', toolVersion: 'test', startedAt: new Date().toISOString(), keys: [{ ...LOG, role: 'log', source: 'test' }], quorum: 0, expectedOrigin: null, anchors: [] });

let dir = '';
let dbPath = '';
const archives: Record<string, { path: string; id: number }> = {};
const FILES = ['immudb-log-audit_k8s.jsonl', 'openshift-clo_audit_in.jsonl', 'audit2rbac_demo.jsonl', 'ingress-nginx_beats-test.log', 'traefik_crowdsec-nikto.jsonl'];

function treeHash(path: string): string {
  const h = createHash('sha256');
  const walk = (p: string) => {
    for (const n of readdirSync(p).sort()) {
      const q = join(p, n);
      if (statSync(q).isDirectory()) walk(q);
      else h.update(`${n}:`).update(readFileSync(q));
    }
  };
  if (statSync(path).isDirectory()) walk(path);
  else h.update(readFileSync(path));
  return h.digest('hex');
}

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sealcheck-index-'));
  dbPath = join(dir, 'case.sqlite');
  const containers = ['', '.tar.gz', '.tar', '', ''];
  for (const [i, f] of FILES.entries()) {
    const out = join(dir, `${f}${containers[i]}`);
    await seal({ key: LOG, origin: LOG.name, out, inputs: [join(SAMPLES, f)], segmentEntries: 1000, gzip: i === 2 });
    const before = treeHash(out);
    const report = await verifyArchive(out, { policy, index: { dbPath, run: run() } });
    assert.equal(report.verdict, 'verified');
    assert.equal(treeHash(out), before, 'the evidence bytes are identical after indexing');
    archives[f] = { path: out, id: i + 1 };
  }
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** An independent reading of the raw sample lines, to check the index against. */
function rawEvents(file: string): Record<string, any>[] {
  return readFileSync(join(SAMPLES, file), 'utf8').split('\n').filter((l) => l !== '').map((l) => JSON.parse(l));
}

describe('migrations', () => {
  for (const m of MIGRATIONS) {
    test(`migration ${m.version} (${m.name}) applies once, in order, and creates its objects`, () => {
      const db = new Database(':memory:');
      for (const earlier of MIGRATIONS.filter((x) => x.version < m.version)) db.exec(earlier.sql);
      db.exec('CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)');
      for (const earlier of MIGRATIONS.filter((x) => x.version < m.version)) db.prepare('INSERT INTO schema_migrations VALUES (?, ?, ?)').run(earlier.version, earlier.name, 'x');
      const objects = () => new Set((db.prepare("SELECT name FROM sqlite_master WHERE name NOT LIKE 'sqlite_%'").all() as { name: string }[]).map((r) => r.name));
      const before = objects();
      assert.deepEqual(migrate(db), MIGRATIONS.filter((x) => x.version >= m.version).map((x) => x.version));
      const created = [...objects()].filter((n) => !before.has(n));
      const expected: Record<number, string[]> = {
        1: ['archives', 'segments', 'keys', 'runs', 'run_keys', 'anchors', 'checkpoints', 'checkpoints_cover', 'signatures', 'findings', 'findings_entry'],
        // Version 4 replaces version 2's entries table by a view of the same name, and its FTS table by strings_fts.
        2: ['entries'],
        3: ['entries_time', 'entries_user', 'entries_verb', 'entries_resource', 'entries_namespace', 'entries_code'],
        4: ['strings', 'entry_rows', 'strings_fts'],
        5: ['value_counts', 'preset_counts', 'time_counts'],
        // Version 6 adds columns and re-creates the entries view under its own name.
        6: [],
        7: ['audit_policies', 'time_gaps'],
        8: ['entries_uri', 'entries_name', 'entries_agent'],
      };
      for (const name of expected[m.version]!) assert.ok(created.includes(name), `${name} created by migration ${m.version}`);
      assert.deepEqual(migrate(db), [], 'a second run applies nothing');
      db.close();
    });
  }
});

test('migration 4 moves version 3 entries into dictionary-encoded rows: the entries view reads back exactly what was stored', () => {
  const db = new Database(':memory:');
  db.exec('CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)');
  for (const m of MIGRATIONS.filter((x) => x.version <= 3)) {
    db.exec(m.sql);
    db.prepare('INSERT INTO schema_migrations VALUES (?, ?, ?)').run(m.version, m.name, 'x');
  }
  const leaf = Buffer.alloc(32, 7);
  const old = [
    { eid: 2 ** 36 + 5, archive_id: 1, idx: 5, segment_seq: 0, offset: 10, length: 20, leaf, kind: 'kubernetes-audit', audit_id: 'a-1', stage: 'ResponseComplete', verb: 'get', request_uri: '/api/v1/namespaces/kube-system/pods', username: 'admin', groups: '["system:masters"]', namespace: 'kube-system', response_code: 200, time: '2024-01-01T00:00:00Z', time_us: 1704067200000000, has_request_body: 0, has_response_body: 1, user_agent: '' },
    { eid: 2 ** 36 + 6, archive_id: 1, idx: 6, segment_seq: 0, offset: 31, length: 9, leaf, kind: 'other', has_request_body: 0, has_response_body: 0 },
    { eid: 2 * 2 ** 36, archive_id: 2, idx: 0, segment_seq: 0, offset: 0, length: 40, leaf, kind: 'ingress-nginx', username: 'admin', client_address: '2a02:cf40::', method: 'POST', path: '/_bulk', status: 200, duration_us: 1500, has_request_body: 0, has_response_body: 0 },
  ];
  for (const r of old) {
    const cols = Object.keys(r);
    db.prepare(`INSERT INTO entries (${cols.join(', ')}) VALUES (${cols.map((c) => `@${c}`).join(', ')})`).run(r);
  }
  const before = db.prepare('SELECT * FROM entries ORDER BY eid').all() as Record<string, unknown>[];
  assert.deepEqual(migrate(db), [4, ...MIGRATIONS.filter((x) => x.version > 4).map((x) => x.version)]);
  // Version 6 adds `sensitive` (null: these rows were never examined, and their archives say so).
  assert.deepEqual(db.prepare('SELECT * FROM entries ORDER BY eid').all(), before.map((r) => ({ ...r, sensitive: null })), 'the same columns, values and types');
  assert.deepEqual(db.prepare('SELECT count(*) AS n FROM strings').get(), { n: 13 }, 'each distinct string once (audit ids and times stay in the rows)');
  assert.deepEqual(db.prepare("SELECT value FROM strings WHERE id IN (SELECT rowid FROM strings_fts WHERE strings_fts MATCH '\"kube-system\"*') ORDER BY value").pluck().all(), ['/api/v1/namespaces/kube-system/pods', 'kube-system']);
  assert.equal(countEvents(db, { user: 'admin' }), 2);
  assert.equal(countEvents(db, { text: 'kube-system pods' }), 1);
  db.exec("INSERT INTO strings_fts(strings_fts, rank) VALUES('integrity-check', 1)");
  db.close();
});

test('every entry of every sample is indexed with its archive, offsets and kind', () => {
  const db = openCaseDatabase(dbPath, { readonly: true });
  const counts = db.prepare('SELECT archive_id, kind, count(*) AS n FROM entries GROUP BY archive_id, kind ORDER BY archive_id').all();
  assert.deepEqual(counts, [
    { archive_id: 1, kind: 'kubernetes-audit', n: 2971 },
    { archive_id: 2, kind: 'openshift-audit', n: 100 },
    { archive_id: 3, kind: 'kubernetes-audit', n: 37 },
    { archive_id: 4, kind: 'ingress-nginx', n: 29 },
    { archive_id: 5, kind: 'traefik-access', n: 80 },
  ]);
  assert.equal(countEvents(db, {}), 3217);
  // Rows point at the bytes: offsets and lengths rebuild the sample exactly.
  const raw = readFileSync(join(SAMPLES, 'immudb-log-audit_k8s.jsonl'));
  const rows = db.prepare('SELECT offset, length FROM entries WHERE archive_id = 1 AND segment_seq = 0 ORDER BY idx').all() as { offset: number; length: number }[];
  assert.equal(rows.length, 1000);
  let expectedOffset = 0;
  for (const r of rows) {
    assert.equal(r.offset, expectedOffset);
    expectedOffset += r.length + 1;
  }
  assert.equal(raw.subarray(rows[999]!.offset, rows[999]!.offset + rows[999]!.length).toString(), raw.toString().split('\n')[999]);
  db.close();
});

test('specific events have exactly the right columns', () => {
  const db = openCaseDatabase(dbPath, { readonly: true });
  const one = (archive: string, idx: number) => db.prepare('SELECT * FROM entries WHERE archive_id = ? AND idx = ?').get(archives[archive]!.id, idx) as Record<string, unknown>;
  // A RequestReceived event: no responseStatus.
  const rr = one('immudb-log-audit_k8s.jsonl', 0);
  assert.deepEqual([rr.stage, rr.verb, rr.request_uri, rr.username, rr.response_code, rr.time, rr.time_us, rr.source_ip, rr.decision], ['RequestReceived', 'get', '/api?timeout=32s', 'admin', null, '2023-03-10T22:38:26.382098Z', 1678487906382098, '127.0.0.1', null]);
  const rc = one('immudb-log-audit_k8s.jsonl', 1);
  assert.deepEqual([rc.stage, rc.response_code, rc.decision, rc.decision_reason, rc.stage_time_us], ['ResponseComplete', 200, 'allow', '', 1678487906382820]);
  // OpenShift RequestResponse event: bodies present.
  const os = one('openshift-clo_audit_in.jsonl', 0);
  assert.deepEqual([os.level, os.verb, os.resource, os.namespace, os.name, os.has_response_body, os.username], ['RequestResponse', 'get', 'namespaces', 'openshift-marketplace', 'openshift-marketplace', 1, 'system:apiserver']);
  // A legacy 2017 event: time from the top-level timestamp; impersonation; a 403.
  const legacy = one('audit2rbac_demo.jsonl', 0);
  assert.deepEqual([legacy.time, legacy.impersonated_user, legacy.response_code, legacy.resource, legacy.namespace], ['2017-09-11T19:55:05Z', 'bob', 403, 'pods', 'default']);
  // The first ingress-nginx IPv6 line (line 25 of the sample).
  const v6 = db.prepare("SELECT client_address, method, path, status, username FROM entries WHERE kind = 'ingress-nginx' AND client_address LIKE '%:%'").get() as Record<string, unknown>;
  assert.deepEqual(v6, { client_address: '2a02:cf40::', method: 'POST', path: '/_bulk', status: 200, username: 'remote_monitoring_user' });
  db.close();
});

test('audit IDs and times stored in their compact forms read back as the exact text of every sample event; other texts are kept as they are', () => {
  const db = openCaseDatabase(dbPath, { readonly: true });
  let compact = 0;
  for (const f of ['immudb-log-audit_k8s.jsonl', 'openshift-clo_audit_in.jsonl', 'audit2rbac_demo.jsonl', 'traefik_crowdsec-nikto.jsonl']) {
    const rows = db.prepare('SELECT audit_id, time, stage_time FROM entries WHERE archive_id = ? ORDER BY idx').all(archives[f]!.id) as Record<string, unknown>[];
    const raw = rawEvents(f);
    assert.equal(rows.length, raw.length, f);
    raw.forEach((e, i) => {
      const time = e.requestReceivedTimestamp ?? e.timestamp ?? e.metadata?.creationTimestamp ?? e.StartUTC ?? e.StartLocal ?? e.time ?? null;
      assert.deepEqual(rows[i], { audit_id: e.auditID ?? null, time, stage_time: e.stageTimestamp ?? null }, `${f} entry ${i}`);
    });
    compact += db.prepare("SELECT count(*) FROM entry_rows WHERE archive_id = ? AND (typeof(audit_id) = 'blob' OR typeof(time) = 'blob')").pluck().get(archives[f]!.id) as number;
  }
  // Second-precision times (the 2017 events) and Traefik's local times stay text; the microsecond ones are compact.
  assert.ok(compact > 100, `${compact} rows with a compact form`);
  assert.equal(db.prepare("SELECT count(*) FROM entry_rows WHERE typeof(time) = 'blob' AND time_us IS NULL").pluck().get(), 0);
  db.close();
});

test('the view spells a compact time as JS does for every edge of the range it is used for, and the writer keeps any other text', () => {
  const db = new Database(':memory:');
  for (const us of [0, 1, 999_999, 1_000_000, 951_782_400_000_000 /* 2000-02-29 */, 1_709_164_799_999_999, 4_107_542_400_123_456, 253_402_300_799_999_999]) {
    assert.equal(db.prepare(`SELECT ${microsTextSql('v')} FROM (SELECT ? AS v)`).pluck().get(BigInt(us)), microsText(us), String(us));
  }
  for (const us of [-1, 253_402_300_800_000_000, 1.5, 2 ** 53]) assert.equal(microsText(us), null, String(us));
  const out = new Uint8Array(16);
  for (const t of ['16930257-8B75-43af-8360-f733537e9e14', '16930257-8b75-43af-8360-f733537e9e1', '{16930257-8b75-43af-8360-f733537e9e14}', 'a-1']) assert.equal(packUuid(t, out, 0), false, t);
  assert.equal(packUuid('16930257-8b75-43af-8360-f733537e9e14', out, 0), true);
  assert.equal(db.prepare(`SELECT ${uuidTextSql('v')} FROM (SELECT ? AS v)`).pluck().get(Buffer.from(out)), '16930257-8b75-43af-8360-f733537e9e14');
  const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
  const uuidish = fc.array(fc.constantFrom('0', '9', 'a', 'f', 'F', 'g', '-', 'é'), { minLength: 36, maxLength: 36 }).map((a) => a.join(''));
  const real = fc.uuid().map((u) => u.toLowerCase());
  fc.assert(fc.property(fc.oneof(uuidish, real, real.map((u) => u.replace('-', 'x'))), (t) => {
    const packed = new Uint8Array(16);
    assert.equal(packUuid(t, packed, 0), UUID.test(t));
    if (UUID.test(t)) assert.equal(Buffer.from(packed).toString('hex'), t.replaceAll('-', ''));
  }), { numRuns: 5000 });
  db.close();
});

test('presets return exactly the events an independent filter over the raw lines finds', () => {
  const db = openCaseDatabase(dbPath, { readonly: true });
  const audit = [...rawEvents('immudb-log-audit_k8s.jsonl').map((e, i) => ({ e, a: 1, i })), ...rawEvents('openshift-clo_audit_in.jsonl').map((e, i) => ({ e, a: 2, i })), ...rawEvents('audit2rbac_demo.jsonl').map((e, i) => ({ e, a: 3, i }))];
  const write = ['create', 'update', 'patch', 'delete', 'deletecollection'];
  const expected: Record<string, (e: Record<string, any>) => boolean> = {
    'secrets-access': (e) => e.objectRef?.resource === 'secrets',
    'rbac-changes': (e) => ['roles', 'clusterroles', 'rolebindings', 'clusterrolebindings'].includes(e.objectRef?.resource) && write.includes(e.verb),
    exec: (e) => e.objectRef?.resource === 'pods' && ['exec', 'attach', 'portforward'].includes(e.objectRef?.subresource),
    impersonation: (e) => e.impersonatedUser != null,
    denied: (e) => e.responseStatus?.code === 403 || e.annotations?.['authorization.k8s.io/decision'] === 'forbid',
    anonymous: (e) => e.user?.username === 'system:anonymous' || (e.user?.groups ?? []).includes('system:unauthenticated'),
    deletions: (e) => ['delete', 'deletecollection'].includes(e.verb),
    'admission-changes': (e) => ['validatingwebhookconfigurations', 'mutatingwebhookconfigurations', 'validatingadmissionpolicies', 'validatingadmissionpolicybindings', 'mutatingadmissionpolicies', 'mutatingadmissionpolicybindings'].includes(e.objectRef?.resource) && write.includes(e.verb),
    'service-account': (e) => String(e.user?.username ?? '').startsWith('system:serviceaccount:'),
    sensitive: (e) => detectSensitive(new TextEncoder().encode(JSON.stringify(e))).length > 0,
  };
  const got: Record<string, number> = {};
  for (const preset of PRESETS) {
    const want = audit.filter(({ e }) => expected[preset]!(e)).map(({ a, i }) => `${a}:${i}`).sort();
    const rows = listEvents(db, { preset }, { limit: 10_000 }).events.map((r) => `${r.archiveId}:${r.index}`).sort();
    assert.deepEqual(rows, want, preset);
    got[preset] = rows.length;
  }
  // The samples exercise the presets: these are the README's facts (11 denied in audit2rbac, impersonation on all 37).
  assert.equal(listEvents(db, { preset: 'denied', archiveId: 3 }, { limit: 100 }).events.length, 11);
  assert.equal(got.impersonation, 37);
  assert.ok(got['service-account']! > 0 && got.deletions! > 0 && got['secrets-access']! > 0, JSON.stringify(got));
  const sa = listEvents(db, { preset: 'service-account' }, { limit: 1 }).events[0]!.fields.username as string;
  const [ns, name] = sa.split(':').slice(2);
  assert.equal(countEvents(db, { preset: 'service-account', presetArg: `${ns}:${name}` }), audit.filter(({ e }) => e.user?.username === sa).length);
  assert.equal(countEvents(db, { preset: 'service-account', presetArg: name! }), audit.filter(({ e }) => String(e.user?.username).startsWith('system:serviceaccount:') && String(e.user?.username).endsWith(`:${name}`)).length);
  db.close();
});

test('filters, full-text search, keyset pages, histogram and top-N agree with the raw data', () => {
  const db = openCaseDatabase(dbPath, { readonly: true });
  const immudb = rawEvents('immudb-log-audit_k8s.jsonl');
  const f: EventFilter = { archiveId: 1 };
  assert.equal(countEvents(db, { ...f, code: 500 }), 7);
  assert.equal(countEvents(db, { ...f, code: 409 }), 2);
  assert.equal(countEvents(db, { ...f, verb: 'list' }), immudb.filter((e) => e.verb === 'list').length);
  assert.equal(countEvents(db, { ...f, stage: 'RequestReceived' }), immudb.filter((e) => e.stage === 'RequestReceived').length);
  assert.equal(countEvents(db, { ...f, text: 'healthz' }), immudb.filter((e) => e.requestURI.includes('healthz')).length);
  const from = Date.parse('2023-03-10T22:40:00Z') * 1000;
  const to = Date.parse('2023-03-10T22:45:00Z') * 1000;
  const inRange = immudb.filter((e) => {
    const t = Date.parse(e.requestReceivedTimestamp) * 1000;
    return t >= from && t < to;
  }).length;
  assert.equal(countEvents(db, { ...f, fromUs: from, toUs: to }), inRange);
  // Keyset pages walk every event exactly once, in time order.
  const seen: number[] = [];
  let after = null;
  let lastTime = -Infinity;
  do {
    const page = listEvents(db, f, { limit: 333, sort: 'time', after });
    for (const e of page.events) {
      seen.push(e.index);
      assert.ok((e.fields.timeUs as number) >= lastTime);
      lastTime = e.fields.timeUs as number;
    }
    after = page.next;
  } while (after);
  assert.deepEqual([...seen].sort((a, b) => a - b), immudb.map((_, i) => i));
  const h = histogram(db, f, 10);
  assert.equal(h.buckets.reduce((n, b) => n + b.count, 0), 2971);
  const users = topValues(db, f, 'users', 3);
  const counts = new Map<string, number>();
  for (const e of immudb) counts.set(e.user.username, (counts.get(e.user.username) ?? 0) + 1);
  const top = [...counts].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)).slice(0, 3).map(([value, count]) => ({ value, count }));
  assert.deepEqual(users, top);
  // Status: every entry of a verified archive is covered by its smallest covering checkpoint.
  const e = listEvents(db, f, { limit: 1 }).events[0]!;
  assert.deepEqual([e.status, e.coveredBy], ['covered', 'checkpoints/000000002971.ckpt']);
  db.close();
});

test('counts, top-N and histograms from the per-archive aggregates equal the same questions asked of every row', () => {
  const db = openCaseDatabase(dbPath, { readonly: true });
  const ids = (db.prepare('SELECT id FROM archives ORDER BY id').pluck().all() as number[]);
  for (const scope of [{}, ...ids.map((archiveId) => ({ archiveId }))] as EventFilter[]) {
    const range = scope.archiveId === undefined ? '1' : `archive_id = ${scope.archiveId}`;
    const label = JSON.stringify(scope);
    assert.equal(countEvents(db, scope), db.prepare(`SELECT count(*) FROM entries WHERE ${range}`).pluck().get(), label);
    for (const preset of PRESETS) {
      assert.equal(countEvents(db, { ...scope, preset }), listEvents(db, { ...scope, preset }, { limit: 10_000 }).events.length, `${label} ${preset}`);
    }
    for (const [field, col] of Object.entries({ users: 'username', resources: 'resource', sourceIps: 'source_ip', userAgents: 'user_agent', verbs: 'verb', namespaces: 'namespace' })) {
      const want = db.prepare(`SELECT ${col} AS value, count(*) AS count FROM entries WHERE ${range} AND ${col} IS NOT NULL GROUP BY ${col} ORDER BY count DESC, value LIMIT 7`).all();
      assert.deepEqual(topValues(db, scope, field as 'users', 7), want, `${label} ${field}`);
    }
    for (const n of [1, 7, 60]) {
      const span = db.prepare(`SELECT min(time_us) AS lo, max(time_us) + 1 AS hi FROM entries WHERE ${range} AND time_us IS NOT NULL`).get() as { lo: number | null; hi: number };
      const got = histogram(db, scope, n);
      if (span.lo === null) {
        assert.deepEqual(got, { bucketUs: 0, buckets: [] });
        continue;
      }
      const w = Math.max(1, Math.ceil((span.hi - span.lo) / n));
      const want = (db.prepare(`SELECT (time_us - ${span.lo}) / ${w} AS b, count(*) AS n FROM entries WHERE ${range} AND time_us IS NOT NULL GROUP BY b ORDER BY b`).all() as { b: number; n: number }[])
        .map((r) => ({ startUs: span.lo! + r.b * w, count: r.n }));
      assert.deepEqual(got, { bucketUs: w, buckets: want }, `${label} ${n} buckets`);
    }
  }
  db.close();
});

test('the aggregates the writer tallies while inserting are, row for row, what scanning the finished rows gives', () => {
  const copy = join(dir, 'aggregates-copy.sqlite');
  const src = openCaseDatabase(dbPath, { readonly: true });
  src.exec(`VACUUM INTO '${copy}'`);
  src.close();
  const db = new Database(copy);
  const tables = () => Object.fromEntries(['value_counts', 'preset_counts', 'time_counts'].map((t) => [t, db.prepare(`SELECT * FROM ${t} ORDER BY 1, 2, 3`).all()]));
  const tallied = tables();
  assert.ok(tallied.preset_counts!.length > 5 && tallied.value_counts!.length > 100 && tallied.time_counts!.length > 100, JSON.stringify(Object.values(tallied).map((t) => t!.length)));
  for (const id of db.prepare('SELECT id FROM archives').pluck().all() as number[]) db.transaction(() => computeAggregates(db, id))();
  assert.deepEqual(tables(), tallied);
  db.close();
});

test('the hot queries use their indexes (EXPLAIN QUERY PLAN)', () => {
  const db = openCaseDatabase(dbPath, { readonly: true });
  const plan = (sql: string, ...p: unknown[]) => (db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(...p) as { detail: string }[]).map((r) => r.detail).join(' | ');
  // The filters as query.node.ts writes them, on the dictionary-encoded rows.
  const id = '(SELECT id FROM strings WHERE value = ?)';
  assert.match(plan(`SELECT eid FROM entry_rows e WHERE e.username_id = ${id} ORDER BY time_us LIMIT 100`, 'admin'), /USING (COVERING )?INDEX entries_user/);
  assert.match(plan('SELECT eid FROM entry_rows e WHERE e.time_us >= ? AND e.time_us < ? ORDER BY time_us, eid LIMIT 100', 0, 1), /USING (COVERING )?INDEX entries_time/);
  assert.match(plan(`SELECT eid FROM entry_rows e WHERE e.verb_id = ${id} ORDER BY time_us LIMIT 100`, 'get'), /USING (COVERING )?INDEX entries_verb/);
  assert.match(plan(`SELECT eid FROM entry_rows e WHERE e.resource_id = ${id}`, 'secrets'), /USING (COVERING )?INDEX entries_resource/);
  assert.match(plan(`SELECT eid FROM entry_rows e WHERE e.namespace_id = ${id}`, 'default'), /USING (COVERING )?INDEX entries_namespace/);
  assert.match(plan('SELECT rowid FROM strings_fts WHERE strings_fts MATCH ?', '"admin"*'), /VIRTUAL TABLE INDEX/);
  // A full-text word matched through the searched columns' indexes (rows of a rare word united), or, with '+', not.
  const words = (indexed: boolean) => `(${['username', 'request_uri', 'name', 'namespace', 'user_agent'].map((c) => `${indexed ? '' : '+'}e.${c}_id IN (SELECT rowid FROM strings_fts WHERE strings_fts MATCH ?)`).join(' OR ')})`;
  const five = Array(5).fill('"admin"*');
  assert.match(plan(`SELECT count(*) FROM entry_rows e WHERE ${words(true)}`, ...five), /MULTI-INDEX OR.*INDEX entries_user.*INDEX entries_uri.*INDEX entries_name.*INDEX entries_namespace.*INDEX entries_agent/);
  assert.match(plan(`SELECT eid FROM entry_rows e WHERE ${words(false)} ORDER BY time_us, eid LIMIT 100`, ...five), /SCAN e USING INDEX entries_time/);
  assert.match(plan('SELECT * FROM entries e WHERE e.eid BETWEEN ? AND ? ORDER BY eid LIMIT 100', 0, 10), /USING INTEGER PRIMARY KEY/);
  db.close();
});

test('getEntry returns the exact evidence bytes and re-hashes them; a changed byte is noticed', async () => {
  const db = openCaseDatabase(dbPath, { readonly: true });
  const reader = new EvidenceReader();
  const lines = readFileSync(join(SAMPLES, 'openshift-clo_audit_in.jsonl'), 'utf8').split('\n');
  for (const [file, idx] of [['immudb-log-audit_k8s.jsonl', 2500], ['openshift-clo_audit_in.jsonl', 42], ['audit2rbac_demo.jsonl', 36], ['ingress-nginx_beats-test.log', 28], ['traefik_crowdsec-nikto.jsonl', 79]] as const) {
    const r = (await reader.entry(db, archives[file]!.id, idx))!;
    assert.equal(r.matches, true, file);
    assert.equal(r.leafNow, r.event.leaf);
    assert.equal(Buffer.from(r.bytes!).toString(), readFileSync(join(SAMPLES, file), 'utf8').split('\n')[idx]);
  }
  assert.equal(Buffer.from((await reader.entry(db, archives['openshift-clo_audit_in.jsonl']!.id, 42))!.bytes!).toString(), lines[42]);
  // Tamper with the evidence after indexing: the re-hash no longer matches the indexed leaf.
  const seg = join(archives['immudb-log-audit_k8s.jsonl']!.path, 'segments/000000002000.jsonl');
  const original = readFileSync(seg);
  const changed = Buffer.from(original);
  changed[10] = changed[10]! ^ 1;
  writeFileSync(seg, changed);
  try {
    const r = (await new EvidenceReader().entry(db, 1, 2000))!;
    assert.equal(r.matches, false);
    assert.notEqual(r.leafNow, r.event.leaf);
  } finally {
    writeFileSync(seg, original);
  }
  assert.equal(await reader.entry(db, 1, 99999), null);
  db.close();
});

test('killed mid-run, a new case database is absent (never half built) and an existing one stays consistent; running again rebuilds cleanly', async () => {
  // An archive large enough that indexing takes a while: 120,000 synthetic events.
  const input = join(dir, 'big.jsonl');
  const lines: string[] = [];
  for (let i = 0; i < 120_000; i++) lines.push(JSON.stringify({ kind: 'Event', apiVersion: 'audit.k8s.io/v1', auditID: `a-${i}`, stage: 'ResponseComplete', verb: 'get', user: { username: `u${i % 50}` }, requestURI: `/api/v1/namespaces/n${i % 9}/pods/p${i}`, objectRef: { resource: 'pods', namespace: `n${i % 9}` }, responseStatus: { code: 200 }, requestReceivedTimestamp: new Date(1.7e12 + i * 1000).toISOString() }));
  writeFileSync(input, `${lines.join('\n')}\n`);
  const big = join(dir, 'big');
  await seal({ key: LOG, origin: LOG.name, out: big, inputs: [input], segmentEntries: 20_000 });
  const pub = join(dir, 'case.pub');
  const { formatVerifierKey } = await import('../../../../shared/core/keys.ts');
  writeFileSync(pub, `${formatVerifierKey(LOG)}\n`);
  const cli = (db: string) => [join(ROOT, 'electron/cli/sealcheck.mjs'), 'verify', big, '--trust', pub, '--index', db];
  /** Starts indexing into `db` and kills the process once `growing` holds more than 2 MB of it. */
  const killWhenWritten = async (db: string, growing: string) => {
    const child = spawn(process.execPath, cli(db), { stdio: 'ignore' });
    const started = Date.now();
    let seen = 0;
    while (Date.now() - started < 120_000) {
      await new Promise((r) => setTimeout(r, 20));
      if (existsSync(growing) && (seen = statSync(growing).size) > 2_000_000) break;
    }
    const exited = new Promise((r) => (child.exitCode !== null ? r(null) : child.on('exit', r)));
    child.kill('SIGKILL');
    await exited;
    assert.ok(seen > 2_000_000, `killed while ${growing} held ${seen} bytes`);
  };
  const checkRebuilt = (db: string, archives: number) => {
    const again = spawnSync(process.execPath, cli(db), { encoding: 'utf8' });
    assert.equal(again.status, 0, again.stderr);
    const r = openCaseDatabase(db, { readonly: true });
    assert.deepEqual(r.prepare("SELECT count(*) AS n FROM archives WHERE state = 'complete'").get(), { n: archives });
    assert.deepEqual(r.prepare('SELECT count(*) AS n, count(DISTINCT idx) AS d, min(idx) AS lo, max(idx) AS hi FROM entries WHERE archive_id = (SELECT id FROM archives WHERE path = ?)').get(big), { n: 120_000, d: 120_000, lo: 0, hi: 119_999 });
    assert.equal(countEvents(r, { text: 'u7' }), 2400);
    r.close();
    // FTS5's own check that the full-text index matches its content table, the strings (throws if not).
    const rw = openCaseDatabase(db);
    rw.exec("INSERT INTO strings_fts(strings_fts, rank) VALUES('integrity-check', 1)");
    rw.close();
  };

  // A new case database is built aside and renamed into place only when complete.
  const fresh = join(dir, 'killed-new.sqlite');
  await killWhenWritten(fresh, `${fresh}.partial`);
  assert.equal(existsSync(fresh), false, 'no case database after a killed first build');
  checkRebuilt(fresh, 1);
  assert.equal(existsSync(`${fresh}.partial`), false, 'the killed build is cleaned up');

  // An existing case database is written in place (WAL): killed, it stays consistent and marks the archive unfinished.
  const existing = join(dir, 'killed.sqlite');
  await verifyArchive(archives[FILES[FILES.length - 1]!]!.path, { policy, index: { dbPath: existing, run: run() } });
  await killWhenWritten(existing, `${existing}-wal`);
  const killed = new Database(existing, { readonly: true });
  assert.equal((killed.prepare('PRAGMA integrity_check').get() as { integrity_check: string }).integrity_check, 'ok');
  const state = killed.prepare('SELECT state FROM archives ORDER BY id').all() as { state: string }[];
  assert.deepEqual(state.map((s) => s.state), ['complete', 'indexing']);
  const partial = (killed.prepare('SELECT count(*) AS n FROM entries WHERE archive_id = 2').get() as { n: number }).n;
  assert.ok(partial < 120_000, `partial ${partial}`);
  killed.close();
  checkRebuilt(existing, 2);
});
