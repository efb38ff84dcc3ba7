// Holes in time and events out of time order in an audit log, found in one streaming pass over (entry index, time) pairs.

// The rule (documented in docs and the report): an interval with no event is a gap when it is longer than
//   max(10 minutes, 50 × the median interval between consecutive events of this log).
// - 50 × the median: if events arrived at random at the log's own rate (exponential intervals), the
//   median interval is ln 2 / rate, so 50 medians are about 35 mean intervals, and the chance of such a
//   silence by accident is e^-35 ≈ 10^-15 per interval: a reported gap is not chance at this rate.
// - 10 minutes: real traffic is bursty (a controller's loop, then nothing for seconds), so the median
//   of a busy log is milliseconds and 50 medians would flag ordinary lulls. A recorded cluster is
//   never quiet for minutes on its own: leader-election leases are renewed every 2 s and node leases
//   every 10 s, unless the policy drops them; 10 minutes is far above any of that.
// An event is out of order when its time is more than the tolerance (default 60 s) before the latest
// time seen so far. 60 s is above the webhook backend's default batch wait (30 s), so the reordering
// that batching and several API servers writing to one sink cause is not reported.
// Gaps are measured from the latest time seen so far, so one event out of order does not open a gap.

export const GAP_FLOOR_MS = 10 * 60 * 1000;
export const GAP_RATE_FACTOR = 50;
export const REORDER_TOLERANCE_MS = 60 * 1000;
/** Stated with every gap report: the two are independent facts. */
export const NOT_A_CHAIN_GAP =
  'Gaps in time are not gaps in the hash chain: every entry of the log is still present and linked; a gap means no event was recorded in that interval, which the chain can neither cause nor reveal.';

// Beyond these the report says how many more there were rather than list them.
const MAX_LISTED = 1000;

export interface TimeGap {
  /** The entry holding the latest time before the silence. */
  fromIndex: number;
  /** The first entry after it. */
  toIndex: number;
  fromTime: number;
  toTime: number;
  durationMs: number;
}

export interface OutOfOrderRun {
  /** First and last entry of a run of consecutive events that are out of order. */
  fromIndex: number;
  toIndex: number;
  /** The entry holding the latest time seen before the run. */
  latestIndex: number;
  latestTime: number;
  /** How far the earliest event of the run lies before latestTime. */
  maxBehindMs: number;
  events: number;
}

export interface TimeGapReport {
  events: number;
  /** Entries given without a usable time. */
  untimed: number;
  firstTime: number | null;
  lastTime: number | null;
  /** Approximate (within 5 %) median of the intervals between consecutive timed events. */
  medianIntervalMs: number | null;
  thresholdMs: number;
  toleranceMs: number;
  gaps: TimeGap[];
  /** Silences longer than the floor after the first 1000 such: not examined, each may or may not exceed the threshold. */
  gapsNotListed: number;
  outOfOrder: OutOfOrderRun[];
  outOfOrderNotListed: number;
  outOfOrderEvents: number;
  note: string;
}

export interface TimeGapOptions {
  floorMs?: number;
  rateFactor?: number;
  toleranceMs?: number;
}

// The median comes from a histogram with 16 buckets per doubling, so memory stays constant however long the log.
const PER_OCTAVE = 16;

export class TimeGapDetector {
  private readonly floorMs: number;
  private readonly rateFactor: number;
  private readonly toleranceMs: number;
  private readonly histogram = new Map<number, number>();
  private intervals = 0;
  private events = 0;
  private untimed = 0;
  private first: number | null = null;
  private latest = -Infinity;
  private latestIndex = -1;
  private candidates: TimeGap[] = [];
  private candidatesNotListed = 0;
  private runs: OutOfOrderRun[] = [];
  private runsNotListed = 0;
  private outOfOrderEvents = 0;
  private open: OutOfOrderRun | null = null;

  constructor(options: TimeGapOptions = {}) {
    this.floorMs = options.floorMs ?? GAP_FLOOR_MS;
    this.rateFactor = options.rateFactor ?? GAP_RATE_FACTOR;
    this.toleranceMs = options.toleranceMs ?? REORDER_TOLERANCE_MS;
  }

  /** Entries must be added in log order; `timeMs` undefined for an entry with no usable time. */
  add(index: number, timeMs: number | undefined): void {
    this.events++;
    if (timeMs === undefined || !Number.isFinite(timeMs)) {
      this.untimed++;
      return;
    }
    if (this.first === null) {
      this.first = timeMs;
      this.latest = timeMs;
      this.latestIndex = index;
      return;
    }
    if (timeMs < this.latest - this.toleranceMs) {
      this.outOfOrderEvents++;
      const behind = this.latest - timeMs;
      if (this.open) {
        this.open.toIndex = index;
        this.open.events++;
        if (behind > this.open.maxBehindMs) this.open.maxBehindMs = behind;
      } else {
        this.open = { fromIndex: index, toIndex: index, latestIndex: this.latestIndex, latestTime: this.latest, maxBehindMs: behind, events: 1 };
      }
      this.count(0);
      return;
    }
    this.closeRun();
    const step = Math.max(0, timeMs - this.latest);
    this.count(step);
    if (step > this.floorMs) {
      if (this.candidates.length < MAX_LISTED) this.candidates.push({ fromIndex: this.latestIndex, toIndex: index, fromTime: this.latest, toTime: timeMs, durationMs: step });
      else this.candidatesNotListed++;
    }
    if (timeMs >= this.latest) {
      this.latest = timeMs;
      this.latestIndex = index;
    }
  }

  finish(): TimeGapReport {
    this.closeRun();
    const median = this.median();
    const thresholdMs = Math.max(this.floorMs, median === null ? 0 : this.rateFactor * median);
    const gaps = this.candidates.filter((g) => g.durationMs > thresholdMs);
    return {
      events: this.events,
      untimed: this.untimed,
      firstTime: this.first,
      lastTime: this.first === null ? null : this.latest,
      medianIntervalMs: median,
      thresholdMs,
      toleranceMs: this.toleranceMs,
      gaps,
      gapsNotListed: this.candidatesNotListed,
      outOfOrder: this.runs,
      outOfOrderNotListed: this.runsNotListed,
      outOfOrderEvents: this.outOfOrderEvents,
      note: NOT_A_CHAIN_GAP,
    };
  }

  private closeRun(): void {
    if (!this.open) return;
    if (this.runs.length < MAX_LISTED) this.runs.push(this.open);
    else this.runsNotListed++;
    this.open = null;
  }

  private count(ms: number): void {
    const b = ms <= 0 ? -Infinity : Math.floor(Math.log2(ms) * PER_OCTAVE);
    this.histogram.set(b, (this.histogram.get(b) ?? 0) + 1);
    this.intervals++;
  }

  private median(): number | null {
    if (this.intervals === 0) return null;
    const keys = [...this.histogram.keys()].sort((a, b) => a - b);
    let seen = 0;
    const half = Math.ceil(this.intervals / 2);
    for (const k of keys) {
      seen += this.histogram.get(k)!;
      if (seen >= half) return k === -Infinity ? 0 : 2 ** ((k + 0.5) / PER_OCTAVE);
    }
    return null;
  }
}

const RFC3339 = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})(?:\.(\d+))?(Z|[+-]\d{2}:\d{2})$/;

/** Milliseconds since the epoch of an RFC 3339 time as Kubernetes writes it (microseconds kept as a fraction), or undefined. */
export function parseRfc3339(text: unknown): number | undefined {
  if (typeof text !== 'string') return undefined;
  const m = RFC3339.exec(text);
  if (!m) return undefined;
  const whole = Date.parse(`${m[1]}${m[3]}`);
  if (!Number.isFinite(whole)) return undefined;
  return whole + (m[2] ? Number(`0.${m[2]}`) * 1000 : 0);
}

/**
 * The time an audit event was written: stageTimestamp, the moment of its stage. Log order follows it;
 * requestReceivedTimestamp of a long watch's ResponseComplete lies minutes back and would look out of order.
 */
export function eventTime(event: unknown): number | undefined {
  if (event === null || typeof event !== 'object' || Array.isArray(event)) return undefined;
  const e = event as Record<string, unknown>;
  return parseRfc3339(e.stageTimestamp) ?? parseRfc3339(e.requestReceivedTimestamp) ?? parseRfc3339(e.timestamp);
}
