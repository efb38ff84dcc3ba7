// Joins per-segment results into roots, then judges checkpoints, anchors, coverage and the verdict (spec §3-6).
import { bytesEqual, toBase64, toHex } from './bytes.ts';
import type { Ed25519 } from './ed25519.ts';
import { finding, type FindingSink } from './findings.ts';
import { ZERO_HASH, type Hashing } from './hashing.ts';
import { keyIdHex, type VerifierKey } from './keys.ts';
import type { Manifest, ManifestSegment } from './manifest.ts';
import { CompactRange, rootOfJoined, type RangeNode } from './merkle.ts';
import { checkpointFileName, cosignatureMessage, NoteError, parseCheckpointText, parseNote, splitCosignature, type Checkpoint, type Note } from './note.ts';
import type { CheckpointCheck, Covering, SignatureCheck, Verdict } from './report.ts';
import type { SegmentCheckResult } from './segment-check.ts';

export interface TrustPolicy {
  logKeys: VerifierKey[];
  witnessKeys: VerifierKey[];
  /** Valid cosignatures from this many distinct witness keys are needed to cover (0: no witness policy). */
  quorum: number;
  /** Pins the expected origin (`--origin`). */
  origin: string | null;
}

export interface Anchor {
  /** As given by the examiner. */
  path: string;
  note: Note;
  checkpoint: Checkpoint;
}

// ---------- segments -> roots ----------

export interface Joined {
  /** Entries [0, present) are all present; the tree is known up to there. */
  present: number;
  roots: Map<number, Uint8Array>;
  /** The range [0, present), so a sealer can append. */
  range: RangeNode[];
  /** First index of the first absent segment (missing or undecodable, spec §5), or null when none is. */
  absentFrom: number | null;
}

/** Combines segment results in manifest order, checking each segment's first chain link against the previous chain file. */
export function joinSegments(results: readonly SegmentCheckResult[], hashing: Hashing, sink: FindingSink): Joined {
  const prefix = new CompactRange(hashing, 0);
  const roots = new Map<number, Uint8Array>([[0, hashing.sha256(new Uint8Array(0))]]);
  let contiguous = true;
  let absentFrom: number | null = null;
  results.forEach((r, s) => {
    const seg = r.segment;
    if (r.entriesRead === null && (absentFrom === null || seg.first < absentFrom)) absentFrom = seg.first;
    if (r.firstLink) {
      const previous = s === 0 ? ZERO_HASH : results[s - 1]!.lastChain;
      if (previous !== null && !bytesEqual(hashing.link(previous, r.firstLink.leaf), r.firstLink.storedChain)) {
        const what = s === 0 ? 'the all-zero start value' : `the last chain value of ${results[s - 1]!.segment.chain}`;
        sink.add(finding('chain-link-mismatch', `chain value of entry ${seg.first} does not follow from ${what} and the entry's leaf`, { file: seg.chain, index: seg.first, line: 1 }));
      }
    }
    sink.absorb(r.findings);
    if (seg.first !== prefix.end) contiguous = false; // a gap or overlap (segment-range-invalid)
    if (!contiguous) return;
    for (const [size, nodes] of r.snapshots) roots.set(size, rootOfJoined(hashing, prefix, nodes));
    if (r.treeLeaves === seg.count) prefix.appendRange(r.range);
    else {
      prefix.appendRange(r.range);
      contiguous = false;
    }
  });
  return { present: prefix.end, roots, range: prefix.snapshot(), absentFrom };
}

// ---------- checkpoints ----------

export interface CheckpointFile {
  path: string;
  /** null when listed in the manifest but absent. */
  bytes: Uint8Array | null;
  listed: boolean;
}

interface Judged {
  check: CheckpointCheck;
  checkpoint: Checkpoint | null;
  cosignatures: { key: VerifierKey; time: bigint }[];
}

const sameKey = (a: VerifierKey, name: string, keyId: number) => a.name === name && a.keyId === keyId;

function judgeSignatures(note: Note, checkpoint: Checkpoint | null, policy: TrustPolicy, ed: Ed25519, check: CheckpointCheck): { key: VerifierKey; time: bigint }[] {
  const cosignatures: { key: VerifierKey; time: bigint }[] = [];
  for (const sig of note.signatures) {
    const base = { name: sig.name, keyId: keyIdHex(sig.keyId), line: sig.line };
    // Known only when both name and key ID match a configured key; the configured key's type decides the algorithm.
    const logKey = policy.logKeys.find((k) => sameKey(k, sig.name, sig.keyId));
    const witnessKey = policy.witnessKeys.find((k) => sameKey(k, sig.name, sig.keyId));
    let entry: SignatureCheck;
    if (logKey) {
      const ok = sig.signature.length === 64 && ed.verify(logKey.publicKey, note.textBytes, sig.signature);
      entry = { ...base, role: 'log', status: ok ? 'valid' : 'invalid' };
      if (ok && checkpoint && logKey.name === checkpoint.origin) check.trusted = true;
    } else if (witnessKey) {
      const parts = splitCosignature(sig.signature);
      const ok = parts !== null && ed.verify(witnessKey.publicKey, cosignatureMessage(parts.time, note.text), parts.signature);
      entry = { ...base, role: 'witness', status: ok ? 'valid' : 'invalid' };
      if (parts) entry.time = parts.time;
      if (ok) cosignatures.push({ key: witnessKey, time: parts!.time });
    } else {
      entry = { ...base, role: 'unknown', status: 'not-checked' };
    }
    check.signatures.push(entry);
  }
  return cosignatures;
}

function emptyCheck(path: string, listed: boolean, anchor: boolean): CheckpointCheck {
  return {
    path, listed, anchor, malformed: null, origin: null, size: null, root: null,
    computedRoot: null, trusted: false, covers: false, signatures: [],
  };
}

function judgeParsed(check: CheckpointCheck, note: Note, checkpoint: Checkpoint, policy: TrustPolicy, ed: Ed25519): Judged {
  check.origin = checkpoint.origin;
  check.size = checkpoint.size;
  check.root = toBase64(checkpoint.root);
  const cosignatures = judgeSignatures(note, checkpoint, policy, ed, check);
  return { check, checkpoint, cosignatures };
}

function judgeCheckpoint(file: CheckpointFile & { bytes: Uint8Array }, policy: TrustPolicy, ed: Ed25519): Judged {
  const check = emptyCheck(file.path, file.listed, false);
  let note: Note;
  let checkpoint: Checkpoint;
  try {
    note = parseNote(file.bytes);
    checkpoint = parseCheckpointText(note.text);
    if (checkpointFileName(checkpoint.sizeText) !== file.path) {
      throw new NoteError(`file name does not match the tree size ${checkpoint.sizeText} (expected ${checkpointFileName(checkpoint.sizeText)})`);
    }
  } catch (e) {
    if (!(e instanceof NoteError)) throw e;
    check.malformed = e.message;
    return { check, checkpoint: null, cosignatures: [] };
  }
  return judgeParsed(check, note, checkpoint, policy, ed);
}

export interface EvaluateInput {
  manifest: Manifest;
  joined: Joined;
  checkpointFiles: CheckpointFile[];
  anchors: Anchor[];
  policy: TrustPolicy;
}

export interface Evaluation {
  checks: CheckpointCheck[];
  coveredEntries: number;
  covering: Covering | null;
  trusted: number;
  anchorsMatched: boolean;
}

/** Spec §6: findings for every checkpoint (listed or not) and anchor, and the covered size. */
export function evaluateCheckpoints(input: EvaluateInput, ed: Ed25519, sink: FindingSink): Evaluation {
  const { manifest, joined, policy } = input;
  const entries = manifest.entries;
  const judged = input.checkpointFiles
    .filter((f): f is CheckpointFile & { bytes: Uint8Array } => f.bytes !== null)
    .map((f) => judgeCheckpoint(f, policy, ed));

  for (const { check, checkpoint, cosignatures } of judged) {
    const file = check.path;
    if (!checkpoint) {
      sink.add(finding('checkpoint-malformed', `${file} is not a valid checkpoint: ${check.malformed}`, { file }));
      continue;
    }
    let ok = true;
    for (const s of check.signatures) {
      if (s.status === 'invalid') {
        ok = false;
        sink.add(finding('checkpoint-signature-invalid', `${s.role === 'log' ? 'signature' : 'cosignature'} by ${s.name}+${s.keyId} (line ${s.line}) does not verify`, { file }));
      }
    }
    if (checkpoint.origin !== manifest.origin) {
      ok = false;
      sink.add(finding('checkpoint-origin-mismatch', `origin is ${JSON.stringify(checkpoint.origin)}, the manifest's is ${JSON.stringify(manifest.origin)}`, { file }));
    } else if (policy.origin !== null && checkpoint.origin !== policy.origin) {
      ok = false;
      sink.add(finding('checkpoint-origin-mismatch', `origin is ${JSON.stringify(checkpoint.origin)}, expected ${JSON.stringify(policy.origin)} (--origin)`, { file }));
    }
    if (checkpoint.size > joined.present) {
      ok = false;
      // Past an absent entry (of a missing or undecodable segment) the tree is unknown: no size finding (spec §5).
      // Entries missing from a segment that was read (fewer than its count) are not "absent": §6 size-beyond-log.
      if (joined.absentFrom === null || checkpoint.size <= joined.absentFrom) {
        sink.add(finding('checkpoint-size-beyond-log', `tree size ${checkpoint.sizeText} is larger than the ${joined.present} entries present`, { file }));
      }
    } else {
      const root = joined.roots.get(checkpoint.size)!;
      check.computedRoot = toBase64(root);
      if (!bytesEqual(root, checkpoint.root)) {
        ok = false;
        sink.add(finding('checkpoint-root-mismatch', `root ${check.root} differs from the root ${check.computedRoot} recomputed from entries 0..${checkpoint.size - 1}`, { file }));
      }
    }
    if (!check.trusted) {
      ok = false;
      sink.add(finding('checkpoint-untrusted', `no valid signature from a trusted log key named ${JSON.stringify(checkpoint.origin)}`, { file }));
    } else if (policy.quorum > 0) {
      const distinct = new Set(cosignatures.map((c) => toHex(c.key.publicKey))).size;
      if (distinct < policy.quorum) {
        ok = false;
        sink.add(finding('witness-quorum-unmet', `${distinct} valid witness cosignature${distinct === 1 ? '' : 's'}, quorum is ${policy.quorum}`, { file }));
      }
    }
    check.covers = ok;
  }

  timeRegressions(judged, sink);

  let anchorsMatched = true;
  const anchorChecks: Judged[] = [];
  for (const a of input.anchors) {
    // Anchors are parsed, and their trusted signature required, before verification starts (bad usage otherwise).
    const j = judgeParsed(emptyCheck(a.path, false, true), a.note, a.checkpoint, policy, ed);
    const file = a.path;
    const cp = a.checkpoint;
    if (cp.origin !== manifest.origin) {
      sink.add(finding('anchor-mismatch', `anchor origin ${JSON.stringify(cp.origin)} differs from the archive's ${JSON.stringify(manifest.origin)}`, { file }));
    } else if (cp.size > joined.present) {
      sink.add(finding('log-truncated', `anchor tree size ${cp.sizeText} exceeds the ${joined.present} entries read: entries were removed`, { file, index: joined.present }));
    } else {
      const root = joined.roots.get(cp.size) ?? null;
      j.check.computedRoot = root && toBase64(root);
      if (root && bytesEqual(root, cp.root)) j.check.covers = true;
      else sink.add(finding('anchor-mismatch', `anchor root ${j.check.root} at size ${cp.sizeText} differs from the recomputed root ${j.check.computedRoot}`, { file }));
    }
    if (!j.check.covers) anchorsMatched = false;
    anchorChecks.push(j);
  }

  const all = [...judged, ...anchorChecks];
  let best: Judged | null = null;
  for (const j of all) {
    if (!j.check.covers) continue;
    // Prefer the archive's own checkpoint to an anchor of the same size.
    if (!best || j.check.size! > best.check.size! || (j.check.size === best.check.size && best.check.anchor && !j.check.anchor)) best = j;
  }
  const coveredEntries = best ? best.check.size! : 0;
  const covering: Covering | null = best && {
    checkpoint: best.check.path,
    size: best.check.size!,
    root: best.check.root!,
    cosignatures: best.cosignatures.map((c) => ({ name: c.key.name, time: c.time })),
  };
  if (coveredEntries < entries) {
    const seg = segmentHolding(manifest.segments, coveredEntries);
    const tail = entries - coveredEntries;
    // Spec §6 "segment holding that entry": when no listed segment holds it (counts short of `entries`), the finding has no file.
    sink.add(finding('unsigned-tail', `${tail} entr${tail === 1 ? 'y' : 'ies'} from index ${coveredEntries} on ${tail === 1 ? 'is' : 'are'} not covered by a trusted checkpoint`, { ...(seg ? { file: seg.path } : {}), index: coveredEntries }));
  }
  return {
    checks: all.map((j) => j.check),
    coveredEntries,
    covering,
    trusted: judged.filter((j) => j.check.trusted).length,
    anchorsMatched,
  };
}

function timeRegressions(judged: Judged[], sink: FindingSink): void {
  const bySize = judged.filter((j) => j.checkpoint).sort((a, b) => a.checkpoint!.size - b.checkpoint!.size);
  const latest = new Map<string, { time: bigint; size: number }>();
  for (const j of bySize) {
    const seenHere = new Set<string>();
    for (const c of j.cosignatures) {
      const id = `${c.key.name}+${keyIdHex(c.key.keyId)}`;
      if (seenHere.has(id)) continue;
      seenHere.add(id);
      const before = latest.get(id);
      if (before && before.size < j.checkpoint!.size && c.time < before.time) {
        sink.add(finding('cosignature-time-regression', `${c.key.name} cosigned size ${j.checkpoint!.size} at ${c.time}, earlier than size ${before.size} at ${before.time}`, { file: j.check.path }));
      }
      if (!before || c.time >= before.time) latest.set(id, { time: c.time, size: j.checkpoint!.size });
    }
  }
}

export function segmentHolding(segments: readonly ManifestSegment[], index: number): ManifestSegment | null {
  return segments.find((s) => index >= s.first && index < s.first + s.count) ?? null;
}

export function verdictOf(sink: FindingSink, entries: number, coveredEntries: number, anchorsMatched: boolean): Verdict {
  if (sink.hasError) return 'failed';
  if (entries >= 1 && coveredEntries === entries && anchorsMatched) return 'verified';
  return 'incomplete';
}
