// Component tests in Chromium for the tricky parts: coverage timeline, findings grouping, the virtualized table over 1,000,000 rows.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import { startBridge, type Bridge } from '../../electron/services/api/bridge.node.ts';
import type { BrowserContext } from 'playwright-core';
import type { Finding } from '../../shared/core/findings.ts';
import type { CheckpointCheckView as CheckpointCheck } from '../../shared/core/report.ts';
import { Temp, buildRenderer, eventually, guard, launch, screenshot, textIs, type Guard } from './helpers.ts';

const temp = new Temp();
let bridge: Bridge;
let context: BrowserContext;
let page: Page;
let g: Guard;
const T = { timeout: 120_000 };

before(async () => {
  const out = await buildRenderer(await temp.dir('harness'), 'harness');
  bridge = await startBridge({ casesRoot: await temp.dir('cases'), rendererDir: out, stateDir: await temp.dir('state') });
  context = await launch(await temp.dir('profile'));
  page = context.pages()[0] ?? (await context.newPage());
  page.setDefaultTimeout(15_000);
  g = guard(page, bridge.url);
  await page.goto(`${bridge.url}harness/components.html`);
  await page.locator('body[data-ready=true]').waitFor();
});

after(async () => {
  await context?.close();
  await bridge?.close();
  await temp.cleanup();
});

/** Calls window.harness[method](arg) in the page (the harness has no backend: the data is the argument). */
async function harness(method: string, arg?: unknown): Promise<void> {
  await page.evaluate(`window.harness.${method}(${JSON.stringify(arg ?? null)})`);
}
const opened = async () => (await page.evaluate('window.harness.opened.splice(0)')) as number[];

function checkpoint(path: string, size: number, o: Partial<CheckpointCheck> = {}): CheckpointCheck {
  return {
    path, listed: true, anchor: false, malformed: null, origin: 'audit.example/cluster-1', size, root: `root-${size}`, computedRoot: `root-${size}`, trusted: true, covers: true,
    signatures: [
      { name: 'audit.example/cluster-1', keyId: '1a2b3c4d', role: 'log', status: 'valid', line: 1 },
      { name: 'witness.example/w1', keyId: '5e6f7a8b', role: 'witness', status: 'valid', time: String(1_700_000_000 + size), line: 2 },
    ],
    ...o,
  };
}

test('Coverage timeline: one span per covering checkpoint (what it adds), duplicates and non-covering ones left out, the tail, failed entries', T, async () => {
  await harness('coverage', {
    entries: 10_000,
    coveredEntries: 6_000,
    checkpoints: [
      checkpoint('checkpoints/000000002000.ckpt', 2000),
      checkpoint('checkpoints/000000004000.ckpt', 4000),
      checkpoint('anchors/published-4000', 4000, { listed: false, anchor: true, signatures: [] }),
      checkpoint('checkpoints/000000006000.ckpt', 6000),
      checkpoint('checkpoints/000000008000.ckpt', 8000, { covers: false, computedRoot: 'other' }),
      checkpoint('checkpoints/broken.ckpt', 0, { covers: false, trusted: false, malformed: 'no signature', size: null, root: null }),
    ],
    findings: [
      { code: 'leaf-hash-mismatch', severity: 'error', index: 7000, line: 1001, file: 'segments/000000006000.jsonl', message: 'x' },
      { code: 'chain-link-mismatch', severity: 'error', index: 7000, line: 1001, file: 'segments/000000006000.chain', message: 'y' },
      { code: 'unsigned-tail', severity: 'warning', index: 6000, message: 'z' },
    ] satisfies Finding[],
  });
  const track = page.getByTestId('coverage-track');
  const spans = await track.locator('.coverage-span').evaluateAll((els) => els.map((e) => [e.getAttribute('data-from'), e.getAttribute('data-to')]));
  assert.deepEqual(spans, [['0', '2000'], ['2000', '4000'], ['4000', '6000']]);
  assert.deepEqual(await track.locator('.coverage-tail').evaluate((e) => [e.getAttribute('data-from'), e.getAttribute('data-to')]), ['6000', '10000']);
  assert.deepEqual(await track.locator('.coverage-failed').evaluateAll((els) => els.map((e) => e.getAttribute('data-index'))), ['7000']);
  assert.equal(await track.getAttribute('aria-label'), 'Entries 0 to 9,999: 6,000 covered by 3 trusted checkpoints, 4,000 in the unsigned tail from entry 6,000, 1 failed entry.');

  // Geometry: each span is drawn in proportion to the entries it adds.
  const t = (await track.boundingBox())!;
  const widths = await track.locator('.coverage-span, .coverage-tail').evaluateAll((els) => els.map((e) => e.getBoundingClientRect().width));
  const fractions = widths.map((w) => Math.round((w / (t.width - 2)) * 100));
  assert.deepEqual(fractions, [20, 20, 20, 40]);
  assert.deepEqual(await page.locator('.coverage-axis span').allTextContents(), ['0', '2,000', '4,000', '6,000', '8,000', '10,000']);

  const rows = await page.getByRole('table').getByRole('row').evaluateAll((els) => els.map((e) => [...e.children].map((c) => (c.textContent ?? '').trim())));
  // Cosignature times are the witnesses' signed claims (Unix seconds), shown in UTC without invented milliseconds.
  assert.deepEqual(rows, [
    ['Entries', 'Tree size', 'Checkpoint', 'Cosignatures (witness time)'],
    ['0 – 1,999', '2,000', 'checkpoints/000000002000.ckpt', 'witness.example/w1 at 2023-11-14 22:46:40 UTC'],
    ['2,000 – 3,999', '4,000', 'checkpoints/000000004000.ckpt', 'witness.example/w1 at 2023-11-14 23:20:00 UTC'],
    ['4,000 – 5,999', '6,000', 'checkpoints/000000006000.ckpt', 'witness.example/w1 at 2023-11-14 23:53:20 UTC'],
    ['6,000 – 9,999', '—', 'Unsigned tail: 4,000 entries not covered by any trusted checkpoint. Open entry 6,000'],
  ]);
  await page.getByRole('button', { name: 'Open entry 6,000' }).click();
  assert.deepEqual(await opened(), [6000]);
  await screenshot(page, 'component-coverage-light');
  await harness('theme', 'dark');
  await screenshot(page, 'component-coverage-dark');
  await harness('theme', 'light');
});

test('Coverage timeline: nothing covered at all is all tail; a fully covered log has no tail', T, async () => {
  await harness('coverage', { entries: 50, coveredEntries: 0, checkpoints: [checkpoint('c', 50, { covers: false, trusted: false })], findings: [] });
  assert.equal(await page.locator('.coverage-span').count(), 0);
  assert.deepEqual(await page.locator('.coverage-tail').evaluate((e) => [e.getAttribute('data-from'), e.getAttribute('data-to')]), ['0', '50']);
  await harness('coverage', { entries: 50, coveredEntries: 50, checkpoints: [checkpoint('c', 50)], findings: [] });
  assert.equal(await page.locator('.coverage-tail').count(), 0);
  assert.equal(await page.getByTestId('coverage-track').getAttribute('aria-label'), 'Entries 0 to 49: 50 covered by 1 trusted checkpoint, no unsigned tail, no failed entries.');
});

test('Findings: grouped by code, errors first, counts include the unlisted rest, each location opens its entry, groups collapse', T, async () => {
  const leaf = Array.from({ length: 100 }, (_, i): Finding => ({ code: 'leaf-hash-mismatch', severity: 'error', index: 10 + i, line: 11 + i, file: 'segments/000000000000.jsonl', message: `entry ${10 + i} does not hash to its leaf` }));
  await harness('findings', [
    { code: 'unsigned-tail', severity: 'warning', index: 500, file: 'segments/000000000000.jsonl', message: '12 entries from index 500 on are not covered' },
    ...leaf,
    { code: 'leaf-hash-mismatch', severity: 'error', count: 250, message: '250 more leaf-hash-mismatch findings not listed' },
    { code: 'segment-missing', severity: 'error', file: 'segments/000000001000.jsonl', message: 'segments/000000001000.jsonl is missing' },
    { code: 'checkpoint-untrusted', severity: 'warning', file: 'checkpoints/a.ckpt', message: 'no valid signature from a trusted log key' },
    { code: 'checkpoint-untrusted', severity: 'warning', file: 'checkpoints/b.ckpt', message: 'no valid signature from a trusted log key' },
  ] satisfies Finding[]);
  const groups = await page.locator('.finding-group').evaluateAll((els) =>
    els.map((e) => [e.getAttribute('data-code'), e.querySelector('.badge')!.textContent, e.querySelector('[data-testid=finding-count]')!.textContent]),
  );
  assert.deepEqual(groups, [
    ['leaf-hash-mismatch', 'error', '350 findings'],
    ['segment-missing', 'error', '1 finding'],
    ['unsigned-tail', 'warning', '1 finding'],
    ['checkpoint-untrusted', 'warning', '2 findings'],
  ]);
  const leafGroup = page.locator('.finding-group[data-code="leaf-hash-mismatch"]');
  await textIs(leafGroup.locator('.finding-item').last(), '… and 250 more leaf-hash-mismatch findings not listed (the first 100 of each code are listed).');
  // The first 10 locations, then the rest on request: a hundred of one code must not bury the other codes.
  assert.equal(await leafGroup.locator('.finding-item button.btn-link').count(), 10);
  await screenshot(page, 'component-findings-light');
  await leafGroup.getByRole('button', { name: 'Show all 100 listed' }).click();
  assert.equal(await leafGroup.locator('.finding-item button.btn-link').count(), 100);
  await leafGroup.getByRole('button', { name: /^entry 42 · segments\/000000000000\.jsonl · line 43: open entry 42 in the explorer$/ }).click();
  await page.locator('.finding-group[data-code="unsigned-tail"]').getByRole('button', { name: /^entry 500\b.*: open entry 500 in the explorer$/ }).click();
  assert.deepEqual(await opened(), [42, 500]);
  // A location without an entry is text, not a link.
  assert.equal(await page.locator('.finding-group[data-code="segment-missing"] .finding-item button').count(), 0);

  const toggle = leafGroup.getByRole('button', { name: /leaf-hash-mismatch/ });
  assert.equal(await toggle.getAttribute('aria-expanded'), 'true');
  await toggle.press('Enter');
  assert.equal(await toggle.getAttribute('aria-expanded'), 'false');
  assert.equal(await leafGroup.locator('.finding-items').isVisible(), false);
});

test('Virtualized table, 1,000,000 rows: a few dozen rows in the DOM, smooth scrolling, the end shows the last index with few keyset pages', T, async (t) => {
  await harness('virtual', { rows: 1_000_000, seek: true });
  const grid = page.getByRole('grid', { name: 'Events' });
  assert.equal(await grid.getAttribute('aria-rowcount'), '1000001');
  await textIs(grid.locator('[role=row][aria-rowindex="2"] [role=gridcell]').first(), '0');
  const inDom = () => grid.locator('.vt-spacer [role=row]').count();
  assert.ok((await inDom()) < 60, `rows in the DOM: ${await inDom()}`);

  // Scroll for 120 frames, 3,000 px a frame, measuring frame times and how many rows the DOM holds.
  const stats = (await page.evaluate(`new Promise((resolve) => {
    const el = document.querySelector('.vt-scroll');
    const times = [];
    let maxRows = 0;
    let last = performance.now();
    let n = 0;
    const step = (now) => {
      times.push(now - last);
      last = now;
      maxRows = Math.max(maxRows, el.querySelectorAll('.vt-spacer [role=row]').length);
      el.scrollTop += 3000;
      if (++n < 120) requestAnimationFrame(step);
      else {
        times.sort((a, b) => a - b);
        resolve({ median: times[Math.floor(times.length / 2)], p95: times[Math.floor(times.length * 0.95)], maxRows, top: el.scrollTop });
      }
    };
    requestAnimationFrame(step);
  })`)) as { median: number; p95: number; maxRows: number; top: number };
  t.diagnostic(`scrolling 360,000 px: median frame ${stats.median.toFixed(1)} ms, p95 ${stats.p95.toFixed(1)} ms, at most ${stats.maxRows} rows in the DOM`);
  assert.ok(stats.maxRows < 60, `at most ${stats.maxRows} rows in the DOM while scrolling`);
  // 60 frames a second on an idle machine (16.7 ms); the bounds leave room for a loaded CI box, not for a stall.
  assert.ok(stats.median < 34, `median frame time ${stats.median.toFixed(1)} ms`);
  assert.ok(stats.p95 < 100, `95th percentile frame time ${stats.p95.toFixed(1)} ms`);

  // Drag to the very end: the last entry, loaded by seeking to its block, not by paging through a million rows.
  await page.evaluate('window.harness.fetches = []');
  await page.evaluate(`(() => { const el = document.querySelector('.vt-scroll'); el.scrollTop = el.scrollHeight; })()`);
  await grid.locator('[role=row][aria-rowindex="1000001"]').waitFor();
  await textIs(grid.locator('[role=row][aria-rowindex="1000001"] [role=gridcell]').first(), '999,999');
  const fetches = (await page.evaluate('window.harness.fetches')) as [number | null, number][];
  assert.ok(fetches.length <= 3, `${fetches.length} keyset pages to reach the end`);
  // Chromium paints content millions of px down imprecisely (rows overlapped past ~8,000,000 px in a screenshot, while
  // their layout boxes were exact): the scroll range and every row's offset must stay well below that.
  const extent = (await page.evaluate(`(() => {
    const el = document.querySelector('.vt-scroll');
    const rows = [...el.querySelectorAll('.vt-spacer [role=row]')];
    return { scrollHeight: el.scrollHeight, maxRowY: Math.max(...rows.map((r) => new DOMMatrix(getComputedStyle(r).transform).m42)) };
  })()`)) as { scrollHeight: number; maxRowY: number };
  assert.ok(extent.scrollHeight <= 4_100_000 && extent.maxRowY < 4_000_000, JSON.stringify(extent));
  const tops = (await page.evaluate(`[...document.querySelectorAll('.vt-spacer [role=row]')]
    .sort((a, b) => Number(a.getAttribute('aria-rowindex')) - Number(b.getAttribute('aria-rowindex')))
    .map((r) => r.getBoundingClientRect().top)`)) as number[];
  for (let i = 1; i < tops.length; i++) assert.ok(Math.abs(tops[i]! - tops[i - 1]! - 28) < 0.01, `row ${i} is 28 px below the one before (${tops[i]! - tops[i - 1]!})`);

  // The wheel moves by exactly its delta even though the scrollbar is scaled (28,000,000 px of rows).
  await page.evaluate(`(() => { const el = document.querySelector('.vt-scroll'); el.scrollTop = 0; })()`);
  await textIs(grid.locator('[role=row][aria-rowindex="2"] [role=gridcell]').first(), '0');
  const head = (await grid.locator('.vt-head').boundingBox())!;
  await page.mouse.move(head.x + 200, head.y + 200);
  await page.mouse.wheel(0, 280);
  await eventually(
    async () => Math.round(((await grid.locator('[role=row][aria-rowindex="12"]').boundingBox())?.y ?? 0) - (head.y + head.height)),
    (d) => d === 0,
    'entry 10 at the top after a 280 px wheel',
  );

  // The keyboard: Home, arrows, End.
  await grid.focus();
  await page.keyboard.press('Home');
  await textIs(page.getByTestId('selected'), '0');
  await page.keyboard.press('ArrowDown');
  await page.keyboard.press('ArrowDown');
  await textIs(page.getByTestId('selected'), '2');
  await page.keyboard.press('PageDown');
  assert.ok(Number(await page.getByTestId('selected').textContent()) > 10);
  await page.keyboard.press('End');
  await textIs(page.getByTestId('selected'), '999999');
  assert.equal(await grid.locator('[role=row][aria-selected=true]').getAttribute('aria-rowindex'), '1000001');
  // The active descendant is the selected row's active cell (first column until ArrowRight moves it).
  assert.equal(await grid.getAttribute('aria-activedescendant'), await grid.locator('[role=row][aria-selected=true] [role=gridcell][aria-colindex="1"]').getAttribute('id'));
  await screenshot(page, 'component-virtual-table-end-light');
  await harness('theme', 'dark');
  await screenshot(page, 'component-virtual-table-end-dark');
  await harness('theme', 'light');
});

test('Virtualized table without seeking (a filtered result): the end is reached by reading forward, page after page, never by offset', T, async () => {
  await harness('virtual', { rows: 50_000, seek: false });
  const grid = page.getByRole('grid', { name: 'Events' });
  await textIs(grid.locator('[role=row][aria-rowindex="2"] [role=gridcell]').first(), '0');
  await grid.focus();
  await page.keyboard.press('End');
  await textIs(grid.locator('[role=row][aria-rowindex="50001"] [role=gridcell]').first(), '49,999');
  const fetches = (await page.evaluate('window.harness.fetches')) as [number | null, number][];
  // Each page starts right after the last row of a page read before: keyset order, strictly forward.
  const afters = fetches.map(([a]) => a ?? -1);
  for (let i = 1; i < afters.length; i++) assert.ok(afters[i]! > afters[i - 1]!, `page ${i} continues forward`);
  assert.ok(fetches.length >= 5 && fetches.length < 20, `${fetches.length} pages`);
  assert.ok(fetches.every(([, limit]) => limit <= 10_000));
  // Back at the top, the rows come from the cursors remembered on the way.
  await page.keyboard.press('Home');
  await textIs(grid.locator('[role=row][aria-rowindex="2"] [role=gridcell]').first(), '0');
  await eventually(async () => (await page.evaluate('window.harness.fetches.length')) as number, (n) => n >= fetches.length, 'fetch count');
});

test('Theme tokens: the system preference and the explicit choice give the same palettes (one definition in tokens.css)', T, async () => {
  const colours = async (theme: 'light' | 'dark' | null) =>
    (await page.evaluate(`(() => {
      const t = ${JSON.stringify(theme)};
      if (t === null) delete document.documentElement.dataset.theme;
      else document.documentElement.dataset.theme = t;
      const probe = document.createElement('div');
      probe.style.cssText = 'color: var(--text); background-color: var(--surface); border: 1px solid var(--danger)';
      document.body.append(probe);
      const s = getComputedStyle(probe);
      const out = [s.color, s.backgroundColor, s.borderTopColor, getComputedStyle(document.documentElement).colorScheme];
      probe.remove();
      return out;
    })()`)) as string[];
  const light = ['rgb(26, 30, 36)', 'rgb(255, 255, 255)', 'rgb(201, 32, 44)'];
  const dark = ['rgb(229, 233, 239)', 'rgb(22, 26, 33)', 'rgb(244, 84, 76)'];
  await page.emulateMedia({ colorScheme: 'dark' });
  assert.deepEqual(await colours(null), [...dark, 'light dark']);
  assert.deepEqual(await colours('dark'), [...dark, 'dark']);
  assert.deepEqual(await colours('light'), [...light, 'light']);
  await page.emulateMedia({ colorScheme: 'light' });
  assert.deepEqual(await colours(null), [...light, 'light dark']);
  assert.deepEqual(await colours('dark'), [...dark, 'dark']);
  await harness('theme', 'light');
});

test('The harness made no request outside its origin and logged no error', T, async () => {
  assert.deepEqual(g.foreignRequests, []);
  assert.deepEqual(g.errors, []);
  assert.deepEqual(g.navigations, []);
});
