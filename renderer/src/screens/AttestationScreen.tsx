// Step 7: the attestation entry point. Says what the signed attestation will hold; producing it comes in a later release.
import { useWorkflow } from '../app/workflow.tsx';
import { Banner, Card, VerdictBadge } from '../ui/controls.tsx';
import { count } from '../lib/format.ts';

export function AttestationScreen() {
  const w = useWorkflow();
  const run = w.run;
  return (
    <div className="screen">
      <header className="screen-head">
        <h1>Attestation</h1>
        <p className="muted">A signed statement of what was verified, by whom, with what result: for the file, the court or the requesting party.</p>
      </header>
      <Banner tone="info" title="Not available in this version">
        Producing attestations arrives in a later release. This is what it will produce from the case, so you can check the inputs now.
      </Banner>
      <div className="grid-2">
        <Card title="What the attestation will contain">
          <ul className="bullets">
            <li>A signed PDF document that anyone holding it can check offline.</li>
            <li>The case: number, title, requesting party, examiner name, role and organisation.</li>
            <li>The evidence: archive path, container, size and SHA-256 (or tree digest), as taken at import.</li>
            <li>The trust policy: every key with its key ID and SHA-256 fingerprint, witness quorum, expected origin and anchors.</li>
            <li>The verdict with its reason, the covering checkpoint (origin, size, root, cosignature times) and every finding with its entry, file and line.</li>
            <li>The tool and version, and when the run started and finished (UTC).</li>
            <li>How to check it again with other tools: the spec §7 JSON report and the commands to recompute each hash.</li>
          </ul>
        </Card>
        <Card title="From this case">
          {w.kase ? (
            <dl className="facts">
              <dt>Case</dt>
              <dd>
                <span className="mono">{w.kase.caseNumber}</span> — {w.kase.title}
              </dd>
              <dt>Examiner</dt>
              <dd>
                {w.kase.examinerName}, {w.kase.examinerRole}, {w.kase.organisation}
              </dd>
              <dt>Keys</dt>
              <dd>{count(w.kase.policy.keys.length)}</dd>
              <dt>Verdict</dt>
              <dd>{run ? <VerdictBadge verdict={run.verdict} /> : <span className="muted">no run yet</span>}</dd>
            </dl>
          ) : (
            <p className="muted">Open a case to see its inputs.</p>
          )}
        </Card>
      </div>
    </div>
  );
}
