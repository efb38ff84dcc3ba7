// Events per time bucket, with a brush: drag (or use the arrow keys) to set the explorer's time range; time gaps of the log are marked.
import { useRef, useState, type KeyboardEvent, type PointerEvent } from 'react';
import type { Histogram } from '../../../shared/api.ts';
import type { TimeGap } from '../../../shared/core/time-gaps.ts';
import { duration } from '../../../shared/core/scope-report.ts';
import { count, utcShort } from '../lib/format.ts';

export interface TimeRange {
  fromUs: number;
  toUs: number;
}

interface Props {
  histogram: Histogram | null;
  /** Buckets asked for: the histogram's span is this many buckets from the first one. */
  buckets: number;
  selection: TimeRange | null;
  onSelect: (range: TimeRange | null) => void;
  /** Intervals with no event longer than the log's own threshold (docs/evidence-scope.md), times in ms. */
  gaps?: readonly TimeGap[];
}

export function TimeHistogram({ histogram, buckets, selection, onSelect, gaps = [] }: Props) {
  const box = useRef<HTMLDivElement>(null);
  const [drag, setDrag] = useState<{ a: number; b: number } | null>(null);

  if (!histogram || histogram.buckets.length === 0 || histogram.bucketUs === 0) {
    return (
      <div className="histogram histogram-empty muted small" role="group" aria-label="Event times">
        No event times to chart for this filter.
      </div>
    );
  }
  const step = histogram.bucketUs;
  const lo = histogram.buckets[0]!.startUs;
  // Bucket numbers are recomputed and summed rather than trusted one row per bucket: a start that is not on a bucket
  // boundary (a REAL division in SQL) still lands in the right bar, and no count is lost.
  const slot = (startUs: number) => Math.floor((startUs - lo) / step + 1e-9);
  const n = Math.max(buckets, slot(histogram.buckets[histogram.buckets.length - 1]!.startUs) + 1);
  const hi = lo + n * step;
  const counts = new Array<number>(n).fill(0);
  for (const b of histogram.buckets) {
    const i = slot(b.startUs);
    if (i >= 0 && i < n) counts[i] = counts[i]! + b.count;
  }
  const max = Math.max(1, ...counts);
  const total = counts.reduce((a, b) => a + b, 0);

  const bucketAt = (clientX: number) => {
    const r = box.current!.getBoundingClientRect();
    const f = Math.max(0, Math.min(0.999999, (clientX - r.left) / r.width));
    return Math.floor(f * n);
  };
  const rangeOf = (a: number, b: number): TimeRange => ({ fromUs: lo + Math.min(a, b) * step, toUs: lo + (Math.max(a, b) + 1) * step });

  const onPointerDown = (e: PointerEvent) => {
    if (e.button !== 0) return;
    e.currentTarget.setPointerCapture(e.pointerId);
    const i = bucketAt(e.clientX);
    setDrag({ a: i, b: i });
  };
  const onPointerMove = (e: PointerEvent) => {
    if (drag) setDrag({ a: drag.a, b: bucketAt(e.clientX) });
  };
  const onPointerUp = () => {
    if (!drag) return;
    onSelect(rangeOf(drag.a, drag.b));
    setDrag(null);
  };

  // Selection in bucket units, for drawing and for the keyboard.
  const sel = drag
    ? { a: Math.min(drag.a, drag.b), b: Math.max(drag.a, drag.b) + 1 }
    : selection
      ? { a: Math.max(0, (selection.fromUs - lo) / step), b: Math.min(n, (selection.toUs - lo) / step) }
      : null;

  const onKeyDown = (e: KeyboardEvent) => {
    const a = sel ? Math.max(0, Math.floor(sel.a)) : -1;
    const b = sel ? Math.max(a + 1, Math.ceil(sel.b)) : 0;
    if (e.key === 'Escape' && selection) {
      onSelect(null);
    } else if (e.key === 'ArrowRight' || e.key === 'ArrowLeft') {
      const d = e.key === 'ArrowRight' ? 1 : -1;
      if (a < 0) onSelect(rangeOf(d > 0 ? 0 : n - 1, d > 0 ? 0 : n - 1));
      else if (e.shiftKey) onSelect(rangeOf(a, Math.max(a, Math.min(n - 1, b - 1 + d))));
      else {
        const w = b - a;
        const na = Math.max(0, Math.min(n - w, a + d));
        onSelect(rangeOf(na, na + w - 1));
      }
    } else return;
    e.preventDefault();
  };

  // Gaps are in ms, buckets in µs; a gap only partly in the chart is drawn as far as it reaches.
  const shownGaps = gaps
    .map((g) => ({ ...g, a: Math.max(0, (g.fromTime * 1000 - lo) / step), b: Math.min(n, (g.toTime * 1000 - lo) / step) }))
    .filter((g) => g.b > g.a)
    .map((g) => ({ ...g, x: g.a, w: g.b - g.a }));

  // Said with the precision of one bucket: minutes cannot tell apart 2-second buckets.
  const at = (us: number) => utcAt(us, step);
  const selText = selection ? `${at(selection.fromUs)} to ${at(selection.toUs)} UTC` : 'none: drag across the chart to choose one';
  const startBucket = sel ? Math.min(n, Math.floor(sel.a) + 1) : 1;

  return (
    <div className="histogram">
      <div
        ref={box}
        className="histogram-plot"
        role="slider"
        tabIndex={0}
        aria-label="Time range brush: drag, or use the arrow keys (Shift widens, Escape clears)"
        aria-valuetext={`Selected ${selText}`}
        aria-valuemin={1}
        aria-valuemax={n}
        aria-valuenow={startBucket}
        data-bucket-us={step}
        onPointerDown={onPointerDown}
        onPointerMove={onPointerMove}
        onPointerUp={onPointerUp}
        onPointerCancel={() => setDrag(null)}
        onKeyDown={onKeyDown}
      >
        <svg viewBox={`0 0 ${n} 100`} preserveAspectRatio="none" aria-hidden="true" className="histogram-svg">
          {shownGaps.map((g) => (
            <rect key={`gap-${g.fromIndex}`} x={g.x} width={g.w} y={0} height={100} className="gap" />
          ))}
          {counts.map((c, i) =>
            c > 0 ? <rect key={i} x={i + 0.08} width={0.84} y={100 - Math.max(3, (c / max) * 100)} height={Math.max(3, (c / max) * 100)} className={sel && i >= Math.floor(sel.a) && i < Math.ceil(sel.b) ? 'bar bar-in' : 'bar'} /> : null,
          )}
        </svg>
        {sel ? <div className="histogram-brush" style={{ left: `${(sel.a / n) * 100}%`, width: `${((sel.b - sel.a) / n) * 100}%` }} /> : null}
      </div>
      {shownGaps.length > 0 ? (
        <ul className="histogram-gaps small" aria-label="Time gaps in this chart">
          {shownGaps.map((g) => (
            <li key={g.fromIndex}>
              <span className="gap-key" aria-hidden="true" /> Gap in time, entries {count(g.fromIndex)} → {count(g.toIndex)}: no event for {duration(g.durationMs)}, {at(g.fromTime * 1000)} to {at(g.toTime * 1000)} UTC
            </li>
          ))}
        </ul>
      ) : null}
      <div className="histogram-axis small muted">
        <span>{utcShort(lo)} UTC</span>
        <span className="histogram-info">
          {count(total)} events in {n} buckets of {bucketLabel(step)}
        </span>
        <span>{utcShort(hi)} UTC</span>
      </div>
    </div>
  );
}

function bucketLabel(us: number): string {
  const s = us / 1e6;
  if (s < 1) return `${Math.round(us / 1000)} ms`;
  if (s < 120) return `${Math.round(s)} s`;
  if (s < 7200) return `${Math.round(s / 60)} min`;
  if (s < 172800) return `${Math.round(s / 3600)} h`;
  return `${Math.round(s / 86400)} d`;
}

/** A UTC time as precise as a bucket needs: minutes, seconds, or milliseconds. */
export function utcAt(us: number, bucketUs: number): string {
  const iso = new Date(Math.floor(us / 1000)).toISOString().replace('T', ' ');
  return bucketUs >= 60e6 ? iso.slice(0, 16) : bucketUs >= 1e6 ? iso.slice(0, 19) : iso.slice(0, 23);
}
