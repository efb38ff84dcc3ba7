// `sealcheck self-test`: the installation self-test without a window, through the same handler table as the app, with the same bundled cases.
import { existsSync, statSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createHandlers } from '../services/api/handlers.node.ts';
import { resolvePassphrase } from '../services/attest/examiner-key.node.ts';
import { UsageError } from '../services/keys.node.ts';
import { bundledSelfTestDir, runSelfTest } from '../services/self-test.node.ts';
import { one, parseArgs } from './args.ts';
import type { Io } from './main.ts';

export const SELF_TEST_HELP = `  sealcheck self-test [--out FILE] [--examiner-key PREFIX.key [--passphrase-file F]] [--cases DIR]
                      (validates this installation on the bundled known cases)`;

/** The default record name: the UTC time of the run, so repeated runs never collide. */
export function defaultRecordName(now: Date): string {
  return `sealcheck-self-test-${now.toISOString().replace(/\.\d{3}Z$/, 'Z').replace(/[-:]/g, '')}.json`;
}

/** Exit 0 when every case gave its expected result, 1 when any did not, 2 for bad usage (from main). */
export async function selfTestCommand(argv: string[], io: Io): Promise<number> {
  const p = parseArgs(argv, { out: { kind: 'one' }, 'examiner-key': { kind: 'one' }, 'passphrase-file': { kind: 'one' }, cases: { kind: 'one' } }, 'self-test');
  if (p.positional.length) throw new UsageError(`self-test: unexpected argument ${JSON.stringify(p.positional[0])}`);
  const keyPath = one(p, 'examiner-key');
  if (keyPath === undefined && p.flags.has('passphrase-file')) throw new UsageError('self-test: --passphrase-file is only for --examiner-key');
  const given = one(p, 'cases');
  const casesDir = given === undefined ? bundledSelfTestDir() : resolve(given);
  if (!existsSync(casesDir) || !statSync(casesDir).isDirectory()) {
    throw new UsageError(given === undefined ? `self-test: the bundled cases are missing (${casesDir}); this installation is incomplete` : `self-test: --cases ${given}: no such folder`);
  }
  const passphrase = keyPath === undefined ? undefined : await resolvePassphrase({ passphraseFile: one(p, 'passphrase-file') });
  const outGiven = one(p, 'out');
  const out = resolve(outGiven ?? defaultRecordName(new Date()));
  if (outGiven === undefined) io.stdout(`no --out given: the record goes to ${out}\n`);
  const workDir = await mkdtemp(join(tmpdir(), 'sealcheck-self-test-'));
  const handlers = createHandlers({ casesRoot: join(workDir, 'cases'), stateDir: join(workDir, 'state'), emit: () => {} });
  try {
    const r = await runSelfTest({ handlers, casesDir, out, workDir, ...(keyPath !== undefined ? { examiner: { keyPath, passphrase: passphrase! } } : {}) });
    io.stdout(r.summary);
    return r.passed ? 0 : 1;
  } finally {
    handlers.close();
    await rm(workDir, { recursive: true, force: true });
  }
}
