// The examiner's workflow state (case, evidence digest, run, running job) and the actions that move it on, shared by every screen.
import { createContext, useCallback, useContext, useEffect, useMemo, useRef, useState, type ReactNode } from 'react';
import type { ApiEvents, ArchiveDigest, AttestationView, CaseDetails, CaseInfo, CaseSummary, Progress, RunView, TrustPolicyView, DeclarationChoice } from '../../../shared/api.ts';
import { api, ApiError, errorText, newJobId } from '../api.ts';
import { count, plural } from '../lib/format.ts';

export type Screen = 'cases' | 'import' | 'keys' | 'verify' | 'results' | 'explorer' | 'attestation';

export interface Job {
  jobId: string;
  kind: 'inspect' | 'verify' | 'attest';
  path: string;
  progress: Progress | null;
  startedAt: number;
  cancelling: boolean;
}

export interface EntryFocus {
  archiveId: number;
  index: number;
  /** A new number for each request, so opening the same entry twice still scrolls to it. */
  nonce: number;
}

export interface Workflow {
  screen: Screen;
  /** Shows a step; focus goes to `focus` (a selector inside the step) or else to the step's heading. */
  go: (s: Screen, focus?: string) => void;
  /** What focus should land on when the step shown now finishes rendering (read by App). */
  screenFocus: { screen: Screen; selector: string | null; nonce: number };
  /** Says `text` through the window's one polite live region. */
  announce: (text: string) => void;
  /** The live region's text (App renders it; an alternating trailing no-break space makes a repeat heard again). */
  announcement: string;
  info: { version: string; casesRoot: string } | null;
  recent: CaseSummary[];
  kase: CaseInfo | null;
  digest: ArchiveDigest | null;
  run: RunView | null;
  job: Job | null;
  /** The last job's failure, or null; a cancelled job says so here too. */
  jobError: { kind: Job['kind']; message: string; cancelled: boolean } | null;
  focus: EntryFocus | null;
  lastLog: ApiEvents['log'] | null;
  refreshRecent: () => Promise<void>;
  createCase: (d: CaseDetails) => Promise<void>;
  openCase: (folder: string) => Promise<void>;
  inspect: (path: string) => Promise<ArchiveDigest | null>;
  verify: () => Promise<void>;
  /** Verifies the archive again and signs the attestation with the case's examiner key; null when it failed or was cancelled (see jobError). */
  attest: (archiveId: number, passphrase: string, declaration: DeclarationChoice) => Promise<AttestationView | null>;
  cancelJob: () => Promise<void>;
  setPolicy: (p: TrustPolicyView) => void;
  showRun: (archiveId: number) => Promise<void>;
  openEntry: (index: number, archiveId?: number) => void;
}

const JOB_WORD: Record<Job['kind'], string> = { inspect: 'Hashing', verify: 'Verification', attest: 'Signing' };

const Ctx = createContext<Workflow | null>(null);

export function useWorkflow(): Workflow {
  const w = useContext(Ctx);
  if (!w) throw new Error('useWorkflow outside WorkflowProvider');
  return w;
}

export function WorkflowProvider({ children }: { children: ReactNode }) {
  const [screen, setScreen] = useState<Screen>('cases');
  const [info, setInfo] = useState<Workflow['info']>(null);
  const [recent, setRecent] = useState<CaseSummary[]>([]);
  const [kase, setKase] = useState<CaseInfo | null>(null);
  const [digest, setDigest] = useState<ArchiveDigest | null>(null);
  const [run, setRun] = useState<RunView | null>(null);
  const [job, setJob] = useState<Job | null>(null);
  const [jobError, setJobError] = useState<Workflow['jobError']>(null);
  const [focus, setFocus] = useState<EntryFocus | null>(null);
  const [lastLog, setLastLog] = useState<Workflow['lastLog']>(null);
  const nonce = useRef(0);
  const [screenFocus, setScreenFocus] = useState<Workflow['screenFocus']>({ screen: 'cases', selector: null, nonce: 0 });
  const [announcement, setAnnouncement] = useState('');
  const announce = useCallback((text: string) => setAnnouncement((prev) => (prev === text ? `${text}\u00a0` : text)), []);
  const go = useCallback((s: Screen, focusSelector?: string) => {
    setScreen(s);
    setScreenFocus((f) => ({ screen: s, selector: focusSelector ?? null, nonce: f.nonce + 1 }));
  }, []);
  const jobRef = useRef<Job | null>(null);
  jobRef.current = job;

  useEffect(() => {
    let live = true;
    api.appInfo().then(
      (i) => live && setInfo({ version: i.version, casesRoot: i.casesRoot }),
      () => undefined,
    );
    api.listRecentCases().then(
      (r) => live && setRecent(r),
      () => undefined,
    );
    let off: () => void = () => undefined;
    try {
      off = api.on('log', (l) => setLastLog(l));
    } catch {
      // No backend (a plain browser): every action reports it when tried.
    }
    return () => {
      live = false;
      off();
    };
  }, []);

  const refreshRecent = useCallback(async () => setRecent(await api.listRecentCases()), []);

  const adoptCase = useCallback(
    async (c: CaseInfo) => {
      setKase(c);
      setDigest(null);
      setRun(null);
      setFocus(null);
      setJobError(null);
      // Reopening a case shows its last verification, if it has one.
      const done = [...c.archives].reverse().find((a) => a.verdict !== null);
      if (done) setRun(await api.getRun(c.folder, done.id));
      void refreshRecent().catch(() => undefined);
    },
    [refreshRecent],
  );

  const createCase = useCallback(async (d: CaseDetails) => adoptCase(await api.createCase(d)), [adoptCase]);
  const openCase = useCallback(async (folder: string) => adoptCase(await api.openCase(folder)), [adoptCase]);

  /** Runs a job with progress events; progress is applied once per frame, however often it arrives. */
  const runJob = useCallback(async <T,>(kind: Job['kind'], path: string, start: (jobId: string) => Promise<T>): Promise<T | null> => {
    if (jobRef.current) throw new ApiError('busy', 'Another job is running; wait for it or cancel it first.');
    const jobId = newJobId();
    const j: Job = { jobId, kind, path, progress: null, startedAt: Date.now(), cancelling: false };
    jobRef.current = j;
    setJob(j);
    setJobError(null);
    let pending: Progress | null = null;
    let frame = 0;
    const off = api.onProgress(jobId, (p) => {
      pending = p;
      if (!frame)
        frame = requestAnimationFrame(() => {
          frame = 0;
          const latest = pending;
          setJob((cur) => (cur && cur.jobId === jobId ? { ...cur, progress: latest } : cur));
        });
    });
    try {
      return await start(jobId);
    } catch (e) {
      const cancelled = e instanceof ApiError && e.code === 'cancelled';
      const message = cancelled ? 'Cancelled by the examiner. Nothing was recorded for this run.' : errorText(e);
      setJobError({ kind, message, cancelled });
      announce(`${JOB_WORD[kind]} ${cancelled ? 'cancelled' : 'failed'}: ${message}`);
      return null;
    } finally {
      off();
      if (frame) cancelAnimationFrame(frame);
      jobRef.current = null;
      setJob(null);
    }
  }, [announce]);

  const inspect = useCallback(
    async (path: string) => {
      if (!kase) return null;
      setDigest(null);
      const d = await runJob('inspect', path, (jobId) => api.inspectArchive(kase.folder, path, jobId));
      if (d) {
        setDigest(d);
        announce(`Evidence hashed: ${plural(d.files, 'file')}, SHA-256 ${d.sha256.slice(0, 8)}…${d.sha256.slice(-4)}.`);
      }
      return d;
    },
    [kase, runJob, announce],
  );

  const verify = useCallback(async () => {
    if (!kase || !digest) return;
    const r = await runJob('verify', digest.path, (jobId) => api.verify(kase.folder, digest.path, jobId));
    if (!r) return;
    setRun(r);
    setFocus(null);
    go('results', '[data-verdict]');
    announce(verdictAnnouncement(r));
    const archives = await api.listArchives(kase.folder).catch(() => null);
    if (archives) setKase((k) => (k && k.folder === kase.folder ? { ...k, archives } : k));
  }, [kase, digest, runJob, go, announce]);

  const attest = useCallback(
    async (archiveId: number, passphrase: string, declaration: DeclarationChoice) => {
      if (!kase) return null;
      const path = kase.archives.find((a) => a.id === archiveId)?.path ?? '';
      const r = await runJob('attest', path, (jobId) => api.attest(kase.folder, archiveId, { passphrase, declaration }, jobId));
      if (r) announce('Attestation signed.');
      // Attesting verifies the archive again: show the archives as the case now records them.
      const archives = await api.listArchives(kase.folder).catch(() => null);
      if (archives) setKase((k) => (k && k.folder === kase.folder ? { ...k, archives } : k));
      return r;
    },
    [kase, runJob, announce],
  );

  const cancelJob = useCallback(async () => {
    const j = jobRef.current;
    if (!j) return;
    setJob((cur) => (cur && cur.jobId === j.jobId ? { ...cur, cancelling: true } : cur));
    await api.cancelJob(j.jobId);
  }, []);

  const setPolicy = useCallback((p: TrustPolicyView) => setKase((k) => (k ? { ...k, policy: p } : k)), []);

  const showRun = useCallback(
    async (archiveId: number) => {
      if (!kase) return;
      setRun(await api.getRun(kase.folder, archiveId));
      setFocus(null);
    },
    [kase],
  );

  const openEntry = useCallback(
    (index: number, archiveId?: number) => {
      const id = archiveId ?? run?.archiveId;
      if (id === undefined) return;
      setFocus({ archiveId: id, index, nonce: ++nonce.current });
      // The explorer focuses the grid itself once the entry's row is selected.
      go('explorer', '[role=grid]');
      announce(`Explorer: entry ${count(index)} selected.`);
    },
    [run, go, announce],
  );

  const value = useMemo<Workflow>(
    () => ({ screen, go, screenFocus, announce, announcement, info, recent, kase, digest, run, job, jobError, focus, lastLog, refreshRecent, createCase, openCase, inspect, verify, attest, cancelJob, setPolicy, showRun, openEntry }),
    [screen, go, screenFocus, announce, announcement, info, recent, kase, digest, run, job, jobError, focus, lastLog, refreshRecent, createCase, openCase, inspect, verify, attest, cancelJob, setPolicy, showRun, openEntry],
  );
  return <Ctx.Provider value={value}>{children}</Ctx.Provider>;
}

/** "Verification finished: Failed — 5 errors, first at entry 1,234": the verdict, how much is wrong, and where it starts. */
export function verdictAnnouncement(r: RunView): string {
  const word = { verified: 'Verified', failed: 'Failed', incomplete: 'Incomplete' }[r.verdict];
  const errors = r.findings.filter((f) => f.severity === 'error');
  const n = errors.reduce((a, f) => a + (f.count ?? 1), 0);
  const first = errors.map((f) => f.index).filter((i): i is number => i !== undefined).sort((a, b) => a - b)[0];
  const where = first !== undefined ? `, first at entry ${count(first)}` : '';
  return `Verification finished: ${word} — ${n ? `${plural(n, 'error')}${where}` : 'no errors'}; ${count(r.coveredEntries)} of ${count(r.entries)} entries covered.`;
}
