// The examiner's whole workflow in Chromium against the real backend: case → import → keys → verify → results → explorer, on sealed real logs and a tampered copy.
import assert from 'node:assert/strict';
import { readFile, stat } from 'node:fs/promises';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import {
  ORIGIN, SAMPLES, TAMPERED_INDEX, WITNESS, appSession, changeOneByte, eventually, screen, screenshot, sealLarge, setTheme, stepTab, textIs, uiTests,
  type AppSession, type Fixtures,
} from './helpers.ts';

let fx: Fixtures;
let app: AppSession;
let page: Page;
const ui = appSession({ ready: (s) => ({ fx, app, page } = s) });
const uiTest = uiTests(ui);
const step = (name: string) => stepTab(page, name);
const count = () => page.getByTestId('match-count');
const grid = () => page.getByRole('grid', { name: 'Events' });
const detail = () => page.getByRole('complementary', { name: /^Entry \d+ details$/ });

/** Lines of a sample log exactly as sealed (LF excluded). */
async function sampleLines(file: string): Promise<Buffer[]> {
  const b = await readFile(join(SAMPLES, file));
  const out: Buffer[] = [];
  let start = 0;
  for (let i = b.indexOf(0x0a); i >= 0; i = b.indexOf(0x0a, start)) {
    if (i > start) out.push(b.subarray(start, i));
    start = i + 1;
  }
  return out;
}

/** requestReceivedTimestamp in microseconds, parsed here (not by the app) for an independent count. */
function timeUs(line: Buffer): number {
  const t = JSON.parse(line.toString('utf8')).requestReceivedTimestamp as string;
  const m = /^(.{19})(?:\.(\d+))?Z$/.exec(t)!;
  return Date.parse(`${m[1]}Z`) * 1000 + Number((m[2] ?? '').padEnd(6, '0'));
}

async function clearFilters(): Promise<void> {
  await screen(page).getByRole('button', { name: 'Clear filters' }).click();
  await textIs(count(), '2,971', 'unfiltered count');
}

async function importAndVerify(path: string): Promise<void> {
  await step('Import').click();
  await screen(page).getByLabel('Archive path').fill(path);
  await screen(page).getByRole('button', { name: 'Hash and inspect' }).click();
  await screen(page).getByRole('region', { name: 'Evidence digest' }).waitFor();
  await step('Verify').click();
  await screen(page).getByRole('button', { name: 'Verify archive' }).click();
  await page.getByRole('status', { name: 'Verdict' }).waitFor({ timeout: 60_000 });
}

/** Screenshots the screen at a height showing all of it, then restores the window. */
async function fullScreenshot(name: string): Promise<void> {
  const h = await page.locator('main > [role=tabpanel]:not([hidden]) > .screen').evaluate((el) => el.scrollHeight);
  await page.setViewportSize({ width: 1440, height: Math.min(6000, h + 48 + 28) });
  await screenshot(page, name);
  await page.setViewportSize({ width: 1440, height: 900 });
}

uiTest('Case: creating a case asks for every detail, then opens it and lists it as recent', async () => {
  await screenshot(page, 'cases-light');
  const s = screen(page);
  await s.getByRole('button', { name: 'Create case' }).click();
  await textIs(s.getByRole('alert').locator('.banner-body'), 'That did not workFill in: Case number, Requesting party, Title, Examiner name, Examiner role, Organisation.');
  await s.getByLabel('Case number').fill('2026-0142');
  await s.getByLabel('Requesting party').fill('Legal department, Example GmbH');
  await s.getByLabel('Title').fill('Audit trail of cluster-1, March 2023');
  await s.getByLabel('Examiner name').fill('Dana Example');
  await s.getByLabel('Examiner role').fill('Digital forensic examiner');
  await s.getByLabel('Organisation').fill('Example Forensics Ltd');
  await s.getByLabel('Organisation').press('Enter');
  await screen(page).getByRole('heading', { name: 'Import evidence' }).waitFor();
  await textIs(page.locator('.header-case strong'), '2026-0142');

  await step('Case').click();
  const recent = screen(page).getByRole('table', { name: 'Recent cases' });
  await recent.getByRole('button', { name: 'Open case 2026-0142' }).waitFor();
  assert.equal(await recent.getByRole('row').count(), 2);
  assert.match((await recent.getByRole('row').nth(1).textContent())!, /^2026-0142Audit trail of cluster-1, March 2023.*Dana Example/);
  await screenshot(page, 'cases-open-light');
});

uiTest('Import: the evidence digest (SHA-256 of the .tar.gz) is shown before anything else, and a bad path is refused', async () => {
  await step('Import').click();
  const s = screen(page);
  await s.getByLabel('Archive path').fill(join(fx.dir, 'no-such-archive.tar'));
  await s.getByRole('button', { name: 'Hash and inspect' }).click();
  await s.getByRole('alert').filter({ hasText: 'Could not read that archive' }).waitFor();

  await s.getByLabel('Archive path').fill(fx.goodTarGz);
  await s.getByLabel('Archive path').press('Enter');
  const digest = s.getByRole('definition').first();
  await digest.waitFor();
  // Nothing verified yet: the digest comes first.
  await textIs(step('Results').locator('.nav-hint'), '—');
  const facts = s.locator('dl[aria-label="Evidence digest"]');
  assert.equal(await facts.locator('[data-hash]').getAttribute('data-hash'), fx.goodSha256);
  assert.equal(await facts.locator('dt').first().textContent(), 'SHA-256');
  const size = (await stat(fx.goodTarGz)).size;
  assert.match((await facts.textContent())!, new RegExp(`Containergzip-compressed tar fileSize.*\\(${size.toLocaleString('en-US')} bytes\\)Files1$`));
  await screenshot(page, 'import-light');
});

uiTest('Trust keys: log key from a file, witness key pasted, fingerprints as keygen printed them, quorum, origin, anchor', async () => {
  await screen(page).getByRole('button', { name: 'Continue to trust keys' }).click();
  const s = screen(page);
  await s.getByLabel('Key file').fill(fx.logPub);
  await s.getByRole('button', { name: 'Add log key' }).click();
  const keys = s.getByRole('table', { name: 'Trusted keys' });
  await keys.getByRole('row').nth(1).waitFor();

  // A private key pasted by mistake is refused with the reason.
  await s.getByRole('radio', { name: /Witness key/ }).check();
  await s.getByRole('tablist', { name: 'Key source' }).getByRole('tab', { name: 'Paste' }).click();
  await s.getByLabel('Key string').fill((await readFile(join(fx.dir, 'w1.key'), 'utf8')).trim());
  await s.getByRole('button', { name: 'Add witness key' }).click();
  await s.getByRole('alert').filter({ hasText: 'this is a private signer key' }).waitFor();
  await s.getByLabel('Key string').fill((await readFile(fx.witnessPub, 'utf8')).trim());
  await s.getByRole('button', { name: 'Add witness key' }).click();
  await keys.getByRole('row').nth(2).waitFor();

  const row = async (i: number) => (await keys.getByRole('row').nth(i).getByRole('cell').allTextContents()).slice(0, 3);
  assert.deepEqual(await row(1), [ORIGIN, 'log', (await readFile(fx.logPub, 'utf8')).split('+')[1]!]);
  assert.deepEqual(await row(2), [WITNESS, 'witness', (await readFile(fx.witnessPub, 'utf8')).split('+')[1]!]);
  assert.equal(await keys.getByRole('row').nth(1).locator('[data-hash]').getAttribute('data-hash'), fx.logFingerprint);
  assert.equal(await keys.getByRole('row').nth(2).locator('[data-hash]').getAttribute('data-hash'), fx.witnessFingerprint);
  assert.equal(await keys.getByRole('row').nth(2).getByRole('cell').nth(4).textContent(), 'pasted');

  // One witness: a quorum of 2 can never be met, so it cannot be saved.
  const quorum = s.getByLabel('Witness quorum');
  assert.equal(await quorum.inputValue(), '1');
  await quorum.fill('2');
  assert.equal(await s.getByRole('button', { name: 'Save policy' }).getAttribute('aria-disabled'), 'true');
  assert.equal(await quorum.getAttribute('aria-invalid'), 'true');
  const quorumError = (await quorum.getAttribute('aria-describedby'))!.split(' ')[0]!;
  await textIs(s.locator(`[id="${quorumError}"]`), '✗ A whole number from 0 to 1 (the witness keys you trust).');
  await quorum.fill('1');
  await s.getByLabel('Expected origin').fill(ORIGIN);
  await s.getByRole('button', { name: 'Save policy' }).click();
  await textIs(s.getByTestId('policy-saved'), 'Saved.');
  await textIs(page.getByTestId('announcer'), 'Policy saved.', 'announcement');

  // An anchor: the archive's own first checkpoint, as if published when it was written.
  await s.getByLabel('Checkpoint file').fill(join(fx.dir, 'sealed-dir', 'checkpoints', '000000001000.ckpt'));
  await s.getByRole('button', { name: 'Add anchor' }).click();
  const anchors = s.getByRole('table', { name: 'Anchors' });
  await anchors.getByRole('row').nth(1).waitFor();
  const a = await anchors.getByRole('row').nth(1).getByRole('cell').allTextContents();
  assert.equal(a[0], ORIGIN);
  assert.equal(a[1], '1,000');
  assert.match(a[2]!, /^[A-Za-z0-9+/]{43}=$/);
  assert.match(a[3]!, new RegExp(`^${ORIGIN}\\+[0-9a-f]{8}`));

  // A second anchor pasted as text (the 2,000 checkpoint), shown, then removed again.
  await s.getByRole('tablist', { name: 'Anchor source' }).getByRole('tab', { name: 'Paste' }).click();
  await s.getByLabel('Checkpoint text').fill(await readFile(join(fx.dir, 'sealed-dir', 'checkpoints', '000000002000.ckpt'), 'utf8'));
  await s.getByRole('button', { name: 'Add anchor' }).click();
  await anchors.getByRole('row').nth(2).waitFor();
  assert.deepEqual((await anchors.getByRole('row').nth(2).getByRole('cell').allTextContents()).filter((_, i) => i === 0 || i === 1 || i === 4), [ORIGIN, '2,000', 'pasted']);
  await s.getByRole('button', { name: 'Remove anchor of size 2000' }).click();
  await eventually(() => anchors.getByRole('row').count(), (n) => n === 2, 'one anchor left');
  await page.locator('main').evaluate((el) => el.scrollTo(0, 0));
  await screenshot(page, 'keys-light');
});

uiTest('Verify → Results: the sealed real log is verified, with its coverage timeline, checkpoints and cosignatures', async () => {
  await screen(page).getByRole('button', { name: 'Continue to verify' }).click();
  await screenshot(page, 'verify-light');
  await screen(page).getByRole('button', { name: 'Verify archive' }).click();
  const verdict = page.getByRole('status', { name: 'Verdict' });
  await verdict.waitFor({ timeout: 60_000 });
  assert.equal(await verdict.getAttribute('data-verdict'), 'verified');
  await textIs(verdict.getByRole('heading'), 'Verified');
  await textIs(verdict.locator('.verdict-reason'), 'All 2971 entries are covered by checkpoints/000000002971.ckpt, signed by a trusted log key, and nothing was altered.');

  const s = screen(page);
  const spans = await s.locator('[data-testid=coverage-track] .coverage-span').evaluateAll((els) => els.map((e) => [Number(e.getAttribute('data-from')), Number(e.getAttribute('data-to'))]));
  assert.deepEqual(spans, [[0, 1000], [1000, 2000], [2000, 2971]]);
  assert.equal(await s.locator('.coverage-tail, .coverage-failed').count(), 0);
  assert.equal(await s.getByRole('img', { name: /^Entries 0 to/ }).getAttribute('aria-label'), 'Entries 0 to 2,970: 2,971 covered by 3 trusted checkpoints, no unsigned tail, no failed entries.');

  const cps = s.getByRole('table', { name: 'Checkpoints' });
  assert.equal(await cps.getByRole('row').count(), 5);
  for (const size of ['1,000', '2,000', '2,971']) {
    const r = cps.getByRole('row').filter({ hasText: `checkpoints/00000000${size.replace(',', '')}.ckpt` }).filter({ hasNotText: 'anchor' });
    const text = (await r.textContent())!;
    assert.match(text, new RegExp(`${size}.*trustedcovers${ORIGIN}\\+[0-9a-f]{8} log valid${WITNESS}\\+[0-9a-f]{8} witness valid \\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d UTC$`));
  }
  assert.match((await cps.getByRole('row').filter({ hasText: 'anchor' }).textContent())!, /1,000.*trustedcovers/);
  await textIs(s.locator('.findings, p').filter({ hasText: 'No findings' }).first(), 'No findings: every check passed.');
  await screenshot(page, 'results-verified-light');
  await fullScreenshot('results-verified-light-full');
  await setTheme(page, 'Dark');
  await screenshot(page, 'results-verified-dark');
  await setTheme(page, 'Light');
});

uiTest('Explorer: filters, search, presets and the time brush give exact counts; the detail pane shows the exact bytes', async () => {
  await step('Explorer').click();
  await textIs(count(), '2,971', 'all events');
  const s = screen(page);
  const filter = async (label: string, value: string, expected: string) => {
    await s.getByLabel(label, { exact: true }).fill(value);
    await textIs(count(), expected, `${label}=${value}`);
  };
  await filter('User', 'system:kube-scheduler', '396');
  await clearFilters();
  await filter('Verb', 'update', '608');
  await filter('Resource', 'leases', '340');
  await clearFilters();
  await filter('Code', '500', '7');
  await clearFilters();
  await filter('Namespace', 'kube-system', '852');
  await clearFilters();
  await s.getByLabel('Stage', { exact: true }).selectOption('RequestReceived');
  await textIs(count(), '1,484', 'stage');
  await s.getByLabel('Status', { exact: true }).selectOption('failed');
  await textIs(count(), '0', 'failed entries');
  await textIs(grid().locator('.vt-empty'), 'No events match these filters.');
  await clearFilters();
  await filter('Search', 'coredns', '15');
  await s.getByLabel('Search').press('Escape');
  await textIs(count(), '2,971', 'search cleared with Escape');

  // Forensic presets, exact.
  const preset = (name: string) => s.getByRole('group', { name: 'Presets' }).getByRole('button', { name });
  await preset('Secrets access').click();
  assert.equal(await preset('Secrets access').getAttribute('aria-pressed'), 'true');
  await textIs(count(), '8', 'secrets-access');
  await preset('Service account').click();
  await textIs(count(), '1,228', 'every service account');
  await s.getByLabel('Account').fill('generic-garbage-collector');
  await textIs(count(), '440', 'service-account generic-garbage-collector');
  await s.getByLabel('Account').fill('kube-system:generic-garbage-collector');
  await textIs(count(), '440', 'service-account kube-system:generic-garbage-collector');
  await preset('Service account').click();
  await textIs(count(), '2,971', 'preset off');

  // The time brush: drag over the histogram; the count is what the sample itself holds in that range.
  const lines = await sampleLines('immudb-log-audit_k8s.jsonl');
  const plot = s.getByRole('slider', { name: /^Time range brush/ });
  const box = (await plot.boundingBox())!;
  await page.mouse.move(box.x + box.width * 0.3, box.y + box.height / 2);
  await page.mouse.down();
  await page.mouse.move(box.x + box.width * 0.5, box.y + box.height / 2, { steps: 8 });
  await page.mouse.move(box.x + box.width * 0.62, box.y + box.height / 2, { steps: 8 });
  await page.mouse.up();
  const from = await s.getByLabel('From (UTC)').inputValue();
  const to = await s.getByLabel('To (UTC)').inputValue();
  assert.match(from, /^2023-03-10T22:\d\d:\d\d(\.\d+)?Z$/);
  const us = (iso: string) => Date.parse(iso) * 1000 + Number((/\.\d{3}(\d{0,3})Z$/.exec(iso)?.[1] ?? '').padEnd(3, '0'));
  const expected = lines.filter((l) => timeUs(l) >= us(from) && timeUs(l) < us(to)).length;
  assert.ok(expected > 0 && expected < 2971, `brush selects a part of the log (${expected})`);
  await textIs(count(), expected.toLocaleString('en-US'), 'brushed range');
  await plot.press('Escape');
  await textIs(count(), '2,971', 'brush cleared from the keyboard');
  assert.equal(await s.getByLabel('From (UTC)').inputValue(), '');

  // Detail: the exact bytes of entry 5, as sealed; they re-hash to the indexed leaf; entry 5 is covered.
  await grid().locator('[role=row][aria-rowindex="7"]').click();
  await textIs(detail().getByTestId('detail-index'), '5');
  const d = detail();
  assert.equal(await d.getByTestId('rehash-check').getAttribute('data-matches'), 'true');
  await textIs(d.getByTestId('rehash-check').locator('.check-mark'), '✓');
  assert.equal(await d.getByTestId('seal-check').getAttribute('data-status'), 'covered');
  await textIs(d.getByTestId('seal-check'), '✓Covered at verification: hashed, chained and proven by checkpoints/000000001000.ckpt.');
  const leaf = createHash('sha256').update(Buffer.concat([Buffer.from([0]), lines[5]!])).digest('hex');
  assert.equal(await d.locator('[aria-label^="indexed leaf"]').getAttribute('data-hash'), leaf);
  assert.equal(await d.locator('[aria-label^="leaf now"]').getAttribute('data-hash'), leaf);
  await screenshot(page, 'explorer-detail-light');
  await setTheme(page, 'Dark');
  await screenshot(page, 'explorer-detail-dark');
  await setTheme(page, 'Light');
  await d.getByRole('tab', { name: 'Exact text' }).click();
  assert.equal(await d.locator('pre[aria-label="Exact text"]').textContent(), lines[5]!.toString('utf8'));
  await d.getByRole('tab', { name: 'Base64' }).click();
  assert.equal(await d.locator('pre[aria-label="Base64"]').textContent(), lines[5]!.toString('base64'));
  await d.getByRole('tab', { name: 'JSON' }).click();
  assert.equal(await d.locator('pre[aria-label="Pretty-printed JSON"]').textContent(), JSON.stringify(JSON.parse(lines[5]!.toString('utf8')), null, 2));
  await d.getByRole('tab', { name: 'Fields' }).click();

  // The keyboard: arrows move the selection and the detail follows; End reaches the last entry; Escape closes.
  await grid().focus();
  await page.keyboard.press('ArrowDown');
  await textIs(detail().getByTestId('detail-index'), '6');
  await page.keyboard.press('End');
  await textIs(detail().getByTestId('detail-index'), '2,970');
  assert.equal(await grid().locator('[role=row][aria-selected=true] [role=gridcell]').first().textContent(), '2,970');
  await page.keyboard.press('Home');
  await textIs(detail().getByTestId('detail-index'), '0');
  await page.keyboard.press('Escape');
  await detail().waitFor({ state: 'detached' });
  await page.keyboard.press('Enter');
  await textIs(detail().getByTestId('detail-index'), '0');
  // Only the rows in view are in the DOM.
  assert.ok((await grid().locator('.vt-spacer [role=row]').count()) < 60);
  await screenshot(page, 'explorer-light');
});

uiTest('A second archive (.tar): the first log anchor proves it truncated; without it, verified; every preset gives its exact count', async () => {
  await importAndVerify(fx.mixedTar);
  const verdict = page.getByRole('status', { name: 'Verdict' });
  // The anchor (size 1,000) was for the first log, same origin: against this 137-entry log it proves removal.
  await textIs(verdict.locator('.verdict-reason'), '1 integrity error, among them log-truncated at entry 137.');
  assert.equal(await verdict.getAttribute('data-verdict'), 'failed');
  await step('Trust keys').click();
  await screen(page).getByRole('button', { name: 'Remove anchor of size 1000' }).click();
  await screen(page).getByText('No anchors.').waitFor();
  await step('Verify').click();
  await screen(page).getByRole('button', { name: 'Verify archive' }).click();
  await eventually(() => verdict.getAttribute('data-verdict'), (v) => v === 'verified', 'verified without the anchor', 60_000);
  await textIs(verdict.locator('.verdict-reason'), 'All 137 entries are covered by checkpoints/000000000137.ckpt, signed by a trusted log key, and nothing was altered.');
  // The case now holds two verified archives: the results offer both.
  const archive = screen(page).getByRole('combobox', { name: 'Archive' });
  assert.deepEqual((await archive.locator('option').allTextContents()).map((t) => t.replace(/^.*\//, '')), ['good.tar.gz (verified)', 'mixed.tar (verified)']);

  await step('Explorer').click();
  await textIs(count(), '137', 'mixed archive');
  const s = screen(page);
  const expected: [string, string][] = [
    ['Secrets access', '1'], ['RBAC changes', '2'], ['Exec / attach', '1'], ['Impersonation', '37'], ['Denied', '15'],
    ['Anonymous', '0'], ['Deletions', '2'], ['Admission changes', '0'], ['Service account', '86'],
  ];
  for (const [name, n] of expected) {
    await s.getByRole('group', { name: 'Presets' }).getByRole('button', { name }).click();
    await textIs(count(), n, name);
  }
  await s.getByRole('group', { name: 'Presets' }).getByRole('button', { name: 'Service account' }).click();
  await textIs(count(), '137', 'no preset');
});

uiTest('The tampered copy fails; its finding opens entry 1,234, which re-hashes (tampered before import) but differs from the seal', async () => {
  await step('Import').click();
  const s = screen(page);
  await s.getByLabel('Archive path').fill(fx.tamperedDir);
  await s.getByRole('button', { name: 'Hash and inspect' }).click();
  const facts = s.locator('dl[aria-label="Evidence digest"]');
  await facts.waitFor();
  assert.equal(await facts.locator('dt').first().textContent(), 'Tree digest (SHA-256)');
  assert.equal(await facts.locator('[data-hash]').getAttribute('data-hash'), fx.tamperedTreeDigest);
  await step('Verify').click();
  await screen(page).getByRole('button', { name: 'Verify archive' }).click();
  const verdict = page.getByRole('status', { name: 'Verdict' });
  await eventually(() => verdict.getAttribute('data-verdict'), (v) => v === 'failed', 'failed verdict', 60_000);
  await textIs(verdict.getByRole('heading'), 'Failed');
  await textIs(verdict.locator('.verdict-reason'), '5 integrity errors, among them leaf-hash-mismatch at entry 1234 (segments/000000001000.jsonl line 235).');

  const r = screen(page);
  const groups = await r.locator('.finding-group').evaluateAll((els) => els.map((e) => [e.getAttribute('data-code'), e.querySelector('[data-testid=finding-count]')!.textContent]));
  assert.deepEqual(groups, [
    ['segment-file-hash-mismatch', '1 finding'],
    ['checkpoint-root-mismatch', '2 findings'],
    ['leaf-hash-mismatch', '1 finding'],
    ['chain-link-mismatch', '1 finding'],
    ['unsigned-tail', '1 finding'],
  ]);
  const spans = await r.locator('[data-testid=coverage-track] .coverage-span').evaluateAll((els) => els.map((e) => [Number(e.getAttribute('data-from')), Number(e.getAttribute('data-to'))]));
  assert.deepEqual(spans, [[0, 1000]]);
  assert.deepEqual(await r.locator('.coverage-tail').evaluate((e) => [e.getAttribute('data-from'), e.getAttribute('data-to')]), ['1000', '2971']);
  assert.deepEqual(await r.locator('.coverage-failed').evaluateAll((els) => els.map((e) => e.getAttribute('data-index'))), [String(TAMPERED_INDEX)]);
  await screenshot(page, 'results-failed-light');
  await fullScreenshot('results-failed-light-full');
  await setTheme(page, 'Dark');
  await screenshot(page, 'results-failed-dark');
  await setTheme(page, 'Light');

  // The leaf-hash-mismatch location opens exactly that entry.
  await r.locator('.finding-group[data-code="leaf-hash-mismatch"]').getByRole('button', { name: /^entry 1,234\b.*: open entry 1234 in the explorer$/ }).click();
  await textIs(detail().getByTestId('detail-index'), '1,234');
  const d = detail();
  await textIs(d.getByTestId('seal-check'), '✗Differs from the seal at verification: leaf-hash-mismatch — this entry is not what was sealed.');
  // Tampered before import: the index holds the leaf of the tampered bytes, and they still hash to it. The alteration
  // shows in the seal check (from the chain), not here: this check says the evidence has not changed since.
  assert.equal(await d.getByTestId('rehash-check').getAttribute('data-matches'), 'true');
  await textIs(d.getByTestId('rehash-check'), '✓Re-hashed now: matches. The raw bytes in the evidence still hash to the leaf indexed at verification.');
  await d.getByRole('tab', { name: 'Exact text' }).click();
  assert.match((await d.locator('pre[aria-label="Exact text"]').textContent())!, /"verb":"last"/);
  assert.equal(await grid().locator('[role=row][aria-selected=true] [role=gridcell]').first().textContent(), '1,234');
  await textIs(count(), '2,971');

  // Now change the evidence after it was indexed (entry 10, covered): re-hashing it fails, ✗.
  await changeOneByte(join(fx.tamperedDir, 'segments', '000000000000.jsonl'), 10, '"verb":"', 'l', 'k');
  await grid().focus();
  await page.keyboard.press('Home');
  for (let i = 0; i < 10; i++) await page.keyboard.press('ArrowDown');
  await textIs(detail().getByTestId('detail-index'), '10');
  await eventually(() => detail().getByTestId('rehash-check').getAttribute('data-matches'), (v) => v === 'false', 'rehash ✗');
  await textIs(detail().getByTestId('rehash-check'), '✗Re-hashed now: does not match. The raw bytes in the evidence now hash to another leaf than when they were indexed: the evidence changed after verification.');
  assert.equal(await detail().getByTestId('seal-check').getAttribute('data-status'), 'covered');
  assert.notEqual(await detail().locator('[aria-label^="leaf now"]').getAttribute('data-hash'), await detail().locator('[aria-label^="indexed leaf"]').getAttribute('data-hash'));
  await screenshot(page, 'explorer-detail-changed-light');
});

uiTest('Verify progress: bytes, rate and time left; the window stays usable; Cancel stops the run', async () => {
  const large = await sealLarge(fx, 150_000);
  await step('Import').click();
  await screen(page).getByLabel('Archive path').fill(large);
  await screen(page).getByRole('button', { name: 'Hash and inspect' }).click();
  await screen(page).locator('dl[aria-label="Evidence digest"]').waitFor({ timeout: 60_000 });
  await step('Verify').click();
  await screen(page).getByRole('button', { name: 'Verify archive' }).click();
  const job = screen(page).getByRole('region', { name: 'Verifying' });
  await eventually(() => job.getByTestId('job-bytes').textContent(), (t) => /^\d.* of \d.*\(\d+%\)$/.test(t ?? ''), 'progress in bytes');
  assert.ok(Number(await job.getByRole('progressbar').getAttribute('aria-valuenow')) >= 0);
  await screenshot(page, 'verify-progress-light');
  // Responsive while it runs: switch steps and type.
  await step('Case').click();
  await screen(page).getByRole('textbox', { name: 'Case folder' }).fill('still typing');
  await textIs(step('Verify').locator('.nav-hint'), 'running…');
  await step('Verify').click();
  await screen(page).getByRole('button', { name: 'Cancel' }).click();
  await screen(page).getByRole('alert').filter({ hasText: 'Verification cancelled' }).waitFor();
  await screen(page).getByRole('button', { name: 'Verify archive' }).waitFor();
});

uiTest('Keyboard: every step is reachable, focus is visible, arrows move between steps and Alt+digit jumps', async () => {
  await step('Case').click();
  await step('Case').focus();
  await page.keyboard.press('ArrowDown');
  assert.equal(await step('Import').getAttribute('aria-selected'), 'true');
  await page.keyboard.press('End');
  assert.equal(await step('Attestation').getAttribute('aria-selected'), 'true');
  await screen(page).getByRole('heading', { name: 'Attestation', exact: true }).waitFor();
  await screenshot(page, 'attestation-keyboard-light');
  await page.keyboard.press('Alt+5');
  assert.equal(await step('Results').getAttribute('aria-selected'), 'true');
  // Tab from the step list goes into the screen, and the focused element shows an outline.
  await step('Results').focus();
  await page.keyboard.press('Tab');
  const outline = (await page.evaluate(`(() => {
    const el = document.activeElement;
    return { inMain: !!el.closest('main'), outline: getComputedStyle(el).outlineStyle };
  })()`)) as { inMain: boolean; outline: string };
  assert.equal(outline.inMain, true);
  assert.equal(outline.outline, 'solid');
});

uiTest('Every control and link: nothing navigates away and no request leaves the app', async () => {
  const steps = ['Case', 'Import', 'Trust keys', 'Verify', 'Results', 'Explorer', 'Attestation'];
  let clicked = 0;
  const perScreen: Record<string, number> = {};
  assert.equal(await page.locator('a[href]').count(), 0, 'the app has no hyperlinks at all');
  for (const name of steps) {
    await step(name).click();
    const controls = screen(page).locator('button:not([disabled]), [role=tab], [role=slider], input[type=radio], select');
    const n = await controls.count();
    perScreen[name] = n;
    for (let i = 0; i < n; i++) {
      await step(name).click();
      const c = screen(page).locator('button:not([disabled]), [role=tab], [role=slider], input[type=radio], select').nth(i);
      if (!(await c.isVisible().catch(() => false))) continue;
      const tag = await c.evaluate((el) => el.tagName);
      if (tag === 'SELECT') await c.focus();
      else await c.click({ timeout: 5_000 }).catch(() => undefined);
      clicked++;
      // A started job is let finish (or cancelled) so the next click does not collide with it.
      const cancel = page.getByRole('button', { name: 'Cancel' });
      if (await cancel.isVisible().catch(() => false)) await cancel.click().catch(() => undefined);
      await page.keyboard.press('Escape');
    }
  }
  // The header's theme toggle, through all three states.
  for (let i = 0; i < 3; i++) await page.getByRole('button', { name: /^Theme: / }).click();
  assert.ok(clicked >= 35, `clicked ${clicked} controls: ${JSON.stringify(perScreen)}`);
  await page.waitForTimeout(300);
  assert.deepEqual(app.guard.navigations, [], 'no navigation');
  assert.deepEqual(app.guard.foreignRequests, [], 'no request outside the app');
  assert.deepEqual(app.guard.errors, [], 'no console error, page error or CSP violation');
  assert.equal(page.url(), app.bridge.url);
});
