// Ed25519 for checkpoint signatures: strict cofactorless verification, RFC 8032 signing and key vetting.
import { Point } from '@noble/ed25519';
import { sha512 } from '@noble/hashes/sha2.js';

export interface Ed25519 {
  /** Strict cofactorless verification (see contract). Never throws: wrong lengths etc. return false. */
  verify(publicKey: Uint8Array, message: Uint8Array, signature: Uint8Array): boolean;
  /** RFC 8032 signature with a 32-byte seed. */
  sign(seed: Uint8Array, message: Uint8Array): Uint8Array;
  publicKeyFromSeed(seed: Uint8Array): Uint8Array;
}

/** Order of the prime-order subgroup (ℓ in RFC 8032). */
const L = 2n ** 252n + 27742317777372353535851937790883648493n;
const B = Point.BASE;

function numberFromLE(bytes: Uint8Array): bigint {
  let n = 0n;
  for (let i = bytes.length - 1; i >= 0; i--) n = (n << 8n) | BigInt(bytes[i]!);
  return n;
}

function numberTo32LE(n: bigint): Uint8Array {
  const out = new Uint8Array(32);
  for (let i = 0; i < 32; i++) {
    out[i] = Number(n & 0xffn);
    n >>= 8n;
  }
  return out;
}

function sha512Mod(...parts: Uint8Array[]): bigint {
  const h = sha512.create();
  for (const p of parts) h.update(p);
  return numberFromLE(h.digest()) % L;
}

function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a[i]! ^ b[i]!;
  return diff === 0;
}

/**
 * Whether 32 bytes are the one canonical encoding of a would-be point: y < p = 2^255 − 19 and not
 * "negative zero" (x = 0, which only happens for y = ±1, with the sign bit set). Byte tests only, so
 * the node:crypto path can afford it on every call; whether the bytes are a point at all is not
 * decided here.
 */
export function isCanonicalPointEncoding(bytes: Uint8Array): boolean {
  if (bytes.length !== 32) return false;
  const top = bytes[31]! & 0x7f;
  const sign = bytes[31]! & 0x80;
  let middleAllFF = true;
  let middleAllZero = true;
  for (let i = 1; i < 31; i++) {
    if (bytes[i] !== 0xff) middleAllFF = false;
    if (bytes[i] !== 0) middleAllZero = false;
  }
  // y ≥ p: the 19 values 2^255 − 19 … 2^255 − 1, i.e. ed..ff ff…ff 7f with the sign bit cleared.
  if (top === 0x7f && middleAllFF && bytes[0]! >= 0xed) return false;
  if (sign !== 0) {
    if (top === 0 && middleAllZero && bytes[0] === 0x01) return false; // y = 1
    if (top === 0x7f && middleAllFF && bytes[0] === 0xec) return false; // y = p − 1
  }
  return true;
}

function decodePoint(bytes: Uint8Array): Point | 'non-canonical' | 'not-a-point' {
  if (!isCanonicalPointEncoding(bytes)) return 'non-canonical';
  try {
    return Point.fromBytes(bytes, false);
  } catch {
    return 'not-a-point';
  }
}

function expandSeed(seed: Uint8Array): { scalar: bigint; prefix: Uint8Array; publicKey: Uint8Array } {
  if (!(seed instanceof Uint8Array) || seed.length !== 32) throw new RangeError('Ed25519 seed must be 32 bytes');
  const h = sha512(seed);
  const head = h.slice(0, 32);
  head[0]! &= 248;
  head[31]! &= 127;
  head[31]! |= 64;
  // The clamped scalar is ≥ 2^254 > ℓ; noble's multiply wants it reduced, and [s]B only depends on s mod ℓ.
  const scalar = numberFromLE(head) % L;
  head.fill(0);
  const prefix = h.slice(32);
  h.fill(0);
  return { scalar, prefix, publicKey: B.multiply(scalar).toBytes() };
}

/**
 * Pure implementation on @noble/ed25519's point arithmetic. Its own verify is not used: even with
 * zip215: false it checks [8]([S]B − [k]A − R) = 0, which accepts signatures whose R or A carries a
 * torsion component that Go, OpenSSL and pyca reject; the verdict must not depend on the platform.
 */
export const pureEd25519: Ed25519 = {
  verify(publicKey, message, signature) {
    try {
      if (!(publicKey instanceof Uint8Array) || !(signature instanceof Uint8Array)) return false;
      if (!(message instanceof Uint8Array)) return false;
      if (publicKey.length !== 32 || signature.length !== 64) return false;
      const r = signature.subarray(0, 32);
      const s = numberFromLE(signature.subarray(32));
      if (s >= L) return false;
      // R need not be decoded: the byte comparison below only matches a canonical encoding, but
      // rejecting early keeps the rule visible.
      if (!isCanonicalPointEncoding(r)) return false;
      const A = decodePoint(publicKey);
      if (typeof A === 'string') return false;
      // k is hashed over the bytes as received; A is canonical, so they are also its encoding.
      const k = sha512Mod(r, publicKey, message);
      const check = B.multiply(s, false).subtract(A.multiply(k, false));
      return bytesEqual(check.toBytes(), r);
    } catch {
      return false;
    }
  },

  sign(seed, message) {
    const { scalar, prefix, publicKey } = expandSeed(seed);
    const r = sha512Mod(prefix, message);
    prefix.fill(0);
    // r = 0 has probability 2^-252, but noble's safe multiply refuses 0, so it is spelled out.
    const R = (r === 0n ? Point.ZERO : B.multiply(r)).toBytes();
    const k = sha512Mod(R, publicKey, message);
    const S = (r + k * scalar) % L;
    const out = new Uint8Array(64);
    out.set(R, 0);
    out.set(numberTo32LE(S), 32);
    return out;
  },

  publicKeyFromSeed(seed) {
    const { prefix, publicKey } = expandSeed(seed);
    prefix.fill(0);
    return publicKey;
  },
};

/**
 * Why a public key must be refused when configured, or null when it is fine. Verification itself
 * accepts small-order keys when the equation holds (as Go and OpenSSL do); such keys are refused
 * here instead, since a signature under them proves nothing about who made it.
 */
export function publicKeyProblem(publicKey: Uint8Array): null | 'length' | 'not-a-point' | 'non-canonical' | 'small-order' {
  if (!(publicKey instanceof Uint8Array) || publicKey.length !== 32) return 'length';
  const A = decodePoint(publicKey);
  if (typeof A === 'string') return A;
  if (A.isSmallOrder()) return 'small-order';
  return null;
}
