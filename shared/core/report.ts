// The result of verifying an archive: the spec §7 JSON object plus the details the app shows.
import type { Finding } from './findings.ts';
import type { Manifest } from './manifest.ts';
import type { RangeNode } from './merkle.ts';

export type Verdict = 'verified' | 'failed' | 'incomplete';
export type ContainerKind = 'directory' | 'tar' | 'tar.gz';

/**
 * Cosignature times are Unix seconds as the witness signed them, 0 .. 2^63-1 (spec §4): a bigint,
 * because a witness controls the value and a JS number loses digits past 2^53. `--json` writes them
 * as exact JSON integers (json-text.ts); the app's API carries them as decimal strings (the *View
 * types below), which both structured clone and the JSON test bridge carry exactly.
 */
export type UnixSeconds = bigint;

export interface Cosignature {
  name: string;
  keyId: string;
  /** The cosigner's signed claim of when it saw the tree. */
  time: UnixSeconds;
}

export interface SignatureCheck {
  name: string;
  keyId: string;
  role: 'log' | 'witness' | 'unknown';
  status: 'valid' | 'invalid' | 'not-checked';
  time?: UnixSeconds;
  line: number;
}

export interface CheckpointCheck {
  path: string;
  listed: boolean;
  anchor: boolean;
  malformed: string | null;
  origin: string | null;
  size: number | null;
  root: string | null;
  /** Base64 root recomputed from the entries at this size, when the entries are present. */
  computedRoot: string | null;
  trusted: boolean;
  covers: boolean;
  signatures: SignatureCheck[];
}

export interface Covering {
  checkpoint: string;
  size: number;
  root: string;
  cosignatures: { name: string; time: UnixSeconds }[];
}

export interface SegmentCheck {
  path: string;
  chain: string;
  first: number;
  count: number;
  entriesRead: number | null;
  sha256: string | null;
  chainSha256: string | null;
}

/** Exactly the `--json` object of spec §7. */
export interface VerifyJson {
  verdict: Verdict;
  archive: { path: string; sha256: string };
  origin: string | null;
  entries: number;
  checkpoints: { total: number; trusted: number };
  coveredEntries: number;
  covering: Covering | null;
  findings: Finding[];
}

export interface VerifyReport extends VerifyJson {
  container: ContainerKind;
  manifest: Manifest | null;
  checkpointChecks: CheckpointCheck[];
  segmentChecks: SegmentCheck[];
  /** Size of the contiguous run of present entries from index 0. */
  entriesPresent: number;
  /** Subtree hashes of [0, entriesPresent): with the last chain value, all an appending sealer needs. */
  range: RangeNode[];
}

export function toVerifyJson(r: VerifyReport): VerifyJson {
  return {
    verdict: r.verdict,
    archive: r.archive,
    origin: r.origin,
    entries: r.entries,
    checkpoints: r.checkpoints,
    coveredEntries: r.coveredEntries,
    covering: r.covering,
    findings: r.findings,
  };
}

/** The verdict's reason in one sentence; for a failure it names the first finding that points at an entry, else the first error. */
export function verdictReason(r: VerifyJson): string {
  if (r.verdict === 'verified') return `All ${r.entries} entries are covered by ${r.covering?.checkpoint ?? 'a trusted checkpoint'}, signed by a trusted log key, and nothing was altered.`;
  if (r.verdict === 'incomplete') return `No check failed, but only ${r.coveredEntries} of ${r.entries} entries are covered by a trusted checkpoint.`;
  const errors = r.findings.filter((f) => f.severity === 'error');
  const total = errors.reduce((n, f) => n + (f.count ?? 1), 0);
  const first = errors.find((f) => f.index !== undefined && f.count === undefined) ?? errors[0]!;
  const where = first.index !== undefined ? ` at entry ${first.index}${first.file && first.line !== undefined ? ` (${first.file} line ${first.line})` : ''}` : first.file ? ` in ${first.file}` : '';
  return `${total} integrity error${total === 1 ? '' : 's'}, among them ${first.code}${where}.`;
}

// ---------- the app's API form: cosignature times as exact decimal strings ----------

export type SignatureCheckView = Omit<SignatureCheck, 'time'> & { time?: string };
export type CheckpointCheckView = Omit<CheckpointCheck, 'signatures'> & { signatures: SignatureCheckView[] };
export type CoveringView = Omit<Covering, 'cosignatures'> & { cosignatures: { name: string; time: string }[] };

export function checkpointCheckView(c: CheckpointCheck): CheckpointCheckView {
  return { ...c, signatures: c.signatures.map(({ time, ...s }) => (time === undefined ? s : { ...s, time: time.toString() })) };
}

export function coveringView(c: Covering | null): CoveringView | null {
  return c && { ...c, cosignatures: c.cosignatures.map((x) => ({ name: x.name, time: x.time.toString() })) };
}
