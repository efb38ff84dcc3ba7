// Groups a run's findings by code for the results screen: count (listed plus the counted rest), severity, locations.
import type { Finding, Severity } from '../../../shared/core/findings.ts';

export interface FindingGroup {
  code: string;
  severity: Severity;
  /** Every finding of this code, including those the backend only counted (past the first 100). */
  total: number;
  /** The findings with their own location, in archive order. */
  listed: Finding[];
  /** How many were counted but not listed. */
  unlisted: number;
}

/** Errors first, then warnings; within a severity, codes in the order their first finding appears. */
export function groupFindings(findings: readonly Finding[]): FindingGroup[] {
  const groups = new Map<string, FindingGroup>();
  for (const f of findings) {
    let g = groups.get(f.code);
    if (!g) groups.set(f.code, (g = { code: f.code, severity: f.severity, total: 0, listed: [], unlisted: 0 }));
    if (f.count !== undefined) {
      g.unlisted += f.count;
      g.total += f.count;
    } else {
      g.listed.push(f);
      g.total += 1;
    }
  }
  const order = [...groups.values()];
  const rank = (s: Severity) => (s === 'error' ? 0 : 1);
  // Array.prototype.sort is stable: codes keep first-appearance order inside a severity.
  order.sort((a, b) => rank(a.severity) - rank(b.severity));
  for (const g of order) g.listed.sort((a, b) => (a.index ?? -1) - (b.index ?? -1) || (a.line ?? 0) - (b.line ?? 0));
  return order;
}

/** Where a finding points, in the examiner's words: entry, file, line. */
export function findingLocation(f: Finding): string {
  const parts: string[] = [];
  if (f.index !== undefined) parts.push(`entry ${f.index.toLocaleString('en-US')}`);
  if (f.file !== undefined) parts.push(f.file);
  if (f.line !== undefined) parts.push(`line ${f.line.toLocaleString('en-US')}`);
  return parts.length ? parts.join(' · ') : 'the archive as a whole';
}
