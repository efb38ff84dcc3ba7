// The evidence scope of a run (issue 11) on Results: the audit policy's source, its blind spots, events against it, time gaps; entries open in the explorer.
import type { Scope } from '../../../shared/core/scope.ts';
import { scopeReport } from '../../../shared/core/scope-report.ts';
import { count } from '../lib/format.ts';
import { ScrollRegion } from './controls.tsx';

function EntryLink({ index, onOpen }: { index: number; onOpen: (index: number) => void }) {
  return (
    <button type="button" className="btn-link mono" onClick={() => onOpen(index)} aria-label={`Open entry ${count(index)} in the explorer`}>
      {count(index)}
    </button>
  );
}

export function ScopePanel({ scope, coveredEntries, onOpenEntry }: { scope: Scope | null; coveredEntries: number; onOpenEntry: (index: number) => void }) {
  if (!scope) {
    return <p className="muted">The evidence scope was not worked out for this run (it was indexed before Sealcheck did so): verify the archive again to see it.</p>;
  }
  const r = scopeReport(scope, coveredEntries);
  const contradicted = scope.contradictions.listed;
  return (
    <div className="scope stack">
      <section aria-labelledby="scope-policy">
        <h3 id="scope-policy" className="scope-title">Audit policy</h3>
        {r.policies.map((p) => (
          <p key={p}>{p}</p>
        ))}
      </section>
      <section aria-labelledby="scope-blind">
        <h3 id="scope-blind" className="scope-title">{r.blindSpots.length > 0 ? 'Blind spots: what the policy leaves out' : 'What no audit log records'}</h3>
        {r.blindSpots.map((b) => (
          <div key={b.policy}>
            {r.blindSpots.length > 1 ? <p className="scope-sub">{b.policy}</p> : null}
            <ul className="scope-list">
              {b.items.map((t) => (
                <li key={t}>{t}</li>
              ))}
            </ul>
          </div>
        ))}
        {r.outsideApiServer ? (
          <ul className="scope-list">
            <li>{r.outsideApiServer}</li>
          </ul>
        ) : null}
      </section>
      <section aria-labelledby="scope-events">
        <h3 id="scope-events" className="scope-title">Events against the policy</h3>
        {r.consistency.map((p) => (
          <p key={p}>{p}</p>
        ))}
        {contradicted.length > 0 ? (
          <ScrollRegion label="Events that contradict the policy (scrolls sideways)">
            <table className="table" aria-label="Events that contradict the policy">
              <caption className="visually-hidden">The first {count(contradicted.length)} events that contradict the policy, by entry</caption>
              <thead>
                <tr>
                  <th scope="col" className="num">Entry</th>
                  <th scope="col">Level</th>
                  <th scope="col">Stage</th>
                </tr>
              </thead>
              <tbody>
                {contradicted.slice(0, 20).map((x) => (
                  <tr key={x.index}>
                    <td className="num">
                      <EntryLink index={x.index} onOpen={onOpenEntry} />
                    </td>
                    <td className={x.levelMismatch ? undefined : 'muted'}>{x.levelMismatch ? `${x.levelMismatch.recorded}; the policy gives ${x.levelMismatch.expected}` : 'as the policy gives'}</td>
                    <td className={x.omittedStage ? undefined : 'muted'}>{x.omittedStage ? `${x.omittedStage}, which the policy omits` : 'kept by the policy'}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </ScrollRegion>
        ) : null}
        {scope.contradictions.events > 20 ? <p className="small muted">The first 20 of {count(scope.contradictions.events)} are shown; the verify --json output and the signed statement list up to {count(contradicted.length)}.</p> : null}
      </section>
      <section aria-labelledby="scope-time">
        <h3 id="scope-time" className="scope-title">Gaps in time</h3>
        {r.time.map((p) => (
          <p key={p}>{p}</p>
        ))}
        {scope.timeGaps.gaps.length > 0 ? (
          <ScrollRegion label="Time gaps (scrolls sideways)">
            <table className="table" aria-label="Time gaps">
              <thead>
                <tr>
                  <th scope="col" className="num">Last entry before</th>
                  <th scope="col" className="num">First entry after</th>
                  <th scope="col">Interval without an event</th>
                </tr>
              </thead>
              <tbody>
                {scope.timeGaps.gaps.map((g, k) => (
                  <tr key={g.fromIndex}>
                    <td className="num">
                      <EntryLink index={g.fromIndex} onOpen={onOpenEntry} />
                    </td>
                    <td className="num">
                      <EntryLink index={g.toIndex} onOpen={onOpenEntry} />
                    </td>
                    <td>{r.gaps[k]!.text}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </ScrollRegion>
        ) : null}
        {r.outOfOrder.length > 0 ? (
          <ul className="scope-list">
            {r.outOfOrder.map((o) => (
              <li key={o.entries}>
                Entries {o.entries}: {o.text}
              </li>
            ))}
          </ul>
        ) : null}
        {r.chainNote ? <p className="scope-note">{r.chainNote}</p> : null}
      </section>
    </div>
  );
}
