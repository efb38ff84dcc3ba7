// RFC 6962 Merkle tree hashing: compact ranges (O(log n) state), roots at any size, inclusion proofs.
import type { Hashing } from './hashing.ts';

/** A perfect subtree: `hash` covers leaves [index * 2^level, (index + 1) * 2^level). */
export interface RangeNode {
  level: number;
  hash: Uint8Array;
}

/**
 * The hashes of the perfect subtrees that exactly cover leaves [begin, end), left to right.
 * Appending merges a node with its left sibling whenever that sibling lies inside the range,
 * so ranges computed independently (one per segment, in workers) can be appended in order
 * to the range from 0 and give the same roots as one sequential pass.
 */
export class CompactRange {
  readonly begin: number;
  private endIndex: number;
  private readonly nodes: RangeNode[] = [];

  constructor(private readonly hashing: Hashing, begin = 0) {
    this.begin = begin;
    this.endIndex = begin;
  }

  get end(): number {
    return this.endIndex;
  }

  appendLeafHash(leaf: Uint8Array): void {
    this.appendNode(0, leaf);
  }

  /** Appends a perfect subtree of 2^level leaves starting at `end` (which must be aligned to it). */
  appendNode(level: number, hash: Uint8Array): void {
    const width = 2 ** level;
    if (this.endIndex % width !== 0) throw new Error(`node of level ${level} is not aligned at ${this.endIndex}`);
    let index = this.endIndex / width;
    this.endIndex += width;
    let h = hash;
    let l = level;
    // A right child whose left sibling starts inside the range merges with it (the last node).
    while (index % 2 === 1 && (index - 1) * 2 ** l >= this.begin) {
      const left = this.nodes.pop()!;
      h = this.hashing.node(left.hash, h);
      l++;
      index = (index - 1) / 2;
    }
    this.nodes.push({ level: l, hash: h });
  }

  /** Appends every node of a range that starts where this one ends. */
  appendRange(nodes: readonly RangeNode[]): void {
    for (const n of nodes) this.appendNode(n.level, n.hash);
  }

  snapshot(): RangeNode[] {
    return this.nodes.map((n) => ({ level: n.level, hash: n.hash }));
  }

  /** RFC 6962 Merkle Tree Hash of leaves [0, end); only for a range that begins at 0. */
  root(): Uint8Array {
    if (this.begin !== 0) throw new Error('root of a range that does not begin at 0');
    return foldRoot(this.hashing, this.nodes);
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
