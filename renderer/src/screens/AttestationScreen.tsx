// Step 7: the attestation: the case's examiner key (created or imported), signing a verified archive's report, and checking a signed report.
import { useEffect, useState, type FormEvent } from 'react';
import type { AttestationCheckView, AttestationView, DeclarationChoice, ExaminerKeyInfo } from '../../../shared/api.ts';
import { api, errorText } from '../api.ts';
import { useWorkflow } from '../app/workflow.tsx';
import { Badge, Banner, Card, Empty, ErrorBanner, Hash, PathText, SelectField, TabPanel, Tabs, TextField, VERDICT_ICON, VERDICT_TONE, VERDICT_WORD } from '../ui/controls.tsx';
import { JobProgress } from './JobProgress.tsx';
import { RevealButtons } from '../ui/RevealButtons.tsx';
import { focusSoon } from '../app/focus.ts';
import { utcFromIso } from '../lib/format.ts';

export function AttestationScreen() {
  const w = useWorkflow();
  const folder = w.kase?.folder ?? null;
  const [key, setKey] = useState<ExaminerKeyInfo | null>(null);
  const [keyLoaded, setKeyLoaded] = useState(false);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    let live = true;
    setKey(null);
    setKeyLoaded(false);
    setError(null);
    if (!folder) return;
    api.getExaminerKey(folder).then(
      (k) => {
        if (!live) return;
        setKey(k);
        setKeyLoaded(true);
      },
      (e) => live && setError(errorText(e)),
    );
    return () => {
      live = false;
    };
  }, [folder]);

  if (!w.kase || !folder) {
    return (
      <div className="screen">
        <header className="screen-head">
          <h1>Attestation</h1>
        </header>
        <Empty action={<button type="button" className="btn btn-primary" onClick={() => w.go('cases')}>Go to Case</button>}>Open or create a case first: an attestation is signed for a case's verified archive.</Empty>
      </div>
    );
  }

  return (
    <div className="screen">
      <header className="screen-head">
        <h1>Attestation</h1>
        <p className="muted">A signed statement of what was verified, by whom, with what result: a PDF anyone can check offline, with a DSSE statement and an SSH signature beside it.</p>
      </header>
      <ErrorBanner error={error} />
      {!keyLoaded && !error ? <p className="muted">Reading the case's examiner key…</p> : null}
      {keyLoaded && key ? <ExaminerKeyCard info={key} /> : null}
      {keyLoaded && !key ? <NewKeyCard folder={folder} examinerName={w.kase.examinerName} organisation={w.kase.organisation} onSaved={setKey} /> : null}
      {keyLoaded ? <SignCard hasKey={key !== null} /> : null}
      <CheckCard folder={folder} hasKey={key !== null} />
    </div>
  );
}

function ExaminerKeyCard({ info }: { info: ExaminerKeyInfo }) {
  return (
    <Card title="Examiner key" description="Signs this case's attestations. Give the fingerprint to whoever will check them, by a second channel.">
      <dl className="facts" aria-label="Examiner key">
        <dt>Name</dt>
        <dd>{info.name}</dd>
        <dt>Email</dt>
        <dd>{info.email ?? <span className="muted">none</span>}</dd>
        <dt>Organisation</dt>
        <dd>{info.organisation ?? <span className="muted">not provided</span>}</dd>
        <dt>Qualifications</dt>
        <dd>{info.qualifications ?? <span className="muted">not provided</span>}</dd>
        <dt>SHA-256 fingerprint</dt>
        <dd className="fingerprint-cell">
          <Hash hex={info.fingerprint} label="examiner key fingerprint" />
        </dd>
        <dt>OpenSSH fingerprint</dt>
        <dd className="mono break-all" data-testid="ssh-fingerprint">
          {info.sshFingerprint}
        </dd>
        <dt>Created</dt>
        <dd>{utcFromIso(info.created)}</dd>
        <dt>Private key</dt>
        <dd className="small">
          <PathText path={info.keyPath} /> <span className="muted">(encrypted with the passphrase)</span>
        </dd>
        <dt>Public key (PEM)</dt>
        <dd className="small">
          <PathText path={info.publicKeyPath} />
        </dd>
        <dt>Public key (OpenSSH)</dt>
        <dd className="small">
          <PathText path={info.sshPublicKeyPath} />
        </dd>
      </dl>
    </Card>
  );
}

type KeySource = 'create' | 'import';
const KEY_TABS = [
  { id: 'create' as const, label: 'Create a new key' },
  { id: 'import' as const, label: 'Import a PKCS#8 key' },
];

function NewKeyCard({ folder, examinerName, organisation, onSaved }: { folder: string; examinerName: string; organisation: string; onSaved: (k: ExaminerKeyInfo) => void }) {
  const [tab, setTab] = useState<KeySource>('create');
  const [name, setName] = useState(examinerName);
  const [email, setEmail] = useState('');
  // Stored with the key: every attestation it signs names this organisation and these qualifications.
  const [org, setOrg] = useState(organisation);
  const [qualifications, setQualifications] = useState('');
  const [pkcs8Path, setPkcs8Path] = useState('');
  const [passphrase, setPassphrase] = useState('');
  const [confirm, setConfirm] = useState('');
  const [local, setLocal] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const mismatch = confirm !== '' && confirm !== passphrase;

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (busy) return;
    setLocal(null);
    setError(null);
    const missing = [tab === 'import' && pkcs8Path.trim() === '' ? 'Key file' : null, name.trim() === '' ? 'Name' : null, passphrase === '' ? 'Passphrase' : null].filter(Boolean);
    if (missing.length) return setLocal(`Fill in: ${missing.join(', ')}.`);
    if (passphrase !== confirm) return setLocal('The two passphrases differ; type the same passphrase twice.');
    setBusy(true);
    try {
      const input = { name: name.trim(), email: email.trim() === '' ? null : email.trim(), organisation: org.trim() === '' ? null : org.trim(), qualifications: qualifications.trim() === '' ? null : qualifications.trim(), passphrase };
      const k = tab === 'create' ? await api.createExaminerKey(folder, input) : await api.importExaminerKey(folder, { ...input, pkcs8Path: pkcs8Path.trim() });
      setPassphrase('');
      setConfirm('');
      onSaved(k);
      // The form gives way to the key's card: focus its heading rather than lose it.
      focusSoon('#step-panel-attestation .card h2');
    } catch (err) {
      setError(errorText(err));
      focusSoon('#step-panel-attestation [role=alert]');
    } finally {
      setBusy(false);
    }
  };

  const pick = async () => {
    try {
      const p = await api.pickPath('key');
      if (p) setPkcs8Path(p);
    } catch (err) {
      setLocal(errorText(err));
    }
  };

  return (
    <Card title="Examiner key" description="This case has no examiner key yet. It signs the attestations; it is stored in the case folder, encrypted with your passphrase, and never replaced.">
      <ErrorBanner error={error} />
      <form className="stack" onSubmit={submit} aria-label="Examiner key" noValidate>
        <Tabs label="Examiner key source" idPrefix="examiner-source" items={KEY_TABS} selected={tab} onSelect={setTab} />
        <TabPanel idPrefix="examiner-source" id="import" selected={tab === 'import'}>
          <TextField
            label="PKCS#8 key file"
            value={pkcs8Path}
            onChange={setPkcs8Path}
            mono
            required
            placeholder="e.g. /keys/examiner.pem"
            hint="An unencrypted PEM PRIVATE KEY (Ed25519). It is re-encrypted with the passphrase below."
            addon={
              <button type="button" className="btn" onClick={() => void pick()}>
                Choose…
              </button>
            }
          />
        </TabPanel>
        <TabPanel idPrefix="examiner-source" id="create" selected={tab === 'create'}>
          <p className="muted small">A new Ed25519 key is made on this workstation.</p>
        </TabPanel>
        <div className="form-grid">
          <TextField label="Name" value={name} onChange={setName} required hint="As it appears in the attestation." />
          <TextField label="Email" value={email} onChange={setEmail} placeholder="optional, e.g. dana@example.org" />
          <TextField label="Organisation" value={org} onChange={setOrg} placeholder="optional, e.g. Example Forensics Ltd" hint="Kept with the key; a report cannot name another." />
          <TextField label="Qualifications" value={qualifications} onChange={setQualifications} placeholder="optional, e.g. GCFA; 9 years of incident response" hint="Printed in section 1 of every report." />
          <TextField label="Passphrase" type="password" value={passphrase} onChange={setPassphrase} required hint="Needed each time you sign. It cannot be recovered." />
          <TextField
            label="Confirm passphrase"
            type="password"
            value={confirm}
            onChange={setConfirm}
            required
            error={mismatch ? 'Differs from the passphrase.' : null}
            hint="Type it again."
          />
        </div>
        {local ? <p className="field-error">{local}</p> : null}
        <div className="btn-row">
          <button type="submit" className="btn btn-primary" aria-disabled={busy || undefined}>
            {tab === 'create' ? 'Create examiner key' : 'Import examiner key'}
          </button>
        </div>
      </form>
    </Card>
  );
}

/** The declaration templates of shared/core/attestation.ts, as `attest --declaration` names them. */
const DECLARATIONS: { value: DeclarationChoice; label: string }[] = [
  { value: 'none', label: 'None (the report states the findings only)' },
  { value: 'us-fre-902', label: 'United States: 28 U.S.C. § 1746, Fed. R. Evid. 902(13)/(14)' },
  { value: 'uk-crimpr-19', label: 'England and Wales: Criminal Procedure Rules, Part 19' },
];

function SignCard({ hasKey }: { hasKey: boolean }) {
  const w = useWorkflow();
  const archives = (w.kase?.archives ?? []).filter((a) => a.verdict !== null);
  const [archiveId, setArchiveId] = useState<string>('');
  const [declaration, setDeclaration] = useState<DeclarationChoice>('none');
  const [passphrase, setPassphrase] = useState('');
  const [local, setLocal] = useState<string | null>(null);
  const [result, setResult] = useState<AttestationView | null>(null);
  const job = w.job?.kind === 'attest' ? w.job : null;
  const jobError = w.jobError?.kind === 'attest' ? w.jobError : null;
  // The archive last shown in Results is the natural default; any other indexed archive can be chosen.
  const chosen = archives.find((a) => String(a.id) === archiveId) ?? archives.find((a) => a.id === w.run?.archiveId) ?? archives[archives.length - 1] ?? null;

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setLocal(null);
    if (!chosen) return;
    if (passphrase === '') return setLocal('Type the examiner key passphrase.');
    setResult(null);
    // The form gives way to the progress: focus waits on Cancel, then goes to the signed verdict or to what failed.
    focusSoon('#step-panel-attestation .job-cancel');
    const r = await w.attest(chosen.id, passphrase, declaration).catch((err: unknown) => {
      setLocal(errorText(err));
      return null;
    });
    setPassphrase('');
    if (r) setResult(r);
    focusSoon(r ? '#step-panel-attestation [aria-label="Attested verdict"]' : '#step-panel-attestation [role=alert], #step-panel-attestation form[aria-label="Sign an attestation"] input');
  };

  return (
    <>
      <Card title="Sign an attestation" description="The archive is verified again from its evidence, then the report is written into the case folder and signed with the examiner key.">
        {!hasKey ? (
          <p className="muted">Create or import the examiner key above first.</p>
        ) : archives.length === 0 ? (
          <Empty
            action={
              <button type="button" className="btn btn-primary" onClick={() => w.go('verify')}>
                Go to Verify
              </button>
            }
          >
            No archive of this case has been verified yet.
          </Empty>
        ) : job ? (
          <JobProgress job={job} title="Signing" onCancel={() => void w.cancelJob()} />
        ) : (
          <form className="stack" onSubmit={submit} aria-label="Sign an attestation" noValidate>
            <div className="form-grid">
              <SelectField
                label="Archive"
                value={chosen ? String(chosen.id) : ''}
                options={archives.map((a) => ({ value: String(a.id), label: `${a.path} (${a.verdict})` }))}
                onChange={setArchiveId}
              />
              <SelectField
                label="Declaration"
                value={declaration}
                options={DECLARATIONS}
                onChange={setDeclaration}
              />
              <TextField label="Examiner key passphrase" type="password" value={passphrase} onChange={setPassphrase} required />
            </div>
            {local ? <p className="field-error">{local}</p> : null}
            <div className="btn-row">
              <button type="submit" className="btn btn-primary" aria-disabled={!!w.job || undefined}>
                Sign attestation
              </button>
              <span className="muted small">A report is never overwritten: each signature writes new files.</span>
            </div>
          </form>
        )}
        {jobError ? (
          <Banner tone={jobError.cancelled ? 'warn' : 'danger'} role="alert" title={jobError.cancelled ? 'Signing cancelled' : 'The attestation could not be signed'}>
            {jobError.message}
          </Banner>
        ) : null}
      </Card>
      {result ? <AttestationResult result={result} /> : null}
    </>
  );
}

function AttestationResult({ result }: { result: AttestationView }) {
  const tone = VERDICT_TONE[result.verdict];
  return (
    <Card title="Signed attestation" className="attestation-result">
      <section className={`verdict verdict-${tone}`} role="status" aria-label="Attested verdict" data-verdict={result.verdict}>
        <span className="verdict-icon" aria-hidden="true">
          {VERDICT_ICON[result.verdict]}
        </span>
        <div className="verdict-body">
          <h2 className="verdict-word">{VERDICT_WORD[result.verdict]}</h2>
          <p className="verdict-reason">{result.reason}</p>
        </div>
      </section>
      <dl className="facts" aria-label="Attestation files">
        <dt>Report ID</dt>
        <dd className="mono" data-testid="report-id">
          {result.reportId}
        </dd>
        <dt>Signed PDF</dt>
        <dd>
          <PathText path={result.pdfPath} />
        </dd>
        <dt>DSSE statement</dt>
        <dd>
          <PathText path={result.dssePath} />
        </dd>
        <dt>SSH signature</dt>
        <dd>
          <PathText path={result.sshsigPath} />
        </dd>
        <dt>Allowed signers</dt>
        <dd>
          <PathText path={result.allowedSignersPath} />
        </dd>
      </dl>
      <RevealButtons path={result.pdfPath} what="report" />
      <div className="stack">
        <div className="card-head">
          <h3 className="subhead">Check the SSH signature without Sealcheck</h3>
          <CopyButton text={result.sshVerifyCommand} what="command" />
        </div>
        <pre className="code-block command-block" aria-label="ssh-keygen verify command">
          {result.sshVerifyCommand}
        </pre>
      </div>
    </Card>
  );
}

/** Copies to the clipboard; where the clipboard is not allowed it selects the text instead, for Ctrl+C. */
function CopyButton({ text, what }: { text: string; what: string }) {
  const [state, setState] = useState<'idle' | 'copied' | 'selected'>('idle');
  useEffect(() => {
    if (state === 'idle') return;
    const t = setTimeout(() => setState('idle'), 2500);
    return () => clearTimeout(t);
  }, [state]);
  const copy = async (el: HTMLElement) => {
    try {
      await navigator.clipboard.writeText(text);
      setState('copied');
    } catch {
      const pre = el.closest('.stack')?.querySelector('pre');
      const sel = window.getSelection();
      if (pre && sel) {
        sel.selectAllChildren(pre);
        setState('selected');
      }
    }
  };
  return (
    <span className="btn-row">
      <span className="small muted" role="status">
        {state === 'copied' ? 'Copied.' : state === 'selected' ? 'Selected: press Ctrl+C.' : ''}
      </span>
      <button type="button" className="btn btn-sm" onClick={(e) => void copy(e.currentTarget)} aria-label={`Copy the ${what}`}>
        Copy
      </button>
    </span>
  );
}

function CheckCard({ folder, hasKey }: { folder: string; hasKey: boolean }) {
  const [pdfPath, setPdfPath] = useState('');
  const [keyPath, setKeyPath] = useState('');
  const [archivePath, setArchivePath] = useState('');
  const [local, setLocal] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [result, setResult] = useState<{ pdfPath: string; view: AttestationCheckView } | null>(null);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setLocal(null);
    setError(null);
    if (pdfPath.trim() === '') return setLocal('Type the path of the signed PDF.');
    setBusy(true);
    setResult(null);
    try {
      const input = { pdfPath: pdfPath.trim(), examinerKeyPath: keyPath.trim() || null, archivePath: archivePath.trim() || null };
      setResult({ pdfPath: input.pdfPath, view: await api.verifyAttestation(folder, input) });
    } catch (err) {
      setError(errorText(err));
    } finally {
      setBusy(false);
    }
  };

  return (
    <Card title="Check an attestation" description="Checks a signed report offline: its PDF signature, the embedded statement, that the pages render from it, the sidecar files beside it and, if given, the evidence digests.">
      <ErrorBanner error={error} />
      <form className="stack" onSubmit={submit} aria-label="Check an attestation" noValidate>
        <TextField label="Signed PDF" value={pdfPath} onChange={setPdfPath} mono required placeholder="e.g. /cases/2026-0142/attestations/report.pdf" />
        <div className="form-grid">
          <TextField
            label="Examiner public key"
            value={keyPath}
            onChange={setKeyPath}
            mono
            placeholder="optional, e.g. examiner.pub or examiner.ssh.pub"
            hint={hasKey ? "Empty: this case's examiner key." : 'Required: this case has no examiner key.'}
          />
          <TextField label="Evidence archive" value={archivePath} onChange={setArchivePath} mono placeholder="optional, e.g. /evidence/audit.tar.gz" hint="Given: its SHA-256 and SHA-512 must be the attested ones." />
        </div>
        {local ? <p className="field-error">{local}</p> : null}
        <div className="btn-row">
          <button type="submit" className="btn btn-primary" disabled={busy}>
            {busy ? 'Checking…' : 'Check attestation'}
          </button>
        </div>
      </form>
      {result ? <CheckResult pdfPath={result.pdfPath} view={result.view} /> : null}
    </Card>
  );
}

function CheckResult({ pdfPath, view }: { pdfPath: string; view: AttestationCheckView }) {
  const failed = view.checks.filter((c) => !c.ok).length;
  return (
    <section className="stack" aria-label="Attestation check" data-valid={view.valid}>
      <div className={`verdict verdict-${view.valid ? 'ok' : 'danger'}`} role="status" aria-label="Attestation check result">
        <span className="verdict-icon" aria-hidden="true">
          {view.valid ? '✓' : '✗'}
        </span>
        <div className="verdict-body">
          <h2 className="verdict-word" data-testid="attestation-validity">
            {view.valid ? 'VALID' : 'INVALID'}
          </h2>
          <p className="verdict-reason">
            {view.valid ? `All ${view.checks.length} checks passed.` : `${failed} of ${view.checks.length} checks failed.`}
          </p>
          <PathText path={pdfPath} className="small" />
        </div>
        {view.report ? (
          <dl className="facts small attestation-report-facts">
            <dt>Report</dt>
            <dd className="mono">{view.report.id}</dd>
            <dt>Case</dt>
            <dd className="mono">{view.report.case}</dd>
            <dt>Verdict</dt>
            <dd>{view.report.verdict}</dd>
            <dt>Examiner</dt>
            <dd>{view.report.examiner}</dd>
          </dl>
        ) : null}
      </div>
      <ul className="checks plain-list" aria-label="Checks">
        {view.checks.map((c) => (
          <li key={c.name} className={`check ${c.ok ? 'check-ok' : 'check-bad'}`} data-ok={c.ok}>
            <span className="check-mark" aria-hidden="true">
              {c.ok ? '✓' : '✗'}
            </span>
            <span>
              <strong>{c.name}</strong> <Badge tone={c.ok ? 'ok' : 'danger'}>{c.ok ? 'ok' : 'failed'}</Badge>
              <span className="check-detail">{c.detail}</span>
            </span>
          </li>
        ))}
      </ul>
    </section>
  );
}
