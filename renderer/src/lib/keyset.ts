// Row cache behind the virtualized event table: loads the rows around the viewport by keyset paging, never by OFFSET.
import type { Cursor } from '../../../shared/api.ts';

export interface KeysetPage<T> {
  rows: T[];
  next: Cursor | null;
}

export interface KeysetSource<T> {
  /** Rows in the result (from countEvents). Corrected if the pages end earlier. */
  total: number;
  fetch(after: Cursor | null, limit: number): Promise<KeysetPage<T>>;
  /** The cursor that continues right after this row, so any loaded row can start a later page. */
  cursorAfter(row: T): Cursor;
  /**
   * Optional: the cursor that starts directly at a position, when positions map to keys (index order with no
   * filter). Lets the examiner drag the scrollbar to the end of a million entries without reading them all.
   */
  seek?(position: number): Cursor | null;
  /** With seek: the position a row must be at, to check the seek landed where it should. */
  positionOf?(row: T): number;
}

/** Rows per block: a cursor is remembered at every block start. */
export const BLOCK = 100;
/** The backend's largest page. */
const MAX_LIMIT = 10_000;
/** Rows kept either side of the viewport; further rows are dropped and refetched from their block's cursor. */
const KEEP = 3_000;

export interface ScanState {
  /** While reading forward to reach a far position without a known cursor: how far it got. */
  at: number;
  target: number;
}

export class KeysetRows<T> {
  total: number;
  version = 0;
  error: string | null = null;
  scanning: ScanState | null = null;

  private readonly rows = new Map<number, T>();
  /** Block start → the cursor after the row before it (null for position 0). */
  private readonly anchors = new Map<number, Cursor | null>([[0, null]]);
  /** The highest block start reached by reading forward from 0 with no gap. */
  private frontier = 0;
  private seekOk: boolean;
  private want: { start: number; end: number } | null = null;
  private running = false;
  private disposed = false;
  private readonly listeners = new Set<() => void>();

  constructor(private readonly source: KeysetSource<T>) {
    this.total = source.total;
    this.seekOk = source.seek !== undefined;
  }

  get(position: number): T | undefined {
    return this.rows.get(position);
  }

  subscribe = (fn: () => void): (() => void) => {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  };

  getVersion = (): number => this.version;

  /** Asks for rows [start, end); only the latest request matters (the viewport moved on). */
  request(start: number, end: number): void {
    const s = Math.max(0, Math.min(start, this.total));
    const e = Math.max(s, Math.min(end, this.total));
    this.want = { start: s, end: e };
    void this.loop();
  }

  dispose(): void {
    this.disposed = true;
    this.listeners.clear();
  }

  private emit(): void {
    this.version++;
    for (const fn of this.listeners) fn();
  }

  private firstMissing(start: number, end: number): number {
    for (let p = start; p < end; p++) if (!this.rows.has(p)) return p;
    return -1;
  }

  private reset(): void {
    this.rows.clear();
    this.anchors.clear();
    this.anchors.set(0, null);
    this.frontier = 0;
  }

  private async loop(): Promise<void> {
    if (this.running) return;
    this.running = true;
    try {
      while (!this.disposed && this.want) {
        const start = Math.min(this.want.start, this.total);
        const end = Math.min(this.want.end, this.total);
        const missing = this.firstMissing(start, end);
        if (missing < 0) break;
        const wanted = Math.floor(missing / BLOCK) * BLOCK;
        let from: number;
        let after: Cursor | null;
        let seeking = false;
        if (this.anchors.has(wanted)) {
          from = wanted;
          after = this.anchors.get(wanted) ?? null;
        } else if (this.seekOk && this.source.seek) {
          from = wanted;
          after = this.source.seek(wanted);
          seeking = true;
        } else {
          // No way to jump: read forward from the last known cursor, in the largest pages.
          from = this.frontier;
          after = this.anchors.get(from) ?? null;
        }
        const span = end - from;
        const limit = Math.min(MAX_LIMIT, Math.max(BLOCK, Math.ceil(span / BLOCK) * BLOCK));
        this.scanning = wanted - from > MAX_LIMIT ? { at: from, target: wanted } : null;
        if (this.scanning) this.emit();
        const page = await this.source.fetch(after, limit);
        if (this.disposed) return;
        const first = page.rows[0];
        if (seeking && first !== undefined && this.source.positionOf && this.source.positionOf(first) !== from) {
          // Positions do not map to keys here (a gap in the indexes): forget what seeking loaded and read forward instead.
          this.seekOk = false;
          this.reset();
          continue;
        }
        const keepLo = Math.max(0, this.want.start - KEEP);
        const keepHi = this.want.end + KEEP;
        page.rows.forEach((row, i) => {
          const p = from + i;
          if ((p + 1) % BLOCK === 0) this.anchors.set(p + 1, this.source.cursorAfter(row));
          if (p >= keepLo && p < keepHi) this.rows.set(p, row);
        });
        while (this.anchors.has(this.frontier + BLOCK)) this.frontier += BLOCK;
        if (page.next === null) {
          // The result ended here: the count was taken before (or the data changed); trust the pages.
          const real = from + page.rows.length;
          if (real < this.total) this.total = real;
        } else if (page.rows.length === 0) break;
        this.evict(keepLo, keepHi);
        this.scanning = null;
        this.emit();
      }
    } catch (e) {
      this.error = e instanceof Error ? e.message : String(e);
      this.emit();
    } finally {
      this.running = false;
      this.scanning = null;
    }
  }

  private evict(keepLo: number, keepHi: number): void {
    if (this.rows.size <= 3 * KEEP) return;
    for (const p of this.rows.keys()) if (p < keepLo || p >= keepHi) this.rows.delete(p);
  }
}
