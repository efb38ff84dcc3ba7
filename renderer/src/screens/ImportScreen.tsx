// Step 2: choose the evidence (folder, .tar or .tar.gz) and record its digest before anything else is done with it.
import { useState, type FormEvent } from 'react';
import { api, errorText } from '../api.ts';
import { useWorkflow } from '../app/workflow.tsx';
import { Banner, BusyButton, Card, Empty, ErrorBanner, Hash, TextField, PathText } from '../ui/controls.tsx';
import { focusSoon } from '../app/focus.ts';
import { JobProgress } from './JobProgress.tsx';
import { bytesExact, count } from '../lib/format.ts';

const CONTAINER: Record<string, string> = { directory: 'Directory (archive folder)', tar: 'tar file', 'tar.gz': 'gzip-compressed tar file' };

export function ImportScreen() {
  const w = useWorkflow();
  const [path, setPath] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [pathError, setPathError] = useState<string | null>(null);

  if (!w.kase) {
    return (
      <div className="screen">
        <header className="screen-head">
          <h1>Import evidence</h1>
        </header>
        <Empty action={<button type="button" className="btn btn-primary" onClick={() => w.go('cases')}>Go to Case</button>}>Open or create a case first: evidence is always imported into a case.</Empty>
      </div>
    );
  }

  const pick = async (purpose: 'archive-file' | 'archive-folder') => {
    setError(null);
    try {
      const p = await api.pickPath(purpose);
      if (p) setPath(p);
    } catch (e) {
      setError(errorText(e));
    }
  };

  const onInspect = async (e?: FormEvent) => {
    e?.preventDefault();
    setError(null);
    setPathError(null);
    if (path.trim() === '') {
      setPathError('Type or choose the path of the archive.');
      focusSoon('#step-panel-import input[aria-invalid="true"]');
      return;
    }
    // While hashing, focus waits on Cancel; then it goes to the digest, or to what went wrong.
    focusSoon('#step-panel-import .job-cancel');
    try {
      const d = await w.inspect(path.trim());
      focusSoon(d ? '#evidence-digest-title' : '#import-job-error');
    } catch (err) {
      setError(errorText(err));
      focusSoon('#step-panel-import [role=alert]');
    }
  };

  const job = w.job?.kind === 'inspect' ? w.job : null;
  const d = w.digest;
  const jobError = w.jobError?.kind === 'inspect' ? w.jobError : null;

  return (
    <div className="screen">
      <header className="screen-head">
        <h1>Import evidence</h1>
        <p className="muted">The archive is opened read-only and hashed first: write the digest into your notes before you go on.</p>
      </header>
      <ErrorBanner error={error} />
      <Card title="Sealed audit archive" description="A directory, a .tar or a .tar.gz file, recognised by content.">
        <form onSubmit={onInspect} className="stack" aria-label="Choose the archive" noValidate>
          <TextField label="Archive path" value={path} onChange={setPath} error={pathError} mono placeholder="e.g. /evidence/cluster-1.tar.gz" hint="Type the full path, or choose it with the file dialog (only in the desktop app)." />
          <div className="btn-row">
            <BusyButton busy={!!w.job} onClick={() => void pick('archive-file')} busyReason="A job is running">
              Choose file…
            </BusyButton>
            <BusyButton busy={!!w.job} onClick={() => void pick('archive-folder')} busyReason="A job is running">
              Choose folder…
            </BusyButton>
            <BusyButton type="submit" busy={!!w.job} className="btn btn-primary" busyReason="A job is running">
              Hash and inspect
            </BusyButton>
          </div>
        </form>
        {job ? <JobProgress job={job} title="Hashing the evidence" onCancel={() => void w.cancelJob()} /> : null}
        {jobError ? (
          <Banner tone={jobError.cancelled ? 'warn' : 'danger'} role="alert" id="import-job-error" title={jobError.cancelled ? 'Hashing cancelled' : 'Could not read that archive'}>
            {jobError.message}
          </Banner>
        ) : null}
      </Card>
      {d ? (
        <Card
          title="Evidence digest"
          labelledBy="evidence-digest-title"
          description="Recorded in the case before any verification."
          actions={
            <button type="button" className="btn btn-primary" onClick={() => w.go('keys')}>
              Continue to trust keys
            </button>
          }
        >
          <dl className="facts" aria-label="Evidence digest">
            <dt>{d.container === 'directory' ? 'Tree digest (SHA-256)' : 'SHA-256'}</dt>
            <dd>
              <Hash hex={d.sha256} label="SHA-256" />
              {d.container === 'directory' ? (
                <div className="field-hint">
                  Same as <code>find . -type f -print0 | LC_ALL=C sort -z | xargs -0 sha256sum | sha256sum</code> in the folder.
                </div>
              ) : (
                <div className="field-hint">
                  Same as <code>sha256sum</code> of the file.
                </div>
              )}
            </dd>
            <dt>Path</dt>
            <dd>
              <PathText path={d.path} />
            </dd>
            <dt>Container</dt>
            <dd>{CONTAINER[d.container] ?? d.container}</dd>
            <dt>Size</dt>
            <dd>{bytesExact(d.bytes)}</dd>
            <dt>Files</dt>
            <dd>{count(d.files)}</dd>
          </dl>
        </Card>
      ) : null}
    </div>
  );
}
