// What an attestation of an evidence excerpt (docs/excerpt-format.md) states beyond an archive's: its items, their proofs, its complete ranges.
import type { CountedName, UtcTimestamp } from './attestation.ts';

export interface ExcerptAttestation {
  /** e.g. "sealcheck-excerpt v1". */
  format: string;
  /** How the items were chosen, in words (the manifest's selection). */
  selection: string;
  /** The archive the excerpt says it was cut from: the excerpt's claim, checkable only by the archive's holder. */
  source: { name: string; digestOf: 'file' | 'tree'; sha256: string; entries: number };
  /** The one checkpoint every item is proven against. */
  checkpoint: { origin: string; treeSize: number; rootHash: string };
  /** Index ranges the excerpt claims to hold every entry of; `whole` when an item is present for each index. */
  complete: { first: number; last: number; whole: boolean }[];
  items: { total: number; disclosed: number; withheld: number; proven: number };
  /** Withheld items per reason rule (an item may count under several). */
  withheldByRule: CountedName[];
  /** The disclosed events by index: what they say (the producer's claims) and whether their proof held. */
  disclosed: ExcerptEventRow[];
  withheld: ExcerptWithheldRow[];
  /** Items past the report's listing limit: counted in `items`, each listed in the excerpt's manifest.json. */
  unlisted: { disclosed: number; withheld: number };
  /** Every failed check, one sentence each, with the item's index when it concerns one. */
  problems: { index: number | null; message: string }[];
}

export interface ExcerptEventRow {
  index: number;
  time: UtcTimestamp | null;
  user: string | null;
  verb: string | null;
  resource: string | null;
  namespace: string | null;
  code: number | null;
  proven: boolean;
}

export interface ExcerptWithheldRow {
  index: number;
  reasons: { rule: string; detail: string }[];
  /** The excerpt carries the examiner's redacted rendering of it (not evidence). */
  redacted: boolean;
  proven: boolean;
}

/**
 * Rows the report lists of each kind: a complete window can hold tens of thousands of items, and a
 * report of thousands of pages helps no reader; the rest are counted and the manifest lists them.
 */
export const EXCERPT_LISTED_ROWS = 2000;

/** The method of an excerpt attestation: docs/excerpt-format.md section 6, between two digests of the excerpt. */
export const EXCERPT_METHOD_CHECKS: readonly string[] = [
  'Took the SHA-256 and SHA-512 of the excerpt as received, before anything else read it.',
  'Read the excerpt\u2019s layout and manifest and checked their form against the excerpt format, version 1.',
  'Checked that the checkpoint file names the manifest\u2019s origin, tree size and root, and that every item\u2019s tlog-proof carries that checkpoint byte for byte.',
  'For every item: checked its C2SP tlog-proof (the checkpoint\u2019s Ed25519 signature against the trusted keys, cosignatures against the witness keys and the quorum, and the RFC 9162 inclusion path to the signed root), from the entry\u2019s bytes when disclosed and from the manifest\u2019s leaf hash when withheld.',
  'For every disclosed item: recomputed its leaf hash (SHA-256, RFC 6962) from the entry file and compared it and the entry\u2019s length with the manifest.',
  'For every complete range: checked that an item is present for each of its indices and that the range lies inside the signed tree.',
  'Took the SHA-256 of the excerpt again after these checks and compared it with the one taken first.',
];

/** Time windows: what an excerpt's complete range does and does not prove (docs/excerpt-format.md section 7). */
export const EXCERPT_WINDOW_LIMITATION =
  'The time window was mapped to the index range by the event times of the examiner\u2019s case database. What is proven is the index range: every index in it is accounted for by a proof. The event times are the producer\u2019s claims; without the rest of the log it cannot be excluded that an entry outside the range carries a time inside the window (a late or back-dated event).';

/** What each verdict claims for an excerpt, in the words page 1 uses under the reason. */
export const EXCERPT_VERDICT_MEANING = {
  verified:
    'Each item is the entry at its index of the signed log (disclosed ones byte for byte, withheld ones by leaf hash) and each complete range has an item for every index. Entries that are not items are not described.',
  failed: 'At least one check of the excerpt failed: as received, it is not what the log signed. Section 6 names each failure.',
  incomplete: 'Not every item could be proven against a trusted checkpoint, so those items cannot be vouched for.',
} as const;
