// One entry in full: its integrity (sealed chain and re-hash of the evidence now), hashes, location, parsed fields, raw bytes.
import { useEffect, useRef, useState } from 'react';
import type { EntryDetail, ProofExport } from '../../../shared/api.ts';
import { api, ApiError, errorText } from '../api.ts';
import { Badge, Banner, ErrorBanner, Hash, StatusBadge, TabPanel, Tabs, PathText } from '../ui/controls.tsx';
import { bytes, count } from '../lib/format.ts';
import { RevealButtons } from '../ui/RevealButtons.tsx';
import { useWorkflow } from '../app/workflow.tsx';
import { wrappedEventText } from '../../../shared/core/formats/detect.ts';
import { indentJson } from '../../../shared/core/formats/json-indent.ts';

type View = 'fields' | 'json' | 'text' | 'base64';
const VIEWS = [
  { id: 'fields' as const, label: 'Fields' },
  { id: 'json' as const, label: 'JSON' },
  { id: 'text' as const, label: 'Exact text' },
  { id: 'base64' as const, label: 'Base64' },
];

const HEX = /^[0-9a-f]{16,}$/i;

export function EntryDetailPane({ folder, archiveId, index, onClose }: { folder: string; archiveId: number; index: number; onClose: () => void }) {
  const [entry, setEntry] = useState<EntryDetail | null>(null);
  const [missing, setMissing] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [view, setView] = useState<View>('fields');
  const pane = useRef<HTMLElement>(null);
  const body = useRef<HTMLDivElement>(null);
  // Another entry starts at its top, not where the previous one was scrolled to.
  useEffect(() => {
    body.current?.scrollTo(0, 0);
  }, [index]);

  useEffect(() => {
    let live = true;
    setError(null);
    setMissing(false);
    // Arrow keys move through rows quickly: wait for the selection to settle before re-reading evidence.
    const t = setTimeout(() => {
      api.getEntry(folder, archiveId, index).then(
        (e) => {
          if (!live) return;
          setEntry(e);
          setMissing(e === null);
        },
        (e) => live && setError(errorText(e)),
      );
    }, 80);
    return () => {
      live = false;
      clearTimeout(t);
    };
  }, [folder, archiveId, index]);

  const e = entry && entry.index === index && entry.archiveId === archiveId ? entry : null;

  return (
    <aside
      ref={pane}
      className="detail"
      aria-label={`Entry ${index} details`}
      onKeyDown={(ev) => {
        if (ev.key === 'Escape') {
          ev.preventDefault();
          onClose();
        }
      }}
    >
      <header className="detail-head">
        <h2>
          Entry <span data-testid="detail-index" data-index={index}>{count(index)}</span>
        </h2>
        {e ? <StatusBadge status={e.status} /> : null}
        <button type="button" className="btn btn-sm btn-ghost detail-close" onClick={onClose} aria-label="Close entry details">
          ✕
        </button>
      </header>
      <ErrorBanner error={error} />
      {missing ? <p className="muted">Entry {count(index)} is not in the index.</p> : null}
      {!e && !missing && !error ? <p className="muted">Reading the entry from the evidence…</p> : null}
      {e ? (
        // The two checks stay in view whatever is scrolled below them: they are the point of the pane.
        <section className="checks" aria-label="Integrity">
          <SealCheck e={e} />
          <div className={`check ${e.matches ? 'check-ok' : 'check-bad'}`} data-testid="rehash-check" data-matches={e.matches}>
            <span className="check-mark" aria-hidden="true">
              {e.matches ? '✓' : '✗'}
            </span>
            <span>
              <strong>Re-hashed now: {e.matches ? 'matches.' : 'does not match.'}</strong>{' '}
              {e.matches
                ? 'The raw bytes in the evidence still hash to the leaf indexed at verification.'
                : e.leafNow
                  ? 'The raw bytes in the evidence now hash to another leaf than when they were indexed: the evidence changed after verification.'
                  : 'The raw bytes could not be read back from the evidence.'}
            </span>
          </div>
        </section>
      ) : null}
      {e ? (
        <div className="detail-body" ref={body}>
          <dl className="facts detail-facts">
            <dt>Leaf hash (indexed)</dt>
            <dd>
              <Hash hex={e.leaf} label="indexed leaf" />
            </dd>
            <dt>Leaf hash now</dt>
            <dd>
              {e.leafNow ? <Hash hex={e.leafNow} label="leaf now" /> : <span className="muted">not readable</span>}
              {e.leafNow && e.leafNow !== e.leaf ? (
                <div>
                  <Badge tone="danger">differs</Badge>
                </div>
              ) : null}
            </dd>
            <dt>Chain hash</dt>
            <dd>{e.chain === null ? <span className="muted">not available for this archive</span> : HEX.test(e.chain) ? <Hash hex={e.chain} label="chain hash" /> : <span className="break-all">{e.chain}</span>}</dd>
            <dt>Covering checkpoint</dt>
            <dd>{e.coveredBy ? <PathText path={e.coveredBy} /> : <span className="muted">none (not covered)</span>}</dd>
            <dt>Location</dt>
            <dd className="small">
              <PathText path={e.segment} /> · line {count(e.line)} · offset {count(e.offset)} · {bytes(e.length)}
            </dd>
            {e.problem ? (
              <>
                <dt>Problem</dt>
                <dd className="danger-text">{e.problem}</dd>
              </>
            ) : null}
          </dl>
          <ProofExportSection key={`${archiveId}:${index}`} folder={folder} archiveId={archiveId} index={index} />
          <Tabs label="Entry views" idPrefix="entry-view" items={VIEWS} selected={view} onSelect={setView} />
          <TabPanel idPrefix="entry-view" id="fields" selected={view === 'fields'} className="detail-view">
            <table className="table kv-table" aria-label="Parsed fields">
              <tbody>
                {Object.entries(e.fields)
                  .filter(([, v]) => v !== null && v !== '')
                  .map(([k, v]) => (
                    <tr key={k}>
                      <th scope="row">{k}</th>
                      <td className="mono break-all">{String(v)}</td>
                    </tr>
                  ))}
              </tbody>
            </table>
          </TabPanel>
          <TabPanel idPrefix="entry-view" id="json" selected={view === 'json'} className="detail-view">
            {e.pretty !== null ? <pre className="code-block" aria-label="Pretty-printed JSON">{e.pretty}</pre> : <p className="muted">This entry is not JSON; see Exact text.</p>}
            <InnerEvent rawText={e.rawText} />
          </TabPanel>
          <TabPanel idPrefix="entry-view" id="text" selected={view === 'text'} className="detail-view">
            <p className="muted small">The entry's bytes exactly as sealed (UTF-8; invalid bytes show as �). {bytes(e.length)}, LF excluded.</p>
            {e.rawText !== null ? <pre className="code-block code-exact" aria-label="Exact text">{e.rawText}</pre> : <p className="muted">Not readable.</p>}
          </TabPanel>
          <TabPanel idPrefix="entry-view" id="base64" selected={view === 'base64'} className="detail-view">
            {e.rawBase64 !== null ? <pre className="code-block code-exact" aria-label="Base64">{e.rawBase64}</pre> : <p className="muted">Not readable.</p>}
          </TabPanel>
        </div>
      ) : null}
    </aside>
  );
}

/** An export record (AKS, CloudWatch, OTLP…) holds the audit event as a string: shown here as that string held it, the record above as sealed. */
function InnerEvent({ rawText }: { rawText: string | null }) {
  const inner = rawText === null ? null : wrappedEventText(rawText);
  if (inner === null) return null;
  return (
    <>
      <p className="muted small">The audit event inside this {inner.via} record (the columns come from it), as the record holds it:</p>
      <pre className="code-block" aria-label="Event inside the record">{indentJson(inner.text) ?? inner.text}</pre>
    </>
  );
}

/** Whether the entry still agrees with what was sealed (its leaf in the chain, its checkpoint): from the verification run. */
function SealCheck({ e }: { e: EntryDetail }) {
  if (e.status === 'failed') {
    return (
      <div className="check check-bad" data-testid="seal-check" data-status="failed">
        <span className="check-mark" aria-hidden="true">
          ✗
        </span>
        <span>
          <strong>Differs from the seal at verification:</strong> <code>{e.failedBy ?? 'error'}</code> — this entry is not what was sealed.
        </span>
      </div>
    );
  }
  if (e.status === 'unsigned') {
    return (
      <div className="check check-warn" data-testid="seal-check" data-status="unsigned">
        <span className="check-mark" aria-hidden="true">
          !
        </span>
        <span>
          <strong>Not covered at verification:</strong> its chain link checks, but no trusted checkpoint covers it (unsigned tail).
        </span>
      </div>
    );
  }
  return (
    <div className="check check-ok" data-testid="seal-check" data-status="covered">
      <span className="check-mark" aria-hidden="true">
        ✓
      </span>
      <span>
        <strong>Covered at verification:</strong> hashed, chained and proven by <span className="mono">{e.coveredBy}</span>.
      </span>
    </div>
  );
}

/** Writes a C2SP tlog-proof for this entry (and the entry's exact bytes) into the case folder, to hand over with the entry. */
function ProofExportSection({ folder, archiveId, index }: { folder: string; archiveId: number; index: number }) {
  const [busy, setBusy] = useState(false);
  const [proof, setProof] = useState<ProofExport | null>(null);
  const [problem, setProblem] = useState<{ cannotProve: boolean; message: string } | null>(null);
  const { announce } = useWorkflow();
  const exportProof = async () => {
    setBusy(true);
    setProblem(null);
    try {
      const p = await api.exportProof(folder, archiveId, index);
      setProof(p);
      announce(`Proof for entry ${count(index)} exported against tree size ${count(p.treeSize)}.`);
    } catch (e) {
      announce(`No proof exported: ${errorText(e)}`);
      setProof(null);
      setProblem({ cannotProve: e instanceof ApiError && e.code === 'cannot-prove', message: errorText(e) });
    } finally {
      setBusy(false);
    }
  };
  return (
    <section className="proof-export stack" aria-label="Inclusion proof">
      <div className="btn-row">
        {/* aria-disabled, not disabled: the button keeps focus while the proof is written. */}
        <button type="button" className="btn btn-sm" onClick={() => !busy && void exportProof()} aria-disabled={busy || undefined}>
          {busy ? 'Exporting…' : 'Export proof'}
        </button>
        <span className="muted small">A tlog-proof anyone can check against the log's public key, with the entry's bytes.</span>
      </div>
      {problem ? (
        <Banner tone={problem.cannotProve ? 'warn' : 'danger'} role="alert" title={problem.cannotProve ? 'No proof for this entry' : 'The proof could not be written'}>
          {problem.message}
        </Banner>
      ) : null}
      {proof ? (
        <dl className="facts detail-facts" aria-label="Exported proof" data-tree-size={proof.treeSize}>
          <dt>Proof</dt>
          <dd className="small">
            <PathText path={proof.proofPath} />
          </dd>
          <dt>Entry bytes</dt>
          <dd className="small">
            <PathText path={proof.entryPath} />
          </dd>
          <dt>Against checkpoint</dt>
          <dd className="small">
            <PathText path={proof.checkpoint} /> · tree size <span data-testid="proof-tree-size">{count(proof.treeSize)}</span>
          </dd>
        </dl>
      ) : null}
      {proof ? <RevealButtons path={proof.proofPath} what="proof" open={false} /> : null}
    </section>
  );
}
