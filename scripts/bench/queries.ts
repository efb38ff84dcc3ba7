// Times 20 typical examiner queries on a case database (run by scripts/bench/index.mjs): p50/p95 of each, in milliseconds.
import { performance } from 'node:perf_hooks';
import { openCaseDatabase } from '../../electron/services/index/writer.node.ts';
import { countEvents, getEventRow, histogram, listEvents, topValues, type EventFilter } from '../../electron/services/index/query.node.ts';

const db = openCaseDatabase(process.argv[2]!, { readonly: true });
const runs = Number(process.argv[3] ?? 15);
const span = db.prepare('SELECT min(time_us) AS lo, max(time_us) AS hi, count(*) AS n FROM entries').get() as { lo: number; hi: number; n: number };
const user = (db.prepare('SELECT username FROM entries WHERE username IS NOT NULL LIMIT 1 OFFSET (SELECT count(*) / 2 FROM entries)').get() as { username: string }).username;
const hour = 3_600_000_000;
const page = (f: EventFilter) => () => listEvents(db, f, { limit: 100, sort: 'time' }).events.length;
const deep = (() => {
  let cursor = null;
  for (let i = 0; i < 50; i++) cursor = listEvents(db, {}, { limit: 100, sort: 'time', after: cursor }).next;
  return cursor;
})();
const queries: [string, () => unknown][] = [
  ['count all events', () => countEvents(db, {})],
  ['first page, by time', page({})],
  ['page 51 by keyset cursor', () => listEvents(db, {}, { limit: 100, sort: 'time', after: deep }).events.length],
  [`user = ${user}`, page({ user })],
  ['verb = delete', page({ verb: 'delete' })],
  ['resource = secrets', page({ resource: 'secrets' })],
  ['namespace = kube-system', page({ namespace: 'kube-system' })],
  ['code = 403', page({ code: 403 })],
  ['one hour time range', page({ fromUs: span.lo + hour, toUs: span.lo + 2 * hour })],
  ['full text "admin"', page({ text: 'admin' })],
  ['full text "kube-system pods"', page({ text: 'kube-system pods' })],
  ['count, full text "secrets"', () => countEvents(db, { text: 'secrets' })],
  ['histogram, 60 buckets, all', () => histogram(db, {}, 60).buckets.length],
  [`histogram, user = ${user}`, () => histogram(db, { user }, 60).buckets.length],
  ['top 10 users', () => topValues(db, {}, 'users', 10)],
  ['top 10 source IPs', () => topValues(db, {}, 'sourceIps', 10)],
  ['preset denied, count', () => countEvents(db, { preset: 'denied' })],
  ['preset rbac-changes, page', page({ preset: 'rbac-changes' })],
  ['preset exec, page', page({ preset: 'exec' })],
  ['one entry by index', () => getEventRow(db, 1, Math.floor(span.n / 2))],
];
const all: number[] = [];
const rows = queries.map(([name, q]) => {
  q(); // warm
  const t: number[] = [];
  for (let i = 0; i < runs; i++) {
    const s = performance.now();
    q();
    t.push(performance.now() - s);
  }
  all.push(...t);
  t.sort((a, b) => a - b);
  return { name, p50: t[Math.floor(t.length * 0.5)]!, p95: t[Math.min(t.length - 1, Math.ceil(t.length * 0.95) - 1)]! };
});
all.sort((a, b) => a - b);
process.stdout.write(`${JSON.stringify({ rows, p50: all[Math.floor(all.length * 0.5)], p95: all[Math.ceil(all.length * 0.95) - 1], events: span.n })}\n`);
