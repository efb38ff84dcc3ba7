// node:crypto implementations: what OpenSSL decides by itself, agreement with the pure Ed25519, and hashing equivalence.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { Point } from '@noble/ed25519';
import { sha512 } from '@noble/hashes/sha2.js';
import { nodeEd25519, nodeHashing } from '../../../electron/services/crypto.node.ts';
import { pureEd25519 } from '../../../shared/core/ed25519.ts';
import { pureHashing, type Hashing } from '../../../shared/core/hashing.ts';

const L = 2n ** 252n + 27742317777372353535851937790883648493n;
const P = 2n ** 255n - 19n;
const B = Point.BASE;

/** mulberry32: a small deterministic generator, so a failing case can be replayed. */
function prng(seed: number): { bytes(n: number): Uint8Array; int(n: number): number } {
  let s = seed >>> 0;
  const next = (): number => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  };
  return {
    bytes(n) {
      const out = new Uint8Array(n);
      for (let i = 0; i < n; i++) out[i] = next() & 0xff;
      return out;
    },
    int: (n) => next() % n,
  };
}

function hex(s: string): Uint8Array {
  return Uint8Array.from(Buffer.from(s, 'hex'));
}
function toHex(b: Uint8Array): string {
  return Buffer.from(b).toString('hex');
}
function le32(n: bigint): Uint8Array {
  const out = new Uint8Array(32);
  for (let i = 0; i < 32; i++) {
    out[i] = Number(n & 0xffn);
    n >>= 8n;
  }
  return out;
}
function fromLE(b: Uint8Array): bigint {
  let n = 0n;
  for (let i = b.length - 1; i >= 0; i--) n = (n << 8n) | BigInt(b[i]!);
  return n;
}
function cat(...parts: Uint8Array[]): Uint8Array {
  return Uint8Array.from(Buffer.concat(parts));
}
function flipBit(b: Uint8Array, bit: number): Uint8Array {
  const c = b.slice();
  c[bit >> 3]! ^= 1 << (bit & 7);
  return c;
}

/** node:crypto with no pre-checks, to pin down what OpenSSL decides on its own. */
function rawNodeVerify(publicKey: Uint8Array, message: Uint8Array, signature: Uint8Array): boolean {
  const spki = Buffer.concat([Buffer.from('302a300506032b6570032100', 'hex'), publicKey]);
  return crypto.verify(null, message, crypto.createPublicKey({ key: spki, format: 'der', type: 'spki' }), signature);
}

const TEST1 = {
  seed: hex('9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60'),
  publicKey: hex('d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a'),
  signature: hex(
    'e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b',
  ),
};
const EMPTY = new Uint8Array(0);
const T8 = Point.fromHex('c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a');

describe('node:crypto on its own (why nodeEd25519 pre-checks A)', () => {
  const S = 0x1234567n;
  const sigS = cat(B.multiply(S).toBytes(), le32(S));
  const m = new TextEncoder().encode('sealcheck checkpoint');
  const identity = le32(1n);

  test('rejects S ≥ L by itself', () => {
    const S1 = fromLE(TEST1.signature.subarray(32));
    const sig = cat(TEST1.signature.subarray(0, 32), le32(S1 + L));
    assert.equal(rawNodeVerify(TEST1.publicKey, EMPTY, TEST1.signature), true);
    assert.equal(rawNodeVerify(TEST1.publicKey, EMPTY, sig), false);
  });

  test('rejects a non-canonical R by itself (it compares R byte for byte)', () => {
    assert.equal(rawNodeVerify(identity, m, cat(identity, le32(0n))), true);
    assert.equal(rawNodeVerify(identity, m, cat(le32(P + 1n), le32(0n))), false);
  });

  test('accepts a non-canonical A (y ≥ p, or x = 0 with the sign bit), which the contract rejects', () => {
    assert.equal(rawNodeVerify(le32(P + 1n), m, sigS), true);
    assert.equal(rawNodeVerify(hex('0100000000000000000000000000000000000000000000000000000000000080'), m, sigS), true);
    assert.equal(nodeEd25519.verify(le32(P + 1n), m, sigS), false);
    assert.equal(nodeEd25519.verify(hex('0100000000000000000000000000000000000000000000000000000000000080'), m, sigS), false);
  });

  test('accepts a small-order A when the equation holds, like the contract (refused at load instead)', () => {
    assert.equal(rawNodeVerify(identity, m, sigS), true);
    assert.equal(nodeEd25519.verify(identity, m, sigS), true);
    assert.equal(pureEd25519.verify(identity, m, sigS), true);
  });
});

describe('nodeEd25519', () => {
  test('signs exactly like the pure implementation', () => {
    const rnd = prng(7);
    for (let i = 0; i < 50; i++) {
      const seed = rnd.bytes(32);
      const msg = rnd.bytes(rnd.int(300));
      assert.equal(toHex(nodeEd25519.publicKeyFromSeed(seed)), toHex(pureEd25519.publicKeyFromSeed(seed)));
      assert.equal(toHex(nodeEd25519.sign(seed, msg)), toHex(pureEd25519.sign(seed, msg)));
    }
  });

  test('the key cache: views with an offset, many keys, evicted keys still verify', () => {
    const backing = new Uint8Array(100);
    backing.set(TEST1.publicKey, 7);
    const view = backing.subarray(7, 39);
    assert.equal(nodeEd25519.verify(view, EMPTY, TEST1.signature), true);
    // A different key sharing the backing buffer must not hit the first one's cache entry.
    const other = backing.subarray(6, 38);
    assert.equal(nodeEd25519.verify(other, EMPTY, TEST1.signature), false);

    const rnd = prng(11);
    const signers = Array.from({ length: 80 }, () => {
      const seed = rnd.bytes(32);
      const msg = rnd.bytes(20);
      return { key: pureEd25519.publicKeyFromSeed(seed), msg, sig: pureEd25519.sign(seed, msg) };
    });
    for (let round = 0; round < 2; round++) {
      for (const s of signers) {
        assert.equal(nodeEd25519.verify(s.key, s.msg, s.sig), true);
        assert.equal(nodeEd25519.verify(s.key, flipBit(s.msg, 3), s.sig), false);
      }
    }
  });
});

describe('pure and node agree', () => {
  test('seeded random keys, messages and single-bit mutations (≥ 2,000 verdicts)', () => {
    const rnd = prng(0x5ea1c4ec);
    const torsion = Array.from({ length: 7 }, (_, i) => T8.multiply(BigInt(i + 1), false));
    const verdicts = { true: 0, false: 0 };
    let compared = 0;
    const check = (what: string, key: Uint8Array, msg: Uint8Array, sig: Uint8Array, expected?: boolean): void => {
      const pure = pureEd25519.verify(key, msg, sig);
      const node = nodeEd25519.verify(key, msg, sig);
      assert.equal(node, pure, `${what}: key ${toHex(key)} msg ${toHex(msg)} sig ${toHex(sig)}`);
      if (expected !== undefined) assert.equal(pure, expected, what);
      verdicts[pure ? 'true' : 'false']++;
      compared++;
    };

    for (let i = 0; i < 450; i++) {
      const seed = rnd.bytes(32);
      const msg = rnd.bytes(rnd.int(200));
      const key = pureEd25519.publicKeyFromSeed(seed);
      const sig = pureEd25519.sign(seed, msg);
      check(`#${i} valid`, key, msg, sig, true);
      check(`#${i} signature bit`, key, msg, flipBit(sig, rnd.int(512)), false);
      check(`#${i} key bit`, flipBit(key, rnd.int(256)), msg, sig, false);
      if (msg.length > 0) check(`#${i} message bit`, key, flipBit(msg, rnd.int(msg.length * 8)), sig, false);
      // Torsion added to R or A after signing (the honest-S variants are in the next test).
      if (i % 3 === 0) {
        const T = torsion[rnd.int(7)]!;
        const R = Point.fromBytes(sig.subarray(0, 32)).add(T).toBytes();
        check(`#${i} R + T, original S`, key, msg, cat(R, sig.subarray(32)), false);
        const A2 = Point.fromBytes(key).add(T).toBytes();
        check(`#${i} A + T`, A2, msg, sig, false);
      }
      // Random junk for R, A or S, and S pushed past L.
      if (i % 5 === 0) {
        check(`#${i} random R`, key, msg, cat(rnd.bytes(32), sig.subarray(32)), false);
        check(`#${i} random key`, rnd.bytes(32), msg, sig, false);
        check(`#${i} S + L`, key, msg, cat(sig.subarray(0, 32), le32(fromLE(sig.subarray(32)) + L)), false);
      }
    }
    assert.ok(compared >= 2000, `${compared} verdicts compared`);
    assert.equal(verdicts.true, 450);
  });

  test('R′ = R + T with an honestly recomputed S and A′ = A + T: verdicts follow k mod ord(T)', () => {
    const rnd = prng(99);
    let accepted = 0;
    for (let i = 0; i < 120; i++) {
      const seed = rnd.bytes(32);
      const head = sha512(seed).slice(0, 32);
      head[0]! &= 248;
      head[31]! &= 127;
      head[31]! |= 64;
      const a = fromLE(head) % L;
      const T = T8.multiply(BigInt(1 + rnd.int(7)), false);
      const A2 = B.multiply(a).add(T).toBytes();
      const r = fromLE(rnd.bytes(32)) % L || 1n;
      const Rb = B.multiply(r).toBytes();
      const msg = rnd.bytes(16);
      const k = fromLE(sha512(cat(Rb, A2, msg))) % L;
      const sig = cat(Rb, le32((r + k * a) % L));
      // [S]B − [k]A′ = R − [k]T, which is R exactly when [k]T is the identity.
      const expected = T.multiply(k, false).is0();
      assert.equal(pureEd25519.verify(A2, msg, sig), expected);
      assert.equal(nodeEd25519.verify(A2, msg, sig), expected);
      if (expected) accepted++;
    }
    assert.ok(accepted > 0, 'some k made [k]T vanish');
  });
});

describe('nodeHashing equals pureHashing', () => {
  const same = (what: string, a: Uint8Array, b: Uint8Array): void => assert.equal(toHex(a), toHex(b), what);

  test('known answers', () => {
    same('sha256("abc")', nodeHashing.sha256(new TextEncoder().encode('abc')), hex('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad'));
    // RFC 6962: the hash of an empty leaf is SHA-256(0x00).
    same('leaf("")', nodeHashing.leaf(EMPTY), hex('6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d'));
  });

  test('random inputs: sha256, leaf, node, link, create', () => {
    const rnd = prng(1234);
    for (let i = 0; i < 400; i++) {
      const size = i % 10 === 0 ? rnd.int(70_000) : rnd.int(2_000);
      const data = rnd.bytes(size);
      const l = rnd.bytes(32);
      const r = rnd.bytes(32);
      same(`sha256 ${size}`, nodeHashing.sha256(data), pureHashing.sha256(data));
      same(`leaf ${size}`, nodeHashing.leaf(data), pureHashing.leaf(data));
      same('node', nodeHashing.node(l, r), pureHashing.node(l, r));
      same('link', nodeHashing.link(l, r), pureHashing.link(l, r));
      const cut = rnd.int(size + 1);
      const hn = nodeHashing.create().update(data.subarray(0, cut)).update(data.subarray(cut)).digest();
      same(`create ${size}/${cut}`, hn, pureHashing.sha256(data));
    }
  });

  test('views with an offset and node/link inputs that are not 32 bytes', () => {
    const rnd = prng(5);
    const backing = rnd.bytes(500);
    const view = backing.subarray(13, 413);
    same('leaf view', nodeHashing.leaf(view), pureHashing.leaf(view));
    same('sha256 view', nodeHashing.sha256(view), pureHashing.sha256(view));
    same('node views', nodeHashing.node(backing.subarray(1, 33), backing.subarray(40, 72)), pureHashing.node(backing.subarray(1, 33), backing.subarray(40, 72)));
    for (const [a, b] of [[0, 32], [31, 32], [32, 33], [64, 0]] as const) {
      const x = rnd.bytes(a);
      const y = rnd.bytes(b);
      same(`node ${a}+${b}`, nodeHashing.node(x, y), pureHashing.node(x, y));
      same(`link ${a}+${b}`, nodeHashing.link(x, y), pureHashing.link(x, y));
    }
  });

  test('a 3 MB input', () => {
    const big = prng(3).bytes(3 * 1024 * 1024);
    same('sha256', nodeHashing.sha256(big), pureHashing.sha256(big));
    same('leaf', nodeHashing.leaf(big), pureHashing.leaf(big));
    const h = nodeHashing.create();
    for (let off = 0; off < big.length; off += 65_537) h.update(big.subarray(off, off + 65_537));
    same('create, chunked', h.digest(), pureHashing.sha256(big));
    // Small entries after the big one still go through the scratch path correctly.
    const small = prng(4).bytes(100);
    same('leaf after big', nodeHashing.leaf(small), pureHashing.leaf(small));
  });

  test('sha256Into writes the digest at any offset, also over its own input', () => {
    const rnd = prng(99);
    for (const hashing of [nodeHashing, pureHashing]) {
      for (const size of [0, 1, 65, 1000, 70_000]) {
        const data = rnd.bytes(size);
        const out = rnd.bytes(40);
        const before = out.slice();
        hashing.sha256Into(data, out, 5);
        same(`into ${size}`, out.subarray(5, 37), pureHashing.sha256(data));
        same('bytes around it', Uint8Array.of(...out.subarray(0, 5), ...out.subarray(37)), Uint8Array.of(...before.subarray(0, 5), ...before.subarray(37)));
      }
      // The slot and link layouts hash a buffer into a part of itself.
      const own = rnd.bytes(68);
      const want = pureHashing.sha256(own.subarray(3));
      hashing.sha256Into(own.subarray(3), own, 36);
      same('over its input', own.subarray(36), want);
    }
  });

  test('results stay correct after later calls reuse the scratch buffers', () => {
    const rnd = prng(77);
    const kept: Array<{ what: string; got: Uint8Array; want: Uint8Array }> = [];
    const hashing: Hashing = nodeHashing;
    for (const size of [10, 5_000, 10, 300_000, 0, 2_000_000, 1_000, 64]) {
      const data = rnd.bytes(size);
      kept.push({ what: `leaf ${size}`, got: hashing.leaf(data), want: pureHashing.leaf(data) });
      const l = rnd.bytes(32);
      const r = rnd.bytes(32);
      kept.push({ what: 'node', got: hashing.node(l, r), want: pureHashing.node(l, r) });
      kept.push({ what: 'link', got: hashing.link(l, r), want: pureHashing.link(l, r) });
      kept.push({ what: `sha256 ${size}`, got: hashing.sha256(data), want: pureHashing.sha256(data) });
    }
    for (const k of kept) same(k.what, k.got, k.want);
  });
});
