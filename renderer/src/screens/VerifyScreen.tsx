// Step 4: verify the imported archive against the trust policy, with live progress and Cancel; indexes every entry as it goes.
import { useState } from 'react';
import { errorText } from '../api.ts';
import { useWorkflow } from '../app/workflow.tsx';
import { Banner, BusyButton, Card, Empty, ErrorBanner, Hash, PathText } from '../ui/controls.tsx';
import { focusSoon } from '../app/focus.ts';
import { JobProgress } from './JobProgress.tsx';
import { AuditPolicyCard } from './AuditPolicyCard.tsx';
import { bytesExact, count, utcFromIso } from '../lib/format.ts';

export function VerifyScreen() {
  const w = useWorkflow();
  const [error, setError] = useState<string | null>(null);

  if (!w.kase || !w.digest) {
    return (
      <div className="screen">
        <header className="screen-head">
          <h1>Verify</h1>
        </header>
        <Empty
          action={
            <button type="button" className="btn btn-primary" onClick={() => w.go(w.kase ? 'import' : 'cases')}>
              {w.kase ? 'Go to Import' : 'Go to Case'}
            </button>
          }
        >
          {w.kase ? 'Import an archive first: its digest is taken before it is verified.' : 'Open or create a case first.'}
        </Empty>
      </div>
    );
  }
  const { policy } = w.kase;
  const d = w.digest;
  const logKeys = policy.keys.filter((k) => k.role === 'log');
  const witnesses = policy.keys.filter((k) => k.role === 'witness');
  const job = w.job?.kind === 'verify' ? w.job : null;
  const jobError = w.jobError?.kind === 'verify' ? w.jobError : null;

  const start = async () => {
    setError(null);
    // The button gives way to the progress: focus waits on Cancel. A finished run focuses its verdict (workflow);
    // a failed or cancelled one, its message here.
    focusSoon('#step-panel-verify .job-cancel');
    try {
      await w.verify();
      focusSoon('#verify-job-error', () => document.getElementById('step-panel-verify'));
    } catch (e) {
      setError(errorText(e));
      focusSoon('#step-panel-verify [role=alert]');
    }
  };

  return (
    <div className="screen">
      <header className="screen-head">
        <h1>Verify</h1>
        <p className="muted">Every entry hash, chain link, checkpoint signature and cosignature is checked, and every entry is indexed for the explorer.</p>
      </header>
      <ErrorBanner error={error} />
      {logKeys.length === 0 ? (
        <Banner tone="warn" title="No log key is trusted">
          Without a trusted log key no checkpoint counts and the verdict can at best be incomplete.{' '}
          <button type="button" className="btn-link" onClick={() => w.go('keys')}>
            Add a log key
          </button>
        </Banner>
      ) : null}
      <div className="grid-2">
        <Card title="Evidence">
          <dl className="facts">
            <dt>Archive</dt>
            <dd>
              <PathText path={d.path} />
            </dd>
            <dt>{d.container === 'directory' ? 'Tree digest' : 'SHA-256'}</dt>
            <dd>
              <Hash hex={d.sha256} />
            </dd>
            <dt>Size</dt>
            <dd>
              {bytesExact(d.bytes)} in {count(d.files)} file{d.files === 1 ? '' : 's'}
            </dd>
          </dl>
        </Card>
        <Card title="Trust policy" actions={<button type="button" className="btn btn-sm" onClick={() => w.go('keys')}>Edit</button>}>
          <dl className="facts">
            <dt>Log keys</dt>
            <dd>{logKeys.length ? logKeys.map((k) => <div key={k.keyString} className="mono">{`${k.name} (${k.keyId})`}</div>) : <span className="muted">none</span>}</dd>
            <dt>Witness keys</dt>
            <dd>{witnesses.length ? witnesses.map((k) => <div key={k.keyString} className="mono">{`${k.name} (${k.keyId})`}</div>) : <span className="muted">none</span>}</dd>
            <dt>Quorum</dt>
            <dd>{policy.quorum === 0 ? 'no cosignatures needed' : `${policy.quorum} of ${witnesses.length} witnesses`}</dd>
            <dt>Expected origin</dt>
            <dd>{policy.origin ? <span className="mono">{policy.origin}</span> : <span className="muted">the archive's own</span>}</dd>
            <dt>Anchors</dt>
            <dd>{count(policy.anchors.length)}</dd>
          </dl>
        </Card>
      </div>
      <AuditPolicyCard />
      <Card title="Run">
        {job ? (
          <JobProgress job={job} title="Verifying" onCancel={() => void w.cancelJob()} />
        ) : (
          <div className="btn-row">
            <BusyButton busy={!!w.job} className="btn btn-primary" onClick={() => void start()} busyReason="A job is running">
              Verify archive
            </BusyButton>
            <span className="muted small">The result opens when the run finishes.</span>
          </div>
        )}
        {jobError ? (
          <Banner tone={jobError.cancelled ? 'warn' : 'danger'} role="alert" id="verify-job-error" title={jobError.cancelled ? 'Verification cancelled' : 'Verification could not run'}>
            {jobError.message}
          </Banner>
        ) : null}
        {w.run && !job && w.run.archive.path === d.path ? (
          <p className="small">
            Last run on this archive finished {utcFromIso(w.run.finishedAt)}.{' '}
            <button type="button" className="btn-link" onClick={() => w.go('results')}>
              Show the results
            </button>
          </p>
        ) : null}
      </Card>
    </div>
  );
}
