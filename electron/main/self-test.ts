// The installation self-test from the app: `--self-test [--out FILE]` without a window, and Help → Validate installation, both through the UI's handler table.
import { app, dialog, shell, type BrowserWindow } from 'electron';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createHandlers } from '../services/api/handlers.node.ts';
import { bundledSelfTestDir, runSelfTest } from '../services/self-test.node.ts';

export interface SelfTestArgs {
  out: string | null;
}

/** `--self-test`, optionally with `--out FILE` or `--out=FILE`; null when the app is started normally. */
export function parseSelfTestArgs(argv: readonly string[]): SelfTestArgs | null {
  if (!argv.includes('--self-test')) return null;
  const at = argv.indexOf('--out');
  const inline = argv.find((a) => a.startsWith('--out='));
  const out = at >= 0 ? (argv[at + 1] ?? null) : inline ? inline.slice('--out='.length) : null;
  return { out: out ? resolve(out) : null };
}

/** Named like `sealcheck self-test`'s default record: the UTC time of the run, so runs never collide. */
const recordName = () => `sealcheck-self-test-${new Date().toISOString().replace(/\.\d{3}Z$/, 'Z').replace(/[-:]/g, '')}.json`;

/** Runs the bundled cases through a fresh handler table in a temporary folder (no recent-cases entry, no case left behind). */
async function run(out: string | null): Promise<{ passed: boolean; recordPath: string; summary: string }> {
  const casesDir = bundledSelfTestDir();
  if (!existsSync(casesDir)) throw new Error(`the bundled self-test cases are missing (${casesDir}); this installation is incomplete`);
  const workDir = await mkdtemp(join(tmpdir(), 'sealcheck-self-test-'));
  const handlers = createHandlers({ casesRoot: join(workDir, 'cases'), stateDir: join(workDir, 'state'), emit: () => undefined });
  try {
    let record = out;
    if (!record) {
      const folder = join(app.getPath('documents'), 'Sealcheck validation');
      await mkdir(folder, { recursive: true });
      record = join(folder, recordName());
    }
    return await runSelfTest({ handlers, casesDir, out: record, workDir });
  } finally {
    handlers.close();
    await rm(workDir, { recursive: true, force: true });
  }
}

/** The headless run: prints the summary and the record's path; the exit code is 0 only when every case matched. */
export async function runHeadlessSelfTest(args: SelfTestArgs, context: { packaged: boolean; log(message: string): void }): Promise<number> {
  context.log(`self-test of ${context.packaged ? 'the packaged app' : 'a development build'}`);
  const r = await run(args.out);
  process.stdout.write(`${r.summary.trimEnd()}\nvalidation record: ${r.recordPath}\n`);
  return r.passed ? 0 : 1;
}

/** Help → Validate installation: the same run, its result in a message box naming the record. */
export async function validateInstallation(context: { packaged: boolean; log(message: string): void; parent(): BrowserWindow | null }): Promise<void> {
  const show = (options: Electron.MessageBoxOptions) => {
    const parent = context.parent();
    return parent ? dialog.showMessageBox(parent, options) : dialog.showMessageBox(options);
  };
  try {
    const r = await run(null);
    context.log(`self-test ${r.passed ? 'passed' : 'FAILED'}; record ${r.recordPath}`);
    const answer = await show({
      type: r.passed ? 'info' : 'error',
      title: 'Validate installation',
      message: r.passed ? 'This installation works: every bundled case gave its expected verdict.' : 'This installation failed its self-test: do not use it for casework.',
      detail: `${r.summary.trimEnd()}\n\nValidation record: ${r.recordPath}`,
      buttons: ['Show record', 'Close'],
      defaultId: 1,
      cancelId: 1,
    });
    if (answer.response === 0) shell.showItemInFolder(r.recordPath);
  } catch (e) {
    context.log(`self-test could not run: ${e instanceof Error ? e.message : String(e)}`);
    await show({ type: 'error', title: 'Validate installation', message: 'The self-test could not run.', detail: e instanceof Error ? e.message : String(e), buttons: ['Close'] });
  }
}
