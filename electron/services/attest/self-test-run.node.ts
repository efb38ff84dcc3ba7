// The installation self-test an attestation runs just before its examination (CLI attest and the app's Sign): the bundled cases through the app's handler table, the record delivered beside the report.
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { SelfTestRecord } from '../../../shared/core/attestation.ts';
import { createHandlers } from '../api/handlers.node.ts';
import { UsageError } from '../keys.node.ts';
import { bundledSelfTestDir, readSelfTestRecord, runSelfTest } from '../self-test.node.ts';

/** REPORT.self-test.json: the validation record of the run that preceded the report. */
export const selfTestRecordPath = (pdf: string): string => `${pdf.replace(/\.pdf$/i, '')}.self-test.json`;

/** What the report records when the examiner skipped the self-test. */
export const SELF_TEST_SKIPPED: SelfTestRecord = { status: 'not-run', summary: 'Not run: the examiner skipped it (--no-self-test).', recordSha256: null, at: null };

/** A runner for AttestOptions.selfTest, refusing up front when the record file exists or the cases are missing. */
export function attestSelfTest(pdf: string): () => Promise<SelfTestRecord> {
  const out = selfTestRecordPath(pdf);
  if (existsSync(out)) throw new UsageError(`attest: ${out} already exists; a validation record is never overwritten (give another --out)`);
  const casesDir = bundledSelfTestDir();
  if (!existsSync(casesDir)) throw new UsageError(`attest: the bundled self-test cases are missing (${casesDir}); this installation is incomplete (or give --no-self-test)`);
  return async () => {
    const workDir = await mkdtemp(join(tmpdir(), 'sealcheck-attest-self-test-'));
    const handlers = createHandlers({ casesRoot: join(workDir, 'cases'), stateDir: join(workDir, 'state'), emit: () => {} });
    try {
      const r = await runSelfTest({ handlers, casesDir, out, workDir });
      const { record, sha256 } = await readSelfTestRecord(r.recordPath);
      const failed = record.cases.filter((c) => !c.match).map((c) => c.name);
      return {
        status: record.passed ? 'passed' : 'failed',
        summary: record.passed
          ? `All ${record.cases.length} bundled cases (${record.cases.map((c) => c.name).join(', ')}) gave exactly their expected verdicts and findings on this installation; record delivered as ${out.split('/').pop()}.`
          : `${failed.length} of ${record.cases.length} bundled cases did not give their expected result (${failed.join(', ')}): do not rely on this installation. Record: ${out.split('/').pop()}.`,
        recordSha256: sha256,
        at: record.finishedAt,
      };
    } finally {
      handlers.close();
      await rm(workDir, { recursive: true, force: true });
    }
  };
}
