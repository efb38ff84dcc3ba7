// The explorer's event table columns (shared with the component harness, so the tests scroll the real table).
import type { EventSummary } from '../../../shared/api.ts';
import { count, utcFromUs } from '../lib/format.ts';
import { StatusBadge } from './controls.tsx';
import type { Column } from './VirtualTable.tsx';

// Access-log entries have no verb or resource: their method and path stand in, so every row reads the same way.
export const EVENT_COLUMNS: Column<EventSummary>[] = [
  { id: 'index', header: 'Entry', width: '72px', align: 'right', cell: (r) => count(r.index) },
  { id: 'time', header: 'Time (UTC)', width: '212px', mono: true, cell: (r) => (r.timeUs === null ? '—' : utcFromUs(r.timeUs).replace(' UTC', '')) },
  { id: 'status', header: 'Status', width: '84px', cell: (r) => <StatusBadge status={r.status} /> },
  { id: 'user', header: 'User', width: 'minmax(140px, 1.4fr)', cell: (r) => r.username ?? '—', title: (r) => r.username ?? undefined },
  { id: 'verb', header: 'Verb', width: '76px', cell: (r) => r.verb ?? r.method ?? '—' },
  { id: 'resource', header: 'Resource', width: 'minmax(100px, 1fr)', cell: (r) => r.resource ?? r.path ?? '—', title: (r) => r.requestUri ?? r.path ?? undefined },
  { id: 'namespace', header: 'Namespace', width: 'minmax(90px, 0.8fr)', cell: (r) => r.namespace ?? '—' },
  { id: 'name', header: 'Name', width: 'minmax(90px, 1fr)', cell: (r) => r.name ?? '—', title: (r) => r.name ?? undefined },
  { id: 'code', header: 'Code', width: '48px', align: 'right', cell: (r) => (r.code === null ? '—' : String(r.code)) },
  { id: 'stage', header: 'Stage', width: '128px', cell: (r) => r.stage ?? '—' },
  { id: 'sensitive', header: 'Sensitive', width: 'minmax(96px, 0.8fr)', cell: (r) => (r.sensitive === null ? 'not checked' : r.sensitive.length === 0 ? '—' : r.sensitive.join(', ')), title: (r) => (r.sensitive === null ? 'Indexed before Sealcheck checked entries for sensitive data: index the archive again' : r.sensitive.join(', ') || undefined) },
];
