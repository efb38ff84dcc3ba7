// Step 6: the event explorer: filters, search, forensic presets, a brushable time histogram, a virtualized table and the entry detail.
import { useCallback, useEffect, useMemo, useRef, useState, useSyncExternalStore, type KeyboardEvent } from 'react';
import type { EventFilterInput, EventSummary, Histogram, TopField } from '../../../shared/api.ts';
import { api, errorText } from '../api.ts';
import { useWorkflow } from '../app/workflow.tsx';
import { BusyButton, Empty, ErrorBanner, SelectField, TextField } from '../ui/controls.tsx';
import { VirtualTable } from '../ui/VirtualTable.tsx';
import { EVENT_COLUMNS } from '../ui/event-columns.tsx';
import { TimeHistogram, type TimeRange } from '../ui/TimeHistogram.tsx';
import { EntryDetailPane } from './EntryDetailPane.tsx';
import { ExportExcerptDialog, OpenExcerptDialog } from './ExcerptDialogs.tsx';
import { KeysetRows } from '../lib/keyset.ts';
import { count, isoInput } from '../lib/format.ts';
import { cursorAfter, cursorBeforeIndex, EMPTY_FORM, formProblems, isUnfiltered, PRESETS, toFilter, withoutTime, type FilterForm, type SortOrder } from '../lib/explorer-filter.ts';

const HISTOGRAM_BUCKETS = 96;
/** Typing pauses this long before the query runs: fast enough to feel live, slow enough not to query per keystroke. */
const DEBOUNCE_MS = 250;


const STAGES = [
  { value: '', label: 'Any stage' },
  { value: 'RequestReceived', label: 'RequestReceived' },
  { value: 'ResponseStarted', label: 'ResponseStarted' },
  { value: 'ResponseComplete', label: 'ResponseComplete' },
  { value: 'Panic', label: 'Panic' },
];
const STATUSES = [
  { value: '' as const, label: 'Any status' },
  { value: 'covered' as const, label: 'Covered' },
  { value: 'unsigned' as const, label: 'Unsigned' },
  { value: 'failed' as const, label: 'Failed' },
];
const SORTS = [
  { value: 'index' as const, label: 'Archive order (entry index)' },
  { value: 'time' as const, label: 'Time' },
];

const noSubscribe = () => () => undefined;
const zero = () => 0;

export function ExplorerScreen() {
  const w = useWorkflow();
  if (!w.kase || !w.run) {
    return (
      <div className="screen">
        <header className="screen-head">
          <h1>Explorer</h1>
        </header>
        <Empty
          action={
            <button type="button" className="btn btn-primary" onClick={() => w.go(w.kase ? 'verify' : 'cases')}>
              {w.kase ? 'Go to Verify' : 'Go to Case'}
            </button>
          }
        >
          Verify an archive first: verification indexes every entry for the explorer.
        </Empty>
      </div>
    );
  }
  const archiveId = w.focus?.archiveId ?? w.run.archiveId;
  // A new run rebuilds the archive's rows (statuses may change): everything shown is read again.
  const runId = w.run.archiveId === archiveId ? w.run.runId : 0;
  return <Explorer folder={w.kase.folder} archiveId={archiveId} runId={runId} />;
}

function Explorer({ folder, archiveId, runId }: { folder: string; archiveId: number; runId: number }) {
  const w = useWorkflow();
  const [form, setForm] = useState<FilterForm>(EMPTY_FORM);
  const [applied, setApplied] = useState<FilterForm>(EMPTY_FORM);
  const [sort, setSort] = useState<SortOrder>('index');
  const [selected, setSelected] = useState<number | null>(null);
  const [detail, setDetail] = useState<number | null>(null);
  const [reveal, setReveal] = useState<{ position: number; nonce: number; key: string } | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [histogram, setHistogram] = useState<Histogram | null>(null);
  const [suggestions, setSuggestions] = useState<Partial<Record<TopField, string[]>>>({});
  // The row cache, with the filter and order it was made for (so a reveal waits for the right rows).
  const [cache, setCache] = useState<{ rows: KeysetRows<EventSummary>; key: string } | null>(null);
  const store = cache?.rows ?? null;
  const grid = useRef<HTMLDivElement>(null);
  // The excerpt dialogs, and the buttons focus returns to when they close.
  const [excerptDialog, setExcerptDialog] = useState<'export' | 'open' | null>(null);
  const exportButton = useRef<HTMLButtonElement>(null);
  const openButton = useRef<HTMLButtonElement>(null);

  // Text fields apply after a pause; everything else (selects, chips, the brush) applies at once.
  useEffect(() => {
    const t = setTimeout(() => setApplied(form), DEBOUNCE_MS);
    return () => clearTimeout(t);
  }, [form]);
  const applyNow = (f: FilterForm) => {
    setForm(f);
    setApplied(f);
  };

  const filter = useMemo(() => toFilter(archiveId, applied), [archiveId, applied]);
  const filterKey = JSON.stringify(filter);
  const problems = formProblems(form);

  // A new filter or order: count, then a fresh row cache over keyset pages.
  useEffect(() => {
    let live = true;
    setError(null);
    api.countEvents(folder, filter).then(
      (total) => {
        if (!live) return;
        const seekable = sort === 'index' && isUnfiltered(filter);
        setCache({
          key: `${filterKey}|${sort}|${runId}`,
          rows: new KeysetRows<EventSummary>({
            total,
            fetch: async (after, limit) => {
              const page = await api.queryEvents(folder, filter, { limit, after, sort });
              return { rows: page.events, next: page.next };
            },
            cursorAfter,
            ...(seekable ? { seek: (p: number) => cursorBeforeIndex(archiveId, p), positionOf: (r: EventSummary) => r.index } : {}),
          }),
        });
      },
      (e) => live && setError(errorText(e)),
    );
    return () => {
      live = false;
    };
    // filterKey stands for the filter's content; the filter object itself is new on every render.
  }, [folder, filterKey, sort, archiveId, runId]);
  useEffect(() => () => store?.dispose(), [store]);
  const version = useSyncExternalStore(store?.subscribe ?? noSubscribe, store?.getVersion ?? zero);

  // The histogram shows every time for the other filters, so the brush can move anywhere.
  const histKey = JSON.stringify(withoutTime(filter));
  useEffect(() => {
    let live = true;
    api.histogram(folder, withoutTime(filter), HISTOGRAM_BUCKETS).then(
      (h) => live && setHistogram(h),
      () => live && setHistogram(null),
    );
    return () => {
      live = false;
    };
  }, [folder, histKey, runId]);

  useEffect(() => {
    let live = true;
    const fields: TopField[] = ['users', 'verbs', 'resources', 'namespaces'];
    Promise.all(fields.map((f) => api.topValues(folder, { archiveId }, f, 50).then((v) => [f, v.map((x) => x.value)] as const))).then(
      (pairs) => live && setSuggestions(Object.fromEntries(pairs)),
      () => undefined,
    );
    return () => {
      live = false;
    };
  }, [folder, archiveId, runId]);

  // Another archive: its entry N is not this one's.
  const shownArchive = useRef(archiveId);
  useEffect(() => {
    if (shownArchive.current === archiveId) return;
    shownArchive.current = archiveId;
    setSelected(null);
    setDetail(null);
  }, [archiveId]);

  // Opening an entry from the results: show the whole archive in index order, select and reveal that entry.
  const focus = w.focus;
  const unfilteredKey = JSON.stringify(toFilter(archiveId, EMPTY_FORM));
  const keepSelectionFor = useRef<string | null>(null);
  useEffect(() => {
    if (!focus) return;
    keepSelectionFor.current = filterKey === unfilteredKey ? null : unfilteredKey;
    applyNow(EMPTY_FORM);
    setSort('index');
    setSelected(focus.index);
    setDetail(focus.index);
    setReveal({ position: focus.index, nonce: focus.nonce, key: `${unfilteredKey}|index|${runId}` });
    // Focus the grid so the arrow keys continue from the opened entry.
    requestAnimationFrame(() => grid.current?.querySelector<HTMLElement>('[role=grid]')?.focus());
  }, [focus]);

  // A new result: nothing selected, unless the change came from opening an entry.
  const lastFilterKey = useRef(filterKey);
  useEffect(() => {
    if (lastFilterKey.current === filterKey) return;
    lastFilterKey.current = filterKey;
    if (keepSelectionFor.current === filterKey) keepSelectionFor.current = null;
    else setSelected(null);
  }, [filterKey]);

  const onRange = useCallback((start: number, end: number) => store?.request(start, end), [store]);
  const getRow = useCallback((i: number) => store?.get(i), [store]);
  const onSelect = (i: number) => {
    setSelected(i);
    const row = store?.get(i);
    if (row) setDetail(row.index);
  };
  // The detail follows a keyboard selection once its row has loaded.
  const selRow = selected !== null ? store?.get(selected) : undefined;
  useEffect(() => {
    if (selRow && selRow.index !== detail && selected !== null) setDetail(selRow.index);
    // Only when the selected row itself changes: closing the detail must not reopen it.
  }, [selRow]);

  const set = (patch: Partial<FilterForm>) => setForm({ ...form, ...patch });
  const setNow = (patch: Partial<FilterForm>) => applyNow({ ...form, ...patch });
  const timeSel: TimeRange | null = filter.fromUs !== undefined && filter.toUs !== undefined ? { fromUs: filter.fromUs, toUs: filter.toUs } : null;
  const total = store?.total ?? null;
  const active = Object.keys(filter).length > 1;
  // "A three-digit status code" reads on as "expected a three-digit…"; a format (YYYY-…) keeps its capitals.
  const notApplied = (problem: string | undefined) => (problem ? `Not applied: expected ${/^[A-Z][a-z ]/.test(problem) ? problem.charAt(0).toLowerCase() + problem.slice(1) : problem}.` : null);

  // F6 (Shift+F6 back) cycles filters → events grid → entry detail, as in other multi-pane tools; no Tab marathon.
  const screenRef = useRef<HTMLDivElement>(null);
  const onScreenKey = (e: KeyboardEvent) => {
    if (e.key !== 'F6' || e.ctrlKey || e.altKey || e.metaKey) return;
    const root = screenRef.current;
    if (!root) return;
    const panes = [root.querySelector<HTMLElement>('.explorer-filters input'), root.querySelector<HTMLElement>('[role=grid]'), root.querySelector<HTMLElement>('aside.detail')].filter(
      (el): el is HTMLElement => el !== null,
    );
    const containers = [root.querySelector('.explorer-filters'), root.querySelector('[role=grid]'), root.querySelector('aside.detail')].filter((el): el is Element => el !== null);
    const at = containers.findIndex((c) => c.contains(document.activeElement));
    const next = at < 0 ? (e.shiftKey ? panes.length - 1 : 0) : (at + (e.shiftKey ? -1 : 1) + panes.length) % panes.length;
    const el = panes[next];
    if (!el) return;
    e.preventDefault();
    if (el.tagName === 'ASIDE' && !el.hasAttribute('tabindex')) el.setAttribute('tabindex', '-1');
    el.focus();
  };

  return (
    <div className="screen screen-explorer" ref={screenRef} onKeyDown={onScreenKey}>
      <header className="screen-head screen-head-row">
        <div>
          <h1>Explorer</h1>
          <p className="muted small">F6 moves between the filters, the events and the entry.</p>
        </div>
        <div className="explorer-count" aria-live="polite">
          <strong data-testid="match-count">{total === null ? '…' : count(total)}</strong> {total === 1 ? 'event' : 'events'}
          {active ? ' match' : ' in the archive'}
          {store?.scanning ? <span className="muted small"> · reading ahead {count(store.scanning.at)} / {count(store.scanning.target)}</span> : null}
        </div>
        <div className="explorer-excerpt-actions">
          <button type="button" className="btn btn-sm" ref={exportButton} aria-haspopup="dialog" onClick={() => setExcerptDialog('export')}>
            Export excerpt…
          </button>
          <button type="button" className="btn btn-sm" ref={openButton} aria-haspopup="dialog" onClick={() => setExcerptDialog('open')}>
            Open excerpt…
          </button>
        </div>
      </header>
      {excerptDialog === 'export' ? (
        <ExportExcerptDialog folder={folder} archiveId={archiveId} filter={filter} matching={total} selectedIndex={selRow?.index ?? null} opener={exportButton} onClose={() => setExcerptDialog(null)} />
      ) : null}
      {excerptDialog === 'open' ? <OpenExcerptDialog folder={folder} opener={openButton} onClose={() => setExcerptDialog(null)} /> : null}
      <ErrorBanner error={error ?? store?.error ?? null} />
      <section className="explorer-filters" aria-label="Filters">
        <div className="filter-row">
          <TextField label="Search" type="search" className="filter-search" size="sm" value={form.text} onChange={(v) => set({ text: v })} onEnter={() => applyNow(form)} onEscape={() => setNow({ text: '' })} placeholder="Words in user, URI, name, namespace, user agent" />
          <SelectField label="Order" size="sm" value={sort} options={SORTS} onChange={setSort} />
          <BusyButton busy={!active && form === EMPTY_FORM} className="btn btn-sm filter-clear" onClick={() => applyNow(EMPTY_FORM)} busyReason="No filter is set">
            Clear filters
          </BusyButton>
        </div>
        <div className="filter-grid">
          <TextField label="User" size="sm" value={form.user} onChange={(v) => set({ user: v })} list="dl-users" onEnter={() => applyNow(form)} />
          <TextField label="Verb" size="sm" value={form.verb} onChange={(v) => set({ verb: v })} list="dl-verbs" onEnter={() => applyNow(form)} />
          <TextField label="Resource" size="sm" value={form.resource} onChange={(v) => set({ resource: v })} list="dl-resources" onEnter={() => applyNow(form)} />
          <TextField label="Namespace" size="sm" value={form.namespace} onChange={(v) => set({ namespace: v })} list="dl-namespaces" onEnter={() => applyNow(form)} />
          <TextField label="Code" size="sm" value={form.code} onChange={(v) => set({ code: v })} error={notApplied(problems.code)} placeholder="403" onEnter={() => applyNow(form)} />
          <SelectField label="Stage" size="sm" value={form.stage} options={STAGES} onChange={(v) => setNow({ stage: v })} />
          <SelectField label="Status" size="sm" value={form.status} options={STATUSES} onChange={(v) => setNow({ status: v })} />
          <TextField label="From (UTC)" size="sm" mono value={form.from} onChange={(v) => set({ from: v })} error={notApplied(problems.from)} placeholder="YYYY-MM-DD HH:MM" onEnter={() => applyNow(form)} />
          <TextField label="To (UTC)" size="sm" mono value={form.to} onChange={(v) => set({ to: v })} error={notApplied(problems.to)} placeholder="YYYY-MM-DD HH:MM" onEnter={() => applyNow(form)} />
        </div>
        <div className="preset-row">
          <span className="field-label" id="preset-label">
            Presets
          </span>
          <div className="chips" role="group" aria-labelledby="preset-label">
            {PRESETS.map((p) => (
              <button key={p.id} type="button" className="chip" aria-pressed={form.preset === p.id} onClick={() => setNow(form.preset === p.id ? { preset: '', serviceAccount: '' } : { preset: p.id })}>
                {p.label}
              </button>
            ))}
          </div>
          {form.preset === 'service-account' ? (
            <TextField label="Account" size="sm" className="preset-arg" mono value={form.serviceAccount} onChange={(v) => set({ serviceAccount: v })} placeholder="NAME or NAMESPACE:NAME" onEnter={() => applyNow(form)} />
          ) : null}
        </div>
        {(['users', 'verbs', 'resources', 'namespaces'] as const).map((f) => (
          <datalist key={f} id={`dl-${f}`}>
            {(suggestions[f] ?? []).map((v) => (
              <option key={v} value={v} />
            ))}
          </datalist>
        ))}
        <TimeHistogram
          histogram={histogram}
          buckets={HISTOGRAM_BUCKETS}
          selection={timeSel}
          onSelect={(r) => setNow(r ? { from: isoInput(r.fromUs), to: isoInput(r.toUs) } : { from: '', to: '' })}
          gaps={w.run?.archiveId === archiveId ? (w.run.scope?.timeGaps.gaps ?? []) : []}
        />
      </section>
      <div className={`explorer-body ${detail !== null ? 'with-detail' : ''}`} ref={grid}>
        <VirtualTable
          label="Events"
          rowCount={total ?? 0}
          columns={EVENT_COLUMNS}
          getRow={getRow}
          onRange={onRange}
          selected={selected}
          onSelect={onSelect}
          onActivate={(i) => {
            const r = store?.get(i);
            if (r) setDetail(r.index);
          }}
          onEscape={detail !== null ? () => setDetail(null) : undefined}
          version={version}
          reveal={reveal && cache?.key === reveal.key ? reveal : null}
          placeholder="loading…"
          emptyText={total === 0 ? 'No events match these filters.' : null}
        />
        {detail !== null ? (
          <EntryDetailPane
            key={runId}
            folder={folder}
            archiveId={archiveId}
            index={detail}
            onClose={() => {
              setDetail(null);
              grid.current?.querySelector<HTMLElement>('[role=grid]')?.focus();
            }}
          />
        ) : null}
      </div>
    </div>
  );
}
