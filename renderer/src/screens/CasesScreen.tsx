// Step 1: create a case (who examines what for whom), open one by folder, or reopen a recent one.
import { useState, type FormEvent } from 'react';
import { CUSTODY_FIELDS, type CaseDetails } from '../../../shared/api.ts';
import { errorText } from '../api.ts';
import { useWorkflow } from '../app/workflow.tsx';
import { Banner, BusyButton, Card, ErrorBanner, TextField, VerdictBadge, PathText } from '../ui/controls.tsx';
import { focusSoon } from '../app/focus.ts';
import { count, utcFromIso } from '../lib/format.ts';

const EMPTY: CaseDetails = { caseNumber: '', title: '', requestingParty: '', examinerName: '', examinerRole: '', organisation: '' };
// Two columns: what the case is (number, requesting party, title), then who examines it.
type RequiredKey = 'caseNumber' | 'title' | 'requestingParty' | 'examinerName' | 'examinerRole' | 'organisation';
const FIELDS: { key: RequiredKey; label: string; placeholder: string; wide?: boolean }[] = [
  { key: 'caseNumber', label: 'Case number', placeholder: 'e.g. 2026-0142' },
  { key: 'requestingParty', label: 'Requesting party', placeholder: 'e.g. Legal, ACME GmbH' },
  { key: 'title', label: 'Title', placeholder: 'e.g. Audit trail of cluster prod-eu-1, March 2023', wide: true },
  { key: 'examinerName', label: 'Examiner name', placeholder: 'e.g. Dana Example' },
  { key: 'examinerRole', label: 'Examiner role', placeholder: 'e.g. Digital forensic examiner' },
  { key: 'organisation', label: 'Organisation', placeholder: 'e.g. Example Forensics Ltd', wide: true },
];
// Chain of custody: optional here, printed as "not provided" on the attestation when left empty.
const CUSTODY: { key: (typeof CUSTODY_FIELDS)[number]; label: string; placeholder: string; wide?: boolean }[] = [
  { key: 'evidenceNumber', label: 'Evidence number', placeholder: 'e.g. EV-2026-0142-01' },
  { key: 'receivedFrom', label: 'Received from', placeholder: 'e.g. K. Brandt, SRE on-call' },
  { key: 'receivedAt', label: 'Received at (UTC)', placeholder: 'e.g. 2026-03-01T09:30:00Z' },
  { key: 'receivedHow', label: 'Received how', placeholder: 'e.g. encrypted USB drive, seal 44871' },
  { key: 'storedWhere', label: 'Stored where', placeholder: 'e.g. evidence safe S2, shelf 3' },
  { key: 'authority', label: 'Legal authority', placeholder: 'e.g. engagement letter ENG-112' },
  { key: 'request', label: 'Request and questions', placeholder: 'e.g. Were the March audit logs altered after they were written?', wide: true },
];

export function CasesScreen() {
  const w = useWorkflow();
  const [details, setDetails] = useState<CaseDetails>(EMPTY);
  const [folder, setFolder] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  // After a refused "Create case", each empty required field says so itself (and the first gets focus).
  const [tried, setTried] = useState(false);

  const missing = FIELDS.filter((f) => details[f.key].trim() === '').map((f) => f.label);

  const act = async (what: () => Promise<void>) => {
    setBusy(true);
    setError(null);
    try {
      await what();
      w.go('import');
    } catch (e) {
      setError(errorText(e));
      focusSoon('#step-panel-cases [role=alert]');
    } finally {
      setBusy(false);
    }
  };

  const onCreate = (e: FormEvent) => {
    e.preventDefault();
    if (missing.length) {
      setError(`Fill in: ${missing.join(', ')}.`);
      setTried(true);
      focusSoon('#step-panel-cases form[aria-label="New case"] [aria-invalid="true"]');
      return;
    }
    // Empty custody fields are left out, so the report says "not provided" rather than printing a blank.
    const trimmed = Object.fromEntries(Object.entries(details).map(([k, v]) => [k, (v ?? '').trim()]).filter(([k, v]) => v !== '' || FIELDS.some((f) => f.key === k))) as unknown as CaseDetails;
    void act(async () => {
      await w.createCase(trimmed);
      setDetails(EMPTY);
    });
  };

  const onOpen = (e?: FormEvent) => {
    e?.preventDefault();
    if (folder.trim() === '') {
      setError('Type the case folder to open.');
      return;
    }
    void act(() => w.openCase(folder.trim()));
  };

  return (
    <div className="screen">
      <header className="screen-head">
        <h1>Case</h1>
        <p className="muted">Every import, key and verification is recorded in the case, with who did it and when.</p>
      </header>
      <ErrorBanner error={error} />
      {w.kase ? (
        <Banner tone="info" title={`Case ${w.kase.caseNumber} is open`}>
          {w.kase.title} — {w.kase.requestingParty}. Examiner {w.kase.examinerName} ({w.kase.examinerRole}, {w.kase.organisation}). Folder <PathText path={w.kase.folder} />, {count(w.kase.archives.length)} archive
          {w.kase.archives.length === 1 ? '' : 's'}.
        </Banner>
      ) : null}
      <div className="grid-2">
        <Card title="New case" description={w.info ? `Created under ${w.info.casesRoot}` : undefined}>
          <form className="form-grid" onSubmit={onCreate} aria-label="New case" noValidate>
            {FIELDS.map((f) => (
              <TextField
                key={f.key}
                label={f.label}
                required
                value={details[f.key]}
                placeholder={f.placeholder}
                onChange={(v) => setDetails({ ...details, [f.key]: v })}
                className={f.wide ? 'span-2' : undefined}
                error={tried && details[f.key].trim() === '' ? `Fill in the ${f.label.toLowerCase()}.` : null}
              />
            ))}
            <fieldset className="span-2 form-grid" aria-label="Chain of custody">
              <legend>Chain of custody (optional; empty fields print as “not provided”)</legend>
              {CUSTODY.map((f) => (
                <TextField
                  key={f.key}
                  label={f.label}
                  value={details[f.key] ?? ''}
                  placeholder={f.placeholder}
                  onChange={(v) => setDetails({ ...details, [f.key]: v })}
                  className={f.wide ? 'span-2' : undefined}
                />
              ))}
            </fieldset>
            <div className="span-2 btn-row">
              <BusyButton type="submit" busy={busy} className="btn btn-primary" busyReason="Creating the case">
                Create case
              </BusyButton>
              <span className="muted small">The fields above the custody block are required: they appear on the attestation. The case number names the case folder.</span>
            </div>
          </form>
        </Card>
        <div className="stack">
          <Card title="Open a case folder">
            <form onSubmit={onOpen} aria-label="Open a case folder" noValidate>
              <TextField
                label="Case folder"
                value={folder}
                onChange={setFolder}
                mono
                placeholder="e.g. /cases/2026-0142"
                hint="The folder holding case.json and case.sqlite."
                addon={
                  <button type="submit" className="btn" disabled={busy}>
                    Open
                  </button>
                }
              />
            </form>
          </Card>
          <Card title="Recent cases">
            {w.recent.length === 0 ? (
              <p className="muted">No recent cases.</p>
            ) : (
              <div className="table-wrap">
                <table className="table" aria-label="Recent cases">
                  <thead>
                    <tr>
                      <th scope="col">Case</th>
                      <th scope="col">Title</th>
                      <th scope="col">Examiner</th>
                      <th scope="col">Last opened</th>
                      <th scope="col">
                        <span className="visually-hidden">Action</span>
                      </th>
                    </tr>
                  </thead>
                  <tbody>
                    {w.recent.map((c) => (
                      <tr key={c.folder} aria-selected={w.kase?.folder === c.folder}>
                        <td className="mono nowrap">{c.caseNumber}</td>
                        <td>
                          {c.title}
                          <div className="muted small">
                            <PathText path={c.folder} />
                          </div>
                        </td>
                        <td>{c.examinerName}</td>
                        <td className="nowrap small">{utcFromIso(c.openedAt)}</td>
                        <td>
                          <button type="button" className="btn btn-sm" disabled={busy} onClick={() => void act(() => w.openCase(c.folder))} aria-label={`Open case ${c.caseNumber}`}>
                            Open
                          </button>
                        </td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
            )}
          </Card>
          {w.kase && w.kase.archives.length > 0 ? (
            <Card title="Archives in this case">
              <ul className="plain-list">
                {w.kase.archives.map((a) => (
                  <li key={a.id} className="archive-line">
                    <PathText path={a.path} /> {a.verdict ? <VerdictBadge verdict={a.verdict} /> : <span className="muted small">not verified</span>}
                  </li>
                ))}
              </ul>
            </Card>
          ) : null}
        </div>
      </div>
    </div>
  );
}
