// UI tests only (never in the app build): mounts one tricky component with test data and no backend, for Chromium component tests.
import { useCallback, useEffect, useMemo, useState, useSyncExternalStore } from 'react';
import { createRoot, type Root } from 'react-dom/client';
import type { EventSummary } from '../../shared/api.ts';
import type { Finding } from '../../shared/core/findings.ts';
import type { CheckpointCheckView as CheckpointCheck } from '../../shared/core/report.ts';
import '../src/styles/tokens.css';
import '../src/styles/components.css';
import '../src/styles/app.css';
import './harness.css';
import { CoverageTimeline } from '../src/ui/CoverageTimeline.tsx';
import { FindingsList } from '../src/ui/FindingsList.tsx';
import { VirtualTable } from '../src/ui/VirtualTable.tsx';
import { EVENT_COLUMNS } from '../src/ui/event-columns.tsx';
import { coverageOf } from '../src/lib/coverage.ts';
import { KeysetRows } from '../src/lib/keyset.ts';
import { cursorAfter, cursorBeforeIndex } from '../src/lib/explorer-filter.ts';

interface RunLike {
  entries: number;
  coveredEntries: number;
  checkpoints: CheckpointCheck[];
  findings: Finding[];
}

interface VirtualOptions {
  rows: number;
  /** Whether positions map to keys (the explorer's unfiltered index order); without it the table must read forward. */
  seek: boolean;
  latencyMs?: number;
}

export interface Harness {
  coverage(run: RunLike): void;
  findings(findings: Finding[]): void;
  virtual(options: VirtualOptions): void;
  theme(t: 'light' | 'dark'): void;
  /** Entries the examiner asked to open (by clicking a finding or the tail link). */
  opened: number[];
  /** Keyset pages fetched: [after eid or null, limit]. */
  fetches: [number | null, number][];
}

declare global {
  interface Window {
    harness: Harness;
  }
}

let root: Root | null = null;
function mount(node: React.ReactNode) {
  root?.unmount();
  root = createRoot(document.getElementById('root')!);
  root.render(node);
}

const ARCHIVE = 1;
const T0 = Date.UTC(2023, 2, 10, 22, 0, 0) * 1000;
const USERS = ['system:kube-scheduler', 'system:kube-controller-manager', 'system:serviceaccount:kube-system:generic-garbage-collector', 'system:apiserver', 'alice@example.com'];
const VERBS = ['get', 'list', 'watch', 'update', 'create', 'delete'];

function synthetic(index: number): EventSummary {
  return {
    archiveId: ARCHIVE,
    index,
    status: index % 997 === 0 ? 'failed' : 'covered',
    time: null,
    timeUs: T0 + index * 1000,
    kind: 'kubernetes-audit',
    username: USERS[index % USERS.length]!,
    verb: VERBS[index % VERBS.length]!,
    method: null,
    resource: index % 3 ? 'pods' : 'leases',
    namespace: 'kube-system',
    name: `object-${index}`,
    requestUri: null,
    path: null,
    code: 200,
    sourceIp: '10.0.0.1',
    stage: 'ResponseComplete',
    // alice@example.com is personal data; the rest carries nothing sensitive.
    sensitive: index % USERS.length === 4 ? ['personal-email'] : [],
  };
}

function VirtualHarness({ rows, seek, latencyMs = 0 }: VirtualOptions) {
  const store = useMemo(
    () =>
      new KeysetRows<EventSummary>({
        total: rows,
        // A stand-in for queryEvents over `rows` entries in index order: keyset on eid, never an offset.
        fetch: async (after, limit) => {
          window.harness.fetches.push([after ? after.eid : null, limit]);
          if (latencyMs) await new Promise((r) => setTimeout(r, latencyMs));
          const start = after ? after.eid - ARCHIVE * 2 ** 36 + 1 : 0;
          const end = Math.min(rows, start + limit);
          const out: EventSummary[] = [];
          for (let i = start; i < end; i++) out.push(synthetic(i));
          return { rows: out, next: end < rows && out.length ? cursorAfter(out[out.length - 1]!) : null };
        },
        cursorAfter,
        ...(seek ? { seek: (p: number) => cursorBeforeIndex(ARCHIVE, p), positionOf: (r: EventSummary) => r.index } : {}),
      }),
    [rows, seek, latencyMs],
  );
  // A replaced table stops loading, so its pages never mix with the next one's in `fetches`.
  useEffect(() => () => store.dispose(), [store]);
  const version = useSyncExternalStore(store.subscribe, store.getVersion);
  const [selected, setSelected] = useState<number | null>(null);
  const onRange = useCallback((s: number, e: number) => store.request(s, e), [store]);
  return (
    <div className="harness-table">
      <p>
        Selected: <output data-testid="selected">{selected === null ? 'none' : String(store.get(selected)?.index ?? `position ${selected}`)}</output>
      </p>
      <VirtualTable label="Events" rowCount={store.total} columns={EVENT_COLUMNS} getRow={(i) => store.get(i)} onRange={onRange} selected={selected} onSelect={setSelected} version={version} placeholder="loading…" />
    </div>
  );
}

window.harness = {
  opened: [],
  fetches: [],
  coverage(run) {
    mount(
      <div className="harness-pad">
        <CoverageTimeline coverage={coverageOf(run)} onOpenEntry={(i) => window.harness.opened.push(i)} />
      </div>,
    );
  },
  findings(findings) {
    mount(
      <div className="harness-pad">
        <FindingsList findings={findings} onOpenEntry={(i) => window.harness.opened.push(i)} />
      </div>,
    );
  },
  virtual(options) {
    window.harness.fetches = [];
    mount(<VirtualHarness {...options} />);
  },
  theme(t) {
    document.documentElement.dataset.theme = t;
  },
};
document.body.dataset.ready = 'true';
