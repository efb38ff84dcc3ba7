// The explorer's evidence-excerpt dialogs: export the current filter (or the selected entry) as an excerpt, and open an excerpt to see each item's status.
import { useEffect, useId, useRef, useState, type ReactNode, type RefObject } from 'react';
import type { EventFilterInput, ExcerptExportView, ExcerptView } from '../../../shared/api.ts';
import { api, errorText } from '../api.ts';
import { useWorkflow } from '../app/workflow.tsx';
import { focusSoon } from '../app/focus.ts';
import { Badge, Banner, BusyButton, ErrorBanner, PathText, ScrollRegion, TextField } from '../ui/controls.tsx';
import { count } from '../lib/format.ts';
import '../styles/excerpt.css';

const plural = (n: number, one: string, many = `${one}s`) => `${count(n)} ${n === 1 ? one : many}`;

/**
 * A modal <dialog>: the browser keeps focus inside it and closes it on Escape; focus goes to its first field when it
 * opens and back to the button that opened it when it closes (WAI-ARIA dialog pattern).
 */
function Modal({ title, opener, onClose, children, wide }: { title: string; opener: RefObject<HTMLElement | null>; onClose: () => void; children: ReactNode; wide?: boolean }) {
  const ref = useRef<HTMLDialogElement>(null);
  const titleId = useId();
  useEffect(() => {
    const d = ref.current;
    if (!d) return;
    d.showModal();
    (d.querySelector<HTMLElement>('[data-autofocus]') ?? d.querySelector<HTMLElement>('.modal-body input, .modal-body button'))?.focus();
    const back = opener.current;
    return () => {
      if (d.open) d.close();
      back?.focus();
    };
  }, []);
  return (
    <dialog ref={ref} className={`modal ${wide ? 'modal-wide' : ''}`} aria-labelledby={titleId} onCancel={(e) => { e.preventDefault(); onClose(); }}>
      <div className="modal-head">
        <h2 id={titleId}>{title}</h2>
        <button type="button" className="btn btn-sm" onClick={onClose}>
          Close
        </button>
      </div>
      {children}
    </dialog>
  );
}

export function ExportExcerptDialog({ folder, archiveId, filter, matching, selectedIndex, opener, onClose }: {
  folder: string;
  archiveId: number;
  filter: EventFilterInput;
  matching: number | null;
  selectedIndex: number | null;
  opener: RefObject<HTMLElement | null>;
  onClose: () => void;
}) {
  const w = useWorkflow();
  const [what, setWhat] = useState<'filter' | 'selected'>('filter');
  const [withhold, setWithhold] = useState(true);
  const [out, setOut] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [done, setDone] = useState<ExcerptExportView | null>(null);
  const onlyTime = Object.keys(filter).every((k) => k === 'archiveId' || k === 'fromUs' || k === 'toUs') && filter.fromUs !== undefined && filter.toUs !== undefined;
  const chooseOut = async () => {
    try {
      const p = await api.pickPath('excerpt-save');
      if (p) setOut(p);
    } catch (e) {
      setError(errorText(e));
    }
  };
  const run = async () => {
    setBusy(true);
    setError(null);
    w.announce('Writing the excerpt…');
    try {
      const selection = what === 'selected' && selectedIndex !== null ? { indices: [selectedIndex] } : { filter };
      const r = await api.exportExcerpt(folder, archiveId, { selection, withholdSensitive: withhold, out });
      setDone(r);
      w.announce(`Excerpt written: ${plural(r.items, 'item')}, ${count(r.disclosed)} disclosed, ${count(r.withheld)} withheld.`);
      // The result replaces the form that held focus: focus moves to it once it is rendered.
      focusSoon('.modal [data-result]');
    } catch (e) {
      setError(errorText(e));
      w.announce(`The excerpt was not written: ${errorText(e)}`);
    } finally {
      setBusy(false);
    }
  };
  return (
    <Modal title="Export an evidence excerpt" opener={opener} onClose={onClose}>
      {done ? (
        <div className="modal-body">
          <div tabIndex={-1} data-result className="excerpt-result">
            <Banner tone="ok" title={`Excerpt written: ${plural(done.items, 'item')}`}>
              {count(done.disclosed)} disclosed, {count(done.withheld)} withheld by leaf hash
              {done.byRule.length ? ` (${done.byRule.map((r) => `${r.rule} ${count(r.count)}`).join(', ')})` : ''}; every item proven against the checkpoint of tree size {count(done.treeSize)}
              {done.complete.map((c) => `; complete for indices ${count(c.first)} to ${count(c.last)}`).join('')}.
            </Banner>
          </div>
          <p className="small">
            Written to <PathText path={done.path} />. A recipient checks it with <code>sealcheck verify-excerpt {done.name} --trust LOG.pub</code>, or each item with any C2SP tlog-proof verifier.
          </p>
          <div className="btn-row">
            <button type="button" className="btn btn-primary" onClick={onClose}>
              Done
            </button>
          </div>
        </div>
      ) : (
        <form className="modal-body" onSubmit={(e) => { e.preventDefault(); if (!busy) void run(); }}>
          <fieldset>
            <legend>What to export</legend>
            <div className="radio-col">
              <label>
                <input type="radio" name="excerpt-what" checked={what === 'filter'} onChange={() => setWhat('filter')} data-autofocus />{' '}
                {onlyTime ? 'Every entry of the time window (a complete range)' : 'The events matching the current filter'}
                {matching !== null ? ` (${plural(matching, 'event')})` : ''}
              </label>
              <label>
                <input type="radio" name="excerpt-what" checked={what === 'selected'} disabled={selectedIndex === null} onChange={() => setWhat('selected')} /> The selected entry
                {selectedIndex === null ? ' (none is selected)' : ` (index ${count(selectedIndex)})`}
              </label>
            </div>
          </fieldset>
          <label className="check-row">
            <input type="checkbox" checked={withhold} onChange={(e) => setWithhold(e.target.checked)} aria-describedby="withhold-hint" /> Withhold sensitive entries
          </label>
          <p className="field-hint" id="withhold-hint">
            Secret bodies, tokens, credentials and e-mail addresses stay out: such an entry is proven by its leaf hash only, with the reason.
          </p>
          <div className="field">
            <span className="field-label" id="excerpt-out-label">
              Save to
            </span>
            <div className="excerpt-out" aria-labelledby="excerpt-out-label">
              {out ? <PathText path={out} /> : <span className="muted">the case folder (excerpts/, a new .tar.gz)</span>}
              <button type="button" className="btn btn-sm" onClick={() => void chooseOut()}>
                Choose location…
              </button>
            </div>
          </div>
          <ErrorBanner error={error} />
          <div className="btn-row">
            <BusyButton type="submit" busy={busy} className="btn btn-primary" busyReason="The excerpt is being written">
              {busy ? 'Writing…' : 'Export excerpt'}
            </BusyButton>
            <button type="button" className="btn" onClick={onClose}>
              Cancel
            </button>
          </div>
        </form>
      )}
    </Modal>
  );
}

export function OpenExcerptDialog({ folder, opener, onClose }: { folder: string; opener: RefObject<HTMLElement | null>; onClose: () => void }) {
  const w = useWorkflow();
  const [path, setPath] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [view, setView] = useState<ExcerptView | null>(null);
  const browse = async () => {
    try {
      const p = await api.pickPath('excerpt-open');
      if (p) setPath(p);
    } catch (e) {
      setError(errorText(e));
    }
  };
  const open = async () => {
    if (path.trim() === '') {
      setError('Give the path of the excerpt (a .tar.gz file or its folder).');
      return;
    }
    setBusy(true);
    setError(null);
    try {
      const v = await api.openExcerpt(folder, path.trim());
      setView(v);
      const failed = v.items.filter((i) => !i.ok).length + v.problems.length;
      w.announce(v.valid ? `Excerpt verified: all ${plural(v.items.length, 'item')} proven, ${count(v.disclosed)} disclosed, ${count(v.withheld)} withheld.` : `Excerpt failed: ${plural(failed, 'problem')}.`);
      // The result replaces the form that held focus: focus moves to it once it is rendered.
      focusSoon('.modal [data-result]');
    } catch (e) {
      setError(errorText(e));
      w.announce(`The excerpt was not opened: ${errorText(e)}`);
    } finally {
      setBusy(false);
    }
  };
  const failures = view ? view.items.filter((i) => !i.ok).length + view.problems.length : 0;
  return (
    <Modal title="Open an evidence excerpt" opener={opener} onClose={onClose} wide>
      <form className="modal-body" onSubmit={(e) => { e.preventDefault(); if (!busy) void open(); }}>
        <div className="excerpt-open-row">
          <TextField label="Excerpt (.tar.gz or folder)" mono value={path} onChange={setPath} hint="Checked with this case's trusted keys." />
          <button type="button" className="btn" onClick={() => void browse()}>
            Browse…
          </button>
          <BusyButton type="submit" busy={busy} className="btn btn-primary" busyReason="The excerpt is being checked">
            {busy ? 'Checking…' : 'Open excerpt'}
          </BusyButton>
        </div>
        <ErrorBanner error={error} />
      </form>
      {view ? (
        <div className="modal-body">
          <div tabIndex={-1} data-result>
            <Banner tone={view.valid ? 'ok' : 'danger'} title={view.valid ? `Verified: all ${plural(view.items.length, 'item')} proven` : `Failed: ${plural(failures, 'problem')}`}>
              {view.origin ? `${view.origin}, tree size ${count(view.treeSize ?? 0)}. ` : ''}
              {count(view.disclosed)} disclosed, {count(view.withheld)} withheld by leaf hash
              {view.complete.map((c) => `; complete range ${count(c.first)} to ${count(c.last)} ${c.whole ? 'whole' : 'NOT whole'}`).join('')}.
            </Banner>
          </div>
          {view.problems.length ? (
            <ul className="excerpt-problems">
              {view.problems.map((p) => (
                <li key={p}>{p}</li>
              ))}
            </ul>
          ) : null}
          <ScrollRegion label="Excerpt items (scrolls sideways)">
            <table className="table excerpt-items" aria-label={`Items of ${view.name}`}>
              <thead>
                <tr>
                  <th scope="col" className="num">Index</th>
                  <th scope="col">Status</th>
                  <th scope="col">Proof</th>
                  <th scope="col">Time (UTC)</th>
                  <th scope="col">User</th>
                  <th scope="col">Verb</th>
                  <th scope="col">Resource</th>
                  <th scope="col">Namespace</th>
                  <th scope="col" className="num">Code</th>
                </tr>
              </thead>
              <tbody>
                {view.items.slice(0, 2000).map((i) => (
                  <tr key={i.index}>
                    <th scope="row" className="num">{count(i.index)}</th>
                    <td>
                      {i.status === 'withheld' ? (
                        <>
                          <Badge tone="warn">withheld</Badge> <span className="small">{i.reasons.map((r) => `${r.rule}: ${r.detail}`).join('; ')}</span>
                        </>
                      ) : (
                        <Badge tone="info">disclosed</Badge>
                      )}
                    </td>
                    <td>
                      {i.ok ? (
                        <Badge tone="ok">
                          <span aria-hidden="true">✓</span> proof ok
                        </Badge>
                      ) : (
                        <>
                          <Badge tone="danger">
                            <span aria-hidden="true">✗</span> proof failed
                          </Badge>{' '}
                          <span className="small">{i.reason}</span>
                        </>
                      )}
                    </td>
                    <td className="mono small">{i.time ? i.time.replace('T', ' ').replace(/Z$/, '') : '—'}</td>
                    <td className="mono small">{i.user ?? '—'}</td>
                    <td className="mono small">{i.verb ?? '—'}</td>
                    <td className="mono small">{i.resource ?? '—'}</td>
                    <td className="mono small">{i.namespace ?? '—'}</td>
                    <td className="num">{i.code ?? '—'}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </ScrollRegion>
          {view.items.length > 2000 ? <p className="small muted">The first 2,000 of {count(view.items.length)} items are shown; the verdict above covers every one.</p> : null}
        </div>
      ) : null}
    </Modal>
  );
}
