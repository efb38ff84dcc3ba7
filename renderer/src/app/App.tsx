// The window: header (case, theme), the workflow steps as vertical tabs, the screens, and a status line.
import { useEffect, useState, type ReactNode } from 'react';
import { Badge, Tabs, VerdictBadge } from '../ui/controls.tsx';
import { CasesScreen } from '../screens/CasesScreen.tsx';
import { ImportScreen } from '../screens/ImportScreen.tsx';
import { KeysScreen } from '../screens/KeysScreen.tsx';
import { VerifyScreen } from '../screens/VerifyScreen.tsx';
import { ResultsScreen } from '../screens/ResultsScreen.tsx';
import { ExplorerScreen } from '../screens/ExplorerScreen.tsx';
import { AttestationScreen } from '../screens/AttestationScreen.tsx';
import { useWorkflow, type Screen } from './workflow.tsx';
import { ThemeToggle } from './theme.tsx';
import { count } from '../lib/format.ts';
import { focusSoon } from './focus.ts';

const SCREENS: { id: Screen; title: string; render: () => ReactNode }[] = [
  { id: 'cases', title: 'Case', render: () => <CasesScreen /> },
  { id: 'import', title: 'Import', render: () => <ImportScreen /> },
  { id: 'keys', title: 'Trust keys', render: () => <KeysScreen /> },
  { id: 'verify', title: 'Verify', render: () => <VerifyScreen /> },
  { id: 'results', title: 'Results', render: () => <ResultsScreen /> },
  { id: 'explorer', title: 'Explorer', render: () => <ExplorerScreen /> },
  { id: 'attestation', title: 'Attestation', render: () => <AttestationScreen /> },
];

export function App() {
  const w = useWorkflow();
  // Screens mount on first visit and then stay mounted (hidden), so a filter, a scroll position or a form survives switching steps.
  const [visited, setVisited] = useState<Set<Screen>>(() => new Set([w.screen]));
  useEffect(() => {
    setVisited((v) => (v.has(w.screen) ? v : new Set(v).add(w.screen)));
  }, [w.screen]);

  // A step shown by any means puts focus on what it is for (its heading, or what the action asked for), so the next Tab
  // continues there rather than from the top. Arrowing along the step tabs keeps focus on the tabs.
  const { screenFocus } = w;
  useEffect(() => {
    if (screenFocus.nonce === 0) return;
    const inTabs = document.activeElement?.closest('[role=tablist][aria-label="Workflow steps"]');
    if (inTabs && !screenFocus.selector) return;
    const panel = () => document.getElementById(`step-panel-${screenFocus.screen}`);
    focusSoon(screenFocus.selector ?? 'h1', panel);
  }, [screenFocus]);

  // The window title names the case and the step (window lists, screen readers, the task switcher).
  const stepTitle = SCREENS.find((s) => s.id === w.screen)?.title ?? '';
  useEffect(() => {
    document.title = w.kase ? `${stepTitle} — case ${w.kase.caseNumber} — Sealcheck` : `${stepTitle} — Sealcheck`;
  }, [stepTitle, w.kase?.caseNumber]);

  // Alt+1..7 jumps to a step, as in other examiner tools with many panes.
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (!e.altKey || e.ctrlKey || e.metaKey) return;
      const n = Number(e.key);
      const s = SCREENS[n - 1];
      if (Number.isInteger(n) && s) {
        e.preventDefault();
        w.go(s.id);
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [w.go]);

  const hint: Record<Screen, ReactNode> = {
    cases: w.kase ? <span className="mono">{w.kase.caseNumber}</span> : <span>none open</span>,
    import: w.digest ? <span>digest taken</span> : w.job?.kind === 'inspect' ? <span>hashing…</span> : <span>choose evidence</span>,
    keys: w.kase ? <span>{count(w.kase.policy.keys.length)} keys</span> : <span>—</span>,
    verify: w.job?.kind === 'verify' ? <span>running…</span> : <span>{w.digest ? 'ready' : '—'}</span>,
    results: w.run ? <VerdictBadge verdict={w.run.verdict} /> : <span>—</span>,
    explorer: w.run ? <span>{count(w.run.entries)} entries</span> : <span>—</span>,
    attestation: w.job?.kind === 'attest' ? <span>signing…</span> : <span>{w.run ? 'ready to sign' : '—'}</span>,
  };

  return (
    <div className="app">
      <header className="app-header">
        <div className="brand">
          <span className="brand-mark" aria-hidden="true">
            ◆
          </span>
          <span className="brand-name">Sealcheck</span>
          <Badge tone="info" title="No network access: every check runs on this workstation">
            offline
          </Badge>
        </div>
        <div className="header-case">
          {w.kase ? (
            <>
              <span className="muted small">Case</span> <strong className="mono">{w.kase.caseNumber}</strong> <span className="header-title">{w.kase.title}</span>
              <span className="muted small"> · examiner {w.kase.examinerName}</span>
            </>
          ) : (
            <span className="muted">No case open</span>
          )}
        </div>
        <ThemeToggle />
      </header>
      <nav className="app-nav" aria-label="Workflow">
        <Tabs
          label="Workflow steps"
          idPrefix="step"
          orientation="vertical"
          className="nav-tabs"
          tabClassName="nav-tab"
          items={SCREENS.map((s, i) => ({
            id: s.id,
            label: (
              <>
                <span className="nav-num" aria-hidden="true">
                  {i + 1}
                </span>
                <span className="nav-text">
                  <span className="nav-title">{s.title}</span>
                  <span className="nav-hint">{hint[s.id]}</span>
                </span>
              </>
            ),
          }))}
          selected={w.screen}
          onSelect={w.go}
        />
        <p className="nav-keys small muted">Alt+1…7 switches steps</p>
      </nav>
      <main className="app-main">
        {SCREENS.map((s) => (
          <div key={s.id} role="tabpanel" id={`step-panel-${s.id}`} aria-labelledby={`step-tab-${s.id}`} hidden={w.screen !== s.id} className="screen-panel">
            {visited.has(s.id) ? s.render() : null}
          </div>
        ))}
      </main>
      {/* The one live region: always in the document, so what is written into it later is read. */}
      <div className="visually-hidden" role="status" aria-live="polite" aria-atomic="true" id="announcer" data-testid="announcer">
        {w.announcement}
      </div>
      <footer className="app-status small">
        <span>{w.info ? `Sealcheck ${w.info.version}` : 'Sealcheck'}</span>
        <span className="muted">{w.info ? `Cases folder: ${w.info.casesRoot}` : 'Backend not connected'}</span>
        <span className={`status-log status-log-${w.lastLog?.level ?? 'info'}`}>{w.lastLog ? `${w.lastLog.scope}: ${w.lastLog.message}` : ''}</span>
      </footer>
    </div>
  );
}
