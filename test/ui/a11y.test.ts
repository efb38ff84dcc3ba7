// Accessibility in Chromium against the real backend: a keyboard-only case, where focus lands and what is announced, axe-core's WCAG 2.1 A/AA rules on every screen in both themes, non-text contrast, and reflow at 320 px.
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { SAMPLES, TAMPERED_INDEX, appSession, axe as axeOf, eventually, screen, screenshot, setTheme, textIs, uiTests, type AppSession, type Fixtures } from './helpers.ts';

let fx: Fixtures;
let app: AppSession;
let page: Page;
const ui = appSession({ ready: (s) => ({ fx, app, page } = s) });
const uiTest = uiTests(ui, 240_000);
const STEPS = ['Case', 'Import', 'Trust keys', 'Verify', 'Results', 'Explorer', 'Attestation'] as const;
const HEADINGS: Record<(typeof STEPS)[number], string> = {
  Case: 'Case',
  Import: 'Import evidence',
  'Trust keys': 'Trust keys',
  Verify: 'Verify',
  Results: 'Results',
  Explorer: 'Explorer',
  Attestation: 'Attestation',
};


interface Active {
  tag: string;
  role: string | null;
  /** The accessible name as the app writes it: aria-label, the label element, else the text. */
  name: string;
  id: string;
}

/** What has keyboard focus now. */
async function active(): Promise<Active> {
  return page.evaluate(`(() => {
    const el = document.activeElement;
    if (!el) return { tag: 'none', role: null, name: '', id: '' };
    const labelled = el.getAttribute('aria-labelledby');
    const name = el.getAttribute('aria-label') ?? (labelled ? document.getElementById(labelled)?.textContent : null) ?? (el.labels?.[0]?.textContent ?? el.textContent ?? '');
    return { tag: el.tagName.toLowerCase(), role: el.getAttribute('role'), name: name.replace(/\\s+/g, ' ').trim(), id: el.id };
  })()`);
}

/** Presses Tab (Shift+Tab with back) until focus is on what `want` accepts; fails if it is not reached in 80 stops. */
async function tabTo(what: string, want: (a: Active) => boolean, back = false): Promise<Active> {
  for (let i = 0; i < 80; i++) {
    const a = await active();
    if (want(a)) return a;
    await page.keyboard.press(back ? 'Shift+Tab' : 'Tab');
  }
  throw new Error(`Tab never reached ${what}; focus is on ${JSON.stringify(await active())}`);
}

const named = (tag: string, name: string | RegExp) => (a: Active) => a.tag === tag && (typeof name === 'string' ? a.name === name : name.test(a.name));

/** The live region's text (a repeated message carries a trailing no-break space so it is read again). */
async function announced(): Promise<string> {
  return ((await page.getByTestId('announcer').textContent()) ?? '').replace(/\u00a0/g, '').trim();
}

async function announcedIs(expected: string | RegExp, what: string): Promise<string> {
  return eventually(announced, (t) => (typeof expected === 'string' ? t === expected : expected.test(t)), `announcement ${what}`, 60_000);
}

/** Waits until focus is on what `want` accepts (focus moves after React renders, and jobs take their time). */
async function focusIs(what: string, want: (a: Active) => boolean, timeoutMs = 60_000): Promise<Active> {
  return eventually(active, want, `focus on ${what}`, timeoutMs);
}

const axe = (what: string) => axeOf(page, what);

async function goStep(n: number): Promise<void> {
  await page.keyboard.press(`Alt+${n}`);
  await focusIs(`heading of step ${n}`, (a) => a.tag === 'h1' && a.name === HEADINGS[STEPS[n - 1]!]);
}

/** Entry `index` of the kube-apiserver sample as sealed, parsed here for an independent expectation. */
async function sampleEvent(index: number): Promise<{ objectRef?: { namespace?: string } }> {
  const lines = (await readFile(join(SAMPLES, 'immudb-log-audit_k8s.jsonl'), 'utf8')).split('\n').filter(Boolean);
  return JSON.parse(lines[index]!);
}

uiTest('Before any case: every screen (empty states) passes axe in both themes; Alt+N focuses the step heading and names it in the title', async () => {
  for (const theme of ['Light', 'Dark'] as const) {
    await setTheme(page, theme);
    for (let n = 1; n <= STEPS.length; n++) {
      await goStep(n);
      assert.equal(await page.title(), `${STEPS[n - 1]} — Sealcheck`);
      await axe(`${STEPS[n - 1]} (no case, ${theme})`);
    }
  }
  await setTheme(page, 'Light');
  await goStep(1);
});

uiTest('Keyboard only: create a case, import, add keys, verify, open a finding, read its Namespace, move between panes; focus and announcements at each step', async () => {
  // ---- Case: a refused create marks each empty field and focuses the first; a real one opens Import, heading focused.
  await tabTo('Create case', named('button', 'Create case'));
  await page.keyboard.press('Enter');
  const first = await focusIs('the first invalid field', (x) => x.tag === 'input' && x.name === 'Case number *');
  const firstInput = page.locator(`[id="${first.id}"]`);
  assert.equal(await firstInput.getAttribute('aria-invalid'), 'true');
  await textIs(page.locator(`[id="${(await firstInput.getAttribute('aria-describedby'))!.split(' ')[0]}"]`), '✗ Fill in the case number.', 'case number error');
  assert.equal(await screen(page).locator('form[aria-label="New case"] [aria-invalid="true"]').count(), 6);
  await screenshot(page, 'a11y-focus-case');
  const fields: [string, string][] = [
    ['Case number *', '2026-0142'],
    ['Requesting party *', 'Legal department, Example GmbH'],
    ['Title *', 'Audit trail of cluster-1, March 2023'],
    ['Examiner name *', 'Dana Example'],
    ['Examiner role *', 'Digital forensic examiner'],
    ['Organisation *', 'Example Forensics Ltd'],
  ];
  for (const [label, value] of fields) {
    await tabTo(label, named('input', label));
    await page.keyboard.type(value);
  }
  await page.keyboard.press('Enter');
  await focusIs('the Import heading', (a) => a.tag === 'h1' && a.name === 'Import evidence');
  assert.equal(await page.title(), 'Import — case 2026-0142 — Sealcheck');

  // ---- Import: an empty path is refused on the field itself, which gets focus; then the tampered archive.
  await tabTo('Hash and inspect', named('button', 'Hash and inspect'));
  await page.keyboard.press('Enter');
  const path = await focusIs('the invalid Archive path', (a) => a.tag === 'input' && a.name === 'Archive path');
  const pathInput = page.locator(`[id="${path.id}"]`);
  assert.equal(await pathInput.getAttribute('aria-invalid'), 'true');
  const described = (await pathInput.getAttribute('aria-describedby'))!.split(' ');
  await textIs(page.locator(`[id="${described[0]}"]`), '✗ Type or choose the path of the archive.', 'path error');
  await page.keyboard.type(fx.tamperedDir);
  await page.keyboard.press('Enter');
  await focusIs('the Evidence digest heading', (a) => a.tag === 'h2' && a.name === 'Evidence digest');
  await announcedIs(new RegExp(`^Evidence hashed: \\d+ files, SHA-256 ${fx.tamperedTreeDigest.slice(0, 8)}…${fx.tamperedTreeDigest.slice(-4)}\\.$`), 'after hashing');
  await screenshot(page, 'a11y-focus-import-digest');
  await tabTo('Continue to trust keys', named('button', 'Continue to trust keys'));
  await page.keyboard.press('Enter');
  await focusIs('the Trust keys heading', (a) => a.tag === 'h1' && a.name === 'Trust keys');
  assert.equal(await page.title(), 'Trust keys — case 2026-0142 — Sealcheck');

  // ---- Keys: the log key from its file, then the witness key (radio by arrow key), each announced.
  await tabTo('Key file', named('input', 'Key file'));
  await page.keyboard.type(fx.logPub);
  await page.keyboard.press('Enter');
  await announcedIs('Log key added: 1 log key trusted.', 'after the log key');
  assert.deepEqual(await active().then((a) => [a.tag, a.name]), ['input', 'Key file']);
  await tabTo('the role radio', (a) => a.tag === 'input' && /Log key/.test(a.name), true);
  await page.keyboard.press('ArrowDown');
  await tabTo('Key file', named('input', 'Key file'));
  await page.keyboard.type(fx.witnessPub);
  await page.keyboard.press('Enter');
  await announcedIs('Witness key added: 1 witness key trusted.', 'after the witness key');
  await screenshot(page, 'a11y-focus-keys');
  await tabTo('Continue to verify', named('button', 'Continue to verify'));
  await page.keyboard.press('Enter');
  await focusIs('the Verify heading', (a) => a.tag === 'h1' && a.name === 'Verify');

  // ---- Verify: focus waits on Cancel while it runs, then lands on the verdict; the outcome is announced once.
  await tabTo('Verify archive', named('button', 'Verify archive'));
  await page.keyboard.press('Enter');
  const verdict = await focusIs('the verdict', (a) => a.role === 'status' && a.name === 'Verdict');
  assert.equal(verdict.tag, 'section');
  await announcedIs('Verification finished: Failed — 5 errors, first at entry 1,234; 1,000 of 2,971 entries covered.', 'after verifying');
  assert.equal(await page.title(), 'Results — case 2026-0142 — Sealcheck');
  await screenshot(page, 'a11y-focus-results-verdict');

  // ---- Results → Explorer: the finding's location (its name starts with what it shows) opens the entry, focus on the grid.
  await tabTo('the entry 1,234 finding', (a) => a.tag === 'button' && a.name.startsWith('entry 1,234 · segments/000000001000.jsonl · line 235'));
  await page.keyboard.press('Enter');
  const grid = page.getByRole('grid', { name: 'Events' });
  await focusIs('the events grid', (a) => a.role === 'grid' && a.name === 'Events');
  await announcedIs(`Explorer: entry 1,234 selected.`, 'after opening the entry');
  await textIs(page.getByTestId('detail-index'), '1,234', 'detail pane');
  const activeCell = async () => {
    const id = await grid.getAttribute('aria-activedescendant');
    return page.locator(`[id="${id}"]`);
  };
  await eventually(async () => (await (await activeCell()).locator('xpath=..').getAttribute('data-position')) ?? '', (p) => p === String(TAMPERED_INDEX), 'the active row is entry 1,234');

  // ArrowRight walks the columns; the Namespace column scrolls into the grid's view (the detail pane narrows it).
  for (let i = 0; i < 6; i++) await page.keyboard.press('ArrowRight');
  assert.equal(await grid.getAttribute('data-active-col'), '6');
  assert.equal(await grid.locator('[role=columnheader][data-col="6"]').textContent(), 'Namespace');
  const cell = await activeCell();
  assert.equal(await cell.getAttribute('aria-colindex'), '7');
  assert.equal(await cell.textContent(), (await sampleEvent(TAMPERED_INDEX)).objectRef?.namespace ?? '—');
  const [g, c] = [(await grid.boundingBox())!, (await cell.boundingBox())!];
  assert.ok(c.x >= g.x && c.x + c.width <= g.x + g.width + 0.5, `Namespace cell ${JSON.stringify(c)} inside the grid ${JSON.stringify(g)}`);
  await screenshot(page, 'a11y-focus-explorer-namespace');
  // Further right are Stage and Sensitive, the last column (a press past it stays there); ArrowLeft back to the first scrolls back to the start.
  for (let i = 0; i < 5; i++) await page.keyboard.press('ArrowRight');
  assert.equal(await grid.getAttribute('data-active-col'), '10');
  assert.equal(await grid.locator('[role=columnheader][data-col="10"]').textContent(), 'Sensitive');
  assert.equal(await (await activeCell()).textContent(), '—', 'the sample entry carries nothing sensitive');
  for (let i = 0; i < 10; i++) await page.keyboard.press('ArrowLeft');
  assert.equal(await grid.evaluate((el) => el.scrollLeft), 0);

  // ---- F6 cycles grid → entry detail → filters → grid.
  await page.keyboard.press('F6');
  await focusIs('the entry detail pane', (a) => a.tag === 'aside' && a.name === 'Entry 1234 details');
  await screenshot(page, 'a11y-focus-explorer-detail');
  await page.keyboard.press('F6');
  await focusIs('the first filter', (a) => a.tag === 'input' && a.name === 'Search');
  await page.keyboard.press('F6');
  await focusIs('the grid again', (a) => a.role === 'grid');
  await page.keyboard.press('Shift+F6');
  await focusIs('the first filter (backwards)', (a) => a.tag === 'input' && a.name === 'Search');

  // ---- An invalid filter says so on the field (not applied) instead of only turning red.
  await tabTo('Code filter', named('input', 'Code'));
  await page.keyboard.type('4x3');
  const code = page.getByRole('textbox', { name: 'Code' });
  await eventually(() => code.getAttribute('aria-invalid'), (v) => v === 'true', 'Code marked invalid');
  const codeError = (await code.getAttribute('aria-describedby'))!.split(' ')[0]!;
  await textIs(page.locator(`[id="${codeError}"]`), '✗ Not applied: expected a three-digit status code.', 'code error');
  for (let i = 0; i < 3; i++) await page.keyboard.press('Backspace');
  await eventually(() => code.getAttribute('aria-invalid'), (v) => v === null, 'Code valid again');

  // ---- Attestation: reached by Alt+7; create the examiner key, then sign; focus follows each outcome.
  await goStep(7);
  await tabTo('Passphrase', named('input', 'Passphrase *'));
  await page.keyboard.type('correct horse battery staple');
  await tabTo('Confirm passphrase', named('input', 'Confirm passphrase *'));
  await page.keyboard.type('correct horse battery staple');
  await page.keyboard.press('Enter');
  await focusIs('the Examiner key card heading', (a) => a.tag === 'h2' && a.name === 'Examiner key');
  await tabTo('Examiner key passphrase', named('input', 'Examiner key passphrase *'));
  await page.keyboard.type('correct horse battery staple');
  await page.keyboard.press('Enter');
  await focusIs('the attested verdict', (a) => a.role === 'status' && a.name === 'Attested verdict', 120_000);
  await announcedIs('Attestation signed.', 'after signing');
  await screenshot(page, 'a11y-focus-attestation-signed');
  assert.deepEqual(app.guard.errors, []);
});

uiTest('Every screen with a case, a failed run, an open entry and field errors passes axe in both themes', async () => {
  // Field errors shown: the quorum on Trust keys and a time filter in the explorer.
  await goStep(3);
  const quorum = screen(page).getByLabel('Witness quorum');
  await quorum.fill('5');
  await goStep(6);
  await screen(page).getByRole('textbox', { name: 'From (UTC)' }).fill('yesterday');
  for (const theme of ['Light', 'Dark'] as const) {
    await setTheme(page, theme);
    for (let n = 1; n <= STEPS.length; n++) {
      await goStep(n);
      await axe(`${STEPS[n - 1]} (case open, ${theme})`);
      await screenshot(page, `a11y-axe-${STEPS[n - 1]!.toLowerCase().replace(' ', '-')}-${theme.toLowerCase()}`);
    }
  }
  await setTheme(page, 'Light');
  await goStep(3);
  await screen(page).getByLabel('Witness quorum').fill('1');
  await goStep(6);
  await screen(page).getByRole('textbox', { name: 'From (UTC)' }).fill('');
});

uiTest('Non-text contrast from the theme tokens: field borders, histogram bars and the focus ring are at least 3:1 in both themes', async () => {
  const pairs: [string, string][] = [
    ['--input-border', '--surface'],
    ['--input-border', '--bg'],
    ['--input-border', '--surface-2'],
    ['--chart-1', '--surface'],
    ['--chart-2', '--surface'],
    ['--focus', '--surface'],
    ['--focus', '--bg'],
  ];
  const measured: Record<string, number> = {};
  for (const theme of ['Light', 'Dark'] as const) {
    await setTheme(page, theme);
    // Tokens resolved by the browser (light-dark() follows the scheme), through a probe styled via the CSSOM.
    const names = [...new Set(pairs.flat())];
    const rgb = (await page.evaluate(`(() => {
      const probe = document.createElement('div');
      document.body.append(probe);
      const out = ${JSON.stringify(names)}.map((n) => {
        probe.style.color = 'var(' + n + ')';
        return getComputedStyle(probe).color;
      });
      probe.remove();
      return out;
    })()`)) as string[];
    const lum = (css: string) => {
      const [r, g, b] = css.match(/[\d.]+/g)!.slice(0, 3).map((v) => Number(v) / 255).map((c) => (c <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4)) as [number, number, number];
      return 0.2126 * r + 0.7152 * g + 0.0722 * b;
    };
    for (const [fg, bg] of pairs) {
      const [a, b] = [lum(rgb[names.indexOf(fg)]!), lum(rgb[names.indexOf(bg)]!)];
      measured[`${theme} ${fg} on ${bg}`] = Math.round(((Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05)) * 100) / 100;
    }
    // The fields really use the token.
    await goStep(2);
    const border = await screen(page).getByLabel('Archive path').evaluate((el) => (globalThis as unknown as { getComputedStyle(e: unknown): { borderTopColor: string } }).getComputedStyle(el).borderTopColor);
    assert.equal(border, rgb[names.indexOf('--input-border')]);
  }
  await setTheme(page, 'Light');
  const low = Object.entries(measured).filter(([, r]) => r < 3);
  assert.deepEqual(low, [], `below 3:1: ${JSON.stringify(measured)}`);
  console.log(`non-text contrast: ${JSON.stringify(measured)}`);
});

uiTest('Reflow: at 320×256 no screen scrolls sideways, and axe still passes; at 1,000 px the entry detail stacks under the grid', async () => {
  await page.setViewportSize({ width: 1000, height: 700 });
  await goStep(6);
  const grid = page.getByRole('grid', { name: 'Events' });
  const pane = page.locator('aside.detail');
  await pane.waitFor();
  const [g, p] = [(await grid.boundingBox())!, (await pane.boundingBox())!];
  assert.ok(p.y >= g.y + g.height, `detail ${JSON.stringify(p)} under the grid ${JSON.stringify(g)}`);
  // The grid keeps the screen's whole width (1,000 less the steps and padding), the pane the same below it.
  assert.ok(g.width > 700 && Math.abs(p.width - g.width) < 2, `grid ${g.width} px, pane ${p.width} px wide`);
  await screenshot(page, 'a11y-explorer-1000px');

  await page.setViewportSize({ width: 320, height: 256 });
  const wide: string[] = [];
  for (let n = 1; n <= STEPS.length; n++) {
    await goStep(n);
    const w = (await page.evaluate('document.documentElement.scrollWidth')) as number;
    if (w > 320) {
      // Name what sticks out (outermost elements past the right edge), so a failure says where to look.
      const out = await page.evaluate(`[...document.querySelectorAll('.app > *, main *, header *, nav *, footer *')].filter((e) => !e.closest('.table-wrap') && e.getBoundingClientRect().right > innerWidth + 1 && !(e.parentElement && e.parentElement.getBoundingClientRect().right > innerWidth + 1)).slice(0, 4).map((e) => e.tagName.toLowerCase() + '.' + [...e.classList].join('.') + ' ' + Math.round(e.getBoundingClientRect().right)).concat([...document.querySelectorAll('main *')].filter((e) => !e.closest('.table-wrap') && getComputedStyle(e).overflowX === 'visible' && e.getBoundingClientRect().left + e.scrollWidth > innerWidth + 1 && e.children.length === 0).slice(0, 4).map((e) => 'text in ' + e.tagName.toLowerCase() + '.' + [...e.classList].join('.') + ': ' + (e.textContent || '').slice(0, 40))))`);
      wide.push(`${STEPS[n - 1]}: ${w} px (${(out as string[]).join(', ')})`);
    }
    await axe(`${STEPS[n - 1]} at 320 px`);
    await screenshot(page, `a11y-320-${STEPS[n - 1]!.toLowerCase().replace(' ', '-')}`);
  }
  await page.setViewportSize({ width: 1440, height: 900 });
  assert.deepEqual(wide, []);
});
