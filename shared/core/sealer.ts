// The sealer's state: chain value, Merkle subtrees and signed checkpoints, continued across runs (--append).
import { toHex } from './bytes.ts';
import type { Hashing } from './hashing.ts';
import type { SignerKey } from './keys.ts';
import { CompactRange, type RangeNode } from './merkle.ts';
import { cosignatureLine, formatCheckpointText, formatNote, logSignatureLine, type NoteSigner } from './note.ts';
import { ZERO_HASH } from './hashing.ts';

export interface SealStart {
  size: number;
  /** Chain value of the last entry (32 zero bytes for an empty log). */
  chain: Uint8Array;
  /** Subtree hashes of [0, size). */
  range: readonly RangeNode[];
}

export const EMPTY_LOG: SealStart = { size: 0, chain: ZERO_HASH, range: [] };

export class SealState {
  private readonly tree: CompactRange;
  private chain: Uint8Array;

  constructor(private readonly hashing: Hashing, start: SealStart = EMPTY_LOG) {
    this.tree = new CompactRange(hashing, 0);
    this.tree.appendRange(start.range);
    if (this.tree.end !== start.size) throw new Error(`subtrees cover ${this.tree.end} entries, expected ${start.size}`);
    this.chain = start.chain;
  }

  get size(): number {
    return this.tree.end;
  }

  /** Adds one entry (its bytes exactly, without the LF) and returns its `.chain` line. */
  add(entry: Uint8Array): string {
    return this.addLeaf(this.hashing.leaf(entry));
  }

  /** Adds one entry by its leaf hash, computed by a caller that streams the entry's bytes; returns its `.chain` line. */
  addLeaf(leaf: Uint8Array): string {
    this.chain = this.hashing.link(this.chain, leaf);
    this.tree.appendLeafHash(leaf);
    return `${toHex(leaf)} ${toHex(this.chain)}\n`;
  }

  root(): Uint8Array {
    return this.tree.root();
  }

  /** The signed checkpoint note at the current size: the log's signature, then each cosigner's. */
  checkpoint(origin: string, logKey: SignerKey, cosigners: readonly SignerKey[], time: bigint, ed: NoteSigner): string {
    if (this.size === 0) throw new Error('a sealer never writes a checkpoint of size 0');
    const text = formatCheckpointText(origin, this.size, this.root());
    const lines = [logSignatureLine(logKey, text, ed), ...cosigners.map((c) => cosignatureLine(c, text, time, ed))];
    return formatNote(text, lines);
  }
}
