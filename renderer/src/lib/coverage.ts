// Turns a run's checkpoints into the coverage timeline: which entry ranges each trusted covering checkpoint adds, the unsigned tail, failures.
import type { Finding } from '../../../shared/core/findings.ts';
import type { CheckpointCheckView as CheckpointCheck } from '../../../shared/core/report.ts';

export interface CoverageSpan {
  /** First entry index newly covered by this checkpoint (the previous covering size). */
  from: number;
  /** One past the last index it covers: its tree size. A checkpoint proves all of [0, to); the span is what it adds. */
  to: number;
  checkpoint: string;
  anchor: boolean;
  /** Times as exact decimal strings of Unix seconds (see utcFromSeconds). */
  cosignatures: { name: string; keyId: string; time: string }[];
}

export interface NotCovering {
  checkpoint: string;
  size: number | null;
  why: string;
}

export interface Coverage {
  entries: number;
  covered: number;
  spans: CoverageSpan[];
  /** Entries past the largest covering checkpoint: present but not proven by a trusted signature. */
  tail: { from: number; to: number } | null;
  /** Entry indexes named by error findings. */
  failed: number[];
  notCovering: NotCovering[];
}

function whyNotCovering(c: CheckpointCheck): string {
  if (c.malformed) return `malformed: ${c.malformed}`;
  if (!c.trusted) return 'not signed by a trusted log key';
  if (c.signatures.some((s) => s.status === 'invalid')) return 'a signature does not verify';
  if (c.root !== null && c.computedRoot !== null && c.root !== c.computedRoot) return 'root differs from the entries';
  if (c.computedRoot === null && c.size !== null) return 'size beyond the entries present';
  return 'does not meet the trust policy';
}

export function coverageOf(run: { entries: number; coveredEntries: number; checkpoints: CheckpointCheck[]; findings: Finding[] }): Coverage {
  const covering = run.checkpoints
    .filter((c) => c.covers && c.size !== null)
    .sort((a, b) => a.size! - b.size! || Number(a.anchor) - Number(b.anchor));
  const spans: CoverageSpan[] = [];
  let prev = 0;
  for (const c of covering) {
    const size = c.size!;
    // Same size twice (an anchor equal to a listed checkpoint, say): the first, the archive's own, stands for it.
    if (spans.length && spans[spans.length - 1]!.to === size) continue;
    if (size === 0) continue;
    spans.push({
      from: prev,
      to: size,
      checkpoint: c.path,
      anchor: c.anchor,
      cosignatures: c.signatures
        .filter((s) => s.role === 'witness' && s.status === 'valid' && s.time !== undefined)
        .map((s) => ({ name: s.name, keyId: s.keyId, time: s.time! })),
    });
    prev = size;
  }
  const tail = run.coveredEntries < run.entries ? { from: run.coveredEntries, to: run.entries } : null;
  const failed = [...new Set(run.findings.filter((f) => f.severity === 'error' && f.index !== undefined && f.count === undefined).map((f) => f.index!))].sort((a, b) => a - b);
  const notCovering = run.checkpoints.filter((c) => !c.covers).map((c) => ({ checkpoint: c.path, size: c.size, why: whyNotCovering(c) }));
  return { entries: run.entries, covered: run.coveredEntries, spans, tail, failed, notCovering };
}
