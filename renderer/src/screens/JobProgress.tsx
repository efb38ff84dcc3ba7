// Progress of a running job (hashing or verifying): bar, bytes done of total, rate, time left, and Cancel.
import type { Job } from '../app/workflow.tsx';
import { ProgressBar } from '../ui/controls.tsx';
import { bytes, duration, percent, rate } from '../lib/format.ts';

export function JobProgress({ job, title, onCancel }: { job: Job; title: string; onCancel: () => void }) {
  const p = job.progress;
  const total = p?.bytesTotal ?? 0;
  const done = p?.bytesDone ?? 0;
  return (
    <section className="job" aria-label={title} aria-busy="true">
      <div className="job-head">
        <h4>{title}</h4>
        <span className="muted small">{p?.phase ?? 'starting'}</span>
      </div>
      <ProgressBar done={done} total={total} label={`${title}: progress`} />
      <div className="job-stats small" aria-live="polite">
        <span data-testid="job-bytes">
          {total > 0 ? `${bytes(done)} of ${bytes(total)} (${Math.floor(percent(done, total))}%)` : p ? `${bytes(done)} read` : 'Waiting for the first progress report…'}
        </span>
        <span>{p ? rate(p.rate) : '—'}</span>
        <span>{p && p.etaSeconds !== null ? `${duration(p.etaSeconds)} left` : 'time left unknown'}</span>
      </div>
      <div className="btn-row">
        <button type="button" className="btn btn-danger" onClick={onCancel} disabled={job.cancelling}>
          {job.cancelling ? 'Cancelling…' : 'Cancel'}
        </button>
        <span className="muted small">The window stays usable while this runs.</span>
      </div>
    </section>
  );
}
