// The explorer's filter form and its translation into the backend's EventFilterInput (and the cursors of its pages).
import type { Cursor, EventFilterInput, EventSummary } from '../../../shared/api.ts';
import { parseUtc } from './format.ts';

export const PRESETS = [
  { id: 'secrets-access', label: 'Secrets access' },
  { id: 'rbac-changes', label: 'RBAC changes' },
  { id: 'exec', label: 'Exec / attach' },
  { id: 'impersonation', label: 'Impersonation' },
  { id: 'denied', label: 'Denied' },
  { id: 'anonymous', label: 'Anonymous' },
  { id: 'deletions', label: 'Deletions' },
  { id: 'admission-changes', label: 'Admission changes' },
  { id: 'service-account', label: 'Service account' },
  { id: 'sensitive', label: 'Sensitive data' },
] as const;
export type PresetId = (typeof PRESETS)[number]['id'];

export type SortOrder = 'index' | 'time';

export interface FilterForm {
  text: string;
  user: string;
  verb: string;
  resource: string;
  namespace: string;
  code: string;
  stage: string;
  status: '' | 'covered' | 'unsigned' | 'failed';
  from: string;
  to: string;
  preset: PresetId | '';
  serviceAccount: string;
}

export const EMPTY_FORM: FilterForm = { text: '', user: '', verb: '', resource: '', namespace: '', code: '', stage: '', status: '', from: '', to: '', preset: '', serviceAccount: '' };

export interface FormProblems {
  code?: string;
  from?: string;
  to?: string;
}

export function formProblems(f: FilterForm): FormProblems {
  const p: FormProblems = {};
  if (f.code.trim() !== '' && !/^\d{3}$/.test(f.code.trim())) p.code = 'A three-digit status code';
  if (f.from.trim() !== '' && parseUtc(f.from) === null) p.from = 'YYYY-MM-DD HH:MM[:SS] (UTC)';
  if (f.to.trim() !== '' && parseUtc(f.to) === null) p.to = 'YYYY-MM-DD HH:MM[:SS] (UTC)';
  return p;
}

/** The backend filter for a form: empty fields are left out, invalid ones too (the form marks them). */
export function toFilter(archiveId: number, f: FilterForm): EventFilterInput {
  const out: EventFilterInput = { archiveId };
  const t = (s: string) => s.trim();
  if (t(f.text)) out.text = t(f.text);
  if (t(f.user)) out.user = t(f.user);
  if (t(f.verb)) out.verb = t(f.verb);
  if (t(f.resource)) out.resource = t(f.resource);
  if (t(f.namespace)) out.namespace = t(f.namespace);
  if (/^\d{3}$/.test(t(f.code))) out.code = Number(t(f.code));
  if (t(f.stage)) out.stage = t(f.stage);
  if (f.status) out.status = f.status;
  const from = t(f.from) ? parseUtc(f.from) : null;
  const to = t(f.to) ? parseUtc(f.to) : null;
  if (from !== null) out.fromUs = from;
  if (to !== null) out.toUs = to;
  if (f.preset) {
    out.preset = f.preset;
    if (f.preset === 'service-account' && t(f.serviceAccount)) out.presetArg = t(f.serviceAccount);
  }
  return out;
}

/** True when the filter selects the whole archive: then list position N is entry index N. */
export function isUnfiltered(filter: EventFilterInput): boolean {
  return Object.keys(filter).every((k) => k === 'archiveId');
}

export function withoutTime(filter: EventFilterInput): EventFilterInput {
  const { fromUs: _f, toUs: _t, ...rest } = filter;
  return rest;
}

/**
 * The keyset cursor that continues after a row. docs/index-schema.md fixes the entry key: eid = archive id × 2^36 +
 * entry index, so any row can start the next page (not only the last row of a page).
 */
const INDEX_BITS = 2 ** 36;
export function cursorAfter(row: EventSummary): Cursor {
  return { timeUs: row.timeUs, eid: row.archiveId * INDEX_BITS + row.index };
}

/** In index order over a whole archive, the cursor that starts the page at entry `index`. */
export function cursorBeforeIndex(archiveId: number, index: number): Cursor | null {
  return index === 0 ? null : { timeUs: null, eid: archiveId * INDEX_BITS + index - 1 };
}
