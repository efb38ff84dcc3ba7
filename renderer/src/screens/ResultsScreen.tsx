// Step 5: the verdict and its reason, the coverage timeline, the evidence scope, every checkpoint and signature, and the findings grouped by code.
import { useState } from 'react';
import type { RunView } from '../../../shared/api.ts';
import type { CheckpointCheckView as CheckpointCheck } from '../../../shared/core/report.ts';
import { errorText } from '../api.ts';
import { useWorkflow } from '../app/workflow.tsx';
import { Badge, Card, Empty, ErrorBanner, Hash, ScrollRegion, SelectField, VERDICT_ICON, VERDICT_TONE, VERDICT_WORD, PathText } from '../ui/controls.tsx';
import { CoverageTimeline } from '../ui/CoverageTimeline.tsx';
import { FindingsList } from '../ui/FindingsList.tsx';
import { ScopePanel } from '../ui/ScopePanel.tsx';
import { coverageOf } from '../lib/coverage.ts';
import { count, plural, utcFromIso, utcFromSeconds } from '../lib/format.ts';

export function ResultsScreen() {
  const w = useWorkflow();
  const [error, setError] = useState<string | null>(null);
  const run = w.run;

  if (!w.kase || !run) {
    return (
      <div className="screen">
        <header className="screen-head">
          <h1>Results</h1>
        </header>
        <Empty
          action={
            <button type="button" className="btn btn-primary" onClick={() => w.go(w.kase ? 'verify' : 'cases')}>
              {w.kase ? 'Go to Verify' : 'Go to Case'}
            </button>
          }
        >
          No verification yet. Verify an archive to see its verdict here.
        </Empty>
      </div>
    );
  }

  const archives = w.kase.archives.filter((a) => a.verdict !== null);
  const open = (index: number) => w.openEntry(index, run.archiveId);

  return (
    <div className="screen">
      <header className="screen-head screen-head-row">
        <div>
          <h1>Results</h1>
          <p className="muted">
            <PathText path={run.archive.path} />
          </p>
        </div>
        {archives.length > 1 ? (
          <SelectField
            label="Archive"
            size="sm"
            className="archive-select"
            value={String(run.archiveId)}
            options={archives.map((a) => ({ value: String(a.id), label: `${a.path} (${a.verdict})` }))}
            onChange={(v) => void w.showRun(Number(v)).catch((e) => setError(errorText(e)))}
          />
        ) : null}
      </header>
      <ErrorBanner error={error} />
      <VerdictBanner run={run} />
      {/* What went wrong comes first (nothing, when verified); then what is proven; then the details. */}
      <Card
        title="Findings"
        description={run.findings.length ? 'Grouped by code. Each location opens that entry in the explorer.' : undefined}
        actions={
          <button type="button" className="btn btn-sm" onClick={() => w.go('explorer')}>
            Open the explorer
          </button>
        }
      >
        <FindingsList findings={run.findings} onOpenEntry={open} />
      </Card>
      <Card title="Coverage" description="Which entry ranges each trusted checkpoint proves. A checkpoint of size N proves entries 0 to N−1; each bar is what it adds.">
        <CoverageTimeline coverage={coverageOf(run)} onOpenEntry={open} />
      </Card>
      <Card title="Evidence scope" description="What this log could not have recorded: the audit policy in force, its blind spots, events that contradict it, and gaps in time. Each entry number opens that entry in the explorer.">
        <ScopePanel scope={run.scope} coveredEntries={run.coveredEntries} onOpenEntry={open} />
      </Card>
      <div className="grid-2">
        <Card title="Archive">
          <dl className="facts">
            <dt>{run.archive.container === 'directory' ? 'Tree digest' : 'SHA-256'}</dt>
            <dd>
              <Hash hex={run.archive.sha256} label="archive SHA-256" />
            </dd>
            <dt>Container</dt>
            <dd>{run.archive.container}</dd>
            <dt>Origin</dt>
            <dd className="mono">{run.origin ?? <span className="muted">unknown</span>}</dd>
            <dt>Entries</dt>
            <dd>{count(run.entries)}</dd>
            <dt>Covered</dt>
            <dd>
              {count(run.coveredEntries)} of {count(run.entries)}
            </dd>
            <dt>Run</dt>
            <dd className="small">
              {utcFromIso(run.startedAt)} → {utcFromIso(run.finishedAt)}
            </dd>
          </dl>
        </Card>
        <Card title="Covering checkpoint" description="Compare origin, size and root with a checkpoint known from elsewhere.">
          {run.covering ? (
            <dl className="facts">
              <dt>Checkpoint</dt>
              <dd>
                <PathText path={run.covering.checkpoint} />
              </dd>
              <dt>Tree size</dt>
              <dd>{count(run.covering.size)}</dd>
              <dt>Root</dt>
              <dd className="hash-b64">{run.covering.root}</dd>
              <dt>Cosigned</dt>
              <dd>
                {run.covering.cosignatures.length === 0 ? (
                  <span className="muted">no cosignatures</span>
                ) : (
                  run.covering.cosignatures.map((c) => (
                    <div key={c.name}>
                      <span className="mono">{c.name}</span> <span className="muted">at</span> {utcFromSeconds(c.time)}
                    </div>
                  ))
                )}
              </dd>
              <dt>Claims</dt>
              <dd className="small">
                <span className="muted">Manifest (unverified):</span> {run.manifestClaims.sourceKind ?? 'no kind'}, created {run.manifestClaims.created ?? '—'}, by {run.manifestClaims.producer ?? '—'}
              </dd>
            </dl>
          ) : (
            <p className="muted">No trusted checkpoint covers any entry.</p>
          )}
        </Card>
      </div>
      <Card title="Checkpoints" description={`${plural(run.checkpoints.length, 'checkpoint')}, ${count(run.checkpoints.filter((c) => c.trusted).length)} trusted`}>
        <CheckpointTable checkpoints={run.checkpoints} />
      </Card>
      <Card title="Segments">
        <ScrollRegion label="Segments (scrolls sideways)">
          <table className="table" aria-label="Segments">
            <thead>
              <tr>
                <th scope="col">Segment</th>
                <th scope="col" className="num">
                  First entry
                </th>
                <th scope="col" className="num">
                  Entries (manifest)
                </th>
                <th scope="col" className="num">
                  Entries read
                </th>
              </tr>
            </thead>
            <tbody>
              {run.segments.map((s) => (
                <tr key={s.path}>
                  <td>
                    <PathText path={s.path} />
                  </td>
                  <td className="num">{count(s.first)}</td>
                  <td className="num">{count(s.count)}</td>
                  <td className="num">{s.entriesRead === null ? '—' : count(s.entriesRead)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </ScrollRegion>
      </Card>
    </div>
  );
}

function VerdictBanner({ run }: { run: RunView }) {
  const tone = VERDICT_TONE[run.verdict];
  return (
    <section className={`verdict verdict-${tone}`} role="status" aria-label="Verdict" data-verdict={run.verdict}>
      <span className="verdict-icon" aria-hidden="true">
        {VERDICT_ICON[run.verdict]}
      </span>
      <div className="verdict-body">
        <h2 className="verdict-word">{VERDICT_WORD[run.verdict]}</h2>
        <p className="verdict-reason">{run.reason}</p>
      </div>
      <div className="verdict-counts small">
        <div>
          <strong>{count(run.coveredEntries)}</strong> / {count(run.entries)} entries covered
        </div>
        <div>
          {plural(run.findings.filter((f) => f.severity === 'error').reduce((n, f) => n + (f.count ?? 1), 0), 'error')},{' '}
          {plural(run.findings.filter((f) => f.severity === 'warning').reduce((n, f) => n + (f.count ?? 1), 0), 'warning')}
        </div>
      </div>
    </section>
  );
}

const SIG_TONE = { valid: 'ok', invalid: 'danger', 'not-checked': 'neutral' } as const;

function CheckpointTable({ checkpoints }: { checkpoints: CheckpointCheck[] }) {
  if (checkpoints.length === 0) return <p className="muted">The archive lists no checkpoints.</p>;
  return (
    <ScrollRegion label="Checkpoints (scrolls sideways)">
      <table className="table checkpoint-table" aria-label="Checkpoints">
        <thead>
          <tr>
            <th scope="col">Checkpoint</th>
            <th scope="col" className="num">
              Size
            </th>
            <th scope="col">Root</th>
            <th scope="col">State</th>
            <th scope="col">Signatures (key · role · status · time)</th>
          </tr>
        </thead>
        <tbody>
          {checkpoints.map((c) => (
            <tr key={`${c.anchor ? 'a' : 'c'}:${c.path}`}>
              <td>
                <PathText path={c.path} />
                {c.anchor ? (
                  <>
                    {' '}
                    <Badge tone="info">anchor</Badge>
                  </>
                ) : null}
              </td>
              <td className="num">{c.size === null ? '—' : count(c.size)}</td>
              <td className="hash-b64 root-cell">
                {c.root ?? '—'}
                {c.computedRoot && c.root && c.computedRoot !== c.root ? <div className="danger-text">recomputed: {c.computedRoot}</div> : null}
              </td>
              <td>
                <div className="badge-stack">
                  {c.malformed ? <Badge tone="danger">malformed</Badge> : null}
                  <Badge tone={c.trusted ? 'ok' : 'warn'}>{c.trusted ? 'trusted' : 'untrusted'}</Badge>
                  <Badge tone={c.covers ? 'ok' : 'danger'}>{c.covers ? 'covers' : 'does not cover'}</Badge>
                </div>
              </td>
              <td>
                {c.signatures.length === 0 ? (
                  <span className="muted">{c.malformed ?? 'none'}</span>
                ) : (
                  <ul className="plain-list sig-list">
                    {c.signatures.map((s, i) => (
                      <li key={i}>
                        <span className="mono">
                          {s.name}+{s.keyId}
                        </span>{' '}
                        <Badge>{s.role}</Badge> <Badge tone={SIG_TONE[s.status]}>{s.status}</Badge>
                        {s.time !== undefined ? <span className="small nowrap"> {utcFromSeconds(s.time)}</span> : null}
                      </li>
                    ))}
                  </ul>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </ScrollRegion>
  );
}
