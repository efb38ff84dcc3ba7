// The one query service over a case database (app and CLI): filters, presets, keyset pages, counts, histograms, top-N, raw entries.
import type Database from 'better-sqlite3';
import { toHex } from '../../../shared/core/bytes.ts';
import { sensitiveRules, type SensitiveRule } from '../../../shared/core/sensitive.ts';
import type { EntryStatus, EventFilterInput } from '../../../shared/api.ts';
export type { EntryStatus };
import { INDEX_BITS, FIELD_COLUMNS, FTS_COLUMNS } from './columns.node.ts';
import { PRESET_ID_SQL, SERVICE_ACCOUNT_SQL, TOP_FIELDS, valueOf, WRITE_VERBS, type PresetName } from './aggregates.node.ts';

export { PRESETS, TOP_FIELDS, type PresetName } from './aggregates.node.ts';

/** Each preset's exact definition (documented in docs/index-schema.md), as SQL over the `entries` view `e`. */
export const PRESET_SQL: Record<Exclude<PresetName, 'service-account'>, string> = {
  'secrets-access': "e.resource = 'secrets'",
  'rbac-changes': `e.resource IN ('roles', 'clusterroles', 'rolebindings', 'clusterrolebindings') AND e.verb IN ${WRITE_VERBS}`,
  exec: "e.resource = 'pods' AND e.subresource IN ('exec', 'attach', 'portforward')",
  impersonation: 'e.impersonated_user IS NOT NULL',
  denied: "(e.response_code = 403 OR e.decision = 'forbid')",
  anonymous: `(e.username IN ('system:anonymous') OR e.groups LIKE '%"system:unauthenticated"%')`,
  deletions: "e.verb IN ('delete', 'deletecollection')",
  'admission-changes': `e.resource IN ('validatingwebhookconfigurations', 'mutatingwebhookconfigurations', 'validatingadmissionpolicies', 'validatingadmissionpolicybindings', 'mutatingadmissionpolicies', 'mutatingadmissionpolicybindings') AND e.verb IN ${WRITE_VERBS}`,
  sensitive: 'e.sensitive IS NOT NULL',
};




/** The API's filter (shared/api.ts), with the preset named by the list above. */
export type EventFilter = Omit<EventFilterInput, 'preset'> & { preset?: PresetName };

export interface Cursor {
  timeUs: number | null;
  eid: number;
}

export interface EventRow {
  archiveId: number;
  index: number;
  segment: string;
  offset: number;
  length: number;
  leaf: string;
  status: EntryStatus;
  /** The smallest covering checkpoint holding this entry, when covered. */
  coveredBy: string | null;
  failedBy: string | null;
  /** The sensitive-data rules the entry matches, in table order; null when its archive was indexed before they were checked. */
  sensitive: SensitiveRule[] | null;
  fields: Record<string, unknown>;
}

// Join-free, so counts and aggregates read only the entries table (and its indexes).
const RUN_OF_ENTRY = '(SELECT last_run_id FROM archives WHERE id = e.archive_id)';
const STATUS_SQL = `CASE
  WHEN EXISTS (SELECT 1 FROM findings f WHERE f.run_id = ${RUN_OF_ENTRY} AND f.idx = e.idx AND f.severity = 'error') THEN 'failed'
  WHEN e.idx < (SELECT r.covered_entries FROM runs r WHERE r.id = ${RUN_OF_ENTRY}) THEN 'covered' ELSE 'unsigned' END`;

/**
 * How each full-text word is matched: by the indexes on the searched columns (`indexed`: SQLite unites
 * the rows of the matching strings, fast when they are few), or row by row while another index is
 * walked (`+` keeps SQLite off the column indexes; fast for a page when matches are frequent). `all`
 * indexes every word (counts, histograms); a number indexes that word only.
 */
type WordPlan = 'all' | 'none' | number;

function where(db: Database.Database, filter: EventFilter, words: WordPlan = 'all'): { sql: string; params: unknown[] } {
  // Archives still being indexed are left out; when every archive is complete (the usual case) no
  // condition is needed at all, so SQLite can answer from an index alone.
  const incomplete = (db.prepare("SELECT id FROM archives WHERE state <> 'complete'").all() as { id: number }[]).map((r) => r.id);
  const c: string[] = incomplete.length ? [`e.archive_id NOT IN (${incomplete.join(', ')})`] : ['1'];
  const p: unknown[] = [];
  const eq = (col: string, v: unknown) => {
    if (v !== undefined) {
      c.push(`e.${col}_id = (SELECT id FROM strings WHERE value = ?)`);
      p.push(v);
    }
  };
  if (filter.archiveId !== undefined) {
    c.push('e.eid BETWEEN ? AND ?');
    p.push(filter.archiveId * INDEX_BITS, filter.archiveId * INDEX_BITS + INDEX_BITS - 1);
  }
  if (filter.fromUs !== undefined) {
    c.push('e.time_us >= ?');
    p.push(filter.fromUs);
  }
  if (filter.toUs !== undefined) {
    c.push('e.time_us < ?');
    p.push(filter.toUs);
  }
  eq('username', filter.user);
  eq('verb', filter.verb);
  eq('resource', filter.resource);
  eq('namespace', filter.namespace);
  if (filter.code !== undefined) {
    c.push('coalesce(e.response_code, e.status) = ?');
    p.push(filter.code);
  }
  eq('decision', filter.decision);
  eq('stage', filter.stage);
  eq('kind', filter.kind);
  if (filter.status !== undefined) {
    c.push(`(${STATUS_SQL}) = ?`);
    p.push(filter.status);
  }
  if (filter.text !== undefined && filter.text.trim() !== '') {
    // Full-text search runs over the distinct strings; a row matches a word when one of its
    // searched columns holds a string that does, as one FTS row per entry would have it.
    ftsWords(filter.text).forEach((word, i) => {
      c.push(wordMatch(words === 'all' || words === i));
      for (let k = 0; k < FTS_COLUMNS.length; k++) p.push(word);
    });
  }
  if (filter.preset !== undefined) {
    if (filter.preset === 'service-account') {
      const name = filter.presetArg ?? '';
      if (name === '') c.push(SERVICE_ACCOUNT_SQL);
      else if (name.includes(':')) {
        c.push(valueOf('username', 'value = ?'));
        p.push(`system:serviceaccount:${name}`);
      } else {
        c.push(valueOf('username', "value LIKE 'system:serviceaccount:%' AND substr(value, -length(?) - 1) = ?"));
        p.push(name, `:${name}`);
      }
    } else c.push(PRESET_ID_SQL[filter.preset]);
  }
  return { sql: c.join(' AND '), params: p };
}

/** Rows of an entry matching one full-text word (bound FTS_COLUMNS.length times): see WordPlan. */
const wordMatch = (indexed: boolean) => `(${FTS_COLUMNS.map((col) => `${indexed ? '' : '+'}e.${col}_id IN (SELECT rowid FROM strings_fts WHERE strings_fts MATCH ?)`).join(' OR ')})`;

/** Up to this many rows a word is rare: a page is then found from its rows, above it by walking the page's order. */
const RARE_WORD_ROWS = 2000;

/** The plan for a page: the rarest word by its indexes when it is rare, else none (measured, not guessed: a capped count per word). */
function pageWordPlan(db: Database.Database, text: string | undefined): WordPlan {
  if (text === undefined || text.trim() === '') return 'all';
  let best: { i: number; n: number } | null = null;
  ftsWords(text).forEach((word, i) => {
    const n = db.prepare(`SELECT count(*) FROM (SELECT 1 FROM entry_rows e WHERE ${wordMatch(true)} LIMIT ${RARE_WORD_ROWS})`).pluck().get(...FTS_COLUMNS.map(() => word)) as number;
    if (n < RARE_WORD_ROWS && (best === null || n < best.n)) best = { i, n };
  });
  return best === null ? 'none' : (best as { i: number }).i;
}

/** Each word of the examiner's text as a quoted prefix term, so no FTS5 syntax can be injected. */
export function ftsWords(text: string): string[] {
  return text
    .trim()
    .split(/\s+/)
    .map((w) => `"${w.replace(/"/g, '""')}"*`);
}

/** The whole text as one FTS5 query (every word required). */
export function ftsQuery(text: string): string {
  return ftsWords(text).join(' ');
}

const FROM = 'FROM entry_rows e';

function toEventRow(r: Record<string, unknown>): EventRow {
  const fields: Record<string, unknown> = {};
  for (const [k, col] of FIELD_COLUMNS) {
    const v = r[col];
    fields[k] = k === 'hasRequestBody' || k === 'hasResponseBody' ? v === 1 : v;
  }
  return {
    archiveId: r.archive_id as number,
    index: r.idx as number,
    segment: r.segment as string,
    offset: r.offset as number,
    length: r.length as number,
    leaf: toHex(r.leaf as Uint8Array),
    status: r.status_ as EntryStatus,
    coveredBy: (r.covered_by as string | null) ?? null,
    failedBy: (r.failed_by as string | null) ?? null,
    sensitive: r.sensitive_checked === 1 ? sensitiveRules((r.sensitive as number | null) ?? 0) : null,
    fields,
  };
}

/** Full rows (text values from the `entries` view) of the entries whose eids `picked` (a subquery) selects; CROSS JOIN keeps the picked page the outer loop, never a scan of every row in the requested order. */
const selectRows = (picked: string, order: string) => `SELECT e.*, s.path AS segment, a.sensitive_checked, (${STATUS_SQL}) AS status_,
  (SELECT c.path FROM checkpoints c WHERE c.run_id = a.last_run_id AND c.covers = 1 AND c.size > e.idx ORDER BY c.size LIMIT 1) AS covered_by,
  (SELECT f.code FROM findings f WHERE f.run_id = a.last_run_id AND f.idx = e.idx AND f.severity = 'error' ORDER BY f.id LIMIT 1) AS failed_by
  FROM (${picked}) p CROSS JOIN entries e ON e.eid = p.eid JOIN archives a ON a.id = e.archive_id JOIN segments s ON s.archive_id = e.archive_id AND s.seq = e.segment_seq
  ORDER BY ${order}`;

export interface ListOptions {
  limit?: number;
  sort?: 'time' | 'index';
  after?: Cursor | null;
}

export function listEvents(db: Database.Database, filter: EventFilter, options: ListOptions = {}): { events: EventRow[]; next: Cursor | null } {
  const limit = Math.min(Math.max(options.limit ?? 100, 1), 10_000);
  const w = where(db, filter, pageWordPlan(db, filter.text));
  const params = [...w.params];
  let keyset = '';
  const after = options.after;
  if (options.sort === 'time') {
    if (after) {
      if (after.timeUs === null) {
        keyset = ' AND ((e.time_us IS NULL AND e.eid > ?) OR e.time_us IS NOT NULL)';
        params.push(after.eid);
      } else {
        keyset = ' AND (e.time_us > ? OR (e.time_us = ? AND e.eid > ?))';
        params.push(after.timeUs, after.timeUs, after.eid);
      }
    }
  } else if (after) {
    keyset = ' AND e.eid > ?';
    params.push(after.eid);
  }
  const order = options.sort === 'time' ? 'e.time_us, e.eid' : 'e.eid';
  // The page is chosen on the compact rows (and their indexes); only its rows are read with their text.
  const picked = `SELECT e.eid ${FROM} WHERE ${w.sql}${keyset} ORDER BY ${order} LIMIT ?`;
  const rows = db.prepare(selectRows(picked, order)).all(...params, limit + 1) as Record<string, unknown>[];
  const more = rows.length > limit;
  const page = rows.slice(0, limit);
  const last = page[page.length - 1];
  return {
    events: page.map(toEventRow),
    next: more && last ? { timeUs: (last.time_us as number | null) ?? null, eid: last.eid as number } : null,
  };
}

/**
 * When a filter asks only for what the per-archive aggregates hold (an archive, and for counts a
 * preset), the condition on their archive_id; null when the rows must be read.
 */
function aggregateScope(filter: EventFilter, allowPreset: boolean): { sql: string; params: unknown[] } | null {
  for (const [k, v] of Object.entries(filter)) {
    if (v === undefined || k === 'archiveId') continue;
    if (k === 'text' && typeof v === 'string' && v.trim() === '') continue;
    if (allowPreset && k === 'preset' && v !== 'service-account') continue;
    if (allowPreset && k === 'preset' && (filter.presetArg ?? '') === '') continue;
    if (allowPreset && k === 'presetArg' && filter.preset === 'service-account' && v === '') continue;
    if (allowPreset && k === 'presetArg' && filter.preset !== 'service-account') continue;
    return null;
  }
  // Aggregates are written when an archive's indexing finishes; archives still indexing are left out, as by where().
  const complete = "archive_id IN (SELECT id FROM archives WHERE state = 'complete')";
  return filter.archiveId === undefined ? { sql: complete, params: [] } : { sql: `${complete} AND archive_id = ?`, params: [filter.archiveId] };
}

export function countEvents(db: Database.Database, filter: EventFilter): number {
  const scope = aggregateScope(filter, true);
  if (scope) {
    const sql = filter.preset === undefined
      ? `SELECT coalesce(sum(n), 0) FROM time_counts WHERE ${scope.sql}`
      : `SELECT coalesce(sum(n), 0) FROM preset_counts WHERE ${scope.sql} AND preset = ?`;
    const counted = db.prepare(sql).pluck().get(...scope.params, ...(filter.preset === undefined ? [] : [filter.preset])) as number;
    // time_counts holds only rows with a time: the rest are counted from the rows (none, for audit events).
    if (filter.preset !== undefined) return counted;
    const w = where(db, filter);
    return counted + (db.prepare(`SELECT count(*) AS n ${FROM} WHERE ${w.sql} AND e.time_us IS NULL`).get(...w.params) as { n: number }).n;
  }
  const w = where(db, filter);
  return (db.prepare(`SELECT count(*) AS n ${FROM} WHERE ${w.sql}`).get(...w.params) as { n: number }).n;
}

export interface Bucket {
  startUs: number;
  count: number;
}

/** Event counts per time bucket over the filter's time span (or the data's, when the filter has none). */
export function histogram(db: Database.Database, filter: EventFilter, buckets = 60): { bucketUs: number; buckets: Bucket[] } {
  const scope = aggregateScope(filter, false);
  if (scope) return histogramFromSeconds(db, filter, buckets, scope);
  const w = where(db, filter);
  const span = db.prepare(`SELECT min(e.time_us) AS lo, max(e.time_us) AS hi ${FROM} WHERE ${w.sql} AND e.time_us IS NOT NULL`).get(...w.params) as { lo: number | null; hi: number | null };
  if (span.lo === null || span.hi === null) return { bucketUs: 0, buckets: [] };
  const lo = filter.fromUs ?? span.lo;
  const hi = filter.toUs ?? span.hi + 1;
  const bucketUs = Math.max(1, Math.ceil((hi - lo) / buckets));
  // Integer division: better-sqlite3 binds JS numbers as REAL, which would make every distinct time its own bucket.
  const rows = db.prepare(`SELECT (e.time_us - CAST(? AS INTEGER)) / CAST(? AS INTEGER) AS b, count(*) AS n ${FROM} WHERE ${w.sql} AND e.time_us IS NOT NULL GROUP BY b ORDER BY b`).all(lo, bucketUs, ...w.params) as { b: number; n: number }[];
  return { bucketUs, buckets: rows.map((r) => ({ startUs: lo + r.b * bucketUs, count: r.n })) };
}


/**
 * The same buckets from the per-second counts: a bucket's count is F(end) - F(start), F(x) being the
 * number of rows before x: whole seconds from time_counts, plus the rows of x's own second before
 * x, counted on the time index (one second's rows at most).
 */
function histogramFromSeconds(db: Database.Database, filter: EventFilter, buckets: number, scope: { sql: string; params: unknown[] }): { bucketUs: number; buckets: Bucket[] } {
  const seconds = db.prepare(`SELECT second, sum(n) AS n FROM time_counts WHERE ${scope.sql} GROUP BY second ORDER BY second`).all(...scope.params) as { second: number; n: number }[];
  if (seconds.length === 0) return { bucketUs: 0, buckets: [] };
  const w = where(db, filter);
  const inRange = db.prepare(`SELECT count(*) AS n, min(e.time_us) AS lo, max(e.time_us) AS hi ${FROM} WHERE ${w.sql} AND e.time_us >= ? AND e.time_us < ?`);
  const within = (from: number, to: number) => inRange.get(...w.params, from, to) as { n: number; lo: number | null; hi: number | null };
  const first = seconds[0]!.second;
  const last = seconds[seconds.length - 1]!.second;
  const lo = within(first * 1e6, (first + 1) * 1e6).lo!;
  const hi = within(last * 1e6, (last + 1) * 1e6).hi! + 1;
  const bucketUs = Math.max(1, Math.ceil((hi - lo) / buckets));
  const prefix = [0];
  for (const s of seconds) prefix.push(prefix[prefix.length - 1]! + s.n);
  const before = (x: number): number => {
    const sec = Math.floor(x / 1e6);
    let a = 0;
    let b = seconds.length;
    while (a < b) {
      const m = (a + b) >> 1;
      if (seconds[m]!.second < sec) a = m + 1;
      else b = m;
    }
    return prefix[a]! + (a < seconds.length && seconds[a]!.second === sec ? within(sec * 1e6, x).n : 0);
  };
  const out: Bucket[] = [];
  const count = Math.floor((hi - 1 - lo) / bucketUs) + 1;
  let start = before(lo);
  for (let b = 0; b < count; b++) {
    const end = before(lo + (b + 1) * bucketUs);
    if (end > start) out.push({ startUs: lo + b * bucketUs, count: end - start });
    start = end;
  }
  return { bucketUs, buckets: out };
}

export function topValues(db: Database.Database, filter: EventFilter, field: keyof typeof TOP_FIELDS, n = 10): { value: string; count: number }[] {
  const col = TOP_FIELDS[field];
  const scope = aggregateScope(filter, false);
  if (scope) {
    return db.prepare(`SELECT (SELECT value FROM strings WHERE id = g.id) AS value, g.n AS count
      FROM (SELECT value_id AS id, sum(n) AS n FROM value_counts WHERE ${scope.sql} AND field = ? GROUP BY value_id) g
      ORDER BY count DESC, value LIMIT ?`).all(...scope.params, field, n) as { value: string; count: number }[];
  }
  const w = where(db, filter);
  // Counted per id, then each counted id's string looked up once.
  return db.prepare(`SELECT (SELECT value FROM strings WHERE id = g.id) AS value, g.n AS count
    FROM (SELECT e.${col}_id AS id, count(*) AS n ${FROM} WHERE ${w.sql} AND e.${col}_id IS NOT NULL GROUP BY e.${col}_id) g
    ORDER BY count DESC, value LIMIT ?`).all(...w.params, n) as { value: string; count: number }[];
}

export function getEventRow(db: Database.Database, archiveId: number, index: number): EventRow | null {
  const r = db.prepare(selectRows('SELECT ? AS eid', 'e.eid')).get(archiveId * INDEX_BITS + index) as Record<string, unknown> | undefined;
  return r ? toEventRow(r) : null;
}

export interface ArchiveRow {
  id: number;
  path: string;
  container: string;
  sha256: string | null;
  origin: string | null;
  sourceKind: string | null;
  state: string;
  verdict: string | null;
  entries: number | null;
  coveredEntries: number | null;
}

export function listArchives(db: Database.Database): ArchiveRow[] {
  return db.prepare(`SELECT a.id, a.path, a.container, a.sha256, a.origin, a.source_kind AS sourceKind, a.state, r.verdict, r.entries, r.covered_entries AS coveredEntries
    FROM archives a LEFT JOIN runs r ON r.id = a.last_run_id ORDER BY a.id`).all() as ArchiveRow[];
}
