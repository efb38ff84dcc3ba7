// The coverage timeline: entries 0..N on one axis, the range each trusted checkpoint proves, the unsigned tail, failed entries.
import type { Coverage } from '../lib/coverage.ts';
import { PathText } from './controls.tsx';
import { count, plural, utcFromSeconds } from '../lib/format.ts';

/** Past this many failures the markers would merge into one red bar; the findings list has them all. */
const MAX_MARKERS = 200;

export function CoverageTimeline({ coverage, onOpenEntry }: { coverage: Coverage; onOpenEntry?: (index: number) => void }) {
  const { entries, covered, spans, tail, failed } = coverage;
  const pct = (i: number) => (entries > 0 ? (i / entries) * 100 : 0);
  const summary =
    entries === 0
      ? 'The archive has no entries.'
      : `Entries 0 to ${count(entries - 1)}: ${count(covered)} covered by ${plural(spans.length, 'trusted checkpoint')}` +
        (tail ? `, ${count(tail.to - tail.from)} in the unsigned tail from entry ${count(tail.from)}` : ', no unsigned tail') +
        (failed.length ? `, ${plural(failed.length, 'failed entry', 'failed entries')}.` : ', no failed entries.');
  const ticks = axisTicks(entries);
  const labelled = spans.length <= 6;

  return (
    <figure className="coverage" aria-label="Coverage timeline">
      <div className="coverage-track" role="img" aria-label={summary} data-testid="coverage-track">
        {spans.map((s, i) => (
          <div
            key={s.checkpoint}
            className={`coverage-span ${i % 2 ? 'coverage-span-b' : 'coverage-span-a'}`}
            style={{ left: `${pct(s.from)}%`, width: `${pct(s.to - s.from)}%` }}
            title={`${s.checkpoint}: entries ${count(s.from)}–${count(s.to - 1)} (tree size ${count(s.to)})`}
            data-from={s.from}
            data-to={s.to}
          >
            {labelled ? <span className="coverage-span-label">{count(s.to)}</span> : null}
          </div>
        ))}
        {tail ? (
          <div
            className="coverage-tail"
            style={{ left: `${pct(tail.from)}%`, width: `${Math.max(0.4, pct(tail.to - tail.from))}%` }}
            title={`Unsigned tail: entries ${count(tail.from)}–${count(tail.to - 1)}`}
            data-from={tail.from}
            data-to={tail.to}
          />
        ) : null}
        {failed.slice(0, MAX_MARKERS).map((i) => (
          <div key={i} className="coverage-failed" style={{ left: `${pct(i)}%` }} title={`Entry ${count(i)} failed`} data-index={i} />
        ))}
      </div>
      <div className="coverage-axis small muted" aria-hidden="true">
        {ticks.map((t, i) => (
          <span key={i} style={{ left: `${pct(t)}%` }} className={i === 0 ? 'tick-first' : i === ticks.length - 1 ? 'tick-last' : ''}>
            {count(t)}
          </span>
        ))}
      </div>
      <figcaption className="coverage-legend small">
        <span>
          <i className="swatch swatch-covered" aria-hidden="true" /> covered by a trusted checkpoint
        </span>
        <span>
          <i className="swatch swatch-tail" aria-hidden="true" /> unsigned tail
        </span>
        <span>
          <i className="swatch swatch-failed" aria-hidden="true" /> failed entry
        </span>
        <span className="muted">{summary}</span>
      </figcaption>
      <div className="table-wrap coverage-table">
        <table className="table">
          <caption className="visually-hidden">Ranges proven by each trusted checkpoint</caption>
          <thead>
            <tr>
              <th scope="col">Entries</th>
              <th scope="col" className="num">
                Tree size
              </th>
              <th scope="col">Checkpoint</th>
              <th scope="col">Cosignatures (witness time)</th>
            </tr>
          </thead>
          <tbody>
            {spans.map((s) => (
              <tr key={s.checkpoint}>
                <td className="nowrap num-like">
                  {count(s.from)} – {count(s.to - 1)}
                </td>
                <td className="num">{count(s.to)}</td>
                <td>
                  <PathText path={s.checkpoint} />
                  {s.anchor ? (
                    <>
                      {' '}
                      <span className="badge badge-info">anchor</span>
                    </>
                  ) : null}
                </td>
                <td>
                  {s.cosignatures.length === 0 ? (
                    <span className="muted">none</span>
                  ) : (
                    <ul className="plain-list">
                      {s.cosignatures.map((c) => (
                        <li key={`${c.name}+${c.keyId}`}>
                          <span className="mono">{c.name}</span> <span className="muted">at</span> <span className="nowrap">{utcFromSeconds(c.time)}</span>
                        </li>
                      ))}
                    </ul>
                  )}
                </td>
              </tr>
            ))}
            {tail ? (
              <tr className="row-warn">
                <td className="nowrap">
                  {count(tail.from)} – {count(tail.to - 1)}
                </td>
                <td className="num">—</td>
                <td colSpan={2}>
                  <strong>Unsigned tail:</strong> {plural(tail.to - tail.from, 'entry', 'entries')} not covered by any trusted checkpoint.{' '}
                  {onOpenEntry ? (
                    <button type="button" className="btn-link" onClick={() => onOpenEntry(tail.from)}>
                      Open entry {count(tail.from)}
                    </button>
                  ) : null}
                </td>
              </tr>
            ) : null}
            {spans.length === 0 && !tail ? (
              <tr>
                <td colSpan={4} className="table-empty">
                  No entries.
                </td>
              </tr>
            ) : null}
          </tbody>
        </table>
      </div>
    </figure>
  );
}

/** Round numbers (1, 2 or 5 × 10^k apart) from 0, then the entry count itself; none too close to the end to read. */
export function axisTicks(entries: number): number[] {
  if (entries <= 0) return [];
  const raw = entries / 5;
  const mag = 10 ** Math.floor(Math.log10(Math.max(1, raw)));
  const step = Math.max(1, [1, 2, 5, 10].map((m) => m * mag).find((s) => s >= raw) ?? 10 * mag);
  const out: number[] = [];
  for (let t = 0; t < entries; t += step) if (entries - t >= step * 0.4 || t === 0) out.push(t);
  out.push(entries);
  return out;
}
