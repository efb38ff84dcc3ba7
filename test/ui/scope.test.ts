// The evidence scope in Chromium against the real backend: an audit policy supplied where the app verifies, the Scope panel on Results, the gap on the explorer's histogram; keyboard, screen-reader names and axe.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import type { Page } from 'playwright-core';
import { ROOT, SAMPLES, appSession, axe as axeOf, eventually, screen, screenshot, textIs, uiTests, type AppSession } from './helpers.ts';

let dir = '';
const POLICY = join(ROOT, 'resources', 'demo', 'audit-policy.yaml');
let app: AppSession;
let page: Page;
const ui = appSession({
  fixtures: false,
  ready: (s) => ({ app, page } = s),
  prepare: async (temp) => {
    dir = await temp.dir('scope-fixtures');
    // The real kube-apiserver log with every event from index 2,000 on an hour later: an hour cut out, at entries 1,999 → 2,000.
    const lines = (await readFile(join(SAMPLES, 'immudb-log-audit_k8s.jsonl'), 'utf8')).split('\n').filter(Boolean);
    const later = (t: string): string => new Date(Date.parse(t) + 3600_000).toISOString().replace(/\.(\d{3})Z$/, `.$1${t.slice(23, 26)}Z`);
    await writeFile(join(dir, 'cut.jsonl'), `${lines.map((l, i) => {
      if (i < 2000) return l;
      const e = JSON.parse(l) as Record<string, string>;
      return JSON.stringify({ ...e, stageTimestamp: later(e.stageTimestamp!), requestReceivedTimestamp: later(e.requestReceivedTimestamp!) });
    }).join('\n')}\n`);
    await writeFile(join(dir, 'bad-policy.yaml'), 'apiVersion: audit.k8s.io/v1\nkind: Policy\nrules:\n  - level: Loud\n');
    for (const args of [['keygen', '--name', 'scope.example/audit', '--out', 'log'], ['seal', '--key', 'log.key', '--origin', 'scope.example/audit', '--out', 'cut', 'cut.jsonl']]) {
      const r = spawnSync(process.execPath, [join(ROOT, 'electron', 'cli', 'sealcheck.mjs'), ...args], { cwd: dir, encoding: 'utf8' });
      assert.equal(r.status, 0, r.stderr);
    }
  },
});
const uiTest = uiTests(ui, 240_000);
const axe = (what: string) => axeOf(page, what);
async function announced(): Promise<string> {
  return ((await page.getByTestId('announcer').textContent()) ?? '').replace(/\u00a0/g, '').trim();
}
async function focused(): Promise<{ tag: string; name: string }> {
  return page.evaluate(`(() => { const el = document.activeElement; return { tag: el ? el.tagName.toLowerCase() : 'none', name: ((el && (el.getAttribute('aria-label') || el.textContent)) || '').replace(/\\s+/g, ' ').trim() }; })()`);
}

uiTest('Verify: a bad policy is refused on its field; a valid one is shown with its digest; the Verify screen passes axe', async () => {
  const s = screen(page);
  for (const [label, value] of [['Case number *', 'SCOPE-2026-1'], ['Requesting party *', 'Legal'], ['Title *', 'Scope'], ['Examiner name *', 'Dana Example'], ['Examiner role *', 'Examiner'], ['Organisation *', 'Example Ltd']] as const) {
    await s.getByLabel(label, { exact: true }).fill(value);
  }
  await s.getByRole('button', { name: 'Create case' }).click();
  await screen(page).getByLabel('Archive path').fill(join(dir, 'cut'));
  await screen(page).getByRole('button', { name: 'Hash and inspect' }).click();
  await screen(page).getByRole('button', { name: 'Continue to trust keys' }).click();
  await screen(page).getByLabel('Key file').fill(join(dir, 'log.pub'));
  await screen(page).getByLabel('Key file').press('Enter');
  await eventually(announced, (t) => t === 'Log key added: 1 log key trusted.', 'the key announcement');
  await screen(page).getByRole('button', { name: 'Continue to verify' }).click();

  const card = screen(page).getByRole('region', { name: 'Audit policy (optional)' });
  await textIs(card.locator('p.muted'), 'None supplied. Without a policy sealed in the archive, what was not recorded cannot be stated.', 'no policy yet');
  const field = card.getByLabel('Audit policy file (YAML or JSON)');
  await field.fill(join(dir, 'bad-policy.yaml'));
  await field.press('Enter');
  await textIs(card.locator('.field-error'), `✗ audit policy ${join(dir, 'bad-policy.yaml')}: rules[0].level is "Loud"; expected one of None, Metadata, Request, RequestResponse`, 'the refusal');
  assert.equal(await field.getAttribute('aria-invalid'), 'true');

  await field.fill(POLICY);
  await card.getByRole('button', { name: 'Use this policy' }).click();
  await eventually(announced, (t) => t === 'Audit policy audit-policy.yaml supplied: 6 rules.', 'the policy announcement');
  await eventually(focused, (f) => f.name === 'Audit policy (optional)', 'focus on the card heading');
  const sha = createHash('sha256').update(readFileSync(POLICY)).digest('hex');
  await textIs(card.locator('dd').nth(0), `${POLICY} (6 rules, supplied by the examiner)`, 'the policy');
  assert.equal((await card.locator('dd').nth(1).textContent())!.replace(/\s+/g, ''), sha);
  await textIs(card.locator('dd').nth(2), '6: listed with the results', 'its blind spots');
  await axe('Verify with a supplied policy');
  await screenshot(page, 'scope-verify-policy');
});

uiTest('Results: the Scope panel states the supplied policy, its blind spots, contradictions and the gap at entries 1,999 → 2,000; an entry opens from the keyboard; axe passes', async () => {
  await screen(page).getByRole('button', { name: 'Verify archive' }).click();
  const panel = screen(page).getByRole('region', { name: 'Evidence scope' });
  await panel.waitFor({ timeout: 120_000 });
  const sha = createHash('sha256').update(readFileSync(POLICY)).digest('hex');
  await textIs(panel.getByRole('region', { name: 'Audit policy' }).locator('p'), `Audit policy audit-policy.yaml, 6 rules, supplied by the examiner and not sealed with the log: it is the examiner\u2019s statement of the policy in force, not evidence of it. SHA-256 of the file: ${sha}.`, 'policy source');
  const blind = panel.getByRole('region', { name: 'Blind spots: what the policy leaves out' }).locator('li');
  assert.equal(await blind.count(), 7, 'six blind spots and what no audit log records');
  assert.match((await blind.nth(2).textContent())!, /Secrets are recorded at Metadata: who read which Secret is in the log, what it contained is not\.$/);
  const events = panel.getByRole('region', { name: 'Events against the policy' });
  await textIs(events.locator('p').first(), '1,504 of the 2,971 audit events checked contradict the policy in force: 40 events at another level than it gives, 1,484 events at a stage it omits (an event can do both).', 'consistency');
  const first = events.getByRole('table', { name: 'Events that contradict the policy' }).locator('tbody tr').first();
  assert.deepEqual((await first.locator('td').allTextContents()).map((t) => t.trim()), ['0', 'as the policy gives', 'RequestReceived, which the policy omits']);
  const second = events.getByRole('table', { name: 'Events that contradict the policy' }).locator('tbody tr').nth(1);
  assert.deepEqual((await second.locator('td').allTextContents()).map((t) => t.trim()), ['2', 'Metadata; the policy gives None', 'RequestReceived, which the policy omits']);
  const gaps = panel.getByRole('table', { name: 'Time gaps' }).locator('tbody tr');
  assert.equal(await gaps.count(), 1);
  assert.deepEqual((await gaps.first().locator('td').allTextContents()).map((t) => t.trim()), ['1,999', '2,000', 'no event for 1.0 h, 2023-03-10 22:40:07 UTC to 2023-03-10 23:40:07 UTC']);
  await textIs(panel.locator('.scope-note'), 'Gaps in time are not gaps in the hash chain: every entry of the log is still present and linked; a gap means no event was recorded in that interval, which the chain can neither cause nor reveal.', 'chain note');
  await axe('Results with the Scope panel');
  // Tall enough for the whole panel: an element shot inside the scrolling main area is cut at the window's edge.
  await page.setViewportSize({ width: 1440, height: 2600 });
  await panel.screenshot({ path: join(ROOT, 'test-results', 'screenshots', 'scope-results-panel.png') });
  await page.setViewportSize({ width: 1440, height: 900 });

  // The entry after the gap, from the keyboard: its button is named for what it does.
  const open = gaps.first().getByRole('button', { name: 'Open entry 2,000 in the explorer' });
  await open.focus();
  await page.keyboard.press('Enter');
  await eventually(announced, (t) => t === 'Explorer: entry 2,000 selected.', 'the explorer announcement');
});

uiTest('Explorer: the gap is marked on the timeline histogram and said in words under it; axe passes', async () => {
  const list = screen(page).getByRole('list', { name: 'Time gaps in this chart' });
  await textIs(list.locator('li'), 'Gap in time, entries 1,999 → 2,000: no event for 1.0 h, 2023-03-10 22:40:07 to 2023-03-10 23:40:07 UTC', 'the gap under the chart');
  assert.equal(await screen(page).locator('.histogram-svg rect.gap').count(), 1);
  await axe('Explorer with a gap on the histogram');
  await screen(page).locator('.histogram').screenshot({ path: join(ROOT, 'test-results', 'screenshots', 'scope-explorer-histogram.png') });
  await screenshot(page, 'scope-explorer');
});
