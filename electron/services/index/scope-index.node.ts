// Policy records and time gaps of a run in the case database (migration 7, issue 11), so the index can be asked which policy was in force and where the log went silent.
import type Database from 'better-sqlite3';
import type { Scope } from '../../../shared/core/scope.ts';

/** Migration 7: one row per audit policy a run found or was given, one per time gap. */
export const SCOPE_TABLES = `
CREATE TABLE audit_policies (
  run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
  seq INTEGER NOT NULL,
  source TEXT NOT NULL CHECK (source IN ('sealed', 'supplied')),
  entry_index INTEGER,
  sha256 TEXT,
  file TEXT,
  rules INTEGER NOT NULL,
  blind_spots TEXT NOT NULL,
  PRIMARY KEY (run_id, seq)
) WITHOUT ROWID;
CREATE TABLE time_gaps (
  run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
  from_index INTEGER NOT NULL,
  to_index INTEGER NOT NULL,
  from_us INTEGER NOT NULL,
  to_us INTEGER NOT NULL,
  PRIMARY KEY (run_id, from_index)
) WITHOUT ROWID;
`;

/**
 * The run's policies (sealed: the entry holding it; supplied: entry_index NULL) with their blind spots
 * as JSON, and its time gaps with both entry indexes and times in µs, like entry_rows.time_us.
 */
export function indexScope(db: Database.Database, runId: number, scope: Scope): void {
  db.transaction(() => {
    db.prepare('DELETE FROM audit_policies WHERE run_id = ?').run(runId);
    db.prepare('DELETE FROM time_gaps WHERE run_id = ?').run(runId);
    const policy = db.prepare('INSERT INTO audit_policies (run_id, seq, source, entry_index, sha256, file, rules, blind_spots) VALUES (?, ?, ?, ?, ?, ?, ?, ?)');
    scope.policies.forEach((p, seq) => policy.run(runId, seq, p.source, p.entryIndex, p.sha256, p.file, p.rules, JSON.stringify(p.blindSpots)));
    const gap = db.prepare('INSERT INTO time_gaps (run_id, from_index, to_index, from_us, to_us) VALUES (?, ?, ?, ?, ?)');
    for (const g of scope.timeGaps.gaps) gap.run(runId, g.fromIndex, g.toIndex, Math.round(g.fromTime * 1000), Math.round(g.toTime * 1000));
  })();
}
