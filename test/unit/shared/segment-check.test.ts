// SegmentChecker gives the same result however its input is cut and interleaved, whatever the callers do with their buffers afterwards.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { toHex } from '../../../shared/core/bytes.ts';
import { compareFindings, type Finding } from '../../../shared/core/findings.ts';
import { pureHashing, ZERO_HASH, type Hashing } from '../../../shared/core/hashing.ts';
import type { ManifestSegment } from '../../../shared/core/manifest.ts';
import { foldRoot, merkleRoot } from '../../../shared/core/merkle.ts';
import { SegmentChecker, type SegmentCheckResult } from '../../../shared/core/segment-check.ts';
import { nodeHashing } from '../../../electron/services/crypto.node.ts';
import { prng } from '../../helpers/prng.ts';

const utf8 = new TextEncoder();

interface Case {
  segment: ManifestSegment;
  kind: string | null;
  sizes: number[];
  entries: Uint8Array;
  chain: Uint8Array;
  /** The entries as sealed (before any damage), for known answers. */
  sealed: Uint8Array[];
}

function segmentOf(first: number, count: number): ManifestSegment {
  const name = String(first).padStart(12, '0');
  return { path: `segments/${name}.jsonl`, chain: `segments/${name}.chain`, first, count, sha256: '', chainSha256: '', gzip: false };
}

/** A sealed segment, then (when damage is on) edits to the entries and the chain file a tamperer or a broken producer could make. */
function makeCase(rand: () => number, damage: boolean): Case {
  const int = (n: number) => Math.floor(rand() * n);
  const n = 1 + int(80);
  const first = [0, 50_000, 7][int(3)]!;
  const sealed: Uint8Array[] = [];
  for (let i = 0; i < n; i++) {
    const r = int(12);
    let text = JSON.stringify({ kind: 'Event', i, user: { username: 'é✓'.repeat(int(3)) + 'u'.repeat(int(30)) }, ok: r % 2 === 0, v: null });
    if (r === 0) text = `plain line ${i}`;
    else if (r === 1) text = `{"a":"${'x'.repeat(int(5000))}"}\r`;
    else if (r === 2) text = text.slice(0, int(text.length) + 1);
    sealed.push(utf8.encode(text));
  }
  let previous: Uint8Array = first === 0 ? ZERO_HASH : pureHashing.sha256(Uint8Array.of(first));
  const chainLines: string[] = [];
  for (const e of sealed) {
    const leaf = pureHashing.leaf(e);
    previous = pureHashing.link(previous, leaf);
    chainLines.push(`${toHex(leaf)} ${toHex(previous)}`);
  }
  const parts: string[] = [];
  const entries: Uint8Array[] = [];
  for (const e of sealed) {
    if (damage && int(25) === 0) entries.push(utf8.encode('\n')); // an empty line
    if (damage && int(25) === 0 && e.length > 2) entries.push(e.map((b, j) => (j === 1 && b !== 0x09 ? b ^ 1 : b)));
    else entries.push(e);
    entries.push(utf8.encode('\n'));
  }
  if (damage && int(6) === 0) entries.pop(); // no final LF
  if (damage && int(8) === 0) entries.push(utf8.encode('{"extra":1}\n'));
  if (damage) {
    for (let j = int(4); j > 0; j--) {
      const i = int(chainLines.length);
      const line = chainLines[i]!;
      const edit = int(7);
      if (edit === 0) chainLines.splice(i, 1);
      else if (edit === 1) chainLines.splice(i, 0, line);
      else if (edit === 2) chainLines[i] = line.slice(0, 128);
      else if (edit === 3) chainLines[i] = line.toUpperCase();
      else if (edit === 4) chainLines[i] = `${line.slice(0, 70)}${line[70] === '0' ? '1' : '0'}${line.slice(71)}`;
      else if (edit === 5) chainLines[i] = `${line}${'x'.repeat(int(600))}`;
      else chainLines[i] = '';
    }
  }
  for (const l of chainLines) parts.push(`${l}\n`);
  let chainText = parts.join('');
  if (damage && int(6) === 0) chainText = chainText.slice(0, -1);
  const count = damage && int(5) === 0 ? Math.max(1, n + int(5) - 2) : n;
  return {
    segment: segmentOf(first, count),
    kind: ['kubernetes-audit', 'ingress-nginx', null][int(3)]!,
    sizes: [first + 1, first + Math.ceil(count / 2), first + count, first + count + 1, first],
    entries: concat(entries),
    chain: utf8.encode(chainText),
    sealed,
  };
}

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

interface Seen {
  result: SegmentCheckResult;
  entries: string[];
}

/**
 * Runs one check. Every chunk is copied into one scratch buffer that is overwritten after the
 * call, as readers that reuse their buffer do; `chunk` picks the chunk sizes and `chainFirst`
 * whether chain lines lead or trail the entries.
 */
function run(c: Case, hashing: Hashing, chunk: () => number, chainFirst: boolean, scratchOf: (n: number) => Uint8Array = (n) => new Uint8Array(n)): Seen {
  const seen: string[] = [];
  const checker = new SegmentChecker({ segment: c.segment, kind: c.kind, checkpointSizes: c.sizes }, hashing, (i, b, o, l) => seen.push(`${i} ${o} ${toHex(b)} ${toHex(l)}`));
  const scratch = scratchOf(c.entries.length + c.chain.length + 8);
  const feed = (bytes: Uint8Array, push: (b: Uint8Array) => void) => {
    for (let at = 0; at < bytes.length; ) {
      const n = Math.min(bytes.length - at, chunk());
      const view = scratch.subarray(3, 3 + n);
      view.set(bytes.subarray(at, at + n));
      push(view);
      assert.equal(Buffer.compare(view, bytes.subarray(at, at + n)), 0, 'the chunk is as it was given');
      scratch.fill(0x0a);
      at += n;
    }
  };
  if (chainFirst) {
    feed(c.chain, (b) => checker.pushChain(b));
    checker.endChain();
  }
  feed(c.entries, (b) => checker.pushEntries(b));
  checker.endEntries();
  if (!chainFirst) {
    feed(c.chain, (b) => checker.pushChain(b));
    checker.endChain();
  }
  return { result: checker.finish(), entries: seen };
}

/** The result with findings in report order (the order findings are added in depends on the interleaving). */
function comparable(s: Seen): unknown {
  const hex = (x: unknown): unknown =>
    x instanceof Uint8Array ? toHex(x) : Array.isArray(x) ? x.map(hex) : x && typeof x === 'object' ? Object.fromEntries(Object.entries(x).map(([k, v]) => [k, hex(v)])) : x;
  const { findings, ...rest } = s.result;
  return { ...(hex(rest) as object), findings: [...findings.listed].sort((a: Finding, b: Finding) => compareFindings(a, b) || a.message.localeCompare(b.message)), omitted: findings.omitted, entries: s.entries };
}

describe('SegmentChecker', () => {
  test('a sealed segment: no errors, the subtree and snapshots of the sealed leaves, and its first and last links', () => {
    const rand = prng(11);
    for (let t = 0; t < 30; t++) {
      const c = makeCase(rand, false);
      const { result } = run(c, nodeHashing, () => 1 + Math.floor(rand() * 3000), rand() < 0.5);
      // Some sealed lines are deliberately not JSON: only warnings for those.
      assert.deepEqual(result.findings.listed.filter((f) => f.severity === 'error'), [], `case ${t}`);
      const leaves = c.sealed.map((e) => pureHashing.leaf(e));
      const first = c.segment.first;
      // A range from 0 gives the root; others are checked through their snapshots joined to nothing when first is 0.
      if (first === 0) {
        assert.equal(toHex(foldRoot(pureHashing, result.range)), toHex(merkleRoot(pureHashing, leaves)));
        for (const [size, nodes] of result.snapshots) assert.equal(toHex(foldRoot(pureHashing, nodes)), toHex(merkleRoot(pureHashing, leaves.slice(0, size))), `size ${size}`);
      }
      assert.deepEqual(result.snapshots.map(([s]) => s), [...new Set(c.sizes.filter((s) => s > first && s <= first + c.segment.count))].sort((a, b) => a - b));
      assert.equal(toHex(result.firstLink!.leaf), toHex(leaves[0]!));
      assert.equal(result.entriesRead, c.sealed.length);
      assert.equal(result.chainLines, c.sealed.length);
      const lastLine = new TextDecoder().decode(c.chain).trimEnd().split('\n').pop()!;
      assert.equal(toHex(result.lastChain!), lastLine.slice(65));
    }
  });

  test('damaged segments: the same result for any chunk sizes, either order of the files, and either hashing', () => {
    const rand = prng(2024);
    const sizes = [1, 2, 7, 64, 129, 130, 131, 260, 4096, 1 << 20];
    for (let t = 0; t < 150; t++) {
      const c = makeCase(rand, true);
      const whole = comparable(run(c, pureHashing, () => 1 << 30, true));
      const size = sizes[Math.floor(rand() * sizes.length)]!;
      // Buffers, as the readers give (their slice() is a view, not a copy).
      const cut = comparable(run(c, nodeHashing, () => 1 + Math.floor(rand() * size), rand() < 0.5, (n) => Buffer.alloc(n)));
      assert.deepEqual(cut, whole, `case ${t}, chunks up to ${size}`);
    }
  });

  test('an entry over 256 MiB is hashed as it streams and reported, not held', () => {
    const segment = segmentOf(0, 1);
    const big = 268_435_456 + 10;
    const chunk = new Uint8Array(1 << 22).fill(0x61);
    const checker = new SegmentChecker({ segment, kind: 'kubernetes-audit', checkpointSizes: [1] }, nodeHashing);
    const h = nodeHashing.create().update(Uint8Array.of(0));
    for (let left = big; left > 0; left -= chunk.length) {
      const piece = chunk.subarray(0, Math.min(left, chunk.length));
      h.update(piece);
      checker.pushEntries(piece);
    }
    checker.pushEntries(Uint8Array.of(0x0a));
    checker.endEntries();
    const leaf = h.digest();
    checker.pushChain(utf8.encode(`${toHex(leaf)} ${toHex(nodeHashing.link(ZERO_HASH, leaf))}\n`));
    checker.endChain();
    const r = checker.finish();
    assert.deepEqual(r.findings.listed.map((f) => [f.code, f.index, f.line]), [['line-malformed', 0, 1], ['entry-not-json', 0, 1]]);
    assert.equal(toHex(r.firstLink!.leaf), toHex(leaf));
    assert.equal(toHex(r.range[0]!.hash), toHex(leaf));
  });
});
