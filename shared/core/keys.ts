// Note key strings (golang.org/x/mod/sumdb/note formats), key IDs and PEM SPKI Ed25519 public keys.
import { fromBase64Strict, toBase64, utf8, concatBytes, bytesEqual } from './bytes.ts';
import { sha256 } from '@noble/hashes/sha2.js';

/** 0x01: Ed25519 note signature (a log key); 0x04: Ed25519 timestamped cosignature (a witness key). */
export type KeyType = 0x01 | 0x04;
export const LOG_KEY: KeyType = 0x01;
export const COSIGNER_KEY: KeyType = 0x04;

export interface VerifierKey {
  name: string;
  keyId: number;
  type: KeyType;
  publicKey: Uint8Array;
}

export interface SignerKey extends VerifierKey {
  seed: Uint8Array;
}

export class KeyError extends Error {
  override name = 'KeyError';
}

// Go's unicode.IsSpace: the Latin-1 spaces plus Unicode White_Space of category Z.
const SPACE = /[\t\n\v\f\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]/u;

/** Key names (and so origins) are non-empty, valid text, with no Unicode space and no '+'. */
export function isValidKeyName(name: string): boolean {
  return name.length > 0 && !SPACE.test(name) && !name.includes('+');
}

/** SHA-256(name || 0x0A || type || public key)[:4], big-endian. */
export function keyId(name: string, type: KeyType, publicKey: Uint8Array): number {
  const h = sha256(concatBytes(utf8(name), Uint8Array.of(0x0a, type), publicKey));
  return ((h[0]! << 24) | (h[1]! << 16) | (h[2]! << 8) | h[3]!) >>> 0;
}

export function keyIdHex(id: number): string {
  return id.toString(16).padStart(8, '0');
}

/** SHA-256 of the raw 32-byte public key, the fingerprint examiners compare out of band. */
export function keyFingerprint(publicKey: Uint8Array): Uint8Array {
  return sha256(publicKey);
}

export function formatVerifierKey(key: VerifierKey): string {
  return `${key.name}+${keyIdHex(key.keyId)}+${toBase64(concatBytes(Uint8Array.of(key.type), key.publicKey))}`;
}

export function formatSignerKey(key: SignerKey): string {
  return `PRIVATE+KEY+${key.name}+${keyIdHex(key.keyId)}+${toBase64(concatBytes(Uint8Array.of(key.type), key.seed))}`;
}

function chop(s: string): [string, string] | null {
  const i = s.indexOf('+');
  return i < 0 ? null : [s.slice(0, i), s.slice(i + 1)];
}

interface KeyParts {
  name: string;
  keyId: number;
  type: KeyType;
  material: Uint8Array;
}

// name+hash+base64(type || 32 bytes); split on the first two '+' only: base64 may contain '+'.
function parseKeyParts(text: string, what: string): KeyParts {
  const first = chop(text);
  const second = first && chop(first[1]);
  if (!first || !second) throw new KeyError(`not a ${what} string (expected NAME+KEYID+BASE64)`);
  const [name] = first;
  const [idHex, b64] = second;
  if (!isValidKeyName(name)) throw new KeyError(`invalid key name ${JSON.stringify(name)} (must be non-empty, without spaces or '+')`);
  if (!/^[0-9a-fA-F]{8}$/.test(idHex)) throw new KeyError(`invalid key id ${JSON.stringify(idHex)} (expected 8 hex digits)`);
  const raw = fromBase64Strict(b64);
  if (!raw) throw new KeyError('key material is not canonical standard base64');
  if (raw.length !== 33) throw new KeyError(`key material is ${raw.length} bytes, expected 33 (type byte and 32-byte key)`);
  const type = raw[0]!;
  if (type !== LOG_KEY && type !== COSIGNER_KEY) {
    throw new KeyError(`unsupported key type 0x${type.toString(16).padStart(2, '0')} (expected 0x01 Ed25519 or 0x04 Ed25519 cosignature)`);
  }
  return { name, keyId: parseInt(idHex, 16) >>> 0, type, material: raw.subarray(1) };
}

function checkId(parts: KeyParts, publicKey: Uint8Array): void {
  const expected = keyId(parts.name, parts.type, publicKey);
  if (expected !== parts.keyId) {
    throw new KeyError(`key id ${keyIdHex(parts.keyId)} does not match the key (computed ${keyIdHex(expected)})`);
  }
}

export function parseVerifierKey(text: string): VerifierKey {
  const parts = parseKeyParts(text.trim(), 'verifier key');
  checkId(parts, parts.material);
  return { name: parts.name, keyId: parts.keyId, type: parts.type, publicKey: parts.material };
}

export function parseSignerKey(text: string, publicKeyFromSeed: (seed: Uint8Array) => Uint8Array): SignerKey {
  const t = text.trim();
  if (!t.startsWith('PRIVATE+KEY+')) throw new KeyError('not a signer key string (expected PRIVATE+KEY+NAME+KEYID+BASE64)');
  const parts = parseKeyParts(t.slice('PRIVATE+KEY+'.length), 'signer key');
  const publicKey = publicKeyFromSeed(parts.material);
  checkId(parts, publicKey);
  return { name: parts.name, keyId: parts.keyId, type: parts.type, publicKey, seed: parts.material };
}

export function makeKey(name: string, type: KeyType, publicKey: Uint8Array): VerifierKey {
  if (!isValidKeyName(name)) throw new KeyError(`invalid key name ${JSON.stringify(name)} (must be non-empty, without spaces or '+')`);
  return { name, type, publicKey, keyId: keyId(name, type, publicKey) };
}

// DER of SubjectPublicKeyInfo { AlgorithmIdentifier { id-Ed25519 }, BIT STRING (32 bytes) } before the key.
const SPKI_ED25519_PREFIX = Uint8Array.of(0x30, 0x2a, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x03, 0x21, 0x00);

/** A PEM `PUBLIC KEY` (SPKI) Ed25519 key, named by the examiner, becomes a type 0x01 log key. */
export function verifierKeyFromPem(name: string, pem: string): VerifierKey {
  const m = /^-----BEGIN PUBLIC KEY-----\r?\n([A-Za-z0-9+/=\r\n]+?)\r?\n?-----END PUBLIC KEY-----\s*$/.exec(pem.trim());
  if (!m) throw new KeyError('not a PEM PUBLIC KEY block');
  const der = fromBase64Strict(m[1]!.replace(/[\r\n]/g, ''));
  if (!der) throw new KeyError('PEM body is not valid base64');
  if (der.length !== 44 || !bytesEqual(der.subarray(0, 12), SPKI_ED25519_PREFIX)) {
    throw new KeyError('PEM key is not an Ed25519 SubjectPublicKeyInfo');
  }
  return makeKey(name, LOG_KEY, der.slice(12));
}

export function pemFromPublicKey(publicKey: Uint8Array): string {
  const b64 = toBase64(concatBytes(SPKI_ED25519_PREFIX, publicKey));
  return `-----BEGIN PUBLIC KEY-----\n${b64}\n-----END PUBLIC KEY-----\n`;
}
