// Time gaps and out-of-order events: a real log with an hour cut out, the threshold rule, reordering runs, RFC 3339 times.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { eventTime, GAP_FLOOR_MS, NOT_A_CHAIN_GAP, parseRfc3339, TimeGapDetector } from '../../../shared/core/time-gaps.ts';

const LOG = fileURLToPath(new URL('../../../../shared/data/audit-logs/immudb-log-audit_k8s.jsonl', import.meta.url));
const EVENTS = readFileSync(LOG, 'utf8').split('\n').filter((l) => l !== '').map((l) => JSON.parse(l) as unknown);
const HOUR = 3600_000;

function run(times: (number | undefined)[], options = {}) {
  const d = new TimeGapDetector(options);
  times.forEach((t, i) => d.add(i, t));
  return d.finish();
}

test('RFC 3339 times keep microseconds and offsets; junk is undefined', () => {
  assert.equal(parseRfc3339('2023-03-10T22:38:26.382098Z'), Date.UTC(2023, 2, 10, 22, 38, 26) + 382.098);
  assert.equal(parseRfc3339('2023-03-10T23:38:26+01:00'), Date.UTC(2023, 2, 10, 22, 38, 26));
  assert.equal(parseRfc3339('2023-03-10 22:38:26Z'), undefined);
  assert.equal(parseRfc3339('yesterday'), undefined);
  assert.equal(parseRfc3339(1678487906), undefined);
  assert.equal(eventTime({ stageTimestamp: '2023-03-10T22:38:27Z', requestReceivedTimestamp: '2023-03-10T22:38:26Z' }), Date.UTC(2023, 2, 10, 22, 38, 27));
});

test('the real immudb log as published has no gap and nothing out of order', () => {
  const r = run(EVENTS.map(eventTime));
  assert.equal(r.events, 2971);
  assert.equal(r.untimed, 0);
  assert.deepEqual(r.gaps, []);
  assert.deepEqual(r.outOfOrder, []);
  assert.equal(r.thresholdMs, GAP_FLOOR_MS);
  assert.equal(r.firstTime, parseRfc3339('2023-03-10T22:38:26.382098Z'));
  assert.equal(r.note, NOT_A_CHAIN_GAP);
  assert.match(r.note, /^Gaps in time are not gaps in the hash chain/);
});

test('the real log with an hour cut out between entries 1499 and 1500 reports that gap at those indexes', () => {
  const times = EVENTS.map(eventTime).map((t, i) => (i >= 1500 ? t! + HOUR : t));
  const r = run(times);
  assert.equal(r.gaps.length, 1);
  const g = r.gaps[0]!;
  const before = eventTime(EVENTS[1499])!;
  const after = eventTime(EVENTS[1500])!;
  // Entry 1499 holds the latest time before the silence only if the log is in order there; it is.
  assert.deepEqual([g.fromIndex, g.toIndex], [1499, 1500]);
  assert.equal(g.fromTime, before);
  assert.equal(g.toTime, after + HOUR);
  assert.equal(g.durationMs, after + HOUR - before);
  assert.deepEqual(r.outOfOrder, []);
});

test('the threshold follows the log\'s own rate: 50 medians when that exceeds 10 minutes', () => {
  // One event every 5 minutes; a 4-hour silence is 48 intervals (not a gap), a 5-hour one is 60 (a gap).
  const times: number[] = [];
  let t = 0;
  for (let i = 0; i < 100; i++) times.push((t += 5 * 60_000));
  times.push((t += 4 * HOUR));
  for (let i = 0; i < 100; i++) times.push((t += 5 * 60_000));
  times.push((t += 5 * HOUR));
  times.push((t += 5 * 60_000));
  const r = run(times);
  assert.ok(Math.abs(r.medianIntervalMs! - 300_000) / 300_000 < 0.05, String(r.medianIntervalMs));
  assert.ok(Math.abs(r.thresholdMs - 50 * 300_000) / (50 * 300_000) < 0.05);
  assert.deepEqual(r.gaps.map((g) => [g.fromIndex, g.toIndex, g.durationMs]), [[200, 201, 5 * HOUR]]);
});

test('events out of order beyond the tolerance form runs; one event back in time opens no gap', () => {
  const base = [0, 1000, 2000, 300_000, 200_000, 100_000, 301_000, 302_000, 250_000, 303_000, 303_000 + 11 * 60_000];
  const r = run(base);
  assert.deepEqual(r.outOfOrder, [{ fromIndex: 4, toIndex: 5, latestIndex: 3, latestTime: 300_000, maxBehindMs: 200_000, events: 2 }]);
  assert.equal(r.outOfOrderEvents, 2);
  // 250 000 is 52 s behind 302 000: within the 60 s tolerance. The jump to 300 000 is 4.97 minutes: below the floor.
  assert.deepEqual(r.gaps.map((g) => [g.fromIndex, g.toIndex]), [[9, 10]]);
  const strict = run(base, { toleranceMs: 10_000 });
  assert.deepEqual(strict.outOfOrder.map((o) => [o.fromIndex, o.toIndex, o.maxBehindMs]), [[4, 5, 200_000], [8, 8, 52_000]]);
});

test('entries without a time are counted and skipped', () => {
  const r = run([undefined, 0, 1000, 2000, undefined, 2000 + HOUR, Number.NaN, 3000 + HOUR]);
  assert.equal(r.untimed, 3);
  assert.deepEqual(r.gaps.map((g) => [g.fromIndex, g.toIndex]), [[3, 5]]);
  // Two events are one interval: at the log's own rate an hour is then ordinary.
  assert.deepEqual(run([0, HOUR]).gaps, []);
  const empty = run([]);
  assert.deepEqual([empty.firstTime, empty.lastTime, empty.medianIntervalMs, empty.gaps.length], [null, null, null, 0]);
});
