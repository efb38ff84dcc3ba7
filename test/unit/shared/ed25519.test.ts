// Ed25519 contract table (strict cofactorless verification, signing, key vetting), run on the pure and node implementations.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as noble from '@noble/ed25519';
import { sha512 } from '@noble/hashes/sha2.js';
import { publicKeyProblem, pureEd25519, type Ed25519 } from '../../../shared/core/ed25519.ts';
import { nodeEd25519 } from '../../../electron/services/crypto.node.ts';

// noble's own verify is only called to show what the cofactored equation accepts; it needs a hash.
noble.hashes.sha512 = sha512;
const { Point } = noble;
type Pt = InstanceType<typeof Point>;

const L = 2n ** 252n + 27742317777372353535851937790883648493n;
const P = 2n ** 255n - 19n;
const B = Point.BASE;

const IMPLEMENTATIONS: ReadonlyArray<readonly [string, Ed25519]> = [
  ['pureEd25519', pureEd25519],
  ['nodeEd25519', nodeEd25519],
];

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
function challenge(R: Uint8Array, A: Uint8Array, M: Uint8Array): bigint {
  return fromLE(sha512(cat(R, A, M))) % L;
}
/** RFC 8032 key expansion, so tests can build signatures with chosen nonces and keys. */
function expand(seed: Uint8Array): { a: bigint; A: Pt } {
  const head = sha512(seed).slice(0, 32);
  head[0]! &= 248;
  head[31]! &= 127;
  head[31]! |= 64;
  const a = fromLE(head) % L;
  return { a, A: B.multiply(a) };
}
/** S = r + k·a for an arbitrary R point and key bytes: honest except for whatever R or A carry. */
function signWith(a: bigint, keyBytes: Uint8Array, r: bigint, R: Pt, M: Uint8Array): Uint8Array {
  const Rb = R.toBytes();
  const S = (r + challenge(Rb, keyBytes, M) * a) % L;
  return cat(Rb, le32(S));
}
function withS(sig: Uint8Array, S: bigint): Uint8Array {
  return cat(sig.subarray(0, 32), le32(S));
}
function withR(sig: Uint8Array, R: Uint8Array): Uint8Array {
  return cat(R, sig.subarray(32));
}
function nobleStrict(pk: Uint8Array, M: Uint8Array, sig: Uint8Array): boolean {
  return noble.verify(sig, M, pk, { zip215: false });
}

/** An order-8 point: the small-order points are its multiples. */
const T8 = Point.fromHex('c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a');
const SMALL_ORDER = Array.from({ length: 8 }, (_, i) => (i === 0 ? Point.ZERO : T8.multiply(BigInt(i), false)));
const SMALL_ORDER_HEX = [
  '0100000000000000000000000000000000000000000000000000000000000000', // identity
  'ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f', // order 2
  '0000000000000000000000000000000000000000000000000000000000000000', // order 4
  '0000000000000000000000000000000000000000000000000000000000000080', // order 4
  'c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a', // order 8
  'c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac03fa', // order 8
  '26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc05', // order 8
  '26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc85', // order 8
];

// RFC 8032 §7.1, "Test Vectors for Ed25519".
const RFC8032 = [
  {
    name: 'TEST 1',
    seed: '9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60',
    publicKey: 'd75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a',
    message: '',
    signature:
      'e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b',
  },
  {
    name: 'TEST 2',
    seed: '4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb',
    publicKey: '3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c',
    message: '72',
    signature:
      '92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da085ac1e43e15996e458f3613d0f11d8c387b2eaeb4302aeeb00d291612bb0c00',
  },
  {
    name: 'TEST 3',
    seed: 'c5aa8df43f9f837bedb7442f31dcb7b166d38535076f094b85ce3a2e0b4458f7',
    publicKey: 'fc51cd8e6218a1a38da47ed00230f0580816ed13ba3303ac5deb911548908025',
    message: 'af82',
    signature:
      '6291d657deec24024827e69c3abe01a30ce548a284743a445e3680d7db5ac3ac18ff9b538d16f290ae67f760984dc6594a7c15e9716ed28dc027beceea1ec40a',
  },
  {
    name: 'TEST SHA(abc)',
    seed: '833fe62409237b9d62ec77587520911e9a759cec1d19755b7da901b96dca3d42',
    publicKey: 'ec172b93ad5e563bf4932c70e1245034c35467ef2efd4d64ebf819683467e2bf',
    message:
      'ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f',
    signature:
      'dc2a4459e7369633a52b1bf277839a00201009a3efbf3ecb69bea2186c26b58909351fc9ac90b3ecfdfbc7c66431e0303dca179c138ac17ad9bef1177331a704',
  },
] as const;

// "Taming the many EdDSAs" (Chalkias, Garillot, Nikolaenko, SSR 2020), vectors 0–14 from
// novifinancial/ed25519-speccheck cases.json. `strict` is this contract's verdict: Go, OpenSSL 3,
// BoringSSL and pyca give the same except for #14, whose A (ecff…ff) is a "negative zero" encoding
// they accept and the contract rejects. `cofactored` is what @noble/ed25519 says with zip215: false
// (which also refuses small-order keys outright, hence #1 and #3).
const SPECCHECK = [
  { m: '2a66241a42a9ee12994d8068dcf1bb7dfc6637b45450acd43711f637fa5080fc', a: 'c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac03fa', s: 'c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a0000000000000000000000000000000000000000000000000000000000000000', strict: false, cofactored: false, what: 'S = 0, small R and A, R ≠ −[k]A' },
  { m: '8c93255d71dcab10e8f379c26200f3c7bd5f09d9bc3068d3ef4edeb4853022b6', a: 'c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac03fa', s: 'c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a0000000000000000000000000000000000000000000000000000000000000000', strict: true, cofactored: false, what: 'S = 0, small R and A, R = −[k]A' },
  { m: '9bedc267423725d473888631ebf45988bad3db83851ee85c85e241a07d148b41', a: 'c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac03fa', s: 'f7badec5b8abeaf699583992219b7b223f1df3fbbea919844e3f7c554a43dd43a5bb704786be79fc476f91d3f3f89b03984d8068dcf1bb7dfc6637b45450ac04', strict: false, cofactored: false, what: 'mixed R, small A, fails cofactorless' },
  { m: '9bd9f44f4dcc75bd531b56b2cd280b0bb38fc1cd6d1230e14861d861de092e79', a: 'c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac03fa', s: 'f7badec5b8abeaf699583992219b7b223f1df3fbbea919844e3f7c554a43dd43a5bb704786be79fc476f91d3f3f89b03984d8068dcf1bb7dfc6637b45450ac04', strict: true, cofactored: false, what: 'mixed R, small A, passes cofactorless' },
  { m: '9bedc267423725d473888631ebf45988bad3db83851ee85c85e241a07d148b41', a: 'f7badec5b8abeaf699583992219b7b223f1df3fbbea919844e3f7c554a43dd43', s: 'c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac03fa182ef1a5b928da07fec769cc8a12db6bcf70dab3f3227fa315e9d5e3e01a3405', strict: false, cofactored: true, what: 'small R, mixed A, fails cofactorless' },
  { m: 'aebf3f2601a0c8c5d39cc7d8911642f740b78168218da8471772b35f9d35b9ab', a: 'f7badec5b8abeaf699583992219b7b223f1df3fbbea919844e3f7c554a43dd43', s: 'c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac03fa8c4bd45aecaca5b24fb97bc10ac27ac8751a7dfe1baff8b953ec9f5833ca260e', strict: true, cofactored: true, what: 'small R, mixed A, passes cofactorless' },
  { m: '9bd9f44f4dcc75bd531b56b2cd280b0bb38fc1cd6d1230e14861d861de092e79', a: 'cdb267ce40c5cd45306fa5d2f29731459387dbf9eb933b7bd5aed9a765b88d4d', s: '9046a64750444938de19f227bb80485e92b83fdb4b6506c160484c016cc1852f87909e14428a7a1d62e9f22f3d3ad7802db02eb2e688b6c52fcd6648a98bd009', strict: true, cofactored: true, what: 'mixed R and A, passes cofactorless' },
  { m: 'e47d62c63f830dc7a6851a0b1f33ae4bb2f507fb6cffec4011eaccd55b53f56c', a: 'cdb267ce40c5cd45306fa5d2f29731459387dbf9eb933b7bd5aed9a765b88d4d', s: '160a1cb0dc9c0258cd0a7d23e94d8fa878bcb1925f2c64246b2dee1796bed5125ec6bc982a269b723e0668e540911a9a6a58921d6925e434ab10aa7940551a09', strict: false, cofactored: true, what: 'mixed R and A, passes only cofactored' },
  { m: 'e47d62c63f830dc7a6851a0b1f33ae4bb2f507fb6cffec4011eaccd55b53f56c', a: 'cdb267ce40c5cd45306fa5d2f29731459387dbf9eb933b7bd5aed9a765b88d4d', s: '21122a84e0b5fca4052f5b1235c80a537878b38f3142356b2c2384ebad4668b7e40bc836dac0f71076f9abe3a53f9c03c1ceeeddb658d0030494ace586687405', strict: false, cofactored: true, what: 'passes only the cofactored equation, without pre-reducing k' },
  { m: '85e241a07d148b41e47d62c63f830dc7a6851a0b1f33ae4bb2f507fb6cffec40', a: '442aad9f089ad9e14647b1ef9099a1ff4798d78589e66f28eca69c11f582a623', s: 'e96f66be976d82e60150baecff9906684aebb1ef181f67a7189ac78ea23b6c0e547f7690a0e2ddcd04d87dbc3490dc19b3b3052f7ff0538cb68afb369ba3a514', strict: false, cofactored: false, what: 'S > L' },
  { m: '85e241a07d148b41e47d62c63f830dc7a6851a0b1f33ae4bb2f507fb6cffec40', a: '442aad9f089ad9e14647b1ef9099a1ff4798d78589e66f28eca69c11f582a623', s: '8ce5b96c8f26d0ab6c47958c9e68b937104cd36e13c33566acd2fe8d38aa19427e71f98a473474f2f13f06f97c20d58cc3f54b8bd0d272f42b695dd7e89a8c22', strict: false, cofactored: false, what: 'S ≫ L (high bit set)' },
  { m: '9bedc267423725d473888631ebf45988bad3db83851ee85c85e241a07d148b41', a: 'f7badec5b8abeaf699583992219b7b223f1df3fbbea919844e3f7c554a43dd43', s: 'ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff03be9678ac102edcd92b0210bb34d7428d12ffc5df5f37e359941266a4e35f0f', strict: false, cofactored: false, what: 'non-canonical R (negative zero), first variant' },
  { m: '9bedc267423725d473888631ebf45988bad3db83851ee85c85e241a07d148b41', a: 'f7badec5b8abeaf699583992219b7b223f1df3fbbea919844e3f7c554a43dd43', s: 'ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffca8c5b64cd208982aa38d4936621a4775aa233aa0505711d8fdcfdaa943d4908', strict: false, cofactored: false, what: 'non-canonical R (negative zero), second variant' },
  { m: 'e96b7021eb39c1a163b6da4e3093dcd3f21387da4cc4572be588fafae23c155b', a: 'ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff', s: 'a9d55260f765261eb9b84e106f665e00b867287a761990d7135963ee0a7d59dca5bb704786be79fc476f91d3f3f89b03984d8068dcf1bb7dfc6637b45450ac04', strict: false, cofactored: false, what: 'non-canonical A (negative zero), rejected by Go and OpenSSL too' },
  { m: '39a591f5321bbe07fd5a23dc2f39d025d74526615746727ceefd6e82ae65c06f', a: 'ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff', s: 'a9d55260f765261eb9b84e106f665e00b867287a761990d7135963ee0a7d59dca5bb704786be79fc476f91d3f3f89b03984d8068dcf1bb7dfc6637b45450ac04', strict: false, cofactored: false, what: 'non-canonical A (negative zero), accepted by Go and OpenSSL' },
] as const;

/** Encodings whose 255-bit y is p + i: non-canonical, for every i < 19 and either sign bit. */
function yAtLeastP(): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (let i = 0n; i < 19n; i++) {
    const b = le32(P + i);
    out.push(b, cat(b.subarray(0, 31), Uint8Array.of(b[31]! | 0x80)));
  }
  return out;
}

const rfc1 = RFC8032[0];
const seed1 = hex(rfc1.seed);
const pk1 = hex(rfc1.publicKey);
const sig1 = hex(rfc1.signature);
const msg1 = hex(rfc1.message);
const IDENTITY = hex(SMALL_ORDER_HEX[0]!);
const NONCANONICAL_IDENTITY = le32(P + 1n); // ee ff … ff 7f: y = p + 1 ≡ 1
const NEGATIVE_ZERO_IDENTITY = hex('0100000000000000000000000000000000000000000000000000000000000080');

interface Case {
  name: string;
  publicKey: Uint8Array;
  message: Uint8Array;
  signature: Uint8Array;
  expected: boolean;
}

/** Every verdict the contract fixes, shared by both implementations. */
function contractTable(): Case[] {
  const cases: Case[] = [];
  for (const v of RFC8032) {
    cases.push({ name: `RFC 8032 ${v.name}`, publicKey: hex(v.publicKey), message: hex(v.message), signature: hex(v.signature), expected: true });
  }

  const S1 = fromLE(sig1.subarray(32));
  cases.push({ name: 'S + L (same point, unreduced scalar)', publicKey: pk1, message: msg1, signature: withS(sig1, S1 + L), expected: false });
  cases.push({ name: 'S = L', publicKey: pk1, message: msg1, signature: withS(sig1, L), expected: false });
  cases.push({ name: 'S = 2^256 − 1', publicKey: pk1, message: msg1, signature: withS(sig1, 2n ** 256n - 1n), expected: false });
  cases.push({ name: 'S = L − 1 (in range, wrong)', publicKey: pk1, message: msg1, signature: withS(sig1, L - 1n), expected: false });

  // With the identity as key, [k]A vanishes, so R = [S]B satisfies every equation whatever k is:
  // only the encoding rules can reject these.
  const S = 0x1234567n;
  const RS = B.multiply(S).toBytes();
  const m = new TextEncoder().encode('sealcheck checkpoint');
  const sigS = cat(RS, le32(S));
  cases.push({ name: 'small-order A (canonical identity), equation holds: accepted, refused at load instead', publicKey: IDENTITY, message: m, signature: sigS, expected: true });
  cases.push({ name: 'non-canonical A: identity as y = p + 1', publicKey: NONCANONICAL_IDENTITY, message: m, signature: sigS, expected: false });
  cases.push({ name: 'non-canonical A: identity as negative zero', publicKey: NEGATIVE_ZERO_IDENTITY, message: m, signature: sigS, expected: false });
  cases.push({ name: 'non-canonical A: order 2 as negative zero', publicKey: hex('ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff'), message: m, signature: sigS, expected: false });
  // y = p encodes the order-4 point (0, ±√−1 … y = 0); pick a message whose k ≡ 0 (mod 4) so that
  // [k]A vanishes too and the lenient decoding would accept.
  const yP = le32(P);
  let m4 = m;
  for (let i = 0; challenge(RS, yP, m4) % 4n !== 0n; i++) m4 = cat(m, Uint8Array.of(i));
  cases.push({ name: 'non-canonical A: order-4 point as y = p, k ≡ 0 mod 4', publicKey: yP, message: m4, signature: sigS, expected: false });

  // R = identity with S = 0 under the identity key: canonical R passes, its other encodings fail.
  cases.push({ name: 'canonical R = identity, S = 0, A = identity', publicKey: IDENTITY, message: m, signature: cat(IDENTITY, le32(0n)), expected: true });
  cases.push({ name: 'non-canonical R: identity as y = p + 1', publicKey: IDENTITY, message: m, signature: cat(NONCANONICAL_IDENTITY, le32(0n)), expected: false });
  cases.push({ name: 'non-canonical R: identity as negative zero', publicKey: IDENTITY, message: m, signature: cat(NEGATIVE_ZERO_IDENTITY, le32(0n)), expected: false });
  for (const R of yAtLeastP()) {
    cases.push({ name: `non-canonical R: ${toHex(R)}`, publicKey: pk1, message: msg1, signature: withR(sig1, R), expected: false });
  }
  for (const A of yAtLeastP()) {
    cases.push({ name: `non-canonical A: ${toHex(A)}`, publicKey: A, message: msg1, signature: sig1, expected: false });
  }

  const lengths: Array<[string, Uint8Array, Uint8Array]> = [
    ['key of 31 bytes', pk1.subarray(0, 31), sig1],
    ['key of 33 bytes', cat(pk1, Uint8Array.of(0)), sig1],
    ['empty key', new Uint8Array(0), sig1],
    ['signature of 63 bytes', pk1, sig1.subarray(0, 63)],
    ['signature of 65 bytes', pk1, cat(sig1, Uint8Array.of(0))],
    ['empty signature', pk1, new Uint8Array(0)],
    ['key and signature swapped', sig1, pk1],
  ];
  for (const [name, key, sig] of lengths) cases.push({ name, publicKey: key, message: msg1, signature: sig, expected: false });

  const spec = SPECCHECK.map((v, i) => ({ name: `speccheck #${i}: ${v.what}`, publicKey: hex(v.a), message: hex(v.m), signature: hex(v.s), expected: v.strict }));
  return [...cases, ...spec];
}

/** Every single-bit flip of key, signature and message of one RFC vector. */
function bitFlips(v: (typeof RFC8032)[number]): Case[] {
  const key = hex(v.publicKey);
  const sig = hex(v.signature);
  const msg = hex(v.message);
  const flip = (b: Uint8Array, bit: number): Uint8Array => {
    const c = b.slice();
    c[bit >> 3]! ^= 1 << (bit & 7);
    return c;
  };
  const out: Case[] = [];
  for (let bit = 0; bit < 256; bit++) out.push({ name: `key bit ${bit}`, publicKey: flip(key, bit), message: msg, signature: sig, expected: false });
  for (let bit = 0; bit < 512; bit++) out.push({ name: `signature bit ${bit}`, publicKey: key, message: msg, signature: flip(sig, bit), expected: false });
  for (let bit = 0; bit < msg.length * 8; bit++) out.push({ name: `message bit ${bit}`, publicKey: key, message: flip(msg, bit), signature: sig, expected: false });
  return out;
}

const TABLE = contractTable();
const FLIPS = bitFlips(RFC8032[2]);

for (const [implName, ed] of IMPLEMENTATIONS) {
  describe(implName, () => {
    test('RFC 8032 §7.1: public key and signature bytes from the seed', () => {
      for (const v of RFC8032) {
        assert.equal(toHex(ed.publicKeyFromSeed(hex(v.seed))), v.publicKey, v.name);
        assert.equal(toHex(ed.sign(hex(v.seed), hex(v.message))), v.signature, v.name);
      }
    });

    test('contract table: exact verdicts', () => {
      for (const c of TABLE) assert.equal(ed.verify(c.publicKey, c.message, c.signature), c.expected, c.name);
    });

    test('every single-bit flip of key, signature or message of TEST 3 is rejected', () => {
      for (const c of FLIPS) assert.equal(ed.verify(c.publicKey, c.message, c.signature), false, c.name);
    });

    test('signatures it makes verify; a seed that is not 32 bytes is refused', () => {
      const seed = new Uint8Array(32).map((_, i) => i * 7 + 1);
      const key = ed.publicKeyFromSeed(seed);
      for (const len of [0, 1, 1000]) {
        const msg = new Uint8Array(len).fill(len & 0xff);
        assert.equal(ed.verify(key, msg, ed.sign(seed, msg)), true, `message of ${len} bytes`);
      }
      for (const bad of [new Uint8Array(31), new Uint8Array(33), new Uint8Array(64)]) {
        assert.throws(() => ed.sign(bad, msg1), RangeError);
        assert.throws(() => ed.publicKeyFromSeed(bad), RangeError);
      }
    });

    test('verify never throws, whatever it is given', () => {
      const junk = [null, undefined, 'abc', 42, {}, [], new Uint16Array(16), new ArrayBuffer(32)] as unknown as Uint8Array[];
      for (const j of junk) {
        assert.equal(ed.verify(j, msg1, sig1), false);
        assert.equal(ed.verify(pk1, j, sig1), false);
        assert.equal(ed.verify(pk1, msg1, j), false);
      }
    });
  });
}

describe('cofactored vs cofactorless', () => {
  const seed = hex('a1'.repeat(32));
  const { a, A } = expand(seed);
  const Ab = A.toBytes();
  const M = new TextEncoder().encode('checkpoint 42');
  const T = T8.multiply(3n, false); // order 8

  test('the small-order points are the multiples of T8 and encode as expected', () => {
    assert.equal(T8.multiply(8n, false).is0(), true);
    assert.equal(T8.multiply(4n, false).is0(), false);
    assert.deepEqual(SMALL_ORDER.map((p) => p.toHex()).sort(), [...SMALL_ORDER_HEX].sort());
  });

  test('S + L: [L]B is the identity, so the unreduced S satisfies the equation, yet it is rejected', () => {
    assert.equal(B.multiply(L - 1n).add(B).is0(), true);
    const S = fromLE(sig1.subarray(32));
    const sig = withS(sig1, S + L);
    assert.equal(pureEd25519.verify(pk1, msg1, sig), false);
    assert.equal(nodeEd25519.verify(pk1, msg1, sig), false);
    assert.equal(nobleStrict(pk1, msg1, sig), false);
  });

  test('R′ = [r]B + T with an honest S: cofactored accepts, cofactorless rejects', () => {
    const r = 0xdeadbeefn;
    const sig = signWith(a, Ab, r, B.multiply(r).add(T), M);
    assert.equal(nobleStrict(Ab, M, sig), true);
    assert.equal(pureEd25519.verify(Ab, M, sig), false);
    assert.equal(nodeEd25519.verify(Ab, M, sig), false);
    // The same nonce without the torsion is an ordinary valid signature.
    const honest = signWith(a, Ab, r, B.multiply(r), M);
    assert.equal(pureEd25519.verify(Ab, M, honest), true);
    assert.equal(nodeEd25519.verify(Ab, M, honest), true);
  });

  test('A′ = A + T: cofactorless accepts exactly when [k]T vanishes (k ≡ 0 mod 8)', () => {
    const A2 = A.add(T).toBytes();
    assert.equal(publicKeyProblem(A2), null, 'a mixed-order key is canonical and not small order');
    const r = 0xc0ffeen;
    const R = B.multiply(r);
    let seen0 = false;
    let seenOther = false;
    for (let i = 0; !(seen0 && seenOther); i++) {
      assert.ok(i < 400, 'a message with each residue is found quickly');
      const msg = cat(M, Uint8Array.of(i & 0xff, i >> 8));
      const k = challenge(R.toBytes(), A2, msg);
      if (k % 8n === 0n ? seen0 : seenOther) continue;
      const sig = signWith(a, A2, r, R, msg);
      assert.equal(nobleStrict(A2, msg, sig), true);
      assert.equal(pureEd25519.verify(A2, msg, sig), k % 8n === 0n, `k mod 8 = ${k % 8n}`);
      assert.equal(nodeEd25519.verify(A2, msg, sig), k % 8n === 0n, `k mod 8 = ${k % 8n}`);
      if (k % 8n === 0n) seen0 = true;
      else seenOther = true;
    }
  });

  test('speccheck vectors: @noble/ed25519 (zip215: false) verdicts, for contrast', () => {
    SPECCHECK.forEach((v, i) => assert.equal(nobleStrict(hex(v.a), hex(v.m), hex(v.s)), v.cofactored, `#${i}`));
  });
});

describe('publicKeyProblem', () => {
  test('RFC 8032 keys are fine', () => {
    for (const v of RFC8032) assert.equal(publicKeyProblem(hex(v.publicKey)), null, v.name);
  });

  test('the 8 small-order points → small-order', () => {
    for (const h of SMALL_ORDER_HEX) assert.equal(publicKeyProblem(hex(h)), 'small-order', h);
  });

  test('y ≥ p, either sign bit → non-canonical', () => {
    for (const b of yAtLeastP()) assert.equal(publicKeyProblem(b), 'non-canonical', toHex(b));
  });

  test('x = 0 with the sign bit set → non-canonical', () => {
    assert.equal(publicKeyProblem(NEGATIVE_ZERO_IDENTITY), 'non-canonical');
    assert.equal(publicKeyProblem(hex('ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff')), 'non-canonical');
  });

  test('a y with no x → not-a-point', () => {
    assert.throws(() => Point.fromBytes(le32(2n), true));
    assert.equal(publicKeyProblem(le32(2n)), 'not-a-point');
    assert.equal(publicKeyProblem(cat(le32(2n).subarray(0, 31), Uint8Array.of(0x80))), 'not-a-point');
  });

  test('wrong length → length', () => {
    for (const n of [0, 31, 33, 64]) assert.equal(publicKeyProblem(new Uint8Array(n)), 'length', `${n} bytes`);
    assert.equal(publicKeyProblem(null as unknown as Uint8Array), 'length');
  });
});
