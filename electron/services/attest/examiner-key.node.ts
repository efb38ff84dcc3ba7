// The examiner's Ed25519 signing key: identity, passphrase-encrypted key file, PEM/OpenSSH public keys, fingerprints, PKCS#8 import.
import crypto from 'node:crypto';
import { rm, writeFile } from 'node:fs/promises';
import { InputFileError, KEY_FILE_LIMIT, PASSPHRASE_FILE_LIMIT, readBoundedText } from '../bounded-read.node.ts';
import { existsSync } from 'node:fs';
import { scryptAsync } from '@noble/hashes/scrypt.js';
import { hmac } from '@noble/hashes/hmac.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { bytesEqual, concatBytes, fromBase64Strict, toBase64, toHex, utf8 } from '../../../shared/core/bytes.ts';
import { keyFingerprint, pemFromPublicKey } from '../../../shared/core/keys.ts';
import { publicKeyProblem } from '../../../shared/core/ed25519.ts';
import { nodeEd25519 } from '../crypto.node.ts';
import { UsageError } from '../keys.node.ts';

/** A key file, passphrase or identity that cannot be used. A UsageError, so the CLI exits 2 with one line. */
export class ExaminerKeyError extends UsageError {
  override name = 'ExaminerKeyError';
}

// ---------------------------------------------------------------------------------------------
// Identity: "NAME <EMAIL>", the form git and OpenSSH key comments use.

export interface ExaminerIdentity {
  name: string;
  /** null when the examiner gave a name only. */
  email: string | null;
  /** Kept with the key (keygen --organisation), so a report cannot name another employer. */
  organisation?: string | null;
  /** Free text kept with the key (keygen --qualifications): training, certifications, practice. */
  qualifications?: string | null;
}

/** Organisation and qualifications as stored: one line each, bounded, no control characters. */
export function checkProfileText(text: string, what: string): string {
  const t = text.trim();
  if (/[\u0000-\u001f\u007f]/u.test(t)) throw new ExaminerKeyError(`examiner ${what} contains a control character (one line of text)`);
  if ([...t].length > 1000) throw new ExaminerKeyError(`examiner ${what} is longer than 1000 characters`);
  return t;
}

// Control characters would break the one-line formats (ssh .pub comment, allowed_signers); '"' the
// quoting of allowed_signers; '<' '>' the NAME <EMAIL> syntax itself.
const BAD_NAME_CHAR = /[\u0000-\u001f\u007f"<>]/u;
const EMAIL = /^[^\s<>@",]+@[^\s<>@",]+$/u;

export function parseExaminerName(text: string): ExaminerIdentity {
  const t = text.trim();
  const m = /^([^<>]*?)\s*(?:<([^<>]*)>)?$/u.exec(t);
  if (!m) throw new ExaminerKeyError(`examiner name ${JSON.stringify(text)} is not NAME <EMAIL> (or NAME alone)`);
  const name = m[1]!;
  const email = m[2];
  if (name === '') throw new ExaminerKeyError(`examiner name ${JSON.stringify(text)} has no name before the <EMAIL>`);
  if (BAD_NAME_CHAR.test(name)) throw new ExaminerKeyError(`examiner name ${JSON.stringify(name)} contains a control character, '"', '<' or '>'`);
  if ([...name].length > 200) throw new ExaminerKeyError('examiner name is longer than 200 characters');
  if (email !== undefined && !EMAIL.test(email)) throw new ExaminerKeyError(`examiner email ${JSON.stringify(email)} is not an address (LOCAL@DOMAIN, no spaces)`);
  return { name, email: email ?? null };
}

export function formatExaminerName(id: ExaminerIdentity): string {
  return id.email === null ? id.name : `${id.name} <${id.email}>`;
}

/** The allowed_signers principal (and `ssh-keygen -Y verify -I`): the email, as git does; the name when there is none. */
export function examinerPrincipal(id: ExaminerIdentity): string {
  return id.email ?? id.name;
}

export interface ExaminerPublicKey {
  identity: ExaminerIdentity;
  publicKey: Uint8Array;
}

export interface ExaminerKey extends ExaminerPublicKey {
  seed: Uint8Array;
}

export function generateExaminerKey(identity: ExaminerIdentity): ExaminerKey {
  const seed = new Uint8Array(crypto.randomBytes(32));
  return { identity, seed, publicKey: nodeEd25519.publicKeyFromSeed(seed) };
}

// ---------------------------------------------------------------------------------------------
// SSH wire format (RFC 4251 §5): what the OpenSSH public key line, its fingerprint and SSHSIG are built of.

export const SSH_ED25519 = 'ssh-ed25519';

export function sshUint32(n: number): Uint8Array {
  const out = new Uint8Array(4);
  new DataView(out.buffer).setUint32(0, n >>> 0, false);
  return out;
}

/** `string`: uint32 length, then the bytes. */
export function sshString(data: Uint8Array | string): Uint8Array {
  const bytes = typeof data === 'string' ? utf8(data) : data;
  return concatBytes(sshUint32(bytes.length), bytes);
}

/** Reads RFC 4251 fields; every read checks the remaining length, so malformed input throws SshWireError. */
export class SshWireError extends Error {
  override name = 'SshWireError';
}

export class SshReader {
  private offset = 0;
  constructor(private readonly bytes: Uint8Array) {}
  bytesN(n: number, what: string): Uint8Array {
    if (this.offset + n > this.bytes.length) throw new SshWireError(`truncated ${what}`);
    const out = this.bytes.subarray(this.offset, this.offset + n);
    this.offset += n;
    return out;
  }
  uint32(what: string): number {
    const b = this.bytesN(4, what);
    return new DataView(b.buffer, b.byteOffset, 4).getUint32(0, false);
  }
  string(what: string): Uint8Array {
    return this.bytesN(this.uint32(`${what} length`), what);
  }
  text(what: string): string {
    const b = this.string(what);
    try {
      return new TextDecoder('utf-8', { fatal: true }).decode(b);
    } catch {
      throw new SshWireError(`${what} is not valid UTF-8`);
    }
  }
  get done(): boolean {
    return this.offset === this.bytes.length;
  }
}

/** The public key blob: string "ssh-ed25519", string key (draft-ietf-curdle-ssh-ed25519 / RFC 8709). */
export function sshPublicKeyBlob(publicKey: Uint8Array): Uint8Array {
  if (publicKey.length !== 32) throw new RangeError('Ed25519 public key must be 32 bytes');
  return concatBytes(sshString(SSH_ED25519), sshString(publicKey));
}

/** The raw key of an ssh-ed25519 blob, or SshWireError (other key types, trailing bytes). */
export function publicKeyFromSshBlob(blob: Uint8Array): Uint8Array {
  const r = new SshReader(blob);
  const type = r.text('key type');
  if (type !== SSH_ED25519) throw new SshWireError(`key type ${JSON.stringify(type)} is not ${SSH_ED25519}`);
  const key = r.string('Ed25519 public key');
  if (key.length !== 32) throw new SshWireError(`Ed25519 public key is ${key.length} bytes, expected 32`);
  if (!r.done) throw new SshWireError('trailing bytes after the public key');
  return key.slice();
}

/** One line of an OpenSSH .pub file: `ssh-ed25519 BASE64 COMMENT`. */
export function sshPublicKeyLine(publicKey: Uint8Array, comment: string): string {
  if (/[\r\n]/.test(comment)) throw new RangeError('an OpenSSH key comment is one line');
  return `${SSH_ED25519} ${toBase64(sshPublicKeyBlob(publicKey))}${comment ? ` ${comment}` : ''}`;
}

export function parseSshPublicKeyLine(line: string): { publicKey: Uint8Array; comment: string } {
  const m = /^ssh-ed25519 ([A-Za-z0-9+/]+={0,2})(?: (.*))?$/u.exec(line.trim());
  if (!m) throw new ExaminerKeyError('not an OpenSSH ssh-ed25519 public key line');
  const blob = fromBase64Strict(m[1]!);
  if (!blob) throw new ExaminerKeyError('the OpenSSH public key is not valid base64');
  try {
    return { publicKey: publicKeyFromSshBlob(blob), comment: m[2] ?? '' };
  } catch (e) {
    if (e instanceof SshWireError) throw new ExaminerKeyError(`the OpenSSH public key blob is malformed: ${e.message}`);
    throw e;
  }
}

/** SHA-256 of the raw 32-byte key, hex: the fingerprint the log keys already use (keys.ts). */
export function sha256Fingerprint(publicKey: Uint8Array): string {
  return toHex(keyFingerprint(publicKey));
}

/** OpenSSH's `SHA256:` fingerprint (unpadded base64 of SHA-256 of the blob), as `ssh-keygen -lf` prints it. */
export function opensshFingerprint(publicKey: Uint8Array): string {
  return `SHA256:${toBase64(sha256(sshPublicKeyBlob(publicKey))).replace(/=+$/, '')}`;
}

// ---------------------------------------------------------------------------------------------
// PKCS#8 import.

// Minimal strict DER: definite lengths in shortest form, as PKCS#8 keys are written.
function derElement(der: Uint8Array, at: number): { tag: number; start: number; end: number } {
  const fail = (): never => {
    throw new ExaminerKeyError('malformed DER');
  };
  if (at + 2 > der.length) fail();
  const tag = der[at]!;
  let len = der[at + 1]!;
  let start = at + 2;
  if (len & 0x80) {
    const n = len & 0x7f;
    if (n === 0 || n > 2 || start + n > der.length) fail();
    len = 0;
    for (let i = 0; i < n; i++) len = (len << 8) | der[start + i]!;
    if (len < 0x80 || (n === 2 && len < 0x100)) fail();
    start += n;
  }
  if (start + len > der.length) fail();
  return { tag, start, end: start + len };
}

const OID_ED25519 = '06032b6570';
const OID_NAMES: Record<string, string> = {
  '06092a864886f70d010101': 'an RSA', '06072a8648ce3d0201': 'an EC (ECDSA)', '06032b6571': 'an Ed448', '06032b656e': 'an X25519', '06032b656f': 'an X448',
};

/**
 * The seed of an unencrypted PEM `PRIVATE KEY` holding an Ed25519 key (RFC 8410 §7): PKCS#8 v1
 * (OpenSSL, Go) or v2 with the public key in [1] (which OpenSSL 3.0 cannot read, hence parsed here);
 * a v2 public key must match the seed.
 */
export function seedFromPkcs8Pem(pem: string, source = 'key'): Uint8Array {
  const t = pem.trim();
  if (t.includes('-----BEGIN ENCRYPTED PRIVATE KEY-----')) {
    throw new ExaminerKeyError(`${source} is an encrypted PKCS#8 key; give the unencrypted PEM PRIVATE KEY (it is re-encrypted with your passphrase)`);
  }
  if (t.includes('-----BEGIN OPENSSH PRIVATE KEY-----')) {
    throw new ExaminerKeyError(`${source} is an OpenSSH private key; give a PEM PRIVATE KEY (PKCS#8)`);
  }
  const m = /^-----BEGIN PRIVATE KEY-----\r?\n([A-Za-z0-9+/=\r\n]+)\r?\n-----END PRIVATE KEY-----$/u.exec(t);
  if (!m) throw new ExaminerKeyError(`${source} is not a PEM PRIVATE KEY (PKCS#8) block`);
  const der = fromBase64Strict(m[1]!.replace(/[\r\n]/g, ''));
  if (!der) throw new ExaminerKeyError(`${source}: the PEM body is not valid base64`);
  const fail = (why: string): never => {
    throw new ExaminerKeyError(`${source} is not a readable PKCS#8 key: ${why}`);
  };
  try {
    const top = derElement(der, 0);
    if (top.tag !== 0x30 || top.end !== der.length) fail('not one DER SEQUENCE');
    const version = derElement(der, top.start);
    if (version.tag !== 0x02 || version.end - version.start !== 1 || der[version.start]! > 1) fail('version is not 0 or 1');
    const v = der[version.start]!;
    const alg = derElement(der, version.end);
    if (alg.tag !== 0x30) fail('no algorithm identifier');
    const oid = toHex(der.subarray(alg.start, alg.end));
    if (oid !== OID_ED25519) {
      const known = Object.entries(OID_NAMES).find(([k]) => oid.startsWith(k));
      throw new ExaminerKeyError(`${source} is ${known ? known[1] : 'a non-Ed25519'} key, not Ed25519`);
    }
    const outer = derElement(der, alg.end);
    if (outer.tag !== 0x04) fail('no private key OCTET STRING');
    const inner = derElement(der, outer.start);
    if (inner.tag !== 0x04 || inner.end !== outer.end || inner.end - inner.start !== 32) fail('the Ed25519 private key is not a 32-byte OCTET STRING');
    const seed = der.slice(inner.start, inner.end);
    let at = outer.end;
    if (at < top.end && der[at] === 0xa0) at = derElement(der, at).end; // attributes: not used
    if (at < top.end && der[at] === 0x81) {
      const pub = derElement(der, at);
      if (v !== 1) fail('a public key in a version 0 structure');
      if (pub.end - pub.start !== 33 || der[pub.start] !== 0) fail('the public key is not a 32-byte BIT STRING');
      if (!bytesEqual(der.subarray(pub.start + 1, pub.end), nodeEd25519.publicKeyFromSeed(seed))) fail('its public key does not belong to its private key');
      at = pub.end;
    }
    if (at !== top.end) fail('unexpected fields after the private key');
    return seed;
  } catch (e) {
    if (e instanceof ExaminerKeyError && e.message === 'malformed DER') fail('malformed DER');
    throw e;
  }
}

export function importPkcs8ExaminerKey(pem: string, identity: ExaminerIdentity, source = 'key'): ExaminerKey {
  const seed = seedFromPkcs8Pem(pem, source);
  return { identity, seed, publicKey: nodeEd25519.publicKeyFromSeed(seed) };
}

// ---------------------------------------------------------------------------------------------
// Passphrase.

export const PASSPHRASE_ENV = 'SEALCHECK_PASSPHRASE';

/**
 * `--passphrase-file F` (its first line, without the line break), else $SEALCHECK_PASSPHRASE.
 * The CLI never prompts: it runs unattended in scripts and tests, so a missing passphrase is an error.
 */
export async function resolvePassphrase(opts: { passphraseFile?: string | undefined; env?: NodeJS.ProcessEnv }): Promise<string> {
  const env = opts.env ?? process.env;
  if (opts.passphraseFile !== undefined) {
    let text: string;
    try {
      text = await readBoundedText(opts.passphraseFile, PASSPHRASE_FILE_LIMIT, 'passphrase file');
    } catch (e) {
      if (e instanceof InputFileError) throw new ExaminerKeyError(e.message);
      throw e;
    }
    const nl = text.indexOf('\n');
    const first = (nl < 0 ? text : text.slice(0, nl)).replace(/\r$/u, '');
    if (first === '') throw new ExaminerKeyError(`passphrase file ${opts.passphraseFile} has an empty first line; an empty passphrase protects nothing`);
    return first;
  }
  const v = env[PASSPHRASE_ENV];
  if (v !== undefined) {
    if (v === '') throw new ExaminerKeyError(`${PASSPHRASE_ENV} is set but empty; an empty passphrase protects nothing`);
    return v;
  }
  throw new ExaminerKeyError(`no passphrase for the examiner key: give --passphrase-file FILE or set ${PASSPHRASE_ENV} (sealcheck never prompts)`);
}

// NFC, so the same typed passphrase gives the same bytes on macOS (NFD file names, input methods) and elsewhere.
function passphraseBytes(passphrase: string): Uint8Array {
  return utf8(passphrase.normalize('NFC'));
}

// ---------------------------------------------------------------------------------------------
// The encrypted key file (PREFIX.key), format "sealcheck-examiner-key" version 1: see KeyFileV1.

export const KEY_FILE_FORMAT = 'sealcheck-examiner-key';
export const KEY_FILE_VERSION = 1;

export interface ScryptParams {
  N: number;
  r: number;
  p: number;
}

/** 2^17 × 8 × 128 B = 128 MiB and about half a second: RFC 7914's file-encryption class of cost. */
export const DEFAULT_SCRYPT: ScryptParams = { N: 2 ** 17, r: 8, p: 1 };
// Floor when writing (2^14 is scrypt's interactive-login cost; tests use it for speed). Ceiling when
// reading, so a crafted file cannot make sealcheck allocate gigabytes or spin for minutes.
const MIN_LOG_N = 14;
const MAX_LOG_N = 20;
const MAX_MEMORY = 1024 ** 3;

/**
 * Everything in clear except the seed. `encryptedSeed` is AES-256-GCM(seed) || 16-byte tag under the
 * first 32 bytes of scrypt(passphrase, salt); the additional data binds every other field except
 * `passphraseCheck`, so a swapped public key, identity or parameter is detected. `passphraseCheck` is
 * HMAC-SHA256(last 32 bytes of the scrypt output, label)[:16]: it lets a wrong passphrase be told apart
 * from an altered file, and gives a guesser nothing the ciphertext does not already give.
 */
interface KeyFileV1 {
  format: typeof KEY_FILE_FORMAT;
  version: 1;
  name: string;
  email: string | null;
  /** Optional (added after the first files were written): absent in older files, and then not in the additional data. */
  organisation?: string;
  qualifications?: string;
  algorithm: 'ed25519';
  publicKey: string;
  fingerprints: { sha256: string; openssh: string };
  created: string;
  kdf: { name: 'scrypt'; N: number; r: number; p: number; salt: string };
  cipher: { name: 'aes-256-gcm'; nonce: string };
  passphraseCheck: string;
  encryptedSeed: string;
}

const FIELDS = ['format', 'version', 'name', 'email', 'organisation', 'qualifications', 'algorithm', 'publicKey', 'fingerprints', 'created', 'kdf', 'cipher', 'passphraseCheck', 'encryptedSeed'];
const CHECK_LABEL = utf8('sealcheck examiner key v1 passphrase check');

function additionalData(f: Omit<KeyFileV1, 'passphraseCheck' | 'encryptedSeed'>): Uint8Array {
  // An array of primitives in a fixed order: one exact byte string for the same fields.
  return utf8(JSON.stringify([f.format, f.version, f.name, f.email, f.algorithm, f.publicKey, f.fingerprints.sha256, f.fingerprints.openssh,
    f.created, f.kdf.name, f.kdf.N, f.kdf.r, f.kdf.p, f.kdf.salt, f.cipher.name, f.cipher.nonce,
    ...(f.organisation !== undefined || f.qualifications !== undefined ? [f.organisation ?? null, f.qualifications ?? null] : [])]));
}

function checkParams(k: ScryptParams, writing: boolean): string | null {
  const { N, r, p } = k;
  if (![N, r, p].every((x) => Number.isSafeInteger(x) && x > 0)) return 'scrypt parameters must be positive integers';
  const logN = Math.log2(N);
  if (!Number.isInteger(logN)) return `scrypt N=${N} is not a power of two`;
  if (logN < MIN_LOG_N) return `scrypt N=2^${logN} is below the minimum 2^${MIN_LOG_N}`;
  if (!writing && logN > MAX_LOG_N) return `scrypt N=2^${logN} is above the maximum 2^${MAX_LOG_N} this sealcheck reads`;
  if (r > 32 || p > 16) return `scrypt r=${r} p=${p} out of range (r ≤ 32, p ≤ 16)`;
  if (128 * N * r > MAX_MEMORY) return `scrypt N=${N} r=${r} needs more than 1 GiB`;
  return null;
}

async function deriveKeys(passphrase: string, salt: Uint8Array, k: ScryptParams): Promise<{ aesKey: Uint8Array; check: Uint8Array }> {
  const dk = await scryptAsync(passphraseBytes(passphrase), salt, { N: k.N, r: k.r, p: k.p, dkLen: 64, maxmem: MAX_MEMORY + 4096 });
  const aesKey = dk.slice(0, 32);
  const check = hmac(sha256, dk.subarray(32), CHECK_LABEL).slice(0, 16);
  dk.fill(0);
  return { aesKey, check };
}

export interface EncryptOptions {
  scrypt?: ScryptParams;
  /** The file's `created` time; now by default. */
  created?: Date;
}

/** The key file text (JSON, one trailing newline). The seed only ever appears encrypted. */
export async function encryptExaminerKey(key: ExaminerKey, passphrase: string, opts: EncryptOptions = {}): Promise<string> {
  if (passphrase === '') throw new ExaminerKeyError('an empty passphrase protects nothing; refused');
  const params = opts.scrypt ?? DEFAULT_SCRYPT;
  const bad = checkParams(params, true);
  if (bad) throw new ExaminerKeyError(bad);
  if (!bytesEqual(nodeEd25519.publicKeyFromSeed(key.seed), key.publicKey)) throw new ExaminerKeyError('the public key does not belong to the seed');
  parseExaminerName(formatExaminerName(key.identity));
  const salt = new Uint8Array(crypto.randomBytes(16));
  const nonce = new Uint8Array(crypto.randomBytes(12));
  const head: Omit<KeyFileV1, 'passphraseCheck' | 'encryptedSeed'> = {
    format: KEY_FILE_FORMAT,
    version: KEY_FILE_VERSION,
    name: key.identity.name,
    email: key.identity.email,
    ...(key.identity.organisation ? { organisation: checkProfileText(key.identity.organisation, 'organisation') } : {}),
    ...(key.identity.qualifications ? { qualifications: checkProfileText(key.identity.qualifications, 'qualifications') } : {}),
    algorithm: 'ed25519',
    publicKey: toBase64(key.publicKey),
    fingerprints: { sha256: sha256Fingerprint(key.publicKey), openssh: opensshFingerprint(key.publicKey) },
    created: (opts.created ?? new Date()).toISOString(),
    kdf: { name: 'scrypt', N: params.N, r: params.r, p: params.p, salt: toBase64(salt) },
    cipher: { name: 'aes-256-gcm', nonce: toBase64(nonce) },
  };
  const { aesKey, check } = await deriveKeys(passphrase, salt, params);
  try {
    const c = crypto.createCipheriv('aes-256-gcm', aesKey, nonce, { authTagLength: 16 });
    c.setAAD(additionalData(head));
    const sealed = Buffer.concat([c.update(key.seed), c.final(), c.getAuthTag()]);
    const file: KeyFileV1 = { ...head, passphraseCheck: toBase64(check), encryptedSeed: toBase64(sealed) };
    return `${JSON.stringify(file, null, 2)}\n`;
  } finally {
    aesKey.fill(0);
  }
}

export interface KeyFileInfo extends ExaminerPublicKey {
  created: string;
  scrypt: ScryptParams;
}

interface ParsedKeyFile extends KeyFileInfo {
  file: KeyFileV1;
  salt: Uint8Array;
  nonce: Uint8Array;
  check: Uint8Array;
  sealed: Uint8Array;
}

function parseKeyFileText(text: string, source: string): ParsedKeyFile {
  const fail = (why: string): never => {
    throw new ExaminerKeyError(`examiner key ${source}: ${why}`);
  };
  if (text.startsWith('PRIVATE+KEY+')) fail('this is a log or cosigner signer key, not an examiner key');
  let j: unknown;
  try {
    j = JSON.parse(text);
  } catch {
    fail('not an examiner key file (not JSON)');
  }
  if (typeof j !== 'object' || j === null || Array.isArray(j)) return fail('not an examiner key file (not a JSON object)');
  const o = j as Record<string, unknown>;
  if (o.format !== KEY_FILE_FORMAT) fail(`not an examiner key file (format is not "${KEY_FILE_FORMAT}")`);
  if (o.version !== KEY_FILE_VERSION) fail(`version ${JSON.stringify(o.version)} is not supported (this sealcheck reads version ${KEY_FILE_VERSION})`);
  for (const k of Object.keys(o)) if (!FIELDS.includes(k)) fail(`unknown field ${JSON.stringify(k)}`);
  const str = (v: unknown, what: string): string => (typeof v === 'string' ? v : fail(`${what} is missing or not a string`));
  const obj = (v: unknown, what: string): Record<string, unknown> => (typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : fail(`${what} is missing or not an object`));
  const b64 = (v: unknown, what: string, len: number): Uint8Array => {
    const b = fromBase64Strict(str(v, what));
    if (!b) return fail(`${what} is not canonical base64`);
    if (b.length !== len) return fail(`${what} is ${b.length} bytes, expected ${len}`);
    return b;
  };
  const name = str(o.name, 'name');
  const email = o.email === null ? null : str(o.email, 'email');
  let identity: ExaminerIdentity;
  try {
    identity = parseExaminerName(formatExaminerName({ name, email }));
  } catch (e) {
    return fail((e as Error).message);
  }
  if (identity.name !== name || identity.email !== email) fail('name or email is not in canonical form');
  for (const k of ['organisation', 'qualifications'] as const) {
    if (o[k] === undefined) continue;
    const v = str(o[k], k);
    try {
      if (checkProfileText(v, k) !== v || v === '') fail(`${k} is not in canonical form`);
    } catch (e) {
      if (e instanceof ExaminerKeyError && !e.message.startsWith('examiner key')) fail(e.message);
      throw e;
    }
    identity[k] = v;
  }
  if (o.algorithm !== 'ed25519') fail(`algorithm ${JSON.stringify(o.algorithm)} is not ed25519`);
  const publicKey = b64(o.publicKey, 'publicKey', 32);
  if (publicKeyProblem(publicKey)) fail('publicKey is not a usable Ed25519 public key');
  const fp = obj(o.fingerprints, 'fingerprints');
  if (fp.sha256 !== sha256Fingerprint(publicKey) || fp.openssh !== opensshFingerprint(publicKey)) fail('the fingerprints do not match the public key (the file was altered)');
  const created = str(o.created, 'created');
  const kdf = obj(o.kdf, 'kdf');
  if (kdf.name !== 'scrypt') fail(`kdf ${JSON.stringify(kdf.name)} is not scrypt`);
  const params = { N: kdf.N, r: kdf.r, p: kdf.p } as ScryptParams;
  const bad = checkParams(params, false);
  if (bad) fail(bad);
  const salt = b64(kdf.salt, 'kdf.salt', 16);
  const cipher = obj(o.cipher, 'cipher');
  if (cipher.name !== 'aes-256-gcm') fail(`cipher ${JSON.stringify(cipher.name)} is not aes-256-gcm`);
  const nonce = b64(cipher.nonce, 'cipher.nonce', 12);
  const check = b64(o.passphraseCheck, 'passphraseCheck', 16);
  const sealed = b64(o.encryptedSeed, 'encryptedSeed', 48);
  for (const k of Object.keys(kdf)) if (!['name', 'N', 'r', 'p', 'salt'].includes(k)) fail(`unknown field kdf.${k}`);
  for (const k of Object.keys(cipher)) if (!['name', 'nonce'].includes(k)) fail(`unknown field cipher.${k}`);
  for (const k of Object.keys(fp)) if (!['sha256', 'openssh'].includes(k)) fail(`unknown field fingerprints.${k}`);
  return { identity, publicKey, created, scrypt: params, file: o as unknown as KeyFileV1, salt, nonce, check, sealed };
}

/** What a key file says in clear (identity, public key), without the passphrase. */
export function readKeyFileInfo(text: string, source = 'file'): KeyFileInfo {
  const { identity, publicKey, created, scrypt } = parseKeyFileText(text, source);
  return { identity, publicKey, created, scrypt };
}

export async function decryptExaminerKey(text: string, passphrase: string, source = 'file'): Promise<ExaminerKey> {
  const f = parseKeyFileText(text, source);
  const { aesKey, check } = await deriveKeys(passphrase, f.salt, f.scrypt);
  try {
    if (!crypto.timingSafeEqual(check, f.check)) throw new ExaminerKeyError(`examiner key ${source}: wrong passphrase`);
    const d = crypto.createDecipheriv('aes-256-gcm', aesKey, f.nonce, { authTagLength: 16 });
    d.setAAD(additionalData(f.file));
    d.setAuthTag(f.sealed.subarray(32));
    let seed: Uint8Array;
    try {
      seed = new Uint8Array(Buffer.concat([d.update(f.sealed.subarray(0, 32)), d.final()]));
    } catch {
      throw new ExaminerKeyError(`examiner key ${source}: the passphrase is right but the file was altered (authentication failed)`);
    }
    // The AEAD already binds publicKey; this also catches a file written by a broken encoder.
    if (!bytesEqual(nodeEd25519.publicKeyFromSeed(seed), f.publicKey)) {
      seed.fill(0);
      throw new ExaminerKeyError(`examiner key ${source}: the decrypted key does not match the public key in the file`);
    }
    return { identity: f.identity, publicKey: f.publicKey, seed };
  } finally {
    aesKey.fill(0);
  }
}

export async function loadExaminerKey(path: string, passphrase: string): Promise<ExaminerKey> {
  let text: string;
  try {
    text = await readBoundedText(path, KEY_FILE_LIMIT, 'examiner key');
  } catch (e) {
    if (e instanceof InputFileError) throw new ExaminerKeyError(e.message);
    throw e;
  }
  return decryptExaminerKey(text, passphrase, path);
}

// ---------------------------------------------------------------------------------------------
// PREFIX.key, PREFIX.pub, PREFIX.ssh.pub.

export interface ExaminerKeyPaths {
  key: string;
  pub: string;
  sshPub: string;
}

export function examinerKeyPaths(prefix: string): ExaminerKeyPaths {
  return { key: `${prefix}.key`, pub: `${prefix}.pub`, sshPub: `${prefix}.ssh.pub` };
}

/**
 * Writes the three files, refusing when any exists (a key is never overwritten: `wx`, so a file
 * created meanwhile is not clobbered either). On a failure the files this call created are removed,
 * so no half-written key set is left behind. The key file is 0600.
 */
export async function writeExaminerKeyFiles(prefix: string, key: ExaminerKey, passphrase: string, opts: EncryptOptions = {}): Promise<ExaminerKeyPaths> {
  const paths = examinerKeyPaths(prefix);
  for (const p of Object.values(paths)) if (existsSync(p)) throw new ExaminerKeyError(`${p} already exists; not overwriting a key`);
  const keyText = await encryptExaminerKey(key, passphrase, opts);
  const written: string[] = [];
  try {
    const put = async (path: string, text: string, mode: number) => {
      await writeFile(path, text, { mode, flag: 'wx' });
      written.push(path);
    };
    await put(paths.key, keyText, 0o600);
    await put(paths.pub, pemFromPublicKey(key.publicKey), 0o644);
    await put(paths.sshPub, `${sshPublicKeyLine(key.publicKey, formatExaminerName(key.identity))}\n`, 0o644);
  } catch (e) {
    await Promise.all(written.map((p) => rm(p, { force: true })));
    if ((e as NodeJS.ErrnoException).code === 'EEXIST') throw new ExaminerKeyError(`${(e as NodeJS.ErrnoException).path ?? prefix} already exists; not overwriting a key`);
    throw e;
  }
  return paths;
}
