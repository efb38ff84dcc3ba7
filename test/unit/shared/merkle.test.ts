// Known answers for RFC 6962 tree hashing and RFC 9162 inclusion proofs, and the compact-range joins segments rely on.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fromHexStrict, toHex } from '../../../shared/core/bytes.ts';
import { prng } from '../../helpers/prng.ts';
import { pureHashing } from '../../../shared/core/hashing.ts';
import { CompactRange, inclusionPath, merkleRoot, rootFromInclusionPath, rootOfJoined } from '../../../shared/core/merkle.ts';

const h = pureHashing;
const hex = (s: string) => fromHexStrict(s)!;
// The Certificate Transparency test tree: leaf inputs and the roots of its first n leaves.
const CT_LEAVES = ['', '00', '10', '2021', '3031', '40414243', '5051525354555657', '606162636465666768696a6b6c6d6e6f'].map(hex);
const CT_ROOTS = [
  'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
  '6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d',
  'fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125',
  'aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77',
  'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7',
  '4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4',
  '76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef',
  'ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c',
  '5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328',
];
const leafHashes = CT_LEAVES.map((l) => h.leaf(l));

test('empty tree hash is SHA-256 of nothing', () => {
  assert.equal(toHex(merkleRoot(h, [])), 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
});

test('CT test tree roots for sizes 1..8', () => {
  for (let n = 0; n <= 8; n++) assert.equal(toHex(merkleRoot(h, leafHashes.slice(0, n))), CT_ROOTS[n], `size ${n}`);
});

test('RFC 9162 inclusion paths of the CT test tree (leaf 0 and leaf 5 of 8)', () => {
  const sub = (a: number, b: number) => merkleRoot(h, leafHashes.slice(a, b));
  assert.deepEqual(inclusionPath(0, 8, sub).map(toHex), [
    '96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7',
    '5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e',
    '6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4',
  ]);
  assert.deepEqual(inclusionPath(5, 8, sub).map(toHex), [
    'bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b',
    'ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0',
    'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7',
  ]);
  // Every leaf of every size proves against its root; a path for a wrong index does not.
  for (let n = 1; n <= 8; n++) {
    for (let m = 0; m < n; m++) {
      const path = inclusionPath(m, n, sub);
      assert.equal(toHex(rootFromInclusionPath(h, m, n, leafHashes[m]!, path)!), CT_ROOTS[n]);
      if (n > 1) assert.notEqual(toHex(rootFromInclusionPath(h, (m + 1) % n, n, leafHashes[m]!, path) ?? new Uint8Array()), CT_ROOTS[n]);
    }
  }
});

test('ranges computed apart and joined give the sequential roots at every split and size', () => {
  const leaves = Array.from({ length: 70 }, (_, i) => h.leaf(Uint8Array.of(i, i >> 8)));
  const expected = Array.from({ length: 71 }, (_, n) => toHex(merkleRoot(h, leaves.slice(0, n))));
  for (const splits of [[0, 70], [0, 1, 70], [0, 7, 8, 33, 64, 70], [0, 10, 20, 30, 40, 50, 60, 70], [0, 63, 64, 65, 70]]) {
    const prefix = new CompactRange(h, 0);
    for (let s = 0; s + 1 < splits.length; s++) {
      const a = splits[s]!;
      const b = splits[s + 1]!;
      const part = new CompactRange(h, a);
      for (let i = a; i < b; i++) {
        part.appendLeafHash(leaves[i]!);
        assert.equal(toHex(rootOfJoined(h, prefix, part.snapshot())), expected[i + 1], `size ${i + 1} with splits ${splits}`);
      }
      prefix.appendRange(part.snapshot());
      assert.equal(toHex(prefix.root()), expected[b]);
    }
  }
});

test('a node that is not aligned is refused', () => {
  const r = new CompactRange(h, 0);
  r.appendLeafHash(leafHashes[0]!);
  assert.throws(() => r.appendNode(1, leafHashes[1]!), /not aligned/);
});

test('the slot-based range equals the plain definition: random begins, node levels, leaf words, and growth past 16 nodes', () => {
  // The definition: a stack of (level, hash), merging a right child with its left sibling when that sibling is inside.
  const reference = (begin: number) => {
    const nodes: { level: number; hash: Uint8Array }[] = [];
    let end = begin;
    return {
      nodes,
      append(level: number, hash: Uint8Array) {
        let index = end / 2 ** level;
        end += 2 ** level;
        let l = level;
        let x = hash;
        while (index % 2 === 1 && (index - 1) * 2 ** l >= begin) {
          x = h.node(nodes.pop()!.hash, x);
          l++;
          index = (index - 1) / 2;
        }
        nodes.push({ level: l, hash: x });
      },
    };
  };
  const rand = prng(6962);
  const words = new Int32Array(12);
  const wordBytes = new Uint8Array(words.buffer);
  for (let t = 0; t < 60; t++) {
    const begin = [0, 1, 3, 50_000, 2 ** 40 + 1][t % 5]!;
    const r = new CompactRange(h, begin);
    const ref = reference(begin);
    for (let step = 0; step < 80; step++) {
      // Often the largest level allowed at the end (a staircase of boundary nodes), else a small one.
      let level = 0;
      while (level < 30 && r.end % 2 ** (level + 1) === 0) level++;
      level = rand() < 0.5 ? Math.min(level, 25) : Math.floor(rand() * (Math.min(level, 3) + 1));
      const hash = h.sha256(Uint8Array.of(t, step));
      if (level === 0 && rand() < 0.5) {
        wordBytes.set(hash, 8);
        r.appendLeafWords(words, 2);
      } else if (level === 0) {
        r.appendLeafHash(hash);
      } else {
        r.appendNode(level, hash);
      }
      ref.append(level, hash);
      assert.deepEqual(r.snapshot().map((n) => [n.level, toHex(n.hash)]), ref.nodes.map((n) => [n.level, toHex(n.hash)]), `begin ${begin}, step ${step}`);
    }
  }
});
