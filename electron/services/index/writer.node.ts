// The single writer of a case database: archive rows, entry rows in batched transactions, then the run's results.
import { existsSync, renameSync, rmSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import type Database from 'better-sqlite3';
import { toHex } from '../../../shared/core/bytes.ts';
import { keyFingerprint, keyIdHex, type VerifierKey } from '../../../shared/core/keys.ts';
import type { ContainerKind, VerifyReport } from '../../../shared/core/report.ts';
import { DERIVED_TEXT, DICT_FIELDS, EMPTY_BLOB, INDEX_BITS, NUM_FIELDS, ROW_COLUMNS, TEXT_FIELDS, FIELD_COLUMNS } from './columns.node.ts';
import { META, type RowBatch } from './rows.node.ts';
import { migrate, SECONDARY_INDEXES, SECONDARY_INDEX_NAMES } from './migrations.node.ts';
import { AggregateTally, computeAggregates, dropAggregates } from './aggregates.node.ts';
import { openSqlite } from './sqlite-binding.node.ts';

export interface ArchiveMeta {
  path: string;
  container: ContainerKind;
  size: number;
}

export interface RunKey extends VerifierKey {
  role: 'log' | 'witness';
  source: string;
}

export interface RunMeta {
  tool: string;
  toolVersion: string;
  startedAt: string;
  keys: RunKey[];
  quorum: number;
  expectedOrigin: string | null;
  anchors: { path: string; note: string }[];
}

const COMMIT_EVERY = 50_000;
/** Helper threads of SQLite's sorter while the indexes are built (its cap is 8; more than the cores does nothing). */
const SORT_THREADS = Math.min(4, availableParallelism());
/** Distinct NULL patterns of rows given a statement of their own (see insertRow). */
const SHAPE_LIMIT = 256;
// A shape is a NULL mask in two 30-bit halves: the row must fit in them.
if (ROW_COLUMNS.length > 60) throw new Error(`entry_rows has ${ROW_COLUMNS.length} columns; insertRow's shape key holds 60`);
/** Past this many strings the writer's id cache starts over (memory stays bounded); misses then ask the database. */
const STRING_CACHE_LIMIT = 500_000;
const ND = DICT_FIELDS.length;
const NT = TEXT_FIELDS.length;
const NN = NUM_FIELDS.length;

/** One sender's string ids, mapped to the database's (index: the sender's id). */
export interface SenderStrings {
  ids: number[];
}

/** The one place case databases are opened, so every process loads the SQLite build made for its own ABI. */
export function openCaseDatabase(path: string, options: { readonly?: boolean } = {}): Database.Database {
  const db = openSqlite(path, options.readonly ? { readonly: true, fileMustExist: true } : {});
  if (!options.readonly) {
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
    db.pragma('foreign_keys = ON');
    migrate(db);
  }
  db.pragma('cache_size = -65536');
  return db;
}

/** Where a new case database is built before it is renamed into place. */
export const partialPath = (path: string): string => `${path}.partial`;

export class CaseWriter {
  readonly db: Database.Database;
  private readonly insertEntry: Database.Statement;
  private readonly findString: Database.Statement;
  private readonly addString: Database.Statement;
  private readonly addStringText: Database.Statement;
  private readonly stringIds = new Map<string, number>();
  private readonly shapes = new Map<number, { statement: Database.Statement; columns: number[]; args: unknown[] }>();
  /** Whether stringIds holds every row of `strings`, so a miss means a new string. */
  private stringsComplete = false;
  private pending = 0;
  private inTransaction = false;
  private bulk = false;
  /** Set while a new database is built in partialPath(path): renamed into place by finish(). */
  private fresh: string | null = null;
  private closed = false;
  /** The aggregates of the archive being written, counted as its rows go in. */
  private tally: { archiveId: number; counts: AggregateTally } | null = null;

  constructor(path: string) {
    if (existsSync(path)) this.db = openCaseDatabase(path);
    else {
      // A new case database is a bulk load: no journal (nothing to roll back to, and each page is
      // written once instead of twice through the WAL), then renamed into place when complete, so
      // a run killed part-way leaves no database rather than half of one. What a killed build left
      // behind is started over.
      const building = partialPath(path);
      rmSync(building, { force: true });
      rmSync(`${building}-journal`, { force: true });
      this.db = openSqlite(building);
      try {
        this.db.pragma('journal_mode = OFF');
        this.db.pragma('synchronous = OFF');
        this.db.pragma('locking_mode = EXCLUSIVE');
        this.db.pragma('foreign_keys = ON');
        this.db.pragma('cache_size = -65536');
        migrate(this.db);
      } catch (e) {
        // Not even the empty schema fitted (a full disk): nothing is left behind.
        this.db.close();
        rmSync(building, { force: true });
        throw e;
      }
      this.fresh = path;
    }
    this.insertEntry = this.db.prepare(`INSERT INTO entry_rows (${ROW_COLUMNS.join(', ')}) VALUES (${ROW_COLUMNS.map(() => '?').join(', ')})`);
    this.findString = this.db.prepare('SELECT id FROM strings WHERE value = ?').pluck();
    this.addString = this.db.prepare('INSERT INTO strings (value) VALUES (?)');
    this.addStringText = this.db.prepare('INSERT INTO strings_fts (rowid, value) VALUES (?, ?)');
    this.stringsComplete = this.db.prepare('SELECT 1 FROM strings LIMIT 1').get() === undefined;
  }

  /** The database's id of a string, added (with its full-text entry) when new. */
  private stringId(v: string): number {
    let id = this.stringIds.get(v);
    if (id !== undefined) return id;
    id = this.stringsComplete ? undefined : (this.findString.get(v) as number | undefined);
    if (id === undefined) {
      id = Number(this.addString.run(v).lastInsertRowid);
      this.addStringText.run(id, v);
    }
    if (this.stringIds.size >= STRING_CACHE_LIMIT) {
      this.stringIds.clear();
      this.stringsComplete = false;
    }
    this.stringIds.set(v, id);
    return id;
  }

  /**
   * Starts (re)indexing an archive: rows left by an earlier run on the same path are removed first,
   * so an interrupted import is rebuilt cleanly rather than merged.
   */
  beginArchive(meta: ArchiveMeta, run: RunMeta): { archiveId: number; runId: number } {
    const db = this.db;
    return db.transaction(() => {
      const old = db.prepare('SELECT id, state FROM archives WHERE path = ?').get(meta.path) as { id: number; state: string } | undefined;
      if (old) {
        const lo = old.id * INDEX_BITS;
        const hi = lo + INDEX_BITS - 1;
        // Its strings stay: other archives may use them, and full-text search reaches rows only through ids.
        db.prepare('DELETE FROM entry_rows WHERE eid BETWEEN ? AND ?').run(lo, hi);
        dropAggregates(db, old.id);
        db.prepare('DELETE FROM archives WHERE id = ?').run(old.id);
      }
      // Loading into an empty table is much faster without the secondary indexes; they are built at the end.
      this.bulk = db.prepare('SELECT 1 FROM entry_rows LIMIT 1').get() === undefined;
      if (this.bulk) for (const name of SECONDARY_INDEX_NAMES) db.exec(`DROP INDEX IF EXISTS ${name}`);
      else db.exec(SECONDARY_INDEXES()); // they may be missing after a bulk import that was killed
      const archiveId = Number(db.prepare("INSERT INTO archives (path, container, size, imported_at, state, sensitive_checked) VALUES (?, ?, ?, ?, 'indexing', 1)").run(meta.path, meta.container, meta.size, run.startedAt).lastInsertRowid);
      if (archiveId >= 2 ** 16) throw new Error('case database holds too many archives');
      const runId = Number(db.prepare('INSERT INTO runs (archive_id, tool, tool_version, started_at, quorum, expected_origin) VALUES (?, ?, ?, ?, ?, ?)').run(archiveId, run.tool, run.toolVersion, run.startedAt, run.quorum, run.expectedOrigin).lastInsertRowid);
      db.prepare('UPDATE archives SET last_run_id = ? WHERE id = ?').run(runId, archiveId);
      this.tally = { archiveId, counts: new AggregateTally(ROW_COLUMNS) };
      return { archiveId, runId };
    })();
  }

  insert(batch: RowBatch, sender: SenderStrings): void {
    if (!this.inTransaction) {
      this.db.exec('BEGIN');
      this.inTransaction = true;
    }
    if (batch.reset) sender.ids.length = 1;
    for (const v of batch.fresh) sender.ids.push(this.stringId(v));
    const ids = sender.ids;
    const { meta, leaves, dict, texts, uuids, nums, sensitive } = batch;
    const leafBytes = Buffer.from(leaves.buffer, leaves.byteOffset, leaves.byteLength);
    const uuidBytes = Buffer.from(uuids.buffer, uuids.byteOffset, uuids.byteLength);
    const params: unknown[] = new Array(ROW_COLUMNS.length);
    const tally = this.tally?.counts;
    for (let r = 0; r < batch.count; r++) {
      const eid = meta[r * META]!;
      params[0] = eid;
      params[1] = Math.floor(eid / INDEX_BITS);
      params[2] = eid % INDEX_BITS;
      params[3] = meta[r * META + 1];
      params[4] = meta[r * META + 2];
      params[5] = meta[r * META + 3];
      params[6] = leafBytes.subarray(r * 32, r * 32 + 32);
      let p = 7;
      for (let i = 0, d = r * ND; i < ND; i++) {
        const local = dict[d + i]!;
        params[p++] = local === 0 ? null : ids[local];
      }
      const t = r * NT;
      // The audit ID's compact form is its 16 bytes; a time's an empty blob (columns.node.ts).
      params[p++] = texts[t] === DERIVED_TEXT ? uuidBytes.subarray(r * 16, r * 16 + 16) : texts[t];
      for (let i = 1; i < NT; i++) params[p++] = texts[t + i] === DERIVED_TEXT ? EMPTY_BLOB : texts[t + i];
      for (let i = 0, u = r * NN; i < NN; i++) {
        const v = nums[u + i]!;
        params[p++] = v === v ? v : null;
      }
      params[p++] = sensitive[r] === 0 ? null : sensitive[r];
      this.insertRow(params);
      if (tally && params[1] === this.tally!.archiveId) tally.add(params);
    }
    this.pending += batch.count;
    if (this.pending >= COMMIT_EVERY) this.commit();
  }

  /**
   * Binding a parameter costs about as much as SQLite's storing it, and most of a row is NULL (an audit
   * event has no access-log columns, an access line no audit ones): each row is inserted by a statement
   * naming only its non-NULL columns, one prepared statement per such shape (the columns left out are
   * NULL either way). Past SHAPE_LIMIT shapes the rest go through the statement naming every column.
   */
  private insertRow(params: unknown[]): void {
    let lo = 0;
    let hi = 0;
    for (let i = 0; i < params.length; i++) {
      if (params[i] === null) continue;
      if (i < 30) lo |= 1 << i;
      else hi |= 1 << (i - 30);
    }
    const key = hi * 2 ** 30 + lo;
    let shape = this.shapes.get(key);
    if (shape === undefined) {
      if (this.shapes.size >= SHAPE_LIMIT) {
        this.insertEntry.run(params);
        return;
      }
      const columns = params.flatMap((v, i) => (v === null ? [] : [i]));
      const sql = `INSERT INTO entry_rows (${columns.map((i) => ROW_COLUMNS[i]).join(', ')}) VALUES (${columns.map(() => '?').join(', ')})`;
      shape = { statement: this.db.prepare(sql), columns, args: new Array(columns.length) };
      this.shapes.set(key, shape);
    }
    const { columns, args } = shape;
    for (let j = 0; j < columns.length; j++) args[j] = params[columns[j]!];
    shape.statement.run(args);
  }

  private commit(): void {
    if (this.inTransaction) this.db.exec('COMMIT');
    this.inTransaction = false;
    this.pending = 0;
  }

  /** Entries of a segment that turned out undecodable are absent (spec §5): their rows go. */
  dropRange(archiveId: number, first: number, count: number): void {
    this.commit();
    if (this.tally?.archiveId === archiveId) this.tally.counts.valid = false;
    const lo = archiveId * INDEX_BITS + first;
    this.db.prepare('DELETE FROM entry_rows WHERE eid BETWEEN ? AND ?').run(lo, lo + count - 1);
  }

  finish(archiveId: number, runId: number, report: VerifyReport, run: RunMeta): void {
    this.commit();
    const db = this.db;
    // The parsing threads are done by now: SQLite's sorter may use the idle cores to build the indexes.
    if (this.bulk) {
      db.pragma(`threads = ${SORT_THREADS}`);
      db.exec(SECONDARY_INDEXES());
    }
    db.transaction(() => {
      if (this.tally?.archiveId === archiveId && this.tally.counts.valid) this.tally.counts.write(db, archiveId);
      else computeAggregates(db, archiveId);
      this.tally = null;
      const m = report.manifest;
      db.prepare('UPDATE archives SET sha256 = ?, origin = ?, source_kind = ?, manifest = ?, state = ? WHERE id = ?')
        .run(report.archive.sha256 || null, report.origin, m?.source?.kind ?? null, m ? JSON.stringify(m) : null, 'complete', archiveId);
      const seg = db.prepare('INSERT INTO segments (archive_id, seq, path, chain, first, count, gzip, sha256, chain_sha256) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)');
      report.segmentChecks.forEach((s, i) => seg.run(archiveId, i, s.path, s.chain, s.first, s.count, s.path.endsWith('.gz') ? 1 : 0, s.sha256, s.chainSha256));
      const errors = report.findings.filter((f) => f.severity === 'error').reduce((n, f) => n + (f.count ?? 1), 0);
      const warnings = report.findings.filter((f) => f.severity === 'warning').reduce((n, f) => n + (f.count ?? 1), 0);
      db.prepare(`UPDATE runs SET finished_at = ?, verdict = ?, entries = ?, covered_entries = ?, checkpoints_total = ?, checkpoints_trusted = ?,
        errors = ?, warnings = ?, report = ? WHERE id = ?`)
        .run(new Date().toISOString(), report.verdict, report.entries, report.coveredEntries, report.checkpoints.total, report.checkpoints.trusted, errors, warnings, JSON.stringify({ ...report, range: undefined }, (_k, v: unknown) => (typeof v === 'bigint' ? (Number.isSafeInteger(Number(v)) ? Number(v) : v.toString()) : v)), runId);
      const findKey = db.prepare('SELECT id FROM keys WHERE name = ? AND key_id = ? AND public_key = ? AND source = ?');
      const addKey = db.prepare('INSERT INTO keys (name, key_id, type, role, public_key, fingerprint, source) VALUES (?, ?, ?, ?, ?, ?, ?)');
      const link = db.prepare('INSERT OR IGNORE INTO run_keys (run_id, key_id) VALUES (?, ?)');
      for (const k of run.keys) {
        const id = keyIdHex(k.keyId);
        const pub = Buffer.from(k.publicKey);
        const row = findKey.get(k.name, id, pub, k.source) as { id: number } | undefined;
        const keyRow = row ? row.id : Number(addKey.run(k.name, id, k.type, k.role, pub, toHex(keyFingerprint(k.publicKey)), k.source).lastInsertRowid);
        link.run(runId, keyRow);
      }
      const anchor = db.prepare('INSERT INTO anchors (run_id, path, note) VALUES (?, ?, ?)');
      for (const a of run.anchors) anchor.run(runId, a.path, a.note);
      const cp = db.prepare('INSERT INTO checkpoints (run_id, path, listed, anchor, malformed, origin, size, root, computed_root, trusted, covers) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)');
      const sig = db.prepare('INSERT INTO signatures (checkpoint_id, line, name, key_id, role, status, time) VALUES (?, ?, ?, ?, ?, ?, ?)');
      for (const c of report.checkpointChecks) {
        const id = Number(cp.run(runId, c.path, c.listed ? 1 : 0, c.anchor ? 1 : 0, c.malformed, c.origin, c.size, c.root, c.computedRoot, c.trusted ? 1 : 0, c.covers ? 1 : 0).lastInsertRowid);
        for (const s of c.signatures) sig.run(id, s.line, s.name, s.keyId, s.role, s.status, s.time ?? null);
      }
      const finding = db.prepare('INSERT INTO findings (run_id, code, severity, file, idx, line, count, message) VALUES (?, ?, ?, ?, ?, ?, ?, ?)');
      for (const f of report.findings) finding.run(runId, f.code, f.severity, f.file ?? null, f.index ?? null, f.line ?? null, f.count ?? null, f.message);
    })();
    if (this.fresh) {
      db.pragma('journal_mode = WAL'); // what every later writer and reader of the case expects
      db.close();
      this.closed = true;
      renameSync(partialPath(this.fresh), this.fresh);
      this.fresh = null;
    } else db.pragma('wal_checkpoint(TRUNCATE)');
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    try {
      this.commit();
    } finally {
      // After a failed write (a full disk) the commit fails too: the database is closed and a new one removed all the same.
      try {
        this.db.close();
      } finally {
        // A new database that was not finished is not a case database: none is left rather than half of one.
        if (this.fresh) rmSync(partialPath(this.fresh), { force: true });
      }
    }
  }
}

export { FIELD_COLUMNS };
