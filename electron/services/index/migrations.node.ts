// Numbered schema migrations of the case database (docs/index-schema.md); each runs once, in a transaction.
import type Database from 'better-sqlite3';
import { AGGREGATE_TABLES, aggregateSql, PRESETS_V5 } from './aggregates.node.ts';
import { SCOPE_TABLES } from './scope-index.node.ts';
import { DICT_FIELDS, FIELD_COLUMNS, microsTextSql, NUM_FIELDS, ROW_COLUMNS_V4, TEXT_FIELDS, uuidTextSql } from './columns.node.ts';

export interface Migration {
  version: number;
  name: string;
  sql: string;
}

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'evidence, keys, runs, checkpoints, findings',
    sql: `
CREATE TABLE archives (
  id INTEGER PRIMARY KEY,
  path TEXT NOT NULL UNIQUE,
  container TEXT NOT NULL CHECK (container IN ('directory', 'tar', 'tar.gz')),
  size INTEGER,
  sha256 TEXT,
  origin TEXT,
  source_kind TEXT,
  manifest TEXT,
  imported_at TEXT NOT NULL,
  state TEXT NOT NULL CHECK (state IN ('indexing', 'complete')),
  last_run_id INTEGER
);
CREATE TABLE segments (
  archive_id INTEGER NOT NULL REFERENCES archives(id) ON DELETE CASCADE,
  seq INTEGER NOT NULL,
  path TEXT NOT NULL,
  chain TEXT NOT NULL,
  first INTEGER NOT NULL,
  count INTEGER NOT NULL,
  gzip INTEGER NOT NULL,
  sha256 TEXT,
  chain_sha256 TEXT,
  PRIMARY KEY (archive_id, seq)
) WITHOUT ROWID;
CREATE TABLE keys (
  id INTEGER PRIMARY KEY,
  name TEXT NOT NULL,
  key_id TEXT NOT NULL,
  type INTEGER NOT NULL,
  role TEXT NOT NULL CHECK (role IN ('log', 'witness')),
  public_key BLOB NOT NULL,
  fingerprint TEXT NOT NULL,
  source TEXT NOT NULL,
  UNIQUE (name, key_id, public_key, source)
);
CREATE TABLE runs (
  id INTEGER PRIMARY KEY,
  archive_id INTEGER NOT NULL REFERENCES archives(id) ON DELETE CASCADE,
  tool TEXT NOT NULL,
  tool_version TEXT NOT NULL,
  started_at TEXT NOT NULL,
  finished_at TEXT,
  verdict TEXT CHECK (verdict IN ('verified', 'failed', 'incomplete')),
  entries INTEGER,
  covered_entries INTEGER,
  checkpoints_total INTEGER,
  checkpoints_trusted INTEGER,
  errors INTEGER,
  warnings INTEGER,
  quorum INTEGER NOT NULL,
  expected_origin TEXT,
  report TEXT
);
CREATE TABLE run_keys (
  run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
  key_id INTEGER NOT NULL REFERENCES keys(id),
  PRIMARY KEY (run_id, key_id)
) WITHOUT ROWID;
CREATE TABLE anchors (
  run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
  path TEXT NOT NULL,
  note TEXT NOT NULL
);
CREATE TABLE checkpoints (
  id INTEGER PRIMARY KEY,
  run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
  path TEXT NOT NULL,
  listed INTEGER NOT NULL,
  anchor INTEGER NOT NULL,
  malformed TEXT,
  origin TEXT,
  size INTEGER,
  root TEXT,
  computed_root TEXT,
  trusted INTEGER NOT NULL,
  covers INTEGER NOT NULL
);
CREATE INDEX checkpoints_cover ON checkpoints (run_id, covers, size);
CREATE TABLE signatures (
  checkpoint_id INTEGER NOT NULL REFERENCES checkpoints(id) ON DELETE CASCADE,
  line INTEGER NOT NULL,
  name TEXT NOT NULL,
  key_id TEXT NOT NULL,
  role TEXT NOT NULL CHECK (role IN ('log', 'witness', 'unknown')),
  status TEXT NOT NULL CHECK (status IN ('valid', 'invalid', 'not-checked')),
  time INTEGER,
  PRIMARY KEY (checkpoint_id, line)
) WITHOUT ROWID;
CREATE TABLE findings (
  id INTEGER PRIMARY KEY,
  run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
  code TEXT NOT NULL,
  severity TEXT NOT NULL CHECK (severity IN ('error', 'warning')),
  file TEXT,
  idx INTEGER,
  line INTEGER,
  count INTEGER,
  message TEXT NOT NULL
);
CREATE INDEX findings_entry ON findings (run_id, idx);
`,
  },
  {
    version: 2,
    name: 'entries and full-text search',
    sql: `
CREATE TABLE entries (
  eid INTEGER PRIMARY KEY,
  archive_id INTEGER NOT NULL,
  idx INTEGER NOT NULL,
  segment_seq INTEGER NOT NULL,
  offset INTEGER NOT NULL,
  length INTEGER NOT NULL,
  leaf BLOB NOT NULL,
  kind TEXT NOT NULL,
  audit_id TEXT, stage TEXT, level TEXT, verb TEXT, request_uri TEXT,
  username TEXT, uid TEXT, groups TEXT, impersonated_user TEXT,
  source_ips TEXT, source_ip TEXT, user_agent TEXT,
  api_group TEXT, api_version TEXT, resource TEXT, subresource TEXT, namespace TEXT, name TEXT,
  response_code INTEGER, response_reason TEXT,
  time TEXT, time_us INTEGER, stage_time TEXT, stage_time_us INTEGER,
  decision TEXT, decision_reason TEXT,
  has_request_body INTEGER NOT NULL, has_response_body INTEGER NOT NULL,
  client_address TEXT, method TEXT, path TEXT, host TEXT, protocol TEXT, status INTEGER,
  request_bytes INTEGER, response_bytes INTEGER, duration_us INTEGER,
  upstream TEXT, service TEXT, router TEXT
);
CREATE VIRTUAL TABLE entries_fts USING fts5 (
  username, request_uri, name, namespace, user_agent,
  content = 'entries', content_rowid = 'eid', tokenize = 'unicode61'
);
`,
  },
  {
    version: 3,
    name: 'secondary indexes for the examiner\'s filters',
    // As first released (on the entries table of version 2, which version 4 replaces).
    sql: `
CREATE INDEX IF NOT EXISTS entries_time ON entries (time_us, eid);
CREATE INDEX IF NOT EXISTS entries_user ON entries (username, time_us);
CREATE INDEX IF NOT EXISTS entries_verb ON entries (verb, time_us);
CREATE INDEX IF NOT EXISTS entries_resource ON entries (resource, time_us);
CREATE INDEX IF NOT EXISTS entries_namespace ON entries (namespace, time_us);
CREATE INDEX IF NOT EXISTS entries_code ON entries (response_code, time_us);
`,
  },
  {
    version: 4,
    name: 'dictionary-encoded entries: strings, entry_rows, the entries view, full-text search over distinct strings',
    sql: DICTIONARY_MIGRATION(),
  },
  {
    version: 5,
    name: 'aggregates per archive: value_counts, preset_counts, time_counts',
    sql: `${AGGREGATE_TABLES}\n${aggregateSql('1', PRESETS_V5).join(';\n')};`,
  },
  {
    version: 6,
    name: 'sensitive-data rules per entry; compact times and audit IDs',
    // Rows indexed before have no answer (NULL, and their archive's sensitive_checked stays 0): the
    // rules need the entry's bytes, which a migration does not read; indexing the archive again fills it.
    sql: `
ALTER TABLE entry_rows ADD COLUMN sensitive INTEGER;
ALTER TABLE archives ADD COLUMN sensitive_checked INTEGER NOT NULL DEFAULT 0;
DROP VIEW entries;
${ENTRIES_VIEW(6)};`,
  },
  {
    version: 7,
    name: 'evidence scope of a run: audit_policies, time_gaps',
    sql: SCOPE_TABLES,
  },
  {
    version: 8,
    name: 'indexes on the other full-text searched columns: request_uri, name, user_agent',
    sql: FTS_COLUMN_INDEXES(),
  },
];

/**
 * The `entries` view: every entry with its text values, as version 2's table had them. Version 6 adds
 * `sensitive` and reads the compact forms of times and audit IDs back as their text (columns.node.ts).
 */
function ENTRIES_VIEW(version: 4 | 6): string {
  const col = ([k, c]: readonly [string, string]) => {
    if (DICT_FIELDS.some(([d]) => d === k)) return `(SELECT value FROM strings WHERE id = r.${c}_id) AS ${c}`;
    if (version >= 6 && (c === 'time' || c === 'stage_time')) return `CASE WHEN typeof(r.${c}) = 'blob' THEN ${microsTextSql(`r.${c}_us`)} ELSE r.${c} END AS ${c}`;
    if (version >= 6 && c === 'audit_id') return `CASE WHEN typeof(r.audit_id) = 'blob' THEN ${uuidTextSql('r.audit_id')} ELSE r.audit_id END AS audit_id`;
    return `r.${c}`;
  };
  return `CREATE VIEW entries AS SELECT r.eid, r.archive_id, r.idx, r.segment_seq, r.offset, r.length, r.leaf,
  ${FIELD_COLUMNS.map(col).join(',\n  ')}${version >= 6 ? ',\n  r.sensitive' : ''}
FROM entry_rows r`;
}

function DICTIONARY_MIGRATION(): string {
  const dictCols = DICT_FIELDS.map(([, c]) => c);
  return `
CREATE TABLE strings (id INTEGER PRIMARY KEY, value TEXT NOT NULL UNIQUE);
CREATE TABLE entry_rows (
  eid INTEGER PRIMARY KEY,
  archive_id INTEGER NOT NULL,
  idx INTEGER NOT NULL,
  segment_seq INTEGER NOT NULL,
  offset INTEGER NOT NULL,
  length INTEGER NOT NULL,
  leaf BLOB NOT NULL,
  ${DICT_FIELDS.map(([k, c]) => `${c}_id INTEGER${k === 'kind' ? ' NOT NULL' : ''}`).join(', ')},
  ${TEXT_FIELDS.map(([, c]) => `${c} TEXT`).join(', ')},
  ${NUM_FIELDS.map(([k, c]) => `${c} INTEGER${k === 'hasRequestBody' || k === 'hasResponseBody' ? ' NOT NULL' : ''}`).join(', ')}
);
INSERT INTO strings (value) SELECT v FROM (${dictCols.map((c) => `SELECT ${c} AS v FROM entries`).join(' UNION ')}) WHERE v IS NOT NULL;
INSERT INTO entry_rows (${ROW_COLUMNS_V4.join(', ')})
  SELECT eid, archive_id, idx, segment_seq, offset, length, leaf,
  ${dictCols.map((c) => `(SELECT id FROM strings WHERE value = e.${c})`).join(', ')},
  ${[...TEXT_FIELDS, ...NUM_FIELDS].map(([, c]) => `e.${c}`).join(', ')}
  FROM entries e;
DROP TABLE entries_fts;
DROP TABLE entries;
${ENTRIES_VIEW(4)};
CREATE VIRTUAL TABLE strings_fts USING fts5 (value, content = 'strings', content_rowid = 'id', tokenize = 'unicode61');
INSERT INTO strings_fts (strings_fts) VALUES ('rebuild');
${SECONDARY_INDEXES_V4()}`;
}

/** Indexes that speed up the explorer's filters; dropped and rebuilt around a bulk import. */
export function SECONDARY_INDEXES(): string {
  return `${SECONDARY_INDEXES_V4()}${FTS_COLUMN_INDEXES()}`;
}

/** The searched columns without an index of their own above (version 8): full-text search unites their rows. */
function FTS_COLUMN_INDEXES(): string {
  return `
CREATE INDEX IF NOT EXISTS entries_uri ON entry_rows (request_uri_id);
CREATE INDEX IF NOT EXISTS entries_name ON entry_rows (name_id);
CREATE INDEX IF NOT EXISTS entries_agent ON entry_rows (user_agent_id);
`;
}

/** The secondary indexes as version 4 created them. */
function SECONDARY_INDEXES_V4(): string {
  return `
CREATE INDEX IF NOT EXISTS entries_time ON entry_rows (time_us);
CREATE INDEX IF NOT EXISTS entries_user ON entry_rows (username_id, time_us);
CREATE INDEX IF NOT EXISTS entries_verb ON entry_rows (verb_id, time_us);
CREATE INDEX IF NOT EXISTS entries_resource ON entry_rows (resource_id, time_us);
CREATE INDEX IF NOT EXISTS entries_namespace ON entry_rows (namespace_id, time_us);
CREATE INDEX IF NOT EXISTS entries_code ON entry_rows (response_code, time_us);
`;
}

export const SECONDARY_INDEX_NAMES = ['entries_time', 'entries_user', 'entries_verb', 'entries_resource', 'entries_namespace', 'entries_code', 'entries_uri', 'entries_name', 'entries_agent'];

export function migrate(db: Database.Database): number[] {
  db.exec('CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)');
  const done = new Set((db.prepare('SELECT version FROM schema_migrations').all() as { version: number }[]).map((r) => r.version));
  const applied: number[] = [];
  for (const m of MIGRATIONS) {
    if (done.has(m.version)) continue;
    db.transaction(() => {
      db.exec(m.sql);
      db.prepare('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)').run(m.version, m.name, new Date().toISOString());
    })();
    applied.push(m.version);
  }
  return applied;
}
