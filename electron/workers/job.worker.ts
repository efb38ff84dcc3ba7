// Worker thread for the app's long jobs (digest, verify + index, attest, checking an attestation), so the main process only coordinates.
import { parentPort } from 'node:worker_threads';
import type { VerifyReport } from '../../shared/core/report.ts';
import type { JobReply, JobRequest } from '../services/worker-messages.node.ts';
import { digestArchive } from '../services/digest.node.ts';
import { verifyArchive } from '../services/verify.node.ts';
import { NotAnArchiveError } from '../services/archive.node.ts';
import { attest, verifyAttestation } from '../services/attest/attest.node.ts';
import { attestSelfTest, selfTestRecordPath } from '../services/attest/self-test-run.node.ts';
import { ScopeAnalyzer } from '../../shared/core/scope.ts';
import { saveIndexedScope } from '../services/index/scope-store.node.ts';


const port = parentPort!;
const send = (r: JobReply) => port.postMessage(r);

port.once('message', async (job: JobRequest) => {
  try {
    if (job.type === 'digest') {
      const value = await digestArchive(job.path, (bytesDone, bytesTotal) => send({ type: 'progress', phase: 'computing the evidence digest', bytesDone, bytesTotal }));
      send({ type: 'result', value });
    } else if (job.type === 'attest') {
      send({ type: 'progress', phase: job.selfTest ? 'running the installation self-test, then verifying and signing' : 'verifying and signing the attestation', bytesDone: 0, bytesTotal: 0 });
      const r = await attest(job.selfTest ? { ...job.options, selfTest: attestSelfTest(job.options.out) } : job.options);
      send({ type: 'result', value: { selfTest: job.selfTest ? selfTestRecordPath(r.pdf) : null, pdf: r.pdf, dsse: r.dsse, sshsig: r.sshsig, allowedSigners: r.allowedSigners, reportId: r.content.report.id, verdict: r.content.result.verdict, reason: r.content.result.reason, principal: r.content.examiner.principal } });
    } else if (job.type === 'verify-attestation') {
      send({ type: 'progress', phase: 'checking the signed report', bytesDone: 0, bytesTotal: 0 });
      const v = await verifyAttestation(job.pdfPath, job.examinerKey, job.archivePath ?? undefined);
      send({ type: 'result', value: v });
    } else {
      // The evidence scope (issue 11) for the Results screen, worked out in the same pass over the entries.
      const scope = new ScopeAnalyzer(job.auditPolicy);
      const report: VerifyReport = await verifyArchive(job.path, {
        policy: job.policy,
        anchors: job.anchors,
        index: { dbPath: job.dbPath, run: job.run },
        onProgress: (p) => send({ type: 'progress', phase: p.phase, bytesDone: p.bytesDone, bytesTotal: p.bytesTotal }),
        scope,
      });
      const scoped = scope.finish();
      saveIndexedScope(job.dbPath, job.path, scoped);
      send({ type: 'result', value: { ...report, range: [], scope: scoped } });
    }
  } catch (e) {
    send({ type: 'error', code: e instanceof NotAnArchiveError ? 'not-an-archive' : 'internal', message: e instanceof Error ? e.message : String(e) });
  }
});
