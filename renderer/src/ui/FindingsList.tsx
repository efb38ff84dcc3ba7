// Findings grouped by code (count, severity), each location a link that opens that exact entry in the explorer.
import { useId, useState } from 'react';
import type { Finding } from '../../../shared/core/findings.ts';
import { count, plural } from '../lib/format.ts';
import { findingLocation, groupFindings, type FindingGroup } from '../lib/findings.ts';
import { SeverityBadge } from './controls.tsx';

export function FindingsList({ findings, onOpenEntry }: { findings: readonly Finding[]; onOpenEntry: (index: number) => void }) {
  const groups = groupFindings(findings);
  if (groups.length === 0) {
    return <p className="muted">No findings: every check passed.</p>;
  }
  return (
    <ul className="findings" aria-label="Findings by code">
      {groups.map((g) => (
        <FindingGroupItem key={g.code} group={g} onOpenEntry={onOpenEntry} />
      ))}
    </ul>
  );
}

/** Listed findings shown before "Show all": one code with a hundred locations must not push the others off screen. */
const FIRST = 10;

function FindingGroupItem({ group, onOpenEntry }: { group: FindingGroup; onOpenEntry: (index: number) => void }) {
  const [open, setOpen] = useState(true);
  const [all, setAll] = useState(false);
  const id = useId();
  const shown = all ? group.listed : group.listed.slice(0, FIRST);
  return (
    <li className={`finding-group finding-group-${group.severity}`} data-code={group.code}>
      <h3 className="finding-head">
        <button type="button" className="finding-toggle" aria-expanded={open} aria-controls={id} onClick={() => setOpen(!open)}>
          <span className="finding-chevron" aria-hidden="true">
            {open ? '▾' : '▸'}
          </span>
          <code className="finding-code">{group.code}</code>
          <SeverityBadge severity={group.severity} />
          <span className="finding-count" data-testid="finding-count">
            {plural(group.total, 'finding')}
          </span>
        </button>
      </h3>
      <ul id={id} className="finding-items" hidden={!open}>
        {shown.map((f, i) => (
          <li key={i} className="finding-item">
            <span className="finding-message">{f.message}</span>
            <span className="finding-where small">
              {f.index !== undefined ? (
                <button type="button" className="btn-link" onClick={() => onOpenEntry(f.index!)} aria-label={`${findingLocation(f)}: open entry ${f.index} in the explorer`}>
                  {findingLocation(f)}
                </button>
              ) : (
                <span className="muted">{findingLocation(f)}</span>
              )}
            </span>
          </li>
        ))}
        {shown.length < group.listed.length ? (
          <li className="finding-more">
            <button type="button" className="btn btn-sm" onClick={() => setAll(true)}>
              Show all {count(group.listed.length)} listed
            </button>
          </li>
        ) : null}
        {group.unlisted > 0 ? (
          <li className="finding-item muted small">
            … and {count(group.unlisted)} more {group.code} findings not listed (the first 100 of each code are listed).
          </li>
        ) : null}
      </ul>
    </li>
  );
}
