// The optional audit policy the examiner supplies for the case (issue 11), chosen where the app verifies: shown, replaced or removed.
import { useState, type FormEvent } from 'react';
import { api, errorText } from '../api.ts';
import { useWorkflow } from '../app/workflow.tsx';
import { focusSoon } from '../app/focus.ts';
import { BusyButton, Card, Hash, PathText, TextField } from '../ui/controls.tsx';
import { count } from '../lib/format.ts';

export function AuditPolicyCard() {
  const w = useWorkflow();
  const [path, setPath] = useState('');
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<string | null>(null);
  if (!w.kase) return null;
  const folder = w.kase.folder;
  const current = w.kase.policy.auditPolicy;

  const change = async (source: { path: string } | null) => {
    setBusy(true);
    setProblem(null);
    try {
      const p = await api.setAuditPolicy(folder, source);
      w.setPolicy(p);
      setPath('');
      w.announce(source ? `Audit policy ${p.auditPolicy?.file ?? ''} supplied: ${count(p.auditPolicy?.rules ?? 0)} rules.` : 'Audit policy removed.');
      focusSoon('#audit-policy-heading');
    } catch (e) {
      setProblem(errorText(e));
    } finally {
      setBusy(false);
    }
  };
  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (path.trim() === '') {
      setProblem('Give the path of the audit policy file, or choose it.');
      return;
    }
    void change({ path: path.trim() });
  };
  const pick = async () => {
    const p = await api.pickPath('audit-policy').catch(() => null);
    if (p) setPath(p);
  };

  return (
    <Card
      title={<span id="audit-policy-heading" tabIndex={-1}>Audit policy (optional)</span>}
      description="The kube-apiserver audit policy says what the log could not have recorded. A policy sealed in the archive is used from its entry on; supply one here only when the archive has none. The report then says it was supplied by you, not sealed, with its SHA-256."
    >
      {current ? (
        <dl className="facts">
          <dt>Policy</dt>
          <dd>
            <PathText path={current.source} /> ({count(current.rules)} rule{current.rules === 1 ? '' : 's'}, supplied by the examiner)
          </dd>
          <dt>SHA-256</dt>
          <dd>
            <Hash hex={current.sha256} />
          </dd>
          <dt>Blind spots</dt>
          <dd>{count(current.blindSpots.length)}: listed with the results</dd>
        </dl>
      ) : (
        <p className="muted">None supplied. Without a policy sealed in the archive, what was not recorded cannot be stated.</p>
      )}
      <form className="stack" onSubmit={submit} aria-label="Supply an audit policy" noValidate>
        <TextField
          label="Audit policy file (YAML or JSON)"
          value={path}
          onChange={setPath}
          mono
          placeholder="e.g. /evidence/audit-policy.yaml"
          error={problem}
          addon={
            <button type="button" className="btn" onClick={() => void pick()}>
              Choose…
            </button>
          }
        />
        <div className="btn-row">
          <BusyButton type="submit" busy={busy} busyReason="Reading the policy">
            {current ? 'Replace the policy' : 'Use this policy'}
          </BusyButton>
          {current ? (
            <button type="button" className="btn" onClick={() => void change(null)} disabled={busy}>
              Remove the policy
            </button>
          ) : null}
        </div>
      </form>
    </Card>
  );
}
