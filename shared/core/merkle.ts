// RFC 6962 Merkle tree hashing: compact ranges (O(log n) state), roots at any size, inclusion proofs.
import { NODE_PREFIX, type Hashing } from './hashing.ts';

/** A perfect subtree: `hash` covers leaves [index * 2^level, (index + 1) * 2^level). */
export interface RangeNode {
  level: number;
  hash: Uint8Array;
}

// A range keeps each node in a slot laid out as the input of an interior-node hash,
// [3 spare bytes][0x01][node][room for its right sibling], so merging writes the sibling in place
// and hashes the slot: no per-node objects or digests, which matters at one merge per leaf in the
// segment checks. The spare bytes put both hashes on 4-byte boundaries for word copies.
const SLOT = 68;
const LEFT = 4;
const RIGHT = 36;

/**
 * The hashes of the perfect subtrees that exactly cover leaves [begin, end), left to right.
 * Appending merges a node with its left sibling whenever that sibling lies inside the range,
 * so ranges computed independently (one per segment, in workers) can be appended in order
 * to the range from 0 and give the same roots as one sequential pass.
 */
export class CompactRange {
  readonly begin: number;
  private endIndex: number;
  private count = 0;
  private levels: number[] = [];
  private slots = new Uint8Array(0);
  private words = new Int32Array(0);
  /** views[d] is what slot d hashes, made on first use and kept, so that hashing allocates nothing. */
  private views: Uint8Array[] = [];
  private capacity = 0;

  constructor(private readonly hashing: Hashing, begin = 0) {
    this.begin = begin;
    this.endIndex = begin;
    this.grow(16);
  }

  get end(): number {
    return this.endIndex;
  }

  appendLeafHash(leaf: Uint8Array): void {
    this.appendAt(0, leaf, 0);
  }

  /** Appends the leaf hash held in words[at, at + 8) (its bytes in memory order), copying it. */
  appendLeafWords(words: Int32Array, at: number): void {
    const to = this.place(0) >> 2;
    const w = this.words;
    for (let i = 0; i < 8; i++) w[to + i] = words[at + i]!;
    this.settle(0);
  }

  /** Appends a perfect subtree of 2^level leaves starting at `end` (which must be aligned to it). */
  appendNode(level: number, hash: Uint8Array): void {
    if (hash.length !== 32) throw new RangeError(`node hash of ${hash.length} bytes`);
    this.appendAt(level, hash, 0);
  }

  private appendAt(level: number, src: Uint8Array, at: number): void {
    const to = this.place(level);
    const s = this.slots;
    for (let i = 0; i < 32; i++) s[to + i] = src[at + i]!;
    this.settle(level);
  }

  /** Where the next node of this level goes: a new slot, or the right half of the last one when they merge. */
  private place(level: number): number {
    const width = 2 ** level;
    if (this.endIndex % width !== 0) throw new Error(`node of level ${level} is not aligned at ${this.endIndex}`);
    const index = this.endIndex / width;
    // A right child whose left sibling starts inside the range merges with it (the last node).
    if (index % 2 === 1 && (index - 1) * width >= this.begin) return (this.count - 1) * SLOT + RIGHT;
    if (this.count === this.capacity) this.grow(this.count * 2);
    return this.count * SLOT + LEFT;
  }

  /** Completes the append of a node placed by place(level): takes its slot, or merges up. */
  private settle(level: number): void {
    const width = 2 ** level;
    let index = this.endIndex / width;
    this.endIndex += width;
    if (!(index % 2 === 1 && (index - 1) * width >= this.begin)) {
      this.levels[this.count++] = level;
      return;
    }
    const slots = this.slots;
    let l = level;
    for (;;) {
      const d = this.count - 1;
      l++;
      index = (index - 1) / 2;
      if (index % 2 === 1 && (index - 1) * 2 ** l >= this.begin) {
        // The parent is itself a right child: it goes straight into the sibling slot's right half.
        this.hashing.sha256Into(this.views[d] ?? this.view(d), slots, (d - 1) * SLOT + RIGHT);
        this.count--;
      } else {
        this.hashing.sha256Into(this.views[d] ?? this.view(d), slots, d * SLOT + LEFT);
        this.levels[d] = l;
        return;
      }
    }
  }

  private grow(capacity: number): void {
    const slots = new Uint8Array(capacity * SLOT);
    slots.set(this.slots);
    for (let d = 0; d < capacity; d++) slots[d * SLOT + LEFT - 1] = NODE_PREFIX;
    this.slots = slots;
    this.words = new Int32Array(slots.buffer);
    this.capacity = capacity;
    this.views = [];
  }

  private view(d: number): Uint8Array {
    const v = this.slots.subarray(d * SLOT + LEFT - 1, (d + 1) * SLOT);
    this.views[d] = v;
    return v;
  }

  /** Appends every node of a range that starts where this one ends. */
  appendRange(nodes: readonly RangeNode[]): void {
    for (const n of nodes) this.appendNode(n.level, n.hash);
  }

  snapshot(): RangeNode[] {
    const out: RangeNode[] = [];
    for (let d = 0; d < this.count; d++) out.push({ level: this.levels[d]!, hash: this.slots.slice(d * SLOT + LEFT, d * SLOT + LEFT + 32) });
    return out;
  }

  /** RFC 6962 Merkle Tree Hash of leaves [0, end); only for a range that begins at 0. */
  root(): Uint8Array {
    if (this.begin !== 0) throw new Error('root of a range that does not begin at 0');
    return foldRoot(this.hashing, this.snapshot());
  }
}

/** Folds the subtrees of a range from 0, right to left, into the root (MTH of the empty tree is SHA-256 of nothing). */
export function foldRoot(hashing: Hashing, nodes: readonly RangeNode[]): Uint8Array {
  if (nodes.length === 0) return hashing.sha256(new Uint8Array(0));
  let h = nodes[nodes.length - 1]!.hash;
  for (let i = nodes.length - 2; i >= 0; i--) h = hashing.node(nodes[i]!.hash, h);
  return h;
}

/** Root of [0, size) from the range [0, a) and a snapshot of [a, size). */
export function rootOfJoined(hashing: Hashing, prefix: CompactRange, tail: readonly RangeNode[]): Uint8Array {
  const r = new CompactRange(hashing, 0);
  r.appendRange(prefix.snapshot());
  r.appendRange(tail);
  return r.root();
}

/** MTH over a list of leaf hashes (RFC 6962 §2.1); for tests and proofs over small ranges. */
export function merkleRoot(hashing: Hashing, leaves: readonly Uint8Array[]): Uint8Array {
  const r = new CompactRange(hashing, 0);
  for (const l of leaves) r.appendLeafHash(l);
  return r.root();
}

function largestPowerOfTwoBelow(n: number): number {
  let k = 1;
  while (k * 2 < n) k *= 2;
  return k;
}

/**
 * RFC 9162 §2.1.3 inclusion path for leaf m in a tree of size n, computed from a function that gives
 * the MTH of any leaf range [a, b) (so callers can answer from stored or recomputed subtrees).
 */
export function inclusionPath(m: number, n: number, subtreeRoot: (a: number, b: number) => Uint8Array): Uint8Array[] {
  if (m < 0 || m >= n) throw new Error(`leaf ${m} is not in a tree of size ${n}`);
  const path: Uint8Array[] = [];
  const walk = (m: number, a: number, b: number): void => {
    if (b - a === 1) return;
    const k = largestPowerOfTwoBelow(b - a);
    if (m < a + k) {
      walk(m, a, a + k);
      path.push(subtreeRoot(a + k, b));
    } else {
      walk(m, a + k, b);
      path.push(subtreeRoot(a, a + k));
    }
  };
  walk(m, 0, n);
  return path;
}

/** RFC 9162 §2.1.3.2: verify an inclusion path; returns the root it leads to, or null if the path has the wrong length. */
export function rootFromInclusionPath(hashing: Hashing, index: number, size: number, leaf: Uint8Array, path: readonly Uint8Array[]): Uint8Array | null {
  if (index < 0 || index >= size) return null;
  let fn = index;
  let sn = size - 1;
  let r = leaf;
  for (const p of path) {
    if (sn === 0) return null;
    if (fn % 2 === 1 || fn === sn) {
      r = hashing.node(p, r);
      if (fn % 2 === 0) {
        while (fn % 2 === 0 && fn !== 0) {
          fn = Math.floor(fn / 2);
          sn = Math.floor(sn / 2);
        }
      }
    } else {
      r = hashing.node(r, p);
    }
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  return sn === 0 ? r : null;
}
