// Step 3: the trust policy: log and witness keys (with fingerprints to compare out of band), witness quorum, expected origin, anchors.
import { useEffect, useState, type FormEvent } from 'react';
import type { KeyRole, TrustPolicyView } from '../../../shared/api.ts';
import { api, errorText } from '../api.ts';
import { useWorkflow } from '../app/workflow.tsx';
import { Badge, BusyButton, Card, Empty, ErrorBanner, Hash, TabPanel, Tabs, TextAreaField, TextField, PathText } from '../ui/controls.tsx';
import { focusSoon } from '../app/focus.ts';
import { count } from '../lib/format.ts';

type Source = 'file' | 'paste';
const SOURCE_TABS = [
  { id: 'file' as const, label: 'From a file' },
  { id: 'paste' as const, label: 'Paste' },
];

export function KeysScreen() {
  const w = useWorkflow();
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  if (!w.kase) {
    return (
      <div className="screen">
        <header className="screen-head">
          <h1>Trust keys</h1>
        </header>
        <Empty action={<button type="button" className="btn btn-primary" onClick={() => w.go('cases')}>Go to Case</button>}>Open or create a case first: keys belong to a case's trust policy.</Empty>
      </div>
    );
  }
  const folder = w.kase.folder;
  const policy = w.kase.policy;

  /** Every change goes to the backend first; the screen shows the policy it returns, never a guess. */
  const change = async (what: () => Promise<TrustPolicyView>, done?: (p: TrustPolicyView) => string): Promise<boolean> => {
    setBusy(true);
    setError(null);
    try {
      const p = await what();
      w.setPolicy(p);
      if (done) w.announce(done(p));
      return true;
    } catch (e) {
      setError(errorText(e));
      focusSoon('#step-panel-keys [role=alert]');
      return false;
    } finally {
      setBusy(false);
    }
  };

  const logKeys = policy.keys.filter((k) => k.role === 'log').length;
  const witnesses = policy.keys.filter((k) => k.role === 'witness').length;

  return (
    <div className="screen">
      <header className="screen-head">
        <h1>Trust keys</h1>
        <p className="muted">Only checkpoints signed by a log key you trust count. Compare each fingerprint with its owner by a second channel (phone, signed letter).</p>
      </header>
      <ErrorBanner error={error} />
      <div className="grid-2">
        <AddKeyCard busy={busy} onAdd={(source, role) => change(() => api.addKey(folder, source, role), (p) => `${role === 'log' ? 'Log' : 'Witness'} key added: ${p.keys.filter((k) => k.role === role).length} ${role} key${p.keys.filter((k) => k.role === role).length === 1 ? '' : 's'} trusted.`)} />
        <PolicyCard
          busy={busy}
          policy={policy}
          witnesses={witnesses}
          onSave={(quorum, origin) => change(() => api.setPolicy(folder, { quorum, origin }), () => 'Policy saved.')}
        />
      </div>
      <Card title="Trusted keys" labelledBy="trusted-keys-title" description={`${count(logKeys)} log key${logKeys === 1 ? '' : 's'}, ${count(witnesses)} witness key${witnesses === 1 ? '' : 's'}`}>
        {policy.keys.length === 0 ? (
          <p className="muted">No keys yet. Add the log's public key (the .pub file or its key string) to verify anything.</p>
        ) : (
          <div className="table-wrap">
            <table className="table" aria-label="Trusted keys">
              <thead>
                <tr>
                  <th scope="col">Name</th>
                  <th scope="col">Role</th>
                  <th scope="col">Key ID</th>
                  <th scope="col">SHA-256 fingerprint</th>
                  <th scope="col">Source</th>
                  <th scope="col">
                    <span className="visually-hidden">Action</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {policy.keys.map((k) => (
                  <tr key={`${k.role}:${k.keyString}`}>
                    <td className="mono nowrap">{k.name}</td>
                    <td>
                      <Badge tone={k.role === 'log' ? 'info' : 'neutral'}>{k.role}</Badge>
                    </td>
                    <td className="mono">{k.keyId}</td>
                    <td className="fingerprint-cell">
                      <Hash hex={k.fingerprint} label="fingerprint" />
                    </td>
                    <td className="small">
                      <PathText path={k.source} />
                    </td>
                    <td>
                      <BusyButton
                        busy={busy}
                        className="btn btn-sm btn-danger"
                        busyReason="Saving"
                        onClick={() =>
                          void change(() => api.removeKey(folder, k.keyString, k.role), () => `Removed ${k.role} key ${k.name}.`).then((ok) => ok && focusSoon('#step-panel-keys h2#trusted-keys-title'))
                        }
                        label={`Remove ${k.role} key ${k.name}`}
                      >
                        Remove
                      </BusyButton>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </Card>
      <AnchorsCard busy={busy} policy={policy} onAdd={(source) => change(() => api.addAnchor(folder, source), () => 'Anchor added.')} onRemove={(id) => change(() => api.removeAnchor(folder, id), () => 'Anchor removed.')} />
      <div className="btn-row">
        <button type="button" className="btn btn-primary" onClick={() => w.go('verify')}>
          Continue to verify
        </button>
      </div>
    </div>
  );
}

function AddKeyCard({ busy, onAdd }: { busy: boolean; onAdd: (source: { path: string } | { text: string; name?: string }, role: KeyRole) => Promise<boolean> }) {
  const [role, setRole] = useState<KeyRole>('log');
  const [tab, setTab] = useState<Source>('file');
  const [path, setPath] = useState('');
  const [text, setText] = useState('');
  const [name, setName] = useState('');
  const [local, setLocal] = useState<string | null>(null);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setLocal(null);
    const problem = tab === 'file' && path.trim() === '' ? 'Type or choose the key file.' : tab === 'paste' && text.trim() === '' ? 'Paste the key string or PEM key.' : null;
    if (problem) {
      setLocal(problem);
      focusSoon('#step-panel-keys form[aria-label="Add a key"] [aria-invalid="true"]');
      return;
    }
    const source = tab === 'file' ? { path: path.trim() } : name.trim() ? { text: text.trim(), name: name.trim() } : { text: text.trim() };
    if (await onAdd(source, role)) {
      setPath('');
      setText('');
      setName('');
    }
  };

  const pick = async () => {
    try {
      const p = await api.pickPath('key');
      if (p) setPath(p);
    } catch (e) {
      setLocal(errorText(e));
    }
  };

  return (
    <Card title="Add a key">
      <form className="stack" onSubmit={submit} aria-label="Add a key" noValidate>
        <fieldset>
          <legend>Role</legend>
          <div className="radio-row">
            <label>
              <input type="radio" name="key-role" value="log" checked={role === 'log'} onChange={() => setRole('log')} /> Log key (signs checkpoints)
            </label>
            <label>
              <input type="radio" name="key-role" value="witness" checked={role === 'witness'} onChange={() => setRole('witness')} /> Witness key (cosigns)
            </label>
          </div>
        </fieldset>
        <Tabs label="Key source" idPrefix="key-source" items={SOURCE_TABS} selected={tab} onSelect={setTab} />
        <TabPanel idPrefix="key-source" id="file" selected={tab === 'file'}>
          <TextField
            label="Key file"
            value={path}
            onChange={setPath}
            mono
            placeholder="e.g. /keys/log.pub"
            hint="A verifier key file (.pub) or a PEM public key."
            error={tab === 'file' ? local : null}
            addon={
              <button type="button" className="btn" onClick={() => void pick()}>
                Choose…
              </button>
            }
          />
        </TabPanel>
        <TabPanel idPrefix="key-source" id="paste" selected={tab === 'paste'}>
          <div className="stack">
            <TextAreaField label="Key string" value={text} onChange={setText} placeholder="e.g. audit.example/cluster-1+1a2b3c4d+AbCd…" error={tab === 'paste' ? local : null} />
            <TextField label="Name (for a PEM key)" value={name} onChange={setName} mono placeholder="e.g. audit.example/cluster-1" />
          </div>
        </TabPanel>
        <div className="btn-row">
          <BusyButton type="submit" busy={busy} className="btn btn-primary" busyReason="Saving">
            Add {role === 'log' ? 'log' : 'witness'} key
          </BusyButton>
        </div>
      </form>
    </Card>
  );
}

function PolicyCard({ busy, policy, witnesses, onSave }: { busy: boolean; policy: TrustPolicyView; witnesses: number; onSave: (quorum: number, origin: string | null) => Promise<boolean> }) {
  const [quorum, setQuorum] = useState(String(policy.quorum));
  const [origin, setOrigin] = useState(policy.origin ?? '');
  const [saved, setSaved] = useState(false);
  // The backend may change the policy too (adding the first witness sets a quorum of 1): show what it holds.
  useEffect(() => {
    setQuorum(String(policy.quorum));
    setOrigin(policy.origin ?? '');
  }, [policy.quorum, policy.origin]);
  useEffect(() => setSaved(false), [quorum, origin]);
  const q = Number(quorum);
  const invalid = !Number.isInteger(q) || q < 0 || q > witnesses;
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (invalid) {
      focusSoon('#step-panel-keys form[aria-label="Trust policy"] [aria-invalid="true"]');
      return;
    }
    if (await onSave(q, origin.trim() === '' ? null : origin.trim())) setSaved(true);
  };
  return (
    <Card title="Policy">
      <form className="stack" onSubmit={submit} aria-label="Trust policy" noValidate>
        <TextField
          label="Witness quorum"
          type="number"
          min={0}
          max={witnesses}
          value={quorum}
          onChange={setQuorum}
          error={invalid ? `A whole number from 0 to ${witnesses} (the witness keys you trust).` : null}
          hint="Cosignatures from this many distinct witnesses are needed for a checkpoint to count. 0: none needed."
        />
        <TextField label="Expected origin" value={origin} onChange={setOrigin} mono placeholder="optional, e.g. audit.example/cluster-1" hint="The log every checkpoint must name; empty accepts the archive's own." />
        <div className="btn-row">
          <BusyButton type="submit" busy={busy || invalid} busyReason={invalid ? 'The quorum is not valid' : 'Saving'}>
            Save policy
          </BusyButton>
          {/* Said through the window's live region (a status inserted already filled is not reliably read). */}
          {saved ? (
            <span className="small" data-testid="policy-saved">
              Saved.
            </span>
          ) : null}
        </div>
      </form>
    </Card>
  );
}

function AnchorsCard({ busy, policy, onAdd, onRemove }: { busy: boolean; policy: TrustPolicyView; onAdd: (s: { path: string } | { text: string }) => Promise<boolean>; onRemove: (id: string) => Promise<boolean> }) {
  const [tab, setTab] = useState<Source>('file');
  const [path, setPath] = useState('');
  const [text, setText] = useState('');
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const s = tab === 'file' ? { path: path.trim() } : { text: text.trim() };
    if ((tab === 'file' ? path : text).trim() === '') return;
    if (await onAdd(s)) {
      setPath('');
      setText('');
    }
  };
  const pick = async () => {
    const p = await api.pickPath('anchor').catch(() => null);
    if (p) setPath(p);
  };
  return (
    <Card title="Anchors" description="Checkpoints obtained outside the archive (published or sent when the log was written). One larger than the archive proves entries were removed.">
      <form className="stack" onSubmit={submit} aria-label="Add an anchor" noValidate>
        <Tabs label="Anchor source" idPrefix="anchor-source" items={SOURCE_TABS} selected={tab} onSelect={setTab} />
        <TabPanel idPrefix="anchor-source" id="file" selected={tab === 'file'}>
          <TextField
            label="Checkpoint file"
            value={path}
            onChange={setPath}
            mono
            placeholder="e.g. /evidence/published-checkpoint"
            addon={
              <button type="button" className="btn" onClick={() => void pick()}>
                Choose…
              </button>
            }
          />
        </TabPanel>
        <TabPanel idPrefix="anchor-source" id="paste" selected={tab === 'paste'}>
          <TextAreaField label="Checkpoint text" value={text} onChange={setText} placeholder={'origin\nsize\nroot\n\n— signature lines'} />
        </TabPanel>
        <div className="btn-row">
          <BusyButton type="submit" busy={busy} busyReason="Saving">
            Add anchor
          </BusyButton>
        </div>
      </form>
      {policy.anchors.length > 0 ? (
        <div className="table-wrap">
          <table className="table" aria-label="Anchors">
            <thead>
              <tr>
                <th scope="col">Origin</th>
                <th scope="col" className="num">
                  Size
                </th>
                <th scope="col">Root</th>
                <th scope="col">Signed by</th>
                <th scope="col">Source</th>
                <th scope="col">
                  <span className="visually-hidden">Action</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {policy.anchors.map((a) => (
                <tr key={a.id}>
                  <td className="mono nowrap">{a.origin}</td>
                  <td className="num">{count(a.size)}</td>
                  <td className="hash-b64 root-cell">{a.root}</td>
                  <td className="mono small">{a.signedBy.join(', ')}</td>
                  <td className="small">
                    <PathText path={a.source} />
                  </td>
                  <td>
                    <BusyButton busy={busy} className="btn btn-sm btn-danger" onClick={() => void onRemove(a.id)} label={`Remove anchor of size ${a.size}`} busyReason="Saving">
                      Remove
                    </BusyButton>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : (
        <p className="muted small">No anchors.</p>
      )}
    </Card>
  );
}
