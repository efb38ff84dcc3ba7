// Aggregates computed once per archive at index time (counts per value, per preset, per second), so the explorer's every-screen queries read a few rows instead of every entry.
import type Database from 'better-sqlite3';
import { INDEX_BITS } from './columns.node.ts';

/** The presets migration 5 counted (its SQL is kept as it first ran). */
export const PRESETS_V5 = ['secrets-access', 'rbac-changes', 'exec', 'impersonation', 'denied', 'anonymous', 'deletions', 'admission-changes', 'service-account'] as const;
export const PRESETS = [...PRESETS_V5, 'sensitive'] as const;
export type PresetName = (typeof PRESETS)[number];

export const WRITE_VERBS = "('create', 'update', 'patch', 'delete', 'deletecollection')";

/** `e.<col>_id` is the id of a string for which `cond` (over `value`) holds: the dictionary form of a test on `e.<col>`. */
export const valueOf = (col: string, cond: string) => `e.${col}_id IN (SELECT id FROM strings WHERE ${cond})`;

/**
 * The same definitions over `entry_rows` (dictionary ids), which is what is run: each test on a text
 * column becomes the same test on the distinct strings, then a lookup of their ids.
 */
export const PRESET_ID_SQL: Record<Exclude<PresetName, 'service-account'>, string> = {
  'secrets-access': valueOf('resource', "value = 'secrets'"),
  'rbac-changes': `${valueOf('resource', "value IN ('roles', 'clusterroles', 'rolebindings', 'clusterrolebindings')")} AND ${valueOf('verb', `value IN ${WRITE_VERBS}`)}`,
  exec: `${valueOf('resource', "value = 'pods'")} AND ${valueOf('subresource', "value IN ('exec', 'attach', 'portforward')")}`,
  impersonation: 'e.impersonated_user_id IS NOT NULL',
  denied: `(e.response_code = 403 OR ${valueOf('decision', "value = 'forbid'")})`,
  anonymous: `(${valueOf('username', "value IN ('system:anonymous')")} OR ${valueOf('groups', `value LIKE '%"system:unauthenticated"%'`)})`,
  deletions: valueOf('verb', "value IN ('delete', 'deletecollection')"),
  'admission-changes': `${valueOf('resource', "value IN ('validatingwebhookconfigurations', 'mutatingwebhookconfigurations', 'validatingadmissionpolicies', 'validatingadmissionpolicybindings', 'mutatingadmissionpolicies', 'mutatingadmissionpolicybindings')")} AND ${valueOf('verb', `value IN ${WRITE_VERBS}`)}`,
  sensitive: 'e.sensitive IS NOT NULL',
};

/** The service-account preset without a name: every service account. */
export const SERVICE_ACCOUNT_SQL = valueOf('username', "value LIKE 'system:serviceaccount:%'");

/** The top-N fields of the explorer and their columns. */
export const TOP_FIELDS = { users: 'username', resources: 'resource', sourceIps: 'source_ip', userAgents: 'user_agent', verbs: 'verb', namespaces: 'namespace' } as const;

export const AGGREGATE_TABLES = `
CREATE TABLE value_counts (archive_id INTEGER NOT NULL, field TEXT NOT NULL, value_id INTEGER NOT NULL, n INTEGER NOT NULL, PRIMARY KEY (archive_id, field, value_id)) WITHOUT ROWID;
CREATE TABLE preset_counts (archive_id INTEGER NOT NULL, preset TEXT NOT NULL, n INTEGER NOT NULL, PRIMARY KEY (archive_id, preset)) WITHOUT ROWID;
CREATE TABLE time_counts (archive_id INTEGER NOT NULL, second INTEGER NOT NULL, n INTEGER NOT NULL, PRIMARY KEY (archive_id, second)) WITHOUT ROWID;
`;

/** Floor of time_us / 10^6 (SQLite's integer division truncates toward zero). */
const SECOND = '((e.time_us - ((e.time_us % 1000000) + 1000000) % 1000000) / 1000000)';

/**
 * The statements that fill the aggregates of the rows `range` selects (an SQL condition on `e`),
 * with the very SQL the query service would otherwise run on every call.
 */
export function aggregateSql(range: string, presets: readonly PresetName[] = PRESETS): string[] {
  const counted = presets.map((p) => `SELECT e.archive_id AS a, '${p}' AS preset, count(*) AS n FROM entry_rows e WHERE ${range} AND ${p === 'service-account' ? SERVICE_ACCOUNT_SQL : PRESET_ID_SQL[p]} GROUP BY e.archive_id`);
  return [
    ...Object.entries(TOP_FIELDS).map(([field, col]) =>
      `INSERT INTO value_counts (archive_id, field, value_id, n) SELECT e.archive_id, '${field}', e.${col}_id, count(*) FROM entry_rows e WHERE ${range} AND e.${col}_id IS NOT NULL GROUP BY e.archive_id, e.${col}_id`),
    `INSERT INTO preset_counts (archive_id, preset, n) ${counted.join(' UNION ALL ')}`,
    `INSERT INTO time_counts (archive_id, second, n) SELECT e.archive_id, ${SECOND}, count(*) FROM entry_rows e WHERE ${range} AND e.time_us IS NOT NULL GROUP BY e.archive_id, 2`,
  ];
}

/** Computes one archive's aggregates from its rows (which are final), by scanning them. */
export function computeAggregates(db: Database.Database, archiveId: number): void {
  dropAggregates(db, archiveId);
  const lo = archiveId * INDEX_BITS;
  for (const sql of aggregateSql(`e.eid BETWEEN ${lo} AND ${lo + INDEX_BITS - 1}`)) db.exec(sql);
}

/** The columns the preset definitions test, read from the definitions themselves so the two cannot drift apart. */
const PRESET_COLUMNS = [...new Set([...Object.values(PRESET_ID_SQL), SERVICE_ACCOUNT_SQL].flatMap((sql) => [...sql.matchAll(/\be\.(\w+)/g)].map((m) => m[1]!)))].sort();
/** Past this many trie nodes (distinct combinations of those columns, and their prefixes) the tally gives up and the rows are scanned at the end. */
const COMBINATION_NODE_LIMIT = 500_000;

interface TallyNode {
  next: Map<number | null, TallyNode>;
  n: number;
}

/**
 * The aggregates of one archive counted while its rows are written (the writer sees every row once
 * anyway), instead of eight scans of a million rows when it finishes. Presets are not re-stated
 * here: rows are counted per combination of the columns the presets test, and the very preset SQL
 * then runs over those few combinations. Answers exactly what computeAggregates would.
 */
export class AggregateTally {
  /** Positions, in a row of `columns`, of the values tallied. */
  private readonly top: { field: string; at: number; counts: Map<number, number> }[];
  private readonly presetAt: number[];
  private readonly timeAt: number;
  private readonly seconds = new Map<number, number>();
  private readonly root: TallyNode = { next: new Map(), n: 0 };
  private nodes = 0;
  /** False once the rows can no longer be counted here (a range was dropped, or too many combinations). */
  valid = true;

  constructor(columns: readonly string[]) {
    const at = (c: string) => {
      const i = columns.indexOf(c);
      if (i < 0) throw new Error(`aggregate tally: no column ${c}`);
      return i;
    };
    this.top = Object.entries(TOP_FIELDS).map(([field, col]) => ({ field, at: at(`${col}_id`), counts: new Map() }));
    this.presetAt = PRESET_COLUMNS.map(at);
    this.timeAt = at('time_us');
  }

  add(row: readonly unknown[]): void {
    if (!this.valid) return;
    for (const t of this.top) {
      const id = row[t.at] as number | null;
      if (id !== null) t.counts.set(id, (t.counts.get(id) ?? 0) + 1);
    }
    const us = row[this.timeAt] as number | null;
    if (us !== null) {
      const second = (us - (((us % 1e6) + 1e6) % 1e6)) / 1e6; // as SECOND above: floor, exact for any integer
      this.seconds.set(second, (this.seconds.get(second) ?? 0) + 1);
    }
    // A trie over the combination's values: a few number-keyed lookups, no key string per row.
    let node = this.root;
    for (const i of this.presetAt) {
      const v = (row[i] ?? null) as number | null;
      let next = node.next.get(v);
      if (next === undefined) {
        if (this.nodes >= COMBINATION_NODE_LIMIT) {
          this.valid = false;
          return;
        }
        next = { next: new Map(), n: 0 };
        node.next.set(v, next);
        this.nodes++;
      }
      node = next;
    }
    node.n++;
  }

  /** Every combination that occurred, with its count. */
  private *combinations(node = this.root, values: (number | null)[] = []): Generator<[(number | null)[], number]> {
    if (values.length === PRESET_COLUMNS.length) yield [values, node.n];
    else for (const [v, next] of node.next) yield* this.combinations(next, [...values, v]);
  }

  /** Writes the archive's aggregates (inside the caller's transaction). */
  write(db: Database.Database, archiveId: number): void {
    dropAggregates(db, archiveId);
    const value = db.prepare('INSERT INTO value_counts (archive_id, field, value_id, n) VALUES (?, ?, ?, ?)');
    for (const t of this.top) for (const [id, n] of t.counts) value.run(archiveId, t.field, id, n);
    const second = db.prepare('INSERT INTO time_counts (archive_id, second, n) VALUES (?, ?, ?)');
    for (const [s, n] of this.seconds) second.run(archiveId, s, n);
    db.exec(`CREATE TEMP TABLE tally (n INTEGER NOT NULL, ${PRESET_COLUMNS.join(', ')})`);
    try {
      const combination = db.prepare(`INSERT INTO temp.tally VALUES (?, ${PRESET_COLUMNS.map(() => '?').join(', ')})`);
      for (const [values, n] of this.combinations()) combination.run(n, ...values);
      for (const p of PRESETS) {
        const sql = p === 'service-account' ? SERVICE_ACCOUNT_SQL : PRESET_ID_SQL[p];
        db.prepare(`INSERT INTO preset_counts (archive_id, preset, n) SELECT ?, ?, sum(e.n) FROM temp.tally e WHERE ${sql} HAVING count(*) > 0`).run(archiveId, p);
      }
    } finally {
      db.exec('DROP TABLE temp.tally');
    }
  }
}

export function dropAggregates(db: Database.Database, archiveId: number): void {
  for (const t of ['value_counts', 'preset_counts', 'time_counts']) db.prepare(`DELETE FROM ${t} WHERE archive_id = ?`).run(archiveId);
}
