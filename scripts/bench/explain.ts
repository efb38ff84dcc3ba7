// Prints the time and query plan of every statement the query service runs for one call (a debugging aid for the bench's queries).
// Usage: node --import tsx scripts/bench/explain.ts CASE.sqlite '{"text":"admin"}' [list|count|histogram|top]
import { openCaseDatabase } from '../../electron/services/index/writer.node.ts';
import { countEvents, histogram, listEvents, topValues } from '../../electron/services/index/query.node.ts';

const db = openCaseDatabase(process.argv[2]!, { readonly: true });
const filter = JSON.parse(process.argv[3] ?? '{}');
const what = process.argv[4] ?? 'list';
const prepare = db.prepare.bind(db);
db.prepare = ((sql: string) => {
  const explain = prepare(`EXPLAIN QUERY PLAN ${sql}`);
  const plan = (...a: unknown[]) => explain.all(...a) as { detail: string }[];
  const st = prepare(sql);
  for (const m of ['all', 'get'] as const) {
    const orig = st[m].bind(st);
    (st as unknown as Record<string, unknown>)[m] = (...a: unknown[]) => {
      const t = performance.now();
      const r = orig(...a);
      process.stdout.write(`${(performance.now() - t).toFixed(1)} ms  ${sql.replace(/\s+/g, ' ').slice(0, 160)}\n  ${plan(...a).map((p) => p.detail).join(' | ').slice(0, 600)}\n`);
      return r;
    };
  }
  return st;
}) as typeof db.prepare;
if (what === 'list') listEvents(db, filter, { limit: 100, sort: 'time' });
else if (what === 'count') countEvents(db, filter);
else if (what === 'histogram') histogram(db, filter, 60);
else topValues(db, filter, filter.field ?? 'users', 10);
