// `sealcheck excerpt` and `sealcheck verify-excerpt`: hand over chosen entries with one C2SP tlog-proof each, and check such an excerpt (docs/excerpt-format.md).
import { basename, resolve } from 'node:path';
import { describeUnixSeconds, stringifyJson } from '../../shared/core/json-text.ts';
import { SENSITIVE_RULES } from '../../shared/core/sensitive.ts';
import { createExcerpt, parseIndexList, verifyExcerpt, type ExcerptSelection, type IndexRange } from '../services/excerpt.node.ts';
import { listArchives, listEvents, PRESETS, type EntryStatus, type EventFilter, type PresetName } from '../services/index/query.node.ts';
import { openCaseDatabase } from '../services/index/writer.node.ts';
import { UsageError } from '../services/keys.node.ts';
import { CannotProveError } from '../services/proof.node.ts';
import { one, parseArgs, required, type Parsed } from './args.ts';
import { loadPolicy, type Io } from './main.ts';
import { refuseInsideEvidence, requireCaseDatabase, requireOutputFolder } from './paths.ts';

export const EXCERPT_USAGE = `  sealcheck excerpt ARCHIVE --trust KEY [...] [--witness KEY ... --quorum K]
                   (--index LIST | --db CASE.sqlite [query filters] | --db CASE.sqlite --from TIME --to TIME)
                   [--withhold-sensitive] [--withhold INDEX[,INDEX...] ...] --out EXCERPT[.tar.gz]
                   (LIST: 5,7,10-20; query filters as in sealcheck query: --verb --user --resource
                   --namespace --code --text --preset [--account] --stage --decision --status; --from/--to
                   alone take every entry of the window: a complete index range)
  sealcheck verify-excerpt EXCERPT --trust KEY [...] [--witness KEY ... --quorum K] [--json]
`;

export const EXCERPT_EXIT_CODES = `excerpt: exit 0 written, 1 an entry is not covered by a trusted checkpoint, 2 bad usage.
verify-excerpt: exit 0 every item proven and every complete range whole, 1 a check failed (one line per item), 2 bad usage.
Sensitive rules of --withhold-sensitive: ${SENSITIVE_RULES.map((r) => r.rule).join(', ')}.
`;

const POLICY_FLAGS = { trust: { kind: 'many' }, witness: { kind: 'many' }, quorum: { kind: 'one' } } as const;
const FILTER_FLAGS = ['verb', 'user', 'resource', 'namespace', 'code', 'text', 'preset', 'account', 'stage', 'decision', 'status'] as const;

/** RFC 3339 (a date alone is midnight UTC) → microseconds, like sealcheck query. */
function timeUs(p: Parsed, name: string): number | undefined {
  const v = one(p, name);
  if (v === undefined) return undefined;
  const ms = Date.parse(/^\d{4}-\d{2}-\d{2}$/.test(v) ? `${v}T00:00:00Z` : v);
  if (!/^\d{4}-\d{2}-\d{2}/.test(v) || Number.isNaN(ms)) throw new UsageError(`excerpt: --${name} ${JSON.stringify(v)} is not a time (use RFC 3339, e.g. 2023-03-10T22:38:26Z)`);
  return ms * 1000;
}

export async function excerptCommand(argv: string[], io: Io): Promise<number> {
  const spec: Record<string, { kind: 'bool' | 'one' | 'many' }> = {
    ...POLICY_FLAGS, index: { kind: 'one' }, db: { kind: 'one' }, from: { kind: 'one' }, to: { kind: 'one' },
    'withhold-sensitive': { kind: 'bool' }, withhold: { kind: 'many' }, out: { kind: 'one' },
  };
  for (const f of FILTER_FLAGS) spec[f] = { kind: 'one' };
  const p = parseArgs(argv, spec, 'excerpt');
  if (p.positional.length !== 1) throw new UsageError(`excerpt: expected exactly one ARCHIVE, got ${p.positional.length}`);
  const archive = p.positional[0]!;
  const out = required(p, 'out', 'excerpt');
  refuseInsideEvidence(out, archive, 'excerpt: --out');
  requireOutputFolder(out, 'excerpt: --out');
  const filters = FILTER_FLAGS.filter((f) => p.flags.has(f));
  const window = p.flags.has('from') || p.flags.has('to');
  const indexList = one(p, 'index');
  const dbPath = one(p, 'db');
  if (indexList !== undefined && (dbPath !== undefined || window || filters.length)) throw new UsageError('excerpt: --index excludes --db, --from/--to and query filters');
  if (indexList === undefined && dbPath === undefined) throw new UsageError('excerpt: choose the entries with --index LIST, or with --db CASE.sqlite and query filters or --from/--to');
  if (dbPath === undefined && (window || filters.length)) throw new UsageError('excerpt: query filters and --from/--to need --db CASE.sqlite');
  if (window && filters.length) throw new UsageError(`excerpt: --from/--to make a complete window and take no query filter (--${filters[0]}); to select by time among a query, the window is not complete: use --index`);
  if (window && !(p.flags.has('from') && p.flags.has('to'))) throw new UsageError('excerpt: a complete window needs both --from and --to');
  if (dbPath !== undefined && !window && filters.length === 0) throw new UsageError('excerpt: --db needs query filters or --from/--to (an excerpt of every entry is the archive itself)');
  const policy = await loadPolicy(p, 'excerpt');

  const withhold = new Map<number, string>();
  for (const w of p.flags.get('withhold') ?? []) for (const i of parseIndexList(w, '--withhold')) withhold.set(i, 'withheld by the examiner (--withhold)');

  let indices: number[];
  let complete: IndexRange[] = [];
  let selection: ExcerptSelection;
  if (indexList !== undefined) {
    indices = parseIndexList(indexList);
    selection = { kind: 'indices', list: indexList };
  } else {
    const picked = selectFromDatabase(dbPath!, archive, p, filters, window);
    indices = picked.indices;
    complete = picked.complete;
    selection = picked.selection;
  }
  for (const w of withhold.keys()) if (!indices.includes(w)) throw new UsageError(`excerpt: --withhold ${w} is not among the selected entries`);
  let r;
  try {
    r = await createExcerpt({ archive, out, policy, indices, complete, selection, withhold, withholdSensitive: p.flags.has('withhold-sensitive') });
  } catch (e) {
    if (!(e instanceof CannotProveError)) throw e;
    io.stderr(`sealcheck: cannot make the excerpt: ${e.message}\n`);
    return 1;
  }
  const m = r.manifest;
  io.stdout(`excerpt of ${r.items} entr${r.items === 1 ? 'y' : 'ies'} of ${m.origin} written to ${r.out} (${r.container})\n`);
  io.stdout(`  proven against ${m.checkpoint.source} (tree size ${m.checkpoint.size}), one tlog-proof per item\n`);
  io.stdout(`  disclosed ${r.disclosed}, withheld ${r.withheld}${Object.keys(r.byRule).length ? ` (${Object.entries(r.byRule).map(([k, n]) => `${k} ${n}`).join(', ')})` : ''}\n`);
  for (const c of m.complete) io.stdout(`  complete for indices ${c.first}..${c.last}\n`);
  if (r.verdict !== 'verified') io.stdout(`  note: the archive as a whole is ${r.verdict} (see sealcheck verify); every item of the excerpt is covered\n`);
  io.stdout(`check it with:\n  sealcheck verify-excerpt ${r.out} --trust LOG.pub\n`);
  return 0;
}

/** The entries a query or a time window picks in the case database, for this archive (the database must have indexed this very archive). */
function selectFromDatabase(dbPath: string, archive: string, p: Parsed, filters: readonly string[], window: boolean): { indices: number[]; complete: IndexRange[]; selection: ExcerptSelection } {
  requireCaseDatabase(dbPath, 'excerpt: --db');
  let db;
  try {
    db = openCaseDatabase(dbPath, { readonly: true });
  } catch (e) {
    throw new UsageError(`excerpt: ${dbPath} is not a case database: ${(e as Error).message}`);
  }
  try {
    const archives = listArchives(db);
    const row = archives.find((a) => resolve(a.path) === resolve(archive));
    if (!row) throw new UsageError(`excerpt: ${dbPath} has not indexed ${archive} (it holds ${archives.map((a) => a.path).join(', ') || 'no archive'}); run sealcheck verify ${archive} --index ${dbPath} first`);
    const filter: EventFilter = { archiveId: row.id };
    if (window) {
      const fromUs = timeUs(p, 'from')!;
      const toUs = timeUs(p, 'to')!;
      if (toUs <= fromUs) throw new UsageError('excerpt: --to must be later than --from');
      const span = db.prepare('SELECT min(idx) AS first, max(idx) AS last, count(*) AS n FROM entries WHERE archive_id = ? AND time_us >= ? AND time_us < ?').get(row.id, fromUs, toUs) as { first: number | null; last: number | null; n: number };
      if (span.first === null || span.last === null) throw new UsageError(`excerpt: no indexed event of ${archive} has a time in [${one(p, 'from')}, ${one(p, 'to')})`);
      const indices: number[] = [];
      for (let i = span.first; i <= span.last; i++) indices.push(i);
      return { indices, complete: [{ first: span.first, last: span.last }], selection: { kind: 'window', from: new Date(fromUs / 1000).toISOString(), to: new Date(toUs / 1000).toISOString(), database: basename(dbPath) } };
    }
    const recorded: Record<string, string | number> = {};
    const text = (k: string) => {
      const v = one(p, k);
      if (v !== undefined) recorded[k] = v;
      return v;
    };
    const set = <K extends keyof EventFilter>(k: K, v: EventFilter[K] | undefined) => {
      if (v !== undefined) filter[k] = v;
    };
    set('verb', text('verb'));
    set('user', text('user'));
    set('resource', text('resource'));
    set('namespace', text('namespace'));
    set('stage', text('stage'));
    set('decision', text('decision'));
    set('text', text('text'));
    const code = text('code');
    if (code !== undefined && !/^[1-9][0-9]{2}$/.test(code)) throw new UsageError(`excerpt: --code must be an HTTP status code, got ${JSON.stringify(code)}`);
    set('code', code === undefined ? undefined : Number(code));
    const preset = text('preset');
    if (preset !== undefined && !(PRESETS as readonly string[]).includes(preset)) throw new UsageError(`excerpt: --preset must be one of ${PRESETS.join(', ')}`);
    set('preset', preset as PresetName | undefined);
    set('presetArg', text('account'));
    const status = text('status');
    if (status !== undefined && !['covered', 'unsigned', 'failed'].includes(status)) throw new UsageError('excerpt: --status must be covered, unsigned or failed');
    set('status', status as EntryStatus | undefined);
    const indices: number[] = [];
    let after = null;
    do {
      const page = listEvents(db, filter, { limit: 10_000, sort: 'index', after });
      for (const e of page.events) indices.push(e.index);
      after = page.next;
    } while (after);
    if (indices.length === 0) throw new UsageError(`excerpt: the query selects no entry of ${archive}`);
    indices.sort((a, b) => a - b);
    return { indices, complete: [], selection: { kind: 'query', database: basename(dbPath), filter: recorded } };
  } finally {
    db.close();
  }
}

export async function verifyExcerptCommand(argv: string[], io: Io): Promise<number> {
  const p = parseArgs(argv, { ...POLICY_FLAGS, json: { kind: 'bool' } }, 'verify-excerpt');
  if (p.positional.length !== 1) throw new UsageError(`verify-excerpt: expected exactly one EXCERPT, got ${p.positional.length}`);
  const path = p.positional[0]!;
  const policy = await loadPolicy(p, 'verify-excerpt');
  const v = await verifyExcerpt(path, policy);
  if (p.flags.has('json')) {
    io.stdout(`${stringifyJson(v)}\n`);
    return v.valid ? 0 : 1;
  }
  const failed = v.items.filter((i) => !i.ok);
  if (v.valid) io.stdout(`VERIFIED: all ${v.items.length} items of ${path} are proven in ${v.origin} at tree size ${v.size}; ${v.disclosed} disclosed entries are exactly as logged${v.withheld ? `, ${v.withheld} withheld by leaf hash` : ''}.\n`);
  else io.stdout(`FAILED: ${path}: ${v.problems.length + failed.length} problem${v.problems.length + failed.length === 1 ? '' : 's'}.\n`);
  if (v.origin !== null) io.stdout(`  checkpoint   ${v.origin}, size ${v.size}, root ${v.root}\n`);
  for (const c of v.cosignatures) io.stdout(`  cosigned     by ${c.name} at ${describeUnixSeconds(c.time)}\n`);
  if (v.source) io.stdout(`  source       ${v.source.name}, ${v.source.digest.algorithm} ${v.source.digest.value} (${v.source.digest.of}; a claim only the archive's holder can check)\n`);
  for (const r of v.complete) io.stdout(`  complete     indices ${r.first}..${r.last}${v.problems.some((x) => x.includes(`range ${r.first}..${r.last}`)) ? ' (NOT whole)' : ''}\n`);
  for (const w of v.items.filter((i) => i.status === 'withheld' && i.ok)) io.stdout(`  withheld     index ${w.index}: ${w.reasons!.map((r) => r.rule).join(', ')}${w.redacted ? ' (redacted view: the examiner\'s rendering, not evidence)' : ''}\n`);
  for (const problem of v.problems) io.stdout(`FAIL excerpt: ${problem}\n`);
  for (const f of failed) io.stdout(`FAIL index ${f.index}: ${f.reason}\n`);
  return v.valid ? 0 : 1;
}
