// Evidence excerpts in Chromium against the real backend: the explorer exports its filter (sensitive entries withheld by default) and the selected entry, from the keyboard, and opens an excerpt (verified, then tampered) with each item's status; axe-clean, focus and announcements checked.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { Page } from 'playwright-core';
import { ROOT, appSession, axe as axeOf, eventually, screen, screenshot, stepTab, textIs, uiTests, verifiedCase, type AppSession, type Fixtures } from './helpers.ts';

let fx: Fixtures;
let app: AppSession;
let page: Page;
const ui = appSession({ ready: (s) => ({ fx, app, page } = s) });
const uiTest = uiTests(ui);
const step = (name: string) => stepTab(page, name);
const axe = (what: string) => axeOf(page, what);
const dialog = (name: string) => page.getByRole('dialog', { name });
function cli(args: string[]) {
  const r = spawnSync(process.execPath, [join(ROOT, 'electron/cli/sealcheck.mjs'), ...args], { encoding: 'utf8' });
  return { code: r.status, out: r.stdout, err: r.stderr };
}
async function focused(): Promise<string> {
  // A string, as the page runs it: the test's own types have no DOM.
  return (await page.evaluate(`(() => {
    const el = document.activeElement;
    if (!el) return '';
    const label = el.getAttribute('aria-label') ?? el.labels?.[0]?.textContent ?? el.textContent ?? '';
    return el.tagName.toLowerCase() + ':' + label.replace(/\\s+/g, ' ').trim();
  })()`)) as string;
}
const announced = async () => ((await page.getByTestId('announcer').textContent()) ?? '').replace(/\u00a0/g, '').trim();

let exported = '';

uiTest('Setup: a case with the verified sample archive', async () => {
  const verdict = await verifiedCase(page, { number: '2026-0310', title: 'Excerpt of the secrets accesses' }, fx.goodTarGz, { log: fx.logPub });
  assert.equal(await verdict.getAttribute('data-verdict'), 'verified');
});

uiTest('Export: the filter\'s events from the keyboard, sensitive withheld by default; focus in the dialog and back; announced; the CLI verifies the file', async () => {
  await step('Explorer').click();
  const s = screen(page);
  await s.getByLabel('Resource').fill('secrets');
  await s.getByLabel('Resource').press('Enter');
  const matching = Number(((await eventually(async () => (await s.getByTestId('match-count').textContent()) ?? '', (t) => /^\d[\d,]*$/.test(t) && t !== '2,971', 'the filtered count')).replace(/,/g, '')));
  assert.ok(matching > 0 && matching < 2971, `${matching} events on secrets`);
  await s.getByRole('button', { name: 'Export excerpt…' }).focus();
  await page.keyboard.press('Enter');
  const d = dialog('Export an evidence excerpt');
  await d.waitFor();
  assert.equal(await focused(), `input:The events matching the current filter (${matching.toLocaleString('en-US')} events)`, 'focus moves into the dialog, on its first choice');
  assert.equal(await d.getByRole('checkbox', { name: 'Withhold sensitive entries' }).isChecked(), true, 'withholding is on by default');
  assert.equal(await d.getByRole('radio', { name: /The selected entry/ }).isDisabled(), true, 'no row is selected');
  await axe('export dialog');
  await screenshot(page, 'excerpt-export-dialog-light');
  await d.getByRole('button', { name: 'Export excerpt' }).focus();
  await page.keyboard.press('Enter');
  const result = d.locator('[data-result]');
  await result.waitFor({ timeout: 60_000 });
  await eventually(focused, (f) => f.startsWith('div:') && f.includes('Excerpt written'), 'focus on the result');
  const text = ((await result.textContent()) ?? '').replace(/\s+/g, ' ').trim();
  const m = /^✓Excerpt written: ([\d,]+) items([\d,]+) disclosed, ([\d,]+) withheld by leaf hash/.exec(text);
  assert.ok(m, text);
  const [items, disclosed, withheld] = [m![1], m![2], m![3]].map((x) => Number(x!.replace(/,/g, '')));
  assert.equal(items, matching);
  assert.equal(disclosed! + withheld!, matching);
  await eventually(announced, (a) => a === `Excerpt written: ${matching.toLocaleString('en-US')} items, ${disclosed!.toLocaleString('en-US')} disclosed, ${withheld!.toLocaleString('en-US')} withheld.`, 'the announcement');
  exported = (await d.locator('.path').getAttribute('title'))!;
  assert.match(exported, /\/excerpts\/archive-1-\d{8}T\d{6}Z\.tar\.gz$/);
  assert.ok(existsSync(exported));
  await axe('export dialog, written');
  await screenshot(page, 'excerpt-export-done-light');
  // The recipient's check, without the app: every item proven; the manifest records the query.
  const v = cli(['verify-excerpt', exported, '--trust', fx.logPub, '--json']);
  assert.equal(v.code, 0, v.out + v.err);
  const j = JSON.parse(v.out);
  assert.deepEqual([j.valid, j.items.length, j.disclosed, j.withheld], [true, matching, disclosed, withheld]);
  assert.deepEqual(j.selection, { kind: 'query', database: 'case.sqlite', filter: { resource: 'secrets' } });
  await page.keyboard.press('Escape');
  await d.waitFor({ state: 'detached' });
  assert.equal(await focused(), 'button:Export excerpt…', 'focus returns to the button that opened the dialog');
});

uiTest('Export: the selected entry only, without withholding', async () => {
  const s = screen(page);
  await s.getByRole('button', { name: 'Clear filters' }).click();
  await textIs(s.getByTestId('match-count'), '2,971');
  const grid = page.getByRole('grid', { name: 'Events' });
  await grid.locator('[role=row][aria-rowindex="7"]').click();
  await s.getByRole('button', { name: 'Export excerpt…' }).click();
  const d = dialog('Export an evidence excerpt');
  await d.getByRole('radio', { name: 'The selected entry (index 5)' }).check();
  await d.getByRole('checkbox', { name: 'Withhold sensitive entries' }).uncheck();
  await d.getByRole('button', { name: 'Export excerpt' }).click();
  await d.locator('[data-result]').waitFor({ timeout: 60_000 });
  const path = (await d.locator('.path').getAttribute('title'))!;
  const manifest = JSON.parse(spawnSync('tar', ['-xzOf', path, 'manifest.json'], { encoding: 'utf8' }).stdout);
  assert.deepEqual(manifest.selection, { kind: 'indices', list: '5' });
  assert.deepEqual(manifest.items.map((i: { index: number; status: string }) => [i.index, i.status]), [[5, 'disclosed']]);
  await d.getByRole('button', { name: 'Done' }).click();
  await d.waitFor({ state: 'detached' });
  assert.equal(await focused(), 'button:Export excerpt…');
});

uiTest('Open: the exported excerpt verifies with the case\'s keys and lists every item with its status; a tampered copy names the failed item', async () => {
  const s = screen(page);
  await s.getByRole('button', { name: 'Open excerpt…' }).click();
  const d = dialog('Open an evidence excerpt');
  await d.waitFor();
  assert.equal(await focused(), 'input:Excerpt (.tar.gz or folder)');
  await d.getByLabel('Excerpt (.tar.gz or folder)').fill(exported);
  await d.getByRole('button', { name: 'Open excerpt' }).click();
  const table = d.getByRole('table', { name: /^Items of archive-1-/ });
  await table.waitFor({ timeout: 60_000 });
  const manifest = JSON.parse(spawnSync('tar', ['-xzOf', exported, 'manifest.json'], { encoding: 'utf8' }).stdout);
  const n = manifest.items.length as number;
  assert.equal(await table.locator('tbody tr').count(), n);
  await textIs(d.locator('[data-result] .banner-title'), `Verified: all ${n} items proven`);
  await eventually(announced, (a) => a.startsWith(`Excerpt verified: all ${n} items proven`), 'the announcement');
  assert.equal(await table.getByText('proof ok').count(), n);
  const first = manifest.items[0];
  const row = table.locator('tbody tr').first();
  assert.equal((await row.locator('th').textContent())!.replace(/,/g, ''), String(first.index));
  assert.match((await row.textContent())!, first.status === 'withheld' ? /withheld/ : /disclosed.*secrets/);
  await axe('open dialog, verified');
  await screenshot(page, 'excerpt-open-verified-light');

  // A copy with one entry changed: that item fails by name, the rest still prove.
  const dir = join(dirname(exported), 'tampered');
  await mkdir(dir);
  assert.equal(spawnSync('tar', ['-xzf', exported, '-C', dir]).status, 0);
  const disclosed = manifest.items.find((i: { status: string }) => i.status === 'disclosed');
  const entry = join(dir, 'items', `${String(disclosed.index).padStart(12, '0')}.entry`);
  const bytes = await readFile(entry, 'utf8');
  await writeFile(entry, bytes.replace('"secrets"', '"secretz"'));
  await d.getByLabel('Excerpt (.tar.gz or folder)').fill(dir);
  await d.getByRole('button', { name: 'Open excerpt' }).click();
  await textIs(d.locator('[data-result] .banner-title'), 'Failed: 1 problem');
  await eventually(announced, (a) => a === 'Excerpt failed: 1 problem.', 'the failure announcement');
  const tampered = d.getByRole('table', { name: 'Items of tampered' });
  assert.equal(await tampered.getByText('proof failed').count(), 1);
  assert.equal(await tampered.getByText('proof ok').count(), n - 1);
  const bad = tampered.locator('tbody tr', { hasText: 'proof failed' });
  assert.equal((await bad.locator('th').textContent())!.replace(/,/g, ''), String(disclosed.index));
  assert.match((await bad.textContent())!, /does not hash to the manifest's leaf: the entry was changed/);
  await axe('open dialog, failed');
  await screenshot(page, 'excerpt-open-failed-light');
  // The theme follows the system by default: the same dialog in dark.
  await page.emulateMedia({ colorScheme: 'dark' });
  await axe('open dialog, failed, dark');
  await screenshot(page, 'excerpt-open-failed-dark');
  await page.emulateMedia({ colorScheme: 'light' });
  await d.getByRole('button', { name: 'Close' }).click();
  await d.waitFor({ state: 'detached' });
  assert.equal(await focused(), 'button:Open excerpt…');
  assert.deepEqual(app.guard.errors, [], 'no console error, page error or CSP violation');
  assert.deepEqual(app.guard.foreignRequests, [], 'no request outside the app');
});
