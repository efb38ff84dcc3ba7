// Finding codes and severities of spec §6, and the per-code cap (100 listed, the rest counted).

export const FINDING_CODES = {
  'archive-unreadable': 'error',
  'archive-unsafe-member': 'error',
  'manifest-missing': 'error',
  'manifest-invalid': 'error',
  'segment-missing': 'error',
  'segment-unreadable': 'error',
  'segment-file-hash-mismatch': 'error',
  'segment-range-invalid': 'error',
  'entry-count-mismatch': 'error',
  'line-malformed': 'error',
  'leaf-hash-mismatch': 'error',
  'chain-link-mismatch': 'error',
  'checkpoint-malformed': 'error',
  'checkpoint-origin-mismatch': 'error',
  'checkpoint-size-beyond-log': 'error',
  'checkpoint-root-mismatch': 'error',
  'checkpoint-signature-invalid': 'error',
  'anchor-mismatch': 'error',
  'log-truncated': 'error',
  'checkpoint-untrusted': 'warning',
  'witness-quorum-unmet': 'warning',
  'cosignature-time-regression': 'warning',
  'unsigned-tail': 'warning',
  'unexpected-file': 'warning',
  'entry-not-json': 'warning',
} as const;

export type FindingCode = keyof typeof FINDING_CODES;
export type Severity = 'error' | 'warning';

export interface Finding {
  code: FindingCode;
  severity: Severity;
  file?: string;
  index?: number;
  line?: number;
  /** Set on the one extra finding that stands for the findings of this code past the first 100. */
  count?: number;
  message: string;
}

export const FINDINGS_LISTED_PER_CODE = 100;

const CODE_ORDER = new Map(Object.keys(FINDING_CODES).map((c, i) => [c, i]));

export function finding(code: FindingCode, message: string, where: { file?: string; index?: number; line?: number } = {}): Finding {
  const f: Finding = { code, severity: FINDING_CODES[code], message };
  if (where.file !== undefined) f.file = where.file;
  if (where.index !== undefined) f.index = where.index;
  if (where.line !== undefined) f.line = where.line;
  return f;
}

/**
 * Collects findings keeping the first 100 of each code and counting the rest. Lists from
 * independent parts (segments checked in parallel) are merged with `absorb` in archive order,
 * so the 100 listed are the first 100 in the archive whatever the scheduling.
 */
export class FindingSink {
  private readonly listed = new Map<FindingCode, Finding[]>();
  private readonly omitted = new Map<FindingCode, number>();

  add(f: Finding): void {
    let list = this.listed.get(f.code);
    if (!list) this.listed.set(f.code, (list = []));
    if (list.length < FINDINGS_LISTED_PER_CODE) list.push(f);
    else this.omitted.set(f.code, (this.omitted.get(f.code) ?? 0) + 1);
  }

  /** Adds another sink's listed findings and omitted counts (already capped there). */
  absorb(other: SerializedFindings): void {
    for (const f of other.listed) this.add(f);
    for (const [code, n] of other.omitted) this.omitted.set(code, (this.omitted.get(code) ?? 0) + n);
  }

  has(code: FindingCode): boolean {
    return this.listed.has(code);
  }

  get hasError(): boolean {
    for (const code of this.listed.keys()) if (FINDING_CODES[code] === 'error') return true;
    return false;
  }

  serialize(): SerializedFindings {
    return { listed: [...this.listed.values()].flat(), omitted: [...this.omitted.entries()] };
  }

  /** Final list: per code the listed findings then one counted finding; ordered by severity, index, code. */
  result(): Finding[] {
    const out: Finding[] = [];
    for (const [code, list] of this.listed) {
      out.push(...list);
      const n = this.omitted.get(code);
      if (n) out.push({ code, severity: FINDING_CODES[code], count: n, message: `${n} more ${code} findings not listed` });
    }
    return out.sort(compareFindings);
  }
}

export interface SerializedFindings {
  listed: Finding[];
  omitted: [FindingCode, number][];
}

export function compareFindings(a: Finding, b: Finding): number {
  const sev = (a.severity === 'error' ? 0 : 1) - (b.severity === 'error' ? 0 : 1);
  if (sev) return sev;
  const ai = a.index ?? -1;
  const bi = b.index ?? -1;
  if (ai !== bi) return ai - bi;
  const ac = a.count === undefined ? 0 : 1;
  const bc = b.count === undefined ? 0 : 1;
  if (ac !== bc) return ac - bc;
  const c = CODE_ORDER.get(a.code)! - CODE_ORDER.get(b.code)!;
  if (c) return c;
  return (a.file ?? '') < (b.file ?? '') ? -1 : (a.file ?? '') > (b.file ?? '') ? 1 : 0;
}
