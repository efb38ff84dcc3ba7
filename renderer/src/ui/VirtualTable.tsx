// A virtualized grid: fixed row height, only the rows in view are in the DOM, so a million entries scroll like a hundred.
import { useCallback, useEffect, useId, useLayoutEffect, useRef, useState, type KeyboardEvent, type ReactNode } from 'react';

export interface Column<T> {
  id: string;
  header: string;
  /** A CSS grid track: '96px', 'minmax(120px, 1fr)'. */
  width: string;
  cell: (row: T) => ReactNode;
  /** Full text on hover when the cell is cut short. */
  title?: (row: T) => string | undefined;
  align?: 'right';
  mono?: boolean;
}

export interface VirtualTableProps<T> {
  label: string;
  rowCount: number;
  columns: readonly Column<T>[];
  getRow: (position: number) => T | undefined;
  /** Called with the rows the view needs (visible plus a margin), so the owner can load them. */
  onRange?: (start: number, end: number) => void;
  selected: number | null;
  onSelect: (position: number) => void;
  onActivate?: (position: number) => void;
  onEscape?: () => void;
  /** Changes when loaded rows change, so the visible rows re-render. */
  version?: number;
  /** Scroll so this position is in view; the nonce makes the same position scroll again. */
  reveal?: { position: number; nonce: number } | null;
  rowHeight?: number;
  /** Text for a row not loaded yet. */
  placeholder?: string;
  className?: string;
  emptyText?: ReactNode;
}

/**
 * Chromium caps element heights near 33 million px, and paints content far from the origin imprecisely well before
 * that (rows drew over each other 20 million px down; they were exact at 8 million). So the scroll range stays below
 * this, and past it the scrollbar maps proportionally onto the rows: the wheel and the keyboard still move by exact
 * pixels and rows (they set the position themselves); dragging the thumb jumps proportionally, as in any viewer of
 * very long logs.
 */
const MAX_SCROLL_PX = 4_000_000;
const OVERSCAN = 8;

export function VirtualTable<T>(p: VirtualTableProps<T>) {
  const rowH = p.rowHeight ?? 28;
  // The grid element is also the scroller: one focusable element that owns the rows (no container between them).
  const scroller = useRef<HTMLDivElement>(null);
  const head = useRef<HTMLDivElement>(null);
  // Two positions: the scroller's own scrollTop (phys), and the rows' position in the full list (virt).
  const [pos, setPosState] = useState({ phys: 0, virt: 0 });
  const virtRef = useRef(0);
  // The rows' viewport: the scroller's height less the sticky header.
  const [viewH, setViewH] = useState(0);
  const id = useId();
  // The active column: ArrowLeft/Right move it, so every column can be reached and read from the keyboard.
  const [col, setCol] = useState(0);
  const colCount = p.columns.length;
  const activeCol = Math.min(col, colCount - 1);

  const contentH = p.rowCount * rowH;
  const physH = Math.min(contentH, MAX_SCROLL_PX);
  const maxVirt = Math.max(0, contentH - viewH);
  const maxPhys = Math.max(0, physH - viewH);
  const ratio = maxPhys > 0 ? maxVirt / maxPhys : 1;
  const virtTop = Math.min(maxVirt, pos.virt);
  const first = Math.max(0, Math.floor(virtTop / rowH) - OVERSCAN);
  const last = Math.min(p.rowCount, Math.ceil((virtTop + viewH) / rowH) + OVERSCAN);

  useLayoutEffect(() => {
    const el = scroller.current;
    if (!el) return;
    const measure = () => setViewH(Math.max(0, el.clientHeight - (head.current?.offsetHeight ?? 0)));
    const ro = new ResizeObserver(measure);
    ro.observe(el);
    measure();
    return () => ro.disconnect();
  }, []);

  const { onRange } = p;
  useEffect(() => {
    if (viewH > 0) onRange?.(first, last);
  }, [first, last, viewH, onRange]);

  /** Moves the rows to a virtual position; the scrollbar follows proportionally. */
  const scrollToVirt = useCallback(
    (v: number) => {
      const el = scroller.current;
      if (!el) return;
      const virt = Math.max(0, Math.min(maxVirt, v));
      virtRef.current = virt;
      el.scrollTop = ratio > 0 ? virt / ratio : virt;
      setPosState({ phys: el.scrollTop, virt });
    },
    [maxVirt, ratio],
  );

  const onScroll = () => {
    const el = scroller.current!;
    const phys = el.scrollTop;
    // Our own scrollTop writes land within a pixel of virt/ratio: keep the exact virtual position then. Anything
    // else is the examiner dragging the thumb (or native scrolling when nothing is scaled).
    const ours = ratio > 1 && Math.abs(phys - virtRef.current / ratio) <= 1;
    const virt = ours ? virtRef.current : phys * ratio;
    virtRef.current = virt;
    setPosState({ phys, virt });
  };

  // Scaled, the wheel would move `ratio` times too far: take it over and move by exactly its delta.
  useEffect(() => {
    const el = scroller.current;
    if (!el || ratio <= 1) return;
    const onWheel = (e: WheelEvent) => {
      if (Math.abs(e.deltaY) < Math.abs(e.deltaX)) return;
      e.preventDefault();
      const unit = e.deltaMode === 1 ? rowH : e.deltaMode === 2 ? viewH : 1;
      scrollToVirt(virtRef.current + e.deltaY * unit);
    };
    el.addEventListener('wheel', onWheel, { passive: false });
    return () => el.removeEventListener('wheel', onWheel);
  }, [ratio, rowH, viewH, scrollToVirt]);

  // A new result starts at the top.
  useEffect(() => {
    if (p.rowCount === 0 && scroller.current) {
      scroller.current.scrollTop = 0;
      virtRef.current = 0;
      setPosState({ phys: 0, virt: 0 });
    }
  }, [p.rowCount]);

  const scrollIntoView = useCallback(
    (position: number) => {
      if (!scroller.current || viewH === 0) return;
      const top = position * rowH;
      if (top < virtTop) scrollToVirt(top);
      else if (top + rowH > virtTop + viewH) scrollToVirt(top + rowH - viewH);
    },
    [rowH, virtTop, viewH, scrollToVirt],
  );

  const reveal = p.reveal;
  useEffect(() => {
    if (reveal) scrollIntoView(reveal.position);
    // Only when asked (a new nonce) or once the view has a size, not whenever the scroll position changes.
  }, [reveal?.nonce, viewH > 0]);

  const move = (to: number) => {
    if (p.rowCount === 0) return;
    const pos = Math.max(0, Math.min(p.rowCount - 1, to));
    p.onSelect(pos);
    scrollIntoView(pos);
  };

  /** Makes a column active and scrolls sideways until its header (hence its cells) is fully in view. */
  const showColumn = (c: number) => {
    setCol(c);
    if (p.selected === null && p.rowCount > 0) move(0);
    const el = scroller.current;
    const cell = el?.querySelector<HTMLElement>(`[data-col="${c}"][role=columnheader]`);
    if (!el || !cell) return;
    const left = cell.offsetLeft;
    const right = left + cell.offsetWidth;
    // The row's horizontal padding stays visible on either side, so the first and last columns are not flush.
    if (c === 0) el.scrollLeft = 0;
    else if (left < el.scrollLeft) el.scrollLeft = Math.max(0, left - 12);
    else if (right > el.scrollLeft + el.clientWidth) el.scrollLeft = right - el.clientWidth + 12;
  };

  const page = Math.max(1, Math.floor(viewH / rowH) - 1);
  const onKeyDown = (e: KeyboardEvent) => {
    const cur = p.selected ?? -1;
    switch (e.key) {
      case 'ArrowDown':
        move(cur + 1);
        break;
      case 'ArrowUp':
        move(cur <= 0 ? 0 : cur - 1);
        break;
      case 'PageDown':
        move(cur + page);
        break;
      case 'PageUp':
        move(cur - page);
        break;
      case 'ArrowRight':
        showColumn(Math.min(colCount - 1, activeCol + 1));
        break;
      case 'ArrowLeft':
        showColumn(Math.max(0, activeCol - 1));
        break;
      // Home and End move between rows, as they always have here (examiners jump to the first and last entry).
      case 'Home':
        move(0);
        break;
      case 'End':
        move(p.rowCount - 1);
        break;
      case 'Enter':
        if (p.selected !== null) p.onActivate?.(p.selected);
        break;
      case 'Escape':
        if (!p.onEscape) return;
        p.onEscape();
        break;
      default:
        return;
    }
    e.preventDefault();
  };

  const template = p.columns.map((c) => c.width).join(' ');
  // Narrower than this, the grid scrolls sideways instead of squeezing columns into unreadable slivers.
  const minWidth = p.columns.reduce((w, c) => w + Number(/(\d+)px/.exec(c.width)?.[1] ?? 60), 0) + (p.columns.length - 1) * 12 + 24;
  const rows: ReactNode[] = [];
  for (let i = first; i < last; i++) {
    const row = p.getRow(i);
    // Content coordinates stay below MAX_SCROLL_PX: the row's place in the viewport plus the scroller's offset.
    const top = pos.phys + (i * rowH - virtTop);
    const selected = i === p.selected;
    rows.push(
      <div
        key={i}
        id={`${id}-row-${i}`}
        role="row"
        aria-rowindex={i + 2}
        aria-selected={selected}
        data-position={i}
        className={`vt-row ${selected ? 'vt-row-selected' : ''} ${i % 2 ? 'vt-row-odd' : ''}`}
        // Geometry goes through the CSSOM (React's style prop): allowed by the CSP, unlike a parsed style attribute.
        style={{ transform: `translateY(${top}px)`, height: rowH, gridTemplateColumns: template }}
        onMouseDown={(e) => {
          // Keep keyboard focus on the grid so arrows continue from the clicked row.
          e.preventDefault();
          scroller.current?.focus();
          p.onSelect(i);
        }}
        onDoubleClick={() => p.onActivate?.(i)}
      >
        {p.columns.map((c, j) => (
          <div
            key={c.id}
            id={`${id}-cell-${i}-${j}`}
            role="gridcell"
            aria-colindex={j + 1}
            data-col={j}
            className={`vt-cell ${c.align === 'right' ? 'num' : ''} ${c.mono ? 'mono' : ''} ${selected && j === activeCol ? 'vt-cell-active' : ''}`}
            title={row && c.title ? c.title(row) : undefined}
          >
            {row ? c.cell(row) : c === p.columns[0] ? <span className="muted">{p.placeholder ?? '…'}</span> : null}
          </div>
        ))}
      </div>,
    );
  }

  // The active cell of the selected row: a screen reader reads it with its column header as the arrows move.
  const active = p.selected !== null && p.selected >= first && p.selected < last ? `${id}-cell-${p.selected}-${activeCol}` : undefined;

  return (
    <div
      ref={scroller}
      className={`vt vt-scroll ${p.className ?? ''}`}
      role="grid"
      aria-label={p.label}
      aria-rowcount={p.rowCount + 1}
      aria-colcount={colCount}
      aria-activedescendant={active}
      tabIndex={0}
      onKeyDown={onKeyDown}
      onScroll={onScroll}
      data-version={p.version}
      data-active-col={activeCol}
    >
      <div role="rowgroup" className="vt-head" ref={head} style={{ minWidth }}>
        <div role="row" aria-rowindex={1} className="vt-row vt-head-row" style={{ gridTemplateColumns: template }}>
          {p.columns.map((c, j) => (
            <div key={c.id} role="columnheader" aria-colindex={j + 1} data-col={j} className={`vt-cell ${c.align === 'right' ? 'num' : ''} ${j === activeCol ? 'vt-col-active' : ''}`}>
              {c.header}
            </div>
          ))}
        </div>
      </div>
      <div role="rowgroup" className="vt-spacer" style={{ height: physH, minWidth }}>
        {rows}
      </div>
      {p.rowCount === 0 && p.emptyText ? (
        <div role="row" className="vt-empty">
          <div role="gridcell">{p.emptyText}</div>
        </div>
      ) : null}
    </div>
  );
}
