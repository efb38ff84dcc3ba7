// The app's excerpt methods: export the explorer's filter, a brushed time window or chosen entries as an evidence excerpt, and open one to show each item's status.
import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import type Database from 'better-sqlite3';
import type { EventFilterInput, ExcerptExportInput, ExcerptExportView, ExcerptView } from '../../../shared/api.ts';
import type { TrustPolicy } from '../../../shared/core/evaluate.ts';
import { readExcerptForReport } from '../attest/excerpt-content.node.ts';
import { createExcerpt, excerptContainer, verifyExcerpt, type ExcerptSelection, type IndexRange } from '../excerpt.node.ts';
import { listEvents, type EventFilter } from '../index/query.node.ts';
import { UsageError } from '../keys.node.ts';
import { CannotProveError } from '../proof.node.ts';

/** More items than any handover needs from the app; the command line takes more. */
export const APP_EXCERPT_LIMIT = 200_000;

export class ExcerptFailure extends Error {
  constructor(readonly code: string, message: string) {
    super(message);
  }
}

/** "5,7,10-20": how the manifest records indices chosen by hand. */
function indexList(sorted: readonly number[]): string {
  const parts: string[] = [];
  for (let k = 0; k < sorted.length; ) {
    let j = k;
    while (j + 1 < sorted.length && sorted[j + 1] === sorted[j]! + 1) j++;
    parts.push(j === k ? String(sorted[k]) : `${sorted[k]}-${sorted[j]}`);
    k = j + 1;
  }
  return parts.join(',');
}

/** STEM.tar.gz, or STEM-2.tar.gz and so on when two exports fall in the same second: an excerpt is never overwritten. */
function freeName(stem: string): string {
  for (let k = 1; ; k++) {
    const p = `${stem}${k === 1 ? '' : `-${k}`}.tar.gz`;
    if (!existsSync(p)) return p;
  }
}

/** A filter of only a time range is the histogram's brushed window: exported complete, every index of its range. */
const isWindow = (f: EventFilterInput): boolean => f.fromUs !== undefined && f.toUs !== undefined && Object.keys(f).every((k) => k === 'archiveId' || k === 'fromUs' || k === 'toUs');

export interface ExportContext {
  db: Database.Database;
  dbName: string;
  archiveId: number;
  archivePath: string;
  caseFolder: string;
  policy: TrustPolicy;
  toFilter(f: EventFilterInput): EventFilter;
}

export async function exportExcerpt(x: ExportContext, input: ExcerptExportInput): Promise<ExcerptExportView> {
  let indices: number[];
  let complete: IndexRange[] = [];
  let selection: ExcerptSelection;
  if ('indices' in input.selection) {
    indices = [...new Set(input.selection.indices)].sort((a, b) => a - b);
    if (indices.length === 0) throw new ExcerptFailure('bad-request', 'choose at least one entry to export');
    selection = { kind: 'indices', list: indexList(indices) };
  } else {
    const f = { ...input.selection.filter, archiveId: x.archiveId };
    if (isWindow(f)) {
      // The same mapping as sealcheck excerpt --from/--to (docs/excerpt-format.md §7).
      const span = x.db.prepare('SELECT min(idx) AS first, max(idx) AS last FROM entries WHERE archive_id = ? AND time_us >= ? AND time_us < ?').get(x.archiveId, f.fromUs, f.toUs) as { first: number | null; last: number | null };
      if (span.first === null || span.last === null) throw new ExcerptFailure('bad-request', 'no event of this archive has a time in the window');
      if (span.last - span.first + 1 > APP_EXCERPT_LIMIT) throw new ExcerptFailure('bad-request', `the window spans ${span.last - span.first + 1} entries, more than the app exports (${APP_EXCERPT_LIMIT}); use sealcheck excerpt --from/--to`);
      indices = [];
      for (let i = span.first; i <= span.last; i++) indices.push(i);
      complete = [{ first: span.first, last: span.last }];
      selection = { kind: 'window', from: new Date(f.fromUs! / 1000).toISOString(), to: new Date(f.toUs! / 1000).toISOString(), database: x.dbName };
    } else {
      indices = [];
      let after = null;
      do {
        const page = listEvents(x.db, x.toFilter(f), { limit: 10_000, sort: 'index', after });
        for (const e of page.events) indices.push(e.index);
        if (indices.length > APP_EXCERPT_LIMIT) throw new ExcerptFailure('bad-request', `the filter matches more than ${APP_EXCERPT_LIMIT} events, more than the app exports; narrow it or use sealcheck excerpt`);
        after = page.next;
      } while (after);
      if (indices.length === 0) throw new ExcerptFailure('bad-request', 'the filter matches no event');
      indices.sort((a, b) => a - b);
      const { archiveId: _, ...recorded } = f;
      selection = { kind: 'query', database: x.dbName, filter: Object.fromEntries(Object.entries(recorded).filter(([, v]) => v !== undefined)) as Record<string, string | number> };
    }
  }
  const out = input.out === null ? freeName(join(x.caseFolder, 'excerpts', `archive-${x.archiveId}-${new Date().toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z')}`)) : resolve(input.out);
  try {
    excerptContainer(out);
  } catch (e) {
    throw new ExcerptFailure('bad-request', (e as Error).message.replace(/^excerpt: --out /, ''));
  }
  if (!existsSync(dirname(out))) {
    if (input.out !== null) throw new ExcerptFailure('not-found', `${dirname(out)}: no such folder`);
    await mkdir(dirname(out), { recursive: true });
  }
  if (resolve(out).startsWith(`${resolve(x.archivePath)}/`)) throw new ExcerptFailure('bad-request', `${out} is inside the evidence ${x.archivePath}; evidence is never written to`);
  try {
    const r = await createExcerpt({ archive: x.archivePath, out, policy: x.policy, indices, complete, selection, withholdSensitive: input.withholdSensitive });
    return {
      path: r.out, name: basename(r.out), items: r.items, disclosed: r.disclosed, withheld: r.withheld,
      byRule: Object.entries(r.byRule).map(([rule, count]) => ({ rule, count })), complete: r.manifest.complete, treeSize: r.manifest.checkpoint.size,
    };
  } catch (e) {
    if (e instanceof CannotProveError) throw new ExcerptFailure('cannot-prove', e.message);
    if (e instanceof UsageError) throw new ExcerptFailure('bad-request', e.message.replace(/^excerpt: /, ''));
    throw e;
  }
}

/** Checks an excerpt with the case's trusted keys and lists its items with what each disclosed event says. */
export async function openExcerpt(path: string, policy: TrustPolicy): Promise<ExcerptView> {
  const full = resolve(path);
  if (!existsSync(full)) throw new ExcerptFailure('not-found', `${path}: no such file or folder`);
  let v;
  try {
    v = await verifyExcerpt(full, policy);
  } catch (e) {
    if (e instanceof UsageError) throw new ExcerptFailure('bad-request', e.message.replace(/^verify-excerpt: /, ''));
    throw e;
  }
  const files = await readExcerptForReport(full, new Set(v.items.filter((i) => i.status === 'disclosed').map((i) => i.index)));
  const missing = (r: IndexRange) => v.problems.some((p) => p.includes(`complete range ${r.first}..${r.last}`));
  return {
    path: full, name: basename(full), valid: v.valid, origin: v.origin, treeSize: v.size, root: v.root, problems: v.problems,
    complete: v.complete.map((r) => ({ ...r, whole: !missing(r) })), disclosed: v.disclosed, withheld: v.withheld,
    items: v.items.map((i) => {
      const f = files.events.get(i.index);
      return {
        index: i.index, status: i.status, ok: i.ok, reason: i.reason, reasons: i.reasons ?? [], redacted: i.redacted === true,
        time: f?.time ?? null, user: f?.username ?? null, verb: f?.verb ?? f?.method ?? null, resource: f ? (f.resource ?? f.path) : null,
        namespace: f?.namespace ?? null, code: f?.responseCode ?? null,
      };
    }),
  };
}
