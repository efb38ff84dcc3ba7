// UI-test helpers: build the renderer, start the real backend bridge, drive Chromium, seal fixtures with the real CLI, take screenshots.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { cp, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { build } from 'vite';
import { chromium, type BrowserContext, type Locator, type Page } from 'playwright-core';
import { startBridge, type Bridge } from '../../electron/services/api/bridge.node.ts';

export const ROOT = resolve(import.meta.dirname, '../..');
export const SHOTS = join(ROOT, 'test-results', 'screenshots');
export const SAMPLES = join(ROOT, 'resources', 'samples');
const CHROMIUM = '/usr/bin/chromium';
const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--disable-background-networking', '--disable-component-update', '--no-first-run'];

/** Temporary directories of one test file, removed together. */
export class Temp {
  private readonly dirs: string[] = [];
  async dir(label: string): Promise<string> {
    const d = await mkdtemp(join(tmpdir(), `sealcheck-ui-${label}-`));
    this.dirs.push(d);
    return d;
  }
  async cleanup(): Promise<void> {
    for (const d of this.dirs.splice(0)) await rm(d, { recursive: true, force: true });
  }
}

/** The tests need a real Chromium: install Debian's when it is missing rather than skip. */
export function ensureChromium(): void {
  if (existsSync(CHROMIUM)) return;
  const r = spawnSync('apt-get', ['install', '-y', '--no-install-recommends', 'chromium'], { stdio: 'inherit', env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
  if (r.status !== 0 || !existsSync(CHROMIUM)) throw new Error(`Chromium is missing at ${CHROMIUM} and apt-get install chromium failed (exit ${r.status})`);
}

/** The CLI and workers are bundled into dist/ by scripts/build.mjs; the fixtures are sealed with that CLI. */
function ensureCliBuilt(): void {
  if (existsSync(join(ROOT, 'dist', 'cli.mjs'))) return;
  const r = spawnSync(process.execPath, [join(ROOT, 'scripts', 'build.mjs')], { cwd: ROOT, stdio: 'inherit' });
  if (r.status !== 0) throw new Error('scripts/build.mjs failed');
}

/** Builds the renderer (or the component harness) from the current sources into a private folder. */
export async function buildRenderer(outDir: string, what: 'app' | 'harness' = 'app'): Promise<string> {
  await build({
    configFile: join(ROOT, 'vite.config.ts'),
    logLevel: 'warn',
    build: {
      outDir,
      emptyOutDir: true,
      sourcemap: false,
      ...(what === 'harness' ? { rolldownOptions: { input: join(ROOT, 'renderer', 'harness', 'components.html') } } : {}),
    },
  });
  return outDir;
}

export interface Guard {
  /** URLs the main frame navigated to after the app loaded (must stay empty). */
  navigations: string[];
  /** Requests to anywhere but the bridge (must stay empty). */
  foreignRequests: string[];
  /** Console errors, page errors and CSP violations (must stay empty). */
  errors: string[];
}

export interface AppSession {
  page: Page;
  context: BrowserContext;
  bridge: Bridge;
  guard: Guard;
  casesRoot: string;
  close(): Promise<void>;
}

export async function launch(userDataDir: string, colorScheme: 'light' | 'dark' = 'light'): Promise<BrowserContext> {
  ensureChromium();
  return chromium.launchPersistentContext(userDataDir, {
    executablePath: CHROMIUM,
    headless: true,
    args: CHROMIUM_ARGS,
    viewport: { width: 1440, height: 900 },
    colorScheme,
    locale: 'en-US',
    // Not UTC on purpose: every time on screen must still be UTC.
    timezoneId: 'America/Los_Angeles',
    reducedMotion: 'reduce',
  });
}

/** Watches a page for navigation, foreign requests, console errors and CSP violations. */
export function guard(page: Page, origin: string): Guard {
  const g: Guard = { navigations: [], foreignRequests: [], errors: [] };
  let loaded = false;
  page.on('framenavigated', (f) => {
    if (loaded && f === page.mainFrame()) g.navigations.push(f.url());
  });
  page.on('load', () => (loaded = true));
  page.on('request', (r) => {
    if (!r.url().startsWith(origin)) g.foreignRequests.push(r.url());
  });
  page.on('console', (m) => {
    if (m.type() === 'error') g.errors.push(`console: ${m.text()}`);
  });
  page.on('pageerror', (e) => g.errors.push(`page: ${e.message}`));
  return g;
}

/** Starts the real backend over the loopback bridge, serving a freshly built renderer, and opens it in Chromium. */
export async function openApp(temp: Temp, rendererDir: string, options: { colorScheme?: 'light' | 'dark' } = {}): Promise<AppSession> {
  const casesRoot = await temp.dir('cases');
  const bridge = await startBridge({ casesRoot, rendererDir, stateDir: await temp.dir('state') });
  const context = await launch(await temp.dir('profile'), options.colorScheme);
  await context.addInitScript(bridge.clientScript);
  // CSP violations do not always reach the console; collect them from the page too.
  await context.addInitScript(`document.addEventListener('securitypolicyviolation', (e) => console.error('CSP violation: ' + e.violatedDirective + ' ' + e.blockedURI));`);
  const page = context.pages()[0] ?? (await context.newPage());
  // Fail fast: a step of the workflow that does not appear in 15 s is broken, not slow.
  page.setDefaultTimeout(15_000);
  const g = guard(page, bridge.url);
  await page.goto(bridge.url);
  await page.getByRole('tab', { name: /Case/ }).waitFor();
  return {
    page,
    context,
    bridge,
    guard: g,
    casesRoot,
    async close() {
      await context.close();
      await bridge.close();
    },
  };
}

export async function screenshot(page: Page, name: string): Promise<string> {
  await mkdir(SHOTS, { recursive: true });
  const path = join(SHOTS, `${name}.png`);
  await page.screenshot({ path });
  return path;
}

/** Sets the theme with the app's own toggle (it cycles System → Light → Dark). */
export async function setTheme(page: Page, theme: 'Light' | 'Dark' | 'System'): Promise<void> {
  for (let i = 0; i < 3; i++) {
    const toggle = page.getByRole('button', { name: /^Theme: / });
    if ((await toggle.getAttribute('aria-label'))?.startsWith(`Theme: ${theme}.`)) return;
    await toggle.click();
  }
  throw new Error(`theme ${theme} not reached`);
}

// ---------- fixtures: real logs sealed by the real CLI ----------

export const ORIGIN = 'audit.example/cluster-1';
export const WITNESS = 'witness.example/w1';

function cli(args: string[], cwd: string): string {
  const r = spawnSync(process.execPath, [join(ROOT, 'electron', 'cli', 'sealcheck.mjs'), ...args], { cwd, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`sealcheck ${args.join(' ')} failed (${r.status}): ${r.stderr}`);
  return r.stdout;
}

export interface Fixtures {
  dir: string;
  logPub: string;
  witnessPub: string;
  /** SHA-256 fingerprints of the public keys as `sealcheck keygen` printed them (compared out of band). */
  logFingerprint: string;
  witnessFingerprint: string;
  /** kube-apiserver sample (2,971 events) as .tar.gz: 3 segments, checkpoints at 1,000, 2,000 and 2,971, cosigned. */
  goodTarGz: string;
  goodSha256: string;
  /** The same sealed as a directory, with one byte of entry TAMPERED_INDEX changed ("list" → "last"). */
  tamperedDir: string;
  /** The tree digest of the tampered directory, computed by the shell pipeline the README gives. */
  tamperedTreeDigest: string;
  /** audit2rbac (37 legacy events, all impersonated) then OpenShift (100 events) as one .tar: every preset has something. */
  mixedTar: string;
}

/** Entry 1,234 is line 235 of segments/000000001000.jsonl: a list of mutatingwebhookconfigurations. */
export const TAMPERED_INDEX = 1234;

export async function sealFixtures(temp: Temp): Promise<Fixtures> {
  ensureCliBuilt();
  const dir = await temp.dir('fixtures');
  const fingerprint = (out: string) => /public key SHA-256: ([0-9a-f]{64})/.exec(out)![1]!;
  const logFingerprint = fingerprint(cli(['keygen', '--name', ORIGIN, '--out', 'log'], dir));
  const witnessFingerprint = fingerprint(cli(['keygen', '--name', WITNESS, '--out', 'w1', '--cosigner'], dir));
  const input = join(SAMPLES, 'immudb-log-audit_k8s.jsonl');
  const common = ['--key', 'log.key', '--origin', ORIGIN, '--cosign', 'w1.key', '--checkpoint-every', '1000', '--segment-entries', '1000'];
  cli(['seal', ...common, '--out', 'good.tar.gz', input], dir);
  cli(['seal', ...common, '--out', 'sealed-dir', input], dir);
  const tamperedDir = join(dir, 'tampered');
  await cp(join(dir, 'sealed-dir'), tamperedDir, { recursive: true });
  await changeOneByte(join(tamperedDir, 'segments', '000000001000.jsonl'), TAMPERED_INDEX - 1000, '"verb":"list"', 'i', 'a');
  cli(['seal', '--key', 'log.key', '--origin', ORIGIN, '--cosign', 'w1.key', '--out', 'mixed.tar', join(SAMPLES, 'audit2rbac_demo.jsonl'), join(SAMPLES, 'openshift-clo_audit_in.jsonl')], dir);
  const goodTarGz = join(dir, 'good.tar.gz');
  return {
    mixedTar: join(dir, 'mixed.tar'),
    dir,
    logPub: join(dir, 'log.pub'),
    logFingerprint,
    witnessFingerprint,
    witnessPub: join(dir, 'w1.pub'),
    goodTarGz,
    goodSha256: createHash('sha256').update(await readFile(goodTarGz)).digest('hex'),
    tamperedDir,
    tamperedTreeDigest: treeDigest(tamperedDir),
  };
}

/** A larger archive (the kube-apiserver sample repeated to `entries` lines), so a verification runs long enough to watch and cancel. */
export async function sealLarge(fx: Fixtures, entries: number): Promise<string> {
  const lines = (await readFile(join(SAMPLES, 'immudb-log-audit_k8s.jsonl'), 'utf8')).split('\n').filter(Boolean);
  const input = join(fx.dir, 'large.jsonl');
  const out: string[] = [];
  for (let i = 0; i < entries; i++) out.push(lines[i % lines.length]!);
  await writeFile(input, `${out.join('\n')}\n`);
  cli(['seal', '--key', 'log.key', '--origin', ORIGIN, '--out', 'large', '--segment-entries', '20000', input], fx.dir);
  return join(fx.dir, 'large');
}

/** Changes the first `from` byte after `marker` on 0-based line `line` of a file to `to`: one byte, length unchanged. */
export async function changeOneByte(file: string, line: number, marker: string, from: string, to: string): Promise<void> {
  const b = await readFile(file);
  let start = 0;
  for (let i = 0; i < line; i++) start = b.indexOf(0x0a, start) + 1;
  const end = b.indexOf(0x0a, start);
  const at = b.subarray(start, end).indexOf(Buffer.from(marker));
  if (at < 0) throw new Error(`${marker} not on line ${line + 1} of ${file}`);
  const pos = start + at + b.subarray(start + at, end).indexOf(Buffer.from(from));
  if (b[pos] !== from.charCodeAt(0)) throw new Error('byte to change not found');
  b[pos] = to.charCodeAt(0);
  await writeFile(file, b);
}

/** The directory digest exactly as the README says to recompute it by hand: an independent check of what the app shows. */
export function treeDigest(dir: string): string {
  const r = spawnSync('sh', ['-c', 'find . -type f -print0 | LC_ALL=C sort -z | xargs -0 sha256sum | sha256sum'], { cwd: dir, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(r.stderr);
  return r.stdout.split(' ')[0]!;
}

// ---------- waiting and reading ----------

/** Polls until `check` accepts what `get` returns; the last value is returned (and failing checks report it). */
export async function eventually<T>(get: () => Promise<T>, check: (v: T) => boolean, what: string, timeoutMs = 15_000): Promise<T> {
  const until = Date.now() + timeoutMs;
  let last: T = await get();
  while (!check(last)) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}; last value: ${JSON.stringify(last)}`);
    await new Promise((r) => setTimeout(r, 50));
    last = await get();
  }
  return last;
}

/** Waits until a locator's trimmed text is exactly `expected`. */
export async function textIs(locator: Locator, expected: string, what = 'text'): Promise<void> {
  await eventually(async () => ((await locator.textContent({ timeout: 15_000 })) ?? '').trim(), (t) => t === expected, `${what} to be ${JSON.stringify(expected)}`);
}

/** The visible workflow screen (the others stay mounted, hidden). */
export function screen(page: Page): Locator {
  return page.locator('main > [role=tabpanel]:not([hidden])');
}

/**
 * Runs a UI step; when it fails, saves a screenshot (test-results/screenshots/failure-*.png) and adds what the window
 * showed (alerts, the workflow steps' state) to the error, so a failure on another machine can be read without a rerun.
 */
export async function withDiagnostics(page: Page, name: string, fn: () => Promise<void>): Promise<void> {
  try {
    await fn();
  } catch (e) {
    const slug = name.toLowerCase().replace(/[^a-z0-9]+/g, '-').slice(0, 60);
    const shot = await screenshot(page, `failure-${slug}`).catch(() => 'no screenshot');
    const alerts = await page.getByRole('alert').allTextContents().catch(() => []);
    const steps = await page.locator('.nav-tab').allTextContents().catch(() => []);
    const err = e instanceof Error ? e : new Error(String(e));
    err.message += `\n  window: alerts ${JSON.stringify(alerts)}; steps ${JSON.stringify(steps)}; screenshot ${shot}`;
    throw err;
  }
}

/**
 * One app window for a test file: before its tests the renderer is built, the fixtures are sealed (unless `fixtures`
 * is false; `prepare` makes a file's own) and the app is opened (`ready` then gets them, for the file's own
 * variables); after them it is closed and the temporary files go.
 */
export interface UiSession {
  temp: Temp;
  fx: Fixtures;
  app: AppSession;
  page: Page;
}
export function appSession(options: { fixtures?: boolean; prepare?: (temp: Temp) => Promise<void>; ready: (s: UiSession) => void }): UiSession {
  const temp = new Temp();
  const s = { temp } as UiSession;
  before(async () => {
    const rendererDir = await buildRenderer(await temp.dir('renderer'));
    if (options.fixtures !== false) s.fx = await sealFixtures(temp);
    await options.prepare?.(temp);
    s.app = await openApp(temp, rendererDir);
    s.page = s.app.page;
    options.ready(s);
  });
  after(async () => {
    await s.app?.close();
    await temp.cleanup();
  });
  return s;
}

/** A UI test of a file's session: sequential, a generous time limit, diagnostics on failure. */
export function uiTests(session: { page: Page }, timeout = 180_000): (name: string, fn: () => Promise<void>) => void {
  return (name, fn) => test(name, { timeout }, () => withDiagnostics(session.page, name, fn));
}

/** The tab of a workflow step ("Trust keys", "Explorer"...). */
export const stepTab = (page: Page, name: string): Locator => page.getByRole('tablist', { name: 'Workflow steps' }).getByRole('tab', { name: new RegExp(`^${name}`) });

// Read here and evaluated through the DevTools protocol: the app's CSP (script-src 'self') stays as it ships.
const AXE_SOURCE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
const WCAG_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'];

/** axe-core with the WCAG 2.1 A and AA rules on the whole window: no violation, or the list of them. */
export async function axe(page: Page, what: string): Promise<void> {
  if ((await page.evaluate('typeof window.axe')) !== 'object') await page.evaluate(AXE_SOURCE);
  const violations = (await page.evaluate(
    `axe.run(document, { runOnly: { type: 'tag', values: ${JSON.stringify(WCAG_TAGS)} }, resultTypes: ['violations'] })
      .then((r) => r.violations.map((v) => ({ id: v.id, nodes: v.nodes.slice(0, 4).map((n) => n.target.join(' ') + ' — ' + n.failureSummary.replace(/\\s+/g, ' ')) })))`,
  )) as { id: string; nodes: string[] }[];
  assert.deepEqual(violations, [], `${what}: axe found ${violations.map((v) => `${v.id} (${v.nodes.join('; ')})`).join(' | ')}`);
}

/** The case details the Case step asks for. */
export interface CaseDetails {
  number: string;
  title: string;
  requestingParty?: string;
}

/**
 * The workflow up to a verdict, through the UI as an examiner does it: create the case, import the archive, trust the
 * log key (and a witness key), verify; returns the verdict's element.
 */
export async function verifiedCase(page: Page, c: CaseDetails, archive: string, keys: { log: string; witness?: string }): Promise<Locator> {
  const s = screen(page);
  await s.getByLabel('Case number').fill(c.number);
  await s.getByLabel('Requesting party').fill(c.requestingParty ?? 'Legal department, Example GmbH');
  await s.getByLabel('Title').fill(c.title);
  await s.getByLabel('Examiner name').fill('Dana Example');
  await s.getByLabel('Examiner role').fill('Digital forensic examiner');
  await s.getByLabel('Organisation').fill('Example Forensics Ltd');
  await s.getByRole('button', { name: 'Create case' }).click();
  await screen(page).getByRole('heading', { name: 'Import evidence' }).waitFor();
  await screen(page).getByLabel('Archive path').fill(archive);
  await screen(page).getByRole('button', { name: 'Hash and inspect' }).click();
  await screen(page).getByRole('region', { name: 'Evidence digest' }).waitFor();
  await stepTab(page, 'Trust keys').click();
  const k = screen(page);
  const table = k.getByRole('table', { name: 'Trusted keys' });
  await k.getByLabel('Key file').fill(keys.log);
  await k.getByRole('button', { name: 'Add log key' }).click();
  await table.getByRole('row').nth(1).waitFor();
  if (keys.witness) {
    await k.getByRole('radio', { name: /Witness key/ }).check();
    await k.getByLabel('Key file').fill(keys.witness);
    await k.getByRole('button', { name: 'Add witness key' }).click();
    await table.getByRole('row').nth(2).waitFor();
  }
  await stepTab(page, 'Verify').click();
  await screen(page).getByRole('button', { name: 'Verify archive' }).click();
  const verdict = page.getByRole('status', { name: 'Verdict' });
  await verdict.waitFor({ timeout: 60_000 });
  return verdict;
}
