// The evidence scope of a run (issue 11) kept in the case database with the run's report, so the app's Results show it again later.
import { resolve } from 'node:path';
import type Database from 'better-sqlite3';
import { openCaseDatabase } from './writer.node.ts';
import { indexScope } from './scope-index.node.ts';
import type { Scope } from '../../../shared/core/scope.ts';

/**
 * Adds the scope to the run's stored report (runs.report, a JSON object) under `scope`, where the app
 * reads it back whole, and its policies and gaps as rows (audit_policies, time_gaps) for queries.
 */
export function saveRunScope(db: Database.Database, runId: number, scope: Scope): void {
  db.transaction(() => {
    const changed = db.prepare("UPDATE runs SET report = json_set(report, '$.scope', json(?)) WHERE id = ? AND report IS NOT NULL").run(JSON.stringify(scope), runId).changes;
    if (changed !== 1) throw new Error(`run ${runId} has no stored report to add the evidence scope to`);
    indexScope(db, runId, scope);
  })();
}

/** The scope stored with a run's report, or null when the run did not work it out (an index written before issue 11). */
export function runScope(report: unknown): Scope | null {
  const s = (report as { scope?: unknown } | null)?.scope;
  return s && typeof s === 'object' ? (s as Scope) : null;
}

/** After indexing ARCHIVE into the database at dbPath: the scope goes with that archive's last run. */
export function saveIndexedScope(dbPath: string, archive: string, scope: Scope): void {
  const db = openCaseDatabase(dbPath);
  try {
    const row = db.prepare('SELECT last_run_id AS runId FROM archives WHERE path = ?').get(resolve(archive)) as { runId: number | null } | undefined;
    if (!row || row.runId === null) throw new Error(`${archive} has no run in ${dbPath} to add the evidence scope to`);
    saveRunScope(db, row.runId, scope);
  } finally {
    db.close();
  }
}
