// Progress of a running job (hashing or verifying): bar, bytes done of total, rate, time left, and Cancel.
import { useEffect, useRef } from 'react';
import { useWorkflow, type Job } from '../app/workflow.tsx';
import { BusyButton, ProgressBar } from '../ui/controls.tsx';
import { bytes, duration, percent, rate } from '../lib/format.ts';

export function JobProgress({ job, title, onCancel }: { job: Job; title: string; onCancel: () => void }) {
  const p = job.progress;
  const total = p?.bytesTotal ?? 0;
  const done = p?.bytesDone ?? 0;
  const { announce } = useWorkflow();
  // Progress is said aloud once per quarter, not at every update (several a second would drown everything else).
  const quarter = total > 0 ? Math.floor((done / total) * 4) : 0;
  const said = useRef(0);
  useEffect(() => {
    if (quarter > said.current && quarter < 4) {
      said.current = quarter;
      announce(`${title}: ${quarter * 25}%`);
    }
  }, [quarter, title, announce]);
  return (
    <section className="job" aria-label={title}>
      <div className="job-head">
        <h3>{title}</h3>
        <span className="muted small">{p?.phase ?? 'starting'}</span>
      </div>
      <ProgressBar done={done} total={total} label={`${title}: progress`} />
      {/* Not a live region: these numbers change several times a second; the quarters are announced instead. */}
      <div className="job-stats small">
        <span data-testid="job-bytes">
          {total > 0 ? `${bytes(done)} of ${bytes(total)} (${Math.floor(percent(done, total))}%)` : p ? `${bytes(done)} read` : 'Waiting for the first progress report…'}
        </span>
        <span>{p ? rate(p.rate) : '—'}</span>
        <span>{p && p.etaSeconds !== null ? `${duration(p.etaSeconds)} left` : 'time left unknown'}</span>
      </div>
      <div className="btn-row">
        <BusyButton busy={job.cancelling} className="btn btn-danger job-cancel" onClick={onCancel} busyReason="Cancelling">
          {job.cancelling ? 'Cancelling…' : 'Cancel'}
        </BusyButton>
        <span className="muted small">The window stays usable while this runs.</span>
      </div>
    </section>
  );
}
