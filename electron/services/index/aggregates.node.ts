// Aggregates computed once per archive at index time (counts per value, per preset, per second), so the explorer's every-screen queries read a few rows instead of every entry.
import type Database from 'better-sqlite3';
import { INDEX_BITS } from './columns.node.ts';

export const PRESETS = ['secrets-access', 'rbac-changes', 'exec', 'impersonation', 'denied', 'anonymous', 'deletions', 'admission-changes', 'service-account'] as const;
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
export function aggregateSql(range: string): string[] {
  const presets = PRESETS.map((p) => `SELECT e.archive_id AS a, '${p}' AS preset, count(*) AS n FROM entry_rows e WHERE ${range} AND ${p === 'service-account' ? SERVICE_ACCOUNT_SQL : PRESET_ID_SQL[p]} GROUP BY e.archive_id`);
  return [
    ...Object.entries(TOP_FIELDS).map(([field, col]) =>
      `INSERT INTO value_counts (archive_id, field, value_id, n) SELECT e.archive_id, '${field}', e.${col}_id, count(*) FROM entry_rows e WHERE ${range} AND e.${col}_id IS NOT NULL GROUP BY e.archive_id, e.${col}_id`),
    `INSERT INTO preset_counts (archive_id, preset, n) ${presets.join(' UNION ALL ')}`,
    `INSERT INTO time_counts (archive_id, second, n) SELECT e.archive_id, ${SECOND}, count(*) FROM entry_rows e WHERE ${range} AND e.time_us IS NOT NULL GROUP BY e.archive_id, 2`,
  ];
}

/** Computes one archive's aggregates (its rows are final). */
export function computeAggregates(db: Database.Database, archiveId: number): void {
  dropAggregates(db, archiveId);
  const lo = archiveId * INDEX_BITS;
  for (const sql of aggregateSql(`e.eid BETWEEN ${lo} AND ${lo + INDEX_BITS - 1}`)) db.exec(sql);
}

export function dropAggregates(db: Database.Database, archiveId: number): void {
  for (const t of ['value_counts', 'preset_counts', 'time_counts']) db.prepare(`DELETE FROM ${t} WHERE archive_id = ?`).run(archiveId);
}
